"""Review > Coreference clusters… (issue 15): moving single mentions into and out
of gold clusters and linking gold clusters to the registry, with real keys and
clicks; each one undo step of the main window."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_coref_keys import mentions, window  # noqa: F401 (fixtures)

from annotator.core.commands import AddAnnotations, apply
from annotator.core.coref import RegistryEntry
from annotator.core.coref_commands import AddRegistryEntry, NewCluster
from annotator.core.models import GOLD, entity
from annotator.ui.actions import plain_action_text

SHIFT = Qt.KeyboardModifier.ShiftModifier


def gold_texts(w) -> list[list[str]]:
    """The gold clusters as stored: their mentions' texts in text order."""
    project, doc, text = w.project, w.current_doc_id, w.workspace.text
    out = []
    for c in project.clusters(doc, GOLD):
        anns = sorted((project.get_annotation(m) for m in c.members), key=lambda a: a.start)
        out.append([a.text_in(text) for a in anns])
    return sorted(out)


def click_item(tree, item) -> None:
    tree.scrollToItem(item)
    QTest.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, tree.visualItemRect(item).center()
    )


def top(tree, title: str):
    for i in range(tree.topLevelItemCount()):
        if tree.topLevelItem(i).text(0).startswith(title):
            return tree.topLevelItem(i)
    raise AssertionError(f"no cluster {title!r} in {[tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]}")


def open_dialog(w):
    action = next(a for a in w.menus["Review"].actions() if plain_action_text(a) == "Coreference clusters")
    action.trigger()
    dialog = w.review_clusters_dialog
    assert dialog.isVisible()
    return dialog


def setup_clusters(w, spans):
    """maria (the window's annotator): Jaiswal's cluster (Randhir Jaiswal, Jaiswal,
    he) and China's; bob: Randhir Jaiswal and he."""
    project, doc = w.project, w.current_doc_id
    ids = {}
    for name in spans:
        [ann] = [a for a in project.annotations(doc, "maria") if a.span == spans[name]]
        ids[name] = ann.id
    apply(project, NewCluster(doc, "maria", [ids["Randhir Jaiswal"], ids["Jaiswal"], ids["he"]]))
    apply(project, NewCluster(doc, "maria", [ids["China"]]))
    bob = [entity(doc, *spans[n], "PERSON", "bob") for n in ("Randhir Jaiswal", "he")]
    apply(project, AddAnnotations(doc, "bob", bob))
    apply(project, NewCluster(doc, "bob", [a.id for a in bob]))


def test_mentions_move_into_and_out_of_gold_clusters_by_keys(qtbot, window, mentions):
    w = window
    spans, _ids = mentions
    setup_clusters(w, spans)
    dialog = open_dialog(w)
    assert "G: add the annotator's mention" in dialog.keys.text() and "Del:" in dialog.keys.text()
    # Enter on bob's cluster: accepted into gold
    bob = dialog.columns["bob"]
    bob.setFocus()
    bob.setCurrentItem(bob.topLevelItem(0))
    QTest.keyClick(bob, Qt.Key.Key_Return)
    assert gold_texts(w) == [["Randhir Jaiswal", "he"]]
    # the cluster just accepted is the target at once: G can follow
    assert dialog.gold_target == w.project.clusters(w.current_doc_id, GOLD)[0].id
    assert dialog.target_label.text() == "Target gold cluster: “Randhir Jaiswal”"
    dialog.gold_target = None
    # a click on the gold cluster makes it the target
    gold = dialog.columns[GOLD]
    click_item(gold, gold.topLevelItem(0))
    assert dialog.gold_target == w.project.clusters(w.current_doc_id, GOLD)[0].id
    assert dialog.target_label.text() == "Target gold cluster: “Randhir Jaiswal”"
    assert gold.topLevelItem(0).font(0).bold()
    # maria's "Jaiswal" (the second mention of her first cluster): click the cluster, Right opens it, Down twice, G
    maria = dialog.columns["maria"]
    click_item(maria, top(maria, "Randhir Jaiswal"))
    QTest.keyClick(maria, Qt.Key.Key_Right)
    QTest.keyClick(maria, Qt.Key.Key_Down)
    QTest.keyClick(maria, Qt.Key.Key_Down)
    assert maria.currentItem().text(0).startswith("“Jaiswal”")
    assert dialog.add_button.isEnabled()
    QTest.keyClick(maria, Qt.Key.Key_G)
    assert gold_texts(w) == [["Randhir Jaiswal", "Jaiswal", "he"]]
    assert len(w.project.annotations(w.current_doc_id, GOLD)) == 3  # the gold "Jaiswal" was copied
    # the focus stays on maria's mention; maria's cluster now equals gold's
    maria = dialog.columns["maria"]
    assert dialog.focusWidget() is maria and maria.currentItem().text(0).startswith("“Jaiswal”")
    assert top(maria, "Randhir Jaiswal").text(0) == "Randhir Jaiswal  = gold"
    # one undo step in the main window, named
    w.controller.undo()
    assert gold_texts(w) == [["Randhir Jaiswal", "he"]]
    assert w.statusBar().currentMessage() == "Undid: add maria's mention to gold cluster"
    w.controller.redo()
    assert gold_texts(w) == [["Randhir Jaiswal", "Jaiswal", "he"]]
    # Shift+G on maria's "China": a new gold cluster, the new target
    maria = dialog.columns["maria"]
    click_item(maria, top(maria, "China"))
    QTest.keyClick(maria, Qt.Key.Key_Right)
    QTest.keyClick(maria, Qt.Key.Key_Down)
    QTest.keyClick(maria, Qt.Key.Key_G, SHIFT)
    assert gold_texts(w) == [["China"], ["Randhir Jaiswal", "Jaiswal", "he"]]
    assert dialog.target_label.text() == "Target gold cluster: “China”"
    # Del on the gold "he": it leaves the gold cluster, the gold annotation stays
    gold = dialog.columns[GOLD]
    jaiswal = top(gold, "Randhir Jaiswal")
    click_item(gold, jaiswal)
    QTest.keyClick(gold, Qt.Key.Key_Right)
    for _ in range(3):
        QTest.keyClick(gold, Qt.Key.Key_Down)
    assert gold.currentItem().text(0).startswith("“he”")
    QTest.keyClick(gold, Qt.Key.Key_Delete)
    assert gold_texts(w) == [["China"], ["Randhir Jaiswal", "Jaiswal"]]
    assert len(w.project.annotations(w.current_doc_id, GOLD)) == 4
    w.controller.undo()
    assert gold_texts(w) == [["China"], ["Randhir Jaiswal", "Jaiswal", "he"]]
    # G on bob's "he" with the target China: it moves from Jaiswal's gold cluster to China's
    gold = dialog.columns[GOLD]
    click_item(gold, top(gold, "China"))
    bob = dialog.columns["bob"]
    click_item(bob, bob.topLevelItem(0))
    QTest.keyClick(bob, Qt.Key.Key_Right)
    QTest.keyClick(bob, Qt.Key.Key_Down)
    QTest.keyClick(bob, Qt.Key.Key_Down)
    assert bob.currentItem().text(0).startswith("“he”")
    QTest.keyClick(bob, Qt.Key.Key_G)
    assert gold_texts(w) == [["China", "he"], ["Randhir Jaiswal", "Jaiswal"]]
    # G on a cluster row (not a mention) explains what to do
    bob = dialog.columns["bob"]
    click_item(bob, bob.topLevelItem(0))
    QTest.keyClick(bob, Qt.Key.Key_G)
    assert "Select a mention" in dialog.hint.text()
    assert gold_texts(w) == [["China", "he"], ["Randhir Jaiswal", "Jaiswal"]]
    # the gold export in the clusters format shows the result
    from annotator.formats.writing import ExportOptions
    from annotator.services.exporting import export

    out = w.project.path.parent / "gold.jsonl"
    export(w.project, ExportOptions("clusters", out=out, gold=True))
    [rec] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    text = rec["text"]
    assert sorted(sorted(text[s:e] for s, e in c) for c in rec["clusters"]) == [["China", "he"], ["Jaiswal", "Randhir Jaiswal"]]
    dialog.close()


def test_gold_cluster_links_to_a_registry_entry_from_a_keyboard_list(qtbot, window, mentions):
    w = window
    spans, _ids = mentions
    setup_clusters(w, spans)
    project = w.project
    mea = RegistryEntry(name="Randhir Jaiswal", type="PERSON", aliases=("MEA spokesperson",))
    other = RegistryEntry(name="Ministry of External Affairs", type="ORG")
    apply(project, AddRegistryEntry("maria", mea))
    apply(project, AddRegistryEntry("maria", other))
    dialog = open_dialog(w)
    bob = dialog.columns["bob"]
    bob.setFocus()
    bob.setCurrentItem(bob.topLevelItem(0))
    QTest.keyClick(bob, Qt.Key.Key_Return)
    [gold_cluster] = project.clusters(w.current_doc_id, GOLD)
    gold = dialog.columns[GOLD]
    click_item(gold, gold.topLevelItem(0))
    # L: the registry's proposal for its mentions comes first and is active; Enter links
    QTest.keyClick(gold, Qt.Key.Key_L)
    picker = dialog.picker
    assert picker is not None and picker.isVisible()
    assert plain_action_text(picker.entry_actions[0]).startswith("Randhir Jaiswal — PERSON  [100%]")
    assert picker.activeAction() is picker.entry_actions[0]
    QTest.keyClick(picker, Qt.Key.Key_Return)
    assert project.get_cluster(gold_cluster.id).entry_id == mea.id
    gold = dialog.columns[GOLD]
    assert gold.topLevelItem(0).text(2) == "Randhir Jaiswal"
    assert "Linked the gold cluster" in dialog.hint.text()
    # Shift+L unlinks; undo links again
    click_item(gold, gold.topLevelItem(0))
    assert dialog.unlink_button.isEnabled()
    QTest.keyClick(gold, Qt.Key.Key_L, SHIFT)
    assert project.get_cluster(gold_cluster.id).entry_id is None
    w.controller.undo()
    assert project.get_cluster(gold_cluster.id).entry_id == mea.id
    assert w.statusBar().currentMessage() == "Undid: unlink gold cluster from the registry"
    # L again: the list offers "unlink" at its end; Esc leaves everything as it was
    gold = dialog.columns[GOLD]
    click_item(gold, gold.topLevelItem(0))
    QTest.keyClick(gold, Qt.Key.Key_L)
    picker = dialog.picker
    assert picker.unlink_action is not None and plain_action_text(picker.entry_actions[0]).startswith("✓ Randhir Jaiswal")
    QTest.keyClick(picker, Qt.Key.Key_Escape)
    assert not picker.isVisible() and project.get_cluster(gold_cluster.id).entry_id == mea.id
    # L, then arrows down to "unlink", Enter
    gold = dialog.columns[GOLD]
    gold.setFocus()
    QTest.keyClick(gold, Qt.Key.Key_L)
    picker = dialog.picker
    while picker.activeAction() is not picker.unlink_action:
        QTest.keyClick(picker, Qt.Key.Key_Down)
    QTest.keyClick(picker, Qt.Key.Key_Return)
    assert project.get_cluster(gold_cluster.id).entry_id is None
    dialog.close()


def test_a_gold_cluster_gets_a_new_registry_entry_named_after_it(qtbot, window, mentions):
    w = window
    spans, _ids = mentions
    setup_clusters(w, spans)
    project = w.project
    assert project.registry_entries() == []
    dialog = open_dialog(w)
    bob = dialog.columns["bob"]
    bob.setFocus()
    bob.setCurrentItem(bob.topLevelItem(0))
    QTest.keyClick(bob, Qt.Key.Key_Return)
    [gold_cluster] = project.clusters(w.current_doc_id, GOLD)
    gold = dialog.columns[GOLD]
    click_item(gold, gold.topLevelItem(0))
    # an empty registry: the list offers the new entry, active; Enter adds it and links
    QTest.keyClick(gold, Qt.Key.Key_L)
    picker = dialog.picker
    assert picker.entry_actions == [] and picker.activeAction() is picker.new_action
    assert plain_action_text(picker.new_action) == "New registry entry “Randhir Jaiswal”"
    QTest.keyClick(picker, Qt.Key.Key_Return)
    [entry] = project.registry_entries()
    assert entry.name == "Randhir Jaiswal" and entry.aliases == ()  # "he" is no name
    assert project.get_cluster(gold_cluster.id).entry_id == entry.id
    assert dialog.columns[GOLD].topLevelItem(0).text(2) == "Randhir Jaiswal"
    w.controller.undo()  # the link
    assert project.get_cluster(gold_cluster.id).entry_id is None
    w.controller.undo()  # the entry
    assert project.registry_entries() == []
    dialog.close()
