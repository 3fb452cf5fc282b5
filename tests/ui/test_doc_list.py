"""The document list: lazy rows, filters, search, keyboard navigation, next unfinished."""

from __future__ import annotations

import hashlib
import json

import pytest
from PySide6.QtCore import Qt

from annotator.core.commands import AddAnnotations, SetStatus, apply
from annotator.core.models import Document, entity, now
from annotator.core.store import Project
from annotator.ui.doc_list import DocumentList, DocumentListModel


def make_project(path, texts: list[tuple[str, str]]) -> Project:
    project = Project(path, create=True)
    project.insert_documents([(Document(title=t, text=x), []) for t, x in texts])
    return project


def bulk_project(path, n: int) -> Project:
    """A project of ``n`` documents, written with plain SQL (fast)."""
    project = Project(path, create=True)
    stamp = now()
    rows = []
    for i in range(n):
        text = f"Document number {i} about harbour talks."
        rows.append(
            (
                f"d{i:06d}",
                None,
                f"Title {i}",
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                "",
                json.dumps({}),
                "new",
                stamp,
                stamp,
            )
        )
    with project.transaction():
        project.conn.executemany(
            "INSERT INTO documents (id, external_id, title, text, sha256, source, metadata, status, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return project


@pytest.fixture
def small(tmp_path):
    project = make_project(
        tmp_path / "p.annotator",
        [
            ("Harbour talks", "Negotiators from Chile met in Geneva."),
            ("<b>Bold</b> & co", "Rare earth magnets from China."),
            ("Weather", "Sunny in Seoul, 30 degrees."),
            ("", "An untitled piece about Geneva harbour."),
        ],
    )
    yield project
    project.close()


def titles(model: DocumentListModel) -> list[str]:
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_hundred_thousand_documents_open_lazily(qtbot, tmp_path):
    project = bulk_project(tmp_path / "big.annotator", 100_000)
    widget = DocumentList()
    qtbot.addWidget(widget)
    widget.resize(400, 600)
    widget.set_project(project, "ann")
    widget.show()
    qtbot.waitExposed(widget)
    widget.grab()  # paint: the view asks for the visible rows
    model = widget.model
    assert model.rowCount() == 100_000
    # Only what the view shows was fetched: a page or two, not 100,000 rows.
    assert 0 < model.fetched <= 2 * model.page_size
    assert model.data(model.index(0, 0)) == "Title 0"
    # Scrolling to the end fetches the last page, and the cache stays bounded.
    widget.table.scrollToBottom()
    widget.grab()
    assert model.data(model.index(99_999, 0)) == "Title 99999"
    assert model.fetched <= 4 * model.page_size
    for row in range(0, 100_000, 997):
        model.summary(row)
    assert len(model._cache) <= model.cache_size
    assert model.row_of("d050000") == 50_000
    widget.set_project(None, None)
    project.close()


def test_columns_status_and_counts(qtbot, small):
    doc_id = small.document_ids()[0]
    ann = entity(doc_id, 0, 11, "PERSON", "ann")
    apply(small, AddAnnotations(doc_id, "ann", [ann]))
    apply(small, AddAnnotations(doc_id, "other", [entity(doc_id, 17, 22, "GPE", "other")]))
    model = DocumentListModel()
    model.set_project(small, "ann")
    assert model.data(model.index(0, model.STATUS)) == "in progress"
    # Counts are the annotator's own.
    assert model.data(model.index(0, model.COUNT)) == "1"
    assert model.data(model.index(1, model.COUNT)) == "0"
    # Titles are data, shown as they are; empty titles get a fallback.
    assert model.data(model.index(1, model.TITLE)) == "<b>Bold</b> & co"
    assert model.data(model.index(3, model.TITLE)).startswith("Document ")
    tip = model.data(model.index(1, model.TITLE), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in tip and "<b>Bold" not in tip


def test_refresh_document_updates_one_row(qtbot, small):
    model = DocumentListModel()
    model.set_project(small, "ann")
    doc_id = model.doc_id(2)
    assert model.data(model.index(2, model.STATUS)) == "new"
    apply(small, SetStatus(doc_id, "ann", "done"))
    changed = []
    model.dataChanged.connect(lambda a, b: changed.append((a.row(), b.row())))
    model.refresh_document(doc_id)
    assert changed == [(2, 2)]
    assert model.data(model.index(2, model.STATUS)) == "done"


def test_filters_and_search(qtbot, small):
    widget = DocumentList()
    qtbot.addWidget(widget)
    widget.set_project(small, "ann")
    ids = small.document_ids()
    apply(small, SetStatus(ids[1], "ann", "done"))
    apply(small, AddAnnotations(ids[2], "ann", [entity(ids[2], 9, 14, "GPE", "ann")]))

    widget.search.setText("geneva")
    widget.apply_filter()
    assert titles(widget.model) == ["Harbour talks", f"Document {ids[3]}"]
    assert widget.count_label.text() == "2 of 4 documents"

    widget.search.setText("HARBOUR")  # titles and text, any case
    widget.apply_filter()
    assert widget.model.rowCount() == 2

    widget.search.clear()
    widget.status_filter.setCurrentIndex(widget.status_filter.findText("Done"))
    assert titles(widget.model) == ["<b>Bold</b> & co"]
    widget.status_filter.setCurrentIndex(widget.status_filter.findText("Unfinished"))
    assert widget.model.rowCount() == 3

    widget.status_filter.setCurrentIndex(0)
    widget.label_filter.setCurrentIndex(widget.label_filter.findData("GPE"))
    assert titles(widget.model) == ["Weather"]


def test_keyboard_navigation_and_next_unfinished(qtbot, small):
    widget = DocumentList()
    qtbot.addWidget(widget)
    widget.set_project(small, "ann")
    widget.show()
    ids = small.document_ids()
    opened = []
    widget.currentDocumentChanged.connect(opened.append)
    widget.table.setFocus()
    widget.select_document(ids[0])
    qtbot.keyClick(widget.table, Qt.Key.Key_Down)
    qtbot.keyClick(widget.table, Qt.Key.Key_Down)
    assert opened == [ids[1], ids[2]]
    assert widget.current_document() == ids[2]

    apply(small, SetStatus(ids[3], "ann", "done"))
    apply(small, SetStatus(ids[0], "ann", "done"))
    # After ids[2] (unfinished itself), wrapping past done ones: ids[1].
    assert widget.next_unfinished() == ids[1]
    assert opened[-1] == ids[1]
    apply(small, SetStatus(ids[1], "ann", "done"))
    assert widget.next_unfinished() == ids[2]
    apply(small, SetStatus(ids[2], "ann", "done"))
    assert widget.next_unfinished() is None
