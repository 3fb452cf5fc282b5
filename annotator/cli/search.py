"""``annotator search``: find text in every document, or annotations by what they say."""

from __future__ import annotations

import itertools
import json
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import click

from annotator.cli.common import open_project, project_argument, user_errors
from annotator.core.kinds import DocStatus
from annotator.services.search import (
    AnnotationHit,
    AnnotationQuery,
    DocumentFilter,
    Hit,
    NoteHit,
    NoteQuery,
    SearchError,
    TextQuery,
    catch_up_index,
    parse_metadata,
    search_annotations,
    search_notes,
    search_text,
)

KINDS = ("entity", "event", "claim", "relation")


@click.command("search")
@project_argument
@click.argument("query", required=False)
@click.option("--phrase", is_flag=True, help="Match QUERY exactly as typed (default: every word of QUERY, as whole words).")
@click.option("--regex", is_flag=True, help="QUERY is a Python regular expression.")
@click.option("--case-sensitive", is_flag=True, help="Match case exactly (default: ignore case).")
@click.option("--whole-word", is_flag=True, help="Only matches that are whole words (with --phrase or --regex).")
@click.option(
    "--label", metavar="L", help="Documents having an annotation labelled L (with --in-annotations: annotations labelled L)."
)
@click.option(
    "--status", type=click.Choice([s.value for s in DocStatus]), multiple=True, help="Documents of this status (repeatable)."
)
@click.option(
    "--annotator",
    metavar="A",
    help="Documents with annotations by A (with --label: labelled L by A); with --in-annotations: A's annotations.",
)
@click.option("--meta", metavar="KEY=VALUE", multiple=True, help="Documents whose metadata KEY is VALUE (repeatable).")
@click.option("--in-annotations", is_flag=True, help="Search annotations instead of text (QUERY: text their span contains).")
@click.option(
    "--notes",
    "in_notes",
    is_flag=True,
    help="Search the notes on annotations and documents instead of text (QUERY: text the note holds; none: every note).",
)
@click.option("--note-type", metavar="TYPE", help="With --notes: notes of this type (e.g. AnnotatorNotes).")
@click.option("--kind", type=click.Choice(KINDS), help="With --in-annotations: annotations of this kind.")
@click.option("--contains", metavar="TEXT", help="With --in-annotations: the span's text contains TEXT (a regex with --regex).")
@click.option("--claimant", metavar="TEXT", help="With --in-annotations: claims whose claimant contains TEXT.")
@click.option("--missing-role", metavar="ROLE", help="With --in-annotations: events without an argument in ROLE.")
@click.option("--limit", type=click.IntRange(min=0), default=1000, show_default=True, help="Show at most N hits (0: all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def search_command(
    project: Path,
    query: str | None,
    phrase: bool,
    regex: bool,
    case_sensitive: bool,
    whole_word: bool,
    label: str | None,
    status: tuple[str, ...],
    annotator: str | None,
    meta: tuple[str, ...],
    in_annotations: bool,
    in_notes: bool,
    note_type: str | None,
    kind: str | None,
    contains: str | None,
    claimant: str | None,
    missing_role: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Find QUERY in every document of PROJECT: one line per hit (document id,
    start, end, the hit in [brackets] with its context), offsets in code points,
    end-exclusive; or annotations (--in-annotations), e.g. every ORG whose text
    contains Ministry: --in-annotations --label ORG --contains Ministry; or notes
    (--notes): one line per match (document id, the note's type and annotator,
    what it is on, the note with the match in [brackets])."""
    if phrase and regex:
        raise click.UsageError("--phrase and --regex exclude each other")
    if in_notes and in_annotations:
        raise click.UsageError("--notes and --in-annotations exclude each other")
    if note_type is not None and not in_notes:
        raise click.UsageError("--note-type needs --notes")
    annotation_only = [
        n
        for n, v in (("--kind", kind), ("--contains", contains), ("--claimant", claimant), ("--missing-role", missing_role))
        if v
    ]
    if annotation_only and not in_annotations:
        raise click.UsageError(f"{', '.join(annotation_only)} need --in-annotations")
    try:
        metadata = parse_metadata(meta)
        if in_notes:
            where = DocumentFilter(status=status, label=label, metadata=metadata)
            nq = NoteQuery(query, note_type, annotator, case_sensitive, regex)
            if whole_word or phrase:
                raise SearchError("--whole-word and --phrase do not apply to --notes (QUERY is found as typed)")
        elif in_annotations:
            where = DocumentFilter(status=status, metadata=metadata)
            aq = AnnotationQuery(
                kind=kind,
                label=label,
                annotator=annotator,
                contains=contains if contains is not None else query,
                claimant=claimant,
                missing_role=missing_role,
                case_sensitive=case_sensitive,
                regex=regex,
            )
            if not any((aq.kind, aq.label, aq.annotator, aq.contains, aq.claimant, aq.missing_role)):
                raise SearchError("say what to look for: QUERY, --label, --kind, --contains, --claimant or --missing-role")
        else:
            if query is None:
                raise SearchError("missing QUERY (the text to find)")
            where = DocumentFilter(status=status, label=label, annotator=annotator, metadata=metadata)
            tq = TextQuery(query, "regex" if regex else "phrase" if phrase else "words", case_sensitive, whole_word)
    except SearchError as err:
        raise click.UsageError(str(err)) from None
    proj = open_project(project)
    try:
        with user_errors():
            if not in_annotations and not proj.readonly:
                pending, chars = proj.search_pending()
                if pending:
                    click.echo(
                        f"indexing {pending:,} documents stored since the last search ({chars / 1e6:.1f} MB of text)…", err=True
                    )
                    catch_up_index(proj)
            try:
                hits: Generator[Hit, None, None] | Generator[AnnotationHit, None, None] | Generator[NoteHit, None, None]
                if in_notes:
                    hits = search_notes(proj, nq, where)
                elif in_annotations:
                    hits = search_annotations(proj, aq, where)
                else:
                    hits = search_text(proj, tq, where)
            except SearchError as err:
                raise click.UsageError(str(err)) from None
            try:
                _print(hits, limit, as_json, in_annotations, in_notes)
            finally:
                hits.close()
    finally:
        proj.close()


def _print(hits: Iterator[Any], limit: int, as_json: bool, in_annotations: bool, in_notes: bool = False) -> None:
    shown = 0
    docs: set[str] = set()
    more = False
    taken = hits if limit == 0 else itertools.islice(hits, limit + 1)
    for hit in taken:
        if limit and shown == limit:
            more = True
            break
        shown += 1
        docs.add(hit.doc_id)
        if as_json:
            click.echo(json.dumps(hit.as_json(), ensure_ascii=False))
        elif in_notes:
            click.echo(f"{hit.doc_id}\t{hit.note_type} ({hit.annotator})\ton {hit.on()}\t{hit.context()}")
        elif in_annotations:
            span = f"{hit.start}\t{hit.end}" if hit.start is not None else "-\t-"
            extra = ""
            if hit.kind == "claim" and hit.claimant:
                extra = f"\tclaimant: {hit.claimant}"
            elif hit.kind == "event":
                extra = f"\troles: {', '.join(hit.roles) or '(none)'}"
            click.echo(f"{hit.doc_id}\t{span}\t{hit.kind} {hit.label} ({hit.annotator})\t{hit.context()}{extra}")
        else:
            click.echo(f"{hit.doc_id}\t{hit.start}\t{hit.end}\t{hit.context()}")
    what = "annotation" if in_annotations else "hit"
    summary = f"{shown} {what}{'' if shown == 1 else 's'} in {len(docs)} document{'' if len(docs) == 1 else 's'}"
    if more:
        summary += f"; more not shown (--limit {limit}; --limit 0 shows all)"
    click.echo(summary, err=True)
