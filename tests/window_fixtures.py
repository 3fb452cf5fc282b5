"""Builders shared by the tests that open the real annotation window: a project
holding the bundled demo articles, settings kept in the test's own file (never
the user's), and the window shown, exposed and ready for keys."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from annotator.core.store import Project
from annotator.services.importing import import_seeds
from annotator.ui.main_window import MainWindow


def seeded_project(folder: Path, name: str = "work.annotator") -> Project:
    """A new project in ``folder`` with the demo articles imported."""
    project = Project(folder / name, create=True)
    import_seeds(project)
    return project


def ini_settings(folder: Path) -> QSettings:
    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)


def show_window(
    qtbot,
    project: Project,
    settings: QSettings,
    *,
    annotator: str = "maria",
    snap: bool | None = False,
    focus: bool = True,
    size: tuple[int, int] | None = None,
) -> MainWindow:
    """The window on ``project``, shown and exposed; word snapping set to ``snap``
    (None leaves the setting alone) and the article view focused for key presses."""
    window = MainWindow(project, annotator, settings)
    qtbot.addWidget(window)
    if size is not None:
        window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    if snap is not None:
        window.snap_action.setChecked(snap)
    if focus:
        window.article_view.setFocus()
    return window
