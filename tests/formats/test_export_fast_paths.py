"""The fast paths of imports and exports: each job has one implementation,
tested here on its output.

- spans: :meth:`SpansWriter.lines` writes the JSON of the tokens itself; every
  line must be exactly :func:`json_line` of its record, and the record what the
  format promises (tokens rebuild the text, spans are whole tokens);
- native: records are made from stored rows (:func:`native_row_record`); they
  hold what the Documents and Annotations hold, in native key order, and
  :func:`native_record` of the models gives the same;
- tokens: :func:`cut_spans` gives the bounds of the tokens ``tokens_from_spans`` cuts;
- imports: a file is written in batches inside its one transaction, and a bad
  record after some batches still leaves nothing; ``TextBuilder.entity`` makes
  what ``TextBuilder.annotation`` makes.
"""

from __future__ import annotations

import json
import pickle
import random

import pytest
from export_fixtures import full_project, project  # noqa: F401 (project: a fixture)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core import store
from annotator.core.models import KINDS, Annotation, Document, entity
from annotator.core.rows import row_to_annotation
from annotator.core.store import Project
from annotator.core.text import canonicalize
from annotator.core.tokenize import cut_spans, token_spans, tokens_from_spans
from annotator.formats import InputError, TextBuilder
from annotator.formats.native import (
    ANNOTATION_KEYS,
    DOCUMENT_KEYS,
    dumps_native,
    native_record,
    native_row_record,
    review_dict,
)
from annotator.formats.spans import SpansWriter
from annotator.formats.writing import DocOffsets, ExportContext, ExportReport, Unit, json_line, sort_key
from annotator.services.exporting import ExportOptions, export
from annotator.services.importing import import_paths

SPANS_OPTIONS = [
    {"annotator": "alice"},
    {"annotator": "alice", "kinds": ("entity", "event", "claim")},
    {"annotator": "alice", "offsets": "utf16"},
    {"annotator": "alice", "sentences": True},
    {"annotator": "alice", "sentences": True, "offsets": "utf16", "kinds": ("entity", "event", "claim")},
    {"gold": True},
    {"per_annotator": True},
    {"per_annotator": True, "include_empty": True, "kinds": ("entity", "claim")},
]


def _slicer(text: str, utf16: bool):
    """``text[start:end]`` for offsets in code points, or in UTF-16 code units."""
    if not utf16:
        return lambda start, end: text[start:end]
    units = text.encode("utf-16-le")
    return lambda start, end: units[2 * start : 2 * end].decode("utf-16-le")


def _check_spans_line(line: str, utf16: bool) -> dict:
    """What every line of the spans format is; returns its record."""
    rec = json.loads(line)
    assert json_line(rec) == line  # exactly what json.dumps writes of the record (the tokens too)
    assert list(rec)[:4] == ["text", "meta", "tokens", "spans"] and rec["answer"] == "accept"
    text, tokens = rec["text"], rec["tokens"]
    assert "".join(t["text"] + " " * t["ws"] for t in tokens) == text
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    piece = _slicer(text, utf16)
    assert all(piece(t["start"], t["end"]) == t["text"] for t in tokens)
    for span in rec["spans"]:
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]
        assert piece(span["start"], span["end"]) == span["text"]
    ends = {span["token_end"] for span in rec["spans"]}
    assert all(r["head"] in ends and r["child"] in ends for r in rec.get("relations", []))
    return rec


@pytest.mark.parametrize("opts", SPANS_OPTIONS)
def test_spans_lines_are_the_json_of_their_records(project, tmp_path, opts):
    report = export(project, ExportOptions("spans", out=tmp_path / "s.jsonl", **opts))
    lines = (tmp_path / "s.jsonl").read_text("utf-8").splitlines(keepends=True)
    assert len(lines) == report.records > 0
    records = [_check_spans_line(line, opts.get("offsets") == "utf16") for line in lines]
    assert sum(len(r["spans"]) for r in records) > 0 and report.lines() != []


_ALPHABET = st.sampled_from(
    list("ab Z9 .,-'’\"\\“”")
    + [
        "  ",
        "\n",
        "\n\n",
        "\t",
        "\r",
        "\x01",
        "\x85",
        "\u2028",
        "\u2029",
        "\xa0",
        "é",
        "e\u0301",
        "北京",
        "😀",
        "👨\u200d👩\u200d👧",
        "🇨🇱",
        "U.S.",
        "2,000",
        "\ufeff",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(_ALPHABET, min_size=1, max_size=40),
    cuts=st.lists(st.tuples(st.integers(0, 200), st.integers(1, 8)), max_size=6),
    utf16=st.booleans(),
    leading=st.sampled_from(["", " ", "  ", "\n"]),
)
def test_spans_lines_on_random_text(project, pieces, cuts, utf16, leading):
    text = canonicalize(leading + "".join(pieces))[0]
    if not text.strip():
        text += "x"
    doc = Document(text=text)
    anns = []
    for start, length in cuts:
        start = start % len(text)
        end = min(len(text), start + length)
        anns.append(entity(doc.id, start, end, "ORG", "alice"))
    anns.sort(key=sort_key)
    options = ExportOptions("spans", offsets="utf16" if utf16 else "codepoint")
    report = ExportReport(format="spans", out=None)  # type: ignore[arg-type]
    writer = SpansWriter(ExportContext(options, project, report))
    unit = Unit(doc, anns, 0, len(text), "alice", None, DocOffsets(text, "utf16") if utf16 else None)
    (line,) = writer.lines(unit)
    rec = _check_spans_line(line, utf16)
    assert rec["text"] == text and rec["_annotator_id"] == "alice"
    # every span is exported or reported (a span of whitespace only holds no token)
    assert len(rec["spans"]) + report.counts["not_exported"] == len(anns)
    assert writer.records(unit) == [rec]


def test_native_records_of_stored_rows(tmp_path):
    project = full_project(tmp_path / "n.annotator")
    ids = project.document_ids()
    with project.transaction():  # a review decision, so records carry one
        project.put_review_decision(
            {
                "id": "r1",
                "doc_id": ids[0],
                "reviewer": "rev",
                "time": "2025-01-01T00:00:00.000+00:00",
                "action": "accept",
                "source_ids": ["a", "b"],
                "gold_id": None,
                "detail": {"z": 1, "a": [2]},
            }
        )
    docs = project.document_rows(ids)
    rows = project.annotation_rows_by_document(ids)
    assert project.review_decisions(ids[0])
    for doc_id in ids:
        doc, anns, review = project.get_document(doc_id), project.annotations(doc_id), project.review_decisions(doc_id)
        assert [row_to_annotation(r) for r in rows.get(doc_id, [])] == anns
        got = native_row_record(docs[doc_id], rows.get(doc_id, []), project.schema, review)
        assert list(got) == ["format", "format_version", "schema", *DOCUMENT_KEYS, "annotations", "review"]
        assert got["schema"] == {"name": project.schema.name, "version": project.schema.version}
        assert {k: got[k] for k in DOCUMENT_KEYS} == doc.model_dump(mode="json")
        assert list(got["metadata"]) == sorted(got["metadata"])
        ordered = sorted(
            anns, key=lambda a: (KINDS.index(a.kind), -1 if a.start is None else a.start, -1 if a.end is None else a.end, a.id)
        )
        assert [d["id"] for d in got["annotations"]] == [a.id for a in ordered]
        for d, a in zip(got["annotations"], ordered):
            dumped = a.model_dump(mode="json")
            del dumped["doc_id"]
            if dumped["fragments"] is None:  # written only for a discontinuous span
                del dumped["fragments"]
            if not dumped["links"]:  # written only when an entity has knowledge-base links
                del dumped["links"]
            if a.kind == "claim":  # every claim attribute of the schema, null where unset
                dumped["attributes"] = {x.name: None for x in project.schema.claim.attributes} | dumped["attributes"]
            assert list(d) == list(ANNOTATION_KEYS) and d == dumped
            assert list(d["attributes"]) == sorted(d["attributes"])
        assert got["review"] == [review_dict(x) for x in review]
        assert native_record(doc, anns, project.schema, review) == got
        assert dumps_native(native_record(doc, anns, project.schema, review)) == dumps_native(got)
    assert project.annotation_rows_by_document(ids, "bob").keys() == {ids[0]}
    project.close()


def test_native_export_of_all_layers_equals_the_records(tmp_path):
    project = full_project(tmp_path / "n.annotator")
    export(project, ExportOptions("native", out=tmp_path / "n.jsonl"))
    want = [
        dumps_native(native_record(d, project.annotations(d.id), project.schema, project.review_decisions(d.id))) + "\n"
        for d in project.iter_documents()
    ]
    assert (tmp_path / "n.jsonl").read_text("utf-8") == "".join(want)
    project.close()


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab1 .,-\n\t😀é")), min_size=1, max_size=60), st.lists(st.integers(0, 70), max_size=8)
)
def test_cut_spans_are_the_bounds_of_the_cut_tokens(text, boundaries):
    spans = token_spans(text)
    assert cut_spans(spans, boundaries) == [(t.start, t.end) for t in tokens_from_spans(text, spans, boundaries)]


def _jsonl(path, n, bad_last=False):
    rng = random.Random(n)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            words = " ".join(rng.choice(["China", "India", "talks", "trade", "Reuters"]) for _ in range(12))
            fh.write(json.dumps({"id": f"d{i}", "text": f"Document {i}: {words}.", "spans": [[0, 8, "ORG"]]}) + "\n")
        if bad_last:
            fh.write(json.dumps({"id": "bad", "text": "Bad span.", "spans": [[5, 50, "ORG"]]}) + "\n")


def _rows(project):
    docs = project.conn.execute(
        "SELECT external_id, title, text, sha256, source, metadata, status FROM documents ORDER BY seq"
    ).fetchall()
    anns = project.conn.execute(
        'SELECT d.external_id, a.kind, a.label, a.start, a."end", a.annotator, a.source '
        "FROM annotations a JOIN documents d ON a.doc_id = d.id ORDER BY a.rowid"
    ).fetchall()
    history = project.conn.execute("SELECT actor, action, detail FROM history ORDER BY seq").fetchall()
    return docs, anns, history


def test_an_import_is_written_in_batches_in_one_transaction(tmp_path, monkeypatch):
    _jsonl(tmp_path / "good.jsonl", 7)
    whole = Project(tmp_path / "whole.annotator", create=True)
    assert import_paths(whole, [tmp_path / "good.jsonl"]).documents == 7
    monkeypatch.setattr(store, "_INSERT_BATCH", 2)
    batched = Project(tmp_path / "batched.annotator", create=True)
    assert import_paths(batched, [tmp_path / "good.jsonl"]).documents == 7
    assert _rows(batched) == _rows(whole)
    # A bad record after three batches were written: the file imports nothing.
    _jsonl(tmp_path / "bad.jsonl", 7, bad_last=True)
    before = _rows(batched)
    fresh = Project(tmp_path / "fresh.annotator", create=True)
    report = import_paths(fresh, [tmp_path / "bad.jsonl"])
    assert report.refused and fresh.document_count() == 0 and _rows(fresh)[2] == []
    assert "bad.jsonl:8" in str(report.errors[0])
    partial = import_paths(fresh, [tmp_path / "bad.jsonl"], partial=True)
    assert partial.documents == 7 and fresh.document_count() == 7 and len(partial.errors) == 1
    assert _rows(batched) == before
    for p in (whole, batched, fresh):
        p.close()


def test_builder_entity_is_builder_annotation():
    b = TextBuilder("China and India", file="f.jsonl", line=3, doc_name="document 'x'")
    fast = b.entity("doc", "span 1 (GPE)", 0, 5, "GPE", "alice")
    plain = b.annotation("doc", "span 1 (GPE)", kind="entity", start=0, end=5, label="GPE", annotator="alice")
    same = plain.model_copy(update={"id": fast.id})
    assert fast == same and list(fast.__dict__.items()) == list(same.__dict__.items())
    assert [type(v) for v in fast.__dict__.values()] == [type(v) for v in same.__dict__.values()]
    assert fast.model_fields_set == plain.model_fields_set
    assert (fast.__pydantic_extra__, fast.__pydantic_private__) == (same.__pydantic_extra__, same.__pydantic_private__)
    assert repr(fast) == repr(same) and fast.model_dump_json() == same.model_dump_json()
    assert pickle.loads(pickle.dumps(fast)) == fast and Annotation.model_validate(fast.model_dump()) == fast
    assert fast.model_copy(update={"label": "ORG"}).label == "ORG" and fast.label == "GPE"
    fast.attributes["x"] = 1  # its own containers, not shared defaults
    assert b.entity("doc", "w", 0, 5, "GPE", "alice").attributes == {}
    for label, who in (("G\ud800", "alice"), ("GPE", "al\udc00ice"), ("G\ud800", "b\udc00")):
        with pytest.raises(InputError) as fast_err:
            b.entity("doc", "span 1", 0, 5, label, who)
        with pytest.raises(InputError) as plain_err:
            b.annotation("doc", "span 1", kind="entity", start=0, end=5, label=label, annotator=who)
        assert str(fast_err.value) == str(plain_err.value)
    with pytest.raises(InputError) as fast_err:
        b.entity("doc", "span 1", 0, 5, "GPE", 7)  # type: ignore[arg-type]
    with pytest.raises(InputError) as plain_err:
        b.annotation("doc", "span 1", kind="entity", start=0, end=5, label="GPE", annotator=7)
    assert str(fast_err.value) == str(plain_err.value)
