"""Prodigy files as Prodigy writes them: answers, relations by token index, spans missing or empty."""

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.store import Project
from annotator.formats import InputError, ReadOptions
from annotator.formats.offsets import OffsetChoice
from annotator.formats.prodigy import iter_prodigy, read_prodigy
from annotator.services.importing import import_paths

TOKENS = [("Apple", 0, 5), ("hired", 6, 11), ("Tim", 12, 15), ("Cook", 16, 20), (".", 20, 21)]


def record(text="Apple hired Tim Cook.", **kw):
    rec = {
        "text": text,
        "tokens": [{"text": t, "start": s, "end": e, "id": i} for i, (t, s, e) in enumerate(TOKENS)],
        "spans": [
            {"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "ORG"},
            {"start": 12, "end": 20, "token_start": 2, "token_end": 3, "label": "PERSON"},
        ],
        "answer": "accept",
        "_annotator_id": "news-alice",
    }
    rec.update(kw)
    return rec


def write(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_only_accepted_answers_become_annotations(tmp_path):
    """Defect: records answered ignore (and reject) came in as annotations."""
    f = write(
        tmp_path / "p.jsonl",
        [
            record(),
            record(text="Apple hired Tim Cook!", answer="reject"),
            record(text="Apple hired Tim Cook?", answer="ignore"),
        ],
    )
    pairs = read_prodigy(f)
    assert [len(anns) for _, anns in pairs] == [2, 0, 0]
    rejected = pairs[1][0].metadata
    assert rejected["answer"] == "reject" and rejected["spans"][1]["label"] == "PERSON"  # kept, not lost
    project = Project(tmp_path / "p.annotator", create=True)
    try:
        report = import_paths(project, [f], add_labels=True)
        assert report.ok and report.annotations == 2
        assert "not annotations: 2 records answered 1 ignore, 1 reject" in report.summary()
    finally:
        project.close()


def test_missing_and_empty_spans_mean_none(tmp_path):
    rec = record()
    del rec["spans"]
    f = write(tmp_path / "p.jsonl", [rec, record(text="Apple hired Tim Cook!", spans=[])])
    assert [anns for _, anns in read_prodigy(f)] == [[], []]


def test_relations_by_token_index(tmp_path):
    rels = [{"head": 3, "child": 0, "label": "worksFor"}]  # no head_span/child_span: token indices only
    [(doc, anns)] = read_prodigy(write(tmp_path / "p.jsonl", [record(relations=rels)]))
    ents = {a.id: doc.text[a.start : a.end] for a in anns if a.kind == "entity"}
    [rel] = [a for a in anns if a.kind == "relation"]
    assert (ents[rel.head], ents[rel.tail], rel.label) == ("Tim Cook", "Apple", "worksFor")
    bad = write(tmp_path / "q.jsonl", [record(relations=[{"head": 1, "child": 0, "label": "x"}])])
    items = list(iter_prodigy(bad))
    assert isinstance(items[0], InputError) and "token 1, which is in none of the record's spans" in str(items[0])
    wrong = [{"head": 0, "child": 3, "label": "x", "head_span": record()["spans"][1], "child_span": record()["spans"][0]}]
    items = list(iter_prodigy(write(tmp_path / "r.jsonl", [record(relations=wrong)])))
    assert isinstance(items[0], InputError) and "head token 0 is not in its head_span" in str(items[0])


def test_prodigy_spans_with_utf16_offsets_and_text_are_read_right(tmp_path):
    text = "😀 Apple hired"
    rec = {"text": text, "spans": [{"start": 3, "end": 8, "label": "ORG", "text": "Apple"}], "answer": "accept"}
    [(doc, [a])] = read_prodigy(write(tmp_path / "p.jsonl", [rec]))
    assert doc.text[a.start : a.end] == "Apple"
    items = list(iter_prodigy(tmp_path / "p.jsonl", options=ReadOptions(offsets=OffsetChoice("codepoint"))))
    assert isinstance(items[0], InputError) and "says its text is 'Apple'" in str(items[0])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    answer=st.sampled_from(["accept", "reject", "ignore", None, 3]),
    offsets=st.sampled_from(["auto", "codepoint", "utf16"]),
    spans=st.lists(
        st.fixed_dictionaries(
            {"start": st.integers(-1, 25), "end": st.integers(-1, 25), "label": st.sampled_from(["ORG", "", None])},
            optional={"token_start": st.integers(-1, 6), "token_end": st.integers(-1, 6), "text": st.text(max_size=4)},
        ),
        max_size=3,
    ),
    relations=st.lists(
        st.fixed_dictionaries(
            {"label": st.sampled_from(["r", None])},
            optional={"head": st.integers(-1, 6), "child": st.integers(-1, 6), "head_span": st.just({"start": 0})},
        ),
        max_size=2,
    ),
    text=st.sampled_from(["Apple hired Tim Cook.", "😀pple hired Tim Cook.", "Apple\r\nhired Tim Cook."]),
)
def test_fuzz_prodigy_records(tmp_path, answer, offsets, spans, relations, text):
    """Random and mutated Prodigy records: a clear InputError or a valid import, never a traceback."""
    rec = record(text=text, spans=spans, relations=relations)
    if answer is None:
        del rec["answer"]
    else:
        rec["answer"] = answer
    f = write(tmp_path / "fuzz.jsonl", [rec])
    for item in iter_prodigy(f, options=ReadOptions(offsets=OffsetChoice(offsets))):
        if isinstance(item, InputError):
            assert str(item).startswith(str(f))
        else:
            doc, anns = item.pair()
            assert all(0 <= a.start < a.end <= len(doc.text) for a in anns if a.kind == "entity")


def test_several_answers_on_one_text_make_one_document(tmp_path):
    """Prodigy asks about one text several times (ner.teach) and several annotators answer:
    one document, one layer per annotator, repeated spans once."""
    one = {"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "ORG"}
    two = {"start": 12, "end": 20, "token_start": 2, "token_end": 3, "label": "PERSON"}
    f = write(
        tmp_path / "teach.jsonl",
        [
            record(spans=[one], answer="reject"),
            record(spans=[one]),
            record(spans=[two, one]),
            record(spans=[two], _annotator_id="news-bob"),
        ],
    )
    project = Project(tmp_path / "p.annotator", create=True)
    try:
        report = import_paths(project, [f], add_labels=True)
        assert report.ok and report.documents == 1, report.errors
        [doc_id] = project.document_ids()
        text = project.document_text(doc_id)
        got = sorted((a.annotator, text[a.start : a.end]) for a in project.annotations(doc_id))
        assert got == [("news-alice", "Apple"), ("news-alice", "Tim Cook"), ("news-bob", "Tim Cook")]
        # nothing of the records that joined the document is lost: the accept after the reject, bob's answer
        more = project.get_document(doc_id).metadata["more_records"]
        assert [m["line"] for m in more] == [2, 3, 4] and more[2]["_annotator_id"] == "news-bob"
        assert project.get_document(doc_id).metadata["answer"] == "reject"
        again = import_paths(project, [f])
        assert len(project.annotations(doc_id)) == 3 and again.annotations == 0
    finally:
        project.close()
