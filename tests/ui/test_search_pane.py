"""The search pane (issue 16): Ctrl+Shift+F searches the corpus as one types,
in slices (the window keeps answering), hits grouped by document; Enter opens
the document with the hit selected, ready for a label key; Ctrl+F finds in the
open document."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from annotator.core.store import Project
from annotator.services.importing import import_paths, import_seeds
from annotator.ui.main_window import MainWindow

ME = "maria"
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "work.annotator", create=True)
    import_seeds(p)
    many = tmp_path / "many.jsonl"
    lines = [
        json.dumps({"id": f"d{i}", "title": f"Note {i}", "text": f"Note {i}: trade with China grew 😀 by {i}%. Nothing else."})
        for i in range(400)
    ]
    many.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_paths(p, [many]).ok
    yield p
    p.close()


@pytest.fixture
def window(qtbot, project, tmp_path):
    w = MainWindow(project, ME, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    seed = next(d for d in project.document_ids() if "rare earth" in project.document_text(d))
    w.open_document(seed)
    w.article_view.setFocus()
    yield w
    w.close()


def test_corpus_search_as_one_types_then_enter_and_a_label_key(qtbot, window, project, monkeypatch):
    import annotator.ui.search_pane as search_pane

    monkeypatch.setattr(search_pane, "SLICE_MS", 1)  # many slices even on a fast machine
    qtbot.keyClick(window.article_view, Qt.Key.Key_F, CTRL_SHIFT)
    pane = window.search_pane
    assert pane is not None and pane.edit.hasFocus() and pane.scope.currentData() == "corpus"
    qtbot.keyClicks(pane.edit, "China")
    qtbot.waitUntil(lambda: pane.count > 0)
    # The first hits are listed while the search goes on: it runs in slices.
    assert not pane.done
    qtbot.waitUntil(lambda: pane.done, timeout=20000)
    seed = window.current_doc_id
    in_seed = project.document_text(seed).count("China")  # "China" and "China’s": whole words
    assert pane.count == 400 + in_seed
    assert pane.tree.topLevelItemCount() == 401
    assert f"{pane.count} hits in 401 documents" in pane.status.text()
    for item in pane.hit_items()[:50]:
        hit = item.data(0, Qt.ItemDataRole.UserRole)
        assert project.document_text(hit.doc_id)[hit.start : hit.end] == "China"
    # Down into the list, to a hit in another document, Enter: it opens there.
    qtbot.keyClick(pane.edit, Qt.Key.Key_Down)
    target = next(i for i in pane.hit_items() if i.data(0, Qt.ItemDataRole.UserRole).doc_id != seed)
    pane.tree.setCurrentItem(target)
    qtbot.keyClick(pane.tree, Qt.Key.Key_Return)
    hit = target.data(0, Qt.ItemDataRole.UserRole)
    assert window.current_doc_id == hit.doc_id
    assert window.article_view.selection_span() == (hit.start, hit.end)
    assert QApplication.focusWidget() is window.article_view
    qtbot.keyClick(window.article_view, "g")
    [ann] = project.annotations(hit.doc_id)
    assert (ann.label, ann.start, ann.end) == ("GPE", hit.start, hit.end)


def test_a_new_keystroke_drops_the_search_under_way(qtbot, window):
    window.show_search("corpus")
    pane = window.search_pane
    qtbot.keyClicks(pane.edit, "Note")
    qtbot.waitUntil(lambda: pane.count > 0)
    qtbot.keyClicks(pane.edit, " 7:")
    qtbot.waitUntil(lambda: pane.done and pane.count > 0, timeout=20000)
    # "Note" and "7" as words: the one note numbered 7 (its "Note 7:" and nothing else).
    docs = {i.data(0, Qt.ItemDataRole.UserRole).doc_id for i in pane.hit_items()}
    assert len(docs) == 1


def test_find_in_this_document_and_a_bad_regular_expression(qtbot, window, project):
    qtbot.keyClick(window.article_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    pane = window.search_pane
    assert pane.scope.currentData() == "document" and pane.edit.hasFocus()
    qtbot.keyClicks(pane.edit, "licences")
    qtbot.waitUntil(lambda: pane.done and pane.count > 0)
    text = window.workspace.text
    assert pane.count == text.lower().count("licences")
    assert {i.data(0, Qt.ItemDataRole.UserRole).doc_id for i in pane.hit_items()} == {window.current_doc_id}
    pane.kind.setCurrentIndex(pane.kind.findData("regex"))
    pane.edit.setText("(unclosed")
    pane.start()
    assert "regular expression" in pane.status.text() and pane.count == 0


def test_annotate_all_hits_of_a_search_with_a_chosen_label(qtbot, window, project):
    window.show_search("corpus")
    pane = window.search_pane
    qtbot.keyClicks(pane.edit, "China")
    qtbot.waitUntil(lambda: pane.done and pane.count > 0, timeout=20000)
    qtbot.mouseClick(pane.annotate_button, Qt.MouseButton.LeftButton)
    dialog = window.annotate_all_dialog
    qtbot.waitUntil(lambda: dialog.isVisible())
    dialog.label_combo.setCurrentIndex(dialog.label_combo.findData("entity:GPE"))
    assert len(dialog.items()) == pane.count  # the same occurrences: whole words, any case
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    added = [a for d in project.document_ids() for a in project.annotations(d) if a.label == "GPE"]
    assert len(added) == pane.count and all(a.annotator == ME and a.source == "propagated" for a in added)
    assert all(project.document_text(a.doc_id)[a.start : a.end] == "China" for a in added)
    # One step: one Ctrl+Z takes all of them back.
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not [a for d in project.document_ids() for a in project.annotations(d) if a.label == "GPE"]


def test_annotate_all_refuses_a_regular_expression(qtbot, window):
    window.show_search("corpus")
    pane = window.search_pane
    pane.kind.setCurrentIndex(pane.kind.findData("regex"))
    pane.edit.setText("Chin.")
    qtbot.mouseClick(pane.annotate_button, Qt.MouseButton.LeftButton)
    assert window.annotate_all_dialog is None and "not a regular expression" in pane.status.text()


def test_closing_the_window_or_opening_another_project_stops_the_search(qtbot, window, project, monkeypatch, tmp_path):
    import annotator.ui.search_pane as search_pane

    monkeypatch.setattr(search_pane, "SLICE_MS", 1)
    window.show_search("corpus")
    pane = window.search_pane
    pane.edit.setText("Note")
    pane.start()
    qtbot.waitUntil(lambda: pane.count > 0)
    assert not pane.done
    other = Project(tmp_path / "other.annotator", create=True)
    window.set_project(other, ME)  # another project: the old hits go
    assert pane.done and pane.count == 0 and pane.tree.topLevelItemCount() == 0
    pane.edit.setText("Note")
    pane.start()
    window.close()
    assert pane.done
    qtbot.wait(50)  # nothing runs on after the window closed (an exception here fails the test)


def test_this_document_matches_as_the_corpus_does(qtbot, window, project):
    """Find in this document gives the corpus search's hits in that document
    (every word must occur, whole words), not a looser match of its own."""
    from annotator.services.search import TextQuery, search_text

    seed = window.current_doc_id
    window.show_search("document")
    pane = window.search_pane
    for text in ("earth licences", "China", "rare earths"):
        pane.edit.setText(text)
        pane.start()
        qtbot.waitUntil(lambda: pane.done)
        shown = sorted((h.start, h.end) for h in (i.data(0, Qt.ItemDataRole.UserRole) for i in pane.hit_items()))
        corpus = sorted((h.start, h.end) for h in search_text(project, TextQuery(text)) if h.doc_id == seed)
        assert shown == corpus and shown, text
    pane.edit.setText("China Zanzibar")  # a word the document lacks: no hit at all, as in the corpus
    pane.start()
    qtbot.waitUntil(lambda: pane.done)
    assert pane.count == 0 and not [h for h in search_text(project, TextQuery("China Zanzibar")) if h.doc_id == seed]


def test_the_index_catches_up_in_idle_slices_after_loading_and_after_an_import(qtbot, window, project, tmp_path, monkeypatch):
    """An import stores documents without indexing them; the window indexes them a
    slice per idle moment (the search finds them before and after)."""
    import annotator.ui.index_catch_up as catch_up

    monkeypatch.setattr(catch_up, "FIRST_SLICE_DOCS", 10)  # then at most 40, 160...: several slices
    qtbot.waitUntil(lambda: project.search_pending()[0] == 0, timeout=20_000)
    assert project.search_index_ok()
    more = tmp_path / "more.jsonl"
    more.write_text(
        "\n".join(json.dumps({"id": f"m{i}", "text": f"Memo {i}: a wombat crossed the road {i} times."}) for i in range(300))
        + "\n",
        encoding="utf-8",
    )
    slices = window.index_catch_up.slices
    window.import_paths([more])
    assert project.search_pending()[0] == 300
    qtbot.waitUntil(lambda: project.search_pending()[0] == 0, timeout=20_000)
    assert window.index_catch_up.slices - slices >= 3  # in several slices, not one long freeze
    assert project.search_index_ok()


def _slow(monkeypatch, per_hit_s: float) -> None:
    """The pane's corpus search, each hit taking ``per_hit_s`` (a long search on a small corpus)."""
    import time

    import annotator.ui.search_pane as search_pane

    real = search_pane.search_text

    def slow_search(project, query, *args, **kwargs):
        hits = real(project, query, *args, **kwargs)

        def gen():
            for hit in hits:
                time.sleep(per_hit_s)
                yield hit

        return gen()

    monkeypatch.setattr(search_pane, "search_text", slow_search)


def test_hits_are_listed_complete_and_in_order_across_slices(qtbot, window, project, monkeypatch):
    """Hits are listed a few at a time inside each slice: every one, under its
    document, in the search's order, up to MAX_LISTED; the count goes on."""
    import annotator.ui.search_pane as search_pane
    from annotator.services.search import TextQuery, search_text

    monkeypatch.setattr(search_pane, "SLICE_MS", 1)
    monkeypatch.setattr(search_pane, "LIST_EVERY", 7)
    monkeypatch.setattr(search_pane, "MAX_LISTED", 250)
    window.show_search("corpus")
    pane = window.search_pane
    qtbot.keyClicks(pane.edit, "China")
    qtbot.waitUntil(lambda: pane.done, timeout=20000)
    expected = [(h.doc_id, h.start, h.end) for h in search_text(project, TextQuery("China"))]
    listed = [(h.doc_id, h.start, h.end) for h in (i.data(0, Qt.ItemDataRole.UserRole) for i in pane.hit_items())]
    assert listed == expected[:250]
    assert pane.count == len(expected) > 250
    docs = [pane.tree.topLevelItem(i) for i in range(pane.tree.topLevelItemCount())]
    assert [d.child(0).data(0, Qt.ItemDataRole.UserRole).doc_id for d in docs] == list(dict.fromkeys(d for d, _, _ in listed))
    assert all(d.text(0).endswith(f"  ({d.childCount()})") for d in docs)
    assert pane.status.text() == f"{len(expected)} hits in {len(docs)} documents; the first 250 listed"


def test_the_window_answers_between_slices_of_a_long_search(qtbot, window, monkeypatch):
    """A long search runs a slice per turn of the event loop: a key pressed meanwhile
    is handled before the search ends; another timer due during a slice runs before
    the next slice (never two slices back to back); the garbage collector is paused
    while the search runs (young objects collected between slices) and resumes after."""
    import gc

    from PySide6.QtCore import QEvent, QTimer
    from PySide6.QtGui import QKeyEvent

    import annotator.ui.search_pane as search_pane

    monkeypatch.setattr(search_pane, "SLICE_MS", 12)
    _slow(monkeypatch, 0.0005)  # 400 hits: about 0.2 s, in about 16 slices
    assert gc.isenabled()
    window.show_search("corpus")
    pane = window.search_pane
    order: list[str] = []
    real_step = search_pane.SearchPane._step
    monkeypatch.setattr(search_pane.SearchPane, "_step", lambda self: (order.append("slice"), real_step(self)))
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(5)
    ticker.timeout.connect(lambda: order.append("tick"))
    ticker.start()
    paused_while_running: list[bool] = []
    qtbot.keyClicks(pane.edit, "China")
    qtbot.waitUntil(lambda: pane.count > 0)
    paused_while_running.append(not gc.isenabled())
    # a key typed in the list while hits come in: handled at once (the current item moves)
    pane.tree.setFocus()
    first = pane.tree.currentItem()
    QApplication.postEvent(pane.tree, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Down, Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: pane.tree.currentItem() is not first, timeout=2000)
    assert not pane.done  # the search was still running
    paused_while_running.append(not gc.isenabled())
    qtbot.waitUntil(lambda: pane.done, timeout=20000)
    ticker.stop()
    assert paused_while_running == [True, True]
    assert gc.isenabled()  # the collector resumed with the search's end
    slices = [i for i, what in enumerate(order) if what == "slice"]
    assert len(slices) >= 5
    back_to_back = [i for i in slices if i + 1 < len(order) and order[i + 1] == "slice"]
    assert back_to_back == [], order


def test_the_collector_resumes_when_a_search_is_dropped(qtbot, window, monkeypatch):
    """A new keystroke, a stop, closing the window: the collector paused for the
    search under way is never left paused."""
    import gc

    import annotator.ui.search_pane as search_pane

    monkeypatch.setattr(search_pane, "SLICE_MS", 1)
    _slow(monkeypatch, 0.002)
    window.show_search("corpus")
    pane = window.search_pane
    qtbot.keyClicks(pane.edit, "China")
    qtbot.waitUntil(lambda: pane.count > 0)
    assert not gc.isenabled() and not pane.done
    qtbot.keyClick(pane.edit, "s")  # typing: the search under way is dropped
    assert gc.isenabled()
    qtbot.waitUntil(lambda: pane.done, timeout=5000)  # "Chinas": nothing
    assert pane.count == 0 and gc.isenabled()
    qtbot.keyClick(pane.edit, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: pane.count > 0, timeout=5000)
    assert not gc.isenabled() and not pane.done
    pane.stop()
    assert gc.isenabled()
    pane.start()  # searching again (an option changed)
    assert pane.count == 0
    qtbot.waitUntil(lambda: pane.count > 0, timeout=5000)
    assert not gc.isenabled() and not pane.done
    window.close()
    assert gc.isenabled() and pane.done
