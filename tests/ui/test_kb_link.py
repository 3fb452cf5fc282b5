"""Linking an entity to a knowledge base from the inspector (issue 14), keyboard
only, through the real widgets: Ctrl+L focuses the link field, typing shows fuzzy
candidates, Down and Enter link, Delete in the links list removes, Ctrl+Z undoes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

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
def project(tmp_path):
    p = Project(tmp_path / "work.annotator", create=True)
    import_seeds(p)
    kb = tmp_path / "geo.csv"
    kb.write_text(KB, encoding="utf-8")
    load_kb(p, kb, "Wikidata")
    yield p
    p.close()


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
    qtbot.keyClick(window.article_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
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
    qtbot.keyClick(window.article_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
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


def test_load_a_knowledge_base_from_the_box_then_link(qtbot, window, project, tmp_path, monkeypatch):
    from annotator.services.kb import delete_kb
    from annotator.ui import kb_links

    delete_kb(project, "Wikidata")  # a project without a knowledge base
    w, p = window, project
    ent = new_entity(qtbot, w, p, "China")
    qtbot.keyClick(w.article_view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    box = w.inspector.kb_box
    assert not box.field.isEnabled() and "No knowledge base" in box.status.text()
    qtbot.waitUntil(lambda: box.load_button.hasFocus())  # nothing to search yet: Ctrl+L gives the load button the focus
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\nQ1\n", encoding="utf-8")
    good = tmp_path / "my kb.csv"
    good.write_text(KB, encoding="utf-8")
    errors: list[str] = []
    monkeypatch.setattr(kb_links, "show_error", lambda _parent, _title, text: errors.append(text))
    files = iter([str(bad), str(good)])
    monkeypatch.setattr(box, "choose_file", lambda: next(files))
    names: list[str] = []
    monkeypatch.setattr(box, "ask_name", lambda suggested: names.append(suggested) or "Wikidata")
    qtbot.keyClick(box.load_button, Qt.Key.Key_Space)  # a bad file: its line, nothing loaded
    assert errors and f"{bad}:2: 1 fields where the header has 2" in errors[0] and "Nothing was changed" in errors[0]
    assert p.kb_resources() == [] and not box.field.isEnabled()
    qtbot.keyClick(box.load_button, Qt.Key.Key_Space)
    assert names == ["bad", "my_kb"]  # suggested from the file's name
    assert [(r.name, r.entries) for r in p.kb_resources()] == [("Wikidata", 4)]
    assert box.field.isEnabled() and "Loaded 4 entries into Wikidata" in box.status.text()
    qtbot.waitUntil(lambda: box.field.hasFocus())
    type_text(qtbot, box.field, "china")
    qtbot.waitUntil(lambda: box.candidates.count() > 0)
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    assert links(p, ent.id) == [("Wikidata", "Q148", "China")]
