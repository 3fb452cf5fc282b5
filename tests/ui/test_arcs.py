"""Arcs, their role labels and the label tags: nothing drawn over a tag.

The geometry checked here is the geometry the view paints: ``tag_rects()`` are
the tags as drawn, each connector carries its path and its label's rectangle.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainterPathStroker

from annotator.core.models import claim, entity, event, relation
from annotator.core.schema import default_schema
from annotator.ui.article_view import ArticleView

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_0e62c08fb123f9d1.txt"
DOC = "doc-1"
ME = "tester"
#: The arc is painted over a halo of this width (in the base colour): the halo
#: must not cut into a tag either.
HALO = 4.0


@pytest.fixture
def view(qtbot) -> ArticleView:
    w = ArticleView()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def find(text: str, needle: str) -> tuple[int, int]:
    i = text.index(needle)
    return i, i + len(needle)


def seed_paragraph() -> str:
    return SEED.read_text(encoding="utf-8").split("\n\n")[0]


def licence_grant(text: str):
    """The demo article's first event: a trigger with its tag, four arguments on
    its own line and on the next ones, and entities (with tags) around them."""
    ents = {
        s: entity(DOC, *find(text, s), label, ME)
        for s, label in [
            ("NEW DELHI", "GPE"),
            ("China", "GPE"),
            ("Indian firms", "ORG"),
            ("rare earth magnets", "PRODUCT"),
            ("external affairs ministry", "ORG"),
            ("Thursday", "DATE"),
            ("Beijing", "GPE"),
        ]
    }
    roles = [("Grantor", "China"), ("Grantee", "Indian firms"), ("Item", "rare earth magnets"), ("Time", "Thursday")]
    ev = event(DOC, *find(text, "granted"), "LicenceGrant", ME, arguments=[(r, ents[s].id) for r, s in roles])
    return [*ents.values(), ev], ev


def halo(path) -> QRectF:
    stroker = QPainterPathStroker()
    stroker.setWidth(HALO)
    return stroker.createStroke(path)


def overlaps(view: ArticleView) -> list[str]:
    """Every arc or role label drawn over a tag, and labels over labels."""
    tags = view.tag_rects()
    conns = view.connectors()
    assert conns and tags
    found = []
    for conn in conns:
        outline = halo(conn.path)
        for tag in tags:
            if conn.label_rect.intersects(tag):
                found.append(f"label {conn.label} {conn.label_rect} covers the tag at {tag}")
            if outline.intersects(tag):
                found.append(f"the arc to {conn.label} crosses the tag at {tag}")
        for other in conns:
            if other is not conn and conn.label_rect.intersects(other.label_rect):
                found.append(f"label {conn.label} covers label {other.label}")
    return found


def lands_on_its_target(view: ArticleView) -> None:
    assert view.verticalScrollBar().value() == 0  # document and viewport coordinates agree
    for conn in view.connectors():
        first = view._first_rect(view.annotation(conn.target_id))
        assert first.left() - 1 <= conn.end.x() <= first.right() + 1, conn.label
        # on its tag or the span's top, or just under the span; never inside the text
        y = conn.end.y()
        above = first.top() - view._metrics.tag_height - 6 <= y <= first.top()
        assert above or first.bottom() <= y <= first.bottom() + 3, conn.label


@pytest.mark.parametrize("width", [520, 640, 760, 900])
def test_role_labels_and_arcs_leave_tags_clear(view, width):
    text = seed_paragraph()
    anns, ev = licence_grant(text)
    view.resize(width, 520)
    view.set_article(text, anns, default_schema())
    view.set_selected_annotation(ev.id)
    assert sorted(c.label for c in view.connectors()) == ["Grantee", "Grantor", "Item", "Time"]
    assert overlaps(view) == []
    lands_on_its_target(view)
    view.viewport().repaint()


def test_argument_right_before_its_trigger(view):
    """The reported case: "Grantor" drawn over "LicenceGrant" when the grantor
    is the word just before the trigger."""
    text = (
        "On Thursday China granted licences to Indian firms, and Beijing granted permits to "
        "two Japanese firms too, the ministry said."
    )
    china = entity(DOC, *find(text, "China"), "GPE", ME)
    firms = entity(DOC, *find(text, "Indian firms"), "ORG", ME)
    day = entity(DOC, *find(text, "Thursday"), "DATE", ME)
    ev = event(
        DOC,
        *find(text, "granted"),
        "LicenceGrant",
        ME,
        arguments=[("Grantor", china.id), ("Grantee", firms.id), ("Time", day.id)],
    )
    view.resize(700, 400)
    view.set_article(text, [china, firms, day, ev], default_schema())
    view.set_selected_annotation(ev.id)
    assert overlaps(view) == []
    lands_on_its_target(view)


@pytest.mark.parametrize("zoom", [0, 2])
def test_claimant_and_relation_arcs_leave_tags_clear(view, zoom):
    text = seed_paragraph()
    anns, _ev = licence_grant(text)
    ents = {a.text_in(text): a for a in anns if a.kind == "entity"}
    said = claim(DOC, *find(text, "China has granted licences"), ME, claimant_ref=ents["external affairs ministry"].id)
    rel = relation(DOC, ents["Indian firms"].id, ents["NEW DELHI"].id, "located_in", ME)
    view.resize(640, 520)
    for _ in range(zoom):
        view.zoom_in()
    view.set_article(text, [*anns, said, rel], default_schema())
    view.set_selected_annotation(said.id)
    assert [c.label for c in view.connectors()] == ["claimant"]
    assert overlaps(view) == []
    view.set_selected_annotation(ents["Indian firms"].id)
    assert [c.label for c in view.connectors()] == ["located_in"]
    assert overlaps(view) == []


def test_arcs_in_a_scrolled_article_follow_the_text(view):
    """Deep in the article (scrolled): the tags and the arcs are where they are drawn."""
    text = SEED.read_text(encoding="utf-8")
    names = {"Indian companies": "ORG", "rare earth magnets": "PRODUCT", "China": "GPE", "Jaiswal": "PERSON", "weekly": "DATE"}
    ents = [entity(DOC, m, m + len(s), label, ME) for s, label in names.items() for m in _all(text, s)]
    para = text.index("“Yes, we confirm")

    def after(s: str):
        start = text.index(s, para)
        return next(a for a in ents if a.start == start)

    ev = event(
        DOC,
        *find(text[para:], "received"),
        "LicenceGrant",
        ME,
        arguments=[
            ("Grantee", after("Indian companies").id),
            ("Item", after("rare earth magnets").id),
            ("Grantor", after("China").id),
        ],
    )
    ev = ev.model_copy(update={"start": ev.start + para, "end": ev.end + para})
    view.resize(760, 420)
    view.set_article(text, [*ents, ev], default_schema())
    view.set_selected_annotation(ev.id, ensure_visible=True)
    bar = view.verticalScrollBar()
    assert bar.value() > 0
    assert overlaps(view) == []
    before = {c.label: c.label_rect for c in view.connectors()}
    bar.setValue(bar.value() + 10)
    after_scroll = {c.label: c.label_rect for c in view.connectors()}
    assert {k: r.translated(0, -10) for k, r in before.items()} == after_scroll
    assert overlaps(view) == []


def _all(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def test_many_spans_and_arguments_keep_tags_clear(view):
    """Dense work, drawn the same way at several widths: entities every few
    words, events with up to five arguments nearby (seeded, so repeatable)."""
    text = seed_paragraph() + "\n\n" + SEED.read_text(encoding="utf-8").split("\n\n")[2]
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    rng = random.Random(12)
    labels = ["ORG", "GPE", "PERSON", "DATE", "PRODUCT"]
    roles = ["Grantor", "Grantee", "Item", "Time", "Grantor"]
    for trial in range(10):
        view.resize(rng.choice([480, 620, 760, 900]), 560)
        picked = sorted(rng.sample(range(len(words) - 2), 30))
        ents = [entity(DOC, words[i][0], words[i + rng.choice([0, 0, 1])][1], rng.choice(labels), ME) for i in picked]
        trigger = words[rng.randrange(len(words))]
        near = sorted(ents, key=lambda e: abs(e.start - trigger[0]))[: rng.randint(2, 5)]
        ev = event(DOC, *trigger, "LicenceGrant", ME, arguments=list(zip(roles, [e.id for e in near], strict=False)))
        view.set_article(text, [*ents, ev], default_schema())
        view.set_selected_annotation(ev.id, ensure_visible=True)
        assert overlaps(view) == [], trial
