"""Every export format over a project with every annotation kind, overlapping and
nested spans and the Unicode corpus: spans match the text, tokens align, brat
parses, native round-trips."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from export_fixtures import project  # noqa: F401 (a fixture)

from annotator.core.models import CLAIM_LABEL
from annotator.core.store import Project
from annotator.formats.brat import LINE_BREAKS, read_brat
from annotator.services.exporting import ExportOptions, export
from annotator.services.importing import import_paths

ALL_KINDS = ("entity", "event", "claim")


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


def alice_spans(project: Project, kinds=ALL_KINDS) -> dict[str, list[tuple[int, int, str]]]:
    """external id -> alice's (start, end, label) of the kinds, sorted."""
    out = {}
    for doc in project.iter_documents():
        anns = [a for a in project.annotations(doc.id, annotator="alice") if a.kind in kinds]
        if anns:
            out[doc.external_id] = sorted((a.start, a.end, a.label) for a in anns)
    return out


# -- spans ---------------------------------------------------------------------
def test_spans_are_exact_and_tokens_rebuild_the_text(project, tmp_path):
    report = export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", annotator="alice", kinds=ALL_KINDS))
    recs = lines(tmp_path / "s.jsonl")
    stored = alice_spans(project)
    for rec in recs:
        text = rec["text"]
        assert text == project.get_document(rec["meta"]["id"]).text
        toks = rec["tokens"]
        assert "".join(t["text"] + " " * t["ws"] for t in toks) == text
        assert [t["id"] for t in toks] == list(range(len(toks)))
        for t in toks:
            assert text[t["start"] : t["end"]] == t["text"]
        for sp in rec["spans"]:
            assert text[sp["start"] : sp["end"]] == sp["text"]
            # token_end is inclusive
            assert toks[sp["token_start"]]["start"] == sp["start"] and toks[sp["token_end"]]["end"] == sp["end"]
        for rel in rec.get("relations", []):
            assert rel["head"] == rel["head_span"]["token_end"] and rel["child"] == rel["child_span"]["token_end"]
        exported = sorted((s["start"], s["end"], s["label"]) for s in rec["spans"])
        expected = stored[rec["meta"]["external_id"]]
        if rec["meta"]["external_id"] == "seed-0":
            assert exported == expected
    uni = next(r for r in recs if r["meta"]["external_id"] == "unicode-crlf")
    texts = {s["text"] for s in uni["spans"]}
    assert {
        "🇨🇱",
        "👨\u200d👩\u200d👧",
        "2025 📉",
        "Jose\u0301 María Peña",
        "€2.4\xa0billion",
        "Valparaíso\u2028say",
        "Kor",
    } <= texts
    # whitespace at an edge is left out, whitespace only is not a span; both reported
    assert "the mediator," in texts and "the mediator, " not in texts and "\t" not in texts
    reasons = [p.reason for p in report.examples["misaligned"]]
    assert any("not on default token boundaries" in r for r in reasons)
    assert any("whitespace at its edge" in r for r in reasons)
    assert report.counts["not_exported"] == 1
    seed = next(r for r in recs if r["meta"]["external_id"] == "seed-0")
    grant = [(r["label"], r["child_span"]["label"]) for r in seed["relations"] if r["head_span"]["label"] == "LicenceGrant"]
    assert grant == [("Grantor", "GPE"), ("Grantee", "NORP"), ("Item", "PRODUCT")]
    assert any(r["label"] == "claimant" and r["child_span"]["label"] == "PERSON" for r in seed["relations"])
    claim = next(s for s in seed["spans"] if s["label"] == CLAIM_LABEL and s["text"].startswith("China"))
    assert claim["kind"] == "claim" and claim["attributes"]["claim_type"] == "statistical"


def test_spans_default_is_entities_and_relations_between_them(project, tmp_path):
    report = export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", annotator="alice"))
    seed = lines(tmp_path / "s.jsonl")[0]
    assert {s["label"] for s in seed["spans"]} <= set(project.schema.labels("entity"))
    assert [r["label"] for r in seed["relations"]] == ["affiliated_with"]
    # claims and events are not exported, so nothing is reported missing for them
    assert report.counts["links"] == 0


def test_spans_report_links_whose_ends_are_not_exported(project, tmp_path):
    report = export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", annotator="alice", kinds=("event",)))
    # 3 licence-grant arguments, 2 meeting participants, the relation between two entities
    assert report.counts["links"] == 6
    assert any("argument 'Grantor'" in p.reason for p in report.examples["links"])


# -- doccano -------------------------------------------------------------------
def test_doccano_sequence_labelling_shape(project, tmp_path):
    export(project, ExportOptions("doccano", out=tmp_path / "d.jsonl", annotator="imported"))
    recs = lines(tmp_path / "d.jsonl")
    assert [sorted(r) for r in recs] == [["id", "label", "meta", "text"]] * 2
    for r in recs:
        for s, e, label in r["label"]:
            assert label in ("ORG", "DATE", "PERSON", "PERCENT") and s < e
    batch1 = recs[0]
    assert [batch1["text"][s:e] for s, e, _ in batch1["label"]] == ["Airbus", "IndiGo", "two weeks"]


def test_doccano_relations_shape_and_utf16(project, tmp_path):
    export(project, ExportOptions("doccano", out=tmp_path / "d.jsonl", annotator="alice", kinds=ALL_KINDS))
    recs = lines(tmp_path / "d.jsonl")
    seed = recs[0]
    ents = {e["id"]: e for e in seed["entities"]}
    assert all(seed["text"][e["start_offset"] : e["end_offset"]] for e in ents.values())
    rels = [(ents[r["from_id"]]["label"], r["type"], ents[r["to_id"]]["label"]) for r in seed["relations"]]
    assert ("LicenceGrant", "Grantor", "GPE") in rels and ("CLAIM", "claimant", "PERSON") in rels
    assert ("PERSON", "affiliated_with", "ORG") in rels
    assert "relations" in recs[1] and recs[1]["relations"] == []  # one shape for the whole file
    export(project, ExportOptions("doccano", out=tmp_path / "u.jsonl", annotator="alice", offsets="utf16"))
    uni = lines(tmp_path / "u.jsonl")[1]
    units = uni["text"].encode("utf-16-le")
    got = [units[2 * e["start_offset"] : 2 * e["end_offset"]].decode("utf-16-le") for e in uni["entities"]]
    assert "🇨🇱" in got and "2025 📉" in got


def test_doccano_export_imports_back(project, tmp_path):
    export(project, ExportOptions("doccano", out=tmp_path / "d.jsonl", annotator="imported"))
    fresh = Project(tmp_path / "fresh.annotator", create=True)
    report = import_paths(fresh, [tmp_path / "d.jsonl"])
    assert report.ok and report.documents == 2 and report.annotations == 6
    fresh.close()


# -- hf and conll ----------------------------------------------------------------
def _check_bio(tags: list[str]) -> None:
    prev = "O"
    for tag in tags:
        assert tag == "O" or re.fullmatch(r"[BI]-\S+", tag), tag
        if tag.startswith("I-"):
            assert prev[2:] == tag[2:] and prev != "O", (prev, tag)
        prev = tag


def test_hf_records_labels_and_card(project, tmp_path):
    report = export(project, ExportOptions("hf", out=tmp_path / "hf", annotator="alice"))
    folder = tmp_path / "hf"
    assert sorted(p.name for p in folder.iterdir()) == [".annotator-export", "README.md", "labels.json", "train.jsonl"]
    names = json.loads((folder / "labels.json").read_text("utf-8"))
    assert names[0] == "O" and "B-PERSON" in names and "I-GPE" in names
    recs = lines(folder / "train.jsonl")
    for rec in recs:
        assert len(rec["tokens"]) == len(rec["ner_tags"]) and set(rec["ner_tags"]) <= set(names)
        assert all(t and not any(c.isspace() for c in t) for t in rec["tokens"])
        _check_bio(rec["ner_tags"])
    seed = recs[0]
    pairs = list(zip(seed["tokens"], seed["ner_tags"]))
    assert ("Prime", "B-PERSON") in pairs and ("Modi", "I-PERSON") in pairs
    # nested LAC, nested Narendra Modi, the crossing ORG, Kim/김민준? no: only overlaps are counted
    dropped = {(p.label, p.text) for p in report.examples["not_bio"]}
    assert dropped == {("LOC", "LAC"), ("PERSON", "Narendra Modi"), ("ORG", "Ministry of External Affairs"), ("MISC", "Kor")}
    assert report.counts["not_bio"] == 4
    assert "4 overlapping or nested spans BIO tags cannot hold (not in the tags):" in report.lines()
    assert report.counts["not_exported"] >= 1  # the relation, which BIO cannot hold
    card = (folder / "README.md").read_text("utf-8")
    assert "class_label" in card and "path: train.jsonl" in card


def test_hf_sentences_and_split(project, tmp_path):
    export(project, ExportOptions("hf", out=tmp_path / "hf", annotator="alice", sentences=True, split=(0.5, 0.5, 0)))
    folder = tmp_path / "hf"
    assert {p.name for p in folder.iterdir()} >= {"train.jsonl", "dev.jsonl", "test.jsonl"}
    recs = lines(folder / "train.jsonl") + lines(folder / "dev.jsonl")
    assert len(recs) > 2 and all("#" in r["id"] for r in recs)
    card = (folder / "README.md").read_text("utf-8")
    assert "split: validation" in card and "path: dev.jsonl" in card


def test_conll_blocks_tokens_and_tags(project, tmp_path):
    export(project, ExportOptions("conll", out=tmp_path / "c.conll", annotator="alice"))
    text = (tmp_path / "c.conll").read_text("utf-8")
    docs = text.split("-DOCSTART- -X- O O\n")
    assert docs[0] == "" and len(docs) == 3
    for doc in docs[1:]:
        assert doc.startswith("\n") and doc.endswith("\n\n")
        sentences = [s for s in doc.split("\n\n") if s.strip()]
        assert len(sentences) > 1
        for s in sentences:
            rows = [line.split(" ") for line in s.strip("\n").split("\n")]
            assert all(len(r) == 2 for r in rows), s
            _check_bio([tag for _, tag in rows])
    # the tokens of each document are its text without whitespace, in order
    for doc_text, block in zip([project.get_document(i).text for i in project.document_ids()[:2]], docs[1:]):
        tokens = [line.split(" ")[0] for line in block.split("\n") if line]
        assert "".join(tokens) == "".join(doc_text.split())


# -- events and claims -----------------------------------------------------------
def test_events_shape(project, tmp_path):
    export(project, ExportOptions("events", out=tmp_path / "e.jsonl", annotator="alice"))
    seed = lines(tmp_path / "e.jsonl")[0]
    for e in seed["entities"]:
        assert seed["text"][e["start"] : e["end"]] == e["text"]
    grant = next(ev for ev in seed["events"] if ev["type"] == "LicenceGrant")
    assert grant["trigger"]["text"] == "granted"
    assert [(a["role"], a["text"], a["label"]) for a in grant["arguments"]] == [
        ("Grantor", "China", "GPE"),
        ("Grantee", "Indian firms", "NORP"),
        ("Item", "rare earth magnets", "PRODUCT"),
    ]
    ids = {e["id"] for e in seed["entities"]}
    assert all(a["id"] in ids for ev in seed["events"] for a in ev["arguments"])
    assert [(r["type"]) for r in seed["relations"]] == ["affiliated_with"]


def test_claims_shape(project, tmp_path):
    export(project, ExportOptions("claims", out=tmp_path / "c.jsonl", annotator="alice"))
    recs = lines(tmp_path / "c.jsonl")
    assert len(recs) == 3
    by_text = {r["claim"]["text"]: r for r in recs}
    seventy = by_text["China controls around 70% of global rare earth mining"]
    assert seventy["claimant"] == {"text": "the newspaper (unattributed)"}
    assert seventy["attributes"] == {
        "claim_type": "statistical",
        "check_worthiness": "high",
        "stance": "supports",
        "veracity": "unverified",
    }
    assert seventy["context"]["text"].startswith("China controls around 70%") and seventy["context"]["text"].endswith(
        "supply chains."
    )
    quote = next(r for r in recs if r["claimant"] and "id" in r["claimant"])
    assert quote["claimant"]["text"] == "Randhir Jaiswal" and quote["claimant"]["label"] == "PERSON"
    assert quote["attributes"]["veracity"] is None  # not set: null, never a made-up default
    for r in recs:
        doc = project.get_document(r["doc_id"])
        for key in ("claim", "context"):
            assert doc.text[r[key]["start"] : r[key]["end"]] == r[key]["text"]
        if r["claimant"] and "start" in r["claimant"]:
            assert doc.text[r["claimant"]["start"] : r["claimant"]["end"]] == r["claimant"]["text"]
        assert r["context"]["start"] <= r["claim"]["start"] < r["claim"]["end"] <= r["context"]["end"]


# -- brat ----------------------------------------------------------------------
def parse_ann(ann: str, txt: str, conf: str) -> dict[str, tuple]:
    """A strict reading of a .ann the way brat reads it; fails on anything brat would reject."""
    types = {"entities": set(), "events": set(), "relations": set(), "attributes": set()}
    section = None
    for line in conf.splitlines():
        m = re.fullmatch(r"\[(\w+)\]", line.strip())
        if m:
            section = m.group(1)
        elif line.strip() and not line.startswith("#") and section:
            types[section].add(line.split("\t")[0])
    anns: dict[str, tuple] = {}
    for number, line in enumerate(ann.splitlines(), start=1):
        assert not any(c in line for c in LINE_BREAKS), number
        ident, rest = line.split("\t", 1)
        assert ident not in anns, f"duplicate id {ident}"
        if ident[0] == "T":
            data, text = rest.split("\t", 1)
            typ, offsets = data.split(" ", 1)
            assert re.fullmatch(r"[A-Za-z0-9_-]+", typ)
            frags = [tuple(map(int, f.split(" "))) for f in offsets.split(";")]
            assert text == " ".join(txt[s:e] for s, e in frags), (ident, text)
            assert all(0 <= s < e <= len(txt) for s, e in frags)
            anns[ident] = ("T", typ, frags, text)
        elif ident[0] == "E":
            parts = rest.split(" ")
            typ, trig = parts[0].split(":")
            assert anns[trig][0] == "T" and anns[trig][1] == typ and typ in types["events"]
            args = [p.split(":") for p in parts[1:]]
            assert all(ref in anns or ref.startswith("E") for _, ref in args)
            anns[ident] = ("E", typ, trig, args)
        elif ident[0] == "R":
            typ, a1, a2 = rest.split(" ")
            assert typ in types["relations"] and a1.startswith("Arg1:") and a2.startswith("Arg2:")
            assert a1[5:] in anns and a2[5:] in anns
            anns[ident] = ("R", typ, a1[5:], a2[5:])
        elif ident[0] == "A":
            parts = rest.split(" ")
            assert parts[0] in types["attributes"] and parts[1] in anns and len(parts) in (2, 3)
            anns[ident] = ("A", *parts)
        elif ident[0] == "#":
            data, note = rest.split("\t")
            typ, target = data.split(" ")
            assert typ == "AnnotatorNotes" and target in anns
            anns[ident] = ("#", target, note)
        else:
            raise AssertionError(f"unexpected line {line!r}")
    for a in anns.values():
        if a[0] == "T":
            assert a[1] in types["entities"] or a[1] in types["events"], a[1]
    return anns


def test_brat_files_parse_and_offsets_match(project, tmp_path):
    report = export(project, ExportOptions("brat", out=tmp_path / "b", annotator="alice"))
    folder = tmp_path / "b"
    conf = (folder / "annotation.conf").read_text("utf-8")
    assert "[entities]" in conf and "<OVERLAP>" in conf
    for name in ("seed-0", "unicode-crlf"):
        txt = (folder / f"{name}.txt").read_bytes().decode("utf-8")
        doc = project.get_document(project.document_ids()[0 if name == "seed-0" else 1])
        assert txt == doc.text
        anns = parse_ann((folder / f"{name}.ann").read_text("utf-8"), txt, conf)
        spans = sorted((f[0][0], f[-1][1], a[1]) for a in anns.values() if a[0] == "T" for f in [a[2]])
        assert spans == alice_spans(project)[name]
    seed = parse_ann((folder / "seed-0.ann").read_text("utf-8"), (folder / "seed-0.txt").read_text("utf-8"), conf)
    meeting = next(a for a in seed.values() if a[0] == "E" and a[1] == "Meeting")
    assert [role for role, _ in meeting[3]] == ["Participant", "Participant2"]
    notes = [a for a in seed.values() if a[0] == "#"]
    assert notes and notes[0][2] == "claimant: the newspaper (unattributed)"
    assert ("A", "claim_type") in {(a[0], a[1]) for a in seed.values() if a[0] == "A"}
    assert report.counts["fragments"] == 1  # the span across U+2028


def test_brat_round_trip(project, tmp_path):
    export(project, ExportOptions("brat", out=tmp_path / "one", annotator="alice"))
    fresh = Project(tmp_path / "fresh.annotator", create=True)
    report = import_paths(fresh, [tmp_path / "one"], annotator="alice")
    assert report.ok and report.documents == 2, [str(e) for e in report.errors]
    assert report.ignored == []  # annotation.conf is read with the documents, visual.conf is brat's own
    export(fresh, ExportOptions("brat", out=tmp_path / "two", annotator="alice"))
    for name in ("seed-0.txt", "seed-0.ann", "unicode-crlf.txt", "unicode-crlf.ann", "annotation.conf"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    doc, anns = read_brat(tmp_path / "one" / "seed-0.ann")[0]
    claim = next(a for a in anns if a.kind == "claim" and a.claimant_ref)
    assert next(a for a in anns if a.id == claim.claimant_ref).text_in(doc.text) == "Randhir Jaiswal"
    fresh.close()


# -- native --------------------------------------------------------------------
def test_native_round_trip_is_lossless(project, tmp_path):
    export(project, ExportOptions("native", out=tmp_path / "one.jsonl"))
    fresh = Project(tmp_path / "fresh.annotator", create=True)
    report = import_paths(fresh, [tmp_path / "one.jsonl"])
    assert report.ok and report.documents == 5
    export(fresh, ExportOptions("native", out=tmp_path / "two.jsonl"))
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    for doc_id in project.document_ids():
        assert fresh.get_document(doc_id) == project.get_document(doc_id)
        assert fresh.annotations(doc_id) == project.annotations(doc_id) or sorted(
            fresh.annotations(doc_id), key=lambda a: a.id
        ) == sorted(project.annotations(doc_id), key=lambda a: a.id)
    fresh.close()


def test_native_one_annotator_keeps_what_it_refers_to(project, tmp_path):
    export(project, ExportOptions("native", out=tmp_path / "gold.jsonl", gold=True))
    seed = lines(tmp_path / "gold.jsonl")[0]
    assert {a["annotator"] for a in seed["annotations"]} == {"@gold"}
    assert len(seed["annotations"]) == 4


@pytest.mark.parametrize("offsets", ["codepoint", "utf16"])
def test_events_argument_pointing_at_a_relation_is_reported_not_written(tmp_path, offsets):
    """An event argument whose target is a relation (possible in imported native
    files) has no span: it is reported under links and left out, never written
    with null offsets, and a UTF-16 export does not crash on it."""
    from annotator.core.models import Document, entity, event, relation

    project = Project(tmp_path / "rel.annotator", create=True)
    doc = Document(text="Reuters said 😀 China met India.", title="t")
    china, india = entity(doc.id, 15, 20, "GPE", "alice"), entity(doc.id, 25, 30, "GPE", "alice")
    rel = relation(doc.id, china.id, india.id, "part_of", "alice")
    meeting = event(doc.id, 21, 24, "Meeting", "alice", arguments=[("Participant", china.id), ("Participant", rel.id)])
    project.insert_documents([(doc, [china, india, rel, meeting])])
    report = export(project, ExportOptions("events", out=tmp_path / "e.jsonl", offsets=offsets))
    (record,) = lines(tmp_path / "e.jsonl")
    (ev,) = record["events"]
    assert [a["id"] for a in ev["arguments"]] == [china.id]
    assert all(a["start"] is not None for a in ev["arguments"])
    assert report.counts["links"] == 1
    assert any("is a relation, not a span" in p.reason for p in report.examples["links"])
    project.close()
