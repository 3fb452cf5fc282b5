"""Merging colleagues' projects and native exports into a review project."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.commands import AddAnnotations, DeleteAnnotations, UpdateAnnotation, apply
from annotator.core.models import GOLD, DocStatus, Document, entity, event
from annotator.core.review import AcceptAnnotation
from annotator.core.store import Project
from annotator.formats.native import iter_native_records, write_native
from annotator.services.merging import MergeError, merge_paths, read_source

TEXTS = [
    "Apple hired Tim Cook in Cupertino.",
    "China granted licences to Indian firms on Thursday.",
    "Nothing happened in Oslo.",
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_annotator_project(path: Path, name: str, texts=TEXTS, external_ids=None) -> Project:
    """A colleague's own project: the same articles imported on their desktop (own document ids)."""
    p = Project(path, create=True)
    docs = [Document(text=t, title=f"doc {i}", external_id=(external_ids or {}).get(i)) for i, t in enumerate(texts)]
    p.insert_documents([(d, []) for d in docs])
    p.add_annotator(name)
    return p


def annotate(p: Project, who: str, doc_index: int, phrase: str, label: str):
    doc_id = p.document_ids()[doc_index]
    text = p.document_text(doc_id)
    s = text.index(phrase)
    ann = entity(doc_id, s, s + len(phrase), label, who)
    apply(p, AddAnnotations(doc_id, who, [ann]))
    return ann


@pytest.fixture
def colleagues(tmp_path):
    alice = make_annotator_project(tmp_path / "alice.annotator", "alice")
    bob = make_annotator_project(tmp_path / "bob.annotator", "bob")
    a = {
        "apple": annotate(alice, "alice", 0, "Apple", "ORG"),
        "cook": annotate(alice, "alice", 0, "Tim Cook", "PERSON"),
        "china": annotate(alice, "alice", 1, "China", "GPE"),
    }
    b = {
        "apple": annotate(bob, "bob", 0, "Apple", "ORG"),
        "cupertino": annotate(bob, "bob", 0, "Cupertino", "GPE"),
        "oslo": annotate(bob, "bob", 2, "Oslo", "GPE"),
    }
    yield alice, bob, a, b
    alice.close()
    bob.close()


def by_sha(p: Project) -> dict[str, str]:
    return {p.get_document(d).sha256: d for d in p.document_ids()}


def test_merge_two_projects_keeps_ids_annotators_and_timestamps(tmp_path, colleagues):
    alice, bob, a, b = colleagues
    before = digest(alice.path), digest(bob.path)
    out = tmp_path / "review.annotator"
    reports = merge_paths(out, [alice.path, bob.path])
    assert [r.documents_added for r in reports] == [3, 0]
    assert [r.documents_matched for r in reports] == [0, 3]
    assert [r.annotations_added for r in reports] == [3, 3]
    assert (digest(alice.path), digest(bob.path)) == before  # sources are only read
    with Project(out) as review:
        assert review.document_count() == 3
        assert set(review.annotators()) == {"alice", "bob"}
        target = by_sha(review)
        for ann in [*a.values(), *b.values()]:
            got = review.get_annotation(ann.id)
            assert got is not None
            assert (got.annotator, got.label, got.start, got.end, got.created, got.updated) == (
                ann.annotator,
                ann.label,
                ann.start,
                ann.end,
                ann.created,
                ann.updated,
            )
        # bob's annotation of the first article lands on the same document as alice's (matched by text)
        sha0 = alice.get_document(alice.document_ids()[0]).sha256
        assert review.get_annotation(b["apple"].id).doc_id == review.get_annotation(a["apple"].id).doc_id == target[sha0]
        # documents keep the first source's ids
        assert set(review.document_ids()) == set(alice.document_ids())


def test_merging_again_adds_updates_deletes_without_duplicates(tmp_path, colleagues):
    alice, bob, a, _b = colleagues
    out = tmp_path / "review.annotator"
    merge_paths(out, [alice.path, bob.path])
    again = merge_paths(out, [alice.path, bob.path])
    assert [(r.annotations_added, r.annotations_updated, r.annotations_deleted, r.annotations_unchanged) for r in again] == [
        (0, 0, 0, 3),
        (0, 0, 0, 3),
    ]
    assert not any(r.changed for r in again)
    # alice works on: relabels one, deletes one, adds one
    d0 = alice.document_ids()[0]
    apply(alice, UpdateAnnotation(d0, "alice", a["apple"].id, label="PRODUCT"))
    apply(alice, DeleteAnnotations(d0, "alice", [a["cook"].id]))
    new = annotate(alice, "alice", 1, "Indian", "NORP")
    (r,) = merge_paths(out, [alice.path])
    assert (r.annotations_added, r.annotations_updated, r.annotations_deleted) == (1, 1, 1)
    with Project(out) as review:
        assert review.get_annotation(a["apple"].id).label == "PRODUCT"
        assert review.get_annotation(a["cook"].id) is None
        assert review.get_annotation(new.id) is not None
        counts = {(ann.annotator, ann.label) for ann in review.iter_all_annotations()}
        assert ("alice", "ORG") not in counts
        assert sum(1 for _ in review.iter_all_annotations()) == 6  # 3 of alice, 3 of bob


def test_newer_edit_in_the_review_project_is_kept(tmp_path, colleagues):
    alice, _bob, a, _b = colleagues
    out = tmp_path / "review.annotator"
    merge_paths(out, [alice.path])
    with Project(out) as review:
        for name, label in (("china", "NORP"), ("cook", "ORG")):
            # cook: an annotation edited here since the merge is not deleted either
            doc = review.get_annotation(a[name].id).doc_id
            apply(review, UpdateAnnotation(doc, "alice", a[name].id, label=label))
    apply(alice, DeleteAnnotations(alice.document_ids()[0], "alice", [a["cook"].id]))
    (r,) = merge_paths(out, [alice.path])
    assert r.annotations_kept == 1 and r.annotations_deleted == 0
    with Project(out) as review:
        assert review.get_annotation(a["china"].id).label == "NORP"
        assert review.get_annotation(a["cook"].id).label == "ORG"


def test_annotations_made_in_the_review_project_survive_a_merge(tmp_path, colleagues):
    alice, _bob, a, _b = colleagues
    out = tmp_path / "review.annotator"
    merge_paths(out, [alice.path])
    with Project(out) as review:
        doc = review.get_annotation(a["apple"].id).doc_id
        apply(review, AcceptAnnotation(doc, "rita", a["apple"].id))
        s = review.document_text(doc).index("Cupertino")
        mine = entity(doc, s, s + 9, "GPE", "alice")  # made here, never merged from alice's project
        apply(review, AddAnnotations(doc, "alice", [mine]))
    merge_paths(out, [alice.path])
    with Project(out) as review:
        assert review.get_annotation(mine.id) is not None
        assert len(review.annotations(doc, GOLD)) == 1


def test_same_id_or_external_id_with_other_text_is_reported_not_mixed(tmp_path):
    first = make_annotator_project(tmp_path / "a.annotator", "alice", TEXTS[:1], external_ids={0: "art-1"})
    out = tmp_path / "review.annotator"
    merge_paths(out, [first.path])
    doc_id = first.document_ids()[0]
    # an export with (1) the same id but edited text, (2) the same external id, other text, (3) a good document
    records = [
        {"format": "annotator-native", "id": doc_id, "text": TEXTS[0] + " Updated.", "annotations": []},
        {"format": "annotator-native", "external_id": "art-1", "text": "Entirely different.", "annotations": []},
        {
            "format": "annotator-native",
            "text": TEXTS[2],
            "annotations": [{"kind": "entity", "label": "GPE", "start": 20, "end": 24, "annotator": "carol"}],
        },
    ]
    src = tmp_path / "carol.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    (r,) = merge_paths(out, [src])
    assert r.documents_added == 1 and len(r.problems) == 2
    assert "line 1" in r.problems[0] and doc_id in r.problems[0] and "different text" in r.problems[0]
    assert "art-1" in r.problems[1]
    with Project(out) as review:
        assert review.document_count() == 2
        assert review.get_document(doc_id).text == TEXTS[0]
    first.close()


def test_native_export_merges_like_the_project(tmp_path, colleagues):
    alice, bob, a, b = colleagues
    export = tmp_path / "alice.jsonl"
    with open(export, "w", encoding="utf-8", newline="\n") as fh:
        write_native(iter_native_records(alice), fh)
    out1, out2 = tmp_path / "one.annotator", tmp_path / "two.annotator"
    merge_paths(out1, [alice.path, bob.path])
    merge_paths(out2, [export, bob.path])
    with Project(out1) as p1, Project(out2) as p2:
        rows1 = sorted((x.id, x.label, x.start, x.end, x.annotator, x.updated) for x in p1.iter_all_annotations())
        rows2 = sorted((x.id, x.label, x.start, x.end, x.annotator, x.updated) for x in p2.iter_all_annotations())
        assert rows1 == rows2 and len(rows1) == 6
    # merging the same export again changes nothing
    (r,) = merge_paths(out2, [export])
    assert not r.changed and r.annotations_unchanged == 3


def test_bad_source_changes_nothing(tmp_path, colleagues):
    alice, bob, _a, _b = colleagues
    out = tmp_path / "review.annotator"
    merge_paths(out, [alice.path])
    before = digest(out)
    broken = tmp_path / "broken.jsonl"
    good = json.dumps({"format": "annotator-native", "text": "Fine text.", "annotations": []})
    broken.write_text(good + "\n" + '{"format": "annotator-native", "text": "cut sho\n', "utf-8")
    with pytest.raises(MergeError, match=r"broken\.jsonl:2:.*nothing was merged"):
        merge_paths(out, [bob.path, broken])  # bob is fine, but nothing is written when one source is bad
    assert digest(out) == before
    with Project(out) as review:
        assert review.document_count() == 3 and "bob" not in review.annotators()


def test_unknown_labels_are_refused_before_creating_anything(tmp_path):
    src = tmp_path / "x.jsonl"
    src.write_text(
        json.dumps(
            {
                "format": "annotator-native",
                "text": "Acme Corp.",
                "annotations": [{"kind": "entity", "label": "COMPANY", "start": 0, "end": 4, "annotator": "dan"}],
            }
        )
        + "\n",
        "utf-8",
    )
    out = tmp_path / "new.annotator"
    with pytest.raises(MergeError, match="entity COMPANY"):
        merge_paths(out, [src])
    assert not out.exists()


def test_reference_to_another_document_in_a_source_is_refused(tmp_path):
    src = tmp_path / "x.jsonl"
    src.write_text(
        json.dumps(
            {
                "format": "annotator-native",
                "text": "Acme hired Bo.",
                "annotations": [
                    {
                        "id": "e1",
                        "kind": "event",
                        "label": "Meeting",
                        "start": 5,
                        "end": 10,
                        "annotator": "dan",
                        "arguments": [{"role": "Participant", "target": "nowhere"}],
                    }
                ],
            }
        )
        + "\n",
        "utf-8",
    )
    with pytest.raises(MergeError, match="nowhere"):
        read_source(src)


def test_reviewed_document_goes_back_to_review_when_new_work_arrives(tmp_path, colleagues):
    alice, _bob, a, _b = colleagues
    out = tmp_path / "review.annotator"
    merge_paths(out, [alice.path])
    with Project(out) as review:
        doc = review.get_annotation(a["apple"].id).doc_id
        review.conn.execute("UPDATE documents SET status = 'reviewed' WHERE id = ?", (doc,))
        review.conn.commit()
    (r,) = merge_paths(out, [alice.path])
    assert r.back_in_review == []  # nothing new
    annotate(alice, "alice", 0, "Cupertino", "GPE")
    (r,) = merge_paths(out, [alice.path])
    assert r.back_in_review == [doc]
    with Project(out) as review:
        assert review.document_status(doc) == DocStatus.IN_REVIEW


def test_status_takes_the_further_along(tmp_path, colleagues):
    alice, bob, a, _b = colleagues
    d1 = alice.document_ids()[1]
    alice.conn.execute("UPDATE documents SET status = 'done' WHERE id = ?", (d1,))
    alice.conn.commit()
    out = tmp_path / "review.annotator"
    merge_paths(out, [bob.path, alice.path])
    with Project(out) as review:
        sha = alice.get_document(d1).sha256
        assert review.document_status(by_sha(review)[sha]) == DocStatus.DONE


def test_review_decisions_and_gold_travel_with_the_source(tmp_path, colleagues):
    alice, _bob, a, _b = colleagues
    d0 = alice.document_ids()[0]
    apply(alice, AcceptAnnotation(d0, "rita", a["apple"].id))
    out = tmp_path / "review.annotator"
    (r,) = merge_paths(out, [alice.path])
    assert r.decisions_added == 1
    with Project(out) as review:
        (decision,) = review.review_decisions()
        assert decision["reviewer"] == "rita" and decision["source_ids"] == [a["apple"].id]
        assert review.get_annotation(decision["gold_id"]).annotator == GOLD
    (r,) = merge_paths(out, [alice.path])
    assert r.decisions_added == 0


def test_read_only_source_and_self_merge(tmp_path, colleagues):
    alice, _bob, _a, _b = colleagues
    alice.close()
    os.chmod(alice.path, stat.S_IRUSR)
    try:
        out = tmp_path / "review.annotator"
        (r,) = merge_paths(out, [alice.path])
        assert r.annotations_added == 3
        with pytest.raises(MergeError, match="into itself"):
            merge_paths(out, [out])
    finally:
        os.chmod(alice.path, stat.S_IRUSR | stat.S_IWUSR)


def test_not_a_source(tmp_path):
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n", "utf-8")
    with pytest.raises(MergeError, match="junk.jsonl:1"):
        read_source(junk)
    with pytest.raises(MergeError, match="no such file"):
        read_source(tmp_path / "missing.annotator")
    with pytest.raises(MergeError, match="folder"):
        read_source(tmp_path)


def test_events_keep_their_arguments_across_merge(tmp_path):
    p = make_annotator_project(tmp_path / "a.annotator", "alice", TEXTS[1:2])
    d = p.document_ids()[0]
    text = p.document_text(d)
    china = entity(d, 0, 5, "GPE", "alice")
    s = text.index("granted")
    ev = event(d, s, s + 7, "LicenceGrant", "alice", [("Grantor", china.id)])
    apply(p, AddAnnotations(d, "alice", [china, ev]))
    p.close()
    out = tmp_path / "review.annotator"
    merge_paths(out, [p.path])
    with Project(out) as review:
        got = review.get_annotation(ev.id)
        assert [(x.role, x.target) for x in got.arguments] == [("Grantor", china.id)]


def test_cli_merge(tmp_path, colleagues):
    alice, bob, _a, _b = colleagues
    out = tmp_path / "review.annotator"
    runner = CliRunner()
    result = runner.invoke(main, ["merge", str(out), str(alice.path), str(bob.path)])
    assert result.exit_code == 0, result.output
    assert "alice.annotator: 3 new documents" in result.output
    assert "bob.annotator: 0 new documents, 3 matched documents" in result.output
    result = runner.invoke(main, ["merge", str(out), str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1 and "no such file" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["merge", "--help"])
    assert result.exit_code == 0 and "OUT" in result.output


def test_annotation_id_on_another_document_is_reported_not_moved(tmp_path):
    first = make_annotator_project(tmp_path / "a.annotator", "alice", TEXTS[:1])
    ann = annotate(first, "alice", 0, "Apple", "ORG")
    first.close()
    out = tmp_path / "review.annotator"
    merge_paths(out, [first.path])
    src = tmp_path / "clash.jsonl"
    src.write_text(
        json.dumps(
            {
                "format": "annotator-native",
                "text": TEXTS[2],
                "annotations": [{"id": ann.id, "kind": "entity", "label": "GPE", "start": 20, "end": 24, "annotator": "carol"}],
            }
        )
        + "\n",
        "utf-8",
    )
    (r,) = merge_paths(out, [src])
    assert r.documents_added == 0 and ann.id in r.problems[0] and "another document" in r.problems[0]
    with Project(out) as review:
        kept = review.get_annotation(ann.id)
        assert (kept.label, kept.annotator) == ("ORG", "alice")
        assert review.document_count() == 1
