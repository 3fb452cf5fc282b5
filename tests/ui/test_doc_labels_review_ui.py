"""Reviewing document labels in the review view (issue 14), through real clicks:
the rows show each annotator's choice, a click accepts it into gold, Ctrl+Z
undoes it; the gold layer in the database is what the reviewer chose."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from review_fixtures import build_demo

from annotator.core.commands import SetDocLabel, apply
from annotator.core.models import GOLD
from annotator.ui.review_view import ReviewView


@pytest.fixture
def demo(tmp_path):
    d = build_demo(tmp_path / "review.annotator")
    for who, cat, label in [
        ("alice", "genre", "report"),
        ("bob", "genre", "analysis"),
        ("alice", "topic", "trade"),
        ("bob", "topic", "trade"),
    ]:
        apply(d.project, SetDocLabel(d.doc_id, who, cat, label, "set"))
    yield d
    d.project.close()


@pytest.fixture
def view(qtbot, demo):
    stack = QUndoStack()
    v = ReviewView(demo.project, "rita", stack)
    v.resize(1300, 850)
    qtbot.addWidget(v)
    v.show()
    v.open_document(demo.doc_id)
    v._stack = stack
    return v


def test_accept_an_annotators_genre_by_clicking_and_undo(qtbot, view, demo):
    box = view.doc_labels_box
    assert box.isVisible()
    assert box.buttons[("genre", "alice")].text() == "alice: report"
    assert box.buttons[("genre", "bob")].text() == "bob: analysis"
    assert box.gold_labels["genre"].text() == "gold: –"
    assert {u.category: u.status for u in view.doc_label_units} == {"topic": "agreed", "genre": "differ"}
    qtbot.mouseClick(view.doc_labels_box.buttons[("genre", "bob")], Qt.MouseButton.LeftButton)
    assert demo.project.doc_labels(demo.doc_id, GOLD) == {"genre": ["analysis"]}
    # the view follows: bob's choice is the gold one, his button is done
    box = view.doc_labels_box
    assert box.gold_labels["genre"].text() == "gold: analysis (from bob)"
    assert not box.buttons[("genre", "bob")].isEnabled() and box.buttons[("genre", "bob")].text() == "bob: analysis ✓"
    decisions = demo.project.review_decisions(demo.doc_id)
    assert decisions[-1]["action"] == "accept_doc_labels" and decisions[-1]["reviewer"] == "rita"
    # alice's replaces it; "No label in gold" clears it
    qtbot.mouseClick(view.doc_labels_box.buttons[("genre", "alice")], Qt.MouseButton.LeftButton)
    assert demo.project.doc_labels(demo.doc_id, GOLD) == {"genre": ["report"]}
    qtbot.mouseClick(view.doc_labels_box.buttons[("genre", None)], Qt.MouseButton.LeftButton)
    assert demo.project.doc_labels(demo.doc_id, GOLD) == {}
    # Ctrl+Z in the review view undoes the decisions one by one
    view.setFocus()
    view._stack.undo()
    assert demo.project.doc_labels(demo.doc_id, GOLD) == {"genre": ["report"]}
    view._stack.undo()
    view._stack.undo()
    assert demo.project.doc_labels(demo.doc_id, GOLD) == {}
    assert view.doc_labels_box.gold_labels["genre"].text() == "gold: –"
    assert [d["action"] for d in demo.project.review_decisions(demo.doc_id)].count("accept_doc_labels") == 0


def test_agreed_topic_accepted_with_one_click(qtbot, view, demo):
    qtbot.mouseClick(view.doc_labels_box.buttons[("topic", "alice")], Qt.MouseButton.LeftButton)
    assert demo.project.doc_labels(demo.doc_id, GOLD) == {"topic": ["trade"]}
    assert view.doc_labels_box.gold_labels["topic"].text() == "gold: trade (from alice, bob)"


def test_accept_all_agreed_takes_the_agreed_document_labels_too(qtbot, view, demo):
    view.accept_all_agreed()
    assert demo.project.doc_labels(demo.doc_id, GOLD) == {"topic": ["trade"]}  # genre differs: left open
    assert len(demo.project.annotations(demo.doc_id, GOLD)) == 10
    view._stack.undo()  # one step
    assert demo.project.doc_labels(demo.doc_id, GOLD) == {} and demo.project.annotations(demo.doc_id, GOLD) == []


def test_a_document_with_document_labels_only_is_in_the_queue(qtbot, demo, tmp_path):
    from annotator.core.models import Document

    other = Document(text="Labelled, no spans.")
    demo.project.insert_documents([(other, [])])
    apply(demo.project, SetDocLabel(other.id, "alice", "genre", "opinion", "set"))
    v = ReviewView(demo.project, "rita", QUndoStack())
    qtbot.addWidget(v)
    assert v.queue_model.row_of(other.id) >= 0
    v.open_document(other.id)
    assert v.doc_labels_box.buttons[("genre", "alice")].text() == "alice: opinion"
