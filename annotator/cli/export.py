"""The export command: training data in every format (see docs/formats.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from annotator.cli.common import FormatChoice
from annotator.core.models import SPAN_KINDS, DocStatus
from annotator.core.store import Project, ProjectError
from annotator.services.exporting import FORMATS, ExportError, ExportOptions, export, parse_split


@click.command("export")
@click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "-f",
    "fmt",
    required=True,
    type=FormatChoice(FORMATS),
    help="Output format (each is described in docs/formats.md).",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(),
    default=None,
    help="File (or folder, for brat, hf, labelstudio and any split) to write; a folder ending in / takes the default file name. "
    "Default: exports/PROJECT-FORMAT[.ext] in the working directory.",
)
@click.option("--annotator", default=None, help="Export only this annotator's annotations.")
@click.option("--gold", is_flag=True, help="Export only the adjudicated gold layer.")
@click.option(
    "--per-annotator", is_flag=True, help="One record per (document, annotator), for formats that hold one version of a document."
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in DocStatus]),
    help="Only documents with this status (repeat for several).",
)
@click.option("--label", "labels", multiple=True, help="Only documents with an annotation of this label (repeat for several).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(list(SPAN_KINDS)),
    help="Span kinds to export in spans/doccano/hf/conll/spacy/labelstudio (default: entity; repeat for several).",
)
@click.option("--include-empty", is_flag=True, help="Keep documents without annotations to export.")
@click.option(
    "--split",
    "split",
    default=None,
    metavar="TRAIN/DEV/TEST",
    help="Split by document, e.g. 80/10/10; writes train, dev and test files into the --out folder.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the split (same seed and texts: same split).")
@click.option("--sentences", is_flag=True, help="One record per sentence (spans, doccano, hf, events, spacy).")
@click.option(
    "--offsets",
    type=click.Choice(["codepoint", "utf16"]),
    default="codepoint",
    show_default=True,
    help="Character offsets as Python code points, or as UTF-16 code units (doccano, JavaScript and Java tools).",
)
@click.option(
    "--tokenizer",
    type=click.Choice(["default", "spacy"]),
    default="default",
    show_default=True,
    help="Tokenizer of token-based formats: the built-in rules, or spaCy's English tokenizer (needs spaCy).",
)
@click.option(
    "--fragments",
    type=click.Choice(["split", "hull", "first", "skip"]),
    default=None,
    help="What formats without discontinuous spans (spans, doccano, hf, conll, spacy, labelstudio) write for one: "
    "a span per fragment (split, the default), one span over the hull, the first fragment, or nothing. "
    "native, brat, events and claims keep the fragments.",
)
@click.option(
    "--with-suggestions",
    is_flag=True,
    help="Also write the stored suggestions (model and dictionary output, never annotations) as a layer of their own: "
    "OUT.suggestions.jsonl beside the export (suggestions.jsonl inside a folder export).",
)
def export_command(
    project: Path,
    fmt: str,
    out: str | None,
    annotator: str | None,
    gold: bool,
    per_annotator: bool,
    statuses: tuple[str, ...],
    labels: tuple[str, ...],
    kinds: tuple[str, ...],
    include_empty: bool,
    split: str | None,
    seed: int,
    sentences: bool,
    offsets: str,
    tokenizer: str,
    fragments: str | None,
    with_suggestions: bool = False,
) -> None:
    """Export PROJECT's documents and annotations as training data.

    Offsets are code points into the stored text (end-exclusive) unless
    --offsets utf16. Writing is atomic: an export that fails leaves nothing
    behind that looks complete. See docs/formats.md for every format.
    """
    try:
        options = ExportOptions(
            format=fmt,
            out=Path(out) if out is not None else None,
            out_is_folder=out is not None and out.endswith(("/", os.sep)),
            annotator=annotator,
            gold=gold,
            per_annotator=per_annotator,
            statuses=statuses,
            labels=labels,
            kinds=kinds,
            include_empty=include_empty,
            split=parse_split(split) if split else None,
            seed=seed,
            sentences=sentences,
            offsets=offsets,
            tokenizer=tokenizer,
            fragments=fragments,
        )
        options.check()
        with Project(project) as proj:
            bar = None
            if _stderr_tty():
                bar = click.progressbar(
                    length=max(1, proj.document_count()), label="Exporting", file=click.get_text_stream("stderr")
                )
                bar.__enter__()

            def progress(done: int, total: int) -> None:
                if bar is not None:
                    bar.length = max(1, total)
                    bar.update(done - bar.pos)

            try:
                report = export(proj, options, progress=progress)
            finally:
                if bar is not None:
                    bar.__exit__(None, None, None)
            if with_suggestions:
                from annotator.services.suggest.service import export_suggestions, suggestions_path

                layer = suggestions_path(report.out)
                n_docs, n = export_suggestions(proj, layer)
    except (ExportError, ProjectError) as err:
        raise click.ClickException(str(err)) from None
    for line in report.lines():
        click.echo(line)
    if with_suggestions:
        click.echo(f"wrote {n} suggestion{'' if n == 1 else 's'} of {n_docs} document{'' if n_docs == 1 else 's'} to {layer}")


def _stderr_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
