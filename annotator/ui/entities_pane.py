"""The entities pane (issue 15): the open document's coreference clusters, and
the registry's proposals when a cluster is made.

Loaded after the window's first paint (:mod:`annotator.ui.lazy`):
:func:`install_coref_actions` adds View > Entities pane (Ctrl+Shift+E) and Edit >
Coreference > Entity registry… to the main window, and connects the workspace's
``clusterCreated`` to the registry proposals popup (:class:`RegistryProposals`).

The pane lists each cluster (name, type, mention count, registry entry), in the
order they were made, with its mentions under it in text order:

- Enter or a double-click on a mention selects it in the text (and shows it);
  on a cluster, its first mention.  Selecting a cluster makes it current (so
  selecting two clusters one after the other and pressing Ctrl+Shift+M merges
  them, as in the text).
- F2 renames the cluster (its canonical name; empty: the first mention's text
  again), Shift+F2 edits its type; both are one undo step.
- Merge (Ctrl+Shift+M in the pane: the clusters selected here, into the first),
  Split off (a mention into a cluster of its own), Detach (Delete on a mention),
  Link to registry… (proposals and every entry, by name).

The pane follows the change bus through the workspace: only the clusters a
change named are rebuilt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.constraints import one_line
from annotator.ui import dialogs
from annotator.ui.actions import escape_mnemonic, make_action, plain_action_text

if TYPE_CHECKING:
    from annotator.core.coref import Cluster
    from annotator.ui.main_window import MainWindow
    from annotator.ui.workspace import Workspace

__all__ = ["EntitiesPane", "RegistryProposals", "install_coref_actions", "show_entities_pane"]

#: Item data roles: what an item stands for.
CLUSTER_ROLE = Qt.ItemDataRole.UserRole
MENTION_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Cluster / mention", "Type", "Mentions", "Registry")


class EntitiesPane(QWidget):
    """The clusters of the open document (see the module doc)."""

    def __init__(self, window: MainWindow, parent: QWidget | None = None):
        super().__init__(parent)
        self.window = window
        self.ws: Workspace = window.workspace
        self._items: dict[str, QTreeWidgetItem] = {}
        #: The cluster shown in bold (the current one).
        self._bold: str | None = None
        self._filling = False
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.installEventFilter(self)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemChanged.connect(self._edited)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)

        self.merge_button = QPushButton("&Merge")
        self.merge_button.setToolTip("Merge the selected clusters into the first one (Ctrl+Shift+M)")
        self.split_button = QPushButton("&Split off")
        self.split_button.setToolTip("Move the selected mention out of its cluster into a new one")
        self.detach_button = QPushButton("De&tach")
        self.detach_button.setToolTip("Take the selected mention out of its cluster (Delete)")
        self.link_button = QPushButton("&Link…")
        self.link_button.setToolTip("Link the selected cluster to a registry entry")
        self.merge_button.clicked.connect(self.merge_selected)
        self.split_button.clicked.connect(self.split_selected)
        self.detach_button.clicked.connect(self.detach_selected)
        self.link_button.clicked.connect(self.link_selected)
        buttons = QHBoxLayout()
        for b in (self.merge_button, self.split_button, self.detach_button, self.link_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.hint = dialogs.plain_label(wrap=True)
        self.hint.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)

        self.ws.documentOpened.connect(lambda _d: self.rebuild())
        self.ws.clustersChanged.connect(self.refresh)
        self.ws.currentClusterChanged.connect(self._mark_current)
        self.ws.annotationsChanged.connect(self._annotations_changed)
        window.controller.changed.connect(self._bus)
        self.rebuild()

    # -- contents ----------------------------------------------------------------------
    def rebuild(self) -> None:
        """Every cluster of the open document afresh."""
        self._filling = True
        try:
            self.tree.clear()
            self._items, self._bold = {}, None
            for cid in self.ws.clusters:
                item = QTreeWidgetItem()
                self._fill(item, cid)
                self.tree.addTopLevelItem(item)
                self._items[cid] = item
        finally:
            self._filling = False
        self._mark_current(self.ws.current_cluster_id)
        self._update_hint()

    def refresh(self, ids: set[str]) -> None:
        """The clusters ``ids`` changed (added, changed or removed)."""
        if len(ids) > 50:
            self.rebuild()
            return
        self._filling = True
        try:
            for cid in ids:
                item = self._items.get(cid)
                if item is None:
                    continue
                if cid in self.ws.clusters:  # changed: refilled in place
                    expanded = item.isExpanded()
                    item.takeChildren()
                    self._fill(item, cid)
                    item.setExpanded(expanded)
                else:
                    del self._items[cid]
                    self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
            order = list(self.ws.clusters)
            for cid in sorted((c for c in ids if c in self.ws.clusters and c not in self._items), key=order.index):
                item = QTreeWidgetItem()
                self._fill(item, cid)
                later = next((self._items[c] for c in order[order.index(cid) + 1 :] if c in self._items), None)
                at = self.tree.indexOfTopLevelItem(later) if later is not None else self.tree.topLevelItemCount()
                self.tree.insertTopLevelItem(at, item)
                self._items[cid] = item
        finally:
            self._filling = False
        self._mark_current(self.ws.current_cluster_id)
        self._update_hint()

    def _fill(self, item: QTreeWidgetItem, cid: str) -> None:
        ws = self.ws
        cluster = ws.clusters[cid]
        mentions = ws.cluster_mentions(cid)
        item.setData(0, CLUSTER_ROLE, cid)
        item.setText(0, ws.cluster_title(cid))
        item.setText(1, cluster.type or "")
        item.setText(2, str(len(mentions)))
        item.setText(3, self._entry_name(cluster))
        item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        color = ws.chain_colors().get(cid)
        if color:
            swatch = QColor(color)
            swatch.setAlphaF(0.35)
            item.setBackground(2, QBrush(swatch))
        item.setToolTip(0, f"{ws.cluster_title(cid)}: {len(mentions)} mentions (F2 renames, Shift+F2 sets the type)")
        for ann in mentions:
            child = QTreeWidgetItem(item)
            child.setData(0, MENTION_ROLE, ann.id)
            child.setText(0, f"“{one_line(ann.text_in(ws.text), 60)}”")
            child.setText(1, ann.label)
            child.setText(2, f"{ann.start}")
            child.setToolTip(0, f"{ann.label} at [{ann.start}, {ann.end}) — Enter shows it in the text")
            child.setFlags(child.flags() & ~Qt.ItemFlag.ItemIsEditable)

    def _entry_name(self, cluster: Cluster) -> str:
        project = self.ws.project
        if cluster.entry_id is None or project is None:
            return ""
        entry = project.get_registry_entry(cluster.entry_id)
        return entry.name if entry is not None else ""

    def _annotations_changed(self, added: list, removed: set, updated: list) -> None:
        """A mention's span moved or it went: its cluster's row again."""
        ids = {a.id for a in updated} | set(removed)
        touched = {self.ws.member_of[i] for i in ids if i in self.ws.member_of}
        touched |= {
            cid for cid, item in self._items.items() if any(_mention_of(item.child(k)) in ids for k in range(item.childCount()))
        }
        if touched:
            self.refresh(touched)

    def _bus(self, changes: Any) -> None:
        """Registry entries renamed or deleted: the rows naming them."""
        if getattr(changes, "registry", None):
            linked = {cid for cid, c in self.ws.clusters.items() if c.entry_id in changes.registry}
            if linked:
                self.refresh(linked)

    def _mark_current(self, cid: str | None) -> None:
        filling, self._filling = self._filling, True  # setFont emits itemChanged
        try:
            for key in {self._bold or "", cid or ""}:
                item = self._items.get(key)
                if item is not None and item.font(0).bold() != (key == cid):
                    font = item.font(0)
                    font.setBold(key == cid)
                    item.setFont(0, font)
            self._bold = cid
            current = self._items.get(cid or "")
            if current is not None and _cluster_of(self.tree.currentItem()) != cid:
                self.tree.setCurrentItem(current)
                self.tree.scrollToItem(current)
        finally:
            self._filling = filling

    def _update_hint(self) -> None:
        if not self._items:
            self.hint.setText(
                "No clusters yet. Select a mention in the text and press Ctrl+Shift+K to start one; "
                "select another and press Ctrl+K to attach it."
            )
        else:
            self.hint.setText(f"{len(self._items)} clusters. Enter shows a mention; F2 renames; Ctrl+Shift+M merges.")

    # -- selection -------------------------------------------------------------------------
    def selected_clusters(self) -> list[str]:
        """Ids of the selected clusters (a selected mention stands for its cluster), in selection order."""
        out: list[str] = []
        for item in self.tree.selectedItems():
            cid = _cluster_of(item)
            if cid is not None and cid not in out:
                out.append(cid)
        return out

    def selected_mention(self) -> str | None:
        item = self.tree.currentItem()
        return _mention_of(item) if item is not None else None

    def select_cluster(self, cid: str) -> None:
        item = self._items.get(cid)
        if item is not None:
            self.tree.setCurrentItem(item)

    def _selection_changed(self) -> None:
        item = self.tree.currentItem()
        cid = _cluster_of(item) if item is not None and item.isSelected() else None
        if cid is not None and not self._filling:
            self.ws.set_current_cluster(cid)

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        """Enter / double-click: show the mention (a cluster: its first) selected in the text."""
        ann_id = _mention_of(item)
        if ann_id is None:
            cid = _cluster_of(item)
            mentions = self.ws.cluster_mentions(cid) if cid else []
            ann_id = mentions[0].id if mentions else None
        if ann_id is None:
            return
        self.ws.select_annotation(ann_id, reveal=True)
        self.window.article_view.setFocus()

    # -- editing -----------------------------------------------------------------------------
    def _edited(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling:
            return
        cid = item.data(0, CLUSTER_ROLE)
        if not cid or item.data(0, MENTION_ROLE) or cid not in self.ws.clusters:
            return
        text = item.text(column).strip()
        cluster = self.ws.clusters[cid]
        if column == 0 and text != self.ws.cluster_title(cid):
            self.ws.update_cluster(cid, name=text or None)
        elif column == 1 and text != (cluster.type or ""):
            self.ws.update_cluster(cid, type=text or None)
        else:
            self.refresh({cid})

    def rename_selected(self, column: int = 0) -> None:
        ids = self.selected_clusters()
        if ids:
            item = self._items[ids[0]]
            self.tree.setCurrentItem(item)
            self.tree.editItem(item, column)

    def merge_selected(self) -> None:
        ids = self.selected_clusters()
        if len(ids) < 2:
            self.window.statusBar().showMessage("Select two or more clusters to merge (Ctrl+click or Shift+click).", 8000)
            return
        self.ws.merge_clusters(ids[0], ids[1:])

    def split_selected(self) -> None:
        ann_id = self.selected_mention()
        if ann_id is None:
            self.window.statusBar().showMessage("Select a mention (under its cluster) to split it off.", 8000)
            return
        self.ws.split_off(ann_id)

    def detach_selected(self) -> None:
        ann_id = self.selected_mention()
        if ann_id is None:
            self.window.statusBar().showMessage("Select a mention (under its cluster) to detach it.", 8000)
            return
        self.ws.detach_from_cluster(ann_id)

    def link_selected(self) -> None:
        ids = self.selected_clusters()
        cid = ids[0] if ids else self.ws.current_cluster_id
        if cid is None:
            self.window.statusBar().showMessage("Select a cluster to link it to a registry entry.", 8000)
            return
        propose(self.window, cid, every_entry=True)

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Show in the text", lambda: self._activated(self.tree.currentItem()) if self.tree.currentItem() else None)
        menu.addAction("Rename…", self.rename_selected)
        menu.addAction("Set type…", lambda: self.rename_selected(1))
        menu.addAction("Merge the selected clusters", self.merge_selected)
        menu.addAction("Split the mention off", self.split_selected)
        menu.addAction("Detach the mention", self.detach_selected)
        menu.addAction("Link to the registry…", self.link_selected)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.tree and event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if self.tree.state() == QAbstractItemView.State.EditingState:
                return False
            action = self._key_action(event)
            if action is not None:
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    action()
                return True
        return super().eventFilter(watched, event)

    def _key_action(self, event: QKeyEvent) -> Any:
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        none, shift = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier
        if key == Qt.Key.Key_F2 and mods in (none, shift):
            return lambda: self.rename_selected(1 if mods == shift else 0)
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and mods == none and self.selected_mention():
            return self.detach_selected
        if key == Qt.Key.Key_M and mods == (Qt.KeyboardModifier.ControlModifier | shift) and len(self.selected_clusters()) > 1:
            return self.merge_selected
        return None


def _cluster_of(item: QTreeWidgetItem | None) -> str | None:
    if item is None:
        return None
    if item.data(0, MENTION_ROLE):
        item = item.parent()
    cid = item.data(0, CLUSTER_ROLE) if item is not None else None
    return str(cid) if cid else None


def _mention_of(item: QTreeWidgetItem | None) -> str | None:
    ann_id = item.data(0, MENTION_ROLE) if item is not None else None
    return str(ann_id) if ann_id else None


# -- registry proposals ---------------------------------------------------------------------
class RegistryProposals(QMenu):
    """A keyboard popup of the registry entries proposed for a cluster: arrows
    and Enter link the cluster to one (one undo step), Esc skips; its last
    entries add a new registry entry named after the cluster and link to it."""

    def __init__(self, window: MainWindow, cluster_id: str, proposals: list, others: list, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.window = window
        self.cluster_id = cluster_id
        ws = window.workspace
        title = ws.cluster_title(cluster_id)
        self.setTitle(f"Registry entries for “{one_line(title, 30)}”")
        head = self.addAction(escape_mnemonic(f"Link “{one_line(title, 30)}” to… (Enter links, Esc skips)"))
        head.setEnabled(False)
        self.entry_actions: list[QAction] = []
        for p in proposals:
            alias = f" (as “{p.matched_name}”)" if p.matched_name != p.entry.name else ""
            what = f"{p.entry.name}{alias}" + (f" — {p.entry.type}" if p.entry.type else "")
            self._entry_action(f"{what}  [{round(p.score)}%]", p.entry.id)
        if others:
            more = self.addMenu("Other entries")
            for entry in others:
                action = more.addAction(escape_mnemonic(entry.name + (f" — {entry.type}" if entry.type else "")))
                action.triggered.connect(lambda _c=False, e=entry.id: self.link(e))
                self.entry_actions.append(action)
        self.addSeparator()
        self.new_action = self.addAction(escape_mnemonic(f"New registry entry “{one_line(title, 30)}”"))
        self.new_action.triggered.connect(self.add_new)
        if self.entry_actions:
            self.setActiveAction(self.entry_actions[0])

    def _entry_action(self, text: str, entry_id: str) -> None:
        action = self.addAction(escape_mnemonic(text))
        action.triggered.connect(lambda _c=False, e=entry_id: self.link(e))
        self.entry_actions.append(action)

    def link(self, entry_id: str) -> None:
        ws = self.window.workspace
        project = ws.project
        entry = project.get_registry_entry(entry_id) if project is not None else None
        if entry is not None and ws.update_cluster(self.cluster_id, entry_id=entry_id):
            self.window.statusBar().showMessage(
                f"“{one_line(ws.cluster_title(self.cluster_id), 30)}” linked to the registry entry “{entry.name}”. Ctrl+Z undoes.",
                8000,
            )

    def add_new(self) -> None:
        """A new entry named after the cluster (its mentions' names as aliases), linked."""
        from annotator.core.coref import RegistryEntry
        from annotator.core.coref_commands import AddRegistryEntry

        ws = self.window.workspace
        cluster = ws.clusters.get(self.cluster_id)
        if cluster is None:
            return
        name = ws.cluster_title(self.cluster_id)
        aliases = [a.text_in(ws.text) for a in ws.cluster_mentions(self.cluster_id)]
        aliases = [
            a for a in dict.fromkeys(" ".join(x.split()) for x in aliases) if a != name and sum(c.isalnum() for c in a) >= 3
        ]
        entry = RegistryEntry(name=name, type=cluster.type, aliases=tuple(aliases))
        command = AddRegistryEntry(ws.annotator, entry, ws.doc_id)
        command.text = f"add registry entry “{one_line(name, 30)}”"
        if ws.run(command):
            self.link(entry.id)


def propose(window: MainWindow, cluster_id: str, *, every_entry: bool = False) -> RegistryProposals | None:
    """Show the registry's proposals for a cluster in a popup by the text cursor
    (nothing when there are none, unless ``every_entry``: the Link… button)."""
    from annotator.services.coref import propose_for_cluster

    project = window.project
    ws = window.workspace
    if project is None or cluster_id not in ws.clusters:
        return None
    proposals = propose_for_cluster(project, cluster_id)
    if not proposals and not every_entry:
        return None
    others = []
    if every_entry:
        shown = {p.entry.id for p in proposals}
        others = [e for e in project.registry_entries() if e.id not in shown]
    popup = RegistryProposals(window, cluster_id, proposals, others)
    window.registry_popup = popup
    view = window.article_view
    rect = view.cursorRect()
    popup.popup(view.viewport().mapToGlobal(rect.bottomLeft() + QPoint(0, 4)))
    return popup


# -- installation ------------------------------------------------------------------------------
def show_entities_pane(window: MainWindow) -> EntitiesPane:
    """The entities pane (made on first use, beside the annotation list), focused."""
    pane: EntitiesPane | None = getattr(window, "entities_pane", None)
    if pane is None:
        pane = EntitiesPane(window)
        dock = QDockWidget("Entities", window)
        dock.setObjectName("dock-entities")
        dock.setWidget(pane)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        window.tabifyDockWidget(window.docks["annotations"], dock)
        window.entities_pane, window.entities_dock = pane, dock
    dock = window.entities_dock
    dock.show()
    dock.raise_()
    current = pane._items.get(window.workspace.current_cluster_id or "")
    if current is not None and _cluster_of(pane.tree.currentItem()) != window.workspace.current_cluster_id:
        pane.tree.setCurrentItem(current)
    elif pane.tree.currentItem() is None and pane.tree.topLevelItemCount():
        pane.tree.setCurrentItem(pane.tree.topLevelItem(0))
    pane.tree.setFocus()
    return pane


def _insert_after(menu: QMenu, text: str, action: QAction) -> None:
    actions = menu.actions()
    at = next((i for i, a in enumerate(actions) if plain_action_text(a) == text), None)
    if at is not None and at + 1 < len(actions):
        menu.insertAction(actions[at + 1], action)
    else:
        menu.addAction(action)


def install_coref_actions(window: MainWindow) -> None:
    """View > Entities pane (Ctrl+Shift+E); Edit > Coreference > Entity registry…;
    Review > Coreference clusters… (the main window calls :func:`propose` itself when a cluster is made)."""
    view_menu = window.menus["View"]
    _insert_after(
        view_menu,
        "Coreference chains",
        make_action(window, "&Entities pane", lambda: show_entities_pane(window), shortcut=QKeySequence("Ctrl+Shift+E")),
    )
    coref = window.coref_menu
    if coref is not None:
        coref.addAction(make_action(window, "Entity &registry…", lambda: show_registry(window)))
    review_menu = window.menus["Review"]
    review_menu.addAction(make_action(window, "Coreference c&lusters…", lambda: _review_clusters(window)))


def _review_clusters(window: MainWindow) -> None:
    from annotator.ui.review_clusters import show_review_clusters

    show_review_clusters(window)


def show_registry(window: MainWindow) -> None:
    from annotator.ui.registry_dialog import RegistryDialog

    if window.project is None:
        return
    dialog = getattr(window, "registry_dialog", None)
    if dialog is None or dialog.project is not window.project:
        dialog = RegistryDialog(window)
        window.registry_dialog = dialog
    dialog.reload()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
