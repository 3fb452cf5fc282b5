"""Document labels in the exports (issue 14), read back by their real consumers:
native (and imported back), doccano ``cats``, the spans JSONL ``cats``, spaCy's
``doc.cats`` in a DocBin, a Hugging Face label column per category (loaded with
``datasets``), and the ``doclabels`` JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.commands import AddAnnotations, SetDocLabel, apply
from annotator.core.models import GOLD, Document, entity
from annotator.core.store import Project
from annotator.formats.writing import ExportError
from annotator.services.exporting import ExportOptions, export
from annotator.services.importing import import_paths

T1 = "China granted licences to Indian firms on Thursday."
T2 = "An editorial on rare earths."
T3 = "Nothing labelled here."


@pytest.fixture
def project(tmp_path: Path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        docs = [Document(text=t, external_id=f"ext-{i}") for i, t in enumerate((T1, T2, T3))]
        p.insert_documents([(d, []) for d in docs])
        d1, d2, d3 = (d.id for d in docs)
        apply(p, AddAnnotations(d1, "alice", [entity(d1, 0, 5, "GPE", "alice")]))
        for cmd in (
            SetDocLabel(d1, "alice", "topic", "trade", "set"),
            SetDocLabel(d1, "alice", "topic", "economy", "set"),
            SetDocLabel(d1, "alice", "genre", "report", "set"),
            SetDocLabel(d2, "alice", "genre", "opinion", "set"),
            SetDocLabel(d1, GOLD, "genre", "analysis", "set"),
        ):
            apply(p, cmd)
        p.ids = (d1, d2, d3)  # type: ignore[attr-defined]
        yield p


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


def test_native_keeps_every_layer_and_imports_back(project: Project, tmp_path: Path) -> None:
    d1, d2, d3 = project.ids  # type: ignore[attr-defined]
    out = tmp_path / "n.jsonl"
    export(project, ExportOptions("native", out=out))
    recs = {r["id"]: r for r in lines(out)}
    assert recs[d1]["doc_labels"] == {
        "alice": {"topic": ["economy", "trade"], "genre": ["report"]},
        GOLD: {"genre": ["analysis"]},
    }
    assert list(recs[d1])[-2:] == ["doc_labels", "review"]
    assert recs[d2]["doc_labels"] == {"alice": {"genre": ["opinion"]}}
    assert "doc_labels" not in recs[d3]  # none set: the record is as before
    # one layer: only alice's
    export(project, ExportOptions("native", out=tmp_path / "a.jsonl", annotator="alice"))
    assert {r["id"]: r.get("doc_labels") for r in lines(tmp_path / "a.jsonl")}[d1] == {
        "alice": {"topic": ["economy", "trade"], "genre": ["report"]}
    }
    # and back into a new project
    with Project(tmp_path / "q.annotator", create=True) as q:
        report = import_paths(q, [out])
        assert report.ok, report
        assert q.doc_labels_by_document() == project.doc_labels_by_document()
        assert {r.source for r in q.doc_label_rows()} == {"imported"}
        # the same file again adds nothing
        import_paths(q, [out])
        assert len(q.doc_label_rows()) == len(project.doc_label_rows())


def test_native_import_of_bad_doc_labels_names_file_line_and_problem(project: Project, tmp_path: Path) -> None:
    good = {"format": "annotator-native", "text": "Some text.", "annotations": []}
    cases = [
        (
            {"alice": {"genre": ["report", "opinion"]}},
            "n.jsonl:2: document: document labels of alice: doc_labels['genre']: a single-choice category, but 2 labels",
        ),
        ({"alice": {"mood": ["x"]}}, "unknown document category 'mood'"),
        ({"alice": ["report"]}, '"doc_labels" must be {annotator: {category: [labels]}}'),
        ({"alice": {"genre": []}}, "'genre' must be a non-empty list of label names"),
    ]
    with Project(tmp_path / "q.annotator", create=True) as q:
        for value, message in cases:
            path = tmp_path / "n.jsonl"
            path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "text": "Other.", "doc_labels": value}) + "\n", "utf-8")
            report = import_paths(q, [path])
            assert not report.ok
            assert any(message in str(e) for e in report.errors), [str(e) for e in report.errors]
            assert q.document_count() == 0 and q.doc_label_rows() == []


def test_doccano_cats_and_spans_cats(project: Project, tmp_path: Path) -> None:
    d1, d2, _ = project.ids  # type: ignore[attr-defined]
    export(project, ExportOptions("doccano", out=tmp_path / "d.jsonl", annotator="alice"))
    recs = {r["id"]: r for r in lines(tmp_path / "d.jsonl")}
    assert recs[d1]["cats"] == ["economy", "trade", "report"] and recs[d2]["cats"] == ["opinion"]
    assert recs[d2]["label"] == []  # a document with document labels only is exported too
    export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", gold=True))
    (gold,) = lines(tmp_path / "s.jsonl")
    assert gold["cats"] == {"report": 0.0, "analysis": 1.0, "opinion": 0.0, "interview": 0.0}
    export(project, ExportOptions("spans", out=tmp_path / "s2.jsonl", annotator="alice", sentences=True))
    first = lines(tmp_path / "s2.jsonl")[0]
    assert first["cats"]["trade"] == 1.0 and first["cats"]["politics"] == 0.0 and first["cats"]["report"] == 1.0


def test_spacy_docbin_has_doc_cats(project: Project, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    d1, d2, _ = project.ids  # type: ignore[attr-defined]
    out = tmp_path / "train.spacy"
    export(project, ExportOptions("spacy", out=out, annotator="alice"))
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    by_id = {d.user_data["meta"]["id"]: d for d in docs}
    topic = {"politics": 0.0, "economy": 1.0, "trade": 1.0, "security": 0.0, "technology": 0.0, "environment": 0.0}
    assert by_id[d1].cats == {**topic, "report": 1.0, "analysis": 0.0, "opinion": 0.0, "interview": 0.0}
    assert by_id[d2].cats == {"report": 0.0, "analysis": 0.0, "opinion": 1.0, "interview": 0.0}
    assert [e.label_ for e in by_id[d1].ents] == ["GPE"]


def test_hf_label_columns_load_with_datasets(project: Project, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    d1, d2, _ = project.ids  # type: ignore[attr-defined]
    out = tmp_path / "hf"
    export(project, ExportOptions("hf", out=out, annotator="alice"))
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))["train"]
    genre, topic = ds.features["genre"], ds.features["topic"]
    assert isinstance(genre, datasets.ClassLabel) and genre.names == ["report", "analysis", "opinion", "interview"]
    inner = topic.feature if hasattr(topic, "feature") else topic[0]
    assert isinstance(inner, datasets.ClassLabel) and inner.names[:3] == ["politics", "economy", "trade"]
    rows = {r["id"]: r for r in ds}
    assert rows[d1]["genre"] == 0 and sorted(rows[d1]["topic"]) == [1, 2]
    assert rows[d2]["genre"] == 2 and rows[d2]["topic"] == []


def test_hf_without_doc_labels_has_no_label_columns(tmp_path: Path) -> None:
    with Project(tmp_path / "p.annotator", create=True) as p:
        d = Document(text=T1)
        p.insert_documents([(d, [entity(d.id, 0, 5, "GPE", "alice")])])
        export(p, ExportOptions("hf", out=tmp_path / "hf"))
        (rec,) = lines(tmp_path / "hf" / "train.jsonl")
        assert set(rec) == {"id", "tokens", "ner_tags"}
        assert "topic" not in (tmp_path / "hf" / "README.md").read_text("utf-8")


def test_doclabels_jsonl(project: Project, tmp_path: Path) -> None:
    d1, d2, d3 = project.ids  # type: ignore[attr-defined]
    export(project, ExportOptions("doclabels", out=tmp_path / "l.jsonl", annotator="alice"))
    recs = lines(tmp_path / "l.jsonl")
    assert [(r["id"], r["text"], r["labels"]) for r in recs] == [
        (d1, T1, {"topic": ["economy", "trade"], "genre": ["report"]}),
        (d2, T2, {"genre": ["opinion"]}),
    ]
    assert recs[0]["meta"] == {"id": d1, "external_id": "ext-0", "annotator": "alice"}
    report = export(project, ExportOptions("doclabels", out=tmp_path / "p.jsonl", per_annotator=True))
    ids = [r["id"] for r in lines(tmp_path / "p.jsonl")]
    assert ids == [f"{d1}@{GOLD}", f"{d1}@alice", f"{d2}@alice"] and report.documents == 2
    export(project, ExportOptions("doclabels", out=tmp_path / "e.jsonl", gold=True, include_empty=True))
    assert [r["labels"] for r in lines(tmp_path / "e.jsonl")] == [{"genre": ["analysis"]}, {}, {}]


def test_several_annotators_labels_need_a_layer(project: Project, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"by several annotators \(@gold, alice\)"):
        export(project, ExportOptions("doclabels", out=tmp_path / "x.jsonl"))
    with pytest.raises(ExportError, match="several annotators"):
        export(project, ExportOptions("spans", out=tmp_path / "y.jsonl"))
    assert not (tmp_path / "x.jsonl").exists() and not (tmp_path / "y.jsonl").exists()


def test_doccano_cats_import_as_doc_labels(project: Project, tmp_path: Path) -> None:
    d1, d2, _ = project.ids  # type: ignore[attr-defined]
    out = tmp_path / "d.jsonl"
    export(project, ExportOptions("doccano", out=out, annotator="alice"))
    with open(out, "a", encoding="utf-8") as fh:  # doccano's own shape, labels the schema lacks: metadata as before
        fh.write(json.dumps({"text": "Something else.", "entities": [], "cats": ["flight"]}) + "\n")
        fh.write(json.dumps({"text": "Two genres.", "entities": [], "cats": ["report", "opinion"]}) + "\n")
    with Project(tmp_path / "q.annotator", create=True) as q:
        report = import_paths(q, [out])
        assert report.ok, report
        labels = q.doc_labels_by_document()
        by_text = {q.document_text(d): per for d, per in labels.items()}
        assert by_text == {
            T1: {"alice": {"topic": ["economy", "trade"], "genre": ["report"]}},
            T2: {"alice": {"genre": ["opinion"]}},
        }
        kept = {d.text: d.metadata.get("cats") for d in q.iter_documents()}
        assert kept["Something else."] == ["flight"] and kept["Two genres."] == ["report", "opinion"] and kept[T1] is None
        notes = [n for f in report.files for n in f.all_notes]
        assert any("not all of them are labels of the schema's document categories" in n and "(2 records)" in n for n in notes)


def test_formats_without_a_place_for_them_say_so(project: Project, tmp_path: Path) -> None:
    report = export(project, ExportOptions("conll", out=tmp_path / "c.conll", annotator="alice"))
    assert any(
        "Document labels of 1 document are not in this file: the conll format has no place for them" in n for n in report.notes
    )
    report = export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", annotator="alice"))
    assert not any("Document labels" in n for n in report.notes)


def test_labelstudio_task_choices_and_back(project: Project, tmp_path: Path) -> None:
    d1, d2, _ = project.ids  # type: ignore[attr-defined]
    out = tmp_path / "ls"
    export(project, ExportOptions("labelstudio", out=out))
    tasks = {t["meta"]["id"]: t for t in json.loads((out / "tasks.json").read_text("utf-8"))}
    by_who = {a["annotator"]: a["result"] for a in tasks[d1]["annotations"]}
    choices = {r["from_name"]: r["value"]["choices"] for r in by_who["alice"] if r["type"] == "choices"}
    assert choices == {"topic": ["economy", "trade"], "genre": ["report"]}
    assert {r["from_name"]: r["value"]["choices"] for r in by_who[GOLD] if r["type"] == "choices"} == {"genre": ["analysis"]}
    config = (out / "labeling-config.xml").read_text("utf-8")
    assert '<Choices name="genre" toName="text" choice="single">' in config
    assert '<Choices name="topic" toName="text" choice="multiple">' in config and '<Choice value="politics"/>' in config
    with Project(tmp_path / "q.annotator", create=True) as q:
        report = import_paths(q, [out / "tasks.json"])
        assert report.ok, report
        got = {q.document_text(d): per for d, per in q.doc_labels_by_document().items()}
        assert got == {project.document_text(d): per for d, per in project.doc_labels_by_document().items()}
        assert all("labelstudio_results" not in d.metadata for d in q.iter_documents())
