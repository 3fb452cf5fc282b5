"""Suggestions > Train model…: trains in a separate process with a progress bar
and Cancel, the window answering all the while, and shows P/R/F1 per label."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest

pytest.importorskip("spacy")

from annotator.services.suggest.train import read_model_info  # noqa: E402
from annotator.ui.actions import plain_action_text  # noqa: E402
from annotator.ui.main_window import MainWindow  # noqa: E402
from tests.suggest_fixtures import make_training_project  # noqa: E402


@pytest.fixture
def project(tmp_path):
    p = make_training_project(tmp_path / "news.annotator", n_docs=12)
    yield p
    p.close()


@pytest.fixture
def window(qtbot, project, tmp_path):
    win = MainWindow(project, "alice", QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    dialog = getattr(win, "train_dialog", None)
    if dialog is not None:
        dialog.close()
        if dialog.job is not None and not dialog.job.finished:
            dialog.job.kill()
    win.close()


def open_dialog(qtbot, window):
    menu = window.menus["Suggestions"]
    action = next(a for a in menu.actions() if plain_action_text(a) == "Train model")
    action.trigger()  # the stand-in loads the module and opens the dialog
    dialog = window.train_dialog
    qtbot.waitExposed(dialog)
    return dialog


def type_into(qtbot, spin, text):
    QTest.mouseClick(spin, Qt.MouseButton.LeftButton)
    QTest.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(spin, text)


def test_trains_without_blocking_and_shows_the_table(qtbot, window, tmp_path):
    dialog = open_dialog(qtbot, window)
    assert dialog.layer_combo.currentData() == "alice"
    assert dialog.folder_edit.text() == str(tmp_path / "news.model")
    type_into(qtbot, dialog.iterations, "4")
    type_into(qtbot, dialog.held_out, "25")
    assert dialog.iterations.value() == 4 and dialog.held_out.value() == 25

    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    QTest.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    assert dialog.training and dialog.cancel_button.isEnabled() and not dialog.train_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.training, timeout=120_000)
    timer.stop()
    # the window's event loop ran all along: no gap of seconds between ticks
    assert len(ticks) > 10
    assert max(b - a for a, b in zip(ticks, ticks[1:])) < 2.0

    assert dialog.table.isVisible(), dialog.status_label.text()
    info = read_model_info(tmp_path / "news.model")
    assert info is not None and info["options"]["iterations"] == 4 and info["options"]["held_out"] == 0.25
    rows = [[dialog.table.item(r, c).text() for c in range(5)] for r in range(dialog.table.rowCount())]
    assert [r[0] for r in rows] == ["GPE", "ORG", "PERSON", "(all)"]
    person = info["metrics"]["per_label"]["PERSON"]
    assert rows[2][1:] == [f"{person['p']:.3f}", f"{person['r']:.3f}", f"{person['f']:.3f}", str(person["support"])]
    assert "Trained on 9 documents (alice's layer), held out 3" in dialog.status_label.text()
    assert dialog.progress.value() == dialog.progress.maximum()
    assert "trained on 12 documents" in dialog.previous_label.text() and "0 more finished since" in dialog.previous_label.text()
    assert dialog.train_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_cancel_stops_training_and_writes_nothing(qtbot, window, tmp_path):
    dialog = open_dialog(qtbot, window)
    type_into(qtbot, dialog.iterations, "500")
    QTest.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.maximum() > 1 and dialog.progress.value() >= 1, timeout=120_000)
    QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.training, timeout=60_000)
    assert dialog.status_label.text() == "Cancelled; nothing was written."
    assert not (tmp_path / "news.model").exists()
    assert not dialog.table.isVisible()
    assert dialog.train_button.isEnabled()


def test_errors_are_shown_in_the_dialog(qtbot, window, tmp_path):
    dialog = open_dialog(qtbot, window)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    dialog.folder_edit.clear()
    QTest.keyClicks(dialog.folder_edit, str(tmp_path / "mine"))
    QTest.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    assert "not a model made by annotator" in dialog.status_label.text()
    assert dialog.job is None
    # the documents choice reaches the process: nothing finished in "bob"'s layer
    dialog.layer_combo.addItem("bob's annotations", "bob")
    dialog.layer_combo.setCurrentIndex(dialog.layer_combo.count() - 1)
    dialog.folder_edit.clear()
    QTest.keyClicks(dialog.folder_edit, str(tmp_path / "m2"))
    QTest.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.training, timeout=120_000)
    assert "no finished" in dialog.status_label.text() and "bob's layer" in dialog.status_label.text()


def test_without_spacy_the_dialog_says_what_to_install(qtbot, window, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "spacy" else real(name, *a))
    dialog = open_dialog(qtbot, window)
    assert not dialog.train_button.isEnabled()
    assert dialog.status_label.text() == "Training needs spaCy, which is not installed: pip install 'annotator[suggest]'"
    QTest.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    assert dialog.job is None


def test_reopening_shows_the_same_dialog_while_it_trains(qtbot, window):
    dialog = open_dialog(qtbot, window)
    type_into(qtbot, dialog.iterations, "300")
    QTest.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    dialog.close()  # closing cancels
    assert dialog.training and dialog.status_label.text() == "Cancelling…"
    assert open_dialog(qtbot, window) is dialog
    qtbot.waitUntil(lambda: not dialog.training, timeout=120_000)
    assert dialog.status_label.text() == "Cancelled; nothing was written."


def test_model_is_retrained_after_n_more_finished_documents(qtbot, window, project, tmp_path):
    import random

    from annotator.core.kinds import DocStatus
    from annotator.core.models import Document, entity
    from annotator.services.suggest.train import TrainOptions, train_model
    from annotator.ui.train_dialog import RETRAIN_KEY
    from tests.suggest_fixtures import synthetic_text

    text, spans = synthetic_text(random.Random(7))
    extra = Document(id="extra", text=text, status=DocStatus.IN_PROGRESS)
    project.insert_documents([(extra, [entity("extra", s, e, lab, "alice") for s, e, lab in spans])])
    train_model(project, tmp_path / "news.model", TrainOptions(layer="alice", iterations=1, held_out=0.25, seed=3))
    dialog = open_dialog(qtbot, window)  # the retrain setting is in the dialog
    type_into(qtbot, dialog.retrain_after, "1")
    assert window.settings.value(RETRAIN_KEY, type=int) == 1
    dialog.close()

    assert window.open_document("extra")
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)  # the 13th finished document
    assert project.document_status("extra") == DocStatus.DONE
    retrainer = window.auto_retrainer
    assert retrainer.job is not None  # started at once, in the background
    qtbot.waitUntil(lambda: retrainer.job.finished, timeout=120_000)
    info = read_model_info(tmp_path / "news.model")
    assert "extra" in info["documents"]["train"] + info["documents"]["held_out"]
    assert info["options"]["seed"] == 3 and info["options"]["iterations"] == 1  # the same choices
    assert window.statusBar().currentMessage().startswith("Model retrained on ")
    # not due again until one more document is finished
    assert not retrainer.check()
