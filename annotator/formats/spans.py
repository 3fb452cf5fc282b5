"""spaCy / Prodigy spans: one JSON object per document (or sentence).

Shape (the one Prodigy's ``ner_manual`` and ``rel.manual`` recipes produce)::

    {"text": "...",
     "meta": {"id": "<document id>", "external_id": "...", "title": "..."},
     "tokens": [{"text": "China", "start": 0, "end": 5, "id": 0, "ws": true}, ...],
     "spans": [{"start": 0, "end": 5, "token_start": 0, "token_end": 0,
                "label": "GPE", "text": "China"}, ...],
     "relations": [{"head": 0, "child": 7, "head_span": {...}, "child_span": {...},
                    "label": "Grantee"}],
     "answer": "accept"}

- ``start``/``end`` are code points into ``text`` (UTF-16 units with ``--offsets utf16``),
  end-exclusive; ``token_end`` is INCLUSIVE, as in Prodigy.
- ``tokens`` rebuild the text exactly: ``"".join(t["text"] + " " * t["ws"])
  == text``.  Whitespace other than one plain space after a token becomes a
  token of its own (``"\\n"``, ``"\\u00a0"``, a second space), as spaCy does, so
  ``Doc(vocab, words=..., spaces=...)`` has the same text and offsets.
- Tokens are cut at every span boundary (see
  :meth:`~annotator.formats.writing.ExportContext.tokenized`): every span is
  whole tokens; spans whose edges fall inside a word are listed in the export
  report, and so are spans with whitespace at an edge, which are exported
  without it (whitespace is never part of a token).
- Spans of events (their triggers, labelled with the event type) and claims
  (label ``CLAIM``) are exported when asked (``--kind``); they carry
  ``"kind"``.  Claims carry ``"attributes"``: every claim attribute of the
  schema, ``null`` where nobody set it, then any other they hold; entities
  with attributes carry them as they are.
- An entity linked to knowledge-base entries carries ``"kb_id"`` (spaCy's
  field: the id of its first link, e.g. ``"Q148"``) and ``"links"``: every
  link, ``[{"resource": "Wikidata", "id": "Q148", "name": "China"}]``.
- ``relations``: relations, event arguments (label: the role; head: the
  trigger) and claimants (label ``claimant``; head: the claim) between exported
  spans; ``head``/``child`` are the ``token_end`` of the head and child span,
  as Prodigy writes them.
- Several annotators' versions are one record each with ``--per-annotator``;
  the annotator is in ``meta.annotator`` and ``_annotator_id``.

Importing this shape goes through the Prodigy reader (:mod:`annotator.formats.prodigy`).
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from json.encoder import encode_basestring
from typing import Any

from annotator.core.models import SpanAnnotation
from annotator.core.tokenize import Token
from annotator.formats.writing import JsonlWriter, Unit, claim_attributes, unit_links

__all__ = ["SpansWriter", "prodigy_tokens", "span_record"]


def prodigy_tokens(
    text: str, tokens: Sequence[Token], pos: Callable[[int], int] = int
) -> tuple[list[dict[str, Any]], dict[int, int], dict[int, int]]:
    """Prodigy tokens that rebuild ``text`` exactly, from word tokens that skip whitespace.

    Returns the tokens and two maps from a word token's start / end (code
    points) to its index in the returned list.  ``pos`` converts code-point
    offsets to output offsets (UTF-16).  (The tokens of :func:`_prodigy_tokens_lists`, as dictionaries.)
    """
    starts, ends, texts, ws = _prodigy_tokens_lists(text, [(t.start, t.end) for t in tokens])
    out = [
        {"text": t, "start": pos(s), "end": pos(e), "id": i, "ws": w}
        for i, (t, s, e, w) in enumerate(zip(texts, starts, ends, ws))
    ]
    word_starts = {t.start for t in tokens}
    word_ends = {t.end for t in tokens}
    by_start = {s: i for i, s in enumerate(starts) if s in word_starts}
    by_end = {e: i for i, e in enumerate(ends) if e in word_ends}
    return out, by_start, by_end


def span_record(
    unit: Unit,
    a: SpanAnnotation,
    token_start: int | None = None,
    token_end: int | None = None,
    claim_names: Sequence[str] = (),
) -> dict[str, Any]:
    """A span as Prodigy writes it (offsets converted as the export asks); a claim's
    attributes are the schema's ``claim_names`` (null when unset) and any others."""
    rec: dict[str, Any] = {"start": unit.pos(a.start), "end": unit.pos(a.end)}
    if token_start is not None:
        rec["token_start"] = token_start
        rec["token_end"] = token_end
    rec["label"] = a.label
    rec["text"] = a.text_in(unit.text)
    if a.kind != "entity":
        rec["kind"] = a.kind
    attributes = claim_attributes(claim_names, a.attributes) if a.kind == "claim" else a.attributes
    if attributes:
        rec["attributes"] = attributes
    if a.links:  # knowledge-base links: spaCy's kb_id is the first link's id; every link in "links"
        rec["kb_id"] = a.links[0].id
        rec["links"] = [x.model_dump() for x in a.links]
    return rec


class SpansWriter(JsonlWriter):
    """The ``spans`` format (spaCy / Prodigy JSONL): one line per unit, made by :meth:`lines`."""

    def lines(self, unit: Unit) -> Iterable[str]:
        """The unit's record as one JSON line (what :func:`json_line` writes of it).

        Tokens are most of a record (a 5,000-character article has about a
        thousand): their JSON is written straight from their offsets with the
        escaping ``json.dumps`` uses, without a dictionary per token; the rest
        of the record goes through ``json.dumps`` as usual.
        """
        text = unit.text
        starts, ends, spans = self.ctx.token_offsets(unit)
        starts, ends, texts, ws = _prodigy_tokens_lists(text, zip(starts, ends))
        tokens_json = _tokens_json(texts, starts, ends, ws, None if unit.code_points else unit.pos)
        rec = self._record(unit, spans, _Index(starts), _Index(ends))
        # ``json.dumps`` writes a dict as "{" + "KEY: VALUE" items joined by ", " + "}":
        # the text and meta, then the tokens, then the rest (never empty: spans, answer).
        head = json.dumps({"text": rec.pop("text"), "meta": rec.pop("meta")}, ensure_ascii=False)
        tail = json.dumps(rec, ensure_ascii=False)
        if "\u2028" in text or "\u2029" in text or "\x85" in text:  # a token may hold one: escape them too
            tokens_json = _escape_line_breaks(tokens_json)
        return [_escape_line_breaks(head[:-1]) + ', "tokens": ' + tokens_json + ", " + _escape_line_breaks(tail[1:]) + "\n"]

    def records(self, unit: Unit) -> Iterable[dict[str, Any]]:
        """The unit's record as a dictionary (read back from :meth:`lines`, which makes it)."""
        return [json.loads(line) for line in self.lines(unit)]

    def _record(self, unit: Unit, spans: list[SpanAnnotation], by_start: _Index, by_end: _Index) -> dict[str, Any]:
        """The record without its tokens (:meth:`lines` writes them between ``meta`` and ``spans``)."""
        records: dict[str, dict[str, Any]] = {}
        names = [attr.name for attr in self.ctx.schema.claim.attributes]
        for a in spans:
            records[a.id] = span_record(unit, a, by_start[a.start], by_end[a.end], names)
        rec: dict[str, Any] = {"text": unit.text, "meta": unit.meta(), "spans": list(records.values())}
        relations = [
            {
                "head": records[link.head.id]["token_end"],
                "child": records[link.tail.id]["token_end"],
                "head_span": _short_span(records[link.head.id]),
                "child_span": _short_span(records[link.tail.id]),
                "label": link.label,
            }
            for link in unit_links(unit, self.report)
            if link.head.id in records and link.tail.id in records
        ]
        if relations:
            rec["relations"] = relations
        cats = self.ctx.cats(unit)
        if cats:  # document labels (issue 14), as spaCy's doc.cats
            rec["cats"] = cats
        rec["answer"] = "accept"
        if unit.annotator is not None:
            rec["_annotator_id"] = unit.annotator
        return rec


class _Index:
    """Index of a token by its start (or end) offset: a sorted list searched by bisection."""

    __slots__ = ("keys",)

    def __init__(self, keys: list[int]):
        self.keys = keys

    def __getitem__(self, offset: int) -> int:
        i = bisect_left(self.keys, offset)
        if i == len(self.keys) or self.keys[i] != offset:
            raise KeyError(offset)
        return i


def _escape_line_breaks(s: str) -> str:
    """What :func:`~annotator.formats.writing.json_line` does to a line, on a piece of one."""
    if "\u2028" in s or "\u2029" in s or "\x85" in s:
        return s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")
    return s


def _prodigy_tokens_lists(text: str, bounds: Iterable[tuple[int, int]]) -> tuple[list[int], list[int], list[str], list[bool]]:
    """Prodigy tokens as lists (starts, ends, texts, ws; code points), from word token
    bounds: whitespace other than one space after a token becomes a token (``ws``: one
    plain space follows)."""
    texts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    ws: list[bool] = []
    at = 0
    for s, e in bounds:
        if s != at:
            if s == at + 1 and ws and text[at] == " ":
                ws[-1] = True  # the usual single space between two tokens
            else:
                _gap(text, at, s, texts, starts, ends, ws)
        texts.append(text[s:e])
        starts.append(s)
        ends.append(e)
        ws.append(False)
        at = e
    _gap(text, at, len(text), texts, starts, ends, ws)
    return starts, ends, texts, ws


def _tokens_json(texts: list[str], starts: list[int], ends: list[int], ws: list[bool], pos: Callable[[int], int] | None) -> str:
    """The JSON array of Prodigy tokens, as ``json.dumps`` writes the list of their dicts."""
    if pos is not None:
        starts, ends = list(map(pos, starts)), list(map(pos, ends))
    # An f-string per token: a little faster than %-formatting, much faster than a dict through json.dumps.
    body = ", ".join(
        [
            f'{{"text": {t}, "start": {s}, "end": {e}, "id": {i}, "ws": {"true" if w else "false"}}}'
            for t, s, e, i, w in zip(map(encode_basestring, texts), starts, ends, range(len(texts)), ws)
        ]
    )
    return "[" + body + "]"


def _gap(text: str, a: int, b: int, texts: list[str], starts: list[int], ends: list[int], ws: list[bool]) -> None:
    """Whitespace between tokens: one plain space after a token is its ``ws``, the rest a token."""
    if a >= b:
        return
    if ws and text[a] == " ":
        ws[-1] = True
        a += 1
    if a < b:
        texts.append(text[a:b])
        starts.append(a)
        ends.append(b)
        ws.append(False)


def _short_span(span: dict[str, Any]) -> dict[str, Any]:
    return {k: span[k] for k in ("start", "end", "token_start", "token_end", "label")}
