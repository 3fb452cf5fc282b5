"""Cases 1-3: the article view on a 1 MB article with 20,000 spans.

1. Open: ``ArticleView.set_article`` on a fresh, shown view until it renders the
   settled image with highlights, against a plain ``QPlainTextEdit`` with the
   same font and size: ``setPlainText`` + layout of every block + first paint.
2. Add one entity with 20,000 and with 100,000 spans in the document:
   ``AddAnnotations`` through ``commands.apply`` (the database write), the new
   row read back as the main window does, ``apply_changes``, until the view's
   rendering has changed.  The baseline column is the command + write alone.
3. Scroll page by page (``QAbstractSlider.SliderPageStepAdd``) until each page
   renders its settled image, against the same scrolling in a plain
   ``QPlainTextEdit`` holding the text without spans.
"""

from __future__ import annotations

import random
import statistics
import time

from benchmarks.data import big_article, word_bounds
from benchmarks.harness import Config, Row, Target, k, missing

TITLE = "article view"
T_OPEN = Target(max_ratio=2.0, max_value=300.0)
T_ADD_20K = Target(max_value=16.0)
T_ADD_100K = Target(max_value=33.0)
T_SCROLL = Target(max_value=16.0)


def run(cfg: Config) -> list[Row]:
    from PySide6.QtWidgets import QAbstractSlider, QPlainTextEdit, QTextEdit

    from annotator.core.schema import default_schema
    from benchmarks import qtutil

    app = qtutil.app()
    n_chars = cfg.pick(1_000_000, 1_000_000, 60_000)
    n_spans = cfg.pick(20_000, 20_000, 1_200)
    n_big = cfg.pick(100_000, 100_000, 6_000)
    reps_open = cfg.pick(7, 3, 1)
    reps_add = cfg.pick(30, 12, 3)
    pages = cfg.pick(150, 40, 5)
    size = f"{n_chars / 1e6:.2g} MB article, {n_spans:,} spans"
    art = f"{n_chars / 1e6:.2g} MB, {k(n_spans)} spans"
    text, anns = big_article(n_chars, n_spans, cfg.seed)
    schema = default_schema()
    why = missing("annotator.ui.article_view")
    ArticleView = None if why else __import__("annotator.ui.article_view", fromlist=["ArticleView"]).ArticleView

    def fresh_view():
        v = ArticleView()
        qtutil.show_focused(v)
        return v

    # A template for the plain editor: the view's own font and wrapping, if it exists.
    template = fresh_view() if ArticleView else None
    if template is not None:
        template.hide()  # only its settings are used

    # The baseline widget: the view's own Qt class (QTextEdit or QPlainTextEdit)
    # with its font, wrapping and text width, showing the text without spans.
    plain_cls = QTextEdit if template is None or isinstance(template, QTextEdit) else QPlainTextEdit

    def fresh_plain():
        p = plain_cls()
        p.setReadOnly(True)
        if template is not None:
            p.setFont(template.font())
            p.document().setDefaultFont(template.document().defaultFont())
            p.setLineWrapMode(template.lineWrapMode())
            p.setWordWrapMode(template.wordWrapMode())
            p.setViewportMargins(*_margins(template))
            p.document().setDocumentMargin(template.document().documentMargin())
            p.setHorizontalScrollBarPolicy(template.horizontalScrollBarPolicy())
            p.setFrameShape(template.frameShape())
        qtutil.show_focused(p)
        return p

    def load_plain(p, text: str) -> None:
        p.setPlainText(text)
        if template is not None and isinstance(p, QTextEdit):
            # the same text column as the view (it centres one by root frame margins)
            fmt = p.document().rootFrame().frameFormat()
            src = template.document().rootFrame().frameFormat()
            for side in ("Left", "Right", "Top", "Bottom"):
                getattr(fmt, f"set{side}Margin")(getattr(src, f"{side.lower()}Margin")())
            p.document().rootFrame().setFrameFormat(fmt)

    def full_layout(p) -> None:
        doc, lay = p.document(), p.document().documentLayout()
        if isinstance(p, QTextEdit):
            lay.documentSize()  # QTextDocumentLayout finishes the whole layout for this
            return
        b = doc.begin()
        while b.isValid():
            lay.blockBoundingRect(b)  # lays the block out if it is not yet
            b = b.next()

    rows: list[Row] = []

    # -- case 1: open ------------------------------------------------------------
    base_open = []
    for _ in range(reps_open):
        p = fresh_plain()
        t0 = time.perf_counter()
        load_plain(p, text)
        full_layout(p)
        qtutil.render(p.viewport())
        base_open.append((time.perf_counter() - t0) * 1000)
        qtutil.dispose(p)
    qtutil.pump(10)
    if ArticleView is None:
        rows.append(
            Row.make(
                f"1 open article ({art})",
                None,
                base_open,
                T_OPEN,
                baseline_what=f"{plain_cls.__name__} setPlainText + full layout + first paint",
                note=why,
                size=size,
            )
        )
    else:
        warm = fresh_view()
        warm.set_article(text, anns, schema)
        final = qtutil.settled(warm.viewport())
        qtutil.dispose(warm)
        ours, misses = [], 0
        for _ in range(reps_open):
            v = fresh_view()
            t0 = time.perf_counter()
            v.set_article(text, anns, schema)
            t, ok = qtutil.until_shows(v.viewport(), final, t0)
            ours.append(t)
            misses += not ok
            qtutil.dispose(v)
            qtutil.pump(10)
        note = "" if not misses else f"{misses} run(s) never showed the settled image within 5 s"
        rows.append(
            Row.make(
                f"1 open article ({art})",
                ours,
                base_open,
                T_OPEN,
                baseline_what=f"{plain_cls.__name__} setPlainText + full layout + first paint (same font, size, text width)",
                note=note,
                size=size,
            )
        )

    # -- case 2: add one entity ------------------------------------------------------
    for label, n, target in (
        (f"2 add entity, {k(n_spans)} spans", n_spans, T_ADD_20K),
        (f"2 add entity, {k(n_big)} spans", n_big, T_ADD_100K),
    ):
        if ArticleView is None:
            rows.append(Row.unavailable(label, target, "ms", why))
            continue
        rows.append(_add_case(cfg, label, n, target, text, schema, fresh_view, reps_add))

    # -- case 3: scroll ------------------------------------------------------------
    def scroll_frames(make, load) -> tuple[list[float], int]:
        ref = make()
        load(ref)
        qtutil.settled(ref.viewport())
        finals = []
        for _ in range(pages):
            ref.verticalScrollBar().triggerAction(QAbstractSlider.SliderPageStepAdd)
            finals.append(qtutil.settled(ref.viewport(), 120))
        qtutil.dispose(ref)
        v = make()
        load(v)
        qtutil.settled(v.viewport())
        frames, misses = [], 0
        for img in finals:
            t0 = time.perf_counter()
            v.verticalScrollBar().triggerAction(QAbstractSlider.SliderPageStepAdd)
            t, ok = qtutil.until_shows(v.viewport(), img, t0, timeout_s=2.0)
            frames.append(t)
            misses += not ok
        qtutil.dispose(v)
        return frames, misses

    base_frames, _ = scroll_frames(fresh_plain, lambda p: load_plain(p, text))
    if ArticleView is None:
        rows.append(
            Row.make(
                f"3 scroll page by page ({art})",
                None,
                base_frames,
                T_SCROLL,
                baseline_what=f"the same scrolling in a plain {plain_cls.__name__}",
                note=why,
                size=size,
            )
        )
    else:
        frames, misses = scroll_frames(fresh_view, lambda v: v.set_article(text, anns, schema))
        q = statistics.quantiles(frames, n=10) if len(frames) >= 10 else [max(frames)] * 9
        note = f"{pages} pages; p90 {q[8]:.1f} ms, max {max(frames):.1f} ms"
        if misses:
            note += f"; {misses} page(s) never showed the settled image within 2 s"
        rows.append(
            Row.make(
                f"3 scroll page by page ({art})",
                frames,
                base_frames,
                T_SCROLL,
                baseline_what=f"the same scrolling in a plain {plain_cls.__name__} without spans",
                note=note,
                size=size,
            )
        )
    app.processEvents()
    return rows


def _margins(view) -> tuple[int, int, int, int]:
    m = view.viewportMargins()
    return (m.left(), m.top(), m.right(), m.bottom())


def _add_case(cfg, label, n, target, text, schema, fresh_view, reps) -> Row:
    """Add ``reps`` entities one by one to a document holding ``n`` spans."""
    from annotator.core.commands import AddAnnotations, apply
    from annotator.core.models import Annotation, Document
    from annotator.core.store import Project
    from annotator.core.text import QtPositionMap
    from benchmarks import qtutil
    from benchmarks.data import make_annotations

    path = cfg.path / f"view-{n}.annotator"
    if path.exists():
        path.unlink()
    doc = Document(id=f"article-{n}", title="benchmark article", text=text)
    with Project(path, create=True) as project:
        project.insert_documents([(doc, make_annotations(text, n, cfg.seed + n, doc.id))], actor="benchmark")
    project = Project(path)
    view = fresh_view()
    view.set_article(text, project.annotations(doc.id, annotator="bench"), schema)
    before = qtutil.settled(view.viewport())
    # Words on the first screen, so the new highlight is visible.
    # Words on the first screen, so that every new highlight is visible.
    view.document().documentLayout().documentSize()  # finish any background layout first
    bottom = view.cursorForPosition(view.viewport().rect().bottomLeft()).position()
    words = word_bounds(text[: QtPositionMap(text).to_cp(bottom)])[:-3]
    rng = random.Random(cfg.seed + 3)
    labels = schema.labels("entity")
    total, core, misses = [], [], 0
    for _ in range(reps + 1):
        s, e = rng.choice(words)
        ann = Annotation(doc_id=doc.id, kind="entity", label=rng.choice(labels), start=s, end=e, annotator="bench")
        t0 = time.perf_counter()
        changes = apply(project, AddAnnotations(doc.id, "bench", [ann]))
        t_core = time.perf_counter()
        added = [project.get_annotation(i) for i in sorted(changes.added)]
        view.apply_changes(added, set(), [])
        t, ok = qtutil.until_changes(view.viewport(), before, t0)
        if total or core:  # the first is a warm-up
            pass
        total.append(t)
        core.append((t_core - t0) * 1000)
        misses += not ok
        before = qtutil.settled(view.viewport(), 60)
    project.close()
    qtutil.dispose(view)
    total, core = total[1:], core[1:]
    note = "baseline is the command + database write alone"
    if misses:
        note += f"; {misses} addition(s) changed nothing on screen within 2 s"
    return Row.make(
        label,
        total,
        core,
        target,
        baseline_what="AddAnnotations + SQLite write, no view",
        note=note,
        size=f"{len(text) / 1e6:.2g} MB article, {n:,} spans",
    )
