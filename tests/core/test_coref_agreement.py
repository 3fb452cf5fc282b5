"""Coreference agreement (issue 15): MUC, B³, CEAF-e and CoNLL, checked by hand
on small cases (from the CoNLL-2012 scorer's definitions) and against scorch, an
independent implementation, on random clusterings; per document and over the
corpus (micro: counts summed); in the agreement report, its text and the CLI."""

from __future__ import annotations

import json
import random
import statistics
from fractions import Fraction as F

import pytest
from click.testing import CliRunner

from annotator.cli.group import main
from annotator.core.agreement import agreement, coref_agreement, format_report
from annotator.core.agreement.coref import (
    b3_counts,
    ceafe_counts,
    clean_clusters,
    document_counts,
    max_assignment,
    muc_counts,
    prf_of,
    scores,
)
from annotator.core.commands import apply
from annotator.core.coref_commands import NewCluster
from annotator.core.models import Document, entity
from annotator.core.store import Project
from annotator.core.store_coref import span_key

KEY1 = [["a", "b", "c"], ["d", "e"]]
RESP1 = [["a", "b"], ["c", "d", "e"]]
KEY2 = [["a", "b"], ["c"]]
RESP2 = [["a", "b", "x"]]


def approx(x):
    return pytest.approx(float(x), abs=1e-12)


def f1(p, r):
    return 2 * p * r / (p + r)


def test_case_one_by_hand():
    # MUC: K1 is cut in 2 parts (3-2=1 of 2 links), K2 whole (1 of 1): recall 2/3; precision the same by symmetry
    assert muc_counts(KEY1, RESP1) == (2, 3, 2, 3)
    # B³ recall: K1: 2²/3 + 1²/3, K2: 2²/2 -> 11/3 over 5 mentions
    rn, rd, pn, pd = b3_counts(KEY1, RESP1)
    assert (rn, rd, pn, pd) == (approx(F(11, 3)), 5, approx(F(11, 3)), 5)
    # CEAF-e: φ4(K1,R1) = 4/5, φ4(K2,R2) = 4/5 (better than K1-R2 = 1/3): 8/5 over 2 clusters each side
    assert ceafe_counts(KEY1, RESP1) == (approx(F(8, 5)), 2, approx(F(8, 5)), 2)
    s = scores(document_counts(KEY1, RESP1))
    assert s["muc"]["f1"] == approx(F(2, 3))
    assert s["b3"]["f1"] == approx(F(11, 15))
    assert s["ceafe"]["f1"] == approx(F(4, 5))
    assert s["conll"]["f1"] == approx((F(2, 3) + F(11, 15) + F(4, 5)) / 3)


def test_case_two_by_hand_missing_mention_and_singleton():
    # key: {a b} {c}; response: {a b x} (x is not in the key, c not in the response)
    s = scores(document_counts(KEY2, RESP2))
    assert (s["muc"]["recall"], s["muc"]["precision"]) == (approx(1), approx(F(1, 2)))
    assert s["muc"]["f1"] == approx(F(2, 3))
    assert (s["b3"]["recall"], s["b3"]["precision"]) == (approx(F(2, 3)), approx(F(4, 9)))
    assert s["b3"]["f1"] == approx(F(8, 15))
    assert (s["ceafe"]["recall"], s["ceafe"]["precision"]) == (approx(F(2, 5)), approx(F(4, 5)))
    assert s["ceafe"]["f1"] == approx(F(8, 15))


def test_identical_and_disjoint():
    s = scores(document_counts(KEY1, KEY1))
    assert all(s[m]["f1"] == approx(1) for m in ("muc", "b3", "ceafe", "conll"))
    s = scores(document_counts([["a", "b"]], [["c", "d"]]))
    assert s["muc"] == {"precision": 0, "recall": 0, "f1": 0.0}
    assert s["ceafe"]["f1"] == 0.0
    # only singletons: MUC has no links to score (undefined), the others are defined
    s = scores(document_counts([["a"]], [["a"]]))
    assert s["muc"]["f1"] is None and s["b3"]["f1"] == approx(1) and s["conll"]["f1"] is None


def test_clean_clusters_keeps_a_mention_once():
    assert clean_clusters([["a", "b", "a"], ["b", "c"], ["b"]]) == [["a", "b"], ["c"]]


def test_max_assignment_against_brute_force():
    from itertools import permutations

    rng = random.Random(7)
    for _ in range(200):
        n, m = rng.randint(1, 5), rng.randint(1, 5)
        weights = {(i, j): rng.random() for i in range(n) for j in range(m) if rng.random() < 0.6}
        best = 0.0
        size = max(n, m)
        for perm in permutations(range(size)):
            best = max(best, sum(weights.get((i, perm[i]), 0.0) for i in range(n)))
        assert max_assignment(weights) == pytest.approx(best)


def random_clustering(rng: random.Random, mentions: list[str], k: int) -> list[list[str]]:
    chosen = [m for m in mentions if rng.random() < 0.85]
    rng.shuffle(chosen)
    clusters: list[list[str]] = [[] for _ in range(k)]
    for m in chosen:
        clusters[rng.randrange(k)].append(m)
    return [c for c in clusters if c]


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_against_scorch_on_random_documents():
    scorch = pytest.importorskip("scorch.scores")
    rng = random.Random(15)
    checked = 0
    for _ in range(300):
        mentions = [f"m{i}" for i in range(rng.randint(2, 40))]
        key = random_clustering(rng, mentions, rng.randint(1, 8))
        resp = random_clustering(rng, mentions, rng.randint(1, 8))
        if not key or not resp:
            continue
        ours = scores(document_counts(key, resp))
        ks, rs = [set(c) for c in key], [set(c) for c in resp]
        for name, theirs in (("muc", scorch.muc), ("b3", scorch.b_cubed), ("ceafe", scorch.ceaf_e)):
            if name == "muc" and (all(len(c) < 2 for c in key) or all(len(c) < 2 for c in resp)):
                continue  # no links on a side: undefined here, scorch says 0 (or 1)
            try:
                r, p, f = theirs(ks, rs)
            except statistics.StatisticsError:  # scorch's harmonic mean when P or R is 0
                assert ours[name]["f1"] == 0.0 and 0 in (ours[name]["recall"], ours[name]["precision"])
                continue
            assert ours[name]["recall"] == pytest.approx(r), name
            assert ours[name]["precision"] == pytest.approx(p), name
            assert (ours[name]["f1"] or 0.0) == pytest.approx(f), name
        checked += 1
    assert checked > 250


# ---------------------------------------------------------------------------
# In the project's agreement report
# ---------------------------------------------------------------------------
LETTERS = "a b c d e x"


def pos(ch: str) -> tuple[int, int]:
    i = LETTERS.index(ch)
    return i, i + 1


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "p.annotator", create=True)
    docs = [Document(text=LETTERS), Document(text=LETTERS + " ")]
    spans = {}
    rows = []
    for d in docs:
        for who in ("alice", "bob"):
            for ch in "abcdex":
                a = entity(d.id, *pos(ch), "PERSON", who)
                spans[(d.id, who, ch)] = a.id
                rows.append((d, a))
    p.insert_documents([(d, [a for dd, a in rows if dd is d]) for d in docs])

    def clusters(doc, who, groups):
        for g in groups:
            apply(p, NewCluster(doc.id, who, [spans[(doc.id, who, ch)] for ch in g]))

    clusters(docs[0], "alice", KEY1)
    clusters(docs[0], "bob", RESP1)
    clusters(docs[1], "alice", KEY2)
    clusters(docs[1], "bob", RESP2)
    p.docs = docs
    yield p
    p.close()


def test_agreement_report_has_coref_keys_per_pair_micro_averaged(project):
    report = agreement(project, ["alice", "bob"])
    (pair,) = report["pairs"]
    # micro: MUC recall (2+1)/(3+1), precision (2+1)/(3+2)
    assert pair["coref_muc"]["recall"] == approx(F(3, 4))
    assert pair["coref_muc"]["precision"] == approx(F(3, 5))
    assert pair["coref_muc"]["f1"] == approx(f1(F(3, 5), F(3, 4)))
    # B³: recall (11/3 + 2) over (5 + 3); precision (11/3 + 4/3) over (5 + 3)
    assert pair["coref_b3"]["recall"] == approx((F(11, 3) + 2) / 8)
    assert pair["coref_b3"]["precision"] == approx((F(11, 3) + F(4, 3)) / 8)
    # CEAF-e: (8/5 + 4/5) over 4 key clusters and over 3 response clusters
    assert pair["coref_ceafe"]["recall"] == approx(F(12, 5) / 4)
    assert pair["coref_ceafe"]["precision"] == approx(F(12, 5) / 3)
    conll = (pair["coref_muc"]["f1"] + pair["coref_b3"]["f1"] + pair["coref_ceafe"]["f1"]) / 3
    assert pair["coref_conll"]["f1"] == pytest.approx(conll)
    per_doc = {d["doc_id"]: d for d in pair["coref"]["per_document"]}
    assert pair["coref"]["documents"] == 2
    assert per_doc[project.docs[0].id]["b3"]["f1"] == approx(F(11, 15))
    assert per_doc[project.docs[1].id]["ceafe"]["f1"] == approx(F(8, 15))
    # the same numbers from the coreference-only reader
    only = coref_agreement(project, ["alice", "bob"])
    assert {k: only["pairs"][0][k] for k in ("coref_muc", "coref_b3", "coref_ceafe", "coref_conll")} == {
        k: pair[k] for k in ("coref_muc", "coref_b3", "coref_ceafe", "coref_conll")
    }
    assert coref_agreement(project)["annotators"] == ["alice", "bob"]
    text = format_report(report)
    assert "coref     MUC F1 0.667" in text and "(2 documents with clusters)" in text


def test_documents_mode_shared_and_any(project):
    doc = project.docs[1]
    for c in project.clusters(doc.id, "bob"):
        from annotator.core.coref_commands import DeleteCluster

        apply(project, DeleteCluster(doc.id, "bob", c.id))
    shared = agreement(project, ["alice", "bob"])["pairs"][0]
    assert shared["coref"]["documents"] == 1 and shared["coref_b3"]["f1"] == approx(F(11, 15))
    anydoc = agreement(project, ["alice", "bob"], documents="any")["pairs"][0]
    assert anydoc["coref"]["documents"] == 2
    assert anydoc["coref_b3"]["recall"] == approx(F(11, 3) / 8)  # alice's 3 mentions of doc 2 are not found


def test_no_clusters_gives_undefined_values(tmp_path):
    p = Project(tmp_path / "q.annotator", create=True)
    d = Document(text="Sony sold.")
    p.insert_documents([(d, [entity(d.id, 0, 4, "ORG", "alice"), entity(d.id, 0, 4, "ORG", "bob")])])
    pair = agreement(p, ["alice", "bob"])["pairs"][0]
    assert pair["coref_conll"] == {"precision": None, "recall": None, "f1": None}
    assert pair["coref"]["documents"] == 0 and "coref " not in format_report(agreement(p, ["alice", "bob"]))
    p.close()


def test_cli_json_has_the_coref_keys(project):
    result = CliRunner().invoke(main, ["agreement", str(project.path), "--json"])
    assert result.exit_code == 0, result.output
    pair = json.loads(result.output)["pairs"][0]
    for key in ("coref_muc", "coref_b3", "coref_ceafe", "coref_conll"):
        assert set(pair[key]) == {"precision", "recall", "f1"}
    assert pair["coref_muc"]["recall"] == approx(F(3, 4))
    text = CliRunner().invoke(main, ["agreement", str(project.path)])
    assert "CoNLL F1" in text.output


def test_prf_of_zero_denominators():
    assert prf_of((0, 0, 0, 0)) == {"precision": None, "recall": None, "f1": None}


def test_python_hungarian_and_scipy_agree_on_larger_groups(monkeypatch):
    import annotator.core.agreement.coref as coref

    rng = random.Random(3)
    cases = []
    for _ in range(30):
        n, m = rng.randint(5, 40), rng.randint(5, 40)
        cases.append({(i, j): rng.random() for i in range(n) for j in range(m) if rng.random() < 0.3})
    with_scipy = [coref.max_assignment(w) for w in cases]
    # the whole document's matrix (rows and columns without a weight: zeros) gives the same
    dense = [coref.max_assignment(w, (45, 50)) for w in cases]
    assert dense == pytest.approx(with_scipy, rel=1e-12)
    monkeypatch.setattr(coref, "_LSA", [None])  # as without scipy
    without = [coref.max_assignment(w) for w in cases]
    assert without == pytest.approx(with_scipy)


def test_an_edited_mention_span_is_what_agreement_compares(project):
    from annotator.core.commands import UpdateAnnotation

    doc = project.docs[0]
    before = agreement(project, ["alice", "bob"])["pairs"][0]["coref_b3"]
    # bob's "e" moves onto "x": it no longer matches alice's "e"
    e = next(a for a in project.annotations(doc.id, "bob") if (a.start, a.end) == pos("e"))
    apply(project, UpdateAnnotation(doc.id, "bob", e.id, start=pos("x")[0], end=pos("x")[1]))
    spans = {s for d, who, keys in project.cluster_span_keys(["bob"]) if d == doc.id for s in keys.split(",")}
    assert span_key(10, 11) in spans and span_key(8, 9) not in spans  # the member row follows the annotation's new span
    after = agreement(project, ["alice", "bob"])["pairs"][0]["coref_b3"]
    assert after["recall"] < before["recall"]


def test_claimants_naming_actors_are_compared_by_name(tmp_path):
    from annotator.core.commands import UpdateAnnotation
    from annotator.core.coref import RegistryEntry, cluster_ref, entry_ref
    from annotator.core.coref_commands import AddRegistryEntry
    from annotator.core.models import claim

    text = "Randhir Jaiswal said the talks went well. He added more."
    p = Project(tmp_path / "c.annotator", create=True)
    d = Document(text=text)
    rows = {}
    for who in ("alice", "bob", "carol"):
        rows[who, "j"] = entity(d.id, 0, 15, "PERSON", who)
        rows[who, "he"] = entity(d.id, text.index("He"), text.index("He") + 2, "PERSON", who)
        rows[who, "c"] = claim(d.id, 21, 40, who)
    p.insert_documents([(d, list(rows.values()))])
    entry = RegistryEntry(name="Randhir Jaiswal")
    apply(p, AddRegistryEntry("alice", entry))
    a = NewCluster(d.id, "alice", [rows["alice", "he"].id, rows["alice", "j"].id])  # first mention: "Randhir Jaiswal"
    apply(p, a)
    apply(p, UpdateAnnotation(d.id, "alice", rows["alice", "c"].id, claimant_ref=cluster_ref(a.cluster_id)))
    apply(p, UpdateAnnotation(d.id, "bob", rows["bob", "c"].id, claimant_ref=entry_ref(entry.id)))
    apply(p, UpdateAnnotation(d.id, "carol", rows["carol", "c"].id, claimant_ref=rows["carol", "he"].id))
    pairs = {(x["a"], x["b"]): x for x in agreement(p, ["alice", "bob", "carol"])["pairs"]}
    assert pairs["alice", "bob"]["claimant_agreement"] == 1.0  # the cluster's first mention and the entry: one name
    assert pairs["alice", "carol"]["claimant_agreement"] == 0.0  # "he" is not that name
    p.close()
