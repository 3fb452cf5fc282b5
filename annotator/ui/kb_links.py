"""The inspector's knowledge-base links (issue 14): the links of the selected
entity, and a field to link it, keyboard only.

Type in the field: fuzzy candidates from the project's knowledge bases appear
under it (name, ``resource:id``, description), found as one types; Up and Down
move through them, Enter links the entity to the one chosen, Escape clears the
field.  The links list shows the entity's links; Delete removes the chosen one.
Like the rest of the inspector the widget never changes the project's
annotations: it emits requests that the workspace turns into undoable commands.
"Load a knowledge base…" loads a file into the project (as ``annotator kb
load`` does: one transaction, a progress dialog whose Cancel changes nothing;
like an import, not an undo step).

Made when the inspector first shows an entity (not needed for the first paint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.ui.actions import escape_mnemonic, plain_tooltip
from annotator.ui.dialogs import plain_label, show_error

if TYPE_CHECKING:
    from annotator.core.models import Annotation
    from annotator.core.store import Project
    from annotator.services.kb import Candidate

__all__ = ["KbLinkBox", "ALL_RESOURCES"]

ALL_RESOURCES = "(all knowledge bases)"
#: Candidates shown for a query.
CANDIDATES = 10
_ROLE = Qt.ItemDataRole.UserRole


class _Cancelled(Exception):
    """The user cancelled a load (raised from its progress callback: the load rolls back)."""


def _one_line(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class KbLinkBox(QGroupBox):
    """Links of the selected entity, and the field that links it (see the module)."""

    linkRequested = Signal(str, str, str, str)  # entity id, resource, entry id, name
    unlinkRequested = Signal(str, str, str)  # entity id, resource, entry id
    message = Signal(str)  # for the status bar

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Knowledge-base links", parent)
        self.project: Project | None = None
        self.ann: Annotation | None = None
        self._query = ""
        layout = QVBoxLayout(self)
        self.links_list = QListWidget()
        self.links_list.setObjectName("kbLinks")
        self.links_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.links_list.setMaximumHeight(80)
        self.links_list.setToolTip(plain_tooltip("The entity's links. Delete: remove the chosen link."))
        self.links_list.installEventFilter(self)
        layout.addWidget(self.links_list)
        self.remove_button = QPushButton("Remove link")
        self.remove_button.setToolTip(plain_tooltip("Remove the chosen link (Delete in the list)"))
        self.remove_button.clicked.connect(self.remove_selected)
        layout.addWidget(self.remove_button)

        row = QHBoxLayout()
        self.field = QLineEdit()
        self.field.setObjectName("kbLinkField")
        self.field.setPlaceholderText("Link to… (type a name; ↑↓ choose, Enter links)")
        self.field.setToolTip(
            plain_tooltip("Type a name, an alias or an id: candidates appear below. Up/Down choose, Enter links, Escape clears.")
        )
        self.field.installEventFilter(self)
        self.field.textEdited.connect(self._edited)
        caption = QLabel("Lin&k")
        caption.setBuddy(self.field)
        row.addWidget(caption)
        row.addWidget(self.field, 1)
        layout.addLayout(row)
        self.resource_combo = QComboBox()
        self.resource_combo.setToolTip(plain_tooltip("Search this knowledge base (or all)"))
        self.resource_combo.activated.connect(lambda _i: self._search_now())
        layout.addWidget(self.resource_combo)
        self.candidates = QListWidget()
        self.candidates.setObjectName("kbCandidates")
        self.candidates.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the focus; arrows move here
        self.candidates.setWordWrap(True)
        self.candidates.itemDoubleClicked.connect(lambda _item: self.pick_current())
        layout.addWidget(self.candidates)
        self.status = plain_label(wrap=True)
        self.status.setStyleSheet("color: palette(mid);")
        layout.addWidget(self.status)
        self.load_button = QPushButton("Load a knowledge base…")
        self.load_button.setToolTip(
            plain_tooltip("Load entries (id, name, aliases, description) from a CSV, TSV or JSON-lines file into this project")
        )
        self.load_button.clicked.connect(self.load_file)
        layout.addWidget(self.load_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)  # wait for the next keystroke a moment before searching
        self._timer.timeout.connect(self._search_now)

    # -- state -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.refresh_resources()

    def refresh_resources(self) -> None:
        current = self.resource_combo.currentData()
        self.resource_combo.clear()
        names = [r.name for r in self.project.kb_resources()] if self.project is not None else []
        self.resource_combo.addItem(ALL_RESOURCES, None)
        for name in names:
            self.resource_combo.addItem(escape_mnemonic(name), name)
        index = self.resource_combo.findData(current) if current else 0
        self.resource_combo.setCurrentIndex(max(index, 0))
        self.resource_combo.setVisible(len(names) > 1)
        self.field.setEnabled(bool(names))
        if not names:
            self.status.setText("No knowledge base in this project yet: annotator kb load PROJECT FILE --name NAME")

    def show_entity(self, ann: Annotation | None) -> None:
        """Show ``ann``'s links (an entity; None hides the box)."""
        same = ann is not None and self.ann is not None and ann.id == self.ann.id
        self.ann = ann
        self.setVisible(ann is not None and ann.kind == "entity")
        if ann is None:
            return
        self.links_list.clear()
        for link in ann.links:
            item = QListWidgetItem(f"{link.resource}:{link.id}  {link.name}".rstrip())
            item.setData(_ROLE, (link.resource, link.id))
            item.setToolTip(plain_tooltip(f"{link.resource}:{link.id} {link.name}"))
            self.links_list.addItem(item)
        if not ann.links:
            item = QListWidgetItem("(no links)")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.links_list.addItem(item)
        else:
            self.links_list.setCurrentRow(0)
        self.remove_button.setEnabled(bool(ann.links))
        if not same:
            self.refresh_resources()  # loaded meanwhile (annotator kb load) or deleted
            self.field.clear()
            self.candidates.clear()
            self._query = ""
            if self.field.isEnabled():
                self.status.setText("")

    # -- search ------------------------------------------------------------------------
    def _edited(self, _text: str) -> None:
        self._timer.start()

    def _search_now(self) -> None:
        self._timer.stop()
        query = self.field.text().strip()
        self._query = query
        self.candidates.clear()
        if not query or self.project is None:
            self.status.setText("")
            return
        from annotator.services.kb import KbError, kb_candidates

        resource = self.resource_combo.currentData()
        try:
            found = kb_candidates(self.project, resource, query, CANDIDATES)
        except KbError as err:
            self.status.setText(str(err))
            return
        linked = {x.key for x in self.ann.links} if self.ann is not None else set()
        for c in found:
            self.candidates.addItem(self._candidate_item(c, (c.resource, c.id) in linked))
        if found:
            self.candidates.setCurrentRow(0)
            self.status.setText(f"{len(found)} candidate{'' if len(found) == 1 else 's'}: ↑↓ choose, Enter links")
        else:
            self.status.setText(f"Nothing found for “{_one_line(query, 40)}”")

    def _candidate_item(self, c: Candidate, linked: bool) -> QListWidgetItem:
        via = f" (as “{c.matched}”)" if c.matched not in (c.name, c.id) else ""
        mark = "✓ " if linked else ""
        text = f"{mark}{c.name}{via}  ·  {c.resource}:{c.id}"
        if c.description:
            text += f"\n{_one_line(c.description)}"
        item = QListWidgetItem(text)
        item.setData(_ROLE, (c.resource, c.id, c.name))
        tip = f"{c.name} ({c.resource}:{c.id}), score {c.score:.0f}"
        if c.aliases:
            tip += "\nalso: " + ", ".join(c.aliases[:10])
        if c.description:
            tip += "\n" + c.description
        item.setToolTip(plain_tooltip(tip))
        return item

    def flush(self) -> None:
        """Run a search still waiting for its timer (Enter right after typing)."""
        if self._timer.isActive() or self.field.text().strip() != self._query:
            self._search_now()

    def move(self, step: int) -> None:
        n = self.candidates.count()
        if n == 0:
            return
        row = self.candidates.currentRow()
        self.candidates.setCurrentRow(max(0, min(n - 1, (row if row >= 0 else -1) + step)))

    def pick_current(self) -> None:
        """Link the entity to the chosen candidate."""
        self.flush()
        item = self.candidates.currentItem()
        if self.ann is None or item is None:
            return
        resource, entry_id, name = item.data(_ROLE)
        if any(x.key == (resource, entry_id) for x in self.ann.links):
            self.message.emit(f"Already linked to {resource}:{entry_id}.")
            return
        self.field.clear()
        self.candidates.clear()
        self._query = ""
        self.status.setText(f"Linked to {name} ({resource}:{entry_id}). Ctrl+Z undoes it.")
        self.linkRequested.emit(self.ann.id, resource, entry_id, name)

    def remove_selected(self) -> None:
        item = self.links_list.currentItem()
        key = item.data(_ROLE) if item is not None else None
        if self.ann is None or not key:
            return
        self.unlinkRequested.emit(self.ann.id, key[0], key[1])

    # -- loading a knowledge base ----------------------------------------------------------
    def choose_file(self) -> str:
        """The file to load ("" when cancelled)."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Load a knowledge base", "", "Knowledge bases (*.csv *.tsv *.tab *.jsonl *.ndjson *.json);;All files (*)"
        )
        return path

    def ask_name(self, suggested: str) -> str | None:
        """The knowledge base's name (None when cancelled)."""
        name, ok = QInputDialog.getText(self, "Load a knowledge base", "Name in links (e.g. Wikidata):", text=suggested)
        return name if ok else None

    def confirm_replace(self, name: str, entries: int) -> bool:
        answer = QMessageBox.question(
            self,
            "Replace the knowledge base?",
            f"This project has a knowledge base named {name} ({entries:,} entries). Replace it with this file?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def load_file(self) -> None:
        """Ask for a file and a name, and load it (a progress dialog; Cancel leaves the project as it was)."""
        if self.project is None:
            return
        path = self.choose_file()
        if not path:
            return
        import re
        from pathlib import Path

        suggested = re.sub(r"[\s:|]+", "_", Path(path).stem) or "kb"
        name = self.ask_name(suggested)
        if name is None:
            return
        self.load(path, name)

    def load(self, path: str, name: str) -> bool:
        """Load ``path`` as ``name`` (asking before replacing one of that name); whether it was loaded."""
        from annotator.core.store import ProjectError
        from annotator.formats import InputError
        from annotator.services.kb import KbError, check_resource_name, load_kb

        if self.project is None:
            return False
        try:
            name = check_resource_name(name)
        except KbError as err:
            show_error(self, "Load a knowledge base", str(err))
            return False
        existing = self.project.kb_resource(name)
        if existing is not None and not self.confirm_replace(name, existing.entries):
            return False
        dialog = QProgressDialog(f"Loading {name}…", "Cancel", 0, 100, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)

        def progress(done: int, total: int, entries: int) -> None:
            dialog.setValue(min(99, 100 * done // total) if total else 0)
            dialog.setLabelText(f"Loading {name}: {entries:,} entries…")
            QApplication.processEvents()
            if dialog.wasCanceled():
                raise _Cancelled

        try:
            report = load_kb(self.project, path, name, replace=existing is not None, progress=progress)
        except _Cancelled:
            self.status.setText("Loading cancelled: nothing was changed.")
            return False
        except (InputError, KbError, ProjectError) as err:
            show_error(self, "Load a knowledge base", f"{err}\n\nNothing was changed.")
            return False
        finally:
            dialog.reset()
            dialog.deleteLater()
        self.refresh_resources()
        text = f"Loaded {report.entries:,} entries into {name}."
        self.status.setText(text + " Type in the field to link.")
        self.message.emit(text)
        self.field.setFocus()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if watched is getattr(self, "field", None):
                if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                    self.flush()
                    self.move(1 if key == Qt.Key.Key_Down else -1)
                    return True
                if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                    self.move(5 if key == Qt.Key.Key_PageDown else -5)
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.pick_current()
                    return True
                if key == Qt.Key.Key_Escape and self.field.text():
                    self.field.clear()
                    self._search_now()
                    return True
            elif watched is getattr(self, "links_list", None) and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.remove_selected()
                return True
        return super().eventFilter(watched, event)
