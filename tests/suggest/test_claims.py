"""Claims from reported speech (issue 17), on the demo article and on small texts."""

from __future__ import annotations

import pytest

from annotator.core.models import Document
from annotator.core.store import Project
from annotator.services.importing import import_seeds
from annotator.services.suggest.claims import ClaimsSuggester


@pytest.fixture
def demo(tmp_path) -> Document:
    """The demo article as a new project stores it."""
    with Project(tmp_path / "demo.annotator", create=True) as p:
        import_seeds(p)
        (doc,) = [d for d in p.iter_documents() if "Jaiswal" in d.text]
        return doc


def claims(text, mentions=None):
    s = ClaimsSuggester((lambda _doc_id: mentions) if mentions is not None else None)
    return [(text[c.start : c.end], c.claimant_text, c.score) for c in s.suggest(Document(id="x", text=text))]


def test_the_demo_article_finds_the_quoted_statements_by_jaiswal(demo):
    doc = demo
    found = ClaimsSuggester().suggest(doc)
    quotes = [c for c in found if c.detail["rule"].startswith("quote")]
    text = doc.text
    assert [text[c.start : c.start + 30] for c in quotes] == [
        "Yes, we confirm that some Indi",
        "As far as the question of the ",
        "We have yet to look at it. I a",
    ]
    # every one by Jaiswal: named twice, then "he said" resolved to him
    assert [c.claimant_text for c in quotes] == ["Randhir Jaiswal", "Jaiswal", "Jaiswal"]
    assert quotes[2].detail.get("pronoun") == "he"
    for c in quotes:
        assert c.kind == "claim" and c.label == "CLAIM" and c.suggester == "claims"
        assert text[c.claimant_start : c.claimant_end] == c.claimant_text
        # the quote marks and the trailing comma are not part of the claim
        assert text[c.start - 1] == "“" and text[c.end - 1] not in ",”"
    assert text[quotes[0].start : quotes[0].end].endswith("rare earth magnets from China")
    # the unquoted statement of the ministry, without the dateline
    (indirect,) = [c for c in found if not c.detail["rule"].startswith("quote")]
    assert text[indirect.start : indirect.end].startswith("China has granted licences")
    assert text[indirect.start : indirect.end].endswith("rare earth magnets")
    assert indirect.claimant_text == "the external affairs ministry"


def test_the_speakers_mention_is_the_claimant():
    text = "“We will respond in due course,” spokesperson Randhir Jaiswal said."
    start = text.index("Randhir")
    (c,) = ClaimsSuggester(lambda _d: [(start, start + len("Randhir Jaiswal"))]).suggest(Document(id="x", text=text))
    assert (c.claimant_start, c.claimant_end, c.detail.get("claimant_mention")) == (start, start + 15, True)
    # a mention inside a longer speaker span
    jaiswal = text.index("Jaiswal")
    (c,) = ClaimsSuggester(lambda _d: [(jaiswal, jaiswal + 7)]).suggest(Document(id="x", text=text))
    assert c.claimant_text == "Jaiswal"


def test_constructions():
    assert claims("“The economy will grow by five percent,” said Finance Minister Sitharaman.") == [
        ("The economy will grow by five percent", "Finance Minister Sitharaman", 0.9)
    ]
    assert claims("Modi told reporters: “We have signed the agreement today.”") == [
        ("We have signed the agreement today.", "Modi", 0.9)
    ]
    assert claims("The ministry said that exports of magnets would resume next month.") == [
        ("exports of magnets would resume next month", "The ministry", 0.6)
    ]
    assert claims("According to the central bank, inflation will ease this year.") == [
        ("inflation will ease this year", "the central bank", 0.6)
    ]
    assert claims("Inflation will ease this year, according to the central bank.") == [
        ("Inflation will ease this year", "the central bank", 0.6)
    ]
    assert claims("“We will never give up on this at all,” she added.") == [("We will never give up on this at all", "she", 0.6)]


def test_no_claims_where_there_is_no_speech():
    assert claims("The “rare earths” are vital. Prices rose sharply on Monday.") == []
    assert claims("He said so.") == []
    # a quote without a speaker is still suggested, with a low score and no claimant
    assert claims("“This is a complete quote of some length.”") == [("This is a complete quote of some length.", None, 0.4)]
