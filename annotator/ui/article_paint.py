"""Drawing over the article text: span tints and underlines, label tags, the
emphasis of the selected annotation, argument and relation arcs, tooltips.

:class:`ArcsAndTags` is mixed into :class:`~annotator.ui.article_view.ArticleView`;
it draws what :class:`~annotator.ui.article_decor.SpanDecorations` computed.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen, QPixmap, QPolygonF

from annotator.core.boundaries import word_span
from annotator.ui.article_decor import BlockDecor, Connector, tooltip_snippet

if TYPE_CHECKING:
    from annotator.core.models import Annotation


class ArcsAndTags:
    """Painting, connectors (arcs) and tooltips of the article view."""

    # -- connectors ------------------------------------------------------------------
    def connectors(self) -> list[Connector]:
        """Arcs for the selected annotation, in viewport coordinates: an event's
        arguments (labelled with the role), a claim's claimant, a relation, or
        the relations of a selected span."""
        sel = self._get(self._selected_id) if self._selected_id else None
        if sel is None:
            return []
        links: list[tuple[str, Annotation, Annotation, QColor]] = []
        if sel.kind == "event":
            color = self._style(sel).line
            for arg in sel.arguments:
                target = self._index.get(arg.target)
                if target is not None:
                    links.append((arg.role, sel, target, color))
        elif sel.kind == "claim" and sel.claimant_ref:
            target = self._index.get(sel.claimant_ref)
            if target is not None:
                links.append(("claimant", sel, target, self._style(sel).line))
        relations = [sel] if sel.kind == "relation" else [r for r in self._relations.values() if sel.id in (r.head, r.tail)]
        for rel in relations:
            head, tail = self._index.get(rel.head or ""), self._index.get(rel.tail or "")
            if head is not None and tail is not None:
                links.append((rel.label, head, tail, self._style(rel).line))
        offset = self._scroll_offset()
        ends = []
        for label, source, target, color in links:
            r1, r2 = self._first_rect(source), self._first_rect(target)
            if r1 is not None and r2 is not None:
                ends.append((label, source.id, target.id, r1.translated(-offset), r2.translated(-offset), color))
        # Nearer targets get lower arcs, so arcs and their labels do not cover each other.
        ends.sort(key=lambda e: abs(e[4].center().x() - e[3].center().x()) + 4 * abs(e[4].top() - e[3].top()))
        arcs = [self._arc(*end, rank=i) for i, end in enumerate(ends)]
        # Labels sit on their arcs where they cover no earlier label and no tag.
        tags = self._visible_tag_rects()
        placed: list[QRectF] = []
        out = []
        for arc in arcs:
            best, best_hits = None, None
            for t in (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8):
                rect = self._label_rect(arc.label, arc.path.pointAtPercent(t))
                if any(rect.intersects(other) for other in placed):
                    continue
                hits = sum(rect.intersects(tag) for tag in tags)
                if best_hits is None or hits < best_hits:
                    best, best_hits = rect, hits
                if not hits:
                    break
            rect = best or self._label_rect(arc.label, arc.path.pointAtPercent(0.5))
            placed.append(rect)
            out.append(arc._replace(label_pos=rect.center()))
        return out

    def _visible_tag_rects(self) -> list[QRectF]:
        offset = self._scroll_offset()
        out = []
        for block in self._visible_blocks():
            decor = self._decor.get(block.blockNumber())
            if decor is not None:
                origin = block.layout().position() - offset
                out.extend(rect.translated(origin) for rect, *_ in decor.tags)
        return out

    def _label_rect(self, label: str, center: QPointF) -> QRectF:
        m = self._metrics
        rect = QRectF(0, 0, m.tag_fm.horizontalAdvance(label) + 10, m.tag_height + 2)
        rect.moveCenter(center)
        return rect

    def _arc(self, label: str, source_id: str, target_id: str, r1: QRectF, r2: QRectF, color: QColor, rank: int = 0) -> Connector:
        """A curve from the source span to the target span: over the line when
        both are on the same line, else through the gap between the lines."""
        m = self._metrics
        path = QPainterPath()
        if abs(r1.top() - r2.top()) < m.line_height * 0.5:
            p1 = QPointF(r1.center().x(), r1.top() - 1)
            p2 = QPointF(r2.center().x(), r2.top() - 1)
            apex = min(p1.y(), p2.y()) - m.line_height * (0.75 + 0.5 * min(rank, 4))
            spread = 24 if abs(p2.x() - p1.x()) < 4 else 0  # the same place: a small loop
            path.moveTo(p1)
            path.cubicTo(QPointF(p1.x() - spread, apex), QPointF(p2.x() + spread, apex), p2)
        else:
            below = m.lane_offset + 2.5 * m.lane_gap  # under the underline lanes
            down = r2.top() > r1.top()
            p1 = QPointF(r1.center().x(), r1.bottom() + below if down else r1.top() - 1)
            p2 = QPointF(r2.center().x(), r2.top() - 1 if down else r2.bottom() + below)
            bend = max(abs(p2.y() - p1.y()) * 0.5, m.line_height) * (1 if down else -1)
            path.moveTo(p1)
            path.cubicTo(QPointF(p1.x(), p1.y() + bend), QPointF(p2.x(), p2.y() - bend), p2)
        return Connector(label, source_id, target_id, p1, p2, path, path.pointAtPercent(0.5), color)

    # -- tooltips -------------------------------------------------------------------
    def tooltip_text(self, cp: int) -> str:
        """Tooltip markup for code point ``cp``: every annotation there (kind,
        label, annotated text, arguments/claim details); all text escaped."""
        anns = self.annotations_at(cp)
        if not anns:
            return ""
        rows = [self._tooltip_row(a) for a in anns]
        return "<qt><table cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table></qt>"

    def _tooltip_row(self, ann: Annotation) -> str:
        esc = html.escape
        style = self._style(ann)
        swatch = f"<span style='color:{style.color.name()}'>&#9632;</span>"
        head = f"{swatch} <b>{esc(ann.label)}</b> <i>{esc(ann.kind)}</i>"
        if self._color_of is not None:
            head += f" by {esc(ann.annotator)}"
        if ann.source != "manual":
            head += f" <small>({esc(str(ann.source))})</small>"
        lines = [head, f"“{esc(tooltip_snippet(ann.text_in(self._text)))}”"]
        if ann.kind == "event":
            for arg in ann.arguments:
                target = self._get(arg.target)
                shown = tooltip_snippet(target.text_in(self._text)) if target else "(missing)"
                lines.append(f"&nbsp;&nbsp;{esc(arg.role)}: “{esc(shown)}”")
        elif ann.kind == "claim":
            if ann.claimant_ref:
                target = self._get(ann.claimant_ref)
                who = tooltip_snippet(target.text_in(self._text)) if target else "(missing)"
                lines.append(f"&nbsp;&nbsp;claimant: “{esc(who)}”")
            elif ann.claimant_text:
                lines.append(f"&nbsp;&nbsp;claimant: {esc(tooltip_snippet(ann.claimant_text))}")
        for key, value in ann.attributes.items():
            lines.append(f"&nbsp;&nbsp;{esc(str(key))}: {esc(tooltip_snippet(str(value)))}")
        for rel in self._relations.values():
            if ann.id in (rel.head, rel.tail):
                other = self._get(rel.tail if rel.head == ann.id else rel.head)
                shown = tooltip_snippet(other.text_in(self._text)) if other else "(missing)"
                arrow = "→" if rel.head == ann.id else "←"
                lines.append(f"&nbsp;&nbsp;{esc(rel.label)} {arrow} “{esc(shown)}”")
        return "<tr><td style='white-space:pre-wrap'>" + "<br>".join(lines) + "</td></tr>"

    # -- painting --------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self._text:
            super().paintEvent(event)
            return
        offset = self._scroll_offset()
        placed: list[tuple[QPointF, BlockDecor]] = []
        first_cp = last_cp = None
        for block in self._visible_blocks():
            decor = self._block_decor(block)
            if decor is None:
                continue
            origin = block.layout().position() - offset
            placed.append((origin, decor))
            if first_cp is None:
                first_cp = self._map.to_cp(block.position())
            last_cp = self._map.to_cp(block.position() + block.length() - 1)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        for origin, decor in placed:
            painter.save()
            painter.translate(origin)
            for rect, color in decor.fills:
                painter.fillRect(rect, color)
            for rect, color in decor.marks:
                painter.fillRect(rect, color)
            for rect, _pen, tint in decor.boxes:
                painter.setBrush(tint)
                painter.drawRoundedRect(rect, 3, 3)
            painter.restore()
        painter.end()

        super().paintEvent(event)

        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        for origin, decor in placed:
            painter.save()
            painter.translate(origin)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for pen, lines in decor.lines.values():
                painter.setPen(pen)
                painter.drawLines(lines)
            for rect, pen, _tint in decor.boxes:
                painter.setPen(pen)
                painter.drawRoundedRect(rect, 3, 3)
            for rect, text, fg, bg, _id in decor.tags:
                painter.drawPixmap(rect.topLeft(), self._tag_pixmap(text, fg, bg, rect.size()))
            painter.restore()
        if first_cp is not None and last_cp is not None:
            self._paint_emphasis(painter, offset, (first_cp, max(last_cp, first_cp + 1)))
        painter.end()

    def _tag_pixmap(self, text: str, fg: QColor, bg: QColor, size: QSizeF) -> QPixmap:
        """A label tag, drawn once per label and zoom level."""
        key = (text, fg.rgba(), bg.rgba())
        pixmap = self._tag_cache.get(key)
        if pixmap is None:
            ratio = self.viewport().devicePixelRatioF()
            pixmap = QPixmap((size * ratio).toSize() + QSize(1, 1))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            p = QPainter(pixmap)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            rect = QRectF(QPointF(0, 0), size)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(bg)
            p.drawRoundedRect(rect, 3, 3)
            p.setPen(fg)
            p.setFont(self._metrics.tag_font)
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            p.end()
            self._tag_cache[key] = pixmap
        return pixmap

    def _paint_emphasis(self, painter: QPainter, offset: QPointF, visible: tuple[int, int]) -> None:
        """Snap preview, hover, selected annotation, its arguments and arcs."""
        painter.setBrush(Qt.BrushStyle.NoBrush)
        raw = self.raw_selection_span()
        if self._snapping and raw[0] < raw[1]:
            snapped = word_span(self._text, *raw)
            if snapped != raw and snapped[0] < snapped[1]:
                pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 1.2, Qt.PenStyle.DashLine)
                painter.setPen(pen)
                for rect in self._span_rects(max(snapped[0], visible[0]), min(snapped[1], visible[1])):
                    painter.drawRoundedRect(rect.translated(-offset).adjusted(-2, -2, 2, 2), 3, 3)
        hover = self._index.get(self._hover_id) if self._hover_id else None
        if hover is not None and hover.id != self._selected_id:
            pen = QPen(self._style(hover).line, 1.0)
            painter.setPen(pen)
            for rect in self._visible_span_rects(hover, visible):
                painter.drawRoundedRect(rect.translated(-offset).adjusted(-2, -1.5, 2, 1.5), 3, 3)
        sel = self._get(self._selected_id) if self._selected_id else None
        if sel is None:
            return
        connectors = self.connectors()
        for conn in connectors:
            target = self._index.get(conn.target_id)
            if target is None:
                continue
            pen = QPen(conn.color, 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            for rect in self._visible_span_rects(target, visible):
                painter.drawRoundedRect(rect.translated(-offset).adjusted(-2.5, -2, 2.5, 2), 3.5, 3.5)
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        if sel.span:
            halo = QColor(accent)
            halo.setAlphaF(0.25)
            for width, color in ((5.0, halo), (2.0, accent)):
                painter.setPen(QPen(color, width))
                for rect in self._visible_span_rects(sel, visible):
                    painter.drawRoundedRect(rect.translated(-offset).adjusted(-2.5, -2, 2.5, 2), 3.5, 3.5)
        self._paint_connectors(painter, connectors)

    def _paint_connectors(self, painter: QPainter, connectors: list[Connector]) -> None:
        m = self._metrics
        base = self.palette().color(QPalette.ColorRole.Base)
        for conn in connectors:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(base, 4.0))
            painter.drawPath(conn.path)
            painter.setPen(QPen(conn.color, 1.6))
            painter.drawPath(conn.path)
            tip = conn.end
            angle = math.radians(conn.path.angleAtPercent(1.0))
            ahead = QPointF(math.cos(angle), -math.sin(angle))
            side = QPointF(-ahead.y(), ahead.x())
            painter.setBrush(conn.color)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPolygon(QPolygonF([tip, tip - ahead * 7 + side * 4, tip - ahead * 7 - side * 4]))
        painter.setFont(m.tag_font)
        for conn in connectors:
            rect = self._label_rect(conn.label, conn.label_pos)
            painter.setPen(QPen(conn.color, 1.2))
            painter.setBrush(base)
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.setPen(conn.color.darker(130))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, conn.label)
