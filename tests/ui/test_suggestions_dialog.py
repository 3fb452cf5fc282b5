"""Document > Suggestions… (issue 17): accept with Enter, reject with X, a label
key accepts with that label, Tab moves on, bulk accept and reject, every action
one undo step in the main window; through the real widgets and keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from annotator.core.kinds import Source
from annotator.core.models import Document, entity
from annotator.core.store import Project, StoredSuggestion
from annotator.ui.actions import plain_action_text
from annotator.ui.main_window import MainWindow
from annotator.ui.undo import documents_changed

TEXTS = ["China and India met in Delhi. Jaiswal spoke.", "India, then China."]


def sug(doc_id, word, label="GPE", score=0.8, by="dictionary"):
    text = TEXTS[int(doc_id[1])]
    s = text.index(word)
    return StoredSuggestion(f"{doc_id}-{word}", doc_id, "entity", label, s, s + len(word), score, by)


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "p.annotator", create=True)
    p.insert_documents([(Document(id=f"d{i}", text=t), []) for i, t in enumerate(TEXTS)])
    with p.transaction():
        p.put_suggestions(
            [
                sug("d0", "China"),
                sug("d0", "India", score=0.4),
                sug("d0", "Delhi", score=0.9),
                sug("d0", "Jaiswal", "PERSON", 0.7),
                sug("d1", "India"),
                sug("d1", "China", by="other"),
            ]
        )
    yield p
    p.close()


@pytest.fixture
def window(qtbot, project, tmp_path):
    win = MainWindow(project, "alice", QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.current_doc_id == "d0")
    yield win
    dialog = getattr(win, "suggestions_dialog", None)
    if dialog is not None:
        dialog.close()
    win.close()


def open_dialog(qtbot, window):
    action = next(a for a in window.menus["Document"].actions() if plain_action_text(a) == "Suggestions")
    assert action.shortcut().toString() == "Ctrl+Shift+U"
    action.trigger()  # the stand-in loads the module and opens the dialog
    dialog = window.suggestions_dialog
    qtbot.waitExposed(dialog)
    return dialog


def texts(dialog):
    return [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]


def mine(project, doc_id="d0"):
    return sorted((project.document_text(doc_id)[a.start : a.end], a.label) for a in project.annotations(doc_id, "alice"))


def test_enter_accepts_x_rejects_and_ctrl_z_undoes(qtbot, window, project):
    dialog = open_dialog(qtbot, window)
    assert texts(dialog) == ["China", "India", "Delhi", "Jaiswal"]  # this document, in text order
    # moving in the list selects the suggestion's span in the article
    QTest.keyClick(dialog.tree, Qt.Key.Key_Tab)
    assert dialog.tree.currentItem().text(0) == "India"
    assert window.article_view.textCursor().selectedText() == "India"
    QTest.keyClick(dialog.tree, Qt.Key.Key_Backtab)
    assert dialog.tree.currentItem().text(0) == "China"
    QTest.keyClick(dialog.tree, Qt.Key.Key_Return)
    assert mine(project) == [("China", "GPE")]
    (ann,) = project.annotations("d0", "alice")
    assert ann.source == Source.SUGGESTED
    assert texts(dialog) == ["India", "Delhi", "Jaiswal"]
    assert dialog.tree.currentItem().text(0) == "India"
    QTest.keyClick(dialog.tree, Qt.Key.Key_X)
    assert project.suggestion_rejections("alice") == {("d0", 10, 15, "GPE")}
    assert texts(dialog) == ["Delhi", "Jaiswal"]
    # the main window's undo takes back the reject, then the accept: one step each
    window.controller.undo()
    assert project.suggestion_rejections("alice") == set()
    assert texts(dialog) == ["India", "Delhi", "Jaiswal"]
    window.controller.undo()
    assert mine(project) == []
    assert texts(dialog) == ["China", "India", "Delhi", "Jaiswal"]


def test_a_label_key_accepts_with_that_label(qtbot, window, project):
    dialog = open_dialog(qtbot, window)
    keys = {label: key for key, (kind, label) in project.schema.shortcuts().items() if kind == "entity"}
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(3))  # Jaiswal, suggested as PERSON
    QTest.keyClicks(dialog.tree, keys["ORG"])
    assert mine(project) == [("Jaiswal", "ORG")]
    assert texts(dialog) == ["China", "India", "Delhi"]  # the PERSON suggestion is decided too


def test_filters_and_bulk_accept_and_reject_in_the_corpus(qtbot, window, project):
    dialog = open_dialog(qtbot, window)
    dialog.scope.setCurrentIndex(dialog.scope.findData("corpus"))
    assert len(texts(dialog)) == 6
    # the corpus: the best-scoring first (ties as stored)
    assert [f"{s.score:.1f}" for s in dialog.shown()] == ["0.9", "0.8", "0.8", "0.8", "0.7", "0.4"]
    assert "the best-scoring first" in dialog.heading.text()
    dialog.min_score.setValue(0.75)
    assert texts(dialog) == ["Delhi", "China", "India", "China"]
    dialog.suggester_combo.setCurrentIndex(dialog.suggester_combo.findText("dictionary"))
    assert texts(dialog) == ["Delhi", "China", "India"]
    QTest.mouseClick(dialog.accept_all_button, Qt.MouseButton.LeftButton)
    assert mine(project, "d0") == [("China", "GPE"), ("Delhi", "GPE")] and mine(project, "d1") == [("India", "GPE")]
    assert texts(dialog) == []
    dialog.min_score.setValue(0.0)
    dialog.suggester_combo.setCurrentIndex(0)
    dialog.label_combo.setCurrentIndex(dialog.label_combo.findText("GPE"))
    assert texts(dialog) == ["China", "India"]  # d1's China (0.8) before d0's India (0.4)
    QTest.mouseClick(dialog.reject_all_button, Qt.MouseButton.LeftButton)
    assert texts(dialog) == []
    assert len(project.suggestion_rejections("alice")) == 2
    window.controller.undo()  # the bulk reject, in one step
    assert len(project.suggestion_rejections("alice")) == 0
    window.controller.undo()  # the bulk accept across two documents, in one step
    assert mine(project, "d0") == [] and mine(project, "d1") == []


def test_suggest_for_this_document(qtbot, window, project):
    with project.transaction():
        project.delete_suggestions()
        project.put_annotations([entity("d1", 0, 5, "GPE", "alice")])  # alice labelled "India" in d1
    window.controller.publish(documents_changed(["d1"]))  # a change made outside commands, announced
    dialog = open_dialog(qtbot, window)
    assert texts(dialog) == []
    QTest.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    assert texts(dialog) == ["India"]
    assert dialog.tree.topLevelItem(0).text(3) == "dictionary"


def test_the_corpus_list_shows_the_best_page_and_enter_accepts_from_it(qtbot, window, project, monkeypatch):
    """The corpus-wide list is a page of the best-scoring pending suggestions, cut in SQL."""
    from annotator.ui import suggestions_dialog

    monkeypatch.setattr(suggestions_dialog, "LIMIT", 2)
    dialog = open_dialog(qtbot, window)
    dialog.scope.setCurrentIndex(dialog.scope.findData("corpus"))
    assert texts(dialog) == ["Delhi", "China"]
    assert "the 2 best-scoring shown" in dialog.heading.text()
    dialog.tree.setFocus()
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    QTest.keyClick(dialog.tree, Qt.Key.Key_Return)
    assert mine(project, "d0") == [("Delhi", "GPE")]
    assert texts(dialog) == ["China", "India"]  # the next best moves up into the page


def test_suggest_for_this_document_uses_the_dictionary_the_view_learned(qtbot, window, project, monkeypatch):
    """No edit since the article view's worker learned the dictionary: the button
    uses it instead of learning again in the window's thread."""
    from annotator.services.suggest import service
    from annotator.ui import suggestions_dialog
    from annotator.ui.suggestion_layer import install_suggestion_layer

    with project.transaction():
        project.delete_suggestions()
        project.put_annotations([entity("d1", 0, 5, "GPE", "alice")])  # alice labelled "India" in d1
    window.controller.publish(documents_changed(["d1"]))
    layer = install_suggestion_layer(window)
    qtbot.waitUntil(lambda: layer.fresh_dictionary() is not None, timeout=10000)
    learned_here = []
    monkeypatch.setattr(
        suggestions_dialog, "build_dictionary", lambda *a, **k: learned_here.append(1) or service.build_dictionary(*a, **k)
    )
    dialog = open_dialog(qtbot, window)
    QTest.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    assert texts(dialog) == ["India"]
    assert learned_here == []


def test_a_long_message_wraps_instead_of_widening_the_dialog(qtbot, window, project):
    with project.transaction():
        project.delete_suggestions()
    dialog = open_dialog(qtbot, window)
    width = dialog.width()
    QTest.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)  # alice has nothing to learn from: a long message
    qtbot.wait(50)
    assert "nothing to learn from" in dialog.heading.text()
    assert dialog.width() == width
    assert dialog.heading.width() <= dialog.width()
