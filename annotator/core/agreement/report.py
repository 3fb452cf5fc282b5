"""Agreement: the report (:func:`compute`, :func:`agreement`) and its text form (:func:`format_report`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from typing import Any

from annotator.core.agreement.coref import pair_coref
from annotator.core.agreement.corpus import (
    DOCUMENT_MODES,
    AgreementError,
    Corpus,
    TooFewAnnotators,
    labels_of,
    load_coref,
    load_corpus,
)
from annotator.core.agreement.matching import PairState, pair_document, pair_documents, pair_tokens, token_alpha_units
from annotator.core.agreement.metrics import (
    Counts,
    alpha_report,
    binary_confusions,
    binary_units,
    cohen_kappa,
    krippendorff_alpha_nominal,
    ratio,
)
from annotator.core.gcpause import collector_paused
from annotator.core.models import CLAIM_LABEL
from annotator.core.store import Project


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------
def _pair_report(corpus: Corpus, a: str, b: str, label: str | None, documents: str) -> tuple[dict[str, Any], dict[str, int]]:
    st = PairState()
    docs, st.only_a, st.only_b = pair_documents(corpus, a, b, documents)
    st.documents = len(docs)
    for doc_id in docs:
        pair_document(corpus, st, doc_id, a, b, label)
    names = tuple(corpus.annotators)
    if a not in names or b not in names:
        names = (a, b)
    st.tokens = pair_tokens(corpus.token_vectors(names, label), names.index(a), names.index(b), documents)
    entity_labels = set(st.ents) | {lab for pair in st.tokens for c in pair for lab in labels_of(c)}
    exact_counts, overlap_counts = Counts(), Counts()
    for lab, (tp, ov, na, nb) in st.ents.items():
        exact_counts.add(lab, tp, na, nb)
        overlap_counts.add(lab, ov, na, nb)
    units: Counter = Counter()
    for (ca, cb), n in st.tokens.items():
        units[(ca, cb) if ca <= cb else (cb, ca)] += n
    exact, overlap = exact_counts.total(), overlap_counts.total()
    triggers = st.triggers.total()
    args = st.args_by_type.total()
    claims, claims_overlap = st.claims.total(), st.claims_overlap.total()
    claimant_agree = sum(1 for x, y in st.claimant if x == y)
    attributes = {
        name: {
            "percent": ratio(sum(n for (x, y), n in conf.items() if x == y), sum(conf.values())),
            "kappa": cohen_kappa(conf),
            "pairs": sum(conf.values()),
            "unset_both": st.attributes_unset[name],
        }
        for name, conf in st.attributes.items()
    }
    per_label: dict[str, dict[str, Any]] = {}
    binary_tokens = binary_confusions(st.tokens, entity_labels)
    label_units = binary_units(units, entity_labels)
    for lab in sorted(entity_labels):
        lab_exact, lab_overlap = exact_counts.one(lab), overlap_counts.one(lab)
        per_label[lab] = {
            "kind": "entity",
            "a": lab_exact["a"],
            "b": lab_exact["b"],
            "entity_f1_exact": lab_exact["f1"],
            "entity_f1_overlap": lab_overlap["f1"],
            "token_kappa": cohen_kappa(binary_tokens[lab]),
            "krippendorff_alpha": krippendorff_alpha_nominal(label_units[lab]),
            "exact": lab_exact,
            "overlap": lab_overlap,
        }
    for lab in sorted(st.triggers.keys() | st.args_by_type.keys()):
        tr, ar = st.triggers.one(lab), st.args_by_type.one(lab)
        per_label[lab if lab not in per_label else f"{lab} (event)"] = {
            "kind": "event",
            "a": tr["a"],
            "b": tr["b"],
            "trigger_f1": tr["f1"],
            "argument_f1": ar["f1"],
            "trigger": tr,
            "argument": ar,
        }
    if claims["a"] or claims["b"]:
        per_label[CLAIM_LABEL] = {
            "kind": "claim",
            "a": claims["a"],
            "b": claims["b"],
            "claim_f1_exact": claims["f1"],
            "claim_f1_overlap": claims_overlap["f1"],
            "claimant_agreement": ratio(claimant_agree, len(st.claimant)),
        }
    report = {
        "a": a,
        "b": b,
        "documents": st.documents,
        "documents_only_a": st.only_a,
        "documents_only_b": st.only_b,
        "tokens": sum(st.tokens.values()),
        "entity_f1_exact": exact["f1"],
        "entity_f1_overlap": overlap["f1"],
        "token_kappa": cohen_kappa(st.tokens),
        "krippendorff_alpha": krippendorff_alpha_nominal(units),
        "trigger_f1": triggers["f1"],
        "argument_f1": args["f1"],
        "claim_f1_exact": claims["f1"],
        "claim_f1_overlap": claims_overlap["f1"],
        "claimant_agreement": ratio(claimant_agree, len(st.claimant)),
        "claim_attribute_agreement": {k: v["percent"] for k, v in attributes.items()},
        "claim_attribute_kappa": {k: v["kappa"] for k, v in attributes.items()},
        "entities": {"exact": exact, "overlap": overlap},
        "events": {
            "trigger": triggers,
            "argument": args,
            "per_role": {r: st.args_by_role.one(r) for r in sorted(st.args_by_role.keys())},
        },
        "claims": {
            "exact": claims,
            "overlap": claims_overlap,
            "claimant": {"agree": claimant_agree, "pairs": len(st.claimant)},
            "attributes": attributes,
        },
        "per_label": per_label,
        "kb_links": {
            "agreement": ratio(st.kb_links[0], st.kb_links[1]),
            "agree": st.kb_links[0],
            "pairs": st.kb_links[1],
            "unlinked_both": exact["matched"] - st.kb_links[1],
        },
    }
    report.update(pair_coref(corpus.coref, a, b, documents))
    return report, st.per_doc


@collector_paused()
def compute(corpus: Corpus, label: str | None = None, documents: str = "shared") -> dict[str, Any]:
    """The full agreement report (see ``docs/agreement.md`` for every key)."""
    if documents not in DOCUMENT_MODES:
        raise AgreementError(f"documents must be one of {', '.join(DOCUMENT_MODES)}, not {documents!r}")
    names = corpus.annotators
    if len(names) < 2:
        raise TooFewAnnotators(names, names)
    pairs = []
    disagreement: Counter = Counter()
    for a, b in combinations(names, 2):
        report, per_doc = _pair_report(corpus, a, b, label, documents)
        pairs.append(report)
        disagreement.update(per_doc)
    units = token_alpha_units(corpus, names, label, documents)
    corpus.forget_chunks()  # every document's pieces are counted: the tokenizer's memo is not needed now
    labels = {lab for v in units for c in v for lab in labels_of(c)}
    ranked = sorted(disagreement.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "annotators": list(names),
        "label": label,
        "documents_mode": documents,
        "documents": len(corpus.docs),
        "pairs": pairs,
        "krippendorff_alpha": alpha_report(units, labels),
        "disagreement": [{"doc_id": d, "title": corpus.titles.get(d, ""), "disagreements": n} for d, n in ranked if n],
    }


@collector_paused()
def agreement(
    project: Project,
    annotators: Sequence[str] | None = None,
    label: str | None = None,
    documents: str = "shared",
) -> dict[str, Any]:
    """Agreement between ``annotators`` (default: every annotator but gold); with
    ``doc_labels``, the agreement on document labels per category
    (:mod:`annotator.core.agreement.doclabels`; not with a ``label``, which picks span labels)."""
    from annotator.core.agreement.doclabels import doc_label_agreement

    corpus = load_corpus(project, annotators)
    report = compute(corpus, label=label, documents=documents)
    if label is None and project.schema.categories:
        report["doc_labels"] = doc_label_agreement(
            project.doc_label_rows(annotators=corpus.annotators), project.schema, corpus.annotators
        )
    return report


@collector_paused()
def coref_agreement(project: Project, annotators: Sequence[str] | None = None, documents: str = "shared") -> dict[str, Any]:
    """Coreference agreement only (MUC, B³, CEAF-e, CoNLL) between every pair of
    ``annotators`` (default: everyone who made a cluster, but gold): what
    :func:`agreement` reports under ``coref_*``, without reading the annotations
    for the other metrics (each cluster's spans come in one row)."""
    if documents not in DOCUMENT_MODES:
        raise AgreementError(f"documents must be one of {', '.join(DOCUMENT_MODES)}, not {documents!r}")
    known = project.annotators(include_gold=True)
    names = list(annotators) if annotators else [n for n in project.annotators() if n in known]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise AgreementError(f"unknown annotator(s): {', '.join(unknown)} (the project has: {', '.join(known) or 'none'})")
    if len(set(names)) != len(names):
        raise AgreementError("an annotator is named twice")
    coref = load_coref(project, names)
    if not annotators:
        names = sorted({n for by in coref.values() for n in by})
    if len(names) < 2:
        raise TooFewAnnotators(names, names)
    pairs = [{"a": a, "b": b, **pair_coref(coref, a, b, documents)} for a, b in combinations(names, 2)]
    return {"annotators": names, "documents_mode": documents, "documents": len(coref), "pairs": pairs}


@collector_paused()
def pair_disagreement(
    corpus: Corpus, a: str, b: str, label: str | None = None, documents: str = "shared"
) -> list[dict[str, Any]]:
    """Documents ranked by how much ``a`` and ``b`` disagree (on ``label``, or all)."""
    _report, per_doc = _pair_report(corpus, a, b, label, documents)
    ranked = sorted(((d, n) for d, n in per_doc.items() if n), key=lambda kv: (-kv[1], kv[0]))
    return [{"doc_id": d, "title": corpus.titles.get(d, ""), "disagreements": n} for d, n in ranked]


def document_disagreement(report: dict[str, Any]) -> dict[str, int]:
    """doc id -> number of disagreements summed over annotator pairs."""
    return {row["doc_id"]: row["disagreements"] for row in report["disagreement"]}


# ---------------------------------------------------------------------------
# Text output
# ---------------------------------------------------------------------------
def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def format_report(report: dict[str, Any]) -> str:
    """A plain-text rendering of :func:`compute`'s report for the terminal."""
    lines = [
        f"annotators: {', '.join(report['annotators'])}"
        + (f"   label: {report['label']}" if report["label"] else "")
        + f"   documents: {report['documents_mode']}",
    ]
    ka = report["krippendorff_alpha"]
    lines.append(f"Krippendorff's alpha (tokens, nominal, all annotators): {_fmt(ka['alpha'])} over {ka['tokens']} tokens")
    for p in report["pairs"]:
        lines.append("")
        lines.append(
            f"{p['a']} vs {p['b']}: {p['documents']} documents"
            f" (only {p['a']}: {p['documents_only_a']}, only {p['b']}: {p['documents_only_b']}), {p['tokens']} tokens"
        )
        lines.append(
            f"  entities  F1 exact {_fmt(p['entity_f1_exact'])}  F1 overlap {_fmt(p['entity_f1_overlap'])}"
            f"  token kappa {_fmt(p['token_kappa'])}  alpha {_fmt(p['krippendorff_alpha'])}"
        )
        lines.append(f"  events    trigger F1 {_fmt(p['trigger_f1'])}  argument F1 {_fmt(p['argument_f1'])}")
        lines.append(
            f"  claims    span F1 {_fmt(p['claim_f1_exact'])}  claimant {_fmt(p['claimant_agreement'])}"
            + "".join(
                f"  {k} {_fmt(v)}/κ {_fmt(p['claim_attribute_kappa'][k])}" for k, v in p["claim_attribute_agreement"].items()
            )
        )
        kb = p.get("kb_links")
        if kb and kb["pairs"]:
            lines.append(f"  kb links  {_fmt(kb['agreement'])} of {kb['pairs']} matched entities with a link agree")
        if p.get("coref", {}).get("documents"):
            lines.append(
                f"  coref     MUC F1 {_fmt(p['coref_muc']['f1'])}  B³ F1 {_fmt(p['coref_b3']['f1'])}"
                f"  CEAF-e F1 {_fmt(p['coref_ceafe']['f1'])}  CoNLL F1 {_fmt(p['coref_conll']['f1'])}"
                f"  ({p['coref']['documents']} documents with clusters)"
            )
        if p["per_label"]:
            lines.append(f"  {'label':<18} {'kind':<7} {p['a'][:8]:>8} {p['b'][:8]:>8}  {'F1':>6} {'F1~':>6} {'kappa':>6}")
            for lab, row in p["per_label"].items():
                if row["kind"] == "entity":
                    f1, f1o, k = row["entity_f1_exact"], row["entity_f1_overlap"], row["token_kappa"]
                elif row["kind"] == "event":
                    f1, f1o, k = row["trigger_f1"], row["argument_f1"], None
                else:
                    f1, f1o, k = row["claim_f1_exact"], row["claim_f1_overlap"], None
                lines.append(
                    f"  {lab[:18]:<18} {row['kind']:<7} {row['a']:>8} {row['b']:>8}  {_fmt(f1):>6} {_fmt(f1o):>6} {_fmt(k):>6}"
                )
    if report.get("doc_labels"):
        from annotator.core.agreement.doclabels import format_doc_labels

        lines += format_doc_labels(report["doc_labels"])
    return "\n".join(lines)
