"""Edit > Search the corpus (Ctrl+Shift+F) and Find in this document (Ctrl+F):
a pane listing the hits of a query, grouped by document, with their context.

The corpus search is :func:`annotator.services.search.search_text` (SQLite's
FTS5 index finds the documents, the text itself the exact code-point offsets).
It runs in the window's thread a slice at a time (:data:`SLICE_MS` per turn of
the event loop, listing the hits included), so the list fills while the user
types and the window never freezes; a new keystroke cancels the search under
way.  While a search runs, Python's automatic garbage collection is paused (a
full collection walks every object of the app: tens of milliseconds at once)
and the young generations are collected by hand after each slice, which takes
a fraction of a millisecond.  In this document only, the query is looked for in
the open text directly. Enter (or a double-click) on
a hit opens its document with the hit selected and the focus in the text, ready
for a label key or Ctrl+Shift+L.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
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
from annotator.core.gcpause import collector_paused
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
from annotator.ui.basic import plain_label

#: Time given to the search per turn of the event loop (ms).
SLICE_MS = 15
#: Delay after a keystroke before searching (ms): typing stays fluid.
TYPING_DELAY_MS = 50
#: Hits listed at most (the count goes on).
MAX_LISTED = 2000
#: Hits taken between two listings within a slice (so the listing counts in the slice's time).
LIST_EVERY = 100
#: The count of hits is shown again at most this often while a search runs (ms):
#: showing it lays the pane out and paints it again (2 ms, at times 8), and nobody reads 60 counts a second.
STATUS_EVERY_MS = 100

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
        # Single shot, started again at the end of each slice: a timer due meanwhile
        # (another widget's, a repaint's) runs before the next slice, never after two.
        self._slice = QTimer(self)
        self._slice.setSingleShot(True)
        self._slice.setInterval(0)
        self._slice.timeout.connect(self._step)
        self._gc = _CollectorPause()
        self.destroyed.connect(self._gc.release)
        self._hits: Iterator[Hit] | None = None
        self._docs: dict[str, QTreeWidgetItem] = {}
        self.count = 0
        self.done = True
        self._status_due = 0.0
        self.edit.textChanged.connect(self._typed)
        for signal in (self.scope.currentIndexChanged, self.kind.currentIndexChanged):
            signal.connect(lambda _i: self.start())
        for box in (self.case, self.whole):
            box.toggled.connect(lambda _b: self.start())

    # -- searching -------------------------------------------------------------------
    def _typed(self, _text: str) -> None:
        """A keystroke: the hits listed are of the old query; search again when typing pauses."""
        self._drop()
        self.done = False
        self._typing.start()

    def _drop(self) -> None:
        """No search under way any more: no more slices, the collector as it was."""
        self._slice.stop()
        self._hits = None
        self._gc.release()

    def query(self) -> TextQuery:
        return TextQuery(self.edit.text(), self.kind.currentData(), self.case.isChecked(), self.whole.isChecked())

    def stop(self, *, clear: bool = False) -> None:
        """Drop the search under way (the window closes, another project opens)."""
        self._typing.stop()
        self._drop()
        self.done = True
        if clear:
            self.tree.clear()
            self._docs.clear()
            self.count = 0
            self.status.setText("")

    def start(self) -> None:
        """Search anew (the search under way, if any, is dropped)."""
        self._typing.stop()
        self._drop()
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
        self._status_due = 0.0  # the first slice shows its count
        self._gc.hold()
        self._slice.start()

    def _in_document(self, query: TextQuery) -> Iterator[Hit]:
        """The query in the open document's text, matched as in the corpus
        (``SearchError`` for a bad one)."""
        ws = self.window.workspace
        if ws.doc_id is None:
            return iter(())
        return iter(search_in_text(ws.doc_id, ws.text, query))

    def _step(self) -> None:
        """One slice of the search: take and list hits until :data:`SLICE_MS` is used up."""
        if self._hits is None:
            return
        deadline = time.perf_counter() + SLICE_MS / 1000
        self._gc.collect_young()  # in the slice's time: 0.2-3 ms when due
        hits: list[Hit | NoteHit] = []
        try:
            while True:
                hits.append(next(self._hits))
                if len(hits) >= LIST_EVERY and self.count < MAX_LISTED:
                    self._add_all(hits)  # listing costs more than finding: it counts in the slice
                    hits = []
                if time.perf_counter() >= deadline:
                    break
        except StopIteration:
            self.done = True
        except (SearchError, ProjectError) as err:  # a bad query; the project closed or failed
            self.stop()
            self.status.setText(str(err))
            return
        self._add_all(hits)
        now = time.perf_counter()
        if self.done or now >= self._status_due:
            self._status_due = now + STATUS_EVERY_MS / 1000
            docs = len(self._docs)
            more = "" if self.done else " (searching…)"
            shown = f"; the first {MAX_LISTED} listed" if self.count > MAX_LISTED else ""
            self.status.setText(
                f"{self.count} hit{'' if self.count == 1 else 's'} in {docs} document{'' if docs == 1 else 's'}{shown}{more}"
            )
        if self.done:
            self._drop()  # the collector resumes once this slice's work is on screen
        else:
            self._slice.start()

    def _add_all(self, hits: list[Hit | NoteHit]) -> None:
        """List hits under their documents: the new documents' titles in one query,
        each document's new hits added at once."""
        listed = hits[: max(0, MAX_LISTED - self.count)]
        self.count += len(hits)
        if not listed:
            return
        new = list(dict.fromkeys(h.doc_id for h in listed if h.doc_id not in self._docs))
        titles = self.window.project.document_titles(new) if new else {}
        by_doc: dict[str, list[QTreeWidgetItem]] = {}
        for hit in listed:
            by_doc.setdefault(hit.doc_id, []).append(self._item(hit))
        for doc_id, items in by_doc.items():
            parent = self._docs.get(doc_id)
            if parent is None:
                parent = QTreeWidgetItem([one_line(titles.get(doc_id) or doc_id, 80)])
                parent.setData(0, Qt.ItemDataRole.UserRole, None)
                parent.addChildren(items)
                self.tree.addTopLevelItem(parent)
                parent.setExpanded(True)
                self._docs[doc_id] = parent
                if self.tree.currentItem() is None:
                    self.tree.setCurrentItem(parent)
            else:
                parent.addChildren(items)
            parent.setText(0, f"{parent.text(0).split('  (')[0]}  ({parent.childCount()})")

    def _item(self, hit: Hit | NoteHit) -> QTreeWidgetItem:
        if isinstance(hit, NoteHit):
            who = "" if hit.annotator == self.window.workspace.annotator else f", {hit.annotator}"
            item = QTreeWidgetItem([f"{hit.note_type} on {one_line(hit.on(), 50)}{who}: {one_line(hit.context(), 120)}"])
            item.setToolTip(0, plain_tooltip(hit.note))
        else:
            item = QTreeWidgetItem([f"…{one_line(hit.before[-30:], 30)}[{hit.text}]{one_line(hit.after[:30], 30)}…"])
            item.setToolTip(0, f"[{hit.start}, {hit.end})")
        item.setData(0, Qt.ItemDataRole.UserRole, hit)
        return item

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


class _CollectorPause:
    """The garbage collector paused while a search runs (:mod:`annotator.core.gcpause`,
    shared with other bulk work), its young generations collected by hand between
    slices: the hits and items a search makes form no cycles, and a full collection
    in the middle of one paused the window for 30-45 ms on a 100,000-document project."""

    def __init__(self) -> None:
        self._resume: Callable[[], object] | None = None

    def hold(self) -> None:
        if self._resume is None:
            pause = collector_paused()
            pause.__enter__()
            self._resume = lambda: pause.__exit__(None, None, None)

    def release(self, *_args: object) -> None:
        resume, self._resume = self._resume, None
        if resume is not None:
            resume()

    def collect_young(self) -> None:
        """What the collector would do now, short of a full collection: the
        youngest generation, or the two young ones when the middle one is due."""
        young, middle, _ = gc.get_count()
        first, second, _ = gc.get_threshold()
        if first and middle >= second:
            gc.collect(1)
        elif first and young >= first:
            gc.collect(0)
