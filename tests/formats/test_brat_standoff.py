"""brat standoff in full: every line type and variant brat writes (in the shapes of
brat's own example data and standoff documentation, on small texts of our own),
read in two passes, and written back with the same meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.models import Annotation
from annotator.core.store import Project
from annotator.formats import InputError
from annotator.formats.brat import iter_brat, read_brat
from annotator.formats.writing import ExportOptions
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from tests.formats.brat_meaning import meaning

TEXT = (
    "Acme Corp bought Beta Ltd in Paris on Monday. Reuters reported the purchase, "
    "and Le Monde reported it too.\nAcme's chief Jane Roe called the takeover a merger of equals."
)


def at(phrase: str, nth: int = 0, text: str = TEXT) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def t(ident: str, typ: str, phrase: str, nth: int = 0, text: str = TEXT) -> str:
    s, e = at(phrase, nth, text)
    return f"{ident}\t{typ} {s} {e}\t{phrase}"


def pair(folder: Path, name: str, ann: str, text: str = TEXT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8", newline="")
    return folder / f"{name}.ann"


def read(folder: Path, ann: str, text: str = TEXT) -> tuple[str, list[Annotation]]:
    doc, anns = read_brat(pair(folder, "doc", ann, text))[0]
    return doc.text, anns


def read_notes(folder: Path, ann: str, text: str = TEXT) -> tuple[str, list[Annotation], dict[str, dict[str, str]]]:
    """The text, the annotations and the notes read (annotation id -> {type: text})."""
    [record] = list(iter_brat(pair(folder, "doc", ann, text)))
    notes: dict[str, dict[str, str]] = {}
    for n in record.user_notes:
        notes.setdefault(n.target, {})[n.type] = n.text
    return record.document.text, record.annotations, notes


def by_text(anns: list[Annotation], text: str, phrase: str, kind: str | None = None) -> list[Annotation]:
    return [a for a in anns if a.text_in(text) == phrase and (kind is None or a.kind == kind)]


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "p.annotator", create=True)
    yield p
    p.close()


# Every line type of brat's standoff format, referring backwards and forwards.
EVERY_LINE = "\n".join(
    [
        t("T1", "Organization", "Acme Corp"),
        t("T2", "Purchase", "bought"),
        # an event whose argument is an event defined later (E2 reports E1, E3 reports E1 too)
        "E2\tReport:T5 Reporter:T4 Event:E1",
        "E1\tPurchase:T2 Buyer:T1 Item:T3 Place:T6",
        t("T3", "Organization", "Beta Ltd"),
        t("T4", "Organization", "Reuters"),
        t("T5", "Report", "reported"),
        t("T6", "GPE", "Paris"),
        t("T7", "Organization", "Le Monde"),
        t("T8", "Report", "reported", 1),
        "E3\tReport:T8 Reporter:T7 Event:E1",
        # two events on one trigger
        t("T9", "Merge", "merger"),
        "E4\tMerge:T9 Org:T1 Org2:T3",
        "E5\tMerge:T9",
        # identical spans with different types
        t("T10", "Person", "Jane Roe"),
        t("T11", "Executive", "Jane Roe"),
        # relations, also to and from events
        "R1\tEmployment Arg1:T10 Arg2:T1",
        "R2\tCause Arg1:E1 Arg2:E4\t",
        # equivalences of any type and size
        "*\tEquiv T1 T10 T11",
        "*\tAlias T3 T4",
        # attributes (A and legacy M; binary and valued) on T, E and R
        "A1\tNegation E5",
        "A2\tConfidence E1 High",
        "M1\tSpeculation E4",
        "A3\tMention T10 Name",
        "A4\tUncertain R1",
        # normalizations
        "N1\tReference T6 Wikipedia:22989\tParis",
        "N2\tReference T1 GeoNames:123\t",
        # notes of any type on T, E and R, text verbatim (trailing spaces, tabs)
        "#1\tAnnotatorNotes T1\tIs this the parent company?  ",
        "#2\tAnnotatorNotes E2\treported\tby wire",
        "#3\tAnnotatorNotes R1\tCheck the employment date.",
        "#4\tTODO E5\t",
    ]
)


def test_every_line_type_is_read_with_forward_references(tmp_path):
    text, anns = read(tmp_path, EVERY_LINE + "\n")
    [purchase] = [a for a in anns if a.label == "Purchase"]
    reports = [a for a in anns if a.label == "Report"]
    assert len(reports) == 2 and all(r.kind == "event" for r in reports)
    for r in reports:
        assert [(x.role, x.target) for x in r.arguments if x.role == "Event"] == [("Event", purchase.id)]
    assert purchase.attributes == {"Confidence": "High"}
    by_id = {a.id: a for a in anns}
    assert [(x.role, by_id[x.target].text_in(text)) for x in purchase.arguments] == [
        ("Buyer", "Acme Corp"),
        ("Item", "Beta Ltd"),
        ("Place", "Paris"),
    ]


def test_two_events_on_one_trigger_are_two_events_on_one_span(tmp_path):
    text, anns, notes = read_notes(tmp_path, EVERY_LINE)
    merges = by_text(anns, text, "merger", "event")
    assert len(merges) == 2 and merges[0].id != merges[1].id
    with_args, without = sorted(merges, key=lambda a: -len(a.arguments))
    assert [x.role for x in with_args.arguments] == ["Org", "Org"]
    assert with_args.attributes == {"Speculation": True}
    assert without.arguments == [] and without.attributes == {"Negation": True}
    assert notes[without.id] == {"TODO": ""}


def test_identical_spans_with_different_types_stay_apart(tmp_path):
    text, anns = read(tmp_path, EVERY_LINE)
    assert sorted(a.label for a in by_text(anns, text, "Jane Roe")) == ["Executive", "Person"]


def test_relations_equivalences_attributes_normalizations_and_notes(tmp_path):
    text, anns, notes = read_notes(tmp_path, EVERY_LINE)
    by_id = {a.id: a for a in anns}
    rels = {(a.label, by_id[a.head].text_in(text), by_id[a.tail].text_in(text)): a for a in anns if a.kind == "relation"}
    employment = rels[("Employment", "Jane Roe", "Acme Corp")]
    assert employment.attributes == {"Uncertain": True}
    assert notes[employment.id] == {"AnnotatorNotes": "Check the employment date."}
    cause = rels[("Cause", "bought", "merger")]
    assert by_id[cause.head].kind == by_id[cause.tail].kind == "event" and cause.attributes == {}
    equiv = [k for k, a in rels.items() if a.attributes.get("equivalence") is True]
    # other equivalence types stay relations; Equiv lines of entity spans are coreference clusters
    assert sorted(equiv) == [("Alias", "Beta Ltd", "Reuters")]
    [record] = list(iter_brat(tmp_path / "doc.ann"))
    labels = {a.id: a.label for a in record.annotations}
    assert [sorted(labels[m] for m in c.members) for c in record.clusters] == [["Executive", "Organization", "Person"]]
    [acme] = by_text(anns, text, "Acme Corp")
    assert acme.attributes == {}
    assert notes[acme.id] == {"AnnotatorNotes": "Is this the parent company?  "}  # verbatim
    assert [x.model_dump() for x in acme.links] == [{"resource": "GeoNames", "id": "123", "name": ""}]  # an entity's link
    [paris] = by_text(anns, text, "Paris")
    assert [x.model_dump() for x in paris.links] == [{"resource": "Wikipedia", "id": "22989", "name": "Paris"}]
    [report] = [a for a in anns if a.label == "Report" and any(by_id[x.target].text_in(text) == "Reuters" for x in a.arguments)]
    assert report.attributes == {} and notes[report.id] == {"AnnotatorNotes": "reported\tby wire"}
    [person] = [a for a in anns if a.label == "Person"]
    assert person.attributes == {"Mention": "Name"}


def test_numbered_roles_are_their_role_in_the_order_of_their_numbers(tmp_path):
    ann = "\n".join(
        [
            t("T1", "Organization", "Acme Corp"),
            t("T2", "Organization", "Beta Ltd"),
            t("T3", "Organization", "Reuters"),
            t("T4", "Merge", "merger"),
            "E1\tMerge:T4 Org3:T3 Theme:T1 Org2:T2 Org1:T1",
        ]
    )
    text, anns = read(tmp_path, ann)
    [ev] = [a for a in anns if a.kind == "event"]
    by_id = {a.id: a for a in anns}
    assert [(x.role, by_id[x.target].text_in(text)) for x in ev.arguments] == [
        ("Org", "Acme Corp"),
        ("Theme", "Acme Corp"),
        ("Org", "Beta Ltd"),
        ("Org", "Reuters"),
    ]


def test_events_without_arguments_and_a_cycle_of_events(tmp_path):
    ann = "\n".join(
        [
            t("T1", "Report", "reported"),
            t("T2", "Report", "reported", 1),
            "E1\tReport:T1 Event:E2",
            "E2\tReport:T2 Event:E1",
            t("T3", "Merge", "merger"),
            "E3\tMerge:T3",
        ]
    )
    text, anns = read(tmp_path, ann)
    e1, e2 = by_text(anns, text, "reported")
    assert e1.arguments[0].target == e2.id and e2.arguments[0].target == e1.id
    [merge] = by_text(anns, text, "merger")
    assert merge.kind == "event" and merge.arguments == []


def test_brat_tutorial_shapes_note_on_a_relation_and_trailing_tabs(tmp_path):
    """brat's tutorials have R lines ending in a tab and a note on a relation (``#3
    AnnotatorNotes R1``), which used to be refused."""
    ann = "\n".join(
        [
            t("T1", "Organization", "Acme Corp"),
            t("T2", "Person", "Jane Roe"),
            "R1\tEmployment Arg1:T2 Arg2:T1\t",
            "#3\tAnnotatorNotes R1\tShould this be annotated? ",
        ]
    )
    text, anns, notes = read_notes(tmp_path, ann + "\n")
    [rel] = [a for a in anns if a.kind == "relation"]
    assert rel.attributes == {} and notes == {rel.id: {"AnnotatorNotes": "Should this be annotated? "}}


@pytest.mark.parametrize(
    "ann",
    [
        "",  # empty
        "\n\n",
        t("T1", "Organization", "Acme Corp"),  # no final newline
        t("T1", "Organization", "Acme Corp") + "\t \n",  # trailing tab and space after the text
        t("T1", "Organization", "Acme Corp").replace("\tAcme", " \tAcme") + "\r\n",  # space before the tab, CRLF
        "T1\tOrganization 0 9\t\n",  # no text: brat fills it from the .txt
        "T1\tOrganization 0 9\n",
    ],
)
def test_empty_and_untidy_files(tmp_path, ann):
    text, anns = read(tmp_path, ann)
    assert text == TEXT
    assert [(a.label, a.text_in(text)) for a in anns] == ([("Organization", "Acme Corp")] if ann.strip() else [])


def test_discontinuous_spans_are_read_as_fragments_and_whitespace_gaps_joined(tmp_path):
    s1, e1 = at("Acme")
    s2, e2 = at("Ltd")
    text, anns = read(tmp_path / "a", f"T1\tOrganization {s1} {e1};{s2} {e2}\tAcme Ltd\n")
    assert anns[0].fragments == [(0, 4), (22, 25)] and anns[0].text_in(text) == "Acme Ltd"
    text, anns = read(tmp_path / "b", "T1\tOrganization 0 4;5 9\tAcme Corp\n")
    assert anns[0].text_in(text) == "Acme Corp" and anns[0].fragments == [(0, 4), (5, 9)]  # apart by a space: as brat keeps it
    text, anns = read(tmp_path / "c", "T1\tOrganization 0 4;5 9\tAcme Corp\n", "Acme\nCorp")
    assert anns[0].text_in(text) == "Acme\nCorp" and anns[0].fragments is None  # brat's cut at a line break: joined


def test_ann_without_txt_is_a_clear_error(project, tmp_path):
    (tmp_path / "alone.ann").write_text(t("T1", "Organization", "Acme Corp"))
    report = import_paths(project, [tmp_path / "alone.ann"])
    assert report.files[0].refused
    assert (
        str(report.errors[0])
        == f"{tmp_path / 'alone.ann'}: no alone.txt beside it: brat annotations belong to a .txt of the same name"
    )
    assert project.document_count() == 0


@pytest.mark.parametrize(
    "line, message",
    [
        (
            "R9\tEmployment Arg1:T1 Arg2:A1",
            r"doc\.ann:3: R9: refers to A1, an attribute line; it must be a text-bound or event annotation",
        ),
        ("R9\tEmployment Arg1:T1", r"doc\.ann:3: R9: a relation is 'TYPE Arg1:ID Arg2:ID'"),
        ("R9\tEmployment Arg1:T1 Arg1:T1", r"R9: a relation is 'TYPE Arg1:ID Arg2:ID' \(two arguments with different names\)"),
        ("E9\tMerge:T1", r"E9: the trigger T1 is a Organization, not a Merge"),
        ("E9\tOrganization:T1 Org:R1", r"E9: refers to R1, a relation line; it must be a text-bound or event annotation"),
        ("E9\tOrganization:T1 Org", r"E9: argument 'Org' must be ROLE:ID"),
        ("E9\tOrganization", r"E9: an event line starts with TYPE:TRIGGER"),
        ("#9\tAnnotatorNotes X7\tnote", r"#9: refers to X7, which is not an annotation of this file"),
        (
            "#9\tAnnotatorNotes A1\tnote",
            r"#9: refers to A1, an attribute line; it must be a text-bound, event or relation annotation",
        ),
        ("N9\tReference T1 Wikipedia\tAcme", r"N9: a normalization is 'N1<TAB>TYPE ID RESOURCE:KEY<TAB>NAME'"),
        ("A9\tnotes T1 x", r"A9: the attribute name 'notes' is where annotator keeps brat's notes"),
        ("A9\tConfidence T1 Low", r"doc\.ann:4: A1: T1 has the attribute Confidence twice, with different values"),
        ("*\tEquiv", r"\*: no annotation type|an equivalence lists"),
        ("*\tEquiv T1 R1", r"\*: refers to R1, a relation line"),
        ("X1\tOrganization 0 4\tAcme", r"doc\.ann:3: unknown annotation id 'X1'"),
        ("T1\tOrganization 0 4\tAcme", r"doc\.ann:3: the id T1 is used twice \(first on line 1\)"),
        ("T9\tOrganization 0 0\t", r"T9: span \[0, 0\) is outside the text .* or empty"),
    ],
)
def test_bad_lines_name_file_line_and_problem(tmp_path, line, message):
    ann = "\n".join([t("T1", "Organization", "Acme Corp"), "R1\tOwns Arg1:T1 Arg2:T1", line, "A1\tConfidence T1 High"])
    with pytest.raises(InputError, match=message):
        read(tmp_path, ann)


@pytest.mark.parametrize("name", ["100% sure", "Zürich news", "新闻 2024", "a%20b"])
def test_file_names_with_percent_spaces_and_non_ascii(project, tmp_path, name):
    folder = tmp_path / "in"
    pair(folder, name, t("T1", "Organization", "Acme Corp") + "\n")
    report = import_paths(project, [folder], add_labels=True)
    assert report.ok and report.documents == 1 and report.annotations == 1, [str(e) for e in report.errors]
    [doc_id] = project.document_ids()
    assert project.get_document(doc_id).external_id == name
    export(project, ExportOptions("brat", out=tmp_path / "out"))
    assert (tmp_path / "out" / f"{name}.txt").read_text("utf-8") == TEXT
    assert (tmp_path / "out" / f"{name}.ann").read_text("utf-8") == t("T1", "Organization", "Acme Corp") + "\n"


CONF = """\
# A configuration in the shape of brat's own
[entities]
Organization
Person
!Place
\tGPE
CLAIM
----------
[relations]
Employment\tArg1:Person, Arg2:Organization
Cause\tArg1:<EVENT>, Arg2:<EVENT>
Equiv\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive
<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>
[events]
<ORGS>=Organization|Person
Purchase\tBuyer:<ORGS>, Item:Organization, Place?:GPE
Report\tReporter:<ORGS>, Event:<EVENT>
Merge\tOrg+:Organization, Org1{0-1}:Organization
[attributes]
Negation\tArg:<EVENT>
Confidence\tArg:<EVENT>, Value:High|Low
claim_kind\tArg:CLAIM, Value:quote|statistic
"""


def test_annotation_conf_makes_the_schema_labels_roles_and_values(project, tmp_path):
    folder = tmp_path / "collection"
    (folder / "sub").mkdir(parents=True)
    (folder / "annotation.conf").write_text(CONF)  # found from a document in a folder below, as brat does
    ann = "\n".join([t("T1", "Organization", "Acme Corp"), t("T2", "Merge", "merger"), "E1\tMerge:T2 Org1:T1 Org2:T1"])
    pair(folder / "sub", "doc", ann)
    report = import_paths(project, [folder], add_labels=True)
    assert report.ok, [str(e) for e in report.errors]
    schema = project.schema
    for label in ("Organization", "Person", "GPE"):
        assert schema.entity(label) is not None
    assert schema.entity("Place") is None and schema.entity("----------") is None
    purchase = schema.event_type("Purchase")
    assert purchase is not None
    assert [(r.name, r.labels, r.required) for r in purchase.roles] == [
        ("Buyer", ["Organization", "Person"], True),
        ("Item", ["Organization"], True),
        ("Place", ["GPE"], False),
    ]
    report_type = schema.event_type("Report")
    assert report_type is not None and [(r.name, r.labels) for r in report_type.roles] == [
        ("Reporter", ["Organization", "Person"]),
        ("Event", []),
    ]
    employment = schema.relation_type("Employment")
    assert employment is not None and (employment.head_labels, employment.tail_labels) == (["Person"], ["Organization"])
    assert schema.relation_type("Equiv") is not None and schema.relation_type("<OVERLAP>") is None
    kind = schema.claim.attribute("claim_kind")
    assert kind is not None and kind.values == ["quote", "statistic"]
    assert "event Purchase" in report.files[0].added_labels and "claim attribute claim_kind" in report.files[0].added_labels
    # the conf declares Org1 as a role of its own: it keeps its number; Org2 is the second Org
    [ev] = [a for a in project.annotations(project.document_ids()[0]) if a.kind == "event"]
    assert [x.role for x in ev.arguments] == ["Org1", "Org"]


def test_without_add_labels_the_conf_changes_nothing(project, tmp_path):
    (tmp_path / "annotation.conf").write_text(CONF)
    pair(tmp_path, "doc", t("T1", "Organization", "Acme Corp"))
    before = project.schema
    report = import_paths(project, [tmp_path / "doc.ann"])
    assert not report.ok and "Organization (entity" in str(report.errors[0])
    assert project.schema == before and project.document_count() == 0


def test_round_trip_keeps_the_meaning_of_every_line(project, tmp_path):
    """brat -> annotator -> brat: every line means what it meant (ids may be renumbered)."""
    pair(tmp_path / "in", "every", EVERY_LINE + "\n")
    report = import_paths(project, [tmp_path / "in"], add_labels=True)
    assert report.ok, [str(e) for e in report.errors]
    export(project, ExportOptions("brat", out=tmp_path / "out"))
    written = (tmp_path / "out" / "every.ann").read_text("utf-8")
    expected = meaning(EVERY_LINE)
    # the Equiv set of entity spans came in as a coreference cluster: it goes out as one
    # (docs/formats.md: clusters are written as Coreference lines)
    for (etype, members), n in list(expected["*"].items()):
        if etype == "Equiv":
            del expected["*"][(etype, members)]
            expected["*"][("Coreference", members)] += n
    assert meaning(written) == expected
    # one trigger for the two events on "merger", and the * sets as brat writes them
    s, e = at("merger")
    assert sum(1 for line in written.splitlines() if line.startswith("T") and f" {s} {e}\t" in line) == 1
    assert sum(1 for line in written.splitlines() if line.startswith("*\t")) == 2
    conf = (tmp_path / "out" / "annotation.conf").read_text("utf-8")
    assert "Alias\tArg1:<ANY>, Arg2:<ANY>, <REL-TYPE>:symmetric-transitive" in conf
    # and back again: the same annotations
    fresh = Project(tmp_path / "fresh.annotator", create=True)
    again = import_paths(fresh, [tmp_path / "out"], add_labels=True)
    assert again.ok and again.annotations == report.annotations
    export(fresh, ExportOptions("brat", out=tmp_path / "out2"))
    assert meaning((tmp_path / "out2" / "every.ann").read_text("utf-8")) == meaning(written)
    fresh.close()


def test_relation_argument_names_other_than_arg1_arg2_are_kept(project, tmp_path):
    ann = "\n".join(
        [t("T1", "Organization", "Acme Corp"), t("T2", "Person", "Jane Roe"), "R1\tEmployment Employee:T2 Employer:T1"]
    )
    pair(tmp_path / "in", "roles", ann)
    assert import_paths(project, [tmp_path / "in"], add_labels=True).ok
    export(project, ExportOptions("brat", out=tmp_path / "out"))
    written = (tmp_path / "out" / "roles.ann").read_text("utf-8")
    assert "R1\tEmployment Employee:T2 Employer:T1" in written.splitlines()
    assert "Employment\tEmployee:<ANY>, Employer:<ANY>" in (tmp_path / "out" / "annotation.conf").read_text("utf-8")


def test_an_export_imported_with_add_labels_keeps_claimants_as_claimants(project, tmp_path):
    """The export's annotation.conf declares ``claimant`` (how it writes a claim's
    claimant span); importing it with --add-labels makes no ``claimant`` relation label."""
    ann = "\n".join(
        [
            t("T1", "CLAIM", "called the takeover a merger of equals"),
            t("T2", "Person", "Jane Roe"),
            "R1\tclaimant Arg1:T1 Arg2:T2",
            "A1\tclaim_type T1 quote",
            "A2\tSource T1 wire service",  # a valued attribute with spaces, as brat reads it: the rest of the line
        ]
    )
    pair(tmp_path / "in", "claim", ann)
    assert import_paths(project, [tmp_path / "in"], add_labels=True).ok
    export(project, ExportOptions("brat", out=tmp_path / "out"))
    fresh = Project(tmp_path / "fresh.annotator", create=True)
    report = import_paths(fresh, [tmp_path / "out"], add_labels=True)
    assert report.ok, [str(e) for e in report.errors]
    assert fresh.schema.relation_type("claimant") is None
    [claim] = [a for a in fresh.annotations(fresh.document_ids()[0]) if a.kind == "claim"]
    assert claim.claimant_ref is not None and claim.attributes == {"claim_type": "quote", "Source": "wire_service"}
    [original] = [a for a in project.annotations(project.document_ids()[0]) if a.kind == "claim"]
    assert original.attributes == {"claim_type": "quote", "Source": "wire service"}
    fresh.close()


def test_an_equivalence_type_the_schema_declares_is_one_conf_line(project, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "annotation.conf").write_text(CONF)
    pair(
        tmp_path / "in",
        "eq",
        "\n".join(
            [
                t("T1", "Organization", "Acme Corp"),
                t("T2", "Organization", "Beta Ltd"),
                t("T3", "Purchase", "bought"),
                t("T4", "Report", "reported"),
                "E1\tPurchase:T3 Buyer:T1 Item:T2",
                "E2\tReport:T4",
                "*\tEquiv E1 E2",  # events: not coreference mentions, an equivalence relation as before
            ]
        ),
    )
    assert import_paths(project, [tmp_path / "in"], add_labels=True).ok
    export(project, ExportOptions("brat", out=tmp_path / "out"))
    conf = (tmp_path / "out" / "annotation.conf").read_text("utf-8").splitlines()
    assert [line for line in conf if line.startswith("Equiv\t")] == [
        "Equiv\tArg1:<ANY>, Arg2:<ANY>, <REL-TYPE>:symmetric-transitive"
    ]
    assert "*\tEquiv E1 E2" in (tmp_path / "out" / "eq.ann").read_text("utf-8").splitlines()
