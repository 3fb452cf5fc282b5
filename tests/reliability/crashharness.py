"""Crash harness: annotate in a child process, SIGKILL it at random moments,
reopen the project and prove that nothing committed was lost and nothing was
half applied.

The child (``python crashharness.py child PROJECT LOG SEED MODE``) performs
random actions through :mod:`annotator.core.commands` (``MODE`` = ``core``:
add entity, event with new argument entities in one action, claim, relation,
delete with cascade, update, status, macro, undo, redo; documents inserted by
the store, folders of native files through ``import_paths`` and colleagues'
exports through ``merge_source``) or through the real main window offscreen
(``MODE`` = ``gui``, see :mod:`guidriver`). For every action it appends two
lines to its log, each fsynced:

* ``{"t": "intent", ...}`` *before* the action: what it is about to do (for an
  import or merge: the seeds that regenerate the exact documents);
* ``{"t": "done", ...}`` only *after* the commit returned, with the rows the
  action wrote (the same rows the store records in its history table, in the
  same transaction as the change itself).

The parent (:func:`run_campaign`) kills the child at a random moment, reopens
the project and checks (:func:`verify`):

1. ``PRAGMA integrity_check`` is ``ok`` and ``PRAGMA foreign_key_check`` is empty;
2. every action logged as done is in the project, in order (its history rows
   are there and equal the logged rows);
3. the action in flight at the kill is either wholly present or wholly absent:
   the history holds 0 or exactly the number of rows the intent announced, and
   an import's documents are either all there with every annotation, or none
   (a folder import is one transaction per file: the first k files whole, the
   rest absent);
4. the whole project (every annotation row, every document status) equals the
   state before this child plus the logged actions plus, at most, the one in
   flight: nothing else changed, nothing is half written;
5. references hold: every event argument, claimant and relation end points at an
   annotation of the same document.

Run it by hand for a long campaign:
``python tests/reliability/crashharness.py campaign DIR --kills 200``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIXTURE_V1 = HERE / "fixtures" / "v1.annotator"
ACTOR = "crash-harness"
#: A fixed time stamp for regenerated imports, so parent and child build equal rows.
STAMP = "2024-01-01T00:00:00.000+00:00"

WORDS = (
    "Beijing granted licences to exporters of rare earth magnets on Tuesday , the ministry said ."
    " Tokyo 🇯🇵 and Seoul 👨‍👩‍👧 welcomed the move ; prices fell 6.5 % to $ 2,000 per tonne ."
    " Café owners in São Paulo\u00a0said\u2028nothing\ttoday"
).split(" ")


# ---------------------------------------------------------------------------
# Shared by child and parent
# ---------------------------------------------------------------------------
def make_text(rng: random.Random, words: int) -> str:
    """Random article-like text with emoji, NBSP, U+2028, tabs and newlines."""
    out = []
    for i in range(words):
        out.append(rng.choice(WORDS))
        if i and i % rng.randint(12, 40) == 0:
            out.append("\n\n" if rng.random() < 0.5 else "\n")
    return " ".join(out) + "."


def import_batch(seed: int) -> list[tuple[Any, list[Any]]]:
    """Documents with annotations, regenerated identically from ``seed``.

    Sizes vary: usually small, sometimes a long article with thousands of spans
    (a transaction long enough for kills to land inside it)."""
    from annotator.core.models import Annotation, Document
    from annotator.core.schema import default_schema

    rng = random.Random(seed)
    labels = default_schema().labels("entity")
    batch = []
    for k in range(rng.randint(1, 3)):
        big = rng.random() < 0.2
        text = make_text(rng, rng.randint(2000, 8000) if big else rng.randint(30, 300))
        doc_id = f"imp-{seed}-{k}"
        n = rng.randint(300, 1500) if big else rng.randint(0, 30)
        anns = []
        for j in range(n):
            s = rng.randrange(0, len(text) - 1)
            e = min(len(text), s + rng.randint(1, 25))
            anns.append(
                Annotation(
                    id=f"{doc_id}-a{j}",
                    doc_id=doc_id,
                    kind="entity",
                    label=rng.choice(labels),
                    start=s,
                    end=e,
                    annotator=rng.choice(["alice", "bob", "imported"]),
                    source="imported",
                    created=STAMP,
                    updated=STAMP,
                )
            )
        doc = Document(
            id=doc_id,
            title=f"Imported {seed}/{k}",
            text=text,
            source="harness",
            metadata={"annotations": n},
            created=STAMP,
            updated=STAMP,
        )
        batch.append((doc, anns))
    return batch


def copy_project(src: Path, dst: Path) -> None:
    from annotator.core.store import copy_project as copy

    copy(src, dst)


def write_native(path: Path, batch: list[tuple[Any, list[Any]]]) -> None:
    """``batch`` as a native JSON-lines file (the format that keeps ids and times)."""
    from annotator.formats.native import dumps_native, native_record

    with open(path, "w", encoding="utf-8") as fh:
        for doc, anns in batch:
            fh.write(dumps_native(native_record(doc, anns)) + "\n")


def new_project(path: Path, seed: int = 0, documents: int = 4) -> None:
    """A project to torture: from the format-1 fixture when there is one (so the
    first child may run migrations), plus a few random documents."""
    from annotator.core.models import Document
    from annotator.core.store import Project, copy_project

    if FIXTURE_V1.exists():
        copy_project(FIXTURE_V1, path)
    rng = random.Random(seed)
    with Project(path, create=True) as p:
        docs = [
            (Document(id=f"doc-{i}", title=f"Doc {i}", text=make_text(rng, rng.randint(80, 400))), []) for i in range(documents)
        ]
        p.insert_documents(docs, actor="setup")


# ---------------------------------------------------------------------------
# Child
# ---------------------------------------------------------------------------
class Log:
    """Append-only JSONL log; every line is fsynced before write() returns."""

    def __init__(self, path: Path):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, **entry: Any) -> None:
        data = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        os.write(self.fd, data)
        os.fsync(self.fd)


def _rows(rows: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.model_dump(mode="json") if v is not None else None) for k, v in rows.items()}


def _entries(cmd: Any, undo: bool) -> list[dict[str, Any]]:
    """The history rows a command writes, as the store records them."""
    from annotator.core.commands import Macro

    parts = cmd.commands if isinstance(cmd, Macro) else [cmd]
    if undo:
        parts = list(reversed(parts))
    out = []
    for c in parts:
        rows, status = (c.before, c.status_before) if undo else (c.after, c.status_after)
        out.append(
            {
                "action": f"{'undo' if undo else 'do'}:{type(c).__name__}",
                "doc_id": c.doc_id,
                "rows": _rows(rows),
                "status": str(status) if status else None,
            }
        )
    return out


class CoreDriver:
    """Random annotation work through the core commands."""

    def __init__(self, project_path: Path, log: Log, seed: int):
        from annotator.core.store import Project

        self.rng = random.Random(seed)
        self.seed = seed
        self.log = log
        self.project = Project(project_path)
        self.schema = self.project.schema
        self.undo_stack: list[Any] = []
        self.redo_stack: list[Any] = []
        self.i = 0
        self.force: str | None = None

    # -- helpers ----------------------------------------------------------------
    def doc(self) -> tuple[str, str]:
        ids = self.project.document_ids()
        doc_id = self.rng.choice(ids)
        return doc_id, self.project.document_text(doc_id)

    def span(self, text: str) -> tuple[int, int]:
        s = self.rng.randrange(0, len(text) - 1)
        return s, min(len(text), s + self.rng.randint(1, 30))

    def entity(self, doc_id: str, text: str, label: str | None = None) -> Any:
        from annotator.core.models import entity

        s, e = self.span(text)
        attrs = {}
        if self.rng.random() < 0.05:  # now and then a long transaction
            attrs["note"] = "x" * self.rng.randint(10_000, 200_000)
        return entity(doc_id, s, e, label or self.rng.choice(self.schema.labels("entity")), ACTOR, attributes=attrs)

    # -- actions ------------------------------------------------------------------
    def command(self) -> Any | None:
        from annotator.core import commands as C
        from annotator.core.models import claim, event, relation

        doc_id, text = self.doc()
        anns = self.project.annotations(doc_id, annotator=ACTOR)
        ents = [a for a in anns if a.kind == "entity"]
        r = self.rng.random()
        if r < 0.30:
            return C.AddAnnotations(doc_id, ACTOR, [self.entity(doc_id, text)])
        if r < 0.45:  # an event with new argument entities, one action
            et = self.rng.choice(self.schema.events)
            args, new = [], []
            for role in self.rng.sample(et.roles, self.rng.randint(1, min(3, len(et.roles)))):
                ent = self.entity(doc_id, text, self.rng.choice(role.labels) if role.labels else None)
                new.append(ent)
                args.append((role.name, ent.id))
            s, e = self.span(text)
            return C.AddAnnotations(doc_id, ACTOR, [*new, event(doc_id, s, e, et.name, ACTOR, arguments=args)])
        if r < 0.50:
            s, e = self.span(text)
            attrs = {a.name: self.rng.choice(a.values) for a in self.schema.claim.attributes}
            if ents and self.rng.random() < 0.6:
                return C.AddAnnotations(
                    doc_id, ACTOR, [claim(doc_id, s, e, ACTOR, claimant_ref=self.rng.choice(ents).id, attributes=attrs)]
                )
            return C.AddAnnotations(doc_id, ACTOR, [claim(doc_id, s, e, ACTOR, claimant_text="a spokesman", attributes=attrs)])
        if r < 0.55 and len(ents) >= 2:
            h, t = self.rng.sample(ents, 2)
            return C.AddAnnotations(
                doc_id, ACTOR, [relation(doc_id, h.id, t.id, self.rng.choice(self.schema.labels("relation")), ACTOR)]
            )
        if r < 0.70 and anns:  # delete, cascading to arguments, claimants, relations
            victims = self.rng.sample(anns, self.rng.randint(1, min(3, len(anns))))
            return C.DeleteAnnotations(doc_id, ACTOR, [a.id for a in victims])
        if r < 0.82 and ents:
            target = self.rng.choice(ents)
            if self.rng.random() < 0.5:
                return C.UpdateAnnotation(doc_id, ACTOR, target.id, label=self.rng.choice(self.schema.labels("entity")))
            s, e = self.span(text)
            return C.UpdateAnnotation(doc_id, ACTOR, target.id, start=s, end=e, attributes={"seen": self.i})
        if r < 0.86:
            from annotator.core.models import DocStatus

            return C.SetStatus(doc_id, ACTOR, self.rng.choice(list(DocStatus)))
        if r < 0.90:  # several commands as one undoable action
            parts = [C.AddAnnotations(doc_id, ACTOR, [self.entity(doc_id, text)]) for _ in range(self.rng.randint(2, 4))]
            return C.Macro(doc_id, ACTOR, parts, "add several")
        return C.AddAnnotations(doc_id, ACTOR, [self.entity(doc_id, text)])

    def step(self) -> None:
        from annotator.core import commands as C

        self.i += 1
        r = self.rng.random()
        r = {"import": 0.0, "files": 0.04, "merge": 0.055, "command": 0.99}.get(self.force or "", r)
        base = (self.seed * 100_000 + self.i) * 10  # seeds of this step's documents: base .. base + 9
        if r < 0.03:  # documents with annotations, straight into the store
            batch = import_batch(base)
            self.log.write(t="intent", i=self.i, op="import", hist=1, seeds=[base])
            self.project.insert_documents(batch, actor=ACTOR)
            self.log.write(t="done", i=self.i, op="import", entries=[{"action": "import"}], seeds=[base])
            return
        if r < 0.05:  # a folder of native files through the importer: one transaction per file
            from annotator.services.importing import import_paths

            seeds = [base + k for k in range(1, self.rng.randint(2, 4))]
            folder = self.project.path.parent / f"incoming-{base}"
            folder.mkdir(exist_ok=True)
            for k, s in enumerate(seeds):
                write_native(folder / f"{k:02d}.jsonl", import_batch(s))
            self.log.write(t="intent", i=self.i, op="import-files", hist=len(seeds), seeds=seeds, prefix=True)
            report = import_paths(self.project, [folder])
            if not report.ok or report.documents != sum(len(import_batch(s)) for s in seeds):
                raise RuntimeError(f"harness import failed: {report.summary()} {[str(e) for e in report.errors]}")
            self.log.write(t="done", i=self.i, op="import-files", entries=[{"action": "import"}] * len(seeds), seeds=seeds)
            return
        if r < 0.06:  # a colleague's native export merged in
            from annotator.services.merging import merge_source, read_source

            seeds = [base + 5]
            path = self.project.path.parent / f"merge-{base}.jsonl"
            write_native(path, import_batch(seeds[0]))
            self.log.write(t="intent", i=self.i, op="merge", hist=1, seeds=seeds)
            merge_source(self.project, read_source(path), actor=ACTOR)
            self.log.write(t="done", i=self.i, op="merge", entries=[{"action": "merge"}], seeds=seeds)
            return
        if r < 0.14 and self.undo_stack:
            cmd = self.undo_stack.pop()
            self.log.write(t="intent", i=self.i, op="undo", hist=_count(cmd))
            C.revert(self.project, cmd)
            self.redo_stack.append(cmd)
            self.log.write(t="done", i=self.i, op="undo", entries=_entries(cmd, undo=True))
            return
        if r < 0.19 and self.redo_stack:
            cmd = self.redo_stack.pop()
            self.log.write(t="intent", i=self.i, op="redo", hist=_count(cmd))
            C.apply(self.project, cmd)
            self.undo_stack.append(cmd)
            self.log.write(t="done", i=self.i, op="redo", entries=_entries(cmd, undo=False))
            return
        cmd = self.command()
        self.log.write(t="intent", i=self.i, op=type(cmd).__name__, hist=_count(cmd))
        C.apply(self.project, cmd)
        self.undo_stack.append(cmd)
        self.redo_stack.clear()
        self.log.write(t="done", i=self.i, op=type(cmd).__name__, entries=_entries(cmd, undo=False))


def _count(cmd: Any) -> int:
    from annotator.core.commands import Macro

    return len(cmd.commands) if isinstance(cmd, Macro) else 1


def _die_inside_commit(what: str) -> None:
    """Make the child SIGKILL itself at an exact point: inside the transaction of
    the first ``what`` (``import``, ``merge`` or ``do``; ``import-2``: the second
    import), after its rows were written and before COMMIT; or (``after-commit``)
    right after a commit, before the log."""
    from annotator.core.store import Project

    if what in ("migrate", "version", "backup"):
        _die_while_opening(what)
        return
    if what == "after-commit":
        original_write = Log.write

        def write(self: Log, **entry: Any) -> None:
            if entry.get("t") == "done":
                os.kill(os.getpid(), signal.SIGKILL)
            original_write(self, **entry)

        Log.write = write  # type: ignore[method-assign]
        return
    original_log = Project.log
    action_name, _, nth = what.partition("-")
    seen = [0]

    def log(self: Project, actor: str, doc_id: str | None, action: str, detail: dict | None = None) -> None:
        original_log(self, actor, doc_id, action, detail)
        if action.split(":")[0] == action_name:
            seen[0] += 1
            if seen[0] == int(nth or 1):
                os.kill(os.getpid(), signal.SIGKILL)

    Project.log = log  # type: ignore[method-assign]


def _die_while_opening(what: str) -> None:
    """SIGKILL while an older project is upgraded: ``backup`` once the backup copy
    is written, before it gets its name; ``migrate`` inside the last migration's
    transaction; ``version`` after the migrations, before the format version is set."""
    from sqlite_utils.migrations import Migrations

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    if what == "backup":
        original_replace = os.replace

        def replace(src: Any, dst: Any) -> None:
            if str(dst).endswith(".bak"):
                die()
            original_replace(src, dst)

        os.replace = replace  # type: ignore[assignment]
    elif what == "migrate":
        original_record = Migrations._record_applied

        def record(self: Migrations, db: Any, name: str) -> None:
            original_record(self, db, name)
            if name == self._migrations[-1].name:
                die()

        Migrations._record_applied = record  # type: ignore[method-assign]
    else:
        original_apply = Migrations.apply

        def apply(self: Migrations, db: Any, **kw: Any) -> None:
            original_apply(self, db, **kw)
            die()

        Migrations.apply = apply  # type: ignore[method-assign]


def child_main(
    project: Path,
    log_path: Path,
    seed: int,
    mode: str,
    steps: int | None = None,
    die: str | None = None,
    force: str | None = None,
) -> None:
    if die in ("migrate", "version", "backup"):  # these happen while the project opens
        _die_inside_commit(die)
    log = Log(log_path)
    if mode == "gui":
        from guidriver import GuiDriver  # noqa: PLC0415 (next to this file)

        driver: Any = GuiDriver(project, log, seed)
    else:
        driver = CoreDriver(project, log, seed)
    if force:
        driver.force = force
    log.write(t="ready")
    if die and die not in ("migrate", "version", "backup"):
        _die_inside_commit(die)
    n = 0
    while steps is None or n < steps:
        driver.step()
        n += 1


# ---------------------------------------------------------------------------
# Parent
# ---------------------------------------------------------------------------
@dataclass
class Snapshot:
    annotations: dict[str, dict[str, Any]]
    statuses: dict[str, str]
    history_seq: int


@dataclass
class Report:
    kills: int = 0
    actions: int = 0  #: actions logged as committed, each found in the project
    in_flight_committed: int = 0  #: actions committed but killed before logging
    in_flight_absent: int = 0  #: actions killed before their commit: wholly absent
    imports: int = 0
    lost: int = 0
    children_failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "children_failed"}


class HarnessFailure(AssertionError):
    pass


def snapshot(path: Path) -> Snapshot:
    from annotator.core.store import Project

    with Project(path) as p:
        # stored rows in the shape of Annotation.model_dump(mode="json") (pydantic is slow on 10^5 rows)
        anns = {}
        for row in p.annotation_rows():
            d = row._asdict()
            d["attributes"] = json.loads(d["attributes"])
            d["arguments"] = json.loads(d["arguments"])
            d["links"] = json.loads(d["links"])
            if d["fragments"] is not None:
                d["fragments"] = json.loads(d["fragments"])
            anns[d["id"]] = d
        statuses = dict(p._q("SELECT id, status FROM documents").fetchall())
        seq = p._q("SELECT coalesce(max(seq), 0) FROM history").fetchone()[0]
    return Snapshot(anns, statuses, seq)


def read_log(path: Path) -> list[dict[str, Any]]:
    """Complete lines only: a line cut by the kill was never written."""
    if not path.exists():
        return []
    data = path.read_bytes()
    lines = data.split(b"\n")[:-1]  # the part after the last newline is incomplete
    return [json.loads(x) for x in lines if x]


def _apply_entry(anns: dict[str, Any], statuses: dict[str, str], entry: dict[str, Any]) -> None:
    for ann_id, row in entry["rows"].items():
        if row is None:
            anns.pop(ann_id, None)
        else:
            anns[ann_id] = row
    if entry.get("status"):
        statuses[entry["doc_id"]] = entry["status"]


def _apply_import(anns: dict[str, Any], statuses: dict[str, str], seed: int) -> None:
    for doc, doc_anns in import_batch(seed):
        statuses[doc.id] = str(doc.status)
        for a in doc_anns:
            anns[a.id] = a.model_dump(mode="json")


def _seeds(entry: dict[str, Any]) -> list[int]:
    """The seeds of the documents an import or merge brought (none for commands)."""
    return entry.get("seeds") or ([entry["seed"]] if "seed" in entry else [])


def _fail(msg: str, where: Path) -> None:
    raise HarnessFailure(f"{where}: {msg}")


def verify(path: Path, before: Snapshot, log: list[dict[str, Any]], report: Report) -> Snapshot:
    """Check the project after a kill against the child's log; return the new baseline."""
    from annotator.core.store import Project

    raw = sqlite3.connect(str(path))
    try:
        integrity = raw.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            _fail(f"integrity_check: {integrity}", path)
    finally:
        raw.close()
    with Project(path) as p:  # reopening the way the app does
        if p.integrity_check() != "ok":
            _fail("integrity_check after reopening is not ok", path)
        fk = p._q("PRAGMA foreign_key_check").fetchall()
        if fk:
            _fail(f"foreign_key_check: {fk[:5]}", path)
        history = [
            {"seq": r[0], "action": r[1], "doc_id": r[2], "detail": json.loads(r[3])}
            for r in p._q("SELECT seq, action, doc_id, detail FROM history WHERE seq > ? ORDER BY seq", (before.history_seq,))
        ]
    done = [e for e in log if e["t"] == "done"]
    intents = [e for e in log if e["t"] == "intent"]
    pending = intents[-1] if intents and (not done or intents[-1]["i"] != done[-1]["i"]) else None

    anns = {k: dict(v) for k, v in before.annotations.items()}
    statuses = dict(before.statuses)
    h = 0
    for d in done:  # every committed, logged action must be in the project, in order
        for entry in d["entries"]:
            if h >= len(history):
                _fail(f"action {d['i']} ({d['op']}) was logged as committed but is missing: LOST", path)
            got = history[h]
            h += 1
            if got["action"] != entry["action"]:
                _fail(f"action {d['i']}: history has {got['action']!r}, log says {entry['action']!r}", path)
            if entry["action"] in ("import", "merge"):
                continue
            if got["detail"]["rows"] != entry["rows"] or got["detail"]["status"] != entry["status"]:
                _fail(f"action {d['i']} ({d['op']}): the stored rows differ from the committed ones", path)
            _apply_entry(anns, statuses, entry)
        for seed in _seeds(d):
            _apply_import(anns, statuses, seed)
            report.imports += 1
        report.actions += 1
    extra = history[h:]
    if extra:
        if pending is None:
            _fail(f"{len(extra)} history rows that no action accounts for: {[x['action'] for x in extra]}", path)
        if pending.get("prefix"):  # files imported one transaction each: the first k of them
            if len(extra) > pending["hist"] or any(x["action"] != "import" for x in extra):
                _fail(f"action {pending['i']} ({pending['op']}): {[x['action'] for x in extra]} stored", path)
        elif len(extra) != pending["hist"]:
            _fail(f"action {pending['i']} ({pending['op']}) HALF APPLIED: {len(extra)} of {pending['hist']} parts stored", path)
        if _seeds(pending):
            for seed in _seeds(pending)[: len(extra)]:
                _apply_import(anns, statuses, seed)
                report.imports += 1
        else:
            for got in extra:
                _apply_entry(
                    anns, statuses, {"rows": got["detail"]["rows"], "status": got["detail"]["status"], "doc_id": got["doc_id"]}
                )
        report.in_flight_committed += 1
    elif pending is not None:
        report.in_flight_absent += 1

    after = snapshot(path)
    if after.statuses != statuses:
        diff = {k for k in set(after.statuses) | set(statuses) if after.statuses.get(k) != statuses.get(k)}
        _fail(f"documents differ from the committed actions (half-done import or status?): {sorted(diff)[:5]}", path)
    if after.annotations != anns:
        missing = set(anns) - set(after.annotations)
        unexpected = set(after.annotations) - set(anns)
        changed = {k for k in set(anns) & set(after.annotations) if anns[k] != after.annotations[k]}
        _fail(
            f"annotations differ from the committed actions: missing {sorted(missing)[:5]}, "
            f"unexpected {sorted(unexpected)[:5]}, changed {sorted(changed)[:5]}",
            path,
        )
    _check_references(after, path)
    return after


def _check_references(snap: Snapshot, path: Path) -> None:
    by_id = snap.annotations
    for a in by_id.values():
        refs = [x["target"] for x in a["arguments"]] + [r for r in (a["head"], a["tail"], a["claimant_ref"]) if r]
        for ref in refs:
            if ref not in by_id or by_id[ref]["doc_id"] != a["doc_id"]:
                _fail(f"{a['kind']} {a['id']} points at {ref}, which is not in its document", path)


def spawn(project: Path, log: Path, seed: int, mode: str, *extra: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=os.pathsep.join([str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )
    with open(log.with_name(log.name + ".stderr"), "wb") as err:  # a file: a full pipe would stall the child
        return subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "child", str(project), str(log), str(seed), mode, *extra],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
        )


def _stderr(log: Path) -> str:
    path = log.with_name(log.name + ".stderr")
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    return "\n".join(x for x in lines if "propagateSizeHints" not in x)[-4000:]


def run_child(project: Path, log: Path, seed: int, *extra: str, mode: str = "core", timeout: float = 120) -> int:
    """Run a child to its end (``--steps``) or its self-inflicted kill (``--die``); its exit status."""
    proc = spawn(project, log, seed, mode, *extra)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise HarnessFailure("the child did not finish in time") from None
    if proc.returncode not in (0, -signal.SIGKILL):
        raise HarnessFailure(f"the child failed (exit {proc.returncode}):\n{_stderr(log)}")
    return proc.returncode


def _wait_ready(proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise HarnessFailure(f"the child died on its own (exit {proc.returncode}):\n{_stderr(log)}")
        if log.exists() and log.stat().st_size > 0:
            return
        time.sleep(0.005)
    proc.kill()
    raise HarnessFailure("the child never became ready")


def run_campaign(
    workdir: Path, kills: int, seed: int = 1, mode: str = "core", max_delay: float = 0.5, progress: bool = False
) -> Report:
    """Kill ``kills`` children at random moments, verifying the project after each."""
    workdir.mkdir(parents=True, exist_ok=True)
    project = workdir / "project.annotator"
    new_project(project, seed)
    baseline = snapshot(project)
    rng = random.Random(seed)
    report = Report()
    for k in range(kills):
        log = workdir / f"child-{k:04d}.jsonl"
        proc = spawn(project, log, seed * 10_000 + k, mode)
        try:
            if rng.random() < 0.15:  # sometimes while it is still opening the project
                time.sleep(rng.uniform(0, 0.3))
            else:
                _wait_ready(proc, log)
                time.sleep(rng.uniform(0, max_delay))
            if proc.poll() is not None:
                raise HarnessFailure(f"the child died on its own (exit {proc.returncode}):\n{_stderr(log)}")
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait()
        if proc.returncode != -signal.SIGKILL:
            raise HarnessFailure(f"child {k} ended with {proc.returncode}, not by SIGKILL")
        report.kills += 1
        baseline = verify(project, baseline, read_log(log), report)
        if progress and (k + 1) % 10 == 0:
            print(f"{k + 1} kills: {report.as_dict()}", flush=True)
    return report


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("child")
    c.add_argument("project", type=Path)
    c.add_argument("log", type=Path)
    c.add_argument("seed", type=int)
    c.add_argument("mode", choices=["core", "gui"])
    c.add_argument("--steps", type=int, help="stop after this many actions (default: run until killed)")
    c.add_argument(
        "--die",
        choices=["import", "import-2", "merge", "do", "after-commit", "migrate", "version", "backup"],
        help="SIGKILL itself at this point",
    )
    c.add_argument("--force", choices=["import", "files", "merge", "command"], help="do only this kind of action")
    r = sub.add_parser("campaign")
    r.add_argument("workdir", type=Path)
    r.add_argument("--kills", type=int, default=200)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--mode", choices=["core", "gui"], default="core")
    args = ap.parse_args(argv)
    if args.cmd == "child":
        child_main(args.project, args.log, args.seed, args.mode, args.steps, args.die, args.force)
    else:
        report = run_campaign(args.workdir, args.kills, args.seed, args.mode, progress=True)
        print(json.dumps(report.as_dict()))


if __name__ == "__main__":
    main()
