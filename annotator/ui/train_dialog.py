"""Suggestions > Train model…: a spaCy NER model trained on the project in a
separate process (:class:`annotator.services.suggest.train.TrainingJob`), with a
progress bar and Cancel; the window never waits for it. When it is done the
dialog shows precision, recall and F1 per label on the held-out documents.

The dialog polls the training process's queue on a timer; closing the dialog
while training cancels it (the process stops after its current batch, and an
earlier model in the folder stays as it was).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.kinds import GOLD
from annotator.core.store import Project
from annotator.ui import dialogs
from annotator.ui.actions import make_action
from annotator.ui.lazy import suggestions_menu

if TYPE_CHECKING:
    from annotator.services.suggest.train import TrainingJob
    from annotator.ui.main_window import MainWindow

#: How often the training process's messages are read (ms).
POLL_MS = 100
#: Setting: retrain the project's model after this many more finished documents (0: never).
RETRAIN_KEY = "train/retrain_after"


def folder_key(project_path: Path) -> str:
    """The setting holding the model folder last trained for this project."""
    import hashlib

    return "train/folder-" + hashlib.sha1(str(project_path.resolve()).encode()).hexdigest()[:16]


def model_folder(settings: Any, project_path: Path) -> Path:
    """The folder last trained into for this project, else the default beside it."""
    value = settings.value(folder_key(project_path), "") if settings is not None else ""
    return Path(value) if value else default_model_folder(project_path)


def default_model_folder(project_path: Path) -> Path:
    """``news.annotator`` -> ``news.model`` beside it (as ``annotator train``)."""
    return project_path.with_name(f"{project_path.stem}.model")


class TrainDialog(QDialog):
    """Train a model on one layer of ``project`` (see the module's documentation)."""

    def __init__(self, project: Project, parent: QWidget | None = None, annotator: str | None = None, settings: Any = None):
        super().__init__(parent)
        self.setWindowTitle("Train model")
        self.settings = settings
        self.setModal(False)
        self.project = project
        self.job: TrainingJob | None = None
        self.result: Any = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("layer")
        counts = project.annotator_counts()
        for name in sorted(n for n in counts if n != GOLD):
            self.layer_combo.addItem(f"{name}'s annotations", name)
        if counts.get(GOLD):
            self.layer_combo.addItem("Gold layer", GOLD)
        if annotator is not None and self.layer_combo.findData(annotator) >= 0:
            self.layer_combo.setCurrentIndex(self.layer_combo.findData(annotator))
        form.addRow("Train &on:", self.layer_combo)
        self.documents_combo = QComboBox()
        self.documents_combo.setObjectName("documents")
        self.documents_combo.addItem("Finished documents (done, in review, reviewed)", "done")
        self.documents_combo.addItem("Every document with annotations", "annotated")
        form.addRow("&Documents:", self.documents_combo)
        self.iterations = QSpinBox()
        self.iterations.setObjectName("iterations")
        self.iterations.setRange(1, 1000)
        self.iterations.setValue(20)
        form.addRow("&Iterations:", self.iterations)
        self.held_out = QSpinBox()
        self.held_out.setObjectName("held_out")
        self.held_out.setRange(0, 90)
        self.held_out.setValue(20)
        self.held_out.setSuffix(" %")
        self.held_out.setToolTip("Share of the documents kept out of training to measure precision, recall and F1")
        form.addRow("&Held out:", self.held_out)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit(str(model_folder(settings, project.path)))
        self.folder_edit.setObjectName("folder")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.clicked.connect(self.browse)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        form.addRow("Model &folder:", folder_row)
        self.retrain_after = QSpinBox()
        self.retrain_after.setObjectName("retrain_after")
        self.retrain_after.setRange(0, 10_000)
        self.retrain_after.setSpecialValueText("never")
        self.retrain_after.setSuffix(" more finished documents")
        self.retrain_after.setValue(int(settings.value(RETRAIN_KEY, 0) or 0) if settings is not None else 0)
        self.retrain_after.setToolTip(
            "Retrain this folder's model in the background, with the same choices, once this many more documents are finished"
        )
        self.retrain_after.valueChanged.connect(self._save_retrain)
        form.addRow("&Retrain after:", self.retrain_after)
        layout.addLayout(form)

        self.previous_label = dialogs.plain_label(wrap=True)
        self.previous_label.setObjectName("previous")
        layout.addWidget(self.previous_label)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.status_label = dialogs.plain_label(wrap=True)
        self.status_label.setObjectName("status")
        layout.addWidget(self.status_label)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("metrics")
        self.table.setHorizontalHeaderLabels(["Label", "Precision", "Recall", "F1", "Spans"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setVisible(False)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.train_button = QPushButton("&Train")
        self.train_button.setDefault(True)
        self.train_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        for b in (self.train_button, self.cancel_button, self.close_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.folder_edit.textChanged.connect(self.show_previous)
        self.layer_combo.currentIndexChanged.connect(self.show_previous)
        self.resize(560, 460)

        if importlib.util.find_spec("spacy") is None:
            self.train_button.setEnabled(False)
            self.status_label.setText("Training needs spaCy, which is not installed: pip install 'annotator[suggest]'")
        elif self.layer_combo.count() == 0:
            self.train_button.setEnabled(False)
            self.status_label.setText("The project has no annotations to train on yet.")
        self.show_previous()

    # -- state ----------------------------------------------------------------
    @property
    def training(self) -> bool:
        return self.job is not None and not self.job.finished

    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip()).expanduser()

    def show_previous(self) -> None:
        """What the model in the folder was trained on, and how many documents were finished since."""
        from annotator.services.suggest.train import documents_since_training, read_model_info

        text = self.folder_edit.text().strip()
        info = read_model_info(self.folder()) if text else None
        if info is None:
            self.previous_label.setText("")
            return
        docs = info.get("documents", {})
        n = len(docs.get("train", [])) + len(docs.get("held_out", []))
        try:
            since = documents_since_training(self.project, self.folder())
        except Exception:  # the project was closed meanwhile (another one opened): say what is known
            since = None
        when = str(info.get("finished", ""))[:16].replace("T", " ")
        self.previous_label.setText(
            f"The model in this folder was trained on {n} documents ({info.get('layer_name', '')}) on {when} UTC; "
            + (f"{since} more finished since. " if since is not None else "")
            + "Training replaces it."
        )

    def _save_retrain(self, value: int) -> None:
        if self.settings is not None:
            self.settings.setValue(RETRAIN_KEY, value)

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Model folder", str(self.folder().parent))
        if folder:
            self.folder_edit.setText(folder)

    # -- training -------------------------------------------------------------
    def start(self) -> None:
        from annotator.services.suggest.train import TrainingError, TrainingJob, TrainOptions, read_model_info

        if self.training or self.layer_combo.count() == 0:
            return
        if not self.folder_edit.text().strip():
            self.status_label.setText("Choose a model folder.")
            return
        folder = self.folder()
        if folder.exists() and (not folder.is_dir() or (any(folder.iterdir()) and read_model_info(folder) is None)):
            self.status_label.setText(f"{folder}: not a model made by annotator; not replacing it (choose another folder).")
            return
        options = TrainOptions(
            layer=str(self.layer_combo.currentData()),
            documents="annotated" if self.documents_combo.currentData() == "annotated" else "done",
            held_out=self.held_out.value() / 100,
            iterations=self.iterations.value(),
        )
        try:
            self.job = TrainingJob(self.project.path, folder, options)
        except (TrainingError, OSError) as err:
            self.status_label.setText(str(err))
            return
        if self.settings is not None:
            self.settings.setValue(folder_key(self.project.path), str(folder))
        self.result = None
        self.table.setVisible(False)
        self.progress.setRange(0, 0)  # busy until the process reports
        self.status_label.setText("Starting…")
        self._set_running(True)
        self.timer.start()

    def cancel(self) -> None:
        if self.training and self.job is not None:
            self.job.cancel()
            self.status_label.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def poll(self) -> None:
        job = self.job
        if job is None:
            self.timer.stop()
            return
        for msg in job.poll():
            kind = msg[0]
            if kind == "progress":
                _, done, total, message = msg
                self.progress.setRange(0, max(1, total))
                self.progress.setValue(done)
                if self.cancel_button.isEnabled():
                    self.status_label.setText(str(message))
            elif kind == "done":
                self._finished()
                self.show_result(Path(msg[1]), msg[2])
            elif kind == "cancelled":
                self._finished()
                self.progress.setRange(0, 1)
                self.progress.setValue(0)
                self.status_label.setText("Cancelled; nothing was written.")
            elif kind == "error":
                self._finished()
                self.progress.setRange(0, 1)
                self.progress.setValue(0)
                self.status_label.setText(str(msg[1]))

    def _finished(self) -> None:
        self.timer.stop()
        self._set_running(False)
        self.show_previous()

    def _set_running(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for w in (self.layer_combo, self.documents_combo, self.iterations, self.held_out, self.folder_edit, self.browse_button):
            w.setEnabled(not running)

    def show_result(self, out: Path, info: dict[str, Any]) -> None:
        from annotator.services.suggest.train import TrainingResult

        self.result = TrainingResult(out, info)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        lines = self.result.lines()
        self.status_label.setText(lines[0] + ("\n" + lines[1] if len(lines) > 1 and lines[1].startswith("Not taught") else ""))
        rows = self.result.table()[1:]
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.setVisible(bool(rows))
        if not rows:
            self.status_label.setText(self.status_label.text() + "\nNo held-out documents: no precision, recall or F1.")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.cancel()  # the timer goes on until the process has stopped
        super().closeEvent(event)


def install_train_action(window: MainWindow) -> None:
    """Suggestions > Train model…"""
    menu = suggestions_menu(window)  # the stand-in made it

    def open_train() -> None:
        if window.project is None:
            return
        old = getattr(window, "train_dialog", None)
        if old is not None and old.project is window.project and (old.isVisible() or old.training):
            old.show()
            old.raise_()
            old.activateWindow()
            return
        dialog = TrainDialog(window.project, window, window.annotator or None, window.settings)
        window.train_dialog = dialog
        dialog.show()

    window.auto_retrainer = AutoRetrainer(window)
    menu.addAction(
        make_action(window, "&Train model…", open_train, tooltip="Train a spaCy NER model on this project's annotations")
    )


class AutoRetrainer(QObject):
    """Retrains the project's model in the background (a :class:`TrainingJob`, with
    the choices it was trained with) once :data:`RETRAIN_KEY` more documents are
    finished since; only a model that exists is retrained. Told on the window's
    status bar. Checked whenever a document's status becomes done (or beyond)."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.job: TrainingJob | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS * 5)
        self.timer.timeout.connect(self.poll)
        window.controller.changed.connect(self.on_changes)

    def on_changes(self, changes: Any) -> None:
        from annotator.services.suggest.train import FINISHED_STATUSES

        if changes.status is not None and str(changes.status) in FINISHED_STATUSES:
            self.check()

    def check(self) -> bool:
        """Start retraining if it is due; whether it started."""
        from annotator.services.suggest.train import TrainingJob, TrainOptions, needs_retraining, read_model_info

        window = self.window
        project = window.project
        after = int(window.settings.value(RETRAIN_KEY, 0) or 0)
        if after <= 0 or project is None or (self.job is not None and not self.job.finished):
            return False
        dialog = getattr(window, "train_dialog", None)
        if dialog is not None and dialog.training:
            return False
        folder = model_folder(window.settings, project.path)
        info = read_model_info(folder)
        if info is None or not needs_retraining(project, folder, after):
            return False
        try:
            raw = dict(info.get("options", {}))
            options = TrainOptions(**(raw | {"kinds": tuple(raw.get("kinds", ("entity",)))}))
            self.job = TrainingJob(project.path, folder, options)
        except Exception as err:  # an old or edited annotator-model.json
            window.statusBar().showMessage(f"⚠ Cannot retrain the model in {folder}: {err}", 15000)
            return False
        window.statusBar().showMessage(f"Retraining the model in {folder} in the background…", 8000)
        self.timer.start()
        return True

    def poll(self) -> None:
        from annotator.services.suggest.train import TrainingResult

        if self.job is None:
            self.timer.stop()
            return
        for msg in self.job.poll():
            if msg[0] == "done":
                result = TrainingResult(Path(msg[1]), msg[2])
                overall = result.overall
                score = f": F1 {overall['f']:.2f} on held-out documents" if overall else ""
                self.window.statusBar().showMessage(
                    f"Model retrained on {len(result.info['documents']['train'])} documents{score}", 15000
                )
            elif msg[0] == "error":
                self.window.statusBar().showMessage(f"⚠ Retraining failed: {msg[1]}", 15000)
        if self.job.finished:
            self.timer.stop()
