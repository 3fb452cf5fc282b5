"""The article view: one document's text, read-only and exact, with its spans.

Text and offsets
    The stored (canonical) text is put in with ``QTextDocument.setPlainText``
    only, never as HTML, into a document that refuses to load any resource.
    Every offset in and out of this widget is a Python code-point offset into
    that text; Qt positions (UTF-16 units) are converted with one
    :class:`~annotator.core.text.QtPositionMap` built per document.

Why a QTextEdit and not a QPlainTextEdit
    ``QPlainTextDocumentLayout`` ignores ``QTextBlockFormat`` line heights and
    margins (measured: a 200 % line height leaves every line at the font's
    height), so a plain-text edit cannot give the line spacing that makes
    reading comfortable and leaves room for stacked underlines and label tags.
    ``QTextDocumentLayout`` can, and lays a long document out lazily: the
    first screen of a 1 MB article shows in about the time of ``setPlainText``.

How spans are drawn
    Never through the document's formats (no ``mergeCharFormat``, no extra
    selections): spans live in a :class:`~annotator.core.spanindex.SpanIndex`,
    and ``paintEvent`` draws, for the visible paragraphs (blocks) only, tinted
    backgrounds under the text and underlines, trigger boxes, claim marks and
    label tags over it.  What a block needs is computed once from its layout and
    cached (:class:`BlockDecor`); :meth:`ArticleView.apply_changes` drops the
    cache of the blocks an edit touches and nothing else.

    - entities: background tint of the label colour plus a solid underline,
      one lane per nesting depth, so a span inside another stays visible;
    - event triggers: a box in the event colour;
    - claims: a faint tint, a dashed underline and a bar in the left margin;
    - relations: not spans; arcs when one end (or the relation) is selected.

    The selected annotation is outlined; for an event its arguments are
    outlined too and connected to the trigger by labelled arcs.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from operator import attrgetter, eq, ne
from typing import NamedTuple

from PySide6.QtCore import QEvent, QLineF, QMimeData, QPoint, QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextLayout,
    QTextLine,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QFrame, QTextEdit, QToolTip, QWidget

from annotator.core.boundaries import move_boundary
from annotator.core.models import Annotation, SPAN_KINDS
from annotator.core.schema import LabelSchema
from annotator.core.spanindex import SpanIndex, stack_lanes
from annotator.core.text import QtPositionMap, word_span

log = logging.getLogger(__name__)
_get_kind = attrgetter("kind")

__all__ = ["ArticleView", "BlockDecor", "Connector", "READING_FONTS"]

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
    label_pos: QPointF
    color: QColor


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


class _Style(NamedTuple):
    color: QColor  # the label colour
    tint: QColor  # background
    line: QColor  # underline / border
    tag_fg: QColor
    tag_bg: QColor


class _Metrics:
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


class _ArticleDocument(QTextDocument):
    """A document that never loads a resource (no images, no style sheets, no network)."""

    def loadResource(self, type: int, name) -> object:  # noqa: A002 - Qt's signature
        return None


def _reading_font() -> QFont:
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


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TOOLTIP_TEXT_CHARS else flat[: TOOLTIP_TEXT_CHARS - 1] + "…"


class ArticleView(QTextEdit):
    """Read-only view of one article with its annotations (see the module doc)."""

    #: Code-point (start, end) of the current selection (after word snapping); start == end: none.
    spanSelectionChanged = Signal(int, int)
    #: Id of the span clicked: the innermost under the mouse; Ctrl+click or a repeated click cycles.
    annotationClicked = Signal(str)
    #: Double-click on a span, or Enter with a span selected.
    annotationActivated = Signal(str)
    #: The zoom factor changed (1.0 = normal size).
    zoomChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self._map = QtPositionMap("")
        self._schema = LabelSchema()
        self._index = SpanIndex()
        self._relations: dict[str, Annotation] = {}
        self._styles: dict[tuple[str, str], _Style] = {}
        self._decor: dict[int, BlockDecor] = {}
        self._tag_cache: dict[tuple[str, int, int], QPixmap] = {}
        self._tag_widths: dict[str, float] = {}
        #: Colour of a span when not its label's (review's overlay: one per annotator).
        self._color_of: Callable[[Annotation], str] | None = None
        self._selected_id: str | None = None
        self._hover_id: str | None = None
        self._snapping = True
        self._last_span: tuple[int, int] | None = None
        self._press_pos: QPoint | None = None
        self._after_double_click = False
        self._last_click: tuple[tuple[str, ...], str] | None = None
        self._column_margin = 0.0
        self._top_hint = 0
        self._zoom = 1.0
        self._base_font = _reading_font()
        #: Diagnostics (used by tests and benchmarks): blocks decorated so far,
        #: and the blocks the last apply_changes() invalidated.
        self.decor_builds = 0
        self.last_dirty_blocks: list[int] = []

        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setCursorWidth(2)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setPlaceholderText("No document open")
        self.selectionChanged.connect(self._on_selection_changed)
        self._install_document(self._new_document(""))

    # -- document -----------------------------------------------------------------
    def _new_document(self, text: str) -> QTextDocument:
        doc = _ArticleDocument(self)
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(self._font())
        doc.setDocumentMargin(DOCUMENT_MARGIN)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        doc.setDefaultTextOption(option)
        doc.setPlainText(text)
        # Line spacing, set before the document is shown (it is then one cheap
        # format change instead of a relayout).
        block_format = QTextBlockFormat()
        block_format.setLineHeight(LINE_HEIGHT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        cursor = QTextCursor(doc)
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.mergeBlockFormat(block_format)
        return doc

    def _install_document(self, doc: QTextDocument) -> None:
        old = self.document()
        if old is not None and old.parent() is self:
            # setDocument() would delete its child document at once (~10 ms for
            # 1 MB): release it to be deleted after the new one is shown.
            old.setParent(None)
            old.deleteLater()
        self._column_margin = 0.0
        self.setDocument(doc)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFont(self._font())
        self._metrics = _Metrics(self._font())
        self._tag_cache.clear()
        self._tag_widths.clear()
        self._update_column(force=True)

    def loadResource(self, type: int, name) -> object:  # noqa: A002 - Qt's signature
        """Never load anything an article might point at."""
        return None

    def createMimeDataFromSelection(self) -> QMimeData:
        """Copy the stored text of the selection exactly (Qt would turn NBSP into spaces)."""
        mime = QMimeData()
        cursor = self.textCursor()
        start, end = self._map.span_to_cp(cursor.anchor(), cursor.position())
        mime.setText(self._text[start:end])
        return mime

    def insertFromMimeData(self, source: QMimeData) -> None:  # read-only: never insert
        return

    # -- public API -----------------------------------------------------------------
    def set_article(self, text: str, annotations: list[Annotation], schema: LabelSchema) -> None:
        """Show ``text`` (canonical stored text) with ``annotations``, coloured by ``schema``."""
        self._map = QtPositionMap(text)  # refuses non-canonical text, before anything changes
        self._text = text
        self._schema = schema
        self._make_styles()
        self._selected_id = None
        self._hover_id = None
        self._last_click = None
        self._last_span = None
        self._index_all(annotations)
        self._decor.clear()
        self._install_document(self._new_document(text))
        self._top_hint = 0
        if len(text) <= FULL_LAYOUT_CHARS:
            # A few ms for an ordinary article; longer ones are laid out by Qt
            # in the background (see _layout_pending).
            self._finish_layout()
        self.verticalScrollBar().setValue(0)
        self.viewport().update()

    def text(self) -> str:
        """The stored text shown."""
        return self._text

    def set_annotations(self, annotations: list[Annotation]) -> None:
        """Replace every annotation (e.g. after switching annotator)."""
        self._index_all(annotations)
        if self._selected_id is not None and self._get(self._selected_id) is None:
            self._selected_id = None
        self._hover_id = None
        self._decor.clear()
        self.viewport().update()

    def apply_changes(self, added: list[Annotation], removed_ids: set[str], updated: list[Annotation]) -> None:
        """Apply an edit; only the blocks whose spans changed are decorated again."""
        dirty: list[tuple[int, int]] = []
        links_changed = False
        for ann_id in removed_ids:
            old = self._forget(ann_id)
            if old is not None:
                links_changed |= self._touches_links(old)
                if old.span:
                    dirty.append(old.span)
        for ann in updated:
            old = self._forget(ann.id)
            if old is not None:
                links_changed |= self._touches_links(old)
                if old.span:
                    dirty.append(old.span)
        for ann in [*updated, *added]:
            if self._remember(ann):
                links_changed |= self._touches_links(ann)
                if ann.span:
                    dirty.append(ann.span)
        if self._selected_id is not None and self._get(self._selected_id) is None:
            self._selected_id = None
            links_changed = True
        if self._hover_id is not None and self._get(self._hover_id) is None:
            self._hover_id = None
        blocks = self._blocks_of(dirty)
        for number in blocks:
            self._decor.pop(number, None)
        self.last_dirty_blocks = sorted(blocks)
        if links_changed:
            self.viewport().update()
        else:
            self._update_blocks(blocks)

    def set_schema(self, schema: LabelSchema) -> None:
        """New colours / labels: every block is decorated again."""
        self._schema = schema
        self._make_styles()
        self._decor.clear()
        self.viewport().update()

    def selection_span(self) -> tuple[int, int]:
        """The current selection in code points, snapped to whole words when snapping is on."""
        cursor = self.textCursor()
        start, end = self._map.span_to_cp(cursor.anchor(), cursor.position())
        if self._snapping and start < end:
            start, end = word_span(self._text, start, end)
        return start, end

    def raw_selection_span(self) -> tuple[int, int]:
        """The current selection in code points exactly as selected (no snapping)."""
        cursor = self.textCursor()
        return self._map.span_to_cp(cursor.anchor(), cursor.position())

    def select_span(self, start: int, end: int, ensure_visible: bool = True) -> None:
        """Select code points ``[start, end)`` (as given, no snapping)."""
        if not 0 <= start <= end <= len(self._text):
            raise ValueError(f"span ({start}, {end}) is outside the text (0..{len(self._text)})")
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        if ensure_visible:
            self._ensure_span_visible(start, end)

    def set_selected_annotation(self, ann_id: str | None, ensure_visible: bool = False) -> None:
        """Emphasise an annotation (outline; an event also shows its arguments
        linked); with ``ensure_visible``, scroll it into view."""
        ann = self._get(ann_id) if ann_id else None
        self._selected_id = ann.id if ann else None
        if ann is not None and ensure_visible:
            span = ann.span or self._relation_span(ann)
            if span:
                self._ensure_span_visible(*span)
        self.viewport().update()

    def selected_annotation(self) -> str | None:
        return self._selected_id

    def set_word_snapping(self, on: bool) -> None:
        self._snapping = bool(on)
        self._emit_selection()
        self.viewport().update()

    def word_snapping(self) -> bool:
        return self._snapping

    def annotations_at(self, cp: int) -> list[Annotation]:
        """Every span annotation covering code point ``cp``, shortest first."""
        return self._index.at(cp)

    def annotation(self, ann_id: str) -> Annotation | None:
        return self._get(ann_id)

    def zoom_in(self) -> None:
        self._set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self._zoom / ZOOM_STEP)

    def zoom_reset(self) -> None:
        self._set_zoom(1.0)

    def zoom_factor(self) -> float:
        return self._zoom

    def adjust_selected_boundary(self, which: str, delta: int) -> tuple[int, int] | None:
        """New ``(start, end)`` of the selected span after moving its ``which``
        ('start' or 'end') boundary by ``delta`` code points, or by ``delta``
        tokens when word snapping is on.  None if nothing is selected or the
        boundary cannot move (the span would become empty or leave the text)."""
        if which not in ("start", "end"):
            raise ValueError(f"which must be 'start' or 'end', not {which!r}")
        ann = self._get(self._selected_id) if self._selected_id else None
        if ann is None or ann.start is None or ann.end is None:
            return None
        return move_boundary(self._text, (ann.start, ann.end), which, delta, by_token=self._snapping)

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
        relations = [sel] if sel.kind == "relation" else [
            r for r in self._relations.values() if sel.id in (r.head, r.tail)
        ]
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
        lines = [head, f"“{esc(_snippet(ann.text_in(self._text)))}”"]
        if ann.kind == "event":
            for arg in ann.arguments:
                target = self._get(arg.target)
                shown = _snippet(target.text_in(self._text)) if target else "(missing)"
                lines.append(f"&nbsp;&nbsp;{esc(arg.role)}: “{esc(shown)}”")
        elif ann.kind == "claim":
            if ann.claimant_ref:
                target = self._get(ann.claimant_ref)
                who = _snippet(target.text_in(self._text)) if target else "(missing)"
                lines.append(f"&nbsp;&nbsp;claimant: “{esc(who)}”")
            elif ann.claimant_text:
                lines.append(f"&nbsp;&nbsp;claimant: {esc(_snippet(ann.claimant_text))}")
        for key, value in ann.attributes.items():
            lines.append(f"&nbsp;&nbsp;{esc(str(key))}: {esc(_snippet(str(value)))}")
        for rel in self._relations.values():
            if ann.id in (rel.head, rel.tail):
                other = self._get(rel.tail if rel.head == ann.id else rel.head)
                shown = _snippet(other.text_in(self._text)) if other else "(missing)"
                arrow = "→" if rel.head == ann.id else "←"
                lines.append(f"&nbsp;&nbsp;{esc(rel.label)} {arrow} “{esc(shown)}”")
        return "<tr><td style='white-space:pre-wrap'>" + "<br>".join(lines) + "</td></tr>"

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
            log.warning("annotation %s has span (%s, %s) outside the text (length %d); not shown",
                        ann.id, ann.start, ann.end, len(self._text))
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
        return ann.id == sel or sel in ann.referenced_ids() or (
            (cur := self._get(sel)) is not None and ann.id in cur.referenced_ids()
        )

    def _relation_span(self, rel: Annotation) -> tuple[int, int] | None:
        ends = [a for a in (self._index.get(rel.head or ""), self._index.get(rel.tail or "")) if a]
        if not ends:
            return None
        return min(a.start for a in ends), max(a.end for a in ends)  # type: ignore[type-var]

    # -- styles ----------------------------------------------------------------------
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

    def _style(self, ann: Annotation) -> _Style:
        color = self._color_of(ann) if self._color_of is not None else None
        key = (ann.kind, ann.label) if color is None else (ann.kind, "\0" + color)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self._make_style(color or self._schema.color(ann.kind, ann.label), ann.kind)
        return style

    def _make_style(self, hex_color: str, kind: str) -> _Style:
        color = QColor(hex_color)
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        tint = QColor(color)
        tint.setAlphaF({"entity": 0.34, "event": 0.22, "claim": 0.11}.get(kind, 0.3) * (1.5 if dark else 1.0))
        line = QColor(color).lighter(115) if dark else QColor(color).darker(135)
        tag_fg = QColor(color).lighter(140) if dark else QColor(color).darker(230)
        tag_bg = QColor(color)
        tag_bg.setAlphaF(0.30 if dark else 0.26)
        return _Style(color, tint, line, tag_fg, tag_bg)

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
        return bool(self._text) and self.document().documentLayout().hitTest(
            QPointF(0, 0), Qt.HitTestAccuracy.FuzzyHit
        ) != 0

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
        start, end = max(ann.start, cp_range[0]), min(ann.end, cp_range[1])  # type: ignore[type-var]
        return self._span_rects(start, end) if start < end else []

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

    def _build_decor(self, block: QTextBlock, layout: QTextLayout) -> BlockDecor:
        decor = BlockDecor()
        bq = block.position()
        cs, ce = self._map.to_cp(bq), self._map.to_cp(bq + block.length() - 1)
        anns = self._index.overlapping(cs, ce)
        if not anns:
            return decor
        m = self._metrics
        decor.lanes = stack_lanes(
            (max(a.start, cs), min(a.end, ce), a.id) for a in anns if a.kind != "event"  # type: ignore[type-var]
        )
        tags_on_line: dict[int, float] = {}
        for ann in anns:
            style = self._style(ann)
            s, e = max(ann.start, cs), min(ann.end, ce)  # type: ignore[type-var]
            segs = self._segments(layout, self._map.to_qt(s) - bq, self._map.to_qt(e) - bq)
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

    # -- layout, font, zoom ------------------------------------------------------------
    def _font(self) -> QFont:
        font = QFont(self._base_font)
        font.setPointSizeF(BASE_POINT_SIZE * self._zoom)
        return font

    def _set_zoom(self, factor: float) -> None:
        factor = min(max(factor, ZOOM_MIN), ZOOM_MAX)
        if abs(factor - 1.0) < 0.02:
            factor = 1.0
        if factor == self._zoom:
            return
        anchor_cp = self._top_cp()
        self._zoom = factor
        font = self._font()
        self._metrics = _Metrics(font)
        self._tag_cache.clear()
        self._tag_widths.clear()
        self.document().setDefaultFont(font)
        self.setFont(font)
        self._decor.clear()
        self._update_column(force=True)
        if anchor_cp is not None:  # keep the same text at the top
            rects = self._span_rects(anchor_cp, min(anchor_cp + 1, len(self._text)), limit_blocks=1)
            if rects:
                self.verticalScrollBar().setValue(int(rects[0].top() - self._metrics.line_height))
        self.viewport().update()
        self.zoomChanged.emit(self._zoom)

    def _top_cp(self) -> int | None:
        if not self._text:
            return None
        if self._layout_pending():
            return self._map.to_cp(self._top_block().position())
        pos = self.document().documentLayout().hitTest(
            QPointF(self._column_margin + 1, self.verticalScrollBar().value() + 4),
            Qt.HitTestAccuracy.FuzzyHit,
        )
        return self._map.to_cp(max(0, min(pos, self._map.qt_length)))

    def _update_column(self, force: bool = False) -> None:
        """Centre a text column of comfortable width (side margins in the root frame)."""
        width = self.viewport().width()
        column = self._metrics.char_width * MAX_COLUMN_CHARS
        margin = max(float(DOCUMENT_MARGIN), (width - column) / 2)
        if abs(margin - self._column_margin) < 2 and not force:
            return
        self._column_margin = margin
        self._set_frame_margins()

    def _set_frame_margins(self) -> None:
        root = self.document().rootFrame()
        fmt = root.frameFormat()
        fmt.setLeftMargin(self._column_margin)
        fmt.setRightMargin(self._column_margin)
        fmt.setTopMargin(DOCUMENT_MARGIN + self._metrics.line_height * 1.6)  # room for the first line's tags and arcs
        fmt.setBottomMargin(DOCUMENT_MARGIN + self._metrics.line_height * 2)
        root.setFrameFormat(fmt)
        self._decor.clear()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        old_width = event.oldSize().width()
        super().resizeEvent(event)
        if event.size().width() != old_width:
            self._decor.clear()  # lines wrap elsewhere now
            self._update_column()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._make_styles()
            self._decor.clear()

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
            if top - 2 <= local.y() < top + line.ascent() + line.descent() + self._metrics.lane_offset + 2 * self._metrics.lane_gap:
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
            return self._index.at(cp)
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
        self.annotationClicked.emit(chosen)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._layout_pending():
            self._finish_layout()
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        self._after_double_click = True
        cp = self._char_at(event.position())
        if cp is None:
            super().mouseDoubleClickEvent(event)
            return
        start, end = word_span(self._text, cp, cp)
        if start == end:
            start, end = cp, cp + 1
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
                anns = self._index.at(self._map.to_cp(cursor.position())) if self._text else []
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
