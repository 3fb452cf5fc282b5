"""The text layer: decoding, canonical text, offset maps, and agreement with Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import codecs
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

from annotator.core.text import (
    QtPositionMap,
    TextError,
    canonicalize,
    check_text,
    decode_bytes,
    sha256_text,
)

DATA = Path(__file__).resolve().parents[1] / "data"
APP = QApplication.instance() or QApplication([])
#: What a QTextDocument holds for a character, where it differs (toRawText, selectedText).
QT_VIEW = str.maketrans({"\n": "\u2029", "\ufdd0": "\u2029", "\ufdd1": "\u2029"})
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"


def unicode_crlf() -> tuple[str, str]:
    raw = decode_bytes((DATA / "unicode-crlf.txt").read_bytes(), name="unicode-crlf.txt")
    return raw, canonicalize(raw)[0]


def qt_document(text: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setPlainText(text)
    return doc


def qt_select(doc: QTextDocument, a: int, b: int) -> str:
    cursor = QTextCursor(doc)
    cursor.setPosition(a)
    cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText()


def raw_units(doc: QTextDocument) -> bytes:
    """The document's exact contents as UTF-16 code units (2 bytes each)."""
    return doc.toRawText().encode("utf-16-le", "surrogatepass")


def assert_qt_agrees(text: str, spans) -> None:
    """Every span selects in Qt (via to_qt) exactly the characters of the Python slice."""
    qmap = QtPositionMap(text)
    doc = qt_document(text)
    units = raw_units(doc)
    assert doc.characterCount() - 1 == qmap.qt_length == len(units) // 2
    for start, end in spans:
        a, b = qmap.span_to_qt(start, end)
        expected = text[start:end].translate(QT_VIEW)
        assert qt_select(doc, a, b) == expected, (start, end)
        assert units[2 * a : 2 * b].decode("utf-16-le") == expected, (start, end)
        assert qmap.span_to_cp(a, b) == (start, end)
        assert qmap.span_to_cp(b, a) == (start, end)


def assert_qt_cursor_positions_map_back(text: str) -> None:
    """Walk a Qt cursor over every position it can take: to_cp agrees with what it selected.

    Qt's cursor can stop inside a surrogate pair (e.g. U+1D400 followed by the
    Telugu mark U+0C00); to_cp then gives the start of that character.
    """
    qmap = QtPositionMap(text)
    doc = qt_document(text)
    cursor = QTextCursor(doc)
    while True:
        qt = cursor.position()
        cp = qmap.to_cp(qt)
        if qmap.to_qt(cp) != qt:
            assert qmap.to_qt(cp) == qt - 1 and ord(text[cp]) > 0xFFFF
            qt -= 1
        assert qt_select(doc, 0, qt) == text[:cp].translate(QT_VIEW)
        if not cursor.movePosition(QTextCursor.MoveOperation.NextCharacter):
            break
    assert cursor.position() == qmap.qt_length


# --- decoding -----------------------------------------------------------------


def test_decode_corpus_file_strips_nothing_but_bom():
    raw, _ = unicode_crlf()
    assert raw.startswith("Port talks resume after 18 months \U0001f6a2\r\n")
    assert decode_bytes(codecs.BOM_UTF8 + "Koréa".encode()) == "Koréa"


def test_decode_latin1_is_refused_with_a_hint():
    data = (DATA / "bad" / "latin1.txt").read_bytes()
    with pytest.raises(TextError) as err:
        decode_bytes(data, name="latin1.txt")
    message = str(err.value)
    assert message.startswith("latin1.txt: not valid UTF-8")
    assert "byte 0xe9 at offset 3, line 1, column 4" in message
    assert "pass --encoding (e.g. --encoding latin-1)" in message
    assert "\n" not in message
    assert decode_bytes(data, "latin-1", "latin1.txt") == "Café owners in München protested on Monday."


def test_decode_reports_line_and_column_of_the_first_bad_byte():
    with pytest.raises(TextError, match=r"offset 5, line 2, column 3"):
        decode_bytes(b"ok\nab\xffc\n", name="x.txt")
    with pytest.raises(TextError, match=r"offset 4, line 1, column 5"):
        decode_bytes(codecs.BOM_UTF8 + b"a\xff")


@pytest.mark.parametrize("encoding", [None, "latin-1", "cp1252"])
def test_decode_binary_is_refused(encoding):
    data = (DATA / "bad" / "binary.txt").read_bytes()
    with pytest.raises(TextError, match=r"^binary\.txt: looks like a binary file, not text$"):
        decode_bytes(data, encoding, "binary.txt")


def test_decode_control_characters_share():
    assert decode_bytes(b"\x1b[1mbold\x1b[0m and a long line of ordinary text here.").startswith("\x1b")
    with pytest.raises(TextError, match="binary"):
        decode_bytes(b"\x01\x02\x03\x04 abc")


def test_decode_explicit_encodings():
    assert decode_bytes("Koréa 😀".encode("utf-16"), "utf-16") == "Koréa 😀"
    for wide in ("utf-16", "utf-32"):
        with pytest.raises(TextError, match=rf"^w\.txt: the file is {wide.upper()}, not UTF-8; pass --encoding {wide}$"):
            decode_bytes("Koréa".encode(wide), name="w.txt")
    with pytest.raises(TextError, match=r"^f\.txt: not valid ascii \(byte 0xc3 at offset 3"):
        decode_bytes("Koréa".encode(), "ascii", "f.txt")
    with pytest.raises(TextError, match=r"^f\.txt: unknown text encoding 'klingon'$"):
        decode_bytes(b"abc", "klingon", "f.txt")
    with pytest.raises(TextError, match="unknown text encoding 'base64'"):
        decode_bytes(b"abc", "base64", "f.txt")


def test_empty_file_is_an_empty_document():
    text = decode_bytes((DATA / "bad" / "empty.txt").read_bytes(), name="empty.txt")
    assert text == ""
    for blank in ("", " \n\t\r\n", "\xa0\u2028"):
        with pytest.raises(TextError, match=r"^empty\.txt: empty document$"):
            check_text(blank, "empty.txt")


def test_lone_surrogates_are_refused():
    line = (DATA / "bad" / "lone-surrogate.jsonl").read_text(encoding="utf-8")
    text = json.loads(line)["text"]
    with pytest.raises(TextError, match=r"^document r5: lone surrogate U\+D83D at character 7;"):
        check_text(text, "document r5")
    with pytest.raises(TextError, match="U\\+DC00 at character 0"):
        check_text("\udc00abc", "x")
    check_text("ok \U0001f600", "x")
    with pytest.raises(ValueError, match="canonical"):
        QtPositionMap(text)


def test_sha256_text():
    assert sha256_text("Koréa") == hashlib.sha256("Koréa".encode()).hexdigest()
    assert sha256_text("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# --- canonical text and raw offsets -------------------------------------------


def test_canonicalize_rule():
    text, mapper = canonicalize("\ufeff\ufeffa\r\r\nb\rc\r\n")
    assert text == "a\n\nb\nc\n"
    assert not mapper.identity
    keep = "a\xa0b\u2028c\u2029d\te\0f\u200d\ufeffg"
    text, mapper = canonicalize(keep)
    assert text is keep and mapper.identity and mapper.map(3) == 3


def test_offset_mapper_crlf_and_bom():
    text, mapper = canonicalize("\ufeffab\r\ncd\re")
    assert text == "ab\ncd\ne"
    assert [mapper.map(i) for i in range(9)] == [0, 0, 1, 2, 2, 3, 4, 5, 6]
    # Between "\r" and "\n": the position of the "\n".
    assert text[mapper.map(4)] == "\n"
    assert mapper.map_span(1, 9) == (0, 7)
    with pytest.raises(TextError, match="outside the text"):
        mapper.map(10)


def newlines(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def assert_raw_spans_map(raw: str, spans) -> None:
    text, mapper = canonicalize(raw)
    bom = len(raw) - len(raw.lstrip("\ufeff"))
    for start, end in spans:
        mid_crlf = [x for x in (start, end) if raw[x - 1 : x + 1] == "\r\n"]
        s, e = mapper.map_span(start, end)
        if mid_crlf:
            for x in mid_crlf:
                assert text[mapper.map(x)] == "\n" and mapper.map(x) == mapper.map(x - 1)
        else:
            assert text[s:e] == newlines(raw[max(start, bom) : max(end, bom)]), (start, end)


def test_offset_mapper_every_span_of_the_corpus_file():
    raw, text = unicode_crlf()
    assert "\r" not in text and len(raw) - len(text) == raw.count("\r\n")
    assert_raw_spans_map(raw, [(s, e) for s in range(len(raw) + 1) for e in range(s, len(raw) + 1)])


def test_offset_mapper_is_fast_on_large_input():
    raw = "ab\r\n" * 250_000
    text, mapper = canonicalize(raw)
    assert len(text) == 750_000
    for i in range(0, len(raw) + 1, 997):  # one "\r" removed at 4k + 2 for every k
        assert mapper.map(i) == i - i // 4 - (i % 4 > 2)
    assert mapper.map(len(raw)) == len(text)


# --- Qt positions ---------------------------------------------------------------


def test_qt_position_map_basics():
    qmap = QtPositionMap("a😀b" + FAMILY)
    assert qmap.qt_length == 3 + 1 + 8
    assert [qmap.to_qt(i) for i in range(9)] == [0, 1, 3, 4, 6, 7, 9, 10, 12]
    assert [qmap.to_cp(q) for q in range(13)] == [0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7, 8]
    assert qmap.span_to_cp(2, 2) == (1, 1)
    assert qmap.span_to_cp(0, 2) == (0, 2)  # an end inside a pair keeps the character
    assert qmap.span_to_qt(1, 2) == (1, 3)
    for bad in (-1, 9):
        with pytest.raises(ValueError):
            qmap.to_qt(bad)
    with pytest.raises(ValueError):
        qmap.to_cp(13)
    for not_canonical in ("a\r\nb", "\ufeffab", "a\ud800"):
        with pytest.raises(ValueError, match="canonical"):
            QtPositionMap(not_canonical)


def test_qt_position_map_fast_paths_and_scale():
    ascii_map = QtPositionMap("x" * 1_000_000)
    assert ascii_map.qt_length == 1_000_000 and ascii_map.to_cp(123) == 123
    text = ("ab😀cd" + FAMILY + " é\n") * 60_000  # ~1 MB, 240,000 astral characters
    qmap = QtPositionMap(text)
    assert qmap.qt_length == len(text.encode("utf-16-le")) // 2
    for cp in range(0, len(text) + 1, 101):
        assert qmap.to_cp(qmap.to_qt(cp)) == cp


def interesting_positions(text: str) -> list[int]:
    """Positions around every non-ASCII or line-break character, plus a stride."""
    near = {i + d for i, c in enumerate(text) if not c.isascii() or c in "\n\t" for d in (-1, 0, 1, 2)}
    near |= set(range(0, len(text) + 1, 9)) | {len(text)}
    return sorted(p for p in near if 0 <= p <= len(text))


def test_qt_agrees_on_corpus_file_sampled_pairs():
    _, text = unicode_crlf()
    positions = interesting_positions(text)
    assert len(positions) > 100
    assert_qt_agrees(text, [(s, e) for s in positions for e in positions if s <= e])


def test_qt_agrees_on_corpus_file_lines_and_marked_spots():
    _, text = unicode_crlf()
    qmap = QtPositionMap(text)
    doc = qt_document(text)
    lines, start = [], 0
    for line in text.split("\n"):
        lines.append((start, start + len(line)))
        start += len(line) + 1
    # Whole lines, and whole lines with their line break; the lines were CRLF.
    assert_qt_agrees(text, lines + [(s, e + 1) for s, e in lines[:-1]])
    spots = {
        "\U0001f6a2": 1,
        "\U0001f4c9": 1,
        FAMILY: len(FAMILY),
        "\U0001f1e8\U0001f1f1": 2,
        "say the deal": 12,
        "Valparaíso\u2028say": 14,
        "Jose\u0301": 5,
        "€2.4\xa0billion": 12,
        "김민준": 3,
        "محمد العلي": 10,
        "北京": 2,
        "”.\tNo": 5,
    }
    spans = []
    for needle, length in spots.items():
        start = text.index(needle)
        assert len(needle) == length
        spans.append((start, start + length))
        # Every span inside the ZWJ family and around the other spots, too.
        spans += [(s, e) for s in range(start - 2, start + length + 3) for e in range(s, start + length + 3)]
    assert_qt_agrees(text, spans)
    # Blocks: U+2028 stays inside a block; every CRLF line is one block.
    block = doc.begin()
    starts = []
    while block.isValid():
        starts.append(qmap.to_cp(block.position()))
        block = block.next()
    assert starts == [s for s, _ in lines]


def test_qt_cursor_positions_map_back_on_corpus_file():
    _, text = unicode_crlf()
    assert_qt_cursor_positions_map_back(text)


def test_qt_cursor_inside_a_surrogate_pair_snaps_to_the_character():
    text = "\U0001d400\u0c00 x"
    doc = qt_document(text)
    cursor = QTextCursor(doc)
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    qmap = QtPositionMap(text)
    assert qmap.to_cp(cursor.position()) == qmap.to_cp(1) == 0
    assert qmap.span_to_cp(0, 1) == (0, 1)
    assert_qt_cursor_positions_map_back(text)


# --- property tests over random Unicode text ------------------------------------

PIECES = [
    "a", "Z", "7", " ", "  ", "é", "e\u0301", "\u0301", "😀", "👍🏽", "❤\ufe0f", FAMILY, "👩\u200d💻",
    "\U0001f1e8\U0001f1f1", "\r\n", "\r", "\n", "\u2028", "\u2029", "\xa0", "\t", "\0", "北", "京",
    "김", "ب", "\u200d", "\ufeff", "’", "-", ".", "\U0001d400", "\U000e0067",
]  # fmt: skip
unicode_texts = st.lists(st.one_of(st.sampled_from(PIECES), st.characters(exclude_categories=["Cs"])), max_size=40).map("".join)
QT_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QT_SETTINGS
@given(raw=unicode_texts, data=st.data())
def test_property_qt_agrees_with_position_map(raw, data):
    text, _ = canonicalize(raw)
    positions = st.integers(0, len(text))
    spans = [tuple(sorted(data.draw(st.tuples(positions, positions)))) for _ in range(8)]
    assert_qt_agrees(text, spans + [(0, len(text))])


@QT_SETTINGS
@given(raw=unicode_texts)
def test_property_qt_cursor_positions_map_back(raw):
    assert_qt_cursor_positions_map_back(canonicalize(raw)[0])


@settings(max_examples=300, deadline=None)
@given(raw=unicode_texts, data=st.data())
def test_property_raw_spans_map_to_the_same_characters(raw, data):
    positions = st.integers(0, len(raw))
    assert_raw_spans_map(raw, [tuple(sorted(data.draw(st.tuples(positions, positions)))) for _ in range(10)])


def test_core_does_not_import_qt():
    code = "import sys, annotator.core.text, annotator.core.tokenize; print('PySide6' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert result.stdout.strip() == "False"
