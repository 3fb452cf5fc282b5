"""The review mode driven through its widgets (pytest-qt, offscreen): accept a span,
one event argument, all agreed, undo; the gold layer in the database and in a
``--gold`` export is what the reviewer chose."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QPushButton
from review_fixtures import build_demo

from annotator.cli import main
from annotator.core.commands import AddAnnotations, apply
from annotator.core.models import GOLD, DocStatus, Document, entity
from annotator.ui.actions import plain_action_text
from annotator.ui.agreement_dialog import AgreementDialog
from annotator.ui.review_view import ReviewView
from annotator.ui.review_window import ReviewWindow


@pytest.fixture
def demo(tmp_path):
    d = build_demo(tmp_path / "review.annotator")
    yield d
    d.project.close()


@pytest.fixture
def view(qtbot, demo):
    stack = QUndoStack()
    v = ReviewView(demo.project, "rita", stack)
    v.resize(1300, 850)
    qtbot.addWidget(v)
    v.show()
    v.open_document(demo.doc_id)
    v._stack = stack  # keep it alive with the widget
    return v


def click(qtbot, view, name: str) -> None:
    button = view.detail.findChild(QPushButton, name) or view.findChild(QPushButton, name)
    assert button is not None, f"no button {name}; have {sorted(view.detail.buttons)}"
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def select(view, demo, annotator, name):
    u = view.unit_containing(demo.id(annotator, name))
    view.select_unit(u)
    assert view.selected_unit() is u
    return u


def gold_rows(demo):
    return sorted(
        (g.kind, g.label, demo.text[g.start : g.end]) for g in demo.project.annotations(demo.doc_id, GOLD) if g.start is not None
    )


def test_units_and_panes_show_both_annotators(view, demo):
    assert list(view.panes) == ["alice", "bob", GOLD]
    assert view.panes["alice"].title.text() == "alice (19)" and view.panes[GOLD].title.text() == "Gold layer (0)"
    statuses = [view.unit_model.index(r, 0).data() for r in range(view.unit_model.rowCount())]
    assert statuses.count("agreed") == 10 and "label+boundary" in statuses
    assert "20 units" in view.summary_label.text() and "10 open" in view.summary_label.text()
    # the same stored text in every pane
    assert all(p.view.text() == demo.text for p in view.panes.values())
    view.only_open.setChecked(True)
    assert view.unit_model.rowCount() == 10


def test_accept_a_span_by_clicking(qtbot, view, demo):
    select(view, demo, "bob", "beijing")
    click(qtbot, view, "accept:bob")
    assert gold_rows(demo) == [("entity", "GPE", "Beijing’s")]
    (decision,) = demo.project.review_decisions(demo.doc_id)
    assert decision["reviewer"] == "rita" and decision["source_ids"] == [demo.id("bob", "beijing")]
    assert decision["time"]
    # the view shows the store's new state: gold pane, unit row, status
    assert view.panes[GOLD].title.text() == "Gold layer (1)"
    u = view.selected_unit()
    assert u is not None and u.decision == "accepted" and u.accepted_from == ["bob"]
    row = view.unit_model.units.index(u)
    assert view.unit_model.index(row, view.unit_model.columnCount() - 1).data() == "✓ bob"
    assert view.status_label.text() == "in review"
    queue_row = view.queue_model.rows[view.queue_model.row_of(demo.doc_id)]
    assert (queue_row.open, queue_row.status) == (9, "in_review")
    # then alice's version replaces it (still one gold annotation)
    click(qtbot, view, "accept:alice")
    assert gold_rows(demo) == [("entity", "GPE", "Beijing")]


def test_accept_one_event_argument_and_undo(qtbot, view, demo):
    select(view, demo, "alice", "grant")
    target = demo.id("alice", "indian")
    click(qtbot, view, f"accept-arg:alice:Grantee:{target}")
    p = demo.project
    (ev,) = [g for g in p.annotations(demo.doc_id, GOLD) if g.kind == "event"]
    (arg,) = ev.arguments
    filler = p.get_annotation(arg.target)
    assert (arg.role, filler.label, demo.text[filler.start : filler.end]) == ("Grantee", "NORP", "Indian")
    assert gold_rows(demo) == [("entity", "NORP", "Indian"), ("event", "LicenceGrant", "granted")]
    view._stack.undo()
    assert gold_rows(demo) == [] and p.review_decisions(demo.doc_id) == []
    assert view.panes[GOLD].title.text() == "Gold layer (0)"
    view._stack.redo()
    assert len(gold_rows(demo)) == 2


def test_accept_claim_attribute_by_clicking(qtbot, view, demo):
    select(view, demo, "bob", "confirm")
    click(qtbot, view, "accept-attr:bob:veracity")
    select(view, demo, "alice", "confirm")
    click(qtbot, view, "accept-attr:alice:claimant")
    (c,) = [g for g in demo.project.annotations(demo.doc_id, GOLD) if g.kind == "claim"]
    assert c.attributes == {"veracity": "true"}
    who = demo.project.get_annotation(c.claimant_ref)
    assert demo.text[who.start : who.end] == "Randhir Jaiswal"


def test_accept_all_agreed_then_undo_then_gold_export(qtbot, view, demo, tmp_path):
    assert view.accept_agreed_button.text() == "Accept all agreed (10)"
    click(qtbot, view, "accept-agreed")
    assert len(gold_rows(demo)) == 10
    assert not view.accept_agreed_button.isEnabled()
    assert view._stack.count() == 1  # one undoable step
    view._stack.undo()
    assert gold_rows(demo) == []
    assert view.accept_agreed_button.isEnabled()
    view._stack.redo()
    # plus the reviewer's own choices
    select(view, demo, "bob", "indian")
    click(qtbot, view, "accept:bob")
    select(view, demo, "alice", "grant")
    click(qtbot, view, f"accept-arg:bob:Grantee:{demo.id('bob', 'indian')}")
    select(view, demo, "alice", "percent")
    click(qtbot, view, "reject")
    expected = gold_rows(demo)
    assert ("entity", "ORG", "Indian firms") in expected and ("entity", "PERCENT", "70%") not in expected
    path = str(demo.project.path)
    out = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(main, ["export", path, "--format", "native", "--gold", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    exported = sorted(
        (a["kind"], a["label"], record["text"][a["start"] : a["end"]]) for a in record["annotations"] if a["start"] is not None
    )
    assert exported == expected
    assert {a["annotator"] for a in record["annotations"]} == {GOLD}
    events_out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(main, ["export", path, "--format", "events", "--gold", "-o", str(events_out)])
    assert result.exit_code == 0, result.output
    text = events_out.read_text("utf-8")
    assert "LicenceGrant" in text and "Indian firms" in text and "Grantee" in text


def test_keys_accept_reject_and_move(qtbot, view, demo):
    select(view, demo, "alice", "lac")
    view.unit_table.setFocus()
    qtbot.keyClick(view.unit_table, Qt.Key.Key_2)  # bob's version
    assert gold_rows(demo) == [("entity", "FAC", "Line of Actual Control")]
    before = view.selected_unit()
    qtbot.keyClick(view.unit_table, Qt.Key.Key_J)
    after = view.selected_unit()
    assert after is not None and after.open and after is not before
    qtbot.keyClick(view.unit_table, Qt.Key.Key_X)
    assert view.unit_containing(after.ids[0]).decision == "rejected"
    qtbot.keyClick(view.unit_table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert demo.project.document_status(demo.doc_id) == DocStatus.REVIEWED


def test_change_gold_label_and_add_gold_span(qtbot, view, demo):
    select(view, demo, "alice", "percent")
    click(qtbot, view, "accept:alice")
    combo = view.detail.gold_label
    assert combo is not None and combo.currentText() == "PERCENT"
    combo.setCurrentText("QUANTITY")
    combo.activated.emit(combo.currentIndex())
    assert gold_rows(demo) == [("entity", "QUANTITY", "70%")]
    assert demo.project.review_decisions(demo.doc_id)[-1]["action"] == "edit"
    s = demo.text.index("Chinese government")
    view.gold_pane.view.select_span(s, s + len("Chinese government"))
    assert view.add_button.isEnabled()
    view.add_label.setCurrentIndex(view.add_label.findText("ORG (entity)"))
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert ("entity", "ORG", "Chinese government") in gold_rows(demo)


def test_nudge_gold_boundaries_by_keys_and_undo(qtbot, view, demo):
    select(view, demo, "alice", "lac")
    view.unit_table.setFocus()
    qtbot.keyClick(view.unit_table, Qt.Key.Key_2)  # bob's version
    assert gold_rows(demo) == [("entity", "FAC", "Line of Actual Control")]
    alt, shift = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ShiftModifier
    assert view.gold_pane.view.word_snapping()  # boundaries move by whole words
    qtbot.keyClick(view.unit_table, Qt.Key.Key_Right, alt)  # start one word to the right
    qtbot.keyClick(view.unit_table, Qt.Key.Key_Left, alt | shift)  # end one word to the left
    assert gold_rows(demo) == [("entity", "FAC", "of Actual")]
    decisions = demo.project.review_decisions(demo.doc_id)
    assert [d["action"] for d in decisions[-2:]] == ["edit", "edit"]
    assert all(d["reviewer"] == "rita" for d in decisions[-2:])
    qtbot.keyClick(view.unit_table, Qt.Key.Key_Left, alt)
    qtbot.keyClick(view.unit_table, Qt.Key.Key_Right, alt | shift)
    assert gold_rows(demo) == [("entity", "FAC", "Line of Actual Control")]
    view.undo_stack.undo()
    assert gold_rows(demo) == [("entity", "FAC", "Line of Actual")]
    view.gold_pane.view.set_word_snapping(False)  # and by characters without snapping
    qtbot.keyClick(view.unit_table, Qt.Key.Key_Right, alt)
    assert gold_rows(demo) == [("entity", "FAC", "ine of Actual")]
    # The annotators' own spans never move.
    bob = demo.project.get_annotation(demo.id("bob", "lac"))
    assert demo.text[bob.start : bob.end] == "Line of Actual Control"


def test_gold_nudge_without_gold_span_says_what_to_do(qtbot, view, demo):
    select(view, demo, "alice", "lac")  # not decided yet: no gold span
    messages = []
    view.message.connect(messages.append)
    assert view.adjust_gold_boundary("start", 1) is False
    assert messages and "gold span" in messages[-1]
    assert gold_rows(demo) == []


def test_overlay_shows_every_annotator_in_one_pane_one_colour_each(qtbot, view, demo):
    assert not view.overlay_pane.isVisible() and view.panes["alice"].isVisible()
    view.unit_table.setFocus()
    qtbot.keyClick(view.unit_table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert view.overlay() and view.overlay_pane.isVisible()
    assert not view.panes["alice"].isVisible() and not view.panes["bob"].isVisible() and view.panes[GOLD].isVisible()
    overlay = view.overlay_pane.view
    assert overlay.text() == demo.text
    ids = {a.id for a in demo.project.annotations(demo.doc_id) if a.annotator in ("alice", "bob")}
    assert all(overlay.annotation(i) is not None for i in ids)
    assert view.overlay_pane.title.text() == "All annotators: alice (blue), bob (red)"
    alice, bob = overlay.annotation(demo.id("alice", "lac")), overlay.annotation(demo.id("bob", "lac"))
    assert overlay._style(alice).color.name() == "#1e88e5" and overlay._style(bob).color.name() == "#e53935"
    assert "by alice" in overlay.tooltip_text(alice.start) and "by bob" in overlay.tooltip_text(bob.start)
    # a click on a span selects its unit; the unit's span is selected in the overlay
    overlay.annotationClicked.emit(bob.id)
    u = view.selected_unit()
    assert u is not None and bob.id in u.ids
    assert overlay.selected_annotation() in u.ids
    # deciding in overlay mode updates it like the side-by-side panes
    qtbot.keyClick(view.unit_table, Qt.Key.Key_2)
    assert gold_rows(demo) == [("entity", "FAC", "Line of Actual Control")]
    assert overlay.annotation(bob.id) is not None
    view.set_overlay(False)
    assert view.panes["alice"].isVisible() and not view.overlay_pane.isVisible()
    # the annotators' own views keep their label colours
    label_color = demo.project.schema.color(alice.kind, alice.label).lower()
    assert view.panes["alice"].view._style(alice).color.name() == label_color


def test_panes_scroll_together(qtbot, view):
    bars = [p.view.verticalScrollBar() for p in view.panes.values()]
    qtbot.waitUntil(lambda: all(b.maximum() > 0 for b in bars))
    bars[0].setValue(bars[0].maximum() // 2)
    for b in bars[1:]:
        assert abs(b.value() / b.maximum() - 0.5) < 0.02


def test_queue_orders_documents_by_disagreement_and_opens_them(qtbot, demo):
    p = demo.project
    d = Document(text="Modi met Xi in Kazan.", title="short one")
    p.insert_documents([(d, [])])
    apply(p, AddAnnotations(d.id, "alice", [entity(d.id, 0, 4, "PERSON", "alice"), entity(d.id, 15, 20, "GPE", "alice")]))
    apply(p, AddAnnotations(d.id, "bob", [entity(d.id, 0, 4, "PERSON", "bob")]))
    v = ReviewView(p, "rita")
    qtbot.addWidget(v)
    assert [r.doc_id for r in v.queue_model.rows] == [demo.doc_id, d.id]
    v.queue.setCurrentIndex(v.queue_model.index(1, 0))
    assert v.doc_id == d.id and v.title_label.full_text() == "short one"
    assert [v.unit_model.index(r, 0).data() for r in range(v.unit_model.rowCount())] == ["agreed", "partial"]


def test_agreement_dialog_table_chart_and_jump(qtbot, demo):
    dialog = AgreementDialog(demo.project)
    qtbot.addWidget(dialog)
    rows = {r["label"]: r for r in dialog.label_model.rows}
    assert rows["(all entities)"]["a"] == 15 and rows["(all entities)"]["b"] == 14
    assert rows["LicenceGrant"]["f1b"] == pytest.approx(dialog.pair()["per_label"]["LicenceGrant"]["argument_f1"])
    assert dialog.chart.rows == dialog.label_model.rows
    assert "Krippendorff" in dialog.summary.text()
    requested: list[str] = []
    dialog.documentRequested.connect(requested.append)
    row = [r["label"] for r in dialog.label_model.rows].index("LOC")
    dialog.label_table.doubleClicked.emit(dialog.label_model.index(row, 0))
    assert requested == [demo.doc_id]
    assert dialog.doc_model.rows[0]["disagreements"] == 1  # alice's LOC vs nothing
    dialog.doc_table.doubleClicked.emit(dialog.doc_model.index(0, 0))
    assert requested == [demo.doc_id, demo.doc_id]


def test_main_window_review_menu_shares_the_undo_stack(qtbot, demo, tmp_path):
    from annotator.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo.project, "rita", settings)
    qtbot.addWidget(window)
    review_menu = window.menus["Review"]
    texts = [plain_action_text(a) for a in review_menu.actions()]
    assert any("Review mode" in t for t in texts) and any("Agreement" in t for t in texts)
    assert any("colleague" in a.text() for a in window.menus["File"].actions())
    assert review_menu.menuAction().isVisible()
    next(a for a in review_menu.actions() if "Review mode" in plain_action_text(a)).trigger()
    win = window.review_window
    assert isinstance(win, ReviewWindow) and win.review.doc_id == demo.doc_id
    qtbot.addWidget(win)
    win.review.select_unit(win.review.unit_containing(demo.id("alice", "china")))
    win.review.accept(demo.id("alice", "china"))
    assert gold_rows(demo) == [("entity", "GPE", "China")]
    window.undo_action.trigger()  # the main window's Edit > Undo
    assert gold_rows(demo) == []
    window.redo_action.trigger()
    assert gold_rows(demo) == [("entity", "GPE", "China")]
    assert demo.project.document_status(demo.doc_id) == DocStatus.IN_REVIEW
    assert not win.stale()
    window.set_project(None, "rita")  # the main window moves on: the review window must not use the closed project
    assert win.stale()
    win.close()
    window.close()


def test_import_colleagues_work_from_the_main_window(qtbot, demo, tmp_path, monkeypatch):
    from annotator.core.store import Project
    from annotator.ui import review_actions
    from annotator.ui.main_window import MainWindow

    other = Project(tmp_path / "carol.annotator", create=True)
    d = Document(text="Carol read this on Friday.", title="carol's")
    other.insert_documents([(d, [entity(d.id, 0, 5, "PERSON", "carol")])])
    other.close()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo.project, "rita", settings)
    qtbot.addWidget(window)
    monkeypatch.setattr(review_actions.QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(other.path)], ""))
    next(a for a in window.menus["File"].actions() if "colleague" in a.text()).trigger()
    assert demo.project.document_count() == 2
    assert "carol" in demo.project.annotators()
    labels = [w.text() for w in window.last_merge_dialog.findChildren(QLabel)]
    assert any("carol.annotator: 1 new document" in t for t in labels), labels
    window.close()
    window.set_project(None, "rita")


def test_one_change_bus_refreshes_every_window(qtbot, demo, tmp_path):
    """A review decision shows in the main window (header, document list); an
    edit in the main window shows in the open review (the same bus)."""
    from annotator.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo.project, "rita", settings)
    qtbot.addWidget(window)
    window.open_document(demo.doc_id)
    next(a for a in window.menus["Review"].actions() if "Review mode" in plain_action_text(a)).trigger()
    win = window.review_window
    qtbot.addWidget(win)
    assert win.review.controller is window.controller
    seen: list = []
    window.controller.changed.connect(seen.append)
    win.review.accept(demo.id("alice", "china"))
    assert seen and seen[-1].doc_id == demo.doc_id
    assert window.workspace.status == DocStatus.IN_REVIEW
    assert window.status_combo.currentData() == DocStatus.IN_REVIEW.value
    # the other way: rita annotates in the main window; the review gets a pane for her
    assert "rita" not in win.review.panes
    window.article_view.select_span(0, 5, False)
    assert window.workspace.annotate_selection("entity", "GPE") is not None
    assert "rita" in win.review.panes and win.review.panes["rita"].title.text() == "rita (1)"
    window.undo_action.trigger()
    assert "rita" not in win.review.panes
    win.close()
    window.close()
    window.set_project(None, "rita")
