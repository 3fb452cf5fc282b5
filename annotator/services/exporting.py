"""Exporting: which documents and annotations, in which units, written where.

This module is the one orchestration every export format goes through (the
``annotator export`` command and File > Export call :func:`export`):

- **Selection.** Documents by status and by label (documents having at least one
  annotation with one of the labels); annotations of every annotator (default),
  of one (``annotator``) or of the adjudicated gold layer (``gold``: annotator
  :data:`~annotator.core.models.GOLD`).  Documents without any annotation to
  export are left out (and counted) unless ``include_empty``; the ``native``
  format always keeps every selected document.
- **Layers.** ``native``, ``events`` and ``claims`` name the annotator of every
  annotation, so they hold several annotators' work side by side.  The other
  formats hold one version of a document: when a selected document has
  annotations of several annotators the export stops and says which, unless
  ``annotator``/``gold`` picks one layer or ``per_annotator`` writes one record
  per (document, annotator).
- **Units.** A record is a whole document or, with ``sentences``, one sentence
  (:func:`segments`: sentences that a span, or for linked formats an event
  argument or relation, crosses are joined, so nothing is cut).
- **Splits.** ``split=(train, dev, test)`` assigns whole documents to splits by
  a seeded hash of their text (deterministic: same seed, same texts, same split,
  whatever the import order or project) with exact proportions.
- **Writing.** Streamed document by document (memory stays flat as the corpus
  grows) into a temporary file or folder beside the target, renamed into place
  only when complete: a failed or cancelled export leaves nothing that looks
  complete.  Folder outputs carry a ``.annotator-export`` marker, and an
  existing folder is only ever replaced when it holds that marker (or is empty).
- **Report.** :class:`ExportReport` counts what was written and lists every span
  that could not be represented exactly (a token boundary cut inside a word,
  overlapping spans BIO cannot hold, links whose ends were not exported), so
  nothing is lost silently.

Pure Python: no Qt.  ``progress(done, total)`` is called after each document;
``cancelled()`` returning True stops the export (raising :class:`ExportCancelled`).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from annotator.core.coref import parse_actor_ref
from annotator.core.kinds import KINDS
from annotator.core.models import Annotation, Document, has_span
from annotator.core.rows import AnnotationRow, DocumentRow
from annotator.core.store import Project
from annotator.formats.registry import FORMATS, FormatInfo
from annotator.formats.writing import (
    Actor,
    DocOffsets,
    ExportCancelled,
    ExportContext,
    ExportError,
    ExportOptions,
    ExportReport,
    Unit,
    Writer,
    apply_fragment_policy,
    json_line,
    open_text,
    parse_split,
    segments,
    shift,
    sort_key,
)

__all__ = [
    # the export, for the command line and the app
    "export",
    "plan_output",
    "split_counts",
    "split_key",
    "SPLIT_NAMES",
    "MARKER",
    # what its callers pass and get, defined with the codecs
    "FORMATS",
    "FormatInfo",
    "ExportOptions",
    "ExportReport",
    "ExportError",
    "ExportCancelled",
    "parse_split",
    "segments",
    "json_line",
]

#: Names of the splits, in order.
SPLIT_NAMES = ("train", "dev", "test")
#: File that marks a folder as written by an annotator export (so it may be replaced).
MARKER = ".annotator-export"
#: Documents read per query by writers that take stored rows (:attr:`Writer.rows`).
ROWS_CHUNK = 32


def split_counts(n: int, shares: Sequence[float]) -> list[int]:
    """Whole numbers of documents per split summing to ``n`` (largest remainders)."""
    total = sum(shares)
    exact = [n * s / total for s in shares]
    counts = [int(x) for x in exact]
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def split_key(seed: int, sha256: str) -> str:
    """The sort key that places a document in the split order (seeded hash of its text)."""
    return hashlib.sha256(f"{seed}\0{sha256}".encode()).hexdigest()


# ---------------------------------------------------------------------------
# Output paths
# ---------------------------------------------------------------------------
def _is_folder_output(options: ExportOptions) -> bool:
    return options.info.folder or options.split is not None


def plan_output(project: Project, options: ExportOptions) -> Path:
    """The path the export will write (checked: it may be written and replaced)."""
    info = options.info
    folder = _is_folder_output(options)
    out = options.out
    stem = f"{project.path.stem}-{info.name}"
    if out is None:
        out = Path("exports") / (stem if folder else stem + info.suffix)
    out = Path(out)
    if not folder and (out.is_dir() or options.out_is_folder):
        out = out / (stem + info.suffix)
    try:
        if out.resolve() == project.path.resolve():
            raise ExportError(f"{out}: that is the project file itself; choose another --out")
    except OSError:
        pass
    if folder:
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out}: a file is in the way; this export writes a folder (choose another --out)")
        if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
            raise ExportError(
                f"{out}: the folder is not empty and was not written by an annotator export; "
                "choose a new or empty folder (nothing was changed)"
            )
    return out


class _AtomicOutput:
    """A temporary file or folder beside ``target``, renamed onto it by :meth:`commit`."""

    def __init__(self, target: Path, folder: bool):
        self.target = target
        self.folder = folder
        parent = target.parent
        #: The outermost folder this export made for ``target`` (None: it was there).
        self.created: Path | None = None
        missing = parent
        while not missing.parent.exists() and missing.parent != missing:
            missing = missing.parent
        try:
            if not parent.exists():
                parent.mkdir(parents=True)
                self.created = missing
        except OSError as err:
            raise ExportError(f"{parent}: cannot create the folder: {err.strerror or err}") from None
        self.tmp = parent / f".{target.name}.{secrets.token_hex(4)}.partial"
        try:
            if folder:
                self.tmp.mkdir()
            else:
                self.tmp.touch()
        except OSError as err:
            self._remove_created()
            raise ExportError(f"{parent}: cannot write here: {err.strerror or err}") from None

    def commit(self) -> None:
        target = self.target
        if not self.folder:
            os.replace(self.tmp, target)
            _fsync_dir(target.parent)
            return
        (self.tmp / MARKER).touch()
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.{secrets.token_hex(4)}.old"
            os.replace(target, old)
        try:
            os.replace(self.tmp, target)
        except OSError:
            if old is not None:
                os.replace(old, target)
            raise
        _fsync_dir(target.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        if self.tmp.is_dir():
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            try:
                self.tmp.unlink()
            except OSError:
                pass
        self._remove_created()

    def _remove_created(self) -> None:
        """Remove the folders this export made, as far as they are still empty."""
        if self.created is None:
            return
        folder = self.target.parent
        while True:
            try:
                folder.rmdir()
            except OSError:
                return
            if folder == self.created:
                return
            folder = folder.parent


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
# Selection
# ---------------------------------------------------------------------------
#: The formats that carry document labels (issue 14; docs/formats.md).
DOC_LABEL_FORMATS = ("native", "doclabels", "spans", "doccano", "spacy", "hf", "labelstudio")


def _kinds(options: ExportOptions) -> list[str]:
    if options.info.name == "native":
        return ["entity", "event", "claim", "relation"]
    if options.info.name == "events":
        return ["entity", "event", "relation"]
    if options.info.name == "claims":
        return ["claim"]
    return [*options.span_kinds, "relation"]


def _select(project: Project, options: ExportOptions, report: ExportReport) -> list[str]:
    """Ids of the documents to export, in import order."""
    statuses = list(options.statuses) or None
    if options.labels:
        chosen: set[str] = set()
        for label in options.labels:
            chosen.update(project.document_ids(status=statuses, label=label, annotator=options.layer))
        ids = [i for i in project.document_ids(status=statuses) if i in chosen]  # ids are unique
    else:
        ids = project.document_ids(status=statuses)
    if options.info.name == "native" or options.include_empty:
        return ids
    # document labels count as annotations in the formats that carry them
    having = set(project.doc_label_layers(options.layer)) if options.info.name in DOC_LABEL_FORMATS else set()
    if options.info.name != "doclabels":
        having |= project.documents_with_annotations(_kinds(options), options.layer)
    kept = [i for i in ids if i in having]
    report.skipped_empty = len(ids) - len(kept)
    return kept


def _check_layers(project: Project, options: ExportOptions, ids: list[str]) -> None:
    """Refuse single-layer formats over documents annotated by several annotators."""
    if options.info.many_layers or options.layer is not None or options.per_annotator:
        return
    several = project.documents_with_several_annotators(_kinds(options), options.layer)
    selected = set(ids)
    mixed = [(d, names) for d, names in several.items() if d in selected]
    if options.info.name == "doclabels":  # its records hold document labels only
        mixed = []
    # Document labels are a layer's too: a document whose labels and annotations
    # come from different annotators is as mixed.
    layers = project.doc_label_layers()
    if layers:
        spans = project.documents_with_annotations(_kinds(options))
        seen = {d for d, _ in mixed}
        for d in ids:
            if d in layers and d not in seen:
                who = set(layers[d])
                if d in spans and options.info.name != "doclabels":
                    who |= {a.annotator for a in project.annotations(d) if a.kind in _kinds(options)}
                if len(who) > 1:
                    mixed.append((d, sorted(who)))
    if not mixed:
        return
    names = sorted({n for _, ns in mixed for n in ns})
    raise ExportError(
        f"{len(mixed)} of the selected documents {'has' if len(mixed) == 1 else 'have'} annotations "
        f"{'or document labels ' if layers else ''}by several annotators "
        f"({', '.join(names)}), and the {options.format} format holds one version of a document. "
        "Choose one with --annotator NAME or the adjudicated layer with --gold, "
        "or write one record per annotator with --per-annotator. Nothing was written."
    )


# ---------------------------------------------------------------------------
# The export
# ---------------------------------------------------------------------------
def _writer(ctx: ExportContext) -> Writer:
    module, _, name = ctx.info.writer.partition(":")
    cls = getattr(importlib.import_module(module), name)
    return cls(ctx)


class _Units:
    """Turns documents into units according to the options; counts progress."""

    def __init__(
        self,
        project: Project,
        options: ExportOptions,
        report: ExportReport,
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
        total: int,
    ):
        self.project = project
        self.options = options
        self.report = report
        self.progress = progress
        self.cancelled = cancelled
        self.total = total
        self.done = 0
        self.kinds = set(_kinds(options))
        #: ``{doc_id: {annotators}}`` of the documents with document labels.
        self.doc_label_layers = project.doc_label_layers()
        #: whether claimants and arguments may name clusters or registry entries (issue 15)
        self.coref = project.has_clusters()

    def actors(self, doc_id: str, anns: list[Annotation]) -> dict[str, Actor]:
        """The actors the annotations' claimants and arguments name, each with its
        mentions in text order (see :class:`~annotator.formats.writing.Actor`)."""
        refs = {r for a in anns if a.kind in ("claim", "event") for r in a.actor_refs()}
        if not refs:
            return {}
        whose = {a.annotator for a in anns}
        clusters = [c for c in self.project.clusters(doc_id) if c.annotator in whose]
        spans = self.project.annotation_rows_by_id([m for c in clusters for m in c.members])
        out: dict[str, Actor] = {}
        for ref in sorted(refs):
            parsed = parse_actor_ref(ref)
            assert parsed is not None
            what, ident = parsed
            chosen = [c for c in clusters if (c.id == ident if what == "cluster" else c.entry_id == ident)]
            members = sorted(
                (m for c in chosen for m in c.members if m in spans),
                key=lambda m: (spans[m].start or 0, spans[m].end or 0, m),
            )
            entry = self.project.get_registry_entry(ident if what == "entry" else (chosen[0].entry_id or "") if chosen else "")
            first = chosen[0] if chosen else None
            out[ref] = Actor(
                ref=ref,
                mentions=tuple(members),
                cluster_id=first.id if first is not None and what == "cluster" else None,
                name=(first.name if first is not None and what == "cluster" else None) or (entry.name if entry else None),
                type=(first.type if first is not None and what == "cluster" else None) or (entry.type if entry else None),
                entry={"id": entry.id, "name": entry.name, "type": entry.type} if entry else None,
            )
        return out

    def annotations(self, doc_id: str) -> list[Annotation]:
        anns = self.project.annotations(doc_id, annotator=self.options.layer)
        anns = [a for a in anns if a.kind in self.kinds]
        # discontinuous spans (issue 14): kept by the format, or written as the policy says
        n = sum(1 for a in anns if a.fragments is not None)
        if n:
            self.report.fragmented += n
            policy = self.options.fragment_policy
            if policy is not None:
                anns = apply_fragment_policy(anns, policy, self.report)
        return anns

    def __call__(self, ids: Iterable[str]) -> Iterator[Unit]:
        opts = self.options
        for doc_id in ids:
            if self.cancelled is not None and self.cancelled():
                raise ExportCancelled("export cancelled; nothing was written")
            doc = self.project.get_document(doc_id)
            anns = sorted(self.annotations(doc_id), key=sort_key)
            offsets = DocOffsets(doc.text, opts.offsets) if opts.offsets == "utf16" else None
            layers: list[tuple[str | None, list[Annotation]]]
            if opts.per_annotator:
                with_labels = set(self.doc_label_layers.get(doc_id, ()))
                names: list[str | None] = [*sorted({a.annotator for a in anns} | with_labels)] or [None]
                layers = [(n, [a for a in anns if a.annotator == n]) for n in names]
            else:
                present = {a.annotator for a in anns}
                if not present and opts.layer is None:
                    present = set(self.doc_label_layers.get(doc_id, ()))
                layers = [(present.pop() if len(present) == 1 else opts.layer, anns)]
            for annotator, layer in layers:
                self.report.annotations += len(layer)
                actors = self.actors(doc_id, layer) if self.coref else {}
                if opts.sentences:
                    segs, joined = segments(doc.text, layer, links=opts.info.links)
                    self.report.joined_sentences += joined
                    for i, (s, e) in enumerate(segs):
                        inside = [shift(a, s) for a in layer if has_span(a) and s <= a.start and a.end <= e]
                        ids_inside = {a.id for a in inside}
                        inside += [a for a in layer if a.start is None and a.head in ids_inside]
                        yield self._unit(doc, inside, s, e, annotator, i, offsets, actors)
                else:
                    yield self._unit(doc, layer, 0, len(doc.text), annotator, None, offsets, actors)
            self.report.documents += 1
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)

    def rows(self, ids: Iterable[str]) -> Iterator[tuple[DocumentRow, list[AnnotationRow]]]:
        """What :meth:`__call__` reads, for writers that need no Document and
        Annotation objects (:attr:`Writer.rows`): per document, its stored row and
        the rows of its annotations of the exported kinds and layer, in any order
        (the native writer sorts them)."""
        project, layer, kinds, report = self.project, self.options.layer, self.kinds, self.report
        every_kind = kinds.issuperset(KINDS)  # the store holds no other kind: nothing to leave out
        ids = list(ids)
        # A few documents per query (two queries per document cost as much as
        # reading the rows); memory stays bounded by the chunk, whatever the corpus.
        for at in range(0, len(ids), ROWS_CHUNK):
            if self.cancelled is not None and self.cancelled():
                raise ExportCancelled("export cancelled; nothing was written")
            chunk = ids[at : at + ROWS_CHUNK]
            docs = project.document_rows(chunk)
            anns_of = project.annotation_rows_by_document(chunk, layer, ordered=False)  # the writer sorts them
            if not every_kind:
                anns_of = {d: [r for r in rows if r.kind in kinds] for d, rows in anns_of.items()}
            fragments = [r.fragments for rows in anns_of.values() for r in rows]
            report.annotations += len(fragments)
            report.fragmented += len(fragments) - fragments.count(None)
            for doc_id in chunk:
                if self.cancelled is not None and self.cancelled():
                    raise ExportCancelled("export cancelled; nothing was written")
                row = docs.get(doc_id)
                if row is None:
                    raise KeyError(doc_id)
                yield row, anns_of.get(doc_id, [])
                report.documents += 1
                self.done += 1
                if self.progress is not None:
                    self.progress(self.done, self.total)

    def _unit(
        self,
        doc: Document,
        anns: list[Annotation],
        start: int,
        end: int,
        annotator: str | None,
        segment: int | None,
        offsets: DocOffsets | None,
        actors: dict[str, Actor] | None = None,
    ) -> Unit:
        return Unit(doc, anns, start, end, annotator, segment, offsets, self.options.per_annotator, actors or {})


def export(
    project: Project,
    options: ExportOptions,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportReport:
    """Export ``project`` as ``options`` say; returns the report.

    Raises :class:`ExportError` (a message for people) for options that do not
    fit, a target that may not be replaced, several annotators' work where the
    format holds one; :class:`ExportCancelled` when ``cancelled()`` turned True.
    On any error nothing is left at the target (a previous export stays as it was).

    The whole export reads one snapshot of the project (one read transaction),
    so edits made meanwhile in the app are either all in it or not at all.
    """
    with project.read_snapshot():
        return _export(project, options, progress, cancelled)


def _export(
    project: Project,
    options: ExportOptions,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> ExportReport:
    options.check()
    info = options.info
    if options.annotator is not None and options.annotator not in project.annotators(include_gold=True):
        known = ", ".join(project.annotators()) or "none yet"
        raise ExportError(f"no annotator named {options.annotator!r} in this project (annotators: {known}); nothing was written")
    target = plan_output(project, options)
    report = ExportReport(format=info.name, out=target)
    report.fragments = options.fragment_policy or _KEPT_AS.get(info.name, "their fragments")
    ids = _select(project, options, report)
    if options.gold and not ids:
        report.note("No selected document has a gold layer yet: it is made by adjudicating in review (the Review menu).")
    _check_layers(project, options, ids)
    ctx = ExportContext(options, project, report)
    ctx.doc_ids = ids
    writer = _writer(ctx)
    if info.name not in DOC_LABEL_FORMATS and ctx.any_doc_labels():
        n = sum(1 for d in ids if ctx.all_doc_labels(d))
        report.note(
            f"Document labels of {n} document{'s' * (n != 1)} are not in this file: the {info.name} format has no place "
            f"for them (they are in {', '.join(DOC_LABEL_FORMATS)})"
        )
    parts: dict[str | None, list[str]] = {None: ids}  # split name (None: no split) -> its document ids
    if options.split is not None:
        shas = project.document_shas()
        ordered = sorted(ids, key=lambda i: split_key(options.seed, shas[i]))
        counts = split_counts(len(ordered), options.split)
        parts = {}
        at = 0
        for split_name, n in zip(SPLIT_NAMES, counts):
            chosen = set(ordered[at : at + n])
            parts[split_name] = [i for i in ids if i in chosen]  # keep import order inside a split
            report.splits[split_name] = len(parts[split_name])
            at += n
        for split_name, n in report.splits.items():
            if n == 0 and options.split[SPLIT_NAMES.index(split_name)] > 0:
                report.note(f"The {split_name} split is empty: too few documents for the shares asked.")
    folder = _is_folder_output(options)
    units = _Units(project, options, report, progress, cancelled, len(ids))
    if progress is not None:
        progress(0, len(ids))
    out = _AtomicOutput(target, folder)
    try:
        for name, part in parts.items():
            dest = writer.destination(out.tmp, name)
            if writer.rows:
                writer.write_rows(units.rows(part), dest)
            else:
                writer.write(units(part), dest)
            report.files.append(dest.relative_to(out.tmp).as_posix() if folder else target.name)
        writer.finish(out.tmp)
        if cancelled is not None and cancelled():
            raise ExportCancelled("export cancelled; nothing was written")
        if folder:
            with open_text(out.tmp / MARKER) as fh:
                fh.write(
                    json.dumps({"options": _options_dict(options), "report": report.to_dict()}, ensure_ascii=False, indent=1)
                    + "\n"
                )
        out.commit()
        if out.created is not None:
            report.note(f"Created folder {out.target.parent}")
    except ExportError:
        out.abort()
        raise
    except OSError as err:
        out.abort()
        raise ExportError(f"{target}: could not write the export: {err.strerror or err}; nothing was written") from None
    except BaseException:
        out.abort()
        raise
    return report


#: How formats that keep discontinuous spans write them, for the report.
_KEPT_AS = {
    "native": '"fragments": [[start, end], ...]',
    "brat": "brat fragments (START END;START END)",
    "events": '"fragments" beside the hull',
    "claims": '"fragments" beside the hull',
}


def _options_dict(options: ExportOptions) -> dict[str, Any]:
    d = {k: v for k, v in vars(options).items() if k != "out"}
    d["split"] = list(options.split) if options.split else None
    d["statuses"], d["labels"], d["kinds"] = list(options.statuses), list(options.labels), list(options.span_kinds)
    return d


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------
