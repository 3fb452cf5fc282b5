"""Corpus search (issue 16): find text in every document, and annotations by what they say.

Text search: the project's full-text index (SQLite FTS5, migration
``m004_search_index``) finds *candidate* documents; this module finds the exact
matches in each candidate's real text with Python's ``re`` and reports them as
code-point offsets (``text[start:end]``, end-exclusive), with some context.
The index tokenizes differently from us, so it is only ever used to rule
documents out, never to say where a match is.

Query kinds (:class:`TextQuery`):

- ``words`` (the default): every whitespace-separated word of the query must
  occur in the document as a whole word; each occurrence of each word is a hit.
  A word ending in ``*`` is a prefix (``Minist*``).
- ``phrase``: the query exactly as typed, anywhere (``whole_word`` for whole
  words only).
- ``regex``: a Python regular expression.  Its literal parts narrow the
  candidates through the index; a pattern with none is checked against every
  document, in batches.

Matching ignores case unless ``case_sensitive``, with Python's one-character
case folding (offsets stay exact): ``istanbul`` finds ``İstanbul``, ``ß``
finds ``ẞ``, but ``strasse`` does not find ``Straße``.  One known gap: Python
equates the Turkish dotless ``ı`` with ``i``, the index does not, so a query
with an ``i`` does not find a word spelled with ``ı`` (a query *with* ``ı`` is
checked against every document and finds both).

Notes (:func:`search_notes`, :class:`NoteQuery`): the notes on annotations and
documents whose text holds a string (or a regular expression), of a type, in a
layer; each hit says what the note is on.

All kinds of search are generators: a caller (the CLI, a GUI pane in a worker
thread with its own :class:`~annotator.core.store.Project`) takes as many hits as
it wants and stops; ``cancel`` is polled between documents.  Documents are read
in pages of :data:`BATCH` in import order, so the first hits come at once; no
transaction is held between pages, so an abandoned generator holds nothing
open and never delays a write (documents' text never changes: a document
imported meanwhile is simply found or not).
"""

from __future__ import annotations

import importlib
import re
import time
import unicodedata
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from annotator.core.rows import AnnotationRow
    from annotator.core.store import Project

__all__ = [
    "BATCH",
    "CONTEXT",
    "SearchError",
    "DocumentFilter",
    "TextQuery",
    "Hit",
    "AnnotationQuery",
    "AnnotationHit",
    "search_text",
    "search_in_text",
    "search_annotations",
    "NoteQuery",
    "NoteHit",
    "search_notes",
    "fts_query",
    "INDEX_SLICE_SECONDS",
    "catch_up_index",
]

#: Candidate documents read from the store at a time.
BATCH = 200
#: Characters of context on each side of a hit.
CONTEXT = 40

QueryKind = Literal["words", "phrase", "regex"]


class SearchError(ValueError):
    """A query that cannot be run (empty, a bad regular expression); ``str()`` says why."""


@dataclass(frozen=True)
class DocumentFilter:
    """Which documents to look in: of these statuses, having an annotation
    labelled ``label`` (in ``annotator``'s layer when given; ``annotator`` alone:
    any annotation of theirs), with these metadata values (compared as text)."""

    status: tuple[str, ...] = ()
    label: str | None = None
    annotator: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TextQuery:
    text: str
    kind: QueryKind = "words"
    case_sensitive: bool = False
    whole_word: bool = False


@dataclass(frozen=True)
class Hit:
    """One match: ``text == document_text[start:end]`` (code points, end-exclusive)."""

    doc_id: str
    start: int
    end: int
    text: str
    before: str
    after: str

    def context(self) -> str:
        """One line: the context with the hit in [brackets], line breaks as spaces."""
        return _one_line(f"{self.before}[{self.text}]{self.after}")

    def as_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "before": self.before,
            "after": self.after,
        }


def _one_line(s: str) -> str:
    return re.sub(r"\s", " ", s)


# ---------------------------------------------------------------------------
# words: what the index counts as a token, what we count as a word
# ---------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _is_token_char(c: str) -> bool:
    """A character of a token for the index's tokenizer (categories L*, N*, Co, M*)."""
    cat = unicodedata.category(c)
    return cat[0] in "LNM" or cat == "Co"


def _is_word_char(c: str) -> bool:
    """A character of a word for whole-word matching: the index's token characters and ``_``."""
    return c == "_" or _is_token_char(c)


#: Characters that Python's case folding equates with others the index does not
#: fold to the same token (dotless i, final sigma, micro sign, ...): a query token
#: holding one is checked in Python only, never narrowed by the index.
_UNSTABLE = frozenset("ıςσΣµμϑθΘϐβϕφϖπϰκϱρϵεẞßΩω")


def _tokens(s: str) -> list[tuple[int, int]]:
    """(start, end) of the index's tokens in ``s``."""
    out, start = [], None
    for i, c in enumerate(s):
        if _is_token_char(c):
            if start is None:
                start = i
        elif start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(s)))
    return out


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_query(literal: str, *, open_left: bool, open_right: bool) -> str | None:
    """The FTS5 query that every document holding ``literal`` satisfies (None:
    the index cannot help).  ``open_left``/``open_right``: a match may continue a
    word on that side (a substring search), so the first/last token of the
    literal may be part of a longer one: the first is left out, the last becomes
    a prefix.  Consecutive tokens make one phrase; a token the index folds
    differently from Python (:data:`_UNSTABLE`) is left out and breaks the phrase."""
    spans = _tokens(literal)
    phrases: list[str] = []
    run: list[str] = []
    prefix = False

    def close() -> None:
        nonlocal prefix
        if run:
            phrases.append(_quote(" ".join(run)) + (" *" if prefix else ""))
        run.clear()
        prefix = False

    for s, e in spans:
        token = literal[s:e]
        partial_left = s == 0 and open_left
        partial_right = e == len(literal) and open_right
        if partial_left or _UNSTABLE.intersection(token) or '"' in token:
            close()
            continue
        run.append(token)
        if partial_right:
            prefix = True
            close()
    close()
    return " AND ".join(phrases) if phrases else None


# ---------------------------------------------------------------------------
# needles: what one query term matches in a text
# ---------------------------------------------------------------------------
@dataclass
class _Needle:
    pattern: re.Pattern[str]
    whole_word: bool
    prefix: bool  # a words-query term ending in "*": extend the match to the end of the word
    fts: str | None
    #: The literal text of a words or phrase query (None: a regular expression):
    #: found with ``str.find`` where that gives the same matches as the pattern
    #: (case-sensitive, or both the literal and the text ASCII), which is several
    #: times faster than a case-insensitive regex.
    literal: str | None = None
    case_sensitive: bool = False

    def _spans(self, text: str) -> Iterator[tuple[int, int]]:
        lit = self.literal
        if lit is not None and (self.case_sensitive or (lit.isascii() and text.isascii())):
            hay = text if self.case_sensitive else text.lower()
            if not self.case_sensitive:
                lit = lit.lower()
            step = len(lit)
            i = hay.find(lit)
            while i != -1:  # non-overlapping, as finditer
                yield i, i + step
                i = hay.find(lit, i + step)
            return
        for m in self.pattern.finditer(text):
            yield m.span()

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        n = len(text)
        for start, end in self._spans(text):
            if start == end:
                continue
            if self.prefix:
                while end < n and _is_word_char(text[end]):
                    end += 1
            if self.whole_word:
                if start > 0 and _is_word_char(text[start - 1]):
                    continue
                if end < n and _is_word_char(text[end]):
                    continue
            yield start, end


def _regex_literals(pattern: str, flags: int) -> list[str]:
    """Runs of literal characters every match of ``pattern`` contains (its
    top-level sequence only; none for an alternation at the top)."""
    try:
        parser: Any = importlib.import_module("re._parser")
    except ImportError:  # Python < 3.11
        parser = importlib.import_module("sre_parse")
    try:
        parsed = parser.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - compile() has already accepted it; the parser is a private detail
        return []
    literal_op = parser.LITERAL
    runs: list[str] = []
    current: list[str] = []
    for op, arg in list(parsed):
        if op is literal_op:
            current.append(chr(arg))
        else:
            if current:
                runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def _needles(query: TextQuery) -> list[_Needle]:
    text = query.text
    if not text.strip():
        raise SearchError("the query is empty")
    flags = 0 if query.case_sensitive else re.IGNORECASE
    if query.kind == "regex":
        try:
            pattern = re.compile(text, flags)
        except re.error as err:
            raise SearchError(f"not a valid regular expression: {err}") from None
        if pattern.fullmatch(""):
            raise SearchError(f"the regular expression {text!r} matches empty text; it would find nothing useful")
        parts = [fts_query(run, open_left=True, open_right=True) for run in _regex_literals(text, flags)]
        fts = " AND ".join(p for p in parts if p) or None
        return [_Needle(pattern, query.whole_word, False, fts)]
    if query.kind == "phrase":
        ww = query.whole_word
        fts = fts_query(text, open_left=not ww, open_right=not ww)
        return [_Needle(re.compile(re.escape(text), flags), ww, False, fts, text, query.case_sensitive)]
    if query.kind != "words":
        raise SearchError(f"unknown kind of query {query.kind!r} (words, phrase or regex)")
    needles = []
    for word in dict.fromkeys(text.split()):
        prefix = word.endswith("*") and word.strip("*") != ""
        literal = word.rstrip("*") if prefix else word
        fts = fts_query(literal, open_left=False, open_right=prefix)
        needles.append(_Needle(re.compile(re.escape(literal), flags), True, prefix, fts, literal, query.case_sensitive))
    return needles


# ---------------------------------------------------------------------------
# the text search
# ---------------------------------------------------------------------------
def _candidates(
    project: Project, match: str | None, where: DocumentFilter, cancel: Callable[[], bool] | None
) -> Iterator[tuple[str, str]]:
    """(doc id, text) of the documents the index finds, page by page in import order."""
    after = 0
    while True:
        if cancel is not None and cancel():
            return
        rows = project.search_candidates(
            match,
            after=after,
            limit=BATCH,
            status=where.status or None,
            label=where.label,
            annotator=where.annotator,
            metadata=where.metadata,
        )
        for _seq, doc_id, text in rows:
            yield doc_id, text
        if len(rows) < BATCH:
            return
        after = rows[-1][0]


#: Time one slice of :func:`catch_up_index` aims at (s): each slice is one
#: transaction, and FTS5 writes and later merges one segment of the index per
#: transaction, so slices of 1 MB cost 1.3-1.5x indexing all in one statement;
#: half a second of indexing (10-15 MB of text) costs a few percent more.
INDEX_SLICE_SECONDS = 0.5
#: Documents in the first slice; each next slice is sized from the time the last
#: one took (at most 4 times as many documents), so a corpus of long documents
#: starts with small slices and never plans by reading the texts' lengths.
FIRST_SLICE_DOCS = 32


def catch_up_index(
    project: Project,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    slice_seconds: float = INDEX_SLICE_SECONDS,
) -> int:
    """Index the documents stored since the index was last brought up to date (an
    import or a merge stores documents without indexing them), a slice of about
    ``slice_seconds`` at a time, each one transaction (an interruption loses
    nothing: the next call goes on from there), calling ``progress(indexed,
    total)`` after each; stops early when ``cancel()``.  Searches are complete
    without it (they read unindexed documents directly); it makes them fast
    again.  Returns how many documents are still pending.  (The app indexes in
    smaller slices, one per idle moment: :mod:`annotator.ui.index_catch_up`.)"""
    total = project.search_pending_documents()  # counted once: a count walks an index of every document
    if project.readonly:
        return total
    done = 0
    docs = FIRST_SLICE_DOCS
    while not (cancel is not None and cancel()):
        t = time.perf_counter()
        indexed = project.index_next(docs)
        took = time.perf_counter() - t
        if indexed is None:
            return 0
        done += indexed
        if progress is not None:
            progress(min(done, total), total)
        docs = max(1, min(docs * 4, int(docs * slice_seconds / max(took, 1e-3))))
    return project.search_pending_documents()


def _hit(doc_id: str, text: str, start: int, end: int) -> Hit:
    return Hit(doc_id, start, end, text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT])


def search_text(
    project: Project,
    query: TextQuery,
    where: DocumentFilter | None = None,
    *,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Hit, None, None]:
    """Every hit of ``query`` in the documents ``where`` selects, document by
    document in import order, by offset within a document.  Raises
    :class:`SearchError` at once (before the first hit) for a query that cannot run."""
    needles = _needles(query)  # raises now, not at the first next()
    return _search(project, needles, where or DocumentFilter(), cancel)


def _search(
    project: Project, needles: list[_Needle], where: DocumentFilter, cancel: Callable[[], bool] | None
) -> Generator[Hit, None, None]:
    parts = [n.fts for n in needles if n.fts]
    match = " AND ".join(f"({p})" for p in parts) if parts else None
    for doc_id, text in _candidates(project, match, where, cancel):
        if cancel is not None and cancel():
            return
        yield from _hits_in(doc_id, text, needles)


def _hits_in(doc_id: str, text: str, needles: list[_Needle]) -> list[Hit]:
    """The hits of the needles in one document's text (none unless every one occurs)."""
    spans: set[tuple[int, int]] = set()
    for needle in needles:
        found = list(needle.find(text))
        if not found:  # words: every word must occur
            return []
        spans.update(found)
    return [_hit(doc_id, text, start, end) for start, end in sorted(spans)]


def search_in_text(doc_id: str, text: str, query: TextQuery) -> list[Hit]:
    """The hits of ``query`` in one text (the open document), matched exactly as
    :func:`search_text` matches a document.  Raises :class:`SearchError` for a
    query that cannot run."""
    return _hits_in(doc_id, text, _needles(query))


# ---------------------------------------------------------------------------
# searching annotations
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnotationQuery:
    """Annotations by what they are and say; every given condition must hold.

    - ``kind``/``label``/``annotator``: the annotation's kind, label, layer;
    - ``contains``: its span's text contains this (a regex with ``regex``);
    - ``claimant``: claims whose claimant (its text, or the span of the entity it
      refers to) contains this;
    - ``missing_role``: events with no argument in this role.
    """

    kind: str | None = None
    label: str | None = None
    annotator: str | None = None
    contains: str | None = None
    claimant: str | None = None
    missing_role: str | None = None
    case_sensitive: bool = False
    regex: bool = False


@dataclass(frozen=True)
class AnnotationHit:
    doc_id: str
    ann_id: str
    kind: str
    label: str
    annotator: str
    start: int | None
    end: int | None
    text: str
    before: str
    after: str
    claimant: str | None = None
    roles: tuple[str, ...] = ()

    def context(self) -> str:
        return _one_line(f"{self.before}[{self.text}]{self.after}")

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "doc_id": self.doc_id,
            "id": self.ann_id,
            "kind": self.kind,
            "label": self.label,
            "annotator": self.annotator,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "before": self.before,
            "after": self.after,
        }
        if self.kind == "claim":
            out["claimant"] = self.claimant
        if self.kind == "event":
            out["roles"] = list(self.roles)
        return out


def _matcher(needle: str | None, query: AnnotationQuery, what: str) -> Callable[[str], bool] | None:
    if needle is None:
        return None
    if not needle.strip():
        raise SearchError(f"{what}: empty text")
    flags = 0 if query.case_sensitive else re.IGNORECASE
    try:
        pattern = re.compile(needle if query.regex else re.escape(needle), flags)
    except re.error as err:
        raise SearchError(f"{what}: not a valid regular expression: {err}") from None
    return lambda s: pattern.search(s) is not None


def search_annotations(
    project: Project,
    query: AnnotationQuery,
    where: DocumentFilter | None = None,
    *,
    cancel: Callable[[], bool] | None = None,
) -> Generator[AnnotationHit, None, None]:
    """Every annotation ``query`` describes in the documents ``where`` selects, in
    import order of documents, by position within one (relations last)."""
    contains = _matcher(query.contains, query, "--contains")
    claimant = _matcher(query.claimant, query, "--claimant")
    if query.missing_role is not None and not query.missing_role.strip():
        raise SearchError("--missing-role: empty role name")
    where = where or DocumentFilter()
    narrowed = where
    if (query.label or query.annotator) and where.label is None and where.annotator is None:
        # only documents that have such an annotation (the store's index finds them)
        narrowed = DocumentFilter(where.status, query.label, query.annotator, where.metadata)
    return _search_annotations(project, query, narrowed, contains, claimant, cancel)


def _search_annotations(
    project: Project,
    query: AnnotationQuery,
    where: DocumentFilter,
    contains: Callable[[str], bool] | None,
    claimant: Callable[[str], bool] | None,
    cancel: Callable[[], bool] | None,
) -> Generator[AnnotationHit, None, None]:
    kind = query.kind
    if claimant is not None:
        kind = kind or "claim"
    if query.missing_role is not None:
        kind = kind or "event"
    batch: list[tuple[str, str]] = []
    for item in _candidates(project, None, where, cancel):
        batch.append(item)
        if len(batch) >= BATCH:
            yield from _annotation_batch(project, batch, query, kind, contains, claimant, cancel)
            batch = []
    if batch:
        yield from _annotation_batch(project, batch, query, kind, contains, claimant, cancel)


def _annotation_batch(
    project: Project,
    docs: list[tuple[str, str]],
    query: AnnotationQuery,
    kind: str | None,
    contains: Callable[[str], bool] | None,
    claimant: Callable[[str], bool] | None,
    cancel: Callable[[], bool] | None,
) -> Generator[AnnotationHit, None, None]:
    rows_by_doc = project.annotation_rows_by_document([d for d, _ in docs], query.annotator)
    for doc_id, text in docs:
        if cancel is not None and cancel():
            return
        rows = rows_by_doc.get(doc_id, [])
        by_id = {r.id: r for r in rows}
        picked = [r for r in rows if _wanted(r, text, by_id, query, kind, contains, claimant)]
        picked.sort(key=lambda r: (r.start is None, r.start or 0, r.end or 0, r.id))
        for r in picked:
            yield _annotation_hit(r, text, by_id)


def _span_text(r: AnnotationRow, text: str) -> str:
    """The annotated text (a discontinuous span's fragments joined by a space)."""
    if r.fragments is not None:
        return " ".join(text[s:e] for s, e in r.pieces())
    return text[r.start : r.end] if r.start is not None and r.end is not None else ""


def _claimant_text(r: AnnotationRow, text: str, by_id: dict[str, AnnotationRow]) -> str | None:
    if r.claimant_text:
        return r.claimant_text
    ref = by_id.get(r.claimant_ref) if r.claimant_ref else None
    return _span_text(ref, text) if ref is not None else None


def _wanted(
    r: AnnotationRow,
    text: str,
    by_id: dict[str, AnnotationRow],
    query: AnnotationQuery,
    kind: str | None,
    contains: Callable[[str], bool] | None,
    claimant: Callable[[str], bool] | None,
) -> bool:
    if kind is not None and r.kind != kind:
        return False
    if query.label is not None and r.label != query.label:
        return False
    if contains is not None and not contains(_span_text(r, text)):
        return False
    if claimant is not None:
        who = _claimant_text(r, text, by_id)
        if who is None or not claimant(who):
            return False
    if query.missing_role is not None and any(role == query.missing_role for role, _ in r.argument_pairs()):
        return False
    return True


def _annotation_hit(r: AnnotationRow, text: str, by_id: dict[str, AnnotationRow]) -> AnnotationHit:
    if r.start is not None and r.end is not None:
        before, after = text[max(0, r.start - CONTEXT) : r.start], text[r.end : r.end + CONTEXT]
    else:
        before = after = ""
    return AnnotationHit(
        doc_id=r.doc_id,
        ann_id=r.id,
        kind=r.kind,
        label=r.label,
        annotator=r.annotator,
        start=r.start,
        end=r.end,
        text=_span_text(r, text),
        before=before,
        after=after,
        claimant=_claimant_text(r, text, by_id) if r.kind == "claim" else None,
        roles=tuple(role for role, _ in r.argument_pairs()) if r.kind == "event" else (),
    )


# ---------------------------------------------------------------------------
# searching notes (issue 14)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NoteQuery:
    """Notes by what they say: ``text`` (a regex with ``regex``; None: every
    note), of a ``note_type``, in ``annotator``'s layer."""

    text: str | None = None
    note_type: str | None = None
    annotator: str | None = None
    case_sensitive: bool = False
    regex: bool = False


@dataclass(frozen=True)
class NoteHit:
    """One note that matches: where the match is in the note (``note[start:end]``,
    code points), and what the note is on (the document, or an annotation with
    its span and context in the document's text)."""

    doc_id: str
    annotator: str
    note_type: str
    note: str
    start: int
    end: int
    #: The annotation the note is on; "" for a note on the document.
    target: str = ""
    kind: str | None = None
    label: str | None = None
    span_start: int | None = None
    span_end: int | None = None
    span_text: str = ""
    before: str = ""
    after: str = ""

    def context(self) -> str:
        """The note on one line, the match in [brackets]."""
        if self.start == self.end:
            return _one_line(self.note)
        return _one_line(f"{self.note[: self.start]}[{self.note[self.start : self.end]}]{self.note[self.end :]}")

    def on(self) -> str:
        """What the note is on, for people: ``the document`` or ``ORG “Ministry…”``."""
        if not self.target:
            return "the document"
        return f"{self.kind} {self.label} “{_one_line(self.span_text)}”" if self.span_text else f"{self.kind} {self.label}"

    def as_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "annotator": self.annotator,
            "type": self.note_type,
            "note": self.note,
            "start": self.start,
            "end": self.end,
            "target": self.target or None,
            "kind": self.kind,
            "label": self.label,
            "span_start": self.span_start,
            "span_end": self.span_end,
            "span_text": self.span_text or None,
        }


def search_notes(
    project: Project,
    query: NoteQuery,
    where: DocumentFilter | None = None,
    *,
    cancel: Callable[[], bool] | None = None,
) -> Generator[NoteHit, None, None]:
    """Every note ``query`` describes (each match in it is a hit; a note without
    ``text`` to find is one hit) in the documents ``where`` selects, in import
    order of documents, by target and type."""
    if query.text is not None and not query.text.strip():
        raise SearchError("the text to find in notes is empty")
    pattern = None
    if query.text is not None:
        flags = 0 if query.case_sensitive else re.IGNORECASE
        try:
            pattern = re.compile(query.text if query.regex else re.escape(query.text), flags)
        except re.error as err:
            raise SearchError(f"not a valid regular expression: {err}") from None
    return _search_notes(project, query, where or DocumentFilter(), pattern, cancel)


def _search_notes(
    project: Project,
    query: NoteQuery,
    where: DocumentFilter,
    pattern: re.Pattern[str] | None,
    cancel: Callable[[], bool] | None,
) -> Generator[NoteHit, None, None]:
    notes = [n for n in project.iter_notes(query.annotator) if query.note_type is None or n.type == query.note_type]
    if not notes:
        return
    docs = sorted({n.doc_id for n in notes})
    if where.status or where.label or where.annotator:
        allowed = set(project.document_ids(status=where.status or None, label=where.label, annotator=where.annotator))
        docs = [d for d in docs if d in allowed]
    if where.metadata:
        docs = [d for d in docs if all(str(project.get_document(d).metadata.get(k)) == v for k, v in where.metadata.items())]
    wanted = set(docs)
    rows = project.annotation_rows_by_id({n.target for n in notes if n.target and n.doc_id in wanted})
    texts: dict[str, str] = {}
    for n in notes:
        if n.doc_id not in wanted:
            continue
        if cancel is not None and cancel():
            return
        spans = [(m.start(), m.end()) for m in pattern.finditer(n.text) if m.end() > m.start()] if pattern else [(0, 0)]
        if not spans:
            continue
        extra: dict[str, Any] = {}
        r = rows.get(n.target) if n.target else None
        if r is not None:
            extra = {"kind": r.kind, "label": r.label, "span_start": r.start, "span_end": r.end}
            if r.start is not None and r.end is not None:
                if n.doc_id not in texts:
                    texts[n.doc_id] = project.document_text(n.doc_id)
                text = texts[n.doc_id]
                extra.update(
                    span_text=text[r.start : r.end],
                    before=text[max(0, r.start - CONTEXT) : r.start],
                    after=text[r.end : r.end + CONTEXT],
                )
        for start, end in spans:
            yield NoteHit(n.doc_id, n.annotator, n.type, n.text, start, end, n.target, **extra)


def parse_metadata(pairs: Iterable[str]) -> dict[str, str]:
    """``key=value`` strings (the CLI's ``--meta``) as a dict; a clear error otherwise."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SearchError(f"--meta {pair!r}: expected KEY=VALUE")
        out[key] = value
    return out
