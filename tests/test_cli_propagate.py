"""``annotator annotate-all``: what it prints, adds, refuses (issue 16)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.kinds import Source
from annotator.core.models import Document
from annotator.core.store import Project

TEXTS = [
    "Indian firms won licences. Two indian firms lost theirs.",
    "😀 Reuters said Indian firms’ shares rose; Indian firmsX is not a word.",
    "Nothing here.",
]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "p.annotator"
    with Project(path, create=True) as p:
        p.insert_documents([(Document(text=t), []) for t in TEXTS])
    return path


def files_of(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


def spans(path):
    with Project(path) as p:
        return sorted((p.document_text(a.doc_id)[a.start : a.end], a.label, a.source) for a in p.iter_all_annotations())


def test_adds_every_occurrence_in_one_step(runner, path):
    result = runner.invoke(main, ["annotate-all", str(path), "--text", "Indian firms", "--label", "ORG", "--annotator", "ann"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len([x for x in lines if x.startswith("add\t")]) == 3
    assert lines[-1].startswith("added 3 ORG annotations in 2 documents as ann; skipped 0")
    assert spans(path) == [("Indian firms", "ORG", Source.PROPAGATED)] * 3
    with Project(path) as p:
        first = lines[0].split("\t")
        assert p.document_text(first[1])[int(first[2]) : int(first[3])] == "Indian firms"
    # again: every occurrence is already labelled, so nothing is added
    again = runner.invoke(main, ["annotate-all", str(path), "--text", "Indian firms", "--label", "ORG", "--annotator", "ann"])
    assert again.exit_code == 0 and "added 0 ORG annotations" in again.output
    assert again.output.count("(already labelled ORG)") == 3


def test_case_insensitive_whole_word_and_unicode_offsets(runner, path):
    result = runner.invoke(
        main,
        ["annotate-all", str(path), "--text", "indian firms", "--label", "ORG", "--case-insensitive", "--whole-word", "--json"],
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    found = [(o["doc_id"], o["start"], o["end"], o["text"]) for o in record["occurrences"]]
    assert [t for *_, t in found] == ["Indian firms", "indian firms", "Indian firms"]  # not "Indian firmsX"
    with Project(path) as p:
        for doc_id, s, e, t in found:
            assert p.document_text(doc_id)[s:e] == t  # code points, after an emoji
    assert record["added"] == 3 and record["annotator"] == "cli"


def test_dry_run_changes_nothing(runner, path):
    before = files_of(path)
    result = runner.invoke(main, ["annotate-all", str(path), "--text", "Indian firms", "--label", "ORG", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.count("would add\t") == 3
    assert result.output.splitlines()[-1].startswith("would add 3 ORG annotations in 2 documents as cli;")
    assert spans(path) == []
    assert files_of(path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text", "China", "--label", "NOPE"], "--label NOPE: no such label"),
        (["--text", "   ", "--label", "ORG"], "--text: the text to look for is empty"),
        (["--text", "", "--label", "ORG"], "--text: the text to look for is empty"),
        (["--text", "China", "--label", "ORG", "--annotator", " "], "--annotator: the name is empty"),
    ],
)
def test_refuses_clearly_and_changes_nothing(runner, path, args, message):
    before = files_of(path)
    result = runner.invoke(main, ["annotate-all", str(path), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert files_of(path) == before


def test_missing_project_and_several_annotators(runner, path, tmp_path):
    result = runner.invoke(main, ["annotate-all", str(tmp_path / "none.annotator"), "--text", "x", "--label", "ORG"])
    assert result.exit_code == 1 and "no such project file" in result.output
    with Project(path) as p:
        p.add_annotator("alice")
        p.add_annotator("bob")
    result = runner.invoke(main, ["annotate-all", str(path), "--text", "Indian firms", "--label", "ORG"])
    assert result.exit_code == 2 and "several annotators (alice, bob)" in result.output
    assert spans(path) == []


def test_is_listed_with_help(runner):
    result = runner.invoke(main, ["--help"])
    assert "annotate-all" in result.output
    result = runner.invoke(main, ["annotate-all", "--help"])
    assert result.exit_code == 0 and "--whole-word" in result.output


def test_rejected_occurrences_are_left_out(runner, path):
    from annotator.services.propagate import Search, find_candidates, reject

    with Project(path) as p:
        first = find_candidates(p, Search("Indian firms", "ORG", annotator="cli")).candidates[0]
        reject(p, "ORG", [first], "cli")
    result = runner.invoke(main, ["annotate-all", str(path), "--text", "Indian firms", "--label", "ORG"])
    assert result.exit_code == 0, result.output
    assert f"\t{first.doc_id}\t{first.start}\t{first.end}\t" not in result.output
    assert result.output.splitlines()[-1].endswith("left out 1 rejected (never here)")
    assert len(spans(path)) == 2
