"""A layout that places widgets left to right and wraps them onto more lines
when the width runs out, like words: the palette's label chips and the
document labels bar's buttons.  It answers height-for-width, so a pane or bar
using it never makes the window wider than it is."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem

__all__ = ["LINE_BREAK", "FlowLayout"]

#: Widget property: a FlowLayout starts a new line before this widget.
LINE_BREAK = "flowLineBreak"


class FlowLayout(QLayout):
    """Lays widgets out left to right, wrapping to new lines (like words)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 3, margin: int = 4):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(QMargins(margin, margin, margin, margin))

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def addWidget(self, widget: QWidget) -> None:  # noqa: N802
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            widget = item.widget()
            size = size.expandedTo(widget.minimumSizeHint() if widget is not None else item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            widget = item.widget()
            # A widget's own hint: a label just added is still hidden (shown a moment
            # later), and QWidgetItem gives hidden widgets no size.
            hint = widget.sizeHint() if widget is not None else item.sizeHint()
            if widget is not None and widget.property(LINE_BREAK):  # a line of its own
                if x > area.x():
                    y += line_height + self._spacing
                if apply:
                    item.setGeometry(QRect(area.x(), y, area.width(), hint.height()))
                x, y, line_height = area.x(), y + hint.height() + self._spacing, 0
                continue
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y, line_height = area.x(), y + line_height + self._spacing, 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + m.bottom()
