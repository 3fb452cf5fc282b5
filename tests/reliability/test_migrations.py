"""Upgrading projects of the first format version (fixtures/v1.annotator, made
by fixtures/make_fixtures.py): nothing lost, a backup kept, crashes survived."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import sys
from pathlib import Path

import crashharness as H
import pytest

from annotator.core import commands as C
from annotator.core.models import entity
from annotator.core.store import FORMAT_VERSION, Project, migrations

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "v1.annotator"
sys.path.insert(0, str(HERE / "fixtures"))
from make_fixtures import EXPECTED  # noqa: E402


def dump(path: Path) -> list[str]:
    """Every row and table definition, in a stable order."""
    c = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return sorted(c.iterdump())
    finally:
        c.close()


def user_version(path: Path) -> int:
    c = sqlite3.connect(path)
    try:
        return c.execute("PRAGMA user_version").fetchone()[0]
    finally:
        c.close()


def check_content(p: Project) -> None:
    """Everything in the fixture, as the current code reads it."""
    docs = {d.id: d for d in p.iter_documents()}
    assert {k: d.text for k, d in docs.items()} == EXPECTED["documents"]
    assert docs["d1"].title == "Title <b>d1</b>" and docs["d2"].status == "done"
    assert docs["d1"].metadata == {"outlet": 'Example "News"'}
    anns = {a.id: a for a in p.iter_all_annotations()}
    assert len(anns) == EXPECTED["annotations"]
    for ann_id, text in EXPECTED["spans"].items():
        assert anns[ann_id].text_in(docs[anns[ann_id].doc_id].text) == text
    assert [(x.role, x.target) for x in anns["ev1"].arguments] == [("Grantor", "e1"), ("Grantee", "e2"), ("Time", "e3")]
    assert anns["c1"].claimant_text == "A spokesman" and anns["c1"].attributes["stance"] == "supports"
    assert (anns["r1"].head, anns["r1"].tail) == ("e4", "e5")
    assert anns["e4"].attributes == {"note": "x'); DROP TABLE annotations;--"}
    assert set(p.annotators(include_gold=True)) == EXPECTED["annotators"]
    assert p.integrity_check() == "ok"


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    assert user_version(path) == 1
    return path


def test_fixture_is_format_1() -> None:
    c = sqlite3.connect(f"{FIXTURE.resolve().as_uri()}?mode=ro", uri=True)
    try:
        applied = [r[0] for r in c.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        c.close()
    assert applied == [migrations._migrations[0].name]


def test_v1_project_opens_with_everything_and_a_backup(v1: Path) -> None:
    original = dump(v1)
    with Project(v1) as p:
        check_content(p)
        # and it can be worked on
        C.apply(p, C.AddAnnotations("d1", "carol", [entity("d1", 58, 66, "ORG", "carol")]))
    assert user_version(v1) == FORMAT_VERSION
    backup = v1.with_name("old.annotator.v1.bak")
    if FORMAT_VERSION > 1:
        assert backup.exists(), "no backup was kept before migrating"
        assert dump(backup) == original  # the backup is the file as it was
        assert user_version(backup) == 1
        assert not list(v1.parent.glob("*.tmp"))
    else:
        assert not backup.exists()
    with sqlite3.connect(v1) as c:
        applied = [r[0] for r in c.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    c.close()
    assert applied == [m.name for m in migrations._migrations]


def test_opening_again_changes_nothing(v1: Path) -> None:
    Project(v1).close()
    backups = sorted(p.name for p in v1.parent.glob("*.bak"))
    first = dump(v1)
    with Project(v1) as p:
        check_content(p)
    assert dump(v1) == first
    assert sorted(p.name for p in v1.parent.glob("*.bak")) == backups


def test_a_stray_broken_backup_does_not_block_the_upgrade(v1: Path) -> None:
    """What a crash during an earlier backup could leave: garbage under the
    temporary name, or even under the backup's own name."""
    if FORMAT_VERSION == 1:
        pytest.skip("no migration to run yet")
    (v1.parent / "old.annotator.v1.bak.tmp").write_bytes(b"SQLite format 3\x00garbage" * 10)
    (v1.parent / "old.annotator.v1.bak").write_bytes(b"half a backup")
    original = dump(v1)
    with Project(v1) as p:
        check_content(p)
    assert dump(v1.with_name("old.annotator.v1.bak")) == original
    assert not (v1.parent / "old.annotator.v1.bak.tmp").exists()


@pytest.mark.parametrize("die", ["backup", "migrate", "version"])
def test_killed_while_upgrading(v1: Path, tmp_path: Path, die: str) -> None:
    if FORMAT_VERSION == 1:
        pytest.skip("no migration to run yet")
    original = dump(v1)
    code = H.run_child(v1, tmp_path / "log.jsonl", 1, "--steps", "0", "--die", die)
    assert code == -signal.SIGKILL
    backup = v1.with_name("old.annotator.v1.bak")
    if backup.exists():  # only ever complete
        assert dump(backup) == original
    if die == "migrate":  # the last migration was rolled back with the kill
        assert user_version(v1) == 1
    with Project(v1) as p:  # reopening finishes the upgrade
        check_content(p)
    assert user_version(v1) == FORMAT_VERSION
    assert dump(backup) == original


CREATE_AND_DIE = """
import os, signal, sys
from sqlite_utils.migrations import Migrations
from annotator.core.store import Project
original = Migrations._record_applied
def record(self, db, name):
    if name == self._migrations[{after}].name:  # inside its transaction: the ones before are committed
        os.kill(os.getpid(), signal.SIGKILL)
    original(self, db, name)
Migrations._record_applied = record
Project(sys.argv[1], create=True)
"""


@pytest.mark.parametrize("after", [1, -1])
def test_killed_while_creating_a_new_project(tmp_path: Path, after: int) -> None:
    """A project whose creation was cut short (in its second or its last
    migration: the first is committed) is still recognised as a project and
    completed on opening."""
    import subprocess

    path = tmp_path / "new.annotator"
    script = CREATE_AND_DIE.format(after=after)
    proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert path.exists()
    with Project(path, create=True) as p:
        assert p.document_count() == 0 and "PERSON" in p.schema.labels("entity")
        assert p.integrity_check() == "ok"
    assert user_version(path) == FORMAT_VERSION
    assert not list(tmp_path.glob("*.bak"))


def test_read_only_old_project_is_refused_clearly(v1: Path) -> None:
    if FORMAT_VERSION == 1:
        pytest.skip("no migration to run yet")
    import os

    from annotator.core.store import ReadOnlyProjectError

    os.chmod(v1, 0o444)
    try:
        with pytest.raises(ReadOnlyProjectError, match="older version"):
            Project(v1)
    finally:
        os.chmod(v1, 0o644)
    assert user_version(v1) == 1
