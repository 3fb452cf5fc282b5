"""WebAnno TSV 3.3 import: small files in INCEpTION's own shape (after the user
guide's "WebAnno TSV 3.3 File format" and INCEpTION's reader)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.core.store import Project
from annotator.formats import InputError
from annotator.formats.webanno import COREF_NEXT, read_webanno, split_unescaped, unescape_text, unescape_value
from annotator.services.importing import detect_format, import_paths

NE = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
POS = "de.tudarmstadt.ukp.dkpro.core.api.lexmorph.type.pos.POS"
DEP = "de.tudarmstadt.ukp.dkpro.core.api.syntax.type.dependency.Dependency"
COREF = "de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceLink"


def tsv(tmp_path: Path, header: list[str], body: str, name: str = "doc.tsv", version: str = "3.3") -> Path:
    """A TSV file: format line, layer lines, two blank lines, the body (``|`` in the
    body's token lines stands for... nothing: columns are written with real tabs)."""
    text = f"#FORMAT=WebAnno TSV {version}\n" + "".join(h + "\n" for h in header) + "\n\n" + body
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row(*cols: str) -> str:
    """A token line as INCEpTION writes it: tab-separated, with a trailing tab."""
    return "\t".join(cols) + "\t\n"


def one(path: Path):
    [(doc, anns)] = read_webanno(path)
    return doc, anns


def spans(doc, anns, kind="entity"):
    return sorted((a.label, doc.text[a.start : a.end]) for a in anns if a.kind == kind)


def rels(anns):
    by_id = {a.id: a for a in anns}
    return sorted((a.label, by_id[a.head].label, by_id[a.tail].label) for a in anns if a.kind == "relation")


# ---------------------------------------------------------------------------
# Span layers
# ---------------------------------------------------------------------------
def test_named_entities_single_multi_token_and_stacked(tmp_path):
    body = (
        "#Text=Ms. Haag plays Elianti .\n"
        + row("1-1", "0-3", "Ms.", "PER[1]|PERpart[2]")
        + row("1-2", "4-8", "Haag", "PER[1]")
        + row("1-3", "9-14", "plays", "_")
        + row("1-4", "15-22", "Elianti", "OTH")
        + row("1-5", "23-24", ".", "_")
    )
    doc, anns = one(tsv(tmp_path, [f"#T_SP={NE}|value"], body))
    assert doc.text == "Ms. Haag plays Elianti ."
    assert spans(doc, anns) == [("OTH", "Elianti"), ("PER", "Ms. Haag"), ("PERpart", "Ms.")]
    assert all(a.annotator == "imported" and a.source == "imported" for a in anns)
    assert doc.metadata["format"] == "WebAnno TSV 3.3"


def test_null_value_is_the_layer_name_and_other_features_are_attributes(tmp_path):
    body = "#Text=good bad\n" + row("1-1", "0-4", "good", "*", "positive") + row("1-2", "5-8", "bad", "abstract", "*")
    doc, anns = one(tsv(tmp_path, ["#T_SP=webanno.custom.Sentiment|Category|Opinion"], body))
    by_text = {doc.text[a.start : a.end]: a for a in anns}
    assert by_text["good"].label == "Sentiment" and by_text["good"].attributes == {"Opinion": "positive"}
    assert by_text["bad"].label == "abstract" and by_text["bad"].attributes == {}


def test_layer_without_features_has_a_placeholder_column(tmp_path):
    body = "#Text=a b\n" + row("1-1", "0-1", "a", "*[3]") + row("1-2", "2-3", "b", "*[3]")
    doc, anns = one(tsv(tmp_path, ["#T_SP=webanno.custom.Highlight"], body))
    assert spans(doc, anns) == [("Highlight", "a b")]


def test_sub_tokens(tmp_path):
    body = (
        "#Text=He plays\n"
        + row("1-1", "0-2", "He", "_")
        + row("1-2", "3-8", "plays", "_")
        + row("1-2.1", "3-7", "play", "ACT")
        + row("1-2.2", "7-8", "s", "NUM")
    )
    doc, anns = one(tsv(tmp_path, [f"#T_SP={NE}|value"], body))
    assert spans(doc, anns) == [("ACT", "play"), ("NUM", "s")]


def test_trailing_tab_is_optional(tmp_path):
    body = "#Text=Bonn\n1-1\t0-4\tBonn\tLOC\n"
    doc, anns = one(tsv(tmp_path, [f"#T_SP={NE}|value"], body))
    assert spans(doc, anns) == [("LOC", "Bonn")]


# ---------------------------------------------------------------------------
# Offsets, text, escapes
# ---------------------------------------------------------------------------
def test_utf16_offsets_are_converted(tmp_path):
    # 😊 is two UTF-16 units: every offset after it is one more than in code points
    body = (
        "#Text=I like it 😊 in Köln .\n"
        + row("1-1", "0-1", "I", "_")
        + row("1-2", "2-6", "like", "_")
        + row("1-3", "7-9", "it", "_")
        + row("1-4", "10-12", "😊", "EMO")
        + row("1-5", "13-15", "in", "_")
        + row("1-6", "16-20", "Köln", "LOC")
        + row("1-7", "21-22", ".", "_")
        + "\n#Text=𝔸 Bonn\n"
        + row("2-1", "23-25", "𝔸", "_")
        + row("2-2", "26-30", "Bonn", "LOC")
    )
    doc, anns = one(tsv(tmp_path, [f"#T_SP={NE}|value"], body))
    assert doc.text == "I like it 😊 in Köln .\n𝔸 Bonn"
    assert spans(doc, anns) == [("EMO", "😊"), ("LOC", "Bonn"), ("LOC", "Köln")]


def test_offsets_that_disagree_with_the_text_are_refused_naming_the_line(tmp_path):
    # counted in code points (as a tool that got it wrong would): 'Köln' is not at 15-19
    body = "#Text=I like it 😊 in Köln\n" + "".join(
        row(*r) for r in [("1-1", "0-1", "I"), ("1-2", "2-6", "like"), ("1-3", "7-9", "it"), ("1-4", "10-11", "😊")]
    )
    path = tsv(tmp_path, ["#T_SP=webanno.custom.X"], body.replace("\t\n", "\t_\t\n"))
    with pytest.raises(InputError) as err:
        read_webanno(path)
    assert err.value.line == 9 and "token 1-4" in str(err.value) and "split a character" in str(err.value)
    assert str(err.value).startswith(str(path))
    body = body.replace("10-11", "10-12") + row("1-5", "12-14", "in")
    with pytest.raises(InputError) as err:
        read_webanno(tsv(tmp_path, ["#T_SP=webanno.custom.X"], body.replace("\t\n", "\t_\t\n")))
    assert err.value.line == 10 and "token 1-5 is 'in' but" in str(err.value) and "' i' at 12-14" in str(err.value)
    assert "UTF-16" in str(err.value)


def test_text_is_rebuilt_from_text_lines_gaps_and_line_breaks(tmp_path):
    body = (
        "#Sentence.id=s1\n#Text=One\n#Text=two .\n"
        + row("1-1", "0-3", "One")
        + row("1-2", "4-7", "two")
        + row("1-3", "8-9", ".")
        + "\n#Text=Next\n"  # right after the previous sentence's line break
        + row("2-1", "10-14", "Next")
        + "\n#Text=far\n"  # a gap of two: filled with spaces, as INCEpTION does
        + row("3-1", "17-20", "far")
        + "\n\n\n"
    )
    doc, anns = one(tsv(tmp_path, [], body))
    assert doc.text == "One\ntwo .\nNext\n  far"
    assert anns == []


def test_next_sentence_on_the_same_line(tmp_path):
    body = "#Text=A.\n" + row("1-1", "0-2", "A.") + "\n#Text=B.\n" + row("2-1", "2-4", "B.")
    doc, _ = one(tsv(tmp_path, [], body))
    assert doc.text == "A.B."


def test_escapes_are_undone(tmp_path):
    body = (
        "#Text=a\\tb \\\\o/ x\\\\ty\n"
        + row("1-1", "0-3", "a\\tb", "_")
        + row("1-2", "4-7", "\\o/", "LOC\\_X\\|Y|B\\[1\\][4]")
        + row("1-3", "8-12", "x\\ty", "A\\->B\\;C\\*")
    )
    doc, anns = one(tsv(tmp_path, [f"#T_SP={NE}|value"], body))
    assert doc.text == "a\tb \\o/ x\\ty"
    assert spans(doc, anns) == [("A->B;C*", "x\\ty"), ("B[1]", "\\o/"), ("LOC_X|Y", "\\o/")]


def test_escape_helpers():
    assert unescape_value("a\\\\\\|b") == "a\\|b"
    assert split_unescaped("a\\|b|c\\\\|d", "|") == ["a\\|b", "c\\\\", "d"]
    assert unescape_text("a\\rb\\\\n\\n") == "a\rb\\n\n"


def test_windows_line_ends_and_carriage_returns_in_the_text(tmp_path):
    body = "#Text=Bonn\\r\n" + row("1-1", "0-4", "Bonn", "LOC")
    path = tsv(tmp_path, [f"#T_SP={NE}|value"], body)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    doc, anns = one(path)
    assert doc.text == "Bonn\n" and spans(doc, anns) == [("LOC", "Bonn")]


# ---------------------------------------------------------------------------
# Relations, slots, chains, skipped layers
# ---------------------------------------------------------------------------
def test_relations_stacked_and_disambiguated(tmp_path):
    header = [f"#T_SP={NE}|value", f"#T_RL=webanno.custom.Relation|value|comment|BT_{NE}"]
    body = (
        "#Text=This is a test .\n"
        + row("1-1", "0-4", "This", "A", "_", "_", "_")
        + row("1-2", "5-7", "is", "B", "_", "_", "_")
        + row("1-3", "8-9", "a", "_", "_", "_", "_")
        + row("1-4", "10-14", "test", "C", "P|ROOT", "*|why\\_not", "1-2|1-1")
        + row("1-5", "15-16", ".", "D[1]|E[2]", "rel", "*", "1-1[0_2]")
    )
    doc, anns = one(tsv(tmp_path, header, body))
    assert rels(anns) == [("P", "B", "C"), ("ROOT", "A", "C"), ("rel", "A", "E")]
    root = next(a for a in anns if a.label == "ROOT")
    assert root.attributes == {"comment": "why_not"}


def test_relation_without_label_is_named_after_its_layer(tmp_path):
    header = [f"#T_SP={NE}|value", f"#T_RL=webanno.custom.Link|BT_{NE}"]
    body = "#Text=a b\n" + row("1-1", "0-1", "a", "X", "_") + row("1-2", "2-3", "b", "Y", "1-1")
    _, anns = one(tsv(tmp_path, header, body))
    assert rels(anns) == [("Link", "X", "Y")]


def test_slot_features_are_event_arguments(tmp_path):
    header = [
        "#T_SP=webanno.custom.Frame|FE|ROLE_webanno.custom.Frame:Roles_webanno.custom.FrameRolesLink|webanno.custom.Lu",
        "#T_SP=webanno.custom.Lu|luvalue",
    ]
    body = (
        "#Text=Bob auctioned the clock to John .\n"
        + row("2-1", "0-3", "Bob", "_", "_", "_", "bob")
        + row("2-2", "4-13", "auctioned", "transaction", "seller;goods;*", "2-1;2-3[4];2-6", "_")
        + row("2-3", "14-17", "the", "_", "_", "_", "clock[4]")
        + row("2-4", "18-23", "clock", "_", "_", "_", "clock[4]")
        + row("2-5", "24-26", "to", "_", "_", "_", "_")
        + row("2-6", "27-31", "John", "_", "_", "_", "john")
        + row("2-7", "32-33", ".", "Frame", "_", "*", "_")
    )
    doc, anns = one(tsv(tmp_path, header, body))
    by_id = {a.id: a for a in anns}
    events = {a.label: a for a in anns if a.kind == "event"}
    assert sorted(events) == ["Frame", "transaction"]
    event = events["transaction"]
    assert doc.text[event.start : event.end] == "auctioned"
    got = [(arg.role, doc.text[by_id[arg.target].start : by_id[arg.target].end]) for arg in event.arguments]
    assert got == [("seller", "Bob"), ("goods", "the clock"), ("Roles", "John")]
    assert events["Frame"].arguments == []
    assert spans(doc, anns) == [("bob", "Bob"), ("clock", "the clock"), ("john", "John")]


def test_untyped_slot_target(tmp_path):
    header = [
        f"#T_SP={NE}|value",
        "#T_SP=webanno.custom.Ev|ROLE_webanno.custom.Ev:args_webanno.custom.EvArgsLink|uima.tcas.Annotation",
    ]
    body = "#Text=Bob left\n" + row("1-1", "0-3", "Bob", "PER", "_", "_") + row("1-2", "4-8", "left", "_", "agent", "1-1")
    doc, anns = one(tsv(tmp_path, header, body))
    [event] = [a for a in anns if a.kind == "event"]
    [arg] = event.arguments
    assert arg.role == "agent" and next(a for a in anns if a.id == arg.target).label == "PER"


def test_coreference_chains_become_entities_and_coref_next_relations(tmp_path):
    header = [f"#T_CH={COREF}|referenceType|referenceRelation"]
    body = (
        "#Text=He shot himself with his revolver.\n"
        + row("1-1", "0-2", "He", "pr[1]", "coref->1-1")
        + row("1-2", "3-7", "shot", "_", "_")
        + row("1-3", "8-15", "himself", "pr[1]", "coref->1-2")
        + row("1-4", "16-20", "with", "_", "_")
        + row("1-5", "21-24", "his", "*[1]", "*->1-3")
        + row("1-6", "25-33", "revolver", "nam[2]", "*->2-1")
        + row("1-7", "33-34", ".", "_", "_")
    )
    doc, anns = one(tsv(tmp_path, header, body))
    assert spans(doc, anns) == [("CoreferenceLink", "his"), ("nam", "revolver"), ("pr", "He"), ("pr", "himself")]
    by_id = {a.id: a for a in anns}
    links = [
        (doc.text[by_id[a.head].start : by_id[a.head].end], doc.text[by_id[a.tail].start : by_id[a.tail].end], a.attributes)
        for a in anns
        if a.kind == "relation"
    ]
    assert all(a.label == COREF_NEXT for a in anns if a.kind == "relation")
    assert links == [("He", "himself", {"relation": "coref"}), ("himself", "his", {"relation": "coref"})]


def test_multi_token_chain_element(tmp_path):
    header = [f"#T_CH={COREF}|referenceType|referenceRelation"]
    body = (
        "#Text=Angela Merkel said she\n"
        + row("1-1", "0-6", "Angela", "nam[1]", "*->1-1")
        + row("1-2", "7-13", "Merkel", "nam[1]", "*->1-1")
        + row("1-3", "14-18", "said", "_", "_")
        + row("1-4", "19-22", "she", "pr[1]", "*->1-2")
    )
    doc, anns = one(tsv(tmp_path, header, body))
    assert spans(doc, anns) == [("nam", "Angela Merkel"), ("pr", "she")]
    assert len([a for a in anns if a.kind == "relation"]) == 1
    assert [a.attributes for a in anns if a.kind == "entity"] == [{}, {}]


def test_the_last_chain_elements_relation_is_kept_on_it(tmp_path):
    header = [f"#T_CH={COREF}|referenceType|referenceRelation"]
    body = (
        "#Text=Bob he\n" + row("1-1", "0-3", "Bob", "nam[1]", "coref->1-1") + row("1-2", "4-6", "he", "pr[1]", "anaphoric->1-2")
    )
    doc, anns = one(tsv(tmp_path, header, body))
    assert sorted((a.label, a.attributes.get("relation")) for a in anns) == [
        ("coref-next", "coref"),
        ("nam", None),
        ("pr", "anaphoric"),
    ]


def test_linguistic_layers_are_skipped_and_counted(tmp_path):
    header = [f"#T_SP={POS}|PosValue|coarseValue", f"#T_SP={NE}|value", f"#T_RL={DEP}|DependencyType|flavor|BT_{POS}"]
    body = (
        "#Text=Bonn wins\n"
        + row("1-1", "0-4", "Bonn", "NNP", "PROPN", "LOC", "nsubj", "basic", "1-2")
        + row("1-2", "5-9", "wins", "VBZ", "VERB", "_", "ROOT", "basic", "1-2")
    )
    doc, anns = one(tsv(tmp_path, header, body))
    assert spans(doc, anns) == [("LOC", "Bonn")] and rels(anns) == []
    assert doc.metadata["webanno_skipped"] == {DEP: 2, POS: 2}


# ---------------------------------------------------------------------------
# Refused
# ---------------------------------------------------------------------------
BAD = {
    "wrong columns": ([f"#T_SP={NE}|value"], "#Text=a b\n1-1\t0-1\ta\tX\textra\tmore\n", 2, "expected 4 tab-separated columns"),
    "unknown id": (
        [f"#T_SP={NE}|value", f"#T_RL=webanno.custom.R|BT_{NE}"],
        "#Text=a\n" + row("1-1", "0-1", "a", "X", "1-1[7_0]"),
        2,
        "[7]",
    ),
    "missing token": (
        [f"#T_SP={NE}|value", f"#T_RL=webanno.custom.R|BT_{NE}"],
        "#Text=a\n" + row("1-1", "0-1", "a", "X", "9-9"),
        2,
        "no token '9-9'",
    ),
    "no governor annotation": (
        [f"#T_SP={NE}|value", f"#T_RL=webanno.custom.R|BT_{NE}"],
        "#Text=a b\n" + row("1-1", "0-1", "a", "_", "_") + row("1-2", "2-3", "b", "X", "1-1"),
        3,
        "token 1-1 has no NamedEntity annotation",
    ),
    "no blank line between sentences": (
        [],
        "#Text=a\n" + row("1-1", "0-1", "a") + "#Text=b\n" + row("2-1", "2-3", "b"),
        3,
        "blank line",
    ),
    "token before text": ([], row("1-1", "0-1", "a"), 1, "before its sentence's #Text="),
    "bad offsets": ([], "#Text=a\n1-1\t0_1\ta\t\n", 2, "not an offset pair"),
    "bad id": ([], "#Text=a\n1:1\t0-1\ta\t\n", 2, "not a token id"),
    "overlapping sentences": (
        [],
        "#Text=abc\n" + row("1-1", "0-3", "abc") + "\n#Text=b\n" + row("2-1", "1-2", "b"),
        5,
        "inside the text",
    ),
    "bad chain link": (
        [f"#T_CH={COREF}|referenceType|referenceRelation"],
        "#Text=a\n" + row("1-1", "0-1", "a", "pr", "coref"),
        2,
        "->CHAIN-ELEMENT",
    ),
    "unknown layer line": (["#T_XX=foo|bar"], "", 2, "expected a layer line"),
    "undeclared base type": ([f"#T_RL=webanno.custom.R|BT_{NE}"], "", 2, "does not declare"),
    "huge gap": (
        [],
        "#Text=a\n" + row("1-1", "99999999999999-99999999999999", "a"),
        2,
        "units after the sentences before it end",
    ),
    "zero-width annotation": (
        [f"#T_SP={NE}|value"],
        "#Text=one two\n" + row("1-1", "0-3", "one", "_") + row("1-1.1", "0-0", "", "PER") + row("1-2", "4-7", "two", "_"),
        3,
        "NamedEntity 'PER': a zero-width annotation at 0",
    ),
    "offsets too long to be numbers": ([], "#Text=a\n" + row("1-1", "0-" + "9" * 5000, "a"), 2, "not an offset pair"),
    "text without tokens": ([], "#Text=a\n", 2, "must be followed by its tokens"),
    "no sentences": ([f"#T_SP={NE}|value"], "", None, "no sentences"),
    "blank text": ([], "#Text= \n" + row("1-1", "0-1", " "), None, "empty document"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_are_refused_with_file_line_and_problem(tmp_path, case):
    header, body, line, piece = BAD[case]  # line: in the body (the header takes 3 + its layer lines)
    path = tsv(tmp_path, header, body)
    with pytest.raises(InputError) as err:
        read_webanno(path)
    assert err.value.line == (line if line is None or not body else line + 3 + len(header)), str(err.value)
    assert piece in str(err.value) and str(err.value).startswith(str(path))


@pytest.mark.parametrize("version", ["2", "3.1", "3.4", ""])
def test_other_versions_are_refused(tmp_path, version):
    path = tsv(tmp_path, [], "#Text=a\n" + row("1-1", "0-1", "a"), version=version)
    with pytest.raises(InputError, match="not supported; export it from INCEpTION as WebAnno TSV 3.3"):
        read_webanno(path)


def test_tsv_2_and_other_files_are_refused(tmp_path):
    old = tmp_path / "old.tsv"
    old.write_text(f" # {NE} | value\n#id=1\n#text=a\n1-1\ta\tPER\n", encoding="utf-8")
    with pytest.raises(InputError, match="WebAnno TSV 1 or 2 .* export it from INCEpTION as WebAnno TSV 3.3"):
        read_webanno(old)
    other = tmp_path / "other.tsv"
    other.write_text("name\tage\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a WebAnno TSV file"):
        read_webanno(other)


def test_version_3_2_is_read(tmp_path):
    doc, _ = one(tsv(tmp_path, [], "#Text=a\n" + row("1-1", "0-1", "a"), version="3.2"))
    assert doc.text == "a"


# ---------------------------------------------------------------------------
# Through the import service
# ---------------------------------------------------------------------------
def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_detected_and_imported_with_a_summary(tmp_path):
    header = [f"#T_SP={NE}|value", f"#T_RL=webanno.custom.Relation|value|BT_{NE}"]
    body = (
        "#Text=Merkel visits Bonn\n"
        + row("1-1", "0-6", "Merkel", "PER", "_", "_")
        + row("1-2", "7-13", "visits", "_", "_", "_")
        + row("1-3", "14-18", "Bonn", "GPE", "visit", "1-1")
    )
    path = tsv(tmp_path, header, body)
    other = tmp_path / "plain.tsv"
    other.write_text("Bonn\tB-GPE\n", encoding="utf-8")
    assert detect_format(path) == "webanno" and detect_format(other) == "conll"
    with Project(tmp_path / "p.annotator", create=True) as p:
        report = import_paths(p, [path], add_labels=True)
        assert report.ok, report.errors
        assert report.summary().startswith("imported 1 document (3 annotations) from 1 file")
        [doc_id] = p.document_ids()
        anns = p.annotations(doc_id)
        assert sorted((a.kind, a.label) for a in anns) == [("entity", "GPE"), ("entity", "PER"), ("relation", "visit")]


def test_a_bad_file_changes_nothing(tmp_path):
    path = tsv(tmp_path, [f"#T_SP={NE}|value"], "#Text=Bonn\n" + row("1-1", "0-5", "Bonn", "LOC"))
    with Project(tmp_path / "p.annotator", create=True) as p:
        before = dump(p.path)
        report = import_paths(p, [path], add_labels=True)
        assert dump(p.path) == before
        [f] = report.files
        assert f.refused and f.format == "webanno"
        [err] = f.errors
        assert err.file == str(path) and err.line == 6 and "token 1-1" in err.message
