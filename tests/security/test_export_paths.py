"""Exports that name files after documents (brat) stay inside the output folder
whatever the document id or external id, and never let two documents share a
file (also on case-insensitive file systems, and avoiding names Windows reserves)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.core.models import Document, entity
from annotator.core.store import Project
from annotator.services.exporting import ExportOptions, export

HOSTILE = [
    "../../escaped",
    "../escaped",
    "..",
    ".",
    "/etc/passwd",
    "/tmp/absolute",
    "C:\\Windows\\evil",
    "\\\\server\\share\\x",
    "CON",
    "con",
    "NUL",
    "aux.txt",
    "COM1",
    "LPT9",
    "prn.ann",
    "nul\x00byte",
    "\x00",
    "a" * 5000,
    "é" * 300,
    "report",
    "Report",
    "REPORT",
    "annotation",
    "visual",
    ".hidden",
    "...",
    "trailing.",
    "trailing ",
    "new\nline",
    "tab\there",
    "emoji😀",
    "文書",
    "文書 ",
    "a/b/c",
    "a\\b",
    "~",
    "~/x",
    "$HOME",
    "*",
    '?<>|:"',
]
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def _project(tmp_path: Path, ids_as: str) -> Project:
    p = Project(tmp_path / "p.annotator", create=True)
    items = []
    for i, name in enumerate(HOSTILE):
        text = f"Document number {i} names {name!r} somewhere."
        if ids_as == "id":
            doc = Document(id=name, text=text)
        else:  # a safe id, a hostile external id; the id of a clash is hostile too
            doc = Document(id=f"../../clash{i}" if i % 2 else f"d{i}", external_id=name, text=text)
        items.append((doc, [entity(doc.id, 0, 8, "PERSON", "alice")]))
    p.insert_documents(items)
    return p


@pytest.mark.parametrize("ids_as", ["id", "external_id"])
def test_brat_files_stay_inside_and_never_collide(tmp_path: Path, ids_as: str) -> None:
    out = tmp_path / "deep" / "out"
    with _project(tmp_path, ids_as) as p:
        report = export(p, ExportOptions(format="brat", out=out))
    written = sorted(f for f in tmp_path.rglob("*") if f.is_file() and f.name != "p.annotator")
    outside = [f for f in written if out.resolve() not in f.resolve().parents]
    assert outside == [], f"files written outside the output folder: {outside}"
    assert not Path("/tmp/absolute.txt").exists() or Path("/tmp/absolute.txt").stat().st_mtime < os.path.getmtime(out)
    txt = [f for f in out.rglob("*.txt")]
    ann = [f for f in out.rglob("*.ann")]
    assert len(txt) == len(ann) == len(HOSTILE), "two documents were written to one file"
    assert report.records == len(HOSTILE)
    lowered = [f.name.lower() for f in txt]
    assert len(set(lowered)) == len(lowered), "names that differ only in case overwrite each other on Windows/macOS"
    for f in [*txt, *ann]:
        stem = f.name.split(".")[0].upper()
        assert stem not in WINDOWS_RESERVED, f"{f.name}: a name Windows reserves"
        assert len(f.name.encode("utf-8")) <= 255
        assert not f.name.startswith(".") and not f.name.endswith((".", " "))
        assert "\x00" not in f.name and "\n" not in f.name
    # every document's text is in its .txt, exactly once
    texts = sorted(f.read_text(encoding="utf-8") for f in txt)
    assert texts == sorted(f"Document number {i} names {name!r} somewhere." for i, name in enumerate(HOSTILE))
