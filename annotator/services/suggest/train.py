"""Train a spaCy NER pipeline on the project's own annotations (issue 17).

:func:`train_model` trains a blank pipeline (``spacy.blank(lang)`` + ``ner``)
on one layer (an annotator's or the gold layer) of the documents that are
finished (status done, in review or reviewed) and that the layer annotated (a
document another annotator finished is not taught as "nothing here"); or of
every document with a span of that layer (``documents="annotated"``). It holds out a
deterministic share of them, reports precision, recall and F1 per label on the
held-out documents, and saves the pipeline folder with ``annotator-model.json``
(metrics and provenance: layer, documents, time, options) beside spaCy's own
files. :func:`~annotator.services.suggest.spacy_model.load_spacy_suggester`
loads that folder.

- **Split**: each document's place is decided by a hash of the seed and its id,
  so the same seed and documents give the same split, and documents finished
  later never move older ones between the halves.
- **Spans spaCy cannot learn exactly** are not taught wrong: a span whose edges
  fall inside a spaCy token leaves its tokens *missing* (neither entity nor
  outside), and of overlapping spans the longest (then earliest) is taught and
  the others' tokens are missing too; both are counted in the provenance.
- **Evaluation** compares the model's entities with every span of the layer on
  the held-out documents, exactly (same start, end and label): a span the
  model could not learn counts as missed.
- **Cancel**: ``cancel`` (a :class:`threading.Event`, a multiprocessing event,
  anything with ``is_set()``) is checked after every batch; a cancelled run
  leaves nothing behind and an earlier model in ``out`` as it was.
- :class:`TrainingJob` runs the same function in a separate process (spawned:
  nothing of the caller's state is shared) and reports progress through a queue,
  so a window never waits for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import multiprocessing
import os
import queue as queue_module
import random
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from annotator.core.kinds import FINISHED_STATUSES, GOLD, KINDS, now
from annotator.core.store import Project
from annotator.services.suggest.spacy_model import MODEL_INFO_FILE, require_spacy

__all__ = [
    "FINISHED_STATUSES",
    "LabelScore",
    "TrainOptions",
    "TrainingCancelled",
    "TrainingError",
    "TrainingJob",
    "TrainingResult",
    "choose_layer",
    "documents_since_training",
    "needs_retraining",
    "read_model_info",
    "score_spans",
    "split_documents",
    "train_model",
]

#: ``format`` of :data:`~annotator.services.suggest.spacy_model.MODEL_INFO_FILE`.
MODEL_INFO_FORMAT = "annotator-model"
BATCH_SIZE = 4

Progress = Callable[[int, int, str], None]


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


class TrainingError(ValueError):
    """Training that cannot start or finish; ``str()`` is the user message."""


class TrainingCancelled(Exception):
    """Training stopped because it was cancelled (nothing was written)."""


@dataclass(frozen=True)
class TrainOptions:
    """What to train on and how."""

    #: the layer: an annotator's name, or :data:`~annotator.core.kinds.GOLD`
    layer: str
    #: "done": documents with a finished status; "annotated": every document with an annotation in the layer
    documents: Literal["done", "annotated"] = "done"
    #: span kinds taught as entities: entities, and optionally event triggers (labelled with their type)
    kinds: tuple[str, ...] = ("entity",)
    #: share of the documents held out for evaluation (0 <= held_out < 1)
    held_out: float = 0.2
    iterations: int = 20
    seed: int = 0
    #: spaCy language code of the blank pipeline; None: the documents' metadata "lang"/"language", else "en"
    lang: str | None = None
    dropout: float = 0.2

    def check(self) -> None:
        if not 0 <= self.held_out < 1:
            raise TrainingError(f"the held-out share must be at least 0 and below 1, not {self.held_out}")
        if self.iterations < 1:
            raise TrainingError(f"at least one iteration is needed, not {self.iterations}")
        if self.documents not in ("done", "annotated"):
            raise TrainingError(f"documents must be 'done' or 'annotated', not {self.documents!r}")
        bad = [k for k in self.kinds if k not in ("entity", "event")]
        if bad or not self.kinds:
            raise TrainingError(f"a NER model learns entities and event triggers only, not {', '.join(bad) or 'nothing'}")
        if not 0 <= self.dropout < 1:
            raise TrainingError(f"dropout must be at least 0 and below 1, not {self.dropout}")


@dataclass
class LabelScore:
    """Counts of one label on the held-out documents (exact span and label)."""

    label: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """Spans of the label in the layer (held-out documents)."""
        return self.tp + self.fn

    def to_dict(self) -> dict[str, Any]:
        return {
            "p": round(self.precision, 4),
            "r": round(self.recall, 4),
            "f": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.support,
        }


Span = tuple[int, int, str]


def score_spans(gold: Iterable[Iterable[Span]], predicted: Iterable[Iterable[Span]]) -> tuple[dict[str, LabelScore], LabelScore]:
    """Per-label and overall (micro) counts of exact matches, document by document."""
    per: dict[str, LabelScore] = {}
    total = LabelScore("overall")
    for g_doc, p_doc in zip(gold, predicted, strict=True):
        g, p = set(g_doc), set(p_doc)
        for s, e, label in g | p:
            score = per.setdefault(label, LabelScore(label))
            if (s, e, label) in g and (s, e, label) in p:
                score.tp += 1
                total.tp += 1
            elif (s, e, label) in p:
                score.fp += 1
                total.fp += 1
            else:
                score.fn += 1
                total.fn += 1
    return dict(sorted(per.items())), total


def split_documents(doc_ids: Iterable[str], held_out: float, seed: int) -> tuple[list[str], list[str]]:
    """``(train, held_out)``: the held-out share is the documents whose hash of
    ``seed`` and id is smallest (at least one when there are two documents or
    more and ``held_out > 0``; never all of them). Both lists keep the input order."""
    ids = list(dict.fromkeys(doc_ids))
    if held_out <= 0 or len(ids) < 2:
        return ids, []
    n = min(len(ids) - 1, max(1, round(len(ids) * held_out)))
    ranked = sorted(ids, key=lambda d: hashlib.sha256(f"{seed}\x00{d}".encode()).hexdigest())
    chosen = set(ranked[:n])
    return [d for d in ids if d not in chosen], [d for d in ids if d in chosen]


def choose_layer(project: Project, annotator: str | None, gold: bool) -> str:
    """The layer to train on: the gold layer, the annotator named, or the only
    annotator with annotations; a :class:`TrainingError` says what to choose."""
    if gold and annotator:
        raise TrainingError("choose either an annotator or the gold layer, not both")
    counts = project.annotator_counts()
    if gold:
        if not counts.get(GOLD):
            raise TrainingError(
                "the project has no gold layer yet (adjudicate in review first, or train on an annotator's layer)"
            )
        return GOLD
    names = sorted(n for n in counts if n != GOLD)
    if annotator:
        if annotator not in project.annotators(include_gold=True):
            known = ", ".join(names) or "none"
            raise TrainingError(f"no annotator named {annotator!r} in this project (annotators with annotations: {known})")
        return annotator
    if len(names) == 1:
        return names[0]
    if not names:
        raise TrainingError("the project has no annotations to train on")
    raise TrainingError(
        f"several annotators: choose one with --annotator ({', '.join(names)}) or train on the gold layer (--gold)"
    )


@dataclass
class _Doc:
    id: str
    text: str
    spans: list[Span]
    lang: str | None


def _eligible_ids(project: Project, layer: str, documents: str, kinds: tuple[str, ...]) -> list[str]:
    """The documents to train on. A document's status is shared by everyone, so a
    finished one counts only where the layer annotated it (anything): one that
    another annotator finished is not taught as "nothing here" for this layer."""
    if documents == "annotated":
        have = project.documents_with_annotations(kinds, layer)
        return [d for d in project.document_ids() if d in have]
    touched = project.documents_with_annotations(KINDS, layer)
    return [d for d in project.document_ids(status=FINISHED_STATUSES) if d in touched]


def _read_documents(project: Project, options: TrainOptions) -> list[_Doc]:
    ids = _eligible_ids(project, options.layer, options.documents, options.kinds)
    rows = project.annotation_rows_by_document(ids, options.layer)
    out = []
    for doc in project.iter_documents(ids):
        spans = [
            (r.start, r.end, r.label)
            for r in rows.get(doc.id, [])
            if r.kind in options.kinds and r.start is not None and r.end is not None
        ]
        meta = doc.metadata or {}
        lang = meta.get("lang") or meta.get("language")
        out.append(_Doc(doc.id, doc.text, sorted(set(spans)), lang if isinstance(lang, str) else None))
    return out


def _language(spacy: Any, options: TrainOptions, docs: list[_Doc]) -> str:
    if options.lang:
        try:
            spacy.util.get_lang_class(options.lang)
        except Exception:
            raise TrainingError(f"spaCy has no language {options.lang!r} (use a code such as en, de, fr, xx)") from None
        return options.lang
    votes: dict[str, int] = {}
    for d in docs:
        if d.lang:
            votes[d.lang.lower()] = votes.get(d.lang.lower(), 0) + 1
    for lang in sorted(votes, key=lambda x: -votes[x]):
        try:
            spacy.util.get_lang_class(lang)
            return lang
        except Exception:
            continue
    return "en"


def _non_overlapping(spans: list[Span]) -> tuple[list[Span], list[Span]]:
    """Of overlapping spans the longest, then the earliest: ``(kept, dropped)``."""
    kept: list[Span] = []
    dropped: list[Span] = []
    taken: list[tuple[int, int]] = []
    for s in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0], x[2])):
        if any(s[0] < e and b < s[1] for b, e in taken):
            dropped.append(s)
        else:
            kept.append(s)
            taken.append((s[0], s[1]))
    return sorted(kept), dropped


def _example(nlp: Any, d: _Doc, stats: dict[str, int]) -> Any:
    from spacy.training import Example, offsets_to_biluo_tags

    pred = nlp.make_doc(d.text)
    kept, dropped = _non_overlapping(d.spans)
    stats["overlapping"] += len(dropped)
    aligned = []
    for s, e, label in kept:
        if pred.char_span(s, e, label=label) is None:
            stats["misaligned"] += 1
        aligned.append((s, e, label))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W030 (misaligned): counted above, tokens left missing
        tags = offsets_to_biluo_tags(pred, aligned)  # misaligned spans: "-" (missing); all else "O"
    for s, e, _ in dropped:  # an overlapped span's tokens: unknown, not "outside"
        for i, tok in enumerate(pred):
            if tok.idx < e and s < tok.idx + len(tok.text) and tags[i] == "O":
                tags[i] = "-"
    stats["taught"] += sum(1 for t in tags if t[0] in "UB")
    return Example.from_dict(pred, {"entities": tags})


@dataclass
class TrainingResult:
    """What training made: the folder and its ``annotator-model.json``."""

    out: Path
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def per_label(self) -> dict[str, dict[str, Any]]:
        return dict(self.info.get("metrics", {}).get("per_label", {}))

    @property
    def overall(self) -> dict[str, Any] | None:
        overall = self.info.get("metrics", {}).get("overall")
        return dict(overall) if overall else None

    def table(self) -> list[list[str]]:
        """Rows of the per-label table (header first): label, P, R, F1, support."""
        rows = [["label", "precision", "recall", "F1", "spans"]]
        for label, m in self.per_label.items():
            rows.append([label, f"{m['p']:.3f}", f"{m['r']:.3f}", f"{m['f']:.3f}", str(m["support"])])
        if self.overall is not None:
            m = self.overall
            rows.append(["(all)", f"{m['p']:.3f}", f"{m['r']:.3f}", f"{m['f']:.3f}", str(m["support"])])
        return rows

    def lines(self) -> list[str]:
        """The summary for a terminal: what was trained on, then the table."""
        info = self.info
        docs = info.get("documents", {})
        head = [
            f"Trained on {len(docs.get('train', []))} documents ({info.get('layer_name', '')}), "
            f"held out {len(docs.get('held_out', []))}; saved to {self.out}",
        ]
        skipped = info.get("spans", {})
        if skipped.get("misaligned") or skipped.get("overlapping"):
            head.append(
                f"Not taught: {skipped.get('misaligned', 0)} span(s) not on spaCy token boundaries, "
                f"{skipped.get('overlapping', 0)} overlapping a longer span"
            )
        if not self.per_label and self.overall is None:
            head.append("No held-out documents: no precision, recall or F1 (needs at least two documents and --held-out above 0)")
            return head
        table = self.table()
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        for r in table:
            head.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
        return head


def read_model_info(model_dir: str | Path) -> dict[str, Any] | None:
    """The ``annotator-model.json`` of a model folder, or None if it has none (or it is unreadable)."""
    path = Path(model_dir) / MODEL_INFO_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == MODEL_INFO_FORMAT else None


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise TrainingError(f"{out}: is a file; the model is a folder (choose another --out)")
    if out.is_dir() and any(out.iterdir()) and read_model_info(out) is None:
        raise TrainingError(
            f"{out}: a folder that is not a model made by annotator train; not replacing it (choose another --out)"
        )


def _check_cancel(cancel: CancelFlag | None) -> None:
    if cancel is not None and cancel.is_set():
        raise TrainingCancelled()


def train_model(
    project: Project,
    out: str | Path,
    options: TrainOptions,
    *,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> TrainingResult:
    """Train, evaluate and save a NER pipeline (see the module's documentation).

    ``progress(done, total, message)`` is called after every batch. Raises
    :class:`TrainingError` (nothing to train on, a bad ``out``...),
    :class:`TrainingCancelled`, and :class:`~annotator.services.suggest.base.SuggesterUnavailable`
    without spaCy. The project is only read.
    """
    options.check()
    spacy = require_spacy()
    out = Path(out)
    _check_out(out)
    started, t0 = now(), time.monotonic()
    report = progress or (lambda done, total, message: None)
    report(0, 1, "reading the documents")
    with project.read_snapshot():
        docs = _read_documents(project, options)
    layer_label = "gold layer" if options.layer == GOLD else f"{options.layer}'s layer"
    the_layer = f"the {layer_label}" if options.layer == GOLD else layer_label
    if not docs:
        which = "finished (done, in review or reviewed)" if options.documents == "done" else "annotated"
        raise TrainingError(f"no {which} documents to train on in {the_layer}")
    if not any(d.spans for d in docs):
        kinds = " or ".join("entities" if k == "entity" else "event triggers" for k in options.kinds)
        raise TrainingError(f"no {kinds} in {the_layer} of the {len(docs)} document(s) to train on")
    _check_cancel(cancel)

    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(options.seed)
    lang = _language(spacy, options, docs)
    train_ids, held_ids = split_documents([d.id for d in docs], options.held_out, options.seed)
    by_id = {d.id: d for d in docs}
    train_docs = [by_id[i] for i in train_ids]
    held_docs = [by_id[i] for i in held_ids]
    labels = sorted({label for d in docs for _, _, label in d.spans})

    nlp = spacy.blank(lang)
    nlp.max_length = max(nlp.max_length, max(len(d.text) for d in docs) + 1)  # long articles train whole
    ner = nlp.add_pipe("ner")
    for label in labels:
        ner.add_label(label)
    stats = {"misaligned": 0, "overlapping": 0, "taught": 0}
    examples = [_example(nlp, d, stats) for d in train_docs]
    _check_cancel(cancel)
    optimizer = nlp.initialize(lambda: examples)
    batches = math.ceil(len(examples) / BATCH_SIZE)
    total = options.iterations * batches + len(held_docs) + 1
    rng = random.Random(options.seed)
    step = 0
    losses: dict[str, float] = {}
    for it in range(options.iterations):
        rng.shuffle(examples)
        losses = {}
        for batch in minibatch(examples, size=BATCH_SIZE):
            _check_cancel(cancel)
            nlp.update(batch, drop=options.dropout, sgd=optimizer, losses=losses)
            step += 1
            report(step, total, f"iteration {it + 1} of {options.iterations}, loss {losses.get('ner', 0.0):.1f}")

    gold_spans: list[list[Span]] = []
    pred_spans: list[list[Span]] = []
    for d in held_docs:
        _check_cancel(cancel)
        sdoc = nlp(d.text)
        gold_spans.append(d.spans)
        pred_spans.append([(e.start_char, e.end_char, e.label_) for e in sdoc.ents])
        step += 1
        report(step, total, f"evaluating on {len(held_docs)} held-out documents")
    metrics: dict[str, Any] = {}
    if held_docs:
        per, overall = score_spans(gold_spans, pred_spans)
        metrics = {"per_label": {k: v.to_dict() for k, v in per.items()}, "overall": overall.to_dict()}
        nlp.meta["performance"] = {
            "ents_p": overall.precision,
            "ents_r": overall.recall,
            "ents_f": overall.f1,
            # precision only where the model predicted the label (else it says nothing)
            "ents_per_type": {
                k: ({"p": v.precision} if v.tp + v.fp else {}) | {"r": v.recall, "f": v.f1} for k, v in per.items()
            },
        }
    _check_cancel(cancel)
    nlp.meta["name"] = "annotator_ner"
    nlp.meta["description"] = f"NER trained by annotator on {the_layer} of {project.path.name}"
    info = {
        "format": MODEL_INFO_FORMAT,
        "version": 1,
        "project": str(project.path.resolve()),
        "layer": options.layer,
        "layer_name": layer_label,
        "kinds": list(options.kinds),
        "labels": labels,
        "lang": lang,
        "options": asdict(options) | {"kinds": list(options.kinds)},
        "documents": {"selection": options.documents, "train": train_ids, "held_out": held_ids},
        "spans": {
            "total": sum(len(d.spans) for d in train_docs),
            "misaligned": stats["misaligned"],
            "overlapping": stats["overlapping"],
        },
        "final_loss": round(float(losses.get("ner", 0.0)), 4),
        "metrics": metrics,
        "started": started,
        "finished": now(),
        "seconds": round(time.monotonic() - t0, 2),
        "spacy_version": spacy.__version__,
    }
    _save(nlp, out, info)
    report(total, total, f"saved to {out}")
    return TrainingResult(out, info)


def _save(nlp: Any, out: Path, info: dict[str, Any]) -> None:
    """Write beside ``out`` and rename into place (an earlier model stays whole until then)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        nlp.to_disk(tmp)
        (tmp / MODEL_INFO_FILE).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", "utf-8")
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def documents_since_training(project: Project, model_dir: str | Path) -> int | None:
    """How many documents would be trained on now that the model in ``model_dir``
    was not trained or evaluated on (None: no model made by ``annotator train`` there)."""
    info = read_model_info(model_dir)
    if info is None:
        return None
    docs = info.get("documents", {})
    seen = set(docs.get("train", [])) | set(docs.get("held_out", []))
    kinds = tuple(info.get("kinds", ("entity",)))
    eligible = _eligible_ids(project, str(info.get("layer", "")), str(docs.get("selection", "done")), kinds)
    return sum(1 for d in eligible if d not in seen)


def needs_retraining(project: Project, model_dir: str | Path, after_n_documents: int) -> bool:
    """Whether the model should be retrained: none yet in ``model_dir``, or at least
    ``after_n_documents`` more documents finished (in its layer and selection) since it was."""
    new = documents_since_training(project, model_dir)
    return new is None or new >= max(1, after_n_documents)


# -- in a separate process ----------------------------------------------------------

#: What :meth:`TrainingJob.poll` gives: ("progress", done, total, message), ("done", out, info),
#: ("error", message) or ("cancelled",).
JobMessage = tuple[Any, ...]


def _run_job(project_path: str, out: str, options: dict[str, Any], messages: Any, cancel: Any) -> None:
    """The training process: open the project, train, report through ``messages``."""
    from annotator.core.errors import ProjectError
    from annotator.services.suggest.base import SuggesterUnavailable

    last = [0.0]

    def progress(done: int, total: int, message: str) -> None:
        t = time.monotonic()
        if t - last[0] >= 0.05 or done >= total:  # at most 20 a second
            last[0] = t
            messages.put(("progress", done, total, message))

    try:
        opts = TrainOptions(**(options | {"kinds": tuple(options.get("kinds", ("entity",)))}))
        with Project(project_path) as project:
            result = train_model(project, out, opts, progress=progress, cancel=cancel)
        messages.put(("done", str(result.out), result.info))
    except TrainingCancelled:
        messages.put(("cancelled",))
    except (TrainingError, SuggesterUnavailable, ProjectError) as err:
        messages.put(("error", str(err)))
    except Exception as err:  # reported to the window, which shows it; never a silent death
        messages.put(("error", f"training failed: {type(err).__name__}: {err}"))


class TrainingJob:
    """:func:`train_model` in a spawned process; the caller polls for messages.

    ``poll()`` never blocks; the last message is "done", "error" or "cancelled"
    (also when the process died without a word). ``cancel()`` asks the process
    to stop after its current batch; ``kill()`` ends it at once.
    """

    def __init__(self, project_path: str | Path, out: str | Path, options: TrainOptions):
        options.check()
        ctx = multiprocessing.get_context("spawn")
        self.out = Path(out)
        self._messages = ctx.Queue()
        self._cancel = ctx.Event()
        self._finished = False
        self._process = ctx.Process(
            target=_run_job,
            args=(str(project_path), str(out), asdict(options), self._messages, self._cancel),
            name="annotator-train",
            daemon=True,
        )
        self._process.start()

    @property
    def finished(self) -> bool:
        """Whether the final message was given out."""
        return self._finished

    def cancel(self) -> None:
        self._cancel.set()

    def kill(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(5)
        self._finished = True

    def poll(self) -> list[JobMessage]:
        out: list[JobMessage] = []
        if self._finished:
            return out
        while True:
            try:
                msg = self._messages.get_nowait()
            except queue_module.Empty:
                break
            out.append(msg)
            if msg[0] in ("done", "error", "cancelled"):
                self._finished = True
                self._process.join(5)
                return out
        if not self._process.is_alive():
            # a last message may still be in the pipe: one short wait before calling it a crash
            with contextlib.suppress(queue_module.Empty):
                msg = self._messages.get(timeout=0.5)
                out.append(msg)
                if msg[0] in ("done", "error", "cancelled"):
                    self._finished = True
                    return out
            self._finished = True
            out.append(("error", f"the training process stopped unexpectedly (exit code {self._process.exitcode})"))
        return out

    def wait(self, timeout: float | None = None) -> list[JobMessage]:
        """Every message until the end (or ``timeout`` seconds); for scripts and tests."""
        deadline = None if timeout is None else time.monotonic() + timeout
        out: list[JobMessage] = []
        while not self._finished:
            out += self.poll()
            if deadline is not None and time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return out
