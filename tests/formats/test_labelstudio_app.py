"""Importing a Label Studio export from the app (File > Import files… runs
``MainWindow.import_paths``): it was refused ("not valid JSON: Extra data", or
read as native records without a text); now it comes in, and the report says
which offset unit was used."""

from __future__ import annotations

import json

import pytest

from tests.window_fixtures import ini_settings, seeded_project, show_window

TEXT = "Fans 😀 cheered Acme in Oslo."  # a file of Label Studio before 1.23: UTF-16 offsets


@pytest.fixture
def project(tmp_path):
    p = seeded_project(tmp_path)
    yield p
    p.close()


@pytest.fixture
def window(qtbot, project, tmp_path):
    w = show_window(qtbot, project, ini_settings(tmp_path), snap=None, focus=False)
    yield w
    w.close()


def labelstudio_task() -> dict:
    result = [
        {
            "id": "a",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 16, "end": 20, "text": "Acme", "labels": ["ORG"]},
        },
        {
            "id": "o",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 24, "end": 28, "text": "Oslo", "labels": ["GPE"]},
        },
        {"type": "relation", "from_id": "a", "to_id": "o", "direction": "right", "labels": ["located_in"]},
    ]
    return {
        "id": 31,
        "data": {"text": TEXT},
        "annotations": [{"id": 1, "completed_by": {"id": 1, "email": "ana@example.org"}, "result": result}],
    }


def test_a_label_studio_task_file_imports_from_the_app(qtbot, window, project, tmp_path):
    path = tmp_path / "31.json"  # one task object, pretty-printed, as Label Studio's cloud storage writes it
    path.write_text(json.dumps(labelstudio_task(), indent=2, ensure_ascii=False), "utf-8")
    rows = window.doc_list.model.rowCount()
    window.import_paths([path])
    dialog = window.last_import_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    report = dialog.text.toPlainText()
    assert "(labelstudio): imported, 1 documents, 3 annotations" in report, report
    assert "note: offsets read as UTF-16 units (Label Studio before 1.23): every region's value.text matches" in report
    assert window.doc_list.model.rowCount() == rows + 1
    (doc_id,) = [d for d in project.document_ids() if project.document_text(d) == TEXT]
    anns = project.annotations(doc_id)
    assert sorted((a.label, TEXT[a.start : a.end]) for a in anns if a.kind == "entity") == [("GPE", "Oslo"), ("ORG", "Acme")]
    assert {a.annotator for a in anns} == {"ana@example.org"}
    dialog.close()
