"""The store's coreference records (issue 15), as a mixin of
:class:`~annotator.core.store.Project`: entity clusters and their members, the
project-wide entity registry, and the bulk reads exports and agreement need.

Part of the store (the only modules that speak SQL); combined as
``class Project(CorefQueries, ReviewQueries)`` and run through Project's
protected helpers ``_q`` and ``_q_many``, as :mod:`annotator.core.store_review`.
Writes are to be called inside :meth:`~annotator.core.store.Project.transaction`
(commands do it; see :mod:`annotator.core.coref_commands`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from annotator.core.store_sql import Rows

if TYPE_CHECKING:  # the dataclasses: imported by the reads that make them (not needed to show a document)
    from annotator.core.coref import Cluster, RegistryEntry

__all__ = ["CorefQueries", "span_key", "CLUSTER_SELECT", "ENTRY_SELECT", "cluster_from_row", "entry_from_row"]

CLUSTER_SELECT = "SELECT id, doc_id, annotator, name, type, entry_id, created, updated FROM coref_clusters"


def cluster_from_row(r: Sequence[Any], members: Iterable[str]) -> Cluster:
    """A cluster from a row of :data:`CLUSTER_SELECT` and its members' annotation ids."""
    from annotator.core.coref import Cluster

    return Cluster(
        id=r[0],
        doc_id=r[1],
        annotator=r[2],
        name=r[3],
        type=r[4],
        entry_id=r[5],
        created=r[6],
        updated=r[7],
        members=tuple(members),
    )


#: A member row with its mention's span (kept current by the triggers of m013_coref).
_MEMBER_INSERT = (
    'INSERT INTO coref_members (cluster_id, ann_id, position, start, "end") VALUES (?, ?, ?, '
    '(SELECT start FROM annotations WHERE id = ?), (SELECT "end" FROM annotations WHERE id = ?))'
)
#: A cluster's span keys as ``coref_clusters.spans`` keeps them (see m015_coref_span_lists),
#: counted from its members (``m``).
_SPAN_KEYS = "COALESCE(group_concat((m.start << 32) | m.\"end\", ','), '')"
#: The span list of cluster ``c`` (a row of ``coref_clusters c``): stored, or counted when unknown.
_CLUSTER_SPANS = (
    f"COALESCE(c.spans, (SELECT {_SPAN_KEYS} FROM coref_members m WHERE m.cluster_id = c.id AND m.start IS NOT NULL))"
)
#: Store the span list of cluster ``?`` (the id twice).
_SPANS_UPDATE = (
    f"UPDATE coref_clusters SET spans = (SELECT {_SPAN_KEYS} FROM coref_members m "
    "WHERE m.cluster_id = ? AND m.start IS NOT NULL) WHERE id = ?"
)
ENTRY_SELECT = "SELECT id, name, type, aliases, description, links, created, updated FROM coref_registry"


def entry_from_row(r: Sequence[Any]) -> RegistryEntry:
    """A registry entry from a row of :data:`ENTRY_SELECT`."""
    from annotator.core.coref import RegistryEntry

    return RegistryEntry(
        id=r[0],
        name=r[1],
        type=r[2],
        aliases=tuple(json.loads(r[3])),
        description=r[4],
        links=tuple(json.loads(r[5])),
        created=r[6],
        updated=r[7],
    )


def _chunks(ids: Sequence[str], n: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), n):
        yield ids[i : i + n]


def span_key(start: int, end: int) -> str:
    """The key of a mention's span in :meth:`CorefQueries.cluster_span_keys`."""
    return str((start << 32) | end)


class CorefQueries:
    """Clusters, members and the registry of a :class:`~annotator.core.store.Project`."""

    __slots__ = ()

    _q: Callable[..., Rows]
    _q_many: Callable[[str, Iterable[Sequence[Any]]], None]

    # -- clusters: reads -------------------------------------------------------
    def _clusters_where(self, where: str, params: Sequence[Any]) -> list[Cluster]:
        heads = self._q(f"{CLUSTER_SELECT} WHERE {where} ORDER BY rowid", params).fetchall()
        if not heads:
            return []
        members: dict[str, list[str]] = defaultdict(list)
        ids = [h[0] for h in heads]
        for part in _chunks(ids):
            rows = self._q(
                f"SELECT cluster_id, ann_id FROM coref_members WHERE cluster_id IN ({', '.join('?' * len(part))}) "
                "ORDER BY cluster_id, position",
                part,
            )
            for cid, ann_id in rows:
                members[cid].append(ann_id)
        return [cluster_from_row(h, members.get(h[0], ())) for h in heads]

    def clusters(self, doc_id: str, annotator: str | None = None) -> list[Cluster]:
        """The clusters of a document (of ``annotator``, or of everyone), in the
        order they were made."""
        if annotator is None:
            return self._clusters_where("doc_id = ?", (doc_id,))
        return self._clusters_where("doc_id = ? AND annotator = ?", (doc_id, annotator))

    def get_cluster(self, cluster_id: str) -> Cluster | None:
        found = self._clusters_where("id = ?", (cluster_id,))
        return found[0] if found else None

    def clusters_by_id(self, cluster_ids: Iterable[str]) -> dict[str, Cluster]:
        """Stored clusters of those of ``cluster_ids`` that are stored, by id."""
        ids = list(cluster_ids)
        out: dict[str, Cluster] = {}
        for part in _chunks(ids):
            for c in self._clusters_where(f"id IN ({', '.join('?' * len(part))})", part):
                out[c.id] = c
        return out

    def cluster_of(self, ann_id: str) -> Cluster | None:
        """The cluster ``ann_id`` belongs to (None: in no cluster)."""
        row = self._q("SELECT cluster_id FROM coref_members WHERE ann_id = ?", (ann_id,)).fetchone()
        return self.get_cluster(row[0]) if row else None

    def clusters_of_annotations(self, ann_ids: Iterable[str]) -> dict[str, str]:
        """``{annotation id: its cluster's id}`` of those of ``ann_ids`` in a cluster."""
        ids = list(ann_ids)
        out: dict[str, str] = {}
        for part in _chunks(ids):
            out.update(
                self._q(
                    f"SELECT ann_id, cluster_id FROM coref_members WHERE ann_id IN ({', '.join('?' * len(part))})", part
                ).fetchall()
            )
        return out

    def clusters_by_document(self, doc_ids: Sequence[str], annotators: Iterable[str] | None = None) -> dict[str, list[Cluster]]:
        """``{document id: its clusters}`` (of ``annotators``, or everyone's) for
        bulk readers (exports, agreement): two queries per 500 documents."""
        names = None if annotators is None else list(annotators)
        out: dict[str, list[Cluster]] = defaultdict(list)
        for part in _chunks(list(doc_ids)):
            where = f"doc_id IN ({', '.join('?' * len(part))})"
            params: list[Any] = list(part)
            if names is not None:
                if not names:
                    return {}
                where += f" AND annotator IN ({', '.join('?' * len(names))})"
                params += names
            for c in self._clusters_where(where, params):
                out[c.doc_id].append(c)
        return dict(out)

    def has_clusters(self) -> bool:
        """Whether the project holds any cluster."""
        return self._q("SELECT 1 FROM coref_clusters LIMIT 1").fetchone() is not None

    def has_registry_entries(self) -> bool:
        """Whether the project's registry holds any entry."""
        return self._q("SELECT 1 FROM coref_registry LIMIT 1").fetchone() is not None

    def clusters_linked_to(self, entry_id: str) -> list[Cluster]:
        """Every cluster (of any document) linked to a registry entry."""
        return self._clusters_where("entry_id = ?", (entry_id,))

    def annotations_referring_to(self, refs: Iterable[str]) -> list[str]:
        """Ids of the claims and events whose claimant or an argument is one of
        ``refs`` (actor references, ``cluster:...`` / ``entry:...``)."""
        wanted = list(refs)
        if not wanted:
            return []
        found: list[str] = []
        for part in _chunks(wanted, 200):
            marks = ", ".join("?" * len(part))
            sql = (
                f"SELECT id FROM annotations WHERE (kind = 'claim' AND claimant_ref IN ({marks})) OR "
                f"(kind = 'event' AND EXISTS (SELECT 1 FROM json_each(arguments) a "
                f"WHERE json_extract(a.value, '$.target') IN ({marks})))"
            )
            found += [r[0] for r in self._q(sql, [*part, *part])]
        return sorted(set(found))

    def cluster_span_keys(self, annotators: Sequence[str]) -> Iterator[tuple[str, str, str]]:
        """``(document id, annotator, spans)`` of every cluster of ``annotators``,
        its mentions' spans as decimal keys ``start * 2**32 + end`` (see
        :func:`span_key`) joined by ``","`` (one row per cluster, no row per
        mention: coreference agreement reads millions of mentions this way;
        ``spans.split(",")`` gives one key per mention, equal for equal spans).
        Clusters without a mention left (all their annotations went) are left out.
        The list is the one stored with the cluster (``coref_clusters.spans``), or,
        where a mention's span changed since, counted from ``coref_members``."""
        names = list(annotators)
        if not names:
            return iter(())
        # one row per cluster: its stored span list, or (not known since a mention's
        # span changed) the list counted from its members
        rows = self._q(
            f"SELECT doc_id, annotator, {_CLUSTER_SPANS} FROM coref_clusters c "
            f"WHERE annotator IN ({', '.join('?' * len(names))})",
            names,
        ).fetchall()
        return iter([r for r in rows if r[2]])

    def document_span_lists(self, annotators: Sequence[str]) -> list[tuple[str, str, str]]:
        """``(document id, annotator, clusters)`` per document and annotator of
        ``annotators``: the span lists of :meth:`cluster_span_keys` of its clusters
        joined by ``";"`` (one row per document and annotator: grouped by SQLite,
        so the reader makes one list per cluster with ``split`` and nothing else).
        Clusters without a mention left are left out."""
        names = list(annotators)
        if not names:
            return []
        rows = self._q(
            f"SELECT doc_id, annotator, group_concat(NULLIF({_CLUSTER_SPANS}, ''), ';') FROM coref_clusters c "
            f"WHERE annotator IN ({', '.join('?' * len(names))}) GROUP BY doc_id, annotator",
            names,
        ).fetchall()
        return [r for r in rows if r[2]]

    # -- clusters: writes ------------------------------------------------------
    def put_cluster(self, cluster: Cluster) -> None:
        """Store a cluster with its members, replacing any stored under its id."""
        self.delete_clusters([cluster.id])
        self._q(
            "INSERT INTO coref_clusters (id, doc_id, annotator, name, type, entry_id, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cluster.id,
                cluster.doc_id,
                cluster.annotator,
                cluster.name,
                cluster.type,
                cluster.entry_id,
                cluster.created,
                cluster.updated,
            ),
        )
        self._q_many(_MEMBER_INSERT, [(cluster.id, m, i, m, m) for i, m in enumerate(cluster.members)])
        self._q(_SPANS_UPDATE, (cluster.id, cluster.id))

    def put_clusters(self, clusters: Iterable[Cluster]) -> None:
        """Store many clusters (imports): as :meth:`put_cluster`, in bulk."""
        items = list(clusters)
        if not items:
            return
        self.delete_clusters([c.id for c in items])
        self._q_many(
            "INSERT INTO coref_clusters (id, doc_id, annotator, name, type, entry_id, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(c.id, c.doc_id, c.annotator, c.name, c.type, c.entry_id, c.created, c.updated) for c in items],
        )
        self._q_many(_MEMBER_INSERT, [(c.id, m, i, m, m) for c in items for i, m in enumerate(c.members)])
        self._q_many(_SPANS_UPDATE, [(c.id, c.id) for c in items])

    def delete_clusters(self, cluster_ids: Iterable[str]) -> None:
        """Delete clusters (their members go with them)."""
        self._q_many("DELETE FROM coref_clusters WHERE id = ?", [(i,) for i in cluster_ids])

    # -- the registry ------------------------------------------------------------
    def registry_entries(self) -> list[RegistryEntry]:
        """Every registry entry, by name (case-folded)."""
        entries = [entry_from_row(r) for r in self._q(ENTRY_SELECT)]
        return sorted(entries, key=lambda e: (e.name.casefold(), e.id))

    def get_registry_entry(self, entry_id: str) -> RegistryEntry | None:
        row = self._q(f"{ENTRY_SELECT} WHERE id = ?", (entry_id,)).fetchone()
        return entry_from_row(row) if row else None

    def put_registry_entry(self, entry: RegistryEntry) -> None:
        """Store an entry, replacing any stored under its id."""
        self.put_registry_entries([entry])

    def put_registry_entries(self, entries: Iterable[RegistryEntry]) -> None:
        self._q_many(
            "INSERT OR REPLACE INTO coref_registry (id, name, type, aliases, description, links, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.id,
                    e.name,
                    e.type,
                    json.dumps(list(e.aliases), ensure_ascii=False),
                    e.description,
                    json.dumps(list(e.links), ensure_ascii=False, sort_keys=True),
                    e.created,
                    e.updated,
                )
                for e in entries
            ],
        )

    def delete_registry_entries(self, entry_ids: Iterable[str]) -> None:
        self._q_many("DELETE FROM coref_registry WHERE id = ?", [(i,) for i in entry_ids])

    def registry_usage(self) -> dict[str, tuple[int, int, int]]:
        """``{entry id: (documents, clusters, mentions)}`` linked to each entry
        (entries linked nowhere are absent)."""
        sql = (
            "SELECT c.entry_id, count(DISTINCT c.doc_id), count(DISTINCT c.id), count(m.ann_id) "
            "FROM coref_clusters c LEFT JOIN coref_members m ON m.cluster_id = c.id "
            "WHERE c.entry_id IS NOT NULL GROUP BY c.entry_id"
        )
        return {r[0]: (r[1], r[2], r[3]) for r in self._q(sql)}

    def registry_documents(self, entry_id: str) -> list[tuple[str, str, int]]:
        """``(document id, title, mentions)`` of the documents with a cluster linked
        to ``entry_id``, in import order."""
        sql = (
            "SELECT d.id, d.title, count(m.ann_id) FROM coref_clusters c JOIN documents d ON d.id = c.doc_id "
            "LEFT JOIN coref_members m ON m.cluster_id = c.id WHERE c.entry_id = ? GROUP BY d.id ORDER BY d.seq"
        )
        return [(r[0], r[1], r[2]) for r in self._q(sql, (entry_id,))]
