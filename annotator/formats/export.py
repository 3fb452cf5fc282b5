"""Exports: which documents and annotations, in which units, written where.

This module is the one orchestration every export format goes through (the
``annotator export`` command and File > Export call :func:`export`):

- **Selection.** Documents by status and by label (documents having at least one
  annotation with one of the labels); annotations of every annotator (default),
  of one (``annotator``) or of the adjudicated gold layer (``gold``: annotator
  :data:`~annotator.core.models.GOLD`).  Documents without any annotation to
  export are left out (and counted) unless ``include_empty``; the ``native``
  format always keeps every selected document.
- **Layers.** ``native``, ``events`` and ``claims`` name the annotator of every
  annotation, so they hold several annotators' work side by side.  The other
  formats hold one version of a document: when a selected document has
  annotations of several annotators the export stops and says which, unless
  ``annotator``/``gold`` picks one layer or ``per_annotator`` writes one record
  per (document, annotator).
- **Units.** A record is a whole document or, with ``sentences``, one sentence
  (:func:`segments`: sentences that a span, or for linked formats an event
  argument or relation, crosses are joined, so nothing is cut).
- **Splits.** ``split=(train, dev, test)`` assigns whole documents to splits by
  a seeded hash of their text (deterministic: same seed, same texts, same split,
  whatever the import order or project) with exact proportions.
- **Writing.** Streamed document by document (memory stays flat as the corpus
  grows) into a temporary file or folder beside the target, renamed into place
  only when complete: a failed or cancelled export leaves nothing that looks
  complete.  Folder outputs carry a ``.annotator-export`` marker, and an
  existing folder is only ever replaced when it holds that marker (or is empty).
- **Report.** :class:`ExportReport` counts what was written and lists every span
  that could not be represented exactly (a token boundary cut inside a word,
  overlapping spans BIO cannot hold, links whose ends were not exported), so
  nothing is lost silently.

Pure Python: no Qt.  ``progress(done, total)`` is called after each document;
``cancelled()`` returning True stops the export (raising :class:`ExportCancelled`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import secrets
import shutil
import sqlite3
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from annotator.core.models import GOLD, SPAN_KINDS, Annotation, DocStatus, Document
from annotator.core.store import Project, translate_sqlite_error
from annotator.core.text import QtPositionMap
from annotator.core.tokenize import Token, _split, cut_spans, sentences, spacy_tokenize, token_spans

__all__ = [
    "ExportError",
    "ExportCancelled",
    "FormatInfo",
    "FORMATS",
    "ExportOptions",
    "ExportReport",
    "Problem",
    "Unit",
    "ExportContext",
    "Tokenized",
    "Writer",
    "JsonlWriter",
    "Link",
    "CLAIMANT",
    "unit_links",
    "SPLIT_NAMES",
    "MARKER",
    "export",
    "plan_output",
    "parse_split",
    "split_counts",
    "split_key",
    "segments",
    "json_line",
    "open_text",
    "export_command",
]

#: Names of the splits, in order.
SPLIT_NAMES = ("train", "dev", "test")
#: File that marks a folder as written by an annotator export (so it may be replaced).
MARKER = ".annotator-export"
#: How many problems of each kind a report keeps as examples (all are counted).
EXAMPLES = 200
#: Documents read per query by writers that take stored rows (:attr:`Writer.rows`).
ROWS_CHUNK = 32


class ExportError(Exception):
    """An export that cannot be done as asked; ``str()`` is the message for people."""


class ExportCancelled(ExportError):
    """The user cancelled; nothing was written."""


# ---------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FormatInfo:
    """What the orchestration needs to know about a format."""

    name: str
    title: str
    #: Suffix of the data files (".jsonl"); brat's data are folders.
    suffix: str
    #: The writer class, "module:Class" (imported when used).
    writer: str
    #: The output is always a folder (brat: .txt/.ann pairs; hf: data + label list).
    folder: bool = False
    #: Each annotation names its annotator, so several annotators fit in one file.
    many_layers: bool = False
    #: Span kinds exported when the user does not choose; empty: the format decides alone.
    default_kinds: tuple[str, ...] = ()
    #: Whether one record per sentence can be asked for.
    sentences: bool = False
    #: Whether ``offsets="utf16"`` applies (formats with character offsets).
    offsets: bool = False
    #: Whether the format is made of tokens (tokenizer choice applies).
    tokens: bool = False
    #: Optional package the format needs ("spacy").
    needs: str | None = None
    #: Event arguments, relations and claimants are part of the format (sentences keep them together).
    links: bool = False
    description: str = ""


FORMATS: dict[str, FormatInfo] = {
    f.name: f
    for f in [
        FormatInfo(
            "native", "Native JSONL (everything, for moving work between projects)", ".jsonl",
            "annotator.formats.export:NativeWriter", many_layers=True,
            description="one document per line with every annotation, annotator, source, timestamps and review decisions",
        ),
        FormatInfo(
            "spans", "spaCy / Prodigy spans (JSONL)", ".jsonl", "annotator.formats.spans:SpansWriter",
            default_kinds=("entity",), sentences=True, offsets=True, tokens=True, links=True,
            description="text, tokens, spans with token_start/token_end (inclusive), relations, meta",
        ),
        FormatInfo(
            "doccano", "doccano (JSONL)", ".jsonl", "annotator.formats.doccano:DoccanoWriter",
            default_kinds=("entity",), sentences=True, offsets=True, links=True,
            description='sequence labelling ("label": [[start, end, label]]), or entities/relations when relations exist',
        ),
        FormatInfo(
            "hf", "Hugging Face token classification (JSONL + labels)", ".jsonl", "annotator.formats.hf:HfWriter",
            folder=True, default_kinds=("entity",), sentences=True, tokens=True,
            description="tokens and BIO ner_tags per record, labels.json and a dataset card with the features",
        ),
        FormatInfo(
            "conll", "CoNLL-2003 (BIO)", ".conll", "annotator.formats.conll:ConllWriter",
            default_kinds=("entity",), tokens=True,
            description="one token per line with its BIO tag, blank line between sentences, -DOCSTART- between documents",
        ),
        FormatInfo(
            "brat", "brat standoff (.txt + .ann folder)", ".ann", "annotator.formats.brat:BratWriter",
            folder=True, default_kinds=SPAN_KINDS, links=True,
            description="NAME.txt + NAME.ann with T, E, R, A and # lines, plus annotation.conf and visual.conf",
        ),
        FormatInfo(
            "events", "Event extraction (JSONL)", ".jsonl", "annotator.formats.events:EventsWriter",
            many_layers=True, sentences=True, offsets=True, links=True,
            description="entities and events with type, trigger and arguments (role, span, label), per document or sentence",
        ),
        FormatInfo(
            "claims", "Claims (JSONL, one line per claim)", ".jsonl", "annotator.formats.claims:ClaimsWriter",
            many_layers=True, offsets=True,
            description="claim span, context sentence, claimant and claim attributes, one line per claim",
        ),
        FormatInfo(
            "spacy", "spaCy DocBin (.spacy)", ".spacy", "annotator.formats.spacy_docbin:DocBinWriter",
            default_kinds=("entity",), sentences=True, tokens=True, needs="spacy",
            description="a DocBin for spacy train: doc.ents (BIO-compatible spans) and every span in doc.spans['sc']",
        ),
    ]
}


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------
@dataclass
class ExportOptions:
    """Everything the user can choose; :meth:`check` validates it against the format."""

    format: str
    #: Target file or folder; None: ``exports/<project>-<format>[suffix]`` in the working directory.
    out: Path | None = None
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
                + ("(brat counts code points, as Python does)" if info.name == "brat" else "(it has no character offsets to convert)" if info.name != "native" else "(native offsets are always code points)")
            )
        if self.tokenizer not in ("default", "spacy"):
            raise ExportError(f"--tokenizer must be default or spacy, not {self.tokenizer!r}")
        if self.tokenizer == "spacy" and not info.tokens:
            raise ExportError(f"--tokenizer applies to token-based formats (spans, hf, conll, spacy), not {info.name}")
        if self.kinds:
            if not info.default_kinds or info.name == "brat":
                raise ExportError(f"the {info.name} format exports fixed kinds of annotation; --kind applies to spans, doccano, hf, conll and spacy")
            bad = [k for k in self.kinds if k not in SPAN_KINDS]
            if bad:
                raise ExportError(f"unknown kind {bad[0]!r}; choose from {', '.join(SPAN_KINDS)} (relations follow their ends)")
        if self.split is not None:
            if len(self.split) != 3 or any(x < 0 for x in self.split) or sum(self.split) <= 0:
                raise ExportError("the split needs three non-negative shares (train/dev/test) that are not all zero")
        if (self.tokenizer == "spacy" or info.needs == "spacy") and importlib.util.find_spec("spacy") is None:
            raise ExportError("this export needs spaCy, which is not installed: pip install 'annotator[spacy]'")

    @property
    def span_kinds(self) -> tuple[str, ...]:
        return self.kinds or self.info.default_kinds


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


def split_counts(n: int, shares: Sequence[float]) -> list[int]:
    """Whole numbers of documents per split summing to ``n`` (largest remainders)."""
    total = sum(shares)
    exact = [n * s / total for s in shares]
    counts = [int(x) for x in exact]
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def split_key(seed: int, sha256: str) -> str:
    """The sort key that places a document in the split order (seeded hash of its text)."""
    return hashlib.sha256(f"{seed}\0{sha256}".encode()).hexdigest()


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
                "to export (keep them with --include-empty, or \"Include documents without annotations\" in File > Export)"
            )
        if self.joined_sentences:
            out.append(f"Joined {self.joined_sentences} sentence boundar{'y' if self.joined_sentences == 1 else 'ies'} that a span or link crosses")
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
            "problems": {k: {"count": n, "examples": [vars(p) for p in self.examples.get(k, [])]} for k, n in self.counts.items()},
            "notes": self.notes,
        }


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------
class _DocOffsets:
    """Output offsets of one document: code points, or UTF-16 code units."""

    def __init__(self, text: str, mode: str):
        self._map = QtPositionMap(text) if mode == "utf16" and not text.isascii() else None

    def __call__(self, cp: int) -> int:
        # For canonical text a QTextDocument position is exactly a UTF-16 offset.
        return self._map.to_qt(cp) if self._map is not None else cp


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
    _offsets: _DocOffsets | None = None
    #: Records are per (document, annotator): the record id names the annotator.
    per_annotator: bool = False

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
    def spans(self) -> list[Annotation]:
        return [a for a in self.annotations if a.start is not None]

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
            ends = [a] if a.start is not None else []
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


def _shift(a: Annotation, by: int) -> Annotation:
    if a.start is None or by == 0:
        return a
    return a.model_copy(update={"start": a.start - by, "end": a.end - by})


def _sort_key(a: Annotation) -> tuple:
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
            head, tail = by_id.get(head_id or ""), by_id.get(tail_id or "")
            if head is None or tail is None or head.start is None or tail.start is None:
                if report is not None:
                    missing = head_id if head is None or head.start is None else tail_id
                    anchor = a if a.start is not None else (head if head is not None and head.start is not None else a)
                    report.problem("links", unit.problem(anchor, f"{kind} {label!r}: annotation {missing} at its other end is not exported"))
                continue
            out.append(Link(head, tail, label, kind, a))
    return out


# ---------------------------------------------------------------------------
# Context given to writers
# ---------------------------------------------------------------------------
class ExportContext:
    """What writers get: the options, the project's schema, the report, tokens."""

    def __init__(self, options: ExportOptions, project: Project, report: ExportReport):
        self.options = options
        self.info = options.info
        self.project = project
        self.schema = project.schema
        self.report = report
        self.kinds = set(options.span_kinds)
        #: Ids of the documents being exported (set before writing starts).
        self.doc_ids: list[str] = []
        #: ``(start, end)`` of the tokenizer's tokens of a text, before any cuts.
        self._token_bounds: Callable[[str], list[tuple[int, int]]] = (
            _spacy_bounds if options.tokenizer == "spacy" else token_spans
        )

    def links_possible(self) -> bool:
        """Whether any exported document may hold a link (relation, event argument,
        claimant) of the exported layer and kinds; formats choose their shape by it."""
        cond = ["kind = 'relation'"]
        if "event" in self.kinds:
            cond.append("(kind = 'event' AND arguments != '[]')")
        if "claim" in self.kinds:
            cond.append("(kind = 'claim' AND claimant_ref IS NOT NULL)")
        sql = f"SELECT DISTINCT doc_id FROM annotations WHERE ({' OR '.join(cond)})"
        params: list[Any] = []
        if self.options.layer is not None:
            sql += " AND annotator = ?"
            params.append(self.options.layer)
        found = {r[0] for r in _query(self.project, sql, params)}
        return any(i in found for i in self.doc_ids)

    def resolve(self, unit: Unit, ann_id: str) -> Annotation | None:
        """An annotation the unit's annotations refer to, with unit-relative offsets:
        from the unit, else from the project (another kind or layer) when its span
        lies inside the unit; None when it does not exist or lies outside."""
        if ann_id in unit.by_id:
            return unit.by_id[ann_id]
        found = self.project.get_annotation(ann_id)
        if found is None or found.doc_id != unit.doc.id or found.start is None:
            return None
        if not (unit.start <= found.start and found.end <= unit.end):
            return None
        return _shift(found, unit.start)

    def tokenized(self, unit: Unit) -> "Tokenized":
        """Tokens of the unit's text, cut at every span boundary, and its spans as whole tokens.

        A span that does not start and end on the tokenizer's own token
        boundaries is reported (category ``misaligned``): the token it cuts is
        split there.  A span with whitespace at an edge is exported as the
        tokens it holds (whitespace is never a token) and reported; a span of
        whitespace only holds no token and is reported as not exported.
        """
        starts, ends, spans = self.token_offsets(unit)
        return Tokenized(_split(unit.text, zip(starts, ends), ()), spans)

    def token_offsets(self, unit: Unit) -> tuple[list[int], list[int], list[Annotation]]:
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
        out: list[Annotation] = []
        for a in spans:
            first = bisect_left(starts, a.start)
            last = bisect_right(ends, a.end) - 1
            if first > last:
                self.report.problem("not_exported", unit.problem(a, "holds no token (only whitespace)"))
                continue
            trimmed = a
            if (starts[first], ends[last]) != (a.start, a.end):
                trimmed = a.model_copy(update={"start": starts[first], "end": ends[last]})
                self.report.problem("misaligned", unit.problem(
                    a, f"whitespace at its edge is left out: exported as {trimmed.text_in(text)!r}"))
            elif a.id in off:
                self.report.problem("misaligned", unit.problem(
                    a, f"not on {self.options.tokenizer} token boundaries; tokens were split there"))
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
    spans: list[Annotation]


class Writer:
    """A format's writer: :meth:`write` one split's units to ``dest`` (a file, or a
    folder for folder formats); :meth:`finish` adds what belongs once to the output root."""

    #: :meth:`write` gets ``(document row, annotation rows)`` pairs (:meth:`_Units.rows`) instead of units.
    rows = False

    def __init__(self, ctx: ExportContext):
        self.ctx = ctx
        self.report = ctx.report

    def write(self, units: Iterable[Unit], dest: Path) -> None:  # pragma: no cover - abstract
        raise ExportError(f"the {self.ctx.info.name} format has no writer")

    def destination(self, root: Path, split: str | None) -> Path:
        """Where one split goes: ``root`` itself for a single file, else a file in the folder."""
        if not self.ctx.options.split and not self.ctx.info.folder:
            return root
        return root / f"{split or 'data'}{self.ctx.info.suffix}"

    def finish(self, root: Path) -> None:
        """Called once after every split was written (``root``: the output folder or file)."""


class JsonlWriter(Writer):
    """Writers of JSON lines: :meth:`records` gives a unit's records."""

    def records(self, unit: Unit) -> Iterable[dict[str, Any]]:  # pragma: no cover - abstract
        return ()

    def lines(self, unit: Unit) -> Iterable[str]:
        """A unit's records as JSON lines: :func:`json_line` of each of :meth:`records`
        (a writer may make the same text faster without the dictionaries)."""
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


class NativeWriter(Writer):
    """The native format, written by :mod:`annotator.formats.native` (its one writer)."""

    def __init__(self, ctx: ExportContext):
        super().__init__(ctx)
        # Every annotation of every document: the records are made straight from
        # the stored rows (no Document and Annotation objects in between).
        self.rows = ctx.options.layer is None

    def write(self, units: Iterable[Any], dest: Path) -> None:
        from annotator.formats.native import dumps_native, iter_native_records, native_row_record

        project = self.ctx.project
        layer = self.ctx.options.layer
        schema = project.schema
        with open_text(dest) as fh:
            if self.rows:
                reviewed = bool(_query(project, "SELECT EXISTS (SELECT 1 FROM review_decisions)")[0][0])
                for doc, anns in units:
                    review = project.review_decisions(doc[0]) if reviewed else []
                    fh.write(dumps_native(native_row_record(doc, anns, schema, review)) + "\n")
                    self.report.records += 1
                return
            for unit in units:  # one layer plus whatever it refers to (see iter_native_records)
                for rec in iter_native_records(project, [unit.doc.id], [layer]):
                    fh.write(dumps_native(rec) + "\n")
                    self.report.records += 1


# ---------------------------------------------------------------------------
# Output paths
# ---------------------------------------------------------------------------
def _is_folder_output(options: ExportOptions) -> bool:
    return options.info.folder or options.split is not None


def plan_output(project: Project, options: ExportOptions) -> Path:
    """The path the export will write (checked: it may be written and replaced)."""
    info = options.info
    folder = _is_folder_output(options)
    out = options.out
    stem = f"{project.path.stem}-{info.name}"
    if out is None:
        out = Path("exports") / (stem if folder else stem + info.suffix)
    out = Path(out)
    if not folder and out.is_dir():
        out = out / (stem + info.suffix)
    try:
        if out.resolve() == project.path.resolve():
            raise ExportError(f"{out}: that is the project file itself; choose another --out")
    except OSError:
        pass
    if folder:
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out}: a file is in the way; this export writes a folder (choose another --out)")
        if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
            raise ExportError(
                f"{out}: the folder is not empty and was not written by an annotator export; "
                "choose a new or empty folder (nothing was changed)"
            )
    return out


class _AtomicOutput:
    """A temporary file or folder beside ``target``, renamed onto it by :meth:`commit`."""

    def __init__(self, target: Path, folder: bool):
        self.target = target
        self.folder = folder
        parent = target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ExportError(f"{parent}: cannot create the folder: {err.strerror or err}") from None
        self.tmp = parent / f".{target.name}.{secrets.token_hex(4)}.partial"
        try:
            if folder:
                self.tmp.mkdir()
            else:
                self.tmp.touch()
        except OSError as err:
            raise ExportError(f"{parent}: cannot write here: {err.strerror or err}") from None

    def commit(self) -> None:
        target = self.target
        if not self.folder:
            os.replace(self.tmp, target)
            _fsync_dir(target.parent)
            return
        (self.tmp / MARKER).touch()
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.{secrets.token_hex(4)}.old"
            os.replace(target, old)
        try:
            os.replace(self.tmp, target)
        except OSError:
            if old is not None:
                os.replace(old, target)
            raise
        _fsync_dir(target.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        if self.tmp.is_dir():
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            try:
                self.tmp.unlink()
            except OSError:
                pass


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
# Selection
# ---------------------------------------------------------------------------
def _query(project: Project, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    try:
        return project.conn.execute(sql, tuple(params)).fetchall()
    except sqlite3.Error as err:
        raise translate_sqlite_error(err, project.path) from None


def _annotation_filter(options: ExportOptions) -> tuple[str, list[Any]]:
    kinds = _kinds(options)
    where = f"kind IN ({', '.join('?' * len(kinds))})"
    params: list[Any] = list(kinds)
    if options.layer is not None:
        where += " AND annotator = ?"
        params.append(options.layer)
    return where, params


def _kinds(options: ExportOptions) -> list[str]:
    if options.info.name == "native":
        return ["entity", "event", "claim", "relation"]
    if options.info.name == "events":
        return ["entity", "event", "relation"]
    if options.info.name == "claims":
        return ["claim"]
    return [*options.span_kinds, "relation"]


def _select(project: Project, options: ExportOptions, report: ExportReport) -> list[str]:
    """Ids of the documents to export, in import order."""
    statuses = list(options.statuses) or None
    if options.labels:
        seen: set[str] = set()
        chosen = set()
        for label in options.labels:
            chosen.update(project.document_ids(status=statuses, label=label, annotator=options.layer))
        ids = [i for i in project.document_ids(status=statuses) if i in chosen and not (i in seen or seen.add(i))]
    else:
        ids = project.document_ids(status=statuses)
    if options.info.name == "native" or options.include_empty:
        return ids
    where, params = _annotation_filter(options)
    having = {r[0] for r in _query(project, f"SELECT DISTINCT doc_id FROM annotations WHERE {where}", params)}
    kept = [i for i in ids if i in having]
    report.skipped_empty = len(ids) - len(kept)
    return kept


def _check_layers(project: Project, options: ExportOptions, ids: list[str]) -> None:
    """Refuse single-layer formats over documents annotated by several annotators."""
    if options.info.many_layers or options.layer is not None or options.per_annotator:
        return
    where, params = _annotation_filter(options)
    rows = _query(
        project,
        f"SELECT doc_id, json_group_array(DISTINCT annotator) FROM annotations WHERE {where} "
        "GROUP BY doc_id HAVING count(DISTINCT annotator) > 1",
        params,
    )
    selected = set(ids)
    mixed = [(d, json.loads(names)) for d, names in rows if d in selected]
    if not mixed:
        return
    names = sorted({n for _, ns in mixed for n in ns})
    raise ExportError(
        f"{len(mixed)} of the selected documents {'has' if len(mixed) == 1 else 'have'} annotations by several annotators "
        f"({', '.join(names)}), and the {options.format} format holds one version of a document. "
        "Choose one with --annotator NAME or the adjudicated layer with --gold, "
        "or write one record per annotator with --per-annotator. Nothing was written."
    )


# ---------------------------------------------------------------------------
# The export
# ---------------------------------------------------------------------------
def _writer(ctx: ExportContext) -> Writer:
    module, _, name = ctx.info.writer.partition(":")
    cls = getattr(importlib.import_module(module), name)
    return cls(ctx)


class _Units:
    """Turns documents into units according to the options; counts progress."""

    def __init__(self, project: Project, options: ExportOptions, report: ExportReport,
                 progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool] | None, total: int):
        self.project = project
        self.options = options
        self.report = report
        self.progress = progress
        self.cancelled = cancelled
        self.total = total
        self.done = 0
        self.kinds = set(_kinds(options))

    def annotations(self, doc_id: str) -> list[Annotation]:
        anns = self.project.annotations(doc_id, annotator=self.options.layer)
        return [a for a in anns if a.kind in self.kinds]

    def __call__(self, ids: Iterable[str]) -> Iterator[Unit]:
        opts = self.options
        for doc_id in ids:
            if self.cancelled is not None and self.cancelled():
                raise ExportCancelled("export cancelled; nothing was written")
            doc = self.project.get_document(doc_id)
            anns = sorted(self.annotations(doc_id), key=_sort_key)
            offsets = _DocOffsets(doc.text, opts.offsets) if opts.offsets == "utf16" else None
            if opts.per_annotator:
                names = sorted({a.annotator for a in anns}) or [None]
                layers = [(n, [a for a in anns if a.annotator == n]) for n in names]
            else:
                names = {a.annotator for a in anns}
                layers = [(names.pop() if len(names) == 1 else opts.layer, anns)]
            for annotator, layer in layers:
                self.report.annotations += len(layer)
                if opts.sentences:
                    segs, joined = segments(doc.text, layer, links=opts.info.links)
                    self.report.joined_sentences += joined
                    for i, (s, e) in enumerate(segs):
                        inside = [_shift(a, s) for a in layer if a.start is not None and s <= a.start and a.end <= e]
                        ids_inside = {a.id for a in inside}
                        inside += [a for a in layer if a.start is None and a.head in ids_inside]
                        yield self._unit(doc, inside, s, e, annotator, i, offsets)
                else:
                    yield self._unit(doc, layer, 0, len(doc.text), annotator, None, offsets)
            self.report.documents += 1
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)

    def rows(self, ids: Iterable[str]) -> Iterator[tuple[tuple, list[tuple]]]:
        """What :meth:`__call__` reads, for writers that need no Document and
        Annotation objects (:attr:`Writer.rows`): per document, its stored row and
        the rows of its annotations of the exported kinds and layer (store order)."""
        project, layer, kinds = self.project, self.options.layer, self.kinds
        ids = list(ids)
        # A few documents per query (two queries per document cost as much as
        # reading the rows); memory stays bounded by the chunk, whatever the corpus.
        for at in range(0, len(ids), ROWS_CHUNK):
            if self.cancelled is not None and self.cancelled():
                raise ExportCancelled("export cancelled; nothing was written")
            chunk = ids[at : at + ROWS_CHUNK]
            docs = project.document_rows(chunk)
            anns_of = project.annotation_rows_by_document(chunk, layer)
            for doc_id in chunk:
                if self.cancelled is not None and self.cancelled():
                    raise ExportCancelled("export cancelled; nothing was written")
                row = docs.get(doc_id)
                if row is None:
                    raise KeyError(doc_id)
                anns = [r for r in anns_of.get(doc_id, ()) if r[2] in kinds]
                self.report.annotations += len(anns)
                yield row, anns
                self.report.documents += 1
                self.done += 1
                if self.progress is not None:
                    self.progress(self.done, self.total)

    def _unit(self, doc: Document, anns: list[Annotation], start: int, end: int, annotator: str | None,
              segment: int | None, offsets: _DocOffsets | None) -> Unit:
        return Unit(doc, anns, start, end, annotator, segment, offsets, self.options.per_annotator)


def export(
    project: Project,
    options: ExportOptions,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportReport:
    """Export ``project`` as ``options`` say; returns the report.

    Raises :class:`ExportError` (a message for people) for options that do not
    fit, a target that may not be replaced, several annotators' work where the
    format holds one; :class:`ExportCancelled` when ``cancelled()`` turned True.
    On any error nothing is left at the target (a previous export stays as it was).

    The whole export reads one snapshot of the project (one read transaction),
    so edits made meanwhile in the app are either all in it or not at all.
    """
    with _snapshot(project):
        return _export(project, options, progress, cancelled)


@contextmanager
def _snapshot(project: Project) -> Iterator[None]:
    """One read transaction over the export (WAL: writers go on meanwhile)."""
    if project.conn.in_transaction:  # the caller's transaction is the snapshot
        yield
        return
    try:
        project.conn.execute("BEGIN")
    except sqlite3.Error as err:
        raise translate_sqlite_error(err, project.path) from None
    try:
        yield
    finally:
        if project.conn.in_transaction:
            project.conn.rollback()  # nothing was written: ending the read is all


def _export(
    project: Project,
    options: ExportOptions,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> ExportReport:
    options.check()
    info = options.info
    if options.annotator is not None and options.annotator not in project.annotators(include_gold=True):
        known = ", ".join(project.annotators()) or "none yet"
        raise ExportError(f"no annotator named {options.annotator!r} in this project (annotators: {known}); nothing was written")
    target = plan_output(project, options)
    report = ExportReport(format=info.name, out=target)
    ids = _select(project, options, report)
    if options.gold and not ids:
        report.note("No selected document has a gold layer yet: it is made by adjudicating in review (the Review menu).")
    _check_layers(project, options, ids)
    ctx = ExportContext(options, project, report)
    ctx.doc_ids = ids
    writer = _writer(ctx)
    if options.split is not None:
        shas = dict(_query(project, "SELECT id, sha256 FROM documents"))
        ordered = sorted(ids, key=lambda i: split_key(options.seed, shas[i]))
        counts = split_counts(len(ordered), options.split)
        parts, at = {}, 0
        for name, n in zip(SPLIT_NAMES, counts):
            chosen = set(ordered[at : at + n])
            parts[name] = [i for i in ids if i in chosen]  # keep import order inside a split
            at += n
        report.splits = {k: len(v) for k, v in parts.items()}
        for name, n in report.splits.items():
            if n == 0 and options.split[SPLIT_NAMES.index(name)] > 0:
                report.note(f"The {name} split is empty: too few documents for the shares asked.")
    else:
        parts = {None: ids}
    folder = _is_folder_output(options)
    units = _Units(project, options, report, progress, cancelled, len(ids))
    if progress is not None:
        progress(0, len(ids))
    out = _AtomicOutput(target, folder)
    try:
        for name, part in parts.items():
            dest = writer.destination(out.tmp, name)
            writer.write(units.rows(part) if writer.rows else units(part), dest)
            report.files.append(dest.relative_to(out.tmp).as_posix() if folder else target.name)
        writer.finish(out.tmp)
        if cancelled is not None and cancelled():
            raise ExportCancelled("export cancelled; nothing was written")
        if folder:
            with open_text(out.tmp / MARKER) as fh:
                fh.write(json.dumps({"options": _options_dict(options), "report": report.to_dict()}, ensure_ascii=False, indent=1) + "\n")
        out.commit()
    except ExportError:
        out.abort()
        raise
    except OSError as err:
        out.abort()
        raise ExportError(f"{target}: could not write the export: {err.strerror or err}; nothing was written") from None
    except BaseException:
        out.abort()
        raise
    return report


def _options_dict(options: ExportOptions) -> dict[str, Any]:
    d = {k: v for k, v in vars(options).items() if k != "out"}
    d["split"] = list(options.split) if options.split else None
    d["statuses"], d["labels"], d["kinds"] = list(options.statuses), list(options.labels), list(options.span_kinds)
    return d


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------
def _make_command():
    import click

    @click.command("export")
    @click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--format", "-f", "fmt", required=True, type=click.Choice(list(FORMATS)),
                  help="Output format (each is described in docs/formats.md).")
    @click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
                  help="File (or folder, for brat, hf and any split) to write. Default: exports/PROJECT-FORMAT[.ext] in the working directory.")
    @click.option("--annotator", default=None, help="Export only this annotator's annotations.")
    @click.option("--gold", is_flag=True, help="Export only the adjudicated gold layer.")
    @click.option("--per-annotator", is_flag=True,
                  help="One record per (document, annotator), for formats that hold one version of a document.")
    @click.option("--status", "statuses", multiple=True,
                  type=click.Choice([s.value for s in DocStatus]),
                  help="Only documents with this status (repeat for several).")
    @click.option("--label", "labels", multiple=True, help="Only documents with an annotation of this label (repeat for several).")
    @click.option("--kind", "kinds", multiple=True, type=click.Choice(list(SPAN_KINDS)),
                  help="Span kinds to export in spans/doccano/hf/conll/spacy (default: entity; repeat for several).")
    @click.option("--include-empty", is_flag=True, help="Keep documents without annotations to export.")
    @click.option("--split", "split", default=None, metavar="TRAIN/DEV/TEST",
                  help="Split by document, e.g. 80/10/10; writes train, dev and test files into the --out folder.")
    @click.option("--seed", default=0, show_default=True, type=int, help="Seed of the split (same seed and texts: same split).")
    @click.option("--sentences", is_flag=True, help="One record per sentence (spans, doccano, hf, events, spacy).")
    @click.option("--offsets", type=click.Choice(["codepoint", "utf16"]), default="codepoint", show_default=True,
                  help="Character offsets as Python code points, or as UTF-16 code units (doccano, JavaScript and Java tools).")
    @click.option("--tokenizer", type=click.Choice(["default", "spacy"]), default="default", show_default=True,
                  help="Tokenizer of token-based formats: the built-in rules, or spaCy's English tokenizer (needs spaCy).")
    def export_command(project: Path, fmt: str, out: Path | None, annotator: str | None, gold: bool, per_annotator: bool,
                       statuses: tuple[str, ...], labels: tuple[str, ...], kinds: tuple[str, ...], include_empty: bool,
                       split: str | None, seed: int, sentences: bool, offsets: str, tokenizer: str) -> None:
        """Export PROJECT's documents and annotations as training data.

        Offsets are code points into the stored text (end-exclusive) unless
        --offsets utf16. Writing is atomic: an export that fails leaves nothing
        behind that looks complete. See docs/formats.md for every format.
        """
        from annotator.core.store import ProjectError

        try:
            options = ExportOptions(
                format=fmt, out=out, annotator=annotator, gold=gold, per_annotator=per_annotator,
                statuses=statuses, labels=labels, kinds=kinds, include_empty=include_empty,
                split=parse_split(split) if split else None, seed=seed, sentences=sentences,
                offsets=offsets, tokenizer=tokenizer,
            )
            options.check()
            with Project(project) as proj:
                bar = None
                if _stderr_tty():
                    bar = click.progressbar(length=max(1, proj.document_count()), label="Exporting", file=click.get_text_stream("stderr"))
                    bar.__enter__()

                def progress(done: int, total: int) -> None:
                    if bar is not None:
                        bar.length = max(1, total)
                        bar.update(done - bar.pos)

                try:
                    report = export(proj, options, progress=progress)
                finally:
                    if bar is not None:
                        bar.__exit__(None, None, None)
        except (ExportError, ProjectError) as err:
            raise click.ClickException(str(err)) from None
        for line in report.lines():
            click.echo(line)

    return export_command


def _stderr_tty() -> bool:
    import sys

    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


export_command = _make_command()
