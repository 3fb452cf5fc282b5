"""Coreference out and in (issue 15): native, clusters JSONL, CoNLL-2012 and brat
``*<TAB>Coreference`` lines; round trips; bad files named by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.commands import UpdateAnnotation, apply
from annotator.core.coref import RegistryEntry, cluster_ref, entry_ref
from annotator.core.coref_commands import AddRegistryEntry, NewCluster
from annotator.core.models import Document, claim, entity
from annotator.core.schema import default_schema, parse_schema
from annotator.core.store import Project
from annotator.formats import InputError
from annotator.formats.coref import coref_brackets, iter_conll2012, parse_coref_column
from annotator.formats.writing import ExportOptions
from annotator.services.exporting import export
from annotator.services.importing import detect_format, import_paths

TEXT = "Randhir Jaiswal said China would reply. He added that Beijing agrees 😀 with Jaiswal."


def at(piece: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(piece, i + 1)
    return i, i + len(piece)


def schema():
    data = default_schema().to_dict()
    data["mentions"] = [{"name": "PRON"}, {"name": "NOM"}]
    return parse_schema(data, "test")


def make(path: Path) -> tuple[Project, dict]:
    p = Project(path, create=True, schema=schema())
    doc = Document(text=TEXT, external_id="art-1")
    a = {
        "jaiswal": entity(doc.id, *at("Randhir Jaiswal"), "PERSON", "alice"),
        "china": entity(doc.id, *at("China"), "GPE", "alice"),
        "he": entity(doc.id, *at("He"), "PRON", "alice"),
        "beijing": entity(doc.id, *at("Beijing"), "GPE", "alice"),
        "jaiswal2": entity(doc.id, *at("Jaiswal", 1), "PERSON", "alice"),
    }
    a["claim"] = claim(doc.id, *at("China would reply"), "alice")
    p.insert_documents([(doc, list(a.values()))])
    entry = RegistryEntry(name="Randhir Jaiswal", type="PERSON", aliases=("Jaiswal",))
    apply(p, AddRegistryEntry("alice", entry))
    j = NewCluster(doc.id, "alice", [a["jaiswal"].id, a["he"].id, a["jaiswal2"].id], name="Randhir Jaiswal", entry_id=entry.id)
    apply(p, j)
    c = NewCluster(doc.id, "alice", [a["beijing"].id, a["china"].id], name="China")
    apply(p, c)
    apply(p, UpdateAnnotation(doc.id, "alice", a["claim"].id, claimant_ref=cluster_ref(j.cluster_id)))
    return p, {"doc": doc, "a": a, "j": j.cluster_id, "c": c.cluster_id, "entry": entry}


def spans_of(p: Project, doc_id: str) -> list[list[tuple[int, int]]]:
    """A document's clusters as sorted span lists (what must survive a round trip)."""
    out = []
    for c in p.clusters(doc_id):
        rows = p.annotation_rows_by_id(c.members)
        out.append(sorted((rows[m].start, rows[m].end) for m in c.members))
    return sorted(out)


EXPECTED = sorted([sorted([at("Randhir Jaiswal"), at("He"), at("Jaiswal", 1)]), sorted([at("China"), at("Beijing")])])


def test_clusters_jsonl(tmp_path):
    p, s = make(tmp_path / "p.annotator")
    report = export(p, ExportOptions("clusters", out=tmp_path / "c.jsonl"))
    assert report.records == 1
    rec = json.loads((tmp_path / "c.jsonl").read_text("utf-8"))
    assert rec == {"id": s["doc"].id, "text": TEXT, "clusters": [[list(x) for x in c] for c in EXPECTED]}
    # the clusters are in the order of their first mention, each in text order
    assert rec["clusters"][0][0] == [0, 15]
    # UTF-16 offsets: "Jaiswal" after the emoji moves by one
    export(p, ExportOptions("clusters", out=tmp_path / "u.jsonl", offsets="utf16"))
    rec16 = json.loads((tmp_path / "u.jsonl").read_text("utf-8"))
    assert rec16["clusters"][0][2] == [at("Jaiswal", 1)[0] + 1, at("Jaiswal", 1)[1] + 1]
    p.close()


def test_conll2012_columns_and_round_trip(tmp_path):
    p, s = make(tmp_path / "p.annotator")
    export(p, ExportOptions("conll2012", out=tmp_path / "x.conll"))
    lines = (tmp_path / "x.conll").read_text("utf-8").split("\n")
    assert lines[0] == f"#begin document ({s['doc'].id}); part 000"
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    assert all(len(r) == 12 for r in rows)
    by_word = {(r[3], r[2]): r for r in rows}
    assert by_word[("Randhir", "0")][10:] == ["(PERSON*", "(0"]
    assert by_word[("Jaiswal", "1")][10:] == ["*)", "0)"]
    assert by_word[("China", "3")][10:] == ["(GPE)", "(1)"]
    he = next(r for r in rows if r[3] == "He")
    assert he[2] == "0" and he[10:] == ["*", "(0)"]  # a new sentence; PRON is no named entity
    assert "" in lines[1:-2]  # a blank line between the sentences
    assert lines[-2] == "#end document"
    assert detect_format(tmp_path / "x.conll") == "conll2012"
    # into a new project: entities, the pronoun as a mention, the clusters
    q = Project(tmp_path / "q.annotator", create=True, schema=schema())
    report = import_paths(q, [tmp_path / "x.conll"], annotator="bob")
    assert report.ok, report.summary()
    (doc_id,) = q.document_ids()
    text = q.document_text(doc_id)
    labels = sorted((text[a.start : a.end], a.label) for a in q.annotations(doc_id))
    assert ("He", "PRON") in labels and ("Randhir Jaiswal", "PERSON") in labels and ("China", "GPE") in labels
    got = [sorted(text[s:e] for s, e in c) for c in spans_of(q, doc_id)]
    assert sorted(got) == sorted([["He", "Jaiswal", "Randhir Jaiswal"], ["Beijing", "China"]])
    assert all(c.annotator == "bob" for c in q.clusters(doc_id))
    # exported again: the same coreference column
    export(q, ExportOptions("conll2012", out=tmp_path / "y.conll"))
    again = [line.split("\t")[-1] for line in (tmp_path / "y.conll").read_text("utf-8").split("\n") if "\t" in line]
    assert again == [r[-1] for r in rows]
    p.close()
    q.close()


def test_coref_brackets_and_parsing():
    col = coref_brackets({0: [(0, 2), (4, 4)], 1: [(0, 0), (1, 2)]}, 5)
    assert col == ["(0|(1)", "(1", "1)|0)", "-", "(0)"]
    assert parse_coref_column("(0|(1)") == [("open", 0), ("single", 1)]
    assert parse_coref_column("1)|0)") == [("close", 1), ("close", 0)]
    assert parse_coref_column("-") == [] and parse_coref_column("x") is None and parse_coref_column("3") is None


def test_conll2012_bad_lines_are_named(tmp_path):
    bad = tmp_path / "bad.conll"
    bad.write_text(
        "#begin document (d1); part 000\nd1\t0\t0\tHe\t-\t-\t-\t-\t-\t-\t*\t(0\n#end document\n"
        "#begin document (d2); part 000\nd2\t0\t0\tShe\t-\t-\t-\t-\t-\t-\t*\t(x)\n#end document\n"
        "#begin document (d3); part 000\nd3\t0\t0\tIt\t-\t-\t-\t-\t-\t-\t*\t(2)\n#end document\n",
        "utf-8",
    )
    items = list(iter_conll2012(bad))
    errors = [str(x) for x in items if isinstance(x, InputError)]
    assert len(errors) == 2
    assert "bad.conll:2" in errors[0] and "cluster 0 opened here is never closed" in errors[0]
    assert "bad.conll:5" in errors[1] and "'(x)' is not a coreference column" in errors[1]
    p = Project(tmp_path / "p.annotator", create=True, schema=schema())
    report = import_paths(p, [bad], fmt="conll2012")
    assert not report.ok and p.document_ids() == [] and not p.has_clusters()  # refused whole
    p.close()


def test_brat_coreference_lines_round_trip(tmp_path):
    p, s = make(tmp_path / "p.annotator")
    export(p, ExportOptions("brat", out=tmp_path / "brat"))
    ann = next((tmp_path / "brat").glob("*.ann")).read_text("utf-8")
    coref = [line for line in ann.split("\n") if line.startswith("*\tCoreference")]
    assert len(coref) == 2
    conf = (tmp_path / "brat" / "annotation.conf").read_text("utf-8")
    assert "Coreference\tArg1:<ANY>, Arg2:<ANY>, <REL-TYPE>:symmetric-transitive" in conf
    assert "PRON" in conf.split("[relations]")[0]
    q = Project(tmp_path / "q.annotator", create=True, schema=schema())
    report = import_paths(q, [tmp_path / "brat"], annotator="alice")
    assert report.ok, report.summary()
    (doc_id,) = q.document_ids()
    assert spans_of(q, doc_id) == EXPECTED
    p.close()
    q.close()


def errors(report) -> str:
    return "\n".join(str(e) for e in report.errors)


def test_brat_coreference_errors_name_the_line(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "a.txt").write_text("He met her.", "utf-8")
    (folder / "a.ann").write_text("T1\tPERSON 0 2\tHe\nT2\tPERSON 7 10\ther\n*\tCoreference T1 T9\n", "utf-8")
    p = Project(tmp_path / "p.annotator", create=True, schema=schema())
    report = import_paths(p, [folder])
    assert not report.ok
    assert "a.ann:3" in errors(report) and "T9" in errors(report)
    (folder / "a.ann").write_text("T1\tPERSON 0 2\tHe\nT2\tPERSON 7 10\ther\n*\tCoreference T1 T2\n*\tCoreference T2\n", "utf-8")
    report = import_paths(p, [folder])
    assert not report.ok and "a.ann:4" in errors(report) and "another Coreference line" in errors(report)
    assert p.document_ids() == []
    p.close()


def test_native_round_trip_keeps_clusters_registry_and_actor_refs(tmp_path):
    p, s = make(tmp_path / "p.annotator")
    apply(p, UpdateAnnotation(s["doc"].id, "alice", s["a"]["claim"].id, claimant_ref=entry_ref(s["entry"].id)))
    export(p, ExportOptions("native", out=tmp_path / "n.jsonl"))
    rec = json.loads((tmp_path / "n.jsonl").read_text("utf-8"))
    assert {c["id"] for c in rec["clusters"]} == {s["j"], s["c"]}
    assert rec["registry"][0]["name"] == "Randhir Jaiswal"
    q = Project(tmp_path / "q.annotator", create=True, schema=schema())
    report = import_paths(q, [tmp_path / "n.jsonl"])
    assert report.ok, report.summary()
    doc_id = s["doc"].id
    assert [c.to_dict() for c in q.clusters(doc_id)] == [c.to_dict() for c in p.clusters(doc_id)]
    assert q.get_registry_entry(s["entry"].id) == p.get_registry_entry(s["entry"].id)
    assert q.get_annotation(s["a"]["claim"].id).claimant_ref == entry_ref(s["entry"].id)
    export(q, ExportOptions("native", out=tmp_path / "n2.jsonl"))
    assert (tmp_path / "n2.jsonl").read_bytes() == (tmp_path / "n.jsonl").read_bytes()
    # a document without clusters has no clusters key (old exports stay byte for byte)
    r = Project(tmp_path / "r.annotator", create=True)
    r.insert_documents([(Document(text="plain"), [])])
    export(r, ExportOptions("native", out=tmp_path / "plain.jsonl"))
    assert "clusters" not in json.loads((tmp_path / "plain.jsonl").read_text("utf-8"))
    for x in (p, q, r):
        x.close()


def test_native_bad_clusters_are_refused(tmp_path):
    p, s = make(tmp_path / "p.annotator")
    export(p, ExportOptions("native", out=tmp_path / "n.jsonl"))
    rec = json.loads((tmp_path / "n.jsonl").read_text("utf-8"))
    rec["clusters"][0]["members"].append("nope")
    (tmp_path / "bad.jsonl").write_text(json.dumps(rec) + "\n", "utf-8")
    q = Project(tmp_path / "q.annotator", create=True, schema=schema())
    report = import_paths(q, [tmp_path / "bad.jsonl"])
    assert not report.ok and "bad.jsonl:1" in errors(report) and "mention nope is not an annotation" in errors(report)
    assert q.document_ids() == []
    p.close()
    q.close()


@pytest.mark.parametrize("fmt", ["clusters", "conll2012"])
def test_single_layer_formats_need_one_annotator(tmp_path, fmt):
    from annotator.formats.writing import ExportError

    p, s = make(tmp_path / "p.annotator")
    p.insert_documents([])
    with p.transaction():
        p.put_annotations([entity(s["doc"].id, *at("China"), "GPE", "bob")])
    with pytest.raises(ExportError, match="several annotators"):
        export(p, ExportOptions(fmt, out=tmp_path / "x"))
    report = export(p, ExportOptions(fmt, out=tmp_path / "y", per_annotator=True))
    assert report.records == 2
    p.close()


def test_a_claimant_naming_a_cluster_exports_its_first_mention_and_the_actor(tmp_path):
    p, s = make(tmp_path / "p.annotator")  # the claim's claimant is the Jaiswal cluster
    export(p, ExportOptions("claims", out=tmp_path / "claims.jsonl"))
    rec = json.loads((tmp_path / "claims.jsonl").read_text("utf-8"))
    claimant = rec["claimant"]
    assert (claimant["start"], claimant["end"], claimant["text"]) == (*at("Randhir Jaiswal"), "Randhir Jaiswal")
    assert claimant["actor"] == {
        "ref": cluster_ref(s["j"]),
        "cluster": s["j"],
        "name": "Randhir Jaiswal",
        "type": "PERSON",  # the cluster has none: the registry entry's
        "entry": {"id": s["entry"].id, "name": "Randhir Jaiswal", "type": "PERSON"},
    }
    # brat: the claimant relation goes to the first mention, nothing reported missing
    report = export(p, ExportOptions("brat", out=tmp_path / "brat"))
    assert report.counts.get("links", 0) == 0
    ann = next((tmp_path / "brat").glob("*.ann")).read_text("utf-8")
    t_jaiswal = next(line.split("\t")[0] for line in ann.split("\n") if line.endswith("\tRandhir Jaiswal"))
    assert any(line.startswith("R") and "claimant" in line and f"Arg2:{t_jaiswal}" in line for line in ann.split("\n"))
    # a registry entry as claimant: the first mention of the clusters linked to it
    apply(p, UpdateAnnotation(s["doc"].id, "alice", s["a"]["claim"].id, claimant_ref=entry_ref(s["entry"].id)))
    export(p, ExportOptions("claims", out=tmp_path / "claims2.jsonl"))
    claimant = json.loads((tmp_path / "claims2.jsonl").read_text("utf-8"))["claimant"]
    assert claimant["text"] == "Randhir Jaiswal" and claimant["actor"]["entry"]["id"] == s["entry"].id
    assert claimant["actor"]["cluster"] is None
    p.close()


# brat's Equiv lines, in the shape of brat's own example data (BioNLP-ST 2011: "*<TAB>Equiv T1 T2",
# several per file, any number of members, one mention in two of them) on a text of our own
EQUIV_TEXT = (
    "Protein arginine methyltransferase 1 (PRMT1) methylates histone H4. "
    "PRMT1, also called HRMT1L2, binds BTG1. The enzyme was found in the nucleus."
)
EQUIV_CONF = """[entities]
Protein
Entity
[relations]
Equiv\tArg1:Protein, Arg2:Protein, <REL-TYPE>:symmetric-transitive
Equiv\tArg1:Entity, Arg2:Entity, <REL-TYPE>:symmetric-transitive
[events]
Methylation\tTheme:Protein
Binding\tTheme+:Protein
[attributes]
"""


def equiv_at(piece: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = EQUIV_TEXT.index(piece, i + 1)
    return i, i + len(piece)


def tline(ident: str, typ: str, piece: str, nth: int = 0) -> str:
    s, e = equiv_at(piece, nth)
    return f"{ident}\t{typ} {s} {e}\t{piece}"


def test_brat_equiv_lines_of_entity_spans_import_as_clusters_and_export_as_coreference(tmp_path):
    folder = tmp_path / "bionlp"
    folder.mkdir()
    (folder / "annotation.conf").write_text(EQUIV_CONF, "utf-8")
    ann = [
        tline("T1", "Protein", "Protein arginine methyltransferase 1"),
        tline("T2", "Protein", "PRMT1"),
        tline("T3", "Protein", "PRMT1", 1),
        tline("T4", "Protein", "HRMT1L2"),
        tline("T5", "Protein", "BTG1"),
        tline("T6", "Entity", "The enzyme"),
        tline("T7", "Methylation", "methylates"),
        tline("T8", "Binding", "binds"),
        "E1\tMethylation:T7 Theme:T2",
        "E2\tBinding:T8 Theme:T3 Theme2:T5",
        "*\tEquiv T1 T2",  # as in PMID-*.ann of the example data
        "*\tEquiv T3 T4",
        "*\tEquiv T2 T3",  # shares T2 with the first and T3 with the second: one cluster (brat merges them)
        "*\tEquiv E1 E2",  # events are no coreference mentions: an equivalence relation, as before
    ]
    (folder / "PMID-0000001.txt").write_text(EQUIV_TEXT, "utf-8")
    (folder / "PMID-0000001.ann").write_text("\n".join(ann) + "\n", "utf-8")
    p = Project(tmp_path / "p.annotator", create=True)
    report = import_paths(p, [folder], add_labels=True, annotator="alice")
    assert report.ok, errors(report)
    (doc_id,) = p.document_ids()
    [cluster] = p.clusters(doc_id, "alice")
    texts = [p.get_annotation(m).text_in(EQUIV_TEXT) for m in cluster.members]
    assert texts == ["Protein arginine methyltransferase 1", "PRMT1", "PRMT1", "HRMT1L2"]  # order of first appearance
    assert [p.get_annotation(m).span for m in cluster.members][1:3] == [equiv_at("PRMT1"), equiv_at("PRMT1", 1)]
    relations = [a for a in p.annotations(doc_id) if a.kind == "relation"]
    assert [(r.label, r.attributes) for r in relations] == [("Equiv", {"equivalence": True})]
    assert {p.get_annotation(r.head).kind for r in relations} == {"event"}
    # out again: the cluster is one Coreference line (mentions in text order), the event equivalence an Equiv line
    export(p, ExportOptions("brat", out=tmp_path / "out", annotator="alice"))
    out = (tmp_path / "out" / "PMID-0000001.ann").read_text("utf-8").splitlines()
    tids = {line.split("\t")[2]: line.split("\t")[0] for line in out if line.startswith("T")}
    [coref] = [line for line in out if line.startswith("*\tCoreference")]
    starts = {line.split("\t")[0]: int(line.split("\t")[1].split()[1]) for line in out if line.startswith("T")}
    members = coref.split("\t")[1].split()[1:]
    assert len(members) == 4 and members == sorted(members, key=starts.__getitem__)
    assert tids["HRMT1L2"] in members and tids["Protein arginine methyltransferase 1"] in members
    assert len([line for line in out if line.startswith("*\tEquiv")]) == 1
    conf = (tmp_path / "out" / "annotation.conf").read_text("utf-8")
    assert "Coreference\tArg1:<ANY>, Arg2:<ANY>, <REL-TYPE>:symmetric-transitive" in conf
    # and back: the same cluster
    q = Project(tmp_path / "q.annotator", create=True)
    assert import_paths(q, [tmp_path / "out"], add_labels=True, annotator="alice").ok
    (doc_q,) = q.document_ids()
    assert spans_of(q, doc_q) == spans_of(p, doc_id)
    p.close()
    q.close()


def test_brat_equiv_joins_a_coreference_line_it_shares_a_mention_with(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "a.txt").write_text("He met her. She and Ann left.", "utf-8")
    (folder / "a.ann").write_text(
        "T1\tPERSON 0 2\tHe\nT2\tPERSON 7 10\ther\nT3\tPERSON 12 15\tShe\nT4\tPERSON 20 23\tAnn\n"
        "*\tCoreference T2 T3\n*\tEquiv T3 T4\n*\tEquiv T1 T1\n",
        "utf-8",
    )
    p = Project(tmp_path / "p.annotator", create=True, schema=schema())
    report = import_paths(p, [folder])
    assert report.ok, errors(report)
    (doc_id,) = p.document_ids()
    text = p.document_text(doc_id)
    got = sorted(sorted(text[s:e] for s, e in c) for c in spans_of(p, doc_id))
    assert got == [["Ann", "She", "her"], ["He"]]
    assert [a for a in p.annotations(doc_id) if a.kind == "relation"] == []
    p.close()
