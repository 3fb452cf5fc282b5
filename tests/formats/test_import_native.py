"""Native JSON lines: the writer's fixed shape, and export -> import -> export giving the same bytes."""

import io
import json
from pathlib import Path

import pytest

from annotator.core.commands import AddAnnotations, SetStatus, apply
from annotator.core.models import Document, Source, claim, entity, event, relation
from annotator.core.store import Project
from annotator.formats import InputError
from annotator.formats.native import (
    ANNOTATION_KEYS,
    DOCUMENT_KEYS,
    NATIVE_FORMAT,
    is_native,
    iter_native_records,
    read_native,
    write_native,
)
from annotator.services.importing import import_paths

TEXT = (
    "India and China 🤝 agreed on Monday.\n"
    "Beijing granted licences to Indian firms, said Randhir Jaiswal.\n"
    "“China controls around 70% of global rare earth mining,” the ministry said.\u2028Line\u2029Para\x85End."
)


def span(text: str, piece: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "source.annotator", create=True) as p:
        doc = Document(
            title="Licences", text=TEXT, source="seed.txt", metadata={"lang": "en", "desk": "asia"}, external_id="ext-1"
        )
        other = Document(title="Other", text="A second, plain document.", source="b.txt")
        p.insert_documents([(doc, []), (other, [])])
        china = entity(doc.id, *span(TEXT, "China"), "GPE", "alice")
        india = entity(doc.id, *span(TEXT, "Indian"), "NORP", "alice")
        beijing = entity(doc.id, *span(TEXT, "Beijing"), "GPE", "alice")
        grant = event(doc.id, *span(TEXT, "granted"), "LicenceGrant", "alice", [("Grantor", beijing.id), ("Grantee", india.id)])
        jaiswal = entity(doc.id, *span(TEXT, "Randhir Jaiswal"), "PERSON", "bob")
        stat = claim(
            doc.id,
            *span(TEXT, "China controls around 70% of global rare earth mining"),
            "alice",
            claimant_ref=jaiswal.id,
            attributes={"stance": "supports", "claim_type": "statistical"},
        )
        rel = relation(doc.id, china.id, beijing.id, "part_of", "bob")
        apply(p, AddAnnotations(doc.id, "bob", [jaiswal]))
        apply(p, AddAnnotations(doc.id, "alice", [china, india, beijing, grant, stat]))
        apply(p, AddAnnotations(doc.id, "bob", [rel]))
        apply(p, SetStatus(doc.id, "alice", "done"))
        with p.transaction():  # a reviewer's decision, as the review workflow records it
            p.put_review_decision(
                {
                    "id": "rd1",
                    "doc_id": doc.id,
                    "reviewer": "rita",
                    "time": "2025-11-01T10:00:00.000+00:00",
                    "action": "accept",
                    "source_ids": [china.id],
                    "gold_id": None,
                    "detail": {"note": "ok"},
                }
            )
        p.doc_id = doc.id
        yield p


def export(project: Project, **kw) -> str:
    out = io.StringIO()
    write_native(iter_native_records(project, **kw), out)
    return out.getvalue()


def test_record_shape_and_order(project):
    lines = export(project).splitlines()
    assert len(lines) == 2
    rec = json.loads(lines[0])
    assert list(rec) == ["format", "format_version", "schema", *DOCUMENT_KEYS, "annotations", "review"]
    assert rec["format"] == NATIVE_FORMAT and rec["format_version"] == 1 and is_native(rec)
    assert rec["schema"] == {"name": project.schema.name, "version": project.schema.version}
    assert rec["status"] == "done" and rec["external_id"] == "ext-1"
    assert rec["review"] == [
        {
            "id": "rd1",
            "reviewer": "rita",
            "time": "2025-11-01T10:00:00.000+00:00",
            "action": "accept",
            "source_ids": [rec["annotations"][0]["id"]],
            "gold_id": None,
            "detail": {"note": "ok"},
        }
    ]
    assert json.loads(lines[1])["review"] == []
    assert rec["text"] == TEXT and "🤝" in lines[0]  # UTF-8, not \\u escapes ...
    for sep in ("\u2028", "\u2029", "\x85"):  # ... except for what str.splitlines takes for a line break
        assert sep not in lines[0] and f"\\u{ord(sep):04x}" in lines[0]
    anns = rec["annotations"]
    assert all(list(a) == list(ANNOTATION_KEYS) for a in anns)
    kinds = [a["kind"] for a in anns]
    assert kinds == ["entity"] * 4 + ["event", "claim", "relation"]
    starts = [a["start"] for a in anns if a["kind"] == "entity"]
    assert starts == sorted(starts)
    for a in anns:
        if a["start"] is not None:
            assert TEXT[a["start"] : a["end"]]  # offsets are code points into the text
    grant = next(a for a in anns if a["kind"] == "event")
    assert [x["role"] for x in grant["arguments"]] == ["Grantor", "Grantee"]
    assert {a["annotator"] for a in anns} == {"alice", "bob"}
    assert {a["source"] for a in anns} == {"manual"}


def test_export_import_export_is_byte_identical(project, tmp_path):
    first = export(project)
    f = tmp_path / "work.jsonl"
    f.write_text(first, "utf-8", newline="\n")
    with Project(tmp_path / "copy.annotator", create=True) as copy:
        report = import_paths(copy, [f])
        assert report.ok and report.documents == 2 and report.annotations == 7
        assert report.files[0].format == "native"
        second = export(copy)
        assert sorted(copy.annotators()) == ["alice", "bob"]
        assert [d["id"] for d in copy.review_decisions()] == ["rd1"]
    assert second.encode("utf-8") == first.encode("utf-8")


def test_read_native_keeps_everything(project, tmp_path):
    f = tmp_path / "work.jsonl"
    f.write_text(export(project), "utf-8")
    pairs = read_native(f)
    originals = {d.id: (d, project.annotations(d.id)) for d in project.iter_documents()}
    for doc, anns in pairs:
        odoc, oanns = originals[doc.id]
        assert doc == odoc
        assert sorted(anns, key=lambda a: a.id) == sorted(oanns, key=lambda a: a.id)


def test_annotator_filter_keeps_what_their_annotations_point_at(project):
    rec = json.loads(export(project, annotators=["alice"]).splitlines()[0])
    by_id = {a["id"]: a for a in rec["annotations"]}
    # alice's claim names bob's Jaiswal entity as claimant: it comes along
    stat = next(a for a in rec["annotations"] if a["kind"] == "claim")
    assert by_id[stat["claimant_ref"]]["annotator"] == "bob"
    # bob's relation is left out
    assert all(a["kind"] != "relation" for a in rec["annotations"])
    only_bob = json.loads(export(project, annotators=["bob"]).splitlines()[0])["annotations"]
    assert {a["annotator"] for a in only_bob} == {"alice", "bob"}  # the relation's two entities are alice's
    assert sum(a["annotator"] == "bob" for a in only_bob) == 2


def test_doc_ids_filter(project):
    lines = export(project, doc_ids=[project.doc_id]).splitlines()
    assert [json.loads(x)["id"] for x in lines] == [project.doc_id]


def native_line(project, **changes) -> dict:
    rec = json.loads(export(project).splitlines()[0])
    rec.update(changes)
    return rec


def write(tmp_path: Path, records: list[dict]) -> Path:
    f = tmp_path / "in.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return f


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.update(format_version=2), "newer annotator"),
        (lambda r: r.update(format="other"), "expected 'annotator-native'"),
        (lambda r: r.update(sha256="0" * 64), "sha256 does not match"),
        (lambda r: r.update(text=r["text"].replace("\n", "\r\n")), "not canonical"),
        (lambda r: r.update(colour="red"), "unknown field"),
        (lambda r: r.update(status="finished"), "status"),
        (lambda r: r["annotations"].append(dict(r["annotations"][0])), "is used twice"),
        (lambda r: r["annotations"][0].update(start=5000, end=5001), "outside the text"),
        (lambda r: r["annotations"][0].update(end=r["annotations"][0]["start"]), "reversed or empty"),
        (lambda r: r["annotations"][0].update(bogus=1), "Extra inputs are not permitted"),
        (lambda r: r["annotations"][0].update(kind="mood"), "kind"),
        (
            lambda r: r.update(annotations=[a for a in r["annotations"] if a["kind"] != "entity" or a["label"] != "PERSON"]),
            "not an annotation of this document",
        ),
        (lambda r: r["review"].append("accepted"), "review decision 2: expected an object"),
        (lambda r: r["review"][0].update(reviewer=""), "review decision 1: 'reviewer' must be a non-empty string"),
        (lambda r: r["review"][0].update(verdict="x"), "review decision 1: unknown field(s) 'verdict'"),
        (lambda r: r["review"][0].update(source_ids="abc"), "'source_ids' must be a list"),
    ],
)
def test_bad_native_records(project, tmp_path, change, message):
    rec = native_line(project)
    change(rec)
    f = write(tmp_path, [rec])
    with pytest.raises(InputError) as info:
        read_native(f)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{f}:1: document '{rec['id']}'")


def test_hand_written_native_records_get_ids_timestamps_and_source(tmp_path):
    f = write(
        tmp_path,
        [
            {
                "format": NATIVE_FORMAT,
                "text": "Acme Corp grew.",
                "annotations": [{"kind": "entity", "label": "ORG", "start": 0, "end": 9, "annotator": "dana"}],
            }
        ],
    )
    [(doc, [ann])] = read_native(f)
    assert doc.id and doc.title == "" and ann.id and ann.created
    assert ann.source == Source.IMPORTED and ann.annotator == "dana"


def test_importing_native_twice_reports_duplicates_and_id_clashes(project, tmp_path):
    f = write(tmp_path, [native_line(project)])
    report = import_paths(project, [f])
    assert report.documents == 0 and report.duplicates == 1 and report.ok
    assert "its 7 annotations were not imported" in report.files[0].duplicates[0]
    # the same document id with another text is refused
    rec = native_line(project, text=TEXT + " More.", sha256="")
    rec["annotations"] = []
    g = write(tmp_path, [rec])
    report = import_paths(project, [g])
    assert report.files[0].refused
    assert "the document id" in str(report.errors[0]) and "different text" in str(report.errors[0])
    # a new document whose annotation id exists in the project is refused too
    rec = native_line(project, id="fresh", text="Fresh text about China.", sha256="")
    rec["annotations"] = [dict(native_line(project)["annotations"][0], start=18, end=23)]
    h = write(tmp_path, [rec])
    report = import_paths(project, [h])
    assert report.files[0].refused and "exists already in the project" in str(report.errors[0])
