"""Two windows, two processes, the app and the CLI on one project: no edit is
lost; a real conflict gets a clear message, never a silent overwrite."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotator.core import commands as C
from annotator.core.models import Document, entity
from annotator.core.store import ConflictError, Project, ProjectBusyError

TEXT = "Beijing granted licences to Tokyo firms on Tuesday, the ministry said. " * 20


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "shared.annotator"
    with Project(p, create=True) as project:
        project.insert_documents([(Document(id="d1", text=TEXT), []), (Document(id="d2", text=TEXT + "!"), [])])
    return p


WORKER = textwrap.dedent(
    """
    import json, random, sys
    from annotator.core import commands as C
    from annotator.core.models import Document, entity, event
    from annotator.core.store import Project
    path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(name)
    p = Project(path)
    alive, gone, docs = [], [], []
    for i in range(n):
        doc = rng.choice(["d1", "d2"])
        r = rng.random()
        if r < 0.1:
            d = Document(id=f"{name}-doc{i}", text=f"{name} imported document {i}")
            p.insert_documents([(d, [entity(d.id, 0, len(name), "PERSON", name)])], actor=name)
            docs.append(d.id)
        elif r < 0.3 and alive:
            victim = alive.pop(rng.randrange(len(alive)))
            C.apply(p, C.DeleteAnnotations(victim[0], name, [victim[1]]))
            gone.append(victim[1])
        elif r < 0.5:
            arg = entity(doc, 28, 33, "GPE", name)
            ev = event(doc, 8, 15, "LicenceGrant", name, arguments=[("Grantee", arg.id)])
            C.apply(p, C.AddAnnotations(doc, name, [arg, ev]))
            alive.append((doc, ev.id))  # (deleting it later leaves its argument)
        else:
            s = rng.randrange(0, 500)
            a = entity(doc, s, s + 5, "ORG", name)
            C.apply(p, C.AddAnnotations(doc, name, [a]))
            alive.append((doc, a.id))
    print(json.dumps({"alive": [a for _, a in alive], "gone": gone, "docs": docs}))
    """
)


def test_concurrent_processes_lose_nothing(path: Path) -> None:
    """Four processes write at once, as fast as they can. Every action of every
    one is there at the end (before the store began its write transactions with
    BEGIN IMMEDIATE, most of them failed with 'database is locked')."""
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(path), f"w{i}", "50"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for i in range(4)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        results.append(json.loads(out))
    with Project(path) as p:
        ids = {a.id for a in p.iter_all_annotations()}
        docs = set(p.document_ids())
        assert p.integrity_check() == "ok"
        history = p.history(limit=10**6)
    for r in results:
        assert set(r["alive"]) <= ids, "an added annotation was lost"
        assert not set(r["gone"]) & ids, "a deletion was lost"
        assert set(r["docs"]) <= docs
    actions = sum(1 for h in history if h["actor"].startswith("w"))
    assert actions == 4 * 50


def test_stale_window_cannot_overwrite_a_newer_edit(path: Path) -> None:
    a, b = Project(path), Project(path)  # two windows
    try:
        x = entity("d1", 0, 7, "GPE", "alice")
        C.apply(a, C.AddAnnotations("d1", "alice", [x]))
        shown_in_a = a.get_annotation(x.id)
        shown_in_b = b.get_annotation(x.id)
        C.apply(b, C.UpdateAnnotation("d1", "alice", x.id, label="ORG").expecting(shown_in_b))
        # window A still shows GPE and the user picks PERSON there
        with pytest.raises(ConflictError, match="changed in another window or process") as info:
            C.apply(a, C.UpdateAnnotation("d1", "alice", x.id, label="PERSON").expecting(shown_in_a))
        assert "\n" not in str(info.value)
        assert a.get_annotation(x.id).label == "ORG"  # B's edit stands
        with pytest.raises(ConflictError):  # nor may the stale window delete it
            C.apply(a, C.DeleteAnnotations("d1", "alice", [x.id]).expecting(shown_in_a))
        assert a.get_annotation(x.id) is not None
        # once A shows the current state, its edit goes through
        C.apply(a, C.UpdateAnnotation("d1", "alice", x.id, label="PERSON").expecting(a.get_annotation(x.id)))
        assert b.get_annotation(x.id).label == "PERSON"
    finally:
        a.close()
        b.close()


def test_edits_of_different_things_in_two_windows_both_survive(path: Path) -> None:
    a, b = Project(path), Project(path)
    try:
        x = entity("d1", 0, 7, "GPE", "alice")
        C.apply(a, C.AddAnnotations("d1", "alice", [x]))
        shown_a, shown_b = a.get_annotation(x.id), b.get_annotation(x.id)
        C.apply(a, C.UpdateAnnotation("d1", "alice", x.id, label="ORG").expecting(shown_a))
        y = entity("d1", 8, 15, "PRODUCT", "alice")
        C.apply(b, C.AddAnnotations("d1", "alice", [y]))  # B adds something else meanwhile
        assert shown_b is not None
        assert {n.id: n.label for n in a.annotations("d1")} == {x.id: "ORG", y.id: "PRODUCT"}
    finally:
        a.close()
        b.close()


def test_undo_after_another_window_changed_the_row(path: Path) -> None:
    a, b = Project(path), Project(path)
    try:
        x = entity("d1", 0, 7, "GPE", "alice")
        add = C.AddAnnotations("d1", "alice", [x])
        C.apply(a, add)
        C.apply(b, C.UpdateAnnotation("d1", "bob", x.id, label="ORG"))
        with pytest.raises(ConflictError, match="was not applied"):
            C.revert(a, add)  # undo in A would delete B's newer version
        assert a.get_annotation(x.id).label == "ORG"
        delete = C.DeleteAnnotations("d1", "bob", [x.id])
        C.apply(b, delete)
        with pytest.raises(ConflictError):
            C.revert(a, add)
        C.revert(b, delete)  # B's own undo is fine
        assert a.get_annotation(x.id).label == "ORG"
    finally:
        a.close()
        b.close()


def test_a_long_writer_gives_a_busy_message_then_works(path: Path) -> None:
    import sqlite3

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long import
    try:
        with Project(path) as p:
            p.conn.execute("PRAGMA busy_timeout = 50")
            before = [x.id for x in p.annotations("d1")]
            with pytest.raises(ProjectBusyError, match="busy") as info:
                C.apply(p, C.AddAnnotations("d1", "alice", [entity("d1", 0, 7, "GPE", "alice")]))
            assert str(path) in str(info.value)
            assert [x.id for x in p.annotations("d1")] == before  # reading still works
            holder.execute("COMMIT")
            C.apply(p, C.AddAnnotations("d1", "alice", [entity("d1", 0, 7, "GPE", "alice")]))
            assert len(p.annotations("d1")) == len(before) + 1
    finally:
        holder.close()


def test_cli_import_while_the_app_annotates(path: Path, tmp_path: Path) -> None:
    """The CLI imports a folder while this process (the app) keeps annotating."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    for i in range(30):
        (folder / f"article{i:02d}.txt").write_text(f"Article {i}\nBody of article {i}. " * 50, encoding="utf-8")
    cli = subprocess.Popen(
        [sys.executable, "-m", "annotator", "import", str(path), str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    added = []
    with Project(path) as p:
        while cli.poll() is None or len(added) < 20:
            a = entity("d1", len(added) % 500, len(added) % 500 + 4, "ORG", "app")
            C.apply(p, C.AddAnnotations("d1", "app", [a]))
            added.append(a.id)
    out, err = cli.communicate()
    assert cli.returncode == 0, (out + err).decode()
    with Project(path) as p:
        assert {a.id for a in p.annotations("d1", annotator="app")} == set(added)
        assert p.document_count() == 2 + 30
        assert p.integrity_check() == "ok"
