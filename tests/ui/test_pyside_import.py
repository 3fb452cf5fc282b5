"""annotator.ui.pyside_import: PySide's look at each module imported after it,
made quicker, answers as PySide's own (benchmarks/RESULTS.md, case 8)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

import annotator
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


def test_annotators_modules_are_answered_by_their_layer():
    """Every module of the package: PySide is told that a module importing Qt
    uses it (a ui module that does not is told so too: that only costs PySide a
    look at it), and that modules of the other layers do not."""
    import importlib
    import pkgutil
    import re

    uses = re.compile(r"^\s*(from|import)\s+(PySide6|shiboken6)\b", re.M)
    package_dir = Path(annotator.__file__).parent
    checked = 0
    for info in pkgutil.walk_packages([str(package_dir)], "annotator."):
        spec = importlib.util.find_spec(info.name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        module = types.ModuleType(info.name)
        module.__file__ = spec.origin
        imports_qt = bool(uses.search(Path(spec.origin).read_text(encoding="utf-8")))
        answer = feature._mod_uses_pyside(module)
        if imports_qt:  # never told "no" by a module that uses Qt
            assert answer is True, info.name
        if not info.name.startswith("annotator.ui"):  # the other layers never import it
            assert answer is False and not imports_qt, info.name
        checked += 1
    assert checked > 100


def test_a_module_whose_file_is_gone_is_left_to_pyside(tmp_path):
    gone = types.ModuleType("gone_module")
    gone.__file__ = str(tmp_path / "gone_module.py")
    assert feature._mod_uses_pyside(gone) is False
    written = types.ModuleType("written_module")
    path = tmp_path / "written_module.py"
    path.write_text("from PySide6.QtCore import Qt\n", encoding="utf-8")
    written.__file__ = str(path)
    assert feature._mod_uses_pyside(written) is True
