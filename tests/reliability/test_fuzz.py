"""Bad input, fuzzed (short runs; tests/stress runs thousands): every importer
on random bytes, random JSON and mutated valid files; the schema loader on
mutated schema files. A clear error or a valid import; never a traceback; on
error the project is exactly as it was."""

from __future__ import annotations

import tempfile
from pathlib import Path

import fuzzlib as F
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
SCHEMA_FUZZ = settings(FUZZ, max_examples=15)
JSON_FORMATS = ["jsonl", "native", "doccano", "prodigy", None]


@FUZZ
@given(fmt=st.sampled_from(["txt", "html", "jsonl", "native", "doccano", "prodigy", "brat", None]), data=st.binary(max_size=3000))
def test_random_bytes(fmt: str | None, data: bytes) -> None:
    ext = {"txt": ".txt", "html": ".html", "brat": ".ann", None: ".jsonl"}.get(fmt, ".jsonl")
    F.check_import(fmt, "random" + ext, data)


@FUZZ
@given(fmt=st.sampled_from(JSON_FORMATS), records=st.lists(F.json_values, min_size=1, max_size=5))
def test_random_json(fmt: str | None, records: list) -> None:
    data = "\n".join(F.dumps_loose(r) for r in records).encode("utf-8")
    F.check_import(fmt, "random.jsonl", data)


@FUZZ
@given(fmt=st.sampled_from(["jsonl", "native", "doccano", "prodigy"]), data=st.data())
def test_mutated_valid_json_lines(fmt: str, data: st.DataObject) -> None:
    name, seed = F.seeds()[fmt]
    F.check_import(fmt, name, data.draw(F.mutated_json_lines(seed)))
    F.check_import(None, name, data.draw(F.mutated_json_lines(seed)), partial=True)


@FUZZ
@given(fmt=st.sampled_from(["txt", "html", "jsonl", "native", "doccano", "prodigy", "brat"]), data=st.data())
def test_mutated_valid_files_bytes(fmt: str, data: st.DataObject) -> None:
    name, seed = F.seeds()[fmt]
    extra = {F.seeds()["brat-txt"][0]: F.seeds()["brat-txt"][1]} if fmt == "brat" else None
    F.check_import(fmt, name, data.draw(F.mutated_bytes(seed)), extra=extra)


@FUZZ
@given(data=st.data())
def test_mutated_brat_text_beside_its_ann(data: st.DataObject) -> None:
    ann_name, ann = F.seeds()["brat"]
    txt_name, txt = F.seeds()["brat-txt"]
    F.check_import("brat", ann_name, ann, extra={txt_name: data.draw(F.mutated_bytes(txt))})


def test_the_seeds_import() -> None:
    """The unmutated seeds are valid: the mutations start from real files."""
    for fmt, (name, seed) in F.seeds().items():
        if fmt == "brat-txt":
            continue
        extra = {F.seeds()["brat-txt"][0]: F.seeds()["brat-txt"][1]} if fmt == "brat" else None
        assert F.check_import(fmt, name, seed, extra=extra) == "imported", fmt


@pytest.mark.parametrize("depth", [50, 900, 990, 5000, 200_000])
def test_deeply_nested_json(depth: int) -> None:
    data = ('{"text": "x", "meta": ' + "[" * depth + "]" * depth + "}\n").encode()
    F.check_import("jsonl", "deep.jsonl", data)
    F.check_import(None, "deep.jsonl", data)


@pytest.mark.parametrize(
    "data",
    [
        b'{"text": "abc", "spans": [{"start": 0, "end": 1e999, "label": "ORG"}]}',
        b'{"text": "abc", "spans": [{"start": NaN, "end": 2, "label": "ORG"}]}',
        b'{"text": "abc", "spans": [{"start": 0, "end": 99999999999999999999999999, "label": "ORG"}]}',
        b'{"text": "abc", "spans": [{"start": true, "end": 2, "label": "ORG"}]}',
        b'{"text": "abc", "spans": [{"start": 0.0, "end": 2.5, "label": "ORG"}]}',
        b'{"text": "abc", "spans": [{"start": "0", "end": "2", "label": "ORG"}]}',
        b'{"text": "abc", "spans": [{"start": 0, "end": 2, "label": ["ORG"]}]}',
        b'{"text": "abc", "spans": {"start": 0, "end": 2, "label": "ORG"}}',
        b'{"text": ["abc"]}',
        b'{"text": "\\ud83d"}',
        b'{"text": "\\u0000\\u0000"}',
        b'{"text": "abc", "id": {"x": 1}}',
        b'{"text": "abc", "id": ""}',
        b"[]",
        b'"just a string"',
        b'{"text": "abc"}' * 3,
        b'\xef\xbb\xbf{"text": "abc"}',
        b'{"text": "a", "text": "b"}',
    ],
    ids=lambda d: d[:40].decode("utf-8", "replace"),
)
@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_known_nasty_json(data: bytes, fmt: str | None) -> None:
    F.check_import(fmt, "nasty.jsonl", data)


SCHEMA = Path(__file__).resolve().parents[2] / "resources" / "news.toml"


@SCHEMA_FUZZ
@given(data=st.data(), suffix=st.sampled_from([".toml", ".yaml", ".json"]))
def test_mutated_schema_files(data: st.DataObject, suffix: str) -> None:
    import json

    from annotator.core.schema import default_schema

    schema = default_schema()
    text = {
        ".toml": SCHEMA.read_bytes(),
        ".yaml": schema.dump_yaml().encode("utf-8"),
        ".json": json.dumps(schema.to_dict()).encode("utf-8"),
    }[suffix]
    mutated = data.draw(F.mutated_bytes(text))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"schema{suffix}"
        path.write_bytes(mutated)
        F.check_schema_file(path)


@SCHEMA_FUZZ
@given(data=st.data())
def test_structurally_mutated_schemas(data: st.DataObject) -> None:
    import json

    from annotator.core.schema import default_schema

    seed = json.dumps(default_schema().to_dict()).encode("utf-8")
    mutated = data.draw(F.mutated_json_lines(seed))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schema.json"
        path.write_bytes(mutated.splitlines()[0] if mutated.strip() else b"")
        F.check_schema_file(path)
        path = Path(folder) / "schema.yaml"  # YAML is a superset of JSON: same data, other parser
        path.write_bytes(mutated.splitlines()[0] if mutated.strip() else b"")
        F.check_schema_file(path)


@pytest.mark.parametrize(
    "text",
    [
        "entities = 5",
        "[[entities]]\nname = 5",
        "[[entities]]\nname = ''",
        "[[entities]]\nname = 'a\\nb'",
        "[[entities]]\nname = 'A'\nkey = 'ab'",
        "[[entities]]\nname = 'A'\ncolor = 'red'",
        "claim = []",
        "[[events]]\nname = 'E'\n[[events.roles]]\nname = 'R'\nlabels = ['NOPE']",
        "version = 1e999",
        "name = '" + "x" * 100_000 + "'",
        "[[entities]]\nname = '" + "x" * 101 + "'",
    ],
)
def test_known_bad_schemas(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    F.check_schema_file(path)
    path = tmp_path / "bad.yaml"
    path.write_text(
        "!!python/object/apply:os.system ['echo pwned']\n" if text == "claim = []" else "- 1\n- 2\n", encoding="utf-8"
    )
    assert F.check_schema_file(path) == "refused"
