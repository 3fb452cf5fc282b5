"""Review mode: compare annotators side by side and adjudicate a gold layer.

:class:`ReviewView` shows one document: one read-only :class:`ArticleView` per
annotator, side by side and scroll-synchronised (or one pane overlaying them all,
one colour per annotator: Ctrl+Shift+O), and a gold pane; below them the
*units* (matched groups of spans, see :mod:`annotator.core.review`) with a status
each, and the adjudication panel of the selected unit: accept one annotator's
version, one event argument, one claim attribute or the claimant; reject; change
or remove the gold annotation; add a gold span from a selection in the gold
pane. "Accept all agreed" and "Mark reviewed" act on the whole document.

Every decision is a core review command pushed on the undo stack it is given
(the main window's), so Ctrl+Z undoes it, and it is in the project file at once.
The review queue on the left lists documents by open disagreements.

Keys (while the review window has focus): 1-9 accept the n-th annotator's
version of the selected unit, X rejects it, J/K go to the next/previous open
unit, Ctrl+Shift+A accepts everything all annotators agree on, Ctrl+D marks the
document reviewed, Ctrl+PgDown/PgUp move through the queue, Alt+Left/Right
move the start and Alt+Shift+Left/Right the end of the selected unit's gold span.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.core.commands import AddAnnotations, Command, DeleteAnnotations, UpdateAnnotation
from annotator.core.models import CLAIM_LABEL, GOLD, Annotation, DocStatus, new_id
from annotator.core.review import (
    CLAIMANT,
    AcceptAllAgreed,
    AcceptAnnotation,
    AcceptArgument,
    AcceptAttribute,
    EditGold,
    QueueRow,
    Reject,
    SetReviewStatus,
    Unit,
    align,
    review_queue,
)
from annotator.core.store import Project, ProjectError
from annotator.ui import dialogs
from annotator.ui.actions import escape_mnemonic, make_action, plain_tooltip
from annotator.ui.article_view import ArticleView
from annotator.ui.doc_list import STATUS_TEXT, document_title, status_icon
from annotator.ui.undo import UndoController

log = logging.getLogger(__name__)

#: Colour and short text of each unit status.
UNIT_STATUS: dict[str, tuple[str, str]] = {
    "agreed": ("#43a047", "agreed"),
    "label": ("#fb8c00", "label differs"),
    "boundary": ("#fdd835", "boundary differs"),
    "label+boundary": ("#e53935", "label and boundary differ"),
    "content": ("#8e24aa", "arguments/attributes differ"),
    "partial": ("#1e88e5", "only some annotators"),
    "mixed": ("#6d4c41", "several spans of one annotator"),
    "gold-only": ("#00897b", "added in gold"),
}
#: Short status names for the unit table (the long ones are in its tooltips).
UNIT_STATUS_SHORT = {
    "agreed": "agreed", "label": "label", "boundary": "boundary", "label+boundary": "label+boundary",
    "content": "content", "partial": "partial", "mixed": "mixed", "gold-only": "gold only",
}
DECISION_TEXT = {"accepted": "✓", "edited": "✎", "rejected": "✗"}
SNIPPET = 60


#: Overlay colours, one per annotator in order (name for the pane's plain-text legend).
OVERLAY_COLORS = (
    ("#1e88e5", "blue"), ("#e53935", "red"), ("#43a047", "green"), ("#8e24aa", "purple"),
    ("#fb8c00", "orange"), ("#00897b", "teal"), ("#6d4c41", "brown"), ("#d81b60", "pink"), ("#546e7a", "grey"),
)


def overlay_color(annotators: list[str], name: str) -> str:
    """The overlay colour of annotator ``name`` (by position; colours repeat after nine)."""
    i = annotators.index(name) if name in annotators else 0
    return OVERLAY_COLORS[i % len(OVERLAY_COLORS)][0]


@cache
def dot_icon(color: str, ring: bool = False) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    painter.setPen(c.darker(140))
    painter.setBrush(Qt.GlobalColor.transparent if ring else c)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pix)


def _snippet(text: str, limit: int = SNIPPET) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(ann: Annotation, text: str, anns: dict[str, Annotation] | None = None) -> str:
    """One line for an annotation: label and quoted text (relations: head → tail)."""
    if ann.kind == "relation":
        head = anns.get(ann.head or "") if anns else None
        tail = anns.get(ann.tail or "") if anns else None
        h = f"“{_snippet(head.text_in(text), 25)}”" if head else "?"
        t = f"“{_snippet(tail.text_in(text), 25)}”" if tail else "?"
        return f"{ann.label}: {h} → {t}"
    return f"{ann.label} “{_snippet(ann.text_in(text))}”"


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------
class RowsModel(QAbstractTableModel):
    """A read-only table over a list of rows with fixed headers (``HEADERS``, or :meth:`headers`)."""

    HEADERS: tuple[str, ...] = ()
    TIPS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def headers(self) -> list[str]:
        return list(self.HEADERS)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self.TIPS) and self.TIPS[section]:
            return plain_tooltip(self.TIPS[section])
        return None


class QueueModel(RowsModel):
    """Documents to review, most open disagreement first."""

    HEADERS = ("Document", "Open", "Differ", "To gold", "Status")
    TIPS = ("", "Disagreements not decided yet", "Units where the annotators differ",
            "Agreed units not yet in the gold layer", "")
    rows: list[QueueRow]

    def row_of(self, doc_id: str | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.doc_id == doc_id), -1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                document_title({"id": r.doc_id, "title": r.title}), r.open, r.disagreements, r.agreed_open,
                STATUS_TEXT.get(r.status, r.status),
            )[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 4:
            return status_icon(r.status)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return plain_tooltip(f"{r.title}\nannotators: {', '.join(r.annotators)}\n"
                                 f"{r.units} units: {r.agreed} agreed, {r.disagreements} differ, {r.open} open")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class UnitModel(RowsModel):
    """The units of the open document: status, text, each annotator's label, gold."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.annotators: list[str] = []
        self.text = ""
        self.anns: dict[str, Annotation] = {}

    @property
    def units(self) -> list[Unit]:
        return self.rows

    def set_units(self, units: list[Unit], annotators: list[str], text: str, anns: dict[str, Annotation]) -> None:
        self.annotators, self.text, self.anns = annotators, text, anns
        self.set_rows(units)

    def unit(self, row: int) -> Unit | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def headers(self) -> list[str]:
        return ["Status", "Text", "Kind", *self.annotators, "Gold"]

    def unit_text(self, u: Unit) -> str:
        if u.kind == "relation":
            first = (u.annotations or u.gold)[0]
            return describe(first, self.text, self.anns).split(": ", 1)[1]
        return _snippet(self.text[u.start:u.end])  # type: ignore[misc]

    def gold_text(self, u: Unit) -> str:
        if u.decision == "rejected":
            return "✗ rejected"
        if not u.gold:
            return "—"
        if u.accepted_from:
            return "✓ " + ", ".join(u.accepted_from)
        return "✎ " + " / ".join(g.label for g in u.gold)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        u, col = self.units[index.row()], index.column()
        n = len(self.annotators)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return UNIT_STATUS_SHORT[u.status]
            if col == 1:
                return self.unit_text(u)
            if col == 2:
                return u.kind
            if col < 3 + n:
                return u.label_of(self.annotators[col - 3]) or "—"
            return self.gold_text(u)
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return dot_icon(UNIT_STATUS[u.status][0], ring=u.decision is None and u.status not in ("agreed", "gold-only"))
        if role == Qt.ItemDataRole.ForegroundRole and col == 0 and u.decision is not None:
            return QColor("#757575")
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{UNIT_STATUS[u.status][1]} ({u.kind})"]
            for name in self.annotators:
                for a in u.members.get(name, []):
                    lines.append(f"{name}: {describe(a, self.text, self.anns)}")
                if not u.members.get(name):
                    lines.append(f"{name}: —")
            for g in u.gold:
                lines.append(f"gold: {describe(g, self.text, self.anns)}")
            if u.decision:
                lines.append(f"decision: {u.decision}")
            return plain_tooltip("\n".join(lines))
        return None


# ---------------------------------------------------------------------------
# Panes
# ---------------------------------------------------------------------------
class Pane(QFrame):
    """A titled, read-only article view for one annotator (or the gold layer)."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.title = dialogs.plain_label()
        self.title.setStyleSheet("font-weight: 600; padding: 4px 8px; background: palette(alternate-base);")
        self.view = ArticleView()
        self.view.setObjectName(f"pane:{name}")
        self.view.zoom_out()  # several panes side by side: a little smaller than the annotation view
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)

    def set_title(self, text: str) -> None:
        self.title.setText(text)


class UnitDetail(QScrollArea):
    """Adjudication controls for the selected unit (rebuilt when it changes)."""

    def __init__(self, review: "ReviewView"):
        super().__init__()
        self.review = review
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.buttons: dict[str, QPushButton] = {}
        self.gold_label: QComboBox | None = None
        self.show_unit(None)

    def _button(self, key: str, text: str, slot: Callable[[], None], tip: str = "") -> QPushButton:
        b = QPushButton(escape_mnemonic(text))
        b.setObjectName(key)
        b.setAutoDefault(False)
        if tip:
            b.setToolTip(plain_tooltip(tip))
        b.clicked.connect(lambda _c=False: slot())
        self.buttons[key] = b
        return b

    def show_unit(self, u: Unit | None) -> None:
        self.buttons = {}
        self.gold_label = None
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(8, 8, 8, 8)
        grid.setHorizontalSpacing(10)
        self.setWidget(body)
        r = self.review
        if u is None:
            grid.addWidget(dialogs.plain_label("Select a unit above to adjudicate it.", wrap=True), 0, 0)
            return
        text, anns = r.text, r.anns
        row = 0
        head = dialogs.plain_label(f"{UNIT_STATUS[u.status][1].capitalize()} — {u.kind}", wrap=True)
        head.setStyleSheet("font-weight: 600;")
        grid.addWidget(head, row, 0, 1, 4)
        row += 1
        for i, name in enumerate(r.annotators):
            versions = u.members.get(name, [])
            grid.addWidget(dialogs.plain_label(name), row, 0)
            if not versions:
                grid.addWidget(dialogs.plain_label("— (did not mark it)"), row, 1)
                row += 1
                continue
            for a in versions:
                grid.addWidget(dialogs.plain_label(describe(a, text, anns), wrap=True), row, 1)
                key = f"accept:{name}" if len(versions) == 1 else f"accept:{name}:{a.id}"
                grid.addWidget(self._button(
                    key, f"Accept {name}’s", lambda a=a: r.accept(a.id),
                    f"Copy {name}’s version into the gold layer ({i + 1})" if i < 9 else "",
                ), row, 2)
                row += 1
        # gold
        grid.addWidget(dialogs.plain_label("gold"), row, 0)
        if u.gold:
            g = u.gold[0]
            grid.addWidget(dialogs.plain_label(describe(g, text, anns) + (
                f"  (accepted from {', '.join(u.accepted_from)})" if u.accepted_from else "  (edited)"), wrap=True), row, 1)
            if g.kind != "claim":
                combo = QComboBox()
                combo.setObjectName("gold-label")
                labels = r.schema_labels(g.kind)
                if g.label not in labels:
                    labels = [g.label, *labels]
                combo.addItems(labels)
                combo.setCurrentText(g.label)
                combo.setToolTip(plain_tooltip("Change the gold label"))
                combo.activated.connect(lambda _i, g=g, c=combo: r.set_gold_label(g.id, c.currentText()))
                self.gold_label = combo
                grid.addWidget(combo, row, 2)
            grid.addWidget(self._button("remove-gold", "Remove from gold", lambda: r.reject(u, remove_gold=True),
                                        "Delete the gold annotation (its links go with it)"), row, 3)
        else:
            state = "✗ rejected" if u.decision == "rejected" else "— (not decided)"
            grid.addWidget(dialogs.plain_label(state), row, 1)
        row += 1
        if u.annotations:
            grid.addWidget(self._button("reject", "Reject", lambda: r.reject(u),
                                        "None of these versions goes into gold (X)"), row, 2)
            row += 1
        if u.kind == "event":
            row = self._arguments(grid, row, u)
        if u.kind == "claim":
            row = self._attributes(grid, row, u)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(row, 1)

    def _arguments(self, grid: QGridLayout, row: int, u: Unit) -> int:
        r = self.review
        title = dialogs.plain_label("Arguments")
        title.setStyleSheet("font-weight: 600; margin-top: 8px;")
        grid.addWidget(title, row, 0, 1, 4)
        row += 1
        events = [(name, ev) for name in r.annotators for ev in u.members.get(name, [])]
        roles: list[str] = []
        for _name, ev in events:
            roles += [x.role for x in ev.arguments if x.role not in roles]
        if not roles:
            grid.addWidget(dialogs.plain_label("(no arguments)"), row, 1)
            row += 1
        for role in roles:
            fillers = {
                name: [r.anns.get(x.target) for x in ev.arguments if x.role == role] for name, ev in events
            }
            shown = {name: [describe(f, r.text, r.anns) if f else "(missing)" for f in fs] for name, fs in fillers.items()}
            same = len(events) == len(r.annotators) and len({tuple(v) for v in shown.values()}) == 1
            head = dialogs.plain_label(f"{role}" + ("   (same for all)" if same else ""))
            head.setStyleSheet("font-style: italic;")
            grid.addWidget(head, row, 0, 1, 2)
            row += 1
            for name, ev in events:
                args = [x for x in ev.arguments if x.role == role]
                if not args:
                    grid.addWidget(dialogs.plain_label(f"   {name}: —"), row, 1)
                    row += 1
                for arg in args:
                    filler = r.anns.get(arg.target)
                    what = describe(filler, r.text, r.anns) if filler else "(missing)"
                    grid.addWidget(dialogs.plain_label(f"   {name}: {what}", wrap=True), row, 1)
                    grid.addWidget(self._button(
                        f"accept-arg:{name}:{arg.role}:{arg.target}", "Accept argument",
                        lambda ev=ev, arg=arg: r.accept_argument(ev.id, arg.role, arg.target),
                        f"Add {name}’s {arg.role} to the gold event (creating the gold event if needed)",
                    ), row, 2)
                    row += 1
        for g in u.gold:
            args = ", ".join(
                f"{x.role} → {describe(r.anns[x.target], r.text) if x.target in r.anns else '?'}" for x in g.arguments
            ) or "(none)"
            grid.addWidget(dialogs.plain_label("gold"), row, 0)
            grid.addWidget(dialogs.plain_label(args, wrap=True), row, 1, 1, 3)
            row += 1
        return row

    def _attributes(self, grid: QGridLayout, row: int, u: Unit) -> int:
        r = self.review
        title = dialogs.plain_label("Claimant and attributes")
        title.setStyleSheet("font-weight: 600; margin-top: 8px;")
        grid.addWidget(title, row, 0, 1, 4)
        row += 1
        names = [CLAIMANT, *r.schema_attributes()]
        for c in u.annotations + u.gold:
            names += [k for k in c.attributes if k not in names]
        gold = u.gold[0] if u.gold else None
        for attr in names:
            grid.addWidget(dialogs.plain_label(attr), row, 0)
            row += 1
            for name in r.annotators:
                for c in u.members.get(name, []):
                    value = self._value(c, attr)
                    same = gold is not None and self._value(gold, attr) == value
                    grid.addWidget(dialogs.plain_label(f"   {name}: {value}" + ("   ✓ gold" if same else "")), row, 1)
                    grid.addWidget(self._button(
                        f"accept-attr:{name}:{attr}", f"Accept {attr}",
                        lambda c=c, attr=attr: r.accept_attribute(c.id, attr),
                        f"Set the gold claim's {attr} to {name}’s value",
                    ), row, 2)
                    row += 1
            if gold is not None:
                grid.addWidget(dialogs.plain_label(f"   gold: {self._value(gold, attr)}"), row, 1)
                row += 1
        return row

    def _value(self, c: Annotation, attr: str) -> str:
        if attr == CLAIMANT:
            if c.claimant_ref:
                t = self.review.anns.get(c.claimant_ref)
                return f"“{_snippet(t.text_in(self.review.text), 40)}”" if t else "?"
            return f"“{c.claimant_text}” (text)" if c.claimant_text else "(none)"
        v = c.attributes.get(attr)
        return "(unset)" if v is None else str(v)


# ---------------------------------------------------------------------------
# The review view
# ---------------------------------------------------------------------------
class ReviewView(QWidget):
    """Review of one document at a time (see the module doc)."""

    #: A document's status or gold layer changed (for the main window's list).
    documentChanged = Signal(str)
    #: The document shown changed.
    documentOpened = Signal(str)
    #: A message for the status bar (plain text).
    message = Signal(str)

    def __init__(
        self,
        project: Project,
        reviewer: str,
        undo_stack: QUndoStack | None = None,
        parent: QWidget | None = None,
        annotators: list[str] | None = None,
    ):
        super().__init__(parent)
        self.project = project
        self.reviewer = reviewer
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.controller = UndoController(self.undo_stack, lambda: self.project, self._show_for_undo, self)
        self.controller.changed.connect(self._after_change)
        self.controller.error.connect(self._error)
        self.fixed_annotators = annotators
        self.doc_id: str | None = None
        self.text = ""
        self.anns: dict[str, Annotation] = {}
        self.annotators: list[str] = []
        self.units: list[Unit] = []
        self.panes: dict[str, Pane] = {}
        self._syncing = False
        self._synced: set[ArticleView] = set()
        self.last_error = ""
        self._build()
        self._build_actions()
        self.refresh_queue()

    # -- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.main_split)

        queue_box = QWidget()
        qlay = QVBoxLayout(queue_box)
        qlay.setContentsMargins(4, 4, 4, 4)
        qtitle = dialogs.plain_label("Review queue (most open disagreement first)")
        qtitle.setStyleSheet("font-weight: 600;")
        self.hide_reviewed = QCheckBox("Hide reviewed documents")
        self.hide_reviewed.toggled.connect(lambda _on: self.refresh_queue())
        self.queue_model = QueueModel(self)
        self.queue = dialogs.list_table(self.queue_model)
        self.queue.setObjectName("reviewQueue")
        hh = self.queue.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.queue.selectionModel().currentRowChanged.connect(self._queue_row_changed)
        qlay.addWidget(qtitle)
        qlay.addWidget(self.hide_reviewed)
        qlay.addWidget(self.queue, 1)
        self.main_split.addWidget(queue_box)

        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(4, 4, 4, 4)
        header = QHBoxLayout()
        self.title_label = dialogs.ElidedLabel()
        self.title_label.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.status_label = dialogs.plain_label()
        self.accept_agreed_button = QPushButton("Accept all agreed")
        self.accept_agreed_button.setObjectName("accept-agreed")
        self.accept_agreed_button.setToolTip(plain_tooltip(
            "Copy every unit all annotators made identically into the gold layer, as one step (Ctrl+Shift+A)"))
        self.accept_agreed_button.clicked.connect(lambda _c=False: self.accept_all_agreed())
        self.reviewed_button = QPushButton("Mark reviewed")
        self.reviewed_button.setObjectName("mark-reviewed")
        self.reviewed_button.setToolTip(plain_tooltip("Mark this document reviewed (Ctrl+D)"))
        self.reviewed_button.clicked.connect(lambda _c=False: self.mark_reviewed())
        self.overlay_check = QCheckBox("Overlay annotators")
        self.overlay_check.setObjectName("overlay")
        self.overlay_check.setToolTip(plain_tooltip(
            "Show every annotator's spans in one pane, one colour per annotator, instead of side by side (Ctrl+Shift+O)"))
        self.overlay_check.toggled.connect(self.set_overlay)
        header.addWidget(self.title_label, 1)
        header.addWidget(self.overlay_check)
        header.addWidget(self.status_label)
        header.addWidget(self.accept_agreed_button)
        header.addWidget(self.reviewed_button)
        rlay.addLayout(header)
        self.summary_label = dialogs.plain_label(wrap=True)
        rlay.addWidget(self.summary_label)

        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.pane_split = QSplitter(Qt.Orientation.Horizontal)
        self.gold_pane = Pane(GOLD)
        self.overlay_pane = Pane("overlay")
        self.overlay_pane.view.annotationClicked.connect(self._span_clicked)
        self.overlay_pane.setVisible(False)
        gold_box = QWidget()
        glay = QVBoxLayout(gold_box)
        glay.setContentsMargins(0, 0, 0, 0)
        glay.setSpacing(2)
        glay.addWidget(self.gold_pane, 1)
        add_row = QHBoxLayout()
        self.add_label = QComboBox()
        self.add_label.setObjectName("gold-add-label")
        self.add_button = QPushButton("Add selection to gold")
        self.add_button.setObjectName("gold-add")
        self.add_button.setToolTip(plain_tooltip("Select text in the gold pane, choose a label, add it to the gold layer"))
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(lambda _c=False: self.add_gold_span())
        self.gold_pane.view.spanSelectionChanged.connect(lambda s, e: self.add_button.setEnabled(e > s))
        self.gold_pane.view.annotationClicked.connect(self._gold_clicked)
        add_row.addWidget(self.add_label, 1)
        add_row.addWidget(self.add_button)
        glay.addLayout(add_row)
        self.gold_box = gold_box
        self.pane_split.addWidget(self.overlay_pane)
        self.vsplit.addWidget(self.pane_split)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        units_box = QWidget()
        ulay = QVBoxLayout(units_box)
        ulay.setContentsMargins(0, 0, 0, 0)
        self.only_open = QCheckBox("Only disagreements")
        self.only_open.toggled.connect(lambda _on: self._show_units(keep=self.selected_unit()))
        self.unit_model = UnitModel(self)
        self.unit_table = dialogs.list_table(self.unit_model)
        self.unit_table.setObjectName("units")
        self.unit_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.unit_table.selectionModel().currentRowChanged.connect(self._unit_row_changed)
        ulay.addWidget(self.only_open)
        ulay.addWidget(self.unit_table, 1)
        self.detail = UnitDetail(self)
        bottom.addWidget(units_box)
        bottom.addWidget(self.detail)
        bottom.setSizes([640, 460])
        self.vsplit.addWidget(bottom)
        self.vsplit.setSizes([540, 320])
        rlay.addWidget(self.vsplit, 1)
        self.main_split.addWidget(right)
        self.main_split.setSizes([270, 1130])

    def _build_actions(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        a = make_action
        self.actions_by_name: dict[str, QAction] = {
            "accept_agreed": a(self, "Accept all agreed", self.accept_all_agreed, shortcut="Ctrl+Shift+A", context=ctx),
            "reviewed": a(self, "Mark reviewed", self.mark_reviewed, shortcut="Ctrl+D", context=ctx),
            "reject": a(self, "Reject the selected unit", lambda: self.reject(self.selected_unit()), shortcut="X", context=ctx),
            "next_open": a(self, "Next open unit", lambda: self.select_open(1), shortcut="J", context=ctx),
            "prev_open": a(self, "Previous open unit", lambda: self.select_open(-1), shortcut="K", context=ctx),
            "next_doc": a(self, "Next document in the queue", lambda: self.move_queue(1), shortcut="Ctrl+PgDown", context=ctx),
            "prev_doc": a(self, "Previous document in the queue", lambda: self.move_queue(-1), shortcut="Ctrl+PgUp", context=ctx),
            "overlay": a(self, "Overlay annotators", lambda: self.overlay_check.toggle(), shortcut="Ctrl+Shift+O", context=ctx),
        }
        for name, text, which, delta, key in (
            ("gold_start_left", "Move the gold start left", "start", -1, "Alt+Left"),
            ("gold_start_right", "Move the gold start right", "start", 1, "Alt+Right"),
            ("gold_end_left", "Move the gold end left", "end", -1, "Alt+Shift+Left"),
            ("gold_end_right", "Move the gold end right", "end", 1, "Alt+Shift+Right"),
        ):
            self.actions_by_name[name] = a(
                self, text, lambda w=which, d=delta: self.adjust_gold_boundary(w, d), shortcut=key, context=ctx)
        for i in range(9):
            self.actions_by_name[f"accept_{i + 1}"] = a(
                self, f"Accept annotator {i + 1}’s version", lambda i=i: self.accept_nth(i), shortcut=str(i + 1), context=ctx)
        self.addActions(list(self.actions_by_name.values()))

    # -- data -------------------------------------------------------------------------
    def schema_labels(self, kind: str) -> list[str]:
        return self.project.schema.labels(kind)

    def schema_attributes(self) -> list[str]:
        return [x.name for x in self.project.schema.claim.attributes]

    def refresh_queue(self) -> None:
        """Recompute the queue (all documents with annotator work)."""
        try:
            rows = review_queue(self.project, self.fixed_annotators, include_done=not self.hide_reviewed.isChecked())
        except ProjectError as err:
            self._error(str(err))
            rows = []
        current = self.doc_id
        self.queue.selectionModel().blockSignals(True)
        self.queue_model.set_rows(rows)
        dialogs.select_row(self.queue, self.queue_model.row_of(current))
        self.queue.selectionModel().blockSignals(False)

    def open_document(self, doc_id: str) -> bool:
        """Show ``doc_id`` for review."""
        try:
            text = self.project.document_text(doc_id)
        except KeyError:
            return False
        first = doc_id != self.doc_id
        self.doc_id = doc_id
        self.text = text
        self._load(first=first)
        self.queue.selectionModel().blockSignals(True)
        dialogs.select_row(self.queue, self.queue_model.row_of(doc_id))
        self.queue.selectionModel().blockSignals(False)
        self.documentOpened.emit(doc_id)
        return True

    def _load(self, first: bool) -> None:
        assert self.doc_id is not None
        p = self.project
        doc = p.get_document(self.doc_id)
        all_anns = p.annotations(self.doc_id)
        self.anns = {a.id: a for a in all_anns}
        present = sorted({a.annotator for a in all_anns if a.annotator != GOLD})
        annotators = list(self.fixed_annotators) if self.fixed_annotators is not None else present
        decisions = p.review_decisions(self.doc_id)
        self.units = align(all_anns, self.text, annotators, decisions)
        schema = p.schema
        rebuild = first or annotators != self.annotators
        if rebuild:
            self.annotators = annotators
            self._build_panes()
            for name, pane in self.panes.items():
                pane.view.set_article(self.text, [a for a in all_anns if a.annotator == name], schema)
            self._fill_add_labels()
        else:
            for name, pane in self.panes.items():
                pane.view.set_annotations([a for a in all_anns if a.annotator == name])
        for name, pane in self.panes.items():
            n = sum(1 for a in all_anns if a.annotator == name)
            pane.set_title(f"Gold layer ({n})" if name == GOLD else f"{name} ({n})")
        self._fill_overlay(all_anns, schema, rebuild=rebuild)
        self.title_label.set_full_text(document_title(doc.model_dump(include={"id", "title", "external_id"})))
        self.status_label.setText(STATUS_TEXT.get(doc.status.value, doc.status.value))
        self.reviewed_button.setEnabled(doc.status != DocStatus.REVIEWED)
        counts: dict[str, int] = {}
        for u in self.units:
            counts[u.status] = counts.get(u.status, 0) + 1
        open_n = sum(1 for u in self.units if u.open)
        agreed_open = sum(1 for u in self.units if u.agreed and not u.gold)
        self.accept_agreed_button.setEnabled(agreed_open > 0)
        self.accept_agreed_button.setText(f"Accept all agreed ({agreed_open})")
        parts = [f"{n} {UNIT_STATUS[s][1]}" for s, n in sorted(counts.items(), key=lambda kv: list(UNIT_STATUS).index(kv[0]))]
        self.summary_label.setText(
            f"{len(self.units)} units: " + ", ".join(parts) + f" — {open_n} open, {agreed_open} agreed not yet in gold"
            if self.units else "No annotations to review in this document."
        )
        self._show_units(keep=None)

    def _build_panes(self) -> None:
        for pane in self.panes.values():
            if pane is not self.gold_pane:
                pane.setParent(None)
                pane.deleteLater()
        self.panes = {}
        for name in self.annotators:
            pane = Pane(name)
            pane.view.annotationClicked.connect(self._span_clicked)
            self.pane_split.addWidget(pane)
            self.panes[name] = pane
        self.pane_split.addWidget(self.gold_box)
        self.panes[GOLD] = self.gold_pane
        self.pane_split.insertWidget(0, self.overlay_pane)
        if self.overlay_pane.view not in self._synced:
            self._synced.add(self.overlay_pane.view)
            self.overlay_pane.view.verticalScrollBar().valueChanged.connect(self._sync_scroll)
        self._show_overlay(self.overlay_check.isChecked())
        self.pane_split.setSizes([1000] * self.pane_split.count())
        for pane in self.panes.values():
            if pane.view not in self._synced:
                self._synced.add(pane.view)
                pane.view.verticalScrollBar().valueChanged.connect(self._sync_scroll)

    def _fill_overlay(self, all_anns: list[Annotation], schema: Any, rebuild: bool) -> None:
        """Every annotator's annotations in the overlay pane, coloured per annotator."""
        names = list(self.annotators)
        view = self.overlay_pane.view
        mine = [a for a in all_anns if a.annotator in names]
        if rebuild:  # the colours follow the annotators, who change only with a rebuild
            view.set_color_function(lambda a: overlay_color(names, a.annotator))
            view.set_article(self.text, mine, schema)
        else:
            view.set_annotations(mine)
        legend = ", ".join(f"{n} ({OVERLAY_COLORS[i % len(OVERLAY_COLORS)][1]})" for i, n in enumerate(names))
        self.overlay_pane.set_title(f"All annotators: {legend}" if names else "No annotators")

    def set_overlay(self, on: bool) -> None:
        """Overlay every annotator in one pane (True) or show them side by side."""
        if self.overlay_check.isChecked() != on:
            self.overlay_check.setChecked(on)  # comes back here through toggled
            return
        self._show_overlay(on)
        self._unit_selected(self.selected_unit())

    def overlay(self) -> bool:
        return self.overlay_check.isChecked()

    def _show_overlay(self, on: bool) -> None:
        for name, pane in self.panes.items():
            if name != GOLD:
                pane.setVisible(not on)
        self.overlay_pane.setVisible(on)

    def _fill_add_labels(self) -> None:
        self.add_label.clear()
        schema = self.project.schema
        for kind in ("entity", "event", "claim"):
            for label in schema.labels(kind):
                self.add_label.addItem(f"{label} ({kind})" if kind != "claim" else "claim", (kind, label))

    def _sync_scroll(self, value: int) -> None:
        """Keep every pane at the same place in the text (same proportion scrolled)."""
        if self._syncing:
            return
        source = self.sender()
        if source is None or source.maximum() <= 0:
            return
        ratio = value / source.maximum()
        self._syncing = True
        try:
            for pane in [*self.panes.values(), self.overlay_pane]:
                bar = pane.view.verticalScrollBar()
                if bar is not source:
                    bar.setValue(round(ratio * bar.maximum()))
        finally:
            self._syncing = False

    def _show_units(self, keep: Unit | None) -> None:
        shown = [u for u in self.units if not self.only_open.isChecked() or u.status not in ("agreed",)]
        self.unit_table.selectionModel().blockSignals(True)
        self.unit_model.set_units(shown, self.annotators, self.text, self.anns)
        header = self.unit_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        row = -1
        if keep is not None:
            ids = set(keep.ids) | {g.id for g in keep.gold}
            row = next((i for i, u in enumerate(shown) if ids & (set(u.ids) | {g.id for g in u.gold})), -1)
        dialogs.select_row(self.unit_table, row)
        self.unit_table.selectionModel().blockSignals(False)
        self._unit_selected(self.unit_model.unit(row))

    def selected_unit(self) -> Unit | None:
        index = self.unit_table.selectionModel().currentIndex()
        return self.unit_model.unit(index.row()) if index.isValid() else None

    def select_unit(self, u: Unit | None) -> None:
        row = self.unit_model.units.index(u) if u in self.unit_model.units else -1
        dialogs.select_row(self.unit_table, row)

    def unit_containing(self, ann_id: str) -> Unit | None:
        return next((u for u in self.units if ann_id in u.ids or ann_id in {g.id for g in u.gold}), None)

    def _unit_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._unit_selected(self.unit_model.unit(current.row()))

    def _unit_selected(self, u: Unit | None) -> None:
        self.detail.show_unit(u)
        for name, pane in self.panes.items():
            anns = (u.gold if name == GOLD else u.members.get(name, [])) if u else []
            pane.view.set_selected_annotation(anns[0].id if anns else None)
        self.overlay_pane.view.set_selected_annotation(u.annotations[0].id if u and u.annotations else None)
        if u is not None:  # scroll it into view once laid out; the other panes follow
            first = (u.annotations or u.gold)[0]
            QTimer.singleShot(0, lambda: self._reveal(first))

    def _reveal(self, ann: Annotation) -> None:
        pane = self.overlay_pane if self.overlay_check.isChecked() and ann.annotator != GOLD else self.panes.get(ann.annotator)
        if pane is not None and pane.view.annotation(ann.id) is not None:
            pane.view.set_selected_annotation(ann.id, ensure_visible=True)

    def _span_clicked(self, ann_id: str) -> None:
        u = self.unit_containing(ann_id)
        if u is not None:
            if u not in self.unit_model.units:
                self.only_open.setChecked(False)
            self.select_unit(u)

    def _gold_clicked(self, ann_id: str) -> None:
        self._span_clicked(ann_id)

    def _queue_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            row = self.queue_model.rows[current.row()]
            if row.doc_id != self.doc_id:
                self.open_document(row.doc_id)

    def move_queue(self, step: int) -> None:
        row = self.queue_model.row_of(self.doc_id) + step
        if 0 <= row < self.queue_model.rowCount():
            self.open_document(self.queue_model.rows[row].doc_id)

    def select_open(self, step: int) -> None:
        units = self.unit_model.units
        if not units:
            return
        cur = self.selected_unit()
        start = units.index(cur) if cur in units else (-1 if step > 0 else len(units))
        i = start + step
        while 0 <= i < len(units):
            if units[i].open:
                self.select_unit(units[i])
                return
            i += step
        self.message.emit("No more open disagreements in this document.")

    # -- decisions ----------------------------------------------------------------------
    def run(self, command: Command) -> bool:
        """Apply a review command through the undo stack (saved at once)."""
        if self.doc_id is None:
            return False
        return self.controller.push(command) is not None

    def _shown(self, u: Unit | None) -> list[Annotation]:
        """What the reviewer saw of a unit: decisions refuse if it changed meanwhile."""
        return [*u.annotations, *u.gold] if u is not None else []

    def accept(self, ann_id: str) -> bool:
        u = self.unit_containing(ann_id)
        replace = [g.id for g in u.gold] if u is not None else None
        cmd = AcceptAnnotation(self.doc_id or "", self.reviewer, ann_id, replace=replace)
        return self.run(cmd.expecting(*self._shown(u)))

    def accept_nth(self, i: int) -> bool:
        u = self.selected_unit()
        if u is None or i >= len(self.annotators):
            return False
        versions = u.members.get(self.annotators[i], [])
        if len(versions) != 1:
            self.message.emit(f"{self.annotators[i]} has {'no' if not versions else 'several'} version(s) here; "
                              "use the buttons to choose")
            return False
        return self.accept(versions[0].id)

    def accept_argument(self, event_id: str, role: str, target: str) -> bool:
        u = self.unit_containing(event_id)
        cmd = AcceptArgument(self.doc_id or "", self.reviewer, event_id, role, target)
        return self.run(cmd.expecting(*self._shown(u)))

    def accept_attribute(self, ann_id: str, name: str) -> bool:
        u = self.unit_containing(ann_id)
        cmd = AcceptAttribute(self.doc_id or "", self.reviewer, ann_id, name)
        return self.run(cmd.expecting(*self._shown(u)))

    def reject(self, u: Unit | None, remove_gold: bool = False) -> bool:
        if u is None:
            return False
        gold_ids = [g.id for g in u.gold]
        if remove_gold and not gold_ids:
            return False
        cmd = Reject(self.doc_id or "", self.reviewer, u.ids, gold_ids)
        return self.run(cmd.expecting(*self._shown(u)))

    def accept_all_agreed(self) -> bool:
        if self.doc_id is None:
            return False
        cmd = AcceptAllAgreed(self.doc_id, self.reviewer, self.fixed_annotators)
        ok = self.run(cmd)
        if ok:
            self.message.emit(f"Accepted {cmd.accepted} agreed annotation{'' if cmd.accepted == 1 else 's'} into gold.")
        return ok

    def mark_reviewed(self) -> bool:
        if self.doc_id is None:
            return False
        return self.run(SetReviewStatus(self.doc_id, self.reviewer, DocStatus.REVIEWED))

    def set_gold_label(self, gold_id: str, label: str) -> bool:
        g = self.anns.get(gold_id)
        if g is None or g.label == label:
            return False
        cmd = EditGold(UpdateAnnotation(self.doc_id or "", self.reviewer, gold_id, label=label,
                                        text=f"change gold label to {label}"))
        return self.run(cmd.expecting(g))

    def adjust_gold_boundary(self, which: str, delta: int) -> bool:
        """Move the start or end of the gold span selected in the gold pane (the
        selected unit's gold annotation) by one character, or one word when the
        gold pane snaps to words."""
        view = self.gold_pane.view
        gold_id = view.selected_annotation()
        g = self.anns.get(gold_id) if gold_id else None
        if g is None or g.annotator != GOLD or g.start is None or self.doc_id is None:
            self.message.emit("Select a unit with a gold span first; Alt+arrows move its start, Alt+Shift+arrows its end.")
            return False
        new = view.adjust_selected_boundary(which, delta)
        if new is None:
            self.message.emit(f"The gold {which} cannot move further that way.")
            return False
        start, end = new
        cmd = EditGold(UpdateAnnotation(self.doc_id, self.reviewer, g.id, text="adjust gold boundaries",
                                        start=start, end=end))
        return self.run(cmd.expecting(g))

    def remove_gold(self, gold_ids: list[str]) -> bool:
        return self.run(EditGold(DeleteAnnotations(self.doc_id or "", self.reviewer, gold_ids)))

    def add_gold_span(self, kind: str | None = None, label: str | None = None) -> bool:
        """Add the gold pane's text selection to the gold layer."""
        if self.doc_id is None:
            return False
        start, end = self.gold_pane.view.selection_span()
        if end <= start:
            self.message.emit("Select text in the gold pane first.")
            return False
        if kind is None or label is None:
            kind, label = self.add_label.currentData()
        ann = Annotation(id=new_id(), doc_id=self.doc_id, kind=kind, label=label if kind != "claim" else CLAIM_LABEL,
                         start=start, end=end, annotator=GOLD)
        return self.run(EditGold(AddAnnotations(self.doc_id, self.reviewer, [ann], text=f"add gold {ann.label}")))

    # -- reactions ----------------------------------------------------------------------
    def _show_for_undo(self, doc_id: str) -> None:
        if doc_id != self.doc_id:
            self.open_document(doc_id)

    def _after_change(self, changes: Any) -> None:
        doc_id = getattr(changes, "doc_id", None) or self.doc_id
        keep = self.selected_unit()
        if doc_id == self.doc_id and self.doc_id is not None:
            self._load(first=False)
            if keep is not None:
                self._show_units(keep=keep)
        if doc_id:
            self.documentChanged.emit(doc_id)
        self._update_queue_row()

    def _update_queue_row(self) -> None:
        """Bring the open document's queue row up to date (the list is not re-sorted
        under the reviewer's hands; reopening the review re-sorts it)."""
        row = self.queue_model.row_of(self.doc_id)
        if row < 0 or self.doc_id is None:
            return
        real = [u for u in self.units if u.status != "gold-only"]
        dis = [u for u in real if u.status != "agreed"]
        old = self.queue_model.rows[row]
        self.queue_model.rows[row] = QueueRow(
            doc_id=old.doc_id, title=old.title, status=self.project.document_status(self.doc_id).value,
            annotators=old.annotators, units=len(real), disagreements=len(dis),
            open=sum(1 for u in dis if u.decision is None), agreed=len(real) - len(dis),
            agreed_open=sum(1 for u in real if u.agreed and not u.gold),
        )
        self.queue_model.dataChanged.emit(self.queue_model.index(row, 0), self.queue_model.index(row, 4))

    def _error(self, text: str) -> None:
        self.last_error = text
        log.info("review: %s", text)
        self.message.emit(text)
        if self.isVisible():
            dialogs.show_warning(self, "Review", text)


class ReviewWindow(QMainWindow):
    """The review mode as a window of its own, next to the annotation window."""

    def __init__(self, project: Project, reviewer: str, undo_stack: QUndoStack | None = None,
                 parent: QWidget | None = None, current_project: Callable[[], Project | None] | None = None):
        super().__init__(parent)
        #: The project the main window shows now: when it is another one, this window closes.
        self.current_project = current_project
        self.setWindowTitle(f"Review — {project.path.name} — reviewer {reviewer}")
        self.review = ReviewView(project, reviewer, undo_stack, self)
        self.setCentralWidget(self.review)
        self.review.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        bar = self.addToolBar("Review")
        bar.setObjectName("reviewToolbar")
        if undo_stack is not None:
            undo = undo_stack.createUndoAction(self, "Undo")
            undo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
            redo = undo_stack.createRedoAction(self, "Redo")
            redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
            bar.addActions([undo, redo])
            self.addActions([undo, redo])
        bar.addAction(make_action(self, "Agreement…", self.show_agreement))
        self.resize(1400, 900)

    def stale(self) -> bool:
        """Whether the main window has moved on to another project (this one is closed)."""
        return self.current_project is not None and self.current_project() is not self.review.project

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowActivate and self.stale():
            QTimer.singleShot(0, self.close)
        return super().event(event)

    def show_agreement(self) -> None:
        from annotator.ui.agreement_dialog import AgreementDialog

        self.agreement_dialog = AgreementDialog(self.review.project, self)
        self.agreement_dialog.documentRequested.connect(self.review.open_document)
        self.agreement_dialog.show()


# ---------------------------------------------------------------------------
# Main window integration
# ---------------------------------------------------------------------------
def install_review_actions(window: Any) -> None:
    """Add the review entries to a main window: Review > Review mode, Agreement,
    and File > Import colleague's work."""
    review_menu = window.menus["Review"]

    def reviewer() -> str | None:
        name = window.annotator
        if not name:
            dialogs.show_warning(window, "Review", "Set your name first (File > Change annotator name).")
            return None
        return name

    def open_review() -> None:
        if window.project is None:
            return
        name = reviewer()
        if name is None:
            return
        old = getattr(window, "review_window", None)
        if old is not None and not old.stale() and old.review.reviewer == name:
            old.show()
            old.raise_()
            old.activateWindow()
        else:
            if old is not None:
                old.close()
            win = ReviewWindow(window.project, name, window.undo_stack, window, lambda: window.project)
            win.review.documentChanged.connect(_refresh_main(window))
            window.review_window = win
            win.show()
        target = window.current_doc_id
        win = window.review_window
        if target and win.review.queue_model.row_of(target) >= 0:
            win.review.open_document(target)
        elif win.review.queue_model.rows:
            win.review.open_document(win.review.queue_model.rows[0].doc_id)

    def open_agreement() -> None:
        if window.project is None:
            return
        from annotator.ui.agreement_dialog import AgreementDialog

        dialog = AgreementDialog(window.project, window)

        def jump(doc_id: str) -> None:
            open_review()
            if getattr(window, "review_window", None) is not None:
                window.review_window.review.open_document(doc_id)

        dialog.documentRequested.connect(jump)
        window.agreement_dialog = dialog
        dialog.show()

    def import_work() -> None:
        if window.project is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            window, "Import colleague's work", "",
            "Projects and native exports (*.annotator *.jsonl);;All files (*)")
        if paths:
            import_colleague_work(window, paths)

    review_menu.addAction(make_action(window, "&Review mode…", open_review, shortcut="Ctrl+Shift+V"))
    review_menu.addAction(make_action(window, "&Agreement…", open_agreement))
    file_menu = window.menus["File"]
    anchor = next((a for a in file_menu.actions() if a.isSeparator()), None)
    action = make_action(window, "Import &colleague's work…", import_work,
                         tooltip="Merge another annotator's project or native export into this project")
    file_menu.insertAction(anchor, action) if anchor is not None else file_menu.addAction(action)


def _refresh_main(window: Any) -> Callable[[str], None]:
    def refresh(doc_id: str) -> None:
        try:
            window.doc_list.refresh_document(doc_id)
            if doc_id == window.current_doc_id:
                window._document_changed(doc_id)
        except (AttributeError, RuntimeError):
            pass
    return refresh


def import_colleague_work(window: Any, paths: list[str]) -> list[Any]:
    """Merge projects / native exports into the window's project and report it."""
    from annotator.services.merging import MergeError, check_labels, merge_source, read_source

    project = window.project
    try:
        sources = [read_source(p) for p in paths]
        for s in sources:
            check_labels(project.schema, s, project.path.name)
        reports = [merge_source(project, s, actor=window.annotator or "merge") for s in sources]
    except (MergeError, ProjectError) as err:
        dialogs.show_error(window, "Import colleague's work", str(err))
        return []
    summary = "; ".join(r.summary() for r in reports)
    details = "\n".join([r.summary() for r in reports] + [f"warning: {r.source}: {p}" for r in reports for p in r.problems])
    try:
        window.doc_list.apply_filter()
        if window.current_doc_id:
            window.open_document(window.current_doc_id)
    except AttributeError:
        pass
    review = getattr(window, "review_window", None)
    if review is not None:
        review.review.refresh_queue()
        if review.review.doc_id:
            review.review.open_document(review.review.doc_id)
    window.last_merge_dialog = dialogs.ReportDialog("Import colleague's work", summary, details, window)
    window.last_merge_dialog.open()
    return reports
