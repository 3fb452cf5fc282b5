"""Case 11: dictionary suggestions (issue 17).

The project is 10,000 articles of about 5,000 characters (case 4's size, made
with :func:`benchmarks.data.many_documents`); in the first 200 documents
``bench`` labelled the names (capitalised words inside a sentence, one label
per name, nine occurrences in ten), and the dictionary learns those terms (:func:`annotator.services.suggest.service.build_dictionary`,
scoring them over the 200 documents; untimed, in the note).  Timed, each against a baseline measured in the same run:

- the dictionary's suggestions for one 1 MB article
  (:meth:`DictionarySuggester.found`, what the article view and ``annotator
  suggest`` call; the note gives :meth:`~DictionarySuggester.suggest` too, which
  makes a :class:`Suggestion` of each), against the plain way: ``re.finditer``
  over one alternation of the terms between ``\\b`` s and a dict lookup of each
  match's labels (no token rules: what a naive matcher pays);
- ``annotator suggest --using dictionary --documents all`` over the 10,000
  articles, a first run (the stored suggestions cleared before, untimed), through
  the command's own functions (building the dictionary once, suggesting, storing
  every suggestion, one transaction per 250 documents),
  against the plain way over the same texts: the one-alternation matcher, a row
  tuple per match and ``executemany`` into a table of the earlier layout (m012 +
  m014: text ids, 13 columns; before ``m016_suggestions_compact``) in a scratch
  database (one transaction per 250 documents); the note gives that storing
  alone, and the time of running it again over the same corpus (which touches
  only the suggestions that changed: none).
"""

from __future__ import annotations

import random
import re
import sqlite3
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


def _naive(dictionary) -> tuple[re.Pattern[str], dict[str, list[tuple[str, str, float, str]]]]:
    """The baseline matcher: one alternation of the terms (longest first) between
    word boundaries, and each term's (kind, label, score, detail) by its text."""
    terms: dict[str, list[tuple[str, str, float, str]]] = {}
    for (kind, _lower), matcher in dictionary._matchers.items():
        for key, labels in matcher.terms.items():
            for label, info in labels.items():
                terms.setdefault(" ".join(key), []).append((kind, label, info.score, info.detail_json))
    alternation = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b"), terms


def _naive_found(pattern: re.Pattern[str], terms: dict, text: str) -> list[tuple]:
    return [
        (kind, label, m.start(), m.end(), score, detail)
        for m in pattern.finditer(text)
        for kind, label, score, detail in terms[m.group()]
    ]


#: The baseline's table: the suggestions' layout of m012 + m014 (text ids, the
#: document's text id, the suggester, time and detail on every row, 13 columns), the
#: layout before ``m016_suggestions_compact``.
OLD_LAYOUT = """
CREATE TABLE suggestions (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, score REAL NOT NULL, suggester TEXT NOT NULL,
    claimant_start INTEGER, claimant_end INTEGER, claimant_text TEXT,
    detail TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL
);
CREATE INDEX suggestions_doc ON suggestions(doc_id, start);
CREATE INDEX suggestions_score ON suggestions(score DESC);
"""


def _scratch(project, path) -> sqlite3.Connection:
    """A scratch database with the earlier layout of the suggestions table and its indexes (:data:`OLD_LAYOUT`)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.executescript(OLD_LAYOUT)
    return conn


def _naive_corpus(project, dictionary, doc_ids: list[str], conn: sqlite3.Connection, batch: int) -> tuple[int, float]:
    """The baseline corpus run; (rows stored, seconds spent storing)."""
    pattern, terms = _naive(dictionary)
    conn.execute("DELETE FROM suggestions")
    # the same columns as ours (the claimant's left NULL)
    insert = 'INSERT INTO suggestions (id, doc_id, kind, label, start, "end", score, suggester, detail, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
    n = 0
    storing = 0.0
    for i in range(0, len(doc_ids), batch):
        part = doc_ids[i : i + batch]
        texts, _ = project.document_texts(part)
        rows = []
        for doc_id in part:
            for kind, label, s, e, score, detail in _naive_found(pattern, terms, texts[doc_id]):
                n += 1
                rows.append((f"naive{n:011x}", doc_id, kind, label, s, e, score, "dictionary", detail, "now"))
        t = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(insert, rows)
        conn.execute("COMMIT")
        storing += time.perf_counter() - t
    return n, storing


def run(cfg: Config) -> list[Row]:
    n = cfg.pick(10_000, 2_000, 40)
    chars = cfg.pick(1_000_000, 1_000_000, 50_000)
    labels = (f"12 suggest: dictionary, {k(chars)}-char article", f"12 suggest: dictionary over {k(n)} docs")
    why = missing("annotator.services.suggest.dictionary")
    if why:
        return [Row.unavailable(labels[0], T_ARTICLE, "ms", why), Row.unavailable(labels[1], T_CORPUS, "ms", why)]
    from annotator.core.models import Document
    from annotator.core.store import Project
    from annotator.services.suggest.pipeline import worker_processes, worker_wanted
    from annotator.services.suggest.service import BATCH, build_dictionary, run_suggester, select_documents
    from benchmarks.data import TextMaker

    path = _project(cfg, n)
    reps = cfg.pick(5, 3, 1)
    with Project(path) as project:
        t0 = time.perf_counter()
        dictionary = build_dictionary(project, annotator="bench")
        learned = ms(time.perf_counter() - t0)
        text = TextMaker(cfg.seed + 3).article(chars)
        doc = Document(id="article", text=text)
        pattern, terms = _naive(dictionary)
        found = dictionary.found(text)  # warm: the regex compiled
        naive = _naive_found(pattern, terms, text)
        ours, base, objects = [], [], []
        for _ in range(reps):
            t = time.perf_counter()
            found = dictionary.found(text)
            ours.append(ms(time.perf_counter() - t))
            t = time.perf_counter()
            naive = _naive_found(pattern, terms, text)
            base.append(ms(time.perf_counter() - t))
            t = time.perf_counter()
            dictionary.suggest(doc)
            objects.append(ms(time.perf_counter() - t))
        article = Row.make(
            labels[0],
            ours,
            base,
            T_ARTICLE,
            size=f"{len(text):,} characters, {len(dictionary):,} terms learned from {LEARNED_DOCS} documents",
            baseline_what="re.finditer over one \\b-alternation of the terms + a dict lookup per match (no token rules)",
            note=(
                f"{len(found):,} suggestions (baseline {len(naive):,}); as Suggestion objects (suggest()) "
                f"{sorted(objects)[len(objects) // 2]:.0f} ms; learning the dictionary took {learned:.0f} ms"
            ),
        )
        corpus, floor, storing = [], [], []
        summary = None
        doc_ids = select_documents(project, "all")
        conn = _scratch(project, cfg.path / "suggest-naive.sqlite")
        naive_rows = 0
        try:
            for _ in range(cfg.pick(3, 2, 1)):
                with project.transaction():  # untimed: each time a first run, nothing stored to compare with
                    project.delete_suggestions()
                t = time.perf_counter()
                suggester = build_dictionary(project, annotator="bench")
                summary = run_suggester(project, suggester, select_documents(project, "all"))
                corpus.append(ms(time.perf_counter() - t))
                t = time.perf_counter()
                naive_rows, stored_s = _naive_corpus(project, dictionary, doc_ids, conn, BATCH)
                floor.append(ms(time.perf_counter() - t))
                storing.append(ms(stored_s))
        finally:
            conn.close()
        # and running it again over the same corpus (nothing changed: every row stays as it is)
        t = time.perf_counter()
        again = run_suggester(project, build_dictionary(project, annotator="bench"), select_documents(project, "all"))
        rerun = ms(time.perf_counter() - t)
    assert summary is not None
    batches = -(-n // BATCH)
    matched = (
        f"matched by {worker_processes()} worker processes beside the storing"
        if worker_wanted(batches)
        else "matched in the storing process"
    )
    whole = Row.make(
        labels[1],
        corpus,
        floor,
        T_CORPUS,
        size=f"{n:,} documents of ~5,000 characters",
        baseline_what="one-alternation matcher + executemany of the rows into a scratch table of the earlier layout (m012+m014), 250 docs per transaction",
        note=(
            f"{summary.suggestions:,} suggestions stored (baseline {naive_rows:,}) by a first run: build + suggest + store"
            f" ({matched}); "
            f"the baseline's storing alone {sorted(storing)[len(storing) // 2]:.0f} ms; run again over the same corpus "
            f"{rerun:.0f} ms ({again.rows_deleted:,} rows deleted, {again.rows_inserted:,} inserted)"
        ),
    )
    return [article, whole]
