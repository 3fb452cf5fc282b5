"""Colours of coreference clusters in the chain view: distinct and stable.

Each cluster prefers one colour of :data:`CHAIN_COLORS` by a hash of its id
(so a cluster keeps its colour across sessions and while other clusters come
and go); clusters are given colours in the order they were made, and one whose
preferred colour is taken by an earlier cluster of the document takes the next
free one.  Only when a document has more clusters than colours do two share one.
Pure Python (no Qt), so it is cheap to import and easy to test.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

__all__ = ["CHAIN_COLORS", "UNCHAINED_COLOR", "cluster_colors"]

#: Well-separated saturated colours (after Kelly's and Glasbey's lists): strong
#: enough as underlines and as tints behind text on light and dark backgrounds.
CHAIN_COLORS: tuple[str, ...] = (
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#0aa5c0",
    "#f032e6",
    "#469990",
    "#9a6324",
    "#800000",
    "#808000",
    "#000075",
    "#6b8e23",
    "#c71585",
    "#2f4f4f",
    "#d2691e",
)
#: Entity spans in no cluster, while the chain view is on.
UNCHAINED_COLOR = "#9e9e9e"


def _preferred(cluster_id: str) -> int:
    return zlib.crc32(cluster_id.encode("utf-8")) % len(CHAIN_COLORS)


def cluster_colors(cluster_ids: Iterable[str]) -> dict[str, str]:
    """``{cluster id: colour}`` for a document's clusters, given in the order they were made."""
    out: dict[str, str] = {}
    taken: set[int] = set()
    n = len(CHAIN_COLORS)
    for cid in cluster_ids:
        slot = _preferred(cid)
        if len(taken) < n:
            while slot in taken:
                slot = (slot + 1) % n
            taken.add(slot)
        out[cid] = CHAIN_COLORS[slot]
    return out
