"""Case 11: coreference agreement (issue 15): MUC, B³, CEAF-e and the CoNLL score
between two annotators over 1,000 documents of 2,000 mentions in 200 clusters
each (4 million mentions in all), with
``annotator.core.agreement.coref_agreement`` (the numbers ``annotator agreement``
reports under ``coref_*``).  Target: under 5 s.

The data are generated straight into the project file with ``sqlite3`` (the
store's own row layout, its indexes and triggers made again after the rows),
built once per work folder (``--keep-data`` keeps it) and untimed.  Bob's clusters are Alice's with one mention in ten moved to
another cluster, one in twenty left out, and clusters 0 and 1 merged in every
document (so CEAF-e's alignment has work to do).  The baseline is reading the
same clusters' mention spans with ``sqlite3`` (one row per mention: what any
scorer has to read at the least).
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import time
from pathlib import Path

from benchmarks.harness import Config, Row, Target, k, missing, ms

TITLE = "coreference agreement"
T_COREF = Target(max_value=5000.0)
WORD = 6  # "w0001 ": each mention is one word of the text

BASE = (
    'SELECT c.doc_id, c.annotator, m.cluster_id, a.start, a."end" FROM coref_clusters c '
    "JOIN coref_members m ON m.cluster_id = c.id JOIN annotations a ON a.id = m.ann_id"
)
INDEXES = ("annotations_doc", "annotations_label", "annotations_annotator")
#: the member spans are written with the members here, so the triggers that keep them are not needed while building
TRIGGERS = ("coref_members_span_insert", "coref_members_span_update", "coref_members_span_delete")


def build(path: Path, n_docs: int, n_mentions: int, n_clusters: int, seed: int) -> None:
    """The project: ``n_docs`` documents, each with ``n_mentions`` entity spans per
    annotator (alice, bob) in about ``n_clusters`` clusters."""
    from annotator.core.store import Project
    from annotator.core.store_sql import ANN_INSERT, DOC_INSERT

    rng = random.Random(seed)
    with Project(path, create=True):
        pass
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    sql = {
        name: body
        for name, body in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        )
    }
    stamp = "2026-12-03T00:00:00.000+00:00"
    with conn:
        for name in INDEXES:
            conn.execute(f"DROP INDEX {name}")
        for name in TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
        docs = []
        for d in range(n_docs):
            text = f"d{d:05d} " + "".join(f"w{i % 10000:04d} " for i in range(n_mentions))
            sha = hashlib.sha256(text.encode()).hexdigest()
            docs.append((f"doc{d:05d}", None, f"coref {d}", text, sha, "bench", "{}", "in_progress", stamp, stamp))
        conn.executemany(DOC_INSERT, docs)
        offset = WORD + 1  # after "d00000 "

        def ann_rows():
            for d in range(n_docs):
                doc = f"doc{d:05d}"
                for who in ("a", "b"):
                    name = "alice" if who == "a" else "bob"
                    for i in range(n_mentions):
                        s = offset + i * WORD
                        yield (
                            f"{doc}{who}{i:05d}",
                            doc,
                            "entity",
                            "PERSON",
                            s,
                            s + 5,
                            "{}",
                            "[]",
                            None,
                            None,
                            None,
                            None,
                            name,
                            "manual",
                            stamp,
                            stamp,
                        )

        conn.executemany(ANN_INSERT, ann_rows())
        clusters: list[tuple] = []
        members: list[tuple] = []
        for d in range(n_docs):
            doc = f"doc{d:05d}"
            alice = [i % n_clusters for i in range(n_mentions)]
            bob = []
            for c in alice:
                r = rng.random()
                if r < 0.05:
                    bob.append(None)  # left out of every cluster
                elif r < 0.15:
                    bob.append(rng.randrange(n_clusters))
                else:
                    bob.append(0 if c == 1 else c)
            for who, name, of in (("a", "alice", alice), ("b", "bob", bob)):
                positions: dict[int, int] = {}
                for i, c in enumerate(of):
                    if c is None:
                        continue
                    cid = f"{doc}{who}c{c}"
                    if c not in positions:
                        positions[c] = 0
                        clusters.append((cid, doc, name, None, None, None, stamp, stamp))
                    start = offset + i * WORD
                    members.append((cid, f"{doc}{who}{i:05d}", positions[c], start, start + 5))
                    positions[c] += 1
        conn.executemany(
            "INSERT INTO coref_clusters (id, doc_id, annotator, name, type, entry_id, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            clusters,
        )
        conn.executemany('INSERT INTO coref_members (cluster_id, ann_id, position, start, "end") VALUES (?, ?, ?, ?, ?)', members)
        for name in INDEXES + TRIGGERS:
            conn.execute(sql[name])
        conn.executemany("INSERT OR IGNORE INTO annotators VALUES (?, ?)", [("alice", stamp), ("bob", stamp)])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def run(cfg: Config) -> list[Row]:
    n_docs = cfg.pick(1000, 1000, 10)
    n_mentions = cfg.pick(2000, 2000, 60)
    n_clusters = cfg.pick(200, 200, 6)
    label = f"11 coref agreement {k(n_docs)} docs x {k(n_mentions)} mentions"
    size = f"{n_docs:,} documents x 2 annotators x {n_mentions:,} mentions in {n_clusters} clusters"
    why = missing("annotator.core.agreement.coref")
    if why:
        return [Row.unavailable(label, T_COREF, "ms", why)]
    from annotator.core.agreement import coref_agreement
    from annotator.core.store import Project

    path = cfg.path / f"coref-{n_docs}-{n_mentions}-{cfg.seed}.annotator"
    built = 0.0
    if not path.exists():
        tmp = path.with_name(path.name + ".part")
        for extra in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            extra.unlink(missing_ok=True)
        t0 = time.perf_counter()
        build(tmp, n_docs, n_mentions, n_clusters, cfg.seed)
        built = time.perf_counter() - t0
        tmp.rename(path)
    reps = cfg.pick(3, 2, 1)
    ours, base = [], []
    report: dict = {}
    for i in range(reps + 1):  # the first of each warms the page cache
        with Project(path) as project:
            t0 = time.perf_counter()
            report = coref_agreement(project, ["alice", "bob"])
            took = ms(time.perf_counter() - t0)
        conn = sqlite3.connect(path)
        t0 = time.perf_counter()
        rows = len(conn.execute(BASE).fetchall())
        took_base = ms(time.perf_counter() - t0)
        conn.close()
        if i:
            ours.append(took)
            base.append(took_base)
    pair = report["pairs"][0]
    scores = ", ".join(f"{m} {pair[f'coref_{m}']['f1']:.3f}" for m in ("muc", "b3", "ceafe", "conll"))
    note = f"F1: {scores}; {pair['coref']['documents']} documents, {rows:,} mentions read"
    if built:
        note += f"; project generated in {built:.0f} s (untimed)"
    return [
        Row.make(
            label,
            ours,
            base,
            T_COREF,
            size=size,
            baseline_what="sqlite3 fetch of the same clusters' mention spans (one row per mention)",
            note=note,
        )
    ]
