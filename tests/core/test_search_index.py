"""The full-text index of documents (migration m004_search_index): built for
existing projects (with a backup first), kept current by triggers on every write."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core.migrations import MIGRATION_STEPS, SEARCH_TABLE, m004_search_index
from annotator.core.models import Document
from annotator.core.store import FORMAT_VERSION, Project
from annotator.services.search import DocumentFilter, TextQuery, catch_up_index, search_text

FIXTURE = Path(__file__).resolve().parent.parent / "reliability" / "fixtures" / "v1.annotator"


def test_m004_follows_m003() -> None:
    names = [m.__name__ for m in MIGRATION_STEPS]
    assert names.index("m004_search_index") == names.index("m003_claims_start_unset") + 1
    assert MIGRATION_STEPS[3] is m004_search_index


def test_an_old_project_gets_the_index_and_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1
        assert not c.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (SEARCH_TABLE,)).fetchall()
    c.close()
    with Project(path) as p:
        assert p.search_index_ok()
        hits = list(search_text(p, TextQuery("seoul")))
        assert [(h.doc_id, h.text) for h in hits] == [("d2", "Seoul")]
        assert p.document_text("d2")[hits[0].start : hits[0].end] == "Seoul"
        # the index was built from the documents already there: every one is found
        assert {h.doc_id for h in search_text(p, TextQuery(r"\w", "regex"))} == {"d1", "d2"}
        assert [h.text for h in search_text(p, TextQuery("São Paulo", "phrase"))] == ["São Paulo"]
    backup = path.with_name("old.annotator.v1.bak")
    assert backup.exists()
    with sqlite3.connect(backup) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1
        assert not c.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (SEARCH_TABLE,)).fetchall()
    c.close()


def test_a_new_project_has_the_index(tmp_path: Path) -> None:
    with Project(tmp_path / "n.annotator", create=True) as p:
        p.insert_documents([(Document(id="a", text="Alpha beta."), [])])
        assert p.search_index_ok()
        assert [h.text for h in search_text(p, TextQuery("beta"))] == ["beta"]
    with sqlite3.connect(tmp_path / "n.annotator") as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION


def test_the_store_keeps_the_index_current(tmp_path: Path) -> None:
    """The store's writes update the index in their own transaction (m006 dropped
    m004's triggers: with ``trusted_schema`` off SQLite refuses FTS5 in triggers)."""
    path = tmp_path / "t.annotator"
    with Project(path, create=True) as p:
        with p.transaction():
            p.add_document(Document(id="x", text="Wombat sighting"), [])
        assert [h.doc_id for h in search_text(p, TextQuery("wombat"))] == ["x"]
        with p.transaction():
            p.add_documents((Document(id=f"n{i}", text=f"Numbat {i}"), []) for i in range(3))
        assert sorted(h.doc_id for h in search_text(p, TextQuery("numbat"))) == ["n0", "n1", "n2"]
        assert p.search_index_ok()
        with p.transaction():
            p.delete_documents(["x", "n1"])
        assert list(search_text(p, TextQuery("wombat"))) == []
        assert sorted(h.doc_id for h in search_text(p, TextQuery("numbat"))) == ["n0", "n2"]
        assert p.search_index_ok()
    with sqlite3.connect(path) as c:
        triggers = c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'documents_fts%'").fetchall()
    c.close()
    assert triggers == []


def test_a_rolled_back_import_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    with Project(tmp_path / "t.annotator", create=True) as p:
        with pytest.raises(RuntimeError), p.transaction():
            p.add_documents([(Document(id="x", text="Wombat sighting"), [])])
            raise RuntimeError("cut short")
        assert list(search_text(p, TextQuery("wombat"))) == []
        assert p.search_index_ok()


@pytest.mark.parametrize("status", [None, "new"])
def test_search_candidates_pages_in_import_order(tmp_path: Path, status: str | None) -> None:
    with Project(tmp_path / "c.annotator", create=True) as p:
        p.insert_documents([(Document(id=f"d{i}", text=f"item {i} common"), []) for i in range(7)])
        for match in (None, '"common"'):
            seen, after = [], 0
            while True:
                rows = p.search_candidates(match, after=after, limit=3, status=status)
                seen += [r[1] for r in rows]
                if len(rows) < 3:
                    break
                after = rows[-1][0]
            assert seen == [f"d{i}" for i in range(7)]


def test_stored_documents_wait_for_the_index_and_searches_still_find_them(tmp_path: Path) -> None:
    """Storing a document does not index it (m006): a search reads the documents not
    in the index yet directly, with the same filters, so it is complete either way;
    index_pending indexes them a slice at a time, in import order."""
    with Project(tmp_path / "t.annotator", create=True) as p:
        with p.transaction():
            p.add_documents((Document(id=f"d{i}", text=f"Wombat number {i} " + "x" * 90), []) for i in range(10))
            p.set_status("d3", "done")
        assert p.search_indexed_through() == 0
        assert p.search_pending() == (10, sum(len(f"Wombat number {i} ") + 90 for i in range(10)))
        before = [(h.doc_id, h.start, h.end) for h in search_text(p, TextQuery("wombat"))]
        assert [d for d, _, _ in before] == [f"d{i}" for i in range(10)]
        done_only = [h.doc_id for h in search_text(p, TextQuery("wombat"), DocumentFilter(status=("done",)))]
        assert done_only == ["d3"]
        assert p.index_pending(max_chars=250) == 8  # two documents of about 105 characters
        assert p.search_indexed_through() == 2
        # half indexed: the index's matches, then the rest, still in import order
        assert [(h.doc_id, h.start, h.end) for h in search_text(p, TextQuery("wombat"))] == before
        with p.transaction():
            p.delete_documents(["d1", "d7"])  # one indexed, one not
        assert p.index_pending() == 0
        assert p.search_pending() == (0, 0)
        assert p.search_index_ok()
        assert [h.doc_id for h in search_text(p, TextQuery("wombat"))] == [f"d{i}" for i in range(10) if i not in (1, 7)]
        assert [h.doc_id for h in search_text(p, TextQuery("wombat"), DocumentFilter(status=("done",)))] == ["d3"]


def test_a_read_only_project_searches_its_unindexed_documents(tmp_path: Path) -> None:
    path = tmp_path / "t.annotator"
    with Project(path, create=True) as p, p.transaction():
        p.add_document(Document(id="x", text="Wombat sighting"), [])
    path.chmod(0o444)
    try:
        with Project(path) as p:
            assert p.readonly and p.index_pending() == 1
            assert [h.doc_id for h in search_text(p, TextQuery("wombat"))] == ["x"]
    finally:
        path.chmod(0o644)


def test_index_next_by_document_numbers(tmp_path: Path) -> None:
    """index_next: the next document numbers, planned without reading any text; a
    gap left by deleted documents makes a slice smaller, never skips a document."""
    with Project(tmp_path / "t.annotator", create=True) as p:
        with p.transaction():
            p.add_documents((Document(id=f"d{i}", text=f"Wombat number {i}"), []) for i in range(10))
            p.delete_documents(["d3", "d4"])  # numbers 4 and 5
        assert p.search_pending_documents() == 8
        assert p.index_next(3) == 3
        assert p.search_indexed_through() == 3 and p.search_pending_documents() == 5
        assert p.index_next(3) == 1  # numbers 4-6: only d5 is left of them
        assert p.search_indexed_through() == 6 and p.search_pending_documents() == 4
        assert [h.doc_id for h in search_text(p, TextQuery("wombat"))] == [f"d{i}" for i in range(10) if i not in (3, 4)]
        assert p.index_next(0) == 1  # at least one number
        assert p.index_next(100) == 3
        assert p.search_indexed_through() == 10 and p.search_pending_documents() == 0
        assert p.search_index_ok()
        assert p.index_next(5) is None  # nothing to do


def test_a_document_stored_after_the_last_indexed_one_was_deleted_is_indexed(tmp_path: Path) -> None:
    """SQLite numbers a new document after the last one left: when the last indexed
    documents are deleted, the index's mark comes down, so the new one is pending."""
    with Project(tmp_path / "t.annotator", create=True) as p:
        with p.transaction():
            p.add_documents((Document(id=f"d{i}", text=f"Wombat number {i}"), []) for i in range(3))
        assert p.index_pending() == 0
        with p.transaction():
            p.delete_documents(["d1", "d2"])
        assert p.search_indexed_through() == 1
        with p.transaction():
            p.add_documents([(Document(id="new", text="Wombat newcomer"), [])])
        assert p.search_pending_documents() == 1
        assert [h.doc_id for h in search_text(p, TextQuery("wombat"))] == ["d0", "new"]
        assert p.index_pending() == 0
        assert p.search_index_ok()
        assert [h.doc_id for h in search_text(p, TextQuery("newcomer"))] == ["new"]


def test_index_next_on_a_read_only_project_does_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.annotator"
    with Project(path, create=True) as p, p.transaction():
        p.add_document(Document(id="x", text="Wombat sighting"), [])
    path.chmod(0o444)
    try:
        with Project(path) as p:
            assert p.readonly and p.index_next(10) is None and p.search_pending_documents() == 1
            assert catch_up_index(p) == 1  # nothing written, the count said
    finally:
        path.chmod(0o644)
