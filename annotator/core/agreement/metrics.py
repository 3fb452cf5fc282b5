"""Agreement: the statistics (precision, recall, F1, Cohen's kappa,
Krippendorff's alpha) and the counters they are computed from."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from annotator.core.agreement.corpus import OUTSIDE, labels_of


# ---------------------------------------------------------------------------
# Generic statistics
# ---------------------------------------------------------------------------
def ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def prf(tp: int, n_a: int, n_b: int) -> dict[str, Any]:
    """Precision, recall, F1 of response ``b`` against reference ``a``, with counts."""
    return {
        "precision": ratio(tp, n_b),
        "recall": ratio(tp, n_a),
        "f1": ratio(2 * tp, n_a + n_b),
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


def _coincidences(units: dict[tuple, int]) -> tuple[dict[tuple[Any, Any], float], dict[Any, float]]:
    """Krippendorff coincidence matrix from ``{sorted values of a unit: count}``.

    The units are taken in a fixed order (not the mapping's), so the float sums
    do not depend on the order in which the units were counted."""
    o: defaultdict[tuple[Any, Any], float] = defaultdict(float)
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
    n_c: defaultdict[Any, float] = defaultdict(float)
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


# ---------------------------------------------------------------------------
# Accumulators
# ---------------------------------------------------------------------------
class Counts:
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


def binary_units(units: dict[tuple, int], labels: Iterable[str]) -> dict[str, dict[tuple, int]]:
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
                counts.update(labels_of(v) & wanted)
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


def binary_confusions(tokens: dict[tuple[str, str], int], labels: Iterable[str]) -> dict[str, dict[tuple, int]]:
    """For each label, the 2x2 confusion counts of "has that label" (one pass)."""
    wanted = set(labels)
    total = sum(tokens.values())
    out: dict[str, Counter] = {lab: Counter() for lab in wanted}
    for (ca, cb), n in tokens.items():
        la, lb = labels_of(ca) & wanted, labels_of(cb) & wanted
        for lab in la | lb:
            out[lab][(lab in la, lab in lb)] += n
    for c in out.values():
        c[(False, False)] = total - sum(c.values())
    return dict(out)


def alpha_report(units: dict[tuple, int], labels: Iterable[str]) -> dict[str, Any]:
    pairable = sum(n for v, n in units.items() if len(v) >= 2)
    return {
        "alpha": krippendorff_alpha_nominal(units),
        "tokens": pairable,
        "per_label": {lab: krippendorff_alpha_nominal(b) for lab, b in sorted(binary_units(units, labels).items())},
    }
