"""Loading knowledge bases and fuzzy candidate search (services/kb.py)."""

from __future__ import annotations

import json

import pytest

from annotator.core.store import Project
from annotator.formats import InputError
from annotator.services.kb import KbError, check_resource_name, delete_kb, kb_candidates, load_kb, normalize_words

KB = (
    "id,name,aliases,description\n"
    "Q148,China,PRC|People's Republic of China,country in East Asia\n"
    "Q668,India,Bharat|Republic of India,country in South Asia\n"
    "Q865,Taiwan,Republic of China|ROC,country in East Asia\n"
    "Q956,Beijing,Peking,capital of China\n"
    "Q1,Zürich,Zurich,city in Switzerland\n"
    "Q2,Randhir Jaiswal,,Indian diplomat\n"
)


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        yield p


@pytest.fixture
def kb_file(tmp_path):
    path = tmp_path / "geo.csv"
    path.write_text(KB, encoding="utf-8")
    return path


def state(p: Project):
    return (p.kb_resources(), [(e.resource, e.id) for e in p.kb_match('"china" OR "india" OR "zurich"')])


def test_load_and_search(project, kb_file):
    calls = []
    report = load_kb(project, kb_file, "geo", actor="alice", progress=lambda done, total, n: calls.append((done, total, n)))
    assert (report.resource, report.entries, report.format, report.replaced) == ("geo", 6, "csv", None)
    assert calls and calls[-1] == (kb_file.stat().st_size, kb_file.stat().st_size, 6)
    [res] = project.kb_resources()
    assert (res.name, res.entries, res.actor) == ("geo", 6, "alice") and res.file.endswith("geo.csv")
    assert [c.id for c in kb_candidates(project, "geo", "China", 3)][0] == "Q148"
    top = kb_candidates(project, None, "Chna", 5)  # a typo
    assert top[0].id == "Q148" and top[0].score > 80
    peking = kb_candidates(project, "geo", "peking", 3)
    assert peking[0].id == "Q956" and peking[0].matched == "Peking"
    assert kb_candidates(project, "geo", "zurich", 1)[0].name == "Zürich"
    assert kb_candidates(project, "geo", "Q668", 1)[0].name == "India"  # the id itself
    jaiswal = kb_candidates(project, "geo", "jaiswal randhir", 1)
    assert jaiswal[0].id == "Q2"
    assert kb_candidates(project, "geo", "  ", 5) == []
    scores = [c.score for c in kb_candidates(project, None, "republic of china", 5)]
    assert scores == sorted(scores, reverse=True)
    assert kb_candidates(project, None, "republic of china", 5)[0].id == "Q865"
    with pytest.raises(KbError, match="no knowledge base named 'nope': the project has geo"):
        kb_candidates(project, "nope", "China", 5)


def test_same_name_is_refused_or_replaced(project, kb_file, tmp_path):
    load_kb(project, kb_file, "geo")
    before = state(project)
    with pytest.raises(KbError, match="exists already"):
        load_kb(project, kb_file, "geo")
    assert state(project) == before
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": "X1", "name": "Xanadu"}) + "\n", encoding="utf-8")
    report = load_kb(project, other, "geo", replace=True)
    assert report.replaced == 6 and report.entries == 1
    assert [c.id for c in kb_candidates(project, "geo", "China", 5)] == []
    assert kb_candidates(project, "geo", "xanadu", 5)[0].id == "X1"
    assert project.kb_index_ok()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("id,name\n1,a\n2,b\n1,c\n", ":4: the id '1' is given twice (first on line 2)"),
        ("id,name\n1,a\n2,\n", ":3: entry '2' has an empty name"),
        ("id,name\n", ": no entries"),
    ],
)
def test_bad_file_changes_nothing(project, kb_file, tmp_path, text, where):
    load_kb(project, kb_file, "geo")
    before = state(project)
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_kb(project, bad, "geo", replace=True)
    assert where in str(info.value)
    assert state(project) == before
    with pytest.raises(InputError):
        load_kb(project, bad, "other")
    assert state(project) == before


def test_duplicate_across_batches_is_found(project, tmp_path, monkeypatch):
    import annotator.services.kb as service

    monkeypatch.setattr(service, "_BATCH", 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n1,a\n2,b\n3,c\n2,d\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv:5: the id '2' is given twice \(first on line 3\)"):
        load_kb(project, bad, "geo")
    assert project.kb_resources() == []


def test_cancel_rolls_back(project, kb_file):
    def cancel(*_args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_kb(project, kb_file, "geo", progress=cancel)
    assert project.kb_resources() == []


def test_names_and_delete(project, kb_file):
    assert check_resource_name(" Wikidata ") == "Wikidata"
    for bad in ("", "a b", "wd:x", "a|b"):
        with pytest.raises(KbError):
            check_resource_name(bad)
    load_kb(project, kb_file, "geo")
    assert delete_kb(project, "geo") == 6
    assert project.kb_resources() == [] and project.kb_index_ok()
    with pytest.raises(KbError, match="none"):
        delete_kb(project, "geo")
    assert normalize_words("Zürich-Nord, 2nd") == ["zurich", "nord", "2nd"]


def test_typing_a_name_and_typos(project, kb_file):
    load_kb(project, kb_file, "geo")
    assert kb_candidates(project, "geo", "Randhir Jai", 1)[0].id == "Q2"  # the last word being typed
    typed = kb_candidates(project, "geo", "Randhir Jai", 1)[0]
    assert typed.score == 95.0 and typed.matched == "Randhir Jaiswal"  # begins with the query
    assert kb_candidates(project, "geo", "Beijng", 1)[0].id == "Q956"  # a letter missing
    assert kb_candidates(project, "geo", "republic of chin", 1)[0].id == "Q865"
    assert kb_candidates(project, "geo", "Taiwan", 1)[0].score == 100.0
