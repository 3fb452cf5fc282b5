"""Tokens and sentences of canonical document text (for exports and suggestions).

Offsets are code points into the text, end-exclusive, like every offset in the
project.  Nothing here changes the text; tokens and sentences are views of it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

__all__ = ["Token", "tokenize", "token_spans", "tokens_from_spans", "cut_spans", "align_span", "sentences", "spacy_tokenize"]


class Token(NamedTuple):
    """One token: ``text == document[start:end]``; ``ws``: whitespace follows it."""

    text: str
    start: int
    end: int
    ws: bool
    id: int


def _char_class(code_points: Iterable[int]) -> str:
    """A regex character class for the given code points (ascending), as ranges."""
    parts = []
    for _, run in groupby(enumerate(code_points), lambda pair: pair[1] - pair[0]):
        first, *rest = (chr(cp) for _, cp in run)
        parts.append(re.escape(first) + (f"-{re.escape(rest[-1])}" if rest else ""))
    return f"[{''.join(parts)}]"


#: Clitics split off the word before them: the possessive and contracted verbs
#: ("China’s" -> "China" "’s", "we'll" -> "we" "'ll", either apostrophe, any case),
#: as in the Penn Treebank, OntoNotes and spaCy.
CLITICS = ("'s", "'d", "'m", "'ll", "'re", "'ve", "n't")
#: Percent signs, which stay with the number they follow ("70%", "3‰"), as
#: currency signs do ("50¢", "5€").
PERCENT_SIGNS = "%‰‱٪﹪％"


@cache
def _token_regex() -> re.Pattern[str]:
    # Combining marks (Mn, Mc, Me; variation selectors and keycaps included) exist
    # only in planes 0 and 1 and in the variation-selector supplement.
    planes = [*range(0x20000), *range(0xE0100, 0xE01F0)]
    # ... plus emoji skin tones and tag characters (flags such as England's).
    extend = _char_class(
        [cp for cp in planes if unicodedata.category(chr(cp))[0] == "M"] + [*range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)]
    )
    currency = _char_class([cp for cp in range(0x20000) if unicodedata.category(chr(cp)) == "Sc"])
    end = r"(?![^\W_])"  # the word ends here
    apostrophe = "['’]"
    tails = "|".join(c[1:] for c in CLITICS if c[0] == "'")
    tail = rf"(?i:{tails}){end}"  # of a clitic after an apostrophe ("n't" is the other)
    clitic = rf"(?<=\S){apostrophe}{tail}|[nN]{apostrophe}[tT]{end}"
    # A letter of a word, but not the "n" of a final "n't" (the clitic's); no
    # look-ahead for the other letters: this pattern's speed is the tokenizer's.
    letter = rf"(?:(?:[^\W_nN]|[nN](?!{apostrophe}[tT]{end}))(?:{extend}|[\u200c\u200d\u00ad])*)"
    join = rf"(?:[-‐‑.]|{apostrophe}(?!{tail})|(?<=\d),(?=\d))"
    initialism = rf"(?:[^\W\d_]\.){{2,}}{end}"
    # A currency sign (with a country's letters: "US$", "HK$") before a number,
    # a percent or currency sign after one, stay with it: "$55.09", "€2.4bn", "70%".
    money = rf"(?:[A-Z]{{1,3}})?{currency}(?=\d)"
    after_number = rf"(?:(?<=\d)(?:[{PERCENT_SIGNS}]|{currency}))"
    word = rf"(?:{money})?{letter}+(?:{join}{letter}+)*{after_number}?"
    regional = "[\U0001f1e6-\U0001f1ff]"
    cluster = rf"(?:{regional}{regional}|\S){extend}*(?:\u200d\S{extend}*)*"
    return re.compile(f"{initialism}|{clitic}|{word}|{cluster}")


#: A whitespace-separated chunk of ASCII letters and digits only: always exactly one token.
_SIMPLE = re.compile(r"(?<!\S)[A-Za-z0-9]+(?!\S)")
#: Any other whitespace-separated chunk.
_OTHER = re.compile(r"(?<!\S)(?![A-Za-z0-9]+(?!\S))\S+")


def token_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the token pattern's matches in ``text`` (the tokens of
    :func:`tokenize` before any boundary cuts), computed several times faster.

    The pattern never matches across whitespace and matches a chunk of ASCII
    letters and digits between whitespace as one token, so such chunks are taken
    as they are; only the other chunks go through the pattern, joined by single
    spaces in one pass (its look-arounds see a space where the text has some
    whitespace, which they treat alike), each distinct chunk once.  ``tests/core/test_tokenize.py`` checks
    the result equals the pattern's matches on the corpus and on random text.
    """
    out = [m.span() for m in _SIMPLE.finditer(text)]
    rest = [(m.group(), m.start()) for m in _OTHER.finditer(text)]
    if rest:
        # A chunk's tokens depend on the chunk alone (see token_ranks): each distinct
        # one goes through the pattern once, remembered across texts, where words
        # such as "said," or "“China" repeat (spaCy's tokenizer caches chunks too).
        # A full memo is replaced, never emptied: an export thread and the window
        # may tokenize at once, and each keeps the dict it started with.
        global _SPANS_MEMO
        memo = _SPANS_MEMO
        if len(memo) > _SPANS_MEMO_LIMIT:
            memo = _SPANS_MEMO = {}
        new = {chunk for chunk, _ in rest if chunk not in memo}
        if new:
            _remember(memo, new)
        for chunk, at in rest:
            out += [(a + at, b + at) for a, b in memo[chunk]]
        out.sort()
    return out


def cut_spans(spans: Iterable[tuple[int, int]], boundaries: Iterable[int]) -> list[tuple[int, int]]:
    """``(start, end)`` pieces cut at every boundary that falls inside one: the
    bounds of the tokens :func:`tokens_from_spans` makes from them (exports that write
    tokens as text use these instead of :class:`Token` objects)."""
    cuts = sorted(set(boundaries))
    if not cuts:
        return list(spans)
    out: list[tuple[int, int]] = []
    for start, end in spans:
        lo, hi = bisect_right(cuts, start), bisect_left(cuts, end)
        if lo < hi:
            inner = cuts[lo:hi]
            out.extend(zip([start, *inner], [*inner, end]))
        else:
            out.append((start, end))
    return out


def tokens_from_spans(text: str, spans: Iterable[tuple[int, int]], boundaries: Iterable[int]) -> list[Token]:
    """Tokens from ``(start, end)`` pieces, cut at every boundary inside a piece, numbered."""
    cuts = sorted(set(boundaries))
    tokens: list[Token] = []
    n = len(text)
    if not cuts:  # the common case, without the cutting machinery
        # tuple.__new__ skips the NamedTuple's Python-level constructor: half the cost per token.
        new = tuple.__new__
        tokens = [new(Token, (text[a:b], a, b, b < n and text[b].isspace(), i)) for i, (a, b) in enumerate(spans)]
        return tokens
    for start, end in spans:
        inner = cuts[bisect_right(cuts, start) : bisect_left(cuts, end)]
        for a, b in zip([start, *inner], [*inner, end]):
            ws = b < n and text[b].isspace()
            tokens.append(Token(text[a:b], a, b, ws, len(tokens)))
    return tokens


def tokenize(text: str, boundaries: Iterable[int] = ()) -> list[Token]:
    """The default tokenizer: simple, predictable, language-neutral rules.

    - Whitespace (``str.isspace``, newlines included) separates tokens and is
      never a token.
    - A word is a run of letters and digits (with their combining marks, ZWJ,
      ZWNJ and soft hyphens), where an apostrophe, a hyphen or a period between
      two such runs stays inside ("O'Neill", "Min-jun", "6.5", "A321"), and so
      does a comma between digits ("2,000").  Scripts written without spaces
      are not segmented further ("北京" is one token).
    - A clitic at the end of a word is a token of its own, as in the Penn
      Treebank and spaCy (see :data:`CLITICS`): "India’s" is "India" "’s",
      "don't" is "do" "n't", "we'll" is "we" "'ll".
    - Numbers keep their currency and percent signs: "$55.09", "US$1.2bn",
      "€2.4", "70%", "50¢" are one token each.
    - Initialisms keep their final period: "U.S.", "e.g.".
    - Every other character is a token on its own (a "%" or "$" not next to a
      number, quotes, brackets, a sentence-final "."), together with what Unicode
      attaches to it: an emoji with its skin tone and variation selector, ZWJ
      sequences such as "👨‍👩‍👧", a flag (a pair of regional indicators, or a tag
      sequence).
    - ``boundaries`` (code-point offsets, e.g. span starts and ends) cut any token
      they fall inside, so no token crosses a span boundary.

    ``Token.id`` is the token's index in the returned list.
    """
    return tokens_from_spans(text, token_spans(text), boundaries)


def align_span(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int] | None:
    """``(token_start, token_end)`` for a span, ``token_end`` INCLUSIVE (Prodigy style).

    ``None`` unless the span starts exactly at a token's start and ends exactly
    at a token's end.  ``tokens`` must be sorted, as :func:`tokenize` returns them.
    """
    if start >= end:
        return None
    first = bisect_left(tokens, start, key=attrgetter("start"))
    last = bisect_left(tokens, end, key=attrgetter("end"))
    if first >= len(tokens) or last >= len(tokens):
        return None
    if tokens[first].start != start or tokens[last].end != end:
        return None
    return tokens[first].id, tokens[last].id


_LINE_BREAKS = re.compile("[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
#: Whitespace-separated chunks; a CJK full stop (and closers) also ends a chunk.
_CHUNK = re.compile("[^\\s。！？]+(?:[。！？]+[」』”’）]*)?|[。！？]+[」』”’）]*")
_CJK_END = re.compile("[。！？][」』”’）]*$")
_END = re.compile("([.!?…]+)[\"'”’»)\\]]*$")
_OPENERS = "\"'“‘«([¿¡"
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+")
#: Words that end in a period without ending a sentence.
ABBREVIATIONS = frozenset(
    """mr. mrs. ms. dr. prof. sr. jr. st. mt. gen. col. lt. sgt. capt. adm. gov. sen. rep.
    rev. hon. pres. supt. no. nos. vol. fig. pp. approx. vs. jan. feb. mar. apr. jun. jul.
    aug. sep. sept. oct. nov. dec.""".split()
)


def _starts_sentence(chunk: str) -> bool:
    c = chunk[0]
    return c in _OPENERS or c.isdigit() or (c.isalpha() and not c.islower())


def _ends_sentence(chunk: str, following: str) -> bool:
    """Whether a sentence ends with ``chunk`` when ``following`` comes after whitespace."""
    end = _END.search(chunk)
    if end is None or not _starts_sentence(following):
        return False
    if set(end.group(1)) != {"."}:
        return True
    word = chunk[: end.start()].lstrip(_OPENERS) + "."
    return word.lower() not in ABBREVIATIONS and not _INITIALISM.fullmatch(word)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)``: rule-based, trimmed of whitespace.

    A line break (``\\n``, U+2028, U+2029, ...) always ends a sentence.  Within a
    line, a sentence ends after "." "!" "?" or "…" (and any closing quotes or
    brackets) followed by whitespace and then an uppercase or caseless letter, a
    digit, or an opening quote or bracket — unless the period ends a known
    abbreviation ("Mr.", "Dr.", "No.", "Oct.", see :data:`ABBREVIATIONS`) or an
    initial or initialism ("J.", "U.S.", "e.g.").  "。", "！" and "？" end a
    sentence even without whitespace.  Together the spans cover every
    non-whitespace character of ``text``.
    """
    spans: list[tuple[int, int]] = []
    chunks = list(_CHUNK.finditer(text))
    start = None
    for chunk, following in zip(chunks, [*chunks[1:], None]):
        if start is None:
            start = chunk.start()
        if following is None or _sentence_break(text, chunk, following):
            spans.append((start, chunk.end()))
            start = None
    return spans


def _sentence_break(text: str, chunk: re.Match[str], following: re.Match[str]) -> bool:
    gap = text[chunk.end() : following.start()]
    if _LINE_BREAKS.search(gap) or _CJK_END.search(chunk.group()):
        return True
    return bool(gap) and _ends_sentence(chunk.group(), following.group())


@cache
def _spacy_english():
    try:
        import spacy
    except ImportError:
        raise ImportError("spaCy is not installed: pip install 'annotator[spacy]'") from None
    return spacy.blank("en")


def spacy_tokenize(text: str, boundaries: Iterable[int] = ()) -> list[Token]:
    """Tokens from spaCy's blank English tokenizer (spaCy must be installed).

    Whitespace tokens that spaCy makes for runs of whitespace are left out, and
    ``boundaries`` cut tokens as in :func:`tokenize`.
    """
    doc = _spacy_english().make_doc(text)
    return tokens_from_spans(text, ((t.idx, t.idx + len(t)) for t in doc if not t.is_space), boundaries)


#: The whitespace-separated chunk from a position on.
_CHUNK_REST = re.compile(r"\S*")
#: Text up to and including its last whitespace character.
_UP_TO_SPACE = re.compile(r".*\s", re.DOTALL)
#: :func:`token_ranks` empties a memo that has grown beyond this many chunks.
_MEMO_LIMIT = 200_000
#: Token spans of the chunks :func:`token_spans` has met (emptied beyond the limit).
_SPANS_MEMO: dict[str, tuple[tuple[int, int], ...]] = {}
_SPANS_MEMO_LIMIT = 50_000


def _remember(memo: dict[str, tuple[tuple[int, int], ...]], chunks: Iterable[str]) -> None:
    """Add the token spans of each chunk (no whitespace in it) to ``memo``: one
    token for letters and digits only (``\\w`` is ``str.isalnum`` and ``_``, so
    the pattern's word takes the whole chunk), the others through the pattern in
    one pass, joined by single spaces (as in :func:`token_spans`)."""
    others = []
    for chunk in chunks:
        if chunk.isalnum():
            memo[chunk] = ((0, len(chunk)),)
        else:
            others.append(chunk)
    if not others:
        return
    matches = _token_regex().finditer(" ".join(others))
    m = next(matches, None)
    at = 0  # where the chunk starts in the joined text
    for chunk in others:
        end = at + len(chunk)
        mine = []
        while m is not None and m.start() < end:
            mine.append((m.start() - at, m.end() - at))
            m = next(matches, None)
        memo[chunk] = tuple(mine)
        at = end + 1


def _count_tokens(region: str, memo: dict[str, tuple[tuple[int, int], ...]]) -> int:
    """Tokens of ``region`` (which starts and ends at a chunk edge; its chunks are in ``memo``)."""
    return sum(map(len, map(memo.__getitem__, region.split())))


def token_ranks(
    text: str, cuts: Sequence[int], memo: dict[str, tuple[tuple[int, int], ...]] | None = None
) -> tuple[list[int], int]:
    """For ``tokens = tokenize(text, cuts)`` with ``cuts`` sorted and distinct: for
    each cut, how many tokens start before it; and ``len(tokens)``.  Nothing is
    built per token.

    The tokens of a whitespace-separated chunk depend on that chunk alone (the
    pattern never matches across whitespace and sees whitespace and the ends of
    the text alike, see :func:`token_spans`), so tokens are counted chunk by chunk
    and each distinct chunk is tokenized once: ``memo`` (chunk -> its token spans)
    may be shared by calls over many texts, where words repeat.
    ``tests/core/test_tokenize_ranks.py`` checks the result equals the counts over
    :func:`tokenize` on the corpus and on random text.
    """
    if memo is None:
        memo = {}
    elif len(memo) > _MEMO_LIMIT:
        memo.clear()
    new = set(text.split()).difference(memo)
    if new:
        _remember(memo, new)
    n = len(text)
    ranks: list[int] = []
    before = 0  # tokens of text[:pos]
    pos = 0  # 0, just after whitespace, or the start of a chunk: no token crosses it
    inside = 0  # cuts so far that fell strictly inside a token (each adds one)
    for c in cuts:
        if 0 < c <= n and not text[c - 1].isspace():
            m = _UP_TO_SPACE.match(text, pos, c)
            start = m.end() if m else pos  # start of the chunk holding text[c - 1]
            if start > pos:
                before += _count_tokens(text[pos:start], memo)
                pos = start
            spans = memo[text[start : _CHUNK_REST.match(text, start).end()]]  # type: ignore[union-attr]
            r = c - start
            k = bisect_left(spans, (r,))  # the chunk's tokens starting before c
            ranks.append(before + inside + k)
            if k and r < spans[k - 1][1]:
                inside += 1
        else:
            end = min(c, n)
            if end > pos:
                before += _count_tokens(text[pos:end], memo)
                pos = end
            ranks.append(before + inside)
    return ranks, before + _count_tokens(text[pos:], memo) + inside
