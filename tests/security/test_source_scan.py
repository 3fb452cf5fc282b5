"""The source tree holds no unsafe loader, no code execution from data, no
shell, no network client, and builds no SQL from values (only from constants
and ``?`` placeholders). Checked on the syntax tree, so comments and strings
that merely mention these names do not count."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "annotator"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py"))
SCRIPTS = sorted(p for folder in ("benchmarks",) for p in (ROOT / folder).rglob("*.py")) if (ROOT / "benchmarks").exists() else []

#: Modules whose use means deserialising code or reaching the network.
FORBIDDEN_MODULES = {
    "pickle": "pickle runs code from data",
    "cPickle": "pickle runs code from data",
    "_pickle": "pickle runs code from data",
    "dill": "dill runs code from data",
    "shelve": "shelve is pickle underneath",
    "marshal": "marshal loads code objects",
    "jsonpickle": "jsonpickle runs code from data",
    "urllib.request": "annotator never fetches anything",
    "http.client": "annotator never fetches anything",
    "requests": "annotator never fetches anything",
    "httpx": "annotator never fetches anything",
    "urllib3": "annotator never fetches anything",
    "ftplib": "annotator never fetches anything",
    "PySide6.QtNetwork": "annotator never fetches anything",
    "PySide6.QtWebEngineWidgets": "a browser engine would load article resources",
}
#: Attribute calls/names that are unsafe whatever the module alias.
FORBIDDEN_ATTRIBUTES = {
    ("yaml", "load"): "yaml.load can build arbitrary objects: use yaml.safe_load",
    ("yaml", "load_all"): "use yaml.safe_load_all",
    ("yaml", "unsafe_load"): "use yaml.safe_load",
    ("yaml", "full_load"): "use yaml.safe_load",
    ("yaml", "Loader"): "use yaml.SafeLoader",
    ("yaml", "UnsafeLoader"): "use yaml.SafeLoader",
    ("yaml", "FullLoader"): "use yaml.SafeLoader",
    ("os", "system"): "no shell",
    ("os", "popen"): "no shell",
    ("torch", "load"): "torch.load unpickles",
}
FORBIDDEN_CALLS = {"eval": "eval runs code", "exec": "exec runs code", "__import__": "no imports named by data"}
#: QTextBrowser fetches resources; the article view must never be one.
FORBIDDEN_NAMES = {"QTextBrowser": "QTextBrowser loads resources: article text must stay plain text"}

SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|PRAGMA|CREATE|DROP|ALTER|VALUES|FROM|JOIN|ORDER BY|GROUP BY|HAVING|LIMIT|EXISTS)\b"
)
CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
PLACEHOLDERS = re.compile(r"""^(["'])[ ,]*\1\.join\(\s*(["'])\?\2\s*\*\s*len\([\w.]+\)\s*\)$|^(["'])\?, \3\s*\*""")
#: Names the data flow cannot follow (returned from another function), each
#: reviewed: (file, name) -> what it holds.
REVIEWED_FRAGMENTS = {
    ("annotator/core/store_review.py", "where"),  # from ReviewQueries._kinds_filter: literal conditions with ? parameters
    ("annotator/core/projectfile.py", "columns"),  # from _annotation_select: ANNOTATION_COLUMNS names or NULL
    ("annotator/core/store_suggest.py", "where"),  # from SuggestionQueries._where: literal conditions with ? parameters
    ("annotator/core/store_coref.py", "where"),  # _clusters_where's callers pass literal conditions with ? parameters
}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> module for ``import x as y`` / ``from x import y``."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def unsafe_uses(path: Path, where: str | None = None) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    aliases = _aliases(tree)
    found = []
    where = where or _rel(path)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            )
            for name in names:
                for mod, why in FORBIDDEN_MODULES.items():
                    if name == mod or name.startswith(mod + "."):
                        found.append(f"{where}:{line}: imports {name}: {why}")
        elif isinstance(node, ast.Call):
            func = node.func
            literal = bool(node.args) and isinstance(node.args[0], ast.Constant)
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS and not (func.id == "__import__" and literal):
                found.append(f"{where}:{line}: {func.id}(): {FORBIDDEN_CALLS[func.id]}")
            for kw in node.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    found.append(f"{where}:{line}: shell=... : never run a shell")
                if kw.arg == "allow_pickle" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    found.append(f"{where}:{line}: allow_pickle: unpickles")
            fuzzy = isinstance(func, ast.Attribute) and aliases.get(_dotted(func.value), "") == "rapidfuzz.process"
            if isinstance(func, ast.Attribute) and func.attr in ("extractall", "extract") and not fuzzy:
                found.append(f"{where}:{line}: archive {func.attr}(): names must be checked one by one (zip-slip)")
        if isinstance(node, ast.Attribute):
            base = _dotted(node.value)
            module = aliases.get(base.split(".")[0], base.split(".")[0]) if base else ""
            key = (module.split(".")[-1] if module else base, node.attr)
            if key in FORBIDDEN_ATTRIBUTES:
                found.append(f"{where}:{line}: {base}.{node.attr}: {FORBIDDEN_ATTRIBUTES[key]}")
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(f"{where}:{line}: {node.id}: {FORBIDDEN_NAMES[node.id]}")
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                if a.name in FORBIDDEN_NAMES:
                    found.append(f"{where}:{line}: {a.name}: {FORBIDDEN_NAMES[a.name]}")
        if isinstance(node, ast.ImportFrom) and node.module == "yaml":
            for a in node.names:
                if a.name in ("load", "load_all", "unsafe_load", "full_load", "Loader", "UnsafeLoader", "FullLoader"):
                    found.append(f"{where}:{line}: from yaml import {a.name}: use safe_load")
    return found


# -- SQL ------------------------------------------------------------------------------
def _is_sql(text: str) -> bool:
    return bool(SQL_WORDS.search(text))


class _SqlChecker:
    """Finds SQL text built from anything but constants, ``?`` placeholders and
    local names that only ever hold such text (a small data flow per function)."""

    def __init__(self, source: str, where: str):
        self.source, self.where = source, where
        self.found: list[str] = []

    # Which local names only ever hold safe values (greatest fixpoint per function).
    def safe_locals(self, func: ast.AST) -> set[str]:
        values: dict[str, list[ast.AST]] = {}
        for node in ast.walk(func):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        values.setdefault(t.id, []).append(node.value)
                    elif isinstance(t, (ast.Tuple, ast.List)):  # a, b = x, y; other unpacking: unknown
                        pairs = isinstance(node.value, (ast.Tuple, ast.List)) and len(node.value.elts) == len(t.elts)
                        for i, e in enumerate(t.elts):
                            if isinstance(e, ast.Name):
                                values.setdefault(e.id, []).append(node.value.elts[i] if pairs else t)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name) and node.value:
                values.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
                values.setdefault(node.target.id, []).append(node.target)  # loop variables: unknown
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.attr in ("append", "extend", "insert")
            ):
                values.setdefault(node.func.value.id, []).extend(node.args[-1:])
        for arg in ast.walk(func):
            if isinstance(arg, ast.arg):
                values.setdefault(arg.arg, []).append(arg)  # parameters: unknown
        safe = set(values)
        changed = True
        while changed:
            changed = False
            for name in list(safe):
                if not all(self.safe(v, safe) for v in values[name]):
                    safe.discard(name)
                    changed = True
        return safe

    def safe(self, expr: ast.AST, names: set[str]) -> bool:
        if isinstance(expr, ast.Constant):
            return True
        if isinstance(expr, ast.Name):
            return expr.id in names or bool(CONSTANT.match(expr.id)) or (self.where, expr.id) in REVIEWED_FRAGMENTS
        if isinstance(expr, ast.Attribute):
            return bool(CONSTANT.match(expr.attr))
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return all(self.safe(e, names) for e in expr.elts)
        if isinstance(expr, ast.JoinedStr):
            return all(self.safe(v.value, names) for v in expr.values if isinstance(v, ast.FormattedValue))
        if isinstance(expr, ast.BinOp):
            return self.safe(expr.left, names) and self.safe(expr.right, names)
        if isinstance(expr, ast.IfExp):
            return self.safe(expr.body, names) and self.safe(expr.orelse, names)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "len":
            return True  # a number
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "join":
            return isinstance(expr.func.value, ast.Constant) and all(self.safe(x, names) for x in expr.args)
        if isinstance(expr, (ast.GeneratorExp, ast.ListComp)):  # f'"{c}"' for c in COLUMNS
            return all(self.safe(g.iter, names) for g in expr.generators) and self.safe(
                expr.elt, names | {g.target.id for g in expr.generators if isinstance(g.target, ast.Name)}
            )
        return False

    def check(self, scope: ast.AST, names: set[str]) -> None:
        for node in ast.walk(scope):
            line = getattr(node, "lineno", 0)
            if isinstance(node, ast.JoinedStr):
                literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
                if _is_sql(literal):
                    for v in node.values:
                        if isinstance(v, ast.FormattedValue) and not self.safe(v.value, names):
                            seg = ast.get_source_segment(self.source, v.value)
                            self.found.append(f"{self.where}:{line}: SQL f-string interpolates {seg!r}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
                target = node.func.value
                if isinstance(target, ast.Constant) and isinstance(target.value, str) and _is_sql(target.value):
                    if not all(self.safe(x, names) for x in [*node.args, *(k.value for k in node.keywords)]):
                        self.found.append(f"{self.where}:{line}: SQL built with str.format from a value")
            elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
                sides = (node.left, node.right)
                if any(isinstance(x, ast.Constant) and isinstance(x.value, str) and _is_sql(x.value) for x in sides):
                    if not all(self.safe(x, names) for x in sides):
                        op = "%" if isinstance(node.op, ast.Mod) else "+"
                        self.found.append(f"{self.where}:{line}: SQL built with {op} from a value")


def sql_built_from_values(path: Path, where: str | None = None) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    checker = _SqlChecker(source, where or _rel(path))
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    for func in functions:
        checker.check(func, checker.safe_locals(func))
    module_level = ast.Module(
        body=[n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))], type_ignores=[]
    )
    checker.check(module_level, checker.safe_locals(module_level))
    return sorted(set(checker.found))


# -- tests ------------------------------------------------------------------------------
def test_the_scan_sees_the_sources() -> None:
    names = {_rel(p) for p in SOURCES}
    assert "annotator/core/store.py" in names and "annotator/core/schema.py" in names


@pytest.mark.parametrize("path", SOURCES + SCRIPTS, ids=lambda p: _rel(p))
def test_no_unsafe_loader_execution_shell_or_network(path: Path) -> None:
    assert unsafe_uses(path) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: _rel(p))
def test_sql_is_never_built_from_values(path: Path) -> None:
    assert sql_built_from_values(path) == []


BAD_SNIPPETS = {
    "yaml.load(text)": "yaml.load",
    "import yaml as y\ny.load(text, Loader=y.Loader)": "yaml.load",
    "from yaml import load": "safe_load",
    "import pickle": "pickle",
    "from pickle import loads": "pickle",
    "eval(user_input)": "eval",
    "exec(code)": "exec",
    "__import__(name)": "imports named by data",
    "subprocess.run(cmd, shell=True)": "shell",
    "os.system('ls')": "no shell",
    "import urllib.request": "fetches",
    "from PySide6.QtWidgets import QTextBrowser": "QTextBrowser",
    "zipfile.ZipFile(f).extractall(d)": "zip-slip",
}
BAD_SQL = {
    "conn.execute(f\"SELECT * FROM annotations WHERE label = '{label}'\")": "label",
    "conn.execute(\"DELETE FROM annotations WHERE id = '%s'\" % ann_id)": "%",
    'conn.execute("SELECT * FROM documents WHERE id = \'" + doc_id + "\'")': "+",
    "conn.execute(\"UPDATE annotations SET label = '{}'\".format(new))": "format",
    'conn.execute(f"SELECT * FROM {table_name}")': "table_name",
}
BAD_SQL[
    "def f(label):\n    sql = 'SELECT id FROM annotations'\n    sql += \" WHERE label = '\" + label + \"'\"\n    return sql"
] = "+"
BAD_SQL[
    "def f(name):\n    cond = [f\"annotator = '{name}'\"]\n    return 'SELECT * FROM annotations WHERE ' + ' AND '.join(cond)"
] = "+"
GOOD_SQL = [
    "def f(ids, who):\n    where, params = [], []\n    where.append(f\"id IN ({', '.join('?' * len(ids))})\")\n"
    "    sql = 'SELECT id FROM annotations'\n    if where:\n        sql += ' WHERE ' + ' AND '.join(where)\n    return sql",
    'conn.execute(f"SELECT {_ANN_SELECT} FROM annotations WHERE id = ?", (ann_id,))',
    "conn.execute(f\"SELECT id FROM documents WHERE id IN ({', '.join('?' * len(ids))})\", ids)",
    'conn.execute("SELECT id FROM documents WHERE label = ?", (label,))',
]


PROBE = "annotator/_scan_probe.py"


@pytest.mark.parametrize("snippet", list(BAD_SNIPPETS))
def test_the_scan_catches_unsafe_code(tmp_path: Path, snippet: str) -> None:
    path = tmp_path / "probe.py"
    path.write_text(snippet + "\n", encoding="utf-8")
    found = unsafe_uses(path, PROBE)
    assert found and BAD_SNIPPETS[snippet] in " ".join(found)


@pytest.mark.parametrize("snippet", list(BAD_SQL))
def test_the_scan_catches_sql_from_values(tmp_path: Path, snippet: str) -> None:
    path = tmp_path / "probe.py"
    path.write_text(snippet + "\n", encoding="utf-8")
    found = sql_built_from_values(path, PROBE)
    assert found and BAD_SQL[snippet] in " ".join(found)


@pytest.mark.parametrize("snippet", GOOD_SQL)
def test_the_scan_accepts_placeholders(tmp_path: Path, snippet: str) -> None:
    path = tmp_path / "probe.py"
    path.write_text(snippet + "\n", encoding="utf-8")
    assert sql_built_from_values(path, PROBE) == []
