"""Label Studio import, fuzzed: random and mutated exports give a clear error or a
valid import, never a traceback, and a refused file leaves the project as it was."""

from __future__ import annotations

import copy
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.store import Project
from annotator.formats import InputError, Record
from annotator.formats.labelstudio import LABELING_CONFIG, LabelStudioOptions, iter_labelstudio
from annotator.services.importing import import_paths

TEXT = "Fans 😀 cheered Acme in Oslo.\r\nBo left."
BASE: list[dict[str, Any]] = [
    {
        "id": 1,
        "data": {"text": TEXT, "title": "Fans"},
        "annotations": [
            {
                "id": 1,
                "completed_by": {"id": 1, "email": "a@x.org"},
                "result": [
                    {
                        "id": "r1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 15, "end": 19, "text": "Acme", "labels": ["ORG"]},
                    },
                    {
                        "id": "r2",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 23, "end": 27, "text": "Oslo", "labels": ["GPE"]},
                    },
                    {"id": "r1", "from_name": "kind", "to_name": "text", "type": "choices", "value": {"choices": ["company"]}},
                    {"type": "relation", "from_id": "r1", "to_id": "r2", "direction": "right", "labels": ["located_in"]},
                ],
            },
            {"id": 2, "completed_by": 2, "was_cancelled": True, "result": []},
        ],
        "predictions": [
            {
                "model_version": "v1",
                "result": [
                    {
                        "id": "p",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 30, "end": 32, "labels": ["PER"]},
                    }
                ],
            }
        ],
    },
    {
        "id": 2,
        "text": "Bo met Acme.",
        "label": [{"start": 0, "end": 2, "text": "Bo", "labels": ["PER"]}],
        "annotator": "b@x.org",
        "annotation_id": 5,
    },
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 60)
    | st.text(max_size=6)
    | st.sampled_from(["labels", "relation", "r1", "$text", "/p[1]"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["start", "end", "text", "labels", "id", "type", "value", "data", "result"]), inner, max_size=3
        )
    ),
    max_leaves=8,
)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


def mutate(base: Any, where: tuple, new: Any, delete: bool) -> Any:
    value = copy.deepcopy(base)
    if not where:
        return new
    parent = value
    for key in where[:-1]:
        parent = parent[key]
    if delete:
        del parent[where[-1]]
    else:
        parent[where[-1]] = new
    return value


@st.composite
def files(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "random", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=40))
    if kind == "random":
        return json.dumps(draw(json_values)).encode()
    value: Any = BASE
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(value)))
        value = mutate(value, where, draw(json_values), draw(st.booleans()) and bool(where))
    text = json.dumps(value, indent=draw(st.sampled_from([None, 2])), ensure_ascii=False)
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut]
    return text.encode("utf-8")


def check_items(path: Path, options: LabelStudioOptions) -> None:
    try:
        items = list(iter_labelstudio(path, options=options, notes=[]))
    except InputError as err:
        assert err.file == str(path) and err.message
        return
    for item in items:
        if isinstance(item, InputError):
            assert item.file == str(path) and item.line is not None and item.message
            continue
        assert isinstance(item, Record)
        n = len(item.document.text)
        for a in item.annotations:
            assert a.kind in ("entity", "relation")
            if a.kind == "entity":
                assert a.start is not None and a.end is not None and 0 <= a.start < a.end <= n


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files(), st.sampled_from(["auto", "codepoint", "utf16"]), st.booleans(), st.booleans())
def test_random_and_mutated_files_never_raise_anything_else(content, offsets, predictions, config):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.json"
        path.write_bytes(content)
        if config:
            (Path(folder) / LABELING_CONFIG).write_text(
                '<View><Text name="text" value="$text"/><Paragraphs name="p" value="$text"/></View>', "utf-8"
            )
        check_items(path, LabelStudioOptions(offsets=offsets, predictions=predictions))


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(content=files())
def test_a_refused_file_leaves_the_project_as_it_was(tmp_path, content):
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        path = Path(folder) / "export.json"
        path.write_bytes(content)
        with Project(Path(folder) / "p.annotator", create=True) as project:
            before = dump(project.path)
            report = import_paths(project, [path], fmt="labelstudio", add_labels=True)
            if not report.files[0].documents:
                assert dump(project.path) == before
            for err in report.errors:
                assert err.file == str(path)
