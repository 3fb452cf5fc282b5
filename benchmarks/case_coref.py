"""Case 14: coreference (issue 15).

**Agreement**: MUC, B³, CEAF-e and the CoNLL score
between two annotators over 1,000 documents of 2,000 mentions in 200 clusters
each (4 million mentions in all), with
``annotator.core.agreement.coref_agreement`` (the numbers ``annotator agreement``
reports under ``coref_*``).  Target: under 5 s.

The data are generated straight into the project file by SQLite (``INSERT ...
SELECT`` over generated series, in the store's own row layout; its indexes and
triggers made again after the rows), built once per work folder
(``--keep-data`` keeps it) and untimed.  Bob's clusters are Alice's with one
mention in ten moved to another cluster, one in twenty left out, and clusters 0
and 1 merged in every document (so CEAF-e's alignment has work to do).  The
baseline is reading the same clusters' mention spans with ``sqlite3`` (one row per mention: what any
scorer has to read at the least).

**Attach and redraw**: the main window on a document of 2,000 mentions in 200
clusters with the chain view on (one colour per cluster); a mention in no
cluster is selected after a mention of cluster 0 (so cluster 0 is current) and
Ctrl+K is pressed on the article view: the timed span runs from the key press
(``AttachMentions`` through the undo controller, the SQLite write, the
workspace's and the view's update) until the viewport renders the changed
image.  Target: under 16 ms.  The baseline, measured in the same run, is a bare
``QTextEdit`` with the same text and 2,000 ``ExtraSelection`` colour ranges,
one of which changes colour: ``setExtraSelections`` of all of them until the
viewport renders the change (a full redraw of the ranges, without any command).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

from benchmarks.harness import Config, Row, Target, k, missing, ms

TITLE = "coreference agreement, attach + chain view"
T_COREF = Target(max_value=5000.0)
T_ATTACH = Target(max_value=16.0)
WORD = 6  # "w0001 ": each mention is one word of the text

BASE = (
    'SELECT c.doc_id, c.annotator, m.cluster_id, a.start, a."end" FROM coref_clusters c '
    "JOIN coref_members m ON m.cluster_id = c.id JOIN annotations a ON a.id = m.ann_id"
)
INDEXES = ("annotations_doc", "annotations_label", "annotations_annotator")
#: the member spans are written with the members here, so the triggers that keep them are not needed while building
TRIGGERS = ("coref_members_span_insert", "coref_members_span_update", "coref_members_span_delete")


def build(path: Path, n_docs: int, n_mentions: int, n_clusters: int, seed: int) -> None:
    """The project: ``n_docs`` documents, each with ``n_mentions`` entity spans per
    annotator (alice, bob) in about ``n_clusters`` clusters.  The rows are made by
    SQLite itself (``INSERT ... SELECT`` over generated series), so 8 million rows
    take seconds, not minutes; bob's changes come from a hash of (seed, document,
    mention), the same on every run."""
    from annotator.core.store import Project
    from annotator.core.store_sql import DOC_INSERT

    with Project(path, create=True):
        pass
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("PRAGMA temp_store = MEMORY")
    sql = {
        name: body
        for name, body in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        )
    }
    stamp = "2026-12-03T00:00:00.000+00:00"
    with conn:
        for name in INDEXES:
            conn.execute(f"DROP INDEX {name}")
        for name in TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
        docs = []
        words = "".join(f"w{i % 10000:04d} " for i in range(n_mentions))
        for d in range(n_docs):
            text = f"d{d:05d} " + words
            sha = hashlib.sha256(text.encode()).hexdigest()
            docs.append((f"doc{d:05d}", None, f"coref {d}", text, sha, "bench", "{}", "in_progress", stamp, stamp))
        conn.executemany(DOC_INSERT, docs)
        series = (
            f"WITH RECURSIVE dd(d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM dd WHERE d + 1 < {n_docs}), "
            f"ii(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM ii WHERE i + 1 < {n_mentions}), "
            "who(w, name) AS (VALUES ('a', 'alice'), ('b', 'bob')) "
        )
        conn.execute(
            series + "INSERT INTO annotations SELECT printf('doc%05d%s%05d', d, w, i), printf('doc%05d', d), 'entity', "
            f"'PERSON', {WORD + 1} + i * {WORD}, {WORD + 1 + 5} + i * {WORD}, '{{}}', '[]', NULL, NULL, NULL, NULL, name, "
            f"'manual', '{stamp}', '{stamp}', NULL, '[]' FROM dd, who, ii"  # ..., fragments, links
        )
        # alice: mention i in cluster i % n_clusters; bob: by a hash h in 0..999 of (seed, d, i):
        # h < 50 in no cluster, h < 150 in another cluster, else alice's (clusters 0 and 1 merged)
        h = f"(((d * 1009 + i * 7919 + {seed % 1_000_000}) * 48271) % 2147483647 % 1000)"  # no 64-bit overflow
        alice = f"i % {n_clusters}"
        bob = f"CASE WHEN {h} < 150 THEN ((d * 31 + i * 17) % {n_clusters}) WHEN {alice} = 1 THEN 0 ELSE {alice} END"
        conn.execute(
            series + 'INSERT INTO coref_members (cluster_id, ann_id, position, start, "end") '
            "SELECT printf('doc%05d%sc%d', d, w, CASE w WHEN 'a' THEN " + alice + " ELSE " + bob + " END), "
            f"printf('doc%05d%s%05d', d, w, i), i, {WORD + 1} + i * {WORD}, {WORD + 1 + 5} + i * {WORD} "
            f"FROM dd, who, ii WHERE w = 'a' OR {h} >= 50 ORDER BY 1"
        )
        conn.execute(  # each cluster with its span list, as the store writes it (m015_coref_span_lists)
            "INSERT INTO coref_clusters (id, doc_id, annotator, name, type, entry_id, created, updated, spans) "
            "SELECT cluster_id, substr(cluster_id, 1, 8), CASE substr(cluster_id, 9, 1) WHEN 'a' THEN 'alice' ELSE 'bob' END, "
            f"NULL, NULL, NULL, '{stamp}', '{stamp}', group_concat((start << 32) | \"end\", ',') FROM coref_members "
            "GROUP BY cluster_id"
        )
        for name in INDEXES + TRIGGERS:
            conn.execute(sql[name])
        conn.executemany("INSERT OR IGNORE INTO annotators VALUES (?, ?)", [("alice", stamp), ("bob", stamp)])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def run(cfg: Config) -> list[Row]:
    return [agreement_row(cfg), *attach_rows(cfg)]


def agreement_row(cfg: Config) -> Row:
    n_docs = cfg.pick(1000, 1000, 10)
    n_mentions = cfg.pick(2000, 2000, 60)
    n_clusters = cfg.pick(200, 200, 6)
    label = f"14 coref agreement {k(n_docs)} docs x {k(n_mentions)} mentions"
    size = f"{n_docs:,} documents x 2 annotators x {n_mentions:,} mentions in {n_clusters} clusters"
    why = missing("annotator.core.agreement.coref")
    if why:
        return Row.unavailable(label, T_COREF, "ms", why)
    from annotator.core.agreement import coref_agreement
    from annotator.core.store import Project

    path = cfg.path / f"coref-{n_docs}-{n_mentions}-{cfg.seed}.annotator"
    built = 0.0
    if not path.exists():
        tmp = path.with_name(path.name + ".part")
        for extra in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            extra.unlink(missing_ok=True)
        t0 = time.perf_counter()
        build(tmp, n_docs, n_mentions, n_clusters, cfg.seed)
        built = time.perf_counter() - t0
        tmp.rename(path)
    reps = cfg.pick(3, 2, 1)
    ours, base = [], []
    report: dict = {}
    for i in range(reps + 1):  # the first of each warms the page cache
        with Project(path) as project:
            t0 = time.perf_counter()
            report = coref_agreement(project, ["alice", "bob"])
            took = ms(time.perf_counter() - t0)
        conn = sqlite3.connect(path)
        t0 = time.perf_counter()
        rows = len(conn.execute(BASE).fetchall())
        took_base = ms(time.perf_counter() - t0)
        conn.close()
        if i:
            ours.append(took)
            base.append(took_base)
    pair = report["pairs"][0]
    scores = ", ".join(f"{m} {pair[f'coref_{m}']['f1']:.3f}" for m in ("muc", "b3", "ceafe", "conll"))
    note = f"F1: {scores}; {pair['coref']['documents']} documents, {rows:,} mentions read"
    if built:
        note += f"; project generated in {built:.0f} s (untimed)"
    return Row.make(
        label,
        ours,
        base,
        T_COREF,
        size=size,
        baseline_what="sqlite3 fetch of the same clusters' mention spans (one row per mention)",
        note=note,
    )


def attach_rows(cfg: Config) -> list[Row]:
    """Ctrl+K on a mention in a document of 2,000 mentions in 200 clusters, chain
    view on: as the window runs it, and with the suggestion layer's recomputation
    on every change detached (the coreference path alone)."""
    n_mentions = cfg.pick(2000, 2000, 200)
    n_clusters = cfg.pick(200, 200, 20)
    reps = cfg.pick(7, 5, 3)  # per row; the mentions attached must be on the first screen
    labels = (
        f"14 attach mention + chain view redraw, {k(n_mentions)} mentions",
        f"14 attach mention + chain view redraw, {k(n_mentions)} mentions, suggestion layer detached",
    )
    why = missing("annotator.ui.workspace_coref")
    if why:
        return [Row.unavailable(label, T_ATTACH, "ms", why) for label in labels]
    import tempfile

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QTextEdit

    from annotator.core.coref import Cluster
    from annotator.core.models import Document, entity
    from annotator.core.store import Project
    from annotator.ui.coref_colors import cluster_colors
    from annotator.ui.main_window import MainWindow
    from benchmarks import qtutil

    qtutil.app()
    # the text: one mention a sentence, twenty sentences a paragraph; the mentions
    # 1..reps+1 (on the first screen) are in no cluster: each run attaches one
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i in range(n_mentions):
        piece = f"Name{i:04d}"
        spans.append((pos, pos + len(piece)))
        sentence = f"{piece} said the talks would go on. " + ("\n" if i % 20 == 19 else "")
        parts.append(sentence)
        pos += len(sentence)
    text = "".join(parts)
    free = list(range(1, 2 * (reps + 1) + 1))
    path = cfg.path / f"coref-attach-{n_mentions}.annotator"
    for extra in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    doc = Document(id="coref-attach", title="coreference attach", text=text)
    anns = [entity(doc.id, s, e, "PERSON", "bench", id=f"m{i:05d}") for i, (s, e) in enumerate(spans)]
    members: dict[int, list[str]] = {}
    for i, a in enumerate(anns):
        if i not in free:
            members.setdefault(i % n_clusters, []).append(a.id)
    with Project(path, create=True) as project:
        project.insert_documents([(doc, anns)], actor="bench")
        with project.transaction():
            project.put_clusters(
                [Cluster(doc_id=doc.id, annotator="bench", members=tuple(m), id=f"c{c:04d}") for c, m in sorted(members.items())]
            )
    clustered = sum(len(m) for m in members.values())

    project = Project(path)
    settings_dir = tempfile.mkdtemp(prefix="bench-coref-")
    window = MainWindow(project, "bench", QSettings(f"{settings_dir}/settings.ini", QSettings.Format.IniFormat))
    window.resize(*qtutil.VIEW_SIZE)
    window.show()
    window.finish_loading()
    window.open_document(doc.id)
    ws, view = window.workspace, window.article_view
    window.chains_action.setChecked(True)
    if not ws.chains_on:
        ws.set_chains_on(True)
    view.setFocus()
    qtutil.pump(50)
    qtutil.pump(600)  # the stand-ins install their modules after the first paint (the suggestion layer too)

    def attach(mentions: list[int]) -> tuple[list[float], int, int]:
        times, misses, wrong = [], 0, 0
        for f in mentions:
            ws.select_annotation(anns[0].id)  # cluster 0 becomes current
            ws.select_annotation(anns[f].id)  # the mention in no cluster
            before = qtutil.settled(view.viewport(), 60)
            t0 = time.perf_counter()
            QTest.keyClick(view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
            took, ok = qtutil.until_changes(view.viewport(), before, t0)
            times.append(took)
            misses += not ok
            wrong += ws.member_of.get(anns[f].id) != "c0000"
        return times[1:], misses, wrong  # the first is a warm-up

    half = len(free) // 2
    runs = [attach(free[:half])]
    layer = getattr(window, "suggestion_layer", None)
    if layer is not None:
        window.controller.changed.disconnect(layer._changed)
    runs.append(attach(free[half:]))
    window.close()
    project.close()
    qtutil.pump(10)

    # the baseline: a bare QTextEdit, the same text, every mention a colour range
    colors = cluster_colors([f"c{c:04d}" for c in range(n_clusters)])
    edit = QTextEdit()
    edit.setReadOnly(True)
    edit.setPlainText(text)
    qtutil.show_focused(edit)

    def selections(recolor: int | None, color: str) -> list:
        out = []
        for i, (s, e) in enumerate(spans):
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(edit.document())
            cursor.setPosition(s)
            cursor.setPosition(e, QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(color if i == recolor else colors[f"c{i % n_clusters:04d}"]))
            sel.format = fmt
            out.append(sel)
        return out

    base = []
    edit.setExtraSelections(selections(None, ""))
    for f in free:
        ranges = selections(f, "#ff00ff" if len(base) % 2 else "#00ffff")  # built untimed: only the redraw is timed
        before = qtutil.settled(edit.viewport(), 60)
        t0 = time.perf_counter()
        edit.setExtraSelections(ranges)
        took, _ok = qtutil.until_changes(edit.viewport(), before, t0)
        base.append(took)
    qtutil.dispose(edit)
    base = base[1:]
    rows = []
    for label, (ours, misses, wrong), detached in zip(labels, runs, (False, True)):
        note = f"{clustered:,} of the mentions in {n_clusters} clusters, {len(free)} in none (each run attaches one to cluster 0)"
        if detached:
            note += "; the suggestion layer's recomputation on every change is disconnected"
        elif layer is not None:
            note += "; the suggestion layer (installed after the first paint) recomputes on every change, clusters too"
        if misses:
            note += f"; {misses} attach(es) changed nothing on screen within 2 s"
        if wrong:
            note += f"; {wrong} attach(es) did not put the mention into cluster 0"
        rows.append(
            Row.make(
                label,
                ours,
                base,
                T_ATTACH,
                size=f"{n_mentions:,} mentions in {n_clusters} clusters, chain view on",
                baseline_what=f"bare QTextEdit: setExtraSelections of {n_mentions:,} colour ranges, one recoloured, until painted",
                note=note,
            )
        )
    return rows
