"""The store's suggestions (issue 17), as a mixin of :class:`~annotator.core.store.Project`.

Suggestions are stored apart from annotations (migration ``m012_suggestions``):
no export, agreement, review or gold reads these tables, so a suggestion is
nothing but a suggestion until someone accepts it (then it is an ordinary
annotation of theirs, source ``suggested``, its provenance kept in
``suggestion_accepts``).  Rejections are remembered per annotator, by span and
label: a rejected span and label is never suggested to that annotator again,
whichever suggester proposes it.

Part of the store (the modules that speak SQL); combined as
``class Project(ReviewQueries, SuggestionQueries)`` and, like
:class:`~annotator.core.store_review.ReviewQueries`, stateless: every statement
goes through ``_q`` and ``_q_many``.  Writes are to be called inside
:meth:`~annotator.core.store.Project.transaction`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from annotator.core.errors import ProjectError
from annotator.core.kinds import now
from annotator.core.store_sql import Rows

__all__ = ["StoredSuggestion", "SuggestionQueries", "RejectionKey", "write_suggestion_rows"]

#: The columns of a :class:`StoredSuggestion`, in its order, from ``suggestions s``
#: joined with its document ``d`` and its run ``r`` (layout ``m016_suggestions_compact``).
_SELECT = (
    'coalesce(s.key, CAST(s.id AS TEXT)), d.id, s.kind, s.label, s.start, s."end", s.score, r.suggester,'
    " s.claimant_start, s.claimant_end, s.claimant_text, r.detail, r.created"
)
_FROM = "FROM suggestions s JOIN documents d ON d.seq = s.doc JOIN suggestion_runs r ON r.id = s.run"
#: :data:`_FROM` walking the score index (the corpus list, best first).
_FROM_BY_SCORE = _FROM.replace("suggestions s", "suggestions s INDEXED BY suggestions_score", 1)
_INSERT_COLUMNS = '(id, key, doc, kind, label, start, "end", score, run, claimant_start, claimant_end, claimant_text)'
_INSERT = f"INSERT OR REPLACE INTO suggestions {_INSERT_COLUMNS} VALUES ({', '.join('?' * 12)})"
#: New rows without a claimant (left NULL) nor a key: what a corpus run stores.
_NEW_PLAIN = 'INSERT INTO suggestions (doc, kind, label, start, "end", score, run) VALUES (?, ?, ?, ?, ?, ?, ?)'
#: Not yet decided by annotator ``?`` (given twice): not rejected by them, and not
#: already one of their annotations (same kind, label and span); ``d`` is the document.
_PENDING = (
    "NOT EXISTS (SELECT 1 FROM suggestion_rejections rj WHERE rj.doc_id = d.id AND rj.start = s.start"
    ' AND rj."end" = s."end" AND rj.label = s.label AND rj.annotator = ?)'
    " AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.doc_id = d.id AND a.annotator = ?"
    ' AND a.start = s.start AND a."end" = s."end" AND a.label = s.label AND a.kind = s.kind)'
)
_OF_SUGGESTER = "s.run IN (SELECT id FROM suggestion_runs WHERE suggester = ?)"
#: The score index (as ``m014_suggestions_by_score`` makes it, and so its text in the schema).
_SCORE_INDEX = "CREATE INDEX IF NOT EXISTS suggestions_score ON suggestions(score DESC)"

#: A batch of rows in a file of its own (:func:`write_suggestion_rows`), as attached
#: by :meth:`SuggestionQueries.attached_suggestion_rows`.
_BATCH_ROWS = 'CREATE TABLE rows (doc INTEGER, kind TEXT, label TEXT, start INTEGER, "end" INTEGER, score REAL, run INTEGER)'
_BATCH_INSERT = "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?)"
_ATTACHED_ROWS = 'SELECT doc, kind, label, start, "end", score, run FROM suggest_batch.rows ORDER BY rowid'
_NEW_FROM_ATTACHED = 'INSERT INTO suggestions (doc, kind, label, start, "end", score, run) ' + _ATTACHED_ROWS

#: A rejected span and label: (doc_id, start, end, label).
RejectionKey = tuple[str, int, int, str]


class StoredSuggestion(NamedTuple):
    """One stored suggestion (offsets: code points into the document's text, end-exclusive).

    ``id``: the store's number for it as a string (``"1834"``), or the text id
    it was stored with (``put_suggestions``; the rows of projects made before
    ``m016_suggestions_compact``); empty in a suggestion not stored yet."""

    id: str
    doc_id: str
    kind: str
    label: str
    start: int
    end: int
    score: float
    suggester: str
    claimant_start: int | None = None
    claimant_end: int | None = None
    claimant_text: str | None = None
    detail: dict[str, Any] = {}  # noqa: RUF012 (a NamedTuple default, never mutated)
    created: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data (the CLI's ``--json`` and the suggestions export)."""
        out = self._asdict()
        if self.claimant_start is None:
            for k in ("claimant_start", "claimant_end", "claimant_text"):
                out.pop(k)
        return out


def write_suggestion_rows(path: str | Path, rows: Iterable[Sequence[Any]]) -> None:
    """Write rows ready to store (``(document number, kind, label, start, end,
    score, run)``, as :meth:`SuggestionQueries.refresh_suggestion_rows` takes them)
    into a new SQLite file at ``path``: how a worker process matching a corpus
    hands a batch to the process storing it, which copies them into the project
    in one statement (:meth:`SuggestionQueries.attached_suggestion_rows`) instead of
    binding each row's values from Python.  A private scratch file, read once and
    deleted: no journal and no syncing (a crash loses the batch, which the run
    has not stored yet; the project is never written through it)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(_BATCH_ROWS)
        conn.execute("BEGIN")
        conn.executemany(_BATCH_INSERT, rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _row(r: Sequence[Any]) -> StoredSuggestion:
    return StoredSuggestion._make([*r[:11], json.loads(r[11]) if r[11] else {}, r[12]])


def _split_id(sid: str | None) -> tuple[int | None, str | None]:
    """A suggestion's id as stored: (rowid, None) for the ids the store gives
    (digits, as SQLite's integers go), (None, key) for an id given as other text,
    (None, None) for none (a new suggestion)."""
    if not sid:
        return None, None
    if sid.isascii() and sid.isdigit() and len(sid) <= 18 and sid[0] != "0":
        return int(sid), None
    return None, sid


class SuggestionQueries:
    """Suggestions, rejections and the provenance of accepted suggestions of a
    :class:`~annotator.core.store.Project` (see the module's documentation)."""

    __slots__ = ()

    _q: Callable[..., Rows]
    _q_many: Callable[[str, Iterable[Sequence[Any]]], None]

    # -- suggestions ----------------------------------------------------------
    def has_suggestions_score_index(self) -> bool:
        """Whether the score index is there (it is, but while a corpus run stores)."""
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'suggestions_score'"
        return self._q(sql).fetchone() is not None

    def drop_suggestions_score_index(self) -> None:
        """Drop the score index while a corpus run stores its rows: each row
        inserted in the middle of the index costs as much as the rest of its
        storing, building the index again afterwards a fraction of that
        (:meth:`ensure_suggestions_score_index`); meanwhile the best-first lists
        sort without it.  Inside a transaction."""
        self._q("DROP INDEX IF EXISTS suggestions_score")

    def ensure_suggestions_score_index(self) -> None:
        """Build the score index when it is not there; inside a transaction."""
        self._q(_SCORE_INDEX)

    def _doc_seqs(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """``{document id: its seq}`` of those of ``doc_ids`` that exist."""
        docs = list(doc_ids)
        out: dict[str, int] = {}
        for i in range(0, len(docs), 400):
            part = docs[i : i + 400]
            out.update(self._q(f"SELECT id, seq FROM documents WHERE id IN ({', '.join('?' * len(part))})", part).fetchall())
        return out

    def _run_ids(self) -> Callable[[str, str, str], int]:
        """A function giving the ``suggestion_runs`` row of (suggester, created,
        detail as JSON text), made when new (remembered for the caller's rows)."""
        known: dict[tuple[str, str, str], int] = {}

        def run_id(suggester: str, created: str, detail: str) -> int:
            key = (suggester, created, detail)
            rid = known.get(key)
            if rid is None:
                self._q("INSERT OR IGNORE INTO suggestion_runs (suggester, created, detail) VALUES (?, ?, ?)", key)
                rid = known[key] = self._q(
                    "SELECT id FROM suggestion_runs WHERE suggester = ? AND created = ? AND detail = ?", key
                ).fetchone()[0]
            return rid

        return run_id

    def _params_of(self, rows: Iterable[StoredSuggestion]) -> list[tuple]:
        """The rows as parameters of :data:`_INSERT`; a detail dict shared by many
        rows (a dictionary's term) is serialised once.  Rows of unknown documents
        are left out."""
        encoded: dict[int, tuple[dict[str, Any], str]] = {}
        stamp = now()
        rows = list(rows)
        seqs = self._doc_seqs({s.doc_id for s in rows})
        run_id = self._run_ids()
        out = []
        for s in rows:
            seq = seqs.get(s.doc_id)
            if seq is None:
                continue
            detail = s.detail
            hit = encoded.get(id(detail))
            if hit is None or hit[0] is not detail:
                hit = encoded[id(detail)] = (detail, json.dumps(detail, ensure_ascii=False, sort_keys=True))
            rowid, key = _split_id(s.id)
            run = run_id(s.suggester, s.created or stamp, hit[1])
            out.append((rowid, key, seq, s.kind, s.label, s.start, s.end, s.score, run, *s[8:11]))
        return out

    def replace_suggestions(self, doc_ids: Iterable[str], suggester: str, rows: Iterable[StoredSuggestion]) -> None:
        """Forget ``suggester``'s suggestions of ``doc_ids`` and store ``rows``
        instead (a suggester run again on documents; rows with an empty id get
        new ids); inside a transaction."""
        seqs = self._doc_seqs(doc_ids)
        self._q_many(f"DELETE FROM suggestions AS s WHERE s.doc = ? AND {_OF_SUGGESTER}", [(q, suggester) for q in seqs.values()])
        self._q_many(_INSERT, self._params_of(rows))

    def suggestion_doc_numbers(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """``{document id: its number}`` (``documents.seq``, what a suggestion's row
        holds) of those of ``doc_ids`` that exist: for :meth:`refresh_suggestion_rows`."""
        return self._doc_seqs(doc_ids)

    def has_suggestion_runs(self, suggester: str) -> bool:
        """Whether ``suggester`` has run rows (it stored suggestions before, which
        may still be there): a run of it is then likely a run again."""
        return self._q("SELECT 1 FROM suggestion_runs WHERE suggester = ? LIMIT 1", (suggester,)).fetchone() is not None

    def suggestion_run(self, suggester: str, created: str, detail: str) -> int:
        """The number of the run row of ``suggester`` at time ``created`` whose
        suggestions share ``detail`` (a JSON object's text), made when new; inside
        a transaction.  For :meth:`refresh_suggestion_rows`."""
        return self._run_ids()(suggester, created, detail)

    def forget_suggestion_runs(self, run_ids: Iterable[int]) -> None:
        """Delete these run rows where no suggestion refers to them (a run's rows
        of details none of its suggestions had); inside a transaction."""
        self._q_many(
            "DELETE FROM suggestion_runs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM suggestions WHERE run = ?)",
            [(r, r) for r in run_ids],
        )

    def refresh_suggestions(self, doc_ids: Sequence[str], suggester: str, rows: Sequence[tuple]) -> tuple[int, int]:
        """:meth:`refresh_suggestion_rows` of rows given as ``(id, doc_id, kind,
        label, start, end, score, suggester, detail, created)`` (no claimant;
        ``detail`` a JSON object's text; ``id`` unused: new rows get new ids);
        (how many were deleted, inserted); inside a transaction."""
        numbers = self._doc_seqs(doc_ids)
        run_id = self._run_ids()
        encoded = [(numbers[r[1]], *r[2:7], run_id(r[7], r[9], r[8])) for r in rows if r[1] in numbers]
        return self.refresh_suggestion_rows(numbers.values(), suggester, encoded)

    @contextmanager
    def attached_suggestion_rows(self, path: str | Path) -> Iterator[None]:
        """Attach a file of rows (:func:`write_suggestion_rows`) for
        :meth:`refresh_suggestion_rows` with ``rows=None``, detached after;
        outside a transaction (SQLite attaches only there)."""
        self._q("ATTACH DATABASE ? AS suggest_batch", (str(path),))
        try:
            yield
        finally:
            self._q("DETACH DATABASE suggest_batch")

    def refresh_suggestion_rows(self, doc_numbers: Iterable[int], suggester: str, rows: list[tuple] | None) -> tuple[int, int]:
        """Make ``suggester``'s stored suggestions of the documents numbered
        ``doc_numbers`` (:meth:`suggestion_doc_numbers`) be ``rows``: tuples ready
        to store, with no claimant, ``(document number, kind, label, start, end,
        score, run)``, ``run`` from :meth:`suggestion_run` (a dictionary run builds
        them so, one tuple per suggestion and nothing more, in document order and by
        start within one), touching only what differs: a stored
        suggestion with the same document, kind, label, span, score and detail
        stays as it is (its id and time too), the others go, the new ones come.
        (How many were deleted, inserted); inside a transaction.  Running a
        suggester again over a corpus changes few of its millions of rows; a
        first run stores the rows as given.  ``rows=None``: the rows of the file
        attached with :meth:`attached_suggestion_rows` (a first run copies them
        in one statement)."""
        old: dict[tuple[Any, ...], tuple[int, float, str]] = {}
        gone: list[tuple[int]] = []
        docs = list(doc_numbers)
        for i in range(0, len(docs), 400):
            part = docs[i : i + 400]
            sql = (
                'SELECT s.id, s.doc, s.kind, s.label, s.start, s."end", s.score, r.detail'
                " FROM suggestions s JOIN suggestion_runs r ON r.id = s.run"
                f" WHERE {_OF_SUGGESTER} AND s.doc IN ({', '.join('?' * len(part))})"
            )
            for rid, doc, kind, label, start, end, score, detail in self._q(sql, [suggester, *part]):
                key = (doc, kind, label, start, end)
                if key in old:  # the same span and label twice: one is enough
                    gone.append((rid,))
                else:
                    old[key] = (rid, score, detail)
        if not old and not gone:  # nothing stored before: no comparing
            if rows is None:
                self._q(_NEW_FROM_ATTACHED)
                inserted = self._q("SELECT changes()").fetchone()[0]
            else:
                self._q_many(_NEW_PLAIN, rows)
                inserted = len(rows)
            self._forget_rows_of_gone_documents(docs)
            return 0, inserted
        if rows is None:
            rows = self._q(_ATTACHED_ROWS).fetchall()
        runs = list({r[6] for r in rows})
        details: dict[int, str] = {}
        for i in range(0, len(runs), 400):
            part = runs[i : i + 400]
            details.update(self._q(f"SELECT id, detail FROM suggestion_runs WHERE id IN ({', '.join('?' * len(part))})", part))
        new: list[tuple] = []
        for r in rows:
            have = old.pop(r[:5], None)
            if have is not None:
                if have[1] == r[5] and have[2] == details[r[6]]:
                    continue  # unchanged
                gone.append((have[0],))
            new.append(r)
        gone += [(v[0],) for v in old.values()]
        self._q_many("DELETE FROM suggestions WHERE id = ?", gone)
        self._q_many(_NEW_PLAIN, new)
        self._forget_rows_of_gone_documents(docs)
        return len(gone), len(new)

    @contextmanager
    def suggestions_stored_unchecked(self) -> Iterator[None]:
        """SQLite's foreign key checks off on this connection for the block (a
        corpus run storing millions of rows; outside a transaction, where SQLite
        changes the setting).  The only key a suggestion row has is its document
        (``doc``), and each row's check looked the document up again: about 0.3
        of the 2-2.5 s of copying 1.45 million rows.  Instead
        :meth:`refresh_suggestion_rows` asks once per batch, in its transaction
        (which no other writer can enter), which of the batch's documents are
        gone (deleted by another process since the batch was read) and deletes
        their rows, so no row without its document is ever committed.  The
        setting is this connection's only: other connections (the app) keep
        their checks and their deletes their cascades; restored after the block,
        also after an error (and gone with the connection if the process dies)."""
        was_on = self._q("PRAGMA foreign_keys").fetchone()[0]
        self._q("PRAGMA foreign_keys = OFF")
        try:
            yield
        finally:
            if was_on:
                self._q("PRAGMA foreign_keys = ON")

    def _forget_rows_of_gone_documents(self, doc_numbers: list[int]) -> None:
        """Without foreign key checks (:meth:`suggestions_stored_unchecked`): delete
        the rows of those of ``doc_numbers`` no longer in ``documents``."""
        if self._q("PRAGMA foreign_keys").fetchone()[0]:
            return  # checked by SQLite, row by row
        here: set[int] = set()
        for i in range(0, len(doc_numbers), 400):
            part = doc_numbers[i : i + 400]
            here.update(r[0] for r in self._q(f"SELECT seq FROM documents WHERE seq IN ({', '.join('?' * len(part))})", part))
        gone = [(d,) for d in doc_numbers if d not in here]
        if gone:
            self._q_many("DELETE FROM suggestions WHERE doc = ?", gone)

    def put_suggestions(self, rows: Iterable[StoredSuggestion]) -> None:
        """Store suggestions (replacing any with the same ids; an empty id: a new
        one); inside a transaction."""
        self._q_many(_INSERT, self._params_of(rows))

    def delete_suggestions(self, *, suggester: str | None = None, doc_ids: Iterable[str] | None = None) -> int:
        """Forget stored suggestions (of ``suggester``, of ``doc_ids`` when given;
        rejections and accepted annotations stay); how many; inside a transaction."""
        where, params = self._where(suggester=suggester, doc_ids=doc_ids)
        n = self._q(f"SELECT count(*) FROM suggestions s{where}", params).fetchone()[0]
        self._q(f"DELETE FROM suggestions AS s{where}", params)
        # runs no suggestion refers to any more (cheap to find only when none are left)
        self._q("DELETE FROM suggestion_runs WHERE NOT EXISTS (SELECT 1 FROM suggestions)")
        return n

    @staticmethod
    def _where(
        *,
        annotator: str | None = None,
        doc_ids: Iterable[str] | None = None,
        label: str | None = None,
        kinds: Iterable[str] | None = None,
        min_score: float | None = None,
        suggester: str | None = None,
        ids: Iterable[str] | None = None,
    ) -> tuple[str, list[Any]]:
        """The WHERE clause over ``suggestions s`` (``annotator``: joined with its document as ``d``)."""
        where: list[str] = []
        params: list[Any] = []
        if doc_ids is not None:
            docs = list(doc_ids)
            where.append(f"s.doc IN (SELECT seq FROM documents WHERE id IN ({', '.join('?' * len(docs))}))" if docs else "0")
            params += docs
        if ids is not None:
            rowids: list[int] = []
            keys: list[str] = []
            for sid in ids:
                rowid, key = _split_id(sid)
                if rowid is not None:
                    rowids.append(rowid)
                elif key is not None:
                    keys.append(key)
            either = []
            if rowids:
                either.append(f"s.id IN ({', '.join('?' * len(rowids))})")
            if keys:
                either.append(f"s.key IN ({', '.join('?' * len(keys))})")
            where.append(f"({' OR '.join(either)})" if either else "0")
            params += rowids + keys
        if label is not None:
            where.append("s.label = ?")
            params.append(label)
        if kinds is not None:
            ks = list(kinds)
            where.append(f"s.kind IN ({', '.join('?' * len(ks))})" if ks else "0")
            params += ks
        if min_score is not None:
            where.append("s.score >= ?")
            params.append(min_score)
        if suggester is not None:
            where.append(_OF_SUGGESTER)
            params.append(suggester)
        if annotator is not None:
            where.append(_PENDING)
            params += [annotator, annotator]
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def suggestions(
        self,
        doc_ids: Iterable[str] | None = None,
        *,
        pending_for: str | None = None,
        label: str | None = None,
        kinds: Iterable[str] | None = None,
        min_score: float | None = None,
        suggester: str | None = None,
        ids: Iterable[str] | None = None,
        limit: int | None = None,
        by_score: bool = False,
    ) -> list[StoredSuggestion]:
        """Stored suggestions in document order, then by span (of ``doc_ids``,
        ``label``, ``kinds``, score at least ``min_score``, by ``suggester``,
        with these ``ids``, when given).  ``pending_for``: only those annotator
        has not decided yet (not rejected, not already their annotation).
        ``by_score``: the best-scoring first (then in document order), sorted and
        limited by SQLite along the score index (``m014_suggestions_by_score``):
        the first ``limit`` of millions without reading the rest."""
        if by_score:
            return self._suggestions_by_score(doc_ids, pending_for, label, kinds, min_score, suggester, ids, limit)
        doc_list = None if doc_ids is None else list(doc_ids)
        id_list = None if ids is None else list(ids)
        out: list[StoredSuggestion] = []
        # Many ids or documents: a query per 400, each under SQLite's parameter limit.
        chunks: list[tuple[list[str] | None, list[str] | None]] = [(doc_list, id_list)]
        if doc_list is not None and len(doc_list) > 400:
            chunks = [(doc_list[i : i + 400], id_list) for i in range(0, len(doc_list), 400)]
        elif id_list is not None and len(id_list) > 400:
            chunks = [(doc_list, id_list[i : i + 400]) for i in range(0, len(id_list), 400)]
        for docs, wanted in chunks:
            where, params = self._where(
                annotator=pending_for,
                doc_ids=docs,
                label=label,
                kinds=kinds,
                min_score=min_score,
                suggester=suggester,
                ids=wanted,
            )
            sql = f"SELECT {_SELECT} {_FROM}{where}"
            sql += ' ORDER BY s.doc, s.start, s."end", s.kind, s.label, r.suggester'
            if limit is not None:
                sql += " LIMIT ?"
                params.append(limit - len(out))
            out += [_row(r) for r in self._q(sql, params)]
            if limit is not None and len(out) >= limit:
                break
        if len(chunks) > 1 and id_list is not None and doc_list is None:
            out.sort(key=lambda s: (s.doc_id, s.start, s.end))
        return out

    def _suggestions_by_score(
        self,
        doc_ids: Iterable[str] | None,
        pending_for: str | None,
        label: str | None,
        kinds: Iterable[str] | None,
        min_score: float | None,
        suggester: str | None,
        ids: Iterable[str] | None,
        limit: int | None,
    ) -> list[StoredSuggestion]:
        doc_list = None if doc_ids is None else list(doc_ids)
        if doc_list is not None and len(doc_list) > 400:
            # many documents: each chunk's best, merged (each chunk is limited in SQL)
            out: list[StoredSuggestion] = []
            for i in range(0, len(doc_list), 400):
                out += self._suggestions_by_score(
                    doc_list[i : i + 400], pending_for, label, kinds, min_score, suggester, ids, limit
                )
            out.sort(key=lambda s: -s.score)
            return out if limit is None else out[:limit]
        where, params = self._where(
            annotator=pending_for, doc_ids=doc_list, label=label, kinds=kinds, min_score=min_score, suggester=suggester, ids=ids
        )
        # The score index gives the order; ties keep the table's order (rowid: as stored, by document).
        sql = f"SELECT {_SELECT} {_FROM_BY_SCORE}{where} ORDER BY s.score DESC"
        if doc_list is not None:  # a few documents: their own index is the better way in
            sql = f"SELECT {_SELECT} {_FROM}{where} ORDER BY s.score DESC, s.doc, s.start"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        try:
            return [_row(r) for r in self._q(sql, params)]
        except ProjectError as err:
            if "no such index: suggestions_score" not in str(err):
                raise
        # No score index while a corpus run stores (drop_suggestions_score_index): SQLite sorts, the same order.
        sql = sql.replace(_FROM_BY_SCORE, _FROM, 1).replace("ORDER BY s.score DESC", "ORDER BY s.score DESC, s.id", 1)
        return [_row(r) for r in self._q(sql, params)]

    def suggestion_counts(self, *, pending_for: str | None = None) -> list[tuple[str, str, str, int]]:
        """(kind, label, suggester, count) of the stored suggestions (pending for an annotator, when given)."""
        where, params = self._where(annotator=pending_for)
        sql = f"SELECT s.kind, s.label, r.suggester, count(*) {_FROM}{where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        return [tuple(r) for r in self._q(sql, params)]

    def suggested_document_ids(self, suggester: str | None = None) -> set[str]:
        """The documents holding stored suggestions (of ``suggester``)."""
        sql = "SELECT d.id FROM documents d WHERE EXISTS (SELECT 1 FROM suggestions s WHERE s.doc = d.seq"
        if suggester is None:
            return {r[0] for r in self._q(sql + ")")}
        return {r[0] for r in self._q(f"{sql} AND {_OF_SUGGESTER})", (suggester,))}

    # -- rejections -----------------------------------------------------------
    def suggestion_rejections(self, annotator: str, doc_ids: Iterable[str] | None = None) -> set[RejectionKey]:
        """The spans and labels ``annotator`` rejected ``(doc_id, start, end, label)`` (of ``doc_ids``)."""
        sql = 'SELECT doc_id, start, "end", label FROM suggestion_rejections WHERE annotator = ?'
        params: list[Any] = [annotator]
        if doc_ids is not None:
            docs = list(doc_ids)
            if not docs:
                return set()
            out: set[RejectionKey] = set()
            for i in range(0, len(docs), 400):
                part = docs[i : i + 400]
                q = sql + f" AND doc_id IN ({', '.join('?' * len(part))})"
                out |= {(d, s, e, lab) for d, s, e, lab in self._q(q, [*params, *part])}
            return out
        return {(d, s, e, lab) for d, s, e, lab in self._q(sql, params)}

    def add_suggestion_rejections(self, keys: Iterable[tuple[str, int, int, str, str]], annotator: str) -> None:
        """Remember rejected ``(doc_id, start, end, label, suggester)``; inside a transaction."""
        stamp = now()
        self._q_many(
            'INSERT OR REPLACE INTO suggestion_rejections (doc_id, start, "end", label, annotator, suggester, time) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(d, s, e, lab, annotator, sug, stamp) for d, s, e, lab, sug in keys],
        )

    def remove_suggestion_rejections(self, keys: Iterable[RejectionKey], annotator: str) -> None:
        """Forget rejections (an undo); inside a transaction."""
        self._q_many(
            'DELETE FROM suggestion_rejections WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ? AND annotator = ?',
            [(d, s, e, lab, annotator) for d, s, e, lab in keys],
        )

    # -- provenance of accepted suggestions -------------------------------------
    def put_suggestion_accepts(self, rows: Iterable[tuple[str, StoredSuggestion]]) -> None:
        """Record ``(annotation id, the suggestion it was accepted from)``; inside a transaction."""
        stamp = now()
        self._q_many(
            "INSERT OR REPLACE INTO suggestion_accepts (ann_id, suggestion_id, suggester, score, detail, time) VALUES (?, ?, ?, ?, ?, ?)",
            [(a, s.id, s.suggester, s.score, json.dumps(s.detail, ensure_ascii=False, sort_keys=True), stamp) for a, s in rows],
        )

    def delete_suggestion_accepts(self, ann_ids: Iterable[str]) -> None:
        """Forget the provenance of these annotations (an undo); inside a transaction."""
        self._q_many("DELETE FROM suggestion_accepts WHERE ann_id = ?", [(i,) for i in ann_ids])

    def suggestion_accepts(self, ann_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``{annotation id: {suggestion_id, suggester, score, detail, time}}`` of
        those of ``ann_ids`` that were accepted suggestions."""
        ids = list(ann_ids)
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 400):
            part = ids[i : i + 400]
            sql = "SELECT ann_id, suggestion_id, suggester, score, detail, time FROM suggestion_accepts"
            for a, sid, sug, score, detail, time in self._q(f"{sql} WHERE ann_id IN ({', '.join('?' * len(part))})", part):
                out[a] = {"suggestion_id": sid, "suggester": sug, "score": score, "detail": json.loads(detail), "time": time}
        return out
