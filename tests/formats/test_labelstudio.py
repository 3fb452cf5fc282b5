"""Label Studio: its JSON export (a list of tasks, one task object) and JSON-MIN in,
``--format labelstudio`` out; files written here in Label Studio's own shapes."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import full_project

from annotator.core.models import GOLD, Document, entity
from annotator.core.models import relation as relation_between
from annotator.core.store import Project
from annotator.formats import InputError
from annotator.formats.labelstudio import (
    LABELING_CONFIG,
    LabelStudioOptions,
    code_point_offsets,
    iter_labelstudio,
    read_labelstudio,
)
from annotator.formats.writing import ExportOptions
from annotator.services.exporting import export
from annotator.services.importing import detect_format, import_paths


def region(rid: str, start: int, end: int, text: str | None, *labels: str, **extra: Any) -> dict[str, Any]:
    value: dict[str, Any] = {"start": start, "end": end, "labels": list(labels)}
    if text is not None:
        value["text"] = text
    return {
        "value": value,
        "id": rid,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
        **extra,
    }


def choice(rid: str, name: str, *choices: str) -> dict[str, Any]:
    return {"value": {"choices": list(choices)}, "id": rid, "from_name": name, "to_name": "text", "type": "choices"}


def relation(head: str, tail: str, *labels: str, direction: str = "right") -> dict[str, Any]:
    item: dict[str, Any] = {"from_id": head, "to_id": tail, "type": "relation", "direction": direction}
    if labels:
        item["labels"] = list(labels)
    return item


def task(text: str, *annotations: dict[str, Any], tid: int = 7, predictions: list | None = None, **data: Any) -> dict[str, Any]:
    return {
        "id": tid,
        "annotations": list(annotations),
        "predictions": predictions or [],
        "data": {"text": text, **data},
        "meta": {},
        "created_at": "2026-11-01T09:00:00.000000Z",
        "updated_at": "2026-11-01T09:30:00.000000Z",
        "inner_id": tid,
        "total_annotations": len(annotations),
        "cancelled_annotations": 0,
        "total_predictions": 0,
        "project": 2,
        "updated_by": 1,
        "file_upload": 3,
    }


def annotation(*results: dict[str, Any], by: Any = 1, aid: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        "id": aid,
        "completed_by": by,
        "result": list(results),
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": "2026-11-01T10:00:00.000000Z",
        "updated_at": "2026-11-01T10:00:00.000000Z",
        "lead_time": 12.5,
        "prediction": {},
        "result_count": 0,
        "task": 7,
        "parent_prediction": None,
        "parent_annotation": None,
        **extra,
    }


TEXT = "Acme hired Bo in Oslo."
ACME = region("r1", 0, 4, "Acme", "ORG")
BO = region("r2", 11, 13, "Bo", "PER")
OSLO = region("r3", 17, 21, "Oslo", "LOC")


def write(path: Path, value: Any, indent: int | None = 2) -> Path:
    path.write_text(json.dumps(value, indent=indent, ensure_ascii=False), "utf-8")
    return path


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "p.annotator", create=True)
    yield p
    p.close()


def spans(pairs) -> list[tuple[str, str, str]]:
    """(annotator, label, text) of every entity, sorted."""
    return sorted((a.annotator, a.label, doc.text[a.start : a.end]) for doc, anns in pairs for a in anns if a.kind == "entity")


def links(pairs) -> list[tuple[str, str, str, str]]:
    out = []
    for doc, anns in pairs:
        by_id = {a.id: a for a in anns}
        for a in anns:
            if a.kind == "relation":
                head, tail = by_id[a.head], by_id[a.tail]
                out.append((a.annotator, a.label, doc.text[head.start : head.end], doc.text[tail.start : tail.end]))
    return sorted(out)


# -- the JSON export -------------------------------------------------------------
def full_export(tmp_path: Path) -> Path:
    return write(
        tmp_path / "project-2-at-2026-11-01.json",
        [
            task(
                TEXT,
                annotation(
                    ACME,
                    BO,
                    OSLO,
                    choice("r1", "kind", "company"),
                    {"value": {"text": ["a start-up"]}, "id": "r1", "from_name": "note", "to_name": "text", "type": "textarea"},
                    relation("r1", "r2", "employs"),
                    relation("r2", "r3"),
                    choice("doc1", "sentiment", "positive"),
                    by=1,
                    created_username=" alice@example.org, 1",
                ),
                annotation(region("x1", 0, 4, "Acme", "ORG"), by={"id": 2, "email": "bea@example.org"}, aid=4),
                annotation(by=3, aid=5, was_cancelled=True),
                predictions=[{"model_version": "ner-v2", "score": 0.5, "result": [region("p1", 11, 13, "Bo", "PER")]}],
                source="wire",
            )
        ],
    )


def test_task_list_with_several_annotators_relations_attributes(tmp_path, project):
    path = full_export(tmp_path)
    assert detect_format(path) == "labelstudio"  # not native (tasks have an "annotations" list)
    report = import_paths(project, [path], add_labels=True)
    assert report.ok, report.errors
    (doc_id,) = project.document_ids()
    doc = project.get_document(doc_id)
    assert doc.text == TEXT and doc.external_id == "7"
    assert doc.metadata["source"] == "wire"
    assert doc.metadata["labelstudio_results"] == {"alice@example.org": {"sentiment": "positive"}}
    anns = project.annotations(doc_id)
    assert spans([(doc, anns)]) == [
        ("alice@example.org", "LOC", "Oslo"),
        ("alice@example.org", "ORG", "Acme"),
        ("alice@example.org", "PER", "Bo"),
        ("bea@example.org", "ORG", "Acme"),
    ]
    assert links([(doc, anns)]) == [
        ("alice@example.org", "employs", "Acme", "Bo"),
        ("alice@example.org", "related", "Bo", "Oslo"),  # a relation without labels
    ]
    acme = next(a for a in anns if a.annotator == "alice@example.org" and a.label == "ORG")
    assert acme.attributes == {"kind": "company", "note": "a start-up"}
    notes = report.files[0].notes
    assert any("1 cancelled (skipped) annotation not imported" in n for n in notes)
    assert any("1 prediction not imported" in n and "--predictions" in n for n in notes)


def test_predictions_only_on_request_as_their_own_layer(tmp_path):
    path = full_export(tmp_path)
    assert "prediction:ner-v2" not in {a.annotator for _, anns in read_labelstudio(path) for a in anns}
    pairs = read_labelstudio(path, options=LabelStudioOptions(predictions=True))
    assert [(w, label, t) for w, label, t in spans(pairs) if w.startswith("prediction:")] == [("prediction:ner-v2", "PER", "Bo")]


def test_completed_by_ids_and_emails(tmp_path):
    path = write(
        tmp_path / "t.json",
        [
            task("Acme rose.", annotation(region("a", 0, 4, "Acme", "ORG"), by=12), tid=1),
            task("Beta fell.", annotation(region("a", 0, 4, "Beta", "ORG"), by={"id": 5, "email": "c@x.org"}), tid=2),
            task("Gamma won.", annotation(region("a", 0, 5, "Gamma", "ORG"), by=None), tid=3),
        ],
    )
    assert [w for w, _, _ in spans(read_labelstudio(path))] == ["c@x.org", "imported", "user 12"]


def test_annotator_option_names_one_layer_and_refuses_to_merge_several(tmp_path):
    one = write(tmp_path / "one.json", [task(TEXT, annotation(ACME))])
    assert [w for w, _, _ in spans(read_labelstudio(one, annotator="dana"))] == ["dana"]
    several = full_export(tmp_path)
    with pytest.raises(InputError) as err:
        read_labelstudio(several, annotator="dana")
    assert "several annotators" in str(err.value) and "without --annotator" in str(err.value)
    assert err.value.file == str(several) and err.value.line == 2


def test_relation_directions_and_several_labels(tmp_path):
    path = write(
        tmp_path / "t.json",
        [
            task(
                TEXT,
                annotation(
                    ACME,
                    BO,
                    relation("r1", "r2", "employs", "pays", direction="right"),
                    relation("r1", "r2", "works_for", direction="left"),
                ),
            )
        ],
    )
    assert links(read_labelstudio(path)) == [
        ("user 1", "employs", "Acme", "Bo"),
        ("user 1", "pays", "Acme", "Bo"),
        ("user 1", "works_for", "Bo", "Acme"),
    ]
    both = write(tmp_path / "bi.json", [task(TEXT, annotation(ACME, BO, relation("r1", "r2", "met", direction="bi")))])
    (rel,) = [a for _, anns in read_labelstudio(both) for a in anns if a.kind == "relation"]
    assert rel.attributes == {"direction": "bi"}


def test_one_task_object_over_many_lines_is_not_read_as_json_lines(tmp_path, project):
    # Label Studio's cloud storage writes one task per file, pretty-printed: read
    # line by line it was "not valid JSON: Extra data".
    path = write(tmp_path / "7.json", task(TEXT, annotation(ACME, BO)))
    assert detect_format(path) == "labelstudio"
    report = import_paths(project, [path], add_labels=True)
    assert report.ok, report.errors
    assert report.annotations == 2


def test_compact_export_on_one_line(tmp_path, project):
    path = write(tmp_path / "c.json", [task(TEXT, annotation(ACME))], indent=None)
    assert detect_format(path) == "labelstudio"
    assert import_paths(project, [path], add_labels=True).ok


def test_tasks_one_per_line(tmp_path, project):
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps(task(t, annotation(ACME), tid=i)) + "\n" for i, t in enumerate([TEXT, TEXT + " Again."])))
    assert detect_format(path) == "labelstudio"
    report = import_paths(project, [path], add_labels=True)
    assert report.ok and report.documents == 2, report.errors


def test_tasks_without_annotations(tmp_path):
    path = write(tmp_path / "t.json", [{"id": 1, "data": {"text": "Just text."}}])
    assert detect_format(path) == "labelstudio"
    ((doc, anns),) = read_labelstudio(path)
    assert doc.text == "Just text." and anns == []


# -- JSON-MIN ----------------------------------------------------------------------
def test_json_min_records_of_one_task_are_one_document_with_a_layer_each(tmp_path):
    rec = {"text": TEXT, "id": 7, "source": "wire", "annotation_id": 3, "created_at": "x", "updated_at": "y", "lead_time": 2.0}
    path = write(
        tmp_path / "min.json",
        [
            {
                **rec,
                "label": [{"start": 0, "end": 4, "text": "Acme", "labels": ["ORG"]}],
                "sentiment": "positive",
                "annotator": "a@x.org",
            },
            {**rec, "label": [{"start": 11, "end": 13, "text": "Bo", "labels": ["PER"]}], "annotator": 4, "annotation_id": 4},
        ],
    )
    assert detect_format(path) == "labelstudio"
    pairs = read_labelstudio(path)
    assert len(pairs) == 1
    assert spans(pairs) == [("a@x.org", "ORG", "Acme"), ("user 4", "PER", "Bo")]
    doc = pairs[0][0]
    assert doc.external_id == "7" and doc.metadata["source"] == "wire"


# -- the text field ------------------------------------------------------------------
def test_data_key_from_option_config_only_string_or_text(tmp_path):
    body = "Acme hired Bo."
    only = write(tmp_path / "only.json", [{"id": 1, "data": {"body": body, "n": 3}, "annotations": [annotation(ACME)]}])
    assert read_labelstudio(only)[0][0].text == body
    two = write(tmp_path / "two.json", [{"id": 1, "data": {"body": body, "url": "http://x"}, "annotations": [annotation(ACME)]}])
    with pytest.raises(InputError) as err:
        read_labelstudio(two)
    assert "no 'text' field" in str(err.value) and "'body', 'url'" in str(err.value) and "--data-key" in str(err.value)
    assert read_labelstudio(two, options=LabelStudioOptions(data_key="body"))[0][0].text == body
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / LABELING_CONFIG).write_text(
        '<View><Labels name="label" toName="article"><Label value="ORG"/></Labels><Text name="article" value="$body"/></View>',
        "utf-8",
    )
    item = region("r1", 0, 4, "Acme", "ORG", to_name="article")
    conf = write(folder / "t.json", [{"id": 1, "data": {"body": body, "url": "http://x"}, "annotations": [annotation(item)]}])
    assert read_labelstudio(conf)[0][0].text == body


def test_broken_labelling_config_is_named(tmp_path):
    (tmp_path / LABELING_CONFIG).write_text("<View><Text name='t'", "utf-8")
    path = write(tmp_path / "t.json", [task(TEXT, annotation(ACME))])
    with pytest.raises(InputError) as err:
        read_labelstudio(path)
    assert LABELING_CONFIG in err.value.file and "labelling config" in str(err.value)


# -- offsets -------------------------------------------------------------------------
EMOJI = "Fans 😀 cheered Acme in Oslo."  # "Acme": code points 15-19, UTF-16 units 16-20


def emoji_task(start: int, end: int, text: str | None = "Acme") -> dict[str, Any]:
    return task(EMOJI, annotation(region("r1", start, end, text, "ORG")))


def test_code_point_offsets_conversion():
    convert = code_point_offsets(EMOJI, "utf16")
    assert [convert(i) for i in (0, 5, 6, 7, 8, 16, 20)] == [0, 5, None, 6, 7, 15, 19]
    assert code_point_offsets(EMOJI, "codepoint")(16) == 16


def test_unit_detected_from_value_text(tmp_path):
    notes: list[str] = []
    new = write(tmp_path / "new.json", [emoji_task(15, 19)])
    items = list(iter_labelstudio(new, notes=notes))
    assert spans([i.pair() for i in items]) == [("user 1", "ORG", "Acme")]
    assert notes == ["offsets read as code points (Label Studio 1.23): every region's value.text matches"]
    notes.clear()
    old = write(tmp_path / "old.json", [emoji_task(16, 20)])
    items = list(iter_labelstudio(old, notes=notes))
    assert spans([i.pair() for i in items]) == [("user 1", "ORG", "Acme")]
    assert notes == ["offsets read as UTF-16 units (Label Studio before 1.23): every region's value.text matches"]


def test_unit_given_and_stale_text_reported_not_moved(tmp_path):
    path = write(tmp_path / "t.json", [emoji_task(16, 20)])
    notes: list[str] = []
    pairs = [i.pair() for i in iter_labelstudio(path, options=LabelStudioOptions(offsets="codepoint"), notes=notes)]
    assert spans(pairs) == [("user 1", "ORG", "cme ")]  # where the offsets point, as asked
    assert notes[0] == "offsets read as code points (as asked)"
    assert "1 region whose value.text disagrees" in notes[1] and "'Acme'" in notes[1] and "'cme '" in notes[1]
    stale = write(tmp_path / "stale.json", [task(TEXT, annotation(region("r1", 0, 4, "Acme Inc", "ORG")))])
    notes.clear()
    assert spans(read_pairs(stale, notes)) == [("user 1", "ORG", "Acme")]
    assert len(notes) == 1 and "value.text 'Acme Inc', text 'Acme'" in notes[0]


def read_pairs(path: Path, notes: list[str], **kw: Any) -> list:
    out = []
    for item in iter_labelstudio(path, notes=notes, **kw):
        if isinstance(item, InputError):
            raise item
        out.append(item.pair())
    return out


def test_no_value_text_reads_code_points_and_says_so(tmp_path):
    path = write(tmp_path / "t.json", [emoji_task(15, 19, text=None)])
    notes: list[str] = []
    assert spans(read_pairs(path, notes)) == [("user 1", "ORG", "Acme")]
    assert "no region carries its text" in notes[0]


def test_utf16_offset_inside_a_surrogate_pair_is_refused(tmp_path):
    path = write(tmp_path / "t.json", [emoji_task(6, 8, text=None)])
    with pytest.raises(InputError) as err:
        read_labelstudio(path, options=LabelStudioOptions(offsets="utf16"))
    assert "splits a character" in str(err.value)


# -- refused -------------------------------------------------------------------------
HTML_REGION = {
    "value": {"start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]", "startOffset": 0, "endOffset": 4, "htmllabels": ["ORG"]},
    "id": "h1",
    "from_name": "ner",
    "to_name": "html",
    "type": "hypertextlabels",
}
PARAGRAPH_REGION = {
    "value": {"start": "0", "end": "0", "startOffset": 0, "endOffset": 4, "paragraphlabels": ["ORG"]},
    "id": "p1",
    "from_name": "ner",
    "to_name": "dialogue",
    "type": "paragraphlabels",
}


@pytest.mark.parametrize(
    ("result", "words"),
    [
        (HTML_REGION, ["HTML (HyperText) regions", "XPath"]),
        (PARAGRAPH_REGION, ["paragraph regions"]),
        ({**region("r1", 0, 4, None, "ORG"), "value": {**HTML_REGION["value"], "labels": ["ORG"]}}, ["XPath or paragraph"]),
        (
            {
                "value": {"x": 1, "y": 2, "width": 3, "height": 4, "rectanglelabels": ["ORG"]},
                "id": "b",
                "type": "rectanglelabels",
            },
            ["not a text region"],
        ),
        (region("r9", 0, 99, "Acme", "ORG"), ["outside the text"]),
        (region("r9", 0, 4, "Acme"), ["value.labels must be a non-empty list"]),
        (relation("r1", "nope", "x"), ["to_id 'nope' is not the id of a labelled region"]),
        (relation("r1", "r1", "x", direction="up"), ["direction must be right, left or bi"]),
    ],
)
def test_refused_regions_name_file_line_task_and_problem(tmp_path, project, result, words):
    path = write(tmp_path / "t.json", [task("Other text.", annotation()), task(TEXT, annotation(ACME, result), tid=8)])
    with pytest.raises(InputError) as err:
        read_labelstudio(path)
    starts = path.read_text("utf-8").splitlines().index('    "id": 8,')  # the line before it opens task 8
    assert err.value.file == str(path) and err.value.line == starts
    assert "task '8'" in str(err.value)
    for w in words:
        assert w in str(err.value)
    before = dump(project.path)
    report = import_paths(project, [path], add_labels=True)
    assert report.files[0].refused and dump(project.path) == before


def test_paragraphs_config_tag_refused(tmp_path):
    (tmp_path / LABELING_CONFIG).write_text('<View><Paragraphs name="dialogue" value="$text"/></View>', "utf-8")
    item = {**region("r1", 0, 4, "Acme", "ORG"), "to_name": "dialogue"}
    path = write(tmp_path / "t.json", [task(TEXT, annotation(item))])
    with pytest.raises(InputError, match="regions on a Paragraphs tag cannot be imported"):
        read_labelstudio(path)


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("", None, ["the file is empty"]),
        ('[{"data": {"text": "a"}}', 1, ["not valid JSON"]),
        ('[{"data": {"text": "a"}}]\n[1]', 2, ["text after the end of the JSON array"]),
        ('{"data": {"text": "a"}}\n{"data": {"text": "b"}} x', 2, ["expected a task ({...})"]),
        ("[1]", 1, ["expected a task"]),
    ],
)
def test_bad_files(tmp_path, content, line, words):
    path = tmp_path / "t.json"
    path.write_text(content, "utf-8")
    with pytest.raises(InputError) as err:
        read_labelstudio(path)
    assert err.value.line == line
    for w in words:
        assert w in str(err.value)


# -- export and round trip --------------------------------------------------------------
def layer_view(project: Project) -> dict[str, tuple[list, list]]:
    """Per document text: entities (annotator, label, start, end, attributes) and relations."""
    out = {}
    for doc_id in project.document_ids():
        doc = project.get_document(doc_id)
        anns = project.annotations(doc_id)
        by_id = {a.id: a for a in anns}
        ents = sorted(
            (a.annotator, a.label, a.start, a.end, json.dumps(a.attributes, sort_keys=True)) for a in anns if a.kind == "entity"
        )
        rels = sorted(
            (a.annotator, a.label, by_id[a.head].start, by_id[a.head].end, by_id[a.tail].start, by_id[a.tail].end)
            for a in anns
            if a.kind == "relation" and by_id[a.head].kind == "entity" and by_id[a.tail].kind == "entity"
        )
        if ents or rels:
            out[doc.text] = (ents, rels)
    return out


def with_attributes(path: Path) -> Project:
    """The export fixture's project, plus a document whose entities carry attributes of every exported kind."""
    project = full_project(path)
    doc = Document(text="Fans 😀 cheered Acme in Oslo.")
    acme = entity(doc.id, 15, 19, "ORG", "carol", attributes={"kind": "company", "tags": ["listed", "big"], "score": 2})
    oslo = entity(doc.id, 23, 27, "GPE", "carol", attributes={"capital": "yes"})
    project.add_document(doc, [acme, oslo, relation_between(doc.id, acme.id, oslo.id, "located_in", "carol")])
    return project


@pytest.mark.parametrize("offsets", ["codepoint", "utf16"])
def test_round_trip_keeps_entities_relations_and_annotators(tmp_path, offsets):
    source = with_attributes(tmp_path / "source.annotator")
    try:
        report = export(source, ExportOptions("labelstudio", out=tmp_path / "ls", offsets=offsets))
        expected = layer_view(source)
    finally:
        source.close()
    assert {a for ents, _ in expected.values() for a, *_ in ents} >= {"alice", "bob", GOLD}
    assert any(rels for _, rels in expected.values())
    assert any(json.loads(e[4]) for ents, _ in expected.values() for e in ents)  # attributes too
    assert report.records == len(json.loads((tmp_path / "ls" / "tasks.json").read_text("utf-8")))
    with Project(tmp_path / "back.annotator", create=True) as back:
        imported = import_paths(back, [tmp_path / "ls"], add_labels=True)
        assert imported.ok, imported.errors
        assert not imported.ignored  # labeling-config.xml is read, not ignored
        assert layer_view(back) == expected


def test_export_shape_and_labelling_config(tmp_path):
    source = full_project(tmp_path / "source.annotator")
    try:
        report = export(source, ExportOptions("labelstudio", out=tmp_path / "ls"))
        schema_labels = source.schema.labels("entity")
    finally:
        source.close()
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text("utf-8"))
    assert isinstance(tasks, list) and tasks
    for t in tasks:
        assert isinstance(t["data"]["text"], str) and t["predictions"] == []
        for ann in t["annotations"]:
            assert set(ann) >= {"result", "annotator", "ground_truth", "was_cancelled"}
            assert "completed_by" not in ann  # Label Studio refuses emails it does not know
            for item in ann["result"]:
                if item["type"] == "labels":
                    assert item["from_name"] == "label" and item["to_name"] == "text" and item["id"]
                    v = item["value"]
                    assert set(v) == {"start", "end", "text", "labels"} and t["data"]["text"][v["start"] : v["end"]] == v["text"]
                elif item["type"] == "relation":
                    assert {"from_id", "to_id", "labels", "direction"} <= set(item)
    config = ET.fromstring((tmp_path / "ls" / LABELING_CONFIG).read_text("utf-8"))
    labels = config.find("Labels")
    assert labels is not None and labels.get("name") == "label" and labels.get("toName") == "text"
    assert set(schema_labels) <= {x.get("value") for x in labels.findall("Label")}
    assert config.find("Text").get("value") == "$text"  # type: ignore[union-attr]
    assert any(LABELING_CONFIG in n for n in report.notes)


def test_regions_on_another_text_of_the_task_are_refused(tmp_path):
    (tmp_path / LABELING_CONFIG).write_text(
        '<View><Text name="head" value="$title"/><Text name="body" value="$body"/>'
        '<Labels name="label" toName="head,body"><Label value="ORG"/></Labels></View>',
        "utf-8",
    )
    on_body = region("r1", 0, 4, "Acme", "ORG", to_name="body")
    on_title = region("r2", 0, 4, "Acme", "ORG", to_name="head")
    data = {"title": "Acme news", "body": "Acme hired Bo."}
    path = write(tmp_path / "t.json", [{"id": 1, "data": data, "annotations": [annotation(on_body)]}])
    assert read_labelstudio(path)[0][0].text == "Acme hired Bo."  # the Text tag its regions are on
    both = write(tmp_path / "both.json", [{"id": 1, "data": data, "annotations": [annotation(on_body, on_title)]}])
    with pytest.raises(InputError) as err:
        read_labelstudio(both, options=LabelStudioOptions(data_key="body"))
    assert "on the Text tag 'head' ($title), not on the text imported ($body)" in str(err.value)


def test_region_notes_are_kept(tmp_path):
    noted = region("r1", 0, 4, "Acme", "ORG", meta={"text": ["check the name"]})
    path = write(tmp_path / "t.json", [task(TEXT, annotation(noted))])
    ((_, (acme,)),) = read_labelstudio(path)
    assert acme.attributes == {"meta": {"text": ["check the name"]}}


def test_command_line_options_data_key_and_predictions(tmp_path):
    from click.testing import CliRunner

    from annotator.cli import main

    data = {"body": TEXT, "url": "http://example.org/1"}
    pred = {"model_version": "ner-v2", "result": [region("p1", 11, 13, "Bo", "PER")]}
    path = write(tmp_path / "t.json", [{"id": 1, "data": data, "annotations": [annotation(ACME)], "predictions": [pred]}])
    target = str(tmp_path / "p.annotator")
    refused = CliRunner().invoke(main, ["import", target, str(path), "--create", "--add-labels"])
    assert refused.exit_code == 1 and "--data-key" in refused.output and "Traceback" not in refused.output
    result = CliRunner().invoke(main, ["import", target, str(path), "--add-labels", "--data-key", "body", "--predictions"])
    assert result.exit_code == 0, result.output
    assert "imported 1 document (2 annotations)" in result.output
    with Project(tmp_path / "p.annotator") as project:
        assert sorted(project.annotators()) == ["prediction:ner-v2", "user 1"]


def test_two_annotations_by_one_name_stay_two_layers(tmp_path):
    path = write(tmp_path / "t.json", [task(TEXT, annotation(ACME, by=None), annotation(BO, by=None, aid=4))])
    assert spans(read_labelstudio(path)) == [("imported", "ORG", "Acme"), ("imported #2", "PER", "Bo")]
