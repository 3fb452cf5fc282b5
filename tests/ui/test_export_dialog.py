"""File > Export: the dialog's options reach the exporter, it runs in a worker thread
(the window keeps working), shows progress and the report, and Cancel writes nothing."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from annotator.core.models import entity
from annotator.core.store import Project
from annotator.services import exporting as export_module
from annotator.services.exporting import ExportCancelled
from annotator.services.importing import import_seeds
from annotator.ui import export_dialog
from annotator.ui.export_dialog import EACH, GOLD_LAYER, ExportDialog
from annotator.ui.main_window import MainWindow


@pytest.fixture
def settings(tmp_path):
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    s.setValue("export/folder", str(tmp_path / "out"))
    yield s
    s.sync()


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "news.annotator", create=True)
    import_seeds(p)
    doc_id = p.document_ids()[0]
    text = p.document_text(doc_id)
    with p.transaction():
        for who, needle, label in (
            ("alice", "China", "GPE"),
            ("alice", "Randhir Jaiswal", "PERSON"),
            ("bob", "Xi Jinping", "PERSON"),
        ):
            at = text.index(needle)
            p.put_annotations([entity(doc_id, at, at + len(needle), label, who)])
        p.ensure_annotators({"alice", "bob"})
    yield p
    p.close()


@pytest.fixture
def dialog(qtbot, project, settings):
    d = ExportDialog(project, None, settings)
    qtbot.addWidget(d)
    d.show()
    yield d
    d.wait()


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def run(qtbot, dialog) -> None:
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running)


def test_options_follow_the_format(dialog):
    choose(dialog.format_box, "hf")
    assert not dialog.offsets.isEnabled() and dialog.sentences.isEnabled()
    assert dialog.kind_checks["entity"].isChecked() and not dialog.kind_checks["claim"].isChecked()
    assert dialog.out_edit.text().endswith("news-hf")
    choose(dialog.format_box, "brat")
    assert not dialog.sentences.isEnabled() and not dialog.kind_checks["entity"].isEnabled()
    choose(dialog.format_box, "claims")
    assert dialog.offsets.isEnabled() and dialog.out_edit.text().endswith("news-claims.jsonl")
    each = dialog.layer_box.findData(EACH)
    assert not dialog.layer_box.model().item(each).isEnabled()  # claims name their annotator
    dialog.split_check.setChecked(True)
    assert dialog.out_edit.text().endswith("news-claims") and all(s.isEnabled() for s in dialog.split_spins)


def test_dialog_options_are_the_command_line_options(dialog):
    choose(dialog.format_box, "spans")
    choose(dialog.layer_box, "alice")
    dialog.status_checks["new"].setChecked(True)
    dialog.kind_checks["claim"].setChecked(True)
    dialog.sentences.setChecked(True)
    choose(dialog.offsets, "utf16")
    dialog.split_check.setChecked(True)
    dialog.seed.setValue(5)
    item = dialog.label_list.findItems("PERSON", Qt.MatchFlag.MatchExactly)[0]
    item.setCheckState(Qt.CheckState.Checked)
    o = dialog.options()
    assert (o.format, o.annotator, o.gold, o.per_annotator) == ("spans", "alice", False, False)
    assert o.statuses == ("new",) and o.labels == ("PERSON",) and o.kinds == ("entity", "claim")
    assert o.sentences and o.offsets == "utf16" and o.split == (0.8, 0.1, 0.1) and o.seed == 5
    choose(dialog.layer_box, GOLD_LAYER)
    assert dialog.options().gold and dialog.options().annotator is None
    choose(dialog.layer_box, EACH)
    assert dialog.options().per_annotator


def test_export_runs_and_shows_the_report(qtbot, dialog, tmp_path):
    choose(dialog.format_box, "spans")
    choose(dialog.layer_box, "alice")
    out = tmp_path / "alice.jsonl"
    dialog.out_edit.setText(str(out))
    run(qtbot, dialog)
    recs = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [s["text"] for s in recs[0]["spans"]] == ["China", "Randhir Jaiswal"]
    assert "Exported 1 document as 1 spans record" in dialog.report_view.toPlainText()
    assert dialog.progress.value() == dialog.progress.maximum()
    assert dialog.export_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert dialog.settings.value("export/format") == "spans"


def test_errors_are_shown_and_nothing_is_written(qtbot, dialog, tmp_path):
    choose(dialog.format_box, "spans")  # all annotators: alice and bob both annotated the document
    out = tmp_path / "mixed.jsonl"
    dialog.out_edit.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not exported" in dialog.report_view.toPlainText() and not dialog.running, timeout=20000)
    assert "several annotators (alice, bob)" in dialog.report_view.toPlainText()
    assert not out.exists()
    for box in dialog.kind_checks.values():
        box.setChecked(False)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "choose at least one kind" in dialog.report_view.toPlainText() and not dialog.running


def test_runs_in_a_worker_thread_and_cancel_writes_nothing(qtbot, dialog, tmp_path, monkeypatch):
    started, proceed = threading.Event(), threading.Event()
    threads = []
    real = export_module.export

    def gated(project, options, progress=None, cancelled=None):
        threads.append(threading.get_ident())

        def hold(done, total):
            progress(done, total)
            started.set()
            proceed.wait(10)

        return real(project, options, progress=hold, cancelled=cancelled)

    monkeypatch.setattr(export_dialog, "export", gated)
    choose(dialog.format_box, "native")
    out = tmp_path / "native.jsonl"
    dialog.out_edit.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=10000)
    # the export is blocked in its thread, and the window still handles events
    assert dialog.running and dialog.cancel_button.isEnabled() and not dialog.export_button.isEnabled()
    assert threads and threads[0] != threading.get_ident()
    dialog.format_box.setFocus()
    QApplication.processEvents()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    proceed.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=10000)
    assert "cancelled; nothing was written" in dialog.report_view.toPlainText()
    assert not out.exists() and not list(tmp_path.glob(".native.jsonl.*"))


def test_a_worker_error_is_reported_not_raised(qtbot, dialog, tmp_path, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(export_dialog, "export", broken)
    dialog.out_edit.setText(str(tmp_path / "x.jsonl"))
    choose(dialog.format_box, "native")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running and "Not exported" in dialog.report_view.toPlainText(), timeout=10000)
    assert "RuntimeError: boom" in dialog.report_view.toPlainText()


def test_cancelled_export_signal_from_worker(qtbot, project, tmp_path):
    worker = export_dialog.ExportWorker(project.path, export_module.ExportOptions("native", out=tmp_path / "n.jsonl"))
    worker.cancel()
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.run()
    assert not (tmp_path / "n.jsonl").exists()
    assert issubclass(ExportCancelled, export_module.ExportError)


def test_file_menu_opens_the_dialog(qtbot, project, settings, tmp_path):
    window = MainWindow(project, "alice", settings)
    qtbot.addWidget(window)
    texts = [a.text().split("\t")[0].replace("&", "") for a in window.menus["File"].actions()]
    assert texts.index("Export…") == texts.index("Import files…") + 1
    assert window.export_action.shortcut().toString() == "Ctrl+E"
    window.export_action.trigger()
    dialog = window.export_dialog
    assert dialog.isVisible() and dialog.project is project
    choose(dialog.format_box, "claims")
    dialog.out_edit.setText(str(tmp_path / "claims.jsonl"))
    run(qtbot, dialog)
    assert (tmp_path / "claims.jsonl").exists()
    window.export_action.trigger()
    assert window.export_dialog is dialog  # one dialog, reused
    dialog.close()
    window.close()


def test_article_text_in_the_report_is_plain(qtbot, project, settings, tmp_path):
    from annotator.core.models import Document

    d = Document(text="<b>Bold</b> <img src=http://127.0.0.1:8765/x.png> Acme grew.")
    at = d.text.index("<b>")
    project.insert_documents([(d, [entity(d.id, at, at + 3, "ORG", "alice"), entity(d.id, at + 1, at + 2, "ORG", "alice")])])
    dialog = ExportDialog(project, None, settings)
    qtbot.addWidget(dialog)
    choose(dialog.format_box, "hf")
    choose(dialog.layer_box, "alice")
    dialog.out_edit.setText(str(tmp_path / "hf"))
    run(qtbot, dialog)
    assert "'<b>'" in dialog.report_view.toPlainText()  # shown literally (a plain-text view)


def test_discontinuous_spans_policy_is_chosen_in_the_dialog(qtbot, dialog, project, tmp_path):
    """Issue 14: the dialog's "Discontinuous spans" choice reaches the exporter, and the report says what it did."""
    doc_id = project.document_ids()[0]
    text = project.document_text(doc_id)
    a, b = text.index("China"), text.index("Randhir Jaiswal")
    with project.transaction():
        project.put_annotations(
            [entity(doc_id, a, b + 7, "PERSON", "alice", fragments=[(a, a + 5), (b, b + 7)])]  # "China Randhir"
        )
    choose(dialog.format_box, "brat")
    assert not dialog.fragments.isEnabled()  # brat keeps the fragments
    choose(dialog.format_box, "spans")
    choose(dialog.layer_box, "alice")
    assert dialog.fragments.isEnabled() and dialog.options().fragments == "split"
    # Alt+D focuses the choice (its label's mnemonic); Down picks "hull"
    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert dialog.fragments.hasFocus()
    qtbot.keyClick(dialog.fragments, Qt.Key.Key_Down)
    assert dialog.fragments.currentData() == "hull"
    dialog.out_edit.setText(str(tmp_path / "frag.jsonl"))
    run(qtbot, dialog)
    report = dialog.report_view.toPlainText()
    assert "1 annotation with fragments (discontinuous spans) exported as one span from the first" in report
    assert "(--fragments hull)" in report
    rec = json.loads((tmp_path / "frag.jsonl").read_text("utf-8").splitlines()[0])
    assert (a, b + 7) in [(s["start"], s["end"]) for s in rec["spans"]]
