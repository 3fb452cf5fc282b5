"""Linking an entity to a knowledge base from the inspector (issue 14), keyboard
only, through the real widgets: Ctrl+K focuses the link field, typing shows fuzzy
candidates, Down and Enter link, Delete in the links list removes, Ctrl+Z undoes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from annotator.core.store import Project
from annotator.services.importing import import_seeds
from annotator.services.kb import load_kb
from annotator.ui.main_window import MainWindow

ME = "maria"
KB = (
    "id,name,aliases,description\n"
    "Q148,China,PRC|People's Republic of China,country in East Asia\n"
    "Q865,Taiwan,Republic of China,country in East Asia\n"
    "Q29520,Chinatown,,neighbourhood\n"
    "Q668,India,Bharat,country in South Asia\n"
)


@pytest.fixture
def settings(tmp_path):
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s
    s.sync()


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "work.annotator", create=True)
    import_seeds(p)
    kb = tmp_path / "geo.csv"
    kb.write_text(KB, encoding="utf-8")
    load_kb(p, kb, "Wikidata")
    yield p
    p.close()


@pytest.fixture
def window(qtbot, project, settings):
    w = MainWindow(project, ME, settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.snap_action.setChecked(False)
    w.article_view.setFocus()
    yield w
    w.close()


def new_entity(qtbot, w: MainWindow, project: Project, needle: str, key: str = "g"):
    start = w.workspace.text.index(needle)
    w.article_view.select_span(start, start + len(needle))
    w.article_view.setFocus()
    qtbot.keyClick(w.article_view, key)
    [ent] = [a for a in project.annotations(w.current_doc_id, annotator=ME) if a.start == start]
    return ent


def type_text(qtbot, widget, text: str) -> None:
    for ch in text:
        qtbot.keyClick(widget, ch)


def links(project: Project, ann_id: str) -> list[tuple[str, str, str]]:
    return [(x.resource, x.id, x.name) for x in project.get_annotation(ann_id).links]


def test_type_pick_remove_undo_keyboard_only(qtbot, window, project):
    ent = new_entity(qtbot, window, project, "China")
    assert window.workspace.selected().id == ent.id
    qtbot.keyClick(window.article_view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    box = window.inspector.kb_box
    assert box is not None and box.isVisible()
    qtbot.waitUntil(lambda: box.field.hasFocus())
    type_text(qtbot, box.field, "Chna")  # a typo
    qtbot.waitUntil(lambda: box.candidates.count() > 0)
    first = box.candidates.item(0).text()
    assert first.startswith("China") and "Wikidata:Q148" in first and "country in East Asia" in first
    shown = [box.candidates.item(i).text().split("  ·  ")[1].split("\n")[0] for i in range(box.candidates.count())]
    assert shown[0] == "Wikidata:Q148" and "Wikidata:Q668" not in shown
    # Down to the second candidate, Up back to the first, Enter links
    qtbot.keyClick(box.field, Qt.Key.Key_Down)
    assert box.candidates.currentRow() == 1
    qtbot.keyClick(box.field, Qt.Key.Key_Up)
    assert box.candidates.currentRow() == 0
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    assert links(project, ent.id) == [("Wikidata", "Q148", "China")]
    assert box.field.text() == "" and box.candidates.count() == 0
    assert [box.links_list.item(i).text() for i in range(box.links_list.count())] == ["Wikidata:Q148  China"]
    # a second link, by an alias, picked with Down
    type_text(qtbot, box.field, "republic of china")
    qtbot.waitUntil(lambda: box.candidates.count() > 1)
    rows = [box.candidates.item(i).data(Qt.ItemDataRole.UserRole)[1] for i in range(box.candidates.count())]
    assert rows[:2] in (["Q865", "Q148"], ["Q148", "Q865"])
    target = rows.index("Q865")
    for _ in range(target):
        qtbot.keyClick(box.field, Qt.Key.Key_Down)
    qtbot.keyClick(box.field, Qt.Key.Key_Enter)
    assert links(project, ent.id) == [("Wikidata", "Q148", "China"), ("Wikidata", "Q865", "Taiwan")]
    # Delete in the links list removes the chosen link
    qtbot.keyClick(box.field, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # to "Remove link"
    qtbot.keyClick(box.remove_button, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # to the links
    assert box.links_list.hasFocus()
    qtbot.keyClick(box.links_list, Qt.Key.Key_Down)
    assert box.links_list.currentRow() == 1
    qtbot.keyClick(box.links_list, Qt.Key.Key_Delete)
    assert links(project, ent.id) == [("Wikidata", "Q148", "China")]
    # Ctrl+Z undoes the removal, then the second link; Ctrl+Shift+Z redoes
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert links(project, ent.id) == [("Wikidata", "Q148", "China"), ("Wikidata", "Q865", "Taiwan")]
    assert box.links_list.count() == 2
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert links(project, ent.id) == [("Wikidata", "Q148", "China")]
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(links(project, ent.id)) == 2


def test_escape_clears_and_nothing_found_says_so(qtbot, window, project):
    new_entity(qtbot, window, project, "India")
    qtbot.keyClick(window.article_view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    box = window.inspector.kb_box
    qtbot.waitUntil(lambda: box.field.hasFocus())
    type_text(qtbot, box.field, "zzqx")
    qtbot.waitUntil(lambda: "Nothing found" in box.status.text())
    assert box.candidates.count() == 0
    qtbot.keyClick(box.field, Qt.Key.Key_Return)  # nothing to pick: nothing happens
    qtbot.keyClick(box.field, Qt.Key.Key_Escape)
    assert box.field.text() == ""


def test_the_box_is_for_entities_only(qtbot, window, project):
    ent = new_entity(qtbot, window, project, "China")
    assert window.inspector.kb_box is not None and window.inspector.kb_box.isVisible()
    window.workspace.select_annotation(None)
    assert not window.inspector.kb_box.isVisible()
    window.workspace.select_annotation(ent.id)
    assert window.inspector.kb_box.isVisible()
