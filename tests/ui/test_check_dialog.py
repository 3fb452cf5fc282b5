"""Review > Consistency check…: the report grouped by kind; double-click or Enter
on a place opens its document in the main window with the span selected."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from annotator.ui.actions import plain_action_text
from annotator.ui.main_window import MainWindow
from tests.check_fixtures import TEXTS, build_corpus, find


@pytest.fixture
def corpus(tmp_path):
    c = build_corpus(tmp_path / "p.annotator")
    yield c
    c.project.close()


@pytest.fixture
def window(qtbot, corpus, tmp_path):
    win = MainWindow(corpus.project, "alice", QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    if win.check_dialog is not None:
        win.check_dialog.close()
    win.close()


def open_check(qtbot, window):
    action = next(a for a in window.menus["Review"].actions() if plain_action_text(a) == "Consistency check")
    action.trigger()  # the stand-in loads the module and opens the dialog
    dialog = window.check_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def groups(dialog):
    tree = dialog.tree
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]


def place_item(dialog, ann_id=None, text=None):
    for item in dialog.place_items():
        place = item.data(0, 0x0101)
        if (ann_id is not None and place.annotation_id == ann_id) or (
            text is not None and place.text == text and place.label is None
        ):
            return item, place
    raise AssertionError("no such place")


def test_menu_entry_opens_the_report_grouped_by_kind(qtbot, window):
    dialog = open_check(qtbot, window)
    assert dialog.layer_combo.currentData() == "alice"  # the window's annotator's layer first
    assert groups(dialog) == [
        "Same string, different labels (1)",
        "Labelled here, unlabelled there (2)",
        "Same string, different boundaries (1)",
        "Events missing required roles (1)",
    ]
    assert "5 findings" in dialog.summary.text()
    labels = dialog.tree.topLevelItem(0).child(0)
    assert "“Reuters” labelled ORG 2 times, PERSON once" in labels.text(0)
    assert [labels.child(i).text(1) for i in range(labels.childCount())] == ["Doc A", "Doc B", "Doc B"]


def test_double_click_opens_the_document_with_the_span_selected(qtbot, window, corpus):
    dialog = open_check(qtbot, window)
    ann = corpus.ann["reuters_b2"]  # the PERSON "Reuters" in b (the window is on a)
    item, place = place_item(dialog, ann_id=ann.id)
    dialog.tree.scrollToItem(item)
    rect = dialog.tree.visualItemRect(item)
    # as a user does: the first click's press and release, then the second press (a double-click)
    qtbot.mouseClick(dialog.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_doc_id == corpus.ids["a"]  # one click only selects the row
    QTest.mouseDClick(dialog.tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert window.current_doc_id == corpus.ids["b"]
    assert window.article_view.raw_selection_span() == (ann.start, ann.end)
    assert window.workspace.selected_id == ann.id


def test_enter_on_an_unlabelled_place_selects_its_text_ready_for_a_label(qtbot, window, corpus):
    dialog = open_check(qtbot, window)
    item, place = place_item(dialog, text="China")
    dialog.tree.setCurrentItem(item)
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)
    s, e = find(TEXTS["c"], "China", 1)
    assert window.current_doc_id == corpus.ids["c"]
    assert window.article_view.raw_selection_span() == (s, e)
    # the label key tags it: the finding is fixed, and checking again shows it
    assert window.article_view.hasFocus() or window.focusWidget() is window.article_view
    qtbot.keyClick(window.article_view, Qt.Key.Key_G)  # GPE's key
    assert any(a.label == "GPE" and (a.start, a.end) == (s, e) for a in window.workspace.anns.values())
    dialog.recompute()
    assert groups(dialog)[1] == "Labelled here, unlabelled there (1)"


def test_enter_on_a_finding_opens_its_first_place_and_layers_can_be_chosen(qtbot, window, corpus):
    dialog = open_check(qtbot, window)
    roles = dialog.tree.topLevelItem(3).child(0)
    dialog.tree.setCurrentItem(roles)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)
    met = corpus.ann["met_a"]
    assert window.current_doc_id == corpus.ids["a"]
    assert window.article_view.raw_selection_span() == (met.start, met.end)
    dialog.layer_combo.setCurrentIndex(dialog.layer_combo.findData("bob"))
    assert groups(dialog) == [] and "no inconsistencies found" in dialog.summary.text()
    dialog.layer_combo.setCurrentIndex(0)  # everyone
    assert "alice: " in dialog.tree.topLevelItem(0).child(0).text(0)


def test_article_text_in_the_report_is_shown_literally(qtbot, window, corpus):
    dialog = open_check(qtbot, window)
    item, _place = place_item(dialog, ann_id=corpus.ann["reuters_a"].id)
    assert item.text(0) == "“Reuters” reported that the Ministry of External"
    assert item.toolTip(1).startswith("<qt>")


def test_a_finding_with_many_places_lists_the_first_and_says_how_many_more(qtbot, tmp_path):
    from annotator.core.models import Document, entity
    from annotator.core.store import Project
    from annotator.ui.check_dialog import PLACES_SHOWN, CheckDialog

    with Project(tmp_path / "many.annotator", create=True) as project:
        doc = Document(text="China " * (PLACES_SHOWN + 60), title="Many")
        project.insert_documents([(doc, [])])
        with project.transaction():
            project.put_annotations([entity(doc.id, 0, 5, "GPE", "alice")])
        dialog = CheckDialog(project, None, "alice")
        qtbot.addWidget(dialog)
        finding = dialog.tree.topLevelItem(0).child(0)
        assert finding.childCount() == PLACES_SHOWN + 1
        more = finding.child(PLACES_SHOWN)
        assert more.text(0).startswith("… and 59 more")
        dialog.tree.setCurrentItem(more)
        requested = []
        dialog.placeRequested.connect(lambda layer, place: requested.append(place))
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)  # nothing to open there
        assert requested == []
        dialog.tree.setCurrentItem(finding.child(1))
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)
        assert [(p.start, p.end) for p in requested] == [(12, 17)]


def test_another_annotators_place_selects_the_text_and_says_whose_it_is(qtbot, corpus, tmp_path):
    win = MainWindow(corpus.project, "bob", QSettings(str(tmp_path / "bob.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    dialog = open_check(qtbot, win)
    assert dialog.layer_combo.currentData() == "bob"
    dialog.layer_combo.setCurrentIndex(dialog.layer_combo.findData("alice"))
    ann = corpus.ann["mea_b"]
    item, _place = place_item(dialog, ann_id=ann.id)
    dialog.tree.setCurrentItem(item)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)
    assert win.current_doc_id == corpus.ids["b"]
    assert win.article_view.raw_selection_span() == (ann.start, ann.end)
    assert win.workspace.selected_id is None  # bob's layer does not hold alice's span
    assert "alice's annotation" in win.statusBar().currentMessage()
    dialog.close()
    win.close()


def test_an_unlabelled_string_is_fixed_with_annotate_all_then_checked_again(qtbot, window, corpus):
    """A string labelled GPE here and left unlabelled there: Annotate all… labels
    the rest in one step, and the check then has that finding no more."""
    dialog = open_check(qtbot, window)
    item, place = place_item(dialog, text="China")
    dialog.tree.setCurrentItem(item)
    assert dialog.annotate_button.isEnabled()
    qtbot.mouseClick(dialog.annotate_button, Qt.MouseButton.LeftButton)
    annotate = window.annotate_all_dialog
    qtbot.waitUntil(lambda: annotate.isVisible())
    assert annotate.label == "GPE"  # the label the string has where it is labelled
    ticked = annotate.ticked()
    assert (place.doc_id, place.start, place.end) in [c.key for c in ticked]
    qtbot.mouseClick(annotate.add_button, Qt.MouseButton.LeftButton)
    dialog.recompute()
    left = [i.data(0, 0x0101) for i in dialog.place_items()]
    assert not any(p.text == "China" and p.label is None for p in left)
    # A finding annotate all cannot fix (an event's missing role): the button is off.
    roles = next(i for i in dialog.place_items() if i.data(0, 0x0102).kind == "roles")
    dialog.tree.setCurrentItem(roles)
    assert not dialog.annotate_button.isEnabled()
