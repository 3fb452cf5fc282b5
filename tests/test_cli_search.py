"""``annotator search``: hits as lines or JSON lines, annotation searches, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.models import DocStatus, Document, claim, entity, event
from annotator.core.store import Project

TEXT = "😀 The Ministry of Finance said İSTANBUL talks went well.\nThe ministry's man agreed."
OTHER = "China granted licences to Indian firms, said Dr. Jaiswal."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "c.annotator"
    with Project(path, create=True) as p:
        p.insert_documents(
            [
                (Document(id="a", text=TEXT, metadata={"outlet": "Daily"}), [entity("a", 6, 25, "ORG", "alice", id="org1")]),
                (
                    Document(id="b", text=OTHER, status=DocStatus.DONE),
                    [
                        entity("b", 26, 38, "ORG", "bob", id="firms"),
                        event("b", 6, 13, "LicenceGrant", "bob", [], id="ev1"),
                        claim("b", 0, 38, "bob", claimant_text="Dr. Jaiswal", id="c1"),
                    ],
                ),
            ]
        )
    return path


def run(*args: str):
    return CliRunner().invoke(main, ["search", *args])


def test_one_line_per_hit_with_code_point_offsets(project: Path) -> None:
    result = run(str(project), "ministry")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    doc, start, end, context = lines[0].split("\t")
    assert (doc, int(start), int(end)) == ("a", 6, 14) and TEXT[6:14] == "Ministry"
    assert "[Ministry] of Finance" in context
    doc, start, end, context = lines[1].split("\t")
    assert TEXT[int(start) : int(end)] == "ministry" and "\n" not in context
    assert "2 hits in 1 document" in result.stderr


def test_json_lines(project: Path) -> None:
    result = run(str(project), "istanbul", "--json")
    assert result.exit_code == 0, result.output
    [hit] = [json.loads(line) for line in result.stdout.splitlines()]
    assert hit["doc_id"] == "a" and TEXT[hit["start"] : hit["end"]] == hit["text"] == "İSTANBUL"
    assert TEXT[: hit["start"]].endswith(hit["before"])


def test_query_kinds_and_filters(project: Path) -> None:
    def hits(*args: str) -> list[str]:
        result = run(str(project), *args)
        assert result.exit_code == 0, result.output
        return [line.split("\t")[0] + ":" + line.split("\t")[1] for line in result.stdout.splitlines()]

    assert hits("inistry of", "--phrase") == ["a:7"]
    assert hits("inistry of", "--phrase", "--whole-word") == []
    assert hits("MINISTRY", "--case-sensitive") == []
    assert hits(r"sa\w+", "--regex") == ["a:26", "b:40"]
    assert hits(r"sa\w+", "--regex", "--status", "done") == ["b:40"]
    assert hits(r"sa\w+", "--regex", "--label", "ORG", "--annotator", "alice") == ["a:26"]
    assert hits(r"sa\w+", "--regex", "--meta", "outlet=Daily") == ["a:26"]
    assert hits(r"\w+", "--regex", "--limit", "3") == ["a:2", "a:6", "a:15"]


def test_limit_says_there_is_more(project: Path) -> None:
    result = run(str(project), r"\w+", "--regex", "--limit", "1")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1
    assert "more not shown" in result.stderr


def test_in_annotations(project: Path) -> None:
    result = run(str(project), "--in-annotations", "--label", "ORG", "--contains", "Ministry")
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert line.startswith("a\t6\t25\tentity ORG (alice)\t") and "[Ministry of Finance]" in line
    result = run(str(project), "--in-annotations", "--claimant", "jaiswal", "--json")
    [hit] = [json.loads(x) for x in result.stdout.splitlines()]
    assert (hit["id"], hit["claimant"]) == ("c1", "Dr. Jaiswal")
    result = run(str(project), "--in-annotations", "--label", "LicenceGrant", "--missing-role", "Grantee")
    [line] = result.stdout.splitlines()
    assert line.startswith("b\t6\t13\tevent LicenceGrant (bob)") and line.endswith("roles: (none)")
    # QUERY is the text the span contains
    lines = run(str(project), "firms", "--in-annotations").stdout.splitlines()
    assert [line.split("\t")[3] for line in lines] == ["claim CLAIM (bob)", "entity ORG (bob)"]
    lines = run(str(project), "firms", "--in-annotations", "--kind", "entity").stdout.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [["b", "26", "38"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["("], None),  # words: a plain word, fine
        (["(", "--regex"], "not a valid regular expression"),
        (["", "--phrase"], "the query is empty"),
        (["   "], "the query is empty"),
        ([], "missing QUERY"),
        (["x", "--regex", "--phrase"], "exclude each other"),
        (["x", "--claimant", "y"], "need --in-annotations"),
        (["x", "--meta", "novalue"], "expected KEY=VALUE"),
        (["x", "--status", "finished"], "'finished' is not one of"),
        (["--in-annotations"], "say what to look for"),
        (["--in-annotations", "--contains", "[", "--regex"], "not a valid regular expression"),
    ],
)
def test_bad_input_is_a_clear_error_with_exit_2(project: Path, args: list[str], message: str | None) -> None:
    result = run(str(project), *args)
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_missing_project(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.annotator"), "x")
    assert result.exit_code == 1 and "no such project file" in result.stderr


def test_a_search_first_indexes_what_an_import_stored(project: Path, tmp_path: Path) -> None:
    """An import stores documents without indexing them; the next search indexes them
    (saying so on stderr) and finds them either way."""
    with Project(project) as p:
        assert p.search_pending()[0] == 2
    result = CliRunner().invoke(main, ["search", str(project), "ministry"])
    assert result.exit_code == 0, result.output
    assert "indexing 2 documents" in result.stderr
    assert [line.split("\t")[:3] for line in result.stdout.splitlines()] == [["a", "6", "14"], ["a", "61", "69"]]
    with Project(project) as p:
        assert p.search_pending() == (0, 0) and p.search_index_ok()
    again = CliRunner().invoke(main, ["search", str(project), "ministry"])
    assert again.stdout == result.stdout and "indexing" not in again.stderr
