"""Start-up probe, run as its own process: ``python -m benchmarks.probe bare|widgets|app [PROJECT]``.

``bare`` shows an empty ``QMainWindow``; ``widgets`` a main window made of the
Qt classes the annotator window uses, without annotator code; ``app`` starts the real application
as the ``annotator`` command does (``annotator.cli.main``: the core and its libraries
are imported before Qt, the project is checked, then ``annotator.ui.app.run``) on PROJECT (or the default project).  All install
the same hook before Qt is used: ``QApplication`` is replaced by a subclass
that notes when it is made, and ``QMainWindow.show`` by one that watches the
window for its first paint, then for the first moment the event loop goes
idle (nothing left to do: the window answers input).  The paint is watched on
the window only, not by a filter on the whole application: a filter written in
Python is handed every event of every object, and the first event of an object
of one of Qt's internal classes (a text edit's text control) makes PySide build
the Python type of every Qt class loaded (125 enum classes, 40-60 ms) in the
``widgets`` and ``app`` starts but not in ``bare``: a cost of the probe, not of
the window (benchmarks/RESULTS.md, case 8).  The
probe prints one JSON line with wall-clock times (``time.time()``, comparable
with the parent's clock), resident memory, and what the window shows, then
leaves at once with ``os._exit``.  ``ANNOTATOR_BENCH_PROFILE=FILE`` writes a
cProfile of the start to FILE (``python -m pstats FILE``), until the event loop
is idle, or until the first paint with ``ANNOTATOR_BENCH_PROFILE_TO=paint``.
"""

from __future__ import annotations

import json
import os
import sys
import time

T_MAIN = time.time()

#: ``ANNOTATOR_BENCH_PROFILE=FILE`` profiles the start (cProfile) into FILE.
_PROFILE = os.environ.get("ANNOTATOR_BENCH_PROFILE")
if _PROFILE:
    import cProfile

    _profiler = cProfile.Profile()
    _profiler.enable()

#: ``ANNOTATOR_BENCH_PROFILE_TO=paint`` stops the profile at the first paint instead of at idle.
_PROFILE_TO_PAINT = os.environ.get("ANNOTATOR_BENCH_PROFILE_TO") == "paint"

_state: dict = {"main": T_MAIN}


def _install() -> None:
    """Import Qt and put the watching ``QApplication`` in its place (before the
    app module binds the name)."""
    from PySide6 import QtWidgets
    from PySide6.QtCore import QAbstractEventDispatcher, QEvent, QObject

    def window_facts(win: QtWidgets.QMainWindow) -> dict:
        views = win.findChildren(QtWidgets.QAbstractItemView)
        rows = 0
        for v in views:
            model = v.model()
            if model is not None:
                rows = max(rows, model.rowCount())
        return {"title": win.windowTitle(), "item_view_rows": rows, "visible": win.isVisible()}

    def finish() -> None:
        win = _state.get("window")
        workspace = getattr(win, "workspace", None)
        if workspace is not None and not getattr(workspace, "loaded", True):
            return  # the app loads its annotations right after the first paint: usable once loaded
        _state["idle"] = time.time()
        if _PROFILE and not _PROFILE_TO_PAINT:
            _profiler.disable()
            _profiler.dump_stats(_PROFILE)
        from benchmarks.harness import rss_mb  # only now: its imports must not count

        cur, peak = rss_mb()
        _state["rss_mb"], _state["peak_rss_mb"] = cur, peak
        win = _state.pop("window", None)
        if win is not None:
            _state.update(window_facts(win))
        sys.stdout.write("@@probe@@ " + json.dumps(_state) + "\n")
        sys.stdout.flush()
        os._exit(0)

    paint = QEvent.Type.Paint

    class Watcher(QObject):
        """On a shown main window: its first paint (a window paints itself before its children)."""

        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if event.type() == paint and "paint" not in _state:
                _state["paint"] = time.time()
                _state["cpu_paint_ms"] = time.process_time() * 1000  # CPU time of the process so far
                if _PROFILE and _PROFILE_TO_PAINT:
                    _profiler.disable()
                    _profiler.dump_stats(_PROFILE)
                _state["window"] = obj
                obj.removeEventFilter(self)
                QAbstractEventDispatcher.instance().aboutToBlock.connect(finish)
            return False

    watcher = Watcher()
    show = QtWidgets.QMainWindow.show

    def show_watched(win: QtWidgets.QMainWindow) -> None:
        win.installEventFilter(watcher)
        show(win)

    QtWidgets.QMainWindow.show = show_watched
    base = QtWidgets.QApplication

    class ProbeApplication(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _state["qapp"] = time.time()

    QtWidgets.QApplication = ProbeApplication  # the app module imports it after this


def bare() -> int:
    _install()
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication(sys.argv[:1])
    win = QtWidgets.QMainWindow()
    win.setWindowTitle("bare")
    win.resize(1280, 800)
    win.show()
    return app.exec()


def widgets() -> int:
    """The Qt classes the annotator window is made of, without annotator: a
    read-only QTextEdit with the demo article, five dock widgets (a table view,
    a list, a tree, an undo view, a form with a combo box, line edit and
    buttons), menus with 60 actions with shortcuts, a toolbar and a status bar.
    What Qt alone costs for such a window (its classes' first use in PySide6
    creates their Python enum classes)."""
    _install()
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel, QTextOption, QUndoStack
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QApplication,
        QComboBox,
        QDockWidget,
        QFormLayout,
        QFrame,
        QHeaderView,
        QLineEdit,
        QListWidget,
        QMainWindow,
        QPushButton,
        QTableView,
        QTextEdit,
        QToolBar,
        QTreeWidget,
        QUndoView,
        QWidget,
    )

    from benchmarks.harness import REPO

    app = QApplication(sys.argv[:1])
    win = QMainWindow()
    win.setWindowTitle("widgets")
    win.resize(1280, 800)
    text = QTextEdit()
    text.setReadOnly(True)
    text.setAcceptRichText(False)
    text.setFrameShape(QFrame.Shape.NoFrame)
    text.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
    text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    seed = next((REPO / "seeds").glob("*.txt"))
    text.setPlainText(seed.read_text(encoding="utf-8"))
    win.setCentralWidget(text)
    model = QStandardItemModel(1, 3)
    for c in range(3):
        model.setItem(0, c, QStandardItem(f"cell {c}"))
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    form_box = QWidget()
    form = QFormLayout(form_box)
    combo = QComboBox()
    combo.addItems(["PERSON", "ORG", "GPE"])
    form.addRow("Label", combo)
    form.addRow("Text", QLineEdit())
    form.addRow(QPushButton("Apply"), QPushButton("Delete"))
    stack = QUndoStack(win)
    areas = [Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea]
    for i, (title, w) in enumerate(
        [
            ("Documents", table),
            ("Labels", QListWidget()),
            ("Annotations", QTreeWidget()),
            ("Inspector", form_box),
            ("History", QUndoView(stack)),
        ]
    ):
        dock = QDockWidget(title, win)
        dock.setObjectName(title)
        dock.setWidget(w)
        win.addDockWidget(areas[i % 2], dock)
    toolbar = QToolBar("Tools", win)
    win.addToolBar(toolbar)
    for m in range(6):
        menu = win.menuBar().addMenu(f"Menu {m}")
        for i in range(10):
            action = QAction(f"Action {m}.{i}", win)
            action.setShortcut(QKeySequence(f"Ctrl+Shift+{chr(65 + (m * 10 + i) % 26)}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            menu.addAction(action)
            if i < 2:
                toolbar.addAction(action)
    win.statusBar().showMessage("ready")
    win.show()
    return app.exec()


def real(project: str | None) -> int:
    # What the command imports before it starts the app (the store and the
    # models, to open the project): here too before Qt, as in the real start.
    import annotator.services.project  # noqa: F401
    from annotator.cli import start  # the `annotator` command

    _install()
    import annotator.ui.app  # noqa: F401 (imported here by the command too, just later)

    _state["imported"] = time.time()
    return start(["open", project] if project else []) or 0


if __name__ == "__main__":
    mode = sys.argv[1]
    arg = sys.argv[2] if len(sys.argv) > 2 else None
    sys.exit(bare() if mode == "bare" else widgets() if mode == "widgets" else real(arg))
