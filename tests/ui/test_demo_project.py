"""The demo article as the window shows it: its headline, not its dateline, as title."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from annotator.services.project import ensure_default_project
from annotator.ui.main_window import MainWindow

HEADLINE = "China has granted licences to an unspecified number of Indian firms"


def test_the_window_titles_the_demo_article_by_its_headline(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    project = ensure_default_project()
    window = MainWindow(project, "maria", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    model = window.doc_list.model
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    shown = model.data(model.index(0, model.TITLE), Qt.ItemDataRole.DisplayRole)
    assert shown.startswith(HEADLINE), shown
    assert window.title_label.full_text().startswith(HEADLINE)
    assert "date 2025" not in shown and "NEW DELHI" not in shown
    window.close()
    project.close()
