"""Suggestions are never annotations until accepted (issue 17): every export
format, the agreement report and the review units are the same with or without
stored suggestions (and pending rejections); an accepted one appears in them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from annotator.core.agreement import agreement
from annotator.core.kinds import GOLD
from annotator.core.models import Document, entity
from annotator.core.review import document_units, review_queue
from annotator.core.store import Project, StoredSuggestion
from annotator.core.suggest_commands import RejectSuggestions
from annotator.services.exporting import FORMATS, ExportOptions, export
from annotator.services.suggest.service import accept

TEXTS = [
    "China and India met in New Delhi. “We will sign the deal soon,” Jaiswal said.",
    "India, then China. Modi spoke in Beijing.",
]


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        docs = [Document(id=f"d{i}", text=t, external_id=f"x{i}") for i, t in enumerate(TEXTS)]
        t0, t1 = TEXTS
        anns = {
            "d0": [
                entity("d0", 0, 5, "GPE", "alice", id="a1"),
                entity("d0", 0, 5, "GPE", "bob", id="b1"),
                entity("d0", 10, 15, "GPE", "bob", id="b2"),
                entity("d0", 0, 5, "GPE", GOLD, id="g1"),
            ],
            "d1": [entity("d1", 0, 5, "GPE", "alice", id="a2"), entity("d1", 0, 5, "GPE", "bob", id="b3")],
        }
        p.insert_documents([(d, anns[d.id]) for d in docs])
        suggestions = []
        for doc_id, text in (("d0", t0), ("d1", t1)):
            for word, label in (
                ("China", "GPE"),
                ("India", "GPE"),
                ("Delhi", "GPE"),
                ("Modi", "PERSON"),
                ("Beijing", "GPE"),
                ("met", "Meeting"),
            ):
                if word in text:
                    s = text.index(word)
                    kind = "event" if label == "Meeting" else "entity"
                    suggestions.append(
                        StoredSuggestion(f"{doc_id}{word}", doc_id, kind, label, s, s + len(word), 0.7, "dictionary")
                    )
        q = t0.index("We will")
        j = t0.index("Jaiswal")
        suggestions.append(
            StoredSuggestion("claim", "d0", "claim", "CLAIM", q, t0.index(",”"), 0.9, "claims", j, j + 7, "Jaiswal")
        )
        p.suggestions_rows = suggestions
        yield p


def outputs(project: Project, out: Path) -> dict[str, str]:
    """A digest of every export (each format; alice's layer where one layer fits; gold), the agreement and the review."""
    got: dict[str, str] = {}
    out.mkdir(parents=True, exist_ok=True)
    for name, info in FORMATS.items():
        for layer in ("alice", GOLD, None):
            if layer is None and not info.many_layers:
                continue
            target = out / f"{name}-{layer}{'' if info.folder else info.suffix}"
            options = ExportOptions(name, out=target, annotator=None if layer == GOLD else layer, gold=layer == GOLD)
            export(project, options)
            files = sorted(target.rglob("*")) if target.is_dir() else [target]
            got[f"{name}/{layer}"] = hashlib.sha256(b"".join(f.read_bytes() for f in files if f.is_file())).hexdigest()
    got["agreement"] = repr(agreement(project))
    got["review"] = repr([(u.kind, sorted(u.members)) for d in ("d0", "d1") for u in document_units(project, d)])
    got["queue"] = repr(review_queue(project))
    return got


def test_every_export_agreement_and_review_ignore_suggestions(project, tmp_path):
    before = outputs(project, tmp_path / "before")
    with project.transaction():
        project.put_suggestions(project.suggestions_rows)
    RejectSuggestions("bob", project.suggestions(["d1"])).do(project)
    after = outputs(project, tmp_path / "after")
    assert before.keys() == after.keys()
    assert {k for k in before if before[k] != after[k]} == set()
    assert len(before) > len(FORMATS)  # every format, and more than one layer where it fits


def test_an_accepted_suggestion_is_exported_as_an_annotation(project, tmp_path):
    with project.transaction():
        project.put_suggestions(project.suggestions_rows)
    before = outputs(project, tmp_path / "before")
    accept(project, "alice", project.suggestions(["d1"], label="PERSON") + project.suggestions(["d0"], kinds=["claim"]))
    after = outputs(project, tmp_path / "after")
    changed = {k.split("/")[0] for k in before if before[k] != after[k] and k.endswith("/alice")}
    # alice's layer changed in every format (the new spans, or their tokens' tags)
    # document labels only, and coreference clusters only: new spans in no cluster change neither
    assert changed == set(FORMATS) - {"doclabels", "clusters"}
    assert before["agreement"] != after["agreement"]
