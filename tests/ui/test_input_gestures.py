"""Mouse and key gestures of annotating, sent as real Qt events (issue 12).

A double-click then a single click, word snapping on clitics and numbers, and
the number of actions an event argument takes. Every test checks the project
database, not only the widgets.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from annotator.core.store import Project
from annotator.ui.main_window import MainWindow

ME = "maria"


@pytest.fixture
def window(window):
    window.snap_action.setChecked(True)  # the default: annotators work with word snapping
    return window


def doc_id(project: Project) -> str:
    return next(d for d in project.document_ids() if "NEW DELHI" in project.document_text(d))


def mine(project: Project, kind: str | None = None):
    return [a for a in project.annotations(doc_id(project), annotator=ME) if kind is None or a.kind == kind]


def find(w: MainWindow, needle: str, occurrence: int = 0) -> tuple[int, int]:
    text = w.workspace.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def point_at(w: MainWindow, cp: int) -> QPoint:
    """A viewport point on the middle of the character at code point ``cp``,
    scrolled into view first if need be (scrolling selects nothing)."""
    view = w.article_view
    posmap = w.workspace.posmap
    for _ in range(2):
        cursor = QTextCursor(view.document())
        cursor.setPosition(posmap.to_qt(cp))
        left = view.cursorRect(cursor)
        cursor.setPosition(posmap.to_qt(cp + 1))
        right = view.cursorRect(cursor)
        x = (left.left() + right.left()) // 2 if right.top() == left.top() else left.left() + 2
        point = QPoint(x, left.center().y())
        if view.viewport().rect().contains(point):
            return point
        bar = view.verticalScrollBar()
        bar.setValue(bar.value() + point.y() - view.viewport().height() // 2)
    raise AssertionError(f"code point {cp} cannot be shown")


class Actions:
    """The user's actions, sent as real events and counted (a key press, a click
    or a double-click each count one).

    ``via="widget"`` sends mouse events to the viewport (QTest's widget overload:
    a double-click is one MouseButtonDblClick event); ``via="window"`` sends them
    to the window, through Qt's own click and double-click detection, as a
    platform does (press, release, double-click, release)."""

    def __init__(self, qtbot, w: MainWindow, via: str = "widget"):
        self.qtbot, self.w, self.via, self.count = qtbot, w, via, 0

    def _mouse(self, action, cp: int) -> None:
        viewport = self.w.article_view.viewport()
        point = point_at(self.w, cp)
        if self.via == "window":
            top = viewport.window()
            action(top.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, viewport.mapTo(top, point))
        else:
            action(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)

    def click(self, cp: int) -> None:
        self.count += 1
        self._mouse(QTest.mouseClick, cp)

    def double_click(self, cp: int) -> None:
        self.count += 1
        self._mouse(QTest.mouseDClick, cp)

    def key(self, k, mods=Qt.KeyboardModifier.NoModifier) -> None:
        self.count += 1
        ws = self.w.workspace
        target = ws.chooser if ws.chooser is not None and ws.chooser.isVisible() else self.w.article_view
        QTest.keyClick(target, k, mods)


DELIVERY = pytest.mark.parametrize("via", ["widget", "window"])


# -- defect 1: the first single click after a double-click ---------------------------
@DELIVERY
def test_click_after_double_click_picks_the_argument(qtbot, window, project, via):
    ws = window.workspace
    act = Actions(qtbot, window, via)
    china = find(window, "China")
    act.double_click(china[0] + 1)
    act.key("g")
    [gpe] = mine(project)
    assert gpe.span == china
    granted = find(window, "granted")
    act.double_click(granted[0] + 2)
    act.key("1")  # LicenceGrant
    [ev] = mine(project, "event")
    assert ev.span == granted and ws.selected_id == ev.id
    act.key(Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    act.key(Qt.Key.Key_1)  # the first role: Grantor
    assert ws.pick is not None and window.mode_banner.isVisibleTo(window)
    act.click(china[0] + 2)  # the first single click since the double-click
    assert ws.pick is None and not window.mode_banner.isVisibleTo(window)
    assert [(a.role, a.target) for a in project.get_annotation(ev.id).arguments] == [("Grantor", gpe.id)]


@DELIVERY
def test_click_after_double_click_selects_a_span(qtbot, window, project, via):
    ws = window.workspace
    act = Actions(qtbot, window, via)
    china = find(window, "China")
    act.double_click(china[0] + 1)
    act.key("g")
    [gpe] = mine(project)
    delhi = find(window, "NEW DELHI")
    act.double_click(delhi[0] + 1)
    act.key("g")
    [new_delhi] = [a for a in mine(project) if a.id != gpe.id]
    assert ws.selected_id == new_delhi.id
    act.click(china[0] + 2)  # the first single click since the double-click
    assert ws.selected_id == gpe.id
    assert window.inspector.ann is not None and window.inspector.ann.id == gpe.id


# -- defects 2 and 3: what a double-click and word snapping select -------------------
@pytest.mark.parametrize(
    ("needle", "word", "key", "label"),
    [
        ("Beijing’s recent", "Beijing", "g", "GPE"),  # not its possessive
        ("China’s move to ease", "China", "g", "GPE"),
        ("India’s manufacturing", "India", "g", "GPE"),
        ("70%", "70%", "%", "PERCENT"),  # the number with its sign
    ],
)
def test_double_click_and_key_tags_the_token(qtbot, window, project, needle, word, key, label):
    act = Actions(qtbot, window)
    start = find(window, needle)[0]
    act.double_click(start + len(word) - 1)  # on the token's last character
    act.key(key)
    [ann] = mine(project)
    assert (ann.label, ann.text_in(window.workspace.text), ann.start) == (label, word, start)
    assert act.count == 2


def test_snapped_span_end_moves_back_before_the_possessive(qtbot, window, project):
    act = Actions(qtbot, window)
    view = window.article_view
    start, end = find(window, "Beijing’s")
    view.select_span(start + 2, end - 1)  # a drag from inside the word onto the apostrophe
    assert view.selection_span() == (start, end)  # snapped over the whole possessive
    act.key("g")
    [ann] = mine(project)
    assert ann.text_in(window.workspace.text) == "Beijing’s"
    act.key(Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    assert project.get_annotation(ann.id).text_in(window.workspace.text) == "Beijing"
    assert "cannot move" not in window.statusBar().currentMessage()
    act.key(Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    assert project.get_annotation(ann.id).text_in(window.workspace.text) == "Beijing’s"
    act.key(Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # the start onto the clitic
    assert project.get_annotation(ann.id).text_in(window.workspace.text) == "’s"


@pytest.mark.parametrize("needle", ["70%", "$55.09", "U.S.", "4.5bn", "US$1.2bn", "€2.4"])
def test_double_click_selects_numbers_currency_and_initialisms_whole(qtbot, needle):
    from annotator.core.schema import default_schema
    from annotator.ui.article_view import ArticleView

    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    text = "Shares of the U.S. firm rose 70% to $55.09, a US$1.2bn deal (4.5bn yuan, €2.4 each)."
    view.set_article(text, [], default_schema())
    start = text.index(needle)
    posmap_cursor = QTextCursor(view.document())
    for cp in (start, start + len(needle) - 1):
        posmap_cursor.setPosition(cp)  # ASCII and BMP only: Qt positions are code points here
        left = view.cursorRect(posmap_cursor)
        posmap_cursor.setPosition(cp + 1)
        right = view.cursorRect(posmap_cursor)
        point = QPoint((left.left() + right.left()) // 2, left.center().y())
        view.select_span(0, 0)
        QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
        assert view.selection_span() == (start, start + len(needle)), (needle, cp)


# -- event arguments in two actions ----------------------------------------------------
def tag(act: Actions, w: MainWindow, project: Project, needle: str, key: str, occurrence: int = 0):
    """Select ``needle`` (as a drag would) and press ``key``: the new annotation."""
    before = {a.id for a in mine(project)}
    start, end = find(w, needle, occurrence)
    w.article_view.select_span(start, end)
    act.key(key)
    [new] = [a for a in mine(project) if a.id not in before]
    return new


def arguments(project: Project, event_id: str) -> list[tuple[str, str]]:
    return [(a.role, a.target) for a in project.get_annotation(event_id).arguments]


def test_event_argument_in_two_actions_and_the_old_path_in_three(qtbot, window, project):
    ws = window.workspace
    act = Actions(qtbot, window)
    china = tag(act, window, project, "China", "g")
    firms = tag(act, window, project, "Indian firms", "o")
    thursday = tag(act, window, project, "Thursday", "d")
    ev = tag(act, window, project, "granted", "1")  # LicenceGrant; selected
    assert ws.selected_id == ev.id and ws.current_event == ev.id
    assert "1 Grantor* · 2 Grantee* · 3 Item · 4 Time" in window.statusBar().currentMessage()

    # New path: click the filler, press the role's number.
    act.count = 0
    act.click(china.start + 1)
    assert ws.selected_id == china.id  # the clicked span is selected, the event stays the target
    banner = window.mode_banner.text()
    assert window.mode_banner.isVisibleTo(window) and "1 Grantor* · 2 Grantee* · 3 Item · 4 Time" in banner
    assert "“China” as an argument of LicenceGrant “granted”" in banner
    act.key("1")
    assert act.count == 2
    assert arguments(project, ev.id) == [("Grantor", china.id)]
    assert ws.selected_id == ev.id and not window.mode_banner.isVisibleTo(window)  # back on the event
    assert "“China” set as Grantor" in window.statusBar().currentMessage()

    # Again for the next argument; a double-click on the filler works as well as a click.
    act.count = 0
    act.double_click(firms.start + 2)
    act.key("2")
    assert act.count == 2
    assert arguments(project, ev.id) == [("Grantor", china.id), ("Grantee", firms.id)]

    # The old path (Shift+A, the role's number, a click on the filler) still works: three actions.
    act.count = 0
    act.key(Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    act.key(Qt.Key.Key_4)  # Time, in the chooser
    assert ws.pick is not None and ws.pick.role == "Time"
    act.click(thursday.start + 1)
    assert act.count == 3
    assert ws.pick is None
    stored = project.get_annotation(ev.id)
    assert [(a.role, project.get_annotation(a.target).text_in(ws.text)) for a in stored.arguments] == [
        ("Grantor", "China"),
        ("Grantee", "Indian firms"),
        ("Time", "Thursday"),
    ]
    # One undo takes back one argument.
    window.undo_action.trigger()
    assert [a.role for a in project.get_annotation(ev.id).arguments] == ["Grantor", "Grantee"]
    # The keys reference (Shift+F1) tells the new way.
    assert any("1-9" in keys and "argument" in what for _where, keys, what in window.shortcut_rows())


def test_new_filler_then_its_role_and_what_ends_the_current_event(qtbot, window, project):
    ws = window.workspace
    act = Actions(qtbot, window)
    ev = tag(act, window, project, "briefing", "3")  # Statement: 1 Speaker, 2 Addressee, 3 Place, 4 Time
    # A filler made with its label key is the candidate at once: its role is one key more.
    act.count = 0
    spokesman = tag(act, window, project, "Randhir Jaiswal", "p")
    act.key("1")
    assert act.count == 2
    assert arguments(project, ev.id) == [("Speaker", spokesman.id)]
    # The event itself selected and the selected text exactly an existing span: that span.
    delhi = tag(act, window, project, "New Delhi", "g", occurrence=0)
    ws.select_annotation(ev.id)
    window.article_view.select_span(delhi.start, delhi.end)
    assert "press 1 Speaker" in window.mode_banner.text()
    act.key("3")
    assert arguments(project, ev.id) == [("Speaker", spokesman.id), ("Place", delhi.id)]
    # A number beyond the roles is refused and said.
    act.click(delhi.start + 1)
    act.key("9")
    assert "Statement has 4 roles" in window.statusBar().currentMessage()
    assert len(project.get_annotation(ev.id).arguments) == 2
    # Escape ends it: the number keys are event keys again (no text selected: nothing happens).
    act.key(Qt.Key.Key_Escape)
    assert ws.current_event is None and ws.selected_id is None and not window.mode_banner.isVisibleTo(window)
    act.click(delhi.start + 1)
    assert ws.selected_id == delhi.id and not window.mode_banner.isVisibleTo(window)
    act.key("2")
    assert len(project.get_annotation(ev.id).arguments) == 2
    assert [a.kind for a in mine(project)].count("event") == 1


def test_number_keys_keep_their_meaning_without_a_candidate(qtbot, window, project):
    ws = window.workspace
    act = Actions(qtbot, window)
    ev = tag(act, window, project, "granted", "1")
    # Text that is not a span, with the event current: the number makes an event.
    meeting = tag(act, window, project, "meeting", "2")
    assert (meeting.kind, meeting.label) == ("event", "Meeting")
    assert ws.current_event == meeting.id  # the new event is the current one
    assert project.get_annotation(ev.id).arguments == []
    # The event itself selected, no text: the number changes its type, as before.
    act.key("5")
    assert project.get_annotation(meeting.id).label == "Conflict"
    # A claim selected after the event, a word in it selected: the number makes an event of the word.
    claim = tag(act, window, project, "China has granted licences to an unspecified number of Indian firms", "c")
    assert ws.selected_id == claim.id and ws.current_event == meeting.id
    assert ws.argument_target() is not None  # the claim alone: a filler candidate
    licences = find(window, "licences")
    window.article_view.select_span(*licences)  # a word inside the claim
    assert ws.argument_target() is None and not window.mode_banner.isVisibleTo(window)
    act.key("1")
    assert [(a.label, a.span) for a in mine(project, "event") if a.id not in (ev.id, meeting.id)] == [("LicenceGrant", licences)]
    assert project.get_annotation(meeting.id).arguments == []


def test_role_keys_from_the_annotation_list(qtbot, window, project):
    ws = window.workspace
    act = Actions(qtbot, window)
    china = tag(act, window, project, "China", "g")
    ev = tag(act, window, project, "granted", "1")
    table = window.panel.table
    table.setFocus()
    ws.select_annotation(china.id, reveal=True)  # what choosing its row does
    assert ws.argument_target() == (project.get_annotation(ev.id), project.get_annotation(china.id))
    # The banner would take the focus from the list: the keys are in the status bar.
    assert "press 1 Grantor" in window.statusBar().currentMessage()
    assert not window.mode_banner.isVisibleTo(window) and table.hasFocus()
    QTest.keyClick(table, Qt.Key.Key_1)
    assert arguments(project, ev.id) == [("Grantor", china.id)]


@DELIVERY
def test_a_new_filler_by_double_click_keeps_the_current_event(qtbot, window, project, via):
    """With an event selected, a word nobody tagged yet becomes its argument in
    three actions: double-click it, its entity key, the role's number. (The
    double-click's first press lands on text without spans: that must not end
    the current event.)"""
    ws = window.workspace
    act = Actions(qtbot, window, via)
    ev = tag(act, window, project, "granted", "1")  # LicenceGrant: 1 Grantor, 2 Grantee, 3 Item, 4 Time
    start, end = find(window, "China")
    act.count = 0
    act.double_click(start + 1)
    assert ws.current_event == ev.id
    act.key("g")
    [china] = [a for a in mine(project, "entity") if a.span == (start, end)]
    assert "press 1 Grantor" in window.mode_banner.text()
    act.key("1")
    assert act.count == 3
    assert arguments(project, ev.id) == [("Grantor", china.id)]
    # A click on plain text keeps it; Escape ends it.
    plain = find(window, "licences")[0] + 2
    act.click(plain)
    assert ws.current_event == ev.id and ws.selected_id is None
    act.key(Qt.Key.Key_Escape)
    assert ws.current_event is None


@pytest.mark.parametrize("needle", ["Beijing’s", "China’s move"])
def test_double_click_on_the_possessive_tags_the_word(qtbot, window, project, needle):
    """A double-click that lands on the "’s" means the word it belongs to."""
    act = Actions(qtbot, window)
    start = find(window, needle)[0]
    word = needle.split("’")[0]
    act.double_click(start + len(word) + 1)  # on the "s" of "’s"
    act.key("g")
    [ann] = mine(project)
    assert (ann.text_in(window.workspace.text), ann.start) == (word, start)
