"""Files from others are untrusted input (issue 18): a project file holding SQL the
app never makes (a trigger, a view, a table) is refused before anything is written
to it or read from it for a merge; every connection has ``trusted_schema`` off and
``cell_size_check`` on."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.migrations import MIGRATIONS_TABLE, SEARCH_TABLE, SEARCH_THROUGH_KEY, SEARCH_TRIGGERS
from annotator.core.models import Document, entity
from annotator.core.projectfile import app_schema_objects
from annotator.core.store import Project, UntrustedProjectError, read_project_file
from annotator.services.merging import MergeError, merge_paths
from annotator.services.search import TextQuery, search_text

EVIL_TRIGGER = "CREATE TRIGGER evil AFTER INSERT ON annotations BEGIN DELETE FROM documents; END"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_project(path: Path) -> Path:
    with Project(path, create=True) as p, p.transaction():
        p.add_document(Document(id="d1", text="China and India met in Beijing."), [entity("d1", 0, 5, "GPE", "alice")])
        p.add_document(Document(id="d2", text="Reuters reported it."), [])
    return path


def craft(path: Path, *statements: str) -> Path:
    """Add SQL of someone else's to a project file (as a plain SQLite tool would)."""
    c = sqlite3.connect(path)
    for sql in statements:
        c.execute(sql)
    c.commit()
    c.close()
    return path


def files_beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def test_the_crafted_trigger_would_delete_the_documents(tmp_path: Path) -> None:
    """The threat is real: a plain SQLite connection runs the trigger on the next insert."""
    path = craft(make_project(tmp_path / "evil.annotator"), EVIL_TRIGGER)
    c = sqlite3.connect(path)
    c.execute(
        "INSERT INTO annotations (id, doc_id, kind, label, annotator, source, created, updated) VALUES ('x', 'd1', 'entity', 'GPE', 'a', 'manual', 't', 't')"
    )
    assert c.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    c.close()


def test_a_project_with_a_crafted_trigger_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = craft(make_project(tmp_path / "evil.annotator"), EVIL_TRIGGER)
    before, beside = digest(path), files_beside(path)
    with pytest.raises(
        UntrustedProjectError, match=r"evil\.annotator: refused: .*trigger 'evil'.*nothing was read from it or written to it"
    ):
        Project(path)
    assert digest(path) == before
    assert files_beside(path) == beside  # no backup, no journal left behind
    c = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    assert c.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
    c.close()


def test_merging_from_a_crafted_file_is_refused_and_the_review_project_is_unchanged(tmp_path: Path) -> None:
    good = make_project(tmp_path / "good.annotator")
    evil = craft(shutil.copy(good, tmp_path / "evil.annotator"), EVIL_TRIGGER)
    out = tmp_path / "review.annotator"
    merge_paths(out, [good])
    before = digest(out)
    with pytest.raises(MergeError, match=r"evil\.annotator: refused: .*trigger 'evil'"):
        merge_paths(out, [evil])
    assert digest(out) == before
    with pytest.raises(UntrustedProjectError):
        read_project_file(evil)


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("CREATE VIEW v AS SELECT * FROM documents", "view 'v'"),
        ("CREATE TABLE extra (x)", "table 'extra'"),
        ("CREATE INDEX extra_idx ON annotations(created)", "index 'extra_idx'"),
        (
            "CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN DELETE FROM annotations; END",
            "trigger 'documents_fts_insert'",
        ),
    ],
)
def test_any_object_the_app_never_makes_is_refused(tmp_path: Path, sql: str, what: str) -> None:
    """Also one that borrows the name of a trigger the app once made, with other SQL."""
    path = craft(make_project(tmp_path / "p.annotator"), sql)
    before = digest(path)
    with pytest.raises(UntrustedProjectError, match=what):
        Project(path)
    assert digest(path) == before


def test_the_cli_says_so_in_one_line(tmp_path: Path) -> None:
    path = craft(make_project(tmp_path / "evil.annotator"), EVIL_TRIGGER)
    result = CliRunner().invoke(main, ["stats", str(path)])
    assert result.exit_code != 0
    assert "refused" in result.output and "trigger 'evil'" in result.output
    assert "Traceback" not in result.output


def test_connections_are_hardened(tmp_path: Path) -> None:
    path = make_project(tmp_path / "p.annotator")
    with Project(path) as p:
        pragmas = p._q("PRAGMA trusted_schema").fetchone()[0], p._q("PRAGMA cell_size_check").fetchone()[0]  # noqa: SLF001
    assert pragmas == (0, 1)
    path.chmod(0o444)
    try:
        with Project(path) as p:  # read-only
            assert p.readonly
            assert (p._q("PRAGMA trusted_schema").fetchone()[0], p._q("PRAGMA cell_size_check").fetchone()[0]) == (0, 1)  # noqa: SLF001
    finally:
        path.chmod(0o644)


def test_a_project_made_before_m006_still_opens_and_loses_its_index_triggers(tmp_path: Path) -> None:
    """A file of format 5 holds m004's triggers: ours, so it opens; m006 drops them
    (SQLite refuses FTS5 in triggers with ``trusted_schema`` off) and the index keeps working."""
    path = make_project(tmp_path / "old.annotator")
    ours = {o[1]: o[3] for o in app_schema_objects() if o[0] == "trigger"}
    assert set(SEARCH_TRIGGERS) <= set(ours)
    c = sqlite3.connect(path)
    for name in SEARCH_TRIGGERS:
        c.execute(ours[name])
    c.execute(f"DELETE FROM {MIGRATIONS_TABLE} WHERE name = 'm006_search_index_by_store'")
    c.execute("DELETE FROM meta WHERE key = ?", (SEARCH_THROUGH_KEY,))
    c.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')")  # format 5: the triggers kept it whole
    c.execute("PRAGMA user_version = 5")
    c.commit()
    c.close()
    with Project(path) as p:
        with p.transaction():
            p.add_document(Document(id="d3", text="A wombat in Seoul."), [])
        assert p.search_indexed_through() == 2  # what the triggers had indexed
        assert [h.doc_id for h in search_text(p, TextQuery("wombat"))] == ["d3"]
        assert [h.doc_id for h in search_text(p, TextQuery("beijing"))] == ["d1"]
        assert p.search_index_ok()
        assert p.search_indexed_through() == 3
    c = sqlite3.connect(path)
    assert c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'documents_fts%'").fetchall() == []
    assert c.execute(f"SELECT count(*) FROM {SEARCH_TABLE}_data").fetchone()[0] > 0
    c.close()
    assert path.with_name("old.annotator.v5.bak").exists()


def test_the_v1_fixture_is_trusted(tmp_path: Path) -> None:
    fixture = Path(__file__).parents[1] / "reliability" / "fixtures" / "v1.annotator"
    path = Path(shutil.copy(fixture, tmp_path / "v1.annotator"))
    with Project(path) as p:
        assert p.document_count() == 2
