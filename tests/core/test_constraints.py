"""Schema constraint checks (no Qt)."""

from __future__ import annotations

from annotator.core.constraints import (
    claim_warnings,
    claimant_problem,
    event_warnings,
    filler_problem,
    one_line,
    relation_warnings,
    warnings_for,
)
from annotator.core.models import claim, entity, event, relation
from annotator.core.schema import loads_schema

SCHEMA = loads_schema(
    """
[[entities]]
name = "PERSON"

[[entities]]
name = "ORG"

[[events]]
name = "Meeting"
roles = [{ name = "Participant", labels = ["PERSON", "ORG"], required = true }, { name = "Topic" }]

[claim]
claimant_labels = ["PERSON"]
attributes = [{ name = "stance", values = ["supports", "refutes"] }]

[[relations]]
name = "member_of"
head_labels = ["PERSON"]
tail_labels = ["ORG"]
""",
    "toml",
)

TEXT = "Kim met Acme on Monday and said it went well."
D, A = "doc", "ann"
KIM = entity(D, 0, 3, "PERSON", A)
ACME = entity(D, 8, 12, "ORG", A)
MET = event(D, 4, 7, "Meeting", A)
SAID = claim(D, 27, 45, A)


def by_id(*anns):
    return {a.id: a for a in anns}


def test_one_line_shows_breaks_and_shortens():
    assert one_line("a\nb\tc") == "a⏎b→c"
    assert one_line("x" * 10, 5) == "xxxx…"


def test_filler_problem():
    role = SCHEMA.event_type("Meeting").role("Participant")
    assert filler_problem(role, KIM, TEXT) is None
    assert filler_problem(None, KIM, TEXT, "Meeting") == "not a role of Meeting"
    assert filler_problem(role, None, TEXT) == "the filler no longer exists"
    assert filler_problem(role, SAID, TEXT) == "“said it went well.” is a claim (CLAIM); Participant takes PERSON, ORG"


def test_event_warnings_name_missing_required_roles_and_wrong_fillers():
    assert event_warnings(MET, by_id(MET), SCHEMA, TEXT) == ["Required role Participant has no argument yet"]
    bad = MET.model_copy(update={"arguments": [*event(D, 4, 7, "Meeting", A, [("Participant", SAID.id)]).arguments]})
    assert event_warnings(bad, by_id(bad, SAID), SCHEMA, TEXT)[0].startswith("Participant: “said")
    good = MET.model_copy(update={"arguments": [*event(D, 4, 7, "Meeting", A, [("Participant", KIM.id)]).arguments]})
    assert event_warnings(good, by_id(good, KIM), SCHEMA, TEXT) == []


def test_claimant_and_claim_warnings():
    assert claimant_problem(SAID, {}, SCHEMA, TEXT) is None
    assert claim_warnings(SAID, {}, SCHEMA, TEXT) == ["No claimant yet"]
    by_kim = SAID.model_copy(update={"claimant_ref": KIM.id})
    assert claimant_problem(by_kim, by_id(KIM), SCHEMA, TEXT) is None
    by_acme = SAID.model_copy(update={"claimant_ref": ACME.id, "attributes": {"stance": "maybe"}})
    assert claimant_problem(by_acme, by_id(ACME), SCHEMA, TEXT) == "the claimant “Acme” is ORG; claimants are PERSON"
    assert claim_warnings(by_acme, by_id(ACME), SCHEMA, TEXT) == [
        "The claimant “Acme” is ORG; claimants are PERSON",
        "stance: 'maybe' is not one of supports, refutes",
    ]
    assert claimant_problem(by_kim, {}, SCHEMA, TEXT) == "the claimant span no longer exists"


def test_relation_warnings_and_warnings_for():
    rel = relation(D, KIM.id, ACME.id, "member_of", A)
    assert relation_warnings(rel, by_id(KIM, ACME), SCHEMA, TEXT) == []
    backwards = relation(D, ACME.id, KIM.id, "member_of", A)
    assert relation_warnings(backwards, by_id(KIM, ACME), SCHEMA, TEXT) == [
        "The head “Acme” is ORG; member_of takes PERSON",
        "The tail “Kim” is PERSON; member_of takes ORG",
    ]
    assert warnings_for(rel, by_id(KIM), SCHEMA, TEXT) == ["The tail no longer exists"]
    odd = entity(D, 0, 3, "ANIMAL", A)
    assert warnings_for(odd, {}, SCHEMA, TEXT) == ["ANIMAL is not a entity label of this schema"]
    assert warnings_for(KIM, {}, SCHEMA, TEXT) == []
