"""``annotator schema-check``: validate schema files without a project."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.core.schema import LabelSchema, SchemaError, load_schema


@click.command("schema-check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--guidelines", is_flag=True, help="Also list the labels, roles and values that have no description.")
def schema_check_command(files: tuple[Path, ...], guidelines: bool) -> None:
    """Check label schema FILES (.toml, .yaml): every problem on a line of its own
    (file, line, field, what is wrong); for a good file, what it defines and how
    much of it has guidelines. The file format: docs/schema.md. Exit status 1 if
    any file is bad."""
    bad = 0
    for path in files:
        try:
            schema = load_schema(path)
        except SchemaError as err:
            bad += 1
            click.echo(str(err), err=True)
            continue
        click.echo(f"{path}: valid: {describe(schema)}")
        if guidelines:
            for entry in schema.guide_entries():
                if not entry.guide.description.strip():
                    click.echo(f"{path}: no description: {entry.title}")
    if bad:
        raise SystemExit(1)


def describe(schema: LabelSchema) -> str:
    """What a schema defines, and how much of it has guidelines, in one line."""
    roles = sum(len(e.roles) for e in schema.events)
    values = sum(len(a.values) for a in schema.claim.attributes)
    entries = schema.guide_entries()
    described = sum(1 for e in entries if e.guide.description.strip())
    examples = sum(1 for e in entries if e.guide.examples)
    return (
        f"{schema.name} (version {schema.version}): {_n(len(schema.entities), 'entity label')}, "
        f"{_n(len(schema.events), 'event type')} ({_n(roles, 'role')}), the claim with "
        f"{_n(len(schema.claim.attributes), 'attribute')} ({_n(values, 'value')}), "
        f"{_n(len(schema.relations), 'relation type')}; guidelines: {described} of {len(entries)} "
        f"described, {examples} with examples"
    )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
