"""The pick-mode banner never hides text: it sits in a strip under the text
(the article view's viewport ends above it), and the span being worked on
stays in view when the banner appears."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QTextCursor

from annotator.ui.main_window import MainWindow
from tests.window_fixtures import show_window

ME = "maria"


@pytest.fixture
def window(qtbot, project, settings):
    w = show_window(qtbot, project, settings, size=(1100, 700))
    yield w
    w.close()


def span(w: MainWindow, needle: str) -> tuple[int, int]:
    start = w.workspace.text.index(needle)
    return start, start + len(needle)


def line_rect(w: MainWindow, cp: int) -> QRect:
    """The viewport rectangle of the text line at code point ``cp`` (Qt's own geometry)."""
    view = w.article_view
    cursor = QTextCursor(view.document())
    cursor.setPosition(w.workspace.posmap.to_qt(cp))
    return view.cursorRect(cursor)


def put_at_bottom(w: MainWindow, cp: int) -> None:
    """Scroll so that the line of ``cp`` is the last whole line in the viewport."""
    view = w.article_view
    bar = view.verticalScrollBar()
    rect = line_rect(w, cp)
    bar.setValue(bar.value() + rect.bottom() - view.viewport().height() + 4)
    rect = line_rect(w, cp)
    assert view.viewport().rect().contains(rect)
    assert rect.bottom() > view.viewport().height() - 20  # the very last line


def text_area(w: MainWindow) -> QRect:
    view = w.article_view.viewport()
    return QRect(view.mapTo(w, view.rect().topLeft()), view.size())


def banner_area(w: MainWindow) -> QRect:
    b = w.mode_banner
    return QRect(b.mapTo(w, b.rect().topLeft()), b.size())


def check_banner_hides_nothing(w: MainWindow, cp: int) -> None:
    assert w.mode_banner.isVisibleTo(w)
    # No text is under the banner: it is outside the text's viewport ...
    assert not banner_area(w).intersects(text_area(w))
    # ... and on the article view, under the text.
    view = w.article_view
    assert QRect(view.mapTo(w, view.rect().topLeft()), view.size()).contains(banner_area(w))
    assert banner_area(w).top() >= text_area(w).bottom()
    # The span being worked on is in view, whole.
    assert w.article_view.viewport().rect().contains(line_rect(w, cp))


def test_claimant_pick_banner_leaves_the_claim_visible(qtbot, window, project):
    ws, view = window.workspace, window.article_view
    start, end = span(window, "some Indian companies have received licences for importing rare earth magnets from China")
    view.select_span(start, end)
    qtbot.keyClick(view, "c")
    assert ws.selected() is not None and ws.selected().kind == "claim"
    put_at_bottom(window, start)
    full = text_area(window)
    qtbot.keyClick(view, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)
    assert ws.pick is not None and ws.pick.what == "claimant"
    check_banner_hides_nothing(window, start)
    # Escape: the banner goes and the text has the whole view again.
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert ws.pick is None and not window.mode_banner.isVisibleTo(window)
    assert text_area(window) == full


def test_argument_pick_banner_leaves_the_event_visible(qtbot, window, project):
    ws, view = window.workspace, window.article_view
    start, end = span(window, "received")
    view.select_span(start, end)
    qtbot.keyClick(view, "1")  # LicenceGrant
    ev = ws.selected()
    assert ev is not None and ev.kind == "event"
    put_at_bottom(window, start)
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert ws.chooser is not None and ws.choose_option("Grantee")
    assert ws.pick is not None
    check_banner_hides_nothing(window, start)
    # The pick still completes: the filler typed in from the selected text.
    view.select_span(*span(window, "Indian companies"))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    if ws.chooser is not None:  # the new filler's entity label
        assert ws.choose_option("ORG")
    assert ws.pick is None and not window.mode_banner.isVisibleTo(window)
    assert [a.role for a in project.get_annotation(ev.id).arguments] == ["Grantee"]
