"""doccano JSON lines: sequence labelling, entities with relations, intent detection, old exports.

Every shape doccano has written (one document per line, or one JSON array)::

    {"id": 1, "text": "EU rejects German call ...", "label": [[0, 2, "ORG"], [11, 17, "MISC"]]}
    {"text": "...", "labels": [[0, 2, "ORG"]]}                       (doccano 1.x)
    {"id": 1, "text": "...", "entities": [{"id": 0, "label": "ORG", "start_offset": 0, "end_offset": 6}],
     "relations": [{"id": 0, "from_id": 0, "to_id": 1, "type": "foundedAt"}]}
    {"text": "Find a flight to Tacoma", "entities": [[17, 23, "City"]], "cats": ["flight"]}
    {"text": "...", "annotations": [{"label": 3, "start_offset": 0, "end_offset": 5, "user": 1}]}  (doccano 1.0 JSON)

Spans are ``[start, end, label]`` lists or objects with ``start_offset`` and
``end_offset`` (or ``start``/``end``) under ``label``, ``labels``, ``entities``
or ``annotations``.  A list of plain strings under ``label``/``labels``, and
``cats``, are document categories: the project has no document labels yet,
so they stay in the document's metadata under their key (the import says so).
Labels given as numbers (doccano's label ids) need a label map
(``--label-map FILE``, a JSON object ``{"3": "PERSON"}``); without one the
record is refused with a message saying so.

Offsets: doccano's browser counts UTF-16 units, and its "grapheme" projects
count a CRLF as one; the unit is the user's choice or detected
(:mod:`annotator.formats.offsets`).  The annotator is ``--annotator``, else an
annotation's ``user`` (``user 1``), else ``meta.annotator`` (our export
writes it), else the file's name: doccano exports a
project one file per user (``alice.jsonl``, ``bob.jsonl``), and each becomes
that user's layer (``all.jsonl``, its collaborative export, is ``imported``).
``id`` becomes the external id; other fields (``Comments``, ``meta``, ...) become
metadata.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.core.models import Annotation
from annotator.formats import (
    DEFAULT_ANNOTATOR,
    ReaderState,
    Record,
    TextBuilder,
    extra_metadata,
    json_reader,
    plain_id,
    record_name,
    record_text,
)
from annotator.formats.jsonl import check_label

__all__ = ["iter_doccano", "read_doccano", "is_doccano", "doccano_record", "DoccanoWriter"]

_SPAN_KEYS = ("label", "labels", "entities", "annotations")
_KNOWN = ("id", "text", *_SPAN_KEYS, "relations")
#: Keys whose list of strings are document categories.
_CATEGORY_KEYS = ("label", "labels", "cats")


def is_doccano(record: dict[str, Any]) -> bool:
    """Whether a JSON record has doccano's shape (spans under ``label``/``labels``, ``entities`` with
    ``start_offset``, old ``annotations`` with ``start_offset``, or ``cats``)."""
    for key in ("label", "labels"):
        value = record.get(key)
        if isinstance(value, list) and all(
            isinstance(x, (list, str)) or (isinstance(x, dict) and "start_offset" in x) for x in value
        ):
            return True
    for key in ("entities", "annotations"):
        value = record.get(key)
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list) and any(isinstance(e, dict) and "start_offset" in e for e in value):
            return True
    entities = record.get("entities")
    if isinstance(entities, list) and entities and all(isinstance(e, list) for e in entities):
        return True
    return isinstance(record.get("cats"), list) and "text" in record


def _file_annotator(file: str) -> str:
    """doccano's per-user export files are named after the user; ``all`` is the collaborative one."""
    stem = Path(file).stem.strip()
    return stem if stem and stem.lower() != "all" else DEFAULT_ANNOTATOR


class _Span:
    __slots__ = ("start", "end", "label", "text", "what", "ident", "user")

    def __init__(self, start: Any, end: Any, label: Any, text: Any, what: str, ident: Any = None, user: Any = None):
        self.start, self.end, self.label, self.text = start, end, label, text
        self.what, self.ident, self.user = what, ident, user


def _label(builder: TextBuilder, label: Any, what: str, state: ReaderState) -> str:
    """A label name: strings as they are, label ids through the label map."""
    if isinstance(label, int) and not isinstance(label, bool):
        labels = state.options.label_map
        if labels is None:
            raise builder.error(
                f"{what}: the label is a number ({label}), a doccano label id; give the names with "
                '--label-map FILE (a JSON object of ids and names, e.g. {"1": "PERSON", "2": "ORG"})'
            )
        name = labels.get(str(label))
        if name is None:
            raise builder.error(f"{what}: label id {label} is not in {state.options.label_map_name}")
        return name
    return check_label(builder, label, what)


def _spans_of(record: dict[str, Any], builder: TextBuilder, metadata: dict[str, Any], notes: list[str]) -> list[_Span]:
    """Every span of the record, whichever key holds it; categories go to ``metadata``."""
    out: list[_Span] = []
    for key in _SPAN_KEYS:
        items = record.get(key)
        if items is None:
            continue
        if key in ("entities", "annotations") and isinstance(items, dict):
            items = list(items.values())  # entities keyed by id
        if not isinstance(items, list):
            raise builder.error(f'"{key}" must be a list of spans, found {items!r:.60}')
        if key in _CATEGORY_KEYS and items and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in items):
            metadata[key] = items
            _category_note(key, notes)
            continue
        categories = []
        for i, item in enumerate(items, start=1):
            what = f"{key} {i}"
            if isinstance(item, list):
                if len(item) != 3:
                    raise builder.error(f"{what}: expected [start, end, label], found {item!r:.60}")
                out.append(_Span(item[0], item[1], item[2], None, what))
            elif isinstance(item, dict):
                start = item.get("start_offset", item.get("start"))
                end = item.get("end_offset", item.get("end"))
                if start is None and end is None and key == "annotations" and "label" in item:
                    categories.append(item)  # a document classification annotation
                    continue
                out.append(_Span(start, end, item.get("label"), item.get("text"), what, item.get("id"), item.get("user")))
            else:
                raise builder.error(f"{what}: expected [start, end, label] or an object, found {item!r:.60}")
        if categories:
            metadata["annotations"] = categories
            _category_note("annotations", notes)
    return out


def _category_note(key: str, notes: list[str]) -> None:
    notes.append(f'document categories ("{key}") kept in the document\'s metadata: the project has no document labels yet')


def _parse(record: dict[str, Any], file: str, line: int, annotator: str | None, state: ReaderState) -> Record:
    doc_name = record_name(record)
    field = "text" if "text" in record or "data" not in record else "data"
    builder = TextBuilder(record_text(record, file, line, doc_name, field), file=file, line=line, doc_name=doc_name)
    metadata = extra_metadata(record, (*_KNOWN, field))
    notes: list[str] = []
    spans = _spans_of(record, builder, metadata, notes)
    if isinstance(record.get("cats"), list) and record["cats"]:
        _category_note("cats", notes)  # kept in the metadata as an unknown key
    relations = record.get("relations") or []
    if isinstance(relations, dict):
        relations = list(relations.values())
    if not isinstance(relations, list):
        raise builder.error(f'"relations" must be a list, found {relations!r:.60}')
    for sp in spans:
        if isinstance(sp.label, str):
            sp.what += f" ({sp.label})"
    labels = [_label(builder, sp.label, sp.what, state) for sp in spans]
    where = builder.spans([(sp.start, sp.end, sp.text) for sp in spans], [sp.what for sp in spans], state.detector)
    doc = builder.document(external_id=plain_id(record.get("id")), source=Path(file).name, metadata=metadata)
    meta = record.get("meta")
    named = meta.get("annotator") if isinstance(meta, dict) else None  # our own export says whose it is
    default = annotator or (named.strip() if isinstance(named, str) and named.strip() else _file_annotator(file))
    anns: list[Annotation] = []
    by_id: dict[Any, str] = {}
    for sp, label, (a, b) in zip(spans, labels, where):
        who = annotator or (f"user {sp.user}" if plain_id(sp.user) is not None else default)
        ann = builder.entity(doc.id, sp.what, a, b, label, who)
        if sp.ident is not None and not isinstance(sp.ident, (dict, list)):
            if sp.ident in by_id:
                raise builder.error(f"{sp.what}: id {sp.ident!r} is used twice")
            by_id[sp.ident] = ann.id
        anns.append(ann)
    who_of = {a.id: a.annotator for a in anns}
    for i, rel in enumerate(relations, start=1):
        if not isinstance(rel, dict):
            raise builder.error(f"relation {i}: expected an object, found {rel!r:.60}")
        rel_label = rel.get("type", rel.get("label"))
        what = f"relation {i} ({rel_label})" if isinstance(rel_label, str) else f"relation {i}"
        ends = []
        for key in ("from_id", "to_id"):
            ref = rel.get(key)
            if isinstance(ref, (dict, list)) or ref not in by_id:
                raise builder.error(f"{what}: {key} {ref!r:.40} is not the id of an entity of this document")
            ends.append(by_id[ref])
        label = _label(builder, rel_label, what, state)
        who = annotator or (f"user {rel['user']}" if plain_id(rel.get("user")) is not None else who_of[ends[0]])
        anns.append(builder.annotation(doc.id, what, kind="relation", head=ends[0], tail=ends[1], label=label, annotator=who))
    cats = record.get("cats")
    if cats is not None and not isinstance(cats, (list, dict)):  # (spaCy's {name: score}: not read, as before)
        raise builder.error(f"cats: expected a list of category names, found {cats!r:.40}")
    flat = [x for x in cats if isinstance(x, str)] if isinstance(cats, list) else []
    return Record(
        doc,
        anns,
        line,
        name=doc_name,
        offsets=builder.offsets,
        notes=notes,
        cats=flat if len(flat) == len(cats or ()) else [],
        cats_annotator=default,
    )


iter_doccano, read_doccano = json_reader(_parse, "doccano JSON-lines", stateful=True)


# ---------------------------------------------------------------------------
# Writing (the ``doccano`` export format)
# ---------------------------------------------------------------------------
from annotator.formats.writing import ExportReport, JsonlWriter, Unit, unit_links  # noqa: E402


def doccano_record(
    unit: Unit, relations: bool, report: ExportReport | None = None, cats: list[str] | None = None
) -> dict[str, Any]:
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
    if cats:  # document labels (issue 14): doccano's "cats" (intent detection and slot filling)
        rec["cats"] = cats
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
        cats = [label for labels in self.ctx.doc_labels(unit).values() for label in labels]
        yield doccano_record(unit, self.relations, self.report, cats)
