"""Fixtures for the window tests: the demo project and the window on it, as most
of these tests want them (word snapping off, the article view focused). A test
module that needs another shape defines its own ``project`` or ``window``, which
pytest prefers to these."""

from __future__ import annotations

import pytest

from tests.window_fixtures import ini_settings, seeded_project, show_window


@pytest.fixture
def project(tmp_path):
    p = seeded_project(tmp_path)
    yield p
    p.close()


@pytest.fixture
def settings(tmp_path):
    s = ini_settings(tmp_path)
    yield s
    s.sync()


@pytest.fixture
def window(qtbot, project, settings):
    w = show_window(qtbot, project, settings)
    yield w
    w.close()
