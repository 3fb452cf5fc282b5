"""The Team menu (issue 18): Hand out work… (with a preview of the split),
Collect work… (then the review queue), Progress (a table and a chart of the
work per day, painted with QPainter). The rules are in
:mod:`annotator.services.team` and ``docs/team.md``; this module only shows them.
Loaded after the window's first paint (``annotator.ui.lazy``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.kinds import DocStatus
from annotator.core.store import PROJECT_SUFFIX, ProjectError
from annotator.services.team import (
    Plan,
    TeamError,
    collect,
    plan_assignment,
    plan_reassign,
    write_packages,
)
from annotator.services.team_progress import format_duration, format_progress, progress
from annotator.ui import dialogs
from annotator.ui.actions import make_action, plain_action_text
from annotator.ui.undo import documents_changed

if TYPE_CHECKING:
    from annotator.services.team import CollectReport
    from annotator.ui.main_window import MainWindow

#: How long after the last change of a field the preview of the split is made (ms).
PREVIEW_DELAY_MS = 150
#: The choice of the hand-out box that hands out documents nobody has (the others reassign).
NEW_WORK = "New work"
#: The last choice of the documents box: documents listed in a file.
FROM_FILE = "Listed in a file…"


def install_team_actions(window: MainWindow) -> None:
    """Team > Hand out work…, Collect work…, Progress."""
    menu = window.menus["Team"]

    def hand_out() -> None:
        if window.project is None:
            return
        window.hand_out_dialog = HandOutDialog(window)
        window.hand_out_dialog.open()

    def collect_work() -> None:
        if window.project is None:
            return
        filter_ = f"Work packages (*{PROJECT_SUFFIX});;All files (*)"
        paths, _ = QFileDialog.getOpenFileNames(window, "Collect work", str(window.project.path.parent), filter_)
        if paths:
            collect_packages(window, [Path(p) for p in paths])

    def show_progress() -> None:
        if window.project is None:
            return
        try:
            window.progress_dialog = ProgressDialog(window)
        except (ProjectError, TeamError) as err:
            dialogs.show_error(window, "Progress", str(err))
            return
        window.progress_dialog.open()

    menu.addAction(make_action(window, "&Hand out work…", hand_out, tooltip="Split documents among annotators into packages"))
    menu.addAction(make_action(window, "&Collect work…", collect_work, tooltip="Bring annotators' packages back, then review"))
    menu.addAction(make_action(window, "&Progress", show_progress, tooltip="Who has what, how far, agreement"))


def collect_packages(window: MainWindow, paths: list[Path], *, review: bool = True) -> list[CollectReport]:
    """Collect ``paths`` into the window's project, show the report, refresh the
    views (change bus) and open the review queue when anything came in."""
    project = window.project
    if project is None:
        return []
    try:
        reports = collect(project, paths, actor=window.annotator or "team")
    except (TeamError, ProjectError) as err:
        dialogs.show_error(window, "Collect work", str(err))
        return []
    came = [r for r in reports if r.ok]
    refused = [r for r in reports if not r.ok]
    summary = f"{len(came)} of {len(reports)} packages collected" + (f"; {len(refused)} refused" if refused else "")
    conflicts = sum(len(r.conflicts) for r in came)
    if conflicts:
        summary += f"; {conflicts} conflict{'s' if conflicts != 1 else ''} (both versions kept)"
    lines = [r.summary() for r in reports]
    lines += [f"conflict: {r.source}: {c}" for r in came for c in r.conflicts]
    lines += [f"warning: {r.source}: {p}" for r in came for p in r.problems]
    window.controller.publish(documents_changed([d for r in came for d in r.documents]))
    window.collect_report_dialog = dialogs.ReportDialog("Collect work", summary, "\n".join(lines), window)
    window.collect_report_dialog.open()
    if review and came:
        open_review_queue(window)
    return reports


def open_review_queue(window: MainWindow) -> None:
    """Review > Review mode… (its module may still be a stand-in: triggering loads it)."""
    action = next((a for a in window.menus["Review"].actions() if plain_action_text(a) == "Review mode"), None)
    if action is not None:
        action.trigger()


class HandOutDialog(QDialog):
    """The request (annotators, overlap, documents, seed, folder) and a live
    preview of the split; *Hand out* writes the packages."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window
        self.project = window.project
        assert self.project is not None
        self.setWindowTitle("Hand out work")
        self.plan: Plan | None = None
        self.written: list[Any] = []
        form = QFormLayout()
        self.annotators = QLineEdit()
        self.annotators.setPlaceholderText("alice, bob, carol")
        known = sorted({a.annotator for a in self.project.assignments()})
        if known:
            self.annotators.setText(", ".join(known))
        form.addRow("&Annotators:", self.annotators)
        self.documents = QComboBox()
        for status in DocStatus:
            self.documents.addItem(status.value, status.value)
        self.documents.addItem(FROM_FILE)
        self.documents.setToolTip(
            "Hand out the documents with this status that nobody has yet, or those listed in a file (ids, one a line)"
        )
        self._documents_index = 0
        self.documents.currentIndexChanged.connect(self._documents_chosen)
        form.addRow("&Documents:", self.documents)
        self.source = QComboBox()
        self.source.addItem(NEW_WORK)
        for name in sorted({a.annotator for a in self.project.assignments(active=True)}):
            self.source.addItem(f"Reassign from {name}", name)
        form.addRow("&Hand out:", self.source)
        self.overlap = QSpinBox()
        self.overlap.setRange(0, 100)
        self.overlap.setSuffix(" %")
        form.addRow("&Overlap:", self.overlap)
        self.overlap_k = QSpinBox()
        self.overlap_k.setRange(2, 50)
        form.addRow("Overlap &annotators:", self.overlap_k)
        self.per_annotator = QSpinBox()
        self.per_annotator.setRange(0, 1_000_000)
        self.per_annotator.setSpecialValueText("no limit")
        form.addRow("&Per annotator:", self.per_annotator)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2_000_000_000)
        form.addRow("&Seed:", self.seed)
        folder = QHBoxLayout()
        self.out = QLineEdit(str(self.project.path.parent / "packages"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        folder.addWidget(self.out)
        folder.addWidget(browse)
        folder_label = QLabel("&Folder:")
        folder_label.setBuddy(self.out)
        form.addRow(folder_label, folder)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        layout.addWidget(dialogs.plain_label("Preview of the split:"))
        layout.addWidget(self.preview)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.hand_out_button = self.buttons.addButton("Hand &out", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.hand_out)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # the preview follows the fields a moment after the last change (a big corpus takes a while to split)
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self.update_preview)
        for w in (self.overlap, self.overlap_k, self.per_annotator, self.seed):
            w.valueChanged.connect(self.preview_timer.start)
        self.annotators.textChanged.connect(self.preview_timer.start)
        self.documents.currentIndexChanged.connect(self.preview_timer.start)
        self.source.currentIndexChanged.connect(self.preview_timer.start)
        self.resize(560, 520)
        self.update_preview()

    def _documents_chosen(self, index: int) -> None:
        """ "Listed in a file…": choose the file (cancel: back to the previous choice)."""
        if self.documents.itemText(index) != FROM_FILE:
            self._documents_index = index
            return
        path, _ = QFileDialog.getOpenFileName(
            self, "Documents listed in a file", str(self.out.text()), "Lists of ids (*.txt *.csv *.tsv);;All files (*)"
        )
        self.documents.blockSignals(True)
        if path:
            self.documents.insertItem(index, Path(path).name, path)
            self.documents.setItemData(index, path, Qt.ItemDataRole.ToolTipRole)
            self.documents.setCurrentIndex(index)
            self._documents_index = index
        else:
            self.documents.setCurrentIndex(self._documents_index)
        self.documents.blockSignals(False)
        self.preview_timer.start()

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder for the packages", self.out.text())
        if path:
            self.out.setText(path)

    def names(self) -> list[str]:
        return [n.strip() for n in self.annotators.text().split(",") if n.strip()]

    def make_plan(self) -> Plan:
        assert self.project is not None
        leaver = self.source.currentData()
        if leaver:
            others = [n for n in self.names() if n != leaver]  # the leaver may still be in the list
            return plan_reassign(self.project, leaver, others or None, seed=self.seed.value())
        return plan_assignment(
            self.project,
            self.names(),
            documents=self.documents.currentData() or self.documents.currentText(),
            overlap=self.overlap.value(),
            overlap_annotators=self.overlap_k.value(),
            per_annotator=self.per_annotator.value() or None,
            seed=self.seed.value(),
        )

    def update_preview(self) -> None:
        leaving = bool(self.source.currentData())
        for w in (self.documents, self.overlap, self.overlap_k, self.per_annotator):
            w.setEnabled(not leaving)
        try:
            self.plan = self.make_plan()
        except (TeamError, ProjectError) as err:
            self.plan = None
            self.preview.setPlainText(str(err))
            self.hand_out_button.setEnabled(False)
            return
        plan = self.plan
        lines = [
            f"{name}: {len(plan.documents[name])} documents, {plan.load.get(name, 0):,} characters"
            + (f", {sum(1 for d in plan.documents[name] if d in plan.overlap)} shared" if plan.overlap else "")
            for name in plan.annotators
        ]
        if plan.withdrawn:
            lines.append(f"{len(plan.withdrawn)} unfinished documents withdrawn from {self.source.currentData()}")
        if plan.overlap:
            lines.append(f"{len(plan.overlap)} documents go to several annotators (agreement is measured on them)")
        lines += plan.notes
        if plan.left_over:
            lines.append(f"{len(plan.left_over)} documents left for later")
        if not plan.total:
            lines.append("Nothing to hand out.")
        self.preview.setPlainText("\n".join(lines))
        self.hand_out_button.setEnabled(plan.total > 0)

    def hand_out(self) -> None:
        if self.preview_timer.isActive():  # a change not previewed yet: the plan follows the fields
            self.preview_timer.stop()
            self.update_preview()
        if self.plan is None or self.project is None:
            return
        try:
            self.written = write_packages(self.project, self.plan, Path(self.out.text()), actor=self.window_.annotator or "team")
        except (TeamError, ProjectError, OSError) as err:
            dialogs.show_error(self, "Hand out work", str(err))
            return
        text = "\n".join(f"{i.annotator}: {i.path} ({i.documents} documents)" for i in self.written)
        self.window_.hand_out_report = dialogs.ReportDialog(
            "Hand out work", f"{len(self.written)} packages written to {self.out.text()}", text, self.window_
        )
        self.window_.hand_out_report.open()
        self.accept()


#: The widest a bar of the chart gets (px): a few days do not make slabs.
MAX_BAR_WIDTH = 36.0
#: Bar colours of the chart, one per annotator (cycled).
CHART_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


class DayChart(QWidget):
    """Annotations created per day, one bar per annotator and day, painted with QPainter."""

    def __init__(self, per_day: list[dict[str, Any]], parent: QWidget | None = None):
        super().__init__(parent)
        self.days = sorted({d["day"] for d in per_day})
        self.names = sorted({d["annotator"] for d in per_day})
        self.values = {(d["day"], d["annotator"]): d["annotations"] for d in per_day}
        self.setMinimumHeight(160)
        self.setToolTip("Annotations created per day, per annotator")

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(520, 200)

    def bars(self) -> list[tuple[QRectF, str, str, int]]:
        """(rectangle, day, annotator, value) of every bar (what paintEvent draws)."""
        if not self.days or not self.names:
            return []
        top = max(self.values.values()) or 1
        left, bottom, height = 36.0, self.height() - 22.0, self.height() - 22.0 - 26.0  # the legend above
        slot = (self.width() - left - 8) / len(self.days)
        width = min(MAX_BAR_WIDTH, max(2.0, (slot - 6) / len(self.names)))
        out = []
        for i, day in enumerate(self.days):
            for j, name in enumerate(self.names):
                v = self.values.get((day, name), 0)
                h = height * v / top
                out.append((QRectF(left + i * slot + 3 + j * width, bottom - h, width - 1, h), day, name, v))
        return out

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        fg = self.palette().text().color()
        if not self.days:
            p.setPen(fg)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No annotations collected yet")
            p.end()
            return
        p.setPen(QPen(fg))
        bottom = self.height() - 22.0
        p.drawLine(QPointF(34, bottom), QPointF(self.width() - 4, bottom))
        top = max(self.values.values()) or 1
        p.drawText(QRectF(0, 20, 32, 14), Qt.AlignmentFlag.AlignRight, str(top))
        for rect, _day, name, _v in self.bars():
            p.fillRect(rect, QColor(CHART_COLOURS[self.names.index(name) % len(CHART_COLOURS)]))
        slot = (self.width() - 44) / len(self.days)
        step = max(1, int(60 // max(slot, 1)))  # labels at least ~60 px apart
        for i, day in enumerate(self.days):
            if i % step == 0:
                p.drawText(QRectF(36 + i * slot, bottom + 3, max(slot * step, 60), 16), Qt.AlignmentFlag.AlignLeft, day[5:])
        x = 40.0
        for k, name in enumerate(self.names):  # legend
            p.fillRect(QRectF(x, 6, 10, 10), QColor(CHART_COLOURS[k % len(CHART_COLOURS)]))
            p.drawText(QPointF(x + 14, 15), name)
            x += 24 + p.fontMetrics().horizontalAdvance(name)
        p.end()


class ProgressDialog(QDialog):
    """The dashboard: per-annotator table, the chart over time, and the rest as text."""

    COLUMNS = ["Annotator", "Assigned", "Not started", "In progress", "Done", "Active time", "Annotations"]

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.setWindowTitle("Team progress")
        assert window.project is not None
        self.report = progress(window.project)
        layout = QVBoxLayout(self)
        rows = self.report["annotators"]
        self.table = QTableWidget(len(rows), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for r, row in enumerate(rows):
            values = [
                row["annotator"],
                row["assigned"],
                row["not_started"],
                row["in_progress"],
                row["done"],
                format_duration(row["active_seconds"]),
                ", ".join(f"{k} {n}" for k, n in row["annotations"].items()) or "none",
            ]
            for c, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                if isinstance(v, int):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.chart = DayChart(self.report["per_day"])
        layout.addWidget(self.chart)
        lower = QHBoxLayout()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        text = format_progress(self.report).split("\n")
        self.details.setPlainText("\n".join(text[len(rows) + 1 :]))  # the table shows the first lines
        lower.addWidget(self.details, 3)
        # the documents to look at first: Enter or a double click opens one in the window
        first = QVBoxLayout()
        first.addWidget(dialogs.plain_label("Look at first (Enter opens):"))
        self.first = QListWidget()
        for item in self.report["most_disagreed"]:
            self._add_first(f"{item['disagreements']} disagreements: {item['title'] or item['doc_id']}", item["doc_id"])
        for item in self.report["slowest"]:
            self._add_first(f"{format_duration(item['active_seconds'])}: {item['title'] or item['doc_id']}", item["doc_id"])
        for item in self.report["conflicts"]:
            self._add_first(f"conflict ({item['annotator']}): {item['title'] or item['doc_id']}", item["doc_id"])
        self.first.itemActivated.connect(self.open_item)
        first.addWidget(self.first)
        lower.addLayout(first, 2)
        layout.addLayout(lower)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.window_ = window
        self.resize(900, 660)

    def _add_first(self, text: str, doc_id: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, doc_id)
        item.setToolTip(text)
        self.first.addItem(item)

    def open_item(self, item: QListWidgetItem) -> None:
        """Open the document in the main window (the dashboard stays open)."""
        doc_id = item.data(Qt.ItemDataRole.UserRole)
        if doc_id and not self.window_.open_document(doc_id):
            dialogs.show_warning(self, "Team progress", "That document is no longer in the project.")
