"""Case 8's probe (benchmarks/probe.py): each kind of start reports its first paint
and its first idle moment, watched on the main window (no filter on the whole
application, which would cost the widgets and app starts, not the bare one)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the benchmarks package lives at the repository root

from benchmarks.harness import Config  # noqa: E402
from benchmarks.startup import probe  # noqa: E402


@pytest.fixture
def cfg(tmp_path):
    return Config(tiny=True, workdir=str(tmp_path))


@pytest.mark.parametrize("mode", ["bare", "widgets", "app"])
def test_each_start_reports_its_first_paint(cfg, mode):
    out = probe(cfg, mode)
    assert 0 < out["qapp"] <= out["paint"] <= out["idle"], out
    assert out["visible"] is True and out["rss_mb"] > 0
    if mode == "app":
        assert out["title"] == "default.annotator — annotator"
        assert out["imported"] <= out["qapp"] and out["item_view_rows"] >= 1  # the document list
    else:
        assert out["title"] == mode
