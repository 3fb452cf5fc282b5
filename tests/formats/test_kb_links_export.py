"""Knowledge-base links out and in (issue 14): native keeps them, brat writes N
lines its importer reads back, the spans export and the spaCy DocBin carry spaCy's
``kb_id`` (checked with spaCy itself)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.models import Document, Link, entity
from annotator.core.store import Project
from annotator.services.exporting import ExportOptions, export
from annotator.services.importing import import_paths

TEXT = "China granted licences to Indian firms, Randhir Jaiswal said on Thursday."
CHINA = [Link(resource="Wikidata", id="Q148", name="China"), Link(resource="geonames", id="1814991", name="China")]
JAISWAL = [Link(resource="Wikidata", id="Q7292", name="Randhir Jaiswal")]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = Project(tmp_path / "p.annotator", create=True)
    j = TEXT.index("Randhir")
    p.insert_documents(
        [
            (
                Document(id="d1", text=TEXT, external_id="d1"),
                [
                    entity("d1", 0, 5, "GPE", "alice", id="e1", links=CHINA),
                    entity("d1", 26, 32, "NORP", "alice", id="e2"),
                    entity("d1", j, j + len("Randhir Jaiswal"), "PERSON", "alice", id="e3", links=JAISWAL),
                ],
            )
        ]
    )
    yield p
    p.close()


def link_sets(p: Project) -> dict[str, list[tuple[str, str, str]]]:
    return {
        TEXT[a.start : a.end]: [(x.resource, x.id, x.name) for x in a.links]
        for a in p.iter_all_annotations()
        if a.kind == "entity"
    }


def test_native_round_trip(project, tmp_path):
    out = tmp_path / "n.jsonl"
    export(project, ExportOptions("native", out=out))
    [rec] = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    china = next(a for a in rec["annotations"] if a["id"] == "e1")
    assert list(china)[-1] == "links"
    assert china["links"] == [
        {"resource": "Wikidata", "id": "Q148", "name": "China"},
        {"resource": "geonames", "id": "1814991", "name": "China"},
    ]
    assert "links" not in next(a for a in rec["annotations"] if a["id"] == "e2")
    with Project(tmp_path / "q.annotator", create=True) as q:
        import_paths(q, [out], fmt="native")
        assert link_sets(q) == link_sets(project)
        assert link_sets(q)["China"][1] == ("geonames", "1814991", "China")


def test_brat_n_lines_out_and_back(project, tmp_path):
    out = tmp_path / "brat"
    export(project, ExportOptions("brat", out=out, annotator="alice"))
    [ann] = list(out.glob("*.ann"))
    lines = ann.read_text("utf-8").splitlines()
    tids = {line.split("\t")[2]: line.split("\t")[0] for line in lines if line.startswith("T")}
    norms = [line for line in lines if line.startswith("N")]
    assert norms == [
        f"N1\tReference {tids['China']} Wikidata:Q148\tChina",
        f"N2\tReference {tids['China']} geonames:1814991\tChina",
        f"N3\tReference {tids['Randhir Jaiswal']} Wikidata:Q7292\tRandhir Jaiswal",
    ]
    with Project(tmp_path / "q.annotator", create=True) as q:
        import_paths(q, [out], fmt="brat")
        assert link_sets(q) == link_sets(project)


def test_brat_reads_links_written_by_hand_once_each(tmp_path):
    folder = tmp_path / "hand"
    folder.mkdir()
    (folder / "a.txt").write_text("Beijing is big.", encoding="utf-8")
    (folder / "a.ann").write_text(
        "T1\tGPE 0 7\tBeijing\nN1\tReference T1 Wikidata:Q956\tBeijing\nN2\tReference T1 Wikidata:Q956\tBeijing\n"
        "N3\tReference T1 GeoNames:1816670\t\n",
        encoding="utf-8",
    )
    with Project(tmp_path / "q.annotator", create=True) as q:
        import_paths(q, [folder], fmt="brat", add_labels=True)
        [a] = list(q.iter_all_annotations())
        assert [(x.resource, x.id, x.name) for x in a.links] == [("Wikidata", "Q956", "Beijing"), ("GeoNames", "1816670", "")]
        assert a.attributes == {}


def test_spans_kb_id_loads_into_spacy(project, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import Doc, Span

    out = tmp_path / "s.jsonl"
    export(project, ExportOptions("spans", out=out, annotator="alice"))
    [rec] = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    by_text = {s["text"]: s for s in rec["spans"]}
    assert by_text["China"]["kb_id"] == "Q148"
    assert by_text["China"]["links"][1] == {"resource": "geonames", "id": "1814991", "name": "China"}
    assert "kb_id" not in by_text["Indian"] and "links" not in by_text["Indian"]
    nlp = spacy.blank("en")
    doc = Doc(nlp.vocab, words=[t["text"] for t in rec["tokens"]], spaces=[t["ws"] for t in rec["tokens"]])
    assert doc.text == rec["text"]
    doc.ents = [Span(doc, s["token_start"], s["token_end"] + 1, label=s["label"], kb_id=s.get("kb_id", "")) for s in rec["spans"]]
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [
        ("China", "GPE", "Q148"),
        ("Indian", "NORP", ""),
        ("Randhir Jaiswal", "PERSON", "Q7292"),
    ]


def test_docbin_ents_carry_kb_id(project, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "train.spacy"
    export(project, ExportOptions("spacy", out=out, annotator="alice"))
    nlp = spacy.blank("en")
    [doc] = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert [(e.text, e.kb_id_) for e in doc.ents] == [("China", "Q148"), ("Indian", ""), ("Randhir Jaiswal", "Q7292")]
    assert [s.kb_id_ for s in doc.spans["sc"]] == ["Q148", "", "Q7292"]
