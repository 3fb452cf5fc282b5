"""Claim attributes start unset (issue 12, defect 4): the bundled schema declares no
defaults, a schema may declare one (checked), unset is an absent key (a null read
from a file is unset too), old projects whose stored schema is the bundled one of
old lose its made-up defaults (their claims stay as they are), agreement and
review treat unset as no judgement, and every value has one key."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.core.agreement import agreement
from annotator.core.commands import AddAnnotations, apply
from annotator.core.models import Document, claim
from annotator.core.review import align
from annotator.core.schema import RESERVED_ATTRIBUTE_KEYS, SchemaError, default_schema, loads_schema, parse_schema
from annotator.core.store import Project

LEGACY_DEFAULTS = {"claim_type": "factual", "check_worthiness": "medium", "stance": "supports", "veracity": "unverified"}


# -- the schema ------------------------------------------------------------------------
def test_bundled_schema_starts_every_claim_attribute_unset():
    attrs = default_schema().claim.attributes
    assert [a.name for a in attrs] == ["claim_type", "check_worthiness", "stance", "veracity"]
    assert {a.name: a.default for a in attrs} == dict.fromkeys(LEGACY_DEFAULTS)
    assert default_schema().claim.new_attributes() == {}


def test_an_explicit_default_is_kept_and_applied():
    s = parse_schema(
        {
            "claim": {
                "attributes": [{"name": "stance", "values": ["pro", "con"], "default": "con"}, {"name": "v", "values": ["x"]}]
            }
        }
    )
    assert s.claim.attribute("stance").default == "con"
    assert s.claim.new_attributes() == {"stance": "con"}


def test_a_default_that_is_not_a_value_is_refused_with_a_clear_message():
    text = '[claim]\nattributes = [{ name = "stance", values = ["supports", "refutes"], default = "Supports" }]\n'
    with pytest.raises(SchemaError) as err:
        loads_schema(text, "toml", "team.toml")
    assert str(err.value) == (
        "team.toml:2: claim.attributes[0]: the default of stance, 'Supports', is not one of its values: supports, refutes"
    )


# -- keys --------------------------------------------------------------------------------
def test_every_value_of_the_bundled_schema_has_its_own_key():
    keys = default_schema().claim.attribute_keys()
    assert {v: k for k, v in keys.items()} == {
        ("check_worthiness", "high"): "h",
        ("check_worthiness", "medium"): "m",
        ("check_worthiness", "low"): "l",
        ("check_worthiness", "none"): "b",
        ("stance", "supports"): "s",
        ("stance", "refutes"): "e",
        ("stance", "neutral"): "n",
        ("claim_type", "statistical"): "d",
        ("claim_type", "factual"): "f",
        ("claim_type", "causal"): "c",
        ("claim_type", "quote"): "q",
        ("claim_type", "prediction"): "p",
        ("claim_type", "opinion"): "o",
        ("veracity", "unverified"): "u",
        ("veracity", "true"): "t",
        ("veracity", "mostly_true"): "y",
        ("veracity", "mixed"): "i",
        ("veracity", "mostly_false"): "j",
        ("veracity", "false"): "g",
        ("veracity", "unverifiable"): "v",
    }
    assert not set(keys) & RESERVED_ATTRIBUTE_KEYS


def test_keys_of_any_schema_are_letters_unique_and_never_reserved():
    values = [f"v{i}" for i in range(30)]  # more values than letters: the rest are set with the mouse
    s = parse_schema(
        {
            "claim": {
                "attributes": [
                    {"name": "many", "values": values},
                    {"name": "wahrheit", "values": ["wahr", "falsch", "ärgerlich", "真"]},
                    {"name": "other", "values": ["a", "k", "r"]},
                ]
            }
        }
    )
    keys = s.claim.attribute_keys(reserved={"z"})
    assert all(len(k) == 1 and "a" <= k <= "z" for k in keys)
    assert not set(keys) & (RESERVED_ATTRIBUTE_KEYS | {"z"})
    assert len(keys) == 26 - len(RESERVED_ATTRIBUTE_KEYS) - 1
    assert len(set(keys.values())) == len(keys)
    by_value = {v: k for k, v in keys.items()}
    assert by_value[("wahrheit", "wahr")] == "w" and by_value[("wahrheit", "ärgerlich")] != "w"
    assert s.claim.attribute_keys(reserved={"z"}) == keys  # the same every time


# -- the model and the store: unset is an absent key ---------------------------------
def test_a_null_attribute_is_unset():
    c = claim("d", 0, 4, "ann", attributes={"stance": None, "veracity": "true"})
    assert c.attributes == {"veracity": "true"}


def _legacy_project(tmp_path: Path, schema: dict | None = None) -> Path:
    """A project as the previous version left it: format 2 with the schema stored as it was."""
    path = tmp_path / "old.annotator"
    with Project(path, create=True) as p:
        d = Document(text="Rates will fall, he said.")
        p.insert_documents([(d, [])])
        apply(p, AddAnnotations(d.id, "alice", [claim(d.id, 0, 15, "alice", attributes=LEGACY_DEFAULTS)]))
    body = schema if schema is not None else _legacy_bundled_schema()
    c = sqlite3.connect(path)
    with c:
        c.execute("UPDATE label_schema SET body = ?", (json.dumps(body),))
        c.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_claims_start_unset'")
        c.execute("PRAGMA user_version = 2")
    c.close()
    return path


def _legacy_bundled_schema() -> dict:
    body = default_schema().to_dict()
    for attr in body["claim"]["attributes"]:
        attr["default"] = LEGACY_DEFAULTS[attr["name"]]
    return body


def test_opening_an_old_project_drops_the_bundled_defaults_but_keeps_its_claims(tmp_path):
    path = _legacy_project(tmp_path)
    with Project(path) as p:
        assert p.schema.claim.new_attributes() == {}
        [c] = [a for d in p.document_ids() for a in p.annotations(d)]
        assert c.attributes == LEGACY_DEFAULTS  # what was stored stays: nobody can tell judged from not
        assert any(h["action"] == "claims_start_unset" for h in p.history())
    assert path.with_name("old.annotator.v2.bak").exists()


def test_a_schema_the_project_chose_keeps_its_defaults(tmp_path):
    chosen = _legacy_bundled_schema()
    chosen["claim"]["attributes"][2]["default"] = "neutral"  # not what was bundled: the team's choice
    path = _legacy_project(tmp_path, chosen)
    with Project(path) as p:
        assert p.schema.claim.new_attributes() == {**LEGACY_DEFAULTS, "stance": "neutral"}
        assert not any(h["action"] == "claims_start_unset" for h in p.history())


# -- agreement and review ----------------------------------------------------------------
TEXT = "Rates will fall. Exports rose. Prices rose."


def _claims(project: Project, a: list[dict], b: list[dict]) -> None:
    d = Document(text=TEXT)
    spans = [(0, 15), (17, 29), (31, 42)]
    anns = [claim(d.id, *spans[i], "A", attributes=x) for i, x in enumerate(a)]
    anns += [claim(d.id, *spans[i], "B", attributes=x) for i, x in enumerate(b)]
    project.insert_documents([(d, anns)])


def test_agreement_counts_unset_against_a_value_and_never_unset_against_unset(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        _claims(
            p,
            [{"stance": "supports"}, {"stance": "refutes"}, {}],
            [{"stance": "supports"}, {}, {}],
        )
        [pair] = agreement(p)["pairs"]
    stance = pair["claims"]["attributes"]["stance"]
    # claim 1 agrees, claim 2 is a value against unset (a disagreement), claim 3 nobody judged
    assert stance["pairs"] == 2 and stance["percent"] == 0.5 and stance["unset_both"] == 1
    # an attribute nobody set anywhere has no agreement to report
    veracity = pair["claims"]["attributes"]["veracity"]
    assert veracity["pairs"] == 0 and veracity["percent"] is None and veracity["unset_both"] == 3
    assert pair["claim_attribute_agreement"]["veracity"] is None


def test_review_unset_against_a_value_is_a_difference_and_null_is_unset():
    d = Document(text=TEXT)
    x = claim(d.id, 0, 15, "A", attributes={"stance": "supports"})
    y = x.model_copy(update={"id": "y", "annotator": "B"})
    y.attributes = {"stance": "supports", "veracity": None}  # as a row from before the fix could hold
    assert [u.status for u in align([x, y], TEXT)] == ["agreed"]
    z = x.model_copy(update={"id": "z", "annotator": "B", "attributes": {}})
    assert [u.status for u in align([x, z], TEXT)] == ["content"]


def test_the_first_format_of_project_files_opens_with_claims_as_they_were(tmp_path):
    fixture = Path(__file__).parents[1] / "reliability" / "fixtures" / "v1.annotator"
    path = tmp_path / "v1.annotator"
    path.write_bytes(fixture.read_bytes())
    with Project(path) as p:
        assert p.schema.claim.new_attributes() == {}
        assert p.get_annotation("c1").attributes == {"claim_type": "statistical", "stance": "supports"}
