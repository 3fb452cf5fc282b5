"""Edit > Annotate all like this… (Ctrl+Shift+L): label every other occurrence
of the selected span's text, in this document or the whole corpus, in one step.

The dialog lists the occurrences :func:`annotator.services.propagate.find_candidates`
finds, each with its document and context and ticked unless something is in the
way (the same label already there, an overlapping span of the same kind: the
reason is shown). Space ticks and unticks, Enter opens the document at the
occurrence, *Never here* remembers that an occurrence is not this label (it is
not proposed again). *Add* applies the ticked ones as one command on the
window's undo stack: one transaction, one Ctrl+Z.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.constraints import one_line
from annotator.services.propagate import (
    Candidate,
    Found,
    PropagationError,
    Search,
    find_candidates,
    propagation_command,
    reject,
)
from annotator.services.propagate import search_for as _search_for
from annotator.ui.basic import plain_label

if TYPE_CHECKING:
    from annotator.core.models import Annotation

#: Characters of context shown on each side of an occurrence.
CONTEXT = 30


class AnnotateAllDialog(QDialog):
    """The occurrences of ``ann``'s text, to label like ``ann`` in one undoable
    step; or (``ann`` None) of ``text``, with a label to choose (from the search pane)."""

    def __init__(self, window: Any, ann: Annotation | None, parent: QWidget | None = None, *, text: str = ""):
        super().__init__(parent if parent is not None else window)
        self.window = window
        self.ann = ann
        self.project = window.project
        self.found: Found | None = None
        if ann is not None:
            text = self.project.document_text(ann.doc_id)[ann.start : ann.end]
        self.text = text
        layout = QVBoxLayout(self)
        self.label_combo = QComboBox()
        if ann is None:  # from a search: which label the occurrences get
            schema = self.project.schema
            for kind in ("entity", "event", "claim"):
                for label in schema.labels(kind):
                    self.label_combo.addItem(f"{label} ({kind})", f"{kind}:{label}")
            row = QHBoxLayout()
            row.addWidget(plain_label(f"Label every “{one_line(text, 40)}” as"))
            row.addWidget(self.label_combo, 1)
            layout.addLayout(row)
            self.label_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.heading = plain_label(wrap=True)
        layout.addWidget(self.heading)
        options = QHBoxLayout()
        self.corpus = QRadioButton("&Whole corpus")
        self.here = QRadioButton("&This document")
        self.corpus.setChecked(True)
        self.whole_word = QCheckBox("Whole &words only")
        self.whole_word.setChecked(True)
        self.whole_word.setToolTip("Match whole tokens: “China” in “China’s”, not in “Chinatown”")
        self.ignore_case = QCheckBox("Ignore &case")
        for w in (self.corpus, self.here, self.whole_word, self.ignore_case):
            options.addWidget(w)
            w.toggled.connect(self.refresh)
        options.addStretch(1)
        layout.addLayout(options)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Occurrence", "Document", "Why not ticked"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 200)
        header.resizeSection(2, 200)
        self.tree.itemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemDoubleClicked.connect(lambda item, _col: self.go_to(item))
        self.tree.installEventFilter(self)
        layout.addWidget(self.tree, 1)
        self.hint = plain_label(
            "Space ticks or unticks · Enter or a double-click opens the document there · Alt+A adds the ticked ones · "
            "Never here: not this label, not proposed again",
            wrap=True,
        )
        self.hint.setStyleSheet("color: palette(mid);")
        layout.addWidget(self.hint)
        buttons = QDialogButtonBox()
        self.add_button = QPushButton("&Add")
        self.add_button.setDefault(True)
        self.never_button = QPushButton("&Never here")
        self.never_button.setToolTip("Remember that the selected occurrences are not this label (they are not proposed again)")
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.never_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.add_button.clicked.connect(self.add_ticked)
        self.never_button.clicked.connect(self.never_here)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 520)
        self.refresh()
        self.tree.setFocus()  # Space, arrows and Enter work at once

    # -- the list ------------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.ann.label if self.ann is not None else self.chosen()[1]

    def chosen(self) -> tuple[str, str]:
        """``(kind, label)`` chosen in the label box (started from a text)."""
        kind, _, label = str(self.label_combo.currentData()).partition(":")
        return kind, label

    def choose_label(self, label: str) -> bool:
        """Choose ``label`` in the label box (its first kind); False if it has none such."""
        for i in range(self.label_combo.count()):
            if str(self.label_combo.itemData(i)).partition(":")[2] == label:
                self.label_combo.setCurrentIndex(i)
                return True
        return False

    def search(self) -> Search:
        if self.ann is not None:
            return _search_for(
                self.project,
                self.ann,
                whole_word=self.whole_word.isChecked(),
                case_insensitive=self.ignore_case.isChecked(),
                corpus=self.corpus.isChecked(),
            )
        kind, label = self.chosen()
        doc_id = self.window.workspace.doc_id
        return Search(
            text=self.text,
            label=label,
            kind=kind,
            case_insensitive=self.ignore_case.isChecked(),
            whole_word=self.whole_word.isChecked(),
            doc_ids=None if self.corpus.isChecked() or doc_id is None else (doc_id,),
            annotator=self.window.annotator,
        )

    def refresh(self) -> None:
        """Find the occurrences again (after an option changed, or a step was added)."""
        try:
            self.found = find_candidates(self.project, self.search())
        except PropagationError as err:
            self.found = None
            self.heading.setText(str(err))
            self.tree.clear()
            self._update_buttons()
            return
        found = self.found
        self.tree.blockSignals(True)
        self.tree.clear()
        for cand in found.candidates:
            before = one_line(cand.before[-CONTEXT:], CONTEXT)
            after = one_line(cand.after[:CONTEXT], CONTEXT)
            item = QTreeWidgetItem([f"…{before}[{cand.text}]{after}…", one_line(cand.title or cand.doc_id, 60), cand.reason])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if cand.ticked else Qt.CheckState.Unchecked)
            item.setData(0, Qt.ItemDataRole.UserRole, cand)
            item.setToolTip(0, f"{cand.doc_id} [{cand.start}, {cand.end})")
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        docs = len({c.doc_id for c in found.candidates})
        left = f"; {found.never_here} marked “never here” left out" if found.never_here else ""
        where = "in the corpus" if self.corpus.isChecked() else "in this document"
        other = "other " if self.ann is not None else ""
        self.setWindowTitle(f"Annotate all: {self.label} “{one_line(self.text, 40)}”")
        self.heading.setText(
            f"{len(found.candidates)} {other}occurrence{'' if len(found.candidates) == 1 else 's'} {where} "
            f"({docs} document{'' if docs == 1 else 's'}){left}. The ticked ones become {self.label}."
        )
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._update_buttons()

    def items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    @staticmethod
    def candidate(item: QTreeWidgetItem) -> Candidate:
        return item.data(0, Qt.ItemDataRole.UserRole)

    def ticked(self) -> list[Candidate]:
        return [self.candidate(i) for i in self.items() if i.checkState(0) == Qt.CheckState.Checked]

    def _update_buttons(self) -> None:
        n = len(self.ticked()) if self.found is not None else 0
        self.add_button.setText(f"&Add {n} {self.label}")
        self.add_button.setEnabled(n > 0)
        self.never_button.setEnabled(bool(self.tree.selectedItems()) or self.tree.currentItem() is not None)

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if watched is self.tree and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            item = self.tree.currentItem()
            if event.key() == Qt.Key.Key_Space and item is not None:
                checked = item.checkState(0) == Qt.CheckState.Checked
                item.setCheckState(0, Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
                self.go_to(item)  # and not the default button: Add is Alt+A or a click
                return True
        return super().eventFilter(watched, event)

    # -- actions -------------------------------------------------------------------
    def go_to(self, item: QTreeWidgetItem) -> None:
        """Open the occurrence's document in the main window with the occurrence selected."""
        cand = self.candidate(item)
        if self.window.open_document(cand.doc_id):
            self.window.article_view.select_span(cand.start, cand.end)

    def add_ticked(self) -> None:
        """Add the ticked occurrences: one command on the undo stack."""
        chosen = self.ticked()
        if not chosen or self.found is None:
            return
        ws = self.window.workspace
        try:
            start = self.ann.doc_id if self.ann is not None else (self.window.workspace.doc_id or None)
            command = propagation_command(self.project, self.found.search, chosen, doc_id=start)
        except PropagationError as err:
            self.heading.setText(str(err))
            return
        if self.window.controller.push(command, ws) is None:
            return  # refused: the workspace said why
        docs = len({c.doc_id for c in chosen})
        self.window.statusBar().showMessage(
            f"Added {len(chosen)} {self.label} in {docs} document{'' if docs == 1 else 's'} (one step: Ctrl+Z undoes it).",
            10000,
        )
        self.accept()

    def never_here(self) -> None:
        """The selected occurrences are not this label: remember it, drop them from the list."""
        items = self.tree.selectedItems() or ([self.tree.currentItem()] if self.tree.currentItem() else [])
        if not items:
            return
        reject(self.project, self.label, [self.candidate(i) for i in items], self.window.annotator)
        self.refresh()
