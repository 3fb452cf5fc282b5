"""Long versions of the reliability tests: >= 200 SIGKILLs through the core
commands, more through the real GUI, killed exports, and thousands of fuzzed
inputs. Run with ``pytest -m stress tests/stress`` (about 15-30 minutes)."""

from __future__ import annotations

import os
from pathlib import Path

import crashharness as H
import fuzzlib as F
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_export_crash import kill_exports

pytestmark = pytest.mark.stress

KILLS = int(os.environ.get("STRESS_KILLS", "240"))
GUI_KILLS = int(os.environ.get("STRESS_GUI_KILLS", "40"))
EXAMPLES = int(os.environ.get("STRESS_EXAMPLES", "1500"))
LONG = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
SCHEMA_LONG = settings(LONG, max_examples=max(1, EXAMPLES // 3))


def test_crash_campaign_core(tmp_path: Path, figures: dict) -> None:
    report = H.run_campaign(tmp_path, kills=KILLS, seed=2024, max_delay=0.6, progress=True)
    figures["core"] = report.as_dict()
    assert report.kills == KILLS and report.lost == 0
    assert KILLS >= 200 or "STRESS_KILLS" in os.environ  # lowered only on purpose


def test_crash_campaign_gui(tmp_path: Path, figures: dict) -> None:
    pytest.importorskip("annotator.ui.main_window")
    report = H.run_campaign(tmp_path, kills=GUI_KILLS, seed=4048, mode="gui", max_delay=4.0, progress=True)
    figures["gui"] = report.as_dict()
    assert report.kills == GUI_KILLS and report.lost == 0


@pytest.mark.parametrize("fmt", ["native", "brat"])
def test_killed_exports(tmp_path: Path, fmt: str, figures: dict) -> None:
    seen = kill_exports(tmp_path, fmt, kills=25, docs=200, seed=7)
    figures[f"export_kills_{fmt}"] = seen
    assert sum(seen.values()) == 25


@LONG
@given(
    fmt=st.sampled_from(["txt", "html", "jsonl", "native", "doccano", "prodigy", "brat", None]), data=st.binary(max_size=20_000)
)
def test_random_bytes(fmt: str | None, data: bytes) -> None:
    ext = {"txt": ".txt", "html": ".html", "brat": ".ann"}.get(fmt or "", ".jsonl")
    F.check_import(fmt, "random" + ext, data)


@LONG
@given(
    fmt=st.sampled_from(["jsonl", "native", "doccano", "prodigy", None]), records=st.lists(F.json_values, min_size=1, max_size=8)
)
def test_random_json(fmt: str | None, records: list) -> None:
    F.check_import(fmt, "random.jsonl", "\n".join(F.dumps_loose(r) for r in records).encode("utf-8"))


@LONG
@given(fmt=st.sampled_from(["jsonl", "native", "doccano", "prodigy"]), partial=st.booleans(), data=st.data())
def test_mutated_json_lines(fmt: str, partial: bool, data: st.DataObject) -> None:
    name, seed = F.seeds()[fmt]
    F.check_import(fmt if data.draw(st.booleans()) else None, name, data.draw(F.mutated_json_lines(seed)), partial=partial)


@LONG
@given(fmt=st.sampled_from(["txt", "html", "jsonl", "native", "doccano", "prodigy", "brat"]), data=st.data())
def test_mutated_files(fmt: str, data: st.DataObject) -> None:
    name, seed = F.seeds()[fmt]
    extra = None
    if fmt == "brat":
        txt_name, txt = F.seeds()["brat-txt"]
        extra = {txt_name: data.draw(F.mutated_bytes(txt)) if data.draw(st.booleans()) else txt}
    F.check_import(fmt, name, data.draw(F.mutated_bytes(seed)), extra=extra)


@SCHEMA_LONG
@given(data=st.data(), suffix=st.sampled_from([".toml", ".yaml", ".json"]))
def test_mutated_schemas(data: st.DataObject, suffix: str) -> None:
    import json
    import tempfile

    from annotator.core.schema import default_schema

    schema = default_schema()
    text = {
        ".toml": (F.ROOT / "resources" / "news.toml").read_bytes(),
        ".yaml": schema.dump_yaml().encode(),
        ".json": json.dumps(schema.to_dict()).encode(),
    }[suffix]
    mutated = (
        data.draw(F.mutated_bytes(text))
        if suffix != ".json" or data.draw(st.booleans())
        else data.draw(F.mutated_json_lines(text)).splitlines()[0]
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"schema{suffix}"
        path.write_bytes(mutated)
        F.check_schema_file(path)
