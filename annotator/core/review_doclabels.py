"""Review of document labels (issue 14): units per document and category, and
the decision that puts one annotator's choice into the gold layer.

A unit is one category of one document: each compared annotator's labels (those
who set any), the gold layer's, and a status:

``agreed``     every compared annotator set the same labels (two or more annotators)
``differ``     they all set labels, not the same
``partial``    only some of them set any
``single``     fewer than two annotators are compared
``gold-only``  only the gold layer has labels there

:class:`AcceptDocLabels` makes the gold layer's labels of the category exactly
one annotator's (or none: a rejection), as one undoable command that records a
review decision (``accept_doc_labels`` / ``reject_doc_labels``, detail: category,
annotator, labels) and puts the document in review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.commands import Changes, CommandError, ReplaceDocLabels
from annotator.core.kinds import GOLD, DocStatus, new_id, now
from annotator.core.store import Project

__all__ = ["DocLabelUnit", "doc_label_units", "AcceptDocLabels"]


@dataclass
class DocLabelUnit:
    """One category of one document across annotators."""

    category: str
    multi: bool
    #: annotator -> their labels (only annotators who set any), schema order
    members: dict[str, list[str]]
    gold: list[str]
    status: str
    #: annotators whose labels the gold layer's equal
    accepted_from: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """Not decided yet: no gold labels, and not gold-only."""
        return not self.gold and self.status != "gold-only"


def doc_label_units(project: Project, doc_id: str, annotators: Sequence[str] | None = None) -> list[DocLabelUnit]:
    """The document label units of ``doc_id``: every category of the schema that an
    annotator (of ``annotators``; default: everyone who set document labels or
    annotated the document) or the gold layer set labels in, in schema order."""
    schema = project.schema
    per = project.doc_labels_by_document([doc_id], schema=schema).get(doc_id, {})
    if annotators is None:
        present = {a.annotator for a in project.annotations(doc_id)} | set(per)
        names = sorted(present - {GOLD})
    else:
        names = list(annotators)
    gold = per.get(GOLD, {})
    categories = [c.name for c in schema.categories]
    categories += sorted({c for who, groups in per.items() if who in names or who == GOLD for c in groups} - set(categories))
    units = []
    for name in categories:
        members = {who: per[who][name] for who in names if name in per.get(who, {})}
        gold_labels = gold.get(name, [])
        if not members and not gold_labels:
            continue
        if not members:
            status = "gold-only"
        elif len(names) < 2:
            status = "single"
        elif len(members) < len(names):
            status = "partial"
        elif len({tuple(v) for v in members.values()}) == 1:
            status = "agreed"
        else:
            status = "differ"
        cat = schema.category(name)
        accepted = [who for who, labels in members.items() if gold_labels and labels == gold_labels]
        units.append(DocLabelUnit(name, bool(cat and cat.multi), members, gold_labels, status, accepted))
    return units


class AcceptDocLabels(ReplaceDocLabels):
    """Set the gold layer's labels of ``category`` on a document to ``annotator``'s
    (None: no labels, a rejection); one undoable step with a review decision."""

    def __init__(self, doc_id: str, reviewer: str, category: str, annotator: str | None):
        if not reviewer or reviewer == GOLD:
            raise CommandError(f"a review needs the reviewer's name (not {GOLD!r})")
        super().__init__(doc_id, GOLD, category, [], source="review")
        self.reviewer = reviewer
        self.annotator = annotator
        self.text = f"accept {annotator}'s {category}" if annotator else f"reject {category} in gold"
        self.decision: dict[str, Any] | None = None

    def target(self, project: Project, current: list[str]) -> list[str]:
        labels = project.doc_labels(self.doc_id, self.annotator, project.schema).get(self.category, []) if self.annotator else []
        if self.annotator and not labels:
            raise CommandError(f"{self.annotator} set no {self.category} on this document")
        self.decision = {
            "id": new_id(),
            "doc_id": self.doc_id,
            "reviewer": self.reviewer,
            "time": now(),
            "action": "accept_doc_labels" if self.annotator else "reject_doc_labels",
            "source_ids": [],
            "gold_id": None,
            "detail": {"category": self.category, "annotator": self.annotator, "labels": labels},
        }
        return labels

    def plan_status(self, project: Project, current: DocStatus) -> DocStatus | None:
        if current in (DocStatus.IN_REVIEW, DocStatus.REVIEWED):
            return None
        return DocStatus.IN_REVIEW

    def do(self, project: Project) -> Changes:
        changes = super().do(project)
        assert self.decision is not None
        project.put_review_decision(self.decision)
        return changes

    def undo(self, project: Project) -> Changes:
        changes = super().undo(project)
        assert self.decision is not None
        project.delete_review_decision(self.decision["id"])
        return changes
