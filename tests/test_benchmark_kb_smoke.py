"""Benchmark case 11 (knowledge base) runs at tiny sizes and finds what it searches for.
No timing is asserted: benchmarks are measured by ``python -m benchmarks``."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import case_kb  # noqa: E402
from benchmarks.harness import Config  # noqa: E402


def test_case_kb_tiny(tmp_path: Path) -> None:
    rows = case_kb.run(Config(tiny=True, workdir=str(tmp_path)))
    assert [r.case[:2] for r in rows] == ["11", "11"]
    for row in rows:
        assert row.ours is not None and row.ours > 0 and row.baseline is not None and row.baseline > 0, row
    load, search = rows
    assert load.note.startswith("3,000 entries")
    found = int(search.note.split("for ")[1].split("/")[0])
    assert found >= 7, search.note  # of 10 queries made from entries (names, typos, prefixes, aliases)
