"""Inter-annotator agreement: span F1, token-level kappa, Krippendorff's alpha,
event trigger/argument F1, claim span/claimant/attribute agreement.

The definitions (what is a match, which documents count) are in
``docs/agreement.md``; this module follows them exactly. In short:

- Pairwise metrics treat annotator *a* as reference and *b* as response:
  precision = matched / |b|, recall = matched / |a|, F1 = 2 matched / (|a| + |b|);
  F1 is symmetric. A value that divides by zero is ``None`` (undefined).
- Matches are one-to-one. *Exact*: same document, start, end and label.
  *Overlap*: same document and label and at least one shared character; the
  number of matches is a maximum bipartite matching, so F1 never exceeds 1.
- Token metrics use :func:`annotator.core.tokenize.tokenize`, cut at every span
  boundary of the annotators compared so that no token straddles a span. A
  token's category is the set of entity labels covering it (``O`` if none).
- Documents: with ``documents="shared"`` (the default) a document counts for a
  pair when both annotators made at least one annotation (of any kind) in it,
  and in Krippendorff's alpha an annotator's values exist only for documents
  they annotated. With ``documents="any"`` a document counts when at least one
  annotator annotated it; the others count as having marked nothing.

Everything is computed from one query over the annotations and the texts of
the documents involved; no annotation is validated twice.

How it stays fast (the results are those of the definitions, token by token;
``tests/core/test_agreement_fast.py`` checks that on random corpora):

- Tokens are never built. The span boundaries cut a document into pieces whose
  tokens all have the same categories for every annotator; only the number of
  tokens in each piece is needed (:func:`annotator.core.tokenize.token_ranks`).
- The token counts of all pairs and of Krippendorff's alpha are sums over one
  count of per-piece category vectors, made in a single pass over the documents.
- The cyclic garbage collector is paused while a corpus is read and compared.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import combinations
from typing import Any, NamedTuple


from annotator.core.gcpause import collector_paused
from annotator.core.models import CLAIM_LABEL, GOLD
from annotator.core.store import Project
from annotator.core.tokenize import token_ranks, token_spans

__all__ = [
    "AgreementError",
    "Corpus",
    "load_corpus",
    "agreement",
    "compute",
    "cohen_kappa",
    "krippendorff_alpha_nominal",
    "prf",
    "max_overlap_matching",
    "document_disagreement",
    "pair_disagreement",
    "format_report",
]

#: The category of a token no entity covers.
OUTSIDE = "O"
DOCUMENT_MODES = ("shared", "any")


class AgreementError(ValueError):
    """Agreement cannot be computed as asked; ``str()`` is the user message."""


class Ann(NamedTuple):
    """An annotation as the metrics need it (no validation, JSON parsed lazily)."""

    id: str
    doc: str
    annotator: str
    kind: str
    label: str
    start: int | None
    end: int | None
    attributes: str
    arguments: str
    claimant_ref: str | None
    claimant_text: str | None


@dataclass
class Corpus:
    """Annotations of some annotators, grouped by document, with the texts needed."""

    annotators: list[str]
    #: doc id -> annotator -> annotations (all kinds)
    docs: dict[str, dict[str, list[Ann]]]
    texts: dict[str, str]
    titles: dict[str, str] = field(default_factory=dict)
    by_id: dict[str, Ann] = field(default_factory=dict)
    claim_attributes: list[str] = field(default_factory=list)
    _tokens: dict[tuple[str, tuple[int, ...]], list[int]] = field(default_factory=dict)
    _views: dict[tuple[str, str, str | None], "_View"] = field(default_factory=dict)
    _vectors: dict[tuple[tuple[str, ...], str | None], Counter] = field(default_factory=dict)
    _bounds: dict[tuple[str, str | None], tuple[int, ...]] = field(default_factory=dict)
    _starts: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)
    _segments: dict[tuple[str, str | None], "_Segments"] = field(default_factory=dict)
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
            hit = self._tokens[key] = _cut_starts(_token_spans(self.texts[doc]), key[1])
        return hit

    def starts(self, doc: str, label: str | None) -> list[int]:
        """Token starts of ``doc`` cut at the entity boundaries of the compared
        annotators (with ``label``: of that label's spans) (cached)."""
        key = (doc, label)
        hit = self._starts.get(key)
        if hit is None:
            hit = self._starts[key] = self.token_starts(doc, self.boundaries(doc, label))
        return hit

    def segments(self, doc: str, label: str | None) -> "_Segments":
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
            hit = self._segments[key] = _Segments(
                {b: k for k, b in enumerate(bounds)}, [y - x for x, y in zip(at, at[1:])], n_tokens
            )
        return hit

    def view(self, doc: str, annotator: str, label: str | None) -> "_View":
        """What the metrics need of one annotator's work on one document (cached)."""
        key = (doc, annotator, label)
        hit = self._views.get(key)
        if hit is None:
            hit = self._views[key] = _make_view(self, doc, annotator, label)
        return hit


class _Segments(NamedTuple):
    """A document cut at sorted span boundaries ``b[0] < b[1] < ...``; piece ``k`` is
    ``[b[k], b[k + 1])``."""

    #: boundary offset -> k
    index: dict[int, int]
    #: piece k -> number of tokens starting in it
    counts: list[int]
    #: number of tokens of the whole document
    tokens: int


#: ``(start, end)`` of ``tokenize(text)`` before any cuts (the tokenizer's own fast path;
#: :func:`_cut_starts` adds the cuts at boundaries).
_token_spans = token_spans


def _cut_starts(spans: list[tuple[int, int]], cuts: Sequence[int]) -> list[int]:
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
    present = sorted(counts)
    known = sorted(set(present) | set(project.annotators(include_gold=True)))
    # by default: everyone who annotated something, except the gold layer
    names = list(annotators) if annotators else [n for n in present if n != GOLD]
    unknown = [n for n in names if n not in known]
    if unknown:
        listed = ", ".join(known) or "none"
        raise AgreementError(f"unknown annotator(s): {', '.join(unknown)} (the project has: {listed})")
    if len(set(names)) != len(names):
        raise AgreementError("an annotator is named twice")
    docs: dict[str, dict[str, list[Ann]]] = defaultdict(lambda: defaultdict(list))
    # the annotators' rows are found faster by reading the whole table when they are most of it
    scan = 2 * sum(counts.get(n, 0) for n in names) >= sum(counts.values())
    # tuple.__new__ skips the NamedTuple's Python-level constructor (Ann._make)
    anns = list(map(partial(tuple.__new__, Ann), project.annotation_rows(names, scan=scan)))
    for ann in anns:
        docs[ann.doc][ann.annotator].append(ann)
    by_id: dict[str, Ann] = {ann.id: ann for ann in anns}
    texts, titles = project.document_texts(list(docs))
    return Corpus(
        annotators=names,
        docs={d: dict(v) for d, v in docs.items()},
        texts=texts,
        titles=titles,
        by_id=by_id,
        claim_attributes=[a.name for a in project.schema.claim.attributes],
    )


# ---------------------------------------------------------------------------
# Generic statistics
# ---------------------------------------------------------------------------
def _div(a: float, b: float) -> float | None:
    return a / b if b else None


def prf(tp: int, n_a: int, n_b: int) -> dict[str, Any]:
    """Precision, recall, F1 of response ``b`` against reference ``a``, with counts."""
    return {
        "precision": _div(tp, n_b),
        "recall": _div(tp, n_a),
        "f1": _div(2 * tp, n_a + n_b),
        "matched": tp,
        "a": n_a,
        "b": n_b,
    }


def cohen_kappa(confusion: dict[tuple[Any, Any], int]) -> float | None:
    """Cohen's kappa from counts of (category of a, category of b) pairs.

    ``None`` when undefined (no items, or expected agreement 1: both annotators
    used one and the same category throughout).
    """
    n = sum(confusion.values())
    if not n:
        return None
    agree = 0
    row: Counter = Counter()
    col: Counter = Counter()
    for (ca, cb), k in confusion.items():
        row[ca] += k
        col[cb] += k
        if ca == cb:
            agree += k
    expected = sum(row[c] * col[c] for c in row) / (n * n)
    if expected >= 1.0:
        return None
    return (agree / n - expected) / (1 - expected)


def _unit_order(item: tuple[tuple, int]) -> str:
    return repr(item[0])


def _coincidences(units: dict[tuple, int]) -> tuple[Counter, Counter]:
    """Krippendorff coincidence matrix from ``{sorted values of a unit: count}``.

    The units are taken in a fixed order (not the mapping's), so the float sums
    do not depend on the order in which the units were counted."""
    o: Counter = Counter()
    for values, times in sorted(units.items(), key=_unit_order):
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nk - 1) if c == k else nc * nk
                if pairs:
                    o[(c, k)] += times * pairs / (m - 1)
    n_c: Counter = Counter()
    for (c, _k), v in o.items():
        n_c[c] += v
    return o, n_c


def krippendorff_alpha_nominal(units: dict[tuple, int] | Iterable[Sequence[Any]]) -> float | None:
    """Krippendorff's alpha, nominal, over units of values (missing values left out).

    ``units`` is either an iterable of value sequences (one per unit) or a
    ``{tuple of values: number of such units}`` mapping. Units with fewer than
    two values are not pairable and do not count. ``None`` when undefined (no
    pairable values, or a single category in all of them).
    """
    if not isinstance(units, dict):
        grouped: Counter = Counter()
        for u in units:
            grouped[tuple(sorted(u, key=repr))] += 1
        units = grouped
    o, n_c = _coincidences(units)
    n = sum(n_c.values())
    if n <= 1:
        return None
    disagree = sum(v for (c, k), v in o.items() if c != k)
    expected = n * n - sum(v * v for v in n_c.values())  # sum over c != k of n_c n_k
    if expected <= 0:
        return None
    return 1.0 - (n - 1) * disagree / expected


def max_overlap_matching(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Size of a maximum one-to-one matching between spans of ``a`` and ``b``
    where two spans may be matched when they share at least one character."""
    if not a or not b:
        return 0
    if len(a) == 1 or len(b) == 1:  # one span on one side: it matches one overlapping span, if any
        one, other = (a[0], b) if len(a) == 1 else (b[0], a)
        s1, e1 = one
        return 1 if any(s1 < e2 and s2 < e1 for s2, e2 in other) else 0
    adj = [[j for j, (s2, e2) in enumerate(b) if s1 < e2 and s2 < e1] for (s1, e1) in a]
    edges = sum(len(x) for x in adj)
    if edges == len({j for x in adj for j in x}) and all(len(x) <= 1 for x in adj):
        return edges  # no span overlaps two others: every overlapping pair is a match
    match_b: list[int] = [-1] * len(b)

    def augment(i: int, seen: list[bool]) -> bool:
        for j in adj[i]:
            if not seen[j]:
                seen[j] = True
                if match_b[j] == -1 or augment(match_b[j], seen):
                    match_b[j] = i
                    return True
        return False

    # Kuhn's augmenting paths: exact maximum (matching equal spans first would not be).
    return sum(1 for i in range(len(a)) if adj[i] and augment(i, [False] * len(b)))


def _multiset_matches(a: Sequence[Any], b: Sequence[Any]) -> int:
    if len(a) == 1:  # (the usual: one claim each)
        return 1 if a[0] in b else 0
    if len(b) == 1:
        return 1 if b[0] in a else 0
    ca, cb = Counter(a), Counter(b)
    return sum(min(v, cb[k]) for k, v in ca.items())


_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


# ---------------------------------------------------------------------------
# Per-annotator views of a document
# ---------------------------------------------------------------------------
def _spans(anns: Iterable[Ann], kind: str, label: str | None) -> list[Ann]:
    return [x for x in anns if x.kind == kind and (label is None or x.label == label)]


def _arguments(ann: Ann) -> list[tuple[str, str]]:
    return [(a["role"], a["target"]) for a in json.loads(ann.arguments)] if ann.arguments not in ("", "[]") else []


def _attributes(ann: Ann) -> dict[str, Any]:
    return json.loads(ann.attributes) if ann.attributes not in ("", "{}") else {}


def _filler(corpus: Corpus, target: str) -> tuple:
    t = corpus.by_id.get(target)
    if t is None or t.start is None:
        return ("id", target)
    return (t.start, t.end)


def _claimant(corpus: Corpus, ann: Ann) -> str | None:
    if ann.claimant_ref:
        t = corpus.by_id.get(ann.claimant_ref)
        if t is not None and t.start is not None:
            return _norm(corpus.texts[t.doc][t.start : t.end])
        return f"#{ann.claimant_ref}"
    if ann.claimant_text:
        return _norm(ann.claimant_text)
    return None


def _token_categories(segments: _Segments, ents: Iterable[Ann]) -> dict[int, str]:
    """Piece of the document (see :class:`_Segments`) -> the category of its
    tokens: the labels covering them, sorted and joined by ``+`` (pieces without
    tokens, and uncovered ones, category ``O``, are left out)."""
    cover: dict[int, str] = {}
    index, counts = segments.index, segments.counts
    for e in ents:
        lab = e.label
        for i in range(index[e.start], index[e.end]):  # type: ignore[index]
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
def _labels_of(category: str) -> frozenset[str]:
    return frozenset() if category == OUTSIDE else frozenset(category.split("+"))


_Claim = tuple[tuple[int, int], str | None, dict[str, Any]]


class _View(NamedTuple):
    """One annotator's annotations of one document, prepared for comparison."""

    #: entity label -> spans
    ents: dict[str, list[tuple[int, int]]]
    #: every entity as (start, end, label), or None when one occurs twice
    ent_set: set[tuple[int, int, str]] | None
    #: piece of the document (:class:`_Segments`) -> category of its tokens
    cats: dict[int, str]
    #: (start, end, type) -> argument lists [(role, filler)] of the events with that trigger
    events: dict[tuple[int, int, str], list[list[tuple[str, tuple]]]]
    #: arguments per event type and per role
    args_by_type: Counter
    args_by_role: Counter
    #: (span, claimant, attributes) of each claim
    claims: list["_Claim"]


def _make_view(corpus: Corpus, doc_id: str, annotator: str, label: str | None) -> _View:
    anns = corpus.docs.get(doc_id, {}).get(annotator, [])
    ents: dict[str, list[tuple[int, int]]] = {}
    events: dict[tuple[int, int, str], list[list[tuple[str, tuple]]]] = {}
    by_type: Counter = Counter()
    by_role: Counter = Counter()
    claims: list[_Claim] = []
    chosen: list[Ann] = []
    for x in anns:
        if label is not None and x.label != label:
            continue
        if x.kind == "entity":
            ents.setdefault(x.label, []).append((x.start, x.end))  # type: ignore[arg-type]
            chosen.append(x)
        elif x.kind == "event":
            args = [(r, _filler(corpus, t)) for r, t in _arguments(x)]
            events.setdefault((x.start, x.end, x.label), []).append(args)  # type: ignore[arg-type]
            by_type[x.label] += len(args)
            for r, _f in args:
                by_role[r] += 1
        elif x.kind == "claim" and (label is None or label == CLAIM_LABEL):
            claims.append(((x.start, x.end), _claimant(corpus, x), _attributes(x)))  # type: ignore[arg-type]
    ent_set: set[tuple[int, int, str]] | None = {(x.start, x.end, x.label) for x in chosen}  # type: ignore[misc]
    if len(ent_set) != len(chosen):  # type: ignore[arg-type]
        ent_set = None
    return _View(ents, ent_set, _token_categories(corpus.segments(doc_id, label), chosen), events, by_type, by_role, claims)


# ---------------------------------------------------------------------------
# Accumulators
# ---------------------------------------------------------------------------
class _Counts:
    """Per key: [matched, size of a, size of b]."""

    def __init__(self) -> None:
        self.d: dict[str, list[int]] = {}

    def add(self, key: str, tp: int, a: int, b: int) -> None:
        c = self.d.get(key)
        if c is None:
            self.d[key] = [tp, a, b]
        else:
            c[0] += tp
            c[1] += a
            c[2] += b

    def total(self) -> dict[str, Any]:
        return prf(*(sum(c[i] for c in self.d.values()) for i in range(3)))

    def add_sizes(self, sizes: dict[str, int], side: int) -> None:
        """Add ``{key: n}`` to the sizes of a (``side`` 1) or of b (``side`` 2)."""
        d = self.d
        for key, n in sizes.items():
            c = d.get(key)
            if c is None:
                c = d[key] = [0, 0, 0]
            c[side] += n

    def one(self, key: str) -> dict[str, Any]:
        return prf(*self.d.get(key, (0, 0, 0)))

    def keys(self) -> set[str]:
        return set(self.d)


@dataclass
class _PairState:
    documents: int = 0
    only_a: int = 0
    only_b: int = 0
    #: entity label -> [exact matches, overlap matches, size of a, size of b]
    ents: dict[str, list[int]] = field(default_factory=dict)
    tokens: Counter = field(default_factory=Counter)  # (category of a, category of b) -> n
    triggers: _Counts = field(default_factory=_Counts)
    args_by_type: _Counts = field(default_factory=_Counts)
    args_by_role: _Counts = field(default_factory=_Counts)
    claims: _Counts = field(default_factory=_Counts)
    claims_overlap: _Counts = field(default_factory=_Counts)
    claimant: list[tuple[Any, Any]] = field(default_factory=list)
    attributes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    per_doc: dict[str, int] = field(default_factory=dict)


def _doc_boundaries(doc: dict[str, list[Ann]], names: Iterable[str], label: str | None) -> set[int]:
    out: set[int] = set()
    for n in names:
        for e in _spans(doc.get(n, ()), "entity", label):
            out.add(e.start)
            out.add(e.end)
    return out


def _pair_document(corpus: Corpus, st: _PairState, doc_id: str, a: str, b: str, label: str | None) -> None:
    va, vb = corpus.view(doc_id, a, label), corpus.view(doc_id, b, label)
    disagreements = 0
    # -- entities -------------------------------------------------------------
    ents = st.ents
    ents_a, ents_b = va.ents, vb.ents
    if va.ent_set is not None and vb.ent_set is not None:  # no span twice: one set intersection
        exact: dict[str, int] = {}
        for _s, _e, lab in va.ent_set & vb.ent_set:
            exact[lab] = exact.get(lab, 0) + 1
    else:
        exact = {lab: _multiset_matches(ents_a[lab], ents_b[lab]) for lab in ents_a.keys() & ents_b.keys()}
    for lab in ents_a.keys() | ents_b.keys():
        sa, sb = ents_a.get(lab, ()), ents_b.get(lab, ())
        na, nb = len(sa), len(sb)
        tp = exact.get(lab, 0)
        # an overlap matching is never smaller than the exact one, nor larger than min(na, nb)
        ov = tp if tp == min(na, nb) else max_overlap_matching(sa, sb)
        c = ents.get(lab)
        if c is None:
            ents[lab] = [tp, ov, na, nb]
        else:
            c[0] += tp
            c[1] += ov
            c[2] += na
            c[3] += nb
        disagreements += na + nb - 2 * tp
    # (tokens: counted for all pairs at once, see _token_vectors)
    # -- events ---------------------------------------------------------------
    st.args_by_type.add_sizes(va.args_by_type, 1)
    st.args_by_type.add_sizes(vb.args_by_type, 2)
    st.args_by_role.add_sizes(va.args_by_role, 1)
    st.args_by_role.add_sizes(vb.args_by_role, 2)
    for key in va.events.keys() | vb.events.keys():
        ga, gb = va.events.get(key, ()), vb.events.get(key, ())
        st.triggers.add(key[2], min(len(ga), len(gb)), len(ga), len(gb))
        disagreements += abs(len(ga) - len(gb))
        for args_a, args_b in zip(ga, gb):  # matched triggers, in the order they were made
            if args_a == args_b:  # every argument matches
                if args_a:
                    st.args_by_type.add(key[2], len(args_a), 0, 0)
                    for role, _f in args_a:
                        st.args_by_role.add(role, 1, 0, 0)
                continue
            common = Counter(args_a) & Counter(args_b)
            for (role, _f), n in common.items():
                st.args_by_type.add(key[2], n, 0, 0)
                st.args_by_role.add(role, n, 0, 0)
            disagreements += len(args_a) + len(args_b) - 2 * sum(common.values())
    # -- claims -------------------------------------------------------------
    if va.claims or vb.claims:
        cl_a, cl_b = va.claims, vb.claims
        spans_a = [c[0] for c in cl_a]
        spans_b = [c[0] for c in cl_b]
        tp = _multiset_matches(spans_a, spans_b)
        ov = tp if tp == min(len(cl_a), len(cl_b)) else max_overlap_matching(spans_a, spans_b)
        st.claims.add(CLAIM_LABEL, tp, len(cl_a), len(cl_b))
        st.claims_overlap.add(CLAIM_LABEL, ov, len(cl_a), len(cl_b))
        disagreements += len(cl_a) + len(cl_b) - 2 * tp
        pool: dict[tuple[int, int], list[_Claim]] = {}
        for c in cl_b:
            pool.setdefault(c[0], []).append(c)
        for span, pa, attrs_a in cl_a:
            candidates = pool.get(span)
            if not candidates:
                continue
            _span, pb, attrs_b = candidates.pop(0)
            st.claimant.append((pa, pb))
            disagreements += pa != pb
            for name in _attribute_names(corpus, attrs_a, attrs_b):
                x, y = attrs_a.get(name), attrs_b.get(name)
                st.attributes[name][(_value(x), _value(y))] += 1
                disagreements += x != y
    st.per_doc[doc_id] = disagreements


def _attribute_names(corpus: Corpus, *dicts: dict[str, Any]) -> list[str]:
    names = list(corpus.claim_attributes)
    for d in dicts:
        names += [k for k in d if k not in names]
    return names


def _value(v: Any) -> str:
    if v is None:
        return "(unset)"
    return v if isinstance(v, str) else json.dumps(v, sort_keys=True)


def _worked(corpus: Corpus, doc_id: str, name: str) -> bool:
    return bool(corpus.docs.get(doc_id, {}).get(name))


def _pair_documents(corpus: Corpus, a: str, b: str, documents: str) -> tuple[list[str], int, int]:
    shared, only_a, only_b = [], 0, 0
    for doc_id in corpus.docs:
        wa, wb = _worked(corpus, doc_id, a), _worked(corpus, doc_id, b)
        if wa and wb:
            shared.append(doc_id)
        elif wa:
            only_a += 1
            if documents == "any":
                shared.append(doc_id)
        elif wb:
            only_b += 1
            if documents == "any":
                shared.append(doc_id)
    return shared, only_a, only_b


def _token_vectors(corpus: Corpus, names: tuple[str, ...], label: str | None) -> Counter:
    """``{(token category of each of names, None for one who did not annotate the
    document): number of tokens}`` over all documents (cached). The token counts
    of every pair and of all annotators together are sums over these few
    vectors, so the documents are gone through once, not once per pair."""
    key = (names, label)
    hit = corpus._vectors.get(key)
    if hit is not None:
        return hit
    out: Counter = Counter()
    for doc_id, doc in corpus.docs.items():
        cats = [corpus.view(doc_id, n, label).cats if doc.get(n) else None for n in names]
        worked = [c for c in cats if c is not None]
        if not worked:
            continue
        # per piece of the document: all its tokens have the same categories
        segments = corpus.segments(doc_id, label)
        counts = segments.counts
        covered = 0
        for i in set().union(*worked):
            out[tuple([None if c is None else c.get(i, OUTSIDE) for c in cats])] += counts[i]
            covered += counts[i]
        out[tuple([None if c is None else OUTSIDE for c in cats])] += segments.tokens - covered
    corpus._vectors[key] = out
    return out


def _pair_tokens(vectors: Counter, i: int, j: int, documents: str) -> Counter:
    """``{(category of annotator i, of annotator j): number of tokens}`` over the
    documents that count for the pair."""
    tokens: Counter = Counter()
    for vec, n in vectors.items():
        x, y = vec[i], vec[j]
        if x is None or y is None:
            if documents != "any" or (x is None and y is None):
                continue
            x, y = (OUTSIDE if x is None else x), (OUTSIDE if y is None else y)
        tokens[(x, y)] += n
    return tokens


def _token_alpha_units(corpus: Corpus, names: Sequence[str], label: str | None, documents: str) -> dict[tuple, int]:
    """``{sorted token categories of the annotators present: number of tokens}``."""
    units: Counter = Counter()
    for vec, n in _token_vectors(corpus, tuple(names), label).items():
        if documents == "any":
            values = [OUTSIDE if v is None else v for v in vec]
        else:
            values = [v for v in vec if v is not None]
        if len(values) < 2:
            continue
        values.sort()
        units[tuple(values)] += n
    return units


def _binary_units(units: dict[tuple, int], labels: Iterable[str]) -> dict[str, dict[tuple, int]]:
    """For each label, the units with every value replaced by "has that label":
    ``{label: {(True, ..., False, ...): number of units}}``, in one pass."""
    wanted = set(labels)
    by_m: Counter = Counter()  # units of m values
    hits: dict[str, Counter] = {lab: Counter() for lab in wanted}  # (m, k values with the label) -> n
    for values, n in units.items():
        m = len(values)
        by_m[m] += n
        counts: Counter = Counter()
        for v in values:
            if v != OUTSIDE:
                counts.update(_labels_of(v) & wanted)
        for lab, k in counts.items():
            hits[lab][(m, k)] += n
    out: dict[str, dict[tuple, int]] = {}
    for lab in wanted:
        table: dict[tuple, int] = {}
        rest = Counter(by_m)
        for (m, k), n in hits[lab].items():
            table[(True,) * k + (False,) * (m - k)] = n
            rest[m] -= n
        for m, n in rest.items():
            if n:
                table[(False,) * m] = table.get((False,) * m, 0) + n
        out[lab] = table
    return out


def _binary_confusions(tokens: dict[tuple[str, str], int], labels: Iterable[str]) -> dict[str, dict[tuple, int]]:
    """For each label, the 2x2 confusion counts of "has that label" (one pass)."""
    wanted = set(labels)
    total = sum(tokens.values())
    out: dict[str, Counter] = {lab: Counter() for lab in wanted}
    for (ca, cb), n in tokens.items():
        la, lb = _labels_of(ca) & wanted, _labels_of(cb) & wanted
        for lab in la | lb:
            out[lab][(lab in la, lab in lb)] += n
    for lab, c in out.items():
        c[(False, False)] = total - sum(c.values())
    return dict(out)


def _alpha_report(units: dict[tuple, int], labels: Iterable[str]) -> dict[str, Any]:
    pairable = sum(n for v, n in units.items() if len(v) >= 2)
    return {
        "alpha": krippendorff_alpha_nominal(units),
        "tokens": pairable,
        "per_label": {lab: krippendorff_alpha_nominal(b) for lab, b in sorted(_binary_units(units, labels).items())},
    }


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------
def _pair_report(corpus: Corpus, a: str, b: str, label: str | None, documents: str) -> tuple[dict[str, Any], dict[str, int]]:
    st = _PairState()
    docs, st.only_a, st.only_b = _pair_documents(corpus, a, b, documents)
    st.documents = len(docs)
    for doc_id in docs:
        _pair_document(corpus, st, doc_id, a, b, label)
    names = tuple(corpus.annotators)
    if a not in names or b not in names:
        names = (a, b)
    st.tokens = _pair_tokens(_token_vectors(corpus, names, label), names.index(a), names.index(b), documents)
    entity_labels = set(st.ents) | {lab for pair in st.tokens for c in pair for lab in _labels_of(c)}
    exact_counts, overlap_counts = _Counts(), _Counts()
    for lab, (tp, ov, na, nb) in st.ents.items():
        exact_counts.add(lab, tp, na, nb)
        overlap_counts.add(lab, ov, na, nb)
    units: Counter = Counter()
    for (ca, cb), n in st.tokens.items():
        units[(ca, cb) if ca <= cb else (cb, ca)] += n
    exact, overlap = exact_counts.total(), overlap_counts.total()
    triggers = st.triggers.total()
    args = st.args_by_type.total()
    claims, claims_overlap = st.claims.total(), st.claims_overlap.total()
    claimant_agree = sum(1 for x, y in st.claimant if x == y)
    attributes = {
        name: {
            "percent": _div(sum(n for (x, y), n in conf.items() if x == y), sum(conf.values())),
            "kappa": cohen_kappa(conf),
            "pairs": sum(conf.values()),
        }
        for name, conf in st.attributes.items()
    }
    per_label: dict[str, dict[str, Any]] = {}
    binary_tokens = _binary_confusions(st.tokens, entity_labels)
    binary_units = _binary_units(units, entity_labels)
    for lab in sorted(entity_labels):
        ex, ov = exact_counts.one(lab), overlap_counts.one(lab)
        per_label[lab] = {
            "kind": "entity",
            "a": ex["a"],
            "b": ex["b"],
            "entity_f1_exact": ex["f1"],
            "entity_f1_overlap": ov["f1"],
            "token_kappa": cohen_kappa(binary_tokens[lab]),
            "krippendorff_alpha": krippendorff_alpha_nominal(binary_units[lab]),
            "exact": ex,
            "overlap": ov,
        }
    for lab in sorted(st.triggers.keys() | st.args_by_type.keys()):
        tr, ar = st.triggers.one(lab), st.args_by_type.one(lab)
        per_label[lab if lab not in per_label else f"{lab} (event)"] = {
            "kind": "event",
            "a": tr["a"],
            "b": tr["b"],
            "trigger_f1": tr["f1"],
            "argument_f1": ar["f1"],
            "trigger": tr,
            "argument": ar,
        }
    if claims["a"] or claims["b"]:
        per_label[CLAIM_LABEL] = {
            "kind": "claim",
            "a": claims["a"],
            "b": claims["b"],
            "claim_f1_exact": claims["f1"],
            "claim_f1_overlap": claims_overlap["f1"],
            "claimant_agreement": _div(claimant_agree, len(st.claimant)),
        }
    report = {
        "a": a,
        "b": b,
        "documents": st.documents,
        "documents_only_a": st.only_a,
        "documents_only_b": st.only_b,
        "tokens": sum(st.tokens.values()),
        "entity_f1_exact": exact["f1"],
        "entity_f1_overlap": overlap["f1"],
        "token_kappa": cohen_kappa(st.tokens),
        "krippendorff_alpha": krippendorff_alpha_nominal(units),
        "trigger_f1": triggers["f1"],
        "argument_f1": args["f1"],
        "claim_f1_exact": claims["f1"],
        "claim_f1_overlap": claims_overlap["f1"],
        "claimant_agreement": _div(claimant_agree, len(st.claimant)),
        "claim_attribute_agreement": {k: v["percent"] for k, v in attributes.items()},
        "claim_attribute_kappa": {k: v["kappa"] for k, v in attributes.items()},
        "entities": {"exact": exact, "overlap": overlap},
        "events": {
            "trigger": triggers,
            "argument": args,
            "per_role": {r: st.args_by_role.one(r) for r in sorted(st.args_by_role.keys())},
        },
        "claims": {
            "exact": claims,
            "overlap": claims_overlap,
            "claimant": {"agree": claimant_agree, "pairs": len(st.claimant)},
            "attributes": attributes,
        },
        "per_label": per_label,
    }
    return report, st.per_doc


@collector_paused()
def compute(corpus: Corpus, label: str | None = None, documents: str = "shared") -> dict[str, Any]:
    """The full agreement report (see ``docs/agreement.md`` for every key)."""
    if documents not in DOCUMENT_MODES:
        raise AgreementError(f"documents must be one of {', '.join(DOCUMENT_MODES)}, not {documents!r}")
    names = corpus.annotators
    if len(names) < 2:
        raise AgreementError(
            "agreement needs at least two annotators"
            + (f" (the project has only {names[0]})" if names else " (the project has none)")
        )
    pairs = []
    disagreement: Counter = Counter()
    for a, b in combinations(names, 2):
        report, per_doc = _pair_report(corpus, a, b, label, documents)
        pairs.append(report)
        disagreement.update(per_doc)
    units = _token_alpha_units(corpus, names, label, documents)
    corpus._chunks.clear()  # every document's pieces are counted: the tokenizer's memo is not needed now
    labels = {lab for v in units for c in v for lab in _labels_of(c)}
    ranked = sorted(disagreement.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "annotators": list(names),
        "label": label,
        "documents_mode": documents,
        "documents": len(corpus.docs),
        "pairs": pairs,
        "krippendorff_alpha": _alpha_report(units, labels),
        "disagreement": [
            {"doc_id": d, "title": corpus.titles.get(d, ""), "disagreements": n} for d, n in ranked if n
        ],
    }


@collector_paused()
def agreement(
    project: Project,
    annotators: Sequence[str] | None = None,
    label: str | None = None,
    documents: str = "shared",
) -> dict[str, Any]:
    """Agreement between ``annotators`` (default: every annotator but gold)."""
    return compute(load_corpus(project, annotators), label=label, documents=documents)


@collector_paused()
def pair_disagreement(
    corpus: Corpus, a: str, b: str, label: str | None = None, documents: str = "shared"
) -> list[dict[str, Any]]:
    """Documents ranked by how much ``a`` and ``b`` disagree (on ``label``, or all)."""
    _report, per_doc = _pair_report(corpus, a, b, label, documents)
    ranked = sorted(((d, n) for d, n in per_doc.items() if n), key=lambda kv: (-kv[1], kv[0]))
    return [{"doc_id": d, "title": corpus.titles.get(d, ""), "disagreements": n} for d, n in ranked]


def document_disagreement(report: dict[str, Any]) -> dict[str, int]:
    """doc id -> number of disagreements summed over annotator pairs."""
    return {row["doc_id"]: row["disagreements"] for row in report["disagreement"]}


# ---------------------------------------------------------------------------
# Text output
# ---------------------------------------------------------------------------
def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def format_report(report: dict[str, Any]) -> str:
    """A plain-text rendering of :func:`compute`'s report for the terminal."""
    lines = [
        f"annotators: {', '.join(report['annotators'])}"
        + (f"   label: {report['label']}" if report["label"] else "")
        + f"   documents: {report['documents_mode']}",
    ]
    ka = report["krippendorff_alpha"]
    lines.append(f"Krippendorff's alpha (tokens, nominal, all annotators): {_fmt(ka['alpha'])} over {ka['tokens']} tokens")
    for p in report["pairs"]:
        lines.append("")
        lines.append(
            f"{p['a']} vs {p['b']}: {p['documents']} documents"
            f" (only {p['a']}: {p['documents_only_a']}, only {p['b']}: {p['documents_only_b']}), {p['tokens']} tokens"
        )
        lines.append(
            f"  entities  F1 exact {_fmt(p['entity_f1_exact'])}  F1 overlap {_fmt(p['entity_f1_overlap'])}"
            f"  token kappa {_fmt(p['token_kappa'])}  alpha {_fmt(p['krippendorff_alpha'])}"
        )
        lines.append(f"  events    trigger F1 {_fmt(p['trigger_f1'])}  argument F1 {_fmt(p['argument_f1'])}")
        lines.append(
            f"  claims    span F1 {_fmt(p['claim_f1_exact'])}  claimant {_fmt(p['claimant_agreement'])}"
            + "".join(
                f"  {k} {_fmt(v)}/κ {_fmt(p['claim_attribute_kappa'][k])}"
                for k, v in p["claim_attribute_agreement"].items()
            )
        )
        if p["per_label"]:
            lines.append(f"  {'label':<18} {'kind':<7} {p['a'][:8]:>8} {p['b'][:8]:>8}  {'F1':>6} {'F1~':>6} {'kappa':>6}")
            for lab, row in p["per_label"].items():
                if row["kind"] == "entity":
                    f1, f1o, k = row["entity_f1_exact"], row["entity_f1_overlap"], row["token_kappa"]
                elif row["kind"] == "event":
                    f1, f1o, k = row["trigger_f1"], row["argument_f1"], None
                else:
                    f1, f1o, k = row["claim_f1_exact"], row["claim_f1_overlap"], None
                lines.append(
                    f"  {lab[:18]:<18} {row['kind']:<7} {row['a']:>8} {row['b']:>8}  {_fmt(f1):>6} {_fmt(f1o):>6} {_fmt(k):>6}"
                )
    return "\n".join(lines)
