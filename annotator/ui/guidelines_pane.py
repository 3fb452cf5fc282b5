"""Help > Guidelines (F1): every label, event role, claim attribute and attribute
value of the project's schema with its guidelines (description, examples,
counter-examples: Markdown written by the schema's author), filtered as one
types, and for a label its gold examples in this project, one click away.

Gold examples are the label's annotations in the gold layer (what review
accepted), found with :func:`annotator.services.search.search_annotations`; each
is listed with its context (plain text: article text is never rich text) and a
click on it opens its document with the span selected.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import ProjectError
from annotator.core.kinds import GOLD
from annotator.core.schema import GuideEntry, LabelSchema, guide_markdown
from annotator.services.search import AnnotationHit, AnnotationQuery, SearchError, search_annotations
from annotator.ui.basic import plain_label
from annotator.ui.palette import swatch_icon

#: Gold examples listed at most for one label.
MAX_GOLD = 200

_KIND_TEXT = {"entity": "Entity", "event": "Event type", "claim": "Claim", "relation": "Relation type"}


def entry_text(entry: GuideEntry) -> str:
    """Everything of an entry the filter looks in."""
    g = entry.guide
    return " ".join([entry.title, entry.kind, g.description, *g.examples, *g.counter_examples]).casefold()


class GuidelinesPane(QWidget):
    """The filter field, the entries as a tree (labels, their roles/attributes and
    values), the selected entry's guidelines, and the gold examples of its label."""

    def __init__(self, window: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.window = window
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter the guidelines (label, word of a description or example)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        layout.addWidget(self.filter)
        split = QSplitter(Qt.Orientation.Vertical)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.currentItemChanged.connect(lambda item, _old: self.show_entry(item))
        split.addWidget(self.tree)
        self.body = QTextEdit()
        self.body.setReadOnly(True)
        self.body.setUndoRedoEnabled(False)
        split.addWidget(self.body)
        gold_box = QWidget()
        gold_layout = QVBoxLayout(gold_box)
        gold_layout.setContentsMargins(0, 0, 0, 0)
        self.gold_button = QPushButton("Gold examples")
        self.gold_button.setToolTip("List this label's annotations in the gold layer of the project (what review accepted)")
        self.gold_button.clicked.connect(self.show_gold)
        gold_layout.addWidget(self.gold_button)
        self.gold_status = plain_label(wrap=True)
        self.gold_status.setStyleSheet("color: palette(mid);")
        gold_layout.addWidget(self.gold_status)
        self.gold = QTreeWidget()
        self.gold.setHeaderHidden(True)
        self.gold.setRootIsDecorated(False)
        self.gold.setWordWrap(True)
        self.gold.itemClicked.connect(lambda item, _c: self.open_example(item))
        self.gold.itemActivated.connect(lambda item, _c: self.open_example(item))
        gold_layout.addWidget(self.gold, 1)
        split.addWidget(gold_box)
        split.setSizes([180, 320, 120])  # the guidelines get the most room
        layout.addWidget(split, 1)
        self.schema: LabelSchema | None = None
        self.items: list[QTreeWidgetItem] = []

    # -- the entries -----------------------------------------------------------------
    def set_schema(self, schema: LabelSchema | None) -> None:
        """List the schema's entries (again), keeping the selected one if it is still there."""
        current = self.current_entry()
        self.schema = schema
        self.tree.clear()
        self.items = []
        if schema is None:
            self.show_entry(None)
            return
        parents: dict[tuple[str, str], QTreeWidgetItem] = {}
        attributes: dict[str, QTreeWidgetItem] = {}
        for entry in schema.guide_entries():
            if entry.part == "":
                item = QTreeWidgetItem([f"{entry.label if entry.kind != 'claim' else 'Claim'}  ({_KIND_TEXT[entry.kind]})"])
                item.setIcon(0, swatch_icon(entry.color, entry.key or ""))
                self.tree.addTopLevelItem(item)
                parents[(entry.kind, entry.label)] = item
            elif entry.part == "value":
                attr, _, value = entry.name.partition("=")
                item = QTreeWidgetItem([f"= {value}"])
                attributes[attr].addChild(item)
            else:
                item = QTreeWidgetItem([f"{entry.part} {entry.name}"])
                parents[(entry.kind, entry.label)].addChild(item)
                if entry.part == "attribute":
                    attributes[entry.name] = item
            item.setData(0, Qt.ItemDataRole.UserRole, entry)
            if entry.guide.description:
                item.setToolTip(0, _plain_tip(entry.guide.description))
            self.items.append(item)
        self.tree.expandAll()
        self.apply_filter(self.filter.text())
        again = next((i for i in self.items if current is not None and _same(i.data(0, Qt.ItemDataRole.UserRole), current)), None)
        self.tree.setCurrentItem(again or (self.items[0] if self.items else None))

    def apply_filter(self, text: str) -> None:
        """Show the entries whose title, description or examples hold every word of ``text``
        (and the labels they belong to)."""
        words = text.casefold().split()
        for item in self.items:
            entry: GuideEntry = item.data(0, Qt.ItemDataRole.UserRole)
            hay = entry_text(entry)
            item.setHidden(not all(w in hay for w in words))
        for item in reversed(self.items):  # children first: a parent shows when a child matches
            if any(not item.child(i).isHidden() for i in range(item.childCount())):
                item.setHidden(False)
        current = self.tree.currentItem()
        if current is None or current.isHidden():
            first = next((i for i in self.items if not i.isHidden()), None)
            self.tree.setCurrentItem(first)

    def visible_entries(self) -> list[GuideEntry]:
        return [i.data(0, Qt.ItemDataRole.UserRole) for i in self.items if not i.isHidden()]

    def current_entry(self) -> GuideEntry | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, kind: str, label: str) -> bool:
        """Select a label's entry (the filter is cleared if it hides it)."""
        for item in self.items:
            entry: GuideEntry = item.data(0, Qt.ItemDataRole.UserRole)
            if entry.part == "" and entry.kind == kind and entry.label == label:
                if item.isHidden():
                    self.filter.clear()
                self.tree.setCurrentItem(item)
                self.tree.scrollToItem(item)
                return True
        return False

    def show_entry(self, item: QTreeWidgetItem | None) -> None:
        entry: GuideEntry | None = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        self.gold.clear()
        self.gold_status.setText("")
        if entry is None:
            self.body.clear()
            self.gold_button.setEnabled(False)
            return
        kind_text = _KIND_TEXT[entry.kind] if entry.part == "" else entry.part.capitalize()
        md = guide_markdown(entry.guide, f"{kind_text}: {entry.title}", key=entry.key if entry.part == "" else None)
        if not entry.guide.has_guidelines():
            md += (
                "\n\n*No guidelines yet: add them to the schema (docs/schema.md), or take the bundled news "
                "schema's with* `annotator schema PROJECT --guidelines-from news`."
            )
        self.body.document().setMarkdown(md, QTextDocument.MarkdownFeature.MarkdownNoHTML)
        self.body.moveCursor(QTextCursor.MoveOperation.Start)  # an entry is read from its start
        self.body.ensureCursorVisible()
        shown = "Claim" if entry.kind == "claim" else entry.label
        self.gold_button.setEnabled(entry.kind != "relation")
        self.gold_button.setText(f"Gold examples of {shown}".replace("&", "&&"))

    # -- gold examples ---------------------------------------------------------------
    def show_gold(self) -> None:
        """List the gold annotations of the selected entry's label, with context."""
        entry = self.current_entry()
        project = self.window.project
        self.gold.clear()
        if entry is None or project is None:
            return
        query = AnnotationQuery(kind=entry.kind, label=entry.label, annotator=GOLD)
        hits: list[AnnotationHit] = []
        more = False
        try:
            for hit in search_annotations(project, query):
                if len(hits) >= MAX_GOLD:
                    more = True
                    break
                hits.append(hit)
        except (SearchError, ProjectError) as err:
            self.gold_status.setText(str(err))
            return
        titles = project.document_titles(sorted({h.doc_id for h in hits})) if hits else {}
        for hit in hits:
            title = titles.get(hit.doc_id) or hit.doc_id
            item = QTreeWidgetItem([f"{title}: …{hit.context()}…"])
            item.setToolTip(0, _plain_tip(f"{title}\n…{hit.context()}…"))
            item.setData(0, Qt.ItemDataRole.UserRole, hit)
            self.gold.addTopLevelItem(item)
        shown = "Claim" if entry.kind == "claim" else entry.label
        if not hits:
            self.gold_status.setText(f"No gold annotations of {shown} yet: gold comes from review (Review > Review mode).")
        else:
            n = f"the first {len(hits)}" if more else str(len(hits))
            self.gold_status.setText(
                f"{n} gold example{'s' if len(hits) != 1 else ''} of {shown}; click one to see it in its document."
            )

    def example_items(self) -> list[QTreeWidgetItem]:
        return [self.gold.topLevelItem(i) for i in range(self.gold.topLevelItemCount())]

    def open_example(self, item: QTreeWidgetItem) -> None:
        """Open the example's document with its span selected."""
        hit: AnnotationHit | None = item.data(0, Qt.ItemDataRole.UserRole)
        if hit is None or not self.window.open_document(hit.doc_id):
            return
        if hit.start is not None and hit.end is not None:
            self.window.article_view.select_span(hit.start, hit.end)

    def focus(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()


def _same(a: GuideEntry | None, b: GuideEntry) -> bool:
    return a is not None and (a.kind, a.label, a.part, a.name) == (b.kind, b.label, b.part, b.name)


def _plain_tip(text: str) -> str:
    return "<qt><span style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</span></qt>"
