"""How the article view decorates spans: reading constants, styles, the span
index, the geometry of spans in the text layout, and the per-block decoration
cache (:class:`BlockDecor`) that painting draws from.

:class:`SpanDecorations` is mixed into :class:`~annotator.ui.article_view.ArticleView`
and works on its state (``_text``, ``_map``, ``_index``, ``_decor``, ...).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from operator import attrgetter, eq, ne
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPainterPath,
    QPalette,
    QPen,
    QTextBlock,
    QTextDocument,
    QTextLayout,
    QTextLine,
)

from annotator.core.kinds import SPAN_KINDS
from annotator.core.spanindex import SpanIndex, stack_lanes
from annotator.ui.coref_colors import UNCHAINED_COLOR

if TYPE_CHECKING:
    from annotator.core.models import Annotation
    from annotator.core.schema import LabelSchema

log = logging.getLogger(__name__)
_get_kind = attrgetter("kind")

#: Reading fonts, best first; the first one installed is used.
READING_FONTS = (
    "Source Serif 4",
    "Source Serif Pro",
    "Noto Serif",
    "Literata",
    "Charter",
    "Georgia",
    "Palatino Linotype",
    "P052",
    "Cambria",
    "DejaVu Serif",
    "Times New Roman",
)
BASE_POINT_SIZE = 12.5
ZOOM_STEP = 1.12
ZOOM_MIN, ZOOM_MAX = 0.5, 3.5
#: Line height in percent of the font's: room for underline lanes and tags.
LINE_HEIGHT = 190
#: Underline lanes drawn under a line (more deeply nested spans share the last).
MAX_LANES = 4
#: Widest text column, in multiples of the font's average character width.
MAX_COLUMN_CHARS = 88
DOCUMENT_MARGIN = 28
#: Documents up to this length are laid out completely when opened (about
#: 50 ms at this size); longer ones are laid out by Qt in the background.
FULL_LAYOUT_CHARS = 200_000
#: Characters of annotated text shown in a tooltip line.
TOOLTIP_TEXT_CHARS = 80


class Connector(NamedTuple):
    """An arc from one annotation to another, in viewport coordinates."""

    label: str  # role name, "claimant" or the relation type
    source_id: str
    target_id: str
    start: QPointF
    end: QPointF
    path: QPainterPath
    label_pos: QPointF  # the centre of label_rect
    color: QColor
    label_rect: QRectF  # where the label is drawn


class BlockDecor:
    """What is drawn for one block, relative to its layout's position.

    ``fills`` and ``marks`` go under the text; ``lines``, ``boxes`` and ``tags``
    over it; ``rects`` are the segments of each annotation in this block and
    ``lanes`` the underline lane of each underlined annotation.
    """

    __slots__ = ("fills", "marks", "lines", "boxes", "tags", "rects", "lanes")

    def __init__(self) -> None:
        self.fills: list[tuple[QRectF, QColor]] = []
        self.marks: list[tuple[QRectF, QColor]] = []
        self.lines: dict[tuple[int, int, int], tuple[QPen, list[QLineF]]] = {}
        self.boxes: list[tuple[QRectF, QPen, QColor]] = []
        self.tags: list[tuple[QRectF, str, QColor, QColor, str]] = []  # rect, text, colours, id
        self.rects: dict[str, list[QRectF]] = {}
        self.lanes: dict[str, int] = {}


class SpanStyle(NamedTuple):
    color: QColor  # the label colour
    tint: QColor  # background
    line: QColor  # underline / border
    tag_fg: QColor
    tag_bg: QColor


class LaneMetrics:
    """Sizes derived from the current font (they follow the zoom)."""

    def __init__(self, font: QFont):
        fm = QFontMetricsF(font)
        self.line_height = fm.height()
        self.lane_gap = max(2.5, fm.height() * 0.16)
        self.lane_width = max(1.5, fm.height() * 0.095)
        self.lane_offset = max(2.0, fm.descent() * 0.45)
        self.box_width = max(1.4, fm.height() * 0.085)
        self.tag_font = QFont(font)
        self.tag_font.setPointSizeF(max(6.0, font.pointSizeF() * 0.56))
        self.tag_font.setWeight(QFont.Weight.DemiBold)
        self.tag_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 104)
        self.tag_fm = QFontMetricsF(self.tag_font)
        self.tag_height = self.tag_fm.height() + 1
        self.char_width = fm.averageCharWidth()


class ArticleDocument(QTextDocument):
    """A document that never loads a resource (no images, no style sheets, no network)."""

    def loadResource(self, type: int, name) -> object:  # noqa: A002 - Qt's signature
        return None


def reading_font() -> QFont:
    families = set(QFontDatabase.families())
    for family in READING_FONTS:
        if family in families:
            font = QFont(family)
            break
    else:
        font = QFont()
        font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(BASE_POINT_SIZE)
    return font


def tooltip_snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TOOLTIP_TEXT_CHARS else flat[: TOOLTIP_TEXT_CHARS - 1] + "…"


class SpanDecorations:
    """Span index, styles, block geometry and the decoration cache of the article view."""

    # -- index ----------------------------------------------------------------------
    def _index_all(self, annotations: Iterable[Annotation]) -> None:
        anns = list(annotations)
        kinds = list(map(_get_kind, anns))
        if "relation" in kinds:
            self._relations = {a.id: a for a in compress(anns, map(eq, kinds, repeat("relation")))}
            anns = list(compress(anns, map(ne, kinds, repeat("relation"))))
        else:
            self._relations = {}
        try:
            self._index = SpanIndex(anns, len(self._text))
        except ValueError:  # a span outside the text: show the others
            self._index = SpanIndex([a for a in anns if self._span_ok(a)], len(self._text))

    def _span_ok(self, ann: Annotation) -> bool:
        if ann.start is None or ann.end is None or not 0 <= ann.start < ann.end <= len(self._text):
            log.warning(
                "annotation %s has span (%s, %s) outside the text (length %d); not shown",
                ann.id,
                ann.start,
                ann.end,
                len(self._text),
            )
            return False
        return True

    def _get(self, ann_id: str | None) -> Annotation | None:
        if not ann_id:
            return None
        return self._index.get(ann_id) or self._relations.get(ann_id)

    def _forget(self, ann_id: str) -> Annotation | None:
        return self._index.remove(ann_id) or self._relations.pop(ann_id, None)

    def _remember(self, ann: Annotation) -> bool:
        if ann.kind not in SPAN_KINDS:
            self._relations[ann.id] = ann
            return True
        if not self._span_ok(ann):
            return False
        self._index.add(ann)
        return True

    def _touches_links(self, ann: Annotation) -> bool:
        """Whether a change to ``ann`` can change the arcs drawn for the selection."""
        sel = self._selected_id
        if sel is None:
            return False
        return (
            ann.id == sel
            or sel in ann.referenced_ids()
            or ((cur := self._get(sel)) is not None and ann.id in cur.referenced_ids())
        )

    def _relation_span(self, rel: Annotation) -> tuple[int, int] | None:
        ends = [a for a in (self._index.get(rel.head or ""), self._index.get(rel.tail or "")) if a]
        if not ends:
            return None
        return min(a.start for a in ends), max(a.end for a in ends)  # type: ignore[type-var]

    # -- styles ----------------------------------------------------------------------
    def _label_schema(self) -> LabelSchema:
        """The schema that colours the labels: an empty one (grey) until one is set."""
        schema: LabelSchema | None = getattr(self, "_schema", None)
        if schema is None:
            from annotator.core.schema import LabelSchema  # pydantic: not needed to show plain text

            schema = self._schema = LabelSchema()
        return schema

    def _make_styles(self) -> None:
        self._styles = {}

    def set_color_function(self, color_of: Callable[[Annotation], str] | None) -> None:
        """Colour each span by ``color_of(annotation)`` (a ``#rrggbb`` colour)
        instead of its label's colour; None goes back to the labels' colours.
        Tags still name the label; tooltips then also name the annotator."""
        self._color_of = color_of
        self._make_styles()
        self._decor.clear()
        self.viewport().update()

    def _style(self, ann: Annotation) -> SpanStyle:
        color = self._color_of(ann) if self._color_of is not None else None
        chains: dict[str, str] | None = getattr(self, "_chains", None)
        if color is None and chains is not None and ann.kind == "entity":
            color = chains.get(ann.id, UNCHAINED_COLOR)
        key = (ann.kind, ann.label) if color is None else (ann.kind, "\0" + color)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self._make_style(color or self._label_schema().color(ann.kind, ann.label), ann.kind)
        return style

    def _make_style(self, hex_color: str, kind: str) -> SpanStyle:
        color = QColor(hex_color)
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        tint = QColor(color)
        tint.setAlphaF({"entity": 0.34, "event": 0.22, "claim": 0.11}.get(kind, 0.3) * (1.5 if dark else 1.0))
        line = QColor(color).lighter(115) if dark else QColor(color).darker(135)
        tag_fg = QColor(color).lighter(140) if dark else QColor(color).darker(230)
        tag_bg = QColor(color)
        tag_bg.setAlphaF(0.30 if dark else 0.26)
        return SpanStyle(color, tint, line, tag_fg, tag_bg)

    # -- geometry --------------------------------------------------------------------
    def _scroll_offset(self) -> QPointF:
        return QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    def _blocks_of(self, spans: Iterable[tuple[int, int]]) -> set[int]:
        doc = self.document()
        out: set[int] = set()
        for start, end in spans:
            first = doc.findBlock(self._map.to_qt(start)).blockNumber()
            last = doc.findBlock(self._map.to_qt(max(start, end - 1))).blockNumber()
            out.update(range(first, last + 1))
        return out

    def _update_blocks(self, numbers: Iterable[int]) -> None:
        """Repaint the visible part of these blocks (with room for tags and lanes)."""
        doc, layout = self.document(), self.document().documentLayout()
        offset = self._scroll_offset()
        view = QRectF(self.viewport().rect())
        region = QRectF()
        pad = self._metrics.tag_height + self._metrics.line_height
        for number in numbers:
            block = doc.findBlockByNumber(number)
            if not block.isValid():
                continue
            rect = layout.blockBoundingRect(block).translated(-offset).adjusted(-4, -pad, 4, pad)
            rect.setLeft(0)  # the claim bar in the margin
            if rect.intersects(view):
                region = region.united(rect)
        if not region.isEmpty():
            self.viewport().update(region.toAlignedRect())

    def _layout_pending(self) -> bool:
        """Whether Qt is still laying the document out in the background.

        Until it is done, ``QTextDocumentLayout.hitTest`` (and so
        ``cursorForPosition`` and Qt's own mouse handling) answers the end of
        the laid-out text for every point; a point above the text answers 0
        only once the layout is complete."""
        return bool(self._text) and self.document().documentLayout().hitTest(QPointF(0, 0), Qt.HitTestAccuracy.FuzzyHit) != 0

    def _finish_layout(self) -> None:
        self.document().documentLayout().documentSize()

    def _top_block(self) -> QTextBlock:
        """The block at the top of the viewport.

        Found from the block found last time by a galloping search over block
        rectangles: a few steps when scrolling, log(n) for a jump.  (The layout's
        hitTest costs milliseconds deep in a long document, and is wrong while
        the layout is pending.)"""
        doc = self.document()
        layout = doc.documentLayout()
        top = self.verticalScrollBar().value()
        last = doc.blockCount() - 1

        def top_of(number: int) -> float:
            return layout.blockBoundingRect(doc.findBlockByNumber(number)).top()

        lo = min(self._top_hint, last)
        if top_of(lo) <= top:  # gallop forward: the answer is the last block starting at or above top
            step = 1
            while lo + step <= last and top_of(lo + step) <= top:
                lo += step
                step *= 2
            hi = min(lo + step, last + 1)  # top_of(hi) > top, or hi is past the end
        else:  # gallop backward
            hi, step = lo, 1
            while hi - step >= 0 and top_of(hi - step) > top:
                hi -= step
                step *= 2
            lo = max(hi - step, 0)
            if top_of(lo) > top:
                self._top_hint = 0
                return doc.firstBlock()
        while hi - lo > 1:  # top_of(lo) <= top < top_of(hi)
            mid = (lo + hi) // 2
            if top_of(mid) <= top:
                lo = mid
            else:
                hi = mid
        self._top_hint = lo
        return doc.findBlockByNumber(lo)

    def _visible_blocks(self) -> Iterator[QTextBlock]:
        layout = self.document().documentLayout()
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        block = self._top_block()
        if block.previous().isValid():  # its lanes and tags may reach into view
            block = block.previous()
        while block.isValid():
            rect = layout.blockBoundingRect(block)
            if rect.top() > bottom + self._metrics.tag_height:
                break
            if rect.bottom() >= top - self._metrics.tag_height:
                yield block
            block = block.next()

    @staticmethod
    def _segments(layout: QTextLayout, qs: int, qe: int) -> list[tuple[QTextLine, float, float]]:
        """(line, x1, x2) pieces of block-relative Qt positions [qs, qe), per line."""
        out = []
        line = layout.lineForTextPosition(qs)
        if not line.isValid():
            return out
        number, count = line.lineNumber(), layout.lineCount()
        while number < count:
            line = layout.lineAt(number)
            ls = line.textStart()
            if ls >= qe:
                break
            a, b = max(qs, ls), min(qe, ls + line.textLength())
            if a < b:
                x1, x2 = line.cursorToX(a)[0], line.cursorToX(b)[0]
                if x1 > x2:
                    x1, x2 = x2, x1
                right = line.x() + line.naturalTextWidth()
                x1, x2 = min(x1, right), min(x2, right)
                if x2 - x1 >= 0.5:
                    out.append((line, x1, x2))
            number += 1
        return out

    def span_rects(self, start: int, end: int) -> list[QRectF]:
        """Document-coordinate rectangles of code points [start, end) (subtract the
        scroll offset to draw them in the viewport)."""
        return self._span_rects(start, end)

    def _span_rects(self, start: int, end: int, limit_blocks: int | None = None) -> list[QRectF]:
        """Document-coordinate rectangles of code points [start, end), one per line piece."""
        doc = self.document()
        doc_layout = doc.documentLayout()
        qs, qe = self._map.span_to_qt(start, end)
        block = doc.findBlock(qs)
        out: list[QRectF] = []
        seen = 0
        while block.isValid() and block.position() < qe:
            doc_layout.blockBoundingRect(block)  # lays the block out if it was not yet
            layout = block.layout()
            origin = layout.position()
            bq = block.position()
            for line, x1, x2 in self._segments(layout, max(qs, bq) - bq, qe - bq):
                out.append(QRectF(x1, line.y(), x2 - x1, line.ascent() + line.descent()).translated(origin))
            seen += 1
            if limit_blocks is not None and seen >= limit_blocks:
                break
            block = block.next()
        return out

    def _first_rect(self, ann: Annotation) -> QRectF | None:
        rects = self._span_rects(ann.start, ann.end, limit_blocks=1)  # type: ignore[arg-type]
        return rects[0] if rects else None

    def _visible_span_rects(self, ann: Annotation, cp_range: tuple[int, int]) -> list[QRectF]:
        out: list[QRectF] = []
        for piece_start, piece_end in ann.pieces:  # every fragment of a discontinuous span
            start, end = max(piece_start, cp_range[0]), min(piece_end, cp_range[1])
            if start < end:
                out += self._span_rects(start, end)
        return out

    def _ensure_span_visible(self, start: int, end: int) -> None:
        rects = self._span_rects(start, max(start + 1, min(end, start + 2000)), limit_blocks=1) if start < len(self._text) else []
        bar = self.verticalScrollBar()
        height = self.viewport().height()
        if not rects:
            return
        top, bottom = rects[0].top(), rects[0].bottom()
        margin = self._metrics.line_height * 2.5
        if top - margin < bar.value():
            bar.setValue(int(top - margin))
        elif bottom + margin > bar.value() + height:
            bar.setValue(int(min(top - margin, bottom + margin - height)))

    # -- decoration ------------------------------------------------------------------
    def decoration_for_block(self, number: int) -> BlockDecor | None:
        """What is drawn for block ``number`` (built and cached when needed)."""
        block = self.document().findBlockByNumber(number)
        if not block.isValid():
            return None
        self.document().documentLayout().blockBoundingRect(block)
        return self._block_decor(block)

    def _block_decor(self, block: QTextBlock) -> BlockDecor | None:
        number = block.blockNumber()
        decor = self._decor.get(number)
        if decor is not None:
            return decor
        layout = block.layout()
        if layout is None or layout.lineCount() == 0:
            return None  # not laid out yet: nothing to cache
        decor = self._build_decor(block, layout)
        self._decor[number] = decor
        self.decor_builds += 1
        return decor

    def _piece_segments(
        self, layout: QTextLayout, bq: int, cs: int, ce: int, pieces: list[tuple[int, int]]
    ) -> list[tuple[QTextLine, float, float]]:
        """The line segments of the fragments of a span in the block ``[cs, ce)`` (code points; ``bq``: its Qt position)."""
        segs: list[tuple[QTextLine, float, float]] = []
        for ps, pe in pieces:
            s, e = max(ps, cs), min(pe, ce)
            if s < e:
                segs += self._segments(layout, self._map.to_qt(s) - bq, self._map.to_qt(e) - bq)
        return segs

    def _connectors(
        self, decor: BlockDecor, layout: QTextLayout, bq: int, cs: int, ce: int, ann: Annotation, style: SpanStyle
    ) -> None:
        """A thin dotted line across each gap between two fragments of ``ann`` in this
        block, at the height of its underline: the pieces read as one annotation."""
        assert ann.fragments is not None
        m = self._metrics
        lane = min(decor.lanes.get(ann.id, 0), MAX_LANES - 1)
        key = (style.line.rgba(), lane, 2)
        for (_s1, gap_start), (gap_end, _e2) in zip(ann.fragments, ann.fragments[1:]):
            s, e = max(gap_start, cs), min(gap_end, ce)
            if s >= e:
                continue
            entry = decor.lines.get(key)
            if entry is None:
                pen = QPen(style.line, 1.0)
                pen.setStyle(Qt.PenStyle.DotLine)
                entry = decor.lines[key] = (pen, [])
            for line, x1, x2 in self._segments(layout, self._map.to_qt(s) - bq, self._map.to_qt(e) - bq):
                y = line.y() + line.ascent() + m.lane_offset + lane * m.lane_gap
                entry[1].append(QLineF(x1, y, x2, y))

    def _build_decor(self, block: QTextBlock, layout: QTextLayout) -> BlockDecor:
        decor = BlockDecor()
        bq = block.position()
        cs, ce = self._map.to_cp(bq), self._map.to_cp(bq + block.length() - 1)
        anns = self._index.overlapping(cs, ce)
        if not anns:
            return decor
        m = self._metrics
        decor.lanes = stack_lanes(
            (max(a.start, cs), min(a.end, ce), a.id)
            for a in anns
            if a.kind != "event"  # type: ignore[type-var]
        )
        tags_on_line: dict[int, float] = {}
        for ann in anns:
            style = self._style(ann)
            if ann.fragments is None:
                s, e = max(ann.start, cs), min(ann.end, ce)  # type: ignore[type-var]
                segs = self._segments(layout, self._map.to_qt(s) - bq, self._map.to_qt(e) - bq)
            else:  # a discontinuous span: its fragments, and thin connectors across the gaps
                segs = self._piece_segments(layout, bq, cs, ce, ann.fragments)
                self._connectors(decor, layout, bq, cs, ce, ann, style)
            if not segs:
                continue
            rects = [QRectF(x1, line.y(), x2 - x1, line.ascent() + line.descent()) for line, x1, x2 in segs]
            decor.rects[ann.id] = rects
            if ann.kind == "event":
                pen = QPen(style.line, m.box_width)
                pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                for rect in rects:
                    decor.boxes.append((rect.adjusted(-1.5, -0.5, 1.5, 0.5), pen, style.tint))
            else:
                lane = min(decor.lanes[ann.id], MAX_LANES - 1)  # deeper nesting shares the last lane
                dashed = ann.kind == "claim"
                key = (style.line.rgba(), lane, int(dashed))
                entry = decor.lines.get(key)
                if entry is None:
                    pen = QPen(style.line, m.lane_width)
                    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                    if dashed:
                        pen.setDashPattern([3.0, 1.6])
                    entry = decor.lines[key] = (pen, [])
                for line, x1, x2 in segs:
                    y = line.y() + line.ascent() + m.lane_offset + lane * m.lane_gap
                    entry[1].append(QLineF(x1, y, x2, y))
                for rect in rects:
                    decor.fills.append((rect, style.tint))
                if dashed:
                    top, bottom = rects[0].top(), rects[-1].bottom()
                    decor.marks.append((QRectF(-14, top, 3, bottom - top), style.color))
            if ann.start >= cs:  # the span starts in this block: its tag
                line, x1, x2 = segs[0]
                text = ann.label
                width = self._tag_widths.get(text) or self._tag_widths.setdefault(text, m.tag_fm.horizontalAdvance(text) + 6)
                number = line.lineNumber()
                x = max(x1 - 1, tags_on_line.get(number, -1e9))
                if x <= x1 + max(8.0, (x2 - x1) * 0.6):  # stays next to its span
                    tags_on_line[number] = x + width + 2
                    rect = QRectF(x, line.y() - m.tag_height - 1, width, m.tag_height)
                    decor.tags.append((rect, text, style.tag_fg, style.tag_bg, ann.id))
        return decor
