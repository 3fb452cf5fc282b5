"""A failed or killed export never leaves a complete-looking partial file: the
target is absent, the previous export as it was, or the new export complete."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from annotator.core.models import Document, entity
from annotator.core.store import Project
from annotator.services import exporting as export_module
from annotator.services.exporting import ExportError, ExportOptions, export

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from annotator.core.store import Project
    from annotator.services.exporting import ExportOptions, export
    project, fmt, out = sys.argv[1:4]
    with Project(project) as p:
        print("ready", flush=True)
        export(p, ExportOptions(format=fmt, out=Path(out)))
    print("done", flush=True)
    """
)


def make_project(path: Path, docs: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    words = "Beijing granted licences to exporters of rare earth magnets 😀 on Tuesday the ministry said".split()
    with Project(path, create=True) as p:
        items = []
        for i in range(docs):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(200, 600)))
            anns = []
            for _ in range(rng.randint(5, 40)):
                s = rng.randrange(0, len(text) - 10)
                anns.append(entity(f"doc{i}", s, s + rng.randint(1, 9), rng.choice(["PERSON", "ORG", "GPE"]), "alice"))
            items.append((Document(id=f"doc{i}", external_id=f"article-{i}", text=text), anns))
        p.insert_documents(items)


def complete_native(path: Path, docs: int) -> bool:
    lines = path.read_text(encoding="utf-8").splitlines()
    return len(lines) == docs and all(json.loads(x)["id"] for x in lines)


def complete_brat(path: Path, docs: int) -> bool:
    return (
        len(list(path.glob("*.txt"))) == docs
        and len(list(path.glob("*.ann"))) == docs
        and (path / "annotation.conf").is_file()
        and any(f.name.startswith(".annotator") or f.suffix == ".json" for f in path.iterdir())
    )


CASES = {"native": ("out.jsonl", complete_native), "brat": ("out-brat", complete_brat)}


def visible(folder: Path) -> set[str]:
    return {f.name for f in folder.iterdir() if not f.name.startswith(".")}


def kill_exports(tmp_path: Path, fmt: str, kills: int, docs: int = 400, seed: int = 1) -> dict[str, int]:
    """Start exports and SIGKILL them at random moments; after each kill the
    target is absent, the previous export, or complete. Returns what was seen."""
    project = tmp_path / "p.annotator"
    if not project.exists():
        make_project(project, docs)
    name, complete = CASES[fmt]
    out_dir = tmp_path / f"exports-{fmt}"
    out_dir.mkdir(exist_ok=True)
    target = out_dir / name
    rng = random.Random(seed)
    seen = {"absent": 0, "complete": 0}
    # how long a whole export takes, to spread the kills over it
    t0 = time.monotonic()
    reference = out_dir / ("reference" + ("" if fmt == "brat" else ".jsonl"))
    with Project(project) as p:
        export(p, ExportOptions(format=fmt, out=reference))
    duration = time.monotonic() - t0
    assert complete(reference, docs)
    for _ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(project), fmt, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout.readline().strip() == b"ready", proc.stderr.read().decode()
        time.sleep(rng.uniform(0, duration * 1.3))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        if target.exists():
            assert complete(target, docs), f"a killed {fmt} export left an incomplete {target.name}"
            seen["complete"] += 1
        else:
            seen["absent"] += 1
        assert visible(out_dir) <= {name, reference.name}, f"stray visible files: {visible(out_dir)}"
    return seen


@pytest.mark.parametrize("fmt", ["native", "brat"])
def test_killed_exports_leave_nothing_incomplete(tmp_path: Path, fmt: str) -> None:
    seen = kill_exports(tmp_path, fmt, kills=2, docs=60)
    assert sum(seen.values()) == 2


@pytest.mark.parametrize("fmt", ["native", "brat"])
def test_a_failing_export_leaves_the_previous_one(tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "p.annotator"
    make_project(project, 30)
    name, complete = CASES[fmt]
    target = tmp_path / name
    with Project(project) as p:
        export(p, ExportOptions(format=fmt, out=target))
        assert complete(target, 30)
        before = {
            f.relative_to(tmp_path): f.read_bytes() for f in tmp_path.rglob("*") if f.is_file() and target in [f, *f.parents]
        }
        calls = {"n": 0}
        original, original_rows = p.get_document, p.document_rows

        def failing(doc_id: str) -> Document:  # the disk fills up half-way
            calls["n"] += 1
            if calls["n"] > 15:
                raise OSError(28, "No space left on device")
            return original(doc_id)

        def failing_rows(ids: list[str]) -> dict:  # what the native writer reads instead of Documents
            calls["n"] += 1
            if calls["n"] > 15:
                raise OSError(28, "No space left on device")
            return original_rows(ids)

        monkeypatch.setattr(p, "get_document", failing)
        monkeypatch.setattr(p, "document_rows", failing_rows)
        monkeypatch.setattr(export_module, "ROWS_CHUNK", 1)  # one read per document, as get_document
        with pytest.raises(ExportError, match="nothing was written") as info:
            export(p, ExportOptions(format=fmt, out=target))
        assert "No space left" in str(info.value) and "\n" not in str(info.value)
    after = {f.relative_to(tmp_path): f.read_bytes() for f in tmp_path.rglob("*") if f.is_file() and target in [f, *f.parents]}
    assert after == before, "the previous export was changed by the failed one"
    assert not [f for f in tmp_path.iterdir() if f.name.endswith(".partial")], "a failed export left its temporary output"


def test_export_into_a_read_only_folder_is_refused_cleanly(tmp_path: Path) -> None:
    project = tmp_path / "p.annotator"
    make_project(project, 3)
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("this user can write anywhere (root)")
        with Project(project) as p, pytest.raises(ExportError, match="cannot write|could not write"):
            export(p, ExportOptions(format="native", out=folder / "x.jsonl"))
        assert list(folder.iterdir()) == []
    finally:
        os.chmod(folder, 0o755)
