"""Importing from the app a file whose labels the schema lacks (issue 12: the
app's messages speak of the app's controls, never of command-line flags): the
app asks whether to add the labels; yes imports the file with them, no leaves
the project as it was and says how to take the file in."""

from __future__ import annotations

import json

import pytest

TEXT = "The Harpoon missile was sold to Norway."


@pytest.fixture
def weapons(tmp_path):
    path = tmp_path / "weapons.jsonl"
    record = {
        "id": "w1",
        "text": TEXT,
        "spans": [{"start": 4, "end": 19, "label": "WEAPON"}, {"start": 32, "end": 38, "label": "GPE"}],
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def answer(qtbot, window, button_text: str) -> str:
    """Click ``button_text`` in the labels question; the question's text."""
    qtbot.waitUntil(lambda: window.labels_box is not None and window.labels_box.isVisible())
    box = window.labels_box
    text = box.text()
    [button] = [b for b in box.buttons() if b.text() == button_text]
    button.click()
    qtbot.waitUntil(lambda: window.last_import_dialog is not None and window.last_import_dialog.isVisible())
    return text


def report_text(window) -> str:
    return window.last_import_dialog.text.toPlainText()


def test_labels_the_schema_lacks_are_added_when_the_user_says_so(qtbot, window, project, weapons):
    before = set(project.document_ids())
    window.import_paths([weapons])
    question = answer(qtbot, window, "Add labels and import")
    assert "WEAPON (entity)" in question and "weapons.jsonl" in question and "--" not in question
    [new] = set(project.document_ids()) - before
    assert project.document_text(new) == TEXT
    assert [(a.label, a.start, a.end) for a in project.annotations(new)] == [("WEAPON", 4, 19), ("GPE", 32, 38)]
    assert "WEAPON" in [label.name for label in project.schema.entities]
    assert "--" not in report_text(window)


def test_leaving_the_file_out_changes_nothing_and_says_what_to_do_in_the_app(qtbot, window, project, weapons):
    before = (set(project.document_ids()), project.schema.to_dict())
    window.import_paths([weapons])
    answer(qtbot, window, "Leave these files out")
    assert (set(project.document_ids()), project.schema.to_dict()) == before
    details = report_text(window)
    assert "WEAPON" in details and "Add labels and import" in details
    assert "--add-labels" not in details and "annotator schema" not in details


def test_an_unknown_kind_of_file_is_not_told_to_give_a_flag(qtbot, window, tmp_path):
    odd = tmp_path / "notes.xyz"
    odd.write_text("hello", encoding="utf-8")
    window.import_paths([odd])
    qtbot.waitUntil(lambda: window.last_import_dialog is not None and window.last_import_dialog.isVisible())
    details = report_text(window)
    assert "unknown kind of file" in details and "--format" not in details


def test_the_file_dialog_offers_every_kind_of_file_the_importer_reads():
    from annotator.formats.brat import BRAT_EXT
    from annotator.formats.conll import CONLL_EXT
    from annotator.services import importing
    from annotator.ui.main_window import IMPORT_FILTER

    offered = IMPORT_FILTER.split(";;")[0]
    for ext in importing._TEXT_EXT | importing._HTML_EXT | importing._JSON_EXT | BRAT_EXT | CONLL_EXT:
        assert f"*{ext}" in offered, ext
