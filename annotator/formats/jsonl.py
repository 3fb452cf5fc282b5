"""Generic JSON lines: one document per line, with optional entity spans.

```json
{"id": "batch-1", "title": "Airbus delay", "text": "...", "meta": {"lang": "en"},
 "spans": [{"start": 14, "end": 20, "label": "ORG"}]}
```

``text`` is required.  ``id`` becomes the document's external id; ``title`` is
optional (else the first line of the text); ``meta`` or ``metadata`` (and any
other top-level key) become metadata.  ``spans`` are entity pre-annotations,
each ``{"start", "end", "label"}`` (optionally ``"text"``, which must then match)
or ``[start, end, label]``, in code points of ``text``, end-exclusive.  An
``annotator`` field names who made them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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

__all__ = ["iter_jsonl", "read_jsonl", "parse_span"]

_KNOWN = ("id", "title", "text", "spans", "annotator")


def parse_span(item: Any, index: int) -> tuple[Any, Any, Any, Any]:
    """``(start, end, label, text)`` of a span given as an object or as ``[start, end, label]``;
    raises ValueError with a message for anything else."""
    if isinstance(item, dict):
        return item.get("start"), item.get("end"), item.get("label"), item.get("text")
    if isinstance(item, list) and len(item) == 3:
        return item[0], item[1], item[2], None
    raise ValueError(f'span {index}: expected {{"start", "end", "label"}} or [start, end, label], found {item!r:.60}')


def check_label(builder: TextBuilder, label: Any, what: str) -> str:
    if not isinstance(label, str) or not label.strip():
        raise builder.error(f"{what}: needs a label (a non-empty string), found {label!r:.40}")
    return label


def _parse(record: dict[str, Any], file: str, line: int, annotator: str | None) -> Record:
    doc_name = record_name(record)
    builder = TextBuilder(record_text(record, file, line, doc_name), file=file, line=line, doc_name=doc_name)
    title = record.get("title")
    doc = builder.document(
        external_id=plain_id(record.get("id")),
        title=title if isinstance(title, str) else "",
        source=Path(file).name,
        metadata=extra_metadata(record, _KNOWN),
    )
    who = annotator_name(annotator, record.get("annotator"))
    spans = record.get("spans") or []
    if not isinstance(spans, list):
        raise builder.error(f'"spans" must be a list, found {type(spans).__name__}')
    anns = []
    for i, item in enumerate(spans, start=1):
        try:
            start, end, label, text = parse_span(item, i)
        except ValueError as err:
            raise builder.error(str(err)) from None
        what = f"span {i} ({label})" if isinstance(label, str) else f"span {i}"
        label = check_label(builder, label, what)
        a, b = builder.span(start, end, what, text)
        anns.append(builder.entity(doc.id, what, a, b, label, who))
    return Record(doc, anns, line, name=doc_name)


iter_jsonl, read_jsonl = json_reader(_parse, "generic JSON-lines")
