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


def status(window):
    return window.statusBar().currentMessage()


def test_after_a_decision_the_next_is_selected_and_named_and_tab_skips_it(qtbot, window, project):
    """Accept, then Tab, then Enter: the status bar named the next suggestion
    after the accept (selected at once), so Tab skips that one and Enter accepts
    the one after it; Shift+Tab goes back the same way."""
    view = window.article_view
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert selected(window) == "China"
    assert status(window).startswith("Suggested: 'China' GPE 0.67, dictionary (1 of 3)")
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert mine(project) == [("China", "GPE")]
    # the next is selected and the status bar says so, with the keys
    assert selected(window) == "Jaiswal"
    assert status(window).startswith("Accepted 'China' as GPE. Next: 'Jaiswal' PERSON 0.90, model:x (1 of 2)")
    assert "Enter accepts, X rejects" in status(window) and "Tab skips" in status(window)
    # Tab skips the suggestion just named: to Delhi, named in turn
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert selected(window) == "Delhi"
    assert status(window).startswith("Suggested: 'Delhi' GPE 0.60, model:x (2 of 2)")
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert mine(project) == [("China", "GPE"), ("Delhi", "GPE")]
    # nothing follows Delhi: no selection, the cursor after it, and the status bar says where Tab goes
    assert selected(window) == ""
    delhi_end = TEXTS[0].index("Delhi") + 5
    assert window.article_view.selection_span() == (delhi_end, delhi_end)
    assert "No suggestion follows; 1 left before it: Tab goes to the first" in status(window)
    QTest.keyClick(view, Qt.Key.Key_Return)  # Enter with no suggestion selected accepts nothing
    assert mine(project) == [("China", "GPE"), ("Delhi", "GPE")]
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert selected(window) == "Jaiswal"
    QTest.keyClick(view, Qt.Key.Key_X)
    assert project.suggestion_rejections("alice") == {("d0", 21, 28, "PERSON")}
    assert status(window) == "Rejected 'Jaiswal' PERSON. No suggestions left in this document."


def test_shift_tab_after_a_decision_goes_back_from_the_named_one(qtbot, window, project):
    view = window.article_view
    QTest.keyClick(view, Qt.Key.Key_Tab)
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert selected(window) == "Jaiswal"
    QTest.keyClick(view, Qt.Key.Key_X)  # rejected: Delhi is next, selected and named
    assert selected(window) == "Delhi"
    assert "Next: 'Delhi' GPE" in status(window)
    QTest.keyClick(view, Qt.Key.Key_Backtab)  # the one before Delhi: China
    assert selected(window) == "China"
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert mine(project) == [("China", "GPE")]
    assert selected(window) == "Delhi"


def test_an_ordinary_annotation_does_not_move_the_selection_to_a_suggestion(qtbot, window, project):
    keys = {label: key for key, (kind, label) in project.schema.shortcuts().items() if kind == "entity"}
    view = window.article_view
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert selected(window) == "China"
    # the user selects "India" and labels it with the palette's key: an ordinary annotation
    india = TEXTS[0].index("India")
    view.select_span(india, india + 5)
    QTest.keyClicks(view, keys["ORG"])
    assert mine(project) == [("India", "ORG")]
    assert window.suggestion_layer.current is None
    assert "Jaiswal" not in selected(window) and "China" not in selected(window)


def test_opening_a_document_after_an_edit_never_waits_for_the_dictionary(qtbot, window, project, monkeypatch):
    """The dictionary is learned again in a worker thread: opening the next
    document paints it at once (even while learning is held up), and its
    suggestions arrive when the worker finishes, with the edit's new term."""
    import threading
    import time

    from annotator.services.suggest import service

    keys = {label: key for key, (kind, label) in project.schema.shortcuts().items() if kind == "entity"}
    view = window.article_view
    india = TEXTS[0].index("India")
    view.select_span(india, india + 5)
    QTest.keyClicks(view, keys["GPE"])  # an edit: alice labels "India" (a term the dictionary did not know)
    assert mine(project) == [("India", "GPE")]

    real = service.build_dictionary
    release = threading.Event()
    threads: list[int] = []

    def held_up(*args, **kwargs):
        threads.append(threading.get_ident())
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "build_dictionary", held_up)
    layer = window.suggestion_layer
    try:
        t = time.perf_counter()
        assert window.open_document("d1")
        qtbot.wait(50)  # the event loop turns: the document paints, the stored suggestions are read
        assert time.perf_counter() - t < 5
        assert view.toPlainText() == TEXTS[1]
        qtbot.waitUntil(lambda: bool(threads))  # the worker is learning, held up ...
        assert layer.items == []  # ... and the document is shown meanwhile
    finally:
        release.set()
    # the worker's result arrives: the new term is suggested in d1 (alice's "China" there is hers already)
    qtbot.waitUntil(lambda: [(TEXTS[1][s.start : s.end], s.label) for s in layer.items] == [("India", "GPE")])
    assert threading.get_ident() not in threads
    assert layer.learned >= 2


def test_deciding_after_the_worker_uses_its_matches_at_once(qtbot, window, project):
    """A decision filters the worker's matches on the spot: no waiting between Enter and the next."""
    layer = window.suggestion_layer
    jobs = layer.jobs_done
    view = window.article_view
    QTest.keyClick(view, Qt.Key.Key_Tab)
    QTest.keyClick(view, Qt.Key.Key_Return)  # China (the dictionary's) accepted
    assert [TEXTS[0][s.start : s.end] for s in layer.items] == ["Jaiswal", "Delhi"]
    assert layer.jobs_done == jobs  # no job was needed for that


def test_a_coreference_or_note_change_leaves_the_suggestions_alone(qtbot, window, monkeypatch):
    """Attaching a mention to a cluster (or a note, a registry entry) changes nothing
    a suggestion depends on: no re-read, no re-learning (benchmark case 14 measured
    the re-read at most of an attach's time); a rejection (a bare change) still re-reads."""
    from annotator.core.commands import Changes

    layer = window.suggestion_layer
    qtbot.waitUntil(lambda: not layer._running)
    calls = []
    monkeypatch.setattr(layer, "compute", lambda keep=False: calls.append(keep))
    layer._dirty = False
    doc = window.current_doc_id
    for change in (Changes(doc_id=doc, clusters={"c1"}), Changes(doc_id=doc, notes={""}), Changes(registry={"r1"})):
        window.controller.publish(change)
    assert calls == [] and not layer._dirty and not layer._relearn.isActive()
    window.controller.publish(Changes(doc_id=doc))
    assert calls == [True] and layer._dirty
