"""The document list: a table model over document ids with lazy, cached rows.

Only the ids (in import order, after the filters) are loaded up front, so a
project of 100,000 documents opens at once; titles, statuses and annotation
counts are fetched a page at a time (:meth:`Project.document_summaries`) when
the view asks for them, and kept in a small LRU cache.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from functools import cache
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.commands import Changes
from annotator.core.kinds import CLAIM_LABEL, DocStatus
from annotator.core.store import Project, ProjectError
from annotator.ui.actions import plain_tooltip
from annotator.ui.basic import list_table, plain_label, select_row

if TYPE_CHECKING:
    from annotator.core.schema import LabelSchema

log = logging.getLogger(__name__)

#: Statuses the annotator still has work in.
UNFINISHED = (DocStatus.NEW.value, DocStatus.IN_PROGRESS.value)
#: Statuses counted as done in the progress figure.
FINISHED = (DocStatus.DONE.value, DocStatus.IN_REVIEW.value, DocStatus.REVIEWED.value)

STATUS_TEXT = {
    DocStatus.NEW.value: "new",
    DocStatus.IN_PROGRESS.value: "in progress",
    DocStatus.DONE.value: "done",
    DocStatus.IN_REVIEW.value: "in review",
    DocStatus.REVIEWED.value: "reviewed",
}
STATUS_COLOR = {
    DocStatus.NEW.value: "#bdbdbd",
    DocStatus.IN_PROGRESS.value: "#ffa000",
    DocStatus.DONE.value: "#43a047",
    DocStatus.IN_REVIEW.value: "#1e88e5",
    DocStatus.REVIEWED.value: "#8e24aa",
}

#: Status filter choices: (shown text, value for Project.document_ids).
STATUS_FILTERS: list[tuple[str, Any]] = [
    ("All statuses", None),
    ("Unfinished", list(UNFINISHED)),
    *[(text.capitalize(), value) for value, text in STATUS_TEXT.items()],
]


@cache
def status_icon(status: str) -> QIcon:
    """A small coloured dot for a document status."""
    pix = QPixmap(12, 12)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(STATUS_COLOR.get(status, "#9e9e9e"))
    painter.setPen(color.darker(130))
    painter.setBrush(color if status != DocStatus.NEW.value else Qt.GlobalColor.transparent)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pix)


def document_title(summary: dict[str, Any]) -> str:
    """The title shown for a document (titles may be empty)."""
    title = " ".join(str(summary.get("title") or "").split())
    return title or str(summary.get("external_id") or "") or f"Document {summary.get('id', '')}"


class DocumentListModel(QAbstractTableModel):
    """Rows = document ids (filtered); columns title, status, annotation count."""

    TITLE, STATUS, COUNT = range(3)
    HEADERS = ("Title", "Status", "#")
    HEADER_TIPS = ("Document title", "Document status", "Your annotations in the document")
    DocIdRole = Qt.ItemDataRole.UserRole + 1
    StatusRole = Qt.ItemDataRole.UserRole + 2

    #: The Status column's header is empty (its cells show dots only: a narrow list).
    dots_only = False

    def __init__(self, parent: Any = None, *, page_size: int = 100, cache_size: int = 2000):
        super().__init__(parent)
        self.project: Project | None = None
        self.annotator: str | None = None
        self.page_size = page_size
        self.cache_size = max(cache_size, page_size)
        self._ids: list[str] = []
        self._rows: dict[str, int] | None = None
        self._cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._filter: dict[str, Any] = {"status": None, "label": None, "search": None}
        #: How many summary rows were fetched from the store (tests check laziness).
        self.fetched = 0

    # -- loading -----------------------------------------------------------------
    def set_project(self, project: Project | None, annotator: str | None) -> None:
        self.project, self.annotator = project, annotator
        self._filter = {"status": None, "label": None, "search": None}
        self.reload()

    def set_annotator(self, annotator: str) -> None:
        self.annotator = annotator
        self.reload()

    def set_filter(self, *, status: Any = None, label: str | None = None, search: str | None = None) -> None:
        self._filter = {"status": status or None, "label": label or None, "search": (search or "").strip() or None}
        self.reload()

    @property
    def filtered(self) -> bool:
        return any(self._filter.values())

    def reload(self) -> None:
        """Reload the ids (one query) and forget cached rows."""
        self.beginResetModel()
        if self.project is None:
            self._ids = []
        else:
            f = self._filter
            self._ids = self.project.document_ids(
                status=f["status"], search=f["search"], label=f["label"], annotator=self.annotator
            )
        self._rows = None
        self._cache.clear()
        self.endResetModel()

    def refresh_document(self, doc_id: str) -> None:
        """Re-read one document's row (after its status or annotations changed)."""
        self._cache.pop(doc_id, None)
        row = self.row_of(doc_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def summary(self, row: int) -> dict[str, Any]:
        doc_id = self._ids[row]
        hit = self._cache.get(doc_id)
        if hit is not None:
            self._cache.move_to_end(doc_id)
            return hit
        self._fetch_page(row)
        return self._cache.get(doc_id) or {"id": doc_id, "title": "", "status": "", "annotations": 0}

    def _fetch_page(self, row: int) -> None:
        if self.project is None:
            return
        first = row - row % self.page_size
        ids = [i for i in self._ids[first : first + self.page_size] if i not in self._cache]
        try:
            rows = self.project.document_summaries(ids, annotator=self.annotator)
        except ProjectError as err:  # e.g. busy: show ids now, retry on the next paint
            log.warning("cannot read document rows: %s", err)
            return
        self.fetched += len(rows)
        for doc_id in ids:
            if doc_id in rows:
                self._cache[doc_id] = rows[doc_id]
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    # -- look-ups -----------------------------------------------------------------
    def doc_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, doc_id: str | None) -> int:
        if doc_id is None:
            return -1
        if self._rows is None:
            self._rows = {d: r for r, d in enumerate(self._ids)}
        return self._rows.get(doc_id, -1)

    def ids(self) -> list[str]:
        return list(self._ids)

    def next_unfinished_row(self, after: int) -> int:
        """The first row after ``after`` (wrapping) whose document is unfinished; -1 if none."""
        if self.project is None or not self._ids:
            return -1
        unfinished = set(self.project.document_ids(status=list(UNFINISHED)))
        n = len(self._ids)
        for step in range(1, n + 1):
            row = (after + step) % n
            if row == after:
                break
            if self._ids[row] in unfinished:
                return row
        return -1

    # -- Qt model --------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if section == self.STATUS and self.dots_only else self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADERS[section]
        return None

    def set_dots_only(self, on: bool) -> None:
        """The Status column's header empty (``on``: its cells show dots only) or named."""
        if on != self.dots_only:
            self.dots_only = on
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, self.STATUS, self.STATUS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        col = index.column()
        if role == self.DocIdRole:
            return self._ids[index.row()]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.TextAlignmentRole,
            self.StatusRole,
        ):
            return None
        s = self.summary(index.row())
        status = str(s.get("status") or "")
        if role == self.StatusRole:
            return status
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.TITLE:
                return document_title(s)
            if col == self.STATUS:
                return STATUS_TEXT.get(status, status)
            return str(s.get("annotations", 0))
        if role == Qt.ItemDataRole.DecorationRole and col == self.STATUS:
            return status_icon(status)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [document_title(s)]
            if s.get("external_id"):
                lines.append(f"id: {s['external_id']}")
            lines.append(
                f"{STATUS_TEXT.get(status, status)}, {s.get('annotations', 0)} annotations by you, "
                f"{s.get('length', 0):,} characters"
            )
            return plain_tooltip("\n".join(lines))
        return None


#: Below this width (pixels) the list shows statuses as their dots only.
COMPACT_WIDTH = 300
#: Widths of the Status column with its word, and with its dot only.
STATUS_WIDTH, STATUS_DOT_WIDTH = 104, 30


class _DotOnly(QStyledItemDelegate):
    """Draws a status cell as its coloured dot, without the word (in the tooltip)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.text = ""  # type: ignore[attr-defined]
        option.decorationPosition = QStyleOptionViewItem.Position.Top  # type: ignore[attr-defined]
        option.displayAlignment = Qt.AlignmentFlag.AlignCenter  # type: ignore[attr-defined]


class DocumentList(QWidget):
    """Search box, status and label filters, and the table of documents.

    In a narrow side column (below :data:`COMPACT_WIDTH`) the Status column
    shows each status as its dot only, so that the titles keep the room.
    """

    #: The current document changed (keyboard or mouse): open it.
    currentDocumentChanged = Signal(str)
    #: Enter or double-click on a document: open it and go to the text.
    documentActivated = Signal(str)

    def sizeHint(self) -> QSize:  # noqa: N802 - the dock's first size
        return QSize(300, 500)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = DocumentListModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles and text")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip(plain_tooltip("Filter the list by titles and texts (case-insensitive). Ctrl+Alt+F"))
        layout.addWidget(self.search)

        filters = QHBoxLayout()
        self.status_filter = QComboBox()
        for text, value in STATUS_FILTERS:
            self.status_filter.addItem(text, value)
        self.status_filter.setToolTip(plain_tooltip("Show documents with this status"))
        self.label_filter = QComboBox()
        self.label_filter.setToolTip(plain_tooltip("Show documents in which you used this label"))
        self.label_filter.addItem("Any label", None)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.label_filter, 1)
        layout.addLayout(filters)

        self.table = list_table(self.model)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(DocumentListModel.TITLE, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(DocumentListModel.STATUS, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(DocumentListModel.COUNT, QHeaderView.ResizeMode.Interactive)
        hh.resizeSection(DocumentListModel.STATUS, STATUS_WIDTH)
        hh.resizeSection(DocumentListModel.COUNT, 40)
        layout.addWidget(self.table, 1)
        self._dot_only = _DotOnly(self.table)
        self.compact = False
        self.table.installEventFilter(self)

        self.count_label = plain_label()
        self.count_label.setStyleSheet("color: palette(mid);")
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filter)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.label_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(self._activated)
        self._current: str | None = None
        self._quiet = False
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search, context=Qt.ShortcutContext.WidgetShortcut)
        esc.activated.connect(self.search.clear)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.table and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Narrow (a small window's side column): statuses as dots, the room to the titles."""
        compact = self.table.width() < COMPACT_WIDTH
        if compact == self.compact:
            return
        self.compact = compact
        column = DocumentListModel.STATUS
        self.table.setItemDelegateForColumn(column, self._dot_only if compact else None)  # type: ignore[arg-type]
        self.model.set_dots_only(compact)
        self.table.horizontalHeader().resizeSection(column, STATUS_DOT_WIDTH if compact else STATUS_WIDTH)

    # -- project ---------------------------------------------------------------------
    def set_project(self, project: Project | None, annotator: str | None, *, labels: bool = True) -> None:
        """Show ``project``'s documents; ``labels=False``: the label filter offers
        no labels until :meth:`set_labels` (its schema is read later)."""
        self.cancel_pending()
        self._quiet = True
        try:
            for w in (self.search, self.status_filter, self.label_filter):
                w.blockSignals(True)
            self.search.clear()
            self.status_filter.setCurrentIndex(0)
            self.set_labels(project.schema if project is not None and labels else None)
            for w in (self.search, self.status_filter, self.label_filter):
                w.blockSignals(False)
            self.model.set_project(project, annotator)
            self._current = None
        finally:
            self._quiet = False
        self._update_count()

    def set_labels(self, schema: LabelSchema | None) -> None:
        """The label filter's choices: any label, the schema's labels (none without one)."""
        blocked = self.label_filter.blockSignals(True)
        try:
            self.label_filter.clear()
            self.label_filter.addItem("Any label", None)
            if schema is not None:
                for kind in ("entity", "event"):
                    for name in schema.labels(kind):
                        self.label_filter.addItem(f"{name} ({kind})", name)
                self.label_filter.addItem("Claims", CLAIM_LABEL)
                for name in schema.labels("relation"):
                    self.label_filter.addItem(f"{name} (relation)", name)
        finally:
            self.label_filter.blockSignals(blocked)

    def set_annotator(self, annotator: str) -> None:
        current = self._current
        self._quiet = True
        try:
            self.model.set_annotator(annotator)
            self._restore(current)
        finally:
            self._quiet = False

    # -- filters ---------------------------------------------------------------------
    def cancel_pending(self) -> None:
        """Forget a search typed but not applied yet (the window is closing)."""
        self._search_timer.stop()

    def apply_filter(self) -> None:
        """Apply the search box and filters now (the search box waits for a pause in typing)."""
        self._search_timer.stop()
        current = self._current
        self._quiet = True
        try:
            self.model.set_filter(
                status=self.status_filter.currentData(),
                label=self.label_filter.currentData(),
                search=self.search.text(),
            )
            self._restore(current)
        finally:
            self._quiet = False
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        total = self.model.project.document_count() if self.model.project else 0
        word = "document" if total == 1 else "documents"
        self.count_label.setText(f"{n:,} of {total:,} {word}" if self.model.filtered else f"{total:,} {word}")

    # -- current document ------------------------------------------------------------
    def current_document(self) -> str | None:
        return self._current

    def select_document(self, doc_id: str | None) -> bool:
        """Make ``doc_id`` current in the list without emitting (False: it is filtered out)."""
        self._current = doc_id
        self._quiet = True
        try:
            return self._restore(doc_id)
        finally:
            self._quiet = False

    def _restore(self, doc_id: str | None) -> bool:
        row = self.model.row_of(doc_id)
        select_row(self.table, row)
        return row >= 0

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet or not current.isValid():
            return
        doc_id = self.model.doc_id(current.row())
        if doc_id and doc_id != self._current:
            self._current = doc_id
            self.currentDocumentChanged.emit(doc_id)

    def _activated(self, index: QModelIndex) -> None:
        doc_id = self.model.doc_id(index.row())
        if doc_id:
            if doc_id != self._current:
                self._current = doc_id
                self.currentDocumentChanged.emit(doc_id)
            self.documentActivated.emit(doc_id)

    def move(self, delta: int) -> str | None:
        """Go to the previous/next document in the list; returns its id."""
        row = self.model.row_of(self._current)
        target = min(max(row + delta, 0), self.model.rowCount() - 1) if row >= 0 else 0
        return self._go(target)

    def next_unfinished(self) -> str | None:
        """Go to the next document (after the current one, wrapping) not yet done."""
        row = self.model.next_unfinished_row(self.model.row_of(self._current))
        return self._go(row)

    def _go(self, row: int) -> str | None:
        doc_id = self.model.doc_id(row)
        if doc_id is None:
            return None
        select_row(self.table, row)
        return doc_id

    def refresh_document(self, doc_id: str) -> None:
        self.model.refresh_document(doc_id)

    def apply_changes(self, changes: Changes) -> None:
        """Follow the change bus: re-read the changed document's row; after documents
        changed wholesale (an import, a merge) apply the filters anew."""
        if changes.wholesale:
            self.apply_filter()
        elif changes.doc_id is not None:
            self.refresh_document(changes.doc_id)
