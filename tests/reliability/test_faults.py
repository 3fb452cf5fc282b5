"""Faults around the project file: missing, not a project, damaged, newer,
read-only, disk full. Each gives a clear ProjectError, changes nothing, and
leaves the app (the open Project) usable."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from annotator.core import commands as C
from annotator.core.models import Document, entity, event
from annotator.core.store import (
    FORMAT_VERSION,
    DiskFullError,
    NewerProjectError,
    NotAProjectError,
    Project,
    ProjectError,
    ReadOnlyProjectError,
)

FIXTURE = Path(__file__).parent / "fixtures" / "v1.annotator"
TEXT = "Beijing granted licences to Tokyo firms on Tuesday, the ministry said. 😀 Prices rose."


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "p.annotator"
    with Project(path, create=True) as p:
        doc = Document(id="d1", text=TEXT)
        p.insert_documents([(doc, [entity("d1", 0, 7, "GPE", "alice")])])
    return path


def state(p: Project) -> tuple:
    """Everything a user could lose."""
    return (
        [d.model_dump() for d in p.iter_documents()],
        [a.model_dump() for a in p.iter_all_annotations()],
        p.annotators(include_gold=True),
        len(p.history(limit=10**6)),
    )


# -- files that are not (usable) projects -----------------------------------------
def test_missing_file_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nope.annotator"
    with pytest.raises(ProjectError, match="no such project file"):
        Project(path)
    assert not path.exists() and files_beside(path) == set()


def test_a_folder_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="cannot read|not an annotator project"):
        Project(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        b"hello, this is a text file\n" * 10,
        b"\x00\x01\x02\xff" * 1000,
        b"SQLite format 3",  # a truncated header
        b"SQLite format 3\x00" + b"\x00" * 84,  # a header and nothing else
        b"PK\x03\x04" + os.urandom(200),  # a zip file
    ],
    ids=["text", "binary", "short-header", "header-only", "zip"],
)
def test_not_a_project_is_refused_and_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.annotator"
    path.write_bytes(content)
    with pytest.raises(NotAProjectError) as info:
        Project(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == content
    assert files_beside(path) == {"x.annotator"}


def test_sqlite_file_of_another_application(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        c.execute("INSERT INTO notes (body) VALUES ('mine')")
    c.close()
    before = digest(path)
    with pytest.raises(NotAProjectError, match="not an annotator project"):
        Project(path)
    assert digest(path) == before
    with sqlite3.connect(path) as c:  # with a foreign application_id too
        c.execute("PRAGMA application_id = 12345")
    c.close()
    before = digest(path)
    with pytest.raises(NotAProjectError, match="another application"):
        Project(path)
    assert digest(path) == before


def test_project_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "new.annotator"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as c:
        c.execute(f"PRAGMA user_version = {FORMAT_VERSION + 1}")
    c.close()
    before = digest(path)
    with pytest.raises(NewerProjectError, match="newer version of annotator") as info:
        Project(path)
    assert f"format {FORMAT_VERSION + 1}" in str(info.value)
    assert digest(path) == before
    assert not list(tmp_path.glob("*.bak"))


def _pages(path: Path) -> int:
    return path.stat().st_size // 4096


def test_damaged_pages_give_project_errors_never_sqlite_errors(tmp_path: Path) -> None:
    """Overwrite each page of a real project in turn: opening and every read
    either works or raises ProjectError (a message), never sqlite3.Error."""
    reads = {
        "documents": lambda p: list(p.iter_documents()),
        "annotations": lambda p: list(p.iter_all_annotations()),
        "per-document": lambda p: [p.annotations(i) for i in p.document_ids()],
        "summaries": lambda p: p.document_summaries(p.document_ids()),
        "counts": lambda p: (p.document_count(), p.status_counts(), p.annotation_counts()),
        "annotators": lambda p: p.annotators(),
        "history": lambda p: p.history(),
        "schema": lambda p: p.schema,
        "integrity": lambda p: p.integrity_check(),
    }
    problems = 0
    for page in range(2, _pages(FIXTURE) + 1):
        path = tmp_path / f"damaged{page}.annotator"
        data = bytearray(FIXTURE.read_bytes())
        data[(page - 1) * 4096 : page * 4096] = b"\xa5" * 4096
        path.write_bytes(bytes(data))
        try:
            p = Project(path)
        except ProjectError as err:
            assert "damaged" in str(err) or "not an annotator project" in str(err)
            problems += 1
            continue
        with p:
            for name, read in reads.items():
                try:
                    read(p)
                except ProjectError:
                    problems += 1
                except sqlite3.Error as err:  # pragma: no cover - the failure this test looks for
                    pytest.fail(f"page {page}, {name}: raw sqlite error {err!r}")
    assert problems >= _pages(FIXTURE) - 2  # nearly every damaged page is noticed somewhere


# -- read-only -----------------------------------------------------------------------
def as_nobody(work) -> str:  # noqa: ANN001
    """Run ``work()`` in a forked child that dropped root to user 'nobody'; its
    returned text (or the exception it raised, as text)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(r)
        try:
            os.setgid(65534)
            os.setuid(65534)
            os.write(w, work().encode())
        except BaseException as err:  # noqa: BLE001 - reported to the parent
            os.write(w, repr(err).encode()[:4000])
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        result = fh.read().decode()
    os.waitpid(pid, 0)
    return result


def _check_read_only(path: Path) -> None:
    before = digest(path)
    with Project(path) as p:
        assert p.readonly
        docs = p.document_ids()
        assert docs == ["d1"] and len(p.annotations("d1")) == 1  # reading works
        with pytest.raises(ReadOnlyProjectError, match="read-only"):
            C.apply(p, C.AddAnnotations("d1", "bob", [entity("d1", 8, 15, "ORG", "bob")]))
        with pytest.raises(ReadOnlyProjectError):
            p.insert_documents([(Document(text="another"), [])])
        with pytest.raises(ReadOnlyProjectError):
            p.add_annotator("carol")
        assert len(p.annotations("d1")) == 1  # still usable after the refusals
    assert digest(path) == before


def test_read_only_file(project_path: Path) -> None:
    os.chmod(project_path, 0o444)
    try:
        _check_read_only(project_path)
        wal = project_path.parent / "p.annotator-wal"
        assert not wal.exists() or wal.stat().st_size == 0  # nothing written beside it either
    finally:
        os.chmod(project_path, 0o644)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to drop to another user")
@pytest.mark.parametrize("folder_mode,file_mode", [(0o755, 0o444), (0o555, 0o644), (0o555, 0o444)])
def test_read_only_for_an_unprivileged_user(tmp_path: Path, project_path: Path, folder_mode: int, file_mode: int) -> None:
    """The operating system, not just the permission bits, refuses the write:
    a forked child drops root and opens the project as 'nobody'."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ro-"))
    try:
        os.chmod(folder, 0o755)
        path = folder / "p.annotator"
        shutil.copy(project_path, path)
        os.chmod(path, file_mode)
        os.chmod(folder, folder_mode)
        before = digest(path)

        def check() -> str:
            _check_read_only(path)
            return "ok"

        assert as_nobody(check) == "ok"
        assert digest(path) == before
        assert {p.name for p in folder.iterdir()} == {"p.annotator"}
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def test_read_only_with_changes_left_in_the_journal(tmp_path: Path) -> None:
    """A read-only project whose last session was killed before writing its
    journal back: either the journal is read, or a message says how to recover;
    never silently stale data."""
    import crashharness as H

    path = tmp_path / "crashed.annotator"
    H.new_project(path)
    initial = H.snapshot(path)
    assert H.run_child(path, tmp_path / "log.jsonl", 5, "--force", "command", "--die", "after-commit") < 0
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the killed session left its journal
    os.chmod(path, 0o444)
    try:
        with Project(path) as p:  # root can read the journal after all: then all must be there
            seen = {a.id for a in p.iter_all_annotations()}
    except ReadOnlyProjectError as err:
        assert "make the file writable" in str(err) and "\n" not in str(err)
        seen = None
    finally:
        os.chmod(path, 0o644)
    recovered = set(H.snapshot(path).annotations)
    assert seen is None or seen == recovered
    assert len(recovered) > len(initial.annotations)  # the killed session's action is there


@pytest.mark.parametrize("keep_shm", [True, False])
def test_read_only_journal_for_an_unprivileged_user(tmp_path: Path, keep_shm: bool) -> None:
    """As above, as a user whom the OS really refuses writes: with the journal's
    index (-shm) it is read; without it, the message says how to recover."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to drop to another user")
    import json
    import tempfile

    import crashharness as H

    folder = Path(tempfile.mkdtemp(prefix="ro-"))
    try:
        os.chmod(folder, 0o755)
        path = folder / "crashed.annotator"
        H.new_project(path)
        assert H.run_child(path, folder / "log.jsonl", 5, "--force", "command", "--die", "after-commit") < 0
        if not keep_shm:
            path.with_name(path.name + "-shm").unlink()
        for f in folder.iterdir():
            os.chmod(f, 0o444)
        os.chmod(folder, 0o555)
        before = {f.name: digest(f) for f in folder.iterdir()}

        def read() -> str:
            try:
                with Project(path) as p:
                    return json.dumps(sorted(a.id for a in p.iter_all_annotations()))
            except ReadOnlyProjectError as err:
                return str(err)

        result = as_nobody(read)
        assert {f.name: digest(f) for f in folder.iterdir()} == before  # nothing touched
        os.chmod(folder, 0o755)
        for f in folder.iterdir():
            os.chmod(f, 0o644)
        recovered = sorted(H.snapshot(path).annotations)
        if keep_shm:
            assert json.loads(result) == recovered
        else:
            assert result.startswith(str(path)) and "make the file writable and open it once" in result, result
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


# -- disk full -------------------------------------------------------------------------
def _fill(p: Project) -> None:
    """No room for more pages: SQLite's max_page_count, as a full disk."""
    pages = p.conn.execute("PRAGMA page_count").fetchone()[0]
    p.conn.execute(f"PRAGMA max_page_count = {pages}")


def _unfill(p: Project) -> None:
    p.conn.execute("PRAGMA max_page_count = 1073741823")


def test_disk_full_during_an_action(project_path: Path) -> None:
    with Project(project_path) as p:
        before = state(p)
        _fill(p)
        big = entity("d1", 8, 15, "ORG", "bob", attributes={"note": "x" * 200_000})
        ev = event("d1", 8, 15, "LicenceGrant", "bob", arguments=[("Grantee", big.id)])
        cmd = C.AddAnnotations("d1", "bob", [big, ev])
        with pytest.raises(DiskFullError, match="disk is full") as info:
            C.apply(p, cmd)
        assert str(project_path) in str(info.value)
        assert not p.conn.in_transaction
        assert state(p) == before  # neither the entity nor the event
        _unfill(p)
        C.apply(p, C.AddAnnotations("d1", "bob", [entity("d1", 16, 24, "PRODUCT", "bob")]))  # usable again
        assert len(p.annotations("d1")) == 2
        assert p.integrity_check() == "ok"


def test_disk_full_during_undo_and_import(project_path: Path) -> None:
    with Project(project_path) as p:
        big = entity("d1", 8, 15, "ORG", "bob", attributes={"note": "z" * 100_000})
        C.apply(p, C.AddAnnotations("d1", "bob", [big]))
        cmd = C.DeleteAnnotations("d1", "bob", [big.id])
        C.apply(p, cmd)  # undoing it needs room for the big row again
        _fill(p)  # and use up the free pages, so that nothing more fits
        with pytest.raises(DiskFullError):
            while True:
                p.add_annotator("filler-" + "y" * 3000 + os.urandom(8).hex())
        before = state(p)
        with pytest.raises(DiskFullError):
            C.revert(p, cmd)
        doc = Document(text="an imported document " * 500)
        with pytest.raises(DiskFullError):
            p.insert_documents([(doc, [entity(doc.id, 0, 8, "GPE", "imp")])])
        assert state(p) == before
        _unfill(p)
        C.revert(p, cmd)  # the undo that failed works now
        assert [a.id for a in p.annotations("d1", annotator="bob")] == [big.id]
        assert p.integrity_check() == "ok"
    with Project(project_path) as p:
        assert p.integrity_check() == "ok"


def test_disk_full_while_importing_files(project_path: Path, tmp_path: Path) -> None:
    from annotator.services.importing import import_paths

    big = tmp_path / "big.txt"
    big.write_text("A long article about licences. " * 20_000, encoding="utf-8")
    with Project(project_path) as p:
        before = state(p)
        _fill(p)
        report = import_paths(p, [big])
        assert not report.ok and report.documents == 0
        message = str(report.errors[0])
        assert "big.txt" in message and "disk is full" in message and "Traceback" not in message
        assert state(p) == before
        _unfill(p)
        assert import_paths(p, [big]).documents == 1


def test_messages_are_one_line_without_traceback(project_path: Path, tmp_path: Path) -> None:
    errors: list[ProjectError] = []
    for make in (
        lambda: Project(tmp_path / "missing.annotator"),
        lambda: Project(Path(sys.executable)),
    ):
        try:
            make()
        except ProjectError as err:
            errors.append(err)
    assert len(errors) == 2
    for err in errors:
        text = str(err)
        assert text and "\n" not in text and "Traceback" not in text and "sqlite3." not in text
