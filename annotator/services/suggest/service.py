"""The suggestions use cases (issue 17), shared by the CLI and the app.

- :func:`load_suggester`: a suggester by name (``dictionary``, ``claims``) or a
  spaCy pipeline (a folder or an installed package, through
  :mod:`annotator.services.suggest.spacy_model` when this build has it);
- :func:`run_suggester`: pre-annotate documents with a suggester, storing its
  suggestions apart from annotations (running it again replaces its earlier
  suggestions of those documents; the dictionary's unchanged ones stay as they
  are), with a summary per label;
- :func:`pending`: the suggestions an annotator has not decided yet, filtered;
- :func:`accept` / :func:`reject`: the undoable commands, applied;
- :func:`export_suggestions`: the suggestions as a layer of their own (JSONL).

Nothing here writes an annotation except :func:`accept`; nothing in exports,
agreement, review or gold reads the suggestions' tables.
"""

from __future__ import annotations

import importlib
import json
import os
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.commands import apply
from annotator.core.gcpause import collector_paused
from annotator.core.kinds import CLAIM_LABEL, GOLD, SPAN_KINDS, DocStatus, now
from annotator.core.store import Project, StoredSuggestion
from annotator.core.suggest_commands import AcceptSuggestions, RejectSuggestions
from annotator.formats import InputError
from annotator.services.suggest.base import Suggester, SuggesterUnavailable, Suggestion
from annotator.services.suggest.pipeline import (
    BatchRows,
    MatchingWorker,
    WorkerError,
    can_fork,
    dictionary_rows,
    worker_processes,
    worker_wanted,
)

__all__ = [
    "SuggestError",
    "RunSummary",
    "load_suggester",
    "read_label_map",
    "build_dictionary",
    "build_claims",
    "run_suggester",
    "pending",
    "accept",
    "reject",
    "export_suggestions",
    "suggestions_path",
    "SPACY_MODULE",
]

#: The module of model suggesters (written beside this one; absent from some builds).
SPACY_MODULE = "annotator.services.suggest.spacy_model"
#: Documents per transaction (and per batch handed to a suggester) in :func:`run_suggester`.
BATCH = 250
#: A run whose first batch inserted at least this many rows, with more batches to
#: come, stores the rest without the score index and builds it again at the end
#: (:meth:`~annotator.core.store.Project.drop_suggestions_score_index`).
BULK_ROWS = 10_000


class SuggestError(ValueError):
    """A request that cannot be served (nothing to learn from, a bad option); ``str()`` is the message."""


# -- label maps -------------------------------------------------------------------
def read_label_map(path: str | Path) -> dict[str, str | None]:
    """A label map file: a JSON object ``{"THEIRS": "OURS", "DROP": null}``, or lines
    ``THEIRS=OURS`` / ``THEIRS<TAB>OURS`` (``THEIRS=`` drops the label; ``#``
    starts a comment).  Raises :class:`InputError` naming file and line."""
    path = Path(path)
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise InputError(path, None, f"cannot read the label map ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise InputError(path, None, "not UTF-8 text") from None
    if content.lstrip().startswith("{"):
        try:
            data = json.loads(content)
        except json.JSONDecodeError as err:
            raise InputError(path, err.lineno, f"not valid JSON ({err.msg})") from None
        out: dict[str, str | None] = {}
        for k, v in data.items():
            if v is not None and not isinstance(v, str):
                raise InputError(path, None, f"label {k!r} maps to {json.dumps(v)}; give a label (a string) or null to drop it")
            out[k] = v or None
        return out
    out = {}
    for lineno, line in enumerate(content.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        sep = "\t" if "\t" in stripped else "=" if "=" in stripped else None
        if sep is None:
            raise InputError(path, lineno, f"{stripped!r}: write THEIRS=OURS (or THEIRS<TAB>OURS)")
        theirs, _, ours = stripped.partition(sep)
        if not theirs.strip():
            raise InputError(path, lineno, "no label before the '='")
        out[theirs.strip()] = ours.strip() or None
    if not out:
        raise InputError(path, None, "the label map is empty")
    return out


def _check_label_map(project: Project, label_map: dict[str, str | None], path: str | Path | None) -> None:
    known = {lab for kind in SPAN_KINDS for lab in project.schema.labels(kind)}
    for theirs, ours in label_map.items():
        if ours is not None and ours not in known:
            raise InputError(
                path or "label map",
                None,
                f"{theirs!r} maps to {ours!r}, which is not a label of this project (labels: {', '.join(sorted(known))})",
            )


# -- building suggesters ------------------------------------------------------------
def _layer(project: Project, annotator: str | None, gold: bool) -> str | None:
    if gold:
        return GOLD
    if annotator is not None and annotator not in project.annotators(include_gold=True):
        names = project.annotators()
        raise SuggestError(f"no annotator {annotator!r} in this project (annotators: {', '.join(names) or 'none yet'})")
    return annotator


def build_dictionary(
    project: Project,
    *,
    annotator: str | None = None,
    gold: bool = False,
    terms: Sequence[str | Path] = (),
    term_label: str | None = None,
    label_map: dict[str, str | None] | None = None,
    learn: bool = True,
) -> Any:
    """A :class:`~annotator.services.suggest.dictionary.DictionarySuggester` of the
    layer's terms (``annotator``'s, the gold layer with ``gold``, every
    annotator's when neither; not with ``learn=False``) and of the term files."""
    from annotator.services.suggest.dictionary import DictionarySuggester, read_term_file

    entries = [e for path in terms for e in read_term_file(path, project.schema, label=term_label, label_map=label_map)]
    suggester = DictionarySuggester()
    if learn:
        suggester.add_layer(project, _layer(project, annotator, gold))
    suggester.add_terms(entries)
    if not len(suggester):
        if not learn:
            raise SuggestError("no terms: give a term list with --terms FILE")
        whose = "the gold layer" if gold else repr(annotator) if annotator else "this project"
        if suggester.stats.get("dropped"):
            raise SuggestError(
                f"nothing to learn from yet: each term {whose} labelled is left unlabelled at most of its other "
                f"occurrences read so far (it would score under {suggester.min_learned_score}); "
                "label more of them, or give a term list with --terms FILE"
            )
        raise SuggestError(
            f"nothing to learn from: {whose} has no entity or event annotations yet; give a term list with --terms FILE"
        )
    return suggester


def build_claims(project: Project, *, annotator: str | None = None, gold: bool = False) -> Any:
    """A :class:`~annotator.services.suggest.claims.ClaimsSuggester` whose claimants
    are the layer's entity mentions (every annotator's when no layer is given)."""
    from annotator.services.suggest.claims import ClaimsSuggester

    layer = _layer(project, annotator, gold)

    def mentions(doc_id: str) -> list[tuple[int, int]]:
        anns = project.annotations(doc_id, layer, kinds=["entity"])
        return [(a.start, a.end) for a in anns if a.start is not None and a.end is not None and (layer or a.annotator != GOLD)]

    return ClaimsSuggester(mentions)


def load_suggester(
    project: Project,
    using: str,
    *,
    annotator: str | None = None,
    gold: bool = False,
    terms: Sequence[str | Path] = (),
    term_label: str | None = None,
    label_map: dict[str, str | None] | None = None,
    label_map_path: str | Path | None = None,
    learn: bool = True,
) -> Suggester:
    """The suggester named by ``using``: ``dictionary``, ``claims``, or a spaCy
    pipeline (a folder, e.g. made by ``annotator train``, or an installed
    package).  Raises :class:`SuggesterUnavailable` when a model cannot be used
    here, :class:`SuggestError` or :class:`InputError` for bad requests.
    ``learn=False``: the dictionary of the term lists only."""
    if not learn and using != "dictionary":
        raise SuggestError("--no-learn is for the dictionary (--using dictionary)")
    if label_map:
        _check_label_map(project, label_map, label_map_path)
    if using == "dictionary":
        return build_dictionary(
            project, annotator=annotator, gold=gold, terms=terms, term_label=term_label, label_map=label_map, learn=learn
        )
    if terms:
        raise SuggestError("--terms is for the dictionary (--using dictionary)")
    if using == "claims":
        return build_claims(project, annotator=annotator, gold=gold)
    try:
        module = importlib.import_module(SPACY_MODULE)
    except ModuleNotFoundError as err:
        if err.name == SPACY_MODULE:
            raise SuggesterUnavailable(
                f"{using!r}: model suggestions are not available in this build of annotator "
                "(it has the dictionary and claims suggesters: --using dictionary or --using claims)"
            ) from None
        raise
    suggester: Suggester = module.load_spacy_suggester(using, label_map, project.schema)
    return suggester


# -- running ------------------------------------------------------------------------
@dataclass
class RunSummary:
    """What a run stored: per (kind, label) how many suggestions in how many documents."""

    suggester: str
    documents: int = 0
    suggestions: int = 0
    by_label: dict[tuple[str, str], int] = field(default_factory=dict)
    docs_by_label: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    #: suggestions left out: labels not in the schema (label -> count), spans outside the text
    unknown_labels: dict[str, int] = field(default_factory=dict)
    bad_spans: int = 0
    #: rows the run deleted and inserted (a dictionary run leaves unchanged suggestions as they are)
    rows_deleted: int = 0
    rows_inserted: int = 0

    def lines(self) -> list[str]:
        out = [
            f"{self.suggester}: {self.suggestions} suggestion{'' if self.suggestions == 1 else 's'} "
            f"in {self.documents} document{'' if self.documents == 1 else 's'}"
        ]
        for (kind, label), n in sorted(self.by_label.items()):
            docs = len(self.docs_by_label[(kind, label)])
            out.append(f"  {label:<16} {kind:<7} {n:>7} in {docs} document{'' if docs == 1 else 's'}")
        for label, n in sorted(self.unknown_labels.items()):
            out.append(f"  left out {n} of label {label!r}: not a label of this project (map it with --label-map)")
        if self.bad_spans:
            out.append(f"  left out {self.bad_spans} with a span outside its document's text")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "suggester": self.suggester,
            "documents": self.documents,
            "suggestions": self.suggestions,
            "labels": [
                {"kind": k, "label": lab, "suggestions": n, "documents": len(self.docs_by_label[(k, lab)])}
                for (k, lab), n in sorted(self.by_label.items())
            ],
            "unknown_labels": self.unknown_labels,
            "bad_spans": self.bad_spans,
        }


def select_documents(project: Project, documents: str) -> list[str]:
    """The documents to suggest for: ``new`` (not started: status new) or ``all``."""
    if documents == "all":
        return project.document_ids()
    if documents == "new":
        return project.document_ids(status=DocStatus.NEW.value)
    raise SuggestError(f"--documents {documents!r}: give 'new' (documents not started yet) or 'all'")


def run_suggester(
    project: Project,
    suggester: Suggester,
    doc_ids: Sequence[str],
    *,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    worker: bool | None = None,
) -> RunSummary:
    """Suggest for ``doc_ids`` and store the suggestions (replacing the earlier
    ones of this suggester in these documents; the dictionary's suggestions
    that did not change stay as they are, ids and times too), :data:`BATCH`
    documents per transaction; ``progress(n)`` after each batch of n documents.
    A run stopped by ``cancelled`` or an error keeps the batches stored before.

    The dictionary over more than one batch is matched in a worker process
    while the main process stores (:mod:`annotator.services.suggest.pipeline`)
    where that is safe and pays; ``worker=False`` matches in this process,
    ``worker=True`` in a worker wherever fork is available (the same rows either
    way).  A failing worker raises :class:`SuggestError`."""
    schema = project.schema
    labels = {kind: set(schema.labels(kind)) for kind in SPAN_KINDS}
    summary = RunSummary(suggester.name)
    stamp = now()
    # The dictionary's suggestions need no checking one by one: whole tokens inside
    # the text by construction, their labels known in advance.
    fast = getattr(suggester, "found", None) if getattr(suggester, "name", "") == "dictionary" else None
    unknown: set[tuple[str, str]] = set()
    #: the run rows of the dictionary's suggestions, by their detail (one per origin of its terms)
    runs: dict[str, int] = {}
    used: set[str] = set()
    files = True
    if fast is not None:
        for kind, label in suggester.labels():  # type: ignore[attr-defined]
            if label not in labels.get(kind, set()):
                unknown.add((kind, label))
                summary.unknown_labels[label] = summary.unknown_labels.get(label, 0)
        # a first run copies each batch's rows from the worker's file in one statement; a run
        # again compares them with those stored, in Python: they come pickled
        files = not project.has_suggestion_runs(suggester.name)
        with project.transaction():
            runs = {d: project.suggestion_run(suggester.name, stamp, d) for d in sorted(suggester.details())}  # type: ignore[attr-defined]
    name = suggester.name
    # (missing at the start: a run killed while storing without it; built at the end)
    dropped = not project.has_suggestions_score_index()
    batches: Generator[tuple[list[str], dict[str, int], BatchRows], None, None] | None = None
    try:
        # millions of small tuples and no cycles; the dictionary's rows without SQLite's
        # check of each one's document (checked once per batch instead)
        unchecked = project.suggestions_stored_unchecked() if fast is not None else nullcontext()
        with collector_paused(), unchecked:
            if fast is not None:
                parts = [list(doc_ids[i : i + BATCH]) for i in range(0, len(doc_ids), BATCH)]
                in_worker = worker_wanted(len(parts)) if worker is None else worker and can_fork()
                batches = _dictionary_batches(project, fast, parts, runs, frozenset(unknown), in_worker, files, cancelled)
            else:
                batches = _other_batches(project, suggester, doc_ids, labels, summary, stamp, cancelled)
            first = True
            for part, numbers, done in batches:
                rows = done.rows
                for label, n in done.unknown.items():
                    summary.unknown_labels[label] = summary.unknown_labels.get(label, 0) + n
                for pair, n in done.by_label.items():
                    summary.by_label[pair] = summary.by_label.get(pair, 0) + n
                for pair, ids in done.docs_by_label.items():
                    summary.docs_by_label.setdefault(pair, set()).update(ids)
                used |= done.details
                if done.file is not None:  # from the worker: copied from its file in one statement
                    with project.attached_suggestion_rows(done.file), project.transaction():
                        deleted, inserted = project.refresh_suggestion_rows(numbers.values(), name, None)
                    os.unlink(done.file)
                    summary.rows_deleted += deleted
                    summary.rows_inserted += inserted
                else:
                    with project.transaction():
                        if fast is not None:  # a run again touches only the rows that changed
                            deleted, inserted = project.refresh_suggestion_rows(numbers.values(), name, rows)
                            summary.rows_deleted += deleted
                            summary.rows_inserted += inserted
                        else:
                            project.replace_suggestions(part, name, rows)
                            inserted = len(rows)
                if first and inserted >= BULK_ROWS and len(doc_ids) > BATCH:
                    # a corpus of new rows ahead: stored without the score index, built once at the end
                    with project.transaction():
                        project.drop_suggestions_score_index()
                    dropped = True
                first = False
                summary.documents += len(part)
                summary.suggestions += done.size
                if progress is not None:
                    progress(len(part))
    except WorkerError as err:
        raise SuggestError(
            f"{err}; the suggestions of the {summary.documents} documents done before are stored "
            "(run it again: what is stored already is kept as it is)"
        ) from None
    finally:
        if batches is not None:
            batches.close()  # ends the worker process, if any, and waits for it
        with project.transaction():
            if dropped:
                project.ensure_suggestions_score_index()
            # the run rows of details no suggestion of this run had
            project.forget_suggestion_runs([runs[d] for d in runs.keys() - used])
    return summary


def _dictionary_batches(
    project: Project,
    found: Callable[..., list[tuple[Any, ...]]],
    parts: list[list[str]],
    runs: dict[str, int],
    unknown: frozenset[tuple[str, str]],
    in_worker: bool,
    files: bool,
    cancelled: Callable[[], bool] | None,
) -> Generator[tuple[list[str], dict[str, int], BatchRows], None, None]:
    """The dictionary's rows of each batch ``(its ids, {id: number}, rows)``,
    matched here or by a worker process two batches ahead of the storing
    (texts read here, in order: the workers never open the project)."""

    def read(part: list[str]) -> tuple[dict[str, int], list[str], list[str], list[int]]:
        texts, _titles = project.document_texts(part)
        numbers = project.suggestion_doc_numbers(part)
        ids = [d for d in part if d in numbers and d in texts]
        return numbers, ids, [texts[d] for d in ids], [numbers[d] for d in ids]

    if not in_worker:
        for part in parts:
            if cancelled is not None and cancelled():
                return
            numbers, ids, texts, nums = read(part)
            yield part, numbers, dictionary_rows(found, ids, texts, nums, runs, unknown)
        return
    processes = worker_processes()
    with MatchingWorker(found, runs, unknown, processes, files=files) as worker:
        ahead: deque[tuple[list[str], dict[str, int]]] = deque()
        following = iter(parts)

        def submit() -> None:
            part = next(following, None)
            if part is not None:
                numbers, ids, texts, nums = read(part)
                worker.submit(ids, texts, nums)
                ahead.append((part, numbers))

        for _ in range(2 * processes):  # each worker has its next batch waiting
            submit()
        while ahead:
            if cancelled is not None and cancelled():
                return
            part, numbers = ahead.popleft()
            done = worker.result()
            submit()  # matched while this batch is stored
            yield part, numbers, done


def _other_batches(
    project: Project,
    suggester: Suggester,
    doc_ids: Sequence[str],
    labels: dict[str, set[str]],
    summary: RunSummary,
    stamp: str,
    cancelled: Callable[[], bool] | None,
) -> Generator[tuple[list[str], dict[str, int], BatchRows], None, None]:
    """Any suggester's suggestions of each batch, checked one by one, as rows to
    store with :meth:`Project.replace_suggestions` (left-out ones counted in ``summary``)."""
    for i in range(0, len(doc_ids), BATCH):
        if cancelled is not None and cancelled():
            return
        part = list(doc_ids[i : i + BATCH])
        docs = list(project.iter_documents(part))
        lengths = {d.id: len(d.text) for d in docs}
        rows: list[Any] = []
        by_label: Counter[tuple[str, str]] = Counter()
        docs_by_label: dict[tuple[str, str], list[str]] = {}
        for doc, found in zip(docs, suggester.suggest_many(docs)):
            seen: set[tuple[str, str, int, int]] = set()
            for s in found:
                if not _valid(s, doc.id, lengths[doc.id], labels, summary):
                    continue
                key = (s.kind, s.label, s.start, s.end)
                if key in seen:
                    continue
                seen.add(key)
                rows.append(_stored(s, stamp))
                by_label[(s.kind, s.label)] += 1
                ids = docs_by_label.setdefault((s.kind, s.label), [])
                if not ids or ids[-1] != doc.id:
                    ids.append(doc.id)
        yield part, {}, BatchRows(rows, dict(by_label), docs_by_label, {}, set(), len(rows))


def _valid(s: Suggestion, doc_id: str, length: int, labels: dict[str, set[str]], summary: RunSummary) -> bool:
    if s.doc_id != doc_id or not 0 <= s.start < s.end <= length:
        summary.bad_spans += 1
        return False
    if s.kind == "claim":
        return True
    if s.kind not in labels or s.label not in labels[s.kind]:
        summary.unknown_labels[s.label] = summary.unknown_labels.get(s.label, 0) + 1
        return False
    return True


def _stored(s: Suggestion, stamp: str) -> StoredSuggestion:
    """A suggestion as a new row to store (an empty id: the store gives it one)."""
    return StoredSuggestion(
        "",
        s.doc_id,
        s.kind,
        CLAIM_LABEL if s.kind == "claim" else s.label,
        s.start,
        s.end,
        float(s.score),
        s.suggester,
        s.claimant_start,
        s.claimant_end,
        s.claimant_text,
        s.detail,  # shared by a dictionary's suggestions of one term: serialised once
        stamp,
    )


def store_suggestions(project: Project, suggester_name: str, doc_id: str, found: Iterable[Suggestion]) -> list[StoredSuggestion]:
    """Store one document's suggestions by one suggester (replacing its earlier
    ones there), valid ones only; what was stored."""
    schema = project.schema
    labels = {kind: set(schema.labels(kind)) for kind in SPAN_KINDS}
    summary = RunSummary(suggester_name)
    length = project.document_length(doc_id)
    stamp = now()
    rows = [_stored(s, stamp) for s in found if _valid(s, doc_id, length, labels, summary)]
    with project.transaction():
        project.replace_suggestions([doc_id], suggester_name, rows)
        return project.suggestions([doc_id], suggester=suggester_name)


# -- deciding -----------------------------------------------------------------------
def pending(
    project: Project,
    annotator: str,
    *,
    doc_ids: Iterable[str] | None = None,
    label: str | None = None,
    min_score: float | None = None,
    suggester: str | None = None,
    limit: int | None = None,
    by_score: bool = False,
) -> list[StoredSuggestion]:
    """The suggestions ``annotator`` has not accepted nor rejected, filtered
    (``by_score``: the best first, sorted and cut to ``limit`` by the database)."""
    return project.suggestions(
        doc_ids, pending_for=annotator, label=label, min_score=min_score, suggester=suggester, limit=limit, by_score=by_score
    )


def accept(
    project: Project, annotator: str, suggestions: list[StoredSuggestion], *, label: str | None = None, doc_id: str | None = None
) -> AcceptSuggestions:
    """Accept suggestions as ``annotator``'s annotations (one transaction, one undo step); the applied command."""
    command = AcceptSuggestions(annotator, suggestions, label=label, doc_id=doc_id)
    apply(project, command)
    return command


def reject(
    project: Project, annotator: str, suggestions: list[StoredSuggestion], *, doc_id: str | None = None
) -> RejectSuggestions:
    """Reject suggestions for ``annotator`` (remembered; one transaction, one undo step); the applied command."""
    command = RejectSuggestions(annotator, suggestions, doc_id=doc_id)
    apply(project, command)
    return command


# -- export -------------------------------------------------------------------------
def suggestions_path(export_out: str | Path) -> Path:
    """Where ``annotator export --with-suggestions`` writes the suggestions layer:
    ``suggestions.jsonl`` inside a folder export, else ``<name>.suggestions.jsonl``
    beside the export file (its suffix replaced)."""
    out = Path(export_out)
    if out.is_dir():
        return out / "suggestions.jsonl"
    return out.with_name(out.stem + ".suggestions.jsonl")


def export_suggestions(
    project: Project,
    out: str | Path,
    *,
    label: str | None = None,
    min_score: float | None = None,
    suggester: str | None = None,
    pending_for: str | None = None,
) -> tuple[int, int]:
    """Write the stored suggestions as a layer of their own: JSONL, one line per
    document that has any (see ``docs/formats.md``, "Suggestions layer"), written
    beside ``out`` and renamed into place.  (documents, suggestions) written."""
    from annotator.formats.suggestions import suggestion_record

    out = Path(out)
    with project.read_snapshot():
        rows = project.suggestions(pending_for=pending_for, label=label, min_score=min_score, suggester=suggester)
        by_doc: dict[str, list[StoredSuggestion]] = {}
        for s in rows:
            by_doc.setdefault(s.doc_id, []).append(s)
        docs = {d.id: d for d in project.iter_documents(list(by_doc))}
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for doc_id, found in by_doc.items():
                doc = docs[doc_id]
                record = suggestion_record(doc.id, doc.external_id, doc.title, doc.text, [s.to_dict() for s in found])
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(by_doc), len(rows)
