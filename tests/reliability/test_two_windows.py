"""Two app windows (two connections, as two running instances) on one project:
edits of different things both land; an edit made in a window that still shows
an older state of the annotation is refused with a clear message and the
window then shows the current state. Never a silent overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("annotator.ui.main_window")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from annotator.core import commands as C  # noqa: E402
from annotator.core.models import Document, entity  # noqa: E402
from annotator.core.store import Project  # noqa: E402
from annotator.ui.main_window import MainWindow  # noqa: E402

TEXT = "Beijing granted licences to Tokyo firms on Tuesday, the ministry said."
ME = "maria"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "shared.annotator"
    with Project(p, create=True) as project:
        project.insert_documents([(Document(id="d1", text=TEXT), [])])
        C.apply(project, C.AddAnnotations("d1", ME, [entity("d1", 0, 7, "PERSON", ME, id="x")]))
    return p


def window(qtbot, path: Path, tmp_path: Path, name: str) -> MainWindow:
    w = MainWindow(Project(path), ME, QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.open_document("d1")
    return w


def press(qtbot, w: MainWindow, key) -> list[str]:
    messages: list[str] = []
    w.workspace.warning.connect(messages.append)
    w.article_view.setFocus()
    qtbot.keyClick(w.article_view, key)
    w.workspace.warning.disconnect(messages.append)
    return messages


def test_stale_window_does_not_overwrite(qtbot, path: Path, tmp_path: Path) -> None:
    a, b = window(qtbot, path, tmp_path, "a"), window(qtbot, path, tmp_path, "b")
    try:
        a.workspace.select_annotation("x")
        assert press(qtbot, a, "o") == []  # A: PERSON -> ORG
        with Project(path) as p:
            assert p.get_annotation("x").label == "ORG"
        b.workspace.select_annotation("x")  # B still shows PERSON
        assert b.workspace.anns["x"].label == "PERSON"
        warnings = press(qtbot, b, "g")  # B: PERSON -> GPE, from a stale view
        with Project(path) as p:
            assert p.get_annotation("x").label == "ORG", "the stale window overwrote the other window's edit"
        assert warnings and "another window" in warnings[0]
        assert b.workspace.anns["x"].label == "ORG"  # B now shows the current state
        assert b.article_view.annotation("x").label == "ORG"
        # and from there B's edit goes through
        b.workspace.select_annotation("x")
        assert press(qtbot, b, "g") == []
        with Project(path) as p:
            assert p.get_annotation("x").label == "GPE"
        # a stale delete is refused too
        a.workspace.select_annotation("x")
        assert press(qtbot, a, Qt.Key.Key_Delete)
        with Project(path) as p:
            assert p.get_annotation("x") is not None
    finally:
        a.close()
        b.close()


def test_edits_of_different_spans_in_two_windows_both_land(qtbot, path: Path, tmp_path: Path) -> None:
    a, b = window(qtbot, path, tmp_path, "a"), window(qtbot, path, tmp_path, "b")
    try:
        a.article_view.select_span(28, 33)  # Tokyo
        assert press(qtbot, a, "g") == []
        b.article_view.select_span(43, 50)  # Tuesday
        assert press(qtbot, b, "d") == []
        b.workspace.select_annotation("x")
        assert press(qtbot, b, "o") == []  # x was not changed by A: fine
        with Project(path) as p:
            got = sorted((x.start, x.end, x.label) for x in p.annotations("d1"))
        assert got == [(0, 7, "ORG"), (28, 33, "GPE"), (43, 50, "DATE")]
    finally:
        a.close()
        b.close()
