"""The team records of a project (issue 18): the packages handed out, who has which
document, what each collect brought, the packages' edit history and the conflicts
found.  A mixin of :class:`~annotator.core.store.Project` (the store speaks SQL;
:mod:`annotator.services.team` holds the use cases)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from annotator.core.store_sql import Rows

__all__ = ["TeamQueries", "Assignment", "Collected", "PACKAGE_ANNOTATOR_KEY"]

#: The ``meta`` key of a work package that names the annotator it was made for.
PACKAGE_ANNOTATOR_KEY = "team_annotator"


class Assignment(NamedTuple):
    """One document in one package."""

    package_id: str
    doc_id: str
    annotator: str
    overlap: bool
    active: bool
    assigned: str
    withdrawn: str | None


class Collected(NamedTuple):
    """What the last collect of a package found for one of its documents."""

    package_id: str
    doc_id: str
    status: str
    digest: str
    annotations: int
    collected: str


class TeamQueries:
    """Team records of a :class:`~annotator.core.store.Project`."""

    __slots__ = ()

    _q: Callable[..., Rows]
    _q_many: Callable[[str, Iterable[Sequence[Any]]], None]

    # -- meta -----------------------------------------------------------------
    def meta_value(self, key: str) -> str | None:
        row = self._q("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Write one ``meta`` entry (inside :meth:`transaction`)."""
        self._q("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def package_annotator(self) -> str | None:
        """The annotator this project was handed out to, when it is a work package
        (the app opens it as them without asking for a name); None otherwise."""
        row = self._q("SELECT value FROM meta WHERE key = ?", (PACKAGE_ANNOTATOR_KEY,)).fetchone()
        name = row[0].strip() if row and isinstance(row[0], str) else ""
        if not name or name.startswith("@") or len(name) > 100 or any(ord(c) < 32 for c in name):
            return None
        return name

    def document_lengths(self) -> dict[str, int]:
        """doc id -> length of its text in code points, for every document (one query)."""
        return dict(self._q("SELECT id, length(text) FROM documents").fetchall())

    # -- packages and assignments -------------------------------------------------
    def team_packages(self) -> list[dict[str, Any]]:
        rows = self._q("SELECT id, annotator, created, file, record FROM team_packages ORDER BY created, rowid").fetchall()
        return [{"id": r[0], "annotator": r[1], "created": r[2], "file": r[3], "record": r[4]} for r in rows]

    def team_package(self, package_id: str) -> dict[str, Any] | None:
        return next((p for p in self.team_packages() if p["id"] == package_id), None)

    def add_team_package(self, package_id: str, annotator: str, created: str, file: str, record: str) -> None:
        self._q(
            "INSERT INTO team_packages (id, annotator, created, file, record) VALUES (?, ?, ?, ?, ?)",
            (package_id, annotator, created, file, record),
        )

    def add_assignments(self, rows: Iterable[Assignment]) -> None:
        self._q_many(
            "INSERT INTO team_assignments (package_id, doc_id, annotator, overlap, active, assigned, withdrawn) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(a.package_id, a.doc_id, a.annotator, int(a.overlap), int(a.active), a.assigned, a.withdrawn) for a in rows],
        )

    def assignments(self, *, active: bool | None = None) -> list[Assignment]:
        sql = "SELECT package_id, doc_id, annotator, overlap, active, assigned, withdrawn FROM team_assignments"
        params: tuple = ()
        if active is not None:
            sql += " WHERE active = ?"
            params = (int(active),)
        rows = self._q(sql + " ORDER BY assigned, rowid", params).fetchall()
        return [Assignment(r[0], r[1], r[2], bool(r[3]), bool(r[4]), r[5], r[6]) for r in rows]

    def withdraw_assignments(self, pairs: Iterable[tuple[str, str]], stamp: str) -> None:
        """Mark (package id, doc id) assignments as no longer active (reassigned)."""
        self._q_many(
            "UPDATE team_assignments SET active = 0, withdrawn = ? WHERE package_id = ? AND doc_id = ?",
            [(stamp, p, d) for p, d in pairs],
        )

    # -- collects ---------------------------------------------------------------
    def team_collected(self, package_id: str | None = None) -> list[Collected]:
        sql = "SELECT package_id, doc_id, status, digest, annotations, collected FROM team_collected"
        params: tuple = ()
        if package_id is not None:
            sql += " WHERE package_id = ?"
            params = (package_id,)
        return [Collected(*r) for r in self._q(sql + " ORDER BY rowid", params).fetchall()]

    def put_team_collected(self, rows: Iterable[Collected]) -> None:
        self._q_many(
            "INSERT OR REPLACE INTO team_collected (package_id, doc_id, status, digest, annotations, collected) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [tuple(r) for r in rows],
        )

    def add_team_history(self, package_id: str, rows: Iterable[tuple[int, str, str, str | None, str, str | None]]) -> int:
        """Copy a package's history entries (seq, time, actor, doc id, action, status set);
        those already copied are skipped. The number added."""
        before = self._q("SELECT count(*) FROM team_history WHERE package_id = ?", (package_id,)).fetchone()[0]
        self._q_many(
            "INSERT OR IGNORE INTO team_history (package_id, seq, time, actor, doc_id, action, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(package_id, *r) for r in rows],
        )
        after = self._q("SELECT count(*) FROM team_history WHERE package_id = ?", (package_id,)).fetchone()[0]
        return int(after - before)

    def team_history(self) -> list[tuple[str, int, str, str, str | None, str, str | None]]:
        """(package id, seq, time, actor, doc id, action, status set) in time order."""
        rows = self._q(
            "SELECT package_id, seq, time, actor, doc_id, action, status FROM team_history ORDER BY time, package_id, seq"
        ).fetchall()
        return [tuple(r) for r in rows]

    # -- conflicts ---------------------------------------------------------------
    def team_conflicts(self) -> list[dict[str, str]]:
        rows = self._q("SELECT package_id, doc_id, other_package_id, layer, found FROM team_conflicts ORDER BY found, rowid")
        return [{"package_id": r[0], "doc_id": r[1], "other_package_id": r[2], "layer": r[3], "found": r[4]} for r in rows]

    def add_team_conflicts(self, rows: Iterable[tuple[str, str, str, str, str]]) -> None:
        self._q_many(
            "INSERT OR IGNORE INTO team_conflicts (package_id, doc_id, other_package_id, layer, found) VALUES (?, ?, ?, ?, ?)",
            list(rows),
        )
