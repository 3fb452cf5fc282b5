"""``annotator kb``: load, list, search and delete knowledge bases; clear errors, nothing changed by a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.store import Project

KB = "id\tname\taliases\tdescription\nQ148\tChina\tPRC|People's Republic of China\tcountry in East Asia\nQ668\tIndia\tBharat\tcountry in South Asia\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "p.annotator"
    Project(path, create=True).close()
    return path


@pytest.fixture
def kb_file(tmp_path: Path) -> Path:
    path = tmp_path / "wd.tsv"
    path.write_text(KB, encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(main, ["kb", *args])


def test_load_list_search_delete(project, kb_file):
    result = run("load", str(project), str(kb_file), "--name", "Wikidata")
    assert result.exit_code == 0, result.output
    assert "loaded 2 entries into 'Wikidata'" in result.output and "(tsv)" in result.output
    listed = run("list", str(project))
    assert listed.exit_code == 0 and listed.output.startswith("Wikidata\t2\t") and "wd.tsv" in listed.output
    as_json = json.loads(run("list", str(project), "--json").output)
    assert as_json["name"] == "Wikidata" and as_json["entries"] == 2
    found = run("search", str(project), "Chian")
    assert found.exit_code == 0, found.output
    first = found.output.splitlines()[0].split("\t")
    assert first[1:] == ["Wikidata:Q148", "China", "country in East Asia"] and float(first[0]) > 70
    lines = [json.loads(x) for x in run("search", str(project), "bharat", "--resource", "Wikidata", "--json").output.splitlines()]
    assert lines[0]["id"] == "Q668" and lines[0]["matched"] == "Bharat" and lines[0]["resource"] == "Wikidata"
    assert run("delete", str(project), "Wikidata").output.strip() == "deleted 'Wikidata' (2 entries)"
    assert run("list", str(project)).output == "no knowledge bases (annotator kb load PROJECT FILE --name RES)\n"


def test_errors_are_messages_and_change_nothing(project, kb_file, tmp_path):
    assert run("load", str(project), str(kb_file), "--name", "wd").exit_code == 0
    again = run("load", str(project), str(kb_file), "--name", "wd")
    assert again.exit_code == 1 and "exists already" in again.output and "--replace" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\nQ1,x\nQ2\n", encoding="utf-8")
    result = run("load", str(project), str(bad), "--name", "wd", "--replace")
    assert result.exit_code == 1 and f"{bad}:3: 1 fields where the header has 2" in result.output
    assert "Traceback" not in result.output
    assert json.loads(run("list", str(project), "--json").output)["entries"] == 2
    replaced = run("load", str(project), str(kb_file), "--name", "wd", "--replace")
    assert "replaced 2 entries" in replaced.output
    missing = run("load", str(project), str(tmp_path / "nope.csv"), "--name", "x")
    assert missing.exit_code == 1 and "no such file" in missing.output
    bad_name = run("load", str(project), str(kb_file), "--name", "my kb")
    assert bad_name.exit_code == 1 and "cannot name a knowledge base" in bad_name.output
    unknown = run("search", str(project), "China", "--resource", "geo")
    assert unknown.exit_code == 1 and "no knowledge base named 'geo': the project has wd" in unknown.output
    no_project = run("list", str(tmp_path / "none.annotator"))
    assert no_project.exit_code == 1 and "no such project file" in no_project.output
    assert run("delete", str(project), "geo").exit_code == 1
