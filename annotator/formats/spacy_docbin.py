"""spaCy's binary training format: a ``.spacy`` DocBin (needs spaCy, the optional extra).

Every record becomes one ``Doc`` whose text is exactly the document (or
sentence) text: tokens come from the export tokenizer (cut at span edges), and
whitespace other than one space after a token is kept as whitespace tokens, as
spaCy's own tokenizer does.  Then:

- ``doc.ents`` holds the spans BIO-style NER can hold: of overlapping spans the
  longest (then earliest); the others are listed in the export report;
- ``doc.spans["sc"]`` holds every exported span, overlapping or not (for
  spaCy's span categorizer), so nothing is lost;
- an entity linked to a knowledge base has its first link's id as the span's
  ``kb_id`` (``doc.ents[i].kb_id_``);
- ``doc.user_data["meta"]`` holds the document id, external id, title,
  annotator and sentence index, as ``meta`` of the spans format (the DocBin is
  written with ``store_user_data=True``).

Load it with ``DocBin().from_disk(path).get_docs(nlp.vocab)`` or train with
``spacy train config.cfg --paths.train train.spacy --paths.dev dev.spacy``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.formats.hf import non_overlapping, overlap_reason, report_links
from annotator.formats.spans import prodigy_tokens
from annotator.formats.writing import ExportContext, Unit, Writer, open_text

if TYPE_CHECKING:
    from annotator.core.models import Annotation

__all__ = ["DocBinWriter", "SPANS_KEY"]

#: The ``doc.spans`` key of all spans (spaCy's span categorizer default).
SPANS_KEY = "sc"


def _kb_id(a: Annotation) -> str:
    """spaCy's ``kb_id`` of a span: the id of its first knowledge-base link ("" if none)."""
    return a.links[0].id if a.links else ""


class DocBinWriter(Writer):
    """The ``spacy`` format."""

    def __init__(self, ctx: ExportContext):
        super().__init__(ctx)
        import spacy

        self.vocab = spacy.blank("en").vocab

    def write(self, units: Iterable[Unit], dest: Path) -> None:
        from spacy.tokens import Doc, DocBin, Span

        doc_bin = DocBin(store_user_data=True)
        for unit in units:
            tk = self.ctx.tokenized(unit)
            tokens, by_start, by_end = prodigy_tokens(unit.text, tk.tokens)
            doc = Doc(self.vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens])
            spans = tk.spans
            kept, dropped = non_overlapping(spans)
            for a, clash in dropped:
                self.report.problem("not_ents", unit.problem(a, overlap_reason(a, clash, unit)))
            report_links(self.ctx, unit, "a DocBin")
            doc.ents = [Span(doc, by_start[a.start], by_end[a.end] + 1, label=a.label, kb_id=_kb_id(a)) for a in kept]
            doc.spans[SPANS_KEY] = [
                Span(doc, by_start[a.start], by_end[a.end] + 1, label=a.label, kb_id=_kb_id(a)) for a in spans
            ]
            doc.cats = self.ctx.cats(unit)  # document labels (issue 14)
            doc.user_data["meta"] = unit.meta()
            doc_bin.add(doc)
            self.report.records += 1
        with open_text(dest, binary=True) as fh:
            fh.write(doc_bin.to_bytes())
