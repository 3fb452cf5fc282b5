"""CoNLL-2003 NER text: one token per line with its BIO tag.

::

    -DOCSTART- -X- O O

    China B-GPE
    has O
    granted O
    ...

- Documents are separated by ``-DOCSTART- -X- O O`` lines (the delimiter
  ``spacy convert`` looks for), each followed by a blank line; sentences by a
  blank line.  Sentences come from :func:`annotator.core.tokenize.sentences`;
  sentences that a span crosses are one block.
- Two columns, ``TOKEN TAG``, separated by one space.  Tokens never hold
  whitespace (the tokenizer splits there), so the columns are unambiguous.
- Tags are BIO over the labels of the exported kinds (entities by default).
  Nested or overlapping spans BIO cannot hold are listed in the export report,
  like relations and event arguments, which CoNLL cannot hold.
- Documents come in the export order (import order); CoNLL has no place for
  document ids.

Import (:func:`iter_conll`; ``annotator import FILE --format conll``, or a
``.conll``/``.iob``/``.bio`` file, or a ``.tsv`` that is not WebAnno TSV):

- One token per line, columns separated by tabs (when any line has a tab; a
  token may then hold spaces) or else by runs of spaces; the tag is the last
  column, the token the first; the columns between (POS, chunk) are not kept.
  Every token line has the column count of the first one.
- ``-DOCSTART-`` lines split documents; blank lines split sentences (any
  number of them, also at the end).  A file without ``-DOCSTART-`` is one
  document.
- The text is rebuilt: tokens joined by one space, sentences by ``\n`` (the
  original spacing is not in the file).
- Tags: ``O``, and ``B-``/``I-``/``E-``/``S-`` (``L-``/``U-`` too) with a
  label: BIO, IOB1 and BIOES/BILOU alike.  An ``I-`` or ``E-`` that cannot
  continue an entity of its label (after ``O``, another label, an ``E-``/``S-``,
  or at a sentence's start) starts a new one, as IOB1 means; entities never
  cross sentences.  Any other tag is refused, naming the line.
- A line starting with ``#`` whose last column is not a tag is a comment
  (``# id 42 domain=news``, ``# text = ...``) and is skipped; ``# O`` is the
  token ``#``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.core.models import Annotation, Document
from annotator.formats import InputError, Item, Record, TextBuilder, annotator_name, collect, read_text
from annotator.formats.hf import tag_unit
from annotator.formats.writing import Unit, Writer, open_text, segments

__all__ = ["ConllWriter", "DOCSTART", "CONLL_EXT", "iter_conll", "read_conll", "parse_tag"]

#: Extensions read as CoNLL (a ``.tsv`` that starts as WebAnno TSV is read as that).
CONLL_EXT = frozenset({".conll", ".iob", ".bio", ".tsv"})
_TAG = re.compile(r"([BIESLU])-(.+)")

#: The document separator line (spaCy's ``conll_ner_to_docs`` splits documents on it).
DOCSTART = "-DOCSTART- -X- O O"


class ConllWriter(Writer):
    """The ``conll`` format."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self.labels: list[str] = []
        self.extra: set[str] = set()

    def write(self, units: Iterable[Unit], dest: Path) -> None:
        with open_text(dest) as fh:
            for unit in units:
                tokens, tags = tag_unit(self.ctx, unit, self.labels, self.extra)
                segs, joined = segments(unit.text, unit.spans)
                self.report.joined_sentences += joined
                starts = [s for s, _ in segs]
                fh.write(f"{DOCSTART}\n")
                previous = None
                for token, tag in zip(tokens, tags):
                    seg = bisect_right(starts, token.start) - 1
                    if seg != previous:
                        fh.write("\n")
                        previous = seg
                    fh.write(f"{token.text} {tag}\n")
                fh.write("\n")
                self.report.records += 1


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------
def parse_tag(tag: str) -> tuple[str, str] | None:
    """``(prefix, label)`` of an IOB tag (``L``/``U`` read as ``E``/``S``); ``("O", "")`` for
    ``O``; None for anything else."""
    if tag == "O":
        return "O", ""
    m = _TAG.fullmatch(tag)
    if m is None or not m.group(2).strip():
        return None
    prefix = {"L": "E", "U": "S"}.get(m.group(1), m.group(1))
    return prefix, m.group(2)


class _Doc:
    """One CoNLL document being read."""

    def __init__(self, line: int):
        self.line = line
        self.parts: list[str] = []
        self.length = 0
        self.sentence_open = False
        #: ``(start, end, label, line)`` in code points of the rebuilt text
        self.entities: list[tuple[int, int, str, int]] = []
        self.current: list[Any] | None = None  # [start, end, label, line, open]
        self.error: InputError | None = None

    def close(self) -> None:
        if self.current is not None:
            start, end, label, line, _ = self.current
            self.entities.append((start, end, label, line))
            self.current = None

    def end_sentence(self) -> None:
        self.close()
        self.sentence_open = False

    def token(self, token: str, prefix: str, label: str, line: int) -> None:
        if self.sentence_open:
            sep = " "
        else:
            sep = "\n" if self.parts else ""
            self.sentence_open = True
        self.parts.append(sep + token)
        start = self.length + len(sep)
        self.length = start + len(token)
        cur = self.current
        if prefix in ("I", "E") and cur is not None and cur[4] and cur[2] == label:
            cur[1] = self.length
        else:
            self.close()
            if prefix != "O":
                self.current = cur = [start, self.length, label, line, True]
        if prefix in ("E", "S"):
            self.close()


def iter_conll(
    path: str | Path, *, encoding: str | None = None, annotator: str | None = None, name: str | None = None, **_: Any
) -> Iterator[Item]:
    """The documents of a CoNLL / IOB file; a bad line refuses its document (yielded
    as :class:`InputError`), the other documents are read.

    Raises :class:`InputError` for a file that cannot be read or holds no tokens.
    """
    file = name or str(path)
    raw = read_text(path, encoding=encoding, name=file)
    lines = raw.lstrip("\ufeff").split("\n")
    tabs = "\t" in raw
    width: int | None = None
    who = annotator_name(annotator)
    stem = Path(file).stem
    docs = 0
    doc: _Doc | None = None

    def finish(doc: _Doc | None) -> Iterator[Item]:
        nonlocal docs
        if doc is None or (not doc.parts and doc.error is None):
            return
        docs += 1
        if doc.error is not None:
            yield doc.error
            return
        doc.end_sentence()
        try:
            yield _record(doc, file, docs, stem, who)
        except InputError as err:
            yield err

    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r")
        fields = [f.strip() for f in line.split("\t")] if tabs else line.split()
        if not line.strip():
            if doc is not None:
                doc.end_sentence()
            continue
        if fields[0] == "-DOCSTART-":
            yield from finish(doc)
            doc = _Doc(number)
            continue
        if line.startswith("#") and parse_tag(fields[-1]) is None:
            continue  # a comment (``# id ...``, ``# text = ...``), not a token: its last column is no tag
        if doc is None:
            doc = _Doc(number)
        if doc.error is not None:
            continue
        if width is None:
            width = len(fields)
        problem = None
        if len(fields) != width:
            problem = f"{len(fields)} columns where the file's first token line (and every other) has {width}"
        elif width < 2:
            problem = "a token line needs at least two columns: the token and its tag (last)"
        elif not fields[0]:
            problem = "the token (first column) is empty"
        tag = parse_tag(fields[-1]) if problem is None else None
        if problem is None and tag is None:
            problem = f"{fields[-1]!r} is not an IOB tag (O, or B-, I-, E-, S- and a label)"
        if problem is not None or tag is None:
            sep = "tab" if tabs else "space"
            doc.error = InputError(file, number, f"{problem} ({sep}-separated columns)")
            continue
        doc.token(fields[0], tag[0], tag[1], number)
    yield from finish(doc)
    if not docs:
        raise InputError(file, None, "no tokens: a CoNLL file has one token and its tag per line")


def _record(doc: _Doc, file: str, number: int, stem: str, who: str) -> Record:
    builder = TextBuilder("".join(doc.parts), file=file, line=doc.line, doc_name=f"document {number}")
    document = builder.document(external_id=f"{stem}-{number}", source=Path(file).name)
    annotations = []
    for start, end, label, line in doc.entities:
        a, b = builder.span(start, end, f"line {line}: {label}")
        annotations.append(builder.entity(document.id, f"line {line}: {label}", a, b, label, who))
    return Record(document, annotations, doc.line, name=f"document {number}")


def read_conll(
    path: str | Path, *, encoding: str | None = None, annotator: str | None = None
) -> list[tuple[Document, list[Annotation]]]:
    """All documents of a CoNLL file as ``(Document, [Annotation])``; raises the first InputError."""
    return collect(iter_conll(path, encoding=encoding, annotator=annotator))
