"""The compact layout of stored suggestions (issue 17, speed; migration
``m016_suggestions_compact``): integer ids, the document as its ``seq``, the
suggester, time and detail shared through ``suggestion_runs``.  An old project
gets the layout with its data intact and a backup; suggestions written in the
earlier layout survive with their ids; ids given by the store are strings."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core.commands import apply, revert
from annotator.core.migrations import MIGRATION_SET, MIGRATION_STEPS, m016_suggestions_compact, sqlite_utils_classes
from annotator.core.models import Document
from annotator.core.store import Project, StoredSuggestion
from annotator.core.suggest_commands import AcceptSuggestions, RejectSuggestions
from annotator.services.suggest.service import build_dictionary, run_suggester

FIXTURE = Path(__file__).resolve().parent.parent / "reliability" / "fixtures" / "v1.annotator"
BEFORE = MIGRATION_STEPS[: MIGRATION_STEPS.index(m016_suggestions_compact)]


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def test_the_compact_layout_is_a_step_after_the_suggestions_tables():
    from annotator.core.migrations import m012_suggestions, m014_suggestions_by_score

    steps = list(MIGRATION_STEPS)
    assert steps.index(m012_suggestions) < steps.index(m014_suggestions_by_score) < steps.index(m016_suggestions_compact)


def test_a_version_one_project_gets_the_layout_keeps_its_data_and_a_backup(tmp_path):
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as c:
        before_docs = c.execute("SELECT id, text FROM documents ORDER BY id").fetchall()
        before_anns = c.execute('SELECT id, label, start, "end" FROM annotations ORDER BY id').fetchall()
    c.close()
    with Project(path) as p:
        conn = sqlite3.connect(path)
        assert columns(conn, "suggestions") == [
            *("id", "key", "doc", "kind", "label", "start", "end", "score", "run"),
            *("claimant_start", "claimant_end", "claimant_text"),
        ]
        assert columns(conn, "suggestion_runs") == ["id", "suggester", "created", "detail"]
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'suggestions'")}
        assert {"suggestions_doc", "suggestions_score", "suggestions_key"} <= indexes
        conn.close()
        assert p.suggestions() == []
        doc_id = before_docs[0][0]
        with p.transaction():
            p.put_suggestions([StoredSuggestion("", doc_id, "entity", "GPE", 0, 1, 0.5, "dictionary")])
        (s,) = p.suggestions()
        assert s.id.isdigit() and (s.doc_id, s.start, s.end, s.suggester) == (doc_id, 0, 1, "dictionary")
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT id, text FROM documents ORDER BY id").fetchall() == before_docs
        assert c.execute('SELECT id, label, start, "end" FROM annotations ORDER BY id').fetchall() == before_anns
    c.close()
    assert path.with_name("old.annotator.v1.bak").exists()


def _old_layout_project(path: Path) -> tuple[int, list[str]]:
    """The v1 fixture brought to the layout before ``m016_suggestions_compact``
    (the earlier migrations, recorded as applied), with suggestions written in
    that layout; (its format version, its document ids)."""
    shutil.copy(FIXTURE, path)
    database_class, migrations_class = sqlite_utils_classes()
    db = database_class(path)
    m = migrations_class(MIGRATION_SET)
    for step in BEFORE:
        m()(step)
    m.apply(db)
    docs = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY seq").fetchall()]
    rows = [
        (
            "old-b",
            docs[0],
            "entity",
            "GPE",
            4,
            9,
            0.5,
            "dictionary",
            None,
            None,
            None,
            '{"from": "alice"}',
            "2026-01-01T00:00:00",
        ),
        (
            "old-a",
            docs[0],
            "entity",
            "PERSON",
            0,
            3,
            0.9,
            "dictionary",
            None,
            None,
            None,
            '{"from": "alice"}',
            "2026-01-01T00:00:00",
        ),
        ("old-c", docs[1], "claim", "CLAIM", 2, 8, 0.7, "claims", 0, 1, "X", '{"cue": "said"}', "2026-01-02T00:00:00"),
    ]
    db.conn.executemany(
        'INSERT INTO suggestions (id, doc_id, kind, label, start, "end", score, suggester, claimant_start, claimant_end,'
        " claimant_text, detail, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.conn.execute(
        "INSERT INTO suggestion_rejections (doc_id, start, \"end\", label, annotator, suggester, time) VALUES (?, 4, 9, 'GPE', 'bob', 'dictionary', 't')",
        [docs[0]],
    )
    db.conn.commit()
    db.conn.execute(f"PRAGMA user_version = {len(BEFORE)}")
    db.close()
    return len(BEFORE), docs


def test_suggestions_written_in_the_old_layout_survive(tmp_path):
    path = tmp_path / "older.annotator"
    version, docs = _old_layout_project(path)
    with Project(path) as p:
        got = p.suggestions()
        assert [(s.id, s.doc_id, s.kind, s.label, s.start, s.end, s.score, s.suggester) for s in got] == [
            ("old-a", docs[0], "entity", "PERSON", 0, 3, 0.9, "dictionary"),
            ("old-b", docs[0], "entity", "GPE", 4, 9, 0.5, "dictionary"),
            ("old-c", docs[1], "claim", "CLAIM", 2, 8, 0.7, "claims"),
        ]
        assert [s.detail for s in got] == [{"from": "alice"}, {"from": "alice"}, {"cue": "said"}]
        assert [s.created for s in got] == ["2026-01-01T00:00:00", "2026-01-01T00:00:00", "2026-01-02T00:00:00"]
        assert (got[2].claimant_start, got[2].claimant_end, got[2].claimant_text) == (0, 1, "X")
        # their ids still work as ids; the rejection still hides bob's
        assert [s.id for s in p.suggestions(ids=["old-c", "old-a"])] == ["old-a", "old-c"]
        assert [s.id for s in p.suggestions(pending_for="bob")] == ["old-a", "old-c"]
        assert [s.id for s in p.suggestions(pending_for="bob", by_score=True)] == ["old-a", "old-c"]
        # and an old row is replaced by the id it had
        with p.transaction():
            p.put_suggestions([got[1]._replace(score=0.6)])
        assert [(s.id, s.score) for s in p.suggestions(ids=["old-b"])] == [("old-b", 0.6)]
        assert len(p.suggestions()) == 3
        # the runs: one per (suggester, time, detail)
        assert p._q("SELECT count(*) FROM suggestion_runs").fetchone()[0] == 2
    assert path.with_name(f"older.annotator.v{version}.bak").exists()


@pytest.fixture
def project(tmp_path):
    texts = ["China met India. China again.", "India, then China and India."]
    with Project(tmp_path / "p.annotator", create=True) as p:
        p.insert_documents([(Document(id=f"d{i}", text=t), []) for i, t in enumerate(texts)])
        from annotator.core.models import entity

        with p.transaction():
            p.put_annotations([entity("d0", 0, 5, "GPE", "alice"), entity("d0", 10, 15, "GPE", "alice")])
            p.ensure_annotators({"alice"})
        yield p


def test_a_corpus_run_stores_integer_ids_and_shares_its_run(project):
    summary = run_suggester(project, build_dictionary(project, annotator="alice"), ["d0", "d1"])
    got = project.suggestions(suggester="dictionary")
    assert summary.suggestions == len(got) == 6
    assert all(s.id.isdigit() for s in got)
    # one run row for the whole corpus run (one suggester, one time, one detail)
    assert project._q("SELECT count(*) FROM suggestion_runs").fetchone()[0] == 1
    assert project._q("SELECT count(*) FROM suggestions WHERE key IS NOT NULL").fetchone()[0] == 0
    assert {s.created for s in got} == {got[0].created} and [s.detail for s in got] == [{"from": "annotations of alice"}] * 6
    # by id (strings), accept / reject / undo work on them
    pick = [s for s in got if s.doc_id == "d1"]
    assert project.suggestions(ids=[pick[0].id]) == [pick[0]]
    accept = AcceptSuggestions("alice", pick[:1])
    apply(project, accept)
    reject = RejectSuggestions("alice", pick[1:2])
    apply(project, reject)
    assert {s.id for s in project.suggestions(["d1"], pending_for="alice")} == {s.id for s in pick[2:]}
    provenance = project.suggestion_accepts(accept.ids)
    assert [v["suggestion_id"] for v in provenance.values()] == [pick[0].id]
    revert(project, reject)
    revert(project, accept)
    assert {s.id for s in project.suggestions(["d1"], pending_for="alice")} == {s.id for s in pick}
    # run again: nothing changed, nothing touched
    again = run_suggester(project, build_dictionary(project, annotator="alice"), ["d0", "d1"])
    assert (again.rows_deleted, again.rows_inserted) == (0, 0)
    assert project.suggestions(suggester="dictionary") == got
    with project.transaction():
        project.delete_suggestions(suggester="dictionary")
    assert project.suggestions() == []
    assert project._q("SELECT count(*) FROM suggestion_runs").fetchone()[0] == 0


def test_deleting_a_document_cascades_to_its_suggestions(project):
    run_suggester(project, build_dictionary(project, annotator="alice"), ["d0", "d1"])
    assert project.suggested_document_ids() == {"d0", "d1"}
    with project.transaction():
        project.delete_documents(["d1"])
    assert project.suggested_document_ids("dictionary") == {"d0"}
    assert {s.doc_id for s in project.suggestions()} == {"d0"}


def test_a_corpus_run_stores_without_the_score_index_and_builds_it_after(project, monkeypatch):
    from annotator.services.suggest import service

    monkeypatch.setattr(service, "BATCH", 1)
    monkeypatch.setattr(service, "BULK_ROWS", 2)  # d0's first batch inserts 4 rows: "many"
    during: list[tuple[bool, list[str]]] = []

    def progress(n: int) -> None:
        during.append(
            (project.has_suggestions_score_index(), [s.id for s in project.suggestions(pending_for="bob", by_score=True)])
        )

    run_suggester(project, build_dictionary(project, annotator="alice"), ["d0", "d1"], progress=progress)
    assert [has for has, _ in during] == [False, False]
    assert project.has_suggestions_score_index()
    best = [s.id for s in project.suggestions(pending_for="bob", by_score=True)]
    # meanwhile the best-first list was sorted without the index, in the same order
    assert during[-1][1] == best and len(best) == 6
    everything = project.suggestions(pending_for="bob")
    assert best == [s.id for s in sorted(everything, key=lambda s: (-s.score, int(s.id)))]
    # run again: nothing new, the index stays
    during.clear()
    run_suggester(project, build_dictionary(project, annotator="alice"), ["d0", "d1"], progress=progress)
    assert [has for has, _ in during] == [True, True]
    # the index built again is the app's own: the project opens (its schema is checked)
    path = project.path
    project.close()
    with Project(path) as again:
        assert again.has_suggestions_score_index()


def test_a_run_stopped_or_failing_midway_builds_the_score_index_again(project, monkeypatch):
    from annotator.services.suggest import service

    monkeypatch.setattr(service, "BATCH", 1)
    monkeypatch.setattr(service, "BULK_ROWS", 2)
    calls = []
    run_suggester(
        project, build_dictionary(project, annotator="alice"), ["d0", "d1"], cancelled=lambda: calls.append(1) or len(calls) > 1
    )
    assert project.has_suggestions_score_index() and project.suggested_document_ids() == {"d0"}

    with project.transaction():
        project.delete_suggestions()

    def boom(n: int) -> None:
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        run_suggester(project, build_dictionary(project, annotator="alice"), ["d0", "d1"], progress=boom)
    assert project.has_suggestions_score_index()


def test_a_run_after_one_killed_without_the_score_index_builds_it(project):
    with project.transaction():
        project.drop_suggestions_score_index()  # as a run killed while storing leaves it
    run_suggester(project, build_dictionary(project, annotator="alice"), ["d1"])
    assert project.has_suggestions_score_index()


def test_ids_given_as_text_are_kept_whatever_they_look_like(project):
    odd = ["0042", "99999999999999999999999", "x1"]
    with project.transaction():
        project.put_suggestions([StoredSuggestion(i, "d1", "entity", "GPE", n, n + 1, 0.5, "prog") for n, i in enumerate(odd)])
    assert [s.id for s in project.suggestions(suggester="prog")] == odd
    assert [s.id for s in project.suggestions(ids=["0042", "x1"])] == ["0042", "x1"]
