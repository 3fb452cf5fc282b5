"""What every export writer shares: options, units, the context, the report.

A writer (one per format, named in :mod:`annotator.formats.registry`) turns
:class:`Unit` s (a document or a sentence with its annotations, offsets
relative to the unit) into a file.  It gets an :class:`ExportContext`: the
options, the schema, the report, tokens, and an :class:`ExportSource` (the
project, seen only through the few reads writers need).  Writers never select
documents, choose paths or open the project: :mod:`annotator.services.exporting`
does that.  Pure Python: no Qt, no click, no store.
"""

from __future__ import annotations

import importlib.util
import json
import os
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from annotator.core.coref import Cluster, RegistryEntry
from annotator.core.models import GOLD, SPAN_KINDS, Annotation, Document, SpanAnnotation, all_spans, has_span
from annotator.core.rows import AnnotationRow, DocumentRow
from annotator.core.text import QtPositionMap
from annotator.core.tokenize import Token, cut_spans, sentences, spacy_tokenize, token_spans, tokens_from_spans
from annotator.formats.registry import FORMATS, FormatInfo

if TYPE_CHECKING:
    from annotator.core.notes import Note
    from annotator.core.schema import LabelSchema

#: How many problems of each kind a report keeps as examples (all are counted).
EXAMPLES = 200


class ExportError(Exception):
    """An export that cannot be done as asked; ``str()`` is the message for people."""


class ExportCancelled(ExportError):
    """The user cancelled; nothing was written."""


class ExportSource(Protocol):
    """What writers may read of the project besides their units (the store's
    :class:`~annotator.core.store.Project` is one)."""

    @property
    def schema(self) -> LabelSchema: ...

    def get_annotation(self, ann_id: str) -> Annotation | None: ...

    def linked_document_ids(self, kinds: Iterable[str], annotator: str | None) -> set[str]: ...

    def has_review_decisions(self) -> bool: ...

    def review_decisions(self, doc_id: str | None = None) -> list[dict[str, Any]]: ...

    def iter_documents(self, ids: Iterable[str] | None = None) -> Iterator[Document]: ...

    def annotations(self, doc_id: str, annotator: str | None = None) -> list[Annotation]: ...

    def doc_labels_by_document(
        self, doc_ids: Iterable[str] | None = None, annotators: Iterable[str] | None = None, schema: LabelSchema | None = None
    ) -> dict[str, dict[str, dict[str, list[str]]]]: ...
    def has_notes(self) -> bool: ...

    def notes(self, doc_id: str, annotator: str | None = None) -> list[Note]: ...

    # coreference (issue 15)
    def has_clusters(self) -> bool: ...

    def has_registry_entries(self) -> bool: ...

    def clusters_by_document(
        self, doc_ids: Sequence[str], annotators: Iterable[str] | None = None
    ) -> dict[str, list[Cluster]]: ...

    def get_registry_entry(self, entry_id: str) -> RegistryEntry | None: ...


def claim_attributes(names: Sequence[str], attributes: Mapping[str, Any]) -> dict[str, Any]:
    """A claim's attributes as every export writes them: each attribute of the
    schema (``names``, in that order), None (``null``) where nobody set it, then
    any other attribute the claim carries, by name.  A claim nobody judged is
    told from one that was."""
    out = {n: attributes.get(n) for n in names}
    out.update({k: v for k, v in sorted(attributes.items()) if k not in out})
    return out


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------
@dataclass
class ExportOptions:
    """Everything the user can choose; :meth:`check` validates it against the format."""

    format: str
    #: Target file or folder; None: ``exports/<project>-<format>[suffix]`` in the working directory.
    out: Path | None = None
    #: ``out`` was given as a folder ("exports/new/", a trailing separator): a
    #: single-file format writes ``<project>-<format><suffix>`` into it.
    out_is_folder: bool = False
    annotator: str | None = None
    gold: bool = False
    per_annotator: bool = False
    statuses: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    #: Span kinds to export (entity, event, claim); empty: the format's default.
    kinds: tuple[str, ...] = ()
    include_empty: bool = False
    split: tuple[float, float, float] | None = None
    seed: int = 0
    sentences: bool = False
    offsets: str = "codepoint"
    tokenizer: str = "default"
    #: What formats without discontinuous spans write for one (issue 14): see
    #: :data:`FRAGMENT_POLICIES`; None: :data:`DEFAULT_FRAGMENTS` (formats that keep fragments ignore it).
    fragments: str | None = None

    @property
    def info(self) -> FormatInfo:
        return FORMATS[self.format]

    @property
    def layer(self) -> str | None:
        """The one annotator whose annotations are exported (None: all)."""
        return GOLD if self.gold else self.annotator

    def check(self) -> None:
        """Raise :class:`ExportError` for options that do not go together."""
        if self.format not in FORMATS:
            raise ExportError(f"unknown export format {self.format!r}; choose one of: {', '.join(FORMATS)}")
        info = self.info
        if self.gold and self.annotator:
            raise ExportError("--gold and --annotator both choose whose annotations to export; give one of them")
        if self.per_annotator and (self.gold or self.annotator):
            raise ExportError("--per-annotator exports every annotator separately; it does not go with --annotator or --gold")
        if self.per_annotator and info.many_layers:
            raise ExportError(f"the {info.name} format names the annotator of every annotation; --per-annotator is not needed")
        if self.sentences and not info.sentences:
            why = {
                "conll": "CoNLL always has one sentence per block",
                "claims": "claims are one line per claim, each with its context sentence",
                "brat": "a .ann belongs to a whole .txt",
                "native": "native records are whole documents",
            }.get(info.name, "the format has no sentence records")
            raise ExportError(f"--sentences does not apply to the {info.name} format ({why})")
        if self.offsets not in ("codepoint", "utf16"):
            raise ExportError(f"--offsets must be codepoint or utf16, not {self.offsets!r}")
        if self.offsets == "utf16" and not info.offsets:
            raise ExportError(
                f"--offsets utf16 does not apply to the {info.name} format "
                + (
                    "(brat counts code points, as Python does)"
                    if info.name == "brat"
                    else "(it has no character offsets to convert)"
                    if info.name != "native"
                    else "(native offsets are always code points)"
                )
            )
        if self.fragments is not None:
            if self.fragments not in FRAGMENT_POLICIES:
                raise ExportError(f"--fragments must be one of {', '.join(FRAGMENT_POLICIES)}, not {self.fragments!r}")
            if info.fragments:
                raise ExportError(
                    f"the {info.name} format keeps discontinuous spans as their fragments; --fragments applies to "
                    + ", ".join(n for n, f in FORMATS.items() if not f.fragments)
                )
        if self.tokenizer not in ("default", "spacy"):
            raise ExportError(f"--tokenizer must be default or spacy, not {self.tokenizer!r}")
        if self.tokenizer == "spacy" and not info.tokens:
            raise ExportError(f"--tokenizer applies to token-based formats (spans, hf, conll, spacy), not {info.name}")
        if self.kinds:
            if not info.default_kinds or info.name == "brat":
                raise ExportError(
                    f"the {info.name} format exports fixed kinds of annotation; --kind applies to spans, doccano, hf, conll and spacy"
                )
            bad = [k for k in self.kinds if k not in SPAN_KINDS]
            if bad:
                raise ExportError(f"unknown kind {bad[0]!r}; choose from {', '.join(SPAN_KINDS)} (relations follow their ends)")
        if self.split is not None:
            if len(self.split) != 3 or any(x < 0 for x in self.split) or sum(self.split) <= 0:
                raise ExportError("the split needs three non-negative shares (train/dev/test) that are not all zero")
        if (self.tokenizer == "spacy" or info.needs == "spacy") and importlib.util.find_spec("spacy") is None:
            raise ExportError("this export needs spaCy, which is not installed: pip install 'annotator[spacy]'")

    @property
    def fragment_policy(self) -> str | None:
        """What this export writes for a discontinuous span: a policy of
        :data:`FRAGMENT_POLICIES`, or None when the format keeps fragments."""
        return None if self.info.fragments else (self.fragments or DEFAULT_FRAGMENTS)

    @property
    def span_kinds(self) -> tuple[str, ...]:
        return self.kinds or self.info.default_kinds


#: What an export to a format without discontinuous spans writes for one (issue 14),
#: ``--fragments``: policy -> how the report says it.
FRAGMENT_POLICIES: dict[str, str] = {
    "split": "one span per fragment (a fragment shared with an identical span of the same label written once)",
    "hull": "one span from the first fragment's start to the last one's end (the text between included)",
    "first": "their first fragment only",
    "skip": "left out (with the links to them)",
}
#: The policy when none is chosen (docs/formats.md says why).
DEFAULT_FRAGMENTS = "split"


def apply_fragment_policy(annotations: list[Annotation], policy: str, report: ExportReport) -> list[Annotation]:
    """``annotations`` with every discontinuous span written as ``policy`` says
    (see :data:`FRAGMENT_POLICIES`).  Plain spans are kept.

    ``split``: each fragment is a span of its own; the first keeps the
    annotation's id, arguments and claimant, the others are ``ID.2``, ``ID.3``...
    without links.  A piece identical (kind, label, start, end) to a span written
    already is left out, unless it carries the id or links of its annotation
    ("vitamins A, D and E": "vitamins" once, then "A", "D", "E")."""
    if all(a.fragments is None for a in annotations):
        return annotations
    out: list[Annotation] = []
    if policy == "split":
        referenced = {r for a in annotations for r in a.referenced_ids()}
        seen = {(a.kind, a.label, a.start, a.end) for a in annotations if a.fragments is None}
    for a in annotations:
        if a.fragments is None:
            out.append(a)
            continue
        if policy == "skip":
            continue
        if policy == "hull":
            out.append(a.model_copy(update={"fragments": None}))
        elif policy == "first":
            s, e = a.fragments[0]
            out.append(a.model_copy(update={"start": s, "end": e, "fragments": None}))
        else:
            for i, (s, e) in enumerate(a.fragments):
                key = (a.kind, a.label, s, e)
                carries = i == 0 and (a.id in referenced or bool(a.referenced_ids()))
                if key in seen and not carries:
                    report.fragment_pieces_joined += 1
                    continue
                seen.add(key)
                update: dict[str, Any] = {"start": s, "end": e, "fragments": None}
                if i:
                    update.update(id=f"{a.id}.{i + 1}", arguments=[], claimant_ref=None, claimant_text=None)
                out.append(a.model_copy(update=update))
    if policy in ("first", "split"):
        out.sort(key=sort_key)
    return out


def parse_split(text: str) -> tuple[float, float, float]:
    """``"80/10/10"``, ``"0.8,0.1,0.1"`` or ``"8:1:1"`` as three shares summing to 1."""
    for sep in "/,:":
        if sep in text:
            parts = text.split(sep)
            break
    else:
        parts = [text]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ExportError(f"split {text!r}: give three numbers such as 80/10/10 (train/dev/test)") from None
    if len(values) == 2:
        values.append(0.0)
    if len(values) != 3 or any(v < 0 or v != v for v in values) or sum(values) <= 0:
        raise ExportError(f"split {text!r}: give three non-negative numbers such as 80/10/10 (train/dev/test)")
    total = sum(values)
    return (values[0] / total, values[1] / total, values[2] / total)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
@dataclass
class Problem:
    """One annotation an export could not represent exactly (offsets: code points in the document)."""

    doc_id: str
    ann_id: str
    label: str
    start: int | None
    end: int | None
    text: str
    reason: str

    def line(self) -> str:
        parts = [f"document {self.doc_id}:", self.label]
        if self.start is not None:
            parts.append(f"[{self.start}, {self.end})")
        if self.text:
            parts.append(repr(self.text))
        return " ".join(parts) + f": {self.reason}"


#: Titles of the problem categories, for reports.
PROBLEM_TITLES = {
    "misaligned": "span(s) not on token boundaries (tokens were cut at the span's edge, or whitespace left out)",
    "not_bio": "overlapping or nested span(s) BIO tags cannot hold (not in the tags)",
    "not_ents": "overlapping span(s) not in doc.ents (kept in doc.spans['sc'])",
    "links": "link(s) not exported because an end is not in the record",
    "renamed": "name(s) changed to fit the format",
    "fragments": "span(s) written as fragments around line breaks",
    "not_exported": "annotation(s) or link(s) the format cannot hold",
}


def _plural(n: int, title: str) -> str:
    """``title`` with its "(s)" made singular or plural for ``n``."""
    return title.replace("(s)", "" if n == 1 else "s")


@dataclass
class ExportReport:
    """What an export wrote and what it could not represent exactly."""

    format: str
    out: Path
    documents: int = 0
    records: int = 0
    annotations: int = 0
    skipped_empty: int = 0
    splits: dict[str, int] = field(default_factory=dict)
    joined_sentences: int = 0
    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[Problem]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    #: Annotations with fragments (discontinuous spans) met, and what was written for
    #: them (the ``--fragments`` policy; "fragments": the format keeps them).
    fragmented: int = 0
    fragments: str = ""
    #: ``split``: pieces left out as identical to a span written already.
    fragment_pieces_joined: int = 0

    def problem(self, category: str, problem: Problem) -> None:
        self.counts[category] += 1
        bucket = self.examples.setdefault(category, [])
        if len(bucket) < EXAMPLES:
            bucket.append(problem)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def lines(self, examples: int = 5) -> list[str]:
        """The report as lines for people (CLI output, the dialog)."""
        out = [
            f"Exported {self.documents} document{'s' * (self.documents != 1)} as {self.records} "
            f"{self.format} record{'s' * (self.records != 1)} ({self.annotations} annotations) to {self.out}"
        ]
        if self.splits:
            out.append("Split by document: " + ", ".join(f"{k} {v}" for k, v in self.splits.items()))
        if self.skipped_empty:
            out.append(
                f"Left out {self.skipped_empty} document{'s' * (self.skipped_empty != 1)} without annotations "
                'to export (keep them with --include-empty, or "Include documents without annotations" in File > Export)'
            )
        if self.joined_sentences:
            out.append(
                f"Joined {self.joined_sentences} sentence boundar{'y' if self.joined_sentences == 1 else 'ies'} that a span or link crosses"
            )
        if self.fragmented:
            n = self.fragmented
            how = FRAGMENT_POLICIES.get(self.fragments, self.fragments or "their fragments")
            line = f"{n} annotation{'s' * (n != 1)} with fragments (discontinuous spans) exported as {how}"
            if self.fragments in FRAGMENT_POLICIES:
                line += f" (--fragments {self.fragments})"
            if self.fragment_pieces_joined:
                k = self.fragment_pieces_joined
                line += f"; {k} shared piece{'s' * (k != 1)} written once"
            out.append(line)
        for category, n in self.counts.items():
            out.append(f"{n} {_plural(n, PROBLEM_TITLES.get(category, category))}:")
            for p in self.examples.get(category, [])[:examples]:
                out.append(f"  {p.line()}")
            if n > examples:
                out.append(f"  ... and {n - examples} more")
        out.extend(self.notes)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "documents": self.documents,
            "records": self.records,
            "annotations": self.annotations,
            "skipped_empty": self.skipped_empty,
            "splits": self.splits,
            "joined_sentences": self.joined_sentences,
            "fragmented": {
                "annotations": self.fragmented,
                "policy": self.fragments or None,
                "pieces_joined": self.fragment_pieces_joined,
            },
            "problems": {
                k: {"count": n, "examples": [vars(p) for p in self.examples.get(k, [])]} for k, n in self.counts.items()
            },
            "notes": self.notes,
        }


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------
class DocOffsets:
    """Output offsets of one document: code points, or UTF-16 code units."""

    def __init__(self, text: str, mode: str):
        self._map = QtPositionMap(text) if mode == "utf16" and not text.isascii() else None

    def __call__(self, cp: int) -> int:
        # For canonical text a QTextDocument position is exactly a UTF-16 offset.
        return self._map.to_qt(cp) if self._map is not None else cp


@dataclass(frozen=True)
class Actor:
    """What a claimant or argument naming a cluster or registry entry stands for
    in an export (issue 15): the cluster (its canonical name and type), the
    registry entry it is linked to, and its mentions (annotation ids in text
    order).  ``name`` and ``type`` are the cluster's, else its registry entry's.
    Formats that link spans link the first of them inside the record (the
    actor's *mention*); JSON formats carry this too (:meth:`to_dict`)."""

    ref: str
    mentions: tuple[str, ...]
    cluster_id: str | None = None
    name: str | None = None
    type: str | None = None
    entry: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "cluster": self.cluster_id, "name": self.name, "type": self.type, "entry": self.entry}


@dataclass
class Unit:
    """One record's worth: a document or a segment of it, with one layer of annotations.

    ``annotations`` have offsets relative to the unit (``text[start:end]`` is the
    annotated text); span annotations are sorted by (start, -end).
    """

    doc: Document
    annotations: list[Annotation]
    start: int
    end: int
    #: The annotator of every annotation here, when there is exactly one.
    annotator: str | None = None
    #: Sentence index within the document (None: the whole document).
    segment: int | None = None
    _offsets: DocOffsets | None = None
    #: Records are per (document, annotator): the record id names the annotator.
    per_annotator: bool = False
    #: The actors (``cluster:<id>``, ``entry:<id>``) its claimants and arguments name (issue 15).
    actors: dict[str, Actor] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]

    @property
    def code_points(self) -> bool:
        """Whether output offsets are the code points themselves (:meth:`pos` is the identity)."""
        return self._offsets is None

    def pos(self, i: int) -> int:
        """The output offset of unit-relative code point ``i`` (UTF-16 units when asked)."""
        if self._offsets is None:
            return i
        return self._offsets(self.start + i) - self._offsets(self.start)

    @property
    def spans(self) -> list[SpanAnnotation]:
        """The span annotations (all but relations), in the unit's order."""
        spans = [a for a in self.annotations if a.start is not None]
        assert all_spans(spans)  # the model sets start and end together
        return spans

    @cached_property
    def by_id(self) -> dict[str, Annotation]:
        """The unit's annotations by id."""
        return {a.id: a for a in self.annotations}

    @property
    def record_id(self) -> str:
        """A unique id for the record: the document id, ``#sentence`` and ``@annotator`` when needed."""
        rid = self.doc.id
        if self.segment is not None:
            rid += f"#{self.segment}"
        if self.annotator is not None and self.per_annotator:
            rid += f"@{self.annotator}"
        return rid

    def meta(self) -> dict[str, Any]:
        """Where the record came from: document id, external id, title, sentence, annotator."""
        meta: dict[str, Any] = {"id": self.doc.id}
        if self.doc.external_id is not None:
            meta["external_id"] = self.doc.external_id
        if self.doc.title:
            meta["title"] = self.doc.title
        if self.segment is not None:
            meta["sentence"] = self.segment
            meta["offset"] = self._offsets(self.start) if self._offsets else self.start
        if self.annotator is not None:
            meta["annotator"] = self.annotator
        return meta

    def problem(self, ann: Annotation, reason: str) -> Problem:
        """A :class:`Problem` for an annotation of this unit, in document offsets."""
        start = None if ann.start is None else ann.start + self.start
        end = None if ann.end is None else ann.end + self.start
        return Problem(self.doc.id, ann.id, ann.label, start, end, ann.text_in(self.text), reason)


def segments(text: str, annotations: Iterable[Annotation], *, links: bool = False) -> tuple[list[tuple[int, int]], int]:
    """Sentence spans of ``text`` such that no span annotation crosses one.

    Sentences (:func:`~annotator.core.tokenize.sentences`) that a span overlaps
    are joined; with ``links`` also those that an event argument, a relation or a
    claimant link connects (joined with every sentence between them, so each
    segment is one stretch of text).  A span lying in the whitespace between
    sentences becomes part of a segment too.  Returns the segments and how many
    sentence boundaries were removed.
    """
    anns = list(annotations)
    spans = [(a.start, a.end) for a in anns if a.start is not None and a.end is not None]
    sents = sentences(text)
    intervals = sorted(sents + spans)
    merged: list[list[int]] = []
    for s, e in intervals:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    if links:
        starts = [m[0] for m in merged]

        def index(a: Annotation | None) -> int | None:
            if a is None or a.start is None:
                return None
            return bisect_right(starts, a.start) - 1

        by_id = {a.id: a for a in anns}
        reach = list(range(len(merged)))  # reach[i]: the last segment index i must join
        for a in anns:
            ends: list[Annotation | None] = [a] if a.start is not None else []
            ends += [by_id.get(r) for r in a.referenced_ids()]
            idx = [i for i in (index(x) for x in ends) if i is not None]
            if len(idx) > 1:
                lo, hi = min(idx), max(idx)
                reach[lo] = max(reach[lo], hi)
        joined: list[list[int]] = []
        i = 0
        while i < len(merged):
            j, hi = i, reach[i]
            while j < hi:
                j += 1
                hi = max(hi, reach[j])
            joined.append([merged[i][0], merged[j][1]])
            i = j + 1
        merged = joined
    starts = [m[0] for m in merged]
    holding = {bisect_right(starts, s) - 1 for s, _ in sents}
    return [(s, e) for s, e in merged], len(sents) - len(holding)


def shift(a: Annotation, by: int) -> Annotation:
    if not has_span(a) or by == 0:
        return a
    update: dict[str, Any] = {"start": a.start - by, "end": a.end - by}
    if a.fragments is not None:
        update["fragments"] = [(s - by, e - by) for s, e in a.fragments]
    return a.model_copy(update=update)


def sort_key(a: Annotation) -> tuple:
    return (a.start if a.start is not None else -1, -(a.end or 0), a.kind, a.label, a.id)


@dataclass
class Link:
    """A directed link between two span annotations of a unit: a relation, an
    event argument (label: the role) or a claim's claimant (label: ``claimant``)."""

    head: Annotation
    tail: Annotation
    label: str
    kind: str  # "relation", "argument" or "claimant"
    source: Annotation


#: Label of the link from a claim to its claimant span.
CLAIMANT = "claimant"


def unit_links(unit: Unit, report: ExportReport | None = None) -> list[Link]:
    """Every link of the unit whose two ends are spans of the unit, in a stable order.

    A link with an end that is not in the unit (its kind not exported, or in
    another annotator's layer) is reported (category ``links``), never dropped silently.
    """
    by_id = unit.by_id
    actors = unit.actors
    out: list[Link] = []
    for a in unit.annotations:
        if a.kind == "relation":
            pairs = [(a.head, a.tail, a.label, "relation", by_id.get(a.head or ""))]
        elif a.kind == "event":
            pairs = [(a.id, arg.target, arg.role, "argument", a) for arg in a.arguments]
        elif a.kind == "claim" and a.claimant_ref:
            pairs = [(a.id, a.claimant_ref, CLAIMANT, "claimant", a)]
        else:
            continue
        for head_id, tail_id, label, kind, _ in pairs:
            if actors and tail_id in actors:  # a cluster or registry entry: its first mention in the record
                tail_id = next((m for m in actors[tail_id].mentions if m in by_id), tail_id)
            head, tail = by_id.get(head_id or ""), by_id.get(tail_id or "")
            if head is None or tail is None or head.start is None or tail.start is None:
                if report is not None:
                    missing = head_id if head is None or head.start is None else tail_id
                    anchor = a if a.start is not None else (head if head is not None and head.start is not None else a)
                    report.problem(
                        "links", unit.problem(anchor, f"{kind} {label!r}: annotation {missing} at its other end is not exported")
                    )
                continue
            out.append(Link(head, tail, label, kind, a))
    return out


# ---------------------------------------------------------------------------
# Context given to writers
# ---------------------------------------------------------------------------
class ExportContext:
    """What writers get: the options, the project's schema, the report, tokens."""

    def __init__(self, options: ExportOptions, source: ExportSource, report: ExportReport):
        self.options = options
        self.info = options.info
        self.source = source
        self.schema = source.schema
        self.report = report
        self.kinds = set(options.span_kinds)
        #: Ids of the documents being exported (set before writing starts).
        self.doc_ids: list[str] = []
        #: ``{doc_id: {annotator: {category: [labels]}}}`` of the exported documents (read on first need).
        self._doc_labels: dict[str, dict[str, dict[str, list[str]]]] | None = None
        self._doc_labels_ambiguous: set[str] = set()
        #: ``(start, end)`` of the tokenizer's tokens of a text, before any cuts.
        self._token_bounds: Callable[[str], list[tuple[int, int]]] = (
            _spacy_bounds if options.tokenizer == "spacy" else token_spans
        )

    def all_doc_labels(self, doc_id: str) -> dict[str, dict[str, list[str]]]:
        """Every annotator's document labels of one exported document: ``{annotator:
        {category: [labels]}}`` (read for all exported documents at the first call)."""
        if self._doc_labels is None:
            self._doc_labels = self.source.doc_labels_by_document(self.doc_ids, schema=self.schema)
        return self._doc_labels.get(doc_id, {})

    def doc_labels(self, unit: Unit) -> dict[str, list[str]]:
        """The document labels of a unit's layer, ``{category: [labels]}`` (a sentence
        has its document's): of the unit's annotator, else of the exported layer
        (``--annotator``, ``--gold``), else of the one annotator who set any.  When
        several did and none is chosen, none are written and the report says so."""
        per = self.all_doc_labels(unit.doc.id)
        who = unit.annotator or self.options.layer
        if who is not None:
            return per.get(who, {})
        if len(per) <= 1:
            return next(iter(per.values()), {})
        if unit.doc.id not in self._doc_labels_ambiguous:
            self._doc_labels_ambiguous.add(unit.doc.id)
            n = len(self._doc_labels_ambiguous)
            self.report.notes = [x for x in self.report.notes if not x.startswith("Document labels left out")]
            self.report.note(
                f"Document labels left out of {n} document{'s' * (n != 1)} labelled by several annotators "
                f"({', '.join(sorted(per))} in {unit.doc.id}): choose one with --annotator or --gold, or use --per-annotator"
            )
        return {}

    def any_doc_labels(self) -> bool:
        """Whether any exported document has document labels (of any annotator)."""
        if self._doc_labels is None:
            self.all_doc_labels("")
        assert self._doc_labels is not None
        return any(d in self._doc_labels for d in self.doc_ids)

    def cats(self, unit: Unit) -> dict[str, float]:
        """spaCy's ``doc.cats`` of a unit: for each category the layer set a label
        in, every label of that category, 1.0 when set and 0.0 when not (a category
        nobody set is left out: unset is not "none of these").  Labels the schema
        lacks are 1.0 too."""
        labels = self.doc_labels(unit)
        out: dict[str, float] = {}
        for category, chosen in labels.items():
            cat = self.schema.category(category)
            for name in [lab.name for lab in cat.labels] if cat is not None else []:
                out[name] = 1.0 if name in chosen else 0.0
            for name in chosen:
                out[name] = 1.0
        return out

    def doc_label_categories(self) -> list[tuple[str, bool, list[str]]]:
        """``(category, multi, [labels])`` of the schema's document categories."""
        return [(c.name, c.multi, [lab.name for lab in c.labels]) for c in self.schema.categories]

    def links_possible(self) -> bool:
        """Whether any exported document may hold a link (relation, event argument,
        claimant) of the exported layer and kinds; formats choose their shape by it."""
        found = self.source.linked_document_ids(self.kinds, self.options.layer)
        return any(i in found for i in self.doc_ids)

    def resolve(self, unit: Unit, ann_id: str) -> Annotation | None:
        """An annotation the unit's annotations refer to, with unit-relative offsets:
        from the unit, else from the project (another kind or layer) when its span
        lies inside the unit; None when it does not exist or lies outside."""
        if ann_id in unit.by_id:
            return unit.by_id[ann_id]
        actor = unit.actors.get(ann_id)
        if actor is not None:  # a cluster or registry entry: its first mention inside the unit
            for m in actor.mentions:
                found_mention = self.resolve(unit, m)
                if found_mention is not None:
                    return found_mention
            return None
        found = self.source.get_annotation(ann_id)
        if found is None or found.doc_id != unit.doc.id or not has_span(found):
            return None
        if not (unit.start <= found.start and found.end <= unit.end):
            return None
        return shift(found, unit.start)

    def tokenized(self, unit: Unit) -> Tokenized:
        """Tokens of the unit's text, cut at every span boundary, and its spans as whole tokens.

        A span that does not start and end on the tokenizer's own token
        boundaries is reported (category ``misaligned``): the token it cuts is
        split there.  A span with whitespace at an edge is exported as the
        tokens it holds (whitespace is never a token) and reported; a span of
        whitespace only holds no token and is reported as not exported.
        """
        starts, ends, spans = self.token_offsets(unit)
        return Tokenized(tokens_from_spans(unit.text, zip(starts, ends), ()), spans)

    def token_offsets(self, unit: Unit) -> tuple[list[int], list[int], list[SpanAnnotation]]:
        """What :meth:`tokenized` gives, with the tokens as their starts and ends only
        (for writers that turn tokens straight into text); reports the same problems."""
        text = unit.text
        spans = unit.spans
        bounds = self._token_bounds(text)
        starts = [a for a, _ in bounds]
        ends = [b for _, b in bounds]
        off = {a.id: a for a in spans if not _on_tokens(starts, ends, a.start, a.end)}
        if off:  # cut the tokens at the edges of the spans that need it, only when some do
            bounds = cut_spans(bounds, {x for a in off.values() for x in (a.start, a.end)})
            starts = [a for a, _ in bounds]
            ends = [b for _, b in bounds]
        out: list[SpanAnnotation] = []
        for a in spans:
            first = bisect_left(starts, a.start)
            last = bisect_right(ends, a.end) - 1
            if first > last:
                self.report.problem("not_exported", unit.problem(a, "holds no token (only whitespace)"))
                continue
            trimmed = a
            if (starts[first], ends[last]) != (a.start, a.end):
                trimmed = a.model_copy(update={"start": starts[first], "end": ends[last]})
                self.report.problem(
                    "misaligned", unit.problem(a, f"whitespace at its edge is left out: exported as {trimmed.text_in(text)!r}")
                )
            elif a.id in off:
                self.report.problem(
                    "misaligned", unit.problem(a, f"not on {self.options.tokenizer} token boundaries; tokens were split there")
                )
            out.append(trimmed)
        return starts, ends, out


def _spacy_bounds(text: str) -> list[tuple[int, int]]:
    return [(t.start, t.end) for t in spacy_tokenize(text)]


def _on_tokens(starts: list[int], ends: list[int], start: int, end: int) -> bool:
    """Whether ``[start, end)`` starts at a token's start and ends at a token's end
    (what :func:`~annotator.core.tokenize.align_span` checks, on plain lists)."""
    if start >= end:
        return False
    first = bisect_left(starts, start)
    last = bisect_left(ends, end)
    return first < len(starts) and last < len(ends) and starts[first] == start and ends[last] == end


@dataclass
class Tokenized:
    """A unit's tokens and its spans as whole tokens (see :meth:`ExportContext.tokenized`)."""

    tokens: list[Token]
    #: The unit's span annotations, cut to their tokens; spans without a token are left out.
    spans: list[SpanAnnotation]


class Writer:
    """A format's writer: :meth:`write` one split's units to ``dest`` (a file, or a
    folder for folder formats); :meth:`finish` adds what belongs once to the output root."""

    #: The export calls :meth:`write_rows` with the stored rows instead of :meth:`write`
    #: with units.
    rows = False

    def __init__(self, ctx: ExportContext):
        self.ctx = ctx
        self.report = ctx.report

    def write(self, units: Iterable[Unit], dest: Path) -> None:  # pragma: no cover - abstract
        raise ExportError(f"the {self.ctx.info.name} format has no writer")

    def write_rows(
        self, rows: Iterable[tuple[DocumentRow, list[AnnotationRow]]], dest: Path
    ) -> None:  # pragma: no cover - abstract
        """What :meth:`write` does, from ``(DocumentRow, [AnnotationRow, ...])`` pairs (the
        stored rows, :mod:`annotator.core.rows`); for writers that set :attr:`rows`."""
        raise ExportError(f"the {self.ctx.info.name} writer does not write stored rows")

    def destination(self, root: Path, split: str | None) -> Path:
        """Where one split goes: ``root`` itself for a single file, else a file in the folder."""
        if not self.ctx.options.split and not self.ctx.info.folder:
            return root
        return root / f"{split or 'data'}{self.ctx.info.suffix}"

    def finish(self, root: Path) -> None:
        """Called once after every split was written (``root``: the output folder or file)."""


class JsonlWriter(Writer):
    """Writers of JSON lines: :meth:`write` writes each unit's :meth:`lines`.

    A writer makes either its records as dictionaries (:meth:`records`; the lines
    are then :func:`json_line` of each) or the lines themselves (:meth:`lines`,
    for a writer that makes them faster without the dictionaries): one way each."""

    def records(self, unit: Unit) -> Iterable[dict[str, Any]]:  # pragma: no cover - abstract
        return ()

    def lines(self, unit: Unit) -> Iterable[str]:
        """A unit's records as JSON lines: :func:`json_line` of each of :meth:`records`."""
        return (json_line(rec) for rec in self.records(unit))

    def write(self, units: Iterable[Unit], dest: Path) -> None:
        with open_text(dest) as fh:
            for unit in units:
                for line in self.lines(unit):
                    fh.write(line)
                    self.report.records += 1


def json_line(obj: Any) -> str:
    """One JSON line: UTF-8 text kept as it is, except the characters that some
    line readers (``str.splitlines``) take for line breaks, which are escaped."""
    line = json.dumps(obj, ensure_ascii=False)
    if "\u2028" in line or "\u2029" in line or "\x85" in line:  # rare; looking is cheaper than replacing
        line = line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")
    return line + "\n"


class _SyncedFile:
    """A text file that is flushed and fsynced when closed."""

    def __init__(self, path: Path, binary: bool = False):
        self.fh: IO[Any] = open(path, "wb") if binary else open(path, "w", encoding="utf-8", newline="")

    def __enter__(self) -> IO[Any]:
        return self.fh

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        try:
            if exc_type is None:
                self.fh.flush()
                os.fsync(self.fh.fileno())
        finally:
            self.fh.close()


def open_text(path: Path, binary: bool = False) -> _SyncedFile:
    """Open an output file (UTF-8, ``\\n`` line ends on every platform, synced on close)."""
    return _SyncedFile(path, binary)
