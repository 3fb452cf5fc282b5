"""The registry browser (issue 15): every entry of the project's entity registry
with the documents, clusters and mentions linked to it.

Edit > Coreference > Entity registry…  Type to filter (name, alias, type); the
documents of the selected entry are listed beside it (Enter or a double-click
opens one).  Add…, Edit… and Delete change the registry, Link current cluster
links the workspace's current cluster to the selected entry: each one undo
step through the window's undo controller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.constraints import one_line
from annotator.ui import dialogs

if TYPE_CHECKING:
    from annotator.core.coref import RegistryEntry
    from annotator.ui.main_window import MainWindow

__all__ = ["RegistryDialog", "EntryForm"]

COLUMNS = ("Name", "Type", "Aliases", "Documents", "Clusters", "Mentions")


class EntryForm(QDialog):
    """Name, type, aliases (one per line or comma-separated) and description of an entry."""

    def __init__(self, parent: QWidget, entry: RegistryEntry | None = None):
        super().__init__(parent)
        self.setWindowTitle("Registry entry" if entry is None else f"Registry entry “{one_line(entry.name, 30)}”")
        self.name = QLineEdit(entry.name if entry else "")
        self.type = QLineEdit((entry.type or "") if entry else "")
        self.aliases = QLineEdit(", ".join(entry.aliases) if entry else "")
        self.aliases.setPlaceholderText("other names, comma-separated")
        self.description = QLineEdit(entry.description if entry else "")
        form = QFormLayout(self)
        form.addRow("&Name", self.name)
        form.addRow("&Type", self.type)
        form.addRow("&Aliases", self.aliases)
        form.addRow("&Description", self.description)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.error = dialogs.plain_label(wrap=True)
        self.error.setStyleSheet("color: #b00020;")
        form.addRow(self.error)

    def values(self) -> dict[str, Any]:
        return {
            "name": " ".join(self.name.text().split()),
            "type": self.type.text().strip() or None,
            "aliases": [a.strip() for a in self.aliases.text().split(",") if a.strip()],
            "description": self.description.text().strip(),
        }

    def _accept(self) -> None:
        if not self.values()["name"]:
            self.error.setText("An entry needs a name.")
            self.name.setFocus()
            return
        self.accept()


class RegistryDialog(QDialog):
    """The registry browser (see the module doc)."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.project = window.project
        self.setWindowTitle("Entity registry")
        self.resize(820, 460)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name, alias or type")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._entry_chosen)
        self.table.itemActivated.connect(lambda _i: self.edit_entry())
        self.documents = QListWidget()
        self.documents.itemActivated.connect(self._open_document)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.documents)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton("&Edit…")
        self.delete_button = QPushButton("&Delete")
        self.link_button = QPushButton("&Link current cluster")
        self.link_button.setToolTip("Link the current cluster of the open document to the selected entry")
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button.clicked.connect(self.edit_entry)
        self.delete_button.clicked.connect(self.delete_entry)
        self.link_button.clicked.connect(self.link_current)
        row = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button, self.link_button):
            row.addWidget(b)
        row.addStretch(1)
        self.summary = dialogs.plain_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(split, 1)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        self.form: EntryForm | None = None
        self._rows: list[Any] = []
        window.controller.changed.connect(self._changed)

    # -- contents ------------------------------------------------------------------------
    def reload(self) -> None:
        from annotator.services.coref import registry_listing

        if self.project is None:
            return
        chosen = self.selected_entry_id()
        self._rows = registry_listing(self.project)
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self._rows))
        for i, row in enumerate(self._rows):
            e = row.entry
            cells = [e.name, e.type or "", ", ".join(e.aliases), row.documents, row.clusters, row.mentions]
            for col, value in enumerate(cells):
                item = QTableWidgetItem()
                if isinstance(value, int):
                    item.setData(Qt.ItemDataRole.DisplayRole, value)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                else:
                    item.setText(value)
                item.setData(Qt.ItemDataRole.UserRole, e.id)
                self.table.setItem(i, col, item)
        self.table.setSortingEnabled(True)
        self._apply_filter()
        self.summary.setText(f"{len(self._rows)} entries" if self._rows else "The registry is empty: Add… makes an entry.")
        if chosen:
            self.select_entry(chosen)
        elif self._rows:
            self.table.selectRow(0)
        self._entry_chosen()

    def _changed(self, changes: Any) -> None:
        if self.isVisible() and (changes.registry or changes.clusters or changes.wholesale):
            self.reload()

    def _apply_filter(self) -> None:
        q = self.filter.text().strip().casefold()
        for i in range(self.table.rowCount()):
            hay = " ".join(self.table.item(i, c).text() for c in range(3)).casefold()
            self.table.setRowHidden(i, bool(q) and q not in hay)

    def selected_entry_id(self) -> str | None:
        items = self.table.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def select_entry(self, entry_id: str) -> None:
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).data(Qt.ItemDataRole.UserRole) == entry_id:
                self.table.selectRow(i)
                return

    def _entry_chosen(self) -> None:
        self.documents.clear()
        entry_id = self.selected_entry_id()
        for b in (self.edit_button, self.delete_button, self.link_button):
            b.setEnabled(entry_id is not None)
        if entry_id is None or self.project is None:
            return
        for doc_id, title, mentions in self.project.registry_documents(entry_id):
            item = QListWidgetItem(f"{one_line(title or doc_id, 60)} — {mentions} mention{'s' if mentions != 1 else ''}")
            item.setData(Qt.ItemDataRole.UserRole, doc_id)
            self.documents.addItem(item)
        if not self.documents.count():
            self.documents.addItem(QListWidgetItem("(linked in no document)"))

    def _open_document(self, item: QListWidgetItem) -> None:
        doc_id = item.data(Qt.ItemDataRole.UserRole)
        if doc_id:
            self.window.doc_list.select_document(doc_id)
            self.window.open_document(doc_id)

    # -- changes ---------------------------------------------------------------------------
    def _run(self, command: Any) -> bool:
        return self.window.workspace.run(command)

    def add_entry(self) -> None:
        self.form = EntryForm(self)
        self.form.accepted.connect(self._add_accepted)
        self.form.open()

    def _add_accepted(self) -> None:
        from annotator.core.coref import RegistryEntry
        from annotator.core.coref_commands import AddRegistryEntry

        assert self.form is not None
        values = self.form.values()
        entry = RegistryEntry(
            name=values["name"], type=values["type"], aliases=tuple(values["aliases"]), description=values["description"]
        )
        command = AddRegistryEntry(self.window.annotator, entry, self.window.current_doc_id)
        command.text = f"add registry entry “{one_line(entry.name, 30)}”"
        if self._run(command):
            self.reload()
            self.select_entry(entry.id)

    def edit_entry(self) -> None:
        entry_id = self.selected_entry_id()
        entry = self.project.get_registry_entry(entry_id) if entry_id and self.project is not None else None
        if entry is None:
            return
        self.form = EntryForm(self, entry)
        self.form.accepted.connect(lambda: self._edit_accepted(entry))
        self.form.open()

    def _edit_accepted(self, entry: RegistryEntry) -> None:
        from annotator.core.coref_commands import UpdateRegistryEntry

        assert self.form is not None
        values = self.form.values()
        changed = {
            k: v
            for k, v in values.items()
            if v != {"name": entry.name, "type": entry.type, "aliases": list(entry.aliases), "description": entry.description}[k]
        }
        if not changed:
            return
        command = UpdateRegistryEntry(self.window.annotator, entry.id, doc_id=self.window.current_doc_id, **changed)
        command.text = f"edit registry entry “{one_line(entry.name, 30)}”"
        self._run(command)

    def delete_entry(self) -> None:
        from annotator.core.coref_commands import DeleteRegistryEntry

        entry_id = self.selected_entry_id()
        entry = self.project.get_registry_entry(entry_id) if entry_id and self.project is not None else None
        if entry is None:
            return
        command = DeleteRegistryEntry(self.window.annotator, entry.id, self.window.current_doc_id)
        command.text = f"delete registry entry “{one_line(entry.name, 30)}”"
        if self._run(command):
            self.window.statusBar().showMessage(
                f"Deleted the registry entry “{entry.name}”; its clusters are unlinked (Ctrl+Z brings it back).", 8000
            )

    def link_current(self) -> None:
        ws = self.window.workspace
        entry_id = self.selected_entry_id()
        cid = ws.current_cluster_id
        if entry_id is None:
            return
        if cid is None:
            self.window.statusBar().showMessage("No current cluster: select a mention of a cluster in the text first.", 8000)
            return
        ws.update_cluster(cid, entry_id=entry_id)
