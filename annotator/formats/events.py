"""Event extraction training data (ACE-style), one JSON object per document or sentence.

::

    {"id": "57094be73bc1fc03", "text": "...", "meta": {"id": "57094be73bc1fc03", ...},
     "entities": [{"id": "a1", "start": 28, "end": 33, "text": "China", "label": "GPE", "annotator": "alice"}],
     "events": [{"id": "e1", "type": "LicenceGrant",
                 "trigger": {"start": 38, "end": 45, "text": "granted"},
                 "arguments": [{"role": "Grantor", "id": "a1", "start": 28, "end": 33,
                                "text": "China", "label": "GPE"}],
                 "annotator": "alice"}],
     "relations": [{"id": "r1", "type": "affiliated_with", "head": "a7", "tail": "a4", "annotator": "alice"}]}

- Offsets are code points into the record's ``text`` (UTF-16 units with
  ``--offsets utf16``), end-exclusive; with ``--sentences`` the text is one
  sentence (sentences that an event's trigger and arguments, or a relation,
  span are joined) and ``meta.offset`` is where it starts in the document.
- ``arguments`` name their role and the filling annotation: its id, span, text
  and label (``kind`` too when it is not an entity: an event or a claim).  An
  argument whose annotation is in another layer is still exported (looked up
  by id) when it lies in the record's text; otherwise it is listed in the
  export report.
- Every annotation names its annotator, so several annotators' work can sit
  side by side (choose one with ``--annotator`` or ``--gold``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from annotator.core.models import Annotation, has_span
from annotator.formats.writing import JsonlWriter, Unit

__all__ = ["EventsWriter", "event_record"]


def _span(unit: Unit, a: Annotation) -> dict[str, Any]:
    start, end = a.bounds
    out: dict[str, Any] = {"start": unit.pos(start), "end": unit.pos(end)}
    if a.fragments is not None:  # a discontinuous span: its pieces; text is theirs joined by a space
        out["fragments"] = [[unit.pos(s), unit.pos(e)] for s, e in a.fragments]
    out["text"] = a.text_in(unit.text)
    return out


class EventsWriter(JsonlWriter):
    """The ``events`` format."""

    def records(self, unit: Unit) -> Iterable[dict[str, Any]]:
        yield event_record(self, unit)


def event_record(writer: EventsWriter, unit: Unit) -> dict[str, Any]:
    """The record of one unit: its entities, events with arguments, and relations."""
    ctx, report = writer.ctx, writer.report
    entities, events, relations = [], [], []
    for a in unit.annotations:
        if a.kind == "entity":
            rec = {"id": a.id, **_span(unit, a), "label": a.label, "annotator": a.annotator}
            if a.attributes:
                rec["attributes"] = a.attributes
            entities.append(rec)
        elif a.kind == "event":
            args = []
            for arg in a.arguments:
                target = ctx.resolve(unit, arg.target)
                if target is None:
                    report.problem(
                        "links", unit.problem(a, f"argument {arg.role!r}: annotation {arg.target} is not in this record")
                    )
                    continue
                if not has_span(target):
                    report.problem(
                        "links", unit.problem(a, f"argument {arg.role!r}: annotation {arg.target} is a {target.kind}, not a span")
                    )
                    continue
                item = {"role": arg.role, "id": target.id, **_span(unit, target), "label": target.label}
                if target.kind != "entity":
                    item["kind"] = target.kind
                if arg.target in unit.actors:
                    item["actor"] = unit.actors[arg.target].to_dict()
                args.append(item)
            rec = {"id": a.id, "type": a.label, "trigger": _span(unit, a), "arguments": args, "annotator": a.annotator}
            if a.attributes:
                rec["attributes"] = a.attributes
            events.append(rec)
        elif a.kind == "relation":
            ends = [ctx.resolve(unit, ref or "") for ref in (a.head, a.tail)]
            if any(e is None for e in ends):
                report.problem("links", unit.problem(a, "an end of the relation is not in this record"))
                continue
            relations.append({"id": a.id, "type": a.label, "head": a.head, "tail": a.tail, "annotator": a.annotator})
    return {
        "id": unit.record_id,
        "text": unit.text,
        "meta": unit.meta(),
        "entities": entities,
        "events": events,
        "relations": relations,
    }
