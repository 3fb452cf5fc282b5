"""Knowledge-base links in agreement, review and merge (issue 14); values computed by hand."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.agreement.report import agreement, format_report
from annotator.core.commands import AddAnnotations, LinkEntity, apply
from annotator.core.models import GOLD, Document, Link, entity
from annotator.core.review import AcceptAnnotation, document_units
from annotator.core.store import Project
from annotator.services.merging import merge_paths

TEXT = "China and India met in Beijing. Taiwan was absent. Jaiswal spoke."
PARIS = "Paris is nice."


def at(text: str, needle: str) -> tuple[int, int]:
    i = text.index(needle)
    return i, i + len(needle)


def links(*pairs: str) -> list[Link]:
    return [Link(resource=p.split(":")[0], id=p.split(":")[1], name="") for p in pairs]


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "p.annotator", create=True)
    alice = [
        entity("d1", *at(TEXT, "China"), "GPE", "alice", id="a1", links=links("wd:Q148")),
        entity("d1", *at(TEXT, "India"), "GPE", "alice", id="a2", links=links("wd:Q668")),
        entity("d1", *at(TEXT, "Beijing"), "GPE", "alice", id="a3", links=links("wd:Q956", "geo:1816670")),
        entity("d1", *at(TEXT, "Taiwan"), "GPE", "alice", id="a4"),
        entity("d1", *at(TEXT, "Jaiswal"), "PERSON", "alice", id="a5", links=links("wd:Q7292")),
        entity("d2", *at(PARIS, "Paris"), "GPE", "alice", id="a6", links=links("wd:Q90")),
    ]
    bob = [
        entity("d1", *at(TEXT, "China"), "GPE", "bob", id="b1", links=links("wd:Q148")),  # agree
        entity("d1", *at(TEXT, "India"), "GPE", "bob", id="b2", links=links("wd:Q999")),  # other entry
        entity("d1", *at(TEXT, "Beijing"), "GPE", "bob", id="b3", links=links("wd:Q956")),  # one of two
        entity("d1", *at(TEXT, "Taiwan"), "GPE", "bob", id="b4"),  # neither linked: not counted
        entity("d1", *at(TEXT, "Jaiswal"), "ORG", "bob", id="b5", links=links("wd:Q7292")),  # not matched (label)
        entity("d2", *at(PARIS, "Paris"), "GPE", "bob", id="b6"),  # linked by alice only
    ]
    p.insert_documents([(Document(id="d1", text=TEXT), alice[:5] + bob[:5]), (Document(id="d2", text=PARIS), [alice[5], bob[5]])])
    yield p
    p.close()


def test_agreement_on_links_by_hand(project):
    # matched exactly (span and label): China, India, Beijing, Taiwan, Paris = 5 pairs;
    # with a link on at least one side: China, India, Beijing, Paris = 4; equal sets: China = 1
    [pair] = agreement(project)["pairs"]
    assert pair["entities"]["exact"]["matched"] == 5
    assert pair["kb_links"] == {"agreement": 0.25, "agree": 1, "pairs": 4, "unlinked_both": 1}
    assert "kb links  0.250 of 4 matched entities with a link agree" in format_report(agreement(project))


def test_agreement_json_from_the_command_line(project):
    result = CliRunner().invoke(main, ["agreement", str(project.path), "--json"])
    assert result.exit_code == 0, result.output
    [pair] = json.loads(result.output)["pairs"]
    assert pair["kb_links"]["agreement"] == 0.25 and pair["kb_links"]["pairs"] == 4


def test_no_links_no_pairs(tmp_path):
    with Project(tmp_path / "q.annotator", create=True) as p:
        p.insert_documents([(Document(id="d", text=TEXT), [entity("d", 0, 5, "GPE", "alice"), entity("d", 0, 5, "GPE", "bob")])])
        [pair] = agreement(p)["pairs"]
        assert pair["kb_links"] == {"agreement": None, "agree": 0, "pairs": 0, "unlinked_both": 1}


def test_review_shows_link_differences_and_accept_copies_the_links(project):
    units = {u.key: u for u in document_units(project, "d1")}
    by_ann = {i: u for u in units.values() for i in u.ids}
    assert by_ann["a1"].status == "agreed"  # same span, label and link
    assert by_ann["a2"].status == "content"  # same span and label, another entry
    assert by_ann["a3"].status == "content"
    assert by_ann["a4"].status == "agreed"
    apply(project, AcceptAnnotation("d1", "rev", "a3"))
    [g] = project.annotations("d1", GOLD)
    assert [(x.resource, x.id) for x in g.links] == [("wd", "Q956"), ("geo", "1816670")]
    apply(project, AcceptAnnotation("d1", "rev", "b3"))  # bob's version replaces it, with bob's link
    [g] = project.annotations("d1", GOLD)
    assert [(x.resource, x.id) for x in g.links] == [("wd", "Q956")]


def test_merge_carries_links(tmp_path):
    review = tmp_path / "review.annotator"
    alice = Project(tmp_path / "alice.annotator", create=True)
    alice.insert_documents([(Document(id="d1", text=TEXT), [])])
    china = entity("d1", *at(TEXT, "China"), "GPE", "alice")
    apply(alice, AddAnnotations("d1", "alice", [china]))
    apply(alice, LinkEntity("d1", "alice", china.id, "Wikidata", "Q148", "China"))
    alice.close()
    merge_paths(review, [tmp_path / "alice.annotator"])
    with Project(review) as r:
        [a] = r.annotations(r.document_ids()[0])
        assert [(x.resource, x.id, x.name) for x in a.links] == [("Wikidata", "Q148", "China")]
    with Project(tmp_path / "alice.annotator") as alice2:  # a second link, made later: the merge updates it
        apply(alice2, LinkEntity("d1", "alice", china.id, "geonames", "1814991", "China"))
    merge_paths(review, [tmp_path / "alice.annotator"])
    with Project(review) as r:
        [a] = r.annotations(r.document_ids()[0])
        assert [x.key for x in a.links] == [("Wikidata", "Q148"), ("geonames", "1814991")]
