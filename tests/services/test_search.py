"""Corpus search (issue 16): every query kind, offsets on Unicode text, filters,
searching annotations, and the full-text index kept current by every write."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from annotator.core.models import DocStatus, Document, claim, entity, event
from annotator.core.store import Project
from annotator.services import search as S
from annotator.services.importing import import_paths
from annotator.services.merging import merge_paths
from annotator.services.search import AnnotationQuery, DocumentFilter, SearchError, TextQuery, search_annotations, search_text

UNICODE = (
    "😀 The Ministry of Finance met İSTANBUL officials; "  # astral character first: offsets are code points
    "cafe\u0301 owners and the Straße committee (ẞ) said 👨\u200d👩\u200d👧 ministry's budget grew.\n"
    "Second line: MINISTRY of finance, again."
)
PLAIN = "Reuters reported that China granted licences to Indian firms on Thursday."
OTHER = "Nothing happened in Oslo. The ministries were closed."


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = Project(tmp_path / "s.annotator", create=True)
    docs = [
        Document(id="u", text=UNICODE, metadata={"outlet": "Daily", "n": 5}),
        Document(id="p", text=PLAIN, metadata={"outlet": "Wire"}, status=DocStatus.DONE),
        Document(id="o", text=OTHER),
    ]
    p.insert_documents(
        [
            (
                docs[0],
                [
                    entity("u", 6, 25, "ORG", "alice", id="org1"),
                    entity("u", UNICODE.index("İSTANBUL"), UNICODE.index("İSTANBUL") + 8, "LOC", "bob", id="loc1"),
                ],
            ),
            (
                docs[1],
                [
                    entity("p", 0, 7, "ORG", "alice", id="reuters"),
                    entity("p", 22, 27, "GPE", "alice", id="china"),
                    entity("p", 48, 60, "ORG", "alice", id="firms"),
                    event("p", 28, 35, "LicenceGrant", "alice", [("Grantor", "china")], id="ev1"),
                    event("p", 28, 35, "LicenceGrant", "bob", [("Grantor", "china"), ("Grantee", "firms")], id="ev2"),
                    claim("p", 0, 73, "alice", claimant_ref="reuters", id="c1"),
                    claim("p", 22, 73, "bob", claimant_text="Dr. Jaiswal", id="c2"),
                ],
            ),
            (docs[2], []),
        ]
    )
    yield p
    p.close()


def found(project: Project, query: TextQuery, where: DocumentFilter | None = None) -> list[tuple[str, int, int, str]]:
    return [(h.doc_id, h.start, h.end, h.text) for h in search_text(project, query, where)]


def test_hits_are_code_point_offsets_into_the_stored_text(project: Project) -> None:
    hits = list(search_text(project, TextQuery("ministry")))
    assert [(h.doc_id, h.text) for h in hits] == [("u", "Ministry"), ("u", "ministry"), ("u", "MINISTRY")]
    for h in hits:
        assert UNICODE[h.start : h.end] == h.text
        assert UNICODE[: h.start].endswith(h.before) and UNICODE[h.end :].startswith(h.after)
    assert hits[0].start == UNICODE.index("Ministry") == 6  # the emoji counts one
    assert hits[1].start == UNICODE.index("ministry's")  # after a ZWJ family: still code points
    assert "[Ministry]" in hits[0].context() and "\n" not in hits[2].context()


def test_words_are_whole_words_and_all_must_occur(project: Project) -> None:
    at = OTHER.index("ministries")
    assert found(project, TextQuery("ministries")) == [("o", at, at + 10, "ministries")]
    assert found(project, TextQuery("minist")) == []  # not a word of its own
    assert [h[3] for h in found(project, TextQuery("minist*"))] == ["Ministry", "ministry", "MINISTRY", "ministries"]
    both = found(project, TextQuery("finance ministry"))
    assert {h[3] for h in both} == {"Finance", "finance", "Ministry", "ministry", "MINISTRY"}
    assert found(project, TextQuery("ministry Oslo")) == []  # no document holds both


def test_phrase_substring_and_whole_word(project: Project) -> None:
    assert found(project, TextQuery("inistry of Fin", "phrase")) == [
        ("u", 7, 21, "inistry of Fin"),
        ("u", UNICODE.index("INISTRY of fin"), UNICODE.index("INISTRY of fin") + 14, "INISTRY of fin"),
    ]
    assert found(project, TextQuery("inistry of Fin", "phrase", whole_word=True)) == []
    assert [h[3] for h in found(project, TextQuery("ministry of finance", "phrase", whole_word=True))] == [
        "Ministry of Finance",
        "MINISTRY of finance",
    ]


def test_case_sensitive(project: Project) -> None:
    assert found(project, TextQuery("MINISTRY", case_sensitive=True)) == [
        ("u", UNICODE.index("MINISTRY"), UNICODE.index("MINISTRY") + 8, "MINISTRY")
    ]
    assert found(project, TextQuery("Istanbul", case_sensitive=True)) == []


def test_unicode_case_folding_and_combining_marks(project: Project) -> None:
    at = UNICODE.index("İSTANBUL")
    assert found(project, TextQuery("istanbul")) == [("u", at, at + 8, "İSTANBUL")]
    assert found(project, TextQuery("İstanbul")) == [("u", at, at + 8, "İSTANBUL")]
    # one-character folding: ß and ẞ are one letter; "strasse" is not "Straße" (offsets stay exact)
    assert [h[3] for h in found(project, TextQuery("ß", "phrase"))] == ["ß", "ẞ"]
    assert found(project, TextQuery("strasse")) == []
    assert [h[3] for h in found(project, TextQuery("straße"))] == ["Straße"]
    # "café" with a combining accent is one word: "cafe" is not a whole word of it
    assert found(project, TextQuery("cafe")) == []
    cafe = UNICODE.index("cafe\u0301")
    assert found(project, TextQuery("cafe\u0301")) == [("u", cafe, cafe + 5, "cafe\u0301")]
    assert found(project, TextQuery("cafe", "phrase")) == [("u", cafe, cafe + 4, "cafe")]  # substring: the letters are there
    family = "👨\u200d👩\u200d👧"
    f = UNICODE.index(family)
    assert found(project, TextQuery(family, "phrase")) == [("u", f, f + 5, family)]


def test_regex_with_and_without_literals(project: Project) -> None:
    assert found(project, TextQuery(r"Fin\w+", "regex")) == [
        ("u", 18, 25, "Finance"),
        ("u", UNICODE.index("finance"), UNICODE.index("finance") + 7, "finance"),
    ]
    assert found(project, TextQuery(r"Fin\w+", "regex", case_sensitive=True)) == [("u", 18, 25, "Finance")]
    # no literal to narrow by: every document is scanned (in batches)
    assert [h[3] for h in found(project, TextQuery(r"[A-Z][a-z]+day", "regex"))] == ["Thursday"]
    assert [h[3] for h in found(project, TextQuery(r"\bO\w+", "regex", case_sensitive=True))] == ["Oslo"]
    assert [h[3] for h in found(project, TextQuery(r"ministr(y|ies)", "regex", whole_word=True))] == [
        "Ministry",
        "ministry",
        "MINISTRY",
        "ministries",
    ]
    assert [h[3] for h in found(project, TextQuery("😀|👧", "regex"))] == ["😀", "👧"]


def test_regex_scan_pages_through_many_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(S, "BATCH", 3)
    with Project(tmp_path / "many.annotator", create=True) as p:
        p.insert_documents([(Document(id=f"d{i:02d}", text=f"number {i} here"), []) for i in range(10)])
        assert [h.doc_id for h in search_text(p, TextQuery(r"\d+", "regex"))] == [f"d{i:02d}" for i in range(10)]
        assert [h.doc_id for h in search_text(p, TextQuery("here"))] == [f"d{i:02d}" for i in range(10)]
        # a consumer takes what it wants and stops; cancel stops between documents
        assert len(list(itertools.islice(search_text(p, TextQuery("number")), 4))) == 4
        calls = iter(range(100))
        assert [h.doc_id for h in search_text(p, TextQuery("number"), cancel=lambda: next(calls) >= 3)] == ["d00", "d01"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (TextQuery(""), "empty"),
        (TextQuery("   "), "empty"),
        (TextQuery("(unclosed", "regex"), "not a valid regular expression"),
        (TextQuery("a*", "regex"), "matches empty text"),
    ],
)
def test_bad_queries_raise_at_once(project: Project, query: TextQuery, message: str) -> None:
    with pytest.raises(SearchError, match=re.escape(message)):
        search_text(project, query)  # before the first next()


def test_filters(project: Project) -> None:
    q = TextQuery(r"\w+", "regex")
    assert {h[0] for h in found(project, q)} == {"u", "p", "o"}
    assert {h[0] for h in found(project, q, DocumentFilter(status=("done",)))} == {"p"}
    assert {h[0] for h in found(project, q, DocumentFilter(status=("new", "done")))} == {"u", "p", "o"}
    assert {h[0] for h in found(project, q, DocumentFilter(label="ORG"))} == {"u", "p"}
    assert {h[0] for h in found(project, q, DocumentFilter(label="LOC"))} == {"u"}
    assert {h[0] for h in found(project, q, DocumentFilter(label="LOC", annotator="alice"))} == set()
    assert {h[0] for h in found(project, q, DocumentFilter(annotator="bob"))} == {"u", "p"}
    assert {h[0] for h in found(project, q, DocumentFilter(metadata={"outlet": "Wire"}))} == {"p"}
    assert {h[0] for h in found(project, q, DocumentFilter(metadata={"n": "5"}))} == {"u"}
    assert {h[0] for h in found(project, q, DocumentFilter(metadata={"outlet": "Nope"}))} == set()
    assert {h[0] for h in found(project, TextQuery(r"\w+", "regex"), DocumentFilter(label="GPE"))} == {"p"}


def test_annotations_by_label_and_text(project: Project) -> None:
    hits = list(search_annotations(project, AnnotationQuery(label="ORG", contains="Ministry")))
    assert [(h.ann_id, h.text, h.start, h.end) for h in hits] == [("org1", "Ministry of Finance", 6, 25)]
    assert hits[0].text == UNICODE[6:25]
    assert [h.ann_id for h in search_annotations(project, AnnotationQuery(label="ORG"))] == ["org1", "reuters", "firms"]
    assert [h.ann_id for h in search_annotations(project, AnnotationQuery(label="ORG", annotator="bob"))] == []
    assert [
        h.ann_id
        for h in search_annotations(
            project, AnnotationQuery(kind="entity", contains=r"^\w+STANBUL$", regex=True, case_sensitive=True)
        )
    ] == ["loc1"]
    assert [h.ann_id for h in search_annotations(project, AnnotationQuery(label="ORG"), DocumentFilter(status=("done",)))] == [
        "reuters",
        "firms",
    ]


def test_claims_by_claimant(project: Project) -> None:
    assert [(h.ann_id, h.claimant) for h in search_annotations(project, AnnotationQuery(claimant="jaiswal"))] == [
        ("c2", "Dr. Jaiswal")
    ]
    # a claimant given as a reference to an entity: that entity's text
    assert [(h.ann_id, h.claimant) for h in search_annotations(project, AnnotationQuery(claimant="Reuters"))] == [
        ("c1", "Reuters")
    ]
    assert list(search_annotations(project, AnnotationQuery(claimant="Jaiswal", case_sensitive=True, annotator="alice"))) == []


def test_events_missing_a_role(project: Project) -> None:
    hits = list(search_annotations(project, AnnotationQuery(label="LicenceGrant", missing_role="Grantee")))
    assert [(h.ann_id, h.roles, h.text) for h in hits] == [("ev1", ("Grantor",), "granted")]
    assert [h.ann_id for h in search_annotations(project, AnnotationQuery(missing_role="Time"))] == ["ev1", "ev2"]


def test_bad_annotation_queries(project: Project) -> None:
    with pytest.raises(SearchError, match="--contains: not a valid regular expression"):
        search_annotations(project, AnnotationQuery(contains="[", regex=True))
    with pytest.raises(SearchError, match="empty"):
        search_annotations(project, AnnotationQuery(claimant=" "))


# ---------------------------------------------------------------------------
# the index follows every write
# ---------------------------------------------------------------------------
def test_index_current_after_import_and_delete(project: Project, tmp_path: Path) -> None:
    src = tmp_path / "new.jsonl"
    src.write_text('{"text": "Zanzibar signed a treaty."}\n{"text": "Another Zanzibar story."}\n', encoding="utf-8")
    assert found(project, TextQuery("zanzibar")) == []
    import_paths(project, [src])
    hits = found(project, TextQuery("zanzibar"))
    assert [h[3] for h in hits] == ["Zanzibar", "Zanzibar"]
    assert project.search_index_ok()
    with project.transaction():
        project.delete_documents([hits[0][0]])
    assert [h[3] for h in found(project, TextQuery("zanzibar treaty"))] == []
    assert [h[0] for h in found(project, TextQuery("zanzibar"))] == [hits[1][0]]
    with project.transaction():
        project.delete_documents(["p"])
    assert found(project, TextQuery("Reuters")) == []
    assert project.search_index_ok()


def test_index_current_after_a_rolled_back_import(project: Project) -> None:
    with pytest.raises(RuntimeError), project.transaction():
        project.add_documents([(Document(text="Quokka island"), [])])
        raise RuntimeError("cut short")
    assert found(project, TextQuery("quokka")) == []
    assert project.search_index_ok()


def test_index_current_after_merge(tmp_path: Path) -> None:
    colleague = tmp_path / "alice.annotator"
    with Project(colleague, create=True) as p:
        p.insert_documents([(Document(id="k", text="Kathmandu airport reopened."), [entity("k", 0, 9, "GPE", "alice")])])
    review = tmp_path / "review.annotator"
    merge_paths(review, [colleague])
    with Project(review) as p:
        assert [(h.text, h.start, h.end) for h in search_text(p, TextQuery("kathmandu"))] == [("Kathmandu", 0, 9)]
        assert [h.text for h in search_text(p, TextQuery("airport"), DocumentFilter(label="GPE", annotator="alice"))] == [
            "airport"
        ]
        assert p.search_index_ok()


# ---------------------------------------------------------------------------
# the index only rules documents out: never a hit lost to it
# ---------------------------------------------------------------------------
#: Not the dotless ı: Python's case folding makes it an i, the index does not (a
#: documented limit: an "i" in a case-insensitive query does not find "ı").
ALPHABET = "abcAB iİßẞéE\u0301_-'.😀\u200dKkſσςΣµμ1aabb"


def test_the_index_never_loses_a_hit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query finds the same hits with the index as by reading every document."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    path = tmp_path / "prop.annotator"
    texts = st.one_of(  # ASCII text too: literals are found with str.find there
        st.text(alphabet=ALPHABET, min_size=1, max_size=30), st.text(alphabet="abAB -'_.", min_size=1, max_size=30)
    ).filter(lambda t: t.strip() != "")

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        docs=st.lists(texts, min_size=1, max_size=4, unique=True),
        pick=st.integers(0, 3),
        a=st.integers(0, 30),
        b=st.integers(1, 8),
        kind=st.sampled_from(["words", "phrase", "regex"]),
        case=st.booleans(),
        whole=st.booleans(),
        flip=st.booleans(),
    )
    def check(docs: list[str], pick: int, a: int, b: int, kind: str, case: bool, whole: bool, flip: bool) -> None:
        source = docs[pick % len(docs)]
        needle = source[a % len(source) :][:b]
        if flip:
            needle = needle.swapcase() if len(needle.swapcase()) == len(needle) else needle
        if kind == "regex":
            needle = re.escape(needle)
        query = TextQuery(needle, kind, case, whole)  # type: ignore[arg-type]
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        with Project(path, create=True) as p:
            p.insert_documents([(Document(id=f"d{i}", text=t), []) for i, t in enumerate(docs)])
            try:
                with_index = [(h.doc_id, h.start, h.end) for h in search_text(p, query)]
            except SearchError:
                return
            with monkeypatch.context() as m:
                m.setattr(S, "fts_query", lambda *args, **kw: None)
                without = [(h.doc_id, h.start, h.end) for h in search_text(p, query)]
            if kind == "phrase":  # the literal's fast path (str.find) finds what the regex finds
                as_regex = TextQuery(re.escape(needle), "regex", case, whole)
                assert with_index == [(h.doc_id, h.start, h.end) for h in search_text(p, as_regex)], (docs, query)
        assert with_index == without, (docs, query)

    check()


# ---------------------------------------------------------------------------
# catching up: the index of documents stored without it, a slice at a time
# ---------------------------------------------------------------------------
def _unindexed(tmp_path: Path, n: int) -> Project:
    p = Project(tmp_path / "catch.annotator", create=True)
    with p.transaction():
        p.add_documents((Document(id=f"c{i:04d}", text=f"Numbat sighting {i} near the river."), []) for i in range(n))
    assert p.search_pending_documents() == n
    return p


def test_catch_up_sizes_slices_from_the_time_they_take(tmp_path: Path) -> None:
    """The first slice is FIRST_SLICE_DOCS documents; each next one grows with the
    time left in the slice's budget, at most fourfold, and shrinks to one document
    when there is none; progress is reported after every slice."""
    with _unindexed(tmp_path, 1000) as p:
        seen: list[tuple[int, int]] = []
        assert S.catch_up_index(p, progress=lambda done, total: seen.append((done, total)), slice_seconds=1e9) == 0
        first = S.FIRST_SLICE_DOCS
        expected = [first, first * 4, first * 16]
        done = list(itertools.accumulate(expected))
        assert [d for d, _ in seen] == [*done, 1000] and {t for _, t in seen} == {1000}
        assert p.search_index_ok()
    (tmp_path / "catch.annotator").unlink()
    with _unindexed(tmp_path, 40) as p:
        seen.clear()
        S.catch_up_index(p, progress=lambda done, total: seen.append((done, total)), slice_seconds=0)
        assert [d for d, _ in seen] == [S.FIRST_SLICE_DOCS, *range(S.FIRST_SLICE_DOCS + 1, 41)]
        assert p.search_index_ok()


def test_catch_up_stopped_between_slices_loses_nothing(tmp_path: Path) -> None:
    """Each slice is one transaction with its mark: stopped after two slices, the
    project has those indexed, searches are complete, and the next call goes on."""
    with _unindexed(tmp_path, 300) as p:
        slices: list[int] = []
        left = S.catch_up_index(
            p, progress=lambda done, _total: slices.append(done), cancel=lambda: len(slices) >= 2, slice_seconds=1e9
        )
        first = S.FIRST_SLICE_DOCS
        assert slices == [first, first * 5]
        assert left == 300 - first * 5 == p.search_pending_documents()
        assert p.search_indexed_through() == first * 5
        assert len(found(p, TextQuery("numbat"))) == 300
        assert S.catch_up_index(p) == 0
        assert p.search_pending_documents() == 0 and p.search_index_ok()
        assert [h[0] for h in found(p, TextQuery("sighting 7", "phrase", whole_word=True))] == ["c0007"]
