"""The Team menu and packages in the app (issue 18), through the real widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from annotator.core.commands import AddAnnotations, SetStatus, apply
from annotator.core.models import DocStatus, Document, entity
from annotator.core.store import Project
from annotator.services.team import assign
from annotator.ui import app as app_module
from annotator.ui import dialogs
from annotator.ui.actions import plain_action_text
from annotator.ui.main_window import MainWindow

TEXTS = [
    "Apple hired Tim Cook in Cupertino last year, the company said.",
    "China granted licences to Indian firms on Thursday.",
    "Nothing happened in Oslo.",
    "The minister met the delegation in Paris on Monday morning.",
]


@pytest.fixture
def lead(tmp_path):
    p = Project(tmp_path / "lead.annotator", create=True)
    p.insert_documents([(Document(id=f"d{i}", text=t, title=f"doc {i}"), []) for i, t in enumerate(TEXTS)])
    yield p
    p.close()


def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, tmp_path, lead):
    win = MainWindow(lead, "lena", settings(tmp_path))
    qtbot.addWidget(win)
    yield win
    win.close()


def team_action(window: MainWindow, text: str):
    return next(a for a in window.menus["Team"].actions() if plain_action_text(a) == text)


def test_a_package_opens_without_the_name_prompt(qtbot, tmp_path, lead, monkeypatch):
    _plan, [info] = assign(lead, ["alice"], tmp_path / "out")

    def no_prompt(*args, **kwargs):
        raise AssertionError("asked for a name")

    monkeypatch.setattr(dialogs, "ask_annotator_name", no_prompt)
    s = settings(tmp_path)  # no name remembered: a plain project would ask
    with Project(info.path) as package:
        assert app_module.ask_name(s, package) == "alice"
    assert not s.value("annotator/name")  # the user's own name is not replaced
    # a plain project without a remembered name asks
    asked = []
    monkeypatch.setattr(dialogs, "ask_annotator_name", lambda *a, **k: asked.append(1) or "zoe")
    assert app_module.ask_name(s, lead) == "zoe" and asked == [1]


def test_opening_a_package_in_the_window_annotates_as_its_annotator(qtbot, tmp_path, lead, window):
    _plan, [info] = assign(lead, ["alice"], tmp_path / "out")
    window.settings.setValue("annotator/name", "lena")
    assert window.open_project_file(info.path, create=False)
    assert window.annotator == "alice"
    assert "alice" in window.annotator_label.text()
    assert "work package for alice" in window.statusBar().currentMessage()
    # annotating in the window records alice
    doc_id = window.current_doc_id
    window.article_view.setFocus()
    apply(window.project, AddAnnotations(doc_id, window.annotator, [entity(doc_id, 0, 5, "ORG", window.annotator)]))
    assert {a.annotator for a in window.project.annotations(doc_id)} == {"alice"}
    # back to an own project: the user's own name again
    own = tmp_path / "own.annotator"
    assert window.open_project_file(own, create=True)
    assert window.annotator == "lena"


def test_hand_out_dialog_previews_and_writes(qtbot, tmp_path, window, lead):
    team_action(window, "Hand out work").trigger()  # the stand-in loads the module and opens the dialog
    dialog = window.hand_out_dialog
    assert dialog is not None and dialog.isVisible()
    assert "no annotators" in dialog.preview.toPlainText()
    assert not dialog.hand_out_button.isEnabled()
    qtbot.keyClicks(dialog.annotators, "alice, bob")
    qtbot.waitUntil(lambda: "alice: 2 documents" in dialog.preview.toPlainText())
    assert dialog.hand_out_button.isEnabled()
    dialog.overlap.setFocus()
    dialog.overlap.selectAll()
    qtbot.keyClicks(dialog.overlap, "50")
    assert dialog.overlap.value() == 50
    qtbot.waitUntil(lambda: "2 documents go to several annotators" in dialog.preview.toPlainText())
    assert "alice: 3 documents" in dialog.preview.toPlainText()
    out = tmp_path / "packages"
    dialog.out.clear()
    qtbot.keyClicks(dialog.out, str(out))
    QTest.mouseClick(dialog.hand_out_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert len(list(out.glob("*.annotator"))) == 2
    assert (
        window.hand_out_report is not None
        and "2 packages written" in window.hand_out_report.findChildren(type(dialogs.plain_label()))[0].text()
    )
    assert len(lead.assignments(active=True)) == 6


def test_hand_out_dialog_reassigns(qtbot, tmp_path, window, lead):
    assign(lead, ["alice", "bob"], tmp_path / "p")
    team_action(window, "Hand out work").trigger()
    dialog = window.hand_out_dialog
    index = dialog.source.findData("bob")
    assert index > 0
    dialog.source.setFocus()
    dialog.source.setCurrentIndex(index)
    assert dialog.annotators.text() == "alice, bob"  # everyone with work, the leaver too: left out
    qtbot.waitUntil(lambda: "withdrawn" in dialog.preview.toPlainText())
    text = dialog.preview.toPlainText()
    assert "withdrawn from bob" in text and "alice: 2 documents" in text
    assert not dialog.overlap.isEnabled()


def _work(path: Path, label: str) -> None:
    with Project(path) as pkg:
        who = pkg.package_annotator()
        doc_id = pkg.document_ids()[0]
        apply(pkg, AddAnnotations(doc_id, who, [entity(doc_id, 0, 5, label, who)]))
        apply(pkg, SetStatus(doc_id, who, DocStatus.DONE))


def test_collect_reports_refreshes_and_opens_review(qtbot, tmp_path, window, lead):
    from annotator.ui.team_dialogs import collect_packages

    _plan, infos = assign(lead, ["alice", "bob"], tmp_path / "p", overlap=100)
    for i in infos:
        _work(i.path, "ORG" if i.annotator == "alice" else "GPE")
    bogus = tmp_path / "bogus.annotator"
    bogus.write_text("not a project")
    reports = collect_packages(window, [i.path for i in infos] + [bogus])
    assert [r.ok for r in reports] == [True, True, False]
    report = window.collect_report_dialog
    assert report is not None and report.isVisible()
    assert "2 of 3 packages collected; 1 refused" in report.findChildren(type(dialogs.plain_label()))[0].text()
    assert "bogus.annotator: refused: not a package" in report.text.toPlainText()
    assert window.review_window is not None and window.review_window.isVisible()
    assert {a.annotator for a in lead.iter_all_annotations()} == {"alice", "bob"}
    window.review_window.close()


def test_progress_dashboard_table_and_chart(qtbot, tmp_path, window, lead):
    _plan, infos = assign(lead, ["alice", "bob"], tmp_path / "p", seed=2)
    alice = next(i for i in infos if i.annotator == "alice")
    _work(alice.path, "ORG")
    from annotator.ui.team_dialogs import collect_packages

    collect_packages(window, [alice.path], review=False)
    team_action(window, "Progress").trigger()
    dialog = window.progress_dialog
    assert dialog is not None and dialog.isVisible()
    table = dialog.table
    cells = {
        table.item(r, 0).text(): [table.item(r, c).text() for c in range(1, table.columnCount())] for r in range(table.rowCount())
    }
    assert cells["alice"][:4] == ["2", "1", "0", "1"]  # assigned, not started, in progress, done
    assert cells["alice"][5] == "entity 1"
    assert cells["bob"][:4] == ["2", "2", "0", "0"]
    chart = dialog.chart
    bars = chart.bars()
    assert [(name, v) for _r, _d, name, v in bars] == [("alice", 1)]
    assert bars[0][0].height() > 0
    image = chart.grab().toImage()  # paints without error
    assert image.width() > 0
    assert "documents: 4, handed out 4, nobody has 0" in dialog.details.toPlainText()


def test_hand_out_right_after_typing_uses_the_fields(qtbot, tmp_path, window, lead):
    team_action(window, "Hand out work").trigger()
    dialog = window.hand_out_dialog
    dialog.out.setText(str(tmp_path / "now"))
    qtbot.keyClicks(dialog.annotators, "carl")
    dialog.hand_out()  # before the preview caught up: the plan is made from the fields first
    assert {a.annotator for a in lead.assignments()} == {"carl"}


def test_hand_out_documents_listed_in_a_file(qtbot, tmp_path, window, lead, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    listed = tmp_path / "batch.txt"
    listed.write_text("d2\nd3\n")
    answers = [(str(listed), ""), ("", "")]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: answers.pop(0))
    team_action(window, "Hand out work").trigger()
    dialog = window.hand_out_dialog
    qtbot.keyClicks(dialog.annotators, "alice")
    dialog.documents.setFocus()
    qtbot.keyClick(dialog.documents, Qt.Key.Key_End)  # "Listed in a file…": the file dialog
    assert dialog.documents.currentText() == "batch.txt"
    qtbot.waitUntil(lambda: "alice: 2 documents" in dialog.preview.toPlainText())
    qtbot.keyClick(dialog.documents, Qt.Key.Key_End)  # again, cancelled: the file stays chosen
    assert dialog.documents.currentText() == "batch.txt"
    dialog.out.setText(str(tmp_path / "p"))
    QTest.mouseClick(dialog.hand_out_button, Qt.MouseButton.LeftButton)
    assert sorted(a.doc_id for a in lead.assignments()) == ["d2", "d3"]


def test_progress_opens_the_documents_to_look_at_first(qtbot, tmp_path, window, lead):
    from annotator.ui.team_dialogs import collect_packages

    _plan, infos = assign(lead, ["alice", "bob"], tmp_path / "p", overlap=100)
    for i in infos:
        with Project(i.path) as pkg:  # both on the document of "Apple hired Tim Cook", differently
            who = pkg.package_annotator()
            apply(pkg, AddAnnotations("d0", who, [entity("d0", 0, 5, "ORG" if who == "alice" else "GPE", who)]))
    collect_packages(window, [i.path for i in infos], review=False)
    window.open_document("d2")
    team_action(window, "Progress").trigger()
    dialog = window.progress_dialog
    first = dialog.first
    assert first.count() >= 1 and "disagreements: doc 0" in first.item(0).text()
    first.setFocus()
    first.setCurrentRow(0)
    qtbot.keyClick(first, Qt.Key.Key_Return)
    assert window.current_doc_id == "d0"
