"""Plain text: the whole file is one document; its first non-empty line is the title.

The text is canonicalised (see :func:`annotator.core.text.canonicalize`) and kept
otherwise exactly as it is: markup-looking text stays literal characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.core.models import Annotation, Document
from annotator.formats import Item, Record, TextBuilder, collect, read_text

__all__ = ["iter_plaintext", "read_plaintext"]


def iter_plaintext(
    path: str | Path, *, encoding: str | None = None, data: bytes | None = None, name: str | None = None
) -> Iterator[Item]:
    """The one document of a text file (or of ``data``, named ``name``).

    Raises :class:`~annotator.formats.InputError` for unreadable, binary,
    undecodable or empty input.
    """
    name = name or str(path)
    raw = read_text(data if data is not None else path, encoding=encoding, name=name)
    builder = TextBuilder(raw, file=name, line=None, doc_name="")
    yield Record(builder.document(source=Path(name).name), [])


def read_plaintext(path: str | Path, *, encoding: str | None = None) -> list[tuple[Document, list[Annotation]]]:
    """``[(Document, [])]`` for a text file; raises InputError for bad input."""
    return collect(iter_plaintext(path, encoding=encoding))
