"""The store's knowledge bases (issue 14), as a mixin of
:class:`~annotator.core.store.Project`: local knowledge bases loaded from files
(``kb_resources``), their entries (``kb_entries``) and the candidate index over
their names and aliases (``kb_entries_fts``, FTS5, and its vocabulary
``kb_entries_vocab``), all made by :func:`~annotator.core.migrations.m011_kb_links`.

Part of the store (the only modules that speak SQL).  Like
:class:`~annotator.core.store_review.ReviewQueries` it holds no state and runs
every statement through ``_q`` and ``_q_many``, which
:class:`~annotator.core.store.Project` defines; writes are to be called inside
:meth:`~annotator.core.store.Project.transaction`.

Fuzzy ranking is not done here: :mod:`annotator.services.kb` asks for candidate
entries (:meth:`KnowledgeBaseQueries.kb_match`) and ranks them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from annotator.core.kinds import now
from annotator.core.migrations import KB_INDEX_TABLE
from annotator.core.store_sql import Rows

__all__ = ["KbEntry", "KbResource", "KnowledgeBaseQueries"]

_ENTRY_SELECT = "e.resource, e.id, e.name, e.aliases, e.description"


class KbResource(NamedTuple):
    """A loaded knowledge base: its name, the file it came from, when and by whom, how many entries."""

    name: str
    file: str
    loaded: str
    actor: str
    entries: int


class KbEntry(NamedTuple):
    """One entry of a knowledge base (``aliases`` parsed)."""

    resource: str
    id: str
    name: str
    aliases: list[str]
    description: str


def _entry(row: tuple) -> KbEntry:
    return KbEntry(row[0], row[1], row[2], json.loads(row[3]) if row[3] != "[]" else [], row[4])


class KnowledgeBaseQueries:
    """Knowledge bases of a :class:`~annotator.core.store.Project` (see the module's documentation)."""

    __slots__ = ()

    _q: Callable[..., Rows]
    _q_many: Callable[[str, Iterable[Sequence[Any]]], None]

    # -- resources --------------------------------------------------------------
    def kb_resources(self) -> list[KbResource]:
        """The loaded knowledge bases, by name."""
        return [KbResource(*r) for r in self._q("SELECT name, file, loaded, actor, entries FROM kb_resources ORDER BY name")]

    def kb_resource(self, name: str) -> KbResource | None:
        """The knowledge base called ``name``, or None."""
        row = self._q("SELECT name, file, loaded, actor, entries FROM kb_resources WHERE name = ?", (name,)).fetchone()
        return KbResource(*row) if row else None

    def kb_add_resource(self, name: str, file: str, actor: str) -> None:
        """Record a new (empty) knowledge base; call inside :meth:`transaction`."""
        self._q(
            "INSERT INTO kb_resources (name, file, loaded, actor, entries) VALUES (?, ?, ?, ?, 0)", (name, file, now(), actor)
        )

    def kb_delete_resource(self, name: str) -> int:
        """Delete a knowledge base, its entries and their index entries; the number
        of entries deleted.  Call inside :meth:`transaction`.  Links of
        annotations to its entries stay (they carry their own name)."""
        self._q(
            f"INSERT INTO {KB_INDEX_TABLE}({KB_INDEX_TABLE}, rowid, name, aliases) "
            "SELECT 'delete', rowid, name, aliases FROM kb_entries WHERE resource = ?",
            (name,),
        )
        n = int(self._q("SELECT count(*) FROM kb_entries WHERE resource = ?", (name,)).fetchone()[0])
        self._q("DELETE FROM kb_entries WHERE resource = ?", (name,))
        self._q("DELETE FROM kb_resources WHERE name = ?", (name,))
        return n

    def kb_insert_entries(self, resource: str, entries: Iterable[tuple[str, str, str, str]]) -> None:
        """Insert entries ``(id, name, aliases as JSON text, description)`` of
        ``resource``; an id given twice raises a ProjectError (UNIQUE).  They are
        found by search once :meth:`kb_index_resource` has run.  Call inside
        :meth:`transaction`."""
        self._q_many(
            "INSERT INTO kb_entries (resource, id, name, aliases, description) VALUES (?, ?, ?, ?, ?)",
            ((resource, i, n, a, d) for i, n, a, d in entries),
        )

    def kb_index_resource(self, resource: str) -> None:
        """Add every entry of ``resource`` to the candidate index (once, after
        loading them; one statement).  Call inside :meth:`transaction`."""
        self._q(
            f"INSERT INTO {KB_INDEX_TABLE}(rowid, name, aliases) SELECT rowid, name, aliases FROM kb_entries WHERE resource = ?",
            (resource,),
        )

    def kb_duplicate_ids(self, resource: str, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` stored in ``resource`` already (one query per 500 ids)."""
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            part = list(ids[i : i + 500])
            found.update(
                r[0]
                for r in self._q(
                    f"SELECT id FROM kb_entries WHERE resource = ? AND id IN ({', '.join('?' * len(part))})", [resource, *part]
                )
            )
        return found

    def kb_set_entry_count(self, name: str) -> int:
        """Count the entries of ``name`` into its resource row; the count.  Call inside :meth:`transaction`."""
        n = int(self._q("SELECT count(*) FROM kb_entries WHERE resource = ?", (name,)).fetchone()[0])
        self._q("UPDATE kb_resources SET entries = ? WHERE name = ?", (n, name))
        return n

    # -- entries ----------------------------------------------------------------
    def kb_entry(self, resource: str, entry_id: str) -> KbEntry | None:
        """The entry ``entry_id`` of ``resource``, or None."""
        row = self._q(
            f"SELECT {_ENTRY_SELECT} FROM kb_entries e WHERE e.resource = ? AND e.id = ?", (resource, entry_id)
        ).fetchone()
        return _entry(row) if row else None

    def kb_entries_by_name(self, resource: str | None, name: str, limit: int = 20) -> list[KbEntry]:
        """Entries whose name is exactly ``name`` (of ``resource`` when given)."""
        sql = f"SELECT {_ENTRY_SELECT} FROM kb_entries e WHERE e.name = ?"
        params: list[Any] = [name]
        if resource is not None:
            sql += " AND e.resource = ?"
            params.append(resource)
        return [_entry(r) for r in self._q(sql + " LIMIT ?", [*params, limit])]

    def kb_match(self, match: str, resource: str | None = None, limit: int = 200) -> list[KbEntry]:
        """Up to ``limit`` entries the candidate index finds for the FTS5 query
        ``match`` over name and aliases (of ``resource`` when given), in the
        order they were loaded (no ranking here: BM25 over every match of a
        short word in a million entries takes seconds)."""
        sql = f"SELECT {_ENTRY_SELECT} FROM {KB_INDEX_TABLE} f CROSS JOIN kb_entries e ON e.rowid = f.rowid WHERE {KB_INDEX_TABLE} MATCH ?"
        params: list[Any] = [match]
        if resource is not None:
            sql += " AND e.resource = ?"
            params.append(resource)
        return [_entry(r) for r in self._q(sql + " LIMIT ?", [*params, limit])]

    def kb_terms(self, low: str, high: str, limit: int = 5000) -> list[tuple[str, int]]:
        """``(term, entries holding it)`` of the candidate index's terms from ``low``
        (included) to ``high`` (excluded), in order: the vocabulary that prefix
        and fuzzy search pick words from (``kb_terms``, the index's vocabulary
        as :meth:`kb_refresh_terms` copied it)."""
        return self._q("SELECT term, entries FROM kb_terms WHERE term >= ? AND term < ? LIMIT ?", (low, high, limit)).fetchall()

    def kb_terms_of_length(self, low: str, high: str, shortest: int, longest: int, limit: int = 30_000) -> list[str]:
        """The terms from ``low`` (included) to ``high`` (excluded) of ``shortest``
        to ``longest`` characters (what fuzzy search compares a word with)."""
        return [
            r[0]
            for r in self._q(
                "SELECT term FROM kb_terms WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ? LIMIT ?",
                (low, high, shortest, longest, limit),
            )
        ]

    def kb_refresh_terms(self) -> None:
        """Copy the candidate index's vocabulary into ``kb_terms`` (after a
        knowledge base was loaded or deleted).  Call inside :meth:`transaction`."""
        self._q("DELETE FROM kb_terms")
        self._q("INSERT INTO kb_terms (term, entries) SELECT term, doc FROM kb_entries_vocab")

    def kb_index_ok(self) -> bool:
        """Whether the candidate index holds exactly the entries' names and aliases."""
        try:
            self._q(f"INSERT INTO {KB_INDEX_TABLE}({KB_INDEX_TABLE}, rank) VALUES ('integrity-check', 1)")
        except Exception:  # a ProjectError made of SQLITE_CORRUPT_VTAB
            return False
        return True
