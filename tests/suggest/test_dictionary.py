"""The dictionary suggester (issue 17): learned from a layer, term lists
(EntityRuler patterns, plain lists), whole tokens, scores, bad files named by line."""

from __future__ import annotations

import json

import pytest

from annotator.core.kinds import GOLD, DocStatus
from annotator.core.models import Document, entity, event
from annotator.core.schema import default_schema
from annotator.core.store import Project
from annotator.formats import InputError
from annotator.services.suggest.base import Suggester
from annotator.services.suggest.dictionary import LIST_SCORE, DictionarySuggester, read_term_file
from annotator.services.suggest.service import SuggestError, build_dictionary

A = "China and India met. China agreed; the talks ended."
B = "Chinatown is not China. New Delhi and Delhi. India’s view."


def spans(text, word, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        a, b = Document(id="a", text=A), Document(id="b", text=B)
        anns = [
            entity("a", *spans(A, "China"), "GPE", "alice"),
            entity("a", *spans(A, "China", 1), "GPE", "alice"),
            entity("a", *spans(A, "India"), "GPE", "alice"),
            event("a", *spans(A, "met"), "Meeting", "alice") if "Meeting" in default_schema().labels("event") else None,
            entity("a", *spans(A, "China"), "ORG", GOLD),
        ]
        p.insert_documents([(a, [x for x in anns if x]), (b, [])])
        yield p


def found(suggester, doc_id, text):
    return sorted((text[s.start : s.end], s.label, s.kind) for s in suggester.suggest(Document(id=doc_id, text=text)))


def test_a_dictionary_from_a_small_project_suggests_in_a_new_document(project):
    d = build_dictionary(project, annotator="alice")
    assert isinstance(d, Suggester)
    got = [(B[s.start : s.end], s.label) for s in d.suggest(Document(id="b", text=B))]
    # whole tokens only: not inside "Chinatown"; "India" before the possessive clitic
    assert got == [("China", "GPE"), ("India", "GPE")]
    suggestions = d.suggest(Document(id="b", text=B))
    assert all(s.suggester == "dictionary" and s.doc_id == "b" and s.kind == "entity" for s in suggestions)


def test_scores_estimate_precision_in_the_annotated_documents(project):
    d = build_dictionary(project, annotator="alice")
    by_term = {(B[s.start : s.end]): s.score for s in d.suggest(Document(id="b", text=B))}
    # "China": 2 occurrences in alice's document, both labelled: (2+1)/(2+2); "India": (1+1)/(1+2)
    assert by_term["China"] == pytest.approx(0.75)
    assert by_term["India"] == pytest.approx(round(2 / 3, 4))


def test_the_gold_layer(project):
    d = build_dictionary(project, gold=True)
    assert found(d, "b", B) == [("China", "ORG", "entity")]


def test_nothing_to_learn_from_is_said(project):
    project.add_annotator("bob")
    with pytest.raises(SuggestError, match="'bob' has no entity or event annotations"):
        build_dictionary(project, annotator="bob")
    with pytest.raises(SuggestError, match="no annotator 'carol'"):
        build_dictionary(project, annotator="carol")


def test_longest_match_wins_and_multiword_terms_span_any_whitespace(tmp_path):
    terms = tmp_path / "t.txt"
    terms.write_text("New Delhi\tGPE\nDelhi\tGPE\n# a comment\n\nrare earths\tPRODUCT\n", encoding="utf-8")
    d = DictionarySuggester()
    d.add_terms(read_term_file(terms, default_schema()))
    text = "In New\nDelhi, rare earths. Delhi! rare earthsX"
    assert [(text[s.start : s.end], s.score) for s in d.suggest(Document(id="x", text=text))] == [
        ("New\nDelhi", LIST_SCORE),
        ("rare earths", LIST_SCORE),
        ("Delhi", LIST_SCORE),
    ]


def test_entity_ruler_patterns(tmp_path):
    f = tmp_path / "patterns.jsonl"
    f.write_text(
        "\n".join(
            json.dumps(p)
            for p in [
                {"label": "ORG", "pattern": "Apple Inc."},
                {"label": "GPE", "pattern": [{"LOWER": "new"}, {"LOWER": "york"}], "id": "nyc"},
                {"label": "PERSON", "pattern": [{"ORTH": "Xi"}, {"TEXT": "Jinping"}]},
            ]
        ),
        encoding="utf-8",
    )
    d = DictionarySuggester()
    d.add_terms(read_term_file(f, default_schema()))
    text = "Apple Inc. opened in NEW YORK; apple inc. did not. Xi Jinping and xi jinping."
    assert found(d, "x", text) == [
        ("Apple Inc.", "ORG", "entity"),
        ("NEW YORK", "GPE", "entity"),
        ("Xi Jinping", "PERSON", "entity"),
    ]


def test_label_map_and_dropped_labels(tmp_path):
    f = tmp_path / "patterns.jsonl"
    f.write_text('{"label": "COMPANY", "pattern": "Acme"}\n{"label": "MISC", "pattern": "Foo"}\n', encoding="utf-8")
    entries = read_term_file(f, default_schema(), label_map={"COMPANY": "ORG", "MISC": None})
    assert [(e.tokens, e.label) for e in entries] == [(("Acme",), "ORG")]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('{"label": "ORG", "pattern": "Acme"}\n{"label": "ORG"\n', 2, "not a JSON object"),
        ('{"pattern": "Acme"}\n', 1, 'no "label"'),
        ('{"label": "ORG", "pattern": [{"LOWER": "a", "POS": "NOUN"}]}\n', 1, "exactly one of LOWER, ORTH or TEXT"),
        ('{"label": "ORG", "pattern": [{"REGEX": "a+"}]}\n', 1, "uses 'REGEX'"),
        ('{"label": "ORG", "pattern": [{"LOWER": 3}]}\n', 1, "non-empty string"),
        ('{"label": "ORG", "pattern": [{"LOWER": "a"}, {"ORTH": "B"}]}\n', 1, "mixes LOWER"),
        ('\n\n{"label": "WIDGET", "pattern": "Acme"}\n', 3, "'WIDGET' .* not an entity label"),
        ('{"label": "ORG", "pattern": 5}\n', 1, "phrase"),
    ],
)
def test_bad_pattern_files_name_file_line_and_problem(tmp_path, content, line, message):
    f = tmp_path / "bad.jsonl"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        read_term_file(f, default_schema())
    assert err.value.file == str(f) and err.value.line == line
    assert str(err.value).startswith(f"{f}:{line}: ")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("China\tGPE\nIndia\n", 2, "no label for 'India'"),
        ("China\t\n", 1, "no label after it"),
        ("China\tWIDGET\n", 1, "'WIDGET'"),
        ("...\tGPE\n", 1, "no letter or digit"),
    ],
)
def test_bad_plain_lists_name_file_line_and_problem(tmp_path, content, line, message):
    f = tmp_path / "bad.txt"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        read_term_file(f, default_schema())
    assert err.value.line == line


def test_plain_list_with_the_lists_label_and_odd_files(tmp_path):
    f = tmp_path / "names.txt"
    f.write_text("Randhir Jaiswal\nNarendra Modi\n", encoding="utf-8")
    assert [e.label for e in read_term_file(f, default_schema(), label="PERSON")] == ["PERSON", "PERSON"]
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(InputError, match="no terms"):
        read_term_file(empty, default_schema())
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Zürich\tGPE\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8") as err:
        read_term_file(latin, default_schema())
    assert err.value.line == 1
    with pytest.raises(InputError, match="cannot read"):
        read_term_file(tmp_path / "missing.txt", default_schema())


def test_matching_equals_the_tokenizer_on_tricky_text():
    """Every suggestion is whole tokens of the project tokenizer, and every whole-token occurrence is found."""
    from annotator.core.tokenize import tokenize

    d = DictionarySuggester()
    from annotator.services.suggest.dictionary import term_tokens

    for term in ["U.S.", "China", "e-mail", "70%", "São Paulo", "Jaiswal"]:
        tokens, spaced = term_tokens(term)
        d._add("entity", tokens, spaced, False, "GPE", 0.5, "test")
    text = "U.S. and U.S.A. China’s e-mail 70% 170% São Paulo “Jaiswal” (China) China-based Jaiswal's US.China"
    got = [(s.start, s.end) for s in d.suggest(Document(id="x", text=text))]
    toks = tokenize(text)
    starts, ends = {t.start for t in toks}, {t.end for t in toks}
    assert all(s in starts and e in ends for s, e in got)
    words = [text[s:e] for s, e in got]
    assert words == ["U.S.", "China", "e-mail", "70%", "São Paulo", "Jaiswal", "China", "Jaiswal"]


def test_event_triggers_are_suggested_as_events(project):
    d = build_dictionary(project, annotator="alice")
    assert found(d, "c", "They met again in China.") == [("China", "GPE", "entity"), ("met", "Meeting", "event")]


def test_a_term_rarely_labelled_where_it_occurs_is_left_out(tmp_path):
    text = "the cat and the dog and the bird and the fish and the cow and the end"
    with Project(tmp_path / "q.annotator", create=True) as p:
        p.insert_documents(
            [
                (
                    Document(id="a", text=text, status=DocStatus.DONE),  # finished: every occurrence was seen
                    [entity("a", 0, 3, "ORG", "alice"), entity("a", 4, 7, "ORG", "alice")],
                )
            ]
        )
        d = build_dictionary(p, annotator="alice")
    # "the": labelled once in 6 occurrences, (1 + 1) / (6 + 2) = 0.25 stays; with a higher floor it goes
    assert [text[s.start : s.end] for s in d.suggest(Document(id="b", text="the cat"))] == ["the", "cat"]
    assert d.stats["dropped"] == 0
    with Project(tmp_path / "q.annotator") as p:
        strict = DictionarySuggester(min_learned_score=0.3)
        strict.add_layer(p, "alice")
    assert [s.detail for s in strict.suggest(Document(id="b", text="the cat"))] == [{"from": "annotations of alice"}]
    assert strict.stats["dropped"] == 1


PIECES = [
    "China",
    "India",
    "Delhi",
    "U.S.",
    "e.g.",
    "São",
    "Paulo",
    "O'Neill",
    "don't",
    "China’s",
    "China's",
    "70%",
    "$5",
    "A321",
    "2,000",
    "(",
    ")",
    "“",
    "”",
    '"',
    "‘",
    "’",
    ",",
    ".",
    "…",
    "-",
    "—",
    "/",
    "!",
    "?",
    ":",
    ";",
    "北京",
    "😀",
    "e\u0301",
    "naïve",
    "IndoChina",
    "China-based",
    "Chinatown",
    "x",
    "S",
    "e",
    "g",
    "s",
    "n't",
    "\n",
    "\n\n",
    "  ",
    " ",
]


@pytest.mark.parametrize("seed", range(40))
def test_single_token_terms_are_found_exactly_where_the_tokenizer_has_them(seed):
    """The fast path (no tokenizer) and the checked path together find every whole-token
    occurrence of a term and nothing else, on random text made of tricky pieces."""
    import random

    from annotator.core.tokenize import token_spans
    from annotator.services.suggest.dictionary import term_tokens

    rng = random.Random(seed)
    text = "".join(rng.choice(PIECES) + rng.choice(["", " ", " ", "\n"]) for _ in range(400))
    tokens = [text[a:b] for a, b in token_spans(text)]
    words = sorted({t for t in tokens if any(c.isalnum() for c in t)})
    terms = set(rng.sample(words, min(len(words), 12))) | {"China", "India", "S", "e"}
    d = DictionarySuggester()
    for term in terms:
        toks, spaced = term_tokens(term)
        if len(toks) == 1:
            d._add("entity", toks, spaced, False, "GPE", 0.5, "test")
    single = {t for t in terms if len(term_tokens(t)[0]) == 1}
    want = [(a, b) for a, b in token_spans(text) if text[a:b] in single]
    got = [(s.start, s.end) for s in d.suggest(Document(id="x", text=text))]
    assert got == want


def test_a_corpus_run_stores_what_the_suggester_suggests(project):
    """run_suggester's path for the dictionary (its rows as they come) stores what the
    general path (Suggestion by Suggestion, each checked) stores; unknown labels are counted, not stored."""
    from annotator.services.suggest.service import run_suggester

    d = build_dictionary(project, annotator="alice")
    d._add("entity", ("India",), (), False, "NOPE", 0.9, "a stale label")

    class General:
        name = "dictionary"

        def suggest_many(self, docs):
            return d.suggest_many(docs)

    def stored():
        return sorted(
            (s.doc_id, s.kind, s.label, s.start, s.end, s.score, s.suggester, s.detail["from"]) for s in project.suggestions()
        )

    fast = run_suggester(project, d, ["a", "b"])
    first = stored()
    general = run_suggester(project, General(), ["a", "b"])
    assert stored() == first and len(first) == fast.suggestions == general.suggestions > 0
    assert fast.by_label == general.by_label and fast.docs_by_label == general.docs_by_label
    assert fast.unknown_labels == general.unknown_labels == {"NOPE": 2}
    assert all(label != "NOPE" for _d, _k, label, *_ in first)


def test_a_corpus_run_again_touches_only_what_changed(project):
    """Running the dictionary again keeps its unchanged suggestions as they are
    (ids too), replaces the changed ones, drops the gone ones, and leaves other
    suggesters' rows alone: the same suggestions as a run from scratch."""
    from annotator.core.store import StoredSuggestion
    from annotator.services.suggest.service import run_suggester

    def stored(suggester="dictionary"):
        return {
            (s.doc_id, s.kind, s.label, s.start, s.end): (s.id, s.score, s.detail["from"])
            for s in project.suggestions(suggester=suggester)
        }

    with project.transaction():
        project.put_suggestions([StoredSuggestion("other-1", "b", "entity", "GPE", 0, 9, 0.3, "other", detail={"from": "x"})])
    first = run_suggester(project, build_dictionary(project, annotator="alice"), ["a", "b"])
    before = stored()
    assert first.rows_inserted == len(before) == first.suggestions > 0 and first.rows_deleted == 0
    again = run_suggester(project, build_dictionary(project, annotator="alice"), ["a", "b"])
    assert (again.rows_deleted, again.rows_inserted) == (0, 0) and stored() == before
    # alice labels "Delhi" in b (a new term) and no longer "India" in a (that term is gone)
    india = next(a for a in project.annotations("a", "alice") if A[a.start : a.end] == "India")
    with project.transaction():
        project.delete_annotations([india.id])
        project.put_annotations([entity("b", *spans(B, "Delhi", 1), "GPE", "alice")])
    third = run_suggester(project, build_dictionary(project, annotator="alice"), ["a", "b"])
    after = stored()
    texts = {"a": A, "b": B}
    assert sorted(texts[d][s:e] for d, _k, _l, s, e in after) == ["China", "China", "China", "Delhi", "Delhi", "met"]
    kept = {k for k in after if k in before and after[k][0] == before[k][0]}
    # unchanged rows kept their ids ("met": the same score; China's changed with b now annotated)
    assert "met" in {texts[k[0]][k[3] : k[4]] for k in kept} <= {"China", "met"}
    assert third.rows_deleted == len(before) - len(kept) and third.rows_inserted == len(after) - len(kept)
    # the same as a run from scratch
    with project.transaction():
        project.delete_suggestions(suggester="dictionary")
    run_suggester(project, build_dictionary(project, annotator="alice"), ["a", "b"])
    assert {k: v[1:] for k, v in stored().items()} == {k: v[1:] for k, v in after.items()}
    assert set(stored("other")) == {("b", "entity", "GPE", 0, 9)}


def test_refresh_keeps_one_of_twin_rows(project):
    from annotator.core.store import StoredSuggestion

    twin = dict(detail={"from": "t"})
    with project.transaction():
        project.put_suggestions(
            [
                StoredSuggestion("t1", "a", "entity", "GPE", 0, 5, 0.5, "dictionary", **twin),
                StoredSuggestion("t2", "a", "entity", "GPE", 0, 5, 0.5, "dictionary", **twin),
            ]
        )
        deleted, inserted = project.refresh_suggestions(
            ["a"], "dictionary", [("n1", "a", "entity", "GPE", 0, 5, 0.5, "dictionary", '{"from": "t"}', "now")]
        )
    assert (deleted, inserted) == (1, 0)
    assert [s.id for s in project.suggestions(["a"])] == ["t1"]


def test_in_an_unfinished_document_only_what_was_read_counts(tmp_path):
    """China labelled once at the top of the article being annotated: the later
    Chinas are not read yet, so they are no evidence against it (score 2/3) and
    are suggested; an unlabelled China before the last span was read and left
    alone, and counts (2/4); once the document is done, every China counts (2/7)."""
    text = "China said so. China again. Beijing spoke. China, China and China."
    seen = [text.index("Beijing"), text.index("Beijing") + len("Beijing")]
    with Project(tmp_path / "r.annotator", create=True) as p:
        p.insert_documents([(Document(id="a", text=text, status=DocStatus.IN_PROGRESS), [entity("a", 0, 5, "GPE", "alice")])])
        d = build_dictionary(p, annotator="alice")
        assert [(text[s.start : s.end], s.score) for s in d.suggest(Document(id="a", text=text))][1:] == [("China", 0.6667)] * 4
        with p.transaction():
            p.put_annotations([entity("a", *seen, "GPE", "alice")])
        d = build_dictionary(p, annotator="alice")
        assert {s.score for s in d.suggest(Document(id="b", text="China"))} == {0.5}
        with p.transaction():
            p.set_status("a", DocStatus.DONE)
        d = build_dictionary(p, annotator="alice")
        assert {s.score for s in d.suggest(Document(id="b", text="China"))} == {round(2 / 7, 4)}


def test_when_every_learned_term_is_left_out_the_message_says_why(tmp_path):
    text = " ".join(["the"] * 12)
    with Project(tmp_path / "s.annotator", create=True) as p:
        p.insert_documents([(Document(id="a", text=text, status=DocStatus.DONE), [entity("a", 0, 3, "ORG", "alice")])])
        with pytest.raises(SuggestError, match="left unlabelled at most of its other occurrences"):
            build_dictionary(p, annotator="alice")
