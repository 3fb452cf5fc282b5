"""The agreement module's fast paths against plain reference computations.

Token metrics are counted per piece of a document between span boundaries (all
tokens of a piece have the same categories); here they are recomputed token by
token from ``tokenize``, on random corpora, and must be equal, not close."""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations, permutations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.agreement import (
    OUTSIDE,
    Corpus,
    cohen_kappa,
    compute,
    krippendorff_alpha_nominal,
    max_overlap_matching,
)
from annotator.core.models import CLAIM_LABEL, Document, entity
from annotator.core.rows import AnnotationRow
from annotator.core.store import Project
from annotator.core.tokenize import tokenize

LABELS = ["PER", "ORG", "GPE"]


def _row(ann_id: str, doc_id: str, who: str, kind: str, label: str, start: int, end: int) -> AnnotationRow:
    return AnnotationRow(ann_id, doc_id, kind, label, start, end, "{}", "[]", None, None, None, None, who, "manual", "", "")


PIECES = st.sampled_from(list("ab Z9,.-' \n\t%😀\u0301北京。!?()\"") + ["U.S.", "1,000", "A321", "Bob", "  "])


@st.composite
def corpora(draw):
    names = [f"a{i}" for i in range(draw(st.integers(2, 4)))]
    docs: dict[str, dict[str, list[AnnotationRow]]] = {}
    texts: dict[str, str] = {}
    n = 0
    for d in range(draw(st.integers(1, 4))):
        doc_id = f"doc-{d}"
        text = "".join(draw(st.lists(PIECES, max_size=30)))
        texts[doc_id] = text
        docs[doc_id] = {}
        for who in names:
            anns = []
            for _ in range(draw(st.integers(0, 5))):
                s = draw(st.integers(0, len(text)))
                e = draw(st.integers(s, len(text)))
                n += 1
                if draw(st.integers(0, 7)) == 0:  # a claim: the annotator worked on the document
                    anns.append(_row(f"x{n}", doc_id, who, "claim", CLAIM_LABEL, s, e))
                else:
                    anns.append(_row(f"x{n}", doc_id, who, "entity", draw(st.sampled_from(LABELS)), s, e))
            if anns:
                docs[doc_id][who] = anns
    return Corpus(annotators=names, docs=docs, texts=texts)


def _category(token, ents) -> str:
    labels = sorted({e.label for e in ents if e.start <= token.start < e.end})
    return "+".join(labels) if labels else OUTSIDE


def _reference(corpus: Corpus, label: str | None, documents: str):
    """Per document, each annotator's category of every token (``None``: no value)."""
    names = corpus.annotators
    out = {}
    for doc_id, doc in corpus.docs.items():
        ents = {n: [x for x in doc.get(n, []) if x.kind == "entity" and (label is None or x.label == label)] for n in names}
        cuts = {p for es in ents.values() for e in es for p in (e.start, e.end)}
        tokens = tokenize(corpus.texts[doc_id], cuts)
        worked = {n: bool(doc.get(n)) for n in names}
        out[doc_id] = (worked, {n: [_category(t, ents[n]) for t in tokens] for n in names})
    return out


def _binary(values, lab):
    k = sum(1 for v in values if v != OUTSIDE and lab in v.split("+"))
    return (True,) * k + (False,) * (len(values) - k)


@settings(max_examples=200, deadline=None)
@given(corpora(), st.sampled_from([None, "PER"]), st.sampled_from(["shared", "any"]))
def test_token_metrics_equal_a_token_by_token_count(corpus, label, documents):
    report = compute(corpus, label=label, documents=documents)
    ref = _reference(corpus, label, documents)
    for p, (a, b) in zip(report["pairs"], combinations(corpus.annotators, 2)):
        conf: Counter = Counter()
        for worked, cats in ref.values():
            counts = worked[a] and worked[b] if documents == "shared" else worked[a] or worked[b]
            if counts:
                conf.update(zip(cats[a], cats[b]))
        units: Counter = Counter()
        for (x, y), n in conf.items():
            units[tuple(sorted((x, y)))] += n
        assert p["tokens"] == sum(conf.values())
        assert p["token_kappa"] == cohen_kappa(conf)
        assert p["krippendorff_alpha"] == krippendorff_alpha_nominal(units)
        for lab, row in p["per_label"].items():
            if row["kind"] != "entity":
                continue
            binary = Counter()
            bunits: Counter = Counter()
            for (x, y), n in conf.items():
                bx, by = _binary([x], lab)[0], _binary([y], lab)[0]
                binary[(bx, by)] += n
                bunits[_binary([x, y], lab)] += n
            assert row["token_kappa"] == cohen_kappa(binary), lab
            assert row["krippendorff_alpha"] == krippendorff_alpha_nominal(bunits), lab
    units = Counter()
    for worked, cats in ref.values():
        present = [n for n in corpus.annotators if worked[n]]
        if documents == "any" and present:
            present = list(corpus.annotators)
        if len(present) < 2:
            continue
        for values in zip(*(cats[n] for n in present)):
            units[tuple(sorted(values))] += 1
    alpha = report["krippendorff_alpha"]
    assert alpha["tokens"] == sum(units.values())
    assert alpha["alpha"] == krippendorff_alpha_nominal(units)
    for lab, value in alpha["per_label"].items():
        bunits = Counter()
        for values, n in units.items():
            bunits[_binary(values, lab)] += n
        assert value == krippendorff_alpha_nominal(bunits), lab


def test_alpha_does_not_depend_on_the_order_units_were_counted():
    units = {("A", "A", "B", "O"): 3, ("A", "B", "B", "B"): 5, ("O", "O", "O", "O"): 11, ("A", "O", "O", "O"): 7}
    values = {krippendorff_alpha_nominal(dict(order)) for order in permutations(units.items())}
    assert len(values) == 1


SPANS = st.lists(st.tuples(st.integers(0, 12), st.integers(1, 6)).map(lambda t: (t[0], t[0] + t[1])), max_size=5)


def _brute_force_matching(a, b) -> int:
    best = 0

    def go(i: int, used: frozenset, size: int) -> None:
        nonlocal best
        if i == len(a):
            best = max(best, size)
            return
        go(i + 1, used, size)
        s1, e1 = a[i]
        for j, (s2, e2) in enumerate(b):
            if j not in used and s1 < e2 and s2 < e1:
                go(i + 1, used | {j}, size + 1)

    go(0, frozenset(), 0)
    return best


@settings(max_examples=400, deadline=None)
@given(SPANS, SPANS)
def test_overlap_matching_equals_brute_force(a, b):
    assert max_overlap_matching(a, b) == _brute_force_matching(a, b)


def test_annotation_rows_by_scan_equal_rows_by_index(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as project:
        docs = [Document(text=f"Alice met Bob number {i}.", title=str(i)) for i in range(5)]
        project.insert_documents(
            [(d, [entity(d.id, 0, 5, "PER", who) for who in ("A", "B", "C")[: 1 + i % 3]]) for i, d in enumerate(docs)]
        )
        for names in (["A"], ["B", "C"], ["A", "B", "C"], ["C", "nobody"]):
            rows = project.annotation_rows(names)
            assert rows == project.annotation_rows(names, scan=True)
            assert len(rows) == sum(project.annotator_counts().get(n, 0) for n in names)
        assert project.annotator_counts() == {"A": 5, "B": 3, "C": 1}
        assert json.loads(rows[0].attributes) == {}


def test_the_garbage_collector_is_left_as_it_was(tmp_path):
    import gc

    import pytest

    from annotator.core.agreement import AgreementError, agreement, load_corpus

    with Project(tmp_path / "p.annotator", create=True) as project:
        d = Document(text="Alice met Bob.", title="one")
        project.insert_documents([(d, [entity(d.id, 0, 5, "PER", "A"), entity(d.id, 10, 13, "PER", "B")])])
        was = gc.isenabled()
        try:
            for state in (True, False):
                (gc.enable if state else gc.disable)()
                assert agreement(project)["pairs"][0]["entity_f1_exact"] == 0.0
                assert gc.isenabled() is state
                with pytest.raises(AgreementError):
                    compute(load_corpus(project, ["A"]))  # one annotator: an error inside the paused region
                assert gc.isenabled() is state
        finally:
            (gc.enable if was else gc.disable)()


def test_overlapping_collector_pauses_restore_the_collector():
    """Two pauses that overlap out of order (an export thread and the window) leave
    the collector as the first one found it, not paused for good."""
    import gc
    import threading

    from annotator.core.gcpause import collector_paused

    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    t = threading.Thread(target=first)
    t.start()
    first_in.wait(5)
    with collector_paused():
        second_in.set()
        first_out.wait(5)
        assert not gc.isenabled()  # the second block still runs paused
    t.join(5)
    assert gc.isenabled()
