"""``annotator registry``: the project's entity registry (issue 15): list, show,
add, edit and delete entries, and which registry entries would fit a cluster.

Every change is an undoable command of the core (the same the app runs); the
command line applies it at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from annotator.cli.common import open_project, project_argument, user_errors
from annotator.core.store import Project

ACTOR = "cli"


@click.group("registry")
def registry_command() -> None:
    """The entity registry: one entry per actor across the corpus (name, type,
    aliases, description), linked from coreference clusters."""


def _entry(project: Project, query: str) -> Any:
    """The one entry ``query`` names (its id, name or an alias); a message otherwise."""
    from annotator.services.coref import find_entries

    found = find_entries(project, query)
    if not found:
        raise click.ClickException(f"no registry entry with the id, name or alias {query!r} (annotator registry PROJECT list)")
    if len(found) > 1:
        listed = ", ".join(f"{e.id} ({e.name})" for e in found)
        raise click.ClickException(f"{query!r} names {len(found)} registry entries: {listed}; give the id")
    return found[0]


def _entry_dict(entry: Any, usage: tuple[int, int, int] | None = None) -> dict[str, Any]:
    d = entry.to_dict()
    if usage is not None:
        d["documents"], d["clusters"], d["mentions"] = usage
    return d


@registry_command.command("list")
@project_argument
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry and line.")
def list_command(project: Path, as_json: bool) -> None:
    """Every entry with the documents, clusters and mentions linked to it."""
    from annotator.services.coref import registry_listing

    with user_errors(), open_project(project) as p:
        rows = registry_listing(p)
        if as_json:
            for r in rows:
                click.echo(json.dumps(_entry_dict(r.entry, (r.documents, r.clusters, r.mentions)), ensure_ascii=False))
            return
        if not rows:
            click.echo("the registry is empty (add entries with: annotator registry PROJECT add NAME)")
            return
        click.echo(f"{'id':<16}  {'name':<30} {'type':<10} {'docs':>5} {'clusters':>8} {'mentions':>8}  aliases")
        for r in rows:
            e = r.entry
            click.echo(
                f"{e.id:<16}  {e.name[:30]:<30} {(e.type or '')[:10]:<10} {r.documents:>5} {r.clusters:>8} {r.mentions:>8}  "
                + ", ".join(e.aliases)
            )


@registry_command.command("show")
@project_argument
@click.argument("entry")
@click.option("--json", "as_json", is_flag=True, help="The entry and its documents as one JSON object.")
def show_command(project: Path, entry: str, as_json: bool) -> None:
    """One entry (by id, name or alias) and the documents whose clusters link to it."""
    with user_errors(), open_project(project) as p:
        e = _entry(p, entry)
        docs = p.registry_documents(e.id)
        if as_json:
            d = _entry_dict(e)
            d["in_documents"] = [{"doc_id": i, "title": t, "mentions": n} for i, t, n in docs]
            click.echo(json.dumps(d, ensure_ascii=False))
            return
        click.echo(f"{e.name}  ({e.id})")
        if e.type:
            click.echo(f"type: {e.type}")
        if e.aliases:
            click.echo(f"aliases: {', '.join(e.aliases)}")
        if e.description:
            click.echo(f"description: {e.description}")
        for link in e.links:
            click.echo(f"link: {json.dumps(link, ensure_ascii=False)}")
        click.echo(f"in {len(docs)} document{'s' * (len(docs) != 1)}:")
        for i, t, n in docs:
            click.echo(f"  {i}  {t[:60]}  ({n} mention{'s' * (n != 1)})")


@registry_command.command("add")
@project_argument
@click.argument("name")
@click.option("--type", "type_", metavar="TYPE", help="The entry's type (e.g. PERSON).")
@click.option("--alias", "aliases", metavar="ALIAS", multiple=True, help="Another name (repeatable).")
@click.option("--description", default="", help="A description (e.g. MEA spokesperson).")
def add_command(project: Path, name: str, type_: str | None, aliases: tuple[str, ...], description: str) -> None:
    """Add an entry; prints its id."""
    from annotator.core.commands import apply
    from annotator.core.coref import RegistryEntry
    from annotator.core.coref_commands import AddRegistryEntry

    if not name.strip():
        raise click.ClickException("a registry entry needs a name")
    with user_errors(), open_project(project) as p:
        same = [e for e in p.registry_entries() if e.name.casefold() == name.strip().casefold() and e.type == (type_ or None)]
        if same:
            raise click.ClickException(f"the registry has {name.strip()!r} already ({same[0].id}); edit it with: registry edit")
        entry = RegistryEntry(name=name.strip(), type=type_ or None, aliases=tuple(aliases), description=description)
        apply(p, AddRegistryEntry(ACTOR, entry))
        click.echo(entry.id)


@registry_command.command("edit")
@project_argument
@click.argument("entry")
@click.option("--name", help="A new name.")
@click.option("--type", "type_", metavar="TYPE", help="A new type ('' clears it).")
@click.option("--alias", "aliases", metavar="ALIAS", multiple=True, help="Add an alias (repeatable).")
@click.option("--remove-alias", "removed", metavar="ALIAS", multiple=True, help="Remove an alias (repeatable).")
@click.option("--description", help="A new description.")
def edit_command(
    project: Path,
    entry: str,
    name: str | None,
    type_: str | None,
    aliases: tuple[str, ...],
    removed: tuple[str, ...],
    description: str | None,
) -> None:
    """Change an entry (given by id, name or alias)."""
    from annotator.core.commands import apply
    from annotator.core.coref_commands import UNSET, UpdateRegistryEntry

    with user_errors(), open_project(project) as p:
        e = _entry(p, entry)
        missing = [a for a in removed if a not in e.aliases]
        if missing:
            raise click.ClickException(f"{e.name} has no alias {missing[0]!r} (aliases: {', '.join(e.aliases) or 'none'})")
        new_aliases = [a for a in e.aliases if a not in removed] + list(aliases)
        changes: dict[str, Any] = {
            "name": name if name is not None else UNSET,
            "type": (type_ or None) if type_ is not None else UNSET,
            "aliases": new_aliases if aliases or removed else UNSET,
            "description": description if description is not None else UNSET,
        }
        if all(v is UNSET for v in changes.values()):
            raise click.ClickException("nothing to change: give --name, --type, --alias, --remove-alias or --description")
        apply(p, UpdateRegistryEntry(ACTOR, e.id, **changes))
        click.echo(f"changed {e.id}")


@registry_command.command("delete")
@project_argument
@click.argument("entry")
def delete_command(project: Path, entry: str) -> None:
    """Delete an entry: clusters linked to it are unlinked, and claimants and
    arguments naming it are cleared."""
    from annotator.core.commands import apply
    from annotator.core.coref_commands import DeleteRegistryEntry

    with user_errors(), open_project(project) as p:
        e = _entry(p, entry)
        n = len(p.clusters_linked_to(e.id))
        apply(p, DeleteRegistryEntry(ACTOR, e.id))
        click.echo(f"deleted {e.name} ({e.id}); {n} cluster{'s' * (n != 1)} unlinked")


@registry_command.command("propose")
@project_argument
@click.argument("cluster")
@click.option("--limit", type=click.IntRange(min=1), default=5, show_default=True, help="Show at most N entries.")
def propose_command(project: Path, cluster: str, limit: int) -> None:
    """Registry entries whose name or an alias matches the mentions of CLUSTER
    (a cluster id), best first."""
    from annotator.services.coref import propose_for_cluster

    with user_errors(), open_project(project) as p:
        if p.get_cluster(cluster) is None:
            raise click.ClickException(f"no cluster {cluster!r} in this project")
        found = propose_for_cluster(p, cluster, limit=limit)
        if not found:
            click.echo("no registry entry matches this cluster's mentions")
        for prop in found:
            click.echo(f"{prop.score:5.1f}  {prop.entry.id}  {prop.entry.name}  ({prop.mention!r} ~ {prop.matched_name!r})")
