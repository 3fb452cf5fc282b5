"""The model's names and constants, without pydantic.

What the store and the main window need to start (the kinds, document statuses,
the gold layer's name, timestamps, ids, span checks) lives here so that the
window's first paint imports no pydantic (benchmarks/RESULTS.md, case 8).
:mod:`annotator.core.models` re-exports all of it; :class:`SchemaError` is
re-exported by :mod:`annotator.core.schema`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from operator import attrgetter
from typing import TYPE_CHECKING, Literal, TypeGuard

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # typing.TypeIs is Python 3.13+

    from annotator.core.models import Annotation, SpanAnnotation

__all__ = [
    "GOLD",
    "CLAIM_LABEL",
    "now",
    "new_id",
    "DocStatus",
    "FINISHED_STATUSES",
    "Source",
    "Kind",
    "KINDS",
    "SPAN_KINDS",
    "has_span",
    "all_spans",
    "SchemaError",
]

#: The annotator name under which the adjudicated gold layer is stored.
GOLD = "@gold"
#: The label used for claims (claims are typed by their attributes).
CLAIM_LABEL = "CLAIM"


def now() -> str:
    """The current time as an ISO 8601 UTC string with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A random, globally unique id (64 bits as 16 hex digits)."""
    import secrets  # here: not needed to show a document (docs/make_format_examples.py replaces token_hex)

    return secrets.token_hex(8)


class DocStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"


#: Statuses of a finished document: its annotator went through all of it.
FINISHED_STATUSES: tuple[str, ...] = (DocStatus.DONE.value, DocStatus.IN_REVIEW.value, DocStatus.REVIEWED.value)


class Source(StrEnum):
    MANUAL = "manual"
    IMPORTED = "imported"
    SUGGESTED = "suggested"
    #: added by "annotate all" from another annotation or a text (its origin is kept in the project)
    PROPAGATED = "propagated"


Kind = Literal["entity", "event", "claim", "relation"]
KINDS: tuple[str, ...] = ("entity", "event", "claim", "relation")
SPAN_KINDS: tuple[str, ...] = ("entity", "event", "claim")


class SchemaError(ValueError):
    """A schema file or change that cannot be used; str() is the user message."""


_get_start = attrgetter("start")


def has_span(ann: Annotation) -> TypeIs[SpanAnnotation]:
    """Whether ``ann`` has a span (it is not a relation)."""
    return ann.start is not None and ann.end is not None


def all_spans(anns: list[Annotation]) -> TypeGuard[list[SpanAnnotation]]:
    """Whether every annotation in ``anns`` has a span (none is a relation).

    Checked at C speed, one attribute read per annotation and no Python-level
    work, so hot loops over lists that hold spans only, such as ``Unit.spans``,
    can narrow with ``assert all_spans(spans)``.  ``start`` alone decides: the
    model's validator sets ``start`` and ``end`` together or neither.
    """
    return None not in map(_get_start, anns)
