"""Token boundaries of a selection or a span (pure, no Qt): snapping a selection
to whole tokens ("word snapping"), the token under a double-click, and moving a
span's start or end by code point or by token.

The tokens are the tokenizer's (:func:`annotator.core.tokenize.tokenize`), the
ones the exports write, so what a double-click selects, what snapping makes of a
selection and where a boundary move stops are token boundaries of the export:
"India’s" is "India" and "’s", "70%" and "$55.09" are one token each.

Offsets are code points into the stored text, end exclusive. A move never
makes a span empty and never leaves the text; a move that cannot happen
returns None.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from annotator.core.tokenize import CLITICS, token_spans

#: Characters either side of a place that are tokenized to find the tokens there.
WINDOW = 400
_SPACE = re.compile(r"\s")
#: Text up to and including its last whitespace character.
_UP_TO_SPACE = re.compile(r".*\s", re.DOTALL)


def tokens_near(text: str, start: int, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of the tokens of ``text`` from about :data:`WINDOW`
    characters before ``start`` to about as many after ``end`` (default:
    ``start``), exactly as :func:`~annotator.core.tokenize.tokenize` makes them.

    The tokens of a whitespace-separated chunk depend on that chunk alone, so
    the window is widened or narrowed to whitespace and only ``text[lo:hi]`` is
    tokenized. A chunk longer than the window (no whitespace in it) loses its
    tokens at the window's edge, which may be cut."""
    n = len(text)
    end = start if end is None else end
    lo, hi = max(0, start - WINDOW), min(n, end + WINDOW)
    cut_lo = cut_hi = False
    if lo > 0 and not text[lo - 1].isspace():
        m = _SPACE.search(text, lo, start)
        if m is not None:
            lo = m.start()
        else:
            cut_lo = True
    if hi < n and not text[hi].isspace():
        m = _UP_TO_SPACE.match(text, end, hi)
        if m is not None:
            hi = m.end() - 1
        else:
            cut_hi = True
    tokens = [(a + lo, b + lo) for a, b in token_spans(text[lo:hi])]
    if cut_lo and tokens:
        tokens = tokens[1:]
    if cut_hi and tokens:
        tokens = tokens[:-1]
    return tokens


def token_at(text: str, cp: int) -> tuple[int, int] | None:
    """The token holding the character at code point ``cp`` (None: whitespace,
    or outside the text)."""
    if not 0 <= cp < len(text) or text[cp].isspace():
        return None
    return _holding(tokens_near(text, cp), cp)


def word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Snap a selection to whole tokens ("word snapping").

    Leading and trailing whitespace is trimmed; a selection that starts or ends
    inside a token is extended to the whole token. A click (``start == end``)
    selects the token at that place: the one holding ``text[start]``, else the
    one ending there. Returns ``(start, start)`` when there is nothing but
    whitespace (or, for a click, no token at that place).
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span ({start}, {end}) is outside the text (0..{len(text)})")
    if start == end:  # a click: the token around it, if any
        token = token_at(text, start) or (token_at(text, start - 1) if start > 0 else None)
        return token if token is not None else (start, start)
    origin = start
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return origin, origin
    if end - start <= WINDOW:  # one window holds both ends
        tokens = tokens_near(text, start, end - 1)
        first, last = _holding(tokens, start), _holding(tokens, end - 1)
    else:
        first, last = token_at(text, start), token_at(text, end - 1)
    return (first[0] if first else start), (last[1] if last else end)


def word_at(text: str, cp: int) -> tuple[int, int] | None:
    """The token a double-click on code point ``cp`` selects: :func:`token_at`,
    except that a clitic attached to a word means that word ("Beijing" for a
    double-click on the "’s" of "Beijing’s", "do" in "don't"): nobody tags
    the clitic alone, and its own token is still reachable by boundary moves."""
    token = token_at(text, cp)
    if token is None:
        return None
    start, end = token
    if start == 0 or text[start - 1].isspace() or text[start:end].replace("\u2019", "'").lower() not in CLITICS:
        return token
    return token_at(text, start - 1) or token


def _holding(tokens: list[tuple[int, int]], cp: int) -> tuple[int, int] | None:
    """The token of ``tokens`` (sorted) that holds code point ``cp``."""
    i = bisect_right(tokens, (cp, float("inf"))) - 1
    return tokens[i] if i >= 0 and tokens[i][0] <= cp < tokens[i][1] else None


def token_step(text: str, start: int, end: int, which: str, outward_or_right: bool) -> tuple[int, int] | None:
    """One token move of a boundary ("start" moves left when not ``outward_or_right``)."""
    edge = start if which == "start" else end
    tokens = tokens_near(text, edge)
    starts = [t[0] for t in tokens]
    if which == "start":
        if outward_or_right:  # shrink: next token start inside the span
            i = bisect_left(starts, start + 1)
            if i < len(tokens) and tokens[i][0] < end:
                return tokens[i][0], end
            return None
        i = bisect_left(starts, start) - 1  # grow: previous token's start
        return (tokens[i][0], end) if i >= 0 else None
    ends = [t[1] for t in tokens]
    if outward_or_right:  # grow: next token end after the span
        i = bisect_left(ends, end + 1)
        return (start, tokens[i][1]) if i < len(tokens) else None
    i = bisect_left(ends, end) - 1  # shrink: previous token end inside the span
    if i >= 0 and tokens[i][1] > start:
        return start, tokens[i][1]
    return None


def move_boundary(text: str, span: tuple[int, int], which: str, delta: int, by_token: bool) -> tuple[int, int] | None:
    """``span`` after moving its ``which`` ('start' or 'end') boundary by ``delta``
    code points, or by ``delta`` tokens with ``by_token``. None if it cannot move
    (the span would become empty or leave the text)."""
    if which not in ("start", "end"):
        raise ValueError(f"which must be 'start' or 'end', not {which!r}")
    start, end = span
    if delta == 0:
        return None
    if not by_token:
        if which == "start":
            start = min(max(0, start + delta), end - 1)
        else:
            end = max(min(len(text), end + delta), start + 1)
    else:
        for _ in range(abs(delta)):
            moved = token_step(text, start, end, which, delta > 0)
            if moved is None:
                break
            start, end = moved
    return None if (start, end) == span else (start, end)
