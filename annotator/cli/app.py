"""``annotator open``: the desktop app on a project file.

Only what opening needs is imported here (not the codecs, not pydantic): the
window's first paint comes as soon as for the default project (benchmarks case 6).
"""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli.common import open_project, project_argument
from annotator.cli.group import run_gui


@click.command("open")
@project_argument
@click.option("--create", is_flag=True, help="Make a new, empty project if PROJECT does not exist.")
@click.pass_context
def open_command(ctx: click.Context, project: Path, create: bool) -> None:
    """Open PROJECT (a .annotator file) in the desktop app."""
    open_project(project, create=create).close()
    ctx.exit(run_gui(project))
