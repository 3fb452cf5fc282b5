"""CoNLL / IOB import: small files in the shapes CoNLL-2003, spaCy, Flair and
hand-made BIO files have (tab or space columns, -DOCSTART-, BIO/IOB1/BIOES)."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.store import Project
from annotator.formats import InputError, Record
from annotator.formats.conll import iter_conll, parse_tag, read_conll
from annotator.services.importing import detect_format, import_paths


def write(tmp_path: Path, text: str, name: str = "data.conll") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ents(doc, anns):
    return [(a.label, doc.text[a.start : a.end]) for a in sorted(anns, key=lambda a: a.start)]


CONLL2003 = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC
call NN I-NP O
to TO B-VP O
boycott VB I-VP O
British JJ B-NP B-MISC
lamb NN I-NP O
. . O O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP B-LOC
1996-08-22 CD I-NP O

"""


def test_conll2003_documents_sentences_and_bio(tmp_path):
    [(d1, a1), (d2, a2)] = read_conll(write(tmp_path, CONLL2003))
    assert d1.text == "EU rejects German call to boycott British lamb .\nPeter Blackburn"
    assert ents(d1, a1) == [("ORG", "EU"), ("MISC", "German"), ("MISC", "British"), ("PER", "Peter Blackburn")]
    assert d2.text == "BRUSSELS 1996-08-22" and ents(d2, a2) == [("LOC", "BRUSSELS")]
    assert d1.external_id == "data-1" and d2.external_id == "data-2"
    assert all(a.annotator == "imported" and a.kind == "entity" for a in a1 + a2)


def test_iob1_an_i_tag_after_o_or_another_label_starts_an_entity(tmp_path):
    text = "EU I-ORG\nrejects O\nGerman I-MISC\nBritish I-MISC\nB-sep B-MISC\nlamb I-MISC\nParis I-LOC\nRome I-PER\n"
    [(doc, anns)] = read_conll(write(tmp_path, text))
    assert ents(doc, anns) == [
        ("ORG", "EU"),
        ("MISC", "German British"),
        ("MISC", "B-sep lamb"),
        ("LOC", "Paris"),
        ("PER", "Rome"),
    ]


def test_an_entity_never_crosses_a_sentence(tmp_path):
    [(doc, anns)] = read_conll(write(tmp_path, "New B-LOC\n\nYork I-LOC\n"))
    assert doc.text == "New\nYork" and ents(doc, anns) == [("LOC", "New"), ("LOC", "York")]


def test_bioes_and_bilou(tmp_path):
    text = "New\tB-LOC\nYork\tE-LOC\nand\tO\nBonn\tS-LOC\nUN\tU-ORG\nLos\tB-LOC\nAngeles\tL-LOC\nx\tE-PER\ny\tS-PER\n"
    [(doc, anns)] = read_conll(write(tmp_path, text))
    assert ents(doc, anns) == [
        ("LOC", "New York"),
        ("LOC", "Bonn"),
        ("ORG", "UN"),
        ("LOC", "Los Angeles"),
        ("PER", "x"),
        ("PER", "y"),
    ]


def test_tab_separated_tokens_may_hold_spaces(tmp_path):
    text = "New York\tNNP\tB-LOC\ncity\tNN\tO\n"
    [(doc, anns)] = read_conll(write(tmp_path, text, "data.tsv"))
    assert doc.text == "New York city" and ents(doc, anns) == [("LOC", "New York")]


def test_trailing_blank_lines_crlf_and_runs_of_spaces(tmp_path):
    path = tmp_path / "data.iob"
    path.write_bytes(b"\xef\xbb\xbfBonn   B-LOC  \r\nis O\r\n\r\n\r\nok O\r\n\r\n\r\n\r\n")
    [(doc, anns)] = read_conll(path)
    assert doc.text == "Bonn is\nok" and ents(doc, anns) == [("LOC", "Bonn")]


def test_labels_with_dashes_and_non_ascii_tokens(tmp_path):
    [(doc, anns)] = read_conll(write(tmp_path, "Köln B-GPE-CITY\n😀 I-GPE-CITY\n"))
    assert ents(doc, anns) == [("GPE-CITY", "Köln 😀")]


def test_comment_lines_are_skipped_but_a_hash_token_is_a_token(tmp_path):
    text = "# id 42\tdomain=news\nBonn\t_\t_\tB-LOC\n#\t_\t_\tO\n# text = x\nwins\t_\t_\tO\n"
    [(doc, anns)] = read_conll(write(tmp_path, text))
    assert doc.text == "Bonn # wins" and ents(doc, anns) == [("LOC", "Bonn")]


def test_parse_tag():
    assert parse_tag("O") == ("O", "")
    assert parse_tag("U-X") == ("S", "X") and parse_tag("L-X") == ("E", "X")
    assert parse_tag("B-") is None and parse_tag("PER") is None and parse_tag("b-PER") is None


@pytest.mark.parametrize(
    ("text", "line", "piece"),
    [
        ("EU B-ORG\nrejects VBZ O\n", 2, "3 columns where the file's first token line (and every other) has 2"),
        ("EU B-ORG\nrejects PER\n", 2, "'PER' is not an IOB tag"),
        ("EU\tB-ORG\nrejects\tO\tX\n", 2, "tab-separated"),
        ("EU\n", 1, "at least two columns"),
        ("\tB-ORG\n", 1, "the token (first column) is empty"),
        ("EU B-ORG\nx b-PER\n", 2, "'b-PER' is not an IOB tag"),
    ],
)
def test_bad_lines_are_refused_with_file_and_line(tmp_path, text, line, piece):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_conll(path)
    assert err.value.line == line and piece in err.value.message and str(err.value).startswith(str(path))


def test_a_bad_document_does_not_stop_the_others(tmp_path):
    text = "-DOCSTART- O\n\nEU B-ORG\n\n-DOCSTART- O\n\nbad TAG\nmore O\n\n-DOCSTART- O\n\nBonn B-LOC\n"
    items = list(iter_conll(write(tmp_path, text)))
    assert [type(i) for i in items] == [Record, InputError, Record]
    assert items[1].line == 7 and items[2].document.text == "Bonn"


@pytest.mark.parametrize("text", ["", "\n\n\n", "-DOCSTART- -X- O O\n\n"])
def test_files_without_tokens_are_refused(tmp_path, text):
    with pytest.raises(InputError, match="no tokens"):
        read_conll(write(tmp_path, text))


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_through_the_import_service(tmp_path):
    good, bad = write(tmp_path, CONLL2003), write(tmp_path, "EU B-ORG\nx y z\n", "bad.iob")
    assert detect_format(good) == "conll" and detect_format(bad) == "conll"
    with Project(tmp_path / "p.annotator", create=True) as p:
        before = dump(p.path)
        report = import_paths(p, [bad], add_labels=True)
        assert dump(p.path) == before
        [f] = report.files
        assert f.refused and f.format == "conll" and f.errors[0].line == 2
        report = import_paths(p, [tmp_path], add_labels=True)
        assert report.documents == 2 and report.annotations == 5 and len(report.refused) == 1
        partial = import_paths(
            p, [write(tmp_path, CONLL2003 + "-DOCSTART- O\n\nx Q\n", "more.conll")], add_labels=True, partial=True
        )
        assert partial.duplicates == 2 and partial.refused_records == 1


# ---------------------------------------------------------------------------
# Fuzz
# ---------------------------------------------------------------------------
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
_template: Path | None = None


def template() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="conll-fuzz-"))
        with Project(folder / "t.annotator", create=True):
            pass
        _template = folder / "t.annotator"
    return _template


def check(data: bytes, *, fmt: str | None = None, partial: bool = False) -> str:
    folder = Path(tempfile.mkdtemp(prefix="conll-fuzz-"))
    try:
        shutil.copy(template(), folder / "p.annotator")
        path = folder / "in.conll"
        path.write_bytes(data)
        with Project(folder / "p.annotator") as p:
            before = dump(p.path)
            report = import_paths(p, [path], fmt=fmt, add_labels=True, partial=partial)  # never raises
            for err in report.errors:
                assert str(path) in str(err) and "Traceback" not in str(err), str(err)
            if report.refused or (report.errors and not partial):
                assert dump(p.path) == before and report.documents == 0
                return "refused"
            for doc_id in p.document_ids():
                text = p.get_document(doc_id).text
                for a in p.annotations(doc_id):
                    a.check_span(len(text))
                    assert text[a.start : a.end].strip() == text[a.start : a.end]
            return "imported"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_token = st.sampled_from(["EU", "New", "York", "😀", "-DOCSTART-", "-X-", "a b", ".", "Köln", "\\", "#"])
_tag = st.sampled_from(["O", "O", "B-ORG", "I-ORG", "E-ORG", "S-LOC", "I-LOC", "L-X", "U-X", "B-", "I", "X", "b-ORG"])


@st.composite
def conll_files(draw: st.DrawFn) -> bytes:
    sep = draw(st.sampled_from(["\t", " ", "  "]))
    width = draw(st.integers(1, 4))
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(["token"] * 6 + ["blank", "docstart"]))
        if kind == "blank":
            lines.append(draw(st.sampled_from(["", " ", "\t", "\r"])))
        elif kind == "docstart":
            lines.append(draw(st.sampled_from(["-DOCSTART- -X- O O", "-DOCSTART-"])))
        else:
            n = draw(st.sampled_from([width] * 8 + [width + 1, max(1, width - 1)]))
            cols = [draw(_token) for _ in range(n - 1)] + [draw(_tag)]
            lines.append(sep.join(cols))
    return "\n".join(lines).encode("utf-8")


def test_the_seed_imports():
    assert check(CONLL2003.encode()) == "imported"


@FUZZ
@given(data=conll_files(), fmt=st.sampled_from([None, "conll"]), partial=st.booleans())
def test_random_conll_files(data: bytes, fmt: str | None, partial: bool) -> None:
    check(data, fmt=fmt, partial=partial)


@FUZZ
@given(data=st.data())
def test_mutated_conll_file(data: st.DataObject) -> None:
    text = bytearray(CONLL2003.encode())
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(text)))
        piece = data.draw(
            st.sampled_from([b"\t", b"\n", b"\r", b" ", b"-", b"B-", b"I-", b"\xff", b"\x00", b"\xef\xbb\xbf", "😀".encode()])
        )
        if data.draw(st.booleans()):
            text[at:at] = piece
        else:
            del text[at : at + data.draw(st.integers(1, 10))]
    check(bytes(text), fmt="conll", partial=data.draw(st.booleans()))
