"""Review: align several annotators' annotations into units, adjudicate a gold layer.

The gold layer is ordinary annotations whose annotator is :data:`GOLD`
(``"@gold"``), so exports select it like any annotator. Every change to it is a
:class:`~annotator.core.commands.Command` (undo, redo and conflict checks come
free) that also records one row per decision in ``review_decisions``: reviewer,
time, action, the annotators' annotations it was taken from and the gold
annotation it produced.

Units
    :func:`align` groups the annotations of one document into *units*: the
    annotations of one kind with exactly the same span form a group; groups
    that overlap and come from different annotators are merged (largest
    overlap first), so a unit holds at most one span per annotator unless one
    annotator marked the very same span twice. Relations form a unit per
    (type, head span, tail span). Each unit gets a status:

    ``agreed``            every annotator made it, same span, label and content
                          (only when at least two annotators are compared)
    ``label``             same span, different labels
    ``boundary``          same label, different spans
    ``label+boundary``    both differ
    ``content``           same span and label, different arguments / attributes / claimant
    ``partial``           only some annotators made it
    ``mixed``             an annotator has several annotations in the unit
    ``gold-only``         only the gold layer has it (added by the reviewer)
    ``single``            fewer than two annotators are compared (one annotated
                          the document): nobody to agree or differ with

Agreement needs at least two annotators: with one, no unit is ``agreed`` and
"accept all agreed" accepts nothing; :class:`AcceptAllFrom` accepts one
annotator's work, as an explicit decision.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from annotator.core.commands import Changes, Command, CommandError, DeleteAnnotations, stamped
from annotator.core.coref import Cluster
from annotator.core.models import GOLD, SPAN_KINDS, Annotation, Argument, DocStatus, new_id, now
from annotator.core.rows import AnnotationRow, link_dicts
from annotator.core.store import Project

__all__ = [
    "STATUSES",
    "Unit",
    "align",
    "document_units",
    "QueueRow",
    "review_queue",
    "ReviewCommand",
    "AcceptAnnotation",
    "AcceptArgument",
    "AcceptAttribute",
    "Reject",
    "AcceptAllAgreed",
    "AcceptAllFrom",
    "EditGold",
    "SetReviewStatus",
    "AcceptCluster",
    "CLAIMANT",
]

STATUSES = ("agreed", "label", "boundary", "label+boundary", "content", "partial", "mixed", "gold-only", "single")
#: Statuses that are not a disagreement between annotators.
NOT_DISAGREEMENT = ("agreed", "gold-only", "single")
#: The pseudo-attribute name under which :class:`AcceptAttribute` copies a claim's claimant.
CLAIMANT = "claimant"
_KIND_ORDER = {"entity": 0, "event": 1, "claim": 2, "relation": 3}
_SPACES = re.compile(r"\s+")
#: What :func:`align` compares: annotations, or stored rows (the queue reads every
#: row of the project and validates none); units hold whichever they were given.
Stored = Annotation | AnnotationRow
#: One of the two :data:`Stored` types (a unit holds one kind, the one :func:`align` was given).
S = TypeVar("S", Annotation, AnnotationRow)


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------
@dataclass
class Unit(Generic[S]):
    """Annotations of several annotators that stand for the same thing."""

    kind: str
    start: int | None
    end: int | None
    #: annotator -> their annotations in this unit (usually one)
    members: dict[str, list[S]]
    status: str
    gold: list[S] = field(default_factory=list)
    #: "accepted" (gold equals an annotator's version), "edited" (gold differs
    #: from all), "rejected" (no gold, a reject decision) or None (open).
    decision: str | None = None
    #: annotators whose version the gold layer equals
    accepted_from: list[str] = field(default_factory=list)

    @property
    def annotations(self) -> list[S]:
        return [a for anns in self.members.values() for a in anns]

    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.annotations]

    @property
    def key(self) -> str:
        """A stable name for the unit (its lowest member or gold id)."""
        ids = self.ids or [g.id for g in self.gold]
        return min(ids)

    @property
    def agreed(self) -> bool:
        return self.status == "agreed"

    @property
    def open(self) -> bool:
        """Waiting for the reviewer: a disagreement, or (with one annotator) that
        annotator's annotation, nobody has decided yet."""
        return self.status not in ("agreed", "gold-only") and self.decision is None

    @property
    def disagreement(self) -> bool:
        """The annotators compared differ here (several of them, or one with several versions)."""
        return self.status not in NOT_DISAGREEMENT

    def label_of(self, annotator: str) -> str:
        anns = self.members.get(annotator, [])
        return " / ".join(a.label for a in anns)


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def _frag(a: Stored) -> tuple:
    """The fragments of a discontinuous span as a tuple of ``(start, end)`` (issue 14);
    ``()`` for a one-piece span.  Works on stored rows (JSON text) and models alike."""
    f = a.fragments
    if f is None:
        return ()
    if isinstance(f, str):
        f = json.loads(f)
    return tuple((int(s), int(e)) for s, e in f)


def _pieces_text(text: str, a: Stored) -> str:
    frags = _frag(a)
    return " ".join(text[s:e] for s, e in frags) if frags else text[a.start : a.end]


class _Index:
    """Look-ups over one document's annotations (all annotators and gold)."""

    def __init__(self, annotations: Iterable[Stored], text: str):
        self.by_id = {a.id: a for a in annotations}
        self.text = text

    def span(self, ref: str | None) -> tuple | None:
        a = self.by_id.get(ref) if ref else None
        if a is None:
            return None if ref is None else ("?", ref)
        if a.kind == "relation":
            return ("relation", a.label, self.span(a.head), self.span(a.tail))
        return (a.start, a.end, *_frag(a))

    def filler(self, ref: str) -> tuple:
        a = self.by_id.get(ref)
        return (self.span(ref), a.label if a else None)

    def claimant(self, a: Stored) -> str | None:
        if a.claimant_ref:
            t = self.by_id.get(a.claimant_ref)
            if t is not None and t.start is not None:
                return _norm(_pieces_text(self.text, t))
            return f"#{a.claimant_ref}"
        return _norm(a.claimant_text) if a.claimant_text else None

    def content(self, a: Stored) -> tuple:
        """What must be equal, beyond span and label, for two versions to agree."""
        # an unset attribute is an absent key; a null (as an old row may hold) is unset too
        attrs = tuple(sorted((k, repr(v)) for k, v in a.attribute_values().items() if v is not None))
        if a.kind == "event":
            args = tuple(sorted((role, repr(self.filler(target))) for role, target in a.argument_pairs()))
            return (attrs, args)
        if a.kind == "claim":
            return (attrs, self.claimant(a))
        links = _link_keys(a)
        return (attrs, links) if links else (attrs,)  # an entity's knowledge-base links (issue 14)

    def signature(self, a: Stored) -> tuple:
        if a.kind == "relation":
            return ("relation", a.label, self.span(a.head), self.span(a.tail), self.content(a))
        return (a.kind, a.start, a.end, _frag(a), a.label, self.content(a))


def _link_keys(a: Stored) -> tuple[tuple[str, str], ...]:
    """The ``(resource, id)`` of an annotation's knowledge-base links, sorted."""
    links = a.links
    if isinstance(links, str):  # a stored row: the JSON text
        return tuple(sorted((d["resource"], d["id"]) for d in link_dicts(links)))
    return tuple(sorted(x.key for x in links))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def _span_groups(anns: list[S]) -> list[list[S]]:
    """Exact-span groups merged across annotators where they overlap (see module doc)."""
    exact: dict[tuple, list[S]] = defaultdict(list)
    for a in anns:  # one-piece spans and discontinuous ones of the same hull stay apart
        exact[(a.start, a.end, _frag(a))].append(a)
    spans = sorted(exact)
    parent = list(range(len(spans)))
    who = [{a.annotator for a in exact[s]} for s in spans]
    extent = list(spans)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    candidates = []
    for i, s in enumerate(spans):
        for j in range(i + 1, len(spans)):
            t = spans[j]
            if t[0] >= s[1]:
                break
            ov = _overlap(s, t)
            if ov > 0 and not who[i] & who[j]:
                union = max(s[1], t[1]) - min(s[0], t[0])
                candidates.append((-ov / union, i, j))
    for _score, i, j in sorted(candidates):
        ri, rj = find(i), find(j)
        if ri == rj or who[ri] & who[rj]:
            continue
        parent[rj] = ri
        who[ri] |= who[rj]
        extent[ri] = (min(extent[ri][0], extent[rj][0]), max(extent[ri][1], extent[rj][1]))
    groups: dict[int, list[S]] = defaultdict(list)
    for i, s in enumerate(spans):
        groups[find(i)].extend(exact[s])
    return list(groups.values())


def _status(members: Mapping[str, Sequence[Stored]], annotators: Sequence[str], index: _Index) -> str:
    if any(len(v) > 1 for v in members.values()):
        return "mixed"
    if len(annotators) < 2:  # agreement needs two: one annotator agrees with nobody
        return "single"
    if len([n for n in annotators if members.get(n)]) < len(annotators):
        return "partial"
    anns = [v[0] for v in members.values()]
    if anns[0].kind == "relation":
        return "agreed" if len({index.signature(a) for a in anns}) == 1 else "content"
    same_span = len({(a.start, a.end, _frag(a)) for a in anns}) == 1  # the same fragments, too
    same_label = len({a.label for a in anns}) == 1
    if same_span and same_label:
        return "agreed" if len({index.content(a) for a in anns}) == 1 else "content"
    if same_span:
        return "label"
    if same_label:
        return "boundary"
    return "label+boundary"


def align(
    annotations: Iterable[S],
    text: str,
    annotators: Sequence[str] | None = None,
    decisions: Iterable[dict[str, Any]] = (),
) -> list[Unit[S]]:
    """The units of one document (see the module doc), in reading order.

    ``annotations`` are all the document's annotations (gold included);
    ``annotators`` those compared (default: every non-gold annotator present).
    """
    anns = list(annotations)
    index = _Index(anns, text)
    names = list(annotators) if annotators is not None else sorted({a.annotator for a in anns if a.annotator != GOLD})
    chosen = [a for a in anns if a.annotator in names and a.annotator != GOLD]
    gold = [a for a in anns if a.annotator == GOLD]
    units: list[Unit[S]] = []
    for kind in SPAN_KINDS:
        for group in _span_groups([a for a in chosen if a.kind == kind]):
            members: dict[str, list[S]] = defaultdict(list)
            for a in group:
                members[a.annotator].append(a)
            units.append(
                Unit(
                    kind,
                    min(a.start for a in group if a.start is not None),  # span kinds: always set
                    max(a.end for a in group if a.end is not None),
                    dict(members),
                    _status(members, names, index),
                )
            )
    relations: dict[tuple, dict[str, list[S]]] = defaultdict(lambda: defaultdict(list))
    for a in chosen:
        if a.kind == "relation":
            relations[(a.label, index.span(a.head), index.span(a.tail))][a.annotator].append(a)
    for members in relations.values():
        units.append(Unit("relation", None, None, dict(members), _status(members, names, index)))
    _attach_gold(units, gold, index)
    rejected = {i for d in decisions if d["action"] == "reject" for i in d["source_ids"]}
    for u in units:
        if u.gold:
            sigs = {index.signature(g) for g in u.gold}
            u.accepted_from = [n for n, v in u.members.items() if len(v) == 1 and {index.signature(v[0])} == sigs]
            u.decision = "accepted" if u.accepted_from else "edited"
        elif rejected and rejected & set(u.ids):
            u.decision = "rejected"
    units.sort(key=lambda u: (_relation_anchor(u, index), _KIND_ORDER[u.kind]))
    return units


def _relation_anchor(u: Unit[Any], index: _Index) -> tuple[int, int]:
    if u.start is not None:
        return (u.start, -u.end)  # type: ignore[operator]
    a = (u.annotations or u.gold)[0]
    head = index.by_id.get(a.head or "")
    return (head.start or 0, 0) if head is not None and head.start is not None else (0, 0)


def _attach_gold(units: list[Unit[S]], gold: list[S], index: _Index) -> None:
    for g in gold:
        best, best_score = None, 0.0
        for u in units:
            if u.kind != g.kind:
                continue
            if g.kind == "relation":
                a = u.annotations[0]
                if (a.label, index.span(a.head), index.span(a.tail)) == (g.label, index.span(g.head), index.span(g.tail)):
                    best, best_score = u, 2.0
                continue
            for a in u.annotations:
                if (a.start, a.end, _frag(a)) == (g.start, g.end, _frag(g)):
                    score = 2.0
                else:
                    ov = _overlap((a.start, a.end), (g.start, g.end))  # type: ignore[arg-type]
                    score = ov / (max(a.end, g.end) - min(a.start, g.start)) if ov > 0 else 0.0  # type: ignore[type-var,operator]
                if score > best_score:
                    best, best_score = u, score
        if best is None:
            units.append(Unit(g.kind, g.start, g.end, {}, "gold-only", gold=[g]))
        else:
            best.gold.append(g)


def document_units(project: Project, doc_id: str, annotators: Sequence[str] | None = None) -> list[Unit[Annotation]]:
    """:func:`align` over a stored document."""
    return align(project.annotations(doc_id), project.document_text(doc_id), annotators, project.review_decisions(doc_id))


@dataclass
class QueueRow:
    doc_id: str
    title: str
    status: str
    annotators: list[str]
    units: int
    disagreements: int
    #: disagreements not decided yet
    open: int
    agreed: int
    #: agreed units not yet in the gold layer
    agreed_open: int
    #: units of a document fewer than two annotators are compared on (see ``single``)
    single: int = 0
    #: of those, the ones not decided yet
    single_open: int = 0

    @classmethod
    def of(cls, doc_id: str, title: str, status: str, annotators: list[str], units: Sequence[Unit[Any]]) -> QueueRow:
        """The row of a document with these units (gold-only units are not counted)."""
        real = [u for u in units if u.status != "gold-only"]
        dis = [u for u in real if u.disagreement]
        single = [u for u in real if u.status == "single"]
        agreed = [u for u in real if u.agreed]
        return cls(
            doc_id=doc_id,
            title=title,
            status=status,
            annotators=annotators,
            units=len(real),
            disagreements=len(dis),
            open=sum(1 for u in dis if u.decision is None),
            agreed=len(agreed),
            agreed_open=sum(1 for u in agreed if not u.gold),
            single=len(single),
            single_open=sum(1 for u in single if u.decision is None),
        )


def review_queue(project: Project, annotators: Sequence[str] | None = None, include_done: bool = True) -> list[QueueRow]:
    """Documents annotated by at least one of ``annotators``, most open disagreement
    first (then most disagreement, then import order)."""
    names = set(annotators) if annotators is not None else None
    by_doc = _annotations_by_document(project)
    labelled = project.doc_label_layers()  # documents with document labels only are reviewed too
    ids = [d for d in project.document_ids() if d in by_doc or d in labelled]
    summaries = project.document_summaries(ids)
    texts, _titles = project.document_texts(ids)
    decisions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in project.review_decisions():
        decisions[d["doc_id"]].append(d)
    rows = []
    for order, doc_id in enumerate(ids):
        anns = by_doc[doc_id]
        who = {a.annotator for a in anns} | labelled.get(doc_id, set())
        present = sorted(n for n in who if n != GOLD and (names is None or n in names))
        if not present:
            continue
        status = summaries[doc_id]["status"]
        if not include_done and status == DocStatus.REVIEWED:
            continue
        compare = list(annotators) if annotators is not None else present
        units = align(anns, texts[doc_id], compare, decisions[doc_id])
        rows.append((order, QueueRow.of(doc_id, summaries[doc_id]["title"], status, present, units)))
    rows.sort(key=lambda r: (-r[1].open, -r[1].disagreements, r[0]))
    return [r for _o, r in rows]


def _annotations_by_document(project: Project) -> dict[str, list[AnnotationRow]]:
    """Every annotation, grouped by document, as stored rows: the queue reads them
    all, and they were validated when they were written."""
    by_doc: dict[str, list[AnnotationRow]] = defaultdict(list)
    for row in project.annotation_rows():
        by_doc[row.doc_id].append(row)
    return by_doc


# ---------------------------------------------------------------------------
# Gold-layer commands
# ---------------------------------------------------------------------------
class _Gold:
    """The gold layer of one document while a command plans: current rows plus planned ones."""

    def __init__(self, project: Project, doc_id: str):
        self.project = project
        self.doc_id = doc_id
        self.current = {a.id: a for a in project.annotations(doc_id, GOLD)}
        self.rows: dict[str, Annotation | None] = {}
        self._source_cache: dict[str, Annotation | None] = {}

    def get(self, ann_id: str) -> Annotation | None:
        return self.rows[ann_id] if ann_id in self.rows else self.current.get(ann_id)

    def all(self) -> list[Annotation]:
        out = [a for i, a in self.current.items() if i not in self.rows]
        out += [a for a in self.rows.values() if a is not None]
        return out

    def put(self, ann: Annotation) -> None:
        self.rows[ann.id] = ann

    def source(self, ann_id: str) -> Annotation:
        """An annotator's annotation of this document (not gold)."""
        if ann_id not in self._source_cache:
            self._source_cache[ann_id] = self.project.get_annotation(ann_id)
        a = self._source_cache[ann_id]
        if a is None or a.doc_id != self.doc_id:
            raise CommandError(f"annotation {ann_id} is not in this document (deleted elsewhere?)")
        if a.annotator == GOLD:
            raise CommandError("that annotation is in the gold layer already")
        return a

    def find(self, src: Annotation) -> Annotation | None:
        """The gold annotation standing for ``src``: same kind and span (same label preferred)."""
        if src.kind == "relation":
            head, tail = self._peer(src.head), self._peer(src.tail)
            for g in self.all():
                if g.kind == "relation" and g.head == head and g.tail == tail and g.label == src.label:
                    return g
            return None
        same = [g for g in self.all() if g.kind == src.kind and g.start == src.start and g.end == src.end]
        same.sort(key=lambda g: g.fragments != src.fragments)  # the same fragments first
        return next((g for g in same if g.label == src.label), same[0] if same else None)

    def _peer(self, ref: str | None) -> str | None:
        if ref is None:
            return None
        g = self.find(self.source(ref))
        return g.id if g else None

    def ensure(self, src: Annotation, busy: frozenset[str] = frozenset()) -> str:
        """The id of the gold annotation standing for ``src``, copying it (and what
        it refers to) into the gold layer when there is none."""
        g = self.find(src)
        if g is not None:
            return g.id
        copy = self.copy_of(src, busy=busy)
        self.put(copy)
        return copy.id

    def copy_of(
        self, src: Annotation, *, keep: Annotation | None = None, busy: frozenset[str] = frozenset(), arguments: bool = True
    ) -> Annotation:
        """``src`` as a gold annotation (references mapped to gold); with ``keep``,
        reusing that gold annotation's id and creation time."""
        busy = busy | {src.id}

        def peer(ref: str | None) -> str | None:
            if ref is None or ref in busy:
                return None
            return self.ensure(self.source(ref), busy)

        data = src.model_dump()
        stamp = now()
        data.update(
            id=keep.id if keep else new_id(),
            annotator=GOLD,
            created=keep.created if keep else stamp,
            updated=stamp,
            arguments=[
                Argument(role=x.role, target=t) for x in (src.arguments if arguments else []) if (t := peer(x.target)) is not None
            ],
            claimant_ref=peer(src.claimant_ref),
        )
        if src.kind == "relation":
            head, tail = peer(src.head), peer(src.tail)
            if head is None or tail is None:
                raise CommandError("the relation's ends cannot be copied into the gold layer")
            data.update(head=head, tail=tail)
        return Annotation.model_validate(data)

    def replace(self, keep: Annotation, drop: Iterable[str]) -> None:
        """Delete ``drop`` (gold ids), pointing references at them to ``keep`` instead."""
        dropped = {i for i in drop if i != keep.id}
        if not dropped:
            return
        for g in self.all():
            if g.id in dropped:
                continue
            refs = g.referenced_ids()
            if refs & dropped:

                def to(ref: str) -> str:
                    return keep.id if ref in dropped else ref

                def to_opt(ref: str | None) -> str | None:
                    return None if ref is None else to(ref)

                args, seen = [], set()
                for x in g.arguments:
                    k = (x.role, to(x.target))
                    if k not in seen:
                        seen.add(k)
                        args.append(Argument(role=k[0], target=k[1]))
                self.put(
                    stamped(g, arguments=args, claimant_ref=to_opt(g.claimant_ref), head=to_opt(g.head), tail=to_opt(g.tail))
                )
        for i in dropped:
            self.rows[i] = None


#: The gold layer while a review command plans (for the review commands of other
#: modules, e.g. :mod:`annotator.core.review_coref`).
GoldLayer = _Gold


class ReviewCommand(Command):
    """A change to the gold layer that records review decisions.

    Subclasses plan the gold rows and call :meth:`decide` for every decision;
    the decision rows are written with the annotations (and removed on undo).
    The first decision on a document puts it ``in_review``.
    """

    action = "review"

    def __init__(self, doc_id: str, reviewer: str):
        if not reviewer or reviewer == GOLD:
            raise CommandError(f"a review needs the reviewer's name (not {GOLD!r})")
        super().__init__(doc_id, reviewer)
        self.decisions: list[dict[str, Any]] = []

    @property
    def reviewer(self) -> str:
        return self.actor

    def decide(self, action: str, source_ids: Sequence[str], gold_id: str | None, **detail: Any) -> None:
        self.decisions.append(
            {
                "id": new_id(),
                "doc_id": self.doc_id,
                "reviewer": self.actor,
                "time": now(),
                "action": action,
                "source_ids": list(source_ids),
                "gold_id": gold_id,
                "detail": detail,
            }
        )

    def plan_status(self, project: Project, current: DocStatus) -> DocStatus | None:
        if current in (DocStatus.IN_REVIEW, DocStatus.REVIEWED):
            return None
        return DocStatus.IN_REVIEW

    def _first_run(self, project: Project) -> None:
        self.decisions = []
        super()._first_run(project)
        for ann in self.after.values():
            if ann is not None and ann.annotator != GOLD:
                raise CommandError("a review action may only change the gold layer")
        for old in (self.before or {}).values():
            if old is not None and old.annotator != GOLD:
                raise CommandError("a review action may only change the gold layer")

    def do(self, project: Project) -> Changes:
        changes = super().do(project)
        for d in self.decisions:
            project.put_review_decision(d)
        return changes

    def undo(self, project: Project) -> Changes:
        changes = super().undo(project)
        for d in self.decisions:
            project.delete_review_decision(d["id"])
        return changes


class AcceptAnnotation(ReviewCommand):
    """Copy one annotator's annotation (entity, event with its arguments, claim
    with claimant and attributes, relation) into the gold layer.

    The annotations it refers to (argument fillers, claimant, relation ends)
    are mapped to the gold annotations with the same span, copied when gold has
    none. ``replace`` names gold annotations this version supersedes (default:
    gold annotations of the same kind with exactly the same span); the first
    keeps its id, so references to it stay valid.
    """

    action = "accept"

    def __init__(self, doc_id: str, reviewer: str, source_id: str, replace: Sequence[str] | None = None):
        super().__init__(doc_id, reviewer)
        self.source_id = source_id
        self.replace_ids = list(replace) if replace is not None else None
        self.text = "accept annotation"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        gold = _Gold(project, self.doc_id)
        src = gold.source(self.source_id)
        self.text = f"accept {src.annotator}'s {src.kind} {src.label}"
        if self.replace_ids is None:
            old = [
                g.id
                for g in gold.all()
                if g.kind == src.kind and src.kind != "relation" and (g.start, g.end) == (src.start, src.end)
            ]
            existing = gold.find(src) if src.kind == "relation" else None
            if existing is not None:
                old = [existing.id]
        else:
            old = [i for i in self.replace_ids if gold.get(i) is not None]
            for i in old:
                if gold.get(i).annotator != GOLD:  # type: ignore[union-attr]
                    raise CommandError("only gold annotations can be replaced")
        keep = gold.get(old[0]) if old else None
        copy = gold.copy_of(src, keep=keep)
        gold.put(copy)
        if keep is not None:
            gold.replace(copy, old)
        self.decide(self.action, [src.id], copy.id, annotator=src.annotator, kind=src.kind, label=src.label, replaced=old)
        return gold.rows


class AcceptArgument(ReviewCommand):
    """Copy one argument of an annotator's event into the gold event with the same
    trigger (created, without other arguments, when gold has none)."""

    action = "accept_argument"

    def __init__(self, doc_id: str, reviewer: str, event_id: str, role: str, target: str):
        super().__init__(doc_id, reviewer)
        self.event_id, self.role, self.target = event_id, role, target
        self.text = f"accept argument {role}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        gold = _Gold(project, self.doc_id)
        ev = gold.source(self.event_id)
        if ev.kind != "event":
            raise CommandError("arguments belong to events; that annotation is not an event")
        if not any(x.role == self.role and x.target == self.target for x in ev.arguments):
            raise CommandError(f"{ev.annotator}'s event has no {self.role} argument pointing there")
        g = gold.find(ev)
        if g is None or g.label != ev.label:
            g = gold.copy_of(ev, arguments=False)
            gold.put(g)
        filler = gold.ensure(gold.source(self.target), frozenset({ev.id}))
        g = gold.get(g.id)  # ensure() may not touch it, but read the planned row
        assert g is not None
        if not any(x.role == self.role and x.target == filler for x in g.arguments):
            gold.put(stamped(g, arguments=[*g.arguments, Argument(role=self.role, target=filler)]))
        self.decide(self.action, [ev.id, self.target], g.id, annotator=ev.annotator, role=self.role, filler=filler)
        return gold.rows


class AcceptAttribute(ReviewCommand):
    """Copy one attribute of an annotator's claim (or other annotation) into the gold
    annotation with the same span (created, without other attributes, when gold
    has none). ``name`` may be :data:`CLAIMANT` to copy the claim's claimant. An
    attribute the annotator left unset is removed from gold."""

    action = "accept_attribute"

    def __init__(self, doc_id: str, reviewer: str, ann_id: str, name: str):
        super().__init__(doc_id, reviewer)
        self.ann_id, self.name = ann_id, name
        self.text = f"accept {name}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        gold = _Gold(project, self.doc_id)
        src = gold.source(self.ann_id)
        if src.kind == "relation":
            raise CommandError("relations have no attributes to accept")
        g = gold.find(src)
        if g is None:
            base = src.model_copy(update={"attributes": {}, "claimant_ref": None, "claimant_text": None})
            g = gold.copy_of(base, arguments=False)
            gold.put(g)
        if self.name == CLAIMANT:
            if src.kind != "claim":
                raise CommandError("only claims have a claimant")
            ref = gold.ensure(gold.source(src.claimant_ref), frozenset({src.id})) if src.claimant_ref else None
            g = gold.get(g.id)
            assert g is not None
            gold.put(stamped(g, claimant_ref=ref, claimant_text=None if ref else src.claimant_text))
            value: Any = src.claimant_text if not ref else ref
        else:
            attrs = dict(g.attributes)
            if self.name in src.attributes:
                attrs[self.name] = src.attributes[self.name]
            else:
                attrs.pop(self.name, None)
            gold.put(stamped(g, attributes=attrs))
            value = src.attributes.get(self.name)
        self.decide(self.action, [src.id], g.id, annotator=src.annotator, attribute=self.name, value=value)
        return gold.rows


class Reject(ReviewCommand):
    """Record that the annotators' versions ``source_ids`` are rejected; removes the
    gold annotations ``gold_ids`` (e.g. an earlier acceptance) with what points at them."""

    action = "reject"

    def __init__(self, doc_id: str, reviewer: str, source_ids: Sequence[str], gold_ids: Sequence[str] = ()):
        super().__init__(doc_id, reviewer)
        if not source_ids and not gold_ids:
            raise CommandError("nothing to reject")
        self.source_ids, self.gold_ids = list(source_ids), list(gold_ids)
        self.text = "reject"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        gold = _Gold(project, self.doc_id)
        for i in self.source_ids:
            gold.source(i)
        rows: dict[str, Annotation | None] = {}
        if self.gold_ids:
            for i in self.gold_ids:
                if gold.get(i) is None:
                    raise CommandError(f"gold annotation {i} does not exist (deleted elsewhere?)")
            rows = DeleteAnnotations(self.doc_id, self.actor, self.gold_ids).plan(project)
        self.decide(self.action, self.source_ids, None, removed=self.gold_ids)
        return rows


class AcceptAllAgreed(ReviewCommand):
    """Accept, as one action, every unit that all ``annotators`` made identically
    and the gold layer does not have yet."""

    action = "accept_agreed"

    def __init__(self, doc_id: str, reviewer: str, annotators: Sequence[str] | None = None):
        super().__init__(doc_id, reviewer)
        self.annotators = list(annotators) if annotators is not None else None
        self.text = "accept all agreed"
        self.accepted = 0

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        units = document_units(project, self.doc_id, self.annotators)
        gold = _Gold(project, self.doc_id)
        todo = [u for u in units if u.agreed and not u.gold and u.decision is None]
        todo.sort(key=lambda u: _KIND_ORDER[u.kind])  # fillers and claimants before events, ends before relations
        for u in todo:
            first = u.annotations[0]
            if gold.find(first) is not None:
                continue
            gid = gold.ensure(first)
            self.decide(self.action, u.ids, gid, kind=first.kind, label=first.label, annotators=sorted(u.members))
        self.accepted = len(self.decisions)
        self.text = f"accept {self.accepted} agreed annotation{'' if self.accepted == 1 else 's'}"
        return gold.rows


class AcceptAllFrom(ReviewCommand):
    """Accept, as one action, ``annotator``'s version of every unit not decided yet
    (no gold annotation, not rejected): what a reviewer does to promote the work
    of the only annotator of a document into gold. Units where that annotator has
    several versions are left for the reviewer to choose (counted in ``skipped``).
    ``annotators``: those compared, as for :func:`document_units`."""

    action = "accept_annotator"

    def __init__(self, doc_id: str, reviewer: str, annotator: str, annotators: Sequence[str] | None = None):
        super().__init__(doc_id, reviewer)
        if annotator == GOLD:
            raise CommandError("the gold layer's annotations are in gold already")
        self.annotator = annotator
        self.annotators = list(annotators) if annotators is not None else None
        self.text = f"accept all of {annotator}'s annotations"
        self.accepted = 0
        self.skipped = 0

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        units = document_units(project, self.doc_id, self.annotators)
        mine = [u for u in units if u.members.get(self.annotator)]
        if not mine:
            raise CommandError(f"there are no annotations by {self.annotator} in this document to accept")
        gold = _Gold(project, self.doc_id)
        todo = [u for u in mine if not u.gold and u.decision is None]
        self.skipped = sum(1 for u in todo if len(u.members[self.annotator]) > 1)
        todo = [u for u in todo if len(u.members[self.annotator]) == 1]
        todo.sort(key=lambda u: _KIND_ORDER[u.kind])  # fillers and claimants before events, ends before relations
        for u in todo:
            (src,) = u.members[self.annotator]
            if gold.find(src) is not None:  # copied already, as what another one refers to
                continue
            gid = gold.ensure(src)
            self.decide(self.action, [src.id], gid, annotator=self.annotator, kind=src.kind, label=src.label)
        self.accepted = len(self.decisions)
        self.text = f"accept {self.accepted} of {self.annotator}'s annotation{'' if self.accepted == 1 else 's'}"
        return gold.rows


class EditGold(ReviewCommand):
    """Edit the gold layer directly through another command (add, update, delete
    gold annotations), recording the edit as a review decision."""

    action = "edit"

    def __init__(self, command: Command):
        super().__init__(command.doc_id, command.actor)
        self.inner = command
        self.text = f"edit gold: {command.text}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        rows = self.inner.plan(project)
        self.text = f"edit gold: {self.inner.text}"
        for ann_id, ann in rows.items():
            old = project.get_annotation(ann_id)
            if (ann is not None and ann.annotator != GOLD) or (old is not None and old.annotator != GOLD):
                raise CommandError("only gold annotations can be edited in review")
        changed = [i for i, a in rows.items() if a is not None]
        self.decide(self.action, [], changed[0] if changed else None, what=self.inner.text, ids=sorted(rows))
        return rows


class SetReviewStatus(ReviewCommand):
    """Mark a document ``in_review`` or ``reviewed`` (undoable, recorded)."""

    action = "status"

    def __init__(self, doc_id: str, reviewer: str, status: DocStatus | str = DocStatus.REVIEWED):
        super().__init__(doc_id, reviewer)
        self.status = DocStatus(status)
        if self.status not in (DocStatus.IN_REVIEW, DocStatus.REVIEWED):
            raise CommandError("review status is in_review or reviewed")
        self.text = f"mark {self.status.value.replace('_', ' ')}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        self.decide(self.action, [], None, status=self.status.value)
        return {}

    def plan_status(self, project: Project, current: DocStatus) -> DocStatus | None:
        return self.status


# ---------------------------------------------------------------------------
# Coreference (issue 15)
# ---------------------------------------------------------------------------


class AcceptCluster(ReviewCommand):
    """Copy an annotator's coreference cluster into gold (issue 15): its mentions
    (gold annotations of the same span reused, as accepting an annotation does),
    name, type and registry link.  A gold cluster that held one of those mentions
    becomes that cluster (its id kept, so claimants and arguments naming it stay
    valid); gold mentions it held that the accepted cluster lacks leave it, and
    other gold clusters give up the accepted mentions (deleted when left empty).
    Recorded as a review decision ``accept_cluster``."""

    action = "accept_cluster"

    def __init__(self, doc_id: str, reviewer: str, cluster_id: str):
        super().__init__(doc_id, reviewer)
        self.cluster_id = cluster_id
        #: the gold cluster the accepted one became (known once done)
        self.gold_cluster_id: str | None = None
        self.text = "accept cluster"
        self._gold_ids: list[str] = []
        self._source: Cluster | None = None

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        source = project.get_cluster(self.cluster_id)
        if source is None:
            raise CommandError(f"cluster {self.cluster_id} does not exist (deleted elsewhere?)")
        if source.doc_id != self.doc_id:
            raise CommandError("that cluster is not in this document")
        if source.annotator == GOLD:
            raise CommandError("that cluster is in the gold layer already")
        gold = _Gold(project, self.doc_id)
        ids: list[str] = []
        for m in source.members:
            src = project.get_annotation(m)
            if src is None or src.span is None:
                continue  # a member whose annotation went (it has no span): left out
            gid = gold.ensure(gold.source(m))
            if gid not in ids:
                ids.append(gid)
        if not ids:
            raise CommandError("that cluster has no mention left to accept")
        self._gold_ids, self._source = ids, source
        self.text = f"accept {source.annotator}'s cluster"
        self.decide(self.action, list(source.members), None, annotator=source.annotator, cluster=source.id)
        return gold.rows

    def plan_clusters(self, project: Project, rows: dict[str, Annotation | None]) -> dict[str, Cluster | None]:
        source = self._source
        assert source is not None
        ids = self._gold_ids
        holders = project.clusters_of_annotations(ids)  # gold mentions already in a gold cluster
        held = project.clusters_by_id(set(holders.values()))
        target = held.get(holders[ids[0]]) if ids[0] in holders else next(iter(held.values()), None)
        plan: dict[str, Cluster | None] = {}
        for cid, cluster in held.items():
            if target is not None and cid == target.id:
                continue
            left = [m for m in cluster.members if m not in ids]
            plan[cid] = cluster.with_(members=left) if left else None
        fields: dict[str, Any] = {"name": source.name, "type": source.type, "entry_id": source.entry_id}
        if target is not None:
            if list(target.members) == ids and all(getattr(target, k) == v for k, v in fields.items()):
                raise CommandError("the gold layer has this cluster already")
            plan[target.id] = target.with_(members=ids, **fields)
            self.gold_cluster_id = target.id
        else:
            new = Cluster(doc_id=self.doc_id, annotator=GOLD, members=tuple(ids), **fields)
            plan[new.id] = new
            self.gold_cluster_id = new.id
        return plan
