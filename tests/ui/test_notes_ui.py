"""Notes in the app (issue 14), through the real widgets: the inspector's note of
the selected annotation and of the open document, saved on Ctrl+Enter or when
the field loses the focus, one undo step each; shown on hover in the text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QHelpEvent, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

ME = "maria"


@pytest.fixture
def window(window):
    yield window
    QToolTip.hideText()


CTRL = Qt.KeyboardModifier.ControlModifier


def tag(qtbot, window, phrase: str, key: str) -> str:
    """Select ``phrase`` in the text and press a label key; the new annotation's id."""
    start = window.workspace.text.index(phrase)
    window.article_view.select_span(start, start + len(phrase))
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, key)
    return next(a.id for a in window.workspace.anns.values() if a.start == start and a.end == start + len(phrase))


def hover_text(qtbot, window, cp: int) -> str:
    view = window.article_view
    cursor = QTextCursor(view.document())
    cursor.setPosition(window.workspace.posmap.to_qt(cp))
    pos = view.cursorRect(cursor).center()
    pos.setX(pos.x() + 3)
    QToolTip.hideText()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QHelpEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos)))
    qtbot.waitUntil(QToolTip.isVisible)
    return QToolTip.text()


def test_a_note_on_an_annotation_typed_in_the_inspector_undone_and_shown_on_hover(qtbot, window, project):
    ann_id = tag(qtbot, window, "Randhir Jaiswal", "p")
    ins = window.inspector
    box = ins.note_box
    assert box.isVisible() and box.isEnabled() and box.edit.toPlainText() == ""
    assert box.type_box.currentText() == "AnnotatorNotes"
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, "spokesperson <b>of</b> the MEA")
    assert project.notes(window.workspace.doc_id) == []  # not before Ctrl+Enter or leaving the field
    qtbot.keyClick(box.edit, Qt.Key.Key_Return, CTRL)
    [note] = project.notes(window.workspace.doc_id)
    assert (note.target, note.type, note.text, note.annotator) == (ann_id, "AnnotatorNotes", "spokesperson <b>of</b> the MEA", ME)
    assert window.undo_action.text().endswith("add note")
    # shown on hover over the annotation, literally
    start = window.workspace.text.index("Randhir Jaiswal")
    tip = hover_text(qtbot, window, start + 2)
    assert "note:" in tip and "spokesperson &lt;b&gt;of&lt;/b&gt; the MEA" in tip
    # edit: the field, then leaving it (a click in the text) saves
    box.edit.setFocus()
    box.edit.selectAll()
    qtbot.keyClicks(box.edit, "spokesperson")
    window.article_view.setFocus()
    assert project.notes(window.workspace.doc_id)[0].text == "spokesperson"
    # undo twice: the first text, then no note; redo
    window.undo_action.trigger()
    assert project.notes(window.workspace.doc_id)[0].text == "spokesperson <b>of</b> the MEA"
    assert box.edit.toPlainText() == "spokesperson <b>of</b> the MEA"
    window.undo_action.trigger()
    assert project.notes(window.workspace.doc_id) == [] and box.edit.toPlainText() == ""
    assert "note:" not in hover_text(qtbot, window, start + 2)
    window.redo_action.trigger()
    assert box.edit.toPlainText() == "spokesperson <b>of</b> the MEA"
    # emptying the field deletes the note
    box.edit.setFocus()
    box.edit.selectAll()
    qtbot.keyClick(box.edit, Qt.Key.Key_Delete)
    qtbot.keyClick(box.edit, Qt.Key.Key_Return, CTRL)
    assert project.notes(window.workspace.doc_id) == []
    assert window.undo_action.text().endswith("delete note")


def test_esc_puts_back_the_saved_note_and_other_types(qtbot, window, project):
    ann_id = tag(qtbot, window, "China", "g")
    box = window.inspector.note_box
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, "the state")
    qtbot.keyClick(box.edit, Qt.Key.Key_Return, CTRL)
    qtbot.keyClicks(box.edit, " and more")
    qtbot.keyClick(box.edit, Qt.Key.Key_Escape)
    assert box.edit.toPlainText() == "the state"
    # another type: typed into the type box, its own note
    box.type_box.setFocus()
    box.type_box.lineEdit().selectAll()
    qtbot.keyClicks(box.type_box, "Todo")
    assert box.edit.toPlainText() == ""
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, "check with the desk")
    window.article_view.setFocus()
    notes = {(n.target, n.type): n.text for n in project.notes(window.workspace.doc_id)}
    assert notes == {(ann_id, "AnnotatorNotes"): "the state", (ann_id, "Todo"): "check with the desk"}
    tip = hover_text(qtbot, window, window.workspace.text.index("China") + 1)
    assert "note (Todo):" in tip and "check with the desk" in tip


def test_the_document_note_stays_visible_and_follows_the_document(qtbot, window, project):
    doc_box = window.inspector.doc_note_box
    assert doc_box.isVisible() and doc_box.isEnabled()
    doc_box.edit.setFocus()
    qtbot.keyClicks(doc_box.edit, "the date in the dateline is wrong")
    QTest.mouseClick(window.article_view.viewport(), Qt.MouseButton.LeftButton)  # leaving the field saves
    doc_id = window.workspace.doc_id
    [note] = project.notes(doc_id)
    assert (note.target, note.text) == ("", "the date in the dateline is wrong")
    # with an annotation selected too
    tag(qtbot, window, "China", "g")
    assert doc_box.isVisible() and doc_box.edit.toPlainText() == "the date in the dateline is wrong"
    # another document has its own (none); back again
    from annotator.core.models import Document

    with project.transaction():
        project.add_document(Document(id="other", text="Another article."), [])
    window.doc_list.set_project(project, ME, labels=window.workspace.loaded)
    assert window.open_document("other")
    assert doc_box.edit.toPlainText() == ""
    assert window.open_document(doc_id)
    assert doc_box.edit.toPlainText() == "the date in the dateline is wrong"
    window.undo_action.trigger()  # the label
    window.undo_action.trigger()  # the note
    assert project.notes(doc_id) == [] and doc_box.edit.toPlainText() == ""


def test_a_deleted_annotation_takes_its_note_along_and_undo_brings_both(qtbot, window, project):
    ann_id = tag(qtbot, window, "Jaiswal", "p")
    box = window.inspector.note_box
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, "surname only")
    qtbot.keyClick(box.edit, Qt.Key.Key_Return, CTRL)
    window.workspace.select_annotation(ann_id)
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, Qt.Key.Key_Delete)
    assert ann_id not in window.workspace.anns and project.notes(window.workspace.doc_id) == []
    window.undo_action.trigger()
    assert window.workspace.notes_of(ann_id) == {"AnnotatorNotes": "surname only"}
    window.workspace.select_annotation(ann_id)
    assert box.edit.toPlainText() == "surname only"


def test_the_search_pane_finds_notes_and_enter_selects_the_noted_annotation(qtbot, window, project):
    ann_id = tag(qtbot, window, "Randhir Jaiswal", "p")
    box = window.inspector.note_box
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, "Spokesperson of the MEA since 2024")
    qtbot.keyClick(box.edit, Qt.Key.Key_Return, CTRL)
    window.workspace.select_annotation(None)
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, Qt.Key.Key_F, CTRL | Qt.KeyboardModifier.ShiftModifier)
    pane = window.search_pane
    pane.scope.setCurrentIndex(pane.scope.findData("notes"))
    pane.edit.setFocus()
    qtbot.keyClicks(pane.edit, "mea since")
    qtbot.waitUntil(lambda: pane.done and pane.count == 1)
    [item] = pane.hit_items()
    assert item.text(0) == "AnnotatorNotes on entity PERSON “Randhir Jaiswal”: Spokesperson of the [MEA since] 2024"
    assert not pane.annotate_button.isEnabled()
    pane.tree.setCurrentItem(item)
    pane.tree.setFocus()
    qtbot.keyClick(pane.tree, Qt.Key.Key_Return)
    assert window.workspace.selected_id == ann_id
    assert window.inspector.note_box.edit.toPlainText() == "Spokesperson of the MEA since 2024"
