"""Prodigy / spaCy-style span annotations in JSON lines (``ner_manual``, ``spans_manual``, ``relations``).

::

    {"text": "Apple hired Tim Cook.", "meta": {"id": "doc-1"},
     "tokens": [{"text": "Apple", "start": 0, "end": 5, "id": 0, "ws": true}, ...],
     "spans": [{"start": 12, "end": 20, "token_start": 2, "token_end": 3, "label": "PERSON"}],
     "relations": [{"head": 0, "child": 3, "head_span": {...}, "child_span": {...}, "label": "EMPLOYER"}],
     "answer": "accept", "_annotator_id": "news-alice"}

``start``/``end`` are character offsets (code points, end-exclusive).  In
Prodigy's tokens ``token_end`` is INCLUSIVE: the span above covers tokens 2 and
3.  When tokens are given, a span's characters must agree with its tokens;
a span without ``start``/``end`` takes them from its tokens.  Relations become
relation annotations between the spans they name (a span that only a relation
mentions becomes an entity too).  A span may say ``"kind": "event"`` or
``"claim"`` (our ``spans`` export does for triggers and claims) and carry
``"attributes"``; without ``kind`` it is an entity.  A relation whose head is
an event span becomes an argument of that event (its label is the role), and
a ``claimant`` relation from a claim sets the claim's claimant.  ``meta`` and the other fields (``answer``,
``_input_hash``, ...) become metadata; ``meta.id`` is the external id; the
annotator is ``--annotator``, else ``_annotator_id``, else ``imported``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.core.models import Annotation, Argument
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
from annotator.formats.jsonl import check_label

__all__ = ["iter_prodigy", "read_prodigy", "is_prodigy"]

_KNOWN = ("text", "tokens", "spans", "relations")


def is_prodigy(record: dict[str, Any]) -> bool:
    """Whether a JSON record has Prodigy's shape (``tokens``, or spans with ``token_start``)."""
    if isinstance(record.get("tokens"), list):
        return True
    spans = record.get("spans")
    return isinstance(spans, list) and any(isinstance(s, dict) and "token_start" in s for s in spans)


class _Tokens:
    def __init__(self, tokens: Any, builder: TextBuilder):
        if tokens is None:
            tokens = []
        if not isinstance(tokens, list):
            raise builder.error('"tokens" must be a list')
        self.starts: list[Any] = []
        self.ends: list[Any] = []
        for i, tok in enumerate(tokens):
            if not isinstance(tok, dict):
                raise builder.error(f"token {i}: expected an object, found {tok!r:.60}")
            self.starts.append(tok.get("start"))
            self.ends.append(tok.get("end"))
        self.builder = builder

    def chars(self, span: dict[str, Any], what: str) -> tuple[Any, Any]:
        """The span's character offsets, checked against its tokens (``token_end`` inclusive)."""
        start, end = span.get("start"), span.get("end")
        if span.get("token_start") is None and span.get("token_end") is None:
            return start, end
        ts = self.index(span, "token_start", what)
        te = self.index(span, "token_end", what)
        if te < ts:
            raise self.builder.error(f"{what}: token_end {te} is before token_start {ts} (token_end is inclusive)")
        tok_start, tok_end = self.starts[ts], self.ends[te]
        if start is None and end is None:
            return tok_start, tok_end
        if (start, end) != (tok_start, tok_end):
            raise self.builder.error(
                f"{what}: characters [{start}, {end}) do not match tokens {ts}..{te} "
                f"(characters [{tok_start}, {tok_end}); token_end is inclusive)"
            )
        return start, end

    def index(self, span: dict[str, Any], key: str, what: str) -> int:
        """``span[key]``, checked to be the index of a token."""
        value, n = span.get(key), len(self.starts)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < n:
            raise self.builder.error(f"{what}: {key} {value!r} is not a token index (0..{n - 1})")
        return value


def _parse(record: dict[str, Any], file: str, line: int, annotator: str | None) -> Record:
    doc_name = record_name(record, "meta.id", "id")
    builder = TextBuilder(record_text(record, file, line, doc_name), file=file, line=line, doc_name=doc_name)
    meta = record.get("meta")
    if not isinstance(meta, dict):
        meta = {}
    doc = builder.document(
        external_id=plain_id(meta.get("id")) or plain_id(record.get("id")),
        source=Path(file).name,
        metadata=extra_metadata(record, _KNOWN, meta_keys=("meta",)),
    )
    who = annotator_name(annotator, record.get("_annotator_id"))
    tokens = _Tokens(record.get("tokens"), builder)
    spans = record.get("spans") or []
    relations = record.get("relations") or []
    if not isinstance(spans, list) or not isinstance(relations, list):
        raise builder.error('"spans" and "relations" must be lists')
    anns: list[Annotation] = []
    #: raw (start, end, label) -> annotation id, for relations
    by_span: dict[tuple[int, int, str], str] = {}

    def add_entity(span: Any, what: str) -> str:
        if not isinstance(span, dict):
            raise builder.error(f"{what}: expected an object, found {span!r:.60}")
        label = check_label(builder, span.get("label"), what)
        start, end = tokens.chars(span, what)
        a, b = builder.span(start, end, what, span.get("text"))
        kind = span.get("kind", "entity")
        if kind not in ("entity", "event", "claim"):
            raise builder.error(f'{what}: "kind" must be entity, event or claim, found {kind!r:.40}')
        attributes = span.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise builder.error(f'{what}: "attributes" must be an object')
        key = (start, end, label)
        if key not in by_span:
            ann = builder.annotation(doc.id, what, kind=kind, start=a, end=b, label=label, attributes=attributes, annotator=who)
            anns.append(ann)
            by_span[key] = ann.id
        return by_span[key]

    for i, span in enumerate(spans, start=1):
        label = span.get("label") if isinstance(span, dict) else None
        add_entity(span, f"span {i} ({label})" if isinstance(label, str) else f"span {i}")
    for i, rel in enumerate(relations, start=1):
        if not isinstance(rel, dict):
            raise builder.error(f"relation {i}: expected an object, found {rel!r:.60}")
        label = rel.get("label")
        what = f"relation {i} ({label})" if isinstance(label, str) else f"relation {i}"
        head = add_entity(rel.get("head_span"), f"{what} head_span")
        child = add_entity(rel.get("child_span"), f"{what} child_span")
        label = check_label(builder, label, what)
        at = next(k for k, x in enumerate(anns) if x.id == head)
        if anns[at].kind == "event":  # our export writes event arguments as relations
            args = [*anns[at].arguments, Argument(role=label, target=child)]
            anns[at] = anns[at].model_copy(update={"arguments": args})
        elif anns[at].kind == "claim" and label == "claimant":
            anns[at] = anns[at].model_copy(update={"claimant_ref": child})
        else:
            anns.append(builder.annotation(doc.id, what, kind="relation", head=head, tail=child, label=label, annotator=who))
    return Record(doc, anns, line, name=doc_name)


iter_prodigy, read_prodigy = json_reader(_parse, "Prodigy JSON-lines")
