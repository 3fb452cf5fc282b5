"""Agreement on document labels (issue 14), per category of the schema.

The units are documents. An annotator *judged* a document for a category when
they set at least one label of that category on it; only judged documents give
values (an annotator who set no topic did not say "no topic").

- Single-choice categories: per pair of annotators, the documents both judged;
  percent agreement and Cohen's kappa over the (label of a, label of b) pairs.
  Krippendorff's alpha (nominal) over all annotators, each document a unit whose
  values are the labels of those who judged it.
- Multi-choice categories: every label is a yes/no question on each judged
  document.  Per label: Cohen's kappa per pair and Krippendorff's alpha over all
  annotators on those yes/no values; the category's alpha pools the units of all
  its labels (one unit per document and label); per pair also the share of
  documents where both chose exactly the same labels.

Values that are undefined (no pairable values, one category throughout) are None.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

from annotator.core.agreement.metrics import cohen_kappa, krippendorff_alpha_nominal, ratio
from annotator.core.doclabels import DocLabelRow

if TYPE_CHECKING:
    from annotator.core.schema import LabelSchema

__all__ = ["doc_label_agreement", "format_doc_labels"]


def doc_label_agreement(rows: Iterable[DocLabelRow], schema: LabelSchema, annotators: Sequence[str]) -> dict[str, Any]:
    """``{category: report}`` for every category of the schema (see the module doc)."""
    names = list(annotators)
    chosen: dict[tuple[str, str, str], set[str]] = {}  # (category, doc, annotator) -> labels
    for r in rows:
        if r.annotator in names:
            chosen.setdefault((r.category, r.doc_id, r.annotator), set()).add(r.label)
    out: dict[str, Any] = {}
    for cat in schema.categories:
        # doc -> {annotator: labels} of the documents someone judged for this category
        judged: dict[str, dict[str, set[str]]] = {}
        for (c, doc, who), labels in chosen.items():
            if c == cat.name:
                judged.setdefault(doc, {})[who] = labels
        label_names = [lab.name for lab in cat.labels]
        label_names += sorted({x for per in judged.values() for labels in per.values() for x in labels} - set(label_names))
        report: dict[str, Any] = {
            "multi": cat.multi,
            "documents": len(judged),
            "judged": {n: sum(1 for per in judged.values() if n in per) for n in names},
        }
        pairs = []
        if cat.multi:
            per_label: dict[str, Any] = {}
            pooled: Counter = Counter()
            for lab in label_names:
                units = Counter(tuple(sorted(lab in labels for labels in per.values())) for per in judged.values())
                pooled.update({(lab, *values): n for values, n in units.items()})
                per_label[lab] = {
                    "alpha": krippendorff_alpha_nominal(units),
                    "pairs": [],
                }
            report["alpha"] = krippendorff_alpha_nominal(_strip_label(pooled))
            for a, b in combinations(names, 2):
                both = [per for per in judged.values() if a in per and b in per]
                same = sum(1 for per in both if per[a] == per[b])
                pairs.append({"a": a, "b": b, "documents": len(both), "exact_set_agreement": ratio(same, len(both))})
                for lab in label_names:
                    conf = Counter((lab in per[a], lab in per[b]) for per in both)
                    per_label[lab]["pairs"].append({"a": a, "b": b, "kappa": cohen_kappa(conf)})
            report["per_label"] = per_label
        else:
            values = Counter(tuple(sorted(_one(labels) for labels in per.values())) for per in judged.values())
            report["alpha"] = krippendorff_alpha_nominal(values)
            for a, b in combinations(names, 2):
                pairs_of: Counter[tuple[str, str]] = Counter(
                    (_one(per[a]), _one(per[b])) for per in judged.values() if a in per and b in per
                )
                n = sum(pairs_of.values())
                agree = sum(k for (x, y), k in pairs_of.items() if x == y)
                pairs.append({"a": a, "b": b, "documents": n, "percent": ratio(agree, n), "kappa": cohen_kappa(pairs_of)})
        report["pairs"] = pairs
        out[cat.name] = report
    return out


def _one(labels: set[str]) -> str:
    """The label of a single-choice category (several, from a file made elsewhere: joined)."""
    return "+".join(sorted(labels))


def _strip_label(pooled: Counter) -> dict[tuple, int]:
    """Units keyed (label, *values) -> units of values (each document and label its own unit)."""
    out: Counter = Counter()
    for key, n in pooled.items():
        out[tuple(key[1:])] += n
    return dict(out)


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def _docs(n: int) -> str:
    return f"{n} document{'' if n == 1 else 's'}"


def format_doc_labels(report: dict[str, Any]) -> list[str]:
    """Lines for the terminal (empty when no category was judged by anyone)."""
    lines: list[str] = []
    for name, cat in report.items():
        if not cat["documents"]:
            continue
        if not lines:
            lines += ["", "Document labels (units: documents an annotator set a label of the category on)"]
        how = "any of" if cat["multi"] else "one of"
        lines.append(f"  {name} ({how}): {_docs(cat['documents'])}, Krippendorff's alpha {_fmt(cat['alpha'])}")
        for p in cat["pairs"]:
            if cat["multi"]:
                lines.append(f"    {p['a']} vs {p['b']}: {_docs(p['documents'])}, same labels {_fmt(p['exact_set_agreement'])}")
            else:
                lines.append(
                    f"    {p['a']} vs {p['b']}: {_docs(p['documents'])}, agreement {_fmt(p['percent'])}, kappa {_fmt(p['kappa'])}"
                )
        if not any(p["documents"] for p in cat["pairs"]):
            continue  # nothing pairable: no per-label lines of dashes
        for lab, row in (cat.get("per_label") or {}).items():
            if row["alpha"] is None and all(p["kappa"] is None for p in row["pairs"]):
                continue
            kappas = "  ".join(f"{p['a']}/{p['b']} κ {_fmt(p['kappa'])}" for p in row["pairs"])
            lines.append(f"    {lab}: alpha {_fmt(row['alpha'])}  {kappas}")
    return lines
