"""Document labels in the store and as undoable commands (issue 14): migration
m008_doc_labels from a version-1 project, set/toggle/remove/clear with undo and
redo, single-choice replacing within its group, the gold layer, conflicts."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core.commands import CommandError, Macro, ReplaceDocLabels, SetDocLabel, apply, revert
from annotator.core.doclabels import DocLabelRow, check_doc_labels, ordered
from annotator.core.migrations import MIGRATION_STEPS, m008_doc_labels
from annotator.core.models import GOLD, DocStatus, Document
from annotator.core.schema import default_schema
from annotator.core.store import ConflictError, Project

FIXTURE = Path(__file__).parent.parent / "reliability" / "fixtures" / "v1.annotator"


@pytest.fixture
def project(tmp_path: Path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        doc = Document(text="China granted licences to Indian firms.")
        p.insert_documents([(doc, [])])
        p.doc = doc.id  # type: ignore[attr-defined]
        yield p


def labels(p: Project, actor: str = "alice") -> dict:
    return p.doc_labels(p.doc, actor, p.schema)  # type: ignore[attr-defined]


def test_migration_adds_the_table_keeps_the_data_and_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as c:
        before_docs = c.execute("SELECT id, text FROM documents ORDER BY id").fetchall()
        before_anns = c.execute('SELECT id, label, start, "end" FROM annotations ORDER BY id').fetchall()
        version = c.execute("PRAGMA user_version").fetchone()[0]
    c.close()
    assert m008_doc_labels in MIGRATION_STEPS
    with Project(path) as p:
        cols = [r[1] for r in p.conn.execute("PRAGMA table_info(doc_labels)")]
        assert cols == ["doc_id", "annotator", "category", "label", "source", "time"]
        assert p.conn.execute("SELECT id, text FROM documents ORDER BY id").fetchall() == before_docs
        assert p.conn.execute('SELECT id, label, start, "end" FROM annotations ORDER BY id').fetchall() == before_anns
        assert p.doc_label_rows() == []
        doc_id = before_docs[0][0]
        # the stored schema of the old project has no categories: write one that does
        p.set_schema(default_schema(), force=True)
        apply(p, SetDocLabel(doc_id, "alice", "topic", "trade", "set"))
        assert p.doc_labels(doc_id, "alice") == {"topic": ["trade"]}
    assert path.with_name(f"{path.name}.v{version}.bak").exists()


def test_set_toggle_remove_clear_with_undo_and_redo(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    assert project.document_status(doc) == DocStatus.NEW
    c1 = SetDocLabel(doc, "alice", "topic", "trade", "set")
    ch = apply(project, c1)
    assert ch.doc_labels and ch.doc_id == doc and ch.status == DocStatus.IN_PROGRESS
    c2 = SetDocLabel(doc, "alice", "topic", "economy", "toggle")
    apply(project, c2)
    assert labels(project) == {"topic": ["economy", "trade"]}  # schema order
    c3 = SetDocLabel(doc, "alice", "topic", "trade", "toggle")  # toggling a set label removes it
    apply(project, c3)
    assert labels(project) == {"topic": ["economy"]}
    revert(project, c3)
    assert labels(project) == {"topic": ["economy", "trade"]}
    c4 = SetDocLabel(doc, "alice", "topic", None, "clear")
    apply(project, c4)
    assert labels(project) == {}
    revert(project, c4)
    revert(project, c2)
    assert labels(project) == {"topic": ["trade"]}
    revert(project, c1)
    assert labels(project) == {} and project.document_status(doc) == DocStatus.NEW
    apply(project, c1)  # redo
    assert labels(project) == {"topic": ["trade"]}
    actions = [h["action"] for h in project.history(doc)][:3]
    assert actions == ["do:SetDocLabel", "undo:SetDocLabel", "undo:SetDocLabel"]


def test_single_choice_replaces_within_its_group_and_keeps_the_time(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    apply(project, SetDocLabel(doc, "alice", "topic", "trade", "set"))
    first = project.doc_label_rows([doc])
    apply(project, SetDocLabel(doc, "alice", "genre", "report", "toggle"))
    swap = SetDocLabel(doc, "alice", "genre", "opinion", "toggle")
    apply(project, swap)
    assert labels(project) == {"topic": ["trade"], "genre": ["opinion"]}
    assert [r for r in project.doc_label_rows([doc]) if r.category == "topic"] == first  # untouched
    revert(project, swap)
    assert labels(project)["genre"] == ["report"]
    with pytest.raises(CommandError, match="single-choice"):
        apply(project, ReplaceDocLabels(doc, "alice", "genre", ["report", "opinion"]))
    assert labels(project)["genre"] == ["report"]


def test_layers_are_separate_and_gold_does_not_change_the_status(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    ch = apply(project, SetDocLabel(doc, GOLD, "genre", "analysis", "set", source="review"))
    assert ch.status is None and project.document_status(doc) == DocStatus.NEW
    apply(project, SetDocLabel(doc, "bob", "genre", "report", "set"))
    assert project.doc_labels_by_document([doc]) == {doc: {GOLD: {"genre": ["analysis"]}, "bob": {"genre": ["report"]}}}
    assert project.doc_label_rows([doc], [GOLD])[0].source == "review"
    assert project.doc_label_annotators() == {GOLD, "bob"}


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (lambda d: SetDocLabel(d, "a", "mood", "happy", "set"), "'mood' is not a document category"),
        (lambda d: SetDocLabel(d, "a", "topic", "sport", "set"), "'sport' is not a label of the document category 'topic'"),
        (lambda d: SetDocLabel(d, "a", "topic", "trade", "remove"), "trade is not set in topic"),
        (lambda d: SetDocLabel(d, "a", "topic", None, "clear"), "topic has no labels to clear"),
        (lambda d: SetDocLabel("nope", "a", "topic", "trade", "set"), "document nope is not in this project"),
    ],
)
def test_refused_commands_change_nothing(project: Project, command, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        apply(project, command(project.doc))  # type: ignore[attr-defined]
    assert project.doc_label_rows() == [] and project.history(project.doc) == []  # type: ignore[attr-defined]


def test_setting_a_label_set_already_is_refused(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    apply(project, SetDocLabel(doc, "a", "genre", "report", "set"))
    with pytest.raises(CommandError, match="genre is already report"):
        apply(project, SetDocLabel(doc, "a", "genre", "report", "set"))


def test_undo_after_a_change_elsewhere_is_a_conflict(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    cmd = SetDocLabel(doc, "alice", "topic", "trade", "set")
    apply(project, cmd)
    with project.transaction():  # another window adds a label meanwhile
        project.put_doc_label_rows([DocLabelRow(doc, "alice", "topic", "economy", "manual", "2026-01-01T00:00:00Z")])
    with pytest.raises(ConflictError):
        revert(project, cmd)
    assert labels(project) == {"topic": ["economy", "trade"]}


def test_macro_carries_doc_label_changes(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    m = Macro(
        doc,
        "alice",
        [SetDocLabel(doc, "alice", "topic", "trade", "set"), SetDocLabel(doc, "alice", "genre", "report", "set")],
        "both",
    )
    assert apply(project, m).doc_labels
    assert labels(project) == {"topic": ["trade"], "genre": ["report"]}
    revert(project, m)
    assert labels(project) == {}


def test_deleting_a_document_deletes_its_labels(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    apply(project, SetDocLabel(doc, "alice", "topic", "trade", "set"))
    with project.transaction():
        project.delete_documents([doc])
    assert project.doc_label_rows() == []


def test_check_doc_labels_from_files() -> None:
    schema = default_schema()
    good, problems = check_doc_labels({"genre": "report", "topic": ["trade", "economy", "trade"]}, schema)
    assert good == {"topic": ["economy", "trade"], "genre": ["report"]} and problems == []
    good, problems = check_doc_labels(
        {"genre": ["report", "opinion"], "mood": ["x"], "topic": ["sport", "trade"], "t2": 3}, schema
    )
    assert good == {"topic": ["trade"]}
    assert problems == [
        "doc_labels['genre']: a single-choice category, but 2 labels: report, opinion",
        "doc_labels: unknown document category 'mood' (the schema's: topic, genre)",
        "doc_labels['topic']: unknown label 'sport' (the category's: politics, economy, trade, security, technology, environment)",
        "doc_labels['t2'] must be a list of label names",
    ]
    assert check_doc_labels([1], schema)[1] == ["doc_labels must be an object {category: [labels]}, not list"]
    assert ordered({"zz": ["b", "a"], "genre": ["report"], "x": []}, schema) == {"genre": ["report"], "zz": ["a", "b"]}
