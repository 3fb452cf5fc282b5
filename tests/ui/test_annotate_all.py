"""Edit > Annotate all like this… (issue 16): every other occurrence of the
selected span's text, listed with its context, ticked unless something is in
the way, added as one undoable step; "never here" is remembered."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings, Qt

from annotator.core.store import Project
from annotator.services.importing import import_paths, import_seeds
from annotator.ui.main_window import MainWindow

ME = "maria"
OTHER = "Beijing and China signed. China’s envoy spoke; Chinatown was quiet."


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "work.annotator", create=True)
    import_seeds(p)
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": "other", "title": "Other", "text": OTHER}) + "\n", encoding="utf-8")
    assert import_paths(p, [other]).ok
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


def other_id(project: Project) -> str:
    return next(d for d in project.document_ids() if project.document_text(d) == OTHER)


def china_entity(qtbot, w: MainWindow, project: Project):
    """Tag the seed's first "China" as GPE with its key; the new annotation."""
    text = w.workspace.text
    start = text.index("China")
    w.article_view.select_span(start, start + 5)
    qtbot.keyClick(w.article_view, "g")
    [ann] = [a for a in project.annotations(w.current_doc_id, annotator=ME) if a.label == "GPE"]
    return ann


def open_dialog(qtbot, w: MainWindow):
    qtbot.keyClick(w.article_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: w.annotate_all_dialog is not None and w.annotate_all_dialog.isVisible())
    return w.annotate_all_dialog


def gpe_spans(project: Project, doc_id: str) -> list[tuple[int, int]]:
    return sorted((a.start, a.end) for a in project.annotations(doc_id, annotator=ME) if a.label == "GPE")


def test_annotate_all_across_the_corpus_is_one_undoable_step(qtbot, window, project):
    seed = window.current_doc_id
    first = china_entity(qtbot, window, project)
    dialog = open_dialog(qtbot, window)
    seed_text, other_text = project.document_text(seed), project.document_text(other_id(project))
    want_seed = [(i, i + 5) for i in range(len(seed_text)) if seed_text.startswith("China", i) and i != first.start]
    want_seed = [s for s in want_seed if not seed_text[s[1] : s[1] + 1].isalpha()]  # whole words
    want_other = [(12, 17), (26, 31)]  # "China" and the "China" of "China’s"; not "Chinatown"
    assert [other_text[a:b] for a, b in want_other] == ["China", "China"]
    listed = [(c.doc_id, c.start, c.end) for c in (dialog.candidate(i) for i in dialog.items())]
    assert sorted(listed) == sorted([(seed, *s) for s in want_seed] + [(other_id(project), *s) for s in want_other])
    assert dialog.add_button.text() == f"&Add {len(listed)} GPE"
    # Space unticks the current one (the first occurrence listed): the list has the focus.
    assert dialog.focusWidget() is dialog.tree
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Space)
    assert dialog.add_button.text() == f"&Add {len(listed) - 1} GPE"
    unticked = dialog.candidate(dialog.items()[0])
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    added_seed = gpe_spans(project, seed)
    added_other = gpe_spans(project, other_id(project))
    expected = sorted({(first.start, first.end)} | {s for s in want_seed} | set())
    expected_other = sorted(want_other)
    if unticked.doc_id == seed:
        expected.remove((unticked.start, unticked.end))
    else:
        expected_other.remove((unticked.start, unticked.end))
    assert (added_seed, added_other) == (expected, expected_other)
    assert all(a.source == "propagated" for a in project.annotations(other_id(project)))
    # The view of the seed shows them; one Ctrl+Z takes all of them back.
    assert len(window.workspace.anns) == len(expected)
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gpe_spans(project, seed) == [(first.start, first.end)] and gpe_spans(project, other_id(project)) == []
    assert len(window.workspace.anns) == 1


def count_shown(window, doc_id: str) -> str:
    """The document list's annotation count of ``doc_id``, as shown."""
    model = window.doc_list.model
    return model.data(model.index(model.row_of(doc_id), model.COUNT))


def test_the_other_documents_follow_the_step_and_its_undo(qtbot, window, project):
    """The document list counts the other document's new spans at once, and
    again after the undo (and its redo), without reopening anything."""
    other = other_id(project)
    china_entity(qtbot, window, project)
    assert str(count_shown(window, other)) in ("0", "", "None")
    dialog = open_dialog(qtbot, window)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert str(count_shown(window, other)) == "2"
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert str(count_shown(window, other)) in ("0", "", "None")
    qtbot.keyClick(window.article_view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert str(count_shown(window, other)) == "2"
    window.open_document(other)
    assert len(window.workspace.anns) == 2


def test_never_here_is_remembered(qtbot, window, project):
    china_entity(qtbot, window, project)
    dialog = open_dialog(qtbot, window)
    count = len(dialog.items())
    target = next(i for i in dialog.items() if dialog.candidate(i).doc_id == other_id(project))
    dialog.tree.setCurrentItem(target)
    gone = dialog.candidate(target).key
    qtbot.mouseClick(dialog.never_button, Qt.MouseButton.LeftButton)
    assert len(dialog.items()) == count - 1 and gone not in [dialog.candidate(i).key for i in dialog.items()]
    assert "1 marked “never here” left out" in dialog.heading.text()
    dialog.reject()
    again = open_dialog(qtbot, window)
    assert gone not in [again.candidate(i).key for i in again.items()]


def test_this_document_only_and_nothing_selected(qtbot, window, project):
    qtbot.keyClick(window.article_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.annotate_all_dialog is None
    assert "Select an entity" in window.statusBar().currentMessage()
    china_entity(qtbot, window, project)
    dialog = open_dialog(qtbot, window)
    dialog.here.setChecked(True)
    assert {dialog.candidate(i).doc_id for i in dialog.items()} == {window.current_doc_id}
    assert "in this document" in dialog.heading.text()


def test_enter_opens_the_occurrence_and_adds_nothing(qtbot, window, project):
    china_entity(qtbot, window, project)
    dialog = open_dialog(qtbot, window)
    before = len(project.annotations(window.current_doc_id))
    item = next(i for i in dialog.items() if dialog.candidate(i).doc_id == other_id(project))
    dialog.tree.setCurrentItem(item)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)
    cand = dialog.candidate(item)
    assert window.current_doc_id == cand.doc_id and window.article_view.selection_span() == (cand.start, cand.end)
    assert dialog.isVisible()
    assert sum(len(project.annotations(d)) for d in project.document_ids()) == before
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and len(project.annotations(cand.doc_id)) == 2


def test_a_label_annotated_all_automatically_in_the_document(qtbot, window, project):
    """Switched on in the label's palette chip menu: a new span of that label also
    labels the other occurrences of its text in the document, as one more undo step."""
    seed = window.current_doc_id
    chip = window.palette_widget.chip("entity", "GPE")
    *_, toggle = window.palette_widget.chip_menu(chip).actions()  # the last: annotate all
    toggle.trigger()
    assert chip.auto and "⟳" in chip.text() and project.auto_propagate_labels() == {"GPE"}
    text = window.workspace.text
    start = text.index("China")
    window.article_view.select_span(start, start + 5)
    qtbot.keyClick(window.article_view, "g")
    spans = gpe_spans(project, seed)
    whole = [(i, i + 5) for i in range(len(text)) if text.startswith("China", i) and not text[i + 5 : i + 6].isalpha()]
    assert spans == whole and len(spans) > 1
    assert f"And {len(spans) - 1} more in this document" in window.statusBar().currentMessage()
    assert gpe_spans(project, other_id(project)) == []  # the document only
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gpe_spans(project, seed) == [(start, start + 5)]
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gpe_spans(project, seed) == []
    # Switched off again: a new span labels only itself.
    *_, toggle = window.palette_widget.chip_menu(chip).actions()  # the last: annotate all
    assert toggle.isChecked()
    toggle.trigger()
    assert not chip.auto and project.auto_propagate_labels() == set()
    window.article_view.select_span(start, start + 5)
    qtbot.keyClick(window.article_view, "g")
    assert gpe_spans(project, seed) == [(start, start + 5)]
