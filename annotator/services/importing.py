"""Importing files into a project: the one import path for the CLI and the GUI.

:func:`import_paths` takes files and folders (recursively, sorted, hidden files
skipped), detects each file's format (or uses the one given), reads it with the
importer of :mod:`annotator.formats`, checks it against the project, and writes
each file in ONE transaction: a bad file imports nothing and leaves the project
exactly as it was (with ``partial=True`` its valid records import and the bad
ones are listed).  Other files of the same call import regardless.  Documents
whose text (sha256) is already in the project, or came earlier in the same
call, are reported as duplicates and not imported twice.  Labels the project's
schema lacks are refused, listed, unless ``add_labels=True``, which adds them to
the schema (grey) in the same transaction as the documents.

Pure Python: no Qt.  The returned :class:`ImportReport` says what happened per
file; its :meth:`~ImportReport.summary` is the line people read.

A file that is not valid text in the encoding it was read with (UTF-8 unless
given) is refused with an error marked ``undecodable``
(:attr:`ImportReport.undecodable`); :func:`guess_encoding` and
:func:`preview_line` help a front end let the user choose the file's encoding
and import it again (the CLI's message says ``--encoding``; the app asks with
an encoding field and a preview).
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import resources
from operator import attrgetter
from pathlib import Path
from typing import Any

from annotator.core.coref import Cluster, RegistryEntry
from annotator.core.gcpause import collector_paused
from annotator.core.models import CLAIM_LABEL, Annotation, Document
from annotator.core.notes import Note
from annotator.core.schema import LabelSchema, SchemaError, parse_schema
from annotator.core.store import Project, ProjectError, ReadOnlyProjectError
from annotator.formats import InputError, Item, ReadOptions, Record, iter_json_objects, read_bytes, read_text
from annotator.formats.brat import BRAT_CONF_FILES, BRAT_EXT, BratConf, brat_conf, extend_schema_data, is_brat_text, iter_brat
from annotator.formats.conll import CONLL_EXT, iter_conll
from annotator.formats.coref import MENTION_LABEL, is_conll2012, iter_conll2012
from annotator.formats.doccano import is_doccano, iter_doccano
from annotator.formats.html import iter_html
from annotator.formats.jsonl import iter_jsonl
from annotator.formats.labelstudio import LABELING_CONFIG, LabelStudioOptions, is_labelstudio, iter_labelstudio, sniff_labelstudio
from annotator.formats.native import is_native, iter_native
from annotator.formats.plaintext import iter_plaintext
from annotator.formats.prodigy import is_prodigy, iter_prodigy
from annotator.formats.webanno import is_webanno, iter_webanno

__all__ = [
    "FORMATS",
    "FileReport",
    "ImportReport",
    "Progress",
    "LIKELY_ENCODINGS",
    "detect_format",
    "guess_encoding",
    "import_paths",
    "import_seeds",
    "preview_line",
]

#: Format names accepted by :func:`import_paths` (and ``annotator import --format``).
FORMATS = (
    "txt",
    "html",
    "jsonl",
    "native",
    "doccano",
    "prodigy",
    "spans",
    "brat",
    "labelstudio",
    "webanno",
    "conll",
    "conll2012",
)
_TEXT_EXT = {".txt", ".text"}
_HTML_EXT = {".html", ".htm", ".xhtml"}
_JSON_EXT = {".jsonl", ".ndjson", ".json"}
#: How many JSON objects are looked at to tell native, doccano, Prodigy and generic JSON lines apart.
_SNIFF_RECORDS = 5
#: Share of a file's progress given to reading it (the rest: writing it).
_READ_SHARE = 0.9
#: Lines listed per unknown label in messages.
_LINES_LISTED = 5
_ID = attrgetter("id")

#: ``progress(done_bytes, total_bytes, current_file)``
Progress = Callable[[int, int, str], None]


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    format: str | None = None
    documents: int = 0
    annotations: int = 0
    #: One message per document skipped because its text is in the project already.
    duplicates: list[str] = field(default_factory=list)
    #: Why the file (``refused``) or some of its records (``partial``) were not imported.
    errors: list[InputError] = field(default_factory=list)
    refused: bool = False
    #: ``kind label`` of labels added to the schema (``add_labels``).
    added_labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: ``label (kind)`` of the labels the schema lacks, when the file was refused
    #: for them alone (importing it again with ``add_labels`` takes it in).
    unknown_labels: list[str] = field(default_factory=list)
    #: The unit the file's offsets were read in (``UTF-16 units``); None: no spans read with a unit.
    offsets: str | None = None
    #: What the reader said about records (e.g. categories kept in metadata): note -> how many records.
    record_notes: dict[str, int] = field(default_factory=dict)
    #: Records imported without annotations because of their answer (Prodigy's reject, ignore): answer -> count.
    answers: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.errors

    def line(self) -> str:
        """One line: the file, its format and what came of it."""
        what = f"{self.path} ({self.format or 'unknown format'})"
        if self.refused:
            return f"{what}: refused ({_n(len(self.errors), 'problem')})"
        parts = [f"imported {_n(self.documents, 'document')} ({_n(self.annotations, 'annotation')})"]
        if self.duplicates:
            parts.append(f"skipped {_n(len(self.duplicates), 'duplicate')}")
        if self.errors:
            parts.append(f"left out {_n(len(self.errors), 'bad record')}")
        if self.offsets:
            parts.append(f"offsets read as {self.offsets}")
        return f"{what}: {', '.join(parts)}"

    @property
    def all_notes(self) -> list[str]:
        """``notes`` and the records' notes (with how many records each), for people."""
        return self.notes + [f"{note} ({_n(n, 'record')})" for note, n in self.record_notes.items()]


@dataclass
class ImportReport:
    """What an import did, file by file."""

    files: list[FileReport] = field(default_factory=list)
    #: Files in the given folders that no importer reads (unknown extensions).
    ignored: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(f.documents for f in self.files)

    @property
    def annotations(self) -> int:
        return sum(f.annotations for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(len(f.duplicates) for f in self.files)

    @property
    def refused(self) -> list[FileReport]:
        return [f for f in self.files if f.refused]

    @property
    def unknown_label_files(self) -> list[FileReport]:
        """Files refused only because the schema lacks some of their labels."""
        return [f for f in self.files if f.refused and f.unknown_labels]

    @property
    def refused_records(self) -> int:
        """Records left out of files imported with ``partial=True``."""
        return sum(len(f.errors) for f in self.files if not f.refused)

    @property
    def errors(self) -> list[InputError]:
        return [e for f in self.files for e in f.errors]

    @property
    def ok(self) -> bool:
        """True when nothing was refused (duplicates are not errors)."""
        return all(f.ok for f in self.files)

    @property
    def undecodable(self) -> list[FileReport]:
        """Files refused because they are not valid text in the encoding they were
        read with: another encoding may import them."""
        return [f for f in self.files if f.refused and any(e.undecodable for e in f.errors)]

    def summary(self) -> str:
        """One line: what was imported, skipped and refused."""
        imported_from = sum(1 for f in self.files if f.documents)
        parts = [
            f"imported {_n(self.documents, 'document')} ({_n(self.annotations, 'annotation')}) from {_n(imported_from, 'file')}",
            f"skipped {_n(self.duplicates, 'duplicate')}",
            f"refused {_n(len(self.refused), 'file')}",
        ]
        if self.refused_records:
            parts.append(f"left out {_n(self.refused_records, 'bad record')}")
        if self.ignored:
            parts.append(f"ignored {_n(len(self.ignored), 'file')} of unknown type")
        answers: dict[str, int] = {}
        for f in self.files:
            for answer, n in f.answers.items():
                answers[answer] = answers.get(answer, 0) + n
        if answers:
            listed = ", ".join(f"{n} {answer}" for answer, n in sorted(answers.items()))
            parts.append(f"not annotations: {_n(sum(answers.values()), 'record')} answered {listed}")
        units = sorted({f.offsets for f in self.files if f.offsets and f.documents})
        if units:
            parts.append(f"offsets read as {' / '.join(units)}")
        return "; ".join(parts)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------------------
# Finding files and formats
# ---------------------------------------------------------------------------
def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _walk(folder: Path) -> list[Path]:
    """Files under ``folder``, recursively, sorted by their path inside it, hidden files and folders skipped."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not _is_hidden(d)]
        found += [Path(root) / name for name in files if not _is_hidden(name)]
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _known_extension(path: Path) -> bool:
    return path.suffix.lower() in _TEXT_EXT | _HTML_EXT | _JSON_EXT | BRAT_EXT | CONLL_EXT


def _sniff_json(path: Path, encoding: str | None) -> str:
    """native, doccano, prodigy, labelstudio or jsonl, from the keys of the first records."""
    try:
        seen = 0
        for number, obj in iter_json_objects(path, encoding=encoding):
            if isinstance(obj, InputError):
                if number == 1 and sniff_labelstudio(path, encoding):  # one task object over many lines
                    return "labelstudio"
                continue
            if is_labelstudio(obj):
                return "labelstudio"
            if is_native(obj):
                return "native"
            if is_doccano(obj):
                return "doccano"
            if is_prodigy(obj):
                return "prodigy"
            seen += 1
            if seen >= _SNIFF_RECORDS:
                break
    except InputError:
        pass  # the generic reader reports it properly
    return "jsonl"


def detect_format(path: str | Path, *, encoding: str | None = None) -> str | None:
    """The format of a file from its extension and, for JSON, the keys of its records;
    None when no importer reads files of that kind."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".ann" or is_brat_text(path):
        return "brat"
    if ext in _TEXT_EXT:
        return "txt"
    if ext in _HTML_EXT:
        return "html"
    if ext in _JSON_EXT:
        return _sniff_json(path, encoding)
    if ext in CONLL_EXT:  # .tsv: WebAnno TSV when it says so, else CoNLL's token and tag columns
        if _starts_with(path, is_webanno):
            return "webanno"
        return "conll2012" if _starts_with(path, is_conll2012) else "conll"
    return None


def _starts_with(path: Path, test: Callable[[str], bool]) -> bool:
    try:
        with open(path, "rb") as fh:
            return test(fh.read(64).decode("utf-8", "replace"))
    except OSError:
        return False


def _reader(
    fmt: str,
    path: Path,
    name: str,
    encoding: str | None,
    annotator: str | None,
    hook: Callable[[int], None],
    labelstudio: LabelStudioOptions | None = None,
    notes: list[str] | None = None,
    options: ReadOptions | None = None,
    mention_label: str = MENTION_LABEL,
) -> Iterator[Item]:
    if fmt == "txt":
        return iter_plaintext(path, encoding=encoding, name=name)
    if fmt == "html":
        return iter_html(path, encoding=encoding, name=name)
    if fmt == "native":
        return iter_native(path, encoding=encoding, name=name, progress=hook)
    if fmt == "brat":
        return iter_brat(path, encoding=encoding, annotator=annotator, name=name)
    if fmt == "labelstudio":
        return iter_labelstudio(path, encoding=encoding, annotator=annotator, name=name, options=labelstudio, notes=notes)
    if fmt == "conll2012":
        return iter_conll2012(path, encoding=encoding, annotator=annotator, name=name, mention_label=mention_label)
    if fmt in ("webanno", "conll"):
        return (iter_webanno if fmt == "webanno" else iter_conll)(path, encoding=encoding, annotator=annotator, name=name)
    if fmt in ("doccano", "prodigy", "spans"):  # the readers that take the offset unit and a label map
        reader = iter_doccano if fmt == "doccano" else iter_prodigy
        return reader(path, encoding=encoding, annotator=annotator, name=name, progress=hook, options=options)
    return iter_jsonl(path, encoding=encoding, annotator=annotator, name=name, progress=hook)


def _write_doc_labels(project: Project, writes: list[tuple[str, dict[str, dict[str, list[str]]]]], notes: list[str]) -> None:
    """Store imported document labels (source "imported", the time now).  On a
    document already there, a category an annotator has labels in already keeps
    them (said in the notes); so a file imported twice adds nothing."""
    from annotator.core.doclabels import DocLabelRow
    from annotator.core.kinds import now

    stamp = now()
    rows: list[DocLabelRow] = []
    kept = 0
    existing = project.doc_labels_by_document([doc_id for doc_id, _ in writes])
    for doc_id, per in writes:
        for who, groups in per.items():
            have = existing.get(doc_id, {}).get(who, {})
            for category, labels in groups.items():
                if category in have:
                    kept += set(have[category]) != set(labels)
                    continue
                rows += [DocLabelRow(doc_id, who, category, label, "imported", stamp) for label in labels]
                have = {**have, category: labels}
            existing.setdefault(doc_id, {})[who] = have
    project.put_doc_label_rows(rows)
    project.ensure_annotators({r.annotator for r in rows})
    if kept:
        notes.append(f"{_n(kept, 'document label group')} set differently in the project already: kept as they were")


# ---------------------------------------------------------------------------
# Checking records against the project
# ---------------------------------------------------------------------------
class _Labels:
    """Labels of a file that the project's schema lacks: (kind, label) -> lines."""

    def __init__(self, schema: LabelSchema, conf: BratConf | None = None):
        self.schema = schema
        #: brat's annotation.conf: its types come with their roles and ends when labels are added
        self.conf = conf
        self.known = {k: set(schema.labels(k)) for k in ("entity", "event", "relation")}
        self.unknown: dict[tuple[str, str], list[int | None]] = {}

    def check(self, record: Record, file: str) -> list[tuple[str, str]]:
        """The record's unknown labels (remembered); raises InputError for a claim not labelled CLAIM."""
        if record.doc_labels:
            from annotator.core.doclabels import check_doc_labels

            for who, groups in record.doc_labels.items():
                good, problems = check_doc_labels(groups, self.schema)
                if problems:
                    raise InputError(file, record.line, f"{_doc_name(record)}: document labels of {who}: {'; '.join(problems)}")
                record.doc_labels[who] = good
        missing: list[tuple[str, str]] = []
        for ann in record.annotations:
            if ann.kind == "claim":
                if ann.label != CLAIM_LABEL:
                    raise InputError(
                        file,
                        record.line,
                        f"{_doc_name(record)}: claim {ann.id} is labelled {ann.label!r}; claims are labelled {CLAIM_LABEL!r} "
                        "(their type is an attribute)",
                    )
                continue
            key = (ann.kind, ann.label)
            if ann.label not in self.known[ann.kind] and key not in missing:
                missing.append(key)
        return missing

    def cats(self, record: Record) -> None:
        """doccano's ``cats`` (flat label names) as document labels of the record's
        annotator, when every one is a label of the schema's document categories
        (and a single-choice category gets one); else they stay in the
        document's metadata, as before there were document labels, and a note says so."""
        from annotator.core.doclabels import check_doc_labels

        note = 'document categories ("cats") kept in the document\'s metadata'
        groups: dict[str, list[str]] = {}
        for label in record.cats:
            cat = self.schema.category_of(label)
            if cat is None:
                break
            groups.setdefault(cat.name, []).append(label)
        else:
            good, problems = check_doc_labels(groups, self.schema)
            if not problems:
                record.doc_labels.setdefault(record.cats_annotator, {}).update(good)
                record.document.metadata.pop("cats", None)
                record.notes = [n for n in record.notes if not n.startswith(note)]
                return
        if self.schema.categories:
            record.notes = [
                f"{note}: not all of them are labels of the schema's document categories, or several in a one-of category"
                if n.startswith(note)
                else n
                for n in record.notes
            ]

    def task_choices(self, record: Record) -> None:
        """Label Studio's task-level choices named as a document category of the
        schema, with its labels (one in a single-choice category): document labels
        of that layer, taken out of the ``labelstudio_results`` the reader keeps in
        the metadata (other task-level results stay there)."""
        from annotator.core.doclabels import check_doc_labels

        results = record.document.metadata.get("labelstudio_results")
        if not isinstance(results, dict) or not self.schema.categories:
            return
        owners = {a.annotator for a in record.annotations}
        for key, values in list(results.items()):
            if not isinstance(values, dict):
                continue
            wanted = {n: v for n, v in values.items() if self.schema.category(n) is not None}
            good, problems = check_doc_labels(wanted, self.schema)
            if problems or not good:
                continue
            who = next(iter(owners)) if len(owners) == 1 and len(results) == 1 else key
            record.doc_labels.setdefault(who, {}).update(good)
            rest = {n: v for n, v in values.items() if n not in good}
            if rest:
                results[key] = rest
            else:
                del results[key]
        if not results:
            record.document.metadata.pop("labelstudio_results", None)

    def remember(self, missing: list[tuple[str, str]], line: int | None) -> None:
        for key in missing:
            self.unknown.setdefault(key, []).append(line)

    def names(self) -> list[str]:
        """``label (kind)`` of each unknown label."""
        return [f"{label} ({kind})" for kind, label in sorted(self.unknown, key=lambda kl: (kl[1], kl[0]))]

    def error(self, name: str) -> InputError:
        """The file's refusal, with the command line's way out as its hint."""
        many = len(self.unknown) > 1
        return InputError(
            name,
            None,
            self.message(),
            hint=f"add {'them' if many else 'it'} to the schema (annotator schema PROJECT --set FILE) or import with --add-labels",
        )

    def message(self) -> str:
        parts = []
        for (kind, label), lines in sorted(self.unknown.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            known_lines = [str(n) for n in lines if n is not None]
            where = ""
            if known_lines:
                listed = ", ".join(known_lines[:_LINES_LISTED]) + (", ..." if len(known_lines) > _LINES_LISTED else "")
                where = f", line{'s' if len(known_lines) > 1 else ''} {listed}"
            parts.append(f"{label} ({kind}{where})")
        return f"label{'s' if len(parts) > 1 else ''} not in the project's schema: {'; '.join(parts)}"

    def extended_schema(self) -> LabelSchema:
        """The schema with every unknown label added (grey, no shortcut); SchemaError
        when the result is not a valid schema (e.g. a label name it does not allow)."""
        data = self.schema.to_dict()
        if self.conf is not None:
            data = extend_schema_data(data, self.conf)
        section = {"entity": "entities", "event": "events", "relation": "relations"}
        for kind, label in sorted(self.unknown):
            if all(item["name"] != label for item in data[section[kind]]):
                data[section[kind]].append({"name": label})
        return parse_schema(data, "the schema with the added labels")

    def added(self, new: LabelSchema) -> list[str]:
        """``kind label`` of the labels (and ``claim attribute NAME`` of the claim
        attributes, from brat's annotation.conf) ``new`` has and the schema had not."""
        had = {a.name for a in self.schema.claim.attributes}
        return [
            f"{k} {label}"
            for k in ("entity", "event", "relation")
            for label in new.labels(k)
            if label not in self.schema.labels(k)
        ] + [f"claim attribute {a.name}" for a in new.claim.attributes if a.name not in had]


def _doc_name(record: Record) -> str:
    return record.name or "the document"


class _Checker:
    """Duplicates and id clashes with the project and with earlier records of this call."""

    def __init__(self, project: Project):
        self.project = project
        #: sha256 -> where it was imported from, in this call
        self.shas: dict[str, str] = {}
        self.doc_ids: set[str] = set()
        self.ann_ids: set[str] = set()
        #: sha256 -> document id, of this call's documents
        self.doc_by_sha: dict[str, str] = {}
        #: document id -> annotator layers it has (read once per document, kept up to date by this call)
        self.layers: dict[str, set[str]] = {}

    def duplicate(self, record: Record, file: str, pending: dict[str, str]) -> str | None:
        """A message when the record's text is already in the project (or earlier in this call)."""
        doc = record.document
        where = f"{file}:{record.line}" if record.line is not None else file
        earlier = pending.get(doc.sha256) or self.shas.get(doc.sha256)
        if earlier:
            found = f"the same text as {earlier}"
        else:
            existing = self.project.document_by_sha(doc.sha256)
            if existing is None:
                return None
            title = self.project.document_summaries([existing])[existing]["title"]
            found = f"the same text as document {title!r} (id {existing}) already in the project"
        lost = f"; its {_n(len(record.annotations), 'annotation')} were not imported" if record.annotations else ""
        return f"{where}: {_doc_name(record)} has {found}; skipped{lost}"

    def clashes(self, record: Record, file: str, pending_docs: set[str], pending_anns: set[str]) -> None:
        """Raise InputError when a kept id (native records) is taken by another document."""
        doc = record.document
        if doc.id in pending_docs or doc.id in self.doc_ids or self._doc_exists(doc.id):
            raise InputError(
                file,
                record.line,
                f"{_doc_name(record)}: the document id {doc.id} is taken by a document with a different text",
            )
        stored = self.project.existing_annotation_ids([a.id for a in record.annotations])
        for ann in record.annotations:
            if ann.id in pending_anns or ann.id in self.ann_ids or ann.id in stored:
                raise InputError(
                    file,
                    record.line,
                    f"{_doc_name(record)}: annotation id {ann.id} ({ann.kind} {ann.label}) exists already in the project",
                )

    def _doc_exists(self, doc_id: str) -> bool:
        try:
            self.project.document_status(doc_id)
        except KeyError:
            return False
        return True


# ---------------------------------------------------------------------------
# Importing
# ---------------------------------------------------------------------------
def _import_file(
    project: Project,
    path: Path,
    name: str,
    fmt: str,
    checker: _Checker,
    *,
    encoding: str | None,
    annotator: str | None,
    add_labels: bool,
    partial: bool,
    hook: Callable[[int], None],
    refine: Callable[[Record], Record] | None = None,
    labelstudio: LabelStudioOptions | None = None,
    options: ReadOptions | None = None,
) -> FileReport:
    """Read, check and store one file in one transaction.

    The records are written as they are read (in batches, inside the file's
    transaction), so a big file is never all in memory; when the file turns out
    to be refused, the transaction is rolled back and nothing of it stays.
    """
    report = FileReport(path=name, format=fmt)
    labels = _Labels(project.schema, _brat_conf(path, encoding) if fmt == "brat" else None)
    pending: dict[str, str] = {}
    pending_docs: set[str] = set()
    pending_anns: set[str] = set()
    reviews: list[tuple[str, list[dict[str, Any]]]] = []
    #: coreference clusters and registry entries of the records written (issue 15)
    corefs: list[tuple[list[Cluster], list[RegistryEntry]]] = []
    notes = report.record_notes
    #: sha256 -> id of this file's documents; document id -> its annotator layers (this call's documents and joins)
    pending_ids: dict[str, str] = {}
    layers = {doc_id: set(names) for doc_id, names in checker.layers.items()}  # kept only if the file is imported
    #: annotations joining documents already there as new layers, and those documents
    joins: list[Annotation] = []
    joined: set[str] = set()
    #: document id -> what this file added to it (:func:`_key` -> annotation id), to leave out repeats
    added: dict[str, dict[tuple[Any, ...], str]] = {}
    #: metadata of this file's documents; what records joining a document had of their own
    metas: dict[str, dict[str, Any]] = {}
    extras: dict[str, list[dict[str, Any]]] = {}
    #: notes of this file's new documents and their annotations (native notes, brat # lines)
    user_notes: list[Note] = []

    #: (document id, {annotator: {category: [labels]}}) of the records read, written after their documents.
    label_writes: list[tuple[str, dict[str, dict[str, list[str]]]]] = []

    mentions = project.schema.mentions
    mention_label = mentions[0].name if mentions else MENTION_LABEL

    def records() -> Iterator[tuple[Document, list[Annotation]]]:
        # Reading is most of the work; the last part of the file's share of the
        # progress comes when its transaction has been committed.
        for item in _reader(
            fmt,
            path,
            name,
            encoding,
            annotator,
            lambda n: hook(int(n * _READ_SHARE)),
            labelstudio,
            report.notes,
            options,
            mention_label,
        ):
            if isinstance(item, InputError):
                report.errors.append(item)
                continue
            if item.offsets:
                report.offsets = item.offsets  # the last record's: the file's records narrowed it down
            if item.cats:
                labels.cats(item)  # before its notes are counted: they may change
            if fmt == "labelstudio":
                labels.task_choices(item)
            for note in item.notes:
                notes[note] = notes.get(note, 0) + 1
            if item.answer is not None:
                report.answers[item.answer] = report.answers.get(item.answer, 0) + 1
            if refine is not None:
                item = refine(item)
            target = _layer_target(project, checker, item, pending_ids, layers) if fmt in _LAYERED else None
            try:
                dup = None if target else checker.duplicate(item, name, pending)
                if dup:
                    report.duplicates.append(dup)
                    continue
                if fmt == "native":  # the only format whose ids come from the file
                    checker.clashes(item, name, pending_docs, pending_anns)
                missing = labels.check(item, name)
            except InputError as err:
                report.errors.append(err)
                continue
            if missing:
                labels.remember(missing, item.line)
                if not add_labels:
                    if partial:
                        listed = ", ".join(f"{label} ({kind})" for kind, label in missing)
                        report.errors.append(
                            InputError(name, item.line, f"{_doc_name(item)}: labels not in the project's schema: {listed}")
                        )
                    continue
            if item.doc_labels and (not report.errors or partial):
                label_writes.append((target or item.document.id, item.doc_labels))
            if target:  # new annotator layers of a document already there, or more of this file's
                new = _join(item.annotations, target, added.setdefault(target, {}))
                if item.annotations and not new:
                    report.duplicates.append(
                        f"{name}:{item.line}: {_doc_name(item)}: its annotations are in the project already; skipped"
                    )
                elif not report.errors or partial:
                    joins.extend(new)
                    if new:
                        joined.add(target)
                    if target not in metas:
                        metas[target] = project.get_document(target).metadata
                    extra = _extra_metadata(item, name, metas[target])
                    if extra:
                        extras.setdefault(target, []).append(extra)
                continue
            doc = item.document
            pending_ids[doc.sha256] = doc.id
            if fmt in _LAYERED:
                layers[doc.id] = set()  # new in this file: any layer may join it
                metas[doc.id] = doc.metadata
                added[doc.id] = {_key(a, {}): a.id for a in item.annotations}
            pending[doc.sha256] = f"{name}:{item.line}" if item.line is not None else name
            pending_docs.add(doc.id)
            pending_anns.update(map(_ID, item.annotations))
            if not report.errors or partial:  # else the file is refused: nothing more to write
                yield item.pair()
                user_notes.extend(item.user_notes)
                if item.review:
                    reviews.append((doc.id, item.review))
                if item.clusters or item.registry:
                    corefs.append((item.clusters, item.registry))

    documents = annotations = 0
    new_schema: LabelSchema | None = None
    try:
        with project.transaction():
            documents, annotations = project.add_documents(records())
            if label_writes and (not report.errors or partial):
                _write_doc_labels(project, label_writes, report.notes)
            if user_notes and (not report.errors or partial):
                project.put_notes(user_notes)
                project.ensure_annotators({n.annotator for n in user_notes})
                report.notes.append(f"{_n(len(user_notes), 'note')} on the documents and their annotations")
            for doc_id, entries in extras.items() if not report.errors or partial else ():
                old = project.get_document(doc_id)
                more = [*old.metadata.get(_MORE_RECORDS, []), *entries]
                project.set_document_title(doc_id, old.title, {**old.metadata, _MORE_RECORDS: more}, actor="import")
            if extras and (not report.errors or partial):
                n = sum(map(len, extras.values()))
                report.notes.append(
                    f"{_n(n, 'record')} on a text read already: what {'they' if n > 1 else 'it'} had of "
                    f"{'their' if n > 1 else 'its'} own is in the document's metadata ({_MORE_RECORDS!r})"
                )
            if joins and (not report.errors or partial):
                project.put_annotations(joins)
                project.ensure_annotators({a.annotator for a in joins})
                annotations += len(joins)
                report.notes.append(
                    f"added annotator layers to {_n(len(joined), 'document')} already in the project "
                    f"({', '.join(sorted({a.annotator for a in joins}))})"
                )
            if labels.unknown and not add_labels and not partial:
                if not report.errors:  # refused for its labels alone
                    report.unknown_labels = labels.names()
                report.errors.append(labels.error(name))
            if report.errors and not partial:
                report.refused = True
                report.duplicates.clear()  # nothing of the file was looked at for import
                raise _NotImported
            if add_labels and (labels.unknown or labels.conf is not None):
                try:
                    new_schema = labels.extended_schema()
                except SchemaError as err:
                    report.errors = [InputError(name, None, f"cannot add the labels to the schema: {err}")]
                    report.refused = True
                    raise _NotImported from None
                if new_schema == project.schema:
                    new_schema = None
            if not documents and not (joins and (not report.errors or partial)):
                if not report.errors and not report.duplicates:
                    report.notes.append("no documents in the file")
                raise _NotImported
            if new_schema is not None:
                project.set_schema(new_schema, actor="import")
            project.log_import("import", documents, annotations)
            for doc_id, decisions in reviews:
                for decision in decisions:
                    project.put_review_decision({**decision, "doc_id": doc_id})
            if corefs:
                _store_corefs(project, corefs, report)
    except _NotImported:  # the transaction was rolled back
        return report
    except InputError as err:  # the file as a whole cannot be read
        report.errors = [err]
        report.refused = True
        return report
    except OSError as err:
        report.errors = [InputError(name, None, f"cannot read: {err.strerror or err}")]
        report.refused = True
        return report
    except ProjectError as err:
        project._schema = None  # the schema cached by set_schema was rolled back too
        report.errors = [InputError(name, None, f"nothing was imported: {err}")]
        report.refused = True
        return report
    if new_schema is not None:
        report.added_labels = labels.added(new_schema)
    report.documents = documents
    report.annotations = annotations
    checker.shas.update(pending)
    checker.doc_by_sha.update(pending_ids)
    for doc_id, keys in added.items():  # later files of this call add no more to these layers
        layers.setdefault(doc_id, set()).update(key[2] for key in keys)
    checker.layers = layers
    checker.doc_ids.update(pending_docs)
    checker.ann_ids.update(pending_anns)
    return report


def _store_corefs(project: Project, corefs: list[tuple[list[Cluster], list[RegistryEntry]]], report: FileReport) -> None:
    """Write the records' clusters and the registry entries they link to (inside the
    file's transaction).  An entry whose id the project has already is kept as the
    project has it (and linked to); an entry of the same name and type as one the
    project has is that one."""
    known = {e.id: e for e in project.registry_entries()}
    by_name = {(e.name.casefold(), e.type): e.id for e in known.values()}
    new_entries: dict[str, RegistryEntry] = {}
    renamed: dict[str, str] = {}
    for _clusters, entries in corefs:
        for entry in entries:
            if entry.id in known or entry.id in new_entries:
                continue
            same = by_name.get((entry.name.casefold(), entry.type))
            if same is not None:
                renamed[entry.id] = same
                continue
            new_entries[entry.id] = entry
            by_name[(entry.name.casefold(), entry.type)] = entry.id
    project.put_registry_entries(new_entries.values())
    clusters = [
        c.with_(entry_id=renamed.get(c.entry_id, c.entry_id)) if c.entry_id in renamed else c for cs, _ in corefs for c in cs
    ]
    project.put_clusters(clusters)
    if clusters:
        report.notes.append(f"{_n(len(clusters), 'coreference cluster')} imported")
    if new_entries:
        n = len(new_entries)
        report.notes.append(f"{n} registry {'entry' if n == 1 else 'entries'} added to the registry")


#: Formats whose records may bring new annotator layers to a document already there
#: (doccano exports one file per user; Prodigy datasets hold several annotators' answers).
_LAYERED = ("doccano", "prodigy", "spans")


def _layer_target(
    project: Project, checker: _Checker, record: Record, pending_ids: dict[str, str], layers: dict[str, set[str]]
) -> str | None:
    """The id of the document with the record's text (in the project, or earlier in this
    file) when none of the record's annotations is in an annotator layer that document
    had before this import: they join it (as new layers, or more of a layer this file
    began: Prodigy asks about one text several times).  None: a duplicate, or a new text."""
    sha = record.document.sha256
    if not record.annotations:  # e.g. a rejected answer: joins only a document of this file
        return pending_ids.get(sha)
    doc_id = pending_ids.get(sha) or checker.doc_by_sha.get(sha) or project.document_by_sha(sha)
    if doc_id is None:
        return None
    known = layers.get(doc_id)
    if known is None:
        known = layers[doc_id] = {a.annotator for a in project.annotations(doc_id)}
    return None if {a.annotator for a in record.annotations} & known else doc_id


#: Metadata key of what records that joined a document had of their own (file, line, fields).
_MORE_RECORDS = "more_records"


def _extra_metadata(record: Record, file: str, target: dict[str, Any]) -> dict[str, Any]:
    """The record's metadata that the document it joins lacks or has otherwise (so
    nothing of it is lost: another user's comments, a rejected answer's spans)."""
    mine = record.document.metadata
    diff = {k: v for k, v in mine.items() if target.get(k, _MISSING) != v}
    return {"file": file, "line": record.line, **diff} if diff else {}


_MISSING = object()


def _key(ann: Annotation, ids: dict[str, str]) -> tuple[Any, ...]:
    """What makes two annotations of one layer the same (references through ``ids``)."""
    ref = ids.get
    return (
        ann.kind,
        ann.label,
        ann.annotator,
        ann.start,
        ann.end,
        ref(ann.head or "", ann.head),
        ref(ann.tail or "", ann.tail),
        tuple((a.role, ref(a.target, a.target)) for a in ann.arguments),
        ref(ann.claimant_ref or "", ann.claimant_ref),
        json.dumps(ann.attributes, sort_keys=True, default=str),
    )


def _join(annotations: list[Annotation], doc_id: str, added: dict[tuple[Any, ...], str]) -> list[Annotation]:
    """The record's annotations moved to document ``doc_id``, those it has already
    (``added``) left out and references to them pointed at the ones kept; ``added``
    is updated."""
    ids: dict[str, str] = {}
    out = []
    for ann in annotations:  # spans come before the links that name them
        key = _key(ann, ids)
        if key in added:
            ids[ann.id] = added[key]
            continue
        update: dict[str, Any] = {"doc_id": doc_id}
        if ann.head in ids or ann.tail in ids:
            update.update(head=ids.get(ann.head or "", ann.head), tail=ids.get(ann.tail or "", ann.tail))
        if any(a.target in ids for a in ann.arguments):
            update["arguments"] = [a.model_copy(update={"target": ids.get(a.target, a.target)}) for a in ann.arguments]
        if ann.claimant_ref in ids:
            update["claimant_ref"] = ids[ann.claimant_ref or ""]
        added[key] = ann.id
        out.append(ann.model_copy(update=update))
    return out


def _brat_conf(path: Path, encoding: str | None) -> BratConf | None:
    """The annotation.conf of a brat document; None without one (or when it cannot be read:
    the reader then refuses the file, naming the problem)."""
    try:
        return brat_conf(path, encoding)
    except InputError:
        return None


class _NotImported(Exception):
    """Rolls back the transaction of a file that is refused or has nothing to import."""


def _expand(paths: Iterable[str | Path], fmt: str | None, report: ImportReport) -> list[tuple[Path, str, InputError | None]]:
    """``(path, name for messages, why it cannot be imported)`` of every file, in the order given;
    files of unknown type inside folders are listed in ``report.ignored``."""
    out: list[tuple[Path, str, InputError | None]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in _walk(path):
                if fmt in (None, "brat") and is_brat_text(file):
                    continue  # imported with its .ann
                if fmt in (None, "labelstudio") and file.name == LABELING_CONFIG:
                    continue  # read with the Label Studio files beside it
                if fmt in (None, "brat") and file.name in BRAT_CONF_FILES:
                    continue  # brat's configuration: annotation.conf is read with the .ann files
                if (fmt is None and not _known_extension(file)) or (fmt == "brat" and file.suffix.lower() not in BRAT_EXT):
                    report.ignored.append(str(file))
                else:
                    out.append((file, str(file), None))
        elif path.is_file():
            out.append((path, str(given), None))
        else:
            problem = "not a regular file" if path.exists() else "no such file or folder"
            out.append((path, str(given), InputError(given, None, problem)))
    return out


def import_paths(
    project: Project,
    paths: Iterable[str | Path],
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    annotator: str | None = None,
    add_labels: bool = False,
    partial: bool = False,
    progress: Progress | None = None,
    refine: Callable[[Record], Record] | None = None,
    labelstudio: LabelStudioOptions | None = None,
    options: ReadOptions | None = None,
) -> ImportReport:
    """Import files and folders into ``project``, one transaction per file.

    ``fmt``: one of :data:`FORMATS`, or None to detect each file's format.
    ``encoding``: the text encoding of the files (default UTF-8).
    ``annotator``: who made the pre-annotations (default: the file's, else
    ``imported``; native records always keep their own).
    ``add_labels``: add labels the schema lacks instead of refusing the file.
    ``partial``: import the valid records of a file with bad ones.
    ``progress(done_bytes, total_bytes, current_file)`` is called as files are read.
    ``refine(record)`` may change each record read before it is checked (the
    demo article's title and metadata, :func:`import_seeds`).
    ``labelstudio``: options of Label Studio files (data key, predictions, offsets).
    ``options``: the offset unit (``--offsets``, ``--crlf-as-one``) and label map
    (``--label-map``) for the readers that use them (doccano, Prodigy).

    Raises :class:`ReadOnlyProjectError` for a read-only project and ValueError
    for an unknown ``fmt``; every problem with the input is in the report.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if annotator is not None and not annotator.strip():
        raise ValueError("the annotator name may not be empty")
    if project.readonly:
        raise ReadOnlyProjectError(f"{project.path}: the project file is read-only; nothing was imported")
    report = ImportReport()
    files = _expand(paths, fmt, report)
    sizes = [_size(p) if problem is None else 0 for p, _, problem in files]
    total = sum(sizes)
    done = 0
    checker = _Checker(project)
    for (path, name, problem), size in zip(files, sizes):
        base = done

        def hook(n: int, base: int = base, name: str = name) -> None:
            if progress is not None:
                progress(min(base + n, total), total, name)

        hook(0)
        file_fmt = None if problem else fmt or detect_format(path, encoding=encoding)
        if problem is not None:
            report.files.append(FileReport(name, errors=[problem], refused=True))
        elif file_fmt is None:
            known = ", ".join(sorted(_TEXT_EXT | _HTML_EXT | _JSON_EXT | CONLL_EXT))
            report.files.append(
                FileReport(
                    name,
                    errors=[
                        InputError(
                            name,
                            None,
                            f"unknown kind of file {path.suffix or '(no extension)'!r}; importable: {known}",
                            hint=f"or give --format: {', '.join(FORMATS)}",
                        )
                    ],
                    refused=True,
                )
            )
        else:
            with collector_paused():
                report.files.append(
                    _import_file(
                        project,
                        path,
                        name,
                        file_fmt,
                        checker,
                        encoding=encoding,
                        annotator=annotator,
                        add_labels=add_labels,
                        partial=partial,
                        hook=hook,
                        refine=refine,
                        labelstudio=labelstudio,
                        options=options,
                    )
                )
        done = base + size
        hook(size)
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def import_seeds(project: Project) -> ImportReport:
    """Import the bundled demo article(s) of the ``annotator.seeds`` package (duplicates skipped).

    Their text is kept as it is; the title is the headline sentence and a leading
    date and dateline go into the metadata (:mod:`annotator.services.seeds`)."""
    from annotator.services.seeds import refine_seed, seed_entries

    entries = [e for e in seed_entries() if _known_extension(Path(e.name))]
    with ExitStack() as stack:
        paths: list[Any] = [stack.enter_context(resources.as_file(e)) for e in entries]
        return import_paths(project, paths, refine=refine_seed)


# ---------------------------------------------------------------------------
# Choosing an encoding
# ---------------------------------------------------------------------------
#: Encodings tried, in this order, for a file that is not valid in the one it was
#: read with: UTF-8 (a page declaring another charset), Windows-1252 (Latin-1's
#: letters, and quotes and dashes where Latin-1 has control characters), and
#: Latin-1, which reads any bytes.
LIKELY_ENCODINGS = ("utf-8", "cp1252", "latin-1")
#: Byte-order marks and their encodings (UTF-32 first: its LE mark starts with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF8, "utf-8-sig"),
)
_NON_ASCII = re.compile("[^\x00-\x7f\ufeff]")
#: Characters of a preview line (around its first non-ASCII character).
PREVIEW_LENGTH = 100


def guess_encoding(path: str | Path) -> str | None:
    """A likely encoding of a text file: its byte-order mark's, else the first of
    :data:`LIKELY_ENCODINGS` that reads it as text; None when none does (or the
    file cannot be read)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    candidates = [name for bom, name in _BOMS if data.startswith(bom)][:1] or list(LIKELY_ENCODINGS)
    for encoding in candidates:
        try:
            read_text(data, encoding=encoding, name=str(path))
        except InputError:
            continue
        return encoding
    return None


def preview_line(path: str | Path, encoding: str, length: int = PREVIEW_LENGTH) -> str:
    """The line of a file with its first non-ASCII character, as ``encoding`` reads
    it (shortened around that character to ``length``): for a person to judge
    whether the encoding is right.  The first line when the text is all ASCII.

    Raises :class:`InputError` when the file is not text in that encoding.
    """
    name = str(path)
    text = read_text(read_bytes(path, name), encoding=encoding, name=name).lstrip("\ufeff")
    found = _NON_ASCII.search(text)
    at = found.start() if found else len(text) - len(text.lstrip())
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    line = text[start : end if end >= 0 else len(text)].rstrip("\r")
    at -= start
    if len(line) <= length:
        return line
    first = max(0, min(at - length // 3, len(line) - length))
    shown = line[first : first + length]
    return ("…" if first else "") + shown + ("…" if first + length < len(line) else "")
