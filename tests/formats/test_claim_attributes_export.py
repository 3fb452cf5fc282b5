"""Unset claim attributes in exports (issue 12, defect 4): every format that writes
claim attributes writes each attribute of the schema, ``null`` where nobody set
it, and reading the native export back gives unset again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.models import Document, claim
from annotator.core.store import Project
from annotator.services.exporting import ExportOptions, export
from annotator.services.importing import import_paths

TEXT = "Officials said exports rose by 70% last year. Nobody believes it."
NAMES = ["claim_type", "check_worthiness", "stance", "veracity"]


@pytest.fixture
def project(tmp_path: Path):
    p = Project(tmp_path / "p.annotator", create=True)
    d = Document(text=TEXT, external_id="doc1")
    judged = claim(d.id, 15, 44, "alice", attributes={"stance": "refutes"})
    untouched = claim(d.id, 46, 65, "alice")
    p.insert_documents([(d, [judged, untouched])])
    yield p
    p.close()


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


def test_claims_export_writes_every_attribute_and_null_for_unset(project, tmp_path):
    export(project, ExportOptions("claims", out=tmp_path / "c.jsonl"))
    recs = {r["claim"]["text"]: r["attributes"] for r in lines(tmp_path / "c.jsonl")}
    assert recs == {
        "exports rose by 70% last year": {"claim_type": None, "check_worthiness": None, "stance": "refutes", "veracity": None},
        "Nobody believes it.": dict.fromkeys(NAMES),
    }
    assert list(recs["Nobody believes it."]) == NAMES  # in schema order


def test_spans_export_writes_claim_attributes_with_null_for_unset(project, tmp_path):
    export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", kinds=("claim",)))
    [rec] = lines(tmp_path / "s.jsonl")
    got = {s["text"]: s["attributes"] for s in rec["spans"]}
    assert got == {
        "exports rose by 70% last year": {"claim_type": None, "check_worthiness": None, "stance": "refutes", "veracity": None},
        "Nobody believes it.": dict.fromkeys(NAMES),
    }
    with Project(tmp_path / "other.annotator", create=True) as other:  # read back (Prodigy reader): unset again
        import_paths(other, [tmp_path / "s.jsonl"])
        [doc_id] = other.document_ids()
        assert sorted((a.start, a.attributes) for a in other.annotations(doc_id)) == [(15, {"stance": "refutes"}), (46, {})]


def test_native_writes_null_for_unset_and_reads_it_back_as_unset(project, tmp_path):
    first = tmp_path / "n1.jsonl"
    export(project, ExportOptions("native", out=first))
    [rec] = lines(first)
    claims = {a["start"]: a["attributes"] for a in rec["annotations"]}
    assert claims == {
        15: {"check_worthiness": None, "claim_type": None, "stance": "refutes", "veracity": None},
        46: dict.fromkeys(sorted(NAMES)),
    }
    with Project(tmp_path / "other.annotator", create=True) as other:
        import_paths(other, [first])
        [doc_id] = other.document_ids()
        back = {a.start: a.attributes for a in other.annotations(doc_id)}
        assert back == {15: {"stance": "refutes"}, 46: {}}  # unset again, not a stored null
        again = tmp_path / "n2.jsonl"
        export(other, ExportOptions("native", out=again))
    assert again.read_bytes() == first.read_bytes()  # export -> import -> export: the same bytes


def test_brat_writes_an_attribute_line_only_for_set_attributes(project, tmp_path):
    export(project, ExportOptions("brat", out=tmp_path / "brat"))
    [ann] = list((tmp_path / "brat").rglob("*.ann"))
    attr_lines = [x.split("\t")[1] for x in ann.read_text("utf-8").splitlines() if x.startswith("A")]
    assert [x.split()[0] for x in attr_lines] == ["stance"]  # brat has no null: unset is no line
