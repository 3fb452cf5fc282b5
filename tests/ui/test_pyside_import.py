"""annotator.ui.pyside_import: PySide's look at each module imported after it,
made quicker, answers as PySide's own (benchmarks/RESULTS.md, case 8)."""

from __future__ import annotations

import sys
import types

import pytest

import annotator.core.store
import annotator.ui
import annotator.ui.main_window
from annotator.ui.pyside_import import quicker_feature_scan

feature = sys.modules.get("shibokensupport.feature")
pytestmark = pytest.mark.skipif(
    feature is None or not hasattr(feature, "_mod_uses_pyside"), reason="this PySide has no such look"
)


def original():
    check = feature._mod_uses_pyside
    return check.__closure__[0].cell_contents if getattr(check, "quicker", False) else check


def test_installed_once_by_the_ui_package():
    check = feature._mod_uses_pyside
    assert getattr(check, "quicker", False)
    quicker_feature_scan()
    assert feature._mod_uses_pyside is check  # not wrapped twice


@pytest.mark.parametrize(
    "module",
    [annotator.ui.main_window, annotator.core.store, annotator.ui, pytest, types, sys],
    ids=lambda m: m.__name__,
)
def test_the_same_answer_as_pyside(module):
    assert feature._mod_uses_pyside(module) == original()(module)


def test_a_module_whose_file_is_gone_is_left_to_pyside(tmp_path):
    gone = types.ModuleType("gone_module")
    gone.__file__ = str(tmp_path / "gone_module.py")
    assert feature._mod_uses_pyside(gone) is False
    written = types.ModuleType("written_module")
    path = tmp_path / "written_module.py"
    path.write_text("from PySide6.QtCore import Qt\n", encoding="utf-8")
    written.__file__ = str(path)
    assert feature._mod_uses_pyside(written) is True
