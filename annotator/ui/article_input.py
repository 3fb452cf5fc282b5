"""Mouse and keyboard of the article view: hit testing (character or label tag
under a point), clicks that select or cycle spans, double-click, hover,
tooltips, Ctrl+wheel zoom, Enter to activate, and the selection signal.

:class:`ArticleInput` is mixed into :class:`~annotator.ui.article_view.ArticleView`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QTextCursor, QTextLine, QWheelEvent
from PySide6.QtWidgets import QApplication, QToolTip

if TYPE_CHECKING:
    from annotator.core.models import Annotation


class ArticleInput:
    """Input handling of the article view."""

    # -- mouse and keyboard --------------------------------------------------------------
    def _char_at(self, pos: QPoint | QPointF) -> int | None:
        """Code point of the character under viewport point ``pos`` (None: no character)."""
        if not self._text or self._layout_pending():
            return None
        doc = self.document()
        point = QPointF(pos) + self._scroll_offset()
        hit = doc.documentLayout().hitTest(point, Qt.HitTestAccuracy.FuzzyHit)
        if hit < 0:
            return None
        block = doc.findBlock(hit)
        layout = block.layout()
        if layout is None:
            return None
        local = point - layout.position()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            top = line.y()
            if (
                top - 2
                <= local.y()
                < top + line.ascent() + line.descent() + self._metrics.lane_offset + 2 * self._metrics.lane_gap
            ):
                if not line.x() <= local.x() <= line.x() + line.naturalTextWidth():
                    return None
                qt = line.xToCursor(local.x(), QTextLine.CursorPosition.CursorOnCharacter)
                if not line.textStart() <= qt < line.textStart() + line.textLength() or qt >= block.length() - 1:
                    return None
                return self._map.to_cp(block.position() + qt)
        return None

    def cursorForPosition(self, pos: QPoint) -> QTextCursor:  # noqa: N802 - Qt's name
        """Qt's, made right while a long document is still being laid out."""
        if self._layout_pending():
            self._finish_layout()
        return super().cursorForPosition(pos)

    def annotation_at_point(self, pos: QPoint | QPointF) -> list[Annotation]:
        """Span annotations under a viewport point (on its text or its label tag), shortest first."""
        cp = self._char_at(pos)
        if cp is not None:
            return [a for a in self._index.at(cp) if a.fragments is None or any(s <= cp < e for s, e in a.fragments)]
        tag = self._tag_at(QPointF(pos))
        ann = self._index.get(tag) if tag else None
        return [ann] if ann is not None else []

    def _tag_at(self, pos: QPointF) -> str | None:
        offset = self._scroll_offset()
        for block in self._visible_blocks():
            decor = self._decor.get(block.blockNumber())
            if decor is None:
                continue
            local = pos + offset - block.layout().position()
            for rect, _text, _fg, _bg, ann_id in decor.tags:
                if rect.contains(local):
                    return ann_id
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._layout_pending():
            self._finish_layout()  # Qt's hit test is wrong until then
        if event.button() == Qt.MouseButton.LeftButton:
            # A press starts a new gesture: whatever a double-click before it left
            # behind, the release that ends this press is a click of its own.
            self._after_double_click = False
            self._press_pos = event.position().toPoint()
            mods = event.modifiers()
            if self.textCursor().hasSelection() and not mods & Qt.KeyboardModifier.ShiftModifier:
                # A press inside the selection would start dragging the text out;
                # an annotator means to select anew.
                self.setTextCursor(self.cursorForPosition(self._press_pos))
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self._press_pos is None:
            return
        moved = (event.position().toPoint() - self._press_pos).manhattanLength()
        self._press_pos = None
        if self._after_double_click:
            self._after_double_click = False
            return
        if self.textCursor().hasSelection() and moved >= QApplication.startDragDistance():
            if self._snapping:  # show what will be annotated
                start, end = self.selection_span()
                if start < end and (start, end) != self.raw_selection_span():
                    self.select_span(start, end, ensure_visible=False)
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                start, end = self.selection_span()
                if start < end:  # Ctrl+drag: a fragment for the selected span (issue 14)
                    self.fragmentDragged.emit(start, end)
            return
        if moved < QApplication.startDragDistance():
            self._click(event.position(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))

    def _click(self, pos: QPointF, cycle: bool) -> None:
        anns = self.annotation_at_point(pos)
        if not anns:
            self._last_click = None
            return
        ids = tuple(a.id for a in anns)
        current = self._selected_id
        if self._last_click and self._last_click[0] == ids:
            current = current if current in ids else self._last_click[1]
            cycle = True
        if cycle and current in ids:
            chosen = ids[(ids.index(current) + 1) % len(ids)]
        else:
            chosen = ids[0]
        self._last_click = (ids, chosen)
        self.last_click_cp = self._char_at(pos)
        self.annotationClicked.emit(chosen)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._layout_pending():
            self._finish_layout()
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        # The release that follows belongs to the double-click (not a click on a
        # span): mouseReleaseEvent reads the flag and clears it. Qt sends a double
        # click in place of the second press, so it records the press too.
        self._after_double_click = True
        self._press_pos = event.position().toPoint()
        cp = self._char_at(event.position())
        if cp is None:
            super().mouseDoubleClickEvent(event)
            return
        # The token under the pointer: what the exports count as one ("70%",
        # "$55.09", "U.S.", and "India" without its "’s").
        from annotator.core.boundaries import word_at  # the tokenizer: not needed for the first paint

        start, end = word_at(self._text, cp) or (cp, cp + 1)
        self.select_span(start, end, ensure_visible=False)
        anns = self._index.at(cp)
        if anns:
            ids = [a.id for a in anns]
            chosen = self._last_click[1] if self._last_click and self._last_click[1] in ids else ids[0]
            self.annotationActivated.emit(chosen)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        super().mouseMoveEvent(event)
        if event.buttons() == Qt.MouseButton.NoButton:
            anns = self.annotation_at_point(event.position())
            hover = anns[0].id if anns else None
            if hover != self._hover_id:
                self._hover_id = hover
                self.viewport().update()

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().leaveEvent(event)
        if self._hover_id is not None:
            self._hover_id = None
            self.viewport().update()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.ToolTip:
            anns = self.annotation_at_point(event.pos())
            cp = self._char_at(event.pos())
            text = self.tooltip_text(cp if cp is not None else anns[0].start) if anns else ""  # type: ignore[arg-type]
            extra = "".join(p(cp) for p in self.tooltip_providers) if cp is not None else ""
            if extra:  # suggestions there (issue 17), after the annotations
                text = "<qt>" + (text[4:-5] if text else "") + extra + "</qt>"
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            if delta > 0:
                self.zoom_in()
            elif delta < 0:
                self.zoom_out()
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if event.matches(QKeySequence.StandardKey.ZoomIn) or (ctrl and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal)):
            self.zoom_in()
        elif event.matches(QKeySequence.StandardKey.ZoomOut) or (ctrl and key == Qt.Key.Key_Minus):
            self.zoom_out()
        elif ctrl and key == Qt.Key.Key_0:
            self.zoom_reset()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods & ~Qt.KeyboardModifier.KeypadModifier:
            target = self._selected_id
            if target is None:
                cursor = self.textCursor()
                cp = self._map.to_cp(cursor.position())
                anns = (
                    [a for a in self._index.at(cp) if a.fragments is None or any(s <= cp < e for s, e in a.fragments)]
                    if self._text
                    else []
                )
                target = anns[0].id if anns else None
            if target is not None:
                self.annotationActivated.emit(target)
            else:
                event.ignore()
        else:
            super().keyPressEvent(event)

    # -- selection ------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        self._emit_selection()
        self.viewport().update()

    def _emit_selection(self) -> None:
        span = self.selection_span()
        if span[0] == span[1]:
            span = (span[0], span[0])
        if span != self._last_span:
            self._last_span = span
            self.spanSelectionChanged.emit(*span)
