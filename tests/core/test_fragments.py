"""Discontinuous spans (issue 14): the model, the stored rows, the migration and
the commands that add, remove and move fragments, with undo."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core.commands import (
    AddAnnotations,
    AddFragment,
    CommandError,
    RemoveFragment,
    SetFragment,
    UpdateAnnotation,
    apply,
    revert,
)
from annotator.core.migrations import MIGRATION_STEPS, m010_fragments
from annotator.core.models import Annotation, Document, claim, entity, merge_pieces
from annotator.core.projectfile import read_project_file
from annotator.core.rows import annotation_row, row_to_annotation
from annotator.core.store import Project

CLAIM_TEXT = "The economy, he said, is collapsing."
VITAMINS = "Take vitamins A, D and E daily."
FIXTURE = Path(__file__).parent.parent / "reliability" / "fixtures" / "v1.annotator"


def at(text: str, piece: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(piece, i + 1)
    return i, i + len(piece)


# -- the model -----------------------------------------------------------------
def test_claim_in_two_pieces():
    frags = [at(CLAIM_TEXT, "The economy"), at(CLAIM_TEXT, "is collapsing")]
    c = Annotation(doc_id="d", kind="claim", label="CLAIM", annotator="alice", fragments=frags)
    assert (c.start, c.end) == (0, 35)  # the hull, filled in
    assert c.fragments == [(0, 11), (22, 35)]
    assert c.text_in(CLAIM_TEXT) == "The economy is collapsing"  # joined by one space
    assert c.pieces == [(0, 11), (22, 35)]
    c.check_span(len(CLAIM_TEXT))
    with pytest.raises(ValueError, match="outside the text"):
        c.check_span(30)


def test_vitamins_three_entities_share_a_fragment():
    vit = at(VITAMINS, "vitamins")
    ents = [entity("d", vit[0], at(VITAMINS, x)[1], "NUTRIENT", "alice", fragments=[vit, at(VITAMINS, x)]) for x in "ADE"]
    assert [e.text_in(VITAMINS) for e in ents] == ["vitamins A", "vitamins D", "vitamins E"]
    # the first one touches nothing but its own two pieces: "vitamins" + "A"
    assert ents[0].fragments == [(5, 13), (14, 15)]
    assert ents[2].fragments == [(5, 13), (23, 24)] and (ents[2].start, ents[2].end) == (5, 24)


def test_one_piece_is_a_plain_span_and_plain_spans_store_nothing():
    e = entity("d", 5, 13, "NUTRIENT", "alice", fragments=[(5, 13)])
    assert e.fragments is None and e.pieces == [(5, 13)]
    plain = entity("d", 5, 13, "NUTRIENT", "alice")
    assert annotation_row(plain).fragments is None


@pytest.mark.parametrize(
    "frags, start, end, message",
    [
        ([], None, None, "two or more"),
        ([(5, 3), (8, 9)], None, None, "invalid fragment"),
        ([(0, 5), (5, 9)], None, None, "overlaps or touches"),
        ([(0, 5), (3, 9)], None, None, "overlaps or touches"),
        ([(6, 9), (0, 5)], None, None, "overlaps or touches"),  # not in document order
        ([(0, 5), (7, 9)], 0, 8, "not the hull"),
        ([(-1, 5), (7, 9)], None, None, "invalid fragment"),
    ],
)
def test_bad_fragments_are_refused(frags, start, end, message):
    with pytest.raises(ValueError, match=message):
        Annotation(doc_id="d", kind="entity", label="X", annotator="a", start=start, end=end, fragments=frags)


def test_relation_has_no_fragments():
    with pytest.raises(ValueError, match="no fragments"):
        Annotation(doc_id="d", kind="relation", label="R", annotator="a", head="x", tail="y", fragments=[(0, 1), (2, 3)])


def test_merge_pieces():
    assert merge_pieces([(10, 12), (0, 3), (3, 5), (11, 14)]) == [(0, 5), (10, 14)]


def test_row_round_trip():
    frags = [at(CLAIM_TEXT, "The economy"), at(CLAIM_TEXT, "is collapsing")]
    c = claim("d", 0, 35, "alice", fragments=frags)
    row = annotation_row(c)
    assert row.fragments == "[[0, 11], [22, 35]]"
    assert row.fragment_ranges() == [(0, 11), (22, 35)] and row.pieces() == [(0, 11), (22, 35)]
    assert row_to_annotation(row) == c
    assert annotation_row(entity("d", 1, 2, "X", "a")).pieces() == [(1, 2)]


# -- the store -------------------------------------------------------------------
@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        doc = Document(text=VITAMINS + " " + CLAIM_TEXT)
        p.insert_documents([(doc, [])])
        p.doc = doc.id
        p.text = doc.text
        yield p


def test_store_keeps_fragments(project, tmp_path):
    t = project.text
    e = entity(project.doc, 5, 15, "PRODUCT", "alice", fragments=[(5, 13), (14, 15)])
    plain = entity(project.doc, 0, 4, "PRODUCT", "alice")
    apply(project, AddAnnotations(project.doc, "alice", [e, plain]))
    stored = project.get_annotation(e.id)
    assert stored == e and stored.text_in(t) == "vitamins A"
    assert project.get_annotation(plain.id).fragments is None
    rows = project.annotation_rows_by_document([project.doc])[project.doc]
    assert {r.id: r.fragments for r in rows} == {e.id: "[[5, 13], [14, 15]]", plain.id: None}
    # a plain span's row holds NULL, not "[]" or "null"
    raw = sqlite3.connect(project.path).execute("SELECT id, fragments FROM annotations").fetchall()
    assert dict(raw) == {e.id: "[[5, 13], [14, 15]]", plain.id: None}
    # read whole (merging) as well
    read = {r.id: r for r in read_project_file(project.path).annotations}
    assert read[e.id].pieces() == [(5, 13), (14, 15)]


def test_migration_from_v1_adds_the_column_and_keeps_everything(tmp_path):
    old = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, old)
    before = sqlite3.connect(old)
    rows_before = before.execute('SELECT id, start, "end", label FROM annotations ORDER BY id').fetchall()
    before.close()
    assert m010_fragments in MIGRATION_STEPS
    with Project(old) as p:
        cols = {r[1] for r in sqlite3.connect(old).execute("PRAGMA table_info(annotations)")}
        assert "fragments" in cols
        anns = list(p.iter_all_annotations())
        assert sorted((a.id, a.start, a.end, a.label) for a in anns) == rows_before
        assert all(a.fragments is None for a in anns)
        assert p.integrity_check() == "ok"
    assert old.with_name("old.annotator.v1.bak").exists()


def test_older_project_files_are_read_whole_without_the_column(tmp_path):
    # merging reads another project file as it is, without migrating it
    rows = read_project_file(FIXTURE).annotations
    assert rows and all(r.fragments is None for r in rows)


# -- the commands ----------------------------------------------------------------
def test_claim_built_from_the_keyboard_in_two_pieces_with_undo(project):
    t = project.text
    base = len(VITAMINS) + 1
    first = at(t, "The economy")
    c = claim(project.doc, *first, "alice")
    apply(project, AddAnnotations(project.doc, "alice", [c]))
    add = AddFragment(project.doc, "alice", c.id, *at(t, "is collapsing"))
    changes = apply(project, add)
    assert changes.updated == {c.id}
    got = project.get_annotation(c.id)
    assert got.fragments == [(base, base + 11), (base + 22, base + 35)]
    assert (got.start, got.end) == (base, base + 35)
    assert got.text_in(t) == "The economy is collapsing"
    revert(project, add)
    assert project.get_annotation(c.id).fragments is None
    assert project.get_annotation(c.id).text_in(t) == "The economy"
    apply(project, add)  # redo
    assert project.get_annotation(c.id).text_in(t) == "The economy is collapsing"
    assert [h["action"] for h in project.history(project.doc)][:3] == [
        "do:AddFragment",
        "undo:AddFragment",
        "do:AddFragment",
    ]


def test_vitamins_three_entities_by_commands(project):
    t = project.text
    vit = at(t, "vitamins")
    ids = []
    for x in ("A", "D", "E"):
        e = entity(project.doc, *at(t, x), "PRODUCT", "alice")
        apply(project, AddAnnotations(project.doc, "alice", [e]))
        apply(project, AddFragment(project.doc, "alice", e.id, *vit))
        ids.append(e.id)
    texts = [project.get_annotation(i).text_in(t) for i in ids]
    assert texts == ["vitamins A", "vitamins D", "vitamins E"]
    assert all(project.get_annotation(i).fragments[0] == vit for i in ids)


def test_add_fragment_joins_touching_pieces_and_refuses_a_piece_already_in(project):
    t = project.text
    c = claim(project.doc, *at(t, "The economy"), "alice")
    apply(project, AddAnnotations(project.doc, "alice", [c]))
    apply(project, AddFragment(project.doc, "alice", c.id, *at(t, "is collapsing")))
    with pytest.raises(CommandError, match="already part"):
        apply(project, AddFragment(project.doc, "alice", c.id, *at(t, "economy")))
    # ", he" touches "The economy": joined into one piece
    s, _e = at(t, ", he")
    apply(project, AddFragment(project.doc, "alice", c.id, s, s + 4))
    assert project.get_annotation(c.id).text_in(t) == "The economy, he is collapsing"
    assert len(project.get_annotation(c.id).fragments) == 2
    # a piece that bridges the gap makes it one span again
    apply(project, AddFragment(project.doc, "alice", c.id, *at(t, " said, ")))
    got = project.get_annotation(c.id)
    assert got.fragments is None and got.text_in(t) == "The economy, he said, is collapsing"


def test_remove_fragment_and_undo(project):
    t = project.text
    c = claim(project.doc, None, None, "alice", fragments=[at(t, "The economy"), at(t, "is collapsing")])
    apply(project, AddAnnotations(project.doc, "alice", [c]))
    rm = RemoveFragment(project.doc, "alice", c.id, 0)
    apply(project, rm)
    got = project.get_annotation(c.id)
    assert got.fragments is None and got.text_in(t) == "is collapsing"
    revert(project, rm)
    assert project.get_annotation(c.id) == c
    with pytest.raises(CommandError, match="no fragment 3"):
        apply(project, RemoveFragment(project.doc, "alice", c.id, 2))
    plain = entity(project.doc, 0, 4, "PRODUCT", "alice")
    apply(project, AddAnnotations(project.doc, "alice", [plain]))
    with pytest.raises(CommandError, match="one piece"):
        apply(project, RemoveFragment(project.doc, "alice", plain.id, 0))


def test_move_one_fragment_boundary(project):
    t = project.text
    econ, coll = at(t, "The economy"), at(t, "is collapsing")
    c = claim(project.doc, econ[0], coll[1], "alice", fragments=[econ, coll])
    apply(project, AddAnnotations(project.doc, "alice", [c]))
    # the second piece's end one character further (the full stop)
    move = SetFragment(project.doc, "alice", c.id, 1, coll[0], coll[1] + 1)
    apply(project, move)
    got = project.get_annotation(c.id)
    assert got.text_in(t) == "The economy is collapsing." and got.end == coll[1] + 1
    revert(project, move)
    assert project.get_annotation(c.id) == c
    # the first piece's end cannot reach the second piece
    with pytest.raises(CommandError, match="overlap or touch"):
        apply(project, SetFragment(project.doc, "alice", c.id, 0, econ[0], coll[0]))
    with pytest.raises(CommandError, match="invalid fragment"):
        apply(project, SetFragment(project.doc, "alice", c.id, 0, econ[0], econ[0]))
    assert project.get_annotation(c.id) == c


def test_plain_boundary_update_moves_the_outer_pieces(project):
    t = project.text
    econ, coll = at(t, "The economy"), at(t, "is collapsing")
    c = claim(project.doc, econ[0], coll[1], "alice", fragments=[econ, coll])
    apply(project, AddAnnotations(project.doc, "alice", [c]))
    apply(project, UpdateAnnotation(project.doc, "alice", c.id, start=econ[0] + 4, end=coll[1] + 1))
    got = project.get_annotation(c.id)
    assert got.text_in(t) == "economy is collapsing."
    with pytest.raises(CommandError, match="invalid fragment"):
        apply(project, UpdateAnnotation(project.doc, "alice", c.id, start=econ[1] + 1))
