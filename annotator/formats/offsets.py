"""What a tool meant by an offset: code points or UTF-16 units, CRLF as two units or one.

Other tools count offsets differently (see ``docs/formats.md``, *Offsets*):
doccano's browser and older Label Studio count UTF-16 code units, Prodigy and
Label Studio 1.23 count code points, and doccano's "grapheme" projects and
old brat count a CRLF line break as one unit.  Read with the wrong unit, every
span after the first emoji or CRLF shifts, silently.  This module turns a
record's offsets into code-point offsets into its raw text, choosing the unit
as the user asked (``--offsets codepoint|utf16|auto``, ``--crlf-as-one``):

- with an explicit unit, that unit is used, and a span whose stated text
  disagrees with its offsets is an error (never moved);
- with ``auto``, every unit the text tells apart is tried: when spans carry
  their text, the units under which every span's text matches are kept;
  spans that do not are judged by where they fall: the units under which each
  lies on code points (not inside an astral character), starts and ends on
  word edges and is not only whitespace are kept.  When the units left
  read the spans differently, the record is refused with a message naming the
  options; a file's records must all fit one unit
  (:class:`OffsetDetector`).

:func:`resolve_offsets` is the reusable function; :class:`OffsetDetector`
keeps one file's choice across its records.  Pure Python, no Qt.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "OFFSET_UNITS",
    "OffsetChoice",
    "Unit",
    "Resolved",
    "OffsetProblem",
    "resolve_offsets",
    "OffsetDetector",
    "unit_name",
]

#: Values of ``--offsets``.
OFFSET_UNITS = ("auto", "codepoint", "utf16")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class OffsetChoice:
    """What the user chose: ``unit`` one of :data:`OFFSET_UNITS`; ``crlf_as_one``
    True (the tool counted CRLF as one unit), False (as two), or None (``auto``
    tries both; an explicit unit counts two)."""

    unit: str = "auto"
    crlf_as_one: bool | None = None

    def __post_init__(self) -> None:
        if self.unit not in OFFSET_UNITS:
            raise ValueError(f"unknown offset unit {self.unit!r}; use one of {', '.join(OFFSET_UNITS)}")

    def candidates(self) -> list[Unit]:
        units = ["codepoint", "utf16"] if self.unit == "auto" else [self.unit]
        if self.crlf_as_one is not None:
            crlfs = [self.crlf_as_one]
        else:
            crlfs = [False, True] if self.unit == "auto" else [False]
        return [Unit(u, c) for c in crlfs for u in units]


@dataclass(frozen=True, order=True)
class Unit:
    """One way of counting: ``codepoint`` or ``utf16``, and CRLF as one unit or two."""

    unit: str
    crlf_as_one: bool = False

    @property
    def name(self) -> str:
        """For people: ``code points``, ``UTF-16 units``, ``code points, CRLF as one``."""
        return unit_name(self.unit) + (", CRLF as one" if self.crlf_as_one else "")

    @property
    def option(self) -> str:
        """The command-line options that choose it."""
        return f"--offsets {self.unit}" + (" --crlf-as-one" if self.crlf_as_one else "")


def unit_name(unit: str) -> str:
    return {"codepoint": "code points", "utf16": "UTF-16 units"}.get(unit, unit)


class OffsetProblem(ValueError):
    """Offsets that no allowed unit reads; ``index`` is the span's position in the list
    (None when the problem is the record as a whole)."""

    def __init__(self, message: str, index: int | None = None, *, ambiguous: bool = False):
        super().__init__(message)
        self.message = message
        self.index = index
        #: Several units fit, reading the spans differently.
        self.ambiguous = ambiguous


@dataclass
class Resolved:
    """Code-point spans into the raw text, the unit they were read in, and every
    unit that reads them the same way (``units[0] == unit``)."""

    spans: list[tuple[int, int]]
    unit: Unit
    units: list[Unit] = field(default_factory=list)

    @property
    def unit_name(self) -> str:
        return self.unit.name


class _Counter:
    """Offsets of one unit <-> code points of one text."""

    def __init__(self, raw: str, unit: Unit, astral: list[int], crlf_ns: list[int]):
        self.n = len(raw)
        #: code points that take two units (UTF-16: astral characters)
        self.wide = astral if unit.unit == "utf16" else []
        #: code points that take no unit (the \n of a CRLF counted as one)
        self.free = crlf_ns if unit.crlf_as_one else []
        self.length = self.units(self.n)

    def units(self, cp: int) -> int:
        return cp + bisect_left(self.wide, cp) - bisect_left(self.free, cp)

    def to_cp(self, u: int) -> int | None:
        """The code-point offset of unit offset ``u``; None when it is inside a
        character (a UTF-16 surrogate pair) or outside the text.  Of the code
        points at one unit offset (before and after a free ``\\n``) the last."""
        if not self.wide and not self.free:
            return u if 0 <= u <= self.n else None
        if not 0 <= u <= self.length:
            return None
        lo, hi = 0, self.n  # the largest cp with units(cp) <= u
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.units(mid) <= u:
                lo = mid
            else:
                hi = mid - 1
        return lo if self.units(lo) == u else None


def _is_word(c: str) -> bool:
    return c.isalnum() or unicodedata.category(c)[0] == "M" or c in "\u200c\u200d"


def _on_edge(raw: str, at: int) -> bool:
    """Whether a span may start or end at ``at``: not between two characters of one word."""
    if at <= 0 or at >= len(raw):
        return True
    return not (_is_word(raw[at - 1]) and _is_word(raw[at]))


def _off_edge(raw: str, reading: list[tuple[int, int]], spans: Sequence[tuple[int, int, str | None]]) -> int | None:
    """The index of the first span without stated text that cuts a word or holds only
    whitespace under this reading; None when there is none."""
    for i, ((a, b), (_, _, text)) in enumerate(zip(reading, spans)):
        if text is None and not (_on_edge(raw, a) and _on_edge(raw, b) and raw[a:b].strip()):
            return i
    return None


def _fold(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _units_told_apart(raw: str, candidates: list[Unit]) -> tuple[list[Unit], list[int], list[int]]:
    """The candidates that differ on this text (astral characters, CRLFs), the first of each kind."""
    astral = [m.start() for m in _ASTRAL.finditer(raw)] if not raw.isascii() else []
    crlf_ns = [i + 1 for i in _find_all(raw, "\r\n")] if "\r" in raw else []
    out: list[Unit] = []
    for c in candidates:
        key = Unit(c.unit if astral else "codepoint", c.crlf_as_one if crlf_ns else False)
        if key not in {Unit(o.unit if astral else "codepoint", o.crlf_as_one if crlf_ns else False) for o in out}:
            out.append(c)
    return out, astral, crlf_ns


def _find_all(text: str, sub: str) -> list[int]:
    out, at = [], text.find(sub)
    while at >= 0:
        out.append(at)
        at = text.find(sub, at + 1)
    return out


def resolve_offsets(
    raw: str,
    spans: Sequence[tuple[int, int, str | None]],
    choice: OffsetChoice | str = "auto",
    *,
    allowed: Sequence[Unit] | None = None,
    names: Sequence[str] | None = None,
) -> Resolved:
    """Code-point spans ``[start, end)`` into ``raw`` for ``spans`` given as
    ``(start, end, expected text or None)`` in the unit ``choice`` names.

    ``start`` and ``end`` must be ints with ``start < end`` (check before).
    ``allowed`` restricts the units tried (an :class:`OffsetDetector` passes
    those the file's earlier records fit); ``names`` name the spans in messages
    (default ``span 1``, ``span 2``, ...).  Raises :class:`OffsetProblem` with a
    message for people when no unit fits, or when ``auto`` is left with units
    that read the spans differently.
    """
    if isinstance(choice, str):
        choice = OffsetChoice(choice)
    candidates = choice.candidates()
    if allowed is not None:
        candidates = [c for c in candidates if c in allowed]
    if not candidates:
        raise OffsetProblem("no offset unit left to try")
    told, astral, crlf_ns = _units_told_apart(raw, candidates)
    counters = {c: _Counter(raw, c, astral, crlf_ns) for c in told}
    same = {c: [o for o in candidates if _equivalent(o, c, astral, crlf_ns)] for c in told}
    if not spans:
        return Resolved([], told[0], same[told[0]])
    names = list(names) if names is not None else [f"span {i + 1}" for i in range(len(spans))]
    readings: dict[Unit, list[tuple[int, int]]] = {}
    why: dict[Unit, tuple[int, str]] = {}
    for c in told:
        got = _read(raw, spans, counters[c], c, names)
        if isinstance(got, tuple):
            why[c] = got
        else:
            readings[c] = got
    if not readings:
        raise _no_unit(raw, spans, told, why, explicit=choice.unit != "auto" and len(told) == 1)
    distinct = _distinct(readings)
    if len(distinct) > 1 and any(t is None for _, _, t in spans):
        # spans that do not say their text: keep the units under which they start and end on word edges
        edged = {}
        for c, r in readings.items():
            bad = _off_edge(raw, r, spans)
            if bad is None:
                edged[c] = r
            else:
                a, b = r[bad]
                why[c] = (bad, f"{names[bad]} would be {_short(raw[a:b])!r}, which is not a whole word")
        if not edged:
            raise _no_unit(raw, spans, told, why, explicit=False)
        readings = edged
        distinct = _distinct(readings)
    if len(distinct) > 1:
        options = " or ".join(c.option for c in readings)
        shown = "; ".join(f"as {c.name}: {_preview(raw, r)}" for c, r in readings.items())
        raise OffsetProblem(
            f"the offsets fit more than one unit and read differently in each ({shown}); choose with {options}",
            ambiguous=True,
        )
    first = next(iter(readings))
    units = [u for c in readings for u in same[c]]
    return Resolved(readings[first], first, units)


def _equivalent(a: Unit, b: Unit, astral: list[int], crlf_ns: list[int]) -> bool:
    return (a.unit == b.unit or not astral) and (a.crlf_as_one == b.crlf_as_one or not crlf_ns)


def _distinct(readings: dict[Unit, list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    out: list[list[tuple[int, int]]] = []
    for r in readings.values():
        if r not in out:
            out.append(r)
    return out


def _preview(raw: str, spans: list[tuple[int, int]]) -> str:
    shown = ", ".join(repr(_short(raw[a:b], 20)) for a, b in spans[:3])
    return shown + (", …" if len(spans) > 3 else "")


def _read(
    raw: str, spans: Sequence[tuple[int, int, str | None]], counter: _Counter, unit: Unit, names: Sequence[str]
) -> list[tuple[int, int]] | tuple[int, str]:
    """The code-point spans under one unit, or (span index, why not)."""
    out = []
    for i, (start, end, text) in enumerate(spans):
        a, b = counter.to_cp(start), counter.to_cp(end)
        if a is None or b is None:
            if start < 0 or end > counter.length:
                return i, f"{names[i]}: span [{start}, {end}) is outside the text (length {counter.length})"
            return i, f"{names[i]}: span [{start}, {end}) cuts a character in two"
        if a >= b:
            return i, f"{names[i]}: span [{start}, {end}) covers no character"
        if text is not None and _fold(text) != _fold(raw[a:b]):
            return i, (
                f"{names[i]}: span [{start}, {end}) says its text is {_short(text)!r} "
                f"but the document has {_short(raw[a:b])!r} there"
            )
        out.append((a, b))
    return out


def _no_unit(
    raw: str, spans: Sequence[tuple[int, int, str | None]], told: list[Unit], why: dict[Unit, tuple[int, str]], explicit: bool
) -> OffsetProblem:
    if explicit:
        [(at, message)] = why.values()
        return OffsetProblem(f"{message} (offsets read as {told[0].name}, as asked)", at)
    reasons = "; ".join(f"read as {c.name}: {m}" for c, (_, m) in why.items())
    index = min((i for i, _ in why.values()), default=None)
    return OffsetProblem(
        f"no offset unit fits every span ({reasons}); check the file, or choose the unit with --offsets codepoint or "
        "--offsets utf16 (and --crlf-as-one for tools that counted CRLF as one)",
        index,
    )


class OffsetDetector:
    """One file's offset unit: every record must fit the same unit.

    :meth:`resolve` resolves one record's spans among the units the file's
    earlier records fit, and narrows them.  :attr:`used` names the unit the
    records so far were read in (the first of those left)."""

    def __init__(self, choice: OffsetChoice | None = None):
        self.choice = choice or OffsetChoice()
        #: Units every record so far fits (None: not narrowed yet).
        self.allowed: list[Unit] | None = None
        #: Where the unit was last narrowed, for messages (a line number or record name).
        self.decided_at: Any = None
        self.used: Unit | None = None

    def resolve(
        self, raw: str, spans: Sequence[tuple[int, int, str | None]], where: Any = None, names: Sequence[str] | None = None
    ) -> Resolved:
        """One record's spans (see :func:`resolve_offsets`); ``where`` names the
        record in later messages (e.g. ``line 3``)."""
        try:
            got = resolve_offsets(raw, spans, self.choice, names=names)
        except OffsetProblem as err:
            if not err.ambiguous or self.allowed is None:
                raise
            # the record alone fits several units: the file's earlier records decide
            got = resolve_offsets(raw, spans, self.choice, allowed=self.allowed, names=names)
        if not spans:
            return got
        allowed = self.allowed if self.allowed is not None else self.choice.candidates()
        fits = [u for u in got.units if u in allowed]
        if not fits:
            names_left = " or ".join(u.name for u in allowed)
            raise OffsetProblem(
                f"these offsets fit only {got.unit.name}, but the file's earlier records (up to {self.decided_at}) "
                f"fit only {names_left}; one file has one unit: check the file, or choose with --offsets"
            )
        if len(fits) < len(allowed):
            self.decided_at = where
        self.allowed = fits
        self.used = fits[0]
        return Resolved(got.spans, fits[0], fits)

    @property
    def detected(self) -> bool:
        """Whether the records told the units apart (else every unit tried read them the same)."""
        return self.allowed is not None and len(self.allowed) < len(self.choice.candidates())
