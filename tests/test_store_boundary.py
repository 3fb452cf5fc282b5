"""Only the store speaks SQL: no module of annotator/ outside the store
(``annotator/core/store.py`` and the modules it is split into, listed in ``STORE``)
calls the store's private query method (``._q(``), reaches for its connection
(``.conn.``), imports an underscore name from another module, or (in services/ and
formats/) holds SQL at all.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import annotator

ROOT = Path(annotator.__file__).resolve().parent
#: The store: Project (store.py), its mixin of bulk row reads and review records
#: (store_review.py), reading other project files (projectfile.py) and their shared SQL text (store_sql.py).
STORE = {
    "core/store.py",
    "core/store_review.py",
    "core/store_team.py",
    "core/store_doclabels.py",
    "core/store_kb.py",
    "core/store_suggest.py",
    "core/store_coref.py",
    "core/projectfile.py",
    "core/store_sql.py",
}
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA\s+\w+|BEGIN|COMMIT)\b")


def sources() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in STORE:
            continue
        out.append((rel, path))
    return out


def violations(rel: str, source: str) -> list[str]:
    found = []
    tree = ast.parse(source, rel)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if node.attr == "_q":
                found.append(f"{rel}:{node.lineno}: ._q( (the store's private query method)")
            if node.attr == "conn" and not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                found.append(f"{rel}:{node.lineno}: .conn (the store's connection)")
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("annotator"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{rel}:{node.lineno}: imports {alias.name} from {node.module}")
    if rel.startswith(("services/", "formats/")):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{rel}:{node.lineno}: SQL {node.value[:40]!r}")
        if re.search(r"^\s*import sqlite3|^\s*from sqlite3", source, re.M):
            found.append(f"{rel}: imports sqlite3")
    return found


def test_the_scan_sees_the_sources():
    names = {rel for rel, _ in sources()}
    assert {"services/merging.py", "services/exporting.py", "core/review.py", "formats/native.py", "ui/app.py"} <= names
    assert not names & STORE
    assert all((ROOT / rel).is_file() for rel in STORE), "a store module moved: update STORE"


def test_the_store_is_only_the_store_modules():
    """The allow-list names only the store: a core module that merely sits beside it is scanned."""
    names = {rel for rel, _ in sources()}
    assert {"core/review.py", "core/commands.py", "core/migrations.py", "core/rows.py", "core/errors.py"} <= names
    assert violations("core/review.py", "def f(project):\n    project._q('SELECT 1')\n")


def test_no_module_outside_the_store_uses_its_private_names_or_sql():
    found = [v for rel, path in sources() for v in violations(rel, path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_scan_catches_each_kind_of_use():
    bad = (
        "from annotator.core.store import _ANN_SELECT\n"
        "def f(project):\n"
        "    project._q('SELECT 1')\n"
        "    project.conn.execute('UPDATE documents SET status = 1')\n"
    )
    found = violations("services/x.py", bad)
    assert len(found) == 4, found
    assert violations("services/x.py", "from annotator import __version__\nimport json\n") == []
