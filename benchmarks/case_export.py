"""Case 5: export the imported corpus of case 4 (10,000 articles, 100,000 spans)
as ``native`` and as ``spans`` through ``annotator.services.exporting.export``,
against writing the very same dictionaries (read back from our output) with
the standard ``json`` module to a file."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from benchmarks.harness import Config, Row, Target, k, missing, reset_peak, rss_mb

TITLE = "export"
T_EXPORT = Target(max_ratio=2.0)


def project_path(cfg: Config) -> Path:
    """The project imported by case 4 (imported here, untimed, when case 4 did not run)."""
    from annotator.core.store import Project
    from annotator.services.importing import import_paths
    from benchmarks.case_import import corpus

    path = cfg.path / "imported.annotator"
    if not path.exists():
        tmp = cfg.path / "imported.part.annotator"
        for suffix in ("", "-wal", "-shm"):
            p = tmp.with_name(tmp.name + suffix)
            if p.exists():
                p.unlink()
        with Project(tmp, create=True) as project:
            import_paths(project, [corpus(cfg)], fmt="jsonl")
            project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tmp.rename(path)
    return path


def json_baseline(out: Path, records: list[dict], ensure_ascii: bool) -> float:
    t0 = time.perf_counter()
    with open(out, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=ensure_ascii) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return (time.perf_counter() - t0) * 1000


def run(cfg: Config) -> list[Row]:
    from benchmarks.case_import import corpus_size

    n, _, spans = corpus_size(cfg)
    why = missing("annotator.services.exporting") or missing("annotator.services.importing")
    labels = {fmt: f"5 export {fmt} ({k(n)} articles)" for fmt in ("native", "spans")}
    if why:
        return [Row.unavailable(lab, T_EXPORT, "ms", why) for lab in labels.values()]
    from annotator.core.store import Project
    from annotator.services.exporting import ExportOptions, export

    path = project_path(cfg)
    reps = cfg.pick(3, 2, 1)
    rows = []
    project = Project(path)
    for fmt, label in labels.items():
        ours, out = [], cfg.path / f"export-{fmt}.jsonl"
        peak_known = reset_peak()
        for _ in range(reps):
            if out.exists():
                out.unlink()
            t0 = time.perf_counter()
            export(project, ExportOptions(format=fmt, out=out))
            ours.append((time.perf_counter() - t0) * 1000)
        peak = rss_mb()[1]
        size_mb = out.stat().st_size / 1e6
        with open(out, encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh]
        ascii_out = not any(ord(c) > 127 for c in out.read_text(encoding="utf-8")[:200_000])
        base = [json_baseline(cfg.path / f"baseline-{fmt}.jsonl", records, ascii_out) for _ in range(reps)]
        (cfg.path / f"baseline-{fmt}.jsonl").unlink()
        del records
        rows.append(
            Row.make(
                label,
                ours,
                base,
                T_EXPORT,
                size=f"{n:,} documents, {n * spans:,} spans, {size_mb:.1f} MB written",
                baseline_what="json.dumps of the same dictionaries, one per line, to a file (flushed and fsynced as ours)",
                note=(
                    f"peak resident memory of the exporting process {peak:.0f} MB"
                    if peak_known
                    else f"peak resident memory so far {peak:.0f} MB"
                ),
            )
        )
    project.close()
    return rows
