"""Knowledge-base files (formats/kb.py): CSV, TSV and JSON lines, and their errors with file and line."""

from __future__ import annotations

import pytest

from annotator.formats import InputError
from annotator.formats.kb import KbReader, KbRow, detect_kb_format, read_kb, split_aliases


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_csv_with_quotes_aliases_and_extra_columns(tmp_path):
    path = write(
        tmp_path,
        "kb.csv",
        "\ufeffName,ID,aliases,description,extra\n"
        'China,Q148,PRC | People\'s Republic of China |,"country in East Asia, the most populous",x\n'
        "\n"
        '"Zürich ""city""",Q72,,"a city\nin Switzerland",y\n'
        "India,Q668,Bharat|Bharat,,z\n",
    )
    rows = read_kb(path)
    assert rows == [
        KbRow("Q148", "China", ["PRC", "People's Republic of China"], "country in East Asia, the most populous", 2),
        KbRow("Q72", 'Zürich "city"', [], "a city\nin Switzerland", 4),
        KbRow("Q668", "India", ["Bharat"], "", 6),
    ]


def test_tsv_has_no_quoting(tmp_path):
    path = write(tmp_path, "kb.tsv", 'id\tname\taliases\n1\tThe "Times"\tNYT|New York Times\n')
    assert read_kb(path) == [KbRow("1", 'The "Times"', ["NYT", "New York Times"], "", 2)]


def test_jsonl(tmp_path):
    path = write(
        tmp_path,
        "kb.jsonl",
        '{"id": "Q148", "name": "China", "aliases": ["PRC", " PRC ", "a|b"], "description": "country"}\n'
        "\n"
        '{"id": 42, "name": "Answer", "aliases": "x|y", "other": 1}\n',
    )
    assert read_kb(path) == [KbRow("Q148", "China", ["PRC", "a|b"], "country", 1), KbRow("42", "Answer", ["x", "y"], "", 3)]


def test_detection_by_suffix_and_content():
    assert detect_kb_format("a.CSV", b"") == "csv"
    assert detect_kb_format("a.ndjson", b"") == "jsonl"
    assert detect_kb_format("a.txt", b'  {"id": 1}') == "jsonl"
    assert detect_kb_format("a.txt", b"id\tname\n") == "tsv"
    assert detect_kb_format("a", b"id,name\n") == "csv"
    assert split_aliases(" a | |b|a ") == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("a.csv", "id,label\n1,x\n", 1, "no 'name' column"),
        ("a.csv", "", None, "empty"),
        ("a.csv", "id,name\n1,x\n2\n", 3, "1 fields where the header has 2"),
        ("a.csv", "id,name\n1,x\n,y\n", 3, "the id is empty"),
        ("a.csv", "id,name\n1,x\n2, \n", 3, "entry '2' has an empty name"),
        ("a.csv", "id,name,id\n1,x,1\n", 1, "column 'id' twice"),
        ("a.tsv", "id\tname\n1\tx\ty\n", 2, "3 fields where the header has 2 (a tab inside a field?)"),
        ("a.jsonl", '{"id": "1", "name": "x"}\n{"id": "2", "name": \n', 2, "not JSON"),
        ("a.jsonl", '["1", "x"]\n', 1, "a JSON object is needed, not list"),
        ("a.jsonl", '{"name": "x"}\n', 1, "no 'id'"),
        ("a.jsonl", '{"id": true, "name": "x"}\n', 1, "'id' must be a string or a number, not bool"),
        ("a.jsonl", '{"id": "1", "name": ""}\n', 1, "entry '1' has no name"),
        ("a.jsonl", '{"id": "1", "name": "x", "aliases": [1]}\n', 1, "'aliases' must be a list of strings"),
        ("a.jsonl", '{"id": "1", "name": "x", "description": 3}\n', 1, "'description' must be a string"),
    ],
)
def test_errors_name_file_and_line(tmp_path, name, text, line, message):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        read_kb(path)
    err = info.value
    assert err.line == line and message in err.message, str(err)
    assert str(err).startswith(str(path))


def test_undecodable_line_and_unknown_format(tmp_path):
    path = write(tmp_path, "a.csv", b"id,name\n1,x\n2,\xff\xfe\n")
    with pytest.raises(InputError, match=r"a.csv:3: not UTF-8"):
        read_kb(path)
    with pytest.raises(InputError, match="unknown knowledge-base format 'xml'"):
        KbReader(path, "xml")
    with pytest.raises(InputError, match="cannot read"):
        KbReader(tmp_path / "missing.csv")


def test_position_reaches_the_size(tmp_path):
    path = write(tmp_path, "a.csv", "id,name\n" + "".join(f"{i},n{i}\n" for i in range(100)))
    reader = KbReader(path)
    assert len(list(reader)) == 100 and reader.position == reader.size
