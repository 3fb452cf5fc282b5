"""The annotation workspace driven through the real widgets (offscreen).

Every test checks the project database, not only the widgets: a key press or
click must have written the annotation, and undo must have removed it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox

from annotator.core.commands import AddAnnotations, SetStatus
from annotator.core.models import DocStatus, entity
from annotator.core.store import Project
from annotator.services.importing import import_paths, import_seeds
from annotator.ui.main_window import MainWindow
from annotator.ui.undo import documents_changed

DATA = Path(__file__).resolve().parents[1] / "data"
ME = "maria"


@pytest.fixture
def settings(tmp_path):
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s
    s.sync()


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "work.annotator", create=True)
    import_seeds(p)
    shutil.copy(DATA / "unicode-crlf.txt", tmp_path / "unicode-crlf.txt")
    import_paths(p, [tmp_path / "unicode-crlf.txt"])
    yield p
    p.close()


@pytest.fixture
def window(qtbot, project, settings):
    w = MainWindow(project, ME, settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.snap_action.setChecked(False)  # tests select exact spans; one test turns snapping on
    w.article_view.setFocus()
    yield w
    w.close()


def seed_id(project: Project) -> str:
    return next(d for d in project.document_ids() if "NEW DELHI" in project.document_text(d))


def unicode_id(project: Project) -> str:
    return next(d for d in project.document_ids() if "GENEVA" in project.document_text(d))


def find(w: MainWindow, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """Code-point span of the ``occurrence``-th ``needle`` in the current text."""
    text = w.workspace.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def select(w: MainWindow, needle: str, occurrence: int = 0) -> tuple[int, int]:
    start, end = find(w, needle, occurrence)
    w.article_view.select_span(start, end)
    w.article_view.setFocus()
    return start, end


def key(qtbot, w: MainWindow, k, mods=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(w.article_view, k, mods)


def click_span(qtbot, w: MainWindow, cp: int) -> None:
    """A real mouse click on the character at code point ``cp``."""
    view = w.article_view
    cursor = QTextCursor(view.document())
    cursor.setPosition(w.workspace.posmap.to_qt(cp))
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    cursor.setPosition(w.workspace.posmap.to_qt(cp + 1))
    end_rect = view.cursorRect(cursor)
    cursor.setPosition(w.workspace.posmap.to_qt(cp))
    start_rect = view.cursorRect(cursor)
    x = (start_rect.left() + end_rect.left()) // 2 if end_rect.top() == start_rect.top() else start_rect.left() + 2
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, start_rect.center().y()))


def mine(project: Project, doc_id: str, kind: str | None = None):
    return [a for a in project.annotations(doc_id, annotator=ME) if kind is None or a.kind == kind]


def snapshot(project: Project, doc_id: str):
    return sorted((a.model_dump() for a in project.annotations(doc_id)), key=lambda d: d["id"])


def open_doc(w: MainWindow, doc_id: str) -> None:
    w.doc_list.select_document(doc_id)
    w.workspace.open_document(doc_id)
    w.article_view.setFocus()


# ---------------------------------------------------------------------------
def test_select_and_key_creates_entity(qtbot, window, project):
    doc = seed_id(project)
    assert window.current_doc_id == doc
    start, end = select(window, "Randhir Jaiswal")
    key(qtbot, window, "p")
    [ann] = mine(project, doc)
    assert (ann.kind, ann.label, ann.start, ann.end, ann.annotator) == ("entity", "PERSON", start, end, ME)
    assert ann.text_in(project.document_text(doc)) == "Randhir Jaiswal"
    # Shown in the text, the list and the inspector; the document is in progress.
    assert [a.id for a in window.article_view.annotations_at(start + 2)] == [ann.id]
    assert window.panel.model.rowCount() == 1
    assert window.inspector.ann is not None and window.inspector.ann.id == ann.id
    assert project.document_status(doc) == DocStatus.IN_PROGRESS
    assert window.status_combo.currentData() == "in_progress"
    row = window.doc_list.model.row_of(doc)
    assert window.doc_list.model.data(window.doc_list.model.index(row, 2)) == "1"
    # Keys with "%" (PERCENT) and digits (event types) work too.
    select(window, "70%")
    key(qtbot, window, "%")
    select(window, "granted")
    key(qtbot, window, "1")
    assert {(a.kind, a.label) for a in mine(project, doc)} == {
        ("entity", "PERSON"),
        ("entity", "PERCENT"),
        ("event", "LicenceGrant"),
    }


def test_palette_click_and_word_snapping(qtbot, window, project):
    doc = seed_id(project)
    window.snap_action.setChecked(True)
    assert window.article_view.word_snapping()
    start, end = find(window, "Jaiswal")
    window.article_view.select_span(start + 2, end - 2)  # "isw": snapped to the word
    qtbot.mouseClick(window.palette_widget.chip("entity", "PERSON"), Qt.MouseButton.LeftButton)
    [ann] = mine(project, doc)
    assert ann.text_in(project.document_text(doc)) == "Jaiswal"
    window.snap_action.setChecked(False)
    assert not window.article_view.word_snapping()
    assert window.settings.value("view/word_snapping", type=bool) is False


def test_keys_do_nothing_while_typing_in_a_field(qtbot, window, project):
    doc = seed_id(project)
    select(window, "China")
    window.doc_list.search.setFocus()
    qtbot.keyClicks(window.doc_list.search, "pog")
    assert window.doc_list.search.text() == "pog"
    assert mine(project, doc) == []
    # Back in the text, the same key annotates.
    select(window, "China")
    key(qtbot, window, "g")
    assert [a.label for a in mine(project, doc)] == ["GPE"]


def test_event_with_two_arguments(qtbot, window, project):
    doc = seed_id(project)
    ws = window.workspace
    c_start, _ = select(window, "China")
    key(qtbot, window, "g")
    [china] = mine(project, doc)
    select(window, "granted")
    key(qtbot, window, "1")
    [ev] = mine(project, doc, "event")
    assert ws.selected_id == ev.id

    # Argument 1: Shift+A, choose the role, click the existing span.
    key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert ws.chooser is not None
    roles = [a.data() for a in ws.chooser.actions() if a.data()]
    assert roles == ["Grantor", "Grantee", "Item", "Time"]
    assert ws.choose_option("Grantor")
    assert ws.pick is not None and window.mode_banner.isVisibleTo(window)
    click_span(qtbot, window, c_start + 1)
    assert ws.pick is None and not window.mode_banner.isVisibleTo(window)
    assert [(a.role, a.target) for a in project.get_annotation(ev.id).arguments] == [("Grantor", china.id)]

    # Argument 2: from the inspector, a new entity made from the selected text.
    window.inspector.role_combo.setCurrentIndex(window.inspector.role_combo.findData("Grantee"))
    qtbot.mouseClick(window.inspector.add_arg_button, Qt.MouseButton.LeftButton)
    assert ws.pick is not None and ws.pick.role == "Grantee"
    select(window, "Indian firms")
    key(qtbot, window, "o")
    stored = project.get_annotation(ev.id)
    assert [a.role for a in stored.arguments] == ["Grantor", "Grantee"]
    firms = project.get_annotation(stored.arguments[1].target)
    assert (firms.kind, firms.label, firms.text_in(ws.text)) == ("entity", "ORG", "Indian firms")
    # The event stays selected: the inspector lists both arguments, no warnings
    # about fillers (the required roles are filled).
    assert ws.selected_id == ev.id
    assert window.inspector.args_table.rowCount() == 2
    assert window.inspector.args_table.item(1, 1).text() == "Indian firms"
    assert window.inspector.current_warnings == []
    # One undo removes the argument and the entity made for it.
    window.undo_action.trigger()
    assert [a.role for a in project.get_annotation(ev.id).arguments] == ["Grantor"]
    assert project.get_annotation(firms.id) is None
    window.redo_action.trigger()
    assert [a.role for a in project.get_annotation(ev.id).arguments] == ["Grantor", "Grantee"]

    # Removing an argument from the inspector's list with Delete.
    window.inspector.args_table.selectRow(0)
    qtbot.keyClick(window.inspector.args_table, Qt.Key.Key_Delete)
    assert [a.role for a in project.get_annotation(ev.id).arguments] == ["Grantee"]


def test_argument_with_wrong_label_is_warned(qtbot, window, project):
    doc = seed_id(project)
    ws = window.workspace
    select(window, "Thursday")
    key(qtbot, window, "d")
    [date] = mine(project, doc)
    select(window, "granted")
    key(qtbot, window, "1")
    ws.add_argument("Grantor")
    click_span(qtbot, window, date.start + 1)
    ev = next(a for a in mine(project, doc) if a.kind == "event")
    assert [(a.role, a.target) for a in ev.arguments] == [("Grantor", date.id)]  # kept, but warned
    assert "Grantor takes GPE, ORG, PERSON" in window.inspector.warnings_label.text()
    assert "Required role Grantee has no argument yet" in window.inspector.warnings_label.text()
    assert "⚠" in window.statusBar().currentMessage()
    assert "DATE" in window.statusBar().currentMessage()


def test_claim_with_claimant_span_and_attributes(qtbot, window, project):
    doc = seed_id(project)
    ws = window.workspace
    start, _ = select(window, "Randhir Jaiswal")
    key(qtbot, window, "p")
    [person] = mine(project, doc)
    select(window, "some Indian companies have received licences for importing rare earth magnets from China")
    key(qtbot, window, "c")
    [cl] = mine(project, doc, "claim")
    assert cl.attributes == {}  # unset: the bundled schema declares no defaults
    # Claimant: Shift+K, then click the person.
    key(qtbot, window, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)
    assert ws.pick is not None and ws.pick.what == "claimant"
    click_span(qtbot, window, start + 3)
    assert project.get_annotation(cl.id).claimant_ref == person.id
    assert "Randhir Jaiswal" in window.inspector.claimant_label.text()
    # Attributes from the inspector, by keyboard.
    combo: QComboBox = window.inspector.attr_combos["stance"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # (not set) -> supports
    assert project.get_annotation(cl.id).attributes["stance"] == "supports"
    veracity = window.inspector.attr_combos["veracity"]
    veracity.setCurrentIndex(veracity.findData("mostly_true"))
    veracity.activated.emit(veracity.currentIndex())
    assert project.get_annotation(cl.id).attributes["veracity"] == "mostly_true"
    # A typed claimant replaces the span claimant.
    window.inspector.claimant_edit.setFocus()
    qtbot.keyClicks(window.inspector.claimant_edit, "the <b>ministry</b>")
    qtbot.keyClick(window.inspector.claimant_edit, Qt.Key.Key_Return)
    stored = project.get_annotation(cl.id)
    assert (stored.claimant_ref, stored.claimant_text) == (None, "the <b>ministry</b>")
    assert window.inspector.claimant_label.text() == "the <b>ministry</b> (typed)"
    assert window.inspector.claimant_label.textFormat() == Qt.TextFormat.PlainText
    # Every step undoes, back to the claim as it was made.
    for _ in range(4):
        window.undo_action.trigger()
    assert project.get_annotation(cl.id).model_dump(exclude={"updated"}) == cl.model_dump(exclude={"updated"})


def test_delete_undo_redo_restore_the_database(qtbot, window, project):
    doc = seed_id(project)
    empty = snapshot(project, doc)
    start, _ = select(window, "China")
    key(qtbot, window, "g")
    select(window, "granted")
    key(qtbot, window, "1")
    window.workspace.add_argument("Grantor")
    click_span(qtbot, window, start + 1)
    full = snapshot(project, doc)
    assert len(full) == 2
    # Click the GPE span and delete it: the argument pointing at it goes too.
    window.workspace.select_annotation(None)
    click_span(qtbot, window, start + 1)
    assert window.workspace.selected().label == "GPE"
    key(qtbot, window, Qt.Key.Key_Delete)
    [ev] = mine(project, doc)
    assert ev.kind == "event" and ev.arguments == []
    assert window.panel.model.rowCount() == 1
    window.undo_action.trigger()
    assert snapshot(project, doc) == full
    assert window.panel.model.rowCount() == 2
    for _ in range(3):
        window.undo_action.trigger()
    assert snapshot(project, doc) == empty
    assert window.article_view.annotations_at(start + 1) == []
    for _ in range(4):
        window.redo_action.trigger()
    assert len(mine(project, doc)) == 1 and mine(project, doc)[0].kind == "event"
    # Keyboard: Ctrl+Z and Ctrl+Shift+Z / Ctrl+Y on the active window.
    window.activateWindow()
    qtbot.waitActive(window)
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(project, doc) == full
    qtbot.keyClick(window.article_view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(mine(project, doc)) == 1
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(mine(project, doc)) == 1


def test_overlapping_and_nested_spans(qtbot, window, project):
    doc = seed_id(project)
    outer = select(window, "external affairs ministry spokesperson Randhir Jaiswal")
    key(qtbot, window, "p")
    inner = (outer[1] - len("Randhir Jaiswal"), outer[1])
    window.article_view.select_span(*inner)
    key(qtbot, window, "p")
    ministry = (outer[0], outer[0] + len("external affairs ministry"))
    window.article_view.select_span(*ministry)
    key(qtbot, window, "o")
    anns = mine(project, doc)
    assert sorted((a.start, a.end) for a in anns) == sorted([outer, inner, ministry])
    # Both spans at a point inside the inner one are shown, shortest first.
    shown = window.article_view.annotations_at(inner[0] + 1)
    assert [(a.start, a.end) for a in shown] == [inner, outer]
    assert [(a.start, a.end) for a in window.article_view.annotations_at(ministry[0] + 1)] == [ministry, outer]
    assert window.panel.model.rowCount() == 3


def test_change_label_and_boundaries_from_the_keyboard(qtbot, window, project):
    doc = seed_id(project)
    start, end = select(window, "Randhir")
    key(qtbot, window, "p")
    [ann] = mine(project, doc)
    window.article_view.select_span(end, end)  # no text selected, the span still selected
    key(qtbot, window, "o")
    assert project.get_annotation(ann.id).label == "ORG"
    assert [a.label for a in mine(project, doc)] == ["ORG"]
    # Alt+Shift+Right moves the end; repeated nudges are one undo step.
    for _ in range(8):
        key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    stored = project.get_annotation(ann.id)
    assert stored.text_in(window.workspace.text) == "Randhir Jaiswal"
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert project.get_annotation(ann.id).text_in(window.workspace.text) == "andhir Jaiswal"
    window.undo_action.trigger()  # all nudges of that span at once
    assert project.get_annotation(ann.id).span == (start, end)
    assert project.get_annotation(ann.id).label == "ORG"
    window.undo_action.trigger()
    assert project.get_annotation(ann.id).label == "PERSON"
    # Escape deselects; then a key without a text selection does nothing.
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.workspace.selected_id is None
    key(qtbot, window, "g")
    assert [a.label for a in mine(project, doc)] == ["PERSON"]


def test_relation_between_two_spans(qtbot, window, project):
    doc = seed_id(project)
    ws = window.workspace
    j_start, _ = select(window, "Randhir Jaiswal")
    key(qtbot, window, "p")
    m_start, _ = select(window, "external affairs ministry", 1)
    key(qtbot, window, "o")
    person, ministry = sorted(mine(project, doc), key=lambda a: a.label != "PERSON")
    ws.select_annotation(None)
    click_span(qtbot, window, j_start + 1)
    assert ws.selected_id == person.id
    key(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert ws.choose_option("affiliated_with")
    click_span(qtbot, window, m_start + 1)
    [rel] = mine(project, doc, "relation")
    assert (rel.label, rel.head, rel.tail) == ("affiliated_with", person.id, ministry.id)
    assert window.inspector.current_warnings == []
    row = window.panel.model.row_of(rel.id)
    assert window.panel.model.data(window.panel.model.index(row, 2)) == "Randhir Jaiswal → external affairs ministry"


def test_switching_documents_then_undo(qtbot, window, project):
    first, second = seed_id(project), unicode_id(project)
    select(window, "China")
    key(qtbot, window, "g")
    open_doc(window, second)
    select(window, "GENEVA")
    key(qtbot, window, "g")
    open_doc(window, first)
    # Undoing the last edit (in the other document) first shows that document.
    window.undo_action.trigger()
    assert window.current_doc_id == second
    assert mine(project, second) == []
    assert window.doc_list.current_document() == second
    window.undo_action.trigger()
    assert window.current_doc_id == first
    assert mine(project, first) == []
    window.redo_action.trigger()
    window.redo_action.trigger()
    assert window.current_doc_id == second
    assert [a.text_in(project.document_text(second)) for a in mine(project, second)] == ["GENEVA"]
    assert window.panel.model.rowCount() == 1


@pytest.mark.parametrize(
    "needle",
    [
        "a figure disputed",  # after the emoji 📉
        "👨\u200d👩\u200d👧",  # the ZWJ family itself
        "in Valparaíso",  # inside the ZWJ family line, after the family
        "say the deal arrives",  # after U+2028
        "met on Tuesday",  # after the 😀 of the title line
        "🇨🇱",  # a flag
    ],
)
def test_unicode_spans_store_what_was_selected(qtbot, window, project, needle):
    doc = unicode_id(project)
    open_doc(window, doc)
    view = window.article_view
    # Select with Qt's own search (Qt positions), not with our mapping.
    found = view.document().find(needle)
    assert not found.isNull()
    view.setTextCursor(found)
    assert found.selectedText() == needle
    key(qtbot, window, "x")
    [ann] = mine(project, doc)
    assert project.document_text(doc)[ann.start : ann.end] == needle


def test_unicode_span_across_crlf_lines(qtbot, window, project):
    doc = unicode_id(project)
    open_doc(window, doc)
    view = window.article_view
    first = view.document().find("2.4")
    second = view.document().find("The Korean")
    cursor = QTextCursor(view.document())
    cursor.setPosition(first.selectionStart())
    cursor.setPosition(second.selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    selected = cursor.selectedText().replace("\u2029", "\n")
    key(qtbot, window, "x")
    [ann] = mine(project, doc)
    text = project.document_text(doc)
    assert text[ann.start : ann.end] == selected
    assert selected.startswith("2.4\u00a0billion.") and selected.endswith("\nThe Korean")


def test_keyboard_selection_with_shift_arrows(qtbot, window, project):
    doc = unicode_id(project)
    open_doc(window, doc)
    view = window.article_view
    start = view.document().find("Kim Min-jun").selectionStart()
    cursor = view.textCursor()
    cursor.setPosition(start)
    view.setTextCursor(cursor)
    for _ in range(len("Kim Min-jun")):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    key(qtbot, window, "p")
    [ann] = mine(project, doc)
    assert project.document_text(doc)[ann.start : ann.end] == "Kim Min-jun"


def test_the_progress_is_counted_again_only_when_a_status_can_change(qtbot, window, project, monkeypatch):
    """The status bar's "Done n of m" counts every document's status (5-10 ms in a
    project of 100,000): again after a status change, an undo of one, or changes
    to other documents; not after an edit that leaves the status as it was."""
    doc = seed_id(project)
    window.open_document(doc)
    counted = []
    real = Project.status_counts
    monkeypatch.setattr(Project, "status_counts", lambda self: counted.append(1) or real(self))
    ws = window.workspace
    start, end = find(window, "Beijing")
    assert ws.run(AddAnnotations(doc, ME, [entity(doc, start, end, "GPE", ME)]))  # new -> in progress
    assert len(counted) == 1 and "Done 0 of 2" in window.progress_label.text()
    start, end = find(window, "China")
    assert ws.run(AddAnnotations(doc, ME, [entity(doc, start, end, "GPE", ME)]))  # still in progress
    assert len(counted) == 1
    qtbot.keyClick(window.article_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # Mark done
    assert len(counted) == 2 and "Done 1 of 2" in window.progress_label.text()
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo it
    assert len(counted) == 3 and "Done 0 of 2" in window.progress_label.text()
    window.open_document(unicode_id(project))
    assert len(counted) == 3  # opening a document changes no status
    window.controller.publish(documents_changed([doc]))  # other documents changed (a merge, annotate all)
    assert len(counted) == 4


def test_store_changes_show_in_the_widgets(qtbot, window, project):
    doc = seed_id(project)
    ws = window.workspace
    start, end = find(window, "Beijing")
    # A command from elsewhere (review tools, scripts) run through the window's stack.
    assert ws.run(AddAnnotations(doc, ME, [entity(doc, start, end, "GPE", ME)]))
    assert [a.label for a in window.article_view.annotations_at(start)] == ["GPE"]
    assert window.panel.model.rowCount() == 1
    assert ws.run(SetStatus(doc, ME, "done"))
    assert window.status_combo.currentData() == "done"
    assert "Done 1 of 2" in window.progress_label.text()
    row = window.doc_list.model.row_of(doc)
    assert window.doc_list.model.data(window.doc_list.model.index(row, 1)) == "done"
    window.undo_action.trigger()
    assert window.status_combo.currentData() == "in_progress"
    # Status from the combo and Mark done.
    window.status_combo.setCurrentIndex(window.status_combo.findData("new"))
    window.status_combo.activated.emit(window.status_combo.currentIndex())
    assert project.document_status(doc) == DocStatus.NEW
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    assert project.document_status(doc) == DocStatus.DONE
    window.next_unfinished()
    assert window.current_doc_id == unicode_id(project)


def test_only_own_annotations_are_shown(qtbot, project, settings):
    doc = seed_id(project)
    text = project.document_text(doc)
    s = text.index("China")
    from annotator.core.commands import apply

    apply(project, AddAnnotations(doc, "someone", [entity(doc, s, s + 5, "GPE", "someone")]))
    w = MainWindow(project, ME, settings)
    qtbot.addWidget(w)
    assert w.current_doc_id == doc
    assert w.panel.model.rowCount() == 0
    assert w.article_view.annotations_at(s) == []
    w.set_annotator("someone")
    assert w.panel.model.rowCount() == 1
    assert w.annotator == "someone" and "someone" in w.annotator_label.text()
    assert settings.value("annotator/name") == "someone"


def test_layout_and_last_document_are_remembered(qtbot, project, settings):
    w = MainWindow(project, ME, settings)
    qtbot.addWidget(w)
    w.show()
    open_doc(w, unicode_id(project))
    w.docks["annotations"].hide()
    w.close()
    assert settings.value("window/version", type=int) == 1
    again = MainWindow(project, ME, settings)
    qtbot.addWidget(again)
    again.show()
    assert again.current_doc_id == unicode_id(project)
    assert not again.docks["annotations"].isVisible()
    assert again.docks["inspector"].isVisible()


def test_shortcuts_reference_and_plain_text(qtbot, window, project):
    rows = window.shortcut_rows()
    keys = {(k, what) for _where, k, what in rows}
    assert ("p", "PERSON (entity)") in keys
    assert ("1", "LicenceGrant (event type)") in keys
    assert ("c", "Claim (claim)") in keys
    assert ("Shift+A", "Add argument") in keys
    assert any(k.startswith("Ctrl+Z") for k, _ in keys)
    assert any("Ctrl+Y" in k for k, _ in keys)
    assert ("Ctrl+D", "Mark done") in keys
    window.show_shortcuts()
    assert window.shortcuts_dialog.table.rowCount() == len(rows)
    for label in (window.title_label, window.annotator_label, window.mode_banner, window.progress_label):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_pick_from_selection_with_enter_and_label_key(qtbot, window, project):
    doc = seed_id(project)
    ws = window.workspace
    select(window, "briefing")
    key(qtbot, window, "3")  # Statement
    [ev] = mine(project, doc)
    key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(ws.chooser, Qt.Key.Key_2)  # the second role: Addressee
    assert ws.pick is not None and ws.pick.role == "Addressee"
    select(window, "Indian firms")
    key(qtbot, window, Qt.Key.Key_Return)
    labels = [a.data() for a in ws.chooser.actions() if a.data()]
    assert labels == ["PERSON", "ORG", "GPE", "NORP"]  # the role's labels only
    qtbot.keyClick(ws.chooser, "n")  # NORP by its own key
    stored = project.get_annotation(ev.id)
    [arg] = stored.arguments
    filler = project.get_annotation(arg.target)
    assert (arg.role, filler.label, filler.text_in(ws.text)) == ("Addressee", "NORP", "Indian firms")
    # Escape cancels a pick without changing anything.
    key(qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert ws.choose_option("Speaker")
    key(qtbot, window, Qt.Key.Key_Escape)
    assert ws.pick is None
    assert len(project.get_annotation(ev.id).arguments) == 1


def test_delete_from_the_annotation_list(qtbot, window, project):
    doc = seed_id(project)
    select(window, "Beijing")
    key(qtbot, window, "g")
    select(window, "China")
    key(qtbot, window, "g")
    window.panel.table.setFocus()
    window.panel.table.selectRow(1)
    assert window.workspace.selected().text_in(window.workspace.text) == "Beijing"
    qtbot.keyClick(window.panel.table, Qt.Key.Key_Delete)
    assert [a.text_in(window.workspace.text) for a in mine(project, doc)] == ["China"]
    # Label keys work in the list as in the text: relabel the selected row.
    window.panel.table.selectRow(0)
    qtbot.keyClick(window.panel.table, "n")
    assert [a.label for a in mine(project, doc)] == ["NORP"]


def test_failed_undo_is_reported_and_dropped(qtbot, window, project):
    from annotator.core.commands import UpdateAnnotation, apply

    doc = seed_id(project)
    select(window, "China")
    key(qtbot, window, "g")
    [ann] = mine(project, doc)
    # Another process changes the annotation behind the window's back.
    apply(project, UpdateAnnotation(doc, "elsewhere", ann.id, label="LOC"))
    count = window.undo_stack.count()
    window.undo_action.trigger()
    assert project.get_annotation(ann.id).label == "LOC"  # nothing was undone
    assert window.undo_stack.count() == count - 1  # and the step is gone
    assert "Could not undo" in window.statusBar().currentMessage()
    window.undo_action.trigger()  # the step before (none here) still works
    assert project.get_annotation(ann.id).label == "LOC"


def test_refused_command_never_enters_the_stack(qtbot, window, project):
    from annotator.core.commands import AddAnnotations

    doc = seed_id(project)
    text_len = len(project.document_text(doc))
    bad = entity(doc, text_len - 2, text_len + 5, "GPE", ME)  # beyond the text
    assert not window.workspace.run(AddAnnotations(doc, ME, [bad]))
    assert window.undo_stack.count() == 0
    assert "outside the text" in window.statusBar().currentMessage()
    assert mine(project, doc) == []


def test_review_menu_appears_when_review_tools_add_actions(qtbot, window):
    review = window.menus["Review"]
    assert set(window.menus) == {"File", "Edit", "View", "Document", "Review", "Team", "Suggestions", "Help"}
    assert review.menuAction().isVisible() == bool(review.actions())  # no empty menu
    review.addAction("Another review tool")
    assert review.menuAction().isVisible()


def test_error_reporter_logs_and_shows_plain_text(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from annotator.ui import app

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append((self.textFormat(), self.text())) or 0)
    reporter = app.ErrorReporter(tmp_path / "annotator.log")
    try:
        raise RuntimeError("<b>boom</b>")
    except RuntimeError as err:
        reporter(type(err), err, err.__traceback__)
    [(fmt, text)] = shown
    assert fmt == Qt.TextFormat.PlainText
    assert "RuntimeError: <b>boom</b>" in text and "saved" in text
    # The same error again (say, on every repaint) is logged but not shown again.
    try:
        raise RuntimeError("<b>boom</b>")
    except RuntimeError as err:
        reporter(type(err), err, err.__traceback__)
    assert len(shown) == 1


def test_app_run_reports_a_bad_project_without_traceback(qtbot, monkeypatch, tmp_path):
    from annotator.ui import app, dialogs

    bad = tmp_path / "not-a-project.annotator"
    bad.write_text("hello, I am not SQLite")
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text, details=None: errors.append(text))
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    assert app.run(bad) == 1
    [message] = errors
    assert "not an annotator project" in message and "Traceback" not in message


def test_annotator_name_is_asked_once_and_remembered(qtbot, monkeypatch, settings):
    from annotator.ui import app, dialogs

    asked = []
    monkeypatch.setattr(dialogs, "ask_annotator_name", lambda *a: asked.append(a) or "Kim")
    assert app.ask_name(settings, None) == "Kim"
    assert app.ask_name(settings, None) == "Kim"
    assert len(asked) == 1
    assert dialogs.check_annotator_name("@gold") is not None
    assert dialogs.check_annotator_name("  ") is not None
    assert dialogs.check_annotator_name("Kim") is None


def test_push_runs_a_command_once_and_undo_redo_each_once(qtbot, window, project):
    doc = seed_id(project)
    select(window, "China")
    key(qtbot, window, "g")
    actions = [h["action"] for h in project.history(doc)]
    assert actions.count("do:AddAnnotations") == 1
    window.undo_action.trigger()
    window.redo_action.trigger()
    actions = [h["action"] for h in project.history(doc)]
    assert (actions.count("do:AddAnnotations"), actions.count("undo:AddAnnotations")) == (2, 1)


def test_label_change_from_the_inspector_and_keys_from_a_button(qtbot, window, project):
    doc = seed_id(project)
    select(window, "Beijing")
    key(qtbot, window, "g")
    [ann] = mine(project, doc)
    combo = window.inspector.label_combo
    combo.setFocus()
    combo.setCurrentIndex(combo.findData("LOC"))
    combo.activated.emit(combo.currentIndex())
    assert project.get_annotation(ann.id).label == "LOC"
    # Typing into the combo (a field) never annotates; a key pressed on a button does.
    select(window, "electric")  # text selected in the view, but the key goes to the combo
    combo.setFocus()
    qtbot.keyClick(combo, "p")
    assert len(mine(project, doc)) == 1
    assert project.get_annotation(ann.id).label in {"LOC", "PERSON", "PERCENT", "PRODUCT"}
    label_now = project.get_annotation(ann.id).label
    select(window, "electric")
    window.done_button.setFocus()
    qtbot.keyClick(window.done_button, "r")
    assert sorted(a.label for a in mine(project, doc)) == sorted([label_now, "PRODUCT"])


def test_open_new_and_bad_projects(qtbot, window, project, tmp_path, monkeypatch):
    from annotator.ui import dialogs

    select(window, "China")
    key(qtbot, window, "g")
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text, details=None: errors.append(text))
    bad = tmp_path / "bad.annotator"
    bad.write_bytes(b"\x00" * 200)
    assert not window.open_project_file(bad, create=False)
    assert window.project is project and errors and "not an annotator project" in errors[0]

    seen = []
    window.projectChanged.connect(seen.append)
    fresh = tmp_path / "fresh.annotator"
    assert window.open_project_file(fresh, create=True)
    assert window.project is not project and window.project.path == fresh
    assert seen == [window.project]
    assert window.undo_stack.count() == 0 and window.current_doc_id is None
    assert window.doc_list.model.rowCount() == 0
    assert window.title_label.full_text() == "No document"
    # Importing through the window fills the list and opens the first document.
    shutil.copy(DATA / "unicode-crlf.txt", tmp_path / "u.txt")
    window.import_paths([tmp_path / "u.txt", DATA / "bad" / "empty.txt"])
    assert window.doc_list.model.rowCount() == 1
    assert window.current_doc_id == window.doc_list.model.doc_id(0)
    report = window.last_import_dialog.text.toPlainText()
    assert "REFUSED" in report and "empty" in report
    window.last_import_dialog.close()
    window.project.close()
