"""The offset unit as a choice: code points, UTF-16 units, CRLF as one; detected with ``auto``."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.formats.offsets import OffsetChoice, OffsetDetector, OffsetProblem, Unit, resolve_offsets

TEXT = "Ship 😀 Apple hired Tim Cook.\r\nThen Beijing 🚢 met Paris."


def units(text: str, i: int, unit: str = "codepoint", crlf_as_one: bool = False) -> int:
    """Independently of the module: the offset of code point ``i`` counted in ``unit``."""
    head = text[:i]
    n = len(head.encode("utf-16-le")) // 2 if unit == "utf16" else len(head)
    return n - head.count("\r\n") if crlf_as_one else n


def spans_in(text: str, words: list[str], unit: str, crlf_as_one: bool = False, with_text: bool = False):
    out = []
    for w in words:
        i = text.index(w)
        out.append((units(text, i, unit, crlf_as_one), units(text, i + len(w), unit, crlf_as_one), w if with_text else None))
    return out


WORDS = ["Apple", "Tim Cook", "Beijing", "Paris"]


@pytest.mark.parametrize("unit", ["codepoint", "utf16"])
@pytest.mark.parametrize("crlf_as_one", [False, True])
@pytest.mark.parametrize("with_text", [False, True])
def test_auto_finds_the_unit_the_tool_counted(unit, crlf_as_one, with_text):
    got = resolve_offsets(TEXT, spans_in(TEXT, WORDS, unit, crlf_as_one, with_text))
    assert [TEXT[a:b] for a, b in got.spans] == WORDS
    assert Unit(unit, crlf_as_one) in got.units


@pytest.mark.parametrize("unit", ["codepoint", "utf16"])
def test_an_explicit_unit_is_used_as_given_and_a_disagreeing_text_is_reported(unit):
    spans = spans_in(TEXT, WORDS, unit)
    got = resolve_offsets(TEXT, spans, OffsetChoice(unit))
    assert [TEXT[a:b] for a, b in got.spans] == WORDS and got.unit == Unit(unit)
    other = "utf16" if unit == "codepoint" else "codepoint"
    with pytest.raises(OffsetProblem) as info:
        resolve_offsets(TEXT, spans_in(TEXT, WORDS, other, with_text=True), OffsetChoice(unit))
    assert "says its text is 'Apple'" in str(info.value) and "as asked" in str(info.value)


def test_span_text_decides_even_against_word_edges():
    text = "😀 ab cd"
    # "b c" in UTF-16 units is [4, 7); read as code points [4, 7) is " cd"
    got = resolve_offsets(text, [(4, 7, "b c")])
    assert got.unit.unit == "utf16" and text[slice(*got.spans[0])] == "b c"


def test_no_unit_fits_names_the_options():
    with pytest.raises(OffsetProblem) as info:
        resolve_offsets(TEXT, [(0, 4, "Boat")])
    msg = str(info.value)
    assert "no offset unit fits" in msg and "--offsets codepoint" in msg and "--offsets utf16" in msg


def test_ambiguous_offsets_are_refused_never_guessed():
    text = "😀 a.b"
    with pytest.raises(OffsetProblem) as info:
        resolve_offsets(text, [(4, 5, None)])  # code points: "b"; UTF-16 units: ".": both fit
    assert info.value.ambiguous and "--offsets codepoint or --offsets utf16" in str(info.value)


def test_a_file_has_one_unit():
    detector = OffsetDetector()
    detector.resolve("😀 Apple", [(3, 8, None)], where="line 1")
    assert detector.used == Unit("utf16") and detector.detected
    # indifferent records keep the choice; an ambiguous one is read in the file's unit
    assert detector.resolve("plain Apple", [(6, 11, None)], where="line 2").spans == [(6, 11)]
    assert detector.resolve("😀 a.b", [(4, 5, None)], where="line 3").spans == [(3, 4)]
    with pytest.raises(OffsetProblem, match=r"fit only code points.*up to line 1"):
        detector.resolve("😀 Apple", [(2, 7, None)], where="line 4")


_PIECES = ["a", "b", "Zed", " ", "\r\n", "\n", "😀", "🚢", "é", ",", "北京"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=25),
    unit=st.sampled_from(["codepoint", "utf16"]),
    crlf_as_one=st.booleans(),
    choice=st.sampled_from(["auto", "codepoint", "utf16"]),
    data=st.data(),
)
def test_any_offsets_read_right_or_refused(pieces, unit, crlf_as_one, choice, data):
    """Random text and spans in a random unit: with span texts, auto reads them
    right or refuses; an explicit unit never returns a span whose text disagrees."""
    text = "x" + "".join(pieces)
    n = len(text)
    cps = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)).filter(lambda t: t[0] < t[1]), max_size=4))
    cps = [(a, b) for a, b in cps if not (text[a - 1 : a + 1] == "\r\n" or text[b - 1 : b + 1] == "\r\n")]
    spans = [(units(text, a, unit, crlf_as_one), units(text, b, unit, crlf_as_one), text[a:b]) for a, b in cps]
    mutate = data.draw(st.booleans())
    if mutate and spans:
        s, e, t = spans[0]
        spans[0] = (s, e + data.draw(st.integers(-1, 2)), t)
        if spans[0][0] >= spans[0][1]:
            return
    try:
        got = resolve_offsets(text, spans, OffsetChoice(choice, crlf_as_one if choice != "auto" else None))
    except OffsetProblem as err:
        assert str(err)
        return

    def canonical(piece: str) -> str:  # as the stored text has it: CRLF and a lone CR are "\n"
        return piece.replace("\r\n", "\n").replace("\r", "\n")

    for (a, b), (_, _, t) in zip(got.spans, spans):
        assert canonical(text[a:b]) == canonical(t)


def test_spans_without_text_decide_by_word_edges_whitespace_is_no_word():
    text = "a\r\nb c"
    # [4, 5): " " counting CRLF as two, "c" counting it as one: a span of only a space is no word
    got = resolve_offsets(text, [(4, 5, None)])
    assert text[slice(*got.spans[0])] == "c" and got.unit.crlf_as_one
    # a span with its text decides for itself; the other span is judged by word edges
    text = "😀 Apple and Pear"
    got = resolve_offsets(text, [(3, 8, "Apple"), (13, 17, None)])
    assert [text[a:b] for a, b in got.spans] == ["Apple", "Pear"] and got.unit.unit == "utf16"


def test_read_offsets_for_other_readers():
    from annotator.formats import InputError, read_offsets

    got = read_offsets("😀 Apple", [(3, 8, "Apple")], file="t.json", line=4, doc_name="task 7")
    assert got.spans == [(2, 7)] and got.unit.name == "UTF-16 units"
    with pytest.raises(InputError) as info:
        read_offsets("😀 Apple hired", [(3, 8, "Apple")], "codepoint", file="t.json", line=4, doc_name="task 7")
    assert str(info.value).startswith("t.json:4: task 7: span 1: span [3, 8) says its text is 'Apple'")
    detector = OffsetDetector()
    read_offsets("😀 Apple", [(3, 8, None)], file="t.json", line=1, detector=detector)
    with pytest.raises(InputError, match="earlier records"):
        read_offsets("😀 Apple", [(2, 7, None)], file="t.json", line=2, detector=detector)
