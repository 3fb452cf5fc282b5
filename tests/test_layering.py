"""The core, the formats and the CLI never import Qt (only annotator.ui may)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import annotator

ROOT = Path(annotator.__file__).resolve().parent


def modules(package: str) -> list[str]:
    folder = ROOT / package.split(".", 1)[1]
    return sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules([str(folder)]))


def test_core_formats_and_cli_do_not_import_qt():
    names = ["annotator", "annotator.core", "annotator.formats", *modules("annotator.core"), *modules("annotator.formats"), "annotator.cli"]
    assert "annotator.core.store" in names and "annotator.formats.native" in names
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "    bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'))\n"
        "    assert not bad, f'importing {name} imported {bad}'\n"
        "assert 'PySide6' not in sys.modules\n"
        "print('ok', len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_cli_commands_load_without_qt():
    """Running a command (not the GUI) must not pull Qt in either."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from annotator.cli import main\n"
        "for args in (['--help'], ['import', '--help'], ['stats', '--help'], ['schema', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "assert 'PySide6' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
