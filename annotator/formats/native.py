"""Native JSON lines: everything the project knows about a document, one document per line.

The format for moving work between annotators' desktops and into review::

    {"format": "annotator-native", "format_version": 1,
     "schema": {"name": "news", "version": 1},
     "id": "...", "external_id": null, "title": "...", "text": "...", "sha256": "...",
     "source": "article.txt", "metadata": {}, "status": "in_progress",
     "created": "...", "updated": "...",
     "annotations": [{"id": "...", "kind": "entity", "label": "ORG", "start": 0, "end": 5,
                      "attributes": {}, "arguments": [], "head": null, "tail": null,
                      "claimant_ref": null, "claimant_text": null, "annotator": "alice",
                      "source": "manual", "created": "...", "updated": "..."}],
     "doc_labels": {"alice": {"topic": ["economy", "trade"], "genre": ["report"]}},
     "review": [{"id": "...", "reviewer": "...", "time": "...", "action": "accept",
                 "source_ids": ["..."], "gold_id": "...", "detail": {}}],
     "clusters": [{"id": "...", "annotator": "alice", "name": "Randhir Jaiswal", "type": "PERSON",
                   "entry_id": "...", "members": ["<annotation id>", ...], "created": "...", "updated": "..."}],
     "registry": [{"id": "...", "name": "Randhir Jaiswal", "type": "PERSON", "aliases": ["Jaiswal"],
                   "description": "MEA spokesperson", "links": [], "created": "...", "updated": "..."}]}

``clusters`` (coreference chains, issue 15) and ``registry`` (the registry entries
the clusters link to, or claimants and arguments name as ``entry:<id>``) are
written only when the document has clusters or names an entry; reading keeps
them (an entry the project has already, by id, stays as the project has it).

``doc_labels`` (issue 14) holds each annotator's document labels,
``{annotator: {category: [labels]}}`` in schema order; it is left out when no
one set any (so records without them stay byte for byte as before).

A discontinuous span (issue 14) has ``"fragments": [[start, end], ...]`` right
after ``end`` (its pieces in document order; ``start``/``end`` are their hull);
a one-piece span has no ``fragments`` key.

An entity linked to knowledge-base entries has, last, ``"links": [{"resource":
"Wikidata", "id": "Q148", "name": "China"}]`` (in the order they were made;
no ``links`` key when there are none).

A claim's ``attributes`` hold every claim attribute of the schema, ``null``
where nobody set it (read back as unset).  Keys are always written in this
order, annotations sorted by kind (entity, event, claim, relation), then start,
end and id, so export -> import -> export gives the same bytes.  ``review`` holds the document's review decisions
(who accepted or rejected what into the gold layer, when), oldest first.  ``text`` is the canonical document text and every
offset is a code point into it, end-exclusive.  Reading keeps ids, timestamps,
statuses, annotators and sources; records written by hand may leave out ids
(new ones are made), timestamps (now) and an annotation's ``source``
(``imported``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from annotator.core.coref import Cluster, RegistryEntry, parse_actor_ref
from annotator.core.models import KINDS, Annotation, Document, Source
from annotator.core.notes import DEFAULT_NOTE_TYPE, Note, check_note_type
from annotator.core.rows import AnnotationRow, DocumentRow, annotation_row, document_row, link_dicts
from annotator.formats import (
    Record,
    TextBuilder,
    find_lone_surrogate,
    json_reader,
    record_name,
    record_text,
)
from annotator.formats.writing import ExportContext, ExportSource, Unit, Writer, claim_attributes, open_text

if TYPE_CHECKING:
    from annotator.core.schema import LabelSchema

__all__ = [
    "NATIVE_FORMAT",
    "NATIVE_VERSION",
    "is_native",
    "native_record",
    "native_row_record",
    "iter_native_records",
    "review_dict",
    "dumps_native",
    "write_native",
    "iter_native",
    "read_native",
    "NativeWriter",
]

NATIVE_FORMAT = "annotator-native"
NATIVE_VERSION = 1
DOCUMENT_KEYS = (
    "id",
    "external_id",
    "title",
    "text",
    "sha256",
    "source",
    "metadata",
    "status",
    "created",
    "updated",
)
ANNOTATION_KEYS = (
    "id",
    "kind",
    "label",
    "start",
    "end",
    "attributes",
    "arguments",
    "head",
    "tail",
    "claimant_ref",
    "claimant_text",
    "annotator",
    "source",
    "created",
    "updated",
)
_KIND_ORDER = {k: i for i, k in enumerate(KINDS)}
_HEADER_KEYS = ("format", "format_version", "schema", "annotations", "doc_labels", "review", "notes", "clusters", "registry")
REVIEW_KEYS = ("id", "reviewer", "time", "action", "source_ids", "gold_id", "detail")
#: Bytes of native lines gathered before one write (fewer, larger writes).
WRITE_BYTES = 1 << 20
#: ``json.dumps(obj, ensure_ascii=False)``: the same bytes, without making an encoder per
#: record, nor keeping the set of containers being written (``check_circular``: the
#: records are trees, made here).
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def is_native(record: dict[str, Any]) -> bool:
    """Whether a JSON record is native (the format marker, or an ``annotations`` list)."""
    return record.get("format") == NATIVE_FORMAT or isinstance(record.get("annotations"), list)


def native_record(
    doc: Document,
    annotations: Iterable[Annotation],
    schema: LabelSchema | None = None,
    review: list[Any] | None = None,
    doc_labels: dict[str, dict[str, list[str]]] | None = None,
    notes: Sequence[Note] = (),
    clusters: Sequence[Cluster] = (),
    registry: Sequence[RegistryEntry] = (),
) -> dict[str, Any]:
    """The native record of one document with its annotations (fixed key order):
    :func:`native_row_record` of their stored rows."""
    return native_row_record(
        document_row(doc), [annotation_row(a) for a in annotations], schema, review, doc_labels, notes, clusters, registry
    )


def native_row_record(
    doc: DocumentRow,
    annotations: Iterable[AnnotationRow],
    schema: LabelSchema | None = None,
    review: list[Any] | None = None,
    doc_labels: dict[str, dict[str, list[str]]] | None = None,
    notes: Sequence[Note] = (),
    clusters: Sequence[Cluster] = (),
    registry: Sequence[RegistryEntry] = (),
) -> dict[str, Any]:
    """The native record of a document and its annotations as the project stores
    them (exports read every row: no Document and Annotation objects are made);
    ``doc_labels``: ``{annotator: {category: [labels]}}``, left out when empty.

    ``notes``: the document's notes; those on an annotation go into the
    annotation's ``notes`` list, those on the document (with their annotator)
    into the record's; either key is there only when there are notes.
    ``clusters`` and ``registry`` are written when given."""
    names = [a.name for a in schema.claim.attributes] if schema is not None else []
    anns = [annotation_dict(r, names) for r in _in_native_order(annotations)]
    doc_notes: list[dict[str, str]] = []
    if notes:
        by_target: dict[str, list[dict[str, str]]] = {}
        for n in sorted(notes, key=lambda n: (n.target, n.type, n.annotator)):
            if n.target:
                by_target.setdefault(n.target, []).append(n.as_json())
            else:
                doc_notes.append({"annotator": n.annotator, **n.as_json()})  # its layer first
        if by_target:
            for d in anns:
                if d["id"] in by_target:
                    d["notes"] = by_target[d["id"]]
    record = {
        "format": NATIVE_FORMAT,
        "format_version": NATIVE_VERSION,
        "schema": {"name": schema.name, "version": schema.version} if schema is not None else None,
        "id": doc.id,
        "external_id": doc.external_id,
        "title": doc.title,
        "text": doc.text,
        "sha256": doc.sha256,
        "source": doc.source,
        "metadata": _metadata(doc.metadata),
        "status": doc.status,
        "created": doc.created,
        "updated": doc.updated,
        "annotations": anns,
    }
    if doc_labels:
        labelled = {name: labels for name, labels in sorted(doc_labels.items()) if labels}
        if labelled:  # before "review", as the keys are read
            record["doc_labels"] = labelled
    record["review"] = [review_dict(d) for d in review] if review else []
    if doc_notes:
        record["notes"] = doc_notes
    if clusters:
        record["clusters"] = [cluster_dict(c) for c in clusters]
    if registry:
        record["registry"] = [e.to_dict() for e in sorted(registry, key=lambda e: e.id)]
    return record


def _metadata(stored: str) -> dict[str, Any]:
    """A document's stored metadata (JSON text), keys sorted."""
    return {} if stored == "{}" else dict(sorted(json.loads(stored).items()))


def cluster_dict(cluster: Cluster) -> dict[str, Any]:
    """One cluster in native key order (without ``doc_id``)."""
    d = cluster.to_dict()
    del d["doc_id"]
    return d


def coref_of(
    source: ExportSource,
    doc_id: str,
    annotations: Iterable[Any],
    annotators: set[str] | None = None,
    *,
    clustered: bool | None = None,
    registered: bool | None = None,
) -> tuple[list[Cluster], list[RegistryEntry]]:
    """The clusters of a document (of ``annotators``, or everyone's) and the
    registry entries they link to or ``annotations`` name (``entry:<id>``).
    ``clustered`` / ``registered``: whether the project has any cluster / registry
    entry, when the caller asked once for every document (None: asked here)."""
    if clustered is None:
        clustered = source.has_clusters()
    if registered is None:
        registered = source.has_registry_entries()
    clusters = source.clusters_by_document([doc_id], annotators).get(doc_id, []) if clustered else []
    wanted = {c.entry_id for c in clusters if c.entry_id}
    if registered:  # an annotation can name an entry only if there is one
        for a in annotations:
            for ref in a.actor_refs():
                parsed = parse_actor_ref(ref)
                if parsed is not None and parsed[0] == "entry":
                    wanted.add(parsed[1])
    entries = [e for e in (source.get_registry_entry(i) for i in sorted(wanted)) if e is not None]
    return clusters, entries


def _in_native_order(rows: Iterable[AnnotationRow]) -> list[AnnotationRow]:
    """Annotations sorted by kind (entity, event, claim, relation), then start, end
    and id (the sort keys made in one comprehension: no function call per row)."""
    order, last = _KIND_ORDER, len(KINDS)
    keyed = [
        (order.get(r[2], last), -1 if r[4] is None else r[4], -1 if r[5] is None else r[5], r[0], i, r)
        for i, r in enumerate(rows)
    ]
    keyed.sort()  # ids are unique; the position keeps a duplicate id from comparing rows
    return [k[5] for k in keyed]


#: Where a discontinuous span's "fragments" go among an annotation's keys: after "end".
_AFTER_END = 5


def annotation_dict(r: AnnotationRow, claim_names: Sequence[str] = ()) -> dict[str, Any]:
    """One annotation in native key order (without ``doc_id``), from its stored row.

    A claim's attributes hold every claim attribute of the schema (``claim_names``),
    ``null`` where nobody set it; reading ``null`` back gives unset."""
    (
        ann_id,
        _doc_id,
        kind,
        label,
        start,
        end,
        attributes,
        arguments,
        head,
        tail,
        claimant_ref,
        claimant_text,
        annotator,
        source,
        created,
        updated,
        fragments,
        links,
    ) = r
    claim = kind == "claim" and claim_names
    if attributes == "{}" and not claim:
        attrs: dict[str, Any] = {}
    else:
        values = {} if attributes == "{}" else json.loads(attributes)
        if claim:
            values = claim_attributes(claim_names, values)
        attrs = dict(sorted(values.items())) if values else {}
    args = [] if arguments == "[]" else [{"role": x["role"], "target": x["target"]} for x in json.loads(arguments)]
    d = {
        "id": ann_id,
        "kind": kind,
        "label": label,
        "start": start,
        "end": end,
        "attributes": attrs,
        "arguments": args,
        "head": head,
        "tail": tail,
        "claimant_ref": claimant_ref,
        "claimant_text": claimant_text,
        "annotator": annotator,
        "source": source,
        "created": created,
        "updated": updated,
    }
    if fragments is not None:  # a discontinuous span: its pieces right after its hull ("end")
        items = list(d.items())
        d = dict([*items[:_AFTER_END], ("fragments", json.loads(fragments)), *items[_AFTER_END:]])
    if links != "[]":  # knowledge-base links: only on entities that have some (after "updated")
        d["links"] = link_dicts(links)
    return d


def review_dict(decision: dict[str, Any]) -> dict[str, Any]:
    """One review decision in native key order (without ``doc_id``)."""
    return {
        "id": decision["id"],
        "reviewer": decision["reviewer"],
        "time": decision["time"],
        "action": decision["action"],
        "source_ids": list(decision.get("source_ids") or []),
        "gold_id": decision.get("gold_id"),
        "detail": dict(sorted((decision.get("detail") or {}).items())),
    }


def _with_references(annotations: list[Annotation], keep: set[str]) -> list[Annotation]:
    """The annotations of ``keep``'s annotators plus whatever they point at (transitively),
    so that an exported subset never holds a dangling reference."""
    by_id = {a.id: a for a in annotations}
    chosen = {a.id for a in annotations if a.annotator in keep}
    todo = list(chosen)
    while todo:
        ann = by_id[todo.pop()]
        for ref in ann.referenced_ids():
            if ref in by_id and ref not in chosen:
                chosen.add(ref)
                todo.append(ref)
    return [a for a in annotations if a.id in chosen]


def iter_native_records(
    project: ExportSource, doc_ids: Iterable[str] | None = None, annotators: Iterable[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Native records of the project's documents (all, or ``doc_ids``), in import order.

    With ``annotators``, only their annotations are included, plus any annotation
    theirs refer to (an event argument or claimant made by someone else), so
    the records stay importable.  One document is held in memory at a time.
    """
    schema = project.schema
    keep = set(annotators) if annotators is not None else None
    noted = project.has_notes()
    clustered, registered = project.has_clusters(), project.has_registry_entries()
    for doc in project.iter_documents(list(doc_ids) if doc_ids is not None else None):
        anns = project.annotations(doc.id)
        if keep is not None:
            anns = _with_references(anns, keep)
        labels = project.doc_labels_by_document([doc.id], keep, schema).get(doc.id, {})
        notes: list[Note] = []
        if noted:
            ids = {a.id for a in anns}
            notes = [n for n in project.notes(doc.id) if (n.target in ids if n.target else keep is None or n.annotator in keep)]
        clusters, entries = coref_of(project, doc.id, anns, keep, clustered=clustered, registered=registered)
        yield native_record(doc, anns, schema, project.review_decisions(doc.id), labels, notes, clusters, entries)


def dumps_native(record: dict[str, Any]) -> str:
    """One native line (without the newline): UTF-8 text, keys in the record's order.

    U+2028, U+2029 and U+0085, which some line readers (``str.splitlines``) take
    for line breaks, are written as ``\\u`` escapes, as the export command does.
    """
    line = _encode(record)
    if "\u2028" in line or "\u2029" in line or "\x85" in line:  # rare; looking is cheaper than replacing
        line = line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")
    return line


def write_native(records: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """Write native records, one per line, to a text file; returns how many.

    Open the file with ``encoding="utf-8", newline="\\n"`` so lines end in ``\\n``
    on every platform.
    """
    n = 0
    for record in records:
        fh.write(dumps_native(record))
        fh.write("\n")
        n += 1
    return n


def _parse(record: dict[str, Any], file: str, line: int, annotator: str | None = None) -> Record:
    """One native record; ``annotator`` is ignored (native annotations name their own)."""
    doc_name = record_name(record)
    fmt = record.get("format", NATIVE_FORMAT)
    builder = TextBuilder(record_text(record, file, line, doc_name), file=file, line=line, doc_name=doc_name)
    if fmt != NATIVE_FORMAT:
        raise builder.error(f'"format" is {fmt!r}, expected {NATIVE_FORMAT!r}')
    version = record.get("format_version", NATIVE_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise builder.error(f'"format_version" must be a positive whole number, found {version!r:.20}')
    if version > NATIVE_VERSION:
        raise builder.error(
            f"written by a newer annotator (native format version {version}; this version reads up to "
            f"{NATIVE_VERSION}); please upgrade annotator"
        )
    if builder.text != builder.raw:
        raise builder.error(
            "the text is not canonical (it holds \\r or starts with a byte-order mark); native files hold the stored text exactly"
        )
    unknown = sorted(set(record) - set(DOCUMENT_KEYS) - set(_HEADER_KEYS))
    if unknown:
        raise builder.error(f"unknown field(s) {', '.join(map(repr, unknown))} in a native record")
    fields = {k: record[k] for k in DOCUMENT_KEYS if k in record and k != "text" and record[k] is not None}
    doc = builder.document(auto_title=False, **fields)
    anns_raw = record.get("annotations") or []
    review = record.get("review") or []
    if not isinstance(anns_raw, list) or not isinstance(review, list):
        raise builder.error('"annotations" and "review" must be lists')
    anns: list[Annotation] = []
    seen: set[str] = set()
    notes: list[Note] = []
    for i, item in enumerate(anns_raw, start=1):
        if not isinstance(item, dict):
            raise builder.error(f"annotation {i}: expected an object, found {item!r:.60}")
        label = item.get("label")
        what = f"annotation {i} ({item.get('kind')} {label})" if isinstance(label, str) else f"annotation {i}"
        data = {k: v for k, v in item.items() if k not in ("doc_id", "notes")}
        if item.get("doc_id") not in (None, doc.id):
            raise builder.error(f"{what}: doc_id {item['doc_id']!r} is not this document's id")
        if data.get("start") is not None or data.get("end") is not None:
            builder.span(data.get("start"), data.get("end"), what)
        if data.get("fragments") is not None:
            data["fragments"] = _fragments(builder, data["fragments"], what)
        data.setdefault("source", Source.IMPORTED)
        ann = builder.annotation(doc.id, what, **data)
        if ann.id in seen:
            raise builder.error(f"{what}: id {ann.id!r} is used twice")
        seen.add(ann.id)
        anns.append(ann)
        for note_type, text, _who, updated in _notes(builder, item.get("notes"), what, False):
            notes.append(Note(doc.id, ann.annotator, ann.id, note_type, text, updated))
    for note_type, text, who, updated in _notes(builder, record.get("notes"), "the document", True):
        notes.append(Note(doc.id, who, "", note_type, text, updated))
    for ann in anns:
        missing = ann.referenced_ids() - seen
        if missing:
            raise builder.error(
                f"{ann.kind} {ann.id} ({ann.label}) refers to {', '.join(sorted(missing))}, "
                "which is not an annotation of this document"
            )
    clusters, entries = _coref(builder, record, doc.id, anns)
    return Record(
        doc,
        anns,
        line,
        review=[_review(builder, i, d) for i, d in enumerate(review, start=1)],
        name=doc_name,
        doc_labels=_doc_labels(builder, record.get("doc_labels")),
        user_notes=notes,
        clusters=clusters,
        registry=entries,
    )


def _doc_labels(builder: TextBuilder, value: Any) -> dict[str, dict[str, list[str]]]:
    """The checked shape of a record's ``doc_labels``: ``{annotator: {category: [labels]}}``
    (whether the categories and labels are the project's is checked on import)."""
    if value is None:
        return {}
    shape = '"doc_labels" must be {annotator: {category: [labels]}}'
    if not isinstance(value, dict):
        raise builder.error(f"{shape}, found {value!r:.60}")
    out: dict[str, dict[str, list[str]]] = {}
    for name, groups in value.items():
        if not name or not isinstance(groups, dict):
            raise builder.error(f"{shape}; for {name!r} found {groups!r:.60}")
        for category, labels in groups.items():
            if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x for x in labels):
                raise builder.error(f'"doc_labels" of {name!r}: {category!r} must be a non-empty list of label names')
        out[name] = {c: list(labels) for c, labels in groups.items()}
    return out


def _notes(builder: TextBuilder, raw: Any, what: str, on_document: bool) -> list[tuple[str, str, str, str]]:
    """Checked ``notes`` of an annotation or of the document: (type, text, annotator, updated)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise builder.error(f"{what}: 'notes' must be a list")
    out: list[tuple[str, str, str, str]] = []
    keys = {"type", "text", "updated", "annotator"} if on_document else {"type", "text", "updated"}
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(raw, start=1):
        where = f"{what}: note {i}"
        if not isinstance(item, dict):
            raise builder.error(f"{where}: expected an object with 'type' and 'text', found {item!r:.60}")
        unknown = sorted(set(item) - keys)
        if unknown:
            raise builder.error(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")
        note_type = item.get("type", DEFAULT_NOTE_TYPE)
        text = item.get("text")
        if not isinstance(note_type, str):
            raise builder.error(f"{where}: 'type' must be a string")
        try:
            check_note_type(note_type)
        except ValueError as err:
            raise builder.error(f"{where}: {err}") from None
        if not isinstance(text, str):
            raise builder.error(f"{where}: 'text' must be a string")
        if find_lone_surrogate(text):
            raise builder.error(f"{where}: the text holds a lone surrogate, which cannot be stored")
        who = ""
        if on_document:
            raw_who = item.get("annotator")
            if not isinstance(raw_who, str) or not raw_who.strip():
                raise builder.error(f"{where}: 'annotator' (whose note it is) must be a non-empty string")
            who = raw_who
        if (who, note_type) in seen:
            raise builder.error(f"{where}: a second note of type {note_type!r}; join them into one")
        seen.add((who, note_type))
        updated = item.get("updated") or ""
        if not isinstance(updated, str):
            raise builder.error(f"{where}: 'updated' must be a time stamp (a string)")
        out.append((note_type, text, who, updated))  # the text verbatim, as brat's notes are
    return out


def _fragments(builder: TextBuilder, raw: Any, what: str) -> list[tuple[int, int]]:
    """The checked fragments of a native annotation: a list of ``[start, end]`` in the text."""
    if not isinstance(raw, list) or not all(isinstance(x, list) and len(x) == 2 for x in raw):
        raise builder.error(f'{what}: "fragments" must be a list of [start, end] pairs, found {raw!r:.60}')
    return [builder.span(s, e, f"{what}, fragment {i}") for i, (s, e) in enumerate(raw, start=1)]


def _coref(
    builder: TextBuilder, record: dict[str, Any], doc_id: str, anns: list[Annotation]
) -> tuple[list[Cluster], list[RegistryEntry]]:
    """The checked clusters and registry entries of a native record."""
    raw_clusters = record.get("clusters") or []
    raw_entries = record.get("registry") or []
    if not isinstance(raw_clusters, list) or not isinstance(raw_entries, list):
        raise builder.error('"clusters" and "registry" must be lists')
    entries: list[RegistryEntry] = []
    for i, item in enumerate(raw_entries, start=1):
        try:
            entries.append(RegistryEntry.from_dict(item))
        except ValueError as err:
            raise builder.error(f"registry entry {i}: {err}") from None
    entry_ids = {e.id for e in entries}
    by_id = {a.id: a for a in anns}
    clusters: list[Cluster] = []
    member_of: dict[str, str] = {}
    for i, item in enumerate(raw_clusters, start=1):
        what = f"cluster {i}"
        if not isinstance(item, dict):
            raise builder.error(f"{what}: expected an object, found {item!r:.60}")
        if item.get("doc_id") not in (None, doc_id):
            raise builder.error(f"{what}: doc_id {item['doc_id']!r} is not this document's id")
        try:
            cluster = Cluster.from_dict({**item, "doc_id": doc_id})
        except ValueError as err:
            raise builder.error(f"{what}: {err}") from None
        if not cluster.members:
            raise builder.error(f"{what}: a cluster needs at least one mention")
        for m in cluster.members:
            ann = by_id.get(m)
            if ann is None:
                raise builder.error(f"{what}: mention {m} is not an annotation of this document")
            if ann.kind != "entity":
                raise builder.error(f"{what}: mention {m} is a {ann.kind}; mentions are entity spans")
            if ann.annotator != cluster.annotator:
                raise builder.error(f"{what}: mention {m} is {ann.annotator}'s, the cluster {cluster.annotator}'s")
            if m in member_of:
                raise builder.error(f"{what}: mention {m} is in cluster {member_of[m]} already")
            member_of[m] = cluster.id
        if cluster.entry_id is not None and cluster.entry_id not in entry_ids:
            raise builder.error(f'{what}: links to registry entry {cluster.entry_id}, which is not in the record\'s "registry"')
        clusters.append(cluster)
    cluster_ids = {c.id for c in clusters}
    if len(cluster_ids) != len(clusters):
        raise builder.error("two clusters have the same id")
    for ann in anns:
        for ref in ann.actor_refs():
            parsed = parse_actor_ref(ref)
            assert parsed is not None
            if parsed[0] == "cluster" and parsed[1] not in cluster_ids:
                raise builder.error(f"{ann.kind} {ann.id} refers to {ref}, which is not a cluster of this record")
            if parsed[0] == "entry" and parsed[1] not in entry_ids:
                raise builder.error(f'{ann.kind} {ann.id} refers to {ref}, which is not in the record\'s "registry"')
    return clusters, entries


def _review(builder: TextBuilder, index: int, item: Any) -> dict[str, Any]:
    """A checked review decision of a native record."""
    what = f"review decision {index}"
    if not isinstance(item, dict):
        raise builder.error(f"{what}: expected an object, found {item!r:.60}")
    unknown = sorted(set(item) - set(REVIEW_KEYS) - {"doc_id"})
    if unknown:
        raise builder.error(f"{what}: unknown field(s) {', '.join(map(repr, unknown))}")
    for key in ("id", "reviewer", "time", "action"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise builder.error(f"{what}: {key!r} must be a non-empty string")
    ids = item.get("source_ids") or []
    if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
        raise builder.error(f"{what}: 'source_ids' must be a list of annotation ids")
    if item.get("gold_id") is not None and not isinstance(item["gold_id"], str):
        raise builder.error(f"{what}: 'gold_id' must be an annotation id or null")
    if not isinstance(item.get("detail") or {}, dict):
        raise builder.error(f"{what}: 'detail' must be an object")
    where = find_lone_surrogate(item)
    if where:
        raise builder.error(f"{what}: {where} holds a lone surrogate, which cannot be stored")
    return review_dict(item)


iter_native, read_native = json_reader(_parse, "native JSON-lines")


class NativeWriter(Writer):
    """The native format's writer (records made by this module)."""

    def __init__(self, ctx: ExportContext):
        super().__init__(ctx)
        # Every annotation of every document: the records are made straight from
        # the stored rows (no Document and Annotation objects in between).
        self.rows = ctx.options.layer is None

    def write_rows(self, rows: Iterable[tuple[DocumentRow, list[AnnotationRow]]], dest: Path) -> None:
        self._write_lines(self._row_lines(rows), dest)

    def _row_lines(self, rows: Iterable[tuple[DocumentRow, list[AnnotationRow]]]) -> Iterator[str]:
        source = self.ctx.source
        schema = source.schema
        reviewed = source.has_review_decisions()
        noted = source.has_notes()
        clustered, registered = source.has_clusters(), source.has_registry_entries()
        coref = clustered or registered
        for doc, anns in rows:
            review = source.review_decisions(doc.id) if reviewed else []
            labels = self.ctx.all_doc_labels(doc.id)
            notes = source.notes(doc.id) if noted else []
            clusters, entries = coref_of(source, doc.id, anns, clustered=clustered, registered=registered) if coref else ([], [])
            yield dumps_native(native_row_record(doc, anns, schema, review, labels, notes, clusters, entries))

    def write(self, units: Iterable[Unit], dest: Path) -> None:
        source = self.ctx.source
        layer = self.ctx.options.layer
        # one layer plus whatever it refers to (see iter_native_records); no layer: everyone's
        annotators = None if layer is None else [layer]
        self._write_lines(
            (dumps_native(rec) for unit in units for rec in iter_native_records(source, [unit.doc.id], annotators)), dest
        )

    def _write_lines(self, lines: Iterable[str], dest: Path) -> None:
        """Write native lines as UTF-8, each ending in ``\\n``, about a megabyte at a
        time (few large writes; joining encoded lines copies a byte per character
        where joining the text would copy up to four)."""
        with open_text(dest, binary=True) as fh:
            chunk: list[bytes] = []
            size = 0
            for line in lines:
                data = line.encode("utf-8")
                chunk.append(data)
                size += len(data)
                self.report.records += 1
                if size > WRITE_BYTES:
                    chunk.append(b"")  # the last line's newline
                    fh.write(b"\n".join(chunk))
                    chunk.clear()
                    size = 0
            if chunk:
                chunk.append(b"")
                fh.write(b"\n".join(chunk))
