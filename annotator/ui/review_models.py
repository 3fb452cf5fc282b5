"""What the review window shows, as data: unit statuses and their colours, the
overlay colours of annotators, one-line descriptions of annotations, and the
table models of the review queue and of a document's units."""

from __future__ import annotations

from functools import cache
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from annotator.core.models import Annotation
from annotator.core.review import QueueRow, Unit
from annotator.ui.actions import plain_tooltip
from annotator.ui.doc_list import STATUS_TEXT, document_title, status_icon
from annotator.ui.tables import RowsModel

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
    "single": ("#78909c", "one annotator only"),
}
#: Short status names for the unit table (the long ones are in its tooltips).
UNIT_STATUS_SHORT = {
    "agreed": "agreed",
    "label": "label",
    "boundary": "boundary",
    "label+boundary": "label+boundary",
    "content": "content",
    "partial": "partial",
    "mixed": "mixed",
    "gold-only": "gold only",
    "single": "single",
}
DECISION_TEXT = {"accepted": "✓", "edited": "✎", "rejected": "✗"}
SNIPPET = 60


#: Overlay colours, one per annotator in order (name for the pane's plain-text legend).
OVERLAY_COLORS = (
    ("#1e88e5", "blue"),
    ("#e53935", "red"),
    ("#43a047", "green"),
    ("#8e24aa", "purple"),
    ("#fb8c00", "orange"),
    ("#00897b", "teal"),
    ("#6d4c41", "brown"),
    ("#d81b60", "pink"),
    ("#546e7a", "grey"),
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


def snippet(text: str, limit: int = SNIPPET) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(ann: Annotation, text: str, anns: dict[str, Annotation] | None = None) -> str:
    """One line for an annotation: label and quoted text (relations: head → tail)."""
    if ann.kind == "relation":
        head = anns.get(ann.head or "") if anns else None
        tail = anns.get(ann.tail or "") if anns else None
        h = f"“{snippet(head.text_in(text), 25)}”" if head else "?"
        t = f"“{snippet(tail.text_in(text), 25)}”" if tail else "?"
        return f"{ann.label}: {h} → {t}"
    return f"{ann.label} “{snippet(ann.text_in(text))}”"


class QueueModel(RowsModel):
    """Documents to review, most open disagreement first."""

    HEADERS = ("Document", "Open", "Differ", "To gold", "Status")
    TIPS = (
        "",
        "Disagreements not decided yet",
        "Units where the annotators differ",
        "Units waiting for the gold layer: agreed by all annotators, or, where only one annotator worked, "
        "that annotator's annotations not decided yet",
        "",
    )
    rows: list[QueueRow]

    def row_of(self, doc_id: str | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.doc_id == doc_id), -1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                document_title({"id": r.doc_id, "title": r.title}),
                r.open,
                r.disagreements,
                r.agreed_open + r.single_open,
                STATUS_TEXT.get(r.status, r.status),
            )[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 4:
            return status_icon(r.status)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            if r.single or len(r.annotators) < 2:  # one annotator: nothing is agreed
                counts = (
                    f"only {', '.join(r.annotators) or 'one annotator'} annotated it; agreement needs at least two\n"
                    f"{r.units} units, {r.single_open + r.open} not decided yet"
                )
            else:
                counts = f"annotators: {', '.join(r.annotators)}\n{r.units} units: {r.agreed} agreed, {r.disagreements} differ, {r.open} open"
            return plain_tooltip(f"{r.title}\n{counts}")
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
        versions = u.annotations or u.gold
        if versions and all(a.fragments is not None and a.fragments == versions[0].fragments for a in versions):
            return snippet(versions[0].text_in(self.text))  # one discontinuous span: its pieces, joined
        return snippet(self.text[u.start : u.end])  # type: ignore[misc]

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
