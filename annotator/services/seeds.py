"""The bundled demo article(s) of the ``annotator.seeds`` package: their title and date.

The seed files are news articles as they were scraped: the first line starts
with the date (``date 2025-10-30``) and a dateline (``NEW DELHI:``) before the
headline sentence.  Their text is imported as it is (stored text never changes
after import, and the same article keeps the same text, hence the same sha256,
in every project), but the date and the dateline's place go into the document's
metadata (``date``, ``dateline``) and the title is the headline sentence.

Default projects made before this got the first line as title;
:func:`repair_seed_titles` gives them the headline, once (text, annotations and
status untouched). It is light: opening the default project loads no pydantic.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from annotator.core.errors import ProjectError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from annotator.core.store import Project
    from annotator.formats import Record

__all__ = ["headline_fields", "refine_seed", "repair_seed_titles", "seed_entries"]

#: ``date 2025-10-30`` at the very start of the text.
_DATE = re.compile(r"\s*date[ \t]+(\d{4}-\d{2}-\d{2})(?![\w-])\s*")
#: A dateline: a place in capitals (``NEW DELHI``, ``WASHINGTON (Reuters)``), then ``:`` or a dash.
#: (Compiled when first used: opening the default project checks only titles against _DATE.)
_PLACE = r"([^\W\d_][^:\n()\-–—]{0,40}?)(?:[ \t]*\([^()\n]{1,40}\))?(?:[ \t]*:|[ \t]+[-–—])[ \t]+"
#: What may open the headline after a dateline (besides a capital or a digit).
_OPENERS = "\"'“‘«"
#: Who changes the titles in the project's history.
ACTOR = "annotator"
#: sha256 of the text of the demo article as shipped (seeds/000_0e62c08fb123f9d1.txt): the
#: default projects made before hold it with its first line, date and dateline, as title.
DEMO_SHA256 = ("9d715b7d25821da619ac44342c7757208fed6d9f55ce0f373ae9df3bef6d38d2",)


def seed_entries() -> list[Traversable]:
    """The seed files, by name (hidden files left out)."""
    from importlib import resources

    folder = resources.files("annotator.seeds")
    return sorted(
        (e for e in folder.iterdir() if e.is_file() and not e.name.startswith((".", "_"))),
        key=lambda e: e.name,
    )


def _dateline(text: str) -> tuple[int, dict[str, str]]:
    """Where the headline starts, and the date and place of a leading dateline."""
    fields: dict[str, str] = {}
    at = 0
    m = _DATE.match(text)
    if m is not None:
        try:
            from datetime import date

            date.fromisoformat(m.group(1))
        except ValueError:
            m = None
    if m is not None:
        fields["date"] = m.group(1)
        at = m.end()
    else:
        at = len(text) - len(text.lstrip())
    m = re.compile(_PLACE).match(text, at)
    if m is not None:
        place = " ".join(m.group(1).split())
        rest = text[m.end() : m.end() + 1]
        if (
            place.isupper()
            and sum(c.isalpha() for c in place) >= 2
            and rest
            and (rest.isupper() or rest.isdigit() or rest in _OPENERS)
        ):
            fields["dateline"] = place
            at = m.end()
    return at, fields


def headline_fields(text: str) -> tuple[str, dict[str, str]]:
    """The title of an article (its headline sentence, after a leading date and
    dateline, cut as :func:`annotator.formats.make_title` cuts) and the metadata
    the dateline gives (``date``, ``dateline``; none without one)."""
    from annotator.core.tokenize import sentences
    from annotator.formats import make_title

    at, fields = _dateline(text)
    rest = text[at:].lstrip()
    line = rest.split("\n", 1)[0]
    found = sentences(line)
    headline = line[found[0][0] : found[0][1]] if found else line
    return make_title(headline) or make_title(text), fields


def refine_seed(record: Record) -> Record:
    """A seed's record with the headline as title and the dateline in its metadata."""
    doc = record.document
    title, fields = headline_fields(doc.text)
    update: dict[str, Any] = {"title": title, "metadata": {**fields, **doc.metadata}}
    return dataclasses.replace(record, document=doc.model_copy(update=update))


def repair_seed_titles(project: Project) -> int:
    """Give the demo article of a project made before its dateline was understood
    its headline as title and its date as metadata; how many were repaired.

    Only a demo article whose title still starts with the date is changed; a
    read-only or busy project is left as it is (tried again next time). Cheap
    when there is nothing to do: one indexed look-up per shipped demo article."""
    if project.readonly:
        return 0
    repaired = 0
    for sha in DEMO_SHA256:
        doc_id = project.document_by_sha(sha)
        found = project.lookup_document(doc_id=doc_id) if doc_id is not None else None
        if found is None or _DATE.match(found[1]) is None:
            continue
        title, fields = headline_fields(project.document_text(found[0]))
        try:
            with project.transaction():
                metadata = {**fields, **project.get_document(found[0]).metadata}
                project.set_document_title(found[0], title, metadata, actor=ACTOR)
        except ProjectError:
            continue
        repaired += 1
    return repaired
