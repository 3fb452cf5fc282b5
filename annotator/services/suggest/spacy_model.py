"""Suggestions from a spaCy pipeline (issue 17): one trained by ``annotator train``
or any pipeline the user has (an installed package or a folder).

:func:`load_spacy_suggester` loads the pipeline (never downloading anything:
``spacy.load`` of a package name only finds installed packages) and returns a
:class:`SpacySuggester`. The pipeline's entity labels reach the schema through a
label map (model label -> schema label, :func:`read_label_map`); a model label
the schema knows is kept as it is; any other is dropped and counted
(:attr:`SpacySuggester.unmapped_labels` before running,
:attr:`SpacySuggester.dropped` while running). A schema label that is an event
type gives an event suggestion (its trigger), ``CLAIM`` a claim, any other an
entity.

What the pipeline proposes:

- ``doc.ents`` (``ner``, ``beam_ner``, ``entity_ruler``, or any component that
  sets entities);
- the spans of every span categorizer (``spancat``, ``spancat_singlelabel``:
  ``doc.spans[key]``) and span ruler.

Scores (0..1), best source first:

1. a span categorizer's own score (``doc.spans[key].attrs["scores"]``);
2. a beam NER's probability of the entity (the sum of the probabilities of the
   beam's parses that hold it);
3. the pipeline's reported precision for that label on its held-out data
   (``meta.json`` ``performance.ents_per_type[label].p``: what spaCy's packages
   ship and what ``annotator train`` writes) — how often a suggestion of that
   label was right;
4. otherwise :data:`DEFAULT_SCORE`.

Offsets are code points into the stored text, end-exclusive: spaCy's character
offsets (``Span.start_char``/``end_char``) are Python string indices, so code
points (a test checks it after an emoji).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.kinds import CLAIM_LABEL, Kind
from annotator.core.models import Document
from annotator.services.suggest.base import Suggester, SuggesterUnavailable, Suggestion

if TYPE_CHECKING:
    from annotator.core.schema import LabelSchema

__all__ = [
    "DEFAULT_SCORE",
    "INSTALL_HINT",
    "LabelMapError",
    "SpacySuggester",
    "load_spacy_suggester",
    "read_label_map",
    "require_spacy",
    "MODEL_INFO_FILE",
]

#: The score of a span whose pipeline gives no score and reports no precision for its label.
DEFAULT_SCORE = 0.5
#: What to run when spaCy is missing.
INSTALL_HINT = "pip install 'annotator[suggest]'"
#: The JSON ``annotator train`` writes beside a trained pipeline (metrics and provenance).
MODEL_INFO_FILE = "annotator-model.json"
#: From this many documents on, :meth:`SpacySuggester.suggest_many` runs several processes (when asked for "auto").
MANY_DOCUMENTS = 200
#: Texts longer than this are run through the pipeline in pieces cut at line breaks (memory stays
#: bounded, and spaCy's ``max_length`` is never met); offsets are shifted back.
CHUNK_CHARS = 100_000
#: Components that never set entities or spans: disabled while suggesting unless a rule-based
#: component (whose patterns may use their attributes) is in the pipeline.
_NOT_NEEDED = ("parser", "beam_parser", "lemmatizer", "trainable_lemmatizer", "textcat", "textcat_multilabel", "entity_linker")
_RULERS = ("entity_ruler", "span_ruler", "future_entity_ruler")
_SPAN_FACTORIES = ("spancat", "spancat_singlelabel", "span_ruler")


class LabelMapError(ValueError):
    """A label map that cannot be used; ``str()`` names the file, the line and the problem."""


def require_spacy() -> Any:
    """The ``spacy`` module, or :class:`SuggesterUnavailable` saying what to install."""
    try:
        import spacy
    except ImportError:
        raise SuggesterUnavailable(
            f"model suggestions need spaCy, which is not installed: {INSTALL_HINT}"
            " (the dictionary and claims suggesters work without it)"
        ) from None
    return spacy


# -- label maps -----------------------------------------------------------------


def schema_kind(schema: LabelSchema, label: str) -> Kind | None:
    """The kind a schema label annotates: entity, event (a trigger) or claim; None if unknown."""
    if schema.entity(label) is not None:
        return "entity"
    if schema.event_type(label) is not None:
        return "event"
    if label == CLAIM_LABEL:
        return "claim"
    return None


def _schema_labels_hint(schema: LabelSchema) -> str:
    parts = [f"entity labels: {', '.join(schema.labels('entity')) or '(none)'}"]
    if schema.events:
        parts.append(f"event types: {', '.join(schema.labels('event'))}")
    parts.append(CLAIM_LABEL)
    return "; ".join(parts)


def read_label_map(path: str | Path, schema: LabelSchema | None = None) -> dict[str, str | None]:
    """Read a label map: model label -> schema label.

    Two shapes: a JSON object (``{"PER": "PERSON", "MISC": null}``) or a text
    file of two columns separated by a tab (``PER<TAB>PERSON``; blank lines and
    lines starting with ``#`` are skipped). A target of JSON ``null`` or ``-``
    drops that model label on purpose (not counted as unknown). With ``schema``,
    every target must be one of its labels. Errors (:class:`LabelMapError`) name
    the file and line.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise LabelMapError(f"{path}: cannot read the label map: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise LabelMapError(f"{path}:{line}: not UTF-8 text (byte {err.start})") from None
    if path.suffix.lower() == ".json" or (path.suffix.lower() not in (".tsv", ".tab", ".txt") and text.lstrip().startswith("{")):
        entries = _json_label_map(path, text)
    else:
        entries = _tsv_label_map(path, text)
    out: dict[str, str | None] = {}
    for line, source, target in entries:
        if schema is not None and target is not None and schema_kind(schema, target) is None:
            raise LabelMapError(
                f"{path}:{line}: {source!r} maps to {target!r}, which is not a label of the project's schema ({_schema_labels_hint(schema)})"
            )
        out[source] = target
    if not out:
        raise LabelMapError(f"{path}: the label map is empty (expected model label -> schema label pairs)")
    return out


def _json_line(text: str, key: str) -> int:
    """The line of ``"key"`` in a JSON text (1 when not found)."""
    at = text.find(json.dumps(key, ensure_ascii=False))
    if at < 0:
        at = text.find(json.dumps(key))
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _json_label_map(path: Path, text: str) -> list[tuple[int, str, str | None]]:
    def pairs_hook(pairs: list[tuple[str, Any]]) -> Any:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise LabelMapError(f"{path}:{_json_line(text, key)}: the model label {key!r} appears twice")
            seen.add(key)
        return dict(pairs)

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as err:
        raise LabelMapError(f"{path}:{err.lineno}: not valid JSON: {err.msg} (column {err.colno})") from None
    if not isinstance(data, dict):
        raise LabelMapError(f"{path}:1: a JSON label map must be an object of model label -> schema label")
    out: list[tuple[int, str, str | None]] = []
    for key, value in data.items():
        line = _json_line(text, key)
        if not key.strip():
            raise LabelMapError(f"{path}:{line}: an empty model label")
        if value is not None and not isinstance(value, str):
            raise LabelMapError(f"{path}:{line}: the label for {key!r} must be a string or null, not {json.dumps(value)}")
        if isinstance(value, str) and not value.strip():
            raise LabelMapError(f"{path}:{line}: an empty schema label for {key!r} (use null to drop it)")
        out.append((line, key, None if value in (None, "-") else value))
    return out


def _tsv_label_map(path: Path, text: str) -> list[tuple[int, str, str | None]]:
    out: list[tuple[int, str, str | None]] = []
    first: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 2:
            raise LabelMapError(
                f"{path}:{number}: expected two columns separated by a tab (model label, schema label), found {len(cols)}: {line!r}"
            )
        source, target = cols[0].strip(), cols[1].strip()
        if not source or not target:
            raise LabelMapError(f"{path}:{number}: an empty column (write '-' as the schema label to drop a model label)")
        if source in first:
            raise LabelMapError(f"{path}:{number}: the model label {source!r} appears twice (first on line {first[source]})")
        first[source] = number
        out.append((number, source, None if target == "-" else target))
    return out


# -- the suggester --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    kind: Kind
    label: str


class SpacySuggester:
    """Suggestions from a loaded spaCy pipeline (see the module's documentation).

    ``n_process``: processes of :meth:`suggest_many` (``nlp.pipe``); None is
    "auto": one, or up to the machine's cores (at most 4) from
    :data:`MANY_DOCUMENTS` documents on.
    """

    def __init__(
        self,
        nlp: Any,
        name: str,
        schema: LabelSchema,
        label_map: dict[str, str | None] | dict[str, str] | None = None,
        *,
        n_process: int | None = None,
        batch_size: int = 32,
    ):
        self.nlp = nlp
        self.name = name
        self.n_process = n_process
        self.batch_size = batch_size
        label_map = dict(label_map or {})
        self._schema = schema
        self._label_map: dict[str, str | None] = label_map
        for source, target in label_map.items():
            if target is not None and schema_kind(schema, target) is None:
                raise LabelMapError(
                    f"label map: {source!r} maps to {target!r}, which is not a label of the project's schema ({_schema_labels_hint(schema)})"
                )
        #: every label the pipeline can predict (entities and span categories)
        self.model_labels: tuple[str, ...] = tuple(sorted(_pipeline_labels(nlp)))
        self._targets: dict[str, _Target | None] = {}
        self._explicit_drops: set[str] = set()
        for label in set(self.model_labels) | set(label_map):
            self._targets[label] = self._resolve(label, label_map, schema)
        #: model labels neither in the schema nor mapped (their spans are dropped)
        self.unmapped_labels: tuple[str, ...] = tuple(
            sorted(x for x in self.model_labels if self._targets.get(x) is None and x not in self._explicit_drops)
        )
        #: spans dropped while suggesting, per model label (unmapped labels, and those mapped to null)
        self.dropped: Counter[str] = Counter()
        #: spans suggested, per schema label
        self.suggested: Counter[str] = Counter()
        self._precision = _reported_precision(getattr(nlp, "meta", {}) or {})
        self._span_keys = _span_keys(nlp)
        self._beams = [(name, pipe) for name, pipe in nlp.pipeline if _beam_width(pipe) > 1 and hasattr(pipe, "scored_ents")]

    def _resolve(self, label: str, label_map: dict[str, str | None], schema: LabelSchema) -> _Target | None:
        if label in label_map:
            target = label_map[label]
            if target is None:
                self._explicit_drops.add(label)
                return None
        else:
            target = label
        kind = schema_kind(schema, target)
        return _Target(kind, target) if kind is not None else None

    @property
    def label_targets(self) -> dict[str, tuple[Kind, str] | None]:
        """Model label -> (kind, schema label) it becomes, or None if dropped."""
        return {k: (v.kind, v.label) if v else None for k, v in sorted(self._targets.items())}

    def summary(self) -> list[str]:
        """Lines for the user: what was dropped (unknown labels and counts)."""
        lines = []
        if self.unmapped_labels:
            lines.append(
                f"{self.name}: labels not in the schema and not in the label map (dropped): {', '.join(self.unmapped_labels)}"
            )
        if self.dropped:
            counts = ", ".join(f"{label} {n}" for label, n in sorted(self.dropped.items()))
            lines.append(f"{self.name}: spans dropped: {counts}")
        return lines

    # -- suggesting -------------------------------------------------------------
    def suggest(self, doc: Document) -> list[Suggestion]:
        pieces = split_text(doc.text, CHUNK_CHARS)
        return self._from_doc(doc, [(offset, self.nlp(piece)) for offset, piece in pieces])

    def suggest_many(self, docs: Iterable[Document]) -> Iterator[list[Suggestion]]:
        it = iter(docs)
        n_process = self.n_process
        head: list[Document] = []
        if n_process is None:
            head = list(itertools.islice(it, MANY_DOCUMENTS))
            many = len(head) == MANY_DOCUMENTS
            # never fork a process that runs Qt (its threads do not survive a fork)
            n_process = min(os.cpu_count() or 1, 4) if many and "PySide6.QtCore" not in sys.modules else 1

        def pieces() -> Iterator[tuple[str, tuple[Document, int, bool]]]:
            for d in itertools.chain(head, it):
                parts = split_text(d.text, CHUNK_CHARS)
                for i, (offset, piece) in enumerate(parts):
                    yield piece, (d, offset, i == len(parts) - 1)

        done: list[tuple[int, Any]] = []
        for sdoc, (doc, offset, last) in self.nlp.pipe(
            pieces(), as_tuples=True, batch_size=self.batch_size, n_process=max(1, n_process)
        ):
            done.append((offset, sdoc))
            if last:
                yield self._from_doc(doc, done)
                done = []

    def _from_doc(self, doc: Document, parsed: list[tuple[int, Any]]) -> list[Suggestion]:
        """The suggestions of ``doc`` from its parsed pieces (offset of the piece, spaCy Doc)."""
        found: dict[tuple[int, int, str, str], Suggestion] = {}
        text = doc.text

        def add(start: int, end: int, model_label: str, score: float, source: str) -> None:
            if model_label not in self._targets:
                # a label the pipeline did not declare (a custom component's): resolved once
                self._targets[model_label] = self._resolve(model_label, self._label_map, self._schema)
            target = self._targets[model_label]
            if target is None:
                self.dropped[model_label] += 1
                return
            # spaCy spans are whole tokens: never whitespace at an edge, but keep it safe
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start >= end:
                return
            key = (start, end, target.kind, target.label)
            score = min(1.0, max(0.0, float(score)))
            old = found.get(key)
            if old is not None and old.score >= score:
                return
            detail: dict[str, Any] = {"source": source}
            if model_label != target.label:
                detail["model_label"] = model_label
            found[key] = Suggestion(
                doc_id=doc.id,
                kind=target.kind,
                label=target.label,
                start=start,
                end=end,
                score=score,
                suggester=self.name,
                detail=detail,
            )

        for base, sdoc in parsed:
            beam_scores = self._beam_scores(sdoc)
            for ent in sdoc.ents:
                score = beam_scores.get((ent.start, ent.end, ent.label_))
                source = "beam" if score is not None else "ents"
                if score is None:
                    score = self._precision.get(ent.label_, DEFAULT_SCORE)
                add(base + ent.start_char, base + ent.end_char, ent.label_, score, source)
            for key in self._span_keys:
                group = sdoc.spans.get(key) if hasattr(sdoc.spans, "get") else None
                if group is None:
                    continue
                scores = _flat_scores(group.attrs.get("scores") if hasattr(group, "attrs") else None, len(group))
                for i, span in enumerate(group):
                    score = scores[i] if scores is not None else self._precision.get(span.label_, DEFAULT_SCORE)
                    add(base + span.start_char, base + span.end_char, span.label_, score, f"spans:{key}")
        out = list(found.values())
        for s in out:
            self.suggested[s.label] += 1
        return out

    def _beam_scores(self, sdoc: Any) -> dict[tuple[int, int, str], float]:
        """(token start, token end, label) -> probability, from beam NER components."""
        if not self._beams:
            return {}
        out: dict[tuple[int, int, str], float] = {}
        for _, pipe in self._beams:
            try:
                beams = pipe.beam_parse([sdoc], beam_width=_beam_width(pipe))
                scored = pipe.scored_ents(beams)[0]
            except Exception:  # a component whose beam cannot be re-run here: fall back to precision
                continue
            for (start, end, label), score in scored.items():
                out[(start, end, label)] = max(out.get((start, end, label), 0.0), float(score))
        return out


def _flat_scores(scores: Any, n: int) -> list[float] | None:
    """A span group's scores as one float per span (spancat keeps an ``(n, 1)`` array), or None."""
    if scores is None:
        return None
    try:
        flat = [float(x) for x in (scores.reshape(-1) if hasattr(scores, "reshape") else scores)]
    except (TypeError, ValueError):
        return None
    return flat if len(flat) == n else None


def split_text(text: str, limit: int) -> list[tuple[int, str]]:
    """``text`` as pieces of at most ``limit`` characters ``(offset, piece)``, cut after
    the last line break (else the last space) before the limit; one piece if short."""
    if len(text) <= limit:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = text.rfind("\n", start + 1, end)
        if cut < 0:
            cut = text.rfind(" ", start + 1, end)
        cut = end if cut < 0 else cut + 1
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


def _beam_width(pipe: Any) -> int:
    cfg = getattr(pipe, "cfg", None)
    try:
        return int(cfg.get("beam_width", 1)) if isinstance(cfg, dict) else 1
    except (TypeError, ValueError):
        return 1


def _pipeline_labels(nlp: Any) -> set[str]:
    labels: set[str] = set()
    for _, pipe in nlp.pipeline:
        factory = _factory(nlp, pipe)
        if factory in ("ner", "beam_ner", "spancat", "spancat_singlelabel", "entity_ruler", "span_ruler", "future_entity_ruler"):
            try:
                labels.update(str(x) for x in pipe.labels)
            except Exception:  # a component that cannot list its labels yet
                pass
    return labels


def _factory(nlp: Any, pipe: Any) -> str:
    for name, p in nlp.pipeline:
        if p is pipe:
            try:
                return str(nlp.get_pipe_meta(name).factory)
            except Exception:
                return name
    return ""


def _span_keys(nlp: Any) -> list[str]:
    keys: list[str] = []
    for _, pipe in nlp.pipeline:
        if _factory(nlp, pipe) in _SPAN_FACTORIES:
            key = getattr(pipe, "key", None)
            if isinstance(key, str) and key not in keys:
                keys.append(key)
    return keys


def _reported_precision(meta: dict[str, Any]) -> dict[str, float]:
    """Label -> precision (0..1) from a pipeline's ``meta.json`` performance."""
    perf = meta.get("performance") if isinstance(meta, dict) else None
    per_type = perf.get("ents_per_type") if isinstance(perf, dict) else None
    out: dict[str, float] = {}
    if isinstance(per_type, dict):
        for label, scores in per_type.items():
            p = scores.get("p") if isinstance(scores, dict) else None
            if isinstance(p, int | float) and 0 <= p <= 1:
                out[str(label)] = float(p)
            elif isinstance(p, int | float) and 1 < p <= 100:  # spaCy v2 reported percentages
                out[str(label)] = float(p) / 100
    return out


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or "/" in spec or spec.startswith(".") or spec.startswith("~")


def load_spacy_suggester(
    spec: str,
    label_map: dict[str, str] | dict[str, str | None] | None,
    schema: LabelSchema,
    *,
    n_process: int | None = None,
    batch_size: int = 32,
) -> Suggester:
    """A suggester over the spaCy pipeline ``spec``: an installed package name
    (``en_core_web_sm``) or a pipeline folder (one ``annotator train`` made, or
    ``spacy train``'s ``model-best``). Nothing is ever downloaded.

    Raises :class:`SuggesterUnavailable` (spaCy missing, no such package or
    folder, a folder that is not a pipeline) and :class:`LabelMapError` (a map
    target the schema lacks); both ``str()`` are user messages.
    """
    spacy = require_spacy()
    path = Path(spec).expanduser()
    if path.exists() or _looks_like_path(spec):
        if not path.exists():
            raise SuggesterUnavailable(f"{spec}: no such folder (give a spaCy pipeline folder or an installed package name)")
        if not path.is_dir():
            raise SuggesterUnavailable(f"{spec}: not a folder (a spaCy pipeline is a folder with config.cfg and meta.json)")
        if not (path / "config.cfg").is_file():
            raise SuggesterUnavailable(f"{spec}: not a spaCy pipeline folder (no config.cfg in it)")
        target: str | Path = path
    else:
        target = spec
    try:
        nlp = spacy.load(target)
    except OSError as err:
        if isinstance(target, Path):
            raise SuggesterUnavailable(f"{spec}: cannot load the spaCy pipeline: {err}") from None
        raise SuggesterUnavailable(
            f"{spec}: no installed spaCy pipeline of that name and no such folder; install the package first"
            f" (e.g. python -m spacy download {spec}, which annotator never does itself) or give a pipeline folder"
        ) from None
    except Exception as err:  # a config or version spaCy refuses
        raise SuggesterUnavailable(f"{spec}: cannot load the spaCy pipeline: {err}") from None
    if not _has_span_source(nlp):
        raise SuggesterUnavailable(
            f"{spec}: the pipeline has no component that finds entities or spans "
            f"(components: {', '.join(nlp.pipe_names) or 'none'}); nothing to suggest"
        )
    _disable_unneeded(nlp)
    name = _suggester_name(spec, path if isinstance(target, Path) else None)
    return SpacySuggester(nlp, name, schema, label_map, n_process=n_process, batch_size=batch_size)


def _has_span_source(nlp: Any) -> bool:
    factories = {_factory(nlp, pipe) for _, pipe in nlp.pipeline}
    known = {"ner", "beam_ner", "entity_ruler", "future_entity_ruler", "spancat", "spancat_singlelabel", "span_ruler"}
    # a custom component may set entities: only a pipeline of known non-span components is refused
    others = (
        factories
        - known
        - set(_NOT_NEEDED)
        - {"tok2vec", "transformer", "tagger", "morphologizer", "attribute_ruler", "senter", "sentencizer"}
    )
    return bool(factories & known) or bool(others)


def _disable_unneeded(nlp: Any) -> None:
    factories = {_factory(nlp, pipe) for _, pipe in nlp.pipeline}
    if factories & set(_RULERS):
        return
    for name in list(nlp.pipe_names):
        if str(nlp.get_pipe_meta(name).factory) in _NOT_NEEDED:
            nlp.disable_pipe(name)


def _suggester_name(spec: str, folder: Path | None) -> str:
    if folder is not None and (folder / MODEL_INFO_FILE).is_file():
        return f"model:{folder.resolve().name}"
    if folder is not None:
        return f"spacy:{folder.resolve().name}"
    return f"spacy:{spec}"
