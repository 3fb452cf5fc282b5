"""The pieces every case uses: result rows, targets, timing, child processes.

A case module has ``TITLE`` and ``run(cfg: Config) -> list[Row]``; the runner
starts it in a fresh Python process (``python -m benchmarks.child CASE``) so
that no case pays for another's imports, caches or Qt state, and memory and
start-up can be measured cleanly.  The child prints its rows as one JSON line
after :data:`MARKER`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MARKER = "@@benchmark-rows@@ "
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Config:
    """What the runner passes to a case."""

    quick: bool = False
    workdir: str = ""
    seed: int = 20251030
    display: bool = False
    #: "tiny": the smoke test's mode, smallest sizes and 1-2 repetitions.
    tiny: bool = False

    def pick(self, full: Any, quick: Any, tiny: Any | None = None) -> Any:
        """The size or count for this mode."""
        if self.tiny:
            return quick if tiny is None else tiny
        return quick if self.quick else full

    @property
    def path(self) -> Path:
        return Path(self.workdir)


@dataclass
class Target:
    """What must hold: a ratio ceiling, an absolute ceiling, or both."""

    max_ratio: float | None = None
    max_value: float | None = None

    def describe(self, unit: str) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"ratio <= {self.max_ratio:g}")
        if self.max_value is not None:
            parts.append(f"< {self.max_value:g} {unit}")
        return " and ".join(parts) or "-"

    def holds(self, ours: float | None, ratio: float | None) -> bool | None:
        if ours is None:
            return None
        ok = True
        if self.max_ratio is not None:
            if ratio is None:
                return None
            ok = ok and ratio <= self.max_ratio
        if self.max_value is not None:
            ok = ok and ours < self.max_value
        return ok


@dataclass
class Row:
    """One line of the results table."""

    case: str
    ours: float | None
    baseline: float | None
    target: str
    holds: bool | None
    unit: str = "ms"
    ratio: float | None = None
    baseline_what: str = ""
    note: str = ""
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    size: str = ""

    @classmethod
    def make(
        cls,
        case: str,
        ours: list[float] | float | None,
        baseline: list[float] | float | None,
        target: Target,
        *,
        unit: str = "ms",
        baseline_what: str = "",
        note: str = "",
        size: str = "",
    ) -> Row:
        o_samples = ours if isinstance(ours, list) else ([] if ours is None else [ours])
        b_samples = baseline if isinstance(baseline, list) else ([] if baseline is None else [baseline])
        o = statistics.median(o_samples) if o_samples else None
        b = statistics.median(b_samples) if b_samples else None
        ratio = (o / b) if (o is not None and b) else None
        return cls(
            case=case,
            ours=o,
            baseline=b,
            ratio=ratio,
            target=target.describe(unit),
            holds=target.holds(o, ratio),
            unit=unit,
            baseline_what=baseline_what,
            note=note,
            samples=[round(x, 3) for x in o_samples],
            baseline_samples=[round(x, 3) for x in b_samples],
            size=size,
        )

    @classmethod
    def unavailable(cls, case: str, target: Target, unit: str, why: str) -> Row:
        return cls(case=case, ours=None, baseline=None, target=target.describe(unit), holds=None, unit=unit, note=why)


def k(n: int) -> str:
    """20000 -> "20k", 1200 -> "1.2k", 60 -> "60": sizes in case names."""
    if n < 1000:
        return str(n)
    return f"{n / 1000:.{0 if n % 1000 == 0 else 1}f}k"


def ms(seconds: float) -> float:
    return seconds * 1000.0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(milliseconds, result) of one call."""
    t0 = time.perf_counter()
    out = fn()
    return ms(time.perf_counter() - t0), out


def repeat(fn: Callable[[], Any], n: int, warmup: int = 1, setup: Callable[[], Any] | None = None) -> list[float]:
    """Milliseconds of ``n`` calls of ``fn`` after ``warmup`` untimed ones;
    ``setup`` (untimed) runs before each call."""
    out = []
    for i in range(warmup + n):
        if setup is not None:
            setup()
        t, _ = timed(fn)
        if i >= warmup:
            out.append(t)
    return out


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB, from /proc/self/status
    (falls back to getrusage's peak where /proc is missing)."""
    cur = peak = None
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    cur = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    if peak is None:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (cur if cur is not None else peak), peak


def reset_peak() -> bool:
    """Start a new peak-memory measurement (Linux: VmHWM is reset through
    /proc/self/clear_refs); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def missing(module: str) -> str | None:
    """None when ``module`` imports, else why not (for "not available yet" rows)."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as err:
        return f"not available: {module} cannot be imported ({err})"
    return None


def child_env(cfg: Config, **extra: str) -> dict[str, str]:
    """Environment for child processes: offscreen Qt unless --display, settings and
    the default project isolated inside the work folder."""
    env = dict(os.environ)
    if not (cfg.display and env.get("DISPLAY")):
        env["QT_QPA_PLATFORM"] = "offscreen"
    home = cfg.path / "home"
    home.mkdir(parents=True, exist_ok=True)
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["XDG_DATA_HOME"] = str(home / ".local" / "share")
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    env["ANNOTATOR_HOME"] = str(home / "annotator")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    # An installed app has compiled bytecode; without a cache every start would
    # compile the project's modules again (~0.2 s). Keep it in the work folder.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cfg.path / "pycache")
    env.update(extra)
    return env


def run_case_process(case: str, cfg: Config, timeout: float) -> list[Row]:
    """Run one case module in a fresh interpreter and collect its rows."""
    cmd = [sys.executable, "-m", "benchmarks.child", case, json.dumps(asdict(cfg))]
    try:
        proc = subprocess.run(cmd, cwd=REPO, env=child_env(cfg), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [Row(case=case, ours=None, baseline=None, target="-", holds=None, note=f"timed out after {timeout:.0f} s")]
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return [Row(**r) for r in json.loads(line[len(MARKER) :])]
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
    return [
        Row(
            case=case,
            ours=None,
            baseline=None,
            target="-",
            holds=None,
            note=f"failed (exit {proc.returncode}): " + " | ".join(tail),
        )
    ]


def emit(rows: list[Row]) -> None:
    """Child side: hand the rows to the runner."""
    sys.stdout.write(MARKER + json.dumps([asdict(r) for r in rows]) + "\n")
    sys.stdout.flush()
