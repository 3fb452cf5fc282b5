"""Case 6: open a project of 100,000 documents until the main window is shown
and usable (first paint, then the event loop idle), in a fresh process
(``annotator.ui.app.run(PROJECT)`` under :mod:`benchmarks.probe`), with its
resident memory at that moment.  The baseline column is the same start on
the small demo project, for comparison (the targets are absolute)."""

from __future__ import annotations

import time

from benchmarks.harness import Config, Row, Target, k, missing
from benchmarks.startup import probes

TITLE = "open big project"
T_OPEN = Target(max_value=1000.0)
T_MEM = Target(max_value=300.0)


def build(cfg: Config) -> tuple[str, int]:
    from annotator.core.store import Project
    from benchmarks.data import many_documents

    n = cfg.pick(100_000, 100_000, 2_000)
    path = cfg.path / f"big-{n}-{cfg.seed}.annotator"
    if not path.exists():
        tmp = path.with_name(path.name + ".part")
        for suffix in ("", "-wal", "-shm"):
            p = tmp.with_name(tmp.name + suffix)
            if p.exists():
                p.unlink()
        with Project(tmp, create=True) as project:
            many_documents(project, n, cfg.pick(1500, 600, 300), cfg.pick(3, 2, 2), cfg.seed)
            project.index_pending()  # as the app leaves it, once it has caught up
            project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tmp.rename(path)
    return str(path), n


def run(cfg: Config) -> list[Row]:
    t0 = time.perf_counter()
    path, n = build(cfg)
    built = time.perf_counter() - t0
    label_t, label_m = f"6 open {k(n)}-document project", f"6 resident memory, {k(n)} documents"
    why = missing("annotator.ui.app")
    if why:
        return [Row.unavailable(label_t, T_OPEN, "ms", why), Row.unavailable(label_m, T_MEM, "MB", why)]
    reps = cfg.pick(5, 3, 1)
    big = probes(cfg, "app", reps, path)
    demo = probes(cfg, "app", reps)
    rows_seen = max(p.get("item_view_rows", 0) for p in big)
    paint = sorted(p["paint"] for p in big)[len(big) // 2]
    note = (
        f"from process spawn; first paint {paint:.0f} ms; largest item view shows {rows_seen:,} rows; "
        f"project generated in {built:.0f} s (untimed)"
    )
    size = f"{n:,} documents"
    return [
        Row.make(
            label_t,
            [p["idle"] for p in big],
            [p["idle"] for p in demo],
            T_OPEN,
            baseline_what="the same app on the demo project",
            note=note,
            size=size,
        ),
        Row.make(
            label_m,
            [p["rss_mb"] for p in big],
            [p["rss_mb"] for p in demo],
            T_MEM,
            unit="MB",
            baseline_what="the same app on the demo project",
            note=f"VmRSS when usable; peak (VmHWM) {max(p['peak_rss_mb'] for p in big):.0f} MB",
            size=size,
        ),
    ]
