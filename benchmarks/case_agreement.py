"""Case 7: agreement (every metric: entity F1 exact/overlap, token kappa,
Krippendorff's alpha, event trigger/argument F1, claim agreement) over 1,000
documents x 3 annotators x 30 spans, with ``annotator.core.agreement.agreement``.
The baseline column is reading the same annotation rows and document texts
with ``sqlite3`` (what any metric has to do at the least)."""

from __future__ import annotations

import sqlite3
import time

from benchmarks.harness import Config, Row, Target, k, missing

TITLE = "agreement"
T_AGREE = Target(max_value=2000.0)


def run(cfg: Config) -> list[Row]:
    from annotator.core.store import Project
    from benchmarks.data import agreement_project

    n_docs = cfg.pick(1000, 1000, 40)
    label = f"7 agreement {k(n_docs)} docs x 3 annotators x 30 spans"
    size = f"{n_docs:,} documents x 3 annotators x 30 spans (entities, events with arguments, claims)"
    path = cfg.path / f"agreement-{n_docs}-{cfg.seed}.annotator"
    if not path.exists():
        tmp = path.with_name(path.name + ".part")
        with Project(tmp, create=True) as project:
            agreement_project(project, n_docs, 3, 30, cfg.seed)
            project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tmp.rename(path)
    why = missing("annotator.core.agreement")
    if why:
        return [Row.unavailable(label, T_AGREE, "ms", why)]
    from annotator.core.agreement import agreement

    reps = cfg.pick(5, 3, 1)
    ours = []
    report = None
    for _ in range(reps + 1):
        with Project(path) as project:
            t0 = time.perf_counter()
            report = agreement(project)
            ours.append((time.perf_counter() - t0) * 1000)
    ours = ours[1:]
    base = []
    for _ in range(reps + 1):
        conn = sqlite3.connect(path)
        t0 = time.perf_counter()
        conn.execute("SELECT * FROM annotations WHERE annotator != '@gold'").fetchall()
        conn.execute("SELECT id, title, text FROM documents").fetchall()
        base.append((time.perf_counter() - t0) * 1000)
        conn.close()
    base = base[1:]
    pairs = report.get("pairs", []) if isinstance(report, dict) else []
    f1 = [p.get("entity_f1_exact") for p in pairs]
    shown = ", ".join(f"{x:.3f}" if isinstance(x, float) else str(x) for x in f1)
    return [
        Row.make(
            label,
            ours,
            base,
            T_AGREE,
            size=size,
            baseline_what="sqlite3 fetch of the same annotation rows and texts",
            note=f"{len(pairs)} pairs; entity_f1_exact per pair: {shown}",
        )
    ]
