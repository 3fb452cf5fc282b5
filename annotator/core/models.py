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

    @model_validator(mode="after")
    def _shape(self) -> Annotation:
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
        if self.kind == "claim" and None in self.attributes.values():
            # unset is an absent key: a null (as exports write it) reads as unset
            self.attributes = {k: v for k, v in self.attributes.items() if v is not None}
        return self

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
        """The annotated text (empty for relations)."""
        if self.start is None or self.end is None:
            return ""
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
