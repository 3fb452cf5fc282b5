"""Suggestions in the store (issue 17, migration m012_suggestions): stored apart
from annotations, pending per annotator, rejections remembered, accept and reject
as undoable commands, one undo step each."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core.commands import CommandError, apply, revert
from annotator.core.kinds import DocStatus, Source
from annotator.core.migrations import MIGRATION_STEPS, m012_suggestions, m014_suggestions_by_score
from annotator.core.models import Document, entity
from annotator.core.store import ConflictError, Project, StoredSuggestion
from annotator.core.suggest_commands import AcceptSuggestions, RejectSuggestions

FIXTURE = Path(__file__).resolve().parent.parent / "reliability" / "fixtures" / "v1.annotator"
TEXTS = ["China and India. Randhir Jaiswal said so.", "India, then China."]


def sug(
    doc_id: str, text: str, word: str, label: str = "GPE", kind: str = "entity", score: float = 0.8, by: str = "dictionary", **kw
) -> StoredSuggestion:
    start = text.index(word)
    return StoredSuggestion(
        f"{doc_id}-{word}-{label}-{by}", doc_id, kind, label, start, start + len(word), score, by, detail={"from": "test"}, **kw
    )


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        docs = [Document(id=f"d{i}", text=t) for i, t in enumerate(TEXTS)]
        p.insert_documents([(d, []) for d in docs])
        rows = [
            sug("d0", TEXTS[0], "China"),
            sug("d0", TEXTS[0], "India", score=0.4),
            sug("d0", TEXTS[0], "Randhir Jaiswal", "PERSON", score=0.9),
            sug("d1", TEXTS[1], "India"),
            sug("d1", TEXTS[1], "China", by="other"),
        ]
        with p.transaction():
            p.put_suggestions(rows)
        yield p


def test_the_suggestions_migration_is_a_step():
    assert m012_suggestions in MIGRATION_STEPS


def test_an_old_project_gets_the_tables_keeps_its_data_and_a_backup(tmp_path):
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as c:
        before_docs = c.execute("SELECT id, text FROM documents ORDER BY id").fetchall()
        before_anns = c.execute('SELECT id, label, start, "end" FROM annotations ORDER BY id').fetchall()
    c.close()
    with Project(path) as p:
        tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"suggestions", "suggestion_rejections", "suggestion_accepts"} <= tables
        assert p.suggestions() == []
        doc_id = before_docs[0][0]
        with p.transaction():
            p.put_suggestions([StoredSuggestion("s1", doc_id, "entity", "GPE", 0, 1, 0.5, "dictionary")])
        assert [s.id for s in p.suggestions()] == ["s1"]
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT id, text FROM documents ORDER BY id").fetchall() == before_docs
        assert c.execute('SELECT id, label, start, "end" FROM annotations ORDER BY id').fetchall() == before_anns
    c.close()
    assert path.with_name("old.annotator.v1.bak").exists()


def test_filters_and_pending(project):
    assert [s.label for s in project.suggestions(["d0"])] == ["GPE", "GPE", "PERSON"]
    assert len(project.suggestions(label="GPE")) == 4
    assert [s.id for s in project.suggestions(min_score=0.85)] == ["d0-Randhir Jaiswal-PERSON-dictionary"]
    assert [s.doc_id for s in project.suggestions(suggester="other")] == ["d1"]
    assert len(project.suggestions(pending_for="alice")) == 5
    # an annotation of alice's with the same span and label is not pending for her, still for bob
    with project.transaction():
        project.put_annotations([entity("d0", 0, 5, "GPE", "alice")])
    assert len(project.suggestions(pending_for="alice")) == 4
    assert len(project.suggestions(pending_for="bob")) == 5
    assert project.suggestion_counts(pending_for="alice") == [
        ("entity", "GPE", "dictionary", 2),
        ("entity", "GPE", "other", 1),
        ("entity", "PERSON", "dictionary", 1),
    ]


def test_suggestions_are_never_annotations(project):
    assert project.annotations("d0") == [] and project.annotations("d1") == []
    assert list(project.iter_all_annotations()) == []
    assert project.annotation_counts() == []


def test_replace_keeps_other_suggesters_and_documents(project):
    with project.transaction():
        project.replace_suggestions(["d1"], "dictionary", [sug("d1", TEXTS[1], "China", "LOC")])
    assert sorted((s.doc_id, s.label, s.suggester) for s in project.suggestions()) == [
        ("d0", "GPE", "dictionary"),
        ("d0", "GPE", "dictionary"),
        ("d0", "PERSON", "dictionary"),
        ("d1", "GPE", "other"),
        ("d1", "LOC", "dictionary"),
    ]


def snapshot(p: Project):
    anns = sorted(a.model_dump_json() for d in ("d0", "d1") for a in p.annotations(d))
    return (
        anns,
        [p.document_status(d) for d in ("d0", "d1")],
        sorted(p.suggestion_rejections("alice")),
        p.suggestions(pending_for="alice"),
    )


def test_accept_do_undo_redo(project):
    before = snapshot(project)
    chosen = project.suggestions(label="GPE", suggester="dictionary")
    command = AcceptSuggestions("alice", chosen, doc_id="d0")
    changes = apply(project, command)
    anns = project.annotations("d0") + project.annotations("d1")
    assert sorted((a.doc_id, a.start, a.end, a.label) for a in anns) == [
        ("d0", 0, 5, "GPE"),
        ("d0", 10, 15, "GPE"),
        ("d1", 0, 5, "GPE"),
    ]
    assert all(a.source == Source.SUGGESTED and a.annotator == "alice" for a in anns)
    assert changes.doc_id == "d0" and changes.added == {a.id for a in anns if a.doc_id == "d0"}
    assert changes.status == DocStatus.IN_PROGRESS and command.other_documents == {"d1"}
    provenance = project.suggestion_accepts([a.id for a in anns])
    assert {v["suggester"] for v in provenance.values()} == {"dictionary"}
    assert {v["suggestion_id"] for v in provenance.values()} == {s.id for s in chosen}
    # no longer pending for alice; still for bob
    assert {s.id for s in project.suggestions(pending_for="alice")} == {
        "d0-Randhir Jaiswal-PERSON-dictionary",
        "d1-China-GPE-other",
    }
    assert len(project.suggestions(pending_for="bob")) == 5
    done = snapshot(project)
    revert(project, command)
    assert snapshot(project) == before
    assert project.suggestion_accepts([a.id for a in anns]) == {}
    apply(project, command)
    assert snapshot(project) == done


def test_accept_with_another_label_and_kind(project):
    s = project.suggestions(label="PERSON")
    apply(project, AcceptSuggestions("alice", s, label="ORG"))
    (a,) = project.annotations("d0")
    assert (a.kind, a.label, a.start, a.end) == ("entity", "ORG", 17, 32)


def test_accept_a_claim_links_the_claimant_mention(project):
    text = TEXTS[0]
    start = text.index("said so")
    claim = StoredSuggestion(
        "c1", "d0", "claim", "CLAIM", start, start + 7, 0.9, "claims", text.index("Jaiswal"), text.index("Jaiswal") + 7, "Jaiswal"
    )
    person = entity("d0", text.index("Randhir"), text.index("Jaiswal") + 7, "PERSON", "alice")
    with project.transaction():
        project.put_suggestions([claim])
        project.put_annotations([person])
    apply(project, AcceptSuggestions("alice", [claim]))
    (c,) = project.annotations("d0", kinds=["claim"])
    assert c.claimant_ref == person.id and c.claimant_text is None
    # bob has no mention there: his claim names the speaker by text
    apply(project, AcceptSuggestions("bob", [claim]))
    (c2,) = project.annotations("d0", "bob", kinds=["claim"])
    assert c2.claimant_ref is None and c2.claimant_text == "Jaiswal"


def test_reject_is_remembered_per_annotator_and_undone(project):
    india = project.suggestions(["d0"], label="GPE", min_score=0.0)
    command = RejectSuggestions("alice", india)
    apply(project, command)
    assert project.suggestion_rejections("alice") == {("d0", 0, 5, "GPE"), ("d0", 10, 15, "GPE")}
    assert len(project.suggestions(pending_for="alice")) == 3
    # rejected never come back: not even when a suggester stores them again, or another suggests the span and label
    with project.transaction():
        project.replace_suggestions(["d0"], "dictionary", [sug("d0", TEXTS[0], "China")])
        project.put_suggestions([sug("d0", TEXTS[0], "China", by="model:x")])
    assert [s.label for s in project.suggestions(["d0"], pending_for="alice")] == []
    assert len(project.suggestions(["d0"], pending_for="bob")) == 2
    revert(project, command)
    assert project.suggestion_rejections("alice") == set()


def test_undo_of_a_reject_keeps_earlier_rejections(project):
    china = project.suggestions(["d0"], label="GPE")[:1]
    apply(project, RejectSuggestions("alice", china))
    second = RejectSuggestions("alice", project.suggestions(["d0"], label="GPE"))
    apply(project, second)
    revert(project, second)
    assert project.suggestion_rejections("alice") == {("d0", 0, 5, "GPE")}


def test_refusals_write_nothing(project):
    before = snapshot(project)
    with pytest.raises(CommandError, match="no suggestions"):
        AcceptSuggestions("alice", [])
    with pytest.raises(CommandError, match="gold"):
        AcceptSuggestions("@gold", project.suggestions())
    with pytest.raises(CommandError, match="not a label"):
        apply(project, AcceptSuggestions("alice", project.suggestions(), label="NOPE"))
    bad = StoredSuggestion("x", "d0", "entity", "NOPE", 0, 5, 0.5, "model")
    with pytest.raises(CommandError, match="NOPE"):
        apply(project, AcceptSuggestions("alice", [project.suggestions()[0], bad]))
    assert snapshot(project) == before


def test_accepting_what_is_already_yours_is_refused(project):
    s = project.suggestions(["d0"], label="GPE")[:1]
    apply(project, AcceptSuggestions("alice", s))
    with pytest.raises(CommandError, match="already"):
        apply(project, AcceptSuggestions("alice", s))


def test_undo_after_an_edit_elsewhere_is_refused(project):
    s = project.suggestions(["d0"], label="GPE")[:1]
    command = AcceptSuggestions("alice", s)
    apply(project, command)
    (a,) = project.annotations("d0")
    with project.transaction():
        project.delete_annotations([a.id])
    with pytest.raises(ConflictError):
        revert(project, command)


def test_deleting_a_document_deletes_its_suggestions(project):
    with project.transaction():
        project.delete_documents(["d1"])
    assert {s.doc_id for s in project.suggestions()} == {"d0"}


def test_accepting_with_another_label_rejects_the_suggested_one_until_undone(project):
    person = project.suggestions(label="PERSON")
    command = AcceptSuggestions("alice", person, label="ORG")
    apply(project, command)
    assert project.suggestion_rejections("alice") == {("d0", 17, 32, "PERSON")}
    assert project.suggestions(["d0"], pending_for="alice", label="PERSON") == []
    revert(project, command)
    assert project.suggestion_rejections("alice") == set()
    assert project.suggestions(["d0"], pending_for="alice", label="PERSON") == person


def test_the_score_index_migration_on_an_old_project(tmp_path):
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as c:
        before = c.execute('SELECT id, label, start, "end" FROM annotations ORDER BY id').fetchall()
    c.close()
    assert m014_suggestions_by_score in MIGRATION_STEPS
    with Project(path) as p:
        indexes = {r[0] for r in p._q("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'suggestions'")}
        assert "suggestions_score" in indexes
        after = sorted((a.id, a.label, a.start, a.end) for a in p.iter_all_annotations())
        assert before and after == sorted(before)
    assert path.with_name("old.annotator.v1.bak").exists()


def test_the_best_scoring_first_sorted_and_cut_in_sql(project):
    everything = project.suggestions(pending_for="alice")
    best = sorted(everything, key=lambda s: -s.score)  # stable: ties stay in the stored order
    assert [s.id for s in project.suggestions(pending_for="alice", by_score=True)] == [s.id for s in best]
    top = project.suggestions(pending_for="alice", by_score=True, limit=2)
    assert [(s.label, s.score) for s in top] == [("PERSON", 0.9), ("GPE", 0.8)]
    assert top[1].id == "d0-China-GPE-dictionary"
    # the filters apply before the cut; a rejected suggestion leaves the page and the next moves up
    assert [s.id for s in project.suggestions(pending_for="alice", by_score=True, limit=1, label="GPE", suggester="other")] == [
        "d1-China-GPE-other"
    ]
    apply(project, RejectSuggestions("alice", [top[0]]))
    assert [s.score for s in project.suggestions(pending_for="alice", by_score=True, limit=2)] == [0.8, 0.8]
    # a few documents: their best
    assert [s.id for s in project.suggestions(["d0"], pending_for="alice", by_score=True)] == [
        "d0-China-GPE-dictionary",
        "d0-India-GPE-dictionary",
    ]


def test_the_corpus_page_walks_the_score_index_without_sorting_everything(project):
    """The plan: the score index gives the order, no temporary sort of every row."""
    from annotator.core import store_suggest

    captured: list[tuple[str, list]] = []
    real = project._q

    def spy(sql, params=()):
        captured.append((sql, list(params)))
        return real(sql, params)

    project._q = spy
    try:
        project.suggestions(pending_for="alice", by_score=True, limit=10, min_score=0.5)
    finally:
        del project._q
    ((sql, params),) = captured
    assert "ORDER BY s.score DESC" in sql and sql.endswith("LIMIT ?")
    plan = " | ".join(str(r[3]) for r in project._q("EXPLAIN QUERY PLAN " + sql, params))
    assert "suggestions_score" in plan and "TEMP B-TREE" not in plan, plan
    assert store_suggest._SELECT in sql
