"""Every file of tests/data/bad gets the behaviour tests/data/README.md describes:
a clear message naming the file (and line / document / span), nothing imported,
and the project exactly as it was."""

import sqlite3
from pathlib import Path

import pytest

from annotator.core.store import Project
from annotator.services.importing import import_paths

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"

#: file -> (line named in the message or None, pieces the message must hold)
EXPECTED = {
    "empty.txt": (None, ["empty document"]),
    "latin1.txt": (None, ["not valid UTF-8", "byte 0xe9", "--encoding"]),
    "binary.txt": (None, ["binary file"]),
    "broken-line.jsonl": (2, ["not valid JSON"]),
    "span-out-of-range.jsonl": (1, ["document 'r1'", "span 1 (ORG)", "[6, 40)", "outside the text (length 11)"]),
    "span-reversed.jsonl": (1, ["document 'r2'", "span 1 (ORG)", "[8, 3)", "reversed"]),
    "unknown-label.jsonl": (None, ["NOT_IN_SCHEMA", "line 1", "--add-labels"]),
    "no-text-field.jsonl": (1, ["document 'r4'", "no 'text' field", "id, body"]),
    "lone-surrogate.jsonl": (1, ["document 'r5'", "lone surrogate U+D83D"]),
    "not-json.jsonl": (1, ["not valid JSON"]),
}


def dump(path: Path) -> list[str]:
    """Every row of every table (a second connection sees exactly what is committed)."""
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        assert import_paths(p, [DATA / "batch.jsonl"]).ok
        yield p


def test_every_bad_file_is_covered():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_refused_and_changes_nothing(project, name):
    line, pieces = EXPECTED[name]
    before = dump(project.path)
    report = import_paths(project, [BAD / name])
    assert dump(project.path) == before
    assert not report.ok and report.documents == 0
    [f] = report.files
    assert f.refused and f.documents == 0 and f.annotations == 0
    [err] = f.errors
    msg = str(err)
    prefix = f"{BAD / name}:{line}: " if line else f"{BAD / name}: "
    assert msg.startswith(prefix), msg
    for piece in pieces:
        assert piece in msg, (piece, msg)
    assert "\n" not in msg and "Traceback" not in msg and len(msg) < 300
    assert report.summary() == "imported 0 documents (0 annotations) from 0 files; skipped 0 duplicates; refused 1 file"


def test_all_bad_files_in_one_call_with_a_good_one(project, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("A good document.\n")
    report = import_paths(project, [BAD, good])
    assert len(report.refused) == len(EXPECTED)
    assert report.documents == 1 and project.document_count() == 4
    assert report.summary().startswith("imported 1 document (0 annotations) from 1 file; skipped 0 duplicates; refused 10 files")


def test_broken_line_partial_imports_the_valid_lines(project):
    report = import_paths(project, [BAD / "broken-line.jsonl"], partial=True)
    [f] = report.files
    assert not f.refused and f.documents == 2
    assert [str(e).split(": ")[0] for e in f.errors] == [f"{BAD / 'broken-line.jsonl'}:2"]
    assert not report.ok and report.refused_records == 1
    texts = {project.get_document(i).text for i in project.document_ids()}
    assert {"A fine first line.", "A fine third line."} <= texts
    assert "left out 1 bad record" in report.summary()


def test_unknown_label_with_add_labels(project):
    before = project.schema
    assert before.entity("NOT_IN_SCHEMA") is None
    report = import_paths(project, [BAD / "unknown-label.jsonl"], add_labels=True)
    assert report.ok and report.documents == 1 and report.annotations == 1
    assert report.files[0].added_labels == ["entity NOT_IN_SCHEMA"]
    added = project.schema.entity("NOT_IN_SCHEMA")
    assert added is not None and added.color == "#9e9e9e" and added.key is None
    with Project(project.path) as again:  # stored, not just cached
        assert again.schema.entity("NOT_IN_SCHEMA") is not None
    [doc_id] = project.document_ids(label="NOT_IN_SCHEMA")
    [ann] = project.annotations(doc_id)
    assert project.document_text(doc_id)[ann.start : ann.end] == "Acme Corp"


def test_latin1_with_encoding_imports(project):
    report = import_paths(project, [BAD / "latin1.txt"], encoding="latin-1")
    assert report.ok and report.documents == 1
    [doc] = [project.get_document(i) for i in project.document_ids(search="München")]
    assert doc.text.startswith("Café owners in München")


def test_partial_does_not_rescue_an_unreadable_file(project):
    for name in ("binary.txt", "empty.txt", "latin1.txt"):
        report = import_paths(project, [BAD / name], partial=True)
        assert report.files[0].refused
