"""Crash safety: SIGKILL at random and at exact moments loses nothing committed
and never leaves an action half applied. The long run is tests/stress."""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path

import crashharness as H
import pytest

from annotator.core.store import NotAProjectError, Project


def test_short_campaign_of_random_kills(tmp_path: Path) -> None:
    report = H.run_campaign(tmp_path, kills=5, seed=7, max_delay=0.4)
    assert report.kills == 5
    assert report.actions > 0, "the children did nothing before being killed"
    assert report.lost == 0


def _baseline(tmp_path: Path) -> tuple[Path, H.Snapshot]:
    project = tmp_path / "p.annotator"
    H.new_project(project, seed=3)
    return project, H.snapshot(project)


def test_kill_inside_an_import_transaction_leaves_it_absent(tmp_path: Path) -> None:
    project, before = _baseline(tmp_path)
    log = tmp_path / "log.jsonl"
    assert H.run_child(project, log, 11, "--force", "import", "--die", "import") == -signal.SIGKILL
    entries = H.read_log(log)
    assert entries[-1]["t"] == "intent" and entries[-1]["op"] == "import"
    report = H.Report()
    after = H.verify(project, before, entries, report)
    assert report.in_flight_absent == 1 and report.in_flight_committed == 0
    assert after.statuses == before.statuses  # no document of the batch
    assert after.annotations == before.annotations


def test_import_of_files_killed_in_the_second_file(tmp_path: Path) -> None:
    """import_paths on a folder of native files, killed inside the second file's
    transaction: the first file is wholly there, the others wholly absent."""
    project, before = _baseline(tmp_path)
    log = tmp_path / "log.jsonl"
    assert H.run_child(project, log, 14, "--force", "files", "--die", "import-2") == -signal.SIGKILL
    entries = H.read_log(log)
    intent = entries[-1]
    assert intent["op"] == "import-files" and len(intent["seeds"]) >= 2
    report = H.Report()
    after = H.verify(project, before, entries, report)
    first = {doc.id for doc, _ in H.import_batch(intent["seeds"][0])}
    later = {doc.id for s in intent["seeds"][1:] for doc, _ in H.import_batch(s)}
    assert first <= set(after.statuses) and not later & set(after.statuses)
    assert report.imports == 1


@pytest.mark.parametrize("die", ["merge", "after-commit"])
def test_merge_killed(tmp_path: Path, die: str) -> None:
    """A merge of a colleague's native export, killed inside its transaction (all
    absent) or right after its commit (all there)."""
    project, before = _baseline(tmp_path)
    log = tmp_path / "log.jsonl"
    assert H.run_child(project, log, 15, "--force", "merge", "--die", die) == -signal.SIGKILL
    entries = H.read_log(log)
    report = H.Report()
    after = H.verify(project, before, entries, report)
    docs = {doc.id for doc, _ in H.import_batch(entries[-1]["seeds"][0])}
    present = docs & set(after.statuses)
    assert present == (docs if die == "after-commit" else set())


def test_kill_inside_a_command_transaction_leaves_it_absent(tmp_path: Path) -> None:
    project, before = _baseline(tmp_path)
    log = tmp_path / "log.jsonl"
    assert H.run_child(project, log, 12, "--force", "command", "--die", "do") == -signal.SIGKILL
    report = H.Report()
    after = H.verify(project, before, H.read_log(log), report)
    assert report.in_flight_absent == 1
    assert after.annotations == before.annotations


@pytest.mark.parametrize("force", ["import", "command"])
def test_kill_after_commit_before_the_log_keeps_the_action(tmp_path: Path, force: str) -> None:
    project, before = _baseline(tmp_path)
    log = tmp_path / "log.jsonl"
    assert H.run_child(project, log, 13, "--force", force, "--die", "after-commit") == -signal.SIGKILL
    report = H.Report()
    after = H.verify(project, before, H.read_log(log), report)
    assert report.in_flight_committed == 1
    assert after.annotations != before.annotations or after.statuses != before.statuses


# -- the checker itself must be able to fail ------------------------------------
@pytest.fixture(scope="module")
def _one_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, H.Snapshot, list[dict]]:
    folder = tmp_path_factory.mktemp("run")
    project, before = _baseline(folder)
    log = folder / "log.jsonl"
    assert H.run_child(project, log, 21, "--steps", "60") == 0
    entries = H.read_log(log)
    assert sum(e["t"] == "done" for e in entries) == 60
    return project, before, entries


@pytest.fixture
def finished_run(_one_run, tmp_path: Path) -> tuple[Path, H.Snapshot, list[dict]]:
    """A child's 60 committed actions, on a copy each test may damage."""
    project, before, entries = _one_run
    copy = tmp_path / project.name
    H.copy_project(project, copy)
    return copy, before, entries


def test_short_campaign_through_the_gui(tmp_path: Path) -> None:
    """The same, with the child annotating through the real main window:
    key presses on selections, Delete, relabelling, boundary nudges, arguments
    made with a new entity, Ctrl+Z/Ctrl+Y, Ctrl+D."""
    pytest.importorskip("annotator.ui.main_window")
    report = H.run_campaign(tmp_path, kills=2, seed=9, mode="gui", max_delay=2.5)
    assert report.kills == 2 and report.actions > 0 and report.lost == 0


def test_gui_intents_say_how_many_history_rows_each_action_writes(tmp_path: Path) -> None:
    """After a kill, an action in flight is judged by its intent: it must be in
    the project with exactly the rows the intent names, or not at all. So every
    GUI action (undo of an argument made with a new entity, redo of merged
    boundary nudges, ...) must write either nothing or exactly that many rows."""
    pytest.importorskip("annotator.ui.main_window")
    from guidriver import GuiDriver

    class Memory:
        def __init__(self) -> None:
            self.entries: list[dict] = []

        def write(self, **entry) -> None:
            self.entries.append(entry)

    project = tmp_path / "p.annotator"
    H.new_project(project, seed=3)
    log = Memory()
    driver = GuiDriver(project, log, seed=11)
    ops: dict[str, int] = {}
    for _ in range(400):
        driver.step()
        intent, done = log.entries[-2], log.entries[-1]
        assert intent["t"] == "intent" and done["t"] == "done"
        written = len(done["entries"])
        assert written in (0, intent["hist"]), (intent, [e["action"] for e in done["entries"]])
        if written and written > 1:
            ops[intent["op"]] = ops.get(intent["op"], 0) + 1
    driver.window.close()
    driver.project.close()
    assert ops.get("argument-with-new-entity") and (ops.get("undo") or ops.get("redo")), ops


def test_verify_accepts_a_clean_run(finished_run) -> None:
    project, before, entries = finished_run
    report = H.Report()
    H.verify(project, before, entries, report)
    assert report.actions == 60


def test_verify_detects_a_lost_action(finished_run) -> None:
    project, before, entries = finished_run
    with sqlite3.connect(project) as c:  # the last committed action vanishes
        c.execute("DELETE FROM history WHERE seq = (SELECT max(seq) FROM history)")
    with pytest.raises(H.HarnessFailure, match="LOST|differ"):
        H.verify(project, before, entries, H.Report())


def test_verify_detects_an_event_without_its_arguments(finished_run) -> None:
    project, before, entries = finished_run
    with sqlite3.connect(project) as c:
        rows = c.execute("SELECT arguments FROM annotations WHERE kind = 'event' AND arguments != '[]'").fetchall()
        assert rows, "the run made no event with arguments"
        target = json.loads(rows[0][0])[0]["target"]
        c.execute("DELETE FROM annotations WHERE id = ?", (target,))
    with pytest.raises(H.HarnessFailure, match="differ|points at"):
        H.verify(project, before, entries, H.Report())


def test_verify_detects_a_half_import(finished_run, tmp_path: Path) -> None:
    project, before, entries = finished_run
    seed = 999
    entries = entries + [{"t": "intent", "i": 10_000, "op": "import", "hist": 1, "seed": seed}]
    docs = H.import_batch(seed)
    with Project(project) as p:  # the import lands, but one document loses its last span
        doc, anns = docs[0]
        p.insert_documents([(doc, anns[:-1] if anns else anns), *docs[1:]], actor=H.ACTOR)
        if not anns:
            p.conn.execute("UPDATE documents SET status = 'done' WHERE id = ?", (doc.id,))
            p.conn.commit()
    with pytest.raises(H.HarnessFailure, match="differ"):
        H.verify(project, before, entries, H.Report())


def test_verify_detects_half_of_a_macro(finished_run) -> None:
    project, before, entries = finished_run
    entries = entries + [{"t": "intent", "i": 10_000, "op": "Macro", "hist": 3}]
    with sqlite3.connect(project) as c:  # one part of three stored
        c.execute(
            "INSERT INTO history (time, actor, doc_id, action, detail) VALUES "
            "('t', ?, 'doc-0', 'do:AddAnnotations', '{\"rows\": {}, \"status\": null}')",
            (H.ACTOR,),
        )
    with pytest.raises(H.HarnessFailure, match="HALF APPLIED"):
        H.verify(project, before, entries, H.Report())


def test_verify_detects_a_damaged_file(finished_run) -> None:
    project, before, entries = finished_run
    with sqlite3.connect(project) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(project.read_bytes())
    for off in range(4096 * 2, len(data) - 4096, 4096):  # scribble over every page's header but the first two
        data[off : off + 8] = b"\xff" * 8
    project.write_bytes(bytes(data))
    with pytest.raises((H.HarnessFailure, NotAProjectError, sqlite3.DatabaseError)):
        H.verify(project, before, entries, H.Report())
