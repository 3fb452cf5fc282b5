"""Bring the full-text index up to date in the window's idle moments.

An import or a merge stores documents without indexing them for search (indexing
costs more than storing: benchmarks/RESULTS.md, case 9). Searches are complete
anyway (they read documents not in the index directly), but slower on many of
them; so a moment after the window has loaded, or after an import, the index
catches up a slice (:data:`SLICE_CHARS` characters of text, a few tens of
milliseconds) per turn of the event loop, so typing and clicking go on between
slices. Each slice is one transaction of its own: a crash loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from annotator.core.errors import ProjectError

if TYPE_CHECKING:
    from annotator.core.store import Project

log = logging.getLogger(__name__)

#: Characters of text indexed per slice.
SLICE_CHARS = 400_000
#: Wait after the window loaded or an import, before the first slice (ms).
START_AFTER_MS = 1500
#: Wait before trying again when the project was busy (ms).
RETRY_AFTER_MS = 5000


class IndexCatchUp(QObject):
    """Indexes the project the window shows, a slice per idle moment, until done."""

    def __init__(self, window: QObject, project_of: Callable[[], Project | None]) -> None:
        super().__init__(window)
        self._project_of = project_of
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._slice)
        #: slices indexed so far (for tests)
        self.slices = 0

    def kick(self, delay_ms: int = START_AFTER_MS) -> None:
        """Start (or restart) catching up after ``delay_ms``."""
        self._timer.start(delay_ms)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def _slice(self) -> None:
        project = self._project_of()
        if project is None or project.readonly:
            return
        try:
            before = project.search_indexed_through()
            remaining = project.index_pending(max_chars=SLICE_CHARS)
        except ProjectError as err:  # busy (another process writing), closed meanwhile...
            log.info("search index: catching up later: %s", err)
            self._timer.start(RETRY_AFTER_MS)
            return
        if project.search_indexed_through() != before:
            self.slices += 1
        if remaining:
            self._timer.start(0)
