"""Drawing over the article text: span tints and underlines, label tags, the
emphasis of the selected annotation, argument and relation arcs, tooltips.

:class:`ArcsAndTags` is mixed into :class:`~annotator.ui.article_view.ArticleView`;
it draws what :class:`~annotator.ui.article_decor.SpanDecorations` computed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPalette, QPen, QPixmap, QPolygonF

from annotator.ui.actions import escape
from annotator.ui.article_decor import BlockDecor, Connector, LaneMetrics, tooltip_snippet

if TYPE_CHECKING:
    from annotator.core.models import Annotation


#: Pens of an arc: its line, over a halo in the base colour as wide as this.
ARC_WIDTH = 1.6
ARC_HALO = 4.0
HALO_ALPHA = 0.6
#: Room left between an arc's end (an arrow's tip) and the tag it points at.
TIP_GAP = 3.0
#: Room left on each side of an arc where it passes straight between tags.
STEM_ROOM = 5.0
#: Where along an arc its label may sit (fractions of its length), best first.
LABEL_PLACES = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.1, 0.9)
#: Costs of a route. What must never happen (an arc or a label over a tag, a
#: label over a label) costs more than all that is only untidy together.
_FORBIDDEN = 1000.0
_OVER_LABEL = 40.0  # an arc passing under another arc's label
_OVER_TEXT = 8.0  # a label over words (times the part of the label that covers them)
_OVER_WORD = 1.0  # an arc crossing a word (its halo cuts through the letters)
_OFF_PAGE_LABEL = 100.0  # a label cut off by the edge of the page
_OFF_PAGE = 4.0  # an arc leaving the page
_OFF_CENTRE = 3.0  # a label away from the middle of its arc (times the distance in fractions)
_OFF_ARC = 2.0  # a label on the straight part of a route, not on its arc
_ASIDE = 1.5  # a label beside its arc (the arc through its rounded end), not centred on it
_OTHER_END = 0.4  # each step away from the best place to meet a span
_CURVE = 6.0  # a curve between lines instead of an arc over one line
_MARGIN = 15.0  # the way round by the left margin


_WORD = re.compile(r"\S+")


#: Characters of a note shown in a tooltip.
NOTE_CHARS = 300


class ArcEnd(NamedTuple):
    """One end of an arc: the span's first line piece and, when drawn, its tag."""

    rect: QRectF
    tag: QRectF | None


class ArcLink(NamedTuple):
    label: str
    source_id: str
    target_id: str
    source: ArcEnd
    target: ArcEnd
    color: QColor


class ArcScene(NamedTuple):
    """What arcs and their labels keep clear of (in the coordinates of the ends)."""

    tags: list[QRectF]
    words: list[QRectF]  # the words' pieces on each line
    page: QRectF  # where anything drawn can be seen
    left: float  # the text column's left edge


class _Route(NamedTuple):
    path: QPainterPath
    start: QPointF
    end: QPointF
    arc: QPainterPath  # the part its label should sit on
    penalty: float  # how much worse it looks than the best kind of route


def arc_outline(path: QPainterPath) -> QPainterPath:
    """The area an arc covers when painted (its halo)."""
    stroker = QPainterPathStroker()
    stroker.setWidth(ARC_HALO)
    return stroker.createStroke(path)


def route_arcs(links: list[ArcLink], scene: ArcScene, m: LaneMetrics) -> list[Connector]:
    """Route each arc and place its label: no arc and no label over a label
    tag, no label over another; among such routes, the plainest whose label
    covers the least text, nearest the middle of its arc.

    An arc ends on its span's tag, or on the span's top where no tag is over
    it. Between spans on one line it runs above the line's tags (nearer pairs
    lower); to another line it runs above the higher line's tags and goes
    straight down or up where no tag is in the way. When every such way is
    blocked: curves between the lines, and last the way along the gaps above
    the two lines and down the column's left margin, where there are no tags."""
    order = sorted(
        links,
        key=lambda a: (
            abs(a.target.rect.center().x() - a.source.rect.center().x()) + 4 * abs(a.target.rect.top() - a.source.rect.top())
        ),
    )
    tags, words = _boxes(scene.tags), _boxes(scene.words)
    labels: list[QRectF] = []
    out: list[Connector] = []
    for link in order:
        size = QSizeF(m.tag_fm.horizontalAdvance(link.label) + 10, m.tag_height + 2)
        best: tuple[float, _Route, QRectF] | None = None
        for route in _routes(link, scene, m):
            if best is not None and route.penalty >= best[0]:
                continue
            outline = arc_outline(route.path)
            near = outline.boundingRect()
            cost = route.penalty
            cost += _FORBIDDEN * sum(1 for *_, t in _within(tags, near) if outline.intersects(t))
            cost += _OVER_LABEL * sum(1 for r in labels if r.intersects(near) and outline.intersects(r))
            cost += _OVER_WORD * sum(1 for *_, w in _within(words, near) if outline.intersects(w))
            if near.top() < scene.page.top() or near.bottom() > scene.page.bottom():
                cost += _OFF_PAGE
            if best is not None and cost >= best[0]:
                continue
            rect, label_cost = _place_label(route, size, tags, words, labels, scene.page)
            cost += label_cost
            if best is None or cost < best[0]:
                best = (cost, route, rect)
        assert best is not None
        _cost, route, rect = best
        labels.append(rect)
        out.append(
            Connector(
                link.label, link.source_id, link.target_id, route.start, route.end, route.path, rect.center(), link.color, rect
            )
        )
    return out


_Box = tuple[float, float, float, float, QRectF]


def _boxes(rects: list[QRectF]) -> list[_Box]:
    return [(*r.getCoords(), r) for r in rects]


def _within(boxes: list[_Box], rect: QRectF) -> list[_Box]:
    """The boxes that overlap ``rect`` (plain arithmetic: thousands are checked per arc)."""
    left, top, right, bottom = rect.getCoords()
    return [box for box in boxes if box[1] < bottom and box[3] > top and box[0] < right and box[2] > left]


def _place_label(
    route: _Route, size: QSizeF, all_tags: list[_Box], all_words: list[_Box], labels: list[QRectF], page: QRectF
) -> tuple[QRectF, float]:
    """The best place for a label on ``route`` and what it costs."""
    reach = route.path.controlPointRect().adjusted(-size.width(), -size.height(), size.width(), size.height())
    tags = [tag for *_, tag in _within(all_tags, reach)]
    words = _within(all_words, reach)
    others = [r.adjusted(-2, -1, 2, 1) for r in labels if r.intersects(reach)]
    area = size.width() * size.height()
    best: tuple[float, QRectF] | None = None
    # On the arc (centred on it, or beside it with the arc through its end), then on the rest of the route.
    aside = size.width() / 2 - size.height() / 2
    places = [(route.arc, t, dx, 0.0 if dx == 0 else _ASIDE) for dx in (0.0, -aside, aside) for t in LABEL_PLACES]
    if route.arc is not route.path:
        places += [(route.path, t, 0.0, _OFF_ARC) for t in LABEL_PLACES]
    points: dict[tuple[int, float], QPointF] = {}
    for path, t, dx, extra in places:
        cost = extra + abs(t - 0.5) * _OFF_CENTRE
        if best is not None and cost >= best[0]:
            continue
        point = points.get((id(path), t))
        if point is None:
            point = points[(id(path), t)] = path.pointAtPercent(t)
        rect = QRectF(QPointF(0, 0), size)
        rect.moveCenter(point + QPointF(dx, 0))
        cost += _FORBIDDEN * sum(1 for tag in tags if rect.intersects(tag))
        cost += _FORBIDDEN * sum(1 for other in others if rect.intersects(other))
        if not page.contains(rect):
            cost += _OFF_PAGE_LABEL
        left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
        covered = 0.0
        for w_left, w_top, w_right, w_bottom, _ in words:
            if w_top < bottom and w_bottom > top and w_left < right and w_right > left:
                covered += (min(right, w_right) - max(left, w_left)) * (min(bottom, w_bottom) - max(top, w_top))
        cost += _OVER_TEXT * covered / area
        if best is None or cost < best[0]:
            best = (cost, rect)
    assert best is not None
    return best[1], best[0]


def _clear_of(rect: QRectF, tags: list[QRectF]) -> bool:
    return not any(rect.intersects(t) for t in tags)


def _spread(centre: float, lo: float, hi: float, step: float = 3.0) -> Iterator[float]:
    """Positions from ``centre`` outwards within [lo, hi]."""
    if hi < lo:
        yield centre
        return
    centre = min(max(centre, lo), hi)
    yield centre
    offset = step
    while centre - offset >= lo or centre + offset <= hi:
        for x in (centre - offset, centre + offset):
            if lo <= x <= hi:
                yield x
        offset += step


def _tips(end: ArcEnd, tags: list[QRectF], m: LaneMetrics) -> Iterator[QPointF]:
    """Where an arc may meet a span from above, best first: on the span's tag,
    or on the span's top where no tag is over it."""
    r = end.rect
    band_top = r.top() - m.tag_height - 1
    over = [
        t for t in tags if t.bottom() > band_top and t.top() < r.top() and t.right() > r.left() - 8 and t.left() < r.right() + 8
    ]
    tag = end.tag
    if tag is not None:  # on its own tag first: it names the span
        for x in _spread(r.center().x(), tag.left() + STEM_ROOM, tag.right() - STEM_ROOM, 6.0):
            yield QPointF(x, tag.top() - TIP_GAP)
    for x in _spread(r.center().x(), r.left() + 2, r.right() - 2, 6.0):
        if not any(t.left() - STEM_ROOM <= x <= t.right() + STEM_ROOM for t in over):
            yield QPointF(x, r.top() - 1)
    if tag is None:  # every place is under a tag: on top of the one there
        x = r.center().x()
        tops = [t.top() for t in over if t.left() <= x <= t.right()]
        yield QPointF(x, min(tops, default=r.top()) - TIP_GAP)


def _clear_height(end: ArcEnd, m: LaneMetrics) -> float:
    """A height just above the tags of the end's line."""
    return end.rect.top() - m.tag_height - 1 - TIP_GAP


def _over(path: QPainterPath, a: QPointF, b: QPointF, height: float) -> QPainterPath:
    """Continue ``path`` (at ``a``) with an arc ``height`` high to ``b`` (as high as ``a``)."""
    if abs(b.x() - a.x()) < 4:  # the same place: a small loop
        path.cubicTo(QPointF(a.x() - 24, a.y() - height), QPointF(b.x() + 24, b.y() - height), b)
    else:
        path.cubicTo(QPointF(a.x(), a.y() - height), QPointF(b.x(), b.y() - height), b)
    return path


def _routes(link: ArcLink, scene: ArcScene, m: LaneMetrics) -> Iterator[_Route]:
    """The routes an arc may take, with what each costs by its kind."""
    s, t = link.source, link.target
    lh = m.line_height
    tags = scene.tags
    heights = [lh * (0.55 + 0.45 * level) for level in range(6)]
    first1, first2 = next(_tips(s, tags, m)), next(_tips(t, tags, m))
    if abs(s.rect.top() - t.rect.top()) < lh * 0.5:  # one line: over it, lowest first
        y = min(_clear_height(s, m), _clear_height(t, m), first1.y(), first2.y())
        for level, height in enumerate(heights):
            a, b = QPointF(first1.x(), y), QPointF(first2.x(), y)
            arc = _over(QPainterPath(a), a, b, height)
            path = QPainterPath(first1)
            path.lineTo(a)
            _over(path, a, b, height)
            path.lineTo(first2)
            yield _Route(path, first1, first2, arc, level)
        return
    down = t.rect.top() > s.rect.top()
    # Over the higher line, then straight to the lower end where no tag is in the way.
    high, low = (s, t) if down else (t, s)
    high_tip = first1 if down else first2
    y = min(_clear_height(high, m), high_tip.y())
    found = 0
    for low_tip in _tips(low, tags, m):
        x = low_tip.x()
        if not _clear_of(QRectF(x - STEM_ROOM, y, 2 * STEM_ROOM, low_tip.y() - y), tags):
            continue
        for level, height in enumerate(heights):
            a, b = (QPointF(high_tip.x(), y), QPointF(x, y)) if down else (QPointF(x, y), QPointF(high_tip.x(), y))
            arc = _over(QPainterPath(a), a, b, height)
            start, end = (high_tip, low_tip) if down else (low_tip, high_tip)
            path = QPainterPath(start)
            path.lineTo(a)
            _over(path, a, b, height)
            path.lineTo(end)
            yield _Route(path, start, end, arc, level + _OTHER_END * found)
        found += 1
        if found == 6:
            break
    # Curves between the lines: from the source's top, to the target's top.
    clear1, clear2 = _clear_height(s, m), _clear_height(t, m)
    for bend in (0.5, 0.85):
        p1, p2 = QPointF(first1.x(), min(clear1, first1.y())), QPointF(first2.x(), min(clear2, first2.y()))
        reach = bend * max(abs(p2.y() - p1.y()), lh)
        arc = QPainterPath(p1)
        arc.cubicTo(QPointF(p1.x(), p1.y() - reach), QPointF(p2.x(), min(p1.y(), p2.y()) - reach), p2)
        path = QPainterPath(first1)
        path.lineTo(p1)
        path.cubicTo(QPointF(p1.x(), p1.y() - reach), QPointF(p2.x(), min(p1.y(), p2.y()) - reach), p2)
        path.lineTo(first2)
        yield _Route(path, first1, first2, arc, _CURVE + bend)
    # Last, never over a tag: along the gaps above both lines and down the left margin.
    x, corner = scene.left - 10, 6.0
    y1, y2 = min(clear1, first1.y()) - 5, min(clear2, first2.y()) - 5  # the ends: straight down
    turn = corner if y2 > y1 else -corner
    path = QPainterPath(first1)
    path.lineTo(first1.x(), y1)
    path.lineTo(x + corner, y1)
    path.quadTo(QPointF(x, y1), QPointF(x, y1 + turn))
    path.lineTo(x, y2 - turn)
    path.quadTo(QPointF(x, y2), QPointF(x + corner, y2))
    path.lineTo(first2.x(), y2)
    path.lineTo(first2)
    yield _Route(path, first1, first2, path, _MARGIN)


def _moved(conn: Connector, by: QPointF) -> Connector:
    return conn._replace(
        start=conn.start + by,
        end=conn.end + by,
        path=conn.path.translated(by),
        label_pos=conn.label_pos + by,
        label_rect=conn.label_rect.translated(by),
    )


def _rects_key(rects: list[QRectF]) -> tuple[tuple[float, float, float, float], ...]:
    return tuple(r.getRect() for r in rects)


def _arcs_key(links: list[ArcLink]) -> tuple:
    return tuple(
        (
            a.label,
            a.source_id,
            a.target_id,
            a.source.rect.getRect(),
            a.target.rect.getRect(),
            a.source.tag.getRect() if a.source.tag is not None else None,
            a.target.tag.getRect() if a.target.tag is not None else None,
            a.color.rgba(),
        )
        for a in links
    )


class ArcsAndTags:
    """Painting, connectors (arcs) and tooltips of the article view."""

    # -- connectors ------------------------------------------------------------------
    def connectors(self) -> list[Connector]:
        """Arcs for the selected annotation, in viewport coordinates: an event's
        arguments (labelled with the role), a claim's claimant, a relation, or
        the relations of a selected span.  Routed by :func:`route_arcs`, so no
        arc and no role label is drawn over a label tag."""
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
        if not links:
            return []
        tags, tag_of, lines = self._tags_and_lines()

        def end_of(ann: Annotation) -> ArcEnd | None:
            rect = self._first_rect(ann)
            if rect is None:
                return None
            tag = tag_of.get(ann.id)
            return ArcEnd(rect, tag if tag is not None and abs(tag.bottom() + 1 - rect.top()) < 1 else None)

        arcs = []
        for label, source, target, color in links:
            e1, e2 = end_of(source), end_of(target)
            if e1 is not None and e2 is not None:
                arcs.append(ArcLink(label, source.id, target.id, e1, e2, color))
        if not arcs:
            return []
        # Routed in document coordinates, so that scrolling reuses the routes. Only
        # the tags and lines of the band the arcs can take part in routing (from
        # room for every arc stacked above the highest end to below the lowest):
        # a scroll that changes which other blocks are laid out keeps the routes.
        ends = [r for a in arcs for e in (a.source, a.target) for r in (e.rect, e.tag) if r is not None]
        room = (len(arcs) + 3) * (self._metrics.tag_height + 6)
        band = QRectF(-1e7, min(r.top() for r in ends) - room, 2e7, 0)
        band.setBottom(max(r.bottom() for r in ends) + room)
        tags = [r for r in tags if r.intersects(band)]
        lines = [r for r in lines if r.intersects(band)]
        page = QRectF(0, 0, self.viewport().width(), 1e7)
        key = (
            _arcs_key(arcs),
            _rects_key(tags),
            _rects_key(lines),
            page.getRect(),
            self._column_margin,
            self._metrics.tag_height,
        )
        cached = getattr(self, "_arc_cache", None)
        if cached is not None and cached[0] == key:
            routed = cached[1]
        else:
            words = [r for r in self._words_near() if r.intersects(band)]
            routed = route_arcs(arcs, ArcScene(tags, words, page, self._column_margin), self._metrics)
            self._arc_cache = (key, routed)
        offset = self._scroll_offset()
        return [_moved(conn, -offset) for conn in routed]

    #: Drawn over the text last (set by :class:`~annotator.ui.article_view.ArticleView`).
    overlays: list

    def tag_rects(self) -> list[QRectF]:
        """The label tags drawn in the viewport, in viewport coordinates."""
        offset = self._scroll_offset()
        return [tag.translated(-offset) for tag in self._tags_and_lines()[0]]

    def _tags_and_lines(self) -> tuple[list[QRectF], dict[str, QRectF], list[QRectF]]:
        """In document coordinates: the tags of the visible blocks, the tag of
        each annotation there, and their lines of text."""
        tags: list[QRectF] = []
        tag_of: dict[str, QRectF] = {}
        lines: list[QRectF] = []
        for block in self._visible_blocks():
            decor = self._block_decor(block)
            layout = block.layout()
            origin = layout.position()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                lines.append(QRectF(line.x(), line.y(), line.naturalTextWidth(), line.height()).translated(origin))
            if decor is not None:
                for rect, _text, _fg, _bg, ann_id in decor.tags:
                    tag = rect.translated(origin)
                    tags.append(tag)
                    tag_of[ann_id] = tag
        return tags, tag_of, lines

    def _words_near(self) -> list[QRectF]:
        """The pieces of the words of the visible blocks on their lines, in
        document coordinates."""
        out: list[QRectF] = []
        for block in self._visible_blocks():
            layout = block.layout()
            if layout is None or layout.lineCount() == 0:
                continue
            origin = layout.position()
            bq = block.position()
            cs, ce = self._map.to_cp(bq), self._map.to_cp(bq + block.length() - 1)
            for word in _WORD.finditer(self._text, cs, ce):
                qs, qe = self._map.to_qt(word.start()) - bq, self._map.to_qt(word.end()) - bq
                for line, x1, x2 in self._segments(layout, qs, qe):
                    out.append(QRectF(x1, line.y(), x2 - x1, line.ascent() + line.descent()).translated(origin))
        return out

    # -- tooltips -------------------------------------------------------------------
    def set_notes(self, notes: dict[str, dict[str, str]]) -> None:
        """The notes the tooltips show: annotation id -> {type: text}."""
        self._notes = notes

    def tooltip_text(self, cp: int) -> str:
        """Tooltip markup for code point ``cp``: every annotation there (kind,
        label, annotated text, arguments/claim details); all text escaped."""
        anns = self.annotations_at(cp)
        if not anns:
            return ""
        rows = [self._tooltip_row(a) for a in anns]
        return "<qt><table cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table></qt>"

    def _tooltip_row(self, ann: Annotation) -> str:
        esc = escape
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
        for note_type, note in sorted(self._notes.get(ann.id, {}).items()):
            caption = "note" if note_type == "AnnotatorNotes" else f"note ({esc(note_type)})"
            flat = " ".join(note.split())
            flat = flat if len(flat) <= NOTE_CHARS else flat[: NOTE_CHARS - 1] + "…"
            lines.append(f"&nbsp;&nbsp;<i>{caption}:</i> {esc(flat)}")
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
            for overlay in self.overlays:
                overlay(painter, offset, (first_cp, max(last_cp, first_cp + 1)))
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
            from annotator.core.boundaries import word_span  # the tokenizer: not needed for the first paint

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
        if self._chain:
            self._paint_chain(painter, offset, visible)
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

    def _paint_chain(self, painter: QPainter, offset: QPointF, visible: tuple[int, int]) -> None:
        """The current cluster's mentions linked: each visible one outlined in the
        cluster's colour, and a rail in the left margin with a dot at each of them
        (the rail runs to the edge where more mentions are above or below)."""
        color = QColor(self._chain_color) if self._chain_color else self.palette().color(QPalette.ColorRole.Highlight)
        ys: list[float] = []
        above = below = False
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(color, 1.6))
        for ann_id in self._chain:
            ann = self._index.get(ann_id)
            if ann is None or ann.start is None or ann.end is None:
                continue
            if ann.end <= visible[0]:
                above = True
                continue
            if ann.start >= visible[1]:
                below = True
                continue
            rects = [r.translated(-offset) for r in self._visible_span_rects(ann, visible)]
            for rect in rects:
                painter.drawRoundedRect(rect.adjusted(-2, -1.5, 2, 1.5), 3, 3)
            if rects:
                ys.append(rects[0].center().y())
        if not ys and not (above and below):
            return
        block = self._top_block()
        x = max(4.0, block.layout().position().x() - offset.x() - 24) if block.layout() is not None else 8.0
        top = 0.0 if above else min(ys)
        bottom = float(self.viewport().height()) if below else max(ys)
        rail = QColor(color)
        rail.setAlphaF(0.7)
        painter.setPen(QPen(rail, 2.0))
        painter.drawLine(QLineF(x, top, x, bottom))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        for y in ys:
            painter.drawEllipse(QPointF(x, y), 3.5, 3.5)
        painter.setBrush(Qt.BrushStyle.NoBrush)  # the selection's outline after this is not filled

    def _paint_connectors(self, painter: QPainter, connectors: list[Connector]) -> None:
        m = self._metrics
        base = self.palette().color(QPalette.ColorRole.Base)
        halo = QColor(base)
        halo.setAlphaF(HALO_ALPHA)  # letters under an arc stay legible
        for conn in connectors:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(halo, ARC_HALO))
            painter.drawPath(conn.path)
            painter.setPen(QPen(conn.color, ARC_WIDTH))
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
            rect = conn.label_rect
            painter.setPen(QPen(conn.color, 1.2))
            painter.setBrush(base)
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.setPen(conn.color.darker(130))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, conn.label)
