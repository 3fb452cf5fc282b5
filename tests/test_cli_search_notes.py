"""Searching notes (issue 14): the search service's search_notes and
``annotator search --notes``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core import commands as C
from annotator.core.models import Document, entity
from annotator.core.store import Project
from annotator.services.search import NoteQuery, SearchError, search_notes

TEXT = "The Ministry of External Affairs said China granted licences."


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = Project(tmp_path / "p.annotator", create=True)
    with p.transaction():
        p.add_document(Document(id="d1", text=TEXT, status="done"), [])
        p.add_document(Document(id="d2", text="Another text.", metadata={"desk": "asia"}), [])
    mea = entity("d1", 4, 32, "ORG", "ann")
    china = entity("d1", 38, 43, "GPE", "bob")
    C.apply(p, C.AddAnnotations("d1", "ann", [mea]))
    C.apply(p, C.AddAnnotations("d1", "bob", [china]))
    C.apply(p, C.SetNote("d1", "ann", mea.id, "Is the ministry the speaker? Check the ministry's site."))
    C.apply(p, C.SetNote("d1", "bob", china.id, "the state, not the territory", note_type="Todo"))
    C.apply(p, C.SetNote("d2", "ann", "", "duplicate of d1?"))
    p.close()
    return tmp_path / "p.annotator"


def test_search_notes_service(path):
    with Project(path) as p:
        hits = list(search_notes(p, NoteQuery("ministry")))
        assert [(h.doc_id, h.start, h.end, h.note[h.start : h.end]) for h in hits] == [
            ("d1", 7, 15, "ministry"),
            ("d1", 39, 47, "ministry"),
        ]
        assert hits[0].label == "ORG" and hits[0].span_text == "Ministry of External Affairs"
        assert hits[0].on() == "entity ORG “Ministry of External Affairs”"
        assert hits[0].context() == "Is the [ministry] the speaker? Check the ministry's site."
        assert [h.doc_id for h in search_notes(p, NoteQuery())] == ["d1", "d1", "d2"]
        assert [h.note_type for h in search_notes(p, NoteQuery(note_type="Todo"))] == ["Todo"]
        assert [h.annotator for h in search_notes(p, NoteQuery(annotator="bob"))] == ["bob"]
        [doc] = list(search_notes(p, NoteQuery("d1\\?", regex=True)))
        assert doc.target == "" and doc.on() == "the document"
        assert list(search_notes(p, NoteQuery("MINISTRY", case_sensitive=True))) == []
        with pytest.raises(SearchError, match="not a valid regular expression"):
            search_notes(p, NoteQuery("(", regex=True))


def test_search_notes_cli(path):
    runner = CliRunner()
    result = runner.invoke(main, ["search", str(path), "ministry", "--notes"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "d1\tAnnotatorNotes (ann)\ton entity ORG “Ministry of External Affairs”\tIs the [ministry] the speaker? Check the ministry's site."
    )
    assert len(lines) == 2 and "2 hits in 1 document" in result.stderr
    result = runner.invoke(main, ["search", str(path), "--notes", "--note-type", "Todo", "--json"])
    assert result.exit_code == 0
    [hit] = [json.loads(x) for x in result.stdout.splitlines()]
    assert hit["type"] == "Todo" and hit["label"] == "GPE" and hit["span_text"] == "China" and hit["annotator"] == "bob"
    result = runner.invoke(main, ["search", str(path), "--notes", "--status", "done"])
    assert {x.split("\t")[0] for x in result.stdout.splitlines()} == {"d1"}
    result = runner.invoke(main, ["search", str(path), "--notes", "--meta", "desk=asia"])
    assert result.stdout.splitlines() == ["d2\tAnnotatorNotes (ann)\ton the document\tduplicate of d1?"]
    for args, message in [
        (["--notes", "--in-annotations"], "--notes and --in-annotations exclude each other"),
        (["--note-type", "Todo"], "--note-type needs --notes"),
        (["x", "--notes", "--whole-word"], "do not apply to --notes"),
        (["(", "--notes", "--regex"], "not a valid regular expression"),
    ]:
        result = runner.invoke(main, ["search", str(path), *args])
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output
