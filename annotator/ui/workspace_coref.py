"""Coreference in the annotation workspace (issue 15): the document's clusters,
the current cluster, and the gestures that change clusters.

- Selecting a mention (clicking its span, its row, its entry in the entities
  pane) makes its cluster the *current cluster*; the cluster that was current
  before is remembered as the *other cluster*.
- **Ctrl+K** attaches the selected mention to the current cluster; when the
  mention is in the current cluster already (it was just clicked), to the other
  cluster: click a mention of "Jaiswal", click "he", Ctrl+K.
- **Ctrl+Shift+K** starts a new cluster with the selected mention (out of the
  cluster it was in); the new cluster becomes current and the registry proposes
  entries for it (the entities pane's popup).
- **Ctrl+Alt+K** detaches the selected mention from its cluster.
- **Ctrl+Shift+M** merges the current cluster into the other cluster.

Each is one core command (:mod:`annotator.core.coref_commands`) pushed through
the undo controller, named after what it did (``attach “he” to “Randhir
Jaiswal”``), so Ctrl+Z undoes it and the status bar says what was undone.
:class:`CorefGestures` is a part of :class:`~annotator.ui.workspace.Workspace`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.core.constraints import one_line
from annotator.ui.coref_colors import cluster_colors

if TYPE_CHECKING:
    from annotator.core.coref import Cluster
    from annotator.core.models import Annotation

#: Characters of a mention or cluster name quoted in messages and undo entries.
QUOTED = 30


class CorefGestures:
    """Clusters of the open document (the annotator's) and the gestures on them."""

    def _init_coref(self) -> None:
        #: The document's clusters of this annotator, by id, in the order they were made
        #: (creation time, then id).
        self.clusters: dict[str, Cluster] = {}
        #: Annotation id -> the id of its cluster.
        self.member_of: dict[str, str] = {}
        self.current_cluster_id: str | None = None
        self.other_cluster_id: str | None = None
        #: Whether the chain view is on (the text draws one colour per cluster).
        self.chains_on = False
        #: Cluster id -> its colour (:func:`cluster_colors`), kept with ``clusters``.
        self._colors: dict[str, str] = {}

    # -- reading ---------------------------------------------------------------------
    def _load_clusters(self) -> None:
        project, doc_id = self.project, self.doc_id
        self.clusters, self.member_of = {}, {}
        self.current_cluster_id = self.other_cluster_id = None
        if project is not None and doc_id is not None:
            for cluster in project.clusters(doc_id, self.annotator):
                self._keep(cluster)
            self._order()
        self._show_chains(full=True)
        self.clustersChanged.emit(set(self.clusters))
        self.currentClusterChanged.emit(None)

    def _keep(self, cluster: Cluster) -> None:
        self.clusters[cluster.id] = cluster
        for m in cluster.members:
            self.member_of[m] = cluster.id

    def _order(self) -> None:
        """Clusters in the order they were made (which their colours follow)."""
        self.clusters = dict(sorted(self.clusters.items(), key=lambda kv: (kv[1].created, kv[0])))
        self._colors = cluster_colors(self.clusters)

    def _refresh_clusters(self, ids: set[str]) -> None:
        """Re-read the clusters a change named (None: removed)."""
        project = self.project
        if project is None or not ids:
            return
        touched: set[str] = set()  # mentions whose cluster (so colour) may change
        for cid in ids:
            old = self.clusters.pop(cid, None)
            if old is not None:
                touched.update(old.members)
                for m in old.members:
                    if self.member_of.get(m) == cid:
                        del self.member_of[m]
        old_colors = self._colors
        fresh = project.clusters_by_id(ids)
        for cid in ids:
            cluster = fresh.get(cid)
            if cluster is not None and cluster.doc_id == self.doc_id and cluster.annotator == self.annotator:
                self._keep(cluster)
        self._order()
        if self.current_cluster_id not in self.clusters:
            self.current_cluster_id = None
        if self.other_cluster_id not in self.clusters:
            self.other_cluster_id = None
        recoloured = {c for c in self._colors if c in ids or old_colors.get(c) != self._colors[c]}
        for cid in recoloured:
            touched.update(self.clusters[cid].members)
        self._patch_chains(touched)
        self.clustersChanged.emit(set(ids))
        self.currentClusterChanged.emit(self.current_cluster_id)

    def cluster_mentions(self, cluster_id: str) -> list[Annotation]:
        """The mentions of a cluster shown in this document, in text order."""
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            return []
        anns = [self.anns[m] for m in cluster.members if m in self.anns and self.anns[m].start is not None]
        return sorted(anns, key=lambda a: (a.start, a.end))

    def cluster_title(self, cluster_id: str) -> str:
        """A cluster's canonical name, or the text of its first mention (in the
        order they joined) that is more than a pronoun ("he", "it")."""
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            return ""
        if cluster.name:
            return cluster.name
        texts = [one_line(self.anns[m].text_in(self.text), 60) for m in cluster.members if m in self.anns]
        named = [t for t in texts if sum(ch.isalnum() for ch in t) >= 3]
        return (named or texts or ["(no mentions)"])[0]

    def _quoted(self, ann: Annotation) -> str:
        return f"“{one_line(ann.text_in(self.text), QUOTED)}”"

    def _quoted_cluster(self, cluster_id: str) -> str:
        return f"“{one_line(self.cluster_title(cluster_id), QUOTED)}”"

    # -- current cluster --------------------------------------------------------------
    def set_current_cluster(self, cluster_id: str | None) -> None:
        """Make ``cluster_id`` current (the one current before becomes the other)."""
        if cluster_id is not None and cluster_id not in self.clusters:
            cluster_id = None
        if cluster_id == self.current_cluster_id:
            return
        if self.current_cluster_id is not None and cluster_id is not None:
            self.other_cluster_id = self.current_cluster_id
        self.current_cluster_id = cluster_id
        self._show_current_chain()
        self.currentClusterChanged.emit(cluster_id)

    def _follow_mention(self, ann_id: str | None) -> None:
        """A mention was selected: its cluster becomes current."""
        cid = self.member_of.get(ann_id or "")
        if cid is not None and cid != self.current_cluster_id:
            self.set_current_cluster(cid)
            size = len(self.clusters[cid].members)
            self.message.emit(
                f"Current cluster: {self._quoted_cluster(cid)} ({size} mention{'s' if size != 1 else ''}). "
                "Select another mention and press Ctrl+K to attach it."
            )

    # -- the chain view ---------------------------------------------------------------
    def set_chains_on(self, on: bool) -> None:
        self.chains_on = bool(on)
        self._show_chains(full=True)

    def chain_colors(self) -> dict[str, str]:
        """``{cluster id: colour}`` of the document's clusters."""
        return self._colors

    def _patch_chains(self, ann_ids: set[str]) -> None:
        """The chain view after these mentions changed cluster (or their cluster colour)."""
        if self.chains_on:
            colors = self._colors
            self.view.patch_chain_colors({m: colors.get(self.member_of.get(m, ""), None) for m in ann_ids})
        self._show_current_chain()

    def _show_chains(self, full: bool = False) -> None:
        if not self.chains_on:
            self.view.set_chain_colors(None)
        else:
            colors = self.chain_colors()
            self.view.set_chain_colors({m: colors[cid] for m, cid in self.member_of.items()})
        self._show_current_chain()

    def _show_current_chain(self) -> None:
        cid = self.current_cluster_id
        if cid is None or cid not in self.clusters:
            self.view.set_current_chain([], None)
            return
        color = self.chain_colors().get(cid) if self.chains_on else None
        self.view.set_current_chain([a.id for a in self.cluster_mentions(cid)], color)

    # -- gestures ---------------------------------------------------------------------
    def _selected_mention(self, what: str) -> Annotation | None:
        ann = self.selected()
        if ann is None or self.doc_id is None:
            self.message.emit(f"Select a mention (an entity span) first, then {what}.")
            return None
        if ann.kind != "entity" or ann.span is None:
            self.warning.emit(f"Only entity spans can be coreference mentions; the selected annotation is a {ann.kind}.")
            return None
        return ann

    def attach_to_cluster(self) -> bool:
        """Ctrl+K: the selected mention joins the current cluster (or the other
        cluster, when it is in the current one already)."""
        from annotator.core.coref_commands import AttachMentions

        ann = self._selected_mention("press Ctrl+K to attach it to the current cluster")
        if ann is None or self.doc_id is None:
            return False
        own = self.member_of.get(ann.id)
        target = self.current_cluster_id
        if target is not None and own == target:
            target = self.other_cluster_id
        if target is None or target not in self.clusters:
            if own is not None:
                self.message.emit(
                    f"{self._quoted(ann)} is in {self._quoted_cluster(own)} already; select a mention of another "
                    "cluster first (its cluster becomes current), then this one, then Ctrl+K."
                )
            else:
                self.message.emit("No current cluster: select a mention of a cluster first (or start one with Ctrl+Shift+K).")
            return False
        command = AttachMentions(self.doc_id, self.annotator, target, [ann.id])
        title = self._quoted_cluster(target)
        command.text = f"attach {self._quoted(ann)} to {title}"
        if not self.run(command):
            return False
        self.set_current_cluster(target)
        moved = f" (out of {self._quoted_cluster(own)})" if own is not None and own in self.clusters else ""
        size = len(self.clusters[target].members)
        self.message.emit(f"{self._quoted(ann)} attached to {title}{moved}: {size} mentions. Ctrl+Z undoes.")
        return True

    def new_cluster_from_selection(self) -> str | None:
        """Ctrl+Shift+K: a new cluster with the selected mention; its id."""
        from annotator.core.coref_commands import NewCluster

        ann = self._selected_mention("press Ctrl+Shift+K to start a new cluster with it")
        if ann is None or self.doc_id is None:
            return None
        own = self.member_of.get(ann.id)
        if own is not None and len(self.clusters[own].members) == 1:
            self.message.emit(f"{self._quoted(ann)} is a cluster of its own already.")
            return None
        command = NewCluster(self.doc_id, self.annotator, [ann.id], type=ann.label)
        command.text = f"new cluster {self._quoted(ann)}" if own is None else f"split {self._quoted(ann)} off into a new cluster"
        if not self.run(command):
            return None
        self.set_current_cluster(command.cluster_id)
        self.message.emit(
            f"New cluster {self._quoted(ann)}: select another mention and press Ctrl+K to attach it. Ctrl+Z undoes."
        )
        self.clusterCreated.emit(command.cluster_id)
        return command.cluster_id

    def detach_from_cluster(self, ann_id: str | None = None) -> bool:
        """Ctrl+Alt+K: the selected mention (or ``ann_id``) leaves its cluster."""
        from annotator.core.coref_commands import DetachMentions

        ann = self.anns.get(ann_id) if ann_id else self._selected_mention("press Ctrl+Alt+K to detach it")
        if ann is None or self.doc_id is None:
            return False
        own = self.member_of.get(ann.id)
        if own is None:
            self.message.emit(f"{self._quoted(ann)} is in no cluster.")
            return False
        title = self._quoted_cluster(own)
        command = DetachMentions(self.doc_id, self.annotator, [ann.id])
        command.text = f"detach {self._quoted(ann)} from {title}"
        if not self.run(command):
            return False
        self.message.emit(f"{self._quoted(ann)} detached from {title}. Ctrl+Z undoes.")
        return True

    def split_off(self, ann_id: str) -> str | None:
        """Move ``ann_id`` out of its cluster into a new cluster of its own; its id."""
        from annotator.core.coref_commands import SplitMentions

        ann = self.anns.get(ann_id)
        own = self.member_of.get(ann_id)
        if ann is None or own is None or self.doc_id is None:
            self.message.emit("That mention is in no cluster: nothing to split off.")
            return None
        command = SplitMentions(self.doc_id, self.annotator, [ann_id])
        command.text = f"split {self._quoted(ann)} off {self._quoted_cluster(own)}"
        if not self.run(command):
            return None
        self.set_current_cluster(command.cluster_id)
        self.message.emit(f"{self._quoted(ann)} is a cluster of its own now. Ctrl+Z undoes.")
        return command.cluster_id

    def merge_clusters(self, target_id: str, source_ids: list[str]) -> bool:
        """``target_id`` absorbs ``source_ids`` (one undo step)."""
        from annotator.core.coref_commands import MergeClusters

        sources = [s for s in dict.fromkeys(source_ids) if s != target_id and s in self.clusters]
        if self.doc_id is None or target_id not in self.clusters or not sources:
            self.message.emit("Merging needs two different clusters.")
            return False
        title = self._quoted_cluster(target_id)
        others = ", ".join(self._quoted_cluster(s) for s in sources)
        command = MergeClusters(self.doc_id, self.annotator, target_id, sources)
        command.text = f"merge {others} into {title}"
        if not self.run(command):
            return False
        self.current_cluster_id, self.other_cluster_id = None, None
        self.set_current_cluster(target_id)
        size = len(self.clusters[target_id].members)
        self.message.emit(f"Merged {others} into {title}: {size} mentions. Ctrl+Z undoes.")
        return True

    def merge_current(self) -> bool:
        """Ctrl+Shift+M: the current cluster merges into the other cluster."""
        cur, other = self.current_cluster_id, self.other_cluster_id
        if cur is None or other is None or cur == other:
            self.message.emit(
                "To merge two clusters, select a mention of the first, then a mention of the second, then Ctrl+Shift+M "
                "(or select both in the entities pane)."
            )
            return False
        return self.merge_clusters(other, [cur])

    def update_cluster(self, cluster_id: str, **fields: str | None) -> bool:
        """Rename a cluster, set its type or registry link (one undo step)."""
        from annotator.core.coref_commands import UpdateCluster

        if self.doc_id is None or cluster_id not in self.clusters:
            return False
        title = self._quoted_cluster(cluster_id)
        try:
            command = UpdateCluster(self.doc_id, self.annotator, cluster_id, **fields)  # type: ignore[arg-type]
        except ValueError as err:  # CommandError: nothing to change
            self.warning.emit(str(err))
            return False
        command.text = self._update_text(title, fields)
        return self.run(command)

    def _update_text(self, title: str, fields: dict[str, str | None]) -> str:
        """What an update does, in words (the undo entry)."""
        parts = []
        if "name" in fields:
            name = (fields["name"] or "").strip()
            parts.append(f"rename {title} to “{one_line(name, QUOTED)}”" if name else f"clear the name of {title}")
        if "type" in fields:
            kind = (fields["type"] or "").strip()
            parts.append(f"set the type of {title} to {kind}" if kind else f"clear the type of {title}")
        if "entry_id" in fields:
            entry = self.project.get_registry_entry(fields["entry_id"]) if self.project and fields["entry_id"] else None
            parts.append(
                f"link {title} to the registry entry “{one_line(entry.name, QUOTED)}”"
                if entry is not None
                else f"unlink {title} from the registry"
            )
        return "; ".join(parts)
