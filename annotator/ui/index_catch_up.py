"""Bring the full-text index up to date in the window's idle moments.

An import or a merge stores documents without indexing them for search (indexing
costs more than storing: benchmarks/RESULTS.md, case 9). Searches are complete
anyway (they read documents not in the index directly), but slower on many of
them; so a moment after the window has loaded, or after an import, the index
catches up a slice (about :data:`SLICE_MS` milliseconds) per turn of the event
loop, so typing and clicking go on between slices. A slice is the next so many
documents (:meth:`~annotator.core.store.Project.index_next`: no text read to plan
it, nothing counted), as many as the last slice's time says fit, starting small.
Each slice is one transaction of its own: a crash loses nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from annotator.core.errors import ProjectError

if TYPE_CHECKING:
    from annotator.core.store import Project

log = logging.getLogger(__name__)

#: Time one slice aims at (ms).
SLICE_MS = 12
#: Documents in the first slice after a kick (each next one at most 4 times as many).
FIRST_SLICE_DOCS = 16
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
        self._docs = FIRST_SLICE_DOCS

    def kick(self, delay_ms: int = START_AFTER_MS) -> None:
        """Start (or restart) catching up after ``delay_ms``."""
        self._docs = FIRST_SLICE_DOCS
        self._timer.start(delay_ms)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def _slice(self) -> None:
        project = self._project_of()
        if project is None or project.readonly:
            return
        try:
            t = time.perf_counter()
            indexed = project.index_next(self._docs)
            took = time.perf_counter() - t
        except ProjectError as err:  # busy (another process writing), closed meanwhile...
            log.info("search index: catching up later: %s", err)
            self._timer.start(RETRY_AFTER_MS)
            return
        if indexed is None:  # all indexed
            return
        self.slices += 1
        self._docs = max(1, min(self._docs * 4, int(self._docs * SLICE_MS / 1000 / max(took, 1e-4))))
        self._timer.start(0)
