"""``annotator train``: a spaCy NER model from the project's annotations (services.suggest.train)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotator.cli.common import open_project, project_argument, user_errors


def default_out(project: Path) -> Path:
    """``news.annotator`` -> ``news.model`` beside it."""
    return project.with_name(f"{project.stem}.model")


@click.command("train")
@project_argument
@click.option("--annotator", metavar="A", help="Train on this annotator's layer (default: the only annotator's).")
@click.option("--gold", is_flag=True, help="Train on the gold layer (the review's decisions).")
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of the model (a spaCy pipeline); an earlier model there is replaced. Default: PROJECT's name with .model, beside it.",
)
@click.option(
    "--held-out",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.2,
    show_default=True,
    help="Share of the documents held out to measure precision, recall and F1 (0: none).",
)
@click.option(
    "--iterations",
    "--epochs",
    "iterations",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Passes over the training documents.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the split and the training (same seed and documents: same model).",
)
@click.option(
    "--documents",
    type=click.Choice(["done", "annotated"]),
    default="done",
    show_default=True,
    help="done: documents done, in review or reviewed that the layer annotated; annotated: every document with a span of the layer.",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["entity", "event"]),
    help="What the model learns: entities (the default) and/or event triggers (repeat for both).",
)
@click.option(
    "--lang",
    default=None,
    metavar="CODE",
    help="spaCy language of the pipeline (default: the documents' 'lang' metadata, else en).",
)
def train_command(
    project: Path,
    annotator: str | None,
    gold: bool,
    out: Path | None,
    held_out: float,
    iterations: int,
    seed: int,
    documents: str,
    kinds: tuple[str, ...],
    lang: str | None,
) -> None:
    """Train a spaCy NER model on PROJECT's annotations (one layer), print its
    precision, recall and F1 per label on held-out documents, and save it as a
    spaCy pipeline folder that `annotator suggest PROJECT --using DIR` uses.

    Needs spaCy (pip install 'annotator[suggest]'); nothing is downloaded.
    The project is only read.
    """
    from annotator.services.suggest.base import SuggesterUnavailable
    from annotator.services.suggest.train import TrainingCancelled, TrainingError, TrainOptions, choose_layer, train_model

    if annotator is not None and gold:
        raise click.UsageError("--annotator and --gold: choose one layer")
    target = out if out is not None else default_out(project)
    proj = open_project(project)
    try:
        with user_errors():
            try:
                layer = choose_layer(proj, annotator, gold)
                options = TrainOptions(
                    layer=layer,
                    documents="annotated" if documents == "annotated" else "done",
                    kinds=tuple(dict.fromkeys(kinds)) or ("entity",),
                    held_out=held_out,
                    iterations=iterations,
                    seed=seed,
                    lang=lang,
                )
                bar = None
                if _stderr_tty():
                    bar = click.progressbar(length=1, label="Training", file=click.get_text_stream("stderr"), show_pos=True)
                    bar.__enter__()

                def progress(done: int, total: int, message: str) -> None:
                    if bar is not None:
                        bar.length = max(1, total)
                        bar.label = f"Training ({message})"
                        bar.update(done - bar.pos)

                try:
                    result = train_model(proj, target, options, progress=progress)
                finally:
                    if bar is not None:
                        bar.__exit__(None, None, None)
            except (TrainingError, SuggesterUnavailable) as err:
                raise click.ClickException(str(err)) from None
            except (KeyboardInterrupt, TrainingCancelled):
                raise click.ClickException("training cancelled; nothing was written") from None
    finally:
        proj.close()
    for line in result.lines():
        click.echo(line)
    click.echo(f"Suggest with: annotator suggest {project} --using {target}")


def _stderr_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
