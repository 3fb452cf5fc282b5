"""The consistency check: where one annotator's layer (or the gold layer)
disagrees with itself across the corpus.

Four kinds of finding, each an :class:`Issue` whose :class:`Place` s name the
document (id, title) and the code-point offsets (end-exclusive) of every span or
occurrence involved, so a front end can jump there:

``labels``
    The same string labelled differently (entities; event triggers with different
    event types): ``"Reuters"`` ORG 12 times, PERSON once.  Strings are compared
    exactly (letter case and whitespace included); the counts per label are given.
``unlabelled``
    A labelled string that also occurs, as whole words, where the layer has no
    annotation of that kind overlapping it.  Whole words: the occurrence starts at
    a token's start and ends at a token's end (the project's tokenizer,
    :mod:`annotator.core.tokenize`), so "China" is found in "China’s" but not in
    "Chinatown".  Only the documents the layer has annotated (at least one
    annotation of that layer) are searched: a document nobody has started is not
    "left unlabelled"; and only strings labelled at least ``min_count`` times
    (default 1) with a letter or digit in them.  Each document is tokenized once and
    its tokens are looked up in a table of the labelled strings' first tokens, so the
    cost grows with the annotated text, not with the number of strings.
``boundaries``
    The same string labelled with different extents: the layer labelled
    ``"the Ministry of External Affairs"`` ORG in one place and, in another place
    where the same words stand, only ``"Ministry of External Affairs"`` ORG (the
    shorter span lies inside an occurrence of the longer labelled string, differing
    by leading or trailing tokens); and overlapping spans of the same label in one
    document whose extents differ.  A shorter span standing alone ("Jaiswal" after
    "Randhir Jaiswal" was named) is not reported.
``roles``
    Events missing a role the schema marks required (as the inspector warns,
    :mod:`annotator.core.constraints`), grouped by event type and role.

Each layer is checked on its own; nothing is compared across annotators (that is
agreement's job).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from annotator.core.kinds import GOLD
from annotator.core.rows import AnnotationRow
from annotator.core.tokenize import token_spans

if TYPE_CHECKING:
    from annotator.core.schema import LabelSchema
    from annotator.core.store import Project

__all__ = ["KINDS", "KIND_TITLES", "Place", "Issue", "CheckReport", "CheckError", "check_project", "format_report"]

#: The kinds of finding, in the order reports list them.
KINDS = ("labels", "unlabelled", "boundaries", "roles")
#: A heading for each kind.
KIND_TITLES = {
    "labels": "Same string, different labels",
    "unlabelled": "Labelled here, unlabelled there",
    "boundaries": "Same string, different boundaries",
    "roles": "Events missing required roles",
}
#: Annotation kinds whose span texts are compared (claims are sentences, relations have no span).
SPAN_KINDS = ("entity", "event")
#: Longest labelled string (in tokens) whose inner parts are compared for boundaries.
MAX_BOUNDARY_TOKENS = 16
#: Characters of context either side of a place.
CONTEXT = 40
#: Documents read at a time.
BATCH = 500

_ALNUM = re.compile(r"[^\W_]")
_CHUNK_REST = re.compile(r"\S*")


class CheckError(ValueError):
    """A check that cannot run as asked (unknown annotator, ...): the message says why."""


@dataclass(frozen=True)
class Place:
    """One span or occurrence: ``text == document.text[start:end]``; ``label`` and
    ``annotation_id`` are None for an unlabelled occurrence; ``before`` and
    ``after``: up to :data:`CONTEXT` characters of the text either side."""

    doc_id: str
    title: str
    start: int
    end: int
    text: str
    label: str | None = None
    annotation_id: str | None = None
    before: str = ""
    after: str = ""


@dataclass
class Issue:
    """One finding of one layer: ``kind`` (one of :data:`KINDS`), the string or
    event type concerned, a one-line ``message``, the ``places`` involved and
    ``counts`` (per label, or per extent)."""

    kind: str
    layer: str
    text: str
    message: str
    places: list[Place]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def documents(self) -> list[str]:
        return list(dict.fromkeys(p.doc_id for p in self.places))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "layer": self.layer,
            "text": self.text,
            "message": self.message,
            "counts": self.counts,
            "documents": len(self.documents),
            "places": [asdict(p) for p in self.places],
        }


@dataclass
class CheckReport:
    """Every finding of the layers checked, and what was checked."""

    layers: list[str]
    issues: list[Issue] = field(default_factory=list)
    #: layer -> number of documents it has annotated
    documents: dict[str, int] = field(default_factory=dict)
    min_count: int = 1

    def counts(self) -> dict[str, int]:
        c = Counter(i.kind for i in self.issues)
        return {k: c.get(k, 0) for k in KINDS}

    def by_kind(self, kind: str) -> list[Issue]:
        return [i for i in self.issues if i.kind == kind]

    def to_json(self) -> dict[str, Any]:
        return {
            "layers": self.layers,
            "documents": self.documents,
            "min_count": self.min_count,
            "counts": self.counts(),
            "issues": [i.to_json() for i in self.issues],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


def layer_name(layer: str) -> str:
    return "gold" if layer == GOLD else layer


def _quote(text: str, limit: int = 60) -> str:
    shown = " ".join(text.split())
    return f"“{shown if len(shown) <= limit else shown[: limit - 1] + '…'}”"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


# ---------------------------------------------------------------------- reading
@dataclass
class _Span:
    row: AnnotationRow
    text: str
    before: str
    after: str


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


@dataclass
class _Layer:
    """One layer's spans (entities and event triggers) with their texts, its
    events, and the documents it annotated with their titles."""

    name: str
    spans: list[_Span] = field(default_factory=list)
    events: list[AnnotationRow] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)


def _texts(project: Project, doc_ids: list[str]) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    for i in range(0, len(doc_ids), BATCH):
        yield project.document_texts(doc_ids[i : i + BATCH])


def _read_layer(project: Project, name: str, order: dict[str, int]) -> _Layer:
    layer = _Layer(name, order=order)
    rows = project.annotation_rows([name])
    by_doc: dict[str, list[AnnotationRow]] = defaultdict(list)
    for r in rows:
        by_doc[r.doc_id].append(r)
    doc_ids = sorted(by_doc, key=lambda d: order.get(d, len(order)))
    for texts, titles in _texts(project, doc_ids):
        layer.titles.update(titles)
        for doc_id, text in texts.items():
            for r in by_doc[doc_id]:
                if r.kind in SPAN_KINDS and r.start is not None and r.end is not None and r.start < r.end:
                    shown = text[r.start : r.end] if r.fragments is None else " ".join(text[a:b] for a, b in r.pieces())
                    layer.spans.append(_Span(r, shown, *_context(text, r.start, r.end)))
                if r.kind == "event":
                    layer.events.append(r)
    return layer


def _place(layer: _Layer, span: _Span) -> Place:
    r = span.row
    assert r.start is not None and r.end is not None
    return Place(r.doc_id, layer.titles.get(r.doc_id, ""), r.start, r.end, span.text, r.label, r.id, span.before, span.after)


def _sort_places(layer: _Layer, places: Iterable[Place]) -> list[Place]:
    n = len(layer.order)
    return sorted(places, key=lambda p: (layer.order.get(p.doc_id, n), p.doc_id, p.start, p.end, p.label or ""))


# ---------------------------------------------------------------------- the checks
def _label_conflicts(layer: _Layer) -> list[Issue]:
    groups: dict[tuple[str, str], list[_Span]] = defaultdict(list)
    for s in layer.spans:
        groups[(s.row.kind, s.text)].append(s)
    out = []
    for (kind, text), spans in groups.items():
        counts = Counter(s.row.label for s in spans)
        if len(counts) < 2:
            continue
        ordered = dict(counts.most_common())
        what = "labelled" if kind == "entity" else "marked as events of type"
        parts = ", ".join(f"{label} {_times(n)}" for label, n in ordered.items())
        places = _sort_places(layer, (_place(layer, s) for s in spans))
        docs = len({p.doc_id for p in places})
        message = f"{_quote(text)} {what} {parts} (in {docs} document{'s' if docs != 1 else ''})"
        out.append(Issue("labels", layer.name, text, message, places, ordered))
    return out


def _overlaps(starts: list[int], max_ends: list[int], s: int, e: int) -> bool:
    """Whether a span (sorted by start; ``max_ends`` the running maximum of their
    ends) overlaps ``[s, e)``."""
    k = bisect_left(starts, e)  # spans starting before e
    return k > 0 and max_ends[k - 1] > s


def _prefix_regex(words: Iterable[str]) -> re.Pattern[str]:
    """A regex matching (empty, at its start) wherever one of ``words`` starts:
    a trie of the words, so each position costs the length of a word, not their number."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:  # a word ends here: the shortest match is enough
            return ""
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return re.compile(f"(?={build(trie)})")


def _chunk_at(text: str, pos: int) -> tuple[int, tuple[tuple[int, int], ...]]:
    """The start of the whitespace-separated chunk holding ``text[pos]`` and the
    chunk's token spans (relative to that start)."""
    start = pos
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = _CHUNK_REST.match(text, pos).end()  # type: ignore[union-attr]
    return start, _chunk_tokens(text[start:end])


def _token_end_from(text: str, a: int) -> int | None:
    """The end of the token starting at ``a`` (None: no token starts there)."""
    if a >= len(text) or text[a].isspace():
        return None
    start, spans = _chunk_at(text, a)
    for x, y in spans:
        if x + start == a:
            return y + start
    return None


def _is_token_end(text: str, e: int) -> bool:
    """Whether a token ends at ``e``."""
    if e <= 0 or e > len(text) or text[e - 1].isspace():
        return False
    start, spans = _chunk_at(text, e - 1)
    return any(y + start == e for _x, y in spans)


@lru_cache(maxsize=100_000)
def _chunk_tokens(chunk: str) -> tuple[tuple[int, int], ...]:
    return tuple(token_spans(chunk))


def _unlabelled(project: Project, layer: _Layer, min_count: int) -> list[Issue]:
    # The labelled strings of each kind and their labels.
    labelled: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for s in layer.spans:
        labelled[(s.row.kind, s.text)][s.row.label] += 1
    candidates = {key: labels for key, labels in labelled.items() if sum(labels.values()) >= min_count and _ALNUM.search(key[1])}
    if not candidates:
        return []
    # First token of each string -> the strings starting with it.
    by_first: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kind, text in candidates:
        first = token_spans(text)
        if first:
            a, b = first[0]
            if a == 0:
                by_first[text[a:b]].append((kind, text))
    # Each document's spans of each kind (sorted), to tell covered occurrences.
    covered: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    spans_by: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for s in layer.spans:
        assert s.row.start is not None and s.row.end is not None
        spans_by[(s.row.doc_id, s.row.kind)].append((s.row.start, s.row.end))
    for key, spans in spans_by.items():
        spans.sort()
        ends, top = [], -1
        for _a, b in spans:
            top = max(top, b)
            ends.append(top)
        covered[key] = ([a for a, _b in spans], ends)
    empty: tuple[list[int], list[int]] = ([], [])
    hits: dict[tuple[str, str], list[Place]] = defaultdict(list)
    doc_ids = sorted(layer.titles, key=lambda d: layer.order.get(d, len(layer.order)))
    # Only where a first token starts (found by one regex, in C) is a document's
    # text tokenized: the whitespace-separated chunk there (tokens depend on their chunk alone).
    starts = _prefix_regex(by_first)
    for texts, titles in _texts(project, doc_ids):
        for doc_id, text in texts.items():
            for m in starts.finditer(text):
                a = m.start()
                token_end = _token_end_from(text, a)
                strings = by_first.get(text[a:token_end]) if token_end is not None else None
                if strings is None:
                    continue
                for kind, string in strings:
                    e = a + len(string)
                    if not text.startswith(string, a) or not _is_token_end(text, e):
                        continue
                    if _overlaps(*covered.get((doc_id, kind), empty), a, e):
                        continue
                    place = Place(doc_id, titles.get(doc_id, ""), a, e, string, None, None, *_context(text, a, e))
                    hits[(kind, string)].append(place)
    out = []
    for (kind, string), places in hits.items():
        labels = candidates[(kind, string)]
        what = "labelled" if kind == "entity" else "marked as"
        parts = ", ".join(f"{label} {_times(n)}" for label, n in labels.most_common())
        docs = len({p.doc_id for p in places})
        message = (
            f"{_quote(string)} is {what} {parts} but left unlabelled {_times(len(places))}"
            f" in {docs} document{'s' if docs != 1 else ''}"
        )
        counts = {**dict(labels.most_common()), "unlabelled": len(places)}
        out.append(Issue("unlabelled", layer.name, string, message, _sort_places(layer, places), counts))
    return out


def _whole(text: str, a: int, b: int) -> bool:
    """Whether ``text[a:b]`` does not start or end inside a word."""
    word = str.isalnum
    return not (0 < a and word(text[a - 1]) and word(text[a])) and not (b < len(text) and word(text[b - 1]) and word(text[b]))


def _boundaries(project: Project, layer: _Layer) -> list[Issue]:
    # Distinct labelled strings per (kind, label), and their inner parts.
    strings: dict[tuple[str, str], dict[str, list[_Span]]] = defaultdict(lambda: defaultdict(list))
    for s in layer.spans:
        strings[(s.row.kind, s.row.label)][s.text].append(s)
    # (kind, label, inner text) -> [(longer text, text before the inner part, text after it)]
    inner: dict[tuple[str, str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for (kind, label), labelled in strings.items():
        for longer in labelled:
            toks = token_spans(longer)
            if len(toks) < 2 or len(toks) > MAX_BOUNDARY_TOKENS:
                continue
            for i in range(len(toks)):
                for j in range(i, len(toks)):
                    if i == 0 and j == len(toks) - 1:
                        continue
                    part = longer[toks[i][0] : toks[j][1]]
                    if part in labelled:
                        inner[(kind, label, part)].append((longer, longer[: toks[i][0]], longer[toks[j][1] :]))
    # Spans of an inner string standing where the longer labelled string stands.
    found: dict[tuple[str, str, str], list[_Span]] = defaultdict(list)
    if inner:
        need: dict[str, list[_Span]] = defaultdict(list)
        for s in layer.spans:
            if (s.row.kind, s.row.label, s.text) in inner:
                need[s.row.doc_id].append(s)
        doc_ids = sorted(need, key=lambda d: layer.order.get(d, len(layer.order)))
        for doc_texts, _titles in _texts(project, doc_ids):
            for doc_id, text in doc_texts.items():
                for s in need[doc_id]:
                    assert s.row.start is not None and s.row.end is not None
                    for longer, before, after in inner[(s.row.kind, s.row.label, s.text)]:
                        a, b = s.row.start - len(before), s.row.end + len(after)
                        if a >= 0 and text.startswith(before, a) and text.startswith(after, s.row.end) and _whole(text, a, b):
                            found[(s.row.kind, s.row.label, longer)].append(s)
    out = []
    for (kind, label, longer), shorter in found.items():
        whole = strings[(kind, label)][longer]
        places = _sort_places(layer, [_place(layer, s) for s in whole + shorter])
        extents = Counter(s.text for s in whole + shorter)
        parts = ", ".join(f"{_quote(t)} {_times(n)}" for t, n in extents.most_common())
        message = f"{_quote(longer)} ({label}) is labelled with different extents: {parts}"
        out.append(Issue("boundaries", layer.name, longer, message, places, dict(extents.most_common())))
    # Overlapping spans of one label in one document, neither inside the other's string.
    by_doc_label: dict[tuple[str, str, str], list[_Span]] = defaultdict(list)
    for s in layer.spans:
        by_doc_label[(s.row.doc_id, s.row.kind, s.row.label)].append(s)
    reported = {p.annotation_id for i in out for p in i.places}
    for (_doc, _kind, label), spans in by_doc_label.items():
        spans.sort(key=lambda s: (s.row.start, s.row.end))
        for x, y in zip(spans, spans[1:]):
            assert x.row.end is not None and y.row.start is not None
            if y.row.start < x.row.end and (x.row.start, x.row.end) != (y.row.start, y.row.end):
                if x.row.id in reported and y.row.id in reported:
                    continue
                places = [_place(layer, x), _place(layer, y)]
                message = f"{_quote(x.text)} and {_quote(y.text)} ({label}) overlap with different boundaries"
                out.append(Issue("boundaries", layer.name, x.text, message, places, {x.text: 1, y.text: 1}))
    return out


def _missing_roles(layer: _Layer, schema: LabelSchema) -> list[Issue]:
    spans = {s.row.id: s for s in layer.spans if s.row.kind == "event"}
    missing: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for ev in layer.events:
        et = schema.event_type(ev.label)
        if et is None:
            continue
        have = {role for role, _target in ev.argument_pairs()}
        for spec in et.roles:
            if spec.required and spec.name not in have and ev.start is not None and ev.end is not None:
                span = spans.get(ev.id)
                if span is not None:
                    missing[(ev.label, spec.name)].append(_place(layer, span))
    out = []
    for (event_type, role), places in missing.items():
        docs = len({p.doc_id for p in places})
        message = (
            f"{len(places)} {event_type} event{'s' if len(places) != 1 else ''} without the required role {role}"
            f" (in {docs} document{'s' if docs != 1 else ''})"
        )
        out.append(Issue("roles", layer.name, event_type, message, _sort_places(layer, places), {role: len(places)}))
    return out


# ---------------------------------------------------------------------- entry point
def check_layers(project: Project, annotator: str | None = None, gold: bool = False) -> list[str]:
    """The layers to check: ``annotator``'s, the gold layer's, or (default) the
    layer of everyone with annotations but the gold layer; :class:`CheckError`
    for an unknown annotator."""
    if annotator is not None and gold:
        raise CheckError("choose either an annotator or the gold layer, not both")
    if gold:
        return [GOLD]
    working = sorted(n for n in project.annotator_counts() if n != GOLD)
    if annotator is None:
        return working
    names = sorted(set(working) | set(project.annotators()))
    if annotator not in names:
        known = ", ".join(names) if names else "none yet"
        raise CheckError(f"no annotator {annotator!r} in {project.path.name} (annotators: {known})")
    return [annotator]


def check_project(project: Project, annotator: str | None = None, *, gold: bool = False, min_count: int = 1) -> CheckReport:
    """The consistency report of ``project``: each layer (see :func:`check_layers`)
    checked on its own, in one read snapshot."""
    if min_count < 1:
        raise CheckError(f"the minimum count must be at least 1 (got {min_count})")
    layers = check_layers(project, annotator, gold)
    report = CheckReport(layers, min_count=min_count)
    with project.read_snapshot():
        schema = project.schema
        order = {d: i for i, d in enumerate(project.document_ids())}
        for name in layers:
            layer = _read_layer(project, name, order)
            report.documents[name] = len(layer.titles)
            if not layer.titles:
                continue
            report.issues += _label_conflicts(layer)
            report.issues += _unlabelled(project, layer, min_count)
            report.issues += _boundaries(project, layer)
            report.issues += _missing_roles(layer, schema)
    rank = {k: i for i, k in enumerate(KINDS)}
    layer_rank = {n: i for i, n in enumerate(layers)}
    report.issues.sort(key=lambda i: (layer_rank[i.layer], rank[i.kind], -len(i.places), i.text))
    return report


def format_report(report: CheckReport, max_places: int = 10) -> str:
    """The report for people: per layer, per kind, each finding with its places
    (at most ``max_places`` each; the JSON report lists them all)."""
    lines: list[str] = []
    for layer in report.layers:
        issues = [i for i in report.issues if i.layer == layer]
        docs = report.documents.get(layer, 0)
        head = f"{layer_name(layer)}: {docs} document{'s' if docs != 1 else ''} annotated"
        if not issues:
            lines.append(f"{head}, no inconsistencies found")
            continue
        lines.append(f"{head}, {len(issues)} finding{'s' if len(issues) != 1 else ''}")
        for kind in KINDS:
            mine = [i for i in issues if i.kind == kind]
            if not mine:
                continue
            lines.append(f"  {KIND_TITLES[kind]} ({len(mine)})")
            for issue in mine:
                lines.append(f"    {issue.message}")
                doc = None
                for p in issue.places[:max_places]:
                    if p.doc_id != doc:
                        doc = p.doc_id
                        lines.append(f"      {p.doc_id} {_quote(p.title)}" if p.title else f"      {p.doc_id}")
                    label = p.label if p.label is not None else "unlabelled"
                    context = " ".join(f"{p.before[-25:]}[{p.text}]{p.after[:25]}".split())
                    lines.append(f"        {p.start}-{p.end} {label} {_quote(p.text)}  …{context}…")
                if len(issue.places) > max_places:
                    lines.append(f"      … and {len(issue.places) - max_places} more (--json lists every place)")
    if not report.layers:
        lines.append("No annotators in this project yet: nothing to check.")
    return "\n".join(lines)
