"""``annotator kb``: local knowledge bases for linking entities (issue 14):
load one from a file, list them, search one for candidates, delete one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from annotator.cli.common import open_project, project_argument, user_errors


@click.group("kb")
def kb_command() -> None:
    """Knowledge bases of a project: entries (id, name, aliases, description)
    that entities are linked to (normalization)."""


@kb_command.command("load")
@project_argument
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--name", "name", required=True, metavar="RES", help="The knowledge base's name in links (RES:ID, e.g. Wikidata).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "tsv", "jsonl"]), help="The file's format (default: from its suffix or content)."
)
@click.option("--replace", is_flag=True, help="Replace a knowledge base of that name (default: refuse).")
@click.option("--actor", default="annotator", show_default=True, help="Who loads it (the project's history).")
def load_command(project: Path, file: Path, name: str, fmt: str | None, replace: bool, actor: str) -> None:
    """Load FILE (CSV or TSV with a header: id, name, aliases (|-separated),
    description; or JSON lines with those keys) into PROJECT as knowledge base RES,
    in one transaction: a bad row (file:line in the message) changes nothing."""
    from annotator.services.kb import KbError, load_kb

    if not file.exists():
        raise click.ClickException(f"{file}: no such file")
    proj = open_project(project)
    show = sys.stderr.isatty()

    def progress(done: int, total: int, entries: int) -> None:
        if show:
            pct = 100 * done // total if total else 100
            click.echo(f"\r{entries:,} entries ({pct}%)", nl=False, err=True)

    try:
        with user_errors():
            try:
                report = load_kb(proj, file, name, fmt=fmt, replace=replace, actor=actor, progress=progress)
            except KbError as err:
                raise click.ClickException(str(err)) from None
    finally:
        if show:
            click.echo("", err=True)
        proj.close()
    was = f" (replaced {report.replaced:,} entries)" if report.replaced is not None else ""
    click.echo(
        f"loaded {report.entries:,} entries into {report.resource!r} from {file} ({report.format}){was} in {report.seconds:.1f} s"
    )


@kb_command.command("list")
@project_argument
@click.option("--json", "as_json", is_flag=True, help="One JSON object per knowledge base.")
def list_command(project: Path, as_json: bool) -> None:
    """The knowledge bases of PROJECT: name, entries, file, when loaded."""
    proj = open_project(project)
    try:
        with user_errors():
            found = proj.kb_resources()
    finally:
        proj.close()
    for r in found:
        if as_json:
            click.echo(json.dumps(r._asdict(), ensure_ascii=False))
        else:
            click.echo(f"{r.name}\t{r.entries}\t{r.file}\t{r.loaded}")
    if not found and not as_json:
        click.echo("no knowledge bases (annotator kb load PROJECT FILE --name RES)", err=True)


@kb_command.command("search")
@project_argument
@click.argument("query")
@click.option("--resource", "resource", metavar="R", help="Search this knowledge base only (default: all).")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Show the best N.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per candidate.")
def search_command(project: Path, query: str, resource: str | None, limit: int, as_json: bool) -> None:
    """Fuzzy candidates for QUERY (a name, an alias, typos allowed, or an id):
    one line each, best first (score 0-100, RES:ID, name, description)."""
    from annotator.services.kb import KbError, kb_candidates

    if not query.strip():
        raise click.UsageError("QUERY is empty")
    proj = open_project(project)
    try:
        with user_errors():
            try:
                found = kb_candidates(proj, resource, query, limit)
            except KbError as err:
                raise click.ClickException(str(err)) from None
    finally:
        proj.close()
    for c in found:
        if as_json:
            click.echo(json.dumps(c.to_dict(), ensure_ascii=False))
        else:
            via = f" (as {c.matched!r})" if c.matched not in (c.name, c.id) else ""
            click.echo(f"{c.score:5.1f}\t{c.resource}:{c.id}\t{c.name}{via}\t{c.description}")
    if not as_json:
        click.echo(f"{len(found)} candidate{'' if len(found) == 1 else 's'}", err=True)


@kb_command.command("delete")
@project_argument
@click.argument("name")
@click.option("--actor", default="annotator", show_default=True, help="Who deletes it (the project's history).")
def delete_command(project: Path, name: str, actor: str) -> None:
    """Delete knowledge base NAME and its entries (links already made stay)."""
    from annotator.services.kb import KbError, delete_kb

    proj = open_project(project)
    try:
        with user_errors():
            try:
                n = delete_kb(proj, name, actor=actor)
            except KbError as err:
                raise click.ClickException(str(err)) from None
    finally:
        proj.close()
    click.echo(f"deleted {name!r} ({n:,} entries)")
