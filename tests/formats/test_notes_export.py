"""Notes (issue 14) in and out: the native format (a ``notes`` list on the
annotation and on the document) and brat (``#`` lines), export -> import ->
export, and bad notes in a native file named by file and line."""

from __future__ import annotations

import json

import pytest

from annotator.core import commands as C
from annotator.core.models import Document, claim, entity
from annotator.core.store import Project
from annotator.formats.writing import ExportOptions
from annotator.services.exporting import export
from annotator.services.importing import import_paths

TEXT = "Jaiswal said China granted licences to Indian firms."


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "src.annotator", create=True)
    doc = Document(id="d1", title="Licences", text=TEXT)
    with p.transaction():
        p.add_document(doc, [])
    jaiswal = entity("d1", 0, 7, "PERSON", "ann")
    china = entity("d1", 13, 18, "GPE", "ann")
    stat = claim("d1", 13, 35, "ann", claimant_ref=jaiswal.id)
    C.apply(p, C.AddAnnotations("d1", "ann", [jaiswal, china, stat]))
    C.apply(p, C.SetNote("d1", "ann", jaiswal.id, "spokesperson of the MEA"))
    C.apply(p, C.SetNote("d1", "ann", stat.id, "source: MEA briefing\nsecond line", note_type="Source"))
    C.apply(p, C.SetNote("d1", "ann", "", "is the date right?"))
    p.ids = {"jaiswal": jaiswal.id, "china": china.id, "claim": stat.id}  # type: ignore[attr-defined]
    yield p
    p.close()


def notes_by_text(p: Project, doc_id: str) -> set[tuple[str, str, str, str]]:
    anns = {a.id: TEXT[a.start : a.end] for a in p.annotations(doc_id)}
    return {(n.annotator, anns.get(n.target, "<document>"), n.type, n.text) for n in p.notes(doc_id)}


EXPECTED = {
    ("ann", "Jaiswal", "AnnotatorNotes", "spokesperson of the MEA"),
    ("ann", "China granted licences", "Source", "source: MEA briefing\nsecond line"),
    ("ann", "<document>", "AnnotatorNotes", "is the date right?"),
}


def test_native_export_has_notes_on_annotations_and_the_document(project, tmp_path):
    out = tmp_path / "n.jsonl"
    export(project, ExportOptions("native", out=out))
    [record] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]

    def bare(notes: list[dict]) -> list[dict]:
        assert all(n["updated"] for n in notes)  # a time stamp: merges keep the newer
        return [{k: v for k, v in n.items() if k != "updated"} for n in notes]

    assert bare(record["notes"]) == [{"annotator": "ann", "type": "AnnotatorNotes", "text": "is the date right?"}]
    by_id = {a["id"]: a for a in record["annotations"]}
    assert bare(by_id[project.ids["jaiswal"]]["notes"]) == [{"type": "AnnotatorNotes", "text": "spokesperson of the MEA"}]
    assert bare(by_id[project.ids["claim"]]["notes"]) == [{"type": "Source", "text": "source: MEA briefing\nsecond line"}]
    assert "notes" not in by_id[project.ids["china"]]
    # import into a new project: the same notes; export again: the same bytes
    with Project(tmp_path / "dst.annotator", create=True) as q:
        report = import_paths(q, [out])
        assert report.ok and "3 notes on the documents and their annotations" in report.files[0].all_notes
        assert notes_by_text(q, "d1") == EXPECTED
        again = tmp_path / "again.jsonl"
        export(q, ExportOptions("native", out=again))
        assert again.read_bytes() == out.read_bytes()


def test_native_export_of_one_layer_keeps_its_notes_only(project, tmp_path):
    C.apply(project, C.SetNote("d1", "bob", "", "bob's note on the document"))
    out = tmp_path / "ann.jsonl"
    export(project, ExportOptions("native", out=out, annotator="ann"))
    [record] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [n["annotator"] for n in record["notes"]] == ["ann"]


def test_brat_export_writes_notes_as_hash_lines_and_reads_them_back(project, tmp_path):
    folder = tmp_path / "brat"
    report = export(project, ExportOptions("brat", out=folder))
    [ann_file] = list(folder.glob("*.ann"))
    lines = ann_file.read_text("utf-8").splitlines()
    tids = {line.split("\t")[2]: line.split("\t")[0] for line in lines if line.startswith("T")}
    notes = [line for line in lines if line.startswith("#")]
    assert f"AnnotatorNotes {tids['Jaiswal']}\tspokesperson of the MEA" in [n.split("\t", 1)[1] for n in notes]
    claim_t = tids["China granted licences"]
    assert [n.split("\t", 1)[1] for n in notes if f" {claim_t}\t" in n] == [
        f"Source {claim_t}\tsource: MEA briefing",
        f"Source {claim_t}\tsecond line",
    ]
    assert [n.split("\t")[0] for n in notes] == [f"#{i}" for i in range(1, len(notes) + 1)]
    assert any("1 note on documents not written" in line for line in report.lines())
    with Project(tmp_path / "dst.annotator", create=True) as q:
        assert import_paths(q, [folder], fmt="brat", annotator="ann").ok
        [doc_id] = q.document_ids()
        got = notes_by_text(q, doc_id)
        assert got == EXPECTED - {("ann", "<document>", "AnnotatorNotes", "is the date right?")}


def test_a_note_with_its_annotation_deleted_is_not_exported(project, tmp_path):
    C.apply(project, C.DeleteAnnotations("d1", "ann", [project.ids["jaiswal"]]))
    out = tmp_path / "n.jsonl"
    export(project, ExportOptions("native", out=out))
    text = out.read_text("utf-8")
    assert "spokesperson" not in text and "is the date right?" in text


@pytest.mark.parametrize(
    "notes, where, message",
    [
        ("x", "annotation", "annotation 1 (entity PERSON): 'notes' must be a list"),
        ([{"type": "two words", "text": "t"}], "annotation", "note 1: note type 'two words' must be one word"),
        ([{"text": 5}], "annotation", "note 1: 'text' must be a string"),
        ([{"text": "a"}, {"text": "b"}], "annotation", "note 2: a second note of type 'AnnotatorNotes'"),
        ([{"text": "a", "colour": 1}], "annotation", "note 1: unknown field(s) 'colour'"),
        ([{"text": "a"}], "document", "the document: note 1: 'annotator' (whose note it is) must be a non-empty string"),
    ],
)
def test_bad_notes_in_a_native_file_name_file_line_and_problem(tmp_path, notes, where, message):
    record = {
        "id": "d9",
        "text": "Jaiswal spoke.",
        "annotations": [{"id": "a1", "kind": "entity", "label": "PERSON", "start": 0, "end": 7, "annotator": "ann"}],
    }
    if where == "annotation":
        record["annotations"][0]["notes"] = notes
    else:
        record["notes"] = notes
    f = tmp_path / "bad.jsonl"
    f.write_text(json.dumps({"id": "ok", "text": "fine"}) + "\n" + json.dumps(record) + "\n", "utf-8")
    with Project(tmp_path / "p.annotator", create=True) as p:
        report = import_paths(p, [f], fmt="native")
        assert not report.ok
        said = report.summary() + "\n".join(str(e) for e in report.errors)
        assert "bad.jsonl:2" in said and message in said, said
        assert p.document_count() == 0 and list(p.iter_notes()) == []
