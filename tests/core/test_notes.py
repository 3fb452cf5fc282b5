"""Notes (issue 14): free text with a type on an annotation or a document; the
migration that adds them, the store's API and the undoable command."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core import commands as C
from annotator.core.migrations import MIGRATION_STEPS, m009_notes
from annotator.core.models import Document, entity
from annotator.core.notes import DEFAULT_NOTE_TYPE, Note
from annotator.core.store import ConflictError, Project

FIXTURES = Path(__file__).parent.parent / "reliability" / "fixtures"


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "n.annotator", create=True)
    with p.transaction():
        p.add_document(Document(id="d1", text="Jaiswal said China granted licences."), [])
        p.add_document(Document(id="d2", text="Other text."), [])
        p.put_annotations([entity("d1", 0, 7, "PERSON", "ann"), entity("d1", 13, 18, "GPE", "bob")])
    yield p
    p.close()


def ann_id(p: Project, label: str) -> str:
    return next(a.id for a in p.annotations("d1") if a.label == label)


def test_migration_adds_notes_to_a_version_1_project_and_keeps_a_backup(tmp_path):
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURES / "v1.annotator", path)
    c = sqlite3.connect(path)
    before_docs = c.execute("SELECT id, text FROM documents ORDER BY id").fetchall()
    before_anns = c.execute("SELECT COUNT(*) FROM annotations").fetchone()[0]
    c.close()
    assert m009_notes in MIGRATION_STEPS
    with Project(path) as p:
        cols = {r[1] for r in p.db.execute("PRAGMA table_info(notes)").fetchall()}
        assert {"doc_id", "annotator", "target", "type", "text", "updated"} <= cols
        docs = sorted((d.id, d.text) for d in p.iter_documents())
        assert docs == before_docs
        assert len(list(p.iter_all_annotations())) == before_anns
        d = docs[0][0]
        with p.transaction():
            p.put_notes([Note(d, "ann", "", DEFAULT_NOTE_TYPE, "checked")])
        assert [n.text for n in p.notes(d)] == ["checked"]
    assert (tmp_path / "old.annotator.v1.bak").exists()


def test_add_edit_delete_an_annotation_note_with_undo(project):
    person = ann_id(project, "PERSON")
    add = C.SetNote("d1", "ann", person, "  spokesperson of the MEA  ")
    changes = C.apply(project, add)
    assert changes.notes == {person} and changes.doc_id == "d1" and add.text == "add note"
    [note] = project.notes("d1")
    assert (note.target, note.type, note.text, note.annotator) == (person, DEFAULT_NOTE_TYPE, "spokesperson of the MEA", "ann")
    edit = C.SetNote("d1", "ann", person, "spokesperson")
    C.apply(project, edit)
    assert edit.text == "edit note" and project.notes("d1")[0].text == "spokesperson"
    delete = C.SetNote("d1", "ann", person, "")
    C.apply(project, delete)
    assert delete.text == "delete note" and project.notes("d1") == []
    C.revert(project, delete)
    assert project.notes("d1")[0].text == "spokesperson"
    C.revert(project, edit)
    assert project.notes("d1")[0].text == "spokesperson of the MEA"
    C.revert(project, add)
    assert project.notes("d1") == []
    C.apply(project, add)  # redo
    assert project.notes("d1")[0].text == "spokesperson of the MEA"
    history = [h["action"] for h in project.history("d1")]
    assert history.count("do:SetNote") == 4 and history.count("undo:SetNote") == 3


def test_an_annotation_note_is_in_the_annotations_layer(project):
    gpe = ann_id(project, "GPE")  # bob's annotation, noted by the reviewer maria
    C.apply(project, C.SetNote("d1", "maria", gpe, "is the state here"))
    assert [n.annotator for n in project.notes("d1")] == ["bob"]
    assert project.notes("d1", "ann") == [] and len(project.notes("d1", "bob")) == 1


def test_document_notes_and_types(project):
    C.apply(project, C.SetNote("d1", "ann", "", "unclear whether the licences were granted"))
    C.apply(project, C.SetNote("d1", "ann", "", "ask the editor", note_type="Todo"))
    C.apply(project, C.SetNote("d1", "bob", "", "bob's own"))
    notes = project.notes("d1", "ann")
    assert [(n.target, n.type, n.text) for n in notes] == [
        ("", "AnnotatorNotes", "unclear whether the licences were granted"),
        ("", "Todo", "ask the editor"),
    ]
    assert all(n.on_document for n in notes)
    assert len(project.notes("d1")) == 3
    assert project.notes_by_document(["d1", "d2"], "bob") == {"d1": [project.notes("d1", "bob")[0]]}


@pytest.mark.parametrize(
    "target, text, note_type, message",
    [
        ("nope", "x", None, "no annotation nope in this document"),
        ("", "", None, "there is no note to delete"),
        ("", "x", "two words", "must be one word"),
    ],
)
def test_bad_notes_are_refused_and_change_nothing(project, target, text, note_type, message):
    with pytest.raises(C.CommandError, match=message):
        C.apply(project, C.SetNote("d1", "ann", target, text, note_type=note_type))
    assert project.notes("d1") == []


def test_unchanged_note_is_refused(project):
    C.apply(project, C.SetNote("d1", "ann", "", "x"))
    with pytest.raises(C.CommandError, match="unchanged"):
        C.apply(project, C.SetNote("d1", "ann", "", " x "))


def test_a_deleted_annotations_note_comes_back_with_it(project):
    person = ann_id(project, "PERSON")
    C.apply(project, C.SetNote("d1", "ann", person, "the spokesperson"))
    delete = C.DeleteAnnotations("d1", "ann", [person])
    C.apply(project, delete)
    assert project.notes("d1") == []  # ignored while the annotation is gone
    assert list(project.iter_notes()) == []
    C.revert(project, delete)
    assert [n.text for n in project.notes("d1")] == ["the spokesperson"]
    assert [n.text for n in project.iter_notes()] == ["the spokesperson"]


def test_undo_refuses_when_the_note_changed_elsewhere(project, tmp_path):
    add = C.SetNote("d1", "ann", "", "mine")
    C.apply(project, add)
    other = Project(project.path)
    try:
        C.apply(other, C.SetNote("d1", "ann", "", "theirs"))
    finally:
        other.close()
    with pytest.raises(ConflictError):
        C.revert(project, add)
    assert project.notes("d1")[0].text == "theirs"


def test_notes_go_with_their_document(project):
    C.apply(project, C.SetNote("d2", "ann", "", "note"))
    with project.transaction():
        project.delete_documents(["d2"])
    assert list(project.iter_notes()) == []
