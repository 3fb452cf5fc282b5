"""``annotator doclabels``: list, set, remove or clear document labels (issue 14)
from the command line, with the same undoable commands the app uses (they are in
the project's history)."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli.common import open_project, project_argument, user_errors
from annotator.core.kinds import GOLD


class BadUsage(click.ClickException):
    """A refused option value: one line, the usage error's exit status (2)."""

    exit_code = 2


def _pair(value: str, option: str) -> tuple[str, str]:
    category, sep, label = value.partition("=")
    if not sep or not category.strip() or not label.strip():
        raise BadUsage(f"{option} {value}: give CATEGORY=LABEL, e.g. {option} genre=report")
    return category.strip(), label.strip()


@click.command("doclabels")
@project_argument
@click.argument("document", required=False)
@click.option("--annotator", help="Whose labels (default: list everyone's; to change them, the project's only annotator).")
@click.option("--gold", is_flag=True, help="The gold layer's labels.")
@click.option("--set", "to_set", multiple=True, metavar="CATEGORY=LABEL", help="Set a label (one-of categories: replaces).")
@click.option("--remove", "to_remove", multiple=True, metavar="CATEGORY=LABEL", help="Remove a label.")
@click.option("--clear", "to_clear", multiple=True, metavar="CATEGORY", help="Remove every label of a category.")
def doclabels_command(
    project: Path,
    document: str | None,
    annotator: str | None,
    gold: bool,
    to_set: tuple[str, ...],
    to_remove: tuple[str, ...],
    to_clear: tuple[str, ...],
) -> None:
    """List the document labels in PROJECT (of DOCUMENT, an id or external id),
    one line per document, annotator and category: id, annotator, category,
    labels; or change DOCUMENT's with --set, --remove and --clear, all or
    nothing, as one step in the project's history.

    \b
    annotator doclabels p.annotator
    annotator doclabels p.annotator seed-0 --annotator maria --set topic=trade --set genre=report
    """
    from annotator.core.commands import Command, Macro, SetDocLabel, apply

    if gold and annotator:
        raise BadUsage("--gold and --annotator both say whose labels; give one")
    who = GOLD if gold else annotator
    changing = bool(to_set or to_remove or to_clear)
    proj = open_project(project)
    try:
        with user_errors():
            doc_id = None
            if document is not None:
                found = proj.lookup_document(doc_id=document) or proj.lookup_document(external_id=document)
                if found is None:
                    raise click.ClickException(f"{project.name}: no document with id or external id {document!r}")
                doc_id = found[0]
            if not changing:
                per_doc = proj.doc_labels_by_document(
                    None if doc_id is None else [doc_id], None if who is None else [who], proj.schema
                )
                for d in proj.document_ids():
                    for name, groups in sorted(per_doc.get(d, {}).items()):
                        for category, labels in groups.items():
                            click.echo(f"{d}\t{name}\t{category}\t{', '.join(labels)}")
                return
            if doc_id is None:
                raise BadUsage("say which DOCUMENT to change (its id or external id)")
            if who is None:
                names = proj.annotators()
                if len(names) != 1:
                    listed = ", ".join(names) or "none yet"
                    raise BadUsage(f"say whose labels to change with --annotator NAME (annotators: {listed})")
                who = names[0]
            commands: list[Command] = [SetDocLabel(doc_id, who, c, None, "clear") for c in to_clear]
            commands += [SetDocLabel(doc_id, who, *_pair(v, "--remove"), "remove") for v in to_remove]
            commands += [SetDocLabel(doc_id, who, *_pair(v, "--set"), "set") for v in to_set]
            apply(proj, Macro(doc_id, who, commands, "document labels"))
            now = proj.doc_labels(doc_id, who, proj.schema)
            shown = "; ".join(f"{c}: {', '.join(labs)}" for c, labs in now.items()) or "none"
            click.echo(f"{doc_id} ({who}): {shown}")
    finally:
        proj.close()
