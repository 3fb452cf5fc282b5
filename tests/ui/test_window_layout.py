"""The text keeps most of a small window (issue 12, defect 6): at 1024x700 the
side panes give way, the title is elided in the middle, the palette shows every
label without scrolling, and the side panes can be hidden with one key."""

from __future__ import annotations

import html

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QScrollArea, QStyleOptionViewItem

from annotator.core.store import Project
from annotator.services.importing import import_seeds
from annotator.ui.main_window import MainWindow

SMALL = (1024, 700)


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "work.annotator", create=True)
    import_seeds(p)
    yield p
    p.close()


@pytest.fixture
def settings(tmp_path):
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s
    s.sync()


def open_window(
    qtbot, project: Project, settings: QSettings, size: tuple[int, int] | None, *, defer_load: bool = False
) -> MainWindow:
    w = MainWindow(project, "maria", settings, defer_load=defer_load)
    qtbot.addWidget(w)
    if size is not None:
        w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(100)  # the first layout (dock sizes are set after the first show), deferred loading
    return w


def check_small_layout(qtbot, w: MainWindow) -> None:
    """What a 1024x700 window must show (``w`` already at that size)."""
    assert (w.width(), w.height()) == SMALL
    view = w.article_view
    assert view.width() >= 0.5 * w.width() and view.width() >= 500, f"text pane {view.width()} px of {w.width()}"

    # The title: elided in the middle (its start and end show), the whole title in the tooltip.
    title = w.title_label
    full = title.full_text()
    assert len(full) > 60  # the demo article's title does not fit the header at this size
    shown = title.text()
    assert "…" in shown and shown != full
    head, _, tail = shown.partition("…")  # (the stored title itself may end with "…")
    assert len(head) >= 10 and len(tail) >= 10, shown
    assert full.startswith(head) and full.endswith(tail)
    assert html.escape(full) in title.toolTip()

    # Every label of the palette shows, without a scroll bar.
    scroll = w.docks["labels"].widget()
    assert isinstance(scroll, QScrollArea)
    assert w.docks["labels"].isVisible() and not w.docks["labels"].visibleRegion().isEmpty()
    assert len(w.palette_widget.chips) == 25
    # (the docks' sizes settle over a few turns of the event loop: slow on a busy machine)
    qtbot.waitUntil(lambda: not scroll.verticalScrollBar().isVisible() and not scroll.horizontalScrollBar().isVisible())
    viewport = scroll.viewport().rect()
    for chip in w.palette_widget.chips:
        top_left = chip.mapTo(scroll.viewport(), chip.rect().topLeft())
        assert viewport.contains(top_left) and viewport.contains(top_left + chip.rect().bottomRight()), chip.label


def test_first_start_at_1024x700(qtbot, project, settings):
    w = open_window(qtbot, project, settings, SMALL)
    check_small_layout(qtbot, w)
    w.close()


def test_first_start_with_deferred_loading_at_1024x700(qtbot, project, settings):
    """The app's own start: the palette is filled after the first paint."""
    w = open_window(qtbot, project, settings, SMALL, defer_load=True)
    qtbot.waitUntil(lambda: w.workspace.loaded)
    qtbot.wait(50)
    check_small_layout(qtbot, w)
    w.close()


def test_side_panes_give_way_when_the_window_gets_smaller(qtbot, project, settings):
    """The first layout made at 1400x900 (wide side panes), then the window at 1024x700."""
    w = open_window(qtbot, project, settings, (1400, 900))
    assert w.docks["documents"].width() + w.docks["annotations"].width() > 600
    w.resize(*SMALL)
    qtbot.wait(100)
    check_small_layout(qtbot, w)
    w.close()


def test_a_stored_layout_gives_way_too(qtbot, project, settings):
    """A layout stored with wide side panes, opened in a window of 1024x700."""
    w = open_window(qtbot, project, settings, (1400, 900))
    w.resizeDocks([w.docks["documents"], w.docks["annotations"]], [330, 420], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    w.close()  # stores the layout
    w = open_window(qtbot, project, settings, None)
    w.resize(*SMALL)
    qtbot.wait(100)
    check_small_layout(qtbot, w)
    w.close()


def test_side_panes_hide_and_come_back_with_one_key(qtbot, project, settings):
    w = open_window(qtbot, project, settings, SMALL)
    w.activateWindow()
    qtbot.waitActive(w)
    w.article_view.setFocus()
    shown = {name for name, dock in w.docks.items() if dock.isVisible()}
    assert {"documents", "labels", "annotations", "inspector"} <= shown
    qtbot.keyClick(w.article_view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait(50)
    assert not any(dock.isVisible() for dock in w.docks.values())
    assert w.article_view.width() >= w.width() - 20
    assert w.text_only_action.isChecked()
    qtbot.keyClick(w.article_view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait(50)
    assert {name for name, dock in w.docks.items() if dock.isVisible()} == shown
    assert any(a.text().replace("&", "").startswith("Text only") for a in w.menus["View"].actions())
    # Text only is remembered with the layout: the next start shows the text only,
    # and the key brings back the panes it hid.
    w.text_only_action.trigger()
    w.close()
    w = open_window(qtbot, project, settings, SMALL)
    assert w.text_only_action.isChecked()
    assert not any(dock.isVisible() for dock in w.docks.values())
    w.text_only_action.trigger()
    qtbot.wait(50)
    assert {name for name, dock in w.docks.items() if dock.isVisible()} == shown
    w.close()


def test_on_a_short_screen_labels_and_documents_are_tabs(qtbot, project, settings):
    """Too short for the document list above every label: the first layout makes
    them tabs, Labels in front (no scroll bar); Ctrl+1 brings the documents."""
    w = open_window(qtbot, project, settings, (1024, 560))
    labels, docs = w.docks["labels"], w.docks["documents"]
    assert docs in w.tabifiedDockWidgets(labels)
    assert not labels.visibleRegion().isEmpty() and docs.visibleRegion().isEmpty()
    assert not labels.widget().verticalScrollBar().isVisible()
    assert w.article_view.width() >= 500
    w.activateWindow()
    qtbot.waitActive(w)
    qtbot.keyClick(w.article_view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not docs.visibleRegion().isEmpty())
    assert w.doc_list.table.hasFocus()
    w.close()


def test_a_narrow_document_list_keeps_room_for_titles(qtbot, project, settings):
    """In a narrow side column the status shows as its coloured dot only (its word
    in the tooltip), so that the titles are readable."""
    from annotator.ui.doc_list import DocumentListModel as M

    w = open_window(qtbot, project, settings, SMALL)
    w.activateWindow()
    qtbot.waitActive(w)
    qtbot.keyClick(w.article_view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # the documents, in front
    table = w.doc_list.table
    qtbot.waitUntil(lambda: table.isVisible() and not table.visibleRegion().isEmpty())
    assert table.viewport().width() < 260
    assert table.columnWidth(M.TITLE) >= 0.55 * table.viewport().width()
    index = table.model().index(0, M.STATUS)
    assert "new" in index.data(Qt.ItemDataRole.ToolTipRole)
    option = QStyleOptionViewItem()
    option.initFrom(table)
    delegate = table.itemDelegateForIndex(index)
    delegate.initStyleOption(option, index)
    assert option.text == "" and not option.icon.isNull()  # the dot, without its word
    assert table.model().headerData(M.STATUS, Qt.Orientation.Horizontal) == ""
    # Wider: the status's word comes back.
    w.resizeDocks([w.docks["documents"]], [420], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: table.viewport().width() > 340)
    assert table.columnWidth(M.STATUS) > 80
    option = QStyleOptionViewItem()
    table.itemDelegateForIndex(index).initStyleOption(option, index)
    assert option.text == "new"
    assert table.model().headerData(M.STATUS, Qt.Orientation.Horizontal) == "Status"
    w.close()
