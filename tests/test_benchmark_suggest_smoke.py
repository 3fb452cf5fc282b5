"""Benchmark case 11 (suggest) runs at tiny sizes and suggests something.
No timing is asserted: benchmarks are measured by ``python -m benchmarks``."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import case_suggest  # noqa: E402
from benchmarks.harness import Config  # noqa: E402


def test_case_suggest_tiny(tmp_path: Path) -> None:
    rows = case_suggest.run(Config(tiny=True, workdir=str(tmp_path)))
    assert [r.case[:2] for r in rows] == ["12", "12"]
    for row in rows:
        assert row.ours is not None and row.ours > 0 and row.baseline is not None and row.baseline > 0, row
    assert not rows[0].note.startswith("0 suggestions")
    assert "0 suggestions stored" not in rows[1].note
