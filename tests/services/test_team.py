"""Team work: hand out packages, collect them safely, see progress (issue 18)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core.commands import AddAnnotations, SetStatus, apply
from annotator.core.migrations import m007_team
from annotator.core.models import DocStatus, Document, entity, event
from annotator.core.store import Project
from annotator.core.store_team import Assignment, Collected
from annotator.services.team import (
    ANNOTATOR_KEY,
    PACKAGE_KEY,
    TeamError,
    assign,
    collect,
    package_annotator,
    plan_assignment,
    reassign,
)
from annotator.services.team_progress import active_seconds, progress

FIXTURE = Path(__file__).parent.parent / "reliability" / "fixtures" / "v1.annotator"


def make_lead(path: Path, lengths: list[int]) -> Project:
    """A lead project with documents of the given lengths (distinct texts)."""
    p = Project(path, create=True)
    docs = []
    for i, n in enumerate(lengths):
        text = (f"Doc{i} Apple hired Tim Cook. " * (n // 10 + 1))[:n]
        docs.append(Document(id=f"d{i}", text=text, title=f"doc {i}"))
    p.insert_documents([(d, []) for d in docs])
    return p


def state(p: Project) -> tuple:
    """Everything collect may change in the lead project (to check that nothing did)."""
    return (
        [tuple(r) for r in p.annotation_rows()],
        sorted((d, p.document_status(d)) for d in p.document_ids()),
        p.team_collected(),
        p.team_history(),
        p.team_conflicts(),
        p.assignments(),
    )


def packages_by_name(infos) -> dict[str, Path]:
    return {i.annotator: i.path for i in infos}


def annotate(path: Path, phrase: str, label: str, doc_index: int = 0, status: DocStatus | None = None) -> str:
    """Work in a package as its annotator would (commands, as the app does)."""
    with Project(path) as pkg:
        who = package_annotator(pkg)
        assert who
        doc_id = pkg.document_ids()[doc_index]
        text = pkg.document_text(doc_id)
        s = text.index(phrase)
        ann = entity(doc_id, s, s + len(phrase), label, who)
        apply(pkg, AddAnnotations(doc_id, who, [ann]))
        if status is not None:
            apply(pkg, SetStatus(doc_id, who, status))
        return doc_id


# ---------------------------------------------------------------------------
# The split
# ---------------------------------------------------------------------------
def test_split_balanced_by_length_by_hand(tmp_path):
    # longest first, each to the one with the least text: 100 -> alice; 60 -> bob;
    # 50 -> bob (60 < 100); 10 -> alice (100 < 110). By count 2/2, by length 110/110.
    lead = make_lead(tmp_path / "lead.annotator", [100, 60, 50, 10])
    plan = plan_assignment(lead, ["alice", "bob"], seed=3)
    assert sorted(plan.documents["alice"]) == ["d0", "d3"]
    assert sorted(plan.documents["bob"]) == ["d1", "d2"]
    assert plan.load == {"alice": 110, "bob": 110}
    assert plan.overlap == set()


def test_split_deterministic_with_overlap(tmp_path):
    lengths = [300, 250, 220, 200, 180, 150, 120, 100, 80, 60]
    lead = make_lead(tmp_path / "lead.annotator", lengths)
    plan = plan_assignment(lead, ["alice", "bob", "carol"], overlap=20, seed=7)
    again = plan_assignment(lead, ["alice", "bob", "carol"], overlap=20, seed=7)
    assert plan.documents == again.documents and plan.overlap == again.overlap
    # 20 % of 10 documents: 2 go to two annotators each, the other 8 to one
    assert len(plan.overlap) == 2
    holders: dict[str, list[str]] = {}
    for name, ids in plan.documents.items():
        for d in ids:
            holders.setdefault(d, []).append(name)
    assert sorted(holders) == [f"d{i}" for i in range(10)]
    assert all(len(holders[d]) == 2 for d in plan.overlap)
    assert all(len(h) == 1 for d, h in holders.items() if d not in plan.overlap)
    assert plan.total == 12
    # balanced by length: no one is more than the longest document ahead of another
    assert max(plan.load.values()) - min(plan.load.values()) <= max(lengths)
    assert sum(plan.load.values()) == sum(lengths) + sum(lengths[int(d[1:])] for d in plan.overlap)
    # another seed picks other overlap documents (for these ids and seeds)
    other = plan_assignment(lead, ["alice", "bob", "carol"], overlap=20, seed=8)
    assert other.overlap != plan.overlap


def test_split_per_annotator_and_k(tmp_path):
    lead = make_lead(tmp_path / "lead.annotator", [50] * 10)
    plan = plan_assignment(lead, ["a", "b", "c"], overlap=50, overlap_annotators=3, per_annotator=2, seed=1)
    # 6 slots: 2 documents, one of them (50 %, rounded half up: 1) to all three: 3 + 1 = 4 <= 6;
    # 3 documents would need round(1.5)=2 shared: 6 + 1 = 7 > 6
    assert plan.total <= 6
    assert all(len(v) <= 2 for v in plan.documents.values())
    assert len(plan.overlap) == 1
    assert sum(len(v) for v in plan.documents.values()) == 4
    assert any("left for later" in n for n in plan.notes)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"annotators": []}, "no annotators"),
        ({"annotators": ["a", "a"]}, "named twice"),
        ({"annotators": ["@gold"]}, "reserved"),
        ({"annotators": ["a", "b"], "overlap": 120}, "0 to 100"),
        ({"annotators": ["a", "b"], "overlap": 10, "overlap_annotators": 3}, "from 2 to the number"),
        ({"annotators": ["a", "b"], "documents": "nowhere.txt"}, "neither a status"),
        ({"annotators": ["a", "b"], "per_annotator": 0}, "at least 1"),
    ],
)
def test_plan_refuses_bad_requests(tmp_path, kwargs, message):
    lead = make_lead(tmp_path / "lead.annotator", [10, 20])
    names = kwargs.pop("annotators")
    with pytest.raises(TeamError, match=message):
        plan_assignment(lead, names, **kwargs)


def test_documents_from_a_file(tmp_path):
    lead = make_lead(tmp_path / "lead.annotator", [10, 20, 30])
    ids = tmp_path / "ids.txt"
    ids.write_text("# first batch\nd2\n\nd0\n")
    plan = plan_assignment(lead, ["a"], documents=ids)
    assert sorted(plan.documents["a"]) == ["d0", "d2"]
    ids.write_text("d2\nmissing\n")
    with pytest.raises(TeamError, match=r"ids.txt:2: no document with id or external id 'missing'"):
        plan_assignment(lead, ["a"], documents=ids)


# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------
def test_packages_hold_documents_schema_and_name(tmp_path):
    lead = make_lead(tmp_path / "lead.annotator", [100, 60, 50, 10])
    plan, infos = assign(lead, ["alice", "bob"], tmp_path / "out", seed=3)
    paths = packages_by_name(infos)
    assert set(paths) == {"alice", "bob"} and all(p.exists() for p in paths.values())
    assert not list((tmp_path / "out").glob("*.tmp"))
    with Project(paths["alice"]) as pkg:
        assert sorted(pkg.document_ids()) == ["d0", "d3"]
        assert package_annotator(pkg) == "alice"
        assert pkg.schema.to_dict() == lead.schema.to_dict()
        assert pkg.document_text("d0") == lead.document_text("d0")
        record = json.loads(pkg.meta_value(PACKAGE_KEY))
        assert record["record"]["annotator"] == "alice"
        assert set(record["record"]["documents"]) == {"d0", "d3"}
        assert pkg.meta_value("team_key") is None  # the key stays with the lead
    held = {(a.annotator, a.doc_id) for a in lead.assignments(active=True)}
    assert held == {("alice", "d0"), ("alice", "d3"), ("bob", "d1"), ("bob", "d2")}
    # assigning again: nothing left
    with pytest.raises(TeamError, match="no documents to hand out"):
        assign(lead, ["alice", "bob"], tmp_path / "out")
    # new documents arrive: only they are handed out
    lead.insert_documents([(Document(id="d9", text="A later article about Oslo."), [])])
    _plan, more = assign(lead, ["alice", "bob"], tmp_path / "out")
    assert [(i.annotator, i.documents) for i in more] == [("alice", 1)]


def test_reassign_moves_unfinished_keeps_work(tmp_path):
    lead = make_lead(tmp_path / "lead.annotator", [100, 90, 80, 70, 60, 50])
    _plan, infos = assign(lead, ["alice", "bob", "carol"], tmp_path / "out", seed=1)
    bob = packages_by_name(infos)["bob"]
    with Project(bob) as pkg:
        bob_docs = pkg.document_ids()
    assert len(bob_docs) == 2
    annotate(bob, "Apple", "ORG", 0, status=DocStatus.DONE)  # finished one
    annotate(bob, "Tim Cook", "PERSON", 1)  # started the other
    assert all(r.ok for r in collect(lead, [bob]))
    plan, new = reassign(lead, "bob", tmp_path / "out", seed=1)
    assert [d for _p, d in plan.withdrawn] == [bob_docs[1]]
    assert sum(i.documents for i in new) == 1
    active = {(a.annotator, a.doc_id) for a in lead.assignments(active=True)}
    assert ("bob", bob_docs[0]) in active and ("bob", bob_docs[1]) not in active
    taker = next(i.annotator for i in new)
    assert (taker, bob_docs[1]) in active
    # bob's annotations stay
    assert {a.label for a in lead.annotations(bob_docs[1], annotator="bob")} == {"PERSON"}
    with pytest.raises(TeamError, match="has no documents handed out"):
        reassign(lead, "dave", tmp_path / "out")


# ---------------------------------------------------------------------------
# Collect
# ---------------------------------------------------------------------------
@pytest.fixture
def handed_out(tmp_path):
    lead = make_lead(tmp_path / "lead.annotator", [100, 60, 50, 10])
    _plan, infos = assign(lead, ["alice", "bob"], tmp_path / "out", seed=3)
    yield lead, packages_by_name(infos)
    lead.close()


def test_collect_brings_work_and_is_idempotent(handed_out):
    lead, paths = handed_out
    doc = annotate(paths["alice"], "Apple", "ORG", 0, status=DocStatus.DONE)
    [r] = collect(lead, [paths["alice"]])
    assert r.ok and r.annotations_added == 1 and r.documents_changed == 1
    assert [a.label for a in lead.annotations(doc, annotator="alice")] == ["ORG"]
    assert lead.document_status(doc) == DocStatus.DONE
    before = state(lead)
    [again] = collect(lead, [paths["alice"]])
    assert again.ok and (again.annotations_added, again.annotations_updated, again.documents_changed) == (0, 0, 0)
    assert "nothing new" in again.summary()
    assert [tuple(r) for r in lead.annotation_rows()] == before[0]
    # more work: only it comes in
    annotate(paths["alice"], "Tim Cook", "PERSON", 0)
    [third] = collect(lead, [paths["alice"]])
    assert (third.annotations_added, third.documents_changed) == (1, 1)
    assert len(lead.annotations(doc, annotator="alice")) == 2
    assert third.history_added >= 1
    marks = [(r[5], r[6]) for r in lead.team_history() if r[3] == "alice"]
    assert ("do:SetStatus", "done") in marks and ("do:AddAnnotations", None) in marks


def _tamper(path: Path, sql: str, params=()) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql, params)
    conn.close()


def test_collect_refuses_bad_packages_and_takes_the_rest(handed_out, tmp_path):
    lead, paths = handed_out
    annotate(paths["alice"], "Apple", "ORG", 0)
    annotate(paths["bob"], "Tim Cook", "PERSON", 0)
    # a package of another lead project
    other = make_lead(tmp_path / "other.annotator", [100, 60])
    _p, foreign = assign(other, ["alice"], tmp_path / "foreign")
    other.close()
    annotate(foreign[0].path, "Apple", "ORG", 0)
    # a changed text (and its checksum, so the file itself is consistent)
    changed = tmp_path / "changed.annotator"
    shutil.copy(paths["bob"], changed)
    import hashlib

    new_text = "Something else entirely."
    _tamper(
        changed,
        "UPDATE documents SET text = ?, sha256 = ? WHERE seq = 1",
        (new_text, hashlib.sha256(new_text.encode()).hexdigest()),
    )
    # a forged hand-out record (one document's checksum changed back to match, signature kept)
    forged = tmp_path / "forged.annotator"
    shutil.copy(paths["bob"], forged)
    conn = sqlite3.connect(forged)
    raw = json.loads(conn.execute("SELECT value FROM meta WHERE key = ?", (PACKAGE_KEY,)).fetchone()[0])
    conn.close()
    raw["record"]["annotator"] = "mallory"
    _tamper(forged, "UPDATE meta SET value = ? WHERE key = ?", (json.dumps(raw), PACKAGE_KEY))
    # a plain project, a text file
    plain = Project(tmp_path / "plain.annotator", create=True)
    plain.close()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    before = state(lead)
    reports = collect(lead, [foreign[0].path, changed, forged, plain.path, text, tmp_path / "missing.annotator"])
    assert all(not r.ok for r in reports)
    assert "another project" in reports[0].refused
    assert "text of document" in reports[1].refused and "changed" in reports[1].refused
    assert "signature does not match" in reports[2].refused
    assert "not a package" in reports[3].refused and "annotator merge" in reports[3].refused
    assert "not a package" in reports[4].refused
    assert "no such file" in reports[5].refused
    assert state(lead) == before  # the lead project is exactly as it was
    # the good ones in the same call still come in
    reports = collect(lead, [forged, paths["alice"], paths["bob"]])
    assert [r.ok for r in reports] == [False, True, True]
    assert {a.annotator for a in lead.iter_all_annotations()} == {"alice", "bob"}


def test_collect_is_all_or_nothing_per_package(handed_out, monkeypatch):
    lead, paths = handed_out
    annotate(paths["alice"], "Apple", "ORG", 0)
    annotate(paths["bob"], "Tim Cook", "PERSON", 0)
    calls = []
    real = Project.add_team_history

    def failing(self, package_id, rows):
        calls.append(package_id)
        if len(calls) == 1:  # the first package fails at its last step
            from annotator.core.errors import ProjectError

            raise ProjectError("disk full (simulated)")
        return real(self, package_id, rows)

    monkeypatch.setattr(Project, "add_team_history", failing)
    first, second = collect(lead, [paths["alice"], paths["bob"]])
    assert not first.ok and "disk full" in first.refused and "nothing of it" in first.refused
    assert second.ok
    assert {a.annotator for a in lead.iter_all_annotations()} == {"bob"}
    assert {c.package_id for c in lead.team_collected()} == {second.package_id}


def test_conflict_two_packages_same_document_both_kept(tmp_path):
    lead = make_lead(tmp_path / "lead.annotator", [100])
    _p, [first] = assign(lead, ["alice"], tmp_path / "out")
    _p, [to_bob] = reassign(lead, "alice", tmp_path / "out", ["bob"])
    _p, [second] = reassign(lead, "bob", tmp_path / "out", ["alice"])
    assert first.path != second.path
    annotate(first.path, "Apple", "ORG", 0)
    annotate(second.path, "Tim Cook", "PERSON", 0)
    annotate(to_bob.path, "Apple", "GPE", 0)
    r1, r2, r3 = collect(lead, [first.path, to_bob.path, second.path])
    assert r1.ok and not r1.conflicts
    assert r2.ok and len(r2.conflicts) == 1 and "alice" in r2.conflicts[0]
    assert r3.ok and len(r3.conflicts) == 2
    layer = f"alice@{second.package_id[:8]}"
    layers = {(a.annotator, a.label) for a in lead.iter_all_annotations()}
    assert layers == {("alice", "ORG"), ("bob", "GPE"), (layer, "PERSON")}
    # collecting all again: the same, nothing duplicated, no new conflict records
    conflicts = lead.team_conflicts()
    again = collect(lead, [second.path, first.path, to_bob.path])
    assert all(r.ok and r.annotations_added == 0 and r.annotations_updated == 0 for r in again)
    assert not any(r.conflicts for r in again)  # reported once, when found
    assert {(a.annotator, a.label) for a in lead.iter_all_annotations()} == layers
    assert lead.team_conflicts() == conflicts


def test_overlap_documents_are_not_conflicts(tmp_path):
    lead = make_lead(tmp_path / "lead.annotator", [100, 80])
    _plan, infos = assign(lead, ["alice", "bob"], tmp_path / "out", overlap=100)
    paths = packages_by_name(infos)
    annotate(paths["alice"], "Apple", "ORG", 0)
    annotate(paths["bob"], "Apple", "ORG", 0)
    reports = collect(lead, [paths["alice"], paths["bob"]])
    assert all(r.ok and not r.conflicts for r in reports)


# ---------------------------------------------------------------------------
# Progress, figures by hand
# ---------------------------------------------------------------------------
def test_active_seconds_caps_gaps():
    times = ["2026-12-01T10:00:00+00:00", "2026-12-01T10:01:00+00:00", "2026-12-01T10:02:30+00:00", "2026-12-01T10:20:00+00:00"]
    # 0 (first), 60, 90, 17.5 min capped at 5 min = 300
    assert [g for _t, g in active_seconds(times)] == [0, 60, 90, 300]


def test_progress_figures_by_hand(tmp_path):
    lead = make_lead(tmp_path / "lead.annotator", [40, 40, 40, 40, 40])
    text0 = lead.document_text("d0")  # "Doc0 Apple hired Tim Cook. Doc0 Apple hi"
    t = "2026-12-01T09:00:00+00:00"
    with lead.transaction():
        lead.add_team_package("pa", "alice", t, "a.annotator", "{}")
        lead.add_team_package("pb", "bob", t, "b.annotator", "{}")
        lead.add_assignments(
            [
                Assignment("pa", "d0", "alice", True, True, t, None),
                Assignment("pa", "d1", "alice", False, True, t, None),
                Assignment("pa", "d2", "alice", False, True, t, None),
                Assignment("pb", "d0", "bob", True, True, t, None),
                Assignment("pb", "d3", "bob", False, True, t, None),
            ]
        )
        lead.put_team_collected(
            [
                Collected("pa", "d0", "done", "x", 2, t),
                Collected("pa", "d1", "in_progress", "x", 0, t),
                Collected("pb", "d0", "new", "x", 1, t),  # annotations but status new: in progress
            ]
        )
        lead.add_team_history(
            "pa",
            [
                (1, "2026-12-01T10:00:00+00:00", "alice", "d0", "do:AddAnnotations", None),
                (2, "2026-12-01T10:01:00+00:00", "alice", "d0", "do:SetStatus", "done"),
                (3, "2026-12-01T10:02:30+00:00", "alice", "d1", "do:AddAnnotations", None),
                (4, "2026-12-02T08:00:00+00:00", "alice", "d1", "do:SetStatus", "in_progress"),
                (5, "2026-12-02T08:00:40+00:00", "team", None, "team_package", None),  # not alice: ignored
            ],
        )
        lead.add_team_history("pb", [(1, "2026-12-01T11:00:00+00:00", "bob", "d0", "do:AddAnnotations", None)])
    s_apple = text0.index("Apple")
    s_tim = text0.index("Tim Cook")
    anns = [
        entity("d0", s_apple, s_apple + 5, "ORG", "alice"),
        entity("d0", s_tim, s_tim + 8, "PERSON", "alice"),
        entity("d0", s_apple, s_apple + 5, "ORG", "bob"),
    ]
    s_hired = text0.index("hired")
    # the same event trigger; alice gives it two participants, bob one (the same as alice's Apple)
    anns.append(event("d0", s_hired, s_hired + 5, "Meeting", "alice", [("Participant", anns[0].id), ("Participant", anns[1].id)]))
    anns.append(event("d0", s_hired, s_hired + 5, "Meeting", "bob", [("Participant", anns[2].id)]))
    anns[0].created = anns[1].created = anns[3].created = "2026-12-01T10:00:00+00:00"
    anns[2].created = anns[4].created = "2026-12-01T11:00:00+00:00"
    with lead.transaction():
        lead.put_annotations(anns)
        lead.ensure_annotators(["alice", "bob"])
    report = progress(lead)
    rows = {r["annotator"]: r for r in report["annotators"]}
    a, b = rows["alice"], rows["bob"]
    assert (a["assigned"], a["done"], a["in_progress"], a["not_started"]) == (3, 1, 1, 1)
    assert (b["assigned"], b["done"], b["in_progress"], b["not_started"]) == (2, 0, 1, 1)
    assert a["annotations"] == {"entity": 2, "event": 1} and b["annotations"] == {"entity": 1, "event": 1}
    # alice: 0 + 60 + 90 + (next day: capped) 300 = 450 s; bob: one entry, 0 s
    assert a["active_seconds"] == 450 and b["active_seconds"] == 0
    assert report["nobody_has"]["count"] == 1 and report["nobody_has"]["documents"][0]["doc_id"] == "d4"
    [pair] = report["agreement"]
    assert (pair["a"], pair["b"], pair["documents"], pair["compared"]) == ("alice", "bob", 1, 1)
    # entities: alice {ORG Apple, PERSON Tim Cook}, bob {ORG Apple}: 1 match, F1 = 2*1/(2+1)
    assert pair["entity_f1"] == pytest.approx(2 / 3)
    # tokens of d0 ("Doc0 Apple hired Tim Cook . Doc0 Apple hi": 9): alice ORG, PERSON x2, O x6;
    # bob ORG, O x8. p_o = 7/9, p_e = (1*1 + 6*8)/81 = 49/81, kappa = (63 - 49) / (81 - 49) = 14/32
    assert pair["token_kappa"] == pytest.approx(14 / 32)
    # arguments: alice 2, bob 1, matching 1 (Participant -> Apple): F1 = 2*1/(2+1)
    assert pair["argument_f1"] == pytest.approx(2 / 3)
    per_day = {(d["day"], d["annotator"]): d for d in report["per_day"]}
    assert per_day[("2026-12-01", "alice")]["annotations"] == 3
    assert per_day[("2026-12-01", "alice")]["active_seconds"] == 150
    assert per_day[("2026-12-02", "alice")]["active_seconds"] == 300
    assert per_day[("2026-12-01", "bob")]["annotations"] == 2
    # done per day: alice marked d0 done on the 1st (done at the last collect); d1 only in progress
    assert per_day[("2026-12-01", "alice")]["done"] == 1 and per_day[("2026-12-02", "alice")]["done"] == 0
    assert per_day[("2026-12-01", "bob")]["done"] == 0
    # slowest: d1 got 90 + 300 s, d0 60 s
    assert [(s["doc_id"], s["active_seconds"]) for s in report["slowest"]] == [("d1", 390), ("d0", 60)]
    assert [m["doc_id"] for m in report["most_disagreed"]] == ["d0"]


# ---------------------------------------------------------------------------
# Migration
# ---------------------------------------------------------------------------
def test_migration_m007_team(tmp_path):
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    conn = sqlite3.connect(path)
    docs_before = conn.execute("SELECT id, text FROM documents ORDER BY seq").fetchall()
    anns_before = conn.execute("SELECT id, label FROM annotations ORDER BY id").fetchall()
    conn.close()
    with Project(path) as p:
        tables = {r[0] for r in p.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"team_packages", "team_assignments", "team_collected", "team_history", "team_conflicts"} <= tables
        applied = {r[0] for r in p.conn.execute("SELECT name FROM _sqlite_migrations")}
        assert m007_team.__name__ in applied
        assert p.conn.execute("SELECT id, text FROM documents ORDER BY seq").fetchall() == docs_before
        assert p.conn.execute("SELECT id, label FROM annotations ORDER BY id").fetchall() == anns_before
    assert (tmp_path / "old.annotator.v1.bak").exists()
    assert ANNOTATOR_KEY == "team_annotator"


def test_collect_leaves_out_documents_added_in_the_package_and_reports(handed_out):
    lead, paths = handed_out
    doc = annotate(paths["alice"], "Apple", "ORG", 0)
    with Project(paths["alice"]) as pkg:
        pkg.insert_documents([(Document(id="extra", text="Imported by alice on her desktop."), [])])
        other = next(d for d in pkg.document_ids() if d not in (doc, "extra"))
        with pkg.transaction():
            pkg.delete_documents([other])
        apply(pkg, AddAnnotations(doc, "alicia", [entity(doc, 0, 4, "ORG", "alicia")]))
    [r] = collect(lead, [paths["alice"]])
    assert r.ok, r.refused
    assert "extra" not in lead.document_ids()
    assert any("not handed out in this package" in p for p in r.problems)
    assert any("missing from the package" in p for p in r.problems)
    assert any("by 'alicia', not 'alice'" in p for p in r.problems)
    assert {a.annotator for a in lead.annotations(doc)} == {"alice", "alicia"}


def test_overlap_is_spread_over_every_pair(tmp_path):
    # 12 documents of one length, 50 %: 6 shared by two of four annotators. Each time the
    # least loaded one and the partner they share fewest documents with: ab, cd, ac, bd, ad, bc.
    lead = make_lead(tmp_path / "lead.annotator", [50] * 12)
    plan = plan_assignment(lead, ["a", "b", "c", "d"], overlap=50, seed=5)
    pairs = sorted(tuple(sorted(n for n, ids in plan.documents.items() if doc in ids)) for doc in plan.overlap)
    assert pairs == [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]
    assert sorted(len(v) for v in plan.documents.values()) == [4, 4, 5, 5]  # 18 = 12 + 6 slots


def test_a_document_deleted_by_the_lead_comes_back_with_the_work(handed_out):
    lead, paths = handed_out
    doc = annotate(paths["bob"], "Apple", "ORG", 0)
    with lead.transaction():
        lead.delete_documents([doc])
    [r] = collect(lead, [paths["bob"]])
    assert r.ok and doc in lead.document_ids()
    assert any("deleted here since the hand-out" in p for p in r.problems)
    assert [a.label for a in lead.annotations(doc)] == ["ORG"]


def test_an_annotation_changed_here_and_in_the_package_is_named(handed_out):
    from annotator.core.commands import UpdateAnnotation

    lead, paths = handed_out
    doc = annotate(paths["alice"], "Apple", "ORG", 0)
    assert collect(lead, [paths["alice"]])[0].ok
    [ann] = lead.annotations(doc, annotator="alice")
    apply(lead, UpdateAnnotation(doc, "lena", ann.id, label="GPE"))  # the lead corrects it
    with Project(paths["alice"]) as pkg:  # and alice changes it too, later
        apply(pkg, UpdateAnnotation(doc, "alice", ann.id, label="PERSON"))
    [r] = collect(lead, [paths["alice"]])
    assert r.ok and len(r.conflicts) == 1
    assert "ORG" not in r.conflicts[0] and "changed here and in the package" in r.conflicts[0]
    assert "(the package's) is kept" in r.conflicts[0]
    assert lead.get_annotation(ann.id).label == "PERSON"
    [again] = collect(lead, [paths["alice"]])
    assert again.ok and not again.conflicts


def test_a_second_copy_of_a_package_worked_on_apart_is_refused(handed_out, tmp_path):
    lead, paths = handed_out
    copy = tmp_path / "copy.annotator"
    shutil.copy(paths["alice"], copy)
    doc = annotate(paths["alice"], "Apple", "ORG", 0)
    annotate(copy, "Tim Cook", "PERSON", 0)
    assert collect(lead, [paths["alice"]])[0].ok
    before = state(lead)
    [r] = collect(lead, [copy])
    assert not r.ok and "another copy of this package was collected before" in r.refused
    assert state(lead) == before
    assert [a.label for a in lead.annotations(doc)] == ["ORG"]  # the first copy's work is not deleted
    # the first copy goes on as usual
    [r] = collect(lead, [paths["alice"]])
    assert r.ok
    # the way the message gives to bring the second copy's work in too: both copies' work is there
    from click.testing import CliRunner

    from annotator.cli import main

    lead.close()
    out = tmp_path / "copy.jsonl"
    assert CliRunner().invoke(main, ["export", str(copy), "-f", "native", "-o", str(out)]).exit_code == 0
    merged = CliRunner().invoke(main, ["merge", str(tmp_path / "lead.annotator"), str(out)])
    assert merged.exit_code == 0, merged.output
    with Project(tmp_path / "lead.annotator") as again:
        assert sorted(a.label for a in again.annotations(doc)) == ["ORG", "PERSON"]


def test_a_damaged_history_detail_does_not_refuse_the_package(handed_out):
    lead, paths = handed_out
    annotate(paths["alice"], "Apple", "ORG", 0, status=DocStatus.DONE)
    _tamper(paths["alice"], "UPDATE history SET detail = 'not json'")
    [r] = collect(lead, [paths["alice"]])
    assert r.ok and r.annotations_added == 1
    assert all(row[6] is None for row in lead.team_history())
