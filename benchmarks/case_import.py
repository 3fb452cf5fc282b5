"""Case 4: import 10,000 articles (~50 MB of text, 100,000 pre-annotated spans)
from generic JSONL through ``annotator.services.importing.import_paths`` into a new
project, against inserting the very same rows (read back from our project)
with ``sqlite3`` ``executemany`` in one transaction into a new project file of
the same schema."""

from __future__ import annotations

import sqlite3
import statistics
import time

from benchmarks.data import corpus_jsonl
from benchmarks.harness import Config, Row, Target, k, missing, reset_peak, rss_mb

TITLE = "import"
T_IMPORT = Target(max_ratio=3.0)


def corpus_size(cfg: Config) -> tuple[int, int, int]:
    """(documents, characters per document, spans per document) for this mode."""
    return cfg.pick(10_000, 2_000, 60), 5_000, 10


def corpus(cfg: Config):
    n, chars, spans = corpus_size(cfg)
    return corpus_jsonl(cfg.path / f"corpus-{n}-{cfg.seed}.jsonl", n, chars, spans, cfg.seed)


def run(cfg: Config) -> list[Row]:
    n, _, spans = corpus_size(cfg)
    label = f"4 import {k(n)} articles JSONL"
    size_mb = 0.0
    path = corpus(cfg)
    size_mb = path.stat().st_size / 1e6
    size = f"{n:,} documents, {size_mb:.1f} MB JSONL, {n * spans:,} spans"
    why = missing("annotator.services.importing")
    if why:
        return [Row.unavailable(label, T_IMPORT, "ms", why)]
    from annotator.core.store import Project
    from annotator.services.importing import import_paths

    reps = cfg.pick(3, 2, 1)
    keep = cfg.path / "imported.annotator"
    ours, base, cpu_ours, cpu_base, problems = [], [], [], [], []
    tables: dict = {}
    reset_peak()
    # Ours and the baseline alternate, so that both meet the same load on the machine.
    for i in range(reps):
        target = cfg.path / f"import-{i}.annotator"
        _remove(target)
        project = Project(target, create=True)
        t0, c0 = time.perf_counter(), time.process_time()
        report = import_paths(project, [path], fmt="jsonl")
        ours.append((time.perf_counter() - t0) * 1000)
        cpu_ours.append((time.process_time() - c0) * 1000)
        docs = project.document_count()
        if docs != n:
            problems.append(f"imported {docs} of {n} documents: {report!r}"[:300])
        project.close()
        if i == 0:
            peak = rss_mb()[1]
            _remove(keep)
            target.rename(keep)
            for suffix in ("-wal", "-shm"):
                _remove(keep.with_name(keep.name + suffix))
            tables = _rows(keep)  # the same rows, for sqlite3 alone
        else:
            _remove(target)
        wall, cpu = _baseline(cfg.path / f"baseline-{i}.annotator", tables)
        base.append(wall)
        cpu_base.append(cpu)
    note = (
        f"CPU time: ours {statistics.median(cpu_ours) / 1000:.2f} s, baseline {statistics.median(cpu_base) / 1000:.2f} s "
        f"(ratio {statistics.median(cpu_ours) / statistics.median(cpu_base):.2f}); "
        f"peak resident memory of the importing process {peak:.0f} MB"
    )
    if problems:
        note += "; PROBLEM: " + "; ".join(problems)
    return [
        Row.make(
            label,
            ours,
            base,
            T_IMPORT,
            note=note,
            size=size,
            baseline_what="the same rows with sqlite3 executemany in one transaction (same schema and indexes)",
        )
    ]


def _rows(path) -> dict:
    src = sqlite3.connect(path)
    tables = {}
    for table in ("documents", "annotations"):
        cur = src.execute(f"SELECT * FROM {table}")
        tables[table] = ([d[0] for d in cur.description], cur.fetchall())
    src.close()
    return tables


def _baseline(target, tables: dict) -> tuple[float, float]:
    """(wall ms, CPU ms) of inserting ``tables`` into a new project file with sqlite3 alone."""
    from annotator.core.store import Project

    _remove(target)
    Project(target, create=True).close()
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    t0, c0 = time.perf_counter(), time.process_time()
    with conn:
        for table, (cols, rows) in tables.items():
            marks = ", ".join("?" * len(cols))
            names = ", ".join(f'"{c}"' for c in cols)
            conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    out = ((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000)
    conn.close()
    _remove(target)
    return out


def _remove(p) -> None:
    for suffix in ("", "-wal", "-shm"):
        q = p.with_name(p.name + suffix)
        if q.exists():
            q.unlink()
