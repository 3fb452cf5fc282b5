"""The label schema: the bundled news schema, good files, and bad files whose
messages name the file, the field and the problem."""

from pathlib import Path

import pytest
import yaml

from annotator.core.models import CLAIM_LABEL
from annotator.core.schema import SchemaError, default_schema, load_schema, loads_schema, parse_schema

GOOD_TOML = """
name = "mini"
version = 3

[[entities]]
name = "PERSON"
color = "#E57373"
key = "P"

[[entities]]
name = "ORG"

[[events]]
name = "Meeting"
key = "1"
roles = [{ name = "Participant", labels = ["PERSON", "ORG"], required = true }, { name = "Topic" }]

[claim]
claimant_labels = ["PERSON"]
attributes = [{ name = "stance", values = ["supports", "refutes"], default = "supports" }]

[[relations]]
name = "member_of"
head_labels = ["PERSON"]
tail_labels = ["ORG"]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    f = tmp_path / name
    f.write_text(text, "utf-8")
    return f


def test_default_news_schema_fits_the_seed_article():
    s = default_schema()
    assert s.name == "news"
    for label in ("PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "MONEY", "PERCENT", "QUANTITY", "PRODUCT", "LAW", "MISC"):
        assert s.entity(label) is not None, label
    grant = s.event_type("LicenceGrant")
    assert grant and {"Grantor", "Grantee", "Item"} <= {r.name for r in grant.roles}
    assert "GPE" in grant.role("Grantor").labels and "ORG" in grant.role("Grantee").labels
    meeting = s.event_type("Meeting")
    assert meeting and "PERSON" in meeting.role("Participant").labels
    for attr in ("claim_type", "check_worthiness", "stance", "veracity"):
        assert s.claim.attribute(attr) is not None, attr
    assert "statistical" in s.claim.attribute("claim_type").values
    keys = list(s.shortcuts())
    assert len(keys) == len(set(keys))


def test_good_toml_and_yaml(tmp_path):
    s = load_schema(write(tmp_path, "mini.toml", GOOD_TOML))
    assert (s.name, s.version) == ("mini", 3)
    assert s.entity("PERSON").color == "#e57373" and s.entity("PERSON").key == "p"
    assert s.entity("ORG").color == "#9e9e9e" and s.entity("ORG").key is None
    assert s.labels("entity") == ["PERSON", "ORG"] and s.labels("claim") == [CLAIM_LABEL]
    assert s.labels("event") == ["Meeting"] and s.labels("relation") == ["member_of"]
    assert s.shortcuts() == {"p": ("entity", "PERSON"), "1": ("event", "Meeting"), "c": ("claim", CLAIM_LABEL)}
    assert s.color("entity", "UNKNOWN") == "#9e9e9e" and s.color("claim", CLAIM_LABEL) == s.claim.color
    # YAML round trip through dump_yaml
    again = load_schema(write(tmp_path, "mini.yaml", s.dump_yaml()))
    assert again == s
    assert loads_schema(s.dump_yaml(), "yml") == s
    assert yaml.safe_load(s.dump_yaml())["events"][0]["roles"][0]["required"] is True


def test_bom_is_accepted(tmp_path):
    f = tmp_path / "bom.toml"
    f.write_bytes(b"\xef\xbb\xbf" + GOOD_TOML.encode())
    assert load_schema(f).name == "mini"


@pytest.mark.parametrize(
    "name, text, message",
    [
        (
            "c.toml",
            'name="x"\n[[entities]]\nname="ORG"\ncolor="red"\n',
            "c.toml:4: entities[0].color: colour 'red' is not of the form #rrggbb",
        ),
        (
            "k.toml",
            'name="x"\n[[entities]]\nname="ORG"\nkey="ab"\n',
            "k.toml:4: entities[0].key: shortcut 'ab' must be exactly one printable character",
        ),
        (
            "r.toml",
            'name="x"\n[[entities]]\nname="PERSON"\n[[events]]\nname="Meeting"\nroles=[{name="P", labels=["PEPRSON"]}]\n',
            "r.toml:6: events[0].roles[0].labels: unknown entity label 'PEPRSON'",
        ),
        ("d.yaml", "entities:\n  - name: ORG\n  - name: ORG\n", "d.yaml:1: entities: 'ORG' appears twice"),
        (
            "s.yaml",
            "entities:\n  - {name: ORG, key: o}\n  - {name: OTHER, key: o}\n",
            "shortcut 'o' is used by both entity ORG and entity OTHER",
        ),
        (
            "v.yaml",
            "claim:\n  attributes:\n    - {name: stance, values: [a, b], default: c}\n",
            "v.yaml:3: claim.attributes[0]: the default of stance, 'c', is not one of its values: a, b",
        ),
        (
            "e.yaml",
            "entities:\n  - {name: ORG, colour: '#ffffff'}\n",
            "e.yaml:2: entities[0].colour: unknown key 'colour' (did you mean 'color'?)",
        ),
        ("n.yaml", "entities:\n  - {name: ' ORG'}\n", "n.yaml:2: entities[0].name: a name may not start or end with spaces"),
        ("m.yaml", "entities:\n  - {color: '#ffffff'}\n", "m.yaml:2: entities[0].name: required key missing"),
        ("l.yaml", "- just\n- a list\n", "l.yaml: the schema must be a table/mapping at the top level"),
        ("t.toml", "name = \n", "t.toml:1: not valid TOML"),
        ("y.yaml", "entities: [\n", "y.yaml:2: not valid YAML"),
        (
            "p.yaml",
            "!!python/object/apply:os.system ['echo unsafe']\n",
            "p.yaml:1: not valid YAML: could not determine a constructor",
        ),
        ("x.ini", "[x]\n", "x.ini: unknown schema format 'ini'"),
        (
            "rel.yaml",
            "relations:\n  - {name: r, head_labels: [NOPE]}\n",
            "rel.yaml:2: relations[0].head_labels: unknown label 'NOPE'",
        ),
        ("cl.yaml", "claim: {claimant_labels: [NOPE]}\n", "cl.yaml:1: claim.claimant_labels: unknown entity label 'NOPE'"),
    ],
)
def test_bad_schema_files_name_file_field_and_problem(tmp_path, name, text, message):
    with pytest.raises(SchemaError) as info:
        load_schema(write(tmp_path, name, text))
    assert message in str(info.value)
    assert "Traceback" not in str(info.value)


def test_unreadable_and_undecodable_files(tmp_path):
    with pytest.raises(SchemaError, match="missing.toml: cannot read"):
        load_schema(tmp_path / "missing.toml")
    f = tmp_path / "latin.yaml"
    f.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SchemaError, match="latin.yaml: not UTF-8"):
        load_schema(f)


def test_parse_schema_names_its_source():
    with pytest.raises(SchemaError, match=r"^stored: entities\[0\]\.name"):
        parse_schema({"entities": [{"name": ""}]}, "stored")


# -- guidelines (issue 14) ----------------------------------------------------
GUIDED_TOML = """
name = "guided"

[[entities]]
name = "PERSON"
key = "p"
description = "People, by *name*."
examples = ["**Randhir Jaiswal** said", "**Jaiswal** told"]
counter_examples = ["the spokesperson"]

[[events]]
name = "Meeting"
description = "Parties meet."
roles = [
  { name = "Participant", labels = ["PERSON"], description = "Who meets.", examples = ["**Modi** met Xi"] },
  { name = "Place" },
]

[claim]
description = "A checkable statement."

[[claim.attributes]]
name = "stance"
description = "The claimant's stance."
values = [
  "neutral",
  { name = "supports", description = "Asserts it.", examples = ["we confirm"] },
  { name = "refutes", counter_examples = ["asks whether"] },
]
"""


def test_guidelines_per_label_role_and_value(tmp_path):
    s = load_schema(write(tmp_path, "g.toml", GUIDED_TOML))
    person = s.entity("PERSON")
    assert person.description == "People, by *name*."
    assert person.examples == ["**Randhir Jaiswal** said", "**Jaiswal** told"]
    assert person.counter_examples == ["the spokesperson"]
    role = s.event_type("Meeting").role("Participant")
    assert (role.description, role.examples, role.counter_examples) == ("Who meets.", ["**Modi** met Xi"], [])
    assert not s.event_type("Meeting").role("Place").has_guidelines()
    stance = s.claim.attribute("stance")
    assert stance.values == ["neutral", "supports", "refutes"]  # the names only, in file order
    assert stance.value_guide("supports").description == "Asserts it."
    assert stance.value_guide("supports").examples == ["we confirm"]
    assert stance.value_guide("refutes").counter_examples == ["asks whether"]
    assert not stance.value_guide("neutral").has_guidelines()
    assert s.guide("entity", "PERSON").examples == person.examples
    assert s.guide("entity", "NOPE") == s.guide("claim", "x").__class__()  # empty guidelines
    titles = [(e.kind, e.part, e.title) for e in s.guide_entries()]
    assert titles == [
        ("entity", "", "PERSON"),
        ("event", "", "Meeting"),
        ("event", "role", "Meeting · role Participant"),
        ("event", "role", "Meeting · role Place"),
        ("claim", "", "CLAIM"),
        ("claim", "attribute", "claim · stance"),
        ("claim", "value", "claim · stance = neutral"),
        ("claim", "value", "claim · stance = supports"),
        ("claim", "value", "claim · stance = refutes"),
    ]
    # YAML dump: values with guidelines as tables, no empty lists; round trips, also as stored JSON
    dumped = yaml.safe_load(s.dump_yaml())
    assert dumped["claim"]["attributes"][0]["values"][0] == "neutral"
    assert dumped["claim"]["attributes"][0]["values"][1] == {
        "name": "supports",
        "description": "Asserts it.",
        "examples": ["we confirm"],
    }
    assert "examples" not in dumped["events"][0]["roles"][1]
    assert loads_schema(s.dump_yaml(), "yaml") == s
    assert parse_schema(s.to_dict()) == s


def test_guide_markdown():
    from annotator.core.schema import Guidelines, guide_markdown

    g = Guidelines(description="People.", examples=["**A** said", "two\nlines"], counter_examples=["he"])
    md = guide_markdown(g, "PERSON_X", key="p")
    assert md == "**PERSON\\_X** (key `p`)\n\nPeople.\n\nExamples:\n\n- **A** said\n- two\n  lines\n\nNot this:\n\n- he"
    assert guide_markdown(Guidelines()) == ""


def test_news_schema_ships_guidelines_for_everything():
    s = default_schema()
    for e in s.guide_entries():
        assert e.guide.description.strip(), f"{e.title} has no description"
    for label in [e.name for e in s.entities if e.name not in ("TIME", "PERCENT", "MISC")] + [e.name for e in s.events]:
        kind = "entity" if s.entity(label) else "event"
        g = s.guide(kind, label)
        assert g.examples, f"{label} has no examples"
    for label in ("PERSON", "ORG", "GPE", "LicenceGrant", "Statement", "TradeRestriction"):
        kind = "entity" if s.entity(label) else "event"
        assert s.guide(kind, label).counter_examples, label
    assert s.guide("claim", CLAIM_LABEL).examples and s.guide("claim", CLAIM_LABEL).counter_examples
    assert "Jaiswal" in " ".join(s.event_type("Statement").role("Speaker").examples)


@pytest.mark.parametrize(
    "name, text, message",
    [
        (
            "gv.toml",
            '[claim]\nattributes = [\n  { name = "stance", values = [\n    "a",\n    { name = "b", descripton = "x" },\n  ] },\n]\n',
            "gv.toml:5: claim.attributes[0].values[1].descripton: unknown key 'descripton' (did you mean 'description'?)",
        ),
        (
            "ge.toml",
            '[[entities]]\nname = "A"\n\n[[entities]]\nname = "B"\nexamples = "just one"\n',
            "ge.toml:6: entities[1].examples: Input should be a valid list (got a string)",
        ),
        (
            "gr.toml",
            '[[entities]]\nname = "A"\n[[events]]\nname = "M"\nroles = [\n  { name = "P" },\n  { name = "Q", exemples = ["x"] },\n]\n',
            "gr.toml:7: events[0].roles[1].exemples: unknown key 'exemples' (did you mean 'examples'?)",
        ),
        (
            "gy.yaml",
            "claim:\n  attributes:\n    - name: s\n      values:\n        - a\n        - name: b\n          examples: 3\n",
            "gy.yaml:7: claim.attributes[0].values[1].examples: Input should be a valid list (got an integer)",
        ),
        (
            "gk.yaml",
            "name: x\nlabels:\n  - PERSON\n",
            "gk.yaml:2: labels: unknown key 'labels' (allowed: ",
        ),
        (
            "gn.yaml",
            "entities:\n  - name: 7\n",
            "gn.yaml:2: entities[0].name: Input should be a valid string (got an integer)",
        ),
        (
            "gu.yaml",
            "claim:\n  attributes:\n    - {name: s, values: [a], value_guides: {z: {description: zz}}}\n",
            "gu.yaml:3: claim.attributes[0]: guidelines for 'z', which is not one of the values of s: a",
        ),
        (
            "gt.toml",
            '[[entities]]\nname = "A"\ndescription = """never closed\n',
            "gt.toml:4: not valid TOML: Unterminated string at the end of the file",
        ),
    ],
)
def test_bad_guidelines_name_file_line_and_problem(tmp_path, name, text, message):
    with pytest.raises(SchemaError) as info:
        load_schema(write(tmp_path, name, text))
    assert message in str(info.value)


def test_guidelines_survive_the_project(tmp_path):
    from annotator.core.store import Project

    s = loads_schema(GUIDED_TOML, "toml", "g.toml")
    p = Project(tmp_path / "g.annotator", create=True)
    try:
        p.set_schema(s)
    finally:
        p.close()
    p = Project(tmp_path / "g.annotator")
    try:
        assert p.schema == s
        assert p.schema.claim.attribute("stance").value_guide("supports").examples == ["we confirm"]
    finally:
        p.close()
