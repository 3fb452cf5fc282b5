"""The consistency check (annotator.services.check) on a small corpus built here."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.kinds import GOLD
from annotator.core.models import entity
from annotator.core.tokenize import token_spans
from annotator.services.check import CheckError, _is_token_end, _prefix_regex, _token_end_from, check_project, format_report
from tests.check_fixtures import TEXTS, build_corpus, find


@pytest.fixture
def corpus(tmp_path):
    c = build_corpus(tmp_path / "p.annotator")
    yield c
    c.project.close()


def only(report, kind, layer="alice"):
    found = [i for i in report.issues if i.kind == kind and i.layer == layer]
    return found


def test_each_layer_is_checked_on_its_own(corpus):
    report = check_project(corpus.project)
    assert report.layers == ["alice", "bob"]
    assert report.documents == {"alice": 3, "bob": 2}
    assert [i for i in report.issues if i.layer == "bob"] == []
    assert report.counts() == {"labels": 1, "unlabelled": 2, "boundaries": 1, "roles": 1}


def test_same_string_different_labels_with_counts_and_places(corpus):
    (issue,) = only(check_project(corpus.project), "labels")
    assert issue.text == "Reuters"
    assert issue.counts == {"ORG": 2, "PERSON": 1}
    assert [(p.doc_id, p.label, p.annotation_id) for p in issue.places] == [
        (corpus.ids["a"], "ORG", corpus.ann["reuters_a"].id),
        (corpus.ids["b"], "ORG", corpus.ann["reuters_b1"].id),
        (corpus.ids["b"], "PERSON", corpus.ann["reuters_b2"].id),
    ]
    assert issue.places[0].title == "Doc A"
    for p in issue.places:
        assert TEXTS[{v: k for k, v in corpus.ids.items()}[p.doc_id]][p.start : p.end] == "Reuters"


def test_unlabelled_whole_words_in_annotated_documents_only(corpus):
    issues = {i.text: i for i in only(check_project(corpus.project), "unlabelled")}
    assert set(issues) == {"China", "met"}
    china = issues["China"]
    # "Chinatown" is not a whole-word hit; d (not annotated by alice) is not searched;
    # "China’s" in a and "China" after the emoji in b are labelled.
    assert [(p.doc_id, p.start, p.end, p.label) for p in china.places] == [(corpus.ids["c"], *find(TEXTS["c"], "China", 1), None)]
    assert china.counts == {"GPE": 2, "unlabelled": 1}
    assert issues["met"].places[0].doc_id == corpus.ids["c"]


def test_unlabelled_respects_min_count(corpus):
    report = check_project(corpus.project, "alice", min_count=2)
    assert {i.text for i in only(report, "unlabelled")} == {"China"}
    report = check_project(corpus.project, "alice", min_count=3)
    assert only(report, "unlabelled") == []


def test_a_covering_span_of_another_kind_does_not_count(corpus):
    # a claim over the whole sentence is not a GPE: "China" in c stays unlabelled
    from annotator.core.models import claim

    p = corpus.project
    with p.transaction():
        p.put_annotations([claim(corpus.ids["c"], 0, len(TEXTS["c"]), "alice")])
    assert {i.text for i in only(check_project(p, "alice"), "unlabelled")} == {"China", "met"}


def test_unicode_offsets_are_code_points(corpus):
    # "China" after an emoji in b: a code-point offset, not a UTF-16 one
    p = corpus.project
    with p.transaction():
        p.delete_annotations([corpus.ann["china_b"].id])
    issues = {i.text: i for i in only(check_project(p, "alice"), "unlabelled")}
    places = [(x.doc_id, x.start, x.end) for x in issues["China"].places]
    s, e = find(TEXTS["b"], "China")
    assert (corpus.ids["b"], s, e) in places
    assert TEXTS["b"][s:e] == "China"


def test_different_boundaries_for_the_same_string(corpus):
    (issue,) = only(check_project(corpus.project), "boundaries")
    assert issue.text == "the Ministry of External Affairs"
    assert issue.counts == {"the Ministry of External Affairs": 1, "Ministry of External Affairs": 1}
    assert {p.annotation_id for p in issue.places} == {corpus.ann["mea_a"].id, corpus.ann["mea_b"].id}


def test_a_shorter_span_standing_alone_is_not_a_boundary_issue(tmp_path):
    from annotator.core.models import Document
    from annotator.core.store import Project

    texts = [
        "Randhir Jaiswal spoke for the Ministry of External Affairs.",
        "Ministry of External Affairs staff and Jaiswal left.",
    ]
    with Project(tmp_path / "q.annotator", create=True) as p:
        docs = [Document(text=t, title=str(i)) for i, t in enumerate(texts)]
        p.insert_documents([(d, []) for d in docs])
        anns = []
        for doc, text in zip(docs, texts):
            for phrase, label in (("Randhir Jaiswal", "PERSON"), ("Jaiswal", "PERSON"), ("Ministry of External Affairs", "ORG")):
                if phrase in text and not (phrase == "Jaiswal" and "Randhir" in text):
                    s, e = find(text, phrase)
                    anns.append(entity(doc.id, s, e, label, "alice"))
        s, e = find(texts[0], "the Ministry of External Affairs")
        anns.append(entity(docs[0].id, s, e, "ORG", "alice"))
        anns = [a for a in anns if not (a.doc_id == docs[0].id and a.label == "ORG" and a.start != s)]
        p.ensure_annotators(["alice"])
        with p.transaction():
            p.put_annotations(anns)
        assert only(check_project(p, "alice"), "boundaries") == []


def test_overlapping_spans_of_one_label_are_reported(corpus):
    p = corpus.project
    s, e = find(TEXTS["c"], "Officials met")
    with p.transaction():
        p.put_annotations([entity(corpus.ids["c"], s, e, "GPE", "alice"), entity(corpus.ids["c"], s + 10, e + 3, "GPE", "alice")])
    texts = [i.text for i in only(check_project(p, "alice"), "boundaries")]
    assert "Officials met" in texts


def test_events_missing_required_roles(corpus):
    (issue,) = only(check_project(corpus.project), "roles")
    assert issue.text == "Meeting" and issue.counts == {"Participant": 1}
    (place,) = issue.places
    assert place.annotation_id == corpus.ann["met_a"].id and place.text == "met"


def test_one_annotator_gold_and_errors(corpus):
    assert check_project(corpus.project, "bob").issues == []
    assert check_project(corpus.project, gold=True).layers == [GOLD]
    with pytest.raises(CheckError, match="no annotator 'carol'.*alice, bob"):
        check_project(corpus.project, "carol")
    with pytest.raises(CheckError):
        check_project(corpus.project, "alice", gold=True)


def test_text_and_json_reports(corpus):
    report = check_project(corpus.project)
    text = format_report(report)
    assert "“Reuters” labelled ORG 2 times, PERSON once" in text
    assert "bob: 2 documents annotated, no inconsistencies found" in text
    data = json.loads(report.dumps())
    assert data["counts"]["labels"] == 1
    place = data["issues"][0]["places"][0]
    assert set(place) == {"doc_id", "title", "start", "end", "text", "label", "annotation_id", "before", "after"}


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab’'s.-$%9 \n\u00a0😀\u0301,")), max_size=40))
def test_token_edges_found_locally_equal_the_tokenizers(text):
    # the check tokenizes only the chunk around a candidate; it must agree with the whole text's tokens
    spans = token_spans(text)
    ends_at = dict(spans)
    for a in range(len(text) + 1):
        assert _token_end_from(text, a) == ends_at.get(a)
        assert _is_token_end(text, a) == (a in {e for _s, e in spans})


def test_prefix_regex_finds_every_start():
    words = ["China", "Chin", "India", "Ind", "a.b", "😀"]
    rx = _prefix_regex(words)
    text = "Chinatown, India’s a.b 😀 Indi"
    assert [m.start() for m in rx.finditer(text)] == sorted({i for w in words for i in range(len(text)) if text.startswith(w, i)})


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("Ab ’s.😀\n\u0301")), min_size=1, max_size=30), min_size=1, max_size=3, unique=True
    ),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 30), st.integers(1, 6), st.sampled_from(["GPE", "ORG"])), max_size=8),
)
def test_every_place_is_the_text_at_its_offsets(tmp_path_factory, texts, specs):
    from annotator.core.models import Document
    from annotator.core.store import Project

    path = tmp_path_factory.mktemp("fuzz") / "f.annotator"
    with Project(path, create=True) as p:
        docs = [Document(text=t, title=f"d{i}") for i, t in enumerate(texts)]
        p.insert_documents([(d, []) for d in docs])
        anns = []
        for k, start, length, label in specs:
            doc = docs[k % len(docs)]
            start = min(start, len(doc.text) - 1)
            end = min(start + length, len(doc.text))
            anns.append(entity(doc.id, start, end, label, "alice"))
        with p.transaction():
            p.put_annotations(anns)
        report = check_project(p)
        by_id = {d.id: d.text for d in docs}
        for issue in report.issues:
            for place in issue.places:
                text = by_id[place.doc_id]
                assert text[place.start : place.end] == place.text
                assert text[: place.start].endswith(place.before) and text[place.end :].startswith(place.after)
        json.loads(report.dumps())
        format_report(report)
