"""Shared pieces of the fuzz tests (normal suite: tests/reliability/test_fuzz.py;
long runs: tests/stress): hostile inputs, and the checks every import and every
schema load must pass.

The rule checked: bad input gets a clear error (an :class:`InputError` or
:class:`SchemaError` naming the file) or a valid import; never another
exception, never a traceback in a message, and on error the project is exactly
as it was.
"""

from __future__ import annotations

import functools
import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from annotator.core.store import Project
from annotator.services.importing import import_paths

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "v1.annotator"

#: How many inputs the fuzz tests tried in this process, by kind (for RESULTS.md).
TRIED: dict[str, int] = {}


def count(kind: str) -> None:
    TRIED[kind] = TRIED.get(kind, 0) + 1


# ---------------------------------------------------------------------------
# Seeds: valid files of every importable format
# ---------------------------------------------------------------------------
@functools.cache
def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="annotator-fuzz-"))


@functools.cache
def template_project() -> Path:
    """An empty project file, copied for each input (faster than creating one)."""
    path = workdir() / "template.annotator"
    Project(path, create=True).close()
    return path


@functools.cache
def seeds() -> dict[str, tuple[str, bytes]]:
    """format -> (file name, bytes of a valid file)."""
    from annotator.services.exporting import ExportOptions, export

    out = {
        "txt": ("article.txt", (DATA / "unicode-crlf.txt").read_bytes()),
        "html": ("page.html", (DATA / "harbour.html").read_bytes()),
        "jsonl": ("batch.jsonl", (DATA / "batch.jsonl").read_bytes()),
        "doccano": ("doccano.jsonl", (DATA / "doccano.jsonl").read_bytes()),
        "prodigy": ("prodigy.jsonl", (DATA / "prodigy.jsonl").read_bytes()),
    }
    project = workdir() / "seed.annotator"
    shutil.copy(FIXTURE, project)
    with Project(project) as p:
        native = workdir() / "native.jsonl"
        export(p, ExportOptions(format="native", out=native))
        out["native"] = ("native.jsonl", native.read_bytes())
        brat = workdir() / "brat"
        export(p, ExportOptions(format="brat", out=brat, annotator="alice"))
        ann = sorted(brat.glob("*.ann"))[0]
        out["brat"] = (ann.name, ann.read_bytes())
        out["brat-txt"] = (ann.with_suffix(".txt").name, ann.with_suffix(".txt").read_bytes())
    return out


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------
INTERESTING_TEXT = [
    "",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\u2028",
    "\u2029",
    "\x00",
    "\t",
    "\xa0",
    "😀",
    "👨\u200d👩\u200d👧",
    "e\u0301",
    "\ufeff",
    "<b>x</b>",
    "<img src=http://127.0.0.1:1/x>",
    "'; DROP TABLE documents;--",
    '"',
    "\\",
    "{",
    "}",
    "[",
    "]",
    "a" * 10_000,
    "PERSON",
    "ORG",
    "CLAIM",
    "LicenceGrant",
    "@gold",
    "..",
    "../../x",
    "null",
]
INTERESTING_NUMBERS = [
    0,
    -1,
    1,
    2,
    3,
    5,
    10,
    2**31,
    -(2**31),
    2**63,
    10**30,
    -(10**30),
    0.5,
    -0.0,
    1e308,
    math.inf,
    -math.inf,
    math.nan,
]

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(INTERESTING_NUMBERS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(INTERESTING_TEXT),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "text",
                    "spans",
                    "label",
                    "start",
                    "end",
                    "id",
                    "title",
                    "meta",
                    "annotations",
                    "kind",
                    "tokens",
                    "token_start",
                    "token_end",
                    "entities",
                    "relations",
                    "arguments",
                    "role",
                    "target",
                    "head",
                    "tail",
                    "annotator",
                    "attributes",
                    "status",
                    "sha256",
                    "metadata",
                    "from_id",
                    "to_id",
                    "type",
                    "start_offset",
                    "end_offset",
                    "x",
                    "",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


def dumps_loose(value: Any) -> str:
    """JSON as Python writes it, NaN and Infinity included (they occur in the wild)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, path + (i,))
    return out


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@st.composite
def mutated_json_lines(draw: Any, seed: bytes) -> bytes:
    """Valid JSON lines with some values replaced, keys dropped, records duplicated."""
    records = [json.loads(x) for x in seed.decode("utf-8").splitlines() if x.strip()]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(records) - 1))
        paths = _paths(records[i])
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "replace", "drop", "duplicate", "swap-type"]))
        if op == "drop" and path:
            parent = functools.reduce(lambda v, k: v[k], path[:-1], records[i])
            if isinstance(parent, dict):
                records[i] = _replace(records[i], path[:-1], {k: v for k, v in parent.items() if k != path[-1]})
            else:
                records[i] = _replace(records[i], path[:-1], [v for j, v in enumerate(parent) if j != path[-1]])
        elif op == "duplicate":
            records.append(records[i])
        elif op == "swap-type":
            old = functools.reduce(lambda v, k: v[k], path, records[i])
            new = [old] if not isinstance(old, list) else (old[0] if old else {})
            records[i] = _replace(records[i], path, new)
        else:
            records[i] = _replace(records[i], path, draw(json_values))
    return ("\n".join(dumps_loose(r) for r in records) + "\n").encode("utf-8")


@st.composite
def mutated_bytes(draw: Any, seed: bytes) -> bytes:
    """Byte-level damage: flips, cuts, insertions of syntax, truncation, encodings."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "dup", "encode"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        elif op == "insert":
            piece = draw(
                st.sampled_from(
                    [
                        b'"',
                        b"{",
                        b"}",
                        b"[",
                        b"]",
                        b",",
                        b"\n",
                        b"\r",
                        b"\x00",
                        b"\xff\xfe",
                        b"\xef\xbb\xbf",
                        b"\\ud83d",
                        b"-1",
                        b"1e999",
                        b"null",
                        b"<",
                        b"\t",
                        b"\xc3",
                        b"<script>",
                        b"&#0;",
                        b"&#xD800;",
                        b"<!--",
                        b"]]>",
                    ]
                )
            )
            data[at:at] = piece
        elif op == "truncate":
            del data[at:]
        elif op == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
        elif op == "encode":
            try:
                data = bytearray(
                    bytes(data).decode("utf-8").encode(draw(st.sampled_from(["utf-16", "latin-1", "utf-32"])), "replace")
                )
            except UnicodeDecodeError:
                pass
    return bytes(data)


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------
def state(p: Project) -> tuple:
    def rows(sql: str) -> list:
        return p._q(sql).fetchall()

    return (
        rows("SELECT * FROM documents ORDER BY seq"),
        rows("SELECT * FROM annotations ORDER BY rowid"),
        rows("SELECT * FROM annotators ORDER BY name"),
        rows("SELECT body FROM label_schema"),
        rows("SELECT count(*) FROM history"),
    )


def check_import(fmt: str | None, name: str, data: bytes, *, extra: dict[str, bytes] | None = None, partial: bool = False) -> str:
    """Import ``data`` as file ``name`` into a fresh project; check the rule.
    Returns "imported", "refused" or "duplicates/empty"."""
    count(f"import:{fmt or 'detect'}")
    folder = Path(tempfile.mkdtemp(dir=workdir()))
    try:
        project = folder / "p.annotator"
        shutil.copy(template_project(), project)
        (folder / "in").mkdir()
        path = folder / "in" / name
        path.write_bytes(data)
        for other, content in (extra or {}).items():
            (folder / "in" / other).write_bytes(content)
        with Project(project) as p:
            before = state(p)
            report = import_paths(p, [path], fmt=fmt, partial=partial)  # must not raise
            after = state(p)
            for err in report.errors:
                message = str(err)
                assert message.strip(), "an empty error message"
                assert any(n in message for n in [name, *(extra or {})]), f"the message does not name the file: {message!r}"
                assert "Traceback" not in message and 'File "' not in message, message
            if report.refused or (report.errors and not partial):
                assert after == before, f"a refused file changed the project: {[str(e) for e in report.errors]}"
                assert report.documents == 0
                return "refused"
            assert p.integrity_check() == "ok"
            check_project_sane(p)
            if report.documents == 0:
                assert after[0] == before[0] and after[1] == before[1]
                return "duplicates/empty"
            assert len(after[0]) - len(before[0]) == report.documents
            assert len(after[1]) - len(before[1]) == report.annotations
            return "imported"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_project_sane(p: Project) -> None:
    """What any import must leave: spans inside their text, references inside
    their document, text that Qt and SQLite can hold."""
    from annotator.core.text import QtPositionMap

    for doc in p.iter_documents():
        QtPositionMap(doc.text)  # canonical: no \\r, no BOM at the start, no lone surrogate
        anns = {a.id: a for a in p.annotations(doc.id)}
        for a in anns.values():
            a.check_span(len(doc.text))
            for ref in a.referenced_ids():
                assert ref in anns, f"{a.kind} {a.id} refers to {ref}, not in document {doc.id}"


def check_schema_file(path: Path) -> str:
    """Load a (mutated) schema file: a LabelSchema or a SchemaError naming it, nothing else."""
    from annotator.core.schema import LabelSchema, SchemaError, load_schema

    count("schema")
    try:
        schema = load_schema(path)
    except SchemaError as err:
        message = str(err)
        assert message.strip() and path.name in message and "Traceback" not in message, message
        return "refused"
    assert isinstance(schema, LabelSchema)
    folder = Path(tempfile.mkdtemp(dir=workdir()))  # a schema that loads can be used by a project
    try:
        Project(folder / "p.annotator", create=True, schema=schema).close()
        with Project(folder / "p.annotator") as p:
            assert p.schema.to_dict() == schema.to_dict()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return "loaded"
