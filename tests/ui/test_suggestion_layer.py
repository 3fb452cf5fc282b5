"""Suggestions in the article view (issue 17): drawn dashed over the text, Tab /
Shift+Tab select them, Enter accepts, X or Backspace rejects, a label key accepts
with that label, Ctrl+Z undoes; the dictionary's suggestions for the open
document come after its first paint. Real widgets, real keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from annotator.core.kinds import Source
from annotator.core.models import Document, entity
from annotator.core.store import Project, StoredSuggestion
from annotator.ui.main_window import MainWindow

TEXTS = ["China and India met. Jaiswal spoke in Delhi.", "China agreed with India."]


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "p.annotator", create=True)
    docs = [Document(id=f"d{i}", text=t) for i, t in enumerate(TEXTS)]
    # alice labelled "China" in d1: the dictionary learns it
    p.insert_documents([(docs[0], []), (docs[1], [entity("d1", 0, 5, "GPE", "alice")])])
    t = TEXTS[0]
    with p.transaction():
        p.put_suggestions(
            [
                StoredSuggestion("s1", "d0", "entity", "PERSON", t.index("Jaiswal"), t.index("Jaiswal") + 7, 0.9, "model:x"),
                StoredSuggestion("s2", "d0", "entity", "GPE", t.index("Delhi"), t.index("Delhi") + 5, 0.6, "model:x"),
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
    qtbot.waitUntil(lambda: getattr(win, "suggestion_layer", None) is not None, timeout=5000)  # after the first paint
    layer = win.suggestion_layer
    qtbot.waitUntil(lambda: len(layer.items) == 3)
    win.article_view.setFocus()
    yield win
    win.close()


def spans(window):
    text = window.workspace.text
    return [(text[s.start : s.end], s.label, s.suggester) for s in window.suggestion_layer.items]


def mine(project):
    text = project.document_text("d0")
    return sorted((text[a.start : a.end], a.label) for a in project.annotations("d0", "alice"))


def selected(window):
    return window.article_view.textCursor().selectedText()


def test_stored_and_dictionary_suggestions_are_shown_dashed(qtbot, window):
    assert spans(window) == [("China", "GPE", "dictionary"), ("Jaiswal", "PERSON", "model:x"), ("Delhi", "GPE", "model:x")]
    layer = window.suggestion_layer
    calls = []
    window.article_view.overlays.append(lambda *args: calls.append(args))
    window.article_view.viewport().repaint()
    assert calls  # the layer's painter runs with the view's, after the annotations
    assert layer.paint in window.article_view.overlays
    tip = layer.tooltip(TEXTS[0].index("Jaiswal") + 1)
    assert "Suggested" in tip and "PERSON" in tip and "0.90" in tip
    assert window.article_view.tooltip_providers == [layer.tooltip]
    # never an annotation: nothing in the window's layer
    assert window.workspace.anns == {}


def test_tab_enter_x_and_undo(qtbot, window, project):
    view = window.article_view
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert selected(window) == "China"
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert selected(window) == "Jaiswal"
    QTest.keyClick(view, Qt.Key.Key_Backtab)
    assert selected(window) == "China"
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert mine(project) == [("China", "GPE")]
    (ann,) = project.annotations("d0", "alice")
    assert ann.source == Source.SUGGESTED
    assert list(project.suggestion_accepts([ann.id]).values())[0]["suggester"] == "dictionary"
    # the next suggestion is selected at once: keep deciding with one key each
    assert selected(window) == "Jaiswal"
    QTest.keyClick(view, Qt.Key.Key_X)
    assert project.suggestion_rejections("alice") == {("d0", 21, 28, "PERSON")}
    assert selected(window) == "Delhi"
    QTest.keyClick(view, Qt.Key.Key_Backspace)
    assert len(project.suggestion_rejections("alice")) == 2
    assert window.suggestion_layer.items == []
    # undo: each decision one step
    window.controller.undo()
    window.controller.undo()
    assert project.suggestion_rejections("alice") == set()
    window.controller.undo()
    assert mine(project) == []
    assert [s for s, _l, _w in spans(window)] == ["China", "Jaiswal", "Delhi"]


def test_a_label_key_accepts_with_that_label(qtbot, window, project):
    keys = {label: key for key, (kind, label) in project.schema.shortcuts().items() if kind == "entity"}
    view = window.article_view
    QTest.keyClick(view, Qt.Key.Key_Tab)
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert selected(window) == "Jaiswal"
    QTest.keyClicks(view, keys["ORG"])
    assert mine(project) == [("Jaiswal", "ORG")]


def test_keys_act_on_suggestions_only_while_one_is_selected(qtbot, window, project):
    view = window.article_view
    view.select_span(0, 5)  # China's span, but not reached by Tab: the ordinary keys apply
    QTest.keyClick(view, Qt.Key.Key_X)
    assert project.suggestion_rejections("alice") == set()


def test_opening_another_document_shows_its_suggestions(qtbot, window, project):
    india = TEXTS[1].index("India")
    with project.transaction():
        project.put_suggestions([StoredSuggestion("s3", "d1", "entity", "GPE", india, india + 5, 0.8, "model:x")])
    assert window.open_document("d1")
    layer = window.suggestion_layer
    # d1: alice's own "China" is hers already (not suggested); the stored "India" is
    qtbot.waitUntil(lambda: [TEXTS[1][s.start : s.end] for s in layer.items] == ["India"])


def test_accept_all_in_this_document_above_the_threshold(qtbot, window, project):
    from annotator.ui.actions import plain_action_text

    action = next(
        a for a in window.menus["Document"].actions() if plain_action_text(a) == "Accept suggestions above the threshold"
    )
    action.trigger()  # 0.8 by default: Jaiswal (0.9) only; China scores (1 + 1) / (1 + 2) in alice's layer
    assert mine(project) == [("Jaiswal", "PERSON")]
    window.controller.undo()
    assert mine(project) == []
