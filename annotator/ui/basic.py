"""The plain widgets every pane uses: literal labels, elided labels, read-only
list tables, row selection, and a viewport made by Python.

Light on purpose: the panes of the first paint import it, while
:mod:`annotator.ui.dialogs` (message boxes, the name prompt, reports) loads
only when a dialog is shown.  PySide makes the Python type of each Qt class on
its first use, with its enum classes; every class imported before the first
paint is paid for in the start (benchmark case 8).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QTextEdit,
    QWidget,
)

from annotator.core.kinds import GOLD
from annotator.ui.actions import plain_tooltip


def own_viewport(area: QAbstractScrollArea) -> QWidget:
    """Give ``area`` a viewport made by Python, set up as Qt sets up its own.

    Why: the first time Python is handed a widget that Qt made (``viewport()``
    of a fresh view), PySide cannot tell its exact class and makes the Python
    type of every QWidget subclass to find out: 70-odd enum classes, 20-30 ms,
    paid before the window's first paint.  A widget made by Python is known
    exactly.  ``tests/ui/test_basic.py`` checks that the viewport's attributes,
    roles, cursor, tracking and focus proxy are those of Qt's own.
    """
    viewport = QWidget()
    viewport.setObjectName("qt_scrollarea_viewport")
    viewport.setBackgroundRole(QPalette.ColorRole.Base)
    viewport.setAutoFillBackground(True)
    text_edit = isinstance(area, QTextEdit)
    if text_edit:
        # As QTextEdit sets up the viewport it makes (qtextedit.cpp, init).
        viewport.setCursor(Qt.CursorShape.IBeamCursor)
        viewport.setMouseTracking(True)
        viewport.setAcceptDrops(True)
    area.setViewport(viewport)  # the area owns it, and deletes Qt's own
    if text_edit:
        # Qt's first document lays out for the viewport it was made with: now gone.
        layout = area.document().documentLayout()
        layout.setPaintDevice(viewport)
    return viewport


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    """A QLabel that shows its text literally (no rich text, no links)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)
    label.setText(text)
    return label


class ElidedLabel(QLabel):
    """A one-line plain-text label that elides (…) what does not fit, instead of
    widening the window; the full text is in the tooltip.  By default the middle
    is elided: a title's start and its end both stay readable."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._full = ""
        self._mode = mode
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = " ".join(text.split())
        self.setToolTip(plain_tooltip(text) if text else "")
        self._elide()

    def full_text(self) -> str:
        return self._full

    def _elide(self) -> None:
        width = max(self.width() - 2, 10)
        super().setText(self.fontMetrics().elidedText(self._full, self._mode, width))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(40, super().minimumSizeHint().height())


def list_table(model: QAbstractItemModel, parent: QWidget | None = None) -> QTableView:
    """A read-only table selecting single rows, with fixed row heights (the view
    never measures rows, so it stays fast with many of them)."""
    table = QTableView(parent)
    own_viewport(table)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setTabKeyNavigation(False)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setHighlightSections(False)
    return table


def select_row(table: QTableView, row: int) -> None:
    """Make ``row`` current and selected (-1: clear), scrolled into view."""
    sel = table.selectionModel()
    if row < 0:
        sel.clearSelection()
        sel.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)
        return
    index = table.model().index(row, 0)
    sel.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    table.scrollTo(index)


def check_annotator_name(name: str) -> str | None:
    """Why ``name`` cannot be an annotator name (None: it can)."""
    name = name.strip()
    if not name:
        return "Please enter a name."
    if name == GOLD or name.startswith("@"):
        return "Names starting with '@' are reserved (the gold layer is called @gold)."
    if len(name) > 100:
        return "Please use at most 100 characters."
    if any(ord(c) < 32 for c in name):
        return "A name cannot contain control characters."
    return None
