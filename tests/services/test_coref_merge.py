"""Merging colleagues' projects and native exports keeps their coreference
clusters and registry entries (issue 15), so agreement can compare them."""

from __future__ import annotations

from annotator.core.agreement import agreement
from annotator.core.commands import apply
from annotator.core.coref import RegistryEntry
from annotator.core.coref_commands import AddRegistryEntry, AttachMentions, NewCluster, UpdateCluster
from annotator.core.models import Document, entity
from annotator.core.store import Project
from annotator.formats.writing import ExportOptions
from annotator.services.exporting import export
from annotator.services.merging import merge_paths

TEXT = "Randhir Jaiswal said China would reply. He added that Beijing agrees."
DOC = Document(id="d1", text=TEXT, created="2026-12-01T00:00:00.000+00:00", updated="2026-12-01T00:00:00.000+00:00")


def at(piece: str) -> tuple[int, int]:
    i = TEXT.index(piece)
    return i, i + len(piece)


def colleague(path, who: str, groups: list[list[str]]) -> Project:
    p = Project(path, create=True)
    anns = {w: entity(DOC.id, *at(w), "PERSON", who, id=f"{who}-{w}") for w in ("Randhir Jaiswal", "China", "He", "Beijing")}
    p.insert_documents([(DOC, list(anns.values()))])
    for g in groups:
        apply(p, NewCluster(DOC.id, who, [anns[w].id for w in g], cluster_id=f"{who}-{g[0]}"))
    return p


def test_projects_merge_with_their_clusters_and_registry(tmp_path):
    alice = colleague(tmp_path / "alice.annotator", "alice", [["Randhir Jaiswal", "He"], ["China", "Beijing"]])
    entry = RegistryEntry(name="China", type="GPE", id="e-china")
    apply(alice, AddRegistryEntry("alice", entry))
    apply(alice, UpdateCluster(DOC.id, "alice", "alice-China", entry_id="e-china"))
    bob = colleague(tmp_path / "bob.annotator", "bob", [["Randhir Jaiswal"], ["China", "Beijing", "He"]])
    alice.close()
    bob.close()
    reports = merge_paths(tmp_path / "review.annotator", [tmp_path / "alice.annotator", tmp_path / "bob.annotator"])
    assert [r.clusters_merged for r in reports] == [2, 2] and reports[0].registry_added == 1
    assert "2 coreference clusters merged" in reports[0].summary()
    with Project(tmp_path / "review.annotator") as review:
        assert {c.id for c in review.clusters(DOC.id)} == {
            "alice-Randhir Jaiswal",
            "alice-China",
            "bob-Randhir Jaiswal",
            "bob-China",
        }
        assert review.get_cluster("alice-China").entry_id == "e-china" and review.get_registry_entry("e-china").name == "China"
        pair = agreement(review, ["alice", "bob"])["pairs"][0]
        # key {J, He} {China, Beijing}; response {J} {China, Beijing, He}: MUC recall 1/2, precision 1/2
        assert pair["coref_muc"]["recall"] == 0.5 and pair["coref_muc"]["precision"] == 0.5
    # merging again changes nothing; a newer version of a cluster replaces the older
    with Project(tmp_path / "bob.annotator") as bob:
        apply(bob, AttachMentions(DOC.id, "bob", "bob-Randhir Jaiswal", ["bob-He"]))
    (again,) = merge_paths(tmp_path / "review.annotator", [tmp_path / "bob.annotator"])
    assert again.clusters_merged == 2  # both of bob's clusters changed
    with Project(tmp_path / "review.annotator") as review:
        assert review.get_cluster("bob-Randhir Jaiswal").members == ("bob-Randhir Jaiswal", "bob-He")
        assert review.get_cluster("bob-China").members == ("bob-China", "bob-Beijing")


def test_a_native_export_merges_with_its_clusters(tmp_path):
    alice = colleague(tmp_path / "alice.annotator", "alice", [["Randhir Jaiswal", "He"]])
    export(alice, ExportOptions("native", out=tmp_path / "alice.jsonl"))
    alice.close()
    (report,) = merge_paths(tmp_path / "review.annotator", [tmp_path / "alice.jsonl"])
    assert report.clusters_merged == 1
    with Project(tmp_path / "review.annotator") as review:
        assert review.get_cluster("alice-Randhir Jaiswal").members == ("alice-Randhir Jaiswal", "alice-He")
