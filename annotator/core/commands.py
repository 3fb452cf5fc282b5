"""Undoable commands: the one path by which a user action changes a project.

Every command is applied by :func:`apply` (or undone by :func:`revert`) in one
SQLite transaction, recorded in the project's history, and returns
:class:`Changes` naming what changed so views refresh only that. The UI wraps
commands in ``QUndoCommand``s; the CLI and tests call them directly.

A command snapshots the rows it touches the first time it runs (``before`` and
``after``); undo writes ``before`` back and redo writes ``after`` again. Undo and
redo first check that the rows still look as this command left them: if another
window or process changed them meanwhile, :class:`ConflictError` is raised and
nothing is written.

Commands may also change a document's coreference clusters (issue 15):
:meth:`Command.plan_clusters` returns the clusters after the command, snapshotted,
checked and written like the rows (see :mod:`annotator.core.coref_commands`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotator.core.kinds import GOLD, DocStatus, now
from annotator.core.store import AnnotationRow, ConflictError, Project

if TYPE_CHECKING:  # pydantic: imported where a command validates (not needed to show a document)
    from annotator.core.coref import Cluster
    from annotator.core.models import Annotation


@dataclass
class Changes:
    """What a command changed, for views to refresh just that."""

    doc_id: str | None = None
    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    status: DocStatus | None = None
    #: Documents changed wholesale, not by one command (a merge of a colleague's
    #: work): views reload what they show of them. ``doc_id`` is None then.
    documents: frozenset[str] = frozenset()
    #: Any document may have changed and documents may have been added (an import,
    #: a change of unknown extent): views reload everything. ``doc_id`` is None then.
    all_documents: bool = False
    #: The document labels of :attr:`doc_id` changed (views showing them read them anew).
    doc_labels: bool = False
    #: Targets whose notes changed: annotation ids, "" for the document's own notes.
    notes: set[str] = field(default_factory=set)
    #: Coreference clusters of ``doc_id`` added, changed or removed (their ids):
    #: views re-read them (``Project.get_cluster``; None: removed).
    clusters: set[str] = field(default_factory=set)
    #: Registry entries added, changed or removed (their ids).
    registry: set[str] = field(default_factory=set)

    @property
    def ids(self) -> set[str]:
        return self.added | self.removed | self.updated

    @property
    def wholesale(self) -> bool:
        """Whether documents changed wholesale (:attr:`documents`, :attr:`all_documents`)."""
        return self.all_documents or bool(self.documents)

    def reloads(self, doc_id: str | None) -> bool:
        """Whether ``doc_id`` changed wholesale, so a view showing it reads it anew."""
        return doc_id is not None and (self.all_documents or doc_id in self.documents)

    def concerns(self, doc_id: str | None) -> bool:
        """Whether ``doc_id`` changed at all (by a command or wholesale)."""
        return doc_id is not None and (doc_id == self.doc_id or self.reloads(doc_id))


class CommandError(ValueError):
    """An action that cannot be applied; ``str()`` is a message for the user."""


def _same(a: Annotation | None, b: Annotation | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.model_dump(exclude={"updated"}) == b.model_dump(exclude={"updated"})


#: Whether two versions of an annotation are the same but for their ``updated`` time.
same_annotation = _same


class Command(ABC):
    """Base class: subclasses implement :meth:`plan`, returning the new rows."""

    text = "edit"

    def __init__(self, doc_id: str, actor: str):
        self.doc_id = doc_id
        self.actor = actor
        self.before: dict[str, Annotation | None] | None = None
        self.after: dict[str, Annotation | None] = {}
        self.status_before: DocStatus | None = None
        self.status_after: DocStatus | None = None
        self.seen: dict[str, Annotation | None] = {}
        self.clusters_before: dict[str, Cluster | None] = {}
        self.clusters_after: dict[str, Cluster | None] = {}

    def expecting(self, *seen: Annotation) -> Command:
        """Apply only if these annotations (as the caller last showed them) are
        unchanged; otherwise :class:`ConflictError`, nothing written. A window
        that edits what it displays passes what it displays, so an edit made
        meanwhile in another window or process is never silently overwritten."""
        self.seen = {a.id: a for a in seen}
        return self

    # Subclasses: compute the target state of every row they touch.
    @abstractmethod
    def plan(self, project: Project) -> dict[str, Annotation | None]:
        """Return id -> the row after this command (None: deleted)."""

    def plan_clusters(self, project: Project, rows: dict[str, Annotation | None]) -> dict[str, Cluster | None]:
        """Cluster id -> the cluster after this command (None: deleted), given the
        rows :meth:`plan` returned; by default no cluster changes."""
        return {}

    def plan_status(self, project: Project, current: DocStatus) -> DocStatus | None:
        """The document status after this command (None: unchanged). By default
        the first edit of a new document sets it in progress."""
        if current == DocStatus.NEW and self.actor != GOLD:
            return DocStatus.IN_PROGRESS
        return None

    # -- machinery -------------------------------------------------------------
    def _check_seen(self, project: Project) -> None:
        for ann_id, shown in self.seen.items():
            if not _same(project.get_annotation(ann_id), shown):
                raise ConflictError(
                    "this annotation was changed in another window or process since it was shown; "
                    f"'{self.text}' was not applied (the current state is shown now)"
                )

    def _first_run(self, project: Project) -> None:
        self._check_seen(project)
        after = self.plan(project)
        before = {i: project.get_annotation(i) for i in after}
        text_len = project.document_length(self.doc_id)
        for ann in after.values():
            if ann is not None:
                if ann.doc_id != self.doc_id:
                    raise CommandError("an action can only change annotations of one document")
                try:
                    ann.check_span(text_len)
                except ValueError as err:
                    raise CommandError(str(err)) from None
        clusters_after = self.plan_clusters(project, after)
        clusters_before = {i: project.get_cluster(i) for i in clusters_after}
        _check_clusters(project, self.doc_id, after, clusters_after)
        self._check_references(project, after)
        _check_actor_refs(project, self.doc_id, after, clusters_after)
        self.before, self.after = before, after
        self.clusters_before, self.clusters_after = clusters_before, clusters_after
        current = project.document_status(self.doc_id)
        target = self.plan_status(project, current)
        if target is not None and target != current:
            self.status_before, self.status_after = current, target

    def _check_references(self, project: Project, after: dict[str, Annotation | None]) -> None:
        for ann in after.values():
            if ann is None:
                continue
            for ref in ann.referenced_ids():
                if ref in after:
                    if after[ref] is None:
                        raise CommandError(f"{ann.kind} refers to an annotation that this action removes")
                    continue
                target = project.get_annotation(ref)
                if target is None or target.doc_id != self.doc_id:
                    raise CommandError(f"{ann.kind} refers to annotation {ref}, which is not in this document")

    def _write(
        self,
        project: Project,
        expect: dict[str, Annotation | None],
        rows: dict[str, Annotation | None],
        status: DocStatus | None,
        action: str,
        expect_clusters: dict[str, Cluster | None] | None = None,
        cluster_rows: dict[str, Cluster | None] | None = None,
    ) -> Changes:
        for ann_id, expected in expect.items():
            if not _same(project.get_annotation(ann_id), expected):
                raise ConflictError(
                    "this annotation was changed in another window or process since; "
                    f"'{action} {self.text}' was not applied (reopen the document to see the current state)"
                )
        expect_clusters, cluster_rows = expect_clusters or {}, cluster_rows or {}
        stored = project.clusters_by_id(expect_clusters)
        for cid, expected_cluster in expect_clusters.items():
            now_cluster = stored.get(cid)
            if not (now_cluster is None and expected_cluster is None) and not (
                expected_cluster is not None and expected_cluster.same_as(now_cluster)
            ):
                raise ConflictError(
                    "a coreference cluster was changed in another window or process since; "
                    f"'{action} {self.text}' was not applied (reopen the document to see the current state)"
                )
        changes = Changes(doc_id=self.doc_id)
        # clusters first removed, then annotations, then clusters written (a mention
        # moving between clusters is never in two at once)
        project.delete_clusters(list(cluster_rows))
        for ann_id, ann in rows.items():
            existed = expect[ann_id] is not None
            if ann is None:
                project.delete_annotations([ann_id])
                changes.removed.add(ann_id)
            else:
                project.put_annotations([ann])
                (changes.updated if existed else changes.added).add(ann_id)
        for cluster in cluster_rows.values():
            if cluster is not None:
                project.put_cluster(cluster)
        changes.clusters = set(cluster_rows)
        if status is not None:
            project.set_status(self.doc_id, status)
            changes.status = status
        project.ensure_annotators({self.actor})
        detail: dict[str, Any] = {
            "text": self.text,
            "rows": {k: (v.model_dump(mode="json") if v else None) for k, v in rows.items()},
            "status": str(status) if status else None,
        }
        if cluster_rows:
            detail["clusters"] = {k: (v.to_dict() if v else None) for k, v in cluster_rows.items()}
        project.log(self.actor, self.doc_id, f"{action}:{type(self).__name__}", detail)
        return changes

    def do(self, project: Project) -> Changes:
        if self.before is None:
            self._first_run(project)
        assert self.before is not None
        return self._write(project, self.before, self.after, self.status_after, "do", self.clusters_before, self.clusters_after)

    def undo(self, project: Project) -> Changes:
        assert self.before is not None, "undo before do"
        return self._write(
            project, self.after, self.before, self.status_before, "undo", self.clusters_after, self.clusters_before
        )


def apply(project: Project, command: Command) -> Changes:
    """Run (or redo) ``command`` in one transaction."""
    with project.transaction():
        return command.do(project)


def revert(project: Project, command: Command) -> Changes:
    """Undo ``command`` in one transaction."""
    with project.transaction():
        return command.undo(project)


def stamped(ann: Annotation, **changes: Any) -> Annotation:
    """A validated copy of ``ann`` with ``changes`` and its ``updated`` time now."""
    from annotator.core.models import Annotation

    data = ann.model_dump()
    data.update(changes)
    data["updated"] = now()
    return Annotation.model_validate(data)


def _check_label(project: Project, ann: Annotation) -> None:
    if ann.label not in project.schema.labels(ann.kind):
        raise CommandError(f"{ann.label!r} is not a {ann.kind} label of this project's schema")


class AddAnnotations(Command):
    """Add one or more annotations as one action (e.g. an event with its new argument spans)."""

    def __init__(self, doc_id: str, actor: str, annotations: list[Annotation], text: str | None = None):
        super().__init__(doc_id, actor)
        self.annotations = annotations
        n = len(annotations)
        self.text = text or (f"add {annotations[0].kind} {annotations[0].label}" if n == 1 else f"add {n} annotations")

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        out: dict[str, Annotation | None] = {}
        for ann in self.annotations:
            _check_label(project, ann)
            if project.get_annotation(ann.id) is not None:
                raise CommandError(f"annotation {ann.id} exists already")
            out[ann.id] = ann
        return out


class DeleteAnnotations(Command):
    """Delete annotations; arguments, relations and claimant links that point at
    them are removed too (and all come back on undo)."""

    def __init__(self, doc_id: str, actor: str, ids: list[str]):
        super().__init__(doc_id, actor)
        self.ids = list(ids)
        self.text = "delete annotation" if len(ids) == 1 else f"delete {len(ids)} annotations"
        self._clusters: dict[str, Cluster | None] = {}

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        gone = set(self.ids)
        for ann_id in self.ids:
            if project.get_annotation(ann_id) is None:
                raise CommandError(f"annotation {ann_id} does not exist (deleted elsewhere?)")
        out: dict[str, Annotation | None] = {i: None for i in gone}
        changed = True
        doc_anns = project.annotations(self.doc_id)
        while changed:  # relations whose ends vanish vanish too, transitively
            changed = False
            for a in doc_anns:
                if a.id not in gone and a.kind == "relation" and (a.head in gone or a.tail in gone):
                    gone.add(a.id)
                    out[a.id] = None
                    changed = True
        # the deleted mentions leave their clusters; a cluster left empty goes too,
        # and claimants and arguments naming it are cleared
        self._clusters = {}
        member_of = project.clusters_of_annotations(gone)
        emptied: set[str] = set()
        for cid in sorted(set(member_of.values())):
            cluster = project.get_cluster(cid)
            if cluster is None:
                continue
            left = [m for m in cluster.members if m not in gone]
            if left:
                self._clusters[cid] = cluster.with_(members=left)
            else:
                self._clusters[cid] = None
                emptied.add(cid)
        for a in doc_anns:
            if a.id in gone:
                continue
            cleared = clear_cluster_refs(a, emptied)
            if a.kind == "event" and any(arg.target in gone for arg in cleared.arguments):
                cleared = stamped(cleared, arguments=[x for x in cleared.arguments if x.target not in gone])
            elif a.kind == "claim" and cleared.claimant_ref in gone:
                cleared = stamped(cleared, claimant_ref=None)
            if cleared is not a:
                out[a.id] = cleared
        return out

    def plan_clusters(self, project: Project, rows: dict[str, Annotation | None]) -> dict[str, Cluster | None]:
        return self._clusters


def clear_cluster_refs(ann: Annotation, cluster_ids: set[str]) -> Annotation:
    """``ann`` without its claimant or arguments naming one of ``cluster_ids``
    (``ann`` itself when it names none)."""
    if not cluster_ids:
        return ann
    from annotator.core.coref import parse_actor_ref  # coreference: not needed to show a document

    def gone(ref: str | None) -> bool:
        parsed = parse_actor_ref(ref)
        return parsed is not None and parsed[0] == "cluster" and parsed[1] in cluster_ids

    if ann.kind == "claim" and gone(ann.claimant_ref):
        return stamped(ann, claimant_ref=None)
    if ann.kind == "event" and any(gone(x.target) for x in ann.arguments):
        return stamped(ann, arguments=[x for x in ann.arguments if not gone(x.target)])
    return ann


def _check_clusters(
    project: Project, doc_id: str, rows: dict[str, Annotation | None], clusters: dict[str, Cluster | None]
) -> None:
    """Raise CommandError unless the clusters after a command are sound: of this
    document, every member an entity span of the cluster's annotator in this
    document (as the command leaves it), no mention in two clusters."""
    if not clusters:
        return
    claimed: dict[str, str] = {}
    # the stored rows of every member in one query (a cluster may hold hundreds)
    stored = project.annotation_rows_by_id({m for c in clusters.values() if c is not None for m in c.members if m not in rows})
    for cid, cluster in clusters.items():
        if cluster is None:
            continue
        if cluster.id != cid:
            raise CommandError("a cluster's id cannot change")
        if cluster.doc_id != doc_id:
            raise CommandError("an action can only change clusters of one document")
        if not cluster.members:
            raise CommandError("a cluster needs at least one mention")
        for m in cluster.members:
            ann: Annotation | AnnotationRow | None = rows[m] if m in rows else stored.get(m)
            if ann is None:
                raise CommandError(f"mention {m} does not exist (deleted elsewhere?)")
            if ann.doc_id != doc_id:
                raise CommandError(f"mention {m} is not in this document")
            if ann.kind != "entity":
                raise CommandError(f"a {ann.kind} cannot be a mention of a cluster (entity and mention spans can)")
            if ann.annotator != cluster.annotator:
                raise CommandError(f"mention {m} is {ann.annotator}'s; a cluster holds its own annotator's mentions")
            if m in claimed and claimed[m] != cid:
                raise CommandError(f"mention {m} would be in two clusters")
            claimed[m] = cid
    elsewhere = project.clusters_of_annotations(claimed)
    for m, cid in elsewhere.items():
        if cid != claimed[m] and cid not in clusters:
            raise CommandError(f"mention {m} is in another cluster already (detach it or attach it there)")


def _check_actor_refs(
    project: Project, doc_id: str, rows: dict[str, Annotation | None], clusters: dict[str, Cluster | None]
) -> None:
    """Raise CommandError unless every claimant or argument naming a cluster names
    one of this document and annotator, and every one naming a registry entry names
    an existing entry."""
    from annotator.core.coref import parse_actor_ref  # coreference: not needed to show a document

    for ann in rows.values():
        if ann is None:
            continue
        for ref in ann.actor_refs():
            parsed = parse_actor_ref(ref)
            assert parsed is not None
            what, target_id = parsed
            if what == "entry":
                if project.get_registry_entry(target_id) is None:
                    raise CommandError(f"{ann.kind} refers to registry entry {target_id}, which does not exist")
                continue
            cluster = clusters[target_id] if target_id in clusters else project.get_cluster(target_id)
            if cluster is None or cluster.doc_id != doc_id:
                raise CommandError(f"{ann.kind} refers to cluster {target_id}, which is not in this document")
            if cluster.annotator != ann.annotator:
                raise CommandError(f"{ann.kind} refers to {cluster.annotator}'s cluster {target_id}, not its annotator's")


class UpdateAnnotation(Command):
    """Change fields of one annotation: label, start/end, fragments, attributes,
    arguments, claimant_ref/claimant_text, head/tail.

    A new ``start`` or ``end`` of a discontinuous span (without new ``fragments``)
    moves the outer edge of its first or last fragment."""

    EDITABLE = {
        "label",
        "start",
        "end",
        "fragments",
        "attributes",
        "arguments",
        "claimant_ref",
        "claimant_text",
        "head",
        "tail",
        "links",
    }

    def __init__(self, doc_id: str, actor: str, ann_id: str, text: str | None = None, **changes: Any):
        super().__init__(doc_id, actor)
        bad = set(changes) - self.EDITABLE
        if bad:
            raise CommandError(f"cannot change {', '.join(sorted(bad))}")
        self.ann_id = ann_id
        self.changes = changes
        self.text = text or f"change {', '.join(sorted(changes))}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        current = project.get_annotation(self.ann_id)
        if current is None:
            raise CommandError(f"annotation {self.ann_id} does not exist (deleted elsewhere?)")
        changes = dict(self.changes)
        if "arguments" in changes:
            from annotator.core.models import Argument

            changes["arguments"] = [a if isinstance(a, Argument) else Argument.model_validate(a) for a in changes["arguments"]]
        if current.fragments is not None and "fragments" not in changes and ("start" in changes or "end" in changes):
            frags = list(current.fragments)
            frags[0] = (changes.get("start", frags[0][0]), frags[0][1])
            frags[-1] = (frags[-1][0], changes.get("end", frags[-1][1]))
            changes["fragments"] = frags
        if "fragments" in changes and changes["fragments"] is not None:
            frags = [(int(a), int(b)) for a, b in changes["fragments"]]
            changes["fragments"] = frags
            if frags:
                changes["start"], changes["end"] = frags[0][0], frags[-1][1]
        try:
            updated = stamped(current, **changes)
        except ValueError as err:
            raise CommandError(str(err)) from None
        if "label" in changes:
            _check_label(project, updated)
        return {self.ann_id: updated}


class SetArgument(UpdateAnnotation):
    """Add (or, with ``remove=True``, remove) one argument of an event."""

    def __init__(self, doc_id: str, actor: str, event_id: str, role: str, target: str, remove: bool = False):
        Command.__init__(self, doc_id, actor)
        self.ann_id, self.role, self.target, self.remove = event_id, role, target, remove
        self.changes = {}
        self.text = f"{'remove' if remove else 'add'} argument {role}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        ev = project.get_annotation(self.ann_id)
        if ev is None or ev.kind != "event":
            raise CommandError("arguments belong to an event, and that event does not exist")
        args = [a for a in ev.arguments if not (a.role == self.role and a.target == self.target)]
        if not self.remove:
            from annotator.core.models import Argument

            args.append(Argument(role=self.role, target=self.target))
        self.changes = {"arguments": args}
        return super().plan(project)


class AddFragment(UpdateAnnotation):
    """Add ``[start, end)`` as a fragment of a span annotation (issue 14): the span
    becomes discontinuous (or gains a piece).  A new piece that overlaps or
    touches a fragment is joined with it; one already inside the span's pieces
    changes nothing and is refused."""

    def __init__(self, doc_id: str, actor: str, ann_id: str, start: int, end: int):
        Command.__init__(self, doc_id, actor)
        self.ann_id, self.start, self.end = ann_id, start, end
        self.changes = {}
        self.text = "add fragment"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        from annotator.core.models import merge_pieces

        current = project.get_annotation(self.ann_id)
        if current is None or current.start is None:
            raise CommandError("fragments belong to an entity, event or claim, and that annotation does not exist")
        if not (0 <= self.start < self.end):
            raise CommandError(f"invalid fragment [{self.start}, {self.end}): select some text first")
        pieces = current.pieces
        merged = merge_pieces(pieces + [(self.start, self.end)])
        if merged == pieces:
            raise CommandError("the selection is already part of this annotation")
        self.changes = {"fragments": merged if len(merged) > 1 else None, "start": merged[0][0], "end": merged[-1][1]}
        return super().plan(project)


class RemoveFragment(UpdateAnnotation):
    """Remove fragment number ``index`` (0-based, in document order) of a
    discontinuous span; with one fragment left the span is a plain one again."""

    def __init__(self, doc_id: str, actor: str, ann_id: str, index: int):
        Command.__init__(self, doc_id, actor)
        self.ann_id, self.index = ann_id, index
        self.changes = {}
        self.text = "remove fragment"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        current = project.get_annotation(self.ann_id)
        if current is None or current.fragments is None:
            raise CommandError("this annotation has one piece only: delete the annotation to remove it")
        frags = list(current.fragments)
        if not 0 <= self.index < len(frags):
            raise CommandError(f"the annotation has {len(frags)} fragments; there is no fragment {self.index + 1}")
        del frags[self.index]
        self.changes = {"fragments": frags if len(frags) > 1 else None, "start": frags[0][0], "end": frags[-1][1]}
        return super().plan(project)


class SetFragment(UpdateAnnotation):
    """Set fragment number ``index`` of a span to ``[start, end)`` (a boundary
    move of one piece); refused if it would overlap or touch another piece."""

    def __init__(self, doc_id: str, actor: str, ann_id: str, index: int, start: int, end: int, text: str | None = None):
        Command.__init__(self, doc_id, actor)
        self.ann_id, self.index, self.start, self.end = ann_id, index, start, end
        self.changes = {}
        self.text = text or "adjust fragment"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        current = project.get_annotation(self.ann_id)
        if current is None or current.start is None:
            raise CommandError("that annotation does not exist (deleted elsewhere?)")
        pieces = current.pieces
        if not 0 <= self.index < len(pieces):
            raise CommandError(f"the annotation has {len(pieces)} fragment(s); there is no fragment {self.index + 1}")
        pieces[self.index] = (self.start, self.end)
        for (_s, e), (s2, _e) in zip(pieces, pieces[1:]):
            if s2 <= e:
                raise CommandError("a fragment cannot overlap or touch the next one (remove one of them instead)")
        self.changes = {"fragments": pieces if len(pieces) > 1 else None, "start": pieces[0][0], "end": pieces[-1][1]}
        return super().plan(project)


class LinkEntity(UpdateAnnotation):
    """Link an entity to a knowledge-base entry ``(resource, id, name)`` (issue 14);
    an entity may have several links, never the same ``(resource, id)`` twice."""

    def __init__(self, doc_id: str, actor: str, ann_id: str, resource: str, entry_id: str, name: str = ""):
        Command.__init__(self, doc_id, actor)
        self.ann_id, self.resource, self.entry_id, self.name = ann_id, resource.strip(), entry_id.strip(), name
        if not self.resource or not self.entry_id:
            raise CommandError("a link needs a knowledge base (resource) and an entry id")
        self.changes = {}
        self.text = f"link to {self.resource}:{self.entry_id}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        ent = project.get_annotation(self.ann_id)
        if ent is None:
            raise CommandError(f"annotation {self.ann_id} does not exist (deleted elsewhere?)")
        if ent.kind != "entity":
            raise CommandError(f"only entities have knowledge-base links (this is a {ent.kind})")
        if any(x.key == (self.resource, self.entry_id) for x in ent.links):
            raise CommandError(f"the entity is linked to {self.resource}:{self.entry_id} already")
        from annotator.core.models import Link

        self.changes = {"links": [*ent.links, Link(resource=self.resource, id=self.entry_id, name=self.name)]}
        return super().plan(project)


class UnlinkEntity(UpdateAnnotation):
    """Remove an entity's link to ``(resource, id)`` (issue 14)."""

    def __init__(self, doc_id: str, actor: str, ann_id: str, resource: str, entry_id: str):
        Command.__init__(self, doc_id, actor)
        self.ann_id, self.resource, self.entry_id = ann_id, resource, entry_id
        self.changes = {}
        self.text = f"unlink {resource}:{entry_id}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        ent = project.get_annotation(self.ann_id)
        if ent is None:
            raise CommandError(f"annotation {self.ann_id} does not exist (deleted elsewhere?)")
        kept = [x for x in ent.links if x.key != (self.resource, self.entry_id)]
        if len(kept) == len(ent.links):
            raise CommandError(f"the entity is not linked to {self.resource}:{self.entry_id}")
        self.changes = {"links": kept}
        return super().plan(project)


class SetStatus(Command):
    """Set a document's status."""

    def __init__(self, doc_id: str, actor: str, status: DocStatus | str):
        super().__init__(doc_id, actor)
        self.status = DocStatus(status)
        self.text = f"mark document {self.status.value}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        return {}

    def plan_status(self, project: Project, current: DocStatus) -> DocStatus | None:
        return self.status


class Macro(Command):
    """Several commands as one undoable action, in one transaction."""

    def __init__(self, doc_id: str, actor: str, commands: list[Command], text: str):
        super().__init__(doc_id, actor)
        self.commands = commands
        self.text = text

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        return {}  # the parts plan themselves

    def do(self, project: Project) -> Changes:
        if self.seen and self.before is None:
            self._check_seen(project)
            self.before = {}
        return _merge(c.do(project) for c in self.commands)

    def undo(self, project: Project) -> Changes:
        return _merge(c.undo(project) for c in reversed(self.commands))


def _merge(parts: Any) -> Changes:
    total = Changes()
    for ch in parts:
        total.doc_id = total.doc_id or ch.doc_id
        total.added |= ch.added
        total.removed |= ch.removed
        total.updated |= ch.updated
        total.status = ch.status or total.status
        total.doc_labels = total.doc_labels or ch.doc_labels
        total.notes |= ch.notes
        total.clusters |= ch.clusters
        total.registry |= ch.registry
    total.updated -= total.added | total.removed
    return total


def put_added_rows(
    project: Project, rows: list[AnnotationRow], statuses: dict[str, tuple[DocStatus, DocStatus]], text: str
) -> None:
    """Write the new annotation rows of a bulk addition (annotate all, accepted
    suggestions) and their documents' new statuses; refused with
    :class:`ConflictError` when any of them exists already."""
    existing = project.existing_annotation_ids([r.id for r in rows])
    if existing:
        raise ConflictError(
            f"{len(existing)} of the annotations to add exist already (changed in another window or process?); "
            f"'{text}' was not applied"
        )
    project.put_annotation_rows(rows)
    for doc_id, (_before, after) in statuses.items():
        project.set_status(doc_id, after)


def take_back_added_rows(
    project: Project, rows: list[AnnotationRow], statuses: dict[str, tuple[DocStatus, DocStatus]], text: str, what: str
) -> None:
    """Undo :func:`put_added_rows`: delete the rows and put the statuses back;
    refused with :class:`ConflictError` (nothing changed) when any row was changed
    or deleted since (``what`` names them in the message)."""
    ids = [r.id for r in rows]
    stored = project.annotation_rows_by_id(ids)
    changed = sum(1 for r in rows if stored.get(r.id) != r)
    if changed:
        raise ConflictError(
            f"{changed} of the {len(rows)} {what} were changed or deleted since; "
            f"'undo {text}' was not applied (nothing was changed)"
        )
    project.delete_annotations(ids)
    for doc_id, (before, _after) in statuses.items():
        project.set_status(doc_id, before)


class PropagateAnnotations(Command):
    """Add span annotations to any number of documents as one action ("annotate
    all", issue 16), in one transaction, one undo step.

    Built for thousands of rows: every check and write is a bulk statement. Each
    new annotation's ``origin`` (the annotation or text it was propagated from) is
    recorded (:meth:`Project.propagated_from <annotator.core.store.Project.propagated_from>`)
    and forgotten again on undo. ``doc_id`` is the document the action was started
    from (the UI shows it when the step is undone); documents that are new become
    in progress, and are new again after undo. Undo first checks that every added
    row is still as this command wrote it; if not, :class:`ConflictError` and
    nothing is written.
    """

    def __init__(self, doc_id: str, actor: str, annotations: list[Annotation], origin: str, text: str | None = None):
        super().__init__(doc_id, actor)
        if not annotations:
            raise CommandError("nothing to add")
        self.annotations = annotations
        self.origin = origin
        from annotator.core.rows import annotation_row

        self.rows = [annotation_row(a) for a in annotations]
        self.ids = [r.id for r in self.rows]
        self.doc_ids = sorted({r.doc_id for r in self.rows})
        #: doc id -> (status before, status after) of the documents whose status this changes
        self.statuses: dict[str, tuple[DocStatus, DocStatus]] = {}
        self._planned = False
        n, docs = len(self.rows), len(self.doc_ids)
        where = "" if docs == 1 else f" in {docs} documents"
        self.text = text or f"annotate all: add {n} {annotations[0].label}{'' if n == 1 else 's'}{where}"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        return {a.id: a for a in self.annotations}

    def _first_check(self, project: Project) -> None:
        self._check_seen(project)
        if len(set(self.ids)) != len(self.ids):
            raise CommandError("the same annotation id is given twice")
        for kind, label in {(a.kind, a.label) for a in self.annotations}:
            if kind == "relation":
                raise CommandError("annotate all adds spans, not relations")
            if label not in project.schema.labels(kind):
                raise CommandError(f"{label!r} is not a {kind} label of this project's schema")
        summaries: dict[str, dict[str, Any]] = {}
        for i in range(0, len(self.doc_ids), 500):
            summaries.update(project.document_summaries(self.doc_ids[i : i + 500]))
        for a in self.annotations:
            info = summaries.get(a.doc_id)
            if info is None:
                raise CommandError(f"document {a.doc_id} is not in this project")
            if a.referenced_ids():
                raise CommandError("annotate all adds plain spans (no arguments, claimants or relations)")
            try:
                a.check_span(info["length"])
            except ValueError as err:
                raise CommandError(str(err)) from None
        if self.actor != GOLD:
            for doc_id in self.doc_ids:
                if summaries[doc_id]["status"] == DocStatus.NEW:
                    self.statuses[doc_id] = (DocStatus.NEW, DocStatus.IN_PROGRESS)
        self.before = dict.fromkeys(self.ids)
        self.after = {a.id: a for a in self.annotations}

    @property
    def other_documents(self) -> frozenset[str]:
        """The documents this adds to besides :attr:`doc_id` (a front end announces
        them as changed wholesale, after the command's own :class:`Changes`)."""
        return frozenset(self.doc_ids) - {self.doc_id}

    def _changes(self, *, added: bool) -> Changes:
        """What changed in :attr:`doc_id`, the document the action was started from,
        as any command of one document says it (a view showing it adds or removes
        just these spans); the other documents are :attr:`other_documents`."""
        ids = {r.id for r in self.rows if r.doc_id == self.doc_id}
        changes = Changes(doc_id=self.doc_id)
        if added:
            changes.added = ids
        else:
            changes.removed = ids
        if self.doc_id in self.statuses:
            changes.status = self.statuses[self.doc_id][1 if added else 0]
        return changes

    def do(self, project: Project) -> Changes:
        if not self._planned:
            self._first_check(project)
            self._planned = True
        put_added_rows(project, self.rows, self.statuses, self.text)
        project.put_propagated_from((i, self.origin) for i in self.ids)
        project.ensure_annotators({self.actor})
        project.log(self.actor, self.doc_id, "do:PropagateAnnotations", self._log_detail())
        return self._changes(added=True)

    def undo(self, project: Project) -> Changes:
        assert self._planned, "undo before do"
        take_back_added_rows(project, self.rows, self.statuses, self.text, "added annotations")
        project.delete_propagated_from(self.ids)
        project.log(self.actor, self.doc_id, "undo:PropagateAnnotations", self._log_detail())
        return self._changes(added=False)

    def _log_detail(self) -> dict[str, Any]:
        return {"text": self.text, "origin": self.origin, "ids": self.ids, "documents": self.doc_ids}


# -- document labels (issue 14) -------------------------------------------------


class ReplaceDocLabels(Command):
    """Set one category's document labels of a document, for ``actor``, to exactly
    ``labels`` (empty: clear the category), one undoable step.

    Labels kept keep the time they were first set; new ones get ``source`` and
    the time now.  A single-choice category takes at most one label.  Labels
    being removed need not be in the schema (a label the schema has lost can be
    cleared); labels being set must.  Undo and redo first check that the
    category's labels are still as this command left them (else
    :class:`ConflictError`, nothing written).
    """

    def __init__(
        self, doc_id: str, actor: str, category: str, labels: list[str], *, source: str = "manual", text: str | None = None
    ):
        super().__init__(doc_id, actor)
        self.category = category
        self.labels = list(dict.fromkeys(labels))
        self.source = source
        self.text = text or (f"set {category}: {', '.join(self.labels)}" if self.labels else f"clear {category}")
        self.rows_before: list[Any] = []
        self.rows_after: list[Any] = []
        self._planned = False

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        return {}

    def target(self, project: Project, current: list[str]) -> list[str]:
        """The category's labels after this command, given those now (in the order set)."""
        return self.labels

    def _current(self, project: Project) -> list[Any]:
        return [r for r in project.doc_label_rows([self.doc_id], [self.actor]) if r.category == self.category]

    def _first_run(self, project: Project) -> None:
        from annotator.core.doclabels import DocLabelRow

        try:
            project.document_length(self.doc_id)
        except KeyError:
            raise CommandError(f"document {self.doc_id} is not in this project") from None
        rows = self._current(project)
        current = [r.label for r in rows]
        new = list(dict.fromkeys(self.target(project, current)))
        cat = project.schema.category(self.category)
        added = [lab for lab in new if lab not in current]
        if added:
            if cat is None:
                known = ", ".join(c.name for c in project.schema.categories) or "none"
                raise CommandError(f"{self.category!r} is not a document category of this project's schema (its: {known})")
            for lab in added:
                if cat.label(lab) is None:
                    raise CommandError(f"{lab!r} is not a label of the document category {self.category!r}")
            if not cat.multi and len(new) > 1:
                raise CommandError(f"{self.category} is single-choice: one label at most, not {', '.join(new)}")
        if set(new) == set(current):
            raise CommandError(
                f"{self.category} is already {', '.join(new)}" if new else f"{self.category} has no labels to clear"
            )
        keep = {r.label: r for r in rows}
        stamp = now()
        self.rows_before = rows
        self.rows_after = [
            keep.get(lab) or DocLabelRow(self.doc_id, self.actor, self.category, lab, self.source, stamp) for lab in new
        ]
        current_status = project.document_status(self.doc_id)
        target = self.plan_status(project, current_status)
        if target is not None and target != current_status:
            self.status_before, self.status_after = current_status, target

    def _swap(self, project: Project, expect: list[Any], rows: list[Any], status: DocStatus | None, action: str) -> Changes:
        if set(self._current(project)) != set(expect):
            raise ConflictError(
                f"the document labels of {self.category} were changed in another window or process since; "
                f"'{action} {self.text}' was not applied (the current state is shown now)"
            )
        project.delete_doc_label_rows(expect)
        project.put_doc_label_rows(rows)
        changes = Changes(doc_id=self.doc_id, doc_labels=True)
        if status is not None:
            project.set_status(self.doc_id, status)
            changes.status = status
        project.ensure_annotators({self.actor})
        project.log(
            self.actor,
            self.doc_id,
            f"{action}:{type(self).__name__}",
            {
                "text": self.text,
                "category": self.category,
                "labels": [r.label for r in rows],
                "status": str(status) if status else None,
            },
        )
        return changes

    def do(self, project: Project) -> Changes:
        if not self._planned:
            self._first_run(project)
            self._planned = True
        return self._swap(project, self.rows_before, self.rows_after, self.status_after, "do")

    def undo(self, project: Project) -> Changes:
        assert self._planned, "undo before do"
        return self._swap(project, self.rows_after, self.rows_before, self.status_before, "undo")


class SetDocLabel(ReplaceDocLabels):
    """One document label by ``mode``: ``"set"`` it (in a single-choice category
    it replaces the one there), ``"toggle"`` it (set, or remove when set: the
    document label keys), ``"remove"`` it; or ``"clear"`` its whole category
    (``label`` None)."""

    MODES = ("set", "toggle", "remove", "clear")

    def __init__(
        self, doc_id: str, actor: str, category: str, label: str | None, mode: str = "toggle", *, source: str = "manual"
    ):
        if mode not in self.MODES:
            raise CommandError(f"unknown mode {mode!r} (use {', '.join(self.MODES)})")
        if (label is None) != (mode == "clear"):
            raise CommandError("give a label to set, toggle or remove; none to clear a category")
        super().__init__(doc_id, actor, category, [], source=source)
        self.label = label
        self.mode = mode
        self.text = {
            "set": f"set {category}: {label}",
            "toggle": f"toggle {category}: {label}",
            "remove": f"remove {category}: {label}",
            "clear": f"clear {category}",
        }[mode]

    def target(self, project: Project, current: list[str]) -> list[str]:
        label, mode = self.label, self.mode
        if mode == "clear":
            return []
        assert label is not None
        if mode == "remove" or (mode == "toggle" and label in current):
            if label not in current:
                raise CommandError(f"{label} is not set in {self.category}")
            return [x for x in current if x != label]
        if label in current:
            return current
        cat = project.schema.category(self.category)
        if cat is not None and not cat.multi:
            return [label]
        return [*current, label]


# -- notes (issue 14) ------------------------------------------------------------


class SetNote(Command):
    """Add, edit or delete (empty ``text``) the note of one type on an annotation
    (``target`` its id) or on the document (``target`` ""), in a layer.

    The layer of an annotation's note is the annotation's annotator; of a
    document note, ``annotator`` (by default the actor).  Undo puts the note back
    as it was; undo and redo refuse (:class:`ConflictError`) when the note was
    changed meanwhile elsewhere.
    """

    def __init__(
        self,
        doc_id: str,
        actor: str,
        target: str,
        text: str,
        note_type: str | None = None,
        annotator: str | None = None,
    ):
        from annotator.core.notes import DEFAULT_NOTE_TYPE

        super().__init__(doc_id, actor)
        self.target = target
        self.new_text = text.strip()
        self.note_type = note_type or DEFAULT_NOTE_TYPE
        self.layer = annotator
        self.note_before: Any = None
        self.note_after: Any = None
        self._planned = False
        self.text = "note"

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        return {}

    def _plan_note(self, project: Project) -> None:
        from annotator.core.notes import Note, check_note_type

        try:
            check_note_type(self.note_type)
        except ValueError as err:
            raise CommandError(str(err)) from None
        if project.lookup_document(doc_id=self.doc_id) is None:
            raise CommandError(f"no document {self.doc_id}")
        layer = self.layer or self.actor
        if self.target:
            ann = project.get_annotation(self.target)
            if ann is None or ann.doc_id != self.doc_id:
                raise CommandError(f"no annotation {self.target} in this document")
            layer = ann.annotator
        self.layer = layer
        before = project.get_note(self.doc_id, layer, self.target, self.note_type)
        after = Note(self.doc_id, layer, self.target, self.note_type, self.new_text, now()) if self.new_text else None
        if before is None and after is None:
            raise CommandError("there is no note to delete")
        if before is not None and after is not None and before.text == after.text:
            raise CommandError("the note is unchanged")
        self.note_before, self.note_after = before, after
        what = "the document's note" if not self.target else "note"
        self.text = f"add {what}" if before is None else (f"delete {what}" if after is None else f"edit {what}")
        self._planned = True

    def _put(self, project: Project, expect: Any, row: Any, action: str) -> Changes:
        assert self.layer is not None
        current = project.get_note(self.doc_id, self.layer, self.target, self.note_type)
        if (current.text if current else None) != (expect.text if expect else None):
            raise ConflictError(
                f"this note was changed in another window or process since; '{action} {self.text}' was not applied"
            )
        if row is None:
            project.delete_note(self.doc_id, self.layer, self.target, self.note_type)
        else:
            project.put_notes([row])
        project.log(
            self.actor,
            self.doc_id,
            f"{action}:SetNote",
            {"target": self.target, "type": self.note_type, "annotator": self.layer, "text": row.text if row else None},
        )
        return Changes(doc_id=self.doc_id, notes={self.target})

    def do(self, project: Project) -> Changes:
        if not self._planned:
            self._plan_note(project)
            self.before = {}
        return self._put(project, self.note_before, self.note_after, "do")

    def undo(self, project: Project) -> Changes:
        assert self._planned, "undo before do"
        return self._put(project, self.note_after, self.note_before, "undo")
