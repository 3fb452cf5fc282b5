"""The app's start (benchmarks/RESULTS.md, case 8): the first paint shows the
window with the document list and the current document's text without importing
pydantic; the schema and the annotations are loaded right after it, or at the
first key or click before that."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton

from annotator.core.models import entity
from annotator.core.store import Project
from annotator.services.importing import import_seeds
from annotator.ui.main_window import MainWindow
from tests.ui.test_workspace import click_span

ME = "maria"

#: Modules the first paint does without (loaded with the annotations or on first
#: use): the inspector and its note and knowledge-base editors, the document labels
#: bar, the suggestions layer, the coreference panes and dataclasses, the document
#: labels' rows, the importers and codecs, the store's migration library, the command
#: line's, subprocess (only to list mounts on macOS and BSD), and the tokenizer
#: (word snapping and boundary keys import it when used), and the html module (its
#: entity tables; tooltips escape with annotator.ui.actions.escape), hashlib (it
#: loads OpenSSL) and the dialogs module (message boxes, the name prompt, reports).
LATE = (
    "annotator.ui.inspector",
    "annotator.ui.notes",
    "annotator.ui.kb_links",
    "annotator.ui.doc_labels_bar",
    "annotator.ui.suggestion_layer",
    "annotator.ui.entities_pane",
    "annotator.ui.review_clusters",
    "annotator.ui.search_pane",
    "annotator.ui.dialogs",
    "annotator.core.notes",
    "annotator.core.coref",
    "annotator.core.doclabels",
    "subprocess",
    "annotator.core.tokenize",
    "annotator.core.boundaries",
    "html",
    "hashlib",
    "annotator.services.importing",
    "annotator.formats",
    "sqlite_utils",
    "click",
)

#: Starts the `annotator` command (no arguments: the default project) offscreen,
#: notes what is imported and shown when the window first paints, and again once
#: the deferred load has run; prints it as JSON and leaves.
START = r"""
import json, os, sys
from annotator.cli import start
import annotator.ui.lazy as lazy
from PySide6.QtCore import QEvent, QObject

facts = {}
first_paint = lazy.after_first_paint

def shown(window):
    return {
        "title": window.windowTitle(),
        "menus": [m.title() for m in window.menus.values()],
        "rows": window.doc_list.model.rowCount(),
        "text": window.article_view.toPlainText()[:40],
        "annotations": window.panel.model.rowCount(),
        "spans": len(list(window.article_view._index)),
        "palette": len(window.palette_widget.findChildren(QObject)),
        "loaded": window.workspace.loaded,
        "inspector": type(window.docks["inspector"].widget()).__name__,
        "history": type(window.docks["history"].widget()).__name__,
    }

class AtPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() in (QEvent.Type.UpdateRequest, QEvent.Type.Paint) and "paint" not in facts:
            facts["paint"] = shown(obj)
            facts["pydantic"] = sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core"))[:5]
            facts["models"] = [m for m in ("annotator.core.models", "annotator.core.schema") if m in sys.modules]
            facts["late"] = [m for m in LATE if m in sys.modules]
            # PySide builds a Qt class's Python type on first use; QProcess is built
            # only if something made it build every QObject class's (an application-wide
            # event filter written in Python, a Qt-internal object handed to Python).
            facts["every_type"] = "QProcess" in sys.modules["PySide6.QtCore"].__dict__
            # ... and of every QWidget subclass if Python was handed a widget Qt made
            # (a view's viewport: see annotator.ui.basic.own_viewport), or if a module
            # the first paint does not need imported the dialogs' classes.
            facts["widget_types"] = sorted(
                name for name in ("QWizard", "QFontDialog", "QFileDialog", "QMessageBox", "QDialogButtonBox")
                if name in sys.modules["PySide6.QtWidgets"].__dict__
            )
        return False

def hooked(window, context, then):
    if "hooked" not in facts:
        facts["hooked"] = True
        window._at_paint = AtPaint(window)
        window.installEventFilter(window._at_paint)
    if then == window.finish_loading:
        def load_then_report():
            then()
            facts["after"] = shown(window)
            sys.stdout.write("@@facts@@ " + json.dumps(facts) + "\n")
            sys.stdout.flush()
            os._exit(0)
        return first_paint(window, context, load_then_report)
    return first_paint(window, context, then)

LATE = %r
lazy.after_first_paint = hooked  # before annotator.ui.main_window is imported (by the app's start)
start([])  # the `annotator` command with no arguments
"""


@pytest.fixture
def home(tmp_path):
    """A default project with the demo articles, each with one annotation of maria's."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        ANNOTATOR_HOME=str(tmp_path / "annotator"),
    )
    (tmp_path / "annotator").mkdir()
    (tmp_path / "annotator" / "settings.ini").write_text(f"[annotator]\nname={ME}\n", encoding="utf-8")
    project = Project(tmp_path / "annotator" / "default.annotator", create=True)
    import_seeds(project)
    with project.transaction():
        project.put_annotations([entity(doc_id, 1, 5, "PERSON", ME) for doc_id in project.document_ids()])
    project.close()
    return env


def test_the_first_paint_imports_no_pydantic_and_the_annotations_follow(home):
    proc = subprocess.run([sys.executable, "-c", START % (LATE,)], env=home, capture_output=True, text=True, timeout=120)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("@@facts@@ ")), None)
    assert line is not None, proc.stderr[-2000:]
    facts = json.loads(line[len("@@facts@@ ") :])
    assert facts["pydantic"] == [] and facts["models"] == []
    assert facts["late"] == []
    assert facts["every_type"] is False
    assert facts["widget_types"] == []
    paint, after = facts["paint"], facts["after"]
    assert paint["title"] == "default.annotator — annotator"
    assert paint["menus"] == ["&File", "&Edit", "&View", "&Document", "&Review", "&Team", "&Suggestions", "&Help"]
    assert paint["rows"] >= 1 and paint["text"].strip()
    assert not paint["loaded"] and paint["annotations"] == 0 and paint["spans"] == 0
    assert after["loaded"] and after["text"] == paint["text"] and after["rows"] == paint["rows"]
    assert after["annotations"] == 1 and after["spans"] == 1
    assert after["palette"] > paint["palette"]  # the label chips
    # the inspector and the undo history: stand-ins at the first paint, then the panes
    assert (paint["inspector"], paint["history"]) == ("_PaneStandIn", "_PaneStandIn")
    assert (after["inspector"], after["history"]) == ("Inspector", "QUndoView")


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "work.annotator", create=True)
    import_seeds(p)
    doc_id = p.document_ids()[0]
    with p.transaction():
        p.put_annotations([entity(doc_id, 1, 5, "PERSON", ME), entity(doc_id, 10, 15, "ORG", ME)])
    yield p
    p.close()


@pytest.fixture
def deferred(qtbot, tmp_path, project):
    window = MainWindow(project, ME, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), defer_load=True)
    qtbot.addWidget(window)
    yield window
    window.close()


def test_deferred_window_shows_the_text_then_the_annotations(qtbot, project, deferred):
    doc_id = project.document_ids()[0]
    view = deferred.article_view
    assert view.text() == project.document_text(doc_id)
    assert not deferred.workspace.loaded and deferred.workspace.doc_id is None
    assert deferred.panel.model.rowCount() == 0 and not list(view._index)
    assert deferred.title_label.toolTip() or deferred.title_label.text()  # the document's title
    deferred.show()  # the first paint, then the deferred load
    qtbot.waitUntil(lambda: deferred.workspace.loaded)
    assert deferred.workspace.doc_id == doc_id and len(deferred.workspace.anns) == 2
    assert deferred.panel.model.rowCount() == 2 and len(list(view._index)) == 2
    assert view.text() == project.document_text(doc_id)
    assert deferred.palette_widget.findChildren(QToolButton)  # the label chips


def test_a_key_before_the_load_loads_first(qtbot, project, deferred):
    """A key press in that instant acts on the loaded document, never on a half-loaded one."""
    doc_id = project.document_ids()[0]
    view = deferred.article_view
    assert not deferred.workspace.loaded
    qtbot.keyClick(view, Qt.Key.Key_Down)  # not shown yet: no paint has happened
    assert deferred.workspace.loaded and deferred.workspace.doc_id == doc_id
    assert len(deferred.workspace.anns) == 2 and deferred.panel.model.rowCount() == 2


def test_windows_built_directly_load_at_once(qtbot, tmp_path, project):
    window = MainWindow(project, ME, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert window.workspace.loaded and len(window.workspace.anns) == 2
    window.close()


def inspector_state(window: MainWindow) -> dict:
    ins = window.inspector
    return {
        "kb_project": ins.kb_project is window.project,
        "schema": ins.schema is window.workspace.schema,
        "text": ins.text == window.workspace.text,
        "by_id": sorted(ins.by_id),
        "ann": ins.ann.id if ins.ann is not None else None,
        "empty": ins.empty.isVisibleTo(ins),
        "common": ins.common.isVisibleTo(ins),
        "doc_note": ins.doc_note_box.isEnabled(),
        "history": window.undo_view.stack() is window.undo_stack,
    }


def test_the_inspector_and_history_are_made_with_the_load_as_they_would_be(qtbot, tmp_path, project, deferred):
    """Not part of the first paint; once loaded, they are as in a window that loaded at once."""
    from annotator.ui.inspector import Inspector
    from annotator.ui.main_window import INSPECTOR_HINT, INSPECTOR_SIZE

    assert deferred._inspector is None and deferred._undo_view is None
    stand_in = deferred.docks["inspector"].widget()
    assert not isinstance(stand_in, Inspector) and stand_in.sizeHint() == INSPECTOR_SIZE
    deferred.show()
    qtbot.waitUntil(lambda: deferred.workspace.loaded)
    ins = deferred.inspector
    assert deferred.docks["inspector"].widget() is ins and deferred.docks["history"].widget() is deferred.undo_view
    assert ins.isVisible()
    # the stand-in says what the inspector says with nothing selected, at its size
    assert ins.empty.text() == INSPECTOR_HINT and ins.sizeHint() == INSPECTOR_SIZE
    direct = MainWindow(project, ME, QSettings(str(tmp_path / "d.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(direct)
    assert inspector_state(deferred) == inspector_state(direct)
    # and it follows the selection: a click on a span shows it in the inspector
    ann = sorted(deferred.workspace.anns.values(), key=lambda a: a.start)[-1]
    click_span(qtbot, deferred, ann.start + 1)
    assert deferred.workspace.selected_id == ann.id
    assert ins.ann is not None and ins.ann.id == ann.id and ins.common.isVisibleTo(ins)
    assert ins.label_combo.currentText() == ann.label
    direct.close()


def test_go_to_inspector_before_the_load_loads_and_goes_there(qtbot, project, deferred):
    deferred.show()
    assert not deferred.workspace.loaded or deferred._inspector is not None
    deferred.activateWindow()
    qtbot.keyClick(deferred.article_view, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert deferred.workspace.loaded and deferred._inspector is not None
    assert deferred.docks["inspector"].widget() is deferred.inspector
    assert deferred.docks["inspector"].isVisible()


def test_a_click_before_the_load_loads_first(qtbot, tmp_path, project, monkeypatch):
    """The gate watches the window's native window, through which every click
    passes: a click in the document list of the shown window, before the
    deferred load (held back here), loads the window first."""
    import annotator.ui.main_window as main_window

    monkeypatch.setattr(main_window, "after_first_paint", lambda window, context, then: None)
    window = MainWindow(project, ME, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), defer_load=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.workspace.loaded
    table = window.doc_list.table
    rect = table.visualRect(table.model().index(0, 0))
    # As a real click comes: to the native window (QTest's widget overload hands
    # the event straight to the widget, past the native window).
    where = table.viewport().mapTo(window, rect.center())
    QTest.mouseClick(window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    assert window.workspace.loaded and len(window.workspace.anns) == 2
    assert window._load_gate is None
    assert window.doc_list.table.currentIndex().row() == 0  # and the click went on to the list
    window.close()


def test_the_gate_never_hands_pyside_a_widget_qt_made(qtbot, tmp_path, project):
    """What the gate watches is known to Python by its exact class (no search
    through every QWidget subclass's type: benchmarks/RESULTS.md, case 8)."""
    window = MainWindow(project, ME, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), defer_load=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    gate = window._load_gate
    if gate is None:  # loaded already (the first paint came first)
        return
    names = sorted(type(o).__name__ for o in gate.watched)
    assert names == sorted(["MainWindow", "ArticleView", "QWindow"]), names
    window.close()


def test_a_shortcut_before_the_load_acts_on_the_loaded_document(qtbot, tmp_path, project, monkeypatch):
    """Input that comes before the deferred load (held back here): a window shortcut
    (Ctrl+D, Mark done) loads the window first, then acts on the loaded document."""
    import annotator.ui.main_window as main_window

    monkeypatch.setattr(main_window, "after_first_paint", lambda window, context, then: None)
    window = MainWindow(project, ME, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), defer_load=True)
    qtbot.addWidget(window)
    doc_id = project.document_ids()[0]
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert not window.workspace.loaded
    window.article_view.setFocus()
    qtbot.keyClick(window.article_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # Mark done
    assert window.workspace.loaded and window.workspace.doc_id == doc_id
    assert project.get_document(doc_id).status.value == "done"
    # and a click on a menu before the load, likewise (a second window, held back too)
    other = MainWindow(project, ME, QSettings(str(tmp_path / "o.ini"), QSettings.Format.IniFormat), defer_load=True)
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    assert not other.workspace.loaded
    bar = other.menuBar()
    where = bar.mapTo(other, bar.actionGeometry(other.menus["Edit"].menuAction()).center())
    QTest.mouseClick(other.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    assert other.workspace.loaded and other._load_gate is None
    other.menus["Edit"].close()
    other.close()
    window.close()


def test_the_first_set_project_makes_no_extra_empty_document(qtbot, tmp_path, project, monkeypatch):
    """The view makes its empty document once (when made) and then the shown one's:
    setting the project with no document open does not make another empty one."""
    from annotator.ui.article_view import ArticleView

    made: list[str] = []
    new_document = ArticleView._new_document

    def counted(view, text):
        made.append(text)
        return new_document(view, text)

    monkeypatch.setattr(ArticleView, "_new_document", counted)
    window = MainWindow(project, ME, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), defer_load=True)
    qtbot.addWidget(window)
    doc_id = project.document_ids()[0]
    assert made == ["", project.document_text(doc_id)]
    window.set_project(None, ME)  # a document's text was shown: the view is emptied
    assert made[-1] == "" and window.article_view.text() == "" and len(made) == 3
    window.close()


@pytest.mark.parametrize("text", ["", "plain", "a&b<c>d\"e'f", "&amp; &lt;", "“quotes” é ✓ \n\t", "<b onclick='x()'>\"&\"</b>"])
def test_tooltips_escape_as_html_escape_does(text):
    import html

    from annotator.ui.actions import escape, plain_tooltip

    assert escape(text) == html.escape(text)
    assert (
        plain_tooltip(text) == f"<qt><span style='white-space:pre-wrap'>{html.escape(text).replace(chr(10), '<br>')}</span></qt>"
    )


def test_the_remembered_document_key_is_sha1_of_the_project_path(qtbot, tmp_path, project):
    """The key under which the last document is remembered did not change with the
    hash's module (settings written by earlier versions still open that document)."""
    import hashlib

    window = MainWindow(project, ME, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    path = str(project.path.resolve()).encode("utf-8")
    assert window._last_doc_key() == "lastDocument/" + hashlib.sha1(path).hexdigest()[:16]
    window.close()
