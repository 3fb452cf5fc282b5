"""A dictionary run over a corpus matched in a worker process while the main
process stores (issue 17, speed; ``annotator.services.suggest.pipeline``): the
same suggestions as matching in-process, a clear message when the worker fails,
stopping and Ctrl+C end it, and no process is left behind."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time

import pytest
from click.testing import CliRunner

from annotator.core.models import Document, entity
from annotator.core.store import Project
from annotator.services.suggest import pipeline, service
from annotator.services.suggest.service import SuggestError, build_dictionary, run_suggester

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="the worker is forked")

WORDS = ["China", "India", "Jaiswal", "Beijing", "Delhi", "the ministry", "Reuters", "Modi"]


def _texts(n: int) -> list[str]:
    out = []
    for i in range(n):
        words = [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(6 + i % 5)]
        out.append(" and ".join(words) + f" met in round {i}. " + " ".join(w.lower() for w in words[:2]) + ".")
    return out


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.annotator"
    with Project(path, create=True) as p:
        texts = _texts(23)
        p.insert_documents([(Document(id=f"d{i:02}", text=t), []) for i, t in enumerate(texts)])
        labels = {"China": "GPE", "India": "GPE", "Jaiswal": "PERSON", "Beijing": "GPE", "Delhi": "GPE", "Reuters": "ORG"}
        anns = []
        for i, text in enumerate(texts[:3]):
            for word, label in labels.items():
                at = text.find(word)
                if at >= 0:
                    anns.append(entity(f"d{i:02}", at, at + len(word), label, "alice"))
        with p.transaction():
            p.put_annotations(anns)
            p.ensure_annotators({"alice"})
    return path


@pytest.fixture(autouse=True)
def scratch(tmp_path, monkeypatch):
    """Where the worker's files of rows go (checked empty after each test)."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    real = pipeline.tempfile.mkdtemp
    monkeypatch.setattr(pipeline.tempfile, "mkdtemp", lambda prefix: real(prefix=prefix, dir=folder))
    yield folder
    assert list(folder.iterdir()) == []


def _stored(p: Project) -> list[tuple]:
    return [(s.id, s.doc_id, s.kind, s.label, s.start, s.end, s.score, s.suggester, str(s.detail)) for s in p.suggestions()]


def _run(path, monkeypatch, *, worker, **kw):
    monkeypatch.setattr(service, "BATCH", 4)  # 23 documents: six batches
    with Project(path) as p:
        summary = run_suggester(p, build_dictionary(p, annotator="alice"), p.document_ids(), worker=worker, **kw)
        return summary, _stored(p), p._q("SELECT count(*) FROM suggestion_runs").fetchone()[0], p.has_suggestions_score_index()


@pytest.mark.parametrize("processes", [1, 2])
def test_the_worker_stores_exactly_what_matching_in_process_stores(corpus, tmp_path, monkeypatch, processes):
    monkeypatch.setattr(service, "worker_processes", lambda: processes)
    other = tmp_path / "other.annotator"
    shutil.copy(corpus, other)
    made = []
    real = pipeline.MatchingWorker.__init__

    def counted(self, *a, **k):
        real(self, *a, **k)
        made.append((len(set(self.pids)), self.folder is not None))

    monkeypatch.setattr(pipeline.MatchingWorker, "__init__", counted)
    here = _run(corpus, monkeypatch, worker=False)
    assert made == []
    there = _run(other, monkeypatch, worker=True)
    assert made == [(processes, True)]  # a first run: the rows come in files
    assert here[0].to_dict() == there[0].to_dict() and here[0].documents == 23
    assert here[1] == there[1] and len(here[1]) == here[0].suggestions > 50
    assert here[2] == there[2] == 1  # one run row: one origin of terms
    assert here[3] and there[3]
    assert multiprocessing.active_children() == []
    # and again over the same corpus: nothing changes either way (the rows come pickled: compared in Python)
    again_here, again_there = _run(corpus, monkeypatch, worker=False), _run(other, monkeypatch, worker=True)
    assert made[-1] == (processes, False)
    assert (again_here[0].rows_deleted, again_here[0].rows_inserted) == (
        again_there[0].rows_deleted,
        again_there[0].rows_inserted,
    )
    assert again_here[0].rows_inserted == 0 and again_here[1] == here[1] and again_there[1] == there[1]
    # after more annotations (Modi is learned, Delhi's score changes): the same changes either way
    for path in (corpus, other):
        with Project(path) as p:
            (doc,) = p.iter_documents(["d04"])
            at, delhi = doc.text.find("Modi"), doc.text.find("Delhi")
            assert at >= 0 and delhi >= 0
            with p.transaction():
                p.put_annotations([entity("d04", at, at + 4, "PERSON", "alice"), entity("d04", delhi, delhi + 5, "LOC", "alice")])
    third_here, third_there = _run(corpus, monkeypatch, worker=False), _run(other, monkeypatch, worker=True)
    assert third_here[0].to_dict() == third_there[0].to_dict()
    assert (third_here[0].rows_deleted, third_here[0].rows_inserted) == (
        third_there[0].rows_deleted,
        third_there[0].rows_inserted,
    )
    assert third_here[0].rows_inserted > 0 and third_here[0].rows_deleted > 0
    assert third_here[1] == third_there[1] != here[1]


def test_a_worker_is_used_only_where_it_pays_and_forking_is_safe(monkeypatch):
    # (this test process may run other tests' threads: as a process with one thread)
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 2)
    assert pipeline.worker_wanted(2)
    assert not pipeline.worker_wanted(1)  # one batch: nothing to overlap
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 1)
    assert not pipeline.worker_wanted(40)  # one core: matching here is as fast
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 2)
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 2)
    assert not pipeline.worker_wanted(40)  # another thread: no fork
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)
    assert pipeline.worker_wanted(40)
    monkeypatch.setattr(pipeline.sys, "platform", "darwin")
    assert not pipeline.worker_wanted(40)  # forking is Linux's only


def test_on_one_core_the_run_matches_in_process(corpus, monkeypatch):
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 1)
    monkeypatch.setattr(pipeline, "MatchingWorker", None)  # would fail if used
    monkeypatch.setattr(service, "MatchingWorker", None)
    summary, stored, _, _ = _run(corpus, monkeypatch, worker=None)
    assert summary.documents == 23 and len(stored) == summary.suggestions > 50


def _failing_in_child(exit_instead: bool = False):
    parent = os.getpid()
    real = pipeline.dictionary_rows

    def rows(found, doc_ids, *rest):
        if os.getpid() != parent and "d08" in doc_ids:  # the third batch, in the worker only
            if exit_instead:
                time.sleep(0.3)  # the batches it did before are handed over (a queue's thread sends them)
                os._exit(3)
            raise ValueError("no match for you")
        return real(found, doc_ids, *rest)

    return rows


@pytest.mark.parametrize("exit_instead", [False, True])
def test_a_failing_worker_gives_a_clear_message_and_keeps_the_batches_before(corpus, monkeypatch, exit_instead):
    monkeypatch.setattr(pipeline, "dictionary_rows", _failing_in_child(exit_instead))
    monkeypatch.setattr(service, "BULK_ROWS", 5)  # stores without the score index after the first batch
    with pytest.raises(SuggestError) as err:
        _run(corpus, monkeypatch, worker=True)
    message = str(err.value)
    if exit_instead:
        assert message.startswith("the process matching the documents stopped (exit status 3)")
    else:
        assert message.startswith("matching the documents failed in the worker process: ValueError: no match for you")
    done = 8
    assert f"the suggestions of the {done} documents done before are stored" in message
    assert multiprocessing.active_children() == []
    with Project(corpus) as p:
        assert p.has_suggestions_score_index()  # built again
        assert p.suggested_document_ids() == {f"d{i:02}" for i in range(done)}
        assert p.integrity_check() == "ok"
        # and the run again finishes it, keeping the rows stored before
        before = _stored(p)
    summary, stored, _, _ = _run(corpus, monkeypatch, worker=False)
    assert summary.documents == 23 and set(before) <= set(stored)


def test_stopping_and_ctrl_c_end_the_worker(corpus, monkeypatch):
    asked = []
    summary, stored, _, has_index = _run(corpus, monkeypatch, worker=True, cancelled=lambda: asked.append(1) or len(asked) > 2)
    assert summary.documents == 8 and {s[1] for s in stored} == {f"d{i:02}" for i in range(8)}
    assert has_index and multiprocessing.active_children() == []

    def interrupt(n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(corpus, monkeypatch, worker=True, progress=interrupt)
    assert multiprocessing.active_children() == []


def test_the_cli_says_when_the_worker_fails(corpus, monkeypatch):
    from annotator.cli import main

    monkeypatch.setattr(pipeline, "dictionary_rows", _failing_in_child())
    monkeypatch.setattr(service, "BATCH", 4)
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 2)
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)  # (whatever threads the test runner has)
    result = CliRunner().invoke(main, ["suggest", str(corpus), "--using", "dictionary", "--documents", "all"])
    assert result.exit_code == 1, result.output
    assert "Error: matching the documents failed in the worker process: ValueError: no match for you" in result.output
    assert "Traceback" not in result.output
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("worker", [False, True])
def test_a_document_deleted_meanwhile_leaves_no_suggestion_without_it(corpus, monkeypatch, worker):
    """The run stores without SQLite's check of each row's document, and checks
    each batch's documents once instead: one deleted by another process after
    its text was read has no rows stored; the checks are on again after the run."""
    real = Project.suggestion_doc_numbers

    def read_then_deleted(self, ids):
        out = real(self, ids)
        ids = list(ids)
        if "d05" in ids and self.path == corpus:
            with Project(corpus) as other, other.transaction():
                other.delete_documents(["d05"])
        return out

    monkeypatch.setattr(Project, "suggestion_doc_numbers", read_then_deleted)
    summary, stored, _, _ = _run(corpus, monkeypatch, worker=worker)
    assert summary.documents == 23
    assert "d05" not in {s[1] for s in stored} and len({s[1] for s in stored}) == 22
    with Project(corpus) as p:
        assert p._q("SELECT count(*) FROM suggestions WHERE doc NOT IN (SELECT seq FROM documents)").fetchone()[0] == 0
        assert p._q("PRAGMA foreign_key_check").fetchall() == []
    # (_run's project is closed: check the setting on a run's own connection)
    with Project(corpus) as p:
        run_suggester(p, build_dictionary(p, annotator="alice"), ["d01"], worker=worker)
        assert p._q("PRAGMA foreign_keys").fetchone()[0] == 1


ORPHAN = """
import sys, time
from annotator.services.suggest.pipeline import MatchingWorker

def found(text, encoded=True):
    time.sleep(0.05)
    return []

worker = MatchingWorker(found, {}, frozenset(), 2)
for i in range(4):
    worker.submit(["d"], ["x" * 2_000_000], [1])  # texts being sent when the process is killed
print(worker.folder, *worker.pids, flush=True)
time.sleep(60)
"""


def test_workers_end_when_the_main_process_is_killed(tmp_path):
    import signal
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True)
    pids: list[str] = []
    try:
        folder, *pids = child.stdout.readline().split()
        assert len(pids) == 2 and os.path.isdir(folder)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()

        def alive(pid: str) -> bool:
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return False
            return True

        deadline = time.monotonic() + 10
        while any(map(alive, pids)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(alive, pids))
        assert not os.path.exists(folder)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for pid in pids:  # (a failing test leaves none behind)
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
