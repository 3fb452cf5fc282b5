"""``annotator annotate-all``: label every occurrence of a text in the corpus at once."""

from __future__ import annotations

import json
from pathlib import Path

import click

from annotator.cli.common import open_project, project_argument, user_errors
from annotator.core.kinds import GOLD, SPAN_KINDS
from annotator.core.store import Project
from annotator.services.propagate import Candidate, PropagationError, Search, apply_candidates, find_candidates

#: The annotator the new spans are written as when the project has none yet.
DEFAULT_ANNOTATOR = "cli"


class BadUsage(click.ClickException):
    """A refused option value: one line, the usage error's exit status (2)."""

    exit_code = 2


def _kind_of(project: Project, label: str) -> str:
    for kind in SPAN_KINDS:
        if label in project.schema.labels(kind):
            return kind
    known = [lab for kind in SPAN_KINDS for lab in project.schema.labels(kind)]
    raise BadUsage(f"--label {label}: no such label in this project's schema (labels: {', '.join(known)})")


def _annotator(project: Project, name: str | None) -> str:
    if name is not None:
        if not name.strip():
            raise BadUsage("--annotator: the name is empty")
        return name
    names = project.annotators()
    if len(names) == 1:
        return names[0]
    if not names:
        return DEFAULT_ANNOTATOR
    raise BadUsage(f"the project has several annotators ({', '.join(names)}): say whose spans to add with --annotator")


def _line(c: Candidate, verb: str) -> str:
    why = f"  ({c.reason})" if c.reason else ""
    context = f"…{c.before}[{c.text}]{c.after}…".replace("\t", " ")
    return f"{verb}\t{c.doc_id}\t{c.start}\t{c.end}\t{context}{why}"


@click.command("annotate-all")
@project_argument
@click.option("--text", "text", required=True, help="The text to label wherever it occurs (exactly, unless --case-insensitive).")
@click.option("--label", required=True, help="The label to give it (an entity label, event type, or CLAIM).")
@click.option("--case-insensitive", is_flag=True, help="Match regardless of letter case.")
@click.option(
    "--whole-word",
    is_flag=True,
    help="Match only whole tokens (“China” matches in “China’s”, not in “Chinatown”).",
)
@click.option(
    "--annotator",
    help=f"Whose annotations to add (and whose count as existing; default: the project's only annotator, or '{DEFAULT_ANNOTATOR}').",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be added; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the occurrences and the summary as JSON.")
def annotate_all_command(
    project: Path,
    text: str,
    label: str,
    case_insensitive: bool,
    whole_word: bool,
    annotator: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Label every occurrence of --text in PROJECT as --label, in one step.

    Prints one line per occurrence (add or skip, document id, start and end
    as code points, end-exclusive, and the context) and a summary.
    Occurrences that overlap another annotation of the same kind, or that
    already have the label, are skipped with the reason; occurrences
    rejected in the app ("never here") are left out. Everything is added in
    one transaction: undo it in the app, or nothing is added on an error.
    """
    if not text.strip():
        raise BadUsage("--text: the text to look for is empty")
    proj = open_project(project)
    try:
        kind = _kind_of(proj, label)
        actor = _annotator(proj, annotator)
        if actor == GOLD:
            raise BadUsage(f"--annotator {GOLD}: the gold layer is written by review, not by annotate-all")
        search = Search(
            text=text, label=label, kind=kind, case_insensitive=case_insensitive, whole_word=whole_word, annotator=actor
        )
        try:
            with user_errors():
                found = find_candidates(proj, search)
                chosen = found.ticked
                if chosen and not dry_run:
                    apply_candidates(proj, search, chosen)
        except PropagationError as err:
            raise BadUsage(str(err)) from None
    finally:
        proj.close()
    skipped = [c for c in found.candidates if not c.ticked]
    docs = len({c.doc_id for c in chosen})
    verb = "would add" if dry_run else "added"
    summary = (
        f"{verb} {len(chosen)} {label} annotation{'' if len(chosen) == 1 else 's'} in {docs} "
        f"document{'' if docs == 1 else 's'} as {actor}; skipped {len(skipped)}; "
        f"left out {found.never_here} rejected (never here)"
    )
    if as_json:
        record = {
            "dry_run": dry_run,
            "text": text,
            "label": label,
            "kind": kind,
            "annotator": actor,
            "added": 0 if dry_run else len(chosen),
            "would_add": len(chosen),
            "skipped": len(skipped),
            "never_here": found.never_here,
            "occurrences": [c.as_dict() for c in found.candidates],
        }
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    for c in found.candidates:
        click.echo(_line(c, ("would add" if dry_run else "add") if c.ticked else "skip"))
    click.echo(summary)
