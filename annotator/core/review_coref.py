"""Curating gold coreference clusters in review (issue 15), beyond accepting a
whole cluster (:class:`~annotator.core.review.AcceptCluster`):

- :class:`AddToGoldCluster` — put one mention into a gold cluster (or a new
  one).  The mention may be an annotator's: the gold annotation of the same span
  is reused, or copied into gold when gold lacks that span, exactly as accepting
  an annotation does.  Or it may be a gold mention already (moved between gold
  clusters).
- :class:`RemoveFromGoldCluster` — take gold mentions out of their gold cluster
  (the gold annotations stay; only their cluster membership goes).
- :class:`LinkGoldCluster` — set or clear a gold cluster's registry entry.

Each is one undoable :class:`~annotator.core.review.ReviewCommand` on the gold
layer, recorded as a review decision (``add_to_gold_cluster``,
``remove_from_gold_cluster``, ``link_gold_cluster``).  A gold cluster left
without mentions is deleted, and gold claimants and arguments that named it
(``cluster:<id>``) are cleared; undo brings all of it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.core.commands import CommandError, clear_cluster_refs
from annotator.core.coref import Cluster
from annotator.core.models import GOLD, Annotation
from annotator.core.review import GoldLayer, ReviewCommand

if TYPE_CHECKING:
    from annotator.core.store import Project

__all__ = ["AddToGoldCluster", "RemoveFromGoldCluster", "LinkGoldCluster"]


class _GoldClusterCommand(ReviewCommand):
    """Plans the gold rows and the gold clusters together (emptied clusters clear
    the gold claimants and arguments naming them)."""

    def __init__(self, doc_id: str, reviewer: str):
        super().__init__(doc_id, reviewer)
        self._clusters: dict[str, Cluster | None] = {}

    def plan_clusters(self, project: Project, rows: dict[str, Annotation | None]) -> dict[str, Cluster | None]:
        return self._clusters

    def _gold_cluster(self, project: Project, cluster_id: str) -> Cluster:
        cluster = self._clusters[cluster_id] if cluster_id in self._clusters else project.get_cluster(cluster_id)
        if cluster is None:
            raise CommandError(f"gold cluster {cluster_id} does not exist (deleted elsewhere?)")
        if cluster.doc_id != self.doc_id:
            raise CommandError("that cluster is not in this document")
        if cluster.annotator != GOLD:
            raise CommandError("that cluster is not in the gold layer")
        return cluster

    def _take_out(self, project: Project, gold_ids: list[str], keep: str | None = None) -> list[str]:
        """Take ``gold_ids`` out of the gold clusters holding them (but ``keep``);
        the ids of the clusters they were in."""
        holders = project.clusters_of_annotations(gold_ids)
        left: list[str] = []
        for gid in gold_ids:
            cid = holders.get(gid)
            if cid is None or cid == keep:
                continue
            cluster = self._gold_cluster(project, cid)
            members = [m for m in cluster.members if m != gid]
            self._clusters[cid] = cluster.with_(members=members) if members else None
            left.append(cid)
        return left

    def _clear_refs(self, gold: GoldLayer) -> None:
        """Gold claimants and arguments naming a cluster this command deletes are cleared."""
        gone = {cid for cid, c in self._clusters.items() if c is None}
        if not gone:
            return
        for ann in gold.all():
            if ann.kind in ("claim", "event"):
                new = clear_cluster_refs(ann, gone)
                if new is not ann:
                    gold.put(new)


class AddToGoldCluster(_GoldClusterCommand):
    """Put the mention ``ann_id`` (an annotator's, or gold's) into the gold cluster
    ``cluster_id``; ``cluster_id`` None starts a new gold cluster with it (its id
    is :attr:`new_cluster_id`).  The gold mention leaves any other gold cluster."""

    action = "add_to_gold_cluster"

    def __init__(self, doc_id: str, reviewer: str, ann_id: str, cluster_id: str | None):
        super().__init__(doc_id, reviewer)
        self.ann_id = ann_id
        self.cluster_id = cluster_id
        self.new_cluster_id: str | None = None
        self.text = "add mention to gold cluster" if cluster_id else "new gold cluster"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        self._clusters = {}
        gold = GoldLayer(project, self.doc_id)
        ann = project.get_annotation(self.ann_id)
        if ann is None or ann.doc_id != self.doc_id:
            raise CommandError(f"annotation {self.ann_id} is not in this document (deleted elsewhere?)")
        if ann.span is None:
            raise CommandError("only a span can be a mention")
        target = self._gold_cluster(project, self.cluster_id) if self.cluster_id else None
        if ann.annotator == GOLD:
            gid = ann.id
            source_ids: list[str] = []
        else:
            gid = gold.ensure(gold.source(ann.id))
            source_ids = [ann.id]
        if target is not None and gid in target.members:
            raise CommandError("the gold cluster has this mention already")
        self._take_out(project, [gid], keep=None)
        if target is not None:
            self._clusters[target.id] = target.with_(members=[*target.members, gid])
            cid = target.id
        else:
            new = Cluster(doc_id=self.doc_id, annotator=GOLD, members=(gid,))
            self._clusters[new.id] = new
            self.new_cluster_id = cid = new.id
        self._clear_refs(gold)
        who = f"{ann.annotator}'s mention" if ann.annotator != GOLD else "gold mention"
        self.text = f"add {who} to gold cluster" if target is not None else f"new gold cluster from {who}"
        self.decide(self.action, source_ids, gid, cluster=cid, annotator=ann.annotator)
        return gold.rows


class RemoveFromGoldCluster(_GoldClusterCommand):
    """Take gold mentions out of their gold cluster (the gold annotations stay)."""

    action = "remove_from_gold_cluster"

    def __init__(self, doc_id: str, reviewer: str, ann_ids: list[str]):
        super().__init__(doc_id, reviewer)
        self.ann_ids = list(dict.fromkeys(ann_ids))
        self.text = (
            "remove mention from gold cluster"
            if len(self.ann_ids) == 1
            else f"remove {len(self.ann_ids)} mentions from gold clusters"
        )

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        self._clusters = {}
        if not self.ann_ids:
            raise CommandError("no mention to remove")
        for aid in self.ann_ids:
            ann = project.get_annotation(aid)
            if ann is None or ann.doc_id != self.doc_id:
                raise CommandError(f"annotation {aid} is not in this document (deleted elsewhere?)")
            if ann.annotator != GOLD:
                raise CommandError("only a gold mention can be removed from a gold cluster")
        gold = GoldLayer(project, self.doc_id)
        left = self._take_out(project, self.ann_ids)
        if not left:
            raise CommandError("the mention is in no gold cluster")
        self._clear_refs(gold)
        for aid in self.ann_ids:
            self.decide(self.action, [], aid, clusters=left)
        return gold.rows


class LinkGoldCluster(_GoldClusterCommand):
    """Link the gold cluster ``cluster_id`` to the registry entry ``entry_id``
    (None: unlink)."""

    action = "link_gold_cluster"

    def __init__(self, doc_id: str, reviewer: str, cluster_id: str, entry_id: str | None):
        super().__init__(doc_id, reviewer)
        self.cluster_id = cluster_id
        self.entry_id = entry_id or None
        self.text = "link gold cluster to the registry" if self.entry_id else "unlink gold cluster from the registry"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        self._clusters = {}
        cluster = self._gold_cluster(project, self.cluster_id)
        if self.entry_id is not None and project.get_registry_entry(self.entry_id) is None:
            raise CommandError(f"registry entry {self.entry_id} does not exist (deleted elsewhere?)")
        if cluster.entry_id == self.entry_id:
            raise CommandError(
                "the gold cluster is linked to that entry already" if self.entry_id else "the gold cluster is linked to no entry"
            )
        self._clusters[cluster.id] = cluster.with_(entry_id=self.entry_id)
        self.decide(self.action, [], None, cluster=cluster.id, entry=self.entry_id, before=cluster.entry_id)
        return {}
