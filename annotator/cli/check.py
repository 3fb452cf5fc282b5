"""``annotator check``: the consistency report of a project (services.check)."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli.common import open_project, project_argument, user_errors


class CheckFailed(click.ClickException):
    """The check could not run (no project, unknown annotator, ...): exit status 2,
    as 1 means "inconsistencies found"."""

    exit_code = 2


@click.command("check")
@project_argument
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (every place of every finding).")
@click.option("--annotator", metavar="A", help="Check only this annotator's layer (default: each annotator's on its own).")
@click.option("--gold", is_flag=True, help="Check the gold layer (the review's decisions).")
@click.option(
    "--min-count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Look for unlabelled occurrences only of strings labelled at least this many times.",
)
@click.option(
    "--max-places", type=click.IntRange(min=1), default=10, show_default=True, help="Places listed per finding (text output)."
)
@click.pass_context
def check_command(
    ctx: click.Context, project: Path, as_json: bool, annotator: str | None, gold: bool, min_count: int, max_places: int
) -> None:
    """Consistency check of PROJECT: the same string given different labels,
    labelled strings left unlabelled elsewhere (whole words, in the documents the
    layer has annotated), the same string labelled with different boundaries,
    and events missing required roles. Each finding names its documents and
    code-point offsets.

    Each annotator's layer is checked on its own (or only --annotator A, or
    --gold). Exit status: 0 nothing found, 1 inconsistencies found, 2 the check
    could not run.
    """
    from annotator.services.check import CheckError, check_project, format_report

    if annotator is not None and gold:
        raise CheckFailed("--annotator and --gold: choose one layer")
    if not project.exists():
        raise CheckFailed(f"{project}: no such project file")
    try:
        proj = open_project(project)
    except click.ClickException as err:
        raise CheckFailed(err.message) from None
    try:
        with user_errors():
            report = check_project(proj, annotator, gold=gold, min_count=min_count)
    except CheckError as err:
        raise CheckFailed(str(err)) from None
    except click.ClickException as err:
        raise CheckFailed(err.message) from None
    finally:
        proj.close()
    click.echo(report.dumps() if as_json else format_report(report, max_places))
    ctx.exit(1 if report.issues else 0)
