"""Edit > Search the corpus (Ctrl+Shift+F) and Find in this document (Ctrl+F):
a pane listing the hits of a query, grouped by document, with their context.

The corpus search is :func:`annotator.services.search.search_text` (SQLite's
FTS5 index finds the documents, the text itself the exact code-point offsets).
It runs in the window's thread a slice at a time (:data:`SLICE_MS` per turn of
the event loop), so the list fills while the user types and the window never
freezes; a new keystroke cancels the search under way. In this document only,
the query is looked for in the open text directly. Enter (or a double-click) on
a hit opens its document with the hit selected and the focus in the text, ready
for a label key or Ctrl+Shift+L.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.constraints import one_line
from annotator.core.errors import ProjectError
from annotator.services.search import (
    Hit,
    NoteHit,
    NoteQuery,
    SearchError,
    TextQuery,
    search_in_text,
    search_notes,
    search_text,
)
from annotator.ui.actions import plain_tooltip
from annotator.ui.dialogs import plain_label

#: Time given to the search per turn of the event loop (ms).
SLICE_MS = 15
#: Delay after a keystroke before searching (ms): typing stays fluid.
TYPING_DELAY_MS = 50
#: Hits listed at most (the count goes on).
MAX_LISTED = 2000

KINDS = (("words", "Words"), ("phrase", "Exact phrase"), ("regex", "Regular expression"))


class SearchPane(QWidget):
    """The query, its options, and the hits grouped by document."""

    def __init__(self, window: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.window = window
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Search the corpus (Ctrl+Shift+F) or this document (Ctrl+F)")
        self.edit.setClearButtonEnabled(True)
        layout.addWidget(self.edit)
        options = QHBoxLayout()
        self.scope = QComboBox()
        self.scope.addItem("Corpus", "corpus")
        self.scope.addItem("This document", "document")
        self.scope.addItem("Notes", "notes")
        self.scope.setItemData(
            2, "The notes on annotations and documents (the text as typed, or a regular expression)", Qt.ItemDataRole.ToolTipRole
        )
        self.kind = QComboBox()
        for value, text in KINDS:
            self.kind.addItem(text, value)
        self.case = QCheckBox("Aa")
        self.case.setToolTip("Match case")
        self.whole = QCheckBox("Whole words")
        for w in (self.scope, self.kind, self.case, self.whole):
            options.addWidget(w)
        options.addStretch(1)
        layout.addLayout(options)
        self.status = plain_label(wrap=True)
        self.status.setStyleSheet("color: palette(mid);")
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        self.annotate_button = QPushButton("Annotate &all…")
        self.annotate_button.setToolTip("Label every occurrence of this text (words or phrase, not a regular expression)")
        self.annotate_button.clicked.connect(self.annotate_all)
        status_row.addWidget(self.annotate_button)
        layout.addLayout(status_row)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemActivated.connect(lambda item, _c: self.open_hit(item))
        self.tree.installEventFilter(self)
        self.edit.installEventFilter(self)
        layout.addWidget(self.tree, 1)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_DELAY_MS)
        self._typing.timeout.connect(self.start)
        self._slice = QTimer(self)
        self._slice.setInterval(0)
        self._slice.timeout.connect(self._step)
        self._hits: Iterator[Hit] | None = None
        self._docs: dict[str, QTreeWidgetItem] = {}
        self.count = 0
        self.done = True
        self.edit.textChanged.connect(self._typed)
        for signal in (self.scope.currentIndexChanged, self.kind.currentIndexChanged):
            signal.connect(lambda _i: self.start())
        for box in (self.case, self.whole):
            box.toggled.connect(lambda _b: self.start())

    # -- searching -------------------------------------------------------------------
    def _typed(self, _text: str) -> None:
        """A keystroke: the hits listed are of the old query; search again when typing pauses."""
        self._slice.stop()
        self._hits = None
        self.done = False
        self._typing.start()

    def query(self) -> TextQuery:
        return TextQuery(self.edit.text(), self.kind.currentData(), self.case.isChecked(), self.whole.isChecked())

    def stop(self, *, clear: bool = False) -> None:
        """Drop the search under way (the window closes, another project opens)."""
        self._typing.stop()
        self._slice.stop()
        self._hits = None
        self.done = True
        if clear:
            self.tree.clear()
            self._docs.clear()
            self.count = 0
            self.status.setText("")

    def start(self) -> None:
        """Search anew (the search under way, if any, is dropped)."""
        self._typing.stop()
        self._slice.stop()
        self._hits = None
        self.tree.clear()
        self._docs.clear()
        self.count = 0
        self.done = True
        project = self.window.project
        self.annotate_button.setEnabled(self.scope.currentData() != "notes")
        if project is None or not self.edit.text().strip():
            self.status.setText("")
            return
        try:
            if self.scope.currentData() == "document":
                self._hits = self._in_document(self.query())
            elif self.scope.currentData() == "notes":
                q = self.query()
                self._hits = search_notes(
                    project, NoteQuery(q.text.strip(), case_sensitive=q.case_sensitive, regex=q.kind == "regex")
                )
            else:
                self._hits = search_text(project, self.query())
        except SearchError as err:
            self.status.setText(str(err))
            return
        self.done = False
        self.status.setText("Searching…")
        self._slice.start()

    def _in_document(self, query: TextQuery) -> Iterator[Hit]:
        """The query in the open document's text, matched as in the corpus
        (``SearchError`` for a bad one)."""
        ws = self.window.workspace
        if ws.doc_id is None:
            return iter(())
        return iter(search_in_text(ws.doc_id, ws.text, query))

    def _step(self) -> None:
        """One slice of the search: take hits until :data:`SLICE_MS` is used up."""
        if self._hits is None:
            self._slice.stop()
            return
        deadline = time.perf_counter() + SLICE_MS / 1000
        hits: list[Hit | NoteHit] = []
        try:
            while time.perf_counter() < deadline:
                hits.append(next(self._hits))
        except StopIteration:
            self._slice.stop()
            self._hits = None
            self.done = True
        except (SearchError, ProjectError) as err:  # a bad query; the project closed or failed
            self.stop()
            self.status.setText(str(err))
            return
        self._add_all(hits)
        docs = len(self._docs)
        more = "" if self.done else " (searching…)"
        shown = f"; the first {MAX_LISTED} listed" if self.count > MAX_LISTED else ""
        self.status.setText(
            f"{self.count} hit{'' if self.count == 1 else 's'} in {docs} document{'' if docs == 1 else 's'}{shown}{more}"
        )

    def _add_all(self, hits: list[Hit | NoteHit]) -> None:
        """List a slice's hits under their documents (the new documents' titles in one query)."""
        new = list(dict.fromkeys(h.doc_id for h in hits if h.doc_id not in self._docs))
        titles = self.window.project.document_titles(new) if new and self.count < MAX_LISTED else {}
        for hit in hits:
            self._add(hit, titles)

    def _add(self, hit: Hit | NoteHit, titles: dict[str, str]) -> None:
        self.count += 1
        if self.count > MAX_LISTED:
            return
        parent = self._docs.get(hit.doc_id)
        if parent is None:
            parent = QTreeWidgetItem([one_line(titles.get(hit.doc_id) or hit.doc_id, 80)])
            parent.setData(0, Qt.ItemDataRole.UserRole, None)
            self.tree.addTopLevelItem(parent)
            parent.setExpanded(True)
            self._docs[hit.doc_id] = parent
            if self.tree.currentItem() is None:
                self.tree.setCurrentItem(parent)
        if isinstance(hit, NoteHit):
            who = "" if hit.annotator == self.window.workspace.annotator else f", {hit.annotator}"
            item = QTreeWidgetItem([f"{hit.note_type} on {one_line(hit.on(), 50)}{who}: {one_line(hit.context(), 120)}"])
            item.setToolTip(0, plain_tooltip(hit.note))
        else:
            item = QTreeWidgetItem([f"…{one_line(hit.before[-30:], 30)}[{hit.text}]{one_line(hit.after[:30], 30)}…"])
            item.setToolTip(0, f"[{hit.start}, {hit.end})")
        item.setData(0, Qt.ItemDataRole.UserRole, hit)
        parent.addChild(item)
        parent.setText(0, f"{parent.text(0).split('  (')[0]}  ({parent.childCount()})")

    def annotate_all(self) -> None:
        """The occurrences of the query's text, to label in one step (the annotate-all dialog)."""
        text = self.edit.text().strip()
        if not text or self.kind.currentData() == "regex" or self.window.project is None:
            self.status.setText("Annotate all takes a text (words or phrase), not a regular expression.")
            return
        from annotator.ui.propagate_dialog import AnnotateAllDialog

        dialog = AnnotateAllDialog(self.window, None, text=text)
        dialog.ignore_case.setChecked(not self.case.isChecked())
        dialog.whole_word.setChecked(self.kind.currentData() == "words" or self.whole.isChecked())
        dialog.here.setChecked(self.scope.currentData() == "document")
        self.window.annotate_all_dialog = dialog
        dialog.open()

    # -- going there -----------------------------------------------------------------
    def hit_items(self) -> list[QTreeWidgetItem]:
        return [
            self.tree.topLevelItem(i).child(j)
            for i in range(self.tree.topLevelItemCount())
            for j in range(self.tree.topLevelItem(i).childCount())
        ]

    def open_hit(self, item: QTreeWidgetItem) -> None:
        """Open the hit's document with the hit selected, the focus in the text."""
        hit = item.data(0, Qt.ItemDataRole.UserRole)
        if hit is None:
            item = item.child(0) if item.childCount() else item
            hit = item.data(0, Qt.ItemDataRole.UserRole)
            if hit is None:
                return
        if isinstance(hit, NoteHit):
            self._open_note(hit)
            return
        if self.window.open_document(hit.doc_id):
            view = self.window.article_view
            view.select_span(hit.start, hit.end)
            view.setFocus()

    def _open_note(self, hit: NoteHit) -> None:
        """Open the note's document with what it is on selected: its annotation (in
        the inspector, with the note), else its span; a document note: the document."""
        if not self.window.open_document(hit.doc_id):
            return
        ws = self.window.workspace
        if hit.target and hit.target in ws.anns:
            ws.select_annotation(hit.target, reveal=True)
        elif hit.span_start is not None and hit.span_end is not None:
            self.window.article_view.select_span(hit.span_start, hit.span_end)
        self.window.article_view.setFocus()

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            key = event.key()
            if watched is self.edit and key == Qt.Key.Key_Down and self.tree.topLevelItemCount():
                self.tree.setFocus()
                return True
            if watched is self.edit and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._typing.stop()
                if self.done and self.tree.topLevelItemCount() and self._hits is None and self.count:
                    self.open_hit(self.hit_items()[0])  # Enter again: the first hit
                else:
                    self.start()
                return True
            if watched is self.tree and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.tree.currentItem() is not None:
                self.open_hit(self.tree.currentItem())
                return True
        return super().eventFilter(watched, event)

    def focus(self, scope: str) -> None:
        """Ctrl+Shift+F ("corpus") or Ctrl+F ("document"): the query field, selected."""
        index = self.scope.findData(scope)
        if index != self.scope.currentIndex():
            self.scope.setCurrentIndex(index)
        self.edit.setFocus()
        self.edit.selectAll()
