"""Agreement: the corpus compared, and what each annotator made of each document.

:func:`load_corpus` reads the annotations of the annotators compared (stored rows,
:class:`~annotator.core.rows.AgreementRow`) and the texts involved in one query
each; a :class:`Corpus` caches the token pieces of each document and each
annotator's :class:`View` of it."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from annotator.core.agreement.coref import clean_clusters
from annotator.core.coref import is_actor_ref, parse_actor_ref
from annotator.core.gcpause import collector_paused
from annotator.core.models import CLAIM_LABEL, GOLD
from annotator.core.rows import AGREEMENT_COLUMNS, AgreementRow, as_agreement_rows
from annotator.core.store import Project
from annotator.core.tokenize import token_ranks, token_spans

#: The category of a token no entity covers.
OUTSIDE = "O"
DOCUMENT_MODES = ("shared", "any")


class AgreementError(ValueError):
    """Agreement cannot be computed as asked; ``str()`` is the user message."""


class TooFewAnnotators(AgreementError):
    """Fewer than two annotators to compare: not a mistake in the input, nothing to
    compute yet. ``str()`` says what is needed and names who was found; the front
    ends add how to get there (merge another annotator's work, or choose more)."""

    def __init__(self, compared: Sequence[str], present: Sequence[str]):
        #: the annotators that were to be compared
        self.compared = list(compared)
        #: every annotator (not gold) who annotated something in the project
        self.present = list(present)
        if set(self.compared) != set(self.present):  # fewer chosen by name than there are
            chosen = f"only {self.compared[0]} was chosen" if self.compared else "none was chosen"
            found = f"{chosen} (the project has {', '.join(self.present) or 'no annotator’s work'})"
        elif self.present:
            found = f"only one has annotated this project: {self.present[0]}"
        else:
            found = "no annotator has annotated this project yet"
        super().__init__(f"Agreement needs at least two annotators; {found}.")

    @property
    def needs_more_work(self) -> bool:
        """Whether the project itself has fewer than two annotators (another one's
        work must be merged in), rather than too few being chosen."""
        return len(self.present) < 2


@dataclass
class Corpus:
    """Annotations of some annotators, grouped by document, with the texts needed."""

    annotators: list[str]
    #: doc id -> annotator -> annotations (all kinds)
    docs: dict[str, dict[str, list[AgreementRow]]]
    texts: dict[str, str]
    titles: dict[str, str] = field(default_factory=dict)
    by_id: dict[str, AgreementRow] = field(default_factory=dict)
    claim_attributes: list[str] = field(default_factory=list)
    #: actor reference (``cluster:<id>``, ``entry:<id>``) -> what it is compared by (see :func:`actor_keys`)
    actors: dict[str, str] = field(default_factory=dict)
    #: doc id -> annotator -> coreference clusters (each a list of span keys, Project.document_span_lists), issue 15
    coref: dict[str, dict[str, list[list[str]]]] = field(default_factory=dict)
    _tokens: dict[tuple[str, tuple[int, ...]], list[int]] = field(default_factory=dict)
    _views: dict[tuple[str, str, str | None], View] = field(default_factory=dict)
    _vectors: dict[tuple[tuple[str, ...], str | None], Counter] = field(default_factory=dict)
    _bounds: dict[tuple[str, str | None], tuple[int, ...]] = field(default_factory=dict)
    _starts: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)
    _segments: dict[tuple[str, str | None], Segments] = field(default_factory=dict)
    #: whitespace-separated chunk -> its token spans, shared by all documents (see token_ranks)
    _chunks: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    def boundaries(self, doc: str, label: str | None) -> tuple[int, ...]:
        """Sorted start and end offsets of every entity span in ``doc`` (cached)."""
        key = (doc, label)
        hit = self._bounds.get(key)
        if hit is None:
            hit = self._bounds[key] = tuple(sorted(_doc_boundaries(self.docs.get(doc, {}), self.annotators, label)))
        return hit

    def token_starts(self, doc: str, boundaries: Iterable[int]) -> list[int]:
        """Start offsets of the document's tokens cut at ``boundaries`` (cached):
        the starts of ``tokenize(text, boundaries)``."""
        key = (doc, tuple(sorted(set(boundaries))))
        hit = self._tokens.get(key)
        if hit is None:
            hit = self._tokens[key] = cut_starts(token_spans(self.texts[doc]), key[1])
        return hit

    def starts(self, doc: str, label: str | None) -> list[int]:
        """Token starts of ``doc`` cut at the entity boundaries of the compared
        annotators (with ``label``: of that label's spans) (cached)."""
        key = (doc, label)
        hit = self._starts.get(key)
        if hit is None:
            hit = self._starts[key] = self.token_starts(doc, self.boundaries(doc, label))
        return hit

    def segments(self, doc: str, label: str | None) -> Segments:
        """The document cut at the entity boundaries of the compared annotators
        (with ``label``: of that label's spans), with the number of tokens in each
        piece (cached). Every span starts and ends at a boundary and no token
        crosses one, so each annotator gives all tokens of a piece one category."""
        key = (doc, label)
        hit = self._segments.get(key)
        if hit is None:
            bounds = self.boundaries(doc, label)
            # tokens starting before each boundary, as bisect_left over self.starts(doc, label)
            at, n_tokens = token_ranks(self.texts[doc], bounds, self._chunks)
            hit = self._segments[key] = Segments(
                {b: k for k, b in enumerate(bounds)}, [y - x for x, y in zip(at, at[1:])], n_tokens
            )
        return hit

    def token_vectors(self, names: tuple[str, ...], label: str | None) -> Counter:
        """``{(token category of each of names, None for one who did not annotate the
        document): number of tokens}`` over all documents (cached). The token counts
        of every pair and of all annotators together are sums over these few
        vectors, so the documents are gone through once, not once per pair."""
        key = (names, label)
        hit = self._vectors.get(key)
        if hit is not None:
            return hit
        out: Counter = Counter()
        for doc_id, doc in self.docs.items():
            cats = [self.view(doc_id, n, label).cats if doc.get(n) else None for n in names]
            worked = [c for c in cats if c is not None]
            if not worked:
                continue
            # per piece of the document: all its tokens have the same categories
            segments = self.segments(doc_id, label)
            counts = segments.counts
            covered = 0
            for i in set().union(*worked):
                out[tuple([None if c is None else c.get(i, OUTSIDE) for c in cats])] += counts[i]
                covered += counts[i]
            out[tuple([None if c is None else OUTSIDE for c in cats])] += segments.tokens - covered
        self._vectors[key] = out
        return out

    def forget_chunks(self) -> None:
        """Drop the tokenizer's memo of text chunks (once every document's pieces are counted)."""
        self._chunks.clear()

    def view(self, doc: str, annotator: str, label: str | None) -> View:
        """What the metrics need of one annotator's work on one document (cached)."""
        key = (doc, annotator, label)
        hit = self._views.get(key)
        if hit is None:
            hit = self._views[key] = _make_view(self, doc, annotator, label)
        return hit


class Segments(NamedTuple):
    """A document cut at sorted span boundaries ``b[0] < b[1] < ...``; piece ``k`` is
    ``[b[k], b[k + 1])``."""

    #: boundary offset -> k
    piece: dict[int, int]
    #: piece k -> number of tokens starting in it
    counts: list[int]
    #: number of tokens of the whole document
    tokens: int


def cut_starts(spans: list[tuple[int, int]], cuts: Sequence[int]) -> list[int]:
    """Token starts after cutting the tokens at every offset in ``cuts`` (sorted)."""
    starts = [s for s, _e in spans]
    if not cuts:
        return starts
    extra = []
    for c in cuts:
        i = bisect_left(starts, c)  # first token starting at or after c
        if i and spans[i - 1][0] < c < spans[i - 1][1]:
            extra.append(c)
    if not extra:
        return starts
    return sorted(starts + extra)


@collector_paused()
def load_corpus(project: Project, annotators: Sequence[str] | None = None) -> Corpus:
    """Read the annotations of ``annotators`` (default: all but the gold layer)."""
    counts = project.annotator_counts()
    present = sorted(set(counts) | project.doc_label_annotators())  # document labels are work too
    known = sorted(set(present) | set(project.annotators(include_gold=True)))
    # by default: everyone who annotated something, except the gold layer
    names = list(annotators) if annotators else [n for n in present if n != GOLD]
    unknown = [n for n in names if n not in known]
    if unknown:
        listed = ", ".join(known) or "none"
        raise AgreementError(f"unknown annotator(s): {', '.join(unknown)} (the project has: {listed})")
    if len(set(names)) != len(names):
        raise AgreementError("an annotator is named twice")
    if len(names) < 2:
        raise TooFewAnnotators(names, [n for n in present if n != GOLD])
    docs: dict[str, dict[str, list[AgreementRow]]] = defaultdict(lambda: defaultdict(list))
    # the annotators' rows are found faster by reading the whole table when they are most of it
    scan = 2 * sum(counts.get(n, 0) for n in names) >= sum(counts.values())
    anns = as_agreement_rows(project.annotation_columns(AGREEMENT_COLUMNS, names, scan=scan))
    for ann in anns:
        docs[ann.doc_id][ann.annotator].append(ann)
    by_id: dict[str, AgreementRow] = {ann.id: ann for ann in anns}
    texts, titles = project.document_texts(list(docs))
    return Corpus(
        annotators=names,
        docs={d: dict(v) for d, v in docs.items()},
        texts=texts,
        titles=titles,
        by_id=by_id,
        claim_attributes=[a.name for a in project.schema.claim.attributes],
        coref=load_coref(project, names),
        actors=actor_keys(project, anns, texts),
    )


def actor_keys(project: Project, anns: Iterable[AgreementRow], texts: dict[str, str]) -> dict[str, str]:
    """What a claimant or argument naming an actor is compared by, across
    annotators (whose cluster ids differ): a name, case-folded with runs of
    spaces made one, as a claimant span's text is: a registry entry's name; for a
    cluster, the name of the registry entry it is linked to, else its canonical
    name, else the text of its first mention.  So a claimant "Randhir Jaiswal"
    (a span) agrees with a claimant naming the cluster or entry of that name."""
    refs = {
        r
        for a in anns
        if a.kind in ("claim", "event")
        for r in ([a.claimant_ref] + [t for _r, t in a.argument_pairs()] if a.kind == "event" else [a.claimant_ref])
        if r and is_actor_ref(r)
    }
    if not refs:
        return {}
    out: dict[str, str] = {}
    wanted = {parsed[1]: ref for ref in refs if (parsed := parse_actor_ref(ref)) is not None and parsed[0] == "cluster"}
    clusters = project.clusters_by_id(wanted)
    spans = project.annotation_rows_by_id({m for c in clusters.values() for m in c.members})
    for ref in refs:
        parsed = parse_actor_ref(ref)
        assert parsed is not None
        what, ident = parsed
        cluster = clusters.get(ident) if what == "cluster" else None
        entry_id = ident if what == "entry" else cluster.entry_id if cluster is not None else None
        entry = project.get_registry_entry(entry_id) if entry_id else None
        if entry is not None:
            out[ref] = _norm(entry.name)
        elif cluster is None:
            out[ref] = f"#{ref}"
        elif cluster.name:
            out[ref] = _norm(cluster.name)
        else:
            firsts = sorted(
                (r.start, r.end)
                for m in cluster.members
                if (r := spans.get(m)) is not None and r.start is not None and r.end is not None
            )
            out[ref] = _norm(texts.get(cluster.doc_id, "")[firsts[0][0] : firsts[0][1]]) if firsts else f"#{ref}"
    return out


def load_coref(project: Project, names: Sequence[str]) -> dict[str, dict[str, list[list[str]]]]:
    """doc id -> annotator -> clusters of ``names`` (mentions as span keys, each
    span in the first cluster that has it: see :mod:`annotator.core.agreement.coref`)."""
    if not project.has_clusters():
        return {}
    out: dict[str, dict[str, list[list[str]]]] = {}
    for doc_id, annotator, lists in project.document_span_lists(names):
        by = out.get(doc_id)
        if by is None:
            by = out[doc_id] = {}
        by[annotator] = [c.split(",") for c in lists.split(";")]
    for by in out.values():
        for annotator, clusters in by.items():
            n = 0
            for c in clusters:
                n += len(c)
            if len(set().union(*clusters)) != n:
                by[annotator] = clean_clusters(clusters)  # type: ignore[assignment]
    return out


_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


# ---------------------------------------------------------------------------
# Per-annotator views of a document
# ---------------------------------------------------------------------------
def _spans(anns: Iterable[AgreementRow], kind: str, label: str | None) -> list[AgreementRow]:
    return [x for x in anns if x.kind == kind and (label is None or x.label == label)]


def span_key(x: AgreementRow) -> tuple:
    """What two annotators' spans must share to match exactly: ``(start, end)``,
    or for a discontinuous span ``(start, end, fragments)`` (issue 14), so that the
    same set of fragments matches and a one-piece span never matches a
    discontinuous one, even with the same hull."""
    if x.fragments is None:
        return (x.start, x.end)
    return (x.start, x.end, tuple((s, e) for s, e in x.pieces()))


def _filler(corpus: Corpus, target: str) -> tuple:
    if target in corpus.actors:
        return ("actor", corpus.actors[target])
    t = corpus.by_id.get(target)
    if t is None or t.start is None:
        return ("id", target)
    return span_key(t)


def _claimant(corpus: Corpus, ann: AgreementRow) -> str | None:
    if ann.claimant_ref:
        if ann.claimant_ref in corpus.actors:
            return corpus.actors[ann.claimant_ref]
        t = corpus.by_id.get(ann.claimant_ref)
        if t is not None and t.start is not None:
            text = corpus.texts[t.doc_id]
            return _norm(" ".join(text[s:e] for s, e in t.pieces()))
        return f"#{ann.claimant_ref}"
    if ann.claimant_text:
        return _norm(ann.claimant_text)
    return None


def _token_categories(segments: Segments, ents: Iterable[AgreementRow]) -> dict[int, str]:
    """Piece of the document (see :class:`Segments`) -> the category of its
    tokens: the labels covering them, sorted and joined by ``+`` (pieces without
    tokens, and uncovered ones, category ``O``, are left out)."""
    cover: dict[int, str] = {}
    index, counts = segments.piece, segments.counts
    for e in ents:
        lab = e.label
        if e.fragments is None:
            pieces = range(index[e.start], index[e.end])  # type: ignore[index]
        else:  # a discontinuous span: the tokens of its fragments, not those between them
            pieces = [i for fs, fe in e.pieces() for i in range(index[fs], index[fe])]  # type: ignore[assignment]
        for i in pieces:
            if not counts[i]:
                continue
            old = cover.get(i)
            if old is None:
                cover[i] = lab
            elif old != lab:
                labels = old.split("+")
                if lab not in labels:
                    cover[i] = "+".join(sorted([*labels, lab]))
    return cover


@cache
def labels_of(category: str) -> frozenset[str]:
    return frozenset() if category == OUTSIDE else frozenset(category.split("+"))


#: (span key (:func:`span_key`), claimant, attributes)
Claim = tuple[tuple, str | None, dict[str, Any]]


class View(NamedTuple):
    """One annotator's annotations of one document, prepared for comparison."""

    #: entity label -> span keys (:func:`span_key`)
    ents: dict[str, list[tuple]]
    #: every entity as (start, end, label[, fragments]), or None when one occurs twice
    ent_set: set[tuple] | None
    #: piece of the document (:class:`Segments`) -> category of its tokens
    cats: dict[int, str]
    #: (start, end, type[, fragments]) -> argument lists [(role, filler)] of the events with that trigger
    events: dict[tuple, list[list[tuple[str, tuple]]]]
    #: arguments per event type and per role
    args_by_type: Counter
    args_by_role: Counter
    #: (span, claimant, attributes) of each claim
    claims: list[Claim]
    #: (start, end, label) -> the knowledge-base link sets ``{(resource, id)}`` of the
    #: entities there, in the order they were made; empty when no entity of the
    #: view has a link (then every one has none)
    links: dict[tuple[int, int, str], list[frozenset[tuple[str, str]]]]


def _make_view(corpus: Corpus, doc_id: str, annotator: str, label: str | None) -> View:
    anns = corpus.docs.get(doc_id, {}).get(annotator, [])
    ents: dict[str, list[tuple]] = {}
    events: dict[tuple, list[list[tuple[str, tuple]]]] = {}
    by_type: Counter = Counter()
    by_role: Counter = Counter()
    claims: list[Claim] = []
    chosen: list[AgreementRow] = []
    linked = False
    for x in anns:
        if label is not None and x.label != label:
            continue
        if x.kind == "entity":
            ents.setdefault(x.label, []).append((x.start, x.end) if x.fragments is None else span_key(x))
            chosen.append(x)
            linked = linked or x.links != "[]"
        elif x.kind == "event":
            args = [(r, _filler(corpus, t)) for r, t in x.argument_pairs()]
            key = (x.start, x.end, x.label) if x.fragments is None else (x.start, x.end, x.label, span_key(x)[2])
            events.setdefault(key, []).append(args)
            by_type[x.label] += len(args)
            for r, _f in args:
                by_role[r] += 1
        elif x.kind == "claim" and (label is None or label == CLAIM_LABEL):
            claims.append((span_key(x), _claimant(corpus, x), x.attribute_values()))
    ent_set: set[tuple] | None = {
        (x.start, x.end, x.label) if x.fragments is None else (x.start, x.end, x.label, span_key(x)[2]) for x in chosen
    }
    if len(ent_set) != len(chosen):  # type: ignore[arg-type]
        ent_set = None
    links: dict[tuple[int, int, str], list[frozenset[tuple[str, str]]]] = {}
    if linked:
        for x in chosen:
            keys = frozenset((d["resource"], d["id"]) for d in x.link_list())
            links.setdefault((x.start, x.end, x.label), []).append(keys)  # type: ignore[arg-type]
    cats = _token_categories(corpus.segments(doc_id, label), chosen)
    return View(ents, ent_set, cats, events, by_type, by_role, claims, links)


def _doc_boundaries(doc: dict[str, list[AgreementRow]], names: Iterable[str], label: str | None) -> set[int]:
    out: set[int] = set()
    for n in names:
        for e in _spans(doc.get(n, ()), "entity", label):
            if e.fragments is not None:  # every fragment's edges (issue 14)
                for s, t in e.pieces():
                    out.add(s)
                    out.add(t)
            elif e.start is not None and e.end is not None:  # always, for an entity
                out.add(e.start)
                out.add(e.end)
    return out
