"""``annotator suggest`` and ``annotator suggestions`` (issue 17): what they print,
store, accept and reject, and how they refuse bad input (the project unchanged)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.kinds import DocStatus, Source
from annotator.core.models import Document, entity
from annotator.core.store import Project

TEXTS = [
    "China and India met. China agreed.",
    "India, then China. “We will sign the deal with China soon,” Jaiswal said.",
    "Nothing here but Chinatown.",
]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "p.annotator"
    with Project(path, create=True) as p:
        docs = [Document(id=f"d{i}", text=t) for i, t in enumerate(TEXTS)]
        p.insert_documents([(docs[0], [entity("d0", 0, 5, "GPE", "alice")]), (docs[1], []), (docs[2], [])])
    with Project(path) as p, p.transaction():
        p.set_status("d0", DocStatus.DONE)
    return path


def files_of(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


def run(runner, *args):
    return runner.invoke(main, [str(a) for a in args])


def test_suggest_with_the_dictionary_stores_suggestions_and_summarises(runner, path):
    result = run(runner, "suggest", path, "--using", "dictionary", "--from-annotator", "alice")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "dictionary: 2 suggestions in 2 documents",
        "  GPE              entity        2 in 1 document",
    ]
    with Project(path) as p:
        assert [(s.doc_id, p.document_text(s.doc_id)[s.start : s.end]) for s in p.suggestions()] == [
            ("d1", "China"),
            ("d1", "China"),
        ]
        assert all(a.annotator == "alice" for a in p.iter_all_annotations())  # nothing was annotated
    # --documents all: the done document too; running again replaces, never doubles
    for _ in range(2):
        result = run(runner, "suggest", path, "--using", "dictionary", "--documents", "all", "--json")
        assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["suggestions"] == 4 and summary["documents"] == 3
    assert summary["labels"] == [{"kind": "entity", "label": "GPE", "suggestions": 4, "documents": 2}]


def test_suggest_claims_and_terms(runner, path, tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text("India\tGPE\nJaiswal\tPERSON\n", encoding="utf-8")
    result = run(runner, "suggest", path, "--using", "dictionary", "--terms", terms, "--no-learn")
    assert result.exit_code == 0, result.output
    assert "PERSON" in result.output and "GPE" in result.output
    result = run(runner, "suggest", path, "--using", "claims")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "claims: 1 suggestion in 2 documents"
    result = run(runner, "suggestions", path, "list", "--suggester", "claims", "--json")
    (claim,) = json.loads(result.output)
    assert claim["claimant_text"] == "Jaiswal" and claim["kind"] == "claim"


def test_a_model_without_the_spacy_module_says_so_plainly(runner, path):
    before = files_of(path)
    result = run(runner, "suggest", path, "--using", "some_model_package")
    assert result.exit_code == 1
    assert "model suggestions are not available in this build" in result.output or "spaCy" in result.output
    assert "Traceback" not in result.output
    assert files_of(path) == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"label": "ORG", "pattern": "Acme"}\n{"label": "ORG", "pattern": [{"REGEX": "x"}]}\n',
            "terms.jsonl:2: token 1 of the pattern uses 'REGEX'",
        ),
        ('{"label": "WIDGET", "pattern": "Acme"}\n', "terms.jsonl:1: label 'WIDGET' is not an entity label"),
        ("{not json\n", "terms.jsonl:1: not a JSON object"),
    ],
)
def test_bad_term_files_name_file_and_line_and_change_nothing(runner, path, tmp_path, content, expected):
    terms = tmp_path / "terms.jsonl"
    terms.write_text(content, encoding="utf-8")
    before = files_of(path)
    result = run(runner, "suggest", path, "--using", "dictionary", "--terms", terms)
    assert result.exit_code == 1
    assert expected in result.output and "Traceback" not in result.output
    assert files_of(path) == before


def test_bad_options_are_refused(runner, path, tmp_path):
    before = files_of(path)
    cases = [
        (["suggest", path, "--using", "dictionary", "--from-annotator", "alice", "--from-gold"], "give one of them"),
        (["suggest", path, "--using", "dictionary", "--from-annotator", "zoe"], "no annotator 'zoe'"),
        (["suggest", path, "--using", "dictionary", "--from-gold"], "the gold layer has no entity or event annotations"),
        (["suggest", path, "--using", "claims", "--no-learn"], "--no-learn is for the dictionary"),
        (["suggest", path, "--using", "dictionary", "--label-map", tmp_path / "missing.json"], "cannot read the label map"),
        (["suggest", path, "--using", "dictionary", "--documents", "some"], "Invalid value for '--documents'"),
        (["suggestions", path, "accept", "--label", "NOPE"], "--label NOPE: no such label"),
        (["suggestions", path, "accept", "--as-label", "NOPE", "--annotator", "alice"], "--as-label NOPE: no such label"),
        (["suggestions", path, "list", "--as-label", "GPE"], "--as-label is for accept"),
        (["suggestions", path, "export"], "export needs --out"),
        (["suggestions", path, "list", "--min-score", "2"], "--min-score"),
        (["suggestions", path, "list", "--document", "nope"], "--document nope: no such document"),
        (["suggestions", path, "list", "--top", "0"], "--top"),
        (["suggestions", path, "export", "--out", tmp_path / "x.jsonl", "--top", "3"], "--top is for list, accept and reject"),
        (["suggestions", tmp_path / "none.annotator", "list"], "no such project file"),
    ]
    for args, message in cases:
        result = run(runner, *args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert files_of(path) == before


def test_label_map_file_lines(runner, path, tmp_path):
    terms = tmp_path / "terms.jsonl"
    terms.write_text('{"label": "COUNTRY", "pattern": "India"}\n{"label": "MISC", "pattern": "Jaiswal"}\n', encoding="utf-8")
    label_map = tmp_path / "map.txt"
    label_map.write_text("COUNTRY=GPE\nMISC=\n", encoding="utf-8")
    result = run(
        runner,
        "suggest",
        path,
        "--using",
        "dictionary",
        "--terms",
        terms,
        "--label-map",
        label_map,
        "--no-learn",
        "--documents",
        "all",
    )
    assert result.exit_code == 0, result.output
    with Project(path) as p:
        assert {(s.label, p.document_text(s.doc_id)[s.start : s.end]) for s in p.suggestions()} == {("GPE", "India")}
    bad = tmp_path / "bad.txt"
    bad.write_text("COUNTRY=GPE\njust words\n", encoding="utf-8")
    result = run(runner, "suggest", path, "--using", "dictionary", "--terms", terms, "--label-map", bad)
    assert result.exit_code == 1 and "bad.txt:2: 'just words': write THEIRS=OURS" in result.output
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"COUNTRY": "NATION"}', encoding="utf-8")
    result = run(runner, "suggest", path, "--using", "dictionary", "--terms", terms, "--label-map", wrong)
    assert result.exit_code == 1 and "'COUNTRY' maps to 'NATION', which is not a label" in result.output


def test_list_accept_reject_by_label_score_and_suggester(runner, path, tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text("India\tGPE\nJaiswal\tPERSON\n", encoding="utf-8")
    assert run(runner, "suggest", path, "--using", "dictionary", "--terms", terms, "--documents", "all").exit_code == 0
    result = run(runner, "suggestions", path, "list")
    lines = result.output.splitlines()
    assert lines[-1] == "6 suggestions: GPE 5, PERSON 1"  # alice's own "China" in d0 is not pending
    assert "\td1\t" in lines[0] or "\td0\t" in lines[0]
    # accept the person, as ORG; then reject every GPE (none in d2: "Chinatown" is not "China")
    result = run(runner, "suggestions", path, "accept", "--label", "PERSON", "--as-label", "ORG")
    assert result.exit_code == 0 and result.output.startswith("accepted 1 suggestion as alice's annotations in 1 document")
    with Project(path) as p:
        (org,) = [a for a in p.iter_all_annotations() if a.label == "ORG"]
        assert org.source == Source.SUGGESTED and p.document_text(org.doc_id)[org.start : org.end] == "Jaiswal"
        assert list(p.suggestion_accepts([org.id]).values())[0]["suggester"] == "dictionary"
    result = run(
        runner, "suggestions", path, "reject", "--label", "GPE", "--min-score", "0.0", "--suggester", "dictionary", "--json"
    )
    assert json.loads(result.output) == {"action": "reject", "annotator": "alice", "count": 5, "documents": 2}
    assert run(runner, "suggestions", path, "list").output.splitlines() == ["0 suggestions"]
    # rejected never return, even when suggested again
    assert run(runner, "suggest", path, "--using", "dictionary", "--terms", terms, "--documents", "all").exit_code == 0
    assert run(runner, "suggestions", path, "list").output.splitlines() == ["0 suggestions"]
    # another annotator still sees them
    result = run(runner, "suggestions", path, "list", "--annotator", "bob", "--json")
    assert len(json.loads(result.output)) == 8  # alice's own "China" included


def test_accept_with_min_score(runner, path):
    assert run(runner, "suggest", path, "--using", "dictionary", "--documents", "all").exit_code == 0
    # alice labelled "China" once of its two occurrences in her document: (1 + 1) / (2 + 2)
    result = run(runner, "suggestions", path, "accept", "--min-score", "0.51")
    assert result.exit_code == 0 and "no pending suggestions" in result.output
    result = run(runner, "suggestions", path, "accept", "--min-score", "0.5", "--document", "d1")
    assert result.output.startswith("accepted 2 suggestions"), result.output
    with Project(path) as p:
        assert p.document_status("d1") == DocStatus.IN_PROGRESS
        assert len(p.annotations("d1", "alice")) == 2


def test_several_annotators_need_one_named(runner, path):
    with Project(path) as p:
        p.add_annotator("bob")
    result = run(runner, "suggestions", path, "list")
    assert result.exit_code == 2 and "several annotators (alice, bob)" in result.output
    assert run(runner, "suggestions", path, "list", "--all").exit_code == 0


def test_export_the_suggestions_layer(runner, path, tmp_path):
    assert run(runner, "suggest", path, "--using", "dictionary", "--documents", "all").exit_code == 0
    out = tmp_path / "s.jsonl"
    result = run(runner, "suggestions", path, "export", "--out", out, "--all")
    assert result.exit_code == 0 and result.output.strip() == f"wrote 4 suggestions of 2 documents to {out}"
    records = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in records] == ["d0", "d1"]
    for r in records:
        for s in r["suggestions"]:
            assert r["text"][s["start"] : s["end"]] == "China" and s["suggester"] == "dictionary"
    # beside an ordinary export, which itself holds no suggestion
    target = tmp_path / "spans.jsonl"
    result = run(runner, "export", path, "--format", "spans", "--out", target, "--with-suggestions")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "spans.suggestions.jsonl").read_text("utf-8") == out.read_text("utf-8")
    spans = [s for line in target.read_text("utf-8").splitlines() for s in json.loads(line)["spans"]]
    assert len(spans) == 1  # alice's one annotation


def test_listing_in_a_project_nobody_annotates_yet(runner, tmp_path):
    path = tmp_path / "fresh.annotator"
    with Project(path, create=True) as p:
        p.insert_documents([(Document(id="d0", text=TEXTS[1]), [])])
    assert run(runner, "suggest", path, "--using", "claims").exit_code == 0
    result = run(runner, "suggestions", path, "list")
    assert result.exit_code == 0 and result.output.splitlines()[-1] == "1 suggestion: CLAIM 1"
    result = run(runner, "suggestions", path, "accept")
    assert result.exit_code == 2 and "no annotator yet" in result.output
    result = run(runner, "suggestions", path, "accept", "--annotator", "me")
    assert result.output.startswith("accepted 1 suggestion as me's annotations")


def test_top_lists_and_accepts_the_best_scoring_first(runner, path, tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text("Jaiswal\tPERSON\n", encoding="utf-8")
    # the dictionary learned from alice scores "China" 0.5, "India" is not hers; the list term "Jaiswal" scores 0.9
    assert run(runner, "suggest", path, "--using", "dictionary", "--terms", terms, "--documents", "all").exit_code == 0
    result = run(runner, "suggestions", path, "list", "--top", "2", "--json")
    top = json.loads(result.output)
    assert [(s["label"], s["score"]) for s in top] == [("PERSON", 0.9), ("GPE", 0.5)]
    everything = json.loads(run(runner, "suggestions", path, "list", "--json").output)
    assert sorted(s["score"] for s in everything)[::-1][:2] == [s["score"] for s in top]
    result = run(runner, "suggestions", path, "accept", "--top", "1")
    assert result.output.startswith("accepted 1 suggestion as alice's annotations"), result.output
    with Project(path) as p:
        (person,) = [a for a in p.iter_all_annotations() if a.label == "PERSON"]
        assert p.document_text(person.doc_id)[person.start : person.end] == "Jaiswal"
