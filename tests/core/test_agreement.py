"""Agreement metrics on small hand-made projects: values computed by hand here,
and checked against scikit-learn's cohen_kappa_score and the krippendorff package."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from annotator.cli import main
from annotator.core.agreement import (
    AgreementError,
    agreement,
    cohen_kappa,
    krippendorff_alpha_nominal,
    max_overlap_matching,
)
from annotator.core.agreement.corpus import cut_starts
from annotator.core.models import Document, claim, entity, event
from annotator.core.store import Project
from annotator.core.tokenize import token_spans, tokenize

DATA = Path(__file__).resolve().parents[1] / "data"
S1 = "Alice met Bob in Paris on Monday."
S2 = "Bob went home."


def span(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def ent(doc: Document, phrase: str, label: str, who: str, nth: int = 0):
    s, e = span(doc.text, phrase, nth)
    return entity(doc.id, s, e, label, who)


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "agree.annotator", create=True)
    yield p
    p.close()


@pytest.fixture
def people(project):
    """Two documents; A, B, C on the first, A and C on the second (B skipped it)."""
    d1, d2 = Document(text=S1, title="one"), Document(text=S2, title="two")
    anns = [
        ent(d1, "Alice", "PERSON", "A"),
        ent(d1, "Bob", "PERSON", "A"),
        ent(d1, "Paris", "GPE", "A"),
        ent(d1, "Monday", "DATE", "A"),
        ent(d1, "Alice", "PERSON", "B"),
        ent(d1, "Bob", "ORG", "B"),
        ent(d1, "Paris on", "GPE", "B"),
        ent(d1, "Alice", "PERSON", "C"),
        ent(d1, "Bob", "PERSON", "C"),
        ent(d1, "Paris", "GPE", "C"),
        ent(d2, "Bob", "PERSON", "A"),
        ent(d2, "Bob", "PERSON", "C"),
        ent(d2, "home", "LOC", "C"),
    ]
    project.insert_documents([(d, [a for a in anns if a.doc_id == d.id]) for d in (d1, d2)])
    return project


def pair(report, a, b):
    return next(p for p in report["pairs"] if (p["a"], p["b"]) == (a, b))


# Token categories by hand (tokens: Alice met Bob in Paris on Monday . | Bob went home .)
A1 = ["PERSON", "O", "PERSON", "O", "GPE", "O", "DATE", "O"]
B1 = ["PERSON", "O", "ORG", "O", "GPE", "GPE", "O", "O"]
C1 = ["PERSON", "O", "PERSON", "O", "GPE", "O", "O", "O"]
A2 = ["PERSON", "O", "O", "O"]
C2 = ["PERSON", "O", "LOC", "O"]


def test_entity_f1_and_token_kappa_by_hand(people):
    report = agreement(people, ["A", "B"])
    p = pair(report, "A", "B")
    assert p["documents"] == 1 and p["documents_only_a"] == 1 and p["documents_only_b"] == 0
    # exact: only Alice/PERSON matches; A has 4 spans, B 3
    assert p["entities"]["exact"]["matched"] == 1
    assert p["entities"]["exact"]["precision"] == pytest.approx(1 / 3)
    assert p["entities"]["exact"]["recall"] == pytest.approx(1 / 4)
    assert p["entity_f1_exact"] == pytest.approx(2 / 7)
    # overlap: Alice, and Paris ~ "Paris on" (same label)
    assert p["entity_f1_overlap"] == pytest.approx(4 / 7)
    # tokens: po = 5/8, pe = (2*1 + 4*4 + 1*2) / 64 = 20/64 -> kappa = 5/11
    assert p["tokens"] == 8
    assert p["token_kappa"] == pytest.approx(5 / 11)
    assert p["token_kappa"] == pytest.approx(cohen_kappa_score(A1, B1))
    per = p["per_label"]
    assert per["PERSON"]["entity_f1_exact"] == pytest.approx(2 / 3)
    assert per["GPE"]["entity_f1_exact"] == 0.0 and per["GPE"]["entity_f1_overlap"] == 1.0
    assert per["ORG"]["a"] == 0 and per["ORG"]["b"] == 1
    for label in ("PERSON", "GPE", "DATE", "ORG"):
        expected = cohen_kappa_score([x == label for x in A1], [x == label for x in B1])
        assert per[label]["token_kappa"] == pytest.approx(expected), label


def test_token_kappa_over_two_documents_matches_sklearn(people):
    p = pair(agreement(people, ["A", "C"]), "A", "C")
    assert p["documents"] == 2 and p["tokens"] == 12
    assert p["token_kappa"] == pytest.approx(cohen_kappa_score(A1 + A2, C1 + C2))
    # exact: A 5 spans, C 5 spans, matched Alice, Bob, Paris, Bob(2) = 4
    assert p["entity_f1_exact"] == pytest.approx(8 / 10)


CODE = {"O": 0, "PERSON": 1, "GPE": 2, "DATE": 3, "ORG": 4, "LOC": 5}


def reliability(rows):
    return np.array([[np.nan if v is None else CODE[v] for v in row] for row in rows], dtype=float)


def test_krippendorff_alpha_matches_package_with_missing_values(people):
    report = agreement(people)
    alpha = report["krippendorff_alpha"]
    data = reliability([A1 + A2, B1 + [None] * 4, C1 + C2])  # B did not annotate document two
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert alpha["alpha"] == pytest.approx(expected)
    assert alpha["tokens"] == 12
    # per label: binary (label or not)
    for label in ("PERSON", "GPE"):
        rows = [[None if v is None else (v == label) for v in r] for r in (A1 + A2, B1 + [None] * 4, C1 + C2)]
        data = np.array([[np.nan if v is None else float(v) for v in r] for r in rows])
        assert alpha["per_label"][label] == pytest.approx(
            krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        )


def test_documents_any_counts_a_skipped_document_as_nothing_marked(people):
    report = agreement(people, documents="any")
    p = pair(report, "A", "B")
    assert p["documents"] == 2 and p["tokens"] == 12
    # A's Bob in document two is now unmatched: exact 1 of 5 vs 3 -> F1 2/8
    assert p["entity_f1_exact"] == pytest.approx(2 / 8)
    assert p["token_kappa"] == pytest.approx(cohen_kappa_score(A1 + A2, B1 + ["O"] * 4))
    data = reliability([A1 + A2, B1 + ["O"] * 4, C1 + C2])
    assert report["krippendorff_alpha"]["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )


def test_label_filter(people):
    p = pair(agreement(people, ["A", "B"], label="PERSON"), "A", "B")
    assert p["entities"]["exact"]["a"] == 2 and p["entities"]["exact"]["b"] == 1
    assert p["entity_f1_exact"] == pytest.approx(2 / 3)
    assert set(p["per_label"]) == {"PERSON"}
    # binary PERSON vs not over the 8 tokens (only PERSON spans cut tokens)
    assert p["token_kappa"] == pytest.approx(cohen_kappa_score([x == "PERSON" for x in A1], [x == "PERSON" for x in B1]))


def test_kappa_and_alpha_by_hand():
    assert krippendorff_alpha_nominal([("a", "a"), ("a", "b"), ("b", "b")]) == pytest.approx(4 / 9)
    # a unit with one value is not pairable; b, b, a: o_bb = o_ab = o_ba = 1, n = 3 -> alpha = 1 - 2 * 2 / 4
    assert krippendorff_alpha_nominal([("a",), ("b", "b", "a")]) == pytest.approx(0.0)
    data = np.array([[0, 1], [np.nan, 1], [np.nan, 0]], dtype=float)
    assert krippendorff.alpha(reliability_data=data, level_of_measurement="nominal") == pytest.approx(0.0)
    assert cohen_kappa({("x", "x"): 3, ("x", "y"): 1}) == pytest.approx(0.0)
    assert cohen_kappa({("x", "x"): 4}) is None  # undefined: one category only
    assert krippendorff_alpha_nominal([("x", "x"), ("x", "x")]) is None
    assert cohen_kappa({}) is None


def test_overlap_matching_is_a_maximum_matching():
    # Matching the equal spans first would give 1; the maximum is 2.
    a = [(0, 10), (8, 9)]
    b = [(0, 10), (0, 1)]
    assert max_overlap_matching(a, b) == 2
    assert max_overlap_matching([(0, 5)], [(0, 2), (3, 5)]) == 1
    assert max_overlap_matching([(0, 5)], [(5, 9)]) == 0
    assert max_overlap_matching([], [(0, 1)]) == 0


EV = "Acme bought Beta for $5m on Monday. Beta sold Gamma."


def test_event_trigger_and_argument_f1_by_hand(project):
    d = Document(text=EV)

    def people_of(who, with_second_beta):
        ents = {
            "acme": ent(d, "Acme", "ORG", who),
            "beta": ent(d, "Beta", "ORG", who),
            "money": ent(d, "$5m", "MONEY", who),
            "monday": ent(d, "Monday", "DATE", who),
        }
        if with_second_beta:
            ents["beta2"] = ent(d, "Beta", "ORG", who, nth=1)
        return ents

    a, b = people_of("A", True), people_of("B", False)
    sb, eb = span(EV, "bought")
    ss, es = span(EV, "sold")
    a_events = [
        event(d.id, sb, eb, "Transaction", "A", [("Buyer", a["acme"].id), ("Seller", a["beta"].id), ("Price", a["money"].id)]),
        event(d.id, ss, es, "Transaction", "A", [("Seller", a["beta2"].id)]),
    ]
    b_events = [
        event(d.id, sb, eb, "Transaction", "B", [("Buyer", b["acme"].id), ("Item", b["beta"].id), ("Price", b["money"].id)]),
        event(d.id, ss, es, "Statement", "B"),
    ]
    project.insert_documents([(d, [*a.values(), *b.values(), *a_events, *b_events])])
    p = pair(agreement(project), "A", "B")
    # triggers: (bought, Transaction) matched; (sold, Transaction) vs (sold, Statement) not
    assert p["events"]["trigger"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "matched": 1, "a": 2, "b": 2}
    assert p["trigger_f1"] == 0.5
    # arguments of the matched trigger: Buyer and Price match; A has 4 arguments in all, B 3
    assert p["events"]["argument"]["matched"] == 2
    assert p["argument_f1"] == pytest.approx(4 / 7)
    assert p["events"]["argument"]["precision"] == pytest.approx(2 / 3)
    assert p["events"]["argument"]["recall"] == pytest.approx(2 / 4)
    roles = p["events"]["per_role"]
    assert roles["Seller"] == {"precision": None, "recall": 0.0, "f1": 0.0, "matched": 0, "a": 2, "b": 0}
    assert roles["Item"]["b"] == 1 and roles["Buyer"]["f1"] == 1.0
    assert p["per_label"]["Transaction"]["trigger_f1"] == pytest.approx(2 / 3)
    assert p["per_label"]["Statement"]["trigger_f1"] == 0.0
    # an argument whose filler differs (other span) does not match
    assert p["per_label"]["Transaction"]["argument_f1"] == pytest.approx(4 / 7)


CL = "Jaiswal said rates will fall. Modi said exports rose. Prices rose sharply today. Nobody knows why."


def test_claim_span_claimant_and_attributes_by_hand(project):
    d = Document(text=CL)
    ja = ent(d, "Jaiswal", "PERSON", "A")
    c = {
        k: span(CL, v)
        for k, v in {
            "c1": "rates will fall",
            "c2": "exports rose",
            "c3": "Prices rose sharply today",
            "c4": "Prices rose sharply",
        }.items()
    }
    anns = [
        ja,
        claim(d.id, *c["c1"], "A", claimant_ref=ja.id, attributes={"stance": "supports", "veracity": "true"}),
        claim(d.id, *c["c2"], "A", attributes={"stance": "refutes"}),
        claim(d.id, *c["c3"], "A", attributes={"stance": "neutral"}),
        claim(d.id, *c["c1"], "B", claimant_text=" jaiswal ", attributes={"stance": "supports", "veracity": "true"}),
        claim(d.id, *c["c2"], "B", claimant_text="Modi", attributes={"stance": "supports", "veracity": "false"}),
        claim(d.id, *c["c4"], "B"),
    ]
    project.insert_documents([(d, anns)])
    p = pair(agreement(project), "A", "B")
    assert p["claims"]["exact"]["matched"] == 2
    assert p["claim_f1_exact"] == pytest.approx(2 / 3)
    assert p["claim_f1_overlap"] == 1.0
    # claimant: c1 agrees (the text of A's claimant span equals B's text, case and spaces aside); c2 does not
    assert p["claimant_agreement"] == 0.5
    assert p["claims"]["claimant"] == {"agree": 1, "pairs": 2}
    stance = p["claims"]["attributes"]["stance"]
    assert stance["percent"] == 0.5 and stance["pairs"] == 2
    assert stance["kappa"] == pytest.approx(cohen_kappa_score(["supports", "refutes"], ["supports", "supports"]))
    veracity = p["claims"]["attributes"]["veracity"]
    assert veracity["percent"] == 0.5
    assert veracity["kappa"] == pytest.approx(1 / 3)
    assert veracity["kappa"] == pytest.approx(cohen_kappa_score(["true", "(unset)"], ["true", "false"]))
    assert p["claim_attribute_agreement"]["stance"] == 0.5
    # an attribute of the schema nobody set is no agreement on a judged value: nothing to report
    assert p["claim_attribute_agreement"]["check_worthiness"] is None
    assert p["claim_attribute_kappa"]["check_worthiness"] is None
    assert p["claims"]["attributes"]["check_worthiness"] == {"percent": None, "kappa": None, "pairs": 0, "unset_both": 2}
    assert p["per_label"]["CLAIM"]["claim_f1_exact"] == pytest.approx(2 / 3)


def test_json_report_has_the_promised_keys_for_every_pair(people):
    report = agreement(people)
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("A", "B"), ("A", "C"), ("B", "C")]
    keys = {
        "entity_f1_exact",
        "entity_f1_overlap",
        "token_kappa",
        "krippendorff_alpha",
        "trigger_f1",
        "argument_f1",
        "claim_f1_exact",
        "claimant_agreement",
        "claim_attribute_agreement",
        "per_label",
    }
    for p in report["pairs"]:
        assert keys <= set(p)
    json.dumps(report, allow_nan=False)  # undefined values are null, never NaN
    # the document where annotators disagree most comes first
    assert report["disagreement"][0]["title"] == "one"


def test_errors(people, project):
    with pytest.raises(AgreementError, match="unknown annotator.*Z"):
        agreement(people, ["A", "Z"])
    with pytest.raises(AgreementError, match="at least two annotators"):
        agreement(people, ["A"])


def test_cli_json_and_text(people):
    path = str(people.path)
    people.close()
    runner = CliRunner()
    result = runner.invoke(main, ["agreement", path, "--annotators", "A,B", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pairs"][0]["token_kappa"] == pytest.approx(5 / 11)
    assert data["pairs"][0]["per_label"]["PERSON"]["entity_f1_exact"] == pytest.approx(2 / 3)
    result = runner.invoke(main, ["agreement", path])
    assert result.exit_code == 0, result.output
    assert "A vs B" in result.output and "0.455" in result.output and "Krippendorff" in result.output
    result = runner.invoke(main, ["agreement", path, "--label", "NOPE"])
    assert result.exit_code == 1 and "no such label" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["agreement", path, "--annotators", "A,Z"])
    assert result.exit_code == 1 and "unknown annotator" in result.output
    result = runner.invoke(main, ["agreement", path + ".missing"])
    assert result.exit_code == 1 and "no such project" in result.output


def _reference(text, cuts=()):
    return [t.start for t in tokenize(text, cuts)]


def test_fast_token_offsets_equal_the_tokenizer_on_the_corpus():
    for name in ("unicode-crlf.txt", "looks-like-html.txt", "batch.jsonl", "prodigy.jsonl"):
        text = (DATA / name).read_text("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        assert token_spans(text) == [(t.start, t.end) for t in tokenize(text)], name
        cuts = sorted({i for i in range(0, len(text), 7)})
        assert cut_starts(token_spans(text), cuts) == _reference(text, cuts), name


ALPHABET = st.sampled_from(
    list("ab Z9,.-'’ \n\t%€😀👨‍👩‍👧\u0301\u200d🇩🇪北京。!?()\"“U.S.2,0") + ["e\u0301", "U.S.", "1,000", "A321"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join), st.lists(st.integers(0, 80), max_size=6))
def test_fast_token_offsets_equal_the_tokenizer_on_random_text(text, cuts):
    cuts = sorted({c for c in cuts if c <= len(text)})
    assert token_spans(text) == [(t.start, t.end) for t in tokenize(text)]
    assert cut_starts(token_spans(text), cuts) == _reference(text, cuts)


def test_default_annotators_are_those_who_annotated_and_gold_can_be_named(people):
    people.add_annotator("rita")  # e.g. a reviewer who annotated nothing
    assert agreement(people)["annotators"] == ["A", "B", "C"]
    d = people.document_ids()[1]
    text = people.document_text(d)
    s = text.index("Bob")
    from annotator.core.commands import AddAnnotations, apply
    from annotator.core.models import GOLD

    apply(people, AddAnnotations(d, "rita", [entity(d, s, s + 3, "PERSON", GOLD)]))
    p = pair(agreement(people, ["A", GOLD]), "A", GOLD)
    assert p["documents"] == 1 and p["entity_f1_exact"] == 1.0


def test_one_annotator_says_plainly_what_agreement_needs(project):
    from annotator.core.agreement import TooFewAnnotators

    d = Document(text=S1, title="one")
    project.insert_documents([(d, [ent(d, "Alice", "PERSON", "A"), ent(d, "Paris", "GPE", "A")])])
    with pytest.raises(TooFewAnnotators) as err:
        agreement(project)
    assert err.value.compared == ["A"] and err.value.present == ["A"] and err.value.needs_more_work
    assert str(err.value) == "Agreement needs at least two annotators; only one has annotated this project: A."
    path = str(project.path)
    project.close()
    for extra in ([], ["--json"]):
        result = CliRunner().invoke(main, ["agreement", path, *extra])
        # nothing to compute: the plain statement (no "Error:"), how to get there, status 1 like "nothing to merge"
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stdout == ""
        assert result.stderr.splitlines()[0] == "Agreement needs at least two annotators; only one has annotated this project: A."
        assert f"annotator merge {path} THEIRS.annotator" in result.stderr


def test_too_few_annotators_chosen_or_none_at_all(people, tmp_path):
    from annotator.core.agreement import TooFewAnnotators

    with pytest.raises(TooFewAnnotators, match=r"only A was chosen \(the project has A, B, C\)") as err:
        agreement(people, ["A"])
    assert not err.value.needs_more_work
    path = str(people.path)
    people.close()
    result = CliRunner().invoke(main, ["agreement", path, "--annotators", "A"])
    assert result.exit_code == 1 and "--annotators" in result.stderr and "annotator merge" not in result.stderr
    empty = Project(tmp_path / "empty.annotator", create=True)
    with pytest.raises(TooFewAnnotators, match="no annotator has annotated this project yet"):
        agreement(empty)
    empty.close()
