"""Run the benchmark cases, print the table, optionally write JSON.

Usage (from the repository root)::

    python -m benchmarks              # the full run (the sizes of the targets)
    python -m benchmarks --quick      # reduced sizes and repetitions, < 2 minutes
    python -m benchmarks --json out.json --case view --case import

Each case runs in its own Python process; GUI cases use Qt's offscreen
platform unless ``--display`` is given and ``DISPLAY`` is set.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from benchmarks.harness import REPO, Config, Row, run_case_process

#: (module, timeout in seconds of a full run) in the order of the issue's cases.
CASES: list[tuple[str, float]] = [
    ("case_view", 600.0),  # 1-3: open, add one entity, scroll
    ("case_import", 600.0),  # 4: import 10,000 articles
    ("case_export", 600.0),  # 5: export native and spans
    ("case_open", 600.0),  # 6: open a project of 100,000 documents
    ("case_agreement", 300.0),  # 7: agreement
    ("case_startup", 300.0),  # 8: start-up to first paint
    ("case_search", 1200.0),  # 9: search over 100,000 documents; the index's cost on import
    ("case_propagate", 300.0),  # 10: annotate all (issue 16)
    ("case_kb", 1800.0),  # 11: a knowledge base of 1,000,000 entries: loading it, candidate search (issue 14)
    ("case_suggest", 1800.0),  # 12: dictionary suggestions: a 1 MB article, 10,000 articles (issue 17)
    ("case_suggest_model", 600.0),  # 13: suggestions from a trained model (issue 17)
    ("case_coref", 1200.0),  # 14: coreference agreement (issue 15); generating 8 million rows is most of it
]


def machine() -> dict[str, str]:
    """CPU model, cores, RAM and the versions that matter."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        import PySide6

        pyside = PySide6.__version__
        from PySide6 import QtCore

        qt = QtCore.qVersion()
    except ImportError:
        pyside = qt = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyside6": pyside,
        "qt": qt,
        "sqlite": sqlite3.sqlite_version,
    }


def fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "ms" and v >= 1000:
        return f"{v / 1000:.2f} s"
    if v >= 100:
        return f"{v:.0f} {unit}"
    if v >= 10:
        return f"{v:.1f} {unit}"
    return f"{v:.2f} {unit}"


def table(rows: list[Row], markdown: bool = False) -> str:
    head = ["case", "ours (median)", "baseline (median)", "ratio", "target", "holds"]
    body = []
    for r in rows:
        holds = "n/a" if r.holds is None else ("yes" if r.holds else "NO")
        body.append(
            [
                r.case,
                fmt_value(r.ours, r.unit),
                fmt_value(r.baseline, r.unit),
                "-" if r.ratio is None else f"{r.ratio:.2f}",
                r.target,
                holds,
            ]
        )
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*row) for row in body]
    return "\n".join(out)


def notes(rows: list[Row]) -> str:
    out = []
    for r in rows:
        bits = []
        if r.size:
            bits.append(r.size)
        if r.baseline_what:
            bits.append(f"baseline: {r.baseline_what}")
        if r.note:
            bits.append(r.note)
        if bits:
            out.append(f"- {r.case}: " + "; ".join(bits))
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="reduced sizes and repetitions (< 2 minutes)")
    p.add_argument("--json", metavar="FILE", help="also write the results (and the machine) as JSON")
    p.add_argument(
        "--case",
        action="append",
        metavar="NAME",
        help="run only this case module (repeatable): " + ", ".join(c for c, _ in CASES),
    )
    p.add_argument("--display", action="store_true", help="use the real display ($DISPLAY) instead of offscreen Qt")
    p.add_argument(
        "--keep-data",
        action="store_true",
        help="generate data into benchmarks/.data/ and reuse it next time (default: a temporary folder)",
    )
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown (for RESULTS.md)")
    p.add_argument("--seed", type=int, default=Config.seed, help="seed of the synthetic data")
    p.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # the smoke test's mode
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [c for c, _ in CASES]
    chosen = args.case or names
    unknown = [c for c in chosen if c not in names]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(names)}", file=sys.stderr)
        return 2
    mode = "tiny" if args.tiny else ("quick" if args.quick else "full")
    if args.keep_data:
        workdir = REPO / "benchmarks" / ".data" / mode
        workdir.mkdir(parents=True, exist_ok=True)
        cleanup = False
    else:
        workdir = Path(tempfile.mkdtemp(prefix="annotator-bench-"))
        cleanup = True
    cfg = Config(quick=args.quick or args.tiny, tiny=args.tiny, workdir=str(workdir), seed=args.seed, display=args.display)
    info = machine()
    print(
        f"annotator benchmarks ({mode} run) on {info['cpu']}, {info['cores']} cores, {info['ram']}; "
        f"Python {info['python']}, PySide6 {info['pyside6']}, SQLite {info['sqlite']}",
        flush=True,
    )
    rows: list[Row] = []
    started = time.perf_counter()
    try:
        for name, timeout in CASES:
            if name not in chosen:
                continue
            t0 = time.perf_counter()
            got = run_case_process(name, cfg, timeout)
            rows.extend(got)
            print(f"  {name}: {len(got)} row(s) in {time.perf_counter() - t0:.1f} s", flush=True)
    finally:
        if cleanup:
            shutil.rmtree(workdir, ignore_errors=True)
    total = time.perf_counter() - started
    print()
    print(table(rows, markdown=args.markdown))
    print()
    print(notes(rows))
    print(f"\n{mode} run: {total:.0f} s")
    if args.json:
        data = {"mode": mode, "seconds": round(total, 1), "machine": info, "rows": [asdict(r) for r in rows]}
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0
