"""The one interface every suggester implements (issue 17).

A suggester proposes spans (an entity, an event trigger or a claim with its
claimant) for a document; it never writes annotations. What it returns is a
:class:`Suggestion`: code-point offsets into the stored document text,
end-exclusive, like every offset in the core. The suggestions service stores
them apart from annotations, and only an accepted suggestion becomes one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from annotator.core.kinds import Kind
from annotator.core.models import Document

__all__ = ["Suggestion", "Suggester", "SuggesterUnavailable"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One proposed annotation of one document."""

    doc_id: str
    kind: Kind  # "entity", "event" (its trigger) or "claim"
    label: str
    start: int
    end: int
    #: 0..1; a dictionary match or a rule scores its own confidence, a model its probability
    score: float
    #: who proposed it: "dictionary", "claims", "model:<name>", "spacy:<package or folder>"
    suggester: str
    #: for a claim: the speaker's span and text, when found
    claimant_start: int | None = None
    claimant_end: int | None = None
    claimant_text: str | None = None
    #: anything else a suggester wants to keep (shown on hover): the rule, the matched term...
    detail: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Suggester(Protocol):
    """Proposes suggestions for documents. ``name`` is what :attr:`Suggestion.suggester` says."""

    name: str

    def suggest(self, doc: Document) -> list[Suggestion]:
        """The suggestions for one document (any order; the caller sorts)."""
        ...

    def suggest_many(self, docs: Iterable[Document]) -> Iterator[list[Suggestion]]:
        """The suggestions for each document in turn (a model batches here, e.g. ``nlp.pipe``)."""
        ...


class SuggesterUnavailable(RuntimeError):
    """A suggester that cannot run here (spaCy not installed, a model folder missing...);
    ``str()`` is the user message saying what to install or fix."""
