"""Plain-text and HTML importers against the shared corpus."""

import codecs
import hashlib
from pathlib import Path

import pytest

from annotator.core.models import Document
from annotator.formats import InputError, make_title
from annotator.formats.html import declared_charset, html_to_text, read_html
from annotator.formats.plaintext import iter_plaintext, read_plaintext

DATA = Path(__file__).resolve().parents[1] / "data"


def only_document(pairs: list) -> Document:
    assert len(pairs) == 1
    doc, anns = pairs[0]
    assert anns == []
    return doc


# -- plain text ---------------------------------------------------------------
def test_unicode_crlf_is_canonical_and_complete():
    raw = (DATA / "unicode-crlf.txt").read_bytes().decode("utf-8")
    doc = only_document(read_plaintext(DATA / "unicode-crlf.txt"))
    assert "\r" in raw and "\r" not in doc.text
    assert doc.text == raw.replace("\r\n", "\n")
    # every special character survives unchanged, at the place the source has it
    for piece in ["🚢", "👨\u200d👩\u200d👧", "🇨🇱", "Jose\u0301", "\u00a0", "김민준", "محمد العلي", "北京", "\u2028", "\t"]:
        assert raw.count(piece) == doc.text.count(piece) >= 1, piece
    assert doc.title == "Port talks resume after 18 months 🚢"
    assert doc.source == "unicode-crlf.txt"
    assert doc.sha256 == hashlib.sha256(doc.text.encode()).hexdigest()


def test_looks_like_html_stays_literal():
    raw = (DATA / "looks-like-html.txt").read_text("utf-8")
    doc = only_document(read_plaintext(DATA / "looks-like-html.txt"))
    assert doc.text == raw
    assert doc.text.startswith('<b>Breaking:</b> <img src="http://127.0.0.1:8765/plain.png"> Minister resigns')
    assert doc.title == '<b>Breaking:</b> <img src="http://127.0.0.1:8765/plain.png"> Minister resigns'


def test_bom_and_lone_cr_are_canonicalised(tmp_path):
    f = tmp_path / "a.txt"
    f.write_bytes(codecs.BOM_UTF8 + b"One\rtwo\r\nthree\n")
    doc = only_document(read_plaintext(f))
    assert doc.text == "One\ntwo\nthree\n"


def test_encoding_option_reads_latin1():
    doc = only_document(read_plaintext(DATA / "bad" / "latin1.txt", encoding="latin-1"))
    assert doc.text == (DATA / "bad" / "latin1.txt").read_bytes().decode("latin-1")
    assert "Café" in doc.text and "München" in doc.text


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.txt", "empty document"),
        ("binary.txt", "binary"),
        ("latin1.txt", "--encoding"),
    ],
)
def test_bad_text_files(name, message):
    path = DATA / "bad" / name
    with pytest.raises(InputError) as info:
        read_plaintext(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)
    assert info.value.file == str(path) and info.value.line is None


def test_latin1_message_says_where_and_what():
    with pytest.raises(InputError) as info:
        read_plaintext(DATA / "bad" / "latin1.txt")
    msg = str(info.value)
    assert "not valid UTF-8" in msg and "byte 0xe9" in msg and "line 1" in msg
    assert "\n" not in msg


def test_whitespace_only_file_is_empty(tmp_path):
    f = tmp_path / "blank.txt"
    f.write_text(" \r\n\t\n")
    with pytest.raises(InputError, match="empty document"):
        read_plaintext(f)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_plaintext(tmp_path / "nope.txt")


def test_plaintext_from_bytes_uses_the_given_name():
    [record] = list(iter_plaintext("ignored", data=b"Hello\nworld", name="seed.txt"))
    assert record.document.text == "Hello\nworld" and record.document.source == "seed.txt"


def test_titles():
    assert make_title("\n\n  First   line \nsecond") == "First line"
    long = "word " * 60
    title = make_title(long)
    assert len(title) <= 120 and title.endswith("…")
    assert make_title("") == ""


# -- HTML ---------------------------------------------------------------------
def test_harbour_html():
    doc = only_document(read_html(DATA / "harbour.html"))
    assert doc.title == "Council approves harbour expansion"
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0] == "Council approves harbour expansion"
    assert doc.text.count("Council approves harbour expansion") == 1  # the <h1> repeats the <title>
    assert paragraphs[1] == (
        "ROTTERDAM — The city council on Monday approved a €300 million expansion of the "
        "eastern harbour, Mayor Ahmed Aboutaleb said."
    )
    assert 'including Natuurmonumenten, claimed the project would "destroy" 40 hectares of wetland & vowed' in doc.text
    assert "Text that looks like markup must stay literal: <b>not bold</b> and a link." in paragraphs
    for absent in ("fetch(", "background", "127.0.0.1", "style-bg", "script", "&euro;", "&amp;", "&mdash;", "tracker"):
        assert absent not in doc.text, absent
    assert len(paragraphs) == 4


def test_html_structure():
    title, text = html_to_text(
        "<html><head><title>T &amp; x</title><meta charset=utf-8><body>"
        "<p>One <br> two<p>three &nbsp;x  <b>bold</b><ul><li>a<li>b</ul>"
        "<pre>\n  keep\n   this</pre><noscript>no</noscript><template><p>t</p></template>"
        "<svg><title>svg title</title><text>drawn</text></svg><iframe src=x>frame text</iframe>tail"
    )
    assert title == "T & x"
    assert text.split("\n\n") == ["T & x", "One\ntwo", "three \u00a0x bold", "a", "b", "  keep\n   this", "tail"]


def test_html_without_title_uses_first_h1_and_unclosed_head():
    title, text = html_to_text("<head><meta charset=utf-8><body><h1>Only <i>h1</i></h1><div>x<div>y</div>z</div>")
    assert title == "Only h1"
    assert text == "Only h1\n\nx\n\ny\n\nz"


def test_html_declared_charset(tmp_path):
    f = tmp_path / "old.html"
    f.write_bytes('<html><head><meta charset="windows-1252"><title>Caf\u00e9</title></head><body><p>\u20ac5</p>'.encode("cp1252"))
    assert declared_charset(f.read_bytes()) == "cp1252"
    doc = only_document(read_html(f))
    assert doc.title == "Café" and doc.text == "Café\n\n€5"


def test_html_without_text_is_refused(tmp_path):
    f = tmp_path / "empty.html"
    f.write_text("<html><head><script>x()</script></head><body><img src='a.png'></body></html>")
    with pytest.raises(InputError, match="empty document"):
        read_html(f)


def test_utf16_text_file(tmp_path):
    f = tmp_path / "wide.txt"
    f.write_bytes("Überschrift\r\nText 🚢.".encode("utf-16"))
    with pytest.raises(InputError, match="looks like UTF-16 text .* pass --encoding utf-16"):
        read_plaintext(f)
    assert only_document(read_plaintext(f, encoding="utf-16")).text == "Überschrift\nText 🚢."
