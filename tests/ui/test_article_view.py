"""The article view: exact offsets, spans drawn from the index, clicks, tooltips, arcs."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import QToolTip

from annotator.core.boundaries import word_span
from annotator.core.models import Annotation, claim, entity, event, relation
from annotator.core.schema import default_schema
from annotator.core.spanindex import SpanIndex, stack_lanes
from annotator.core.text import canonicalize
from annotator.ui.article_view import ArticleView

DATA = Path(__file__).resolve().parents[1] / "data"
DOC = "doc-1"
ME = "tester"


def utf16(text: str, cp: int) -> int:
    """Qt position of a code-point offset, computed independently of the view."""
    return len(text[:cp].encode("utf-16-le")) // 2


def raw_slice(view: ArticleView, a: int, b: int) -> str:
    """What the document holds between Qt positions a and b, with \\n for block breaks."""
    raw = view.document().toRawText().encode("utf-16-le")
    return raw[2 * a : 2 * b].decode("utf-16-le").replace("\u2029", "\n")


@pytest.fixture
def view(qtbot) -> ArticleView:
    w = ArticleView()
    qtbot.addWidget(w)
    w.resize(900, 700)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def unicode_text() -> str:
    text, _ = canonicalize((DATA / "unicode-crlf.txt").read_bytes().decode("utf-8"))
    return text


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return i, i + len(needle)


def select_qt(view: ArticleView, a: int, b: int) -> QTextCursor:
    cursor = QTextCursor(view.document())
    cursor.setPosition(a)
    cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    return cursor


# -- offsets ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "case",
    ["after the emoji", "inside the ZWJ family line", "across the CRLF lines", "after U+2028", "the flag", "backwards"],
)
def test_selection_span_is_exact_code_points(view, unicode_text, case):
    text = unicode_text
    view.set_article(text, [], default_schema())
    view.set_word_snapping(False)
    ship = text.index("🚢") + 1
    family = text.index("👨")
    lsep = text.index("\u2028") + 1
    spans = {
        "after the emoji": (ship, text.index("GENEVA") + 6),  # "\n\nGENEVA"
        "inside the ZWJ family line": (family - 10, family + 5 + 3),  # "exporters 👨‍👩‍👧 in"
        "across the CRLF lines": (text.index("Peña"), text.index("Korean trade") + 6),
        "after U+2028": (lsep, lsep + len("say the deal")),
        "the flag": (text.index("🇨🇱"), text.index("🇨🇱") + 2),
        "backwards": (text.index("김민준"), text.index("Kim") + 3),
    }
    start, end = spans[case]
    a, b = utf16(text, start), utf16(text, end)
    if case == "backwards":
        a, b = b, a  # anchor after the position
    cursor = select_qt(view, a, b)
    assert view.selection_span() == (start, end)
    got = text[start:end]
    assert got == raw_slice(view, min(a, b), max(a, b))
    assert got == cursor.selectedText().replace("\u2029", "\n")
    if case == "after U+2028":
        assert "\u2028" not in got and text[start - 1] == "\u2028"


def test_selection_inside_a_surrogate_pair_keeps_the_character_whole(view, unicode_text):
    text = unicode_text
    view.set_article(text, [], default_schema())
    view.set_word_snapping(False)
    ship = text.index("🚢")
    q = utf16(text, ship)
    select_qt(view, q - 2, q + 1)  # ends between the two halves of 🚢
    start, end = view.selection_span()
    assert text[start:end] == text[ship - 2 : ship + 1] and text[end - 1] == "🚢"


def test_select_span_round_trip(view, unicode_text):
    text = unicode_text
    view.set_article(text, [], default_schema())
    view.set_word_snapping(False)
    spans = [
        find(text, "👨‍👩‍👧"),
        find(text, "Valparaíso\u2028say"),
        find(text, "🚢\n\nGENEVA"),
        find(text, "2.4\xa0billion"),
        find(text, "محمد العلي"),
        (0, len(text)),
    ]
    for start, end in spans:
        view.select_span(start, end)
        assert view.selection_span() == (start, end)
        cursor = view.textCursor()
        assert cursor.selectedText().replace("\u2029", "\n") == text[start:end]
        # Copy gives the stored text (Qt would turn the NBSP into a space).
        assert view.createMimeDataFromSelection().text() == text[start:end]
    with pytest.raises(ValueError):
        view.select_span(0, len(text) + 1)


def test_word_snapping_extends_to_whole_words(view, unicode_text, qtbot):
    text = unicode_text
    view.set_article(text, [], default_schema())
    assert view.word_snapping()
    start, end = find(text, "Negotiators")
    with qtbot.waitSignal(view.spanSelectionChanged) as sig:
        select_qt(view, utf16(text, start + 3), utf16(text, start + 6))
    assert view.selection_span() == (start, end) == tuple(sig.args)
    view.set_word_snapping(False)
    assert view.selection_span() == (start + 3, start + 6)
    assert view.raw_selection_span() == (start + 3, start + 6)


def test_keyboard_selection_with_shift_arrows(view, qtbot):
    text = "Alpha beta gamma"
    view.set_article(text, [], default_schema())
    view.set_word_snapping(False)
    view.setFocus()
    view.select_span(6, 6)
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selection_span() == (6, 9)
    view.set_word_snapping(True)
    assert view.selection_span() == (6, 10)


def test_double_click_selects_a_word(view, qtbot):
    text = "Talks on India’s exports resumed."
    view.set_article(text, [], default_schema())
    start, end = find(text, "India")  # a token without its possessive
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_on(view, text, start + 2))
    assert view.selection_span() == (start, end) == word_span(text, start + 2, start + 2)


# -- plain text only ----------------------------------------------------------------------
def test_looks_like_html_is_shown_literally(view):
    text, _ = canonicalize((DATA / "looks-like-html.txt").read_bytes().decode("utf-8"))
    start, end = find(text, '<img src="http://127.0.0.1:8765/plain.png">')
    ann = entity(DOC, start, end, "MISC", ME)
    view.set_article(text, [ann], default_schema())
    assert "<b>Breaking:</b>" in view.toPlainText()
    assert view.toPlainText() == text
    doc = view.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            assert not fmt.isImageFormat()
            assert not fmt.fontWeight() > 400 and not fmt.isAnchor()
            it += 1
        block = block.next()
    assert "&lt;b&gt;Breaking:&lt;/b&gt;" in doc.toHtml()
    assert doc.resource(QTextFormat.ObjectTypes.ImageObject.value, "http://127.0.0.1:8765/plain.png") is None
    view.viewport().repaint()  # painting loads nothing either
    tip = view.tooltip_text(start + 1)
    assert html.escape('<img src="http://127.0.0.1:8765/plain.png">') in tip
    assert "<img" not in tip and "<b>Breaking" not in tip


def test_tooltip_lists_every_label_escaped(view, qtbot):
    text = "The <b>Acme & Sons</b> deal was signed by Acme in Oslo."
    outer = entity(DOC, *find(text, "<b>Acme & Sons</b>"), "ORG", ME)
    inner = entity(DOC, *find(text, "Acme & Sons"), "MISC", ME)
    ev = event(DOC, *find(text, "signed"), "Agreement", ME, arguments=[("Party", outer.id)])
    view.set_article(text, [outer, inner, ev], default_schema())
    tip = view.tooltip_text(find(text, "Acme")[0])
    assert tip.index("MISC") < tip.index("ORG")  # innermost first
    assert "“Acme &amp; Sons”" in tip and "&lt;b&gt;Acme &amp; Sons&lt;/b&gt;" in tip
    assert "<b>Acme" not in tip
    assert "entity" in tip and tip.count("<tr>") == 2
    assert "Party: “&lt;b&gt;Acme &amp; Sons&lt;/b&gt;”" in view.tooltip_text(find(text, "signed")[0])
    oslo = entity(DOC, *find(text, "Oslo"), "GPE", ME)
    view.apply_changes([oslo, relation(DOC, inner.id, oslo.id, "located_in", ME)], set(), [])
    assert "located_in → “Oslo”" in view.tooltip_text(find(text, "Acme")[0])
    assert "located_in ← “Acme &amp; Sons”" in view.tooltip_text(find(text, "Oslo")[0])
    assert view.tooltip_text(find(text, "in Oslo")[0]) == ""
    # A real tooltip event shows the same text.
    pos = point_on(view, text, find(text, "Acme")[0] + 1)
    event_ = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    view.viewportEvent(event_)
    assert QToolTip.text() == view.tooltip_text(find(text, "Acme")[0] + 1)
    QToolTip.hideText()


def test_no_resource_is_ever_loaded(view):
    assert view.loadResource(QTextFormat.ObjectTypes.ImageObject.value, "http://127.0.0.1:8765/x.png") is None
    assert view.document().loadResource(0, "http://127.0.0.1:8765/x.png") is None


# -- index and lookups ------------------------------------------------------------------
def test_annotations_at_shortest_first(view):
    text = "Ministry of External Affairs spokesperson Randhir Jaiswal said."
    org = entity(DOC, *find(text, "Ministry of External Affairs"), "ORG", ME)
    misc = entity(DOC, *find(text, "External Affairs"), "MISC", ME)
    cl = claim(DOC, 0, len(text) - 1, ME)
    view.set_article(text, [cl, org, misc], default_schema())
    cp = find(text, "External")[0] + 2
    assert [a.id for a in view.annotations_at(cp)] == [misc.id, org.id, cl.id]
    assert [a.id for a in view.annotations_at(1)] == [org.id, cl.id]
    assert [a.id for a in view.annotations_at(find(text, "Jaiswal")[0])] == [cl.id]
    assert view.annotations_at(len(text) - 1) == []  # the final "." is outside the claim


def test_span_index_matches_brute_force():
    import random

    rng = random.Random(7)
    anns = []
    for i in range(600):
        start = rng.randrange(0, 5000)
        end = start + rng.choice([1, 2, 3, 5, 9, 40, 300, 2500])
        anns.append(
            Annotation(
                id=f"a{i}",
                doc_id=DOC,
                kind=rng.choice(["entity", "event", "claim"]),
                label="X",
                start=start,
                end=end,
                annotator=ME,
            )
        )
    index = SpanIndex(anns)
    live = {a.id: a for a in anns}
    for step in range(300):
        if step % 3 == 0:  # change the index as apply_changes does
            victim = rng.choice(sorted(live))
            assert index.remove(victim) is live.pop(victim)
            s = rng.randrange(0, 5000)
            new = Annotation(
                id=f"n{step}", doc_id=DOC, kind="entity", label="X", start=s, end=s + rng.randrange(1, 700), annotator=ME
            )
            index.add(new)
            live[new.id] = new
        a = rng.randrange(0, 8000)
        b = a + rng.randrange(1, 400)
        expect = sorted(x.id for x in live.values() if x.start < b and x.end > a)
        assert sorted(x.id for x in index.overlapping(a, b)) == expect
        at = index.at(a)
        assert sorted(x.id for x in at) == sorted(x.id for x in live.values() if x.start <= a < x.end)
        assert [x.end - x.start for x in at] == sorted(x.end - x.start for x in at)
    assert len(index) == len(live)
    with pytest.raises(ValueError):
        SpanIndex([relation(DOC, "a1", "a2", "part_of", ME)])
    with pytest.raises(ValueError):
        SpanIndex([anns[0]], text_length=anns[0].end - 1)


def test_stack_lanes_separates_overlaps():
    lanes = stack_lanes([(0, 30, "outer"), (5, 10, "inner"), (12, 20, "inner2"), (25, 40, "cross"), (40, 45, "after")])
    assert lanes["outer"] == 0
    assert lanes["inner"] == lanes["inner2"] == 1  # both inside, not overlapping each other
    assert lanes["cross"] not in (lanes["outer"],) and lanes["cross"] == 1
    assert lanes["after"] == 0


# -- drawing -----------------------------------------------------------------------------
def test_overlapping_spans_are_drawn_distinctly(view):
    text = "The Ministry of External Affairs said on Thursday that talks resumed.\nSecond paragraph."
    org = entity(DOC, *find(text, "Ministry of External Affairs"), "ORG", ME)
    misc = entity(DOC, *find(text, "External Affairs"), "MISC", ME)
    ev = event(DOC, *find(text, "said"), "Statement", ME, arguments=[("Speaker", org.id)])
    cl = claim(DOC, *find(text, "talks resumed"), ME)
    view.set_article(text, [org, misc, ev, cl], default_schema())
    decor = view.decoration_for_block(0)
    assert decor is not None
    assert set(decor.rects) == {org.id, misc.id, ev.id, cl.id}
    # Nested entities: different lanes, different colours, both tinted.
    assert decor.lanes[org.id] != decor.lanes[misc.id]
    fills = {(r.left(), r.width()): c.name() for r, c in decor.fills}
    org_rect, misc_rect = decor.rects[org.id][0], decor.rects[misc.id][0]
    assert org_rect.width() > misc_rect.width() > 0
    assert org_rect.left() < misc_rect.left() < misc_rect.right() <= org_rect.right() + 0.5
    assert fills[(org_rect.left(), org_rect.width())] != fills[(misc_rect.left(), misc_rect.width())]
    ys = {}
    for pen, lines in decor.lines.values():
        for line in lines:
            ys.setdefault(pen.color().name(), set()).add(line.y1())
    assert len(ys) == 3  # ORG, MISC and the claim's colour
    org_ys, misc_ys = ys[view._style(org).line.name()], ys[view._style(misc).line.name()]
    assert org_ys.isdisjoint(misc_ys)  # stacked: the nested span's line is not hidden by the outer one
    # The trigger is a box, the claim a dashed line with a margin bar.
    assert len(decor.boxes) == 1 and decor.boxes[0][0].contains(decor.rects[ev.id][0].center())
    dashed = [pen for pen, _ in decor.lines.values() if pen.style() == Qt.PenStyle.CustomDashLine]
    assert len(dashed) == 1 and dashed[0].color() != decor.lines[next(iter(decor.lines))][0].color()
    assert len(decor.marks) == 1
    assert {t[1] for t in decor.tags} == {"ORG", "MISC", "Statement", "CLAIM"}
    second = view.decoration_for_block(1)
    assert second is not None and not second.rects


def test_apply_changes_redecorates_only_affected_blocks(view):
    paragraphs = [f"Paragraph {i} mentions Oslo and Bergen." for i in range(8)]
    text = "\n".join(paragraphs)
    starts = [text.index(p) for p in paragraphs]
    anns = [entity(DOC, s + 22, s + 26, "GPE", ME) for s in starts]
    view.set_article(text, anns, default_schema())
    before = {n: view.decoration_for_block(n) for n in range(8)}
    builds = view.decor_builds
    # add a span in block 3
    added = entity(DOC, starts[3] + 31, starts[3] + 37, "GPE", ME)
    view.apply_changes([added], set(), [])
    assert view.last_dirty_blocks == [3]
    after = {n: view.decoration_for_block(n) for n in range(8)}
    assert view.decor_builds == builds + 1
    assert all(after[n] is before[n] for n in range(8) if n != 3)
    assert set(after[3].rects) == {anns[3].id, added.id}
    # move a span from block 1 to block 6 and delete the one of block 5
    moved = anns[1].model_copy(update={"start": starts[6] + 31, "end": starts[6] + 37})
    view.apply_changes([], {anns[5].id}, [moved])
    assert view.last_dirty_blocks == [1, 5, 6]
    assert view.decor_builds == builds + 1  # nothing rebuilt until drawn
    assert not view.decoration_for_block(1).rects and not view.decoration_for_block(5).rects
    assert set(view.decoration_for_block(6).rects) == {anns[6].id, moved.id}
    assert view.decor_builds == builds + 4
    assert view.annotations_at(starts[6] + 32)[0].id == moved.id
    assert view.annotations_at(starts[1] + 23) == []
    # a span across two blocks dirties both
    long = claim(DOC, starts[2] + 5, starts[4] + 5, ME)
    view.apply_changes([long], set(), [])
    assert view.last_dirty_blocks == [2, 3, 4]


def test_set_annotations_replaces_everything(view):
    text = "Oslo and Bergen."
    a = entity(DOC, 0, 4, "GPE", ME)
    b = entity(DOC, 9, 15, "GPE", ME)
    view.set_article(text, [a], default_schema())
    view.set_selected_annotation(a.id)
    view.set_annotations([b])
    assert view.annotations_at(1) == [] and view.annotations_at(10)[0].id == b.id
    assert view.selected_annotation() is None


def test_spans_outside_the_text_are_skipped_not_fatal(view):
    good = entity(DOC, 0, 4, "GPE", ME)
    bad = entity(DOC, 5, 500, "GPE", ME)
    view.set_article("Oslo and Bergen.", [good, bad], default_schema())
    assert [a.id for a in view.annotations_at(1)] == [good.id]
    assert view.annotations_at(6) == []


# -- mouse -----------------------------------------------------------------------------
def point_on(view: ArticleView, text: str, cp: int) -> QPoint:
    """A viewport point on the character at code point ``cp``."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(utf16(text, cp))
    rect = view.cursorRect(cursor)
    return QPoint(rect.center().x() + 3, rect.center().y())


def test_click_emits_innermost_and_repeat_click_cycles(view, qtbot):
    text = "The Ministry of External Affairs said so."
    org = entity(DOC, *find(text, "Ministry of External Affairs"), "ORG", ME)
    misc = entity(DOC, *find(text, "External Affairs"), "MISC", ME)
    view.set_article(text, [org, misc], default_schema())
    pos = point_on(view, text, find(text, "External")[0] + 1)
    clicked: list[str] = []
    view.annotationClicked.connect(clicked.append)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert clicked == [misc.id]
    view.set_selected_annotation(misc.id)
    qtbot.wait(QApplication_double_click_interval())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert clicked == [misc.id, org.id]
    view.set_selected_annotation(org.id)
    qtbot.wait(QApplication_double_click_interval())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert clicked[-1] == misc.id
    # a click where only the ORG is: the ORG
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_on(view, text, 5))
    assert clicked[-1] == org.id
    # Ctrl+click cycles from the selected annotation even on a first click there
    view.set_selected_annotation(misc.id)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, pos)
    assert clicked[-1] == org.id
    # a click on plain text emits nothing
    n = len(clicked)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_on(view, text, find(text, "said")[0]))
    assert len(clicked) == n


def QApplication_double_click_interval() -> int:  # noqa: N802 - reads like the Qt call
    from PySide6.QtWidgets import QApplication

    return QApplication.doubleClickInterval() + 20


def test_double_click_on_a_span_activates_it(view, qtbot):
    text = "Talks with Chile resumed."
    gpe = entity(DOC, *find(text, "Chile"), "GPE", ME)
    view.set_article(text, [gpe], default_schema())
    with qtbot.waitSignal(view.annotationActivated) as sig:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_on(view, text, find(text, "Chile")[0] + 1))
    assert sig.args == [gpe.id]
    # Enter activates the selected annotation
    view.set_selected_annotation(gpe.id)
    view.setFocus()
    with qtbot.waitSignal(view.annotationActivated) as sig:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert sig.args == [gpe.id]


def test_drag_selects_and_snaps_on_release(view, qtbot):
    text = "Negotiators from Chile met in Geneva."
    view.set_article(text, [], default_schema())
    a = point_on(view, text, 2)
    b = point_on(view, text, find(text, "Chile")[0] + 2)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=a)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QMouseEvent

    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(b),
        view.viewport().mapToGlobal(QPointF(b)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.mouseMoveEvent(move)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=b)
    assert view.selection_span() == find(text, "Negotiators from Chile")
    assert view.raw_selection_span() == view.selection_span()  # the shown selection was snapped too


# -- selection and arcs ----------------------------------------------------------------------
def test_connectors_one_per_argument(view):
    text = "China has granted licences to Indian firms to import rare earth magnets."
    china = entity(DOC, *find(text, "China"), "GPE", ME)
    firms = entity(DOC, *find(text, "Indian firms"), "ORG", ME)
    ev = event(DOC, *find(text, "granted"), "LicenceGrant", ME, arguments=[("Grantor", china.id), ("Grantee", firms.id)])
    rel = relation(DOC, firms.id, china.id, "located_in", ME)
    view.set_article(text, [china, firms, ev, rel], default_schema())
    assert view.connectors() == []
    view.set_selected_annotation(ev.id)
    conns = view.connectors()
    assert sorted((c.label, c.target_id) for c in conns) == [("Grantee", firms.id), ("Grantor", china.id)]
    assert all(c.source_id == ev.id for c in conns)
    trigger = view.cursorRect(cursor_at(view, text, find(text, "granted")[0]))
    for conn in conns:
        target = view.annotation(conn.target_id)
        left = view.cursorRect(cursor_at(view, text, target.start)).left()
        right = view.cursorRect(cursor_at(view, text, target.end)).left()
        assert left - 1 <= conn.end.x() <= right + 1  # lands on its argument
        assert trigger.left() <= conn.start.x() <= view.cursorRect(cursor_at(view, text, ev.end)).left()
        assert conn.path.boundingRect().top() < min(conn.start.y(), conn.end.y())  # an arc above the text
    labels = [c.label_pos for c in conns]
    assert labels[0] != labels[1]
    view.viewport().repaint()  # draws without error
    # a selected entity shows its relations
    view.set_selected_annotation(firms.id)
    assert [(c.label, c.source_id, c.target_id) for c in view.connectors()] == [("located_in", firms.id, china.id)]
    # removing an argument's filler: the arc goes (the event keeps a dangling argument)
    view.set_selected_annotation(ev.id)
    view.apply_changes([], {china.id}, [])
    assert [c.label for c in view.connectors()] == ["Grantee"]


def cursor_at(view: ArticleView, text: str, cp: int) -> QTextCursor:
    cursor = QTextCursor(view.document())
    cursor.setPosition(utf16(text, cp))
    return cursor


def test_claim_connector_to_claimant(view):
    text = "Jaiswal said exports fell 12% in 2025."
    who = entity(DOC, *find(text, "Jaiswal"), "PERSON", ME)
    cl = claim(DOC, *find(text, "exports fell 12% in 2025"), ME, claimant_ref=who.id)
    view.set_article(text, [who, cl], default_schema())
    view.set_selected_annotation(cl.id)
    assert [(c.label, c.target_id) for c in view.connectors()] == [("claimant", who.id)]


def test_adjust_selected_boundary(view):
    text = "The Korean trade minister, Kim Min-jun, told reporters."
    ann = entity(DOC, *find(text, "trade minister"), "PERSON", ME)
    view.set_article(text, [ann], default_schema())
    assert view.adjust_selected_boundary("start", -1) is None  # nothing selected
    view.set_selected_annotation(ann.id)
    s, e = ann.start, ann.end
    assert view.adjust_selected_boundary("start", -1) == (find(text, "Korean")[0], e)
    assert view.adjust_selected_boundary("start", -2) == (find(text, "The")[0], e)
    assert view.adjust_selected_boundary("start", -3) == (0, e)  # stops at the text start
    assert view.adjust_selected_boundary("start", 1) == (find(text, "minister")[0], e)
    assert view.adjust_selected_boundary("start", 2) == (find(text, "minister")[0], e)  # never empty
    assert view.adjust_selected_boundary("end", 1) == (s, find(text, ",")[1])
    assert view.adjust_selected_boundary("end", 3) == (s, find(text, "Min-jun")[1])
    assert view.adjust_selected_boundary("end", -1) == (s, find(text, "trade")[1])
    assert view.adjust_selected_boundary("end", -2) == (s, find(text, "trade")[1])
    view.set_word_snapping(False)
    assert view.adjust_selected_boundary("start", 2) == (s + 2, e)
    assert view.adjust_selected_boundary("end", -1) == (s, e - 1)
    assert view.adjust_selected_boundary("end", -100) == (s, s + 1)
    with pytest.raises(ValueError):
        view.adjust_selected_boundary("middle", 1)


# -- zoom -----------------------------------------------------------------------------------
def test_zoom(view, qtbot):
    view.set_article("Some text to read.", [], default_schema())
    size = view.document().defaultFont().pointSizeF()
    view.zoom_in()
    assert view.document().defaultFont().pointSizeF() > size
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.document().defaultFont().pointSizeF() < size
    view.zoom_reset()
    assert view.document().defaultFont().pointSizeF() == size and view.zoom_factor() == 1.0
    for _ in range(50):
        view.zoom_out()
    assert view.zoom_factor() >= 0.5


def test_view_is_read_only_and_keeps_a_cursor(view, qtbot):
    view.set_article("Nothing here may change.", [], default_schema())
    assert view.isReadOnly()
    flags = view.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    view.setFocus()
    qtbot.keyClicks(view, "abc")
    assert view.toPlainText() == "Nothing here may change."


def test_non_canonical_text_is_refused_before_anything_changes(view):
    view.set_article("Oslo.", [], default_schema())
    with pytest.raises(ValueError):
        view.set_article("a\r\nb", [], default_schema())
    assert view.toPlainText() == "Oslo." and view.text() == "Oslo."


def test_clicking_a_label_tag_selects_its_span(view, qtbot):
    text = "Talks with Chile resumed in Geneva."
    gpe = entity(DOC, *find(text, "Chile"), "GPE", ME)
    view.set_article(text, [gpe], default_schema())
    view.viewport().repaint()
    decor = view.decoration_for_block(0)
    ((rect, label, *_rest, ann_id),) = decor.tags
    assert (label, ann_id) == ("GPE", gpe.id)
    origin = view.document().firstBlock().layout().position()
    origin.setY(origin.y() - view.verticalScrollBar().value())
    pos = (rect.center() + origin).toPoint()
    assert view._char_at(pos) is None  # above the text, on the tag
    with qtbot.waitSignal(view.annotationClicked) as sig:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args == [gpe.id]


def test_long_document_laid_out_in_background_still_hits_right(view, qtbot, monkeypatch):
    from annotator.ui import article_view

    paragraph = "Talks with Chile resumed in Geneva on Tuesday, officials said. " * 8
    text = "\n".join([paragraph] * 120)
    gpe = entity(DOC, *find(text, "Chile"), "GPE", ME)
    view.set_article("Short.", [], default_schema())
    assert not view._layout_pending()  # ordinary articles are laid out at once
    monkeypatch.setattr(article_view, "FULL_LAYOUT_CHARS", 1000)
    view.set_article(text, [gpe], default_schema())
    assert view._layout_pending()  # Qt's hitTest answers the end of the text for now
    assert view.cursorForPosition(point_on(view, text, 3)).position() == 3  # but not ours
    assert not view._layout_pending()
    view.set_article(text, [gpe], default_schema())
    assert view._layout_pending()
    view.viewport().repaint()
    assert gpe.id in view.decoration_for_block(0).rects  # painted from the right block
    pos = point_on(view, text, gpe.start + 1)
    with qtbot.waitSignal(view.annotationClicked) as sig:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args == [gpe.id]
    assert not view._layout_pending()
    assert view.cursorForPosition(pos).position() == utf16(text, gpe.start + 1)


def test_top_block_search_matches_brute_force(view):
    text = "\n".join(f"Paragraph {i}. " + "Words of varying length here. " * (i % 7) for i in range(400))
    view.set_article(text, [], default_schema())
    layout = view.document().documentLayout()
    bar = view.verticalScrollBar()

    def brute() -> int:
        block, found = view.document().firstBlock(), 0
        while block.isValid() and layout.blockBoundingRect(block).top() <= bar.value():
            found = block.blockNumber()
            block = block.next()
        return found

    for value in [0, 1, 500, 501, 20000, 3, bar.maximum(), bar.maximum() // 2, 7777, 7700, 100, 0]:
        bar.setValue(value)
        assert view._top_block().blockNumber() == brute(), value
