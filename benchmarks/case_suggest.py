"""Case 11: dictionary suggestions (issue 17).

The project is 10,000 articles of about 5,000 characters (case 4's size, made
with :func:`benchmarks.data.many_documents`); in the first 200 documents
``bench`` labelled the names (capitalised words inside a sentence, one label
per name, nine occurrences in ten), and the dictionary learns those terms (:func:`annotator.services.suggest.service.build_dictionary`,
scoring them over the 200 documents; untimed, in the note).  Timed:

- the dictionary's suggestions for one 1 MB article
  (:meth:`DictionarySuggester.suggest`), against tokenizing the same text with
  the project tokenizer (what a token-by-token matcher pays before matching);
- ``annotator suggest --using dictionary --documents all`` over the 10,000
  articles, through the command's own functions (building the dictionary,
  suggesting, storing every suggestion), against reading every document (the
  floor of any pass over the corpus).
"""

from __future__ import annotations

import random
import re
import time

from benchmarks.harness import Config, Row, Target, k, missing, ms

TITLE = "suggest"
T_ARTICLE = Target(max_value=100.0)
T_CORPUS = Target(max_value=10_000.0)
LEARNED_DOCS = 200
NAME = re.compile(r"[a-z,] ([A-Z][^\W\d_]+)")


def _project(cfg: Config, n: int):
    from annotator.core.store import Project
    from benchmarks.data import many_documents

    path = cfg.path / f"suggest-{n}-{cfg.seed}.annotator"
    if not path.exists():
        tmp = path.with_name(path.name + ".part")
        with Project(tmp, create=True) as project:
            many_documents(project, n, 5_000, 0, cfg.seed)
            from annotator.core.models import entity

            # Names (capitalised words inside a sentence), each with one label throughout, as an
            # annotator labels them; every tenth occurrence left out, as annotators miss some.
            labels = ["PERSON", "ORG", "GPE", "LOC", "NORP"]
            rng = random.Random(cfg.seed + 17)
            anns = []
            for doc in project.iter_documents(project.document_ids()[:LEARNED_DOCS]):
                for m in NAME.finditer(doc.text):
                    if rng.random() < 0.9:
                        word = m.group(1)
                        anns.append(entity(doc.id, m.start(1), m.end(1), labels[sum(map(ord, word)) % len(labels)], "bench"))
            with project.transaction():
                project.put_annotations(anns)
                project.ensure_annotators({"bench"})
        tmp.rename(path)
    return path


def run(cfg: Config) -> list[Row]:
    n = cfg.pick(10_000, 2_000, 40)
    chars = cfg.pick(1_000_000, 1_000_000, 50_000)
    labels = (f"11 suggest: dictionary, {k(chars)}-char article", f"11 suggest: dictionary over {k(n)} docs")
    why = missing("annotator.services.suggest.dictionary")
    if why:
        return [Row.unavailable(labels[0], T_ARTICLE, "ms", why), Row.unavailable(labels[1], T_CORPUS, "ms", why)]
    from annotator.core.models import Document
    from annotator.core.store import Project
    from annotator.core.tokenize import token_spans
    from annotator.services.suggest.service import build_dictionary, run_suggester, select_documents
    from benchmarks.data import TextMaker

    path = _project(cfg, n)
    reps = cfg.pick(5, 3, 1)
    with Project(path) as project:
        t0 = time.perf_counter()
        dictionary = build_dictionary(project, annotator="bench")
        learned = ms(time.perf_counter() - t0)
        text = TextMaker(cfg.seed + 3).article(chars)
        doc = Document(id="article", text=text)
        found = dictionary.suggest(doc)  # warm: the regex compiled, the chunk memo filled alike
        token_spans(text)
        ours, base = [], []
        for _ in range(reps):
            t = time.perf_counter()
            found = dictionary.suggest(doc)
            ours.append(ms(time.perf_counter() - t))
            t = time.perf_counter()
            token_spans(text)
            base.append(ms(time.perf_counter() - t))
        article = Row.make(
            labels[0],
            ours,
            base,
            T_ARTICLE,
            size=f"{len(text):,} characters, {len(dictionary):,} terms learned from {LEARNED_DOCS} documents",
            baseline_what="tokenizing the text (token_spans)",
            note=f"{len(found):,} suggestions; learning the dictionary took {learned:.0f} ms",
        )
        corpus, floor = [], []
        summary = None
        for _ in range(cfg.pick(3, 2, 1)):
            t = time.perf_counter()
            suggester = build_dictionary(project, annotator="bench")
            summary = run_suggester(project, suggester, select_documents(project, "all"))
            corpus.append(ms(time.perf_counter() - t))
            t = time.perf_counter()
            sum(len(d.text) for d in project.iter_documents())
            floor.append(ms(time.perf_counter() - t))
    assert summary is not None
    whole = Row.make(
        labels[1],
        corpus,
        floor,
        T_CORPUS,
        size=f"{n:,} documents of ~5,000 characters",
        baseline_what="reading every document (iter_documents)",
        note=f"{summary.suggestions:,} suggestions stored (replacing the previous run's), build + suggest + store",
    )
    return [article, whole]
