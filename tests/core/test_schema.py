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
            "c.toml: entities[0].color: colour 'red' is not of the form #rrggbb",
        ),
        (
            "k.toml",
            'name="x"\n[[entities]]\nname="ORG"\nkey="ab"\n',
            "k.toml: entities[0].key: shortcut 'ab' must be exactly one printable character",
        ),
        (
            "r.toml",
            'name="x"\n[[entities]]\nname="PERSON"\n[[events]]\nname="Meeting"\nroles=[{name="P", labels=["PEPRSON"]}]\n',
            "r.toml: events[0].roles[0].labels: unknown entity label 'PEPRSON'",
        ),
        ("d.yaml", "entities:\n  - name: ORG\n  - name: ORG\n", "d.yaml: entities: 'ORG' appears twice"),
        (
            "s.yaml",
            "entities:\n  - {name: ORG, key: o}\n  - {name: OTHER, key: o}\n",
            "shortcut 'o' is used by both entity ORG and entity OTHER",
        ),
        (
            "v.yaml",
            "claim:\n  attributes:\n    - {name: stance, values: [a, b], default: c}\n",
            "v.yaml: claim.attributes[0]: the default of stance, 'c', is not one of its values: a, b",
        ),
        (
            "e.yaml",
            "entities:\n  - {name: ORG, colour: '#ffffff'}\n",
            "e.yaml: entities[0].colour: Extra inputs are not permitted",
        ),
        ("n.yaml", "entities:\n  - {name: ' ORG'}\n", "n.yaml: entities[0].name: a name may not start or end with spaces"),
        ("m.yaml", "entities:\n  - {color: '#ffffff'}\n", "m.yaml: entities[0].name: Field required"),
        ("l.yaml", "- just\n- a list\n", "l.yaml: the schema must be a table/mapping at the top level"),
        ("t.toml", "name = \n", "t.toml: not valid TOML"),
        ("y.yaml", "entities: [\n", "y.yaml: not valid YAML"),
        (
            "p.yaml",
            "!!python/object/apply:os.system ['echo unsafe']\n",
            "p.yaml: not valid YAML: could not determine a constructor",
        ),
        ("x.ini", "[x]\n", "x.ini: unknown schema format 'ini'"),
        (
            "rel.yaml",
            "relations:\n  - {name: r, head_labels: [NOPE]}\n",
            "rel.yaml: relations[0].head_labels: unknown label 'NOPE'",
        ),
        ("cl.yaml", "claim: {claimant_labels: [NOPE]}\n", "cl.yaml: claim.claimant_labels: unknown entity label 'NOPE'"),
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
