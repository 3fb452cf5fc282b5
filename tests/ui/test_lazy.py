"""The menu entries of modules loaded after the first paint (annotator.ui.lazy):
the same entries before and after the modules are loaded, and loaded on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings

from annotator.core.store import Project
from annotator.services.importing import import_seeds
from annotator.ui.actions import action_keys, plain_action_text
from annotator.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    project = Project(tmp_path / "p.annotator", create=True)
    import_seeds(project)
    win = MainWindow(project, "alice", QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    yield win
    win.close()
    project.close()


def entries(window: MainWindow) -> dict[str, list[tuple[str, str, str, bool]]]:
    return {
        name: [(plain_action_text(a), action_keys(a), a.toolTip(), a.isSeparator()) for a in menu.actions()]
        for name, menu in window.menus.items()
    }


def lazies(window: MainWindow):
    from annotator.ui.lazy import LazyInstall

    return window.findChildren(LazyInstall)


def test_stand_ins_are_the_entries_the_modules_install(window):
    before = entries(window)
    assert window.export_action.shortcut().toString() == "Ctrl+E"
    assert window.menus["Review"].menuAction().isVisible()
    for lazy in lazies(window):
        lazy.install()
    assert entries(window) == before
    assert all(lazy.installed for lazy in lazies(window)) and len(lazies(window)) == 7
    texts = [plain_action_text(a) for a in window.menus["File"].actions()]
    assert texts[texts.index("Import files") + 1] == "Export"
    assert window.export_action in window.menus["File"].actions()


def test_modules_load_after_the_first_paint(qtbot, window):
    assert not any(lazy.installed for lazy in lazies(window))
    window.show()
    qtbot.waitUntil(lambda: all(lazy.installed for lazy in lazies(window)))


def test_a_stand_in_triggers_the_real_action(window):
    window.export_action.trigger()  # before the module is loaded: loads it and opens the dialog
    dialog = window.export_dialog
    assert dialog.isVisible() and dialog.project is window.project
    dialog.close()


def test_the_window_does_not_import_menu_modules():
    code = (
        "import sys\n"
        "import annotator.ui.main_window\n"
        "bad = [m for m in ('annotator.ui.export_dialog', 'annotator.ui.review_view', 'annotator.services.exporting',"
        " 'annotator.formats', 'annotator.core.review', 'annotator.ui.agreement_dialog',"
        " 'annotator.ui.check_dialog', 'annotator.services.check', 'annotator.ui.team_dialogs',"
        " 'annotator.services.team', 'annotator.services.merging', 'annotator.ui.train_dialog',"
        " 'annotator.services.suggest.train', 'spacy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
