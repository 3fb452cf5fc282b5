"""Discontinuous spans in the workspace (issue 14), through the real widgets: a key
and Ctrl+drag add a fragment, boundary keys move the fragment touched last,
Shift+Delete removes one, undo restores; an emoji and a ZWJ family before the
spans make Qt's UTF-16 positions differ from code points."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QTextCursor

from annotator.core.models import Document
from annotator.core.store import Project
from annotator.ui.main_window import MainWindow

ME = "maria"


@pytest.fixture
def window(window, project):
    window.workspace.open_document(project.doc)
    window.article_view.setFocus()
    return window


TEXT = "😀👨‍👩‍👧 The economy, he said, is collapsing. Take vitamins A, D and E daily.\n"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def at(piece: str, after: str = "") -> tuple[int, int]:
    i = TEXT.index(piece, TEXT.index(after) + len(after) if after else 0)
    return i, i + len(piece)


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "frag.annotator", create=True)
    doc = Document(text=TEXT, title="fragments")
    p.insert_documents([(doc, [])])
    p.doc = doc.id
    yield p
    p.close()


def point_on(w: MainWindow, cp: int) -> QPoint:
    """A viewport point inside the character at code point ``cp``."""
    view = w.article_view
    cursor = QTextCursor(view.document())
    cursor.setPosition(w.workspace.posmap.to_qt(cp))
    left = view.cursorRect(cursor)
    cursor.setPosition(w.workspace.posmap.to_qt(cp + 1))
    right = view.cursorRect(cursor)
    return QPoint((left.left() + right.left()) // 2, left.center().y())


def select(qtbot, w: MainWindow, span: tuple[int, int]) -> None:
    w.article_view.select_span(*span)
    w.article_view.setFocus()


def ctrl_drag(qtbot, w: MainWindow, span: tuple[int, int]) -> None:
    """A real Ctrl+drag from the first character of ``span`` past its last."""
    view = w.article_view
    a = point_on(w, span[0]) - QPoint(2, 0)
    b = point_on(w, span[1] - 1) + QPoint(3, 0)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, CTRL, pos=a)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(b),
        view.viewport().mapToGlobal(QPointF(b)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton,
        CTRL,
    )
    view.mouseMoveEvent(move)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, CTRL, pos=b)


def mine(project: Project):
    return project.annotations(project.doc, annotator=ME)


def test_claim_in_two_pieces_by_key_then_boundary_moves_remove_and_undo(qtbot, window, project):
    w, ws = window, window.workspace
    econ, coll = at("The economy"), at("is collapsing")
    assert w.workspace.posmap.to_qt(econ[0]) != econ[0]  # UTF-16 positions differ from code points here
    select(qtbot, w, econ)
    qtbot.keyClick(w.article_view, "c")  # claim
    [cl] = mine(project)
    assert (cl.kind, cl.start, cl.end) == ("claim", *econ)
    select(qtbot, w, coll)
    qtbot.keyClick(w.article_view, Qt.Key.Key_G, CTRL | SHIFT)  # Edit > Add selection as fragment
    [cl] = mine(project)
    assert cl.fragments == [econ, coll] and cl.text_in(TEXT) == "The economy is collapsing"
    assert ws.selected_id == cl.id
    # drawn as one annotation: both pieces have rectangles, the gap none; a click in the gap hits nothing
    view = w.article_view
    assert [a.id for a in view.annotations_at(econ[0])] == [cl.id] and view.annotations_at(at("said")[0]) == []
    shown = view._visible_span_rects(view.annotation(cl.id), (0, len(TEXT)))
    assert shown == view._span_rects(*econ) + view._span_rects(*coll)
    # the piece added last is current: Alt+Shift+Right moves its end over the full stop
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier | SHIFT)
    [cl] = mine(project)
    assert cl.fragments == [econ, (coll[0], coll[1] + 1)]
    # click the first piece: Alt+Right moves its start one character on
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_on(w, econ[0] + 5))
    assert ws.selected_id == cl.id and ws.piece_of(ws.selected()) == 0
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    [cl] = mine(project)
    assert cl.fragments == [(econ[0] + 1, econ[1]), (coll[0], coll[1] + 1)]
    assert cl.text_in(TEXT) == "he economy is collapsing."
    # Shift+Delete removes the current piece (the first): one piece left, a plain span
    qtbot.keyClick(view, Qt.Key.Key_Delete, SHIFT)
    [cl] = mine(project)
    assert cl.fragments is None and (cl.start, cl.end) == (coll[0], coll[1] + 1)
    # Ctrl+Z: the piece back; the boundary nudges of one annotation (one undo step, as for any span);
    # the added fragment
    for expected in (
        [(econ[0] + 1, econ[1]), (coll[0], coll[1] + 1)],
        [econ, coll],
        None,
    ):
        qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
        [cl] = mine(project)
        assert cl.fragments == expected
    assert (cl.start, cl.end) == econ


def test_ctrl_drag_adds_a_fragment_vitamins(qtbot, window, project):
    w, ws = window, window.workspace
    d = at("D", "vitamins A, ")
    select(qtbot, w, d)
    qtbot.keyClick(w.article_view, "r")  # PRODUCT
    [ent] = mine(project)
    assert ws.selected_id == ent.id
    vit = at("vitamins")
    ctrl_drag(qtbot, w, vit)
    [ent] = mine(project)
    assert ent.fragments == [vit, d] and ent.text_in(TEXT) == "vitamins D"
    # the tag stays on the first piece: it is drawn in the block once, beside "vitamins"
    view = w.article_view
    decor = view.decoration_for_block(0)
    tags = [t for t in decor.tags if t[4] == ent.id]
    assert len(tags) == 1
    first_piece = decor.rects[ent.id][0]  # block coordinates, as the tags
    assert abs(tags[0][0].left() - first_piece.left()) < 3 and len(decor.rects[ent.id]) == 2
    # a thin connector crosses the gap ("A, ")
    assert any(key[2] == 2 for key in decor.lines)
    # the selection is shown on both pieces only
    shown = view._visible_span_rects(view.annotation(ent.id), (0, len(TEXT)))
    assert shown == view._span_rects(*vit) + view._span_rects(*d)


def test_add_fragment_needs_a_selected_span(qtbot, window, project):
    w = window
    select(qtbot, w, at("vitamins"))
    messages: list[str] = []
    w.workspace.message.connect(messages.append)
    qtbot.keyClick(w.article_view, Qt.Key.Key_G, CTRL | SHIFT)
    assert mine(project) == [] and "Select the annotation first" in messages[-1]


def test_inspector_lists_the_pieces_and_removes_one(qtbot, window, project):
    w, ws = window, window.workspace
    econ, coll = at("The economy"), at("is collapsing")
    select(qtbot, w, econ)
    qtbot.keyClick(w.article_view, "c")
    select(qtbot, w, coll)
    qtbot.keyClick(w.article_view, Qt.Key.Key_G, CTRL | SHIFT)
    ins = w.inspector
    assert ins.pieces_box.isVisible() and ins.pieces_list.count() == 2
    assert ins.pieces_list.itemText(1) == f"“is collapsing”  [{coll[0]}, {coll[1]})"
    assert ins.offsets.text().startswith(f"[{econ[0]}, {econ[1]}) + [{coll[0]}, {coll[1]})")
    # choose the second piece with the keyboard, then click the button
    ins.pieces_list.setFocus()
    qtbot.keyClick(ins.pieces_list, Qt.Key.Key_Down)
    assert ins.pieces_list.currentIndex() == 1
    qtbot.mouseClick(ins.remove_piece_button, Qt.MouseButton.LeftButton)
    [cl] = mine(project)
    assert cl.fragments is None and (cl.start, cl.end) == econ
    assert not ins.pieces_box.isVisible() and ws.selected_id == cl.id


def test_review_shows_and_accepts_a_discontinuous_claim(qtbot, tmp_path):
    """Review: alice's claim in two pieces and bob's of one piece (same hull) are one
    unit whose boundaries differ; the key 1 accepts alice's, and gold keeps the pieces."""
    from PySide6.QtGui import QUndoStack

    from annotator.core.models import GOLD, claim
    from annotator.ui.review_view import ReviewView

    econ, coll = at("The economy"), at("is collapsing")
    p = Project(tmp_path / "review.annotator", create=True)
    doc = Document(text=TEXT, title="review")
    a = claim(doc.id, None, None, "alice", fragments=[econ, coll])
    b = claim(doc.id, econ[0], coll[1], "bob")
    p.insert_documents([(doc, [a, b])])
    with p.transaction():
        p.ensure_annotators({"alice", "bob"})
    stack = QUndoStack()
    v = ReviewView(p, "rita", stack)
    v.resize(1200, 800)
    qtbot.addWidget(v)
    v.show()
    with qtbot.waitActive(v):
        v.activateWindow()
    v.open_document(doc.id)
    u = v.unit_containing(a.id)
    assert u.status == "boundary" and sorted(u.ids) == sorted([a.id, b.id])
    # the unit list shows the hull where the versions differ, the pieces joined where they are one span
    from annotator.core.review import Unit

    assert v.unit_model.unit_text(u).startswith("The economy, he said")
    assert v.unit_model.unit_text(Unit("claim", econ[0], coll[1], {"alice": [a]}, "single")) == "The economy is collapsing"
    # alice's pane draws two pieces: nothing between them
    alice = v.panes["alice"].view
    assert [x.id for x in alice.annotations_at(econ[0])] == [a.id] and alice.annotations_at(at("said")[0]) == []
    messages: list[str] = []
    v.message.connect(messages.append)
    v.select_unit(u)
    assert v.selected_unit() is u, (v.annotators, v.selected_unit())
    v.unit_table.setFocus()
    assert v.unit_table.hasFocus()
    qtbot.keyClick(v.unit_table, Qt.Key.Key_1)  # alice's version
    assert not messages, messages
    [gold] = p.annotations(doc.id, GOLD)
    assert gold.fragments == [econ, coll] and gold.text_in(TEXT) == "The economy is collapsing"
    gold_view = v.panes[GOLD].view
    assert gold_view.annotations_at(at("said")[0]) == [] and [x.id for x in gold_view.annotations_at(coll[0])] == [gold.id]
    assert v.unit_containing(a.id).accepted_from == ["alice"]
    v.close()
    p.close()
