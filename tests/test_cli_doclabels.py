"""``annotator doclabels`` (issue 14): list, set, remove, clear; all or nothing; clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.models import Document
from annotator.core.store import Project


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "p.annotator"
    with Project(p, create=True) as proj:
        proj.insert_documents([(Document(text="One.", external_id="seed-0"), []), (Document(text="Two."), [])])
        proj.add_annotator("maria")
    return p


def run(*args: str):
    return CliRunner().invoke(main, ["doclabels", *args])


def test_set_list_remove_clear(path: Path) -> None:
    r = run(str(path), "seed-0", "--set", "topic=trade", "--set", "topic=economy", "--set", "genre=report")
    assert r.exit_code == 0, r.output
    with Project(path) as p:
        doc = p.lookup_document(external_id="seed-0")[0]
        assert p.doc_labels(doc, "maria", p.schema) == {"topic": ["economy", "trade"], "genre": ["report"]}
        assert p.history(doc)[0]["action"].startswith("do:")
    assert r.output.strip() == f"{doc} (maria): topic: economy, trade; genre: report"
    listed = run(str(path)).output.splitlines()
    assert listed == [f"{doc}\tmaria\ttopic\teconomy, trade", f"{doc}\tmaria\tgenre\treport"]
    assert run(str(path), doc, "--remove", "topic=trade", "--clear", "genre").exit_code == 0
    assert run(str(path)).output.splitlines() == [f"{doc}\tmaria\ttopic\teconomy"]
    assert run(str(path), doc, "--gold", "--set", "genre=analysis").exit_code == 0
    assert run(str(path), "--gold").output.splitlines() == [f"{doc}\t@gold\tgenre\tanalysis"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["seed-0", "--set", "genre=blah"], 1, "'blah' is not a label of the document category 'genre'"),
        (["seed-0", "--set", "topic=trade", "--set", "mood=happy"], 1, "'mood' is not a document category"),
        (["seed-0", "--set", "genre"], 2, "give CATEGORY=LABEL"),
        (["nope", "--set", "genre=report"], 1, "no document with id or external id 'nope'"),
        (["--set", "genre=report"], 2, "say which DOCUMENT to change"),
        (["seed-0", "--gold", "--annotator", "x", "--set", "genre=report"], 2, "give one"),
    ],
)
def test_bad_input_changes_nothing(path: Path, args: list[str], code: int, message: str) -> None:
    r = run(str(path), *args)
    assert r.exit_code == code and message in r.output and "Traceback" not in r.output
    with Project(path) as p:
        assert p.doc_label_rows() == []


def test_several_annotators_need_one_named(path: Path) -> None:
    with Project(path) as p:
        p.add_annotator("omar")
    r = run(str(path), "seed-0", "--set", "genre=report")
    assert r.exit_code == 2 and "--annotator NAME (annotators: maria, omar)" in r.output


def test_stats_count_document_labels(path: Path) -> None:
    assert run(str(path), "seed-0", "--set", "topic=trade", "--set", "genre=report").exit_code == 0
    r = CliRunner().invoke(main, ["stats", str(path)])
    assert r.exit_code == 0, r.output
    assert "document labels: 1 document labelled" in r.output
    assert "topic/trade" in r.output and "genre/report" in r.output
    import json

    data = json.loads(CliRunner().invoke(main, ["stats", str(path), "--json"]).output)
    assert data["doc_labels"] == {
        "documents": 1,
        "by_label": {"genre/report": 1, "topic/trade": 1},
        "documents_by_annotator": {"maria": 1},
    }
