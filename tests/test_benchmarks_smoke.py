"""The benchmark runner works (tiny sizes). No timing is asserted here: the
benchmarks are measured by ``python -m benchmarks``, not by the test suite."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the benchmarks package lives at the repository root, outside the installed package

from benchmarks.data import SentencePool, big_article, corpus_jsonl  # noqa: E402
from benchmarks.harness import Row, Target, k  # noqa: E402
from benchmarks.runner import CASES, table  # noqa: E402


def test_targets_and_rows():
    both = Target(max_ratio=2.0, max_value=300.0)
    assert both.describe("ms") == "ratio <= 2 and < 300 ms"
    row = Row.make("x", [10.0, 30.0, 20.0], [10.0, 12.0, 8.0], both)
    assert (row.ours, row.baseline, row.ratio, row.holds) == (20.0, 10.0, 2.0, True)
    assert Row.make("x", [301.0], [200.0], both).holds is False  # absolute ceiling missed
    assert Row.make("x", [250.0], [100.0], both).holds is False  # ratio missed
    assert Row.make("x", None, [1.0], both).holds is None
    assert Target(max_value=16).holds(15.9, None) is True
    assert Target(max_ratio=3).holds(5.0, None) is None  # no baseline: cannot say
    text = table([Row.make("case one", [1.5], [1.0], Target(max_ratio=1.0)), Row.unavailable("two", both, "ms", "missing")])
    assert "ours (median)" in text and "NO" in text and "n/a" in text
    assert (k(20000), k(1200), k(60)) == ("20k", "1.2k", "60")


def test_every_case_module_has_title_and_run():
    for name, timeout in CASES:
        module = importlib.import_module(f"benchmarks.{name}")
        assert module.TITLE and callable(module.run) and timeout > 0


def test_generated_data_is_seeded_and_spans_fit(tmp_path):
    text, anns = big_article(20_000, 300, seed=5)
    again, anns2 = big_article(20_000, 300, seed=5)
    assert text == again and [(a.start, a.end, a.label) for a in anns] == [(a.start, a.end, a.label) for a in anns2]
    assert {a.kind for a in anns} == {"entity", "event", "claim"}
    for a in anns:
        piece = text[a.start : a.end]
        assert piece == piece.strip() and piece, (a.start, a.end)
    doc, spans = SentencePool(3).document(500, 10, ["ORG"], "Lead line")
    assert doc.startswith("Lead line\n\n") and all(doc[s:e].strip() == doc[s:e] != "" for s, e, _ in spans)
    path = corpus_jsonl(tmp_path / "c.jsonl", 5, 400, 4, seed=1)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 5 and len({r["text"] for r in records}) == 5
    assert all(r["text"][s["start"] : s["end"]].isprintable() for r in records for s in r["spans"])


def test_runner_tiny_mode_writes_table_and_json(tmp_path):
    out = tmp_path / "results.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--case", "case_import", "--case", "case_agreement", "--json", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ours (median)" in proc.stdout and "baseline (median)" in proc.stdout
    data = json.loads(out.read_text())
    assert data["machine"]["cores"] and data["machine"]["sqlite"]
    rows = {r["case"][0]: r for r in data["rows"]}
    assert set(rows) == {"4", "7"}, data["rows"]
    for row in rows.values():
        assert row["ours"] > 0 and row["baseline"] > 0, row
        assert row["holds"] in (True, False) and row["target"] != "-"


def test_unknown_case_is_refused():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--case", "nope"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and "unknown case" in proc.stderr


@pytest.mark.parametrize("flag", ["--help"])
def test_help(flag):
    proc = subprocess.run([sys.executable, "-m", "benchmarks", flag], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "--quick" in proc.stdout and "--json" in proc.stdout
