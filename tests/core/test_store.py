"""The project store: round trip, reopening, migrations, versions, transactions."""

import sqlite3
from pathlib import Path

import pytest

from annotator.core.models import DocStatus, Document, entity, relation
from annotator.core.schema import parse_schema
from annotator.core.store import (
    APPLICATION_ID,
    FORMAT_VERSION,
    NewerProjectError,
    NotAProjectError,
    Project,
    ProjectError,
    migrations,
)


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "p.annotator"


def sample(text: str = "Modi met Xi 🤝 in Tianjin on Sunday.\nA second line.") -> tuple[Document, list]:
    doc = Document(title="Meeting", text=text, source="a.txt", metadata={"lang": "en", "n": [1, 2]}, external_id="x-1")
    modi = entity(doc.id, 0, 4, "PERSON", "alice", attributes={"role": "PM"})
    xi = entity(doc.id, 9, 11, "PERSON", "bob")
    rel = relation(doc.id, modi.id, xi.id, "affiliated_with", "alice")
    return doc, [modi, xi, rel]


def test_round_trip_and_reopen(path):
    doc, anns = sample()
    with Project(path, create=True) as p:
        assert p.insert_documents([(doc, anns)]) == 1
    with Project(path) as p:
        assert p.get_document(doc.id) == doc
        assert p.annotations(doc.id) == anns
        assert p.document_text(doc.id)[9:11] == "Xi"
        assert p.annotators() == ["alice", "bob"]
        assert p.document_by_sha(doc.sha256) == doc.id
        assert p.document_count() == 1 and p.status_counts() == {"new": 1}
        assert p.integrity_check() == "ok"
        assert p.history(limit=1)[0]["action"] == "import"


def test_file_settings_wal_foreign_keys_ids(path):
    with Project(path, create=True) as p:
        c = p.conn
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert c.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
        assert c.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        applied = [r[0] for r in c.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == [m.name for m in migrations._migrations] and len(applied) == FORMAT_VERSION
        assert applied[0] == "m001_initial"


def test_schema_is_stored_in_the_project(path):
    small = parse_schema({"name": "small", "entities": [{"name": "PERSON"}]})
    with Project(path, create=True, schema=small) as p:
        assert p.schema.name == "small"
    with Project(path) as p:
        assert p.schema == small


def test_newer_project_is_refused_with_a_clear_message(path):
    Project(path, create=True).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {FORMAT_VERSION + 1}")
    con.close()
    with pytest.raises(NewerProjectError) as info:
        Project(path)
    msg = str(info.value)
    assert str(path) in msg and "newer version of annotator" in msg and "please upgrade" in msg
    assert f"project format {FORMAT_VERSION + 1}" in msg


def test_not_a_project(tmp_path):
    text = tmp_path / "notes.annotator"
    text.write_text("hello, not a database")
    with pytest.raises(NotAProjectError, match="not an SQLite file"):
        Project(text)
    assert text.read_text() == "hello, not a database"
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(NotAProjectError, match="not an annotator project"):
        Project(other)
    with pytest.raises(ProjectError, match="no such project file"):
        Project(tmp_path / "missing.annotator")
    assert not (tmp_path / "missing.annotator").exists()


def test_transaction_rolls_back_everything(path):
    doc, anns = sample()
    with Project(path, create=True) as p:
        with pytest.raises(RuntimeError):
            with p.transaction():
                p.conn.execute("INSERT INTO annotators VALUES ('ghost', 'now')")
                p.log("x", None, "test")
                raise RuntimeError("boom")
        assert p.annotators() == [] and p.history() == []
        # insert_documents is all or nothing: the second document's sha clashes with the first's
        twin = Document(text=doc.text)
        with pytest.raises(ProjectError):
            p.insert_documents([(doc, anns), (twin, [])])
        assert p.document_count() == 0 and list(p.iter_all_annotations()) == [] and p.annotators() == []
    with Project(path) as p:
        assert p.document_count() == 0


def test_nested_transactions_are_savepoints(path):
    with Project(path, create=True) as p:
        with p.transaction():
            p.add_annotator("outer")
            with pytest.raises(RuntimeError):
                with p.transaction():
                    p.add_annotator("inner")
                    raise RuntimeError
        assert p.annotators() == ["outer"]


def test_deleting_a_document_cascades(path):
    doc, anns = sample()
    with Project(path, create=True) as p:
        p.insert_documents([(doc, anns)])
        with p.transaction():
            p.conn.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
        assert list(p.iter_all_annotations()) == []


def test_queries(path):
    a, anns = sample()
    b = Document(title="Rates", text="The central bank raised rates.")
    c = Document(title="Other", text="Nothing here.", status=DocStatus.DONE)
    with Project(path, create=True) as p:
        p.insert_documents([(a, anns), (b, []), (c, [])])
        assert p.document_ids() == [a.id, b.id, c.id]
        assert p.document_ids(status="done") == [c.id]
        assert p.document_ids(status=["new", "done"]) == [a.id, b.id, c.id]
        assert p.document_ids(search="CENTRAL") == [b.id]
        assert p.document_ids(search="🤝") == [a.id]
        assert p.document_ids(label="PERSON") == [a.id]
        assert p.document_ids(label="PERSON", annotator="carol") == []
        assert [d.id for d in p.iter_documents()] == [a.id, b.id, c.id]
        summary = p.document_summaries([a.id, b.id], annotator="alice")
        assert summary[a.id]["annotations"] == 2 and summary[b.id]["annotations"] == 0
        assert summary[a.id]["length"] == len(a.text)
        assert p.annotations(a.id, annotator="bob") == [anns[1]]
        assert p.annotations(a.id, kinds=["relation"]) == [anns[2]]
        assert p.annotation_counts() == [
            ("entity", "PERSON", "alice", 1),
            ("entity", "PERSON", "bob", 1),
            ("relation", "affiliated_with", "alice", 1),
        ]
        with pytest.raises(KeyError):
            p.get_document("nope")


def test_set_schema_refuses_orphans(path):
    doc, anns = sample()
    with Project(path, create=True) as p:
        p.insert_documents([(doc, anns)])
        smaller = parse_schema({"name": "small", "entities": [{"name": "ORG"}]})
        assert p.orphaned_by(smaller) == {("entity", "PERSON"): 2, ("relation", "affiliated_with"): 1}
        with pytest.raises(ProjectError, match=r"entity PERSON \(2\).*nothing was changed.*--force"):
            p.set_schema(smaller)
        assert p.schema.name == "news"
        p.set_schema(smaller, force=True)
        assert p.schema.name == "small"
    with Project(path) as p:
        assert p.schema.name == "small"


def test_opening_an_up_to_date_project_needs_no_sqlite_utils(path):
    """sqlite-utils serves creating and upgrading projects; opening a current one
    and working in it does not import it (start-up time, benchmark case 8)."""
    import subprocess
    import sys

    with Project(path, create=True) as p:
        p.insert_documents([sample()])
    script = (
        "import sys\n"
        "from annotator.core.commands import AddAnnotations, apply\n"
        "from annotator.core.models import entity\n"
        "from annotator.core.store import Project\n"
        "with Project(sys.argv[1]) as p:\n"
        "    doc = p.get_document(p.document_ids()[0])\n"
        "    apply(p, AddAnnotations(doc.id, 'ann', [entity(doc.id, 0, 4, 'PERSON', annotator='ann')]))\n"
        "    assert len(p.annotations(doc.id, annotator='ann')) == 1\n"
        "print('sqlite_utils' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_migration_missing_from_the_record_is_applied_even_at_the_current_version(path):
    """The fast check on opening trusts user_version only together with the
    record of applied migrations."""
    from annotator.core.migrations import m002_review
    from annotator.core.store import FORMAT_VERSION

    Project(path, create=True).close()
    last = m002_review.__name__  # the migration whose tables are dropped below
    with sqlite3.connect(path) as c:
        c.execute("DELETE FROM _sqlite_migrations WHERE name = ?", (last,))
        c.execute("DROP TABLE IF EXISTS review_decisions")
        c.execute("DROP TABLE IF EXISTS merge_provenance")
    c.close()
    with Project(path) as p:
        assert p.review_decisions() == []
    with sqlite3.connect(path) as c:
        names = [r[0] for r in c.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
        version = c.execute("PRAGMA user_version").fetchone()[0]
    c.close()
    assert names[-1] == last and version == FORMAT_VERSION
