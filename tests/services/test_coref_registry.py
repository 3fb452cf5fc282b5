"""Registry proposals (fuzzy matching of a cluster's mentions against names and
aliases) and the registry listing (issue 15)."""

import pytest

from annotator.core.commands import apply
from annotator.core.coref import RegistryEntry
from annotator.core.coref_commands import AddRegistryEntry, NewCluster, UpdateCluster
from annotator.core.models import Document, entity
from annotator.core.schema import default_schema, parse_schema
from annotator.core.store import Project
from annotator.services.coref import find_entries, propose_entries, propose_for_cluster, registry_listing

JAISWAL = RegistryEntry(name="Randhir Jaiswal", type="PERSON", aliases=("MEA spokesperson",))
CHINA = RegistryEntry(name="China", type="GPE", aliases=("Beijing", "People's Republic of China"))
MEA = RegistryEntry(name="Ministry of External Affairs", type="ORG", aliases=("MEA",))


def test_proposals_match_names_and_aliases_fuzzily():
    entries = [JAISWAL, CHINA, MEA]
    got = propose_entries(["Jaiswal"], entries)
    assert [p.entry.name for p in got][:1] == ["Randhir Jaiswal"] and got[0].matched_name == "Randhir Jaiswal"
    got = propose_entries(["Beijing"], entries)
    assert got[0].entry is CHINA and got[0].matched_name == "Beijing" and got[0].score == 100
    assert propose_entries(["Randhir Jaiswl"], entries)[0].entry is JAISWAL  # a typo
    assert propose_entries(["chinese"], entries, min_score=95) == []
    assert propose_entries(["he", "it"], entries) == []  # pronouns propose nothing
    assert propose_entries(["Jaiswal"], []) == []


def test_each_entry_once_best_first_and_limited():
    entries = [JAISWAL, CHINA, MEA]
    got = propose_entries(["China", "Beijing", "the Chinese government"], entries, limit=1)
    assert len(got) == 1 and got[0].entry is CHINA


@pytest.fixture
def project(tmp_path):
    data = default_schema().to_dict()
    data["mentions"] = [{"name": "PRON"}]
    text = "Randhir Jaiswal said on Thursday. He spoke for the MEA in Delhi."
    with Project(tmp_path / "p.annotator", create=True, schema=parse_schema(data)) as p:
        doc = Document(text=text)
        j = entity(doc.id, 0, 15, "PERSON", "alice")
        he = entity(doc.id, text.index("He"), text.index("He") + 2, "PRON", "alice")
        mea = entity(doc.id, text.index("MEA"), text.index("MEA") + 3, "ORG", "alice")
        p.insert_documents([(doc, [j, he, mea])])
        p.doc, p.ids = doc.id, (j.id, he.id, mea.id)
        yield p


def test_proposals_for_a_cluster_and_the_listing(project):
    for e in (JAISWAL, CHINA, MEA):
        apply(project, AddRegistryEntry("alice", e))
    j, he, mea = project.ids
    c = NewCluster(project.doc, "alice", [j, he])
    apply(project, c)
    got = propose_for_cluster(project, c.cluster_id)
    assert [p.entry.id for p in got] == [JAISWAL.id]
    assert got[0].mention == "Randhir Jaiswal"
    assert propose_for_cluster(project, "missing") == []
    apply(project, UpdateCluster(project.doc, "alice", c.cluster_id, entry_id=JAISWAL.id))
    m = NewCluster(project.doc, "alice", [mea])
    apply(project, m)
    apply(project, UpdateCluster(project.doc, "alice", m.cluster_id, entry_id=MEA.id))
    rows = {r.entry.name: (r.documents, r.clusters, r.mentions) for r in registry_listing(project)}
    assert rows == {"China": (0, 0, 0), "Ministry of External Affairs": (1, 1, 1), "Randhir Jaiswal": (1, 1, 2)}
    assert [r.entry.name for r in registry_listing(project)] == ["China", "Ministry of External Affairs", "Randhir Jaiswal"]
    assert find_entries(project, "beijing") == [project.get_registry_entry(CHINA.id)]
    assert find_entries(project, JAISWAL.id)[0].name == "Randhir Jaiswal"
    assert find_entries(project, "nobody") == []
