"""The import orchestration: files and folders, formats, duplicates, transactions, labels, progress."""

import json
import os
import sqlite3
from pathlib import Path

import pytest

from annotator.core.store import Project, ReadOnlyProjectError
from annotator.services.importing import FORMATS, detect_format, import_paths, import_seeds
from annotator.services.project import ensure_default_project
from annotator.services.search import TextQuery, search_text

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        yield p


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def texts(project: Project) -> list[str]:
    return [project.document_text(i) for i in project.document_ids()]


# -- files, folders, formats ---------------------------------------------------------
def test_folder_is_recursive_sorted_and_skips_hidden_and_unknown_files(project, tmp_path):
    root = tmp_path / "in"
    (root / "b" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "z.txt").write_text("Zed document")
    (root / "a.txt").write_text("Alpha document")
    (root / "b" / "deeper" / "c.htm").write_text("<title>Charlie</title><p>Charlie document</p>")
    (root / "b" / "m.jsonl").write_text('{"text": "Mike document"}\n')
    (root / ".dot.txt").write_text("hidden file")
    (root / ".hidden" / "x.txt").write_text("hidden folder")
    (root / "notes.pdf").write_bytes(b"%PDF")
    report = import_paths(project, [root])
    assert [Path(f.path).relative_to(root).as_posix() for f in report.files] == ["a.txt", "b/deeper/c.htm", "b/m.jsonl", "z.txt"]
    assert [f.format for f in report.files] == ["txt", "html", "jsonl", "txt"]
    assert report.ignored == [str(root / "notes.pdf")]
    assert texts(project) == ["Alpha document", "Charlie\n\nCharlie document", "Mike document", "Zed document"]
    assert report.ok
    assert (
        report.summary()
        == "imported 4 documents (0 annotations) from 4 files; skipped 0 duplicates; refused 0 files; ignored 1 file of unknown type"
    )


def test_explicit_file_of_unknown_type_is_refused_with_a_hint(project, tmp_path):
    f = tmp_path / "notes.md"
    f.write_text("# Notes")
    report = import_paths(project, [f, tmp_path / "missing.txt"])
    assert [f_.refused for f_ in report.files] == [True, True]
    assert "--format" in str(report.errors[0]) and "'.md'" in str(report.errors[0])
    assert str(report.errors[1]) == f"{tmp_path / 'missing.txt'}: no such file or folder"
    # with a format given it is read as that format
    report = import_paths(project, [f], fmt="txt")
    assert report.ok and texts(project) == ["# Notes"]


def test_detect_format_by_extension_and_keys(tmp_path):
    assert detect_format(DATA / "unicode-crlf.txt") == "txt"
    assert detect_format(DATA / "harbour.html") == "html"
    assert detect_format(DATA / "batch.jsonl") == "jsonl"
    assert detect_format(DATA / "doccano.jsonl") == "doccano"
    assert detect_format(DATA / "prodigy.jsonl") == "prodigy"
    assert detect_format(DATA / "bad" / "not-json.jsonl") == "jsonl"
    assert detect_format(jsonl(tmp_path / "n.json", [{"format": "annotator-native", "text": "x"}])) == "native"
    assert detect_format(jsonl(tmp_path / "a.ndjson", [{"text": "x", "annotations": []}])) == "native"
    assert detect_format(jsonl(tmp_path / "e.jsonl", [{"text": "x", "entities": [{"start_offset": 0}]}])) == "doccano"
    assert detect_format(jsonl(tmp_path / "s.jsonl", [{"text": "x", "spans": [{"token_start": 0}]}])) == "prodigy"
    assert detect_format(tmp_path / "x.pdf") is None
    # a bad first line does not hide the format of the next ones
    f = tmp_path / "late.jsonl"
    f.write_text('not json\n{"text": "x", "label": [[0, 1, "ORG"]]}\n')
    assert detect_format(f) == "doccano"


def _brat_pair(folder):
    (folder / "b.txt").write_text("Sony joined.", encoding="utf-8")
    (folder / "b.ann").write_text("T1\tORG 0 4\tSony\n", encoding="utf-8")
    return folder / "b.ann"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_every_format_name_has_a_reader(project, tmp_path):
    samples = {
        "txt": DATA / "unicode-crlf.txt",
        "html": DATA / "harbour.html",
        "jsonl": DATA / "batch.jsonl",
        "doccano": DATA / "doccano.jsonl",
        "prodigy": DATA / "prodigy.jsonl",
        "native": jsonl(tmp_path / "n.jsonl", [{"text": "Native text.", "annotations": []}]),
        "spans": jsonl(tmp_path / "spans.jsonl", [{"text": "Sony hired.", "spans": [{"start": 0, "end": 4, "label": "ORG"}]}]),
        "brat": _brat_pair(tmp_path),
        "labelstudio": jsonl(tmp_path / "ls.json", [{"id": 1, "data": {"text": "Label Studio task."}, "annotations": []}]),
        "webanno": _write(
            tmp_path / "w.tsv", "#FORMAT=WebAnno TSV 3.3\n#T_SP=x.NamedEntity|value\n\n\n#Text=Sony\n1-1\t0-4\tSony\tORG\t\n"
        ),
        "conll": _write(tmp_path / "c.conll", "Sony B-ORG\nsells O\n"),
        "conll2012": _write(
            tmp_path / "c12.conll",
            "#begin document (d); part 000\nd\t0\t0\tToshiba\t-\t-\t-\t-\t-\t-\t(ORG)\t(0)\n#end document\n",
        ),
    }
    assert sorted(samples) == sorted(FORMATS)
    for fmt, path in samples.items():
        report = import_paths(project, [path], fmt=fmt)
        assert report.ok and report.documents >= 1, fmt
    with pytest.raises(ValueError, match="unknown format"):
        import_paths(project, [DATA / "batch.jsonl"], fmt="csv")
    with pytest.raises(ValueError, match="annotator"):
        import_paths(project, [DATA / "batch.jsonl"], annotator="  ")


def test_whole_corpus_spans_are_exact(project):
    report = import_paths(project, [DATA / "batch.jsonl", DATA / "doccano.jsonl", DATA / "prodigy.jsonl"], annotator="ann")
    assert report.ok and report.documents == 6 and report.annotations == 13
    found = sorted((a.label, project.document_text(a.doc_id)[a.start : a.end]) for a in project.iter_all_annotations())
    expected = []
    for name in ("batch.jsonl", "doccano.jsonl", "prodigy.jsonl"):
        for line in (DATA / name).read_text("utf-8").splitlines():
            rec = json.loads(line)
            spans = (
                rec.get("spans", [])
                if name != "doccano.jsonl"
                else [{"start": s, "end": e, "label": lab} for s, e, lab in rec["label"]]
            )
            expected += [(s["label"], rec["text"][s["start"] : s["end"]]) for s in spans]
    assert found == sorted(expected)
    assert {a.annotator for a in project.iter_all_annotations()} == {"ann"}
    assert {str(a.source) for a in project.iter_all_annotations()} == {"imported"}
    assert project.annotators() == ["ann"]


# -- duplicates ----------------------------------------------------------------
def test_duplicates_are_reported_not_imported_twice(project, tmp_path):
    assert import_paths(project, [DATA / "batch.jsonl"]).documents == 3
    copy = tmp_path / "copy.txt"
    copy.write_text("Same text twice.")
    again = tmp_path / "again.txt"
    again.write_text("Same text twice.")
    inner = jsonl(tmp_path / "inner.jsonl", [{"text": "Inner twin."}, {"text": "Inner twin.", "spans": [[0, 5, "ORG"]]}])
    report = import_paths(project, [DATA / "batch.jsonl", copy, again, inner])
    assert report.documents == 2 and report.duplicates == 5 and report.ok
    assert project.document_count() == 5
    dups = [d for f in report.files for d in f.duplicates]
    assert dups[0].startswith(f"{DATA / 'batch.jsonl'}:1: document 'batch-1' has the same text as document 'Airbus delay'")
    assert "its 3 annotations were not imported" in dups[0]
    assert dups[3] == f"{again}: the document has the same text as {copy}; skipped"
    assert dups[4].startswith(f"{inner}:2: document has the same text as {inner}:1; skipped")
    assert report.summary() == "imported 2 documents (0 annotations) from 2 files; skipped 5 duplicates; refused 0 files"


def test_a_refused_file_does_not_count_as_imported_for_duplicates(project, tmp_path):
    bad = jsonl(tmp_path / "bad.jsonl", [{"text": "Shared text."}, {"nope": 1}])
    good = tmp_path / "good.txt"
    good.write_text("Shared text.")
    report = import_paths(project, [bad, good])
    assert report.files[0].refused and report.files[1].documents == 1 and report.duplicates == 0


# -- transactions ----------------------------------------------------------------
def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_one_transaction_per_file(project, tmp_path):
    """A database failure halfway through a file leaves nothing of it; the next file imports."""
    import_paths(project, [DATA / "doccano.jsonl"])
    project.conn.execute(
        "CREATE TEMP TRIGGER boom BEFORE INSERT ON documents WHEN NEW.title = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END"
    )
    first = jsonl(
        tmp_path / "first.jsonl",
        [
            {"text": "Acme grew.", "spans": [[0, 4, "NEWLABEL"]]},
            {"title": "boom", "text": "This one fails."},
        ],
    )
    second = tmp_path / "second.txt"
    second.write_text("Second file imports.")
    before = dump(project.path)
    schema_before = project.schema
    report = import_paths(project, [first, second], add_labels=True)
    assert report.files[0].refused and "simulated failure" in str(report.files[0].errors[0])
    assert report.files[1].documents == 1

    def rows(lines):  # the second file's document and the history of its import left out
        return [x for x in lines if "Second file imports." not in x and '"history"' not in x and "sqlite_sequence" not in x]

    def tables(lines):  # the full-text index's shadow tables (binary segments) are checked below
        return [x for x in lines if "documents_fts" not in x and "writable_schema" not in x]

    assert tables(rows(dump(project.path))) == tables(rows(before))
    assert len(tables(dump(project.path))) == len(tables(before)) + 2  # one document row, one history row
    assert project.search_index_ok()
    assert list(search_text(project, TextQuery("fails"))) == []
    assert [h.text for h in search_text(project, TextQuery("second"))] == ["Second"]
    # the schema change of the failed file was rolled back with it, cache included
    assert project.schema == schema_before and project.schema.entity("NEWLABEL") is None
    with Project(project.path) as again:
        assert again.schema.entity("NEWLABEL") is None


def test_add_labels_of_every_kind(project, tmp_path):
    rec = {
        "text": "Acme bought Beta.",
        "annotations": [
            {"id": "e1", "kind": "entity", "label": "COMPANY", "start": 0, "end": 4, "annotator": "a"},
            {"id": "e2", "kind": "entity", "label": "ORG", "start": 12, "end": 16, "annotator": "a"},
            {
                "id": "v1",
                "kind": "event",
                "label": "Takeover",
                "start": 5,
                "end": 11,
                "annotator": "a",
                "arguments": [{"role": "Buyer", "target": "e1"}],
            },
            {"id": "r1", "kind": "relation", "label": "rival_of", "head": "e1", "tail": "e2", "annotator": "a"},
        ],
    }
    f = jsonl(tmp_path / "n.jsonl", [rec])
    report = import_paths(project, [f])
    assert report.files[0].refused
    assert str(report.errors[0]) == (
        f"{f}: labels not in the project's schema: COMPANY (entity, line 1); Takeover (event, line 1); "
        "rival_of (relation, line 1); add them to the schema (annotator schema PROJECT --set FILE) or import with --add-labels"
    )
    report = import_paths(project, [f], add_labels=True)
    assert report.ok and report.annotations == 4
    assert report.files[0].added_labels == ["entity COMPANY", "event Takeover", "relation rival_of"]
    s = project.schema
    assert s.entity("COMPANY") and s.event_type("Takeover") and s.relation_type("rival_of")
    assert [h["action"] for h in project.history(limit=2)] == ["import", "set_schema"]


def test_add_labels_refuses_a_label_the_schema_cannot_hold(project, tmp_path):
    f = jsonl(tmp_path / "a.jsonl", [{"text": "Acme grew.", "spans": [[0, 4, " ORG"]]}])
    report = import_paths(project, [f], add_labels=True)
    assert report.files[0].refused and "cannot add the labels to the schema" in str(report.errors[0])
    assert project.document_count() == 0


def test_claims_must_be_labelled_claim(project, tmp_path):
    f = jsonl(
        tmp_path / "c.jsonl",
        [
            {
                "text": "Sales rose 5%.",
                "annotations": [{"kind": "claim", "label": "STAT", "start": 0, "end": 13, "annotator": "a"}],
            }
        ],
    )
    report = import_paths(project, [f], add_labels=True)
    assert report.files[0].refused and "claims are labelled 'CLAIM'" in str(report.errors[0])


def test_partial_lists_each_bad_record(project, tmp_path):
    f = jsonl(
        tmp_path / "mix.jsonl",
        [
            {"id": "a", "text": "Good one."},
            {"id": "b", "text": "Bad label.", "spans": [[0, 3, "NOPE"]]},
            {"id": "c", "text": "Bad span.", "spans": [[0, 99, "ORG"]]},
            {"id": "d", "text": "Good two.", "spans": [[0, 4, "ORG"]]},
        ],
    )
    report = import_paths(project, [f], partial=True)
    [fr] = report.files
    assert (fr.documents, fr.annotations, fr.refused) == (2, 1, False)
    assert [e.line for e in fr.errors] == [2, 3]
    assert "document 'b': labels not in the project's schema: NOPE (entity)" in str(fr.errors[0])
    assert not report.ok
    # without --partial the whole file is refused and lists both problems
    project2 = Project(tmp_path / "q.annotator", create=True)
    report = import_paths(project2, [f])
    assert report.files[0].refused and [e.line for e in report.errors] == [3, None]
    assert project2.document_count() == 0
    project2.close()


def test_read_only_project_is_refused(tmp_path):
    path = tmp_path / "ro.annotator"
    Project(path, create=True).close()
    os.chmod(path, 0o444)
    try:
        with Project(path) as p, pytest.raises(ReadOnlyProjectError):
            import_paths(p, [DATA / "batch.jsonl"])
    finally:
        os.chmod(path, 0o644)


# -- progress ----------------------------------------------------------------------
def test_progress_reports_bytes_and_files(project, tmp_path, monkeypatch):
    monkeypatch.setattr("annotator.formats.PROGRESS_STEP", 64)
    big = jsonl(tmp_path / "big.jsonl", [{"text": f"Document number {i} with some words."} for i in range(50)])
    small = tmp_path / "small.txt"
    small.write_text("Small.")
    calls = []
    import_paths(project, [big, small], progress=lambda done, total, name: calls.append((done, total, name)))
    total = big.stat().st_size + small.stat().st_size
    assert all(t == total for _, t, _ in calls)
    dones = [d for d, _, _ in calls]
    assert dones == sorted(dones) and dones[-1] == total and dones[0] == 0
    assert {n for _, _, n in calls} == {str(big), str(small)}
    assert sum(1 for _, _, n in calls if n == str(big)) > 5  # called while reading the big file


# -- seeds ---------------------------------------------------------------------------
def test_import_seeds(project):
    report = import_seeds(project)
    assert report.ok and report.documents >= 1
    text = project.document_text(project.document_ids()[0])
    assert "rare earth" in text and "\r" not in text
    assert import_seeds(project).duplicates == report.documents  # never twice


def test_default_project_is_created_with_the_seed(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    with ensure_default_project() as p:
        n = p.document_count()
        assert n >= 1 and p.path.parent == tmp_path / "home"
    with ensure_default_project() as p:
        assert p.document_count() == n  # opening it again imports nothing


# -- text that is not UTF-8 ------------------------------------------------------------
def test_undecodable_files_are_marked_and_their_message_keeps_the_hint_apart(project, tmp_path):
    """The CLI prints str() (with "--encoding"); the app words its own hint from
    the message and the undecodable mark."""
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Le café de la gare à Besançon\n".encode("latin-1"))
    lines = jsonl(tmp_path / "bad.jsonl", [{"text": "ok"}])
    lines.write_bytes(lines.read_bytes() + '{"text": "Señor"}\n'.encode("latin-1"))
    wide = tmp_path / "wide.txt"
    wide.write_text("Zürich", encoding="utf-16")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02\xff" * 50)
    report = import_paths(project, [latin, lines, wide, binary])
    assert [f.path for f in report.undecodable] == [str(latin), str(lines), str(wide)]
    for f in report.undecodable:
        err = next(e for e in f.errors if e.undecodable)
        assert "--encoding" in str(err)  # the command line's wording is unchanged
        assert "--encoding" not in err.message and "--encoding" in err.hint
    assert "not valid UTF-8" in report.undecodable[0].errors[0].message
    assert texts(project) == []
    again = import_paths(project, [latin], encoding="cp1252")
    assert again.ok and texts(project) == ["Le café de la gare à Besançon\n"]


def test_guess_encoding_and_preview_line(tmp_path):
    from annotator.formats import InputError
    from annotator.services.importing import guess_encoding, preview_line

    latin = tmp_path / "latin.txt"
    latin.write_bytes("Title\n\nLe café de la gare à Besançon\n".encode("latin-1"))
    assert guess_encoding(latin) == "cp1252"
    assert preview_line(latin, "cp1252") == "Le café de la gare à Besançon"
    with pytest.raises(InputError) as caught:
        preview_line(latin, "utf-8")
    assert caught.value.undecodable
    smart = tmp_path / "quotes.txt"
    smart.write_bytes("He said \u201cyes\u201d \u2014 twice.".encode("cp1252"))
    assert guess_encoding(smart) == "cp1252"
    odd = tmp_path / "odd.txt"
    odd.write_bytes(b"caf\xe9 \x81")  # 0x81: not a Windows-1252 character
    assert guess_encoding(odd) == "latin-1"
    wide = tmp_path / "wide.txt"
    wide.write_text("Zürich", encoding="utf-16")
    assert guess_encoding(wide) == "utf-16"
    assert preview_line(wide, "utf-16") == "Zürich"
    long = tmp_path / "long.txt"
    long.write_bytes(("x" * 300 + " é " + "y" * 300).encode("latin-1"))
    shown = preview_line(long, "latin-1", 40)
    assert len(shown) == 42 and shown.startswith("…") and shown.endswith("…") and " é " in shown
    assert guess_encoding(tmp_path / "missing.txt") is None
