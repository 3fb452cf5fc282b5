"""Case 11: a knowledge base of 1,000,000 entries (issue 14): loading it, and
fuzzy candidate search in it.

The knowledge base is generated (names of one to three made-up words, a third
of the entries with aliases, a description each; a CSV file of about 75 MB,
made once per work folder, untimed).  Timed:

- loading it into a new project through :func:`annotator.services.kb.load_kb`
  (the codec, one transaction, the candidate index and its vocabulary), against
  the floor: the same file read with ``csv`` and inserted into a plain table of
  a fresh SQLite file with ``sqlite3`` (no index at all);
- candidate search, :func:`annotator.services.kb.kb_candidates` (top 10), the
  median over queries made from entries picked at random: a name as it is, a
  name with a typo, a prefix being typed, an alias, two words in the other
  order.  The baseline is the raw FTS5 query of the first word with ``sqlite3``
  (400 rows: the least any search through the index pays).  The note says how
  often the entry the query was made from (or one of the same name: generated
  names repeat) is among the ten candidates.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import statistics
import time
from pathlib import Path

from benchmarks.harness import Config, Row, Target, k, missing, ms

TITLE = "knowledge base"
T_LOAD = Target(max_ratio=12.0)
T_SEARCH = Target(max_value=100.0)
_SYLLABLES = (
    "ka lo mi ra shi ton ber gan del vi no zu par is len dor mar wen cha qui fe ho ty bel grad sk ov ing burg an el"
).split()
_KINDS = ("city", "person", "organization", "river", "company", "party", "ministry")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def kb_file(cfg: Config, n: int) -> Path:
    """The generated knowledge base of ``n`` entries (made once per work folder)."""
    path = cfg.path / f"kb-{n}.csv"
    if path.exists():
        return path
    rng = random.Random(cfg.seed)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "name", "aliases", "description"])
        for i in range(n):
            name = " ".join(_word(rng) for _ in range(rng.choice((1, 2, 2, 2, 3))))
            aliases = "|".join(f"{_word(rng)} {_word(rng)}" for _ in range(rng.choice((0, 0, 1, 2))))
            out.writerow([f"Q{i}", name, aliases, f"a {rng.choice(_KINDS)}, entry {i}"])
    tmp.replace(path)
    return path


def _queries(path: Path, n: int, count: int, seed: int) -> list[tuple[str, str]]:
    """``(query, id of the entry it was made from)``: names, typos, prefixes, aliases, words swapped."""
    rng = random.Random(seed + 1)
    wanted = set(rng.sample(range(n), min(count, n)))
    picked = []
    with open(path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            if i in wanted:
                picked.append(row)
    out = []
    for j, row in enumerate(picked):
        name, aliases = row["name"], [a for a in row["aliases"].split("|") if a]
        how = j % 5
        if how == 1 and len(name) > 5:  # a typo: one letter dropped
            cut = rng.randrange(2, len(name) - 1)
            query = name[:cut] + name[cut + 1 :]
        elif how == 2:  # being typed
            query = name[: max(3, len(name) * 2 // 3)]
        elif how == 3 and aliases:
            query = aliases[0]
        elif how == 4 and " " in name:
            query = " ".join(reversed(name.split()))
        else:
            query = name
        out.append((query, row["id"]))
    return out


def _raw_load(path: Path, target: Path) -> int:
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(target)
    conn.execute("CREATE TABLE kb (id TEXT, name TEXT, aliases TEXT, description TEXT)")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        with conn:
            conn.executemany("INSERT INTO kb VALUES (?, ?, ?, ?)", rows)
    n = conn.execute("SELECT count(*) FROM kb").fetchone()[0]
    conn.close()
    return n


def run(cfg: Config) -> list[Row]:
    n = cfg.pick(1_000_000, 200_000, 3_000)
    labels = (f"11 kb load {k(n)} entries", f"11 kb candidate search in {k(n)} entries (median per query)")
    why = missing("annotator.services.kb") or missing("rapidfuzz")
    if why:
        return [Row.unavailable(labels[0], T_LOAD, "ms", why), Row.unavailable(labels[1], T_SEARCH, "ms", why)]
    from annotator.core.store import Project
    from annotator.services.kb import kb_candidates, load_kb

    t0 = time.perf_counter()
    path = kb_file(cfg, n)
    made = time.perf_counter() - t0
    project_path = cfg.path / f"kb-{n}.annotator"
    reps = cfg.pick(1, 1, 1)
    ours_load, base_load = [], []
    for _ in range(reps):
        for suffix in ("", "-wal", "-shm"):
            Path(str(project_path) + suffix).unlink(missing_ok=True)
        project = Project(project_path, create=True)
        t = time.perf_counter()
        report = load_kb(project, path, "bench")
        ours_load.append(ms(time.perf_counter() - t))
        project.close()
        t = time.perf_counter()
        _raw_load(path, cfg.path / "kb-raw.sqlite")
        base_load.append(ms(time.perf_counter() - t))
    size_mb = project_path.stat().st_size / 1e6

    queries = _queries(path, n, cfg.pick(50, 30, 10), cfg.seed)
    project = Project(project_path)
    names = {entry_id: project.kb_entry("bench", entry_id).name for _q, entry_id in queries}  # type: ignore[union-attr]
    raw = sqlite3.connect(project_path)
    found = 0
    ours_q, base_q = [], []
    for query, entry_id in queries:
        t = time.perf_counter()
        top = kb_candidates(project, None, query, 10)
        ours_q.append(ms(time.perf_counter() - t))
        name = names[entry_id]
        found += any(c.id == entry_id or c.name == name for c in top)
        word = query.split()[0].lower().replace('"', "")
        t = time.perf_counter()
        raw.execute(
            "SELECT e.id, e.name, e.aliases, e.description FROM kb_entries_fts f JOIN kb_entries e ON e.rowid = f.rowid "
            "WHERE kb_entries_fts MATCH ? LIMIT 400",
            (f'"{word}"',),
        ).fetchall()
        base_q.append(ms(time.perf_counter() - t))
    raw.close()
    project.close()
    size = f"{n:,} entries, {path.stat().st_size / 1e6:.0f} MB CSV"
    return [
        Row.make(
            labels[0],
            ours_load,
            base_load,
            T_LOAD,
            baseline_what="csv + sqlite3 executemany into a plain table (no index)",
            note=f"{report.entries:,} entries; project file {size_mb:.0f} MB; file generated in {made:.0f} s (untimed)",
            size=size,
        ),
        Row.make(
            labels[1],
            ours_q,
            base_q,
            T_SEARCH,
            baseline_what="the raw FTS5 query of the first word (400 rows) with sqlite3",
            note=(
                f"{len(queries)} queries (names, typos, prefixes, aliases, words swapped): the entry (or its name) in the top 10 "
                f"for {found}/{len(queries)}; slowest {max(ours_q):.0f} ms, p90 "
                f"{statistics.quantiles(ours_q, n=10)[-1] if len(ours_q) > 1 else ours_q[0]:.0f} ms"
            ),
            size=size,
        ),
    ]
