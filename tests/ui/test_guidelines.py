"""Guidelines in place (issue 14): hovering a palette chip shows the label's
description and examples; F1 opens the guidelines pane (filtered as one types);
a label's gold examples are one click away and a click shows one in its document."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from annotator.core.kinds import GOLD
from annotator.core.models import entity

ME = "maria"


@pytest.fixture
def window(window):
    yield window
    QToolTip.hideText()


def hover(qtbot, widget) -> str:
    """Send the tooltip event a hover sends, and return the tooltip shown."""
    QToolTip.hideText()
    pos = widget.rect().center()
    event = QHelpEvent(QHelpEvent.Type.ToolTip, pos, widget.mapToGlobal(pos))
    QApplication.sendEvent(widget, event)
    qtbot.waitUntil(QToolTip.isVisible)
    return QToolTip.text()


def test_hovering_a_chip_shows_its_description_and_examples(qtbot, window):
    chip = window.palette_widget.chip("entity", "PERSON")
    assert chip is not None
    tip = hover(qtbot, chip)
    guide = window.workspace.schema.entity("PERSON")
    assert "People, real or fictional" in tip
    assert "Randhir Jaiswal</span>" in tip and "font-weight:700" in tip  # Markdown **bold**, formatted
    assert "Examples" in tip and "Not this" in tip
    assert guide.counter_examples[0].split(":")[0] in tip
    assert "Key: p" in tip
    # an event type, and the claim (with its own guidelines)
    assert "grants, issues or approves" in hover(qtbot, window.palette_widget.chip("event", "LicenceGrant"))
    assert "checkable statement" in hover(qtbot, window.palette_widget.chip("claim", "CLAIM"))


def test_a_label_without_guidelines_keeps_its_plain_tooltip(qtbot, window, project):
    from annotator.core.schema import loads_schema

    schema = loads_schema('[[entities]]\nname = "<b>X</b>"\nkey = "p"\n', "toml", "x.toml")
    project.set_schema(schema, force=True)
    window.set_project(project, ME)
    chip = window.palette_widget.chip("entity", "<b>X</b>")
    tip = hover(qtbot, chip)
    assert "&lt;b&gt;X&lt;/b&gt;" in tip  # a name with markup is shown literally


def test_f1_opens_the_guidelines_pane_filtered_as_one_types(qtbot, window):
    qtbot.keyClick(window.article_view, Qt.Key.Key_F1)
    pane = window.guidelines_pane
    assert pane is not None and window.guidelines_dock.isVisible()
    assert pane.filter.hasFocus()
    titles = [e.title for e in pane.visible_entries()]
    assert {"PERSON", "LicenceGrant", "LicenceGrant · role Grantor", "claim · stance", "claim · stance = supports"} <= set(titles)
    assert len(titles) == len(window.workspace.schema.guide_entries())
    # the first entry's guidelines are shown
    assert "People, real or fictional" in pane.body.toPlainText()
    qtbot.keyClicks(pane.filter, "denies")
    visible = [e.title for e in pane.visible_entries()]
    assert "claim · stance = refutes" in visible  # its description says "denies"
    assert "claim" in [e.title.split(" ·")[0] for e in pane.visible_entries()]  # its parents stay visible
    assert "PERSON" not in visible
    assert "denies" in pane.body.toPlainText()  # the current entry moved to a visible one
    # clicking an entry shows it
    pane.filter.clear()
    item = next(i for i in pane.items if i.text(0) == "role Grantor")
    pane.tree.scrollToItem(item)
    rect = pane.tree.visualItemRect(item)
    QTest.mouseClick(pane.tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert "Who grants the licence" in pane.body.toPlainText()
    assert "Role: LicenceGrant · role Grantor" in pane.body.toPlainText()
    # Shift+F1 is still the keys reference
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, Qt.Key.Key_F1, Qt.KeyboardModifier.ShiftModifier)
    assert window.shortcuts_dialog is not None
    window.shortcuts_dialog.close()


def test_gold_examples_of_a_label_one_click_away(qtbot, window, project):
    doc = window.workspace.doc_id
    text = project.document_text(doc)
    start = text.index("Randhir Jaiswal")
    jai = text.index("Jaiswal said")
    project.put_annotations(
        [
            entity(doc, start, start + len("Randhir Jaiswal"), "PERSON", GOLD),
            entity(doc, jai, jai + len("Jaiswal"), "PERSON", GOLD),
            entity(doc, 0, 4, "PERSON", ME),  # not gold: not an example
            entity(doc, text.index("China"), text.index("China") + 5, "GPE", GOLD),
        ]
    )
    qtbot.keyClick(window.article_view, Qt.Key.Key_F1)
    pane = window.guidelines_pane
    assert pane.select("entity", "PERSON")
    assert pane.gold_button.text() == "Gold examples of PERSON"
    QTest.mouseClick(pane.gold_button, Qt.MouseButton.LeftButton)
    items = pane.example_items()
    assert len(items) == 2
    assert "[Randhir Jaiswal]" in items[0].text(0) and "[Jaiswal]" in items[1].text(0)
    assert "2 gold examples of PERSON" in pane.gold_status.text()
    # a click shows the example in its document, selected
    window.article_view.select_span(0, 0)
    pane.gold.scrollToItem(items[1])
    rect = pane.gold.visualItemRect(items[1])
    QTest.mouseClick(pane.gold.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert window.article_view.selection_span() == (jai, jai + len("Jaiswal"))
    # no gold yet for a label: the pane says where gold comes from
    pane.select("event", "Meeting")
    QTest.mouseClick(pane.gold_button, Qt.MouseButton.LeftButton)
    assert pane.example_items() == [] and "gold comes from review" in pane.gold_status.text()


def test_a_chips_context_menu_opens_its_guidelines_with_gold(qtbot, window, project):
    doc = window.workspace.doc_id
    text = project.document_text(doc)
    at = text.index("China")
    project.put_annotations([entity(doc, at, at + 5, "GPE", GOLD)])
    chip = window.palette_widget.chip("entity", "GPE")
    menu = window.palette_widget.chip_menu(chip)
    action = menu.actions()[0]
    assert action.text() == "Guidelines and gold examples of GPE"
    action.trigger()
    pane = window.guidelines_pane
    assert pane.current_entry().label == "GPE"
    assert "Geo-political" in pane.body.toPlainText()
    assert [i.text(0).split(": ", 1)[1] for i in pane.example_items()][0].startswith("…")
    assert "[China]" in pane.example_items()[0].text(0)
    # relations have the guidelines entry too (no annotate-all there)
    rel = window.palette_widget.chip("relation", "located_in")
    assert [a.text() for a in window.palette_widget.chip_menu(rel).actions()] == ["Guidelines and gold examples of located_in"]


def test_guideline_markdown_is_never_fetched_or_run(qtbot, window, project):
    from annotator.core.schema import loads_schema

    schema = loads_schema(
        '[[entities]]\nname = "X"\ndescription = "<img src=\\"http://127.0.0.1:9/x.png\\"> <b>raw</b>"\n', "toml", "x.toml"
    )
    project.set_schema(schema, force=True)
    window.set_project(project, ME)
    tip = hover(qtbot, window.palette_widget.chip("entity", "X"))
    assert "<img" not in tip and "&lt;b&gt;raw" in tip
    qtbot.keyClick(window.article_view, Qt.Key.Key_F1)
    assert "<b>raw</b>" in window.guidelines_pane.body.toPlainText()


def test_the_inspector_shows_role_and_value_guidelines_on_their_items(qtbot, window):
    ws = window.workspace
    start = ws.text.index("granted")
    window.article_view.select_span(start, start + len("granted"))
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, "1")  # LicenceGrant
    combo = window.inspector.role_combo
    grantor = combo.findData("Grantor")
    assert "Who grants the licence" in combo.itemData(grantor, Qt.ItemDataRole.ToolTipRole)
    qtbot.keyClick(window.article_view, Qt.Key.Key_Escape)
    claim = "some Indian companies have received licences"
    start = ws.text.index(claim)
    window.article_view.select_span(start, start + len(claim))
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, "c")
    stance = window.inspector.attr_combos["stance"]
    tip = stance.itemData(stance.findData("refutes"), Qt.ItemDataRole.ToolTipRole)
    assert "The claimant denies it" in tip and "stance = refutes" in tip
