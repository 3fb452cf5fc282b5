"""spaCy pipelines as suggesters (issue 17): loading, label maps, scores, offsets."""

from __future__ import annotations

import builtins
import json
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

from annotator.core.models import Document  # noqa: E402
from annotator.core.schema import default_schema  # noqa: E402
from annotator.services.suggest.base import Suggester, SuggesterUnavailable  # noqa: E402
from annotator.services.suggest.spacy_model import (  # noqa: E402
    DEFAULT_SCORE,
    LabelMapError,
    SpacySuggester,
    load_spacy_suggester,
    read_label_map,
)


def ruler_pipeline(folder: Path, patterns: list[dict], performance: dict | None = None) -> Path:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(patterns)
    if performance is not None:
        nlp.meta["performance"] = performance
    nlp.to_disk(folder)
    return folder


@pytest.fixture
def schema():
    return default_schema()


@pytest.fixture
def ruler_dir(tmp_path):
    return ruler_pipeline(
        tmp_path / "ruler",
        [
            {"label": "PER", "pattern": "Ann"},
            {"label": "PERSON", "pattern": "Bob"},
            {"label": "CITY", "pattern": "Paris"},
            {"label": "Meeting", "pattern": "met"},
        ],
    )


def doc(text: str, doc_id: str = "d1") -> Document:
    return Document(id=doc_id, text=text)


def test_folder_pipeline_suggests_code_point_offsets_after_emoji(ruler_dir, schema):
    sugg = load_spacy_suggester(str(ruler_dir), {"PER": "PERSON"}, schema)
    assert isinstance(sugg, Suggester)
    text = "😀👨‍👩‍👧 Ann met Bob in Paris."
    out = sorted(sugg.suggest(doc(text)), key=lambda s: s.start)
    got = [(s.kind, s.label, s.start, s.end, text[s.start : s.end]) for s in out]
    # the ZWJ family is 5 code points, the emoji 1: "Ann" starts at 7 (UTF-16 would say 11)
    assert got == [
        ("entity", "PERSON", 7, 10, "Ann"),
        ("event", "Meeting", 11, 14, "met"),
        ("entity", "PERSON", 15, 18, "Bob"),
    ]
    assert all(s.suggester == "spacy:ruler" and s.doc_id == "d1" for s in out)
    assert out[0].detail == {"source": "ents", "model_label": "PER"}
    # no performance in meta.json: the documented constant
    assert {s.score for s in out} == {DEFAULT_SCORE}
    # CITY is neither in the schema nor mapped: dropped and counted
    assert sugg.unmapped_labels == ("CITY",)
    assert sugg.dropped == {"CITY": 1}
    assert any("CITY" in line for line in sugg.summary())
    assert sugg.label_targets["PER"] == ("entity", "PERSON")
    assert sugg.label_targets["CITY"] is None


def test_label_mapped_to_null_is_dropped_on_purpose(ruler_dir, schema):
    sugg = load_spacy_suggester(str(ruler_dir), {"CITY": None, "PER": "PERSON"}, schema)
    assert sugg.unmapped_labels == ()
    out = sugg.suggest(doc("Paris and Ann"))
    assert [s.label for s in out] == ["PERSON"]
    assert sugg.dropped == {"CITY": 1}


def test_map_target_unknown_to_schema_is_refused(ruler_dir, schema):
    with pytest.raises(LabelMapError, match="'PER' maps to 'PERSONNE'"):
        load_spacy_suggester(str(ruler_dir), {"PER": "PERSONNE"}, schema)


def test_reported_precision_is_the_score(tmp_path, schema):
    folder = ruler_pipeline(
        tmp_path / "p",
        [{"label": "PERSON", "pattern": "Bob"}, {"label": "ORG", "pattern": "Acme"}],
        performance={"ents_per_type": {"PERSON": {"p": 0.8, "r": 0.5, "f": 0.6}}},
    )
    sugg = load_spacy_suggester(str(folder), None, schema)
    scores = {s.label: s.score for s in sugg.suggest(doc("Bob of Acme"))}
    assert scores == {"PERSON": 0.8, "ORG": DEFAULT_SCORE}


def test_spancat_scores_come_from_the_model(tmp_path, schema):
    nlp = spacy.blank("en")
    sc = nlp.add_pipe("spancat", config={"threshold": 0.0, "max_positive": 1})
    sc.add_label("PERSON")
    nlp.initialize()
    nlp.to_disk(tmp_path / "sc")
    sugg = load_spacy_suggester(str(tmp_path / "sc"), None, schema)
    text = "Ann 😀 met Bob"
    sdoc = sugg.nlp(text)  # type: ignore[attr-defined]
    expected = {
        (s.start_char, s.end_char): float(v) for s, v in zip(sdoc.spans["sc"], sdoc.spans["sc"].attrs["scores"].reshape(-1))
    }
    out = sugg.suggest(doc(text))
    assert out and all(s.detail["source"] == "spans:sc" for s in out)
    assert {(s.start, s.end): s.score for s in out} == pytest.approx(expected)
    assert len({s.score for s in out}) > 1  # the model's own, not a constant
    emoji = [s for s in out if text[s.start : s.end] == "😀"]
    assert emoji and emoji[0].start == 4 and emoji[0].end == 5


def test_suggest_many_batches_and_keeps_order(ruler_dir, schema):
    sugg = load_spacy_suggester(str(ruler_dir), {"PER": "PERSON"}, schema, n_process=1)
    docs = [doc(f"Bob number {i}" if i % 2 else "nobody", f"d{i}") for i in range(7)]
    results = list(sugg.suggest_many(docs))
    assert len(results) == 7
    for i, res in enumerate(results):
        assert [s.doc_id for s in res] == ([f"d{i}"] if i % 2 else [])


def test_suggest_many_in_two_processes(ruler_dir, schema):
    sugg = load_spacy_suggester(str(ruler_dir), {"PER": "PERSON"}, schema, n_process=2, batch_size=2)
    docs = [doc(f"{'Ann' if i % 3 == 0 else 'x'} text {i}", f"d{i}") for i in range(9)]
    results = list(sugg.suggest_many(docs))
    assert [[(s.doc_id, s.label, s.start) for s in r] for r in results] == [
        [(f"d{i}", "PERSON", 0)] if i % 3 == 0 else [] for i in range(9)
    ]


def test_missing_folder_and_package(tmp_path, schema):
    with pytest.raises(SuggesterUnavailable, match="no such folder"):
        load_spacy_suggester(str(tmp_path / "nope"), None, schema)
    (tmp_path / "empty").mkdir()
    with pytest.raises(SuggesterUnavailable, match="not a spaCy pipeline folder"):
        load_spacy_suggester(str(tmp_path / "empty"), None, schema)
    with pytest.raises(SuggesterUnavailable, match="no installed spaCy pipeline of that name") as err:
        load_spacy_suggester("xx_not_a_package_anywhere", None, schema)
    assert "never does itself" in str(err.value)


def test_without_spacy_says_what_to_install(monkeypatch, ruler_dir, schema):
    real_import = builtins.__import__

    def no_spacy(name, *args, **kwargs):
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError("No module named 'spacy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_spacy)
    with pytest.raises(SuggesterUnavailable, match=r"pip install 'annotator\[suggest\]'"):
        load_spacy_suggester(str(ruler_dir), None, schema)


def test_pipeline_without_span_components_is_refused(tmp_path, schema):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "s")
    with pytest.raises(SuggesterUnavailable, match="no component that finds entities"):
        load_spacy_suggester(str(tmp_path / "s"), None, schema)


# -- label map files ---------------------------------------------------------------


def test_read_label_map_json_and_tsv(tmp_path, schema):
    j = tmp_path / "map.json"
    j.write_text(json.dumps({"PER": "PERSON", "MISC": None, "EVT": "Meeting"}), "utf-8")
    assert read_label_map(j, schema) == {"PER": "PERSON", "MISC": None, "EVT": "Meeting"}
    t = tmp_path / "map.tsv"
    t.write_text("# model\tschema\n\nPER\tPERSON\nMISC\t-\n", "utf-8")
    assert read_label_map(t, schema) == {"PER": "PERSON", "MISC": None}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.tsv", "PER\tPERSON\nLOC GPE\n", r"m\.tsv:2: expected two columns separated by a tab"),
        ("m.tsv", "PER\tPERSON\nPER\tORG\n", r"m\.tsv:2: the model label 'PER' appears twice \(first on line 1\)"),
        ("m.tsv", "PER\tPERSON\n\nX\tNOPE\n", r"m\.tsv:3: 'X' maps to 'NOPE', which is not a label"),
        ("m.json", '{\n  "PER": "PERSON",\n  "X": 3\n}', r"m\.json:3: the label for 'X' must be a string or null"),
        ("m.json", '{\n  "PER": "PERSON",\n  "X": "NOPE"\n}', r"m\.json:3: 'X' maps to 'NOPE'"),
        ("m.json", '{\n  "PER": "PERSON"\n  "X": "ORG"\n}', r"m\.json:3: not valid JSON"),
        ("m.json", '["PER"]', r"m\.json:1: a JSON label map must be an object"),
        ("m.json", "{}", r"m\.json: the label map is empty"),
    ],
)
def test_read_label_map_errors_name_file_and_line(tmp_path, schema, name, content, message):
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(LabelMapError, match=message):
        read_label_map(path, schema)


def test_read_label_map_missing_file(tmp_path):
    with pytest.raises(LabelMapError, match="cannot read the label map"):
        read_label_map(tmp_path / "none.json")


def test_suggester_class_is_the_one_returned(ruler_dir, schema):
    assert isinstance(load_spacy_suggester(str(ruler_dir), None, schema), SpacySuggester)


def test_beam_ner_scores_are_its_probabilities(tmp_path, schema):
    from spacy.training import Example

    nlp = spacy.blank("en")
    ner = nlp.add_pipe("beam_ner", config={"beam_width": 4})
    ner.add_label("PERSON")
    data = [
        ("Ann met Bob today.", [(0, 3, "PERSON"), (8, 11, "PERSON")]),
        ("Bob saw Ann.", [(0, 3, "PERSON"), (8, 11, "PERSON")]),
    ]
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in data]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(15):
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(tmp_path / "beam")
    sugg = load_spacy_suggester(str(tmp_path / "beam"), None, schema)
    text = "Ann 😀 met Bob."
    out = sugg.suggest(doc(text))
    assert out and all(s.detail["source"] == "beam" for s in out)
    # the same numbers as asking the beam directly
    pipe = sugg.nlp.get_pipe("beam_ner")  # type: ignore[attr-defined]
    sdoc = sugg.nlp(text)  # type: ignore[attr-defined]
    scored = pipe.scored_ents(pipe.beam_parse([sdoc], beam_width=4))[0]
    for s in out:
        span = sdoc.char_span(s.start, s.end)
        assert s.score == pytest.approx(min(1.0, scored[(span.start, span.end, "PERSON")]))
        assert 0 < s.score <= 1


def test_split_text_cuts_at_line_breaks_then_spaces():
    from annotator.services.suggest.spacy_model import split_text

    assert split_text("short", 10) == [(0, "short")]
    text = "aaaa\nbbbb cccc dddd\neeeeeeeeeeeeeeee"
    pieces = split_text(text, 10)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 10 for _, p in pieces)
    assert all(text[o : o + len(p)] == p for o, p in pieces)
    assert pieces[0] == (0, "aaaa\n") and pieces[1] == (5, "bbbb cccc ")


def test_long_documents_run_in_pieces_with_shifted_offsets(ruler_dir, schema, monkeypatch):
    import annotator.services.suggest.spacy_model as sm

    monkeypatch.setattr(sm, "CHUNK_CHARS", 40)
    sugg = load_spacy_suggester(str(ruler_dir), {"PER": "PERSON"}, schema, n_process=1)
    text = "😀 Ann is here.\n" * 10  # 15 code points a line; Ann at 2 + 15 * i
    expected = [(2 + 15 * i, 5 + 15 * i) for i in range(10)]
    one = sorted((s.start, s.end) for s in sugg.suggest(doc(text)))
    assert one == expected
    many = list(sugg.suggest_many([doc(text, "a"), doc("Ann", "b"), doc(text, "c")]))
    assert [sorted((s.start, s.end) for s in r) for r in many] == [expected, [(0, 3)], expected]
    assert [{s.doc_id for s in r} for r in many] == [{"a"}, {"b"}, {"c"}]
