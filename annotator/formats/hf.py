"""Hugging Face token classification: a folder ready for ``datasets.load_dataset``.

Layout of the output folder::

    train.jsonl          one record per document (or sentence): id, tokens, ner_tags
    dev.jsonl, test.jsonl   with --split
    labels.json          the tag list, "O" first, then B-/I- of every label
    README.md            a dataset card whose features declare ner_tags as ClassLabel

A record::

    {"id": "57094be73bc1fc03", "tokens": ["China", "has", "granted", ...],
     "ner_tags": ["B-GPE", "O", "O", ...]}

``datasets.load_dataset("path/to/folder")`` reads the card, so ``ner_tags`` come
as ``ClassLabel`` integers with the names of ``labels.json``;
``load_dataset("json", data_files=...)`` gives the tags as strings.

BIO cannot hold nested or overlapping spans.  Of spans that overlap, the longest
is kept (then the earliest); every span left out of the tags is counted and
listed in the export report (category ``not_bio``), never dropped silently.
Tokens are cut at span boundaries, so every kept span is whole tokens; spans
whose edges fall inside a word are reported too (``misaligned``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.models import Annotation, SpanAnnotation
from annotator.core.tokenize import Token
from annotator.formats.writing import ExportContext, JsonlWriter, Unit, open_text

__all__ = ["HfWriter", "non_overlapping", "bio_tags", "tag_names", "tag_unit", "report_links"]


def non_overlapping(
    spans: Iterable[SpanAnnotation],
) -> tuple[list[SpanAnnotation], list[tuple[SpanAnnotation, SpanAnnotation]]]:
    """Spans that do not overlap: longest first, then earliest.

    Returns the kept spans (sorted by start) and ``(left out, the kept span it overlaps)`` pairs.
    """
    order = sorted(spans, key=lambda a: (-(a.end - a.start), a.start, a.label, a.id))
    kept: list[SpanAnnotation] = []
    dropped: list[tuple[SpanAnnotation, SpanAnnotation]] = []
    for a in order:
        clash = next((k for k in kept if a.start < k.end and k.start < a.end), None)
        if clash is None:
            kept.append(a)
        else:
            dropped.append((a, clash))
    kept.sort(key=lambda a: a.start)
    return kept, dropped


def bio_tags(tokens: Sequence[Token], spans: Iterable[SpanAnnotation]) -> list[str]:
    """BIO tags of ``tokens`` for non-overlapping ``spans`` (tokens must be cut at span edges)."""
    tags = ["O"] * len(tokens)
    starts = {t.start: i for i, t in enumerate(tokens)}
    for a in spans:
        i = starts[a.start]
        tags[i] = f"B-{a.label}"
        i += 1
        while i < len(tokens) and tokens[i].end <= a.end:
            tags[i] = f"I-{a.label}"
            i += 1
    return tags


def tag_names(labels: Iterable[str]) -> list[str]:
    """``["O", "B-L1", "I-L1", ...]`` for the labels in the order given."""
    names = ["O"]
    for label in labels:
        names += [f"B-{label}", f"I-{label}"]
    return names


def overlap_reason(dropped: Annotation, kept: SpanAnnotation, unit: Unit) -> str:
    return (
        f"overlaps {kept.label} [{kept.start + unit.start}, {kept.end + unit.start}) {kept.text_in(unit.text)!r}, which was kept"
    )


def tag_unit(ctx: ExportContext, unit: Unit, labels: list[str], extra: set[str]) -> tuple[list[Token], list[str]]:
    """Tokens of a unit and their BIO tags.

    Spans left out of the tags (they overlap a kept one) are reported as
    ``not_bio``; links (relations, event arguments, claimants), which tags
    cannot hold, as ``not_exported``.  Labels not in ``labels`` are added to ``extra``.
    """
    tk = ctx.tokenized(unit)
    spans = tk.spans
    kept, dropped = non_overlapping(spans)
    for a, clash in dropped:
        ctx.report.problem("not_bio", unit.problem(a, overlap_reason(a, clash, unit)))
    report_links(ctx, unit, "BIO tags")
    for a in kept:
        if a.label not in labels:
            extra.add(a.label)
    return tk.tokens, bio_tags(tk.tokens, kept)


def report_links(ctx: ExportContext, unit: Unit, holder: str) -> None:
    """Report every link of the unit (relations, event arguments, claimants) as not
    exported: ``holder`` (BIO tags, a DocBin) has no place for links."""
    for a in unit.annotations:
        if a.kind == "relation":
            what = [f"relation {a.label!r}"]
        elif a.kind == "event":
            what = [f"argument {arg.role!r}" for arg in a.arguments]
        elif a.kind == "claim" and a.claimant_ref:
            what = ["claimant link"]
        else:
            continue
        for w in what:
            ctx.report.problem("not_exported", unit.problem(a, f"{w}: {holder} cannot hold links"))


class HfWriter(JsonlWriter):
    """The ``hf`` format: JSON lines of tokens and BIO tags, labels.json and a dataset card."""

    def __init__(self, ctx: ExportContext):
        super().__init__(ctx)
        self.labels: list[str] = []
        for kind in ctx.options.span_kinds:
            self.labels += [x for x in ctx.schema.labels(kind) if x not in self.labels]
        self.extra: set[str] = set()
        self.splits: list[str] = []
        #: Document labels (issue 14): a column per category, when any exported document has some.
        self.categories = ctx.doc_label_categories() if ctx.any_doc_labels() else []
        self.left_out: set[tuple[str, str]] = set()

    def records(self, unit: Unit) -> Iterable[dict[str, Any]]:
        tokens, tags = tag_unit(self.ctx, unit, self.labels, self.extra)
        rec: dict[str, Any] = {"id": unit.record_id, "tokens": [t.text for t in tokens], "ner_tags": tags}
        if self.categories:
            labels = self.ctx.doc_labels(unit)
            for name, multi, names in self.categories:
                chosen = [x for x in labels.get(name, []) if x in names]
                self.left_out.update((name, x) for x in labels.get(name, []) if x not in names)
                rec[name] = chosen if multi else (chosen[0] if chosen else None)
        if unit.per_annotator:
            rec["annotator"] = unit.annotator
        yield rec

    def destination(self, root: Path, split: str | None) -> Path:
        # Without a split the data are one "train" split, as datasets expects.
        return root / f"{split or 'train'}.jsonl"

    def write(self, units: Iterable[Unit], dest: Path) -> None:
        before = self.report.records
        super().write(units, dest)
        # datasets refuses a declared split without data: an empty split stays out of the card.
        if self.report.records > before:
            self.splits.append(dest.stem)

    def finish(self, root: Path) -> None:
        if self.left_out:
            listed = ", ".join(f"{c}/{x}" for c, x in sorted(self.left_out))
            self.report.note(f"Document labels the schema no longer has were left out of the label columns: {listed}")
        names = tag_names(self.labels + sorted(self.extra))
        with open_text(root / "labels.json") as fh:
            fh.write(json.dumps(names, ensure_ascii=False, indent=1) + "\n")
        with open_text(root / "README.md") as fh:
            fh.write(self.card(names))
        self.report.files += ["labels.json", "README.md"]

    def card(self, names: list[str]) -> str:
        """A dataset card whose YAML header declares the features and the splits."""
        split_names = {"train": "train", "dev": "validation", "test": "test"}
        lines = [
            "---",
            "dataset_info:",
            "  features:",
            "  - name: id",
            "    dtype: string",
            "  - name: tokens",
            "    sequence: string",
            "  - name: ner_tags",
            "    sequence:",
            "      class_label:",
            "        names:",
        ]
        lines += [f"          '{i}': {json.dumps(n, ensure_ascii=False)}" for i, n in enumerate(names)]
        for name, multi, labels in self.categories:  # document labels: one column per category
            lines += [f"  - name: {json.dumps(name, ensure_ascii=False)}"]
            lines += ["    sequence:", "      class_label:", "        names:"] if multi else ["    class_label:", "      names:"]
            pad = "          " if multi else "        "
            lines += [f"{pad}'{i}': {json.dumps(n, ensure_ascii=False)}" for i, n in enumerate(labels)]
        if self.ctx.options.per_annotator:
            lines += ["  - name: annotator", "    dtype: string"]
        lines += ["configs:", "- config_name: default", "  data_files:"]
        for s in self.splits or ["train"]:
            lines += [f"  - split: {split_names.get(s, s)}", f"    path: {s}.jsonl"]
        lines += [
            "---",
            "",
            "# Token classification data",
            "",
            "Exported by annotator: one record per "
            + ("sentence" if self.ctx.options.sentences else "document")
            + ", `tokens` and BIO `ner_tags` (tag names in `labels.json`)"
            + (
                "; document labels in one column per category ("
                + ", ".join(f"`{n}`: {'a list of labels' if m else 'one label or none'}" for n, m, _ in self.categories)
                + ")."
                if self.categories
                else "."
            ),
            "",
            "```python",
            "import datasets",
            'ds = datasets.load_dataset("path/to/this/folder")',
            "```",
            "",
        ]
        return "\n".join(lines)
