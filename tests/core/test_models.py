"""The domain model: documents, annotations of every kind and their rules."""

import hashlib

import pytest
from pydantic import ValidationError

from annotator.core.models import (
    CLAIM_LABEL,
    Annotation,
    Argument,
    DocStatus,
    Document,
    Source,
    claim,
    entity,
    event,
    new_id,
    now,
    relation,
)


def test_document_fills_its_sha256_and_defaults():
    d = Document(text="Hello 🌍")
    assert d.sha256 == hashlib.sha256("Hello 🌍".encode()).hexdigest()
    assert d.status == DocStatus.NEW and d.metadata == {} and d.id and d.created and d.updated
    assert Document(text="Hello 🌍", sha256=d.sha256).sha256 == d.sha256
    assert Document(text="a").id != Document(text="a").id


@pytest.mark.parametrize(
    "fields, problem",
    [
        ({"text": ""}, "at least 1 character"),
        ({"text": "x", "sha256": "0" * 64}, "sha256 does not match"),
        ({"text": "x", "status": "finished"}, "status"),
        ({"text": "x", "colour": "red"}, "Extra inputs"),
        ({"text": "x", "id": ""}, "at least 1 character"),
    ],
)
def test_document_validation(fields, problem):
    with pytest.raises(ValidationError) as info:
        Document(**fields)
    assert problem in str(info.value)


def test_entity_span_and_text():
    text = "Modi met Xi 🤝 in Tianjin."
    e = entity("d", 9, 11, "PERSON", "alice")
    assert e.kind == "entity" and e.source == Source.MANUAL and e.span == (9, 11)
    assert e.text_in(text) == "Xi"
    e.check_span(len(text))
    assert entity("d", 0, len(text), "MISC", "a").text_in(text) == text


@pytest.mark.parametrize("start, end", [(-1, 3), (3, 3), (5, 2)])
def test_span_needs_0_le_start_lt_end(start, end):
    with pytest.raises(ValidationError, match="need 0 <= start < end"):
        entity("d", start, end, "ORG", "a")


def test_span_must_end_inside_the_text():
    e = entity("d", 3, 11, "ORG", "a")
    e.check_span(11)
    with pytest.raises(ValueError, match=r"outside the text \(length 10\): need 0 <= start < end <= 10"):
        e.check_span(10)


@pytest.mark.parametrize("kind", ["entity", "event", "claim"])
def test_span_kinds_need_a_span_and_no_head_or_tail(kind):
    with pytest.raises(ValidationError, match="needs a span"):
        Annotation(doc_id="d", kind=kind, label="X", start=1, annotator="a")
    with pytest.raises(ValidationError, match="has no head/tail"):
        Annotation(doc_id="d", kind=kind, label="X", start=1, end=2, head="h", tail="t", annotator="a")


def test_relation_rules():
    r = relation("d", "h", "t", "part_of", "a")
    assert r.span is None and r.text_in("anything") == "" and r.referenced_ids() == {"h", "t"}
    r.check_span(0)  # nothing to check
    with pytest.raises(ValidationError, match="a relation has no span"):
        Annotation(doc_id="d", kind="relation", label="x", start=0, end=1, head="h", tail="t", annotator="a")
    with pytest.raises(ValidationError, match="needs a head and a tail"):
        Annotation(doc_id="d", kind="relation", label="x", head="h", annotator="a")


def test_event_arguments_and_claim_claimant():
    ev = event("d", 0, 4, "Meeting", "a", [("Participant", "e1"), ("Place", "e2")])
    assert ev.arguments == [Argument(role="Participant", target="e1"), Argument(role="Place", target="e2")]
    assert ev.referenced_ids() == {"e1", "e2"}
    c = claim("d", 0, 4, "a", claimant_ref="e3", attributes={"stance": "supports"})
    assert c.label == CLAIM_LABEL and c.referenced_ids() == {"e3"}
    assert claim("d", 0, 4, "a", claimant_text="officials").claimant_text == "officials"
    with pytest.raises(ValidationError, match="only events have arguments"):
        entity("d", 0, 1, "ORG", "a", arguments=[Argument(role="r", target="t")])
    with pytest.raises(ValidationError, match="only claims have a claimant"):
        entity("d", 0, 1, "ORG", "a", claimant_text="x")
    with pytest.raises(ValidationError):
        Argument(role="", target="t")


def test_annotation_needs_an_annotator_and_a_known_kind():
    with pytest.raises(ValidationError, match="annotator"):
        Annotation(doc_id="d", kind="entity", label="X", start=0, end=1, annotator="")
    with pytest.raises(ValidationError, match="kind"):
        Annotation(doc_id="d", kind="mood", label="X", start=0, end=1, annotator="a")
    with pytest.raises(ValidationError, match="label"):
        Annotation(doc_id="d", kind="entity", label="", start=0, end=1, annotator="a")


def test_ids_and_times():
    assert len(new_id()) == 16 and new_id() != new_id()
    t = now()
    assert t.endswith("+00:00") and "T" in t
    assert t <= now()  # ISO strings sort in time order
