"""Undoable commands: every user action is one transaction, undo and redo restore exactly."""

import pytest

from annotator.core.commands import (
    AddAnnotations,
    CommandError,
    DeleteAnnotations,
    Macro,
    SetArgument,
    SetStatus,
    UpdateAnnotation,
    apply,
    revert,
)
from annotator.core.models import GOLD, DocStatus, Document, claim, entity, event, relation
from annotator.core.store import ConflictError, Project

TEXT = "China granted licences to Indian firms, Randhir Jaiswal said on Thursday."


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        doc = Document(text=TEXT)
        p.insert_documents([(doc, [])])
        p.doc = doc.id
        yield p


def span(piece: str) -> tuple[int, int]:
    i = TEXT.index(piece)
    return i, i + len(piece)


def state(p: Project) -> dict:
    return {a.id: a for a in p.annotations(p.doc)}


def test_add_undo_redo_and_status(project):
    doc = project.doc
    china = entity(doc, *span("China"), "GPE", "alice")
    assert project.document_status(doc) == DocStatus.NEW
    cmd = AddAnnotations(doc, "alice", [china])
    changes = apply(project, cmd)
    assert changes.added == {china.id} and changes.status == DocStatus.IN_PROGRESS
    assert state(project) == {china.id: china}
    assert project.document_status(doc) == DocStatus.IN_PROGRESS  # first edit starts the document
    undone = revert(project, cmd)
    assert undone.removed == {china.id} and state(project) == {}
    assert project.document_status(doc) == DocStatus.NEW
    apply(project, cmd)  # redo
    assert state(project) == {china.id: china} and project.document_status(doc) == DocStatus.IN_PROGRESS
    assert "alice" in project.annotators()
    actions = [h["action"] for h in project.history(doc)]
    assert actions == ["do:AddAnnotations", "undo:AddAnnotations", "do:AddAnnotations"]


def test_second_edit_and_gold_do_not_change_status(project):
    doc = project.doc
    apply(project, SetStatus(doc, "alice", DocStatus.DONE))
    apply(project, AddAnnotations(doc, "alice", [entity(doc, *span("China"), "GPE", "alice")]))
    assert project.document_status(doc) == DocStatus.DONE
    other = Document(text="Another text.")
    project.insert_documents([(other, [])])
    apply(project, AddAnnotations(other.id, GOLD, [entity(other.id, 0, 7, "MISC", GOLD)]))
    assert project.document_status(other.id) == DocStatus.NEW


def test_delete_cascades_to_arguments_relations_and_claimants_and_undo_restores(project):
    doc = project.doc
    china = entity(doc, *span("China"), "GPE", "alice")
    firms = entity(doc, *span("Indian firms"), "ORG", "alice")
    jaiswal = entity(doc, *span("Randhir Jaiswal"), "PERSON", "alice")
    grant = event(doc, *span("granted"), "LicenceGrant", "alice", [("Grantor", china.id), ("Grantee", firms.id)])
    said = claim(doc, *span("China granted licences to Indian firms"), "alice", claimant_ref=china.id)
    rel = relation(doc, firms.id, china.id, "affiliated_with", "alice")
    rel2 = relation(doc, rel.id, jaiswal.id, "affiliated_with", "alice")  # a relation on a relation
    apply(project, AddAnnotations(doc, "alice", [china, firms, jaiswal, grant, said, rel, rel2]))
    before = state(project)
    cmd = DeleteAnnotations(doc, "alice", [china.id])
    changes = apply(project, cmd)
    after = state(project)
    assert set(after) == {firms.id, jaiswal.id, grant.id, said.id}
    assert changes.removed == {china.id, rel.id, rel2.id} and changes.updated == {grant.id, said.id}
    assert [(a.role, a.target) for a in after[grant.id].arguments] == [("Grantee", firms.id)]
    assert after[said.id].claimant_ref is None
    revert(project, cmd)
    assert state(project) == before


def test_update_and_set_argument(project):
    doc = project.doc
    china = entity(doc, *span("China"), "GPE", "alice")
    grant = event(doc, *span("granted"), "LicenceGrant", "alice")
    apply(project, AddAnnotations(doc, "alice", [china, grant]))
    cmd = UpdateAnnotation(doc, "alice", china.id, label="ORG", start=0, end=5)
    apply(project, cmd)
    changed = project.get_annotation(china.id)
    assert changed.label == "ORG" and changed.updated >= china.updated
    revert(project, cmd)
    assert project.get_annotation(china.id) == china
    arg = SetArgument(doc, "alice", grant.id, "Grantor", china.id)
    apply(project, arg)
    assert [(a.role, a.target) for a in project.get_annotation(grant.id).arguments] == [("Grantor", china.id)]
    apply(project, SetArgument(doc, "alice", grant.id, "Grantor", china.id, remove=True))
    assert project.get_annotation(grant.id).arguments == []


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda doc: AddAnnotations(doc, "a", [entity(doc, 0, len(TEXT) + 1, "GPE", "a")]), "outside the text"),
        (lambda doc: AddAnnotations(doc, "a", [entity(doc, 0, 5, "NOPE", "a")]), "'NOPE' is not a entity label"),
        (
            lambda doc: AddAnnotations(doc, "a", [event(doc, 0, 5, "Meeting", "a", [("Participant", "missing")])]),
            "not in this document",
        ),
        (lambda doc: AddAnnotations(doc, "a", [entity("other-doc", 0, 5, "GPE", "a")]), "one document"),
        (lambda doc: UpdateAnnotation(doc, "a", "missing", label="ORG"), "does not exist"),
        (lambda doc: DeleteAnnotations(doc, "a", ["missing"]), "does not exist"),
    ],
)
def test_refused_commands_change_nothing(project, make, message):
    before = (state(project), project.document_status(project.doc), len(project.history()))
    with pytest.raises(CommandError, match=message):
        apply(project, make(project.doc))
    assert (state(project), project.document_status(project.doc), len(project.history())) == before


def test_bad_update_is_refused(project):
    doc = project.doc
    china = entity(doc, *span("China"), "GPE", "alice")
    apply(project, AddAnnotations(doc, "alice", [china]))
    with pytest.raises(CommandError, match="need 0 <= start < end"):
        apply(project, UpdateAnnotation(doc, "alice", china.id, start=5, end=2))
    with pytest.raises(CommandError, match="cannot change"):
        UpdateAnnotation(doc, "alice", china.id, kind="event")
    assert project.get_annotation(china.id) == china


def test_undo_after_a_change_elsewhere_is_a_conflict(project, tmp_path):
    doc = project.doc
    china = entity(doc, *span("China"), "GPE", "alice")
    cmd = AddAnnotations(doc, "alice", [china])
    apply(project, cmd)
    with Project(project.path) as other:  # another window or process
        apply(other, UpdateAnnotation(doc, "bob", china.id, label="ORG"))
    with pytest.raises(ConflictError, match="changed in another window"):
        revert(project, cmd)
    assert project.get_annotation(china.id).label == "ORG"


def test_macro_is_one_action(project):
    doc = project.doc
    china = entity(doc, *span("China"), "GPE", "alice")
    firms = entity(doc, *span("Indian firms"), "ORG", "alice")
    macro = Macro(doc, "alice", [AddAnnotations(doc, "alice", [china]), AddAnnotations(doc, "alice", [firms])], "add two")
    changes = apply(project, macro)
    assert changes.added == {china.id, firms.id}
    revert(project, macro)
    assert state(project) == {}
    # a failing part rolls the whole macro back
    bad = Macro(
        doc,
        "alice",
        [AddAnnotations(doc, "alice", [china]), AddAnnotations(doc, "alice", [entity(doc, 0, 5, "NOPE", "alice")])],
        "bad",
    )
    with pytest.raises(CommandError):
        apply(project, bad)
    assert state(project) == {}
