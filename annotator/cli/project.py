"""Commands on one project: import files, show its numbers, its schema."""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path
from typing import Any

import click

from annotator.cli.common import FormatChoice, open_project, project_argument, user_errors
from annotator.core.schema import load_schema
from annotator.formats import ReadOptions
from annotator.formats.labelstudio import LabelStudioOptions
from annotator.formats.offsets import OFFSET_UNITS, OffsetChoice
from annotator.services.importing import FORMATS, ImportReport, import_paths
from annotator.services.project import project_stats

#: Duplicates listed one by one before the rest are counted.
_DUPLICATES_LISTED = 20
#: Problems of one file listed before the rest are counted.
_ERRORS_LISTED = 50
#: Imports at least this large (bytes) or of at least this many files show a progress bar.
_BAR_BYTES = 1 << 20
_BAR_FILES = 10


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
                length=max(total, 1),
                label="importing",
                file=sys.stderr,
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
    """Per-file problems (stderr), then a line per file and the summary line (stdout)."""
    listed = 0
    for f in report.files:
        click.echo(f.line())
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
        for note in f.all_notes:
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


def _read_label_map(ctx: click.Context, param: click.Parameter, value: Path | None) -> tuple[Path, dict[str, str]] | None:
    """The label map file as ``{id: name}``; a clear message for a file that is not one."""
    if value is None:
        return None
    try:
        data = json.loads(value.read_text("utf-8"))
    except OSError as err:
        raise click.BadParameter(f"{value}: cannot read: {err.strerror or err}") from None
    except (ValueError, RecursionError) as err:
        raise click.BadParameter(f"{value}: not valid JSON ({str(err)[:80]})") from None
    if not isinstance(data, dict) or not data:
        raise click.BadParameter(f'{value}: expected a JSON object of label ids and names, e.g. {{"1": "PERSON"}}')
    for key, name in data.items():
        if not isinstance(name, str) or not name.strip():
            raise click.BadParameter(f"{value}: label id {key!r}: the name must be a non-empty string, found {name!r:.40}")
    return value, {str(k).strip(): v for k, v in data.items()}


@click.command("import")
@project_argument
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=FormatChoice(FORMATS),
    help="Read every file as this format (default: detect it from the extension and, for JSON, the records' keys).",
)
@click.option("--encoding", callback=_check_encoding, help="Text encoding of the files (default UTF-8), e.g. latin-1 or cp1252.")
@click.option(
    "--annotator",
    callback=_check_annotator,
    help="Who made the pre-annotations (default: the file's own, else 'imported'). Native files always keep their own.",
)
@click.option(
    "--add-labels", is_flag=True, help="Add labels the project's schema lacks (grey, no shortcut) instead of refusing the file."
)
@click.option("--partial", is_flag=True, help="Import the valid records of a file that has bad ones (the bad ones are listed).")
@click.option(
    "--offsets",
    type=click.Choice(OFFSET_UNITS),
    default="auto",
    show_default=True,
    help="What the files' offsets count (doccano, Prodigy): code points, UTF-16 units (doccano, older Label Studio), "
    "or auto: the unit under which every span's text matches, or every span lies on word edges; the summary says which.",
)
@click.option(
    "--crlf-as-one/--crlf-as-two",
    default=None,
    help="The tool counted a CRLF line break as one unit (doccano's grapheme projects, old brat) or as two "
    "(default: two with --offsets codepoint/utf16; tried both ways with auto).",
)
@click.option(
    "--label-map",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_read_label_map,
    help='A JSON object naming labels given as ids (old doccano exports): {"1": "PERSON", "2": "ORG"}.',
)
@click.option("--create", is_flag=True, help="Make the project if it does not exist.")
@click.option(
    "--data-key",
    help="Label Studio: the task data field holding the text (default: from labeling-config.xml, else the only text field, else 'text').",
)
@click.option(
    "--predictions", is_flag=True, help="Label Studio: import predictions too, each as a layer prediction:<model_version>."
)
@click.pass_context
def import_command(
    ctx: click.Context,
    project: Path,
    paths: tuple[Path, ...],
    fmt: str | None,
    encoding: str | None,
    annotator: str | None,
    add_labels: bool,
    partial: bool,
    offsets: str,
    crlf_as_one: bool | None,
    label_map: tuple[Path, dict[str, str]] | None,
    create: bool,
    data_key: str | None,
    predictions: bool,
) -> None:
    """Import documents from files and folders (recursively) into PROJECT.

    Formats: plain text (.txt: the first line is the title), HTML (.html:
    title and body text), JSON lines (.jsonl/.json: native, doccano,
    Prodigy or generic {"text", "spans"} records). Pre-annotations are kept
    (source 'imported'). Each file is imported in one transaction: a file
    with a bad record imports nothing (unless --partial), and the others still
    do. Documents whose text is in the project already are skipped. Exits with
    status 1 when anything was refused.

    Offsets (doccano, Prodigy): --offsets auto (the default) reads them in the
    unit under which every span's stated text matches, else every span lies on
    word edges, and refuses a file that fits several units differently; a span
    whose text disagrees with its offsets is refused, never moved.
    """
    options = ReadOptions(
        offsets=OffsetChoice(offsets, crlf_as_one),
        label_map=label_map[1] if label_map else None,
        label_map_name=str(label_map[0]) if label_map else "the label map",
    )
    proj = open_project(project, create=create)
    bar = _ProgressBar()
    try:
        with user_errors():
            report = import_paths(
                proj,
                paths,
                fmt=fmt,
                encoding=encoding,
                annotator=annotator,
                add_labels=add_labels,
                partial=partial,
                progress=bar,
                labelstudio=LabelStudioOptions(data_key=data_key, predictions=predictions, offsets=offsets),
                options=options,
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
def _table(rows: list[tuple[str, int]], indent: str = "  ") -> list[str]:
    if not rows:
        return [f"{indent}(none)"]
    width = max(len(name) for name, _ in rows)
    return [f"{indent}{name:<{width}}  {n:>7}" for name, n in rows]


@click.command()
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
    if "doc_labels" in data:
        dl = data["doc_labels"]
        lines.append(f"document labels: {dl['documents']} document{'' if dl['documents'] == 1 else 's'} labelled")
        lines.append("  by label:")
        lines += _table(list(dl["by_label"].items()), "    ")
        lines.append("  documents by annotator:")
        lines += _table(list(dl["documents_by_annotator"].items()), "    ")
    click.echo("\n".join(lines))


# ---------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------
@click.command()
@project_argument
@click.option(
    "--set",
    "new_schema",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Replace the schema with this file (.toml or .yaml) after validating it.",
)
@click.option("--force", is_flag=True, help="With --set: replace it even if existing annotations use labels it lacks.")
@click.option(
    "--guidelines-from",
    "guidelines_from",
    metavar="FILE|news",
    help="Copy the guidelines of FILE's (or the bundled news schema's) labels, roles and values into the "
    "project's schema where the names match; nothing else changes.",
)
def schema(project: Path, new_schema: Path | None, force: bool, guidelines_from: str | None) -> None:
    """Show PROJECT's label schema as YAML, or replace it (--set FILE).

    A new schema that lacks labels existing annotations use is refused
    (nothing changes) unless --force. --guidelines-from news gives a project
    made before guidelines existed the bundled news schema's guidelines.
    """
    if force and new_schema is None:
        raise click.UsageError("--force only goes with --set FILE")
    if guidelines_from is not None and new_schema is not None:
        raise click.UsageError("--guidelines-from and --set exclude each other")
    proj = open_project(project)
    try:
        with user_errors():
            if guidelines_from is not None:
                from annotator.core.schema import default_schema

                source = default_schema() if guidelines_from == "news" else load_schema(Path(guidelines_from))
                updated, n = proj.schema.with_guidelines_from(source)
                if n:
                    proj.set_schema(updated)
                click.echo(
                    f"{project}: guidelines of {n} label{'s' if n != 1 else ''}, roles and values taken from {guidelines_from}"
                )
                return
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
