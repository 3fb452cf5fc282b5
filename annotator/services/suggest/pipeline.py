"""Matching a dictionary over a corpus beside storing it (issue 17, speed).

``annotator suggest --using dictionary`` over 10,000 articles spends about as
long finding the suggestions (the dictionary's regular expressions and token
checks, in Python) as storing them (SQLite, one writer).  On a machine with two
cores or more, :func:`~annotator.services.suggest.service.run_suggester` hands
the matching to worker processes (:class:`MatchingWorker`, two of them taking
the batches in turn) while the main process stores the batches before.

- The workers are forked from the main process, so they have the dictionary as
  learned (its compiled expressions) without pickling it.  They never touch the
  project: a worker gets the texts of a batch through a queue and makes the rows
  ready to store (:func:`dictionary_rows`, the same function the main process
  calls when it matches itself).  A first run's rows go into a scratch SQLite
  file of the worker's own (:func:`~annotator.core.store_suggest.write_suggestion_rows`),
  which the main process copies into the project in one statement; a run again
  gets them pickled, as it compares them with the stored ones in Python.  No
  SQL on the project runs in a worker, so the main process's open SQLite
  connection, copied by the fork, is never used in it (SQLite forbids that).
- Used only where forking is safe and pays: Linux, at least two
  usable cores, no other thread running in the process (the CLI and the
  benchmark; the app's window never runs a corpus run) and more than one batch
  to do (:func:`worker_wanted`).  Everywhere else the main process matches
  itself, with the same result.
- Ctrl+C: the workers ignore SIGINT (the terminal sends it to the whole process
  group); the main process gets it, stops, and ends them.  Stopping
  (``cancelled``), an error, or a finished run ends the workers and waits for
  them (no zombie process) and removes their folder.  A worker that raises
  hands its error back (:class:`WorkerError`, naming it); one that dies without
  a word (killed) is noticed within half a second (:meth:`MatchingWorker.result`);
  a worker whose main process died (killed) ends within a second or so and
  removes the folder of files.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from queue import Empty
from typing import Any, NamedTuple

from annotator.core.store_suggest import write_suggestion_rows

__all__ = [
    "BatchRows",
    "MatchingWorker",
    "WorkerError",
    "can_fork",
    "dictionary_rows",
    "usable_cores",
    "worker_processes",
    "worker_wanted",
]

_KIND_LABEL = itemgetter(0, 1)
_ROW_KIND_LABEL = itemgetter(1, 2)
_DETAIL = itemgetter(5)
#: How long :meth:`MatchingWorker.result` waits at a time before checking the worker is alive.
POLL = 0.5


class WorkerError(RuntimeError):
    """The worker process failed; ``str()`` says how (its error, or its exit);
    ``trace``: the worker's traceback of its error, when it raised one."""

    trace: str | None = None


class BatchRows(NamedTuple):
    """What matching one batch of documents gives the store."""

    #: ``(document number, kind, label, start, end, score, run)`` per suggestion,
    #: in document order (what :meth:`Project.refresh_suggestion_rows` takes; other
    #: suggesters': :class:`StoredSuggestion` s for :meth:`Project.replace_suggestions`)
    rows: list[Any]
    #: (kind, label) -> how many suggestions
    by_label: dict[tuple[str, str], int]
    #: (kind, label) -> the ids of the documents that have any
    docs_by_label: dict[tuple[str, str], list[str]]
    #: suggestions left out because their label is not the project's: label -> how many
    unknown: dict[str, int]
    #: the details (JSON texts) the rows use
    details: set[str]
    #: how many rows
    size: int = 0
    #: the file holding the rows instead of ``rows`` (from the worker:
    #: :func:`~annotator.core.store_suggest.write_suggestion_rows`), to be deleted once stored
    file: str | None = None


def dictionary_rows(
    found: Callable[..., list[tuple[Any, ...]]],
    doc_ids: Sequence[str],
    texts: Sequence[str],
    numbers: Sequence[int],
    runs: Mapping[str, int],
    unknown: frozenset[tuple[str, str]] | set[tuple[str, str]],
) -> BatchRows:
    """The rows of a dictionary's suggestions for a batch of documents (ids, texts,
    numbers: ``documents.seq``, in the same order): ``found`` is the dictionary's
    :meth:`~annotator.services.suggest.dictionary.DictionarySuggester.found`,
    ``runs`` the run row of each of its details (all of them, made before),
    ``unknown`` the (kind, label) pairs the project does not have (left out,
    counted).  One tuple per suggestion and no Python loop body per suggestion
    but the tuple's."""
    rows: list[tuple[Any, ...]] = []
    docs_by_label: dict[tuple[str, str], list[str]] = {}
    left_out: Counter[str] = Counter()
    details: set[str] = set()
    for doc_id, text, number in zip(doc_ids, texts, numbers):
        found_rows = found(text, encoded=True)
        if unknown:
            out = [r for r in found_rows if (r[0], r[1]) in unknown]
            if out:
                left_out.update(r[1] for r in out)
                found_rows = [r for r in found_rows if (r[0], r[1]) not in unknown]
        details.update(map(_DETAIL, found_rows))
        rows += [(number, kind, label, s, e, score, runs[detail]) for kind, label, s, e, score, detail in found_rows]
        for pair in set(map(_KIND_LABEL, found_rows)):
            docs_by_label.setdefault(pair, []).append(doc_id)
    return BatchRows(rows, dict(Counter(map(_ROW_KIND_LABEL, rows))), docs_by_label, dict(left_out), details, len(rows))


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked here (what :class:`MatchingWorker` does)."""
    return "fork" in multiprocessing.get_all_start_methods()


def worker_wanted(batches: int) -> bool:
    """Whether a corpus run of ``batches`` batches matches in worker processes:
    more than one batch, Linux (fork), at least two cores, and no other
    thread in this process (forking a process with threads can copy a lock
    held by one of them)."""
    return (
        batches > 1
        and sys.platform.startswith("linux")  # (macOS's system libraries are not safe to fork)
        and can_fork()
        and usable_cores() >= 2
        and threading.active_count() == 1
    )


def worker_processes() -> int:
    """How many worker processes a run starts: two where there are two cores or
    more.  The process storing is busy about as long as one worker matching
    (matching and writing a batch's rows cost about 1.4 times storing them), so
    two workers keep it from waiting; on two cores the three share them."""
    return 2 if usable_cores() >= 2 else 1


def _orphaned(parent: int, folder: str | None) -> None:
    """In a worker: end it at once when its main process died (killed: it can
    leave a message half sent, which the worker would wait for forever), and
    remove the folder of files of rows the main process cannot remove any more."""
    while os.getppid() == parent:
        time.sleep(POLL)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(1)


def _work(
    found: Callable[..., list[tuple[Any, ...]]],
    runs: Mapping[str, int],
    unknown: frozenset[tuple[str, str]],
    folder: str | None,
    number: int,
    tasks: Any,
    results: Any,
) -> None:
    """The worker's loop: a batch ``(doc_ids, texts, numbers)`` in, its
    :class:`BatchRows` out, the rows in a file of ``folder`` when given, else
    with it (``None`` in: stop)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl+C and ends this one
    gc.disable()  # short-lived, and its tuples form no cycles
    threading.Thread(target=_orphaned, args=(os.getppid(), folder), daemon=True).start()
    n = 0
    while True:
        task = tasks.get()
        if task is None:
            return
        try:
            doc_ids, texts, numbers = task
            done = dictionary_rows(found, doc_ids, texts, numbers, runs, unknown)
            if folder is not None:
                n += 1
                path = os.path.join(folder, f"batch-{number}-{n}.sqlite")
                write_suggestion_rows(path, done.rows)
                done = done._replace(rows=[], file=path)
        except BaseException as err:  # handed back to the main process, which raises it
            results.put(("error", f"{type(err).__name__}: {err}", traceback.format_exc()))
            return
        results.put(("rows", done, None))


class _Worker:
    """One worker process and its two queues."""

    def __init__(self, ctx: Any, args: tuple[Any, ...], number: int) -> None:
        # queued with a feeder thread: submitting never waits for the worker (which may be
        # busy handing back the batch before: waiting for each other would block both)
        self.tasks = ctx.Queue()
        self.results = ctx.Queue()
        self.pending = 0
        self.process = ctx.Process(
            target=_work, args=(*args, number, self.tasks, self.results), name=f"annotator-suggest-{number}", daemon=True
        )

    def result(self) -> BatchRows:
        while True:
            try:
                what, value, trace = self.results.get(timeout=POLL)
            except Empty:
                if not self.process.is_alive():
                    code = self.process.exitcode
                    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
                    raise WorkerError(f"the process matching the documents stopped ({how})") from None
                continue
            self.pending -= 1
            if what == "error":
                error = WorkerError(f"matching the documents failed in the worker process: {value}")
                error.trace = trace
                raise error
            return value

    def close(self) -> None:
        process = self.process
        if process.pid is None:  # never started
            return
        if process.is_alive() and self.pending:
            process.terminate()  # stopped midway: its results are not wanted (it may wait to hand them over)
        elif process.is_alive():
            try:
                self.tasks.put(None)
            except (OSError, ValueError):
                pass
            process.join(timeout=1.0)
        if process.is_alive():
            process.terminate()
            process.join(timeout=2.0)
        if process.is_alive():
            process.kill()
        process.join()
        for q in (self.tasks, self.results):
            q.close()
            q.cancel_join_thread()  # what is left in them is not wanted
        process.close()


class MatchingWorker:
    """Worker processes matching batches for the main process, taking batches in
    turn (see the module's documentation); a context manager that ends them on
    leaving.

    :meth:`submit` a batch (it is queued: never blocks), :meth:`result` the
    oldest submitted batch's rows (blocks until they come)."""

    def __init__(
        self,
        found: Callable[..., list[tuple[Any, ...]]],
        runs: Mapping[str, int],
        unknown: frozenset[tuple[str, str]],
        processes: int = 1,
        *,
        files: bool = True,
    ) -> None:
        ctx = multiprocessing.get_context("fork")
        #: the workers' files of rows (private to this user; removed with what is left in it on
        #: closing); without ``files`` the rows come pickled (a run again compares them in Python)
        self.folder = tempfile.mkdtemp(prefix="annotator-suggest-") if files else None
        args = (found, dict(runs), unknown, self.folder)
        self._workers = [_Worker(ctx, args, n) for n in range(max(1, processes))]
        self._submitted = self._received = 0
        for stream in (sys.stdout, sys.stderr):  # else a child flushes a copy of their buffers at its exit
            try:
                stream.flush()
            except (AttributeError, ValueError, OSError):
                pass
        try:
            for worker in self._workers:  # all forked before any queue's feeder thread starts
                worker.process.start()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> MatchingWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pids(self) -> list[int | None]:
        return [w.process.pid for w in self._workers]

    def submit(self, doc_ids: Sequence[str], texts: Sequence[str], numbers: Sequence[int]) -> None:
        worker = self._workers[self._submitted % len(self._workers)]
        worker.tasks.put((list(doc_ids), list(texts), list(numbers)))
        worker.pending += 1
        self._submitted += 1

    def result(self) -> BatchRows:
        """The rows of the oldest batch submitted; :class:`WorkerError` when a
        worker failed or stopped."""
        done = self._workers[self._received % len(self._workers)].result()
        self._received += 1
        return done

    def close(self) -> None:
        """End the workers (asked to, when they have nothing left to hand back;
        else, or when they do not end, terminated, then killed), wait for them
        and remove their folder."""
        for worker in self._workers:
            worker.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
