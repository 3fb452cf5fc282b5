"""A small corpus with every kind of inconsistency the check reports (for the
service, CLI and dialog tests of ``annotator check``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.models import Annotation, Document, entity, event
from annotator.core.store import Project

TEXTS = {
    "a": "Reuters reported that the Ministry of External Affairs met China’s envoy.",
    "b": "Reuters said the Ministry of External Affairs denied it. Reuters 😀 added China.",
    "c": "Chinatown is not China. Officials met in Delhi.",
    "d": "Reuters is not annotated here at all.",
}


def find(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


@dataclass
class Corpus:
    project: Project
    ids: dict[str, str]
    #: name -> annotation
    ann: dict[str, Annotation] = field(default_factory=dict)

    def text(self, key: str) -> str:
        return TEXTS[key]


def build_corpus(path: Path) -> Corpus:
    """Documents a-d; alice's layer:

    - "Reuters": ORG in a, ORG in b (first), PERSON in b (second) -> labels;
    - "China": GPE in a (inside "China’s") and b; unlabelled in c (not in
      "Chinatown"); d is not annotated by alice -> unlabelled, once;
    - "the Ministry of External Affairs" ORG in a; only "Ministry of External
      Affairs" ORG in b -> boundaries;
    - "met" Meeting in a without its required Participant -> roles;
    - "Delhi" GPE in c, labelled once and nowhere else.
    - "met" in c, unlabelled -> unlabelled, once.
    bob's layer: "China" GPE in a and c, every occurrence in his documents: nothing
    to report.
    """
    project = Project(path, create=True)
    docs = {k: Document(text=t, title=f"Doc {k.upper()}") for k, t in TEXTS.items()}
    project.insert_documents([(d, []) for d in docs.values()])
    ids = {k: d.id for k, d in docs.items()}
    c = Corpus(project, ids)

    def ent(name: str, key: str, phrase: str, label: str, who: str = "alice", nth: int = 0) -> None:
        s, e = find(TEXTS[key], phrase, nth)
        c.ann[name] = entity(ids[key], s, e, label, who)

    ent("reuters_a", "a", "Reuters", "ORG")
    ent("reuters_b1", "b", "Reuters", "ORG")
    ent("reuters_b2", "b", "Reuters", "PERSON", nth=1)
    ent("china_a", "a", "China", "GPE")
    ent("china_b", "b", "China", "GPE")
    ent("mea_a", "a", "the Ministry of External Affairs", "ORG")
    ent("mea_b", "b", "Ministry of External Affairs", "ORG")
    ent("delhi_c", "c", "Delhi", "GPE")
    s, e = find(TEXTS["a"], "met")
    c.ann["met_a"] = event(ids["a"], s, e, "Meeting", "alice")
    ent("bob_china_a", "a", "China", "GPE", "bob")
    ent("bob_china_c", "c", "China", "GPE", "bob", nth=1)  # not "Chinatown"
    with project.transaction():
        project.ensure_annotators(["alice", "bob"])
        project.put_annotations(c.ann.values())
    return c
