"""Generic, doccano and Prodigy JSON-lines importers: every span's text is what the source meant."""

import json
import tempfile
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.models import Source
from annotator.formats import InputError, ReadOptions
from annotator.formats.doccano import is_doccano, read_doccano
from annotator.formats.jsonl import iter_jsonl, read_jsonl
from annotator.formats.offsets import OffsetChoice
from annotator.formats.prodigy import is_prodigy, read_prodigy

DATA = Path(__file__).resolve().parents[1] / "data"


def source_records(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text("utf-8").splitlines() if line.strip()]


def imported_spans(pairs) -> list[list[tuple[str, str]]]:
    return [[(a.label, doc.text[a.start : a.end]) for a in anns] for doc, anns in pairs]


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8", newline="\n")
    return path


# -- generic ------------------------------------------------------------------
def test_batch_jsonl():
    pairs = read_jsonl(DATA / "batch.jsonl")
    src = source_records("batch.jsonl")
    assert len(pairs) == 3
    expected = [[(s["label"], r["text"][s["start"] : s["end"]]) for s in r.get("spans", [])] for r in src]
    assert imported_spans(pairs) == expected
    assert expected[0] == [("ORG", "Airbus"), ("ORG", "IndiGo"), ("DATE", "two weeks")]
    docs = [d for d, _ in pairs]
    assert [d.external_id for d in docs] == ["batch-1", "batch-2", "batch-3"]
    assert [d.title for d in docs] == ["Airbus delay", "Rates", "Empty"]
    assert docs[1].metadata == {"source": "wire", "lang": "en"}
    assert [d.text for d in docs] == [r["text"] for r in src]
    for _, anns in pairs:
        for a in anns:
            assert a.source == Source.IMPORTED and a.annotator == "imported" and a.kind == "entity"


def test_annotator_option_and_record_field(tmp_path):
    f = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"text": "Acme grew.", "spans": [[0, 4, "ORG"]], "annotator": "alice"},
            {"text": "Beta fell.", "spans": [[0, 4, "ORG"]]},
        ],
    )
    assert [a.annotator for _, anns in read_jsonl(f) for a in anns] == ["alice", "imported"]
    assert [a.annotator for _, anns in read_jsonl(f, annotator="bob") for a in anns] == ["bob", "bob"]


def test_offsets_map_through_crlf_and_astral_characters(tmp_path):
    raw = "Ship 🚢 left\r\nRotterdam\r\non Monday 👨\u200d👩\u200d👧 — Kim Min-jun"
    wanted = ["Rotterdam", "Monday", "Kim Min-jun", "left\r\nRotterdam"]
    spans = [{"start": raw.index(w), "end": raw.index(w) + len(w), "label": "LOC", "text": w} for w in wanted]
    f = write_jsonl(tmp_path / "crlf.jsonl", [{"id": 7, "text": raw, "spans": spans}])
    [(doc, anns)] = read_jsonl(f)
    assert doc.text == raw.replace("\r\n", "\n")
    assert [doc.text[a.start : a.end] for a in anns] == [w.replace("\r\n", "\n") for w in wanted]
    assert doc.external_id == "7"


def test_span_text_must_match_the_offsets(tmp_path):
    # UTF-16 offsets (as JavaScript tools count) are off by one after the emoji.
    f = write_jsonl(
        tmp_path / "utf16.jsonl",
        [{"id": "u", "text": "😀 Apple hired", "spans": [{"start": 3, "end": 8, "label": "ORG", "text": "Apple"}]}],
    )
    with pytest.raises(InputError) as info:
        read_jsonl(f)
    msg = str(info.value)
    assert msg.startswith(f"{f}:1: document 'u': span 1 (ORG)") and "'Apple'" in msg and "code points" in msg


@pytest.mark.parametrize(
    "record, message",
    [
        ({"text": "Short.", "spans": [{"start": 0, "end": 3}]}, "needs a label"),
        ({"text": "Short.", "spans": [{"start": "0", "end": 3, "label": "ORG"}]}, "whole numbers"),
        ({"text": "Short.", "spans": [{"start": 0.0, "end": 3, "label": "ORG"}]}, "whole numbers"),
        ({"text": "Short.", "spans": [{"start": True, "end": 3, "label": "ORG"}]}, "whole numbers"),
        ({"text": "Short.", "spans": [[0, 3]]}, "[start, end, label]"),
        ({"text": "Short.", "spans": {"start": 0}}, "must be a list"),
        ({"text": "Short.", "spans": [[-1, 3, "ORG"]]}, "outside the text"),
        ({"text": "Short.", "spans": [[2, 2, "ORG"]]}, "reversed or empty"),
        ({"text": 5}, "must be a string"),
        ({"text": "   \n"}, "empty document"),
        ({"text": "A\r\nB", "spans": [[1, 2, "ORG"]]}, "line break"),
        ({"text": "fine", "title": "bad \udc00 title"}, "lone surrogate"),
        ({"text": "fine", "meta": {"k\ud800": 1}}, "lone surrogate"),
        ({"text": "fine", "spans": [[0, 2, "OR\udfffG"]]}, "lone surrogate"),
    ],
)
def test_bad_generic_records(tmp_path, record, message):
    f = write_jsonl(tmp_path / "bad.jsonl", [record])
    with pytest.raises(InputError) as info:
        read_jsonl(f)
    assert message in str(info.value)
    assert info.value.line == 1 and str(info.value).startswith(f"{f}:1: ")


def test_bad_lines_are_yielded_and_reading_goes_on(tmp_path):
    f = tmp_path / "mixed.jsonl"
    f.write_bytes(b'{"text": "one"}\n\n[1, 2]\n{"text": "caf\xe9"}\n{"text": "three"}\n')
    items = list(iter_jsonl(f))
    assert [getattr(i, "line", None) for i in items] == [1, 3, 4, 5]
    assert isinstance(items[1], InputError) and "expected a JSON object" in str(items[1])
    assert isinstance(items[2], InputError) and "not valid UTF-8" in str(items[2]) and "--encoding" in str(items[2])
    assert [i.document.text for i in items if not isinstance(i, InputError)] == ["one", "three"]


def test_json_array_file(tmp_path):
    f = tmp_path / "array.json"
    f.write_text(json.dumps([{"text": "first one"}, {"text": "second one", "spans": [[0, 6, "ORDINAL"]]}]))
    pairs = read_jsonl(f)
    assert [d.text for d, _ in pairs] == ["first one", "second one"]
    assert imported_spans(pairs)[1] == [("ORDINAL", "second")]


def test_bom_and_crlf_line_ends_of_the_file(tmp_path):
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"text": "one"}\r\n{"text": "two"}\r\n')
    assert [d.text for d, _ in read_jsonl(f)] == ["one", "two"]


# -- doccano ------------------------------------------------------------------
def test_doccano_sequence_labelling():
    src = source_records("doccano.jsonl")
    assert all(is_doccano(r) for r in src)
    pairs = read_doccano(DATA / "doccano.jsonl")
    assert imported_spans(pairs) == [[(lab, r["text"][s:e]) for s, e, lab in r["label"]] for r in src]
    assert imported_spans(pairs)[0] == [("ORG", "EU"), ("MISC", "German"), ("MISC", "British")]
    assert [d.external_id for d, _ in pairs] == ["1", "2"]
    assert pairs[0][0].metadata == {"Comments": []}


def test_doccano_entities_and_relations(tmp_path):
    text = "Steve Jobs founded Apple in Cupertino."
    f = write_jsonl(
        tmp_path / "rel.jsonl",
        [
            {
                "id": 3,
                "text": text,
                "entities": [
                    {"id": 10, "label": "PERSON", "start_offset": 0, "end_offset": 10},
                    {"id": 11, "label": "ORG", "start_offset": 19, "end_offset": 24},
                    {"id": 12, "label": "GPE", "start_offset": 28, "end_offset": 37},
                ],
                "relations": [{"id": 0, "from_id": 11, "to_id": 12, "type": "located_in"}],
            }
        ],
    )
    [(doc, anns)] = read_doccano(f, annotator="carol")
    ents = {a.id: doc.text[a.start : a.end] for a in anns if a.kind == "entity"}
    assert sorted(ents.values()) == ["Apple", "Cupertino", "Steve Jobs"]
    [rel] = [a for a in anns if a.kind == "relation"]
    assert (ents[rel.head], ents[rel.tail], rel.label) == ("Apple", "Cupertino", "located_in")
    assert {a.annotator for a in anns} == {"carol"}


def test_doccano_bad_relation_and_classification_labels(tmp_path):
    f = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {
                "id": 1,
                "text": "A B",
                "entities": [{"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 1}],
                "relations": [{"from_id": 1, "to_id": 9, "type": "x"}],
            }
        ],
    )
    with pytest.raises(InputError, match="to_id 9 is not the id of an entity"):
        read_doccano(f)
    g = write_jsonl(tmp_path / "cats.jsonl", [{"text": "Nice film.", "label": ["positive"]}])
    [(doc, anns)] = read_doccano(g)
    assert anns == [] and doc.metadata == {"label": ["positive"]}


# -- Prodigy ------------------------------------------------------------------
def test_prodigy_spans_with_inclusive_token_end():
    [src] = source_records("prodigy.jsonl")
    assert is_prodigy(src)
    [(doc, anns)] = read_prodigy(DATA / "prodigy.jsonl")
    toks = src["tokens"]
    # token_end is inclusive: the span runs to the END of token `token_end`
    expected = [(s["label"], src["text"][toks[s["token_start"]]["start"] : toks[s["token_end"]]["end"]]) for s in src["spans"]]
    assert (
        [(a.label, doc.text[a.start : a.end]) for a in anns]
        == expected
        == [("ORG", "Apple"), ("PERSON", "Tim Cook"), ("DATE", "1998")]
    )
    assert doc.metadata["answer"] == "accept" and doc.metadata["_view_id"] == "ner_manual"
    assert "tokens" not in doc.metadata and "spans" not in doc.metadata


def prodigy_record(**kw):
    rec = {
        "text": "Apple hired Tim Cook.",
        "meta": {"id": "doc-1", "source": "wire"},
        "tokens": [
            {"text": t, "start": s, "end": e, "id": i}
            for i, (t, s, e) in enumerate([("Apple", 0, 5), ("hired", 6, 11), ("Tim", 12, 15), ("Cook", 16, 20), (".", 20, 21)])
        ],
        "spans": [{"start": 12, "end": 20, "token_start": 2, "token_end": 3, "label": "PERSON"}],
        "_annotator_id": "ner-alice",
    }
    rec.update(kw)
    return rec


def test_prodigy_meta_annotator_and_relations(tmp_path):
    rel = {
        "head": 3,
        "child": 0,
        "label": "affiliated_with",
        "head_span": {"start": 12, "end": 20, "token_start": 2, "token_end": 3, "label": "PERSON"},
        "child_span": {"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "ORG"},
    }
    f = write_jsonl(tmp_path / "p.jsonl", [prodigy_record(relations=[rel])])
    [(doc, anns)] = read_prodigy(f)
    assert doc.external_id == "doc-1" and doc.metadata["source"] == "wire"
    assert {a.annotator for a in anns} == {"ner-alice"}
    ents = {a.id: (a.label, doc.text[a.start : a.end]) for a in anns if a.kind == "entity"}
    assert sorted(ents.values()) == [("ORG", "Apple"), ("PERSON", "Tim Cook")]  # the PERSON span is not doubled
    [r] = [a for a in anns if a.kind == "relation"]
    assert (ents[r.head], ents[r.tail], r.label) == (("PERSON", "Tim Cook"), ("ORG", "Apple"), "affiliated_with")


def test_prodigy_exclusive_token_end_is_caught(tmp_path):
    # a writer that took token_end as exclusive: characters [12, 20) but tokens 2..4
    f = write_jsonl(
        tmp_path / "p.jsonl",
        [prodigy_record(spans=[{"start": 12, "end": 20, "token_start": 2, "token_end": 4, "label": "PERSON"}])],
    )
    with pytest.raises(InputError, match=r"do not match tokens 2\.\.4.*token_end is inclusive"):
        read_prodigy(f)


def test_prodigy_span_from_tokens_only(tmp_path):
    f = write_jsonl(tmp_path / "p.jsonl", [prodigy_record(spans=[{"token_start": 2, "token_end": 3, "label": "PERSON"}])])
    [(doc, [a])] = read_prodigy(f)
    assert doc.text[a.start : a.end] == "Tim Cook"
    g = write_jsonl(tmp_path / "q.jsonl", [prodigy_record(spans=[{"token_start": 2, "token_end": 9, "label": "PERSON"}])])
    with pytest.raises(InputError, match="token_end 9 is not a token index"):
        read_prodigy(g)


# -- property: any text, any span, every format --------------------------------
_ALPHABET = ["a", "b", " ", "\r", "\n", "\r\n", "é", "e\u0301", "🚢", "👨\u200d👩", "\u2028", "\t", "\u00a0", "北"]


def expected_text(raw: str, start: int, end: int) -> str:
    """Independently of the importer: the characters of raw[start:end] that the
    canonical text keeps (leading BOMs and the \\r of \\r\\n dropped, a lone \\r as \\n)."""
    out = []
    lead = len(raw) - len(raw.lstrip("\ufeff"))
    for i in range(start, end):
        c = raw[i]
        if i < lead or (c == "\r" and i + 1 < len(raw) and raw[i + 1] == "\n"):
            continue
        out.append("\n" if c == "\r" else c)
    return "".join(out)


def record_for(fmt: str, raw: str, spans: list[tuple[int, int]]) -> dict:
    if fmt == "jsonl":
        return {"text": raw, "spans": [{"start": s, "end": e, "label": "X"} for s, e in spans]}
    if fmt == "doccano":
        return {"text": raw, "label": [[s, e, "X"] for s, e in spans]}
    return {"text": raw, "spans": [{"start": s, "end": e, "label": "X"} for s, e in spans], "tokens": []}


# Offsets read as code points (the doccano and Prodigy readers detect the unit by default: tests/formats/test_offsets.py).
_CODEPOINTS = ReadOptions(offsets=OffsetChoice("codepoint"))
READERS = {
    "jsonl": read_jsonl,
    "doccano": partial(read_doccano, options=_CODEPOINTS),
    "prodigy": partial(read_prodigy, options=_CODEPOINTS),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(READERS)),
    bom=st.booleans(),
    pieces=st.lists(st.sampled_from(_ALPHABET), min_size=1, max_size=30),
    data=st.data(),
)
def test_every_imported_span_has_the_text_the_source_meant(fmt, bom, pieces, data):
    raw = ("\ufeff" if bom else "") + "x" + "".join(pieces)
    spans = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(raw)), st.integers(0, len(raw))).filter(lambda t: t[0] < t[1]), max_size=5, unique=True
        )
    )
    wanted = [expected_text(raw, s, e) for s, e in spans]
    with tempfile.TemporaryDirectory() as tmp:
        f = write_jsonl(Path(tmp) / "p.jsonl", [record_for(fmt, raw, spans)])
        if any(w == "" for w in wanted):  # a span of only removed characters
            with pytest.raises(InputError):
                READERS[fmt](f)
            return
        [(doc, anns)] = READERS[fmt](f)
    assert doc.text == expected_text(raw, 0, len(raw))
    assert [doc.text[a.start : a.end] for a in anns] == wanted


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_wide_encodings(tmp_path, encoding):
    """UTF-16 files (PowerShell's `>` writes them) are named as such, and read with --encoding."""
    text = '{"text": "Zürich 🚢 talks", "spans": [[0, 6, "GPE"]]}\r\n{"text": "Second line"}\r\n'
    f = tmp_path / "wide.jsonl"
    f.write_bytes(text.encode(encoding))  # with a byte-order mark
    with pytest.raises(InputError) as info:
        read_jsonl(f)
    assert (
        str(info.value)
        == f"{f}: looks like {encoding.upper()} text (it starts with a {encoding.upper()} byte-order mark); pass --encoding {encoding}"
    )
    pairs = read_jsonl(f, encoding=encoding)
    assert imported_spans(pairs) == [[("GPE", "Zürich")], []]
    g = tmp_path / "wide.json"
    g.write_bytes(json.dumps([{"text": "In an array"}]).encode(encoding))
    assert [d.text for d, _ in read_jsonl(g, encoding=encoding)] == ["In an array"]
