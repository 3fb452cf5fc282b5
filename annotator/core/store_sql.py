"""The SQL text and cursor wrapper shared by the store modules.

The store is :mod:`annotator.core.store` (:class:`~annotator.core.store.Project`),
:mod:`annotator.core.store_review` (its review, agreement, merge-provenance and
history queries) and :mod:`annotator.core.projectfile` (reading another project
file read-only); they alone speak SQL, and these are the pieces they share: the
column lists and inserts of the stored rows, the review decision query and its
row conversion, :class:`Rows`, the cursor whose reads raise ProjectErrors, and
:func:`autocommit`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotator.core.errors import translate_sqlite_error
from annotator.core.rows import ANNOTATION_COLUMNS, DOCUMENT_COLUMNS

__all__ = ["ANN_SELECT", "ANN_INSERT", "DOC_SELECT", "DOC_INSERT", "DECISION_SELECT", "decision", "Rows", "autocommit"]

ANN_SELECT = ", ".join(f'"{c}"' for c in ANNOTATION_COLUMNS)
ANN_INSERT = f"INSERT INTO annotations ({ANN_SELECT}) VALUES ({', '.join('?' * len(ANNOTATION_COLUMNS))})"
DOC_SELECT = ", ".join(DOCUMENT_COLUMNS)
DOC_INSERT = f"INSERT INTO documents ({DOC_SELECT}) VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))})"
DECISION_SELECT = "SELECT id, doc_id, reviewer, time, action, source_ids, gold_id, detail FROM review_decisions"


def decision(r: tuple) -> dict[str, Any]:
    """A review decision of its stored row (as :data:`DECISION_SELECT` reads it)."""
    return {
        "id": r[0],
        "doc_id": r[1],
        "reviewer": r[2],
        "time": r[3],
        "action": r[4],
        "source_ids": json.loads(r[5]),
        "gold_id": r[6],
        "detail": json.loads(r[7]),
    }


@contextmanager
def autocommit(conn: sqlite3.Connection) -> Iterator[None]:
    """Driver-level autocommit for statements that cannot run in a transaction
    (``PRAGMA journal_mode``), restoring the isolation level after."""
    previous = conn.isolation_level
    conn.isolation_level = None
    try:
        yield
    finally:
        conn.isolation_level = previous


class Rows:
    """A cursor whose reads raise ProjectErrors: a damaged page is found while
    rows are fetched, not when the statement starts."""

    __slots__ = ("_cur", "_path")

    def __init__(self, cur: sqlite3.Cursor, path: Path):
        self._cur, self._path = cur, path

    def fetchone(self) -> Any:
        try:
            return self._cur.fetchone()
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self._path) from None

    def fetchall(self) -> list[Any]:
        try:
            return self._cur.fetchall()
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self._path) from None

    def __iter__(self) -> Iterator[Any]:
        # In batches: a fetchone() call per row costs as much as SQLite reading it.
        while True:
            try:
                rows = self._cur.fetchmany(256)
            except sqlite3.Error as err:
                raise translate_sqlite_error(err, self._path) from None
            if not rows:
                return
            yield from rows
