"""Discontinuous spans (issue 14) in every export: native, brat, events and claims
keep the fragments; span-, token- and BIO-based formats apply ``--fragments``
(split by default), and the report says what was done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.models import Document, claim, entity
from annotator.core.store import Project
from annotator.formats.brat import read_brat
from annotator.formats.writing import ExportError, ExportOptions
from annotator.services.exporting import export
from annotator.services.importing import import_paths

# an emoji first: UTF-16 offsets are one more than code points after it
TEXT = "😀 Take vitamins A, D and E daily. The economy, he said, is collapsing."


def at(piece: str) -> tuple[int, int]:
    i = TEXT.index(piece)
    return i, i + len(piece)


VIT = at("vitamins")
HE = (TEXT.index(" he ") + 1, TEXT.index(" he ") + 3)
LETTERS = {x: TEXT.index(x, TEXT.index("vitamins") + 8) for x in "ADE"}


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "p.annotator", create=True)
    doc = Document(text=TEXT, external_id="vit")
    anns = [
        entity(doc.id, VIT[0], LETTERS[x] + 1, "PRODUCT", "alice", fragments=[VIT, (LETTERS[x], LETTERS[x] + 1)], id=f"v{x}")
        for x in "ADE"
    ]
    anns.append(entity(doc.id, *HE, "PERSON", "alice", id="he"))
    anns.append(
        claim(doc.id, None, None, "alice", fragments=[at("The economy"), at("is collapsing")], claimant_ref="he", id="c1")
    )
    p.insert_documents([(doc, anns)])
    p.doc = doc.id
    yield p
    p.close()


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


# -- formats that keep fragments ---------------------------------------------------
def test_native_keeps_fragments_and_reads_them_back(project, tmp_path):
    report = export(project, ExportOptions("native", out=tmp_path / "n.jsonl"))
    rec = lines(tmp_path / "n.jsonl")[0]
    anns = {a["id"]: a for a in rec["annotations"]}
    assert anns["vA"]["fragments"] == [list(VIT), [LETTERS["A"], LETTERS["A"] + 1]]
    assert list(anns["vA"])[:6] == ["id", "kind", "label", "start", "end", "fragments"]
    assert "fragments" not in anns["he"]  # a one-piece span has no key
    assert anns["c1"]["fragments"] == [list(at("The economy")), list(at("is collapsing"))]
    assert "3 annotations with fragments (discontinuous spans) exported as" not in "\n".join(report.lines())
    assert any(line.startswith("4 annotations with fragments") for line in report.lines())
    fresh = Project(tmp_path / "fresh.annotator", create=True)
    assert import_paths(fresh, [tmp_path / "n.jsonl"]).ok
    got = {a.id: a for a in fresh.iter_all_annotations()}
    assert got["vD"].text_in(TEXT) == "vitamins D" and got["c1"].text_in(TEXT) == "The economy is collapsing"
    assert got["he"].fragments is None
    fresh.close()


def test_native_reader_checks_fragments(project, tmp_path):
    export(project, ExportOptions("native", out=tmp_path / "n.jsonl"))
    rec = lines(tmp_path / "n.jsonl")[0]
    rec["annotations"][0]["fragments"] = [[0, 2], [500, 501]]
    (tmp_path / "bad.jsonl").write_text(json.dumps(rec) + "\n", "utf-8")
    fresh = Project(tmp_path / "fresh.annotator", create=True)
    report = import_paths(fresh, [tmp_path / "bad.jsonl"])
    assert not report.ok
    message = str(report.errors[0])
    assert "bad.jsonl:1" in message and "fragment 2" in message and "outside the text" in message
    assert fresh.document_count() == 0
    fresh.close()


def test_brat_writes_fragments_and_reads_them_back(project, tmp_path):
    report = export(project, ExportOptions("brat", out=tmp_path / "b"))
    ann = (tmp_path / "b" / "vit.ann").read_text("utf-8")
    a = LETTERS["A"]
    assert f"PRODUCT {VIT[0]} {VIT[1]};{a} {a + 1}\tvitamins A" in ann
    e1, e2 = at("The economy"), at("is collapsing")
    assert f"CLAIM {e1[0]} {e1[1]};{e2[0]} {e2[1]}\tThe economy is collapsing" in ann
    assert "4 annotations with fragments (discontinuous spans) exported as brat fragments (START END;START END)" in report.lines()
    doc, anns = read_brat(tmp_path / "b" / "vit.ann")[0]
    frags = sorted(tuple(x.fragments) for x in anns if x.fragments)
    assert frags == sorted(tuple(x.fragments) for x in project.annotations(project.doc) if x.fragments)


def test_claims_and_events_keep_fragments_with_utf16_offsets(project, tmp_path):
    export(project, ExportOptions("claims", out=tmp_path / "c.jsonl", offsets="utf16"))
    rec = lines(tmp_path / "c.jsonl")[0]
    e1, e2 = at("The economy"), at("is collapsing")
    assert rec["claim"] == {
        "start": e1[0] + 1,
        "end": e2[1] + 1,
        "fragments": [[e1[0] + 1, e1[1] + 1], [e2[0] + 1, e2[1] + 1]],
        "text": "The economy is collapsing",
    }
    export(project, ExportOptions("events", out=tmp_path / "e.jsonl"))
    ents = {x["id"]: x for x in lines(tmp_path / "e.jsonl")[0]["entities"]}
    assert ents["vE"]["fragments"] == [list(VIT), [LETTERS["E"], LETTERS["E"] + 1]] and ents["vE"]["text"] == "vitamins E"


# -- formats that apply the policy -------------------------------------------------
def spans_of(path: Path) -> list[tuple[int, int, str, str]]:
    return [(s["start"], s["end"], s["label"], s["text"]) for rec in lines(path) for s in rec["spans"]]


def test_spans_split_is_the_default(project, tmp_path):
    report = export(project, ExportOptions("spans", out=tmp_path / "s.jsonl"))
    got = spans_of(tmp_path / "s.jsonl")
    a, d, e = (LETTERS[x] for x in "ADE")
    # "vitamins" once (shared by three entities), then each letter; "he" as it was
    assert got == [
        (*VIT, "PRODUCT", "vitamins"),
        (a, a + 1, "PRODUCT", "A"),
        (d, d + 1, "PRODUCT", "D"),
        (e, e + 1, "PRODUCT", "E"),
        (*HE, "PERSON", "he"),
    ]
    assert report.fragmented == 3 and report.fragment_pieces_joined == 2
    assert (
        "3 annotations with fragments (discontinuous spans) exported as one span per fragment (a fragment shared "
        "with an identical span of the same label written once) (--fragments split); 2 shared pieces written once"
    ) in report.lines()
    assert report.to_dict()["fragmented"] == {"annotations": 3, "policy": "split", "pieces_joined": 2}


@pytest.mark.parametrize(
    "policy, expected",
    [
        ("hull", ["vitamins A, D and E", "vitamins A, D", "vitamins A", "he"]),  # by start, longest first
        ("first", ["vitamins", "vitamins", "vitamins", "he"]),
        ("skip", ["he"]),
    ],
)
def test_spans_other_policies(project, tmp_path, policy, expected):
    report = export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", fragments=policy))
    assert [x[3] for x in spans_of(tmp_path / "s.jsonl")] == expected
    assert any(f"(--fragments {policy})" in line for line in report.lines())
    assert report.annotations == len(expected)


def test_split_claim_keeps_its_claimant_on_the_first_piece(project, tmp_path):
    export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", kinds=("entity", "claim")))
    rec = lines(tmp_path / "s.jsonl")[0]
    claims = [s for s in rec["spans"] if s["label"] == "CLAIM"]
    assert [s["text"] for s in claims] == ["The economy", "is collapsing"]
    assert [(r["label"]) for r in rec["relations"]] == ["claimant"]  # once, from the first piece


def test_doccano_utf16_offsets_of_the_split_pieces(project, tmp_path):
    export(project, ExportOptions("doccano", out=tmp_path / "d.jsonl", offsets="utf16"))
    rec = lines(tmp_path / "d.jsonl")[0]
    a = LETTERS["A"]
    assert [VIT[0] + 1, VIT[1] + 1, "PRODUCT"] in rec["label"] and [a + 1, a + 2, "PRODUCT"] in rec["label"]
    assert len(rec["label"]) == 5


def test_conll_bio_of_the_split_pieces(project, tmp_path):
    export(project, ExportOptions("conll", out=tmp_path / "c.conll"))
    rows = [line.split(" ") for line in (tmp_path / "c.conll").read_text("utf-8").splitlines() if line.count(" ") == 1]
    tags = {tok: tag for tok, tag in rows if tok in ("vitamins", "A", "D", "E", "and", "he")}
    assert tags == {"vitamins": "B-PRODUCT", "A": "B-PRODUCT", "D": "B-PRODUCT", "E": "B-PRODUCT", "and": "O", "he": "B-PERSON"}
    # hull: overlapping spans BIO cannot hold, reported as such
    report = export(project, ExportOptions("conll", out=tmp_path / "h.conll", fragments="hull"))
    assert report.counts["not_bio"] == 2


def test_hf_loads_in_datasets(project, tmp_path):
    datasets = pytest.importorskip("datasets")
    export(project, ExportOptions("hf", out=tmp_path / "hf"))
    ds = datasets.load_dataset("json", data_files=str(tmp_path / "hf" / "train.jsonl"), split="train")
    names = json.loads((tmp_path / "hf" / "labels.json").read_text("utf-8"))
    row = ds[0]
    tags = dict(zip(row["tokens"], (names[t] if isinstance(t, int) else t for t in row["ner_tags"])))
    assert tags["vitamins"] == "B-PRODUCT" and tags["D"] == "B-PRODUCT" and tags["and"] == "O"


def test_spacy_docbin_of_the_split_pieces(project, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    export(project, ExportOptions("spacy", out=tmp_path / "t.spacy"))
    doc = next(DocBin().from_disk(tmp_path / "t.spacy").get_docs(spacy.blank("en").vocab))
    assert doc.text == TEXT
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("vitamins", "PRODUCT"),
        ("A", "PRODUCT"),
        ("D", "PRODUCT"),
        ("E", "PRODUCT"),
        ("he", "PERSON"),
    ]


def test_labelstudio_regions_of_the_first_fragments(project, tmp_path):
    report = export(project, ExportOptions("labelstudio", out=tmp_path / "ls", fragments="first"))
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text("utf-8"))
    regions = [r for r in tasks[0]["annotations"][0]["result"] if r.get("type") == "labels"]
    assert sorted(r["value"]["text"] for r in regions) == ["he", "vitamins", "vitamins", "vitamins"]
    assert report.fragmented == 3


# -- options ---------------------------------------------------------------------------
def test_fragments_option_is_checked(project, tmp_path):
    with pytest.raises(ExportError, match="brat format keeps discontinuous spans"):
        export(project, ExportOptions("brat", out=tmp_path / "b", fragments="hull"))
    with pytest.raises(ExportError, match="--fragments must be one of split, hull, first, skip"):
        export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", fragments="joined"))
    assert not (tmp_path / "b").exists() and not (tmp_path / "s.jsonl").exists()


def test_cli_fragments_option(project, tmp_path):
    path = project.path
    project.close()
    runner = CliRunner()
    out = tmp_path / "s.jsonl"
    result = runner.invoke(main, ["export", str(path), "--format", "spans", "--fragments", "hull", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 annotations with fragments (discontinuous spans) exported as one span from the first" in result.output
    assert [x[3] for x in spans_of(out)][:3] == ["vitamins A, D and E", "vitamins A, D", "vitamins A"]
    result = runner.invoke(main, ["export", str(path), "--format", "brat", "--fragments", "hull", "--out", str(tmp_path / "b")])
    assert result.exit_code != 0 and "keeps discontinuous spans" in result.output and "Traceback" not in result.output
