"""A brat collection imported from the app (File > Import's path): real brat shapes
that used to stop the import with a Python traceback (two events on one trigger,
an event argument defined later) or be refused (a note on a relation) come in,
and the app's report says so."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from annotator.core.store import Project
from tests.window_fixtures import ini_settings, show_window

TEXT = "Narendra Modi met Xi Jinping in Kazan, and the two leaders met again in Delhi.\n"


def t(ident: str, typ: str, phrase: str, nth: int = 0) -> str:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(phrase, start + 1)
    return f"{ident}\t{typ} {start} {start + len(phrase)}\t{phrase}"


ANN = "\n".join(
    [
        t("T1", "PERSON", "Narendra Modi"),
        t("T2", "PERSON", "Xi Jinping"),
        t("T3", "Meeting", "met"),
        "E1\tMeeting:T3 Participant:T1 Participant2:T2",
        "E2\tMeeting:T3 Participant:E3",  # two events on one trigger; an argument defined later
        t("T4", "Meeting", "met", 1),
        "E3\tMeeting:T4 Participant:T1",
        t("T5", "GPE", "Kazan"),
        "R1\taffiliated_with Arg1:T1 Arg2:T5\t",
        "#1\tAnnotatorNotes R1\tNot really: check this. ",
    ]
)


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "work.annotator", create=True)
    yield p
    p.close()


@pytest.fixture
def window(qtbot, project, tmp_path):
    w = show_window(qtbot, project, ini_settings(tmp_path), snap=None, focus=False)
    yield w
    w.close()


def test_a_brat_folder_with_events_on_events_and_notes_on_relations_imports_in_the_app(qtbot, window, project, tmp_path):
    folder = tmp_path / "brat collection"
    folder.mkdir()
    (folder / "summit 2024.txt").write_text(TEXT, encoding="utf-8")
    (folder / "summit 2024.ann").write_text(ANN, encoding="utf-8")
    window.import_paths([folder])
    report = window.last_import_dialog
    assert report is not None
    qtbot.waitExposed(report)
    said = "\n".join([label.text() for label in report.findChildren(QLabel)] + [report.text.toPlainText()])
    assert "imported 1 document (7 annotations)" in said and "REFUSED" not in said, said
    [doc_id] = project.document_ids()
    anns = project.annotations(doc_id)
    meetings = [a for a in anns if a.kind == "event"]
    assert len(meetings) == 3 and sum(1 for a in meetings if TEXT[a.start : a.end] == "met" and a.start == 14) == 2
    [rel] = [a for a in anns if a.kind == "relation"]
    assert rel.attributes == {}
    assert [(n.target, n.type, n.text) for n in project.notes(doc_id)] == [(rel.id, "AnnotatorNotes", "Not really: check this. ")]
    assert window.current_doc_id == doc_id
