"""Coreference agreement (issue 15): MUC, B³, CEAF-e and their average (the
CoNLL score) between two annotators' clusters, per document and overall.

Annotator *a* is the key, *b* the response (precision = how much of *b* is in
*a*; swapping them swaps precision and recall).  Mentions are matched by exact
span: a cluster is the set of its mentions' ``(start, end)``; a span that one
annotator put in two clusters (two annotations on one span) counts in the first
only.  A mention in no cluster is not part of the coreference (as in the
CoNLL-2012 data); a one-mention cluster is a singleton and counts in B³ and
CEAF-e (not in MUC, which has no links for it).

The definitions are the CoNLL-2012 reference scorer's (Pradhan et al. 2014):

- **MUC** (Vilain et al. 1995): recall = Σ_K (|K| − |p(K)|) / Σ_K (|K| − 1), where
  p(K) is the partition of key cluster K by the response clusters (a mention in
  no response cluster is a part of its own); precision the same with the roles
  swapped.
- **B³** (Bagga & Baldwin 1998): recall = Σ_K Σ_R |K∩R|² / |K| over Σ_K |K|
  (every key mention); precision the same with the roles swapped.
- **CEAF-e** (Luo 2005): the one-to-one alignment of key and response clusters
  maximising Σ φ₄(K, R) = 2|K∩R| / (|K| + |R|); recall = that sum / the number of
  key clusters, precision = that sum / the number of response clusters.
- **CoNLL**: the average of the three F1s (and, reported alongside, of the three
  precisions and of the three recalls).

Over several documents, as the reference scorer does, the numerators and the
denominators are summed over the documents before dividing (micro average).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from itertools import chain, repeat
from typing import Any

__all__ = [
    "METRICS",
    "Clusters",
    "muc_counts",
    "b3_counts",
    "ceafe_counts",
    "document_counts",
    "scores",
    "prf_of",
    "max_assignment",
    "clean_clusters",
]

#: The metric names, as the report's keys take them (``coref_<name>``).
METRICS = ("muc", "b3", "ceafe")

#: Clusters of one document and annotator: each a collection of mention keys.
Clusters = Sequence[Sequence[Hashable]]
#: (recall numerator, recall denominator, precision numerator, precision denominator)
Counts = tuple[float, float, float, float]


def clean_clusters(clusters: Iterable[Iterable[Hashable]]) -> list[list[Hashable]]:
    """The clusters with each mention once: in the first cluster that has it;
    clusters left empty are dropped."""
    seen: set[Hashable] = set()
    out = []
    for c in clusters:
        kept = []
        for m in c:
            if m not in seen:
                seen.add(m)
                kept.append(m)
        if kept:
            out.append(kept)
    return out


def _index(clusters: Clusters) -> dict[Hashable, int]:
    return {m: i for i, c in enumerate(clusters) for m in c}


def document_counts(key: Clusters, response: Clusters) -> dict[str, Counts]:
    """The three metrics' counts of one document (clusters as given: call
    :func:`clean_clusters` first if a mention may be in two).

    One count over the key's mentions (C-level ``map``, ``zip`` and ``Counter``)
    gives every overlap of a key and a response cluster; MUC, B³ and CEAF-e of
    both sides follow from those overlaps alone."""
    get = _index(response).get
    key_sizes = [len(c) for c in key]
    resp_sizes = [len(c) for c in response]
    # (key cluster, response cluster or None) -> how many mentions: one Counter over
    # the document's key mentions, counted in C
    pairs: Counter[tuple[int, int | None]] = Counter(
        zip(chain.from_iterable(repeat(i, n) for i, n in enumerate(key_sizes)), map(get, chain.from_iterable(key)))
    )
    key_parts = [0] * len(key)  # how many parts each key cluster is cut into
    resp_parts = [0] * len(response)  # how many key clusters each response cluster meets
    found = [0] * len(response)  # how many of its mentions are in a key cluster
    b3_rn = b3_pn = 0.0
    weights: dict[tuple[int, int], float] = {}
    for (i, j), x in pairs.items():
        if j is None:
            key_parts[i] += x  # each mention in no response cluster is a part of its own
            continue
        key_parts[i] += 1
        size, n = resp_sizes[j], key_sizes[i]
        resp_parts[j] += 1
        found[j] += x
        b3_rn += x * x / n
        b3_pn += x * x / size
        weights[(i, j)] = 2.0 * x / (n + size)
    muc_rn = muc_rd = 0
    for n, cut in zip(key_sizes, key_parts):
        if n >= 2:
            muc_rn += n - cut
            muc_rd += n - 1
    muc_pn = muc_pd = 0
    for j, size in enumerate(resp_sizes):
        if size >= 2:
            muc_pn += size - resp_parts[j] - (size - found[j])
            muc_pd += size - 1
    ceaf = max_assignment(weights, (len(key), len(response)))
    n_key = float(sum(key_sizes))
    return {
        "muc": (muc_rn, muc_rd, muc_pn, muc_pd),
        "b3": (b3_rn, n_key, b3_pn, float(sum(resp_sizes))),
        "ceafe": (ceaf, float(len(key)), ceaf, float(len(response))),
    }


def muc_counts(key: Clusters, response: Clusters) -> Counts:
    """MUC's numerators and denominators of one document (recall's, precision's)."""
    return document_counts(key, response)["muc"]


def b3_counts(key: Clusters, response: Clusters) -> Counts:
    """B³'s numerators and denominators of one document."""
    return document_counts(key, response)["b3"]


def ceafe_counts(key: Clusters, response: Clusters) -> Counts:
    """CEAF-e's numerators (the best alignment's φ₄ sum) and denominators (the
    numbers of key and response clusters) of one document."""
    return document_counts(key, response)["ceafe"]


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def prf_of(counts: Counts) -> dict[str, float | None]:
    """``{"precision", "recall", "f1"}`` of summed counts; None where undefined
    (nothing to divide by).  F1 is 0 when precision and recall are both 0."""
    rn, rd, pn, pd = counts
    r, p = _ratio(rn, rd), _ratio(pn, pd)
    if r is None or p is None:
        f1 = None
    else:
        f1 = 0.0 if p + r == 0 else 2 * p * r / (p + r)
    return {"precision": p, "recall": r, "f1": f1}


def _mean(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None) / len(values)


def scores(totals: dict[str, Counts]) -> dict[str, dict[str, float | None]]:
    """``{"muc", "b3", "ceafe", "conll"}`` -> precision, recall, F1 of summed counts;
    ``conll`` is the mean of the three (undefined when one is)."""
    out = {m: prf_of(totals.get(m, (0.0, 0.0, 0.0, 0.0))) for m in METRICS}
    out["conll"] = {k: _mean([out[m][k] for m in METRICS]) for k in ("precision", "recall", "f1")}
    return out


def add_counts(total: dict[str, list[float]], counts: dict[str, Counts]) -> None:
    for m, c in counts.items():
        t = total.setdefault(m, [0.0, 0.0, 0.0, 0.0])
        for i in range(4):
            t[i] += c[i]


# ---------------------------------------------------------------------------
# The best one-to-one alignment (CEAF)
# ---------------------------------------------------------------------------
def max_assignment(weights: dict[tuple[int, int], float], shape: tuple[int, int] | None = None) -> float:
    """The largest sum of weights of a one-to-one matching of rows and columns
    (only the given pairs have weight; all weights positive).  ``shape``: the
    numbers of rows and columns when every index is below them (a document's
    key and response clusters), so scipy can take the matrix as it is.

    Solved per connected component of the pairs: coreference clusters mostly
    overlap one or two of the other side's, so components are small; a component
    of one pair, or a chain where each row and column has one pair, needs no
    search.  Larger ones use scipy's ``linear_sum_assignment`` when scipy is
    installed, else the Hungarian method in Python (O(n³) in the component)."""
    if not weights:
        return 0.0
    if len(weights) > 64 and _scipy_lsa() is not None:  # one call in C beats finding the groups in Python
        if shape is not None:
            return _dense(weights, shape)
        return _solve(sorted({i for i, _ in weights}), sorted({j for _, j in weights}), weights)
    rows: dict[int, list[int]] = defaultdict(list)
    cols: dict[int, list[int]] = defaultdict(list)
    for i, j in weights:
        rows[i].append(j)
        cols[j].append(i)
    total = 0.0
    seen_rows: set[int] = set()
    for start in rows:
        if start in seen_rows:
            continue
        comp_rows, comp_cols = [start], []
        seen_rows.add(start)
        seen_cols: set[int] = set()
        stack = [("r", start)]
        while stack:
            side, x = stack.pop()
            if side == "r":
                for j in rows[x]:
                    if j not in seen_cols:
                        seen_cols.add(j)
                        comp_cols.append(j)
                        stack.append(("c", j))
            else:
                for i in cols[x]:
                    if i not in seen_rows:
                        seen_rows.add(i)
                        comp_rows.append(i)
                        stack.append(("r", i))
        if len(comp_rows) == 1 or len(comp_cols) == 1:
            if len(comp_rows) == 1:
                total += max(weights[(comp_rows[0], j)] for j in comp_cols)
            else:
                total += max(weights[(i, comp_cols[0])] for i in comp_rows)
            continue
        total += _solve(comp_rows, comp_cols, {(i, j): weights[(i, j)] for i in comp_rows for j in rows[i]})
    return total


def _solve(rows: list[int], cols: list[int], weights: dict[tuple[int, int], float]) -> float:
    """The best assignment of one component: scipy's ``linear_sum_assignment``
    (C speed) when scipy is installed and the component is not tiny, else
    :func:`_hungarian` (the same optimum)."""
    lsa = _scipy_lsa() if len(rows) * len(cols) > 16 else None
    if lsa is None:
        return _hungarian(rows, cols, weights)
    import numpy

    r_at = {i: a for a, i in enumerate(rows)}
    c_at = {j: b for b, j in enumerate(cols)}
    matrix = numpy.zeros((len(rows), len(cols)))
    for (i, j), w in weights.items():
        matrix[r_at[i], c_at[j]] = w
    picked_rows, picked_cols = lsa(matrix, maximize=True)
    return float(matrix[picked_rows, picked_cols].sum())


def _dense(weights: dict[tuple[int, int], float], shape: tuple[int, int]) -> float:
    """scipy's best assignment on the whole ``shape`` matrix of ``weights``
    (rows and columns without a weight are zeros: they add nothing)."""
    import numpy

    matrix = numpy.zeros(shape)
    at = numpy.array(list(weights), dtype=numpy.intp)
    matrix[at[:, 0], at[:, 1]] = list(weights.values())
    picked_rows, picked_cols = _scipy_lsa()(matrix, maximize=True)
    return float(matrix[picked_rows, picked_cols].sum())


_LSA: list[Any] = []


def _scipy_lsa() -> Any:
    """scipy's ``linear_sum_assignment``, or None without scipy (looked up once)."""
    if not _LSA:
        try:
            from scipy.optimize import linear_sum_assignment
        except ImportError:
            linear_sum_assignment = None
        _LSA.append(linear_sum_assignment)
    return _LSA[0]


def _hungarian(rows: list[int], cols: list[int], weights: dict[tuple[int, int], float]) -> float:
    """Maximum-weight assignment of one component (the Hungarian method on costs
    ``top - weight``, padded square; missing pairs weigh 0)."""
    n = max(len(rows), len(cols))
    top = max(weights.values())
    cost = [[top] * n for _ in range(n)]
    for a, i in enumerate(rows):
        for b, j in enumerate(cols):
            w = weights.get((i, j))
            if w is not None:
                cost[a][b] = top - w
    # Jonker-Volgenant style shortest augmenting paths (e-maxx's O(n^3) Hungarian), 1-based
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (n + 1)
    p = [0] * (n + 1)
    way = [0] * (n + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (n + 1)
        used = [False] * (n + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = inf
            j1 = 0
            row = cost[i0 - 1]
            ui0 = u[i0]
            for j in range(1, n + 1):
                if not used[j]:
                    cur = row[j - 1] - ui0 - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(n + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    total = 0.0
    for j in range(1, n + 1):
        a, b = p[j] - 1, j - 1
        if a < len(rows) and b < len(cols):
            total += weights.get((rows[a], cols[b]), 0.0)
    return total


def pair_coref(clusters: dict[str, dict[str, list[list[Any]]]], a: str, b: str, documents: str = "shared") -> dict[str, Any]:
    """The coreference part of a pair's report: ``coref_muc``, ``coref_b3``,
    ``coref_ceafe``, ``coref_conll`` (precision, recall, f1, over the documents
    counted) and ``coref`` (how many documents counted, and each document's four
    scores).  ``clusters``: doc id -> annotator -> clusters (lists of spans).
    With ``documents="shared"`` a document counts when both annotators made a
    cluster in it; with ``"any"`` when either did (the other has none)."""
    total: dict[str, list[float]] = {}
    per_doc: list[dict[str, Any]] = []
    for doc_id, by in clusters.items():
        ka, kb = by.get(a), by.get(b)
        if documents == "shared" and not (ka and kb):
            continue
        if not (ka or kb):
            continue
        counts = document_counts(ka or [], kb or [])
        add_counts(total, counts)
        doc_scores = scores(counts)
        per_doc.append({"doc_id": doc_id, **{m: doc_scores[m] for m in (*METRICS, "conll")}})
    overall = scores({m: (t[0], t[1], t[2], t[3]) for m, t in total.items()})
    return {
        **{f"coref_{m}": overall[m] for m in (*METRICS, "conll")},
        "coref": {"documents": len(per_doc), "per_document": per_doc},
    }
