"""Case 9: annotate all (issue 16): label 10,000 occurrences of a phrase across a
corpus of 1,000 documents as one undoable step
(``annotator.services.propagate.apply_candidates``: one transaction, one
``PropagateAnnotations`` command), and undo it (``annotator.core.commands.revert``).

The baseline column is the least any tool has to do: one ``sqlite3``
``executemany`` of the very same annotation rows into the same project, in one
transaction (and, for undo, one ``executemany`` deleting them). The search that
lists the candidates is timed too (in the note)."""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

from benchmarks.harness import Config, Row, Target, k, missing

TITLE = "annotate all"
T_APPLY = Target(max_value=2000.0)
T_UNDO = Target(max_value=2000.0)
PHRASE = "Indian firms"
WORDS = "the ministry said on Thursday that licences were granted to several companies in Delhi and Mumbai after talks".split()


def corpus_project(path: Path, n_docs: int, per_doc: int, seed: int) -> None:
    """``n_docs`` documents of about 1,500 characters, each with ``per_doc`` occurrences of :data:`PHRASE`."""
    from annotator.core.models import Document
    from annotator.core.store import Project

    rnd = random.Random(seed)
    docs = []
    for i in range(n_docs):
        parts = [f"Article {i}."]
        for _ in range(per_doc):
            parts.append(" ".join(rnd.choice(WORDS) for _ in range(18)))
            parts.append(f"{PHRASE}’s shares rose." if rnd.random() < 0.3 else f"{PHRASE} agreed.")
        docs.append((Document(text=" ".join(parts)), []))
    with Project(path, create=True) as project:
        project.insert_documents(docs)
        project.index_pending()  # as the app leaves it, once it has caught up
        project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def run(cfg: Config) -> list[Row]:
    n_docs = cfg.pick(1000, 1000, 20)
    per_doc = 10
    n = n_docs * per_doc
    labels = (f"10 annotate all: add {k(n)} spans in {k(n_docs)} docs", f"10 annotate all: undo {k(n)} spans")
    why = missing("annotator.services.propagate")
    if why:
        return [Row.unavailable(labels[0], T_APPLY, "ms", why), Row.unavailable(labels[1], T_UNDO, "ms", why)]
    from annotator.core.commands import revert
    from annotator.core.rows import annotation_row
    from annotator.core.store import Project
    from annotator.services.propagate import Search, apply_candidates, find_candidates, propagation_command

    path = cfg.path / f"propagate-{n_docs}-{cfg.seed}.annotator"
    if not path.exists():
        tmp = path.with_name(path.name + ".part")
        corpus_project(tmp, n_docs, per_doc, cfg.seed)
        tmp.rename(path)
    reps = cfg.pick(5, 3, 1)
    search = Search(PHRASE, "ORG", whole_word=True, annotator="bench")
    apply_ms, undo_ms, find_ms = [], [], []
    rows = []
    with Project(path) as project:
        for _ in range(reps):
            t0 = time.perf_counter()
            found = find_candidates(project, search)
            find_ms.append((time.perf_counter() - t0) * 1000)
            assert len(found.ticked) == n, (len(found.ticked), n)
            t0 = time.perf_counter()
            command, _ = apply_candidates(project, search, found.ticked)
            apply_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            revert(project, command)
            undo_ms.append((time.perf_counter() - t0) * 1000)
        rows = [annotation_row(a) for a in propagation_command(project, search, found.ticked).annotations]
    assert len(rows) == n
    base_add, base_del = [], []
    for _ in range(reps):
        conn = sqlite3.connect(path, isolation_level=None)
        marks = ", ".join("?" * len(rows[0]))
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO annotations VALUES ({marks})", rows)
        conn.execute("COMMIT")
        base_add.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("DELETE FROM annotations WHERE id = ?", [(r.id,) for r in rows])
        conn.execute("COMMIT")
        base_del.append((time.perf_counter() - t0) * 1000)
        conn.close()
    size = f"{n_docs:,} documents x {per_doc} occurrences of “{PHRASE}” (whole-word, possessives included)"
    finding = sorted(find_ms)[len(find_ms) // 2]
    return [
        Row.make(
            labels[0],
            apply_ms,
            base_add,
            T_APPLY,
            size=size,
            baseline_what="sqlite3 executemany of the same rows, one transaction",
            note=f"one transaction, one undo step; listing the candidates first took {finding:.0f} ms (median)",
        ),
        Row.make(
            labels[1],
            undo_ms,
            base_del,
            T_UNDO,
            size=size,
            baseline_what="sqlite3 executemany deleting the same rows, one transaction",
            note="checks every row is as added, deletes rows and their provenance, restores document statuses",
        ),
    ]
