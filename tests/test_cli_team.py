"""annotator assign / reassign / collect / progress (issue 18)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.commands import AddAnnotations, SetStatus, apply
from annotator.core.models import DocStatus, Document, entity
from annotator.core.store import Project

TEXTS = [
    "Apple hired Tim Cook in Cupertino last year, the company said.",
    "China granted licences to Indian firms on Thursday.",
    "Nothing happened in Oslo.",
    "The minister met the delegation in Paris on Monday morning.",
]


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def lead(tmp_path) -> Path:
    path = tmp_path / "lead.annotator"
    with Project(path, create=True) as p:
        p.insert_documents([(Document(id=f"d{i}", text=t, title=f"doc {i}"), []) for i, t in enumerate(TEXTS)])
    return path


def digest(path: Path) -> list:
    conn = sqlite3.connect(path)
    try:
        return [
            conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("annotations", "documents", "team_packages", "team_assignments", "team_collected", "team_history")
        ]
    finally:
        conn.close()


def work(path: Path, phrase: str, label: str, done: bool = False) -> None:
    with Project(path) as pkg:
        who = pkg.package_annotator()
        doc_id = pkg.document_ids()[0]
        s = pkg.document_text(doc_id).index(phrase) if phrase in pkg.document_text(doc_id) else 0
        apply(pkg, AddAnnotations(doc_id, who, [entity(doc_id, s, s + 3, label, who)]))
        if done:
            apply(pkg, SetStatus(doc_id, who, DocStatus.DONE))


def test_assign_collect_progress_round_trip(lead, tmp_path):
    out = tmp_path / "packages"
    dry = run("assign", lead, "--annotators", "alice,bob", "--overlap", "50", "--seed", "4", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "alice: " in dry.output and "2 documents to several annotators" in dry.output
    assert not out.exists()
    r = run("assign", lead, "--annotators", "alice,bob", "--overlap", "50", "--seed", "4", "--out", out)
    assert r.exit_code == 0, r.output
    packages = sorted(out.glob("*.annotator"))
    assert len(packages) == 2
    assert all(str(p) in r.output for p in packages)
    # the same split as the dry run
    assert dry.output.splitlines()[:3] == r.output.splitlines()[:3]
    assert dry.output.splitlines()[0].startswith("alice: ") and dry.output.splitlines()[1].startswith("bob: ")
    for p in packages:
        with Project(p) as pkg:
            who = pkg.package_annotator()
        work(p, "the", "ORG" if who == "alice" else "GPE", done=True)
    r = run("collect", lead, *packages)
    assert r.exit_code == 0, r.output
    assert r.output.count("1 added") == 2
    again = run("collect", lead, *packages)
    assert again.exit_code == 0 and again.output.count("nothing new since the last collect") == 2
    r = run("progress", lead)
    assert r.exit_code == 0, r.output
    assert "alice" in r.output and "bob" in r.output and "nobody has 0" in r.output
    data = json.loads(run("progress", lead, "--json").output)
    rows = {a["annotator"]: a for a in data["annotators"]}
    assert rows["alice"]["done"] == 1 and rows["bob"]["done"] == 1
    assert sum(a["assigned"] for a in data["annotators"]) == 6  # 4 documents, 2 of them twice
    assert sorted((p["annotator"], p["documents"], bool(p["last_collected"])) for p in data["packages"]) == [
        ("alice", 3, True),
        ("bob", 3, True),
    ]
    assert "packages (who has what):" in r.output and "last collected" in r.output


def test_collect_refuses_foreign_and_tampered_exit_1_project_unchanged(lead, tmp_path):
    r = run("assign", lead, "--annotators", "alice", "--out", tmp_path / "p")
    assert r.exit_code == 0, r.output
    [pkg] = list((tmp_path / "p").glob("*.annotator"))
    work(pkg, "the", "ORG")
    tampered = tmp_path / "tampered.annotator"
    shutil.copy(pkg, tampered)
    conn = sqlite3.connect(tampered)
    with conn:
        conn.execute("UPDATE meta SET value = replace(value, '\"alice\"', '\"eve\"') WHERE key = 'team_package'")
    conn.close()
    other = tmp_path / "other.annotator"
    with Project(other, create=True) as p:
        p.insert_documents([(Document(text="Another corpus."), [])])
    assert run("assign", other, "--annotators", "alice", "--out", tmp_path / "q").exit_code == 0
    [foreign] = list((tmp_path / "q").glob("*.annotator"))
    before = digest(lead)
    r = run("collect", lead, tampered, foreign, tmp_path / "notes.txt")
    assert r.exit_code == 1
    assert "tampered.annotator: refused: its hand-out record was changed" in r.output
    assert "refused: handed out from another project" in r.output
    assert "notes.txt: refused: no such file" in r.output
    assert "Traceback" not in r.output
    assert digest(lead) == before
    r = run("collect", lead, tampered, pkg)
    assert r.exit_code == 1 and "1 added" in r.output


def test_reassign_and_assign_from(lead, tmp_path):
    assert run("assign", lead, "--annotators", "alice,bob", "--out", tmp_path / "p").exit_code == 0
    r = run("reassign", lead, "bob", "--out", tmp_path / "p")
    assert r.exit_code == 0, r.output
    assert "of bob's unfinished documents withdrawn" in r.output and "alice:" in r.output
    r = run("assign", lead, "--from", "bob", "--out", tmp_path / "p")
    assert r.exit_code == 1 and "'bob' has no documents handed out" in r.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--out", "x"], "--annotators is required"),
        (["--annotators", "a,b"], "--out is required"),
        (["--annotators", "a,a", "--out", "x"], "named twice"),
        (["--annotators", "a,b", "--overlap", "150", "--out", "x"], "0 to 100"),
        (["--annotators", "a,b", "--documents", "nosuchfile", "--out", "x"], "neither a status"),
    ],
)
def test_assign_bad_arguments(lead, tmp_path, args, message):
    before = digest(lead)
    r = run("assign", lead, *args)
    assert r.exit_code != 0 and message in r.output and "Traceback" not in r.output
    assert digest(lead) == before


def test_missing_project(tmp_path):
    for cmd in (
        ["assign", tmp_path / "no.annotator", "--annotators", "a", "--out", tmp_path],
        ["progress", tmp_path / "no.annotator"],
    ):
        r = run(*cmd)
        assert r.exit_code == 1 and "no such project file" in r.output


def test_assign_documents_from_a_file_and_per_annotator(lead, tmp_path):
    ids = tmp_path / "batch.txt"
    ids.write_text("d1\nd2\nd3\n")
    r = run("assign", lead, "--annotators", "a,b", "--documents", ids, "--per-annotator", "1", "--out", tmp_path / "p")
    assert r.exit_code == 0, r.output
    assert "1 document left for later (--per-annotator 1)" in r.output
    with Project(lead) as p:
        assert {a.doc_id for a in p.assignments()} <= {"d1", "d2", "d3"}
        assert len(p.assignments()) == 2
    ids.write_text("d1\nnope\n")
    r = run("assign", lead, "--annotators", "a", "--documents", ids, "--out", tmp_path / "p")
    assert r.exit_code == 1 and "batch.txt:2: no document with id or external id 'nope'" in r.output
