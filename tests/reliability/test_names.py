"""Names people type or import (labels, annotator names, document ids, attribute
values) with quotes, brackets, SQL, newlines, emoji, markup and great length:
stored and exported verbatim, found by search and filters, never SQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core import commands as C
from annotator.core.models import Document, claim, entity
from annotator.core.schema import SchemaError, default_schema, loads_schema, parse_schema
from annotator.core.store import Project
from annotator.services.exporting import ExportOptions, export
from annotator.services.importing import import_paths

NASTY = [
    "O'Brien",
    'say "hi"',
    "[brackets] {braces} (parens)",
    "x'; DROP TABLE annotations;--",
    'a" OR "1"="1',
    "Robert'); DELETE FROM documents WHERE ('1'='1",
    "100% _wild_ %s {0} %(x)s",
    "<b>bold</b> <img src=http://127.0.0.1:1/x>",
    "emoji 😀 family 👨‍👩‍👧 flag 🇨🇳",
    "ünïcödé ℵ 北京 محمد",
    "back\\slash",
    "@gold-not",
    "x" * 100,
]
#: Also allowed where the schema does not restrict names: line breaks, very long strings.
FREE = NASTY + ["tab\tinside", "new\nline", "carriage\r\nreturn", "y" * 20_000, " spaced "]
TEXT = "Beijing granted licences to Tokyo firms on Tuesday, the ministry said. 😀 Prices rose 6.5%."


def nasty_schema():
    data = default_schema().to_dict()
    data["entities"] += [{"name": n, "color": "#123456"} for n in NASTY]
    data["claim"]["attributes"].append({"name": 'note\'s "kind"', "values": NASTY, "default": NASTY[0]})
    return parse_schema(data, "nasty")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = Project(tmp_path / "names.annotator", create=True, schema=nasty_schema())
    yield p
    p.close()


def test_labels_with_line_breaks_or_edge_spaces_are_refused_clearly() -> None:
    for bad in ["new\nline", " lead", "trail ", "nul\x00", ""]:
        data = default_schema().to_dict()
        data["entities"].append({"name": bad})
        with pytest.raises(SchemaError) as info:
            parse_schema(data, "my-schema.toml")
        assert str(info.value).startswith("my-schema.toml: entities[")


def test_schema_round_trip_keeps_names(project: Project, tmp_path: Path) -> None:
    yaml_text = project.schema.dump_yaml()
    again = loads_schema(yaml_text, "yaml", "dumped.yaml")
    assert again.labels("entity")[-len(NASTY) :] == NASTY
    with Project(project.path) as p2:  # stored and read back
        assert p2.schema.labels("entity")[-len(NASTY) :] == NASTY


def test_names_are_stored_verbatim(project: Project) -> None:
    docs = [
        Document(id=name, title=name, external_id=name, text=f"{TEXT} {i}", metadata={name: name}) for i, name in enumerate(FREE)
    ]
    project.insert_documents([(d, []) for d in docs])
    for i, (label, who) in enumerate(zip(NASTY * 2, FREE)):
        doc_id = FREE[i]
        ent = entity(doc_id, 0, 7, label, who, attributes={label: who})
        cl = claim(doc_id, 72, 88, who, claimant_text=who, attributes={'note\'s "kind"': NASTY[i % len(NASTY)]})
        C.apply(project, C.AddAnnotations(doc_id, who, [ent, cl]))
    assert set(FREE) <= set(project.annotators())
    for i, who in enumerate(FREE):
        doc = project.get_document(who)
        assert (doc.id, doc.title, doc.external_id, doc.metadata) == (who, who, who, {who: who})
        anns = project.annotations(who, annotator=who)
        labels = {a.kind: a for a in anns}
        assert labels["entity"].label == NASTY[i % len(NASTY)] and labels["entity"].attributes == {NASTY[i % len(NASTY)]: who}
        assert labels["claim"].claimant_text == who
        assert project.document_ids(label=NASTY[i % len(NASTY)], annotator=who) == [who]
        assert who in project.document_ids(search=who) or who.strip() != who
    # nothing was executed: every table is still there, with everything in it
    assert project.document_count() == len(FREE)
    assert project.integrity_check() == "ok"
    tables = {r[0] for r in project._q("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    assert {"documents", "annotations", "annotators", "history", "label_schema"} <= tables


def test_names_are_exported_verbatim(project: Project, tmp_path: Path) -> None:
    docs = [Document(id=name, title=name, text=f"{TEXT} {i}") for i, name in enumerate(FREE)]
    project.insert_documents([(d, []) for d in docs])
    for i, who in enumerate(FREE):
        label = NASTY[i % len(NASTY)]
        C.apply(
            project,
            C.AddAnnotations(
                who,
                who,
                [
                    entity(who, 0, 7, label, who),
                    claim(who, 72, 88, who, claimant_text=who, attributes={'note\'s "kind"': label}),
                ],
            ),
        )
    native = tmp_path / "native.jsonl"
    export(project, ExportOptions(format="native", out=native))
    records = [json.loads(x) for x in native.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == FREE
    for i, r in enumerate(records):
        who = FREE[i]
        got = {(a["kind"], a["label"], a["annotator"]) for a in r["annotations"]}
        assert got == {("entity", NASTY[i % len(NASTY)], who), ("claim", "CLAIM", who)}
        assert r["title"] == who
    claims = tmp_path / "claims.jsonl"
    export(project, ExportOptions(format="claims", out=claims))
    text = claims.read_text(encoding="utf-8")
    rows = [json.loads(x) for x in text.splitlines()]
    assert len(rows) == len(FREE)
    assert {json.dumps(r, ensure_ascii=False) for r in rows}  # valid JSON lines
    flat = json.dumps(rows, ensure_ascii=False)
    for who in FREE:
        assert json.dumps(who, ensure_ascii=False)[1:-1] in flat
    # one annotator's layer, chosen by its nasty name
    who = NASTY[3]
    one = tmp_path / "one.jsonl"
    export(project, ExportOptions(format="native", out=one, annotator=who))
    assert {a["annotator"] for r in map(json.loads, one.read_text(encoding="utf-8").splitlines()) for a in r["annotations"]} == {
        who
    }
    # and the native export imports back into a fresh project unchanged
    with Project(tmp_path / "copy.annotator", create=True, schema=nasty_schema()) as copy:
        report = import_paths(copy, [native])
        assert report.ok, [str(e) for e in report.errors]
        again = tmp_path / "again.jsonl"
        export(copy, ExportOptions(format="native", out=again))
    assert [json.loads(x)["annotations"] for x in again.read_text(encoding="utf-8").splitlines()] == [
        r["annotations"] for r in records
    ]
