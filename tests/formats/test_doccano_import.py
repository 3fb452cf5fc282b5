"""doccano files as doccano writes them: every key variant, its offset units, label ids, users' layers."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.store import Project
from annotator.formats import InputError, ReadOptions, collect
from annotator.formats.doccano import is_doccano, iter_doccano, read_doccano
from annotator.formats.offsets import OffsetChoice
from annotator.services.importing import import_paths

TEXT = "Ship 😀 Apple hired Tim Cook.\r\nThen Beijing 🚢 met Paris."


def u16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


def crlf1(text: str, i: int) -> int:
    return i - text[:i].count("\r\n")


def at(text: str, word: str, count=lambda t, i: i) -> list:
    i = text.index(word)
    return [count(text, i), count(text, i + len(word))]


def write(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def spans(pairs) -> list[list[tuple[str, str]]]:
    return [[(a.label, d.text[a.start : a.end]) for a in anns if a.kind == "entity"] for d, anns in pairs]


def test_utf16_offsets_from_doccanos_browser_come_in_right(tmp_path):
    """Defect: offsets counted in UTF-16 units (doccano's browser) were refused as out of range."""
    f = write(
        tmp_path / "admin.jsonl",
        [{"id": 1, "text": TEXT, "label": [[*at(TEXT, w, u16), lab] for w, lab in [("Apple", "ORG"), ("Paris", "GPE")]]}],
    )
    assert spans(read_doccano(f)) == [[("ORG", "Apple"), ("GPE", "Paris")]]
    [record] = [i for i in iter_doccano(f)]
    assert record.offsets == "UTF-16 units"


def test_grapheme_mode_crlf_as_one_is_not_shifted(tmp_path):
    """Defect: a file over CRLF text made in doccano's grapheme mode (CRLF counted as one)
    came in shifted by one after the line break."""
    text = "Apple hired Tim Cook.\r\nThen Beijing met Paris."
    f = write(tmp_path / "g.jsonl", [{"id": 2, "text": text, "label": [[*at(text, "Beijing", crlf1), "GPE"]]}])
    [(doc, [ann])] = read_doccano(f)
    assert doc.text[ann.start : ann.end] == "Beijing"
    [record] = list(iter_doccano(f))
    assert record.offsets == "code points, CRLF as one"


def test_ambiguous_crlf_offsets_are_refused_with_the_options(tmp_path):
    # [3, 4) of "a\r\nb.c" is "b" counting CRLF as two and "." counting it as one: both fit
    text = "a\r\nb.c"
    f = write(tmp_path / "amb.jsonl", [{"text": text, "label": [[3, 4, "X"]]}])
    with pytest.raises(InputError) as info:
        read_doccano(f)
    assert "--crlf-as-one" in str(info.value) and str(info.value).startswith(f"{f}:1:")
    for crlf_as_one, expected in [(True, "."), (False, "b")]:
        [(doc, [a])] = read_doccano(f, options=ReadOptions(offsets=OffsetChoice("codepoint", crlf_as_one=crlf_as_one)))
        assert doc.text[a.start : a.end] == expected


def test_every_key_variant(tmp_path):
    text = "Google was founded by Larry Page in Menlo Park."
    g, lp, mp = at(text, "Google"), at(text, "Larry Page"), at(text, "Menlo Park")
    records = [
        {"text": text, "label": [[*g, "ORG"]]},
        {"text": text + " 2", "labels": [[*lp, "PERSON"]]},
        {"text": text + " 3", "entities": [{"id": 7, "label": "ORG", "start_offset": g[0], "end_offset": g[1]}]},
        {"text": text + " 4", "entities": [[*mp, "GPE"]], "cats": ["company"]},
        {
            "text": text + " 5",
            "entities": {"a": {"id": "a", "label": "ORG", "start_offset": g[0], "end_offset": g[1]}},
            "relations": [],
        },
        {"text": text + " 6", "label": ["positive", "tech"]},
        {"text": text + " 7", "label": [{"start_offset": lp[0], "end_offset": lp[1], "label": "PERSON"}]},
    ]
    f = write(tmp_path / "all.jsonl", records)
    assert all(is_doccano(r) for r in records)
    pairs = read_doccano(f)
    assert spans(pairs) == [
        [("ORG", "Google")],
        [("PERSON", "Larry Page")],
        [("ORG", "Google")],
        [("GPE", "Menlo Park")],
        [("ORG", "Google")],
        [],
        [("PERSON", "Larry Page")],
    ]
    assert pairs[3][0].metadata["cats"] == ["company"] and pairs[5][0].metadata["label"] == ["positive", "tech"]
    assert {a.annotator for _, anns in pairs for a in anns} == {"imported"}  # all.jsonl: the collaborative export
    notes = [n for item in iter_doccano(f) for n in item.notes]
    assert any('"cats"' in n and "no document labels" in n for n in notes)


def test_relations_and_users(tmp_path):
    text = "Google was founded by Larry Page."
    g, lp = at(text, "Google"), at(text, "Larry Page")
    rec = {
        "text": text,
        "entities": [
            {"id": 1, "label": "ORG", "start_offset": g[0], "end_offset": g[1]},
            {"id": 2, "label": "PERSON", "start_offset": lp[0], "end_offset": lp[1]},
        ],
        "relations": [{"id": 0, "from_id": 1, "to_id": 2, "type": "foundedBy"}],
    }
    [(doc, anns)] = read_doccano(write(tmp_path / "alice.jsonl", [rec]))
    [rel] = [a for a in anns if a.kind == "relation"]
    by_id = {a.id: doc.text[a.start : a.end] for a in anns if a.kind == "entity"}
    assert (by_id[rel.head], by_id[rel.tail], rel.label) == ("Google", "Larry Page", "foundedBy")
    assert {a.annotator for a in anns} == {"alice"}  # doccano names each user's export after the user


def test_numeric_label_ids_need_a_label_map(tmp_path):
    text = "Google was founded by Larry Page."
    old = {
        "id": 4,
        "text": text,
        "annotations": [
            {"label": 3, "start_offset": 0, "end_offset": 6, "user": 1},
            {"label": 5, "start_offset": 22, "end_offset": 32, "user": 2},
        ],
    }
    f = write(tmp_path / "export.json", [old])
    with pytest.raises(InputError) as info:
        read_doccano(f)
    assert "--label-map" in str(info.value) and "label id" in str(info.value)
    options = ReadOptions(label_map={"3": "ORG", "5": "PERSON"})
    [(doc, anns)] = read_doccano(f, options=options)
    assert [(a.label, doc.text[a.start : a.end], a.annotator) for a in anns] == [
        ("ORG", "Google", "user 1"),
        ("PERSON", "Larry Page", "user 2"),
    ]
    with pytest.raises(InputError, match="label id 5 is not in the label map"):
        read_doccano(f, options=ReadOptions(label_map={"3": "ORG"}))


@pytest.mark.parametrize("cats", [1, "company", True])
def test_cats_that_are_not_a_list_are_refused_with_file_and_line(tmp_path, cats):
    """Found by the fuzz test: ``"cats": 1`` used to end in a TypeError."""
    f = write(
        tmp_path / "cats.jsonl", [{"text": "Acme makes magnets.", "label": [[0, 4, "ORG"]]}, {"text": "Zed.", "cats": cats}]
    )
    with pytest.raises(InputError) as info:
        read_doccano(f)
    assert str(info.value).startswith(f"{f}:2") and "cats: expected a list of category names" in str(info.value)


def test_several_users_exports_become_layers_of_one_document(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    write(folder / "alice.jsonl", [{"id": 1, "text": TEXT, "label": [[*at(TEXT, "Apple", u16), "ORG"]]}])
    write(folder / "bob.jsonl", [{"id": 1, "text": TEXT, "label": [[*at(TEXT, "Tim Cook", u16), "PERSON"]]}])
    project = Project(tmp_path / "p.annotator", create=True)
    try:
        report = import_paths(project, [folder], add_labels=True)
        assert report.ok, report.errors
        assert report.documents == 1 and report.annotations == 2
        assert "offsets read as UTF-16 units" in report.summary()
        [doc_id] = project.document_ids()
        text = project.document_text(doc_id)
        got = sorted((a.annotator, text[a.start : a.end]) for a in project.annotations(doc_id))
        assert got == [("alice", "Apple"), ("bob", "Tim Cook")]
        again = import_paths(project, [folder])  # the same files again: duplicates, nothing doubled
        assert again.duplicates == 2 and len(project.annotations(doc_id)) == 2
    finally:
        project.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(st.sampled_from(["Acme", " ", "\r\n", "😀", "é", "Zed", ",", "\n"]), min_size=1, max_size=20),
    keys=st.sampled_from(["label", "labels", "entities", "annotations", "cats"]),
    offsets=st.sampled_from(["auto", "codepoint", "utf16"]),
    crlf=st.sampled_from([None, True, False]),
    junk=st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(-3, 40), max_size=4)),
    data=st.data(),
)
def test_fuzz_doccano_records(tmp_path, pieces, keys, offsets, crlf, junk, data):
    """Random and mutated doccano records: a clear InputError or a valid import, never a traceback."""
    text = "x" + "".join(pieces)
    n = len(text) + 3
    raw_spans = data.draw(st.lists(st.tuples(st.integers(-1, n), st.integers(-1, n)), max_size=4))
    if keys == "entities" or keys == "annotations":
        items: list = [
            {"id": i, "label": data.draw(st.sampled_from(["ORG", 3, "", None])), "start_offset": s, "end_offset": e}
            for i, (s, e) in enumerate(raw_spans)
        ]
    elif keys == "cats":
        items = ["a", "b"]
    else:
        items = [[s, e, "ORG"] for s, e in raw_spans]
    rec = {"text": text, keys: items}
    if data.draw(st.booleans()):
        rec[data.draw(st.sampled_from(["relations", keys, "text", "label"]))] = junk
    f = tmp_path / "fuzz.jsonl"
    f.write_text(json.dumps(rec) + "\n", "utf-8")
    options = ReadOptions(offsets=OffsetChoice(offsets, crlf), label_map=data.draw(st.sampled_from([None, {"3": "X"}])))
    for item in iter_doccano(f, options=options):
        if isinstance(item, InputError):
            assert str(item).startswith(str(f))
        else:
            doc, anns = item.pair()
            for a in anns:
                if a.kind == "entity":
                    assert 0 <= a.start < a.end <= len(doc.text)
    collect([])


def _project_rows(project: Project) -> tuple:
    docs = sorted((d.id, d.text, d.sha256) for d in project.iter_documents())
    anns = sorted((a.id, a.doc_id, a.label, a.start, a.end, a.annotator) for a in project.iter_all_annotations())
    return docs, anns


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    spans=st.lists(st.tuples(st.integers(-2, 60), st.integers(-2, 60), st.sampled_from(["ORG", "GPE", 7])), max_size=3),
    user=st.sampled_from(["alice", "bob", "all"]),
    offsets=st.sampled_from(["auto", "codepoint", "utf16"]),
)
def test_fuzz_import_leaves_the_project_unchanged_on_error(tmp_path_factory, spans, user, offsets):
    """Through the import service: a refused file changes nothing; an imported one has spans inside its text."""
    tmp = tmp_path_factory.mktemp("fuzz")
    project = Project(tmp / "p.annotator", create=True)
    try:
        base = write(tmp / "alice.jsonl", [{"text": TEXT, "label": [[*at(TEXT, "Apple", u16), "ORG"]]}])
        assert import_paths(project, [base], add_labels=True).ok
        before = _project_rows(project)
        f = write(tmp / f"{user}.jsonl", [{"text": TEXT, "label": [list(s) for s in spans]}, {"text": "Second doc."}])
        report = import_paths(project, [f], add_labels=True, options=ReadOptions(offsets=OffsetChoice(offsets)))
        if not report.ok:
            assert report.refused and all(str(e).startswith(str(f)) for e in report.errors)
            assert _project_rows(project) == before
        else:
            for doc_id in project.document_ids():
                n = len(project.document_text(doc_id))
                assert all(0 <= a.start < a.end <= n for a in project.annotations(doc_id))
    finally:
        project.close()


def test_our_doccano_export_comes_back_with_its_layers(tmp_path):
    src = tmp_path / "export"
    src.mkdir()
    write(src / "alice.jsonl", [{"id": 1, "text": TEXT, "label": [[*at(TEXT, "Apple", u16), "ORG"]]}])
    write(src / "bob.jsonl", [{"id": 1, "text": TEXT, "label": [[*at(TEXT, "Paris", u16), "GPE"]]}])
    from annotator.formats.writing import ExportOptions
    from annotator.services.exporting import export

    first = Project(tmp_path / "a.annotator", create=True)
    second = Project(tmp_path / "b.annotator", create=True)
    try:
        assert import_paths(first, [src], add_labels=True).ok
        out = tmp_path / "out.jsonl"
        export(first, ExportOptions(format="doccano", out=out, per_annotator=True))
        report = import_paths(second, [out], add_labels=True)  # code points now: detected from word edges
        assert report.ok and report.documents == 1, report.errors
        [doc_id] = second.document_ids()
        text = second.document_text(doc_id)
        assert sorted((a.annotator, text[a.start : a.end]) for a in second.annotations(doc_id)) == [
            ("alice", "Apple"),
            ("bob", "Paris"),
        ]
    finally:
        first.close()
        second.close()
