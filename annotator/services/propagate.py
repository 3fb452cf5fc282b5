"""Annotate all (issue 16): find every other occurrence of a text in a document
or the whole corpus, and add them as one undoable step.

Two steps, so that a front end can show the list before anything is written:

1. :func:`find_candidates` lists the occurrences (:class:`Candidate`): where
   (document, code-point start and end, end-exclusive, into the stored text),
   the context around it, and whether it is ticked by default. An occurrence
   that would overlap another annotation of the same kind, or that repeats a
   span already given the label, is listed but not ticked, with the reason. An
   occurrence rejected before ("never here", :func:`reject`) is not listed.
2. :func:`propagation_command` makes the core command
   (:class:`~annotator.core.commands.PropagateAnnotations`) adding the chosen
   ones; the desktop app pushes it on its undo stack (``UndoController.push``),
   the CLI runs it with :func:`apply_candidates`. Either way it is one
   transaction and one undo step. Each new annotation has ``source`` =
   ``propagated`` and the project records its origin (``annotation:<id>`` or
   ``text:<the text>``: :func:`origin_of`).

Matching: exact, or case-insensitive (Python's per-character case folding, so
offsets stay those of the stored text); optionally whole-word, meaning the
occurrence starts and ends on a token boundary of the shared tokenizer
(:mod:`annotator.core.tokenize`), which splits clitics: "China" matches inside
"China’s" (the possessive is its own token), not inside "Chinatown".

:func:`propagate_in_document` is the optional per-label automatic propagation
within one document when a span is made (labels switched on with
:func:`set_auto_propagate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from annotator.core.commands import CommandError, PropagateAnnotations, apply
from annotator.core.kinds import SPAN_KINDS, Source
from annotator.core.tokenize import token_spans

if TYPE_CHECKING:
    from annotator.core.commands import Changes
    from annotator.core.models import Annotation
    from annotator.core.store import Project

__all__ = [
    "CONTEXT",
    "Candidate",
    "Search",
    "PropagationError",
    "find_candidates",
    "search_for",
    "propagation_command",
    "apply_candidates",
    "reject",
    "unreject",
    "rejected",
    "origin_of",
    "propagate_in_document",
    "set_auto_propagate",
    "auto_propagate_labels",
]

#: Characters of context shown on each side of an occurrence.
CONTEXT = 40

#: Why a candidate is not ticked by default.
REASON_SAME = "already labelled"
REASON_OVERLAP = "overlaps"


class PropagationError(CommandError):
    """A search or an apply that cannot be done (empty text, unknown label); ``str()`` is the message."""


@dataclass(frozen=True)
class Search:
    """What to look for: ``text`` to be labelled ``label`` (of ``kind``)."""

    text: str
    label: str
    kind: str = "entity"
    case_insensitive: bool = False
    whole_word: bool = False
    #: The documents to search (None: the whole corpus).
    doc_ids: tuple[str, ...] | None = None
    #: Whose annotations count as existing and whose the new ones are.
    annotator: str = "cli"
    #: What the occurrences are propagated from (``annotation:<id>`` or ``text:<text>``).
    origin: str = ""
    #: The annotation searched from, never itself a candidate: (doc_id, start, end).
    exclude: tuple[str, int, int] | None = None


@dataclass
class Candidate:
    """One occurrence: ``text == document[start:end]`` (code points, end-exclusive)."""

    doc_id: str
    start: int
    end: int
    text: str
    before: str
    after: str
    #: Ticked by default (nothing in the way).
    ticked: bool = True
    #: Why it is not ticked ("already labelled ORG", "overlaps PER “Li”  [3, 5)"); "" when ticked.
    reason: str = ""
    #: The document's title, for lists.
    title: str = ""

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.doc_id, self.start, self.end)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Found:
    """The candidates of a search, and how many rejected occurrences were left out."""

    search: Search
    candidates: list[Candidate] = field(default_factory=list)
    never_here: int = 0

    @property
    def ticked(self) -> list[Candidate]:
        return [c for c in self.candidates if c.ticked]


def check_search(project: Project, search: Search) -> None:
    """Refuse an empty text or a label the schema lacks (:class:`PropagationError`)."""
    if not search.text.strip():
        raise PropagationError("the text to look for is empty")
    if search.kind not in SPAN_KINDS:
        raise PropagationError(f"annotate all adds spans: {search.kind!r} is not one of {', '.join(SPAN_KINDS)}")
    labels = project.schema.labels(search.kind)
    if search.label not in labels:
        raise PropagationError(
            f"unknown {search.kind} label {search.label!r}; labels: {', '.join(labels) if labels else '(none)'}"
        )


def search_for(
    project: Project, ann: Annotation, *, whole_word: bool = True, case_insensitive: bool = False, corpus: bool = True
) -> Search:
    """The search that propagates the span annotation ``ann`` (its text and label),
    in its document only or (``corpus``) everywhere."""
    if ann.start is None or ann.end is None:
        raise PropagationError("only an annotation with a span can be propagated")
    if ann.fragments is not None:
        raise PropagationError(
            f"this {ann.kind} is in {len(ann.fragments)} pieces (a discontinuous span); "
            "annotate all labels occurrences of one continuous text: select one piece's text instead"
        )
    text = project.document_text(ann.doc_id)[ann.start : ann.end]
    return Search(
        text=text,
        label=ann.label,
        kind=ann.kind,
        case_insensitive=case_insensitive,
        whole_word=whole_word,
        doc_ids=None if corpus else (ann.doc_id,),
        annotator=ann.annotator,
        origin=f"annotation:{ann.id}",
        exclude=(ann.doc_id, ann.start, ann.end),
    )


def _pattern(search: Search) -> re.Pattern[str]:
    return re.compile(re.escape(search.text), re.IGNORECASE if search.case_insensitive else 0)


def _documents(project: Project, search: Search) -> list[str]:
    """The documents that may hold the text (a cheap SQL pre-filter where it is exact)."""
    if search.doc_ids is not None:
        return list(search.doc_ids)
    # The store's search lower-cases ASCII only, on both sides: an exact occurrence,
    # or a case-insensitive one of an ASCII text, is always found by it.
    if not search.case_insensitive or search.text.isascii():
        return project.document_ids(search=search.text)
    return project.document_ids()


def _occurrences(text: str, pattern: re.Pattern[str], whole_word: bool) -> list[tuple[int, int]]:
    spans = [m.span() for m in pattern.finditer(text)]
    if not whole_word or not spans:
        return spans
    tokens = token_spans(text)
    starts = {s for s, _ in tokens}
    ends = {e for _, e in tokens}
    return [(s, e) for s, e in spans if s in starts and e in ends]


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return before.replace("\n", " "), after.replace("\n", " ")


def find_candidates(project: Project, search: Search) -> Found:
    """Every occurrence of ``search.text`` (but the one searched from), in document
    order, with its context and default tick (see the module's documentation)."""
    check_search(project, search)
    pattern = _pattern(search)
    doc_ids = _documents(project, search)
    found = Found(search)
    never = project.never_here(search.label, doc_ids if search.doc_ids is not None else None)
    for i in range(0, len(doc_ids), 500):
        part = doc_ids[i : i + 500]
        texts, titles = project.document_texts(part)
        hits: dict[str, list[tuple[int, int]]] = {}
        for doc_id in part:
            text = texts.get(doc_id)
            if text is None:
                continue
            spans = _occurrences(text, pattern, search.whole_word)
            if search.exclude is not None and search.exclude[0] == doc_id:
                spans = [s for s in spans if s != search.exclude[1:]]
            kept = [s for s in spans if (doc_id, s[0], s[1], search.label) not in never]
            found.never_here += len(spans) - len(kept)
            if kept:
                hits[doc_id] = kept
        if not hits:
            continue
        existing = project.annotation_rows_by_document(list(hits), annotator=search.annotator)
        for doc_id, spans in hits.items():
            text = texts[doc_id]
            same_kind: list[tuple[int, int, str]] = sorted(
                (r.start, r.end, r.label)
                for r in existing.get(doc_id, ())
                if r.kind == search.kind and r.start is not None and r.end is not None
            )
            for start, end in spans:
                before, after = _context(text, start, end)
                cand = Candidate(doc_id, start, end, text[start:end], before, after, title=titles.get(doc_id, ""))
                for s, e, label in same_kind:
                    if s >= end:
                        break
                    if e <= start:
                        continue
                    cand.ticked = False
                    if (s, e, label) == (start, end, search.label):
                        cand.reason = f"{REASON_SAME} {label}"
                        break
                    cand.reason = f"{REASON_OVERLAP} {label} “{text[s:e]}” [{s}, {e})"
                found.candidates.append(cand)
    return found


def origin_of(search: Search) -> str:
    """What the new annotations record as their origin."""
    return search.origin or f"text:{search.text}"


def propagation_command(
    project: Project, search: Search, chosen: Iterable[Candidate], *, doc_id: str | None = None
) -> PropagateAnnotations:
    """The one undoable core command adding the ``chosen`` candidates (not applied:
    the app pushes it on its undo stack, :func:`apply_candidates` applies it).
    ``doc_id``: the document the action was started from (default: the first)."""
    from annotator.core.models import Annotation

    check_search(project, search)
    chosen = list(chosen)
    if not chosen:
        raise PropagationError("no occurrence is chosen: nothing to add")
    anns = [
        Annotation(
            doc_id=c.doc_id,
            kind=search.kind,  # type: ignore[arg-type]  # checked by check_search
            label=search.label,
            start=c.start,
            end=c.end,
            annotator=search.annotator,
            source=Source.PROPAGATED,
        )
        for c in chosen
    ]
    first = doc_id or (search.exclude[0] if search.exclude else chosen[0].doc_id)
    return PropagateAnnotations(first, search.annotator, anns, origin_of(search))


def apply_candidates(
    project: Project, search: Search, chosen: Iterable[Candidate], *, doc_id: str | None = None
) -> tuple[PropagateAnnotations, Changes]:
    """Add the ``chosen`` candidates in one transaction; the command (to undo it
    with :func:`annotator.core.commands.revert`) and what changed."""
    command = propagation_command(project, search, chosen, doc_id=doc_id)
    return command, apply(project, command)


# -- never here -----------------------------------------------------------------
def reject(project: Project, label: str, candidates: Iterable[Candidate], actor: str) -> None:
    """Remember that these occurrences are not ``label`` ("never here"): they are
    not proposed again for it."""
    keys = [(c.doc_id, c.start, c.end, label) for c in candidates]
    with project.transaction():
        project.add_never_here(keys, actor)


def unreject(project: Project, keys: Iterable[tuple[str, int, int, str]]) -> None:
    """Forget rejections ``(doc_id, start, end, label)``: those occurrences are proposed again."""
    with project.transaction():
        project.remove_never_here(list(keys))


def rejected(project: Project, label: str | None = None, doc_id: str | None = None) -> list[tuple[str, int, int, str]]:
    """The remembered rejections ``(doc_id, start, end, label)``, sorted."""
    return sorted(project.never_here(label, [doc_id] if doc_id is not None else None))


# -- automatic propagation within a document ----------------------------------------
def auto_propagate_labels(project: Project) -> set[str]:
    return project.auto_propagate_labels()


def set_auto_propagate(project: Project, label: str, on: bool = True) -> None:
    """Switch automatic propagation within the document on (or off) for ``label``."""
    known = {lab for kind in SPAN_KINDS for lab in project.schema.labels(kind)}
    if label not in known:
        raise PropagationError(f"unknown label {label!r}")
    labels = project.auto_propagate_labels()
    labels = labels | {label} if on else labels - {label}
    project.set_auto_propagate_labels(labels)


def propagate_in_document(project: Project, ann: Annotation, *, force: bool = False) -> PropagateAnnotations | None:
    """The command that labels the other whole-word occurrences of the span
    ``ann`` (just made) in its document alike, or None: its label is not switched
    on for it (unless ``force``), or nothing is free to label. Not applied: the app
    pushes it (one undo step; its ``annotations`` give the count to show)."""
    if not force and ann.label not in project.auto_propagate_labels():
        return None
    search = search_for(project, ann, corpus=False)
    chosen = find_candidates(project, search).ticked
    if not chosen:
        return None
    return propagation_command(project, search, chosen, doc_id=ann.doc_id)
