"""The default project: where it lives, and its demo article on first use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from annotator.core.kinds import KINDS, DocStatus
from annotator.core.store import PROJECT_SUFFIX, Project
from annotator.services.seeds import repair_seed_titles


def default_data_dir() -> Path:
    """Where the default project lives: $ANNOTATOR_HOME, else the user data dir."""
    env = os.environ.get("ANNOTATOR_HOME")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("annotator", appauthor=False))


def default_project_path() -> Path:
    return default_data_dir() / f"default{PROJECT_SUFFIX}"


def open_project(path: str | Path | None = None, *, create: bool = False) -> Project:
    """Open ``path`` (or the default project, created with the demo article on first use)."""
    if path is None:
        return ensure_default_project()
    return Project(path, create=create)


def ensure_default_project() -> Project:
    """The default project, opened; the demo article is imported when it holds no document.

    The importers are loaded only then: opening an existing project needs none of them.
    """
    path = default_project_path()
    fresh = not path.exists()
    project = Project(path, create=True)
    if fresh or project.document_count() == 0:
        from annotator.services.importing import import_seeds

        import_seeds(project)
    else:
        repair_seed_titles(project)
    return project


def project_stats(project: Project) -> dict[str, Any]:
    """Documents by status; annotations by kind, label and annotator."""
    status = project.status_counts()
    by_status = {s.value: status.get(s.value, 0) for s in DocStatus}
    by_status.update({k: v for k, v in status.items() if k not in by_status})
    by_kind = {k: 0 for k in KINDS}
    by_label: dict[str, dict[str, int]] = {}
    by_annotator: dict[str, int] = {}
    for kind, label, annotator, n in project.annotation_counts():
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_label.setdefault(kind, {})[label] = by_label.get(kind, {}).get(label, 0) + n
        by_annotator[annotator] = by_annotator.get(annotator, 0) + n
    out: dict[str, Any] = {
        "project": str(project.path),
        "documents": {"total": sum(status.values()), "by_status": by_status},
        "annotations": {
            "total": sum(by_kind.values()),
            "by_kind": by_kind,
            "by_label": {k: dict(sorted(v.items())) for k, v in by_label.items()},
            "by_annotator": dict(sorted(by_annotator.items())),
        },
    }
    rows = project.doc_label_rows()
    if rows:  # document labels (issue 14): documents labelled, "category/label" counts, per annotator
        labels: dict[str, int] = {}
        people: dict[str, set[str]] = {}
        for r in rows:
            labels[f"{r.category}/{r.label}"] = labels.get(f"{r.category}/{r.label}", 0) + 1
            people.setdefault(r.annotator, set()).add(r.doc_id)
        out["doc_labels"] = {
            "documents": len({r.doc_id for r in rows}),
            "by_label": dict(sorted(labels.items())),
            "documents_by_annotator": {k: len(v) for k, v in sorted(people.items())},
        }
    return out
