"""File > Export: the options of ``annotator export`` in a dialog, run in a worker thread.

The export itself is :func:`annotator.services.exporting.export` (the command line
runs the same function).  It runs in a :class:`QThread` with its own connection
to the project file (SQLite connections belong to one thread; the project is in
WAL mode, so the window keeps reading and writing meanwhile), reports progress
through queued signals to a progress bar, and stops at the next document when
Cancel is pressed (nothing is written then).  The report is shown as plain text.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QThread, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.core.models import SPAN_KINDS, DocStatus
from annotator.core.store import Project, ProjectError
from annotator.services.exporting import FORMATS, ExportCancelled, ExportError, ExportOptions, ExportReport, export
from annotator.ui import dialogs
from annotator.ui.actions import make_action, plain_tooltip
from annotator.ui.settings import open_settings

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow

log = logging.getLogger(__name__)

__all__ = ["ExportDialog", "ExportWorker", "install_export_action"]

#: Annotation choices that are not one annotator's name.
ALL, GOLD_LAYER, EACH = "\0all", "\0gold", "\0each"
#: Progress is sent to the window at most this often (seconds), and at the end.
PROGRESS_INTERVAL = 0.05
STATUS_TEXT = {
    DocStatus.NEW: "new",
    DocStatus.IN_PROGRESS: "in progress",
    DocStatus.DONE: "done",
    DocStatus.IN_REVIEW: "in review",
    DocStatus.REVIEWED: "reviewed",
}


class ExportWorker(QObject):
    """Runs one export in its thread; opens its own connection to the project."""

    progressed = Signal(int, int)
    succeeded = Signal(object)  # ExportReport
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, project_path: Path, options: ExportOptions):
        super().__init__()
        self.project_path = project_path
        self.options = options
        self._cancel = threading.Event()
        self._last = 0.0

    def cancel(self) -> None:
        """Ask the export to stop at the next document (thread-safe)."""
        self._cancel.set()

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done in (0, total) or now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            self.progressed.emit(done, total)

    @Slot()
    def run(self) -> None:
        try:
            with Project(self.project_path) as project:
                report = export(project, self.options, progress=self._progress, cancelled=self._cancel.is_set)
        except ExportCancelled:
            self.cancelled.emit()
        except (ExportError, ProjectError) as err:
            self.failed.emit(str(err))
        except Exception as err:  # a bug: say so, keep the window alive
            log.exception("export failed")
            self.failed.emit(f"The export failed unexpectedly ({type(err).__name__}: {err}); nothing was written.")
        else:
            self.succeeded.emit(report)


class ExportDialog(QDialog):
    """The export options, a progress bar, Export / Cancel, and the report."""

    #: Emitted with the report when an export completed.
    exported = Signal(object)

    def __init__(self, project: Project, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.project = project
        self.settings = settings if settings is not None else open_settings()
        self.thread: QThread | None = None
        self.worker: ExportWorker | None = None
        self.report: ExportReport | None = None
        self._out_edited = False
        self._spacy = importlib.util.find_spec("spacy") is not None
        self._build()
        self._format_changed()

    # -- layout -------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.format_box = QComboBox()
        for info in FORMATS.values():
            self.format_box.addItem(info.title, info.name)
            self.format_box.setItemData(self.format_box.count() - 1, plain_tooltip(info.description), Qt.ItemDataRole.ToolTipRole)
        last = self.settings.value("export/format", "spans")
        self.format_box.setCurrentIndex(max(0, self.format_box.findData(last)))
        self.format_box.currentIndexChanged.connect(self._format_changed)
        form.addRow("&Format:", self.format_box)
        self.description = dialogs.plain_label(wrap=True)
        form.addRow("", self.description)
        out_row = QHBoxLayout()
        self.out_edit = QLineEdit()
        self.out_edit.textEdited.connect(self._mark_out_edited)
        self.browse = QPushButton("&Browse…")
        self.browse.clicked.connect(self._choose_out)
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(self.browse)
        form.addRow(self._buddy("&Save to:", self.out_edit), out_row)
        layout.addLayout(form)

        which = QGroupBox("Annotations")
        wl = QFormLayout(which)
        self.layer_box = QComboBox()
        self.layer_box.addItem("All annotators", ALL)
        for name in self.project.annotators():
            self.layer_box.addItem(name, name)
        self.layer_box.addItem("Gold layer (adjudicated)", GOLD_LAYER)
        self.layer_box.addItem("Each annotator separately", EACH)
        self.layer_box.currentIndexChanged.connect(self._update_enabled)
        wl.addRow("&Whose:", self.layer_box)
        kinds = QHBoxLayout()
        self.kind_checks = {k: QCheckBox(k) for k in SPAN_KINDS}
        for box in self.kind_checks.values():
            kinds.addWidget(box)
        kinds.addStretch(1)
        wl.addRow(self._buddy("&Kinds:", self.kind_checks["entity"]), kinds)
        layout.addWidget(which)

        docs = QGroupBox("Documents")
        dl = QFormLayout(docs)
        statuses = QGridLayout()
        self.status_checks = {}
        for i, status in enumerate(DocStatus):
            box = QCheckBox(STATUS_TEXT[status])
            self.status_checks[status.value] = box
            statuses.addWidget(box, i // 3, i % 3)
        dl.addRow("Status (none: all):", statuses)
        self.label_list = QListWidget()
        self.label_list.setFixedHeight(100)
        for kind in ("entity", "event", "relation"):
            for label in self.project.schema.labels(kind):
                item = QListWidgetItem(label)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setData(Qt.ItemDataRole.ToolTipRole, plain_tooltip(f"{kind} label"))
                self.label_list.addItem(item)
        dl.addRow("With a label (none: any):", self.label_list)
        self.include_empty = QCheckBox("Include documents without annotations")
        dl.addRow("", self.include_empty)
        layout.addWidget(docs)

        shape = QGroupBox("Records")
        sl = QFormLayout(shape)
        self.sentences = QCheckBox("One record per sentence")
        sl.addRow("", self.sentences)
        split_row = QHBoxLayout()
        self.split_check = QCheckBox("Split by document:")
        self.split_check.toggled.connect(self._update_enabled)
        self.split_spins = []
        split_row.addWidget(self.split_check)
        for name, value in (("train", 80), ("dev", 10), ("test", 10)):
            spin = QSpinBox()
            spin.setRange(0, 100)
            spin.setValue(value)
            spin.setSuffix(f" % {name}")
            self.split_spins.append(spin)
            split_row.addWidget(spin)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setPrefix("seed ")
        split_row.addWidget(self.seed)
        split_row.addStretch(1)
        sl.addRow(split_row)
        self.offsets = QComboBox()
        self.offsets.addItem("Code points (Python)", "codepoint")
        self.offsets.addItem("UTF-16 units (doccano, JavaScript, Java)", "utf16")
        sl.addRow("&Offsets:", self.offsets)
        self.tokenizer = QComboBox()
        self.tokenizer.addItem("Built-in rules", "default")
        self.tokenizer.addItem("spaCy (English)" if self._spacy else "spaCy (not installed)", "spacy")
        sl.addRow("&Tokenizer:", self.tokenizer)
        # discontinuous spans (issue 14): what formats of one range per span write for one
        self.fragments = QComboBox()
        self.fragments.addItem("Split: one span per fragment", "split")
        self.fragments.addItem("Hull: first start to last end", "hull")
        self.fragments.addItem("First fragment only", "first")
        self.fragments.addItem("Skip them", "skip")
        self.fragments.setToolTip(
            "What a span of several fragments becomes in this format (--fragments); "
            "native, brat, events and claims keep the fragments. See docs/formats.md."
        )
        sl.addRow("&Discontinuous spans:", self.fragments)
        layout.addWidget(shape)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.setFont(QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)))
        self.report_view.setPlaceholderText("The report of the export appears here.")
        self.report_view.setMinimumHeight(90)
        layout.addWidget(self.report_view, 1)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("&Cancel export", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)
        self.cancel_button.setEnabled(False)
        layout.addWidget(self.buttons)
        self.resize(640, 840)

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        """A form label whose Alt+letter focuses ``widget`` (rows holding a layout have none)."""
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setBuddy(widget)
        return label

    # -- options ------------------------------------------------------------------
    @property
    def fmt(self) -> str:
        return self.format_box.currentData()

    def default_out(self) -> Path:
        info = FORMATS[self.fmt]
        folder = Path(self.settings.value("export/folder", str(Path.cwd() / "exports")))
        name = f"{self.project.path.stem}-{info.name}"
        return folder / (name if info.folder or self.split_check.isChecked() else name + info.suffix)

    def _mark_out_edited(self) -> None:
        self._out_edited = True

    def _format_changed(self) -> None:
        info = FORMATS[self.fmt]
        self.description.setText(info.description)
        for kind, box in self.kind_checks.items():
            box.setChecked(kind in info.default_kinds if info.default_kinds else False)
        self._update_enabled()

    def _update_enabled(self) -> None:
        info = FORMATS[self.fmt]
        choosable = bool(info.default_kinds) and info.name != "brat"
        for box in self.kind_checks.values():
            box.setEnabled(choosable)
        self.sentences.setEnabled(info.sentences)
        if not info.sentences:
            self.sentences.setChecked(False)
        self.offsets.setEnabled(info.offsets)
        if not info.offsets:
            self.offsets.setCurrentIndex(0)
        self.fragments.setEnabled(not info.fragments)
        self.tokenizer.setEnabled(info.tokens and self._spacy)
        if not (info.tokens and self._spacy):
            self.tokenizer.setCurrentIndex(0)
        each = self.layer_box.findData(EACH)
        item = self.layer_box.model().item(each)
        item.setEnabled(not info.many_layers)
        if info.many_layers and self.layer_box.currentData() == EACH:
            self.layer_box.setCurrentIndex(0)
        for spin in self.split_spins + [self.seed]:
            spin.setEnabled(self.split_check.isChecked())
        if not self._out_edited:
            self.out_edit.setText(str(self.default_out()))

    def _choose_out(self) -> None:
        info = FORMATS[self.fmt]
        current = Path(self.out_edit.text() or self.default_out())
        if info.folder or self.split_check.isChecked():
            # The export becomes a new folder inside the chosen one, never the chosen folder itself.
            chosen = QFileDialog.getExistingDirectory(self, "Choose the folder to export into", str(current.parent))
            path = str(Path(chosen) / current.name) if chosen else ""
        else:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export to file", str(current), f"{info.title} (*{info.suffix});;All files (*)"
            )
        if path:
            self.out_edit.setText(path)
            self._out_edited = True

    def options(self) -> ExportOptions:
        """The options as chosen (checked by :meth:`ExportOptions.check` before running)."""
        layer = self.layer_box.currentData()
        info = FORMATS[self.fmt]
        kinds = (
            tuple(k for k, box in self.kind_checks.items() if box.isChecked())
            if info.default_kinds and info.name != "brat"
            else ()
        )
        split = tuple(s.value() / 100 for s in self.split_spins) if self.split_check.isChecked() else None
        text = self.out_edit.text().strip()
        return ExportOptions(
            format=self.fmt,
            out=Path(text) if text else None,
            annotator=layer if layer not in (ALL, GOLD_LAYER, EACH) else None,
            gold=layer == GOLD_LAYER,
            per_annotator=layer == EACH,
            statuses=tuple(s for s, box in self.status_checks.items() if box.isChecked()),
            labels=tuple(
                self.label_list.item(i).text()
                for i in range(self.label_list.count())
                if self.label_list.item(i).checkState() == Qt.CheckState.Checked
            ),
            kinds=kinds if kinds != info.default_kinds else (),
            include_empty=self.include_empty.isChecked(),
            split=split,  # type: ignore[arg-type]
            seed=self.seed.value(),
            sentences=self.sentences.isChecked(),
            offsets=self.offsets.currentData(),
            tokenizer=self.tokenizer.currentData(),
            fragments=None if info.fragments else self.fragments.currentData(),
        )

    # -- running ------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.thread is not None

    def start(self) -> None:
        """Check the options and run the export in a worker thread."""
        if self.running:
            return
        options = self.options()
        try:
            if (
                options.kinds == ()
                and FORMATS[self.fmt].default_kinds
                and FORMATS[self.fmt].name != "brat"
                and not any(b.isChecked() for b in self.kind_checks.values())
            ):
                raise ExportError("choose at least one kind of annotation to export")
            if options.split is not None and sum(options.split) <= 0:
                raise ExportError("the split needs a share above 0 % for at least one of train, dev and test")
            options.check()
        except ExportError as err:
            self.report_view.setPlainText(f"Not exported: {err}")
            return
        self.settings.setValue("export/format", options.format)
        if options.out is not None:
            self.settings.setValue("export/folder", str(options.out.parent))
        self.report = None
        self.report_view.setPlainText("Exporting…")
        self.progress.setRange(0, 0)  # busy until the first progress arrives
        self._set_running(True)
        self.thread = QThread(self)
        self.worker = ExportWorker(self.project.path, options)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._progressed)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(self._cancelled)
        for signal in (self.worker.succeeded, self.worker.failed, self.worker.cancelled):
            signal.connect(self._stop_thread)
        self.thread.start()

    def cancel(self) -> None:
        """Stop the running export at the next document; nothing is written."""
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)
            self.report_view.setPlainText("Cancelling…")

    def _set_running(self, running: bool) -> None:
        for w in (self.export_button, self.close_button, self.format_box, self.out_edit, self.browse):
            w.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"%v of {total} documents")

    def _succeeded(self, report: ExportReport) -> None:
        self.report = report
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setFormat("Done")
        self.report_view.setPlainText("\n".join(report.lines(examples=20)))
        self.exported.emit(report)

    def _failed(self, message: str) -> None:
        self._reset_progress("Failed")
        self.report_view.setPlainText(f"Not exported: {message}")

    def _cancelled(self) -> None:
        self._reset_progress("Cancelled")
        self.report_view.setPlainText("Export cancelled; nothing was written.")

    def _reset_progress(self, text: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat(text)

    def _stop_thread(self) -> None:
        thread, worker = self.thread, self.worker
        self.thread = self.worker = None
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        if worker is not None:
            worker.deleteLater()
        self._set_running(False)

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Block until a running export ends (for tests and closing)."""
        if self.thread is None:
            return True
        return self.thread.wait(timeout_ms)

    def _finish_now(self) -> None:
        """Cancel a running export and wait for its thread (closing the dialog)."""
        if self.worker is not None and self.thread is not None:
            self.worker.cancel()
            self.thread.quit()
            self.thread.wait()

    def reject(self) -> None:
        self._finish_now()
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802
        self._finish_now()
        super().closeEvent(event)


def install_export_action(window: MainWindow) -> None:
    """Add File > Export… (Ctrl+E) to a main window (after Import files…)."""
    menu = window.menus["File"]
    action = make_action(window, "&Export…", lambda: open_export_dialog(window), shortcut="Ctrl+E")
    window.export_action = action
    actions = menu.actions()
    after = next((i for i, a in enumerate(actions) if a.text().replace("&", "").startswith("Import")), None)
    if after is not None and after + 1 < len(actions):
        menu.insertAction(actions[after + 1], action)
    else:
        menu.addAction(action)


def open_export_dialog(window: MainWindow) -> ExportDialog | None:
    """Show the export dialog for the window's project (non-modal; one at a time)."""
    if window.project is None:
        return None
    dialog = window.export_dialog
    if dialog is None or dialog.project is not window.project:
        dialog = ExportDialog(window.project, window, window.settings)
        window.export_dialog = dialog
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
