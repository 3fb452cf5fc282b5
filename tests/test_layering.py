"""The layers: ``cli | ui -> services -> formats -> core``, arrows pointing down only.

import-linter checks the whole import graph in CI (the contracts in
pyproject.toml); these tests check what is really loaded at run time, lazy
imports included: each core module alone loads nothing above the core, each
codec nothing above the formats, and nothing but annotator.ui loads Qt.
"""

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import annotator

ROOT = Path(annotator.__file__).resolve().parent


def modules(package: str) -> list[str]:
    folder = ROOT / package.split(".", 1)[1]
    return sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules([str(folder)]))


def loaded_by_each(names: list[str]) -> dict[str, list[str]]:
    """For each module, imported alone in a fresh interpreter: the modules it loaded
    (of annotator, click and Qt)."""
    code = (
        "import importlib, json, sys\n"
        "name = sys.argv[1]\n"
        "importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('annotator', 'click', 'PySide6', 'shiboken6'))))\n"
    )
    out = {}
    for at in range(0, len(names), 4):  # a few interpreters at a time
        procs = {
            name: subprocess.Popen([sys.executable, "-c", code, name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in names[at : at + 4]
        }
        for name, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, f"importing {name}: {stderr}"
            out[name] = json.loads(stdout)
    return out


def test_each_core_module_alone_loads_nothing_above_the_core():
    names = ["annotator.core", *modules("annotator.core")]
    assert "annotator.core.store" in names and "annotator.core.commands" in names
    for name, loaded in loaded_by_each(names).items():
        above = [m for m in loaded if m.startswith(("annotator.formats", "annotator.services", "annotator.cli", "annotator.ui"))]
        foreign = [m for m in loaded if m.split(".")[0] in ("click", "PySide6", "shiboken6")]
        assert not above and not foreign, f"importing {name} loaded {above + foreign}"


def test_each_codec_alone_loads_no_service_store_or_front_end():
    names = ["annotator.formats", *modules("annotator.formats")]
    assert "annotator.formats.native" in names and "annotator.formats.writing" in names
    for name, loaded in loaded_by_each(names).items():
        bad = [
            m
            for m in loaded
            if m.startswith(("annotator.services", "annotator.cli", "annotator.ui", "annotator.core.store", "click", "PySide6"))
        ]
        assert not bad, f"importing {name} loaded {bad}"


def test_services_load_no_front_end():
    names = ["annotator.services", *modules("annotator.services")]
    assert "annotator.services.exporting" in names
    for name, loaded in loaded_by_each(names).items():
        bad = [m for m in loaded if m.startswith(("annotator.cli", "annotator.ui", "click", "PySide6"))]
        assert not bad, f"importing {name} loaded {bad}"


def test_core_formats_services_and_cli_do_not_import_qt():
    names = [
        "annotator",
        "annotator.core",
        "annotator.formats",
        "annotator.services",
        *modules("annotator.core"),
        *modules("annotator.formats"),
        *modules("annotator.services"),
        "annotator.cli",
        *modules("annotator.cli"),
    ]
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
        "for args in (['--help'], ['import', '--help'], ['stats', '--help'], ['schema', '--help'], ['export', '--help'],\n"
        "             ['merge', '--help'], ['agreement', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "assert 'PySide6' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
