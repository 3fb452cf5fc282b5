"""Bringing colleagues' work together: merge projects and native exports into one.

Each annotator works in their own project on their own desktop; a reviewer
merges those projects (``.annotator`` files, opened read-only) or native JSON
lines exports into one review project. The rules, also in ``docs/agreement.md``:

- Documents are matched by the sha256 of their text. A source document whose
  text is not in the target is added (with its id, external id, title,
  metadata, status and timestamps) unless the target holds a *different* text
  under the same id or external id: that document is reported and not merged.
- Annotations keep their id, annotator, source and timestamps. An id the
  target lacks is added. An id the target has is replaced when the source's
  copy differs and its ``updated`` time is later; otherwise the target's copy
  stays (reported as "kept newer" when they differ).
- Deletions: the target remembers which annotations came from which source
  (``merge_provenance``; a project is identified by its creation stamp, an
  export by the set of its annotators). When a later merge of the same source
  lacks an annotation that an earlier merge brought, on a document the source
  still holds, it was deleted there and is deleted here too, unless it was
  changed in the target since.
- Document labels (issue 14) merge per document, annotator and category: a
  category the target lacks is added; one the source holds otherwise replaces
  the target's when the source's labels were set later (a native export's
  count as set at the merge); a category an earlier merge of the same source
  brought and the source no longer has is cleared, unless changed here since.
- Review decisions carried by a source are added (by id).
- Notes (on documents and annotations) are matched by layer, target and type:
  one the target lacks is added, one that differs replaces the target's when
  its ``updated`` time is later (else the target's stays, "kept newer"); a note
  on an annotation that is not in the merged document is left out.  A note
  deleted in the source is not deleted here.
- Coreference clusters (issue 15) come with their document's annotations: one
  the target lacks is added, one it has is replaced when the source's copy is
  newer; one that would take a mention the target has in another cluster is
  reported and left out.  Registry entries they link to are added by id.  A
  cluster deleted in the source is not deleted here.
- Document status becomes the further along of the two (new, in progress,
  done, in review, reviewed), except that a ``reviewed`` document that gets new
  or changed annotations goes back to ``in_review``.
- Every source is read and checked completely before anything is written;
  each source is then merged in ONE transaction: a bad source changes nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from annotator.core.coref import Cluster, RegistryEntry
from annotator.core.doclabels import DocLabelRow
from annotator.core.models import GOLD, Annotation, DocStatus, Document, now
from annotator.core.notes import Note
from annotator.core.rows import AnnotationRow, annotation_row, row_to_annotation, row_to_document
from annotator.core.schema import LabelSchema, SchemaError, default_schema, parse_schema
from annotator.core.store import SQLITE_MAGIC, Project, ProjectError, read_project_file

__all__ = ["MergeError", "MergeSource", "MergeReport", "read_source", "merge_source", "merge_paths"]

_STATUS_ORDER = [DocStatus.NEW, DocStatus.IN_PROGRESS, DocStatus.DONE, DocStatus.IN_REVIEW, DocStatus.REVIEWED]


class MergeError(ValueError):
    """A source that cannot be merged; ``str()`` is the user message (file and problem)."""


@dataclass
class SourceDocument:
    document: Document
    annotations: list[Annotation]
    review: list[dict[str, Any]] = field(default_factory=list)
    #: Where it came from, for messages ("line 3", "document 'abc'").
    where: str = ""
    #: Its document labels (``doc_id`` the source's document id).
    doc_labels: list[DocLabelRow] = field(default_factory=list)
    #: Notes on the document and its annotations.
    notes: list[Note] = field(default_factory=list)
    #: Its coreference clusters and the registry entries they link to (issue 15).
    clusters: list[Cluster] = field(default_factory=list)
    registry: list[RegistryEntry] = field(default_factory=list)


@dataclass
class MergeSource:
    """A source read completely into memory and checked."""

    path: str
    kind: str  # "project" or "native"
    origin: str
    documents: list[SourceDocument]
    annotators: set[str]
    schema: LabelSchema | None = None


@dataclass
class MergeReport:
    """What merging one source did."""

    source: str
    documents_added: int = 0
    documents_matched: int = 0
    annotations_added: int = 0
    annotations_updated: int = 0
    annotations_unchanged: int = 0
    #: Annotations the source has in an older (or equally old) version than the target: target kept.
    annotations_kept: int = 0
    annotations_deleted: int = 0
    decisions_added: int = 0
    #: Document label groups (document, annotator, category) added, replaced, cleared.
    doc_labels_added: int = 0
    doc_labels_updated: int = 0
    doc_labels_deleted: int = 0
    notes_added: int = 0
    notes_updated: int = 0
    #: Notes the source has in an older (or equally old) version than the target: target kept.
    notes_kept: int = 0
    #: Coreference clusters added or replaced, registry entries added (issue 15).
    clusters_merged: int = 0
    registry_added: int = 0
    #: Documents not merged (same id / external id, different text) and similar problems.
    problems: list[str] = field(default_factory=list)
    #: Target document ids that went from ``reviewed`` back to ``in_review``.
    back_in_review: list[str] = field(default_factory=list)
    #: Target document ids merged into (added or matched), in source order.
    documents: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.documents_added
            or self.annotations_added
            or self.annotations_updated
            or self.annotations_deleted
            or self.decisions_added
            or self.doc_labels_added
            or self.doc_labels_updated
            or self.doc_labels_deleted
            or self.notes_added
            or self.notes_updated
            or self.clusters_merged
            or self.registry_added
        )

    def summary(self) -> str:
        parts = [
            f"{self.source}: {plural(self.documents_added, 'new document')}, {plural(self.documents_matched, 'matched document')}",
            f"annotations: {self.annotations_added} added, {self.annotations_updated} updated, "
            f"{self.annotations_deleted} deleted, {self.annotations_unchanged} unchanged"
            + (f", {self.annotations_kept} kept (newer here)" if self.annotations_kept else ""),
        ]
        if self.doc_labels_added or self.doc_labels_updated or self.doc_labels_deleted:
            parts.append(
                f"document labels: {self.doc_labels_added} added, {self.doc_labels_updated} updated, "
                f"{self.doc_labels_deleted} cleared"
            )
        if self.decisions_added:
            parts.append(plural(self.decisions_added, "review decision") + " added")
        if self.notes_added or self.notes_updated or self.notes_kept:
            parts.append(
                f"notes: {self.notes_added} added, {self.notes_updated} updated"
                + (f", {self.notes_kept} kept (newer here)" if self.notes_kept else "")
            )
        if self.clusters_merged:
            parts.append(plural(self.clusters_merged, "coreference cluster") + " merged")
        if self.registry_added:
            n = self.registry_added
            parts.append(f"{n} registry {'entry' if n == 1 else 'entries'} added")
        if self.back_in_review:
            parts.append(f"{plural(len(self.back_in_review), 'reviewed document')} back in review")
        if self.problems:
            parts.append(plural(len(self.problems), "problem"))
        return "; ".join(parts)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------------------
# Reading sources
# ---------------------------------------------------------------------------
def read_source(path: str | Path) -> MergeSource:
    """Read a project file or a native JSON lines export, completely, and check it.

    Raises :class:`MergeError` naming the file (and line or document) on any problem.
    """
    path = Path(path)
    if not path.exists():
        raise MergeError(f"{path}: no such file")
    if path.is_dir():
        raise MergeError(f"{path}: a folder; give a project file (.annotator) or a native export (.jsonl)")
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as err:
        raise MergeError(f"{path}: cannot read: {err.strerror or err}") from None
    if head.startswith(SQLITE_MAGIC):
        return _read_project(path)
    return _read_native(path)


def _read_project(path: Path) -> MergeSource:
    try:
        stored = read_project_file(path)
    except ProjectError as err:
        raise MergeError(str(err)) from None
    origin = f"project:{stored.meta.get('created') or path.name}"
    schema = None
    if stored.schema is not None:
        try:
            schema = parse_schema(json.loads(stored.schema), f"{path.name} (stored schema)")
        except (SchemaError, ValueError) as err:
            raise MergeError(f"{path}: its label schema cannot be read: {err}") from None
    docs: dict[str, SourceDocument] = {}
    for row in stored.documents:
        try:
            doc = row_to_document(row)
        except (ValidationError, ValueError) as err:
            raise MergeError(f"{path}: document {row.id!r} is damaged: {_first_error(err)}") from None
        docs[doc.id] = SourceDocument(doc, [], where=f"document {doc.title or doc.id!r}")
    annotators = set(stored.annotators)
    for arow in stored.annotations:
        try:
            ann = row_to_annotation(arow)
        except (ValidationError, ValueError) as err:
            raise MergeError(f"{path}: annotation {arow.id!r} is damaged: {_first_error(err)}") from None
        if ann.doc_id not in docs:
            raise MergeError(f"{path}: annotation {ann.id} belongs to no document")
        docs[ann.doc_id].annotations.append(ann)
        annotators.add(ann.annotator)
    for decision in stored.review_decisions:
        if decision["doc_id"] in docs:
            docs[decision["doc_id"]].review.append(decision)
    for label_row in stored.doc_labels:
        if label_row.doc_id in docs:
            docs[label_row.doc_id].doc_labels.append(label_row)
            annotators.add(label_row.annotator)
    for doc_id, who, target, note_type, text, updated in stored.notes:
        if doc_id in docs:
            docs[doc_id].notes.append(Note(doc_id, who, target, note_type, text, updated))
    entries = {e.id: e for e in stored.registry}
    for cluster in stored.clusters:
        sd = docs.get(cluster.doc_id)
        if sd is not None:
            sd.clusters.append(cluster)
            if cluster.entry_id in entries and entries[cluster.entry_id] not in sd.registry:
                sd.registry.append(entries[cluster.entry_id])
    source = MergeSource(str(path), "project", origin, list(docs.values()), annotators, schema)
    _check_source(source)
    return source


def _first_error(err: Exception) -> str:
    if isinstance(err, ValidationError):
        e = err.errors()[0]
        return f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
    return str(err)


def _read_native(path: Path) -> MergeSource:
    from annotator.formats import InputError
    from annotator.formats.native import iter_native

    docs: list[SourceDocument] = []
    annotators: set[str] = set()
    stamp = now()  # a native export does not say when its document labels were set: as of reading it
    try:
        for item in iter_native(path):
            if isinstance(item, InputError):
                raise MergeError(f"{item}; nothing was merged")
            review = [_decision(d, item.document.id, path, item.line) for d in item.review]
            labels = [
                DocLabelRow(item.document.id, who, category, label, "merge", stamp)
                for who, groups in item.doc_labels.items()
                for category, names in groups.items()
                for label in names
            ]
            docs.append(
                SourceDocument(
                    item.document,
                    item.annotations,
                    review,
                    where=f"line {item.line}",
                    doc_labels=labels,
                    notes=item.user_notes,
                    clusters=list(item.clusters),
                    registry=list(item.registry),
                )
            )
            annotators |= {a.annotator for a in item.annotations} | set(item.doc_labels)
    except InputError as err:  # a problem with the file as a whole
        raise MergeError(f"{err}; nothing was merged") from None
    if not docs:
        raise MergeError(f"{path}: no documents in it (is it a native export?)")
    origin = "export:" + ",".join(sorted(annotators))
    source = MergeSource(str(path), "native", origin, docs, annotators)
    _check_source(source)
    return source


def _decision(d: Any, doc_id: str, path: Path, line: int | None) -> dict[str, Any]:
    where = f"{path}:{line}" if line else str(path)
    if not isinstance(d, dict):
        raise MergeError(f"{where}: a review decision must be an object, found {d!r:.40}")
    missing = [k for k in ("id", "reviewer", "time", "action") if not isinstance(d.get(k), str) or not d.get(k)]
    if missing:
        raise MergeError(f"{where}: review decision without {', '.join(missing)}")
    return {
        "id": d["id"],
        "doc_id": doc_id,
        "reviewer": d["reviewer"],
        "time": d["time"],
        "action": d["action"],
        "source_ids": list(d.get("source_ids") or []),
        "gold_id": d.get("gold_id"),
        "detail": dict(d.get("detail") or {}),
    }


def _check_source(source: MergeSource) -> None:
    """Ids unique, references inside their document, spans inside the text."""
    seen: dict[str, str] = {}
    for sd in source.documents:
        ids = {a.id for a in sd.annotations}
        for a in sd.annotations:
            if a.id in seen and seen[a.id] != sd.document.sha256:
                raise MergeError(f"{source.path}: annotation id {a.id} is used in two documents; nothing was merged")
            seen[a.id] = sd.document.sha256
            try:
                a.check_span(len(sd.document.text))
            except ValueError as err:
                raise MergeError(f"{source.path}: {sd.where}: annotation {a.id}: {err}; nothing was merged") from None
            missing = a.referenced_ids() - ids
            if missing:
                raise MergeError(
                    f"{source.path}: {sd.where}: {a.kind} {a.id} refers to {', '.join(sorted(missing))}, "
                    "which is not in that document; nothing was merged"
                )


# ---------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------
def _unknown_labels(schema: LabelSchema, source: MergeSource) -> Counter:
    allowed = {k: set(schema.labels(k)) for k in ("entity", "event", "claim", "relation")}
    out: Counter = Counter()
    for sd in source.documents:
        for a in sd.annotations:
            if a.label not in allowed[a.kind]:
                out[(a.kind, a.label)] += 1
    return out


def check_labels(schema: LabelSchema, source: MergeSource, target: str) -> None:
    """Refuse a source whose labels the target's schema lacks (listing them)."""
    unknown = _unknown_labels(schema, source)
    for sd in source.documents:
        for r in sd.doc_labels:
            cat = schema.category(r.category)
            if cat is None or cat.label(r.label) is None:
                unknown[("document label", f"{r.category}/{r.label}")] += 1
    if unknown:
        listed = ", ".join(f"{k} {lab} ({n})" for (k, lab), n in sorted(unknown.items()))
        raise MergeError(
            f"{source.path}: labels that {target}'s schema lacks: {listed}; nothing was merged "
            "(add them to the schema first, e.g. with 'annotator schema')"
        )


def merge_source(project: Project, source: MergeSource, *, actor: str = "merge") -> MergeReport:
    """Merge one source into ``project`` in ONE transaction (see the module doc)."""
    if Path(source.path).resolve() == project.path.resolve():
        raise MergeError(f"{source.path}: cannot merge a project into itself")
    check_labels(project.schema, source, project.path.name)
    report = MergeReport(source=Path(source.path).name)
    stamp = now()
    with project.transaction():
        for sd in source.documents:
            _merge_document(project, source, sd, report, stamp)
        project.ensure_annotators(source.annotators)
        project.log(
            actor,
            None,
            "merge",
            {
                "source": report.source,
                "origin": source.origin,
                "documents_added": report.documents_added,
                "annotations_added": report.annotations_added,
                "annotations_updated": report.annotations_updated,
                "annotations_deleted": report.annotations_deleted,
                "problems": report.problems[:50],
            },
        )
    return report


def _ids_elsewhere(project: Project, ids: list[str], doc_id: str | None) -> list[str]:
    """Those of ``ids`` stored on a document other than ``doc_id``."""
    return [i for i, d in project.annotation_document_ids(ids).items() if d != doc_id]


def _merge_document(project: Project, source: MergeSource, sd: SourceDocument, report: MergeReport, stamp: str) -> None:
    doc = sd.document
    target_id = project.document_by_sha(doc.sha256)
    if target_id is None:
        clash = _clashing_document(project, doc)
        if clash:
            report.problems.append(f"{sd.where}: {clash}; not merged")
            return
        taken = _ids_elsewhere(project, [a.id for a in sd.annotations], None)
        if taken:
            report.problems.append(
                f"{sd.where}: annotation {taken[0]} is on another document in {project.path.name}; document not merged"
            )
            return
        project.add_document(doc, sd.annotations)
        _merge_clusters(project, sd, doc.id, report)
        report.documents_added += 1
        report.documents.append(doc.id)
        _merge_doc_labels(project, source, sd, doc.id, report, stamp)
        project.remember_merged([a.id for a in sd.annotations], source.origin, stamp)
        report.annotations_added += len(sd.annotations)
        report.decisions_added += _add_decisions(project, sd.review, doc.id)
        _merge_notes(project, sd, doc.id, {a.id for a in sd.annotations}, report)
        return
    current = {r.id: r for r in project.document_annotation_rows(target_id)}
    incoming: dict[str, AnnotationRow] = {}
    for a in sd.annotations:
        row = annotation_row(a)
        incoming[a.id] = row if a.doc_id == target_id else row._replace(doc_id=target_id)
    taken = _ids_elsewhere(project, [i for i in incoming if i not in current], target_id)
    if taken:
        report.problems.append(
            f"{sd.where}: annotation {taken[0]} is on another document in {project.path.name}; document not merged"
        )
        return
    final = dict(current)
    puts: list[AnnotationRow] = []
    counts: Counter = Counter()
    for ann_id, row in incoming.items():
        old = current.get(ann_id)
        if old is None:
            counts["added"] += 1
        elif old == row:
            counts["unchanged"] += 1
            continue
        elif row.updated > old.updated:
            counts["updated"] += 1
        else:
            counts["kept"] += 1
            continue
        puts.append(row)
        final[ann_id] = row
    deletions = _deletions(project, source.origin, current, incoming)
    for ann_id in deletions:
        del final[ann_id]
    for row in final.values():
        missing = sorted(r for r in row.referenced_ids() if r not in final)
        if missing:
            report.problems.append(
                f"{sd.where}: merging would leave {row.kind} {row.id} pointing at deleted annotation(s) "
                f"{', '.join(missing)}; document not merged"
            )
            return
    report.documents_matched += 1
    report.documents.append(target_id)
    report.annotations_added += counts["added"]
    report.annotations_updated += counts["updated"]
    report.annotations_unchanged += counts["unchanged"]
    report.annotations_kept += counts["kept"]
    report.annotations_deleted += len(deletions)
    project.put_annotation_rows(puts)
    project.delete_annotations(deletions)
    project.forget_merged(deletions)
    annotator_work = any(r.annotator != GOLD for r in puts) or any(current[i].annotator != GOLD for i in deletions)
    project.remember_merged(list(incoming), source.origin, stamp)
    annotator_work |= _merge_doc_labels(project, source, sd, target_id, report, stamp)
    report.decisions_added += _add_decisions(project, sd.review, target_id)
    _merge_notes(project, sd, target_id, set(final), report)
    _merge_clusters(project, sd, target_id, report)
    status = project.document_status(target_id)
    new_status = max(status, doc.status, key=_STATUS_ORDER.index)
    if status == DocStatus.REVIEWED and annotator_work:
        new_status = DocStatus.IN_REVIEW
        report.back_in_review.append(target_id)
    if new_status != status:
        project.set_status(target_id, new_status)


def _label_key(doc_id: str, annotator: str, category: str) -> str:
    """The merge provenance key of one document's category of one annotator."""
    return json.dumps(["doc_labels", doc_id, annotator, category], ensure_ascii=False)


def _merge_doc_labels(
    project: Project, source: MergeSource, sd: SourceDocument, target_id: str, report: MergeReport, stamp: str
) -> bool:
    """Merge a source document's document labels into ``target_id`` (see the
    module doc); whether an annotator's (not the gold layer's) changed."""
    incoming: dict[tuple[str, str], list[DocLabelRow]] = {}
    for r in sd.doc_labels:
        incoming.setdefault((r.annotator, r.category), []).append(r._replace(doc_id=target_id))
    current: dict[tuple[str, str], list[DocLabelRow]] = {}
    for r in project.doc_label_rows([target_id]):
        current.setdefault((r.annotator, r.category), []).append(r)
    keys = {k: _label_key(target_id, *k) for k in set(incoming) | set(current)}
    merged = project.merged_stamps(source.origin, [keys[k] for k in current if k not in incoming])
    puts: list[DocLabelRow] = []
    drops: list[DocLabelRow] = []
    cleared: list[str] = []
    changed_annotator = False
    for group, rows in incoming.items():
        have = current.get(group, [])
        if {r.label for r in rows} == {r.label for r in have}:
            continue
        if not have:
            report.doc_labels_added += 1
        elif max(r.time for r in rows) > max(r.time for r in have):
            report.doc_labels_updated += 1
        else:
            continue  # set here later than there: kept
        drops += have
        puts += rows
        changed_annotator |= group[0] != GOLD
    for group, have in current.items():
        stamp_then = merged.get(keys[group])
        if group not in incoming and stamp_then is not None and max(r.time for r in have) <= stamp_then:
            drops += have  # cleared in the source since an earlier merge brought it
            cleared.append(keys[group])
            report.doc_labels_deleted += 1
            changed_annotator |= group[0] != GOLD
    project.delete_doc_label_rows(drops)
    project.put_doc_label_rows(puts)
    project.forget_merged(cleared)
    project.remember_merged([keys[g] for g in incoming], source.origin, stamp)
    return changed_annotator


def _merge_clusters(project: Project, sd: SourceDocument, doc_id: str, report: MergeReport) -> None:
    """The source document's clusters into the target document ``doc_id`` (after its
    annotations): a cluster the target lacks is added, one it has is replaced when
    the source's copy differs and is newer.  A cluster that would hold a mention the
    target has in another cluster, or one missing from the target, is reported and
    left out.  Registry entries the clusters link to are added when the target has
    no entry of that id (one it has stays as it is)."""
    if not sd.clusters:
        return
    for entry in sd.registry:
        if project.get_registry_entry(entry.id) is None:
            project.put_registry_entry(entry)
            report.registry_added += 1
    existing = {c.id: c for c in project.clusters(doc_id)}
    present = project.existing_annotation_ids([m for c in sd.clusters for m in c.members])
    for cluster in sd.clusters:
        cluster = cluster if cluster.doc_id == doc_id else replace(cluster, doc_id=doc_id)
        old = existing.get(cluster.id)
        if old is not None and (old.same_as(cluster) or old.updated >= cluster.updated):
            continue
        missing = [m for m in cluster.members if m not in present]
        held = {m: c for m, c in project.clusters_of_annotations(cluster.members).items() if c != cluster.id}
        if missing or held:
            why = f"mention {missing[0]} is not in {project.path.name}" if missing else "a mention is in another cluster there"
            report.problems.append(f"{sd.where}: cluster {cluster.name or cluster.id} not merged ({why})")
            continue
        project.put_cluster(cluster)
        report.clusters_merged += 1


def _clashing_document(project: Project, doc: Document) -> str | None:
    """Why ``doc`` (whose text the project lacks) must not be merged, if it must not."""
    found = project.lookup_document(doc_id=doc.id)
    if found:
        return f"document id {doc.id!r} is in {project.path.name} with a different text ({found[1]!r})"
    if doc.external_id:
        found = project.lookup_document(external_id=doc.external_id)
        if found:
            return f"external id {doc.external_id!r} is in {project.path.name} with a different text ({found[1]!r})"
    return None


def _deletions(project: Project, origin: str, current: dict[str, AnnotationRow], incoming: dict[str, AnnotationRow]) -> list[str]:
    """Annotations an earlier merge of ``origin`` brought that the source no longer has,
    unchanged here since that merge."""
    gone = [i for i in current if i not in incoming]
    merged = project.merged_stamps(origin, gone)
    return [i for i in gone if i in merged and current[i].updated <= merged[i]]


def _merge_notes(project: Project, sd: SourceDocument, target_id: str, ann_ids: set[str], report: MergeReport) -> None:
    """The source document's notes into ``target_id`` (see the module doc)."""
    if not sd.notes:
        return
    current = {(n.annotator, n.target, n.type): n for n in project.notes(target_id)}
    puts: list[Note] = []
    for n in sd.notes:
        if n.target and n.target not in ann_ids:
            continue
        old = current.get((n.annotator, n.target, n.type))
        if old is None:
            report.notes_added += 1
        elif old.text == n.text:
            continue
        elif n.updated > old.updated:
            report.notes_updated += 1
        else:
            report.notes_kept += 1
            continue
        puts.append(n._replace(doc_id=target_id, updated=n.updated or now()))
    project.put_notes(puts)
    project.ensure_annotators({n.annotator for n in puts})


def _add_decisions(project: Project, decisions: Iterable[dict[str, Any]], doc_id: str) -> int:
    n = 0
    for d in decisions:
        if project.review_decision_exists(d["id"]):
            continue
        project.put_review_decision({**d, "doc_id": doc_id})
        n += 1
    return n


def merge_paths(
    out: str | Path,
    sources: Sequence[str | Path],
    *,
    actor: str = "merge",
    progress: Callable[[str], None] | None = None,
) -> list[MergeReport]:
    """Merge ``sources`` into the project ``out`` (created when missing, with the
    first source project's schema). Every source is read and checked first; if
    any is bad, :class:`MergeError` is raised and nothing is written."""
    if not sources:
        raise MergeError("nothing to merge: give one or more projects or native exports")
    out = Path(out)
    loaded = []
    for path in sources:
        if out.exists() and Path(path).resolve() == out.resolve():
            raise MergeError(f"{path}: cannot merge a project into itself")
        if progress:
            progress(f"reading {path}")
        loaded.append(read_source(path))
    if out.exists():
        project = Project(out)
    else:
        schema = next((s.schema for s in loaded if s.schema is not None), None) or default_schema()
        for source in loaded:  # before the new project file exists
            check_labels(schema, source, out.name)
        project = Project(out, create=True, schema=schema)
    try:
        for source in loaded:
            check_labels(project.schema, source, out.name)
        reports = []
        for source in loaded:
            if progress:
                progress(f"merging {source.path}")
            reports.append(merge_source(project, source, actor=actor))
        return reports
    finally:
        project.close()
