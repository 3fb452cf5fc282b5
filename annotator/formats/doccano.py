"""doccano JSON lines (sequence labelling, and entities with relations).

Sequence labelling (one document per line)::

    {"id": 1, "text": "EU rejects German call ...", "label": [[0, 2, "ORG"], [11, 17, "MISC"]]}

Entities and relations::

    {"id": 1, "text": "...", "entities": [{"id": 0, "label": "ORG", "start_offset": 0, "end_offset": 6}],
     "relations": [{"id": 0, "from_id": 0, "to_id": 1, "type": "foundedAt"}]}

Offsets are read as code points of ``text``, end-exclusive.  (doccano's web
interface counts UTF-16 units, so files made there with characters outside
the Basic Multilingual Plane, such as emoji, have shifted offsets after them;
such spans are refused when they run past the text.)  A ``label`` list of
plain strings (text classification) is kept as the document's ``label``
metadata.  ``id`` becomes the external id; other fields (``Comments``, ``meta``,
...) become metadata.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.core.models import Annotation
from annotator.formats import (
    Record,
    TextBuilder,
    annotator_name,
    extra_metadata,
    json_reader,
    plain_id,
    record_name,
    record_text,
)
from annotator.formats.jsonl import check_label, parse_span

__all__ = ["iter_doccano", "read_doccano", "is_doccano", "doccano_record", "DoccanoWriter"]

_KNOWN = ("id", "text", "label", "entities", "relations")


def is_doccano(record: dict[str, Any]) -> bool:
    """Whether a JSON record has doccano's shape (``label`` spans or ``entities`` with ``start_offset``)."""
    label = record.get("label")
    if isinstance(label, list) and all(isinstance(x, (list, str)) for x in label):
        return True
    entities = record.get("entities")
    return isinstance(entities, list) and any(isinstance(e, dict) and "start_offset" in e for e in entities)


def _parse(record: dict[str, Any], file: str, line: int, annotator: str | None) -> Record:
    doc_name = record_name(record)
    field = "text" if "text" in record or "data" not in record else "data"
    builder = TextBuilder(record_text(record, file, line, doc_name, field), file=file, line=line, doc_name=doc_name)
    metadata = extra_metadata(record, _KNOWN + (field,))
    labels = record.get("label")
    spans: list[Any] = []
    if isinstance(labels, list):
        if labels and all(isinstance(x, str) for x in labels):
            metadata["label"] = labels  # document categories, not spans
        else:
            spans = labels
    elif labels is not None:
        raise builder.error(f'"label" must be a list of [start, end, label], found {labels!r:.60}')
    doc = builder.document(external_id=plain_id(record.get("id")), source=Path(file).name, metadata=metadata)
    who = annotator_name(annotator)
    anns: list[Annotation] = []
    for i, item in enumerate(spans, start=1):
        try:
            start, end, label, text = parse_span(item, i)
        except ValueError as err:
            raise builder.error(str(err)) from None
        what = f"label {i} ({label})" if isinstance(label, str) else f"label {i}"
        a, b = builder.span(start, end, what, text)
        anns.append(
            builder.annotation(
                doc.id, what, kind="entity", start=a, end=b, label=check_label(builder, label, what), annotator=who
            )
        )
    anns += _entities_and_relations(record, builder, doc.id, who)
    return Record(doc, anns, line, name=doc_name)


def _entities_and_relations(record: dict[str, Any], builder: TextBuilder, doc_id: str, who: str) -> list[Annotation]:
    entities = record.get("entities") or []
    relations = record.get("relations") or []
    if not isinstance(entities, list) or not isinstance(relations, list):
        raise builder.error('"entities" and "relations" must be lists')
    out: list[Annotation] = []
    by_id: dict[Any, str] = {}
    for i, ent in enumerate(entities, start=1):
        if not isinstance(ent, dict):
            raise builder.error(f"entity {i}: expected an object, found {ent!r:.60}")
        label = ent.get("label")
        what = f"entity {i} ({label})" if isinstance(label, str) else f"entity {i}"
        a, b = builder.span(ent.get("start_offset"), ent.get("end_offset"), what)
        ann = builder.annotation(
            doc_id, what, kind="entity", start=a, end=b, label=check_label(builder, label, what), annotator=who
        )
        if "id" in ent:
            if ent["id"] in by_id:
                raise builder.error(f"{what}: id {ent['id']!r} is used twice")
            by_id[ent["id"]] = ann.id
        out.append(ann)
    for i, rel in enumerate(relations, start=1):
        if not isinstance(rel, dict):
            raise builder.error(f"relation {i}: expected an object, found {rel!r:.60}")
        label = rel.get("type", rel.get("label"))
        what = f"relation {i} ({label})" if isinstance(label, str) else f"relation {i}"
        ends = []
        for key in ("from_id", "to_id"):
            ref = rel.get(key)
            if ref not in by_id:
                raise builder.error(f"{what}: {key} {ref!r} is not the id of an entity of this document")
            ends.append(by_id[ref])
        out.append(
            builder.annotation(
                doc_id, what, kind="relation", head=ends[0], tail=ends[1], label=check_label(builder, label, what), annotator=who
            )
        )
    return out


iter_doccano, read_doccano = json_reader(_parse, "doccano JSON-lines")


# ---------------------------------------------------------------------------
# Writing (the ``doccano`` export format)
# ---------------------------------------------------------------------------
from annotator.formats.writing import ExportReport, JsonlWriter, Unit, unit_links  # noqa: E402


def doccano_record(unit: Unit, relations: bool, report: ExportReport | None = None) -> dict[str, Any]:
    """One export record in doccano's shape.

    Without ``relations``: sequence labelling, ``{"id", "text", "label": [[start,
    end, label], ...], "meta"}``.  With ``relations``: ``{"id", "text",
    "entities": [{"id", "label", "start_offset", "end_offset"}], "relations":
    [{"id", "from_id", "to_id", "type"}], "meta"}``; entity ids are numbers
    within the record.  Offsets are code points, or UTF-16 units when the export
    asks (doccano's web interface counts UTF-16).  Span attributes (doccano has
    no place for them) and, in the sequence shape, links are listed in ``report``.
    """
    spans = unit.spans
    rec: dict[str, Any] = {"id": unit.record_id, "text": unit.text}
    if relations:
        number = {a.id: i for i, a in enumerate(spans)}
        rec["entities"] = [
            {"id": number[a.id], "label": a.label, "start_offset": unit.pos(a.start), "end_offset": unit.pos(a.end)}
            for a in spans
        ]
        rec["relations"] = [
            {"id": i, "from_id": number[link.head.id], "to_id": number[link.tail.id], "type": link.label}
            for i, link in enumerate(unit_links(unit, report))
        ]
    else:
        rec["label"] = [[unit.pos(a.start), unit.pos(a.end), a.label] for a in spans]
        if report is not None:
            for link in unit_links(unit, report):
                report.problem(
                    "not_exported", unit.problem(link.source, f"{link.kind} {link.label!r}: no relations in this file")
                )
    if report is not None:
        for a in spans:
            if a.attributes:
                report.problem(
                    "not_exported",
                    unit.problem(a, f"attributes {', '.join(sorted(a.attributes))}: doccano spans have no attributes"),
                )
    rec["meta"] = unit.meta()
    return rec


class DoccanoWriter(JsonlWriter):
    """The ``doccano`` export: sequence labelling, or entities and relations when
    any exported document has a relation, event argument or claimant link (one
    shape per file, as a doccano project has one type)."""

    def __init__(self, ctx: Any):
        super().__init__(ctx)
        self.relations = ctx.links_possible()

    def records(self, unit: Unit) -> Any:
        yield doccano_record(unit, self.relations, self.report)
