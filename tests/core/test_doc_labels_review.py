"""Reviewing document labels into gold (issue 14): units per document and
category, accepting one annotator's choice (undoable, with a review decision)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.commands import CommandError, SetDocLabel, apply, revert
from annotator.core.models import GOLD, DocStatus, Document
from annotator.core.review_doclabels import AcceptDocLabels, doc_label_units
from annotator.core.store import Project


@pytest.fixture
def project(tmp_path: Path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        d = Document(text="One article.")
        p.insert_documents([(d, [])])
        for who, cat, label in [
            ("alice", "genre", "report"),
            ("bob", "genre", "analysis"),
            ("alice", "topic", "trade"),
            ("bob", "topic", "trade"),
            ("alice", "topic", "economy"),
        ]:
            apply(p, SetDocLabel(d.id, who, cat, label, "set"))
        p.doc = d.id  # type: ignore[attr-defined]
        yield p


def test_units_per_category(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    topic, genre = doc_label_units(project, doc)
    assert (topic.category, topic.multi, topic.status) == ("topic", True, "differ")
    assert topic.members == {"alice": ["economy", "trade"], "bob": ["trade"]}
    assert (genre.status, genre.open, genre.gold) == ("differ", True, [])
    apply(project, SetDocLabel(doc, "bob", "topic", "economy", "set"))
    assert doc_label_units(project, doc)[0].status == "agreed"
    apply(project, SetDocLabel(doc, "carol", "genre", "report", "set"))
    units = {u.category: u for u in doc_label_units(project, doc)}
    assert units["topic"].status == "partial"  # carol set no topic
    assert [u.status for u in doc_label_units(project, doc, ["alice"])] == ["single", "single"]


def test_accepting_one_annotators_choice_into_gold(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    cmd = AcceptDocLabels(doc, "rita", "genre", "bob")
    changes = apply(project, cmd)
    assert changes.doc_labels and changes.status == DocStatus.IN_REVIEW
    assert project.doc_labels(doc, GOLD) == {"genre": ["analysis"]}
    assert {r.source for r in project.doc_label_rows([doc], [GOLD])} == {"review"}
    (decision,) = project.review_decisions(doc)
    assert (decision["reviewer"], decision["action"]) == ("rita", "accept_doc_labels")
    assert decision["detail"] == {"category": "genre", "annotator": "bob", "labels": ["analysis"]}
    units = {u.category: u for u in doc_label_units(project, doc)}
    assert units["genre"].gold == ["analysis"] and units["genre"].accepted_from == ["bob"] and not units["genre"].open
    # another annotator's replaces it (single-choice), the whole set for multi-choice
    apply(project, AcceptDocLabels(doc, "rita", "genre", "alice"))
    apply(project, AcceptDocLabels(doc, "rita", "topic", "alice"))
    assert project.doc_labels(doc, GOLD, project.schema) == {"topic": ["economy", "trade"], "genre": ["report"]}
    reject = AcceptDocLabels(doc, "rita", "topic", None)
    apply(project, reject)
    assert project.doc_labels(doc, GOLD) == {"genre": ["report"]}
    assert project.review_decisions(doc)[-1]["action"] == "reject_doc_labels"
    revert(project, reject)
    assert project.doc_labels(doc, GOLD, project.schema)["topic"] == ["economy", "trade"]
    assert len(project.review_decisions(doc)) == 3
    with pytest.raises(CommandError, match="carol set no genre"):
        apply(project, AcceptDocLabels(doc, "rita", "genre", "carol"))
    with pytest.raises(CommandError, match="reviewer's name"):
        AcceptDocLabels(doc, GOLD, "genre", "bob")


def test_undo_takes_the_decision_and_the_status_back(project: Project) -> None:
    doc = project.doc  # type: ignore[attr-defined]
    before = project.document_status(doc)
    cmd = AcceptDocLabels(doc, "rita", "genre", "alice")
    apply(project, cmd)
    revert(project, cmd)
    assert project.doc_labels(doc, GOLD) == {} and project.review_decisions(doc) == []
    assert project.document_status(doc) == before
