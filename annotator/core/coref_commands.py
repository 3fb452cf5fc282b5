"""Coreference commands (issue 15): every change of clusters and of the entity
registry, each undoable, applied in one transaction like every command
(:func:`annotator.core.commands.apply` / :func:`~annotator.core.commands.revert`).

Clusters (one document, one annotator: the command's ``actor``):

- :class:`NewCluster` — a new cluster with the given mentions (moved out of any
  cluster they were in);
- :class:`AttachMentions` — add mentions to a cluster (moved out of their cluster);
- :class:`DetachMentions` — take mentions out of their clusters;
- :class:`SplitMentions` — move mentions out of their cluster into a new one;
- :class:`MergeClusters` — one cluster absorbs others (claimants and arguments
  naming those name it);
- :class:`UpdateCluster` — canonical name, type, registry link;
- :class:`DeleteCluster` — the cluster goes, its mentions stay.

A cluster left without mentions is deleted; claimants and arguments that named it
(``cluster:<id>``) are cleared, and all of it comes back on undo.  Deleting an
annotation (:class:`~annotator.core.commands.DeleteAnnotations`) takes it out of
its cluster in the same way.

Registry (project-wide; ``doc_id`` is the document the user acted from, or None):
:class:`AddRegistryEntry`, :class:`UpdateRegistryEntry`,
:class:`DeleteRegistryEntry` (unlinks its clusters and clears claimants and
arguments naming ``entry:<id>``, in every document).

Each returns :class:`~annotator.core.commands.Changes` with ``clusters`` (ids of
the clusters added, changed or removed in ``doc_id``) and ``registry`` (ids of
entries); rows of annotations whose claimant or arguments changed are in
``updated``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from annotator.core.commands import Changes, Command, CommandError, clear_cluster_refs, same_annotation, stamped
from annotator.core.coref import Cluster, RegistryEntry, cluster_ref, entry_ref, parse_actor_ref
from annotator.core.store import ConflictError, Project

if TYPE_CHECKING:
    from annotator.core.models import Annotation

__all__ = [
    "NewCluster",
    "AttachMentions",
    "DetachMentions",
    "SplitMentions",
    "MergeClusters",
    "UpdateCluster",
    "DeleteCluster",
    "AddRegistryEntry",
    "UpdateRegistryEntry",
    "DeleteRegistryEntry",
    "UNSET",
]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Leave this field as it is" for :class:`UpdateCluster` and :class:`UpdateRegistryEntry`.
UNSET: Any = _Unset()


class _ClusterCommand(Command):
    """Plans the clusters and the rows together (:meth:`plan_both`)."""

    def __init__(self, doc_id: str, actor: str):
        super().__init__(doc_id, actor)
        self._cluster_plan: dict[str, Cluster | None] = {}

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        self._cluster_plan = self.plan_clusters_first(project)
        emptied = {cid for cid, c in self._cluster_plan.items() if c is None}
        rows: dict[str, Annotation | None] = {}
        renames = self.renamed_refs()
        if not emptied and not renames:  # no cluster goes: no claimant or argument can change
            return rows
        for ann in project.annotations(self.doc_id, self.actor, kinds=("claim", "event")):
            new = _rename_refs(ann, renames) if renames else ann
            new = clear_cluster_refs(new, emptied - set(renames))
            if new is not ann:
                rows[ann.id] = new
        return rows

    def plan_clusters(self, project: Project, rows: dict[str, Annotation | None]) -> dict[str, Cluster | None]:
        return self._cluster_plan

    @abstractmethod
    def plan_clusters_first(self, project: Project) -> dict[str, Cluster | None]:
        """The clusters this command writes: id -> the cluster after it (None: removed)."""

    def renamed_refs(self) -> dict[str, str]:
        """Cluster id -> the cluster id that claimants and arguments naming it name after."""
        return {}

    # -- helpers over the planned state ------------------------------------------------
    def _cluster(self, project: Project, cid: str) -> Cluster | None:
        if cid in self._cluster_plan_work:
            return self._cluster_plan_work[cid]
        cluster = project.get_cluster(cid)
        if cluster is not None and (cluster.doc_id != self.doc_id or cluster.annotator != self.actor):
            raise CommandError(f"cluster {cid} is not {self.actor}'s in this document")
        return cluster

    def _start(self) -> None:
        self._cluster_plan_work: dict[str, Cluster | None] = {}

    def _existing(self, project: Project, cid: str) -> Cluster:
        cluster = self._cluster(project, cid)
        if cluster is None:
            raise CommandError(f"cluster {cid} does not exist (deleted elsewhere?)")
        return cluster

    def _release(self, project: Project, ann_ids: Iterable[str], keep: str | None = None) -> None:
        """Take ``ann_ids`` out of whatever cluster holds them (but ``keep``)."""
        ids = list(ann_ids)
        stored = project.clusters_of_annotations(ids)
        for m in ids:
            holder = next(
                (cid for cid, c in self._cluster_plan_work.items() if c is not None and m in c.members),
                stored.get(m),
            )
            if holder is None or holder == keep:
                continue
            cluster = self._existing(project, holder)
            if m not in cluster.members:
                continue
            left = [x for x in cluster.members if x != m]
            self._cluster_plan_work[holder] = cluster.with_(members=left) if left else None

    def _check_mentions(self, project: Project, ann_ids: list[str]) -> None:
        if not ann_ids:
            raise CommandError("no mention given")
        if len(set(ann_ids)) != len(ann_ids):
            raise CommandError("the same mention is given twice")
        for m in ann_ids:
            ann = project.get_annotation(m)
            if ann is None:
                raise CommandError(f"mention {m} does not exist (deleted elsewhere?)")


def _rename_refs(ann: Annotation, renames: dict[str, str]) -> Annotation:
    def new(ref: str | None) -> str | None:
        parsed = parse_actor_ref(ref)
        if parsed is not None and parsed[0] == "cluster" and parsed[1] in renames:
            return cluster_ref(renames[parsed[1]])
        return ref

    if ann.kind == "claim" and new(ann.claimant_ref) != ann.claimant_ref:
        return stamped(ann, claimant_ref=new(ann.claimant_ref))
    if ann.kind == "event" and any(new(x.target) != x.target for x in ann.arguments):
        from annotator.core.models import Argument

        args: list[Argument] = []
        seen: set[tuple[str, str]] = set()
        for x in ann.arguments:
            target = new(x.target) or x.target
            if (x.role, target) not in seen:  # two merged clusters in one role: one argument
                seen.add((x.role, target))
                args.append(Argument(role=x.role, target=target))
        return stamped(ann, arguments=args)
    return ann


class NewCluster(_ClusterCommand):
    """A new cluster of the actor's with these mentions (taken out of any cluster
    they were in), with an optional canonical name, type and registry link.
    ``cluster_id`` chooses the new cluster's id (default: a new one); it is
    :attr:`cluster_id` after."""

    def __init__(
        self,
        doc_id: str,
        actor: str,
        ann_ids: list[str],
        *,
        name: str | None = None,
        type: str | None = None,
        entry_id: str | None = None,
        cluster_id: str | None = None,
        text: str | None = None,
    ):
        super().__init__(doc_id, actor)
        self.ann_ids = list(ann_ids)
        self.cluster = Cluster(
            doc_id=doc_id, annotator=actor, members=tuple(self.ann_ids), name=name or None, type=type or None, entry_id=entry_id
        )
        if cluster_id:
            self.cluster = Cluster(
                id=cluster_id,
                doc_id=doc_id,
                annotator=actor,
                members=tuple(self.ann_ids),
                name=name or None,
                type=type or None,
                entry_id=entry_id,
            )
        self.cluster_id = self.cluster.id
        self.text = text or "new cluster"

    def plan_clusters_first(self, project: Project) -> dict[str, Cluster | None]:
        self._start()
        self._check_mentions(project, self.ann_ids)
        if project.get_cluster(self.cluster_id) is not None:
            raise CommandError(f"cluster {self.cluster_id} exists already")
        if self.cluster.entry_id is not None and project.get_registry_entry(self.cluster.entry_id) is None:
            raise CommandError(f"registry entry {self.cluster.entry_id} does not exist")
        self._release(project, self.ann_ids)
        self._cluster_plan_work[self.cluster_id] = self.cluster
        return self._cluster_plan_work


class SplitMentions(NewCluster):
    """Split mentions off their cluster into a new cluster (as :class:`NewCluster`)."""

    def __init__(self, doc_id: str, actor: str, ann_ids: list[str], *, cluster_id: str | None = None):
        super().__init__(doc_id, actor, ann_ids, cluster_id=cluster_id, text="split off into a new cluster")

    def plan_clusters_first(self, project: Project) -> dict[str, Cluster | None]:
        if not project.clusters_of_annotations(self.ann_ids):
            raise CommandError("the mention is in no cluster: nothing to split off")
        return super().plan_clusters_first(project)


class AttachMentions(_ClusterCommand):
    """Add mentions to a cluster (out of any other cluster they were in); mentions
    in it already stay where they are."""

    def __init__(self, doc_id: str, actor: str, cluster_id: str, ann_ids: list[str]):
        super().__init__(doc_id, actor)
        self.cluster_id = cluster_id
        self.ann_ids = list(ann_ids)
        self.text = "attach mention" if len(self.ann_ids) == 1 else f"attach {len(self.ann_ids)} mentions"

    def plan_clusters_first(self, project: Project) -> dict[str, Cluster | None]:
        self._start()
        self._check_mentions(project, self.ann_ids)
        target = self._existing(project, self.cluster_id)
        new = [m for m in self.ann_ids if m not in target.members]
        if not new:
            raise CommandError("the mention is in this cluster already")
        self._release(project, new, keep=self.cluster_id)
        target = self._existing(project, self.cluster_id)
        self._cluster_plan_work[self.cluster_id] = target.with_(members=[*target.members, *new])
        return self._cluster_plan_work


class DetachMentions(_ClusterCommand):
    """Take mentions out of their clusters (a cluster left empty is deleted)."""

    def __init__(self, doc_id: str, actor: str, ann_ids: list[str]):
        super().__init__(doc_id, actor)
        self.ann_ids = list(ann_ids)
        self.text = "detach mention" if len(self.ann_ids) == 1 else f"detach {len(self.ann_ids)} mentions"

    def plan_clusters_first(self, project: Project) -> dict[str, Cluster | None]:
        self._start()
        self._check_mentions(project, self.ann_ids)
        if not project.clusters_of_annotations(self.ann_ids):
            raise CommandError("the mention is in no cluster")
        self._release(project, self.ann_ids)
        return self._cluster_plan_work


class MergeClusters(_ClusterCommand):
    """Cluster ``target_id`` absorbs ``source_ids``: their mentions are appended
    in order, they are deleted, and claimants and arguments naming them name the
    target.  The target's name, type and registry link stay; where it has none,
    the first source's that has one is taken."""

    def __init__(self, doc_id: str, actor: str, target_id: str, source_ids: list[str]):
        super().__init__(doc_id, actor)
        self.target_id = target_id
        self.source_ids = [s for s in dict.fromkeys(source_ids) if s != target_id]
        self.text = "merge clusters"

    def renamed_refs(self) -> dict[str, str]:
        return dict.fromkeys(self.source_ids, self.target_id)

    def plan_clusters_first(self, project: Project) -> dict[str, Cluster | None]:
        self._start()
        if not self.source_ids:
            raise CommandError("merge needs two different clusters")
        target = self._existing(project, self.target_id)
        members = list(target.members)
        fields: dict[str, Any] = {"name": target.name, "type": target.type, "entry_id": target.entry_id}
        for sid in self.source_ids:
            source = self._existing(project, sid)
            members += [m for m in source.members if m not in members]
            for key in fields:
                if fields[key] is None:
                    fields[key] = getattr(source, key)
            self._cluster_plan_work[sid] = None
        self._cluster_plan_work[self.target_id] = target.with_(members=members, **fields)
        return self._cluster_plan_work


class UpdateCluster(_ClusterCommand):
    """Set a cluster's canonical ``name``, ``type`` and/or registry link
    ``entry_id`` (None clears a field; :data:`UNSET`, the default, leaves it)."""

    def __init__(self, doc_id: str, actor: str, cluster_id: str, *, name: Any = UNSET, type: Any = UNSET, entry_id: Any = UNSET):
        super().__init__(doc_id, actor)
        self.cluster_id = cluster_id
        self.changes = {k: v for k, v in (("name", name), ("type", type), ("entry_id", entry_id)) if v is not UNSET}
        if not self.changes:
            raise CommandError("nothing to change")
        for key, value in self.changes.items():
            if value is not None and not isinstance(value, str):
                raise CommandError(f"a cluster's {key} is text")
            if isinstance(value, str):
                self.changes[key] = value.strip() or None
        if set(self.changes) == {"entry_id"}:
            self.text = "link cluster to the registry" if self.changes["entry_id"] else "unlink cluster from the registry"
        else:
            self.text = "rename cluster" if set(self.changes) == {"name"} else f"change cluster {', '.join(sorted(self.changes))}"

    def plan_clusters_first(self, project: Project) -> dict[str, Cluster | None]:
        self._start()
        cluster = self._existing(project, self.cluster_id)
        entry_id = self.changes.get("entry_id")
        if entry_id is not None and project.get_registry_entry(entry_id) is None:
            raise CommandError(f"registry entry {entry_id} does not exist")
        self._cluster_plan_work[self.cluster_id] = cluster.with_(**self.changes)
        return self._cluster_plan_work


class DeleteCluster(_ClusterCommand):
    """Delete a cluster (its mentions stay, in no cluster); claimants and
    arguments naming it are cleared."""

    def __init__(self, doc_id: str, actor: str, cluster_id: str):
        super().__init__(doc_id, actor)
        self.cluster_id = cluster_id
        self.text = "delete cluster"

    def plan_clusters_first(self, project: Project) -> dict[str, Cluster | None]:
        self._start()
        self._existing(project, self.cluster_id)
        self._cluster_plan_work[self.cluster_id] = None
        return self._cluster_plan_work


# -- the registry ------------------------------------------------------------------
class _RegistryCommand(Command):
    """A change of the registry (any document's clusters and annotations may follow).

    ``doc_id`` is the document the user acted from (None: none); the command
    snapshots every entry, cluster and annotation it changes, and undo first checks
    they are as it left them."""

    def __init__(self, actor: str, doc_id: str | None = None):
        super().__init__(doc_id or "", actor)
        self.context_doc = doc_id
        self._planned = False
        self.entries_before: dict[str, RegistryEntry | None] = {}
        self.entries_after: dict[str, RegistryEntry | None] = {}
        self.rows_before: dict[str, Annotation | None] = {}
        self.rows_after: dict[str, Annotation | None] = {}

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        return {}

    @abstractmethod
    def plan_registry(self, project: Project) -> None:
        """Fill ``entries_after``, ``clusters_after`` and ``rows_after``."""

    @property
    def other_documents(self) -> frozenset[str]:
        """Documents whose clusters or annotations this changes (announced wholesale)."""
        docs = {c.doc_id for c in (*self.clusters_before.values(), *self.clusters_after.values()) if c is not None}
        docs |= {a.doc_id for a in (*self.rows_before.values(), *self.rows_after.values()) if a is not None}
        return frozenset(docs) - {self.doc_id}

    def _apply(self, project: Project, expect: tuple[dict, dict, dict], write: tuple[dict, dict, dict], action: str) -> Changes:
        exp_entries, exp_clusters, exp_rows = expect
        entries, clusters, rows = write
        for eid, expected in exp_entries.items():
            stored = project.get_registry_entry(eid)
            if not ((stored is None and expected is None) or (expected is not None and expected.same_as(stored))):
                raise ConflictError(f"registry entry {eid} was changed elsewhere since; '{action} {self.text}' was not applied")
        stored_clusters = project.clusters_by_id(exp_clusters)
        for cid, expected in exp_clusters.items():
            if not (expected is not None and expected.same_as(stored_clusters.get(cid))):
                raise ConflictError(f"cluster {cid} was changed elsewhere since; '{action} {self.text}' was not applied")
        for aid, expected in exp_rows.items():
            if not same_annotation(project.get_annotation(aid), expected):
                raise ConflictError(f"annotation {aid} was changed elsewhere since; '{action} {self.text}' was not applied")
        for eid, entry in entries.items():
            if entry is None:
                project.delete_registry_entries([eid])
            else:
                project.put_registry_entry(entry)
        for cluster in clusters.values():
            project.put_cluster(cluster)
        project.put_annotations([a for a in rows.values() if a is not None])
        changes = Changes(doc_id=self.context_doc, registry=set(entries))
        changes.clusters = {c.id for c in clusters.values() if c.doc_id == self.context_doc}
        changes.updated = {a.id for a in rows.values() if a is not None and a.doc_id == self.context_doc}
        project.ensure_annotators({self.actor})
        project.log(
            self.actor,
            self.context_doc,
            f"{action}:{type(self).__name__}",
            {
                "text": self.text,
                "entries": {k: (v.to_dict() if v else None) for k, v in entries.items()},
                "clusters": {k: v.to_dict() for k, v in clusters.items()},
                "rows": {k: (v.model_dump(mode="json") if v else None) for k, v in rows.items()},
            },
        )
        return changes

    def do(self, project: Project) -> Changes:
        if not self._planned:
            self.plan_registry(project)
            self.entries_before = {i: project.get_registry_entry(i) for i in self.entries_after}
            self.clusters_before = dict(project.clusters_by_id(self.clusters_after))
            self.rows_before = {i: project.get_annotation(i) for i in self.rows_after}
            self.before = {}
            self._planned = True
        return self._apply(
            project,
            (self.entries_before, self.clusters_before, self.rows_before),
            (self.entries_after, self.clusters_after, self.rows_after),
            "do",
        )

    def undo(self, project: Project) -> Changes:
        assert self._planned, "undo before do"
        return self._apply(
            project,
            (self.entries_after, self.clusters_after, self.rows_after),
            (self.entries_before, self.clusters_before, self.rows_before),
            "undo",
        )


def _clean_names(values: Iterable[str], what: str) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if not isinstance(v, str):
            raise CommandError(f"{what} must be text")
        v = " ".join(v.split())
        if v and v not in out:
            out.append(v)
    return tuple(out)


class AddRegistryEntry(_RegistryCommand):
    """Add an entry to the registry (its id is :attr:`entry_id`)."""

    def __init__(self, actor: str, entry: RegistryEntry, doc_id: str | None = None):
        super().__init__(actor, doc_id)
        self.entry = entry
        self.entry_id = entry.id
        self.text = f"add registry entry {entry.name}"

    def plan_registry(self, project: Project) -> None:
        if project.get_registry_entry(self.entry_id) is not None:
            raise CommandError(f"registry entry {self.entry_id} exists already")
        aliases = tuple(a for a in _clean_names(self.entry.aliases, "aliases") if a != self.entry.name)
        self.entries_after = {self.entry_id: self.entry.with_(name=" ".join(self.entry.name.split()), aliases=aliases)}


class UpdateRegistryEntry(_RegistryCommand):
    """Change an entry's ``name``, ``type``, ``aliases``, ``description`` or
    ``links`` (:data:`UNSET`, the default, leaves a field)."""

    def __init__(
        self,
        actor: str,
        entry_id: str,
        *,
        name: Any = UNSET,
        type: Any = UNSET,
        aliases: Any = UNSET,
        description: Any = UNSET,
        links: Any = UNSET,
        doc_id: str | None = None,
    ):
        super().__init__(actor, doc_id)
        self.entry_id = entry_id
        self.changes = {
            k: v
            for k, v in (("name", name), ("type", type), ("aliases", aliases), ("description", description), ("links", links))
            if v is not UNSET
        }
        if not self.changes:
            raise CommandError("nothing to change")
        self.text = f"change registry entry {', '.join(sorted(self.changes))}"

    def plan_registry(self, project: Project) -> None:
        entry = project.get_registry_entry(self.entry_id)
        if entry is None:
            raise CommandError(f"registry entry {self.entry_id} does not exist (deleted elsewhere?)")
        changes = dict(self.changes)
        if "name" in changes:
            if not isinstance(changes["name"], str) or not changes["name"].strip():
                raise CommandError("a registry entry needs a name")
            changes["name"] = " ".join(changes["name"].split())
        if "aliases" in changes:
            name = changes.get("name", entry.name)
            changes["aliases"] = tuple(a for a in _clean_names(changes["aliases"], "aliases") if a != name)
        if "type" in changes and changes["type"] is not None:
            changes["type"] = str(changes["type"]).strip() or None
        if "description" in changes:
            changes["description"] = str(changes["description"] or "")
        if "links" in changes and not all(isinstance(x, dict) for x in changes["links"]):
            raise CommandError("links must be objects")
        self.entries_after = {self.entry_id: entry.with_(**changes)}


class DeleteRegistryEntry(_RegistryCommand):
    """Delete an entry: clusters linked to it are unlinked, and claimants and
    arguments naming it (``entry:<id>``) are cleared, in every document."""

    def __init__(self, actor: str, entry_id: str, doc_id: str | None = None):
        super().__init__(actor, doc_id)
        self.entry_id = entry_id
        self.text = "delete registry entry"

    def plan_registry(self, project: Project) -> None:
        if project.get_registry_entry(self.entry_id) is None:
            raise CommandError(f"registry entry {self.entry_id} does not exist (deleted elsewhere?)")
        self.entries_after = {self.entry_id: None}
        self.clusters_after = {c.id: c.with_(entry_id=None) for c in project.clusters_linked_to(self.entry_id)}
        ref = entry_ref(self.entry_id)
        rows: dict[str, Annotation | None] = {}
        for aid in project.annotations_referring_to([ref]):
            ann = project.get_annotation(aid)
            if ann is None:
                continue
            if ann.kind == "claim" and ann.claimant_ref == ref:
                rows[aid] = stamped(ann, claimant_ref=None)
            elif ann.kind == "event":
                rows[aid] = stamped(ann, arguments=[x for x in ann.arguments if x.target != ref])
        self.rows_after = rows
