"""Document labels in the annotation window (issue 14), through real key presses
and mouse clicks: the keys set and toggle them in the same pass as spans, the bar
shows them, undo takes them back, F1 lists their keys. Every test checks the
project database, not only the widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from annotator.core.store import Project
from annotator.ui.main_window import MainWindow

ME = "maria"


def stored(p: Project, doc: str) -> dict:
    return p.doc_labels(doc, ME, p.schema)


def pressed(w: MainWindow) -> set[tuple[str, str]]:
    return {k for k, b in w.doc_labels_bar.buttons.items() if b.isChecked()}


def key(qtbot, w: MainWindow, k: str) -> None:
    qtbot.keyClick(w.article_view, k)


def test_keys_set_toggle_and_replace_doc_labels_in_the_same_pass_as_spans(qtbot, window, project):
    w = window
    doc = w.current_doc_id
    assert doc is not None
    bar = w.doc_labels_bar
    assert bar is not None and bar.isVisible()
    assert bar.buttons[("topic", "trade")].text() == "trade  A"
    assert pressed(w) == set()
    # a span first: select text and press its label key
    start = w.workspace.text.index("China")
    w.article_view.select_span(start, start + len("China"))
    key(qtbot, w, "g")
    assert [a.label for a in project.annotations(doc, ME)] == ["GPE"]
    # the span stays selected: document label keys still act on the document
    key(qtbot, w, "a")  # topic: trade
    key(qtbot, w, "e")  # topic: economy (multi-choice: both)
    key(qtbot, w, "u")  # genre: report
    assert stored(project, doc) == {"topic": ["economy", "trade"], "genre": ["report"]}
    assert pressed(w) == {("topic", "trade"), ("topic", "economy"), ("genre", "report")}
    assert [a.label for a in project.annotations(doc, ME)] == ["GPE"]  # the span is untouched
    key(qtbot, w, "j")  # genre is one-of: opinion replaces report
    assert stored(project, doc)["genre"] == ["opinion"]
    assert pressed(w) >= {("genre", "opinion")} and ("genre", "report") not in pressed(w)
    key(qtbot, w, "a")  # pressing a set label's key again removes it
    assert stored(project, doc)["topic"] == ["economy"]
    assert "trade" in w.statusBar().currentMessage()
    # Ctrl+Z undoes them one at a time, then the span
    qtbot.keyClick(w.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(project, doc)["topic"] == ["economy", "trade"]
    qtbot.keyClick(w.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(project, doc)["genre"] == ["report"]
    assert ("genre", "report") in pressed(w)
    for _ in range(3):
        qtbot.keyClick(w.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(project, doc) == {} and pressed(w) == set()
    assert [a.label for a in project.annotations(doc, ME)] == ["GPE"]
    qtbot.keyClick(w.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.annotations(doc, ME) == []
    # redo brings a document label back
    qtbot.keyClick(w.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(w.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert stored(project, doc) == {"topic": ["trade"]}


def test_clicking_the_bar_toggles_and_keeps_the_focus_in_the_text(qtbot, window, project):
    w = window
    doc = w.current_doc_id
    button = w.doc_labels_bar.buttons[("genre", "analysis")]
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert stored(project, doc) == {"genre": ["analysis"]} and button.isChecked()
    assert w.article_view.hasFocus()
    QTest.mouseClick(w.doc_labels_bar.buttons[("genre", "interview")], Qt.MouseButton.LeftButton)
    assert stored(project, doc) == {"genre": ["interview"]} and not button.isChecked()
    QTest.mouseClick(w.doc_labels_bar.buttons[("genre", "interview")], Qt.MouseButton.LeftButton)
    assert stored(project, doc) == {}
    assert pressed(w) == set()


def test_the_bar_follows_the_document_and_the_annotator(qtbot, window, project, tmp_path):
    from annotator.core.models import Document

    w = window
    first = w.current_doc_id
    key(qtbot, w, "s")
    other = Document(text="Another article about trade.")
    project.insert_documents([(other, [])])
    w.doc_list.set_project(project, ME)
    w.open_document(other.id)
    assert w.current_doc_id == other.id and pressed(w) == set()
    key(qtbot, w, "v")
    assert stored(project, other.id) == {"topic": ["environment"]} and stored(project, first) == {"topic": ["security"]}
    w.open_document(first)
    assert pressed(w) == {("topic", "security")}
    w.set_annotator("omar")  # another annotator's layer: none of maria's
    assert pressed(w) == set()


def test_f1_lists_the_document_label_keys(qtbot, window):
    rows = window.shortcut_rows()
    doc_rows = {(k, text) for section, k, text in rows if section == "Document labels"}
    assert ("a", "trade (topic, any of): set or remove it for this document") in doc_rows
    assert ("j", "opinion (genre, one of): set or remove it for this document") in doc_rows
    label_keys = {k for section, k, _ in rows if section == "Labels"}
    assert not label_keys & {k for k, _ in doc_rows}
    assert any("Document label key" in k for section, k, _ in rows if section == "Text")
