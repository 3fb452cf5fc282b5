"""Discontinuous spans (issue 14) in agreement, review and merge: values by hand.

Exact match: same label and the same set of fragments (a one-piece span and a
discontinuous one never match exactly, even with the same hull).  Overlap
match: the two spans share a character of a fragment (the text between the
fragments does not count).  Token categories come from the fragments only."""

from __future__ import annotations

import pytest

from annotator.core.agreement import agreement, max_overlap_matching
from annotator.core.commands import apply
from annotator.core.models import GOLD, Document, claim, entity
from annotator.core.review import AcceptAllAgreed, AcceptAnnotation, document_units
from annotator.core.store import Project
from annotator.core.tokenize import tokenize
from annotator.services.merging import merge_paths

TEXT = "Take vitamins A, D and E daily. The economy, he said, is collapsing."


def at(piece: str, after: str = "") -> tuple[int, int]:
    i = TEXT.index(piece, TEXT.index(after) + len(after) if after else 0)
    return i, i + len(piece)


VIT = at("vitamins")
A, D, E = (at(x, "vitamins ") for x in "ADE")
ECON, COLL = at("The economy"), at("is collapsing")


def frag(doc: Document, who: str, *pieces: tuple[int, int], label: str = "PRODUCT", **kw):
    return entity(doc.id, None, None, label, who, fragments=list(pieces), **kw)


def plain(doc: Document, who: str, span: tuple[int, int], label: str = "PRODUCT", **kw):
    return entity(doc.id, *span, label, who, **kw)


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "agree.annotator", create=True)
    doc = Document(text=TEXT, title="vitamins")
    anns = [
        # A: "vitamins A", "vitamins D" (discontinuous), "E"
        frag(doc, "A", VIT, A, id="a_va"),
        frag(doc, "A", VIT, D, id="a_vd"),
        plain(doc, "A", E, id="a_e"),
        # B: "vitamins A" (the same fragments), "D", "vitamins E" (discontinuous)
        frag(doc, "B", VIT, A, id="b_va"),
        plain(doc, "B", D, id="b_d"),
        frag(doc, "B", VIT, E, id="b_ve"),
        # the claim: A in two pieces, B the whole sentence (the same hull)
        claim(doc.id, None, None, "A", fragments=[ECON, COLL], id="a_c"),
        claim(doc.id, ECON[0], COLL[1], "B", id="b_c"),
    ]
    p.insert_documents([(doc, anns)])
    p.doc = doc.id
    yield p
    p.close()


def test_overlap_matching_counts_fragments_not_the_gaps():
    va, vd = (VIT[0], A[1], (VIT, A)), (VIT[0], D[1], (VIT, D))
    comma = (A[1], A[1] + 1)  # the "," between A and D: inside the hull of "vitamins ... D", in no fragment
    assert max_overlap_matching([vd], [comma]) == 0
    assert max_overlap_matching([vd], [D]) == 1 and max_overlap_matching([va], [D]) == 0
    assert max_overlap_matching([va, vd], [D, (VIT[0], E[1], (VIT, E))]) == 2


def test_entities_exact_on_the_fragment_set_and_overlap_on_fragments(project):
    p = next(x for x in agreement(project, ["A", "B"])["pairs"] if (x["a"], x["b"]) == ("A", "B"))
    # exact: only "vitamins A" (same fragments); A 3 spans, B 3 spans -> P = R = F1 = 1/3
    assert p["entities"]["exact"]["matched"] == 1
    assert p["entity_f1_exact"] == pytest.approx(1 / 3)
    # overlap (a maximum one-to-one matching): vitamins A ~ vitamins A, vitamins D ~ D (the D),
    # E ~ vitamins E (the E) -> 3 of 3: F1 = 1
    assert p["entity_f1_overlap"] == pytest.approx(1.0)
    # tokens: Take vitamins A , D and E daily . The economy , he said , is collapsing . (18)
    assert len(tokenize(TEXT)) == 18
    # A: vitamins A D E are PRODUCT, every other token O ("," and "and" lie between fragments);
    # B: the same -> observed agreement 1, kappa 1 (with hulls, "," and "and" would differ)
    assert p["tokens"] == 18 and p["token_kappa"] == pytest.approx(1.0)
    # claims: a discontinuous claim and a one-piece claim with the same hull: no exact match, an overlap
    assert p["claims"]["exact"]["matched"] == 0 and p["claims"]["overlap"]["matched"] == 1
    assert p["claim_f1_exact"] == 0.0 and p["claim_f1_overlap"] == pytest.approx(1.0)


def test_review_units_and_accept_keep_fragments(project):
    units = {tuple(sorted(u.ids)): u for u in document_units(project, project.doc)}
    assert units[("a_va", "b_va")].status == "agreed"
    # the one-piece claim and the discontinuous one: one unit, boundaries differ
    assert units[("a_c", "b_c")].status == "boundary"
    apply(project, AcceptAllAgreed(project.doc, "rev"))
    apply(project, AcceptAnnotation(project.doc, "rev", "a_c"))
    gold = {(a.kind, a.text_in(TEXT)): a for a in project.annotations(project.doc, annotator=GOLD)}
    assert gold[("entity", "vitamins A")].fragments == [VIT, A]
    assert gold[("claim", "The economy is collapsing")].fragments == [ECON, COLL]
    # the unit now shows A's version accepted (same fragments), not B's
    units = {tuple(sorted(u.ids)): u for u in document_units(project, project.doc)}
    assert units[("a_c", "b_c")].accepted_from == ["A"]
    # accepting B's one-piece claim replaces the gold claim (same hull): gold holds one claim, of one piece
    apply(project, AcceptAnnotation(project.doc, "rev", "b_c"))
    claims = [a for a in project.annotations(project.doc, annotator=GOLD) if a.kind == "claim"]
    assert len(claims) == 1 and claims[0].fragments is None


def test_merge_keeps_fragments(project, tmp_path):
    out = tmp_path / "review.annotator"
    merge_paths(out, [project.path])
    with Project(out) as merged:
        got = {a.id: a for a in merged.iter_all_annotations()}
    assert got["a_vd"].fragments == [VIT, D] and got["a_c"].fragments == [ECON, COLL]
    assert got["b_d"].fragments is None
