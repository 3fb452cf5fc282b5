"""The agreement dialog: per-label table and bar chart for a pair of annotators,
Krippendorff's alpha over all, and the documents with most disagreement.

Double-clicking a label lists the documents where the pair disagrees most on
that label and opens the first in review; double-clicking a document opens it
(:attr:`AgreementDialog.documentRequested`). Definitions: docs/agreement.md.

Agreement needs at least two annotators: with fewer, the dialog shows, in place
of the table and the chart, who was found and how to bring a second annotator's
work in (File > Import colleague's work…, or ``annotator merge``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
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
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.core.agreement import (
    DOCUMENT_MODES,
    AgreementError,
    Corpus,
    TooFewAnnotators,
    compute,
    load_corpus,
    pair_disagreement,
)
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
    """Horizontal bars per label: F1 (solid) and the second F1 (light), 0..1, under
    a legend laid out from the font's metrics (wrapped onto a second line when the
    chart is narrow, never cut)."""

    COLORS = (QColor("#1e88e5"), QColor("#90caf9"))
    #: The legend: text and colour of each bar.
    LEGEND = (("F1 exact / triggers", COLORS[0]), ("F1 overlap / arguments", COLORS[1]))
    MARGIN = 4
    SWATCH = 12
    #: between a swatch and its text, and between legend entries
    GAP, SPACING = 4, 14

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(120)

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.updateGeometry()
        self.update()

    @staticmethod
    def _text_width(fm: QFontMetrics, text: str) -> int:
        """Room that ``text`` needs: its advance or its ink, whichever is wider."""
        return max(fm.horizontalAdvance(text), fm.boundingRect(text).width()) + 1

    def _label_width(self, fm: QFontMetrics) -> int:
        return min(max((fm.horizontalAdvance(r["label"]) for r in self.rows), default=40) + 12, self.width() // 3)

    def legend_items(self) -> list[tuple[str, QRectF, QRectF, str]]:
        """``(name, swatch rectangle, text rectangle, text shown)`` per legend entry.
        On one line above the bars when it fits there, else from the left edge,
        wrapping entries onto new lines; a text is elided only when the chart is
        narrower than the entry itself."""
        fm = self.fontMetrics()
        line_h = fm.height() + 4
        right = self.width() - self.MARGIN
        widths = [self._text_width(fm, name) for name, _color in self.LEGEND]
        one_line = sum(self.SWATCH + self.GAP + w for w in widths) + self.SPACING * (len(widths) - 1)
        x0 = self._label_width(fm)
        if x0 + one_line > right:
            x0 = self.MARGIN
        x, y = x0, 2
        items = []
        for (name, _color), w in zip(self.LEGEND, widths):
            if x > x0 and x + self.SWATCH + self.GAP + w > right:
                x, y = x0, y + line_h
            text_x = x + self.SWATCH + self.GAP
            room = max(right - text_x, 0)
            shown = name
            if w > room:
                shown = fm.elidedText(name, Qt.TextElideMode.ElideRight, max(room - 2, 0))
                w = room
            swatch = QRectF(x, y + (line_h - 10) / 2, self.SWATCH, 10)
            items.append((name, swatch, QRectF(text_x, y + 1, w, fm.height() + 2), shown))
            x = text_x + w + self.SPACING
        return items

    def bars_top(self) -> int:
        """Where the bars start: below the legend."""
        items = self.legend_items()
        return int(max(r.bottom() for _n, _s, r, _t in items)) + 6 if items else 6

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, self.fontMetrics().height() + 24 + 22 * max(len(self.rows), 3))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        label_w = self._label_width(fm)
        top = self.bars_top()
        row_h = max(18, min(26, (self.height() - top - 6) // max(len(self.rows), 1)))
        left, right = label_w, self.width() - 50
        width = max(right - left, 10)
        text_color = self.palette().windowText().color()
        p.setPen(text_color)
        colors = dict(self.LEGEND)
        for name, swatch, rect, shown in self.legend_items():
            p.fillRect(swatch, colors[name])
            p.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextDontClip, shown)
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
        # in place of the table and the chart when there is nothing to compare
        self.notice = dialogs.plain_label(wrap=True)
        self.notice.setObjectName("agreement-notice")
        self.notice.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.notice.setStyleSheet("font-size: 11pt; padding: 16px;")
        self.results = QStackedWidget()
        self.results.addWidget(split)
        self.results.addWidget(self.notice)
        layout.addWidget(self.results, 4)
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
        except TooFewAnnotators as err:
            self.report = None
            self._show_notice(f"{err}\n\n{self._how_to_compare(err)}")
            return
        except (AgreementError, ProjectError) as err:
            self.report = None
            self.summary.setText(str(err))
            self.label_model.set_rows([])
            self.chart.set_rows([])
            self.doc_model.set_rows([])
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._show_notice(None)
        current = self.pair_combo.currentIndex()
        self.pair_combo.blockSignals(True)
        self.pair_combo.clear()
        for p in self.report["pairs"]:
            self.pair_combo.addItem(f"{p['a']} vs {p['b']}")
        self.pair_combo.setCurrentIndex(max(current, 0))
        self.pair_combo.blockSignals(False)
        self._show_pair()

    def _how_to_compare(self, err: TooFewAnnotators) -> str:
        if not err.needs_more_work:
            return "Choose at least two annotators to compare."
        return (
            "Each annotator works in their own project file. To measure agreement, bring another "
            "annotator's work on the same documents into this project: File > Import colleague's work… "
            f"in the main window, or on the command line: annotator merge {self.project.path.name} THEIRS.annotator "
            "(documents are matched by their text). Then open Agreement again."
        )

    def _show_notice(self, text: str | None) -> None:
        """A plain statement in place of the table, the chart and the documents
        (``None``: show the results again)."""
        shown = text is not None
        self.notice.setText(text or "")
        self.results.setCurrentWidget(self.notice if shown else self.results.widget(0))
        for w in (self.summary, self.docs_title, self.doc_table):
            w.setVisible(not shown)
        for combo in (self.pair_combo, self.mode_combo):
            combo.setEnabled(not shown)
        if shown:
            self.label_model.set_rows([])
            self.chart.set_rows([])
            self.doc_model.set_rows([])

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
