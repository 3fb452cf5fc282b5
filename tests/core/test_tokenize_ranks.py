"""``token_ranks`` (token counts per chunk, with a memo of chunks) against the tokens of ``tokenize``."""

from __future__ import annotations

import random
from bisect import bisect_left
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core import tokenize as tokenize_module
from annotator.core.tokenize import token_ranks, tokenize

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_0e62c08fb123f9d1.txt"
PIECES = st.sampled_from(
    list("ab Z9,.-'’ \n\t%€😀\u0301\u200d🇩🇪北京。!?()\"“\x1c\x85\xa0\u2028\u3000\u200b")
    + ["U.S.", "1,000", "A321", "e\u0301", "  ", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "👍🏽"]
    + ["’s", "'ll", "n't", "$", "US$", "¢"]
)


def _reference(text: str, cuts: list[int]) -> tuple[list[int], int]:
    starts = [t.start for t in tokenize(text, cuts)]
    return [bisect_left(starts, c) for c in cuts], len(starts)


def test_token_ranks_equal_the_tokenizer_on_the_corpus():
    rng = random.Random(7)
    memo: dict = {}
    names = ("unicode-crlf.txt", "looks-like-html.txt", "batch.jsonl", "prodigy.jsonl", "doccano.jsonl")
    texts = [(DATA / name).read_text("utf-8") for name in names] + [SEED.read_text("utf-8")]
    for text in texts:
        for every in (1, 3, 7, 50):
            cuts = list(range(0, len(text) + 2, every))
            assert token_ranks(text, cuts) == _reference(text, cuts)
        cuts = sorted({rng.randint(-3, len(text) + 3) for _ in range(80)})
        assert token_ranks(text, cuts, memo) == _reference(text, cuts)  # memo shared across texts
        assert token_ranks(text, []) == ([], len(tokenize(text)))


def test_chunks_of_letters_and_digits_of_any_script():
    text = "naïve ² Ⅻ 北京 ٣٤ x²y ǅemal ﬁne ℌ 𝟘𝟙 a_b a.b."
    for cuts in ([], list(range(len(text) + 1)), [2, 9, 13, 20]):
        assert token_ranks(text, cuts, {}) == _reference(text, cuts)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.one_of(PIECES, st.characters(exclude_categories=["Cs"])), max_size=40).map("".join),
    st.lists(st.integers(-2, 90), max_size=8),
    st.lists(st.lists(PIECES, max_size=6).map("".join), max_size=4),
)
def test_property_token_ranks_equal_the_tokenizer(text, cuts, earlier):
    cuts = sorted(set(cuts))
    memo: dict = {}
    for other in earlier:  # the memo already holds chunks of other texts
        token_ranks(other, [len(other) // 2], memo)
    assert token_ranks(text, cuts, memo) == _reference(text, cuts)
    assert token_ranks(text, cuts) == _reference(text, cuts)


def test_a_full_memo_is_emptied(monkeypatch):
    monkeypatch.setattr(tokenize_module, "_MEMO_LIMIT", 3)
    memo: dict = {}
    text = "one two three four, five six"
    assert token_ranks(text, [5], memo) == _reference(text, [5])
    assert len(memo) == 6
    assert token_ranks("seven", [1], memo) == _reference("seven", [1]) == ([1], 2)
    assert list(memo) == ["seven"]
