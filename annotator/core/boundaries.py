"""Moving span boundaries: by code point or by token (pure, no Qt).

Offsets are code points into the stored text, end exclusive. A move never
makes a span empty and never leaves the text; a move that cannot happen
returns None.
"""

from __future__ import annotations

from bisect import bisect_left

from annotator.core.tokenize import tokenize

#: Characters either side of a boundary that are tokenized to find the next token.
WINDOW = 400


def token_step(text: str, start: int, end: int, which: str, outward_or_right: bool) -> tuple[int, int] | None:
    """One token move of a boundary ("start" moves left when not ``outward_or_right``)."""
    edge = start if which == "start" else end
    lo, hi = max(0, edge - WINDOW), min(len(text), edge + WINDOW)
    tokens = [(t.start + lo, t.end + lo) for t in tokenize(text[lo:hi])]
    if lo > 0 and tokens:
        tokens = tokens[1:]  # may be cut by the window
    if hi < len(text) and tokens:
        tokens = tokens[:-1]
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
