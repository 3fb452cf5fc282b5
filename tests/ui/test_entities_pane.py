"""The entities pane, the registry's proposals popup and the registry browser
(issue 15), driven with real keys and clicks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from test_coref_keys import ALT, CTRL, SHIFT, click, key, mentions, status, stored, window  # noqa: F401 (fixtures)

from annotator.core.coref import RegistryEntry
from annotator.core.coref_commands import AddRegistryEntry
from annotator.ui.actions import plain_action_text


def skip_proposals(w):
    """Esc on the registry's proposals popup, if a new cluster brought one up."""
    popup = w.registry_popup
    if popup is not None and popup.isVisible():
        QTest.keyClick(popup, Qt.Key.Key_Escape)
        assert not popup.isVisible()


def clusters_by_keys(w, spans):
    """Jaiswal's cluster (Randhir Jaiswal, Jaiswal, he) and China's (China, Beijing)."""
    click(w, spans["Randhir Jaiswal"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    skip_proposals(w)
    for name in ("Jaiswal", "he"):
        click(w, spans[name])
        key(w, Qt.Key.Key_K, CTRL)
    jaiswal = w.workspace.current_cluster_id
    click(w, spans["China"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    skip_proposals(w)
    click(w, spans["Beijing"])
    key(w, Qt.Key.Key_K, CTRL)
    return jaiswal, w.workspace.current_cluster_id


def open_pane(w):
    QTest.keyClick(w.article_view, Qt.Key.Key_E, CTRL | SHIFT)  # the stand-in loads the module
    pane = w.entities_pane
    assert pane is not None and w.entities_dock.isVisible()
    return pane


def rows(pane):
    tree = pane.tree
    out = []
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        out.append(
            (item.text(0), item.text(1), item.text(2), item.text(3), [item.child(k).text(0) for k in range(item.childCount())])
        )
    return out


def test_pane_lists_clusters_and_enter_shows_a_mention(qtbot, window, mentions):
    w, ws = window, window.workspace
    spans, ids = mentions
    jaiswal, china = clusters_by_keys(w, spans)
    pane = open_pane(w)
    assert rows(pane) == [
        ("Randhir Jaiswal", "PERSON", "3", "", ["“Randhir Jaiswal”", "“Jaiswal”", "“he”"]),
        ("China", "GPE", "2", "", ["“China”", "“Beijing”"]),
    ]
    tree = pane.tree
    assert tree.hasFocus() or QApplication.focusWidget() is tree
    # The current cluster (China's, made last) is the pane's current row; down into its mentions.
    assert tree.currentItem() is pane._items[china]
    QTest.keyClick(tree, Qt.Key.Key_Right)  # expand
    QTest.keyClick(tree, Qt.Key.Key_Down)  # “China”
    QTest.keyClick(tree, Qt.Key.Key_Down)  # “Beijing”
    QTest.keyClick(tree, Qt.Key.Key_Return)
    assert ws.selected_id == ids["Beijing"]
    assert w.article_view.raw_selection_span()[0] == spans["Beijing"][0]
    # A change on the bus updates the pane: attaching "he" to China's cluster.
    click(w, spans["Beijing"])
    click(w, spans["he"])  # Jaiswal's cluster current, China's the other
    key(w, Qt.Key.Key_K, CTRL)
    assert [r[2] for r in rows(pane)] == ["2", "3"]
    key(w, Qt.Key.Key_Z, CTRL)
    assert [r[2] for r in rows(pane)] == ["3", "2"]


def test_pane_renames_merges_splits_and_detaches_each_undoable(qtbot, window, mentions):
    w = window
    spans, ids = mentions
    jaiswal, china = clusters_by_keys(w, spans)
    pane = open_pane(w)
    tree = pane.tree

    # F2 renames the cluster.
    tree.setCurrentItem(pane._items[jaiswal])
    QTest.keyClick(tree, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    QTest.keyClicks(editor, "MEA spokesperson")
    QTest.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits a moment later
    qtbot.waitUntil(lambda: w.project.get_cluster(jaiswal).name == "MEA spokesperson")
    assert rows(pane)[0][0] == "MEA spokesperson"
    # Shift+F2: its type.
    tree.setCurrentItem(pane._items[jaiswal])
    QTest.keyClick(tree, Qt.Key.Key_F2, SHIFT)
    editor = QApplication.focusWidget()
    editor.selectAll()
    QTest.keyClicks(editor, "SPOKESPERSON")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.project.get_cluster(jaiswal).type == "SPOKESPERSON")
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: set the type of “MEA spokesperson” to SPOKESPERSON"
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: rename “Randhir Jaiswal” to “MEA spokesperson”"
    assert w.project.get_cluster(jaiswal).name is None and rows(pane)[0][0] == "Randhir Jaiswal"

    # Merge: both clusters selected (click, Ctrl+click), Ctrl+Shift+M in the pane.
    vp = tree.viewport()
    QTest.mouseClick(
        vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, tree.visualItemRect(pane._items[jaiswal]).center()
    )
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, CTRL, tree.visualItemRect(pane._items[china]).center())
    assert pane.selected_clusters() == [jaiswal, china]
    QTest.keyClick(tree, Qt.Key.Key_M, CTRL | SHIFT)
    assert stored(w) == [["China", "Beijing", "Randhir Jaiswal", "Jaiswal", "he"]]
    assert len(rows(pane)) == 1 and rows(pane)[0][2] == "5"
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: merge “China” into “Randhir Jaiswal”"
    assert [r[2] for r in rows(pane)] == ["3", "2"]

    # Split off "he" (a mention selected in the pane, the Split off button).
    item = pane._items[jaiswal]
    item.setExpanded(True)
    tree.setCurrentItem(item.child(2))
    QTest.mouseClick(pane.split_button, Qt.MouseButton.LeftButton)
    assert stored(w) == [["China", "Beijing"], ["Randhir Jaiswal", "Jaiswal"], ["he"]]
    assert status(w).startswith("“he” is a cluster of its own now")
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: split “he” off “Randhir Jaiswal”"
    assert stored(w) == [["China", "Beijing"], ["Randhir Jaiswal", "Jaiswal", "he"]]

    # Delete on a mention in the pane detaches it.
    item = pane._items[china]
    item.setExpanded(True)
    tree.setCurrentItem(item.child(1))
    tree.setFocus()
    QTest.keyClick(tree, Qt.Key.Key_Delete)
    assert stored(w) == [["China"], ["Randhir Jaiswal", "Jaiswal", "he"]]
    assert w.project.get_annotation(ids["Beijing"]) is not None  # the mention stays, in no cluster
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: detach “Beijing” from “China”"


def _add_entries(w):
    for entry in (
        RegistryEntry(name="Randhir Jaiswal", type="PERSON", aliases=("Jaiswal", "MEA spokesperson")),
        RegistryEntry(name="People's Republic of China", type="GPE", aliases=("China", "Beijing")),
        RegistryEntry(name="Narendra Modi", type="PERSON"),
    ):
        assert w.workspace.run(AddRegistryEntry(w.annotator, entry, w.current_doc_id))
    return {e.name: e.id for e in w.project.registry_entries()}


def test_a_new_cluster_gets_registry_proposals_enter_links_esc_skips(qtbot, window, mentions):
    w, ws = window, window.workspace
    spans, _ids = mentions
    entries = _add_entries(w)
    click(w, spans["Jaiswal"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    cid = ws.current_cluster_id
    popup = w.registry_popup
    assert popup is not None and popup.isVisible()
    texts = [plain_action_text(a) for a in popup.entry_actions]
    assert texts[0].startswith("Randhir Jaiswal (as “Jaiswal”) — PERSON")
    assert not any("Modi" in t for t in texts)
    assert popup.activeAction() is popup.entry_actions[0]
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert w.project.get_cluster(cid).entry_id == entries["Randhir Jaiswal"]
    assert "linked to the registry entry “Randhir Jaiswal”" in status(w)
    key(w, Qt.Key.Key_Z, CTRL)
    assert status(w) == "Undid: link “Jaiswal” to the registry entry “Randhir Jaiswal”"
    assert w.project.get_cluster(cid).entry_id is None

    # Esc skips: China's new cluster stays unlinked.
    click(w, spans["China"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    popup = w.registry_popup
    assert popup.isVisible() and plain_action_text(popup.activeAction()).startswith("People's Republic of China")
    QTest.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert w.project.get_cluster(ws.current_cluster_id).entry_id is None

    # Arrows then Enter: the second-to-last entry adds a new registry entry named after the cluster.
    click(w, spans["Beijing"])
    key(w, Qt.Key.Key_K, CTRL | SHIFT)
    popup = w.registry_popup
    before = len(w.project.registry_entries())
    while popup.activeAction() is not popup.new_action:
        QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert len(w.project.registry_entries()) == before + 1
    new = w.project.get_cluster(ws.current_cluster_id).entry_id
    assert w.project.get_registry_entry(new).name == "Beijing"


def test_registry_browser_lists_entries_with_documents_and_mentions(qtbot, window, mentions):
    w, ws = window, window.workspace
    spans, _ids = mentions
    entries = _add_entries(w)
    jaiswal, _china = clusters_by_keys(w, spans)
    ws.update_cluster(jaiswal, entry_id=entries["Randhir Jaiswal"])
    coref = w.coref_menu
    action = next(a for a in coref.actions() if plain_action_text(a) == "Entity registry")
    action.trigger()
    dialog = w.registry_dialog
    assert dialog is not None and dialog.isVisible()
    table = dialog.table
    got = {table.item(r, 0).text(): tuple(table.item(r, c).text() for c in range(1, 6)) for r in range(table.rowCount())}
    assert got["Randhir Jaiswal"] == ("PERSON", "Jaiswal, MEA spokesperson", "1", "1", "3")
    assert got["Narendra Modi"] == ("PERSON", "", "0", "0", "0")
    dialog.select_entry(entries["Randhir Jaiswal"])
    assert dialog.documents.count() == 1 and dialog.documents.item(0).text().endswith("— 3 mentions")
    # Filtering by an alias.
    QTest.keyClicks(dialog.filter, "mea spok")
    visible = [table.item(r, 0).text() for r in range(table.rowCount()) if not table.isRowHidden(r)]
    assert visible == ["Randhir Jaiswal"]
    # Delete unlinks the cluster (one undo step, back with Ctrl+Z).
    QTest.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert w.project.get_cluster(jaiswal).entry_id is None
    assert w.project.get_registry_entry(entries["Randhir Jaiswal"]) is None
    w.controller.undo()
    assert w.project.get_cluster(jaiswal).entry_id == entries["Randhir Jaiswal"]

    # Add…: a form; typing a name and aliases, Enter adds the entry (one undo step).
    dialog.filter.clear()
    QTest.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.form
    assert form is not None and form.isVisible()
    QTest.keyClicks(form.name, "Ministry of External Affairs")
    QTest.keyClicks(form.type, "ORG")
    QTest.keyClicks(form.aliases, "MEA, external affairs ministry")
    QTest.keyClick(form.name, Qt.Key.Key_Return)
    [mea] = [e for e in w.project.registry_entries() if e.name == "Ministry of External Affairs"]
    assert mea.aliases == ("MEA", "external affairs ministry") and mea.type == "ORG"
    assert dialog.selected_entry_id() == mea.id
    # Link current cluster: the workspace's current cluster (China's, made last) links to it.
    china = w.workspace.current_cluster_id
    QTest.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    assert w.project.get_cluster(china).entry_id == mea.id
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "Ministry of External Affairs")
    assert [table.item(row, c).text() for c in (3, 4, 5)] == ["1", "1", "2"]
    dialog.close()


def test_detach_key_in_the_text(qtbot, window, mentions):
    """Ctrl+Alt+K in the text with the pane open: the pane follows."""
    w = window
    spans, _ids = mentions
    jaiswal, _china = clusters_by_keys(w, spans)
    pane = open_pane(w)
    click(w, spans["Jaiswal"])
    key(w, Qt.Key.Key_K, CTRL | ALT)
    assert rows(pane)[0][2] == "2"


def test_review_shows_clusters_side_by_side_and_accepts_one_into_gold(qtbot, window, mentions):
    from annotator.core.coref_commands import NewCluster
    from annotator.core.models import GOLD, entity

    w = window
    spans, _ids = mentions
    jaiswal, _china = clusters_by_keys(w, spans)
    project, doc = w.project, w.current_doc_id
    # bob's cluster: "Randhir Jaiswal" and "he" only
    bob = [entity(doc, *spans[n], "PERSON", "bob") for n in ("Randhir Jaiswal", "he")]
    from annotator.core.commands import AddAnnotations, apply

    apply(project, AddAnnotations(doc, "bob", bob))
    apply(project, NewCluster(doc, "bob", [a.id for a in bob]))
    action = next(a for a in w.menus["Review"].actions() if plain_action_text(a) == "Coreference clusters")
    action.trigger()
    dialog = w.review_clusters_dialog
    assert dialog.isVisible() and list(dialog.columns) == ["bob", "maria", GOLD]
    maria = dialog.columns["maria"]
    assert [maria.topLevelItem(i).text(0) for i in range(maria.topLevelItemCount())] == ["Randhir Jaiswal", "China"]
    maria.setFocus()
    maria.setCurrentItem(maria.topLevelItem(0))
    QTest.keyClick(maria, Qt.Key.Key_Return)
    gold = project.clusters(doc, GOLD)
    assert len(gold) == 1 and len(gold[0].members) == 3
    text = w.workspace.text
    assert sorted(project.get_annotation(m).text_in(text) for m in gold[0].members) == ["Jaiswal", "Randhir Jaiswal", "he"]
    maria = dialog.columns["maria"]
    assert maria.topLevelItem(0).text(0) == "Randhir Jaiswal  = gold"
    gold_tree = dialog.columns[GOLD]
    assert gold_tree.topLevelItemCount() == 1 and gold_tree.topLevelItem(0).text(1) == "3"
    w.controller.undo()
    assert project.clusters(doc, GOLD) == [] and project.annotations(doc, annotator=GOLD) == []
    assert status(w) == "Undid: accept maria's cluster"
    dialog.close()
