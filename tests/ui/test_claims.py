"""Claims in the workspace, driven through the real widgets (issue 12, defect 4).

A new claim starts with its attributes unset (not factual / medium / supports /
unverified that nobody chose), the inspector says what is still unset, the
claims export writes unset as null, and every attribute value takes one key
press while the claim is selected (Shift + the letter the inspector shows next
to the value), each press one undoable step; the inspector's combo boxes still
work with the mouse.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from annotator.core.schema import RESERVED_ATTRIBUTE_KEYS, parse_schema
from annotator.core.store import Project
from annotator.services.exporting import ExportOptions, export
from annotator.ui.main_window import MainWindow
from annotator.ui.workspace_keys import COMMAND_KEYS
from tests.window_fixtures import show_window

ME = "maria"
CLAIM = "some Indian companies have received licences for importing rare earth magnets from China"
NAMES = ["claim_type", "check_worthiness", "stance", "veracity"]


class Actions:
    """The user's gestures, each a real key press or mouse click, counted."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.keys = 0
        self.clicks = 0

    def key(self, widget, key, mods=Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(widget, key, mods)
        self.keys += 1

    def click(self, widget, pos: QPoint | None = None) -> None:
        if pos is None:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        else:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
        self.clicks += 1

    def click_span(self, w: MainWindow, cp: int) -> None:
        """A click on the character at code point ``cp`` of the text."""
        view = w.article_view
        cursor = QTextCursor(view.document())
        cursor.setPosition(w.workspace.posmap.to_qt(cp))
        view.setTextCursor(cursor)
        view.ensureCursorVisible()
        start_rect = view.cursorRect(cursor)
        cursor.setPosition(w.workspace.posmap.to_qt(cp + 1))
        end_rect = view.cursorRect(cursor)
        x = (start_rect.left() + end_rect.left()) // 2 if end_rect.top() == start_rect.top() else start_rect.left() + 2
        self.click(view.viewport(), QPoint(x, start_rect.center().y()))

    def choose(self, combo: QComboBox, value: str) -> None:
        """Open the combo box's list and click the value: two clicks."""
        self.qtbot.waitUntil(combo.isVisible)  # (shown once the event loop has run, as for a user)
        self.click(combo)
        self.qtbot.waitUntil(lambda: combo.view().isVisible())
        # the open list ignores a release within a double-click time of opening (the opening
        # click's own release); a person's next click comes later
        self.qtbot.wait(QApplication.doubleClickInterval() + 50)
        view = combo.view()
        rect = view.visualRect(combo.model().index(combo.findData(value), 0))
        self.click(view.viewport(), rect.center())
        self.qtbot.waitUntil(lambda: not view.isVisible())


def select(w: MainWindow, needle: str) -> tuple[int, int]:
    start = w.workspace.text.index(needle)
    w.article_view.select_span(start, start + len(needle))
    w.article_view.setFocus()
    return start, start + len(needle)


def stored(project: Project, ann_id: str) -> dict:
    return project.get_annotation(ann_id).attributes


def new_claim(qtbot, w: MainWindow, project: Project, actions: Actions | None = None):
    select(w, CLAIM)
    (actions or Actions(qtbot)).key(w.article_view, "c")
    [cl] = [a for d in [w.current_doc_id] for a in project.annotations(d, annotator=ME) if a.kind == "claim"]
    return cl


# ---------------------------------------------------------------------------
def test_a_new_claim_starts_unset_the_inspector_says_so_and_the_export_writes_null(qtbot, window, project, tmp_path):
    cl = new_claim(qtbot, window, project)
    assert cl.attributes == {}  # nobody judged it: no made-up factual / medium / supports / unverified
    ins = window.inspector
    assert [ins.attr_combos[n].currentData() for n in NAMES] == [None] * 4
    assert [ins.attr_combos[n].currentText() for n in NAMES] == ["(not set)"] * 4
    assert ins.unset_label.isVisible()
    assert ins.unset_label.text() == "Not set yet: claim type, check worthiness, stance, veracity"
    assert window.panel.model.data(window.panel.model.index(0, 1)) == "Claim (4 not set)"
    export(project, ExportOptions("claims", out=tmp_path / "claims.jsonl"))
    [rec] = [json.loads(x) for x in (tmp_path / "claims.jsonl").read_text("utf-8").splitlines()]
    assert rec["attributes"] == dict.fromkeys(NAMES)  # null: told apart from a judged claim
    # once judged, the inspector no longer lists it as unset
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, Qt.Key.Key_E, Qt.KeyboardModifier.ShiftModifier)
    assert stored(project, cl.id) == {"stance": "refutes"}
    assert ins.unset_label.text() == "Not set yet: claim type, check worthiness, veracity"


def test_a_default_the_schema_declares_is_where_a_claim_starts(qtbot, project, settings):
    schema = project.schema.to_dict()
    for attr in schema["claim"]["attributes"]:
        if attr["name"] == "veracity":
            attr["default"] = "unverified"
    project.set_schema(parse_schema(schema))
    w = show_window(qtbot, project, settings)
    try:
        cl = new_claim(qtbot, w, project)
        assert cl.attributes == {"veracity": "unverified"}
        assert w.inspector.attr_combos["veracity"].currentData() == "unverified"
        assert w.inspector.unset_label.text() == "Not set yet: claim type, check worthiness, stance"
    finally:
        w.close()


def test_the_inspector_shows_each_values_key(qtbot, window, project):
    new_claim(qtbot, window, project)
    hints = window.inspector.attr_hints
    assert hints["stance"].text() == "Shift+S supports · Shift+E refutes · Shift+N neutral"
    assert hints["check_worthiness"].text() == "Shift+H high · Shift+M medium · Shift+L low · Shift+B none"
    assert hints["claim_type"].text() == (
        "Shift+D statistical · Shift+F factual · Shift+C causal · Shift+Q quote · Shift+P prediction · Shift+O opinion"
    )
    assert hints["veracity"].text() == (
        "Shift+U unverified · Shift+T true · Shift+Y mostly_true · Shift+I mixed · Shift+J mostly_false"
        " · Shift+G false · Shift+V unverifiable"
    )
    combo = window.inspector.attr_combos["stance"]
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "(not set)",
        "supports  (Shift+S)",
        "refutes  (Shift+E)",
        "neutral  (Shift+N)",
    ]
    # the letters are none of the text's Shift+letter commands (nor, being Shift+letters, a label key)
    assert {k.lower() for k in COMMAND_KEYS} <= RESERVED_ATTRIBUTE_KEYS
    letters = [part.split()[0].removeprefix("Shift+").lower() for h in hints.values() for part in h.text().split(" · ")]
    assert len(letters) == len(set(letters)) == 20
    assert not set(letters) & {k.lower() for k in COMMAND_KEYS}


def test_claim_with_claimant_and_three_attributes_by_keys_and_by_mouse(qtbot, window, project):
    """Counted: the claim, its claimant and three attributes take 6 key presses and
    clicks by keys (one press per attribute), 9 with the inspector's combo boxes;
    every attribute change is one undo step."""
    ws, view, stack = window.workspace, window.article_view, window.workspace.stack
    start = window.workspace.text.index("Randhir Jaiswal")
    window.article_view.select_span(start, start + len("Randhir Jaiswal"))
    qtbot.keyClick(view, "p")
    [person] = project.annotations(window.current_doc_id, annotator=ME)

    keys = Actions(qtbot)
    cl = new_claim(qtbot, window, project, keys)
    keys.key(view, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)  # pick the claimant...
    keys.click_span(window, start + 3)  # ...by clicking it
    assert project.get_annotation(cl.id).claimant_ref == person.id
    assert ws.selected_id == cl.id
    steps = stack.count()
    keys.key(view, Qt.Key.Key_E, Qt.KeyboardModifier.ShiftModifier)
    assert stored(project, cl.id) == {"stance": "refutes"}
    keys.key(view, Qt.Key.Key_H, Qt.KeyboardModifier.ShiftModifier)
    assert stored(project, cl.id) == {"stance": "refutes", "check_worthiness": "high"}
    keys.key(view, Qt.Key.Key_Y, Qt.KeyboardModifier.ShiftModifier)
    assert stored(project, cl.id) == {"stance": "refutes", "check_worthiness": "high", "veracity": "mostly_true"}
    assert stack.count() == steps + 3  # one undo step per key press
    assert (keys.keys, keys.clicks) == (5, 1)  # c, Shift+K, click, three attribute keys
    by_keys = keys.keys + keys.clicks
    # another value of an attribute is again one press
    keys.key(view, Qt.Key.Key_S, Qt.KeyboardModifier.ShiftModifier)
    assert stored(project, cl.id)["stance"] == "supports"
    # undo goes back one key press at a time, to unset
    for want in (
        {"stance": "refutes", "check_worthiness": "high", "veracity": "mostly_true"},
        {"stance": "refutes", "check_worthiness": "high"},
        {"stance": "refutes"},
        {},
    ):
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert stored(project, cl.id) == want
    assert window.inspector.attr_combos["stance"].currentData() is None

    # The mouse path: the inspector's combo boxes, two clicks each.
    ws.select_annotation(None)
    other = "China controls around 70% of global rare earth mining"
    mouse = Actions(qtbot)
    select(window, other)
    mouse.key(view, "c")
    [cl2] = [a for a in project.annotations(window.current_doc_id, annotator=ME) if a.kind == "claim" and a.id != cl.id]
    mouse.key(view, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)
    mouse.click_span(window, start + 3)
    steps = stack.count()
    combos = window.inspector.attr_combos
    mouse.choose(combos["stance"], "refutes")
    mouse.choose(combos["check_worthiness"], "high")
    mouse.choose(combos["veracity"], "mostly_true")
    assert stored(project, cl2.id) == {"stance": "refutes", "check_worthiness": "high", "veracity": "mostly_true"}
    assert stack.count() == steps + 3
    assert (mouse.keys, mouse.clicks) == (2, 7)  # c, Shift+K, click, two clicks per attribute
    assert by_keys == 6 < mouse.keys + mouse.clicks == 9
    window.undo_action.trigger()
    assert stored(project, cl2.id) == {"stance": "refutes", "check_worthiness": "high"}


def test_attribute_keys_act_only_on_a_selected_claim(qtbot, window, project):
    view = window.article_view
    doc = window.current_doc_id
    select(window, "Randhir Jaiswal")
    qtbot.keyClick(view, "p")  # an entity is selected now
    before = [a.model_dump() for a in project.annotations(doc)]
    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ShiftModifier)
    window.workspace.select_annotation(None)
    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ShiftModifier)
    assert [a.model_dump() for a in project.annotations(doc)] == before
    # with a claim selected, the label keys still annotate selected text
    cl = new_claim(qtbot, window, project)
    select(window, "China")
    qtbot.keyClick(view, "g")
    assert any(a.label == "GPE" for a in project.annotations(doc))
    assert stored(project, cl.id) == {}
    # and the keys work from the annotation list too
    window.workspace.select_annotation(cl.id)
    table = window.panel.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert stored(project, cl.id) == {"stance": "neutral"}


def test_the_first_claim_opens_no_window_of_its_own(qtbot, window, project):
    """The inspector's attribute rows are built when the first claim is shown:
    none of their widgets may flash up as a window of its own (that took the
    main window's focus, and Ctrl+Z then reached nothing)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    opened: list[str] = []

    class Watch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Show and isinstance(obj, QWidget) and obj.isWindow() and obj is not window:
                opened.append(type(obj).__name__)
            return False

    watch = Watch()
    QApplication.instance().installEventFilter(watch)
    try:
        new_claim(qtbot, window, project)
        QApplication.processEvents()
    finally:
        QApplication.instance().removeEventFilter(watch)
    assert opened == []
    assert QApplication.activeWindow() is window
    before = len(project.annotations(window.workspace.doc_id))
    qtbot.keyClick(window.article_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(project.annotations(window.workspace.doc_id)) == before - 1


@pytest.mark.parametrize("size", [(1400, 900), (1024, 700)])
def test_the_claim_inspector_fits_its_pane(qtbot, window, project, size):
    """A claim's inspector (claimant, four attributes with their keys) fits the
    right pane's width: no part of it behind a horizontal scroll bar."""
    window.resize(*size)
    QApplication.processEvents()
    new_claim(qtbot, window, project)
    QApplication.processEvents()
    inspector = window.inspector
    assert inspector.widget().minimumSizeHint().width() <= inspector.viewport().width()
    assert not inspector.horizontalScrollBar().isVisible()


def test_the_event_inspector_fits_its_pane_at_1024x700(qtbot, window, project):
    window.resize(1024, 700)
    QApplication.processEvents()
    select(window, "granted")
    qtbot.keyClick(window.article_view, "1")
    QApplication.processEvents()
    inspector = window.inspector
    assert inspector.widget().minimumSizeHint().width() <= inspector.viewport().width()


def test_the_annotation_list_fits_its_pane_at_1024x700(qtbot, window, project):
    window.resize(1024, 700)
    new_claim(qtbot, window, project)
    QApplication.processEvents()
    table = window.panel.table
    qtbot.waitUntil(lambda: table.horizontalHeader().length() <= table.viewport().width())
    assert not table.horizontalScrollBar().isVisible()
