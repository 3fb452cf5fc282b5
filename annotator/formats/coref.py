"""Coreference out and in (issue 15): ``clusters`` JSONL and CoNLL-2012.

``--format clusters``: one document a line, the shape coreference training code
reads::

    {"id": "<document id>", "text": "...", "clusters": [[[0, 15], [40, 42]], [[21, 26]]]}

Each cluster is its mentions' ``[start, end]`` (code points, end-exclusive; UTF-16
units with ``--offsets utf16``), in text order; clusters in the order of their
first mention.  One annotator's layer (``--annotator``, ``--gold``, or
``--per-annotator``: the id is then ``<document id>@<annotator>``).

``--format conll2012``: the CoNLL-2012 shared task's columns, one token a line,
tab-separated, a blank line between sentences, each document between
``#begin document (<id>); part 000`` and ``#end document``:

====  =====================  ===============================================
col   name                   what is written
====  =====================  ===============================================
1     document id            the document id (``<id>@<annotator>`` per annotator)
2     part number            ``0``
3     word number            the token's number in its sentence, from 0
4     word                   the token (the default or spaCy tokenizer; tokens
                             are cut where a mention starts or ends inside one)
5     POS                    ``-`` (not annotated)
6     parse bit              ``-`` (not annotated)
7     predicate lemma        ``-``
8     predicate frameset     ``-``
9     word sense             ``-``
10    speaker                ``-``
11    named entities         the named entities (entity spans whose label is not
                             a mention label), ``(PERSON*`` ... ``*)`` / ``(GPE)``
                             / ``*``; nested ones are left out (reported)
12    coreference            the cluster numbers, ``(3`` at a mention's first
                             token, ``3)`` at its last, ``(3)`` for one token,
                             joined by ``|``; ``-`` for none
====  =====================  ===============================================

Clusters are numbered from 0 in the order of their first mention.  Sentences come
from :func:`annotator.core.tokenize.sentences`; sentences a mention crosses are
one block.  There are no predicate-argument columns.

Import (:func:`iter_conll2012`; ``annotator import FILE --format conll2012``, or a
``.conll`` file holding ``#begin document``): the word (column 4), named entities
(column 11 when a line has 12 or more columns) and coreference (last column) are
read; the text is the words joined by one space, sentences by ``\\n``.  Each
mention that is also a named entity is that entity; any other is an entity span
labelled with the ``mention_label`` given (the project's first mention label,
``MENTION`` if it has none: ``--add-labels`` adds it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.core.coref import Cluster
from annotator.core.tokenize import sentences
from annotator.formats import InputError, Item, Record, TextBuilder, annotator_name, read_text
from annotator.formats.writing import JsonlWriter, Unit, Writer, open_text

__all__ = [
    "ClustersWriter",
    "Conll2012Writer",
    "iter_conll2012",
    "is_conll2012",
    "coref_brackets",
    "parse_coref_column",
    "MENTION_LABEL",
]

#: The label of imported mentions that are not named entities, when the schema has no mention label.
MENTION_LABEL = "MENTION"


def unit_clusters(writer: Writer, unit: Unit) -> list[list[tuple[int, int]]]:
    """The unit's clusters (its annotator's) as lists of unit-relative ``(start,
    end)`` of their mentions, in text order, clusters by their first mention.
    Members not among the unit's spans are reported and left out."""
    if unit.annotator is None:
        return []
    source = writer.ctx.source
    if not source.has_clusters():
        return []
    clusters = source.clusters_by_document([unit.doc.id], [unit.annotator]).get(unit.doc.id, [])
    out: list[list[tuple[int, int]]] = []
    for cluster in clusters:
        spans: set[tuple[int, int]] = set()
        for m in cluster.members:
            ann = unit.by_id.get(m) or writer.ctx.resolve(unit, m)
            if ann is None or ann.start is None or ann.end is None:
                continue
            spans.add((ann.start, ann.end))
        if spans:
            out.append(sorted(spans))
    out.sort()
    return out


class ClustersWriter(JsonlWriter):
    """``{"id", "text", "clusters"}`` per document (see the module's documentation)."""

    def records(self, unit: Unit) -> Iterable[dict[str, Any]]:
        clusters = unit_clusters(self, unit)
        yield {
            "id": unit.record_id,
            "text": unit.text,
            "clusters": [[[unit.pos(s), unit.pos(e)] for s, e in c] for c in clusters],
        }


def coref_brackets(spans: dict[int, list[tuple[int, int]]], n_tokens: int) -> list[str]:
    """The coreference column of ``n_tokens`` tokens: ``spans`` maps a cluster
    number to its mentions as ``(first token, last token)`` (inclusive)."""
    opens: list[list[tuple[int, int]]] = [[] for _ in range(n_tokens)]  # (-length, number)
    singles: list[list[int]] = [[] for _ in range(n_tokens)]
    closes: list[list[tuple[int, int]]] = [[] for _ in range(n_tokens)]
    for number, mentions in spans.items():
        for first, last in mentions:
            if first == last:
                singles[first].append(number)
            else:
                opens[first].append((first - last, number))
                closes[last].append((first - last, number))
    out = []
    for i in range(n_tokens):
        parts = [f"({n}" for _, n in sorted(opens[i])]
        parts += [f"({n})" for n in sorted(singles[i])]
        parts += [f"{n})" for _, n in sorted(closes[i], reverse=True)]
        out.append("|".join(parts) if parts else "-")
    return out


def _sentence_blocks(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences, those a span crosses joined."""
    intervals = sorted([*sentences(text), *spans])
    merged: list[list[int]] = []
    for s, e in intervals:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


_SAFE_ID = re.compile(r"\s+")


class Conll2012Writer(Writer):
    """The CoNLL-2012 columns (see the module's documentation)."""

    def write(self, units: Iterable[Unit], dest: Path) -> None:
        schema = self.ctx.schema
        with open_text(dest) as fh:
            for unit in units:
                clusters = unit_clusters(self, unit)
                starts, ends, spans = self.ctx.token_offsets(unit)
                named = sorted(
                    {(a.start, a.end, a.label) for a in spans if a.kind == "entity" and not schema.is_mention_label(a.label)},
                    key=lambda x: (x[0], -x[1]),
                )
                doc_name = _SAFE_ID.sub("_", unit.record_id)
                fh.write(f"#begin document ({doc_name}); part 000\n")
                mention_spans = [m for c in clusters for m in c]
                first_of = {s: i for i, s in enumerate(starts)}
                last_of = {e: i for i, e in enumerate(ends)}
                text = unit.text
                # coref: token ranges per cluster (mentions are on token edges: the tokens were cut there)
                coref: dict[int, list[tuple[int, int]]] = {}
                for number, cluster in enumerate(clusters):
                    for s, e in cluster:
                        a, b = first_of.get(s), last_of.get(e)
                        if a is None or b is None:  # only whitespace at an edge: to the tokens inside
                            inside = [i for i, (ts, te) in enumerate(zip(starts, ends)) if s <= ts and te <= e]
                            if not inside:
                                continue
                            a, b = inside[0], inside[-1]
                        coref.setdefault(number, []).append((a, b))
                coref_col = coref_brackets(coref, len(starts))
                ne_col = ["*"] * len(starts)
                taken = -1
                for s, e, label in named:
                    a, b = first_of.get(s), last_of.get(e)
                    if a is None or b is None or a <= taken:
                        continue  # nested or overlapping: one NE per token
                    ne_col[a] = f"({label}*"
                    ne_col[b] = ne_col[b] + ")" if a != b else f"({label})"
                    taken = b
                blocks = _sentence_blocks(text, mention_spans)
                bi = 0
                word = 0
                for i, (s, e) in enumerate(zip(starts, ends)):
                    while bi < len(blocks) - 1 and s >= blocks[bi][1]:
                        bi += 1
                        if word:
                            fh.write("\n")
                        word = 0
                    cols = [doc_name, "0", str(word), text[s:e], "-", "-", "-", "-", "-", "-", ne_col[i], coref_col[i]]
                    fh.write("\t".join(cols) + "\n")
                    word += 1
                if word:
                    fh.write("\n")
                fh.write("#end document\n")
                self.report.records += 1


# ---------------------------------------------------------------------------
# Reading CoNLL-2012
# ---------------------------------------------------------------------------
_BEGIN = re.compile(r"^#begin document \((.*)\);?\s*(?:part\s+(\d+))?\s*$")
_COREF_PART = re.compile(r"^(\()?(\d+)(\))?$")


def is_conll2012(head: str) -> bool:
    """Whether a file's first lines look like CoNLL-2012 (``#begin document``)."""
    return any(line.startswith("#begin document") for line in head.splitlines()[:20])


def parse_coref_column(value: str) -> list[tuple[str, int]] | None:
    """The coreference column as ``(what, number)`` with what ``open``, ``close``
    or ``single``; ``[]`` for ``-``; None when it is not bracket notation."""
    if value in ("-", "_", ""):
        return []
    out: list[tuple[str, int]] = []
    for part in value.split("|"):
        m = _COREF_PART.match(part)
        if m is None or (m.group(1) is None and m.group(3) is None):
            return None
        what = "single" if m.group(1) and m.group(3) else "open" if m.group(1) else "close"
        out.append((what, int(m.group(2))))
    return out


class _Doc2012:
    def __init__(self, name: str, line: int):
        self.name = name
        self.line = line
        self.parts: list[str] = []
        self.length = 0
        self.sentence_open = False
        self.tokens: list[tuple[int, int]] = []
        self.coref_open: dict[int, list[tuple[int, int]]] = {}  # number -> stack of (start, line)
        self.mentions: list[tuple[int, int, int, int]] = []  # (start, end, number, line)
        self.ne_open: tuple[int, str, int] | None = None
        self.entities: list[tuple[int, int, str, int]] = []

    def token(self, word: str) -> tuple[int, int]:
        if self.sentence_open:
            sep = " "
        else:
            sep = "\n" if self.parts else ""
            self.sentence_open = True
        self.parts.append(sep + word)
        start = self.length + len(sep)
        self.length = start + len(word)
        return start, self.length


def iter_conll2012(
    path: str | Path,
    *,
    encoding: str | None = None,
    annotator: str | None = None,
    name: str | None = None,
    mention_label: str = MENTION_LABEL,
    **_: Any,
) -> Iterator[Item]:
    """The documents of a CoNLL-2012 file, each with its entities, mentions and
    clusters; a bad line refuses its document (yielded as :class:`InputError`),
    the other documents are read.  Raises :class:`InputError` for a file that
    cannot be read or holds no document."""
    file = name or str(path)
    raw = read_text(path, encoding=encoding, name=file)
    who = annotator_name(annotator)
    doc: _Doc2012 | None = None
    error: InputError | None = None
    docs = 0
    for number, line in enumerate(raw.lstrip("\ufeff").split("\n"), start=1):
        line = line.rstrip("\r")
        if line.startswith("#begin document"):
            if doc is not None:
                yield InputError(file, doc.line, f"document {doc.name!r} has no '#end document' line before line {number}")
            m = _BEGIN.match(line)
            doc = _Doc2012(m.group(1) if m else line[len("#begin document") :].strip(), number)
            error = None
            continue
        if line.startswith("#end document"):
            if doc is None:
                yield InputError(file, number, "'#end document' without '#begin document'")
                continue
            docs += 1
            if error is not None:
                yield error
            else:
                try:
                    yield _record2012(doc, file, who, mention_label)
                except InputError as err:
                    yield err
            doc = None
            continue
        if not line.strip():
            if doc is not None:
                doc.sentence_open = False
            continue
        if line.startswith("#"):
            continue
        if doc is None:
            yield InputError(file, number, "a token line outside '#begin document' ... '#end document'")
            return
        if error is not None:
            continue
        fields = line.split()
        if len(fields) < 5:
            error = InputError(
                file,
                number,
                f"{len(fields)} columns: a CoNLL-2012 line has the document id, part, word number, word, ... and the coreference column last",
            )
            continue
        start, end = doc.token(fields[3])
        problem = _read_coref(doc, fields[-1], start, end, number)
        if problem is None and len(fields) >= 12:
            problem = _read_ne(doc, fields[10], start, end, number)
        if problem is not None:
            error = InputError(file, number, problem)
    if doc is not None:
        yield InputError(file, doc.line, f"document {doc.name!r} has no '#end document' line")
    if not docs and doc is None:
        raise InputError(file, None, "no documents: a CoNLL-2012 file has '#begin document (...)' ... '#end document' blocks")


def _read_coref(doc: _Doc2012, value: str, start: int, end: int, line: int) -> str | None:
    parts = parse_coref_column(value)
    if parts is None:
        return f"{value!r} is not a coreference column (-, or (3, 3), (3) joined by |)"
    for what, n in parts:
        if what == "single":
            doc.mentions.append((start, end, n, line))
        elif what == "open":
            doc.coref_open.setdefault(n, []).append((start, line))
        else:
            stack = doc.coref_open.get(n)
            if not stack:
                return f"'{n})' closes a mention of cluster {n} that was not opened"
            s, _ = stack.pop()
            doc.mentions.append((s, end, n, line))
    return None


def _read_ne(doc: _Doc2012, value: str, start: int, end: int, line: int) -> str | None:
    if value in ("*", "-", "_"):
        return None
    m = re.fullmatch(r"(?:\(([^()*]+)\*?)?\*?(\))?", value)
    if m is None:
        return f"{value!r} is not a named-entity column ((LABEL*, *, *), (LABEL))"
    label, closing = m.group(1), m.group(2)
    if label:
        if doc.ne_open is not None:
            return f"named entity {label} opens inside {doc.ne_open[1]}"
        doc.ne_open = (start, label, line)
    if closing:
        if doc.ne_open is None:
            return "')' closes a named entity that was not opened"
        s, lab, ln = doc.ne_open
        doc.entities.append((s, end, lab, ln))
        doc.ne_open = None
    return None


def _record2012(doc: _Doc2012, file: str, who: str, mention_label: str) -> Record:
    for n, stack in doc.coref_open.items():
        if stack:
            raise InputError(file, stack[-1][1], f"document {doc.name!r}: the mention of cluster {n} opened here is never closed")
    if doc.ne_open is not None:
        raise InputError(file, doc.ne_open[2], f"document {doc.name!r}: named entity {doc.ne_open[1]} is never closed")
    if not doc.parts:
        raise InputError(file, doc.line, f"document {doc.name!r} has no tokens")
    builder = TextBuilder("".join(doc.parts), file=file, line=doc.line, doc_name=f"document {doc.name!r}")
    document = builder.document(external_id=doc.name, source=Path(file).name)
    anns = []
    by_span: dict[tuple[int, int], str] = {}
    for start, end, label, line in doc.entities:
        what = f"line {line}: {label}"
        a, b = builder.span(start, end, what)
        ann = builder.entity(document.id, what, a, b, label, who)
        anns.append(ann)
        by_span.setdefault((start, end), ann.id)
    members: dict[int, list[str]] = {}
    used: set[str] = set()
    for start, end, n, line in sorted(doc.mentions, key=lambda m: (m[0], -m[1], m[2])):
        ann_id = by_span.get((start, end))
        if ann_id is None or ann_id in used:
            what = f"line {line}: mention of cluster {n}"
            a, b = builder.span(start, end, what)
            ann = builder.entity(document.id, what, a, b, mention_label, who)
            anns.append(ann)
            ann_id = ann.id
        used.add(ann_id)
        members.setdefault(n, []).append(ann_id)
    clusters = [Cluster(doc_id=document.id, annotator=who, members=tuple(ids), name=None) for _n, ids in sorted(members.items())]
    return Record(document, anns, doc.line, name=f"document {doc.name!r}", clusters=clusters)
