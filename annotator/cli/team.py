"""Commands of a team lead: hand out work in packages, collect it, see progress
(:mod:`annotator.services.team`; rules in docs/team.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from annotator.cli.common import open_project, project_argument, user_errors
from annotator.services.merging import plural
from annotator.services.team import (
    TeamError,
    assign,
    collect,
    plan_assignment,
    plan_reassign,
    reassign,
)
from annotator.services.team_progress import format_progress, progress

annotators_option = click.option(
    "--annotators", metavar="A,B,...", help="The annotators' names, comma-separated (each gets one package)."
)
out_option = click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    help="Folder for the packages (created if missing; existing files are never overwritten).",
)
seed_option = click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same split.")
dry_run_option = click.option("--dry-run", is_flag=True, help="Show the split only; write nothing.")


def _split(value: str | None) -> list[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def _echo_plan(plan, packages) -> None:  # type: ignore[no-untyped-def]
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    for line in plan.lines():
        click.echo(line)
    if not plan.total:
        click.echo("nothing to hand out")
    for info in packages:
        click.echo(f"{info.annotator}: {info.path} ({plural(info.documents, 'document')})")


@click.command("assign")
@project_argument
@annotators_option
@click.option(
    "--overlap",
    type=float,
    default=0.0,
    show_default=True,
    help="Percent of the documents that go to several annotators (to measure agreement).",
)
@click.option(
    "--overlap-annotators",
    "overlap_annotators",
    type=int,
    default=2,
    show_default=True,
    help="How many annotators get each overlap document.",
)
@click.option(
    "--per-annotator",
    "per_annotator",
    type=int,
    help="At most this many documents per annotator (the rest wait for the next assign).",
)
@click.option(
    "--documents",
    default="new",
    show_default=True,
    metavar="new|STATUS|FILE",
    help="Which documents: those with a status (new, in_progress, done, in_review, reviewed) or those listed in FILE (ids or external ids, one a line); documents someone has already are skipped.",
)
@click.option(
    "--from", "leaver", metavar="NAME", help="Reassign: hand NAME's unfinished documents to the others (or to --annotators)."
)
@seed_option
@out_option
@dry_run_option
def assign_command(
    project: Path,
    annotators: str | None,
    overlap: float,
    overlap_annotators: int,
    per_annotator: int | None,
    documents: str,
    leaver: str | None,
    seed: int,
    out: Path | None,
    dry_run: bool,
) -> None:
    """Hand out documents of PROJECT to annotators: one package (a project
    file) per annotator in --out, to open in the app as they are.

    The split is deterministic for a seed and balanced by text length; the
    --overlap share goes to --overlap-annotators annotators each. PROJECT
    records who has what; assigning again hands out documents nobody has.
    """
    if leaver is not None:
        _reassign(project, leaver, annotators, seed, out, dry_run)
        return
    if not _split(annotators):
        raise click.UsageError("--annotators is required (e.g. --annotators alice,bob)")
    if out is None and not dry_run:
        raise click.UsageError("--out is required: the folder for the packages")
    proj = open_project(project)
    try:
        with user_errors():
            if dry_run:
                plan = plan_assignment(
                    proj, _split(annotators), documents=documents, overlap=overlap,
                    overlap_annotators=overlap_annotators, per_annotator=per_annotator, seed=seed,
                )  # fmt: skip
                _echo_plan(plan, [])
                return
            assert out is not None
            plan, packages = assign(
                proj, _split(annotators), out, documents=documents, overlap=overlap,
                overlap_annotators=overlap_annotators, per_annotator=per_annotator, seed=seed, actor="cli",
            )  # fmt: skip
    except TeamError as err:
        raise click.ClickException(str(err)) from None
    finally:
        proj.close()
    _echo_plan(plan, packages)


def _reassign(project: Path, leaver: str, annotators: str | None, seed: int, out: Path | None, dry_run: bool) -> None:
    if out is None and not dry_run:
        raise click.UsageError("--out is required: the folder for the packages")
    proj = open_project(project)
    try:
        with user_errors():
            if dry_run:
                plan = plan_reassign(proj, leaver, _split(annotators) or None, seed=seed)
                _echo_plan(plan, [])
                return
            assert out is not None
            plan, packages = reassign(proj, leaver, out, _split(annotators) or None, seed=seed, actor="cli")
    except TeamError as err:
        raise click.ClickException(str(err)) from None
    finally:
        proj.close()
    click.echo(f"{len(plan.withdrawn)} of {leaver}'s unfinished documents withdrawn")
    _echo_plan(plan, packages)


@click.command("reassign")
@project_argument
@click.argument("leaver", metavar="NAME")
@annotators_option
@seed_option
@out_option
@dry_run_option
def reassign_command(project: Path, leaver: str, annotators: str | None, seed: int, out: Path | None, dry_run: bool) -> None:
    """Hand NAME's unfinished documents (not done at their last collect) to the
    others (everyone else with work, or --annotators), in new packages.
    NAME's annotations stay; a package of NAME collected later still comes in."""
    _reassign(project, leaver, annotators, seed, out, dry_run)


@click.command("collect")
@project_argument
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def collect_command(ctx: click.Context, project: Path, files: tuple[Path, ...]) -> None:
    """Bring annotators' packages back into PROJECT.

    Each package is checked (a package of PROJECT, signature, texts unchanged)
    and collected in one transaction; a refused one changes nothing and the
    others still come in (exit status 1 if any was refused). Collecting again
    brings only what changed. A document edited in two packages is reported
    as a conflict; both versions are kept as layers.
    """
    proj = open_project(project)
    try:
        with user_errors():
            reports = collect(proj, files, actor="cli")
    except TeamError as err:
        raise click.ClickException(str(err)) from None
    finally:
        proj.close()
    for r in reports:
        if r.refused:
            click.echo(f"error: {r.summary()}", err=True)
            continue
        click.echo(r.summary())
        for c in r.conflicts:
            click.echo(f"conflict: {r.source}: {c}", err=True)
        for p in r.problems:
            click.echo(f"warning: {r.source}: {p}", err=True)
    if any(r.refused for r in reports):
        ctx.exit(1)


@click.command("progress")
@project_argument
@click.option("--json", "as_json", is_flag=True, help="The full report as JSON.")
def progress_command(project: Path, as_json: bool) -> None:
    """The team's progress in PROJECT: per annotator documents assigned, in
    progress and done, annotations by kind, active time; agreement on the
    overlap documents; per day; documents nobody has; the slowest and most
    disagreed-on documents. Definitions: docs/team.md."""
    proj = open_project(project)
    try:
        with user_errors():
            report = progress(proj)
    finally:
        proj.close()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_progress(report))
