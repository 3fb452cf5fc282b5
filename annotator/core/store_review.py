"""The store's bulk row reads and review records, as a mixin of
:class:`~annotator.core.store.Project`: the rows that exports, merges, review and
agreement read many documents at a time, the review decisions, merge provenance
and the history.

Part of the store (with :mod:`annotator.core.store` and
:mod:`annotator.core.projectfile`, the only modules that speak SQL).  Use these
methods on a :class:`~annotator.core.store.Project`; the mixin is not meant to be
used alone.

How it is combined: ``class Project(ReviewQueries)``.  The mixin holds no state
and runs every statement through the two protected helpers below, which
:class:`~annotator.core.store.Project` defines (it owns the connection, its error
translation and :meth:`~annotator.core.store.Project.transaction`):

- ``_q(sql, params)``: run one statement, giving its rows as a
  :class:`~annotator.core.store_sql.Rows` (errors become ProjectErrors);
- ``_q_many(sql, rows)``: run one statement once per parameter row.

As on :class:`~annotator.core.store.Project`, the writes here are to be called
inside :meth:`~annotator.core.store.Project.transaction`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from annotator.core.kinds import now
from annotator.core.rows import ANNOTATION_COLUMNS, AnnotationRow, DocumentRow, as_annotation_rows, as_document_rows
from annotator.core.store_sql import ANN_SELECT, DECISION_SELECT, DOC_SELECT, Rows, decision

__all__ = ["ReviewQueries"]

#: The order of :meth:`ReviewQueries.annotation_rows_by_document` (the store's).
_STORE_ORDER = " ORDER BY rowid"
#: The document id of a stored annotation row.
_doc_id_of = itemgetter(1)


class ReviewQueries:
    """Bulk row reads, review decisions, merge provenance and history of a
    :class:`~annotator.core.store.Project` (see the module's documentation)."""

    __slots__ = ()

    # -- the helpers Project defines (declared here for the type checker) -------
    #: Run one statement; its rows (Project's, through its connection).
    _q: Callable[..., Rows]
    #: Run one statement for each parameter row.
    _q_many: Callable[[str, Iterable[Sequence[Any]]], None]

    # -- bulk row reads (exports, merges, review, agreement) ---------------------
    def document_rows(self, ids: list[str]) -> dict[str, DocumentRow]:
        """Stored rows of the given documents by id, one query per 500 ids; ids not
        in the project are missing from the result.  For bulk readers (exports);
        :func:`~annotator.core.rows.row_to_document` makes a Document of one."""
        out: dict[str, DocumentRow] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            for row in as_document_rows(
                self._q(f"SELECT {DOC_SELECT} FROM documents WHERE id IN ({', '.join('?' * len(part))})", part).fetchall()
            ):
                out[row.id] = row
        return out

    def annotation_rows_by_document(
        self, doc_ids: list[str], annotator: str | None = None, *, ordered: bool = True
    ) -> dict[str, list[AnnotationRow]]:
        """Stored rows of the given documents' annotations (of ``annotator``, or all)
        by document id, each document's in the order :meth:`annotations` gives
        them; one query per 500 documents.  ``ordered=False``: each document's
        in any order, for readers that sort them themselves (the native export;
        SQLite then need not sort every row it reads)."""
        out: dict[str, list[AnnotationRow]] = {}
        order = _STORE_ORDER if ordered else ""
        for i in range(0, len(doc_ids), 500):
            part = doc_ids[i : i + 500]
            sql = f"SELECT {ANN_SELECT} FROM annotations WHERE doc_id IN ({', '.join('?' * len(part))})"
            params: list[Any] = list(part)
            if annotator is not None:
                sql += " AND annotator = ?"
                params.append(annotator)
            rows = as_annotation_rows(self._q(sql + order, params).fetchall())
            for doc_id, group in groupby(rows, _doc_id_of):  # one group per document unless edits interleaved them
                bucket = out.get(doc_id)
                if bucket is None:
                    out[doc_id] = list(group)
                else:
                    bucket.extend(group)
        return out

    def document_annotation_rows(self, doc_id: str) -> list[AnnotationRow]:
        """Stored rows of one document's annotations, by annotator, then in the
        order they were stored."""
        return as_annotation_rows(
            self._q(f"SELECT {ANN_SELECT} FROM annotations WHERE doc_id = ? ORDER BY annotator, rowid", (doc_id,)).fetchall()
        )

    def annotation_rows(self, annotators: Iterable[str] | None = None, scan: bool = False) -> list[AnnotationRow]:
        """Stored rows of the annotations of ``annotators`` (None: everyone's), in
        the order they were stored, for bulk readers (statistics, the review queue).

        ``scan``: read the table from start to end instead of looking the rows up
        through the annotator index and sorting them (same rows, same order; faster
        when ``annotators`` own most of the annotations)."""
        if annotators is None:
            return as_annotation_rows(self._q(f"SELECT {ANN_SELECT} FROM annotations ORDER BY rowid").fetchall())
        names = list(annotators)
        column = "+annotator" if scan else "annotator"  # "+": the index is not used
        return as_annotation_rows(
            self._q(
                f"SELECT {ANN_SELECT} FROM annotations WHERE {column} IN ({', '.join('?' * len(names))}) ORDER BY rowid", names
            ).fetchall()
        )

    def annotation_columns(self, columns: Iterable[str], annotators: Iterable[str], scan: bool = False) -> list[tuple]:
        """Plain rows of only ``columns`` (annotation column names, in the table's order)
        of the annotations of ``annotators``, in the order they were stored (as
        :meth:`annotation_rows`, for bulk readers that need a few columns, such as
        :data:`~annotator.core.rows.AGREEMENT_COLUMNS`)."""
        wanted = list(columns)
        if wanted != [c for c in ANNOTATION_COLUMNS if c in wanted]:
            raise ValueError(f"not annotation columns in the table's order: {', '.join(wanted)}")
        select = ", ".join(f'"{c}"' for c in ANNOTATION_COLUMNS if c in wanted)  # SQL from the known names only
        names = list(annotators)
        column = "+annotator" if scan else "annotator"  # "+": the index is not used
        return self._q(
            f"SELECT {select} FROM annotations WHERE {column} IN ({', '.join('?' * len(names))}) ORDER BY rowid", names
        ).fetchall()

    def linked_document_ids(self, kinds: Iterable[str], annotator: str | None = None) -> set[str]:
        """Ids of the documents holding a link: a relation, or (for the ``kinds``
        given) an event with arguments or a claim with a claimant entity; only
        ``annotator``'s when given."""
        kinds = set(kinds)
        cond = ["kind = 'relation'"]
        if "event" in kinds:
            cond.append("(kind = 'event' AND arguments != '[]')")
        if "claim" in kinds:
            cond.append("(kind = 'claim' AND claimant_ref IS NOT NULL)")
        sql = f"SELECT DISTINCT doc_id FROM annotations WHERE ({' OR '.join(cond)})"
        params: list[Any] = []
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        return {r[0] for r in self._q(sql, params)}

    @staticmethod
    def _kinds_filter(kinds: Iterable[str], annotator: str | None) -> tuple[str, list[Any]]:
        kinds = list(kinds)
        where = f"kind IN ({', '.join('?' * len(kinds))})"
        params: list[Any] = kinds
        if annotator is not None:
            where += " AND annotator = ?"
            params.append(annotator)
        return where, params

    def documents_with_annotations(self, kinds: Iterable[str], annotator: str | None = None) -> set[str]:
        """Ids of the documents with at least one annotation of ``kinds`` (of ``annotator``, when given)."""
        where, params = self._kinds_filter(kinds, annotator)
        return {r[0] for r in self._q(f"SELECT DISTINCT doc_id FROM annotations WHERE {where}", params).fetchall()}

    def documents_with_several_annotators(self, kinds: Iterable[str], annotator: str | None = None) -> dict[str, list[str]]:
        """``{document id: its annotators}`` of the documents whose annotations of
        ``kinds`` (of ``annotator``, when given) are by more than one annotator."""
        where, params = self._kinds_filter(kinds, annotator)
        rows = self._q(
            f"SELECT doc_id, json_group_array(DISTINCT annotator) FROM annotations WHERE {where} "
            "GROUP BY doc_id HAVING count(DISTINCT annotator) > 1",
            params,
        ).fetchall()
        return {d: json.loads(names) for d, names in rows}

    def annotator_counts(self) -> dict[str, int]:
        """``{annotator: number of annotations}`` of everyone with at least one
        (read from the annotator index alone)."""
        return dict(self._q("SELECT annotator, count(*) FROM annotations GROUP BY annotator").fetchall())

    def document_texts(self, ids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """``({id: text}, {id: title})`` of the given documents."""
        texts: dict[str, str] = {}
        titles: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for doc_id, text, title in self._q(
                f"SELECT id, text, title FROM documents WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            ):
                texts[doc_id], titles[doc_id] = text, title
        return texts, titles

    # -- review decisions -------------------------------------------------------
    def has_review_decisions(self) -> bool:
        return bool(self._q("SELECT EXISTS (SELECT 1 FROM review_decisions)").fetchone()[0])

    def review_decisions(self, doc_id: str | None = None) -> list[dict[str, Any]]:
        """Review decisions (of one document, or all), oldest first."""
        sql = DECISION_SELECT
        params: tuple = ()
        if doc_id is not None:
            sql += " WHERE doc_id = ?"
            params = (doc_id,)
        return [decision(r) for r in self._q(sql + " ORDER BY time, rowid", params)]

    def review_decision_exists(self, decision_id: str) -> bool:
        return self._q("SELECT 1 FROM review_decisions WHERE id = ?", (decision_id,)).fetchone() is not None

    # Writes: call only inside :meth:`transaction` (review commands, imports and merges do).
    def put_review_decision(self, d: dict[str, Any]) -> None:
        """Store a review decision (``id``, ``doc_id``, ``reviewer``, ``time``,
        ``action``, optional ``source_ids``, ``gold_id``, ``detail``), replacing one
        with the same id."""
        self._q(
            "INSERT OR REPLACE INTO review_decisions (id, doc_id, reviewer, time, action, source_ids, gold_id, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                d["id"],
                d["doc_id"],
                d["reviewer"],
                d["time"],
                d["action"],
                json.dumps(d.get("source_ids") or [], ensure_ascii=False),
                d.get("gold_id"),
                json.dumps(d.get("detail") or {}, ensure_ascii=False, sort_keys=True),
            ),
        )

    def delete_review_decision(self, decision_id: str) -> None:
        self._q("DELETE FROM review_decisions WHERE id = ?", (decision_id,))

    # -- merge provenance -----------------------------------------------------
    def merged_stamps(self, origin: str, ann_ids: Iterable[str]) -> dict[str, str]:
        """``{annotation id: when it was last merged}`` of those of ``ann_ids`` that a
        merge of ``origin`` brought (one query per 500 ids)."""
        ids = list(ann_ids)
        out: dict[str, str] = {}
        for k in range(0, len(ids), 500):
            part = ids[k : k + 500]
            out.update(
                self._q(
                    f"SELECT ann_id, merged FROM merge_provenance WHERE origin = ? AND ann_id IN ({', '.join('?' * len(part))})",
                    [origin, *part],
                ).fetchall()
            )
        return out

    def remember_merged(self, ann_ids: Iterable[str], origin: str, stamp: str) -> None:
        """Record that a merge of ``origin`` at ``stamp`` brought (or confirmed) these
        annotations; call inside :meth:`transaction`."""
        self._q_many(
            "INSERT OR REPLACE INTO merge_provenance (ann_id, origin, merged) VALUES (?, ?, ?)",
            [(i, origin, stamp) for i in ann_ids],
        )

    def forget_merged(self, ann_ids: Iterable[str]) -> None:
        """Drop the merge provenance of these annotations; call inside :meth:`transaction`."""
        self._q_many("DELETE FROM merge_provenance WHERE ann_id = ?", [(i,) for i in ann_ids])

    # -- history --------------------------------------------------------------
    def log(self, actor: str, doc_id: str | None, action: str, detail: dict[str, Any] | None = None) -> None:
        self._q(
            "INSERT INTO history (time, actor, doc_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            (now(), actor, doc_id, action, json.dumps(detail or {}, ensure_ascii=False)),
        )

    def history(self, doc_id: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        sql = "SELECT seq, time, actor, doc_id, action, detail FROM history"
        params: tuple = ()
        if doc_id:
            sql += " WHERE doc_id = ?"
            params = (doc_id,)
        rows = self._q(sql + " ORDER BY seq DESC LIMIT ?", params + (limit,)).fetchall()
        return [
            {"seq": r[0], "time": r[1], "actor": r[2], "doc_id": r[3], "action": r[4], "detail": json.loads(r[5])} for r in rows
        ]
