"""Benchmark case 11 (suggestions from a trained model) runs at tiny sizes.
No timing is asserted: benchmarks are measured by ``python -m benchmarks``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

pytest.importorskip("spacy")

from benchmarks import case_suggest_model  # noqa: E402
from benchmarks.harness import Config  # noqa: E402


def test_case_suggest_model_tiny(tmp_path: Path) -> None:
    rows = case_suggest_model.run(Config(tiny=True, workdir=str(tmp_path)))
    assert [r.case for r in rows] == ["13 suggest with a model: 20 docs"]
    row = rows[0]
    assert row.ours is not None and row.ours > 0 and row.baseline is not None and row.baseline > 0, row
    assert "suggestions" in row.note


def test_the_training_labels_every_listed_name_and_only_those() -> None:
    text = "Jaiswal told Reuters in Tokyo; Tokyoites and jaiswal are not names here."
    assert case_suggest_model.mentions(text) == [(0, 7, "PERSON"), (13, 20, "ORG"), (24, 29, "GPE")]
