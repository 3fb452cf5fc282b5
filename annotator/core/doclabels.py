"""Document labels (issue 14): the labels a whole document gets from an annotator,
grouped by the schema's categories (:class:`~annotator.core.schema.DocCategory`).

Stored one row per (document, annotator, category, label)
(:class:`DocLabelRow`, table ``doc_labels``, migration ``m008_doc_labels``); a
single-choice category holds at most one label per document and annotator.  The
shape every reader and writer uses for one document and annotator is
:data:`DocLabels`, ``{category: [labels]}`` in schema order.  No SQL and no
pydantic here: the store reads and writes the rows, the commands change them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from annotator.core.schema import LabelSchema

__all__ = ["DocLabelRow", "DocLabels", "DOC_LABEL_COLUMNS", "grouped", "by_document", "ordered", "check_doc_labels"]

#: ``{category: [labels]}``: one annotator's document labels of one document.
DocLabels = dict[str, list[str]]


class DocLabelRow(NamedTuple):
    """One stored document label."""

    doc_id: str
    annotator: str
    category: str
    label: str
    #: Where it came from: "manual", "import", "merge", "review" (as annotations' ``source``).
    source: str
    #: When it was set (ISO time).
    time: str


DOC_LABEL_COLUMNS = DocLabelRow._fields


def grouped(rows: Iterable[DocLabelRow], schema: LabelSchema | None = None) -> DocLabels:
    """``{category: [labels]}`` of rows (of one document and annotator), ordered as
    the schema orders them (categories and labels the schema lacks come after,
    by name)."""
    out: DocLabels = {}
    for r in rows:
        out.setdefault(r.category, []).append(r.label)
    return ordered(out, schema)


def by_document(rows: Iterable[DocLabelRow], schema: LabelSchema | None = None) -> dict[str, dict[str, DocLabels]]:
    """``{doc_id: {annotator: {category: [labels]}}}`` of rows."""
    raw: dict[str, dict[str, list[DocLabelRow]]] = {}
    for r in rows:
        raw.setdefault(r.doc_id, {}).setdefault(r.annotator, []).append(r)
    return {d: {a: grouped(rs, schema) for a, rs in per.items()} for d, per in raw.items()}


def ordered(labels: Mapping[str, Iterable[str]], schema: LabelSchema | None = None) -> DocLabels:
    """A copy of ``labels`` in schema order, empty categories left out."""
    cat_rank: dict[str, int] = {}
    label_rank: dict[tuple[str, str], int] = {}
    if schema is not None:
        for i, c in enumerate(schema.categories):
            cat_rank[c.name] = i
            for j, lab in enumerate(c.labels):
                label_rank[(c.name, lab.name)] = j
    big = 1 << 30
    out: DocLabels = {}
    for cat in sorted(labels, key=lambda c: (cat_rank.get(c, big), c)):
        labs = sorted(set(labels[cat]), key=lambda lab: (label_rank.get((cat, lab), big), lab))
        if labs:
            out[cat] = labs
    return out


def check_doc_labels(value: Any, schema: LabelSchema) -> tuple[DocLabels, list[str]]:
    """Validate document labels read from a file (``{category: [labels]}``, a
    single label may be a string) against ``schema``: the labels kept, and one
    message per problem (unknown category or label, several labels in a
    single-choice category, wrong types)."""
    problems: list[str] = []
    if not isinstance(value, dict):
        return {}, [f"doc_labels must be an object {{category: [labels]}}, not {type(value).__name__}"]
    out: DocLabels = {}
    for cat_name, labels in value.items():
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            problems.append(f"doc_labels[{cat_name!r}] must be a list of label names")
            continue
        cat = schema.category(cat_name)
        if cat is None:
            known = ", ".join(c.name for c in schema.categories) or "none"
            problems.append(f"doc_labels: unknown document category {cat_name!r} (the schema's: {known})")
            continue
        good: list[str] = []
        for lab in labels:
            if cat.label(lab) is None:
                problems.append(
                    f"doc_labels[{cat_name!r}]: unknown label {lab!r} (the category's: {', '.join(x.name for x in cat.labels)})"
                )
            elif lab not in good:
                good.append(lab)
        if not cat.multi and len(good) > 1:
            problems.append(f"doc_labels[{cat_name!r}]: a single-choice category, but {len(good)} labels: {', '.join(good)}")
            continue
        if good:
            out[cat_name] = good
    return ordered(out, schema), problems
