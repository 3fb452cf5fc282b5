"""Units and gold-layer review commands on the demo article annotated by alice and bob."""

from __future__ import annotations

import pytest
from review_fixtures import build_demo, find

from annotator.core.commands import AddAnnotations, CommandError, UpdateAnnotation, apply, revert
from annotator.core.models import GOLD, DocStatus, Document, entity
from annotator.core.review import (
    CLAIMANT,
    AcceptAllAgreed,
    AcceptAllFrom,
    AcceptAnnotation,
    AcceptArgument,
    AcceptAttribute,
    EditGold,
    Reject,
    SetReviewStatus,
    align,
    document_units,
    review_queue,
)
from annotator.core.store import ConflictError


@pytest.fixture
def demo(tmp_path):
    d = build_demo(tmp_path / "review.annotator")
    yield d
    d.project.close()


def unit_of(demo, annotator, name):
    ann_id = demo.id(annotator, name)
    return next(u for u in document_units(demo.project, demo.doc_id) if ann_id in u.ids)


def gold(demo):
    return demo.project.annotations(demo.doc_id, GOLD)


def gold_text(demo):
    return sorted((g.kind, g.label, demo.text[g.start : g.end]) for g in gold(demo) if g.start is not None)


def test_units_show_agreement_and_each_kind_of_difference(demo):
    expect = {
        "china": "agreed",
        "ministry": "agreed",
        "said": "agreed",
        "beijing": "boundary",
        "jaiswal": "boundary",
        "lac": "label",
        "indian": "label+boundary",
        "percent": "partial",
        "controls": "partial",
        "grant": "content",
        "confirm": "content",
    }
    for name, status in expect.items():
        assert unit_of(demo, "alice", name).status == status, name
    assert unit_of(demo, "bob", "october").status == "partial"
    # one unit per thing: bob's "Beijing’s" and alice's "Beijing" are the same unit
    assert set(unit_of(demo, "alice", "beijing").ids) == {demo.id("alice", "beijing"), demo.id("bob", "beijing")}
    units = document_units(demo.project, demo.doc_id)
    assert sum(u.agreed for u in units) == 10 and len(units) == 20
    assert all(u.decision is None for u in units)


def test_alignment_does_not_merge_two_spans_of_one_annotator():
    d = Document(text="Ministry of External Affairs spokesperson")
    a1 = entity(d.id, 0, 28, "ORG", "a")
    a2 = entity(d.id, 12, 28, "MISC", "a")  # nested, same annotator
    b1 = entity(d.id, 12, 28, "MISC", "b")
    units = align([a1, a2, b1], d.text)
    assert sorted((u.status, len(u.ids)) for u in units) == [("agreed", 2), ("partial", 1)]


def test_one_annotator_is_single_never_agreed(tmp_path):
    solo = build_demo(tmp_path / "solo.annotator", who=("alice",))
    try:
        units = document_units(solo.project, solo.doc_id)
        assert len(units) == 19 and {u.status for u in units} == {"single"}
        assert not any(u.agreed for u in units) and all(u.open for u in units)
        (row,) = review_queue(solo.project)
        assert (row.units, row.agreed, row.agreed_open, row.disagreements, row.open) == (19, 0, 0, 0, 0)
        assert (row.single, row.single_open) == (19, 19)
        cmd = AcceptAllAgreed(solo.doc_id, "rita")
        apply(solo.project, cmd)
        assert cmd.accepted == 0 and gold(solo) == []
    finally:
        solo.project.close()
    # one annotator compared (the others left out) is single too; the same span
    # twice by that annotator stays mixed: the reviewer must choose
    d = Document(text="Modi met Xi in Kazan.")
    anns = [entity(d.id, 0, 4, "PERSON", "a"), entity(d.id, 0, 4, "ORG", "a"), entity(d.id, 9, 11, "PERSON", "a")]
    anns.append(entity(d.id, 9, 11, "PERSON", "b"))
    assert [u.status for u in align(anns, d.text, ["a"])] == ["mixed", "single"]
    assert [u.status for u in align(anns, d.text)] == ["mixed", "agreed"]


def test_accept_all_from_one_annotator_is_one_undoable_action(tmp_path):
    solo = build_demo(tmp_path / "solo.annotator", who=("alice",))
    p = solo.project
    try:
        apply(p, Reject(solo.doc_id, "rita", [solo.id("alice", "percent")]))
        apply(p, AcceptAnnotation(solo.doc_id, "rita", solo.id("alice", "lac")))
        cmd = AcceptAllFrom(solo.doc_id, "rita", "alice")
        apply(p, cmd)
        assert (cmd.accepted, cmd.skipped) == (17, 0)
        assert len(gold(solo)) == 18 and ("entity", "PERCENT", "70%") not in gold_text(solo)
        statement = next(g for g in gold(solo) if g.label == "Statement")
        (arg,) = statement.arguments
        assert p.get_annotation(arg.target).annotator == GOLD
        confirm = next(g for g in gold(solo) if g.kind == "claim" and g.attributes.get("claim_type") == "factual")
        assert p.get_annotation(confirm.claimant_ref).annotator == GOLD
        units = document_units(p, solo.doc_id)
        assert all(u.decision in ("accepted", "rejected") for u in units)
        assert sum(u.decision == "accepted" and u.accepted_from == ["alice"] for u in units) == 18
        decisions = [d for d in p.review_decisions(solo.doc_id) if d["action"] == "accept_annotator"]
        assert len(decisions) == 17 and all(d["detail"]["annotator"] == "alice" for d in decisions)
        revert(p, cmd)
        assert len(gold(solo)) == 1
        with pytest.raises(CommandError, match="no annotations by zoe"):
            apply(p, AcceptAllFrom(solo.doc_id, "rita", "zoe"))
    finally:
        p.close()


def test_accept_all_agreed_is_one_undoable_action(demo):
    p = demo.project
    cmd = AcceptAllAgreed(demo.doc_id, "rita")
    apply(p, cmd)
    assert cmd.accepted == 10
    assert ("entity", "GPE", "China") in gold_text(demo)
    assert ("event", "Statement", "said") in gold_text(demo)
    assert len(gold(demo)) == 10
    statement = next(g for g in gold(demo) if g.label == "Statement")
    (arg,) = statement.arguments
    filler = p.get_annotation(arg.target)
    assert filler.annotator == GOLD and demo.text[filler.start : filler.end] == "external affairs ministry"
    decisions = p.review_decisions(demo.doc_id)
    assert len(decisions) == 10 and {d["reviewer"] for d in decisions} == {"rita"}
    assert {d["action"] for d in decisions} == {"accept_agreed"}
    china = next(d for d in decisions if d["detail"]["label"] == "GPE" and demo.id("alice", "china") in d["source_ids"])
    assert set(china["source_ids"]) == {demo.id("alice", "china"), demo.id("bob", "china")}
    assert p.document_status(demo.doc_id) == DocStatus.IN_REVIEW
    assert unit_of(demo, "alice", "china").decision == "accepted"
    # again: nothing left to accept
    again = AcceptAllAgreed(demo.doc_id, "rita")
    apply(p, again)
    assert again.accepted == 0 and len(gold(demo)) == 10
    revert(p, again)
    revert(p, cmd)
    assert gold(demo) == [] and p.review_decisions(demo.doc_id) == []
    assert p.document_status(demo.doc_id) == DocStatus.IN_PROGRESS
    apply(p, cmd)  # redo
    assert len(gold(demo)) == 10 and len(p.review_decisions(demo.doc_id)) == 10


def test_accept_one_annotators_version_then_the_other(demo):
    p = demo.project
    apply(p, AcceptAnnotation(demo.doc_id, "rita", demo.id("alice", "beijing")))
    assert ("entity", "GPE", "Beijing") in gold_text(demo)
    unit = unit_of(demo, "alice", "beijing")
    assert unit.decision == "accepted" and unit.accepted_from == ["alice"]
    (g,) = unit.gold
    cmd = AcceptAnnotation(demo.doc_id, "rita", demo.id("bob", "beijing"), replace=[x.id for x in unit.gold])
    apply(p, cmd)
    assert ("entity", "GPE", "Beijing’s") in gold_text(demo) and ("entity", "GPE", "Beijing") not in gold_text(demo)
    assert [x.id for x in gold(demo)] == [g.id]  # replaced in place
    assert unit_of(demo, "bob", "beijing").accepted_from == ["bob"]
    revert(p, cmd)
    assert ("entity", "GPE", "Beijing") in gold_text(demo)
    (last,) = [d for d in p.review_decisions(demo.doc_id)]
    assert last["action"] == "accept" and last["source_ids"] == [demo.id("alice", "beijing")]
    assert last["gold_id"] == g.id and last["detail"]["annotator"] == "alice"


def test_accept_event_copies_its_fillers_once(demo):
    p = demo.project
    apply(p, AcceptAnnotation(demo.doc_id, "rita", demo.id("bob", "china")))
    apply(p, AcceptAnnotation(demo.doc_id, "rita", demo.id("bob", "grant")))
    ev = next(g for g in gold(demo) if g.kind == "event")
    fillers = {x.role: demo.text[p.get_annotation(x.target).start : p.get_annotation(x.target).end] for x in ev.arguments}
    assert fillers == {"Grantor": "China", "Grantee": "Indian firms", "Item": "rare earth magnets"}
    # China was in gold already: reused, not copied twice
    assert sum(1 for t in gold_text(demo) if t[2] == "China") == 1
    assert len(gold(demo)) == 4


def test_accept_a_single_argument(demo):
    p = demo.project
    cmd = AcceptArgument(demo.doc_id, "rita", demo.id("alice", "grant"), "Grantee", demo.id("alice", "indian"))
    apply(p, cmd)
    (ev,) = [g for g in gold(demo) if g.kind == "event"]
    assert ev.label == "LicenceGrant" and demo.text[ev.start : ev.end] == "granted"
    (arg,) = ev.arguments
    filler = p.get_annotation(arg.target)
    assert arg.role == "Grantee" and (filler.label, demo.text[filler.start : filler.end]) == ("NORP", "Indian")
    # a second argument from the other annotator joins the same gold event
    second = AcceptArgument(demo.doc_id, "rita", demo.id("bob", "grant"), "Item", demo.id("bob", "magnets"))
    apply(p, second)
    (ev,) = [g for g in gold(demo) if g.kind == "event"]
    assert sorted(x.role for x in ev.arguments) == ["Grantee", "Item"]
    decisions = p.review_decisions(demo.doc_id)
    assert [d["action"] for d in decisions] == ["accept_argument", "accept_argument"]
    assert decisions[0]["detail"]["role"] == "Grantee"
    with pytest.raises(CommandError, match="no Grantor argument"):
        apply(p, AcceptArgument(demo.doc_id, "rita", demo.id("alice", "grant"), "Grantor", demo.id("alice", "indian")))
    revert(p, second)
    (ev,) = [g for g in gold(demo) if g.kind == "event"]
    assert [x.role for x in ev.arguments] == ["Grantee"]
    revert(p, cmd)
    assert gold(demo) == [] and p.review_decisions(demo.doc_id) == []


def test_accept_single_attributes_and_the_claimant(demo):
    p = demo.project
    apply(p, AcceptAttribute(demo.doc_id, "rita", demo.id("bob", "confirm"), "veracity"))
    (c,) = [g for g in gold(demo) if g.kind == "claim"]
    assert c.attributes == {"veracity": "true"} and c.claimant_ref is None
    apply(p, AcceptAttribute(demo.doc_id, "rita", demo.id("alice", "confirm"), "claim_type"))
    apply(p, AcceptAttribute(demo.doc_id, "rita", demo.id("alice", "confirm"), CLAIMANT))
    (c,) = [g for g in gold(demo) if g.kind == "claim"]
    assert c.attributes == {"veracity": "true", "claim_type": "factual"}
    who = p.get_annotation(c.claimant_ref)
    assert who.annotator == GOLD and demo.text[who.start : who.end] == "Randhir Jaiswal"
    # the claimant as free text, from bob
    apply(p, AcceptAttribute(demo.doc_id, "rita", demo.id("bob", "confirm"), CLAIMANT))
    (c,) = [g for g in gold(demo) if g.kind == "claim"]
    assert c.claimant_ref is None and c.claimant_text == "Randhir Jaiswal"
    assert unit_of(demo, "alice", "confirm").decision == "edited"


def test_reject_records_a_decision_and_removes_gold(demo):
    p = demo.project
    apply(p, AcceptAnnotation(demo.doc_id, "rita", demo.id("alice", "percent")))
    unit = unit_of(demo, "alice", "percent")
    cmd = Reject(demo.doc_id, "rita", unit.ids, [g.id for g in unit.gold])
    apply(p, cmd)
    assert ("entity", "PERCENT", "70%") not in gold_text(demo)
    assert unit_of(demo, "alice", "percent").decision == "rejected"
    assert p.review_decisions(demo.doc_id)[-1]["action"] == "reject"
    revert(p, cmd)
    assert ("entity", "PERCENT", "70%") in gold_text(demo)
    assert unit_of(demo, "alice", "percent").decision == "accepted"


def test_edit_gold_directly_and_only_gold(demo):
    p = demo.project
    apply(p, AcceptAnnotation(demo.doc_id, "rita", demo.id("alice", "lac")))
    (g,) = gold(demo)
    apply(p, EditGold(UpdateAnnotation(demo.doc_id, "rita", g.id, label="GPE")))
    assert gold(demo)[0].label == "GPE"
    assert unit_of(demo, "alice", "lac").decision == "edited"
    assert p.review_decisions(demo.doc_id)[-1]["action"] == "edit"
    s, e = find(demo.text, "Chinese government")
    apply(p, EditGold(AddAnnotations(demo.doc_id, "rita", [entity(demo.doc_id, s, e, "ORG", GOLD)])))
    assert ("entity", "ORG", "Chinese government") in gold_text(demo)
    with pytest.raises(CommandError, match="only gold"):
        apply(p, EditGold(UpdateAnnotation(demo.doc_id, "rita", demo.id("alice", "lac"), label="GPE")))
    assert p.get_annotation(demo.id("alice", "lac")).label == "LOC"


def test_review_status_and_queue(demo, tmp_path):
    p = demo.project
    apply(p, SetReviewStatus(demo.doc_id, "rita", "reviewed"))
    assert p.document_status(demo.doc_id) == DocStatus.REVIEWED
    with pytest.raises(CommandError):
        SetReviewStatus(demo.doc_id, "rita", "done")
    with pytest.raises(CommandError, match="reviewer"):
        AcceptAllAgreed(demo.doc_id, GOLD)
    # a second document with one disagreement only comes after the demo article
    d = Document(text="Modi met Xi in Kazan.", title="short")
    p.insert_documents(
        [(d, [entity(d.id, 0, 4, "PERSON", "alice"), entity(d.id, 0, 4, "PERSON", "bob"), entity(d.id, 15, 20, "GPE", "alice")])]
    )
    rows = review_queue(p)
    assert [r.doc_id for r in rows] == [demo.doc_id, d.id]
    assert (rows[0].open, rows[0].disagreements, rows[0].agreed_open) == (10, 10, 10)
    assert (rows[1].open, rows[1].agreed) == (1, 1)
    # deciding the demo article's disagreements moves it down the queue
    for u in document_units(p, demo.doc_id):
        if u.open:
            apply(p, Reject(demo.doc_id, "rita", u.ids))
    rows = review_queue(p)
    assert [r.doc_id for r in rows] == [d.id, demo.doc_id] and rows[1].open == 0
    assert [r.doc_id for r in review_queue(p, include_done=False)] == [d.id]


def test_queue_rows_read_every_column():
    from annotator.core.models import Annotation
    from annotator.core.rows import AnnotationRow

    assert AnnotationRow._fields == tuple(Annotation.model_fields)


def test_undo_after_another_window_changed_gold_is_refused(demo):
    p = demo.project
    cmd = AcceptAnnotation(demo.doc_id, "rita", demo.id("alice", "china"))
    apply(p, cmd)
    (g,) = gold(demo)
    apply(p, UpdateAnnotation(demo.doc_id, "someone", g.id, label="LOC"))  # e.g. another window
    with pytest.raises(ConflictError):
        revert(p, cmd)
    assert gold(demo)[0].label == "LOC"
    assert len(p.review_decisions(demo.doc_id)) == 1


def test_accept_refuses_gold_or_foreign_annotations(demo):
    p = demo.project
    apply(p, AcceptAnnotation(demo.doc_id, "rita", demo.id("alice", "china")))
    (g,) = gold(demo)
    with pytest.raises(CommandError, match="gold layer already"):
        apply(p, AcceptAnnotation(demo.doc_id, "rita", g.id))
    with pytest.raises(CommandError, match="not in this document"):
        apply(p, AcceptAnnotation(demo.doc_id, "rita", "nope"))
