"""Annotate all (issue 16): propagation rules, never here, one-transaction apply and its undo."""

import pytest

from annotator.core.commands import AddAnnotations, ConflictError, PropagateAnnotations, UpdateAnnotation, apply, revert
from annotator.core.kinds import DocStatus, Source
from annotator.core.models import Document, entity
from annotator.core.store import Project
from annotator.services.propagate import (
    PropagationError,
    Search,
    apply_candidates,
    find_candidates,
    propagate_in_document,
    propagation_command,
    reject,
    rejected,
    search_for,
    set_auto_propagate,
    unreject,
)

A = "China’s ministry said China would license Indian firms. Chinatown is not China. CHINA agreed."
B = "Reuters reported that Indian firms and china talked. China."
#: Astral characters and combining marks before the hits: offsets are code points.
C = "😀👨‍👩‍👧 e\u0301 China 🇨🇳 China’s"


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        docs = [Document(text=t) for t in (A, B, C)]
        p.insert_documents([(d, []) for d in docs])
        p.ids = [d.id for d in docs]
        yield p


def spans_of(found, doc_id):
    return [(c.start, c.end) for c in found.candidates if c.doc_id == doc_id]


def where(text, piece, nth=0):
    i = -1
    for _ in range(nth + 1):
        i = text.index(piece, i + 1)
    return i, i + len(piece)


def snapshot(p: Project):
    """Everything a propagation may touch: annotations, statuses, provenance."""
    anns = sorted(a.model_dump_json() for d in p.ids for a in p.annotations(d))
    statuses = [p.document_status(d) for d in p.ids]
    ids = [a.id for d in p.ids for a in p.annotations(d)]
    return anns, statuses, p.propagated_from(ids)


def test_exact_match_is_case_sensitive_and_substring(project):
    a, b, c = project.ids
    found = find_candidates(project, Search("China", "GPE", annotator="alice"))
    # exact: "CHINA" and "china" are not found; "Chinatown" is (not whole-word)
    assert spans_of(found, a) == [where(A, "China", k) for k in range(4)]
    assert spans_of(found, b) == [where(B, "China")]
    assert all(cand.text == "China" and cand.ticked for cand in found.candidates)


def test_case_insensitive(project):
    a, b, _ = project.ids
    found = find_candidates(project, Search("china", "GPE", case_insensitive=True, whole_word=True, annotator="alice"))
    assert [A[s:e] for s, e in spans_of(found, a)] == ["China", "China", "China", "CHINA"]
    assert [B[s:e] for s, e in spans_of(found, b)] == ["china", "China"]


def test_whole_word_is_possessive_aware(project):
    a, _, c = project.ids
    found = find_candidates(project, Search("China", "GPE", whole_word=True, annotator="alice"))
    got = spans_of(found, a)
    assert where(A, "China’s")[0] == got[0][0] and got[0] == (0, 5)  # "China" inside "China’s"
    assert where(A, "Chinatown")[0] not in [s for s, _ in got]  # not inside "Chinatown"
    assert len(got) == 3
    assert [C[s:e] for s, e in spans_of(found, c)] == ["China", "China"]


def test_unicode_offsets_are_code_points(project):
    c = project.ids[2]
    found = find_candidates(project, Search("China", "GPE", whole_word=True, annotator="alice"))
    got = spans_of(found, c)
    assert got == [where(C, "China"), where(C, "China", 1)]
    text = project.document_text(c)
    for s, e in got:
        assert text[s:e] == "China"
    apply_candidates(project, Search("China", "GPE", whole_word=True, doc_ids=(c,), annotator="alice"), found.candidates[-2:])
    assert sorted((x.start, x.end) for x in project.annotations(c)) == got


def test_same_label_repeat_and_overlap_are_listed_not_ticked(project):
    a = project.ids[0]
    s0, e0 = where(A, "China", 1)
    apply(project, AddAnnotations(a, "alice", [entity(a, s0, e0, "GPE", "alice")]))
    firms = where(A, "Indian firms")
    apply(project, AddAnnotations(a, "alice", [entity(a, firms[0], firms[1], "NORP", "alice")]))
    # another annotator's span is not in the way
    s3, e3 = where(A, "China", 3)
    apply(project, AddAnnotations(a, "bob", [entity(a, s3, e3, "ORG", "bob")]))
    found = find_candidates(project, Search("China", "GPE", whole_word=True, annotator="alice"))
    by_span = {(c.start, c.end): c for c in found.candidates if c.doc_id == a}
    assert not by_span[(s0, e0)].ticked and by_span[(s0, e0)].reason == "already labelled GPE"
    assert by_span[(s3, e3)].ticked
    found = find_candidates(project, Search("Indian", "ORG", whole_word=True, annotator="alice"))
    hit = next(c for c in found.candidates if c.doc_id == a)
    assert not hit.ticked and hit.reason.startswith("overlaps NORP “Indian firms”")
    assert f"[{firms[0]}, {firms[1]})" in hit.reason


def test_candidates_have_context(project):
    b = project.ids[1]
    found = find_candidates(project, Search("Indian firms", "ORG", doc_ids=(b,), annotator="alice"))
    (cand,) = found.candidates
    assert cand.before.endswith("reported that ") and cand.after.startswith(" and china")
    assert B[cand.start - len(cand.before) : cand.start] == cand.before


def test_bad_searches_are_refused(project):
    with pytest.raises(PropagationError, match="empty"):
        find_candidates(project, Search("  ", "ORG"))
    with pytest.raises(PropagationError, match="unknown entity label 'NOPE'"):
        find_candidates(project, Search("China", "NOPE"))


def test_apply_is_one_transaction_and_undo_restores_exactly(project):
    a, b, c = project.ids
    s, e = where(A, "China", 1)
    apply(project, AddAnnotations(a, "alice", [entity(a, s, e, "GPE", "alice")]))
    origin = project.annotations(a)[0]
    before = snapshot(project)
    history = len(project.history())
    search = search_for(project, origin, whole_word=True)
    found = find_candidates(project, search)
    assert (a, s, e) not in [cand.key for cand in found.candidates]  # the origin itself is not proposed
    command, changes = apply_candidates(project, search, found.ticked)
    assert isinstance(command, PropagateAnnotations)
    added = [x for d in project.ids for x in project.annotations(d) if x.id != origin.id]
    assert len(added) == len(found.ticked) == 5
    # what changed in the document it was started from, as any one-document command says it
    assert changes.added == {x.id for x in added if x.doc_id == a} and changes.doc_id == a and not changes.wholesale
    assert command.other_documents == {b, c}
    assert {x.source for x in added} == {Source.PROPAGATED}
    assert set(project.propagated_from([x.id for x in added]).values()) == {f"annotation:{origin.id}"}
    assert len(project.history()) == history + 1  # one history entry, one action
    assert project.document_status(c) == DocStatus.IN_PROGRESS
    revert(project, command)
    assert snapshot(project) == before
    assert project.document_status(c) == DocStatus.NEW
    apply(project, command)  # redo
    assert len([x for d in project.ids for x in project.annotations(d)]) == 6


def test_apply_rolls_back_on_error(project, monkeypatch):
    a = project.ids[0]
    search = Search("China", "GPE", annotator="alice")
    found = find_candidates(project, search)
    before = snapshot(project)

    def boom(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(Project, "put_propagated_from", boom)
    with pytest.raises(RuntimeError):
        apply_candidates(project, search, found.ticked, doc_id=a)
    assert snapshot(project) == before


def test_undo_refuses_when_an_added_annotation_changed(project):
    search = Search("China", "GPE", whole_word=True, annotator="alice")
    command, _ = apply_candidates(project, search, find_candidates(project, search).ticked)
    first = command.annotations[0]
    apply(project, UpdateAnnotation(first.doc_id, "alice", first.id, label="ORG"))
    before = snapshot(project)
    with pytest.raises(ConflictError, match="changed or deleted since"):
        revert(project, command)
    assert snapshot(project) == before


def test_command_refuses_unknown_label_and_bad_span(project):
    a = project.ids[0]
    with pytest.raises(Exception, match="not a entity label"):
        apply(project, PropagateAnnotations(a, "alice", [entity(a, 0, 5, "NOPE", "alice")], "text:x"))
    with pytest.raises(Exception, match="outside the text"):
        apply(project, PropagateAnnotations(a, "alice", [entity(a, 0, 5000, "GPE", "alice")], "text:x"))
    assert project.annotations(a) == []


def test_never_here(project):
    a = project.ids[0]
    search = Search("China", "GPE", whole_word=True, annotator="alice")
    found = find_candidates(project, search)
    first = found.candidates[0]
    reject(project, "GPE", [first], "alice")
    again = find_candidates(project, search)
    assert first.key not in [c.key for c in again.candidates]
    assert again.never_here == 1 and len(again.candidates) == len(found.candidates) - 1
    # only for that label
    assert first.key in [c.key for c in find_candidates(project, Search("China", "ORG", whole_word=True)).candidates]
    assert rejected(project) == [(a, first.start, first.end, "GPE")]
    unreject(project, rejected(project))
    assert first.key in [c.key for c in find_candidates(project, search).candidates]
    assert rejected(project) == []


def test_never_here_survives_reopening(project):
    search = Search("China", "GPE", annotator="alice")
    reject(project, "GPE", find_candidates(project, search).candidates[:2], "alice")
    with Project(project.path) as again:
        assert len(rejected(again, "GPE")) == 2


def test_propagate_in_document(project):
    a = project.ids[0]
    s, e = where(A, "China", 1)
    made = entity(a, s, e, "GPE", "alice")
    apply(project, AddAnnotations(a, "alice", [made]))
    assert propagate_in_document(project, made) is None  # switched off by default
    set_auto_propagate(project, "GPE")
    with Project(project.path) as again:
        assert again.auto_propagate_labels() == {"GPE"}
    command = propagate_in_document(project, made)
    assert command is not None and {x.doc_id for x in command.annotations} == {a}
    assert sorted((x.start, x.end) for x in command.annotations) == [where(A, "China", k) for k in (0, 3)]
    before = snapshot(project)
    apply(project, command)
    assert len(project.annotations(a)) == 3
    revert(project, command)
    assert snapshot(project) == before
    set_auto_propagate(project, "GPE", on=False)
    assert propagate_in_document(project, made) is None
    with pytest.raises(PropagationError):
        set_auto_propagate(project, "NOPE")


def test_nothing_chosen_is_refused(project):
    with pytest.raises(PropagationError, match="nothing to add"):
        propagation_command(project, Search("China", "GPE"), [])


def test_the_command_goes_on_the_apps_undo_stack_as_one_step(project, qtbot):
    """What a GUI dialog does with the ticked candidates: push the command on the
    app's change bus; one undo step undoes all of it, redo does it again."""
    from PySide6.QtGui import QUndoStack

    from annotator.ui.undo import UndoController

    class Origin:
        def __init__(self, p):
            self.project, self.shown, self.errors = p, [], []

        def show_document(self, doc_id):
            self.shown.append(doc_id)

        def report_error(self, text):
            self.errors.append(text)

    a = project.ids[0]
    origin = Origin(project)
    stack = QUndoStack()
    controller = UndoController(stack)
    seen = []
    controller.changed.connect(seen.append)
    before = snapshot(project)
    search = Search("China", "GPE", whole_word=True, annotator="alice")
    command = propagation_command(project, search, find_candidates(project, search).ticked, doc_id=a)
    assert controller.push(command, origin) is not None and stack.count() == 1
    after = snapshot(project)
    own, others = seen[-2:]  # the command's own changes, then the other documents it changed
    assert len(after[0]) == 6 and own.doc_id == a and len(own.added) == 3
    assert others.documents == command.other_documents and a not in others.documents
    controller.undo()
    assert snapshot(project) == before and origin.shown == [a] and not origin.errors
    controller.redo()
    assert snapshot(project) == after
