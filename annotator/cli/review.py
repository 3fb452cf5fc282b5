"""Commands of a reviewer: merge colleagues' work, measure agreement."""

from __future__ import annotations

import json
from pathlib import Path

import click

from annotator.core.agreement import DOCUMENT_MODES, AgreementError, TooFewAnnotators, agreement, format_report
from annotator.core.schema import SchemaError
from annotator.core.store import Project, ProjectError
from annotator.services.merging import MergeError, merge_paths, plural


@click.command("merge")
@click.argument("out", type=click.Path(path_type=Path))
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
def merge_command(out: Path, sources: tuple[Path, ...]) -> None:
    """Bring colleagues' work into the project OUT (created if missing): SOURCES
    are their projects (.annotator files, read only) or native exports (.jsonl).

    Documents are matched by their text; annotations keep their id,
    annotator and history. Merging again adds what is new, updates what
    changed (the later edit wins) and removes what was deleted there, never
    duplicating. A document whose id or external id is in OUT with another
    text is reported, not merged. Every source is checked before anything is
    written, and each is merged in one transaction.
    """
    if out.is_dir():
        raise click.ClickException(f"{out}: is a folder, not a project file")
    try:
        reports = merge_paths(out, sources)
    except (MergeError, ProjectError) as err:
        raise click.ClickException(str(err)) from None
    for r in reports:
        click.echo(r.summary())
        for problem in r.problems:
            click.echo(f"warning: {r.source}: {problem}", err=True)
    if len(reports) > 1:
        docs = sum(r.documents_added for r in reports)
        anns = sum(r.annotations_added + r.annotations_updated + r.annotations_deleted for r in reports)
        click.echo(f"{out}: {plural(docs, 'new document')}, {plural(anns, 'annotation')} added, updated or deleted")


@click.command("agreement")
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "--annotators",
    metavar="A,B,...",
    help="Compare only these annotators (comma-separated; default: everyone but the gold layer).",
)
@click.option("--label", metavar="L", help="Only annotations with this label (entity label, event type, or CLAIM).")
@click.option(
    "--documents",
    type=click.Choice(DOCUMENT_MODES),
    default="shared",
    show_default=True,
    help="Which documents count for a pair: those both annotated (shared) or those either annotated (any; the other counts as having marked nothing).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON (every pair, per-label breakdown).")
@click.pass_context
def agreement_command(
    ctx: click.Context, project: Path, annotators: str | None, label: str | None, documents: str, as_json: bool
) -> None:
    """Inter-annotator agreement in PROJECT: entity F1 (exact and overlapping
    spans), token-level Cohen's kappa, Krippendorff's alpha, event trigger and
    argument F1, claim span F1, claimant and attribute agreement.

    Agreement needs at least two annotators; with fewer, it says so and what to
    do, and exits with status 1 (nothing was computed).

    Definitions: docs/agreement.md.
    """
    if not project.exists():
        raise click.ClickException(f"{project}: no such project file")
    names = [n.strip() for n in annotators.split(",") if n.strip()] if annotators else None
    try:
        proj = Project(project)
    except ProjectError as err:
        raise click.ClickException(str(err)) from None
    try:
        if label is not None:
            known = {lab for kind in ("entity", "event", "claim") for lab in proj.schema.labels(kind)}
            known |= {lab for kind, lab, _who, _n in proj.annotation_counts() if kind != "relation"}
            if label not in known:
                raise click.ClickException(
                    f"--label {label}: no such label in {project.name} (labels: {', '.join(sorted(known))})"
                )
        report = agreement(proj, names, label=label, documents=documents)
    except TooFewAnnotators as err:
        # nothing to compute yet, not a mistake: the plain statement and the way on
        if err.needs_more_work:
            how = f"To measure agreement, merge another annotator's work into it: annotator merge {project} THEIRS.annotator"
        else:
            how = "Name at least two annotators with --annotators, or leave it out to compare everyone."
        click.echo(f"{err}\n{how}", err=True)
        ctx.exit(1)
    except (AgreementError, ProjectError, SchemaError) as err:
        raise click.ClickException(str(err)) from None
    finally:
        proj.close()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report))
