"""A project holding everything exports must handle (shared by the export tests
and by docs/make_format_examples.py, which prints the examples of docs/formats.md).

- the seed article, annotated by ``alice``: entities (nested "Prime Minister
  Narendra Modi" / "Narendra Modi", crossing "Ministry of External Affairs" /
  "External Affairs spokesperson"), the licence grant event (Grantor, Grantee,
  Item), the Modi-Xi meeting (two Participants), two claims (one with a claimant
  span, one with a free-text claimant) with attributes, a relation; ``bob``
  annotated a few entities of it too, and the gold layer holds an adjudicated
  subset;
- the Unicode corpus (``unicode-crlf.txt``: CRLF, emoji, ZWJ family, flag,
  combining accent, NBSP, Hangul, Arabic, Han, U+2028, tab) with spans on every
  kind of character, one that ends inside a word, one across the U+2028, one
  with trailing whitespace and one of whitespace only;
- the three documents of ``batch.jsonl`` with their pre-annotations (one has none).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from annotator.core.models import GOLD, Annotation, DocStatus, Document, Source, claim, entity, event, relation
from annotator.core.store import Project
from annotator.core.text import canonicalize, decode_bytes

DATA = Path(__file__).resolve().parent.parent / "data"


def seed_text() -> str:
    seeds = resources.files("annotator.seeds")
    name = sorted(p.name for p in seeds.iterdir() if p.name.endswith(".txt"))[0]
    raw = decode_bytes(seeds.joinpath(name).read_bytes(), name=name)
    return canonicalize(raw)[0]


class _Spans:
    """Find spans by their text (the n-th occurrence) so the fixture reads like the article."""

    def __init__(self, doc: Document, annotator: str):
        self.doc = doc
        self.annotator = annotator
        self.anns: list[Annotation] = []

    def at(self, needle: str, nth: int = 1, within: str | None = None) -> tuple[int, int]:
        text = self.doc.text
        base = 0
        if within is not None:
            base = text.index(within)
            text = text[base : base + len(within)]
        i = -1
        for _ in range(nth):
            i = text.index(needle, i + 1)
        return base + i, base + i + len(needle)

    def entity(self, needle: str, label: str, nth: int = 1, within: str | None = None, **kw) -> Annotation:
        s, e = self.at(needle, nth, within)
        a = entity(self.doc.id, s, e, label, self.annotator, **kw)
        self.anns.append(a)
        return a

    def event(self, needle: str, etype: str, args: list[tuple[str, Annotation]], nth: int = 1) -> Annotation:
        s, e = self.at(needle, nth)
        a = event(self.doc.id, s, e, etype, self.annotator, arguments=[(r, t.id) for r, t in args])
        self.anns.append(a)
        return a

    def claim(self, needle: str, **kw) -> Annotation:
        s, e = self.at(needle)
        a = claim(self.doc.id, s, e, self.annotator, **kw)
        self.anns.append(a)
        return a

    def relation(self, head: Annotation, tail: Annotation, label: str) -> Annotation:
        a = relation(self.doc.id, head.id, tail.id, label, self.annotator)
        self.anns.append(a)
        return a


def seed_annotations(doc: Document, annotator: str = "alice") -> list[Annotation]:
    """The seed article's annotations (every kind; nested and crossing spans)."""
    s = _Spans(doc, annotator)
    china = s.entity("China", "GPE")
    s.entity("NEW DELHI", "GPE")
    firms = s.entity("Indian firms", "NORP")
    magnets = s.entity("rare earth magnets", "PRODUCT")
    ministry = s.entity("external affairs ministry", "ORG")
    s.entity("Thursday", "DATE")
    s.entity("Ministry of External Affairs", "ORG")
    s.entity("External Affairs spokesperson", "MISC")  # crosses the ORG above
    jaiswal = s.entity("Randhir Jaiswal", "PERSON", nth=2)
    s.entity("Line of Actual Control (LAC)", "LOC")
    s.entity("LAC", "LOC", within="Line of Actual Control (LAC)")  # nested
    s.entity("70%", "PERCENT")
    s.entity("October 21, 2024", "DATE")
    s.entity("Prime Minister Narendra Modi", "PERSON")
    modi = s.entity("Narendra Modi", "PERSON")  # nested in the one above
    s.entity("Chinese", "NORP", nth=3)
    xi = s.entity("Xi Jinping", "PERSON")
    s.event("granted", "LicenceGrant", [("Grantor", china), ("Grantee", firms), ("Item", magnets)])
    s.event("meeting", "Meeting", [("Participant", modi), ("Participant", xi)])
    s.claim(
        "China controls around 70% of global rare earth mining",
        claimant_text="the newspaper (unattributed)",
        attributes={"claim_type": "statistical", "check_worthiness": "high", "stance": "supports", "veracity": "unverified"},
    )
    s.claim(
        "some Indian companies have received licences for importing rare earth magnets from China",
        claimant_ref=jaiswal.id,
        attributes={"claim_type": "factual", "check_worthiness": "medium", "stance": "supports"},
    )
    s.relation(jaiswal, ministry, "affiliated_with")
    return s.anns


def seed_article_project(path: Path, annotator: str = "alice") -> tuple[Project, Document]:
    """A project with only the annotated seed article (what docs/formats.md shows)."""
    project = Project(path, create=True)
    doc = Document(
        text=seed_text(),
        title="China grants rare earth magnet licences to Indian firms",
        external_id="seed-0",
        source="seed",
        status=DocStatus.DONE,
    )
    project.insert_documents([(doc, seed_annotations(doc, annotator))])
    return project, doc


def unicode_document() -> tuple[Document, list[Annotation]]:
    raw = decode_bytes((DATA / "unicode-crlf.txt").read_bytes(), name="unicode-crlf.txt")
    doc = Document(
        text=canonicalize(raw)[0],
        title="Port talks resume",
        external_id="unicode-crlf",
        source="unicode-crlf.txt",
        status=DocStatus.IN_PROGRESS,
    )
    s = _Spans(doc, "alice")
    s.entity("🚢", "PRODUCT")
    s.entity("Republic of Koréa", "GPE")
    s.entity("Jose\u0301 María Peña", "PERSON")  # combining acute accent
    s.entity("€2.4\xa0billion", "MONEY")
    s.entity("김민준", "PERSON")
    s.entity("Kim Min-jun", "PERSON")
    s.entity("Seoul", "GPE")
    s.entity("12%", "PERCENT")
    s.entity("2025 📉", "DATE")  # an emoji inside a span
    s.entity("محمد العلي", "PERSON")
    s.entity("Gulf Trade Council", "ORG")
    s.entity("👨\u200d👩\u200d👧", "MISC")
    s.entity("Valparaíso\u2028say", "MISC")  # crosses the U+2028 line separator
    s.entity("北京", "GPE")
    s.entity("🇨🇱", "GPE")
    s.entity("Kor", "MISC", within="Republic of Koréa")  # ends inside a word
    s.entity("the mediator, ", "MISC")  # trailing whitespace
    s.entity("\t", "MISC")  # whitespace only
    s.claim("both delegations signed a memorandum", claimant_text="Jose\u0301 María Peña", attributes={"claim_type": "quote"})
    return doc, s.anns


def batch_documents() -> list[tuple[Document, list[Annotation]]]:
    out = []
    for line in (DATA / "batch.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        doc = Document(
            text=rec["text"], title=rec["title"], external_id=rec["id"], source="batch.jsonl", metadata=rec.get("meta", {})
        )
        anns = [
            entity(doc.id, sp["start"], sp["end"], sp["label"], "imported", source=Source.IMPORTED) for sp in rec.get("spans", [])
        ]
        out.append((doc, anns))
    return out


def full_project(path: Path) -> Project:
    """The seed article (alice, bob, gold), the Unicode document and the batch."""
    project, seed = seed_article_project(path)
    bob = _Spans(seed, "bob")
    bob.entity("China", "GPE")
    bob.entity("Randhir Jaiswal", "PERSON")
    bob.entity("Narendra Modi", "PERSON")
    gold = _Spans(seed, GOLD)
    china = gold.entity("China", "GPE")
    firms = gold.entity("Indian firms", "NORP")
    gold.event("granted", "LicenceGrant", [("Grantor", china), ("Grantee", firms)])
    gold.entity("Narendra Modi", "PERSON")
    with project.transaction():
        for a in bob.anns + gold.anns:
            project.put_annotations([a])
        project.ensure_annotators({"bob", GOLD})
    project.insert_documents([unicode_document(), *batch_documents()])
    return project


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The :func:`full_project` of a test module (import this fixture by name)."""
    p = full_project(tmp_path_factory.mktemp("proj") / "full.annotator")
    yield p
    p.close()
