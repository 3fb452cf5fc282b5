"""Pausing Python's cyclic garbage collector around bulk work.

Imports, exports and agreement build hundreds of thousands of small objects that
form no reference cycles; every automatic collection walks all live objects
again (a fifth to a quarter of their time, benchmarks/RESULTS.md). Reference
counting still frees everything as usual while the collector is paused.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the collector for the block; nested and concurrent blocks (an export
    thread while the window computes agreement) share one pause, and the state the
    first one found is restored when the last one ends, also after errors."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
