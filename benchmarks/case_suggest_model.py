"""Case 13: suggestions from a trained model (issue 17) over many documents.

Untimed: a project of 40 generated documents (8 in the smoke test) of about
1,500 characters each, where every mention of a fixed list of names is
labelled (PERSON, ORG or GPE: "Jaiswal", "Siemens", "Tokyo"...; about 40 a
document), and a model trained on it by
:func:`annotator.services.suggest.train.train_model` (six iterations: enough
for it to find those names in new documents, so the timed run turns about 40
predictions a document into suggestions; a model trained on random word spans
finds nothing and would time the pipeline alone).

Timed: :meth:`SpacySuggester.suggest_many` over N new documents in one process
(the path the app and ``annotator suggest`` take, with label mapping and the
:class:`Suggestion` records), against the floor, the same pipeline's bare
``nlp.pipe`` over the same texts. The note gives the number of suggestions and
the same run with the suggester's automatic processes (several from 200
documents on).
"""

from __future__ import annotations

import re
import time

from benchmarks.harness import Config, Row, Target, k, missing, ms

TITLE = "suggest with a model"
T_SUGGEST = Target(max_ratio=1.3)
#: The names labelled in the training documents, by label (words of the benchmark's sentence pool).
NAMES = {
    "PERSON": "Jaiswal Randhir Malhotra Sanjay Xi Modi".split(),
    "ORG": "Siemens Samsung Reuters Tesla Airbus Toyota IndiGo".split(),
    "GPE": (
        "China India Norway Canada Delhi Tokyo Mexico Kenya Poland Berlin Lagos Paris Sweden Nairobi Ukraine Beijing Brazil"
    ).split(),
}
LABELS = list(NAMES)
LABEL_OF = {word: label for label, words in NAMES.items() for word in words}
NAME_RE = re.compile(r"\b(" + "|".join(sorted(LABEL_OF, key=len, reverse=True)) + r")\b")


def mentions(text: str) -> list[tuple[int, int, str]]:
    """Every mention of a listed name in ``text``: (start, end, label)."""
    return [(m.start(), m.end(), LABEL_OF[m.group(1)]) for m in NAME_RE.finditer(text)]


def run(cfg: Config) -> list[Row]:
    n = cfg.pick(1000, 500, 20)
    label = f"13 suggest with a model: {k(n)} docs"
    why = missing("annotator.services.suggest.train") or missing("spacy")
    if why:
        return [Row.unavailable(label, T_SUGGEST, "ms", why)]
    from annotator.core.kinds import DocStatus
    from annotator.core.models import Document, entity
    from annotator.core.store import Project
    from annotator.services.suggest.spacy_model import load_spacy_suggester
    from annotator.services.suggest.train import TrainOptions, train_model
    from benchmarks.data import SentencePool

    pool = SentencePool(cfg.seed)
    iterations = cfg.pick(6, 6, 1)
    model = cfg.path / f"suggest-model-names-{iterations}-{cfg.seed}"
    path = cfg.path / f"suggest-train-names-{iterations}-{cfg.seed}.annotator"
    t0 = time.perf_counter()
    if not model.exists():
        path.unlink(missing_ok=True)
        items = []
        for i in range(cfg.pick(40, 40, 8)):
            text, _ = pool.document(1500, 0, LABELS, f"Training article {i}")
            doc = Document(id=f"t{i}", text=text, status=DocStatus.DONE)
            items.append((doc, [entity(doc.id, s, e, lab, "bench") for s, e, lab in mentions(text)]))
        with Project(path, create=True) as project:
            project.insert_documents(items)
            train_model(project, model, TrainOptions(layer="bench", iterations=iterations, held_out=0.2))
    trained = time.perf_counter() - t0
    project = Project(path)
    schema = project.schema
    project.close()
    docs = [Document(id=f"d{i}", text=pool.document(1500, 0, LABELS, f"Article {i}")[0]) for i in range(n)]
    texts = [d.text for d in docs]
    one = load_spacy_suggester(str(model), None, schema, n_process=1)
    nlp = one.nlp  # type: ignore[attr-defined]

    def ours() -> int:
        return sum(len(s) for s in one.suggest_many(docs))

    def floor() -> int:
        return sum(len(d.ents) for d in nlp.pipe(texts, batch_size=32))

    warm = docs[:50]  # warm both paths (model, vocabulary, allocations) on a few documents
    sum(len(s) for s in one.suggest_many(warm))
    sum(len(d.ents) for d in nlp.pipe([d.text for d in warm], batch_size=32))
    reps = cfg.pick(3, 2, 1)
    o, b = [], []
    found = 0
    for _ in range(reps):
        t = time.perf_counter()
        found = ours()
        o.append(ms(time.perf_counter() - t))
        t = time.perf_counter()
        floor()
        b.append(ms(time.perf_counter() - t))
    auto = load_spacy_suggester(str(model), None, schema)
    t = time.perf_counter()
    sum(len(s) for s in auto.suggest_many(docs))
    auto_ms = ms(time.perf_counter() - t)
    return [
        Row.make(
            label,
            o,
            b,
            T_SUGGEST,
            baseline_what="the same pipeline's nlp.pipe over the same texts (batch 32)",
            note=f"{found:,} suggestions ({found / n:.0f} a document); with automatic processes {auto_ms:.0f} ms; model trained in {trained:.0f} s (untimed)",
            size=f"{n:,} documents of ~1,500 characters",
        )
    ]
