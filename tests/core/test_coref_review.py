"""Accepting an annotator's coreference cluster into gold (issue 15, review)."""

from __future__ import annotations

import pytest

from annotator.core.commands import CommandError, apply, revert
from annotator.core.coref_commands import NewCluster
from annotator.core.models import GOLD, Document, entity
from annotator.core.review import AcceptCluster
from annotator.core.store import Project

TEXT = "Randhir Jaiswal said China would reply. He added that Beijing and Jaiswal agree."


def span(piece: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(piece, i + 1)
    return i, i + len(piece)


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        doc = Document(text=TEXT)
        anns = {
            "a_jaiswal": entity(doc.id, *span("Randhir Jaiswal"), "PERSON", "alice"),
            "a_he": entity(doc.id, *span("He"), "PERSON", "alice"),
            "a_jaiswal2": entity(doc.id, *span("Jaiswal", 1), "PERSON", "alice"),
            "b_jaiswal": entity(doc.id, *span("Randhir Jaiswal"), "PERSON", "bob"),
            "b_he": entity(doc.id, *span("He"), "PERSON", "bob"),
            "b_china": entity(doc.id, *span("China"), "GPE", "bob"),
        }
        p.insert_documents([(doc, list(anns.values()))])
        p.doc, p.anns = doc.id, anns
        yield p


def gold_clusters(p: Project) -> list[tuple[list[tuple[int, int]], str | None]]:
    out = []
    for c in p.clusters(p.doc, GOLD):
        spans = sorted(p.get_annotation(m).span for m in c.members)
        out.append((spans, c.name))
    return sorted(out)


def test_accepting_a_cluster_copies_its_mentions_and_undo_takes_all_back(project):
    p, a = project, project.anns
    alice = NewCluster(p.doc, "alice", [a["a_jaiswal"].id, a["a_he"].id, a["a_jaiswal2"].id], name="Randhir Jaiswal")
    apply(p, alice)
    command = AcceptCluster(p.doc, "rita", alice.cluster_id)
    changes = apply(p, command)
    assert command.text == "accept alice's cluster"
    assert gold_clusters(p) == [([span("Randhir Jaiswal"), span("He"), span("Jaiswal", 1)], "Randhir Jaiswal")]
    assert len(p.annotations(p.doc, GOLD)) == 3 and changes.clusters
    [decision] = p.review_decisions(p.doc)
    assert decision["action"] == "accept_cluster" and decision["reviewer"] == "rita"
    revert(p, command)
    assert gold_clusters(p) == [] and p.annotations(p.doc, GOLD) == []
    apply(p, command)  # redo
    assert len(gold_clusters(p)) == 1


def test_accepting_another_annotators_cluster_replaces_the_gold_one(project):
    p, a = project, project.anns
    alice = NewCluster(p.doc, "alice", [a["a_jaiswal"].id, a["a_he"].id, a["a_jaiswal2"].id])
    bob = NewCluster(p.doc, "bob", [a["b_jaiswal"].id, a["b_he"].id, a["b_china"].id], name="bob's")
    apply(p, alice)
    apply(p, bob)
    apply(p, AcceptCluster(p.doc, "rita", alice.cluster_id))
    [first] = p.clusters(p.doc, GOLD)
    apply(p, AcceptCluster(p.doc, "rita", bob.cluster_id))
    # the gold cluster keeps its id, now holds bob's mentions (the gold "Jaiswal" left it)
    [after] = p.clusters(p.doc, GOLD)
    assert after.id == first.id
    assert gold_clusters(p) == [([span("Randhir Jaiswal"), span("China"), span("He")], "bob's")]
    with pytest.raises(CommandError, match="has this cluster already"):
        apply(p, AcceptCluster(p.doc, "rita", bob.cluster_id))
    with pytest.raises(CommandError, match="gold layer already"):
        apply(p, AcceptCluster(p.doc, "rita", after.id))
