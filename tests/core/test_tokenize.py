"""The default tokenizer, span alignment and the sentence splitter."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.text import canonicalize, decode_bytes
from annotator.core.tokenize import Token, _token_regex, align_span, sentences, spacy_tokenize, token_spans, tokenize

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_0e62c08fb123f9d1.txt"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
FLAG_CL = "\U0001f1e8\U0001f1f1"
FLAG_ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


def texts(text: str, **kwargs) -> list[str]:
    return [t.text for t in tokenize(text, **kwargs)]


def jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def assert_well_formed(text: str, tokens: list[Token], boundaries=()) -> None:
    """Tokens are exact, ordered, non-overlapping, never whitespace, cover every other character."""
    assert [t.id for t in tokens] == list(range(len(tokens)))
    previous_end = 0
    for token in tokens:
        assert token.text == text[token.start : token.end] and token.start < token.end
        assert token.start >= previous_end and not text[previous_end : token.start].strip()
        assert not any(c.isspace() for c in token.text)
        assert token.ws == (token.end < len(text) and text[token.end].isspace())
        assert not any(token.start < b < token.end for b in boundaries)
        previous_end = token.end
    assert "".join(t.text for t in tokens) == "".join(text.split())


def test_rules_on_examples():
    assert texts("The bank raised rates to 6.5%, from 2,000 bps in the U.S. on Oct. 3.") == [
        "The", "bank", "raised", "rates", "to", "6.5%", ",", "from", "2,000", "bps", "in", "the",
        "U.S.", "on", "Oct", ".", "3", ".",
    ]  # fmt: skip
    assert texts("India’s hi-tech face-off, e.g. don't (@MEAIndia) A321 2024-10-21") == [
        "India", "’s", "hi-tech", "face-off", ",", "e.g.", "do", "n't", "(", "@", "MEAIndia", ")", "A321", "2024-10-21",
    ]  # fmt: skip
    assert texts("“Yes,” he said...") == ["“", "Yes", ",", "”", "he", "said", ".", ".", "."]
    assert texts("hi_there -5 €2.4") == ["hi", "_", "there", "-", "5", "€2.4"]


def test_clitics_are_tokens_of_their_own():
    assert texts("China’s India's I'm we'll they’re we've he'd can't won’t DON'T U.S.'s") == [
        "China", "’s", "India", "'s", "I", "'m", "we", "'ll", "they", "’re", "we", "'ve", "he", "'d",
        "ca", "n't", "wo", "n’t", "DO", "N'T", "U.S.", "'s",
    ]  # fmt: skip
    # Only at the end of a word: names and inner apostrophes stay whole.
    assert texts("O'Neill's D'Souza rock'n'roll 'tis 'sup Jones' 1990's n't") == [
        "O'Neill", "'s", "D'Souza", "rock'n'roll", "'", "tis", "'", "sup", "Jones", "'", "1990", "'s", "n't",
    ]  # fmt: skip
    assert texts("China’s.") == ["China", "’s", "."]


def test_numbers_keep_currency_and_percent_signs():
    assert texts("70% $55.09 US$1.2bn HK$3 €2.4 4.5bn 50¢ 5€ 3.5‰ 12,000% (70%).") == [
        "70%", "$55.09", "US$1.2bn", "HK$3", "€2.4", "4.5bn", "50¢", "5€", "3.5‰", "12,000%", "(", "70%", ")", ".",
    ]  # fmt: skip
    # Signs away from a number are tokens of their own.
    assert texts("-$5 $ 5 % CA$H 70%-owned a%") == [
        "-", "$5", "$", "5", "%", "CA", "$", "H", "70%", "-", "owned", "a", "%",
    ]  # fmt: skip


def test_emoji_clusters_are_one_token():
    emoji = [FAMILY, FLAG_CL, FLAG_ENGLAND, "👍🏽", "❤\ufe0f", "1\ufe0f\u20e3", "#\ufe0f\u20e3", "👩\u200d💻", "😀"]
    assert texts(" ".join(emoji)) == emoji
    assert texts("ok😀😀.") == ["ok", "😀", "😀", "."]
    assert texts(FLAG_CL + FLAG_CL) == [FLAG_CL, FLAG_CL]
    assert texts("Jose\u0301 हिन्दी 김민준 محمد 北京") == ["Jose\u0301", "हिन्दी", "김민준", "محمد", "北京"]


def test_whitespace_is_never_a_token():
    text = "a\n\nb\u2028c\u2029d\xa0e\tf\x0bg \u3000h"
    assert texts(text) == list("abcdefgh")
    assert [t.ws for t in tokenize("a b.\n")] == [True, False, True]


def test_corpus_file_tokens():
    raw = decode_bytes((DATA / "unicode-crlf.txt").read_bytes())
    text, _ = canonicalize(raw)
    tokens = tokenize(text)
    assert_well_formed(text, tokens)
    words = [t.text for t in tokens]
    for expected in ["🚢", FAMILY, FLAG_CL, "Min-jun", "€2.4", "Jose\u0301", "김민준", "北京", "Valparaíso"]:
        assert expected in words
    family = words.index(FAMILY)
    assert words[family - 1 : family + 3] == ["exporters", FAMILY, "in", "Valparaíso"]
    assert words[-3:] == ["round", FLAG_CL, "."]
    assert words[words.index("billion") - 1 : words.index("billion")] == ["€2.4"]


def test_token_regex_knows_every_combining_mark():
    pattern = _token_regex()
    marks = [chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp))[0] == "M"]
    assert all(pattern.fullmatch("a" + mark) for mark in marks)


def test_boundaries_force_splits():
    text = "Beijing’s 2,000-tonne quota"
    assert texts(text) == ["Beijing", "’s", "2,000-tonne", "quota"]
    assert texts(text, boundaries=[3, 7]) == ["Bei", "jing", "’s", "2,000-tonne", "quota"]
    assert texts(text, boundaries=[12, 16, 12, 0, 9, len(text)]) == ["Beijing", "’s", "2,", "000-", "tonne", "quota"]
    tokens = tokenize(text, boundaries=[3, 15])
    assert_well_formed(text, tokens, [3, 15])
    assert align_span(tokens, 0, 3) == (0, 0)
    assert align_span(tokens, 3, 7) == (1, 1)
    assert texts(FAMILY, boundaries=[2]) == [FAMILY[:2], FAMILY[2:]]


def test_align_span():
    tokens = tokenize("Apple hired Tim Cook in 1998.")
    assert align_span(tokens, 0, 5) == (0, 0)
    assert align_span(tokens, 12, 20) == (2, 3)
    assert align_span(tokens, 24, 29) == (5, 6)
    for start, end in [(1, 5), (0, 4), (0, 6), (5, 5), (5, 6), (12, 19), (28, 30), (40, 41), (3, 1)]:
        assert align_span(tokens, start, end) is None
    assert align_span([], 0, 1) is None


def test_prodigy_tokens_and_spans_are_reproduced():
    for record in jsonl("prodigy.jsonl"):
        tokens = tokenize(record["text"])
        assert [t._asdict() for t in tokens] == [
            {key: token[key] for key in ("text", "start", "end", "ws", "id")} for token in record["tokens"]
        ]
        for span in record["spans"]:
            assert align_span(tokens, span["start"], span["end"]) == (span["token_start"], span["token_end"])


def test_imported_spans_align_without_extra_boundaries():
    spans = [(r["text"], s["start"], s["end"]) for r in jsonl("batch.jsonl") for s in r.get("spans", [])]
    spans += [(r["text"], s, e) for r in jsonl("doccano.jsonl") for s, e, _ in r["label"]]
    assert len(spans) == 10
    for text, start, end in spans:
        tokens = tokenize(text)
        assert_well_formed(text, tokens)
        assert align_span(tokens, start, end) is not None, text[start:end]
    batch = jsonl("batch.jsonl")
    assert "👩\u200d💻" in texts(batch[2]["text"])
    assert texts(batch[1]["text"])[6:8] == ["6.5%", ","]


PIECES = [
    "a", "Zq", "7", " ", "é", "e\u0301", "\u0301", "😀", "👍🏽", FAMILY, FLAG_CL, FLAG_ENGLAND, "\n", "\u2028",
    "\xa0", "\t", "\0", "北京", "’", "'", "-", ".", ",", "%", "U.S.", "\u200d", "\ufe0f",
    "'s", "’ll", "n't", "N’T", "$", "US$", "€", "¢", "‰",
]  # fmt: skip
random_texts = st.lists(st.one_of(st.sampled_from(PIECES), st.characters(exclude_categories=["Cs"])), max_size=40)


@settings(max_examples=300, deadline=None)
@given(pieces=random_texts, data=st.data())
def test_property_tokens_cover_text_and_respect_boundaries(pieces, data):
    text = "".join(pieces)
    boundaries = data.draw(st.lists(st.integers(0, len(text)), max_size=6))
    assert_well_formed(text, tokenize(text), ())
    tokens = tokenize(text, boundaries)
    assert_well_formed(text, tokens, boundaries)
    for token in tokens:
        assert align_span(tokens, token.start, token.end) == (token.id, token.id)


def _pattern_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _token_regex().finditer(text)]


def test_fast_token_spans_equal_the_pattern_on_the_corpus():
    for name in ("unicode-crlf.txt", "looks-like-html.txt", "batch.jsonl", "prodigy.jsonl", "doccano.jsonl"):
        text = (DATA / name).read_text("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        assert token_spans(text) == _pattern_spans(text), name
    assert token_spans(SEED.read_text("utf-8")) == _pattern_spans(SEED.read_text("utf-8"))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([*PIECES, "A321", "1,000", "ab", "9", "(", "“", "\u3000", "\x85"]),
            st.characters(exclude_categories=["Cs"]),
        ),
        max_size=40,
    )
)
def test_property_fast_token_spans_equal_the_pattern(pieces):
    text = "".join(pieces)
    assert token_spans(text) == _pattern_spans(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([FAMILY, FLAG_CL, FLAG_ENGLAND, "👍🏽", "❤\ufe0f", "👩\u200d💻"]), min_size=1))
def test_property_emoji_separated_by_spaces_stay_whole(emoji):
    assert texts(" ".join(emoji)) == emoji


# --- sentences ----------------------------------------------------------------------


def sentence_texts(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


def test_sentences_of_the_seed_article():
    text = SEED.read_text(encoding="utf-8")
    found = sentence_texts(text)
    assert len(found) == 14
    assert found[0].startswith("date 2025-10-30 NEW DELHI: China has granted licences")
    assert found[0].endswith("restrictions on exports of the key components.")
    assert found[1] == (
        "Ministry of External Affairs spokesperson Randhir Jaiswal speaks during a media briefing in New Delhi (@MEAIndia)"
    )
    assert found[3].startswith("“Yes, we confirm") and found[3].endswith("to import rare earths.")
    assert found[5:8] == [
        "“We have yet to look at it.",
        "I am not aware of the technicalities, but we will come back to you.",
        "But I do confirm that Indian companies have received licences for importing rare earths from China,” he said.",
    ]
    assert found[-1].startswith("The two sides reached an understanding to end the face-off on the LAC on October 21")
    assert_sentences_cover(text)


def assert_sentences_cover(text: str) -> None:
    spans = sentences(text)
    previous_end = 0
    for start, end in spans:
        assert start < end and start >= previous_end
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert not text[previous_end:start].strip()
        previous_end = end
    assert not text[previous_end:].strip()


def test_sentence_rules():
    assert sentence_texts("Mr. Smith met Dr. Jones in the U.S. on Monday. Then he left.") == [
        "Mr. Smith met Dr. Jones in the U.S. on Monday.",
        "Then he left.",
    ]
    assert sentence_texts("It rose 3.5 pct. in May. 20 people came! “Why?” she asked. (Yes.) No.") == [
        "It rose 3.5 pct. in May.",
        "20 people came!",
        "“Why?” she asked.",
        "(Yes.)",
        "No.",
    ]
    assert sentence_texts("See e.g. Table 2, by J. R. Smith. Done") == ["See e.g. Table 2, by J. R. Smith.", "Done"]
    assert sentence_texts("a line\nanother line\u2028third\n\n  fourth  ") == ["a line", "another line", "third", "fourth"]
    assert sentence_texts("北京下雨了。他走了！好") == ["北京下雨了。", "他走了！", "好"]
    assert sentence_texts("Talks ended. محمد said no.") == ["Talks ended.", "محمد said no."]
    assert sentences("") == [] and sentences(" \n ") == []


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.one_of(st.sampled_from([*PIECES, ". ", "? ", "Mr. ", "“", "A"]), st.characters())))
def test_property_sentences_cover_all_text(pieces):
    assert_sentences_cover("".join(pieces))


# --- spaCy --------------------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("spacy") is not None, reason="spaCy is installed")
def test_spacy_tokenize_without_spacy_says_how_to_install():
    with pytest.raises(ImportError, match=r"spaCy is not installed: pip install 'annotator\[spacy\]'"):
        spacy_tokenize("Apple hired Tim Cook.")


def test_spacy_tokenize():
    pytest.importorskip("spacy")
    text = "Apple hired  Tim Cook\nin 1998 🌧."
    tokens = spacy_tokenize(text, boundaries=[19])
    assert_well_formed(text, tokens, [19])
    assert [t.text for t in tokens][:4] == ["Apple", "hired", "Tim", "Co"]


def test_token_spans_survive_another_thread_renewing_the_chunk_memo(monkeypatch):
    """The chunk memo is shared by every thread (an export runs in one while the
    window tokenizes for word snapping). Another call that finds the memo full
    between this call's filling and reading it must not take its chunks away."""
    import annotator.core.tokenize as tk

    text = "Beijing’s “rare-earth” magnets, said Jaiswal; (LAC) 70%."
    expected = [m.span() for m in _token_regex().finditer(text)]
    monkeypatch.setattr(tk, "_SPANS_MEMO", {})
    monkeypatch.setattr(tk, "_SPANS_MEMO_LIMIT", 0)
    original = tk._remember
    interleaved = []

    def remember_then_other_thread(memo, chunks):
        original(memo, chunks)
        if not interleaved:
            interleaved.append(True)
            tk.token_spans("other, text: “quoted” here")  # finds the memo full and renews it

    monkeypatch.setattr(tk, "_remember", remember_then_other_thread)
    spans = tk.token_spans(text)
    assert interleaved
    assert spans == expected
