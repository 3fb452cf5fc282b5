"""Merging carries notes (issue 14): a colleague's notes on annotations and on
documents arrive in the review project, from a project or a native export; a
newer note replaces an older one, a note edited here since is kept."""

from __future__ import annotations

import time

from annotator.core.commands import AddAnnotations, SetNote, apply
from annotator.core.models import Document, entity
from annotator.core.store import Project
from annotator.formats.native import iter_native_records, write_native
from annotator.services.merging import merge_paths

TEXTS = ["Apple hired Tim Cook in Cupertino.", "Nothing happened in Oslo."]


def colleague(tmp_path, name: str) -> tuple[Project, str]:
    p = Project(tmp_path / f"{name}.annotator", create=True)
    p.insert_documents([(Document(text=t, title=f"doc {i}"), []) for i, t in enumerate(TEXTS)])
    doc = p.document_ids()[0]
    ann = entity(doc, 0, 5, "ORG", name)
    apply(p, AddAnnotations(doc, name, [ann]))
    return p, ann.id


def notes_by_text(p: Project) -> set[tuple[str, str, str, str]]:
    out = set()
    for doc in p.document_ids():
        text = p.document_text(doc)
        anns = {a.id: text[a.start : a.end] for a in p.annotations(doc)}
        for n in p.notes(doc):
            out.add((n.annotator, anns[n.target] if n.target else f"<{text[:7]}>", n.type, n.text))
    return out


def test_notes_travel_with_a_merged_project_and_the_newer_wins(tmp_path):
    alice, apple = colleague(tmp_path, "alice")
    doc0, doc1 = alice.document_ids()
    apply(alice, SetNote(doc0, "alice", apple, "the company, not the fruit"))
    apply(alice, SetNote(doc1, "alice", "", "nothing to annotate", note_type="Status"))
    alice.close()
    review = tmp_path / "review.annotator"
    [report] = merge_paths(review, [tmp_path / "alice.annotator"])
    assert (report.notes_added, report.notes_updated) == (2, 0)
    assert "notes: 2 added, 0 updated" in report.summary()
    with Project(review) as r:
        assert notes_by_text(r) == {
            ("alice", "Apple", "AnnotatorNotes", "the company, not the fruit"),
            ("alice", "<Nothing>", "Status", "nothing to annotate"),
        }
    # merging again: nothing new
    [again] = merge_paths(review, [tmp_path / "alice.annotator"])
    assert (again.notes_added, again.notes_updated, again.notes_kept) == (0, 0, 0) and not again.changed
    # alice edits her note later: it replaces the one merged before
    time.sleep(0.01)
    with Project(tmp_path / "alice.annotator") as a:
        apply(a, SetNote(doc0, "alice", apple, "Apple Inc."))
    [third] = merge_paths(review, [tmp_path / "alice.annotator"])
    assert third.notes_updated == 1 and third.changed
    with Project(review) as r:
        assert ("alice", "Apple", "AnnotatorNotes", "Apple Inc.") in notes_by_text(r)
        # the reviewer edits it here (later than alice's): a merge of the older one keeps it
        rdoc = next(d for d in r.document_ids() if r.document_text(d).startswith("Apple"))
        time.sleep(0.01)
        apply(r, SetNote(rdoc, "maria", apple, "Apple Inc. (checked)"))
    [fourth] = merge_paths(review, [tmp_path / "alice.annotator"])
    assert fourth.notes_kept == 1
    with Project(review) as r:
        assert ("alice", "Apple", "AnnotatorNotes", "Apple Inc. (checked)") in notes_by_text(r)


def test_notes_travel_with_a_native_export(tmp_path):
    bob, apple = colleague(tmp_path, "bob")
    doc0 = bob.document_ids()[0]
    apply(bob, SetNote(doc0, "bob", apple, "ticker AAPL"))
    apply(bob, SetNote(doc0, "bob", "", "check the date"))
    out = tmp_path / "bob.jsonl"
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        write_native(iter_native_records(bob), fh)
    bob.close()
    review = tmp_path / "review.annotator"
    [report] = merge_paths(review, [out])
    assert report.notes_added == 2
    with Project(review) as r:
        assert notes_by_text(r) == {
            ("bob", "Apple", "AnnotatorNotes", "ticker AAPL"),
            ("bob", "<Apple h>", "AnnotatorNotes", "check the date"),
        }


def test_a_project_from_before_notes_merges(tmp_path):
    """A source project file in an older format (no notes table) merges as before."""
    import shutil
    from pathlib import Path

    fixture = Path(__file__).parent.parent / "reliability" / "fixtures" / "v1.annotator"
    old = tmp_path / "old.annotator"
    shutil.copy(fixture, old)
    [report] = merge_paths(tmp_path / "review.annotator", [old])
    assert report.documents_added > 0 and report.notes_added == 0
