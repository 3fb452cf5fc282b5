"""Undo and redo say what they did in the status bar (issue 12, defect 5)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.ui.main_window import MainWindow

ME = "maria"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, window):
    window.activateWindow()
    qtbot.waitActive(window)
    window.article_view.setFocus()
    return window


def status(w: MainWindow) -> str:
    return w.statusBar().currentMessage()


def test_undo_and_redo_say_what_they_did(qtbot, window):
    project, doc = window.project, window.current_doc_id
    assert project is not None and doc is not None
    start = window.workspace.text.index("Beijing")
    window.article_view.select_span(start, start + len("Beijing"))
    qtbot.keyClick(window.article_view, "o")  # ORG
    [ann] = project.annotations(doc, annotator=ME)
    assert ann.label == "ORG"
    assert "Undid" not in status(window)

    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, CTRL)
    assert project.annotations(doc, annotator=ME) == []
    assert status(window) == "Undid: add entity ORG “Beijing”"

    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert [a.id for a in project.annotations(doc, annotator=ME)] == [ann.id]
    assert status(window) == "Redid: add entity ORG “Beijing”"

    qtbot.keyClick(window.article_view, Qt.Key.Key_Y, CTRL)
    assert status(window) == "Nothing to redo."

    # The Edit menu names the step too.
    assert window.undo_action.text() == "&Undo add entity ORG “Beijing”"

    window.workspace.select_annotation(ann.id)
    qtbot.keyClick(window.article_view, Qt.Key.Key_Delete)
    assert project.annotations(doc, annotator=ME) == []
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, CTRL)
    assert status(window) == "Undid: delete ORG “Beijing”"
    assert len(project.annotations(doc, annotator=ME)) == 1

    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, CTRL)
    assert status(window) == "Undid: add entity ORG “Beijing”"
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, CTRL)  # the stack is empty now
    assert status(window) == "Nothing to undo."
    assert project.annotations(doc, annotator=ME) == []


def test_undo_from_the_history_pane_says_what_it_undid(qtbot, window):
    """Clicking an earlier entry in Undo history undoes the steps after it."""
    project, doc = window.project, window.current_doc_id
    for word in ("Beijing", "India"):
        start = window.workspace.text.index(word)
        window.article_view.select_span(start, start + len(word))
        qtbot.keyClick(window.article_view, "g")  # GPE
    assert len(project.annotations(doc, annotator=ME)) == 2
    window.docks["history"].show()
    view = window.undo_view
    qtbot.waitUntil(lambda: view.isVisible())
    first = view.model().index(0, 0)  # "<empty>": before both
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(first).center())
    assert project.annotations(doc, annotator=ME) == []
    assert status(window) == "Undid: add entity GPE “Beijing”"
