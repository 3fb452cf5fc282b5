"""The crash harness's GUI driver: random annotation work through the real main
window (offscreen), by key presses and the window's own methods, as a user
would do it. Used by ``crashharness.py child ... gui``.

After each action has returned (its transaction committed), the rows it wrote
are read back from the project's history and logged; before it, the intent
says how many history rows the action writes if it is committed.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.core.store import Project  # noqa: E402

ACTOR = "crash-harness"
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


class GuiDriver:
    def __init__(self, project_path: Path, log: Any, seed: int):
        from annotator.ui.main_window import MainWindow

        self.app = QApplication.instance() or QApplication([])
        self.rng = random.Random(seed)
        self.log = log
        self.i = 0
        self.force: str | None = None
        self.project = Project(project_path)
        settings = QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(self.project, ACTOR, settings)
        self.window.resize(1000, 700)
        self.window.show()
        QApplication.processEvents()
        self.window.snap_action.setChecked(self.rng.random() < 0.5)
        schema = self.project.schema
        keys = self.shortcuts = schema.shortcuts()
        self.entity_keys = [k for k, (kind, _) in keys.items() if kind == "entity"]
        self.event_keys = [k for k, (kind, _) in keys.items() if kind == "event"]
        self.claim_keys = [k for k, (kind, _) in keys.items() if kind == "claim"]
        self.last_seq = self._max_seq()

    # -- helpers ------------------------------------------------------------------
    def _max_seq(self) -> int:
        return self.project._q("SELECT coalesce(max(seq), 0) FROM history").fetchone()[0]

    def _new_history(self) -> list[dict[str, Any]]:
        rows = self.project._q(
            "SELECT seq, action, doc_id, detail FROM history WHERE seq > ? ORDER BY seq", (self.last_seq,)
        ).fetchall()
        if rows:
            self.last_seq = rows[-1][0]
        out = []
        for _, action, doc_id, detail in rows:
            d = json.loads(detail)
            out.append({"action": action, "doc_id": doc_id, "rows": d.get("rows", {}), "status": d.get("status")})
        return out

    @property
    def view(self) -> Any:
        return self.window.article_view

    @property
    def ws(self) -> Any:
        return self.window.workspace

    def key(self, key: Any, mods: Any = Qt.KeyboardModifier.NoModifier) -> None:
        self.view.setFocus()
        QTest.keyClick(self.view, key, mods)
        QApplication.processEvents()

    def select_text(self) -> None:
        text = self.ws.text
        s = self.rng.randrange(0, max(1, len(text) - 1))
        self.view.select_span(s, min(len(text), s + self.rng.randint(1, 25)))

    def mine(self) -> list[Any]:
        return [a for a in self.ws.anns.values() if a.annotator == ACTOR]

    def undo_size(self, offset: int) -> int:
        """History rows that undoing (-1) or redoing (0) the stack's entry writes:
        one per core command, and one per part of a Macro (an argument made with
        a new entity); a merged entry (boundary nudges) holds several commands."""
        from crashharness import _count  # noqa: PLC0415 (next to this file)

        stack = self.window.undo_stack
        entry = stack.command(stack.index() + offset)
        return sum(_count(c) for c in getattr(entry, "commands", [])) if entry is not None else 0

    # -- one action ---------------------------------------------------------------
    def step(self) -> None:
        self.i += 1
        if self.ws.doc_id is None or self.rng.random() < 0.05:
            ids = self.project.document_ids()
            self.window.open_document(self.rng.choice(ids))
            QApplication.processEvents()
        r = self.rng.random()
        mine = self.mine()
        stack = self.window.undo_stack
        if r < 0.35:
            op, hist = "label-key", 1
            self.select_text()
            action = lambda: self.key(self.rng.choice(self.entity_keys + self.event_keys + self.claim_keys))  # noqa: E731
        elif r < 0.45 and mine:
            op, hist = "delete-key", 1
            self.ws.select_annotation(self.rng.choice(mine).id)
            action = lambda: self.key(Qt.Key.Key_Delete)  # noqa: E731
        elif r < 0.55 and mine:
            op, hist = "relabel-key", 1
            self.view.select_span(0, 0)
            self.ws.select_annotation(self.rng.choice(mine).id)
            action = lambda: self.key(self.rng.choice(self.entity_keys))  # noqa: E731
        elif r < 0.62 and mine:
            op, hist = "nudge-boundary", 1
            self.view.select_span(0, 0)
            self.ws.select_annotation(self.rng.choice(mine).id)
            action = lambda: self.key(  # noqa: E731
                self.rng.choice([Qt.Key.Key_Left, Qt.Key.Key_Right]),
                ALT | (SHIFT if self.rng.random() < 0.5 else Qt.KeyboardModifier.NoModifier),
            )
        elif r < 0.70 and any(a.kind == "event" for a in mine):
            op = "argument-with-new-entity"
            ev = self.rng.choice([a for a in mine if a.kind == "event"])
            self.ws.select_annotation(ev.id)
            et = self.project.schema.event_type(ev.label)
            role = self.rng.choice(et.roles)
            self.ws.add_argument(role.name)
            self.select_text()
            key = self.rng.choice(self.entity_keys)
            start, end = self.view.selection_span()
            # One Macro (the entity and the link), or the link alone when that
            # entity is there already (the workspace links the existing one).
            hist = 1 if self.ws._same_span("entity", self.shortcuts[key][1], start, end) else 2
            action = lambda: self.key(key)  # noqa: E731
        elif r < 0.85 and stack.canUndo():
            op, hist = "undo", self.undo_size(-1)
            action = lambda: self.key(Qt.Key.Key_Z, CTRL)  # noqa: E731
        elif r < 0.92 and stack.canRedo():
            op, hist = "redo", self.undo_size(0)
            action = lambda: self.key(Qt.Key.Key_Y, CTRL)  # noqa: E731
        elif r < 0.95:
            op, hist = "mark-done", 1
            action = lambda: self.key(Qt.Key.Key_D, CTRL)  # noqa: E731
        else:
            op, hist = "label-key", 1
            self.select_text()
            action = lambda: self.key(self.rng.choice(self.entity_keys))  # noqa: E731
        self.log.write(t="intent", i=self.i, op=op, hist=hist, gui=True)
        action()
        if self.ws.pick is not None:  # a pick the key did not complete: leave pick mode
            self.ws.cancel_pick()
        self.log.write(t="done", i=self.i, op=op, entries=self._new_history())
