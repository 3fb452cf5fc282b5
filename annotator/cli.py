"""The ``annotator`` command line: a thin click layer over the core and the formats.

Library errors a user can meet become :class:`click.ClickException` (message,
non-zero exit, no traceback).  Qt is imported only when the GUI starts.
"""

from __future__ import annotations

import codecs
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

# annotator's models use no pydantic plugins; looking for them scans the entry
# points of every installed distribution (~35 ms of each start of the command
# and the app, benchmarks/RESULTS.md case 8). Set it (to an empty value) to use them.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from annotator import __version__  # noqa: E402 (models are built on import: after the line above)
from annotator.core.commands import CommandError
from annotator.core.importing import FORMATS, ImportReport, import_paths
from annotator.core.models import KINDS, DocStatus
from annotator.core.schema import SchemaError, load_schema
from annotator.core.store import Project, ProjectError, ensure_default_project
from annotator.core.text import TextError
from annotator.formats import InputError

#: Errors whose message is for people: shown without a traceback.
USER_ERRORS = (ProjectError, InputError, SchemaError, TextError, CommandError)
#: Duplicates listed one by one before the rest are counted.
_DUPLICATES_LISTED = 20
#: Problems of one file listed before the rest are counted.
_ERRORS_LISTED = 50
#: Imports at least this large (bytes) or of at least this many files show a progress bar.
_BAR_BYTES = 1 << 20
_BAR_FILES = 10


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's user-facing errors into ClickExceptions."""
    try:
        yield
    except USER_ERRORS as err:
        raise click.ClickException(str(err)) from None


def open_project(path: Path, *, create: bool = False) -> Project:
    """Open a project for a command; a clear message when it cannot be opened."""
    if not create and not path.exists():
        raise click.ClickException(f"{path}: no such project file (add --create to make a new project)")
    if path.is_dir():
        raise click.ClickException(f"{path}: is a folder, not a project file")
    with user_errors():
        return Project(path, create=create)


def _run_gui(path: Path) -> int:
    try:
        from annotator.ui.app import run
    except ImportError as err:
        raise click.ClickException(f"the desktop app cannot start: {err}") from None
    return run(path)


project_argument = click.argument("project", type=click.Path(path_type=Path))


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annotator")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Annotate news articles with entities, events and claims.

    Without a command, opens the desktop app on the default project (created
    with a demo article on first use; set ANNOTATOR_HOME to keep it elsewhere).
    """
    if ctx.invoked_subcommand is not None:
        return
    with user_errors():
        project = ensure_default_project()
        path = project.path
        project.close()
    ctx.exit(_run_gui(path))


@main.command("open")
@project_argument
@click.option("--create", is_flag=True, help="Make a new, empty project if PROJECT does not exist.")
@click.pass_context
def open_command(ctx: click.Context, project: Path, create: bool) -> None:
    """Open PROJECT (a .annotator file) in the desktop app."""
    open_project(project, create=create).close()
    ctx.exit(_run_gui(project))


# ---------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------
class _ProgressBar:
    """A click progress bar on stderr, shown only on a terminal and only for big imports."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.bar: Any = None
        self.files: set[str] = set()
        self.done = 0

    def __call__(self, done: int, total: int, current: str) -> None:
        if not self.enabled:
            return
        self.files.add(current)
        if self.bar is None:
            if total < _BAR_BYTES and len(self.files) < _BAR_FILES:
                return
            self.bar = click.progressbar(
                length=max(total, 1), label="importing", file=sys.stderr,
                item_show_func=lambda name: Path(name).name if name else None,
            )
            self.bar.__enter__()
        self.bar.update(max(done - self.done, 0), current)
        self.done = max(done, self.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def print_report(report: ImportReport) -> None:
    """Per-file problems (stderr), then the summary line (stdout)."""
    listed = 0
    for f in report.files:
        for dup in f.duplicates:
            if listed < _DUPLICATES_LISTED:
                click.echo(f"duplicate: {dup}", err=True)
            listed += 1
        verb = "refused" if f.refused else "left out"
        for err in f.errors[:_ERRORS_LISTED]:
            click.echo(f"{verb}: {err}", err=True)
        if len(f.errors) > _ERRORS_LISTED:
            click.echo(f"{verb}: {f.path}: ... and {len(f.errors) - _ERRORS_LISTED} more problems", err=True)
        if f.added_labels:
            click.echo(f"{f.path}: added to the schema: {', '.join(f.added_labels)}", err=True)
        for note in f.notes:
            click.echo(f"{f.path}: {note}", err=True)
    if listed > _DUPLICATES_LISTED:
        click.echo(f"duplicate: ... and {listed - _DUPLICATES_LISTED} more", err=True)
    click.echo(report.summary())


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        codecs.lookup(value)
    except LookupError:
        raise click.BadParameter(f"unknown text encoding {value!r} (e.g. utf-8, latin-1, cp1252)") from None
    return value


def _check_annotator(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("the annotator name may not be empty")
    return value.strip() if value else value


@main.command("import")
@project_argument
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Read every file as this format (default: detect it from the extension and, for JSON, the records' keys).")
@click.option("--encoding", callback=_check_encoding, help="Text encoding of the files (default UTF-8), e.g. latin-1 or cp1252.")
@click.option("--annotator", callback=_check_annotator, help="Who made the pre-annotations (default: the file's own, else 'imported'). Native files always keep their own.")
@click.option("--add-labels", is_flag=True, help="Add labels the project's schema lacks (grey, no shortcut) instead of refusing the file.")
@click.option("--partial", is_flag=True, help="Import the valid records of a file that has bad ones (the bad ones are listed).")
@click.option("--create", is_flag=True, help="Make the project if it does not exist.")
@click.pass_context
def import_command(
    ctx: click.Context, project: Path, paths: tuple[Path, ...], fmt: str | None, encoding: str | None,
    annotator: str | None, add_labels: bool, partial: bool, create: bool,
) -> None:
    """Import documents from files and folders (recursively) into PROJECT.

    Formats: plain text (.txt: the first line is the title), HTML (.html:
    title and body text), JSON lines (.jsonl/.json: native, doccano,
    Prodigy or generic {"text", "spans"} records). Pre-annotations are kept
    (source 'imported'). Each file is imported in one transaction: a file
    with a bad record imports nothing (unless --partial), and the others still
    do. Documents whose text is in the project already are skipped. Exits with
    status 1 when anything was refused.
    """
    proj = open_project(project, create=create)
    bar = _ProgressBar()
    try:
        with user_errors():
            report = import_paths(
                proj, paths, fmt=fmt, encoding=encoding, annotator=annotator,
                add_labels=add_labels, partial=partial, progress=bar,
            )
    finally:
        bar.close()
        proj.close()
    print_report(report)
    if not report.ok:
        ctx.exit(1)


# ---------------------------------------------------------------------------
# stats
# ---------------------------------------------------------------------------
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
    return {
        "project": str(project.path),
        "documents": {"total": sum(status.values()), "by_status": by_status},
        "annotations": {
            "total": sum(by_kind.values()),
            "by_kind": by_kind,
            "by_label": {k: dict(sorted(v.items())) for k, v in by_label.items()},
            "by_annotator": dict(sorted(by_annotator.items())),
        },
    }


def _table(rows: list[tuple[str, int]], indent: str = "  ") -> list[str]:
    if not rows:
        return [f"{indent}(none)"]
    width = max(len(name) for name, _ in rows)
    return [f"{indent}{name:<{width}}  {n:>7}" for name, n in rows]


@main.command()
@project_argument
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def stats(project: Path, as_json: bool) -> None:
    """Show PROJECT's documents by status and its annotations by kind, label and annotator."""
    proj = open_project(project)
    try:
        with user_errors():
            data = project_stats(proj)
    finally:
        proj.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    docs, anns = data["documents"], data["annotations"]
    lines = [data["project"], f"documents: {docs['total']}"]
    lines += _table(list(docs["by_status"].items()))
    lines.append(f"annotations: {anns['total']}")
    lines.append("  by kind:")
    lines += _table(list(anns["by_kind"].items()), "    ")
    lines.append("  by label:")
    lines += _table([(f"{kind} {label}", n) for kind, labels in anns["by_label"].items() for label, n in labels.items()], "    ")
    lines.append("  by annotator:")
    lines += _table(list(anns["by_annotator"].items()), "    ")
    click.echo("\n".join(lines))


# ---------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------
@main.command()
@project_argument
@click.option("--set", "new_schema", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Replace the schema with this file (.toml or .yaml) after validating it.")
@click.option("--force", is_flag=True, help="With --set: replace it even if existing annotations use labels it lacks.")
def schema(project: Path, new_schema: Path | None, force: bool) -> None:
    """Show PROJECT's label schema as YAML, or replace it (--set FILE).

    A new schema that lacks labels existing annotations use is refused
    (nothing changes) unless --force.
    """
    if force and new_schema is None:
        raise click.UsageError("--force only goes with --set FILE")
    proj = open_project(project)
    try:
        with user_errors():
            if new_schema is None:
                click.echo(proj.schema.dump_yaml(), nl=False)
                return
            loaded = load_schema(new_schema)
            orphans = proj.orphaned_by(loaded)
            proj.set_schema(loaded, force=force)
    finally:
        proj.close()
    click.echo(f"{project}: schema replaced by {new_schema} ({loaded.name}, version {loaded.version})")
    if orphans:
        listed = ", ".join(f"{kind} {label} ({n})" for (kind, label), n in sorted(orphans.items()))
        click.echo(f"warning: annotations with labels the schema lacks: {listed}", err=True)


# ---------------------------------------------------------------------------
# More commands. Other modules register theirs below, one line each:
#     from annotator.<module> import <command>
#     main.add_command(<command>)
# Keep every import here free of Qt (tests/test_layering.py checks it).
# ---------------------------------------------------------------------------
from annotator.core.merge import merge_command  # noqa: E402
main.add_command(merge_command)
from annotator.core.agreement import agreement_command  # noqa: E402
main.add_command(agreement_command)
from annotator.formats.export import export_command  # noqa: E402

main.add_command(export_command)
