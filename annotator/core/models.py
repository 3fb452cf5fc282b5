"""Domain model: documents, annotations of every kind, annotators.

All spans are Python code-point offsets into the stored (canonical, immutable)
document text, end-exclusive: ``text[start:end]`` is the annotated text.

One flat :class:`Annotation` model covers the four kinds; ``kind`` says which
fields apply:

=========  ==========================  =========================================
kind       span (start, end)           other fields
=========  ==========================  =========================================
entity     the entity mention          ``label``, ``attributes``
event      the trigger                 ``label`` = event type, ``arguments``
claim      the claim text              ``label`` = "CLAIM", ``claimant_ref`` or
                                       ``claimant_text``, ``attributes``
relation   none                        ``label`` = relation type, ``head``,
                                       ``tail`` (annotation ids)
=========  ==========================  =========================================

Discontinuous spans (issue 14): an entity, event trigger or claim may have
``fragments``, two or more code-point ranges in document order that neither
overlap nor touch ("The economy, he said, is collapsing" is one claim in two
pieces).  ``start`` and ``end`` stay the hull (first start, last end), so code
that sorts, indexes or overlaps spans keeps working; the annotated text is the
fragments' texts joined by a single space (brat's rule).  A one-piece span has
``fragments`` None (a one-element list is read as that span).

A claimant or an argument's target may also name an actor instead of one
mention: ``cluster:<id>`` or ``entry:<id>`` (:mod:`annotator.core.coref`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from annotator.core.coref import is_actor_ref

# The names and constants without pydantic (what the first paint needs), re-exported here.
from annotator.core.kinds import (  # noqa: F401 (re-exported)
    CLAIM_LABEL,
    GOLD,
    KINDS,
    SPAN_KINDS,
    DocStatus,
    Kind,
    Source,
    all_spans,
    has_span,
    new_id,
    now,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, defer_build=True)


class Document(_Model):
    id: str = Field(default_factory=new_id, min_length=1)
    external_id: str | None = None
    title: str = ""
    text: str = Field(min_length=1)
    sha256: str = ""
    source: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    status: DocStatus = DocStatus.NEW
    created: str = Field(default_factory=now)
    updated: str = Field(default_factory=now)

    @model_validator(mode="after")
    def _fill_sha(self) -> Document:
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        if self.sha256 and self.sha256 != digest:
            raise ValueError("sha256 does not match the text")
        self.sha256 = digest
        return self


class Argument(_Model):
    """One argument of an event: a role filled by another annotation."""

    role: str = Field(min_length=1)
    target: str = Field(min_length=1)


class Link(_Model):
    """A link of an entity to an entry of a knowledge base (normalization, issue 14):
    ``resource`` names the knowledge base (``Wikidata``, a loaded file's name),
    ``id`` the entry in it, ``name`` the entry's name as it was when linked."""

    resource: str = Field(min_length=1)
    id: str = Field(min_length=1)
    name: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """``(resource, id)``: what makes two links the same."""
        return (self.resource, self.id)


class Annotation(_Model):
    id: str = Field(default_factory=new_id, min_length=1)
    doc_id: str = Field(min_length=1)
    kind: Kind
    label: str = Field(min_length=1)
    start: int | None = None
    end: int | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    arguments: list[Argument] = Field(default_factory=list)
    head: str | None = None
    tail: str | None = None
    claimant_ref: str | None = None
    claimant_text: str | None = None
    annotator: str = Field(min_length=1)
    source: Source = Source.MANUAL
    created: str = Field(default_factory=now)
    updated: str = Field(default_factory=now)
    #: The pieces of a discontinuous span (>= 2, in order, apart); None: one piece,
    #: ``start``-``end`` (last, as the stored column: rows and models share their order).
    fragments: list[tuple[int, int]] | None = None
    #: Knowledge-base links (entities only), in the order they were added; no two share ``(resource, id)``.
    links: list[Link] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Annotation:
        if self.fragments is not None:
            self._check_fragments()
        if self.kind in SPAN_KINDS:
            if self.start is None or self.end is None:
                raise ValueError(f"a {self.kind} needs a span (start and end)")
            if self.start < 0 or self.end <= self.start:
                raise ValueError(f"invalid span [{self.start}, {self.end}): need 0 <= start < end")
            if self.head is not None or self.tail is not None:
                raise ValueError(f"a {self.kind} has no head/tail")
        else:
            if self.start is not None or self.end is not None:
                raise ValueError("a relation has no span")
            if not self.head or not self.tail:
                raise ValueError("a relation needs a head and a tail")
        if self.arguments and self.kind != "event":
            raise ValueError("only events have arguments")
        if (self.claimant_ref or self.claimant_text) and self.kind != "claim":
            raise ValueError("only claims have a claimant")
        if self.links:
            if self.kind != "entity":
                raise ValueError("only entities have knowledge-base links")
            keys = [x.key for x in self.links]
            if len(set(keys)) != len(keys):
                raise ValueError("the same knowledge-base entry is linked twice")
        if self.kind == "claim" and None in self.attributes.values():
            # unset is an absent key: a null (as exports write it) reads as unset
            self.attributes = {k: v for k, v in self.attributes.items() if v is not None}
        return self

    def _check_fragments(self) -> None:
        frags = self.fragments
        assert frags is not None
        if self.kind not in SPAN_KINDS:
            raise ValueError("a relation has no span, so no fragments")
        if not frags:
            raise ValueError("fragments: give two or more ranges, or none (null) for a one-piece span")
        previous_end = None
        for s, e in frags:
            if s < 0 or e <= s:
                raise ValueError(f"invalid fragment [{s}, {e}): need 0 <= start < end")
            if previous_end is not None and s <= previous_end:
                raise ValueError(
                    f"fragment [{s}, {e}) overlaps or touches the one before it (ending at {previous_end}): "
                    "fragments are in document order, with text between them"
                )
            previous_end = e
        hull = (frags[0][0], frags[-1][1])
        if self.start is None and self.end is None:
            self.start, self.end = hull
        elif (self.start, self.end) != hull:
            raise ValueError(
                f"span [{self.start}, {self.end}) is not the hull of its fragments [{hull[0]}, {hull[1]}) "
                "(start is the first fragment's start, end the last one's end)"
            )
        if len(frags) == 1:
            self.fragments = None  # one piece: a plain span
        else:
            self.fragments = [(s, e) for s, e in frags]

    @property
    def pieces(self) -> list[tuple[int, int]]:
        """The span's pieces: its fragments, or ``[(start, end)]`` (empty for a relation)."""
        if self.fragments is not None:
            return list(self.fragments)
        if self.start is None or self.end is None:
            return []
        return [(self.start, self.end)]

    @property
    def span(self) -> tuple[int, int] | None:
        if self.start is None or self.end is None:
            return None
        return (self.start, self.end)

    @property
    def bounds(self) -> tuple[int, int]:
        """``(start, end)`` of an annotation known to have a span; ValueError for a relation.

        For one annotation where a span is certain; in loops over many spans, narrow
        the list with :func:`all_spans` instead (no Python-level work per span).
        """
        if self.start is None or self.end is None:
            raise ValueError(f"annotation {self.id} ({self.kind}) has no span")
        return (self.start, self.end)

    def text_in(self, text: str) -> str:
        """The annotated text (empty for relations); a discontinuous span's fragments
        joined by a single space (brat's rule)."""
        if self.start is None or self.end is None:
            return ""
        if self.fragments is not None:
            return fragments_text(text, self.fragments)
        return text[self.start : self.end]

    def attribute_values(self) -> dict[str, Any]:
        """The attributes (as :meth:`AnnotationRow.attribute_values <annotator.core.rows.AnnotationRow.attribute_values>`)."""
        return self.attributes

    def argument_pairs(self) -> list[tuple[str, str]]:
        """The event's arguments as ``(role, target)`` (as the stored row gives them)."""
        return [(x.role, x.target) for x in self.arguments]

    def referenced_ids(self) -> set[str]:
        """Ids of other annotations this one points at (not the clusters and
        registry entries a claimant or argument may name: :meth:`actor_refs`)."""
        refs = {a.target for a in self.arguments if not is_actor_ref(a.target)}
        for ref in (self.head, self.tail, self.claimant_ref):
            if ref and not is_actor_ref(ref):
                refs.add(ref)
        return refs

    def actor_refs(self) -> set[str]:
        """The actor references (``cluster:<id>``, ``entry:<id>``) of the claimant
        and arguments (:mod:`annotator.core.coref`)."""
        refs = {a.target for a in self.arguments if is_actor_ref(a.target)}
        if is_actor_ref(self.claimant_ref):
            refs.add(self.claimant_ref or "")
        return refs

    def check_span(self, text_length: int) -> None:
        """Raise ValueError unless the span lies inside a text of that length."""
        if self.start is not None and self.end is not None:
            if not (0 <= self.start < self.end <= text_length):
                raise ValueError(
                    f"span [{self.start}, {self.end}) is outside the text "
                    f"(length {text_length}): need 0 <= start < end <= {text_length}"
                )


def fragments_text(text: str, fragments: list[tuple[int, int]]) -> str:
    """The text of a discontinuous span: its fragments' texts joined by a single space."""
    return " ".join(text[s:e] for s, e in fragments)


def merge_pieces(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges sorted, with those that overlap or touch joined into one (what a new
    fragment that reaches an existing one does to a span's fragments)."""
    out: list[list[int]] = []
    for s, e in sorted(pieces):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


if TYPE_CHECKING:

    class SpanAnnotation(Annotation):
        """An annotation with a span (entity, event or claim): ``start`` and ``end`` are ints.

        A static type only: at run time it is :class:`Annotation` itself (never
        construct it or test ``isinstance`` with it).  Narrow to it with
        :func:`has_span` (one annotation) or :func:`all_spans` (a list).
        """

        start: int
        end: int

else:
    SpanAnnotation = Annotation


def entity(doc_id: str, start: int, end: int, label: str, annotator: str, **kw: Any) -> Annotation:
    return Annotation(doc_id=doc_id, kind="entity", start=start, end=end, label=label, annotator=annotator, **kw)


def event(
    doc_id: str, start: int, end: int, event_type: str, annotator: str, arguments: list[tuple[str, str]] | None = None, **kw: Any
) -> Annotation:
    args = [Argument(role=r, target=t) for r, t in (arguments or [])]
    return Annotation(
        doc_id=doc_id, kind="event", start=start, end=end, label=event_type, annotator=annotator, arguments=args, **kw
    )


def claim(
    doc_id: str,
    start: int,
    end: int,
    annotator: str,
    claimant_ref: str | None = None,
    claimant_text: str | None = None,
    attributes: dict[str, Any] | None = None,
    **kw: Any,
) -> Annotation:
    return Annotation(
        doc_id=doc_id,
        kind="claim",
        start=start,
        end=end,
        label=CLAIM_LABEL,
        annotator=annotator,
        claimant_ref=claimant_ref,
        claimant_text=claimant_text,
        attributes=attributes or {},
        **kw,
    )


def relation(doc_id: str, head: str, tail: str, label: str, annotator: str, **kw: Any) -> Annotation:
    return Annotation(doc_id=doc_id, kind="relation", head=head, tail=tail, label=label, annotator=annotator, **kw)
