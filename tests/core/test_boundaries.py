"""Word snapping, the token under a click, boundary moves by code point and by token (no Qt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core import boundaries
from annotator.core.boundaries import move_boundary, token_at, token_step, tokens_near, word_span
from annotator.core.text import canonicalize, decode_bytes
from annotator.core.tokenize import token_spans, tokenize

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_0e62c08fb123f9d1.txt"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"

TEXT = "The Korean trade minister, Kim Min-jun, told reporters."


def find(word: str) -> tuple[int, int]:
    i = TEXT.index(word)
    return i, i + len(word)


SPAN = find("trade minister")


@pytest.mark.parametrize(
    ("which", "delta", "expected"),
    [
        ("start", -1, (find("Korean")[0], SPAN[1])),
        ("start", -2, (0, SPAN[1])),
        ("start", -3, (0, SPAN[1])),  # stops at the text start
        ("start", 1, (find("minister")[0], SPAN[1])),
        ("start", 2, (find("minister")[0], SPAN[1])),  # never empty
        ("end", 1, (SPAN[0], find(",")[1])),
        ("end", 3, (SPAN[0], find("Min-jun")[1])),
        ("end", -1, (SPAN[0], find("trade")[1])),
        ("end", -2, (SPAN[0], find("trade")[1])),
    ],
)
def test_move_by_token(which, delta, expected):
    assert move_boundary(TEXT, SPAN, which, delta, by_token=True) == expected


def test_move_by_code_point_never_empties_or_leaves_the_text():
    s, e = SPAN
    assert move_boundary(TEXT, SPAN, "start", 2, by_token=False) == (s + 2, e)
    assert move_boundary(TEXT, SPAN, "end", -1, by_token=False) == (s, e - 1)
    assert move_boundary(TEXT, SPAN, "end", -100, by_token=False) == (s, s + 1)
    assert move_boundary(TEXT, SPAN, "start", -100, by_token=False) == (0, e)
    assert move_boundary(TEXT, SPAN, "end", 100, by_token=False) == (s, len(TEXT))
    assert move_boundary(TEXT, (len(TEXT) - 1, len(TEXT)), "end", 1, by_token=False) is None


def test_no_move_is_none_and_which_is_checked():
    assert move_boundary(TEXT, SPAN, "start", 0, by_token=True) is None
    assert move_boundary(TEXT, (0, 3), "start", -1, by_token=True) is None
    with pytest.raises(ValueError):
        move_boundary(TEXT, SPAN, "middle", 1, by_token=True)


def test_token_step_far_into_a_long_text():
    # the tokenizer window (WINDOW characters either side) must not cut tokens
    text = "word " * 500 + "target here"
    start = text.index("target")
    assert token_step(text, start, start + 6, "start", False) == (start - 5, start + 6)
    assert token_step(text, start, start + 6, "end", True) == (start, len(text))
    assert token_step(text, 0, 4, "start", False) is None


def test_clitics_boundaries_are_reachable_by_token():
    text = "Talks on Beijing’s curbs; China's move; we don't know."
    beijing = (text.index("Beijing"), text.index("Beijing") + len("Beijing’s"))
    # The end moves back before the possessive, and forward again.
    assert move_boundary(text, beijing, "end", -1, by_token=True) == (beijing[0], beijing[1] - 2)
    assert move_boundary(text, (beijing[0], beijing[1] - 2), "end", 1, by_token=True) == beijing
    # The start moves onto the clitic: every token boundary is reachable.
    assert move_boundary(text, beijing, "start", 1, by_token=True) == (beijing[1] - 2, beijing[1])
    china = text.index("China")
    assert move_boundary(text, (china, china + 7), "end", -1, by_token=True) == (china, china + 5)
    do = text.index("don't")
    assert move_boundary(text, (do, do + 5), "end", -1, by_token=True) == (do, do + 2)


# --- word snapping and the token under a click ------------------------------------------


def snapped(text: str, start: int, end: int) -> str:
    s, e = word_span(text, start, end)
    return text[s:e]


def test_word_span_click_and_partial_words():
    text = SEED.read_text(encoding="utf-8")
    at = text.index("Jaiswal")
    for click in range(at, at + len("Jaiswal") + 1):
        assert snapped(text, click, click) == "Jaiswal"
    assert snapped(text, at + 2, at + 4) == "Jaiswal"
    at = text.index("India’s")
    assert snapped(text, at + 1, at + 3) == "India"  # not its possessive
    assert snapped(text, at + 1, at + 6) == "India’s"  # unless the selection reaches it
    assert snapped(text, at + 5, at + 5) == "’s"
    at = text.index("face-off")
    assert snapped(text, at + 5, at + 6) == "face-off"
    at = text.index("70%")
    assert snapped(text, at, at + 1) == "70%"
    assert snapped(text, at + 1, at + 1) == "70%"
    assert snapped(text, at + 2, at + 3) == "70%"
    at = text.index("Randhir Jaiswal speaks")
    assert snapped(text, at + 3, at + 10) == "Randhir Jaiswal"
    assert snapped(text, at - 1, at + 7) == "Randhir"  # leading whitespace trimmed
    assert snapped(text, at + 7, at + 8) == ""  # just a space
    assert word_span(text, at + 7, at + 8) == (at + 7, at + 7)
    at = text.index("(LAC)")
    assert snapped(text, at, at + 2) == "(LAC"  # punctuation is kept, not extended over


def test_word_span_numbers_currency_initialisms():
    text = "Shares rose 4.5% to $55.09 in the U.S., a US$1.2bn deal (4.5bn yuan)."
    for needle in ["4.5%", "$55.09", "U.S.", "US$1.2bn", "4.5bn"]:
        at = text.index(needle)
        for cp in range(at, at + len(needle)):
            assert token_at(text, cp) == (at, at + len(needle)), (needle, cp)
        assert snapped(text, at + 1, at + 2) == needle
    assert token_at(text, text.index(" to")) is None  # whitespace
    assert token_at(text, len(text)) is None and token_at(text, -1) is None


def test_word_span_unicode_words():
    raw = decode_bytes((DATA / "unicode-crlf.txt").read_bytes(), name="unicode-crlf.txt")
    text = canonicalize(raw)[0]
    at = text.index(FAMILY)
    assert snapped(text, at + 2, at + 3) == FAMILY
    assert snapped(text, at, at) == FAMILY
    at = text.index("Jose\u0301")
    assert snapped(text, at + 4, at + 5) == "Jose\u0301"  # the combining accent alone
    at = text.index("€2.4")
    assert snapped(text, at + 1, at + 2) == "€2.4"
    assert snapped(text, text.index("\U0001f1e8") + 1, text.index("\U0001f1e8") + 1) == "\U0001f1e8\U0001f1f1"
    assert snapped(text, text.index("Valparaíso") + 3, text.index("Valparaíso") + 4) == "Valparaíso"
    at = text.index("Min-jun")
    assert snapped(text, at + 5, at + 5) == "Min-jun"
    assert snapped(text, at - 1, at + 3) == "Min-jun"
    spaces = "a \t b"
    assert word_span(spaces, 2, 2) == (2, 2)
    assert word_span(spaces, 1, 4) == (1, 1)
    assert snapped("Koré\u00ada", 1, 2) == "Koré\u00ada"  # a soft hyphen stays inside


def test_word_span_far_apart_ends_and_long_chunks():
    text = "word " * 300 + "Beijing’s " + "word " * 300 + "China’s move"
    beijing, china = text.index("Beijing"), text.index("China")
    assert word_span(text, beijing + 1, china + 2) == (beijing, china + 5)  # each end snapped on its own
    blob = "x" * 2000  # a chunk longer than the window
    text = blob + " India’s"
    at = text.index("India")
    assert snapped(text, at + 1, at + 1) == "India"


PIECES = [
    "a", "Zq", "7", " ", "é", "e\u0301", "😀", FAMILY, "\n", "\xa0", "北京", "’", "'", "-", ".", ",", "%", "$",
    "U.S.", "’s", "n't", "\u200d", "\u00ad",
]  # fmt: skip
unicode_texts = st.lists(st.one_of(st.sampled_from(PIECES), st.characters(exclude_categories=["Cs"])), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=unicode_texts, data=st.data())
def test_property_word_span_is_whole_tokens(text, data):
    positions = st.integers(0, len(text))
    start, end = sorted(data.draw(st.tuples(positions, positions)))
    s, e = word_span(text, start, end)
    tokens = token_spans(text)
    if s == e:
        assert (start == end and not any(a <= start <= b for a, b in tokens)) or not text[start:end].strip()
        return
    # The snapped span is whole tokens holding the selection without its surrounding whitespace.
    assert s in {a for a, _ in tokens} and e in {b for _, b in tokens}
    selected = text[start:end]
    assert s <= start + len(selected) - len(selected.lstrip())
    assert e >= end - (len(selected) - len(selected.rstrip()))
    assert word_span(text, s, e) == (s, e)


@settings(max_examples=300, deadline=None)
@given(text=unicode_texts, data=st.data())
def test_property_tokens_near_are_the_tokenizers(text, data):
    """With chunks no longer than the window, the window's tokens are exactly
    the tokenizer's and hold the place asked about."""
    window = 8
    if any(len(chunk) > window for chunk in text.split()):
        return
    at = data.draw(st.integers(0, len(text)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(boundaries, "WINDOW", window)
        near = tokens_near(text, at)
    every = [(t.start, t.end) for t in tokenize(text)]
    assert set(near) <= set(every)
    assert all(t in near for t in every if t[0] <= at < t[1])


def test_a_double_click_on_a_clitic_is_its_word():
    from annotator.core.boundaries import token_at, word_at

    text = "hit by Beijing’s recent curbs; we don't know; it 's odd"
    for needle, word in [("’s", "Beijing"), ("n't", "do"), ("Beijing", "Beijing"), ("recent", "recent")]:
        at = text.index(needle) + 1
        assert text[slice(*word_at(text, at))] == word
    # A clitic after a space belongs to no word: it stays what the tokenizer says.
    at = text.index(" 's") + 2
    assert word_at(text, at) == token_at(text, at)
    assert word_at(text, text.index("  ") if "  " in text else len(text)) is None
