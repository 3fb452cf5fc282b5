"""Export orchestration: selection, layers, sentences, splits, offsets, atomic writing, the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from export_fixtures import project, seed_article_project  # noqa: F401 (project: a fixture)

from annotator.cli import main
from annotator.core.models import GOLD, DocStatus, Document, entity
from annotator.core.store import Project
from annotator.services.exporting import (
    FORMATS,
    MARKER,
    ExportCancelled,
    ExportError,
    ExportOptions,
    export,
    json_line,
    parse_split,
    segments,
    split_counts,
)


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- options -----------------------------------------------------------------
@pytest.mark.parametrize(
    "kw, message",
    [
        ({"format": "csv"}, "unknown export format"),
        ({"format": "spans", "gold": True, "annotator": "alice"}, "--gold and --annotator"),
        ({"format": "spans", "per_annotator": True, "gold": True}, "--per-annotator"),
        ({"format": "events", "per_annotator": True}, "names the annotator"),
        ({"format": "brat", "sentences": True}, "--sentences does not apply to the brat"),
        ({"format": "conll", "sentences": True}, "CoNLL always"),
        ({"format": "hf", "offsets": "utf16"}, "--offsets utf16 does not apply to the hf"),
        ({"format": "brat", "offsets": "utf16"}, "brat counts code points"),
        ({"format": "claims", "tokenizer": "spacy"}, "--tokenizer applies"),
        ({"format": "events", "kinds": ("entity",)}, "--kind applies"),
        ({"format": "spans", "kinds": ("relation",)}, "unknown kind"),
        ({"format": "spans", "split": (0.0, 0.0, 0.0)}, "not all zero"),
    ],
)
def test_options_that_do_not_fit_are_refused(kw, message):
    with pytest.raises(ExportError, match=message):
        ExportOptions(**kw).check()


def test_parse_split_and_counts():
    assert parse_split("80/10/10") == pytest.approx((0.8, 0.1, 0.1))
    assert parse_split("8:1:1") == pytest.approx((0.8, 0.1, 0.1))
    assert parse_split("0.9,0.1") == pytest.approx((0.9, 0.1, 0.0))
    for bad in ("80/x/10", "1/2/3/4", "-1/1/1", "0/0/0"):
        with pytest.raises(ExportError, match="split"):
            parse_split(bad)
    assert split_counts(10, (0.8, 0.1, 0.1)) == [8, 1, 1]
    assert split_counts(7, (0.8, 0.1, 0.1)) == [5, 1, 1]  # 5.6, 0.7, 0.7: largest remainders
    assert sum(split_counts(101, (1 / 3, 1 / 3, 1 / 3))) == 101


# -- layers and selection ------------------------------------------------------
def test_single_layer_format_refuses_several_annotators(project, tmp_path):
    out = tmp_path / "s.jsonl"
    with pytest.raises(ExportError) as err:
        export(project, ExportOptions("spans", out=out))
    msg = str(err.value)
    for word in ("alice", "bob", GOLD, "--annotator", "--gold", "--per-annotator", "Nothing was written"):
        assert word in msg
    assert not out.exists() and listing(tmp_path) == []


def test_annotator_gold_and_per_annotator_layers(project, tmp_path):
    export(project, ExportOptions("spans", out=tmp_path / "bob.jsonl", annotator="bob"))
    bob = lines(tmp_path / "bob.jsonl")
    assert len(bob) == 1 and {s["text"] for s in bob[0]["spans"]} == {"China", "Randhir Jaiswal", "Narendra Modi"}
    assert bob[0]["_annotator_id"] == "bob" and bob[0]["meta"]["annotator"] == "bob"

    gold = export(project, ExportOptions("spans", out=tmp_path / "gold.jsonl", gold=True, kinds=("entity", "event")))
    recs = lines(tmp_path / "gold.jsonl")
    assert gold.documents == 1 and len(recs) == 1
    assert [(s["label"], s["text"]) for s in recs[0]["spans"]] == [
        ("GPE", "China"),
        ("LicenceGrant", "granted"),
        ("NORP", "Indian firms"),
        ("PERSON", "Narendra Modi"),
    ]
    assert {r["label"] for r in recs[0]["relations"]} == {"Grantor", "Grantee"}
    # documents without a gold layer are left out, and counted
    assert gold.skipped_empty == 4

    per = export(project, ExportOptions("spans", out=tmp_path / "per.jsonl", per_annotator=True))
    recs = lines(tmp_path / "per.jsonl")
    seed_id = recs[0]["meta"]["id"]
    seed_recs = [r for r in recs if r["meta"]["id"] == seed_id]
    assert sorted(r["_annotator_id"] for r in seed_recs) == sorted(["alice", "bob", GOLD])
    assert per.records == len(recs) == 3 + 1 + 2  # seed x3, unicode, two annotated batch documents
    assert all(r["meta"]["annotator"] == r["_annotator_id"] for r in recs)


def test_unknown_annotator_and_missing_gold_layer_are_said(project, tmp_path):
    with pytest.raises(ExportError, match="no annotator named 'carol' in this project .annotators: alice, bob, imported."):
        export(project, ExportOptions("spans", out=tmp_path / "c.jsonl", annotator="carol"))
    assert not (tmp_path / "c.jsonl").exists()
    empty = Project(tmp_path / "e.annotator", create=True)
    r = export(empty, ExportOptions("spans", out=tmp_path / "g.jsonl", gold=True))
    assert r.documents == 0 and any("No selected document has a gold layer yet" in line for line in r.lines())
    empty.close()


def test_many_layer_formats_keep_every_annotator(project, tmp_path):
    export(project, ExportOptions("events", out=tmp_path / "e.jsonl"))
    seed = lines(tmp_path / "e.jsonl")[0]
    assert {e["annotator"] for e in seed["entities"]} == {"alice", "bob", GOLD}
    assert {e["annotator"] for e in seed["events"]} == {"alice", GOLD}


def test_status_label_and_empty_filters(project, tmp_path):
    r = export(project, ExportOptions("native", out=tmp_path / "a.jsonl", statuses=("done",)))
    assert r.documents == 1 and lines(tmp_path / "a.jsonl")[0]["external_id"] == "seed-0"
    r = export(project, ExportOptions("events", out=tmp_path / "b.jsonl", labels=("MONEY", "PERCENT")))
    assert [x["meta"]["external_id"] for x in lines(tmp_path / "b.jsonl")] == ["seed-0", "unicode-crlf", "batch-2"]
    r = export(project, ExportOptions("events", out=tmp_path / "c.jsonl", labels=("MONEY",), statuses=("in_progress", "new")))
    assert [x["meta"]["external_id"] for x in lines(tmp_path / "c.jsonl")] == ["unicode-crlf"]
    # the document without annotations: left out by default (and counted), kept on request; native keeps all
    r = export(project, ExportOptions("spans", out=tmp_path / "d.jsonl", annotator="imported"))
    assert r.documents == 2 and r.skipped_empty == 3
    assert any("--include-empty" in line for line in r.lines())
    r = export(project, ExportOptions("spans", out=tmp_path / "e.jsonl", annotator="imported", include_empty=True))
    assert r.documents == 5 and r.skipped_empty == 0
    assert export(project, ExportOptions("native", out=tmp_path / "f.jsonl")).documents == 5


# -- sentences -----------------------------------------------------------------
def test_segments_join_sentences_that_spans_and_links_cross():
    text = "Alpha met Beta. Then Gamma left. Delta stayed. Epsilon came."
    doc = Document(text=text)

    def ent(s):
        return entity(doc.id, text.index(s), text.index(s) + len(s), "MISC", "a")

    plain, joined = segments(text, [])
    assert [text[s:e] for s, e in plain] == [
        "Alpha met Beta.",
        "Then Gamma left.",
        "Delta stayed.",
        "Epsilon came.",
    ] and joined == 0
    crossing = ent("Beta. Then")
    segs, joined = segments(text, [crossing])
    assert [text[s:e] for s, e in segs] == ["Alpha met Beta. Then Gamma left.", "Delta stayed.", "Epsilon came."] and joined == 1
    a, b = ent("Gamma"), ent("Epsilon")
    from annotator.core.models import relation

    rel = relation(doc.id, a.id, b.id, "part_of", "a")
    assert len(segments(text, [a, b, rel])[0]) == 4  # links ignored unless asked
    segs, joined = segments(text, [a, b, rel], links=True)
    assert [text[s:e] for s, e in segs] == ["Alpha met Beta.", "Then Gamma left. Delta stayed. Epsilon came."] and joined == 2


def test_sentence_records_are_exact_and_keep_events_whole(project, tmp_path):
    r = export(project, ExportOptions("events", out=tmp_path / "e.jsonl", annotator="alice", sentences=True))
    recs = lines(tmp_path / "e.jsonl")
    assert r.records == len(recs) > r.documents
    for rec in recs:
        doc = project.get_document(rec["meta"]["id"])
        assert doc.text[rec["meta"]["offset"] : rec["meta"]["offset"] + len(rec["text"])] == rec["text"]
        for e in rec["entities"]:
            assert rec["text"][e["start"] : e["end"]] == e["text"]
        for ev in rec["events"]:
            assert rec["text"][ev["trigger"]["start"] : ev["trigger"]["end"]] == ev["trigger"]["text"]
            for arg in ev["arguments"]:
                assert rec["text"][arg["start"] : arg["end"]] == arg["text"]
    meeting = next(ev for rec in recs for ev in rec["events"] if ev["type"] == "Meeting")
    assert [a["text"] for a in meeting["arguments"]] == ["Narendra Modi", "Xi Jinping"]
    assert "sentence" in recs[0]["meta"] and recs[0]["id"].endswith("#0")


# -- offsets -------------------------------------------------------------------
def test_utf16_offsets_count_surrogate_pairs(project, tmp_path):
    export(project, ExportOptions("spans", out=tmp_path / "cp.jsonl", annotator="alice"))
    export(project, ExportOptions("spans", out=tmp_path / "u16.jsonl", annotator="alice", offsets="utf16"))
    cp, u16 = lines(tmp_path / "cp.jsonl")[1], lines(tmp_path / "u16.jsonl")[1]
    assert cp["meta"]["external_id"] == "unicode-crlf"
    units = cp["text"].encode("utf-16-le")
    for a, b in zip(cp["spans"], u16["spans"]):
        assert cp["text"][a["start"] : a["end"]] == a["text"]
        assert units[2 * b["start"] : 2 * b["end"]].decode("utf-16-le") == a["text"]
    flag = next(b for b in u16["spans"] if b["text"] == "🇨🇱")
    assert flag["end"] - flag["start"] == 4
    for t16, t in zip(u16["tokens"], cp["tokens"]):
        assert units[2 * t16["start"] : 2 * t16["end"]].decode("utf-16-le") == t["text"]


def test_json_lines_escape_what_splitlines_would_cut():
    line = json_line({"t": "a\u2028b\u2029c\x85d\x1ce\n"})
    assert line.count("\n") == 1 and len(line.splitlines()) == 1
    assert json.loads(line) == {"t": "a\u2028b\u2029c\x85d\x1ce\n"}


# -- splits --------------------------------------------------------------------
def _many_docs(path: Path, n: int, order: list[int]) -> Project:
    p = Project(path, create=True)
    items = []
    for i in order:
        d = Document(text=f"Document number {i} mentions Acme.", external_id=f"d{i}")
        at = d.text.index("Acme")
        items.append((d, [entity(d.id, at, at + 4, "ORG", "alice")]))
    p.insert_documents(items)
    return p


def test_split_is_deterministic_exact_and_independent_of_import_order(tmp_path):
    a = _many_docs(tmp_path / "a.annotator", 20, list(range(20)))
    b = _many_docs(tmp_path / "b.annotator", 20, list(reversed(range(20))))
    got = {}
    for name, proj in (("a", a), ("b", b)):
        r = export(proj, ExportOptions("spans", out=tmp_path / f"out-{name}", split=(0.7, 0.2, 0.1), seed=7))
        assert r.splits == {"train": 14, "dev": 4, "test": 2}
        folder = tmp_path / f"out-{name}"
        assert listing(folder) == [MARKER, "dev.jsonl", "test.jsonl", "train.jsonl"]
        got[name] = {s: sorted(x["meta"]["external_id"] for x in lines(folder / f"{s}.jsonl")) for s in ("train", "dev", "test")}
    assert got["a"] == got["b"]
    every = got["a"]["train"] + got["a"]["dev"] + got["a"]["test"]
    assert sorted(every) == sorted(f"d{i}" for i in range(20))
    export(a, ExportOptions("spans", out=tmp_path / "other-seed", split=(0.7, 0.2, 0.1), seed=8))
    other = sorted(x["meta"]["external_id"] for x in lines(tmp_path / "other-seed" / "dev.jsonl"))
    assert other != got["a"]["dev"]
    # the same seed again: the same files, byte for byte
    export(a, ExportOptions("spans", out=tmp_path / "again", split=(0.7, 0.2, 0.1), seed=7))
    for s in ("train", "dev", "test"):
        assert (tmp_path / "again" / f"{s}.jsonl").read_bytes() == (tmp_path / "out-a" / f"{s}.jsonl").read_bytes()
    a.close()
    b.close()


# -- writing -------------------------------------------------------------------
def test_a_failing_export_leaves_nothing_and_keeps_the_previous_one(project, tmp_path, monkeypatch):
    out = tmp_path / "s.jsonl"
    export(project, ExportOptions("spans", out=out, annotator="alice"))
    before = out.read_bytes()
    from annotator.formats import spans

    calls = {"n": 0}
    real = spans.SpansWriter.lines  # what the writer writes: a unit's JSON lines

    def boom(self, unit):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        yield from real(self, unit)

    monkeypatch.setattr(spans.SpansWriter, "lines", boom)
    with pytest.raises(ExportError, match="No space left on device; nothing was written"):
        export(project, ExportOptions("spans", out=out, annotator="alice"))
    assert out.read_bytes() == before
    assert listing(tmp_path) == ["s.jsonl"]  # no temporary file left behind


def test_cancel_stops_and_writes_nothing(project, tmp_path):
    seen = []
    with pytest.raises(ExportCancelled):
        export(
            project,
            ExportOptions("brat", out=tmp_path / "b", annotator="alice"),
            progress=lambda done, total: seen.append((done, total)),
            cancelled=lambda: len(seen) > 1,
        )
    assert seen[0] == (0, 2) and listing(tmp_path) == []


def test_progress_counts_every_document(project, tmp_path):
    seen = []
    export(project, ExportOptions("native", out=tmp_path / "n.jsonl"), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(i, 5) for i in range(6)]


def test_folders_are_replaced_only_when_they_are_exports(project, tmp_path):
    out = tmp_path / "brat"
    export(project, ExportOptions("brat", out=out, annotator="alice"))
    assert (out / MARKER).is_file() and (out / "seed-0.ann").is_file()
    (out / "stale.ann").write_text("old")
    export(project, ExportOptions("brat", out=out, annotator="bob"))
    assert not (out / "stale.ann").exists() and listing(out) == [
        MARKER,
        "annotation.conf",
        "seed-0.ann",
        "seed-0.txt",
        "visual.conf",
    ]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    with pytest.raises(ExportError, match="not empty and was not written by an annotator export"):
        export(project, ExportOptions("brat", out=mine, annotator="alice"))
    assert listing(mine) == ["notes.txt"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="a file is in the way"):
        export(project, ExportOptions("hf", out=tmp_path / "file", annotator="alice"))


def test_never_overwrites_the_project_and_defaults_to_exports_folder(project, tmp_path, monkeypatch):
    with pytest.raises(ExportError, match="the project file itself"):
        export(project, ExportOptions("native", out=project.path))
    monkeypatch.chdir(tmp_path)
    r = export(project, ExportOptions("native"))
    assert r.out == Path("exports") / "full-native.jsonl" and (tmp_path / "exports" / "full-native.jsonl").is_file()
    r = export(project, ExportOptions("claims", out=tmp_path / "exports"))  # an existing folder: the file goes inside
    assert (tmp_path / "exports" / "full-claims.jsonl").is_file()


def test_lines_end_in_newline_only(project, tmp_path):
    export(project, ExportOptions("brat", out=tmp_path / "b", annotator="alice"))
    for f in (tmp_path / "b").iterdir():
        assert b"\r" not in f.read_bytes(), f.name


# -- CLI -----------------------------------------------------------------------
def test_cli_exports_and_reports(project, tmp_path):
    runner = CliRunner()
    out = tmp_path / "c.conll"
    result = runner.invoke(main, ["export", str(project.path), "--format", "conll", "--out", str(out), "--annotator", "alice"])
    assert result.exit_code == 0, result.output
    assert "Exported 2 documents as 2 conll records" in result.output
    assert "overlapping or nested spans BIO tags cannot hold" in result.output
    assert out.read_text("utf-8").startswith("-DOCSTART- -X- O O\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "spans"], "several annotators"),
        (["--format", "hf", "--offsets", "utf16", "--annotator", "alice"], "does not apply"),
        (["--format", "spans", "--split", "a/b/c", "--annotator", "alice"], "split 'a/b/c'"),
    ],
)
def test_cli_errors_are_one_clear_line(project, tmp_path, args, message):
    result = CliRunner().invoke(main, ["export", str(project.path), "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_cli_missing_project(tmp_path):
    result = CliRunner().invoke(main, ["export", str(tmp_path / "none.annotator"), "--format", "native"])
    assert result.exit_code == 1 and "no such project file" in result.output
    assert not (tmp_path / "none.annotator").exists()


def test_every_format_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text("utf-8")
    for name in FORMATS:
        assert f"`{name}`" in doc, name


def test_status_enum_matches_cli_choices():
    cmd = main.get_command(None, "export")
    status = next(p for p in cmd.params if p.name == "statuses")
    assert list(status.type.choices) == [s.value for s in DocStatus]


def test_seed_article_only_project_exports_every_format(tmp_path):
    proj, _ = seed_article_project(tmp_path / "seed.annotator")
    for name in FORMATS:
        # the doclabels format writes documents with document labels; this one has none
        r = export(proj, ExportOptions(name, out=tmp_path / f"out-{name}", include_empty=name == "doclabels"))
        assert r.documents == 1, name
        assert os.path.exists(tmp_path / f"out-{name}")
    proj.close()


def test_docs_examples_are_the_exporters_output():
    """docs/formats.md shows what the exporter writes today (python docs/make_format_examples.py)."""
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "docs" / "make_format_examples.py"
    spec = importlib.util.spec_from_file_location("make_format_examples", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = module.DOC.read_text("utf-8")
    assert module.render(current, module.examples()) == current, "run: python docs/make_format_examples.py"


def test_exports_stream_one_document_at_a_time(tmp_path, monkeypatch):
    """Each document is read, written, and let go before the next is read (memory stays flat)."""
    from annotator.formats.spans import SpansWriter

    proj = _many_docs(tmp_path / "m.annotator", 6, list(range(6)))
    events: list[str] = []
    real_get, real_lines = Project.get_document, SpansWriter.lines

    def get_document(self, doc_id):
        events.append("read")
        return real_get(self, doc_id)

    def lines(self, unit):
        for line in real_lines(self, unit):
            events.append("write")
            yield line

    monkeypatch.setattr(Project, "get_document", get_document)
    monkeypatch.setattr(SpansWriter, "lines", lines)
    export(proj, ExportOptions("spans", out=tmp_path / "s.jsonl"))
    assert events == ["read", "write"] * 6
    proj.close()


def test_native_exports_stream_a_few_documents_at_a_time(tmp_path, monkeypatch):
    """The native writer reads stored rows a chunk of documents at a time (memory stays
    bounded by the chunk) and writes each chunk before reading the next."""
    from annotator.formats import native
    from annotator.services import exporting as export_module

    monkeypatch.setattr(export_module, "ROWS_CHUNK", 2)
    proj = _many_docs(tmp_path / "m.annotator", 5, list(range(5)))
    events: list[str] = []
    real_rows, real_record = Project.document_rows, native.native_row_record

    def document_rows(self, ids):
        events.append(f"read {len(ids)}")
        return real_rows(self, ids)

    def native_row_record(*args, **kwargs):
        events.append("write")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(Project, "document_rows", document_rows)
    monkeypatch.setattr(native, "native_row_record", native_row_record)
    export(proj, ExportOptions("native", out=tmp_path / "n.jsonl"))
    assert events == ["read 2", "write", "write", "read 2", "write", "write", "read 1", "write"]
    proj.close()


def test_an_export_reads_one_snapshot(tmp_path):
    """Edits committed by another connection while an export runs are not half in it."""
    proj = _many_docs(tmp_path / "snap.annotator", 4, list(range(4)))
    other = Project(tmp_path / "snap.annotator")
    doc_ids = proj.document_ids()
    seen = []

    def progress(done, total):
        if done == 1:  # after the first document: another window adds a span to the last one
            d = doc_ids[-1]
            with other.transaction():
                other.put_annotations([entity(d, 0, 8, "MISC", "alice")])
        seen.append(done)

    export(proj, ExportOptions("spans", out=tmp_path / "s.jsonl"), progress=progress)
    last = lines(tmp_path / "s.jsonl")[-1]
    assert [s["label"] for s in last["spans"]] == ["ORG"]  # the export's snapshot predates the edit
    assert len(proj.annotations(doc_ids[-1])) == 2  # and the edit is saved
    assert not proj.conn.in_transaction
    other.close()
    proj.close()
