"""``annotator suggest`` and ``annotator suggestions``: pre-annotate the corpus
with suggestions, then list, accept or reject them (issue 17)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from annotator.cli.common import open_project, project_argument, user_errors
from annotator.core.kinds import GOLD
from annotator.core.store import Project, StoredSuggestion
from annotator.services.suggest.base import SuggesterUnavailable
from annotator.services.suggest.service import (
    SuggestError,
    accept,
    export_suggestions,
    load_suggester,
    pending,
    read_label_map,
    reject,
    run_suggester,
    select_documents,
)


class BadUsage(click.ClickException):
    """A refused option value: one line, the usage error's exit status (2)."""

    exit_code = 2


def _stderr_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _annotator(project: Project, name: str | None) -> str:
    """Whose suggestions to decide: ``--annotator``, or the project's only annotator."""
    if name is not None:
        if not name.strip():
            raise BadUsage("--annotator: the name is empty")
        if name == GOLD:
            raise BadUsage(f"--annotator {GOLD}: the gold layer is written by review, not by suggestions")
        return name
    names = project.annotators()
    if len(names) == 1:
        return names[0]
    if not names:
        raise BadUsage("the project has no annotator yet: say whose annotations accepted suggestions become with --annotator")
    raise BadUsage(f"the project has several annotators ({', '.join(names)}): say whose suggestions these are with --annotator")


@click.command("suggest")
@project_argument
@click.option(
    "--using",
    required=True,
    metavar="dictionary|claims|DIR|PACKAGE",
    help="The suggester: the dictionary (terms of the project's annotations and --terms lists), "
    "claims from reported speech, or a spaCy pipeline (a folder, e.g. made by 'annotator train', or an installed package).",
)
@click.option(
    "--terms",
    "terms",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A term list for the dictionary: spaCy EntityRuler patterns (JSONL) or one term a line ('term<TAB>LABEL'). Repeatable.",
)
@click.option("--term-label", help="The label of the plain terms that have none.")
@click.option(
    "--from-annotator", "from_annotator", help="Learn the dictionary (and claimants' mentions) from this annotator's layer."
)
@click.option("--from-gold", is_flag=True, help="Learn from the gold layer.")
@click.option(
    "--label-map",
    "label_map_path",
    type=click.Path(path_type=Path),
    help='The term lists\' or model\'s labels to the project\'s: JSON {"THEIRS": "OURS"} or lines THEIRS=OURS (THEIRS= drops it).',
)
@click.option(
    "--documents",
    type=click.Choice(["new", "all"]),
    default="new",
    show_default=True,
    help="Suggest for the documents not started yet (status new), or for all.",
)
@click.option("--no-learn", is_flag=True, help="Dictionary: only the --terms lists, not the project's annotations.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def suggest_command(
    project: Path,
    using: str,
    terms: tuple[Path, ...],
    term_label: str | None,
    from_annotator: str | None,
    from_gold: bool,
    label_map_path: Path | None,
    documents: str,
    no_learn: bool,
    as_json: bool,
) -> None:
    """Pre-annotate PROJECT with suggestions from a suggester.

    Suggestions are stored apart from annotations: they are in no export,
    agreement or review until someone accepts them (in the app, or with
    'annotator suggestions'). Running a suggester again replaces its earlier
    suggestions of those documents; spans and labels an annotator rejected are
    never suggested to them again. Prints a summary per label.
    """
    if from_annotator is not None and from_gold:
        raise BadUsage("--from-annotator and --from-gold: give one of them")
    with user_errors():
        label_map = read_label_map(label_map_path) if label_map_path is not None else None
    proj = open_project(project)
    try:
        with user_errors():
            try:
                suggester = load_suggester(
                    proj,
                    using,
                    annotator=from_annotator,
                    gold=from_gold,
                    terms=terms,
                    term_label=term_label,
                    label_map=label_map,
                    label_map_path=label_map_path,
                    learn=not no_learn,
                )
            except SuggesterUnavailable as err:
                raise click.ClickException(str(err)) from None
            except SuggestError as err:
                raise BadUsage(str(err)) from None
            doc_ids = select_documents(proj, documents)
            bar = None
            if _stderr_tty() and doc_ids:
                bar = click.progressbar(length=len(doc_ids), label=f"Suggesting ({suggester.name})", file=sys.stderr)
                bar.__enter__()
            try:
                summary = run_suggester(proj, suggester, doc_ids, progress=bar.update if bar is not None else None)
            except SuggestError as err:  # a worker process that failed: the message says what is kept
                raise click.ClickException(str(err)) from None
            finally:
                if bar is not None:
                    bar.__exit__(None, None, None)
    finally:
        proj.close()
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    if not doc_ids:
        click.echo(
            f"no {'new ' if documents == 'new' else ''}documents to suggest for"
            + (" (add --documents all)" if documents == "new" else "")
        )
        return
    for line in summary.lines():
        click.echo(line)


def _line(s: StoredSuggestion, text: str) -> str:
    before = text[max(0, s.start - 30) : s.start].replace("\n", " ").replace("\t", " ")
    after = text[s.end : s.end + 30].replace("\n", " ").replace("\t", " ")
    span = text[s.start : s.end].replace("\n", " ").replace("\t", " ")
    claimant = f"  claimant: {s.claimant_text}" if s.claimant_text else ""
    return f"{s.id}\t{s.doc_id}\t{s.start}\t{s.end}\t{s.label}\t{s.score:.2f}\t{s.suggester}\t…{before}[{span}]{after}…{claimant}"


@click.command("suggestions")
@project_argument
@click.argument("action", type=click.Choice(["list", "accept", "reject", "export"]))
@click.option("--annotator", help="Whose suggestions (default: the project's only annotator); accepted ones become theirs.")
@click.option("--label", help="Only suggestions of this label.")
@click.option("--min-score", type=click.FloatRange(0, 1), help="Only suggestions scoring at least this (0 to 1).")
@click.option("--suggester", help="Only suggestions of this suggester (dictionary, claims, spacy:...).")
@click.option("--document", "documents", multiple=True, help="Only suggestions in this document (its id). Repeatable.")
@click.option("--as-label", help="accept: give the accepted suggestions this label instead.")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    help="list, accept, reject: only the N best-scoring (the best first; sorted and cut by the database).",
)
@click.option("--out", type=click.Path(path_type=Path), help="export: the JSONL file to write.")
@click.option("--all", "every", is_flag=True, help="list, export: also those already accepted or rejected.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def suggestions_command(
    project: Path,
    action: str,
    annotator: str | None,
    label: str | None,
    min_score: float | None,
    suggester: str | None,
    documents: tuple[str, ...],
    as_label: str | None,
    top: int | None,
    out: Path | None,
    every: bool,
    as_json: bool,
) -> None:
    """List, accept, reject or export the suggestions stored in PROJECT.

    ACTION is one of: list (the suggestions the annotator has not decided yet,
    one a line: id, document, start, end, label, score, suggester, context),
    accept (they become the annotator's annotations, source 'suggested', in
    one step), reject (remembered: never suggested to them again), export
    (the suggestions as a layer of their own, JSONL, with --out).
    """
    if as_label and action != "accept":
        raise BadUsage("--as-label is for accept")
    if action == "export" and out is None:
        raise BadUsage("export needs --out FILE")
    if out is not None and action != "export":
        raise BadUsage("--out is for export")
    if top is not None and action == "export":
        raise BadUsage("--top is for list, accept and reject")
    proj = open_project(project)
    try:
        with user_errors():
            reading = action in ("list", "export")
            # listing in a project nobody annotates yet: every suggestion is undecided
            nobody = annotator is None and not proj.annotators()
            who = None if reading and (every or nobody) else _annotator(proj, annotator)
            known = {lab for kind in ("entity", "event", "claim") for lab in proj.schema.labels(kind)}
            for option, value in (("--label", label), ("--as-label", as_label)):
                if value is not None and value not in known:
                    raise BadUsage(
                        f"{option} {value}: no such label in this project's schema (labels: {', '.join(sorted(known))})"
                    )
            if documents:
                missing = [d for d in documents if proj.lookup_document(doc_id=d) is None]
                if missing:
                    raise BadUsage(f"--document {missing[0]}: no such document in this project")
            if action == "export":
                assert out is not None
                n_docs, n = export_suggestions(proj, out, label=label, min_score=min_score, suggester=suggester, pending_for=who)
                summary = {"documents": n_docs, "suggestions": n, "out": str(out)}
                click.echo(
                    json.dumps(summary)
                    if as_json
                    else f"wrote {n} suggestion{'' if n == 1 else 's'} of {n_docs} document{'' if n_docs == 1 else 's'} to {out}"
                )
                return
            by_score = top is not None
            if who is None:
                found = proj.suggestions(
                    documents or None, label=label, min_score=min_score, suggester=suggester, limit=top, by_score=by_score
                )
            else:
                found = pending(
                    proj,
                    who,
                    doc_ids=documents or None,
                    label=label,
                    min_score=min_score,
                    suggester=suggester,
                    limit=top,
                    by_score=by_score,
                )
            if action == "list":
                _print_list(proj, found, as_json)
                return
            assert who is not None
            if not found:
                message = f"no pending suggestions for {who} match; nothing was changed"
                click.echo(json.dumps({"action": action, "annotator": who, "count": 0}) if as_json else message)
                return
            if action == "accept":
                command: Any = accept(proj, who, found, label=as_label)
                count = len(command.annotations)
                done = f"accepted {count} suggestion{'' if count == 1 else 's'} as {who}'s annotations"
                if count < len(found):
                    done += f" ({len(found) - count} were the same span and label as another)"
            else:
                command = reject(proj, who, found)
                count = len(command.keys)
                done = f"rejected {count} suggestion{'' if count == 1 else 's'} for {who} (never suggested to them again)"
            docs = len(command.doc_ids)
            done += f" in {docs} document{'' if docs == 1 else 's'}"
            if as_json:
                click.echo(json.dumps({"action": action, "annotator": who, "count": count, "documents": docs}))
            else:
                click.echo(done)
    finally:
        proj.close()


def _print_list(project: Project, found: list[StoredSuggestion], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in found], ensure_ascii=False, indent=2))
        return
    texts: dict[str, str] = {}
    for s in found:
        if s.doc_id not in texts:
            texts[s.doc_id] = project.document_text(s.doc_id)
        click.echo(_line(s, texts[s.doc_id]))
    labels: dict[str, int] = {}
    for s in found:
        labels[s.label] = labels.get(s.label, 0) + 1
    per_label = ", ".join(f"{lab} {n}" for lab, n in sorted(labels.items()))
    click.echo(f"{len(found)} suggestion{'' if len(found) == 1 else 's'}" + (f": {per_label}" if per_label else ""))
