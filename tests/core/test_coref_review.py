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


# -- moving single mentions in and out of gold clusters, registry links ----------------------
def test_adding_an_annotators_mention_copies_it_into_gold_and_undo_takes_it_back(project):
    from annotator.core.review_coref import AddToGoldCluster

    p, a = project, project.anns
    alice = NewCluster(p.doc, "alice", [a["a_jaiswal"].id, a["a_he"].id])
    apply(p, alice)
    apply(p, AcceptCluster(p.doc, "rita", alice.cluster_id))
    [gold] = p.clusters(p.doc, GOLD)
    # alice's second "Jaiswal" is in no cluster of hers: gold has no annotation of that span yet
    command = AddToGoldCluster(p.doc, "rita", a["a_jaiswal2"].id, gold.id)
    changes = apply(p, command)
    assert command.text == "add alice's mention to gold cluster"
    assert gold_clusters(p) == [([span("Randhir Jaiswal"), span("He"), span("Jaiswal", 1)], None)]
    assert len(p.annotations(p.doc, GOLD)) == 3 and gold.id in changes.clusters and len(changes.added) == 1
    decision = p.review_decisions(p.doc)[-1]
    assert decision["action"] == "add_to_gold_cluster" and decision["source_ids"] == [a["a_jaiswal2"].id]
    revert(p, command)
    assert gold_clusters(p) == [([span("Randhir Jaiswal"), span("He")], None)]
    assert len(p.annotations(p.doc, GOLD)) == 2 and len(p.review_decisions(p.doc)) == 1
    apply(p, command)  # redo
    assert len(p.get_cluster(gold.id).members) == 3


def test_adding_a_mention_reuses_the_gold_span_and_moves_it_between_gold_clusters(project):
    from annotator.core.review_coref import AddToGoldCluster

    p, a = project, project.anns
    alice = NewCluster(p.doc, "alice", [a["a_jaiswal"].id, a["a_he"].id])
    bob = NewCluster(p.doc, "bob", [a["b_china"].id])
    apply(p, alice)
    apply(p, bob)
    apply(p, AcceptCluster(p.doc, "rita", alice.cluster_id))
    apply(p, AcceptCluster(p.doc, "rita", bob.cluster_id))
    jaiswal, china = sorted(p.clusters(p.doc, GOLD), key=lambda c: len(c.members), reverse=True)
    # bob's "He" has the span of gold's "He": no new gold annotation, "He" moves to China's
    command = AddToGoldCluster(p.doc, "rita", a["b_he"].id, china.id)
    apply(p, command)
    assert len(p.annotations(p.doc, GOLD)) == 3
    assert gold_clusters(p) == [([span("Randhir Jaiswal")], None), ([span("China"), span("He")], None)]
    with pytest.raises(CommandError, match="has this mention already"):
        apply(p, AddToGoldCluster(p.doc, "rita", a["a_he"].id, china.id))
    revert(p, command)
    assert gold_clusters(p) == [([span("Randhir Jaiswal"), span("He")], None), ([span("China")], None)]


def test_moving_the_last_mention_deletes_the_cluster_and_clears_claimants_naming_it(project):
    from annotator.core.commands import AddAnnotations
    from annotator.core.coref import cluster_ref
    from annotator.core.models import claim
    from annotator.core.review_coref import AddToGoldCluster

    p, a = project, project.anns
    bob = NewCluster(p.doc, "bob", [a["b_china"].id])
    alice = NewCluster(p.doc, "alice", [a["a_jaiswal"].id])
    apply(p, bob)
    apply(p, alice)
    apply(p, AcceptCluster(p.doc, "rita", bob.cluster_id))
    apply(p, AcceptCluster(p.doc, "rita", alice.cluster_id))
    china = next(
        c for c in p.clusters(p.doc, GOLD) if len(c.members) == 1 and p.get_annotation(c.members[0]).span == span("China")
    )
    jaiswal = next(c for c in p.clusters(p.doc, GOLD) if c.id != china.id)
    said = claim(p.doc, *span("China would reply"), GOLD, claimant_ref=cluster_ref(china.id))
    apply(p, AddAnnotations(p.doc, GOLD, [said]))
    command = AddToGoldCluster(p.doc, "rita", china.members[0], jaiswal.id)
    apply(p, command)
    assert p.get_cluster(china.id) is None
    assert p.get_annotation(said.id).claimant_ref is None
    revert(p, command)
    assert p.get_cluster(china.id) is not None
    assert p.get_annotation(said.id).claimant_ref == cluster_ref(china.id)


def test_a_mention_can_start_a_new_gold_cluster(project):
    from annotator.core.review_coref import AddToGoldCluster

    p, a = project, project.anns
    command = AddToGoldCluster(p.doc, "rita", a["b_china"].id, None)
    apply(p, command)
    assert command.text == "new gold cluster from bob's mention"
    assert gold_clusters(p) == [([span("China")], None)]
    assert p.get_cluster(command.new_cluster_id).annotator == GOLD
    revert(p, command)
    assert gold_clusters(p) == [] and p.annotations(p.doc, GOLD) == []


def test_removing_a_gold_mention_keeps_the_annotation_and_undo_restores_the_cluster(project):
    from annotator.core.review_coref import RemoveFromGoldCluster

    p, a = project, project.anns
    alice = NewCluster(p.doc, "alice", [a["a_jaiswal"].id, a["a_he"].id])
    apply(p, alice)
    apply(p, AcceptCluster(p.doc, "rita", alice.cluster_id))
    [gold] = p.clusters(p.doc, GOLD)
    he = next(m for m in gold.members if p.get_annotation(m).span == span("He"))
    command = RemoveFromGoldCluster(p.doc, "rita", [he])
    apply(p, command)
    assert gold_clusters(p) == [([span("Randhir Jaiswal")], None)]
    assert p.get_annotation(he) is not None  # the gold annotation stays
    assert p.review_decisions(p.doc)[-1]["action"] == "remove_from_gold_cluster"
    with pytest.raises(CommandError, match="in no gold cluster"):
        apply(p, RemoveFromGoldCluster(p.doc, "rita", [he]))
    with pytest.raises(CommandError, match="only a gold mention"):
        apply(p, RemoveFromGoldCluster(p.doc, "rita", [a["a_jaiswal"].id]))
    # the last mention: the cluster goes
    last = RemoveFromGoldCluster(p.doc, "rita", [gold.members[0]])
    apply(p, last)
    assert p.clusters(p.doc, GOLD) == []
    revert(p, last)
    revert(p, command)
    assert gold_clusters(p) == [([span("Randhir Jaiswal"), span("He")], None)]
    assert p.get_cluster(gold.id).members == gold.members


def test_linking_a_gold_cluster_to_the_registry_and_unlinking(project):
    from annotator.core.coref import RegistryEntry
    from annotator.core.coref_commands import AddRegistryEntry
    from annotator.core.review_coref import LinkGoldCluster

    p, a = project, project.anns
    alice = NewCluster(p.doc, "alice", [a["a_jaiswal"].id])
    apply(p, alice)
    apply(p, AcceptCluster(p.doc, "rita", alice.cluster_id))
    [gold] = p.clusters(p.doc, GOLD)
    entry = RegistryEntry(name="Randhir Jaiswal")
    apply(p, AddRegistryEntry("rita", entry))
    link = LinkGoldCluster(p.doc, "rita", gold.id, entry.id)
    apply(p, link)
    assert p.get_cluster(gold.id).entry_id == entry.id
    with pytest.raises(CommandError, match="linked to that entry already"):
        apply(p, LinkGoldCluster(p.doc, "rita", gold.id, entry.id))
    unlink = LinkGoldCluster(p.doc, "rita", gold.id, None)
    apply(p, unlink)
    assert p.get_cluster(gold.id).entry_id is None
    revert(p, unlink)
    assert p.get_cluster(gold.id).entry_id == entry.id
    revert(p, link)
    assert p.get_cluster(gold.id).entry_id is None
    with pytest.raises(CommandError, match="not in the gold layer"):
        apply(p, LinkGoldCluster(p.doc, "rita", alice.cluster_id, entry.id))
    with pytest.raises(CommandError, match="does not exist"):
        apply(p, LinkGoldCluster(p.doc, "rita", gold.id, "nope"))


def test_the_gold_export_in_the_clusters_format_shows_the_curated_clusters(project, tmp_path):
    import json

    from annotator.core.review_coref import AddToGoldCluster, RemoveFromGoldCluster
    from annotator.formats.writing import ExportOptions
    from annotator.services.exporting import export

    p, a = project, project.anns
    alice = NewCluster(p.doc, "alice", [a["a_jaiswal"].id, a["a_he"].id])
    apply(p, alice)
    apply(p, AcceptCluster(p.doc, "rita", alice.cluster_id))
    [gold] = p.clusters(p.doc, GOLD)
    apply(p, AddToGoldCluster(p.doc, "rita", a["a_jaiswal2"].id, gold.id))
    he = next(m for m in gold.members if p.get_annotation(m).span == span("He"))
    apply(p, RemoveFromGoldCluster(p.doc, "rita", [he]))
    apply(p, AddToGoldCluster(p.doc, "rita", a["b_china"].id, None))
    export(p, ExportOptions("clusters", out=tmp_path / "gold.jsonl", gold=True))
    [doc] = [json.loads(x) for x in (tmp_path / "gold.jsonl").read_text("utf-8").splitlines()]
    assert sorted(doc["clusters"]) == sorted([[list(span("Randhir Jaiswal")), list(span("Jaiswal", 1))], [list(span("China"))]])
