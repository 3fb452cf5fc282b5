"""The annotation panel: every annotation of the current document (the current
annotator's), in text order, as a table; selection is synced with the text."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from annotator.core.constraints import one_line
from annotator.ui.actions import plain_tooltip
from annotator.ui.basic import list_table, plain_label, select_row
from annotator.ui.palette import swatch_icon

if TYPE_CHECKING:
    from annotator.core.models import Annotation
    from annotator.core.schema import LabelSchema

_KIND_ORDER = {"entity": 2, "event": 1, "claim": 0, "relation": 3}


def sort_key(ann: Annotation, by_id: dict[str, Annotation]) -> tuple:
    """Text order: spans by start (longer first), relations after their head."""
    if ann.start is not None and ann.end is not None:
        return (ann.start, -ann.end, _KIND_ORDER.get(ann.kind, 9), ann.created, ann.id)
    head = by_id.get(ann.head or "")
    start = head.start if head is not None and head.start is not None else 1 << 62
    return (start, 1, _KIND_ORDER.get(ann.kind, 9), ann.created, ann.id)


def describe(ann: Annotation, text: str, by_id: dict[str, Annotation]) -> str:
    """What the annotation covers or links, in words (for the Text column)."""
    if ann.kind == "relation":
        head, tail = by_id.get(ann.head or ""), by_id.get(ann.tail or "")
        h = head.text_in(text) if head else "?"
        t = tail.text_in(text) if tail else "?"
        return f"{one_line(h, 50)} → {one_line(t, 50)}"
    return one_line(ann.text_in(text))


def unset_attributes(ann: Annotation, schema: LabelSchema | None) -> list[str]:
    """The schema's claim attributes ``ann`` (a claim) has not set yet."""
    if ann.kind != "claim" or schema is None:
        return []
    return [a.name for a in schema.claim.attributes if ann.attributes.get(a.name) is None]


def details(ann: Annotation, text: str, by_id: dict[str, Annotation], schema: LabelSchema | None = None) -> str:
    """A longer plain description for tooltips (a claim's unset attributes too)."""
    lines = [f"{ann.kind} {ann.label}"]
    if ann.span is not None:
        lines.append(f"[{ann.start}, {ann.end}) “{ann.text_in(text)}”")
    if ann.kind == "event":
        for arg in ann.arguments:
            target = by_id.get(arg.target)
            lines.append(f"  {arg.role}: {target.text_in(text) if target else '(missing)'}")
    if ann.kind == "claim":
        claimant = by_id.get(ann.claimant_ref or "")
        if claimant is not None:
            lines.append(f"claimant: {claimant.text_in(text)}")
        elif ann.claimant_text:
            lines.append(f"claimant: {ann.claimant_text}")
        for key, value in sorted(ann.attributes.items()):
            lines.append(f"{key}: {value}")
        lines += [f"{name}: (not set)" for name in unset_attributes(ann, schema)]
    if ann.kind == "relation":
        lines.append(describe(ann, text, by_id))
    lines.append(f"by {ann.annotator} ({ann.source})")
    return "\n".join(lines)


class AnnotationTableModel(QAbstractTableModel):
    KIND, LABEL, TEXT, ANNOTATOR = range(4)
    HEADERS = ("Kind", "Label", "Text", "Annotator")
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.text = ""
        self.schema: LabelSchema | None = None
        self._rows: list[Annotation] = []
        self._keys: list[tuple] = []
        self._by_id: dict[str, Annotation] = {}

    # -- content --------------------------------------------------------------------
    def set_document(self, text: str, annotations: Iterable[Annotation], schema: LabelSchema | None) -> None:
        self.beginResetModel()
        self.text, self.schema = text, schema
        self._by_id = {a.id: a for a in annotations}
        self._rows = sorted(self._by_id.values(), key=lambda a: sort_key(a, self._by_id))
        self._keys = [sort_key(a, self._by_id) for a in self._rows]
        self.endResetModel()

    def clear(self) -> None:
        self.set_document("", [], self.schema)

    def apply_changes(self, added: Iterable[Annotation], removed_ids: Iterable[str], updated: Iterable[Annotation]) -> None:
        """Insert, remove and update single rows (no reset: selection and scroll stay)."""
        updated = list(updated)
        for ann_id in set(removed_ids) | {a.id for a in updated}:
            row = self.row_of(ann_id)
            if row >= 0:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row], self._keys[row]
                self.endRemoveRows()
            self._by_id.pop(ann_id, None)
        for ann in [*updated, *added]:
            self._by_id[ann.id] = ann
        for ann in [*updated, *added]:
            key = sort_key(ann, self._by_id)
            row = bisect_left(self._keys, key)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, ann)
            self._keys.insert(row, key)
            self.endInsertRows()
        if self._rows:  # texts of relations/events naming a changed span
            self.dataChanged.emit(self.index(0, self.TEXT), self.index(len(self._rows) - 1, self.TEXT))

    # -- look-ups -----------------------------------------------------------------------
    def annotation(self, row: int) -> Annotation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, ann_id: str | None) -> int:
        if ann_id is None:
            return -1
        return next((r for r, a in enumerate(self._rows) if a.id == ann_id), -1)

    def annotations(self) -> list[Annotation]:
        return list(self._rows)

    # -- Qt model ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        ann = self.annotation(index.row()) if index.isValid() else None
        if ann is None:
            return None
        col = index.column()
        if role == self.IdRole:
            return ann.id
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.KIND:
                return ann.kind
            if col == self.LABEL:
                if ann.kind != "claim":
                    return ann.label
                unset = len(unset_attributes(ann, self.schema))
                return f"Claim ({unset} not set)" if unset else "Claim"
            if col == self.TEXT:
                return describe(ann, self.text, self._by_id)
            return ann.annotator
        if role == Qt.ItemDataRole.DecorationRole and col == self.LABEL and self.schema is not None:
            return swatch_icon(self.schema.color(ann.kind, ann.label))
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(details(ann, self.text, self._by_id, self.schema))
        return None


class AnnotationPanel(QWidget):
    """The table of annotations; selection goes both ways with the article view."""

    #: The user selected an annotation in the table (None: cleared).
    annotationSelected = Signal(object)
    #: Enter or double-click on an annotation.
    annotationActivated = Signal(str)

    def sizeHint(self) -> QSize:  # noqa: N802 - the dock's first size
        return QSize(400, 300)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = AnnotationTableModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.table = list_table(self.model)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(AnnotationTableModel.TEXT, QHeaderView.ResizeMode.Stretch)
        hh.setMinimumSectionSize(28)
        self._fit_columns()
        self.table.viewport().installEventFilter(self)
        layout.addWidget(self.table, 1)
        self.count_label = plain_label()
        self.count_label.setStyleSheet("color: palette(mid);")
        layout.addWidget(self.count_label)
        self._quiet = False
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(self._activated)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._update_count)
        self._update_count()

    #: The columns' widths when there is room (the text column takes the rest): kind, label, annotator.
    COLUMN_WIDTHS = (64, 120, 80)
    #: What the text column keeps at least before the others give way.
    TEXT_MIN = 70

    def _fit_columns(self) -> None:
        """Give the columns their widths, or, in a narrow pane, shrink them in
        proportion so that the text column keeps :data:`TEXT_MIN` and no
        horizontal scroll bar is needed."""
        room = self.table.viewport().width() - self.TEXT_MIN
        wanted = sum(self.COLUMN_WIDTHS)
        scale = 1.0 if room >= wanted else max(room, 0) / wanted
        hh = self.table.horizontalHeader()
        columns = (AnnotationTableModel.KIND, AnnotationTableModel.LABEL, AnnotationTableModel.ANNOTATOR)
        for column, width in zip(columns, self.COLUMN_WIDTHS):
            hh.resizeSection(column, max(hh.minimumSectionSize(), int(width * scale)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return False

    def set_document(self, text: str, annotations: Iterable[Annotation], schema: LabelSchema | None) -> None:
        self._quiet = True
        try:
            self.model.set_document(text, annotations, schema)
        finally:
            self._quiet = False

    def apply_changes(self, added: Iterable[Annotation], removed_ids: Iterable[str], updated: Iterable[Annotation]) -> None:
        selected = self.selected_id()
        self._quiet = True
        try:
            self.model.apply_changes(added, removed_ids, updated)
            self._select_row(self.model.row_of(selected))
        finally:
            self._quiet = False

    def selected_id(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return None
        return self.model.data(index, AnnotationTableModel.IdRole)

    def select(self, ann_id: str | None) -> None:
        """Select ``ann_id``'s row (None: clear) without emitting annotationSelected."""
        self._quiet = True
        try:
            self._select_row(self.model.row_of(ann_id))
        finally:
            self._quiet = False

    def _select_row(self, row: int) -> None:
        select_row(self.table, row)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet:
            return
        ann = self.model.annotation(current.row()) if current.isValid() else None
        self.annotationSelected.emit(ann.id if ann else None)

    def _activated(self, index: QModelIndex) -> None:
        ann = self.model.annotation(index.row())
        if ann is not None:
            self.annotationActivated.emit(ann.id)

    def _update_count(self, *_args: object) -> None:
        n = self.model.rowCount()
        self.count_label.setText("No annotations yet" if n == 0 else f"{n} annotation{'s' if n != 1 else ''}")
