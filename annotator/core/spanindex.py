"""An index of annotated spans: what covers a point, what overlaps a range.

Used by views that draw thousands of spans and need, for each visible
paragraph, only the spans that touch it.  Pure Python, no Qt.

Spans are kept in length classes: class ``k`` holds spans whose length is in
``(2**(k-1), 2**k]``, sorted by start.  A span of class ``k`` that overlaps
``[start, end)`` starts in ``(start - 2**k, end)``, so a range query is two
bisections per class plus a filter over candidates that almost all match.
Adding or removing one span is a bisection and a list insert: no rebuild.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Iterator
from itertools import repeat
from operator import and_, attrgetter, lshift, or_, rshift, sub
from typing import TYPE_CHECKING, TypeVar

from annotator.core.kinds import all_spans, has_span

if TYPE_CHECKING:
    from annotator.core.models import Annotation, SpanAnnotation

__all__ = ["SpanIndex", "stack_lanes", "KIND_ORDER"]

#: Order of kinds among spans of equal length (entities are "innermost").
KIND_ORDER = {"entity": 0, "event": 1, "claim": 2}

K = TypeVar("K", bound=Hashable)


def _length_class(length: int) -> int:
    return (length - 1).bit_length()


def _shortest_first(ann: Annotation) -> tuple[int, int, int, str]:
    assert ann.start is not None and ann.end is not None  # only spans are indexed
    return (ann.end - ann.start, KIND_ORDER.get(ann.kind, 3), ann.start, ann.id)


class SpanIndex:
    """Annotations with a span (entities, events, claims), by position.

    Relations (no span) are refused; keep them elsewhere.  Ids are unique:
    :meth:`add` of an id already present replaces that annotation.
    """

    __slots__ = ("_starts", "_items", "_by_id")

    def __init__(self, annotations: Iterable[Annotation] = (), text_length: int | None = None):
        """Index ``annotations``; with ``text_length`` every span must lie in ``[0, text_length]``."""
        self._starts: list[list[int]] = []
        self._items: list[list[SpanAnnotation]] = []
        anns = list(annotations)
        self._by_id: dict[str, Annotation] = dict(zip(map(_get_id, anns), anns))
        if len(self._by_id) != len(anns):  # repeated ids: the last one wins, as with add()
            anns = list(self._by_id.values())
        self._build(anns, text_length)

    def _build(self, anns: list[Annotation], text_length: int | None) -> None:
        # Bulk build without a Python-level loop per span (this runs for every
        # document opened): each span becomes one integer
        #     length class << 60 | start << 24 | position in ``anns``,
        # the integers are sorted, and each length class is a run of them.
        if not all_spans(anns):
            raise _unindexable(next(a for a in anns if not has_span(a)))
        starts = list(map(_get_start, anns))
        ends = list(map(_get_end, anns))
        if anns:
            lengths = list(map(sub, ends, starts))
            if min(lengths) <= 0 or min(starts) < 0 or (text_length is not None and max(ends) > text_length):
                limit = max(ends) if text_length is None else text_length
                bad = next(a for a in anns if not 0 <= a.start < a.end <= limit)
                raise ValueError(f"annotation {bad.id} has span ({bad.start}, {bad.end}) outside the text")
            if len(anns) >= _MAX_SPANS or max(ends) >= _MAX_START:
                raise ValueError("too many spans or too long a text for the span index")
        classes = list(map(int.bit_length, map(sub, map(sub, ends, starts), repeat(1))))
        keys = list(map(or_, map(or_, map(lshift, classes, repeat(60)), map(lshift, starts, repeat(24))), range(len(anns))))
        keys.sort()
        for k in range(max(classes, default=-1) + 1):
            lo, hi = bisect_left(keys, k << 60), bisect_left(keys, (k + 1) << 60)
            part = keys[lo:hi]
            self._starts.append(list(map(and_, map(rshift, part, repeat(24)), repeat(_MAX_START - 1))))
            self._items.append(list(map(anns.__getitem__, map(and_, part, repeat(_MAX_SPANS - 1)))))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, ann_id: object) -> bool:
        return ann_id in self._by_id

    def __iter__(self) -> Iterator[Annotation]:
        return iter(self._by_id.values())

    def get(self, ann_id: str) -> Annotation | None:
        return self._by_id.get(ann_id)

    def add(self, ann: Annotation) -> None:
        """Add ``ann`` (replacing an annotation with the same id)."""
        if not has_span(ann):
            raise _unindexable(ann)
        if ann.id in self._by_id:
            self.remove(ann.id)
        k = _length_class(ann.end - ann.start)
        while len(self._items) <= k:
            self._items.append([])
            self._starts.append([])
        starts, items = self._starts[k], self._items[k]
        i = bisect_right(starts, ann.start)
        starts.insert(i, ann.start)
        items.insert(i, ann)
        self._by_id[ann.id] = ann

    def remove(self, ann_id: str) -> Annotation | None:
        """Remove and return the annotation with this id (None if absent)."""
        ann = self._by_id.pop(ann_id, None)
        if ann is None:
            return None
        start, end = ann.bounds  # every indexed annotation has one (add() and __init__ refuse others)
        k = _length_class(end - start)
        starts, items = self._starts[k], self._items[k]
        i = bisect_left(starts, start)
        while items[i].id != ann_id:
            i += 1
        del starts[i], items[i]
        return ann

    def overlapping(self, start: int, end: int) -> list[Annotation]:
        """Spans with at least one code point in ``[start, end)``, by start (longest first on ties)."""
        if end <= start:
            return []
        out: list[Annotation] = []
        for k, starts in enumerate(self._starts):
            if not starts:
                continue
            lo = bisect_right(starts, start - (1 << k))
            hi = bisect_left(starts, end, lo)
            if lo < hi:
                out.extend(a for a in self._items[k][lo:hi] if a.end > start)
        out.sort(key=_outer_first)
        return out

    def at(self, cp: int) -> list[Annotation]:
        """Spans covering code point ``cp`` (``start <= cp < end``), shortest first."""
        found = self.overlapping(cp, cp + 1)
        found.sort(key=_shortest_first)
        return found


_MAX_SPANS = 1 << 24
_MAX_START = 1 << 36
_get_id = attrgetter("id")
_get_start = attrgetter("start")
_get_end = attrgetter("end")


def _unindexable(ann: Annotation) -> ValueError:
    return ValueError(f"annotation {ann.id} ({ann.kind}) has no span and cannot be indexed")


def _outer_first(ann: Annotation) -> tuple[int, int, int, str]:
    assert ann.start is not None and ann.end is not None  # only spans are indexed
    return (ann.start, -ann.end, KIND_ORDER.get(ann.kind, 3), ann.id)


def stack_lanes(spans: Iterable[tuple[int, int, K]]) -> dict[K, int]:
    """Lanes for drawing overlapping spans as stacked lines: overlapping spans
    never share a lane; an enclosing span gets a lower lane than the spans
    inside it.  ``spans`` are ``(start, end, key)``; returns key -> lane (0, 1, ...).
    """
    lane_ends: list[int] = []
    out: dict[K, int] = {}
    for start, end, key in sorted(spans, key=lambda s: (s[0], -s[1])):
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane] = end
                out[key] = lane
                break
        else:
            out[key] = len(lane_ends)
            lane_ends.append(end)
    return out
