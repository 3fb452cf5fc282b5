"""The progress of a team (issue 18): per annotator documents assigned / in
progress / done, annotations by kind, active time from the packages' edit
history, agreement on the overlap documents, per day, documents nobody has, the
slowest and most disagreed-on documents. Definitions in ``docs/team.md``; the
records come from :mod:`annotator.services.team`'s assign and collect."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any

from annotator.core.kinds import DocStatus
from annotator.core.store import Project
from annotator.services.merging import plural
from annotator.services.team import DONE_STATUSES

__all__ = ["ACTIVE_GAP_SECONDS", "active_seconds", "progress", "format_progress", "format_duration"]

#: A gap between two consecutive history entries of an annotator counts as active time up to this (seconds).
ACTIVE_GAP_SECONDS = 300


def active_seconds(times: Iterable[str], cap: int = ACTIVE_GAP_SECONDS) -> list[tuple[str, float]]:
    """(time, seconds credited) for each entry of one annotator's history: the gap
    since their previous entry, capped at ``cap``; the first entry gets 0."""
    from datetime import datetime

    out: list[tuple[str, float]] = []
    prev: datetime | None = None
    for t in sorted(times):
        try:
            at = datetime.fromisoformat(t.replace("Z", "+00:00"))
        except ValueError:  # not a time (a hand-edited file): no time credited
            out.append((t, 0.0))
            continue
        gap = 0.0 if prev is None else min(max((at - prev).total_seconds(), 0.0), float(cap))
        out.append((t, gap))
        prev = at
    return out


def progress(project: Project, *, top: int = 10) -> dict[str, Any]:
    """The team's progress (definitions in ``docs/team.md``)."""
    from annotator.core.agreement import AgreementError, compute, load_corpus

    assignments = project.assignments()
    packages = {p["id"]: p for p in project.team_packages()}
    collected = {(c.package_id, c.doc_id): c for c in project.team_collected()}
    all_ids = project.document_ids()
    titles = project.document_titles(all_ids)
    names = list(dict.fromkeys(p["annotator"] for p in packages.values()))
    per: dict[str, dict[str, Any]] = {
        n: {"annotator": n, "assigned": 0, "not_started": 0, "in_progress": 0, "done": 0, "withdrawn": 0, "overlap": 0}
        for n in names
    }
    holders: dict[str, set[str]] = defaultdict(set)
    for a in assignments:
        row = per.setdefault(
            a.annotator,
            {
                "annotator": a.annotator,
                "assigned": 0,
                "not_started": 0,
                "in_progress": 0,
                "done": 0,
                "withdrawn": 0,
                "overlap": 0,
            },
        )
        if not a.active:
            row["withdrawn"] += 1
            continue
        holders[a.doc_id].add(a.annotator)
        row["assigned"] += 1
        row["overlap"] += int(a.overlap)
        c = collected.get((a.package_id, a.doc_id))
        if c is not None and c.status in DONE_STATUSES:
            row["done"] += 1
        elif c is not None and (c.status == DocStatus.IN_PROGRESS.value or c.annotations):
            row["in_progress"] += 1
        else:
            row["not_started"] += 1
    # annotations by kind, per layer
    kinds: dict[str, Counter] = defaultdict(Counter)
    for kind, _label, who, n in project.annotation_counts():
        kinds[who][kind] += n
    for name, row in per.items():
        row["annotations"] = dict(sorted(kinds.get(name, Counter()).items()))
    # active time from the packages' history
    by_actor: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    pkg_annotator = {pid: p["annotator"] for pid, p in packages.items()}
    #: (package, doc) -> when its annotator last marked it done (or further)
    marked_done: dict[tuple[str, str], str] = {}
    for pid, _seq, time, who, doc_id, _action, status in project.team_history():
        if who == pkg_annotator.get(pid):
            by_actor[who].append((time, doc_id))
            if doc_id and status in DONE_STATUSES:
                marked_done[(pid, doc_id)] = max(time, marked_done.get((pid, doc_id), ""))
    per_day: dict[str, dict[str, dict[str, float]]] = defaultdict(
        lambda: defaultdict(lambda: {"annotations": 0, "done": 0, "active_seconds": 0.0})
    )
    # documents done per day: those done at the last collect, on the day they were last marked done
    for a in assignments:
        c = collected.get((a.package_id, a.doc_id))
        when = marked_done.get((a.package_id, a.doc_id))
        if a.active and c is not None and c.status in DONE_STATUSES and when:
            per_day[when[:10]][a.annotator]["done"] += 1
    doc_seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for who, events in by_actor.items():
        events.sort()
        credited = active_seconds([t for t, _ in events])
        total = 0.0
        for (t, gap), (_t2, doc_id) in zip(credited, events):
            total += gap
            per_day[t[:10]][who]["active_seconds"] += gap
            if doc_id:
                doc_seconds[doc_id][who] += gap
        if who in per:
            per[who]["active_seconds"] = round(total, 1)
    for row in per.values():
        row.setdefault("active_seconds", 0.0)
    for _kind, who, created in project.annotation_columns(["kind", "annotator", "created"], list(per)) if per else []:
        per_day[created[:10]][who]["annotations"] += 1
    # agreement on the overlap documents, per pair
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    overlap_docs: dict[str, set[str]] = defaultdict(set)
    for a in assignments:
        if a.active and a.overlap:
            overlap_docs[a.doc_id].add(a.annotator)
    for doc_id, sharing in overlap_docs.items():
        for x, y in combinations(sorted(sharing), 2):
            shared[(x, y)].add(doc_id)
    pairs = []
    disagreement: Counter = Counter()
    for (x, y), docs in sorted(shared.items()):
        entry: dict[str, Any] = {
            "a": x,
            "b": y,
            "documents": len(docs),
            "entity_f1": None,
            "token_kappa": None,
            "argument_f1": None,
        }
        try:
            corpus = load_corpus(project, [x, y])
        except AgreementError:
            corpus = None
        if corpus is not None:
            corpus.docs = {d: v for d, v in corpus.docs.items() if d in docs}
            if corpus.docs:
                rep = compute(corpus)
                pair = rep["pairs"][0]
                entry.update(
                    compared=pair["documents"],
                    entity_f1=pair["entity_f1_exact"],
                    token_kappa=pair["token_kappa"],
                    argument_f1=pair["argument_f1"],
                )
                for item in rep["disagreement"]:
                    disagreement[item["doc_id"]] += item["disagreements"]
        entry.setdefault("compared", 0)
        pairs.append(entry)
    nobody = [d for d in all_ids if d not in holders]
    slowest = sorted(
        ((sum(c.values()), d, c) for d, c in doc_seconds.items() if sum(c.values()) >= 1), key=lambda x: (-x[0], x[1])
    )[:top]
    conflicts = project.team_conflicts()
    last_collect: dict[str, str] = {}
    for c in collected.values():
        last_collect[c.package_id] = max(last_collect.get(c.package_id, ""), c.collected)
    package_rows = []
    for pid, pkg in packages.items():
        mine = [a for a in assignments if a.package_id == pid]
        package_rows.append(
            {
                "package_id": pid,
                "annotator": pkg["annotator"],
                "file": pkg["file"],
                "created": pkg["created"],
                "documents": sum(1 for a in mine if a.active),
                "withdrawn": sum(1 for a in mine if not a.active),
                "last_collected": last_collect.get(pid),
            }
        )
    return {
        "packages": package_rows,
        "annotators": [per[n] for n in sorted(per, key=lambda n: (n not in names, names.index(n) if n in names else 0, n))],
        "documents": len(all_ids),
        "documents_handed_out": len(holders),
        "nobody_has": {"count": len(nobody), "documents": [{"doc_id": d, "title": titles.get(d, "")} for d in nobody[:top]]},
        "agreement": pairs,
        "per_day": [
            {
                "day": day,
                "annotator": who,
                "annotations": int(v["annotations"]),
                "done": int(v["done"]),
                "active_seconds": round(v["active_seconds"], 1),
            }
            for day in sorted(per_day)
            for who, v in sorted(per_day[day].items())
        ],
        "slowest": [
            {
                "doc_id": d,
                "title": titles.get(d, ""),
                "active_seconds": round(s, 1),
                "by": {k: round(v, 1) for k, v in sorted(c.items())},
            }
            for s, d, c in slowest
        ],
        "most_disagreed": [
            {"doc_id": d, "title": titles.get(d, ""), "disagreements": n}
            for d, n in sorted(disagreement.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            if n
        ],
        "conflicts": [
            {**c, "annotator": packages.get(c["package_id"], {}).get("annotator", ""), "title": titles.get(c["doc_id"], "")}
            for c in conflicts
        ],
        "active_gap_seconds": ACTIVE_GAP_SECONDS,
    }


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{int(seconds)} s"
    m = int(seconds // 60)
    return f"{m // 60}h{m % 60:02d}" if m >= 60 else f"{m} min"


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def format_progress(report: dict[str, Any]) -> str:
    """A plain-text rendering of :func:`progress` for the terminal."""
    lines = []
    head = f"{'annotator':<16} {'assigned':>8} {'not started':>11} {'in progress':>11} {'done':>6} {'active':>8}  annotations"
    lines.append(head)
    for r in report["annotators"]:
        anns = ", ".join(f"{k} {n}" for k, n in r["annotations"].items()) or "none"
        extra = f" ({r['withdrawn']} withdrawn)" if r["withdrawn"] else ""
        lines.append(
            f"{r['annotator']:<16} {r['assigned']:>8} {r['not_started']:>11} {r['in_progress']:>11} {r['done']:>6} "
            f"{format_duration(r['active_seconds']):>8}  {anns}{extra}"
        )
    lines.append(
        f"documents: {report['documents']}, handed out {report['documents_handed_out']}, nobody has {report['nobody_has']['count']}"
    )
    if report["agreement"]:
        lines.append("agreement on overlap documents (entity F1 exact, token kappa, event argument F1):")
        for p in report["agreement"]:
            lines.append(
                f"  {p['a']} / {p['b']}: {p['compared']} of {p['documents']} shared documents compared: "
                f"{_num(p['entity_f1'])}, {_num(p['token_kappa'])}, {_num(p['argument_f1'])}"
            )
    if report["per_day"]:
        lines.append("per day (annotations created, documents done, active time):")
        for d in report["per_day"]:
            lines.append(
                f"  {d['day']} {d['annotator']}: {d['annotations']}, {d['done']}, {format_duration(d['active_seconds'])}"
            )
    if report["slowest"]:
        lines.append("slowest documents (active time):")
        lines += [f"  {format_duration(s['active_seconds'])}  {s['title'] or s['doc_id']}" for s in report["slowest"]]
    if report["most_disagreed"]:
        lines.append("most disagreed-on documents:")
        lines += [f"  {m['disagreements']}  {m['title'] or m['doc_id']}" for m in report["most_disagreed"]]
    if report["packages"]:
        lines.append("packages (who has what):")
        for pk in report["packages"]:
            when = (
                f"last collected {pk['last_collected'][:16].replace('T', ' ')}" if pk["last_collected"] else "not collected yet"
            )
            gone = f", {pk['withdrawn']} withdrawn" if pk["withdrawn"] else ""
            lines.append(f"  {pk['file']}: {pk['annotator']}, {plural(pk['documents'], 'document')}{gone}; {when}")
    if report["conflicts"]:
        lines.append("conflicts (a document edited in two packages; both kept):")
        lines += [
            f"  {c['title'] or c['doc_id']}: {c['annotator']}'s package {c['package_id'][:8]} as layer {c['layer']}"
            for c in report["conflicts"]
        ]
    if report["nobody_has"]["count"]:
        lines.append(f"documents nobody has (first {len(report['nobody_has']['documents'])}):")
        lines += [f"  {d['title'] or d['doc_id']}" for d in report["nobody_has"]["documents"]]
    return "\n".join(lines)
