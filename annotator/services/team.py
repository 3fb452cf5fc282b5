"""Team work on many desktops (issue 18): hand out work, collect it safely, see progress.

The rules, also in ``docs/team.md``:

- **Assign** splits chosen documents among annotators, deterministically for a
  seed: the documents are shuffled with the seed; the overlap share (``overlap``
  percent, rounded) of them goes to ``overlap_annotators`` annotators each, the
  rest to one; each document goes to the annotator with the least text so far
  (in code points; ties: the order the annotators were given), longest documents
  first, so the split is balanced by text length, not by count; an overlap
  document's other annotators are those who share fewest overlap documents with
  the ones chosen (so every pair gets some to compare), then the least loaded.
  ``per_annotator`` caps how many documents each gets in this call.
- Each annotator gets a **package**: a normal project file with their documents
  (text, title, metadata; status ``new``; no annotations), the lead's label
  schema as stored, their name (``meta.team_annotator``: the app opens the
  package as them without asking) and a **hand-out record** (``meta.team_package``):
  the lead project's team id, the package id, the annotator and every document's
  sha256, signed with HMAC-SHA256 under a key that only the lead's project holds.
- The lead's project records each package and who has which document
  (``team_assignments``). Assigning again hands out documents nobody has;
  **reassign** withdraws a leaver's unfinished documents (not done at their last
  collect) and hands them to the others; what the leaver did stays.
- **Collect** checks each package (a package at all, of this project, signature,
  every text unchanged, no document added or missing) and merges it with
  :mod:`annotator.services.merging` in ONE transaction with its team records;
  a refused package changes nothing and the others still come in. Collecting a
  package again brings only what changed (merging matches annotations by id).
  A document with work in two packages that were not both handed it as overlap
  is a **conflict**: reported, and both versions kept as layers (when both
  packages are the same annotator's, the later one's annotations go to the
  layer ``name@package``).
- **Progress**: :mod:`annotator.services.team_progress` (definitions in ``docs/team.md``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import secrets
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from annotator.core.kinds import GOLD, DocStatus, now
from annotator.core.rows import annotation_row
from annotator.core.store import PROJECT_SUFFIX, Project, ProjectError, read_project_file
from annotator.core.store_team import PACKAGE_ANNOTATOR_KEY, Assignment, Collected
from annotator.services.merging import MergeError, check_labels, merge_source, plural, read_source

__all__ = [
    "TeamError",
    "Plan",
    "PackageInfo",
    "CollectReport",
    "plan_assignment",
    "plan_reassign",
    "write_packages",
    "assign",
    "reassign",
    "collect",
    "package_annotator",
]

#: meta keys: in a package, its annotator and its signed hand-out record; in the lead's project, its key and id.
ANNOTATOR_KEY = PACKAGE_ANNOTATOR_KEY
PACKAGE_KEY = "team_package"
LEAD_KEY = "team_key"
LEAD_ID = "team_project_id"
RECORD_FORMAT = "annotator-team-package"
#: Statuses that count a document as done by its annotator.
DONE_STATUSES = {DocStatus.DONE.value, DocStatus.IN_REVIEW.value, DocStatus.REVIEWED.value}
_STATUSES = [s.value for s in DocStatus]


class TeamError(ValueError):
    """A request that cannot be done; ``str()`` is the user message. Nothing was changed."""


def check_name(name: str) -> str | None:
    """Why ``name`` cannot be an annotator's name (None: it can)."""
    if not name.strip():
        return "an empty name"
    if name == GOLD or name.startswith("@"):
        return f"{name!r}: names starting with '@' are reserved (the gold layer is @gold)"
    if len(name) > 100 or any(ord(c) < 32 for c in name):
        return f"{name!r}: at most 100 characters, no control characters"
    return None


def package_annotator(project: Project) -> str | None:
    """The annotator a package was made for (None: not a package)."""
    try:
        return project.package_annotator()
    except ProjectError:
        return None


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------
@dataclass
class Plan:
    """Who gets which documents (in the order handed out)."""

    annotators: list[str]
    documents: dict[str, list[str]]
    overlap: set[str] = field(default_factory=set)
    #: annotator -> characters handed out in this plan
    load: dict[str, int] = field(default_factory=dict)
    #: documents chosen but not placed (no annotator could take them: cap or holders)
    left_over: list[str] = field(default_factory=list)
    #: (package id, doc id) assignments withdrawn (reassign)
    withdrawn: list[tuple[str, str]] = field(default_factory=list)
    #: remarks for the user (documents skipped and why)
    notes: list[str] = field(default_factory=list)
    seed: int = 0

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.documents.values())

    def summary(self) -> str:
        return "; ".join(self.lines())

    def lines(self) -> list[str]:
        """One line per annotator (documents, characters, shared), then the totals."""
        parts = [
            f"{name}: {plural(len(self.documents[name]), 'document')}, {self.load.get(name, 0):,} characters"
            + (f" ({sum(1 for d in self.documents[name] if d in self.overlap)} shared)" if self.overlap else "")
            for name in self.annotators
        ]
        if self.overlap:
            parts.append(f"{plural(len(self.overlap), 'document')} to several annotators (overlap)")
        if self.left_over:
            parts.append(f"{plural(len(self.left_over), 'document')} left for later")
        return parts


def _names(annotators: Sequence[str]) -> list[str]:
    names = [a.strip() for a in annotators if a.strip()]
    if not names:
        raise TeamError("no annotators given (e.g. --annotators alice,bob)")
    for n in names:
        why = check_name(n)
        if why:
            raise TeamError(f"annotator name {why}")
    twice = [n for n, c in Counter(names).items() if c > 1]
    if twice:
        raise TeamError(f"annotator {twice[0]!r} is named twice")
    return names


def _held(project: Project) -> dict[str, set[str]]:
    """doc id -> annotators who have it now (active assignments)."""
    out: dict[str, set[str]] = defaultdict(set)
    for a in project.assignments(active=True):
        out[a.doc_id].add(a.annotator)
    return out


def choose_documents(project: Project, documents: str | Path) -> tuple[list[str], list[str]]:
    """The document ids ``documents`` names (``new``, a status, or a file of ids or
    external ids, one a line) that nobody has yet; and notes on those skipped."""
    held = _held(project)
    notes: list[str] = []
    spec = str(documents)
    if spec in _STATUSES:
        ids = project.document_ids(status=spec)
    else:
        path = Path(spec)
        if not path.is_file():
            raise TeamError(f"--documents {spec}: neither a status ({', '.join(_STATUSES)}) nor a file of document ids")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise TeamError(f"{path}: cannot read it: {err}") from None
        ids = []
        seen: set[str] = set()
        for n, line in enumerate(lines, 1):
            key = line.strip()
            if not key or key.startswith("#"):
                continue
            found = project.lookup_document(doc_id=key) or project.lookup_document(external_id=key)
            if found is None:
                raise TeamError(f"{path}:{n}: no document with id or external id {key!r} in {project.path.name}")
            if found[0] not in seen:
                seen.add(found[0])
                ids.append(found[0])
        if not ids:
            raise TeamError(f"{path}: no document ids in it (one id or external id a line)")
    free = [d for d in ids if d not in held]
    if len(free) < len(ids):
        notes.append(f"{plural(len(ids) - len(free), 'document')} skipped: handed out already")
    if not ids:
        notes.append(f"no document has the status {spec!r}" if spec in _STATUSES else f"{spec}: no documents")
    return free, notes


def _place(
    order: list[str],
    lengths: dict[str, int],
    names: list[str],
    overlap: set[str],
    k: int,
    cap: int | None,
    load: dict[str, int],
    counts: dict[str, int],
    exclude: dict[str, set[str]],
) -> tuple[dict[str, list[str]], list[str]]:
    """Greedy longest-first: each document to the ``k`` (overlap) or 1 annotators
    with the least text so far that may take it."""
    out: dict[str, list[str]] = {n: [] for n in names}
    left: list[str] = []
    rank = {d: i for i, d in enumerate(order)}
    #: how many overlap documents each pair of annotators shares (spread over all pairs)
    paired: Counter = Counter()
    # overlap documents first (each needs several annotators), then longest first, ties by the shuffle
    for doc in sorted(order, key=lambda d: (d not in overlap, -lengths.get(d, 0), rank[d])):
        want = k if doc in overlap else 1
        able = [n for n in names if n not in exclude.get(doc, set()) and (cap is None or counts[n] < cap)]
        if len(able) < want:
            left.append(doc)
            continue
        chosen = [min(able, key=lambda n: (load[n], counts[n], names.index(n)))]
        while len(chosen) < want:  # partners: those who shared least with the chosen so far, then least loaded
            rest = [n for n in able if n not in chosen]
            chosen.append(
                min(rest, key=lambda n: (sum(paired[frozenset((c, n))] for c in chosen), load[n], counts[n], names.index(n)))
            )
        for x, y in combinations(chosen, 2):
            paired[frozenset((x, y))] += 1
        for n in chosen:
            out[n].append(doc)
            load[n] += lengths.get(doc, 0)
            counts[n] += 1
    placed_not = set(left)
    return out, [d for d in order if d in placed_not]


def plan_assignment(
    project: Project,
    annotators: Sequence[str],
    *,
    documents: str | Path = "new",
    overlap: float = 0.0,
    overlap_annotators: int = 2,
    per_annotator: int | None = None,
    seed: int = 0,
) -> Plan:
    """Who would get what (nothing is written): see the module doc."""
    names = _names(annotators)
    if not 0 <= overlap <= 100:
        raise TeamError(f"--overlap {overlap:g}: a percentage from 0 to 100")
    k = overlap_annotators if overlap > 0 else 1
    if overlap > 0 and not 2 <= k <= len(names):
        raise TeamError(
            f"--overlap-annotators {overlap_annotators}: from 2 to the number of annotators ({len(names)})"
            if len(names) >= 2
            else "overlap needs at least two annotators"
        )
    if per_annotator is not None and per_annotator < 1:
        raise TeamError(f"--per-annotator {per_annotator}: at least 1")
    free, notes = choose_documents(project, documents)
    rng = random.Random(seed)
    order = sorted(free)  # the shuffle depends on the seed only, not on the import order
    rng.shuffle(order)

    def n_overlap(n: int) -> int:
        return int(n * overlap / 100 + 0.5) if overlap > 0 else 0

    chosen = len(order)
    if per_annotator is not None:
        slots = per_annotator * len(names)
        while chosen and n_overlap(chosen) * k + (chosen - n_overlap(chosen)) > slots:
            chosen -= 1
        if chosen < len(order):
            notes.append(f"{plural(len(order) - chosen, 'document')} left for later (--per-annotator {per_annotator})")
    picked = order[:chosen]
    shared = set(picked[: n_overlap(chosen)])
    all_lengths = project.document_lengths()
    lengths = {d: all_lengths.get(d, 0) for d in picked}
    load = dict.fromkeys(names, 0)
    counts = dict.fromkeys(names, 0)
    out, left = _place(picked, lengths, names, shared, k, per_annotator, load, counts, {})
    return Plan(names, out, shared & {d for v in out.values() for d in v}, load, left, notes=notes, seed=seed)


def plan_reassign(project: Project, leaver: str, annotators: Sequence[str] | None = None, *, seed: int = 0) -> Plan:
    """Withdraw ``leaver``'s unfinished documents (not done at their last collect)
    and split them among ``annotators`` (default: everyone else who has work),
    never to someone who has the document already."""
    active = [a for a in project.assignments(active=True) if a.annotator == leaver]
    if not active:
        known = sorted({a.annotator for a in project.assignments()})
        raise TeamError(
            f"{leaver!r} has no documents handed out in {project.path.name}"
            + (f" (annotators with work: {', '.join(known)})" if known else " (nothing was handed out yet)")
        )
    names = _names(annotators) if annotators else sorted({a.annotator for a in project.assignments(active=True)} - {leaver})
    if leaver in names:
        raise TeamError(f"cannot reassign {leaver!r}'s documents to {leaver!r}")
    if not names:
        raise TeamError(f"nobody else to hand {leaver!r}'s documents to: name them (--annotators)")
    status = {(c.package_id, c.doc_id): c.status for c in project.team_collected()}
    unfinished = [a for a in active if status.get((a.package_id, a.doc_id), "new") not in DONE_STATUSES]
    held = _held(project)
    order = sorted(a.doc_id for a in unfinished)
    random.Random(seed).shuffle(order)
    all_lengths = project.document_lengths()
    lengths = {d: all_lengths.get(d, 0) for d in order}
    # the others' open work counts towards their load
    load = dict.fromkeys(names, 0)
    counts = dict.fromkeys(names, 0)
    for a in project.assignments(active=True):
        if a.annotator in load and status.get((a.package_id, a.doc_id), "new") not in DONE_STATUSES:
            load[a.annotator] += all_lengths.get(a.doc_id, 0)
    start = dict(load)
    overlap = {d for d in order if len(held.get(d, set())) > 1}
    out, left = _place(order, lengths, names, set(), 1, None, load, counts, held)
    done = len(active) - len(unfinished)
    notes = [f"{leaver} keeps {plural(done, 'finished document')}"] if done else []
    moved = {d for v in out.values() for d in v}
    plan = Plan(
        names,
        out,
        overlap & moved,
        {n: load[n] - start[n] for n in names},
        left,
        withdrawn=[(a.package_id, a.doc_id) for a in unfinished if a.doc_id in moved],
        notes=notes,
        seed=seed,
    )
    if left:
        plan.notes.append(f"{plural(len(left), 'document')} stay with {leaver}: everyone else has them already")
    return plan


# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------
@dataclass
class PackageInfo:
    package_id: str
    annotator: str
    path: Path
    documents: int


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _lead_identity(project: Project) -> tuple[str, bytes]:
    """The lead project's team id and signing key, made on first use (inside a transaction)."""
    pid, key = project.meta_value(LEAD_ID), project.meta_value(LEAD_KEY)
    if pid is None or key is None:
        pid, key = uuid.uuid4().hex, secrets.token_hex(32)
        project.set_meta(LEAD_ID, pid)
        project.set_meta(LEAD_KEY, key)
    return pid, bytes.fromhex(key)


def sign(key: bytes, record: dict[str, Any]) -> str:
    return hmac.new(key, _canonical(record), hashlib.sha256).hexdigest()


def _safe_file_part(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")
    return keep[:40] or "annotator"


def write_packages(project: Project, plan: Plan, out_dir: str | Path, *, actor: str = "team") -> list[PackageInfo]:
    """Write one package per annotator with documents in ``plan`` into ``out_dir``
    and record them (and a reassignment's withdrawals) in ``project``, all or nothing:
    the packages are written under temporary names first, recorded in one
    transaction, then renamed."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise TeamError(f"{out}: not a folder")
    if plan.total == 0:
        raise TeamError("no documents to hand out" + (f" ({'; '.join(plan.notes)})" if plan.notes else ""))
    if project.readonly:
        raise TeamError(f"{project.path}: the project file is read-only; nothing was handed out")
    out.mkdir(parents=True, exist_ok=True)
    stamp = now()
    day = stamp[:10].replace("-", "")
    schema = project.schema
    written: list[tuple[Path, Path, PackageInfo, str]] = []
    try:
        with project.transaction():
            lead_id, key = _lead_identity(project)
            for name in plan.annotators:
                ids = plan.documents.get(name) or []
                if not ids:
                    continue
                stem = f"{_safe_file_part(project.path.stem)}-{_safe_file_part(name)}-{day}"
                while True:  # an existing file is never overwritten
                    package_id = uuid.uuid4().hex
                    final = out / f"{stem}-{package_id[:6]}{PROJECT_SUFFIX}"
                    tmp = final.with_name(final.name + ".tmp")
                    if not final.exists() and not tmp.exists():
                        break
                docs = [d.model_copy(update={"status": DocStatus.NEW}) for d in project.iter_documents(ids)]
                record = {
                    "format": RECORD_FORMAT,
                    "version": 1,
                    "project": lead_id,
                    "package": package_id,
                    "annotator": name,
                    "created": stamp,
                    "documents": {d.id: d.sha256 for d in docs},
                }
                signed = json.dumps({"record": record, "signature": sign(key, record)}, ensure_ascii=False)
                info = PackageInfo(package_id, name, final, len(docs))
                written.append((tmp, final, info, signed))
                _write_package(tmp, schema, docs, name, signed)
                project.add_team_package(package_id, name, stamp, final.name, signed)
                project.add_assignments(Assignment(package_id, d.id, name, d.id in plan.overlap, True, stamp, None) for d in docs)
            project.withdraw_assignments(plan.withdrawn, stamp)
            project.log(
                actor,
                None,
                "team_assign",
                {
                    "packages": [
                        {"id": i.package_id, "annotator": i.annotator, "documents": i.documents} for _, _, i, _ in written
                    ],
                    "withdrawn": len(plan.withdrawn),
                    "seed": plan.seed,
                },
            )
    except BaseException:
        for tmp, _final, _info, _ in written:
            _remove_project_file(tmp)
        raise
    for tmp, final, _info, _ in written:
        os.replace(tmp, final)
    return [w[2] for w in written]


def _remove_project_file(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


def _write_package(path: Path, schema: Any, docs: list[Any], name: str, signed: str) -> None:
    _remove_project_file(path)
    package = Project(path, create=True, schema=schema)
    try:
        with package.transaction():
            package.add_documents((d, []) for d in docs)
            package.ensure_annotators([name])
            package.set_meta(ANNOTATOR_KEY, name)
            package.set_meta(PACKAGE_KEY, signed)
            package.log("team", None, "team_package", {"annotator": name, "documents": len(docs)})
    finally:
        package.close()


def assign(
    project: Project,
    annotators: Sequence[str],
    out_dir: str | Path,
    *,
    documents: str | Path = "new",
    overlap: float = 0.0,
    overlap_annotators: int = 2,
    per_annotator: int | None = None,
    seed: int = 0,
    actor: str = "team",
) -> tuple[Plan, list[PackageInfo]]:
    plan = plan_assignment(
        project,
        annotators,
        documents=documents,
        overlap=overlap,
        overlap_annotators=overlap_annotators,
        per_annotator=per_annotator,
        seed=seed,
    )
    return plan, write_packages(project, plan, out_dir, actor=actor)


def reassign(
    project: Project,
    leaver: str,
    out_dir: str | Path,
    annotators: Sequence[str] | None = None,
    *,
    seed: int = 0,
    actor: str = "team",
) -> tuple[Plan, list[PackageInfo]]:
    plan = plan_reassign(project, leaver, annotators, seed=seed)
    return plan, write_packages(project, plan, out_dir, actor=actor)


# ---------------------------------------------------------------------------
# Collect
# ---------------------------------------------------------------------------
@dataclass
class CollectReport:
    source: str
    package_id: str = ""
    annotator: str = ""
    #: why the package was refused (nothing of it came in); empty when it came in
    refused: str = ""
    documents_changed: int = 0
    annotations_added: int = 0
    annotations_updated: int = 0
    annotations_deleted: int = 0
    history_added: int = 0
    conflicts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: lead document ids merged into
    documents: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    def summary(self) -> str:
        if self.refused:
            return f"{self.source}: refused: {self.refused}"
        if not (self.documents_changed or self.annotations_added or self.annotations_updated or self.annotations_deleted):
            text = f"{self.source} ({self.annotator}): nothing new since the last collect"
        else:
            text = (
                f"{self.source} ({self.annotator}): {plural(self.documents_changed, 'document')} changed; annotations: "
                f"{self.annotations_added} added, {self.annotations_updated} updated, {self.annotations_deleted} deleted"
            )
        if self.conflicts:
            text += f"; {plural(len(self.conflicts), 'conflict')}"
        return text


class _Refused(Exception):
    pass


def _verify(project: Project, path: Path, lead_id: str | None, key: bytes | None) -> tuple[dict[str, Any], list[tuple]]:
    """The package's hand-out record and history, after every check (raises _Refused)."""
    if path.resolve() == project.path.resolve():
        raise _Refused("this is the project itself, not a package")
    try:
        stored = read_project_file(path)
    except ProjectError as err:
        raise _Refused(f"not a package: {str(err).removeprefix(f'{path}: ')}") from None
    except OSError as err:
        raise _Refused(f"cannot read it: {err.strerror or err}") from None
    raw = stored.meta.get(PACKAGE_KEY)
    if raw is None:
        raise _Refused(
            "not a package (an annotator project without a hand-out record); "
            "to bring in a colleague's own project use 'annotator merge'"
        )
    try:
        signed = json.loads(raw)
        record, signature = signed["record"], signed["signature"]
        if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT or not isinstance(record.get("documents"), dict):
            raise ValueError
        package_id = str(record["package"])
    except (ValueError, KeyError, TypeError):
        raise _Refused("its hand-out record is damaged; not collected") from None
    if lead_id is None or key is None:
        raise _Refused(f"{project.path.name} has handed out no work yet, so this package is from another project; not collected")
    if record.get("project") != lead_id:
        raise _Refused(f"handed out from another project, not from {project.path.name}; not collected")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, sign(key, record)):
        raise _Refused("its hand-out record was changed after it was handed out (the signature does not match); not collected")
    if project.team_package(package_id) is None:
        raise _Refused(
            f"package {package_id[:8]} is not recorded in {project.path.name} (was the project restored from an older copy?)"
        )
    if stored.meta.get(ANNOTATOR_KEY) != record.get("annotator"):
        raise _Refused("its annotator name was changed after it was handed out; not collected")
    expected: dict[str, str] = record["documents"]
    found = {r.id: r for r in stored.documents}
    for doc_id, row in found.items():
        if doc_id not in expected:
            continue  # added in the package: left out, reported by collect
        digest = hashlib.sha256(row.text.encode("utf-8")).hexdigest()
        if digest != expected[doc_id] or row.sha256 != expected[doc_id]:
            raise _Refused(
                f"the text of document {row.title or doc_id!r} was changed in the package (its checksum is not the one "
                "handed out); not collected"
            )
    return record, stored.history


def _check_continuation(project: Project, package_id: str, history: list[tuple]) -> None:
    """Refuse a second copy of a package: its edit history must continue the one
    collected before (the same entries under the same numbers). Two copies of one
    package worked on apart would otherwise look like one file in which the other
    copy's annotations were deleted."""
    before = {r[1]: tuple(r[2:6]) for r in project.team_history() if r[0] == package_id}
    for seq, time, actor, doc_id, action, _status in history:
        seen = before.get(seq)
        if seen is not None and seen != (time, actor, doc_id, action):
            raise _Refused(
                "another copy of this package was collected before (their edit histories differ: were copies of one "
                "package worked on apart?); not collected, so that nothing of the first copy is lost. To bring this "
                "copy's work in as well: annotator export COPY -f native -o copy.jsonl, then annotator merge PROJECT copy.jsonl"
            )


def _digest(annotations: Iterable[Any]) -> str:
    rows = sorted(json.dumps(a.model_dump(mode="json"), sort_keys=True) for a in annotations)
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def collect(
    project: Project,
    paths: Sequence[str | Path],
    *,
    actor: str = "team",
    progress_cb: Callable[[str], None] | None = None,
) -> list[CollectReport]:
    """Collect packages into ``project``: see the module doc. One report per path;
    a refused package has ``refused`` set and changed nothing."""
    if project.readonly:
        raise TeamError(f"{project.path}: the project file is read-only; nothing was collected")
    lead_id = project.meta_value(LEAD_ID)
    key_hex = project.meta_value(LEAD_KEY)
    key = bytes.fromhex(key_hex) if key_hex else None
    reports = []
    for p in paths:
        path = Path(p)
        report = CollectReport(source=path.name)
        reports.append(report)
        if progress_cb:
            progress_cb(f"collecting {path}")
        try:
            if not path.is_file():
                raise _Refused("no such file" if not path.exists() else "not a file")
            record, history = _verify(project, path, lead_id, key)
            report.package_id, report.annotator = record["package"], record["annotator"]
            _check_continuation(project, record["package"], history)
            try:
                source = read_source(path)
                check_labels(project.schema, source, project.path.name)
            except MergeError as err:
                raise _Refused(str(err).removeprefix(f"{path}: ")) from None
            _collect_one(project, source, record, history, report, actor)
        except _Refused as why:
            report.refused = str(why)
        except (MergeError, ProjectError) as err:
            report.refused = f"{err}; nothing of it was collected"
    return reports


def _collect_one(
    project: Project, source: Any, record: dict[str, Any], history: list[tuple], report: CollectReport, actor: str
) -> None:
    package_id, name = record["package"], record["annotator"]
    expected: dict[str, str] = record["documents"]
    kept = []
    for sd in source.documents:
        if sd.document.id not in expected:
            report.problems.append(f"{sd.where}: not handed out in this package (added there); not collected")
        elif sd.document.sha256 != expected[sd.document.id]:  # the file changed since it was checked
            raise _Refused(f"the text of {sd.where} was changed in the package; not collected")
        else:
            kept.append(sd)
    source.documents = kept
    present = {sd.document.id for sd in kept}
    gone = [d for d in expected if d not in present]
    if gone:
        report.problems.append(
            f"missing from the package (deleted there?): {plural(len(gone), 'document')} handed out in it, e.g. {gone[0]!r}"
        )
    others_names = Counter(a.annotator for sd in kept for a in sd.annotations if a.annotator != name)
    for who, n in sorted(others_names.items()):
        report.problems.append(
            f"{plural(n, 'annotation')} by {who!r}, not {name!r} (a name changed in the package): kept as {who!r}"
        )
    stamp = now()
    previous = {c.doc_id: c for c in project.team_collected(package_id)}
    others: dict[str, list[Collected]] = defaultdict(list)
    for c in project.team_collected():
        if c.package_id != package_id and (c.annotations or c.status != DocStatus.NEW.value):
            others[c.doc_id].append(c)
    assignments = {(a.package_id, a.doc_id): a for a in project.assignments()}
    packages = {p["id"]: p["annotator"] for p in project.team_packages()}
    known_conflicts = project.team_conflicts()
    new_conflicts: list[tuple[str, str, str, str, str]] = []
    collected: list[Collected] = []
    for sd in source.documents:
        doc_id = sd.document.id
        worked = bool(sd.annotations) or sd.document.status != DocStatus.NEW
        layer = name
        for other in others.get(doc_id, []) if worked else []:
            mine, theirs = assignments.get((package_id, doc_id)), assignments.get((other.package_id, doc_id))
            planned = bool(mine and theirs and mine.overlap and theirs.overlap and mine.active and theirs.active)
            if planned and packages.get(other.package_id) != name:
                continue
            earlier = next(
                (
                    c
                    for c in known_conflicts
                    if c["package_id"] == other.package_id and c["doc_id"] == doc_id and c["other_package_id"] == package_id
                ),
                None,
            )
            if earlier is not None:  # that package came in second: this one keeps its layer
                continue
            mine_rec = next(
                (
                    c
                    for c in known_conflicts
                    if c["package_id"] == package_id and c["doc_id"] == doc_id and c["other_package_id"] == other.package_id
                ),
                None,
            )
            if mine_rec is not None:  # found at an earlier collect: the same layer, not reported again
                layer = mine_rec["layer"]
                continue
            if packages.get(other.package_id) == name:
                layer = f"{name}@{package_id[:8]}"
            new_conflicts.append((package_id, doc_id, other.package_id, layer, stamp))
            report.conflicts.append(
                f"{sd.document.title or doc_id!r}: edited in this package and in {packages.get(other.package_id, '?')}'s "
                f"package {other.package_id[:8]}; both kept (this one as layer {layer!r})"
            )
        if layer != name:
            sd.annotations = [a.model_copy(update={"annotator": layer}) if a.annotator == name else a for a in sd.annotations]
            source.annotators.add(layer)
        digest = _digest(sd.annotations)
        before = previous.get(doc_id)
        if before is None or before.digest != digest or before.status != sd.document.status.value:
            if worked or before is not None:
                report.documents_changed += 1
        collected.append(Collected(package_id, doc_id, sd.document.status.value, digest, len(sd.annotations), stamp))
    report.conflicts += _changed_on_both_sides(project, source)
    with project.transaction():
        merged = merge_source(project, source, actor=actor)
        project.put_team_collected(collected)
        project.add_team_conflicts(new_conflicts)
        report.history_added = project.add_team_history(package_id, history)
        project.log(
            actor,
            None,
            "team_collect",
            {
                "package": package_id,
                "annotator": name,
                "documents_changed": report.documents_changed,
                "conflicts": len(report.conflicts),
            },
        )
    report.annotations_added = merged.annotations_added
    report.annotations_updated = merged.annotations_updated
    report.annotations_deleted = merged.annotations_deleted
    report.problems += merged.problems
    if merged.documents_added:
        report.problems.append(
            f"{plural(merged.documents_added, 'document')} deleted here since the hand-out came back with the work on "
            "them (delete them again if they are not wanted)"
        )
    if merged.annotations_kept:
        report.problems.append(
            f"{plural(merged.annotations_kept, 'annotation')} changed here since the last collect kept as they are here "
            "(the package's older copy was not taken)"
        )
    report.documents = merged.documents


def _changed_on_both_sides(project: Project, source: Any) -> list[str]:
    """Annotations changed both here and in the package since the package's last
    collect: merging keeps the later change; these are named, not overwritten silently."""
    incoming = {a.id: (sd, a) for sd in source.documents for a in sd.annotations}
    here = project.annotation_rows_by_id(list(incoming))
    stamps = project.merged_stamps(source.origin, list(here))
    out = []
    for ann_id, row in here.items():
        stamp = stamps.get(ann_id)
        sd, ann = incoming[ann_id]
        theirs = annotation_row(ann)._replace(doc_id=row.doc_id)
        if stamp is None or theirs == row or not (row.updated > stamp and theirs.updated > stamp):
            continue
        kept = "the package's" if theirs.updated > row.updated else "the one here"
        text = sd.document.text[ann.start : ann.end] if ann.start is not None and ann.end is not None else ""
        out.append(
            f"{sd.where}: {ann.kind} {ann.label} {text[:40]!r} was changed here and in the package since the last "
            f"collect; the later change ({kept}) is kept"
        )
    return out
