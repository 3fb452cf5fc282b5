"""Boundary moves by code point and by token (no Qt)."""

from __future__ import annotations

import pytest

from annotator.core.boundaries import move_boundary, token_step

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
