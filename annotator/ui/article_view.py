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

Where the parts are
    This module holds the widget and its public API (document, selection,
    zoom); :mod:`~annotator.ui.article_decor` the span index, styles, block
    geometry and decoration cache; :mod:`~annotator.ui.article_paint` the
    painting of tints, tags and arcs, and tooltips;
    :mod:`~annotator.ui.article_input` mouse and keyboard. Boundary moves are
    in :mod:`annotator.core.boundaries`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QFont, QPixmap, QTextBlockFormat, QTextCursor, QTextDocument, QTextOption
from PySide6.QtWidgets import QFrame, QTextEdit, QWidget

from annotator.core.spanindex import SpanIndex
from annotator.core.text import QtPositionMap
from annotator.ui.article_decor import (
    BASE_POINT_SIZE,
    DOCUMENT_MARGIN,
    FULL_LAYOUT_CHARS,
    LINE_HEIGHT,
    MAX_COLUMN_CHARS,
    READING_FONTS,
    ZOOM_MAX,
    ZOOM_MIN,
    ZOOM_STEP,
    ArticleDocument,
    BlockDecor,
    Connector,
    LaneMetrics,
    SpanDecorations,
    SpanStyle,
    reading_font,
)
from annotator.ui.article_input import ArticleInput
from annotator.ui.article_paint import ArcsAndTags
from annotator.ui.basic import own_viewport

if TYPE_CHECKING:
    from annotator.core.models import Annotation
    from annotator.core.schema import LabelSchema

__all__ = ["ArticleView", "BlockDecor", "Connector", "READING_FONTS", "on_pieces"]


def on_pieces(anns: list[Annotation], cp: int) -> list[Annotation]:
    """Those of ``anns`` (covering ``cp`` by their hull) that have a fragment at ``cp``."""
    return [a for a in anns if a.fragments is None or any(s <= cp < e for s, e in a.fragments)]


class ArticleView(ArticleInput, ArcsAndTags, SpanDecorations, QTextEdit):
    """Read-only view of one article with its annotations (see the module doc)."""

    #: Code-point (start, end) of the current selection (after word snapping); start == end: none.
    spanSelectionChanged = Signal(int, int)
    #: Id of the span clicked: the innermost under the mouse; Ctrl+click or a repeated click cycles.
    annotationClicked = Signal(str)
    #: Double-click on a span, or Enter with a span selected.
    annotationActivated = Signal(str)
    #: The zoom factor changed (1.0 = normal size).
    zoomChanged = Signal(float)
    #: Code-point (start, end) selected by a Ctrl+drag: a fragment to add to the selected span (issue 14).
    fragmentDragged = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        own_viewport(self)  # not Qt's: see own_viewport (20-30 ms of the start)
        self._text = ""
        self._map = QtPositionMap("")
        #: The colours of labels; None: grey for every label (an empty schema),
        #: made on first need (a window shows its text before its schema is read).
        self._schema: LabelSchema | None = None
        self._index = SpanIndex()
        self._relations: dict[str, Annotation] = {}
        #: Notes shown in tooltips: annotation id -> {type: text}.
        self._notes: dict[str, dict[str, str]] = {}
        self._styles: dict[tuple[str, str], SpanStyle] = {}
        self._decor: dict[int, BlockDecor] = {}
        self._tag_cache: dict[tuple[str, int, int], QPixmap] = {}
        self._tag_widths: dict[str, float] = {}
        #: Colour of a span when not its label's (review's overlay: one per annotator).
        self._color_of: Callable[[Annotation], str] | None = None
        #: The chain view (coreference): colour of each clustered mention; None: off.
        self._chains: dict[str, str] | None = None
        #: The current cluster's mentions (text order) and its colour (None: the accent).
        self._chain: list[str] = []
        self._chain_color: str | None = None
        self._selected_id: str | None = None
        self._hover_id: str | None = None
        #: Drawn over the text after the annotations (suggestions, issue 17):
        #: ``paint(painter, scroll offset, (first, last) visible code points)``.
        self.overlays: list[Callable[..., None]] = []
        #: Extra tooltip rows for a code point (HTML, escaped by the provider).
        self.tooltip_providers: list[Callable[[int], str]] = []
        self._snapping = True
        self._last_span: tuple[int, int] | None = None
        self._press_pos: QPoint | None = None
        self._after_double_click = False
        self._last_click: tuple[tuple[str, ...], str] | None = None
        #: Code point of the last click on a span (which fragment of it was clicked).
        self.last_click_cp: int | None = None
        self._column_margin = 0.0
        self._top_hint = 0
        self._zoom = 1.0
        self._base_font = reading_font()
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
        #: The document this view made and shows (None: still Qt's own).
        self._own_document: QTextDocument | None = None
        self._install_document(self._new_document(""))

    # -- document -----------------------------------------------------------------
    def _new_document(self, text: str) -> QTextDocument:
        doc = ArticleDocument(self)
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
        # (Compared with the one this view made, not by its parent: asking Qt's
        # own first document for its parent, an internal class, makes PySide
        # build the Python type of every Qt class loaded, 40-50 ms of the start.)
        if old is not None and old is self._own_document and old.parent() is self:
            # setDocument() would delete its child document at once (~10 ms for
            # 1 MB): release it to be deleted after the new one is shown.
            old.setParent(None)
            old.deleteLater()
        self._column_margin = 0.0
        self.setDocument(doc)
        self._own_document = doc
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFont(self._font())
        self._metrics = LaneMetrics(self._font())
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
    def set_article(self, text: str, annotations: list[Annotation], schema: LabelSchema | None) -> None:
        """Show ``text`` (canonical stored text) with ``annotations``, coloured by
        ``schema`` (None: as by an empty schema)."""
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

    def set_chain_colors(self, colors: dict[str, str] | None) -> None:
        """The chain view: draw each mention in ``colors`` (annotation id -> ``#rrggbb``)
        in that colour and other entity spans grey; None: labels' colours again.
        Only the blocks of mentions whose colour changed are decorated again."""
        old = self._chains
        self._chains = dict(colors) if colors is not None else None
        if old is None or colors is None:
            if old is not None or colors is not None:
                self._decor.clear()
                self.viewport().update()
            return
        changed = [i for i in old.keys() | colors.keys() if old.get(i) != colors.get(i)]
        spans = [a.span for i in changed if (a := self._index.get(i)) is not None and a.span]
        blocks = self._blocks_of(spans)
        for number in blocks:
            self._decor.pop(number, None)
        self.last_dirty_blocks = sorted(blocks)
        self._update_blocks(blocks)

    def patch_chain_colors(self, colors: dict[str, str | None]) -> None:
        """Change the chain view's colour of some mentions (None: in no cluster now);
        only their blocks are decorated again."""
        chains = self._chains
        if chains is None:
            return
        changed = []
        for ann_id, color in colors.items():
            if chains.get(ann_id) != color:
                changed.append(ann_id)
                if color is None:
                    del chains[ann_id]
                else:
                    chains[ann_id] = color
        spans = [a.span for i in changed if (a := self._index.get(i)) is not None and a.span]
        blocks = self._blocks_of(spans)
        for number in blocks:
            self._decor.pop(number, None)
        self.last_dirty_blocks = sorted(blocks)
        self._update_blocks(blocks)

    def chain_colors(self) -> dict[str, str] | None:
        """The chain view's colours (annotation id -> colour), None while it is off."""
        return None if self._chains is None else dict(self._chains)

    def set_current_chain(self, ann_ids: list[str], color: str | None) -> None:
        """Link the current cluster's mentions (``ann_ids``, in text order): outlined,
        with a rail and dots in the left margin; ``color`` None: the accent colour."""
        chain = [i for i in ann_ids if self._index.get(i) is not None]
        if chain == self._chain and color == self._chain_color:
            return
        self._chain, self._chain_color = chain, color
        self.viewport().update()

    def current_chain(self) -> list[str]:
        return list(self._chain)

    def selection_span(self) -> tuple[int, int]:
        """The current selection in code points, snapped to whole words when snapping is on."""
        cursor = self.textCursor()
        start, end = self._map.span_to_cp(cursor.anchor(), cursor.position())
        if self._snapping and start < end:
            from annotator.core.boundaries import word_span  # the tokenizer: not needed for the first paint

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
        """Every span annotation covering code point ``cp``, shortest first (a
        discontinuous span only where one of its fragments is, not between them)."""
        return on_pieces(self._index.at(cp), cp)

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

    def adjust_selected_boundary(self, which: str, delta: int, piece: int | None = None) -> tuple[int, int] | None:
        """New ``(start, end)`` of the selected span after moving its ``which``
        ('start' or 'end') boundary by ``delta`` code points, or by ``delta``
        tokens when word snapping is on.  None if nothing is selected or the
        boundary cannot move (the span would become empty or leave the text).
        ``piece``: of that fragment of a discontinuous span (its new range)."""
        if which not in ("start", "end"):
            raise ValueError(f"which must be 'start' or 'end', not {which!r}")
        ann = self._get(self._selected_id) if self._selected_id else None
        if ann is None or ann.start is None or ann.end is None:
            return None
        span = (ann.start, ann.end)
        if piece is not None:
            pieces = ann.pieces
            if not 0 <= piece < len(pieces):
                return None
            span = pieces[piece]
        from annotator.core.boundaries import move_boundary  # the tokenizer: not needed for the first paint

        return move_boundary(self._text, span, which, delta, by_token=self._snapping)

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
        self._metrics = LaneMetrics(font)
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
        pos = (
            self.document()
            .documentLayout()
            .hitTest(
                QPointF(self._column_margin + 1, self.verticalScrollBar().value() + 4),
                Qt.HitTestAccuracy.FuzzyHit,
            )
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
