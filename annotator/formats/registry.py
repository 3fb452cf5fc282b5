"""The export formats: what the export needs to know of each, and which writer writes it.

One :class:`FormatInfo` per format; the writer class is named as
``"module:Class"`` and imported only when that format is written.  A new format
is one module in :mod:`annotator.formats` with a :class:`~annotator.formats.writing.Writer`
subclass, and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.core.models import SPAN_KINDS

__all__ = ["FormatInfo", "FORMATS"]


@dataclass(frozen=True)
class FormatInfo:
    """What the orchestration needs to know about a format."""

    name: str
    title: str
    #: Suffix of the data files (".jsonl"); brat's data are folders.
    suffix: str
    #: The writer class, "module:Class" (imported when used).
    writer: str
    #: The output is always a folder (brat: .txt/.ann pairs; hf: data + label list).
    folder: bool = False
    #: Each annotation names its annotator, so several annotators fit in one file.
    many_layers: bool = False
    #: Span kinds exported when the user does not choose; empty: the format decides alone.
    default_kinds: tuple[str, ...] = ()
    #: Whether one record per sentence can be asked for.
    sentences: bool = False
    #: Whether ``offsets="utf16"`` applies (formats with character offsets).
    offsets: bool = False
    #: Whether the format is made of tokens (tokenizer choice applies).
    tokens: bool = False
    #: Optional package the format needs ("spacy").
    needs: str | None = None
    #: Event arguments, relations and claimants are part of the format (sentences keep them together).
    links: bool = False
    #: Discontinuous spans are written as their fragments (issue 14); other formats
    #: apply the ``--fragments`` policy (hull, first, split, skip).
    fragments: bool = False
    description: str = ""


FORMATS: dict[str, FormatInfo] = {
    f.name: f
    for f in [
        FormatInfo(
            "native",
            "Native JSONL (everything, for moving work between projects)",
            ".jsonl",
            "annotator.formats.native:NativeWriter",
            many_layers=True,
            fragments=True,
            description="one document per line with every annotation, annotator, source, timestamps and review decisions",
        ),
        FormatInfo(
            "spans",
            "spaCy / Prodigy spans (JSONL)",
            ".jsonl",
            "annotator.formats.spans:SpansWriter",
            default_kinds=("entity",),
            sentences=True,
            offsets=True,
            tokens=True,
            links=True,
            description="text, tokens, spans with token_start/token_end (inclusive), relations, meta",
        ),
        FormatInfo(
            "doccano",
            "doccano (JSONL)",
            ".jsonl",
            "annotator.formats.doccano:DoccanoWriter",
            default_kinds=("entity",),
            sentences=True,
            offsets=True,
            links=True,
            description='sequence labelling ("label": [[start, end, label]]), or entities/relations when relations exist',
        ),
        FormatInfo(
            "hf",
            "Hugging Face token classification (JSONL + labels)",
            ".jsonl",
            "annotator.formats.hf:HfWriter",
            folder=True,
            default_kinds=("entity",),
            sentences=True,
            tokens=True,
            description="tokens and BIO ner_tags per record, labels.json and a dataset card with the features",
        ),
        FormatInfo(
            "conll",
            "CoNLL-2003 (BIO)",
            ".conll",
            "annotator.formats.conll:ConllWriter",
            default_kinds=("entity",),
            tokens=True,
            description="one token per line with its BIO tag, blank line between sentences, -DOCSTART- between documents",
        ),
        FormatInfo(
            "brat",
            "brat standoff (.txt + .ann folder)",
            ".ann",
            "annotator.formats.brat:BratWriter",
            folder=True,
            default_kinds=SPAN_KINDS,
            links=True,
            fragments=True,
            description="NAME.txt + NAME.ann with T, E, R, A and # lines, plus annotation.conf and visual.conf",
        ),
        FormatInfo(
            "labelstudio",
            "Label Studio (JSON tasks + labelling config)",
            ".json",
            "annotator.formats.labelstudio:LabelStudioWriter",
            folder=True,
            many_layers=True,
            default_kinds=("entity",),
            offsets=True,
            links=True,
            description="tasks.json (tasks with one annotation per annotator: labels, per-region choices, relations) "
            "and labeling-config.xml",
        ),
        FormatInfo(
            "events",
            "Event extraction (JSONL)",
            ".jsonl",
            "annotator.formats.events:EventsWriter",
            many_layers=True,
            sentences=True,
            offsets=True,
            links=True,
            fragments=True,
            description="entities and events with type, trigger and arguments (role, span, label), per document or sentence",
        ),
        FormatInfo(
            "claims",
            "Claims (JSONL, one line per claim)",
            ".jsonl",
            "annotator.formats.claims:ClaimsWriter",
            many_layers=True,
            offsets=True,
            fragments=True,
            description="claim span, context sentence, claimant and claim attributes, one line per claim",
        ),
        FormatInfo(
            "clusters",
            "Coreference clusters (JSONL)",
            ".jsonl",
            "annotator.formats.coref:ClustersWriter",
            default_kinds=("entity",),
            offsets=True,
            description='one document a line: {"id", "text", "clusters": [[[start, end], ...], ...]} (one annotator\'s chains)',
        ),
        FormatInfo(
            "conll2012",
            "CoNLL-2012 coreference",
            ".conll",
            "annotator.formats.coref:Conll2012Writer",
            default_kinds=("entity",),
            tokens=True,
            description="the CoNLL-2012 shared task's 12 columns: words, named entities and the coreference brackets",
        ),
        FormatInfo(
            "spacy",
            "spaCy DocBin (.spacy)",
            ".spacy",
            "annotator.formats.spacy_docbin:DocBinWriter",
            default_kinds=("entity",),
            sentences=True,
            tokens=True,
            needs="spacy",
            description="a DocBin for spacy train: doc.ents (BIO-compatible spans) and every span in doc.spans['sc']",
        ),
        FormatInfo(
            "doclabels",
            "Document labels (JSONL, one line per document)",
            ".jsonl",
            "annotator.formats.doclabels:DocLabelsWriter",
            default_kinds=("entity",),
            description='document labels per document: {"id", "text", "labels": {category: [labels]}, "meta"}',
        ),
    ]
}
