"""The demo article annotated by two annotators (alice and bob), for review tests,
agreement tests and the README screenshot.

Where they agree and differ, by design:

====================================  =====================  =====================  ==================
text                                  alice                  bob                    unit status
====================================  =====================  =====================  ==================
NEW DELHI, China, India, ministry...  same                   same                   agreed
Beijing / Beijing’s                   GPE "Beijing"          GPE "Beijing’s"        boundary
Line of Actual Control                LOC                    FAC                    label
Randhir Jaiswal / Jaiswal             PERSON                 PERSON "Jaiswal"       boundary
Indian / Indian firms                 NORP "Indian"          ORG "Indian firms"     label+boundary
70%                                   PERCENT                -                      partial
October 21, 2024                      -                      DATE                   partial
"said" (Statement)                    Speaker=ministry       same                   agreed
"granted" (LicenceGrant)              Grantee=Indian (NORP)  Grantee=Indian firms   content
claim "Yes, we confirm ..."           factual, unverified    quote, true            content
claim "China controls around 70%..."  statistical            -                      partial
====================================  =====================  =====================  ==================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.commands import AddAnnotations, apply
from annotator.core.models import Annotation, claim, entity, event
from annotator.core.store import Project
from annotator.services.importing import import_seeds


def find(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    """The span of the ``nth`` occurrence of ``phrase`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


@dataclass
class Demo:
    project: Project
    doc_id: str
    text: str
    #: (annotator, name) -> annotation
    ann: dict[tuple[str, str], Annotation] = field(default_factory=dict)

    def id(self, annotator: str, name: str) -> str:
        return self.ann[(annotator, name)].id


def _entities(doc: str, text: str, who: str, specs: list[tuple[str, str, str, int]]) -> dict[str, Annotation]:
    out = {}
    for name, phrase, label, nth in specs:
        s, e = find(text, phrase, nth)
        out[name] = entity(doc, s, e, label, who)
    return out


def build_demo(path: Path, who: tuple[str, ...] = ("alice", "bob")) -> Demo:
    """A project at ``path`` with the demo article annotated by alice and bob
    (``who``: only these of the two, e.g. ``("alice",)`` for one annotator)."""
    project = Project(path, create=True)
    import_seeds(project)
    doc_id = project.document_ids()[0]
    text = project.document_text(doc_id)
    demo = Demo(project, doc_id, text)
    shared = [
        ("new delhi", "NEW DELHI", "GPE", 0),
        ("china", "China", "GPE", 0),
        ("india", "India", "GPE", 0),
        ("ministry", "external affairs ministry", "ORG", 0),
        ("mea", "Ministry of External Affairs", "ORG", 0),
        ("thursday", "Thursday", "DATE", 0),
        ("magnets", "rare earth magnets", "PRODUCT", 0),
        ("modi", "Narendra Modi", "PERSON", 0),
        ("xi", "Xi Jinping", "PERSON", 0),
    ]
    alice = _entities(
        doc_id,
        text,
        "alice",
        shared
        + [
            ("beijing", "Beijing", "GPE", 0),
            ("lac", "Line of Actual Control", "LOC", 0),
            ("jaiswal", "Randhir Jaiswal", "PERSON", 0),
            ("jaiswal2", "Randhir Jaiswal", "PERSON", 1),
            ("indian", "Indian", "NORP", 0),
            ("percent", "70%", "PERCENT", 0),
        ],
    )
    bob = _entities(
        doc_id,
        text,
        "bob",
        shared
        + [
            ("beijing", "Beijing’s", "GPE", 0),
            ("lac", "Line of Actual Control", "FAC", 0),
            ("jaiswal", "Jaiswal", "PERSON", 0),
            ("indian", "Indian firms", "ORG", 0),
            ("october", "October 21, 2024", "DATE", 0),
        ],
    )
    s, e = find(text, "granted")
    alice["grant"] = event(
        doc_id,
        s,
        e,
        "LicenceGrant",
        "alice",
        [("Grantor", alice["china"].id), ("Grantee", alice["indian"].id), ("Item", alice["magnets"].id)],
    )
    bob["grant"] = event(
        doc_id,
        s,
        e,
        "LicenceGrant",
        "bob",
        [("Grantor", bob["china"].id), ("Grantee", bob["indian"].id), ("Item", bob["magnets"].id)],
    )
    s, e = find(text, "said")
    alice["said"] = event(doc_id, s, e, "Statement", "alice", [("Speaker", alice["ministry"].id)])
    bob["said"] = event(doc_id, s, e, "Statement", "bob", [("Speaker", bob["ministry"].id)])
    s, e = find(
        text, "Yes, we confirm that some Indian companies have received licences for importing rare earth magnets from China"
    )
    alice["confirm"] = claim(
        doc_id,
        s,
        e,
        "alice",
        claimant_ref=alice["jaiswal2"].id,
        attributes={"claim_type": "factual", "check_worthiness": "high", "stance": "supports", "veracity": "unverified"},
    )
    bob["confirm"] = claim(
        doc_id,
        s,
        e,
        "bob",
        claimant_text="Randhir Jaiswal",
        attributes={"claim_type": "quote", "check_worthiness": "high", "stance": "supports", "veracity": "true"},
    )
    s, e = find(text, "China controls around 70% of global rare earth mining")
    alice["controls"] = claim(doc_id, s, e, "alice", attributes={"claim_type": "statistical", "check_worthiness": "high"})
    for name, anns in (("alice", alice), ("bob", bob)):
        if name in who:
            apply(project, AddAnnotations(doc_id, name, list(anns.values())))
            demo.ann.update({(name, k): v for k, v in anns.items()})
    return demo
