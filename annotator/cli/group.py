"""The ``annotator`` command group: click only, a thin layer over the services.

Each command parses its options, calls a service (the same functions the desktop
app calls) and prints; library errors a user can meet become
:class:`click.ClickException` (message, non-zero exit, no traceback).  Commands
live in the submodules and are loaded when they are used, so starting the app
(no command) loads none of them; Qt is imported only when the app starts.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from annotator import __version__
from annotator.cli import AppStartError, DesktopUnavailable, start_app

#: Command name -> "module:attribute" of its click command (loaded on first use).
COMMANDS = {
    "open": "annotator.cli.app:open_command",
    "import": "annotator.cli.project:import_command",
    "stats": "annotator.cli.project:stats",
    "schema": "annotator.cli.project:schema",
    "schema-check": "annotator.cli.schema_check:schema_check_command",
    "export": "annotator.cli.export:export_command",
    "merge": "annotator.cli.review:merge_command",
    "agreement": "annotator.cli.review:agreement_command",
    "annotate-all": "annotator.cli.propagate:annotate_all_command",
    "check": "annotator.cli.check:check_command",
    "search": "annotator.cli.search:search_command",
    "assign": "annotator.cli.team:assign_command",
    "reassign": "annotator.cli.team:reassign_command",
    "collect": "annotator.cli.team:collect_command",
    "progress": "annotator.cli.team:progress_command",
    "doclabels": "annotator.cli.doclabels:doclabels_command",
    "kb": "annotator.cli.kb:kb_command",
    "suggest": "annotator.cli.suggest:suggest_command",
    "suggestions": "annotator.cli.suggest:suggestions_command",
    "train": "annotator.cli.train:train_command",
    "registry": "annotator.cli.registry:registry_command",
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when they are run or listed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command


def run_gui(path: Path | None) -> int:
    """Start the desktop app on the project file ``path`` (None: the default
    project); its exit status."""
    try:
        return start_app(path)
    except DesktopUnavailable as err:  # one line of its own, as the command without arguments says it
        click.echo(str(err), err=True)
        return 1
    except AppStartError as err:
        raise click.ClickException(str(err)) from None


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annotator")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Annotate news articles with entities, events and claims.

    Without a command, opens the desktop app on the default project (created
    with a demo article on first use; set ANNOTATOR_HOME to keep it elsewhere).
    """
    if ctx.invoked_subcommand is not None:
        return
    ctx.exit(run_gui(None))
