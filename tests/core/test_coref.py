"""Coreference (issue 15): clusters, the registry, actor references; every
command undoable; the migration keeps old projects intact."""

import shutil
from pathlib import Path

import pytest

from annotator.core.commands import CommandError, DeleteAnnotations, UpdateAnnotation, apply, revert
from annotator.core.coref import Cluster, RegistryEntry, cluster_ref, entry_ref, parse_actor_ref
from annotator.core.coref_commands import (
    AddRegistryEntry,
    AttachMentions,
    DeleteCluster,
    DeleteRegistryEntry,
    DetachMentions,
    MergeClusters,
    NewCluster,
    SplitMentions,
    UpdateCluster,
    UpdateRegistryEntry,
)
from annotator.core.migrations import MIGRATION_STEPS, m013_coref, m015_coref_span_lists
from annotator.core.models import Document, claim, entity, event
from annotator.core.schema import SchemaError, default_schema, parse_schema
from annotator.core.store import ConflictError, Project
from annotator.core.store_coref import span_key

TEXT = "Randhir Jaiswal said China would reply. He added that Beijing and Jaiswal's ministry agree."
FIXTURE = Path(__file__).parent.parent / "reliability" / "fixtures" / "v1.annotator"


def span(piece: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(piece, i + 1)
    return i, i + len(piece)


def coref_schema():
    data = default_schema().to_dict()
    data["mentions"] = [{"name": "PRON", "key": "9"}, {"name": "NOM"}]
    return parse_schema(data, "test")


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True, schema=coref_schema()) as p:
        doc = Document(text=TEXT)
        a = {
            "jaiswal": entity(doc.id, *span("Randhir Jaiswal"), "PERSON", "alice"),
            "china": entity(doc.id, *span("China"), "GPE", "alice"),
            "he": entity(doc.id, *span("He"), "PRON", "alice"),
            "beijing": entity(doc.id, *span("Beijing"), "GPE", "alice"),
            "jaiswal2": entity(doc.id, *span("Jaiswal", 1), "PERSON", "alice"),
            "bob_china": entity(doc.id, *span("China"), "GPE", "bob"),
        }
        a["claim"] = claim(doc.id, *span("China would reply"), "alice", claimant_ref=a["jaiswal"].id)
        p.insert_documents([(doc, list(a.values()))])
        p.doc = doc.id
        p.a = {k: v.id for k, v in a.items()}
        yield p


def snapshot(p: Project):
    return (
        sorted((c.id, c.members, c.name, c.type, c.entry_id) for c in p.clusters(p.doc)),
        {a.id: a.model_dump(exclude={"updated"}) for a in p.annotations(p.doc)},
        [e.to_dict() | {"updated": None} for e in p.registry_entries()],
    )


def test_actor_refs_are_prefixed_and_old_ids_stay_plain():
    assert parse_actor_ref("cluster:abc") == ("cluster", "abc")
    assert parse_actor_ref("entry:e1") == ("entry", "e1")
    assert parse_actor_ref("abc") is None and parse_actor_ref(None) is None and parse_actor_ref("cluster:") is None
    c = claim("d", 0, 3, "alice", claimant_ref="cluster:k1")
    assert c.referenced_ids() == set() and c.actor_refs() == {"cluster:k1"}
    ev = event("d", 0, 3, "MEET", "alice", arguments=[("Agent", "a1"), ("Place", "entry:e9")])
    assert ev.referenced_ids() == {"a1"} and ev.actor_refs() == {"entry:e9"}


def test_schema_mentions_are_entity_labels_but_not_named_entities():
    s = coref_schema()
    assert "PRON" in s.labels("entity") and s.is_mention_label("PRON") and not s.is_mention_label("PERSON")
    assert "PRON" not in s.named_entity_labels()
    assert s.shortcuts()["9"] == ("entity", "PRON")
    data = default_schema().to_dict()
    data["mentions"] = [{"name": "PERSON"}]
    with pytest.raises(SchemaError, match=r"mentions\[0\]: 'PERSON' is an entity label already"):
        parse_schema(data, "x.toml")
    data["mentions"] = [{"name": "PRON", "key": "p"}]
    with pytest.raises(SchemaError, match="shortcut 'p' is used by both"):
        parse_schema(data, "x.toml")


def test_new_attach_detach_undo_redo(project):
    a, doc = project.a, project.doc
    before = snapshot(project)
    new = NewCluster(doc, "alice", [a["jaiswal"]], name="Randhir Jaiswal", type="PERSON")
    ch = apply(project, new)
    assert ch.clusters == {new.cluster_id}
    cl = project.get_cluster(new.cluster_id)
    assert cl is not None and cl.members == (a["jaiswal"],) and cl.name == "Randhir Jaiswal" and cl.annotator == "alice"
    attach = AttachMentions(doc, "alice", new.cluster_id, [a["he"], a["jaiswal2"]])
    apply(project, attach)
    assert project.get_cluster(new.cluster_id).members == (a["jaiswal"], a["he"], a["jaiswal2"])
    assert project.cluster_of(a["he"]).id == new.cluster_id
    detach = DetachMentions(doc, "alice", [a["he"]])
    apply(project, detach)
    assert project.get_cluster(new.cluster_id).members == (a["jaiswal"], a["jaiswal2"]) and project.cluster_of(a["he"]) is None
    revert(project, detach)
    revert(project, attach)
    assert project.get_cluster(new.cluster_id).members == (a["jaiswal"],)
    revert(project, new)
    assert snapshot(project) == before
    apply(project, new)  # redo
    assert project.get_cluster(new.cluster_id).members == (a["jaiswal"],)


def test_a_mention_is_in_one_cluster_and_moving_it_empties_the_old(project):
    a, doc = project.a, project.doc
    first = NewCluster(doc, "alice", [a["china"]])
    apply(project, first)
    second = NewCluster(doc, "alice", [a["beijing"]])
    apply(project, second)
    move = AttachMentions(doc, "alice", second.cluster_id, [a["china"]])
    ch = apply(project, move)
    assert ch.clusters == {first.cluster_id, second.cluster_id}
    assert project.get_cluster(first.cluster_id) is None  # emptied: gone
    assert project.get_cluster(second.cluster_id).members == (a["beijing"], a["china"])
    revert(project, move)
    assert project.get_cluster(first.cluster_id).members == (a["china"],)
    with pytest.raises(CommandError, match="in this cluster already"):
        apply(project, AttachMentions(doc, "alice", second.cluster_id, [a["beijing"]]))


def test_refused_mentions(project):
    a, doc = project.a, project.doc
    with pytest.raises(CommandError, match="bob's"):
        apply(project, NewCluster(doc, "alice", [a["bob_china"]]))
    with pytest.raises(CommandError, match="a claim cannot be a mention"):
        apply(project, NewCluster(doc, "alice", [a["claim"]]))
    with pytest.raises(CommandError, match="does not exist"):
        apply(project, NewCluster(doc, "alice", ["nope"]))
    with pytest.raises(CommandError, match="no mention"):
        apply(project, NewCluster(doc, "alice", []))
    with pytest.raises(CommandError, match="in no cluster"):
        apply(project, DetachMentions(doc, "alice", [a["he"]]))
    assert project.clusters(doc) == []


def test_split_and_merge_rewrites_actor_refs(project):
    a, doc = project.a, project.doc
    big = NewCluster(doc, "alice", [a["china"], a["beijing"], a["jaiswal"]])
    apply(project, big)
    split = SplitMentions(doc, "alice", [a["jaiswal"]])
    apply(project, split)
    assert project.get_cluster(big.cluster_id).members == (a["china"], a["beijing"])
    assert project.get_cluster(split.cluster_id).members == (a["jaiswal"],)
    # the claim's claimant names the Jaiswal cluster
    apply(project, UpdateAnnotation(doc, "alice", a["claim"], claimant_ref=cluster_ref(split.cluster_id)))
    he = NewCluster(doc, "alice", [a["he"]], name="Jaiswal")
    apply(project, he)
    merge = MergeClusters(doc, "alice", he.cluster_id, [split.cluster_id])
    ch = apply(project, merge)
    assert a["claim"] in ch.updated
    assert project.get_annotation(a["claim"]).claimant_ref == cluster_ref(he.cluster_id)
    assert project.get_cluster(split.cluster_id) is None
    merged = project.get_cluster(he.cluster_id)
    assert merged.members == (a["he"], a["jaiswal"]) and merged.name == "Jaiswal"
    revert(project, merge)
    assert project.get_annotation(a["claim"]).claimant_ref == cluster_ref(split.cluster_id)
    assert project.get_cluster(split.cluster_id).members == (a["jaiswal"],)


def test_actor_refs_are_checked(project):
    a, doc = project.a, project.doc
    with pytest.raises(CommandError, match="cluster nope, which is not in this document"):
        apply(project, UpdateAnnotation(doc, "alice", a["claim"], claimant_ref="cluster:nope"))
    with pytest.raises(CommandError, match="registry entry e0, which does not exist"):
        apply(project, UpdateAnnotation(doc, "alice", a["claim"], claimant_ref="entry:e0"))
    bob = NewCluster(doc, "bob", [a["bob_china"]])
    apply(project, bob)
    with pytest.raises(CommandError, match="bob's cluster"):
        apply(project, UpdateAnnotation(doc, "alice", a["claim"], claimant_ref=cluster_ref(bob.cluster_id)))


def test_deleting_a_mention_leaves_its_cluster_and_undo_restores(project):
    a, doc = project.a, project.doc
    jai = NewCluster(doc, "alice", [a["jaiswal"], a["he"]])
    apply(project, jai)
    lone = NewCluster(doc, "alice", [a["china"]])
    apply(project, lone)
    apply(project, UpdateAnnotation(doc, "alice", a["claim"], claimant_ref=cluster_ref(lone.cluster_id)))
    before = snapshot(project)
    delete = DeleteAnnotations(doc, "alice", [a["he"], a["china"]])
    ch = apply(project, delete)
    assert ch.clusters == {jai.cluster_id, lone.cluster_id}
    assert project.get_cluster(jai.cluster_id).members == (a["jaiswal"],)
    assert project.get_cluster(lone.cluster_id) is None
    assert project.get_annotation(a["claim"]).claimant_ref is None  # its cluster is gone
    revert(project, delete)
    assert snapshot(project) == before


def test_editing_a_mention_keeps_its_cluster(project):
    a, doc = project.a, project.doc
    jai = NewCluster(doc, "alice", [a["jaiswal"]])
    apply(project, jai)
    apply(project, UpdateAnnotation(doc, "alice", a["jaiswal"], label="ORG"))
    assert project.cluster_of(a["jaiswal"]).id == jai.cluster_id


def test_update_and_delete_cluster(project):
    a, doc = project.a, project.doc
    c = NewCluster(doc, "alice", [a["china"]])
    apply(project, c)
    apply(project, UpdateAnnotation(doc, "alice", a["claim"], claimant_ref=cluster_ref(c.cluster_id)))
    rename = UpdateCluster(doc, "alice", c.cluster_id, name="  China ", type="GPE")
    apply(project, rename)
    assert (project.get_cluster(c.cluster_id).name, project.get_cluster(c.cluster_id).type) == ("China", "GPE")
    revert(project, rename)
    assert project.get_cluster(c.cluster_id).name is None
    delete = DeleteCluster(doc, "alice", c.cluster_id)
    apply(project, delete)
    assert project.clusters(doc) == [] and project.get_annotation(a["claim"]).claimant_ref is None
    assert project.get_annotation(a["china"]) is not None  # the mention stays
    revert(project, delete)
    assert project.get_annotation(a["claim"]).claimant_ref == cluster_ref(c.cluster_id)


def test_registry_entries_links_and_deletion(project):
    a, doc = project.a, project.doc
    entry = RegistryEntry(name="Randhir Jaiswal", type="PERSON", aliases=("Jaiswal", " Jaiswal ", "MEA spokesperson"))
    add = AddRegistryEntry("alice", entry, doc_id=doc)
    ch = apply(project, add)
    assert ch.registry == {entry.id}
    stored = project.get_registry_entry(entry.id)
    assert stored.aliases == ("Jaiswal", "MEA spokesperson")
    c = NewCluster(doc, "alice", [a["jaiswal"], a["he"]])
    apply(project, c)
    link = UpdateCluster(doc, "alice", c.cluster_id, entry_id=entry.id)
    assert link.text == "link cluster to the registry"
    apply(project, link)
    apply(project, UpdateAnnotation(doc, "alice", a["claim"], claimant_ref=entry_ref(entry.id)))
    assert project.registry_usage() == {entry.id: (1, 1, 2)}
    assert project.registry_documents(entry.id) == [(doc, "", 2)]
    edit = UpdateRegistryEntry("alice", entry.id, description="MEA spokesperson", aliases=["Jaiswal", "Shri Jaiswal"])
    apply(project, edit)
    assert project.get_registry_entry(entry.id).aliases == ("Jaiswal", "Shri Jaiswal")
    revert(project, edit)
    assert project.get_registry_entry(entry.id).description == ""
    before = snapshot(project)
    delete = DeleteRegistryEntry("alice", entry.id)
    apply(project, delete)
    assert project.get_registry_entry(entry.id) is None
    assert project.get_cluster(c.cluster_id).entry_id is None
    assert project.get_annotation(a["claim"]).claimant_ref is None
    revert(project, delete)
    assert snapshot(project) == before
    with pytest.raises(CommandError, match="does not exist"):
        apply(project, UpdateCluster(doc, "alice", c.cluster_id, entry_id="missing"))


def test_undo_refuses_when_a_cluster_changed_elsewhere(project):
    a, doc = project.a, project.doc
    c = NewCluster(doc, "alice", [a["china"]])
    apply(project, c)
    attach = AttachMentions(doc, "alice", c.cluster_id, [a["beijing"]])
    apply(project, attach)
    with project.transaction():  # another window renames it meanwhile
        project.put_cluster(project.get_cluster(c.cluster_id).with_(name="PRC"))
    with pytest.raises(ConflictError):
        revert(project, attach)
    assert project.get_cluster(c.cluster_id).members == (a["china"], a["beijing"])


def test_cluster_and_entry_dicts_round_trip_and_are_checked():
    cl = Cluster(doc_id="d", annotator="alice", members=("a", "b"), name="X", entry_id="e")
    assert Cluster.from_dict(cl.to_dict()) == cl
    with pytest.raises(ValueError, match="same mention twice"):
        Cluster.from_dict(cl.to_dict() | {"members": ["a", "a"]})
    e = RegistryEntry(name="China", aliases=("PRC",), links=({"kb": "wikidata", "id": "Q148"},))
    assert RegistryEntry.from_dict(e.to_dict()) == e
    with pytest.raises(ValueError, match="needs a 'name'"):
        RegistryEntry.from_dict({"name": " "})


def test_deleting_a_document_deletes_its_clusters(project):
    a, doc = project.a, project.doc
    apply(project, NewCluster(doc, "alice", [a["china"]]))
    with project.transaction():
        project.delete_documents([doc])
    assert project.clusters_by_document([doc]) == {}
    assert not project.has_clusters()


def test_migration_from_v1_keeps_everything_and_backs_up(tmp_path):
    import sqlite3

    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as raw:
        old = sorted(raw.execute('SELECT id, doc_id, label, start, "end" FROM annotations').fetchall())
    raw.close()
    with Project(path) as p:
        assert old and sorted((a.id, a.doc_id, a.label, a.start, a.end) for a in p.iter_all_annotations()) == old
        assert {"coref_clusters", "coref_members", "coref_registry"} <= set(p.db.table_names())
        assert m013_coref in MIGRATION_STEPS
        assert p.clusters(old[0][1]) == [] and p.registry_entries() == []
    assert path.with_name("old.annotator.v1.bak").exists()


def test_a_mention_deleted_behind_the_commands_back_leaves_agreement(project):
    a, doc = project.a, project.doc
    c = NewCluster(doc, "alice", [a["china"], a["beijing"]])
    apply(project, c)
    with project.transaction():  # not through DeleteAnnotations (e.g. another tool)
        project.delete_annotations([a["beijing"]])
    spans = [keys for _d, _w, keys in project.cluster_span_keys(["alice"])]
    assert spans == [span_key(*span("China"))]
    with project.transaction():  # back again: its span is found again
        project.put_annotations([entity(doc, *span("Beijing"), "GPE", "alice", id=a["beijing"])])
    assert len(next(iter(project.cluster_span_keys(["alice"])))[2].split(",")) == 2


def test_schema_warnings_accept_actor_references():
    from annotator.core.constraints import claim_warnings, event_warnings

    schema = coref_schema()
    c = claim("d", 0, 5, "alice", claimant_ref="cluster:k1")
    assert claim_warnings(c, {}, schema, TEXT) == []
    et = schema.events[0]
    role = et.roles[0].name
    ev = event("d", 0, 5, et.name, "alice", arguments=[(role, "entry:e1"), ("NoSuchRole", "cluster:k1")])
    warnings = event_warnings(ev, {}, schema, TEXT)
    assert not any(w.startswith(f"{role}:") for w in warnings)
    assert any(w.startswith("NoSuchRole: not a role of") for w in warnings)


def stored_spans(p: Project, cluster_id: str) -> str | None:
    return p.db.execute("SELECT spans FROM coref_clusters WHERE id = ?", [cluster_id]).fetchone()[0]


def test_migration_of_span_lists_from_v1_adds_the_column_and_backs_up(tmp_path):
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    with Project(path) as p:
        assert m015_coref_span_lists in MIGRATION_STEPS
        assert "spans" in {c.name for c in p.db["coref_clusters"].columns}
        assert "coref_members_spans_stale" in {t.name for t in p.db.triggers}
        doc = next(iter(p.iter_all_annotations()))
        assert p.clusters(doc.doc_id) == []
    assert path.with_name("old.annotator.v1.bak").exists()


def test_the_span_list_kept_with_a_cluster_follows_every_change_of_its_mentions(project):
    """coref_clusters.spans is written with the cluster, made unknown (NULL) when a
    mention's span changes, and the agreement's reader never sees a stale one."""
    a, doc = project.a, project.doc

    def keys() -> list[list[int]]:
        by_cluster = sorted(sorted(int(k) for k in keys.split(",")) for _d, _w, keys in project.cluster_span_keys(["alice"]))
        by_document = sorted(
            sorted(int(k) for k in c.split(","))
            for _d, _w, lists in project.document_span_lists(["alice"])
            for c in lists.split(";")
        )
        assert by_cluster == by_document  # the two readers agree
        return by_cluster

    c = NewCluster(doc, "alice", [a["china"], a["beijing"]])
    apply(project, c)
    china, beijing = span_key(*span("China")), span_key(*span("Beijing"))
    assert sorted(int(k) for k in stored_spans(project, c.cluster_id).split(",")) == sorted([int(china), int(beijing)])
    assert keys() == [sorted([int(china), int(beijing)])]
    # a mention's span changes: the stored list is no longer trusted, the reader counts it
    move = UpdateAnnotation(doc, "alice", a["beijing"], start=span("Beijing")[0] + 1)
    apply(project, move)
    assert stored_spans(project, c.cluster_id) is None
    moved = span_key(span("Beijing")[0] + 1, span("Beijing")[1])
    assert keys() == [sorted([int(china), int(moved)])]
    # the next write of the cluster stores it again
    apply(project, AttachMentions(doc, "alice", c.cluster_id, [a["he"]]))
    assert stored_spans(project, c.cluster_id) is not None
    assert keys() == [sorted([int(china), int(moved), int(span_key(*span("He")))])]
    revert(project, move)  # undo rewrites the annotation: unknown again, still right
    assert keys() == [sorted([int(china), int(beijing), int(span_key(*span("He")))])]
    # every mention gone behind the commands' back: the cluster has nothing to count
    with project.transaction():
        project.delete_annotations([a["china"], a["beijing"], a["he"]])
    assert keys() == []
