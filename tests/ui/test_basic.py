"""ui/basic.py: a viewport made by Python is set up as Qt's own (what the
article view and the list tables show and how they take input must not
change), and the views that use one work."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QTableView, QTextEdit, QWidget

from annotator.ui.article_view import ArticleView
from annotator.ui.basic import list_table, own_viewport


def viewport_facts(area) -> dict:
    v = area.viewport()
    return {
        "attributes": sorted(a.name for a in Qt.WidgetAttribute if "Count" not in a.name and v.testAttribute(a)),
        "background role": v.backgroundRole(),
        "foreground role": v.foregroundRole(),
        "fills background": v.autoFillBackground(),
        "cursor": v.cursor().shape(),
        "focus proxy is the area": v.focusProxy() is area,
        "focus policy": v.focusPolicy(),
        "context menu policy": v.contextMenuPolicy(),
        "name": v.objectName(),
        "mouse tracking": v.hasMouseTracking(),
        "accepts drops": v.acceptDrops(),
        "size policy": (v.sizePolicy().horizontalPolicy(), v.sizePolicy().verticalPolicy()),
        "visible": v.isVisible(),
        "geometry": v.geometry().getRect(),
        "background": v.palette().color(v.backgroundRole()).name(),
        "parent is the area": v.parent() is area,
        "font": v.font().toString(),
    }


@pytest.mark.parametrize("cls", [QTextEdit, QTableView])
def test_own_viewport_is_set_up_as_qts_own(qtbot, cls):
    theirs, ours = cls(), cls()
    made = own_viewport(ours)
    for area in (theirs, ours):
        qtbot.addWidget(area)
        if isinstance(area, QTextEdit):
            area.setReadOnly(True)
            area.setPlainText("one line\nand another")
        area.resize(320, 200)
        area.show()
    qtbot.waitExposed(ours)
    assert ours.viewport() is made
    assert viewport_facts(ours) == viewport_facts(theirs)


def test_a_text_edit_with_its_own_viewport_lays_out_paints_and_selects(qtbot):
    """Qt's first document laid out for the viewport it was made with (deleted by
    setViewport): without moving it to the new one, the first layout crashes."""
    edit = QTextEdit()
    own_viewport(edit)
    qtbot.addWidget(edit)
    edit.setPlainText("Jaiswal said China " * 200)
    edit.resize(300, 200)
    edit.show()
    qtbot.waitExposed(edit)
    assert edit.document().documentLayout().paintDevice() is edit.viewport()
    edit.selectAll()
    assert edit.textCursor().selectedText().startswith("Jaiswal")
    assert edit.viewport().grab().width() > 0


def test_the_article_view_and_list_tables_use_a_python_made_viewport(qtbot):
    view = ArticleView()
    qtbot.addWidget(view)
    table = list_table(QStringListModel(["a", "b"]))
    qtbot.addWidget(table)
    for area in (view, table):
        assert type(area.viewport()) is QWidget
        assert area.viewport().objectName() == "qt_scrollarea_viewport"
    assert view.viewport().hasMouseTracking()  # hover shows tooltips and the hover span
