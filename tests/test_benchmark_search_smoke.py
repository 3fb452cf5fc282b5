"""Benchmark case 9 (search) runs at tiny sizes and finds what it searches for.
No timing is asserted: benchmarks are measured by ``python -m benchmarks``."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import case_search  # noqa: E402
from benchmarks.harness import Config  # noqa: E402


def test_case_search_tiny(tmp_path: Path) -> None:
    rows = case_search.run(Config(tiny=True, workdir=str(tmp_path)))
    assert [r.case[:1] for r in rows] == ["9"] * 8
    for row in rows:
        assert row.ours is not None and row.ours > 0 and row.baseline is not None and row.baseline > 0, row
    words, phrase = rows[1], rows[2]
    assert "hits in" in words.note and not words.note.startswith("query 'ministry': 0 hits")
    assert " 0 hits" not in phrase.note  # the phrase is taken from a document: found at least there
