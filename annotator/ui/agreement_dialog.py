"""The agreement dialog: per-label table and bar chart for a pair of annotators,
Krippendorff's alpha over all, and the documents with most disagreement.

Double-clicking a label lists the documents where the pair disagrees most on
that label and opens the first in review; double-clicking a document opens it
(:attr:`AgreementDialog.documentRequested`). Definitions: docs/agreement.md.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.core.agreement import DOCUMENT_MODES, AgreementError, Corpus, compute, load_corpus, pair_disagreement
from annotator.core.store import Project, ProjectError
from annotator.ui import dialogs
from annotator.ui.tables import RowsModel


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def label_rows(pair: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per label of a pair report, overall first: label, kind, counts,
    the main F1, a second F1 and kappa (entities: exact, overlap, token kappa;
    events: trigger, argument; claims: span exact, overlap)."""
    rows = [
        {
            "label": "(all entities)",
            "kind": "entity",
            "a": pair["entities"]["exact"]["a"],
            "b": pair["entities"]["exact"]["b"],
            "f1": pair["entity_f1_exact"],
            "f1b": pair["entity_f1_overlap"],
            "kappa": pair["token_kappa"],
            "key": None,
        }
    ]
    if pair["events"]["trigger"]["a"] or pair["events"]["trigger"]["b"]:
        rows.append(
            {
                "label": "(all events)",
                "kind": "event",
                "a": pair["events"]["trigger"]["a"],
                "b": pair["events"]["trigger"]["b"],
                "f1": pair["trigger_f1"],
                "f1b": pair["argument_f1"],
                "kappa": None,
                "key": None,
            }
        )
    for key, row in pair["per_label"].items():
        if row["kind"] == "entity":
            f1, f1b, kappa = row["entity_f1_exact"], row["entity_f1_overlap"], row["token_kappa"]
        elif row["kind"] == "event":
            f1, f1b, kappa = row["trigger_f1"], row["argument_f1"], None
        else:
            f1, f1b, kappa = row["claim_f1_exact"], row["claim_f1_overlap"], None
        rows.append(
            {
                "label": key,
                "kind": row["kind"],
                "a": row["a"],
                "b": row["b"],
                "f1": f1,
                "f1b": f1b,
                "kappa": kappa,
                "key": key.removesuffix(" (event)"),
            }
        )
    return rows


class LabelTable(RowsModel):
    HEADERS = ("Label", "Kind", "A", "B", "F1", "F1 overlap / args", "Kappa")
    TIPS = (
        "",
        "",
        "Annotations of the first annotator",
        "Annotations of the second annotator",
        "Entities: exact span + label. Events: trigger (span + type). Claims: exact span.",
        "Entities: overlapping span + label. Events: arguments (role + filler, given a matched trigger). "
        "Claims: overlapping span.",
        "Token-level Cohen's kappa (entities)",
    )

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (r["label"], r["kind"], r["a"], r["b"], fmt(r["f1"]), fmt(r["f1b"]), fmt(r["kappa"]))[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and r["key"] is None:
            f = QFont()
            f.setBold(True)
            return f
        return None


class DocTable(RowsModel):
    HEADERS = ("Document", "Disagreements")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (" ".join((r["title"] or r["doc_id"]).split()), r["disagreements"])[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class BarChart(QWidget):
    """Horizontal bars per label: F1 (solid) and the second F1 (light), 0..1."""

    COLORS = (QColor("#1e88e5"), QColor("#90caf9"))

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(120)

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, 40 + 22 * max(len(self.rows), 3))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        label_w = min(max((fm.horizontalAdvance(r["label"]) for r in self.rows), default=40) + 12, self.width() // 3)
        top, row_h = 24, max(18, min(26, (self.height() - 30) // max(len(self.rows), 1)))
        left, right = label_w, self.width() - 50
        width = max(right - left, 10)
        text_color = self.palette().windowText().color()
        p.setPen(text_color)
        legend = (("F1 exact / triggers", self.COLORS[0]), ("F1 overlap / arguments", self.COLORS[1]))
        x = left
        for name, color in legend:
            p.fillRect(QRectF(x, 6, 12, 10), color)
            p.drawText(QRectF(x + 16, 2, 80, 18), Qt.AlignmentFlag.AlignVCenter, name)
            x += 24 + fm.horizontalAdvance(name)
        grid = QColor(text_color)
        grid.setAlpha(40)
        for frac in (0.25, 0.5, 0.75, 1.0):
            p.setPen(grid)
            gx = left + frac * width
            p.drawLine(int(gx), top, int(gx), top + row_h * len(self.rows))
        for i, r in enumerate(self.rows):
            y = top + i * row_h
            p.setPen(text_color)
            p.drawText(
                QRectF(0, y, label_w - 6, row_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(r["label"], Qt.TextElideMode.ElideRight, label_w - 8),
            )
            half = (row_h - 4) / 2
            for j, key in enumerate(("f1", "f1b")):
                v = r[key]
                if v is None:
                    continue
                p.fillRect(QRectF(left, y + 2 + j * half, max(v * width, 1.0), half - 1), self.COLORS[j])
            if r["f1"] is not None:
                p.drawText(QRectF(right + 4, y, 46, row_h), Qt.AlignmentFlag.AlignVCenter, fmt(r["f1"]))
        p.end()


class AgreementDialog(QDialog):
    """Agreement between the project's annotators (see the module doc)."""

    #: Open this document in review.
    documentRequested = Signal(str)

    def __init__(self, project: Project, parent: QWidget | None = None, annotators: list[str] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Agreement")
        self.setModal(False)
        self.project = project
        self.report: dict[str, Any] | None = None
        self.corpus: Corpus | None = None
        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        self.pair_combo = QComboBox()
        self.pair_combo.setObjectName("pair")
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("documents")
        for mode, text in zip(DOCUMENT_MODES, ("documents both annotated", "documents either annotated")):
            self.mode_combo.addItem(text, mode)
        controls.addWidget(QLabel("Pair:"))
        controls.addWidget(self.pair_combo, 1)
        controls.addWidget(QLabel("Count:"))
        controls.addWidget(self.mode_combo)
        layout.addLayout(controls)
        self.summary = dialogs.plain_label(wrap=True)
        layout.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.label_model = LabelTable(self)
        self.label_table = dialogs.list_table(self.label_model)
        self.label_table.setObjectName("labels")
        self.label_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.label_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.label_table.doubleClicked.connect(self._label_activated)
        self.chart = BarChart()
        split.addWidget(self.label_table)
        split.addWidget(self.chart)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 4)
        self.docs_title = dialogs.plain_label("Documents with most disagreement (double-click to review)")
        layout.addWidget(self.docs_title)
        self.doc_model = DocTable(self)
        self.doc_table = dialogs.list_table(self.doc_model)
        self.doc_table.setObjectName("documents")
        self.doc_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.doc_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.doc_table.doubleClicked.connect(self._doc_activated)
        layout.addWidget(self.doc_table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.pair_combo.currentIndexChanged.connect(lambda _i: self._show_pair())
        self.mode_combo.currentIndexChanged.connect(lambda _i: self.recompute())
        self.annotators = annotators
        self.resize(960, 760)
        self.recompute()

    def recompute(self) -> None:
        """Compute the report again (documents mode or project changed)."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if self.corpus is None:
                self.corpus = load_corpus(self.project, self.annotators)
            self.report = compute(self.corpus, documents=self.mode_combo.currentData())
        except (AgreementError, ProjectError) as err:
            self.report = None
            self.summary.setText(str(err))
            self.label_model.set_rows([])
            self.chart.set_rows([])
            self.doc_model.set_rows([])
            return
        finally:
            QApplication.restoreOverrideCursor()
        current = self.pair_combo.currentIndex()
        self.pair_combo.blockSignals(True)
        self.pair_combo.clear()
        for p in self.report["pairs"]:
            self.pair_combo.addItem(f"{p['a']} vs {p['b']}")
        self.pair_combo.setCurrentIndex(max(current, 0))
        self.pair_combo.blockSignals(False)
        self._show_pair()

    def pair(self) -> dict[str, Any] | None:
        if not self.report or not self.report["pairs"]:
            return None
        return self.report["pairs"][max(self.pair_combo.currentIndex(), 0)]

    def _show_pair(self) -> None:
        p = self.pair()
        if p is None or self.report is None:
            return
        ka = self.report["krippendorff_alpha"]
        attrs = ", ".join(f"{k} {fmt(v)}" for k, v in p["claim_attribute_agreement"].items() if v is not None)
        self.summary.setText(
            f"Krippendorff's alpha over {', '.join(self.report['annotators'])}: {fmt(ka['alpha'])} ({ka['tokens']} tokens).   "
            f"{p['a']} vs {p['b']}: {p['documents']} documents (only {p['a']}: {p['documents_only_a']}, "
            f"only {p['b']}: {p['documents_only_b']}).\n"
            f"Entities: F1 exact {fmt(p['entity_f1_exact'])}, overlap {fmt(p['entity_f1_overlap'])}, "
            f"token kappa {fmt(p['token_kappa'])}.   Events: trigger F1 {fmt(p['trigger_f1'])}, "
            f"argument F1 {fmt(p['argument_f1'])}.   Claims: span F1 {fmt(p['claim_f1_exact'])}, "
            f"claimant {fmt(p['claimant_agreement'])}" + (f", {attrs}" if attrs else "") + "."
        )
        rows = label_rows(p)
        self.label_model.set_rows(rows)
        self.chart.set_rows(rows)
        self.docs_title.setText("Documents with most disagreement, all labels (double-click to review)")
        self.doc_model.set_rows(self.report["disagreement"])

    def documents_for(self, label: str | None) -> list[dict[str, Any]]:
        """Documents ranked by disagreement of the current pair on ``label`` (None: all)."""
        p = self.pair()
        if p is None or self.corpus is None:
            return []
        if label is None:
            return self.report["disagreement"] if self.report else []
        return pair_disagreement(self.corpus, p["a"], p["b"], label, self.mode_combo.currentData())

    def _label_activated(self, index: QModelIndex) -> None:
        row = self.label_model.rows[index.row()]
        docs = self.documents_for(row["key"])
        self.docs_title.setText(
            f"Documents with most disagreement on {row['label']} (double-click to review)"
            if row["key"]
            else "Documents with most disagreement, all labels (double-click to review)"
        )
        self.doc_model.set_rows(docs)
        if docs:
            dialogs.select_row(self.doc_table, 0)
            self.documentRequested.emit(docs[0]["doc_id"])

    def _doc_activated(self, index: QModelIndex) -> None:
        self.documentRequested.emit(self.doc_model.rows[index.row()]["doc_id"])
