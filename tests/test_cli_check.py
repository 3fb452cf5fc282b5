"""``annotator check``: text and JSON reports, layers, exit statuses."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.store import Project
from tests.check_fixtures import TEXTS, build_corpus, find


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "p.annotator"
    build_corpus(path).project.close()
    return path


def run(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def test_text_report_lists_each_kind_and_exits_1(project_path):
    result = run(str(project_path))
    assert result.exit_code == 1, result.output
    out = result.output
    assert "alice: 3 documents annotated, 5 findings" in out
    assert "Same string, different labels (1)" in out and "“Reuters” labelled ORG 2 times, PERSON once" in out
    assert "Labelled here, unlabelled there (2)" in out
    assert "Same string, different boundaries (1)" in out
    assert "1 Meeting event without the required role Participant" in out
    assert "bob: 2 documents annotated, no inconsistencies found" in out
    s, e = find(TEXTS["c"], "China", 1)
    assert f"{s}-{e} unlabelled “China”" in out
    assert "“Doc C”" in out


def test_json_report(project_path):
    result = run(str(project_path), "--json", "--annotator", "alice")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["layers"] == ["alice"]
    assert data["counts"] == {"labels": 1, "unlabelled": 2, "boundaries": 1, "roles": 1}
    labels = next(i for i in data["issues"] if i["kind"] == "labels")
    assert labels["counts"] == {"ORG": 2, "PERSON": 1}
    assert [p["title"] for p in labels["places"]] == ["Doc A", "Doc B", "Doc B"]


def test_nothing_found_exits_0(project_path):
    result = run(str(project_path), "--annotator", "bob")
    assert result.exit_code == 0
    assert result.output.strip() == "bob: 2 documents annotated, no inconsistencies found"
    result = run(str(project_path), "--gold", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["issues"] == []


def test_min_count_and_max_places(project_path):
    result = run(str(project_path), "--annotator", "alice", "--min-count", "2", "--json")
    assert [i["text"] for i in json.loads(result.output)["issues"] if i["kind"] == "unlabelled"] == ["China"]
    result = run(str(project_path), "--annotator", "alice", "--max-places", "1")
    assert "… and 2 more (--json lists every place)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--annotator", "carol"], "no annotator 'carol' in p.annotator (annotators: alice, bob)"),
        (["--annotator", "alice", "--gold"], "--annotator and --gold: choose one layer"),
    ],
)
def test_bad_options_say_why_and_exit_2(project_path, args, message):
    result = run(str(project_path), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_and_broken_projects_exit_2(tmp_path):
    result = run(str(tmp_path / "none.annotator"))
    assert result.exit_code == 2 and "no such project file" in result.output
    bad = tmp_path / "bad.annotator"
    bad.write_text("not a database")
    result = run(str(bad))
    assert result.exit_code == 2, result.output
    assert "bad.annotator" in result.output and "Traceback" not in result.output


def test_empty_project_has_nothing_to_check(tmp_path):
    path = tmp_path / "e.annotator"
    Project(path, create=True).close()
    result = run(str(path))
    assert result.exit_code == 0
    assert "nothing to check" in result.output


def test_listed_in_help():
    assert "check" in CliRunner().invoke(main, ["--help"]).output
