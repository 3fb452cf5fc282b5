"""Importers and exporters, one module per format; pure Python, never Qt.

Importers are generators over one file: ``iter_<format>(path, ...)`` yields a
:class:`Record` for every document it could read and an :class:`InputError`
for every record it could not (so a caller may import the valid records of a
partly bad file); a problem with the file as a whole (undecodable bytes, an
empty file) is raised as :class:`InputError`.  ``read_<format>(path, ...)``
collects the records as ``(Document, [Annotation])`` pairs and raises the first
error.

This module holds what every importer shares: the error type, reading and
decoding, JSON lines, titles, and :class:`TextBuilder`, which turns raw input
text into the canonical document text and maps pre-annotation offsets onto it.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from annotator.core.coref import Cluster, RegistryEntry
from annotator.core.models import Annotation, Document, Source, new_id, now
from annotator.core.notes import Note
from annotator.core.text import TextError, canonicalize, check_text, decode_bytes
from annotator.formats.offsets import OffsetChoice, OffsetDetector, OffsetProblem, Resolved, Unit, resolve_offsets

__all__ = [
    "DEFAULT_ANNOTATOR",
    "InputError",
    "Record",
    "Item",
    "ReadOptions",
    "ReaderState",
    "read_offsets",
    "TextBuilder",
    "collect",
    "read_text",
    "read_bytes",
    "make_title",
    "iter_json_objects",
    "iter_json_records",
    "json_reader",
    "record_text",
    "record_name",
    "annotator_name",
    "find_lone_surrogate",
    "validation_message",
    "plain_id",
    "extra_metadata",
]

#: Annotator name of imported pre-annotations when neither the user nor the file names one.
DEFAULT_ANNOTATOR = "imported"
#: Longest title made from a document's first line (longer ones end with an ellipsis).
TITLE_LENGTH = 120
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Progress hooks of readers are called about this often (bytes read).
PROGRESS_STEP = 1 << 18


class InputError(ValueError):
    """Input that cannot be imported; ``str()`` is ``FILE:LINE: message`` (or ``FILE: message``),
    followed by ``; hint`` when there is one.

    ``hint`` says what to do in the command line's terms (``--encoding``); the app
    words its own from ``message`` and ``undecodable`` (see :class:`TextError`).
    """

    def __init__(self, file: str | Path, line: int | None, message: str, *, hint: str = "", undecodable: bool = False):
        self.file = str(file)
        self.line = line
        self.message = message
        self.hint = hint
        self.undecodable = undecodable
        super().__init__(str(self))

    @property
    def where(self) -> str:
        """``FILE:LINE`` or ``FILE``."""
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" + (f"; {self.hint}" if self.hint else "")

    def __reduce__(self) -> tuple:  # keep it picklable (multiprocessing, pytest-xdist)
        return (type(self), (self.file, self.line, self.message), {"hint": self.hint, "undecodable": self.undecodable})


@dataclass
class Record:
    """One document read from a file, with its pre-annotations."""

    document: Document
    annotations: list[Annotation]
    #: Line (JSON lines) or record number where it came from; None for whole files.
    line: int | None = None
    #: Review decisions carried by native records (kept for the review workflow).
    review: list[Any] = field(default_factory=list)
    #: How messages name the document (e.g. ``document 'batch-1'``); empty for a whole file.
    name: str = ""
    #: The offset unit the record's spans were read in, for people (``UTF-16 units``); None: no spans.
    offsets: str | None = None
    #: What the import summary should say about this record (equal notes are counted).
    notes: list[str] = field(default_factory=list)
    #: A record answered other than "accept" (Prodigy's reject, ignore): not annotations, counted in the summary.
    answer: str | None = None
    #: Document labels (issue 14), ``{annotator: {category: [labels]}}``; checked against
    #: the project's schema when imported (codecs know no schema).
    doc_labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: Document labels as flat label names (doccano's ``cats``) and whose they are:
    #: the import maps them to the schema's categories when it can.
    cats: list[str] = field(default_factory=list)
    cats_annotator: str = ""
    #: Notes the file holds on the document and its annotations (native ``notes``, brat ``#`` lines).
    user_notes: list[Note] = field(default_factory=list)
    #: Coreference clusters of the record's annotations (issue 15): native, CoNLL-2012, brat ``*`` lines.
    clusters: list[Cluster] = field(default_factory=list)
    #: Registry entries the clusters link to (native records carry them).
    registry: list[RegistryEntry] = field(default_factory=list)

    def pair(self) -> tuple[Document, list[Annotation]]:
        return self.document, self.annotations


#: What importers yield: a record, or the error that stopped one record.
Item = Record | InputError


@dataclass(frozen=True)
class ReadOptions:
    """The user's choices for reading annotated files (``annotator import`` options).

    ``offsets``: the unit of the files' offsets (:class:`~annotator.formats.offsets.OffsetChoice`,
    ``--offsets``, ``--crlf-as-one``); ``label_map``: label names by id (``--label-map``)
    for files that name labels by number (old doccano exports)."""

    offsets: OffsetChoice = field(default_factory=OffsetChoice)
    label_map: dict[str, str] | None = None
    #: Where the label map came from, for messages.
    label_map_name: str = "the label map"


@dataclass
class ReaderState:
    """What a reader keeps across one file's records: the options and the file's offset unit."""

    options: ReadOptions = field(default_factory=ReadOptions)
    detector: OffsetDetector = field(init=False)

    def __post_init__(self) -> None:
        self.detector = OffsetDetector(self.options.offsets)


def read_offsets(
    raw: str,
    spans: list[tuple[int, int, str | None]],
    choice: OffsetChoice | str = "auto",
    *,
    file: str | Path,
    line: int | None = None,
    doc_name: str = "",
    names: list[str] | None = None,
    detector: OffsetDetector | None = None,
) -> Resolved:
    """:func:`~annotator.formats.offsets.resolve_offsets` for readers: code-point spans into
    ``raw`` (before canonicalisation) and the unit used, or an :class:`InputError` naming
    ``file``, ``line`` and ``doc_name``.  With ``detector`` (one per file) the file's records
    must fit one unit and ``choice`` is the detector's."""
    try:
        if detector is not None:
            return detector.resolve(raw, spans, where=f"line {line}" if line else doc_name, names=names)
        return resolve_offsets(raw, spans, choice, names=names)
    except OffsetProblem as err:
        raise InputError(file, line, f"{doc_name}: {err.message}" if doc_name else err.message) from None


def collect(items: Iterable[Item]) -> list[tuple[Document, list[Annotation]]]:
    """All records as ``(Document, [Annotation])``; raises the first :class:`InputError`."""
    out = []
    for item in items:
        if isinstance(item, InputError):
            raise item
        out.append(item.pair())
    return out


def read_text(source: str | Path | bytes, *, encoding: str | None = None, name: str | None = None) -> str:
    """The raw text of a file (or of ``bytes``), decoded strictly (see :func:`decode_bytes`).

    Raises :class:`InputError` naming the file for unreadable, binary or
    undecodable input; the text is not canonicalised yet.
    """
    if isinstance(source, bytes):
        data, name = source, name or "<input>"
    else:
        name = name or str(source)
        data = read_bytes(source, name)
    if encoding is None:
        _refuse_wide_text(data, name)
    try:
        return decode_bytes(data, encoding, name=name)
    except TextError as err:
        raise InputError(name, None, err.message.removeprefix(f"{name}: "), hint=err.hint, undecodable=err.undecodable) from None


def read_bytes(path: str | Path, name: str) -> bytes:
    """A file's bytes; InputError naming ``name`` when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise InputError(name, None, f"cannot read: {err.strerror or err}") from None


def make_title(text: str, limit: int = TITLE_LENGTH) -> str:
    """The first non-empty line of ``text``, whitespace-trimmed, cut to ``limit`` characters with "…"."""
    at, n = 0, len(text)
    while at <= n:  # line by line, without splitting the whole text
        end = text.find("\n", at)
        if end < 0:
            end = n
        line = " ".join(text[at:end].split())
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
        at = end + 1
    return ""


def find_lone_surrogate(value: Any, path: str = "") -> str | None:
    """The field path of the first string holding a lone surrogate in a JSON value, if any.

    SQLite stores UTF-8, which cannot hold a lone surrogate, so such input must be
    refused before it reaches the database.
    """
    # ASCII strings cannot hold one, and scalars need no recursive call (imports
    # check every annotation's fields, so this is on the hot path).
    if isinstance(value, str):
        return (path or "value") if not value.isascii() and _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and not k.isascii() and _SURROGATE.search(k):
                return f"{path}.{k}" if path else k
            if isinstance(v, (dict, list)) or (isinstance(v, str) and not v.isascii()):
                found = find_lone_surrogate(v, f"{path}.{k}" if path else str(k))
                if found:
                    return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)) or (isinstance(v, str) and not v.isascii()):
                found = find_lone_surrogate(v, f"{path}[{i}]")
                if found:
                    return found
    return None


def validation_message(err: ValidationError) -> str:
    """A pydantic error as one short line: ``field: problem; field: problem``."""
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def plain_id(value: Any) -> str | None:
    """An external id from a record: strings as they are, integers as text, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        text = str(value)
        return text or None
    return None


def extra_metadata(
    record: dict[str, Any], known: Iterable[str], meta_keys: Iterable[str] = ("meta", "metadata")
) -> dict[str, Any]:
    """Metadata of a JSON record: its ``meta``/``metadata`` object, plus every top-level
    key the format does not use itself (so nothing the user had is lost)."""
    metadata: dict[str, Any] = {}
    for key in meta_keys:
        value = record.get(key)
        if isinstance(value, dict):
            metadata.update(value)
        elif value is not None:
            metadata[key] = value
    skip = set(known) | set(meta_keys)
    for key, value in record.items():
        if key not in skip:
            metadata.setdefault(key, value)
    return metadata


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class TextBuilder:
    """The canonical text of one input document, and its pre-annotation offsets mapped onto it.

    ``raw`` is the text as the input gave it; offsets in the input refer to it.
    ``doc_name`` names the document in messages (empty for a whole-file document).
    :meth:`span` checks a raw span (``0 <= start < end <= len(raw)``), maps it to
    the canonical text and, when the input states the span's text, checks that
    it matches.  Errors are :class:`InputError` naming the file, line, document
    and span.
    """

    def __init__(self, raw: str, *, file: str, line: int | None, doc_name: str):
        self.raw = raw
        self.file = file
        self.line = line
        self.doc_name = doc_name
        #: One import time for all of the document's new annotations (cheaper than a clock read each).
        self.stamp = now()
        where = doc_name or file
        try:
            check_text(raw, where)
        except TextError as err:
            raise self.error(str(err).removeprefix(f"{where}: ")) from None
        self.text, self._mapper = canonicalize(raw)
        #: The unit :meth:`spans` read the offsets in (for people), None before.
        self.offsets: str | None = None

    def spans(
        self, items: list[tuple[Any, Any, Any]], names: list[str], detector: OffsetDetector | None = None
    ) -> list[tuple[int, int]]:
        """Check raw spans ``(start, end, stated text or None)``, read their offsets in
        the unit ``detector`` chooses (code points without one; see
        :mod:`annotator.formats.offsets`) and map them to the canonical text.
        ``names`` name the spans in messages.  A span whose stated text disagrees
        with its offsets is an error, never moved."""
        if detector is None:
            return [self.span(s, e, what, t) for (s, e, t), what in zip(items, names)]
        checked: list[tuple[int, int, str | None]] = []
        for (start, end, text), what in zip(items, names):
            if not _is_int(start) or not _is_int(end):
                raise self.error(f"{what}: start and end must be whole numbers, got {start!r} and {end!r}")
            if start >= end:
                raise self.error(f"{what}: reversed or empty span [{start}, {end}): start must be less than end")
            if start < 0:
                raise self.error(f"{what}: span [{start}, {end}) is outside the text: offsets start at 0")
            if text is not None and not isinstance(text, str):
                raise self.error(f"{what}: its text must be a string, found {text!r:.40}")
            checked.append((start, end, text))
        try:
            got = detector.resolve(self.raw, checked, where=f"line {self.line}" if self.line else self.doc_name, names=names)
        except OffsetProblem as err:
            raise self.error(err.message) from None
        out = []
        for (a, b), (start, end, _), what in zip(got.spans, checked, names):
            a, b = self._mapper.map_span(a, b)
            if a >= b:
                raise self.error(f"{what}: span [{start}, {end}) covers only a line break's \\r, which is not kept")
            out.append((a, b))
        if checked and (got.unit != Unit("codepoint") or len(got.units) < len(detector.choice.candidates())):
            self.offsets = got.unit.name  # said in the summary when it is not plain code points, or was detected
        return out

    def error(self, message: str) -> InputError:
        return InputError(self.file, self.line, f"{self.doc_name}: {message}" if self.doc_name else message)

    def span(self, start: Any, end: Any, what: str, expected_text: Any = None) -> tuple[int, int]:
        """Check and map a raw ``[start, end)``; ``what`` names the span in messages."""
        if not _is_int(start) or not _is_int(end):
            raise self.error(f"{what}: start and end must be whole numbers, got {start!r} and {end!r}")
        n = len(self.raw)
        if start >= end:
            raise self.error(f"{what}: reversed or empty span [{start}, {end}): start must be less than end")
        if start < 0 or end > n:
            raise self.error(f"{what}: span [{start}, {end}) is outside the text (length {n}): need 0 <= start < end <= {n}")
        if expected_text is not None:
            found = self.raw[start:end]
            if expected_text != found:
                raise self.error(
                    f"{what}: span [{start}, {end}) says its text is {_short(expected_text)!r} "
                    f"but the document has {_short(found)!r} there (offsets must be code points)"
                )
        a, b = self._mapper.map_span(start, end)
        if a >= b:
            raise self.error(f"{what}: span [{start}, {end}) covers only a line break's \\r, which is not kept")
        return a, b

    def document(self, *, auto_title: bool = True, **fields: Any) -> Document:
        """The document with the canonical text; ``fields`` are Document's other fields.

        Without a title (and with ``auto_title``) the first line of the text is the title.
        """
        if auto_title and not fields.get("title"):
            fields["title"] = make_title(self.text)
        # Missing timestamps: the import time, as the annotations have it (no clock read each).
        fields.setdefault("created", self.stamp)
        fields.setdefault("updated", self.stamp)
        where = find_lone_surrogate(fields)
        if where:
            raise self.error(f"{where}: holds a lone surrogate, which is not a character and cannot be stored")
        try:
            return Document(text=self.text, **fields)
        except ValidationError as err:
            raise self.error(validation_message(err)) from None

    def annotation(self, doc_id: str, what: str, **fields: Any) -> Annotation:
        """An annotation of this document (source ``imported`` unless given)."""
        fields.setdefault("source", Source.IMPORTED)
        fields.setdefault("created", self.stamp)
        fields.setdefault("updated", fields["created"])
        where = find_lone_surrogate(fields)
        if where:
            raise self.error(f"{what}: {where} holds a lone surrogate, which cannot be stored")
        try:
            return Annotation(doc_id=doc_id, **fields)
        except ValidationError as err:
            raise self.error(f"{what}: {validation_message(err)}") from None

    def entity(self, doc_id: str, what: str, start: int, end: int, label: str, annotator: str) -> Annotation:
        """``annotation(doc_id, what, kind="entity", start=..., end=..., label=..., annotator=...)``
        for a span checked by :meth:`span` and string ``label`` and ``annotator``: the
        same annotation (or error), with the lone-surrogate check on the two strings only
        (the other fields are numbers and constants)."""
        for key, value in (("label", label), ("annotator", annotator)):
            if isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
                raise self.error(f"{what}: {key} holds a lone surrogate, which cannot be stored")
        if (
            type(label) is str
            and label
            and type(annotator) is str
            and annotator
            and type(doc_id) is str
            and doc_id
            and type(start) is int
            and type(end) is int
            and 0 <= start < end
        ):
            # Every field is what validation would make of it: build the model as
            # pydantic's model_construct does (which is slower than validating when
            # defaults are left to it), skipping a validation that cannot fail.
            # tests/formats/test_export_fast_paths.py compares it with a validated one.
            ann = _new_object(Annotation)
            _set_attribute(
                ann,
                "__dict__",
                {
                    "id": new_id(),
                    "doc_id": doc_id,
                    "kind": "entity",
                    "label": label,
                    "start": start,
                    "end": end,
                    "attributes": {},
                    "arguments": [],
                    "head": None,
                    "tail": None,
                    "claimant_ref": None,
                    "claimant_text": None,
                    "annotator": annotator,
                    "source": Source.IMPORTED,
                    "created": self.stamp,
                    "updated": self.stamp,
                    "fragments": None,
                    "links": [],
                },
            )
            _set_attribute(ann, "__pydantic_fields_set__", set(_ENTITY_FIELDS_SET))
            _set_attribute(ann, "__pydantic_extra__", None)
            _set_attribute(ann, "__pydantic_private__", None)
            return ann
        try:
            return Annotation(
                doc_id=doc_id,
                kind="entity",
                start=start,
                end=end,
                label=label,
                annotator=annotator,
                source=Source.IMPORTED,
                created=self.stamp,
                updated=self.stamp,
            )
        except ValidationError as err:
            raise self.error(f"{what}: {validation_message(err)}") from None


_new_object = object.__new__
_set_attribute = object.__setattr__
#: The fields :meth:`TextBuilder.entity` gives (the others are defaults), as validation records them.
_ENTITY_FIELDS_SET = frozenset({"doc_id", "kind", "start", "end", "label", "annotator", "source", "created", "updated"})


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _decode_line(raw: bytes, encoding: str | None) -> str:
    """One line of a JSON-lines file as text; UnicodeDecodeError/LookupError propagate."""
    if encoding is None:
        return raw.decode("utf-8")
    return raw.decode(encoding)


def iter_json_objects(
    path: str | Path,
    *,
    encoding: str | None = None,
    name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """Stream the JSON objects of a JSON-lines file as ``(line number, object or error)``.

    Blank lines are skipped.  A line that is not UTF-8 (or ``encoding``), not JSON
    or not a JSON object gives an :class:`InputError` for that line, and reading
    goes on.  A file holding one JSON array (as some tools export ``.json``) is
    read whole; its "line numbers" are then the positions of the records in the
    array.  So is a file in an encoding whose line ends are not the byte ``\\n``
    (UTF-16, UTF-32).  ``progress(bytes_read)`` is called every few hundred kilobytes.

    Raises :class:`InputError` when the file cannot be read at all.
    """
    name = name or str(path)
    if encoding is not None:
        try:
            ascii_lines = "{\n".encode(encoding) == b"{\n"
        except LookupError:
            raise InputError(name, None, f"unknown text encoding {encoding!r}") from None
    try:
        fh = open(path, "rb")
    except OSError as err:
        raise InputError(name, None, f"cannot read: {err.strerror or err}") from None
    with fh:
        head = fh.read(4096)
        fh.seek(0)
        if encoding is None:
            _refuse_wide_text(head, name)
        elif not ascii_lines:
            yield from _json_text(read_text(fh.read(), encoding=encoding, name=name), name)
            return
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
            yield from _json_text(read_text(fh.read(), encoding=encoding, name=name), name)
            return
        done = reported = 0
        for number, raw in enumerate(fh, start=1):
            done += len(raw)
            if progress is not None and done - reported >= PROGRESS_STEP:
                progress(done)
                reported = done
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                line = _decode_line(raw, encoding)
            except UnicodeDecodeError as err:
                message, hint = _not_decodable(raw, err, encoding)
                yield number, InputError(name, number, message, hint=hint, undecodable=True)
                continue
            yield number, _json_object(line, name, number)
        if progress is not None:
            progress(done)


def _json_object(line: str, name: str, number: int) -> dict[str, Any] | InputError:
    """The JSON object on one line, or the error saying why there is none."""
    try:
        value = json.loads(line.rstrip("\r\n"))
    except (ValueError, RecursionError) as err:
        return InputError(name, number, f"not valid JSON: {_json_problem(err)}")
    if not isinstance(value, dict):
        return InputError(name, number, f"expected a JSON object ({{...}}) on each line, found {_json_type(value)}")
    return value


def _json_text(text: str, name: str) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """The objects of decoded text: one JSON array of them, or one per line."""
    if not text.lstrip("\ufeff \t\r\n").startswith("["):
        for number, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
            if line.strip():
                yield number, _json_object(line, name, number)
        return
    try:
        values = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as err:
        raise InputError(name, getattr(err, "lineno", None), f"not valid JSON: {_json_problem(err)}") from None
    if not isinstance(values, list):
        raise InputError(name, None, "expected a JSON array of records or one JSON object per line")
    for i, value in enumerate(values, start=1):
        if isinstance(value, dict):
            yield i, value
        else:
            yield i, InputError(name, None, f"record {i}: expected a JSON object, found {_json_type(value)}")


#: Byte-order marks of text that is not ASCII-compatible (UTF-32 first: its LE mark starts with UTF-16's).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _refuse_wide_text(head: bytes, name: str) -> None:
    """A clear message for UTF-16/UTF-32 text (e.g. PowerShell's ``>``) read without ``--encoding``."""
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            raise InputError(
                name,
                None,
                f"looks like {encoding.upper()} text (it starts with a {encoding.upper()} byte-order mark)",
                hint=f"pass --encoding {encoding}",
                undecodable=True,
            )


def _not_decodable(raw: bytes, err: UnicodeDecodeError, encoding: str | None) -> tuple[str, str]:
    """The message and the command line's hint for a line that is not valid text."""
    column = err.start + 1
    if encoding is None:
        return (
            f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at column {column}); JSON lines should be UTF-8",
            "if it is another encoding, pass --encoding (e.g. --encoding latin-1)",
        )
    return f"not valid {encoding} (byte 0x{raw[err.start]:02x} at column {column})", ""


def _json_problem(err: ValueError | RecursionError) -> str:
    if isinstance(err, RecursionError):
        return "arrays or objects nested too deeply"
    if isinstance(err, json.JSONDecodeError):
        return f"{err.msg.removesuffix(' at')} at column {err.colno}"
    return str(err)


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "null"
    )


def iter_json_records(
    path: str | Path,
    parse: Callable[[dict[str, Any], str, int], Record],
    *,
    encoding: str | None = None,
    name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Item]:
    """Records of a JSON-lines file: ``parse(object, file name, line)`` for every
    object; errors of a line (bad JSON, a bad record) are yielded, not raised."""
    name = name or str(path)
    for line, obj in iter_json_objects(path, encoding=encoding, name=name, progress=progress):
        if isinstance(obj, InputError):
            yield obj
            continue
        try:
            yield parse(obj, name, line)
        except InputError as err:
            yield err


def record_name(record: dict[str, Any], *keys: str) -> str:
    """How messages name a JSON record: ``document 'ID'`` from the first id found, else ``document``."""
    for key in keys or ("id",):
        value: Any = record
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        ident = plain_id(value)
        if ident is not None:
            return f"document {_short(ident)!r}"
    return "document"


def record_text(record: dict[str, Any], file: str, line: int, doc_name: str, field: str = "text") -> str:
    """The record's text field; a clear error when it is missing or not a string."""
    if field not in record:
        keys = ", ".join(_short(str(k), 30) for k in list(record)[:12]) or "no fields"
        raise InputError(file, line, f"{doc_name}: no {field!r} field (the record has: {keys})")
    value = record[field]
    if not isinstance(value, str):
        raise InputError(file, line, f"{doc_name}: the {field!r} field must be a string, found {_json_type(value)}")
    return value


def annotator_name(option: str | None, from_record: Any = None) -> str:
    """Who made imported pre-annotations: the user's option, else the file's, else ``imported``."""
    if option:
        return option
    if isinstance(from_record, str) and from_record.strip():
        return from_record.strip()
    return DEFAULT_ANNOTATOR


#: ``parse(record, file name, line, annotator option) -> Record`` of a JSON-lines format
#: (with ``stateful``: ``parse(record, file name, line, annotator option, ReaderState)``).
RecordParser = Callable[..., Record]


def json_reader(
    parse: RecordParser, what: str, *, stateful: bool = False
) -> tuple[Callable[..., Iterator[Item]], Callable[..., list[tuple[Document, list[Annotation]]]]]:
    """The ``iter_<format>`` and ``read_<format>`` functions of a JSON-lines format.

    A ``stateful`` parser gets a :class:`ReaderState` (one per file: the options
    and the file's offset unit) as its fifth argument; readers take ``options``."""

    def iter_records(
        path: str | Path,
        *,
        encoding: str | None = None,
        annotator: str | None = None,
        name: str | None = None,
        progress: Callable[[int], None] | None = None,
        options: ReadOptions | None = None,
    ) -> Iterator[Item]:
        if stateful:
            state = ReaderState(options or ReadOptions())
            return iter_json_records(
                path, lambda r, f, n: parse(r, f, n, annotator, state), encoding=encoding, name=name, progress=progress
            )
        return iter_json_records(path, lambda r, f, n: parse(r, f, n, annotator), encoding=encoding, name=name, progress=progress)

    def read_records(
        path: str | Path, *, encoding: str | None = None, annotator: str | None = None, options: ReadOptions | None = None
    ) -> list[tuple[Document, list[Annotation]]]:
        return collect(iter_records(path, encoding=encoding, annotator=annotator, options=options))

    iter_records.__doc__ = (
        f"Records of a {what} file, streamed; bad lines are yielded as InputError.\n\n"
        "``annotator`` names who made the pre-annotations; ``progress(bytes_read)`` is called now and then."
    )
    read_records.__doc__ = f"All documents of a {what} file as (Document, [Annotation]); raises the first InputError."
    return iter_records, read_records
