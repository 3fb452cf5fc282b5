"""Benchmark case 11 (coreference agreement) runs at tiny sizes and scores what it
generated.  No timing is asserted: benchmarks are measured by ``python -m benchmarks``."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import case_coref  # noqa: E402
from benchmarks.harness import Config  # noqa: E402


def test_case_coref_tiny(tmp_path: Path) -> None:
    row, attach, detached = case_coref.run(Config(tiny=True, workdir=str(tmp_path)))
    assert row.case.startswith("14 ") and row.ours is not None and row.ours > 0 and row.baseline is not None
    assert "10 documents" in row.note and "mentions read" in row.note
    f1 = float(row.note.split("conll ")[1].split(";")[0])
    assert 0.3 < f1 < 1.0  # bob's clusters differ from alice's, but not wholly
    # attach + chain view redraw: both rows measured, every attach landed and showed
    for r in (attach, detached):
        assert r.case.startswith("14 attach mention") and r.ours is not None and r.ours > 0 and r.baseline is not None
        assert "did not put" not in r.note and "changed nothing" not in r.note
    assert "suggestion layer detached" in detached.case
