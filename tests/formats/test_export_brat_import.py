"""brat import: pairs made by brat (or by hand), Windows line ends, byte-order marks,
fragments, every line type; clear errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.store import Project
from annotator.formats import InputError
from annotator.formats.brat import iter_brat, read_brat
from annotator.services.importing import detect_format, import_paths


def pair(folder: Path, name: str, text: str | bytes, ann: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    (folder / f"{name}.ann").write_bytes(ann.encode("utf-8"))
    return folder / f"{name}.ann"


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "p.annotator", create=True)
    yield p
    p.close()


TEXT = "Sony and Ericsson formed a joint venture in London.\nIt was Sony’s idea."
ANN = "\n".join(
    [
        "T1\tORG 0 4\tSony",
        "T2\tORG 9 17\tEricsson",
        "T3\tAgreement 18 24\tformed",
        "T4\tGPE 44 50\tLondon",
        "E1\tAgreement:T3 Party:T1 Party2:T2",
        "R1\tlocated_in Arg1:T1 Arg2:T4",
        "A1\tNegated E1",
        "A2\tconfidence T1 high",
        "#1\tAnnotatorNotes T2\tcheck the spelling",
        "N1\tReference T4 Wikipedia:17867\tLondon",
        "*\tEquiv T1 T1",
        "T5\tCLAIM 52 70\tIt was Sony’s idea",
        "A3\tclaim_type T5 opinion",
        "#2\tAnnotatorNotes T5\tclaimant: a spokesman",
        "",
    ]
)


def test_every_line_type(tmp_path):
    doc, anns = read_brat(pair(tmp_path, "venture", TEXT, ANN))[0]
    assert doc.text == TEXT and doc.external_id == "venture"
    by_label = {a.label: a for a in anns}
    ev = by_label["Agreement"]
    assert ev.kind == "event" and ev.text_in(doc.text) == "formed"
    targets = {next(a for a in anns if a.id == arg.target).text_in(doc.text) for arg in ev.arguments}
    assert [a.role for a in ev.arguments] == ["Party", "Party"] and targets == {"Sony", "Ericsson"}
    assert ev.attributes == {"Negated": True}
    sony = next(a for a in anns if a.kind == "entity" and a.text_in(doc.text) == "Sony")
    assert sony.attributes == {"confidence": "high"}
    eric = next(a for a in anns if a.text_in(doc.text) == "Ericsson")
    assert eric.attributes == {}
    [record] = list(iter_brat(tmp_path / "venture.ann"))
    noted = {a.id: a.text_in(doc.text) for a in record.annotations}
    assert [(noted[n.target], n.type, n.text) for n in record.user_notes] == [
        ("Ericsson", "AnnotatorNotes", "check the spelling")
    ]
    london = next(a for a in anns if a.text_in(doc.text) == "London")
    assert london.attributes == {}
    assert [x.model_dump() for x in london.links] == [{"resource": "Wikipedia", "id": "17867", "name": "London"}]
    claim = by_label["CLAIM"]
    assert claim.kind == "claim" and claim.claimant_text == "a spokesman" and claim.attributes == {"claim_type": "opinion"}
    rels = sorted((a.label, a.head == sony.id) for a in anns if a.kind == "relation")
    assert rels == [("located_in", True)]
    texts = {a.id: a.text_in(doc.text) for a in record.annotations}
    assert [[texts[m] for m in c.members] for c in record.clusters] == [["Sony"]]  # brat's Equiv of entity spans: a cluster
    assert all(a.annotator == "imported" for a in anns)


def test_numbered_roles_keep_their_number_only_when_annotation_conf_declares_it(tmp_path):
    ann = "T1\tORG 0 4\tSony\nT2\tORG 9 17\tEricsson\nT3\tMERGE 18 24\tformed\nE1\tMERGE:T3 Org1:T1 Org2:T2\n"
    _, anns = read_brat(pair(tmp_path / "plain", "m", TEXT, ann))[0]
    ev = next(a for a in anns if a.kind == "event")
    assert [a.role for a in ev.arguments] == ["Org", "Org"]  # as brat reads them: Org1 is the first Org
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "annotation.conf").write_text("[entities]\nORG\n[events]\nMERGE\tOrg1:ORG, Org2:ORG\n")
    _, anns = read_brat(pair(tmp_path / "conf", "m", TEXT, ann))[0]
    ev = next(a for a in anns if a.kind == "event")
    assert [a.role for a in ev.arguments] == ["Org1", "Org2"]


def test_windows_line_ends_and_byte_order_mark_either_way_brat_counted(tmp_path):
    raw = "Line one.\r\nSony is here.\r\n"
    # offsets counted in the file as it is (\r\n = 2 code points) ...
    doc, anns = read_brat(pair(tmp_path / "a", "x", raw, "T1\tORG 11 15\tSony\n"))[0]
    assert doc.text == "Line one.\nSony is here.\n" and anns[0].text_in(doc.text) == "Sony"
    # ... or with \r\n read as one line break
    doc, anns = read_brat(pair(tmp_path / "b", "x", raw, "T1\tORG 10 14\tSony\n"))[0]
    assert anns[0].text_in(doc.text) == "Sony"
    # a byte-order mark that brat counted as a character
    doc, anns = read_brat(pair(tmp_path / "c", "x", b"\xef\xbb\xbf" + b"Sony.", "T1\tORG 1 5\tSony\n"))[0]
    assert doc.text == "Sony." and anns[0].text_in(doc.text) == "Sony"


def test_fragments_around_line_breaks_join_and_others_are_kept_as_fragments(tmp_path):
    text = "Valparaíso\u2028say the deal."
    doc, anns = read_brat(pair(tmp_path / "ok", "f", text, "T1\tMISC 0 10;11 14\tValparaíso say\n"))[0]
    assert anns[0].text_in(doc.text) == "Valparaíso\u2028say" and anns[0].fragments is None
    # a real gap: a discontinuous span (issue 14)
    doc, anns = read_brat(pair(tmp_path / "gap", "f", text, "T1\tMISC 0 4;19 23\tValp deal\n"))[0]
    assert anns[0].fragments == [(0, 4), (19, 23)] and anns[0].text_in(doc.text) == "Valp deal"
    with pytest.raises(InputError, match=r"f\.ann:1: T1: the fragments of 0 6;4 8 overlap"):
        read_brat(pair(tmp_path / "bad", "f", text, "T1\tMISC 0 6;4 8\tValpar araí\n"))


@pytest.mark.parametrize(
    "ann, message",
    [
        ("T1\tORG 0 4\tSomy\n", r"x\.ann:1: T1: the \.ann says the text is 'Somy' but the \.txt has 'Sony'"),
        ("T1\tORG 0 400\tSony\n", r"x\.ann:1: T1: span \[0, 400\) is outside the text"),
        ("T1\tORG zero 4\tSony\n", r"x\.ann:1: T1: offsets must be 'START END'"),
        ("T1\tORG 0 4\tSony\nE1\tAgreement:T9 Party:T1\n", r"x\.ann:2: E1: the trigger T9 is not a T annotation"),
        (
            "T1\tORG 0 4\tSony\nT2\tORG 9 17\tEricsson\nE1\tAgreement:T1\n",
            r"x\.ann:3: E1: the trigger T1 is a ORG, not a Agreement",
        ),
        ("T1\tORG 0 4\tSony\nR1\tlocated_in Arg1:T1 Arg2:T7\n", r"x\.ann:2: R1: refers to T7"),
        ("T1\tORG 0 4\tSony\nT1\tORG 9 17\tEricsson\n", r"x\.ann:2: the id T1 is used twice"),
        ("Q1\tORG 0 4\tSony\n", r"x\.ann:1: unknown annotation id 'Q1'"),
        ("T1 ORG 0 4 Sony\n", r"x\.ann:1: not a brat annotation line"),
    ],
)
def test_bad_ann_lines_name_file_and_line(tmp_path, ann, message):
    with pytest.raises(InputError, match=message):
        read_brat(pair(tmp_path, "x", TEXT, ann))


def test_ann_without_txt(tmp_path):
    (tmp_path / "lonely.ann").write_text("T1\tORG 0 4\tSony\n")
    with pytest.raises(InputError, match=r"lonely\.ann: no lonely\.txt beside it"):
        read_brat(tmp_path / "lonely.ann")


def test_folder_import_detects_pairs_and_leaves_a_bad_file_out(project, tmp_path):
    folder = tmp_path / "collection"
    pair(folder, "good", TEXT, "T1\tORG 0 4\tSony\nT2\tGPE 44 50\tLondon\n")
    pair(folder, "bad", "Another text here.", "T1\tORG 0 4\tNope\n")
    (folder / "plain.txt").write_text("A text without annotations.")
    (folder / "annotation.conf").write_text("[entities]\nORG\n")
    assert detect_format(folder / "good.ann") == "brat" and detect_format(folder / "good.txt") == "brat"
    assert detect_format(folder / "plain.txt") == "txt"
    report = import_paths(project, [folder])
    assert [(Path(f.path).name, f.format, f.documents) for f in report.files] == [
        ("bad.ann", "brat", 0),
        ("good.ann", "brat", 1),
        ("plain.txt", "txt", 1),
    ]
    assert "bad.ann:1: T1: the .ann says the text is 'Nope'" in str(report.files[0].errors[0])
    assert report.ignored == []  # annotation.conf is read with the .ann files, not "of unknown type"
    texts = sorted(project.document_text(i) for i in project.document_ids())
    assert texts == sorted([TEXT, "A text without annotations."])
    assert report.annotations == 2


def test_unknown_labels_are_refused_unless_added(project, tmp_path):
    ann_file = pair(tmp_path, "u", TEXT, "T1\tCOMPANY 0 4\tSony\n")
    report = import_paths(project, [ann_file])
    assert not report.ok and "COMPANY (entity" in str(report.errors[0]) and project.document_count() == 0
    report = import_paths(project, [ann_file], add_labels=True, annotator="bob")
    assert report.ok and project.document_count() == 1
    [a] = project.annotations(project.document_ids()[0])
    assert (a.label, a.annotator) == ("COMPANY", "bob")
