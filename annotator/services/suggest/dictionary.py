"""The dictionary suggester (issue 17): terms learned from the project's own
annotations (an annotator's layer or the gold layer) and from imported term
lists, matched as whole tokens of the project's tokenizer
(:mod:`annotator.core.tokenize`), for entity labels and event triggers.

Terms
    - From annotations: the text of every entity and event trigger of the layer
      (its tokens; whitespace inside a term matches any whitespace), with the
      labels it was given.  Matched with its letter case.
    - From spaCy ``EntityRuler`` pattern files (JSONL, one pattern a line):
      phrase patterns (``{"label": "ORG", "pattern": "Apple Inc."}``, matched
      with their letter case, as the ruler's default ``ORTH``) and token patterns
      whose tokens each have one of ``LOWER``, ``ORTH`` or ``TEXT`` with a string
      (``[{"LOWER": "rare"}, {"LOWER": "earths"}]``).  Any other pattern is refused
      with its file and line.
    - From plain term lists (UTF-8 text): one term a line, ``term<TAB>LABEL`` or
      ``term`` alone when the list's label is given; ``#`` starts a comment line.

Scores
    A term from annotations scores ``(h + 1) / (n + 2)`` for a label, where
    ``n`` is how often the term occurs as whole tokens in the layer's annotated
    documents and ``h`` how often it carries that label there (an estimate of its
    precision: a term labelled at every occurrence scores near 1, one labelled
    once among ten occurrences near 0.17).  An unlabelled occurrence counts only
    where the annotator has been: anywhere in a finished document (done, in
    review, reviewed), and in an unfinished one only before the end of the
    layer's last span there (annotators read from the top: what lies further on
    is not decided yet).  So "China" labelled once at the top of the article
    being annotated is suggested at every later "China" of it and of the corpus.  A learned label scoring under
    ``min_learned_score`` (0.2) is left out: a word labelled once among many
    occurrences ("the") would be noise everywhere.  A term from a list scores
    :data:`LIST_SCORE`; a term in both takes the higher score.

Overlaps
    Of overlapping matches of one kind the longest wins (as the ``EntityRuler``);
    a span with several labels gives one suggestion per label.

Speed
    Terms compile into one regular expression per kind and letter-case mode,
    shaped as a trie (a prefix shared by many terms is tried once), which scans
    the text at C speed; only the matches are checked against the tokenizer, on
    the whitespace-separated chunks around them.  ``benchmarks/case_suggest.py``
    measures a 1 MB article and 10,000 articles.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.kinds import FINISHED_STATUSES, GOLD
from annotator.core.tokenize import token_spans
from annotator.formats import InputError
from annotator.services.suggest.base import Suggestion

if TYPE_CHECKING:
    from annotator.core.models import Document
    from annotator.core.schema import LabelSchema
    from annotator.core.store import Project

__all__ = ["DictionarySuggester", "TermEntry", "read_term_file", "LIST_SCORE", "NAME"]

#: What :attr:`Suggestion.suggester` says for dictionary suggestions.
NAME = "dictionary"
#: The score of a term from a term list.
LIST_SCORE = 0.9
#: The kinds a dictionary suggests.
DICTIONARY_KINDS = ("entity", "event")
_WORDISH = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class TermEntry:
    """One term of a list: its tokens, whether whitespace follows each (but the
    last), whether letter case is ignored, its kind and label, where it came from."""

    tokens: tuple[str, ...]
    spaced: tuple[bool, ...]
    lower: bool
    kind: str
    label: str
    origin: str


@dataclass
class _Label:
    score: float
    origin: str
    count: int = 0
    #: the detail of its suggestions (one dict, shared by them: read it, never change it) ...
    detail: dict[str, Any] = field(init=False, repr=False, compare=False)
    #: ... and as stored (JSON, serialised once)
    detail_json: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.detail = {"from": self.origin}
        self.detail_json = json.dumps(self.detail, ensure_ascii=False, sort_keys=True)


#: Before a word that is surely a token's start: whitespace, an opening quote or bracket, the text's start ...
_FAST_BEFORE = '[^\\s([{"“‘«]'
#: ... and after a word that surely ends a token: whitespace, closing punctuation, a
#: sentence's final period, a possessive, the text's end (the tokenizer's rules, see _fast_tokens).
_FAST_AFTER = "[\\s,;:!?)\\]}\"”»]|\\.(?!\\S)|['’][sS](?!\\S)|\\Z"
#: No letter or digit follows (a cheap filter; the tokenizer decides), unless the clitic "n't" does ("do|n't").
_WORD_END = "(?:(?![^\\W_])|(?=[nN]['’][tT](?![^\\W_])))"


def _simple(tokens: tuple[str, ...], spaced: tuple[bool, ...]) -> bool:
    """Whether a term is words of letters and digits separated by whitespace,
    starting and ending with a letter: where it stands between whitespace (or
    the punctuation of :data:`_FAST_BEFORE` / :data:`_FAST_AFTER`), each word is a
    token, so a match needs no tokenizer."""
    return all(spaced) and all(t.isalnum() for t in tokens) and tokens[0][0].isalpha() and tokens[-1][-1].isalpha()


@dataclass
class _Matcher:
    """The terms of one kind and letter-case mode."""

    lower: bool
    #: token texts (lowercased when ``lower``) -> label -> its score and origin
    terms: dict[tuple[str, ...], dict[str, _Label]] = field(default_factory=dict)
    #: the spellings (tokens and whether whitespace follows each) to compile
    shapes: set[tuple[tuple[str, ...], tuple[bool, ...]]] = field(default_factory=set)
    #: simple terms in plain context: matched with no tokenizer (text, words joined by one space -> labels)
    fast: re.Pattern[str] | None = None
    fast_terms: dict[str, dict[str, _Label]] = field(default_factory=dict)
    #: every other occurrence, checked against the tokenizer
    slow: list[re.Pattern[str]] = field(default_factory=list)

    @property
    def pattern(self) -> re.Pattern[str] | None:
        """Any of the patterns (None: no terms)."""
        return self.fast or (self.slow[0] if self.slow else None)

    def compile(self) -> None:
        simple = {sh for sh in self.shapes if _simple(*sh)}
        other = self.shapes - simple
        flags = re.IGNORECASE if self.lower else 0
        self.fast_terms = {" ".join(key): labels for key, labels in self.terms.items() if _simple(key, (True,) * (len(key) - 1))}
        self.fast = _trie_pattern(simple, flags, before=f"(?<!{_FAST_BEFORE}.)", end=f"(?={_FAST_AFTER})") if simple else None
        self.slow = []
        if simple:
            # the start not plain; or the start plain and the end not
            self.slow.append(_trie_pattern(simple, flags, before=f"(?<={_FAST_BEFORE}.)", end=_WORD_END))
            self.slow.append(_trie_pattern(simple, flags, before=f"(?<!{_FAST_BEFORE}.)", end=f"{_WORD_END}(?!{_FAST_AFTER})"))
        if other:
            self.slow.append(_trie_pattern(other, flags))


# -- the trie as a regular expression -------------------------------------------
_SPACE = object()  # a run of whitespace between two tokens of a term


def _trie_pattern(
    shapes: Iterable[tuple[tuple[str, ...], tuple[bool, ...]]], flags: int, *, before: str = "", end: str | None = None
) -> re.Pattern[str]:
    """One pattern for the terms, shaped as their trie.  ``before``: an assertion
    placed after each term's first character (a lookbehind of two characters
    there keeps the pattern's first-character scan fast); ``end``: an assertion
    where a term ends (default: no letter or digit follows a term ending in one)."""
    root: dict[Any, Any] = {}
    for tokens, spaced in shapes:
        node = root
        for i, tok in enumerate(tokens):
            if i:
                if spaced[i - 1]:
                    node = node.setdefault(_SPACE, {})
            for ch in tok:
                node = node.setdefault(ch, {})
        node[None] = True  # a term ends here

    def emit(node: dict[Any, Any], last: str = "", top: bool = False) -> str:
        alts = []
        for sym in sorted((k for k in node if k is not None), key=lambda k: (k is _SPACE, "" if k is _SPACE else k)):
            head = r"\s+" if sym is _SPACE else re.escape(sym)
            if top:
                head += before
            child = node[sym]
            ch = sym
            # a chain of single children is one literal run
            while len(child) == 1 and None not in child:
                (nxt,) = child
                head += r"\s+" if nxt is _SPACE else re.escape(nxt)
                ch = nxt
                child = child[nxt]
            alts.append(head + emit(child, ch if isinstance(ch, str) else ""))
        if None in node:  # a term ends here: after the longer ones, tried first
            alts.append(end if end is not None else _WORD_END if _WORDISH.match(last) else "")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return re.compile(emit(root, top=True), flags)


_NOT_SPACE_BACK = re.compile(r"\S*$")
_NOT_SPACE = re.compile(r"\S*")


#: Characters that are always a token of their own before a word (opening quotes and brackets) ...
_OPENERS = frozenset('([{"“‘«')
#: ... and after one.
_CLOSERS = frozenset(',;:!?)]}"”»')


def _fast_tokens(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The tokens of ``text[start:end]`` when the tokenizer's rules make them plain
    to see: words of letters and digits separated by whitespace, beginning and
    ending with a letter, with whitespace, an opening quote or bracket before,
    and whitespace, a closing punctuation mark, a sentence's final period or a
    possessive "’s" after; None when the tokenizer must decide."""
    n = len(text)
    if start and not (text[start - 1].isspace() or text[start - 1] in _OPENERS):
        return None
    if end < n:
        c = text[end]
        if not (c.isspace() or c in _CLOSERS):
            if c == "." or c in "’'":
                nxt = end + (1 if c == "." else 2)
                if (c != "." and text[end + 1 : end + 2] not in ("s", "S")) or (nxt < n and not text[nxt].isspace()):
                    return None
            else:
                return None
    piece = text[start:end]
    if not (piece[0].isalpha() and piece[-1].isalpha()):
        return None
    words = piece.split()
    if not all(w.isalnum() for w in words):
        return None
    if len(words) == 1:
        return [(start, end)]
    out = []
    at = start
    for w in words:
        a = text.index(w, at)
        out.append((a, a + len(w)))
        at = a + len(w)
    return out


def _tokens_at(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The tokens covering exactly ``text[start:end]`` (None when the span does not
    start at a token's start and end at a token's end): the chunks around it are
    tokenized, nothing else."""
    fast = _fast_tokens(text, start, end)
    if fast is not None:
        return fast
    lo = start
    window = 64
    while lo:  # back to the start of the chunk holding text[start] (rarely more than one window)
        at = max(0, start - window)
        m = _NOT_SPACE_BACK.search(text, at, start)
        lo = m.start() if m else start
        if lo > at or at == 0:
            break
        window *= 4
    hi = _NOT_SPACE.match(text, end).end()  # type: ignore[union-attr]
    spans = token_spans(text[lo:hi])
    out = []
    for a, b in spans:
        a += lo
        b += lo
        if b <= start:
            continue
        if a >= end:
            break
        if a < start or b > end:
            return None
        out.append((a, b))
    if not out or out[0][0] != start or out[-1][1] != end:
        return None
    return out


def term_tokens(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """A term's tokens and whether whitespace follows each (but the last)."""
    spans = token_spans(text)
    tokens = tuple(text[a:b] for a, b in spans)
    spaced = tuple(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1))
    return tokens, spaced


class DictionarySuggester:
    """Suggests the terms it knows wherever they occur as whole tokens.

    Build it with :meth:`from_project` and/or :meth:`add_terms` (then it is
    ready); :meth:`suggest` is safe to call from any thread once built."""

    name = NAME

    def __init__(self, min_learned_score: float = 0.2) -> None:
        #: a learned term whose label scores below this is left out (a word labelled
        #: once among many occurrences, such as "the", would be noise everywhere)
        self.min_learned_score = min_learned_score
        self._matchers: dict[tuple[str, bool], _Matcher] = {}
        self._dirty = True
        #: how many terms (distinct spellings with a label) came from annotations and lists
        self.stats: dict[str, int] = {"from_annotations": 0, "from_lists": 0}
        #: id of a term's labels -> [its labels, its occurrences in the annotated documents], while learning a layer
        self._occurrences: dict[int, list[Any]] = {}

    # -- building ---------------------------------------------------------------
    def _add(
        self, kind: str, tokens: tuple[str, ...], spaced: tuple[bool, ...], lower: bool, label: str, score: float, origin: str
    ) -> bool:
        if not tokens or not any(_WORDISH.search(t) for t in tokens):
            return False
        matcher = self._matchers.setdefault((kind, lower), _Matcher(lower))
        key = tuple(t.lower() for t in tokens) if lower else tokens
        labels = matcher.terms.setdefault(key, {})
        known = labels.get(label)
        if known is None or known.score < score:
            labels[label] = _Label(score, origin, known.count if known else 0)
        matcher.shapes.add((key, spaced))
        self._dirty = True
        return known is None

    def add_terms(self, entries: Iterable[TermEntry]) -> int:
        """Add terms of lists (each scoring :data:`LIST_SCORE`); how many were new."""
        n = 0
        for e in entries:
            n += self._add(e.kind, e.tokens, e.spaced, e.lower, e.label, LIST_SCORE, e.origin)
        self.stats["from_lists"] += n
        return n

    @classmethod
    def from_project(
        cls, project: Project, *, annotator: str | None = None, gold: bool = False, kinds: Iterable[str] = DICTIONARY_KINDS
    ) -> DictionarySuggester:
        """The terms of ``annotator``'s layer (or the gold layer), scored by how
        often they carry their label in the layer's annotated documents."""
        self = cls()
        self.add_layer(project, GOLD if gold else annotator, kinds)
        return self

    def add_layer(self, project: Project, layer: str | None, kinds: Iterable[str] = DICTIONARY_KINDS) -> int:
        """Learn the terms of a layer (None: every annotator's but gold); how many terms."""
        kinds = tuple(k for k in kinds if k in DICTIONARY_KINDS)
        doc_ids = sorted(project.documents_with_annotations(kinds, layer))
        by_doc: dict[str, set[tuple[str, int, int, str]]] = {}
        counts: dict[tuple[str, tuple[str, ...], str], int] = defaultdict(int)
        origin = "annotations of " + ("the gold layer" if layer == GOLD else layer or "every annotator")
        new = 0
        texts: dict[str, str] = {}
        #: unfinished documents: where the annotator has read to (unlabelled occurrences further on do not count)
        read_to: dict[str, int] = {}
        finished = set(project.document_ids(status=FINISHED_STATUSES))  # one query, not one per document
        for i in range(0, len(doc_ids), 200):
            part = doc_ids[i : i + 200]
            part_texts, _ = project.document_texts(part)
            rows = project.annotation_rows_by_document(part, layer)
            for doc_id in part:
                text = part_texts[doc_id]
                spans = by_doc.setdefault(doc_id, set())
                if doc_id not in finished:
                    # read so far: up to the end of the layer's last span here
                    ends = [r.end for r in rows.get(doc_id, ()) if r.end is not None]
                    read_to[doc_id] = max(ends, default=0)
                for r in rows.get(doc_id, ()):
                    if r.kind not in kinds or r.start is None or r.end is None:
                        continue
                    if layer is None and r.annotator == GOLD:
                        continue
                    tokens, spaced = term_tokens(text[r.start : r.end])
                    if self._add(r.kind, tokens, spaced, False, r.label, 0.5, origin):
                        new += 1
                    counts[(r.kind, tokens, r.label)] += 1
                    spans.add((r.kind, r.start, r.end, r.label))
                texts[doc_id] = text
            self._calibrate(texts, by_doc, kinds, read_to)
            texts.clear()
        self._finish_calibration()
        self.stats["from_annotations"] += new
        return new

    def _calibrate(
        self,
        texts: Mapping[str, str],
        labelled: Mapping[str, set[tuple[str, int, int, str]]],
        kinds: tuple[str, ...],
        read_to: Mapping[str, int],
    ) -> None:
        """Count, over annotated documents, each term's occurrences and how many
        carry each label (the layer's own spans); in an unfinished document an
        unlabelled occurrence at or after ``read_to`` is not counted."""
        self._compile()
        for doc_id, text in texts.items():
            spans = labelled.get(doc_id, set())
            limit = read_to.get(doc_id)
            for kind in kinds:
                matcher = self._matchers.get((kind, False))
                if matcher is None or matcher.pattern is None:
                    continue
                for start, end, labels in self._matches(matcher, text):
                    hits = [info for label, info in labels.items() if (kind, start, end, label) in spans]
                    if not hits and limit is not None and start >= limit:
                        continue  # not read yet
                    occ = self._occurrences.setdefault(id(labels), [labels, 0])
                    occ[1] += 1
                    for info in hits:
                        info.count += 1

    def _finish_calibration(self) -> None:
        dropped = 0
        for labels, n in self._occurrences.values():
            for label, info in list(labels.items()):
                if info.origin.startswith("annotations of"):
                    info.score = round((info.count + 1) / (n + 2), 4)
                    if info.score < self.min_learned_score:
                        del labels[label]
                        dropped += 1
        if dropped:
            for matcher in self._matchers.values():
                gone = {key for key, labels in matcher.terms.items() if not labels}
                for key in gone:
                    del matcher.terms[key]
                matcher.shapes = {shape for shape in matcher.shapes if shape[0] not in gone}
            self._dirty = True
        self.stats["dropped"] = self.stats.get("dropped", 0) + dropped
        self._occurrences = {}

    def _compile(self) -> None:
        if self._dirty:
            for m in self._matchers.values():
                m.compile()
            self._dirty = False

    def __len__(self) -> int:
        return sum(len(labels) for m in self._matchers.values() for labels in m.terms.values())

    def details(self) -> set[str]:
        """The details its suggestions can have, as stored (JSON texts): one per
        origin of its terms."""
        return {info.detail_json for m in self._matchers.values() for labels in m.terms.values() for info in labels.values()}

    def labels(self) -> set[tuple[str, str]]:
        """The (kind, label) pairs it can suggest."""
        return {(kind, lab) for (kind, _), m in self._matchers.items() for labels in m.terms.values() for lab in labels}

    # -- matching -----------------------------------------------------------------
    @staticmethod
    def _matches(matcher: _Matcher, text: str) -> list[tuple[int, int, dict[str, _Label]]]:
        """(start, end, labels) of the whole-token occurrences of the matcher's terms,
        the longest at each place, left to right, not overlapping."""
        found: list[tuple[int, int, dict[str, _Label]]] = []
        if matcher.fast is not None:
            get = matcher.fast_terms.get
            # one comprehension (no Python loop body per match): the term as matched ...
            hits: list[tuple[int, int, dict[str, _Label] | None]]
            if matcher.lower:
                hits = [(m.start(), m.end(), get(m.group().lower())) for m in matcher.fast.finditer(text)]
            else:
                hits = [(m.start(), m.end(), get(m.group())) for m in matcher.fast.finditer(text)]
            if any(x[2] is None for x in hits):
                # ... but a term spelled with other whitespace than one space: its words joined by one
                for a, b, labels in hits:
                    if labels is None:
                        g = " ".join(text[a:b].split())
                        labels = get(g.lower() if matcher.lower else g)
                        if labels is None:
                            continue
                    found.append((a, b, labels))
            else:
                found = hits  # type: ignore[assignment]  # no None among them
        slow = [x for pattern in matcher.slow for x in _checked(pattern, matcher, text)]
        if slow:
            found = _longest(found + slow)
        return found

    def suggest(self, doc: Document) -> list[Suggestion]:
        return self.suggest_text(doc.id, doc.text)

    def suggest_text(self, doc_id: str, text: str) -> list[Suggestion]:
        """The suggestions for a document's text."""
        make = (
            Suggestion  # positional: the fields' order (doc_id, kind, label, start, end, score, suggester, claimant x3, detail)
        )
        return [
            make(doc_id, kind, label, s, e, score, NAME, None, None, None, detail)  # type: ignore[arg-type]
            for kind, label, s, e, score, detail in self.found(text)
        ]

    def found(self, text: str, *, encoded: bool = False) -> list[tuple[str, str, int, int, float, Any]]:
        """``(kind, label, start, end, score, detail)`` of every suggestion for
        ``text`` (what :meth:`suggest_text` makes :class:`Suggestion` s of; the
        article view and a run over a corpus use these as they are), in text
        order per kind.  ``encoded``: the detail as stored (a JSON string, one
        object per term and label)."""
        self._compile()
        out: list[tuple[str, str, int, int, float, Any]] = []
        for kind in DICTIONARY_KINDS:
            found: list[tuple[int, int, dict[str, _Label]]] = []
            modes = 0
            for lower in (False, True):
                matcher = self._matchers.get((kind, lower))
                if matcher is None or matcher.pattern is None:
                    continue
                modes += 1
                found += self._matches(matcher, text)
            if not found:
                continue
            if modes == 2:  # each mode's matches do not overlap; the two modes' may
                found = _longest(found)
            if encoded:
                out += [(kind, label, s, e, i.score, i.detail_json) for s, e, labels in found for label, i in labels.items()]
            else:
                out += [(kind, label, s, e, i.score, i.detail) for s, e, labels in found for label, i in labels.items()]
        return out

    def suggest_many(self, docs: Iterable[Document]) -> Iterator[list[Suggestion]]:
        for doc in docs:
            yield self.suggest(doc)


def _checked(pattern: re.Pattern[str], matcher: _Matcher, text: str) -> Iterator[tuple[int, int, dict[str, _Label]]]:
    """The pattern's matches that are whole tokens of a term (the tokenizer asked
    around each), the longest at each place."""
    terms, lower = matcher.terms, matcher.lower
    pos, n = 0, len(text)
    while pos < n:
        for m in pattern.finditer(text, pos):
            start, end = m.span()
            tokens = _tokens_at(text, start, end)
            if tokens is not None:
                key = tuple(text[a:b].lower() if lower else text[a:b] for a, b in tokens)
                if key in terms:
                    yield start, end, terms[key]
                    continue
            # The longest term here is not whole tokens: a shorter one at the same
            # place may be, and so may a term starting inside this match.
            while end > start:
                shorter = pattern.match(text, start, end - 1)
                end = shorter.end() if shorter else start
                tokens = _tokens_at(text, start, end) if end > start else None
                if tokens is not None:
                    key = tuple(text[a:b].lower() if lower else text[a:b] for a, b in tokens)
                    if key in terms:
                        yield start, end, terms[key]
                        break
            pos = end if end > start else start + 1
            break
        else:
            return


def _longest(found: list[tuple[int, int, dict[str, _Label]]]) -> list[tuple[int, int, dict[str, _Label]]]:
    """Of overlapping matches the longest (the first of equal ones); the same span from both modes merges."""
    merged: dict[tuple[int, int], dict[str, _Label]] = {}
    for s, e, labels in found:
        have = merged.setdefault((s, e), {})
        for label, info in labels.items():
            if label not in have or have[label].score < info.score:
                have[label] = info
    chosen: list[tuple[int, int, dict[str, _Label]]] = []
    starts: list[int] = []  # of the chosen spans, sorted; they never overlap
    ends: list[int] = []
    for (s, e), labels in sorted(merged.items(), key=lambda kv: (kv[0][0] - kv[0][1], kv[0][0])):
        i = bisect_right(starts, s)
        if (i and ends[i - 1] > s) or (i < len(starts) and starts[i] < e):
            continue
        starts.insert(i, s)
        ends.insert(i, e)
        chosen.append((s, e, labels))
    chosen.sort(key=lambda x: x[0])
    return chosen


# -- term files ---------------------------------------------------------------------
_TOKEN_ATTRS = {"LOWER": True, "ORTH": False, "TEXT": False}


def _kind_of(label: str, schema: LabelSchema) -> str | None:
    for kind in DICTIONARY_KINDS:
        if label in schema.labels(kind):
            return kind
    return None


def read_term_file(
    path: str | Path,
    schema: LabelSchema,
    *,
    label: str | None = None,
    label_map: Mapping[str, str | None] | None = None,
) -> list[TermEntry]:
    """The terms of a spaCy ``EntityRuler`` pattern file (``.jsonl``, ``.json``,
    ``.ndjson``, or any file whose first non-blank line starts with ``{``) or of
    a plain term list.  ``label``: the label of plain terms without one;
    ``label_map``: the file's labels to the schema's (a label mapped to None or
    ``""`` is left out).  Raises :class:`~annotator.formats.InputError` naming
    the file and line of the first problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(path, None, f"cannot read the term file ({err.strerror or err})") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(path, line, "not UTF-8 text (save the term file as UTF-8)") from None
    lines = content.splitlines()
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    patterns = path.suffix.lower() in (".jsonl", ".ndjson", ".json") or first.startswith("{")
    entries: list[TermEntry] = []
    known = [lab for k in DICTIONARY_KINDS for lab in schema.labels(k)]

    def resolve(given: str, lineno: int) -> tuple[str, str] | None:
        target: str | None = given
        if label_map is not None and given in label_map:
            target = label_map[given]
            if not target:
                return None
        assert target is not None
        kind = _kind_of(target, schema)
        if kind is None:
            mapped = f" (mapped from {given!r})" if target != given else ""
            raise InputError(
                path,
                lineno,
                f"label {target!r}{mapped} is not an entity label or event type of this project (labels: {', '.join(known)})",
                hint="map it with --label-map",
            )
        return kind, target

    for lineno, text_line in enumerate(lines, 1):
        stripped = text_line.strip()
        if not stripped or (not patterns and stripped.startswith("#")):
            continue
        if patterns:
            entry = _pattern_entry(path, lineno, stripped, resolve)
        else:
            entry = _plain_entry(path, lineno, text_line, label, resolve)
        if entry is not None:
            entries.append(entry)
    if not entries:
        raise InputError(path, None, "no terms in the file")
    return entries


def _pattern_entry(path: Path, lineno: int, line: str, resolve: Any) -> TermEntry | None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(path, lineno, f"not a JSON object ({err.msg} at column {err.colno})") from None
    if not isinstance(data, dict):
        raise InputError(path, lineno, 'a pattern is a JSON object with "label" and "pattern"')
    label, pattern = data.get("label"), data.get("pattern")
    if not isinstance(label, str) or not label.strip():
        raise InputError(path, lineno, 'the pattern has no "label" (a non-empty string)')
    if pattern is None:
        raise InputError(path, lineno, 'the pattern has no "pattern" (a phrase or a list of token specs)')
    resolved = resolve(label, lineno)
    origin = f"{path.name}:{lineno}"
    if isinstance(pattern, str):
        if not pattern.strip():
            raise InputError(path, lineno, "the phrase pattern is empty")
        tokens, spaced = term_tokens(pattern)
        lower = False
    elif isinstance(pattern, list):
        if not pattern:
            raise InputError(path, lineno, "the token pattern is an empty list")
        toks: list[str] = []
        modes: set[bool] = set()
        for i, spec in enumerate(pattern, 1):
            if not isinstance(spec, dict) or len(spec) != 1:
                raise InputError(
                    path, lineno, f"token {i} of the pattern: the dictionary takes tokens with exactly one of LOWER, ORTH or TEXT"
                )
            ((attr, value),) = spec.items()
            if attr.upper() not in _TOKEN_ATTRS:
                raise InputError(
                    path, lineno, f"token {i} of the pattern uses {attr!r}; the dictionary supports only LOWER, ORTH and TEXT"
                )
            if not isinstance(value, str) or not value:
                raise InputError(
                    path, lineno, f"token {i} of the pattern: {attr} must be a non-empty string (not {json.dumps(value)})"
                )
            modes.add(_TOKEN_ATTRS[attr.upper()])
            toks.append(value)
        if len(modes) > 1:
            raise InputError(
                path, lineno, "the pattern mixes LOWER with ORTH/TEXT tokens; the dictionary needs one of them per pattern"
            )
        lower = modes.pop()
        tokens = tuple(toks)
        spaced = (True,) * (len(tokens) - 1)
    else:
        raise InputError(path, lineno, '"pattern" must be a phrase (a string) or a list of token specs')
    if resolved is None:
        return None
    kind, target = resolved
    if lower:
        tokens = tuple(t.lower() for t in tokens)
    return TermEntry(tokens, spaced, lower, kind, target, origin)


def _plain_entry(path: Path, lineno: int, line: str, label: str | None, resolve: Any) -> TermEntry | None:
    term, sep, given = line.partition("\t")
    term = term.strip()
    given = given.strip()
    if sep and not given:
        raise InputError(path, lineno, "a tab but no label after it (write 'term<TAB>LABEL')")
    if not term:
        raise InputError(path, lineno, "no term before the tab")
    the_label = given or label
    if not the_label:
        raise InputError(path, lineno, f"no label for {term!r}: write 'term<TAB>LABEL', or give the list's label (--term-label)")
    resolved = resolve(the_label, lineno)
    if resolved is None:
        return None
    tokens, spaced = term_tokens(term)
    if not any(_WORDISH.search(t) for t in tokens):
        raise InputError(path, lineno, f"{term!r} has no letter or digit")
    kind, target = resolved
    return TermEntry(tokens, spaced, False, kind, target, f"{path.name}:{lineno}")
