"""A small synthetic project a NER model learns in seconds (issue 17 tests)."""

from __future__ import annotations

import random
from pathlib import Path

from annotator.core.kinds import DocStatus
from annotator.core.models import Document, entity
from annotator.core.store import Project

PEOPLE = ["Anna Berg", "Tom Okafor", "Lena Fischer", "Ravi Shah", "Maria Costa", "John Miller"]
PLACES = ["Paris", "Lagos", "Berlin", "Mumbai", "Lisbon", "Chicago"]
ORGS = ["Acme Corp", "Globex", "Initech", "Vandelay Industries"]
TEMPLATES = [
    "{PERSON} flew to {GPE} on Monday to meet the board of {ORG}.",
    "In {GPE}, {PERSON} said that {ORG} would open a new office.",
    "{ORG} hired {PERSON} last year after talks in {GPE}.",
    "Officials in {GPE} met {PERSON} of {ORG} for two hours.",
]


def synthetic_text(rng: random.Random, sentences: int = 4) -> tuple[str, list[tuple[int, int, str]]]:
    """A text of ``sentences`` templated sentences and its entity spans (code points)."""
    text = ""
    spans: list[tuple[int, int, str]] = []
    for _ in range(sentences):
        template = rng.choice(TEMPLATES)
        values = {"PERSON": rng.choice(PEOPLE), "GPE": rng.choice(PLACES), "ORG": rng.choice(ORGS)}
        if text:
            text += " "
        pos = 0
        while pos < len(template):
            at = template.find("{", pos)
            if at < 0:
                text += template[pos:]
                break
            text += template[pos:at]
            close = template.index("}", at)
            label = template[at + 1 : close]
            start = len(text)
            text += values[label]
            spans.append((start, len(text), label))
            pos = close + 1
    return text, spans


def make_training_project(
    path: Path, n_docs: int = 24, annotator: str = "alice", status: DocStatus = DocStatus.DONE, seed: int = 1
) -> Project:
    """A project of ``n_docs`` documents with ``status`` and ``annotator``'s entities."""
    rng = random.Random(seed)
    project = Project(path, create=True)
    items = []
    for i in range(n_docs):
        text, spans = synthetic_text(rng)
        doc = Document(id=f"doc{i:03d}", text=text, title=f"Doc {i}", status=status)
        items.append((doc, [entity(doc.id, s, e, label, annotator) for s, e, label in spans]))
    project.insert_documents(items)
    return project
