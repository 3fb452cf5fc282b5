"""The native export's reading and writing: the same bytes however the lines are
batched into writes, each document's annotation rows in store order or in any
order (the writer sorts them), and a document's metadata read as ``json.loads``
reads it."""

from __future__ import annotations

import json

import pytest
from export_fixtures import full_project

from annotator.core.models import entity
from annotator.core.rows import DocumentRow
from annotator.formats import native
from annotator.formats.native import dumps_native, native_record, native_row_record
from annotator.services.exporting import ExportOptions, export

#: The writer's own batch size.
DEFAULT_BATCH = native.WRITE_BYTES


def _records_text(project) -> str:
    return "".join(
        dumps_native(native_record(d, project.annotations(d.id), project.schema, project.review_decisions(d.id))) + "\n"
        for d in project.iter_documents()
    )


def _interleave(project) -> list[str]:
    """Annotations added to two documents turn about, so that their rows interleave in the store."""
    ids = project.document_ids()
    first, second = ids[0], ids[1]
    with project.transaction():
        for i in range(3):
            for doc_id in (first, second):
                # added in reverse text order: store order is not native order
                project.put_annotations([entity(doc_id, 9 - 3 * i, 11 - 3 * i, "ORG", "carol")])
    return [first, second]


@pytest.mark.parametrize("write_bytes", [1, 2000, DEFAULT_BATCH])
def test_native_lines_are_the_records_however_they_are_batched(tmp_path, monkeypatch, write_bytes):
    project = full_project(tmp_path / "n.annotator")
    _interleave(project)
    monkeypatch.setattr(native, "WRITE_BYTES", write_bytes)
    writes: list[int] = []
    real_open = native.open_text

    class Counting:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data: bytes) -> int:
            writes.append(len(data))
            return self.fh.write(data)

    class Opened:
        def __init__(self, path, binary=False):
            self.synced = real_open(path, binary)

        def __enter__(self):
            return Counting(self.synced.__enter__())

        def __exit__(self, *exc):
            return self.synced.__exit__(*exc)

    monkeypatch.setattr(native, "open_text", Opened)
    out = tmp_path / "n.jsonl"
    export(project, ExportOptions("native", out=out))
    text = _records_text(project)
    assert out.read_bytes() == text.encode("utf-8")
    lines = text.count("\n")
    if write_bytes == 1:
        assert len(writes) == lines  # every line is over the limit: one write each
    elif write_bytes == DEFAULT_BATCH:
        assert len(writes) == 1  # the whole small file at once
    else:
        assert 1 < len(writes) < lines
    assert all(w <= write_bytes + max(len(x.encode()) + 1 for x in text.splitlines()) for w in writes)
    project.close()


def test_annotation_rows_in_store_order_or_any_order(tmp_path):
    project = full_project(tmp_path / "n.annotator")
    ids = _interleave(project)
    stored = project.annotation_rows_by_document(ids)
    unordered = project.annotation_rows_by_document(ids, ordered=False)
    assert stored.keys() == unordered.keys() == set(ids)
    for doc_id in ids:
        assert [r.id for r in stored[doc_id]] == [a.id for a in project.annotations(doc_id)]  # the store's order
        assert sorted(stored[doc_id]) == sorted(unordered[doc_id])
        doc = project.document_rows([doc_id])[doc_id]
        # the native record does not depend on the order the rows come in
        assert dumps_native(native_row_record(doc, unordered[doc_id], project.schema)) == dumps_native(
            native_row_record(doc, stored[doc_id][::-1], project.schema)
        )
    assert project.annotation_rows_by_document(ids, "carol", ordered=False).keys() == set(ids)
    project.close()


@pytest.mark.parametrize(
    "stored",
    [
        '{"source": "wire", "n": 3}',
        '{"b": {"z": 1, "y": [2, {"x": null}]}, "a": "\\u00e9"}',
        ' {"b": 1, "a": 2} ',
        "{}",
        '{"a": 1.5e3}',
    ],
)
def test_metadata_is_read_as_json_loads_reads_it(stored):
    doc = DocumentRow("d", None, "t", "text", "0" * 64, "", stored, "new", "c", "u")
    got = native_row_record(doc, [])["metadata"]
    want = dict(sorted(json.loads(stored).items()))
    assert got == want and list(got) == list(want)
    assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)


@pytest.mark.parametrize("stored", ['{"a": 1} x', '{"a": ', "[1, 2]"])
def test_bad_stored_metadata_fails_as_json_loads_does(stored):
    doc = DocumentRow("d", None, "t", "text", "0" * 64, "", stored, "new", "c", "u")
    with pytest.raises((json.JSONDecodeError, AttributeError)):
        native_row_record(doc, [])
