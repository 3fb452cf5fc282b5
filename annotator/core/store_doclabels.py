"""The store's document labels (issue 14), as a mixin of
:class:`~annotator.core.store.Project`: reading and writing the ``doc_labels``
table (migration ``m008_doc_labels``).

Part of the store (the modules that speak SQL); use these methods on a
:class:`~annotator.core.store.Project`.  Like
:class:`~annotator.core.store_review.ReviewQueries`, the mixin holds no state and
runs every statement through ``Project``'s protected helpers ``_q`` and
``_q_many``; the writes are to be called inside
:meth:`~annotator.core.store.Project.transaction`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from annotator.core.store_sql import Rows

if TYPE_CHECKING:
    from annotator.core.doclabels import DocLabelRow, DocLabels
    from annotator.core.schema import LabelSchema

__all__ = ["DocLabelQueries"]

_SELECT = "SELECT doc_id, annotator, category, label, source, time FROM doc_labels"


class DocLabelQueries:
    """Document labels of a :class:`~annotator.core.store.Project` (see the module's documentation)."""

    __slots__ = ()

    _q: Callable[..., Rows]
    _q_many: Callable[[str, Iterable[Sequence[Any]]], None]

    def doc_label_rows(self, doc_ids: Iterable[str] | None = None, annotators: Iterable[str] | None = None) -> list[DocLabelRow]:
        """Stored document labels of ``doc_ids`` (None: every document) by
        ``annotators`` (None: everyone), in the order they were set."""
        from annotator.core.doclabels import DocLabelRow  # not needed to open a project

        where: list[str] = []
        params: list[Any] = []
        if annotators is not None:
            names = list(annotators)
            if not names:
                return []
            where.append(f"annotator IN ({', '.join('?' * len(names))})")
            params += names
        if doc_ids is None:
            sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY rowid"
            return [DocLabelRow(*r) for r in self._q(sql, params).fetchall()]
        ids = list(doc_ids)
        out: list[DocLabelRow] = []
        filters = "".join(f" AND {w}" for w in where)
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            sql = f"{_SELECT} WHERE doc_id IN ({', '.join('?' * len(part))}){filters} ORDER BY rowid"
            out += [DocLabelRow(*r) for r in self._q(sql, [*part, *params]).fetchall()]
        return out

    def doc_labels(self, doc_id: str, annotator: str, schema: LabelSchema | None = None) -> DocLabels:
        """``{category: [labels]}`` of one document by one annotator (schema order when given)."""
        from annotator.core.doclabels import grouped

        return grouped(self.doc_label_rows([doc_id], [annotator]), schema)

    def doc_labels_by_document(
        self, doc_ids: Iterable[str] | None = None, annotators: Iterable[str] | None = None, schema: LabelSchema | None = None
    ) -> dict[str, dict[str, DocLabels]]:
        """``{doc_id: {annotator: {category: [labels]}}}`` (documents without any left out)."""
        from annotator.core.doclabels import by_document

        return by_document(self.doc_label_rows(doc_ids, annotators), schema)

    def doc_label_layers(self, annotator: str | None = None) -> dict[str, set[str]]:
        """``{doc_id: {annotators}}`` of the documents with document labels (of ``annotator`` only, when given)."""
        sql = "SELECT DISTINCT doc_id, annotator FROM doc_labels"
        params: list[Any] = []
        if annotator is not None:
            sql += " WHERE annotator = ?"
            params.append(annotator)
        out: dict[str, set[str]] = {}
        for doc_id, name in self._q(sql, params).fetchall():
            out.setdefault(doc_id, set()).add(name)
        return out

    def doc_label_annotators(self) -> set[str]:
        """Everyone with at least one document label."""
        return {r[0] for r in self._q("SELECT DISTINCT annotator FROM doc_labels").fetchall()}

    # Writes: inside :meth:`~annotator.core.store.Project.transaction`.
    def put_doc_label_rows(self, rows: Iterable[DocLabelRow]) -> None:
        """Store document label rows, replacing any with the same (document, annotator, category, label)."""
        self._q_many(
            "INSERT OR REPLACE INTO doc_labels (doc_id, annotator, category, label, source, time) VALUES (?, ?, ?, ?, ?, ?)",
            [tuple(r) for r in rows],
        )

    def delete_doc_label_rows(self, rows: Iterable[DocLabelRow]) -> None:
        """Delete these document labels (matched by document, annotator, category and label)."""
        self._q_many(
            "DELETE FROM doc_labels WHERE doc_id = ? AND annotator = ? AND category = ? AND label = ?",
            [(r.doc_id, r.annotator, r.category, r.label) for r in rows],
        )

    def delete_doc_labels_of(self, doc_ids: Iterable[str], annotator: str) -> None:
        """Delete every document label of ``annotator`` on these documents."""
        self._q_many("DELETE FROM doc_labels WHERE doc_id = ? AND annotator = ?", [(d, annotator) for d in doc_ids])
