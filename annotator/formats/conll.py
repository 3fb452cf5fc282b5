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
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from pathlib import Path

from annotator.formats.hf import tag_unit
from annotator.formats.writing import Unit, Writer, open_text, segments

__all__ = ["ConllWriter", "DOCSTART"]

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
