"""Case 8: start the app on the demo project until the main window's first paint,
against a bare ``QMainWindow`` shown by the same Python.  Both are fresh
processes timed the same way (see :mod:`benchmarks.probe`): from just before
the process is spawned to the first paint of a main window.  A third kind of
start, a window made of the same Qt classes without any annotator code, shows
what Qt alone costs next to the bare window (a row for reference)."""

from __future__ import annotations

from benchmarks.harness import Config, Row, Target, missing
from benchmarks.startup import probes

TITLE = "start-up"
T_START = Target(max_ratio=2.0)


def run(cfg: Config) -> list[Row]:
    label = "8 start app on demo project to first paint"
    n = cfg.pick(9, 5, 1)
    bare = probes(cfg, "bare", n)
    why = missing("annotator.ui.app")
    base = [p["paint"] for p in bare]
    if why:
        return [Row.make(label, None, base, T_START, baseline_what="bare QMainWindow, same Python", note=why)]
    ours = probes(cfg, "app", n)
    paint = [p["paint"] for p in ours]
    imp = sorted(p.get("imported", 0) for p in ours)[len(ours) // 2]
    idle = sorted(p["idle"] for p in ours)[len(ours) // 2]
    note = (
        f"median: interpreter + imports to annotator.ui.app {imp:.0f} ms, usable (annotations loaded, event loop idle) "
        f"{idle:.0f} ms, resident {sorted(p['rss_mb'] for p in ours)[len(ours) // 2]:.0f} MB; "
        f"{n} starts each after one warm-up"
    )
    rows = [
        Row.make(
            label,
            paint,
            base,
            T_START,
            baseline_what="bare QMainWindow shown by the same Python",
            note=note,
            size="default project with the seed article",
        )
    ]
    # What bounds the ratio: the Qt classes of such a window alone, no annotator code.
    qt_only = [p["paint"] for p in probes(cfg, "widgets", n)]
    bound = Row.make(
        "8 (bound) the window's Qt widgets alone, no annotator",
        qt_only,
        base,
        Target(),
        baseline_what="bare QMainWindow shown by the same Python",
        note="benchmarks.probe widgets: QTextEdit with the demo article, 5 docks (table, list, tree, "
        "undo view, form), 60 actions with shortcuts, toolbar, status bar; for reference, no target",
    )
    bound.holds = None
    rows.append(bound)
    return rows
