"""Stress runs (``pytest -m stress tests/stress``): the reliability tests, long.

They reuse the harness and fuzz helpers of tests/reliability. With the
environment variable ``STRESS_RESULTS`` set to a file name, the figures of the
run (kills, actions, actions lost, inputs tried) are written there as JSON;
tests/stress/RESULTS.md records the last run's.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))

FIGURES: dict[str, object] = {}


@pytest.fixture
def figures() -> dict[str, object]:
    return FIGURES


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get("STRESS_RESULTS")
    if target and FIGURES:
        import fuzzlib

        FIGURES["inputs_tried"] = dict(sorted(fuzzlib.TRIED.items()))
        FIGURES["inputs_tried_total"] = sum(fuzzlib.TRIED.values())
        FIGURES["exit_status"] = int(exitstatus)
        Path(target).write_text(json.dumps(FIGURES, indent=1) + "\n", encoding="utf-8")
