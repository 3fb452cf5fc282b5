"""Coreference in the article view (issue 15): keys and clicks make, join, split
and merge clusters, each one undo step named in the status bar; the chain view
draws one colour per cluster and links the current cluster's mentions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtTest import QTest

from annotator.core.store import Project
from annotator.services.importing import import_seeds
from annotator.ui.coref_colors import CHAIN_COLORS, UNCHAINED_COLOR, cluster_colors
from annotator.ui.main_window import MainWindow

ME = "maria"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def window(qtbot, tmp_path):
    project = Project(tmp_path / "work.annotator", create=True)
    import_seeds(project)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(project, ME, settings)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.snap_action.setChecked(False)
    w.activateWindow()
    qtbot.waitActive(w)
    w.article_view.setFocus()
    yield w
    w.close()
    project.close()


def find(w: MainWindow, needle: str, occurrence: int = 0) -> tuple[int, int]:
    text = w.workspace.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def point_at(w: MainWindow, cp: int) -> QPoint:
    """A viewport point on the middle of the character at ``cp`` (scrolled into view)."""
    view = w.article_view
    posmap = w.workspace.posmap
    for _ in range(2):
        cursor = QTextCursor(view.document())
        cursor.setPosition(posmap.to_qt(cp))
        left = view.cursorRect(cursor)
        cursor.setPosition(posmap.to_qt(cp + 1))
        right = view.cursorRect(cursor)
        x = (left.left() + right.left()) // 2 if right.top() == left.top() else left.left() + 2
        point = QPoint(x, left.center().y())
        if view.viewport().rect().contains(point):
            return point
        bar = view.verticalScrollBar()
        bar.setValue(bar.value() + point.y() - view.viewport().height() // 2)
    raise AssertionError(f"code point {cp} cannot be shown")


def click(w: MainWindow, span: tuple[int, int]) -> None:
    """A real click on the middle of a span."""
    QTest.mouseClick(
        w.article_view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        point_at(w, (span[0] + span[1]) // 2),
    )


def key(w: MainWindow, k, mods=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(w.article_view, k, mods)


def annotate(w: MainWindow, span: tuple[int, int], label_key: str) -> str:
    w.article_view.select_span(*span)
    key(w, label_key)
    ann = w.workspace.selected()
    assert ann is not None and ann.span == span
    return ann.id


def status(w: MainWindow) -> str:
    return w.statusBar().currentMessage()


def texts(w: MainWindow, cluster_id: str) -> list[str]:
    return [a.text_in(w.workspace.text) for a in w.workspace.cluster_mentions(cluster_id)]


def stored(w: MainWindow) -> list[list[str]]:
    """The clusters as stored: their mentions' texts, in text order."""
    project, doc = w.project, w.current_doc_id
    assert project is not None and doc is not None
    text = w.workspace.text
    out = []
    for c in project.clusters(doc, ME):
        anns = sorted((project.get_annotation(m) for m in c.members), key=lambda a: a.start)
        out.append([a.text_in(text) for a in anns])
    return sorted(out)


@pytest.fixture
def mentions(window):
    w = window
    spans = {
        "Randhir Jaiswal": find(w, "Randhir Jaiswal"),
        "Jaiswal": find(w, "Jaiswal said"),
        "he": (find(w, " he was asked")[0] + 1, find(w, " he was asked")[0] + 3),
        "China": find(w, "China"),
        "Beijing": find(w, "Beijing"),
    }
    spans["Jaiswal"] = (spans["Jaiswal"][0], spans["Jaiswal"][0] + len("Jaiswal"))
    ids = {}
    for name, span in spans.items():
        ids[name] = annotate(w, span, "g" if name in ("China", "Beijing") else "p")
    return spans, ids


def test_keys_and_clicks_build_clusters_and_undo_names_each_step(qtbot, window, mentions):
    w, ws = window, window.workspace
    spans, ids = mentions

    # Click "Randhir Jaiswal", Ctrl+Shift+K: a new cluster, current.
    click(w, spans["Randhir Jaiswal"])
    assert ws.selected_id == ids["Randhir Jaiswal"]
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    jaiswal = ws.current_cluster_id
    assert jaiswal is not None and texts(w, jaiswal) == ["Randhir Jaiswal"]
    assert ws.clusters[jaiswal].type == "PERSON"
    assert "New cluster" in status(w)

    # Click "Jaiswal" (in no cluster: the current cluster stays), Ctrl+K: attached.
    click(w, spans["Jaiswal"])
    assert ws.selected_id == ids["Jaiswal"] and ws.current_cluster_id == jaiswal
    key(w, Qt.Key.Key_K, CTRL)
    click(w, spans["he"])
    key(w, Qt.Key.Key_K, CTRL)
    assert texts(w, jaiswal) == ["Randhir Jaiswal", "Jaiswal", "he"]
    assert stored(w) == [["Randhir Jaiswal", "Jaiswal", "he"]]
    assert status(w).startswith("“he” attached to “Randhir Jaiswal”: 3 mentions")

    # Ctrl+Z undoes the last attach and says so; Ctrl+Shift+Z redoes it.
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: attach “he” to “Randhir Jaiswal”"
    assert texts(w, jaiswal) == ["Randhir Jaiswal", "Jaiswal"]
    assert stored(w) == [["Randhir Jaiswal", "Jaiswal"]]
    key(w, Qt.Key.Key_Z, CTRL | SHIFT)
    assert status(w) == "Redid: attach “he” to “Randhir Jaiswal”"
    assert texts(w, jaiswal) == ["Randhir Jaiswal", "Jaiswal", "he"]

    # A second cluster: China and Beijing.
    click(w, spans["China"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    china = ws.current_cluster_id
    assert china not in (None, jaiswal)
    click(w, spans["Beijing"])
    key(w, Qt.Key.Key_K, CTRL)
    assert texts(w, china) == ["China", "Beijing"]

    # Clicking a mention selects its cluster.
    click(w, spans["he"])
    assert ws.current_cluster_id == jaiswal and ws.other_cluster_id == china
    click(w, spans["Beijing"])
    assert ws.current_cluster_id == china and ws.other_cluster_id == jaiswal

    # Ctrl+K on a mention of the current cluster moves it to the other cluster
    # (click "he", then "Beijing", Ctrl+K: Beijing joins Jaiswal's cluster).
    click(w, spans["he"])
    click(w, spans["Beijing"])
    key(w, Qt.Key.Key_K, CTRL)
    assert stored(w) == [["Beijing", "Randhir Jaiswal", "Jaiswal", "he"], ["China"]]
    assert status(w).startswith("“Beijing” attached to “Randhir Jaiswal” (out of “China”): 4 mentions")
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: attach “Beijing” to “Randhir Jaiswal”"
    assert stored(w) == [["China", "Beijing"], ["Randhir Jaiswal", "Jaiswal", "he"]]

    # Detach: Ctrl+Alt+K.
    click(w, spans["he"])
    key(w, Qt.Key.Key_K, CTRL | ALT)
    assert stored(w) == [["China", "Beijing"], ["Randhir Jaiswal", "Jaiswal"]]
    assert ids["he"] not in ws.member_of
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: detach “he” from “Randhir Jaiswal”"
    assert ws.member_of[ids["he"]] == jaiswal

    # Merge: a mention of Jaiswal's cluster, then one of China's, Ctrl+Shift+M:
    # China's cluster merges into Jaiswal's.
    click(w, spans["Jaiswal"])
    click(w, spans["China"])
    key(w, Qt.Key.Key_M, CTRL | SHIFT)
    assert stored(w) == [["China", "Beijing", "Randhir Jaiswal", "Jaiswal", "he"]]
    assert list(ws.clusters) == [jaiswal] and ws.current_cluster_id == jaiswal
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: merge “China” into “Randhir Jaiswal”"
    assert stored(w) == [["China", "Beijing"], ["Randhir Jaiswal", "Jaiswal", "he"]]
    assert set(ws.clusters) == {jaiswal, china}


def test_messages_without_a_mention_or_a_cluster(qtbot, window, mentions):
    w, ws = window, window.workspace
    spans, _ids = mentions
    ws.select_annotation(None)
    key(w, Qt.Key.Key_K, CTRL)
    assert "Select a mention" in status(w)
    click(w, spans["he"])
    key(w, Qt.Key.Key_K, CTRL)  # no cluster yet
    assert "No current cluster" in status(w)
    key(w, Qt.Key.Key_M, CTRL | SHIFT)
    assert "To merge two clusters" in status(w)
    assert w.project.clusters(w.current_doc_id) == []


def test_deleting_a_mention_takes_it_out_of_its_cluster_and_undo_brings_it_back(qtbot, window, mentions):
    w, ws = window, window.workspace
    spans, ids = mentions
    click(w, spans["China"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    click(w, spans["Beijing"])
    key(w, Qt.Key.Key_K, CTRL)
    china = ws.current_cluster_id
    key(w, Qt.Key.Key_Delete)
    assert texts(w, china) == ["China"]
    key(w, Qt.Key.Key_Z, CTRL)
    assert texts(w, china) == ["China", "Beijing"]


def test_cluster_colours_are_distinct_and_stable():
    ids = [f"c{i}" for i in range(len(CHAIN_COLORS))]
    colors = cluster_colors(ids)
    assert len(set(colors.values())) == len(CHAIN_COLORS)  # all different while there are enough
    # a cluster keeps its colour when a later one is added, and when an unrelated one goes
    assert cluster_colors(ids[:5]) == {i: colors[i] for i in ids[:5]}
    assert cluster_colors(["x", "y"])["x"] == cluster_colors(["x"])["x"]


def _pixels(w: MainWindow, span: tuple[int, int]) -> set[int]:
    view = w.article_view
    rects = view._span_rects(*span)
    offset = view._scroll_offset()
    image = view.viewport().grab().toImage()
    rect = rects[0].translated(-offset).toAlignedRect().adjusted(1, 1, -1, -1)
    return {image.pixel(x, y) for x in range(rect.left(), rect.right()) for y in range(rect.top(), rect.bottom())}


def test_chain_view_colours_each_cluster_and_links_the_current_one(qtbot, window, mentions):
    w, ws, view = window, window.workspace, window.article_view
    spans, ids = mentions
    click(w, spans["China"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    china = ws.current_cluster_id
    click(w, spans["Beijing"])
    key(w, Qt.Key.Key_K, CTRL)
    click(w, spans["Randhir Jaiswal"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    jaiswal = ws.current_cluster_id
    ws.select_annotation(None)
    view.verticalScrollBar().setValue(0)
    qtbot.wait(10)
    before = _pixels(w, spans["China"])
    assert view.chain_colors() is None

    # View > Coreference chains (Ctrl+Shift+H): on.
    key(w, Qt.Key.Key_H, CTRL | SHIFT)
    assert w.chains_action.isChecked() and ws.chains_on
    colors = cluster_colors([china, jaiswal])
    assert colors[china] != colors[jaiswal]
    chains = view.chain_colors()
    assert chains == {ids["China"]: colors[china], ids["Beijing"]: colors[china], ids["Randhir Jaiswal"]: colors[jaiswal]}

    # The decoration of China's block is tinted in China's cluster colour; "he"
    # (in no cluster) in the grey of unclustered spans.
    def tints(span: tuple[int, int]) -> set[str]:
        block = view.document().findBlock(ws.posmap.to_qt(span[0])).blockNumber()
        decor = view.decoration_for_block(block)
        return {QColor(c.rgb()).name() for _r, c in decor.fills}

    assert colors[china] in tints(spans["China"])
    assert UNCHAINED_COLOR in tints(spans["he"])
    view.verticalScrollBar().setValue(0)
    qtbot.wait(10)
    after = _pixels(w, spans["China"])
    assert after != before

    # The current cluster (Jaiswal's) is linked: its mentions form the current chain.
    assert view.current_chain() == [ids["Randhir Jaiswal"]]
    click(w, spans["Beijing"])
    assert view.current_chain() == [ids["China"], ids["Beijing"]]

    # Attaching a mention redraws only the blocks of the mentions that changed colour.
    click(w, spans["he"])
    key(w, Qt.Key.Key_K, CTRL)
    he_block = view.document().findBlock(ws.posmap.to_qt(spans["he"][0])).blockNumber()
    assert view.last_dirty_blocks == [he_block]
    assert view.chain_colors()[ids["he"]] == colors[china]

    # Off again: the labels' colours.
    key(w, Qt.Key.Key_H, CTRL | SHIFT)
    assert view.chain_colors() is None and colors[china] not in tints(spans["China"])


def test_clicking_a_mention_names_its_cluster_and_the_chain_view_is_remembered(qtbot, window, mentions, tmp_path):
    w, ws = window, window.workspace
    spans, ids = mentions
    click(w, spans["China"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    click(w, spans["Beijing"])
    key(w, Qt.Key.Key_K, CTRL)
    click(w, spans["he"])  # in no cluster: China's stays current
    assert ws.current_cluster_id is not None
    ws.set_current_cluster(None)
    click(w, spans["Beijing"])
    assert status(w).startswith("Current cluster: “China” (2 mentions).")
    key(w, Qt.Key.Key_H, CTRL | SHIFT)
    assert w.settings.value("view/coref_chains", type=bool) is True
    again = MainWindow(w.project, ME, w.settings)
    qtbot.addWidget(again)
    assert again.chains_action.isChecked() and again.workspace.chains_on
    assert again.article_view.chain_colors()[ids["Beijing"]] == cluster_colors(list(ws.clusters))[ws.member_of[ids["Beijing"]]]
    again.workspace.set_project(None, ME)
    again.close()


def test_a_pronoun_marked_with_a_mention_label_joins_a_cluster(qtbot, tmp_path):
    """A schema's mention-only labels (PRON) are in the palette and take their key;
    such a span joins a cluster like a named entity."""
    from annotator.core.schema import parse_schema

    project = Project(tmp_path / "m.annotator", create=True)
    import_seeds(project)
    data = project.schema.to_dict()
    data["mentions"] = [{"name": "PRON", "key": "9", "description": "a pronoun"}]
    project.set_schema(parse_schema(data, "test"))
    w = MainWindow(project, ME, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.snap_action.setChecked(False)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)  # window shortcuts (Ctrl+K) need an active window
    w.article_view.setFocus()
    assert ("entity", "PRON", "9") in [(c.kind, c.label, c.key) for c in w.palette_widget.chips]
    ws = w.workspace
    jaiswal = annotate(w, find(w, "Randhir Jaiswal"), "p")
    start = find(w, " he was asked")[0] + 1
    he = annotate(w, (start, start + 2), "9")
    assert ws.anns[he].label == "PRON" and ws.anns[he].kind == "entity"
    ws.select_annotation(jaiswal)  # (clicks: the tests above)
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    ws.select_annotation(he)
    key(w, Qt.Key.Key_K, CTRL)
    assert [a.id for a in ws.cluster_mentions(ws.current_cluster_id)] == [jaiswal, he]
    assert ws.cluster_title(ws.current_cluster_id) == "Randhir Jaiswal"
    w.close()
    project.close()
