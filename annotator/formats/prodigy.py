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
    ReaderState,
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


def _parse(record: dict[str, Any], file: str, line: int, annotator: str | None, state: ReaderState) -> Record:
    doc_name = record_name(record, "meta.id", "id")
    builder = TextBuilder(record_text(record, file, line, doc_name), file=file, line=line, doc_name=doc_name)
    meta = record.get("meta")
    if not isinstance(meta, dict):
        meta = {}
    answer = record.get("answer", "accept")
    accepted = answer == "accept"
    metadata = extra_metadata(record, _KNOWN if accepted else ("text", "tokens"), meta_keys=("meta",))
    doc = builder.document(
        external_id=plain_id(meta.get("id")) or plain_id(record.get("id")),
        source=Path(file).name,
        metadata=metadata,
    )
    if not accepted:
        # a rejected or ignored answer is not an annotation: its spans stay in the metadata
        what = f"{answer!r:.40}" if isinstance(answer, str) else "neither accept, reject nor ignore"
        note = f"records answered {what}: their spans are not annotations (kept in the documents' metadata)"
        return Record(doc, [], line, name=doc_name, notes=[note], answer=answer if isinstance(answer, str) else repr(answer))
    who = annotator_name(annotator, record.get("_annotator_id"))
    tokens = _Tokens(record.get("tokens"), builder)
    spans = record.get("spans") or []
    relations = record.get("relations") or []
    if not isinstance(spans, list) or not isinstance(relations, list):
        raise builder.error('"spans" and "relations" must be lists')
    #: raw (start, end, label) -> (span, name), in the order first met
    found: dict[tuple[Any, Any, str], tuple[dict[str, Any], str]] = {}

    def key_of(span: Any, what: str) -> tuple[Any, Any, str]:
        if not isinstance(span, dict):
            raise builder.error(f"{what}: expected an object, found {span!r:.60}")
        label = check_label(builder, span.get("label"), what)
        start, end = tokens.chars(span, what)
        key = (start, end, label)
        found.setdefault(key, (span, what))
        return key

    span_keys = []
    for i, span in enumerate(spans, start=1):
        label = span.get("label") if isinstance(span, dict) else None
        span_keys.append(key_of(span, f"span {i} ({label})" if isinstance(label, str) else f"span {i}"))
    links = []
    for i, rel in enumerate(relations, start=1):
        if not isinstance(rel, dict):
            raise builder.error(f"relation {i}: expected an object, found {rel!r:.60}")
        label = rel.get("label")
        what = f"relation {i} ({label})" if isinstance(label, str) else f"relation {i}"
        ends = [_relation_end(rel, end, what, spans, tokens, key_of, builder) for end in ("head", "child")]
        links.append((ends[0], ends[1], check_label(builder, label, what), what))
    keys = list(found)
    where = builder.spans([(k[0], k[1], found[k][0].get("text")) for k in keys], [found[k][1] for k in keys], state.detector)
    anns: list[Annotation] = []
    by_key: dict[tuple[Any, Any, str], int] = {}
    for k, (a, b) in zip(keys, where):
        span, what = found[k]
        kind = span.get("kind", "entity")
        if kind not in ("entity", "event", "claim"):
            raise builder.error(f'{what}: "kind" must be entity, event or claim, found {kind!r:.40}')
        attributes = span.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise builder.error(f'{what}: "attributes" must be an object')
        by_key[k] = len(anns)
        anns.append(builder.annotation(doc.id, what, kind=kind, start=a, end=b, label=k[2], attributes=attributes, annotator=who))
    for head_key, child_key, label, what in links:
        at = by_key[head_key]
        child = anns[by_key[child_key]].id
        if anns[at].kind == "event":  # our export writes event arguments as relations
            args = [*anns[at].arguments, Argument(role=label, target=child)]
            anns[at] = anns[at].model_copy(update={"arguments": args})
        elif anns[at].kind == "claim" and label == "claimant":
            anns[at] = anns[at].model_copy(update={"claimant_ref": child})
        else:
            anns.append(
                builder.annotation(doc.id, what, kind="relation", head=anns[at].id, tail=child, label=label, annotator=who)
            )
    return Record(doc, anns, line, name=doc_name, offsets=builder.offsets)


def _relation_end(
    rel: dict[str, Any],
    end: str,
    what: str,
    spans: list[Any],
    tokens: _Tokens,
    key_of: Any,
    builder: TextBuilder,
) -> tuple[Any, Any, str]:
    """The span a relation's ``head`` or ``child`` names: its ``head_span``/``child_span``,
    else the record's span holding token ``head``/``child`` (a token index)."""
    span = rel.get(f"{end}_span")
    index = rel.get(end)
    if span is not None:
        key = key_of(span, f"{what} {end}_span")
        if index is not None and isinstance(span, dict) and span.get("token_start") is not None:
            token = tokens.index(rel, end, what)
            ts, te = span.get("token_start"), span.get("token_end")
            if isinstance(ts, int) and isinstance(te, int) and not ts <= token <= te:
                raise builder.error(f"{what}: {end} token {token} is not in its {end}_span (tokens {ts}..{te})")
        return key
    if index is None:
        raise builder.error(f"{what}: no {end} (a token index) and no {end}_span")
    token = tokens.index(rel, end, what)
    holding = [
        s
        for s in spans
        if isinstance(s, dict)
        and isinstance(s.get("token_start"), int)
        and isinstance(s.get("token_end"), int)
        and s["token_start"] <= token <= s["token_end"]
    ]
    if not holding:
        raise builder.error(
            f"{what}: {end} is token {token}, which is in none of the record's spans (a relation links two labelled spans)"
        )
    holding.sort(key=lambda s: s["token_end"] != token)  # the span ending at the token first, as Prodigy writes them
    return key_of(holding[0], f"{what} {end}")


iter_prodigy, read_prodigy = json_reader(_parse, "Prodigy JSON-lines", stateful=True)
