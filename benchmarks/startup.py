"""Parent side of start-up measurements: run :mod:`benchmarks.probe` in fresh processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from benchmarks.harness import REPO, Config, child_env


def remember_name(cfg: Config, name: str = "bench") -> None:
    """The annotator name the app asks for on first start, as the settings file of
    its home holds it (the probes' ANNOTATOR_HOME is in the work folder, see child_env)."""
    conf = cfg.path / "home" / "annotator" / "settings.ini"
    if not conf.exists():
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text(f"[annotator]\nname={name}\n", encoding="utf-8")


def probe(cfg: Config, mode: str, project: str | None = None, timeout: float = 60.0, **env: str) -> dict:
    """One start: times in ms since just before the process was spawned."""
    remember_name(cfg)
    cmd = [sys.executable, "-m", "benchmarks.probe", mode] + ([project] if project else [])
    t0 = time.time()
    proc = subprocess.run(cmd, cwd=REPO, env=child_env(cfg, **env), capture_output=True, text=True, timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("@@probe@@ "):
            data = json.loads(line[len("@@probe@@ ") :])
            out = {k: (v - t0) * 1000 for k, v in data.items() if k in ("main", "qapp", "imported", "paint", "idle")}
            out.update({k: v for k, v in data.items() if k not in out})
            return out
    tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
    raise RuntimeError(f"probe {mode} failed (exit {proc.returncode}): {tail}")


def probes(cfg: Config, mode: str, n: int, project: str | None = None, **env: str) -> list[dict]:
    probe(cfg, mode, project, **env)  # warm-up: file cache, .pyc files
    return [probe(cfg, mode, project, **env) for _ in range(n)]
