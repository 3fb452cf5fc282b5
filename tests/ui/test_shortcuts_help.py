"""Shift+F1 (Help > Keyboard shortcuts) shows every description whole (issue 12, defect 10)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyle, QTableWidget


@pytest.fixture
def window(qtbot, window):
    window.activateWindow()
    qtbot.waitActive(window)
    window.article_view.setFocus()
    return window


def cut_cells(table: QTableWidget) -> list[str]:
    """Cells whose text does not fit their cell (the view would elide it with '…')."""
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    flags = int(Qt.TextFlag.TextWordWrap) if table.wordWrap() else 0
    cut = []
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            item = table.item(r, c)
            rect = table.visualRect(table.model().index(r, c))
            width = rect.width() - 2 * margin
            need = QFontMetrics(item.font()).boundingRect(QRect(0, 0, width, 1 << 20), flags, item.text())
            if need.width() > width or need.height() > rect.height():
                cut.append(f"row {r}, column {c} ({rect.width()}x{rect.height()}): {item.text()!r}")
    return cut


def test_f1_help_shows_every_description_whole(qtbot, window):
    start = window.workspace.text.index("Beijing")
    window.article_view.select_span(start, start + len("Beijing"))
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, "o")  # Edit > Undo now names this step
    qtbot.keyClick(window.article_view, Qt.Key.Key_F1, Qt.KeyboardModifier.ShiftModifier)
    dialog = window.shortcuts_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert table.rowCount() > 30
    long_ones = [r for r in range(table.rowCount()) if len(table.item(r, 2).text()) > 70]
    assert long_ones, "the list has long descriptions (the text keys)"
    assert cut_cells(table) == []
    assert not table.horizontalScrollBar().isVisible()  # nothing off to the right either
    assert ("Edit", "Ctrl+Z", "Undo the last step") in dialog.rows()

    # Narrower (a small screen, or the user shrinks it): the descriptions wrap, still whole.
    dialog.resize(520, dialog.height())
    qtbot.waitUntil(lambda: table.viewport().width() < 500)
    qtbot.wait(50)
    assert cut_cells(table) == []
