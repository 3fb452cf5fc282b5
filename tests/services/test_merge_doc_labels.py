"""Merging document labels (issue 14) across projects and native exports: added,
replaced when set later, cleared when the source cleared them, provenance per
document/annotator/category, labels the target's schema lacks refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.commands import SetDocLabel, apply
from annotator.core.models import DocStatus, Document
from annotator.core.store import Project
from annotator.formats.native import iter_native_records, write_native
from annotator.services.merging import MergeError, merge_paths

TEXTS = ["China granted licences to Indian firms.", "An editorial on rare earths."]


def colleague(path: Path, name: str) -> Project:
    p = Project(path, create=True)
    p.insert_documents([(Document(text=t), []) for t in TEXTS])
    p.add_annotator(name)
    return p


def label(p: Project, who: str, i: int, category: str, value: str | None, mode: str = "set") -> None:
    apply(p, SetDocLabel(p.document_ids()[i], who, category, value, mode))


def by_text(p: Project) -> dict:
    return {p.document_text(d): per for d, per in p.doc_labels_by_document(schema=p.schema).items()}


def test_projects_merge_their_doc_labels_and_later_merges_follow_changes(tmp_path: Path) -> None:
    alice = colleague(tmp_path / "alice.annotator", "alice")
    bob = colleague(tmp_path / "bob.annotator", "bob")
    label(alice, "alice", 0, "topic", "trade")
    label(alice, "alice", 0, "topic", "economy")
    label(alice, "alice", 0, "genre", "report")
    label(bob, "bob", 0, "genre", "analysis")
    label(bob, "bob", 1, "genre", "opinion")
    alice.close()
    bob.close()
    out = tmp_path / "review.annotator"
    reports = merge_paths(out, [tmp_path / "alice.annotator", tmp_path / "bob.annotator"])
    assert (reports[0].doc_labels_added, reports[1].doc_labels_added) == (2, 2)
    assert "document labels: 2 added, 0 updated, 0 cleared" in reports[0].summary()
    with Project(out) as r:
        assert by_text(r) == {
            TEXTS[0]: {"alice": {"topic": ["economy", "trade"], "genre": ["report"]}, "bob": {"genre": ["analysis"]}},
            TEXTS[1]: {"bob": {"genre": ["opinion"]}},
        }
        times = {(x.annotator, x.label): x.time for x in r.doc_label_rows()}
    # merging the same again changes nothing
    again = merge_paths(out, [tmp_path / "alice.annotator"])[0]
    assert (again.doc_labels_added, again.doc_labels_updated, again.doc_labels_deleted) == (0, 0, 0)
    # alice changes her genre and clears her topic; the next merge follows
    with Project(tmp_path / "alice.annotator") as alice:
        label(alice, "alice", 0, "genre", "opinion")
        label(alice, "alice", 0, "topic", None, "clear")
    third = merge_paths(out, [tmp_path / "alice.annotator"])[0]
    assert (third.doc_labels_added, third.doc_labels_updated, third.doc_labels_deleted) == (0, 1, 1)
    with Project(out) as r:
        assert by_text(r)[TEXTS[0]] == {"alice": {"genre": ["opinion"]}, "bob": {"genre": ["analysis"]}}
        assert {(x.annotator, x.label): x.time for x in r.doc_label_rows() if x.annotator == "bob"} == {
            k: v for k, v in times.items() if k[0] == "bob"
        }


def test_a_label_changed_in_the_target_since_is_kept(tmp_path: Path) -> None:
    alice = colleague(tmp_path / "alice.annotator", "alice")
    label(alice, "alice", 0, "genre", "report")
    alice.close()
    out = tmp_path / "review.annotator"
    merge_paths(out, [tmp_path / "alice.annotator"])
    with Project(out) as r:  # the reviewer changes alice's label here, later than alice set hers
        label(r, "alice", 0, "genre", "interview")
    report = merge_paths(out, [tmp_path / "alice.annotator"])[0]
    assert (report.doc_labels_updated, report.doc_labels_deleted) == (0, 0)
    with Project(out) as r:
        assert by_text(r)[TEXTS[0]] == {"alice": {"genre": ["interview"]}}


def test_native_exports_merge_doc_labels_and_reviewed_documents_go_back(tmp_path: Path) -> None:
    alice = colleague(tmp_path / "alice.annotator", "alice")
    label(alice, "alice", 1, "topic", "security")
    with open(tmp_path / "alice.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        write_native(iter_native_records(alice), fh)
    out = tmp_path / "review.annotator"
    merge_paths(out, [tmp_path / "alice.jsonl"])
    with Project(out) as r:
        assert by_text(r) == {TEXTS[1]: {"alice": {"topic": ["security"]}}}
        doc = r.document_ids()[1]
        with r.transaction():
            r.set_status(doc, DocStatus.REVIEWED)
    label(alice, "alice", 1, "topic", "trade")
    with open(tmp_path / "alice.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        write_native(iter_native_records(alice), fh)
    alice.close()
    report = merge_paths(out, [tmp_path / "alice.jsonl"])[0]
    assert report.doc_labels_updated == 1 and report.back_in_review == [doc]
    with Project(out) as r:
        assert by_text(r)[TEXTS[1]] == {"alice": {"topic": ["trade", "security"]}}  # schema order
        assert r.document_status(doc) == DocStatus.IN_REVIEW


def test_labels_the_target_schema_lacks_are_refused(tmp_path: Path) -> None:
    from annotator.core.schema import default_schema

    alice = colleague(tmp_path / "alice.annotator", "alice")
    label(alice, "alice", 0, "genre", "report")
    alice.close()
    schema = default_schema()
    target = Project(
        tmp_path / "review.annotator", create=True, schema=schema.model_copy(update={"categories": schema.categories[:1]})
    )
    target.close()
    with pytest.raises(MergeError, match=r"labels that review.annotator's schema lacks: document label genre/report \(1\)"):
        merge_paths(tmp_path / "review.annotator", [tmp_path / "alice.annotator"])
    with Project(tmp_path / "review.annotator") as r:
        assert r.document_count() == 0
