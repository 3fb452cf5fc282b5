"""Label Studio: its JSON export (and JSON-MIN) in, tasks with annotations out.

Reading: a Label Studio JSON export is one JSON array of tasks (or one task
object, as cloud storage writes ``<task id>.json``, or tasks one per line)::

    [{"id": 7, "data": {"text": "Acme hired Bo."},
      "annotations": [{"id": 3, "completed_by": 1, "result": [
          {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
           "value": {"start": 0, "end": 4, "text": "Acme", "labels": ["ORG"]}},
          {"id": "r1", "from_name": "kind", "to_name": "text", "type": "choices",
           "value": {"choices": ["company"]}},
          {"type": "relation", "from_id": "r1", "to_id": "r2", "direction": "right", "labels": ["employs"]}]}],
      "predictions": [{"model_version": "v2", "result": [...]}]}]

JSON-MIN is one array of flat records, one per annotation: the task's data
fields, one list of regions (``start``, ``end``, ``text``, ``labels``) per
labelling tag, ``annotator``, ``annotation_id``.

- The document text is the task's data field named by ``data_key``, else by a
  ``labeling-config.xml`` next to the file (the ``<Text value="$name">`` tag the
  regions point to), else the only string field of ``data``, else ``text``.
- ``labels`` results become entities (one per label of the region); ``relation``
  results become relations (``labels`` optional: :data:`RELATION_LABEL` without;
  ``direction: left`` swaps the ends, ``bi`` is kept as the attribute
  ``direction``); ``choices``, ``textarea``, ``number``, ``rating`` and
  ``taxonomy`` results sharing a region's id become that region's attributes
  (named by their ``from_name``); such results without a region are kept in the
  document's metadata (``labelstudio_results``, per annotator).
- Each annotation is a layer named by its ``completed_by`` (the email of an
  object, else ``user <id>``), or by the ``annotator`` key this module's writer
  adds; cancelled (skipped) annotations are not imported, and counted.
- Predictions are kept apart: imported only with ``predictions=True``, each as
  a layer named ``prediction:<model_version>``.
- Offsets are read in :data:`UNITS` (Label Studio 1.23 counts code points,
  older versions UTF-16 units): given, or detected from the regions'
  ``value.text`` (the unit under which every region's text matches wins).  A
  region whose ``value.text`` disagrees with the text at its offsets is
  imported at its offsets (what Label Studio shows) and reported.
- HTML and paragraph regions (``hypertextlabels``, ``paragraphlabels``, XPath
  ``start``/``end`` strings) and non-text results (boxes, audio) are refused
  with a message saying so.

:func:`iter_labelstudio` yields a :class:`~annotator.formats.Record` per task (or
an :class:`~annotator.formats.InputError` per bad task) and appends what the
import should tell the user (the unit, stale texts, left-out predictions) to
``notes``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.models import GOLD, Annotation
from annotator.formats import (
    InputError,
    Item,
    Record,
    TextBuilder,
    collect,
    plain_id,
    read_bytes,
    read_text,
)

__all__ = [
    "LABELING_CONFIG",
    "RELATION_LABEL",
    "UNITS",
    "LabelStudioOptions",
    "LabelStudioWriter",
    "code_point_offsets",
    "is_labelstudio",
    "sniff_labelstudio",
    "iter_labelstudio",
    "read_labelstudio",
]

#: The labelling config written next to an export, and read next to an imported file.
LABELING_CONFIG = "labeling-config.xml"
#: Label of a relation that has no ``labels``.
RELATION_LABEL = "related"
#: Offset units: Label Studio 1.23 counts code points, older versions UTF-16 units.
UNITS = ("codepoint", "utf16")
#: ``from_name``/``to_name`` of the exported results (the names in the written labelling config).
FROM_NAME, TO_NAME, DATA_KEY = "label", "text", "text"
#: Layers named ``prediction:<model_version>`` hold imported predictions (exported as predictions again).
PREDICTION = "prediction:"
#: Result types that carry a value for a region (by id) or for the whole task.
_VALUE_TYPES = {"choices": "choices", "textarea": "text", "number": "number", "rating": "rating", "taxonomy": "taxonomy"}
#: Result types of HTML, paragraphs and non-text objects: refused with these words.
_REFUSED_TYPES = {
    "hypertextlabels": "HTML (HyperText) regions are located by XPath, not by offsets into a text",
    "paragraphlabels": "paragraph regions are located by paragraph index and offsets inside it",
}
#: JSON-MIN keys that are not data fields.
_MIN_KEYS = ("id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement")
#: Task keys that are Label Studio's bookkeeping (not kept as metadata).
_TASK_KEYS = (
    "id",
    "data",
    "annotations",
    "completions",
    "predictions",
    "drafts",
    "meta",
    "created_at",
    "updated_at",
    "inner_id",
    "total_annotations",
    "cancelled_annotations",
    "total_predictions",
    "comment_count",
    "unresolved_comment_count",
    "last_comment_updated_at",
    "project",
    "updated_by",
    "file_upload",
    "comment_authors",
)
_EMAIL = re.compile(r"[^\s,]+@[^\s,]+")
_LISTED = 5


@dataclass
class LabelStudioOptions:
    """What the user may choose when importing Label Studio files."""

    #: The data field holding the text (default: see the module's doc).
    data_key: str | None = None
    #: Import predictions too, each as a layer ``prediction:<model_version>``.
    predictions: bool = False
    #: ``codepoint``, ``utf16`` or ``auto`` (detect from ``value.text``).
    offsets: str = "auto"


# ---------------------------------------------------------------------------
# Offsets
# ---------------------------------------------------------------------------
def code_point_offsets(text: str, unit: str) -> Callable[[int], int | None]:
    """A function from an offset in ``unit`` into ``text`` to the code-point offset;
    None for an offset inside a surrogate pair (no code-point offset there).

    The one place offsets are converted (to be replaced by the import's shared
    unit machinery when it exists)."""
    if unit == "codepoint" or text.isascii():
        return lambda offset: offset
    astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]
    if not astral:
        return lambda offset: offset
    starts = [cp + k for k, cp in enumerate(astral)]  # UTF-16 offsets of the astral characters

    def convert(offset: int) -> int | None:
        before = bisect_right(starts, offset - 1)  # astral characters starting before the offset
        if before and starts[before - 1] == offset - 1:
            return None
        return offset - before

    return convert


# ---------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------
def is_labelstudio(record: dict[str, Any]) -> bool:
    """Whether a JSON object looks like a Label Studio task (``data`` with
    ``annotations``/``predictions`` of ``result`` lists) or a JSON-MIN record."""
    if record.get("format") is not None:
        return False
    data = record.get("data")
    if isinstance(data, dict) and "text" not in record:
        lists = [record.get(k) for k in ("annotations", "predictions", "completions")]
        if any(isinstance(x, list) for x in lists):
            return all(isinstance(a, dict) and "result" in a for x in lists if isinstance(x, list) for a in x)
        return True  # a task without annotations
    if "annotation_id" in record and "annotator" in record:
        return True
    return any(_is_min_regions(v) for v in record.values())


def sniff_labelstudio(path: str | Path, encoding: str | None = None) -> bool:
    """Whether a ``.json`` file that is not JSON lines is one Label Studio task object
    spread over several lines (as Label Studio's cloud storage writes ``<task id>.json``)."""
    if Path(path).suffix.lower() != ".json":
        return False
    try:
        text = read_text(read_bytes(path, str(path)), encoding=encoding, name=str(path)).lstrip("\ufeff \t\r\n")
        if not text.startswith("{"):
            return False
        value = json.loads(text)
    except (InputError, ValueError, RecursionError):
        return False
    return isinstance(value, dict) and isinstance(value.get("data"), dict) and is_labelstudio(value)


def _is_min_regions(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(r, dict) and "start" in r and "end" in r and isinstance(r.get("labels"), list) for r in value)
    )


def _tasks(text: str, name: str) -> Iterator[tuple[int, Any]]:
    """``(line, value)`` of every element of the file's JSON array (or of its one object,
    or of its objects one per line)."""
    body = text.lstrip("\ufeff")
    decoder = json.JSONDecoder()
    at = len(body) - len(body.lstrip())
    line = body.count("\n", 0, at) + 1
    if at >= len(body):
        raise InputError(name, None, "the file is empty; a Label Studio export is a JSON array of tasks")
    try:
        if body[at] != "[":  # one task object, or one per line (JSON lines)
            pos = at
            while pos < len(body):
                line += body.count("\n", at, pos)
                at = pos
                if body[pos] != "{":
                    raise InputError(name, line, "expected a task ({...}) or one JSON array of tasks ([...])")
                value, pos = decoder.raw_decode(body, pos)
                yield line, value
                while pos < len(body) and body[pos] in " \t\r\n":
                    pos += 1
            return
        pos = at + 1
        first = True
        while True:
            while pos < len(body) and body[pos] in " \t\r\n":
                pos += 1
            if pos < len(body) and body[pos] == "]":
                rest = body[pos + 1 :]
                if rest.strip():
                    extra = pos + 1 + len(rest) - len(rest.lstrip())
                    raise InputError(name, body.count("\n", 0, extra) + 1, "text after the end of the JSON array")
                return
            if not first:
                if pos >= len(body) or body[pos] != ",":
                    raise InputError(name, body.count("\n", 0, pos) + 1, "not valid JSON: expected ',' or ']' in the array")
                pos += 1
                while pos < len(body) and body[pos] in " \t\r\n":
                    pos += 1
            line += body.count("\n", at, pos)
            at = pos
            value, pos = decoder.raw_decode(body, pos)
            first = False
            yield line, value
    except json.JSONDecodeError as err:
        raise InputError(name, err.lineno, f"not valid JSON: {err.msg} at column {err.colno}") from None
    except RecursionError:
        raise InputError(name, None, "not valid JSON: arrays or objects nested too deeply") from None


@dataclass
class _Config:
    """What a labelling config says: Text tags (name -> data key), tags that are refused."""

    texts: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


def _read_config(path: Path, encoding: str | None) -> _Config | None:
    """The ``labeling-config.xml`` next to ``path``, if there is one."""
    conf_path = path.parent / LABELING_CONFIG
    if not conf_path.is_file():
        return None
    name = str(conf_path)
    text = read_text(read_bytes(conf_path, name), encoding=encoding, name=name)
    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError as err:
        raise InputError(name, err.position[0], f"not a valid labelling config (XML): {err}") from None
    conf = _Config()
    for el in root.iter():
        tag_name, value = el.get("name"), el.get("value") or ""
        if not tag_name or not value.startswith("$"):
            continue
        if el.tag == "Text":
            conf.texts[tag_name] = value[1:]
        elif el.tag in ("HyperText", "Paragraphs"):
            conf.refused[tag_name] = el.tag
    return conf


def iter_labelstudio(
    path: str | Path,
    *,
    encoding: str | None = None,
    annotator: str | None = None,
    name: str | None = None,
    options: LabelStudioOptions | None = None,
    notes: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Item]:
    """Records of a Label Studio JSON or JSON-MIN export; bad tasks are yielded as InputError.

    ``annotator`` names the layer instead of the file's annotators (a task with
    several annotators' work is then refused).  ``notes`` receives what the import
    should tell the user.  Raises :class:`InputError` for a file that is not JSON.
    """
    opts = options or LabelStudioOptions()
    if opts.offsets not in (*UNITS, "auto"):
        raise ValueError(f"offsets must be codepoint, utf16 or auto, not {opts.offsets!r}")
    name = name or str(path)
    out = notes if notes is not None else []
    path = Path(path)
    config = _read_config(path, encoding)
    data = read_bytes(path, name)
    text = read_text(data, encoding=encoding, name=name)
    if progress is not None:
        progress(len(data))
    parsed: list[_Task | InputError] = []
    minimal: dict[Any, _Task] = {}
    for line, value in _tasks(text, name):
        if not isinstance(value, dict):
            parsed.append(InputError(name, line, f"expected a task (a JSON object), found {_json_type(value)}"))
            continue
        try:
            if isinstance(value.get("data"), dict):
                parsed.append(_parse_task(value, name, line, opts, config))
            else:
                task = _parse_min(value, name, line, opts, config)
                key = plain_id(value.get("id"))
                if key is not None and key in minimal and minimal[key].raw == task.raw:
                    minimal[key].layers += task.layers
                    minimal[key].doc_results.update(task.doc_results)
                    continue
                if key is not None:
                    minimal[key] = task
                parsed.append(task)
        except InputError as err:
            parsed.append(err)
    tasks = [t for t in parsed if isinstance(t, _Task)]
    unit = _choose_unit(tasks, opts.offsets, out)
    stale: list[str] = []
    cancelled = predictions = 0
    for entry in parsed:
        if isinstance(entry, InputError):
            yield entry
            continue
        task = entry
        cancelled += task.cancelled
        predictions += task.predictions_left
        try:
            yield task.record(unit, annotator, stale)
        except InputError as err:
            yield err
    if stale:
        listed = "; ".join(stale[:_LISTED]) + (f"; ... and {len(stale) - _LISTED} more" if len(stale) > _LISTED else "")
        out.append(
            f"{len(stale)} region{'s' if len(stale) != 1 else ''} whose value.text disagrees with the text at its offsets "
            f"(imported at the offsets, as Label Studio shows them): {listed}"
        )
    if cancelled:
        out.append(f"{cancelled} cancelled (skipped) annotation{'s' if cancelled != 1 else ''} not imported")
    if predictions:
        out.append(
            f"{predictions} prediction{'s' if predictions != 1 else ''} not imported "
            "(they are imported only when asked: annotator import --predictions, each as a layer prediction:<model_version>)"
        )


def read_labelstudio(
    path: str | Path, *, encoding: str | None = None, annotator: str | None = None, options: LabelStudioOptions | None = None
) -> list[tuple[Any, list[Annotation]]]:
    """All documents of a Label Studio export as (Document, [Annotation]); raises the first InputError."""
    return collect(iter_labelstudio(path, encoding=encoding, annotator=annotator, options=options))


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(type(value), "null")


# ---------------------------------------------------------------------------
# One task
# ---------------------------------------------------------------------------
@dataclass
class _Region:
    rid: str
    start: int
    end: int
    labels: list[str]
    text: str | None
    what: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Relation:
    head: str
    tail: str
    labels: list[str]
    direction: str
    what: str


@dataclass
class _Layer:
    """One annotation (or prediction) of a task: who, regions, relations."""

    who: str | None
    regions: list[_Region] = field(default_factory=list)
    relations: list[_Relation] = field(default_factory=list)
    explicit: bool = False  # named by the writer's own ``annotator`` key or a prediction's model


@dataclass
class _Task:
    file: str
    line: int
    doc_name: str
    raw: str
    external_id: str | None
    title: str | None
    metadata: dict[str, Any]
    layers: list[_Layer]
    doc_results: dict[str, dict[str, Any]]
    cancelled: int = 0
    predictions_left: int = 0

    def error(self, message: str) -> InputError:
        return InputError(self.file, self.line, f"{self.doc_name}: {message}")

    def record(self, unit: str, annotator: str | None, stale: list[str]) -> Record:
        builder = TextBuilder(self.raw, file=self.file, line=self.line, doc_name=self.doc_name)
        people = {layer.who for layer in self.layers if not (layer.who or "").startswith(PREDICTION)}
        if annotator and len(people) > 1:
            raise self.error(
                f"annotations by several annotators ({', '.join(sorted(str(p) for p in people))}) cannot all be named "
                f"{annotator!r}; import without --annotator to keep each as its own layer"
            )
        metadata = dict(self.metadata)
        if self.doc_results:
            metadata["labelstudio_results"] = self.doc_results
        doc = builder.document(
            external_id=self.external_id, title=self.title or "", source=Path(self.file).name, metadata=metadata
        )
        convert = code_point_offsets(self.raw, unit)
        anns: list[Annotation] = []
        used: dict[str, int] = {}
        for layer in self.layers:
            who = layer.who or "imported"
            if annotator and not who.startswith(PREDICTION):
                who = annotator
            used[who] = used.get(who, 0) + 1
            if used[who] > 1:  # two annotations by one person (or by nobody named): never merged
                who = f"{who} #{used[who]}"
            ids: dict[str, str] = {}
            for r in layer.regions:
                a, b = convert(r.start), convert(r.end)
                if a is None or b is None:
                    raise self.error(f"{r.what}: span [{r.start}, {r.end}) splits a character (counted as {unit} offsets)")
                start, end = builder.span(a, b, r.what)
                if r.text is not None and self.raw[a:b] != r.text:
                    stale.append(
                        f"{self.file}:{self.line}: {self.doc_name} {r.what}: value.text {_short(r.text)!r}, text {_short(self.raw[a:b])!r}"
                    )
                for label in r.labels:
                    ann = builder.annotation(
                        doc.id, r.what, kind="entity", start=start, end=end, label=label, annotator=who, attributes=r.attributes
                    )
                    ids.setdefault(r.rid, ann.id)
                    anns.append(ann)
            for rel in layer.relations:
                ends = []
                for key, ref in (("from_id", rel.head), ("to_id", rel.tail)):
                    if ref not in ids:
                        raise self.error(f"{rel.what}: {key} {ref!r} is not the id of a labelled region of the same annotation")
                    ends.append(ids[ref])
                if rel.direction == "left":
                    ends.reverse()
                attributes = {"direction": "bi"} if rel.direction == "bi" else {}
                for label in rel.labels or [RELATION_LABEL]:
                    anns.append(
                        builder.annotation(
                            doc.id,
                            rel.what,
                            kind="relation",
                            head=ends[0],
                            tail=ends[1],
                            label=label,
                            annotator=who,
                            attributes=attributes,
                        )
                    )
        return Record(doc, anns, self.line, name=self.doc_name)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _task_name(task: dict[str, Any]) -> str:
    ident = plain_id(task.get("id"))
    return f"task {_short(ident)!r}" if ident is not None else "task"


def _data_key(fields: dict[str, Any], opts: LabelStudioOptions, config: _Config | None, to_names: set[str]) -> str:
    if opts.data_key:
        return opts.data_key
    if config is not None and config.texts:
        keys = {config.texts[n] for n in to_names if n in config.texts}
        if len(keys) == 1:
            return keys.pop()
        if not to_names and len(set(config.texts.values())) == 1:
            return next(iter(config.texts.values()))
    strings = [k for k, v in fields.items() if isinstance(v, str)]
    if len(strings) == 1:
        return strings[0]
    return "text"


def _text_of(fields: dict[str, Any], key: str, error: Callable[[str], InputError], where: str) -> str:
    if key not in fields:
        strings = ", ".join(repr(k) for k, v in fields.items() if isinstance(v, str)) or "none"
        raise error(f"no {key!r} field in {where} (its text fields: {strings}); name the field with --data-key")
    value = fields[key]
    if not isinstance(value, str):
        raise error(f"the {key!r} field of {where} must be a string (the text), found {_json_type(value)}")
    return value


def _who(annotation: dict[str, Any]) -> tuple[str | None, bool]:
    """The layer name of a Label Studio annotation, and whether the file named it itself."""
    own = annotation.get("annotator")
    if isinstance(own, str) and own.strip():
        return own.strip(), True
    by = annotation.get("completed_by")
    if isinstance(by, dict):
        email = by.get("email")
        if isinstance(email, str) and email.strip():
            return email.strip(), False
        by = by.get("id")
    if isinstance(by, int) and not isinstance(by, bool):
        found = _EMAIL.search(str(annotation.get("created_username") or ""))
        return (found.group(0) if found else f"user {by}"), False
    if isinstance(by, str) and by.strip():
        return by.strip(), False
    return None, False


def _parse_task(task: dict[str, Any], file: str, line: int, opts: LabelStudioOptions, config: _Config | None) -> _Task:
    doc_name = _task_name(task)

    def error(message: str) -> InputError:
        return InputError(file, line, f"{doc_name}: {message}")

    data: dict[str, Any] = task["data"]
    annotations = task.get("annotations", task.get("completions")) or []
    predictions = task.get("predictions") or []
    if not isinstance(annotations, list) or not isinstance(predictions, list):
        raise error('"annotations" and "predictions" must be lists')
    to_names = {
        r.get("to_name")
        for a in annotations + predictions
        if isinstance(a, dict) and isinstance(a.get("result"), list)
        for r in a["result"]
        if isinstance(r, dict) and r.get("type") == "labels" and isinstance(r.get("to_name"), str)
    }
    key = _data_key(data, opts, config, to_names)  # type: ignore[arg-type]
    raw = _text_of(data, key, error, '"data"')
    layers: list[_Layer] = []
    doc_results: dict[str, dict[str, Any]] = {}
    cancelled = 0
    for i, ann in enumerate(annotations, start=1):
        if not isinstance(ann, dict):
            raise error(f"annotation {i}: expected an object, found {_json_type(ann)}")
        if ann.get("was_cancelled") is True:
            cancelled += 1
            continue
        who, explicit = _who(ann)
        layer = _Layer(who, explicit=explicit)
        _results(ann.get("result"), layer, doc_results, error, f"annotation {i}", config, key)
        layers.append(layer)
    for i, pred in enumerate(predictions if opts.predictions else [], start=1):
        if not isinstance(pred, dict):
            raise error(f"prediction {i}: expected an object, found {_json_type(pred)}")
        version = pred.get("model_version")
        version = str(version) if isinstance(version, (str, int, float)) and str(version).strip() else "unknown"
        layer = _Layer(f"{PREDICTION}{version.strip()}", explicit=True)
        _results(pred.get("result"), layer, doc_results, error, f"prediction {i}", config, key)
        layers.append(layer)
    metadata = {k: v for k, v in data.items() if k != key and k != "title"}
    meta = task.get("meta")
    if isinstance(meta, dict):
        metadata.update({k: v for k, v in meta.items() if k not in ("id", "external_id", "title")})
    metadata.update({k: v for k, v in task.items() if k not in _TASK_KEYS})
    external = plain_id(task.get("id"))
    if external is None and isinstance(meta, dict):
        external = plain_id(meta.get("external_id"))
    title = data.get("title") if isinstance(data.get("title"), str) and key != "title" else None
    return _Task(
        file,
        line,
        doc_name,
        raw,
        external,
        title,
        metadata,
        layers,
        doc_results,
        cancelled=cancelled,
        predictions_left=0 if opts.predictions else len(predictions),
    )


def _results(
    results: Any,
    layer: _Layer,
    doc_results: dict[str, dict[str, Any]],
    error: Callable[[str], InputError],
    where: str,
    config: _Config | None,
    key: str,
) -> None:
    """Regions, relations and values of one annotation's ``result`` list, into ``layer``."""
    if results is None:
        results = []
    if not isinstance(results, list):
        raise error(f'{where}: "result" must be a list, found {_json_type(results)}')
    regions: dict[str, _Region] = {}
    values: list[tuple[str, str, Any, str]] = []
    for j, item in enumerate(results, start=1):
        what = f"{where} result {j}"
        if not isinstance(item, dict):
            raise error(f"{what}: expected an object, found {_json_type(item)}")
        kind = item.get("type")
        if not isinstance(kind, str):
            raise error(f'{what}: no result "type" (labels, relation, choices, ...), found {kind!r:.40}')
        if kind == "relation":
            head, tail = plain_id(item.get("from_id")), plain_id(item.get("to_id"))
            if head is None or tail is None:
                raise error(f"{what}: a relation needs from_id and to_id")
            labels = item.get("labels") or []
            if not isinstance(labels, list) or not all(isinstance(x, str) and x.strip() for x in labels):
                raise error(f"{what}: relation labels must be a list of names, found {labels!r:.60}")
            direction = item.get("direction") or "right"
            if direction not in ("right", "left", "bi"):
                raise error(f"{what}: relation direction must be right, left or bi, found {direction!r:.40}")
            layer.relations.append(_Relation(head, tail, labels, direction, f"{what} (relation)"))
            continue
        value = item.get("value")
        if not isinstance(value, dict):
            raise error(f'{what}: no "value" object')
        to_name = item.get("to_name")
        if config is not None and isinstance(to_name, str) and to_name in config.refused:
            raise error(f"{what}: regions on a {config.refused[item['to_name']]} tag cannot be imported (only Text regions can)")
        if kind in _REFUSED_TYPES:
            raise error(f"{what}: {_REFUSED_TYPES[kind]}; annotator imports regions of Text tags only")
        rid = plain_id(item.get("id"))
        if kind == "labels":
            if config is not None and isinstance(to_name, str) and config.texts.get(to_name, key) != key:
                raise error(
                    f"{what}: the region is on the Text tag {to_name!r} (${config.texts[to_name]}), not on the text "
                    f"imported (${key}); import one text per task, named with --data-key"
                )
            start, end = value.get("start"), value.get("end")
            if isinstance(start, str) or isinstance(end, str) or "startOffset" in value:
                raise error(
                    f"{what}: the region is located by XPath or paragraph ({start!r:.30}, {end!r:.30}), as HTML and "
                    "paragraph regions are; annotator imports regions of Text tags only"
                )
            labels = value.get("labels")
            if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x.strip() for x in labels):
                raise error(f"{what}: value.labels must be a non-empty list of label names, found {labels!r:.60}")
            if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
                raise error(f"{what}: value.start and value.end must be whole numbers, found {start!r:.30} and {end!r:.30}")
            text = value.get("text")
            label_what = f"{what} ({labels[0]})"
            rkey = rid if rid is not None else f"#{j}"
            if rkey in regions:
                same = regions[rkey]
                if (same.start, same.end) != (start, end):
                    raise error(f"{what}: region id {rkey!r} is used for two different spans")
                same.labels += [x for x in labels if x not in same.labels]
                continue
            region = _Region(rkey, start, end, list(labels), text if isinstance(text, str) else None, label_what)
            if isinstance(item.get("meta"), dict) and item["meta"]:
                region.attributes["meta"] = item["meta"]  # the region's own notes
            regions[rkey] = region
            layer.regions.append(region)
        elif kind in _VALUE_TYPES:
            name = item.get("from_name")
            if not isinstance(name, str) or not name.strip():
                raise error(f"{what}: a {kind} result needs a from_name")
            values.append((rid or "", name, _value(value, _VALUE_TYPES[kind], kind), what))
        else:
            raise error(
                f"{what}: result type {kind!r:.40} is not a text region, relation or region attribute; "
                "annotator imports labels of Text tags (with choices, textarea, number, rating, taxonomy and relations)"
            )
    for rid, name, val, _what in values:
        owner = regions.get(rid)
        if owner is not None:
            owner.attributes[name] = val
        else:
            doc_results.setdefault(layer.who or "imported", {})[name] = val


def _value(value: dict[str, Any], key: str, kind: str) -> Any:
    """A choices/textarea/... value as an attribute: one string for a single choice or text."""
    found = value.get(key)
    if kind in ("choices", "textarea") and isinstance(found, list) and len(found) == 1:
        return found[0]
    return found


def _parse_min(record: dict[str, Any], file: str, line: int, opts: LabelStudioOptions, config: _Config | None) -> _Task:
    """One JSON-MIN record: data fields, region lists by from_name, ``annotator``."""
    doc_name = _task_name(record)

    def error(message: str) -> InputError:
        return InputError(file, line, f"{doc_name}: {message}")

    region_keys = [k for k, v in record.items() if _is_min_regions(v)]
    if not region_keys and "annotator" not in record and "annotation_id" not in record:
        raise error('not a Label Studio task: no "data" object (JSON export) and no regions or "annotator" (JSON-MIN)')
    fields = {k: v for k, v in record.items() if k not in _MIN_KEYS and k not in region_keys}
    key = _data_key(fields, opts, config, set())
    raw = _text_of(fields, key, error, "the record")
    by = record.get("annotator")
    who = (
        by.strip()
        if isinstance(by, str) and by.strip()
        else f"user {by}"
        if isinstance(by, int) and not isinstance(by, bool)
        else None
    )
    layer = _Layer(who)
    doc_results: dict[str, dict[str, Any]] = {}
    for name in region_keys:
        for j, item in enumerate(record[name], start=1):
            what = f"{name} region {j}"
            start, end = item.get("start"), item.get("end")
            if isinstance(start, str) or isinstance(end, str) or "startOffset" in item:
                raise error(
                    f"{what}: the region is located by XPath or paragraph, as HTML and paragraph regions are; annotator imports regions of Text tags only"
                )
            if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
                raise error(f"{what}: start and end must be whole numbers, found {start!r:.30} and {end!r:.30}")
            labels = item["labels"]
            if not labels or not all(isinstance(x, str) and x.strip() for x in labels):
                raise error(f"{what}: labels must be a non-empty list of label names, found {labels!r:.60}")
            text = item.get("text")
            layer.regions.append(
                _Region(f"{name}#{j}", start, end, list(labels), text if isinstance(text, str) else None, f"{what} ({labels[0]})")
            )
    others = {k: v for k, v in fields.items() if k != key}
    relations = others.pop("relations", None)
    if relations is not None:
        doc_results.setdefault(who or "imported", {})["relations"] = relations
    title = others.pop("title", None) if isinstance(others.get("title"), str) else None
    return _Task(file, line, doc_name, raw, plain_id(record.get("id")), title, others, [layer], doc_results)


def _choose_unit(tasks: list[_Task], asked: str, notes: list[str]) -> str:
    """The offset unit: the one asked, else the one under which every region's value.text matches."""
    checks = sum(1 for t in tasks for layer in t.layers for r in layer.regions if r.text is not None)
    astral = any(not t.raw.isascii() and any(ord(c) > 0xFFFF for c in t.raw) for t in tasks)
    if asked != "auto":
        notes.append(f"offsets read as {_UNIT_WORDS[asked]} (as asked)")
        return asked
    if not astral:
        return "codepoint"  # both units count the same: nothing to choose or tell
    matches = dict.fromkeys(UNITS, 0)
    for t in tasks:
        regions = [r for layer in t.layers for r in layer.regions if r.text is not None]
        for unit in UNITS if regions else ():
            convert = code_point_offsets(t.raw, unit)  # once per text and unit
            for r in regions:
                a, b = convert(r.start), convert(r.end)
                matches[unit] += a is not None and b is not None and t.raw[a:b] == r.text
    if not checks:
        notes.append(
            "offsets read as code points (Label Studio 1.23): no region carries its text (value.text) to tell; "
            "files of older versions count UTF-16 units (choose utf16 offsets for them)"
        )
        return "codepoint"
    unit = "utf16" if matches["utf16"] > matches["codepoint"] else "codepoint"
    how = (
        "every region's value.text matches"
        if matches[unit] == checks
        else f"{matches[unit]} of {checks} regions' value.text match"
    )
    version = "Label Studio 1.23" if unit == "codepoint" else "Label Studio before 1.23"
    notes.append(f"offsets read as {_UNIT_WORDS[unit]} ({version}): {how}")
    return unit


_UNIT_WORDS = {"codepoint": "code points", "utf16": "UTF-16 units"}


# ---------------------------------------------------------------------------
# Writing (the ``labelstudio`` export format)
# ---------------------------------------------------------------------------
from xml.sax.saxutils import quoteattr  # noqa: E402

from annotator.formats.writing import Unit, Writer, json_line, open_text, unit_links  # noqa: E402


def labelstudio_task(
    unit: Unit, report: Any = None, seen: _Seen | None = None, doc_labels: dict[str, dict[str, list[str]]] | None = None
) -> dict[str, Any]:
    """One task in Label Studio's JSON import shape: ``data`` (``text``, ``title``),
    ``meta`` (where it came from), one ``annotations`` entry per annotator.

    Each span is a ``labels`` result (``from_name`` ``label``, ``to_name``
    ``text``) with ``start``/``end`` (code points, or UTF-16 units when asked),
    ``text`` and ``labels``; its attributes are results sharing its id (strings
    and lists of strings as ``choices``, numbers as ``number``); relations, event
    arguments (labelled with the role) and claimants (``claimant``) are
    ``relation`` results.  The annotator's name is in the annotation's
    ``annotator`` key (Label Studio ignores it, and gives the annotations to the
    user who imports; this module's reader names the layers by it).
    """
    data: dict[str, Any] = {DATA_KEY: unit.text}
    if unit.doc.title:
        data["title"] = unit.doc.title
    task: dict[str, Any] = {"data": data, "meta": unit.meta(), "annotations": [], "predictions": []}
    layers: dict[str, list[Annotation]] = {}
    for a in unit.annotations:
        layers.setdefault(a.annotator, []).append(a)
    kept = unit.doc.metadata.get("labelstudio_results") if unit.segment is None else None
    doc_results: dict[str, Any] = kept if isinstance(kept, dict) else {}
    for who in doc_results:
        layers.setdefault(who, [])
    doc_labels = doc_labels or {}  # {annotator: {category: [labels]}}: task-level choices (issue 14)
    for who in doc_labels:
        layers.setdefault(who, [])
    links = unit_links(unit, report)
    for number, (who, anns) in enumerate(sorted(layers.items()), start=1):
        result: list[dict[str, Any]] = []
        results_of = doc_results.get(who)
        for name, val in sorted(results_of.items()) if isinstance(results_of, dict) else ():
            item = _attribute_result(f"task-{name}", name, val)
            if item is not None:
                result.append(item)
                if seen is not None:
                    seen.remember(seen.task_values, item)
        for category, labels in doc_labels.get(who, {}).items():
            if isinstance(results_of, dict) and category in results_of:
                continue  # a choice kept from an import under that name: written above
            item = {"id": f"task-{category}", "from_name": category, "to_name": TO_NAME, "type": "choices"}
            item["value"] = {"choices": list(labels)}
            result.append(item)
            if seen is not None:
                seen.remember(seen.task_values, item)
        for a in anns:
            if a.start is None or a.end is None:
                continue
            value = {"start": unit.pos(a.start), "end": unit.pos(a.end), "text": unit.text[a.start : a.end], "labels": [a.label]}
            result.append(
                {"id": a.id, "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels", "origin": "manual", "value": value}
            )
            if seen is not None:
                seen.labels.setdefault(a.label, None)
            for attr, val in sorted(a.attributes.items()):
                item = _attribute_result(a.id, attr, val)
                if item is None:
                    if report is not None:
                        report.problem(
                            "not_exported", unit.problem(a, f"attribute {attr}: {val!r:.40} is neither text nor a number")
                        )
                    continue
                result.append(item)
                if seen is not None:
                    seen.remember(seen.attributes, item)
        for link in links:
            if link.source.annotator != who:
                continue
            item = {
                "type": "relation",
                "from_id": link.head.id,
                "to_id": link.tail.id,
                "direction": "right",
                "labels": [link.label],
            }
            result.append(item)
            if seen is not None:
                seen.relations.setdefault(link.label, None)
        if who.startswith(PREDICTION):
            task["predictions"].append({"model_version": who.removeprefix(PREDICTION), "result": result})
        else:
            task["annotations"].append(
                {"id": number, "annotator": who, "ground_truth": who == GOLD, "was_cancelled": False, "result": result}
            )
    return task


def _attribute_result(region: str, name: str, value: Any) -> dict[str, Any] | None:
    base = {"id": region, "from_name": name, "to_name": TO_NAME}
    if isinstance(value, str):
        return {**base, "type": "choices", "value": {"choices": [value]}}
    if isinstance(value, list) and value and all(isinstance(x, str) for x in value):
        return {**base, "type": "choices", "value": {"choices": list(value)}}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {**base, "type": "number", "value": {"number": value}}
    return None


@dataclass
class _Seen:
    """Labels, relation labels and attributes written (dicts as ordered sets), for the labelling config."""

    labels: dict[str, None] = field(default_factory=dict)
    relations: dict[str, None] = field(default_factory=dict)
    attributes: dict[str, tuple[str, dict[str, None]]] = field(default_factory=dict)
    #: Results of the whole task (document-level choices kept from an import).
    task_values: dict[str, tuple[str, dict[str, None]]] = field(default_factory=dict)

    @staticmethod
    def remember(where: dict[str, tuple[str, dict[str, None]]], item: dict[str, Any]) -> None:
        kind = item["type"]
        _, choices = where.setdefault(item["from_name"], (kind, {}))
        if kind == "choices":
            for choice in item["value"]["choices"]:
                choices.setdefault(choice, None)


def labeling_config(
    labels: Iterable[str],
    relations: Iterable[str],
    attributes: dict[str, tuple[str, dict[str, None]]],
    task_values: dict[str, tuple[str, dict[str, None]]] | None = None,
    single: Iterable[str] = (),
) -> str:
    """A Label Studio labelling config for the exported tasks: a Text tag ``text``
    on ``$text``, ``Labels`` named ``label``, ``Relations``, and one per-region
    ``Choices``/``Number`` tag per attribute."""
    lines = ["<View>", f"  <Labels name={quoteattr(FROM_NAME)} toName={quoteattr(TO_NAME)}>"]
    lines += [f"    <Label value={quoteattr(x)}/>" for x in labels]
    lines += ["  </Labels>", f"  <Text name={quoteattr(TO_NAME)} value={quoteattr('$' + DATA_KEY)}/>"]
    relation_labels = list(relations)
    if relation_labels:
        lines.append("  <Relations>")
        lines += [f"    <Relation value={quoteattr(x)}/>" for x in relation_labels]
        lines.append("  </Relations>")
    tags = [(name, spec, ' perRegion="true"') for name, spec in attributes.items()]
    tags += [(name, spec, "") for name, spec in (task_values or {}).items() if name not in attributes]
    one_of = set(single)  # document label categories of one label: choice="single"
    for name, (kind, choices), per_region in tags:
        if kind == "choices":
            how = "single" if not per_region and name in one_of else "multiple"
            lines.append(f'  <Choices name={quoteattr(name)} toName={quoteattr(TO_NAME)}{per_region} choice="{how}">')
            lines += [f"    <Choice value={quoteattr(x)}/>" for x in choices]
            lines.append("  </Choices>")
        else:
            lines.append(f"  <Number name={quoteattr(name)} toName={quoteattr(TO_NAME)}{per_region}/>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


class LabelStudioWriter(Writer):
    """The ``labelstudio`` export: a folder with ``tasks.json`` (one JSON array of
    tasks, one task per line; ``train.json``/``dev.json``/``test.json`` with a
    split) and ``labeling-config.xml``, the labelling config to set up the
    Label Studio project with before importing the tasks."""

    def __init__(self, ctx: Any):
        super().__init__(ctx)
        self.seen = _Seen()
        schema = ctx.schema
        for kind in ctx.kinds:
            for label in schema.labels(kind):
                self.seen.labels.setdefault(label, None)
        for label in schema.labels("relation"):
            self.seen.relations.setdefault(label, None)
        if ctx.kinds & {"event", "claim"}:
            self.report.note(
                "Label Studio has no events or claims: they are exported as labelled regions, "
                "event arguments (labelled with the role) and claimants (labelled 'claimant') as relations."
            )

    def destination(self, root: Path, split: str | None) -> Path:
        return root / f"{split or 'tasks'}.json"

    def write(self, units: Iterable[Unit], dest: Path) -> None:
        with open_text(dest) as fh:
            fh.write("[")
            first = True
            for unit in units:
                fh.write("\n" if first else ",\n")
                labels = self.ctx.all_doc_labels(unit.doc.id)
                layer = self.ctx.options.layer
                if layer is not None:
                    labels = {layer: labels[layer]} if layer in labels else {}
                fh.write(json_line(labelstudio_task(unit, self.report, self.seen, labels)).rstrip("\n"))
                first = False
                self.report.records += 1
            fh.write("\n]\n")

    def finish(self, root: Path) -> None:
        with open_text(root / LABELING_CONFIG) as fh:
            single = [c.name for c in self.ctx.schema.categories if not c.multi]
            for c in self.ctx.schema.categories:  # every document label category is in the config
                _kind, choices = self.seen.task_values.setdefault(c.name, ("choices", {}))
                for lab in c.labels:
                    choices.setdefault(lab.name, None)
            fh.write(labeling_config(self.seen.labels, self.seen.relations, self.seen.attributes, self.seen.task_values, single))
        self.report.note(
            f"Set up the Label Studio project with {LABELING_CONFIG} (Settings > Labeling Interface > Code), then import the tasks; "
            'Label Studio gives imported annotations to the user who imports them (each one\'s annotator is in its "annotator" key).'
        )
