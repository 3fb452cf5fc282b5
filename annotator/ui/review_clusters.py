"""Reviewing coreference (issue 15): one document's clusters side by side, one
column per annotator and one for gold, and accepting a cluster into gold.

Review > Coreference clusters… (loaded after the first paint).  The document is
the review window's when it is open, else the one in the workspace.  A cluster
whose mentions (by span) are exactly a gold cluster's is marked “= gold”.
Select a cluster in an annotator's column and press Enter (or Accept into gold):
:class:`~annotator.core.review.AcceptCluster` copies it into the gold layer
as one undo step (Ctrl+Z in the main window undoes it).

Curating gold one mention at a time (:mod:`annotator.core.review_coref`), each
one undo step:

- the *target* gold cluster is the one last chosen in the gold column (shown
  in bold and named under the columns);
- ``G`` on an annotator's mention adds it to the target gold cluster (the gold
  mention of that span is reused, or copied into gold); ``Shift+G`` starts a new
  gold cluster with it;
- ``Delete`` on a gold mention takes it out of its gold cluster;
- ``L`` on a gold cluster opens a keyboard list of registry entries (the
  registry's fuzzy proposals for its mentions first, the others after, a new
  entry named after the cluster, and "unlink"); ``Shift+L`` unlinks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.commands import Changes
from annotator.core.constraints import one_line
from annotator.core.models import GOLD
from annotator.ui import dialogs
from annotator.ui.actions import escape_mnemonic

if TYPE_CHECKING:
    from annotator.core.coref import Cluster
    from annotator.core.store import Project
    from annotator.ui.main_window import MainWindow

__all__ = ["ReviewClustersDialog", "GoldRegistryPicker", "show_review_clusters"]

CLUSTER_ROLE = Qt.ItemDataRole.UserRole
#: A mention row's annotation id.
MENTION_ROLE = Qt.ItemDataRole.UserRole + 1

#: The keys of the dialog, as listed in it.
KEYS_TEXT = (
    "Enter: accept the annotator's cluster into gold · G: add the annotator's mention to the target gold cluster · "
    "Shift+G: new gold cluster with it · Del: remove a gold mention from its cluster · "
    "L: link the gold cluster to a registry entry · Shift+L: unlink it · Ctrl+Z in the main window undoes"
)


class ReviewClustersDialog(QDialog):
    """Clusters of one document per annotator and gold (see the module doc); an
    :class:`~annotator.ui.undo.Origin` of the undo controller."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Coreference clusters")
        self.resize(980, 520)
        self.doc_id: str | None = None
        self.columns: dict[str, QTreeWidget] = {}
        #: cluster id -> its title as shown
        self.titles: dict[str, str] = {}
        #: The column the user works in.
        self.column: str | None = None
        self.title = dialogs.plain_label(wrap=True)
        self.title.setStyleSheet("font-weight: 600;")
        self.row = QHBoxLayout()
        self.accept_button = QPushButton("&Accept into gold")
        self.accept_button.setToolTip("Copy the selected cluster and its mentions into the gold layer (Enter)")
        self.accept_button.clicked.connect(self.accept_selected)
        #: The gold cluster that mentions are added to (the last chosen in the gold column).
        self.gold_target: str | None = None
        self.add_button = QPushButton("Add to &gold cluster")
        self.add_button.setToolTip("Add the selected mention to the target gold cluster (G)")
        self.add_button.clicked.connect(lambda: self.add_selected_mention(new_cluster=False))
        self.new_button = QPushButton("&New gold cluster")
        self.new_button.setToolTip("Start a new gold cluster with the selected mention (Shift+G)")
        self.new_button.clicked.connect(lambda: self.add_selected_mention(new_cluster=True))
        self.remove_button = QPushButton("&Remove from gold cluster")
        self.remove_button.setToolTip("Take the selected gold mention out of its gold cluster (Del)")
        self.remove_button.clicked.connect(self.remove_selected_mention)
        self.link_button = QPushButton("&Link to registry…")
        self.link_button.setToolTip("Link the gold cluster to a registry entry (L); Shift+L unlinks")
        self.link_button.clicked.connect(self.link_selected)
        self.unlink_button = QPushButton("&Unlink")
        self.unlink_button.setToolTip("Unlink the gold cluster from its registry entry (Shift+L)")
        self.unlink_button.clicked.connect(self.unlink_selected)
        self.target_label = dialogs.plain_label(wrap=True)
        self.keys = dialogs.plain_label(wrap=True)
        self.keys.setText(KEYS_TEXT)
        self.keys.setStyleSheet("color: palette(mid);")
        self.hint = dialogs.plain_label(wrap=True)
        #: The registry popup last shown (tests drive it).
        self.picker: GoldRegistryPicker | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.target_label, 1)
        for b in (self.accept_button, self.add_button, self.new_button, self.remove_button, self.link_button, self.unlink_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.row, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.keys)
        layout.addWidget(self.hint)
        window.controller.changed.connect(self._changed)

    # -- the Origin protocol ----------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.window.project

    def show_document(self, doc_id: str) -> None:
        if doc_id and doc_id != self.doc_id:
            self.set_document(doc_id)

    def report_error(self, text: str) -> None:
        self.hint.setText(f"⚠ {text}")

    # -- contents ------------------------------------------------------------------------------
    def set_document(self, doc_id: str | None) -> None:
        self.doc_id = doc_id
        self.reload()

    def reload(self) -> None:
        project = self.project
        while self.row.count():
            old = self.row.takeAt(0).widget()
            if old is not None:
                old.hide()
                old.deleteLater()
        self.columns = {}
        if project is None or not self.doc_id:
            self.title.setText("No document.")
            return
        text = project.document_text(self.doc_id)
        row = project.document_rows([self.doc_id]).get(self.doc_id)
        self.title.setText(f"{one_line((row.title if row else '') or self.doc_id, 80)}: clusters by annotator")
        clusters = project.clusters(self.doc_id)
        members = {m for c in clusters for m in c.members}
        rows = project.annotation_rows_by_id(members)
        by_name: dict[str, list[Cluster]] = {}
        for c in clusters:
            by_name.setdefault(c.annotator, []).append(c)
        gold_sets = {self._spans(c, rows) for c in by_name.get(GOLD, [])}
        gold_ids = {c.id for c in by_name.get(GOLD, [])}
        if self.gold_target not in gold_ids:
            self.gold_target = None
        entries = {e.id: e for e in project.registry_entries()} if any(c.entry_id for c in clusters) else {}
        self.titles = {}
        names = sorted(n for n in by_name if n != GOLD) + [GOLD]
        for name in names:
            box = QGroupBox("Gold" if name == GOLD else name)
            tree = QTreeWidget()
            tree.setHeaderLabels(["Cluster / mention", "Mentions", "Registry entry"])
            header = tree.header()  # the mentions and registry columns always show whole; the names take the rest
            header.setStretchLastSection(False)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
            tree.installEventFilter(self)
            tree.currentItemChanged.connect(lambda *_a, n=name: self._chosen(n))
            for cluster in by_name.get(name, []):
                spans = self._spans(cluster, rows)
                mentions = sorted(
                    (r.start, r.end, m) for m in cluster.members if (r := rows.get(m)) is not None and r.start is not None
                )
                title = cluster.name or next(
                    (text[s:e] for s, e, _m in mentions if sum(ch.isalnum() for ch in text[s:e]) >= 3),
                    text[mentions[0][0] : mentions[0][1]] if mentions else "(no mentions)",
                )
                self.titles[cluster.id] = title
                same = name != GOLD and spans in gold_sets
                entry = entries.get(cluster.entry_id or "")
                item = QTreeWidgetItem(
                    [
                        one_line(title, 40) + ("  = gold" if same else ""),
                        str(len(mentions)),
                        one_line(entry.name, 40) if entry else "",
                    ]
                )
                item.setData(0, CLUSTER_ROLE, cluster.id)
                for s, e, m in mentions:
                    child = QTreeWidgetItem(item, [f"“{one_line(text[s:e], 40)}” [{s}, {e})", ""])
                    child.setData(0, MENTION_ROLE, m)
                tree.addTopLevelItem(item)
            if not by_name.get(name):
                QTreeWidgetItem(tree, ["(no clusters)", ""]).setFlags(Qt.ItemFlag.NoItemFlags)
            lay = QVBoxLayout(box)
            lay.addWidget(tree)
            self.row.addWidget(box, 1)
            self.columns[name] = tree
        self.hint.setText(
            "Select a cluster of an annotator and press Enter to accept it into gold, or a mention and G to add it "
            "to the target gold cluster."
            if len(names) > 1
            else "No annotator has made clusters in this document."
        )
        self._show_target()
        self._chosen(None)

    @staticmethod
    def _spans(cluster: Cluster, rows: dict) -> frozenset[tuple[int, int]]:
        return frozenset((r.start, r.end) for m in cluster.members if (r := rows.get(m)) is not None and r.start is not None)

    def _chosen(self, name: str | None) -> None:
        """The column the user works in (its current item changed, or it took the focus)."""
        self.column = name
        if name == GOLD:
            cid = self.selected_gold_cluster()
            if cid is not None and cid != self.gold_target:
                self.gold_target = cid
                self._show_target()
        annotator_mention = self.column != GOLD and self.selected_mention() is not None
        self.accept_button.setEnabled(self.selected_cluster() is not None)
        self.add_button.setEnabled(annotator_mention and self.gold_target is not None)
        self.new_button.setEnabled(annotator_mention)
        self.remove_button.setEnabled(self.column == GOLD and self.selected_mention() is not None)
        gold_cluster = self.selected_gold_cluster()
        self.link_button.setEnabled(gold_cluster is not None)
        linked = (
            gold_cluster is not None and self.project is not None and (c := self.project.get_cluster(gold_cluster)) is not None
        )
        self.unlink_button.setEnabled(bool(linked and c is not None and c.entry_id))

    def _show_target(self) -> None:
        """Name the target gold cluster under the columns and show it in bold."""
        tree = self.columns.get(GOLD)
        if tree is not None:
            for i in range(tree.topLevelItemCount()):
                item = tree.topLevelItem(i)
                font = item.font(0)
                font.setBold(item.data(0, CLUSTER_ROLE) == self.gold_target and self.gold_target is not None)
                item.setFont(0, font)
        if self.gold_target is None:
            self.target_label.setText("Target gold cluster: none (choose one in the gold column, or Shift+G starts one)")
        else:
            self.target_label.setText(f"Target gold cluster: “{one_line(self.titles.get(self.gold_target, '?'), 40)}”")

    def selected_mention(self) -> str | None:
        """The annotation id of the current mention row of the column the user works in."""
        tree = self.columns.get(self.column or "")
        item = tree.currentItem() if tree is not None else None
        ann_id = item.data(0, MENTION_ROLE) if item is not None else None
        return str(ann_id) if ann_id else None

    def selected_gold_cluster(self) -> str | None:
        """The gold cluster of the gold column's current row (cluster or mention)."""
        return self._cluster_of_current(GOLD)

    def selected_cluster(self) -> str | None:
        """The current cluster of the column the user works in (not gold's)."""
        return None if self.column == GOLD else self._cluster_of_current(self.column or "")

    def _cluster_of_current(self, column: str) -> str | None:
        """The cluster of ``column``'s current row (a cluster, or a mention under it)."""
        tree = self.columns.get(column)
        item = tree.currentItem() if tree is not None else None
        while item is not None and item.parent() is not None:
            item = item.parent()
        cid = item.data(0, CLUSTER_ROLE) if item is not None else None
        return str(cid) if cid else None

    def accept_selected(self) -> None:
        from annotator.core.review import AcceptCluster

        cid = self.selected_cluster()
        reviewer = self.window.annotator
        if cid is None or self.doc_id is None:
            self.hint.setText("Select a cluster in an annotator's column first.")
            return
        name = self.column
        command = AcceptCluster(self.doc_id, reviewer, cid)
        if self.window.controller.push(command, self) is not None:
            if command.gold_cluster_id is not None:  # the next G adds to it
                self.gold_target = command.gold_cluster_id
                self._show_target()
            self.hint.setText(
                f"Accepted {name}'s cluster into gold; it is the target gold cluster now, "
                "G adds a mention to it (Ctrl+Z in the main window undoes)."
            )

    def add_selected_mention(self, *, new_cluster: bool = False) -> None:
        """G / Shift+G: the selected mention of an annotator into the target gold
        cluster, or into a new gold cluster (which becomes the target)."""
        from annotator.core.review_coref import AddToGoldCluster

        ann_id = self.selected_mention() if self.column != GOLD else None
        if ann_id is None or self.doc_id is None:
            self.hint.setText("Select a mention (a row under a cluster) in an annotator's column first.")
            return
        if not new_cluster and self.gold_target is None:
            self.hint.setText("Choose the target gold cluster in the gold column first (or Shift+G starts a new one).")
            return
        command = AddToGoldCluster(self.doc_id, self.window.annotator, ann_id, None if new_cluster else self.gold_target)
        target = self.gold_target
        if new_cluster:
            self.gold_target = None
        if self.window.controller.push(command, self) is not None:
            if new_cluster:
                self.gold_target = command.new_cluster_id
                self.reload_keeping_place()
                self.hint.setText("Started a new gold cluster with the mention (Ctrl+Z in the main window undoes).")
            else:
                self.hint.setText(
                    f"Added the mention to the gold cluster “{one_line(self.titles.get(target or '', '?'), 40)}” "
                    "(Ctrl+Z in the main window undoes)."
                )
        else:
            self.gold_target = target

    def remove_selected_mention(self) -> None:
        """Del in the gold column: the gold mention leaves its gold cluster."""
        from annotator.core.review_coref import RemoveFromGoldCluster

        ann_id = self.selected_mention() if self.column == GOLD else None
        if ann_id is None or self.doc_id is None:
            self.hint.setText("Select a mention of a gold cluster first.")
            return
        if self.window.controller.push(RemoveFromGoldCluster(self.doc_id, self.window.annotator, [ann_id]), self) is not None:
            self.hint.setText("Removed the mention from its gold cluster; it stays a gold annotation (Ctrl+Z undoes).")

    def link_selected(self) -> GoldRegistryPicker | None:
        """L: a keyboard list of registry entries for the selected gold cluster."""
        from annotator.services.coref import propose_for_cluster

        cid = self.selected_gold_cluster() if self.column == GOLD else self.gold_target
        project = self.project
        if cid is None or project is None:
            self.hint.setText("Select a gold cluster first.")
            return None
        cluster = project.get_cluster(cid)
        if cluster is None:
            return None
        proposals = propose_for_cluster(project, cid)
        shown = {p.entry.id for p in proposals}
        others = [e for e in project.registry_entries() if e.id not in shown]
        picker = GoldRegistryPicker(self, cid, self.titles.get(cid, "?"), cluster.entry_id, proposals, others)
        self.picker = picker
        tree = self.columns.get(GOLD)
        if tree is not None and tree.currentItem() is not None:
            rect = tree.visualItemRect(tree.currentItem())
            picker.popup(tree.viewport().mapToGlobal(rect.bottomLeft() + QPoint(0, 2)))
        else:
            picker.popup(self.mapToGlobal(QPoint(40, 40)))
        return picker

    def link_to(self, cluster_id: str, entry_id: str | None) -> bool:
        """Link (or, with None, unlink) a gold cluster: one undo step."""
        from annotator.core.review_coref import LinkGoldCluster

        if self.doc_id is None or self.project is None:
            return False
        if self.window.controller.push(LinkGoldCluster(self.doc_id, self.window.annotator, cluster_id, entry_id), self) is None:
            return False
        entry = self.project.get_registry_entry(entry_id) if entry_id else None
        title = one_line(self.titles.get(cluster_id, "?"), 40)
        self.hint.setText(
            f"Linked the gold cluster “{title}” to the registry entry “{one_line(entry.name, 40)}” (Ctrl+Z undoes)."
            if entry is not None
            else f"Unlinked the gold cluster “{title}” from the registry (Ctrl+Z undoes)."
        )
        return True

    def new_entry_for(self, cluster_id: str) -> bool:
        """A new registry entry named after the gold cluster (its mentions' other
        names as aliases), then the link to it: two undo steps, as in the workspace."""
        from annotator.core.coref import RegistryEntry
        from annotator.core.coref_commands import AddRegistryEntry

        project = self.project
        cluster = project.get_cluster(cluster_id) if project is not None else None
        if project is None or cluster is None or self.doc_id is None:
            return False
        text = project.document_text(self.doc_id)
        rows = project.annotation_rows_by_id(cluster.members)
        name = " ".join(self.titles.get(cluster_id, "").split())
        if not name:
            return False
        mentions = sorted((r.start, r.end) for r in rows.values() if r.start is not None and r.end is not None)
        aliases = [
            a
            for a in dict.fromkeys(" ".join(text[s:e].split()) for s, e in mentions)
            if a != name and sum(ch.isalnum() for ch in a) >= 3
        ]
        entry = RegistryEntry(name=name, type=cluster.type, aliases=tuple(aliases))
        command = AddRegistryEntry(self.window.annotator, entry, self.doc_id)
        command.text = f"add registry entry “{one_line(name, 30)}”"
        if self.window.controller.push(command, self) is None:
            return False
        return self.link_to(cluster_id, entry.id)

    def unlink_selected(self) -> None:
        """Shift+L: unlink the selected gold cluster from its registry entry."""
        cid = self.selected_gold_cluster() if self.column == GOLD else self.gold_target
        if cid is None:
            self.hint.setText("Select a gold cluster first.")
            return
        self.link_to(cid, None)

    def _place(self) -> tuple[str | None, int | None, int | None]:
        name, row, child = self.column, None, None
        tree = self.columns.get(name or "")
        if tree is not None and tree.currentItem() is not None:
            item = tree.currentItem()
            parent = item.parent()
            row = tree.indexOfTopLevelItem(parent or item)
            child = parent.indexOfChild(item) if parent is not None else None
        return name, row, child

    def reload_keeping_place(self, place: tuple[str | None, int | None, int | None] | None = None) -> None:
        """Reload, then put the focus back on the same column, row and mention."""
        name, row, child = place or self._place()
        self.reload()
        tree = self.columns.get(name or "")
        if tree is not None:
            tree.setFocus()
            if row is not None and 0 <= row < tree.topLevelItemCount():
                item = tree.topLevelItem(row)
                if child is not None and item.childCount():
                    item.setExpanded(True)
                    item = item.child(min(child, item.childCount() - 1))
                tree.setCurrentItem(item)
            self._chosen(name)

    def _changed(self, changes: Changes) -> None:
        if self.isVisible() and changes.concerns(self.doc_id):
            self.reload_keeping_place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusIn:
            name = next((n for n, t in self.columns.items() if t is watched), None)
            if name is not None:
                self._chosen(name)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and watched in self.columns.values():
            action = self._key_action(event)
            if action is not None:
                self._chosen(next(n for n, t in self.columns.items() if t is watched))
                action()
                return True
        return super().eventFilter(watched, event)

    def _key_action(self, event: QKeyEvent) -> Any:
        """What a key does in a column (see :data:`KEYS_TEXT`); None: the tree's own."""
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        none, shift = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods == none:
            return self.accept_selected
        if key == Qt.Key.Key_G and mods in (none, shift):
            return lambda: self.add_selected_mention(new_cluster=mods == shift)
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and mods == none:
            return self.remove_selected_mention
        if key == Qt.Key.Key_L and mods == none:
            return self.link_selected
        if key == Qt.Key.Key_L and mods == shift:
            return self.unlink_selected
        return None


class GoldRegistryPicker(QMenu):
    """A keyboard list of registry entries for a gold cluster: the registry's
    fuzzy proposals for its mentions first (best first, with their score), the
    other entries in a submenu, a new entry named after the cluster, and
    "unlink" when it is linked.  Arrows and Enter link (one undo step), Esc
    cancels."""

    def __init__(
        self,
        dialog: ReviewClustersDialog,
        cluster_id: str,
        title: str,
        linked: str | None,
        proposals: list,
        others: list,
        parent: QWidget | None = None,
    ):
        super().__init__(parent or dialog)
        self.dialog = dialog
        self.cluster_id = cluster_id
        head = self.addAction(escape_mnemonic(f"Link gold “{one_line(title, 30)}” to… (Enter links, Esc cancels)"))
        head.setEnabled(False)
        self.entry_actions: list[QAction] = []
        for p in proposals:
            alias = f" (as “{p.matched_name}”)" if p.matched_name != p.entry.name else ""
            what = f"{p.entry.name}{alias}" + (f" — {p.entry.type}" if p.entry.type else "")
            self._add(self, f"{'✓ ' if p.entry.id == linked else ''}{what}  [{round(p.score)}%]", p.entry.id)
        if others:
            more = self.addMenu("Other entries") if proposals else self
            for entry in others:
                what = entry.name + (f" — {entry.type}" if entry.type else "")
                self._add(more, f"{'✓ ' if entry.id == linked else ''}{what}", entry.id)
        self.addSeparator()
        self.new_action = self.addAction(escape_mnemonic(f"New registry entry “{one_line(title, 30)}”"))
        self.new_action.triggered.connect(lambda: self.dialog.new_entry_for(self.cluster_id))
        self.unlink_action: QAction | None = None
        if linked:
            self.unlink_action = self.addAction("Unlink from the registry")
            self.unlink_action.triggered.connect(lambda: self.dialog.link_to(self.cluster_id, None))
        self.setActiveAction(self.entry_actions[0] if self.entry_actions else self.new_action)

    def _add(self, menu: QMenu, text: str, entry_id: str) -> None:
        action = menu.addAction(escape_mnemonic(text))
        action.triggered.connect(lambda _c=False, e=entry_id: self.dialog.link_to(self.cluster_id, e))
        self.entry_actions.append(action)


def show_review_clusters(window: MainWindow) -> ReviewClustersDialog | None:
    """Review > Coreference clusters…: the review window's document, else the workspace's."""
    if window.project is None:
        return None
    dialog: ReviewClustersDialog | None = getattr(window, "review_clusters_dialog", None)
    if dialog is None:
        dialog = ReviewClustersDialog(window)
        window.review_clusters_dialog = dialog
    review = getattr(window, "review_window", None)
    doc = getattr(getattr(review, "review", None), "doc_id", None) if review is not None and review.isVisible() else None
    dialog.set_document(doc or window.current_doc_id)
    dialog.show()
    dialog.raise_()
    first = next((t for n, t in dialog.columns.items() if n != GOLD), None)
    if first is not None:
        first.setFocus()
        if first.topLevelItemCount():
            first.setCurrentItem(first.topLevelItem(0))
    return dialog
