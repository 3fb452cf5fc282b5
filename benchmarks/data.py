"""Seeded synthetic data for the benchmarks: articles, spans, corpora, projects.

Everything is generated from ``random.Random(seed)``, so every run (and every
machine) measures the same data.  Generated files go to a work folder given by
the runner (a temporary folder, or ``benchmarks/.data/`` with ``--keep-data``,
which git ignores); nothing here is ever committed.

The text looks like news copy: sentences of mixed-case words, numbers, names,
a few accented and non-Latin words, quotation marks, and now and then an emoji,
so that the code-point <-> Qt position mapping is exercised (astral
characters take two Qt positions).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from annotator.core.models import GOLD, Annotation, Document, new_id
from annotator.core.schema import default_schema

#: Bump when the generators change so cached files under --keep-data are rebuilt.
GENERATOR_VERSION = 1

_COMMON = (
    "the of and to in a that for on with as by at from said was were has have had "
    "will would could its their this after over about more than new government "
    "minister officials talks trade exports imports rare earth magnets licence "
    "licences firms companies market prices week year month percent billion million "
    "border security agreement meeting statement reported according sources "
    "announced confirmed denied expected plans production supply chain electric "
    "vehicles industry ministry spokesperson president prime summit visit "
    "restrictions sanctions tariffs growth inflation rates central bank "
    "economy workers farmers election parliament court ruling police"
).split()
_NAMES = (
    "China India Beijing Delhi Modi Xi Jaiswal Reuters Airbus IndiGo Tokyo Berlin "
    "Paris Lagos Nairobi Brazil Mexico Canada Ukraine Poland Sweden Norway Kenya "
    "Malhotra Sanjay Randhir Tesla Toyota Siemens Samsung"
).split()
_UNICODE = ["São", "Paulo", "Zürich", "naïve", "café", "Ελλάδα", "Москва", "北京", "서울", "القاهرة", "Łódź", "Ørsted"]
_EMOJI = ["🌍", "📈", "🚗", "⚡", "🇮🇳", "👩‍💼"]
_WORD = re.compile(r"\w+")


class TextMaker:
    """Sentences, paragraphs and articles of news-like text from one seed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def word(self) -> str:
        r = self.rng.random()
        if r < 0.70:
            return self.rng.choice(_COMMON)
        if r < 0.88:
            return self.rng.choice(_NAMES)
        if r < 0.95:
            return str(self.rng.randint(2, 2030))
        if r < 0.995:
            return self.rng.choice(_UNICODE)
        return self.rng.choice(_EMOJI)

    def sentence(self) -> str:
        n = self.rng.randint(8, 26)
        words = [self.word() for _ in range(n)]
        words[0] = words[0][:1].upper() + words[0][1:]
        if self.rng.random() < 0.15:
            i = self.rng.randrange(1, n)
            words[i] = "“" + words[i]
            words[-1] = words[-1] + "”"
        sep = self.rng.choice([" ", " ", " ", " ", ", "])
        body = " ".join(words[: n // 2]) + sep + " ".join(words[n // 2 :])
        return body + self.rng.choice([".", ".", ".", "?", "!"])

    def paragraph(self, target: int) -> str:
        out: list[str] = []
        size = 0
        while size < target:
            s = self.sentence()
            out.append(s)
            size += len(s) + 1
        return " ".join(out)

    def article(self, n_chars: int) -> str:
        """About ``n_chars`` code points: paragraphs of 200-900 characters separated by blank lines."""
        paras: list[str] = []
        size = 0
        while size < n_chars:
            p = self.paragraph(self.rng.randint(200, 900))
            paras.append(p)
            size += len(p) + 2
        return "\n\n".join(paras)


@dataclass
class SpanSpec:
    kind: str
    label: str
    start: int
    end: int


def word_bounds(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def make_annotations(text: str, n: int, seed: int, doc_id: str, annotator: str = "bench") -> list[Annotation]:
    """``n`` span annotations over ``text``: ~85% entities (1-3 words, nested and
    overlapping ones included), ~10% event triggers with 1-2 arguments pointing at
    nearby entities, ~5% claims (sentence-long spans) with a claimant."""
    rng = random.Random(seed)
    schema = default_schema()
    ent_labels = schema.labels("entity")
    ev_types = [e for e in schema.events]
    claim_attrs = schema.claim.attributes
    words = word_bounds(text)
    out: list[Annotation] = []
    entities: list[Annotation] = []
    for _ in range(n):
        r = rng.random()
        i = rng.randrange(len(words))
        if r < 0.85 or not entities:
            j = min(len(words) - 1, i + rng.choice([0, 0, 0, 1, 1, 2]))
            a = Annotation(
                doc_id=doc_id,
                kind="entity",
                label=rng.choice(ent_labels),
                start=words[i][0],
                end=words[j][1],
                annotator=annotator,
                id=new_id(),
            )
            entities.append(a)
        elif r < 0.95:
            ev = rng.choice(ev_types)
            near = entities[-rng.randint(1, min(3, len(entities))) :]
            args = [{"role": rng.choice(ev.roles).name, "target": e.id} for e in near[: rng.randint(1, 2)]]
            a = Annotation(
                doc_id=doc_id,
                kind="event",
                label=ev.name,
                start=words[i][0],
                end=words[i][1],
                annotator=annotator,
                arguments=args,
                id=new_id(),
            )
        else:
            j = min(len(words) - 1, i + rng.randint(5, 20))
            attrs = {x.name: rng.choice(x.values) for x in claim_attrs}
            a = Annotation(
                doc_id=doc_id,
                kind="claim",
                label="CLAIM",
                start=words[i][0],
                end=words[j][1],
                annotator=annotator,
                claimant_ref=rng.choice(entities).id,
                attributes=attrs,
                id=new_id(),
            )
        out.append(a)
    return out


def big_article(n_chars: int, n_spans: int, seed: int, doc_id: str = "bench-article") -> tuple[str, list[Annotation]]:
    """One long article and its annotations (cases 1-3)."""
    text = TextMaker(seed).article(n_chars)
    return text, make_annotations(text, n_spans, seed + 1, doc_id)


# -- corpora ------------------------------------------------------------------
class SentencePool:
    """A pool of generated sentences with their word offsets; documents are drawn
    from it, which makes corpora of tens of megabytes quick to generate while
    every document's text stays distinct."""

    def __init__(self, seed: int, size: int = 4000):
        maker = TextMaker(seed)
        self.sentences = [maker.sentence() for _ in range(size)]
        self.words = [word_bounds(s) for s in self.sentences]
        self.rng = random.Random(seed + 7)

    def document(self, n_chars: int, n_spans: int, labels: list[str], lead: str) -> tuple[str, list[tuple[int, int, str]]]:
        """A document opening with the line ``lead`` (which makes it unique), then
        sentences from the pool; and ``n_spans`` random word spans with labels."""
        rng = self.rng
        parts: list[str] = [lead, "\n\n"]
        offsets: list[tuple[int, int]] = []  # (sentence index, offset in document)
        size = len(lead) + 2
        para = 0
        while size < n_chars:
            k = rng.randrange(len(self.sentences))
            if offsets:
                sep = "\n\n" if para > 4 and rng.random() < 0.3 else " "
                para = 0 if sep == "\n\n" else para + 1
                parts.append(sep)
                size += len(sep)
            offsets.append((k, size))
            parts.append(self.sentences[k])
            size += len(self.sentences[k])
        spans = []
        for _ in range(n_spans):
            k, base = offsets[rng.randrange(len(offsets))]
            w = self.words[k]
            i = rng.randrange(len(w))
            j = min(len(w) - 1, i + rng.choice([0, 0, 1, 2]))
            spans.append((base + w[i][0], base + w[j][1], rng.choice(labels)))
        return "".join(parts), spans


def corpus_jsonl(path: Path, n_docs: int, n_chars: int, spans_per_doc: int, seed: int) -> Path:
    """Generic JSONL (``id``, ``title``, ``text``, ``meta``, ``spans``), as read by
    ``annotator import --format jsonl``.  About ``n_docs * n_chars`` characters."""
    if path.exists():
        return path
    pool = SentencePool(seed)
    labels = default_schema().labels("entity")
    rng = random.Random(seed + 11)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        for i in range(n_docs):
            text, spans = pool.document(
                rng.randint(n_chars // 2, n_chars * 3 // 2), spans_per_doc, labels, f"Wire report {i + 1} of {n_docs}"
            )
            rec = {
                "id": f"doc-{i:06d}",
                "title": f"Report {i + 1}: " + text[text.index("\n") + 2 :][:60],
                "text": text,
                "meta": {"source": "synthetic", "n": i},
                "spans": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def many_documents(project, n_docs: int, n_chars: int, spans_per_doc: int, seed: int) -> None:
    """Fill ``project`` with ``n_docs`` documents, each with ``spans_per_doc``
    imported entities, in one transaction.

    Rows go in with plain SQL (named columns, the rest left to their defaults):
    building 100,000 pydantic documents would make the data take longer than the
    measurement.  Only the benchmark's data is made this way, never a user's."""
    import hashlib

    from annotator.core.models import now

    pool = SentencePool(seed)
    labels = default_schema().labels("entity")
    rng = random.Random(seed + 13)
    stamp = now()
    docs, anns = [], []
    for i in range(n_docs):
        text, spans = pool.document(
            rng.randint(n_chars // 2, n_chars * 3 // 2), spans_per_doc, labels, f"Document {i + 1} of {n_docs}"
        )
        doc_id = f"doc-{i:06d}"
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        docs.append((doc_id, f"Document {i + 1}: " + text[text.index("\n") + 2 :][:50], text, sha, "benchmark", stamp, stamp))
        for k, (s, e, lab) in enumerate(spans):
            anns.append((f"{doc_id}-{k}", doc_id, "entity", lab, s, e, "imported", "imported", stamp, stamp))
    with project.transaction():
        project.conn.executemany(
            "INSERT INTO documents (id, title, text, sha256, source, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)", docs
        )
        project.conn.executemany(
            'INSERT INTO annotations (id, doc_id, kind, label, start, "end", annotator, source, created, updated) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            anns,
        )
        project.conn.execute("INSERT OR IGNORE INTO annotators VALUES ('imported', ?)", (stamp,))


def agreement_project(project, n_docs: int, annotators: int, spans: int, seed: int) -> None:
    """``n_docs`` documents, each annotated by ``annotators`` people with about
    ``spans`` spans each: a shared reference set, perturbed per annotator (missed
    spans, shifted boundaries, other labels, extra spans), with events and claims."""
    pool = SentencePool(seed)
    labels = default_schema().labels("entity")
    rng = random.Random(seed + 17)
    schema = default_schema()
    names = [f"annotator{k + 1}" for k in range(annotators)]
    items = []
    for i in range(n_docs):
        text, ref = pool.document(2500, spans, labels, f"Agreement sample {i + 1}")
        doc = Document(id=f"doc-{i:05d}", title=f"Agreement {i}", text=text)
        anns: list[Annotation] = []
        for name in names:
            ents: list[Annotation] = []
            for s, e, lab in ref:
                r = rng.random()
                if r < 0.08:
                    continue  # missed
                if r < 0.15:
                    e = min(len(text), e + rng.randint(1, 3))  # boundary differs
                elif r < 0.22:
                    lab = rng.choice(labels)  # label differs
                kind = "entity"
                ents.append(Annotation(doc_id=doc.id, kind=kind, start=s, end=e, label=lab, annotator=name))
            # events and claims built on the reference positions, so annotators mostly agree
            n_special = max(1, spans // 10)
            specials: list[Annotation] = []
            for k in range(n_special):
                s, e, _ = ref[k]
                if k % 2 == 0 and ents:
                    ev = schema.events[k % len(schema.events)]
                    targets = ents[k + 1 : k + 3] if len(ents) > k + 3 else ents[:1]
                    args = [{"role": ev.roles[m % len(ev.roles)].name, "target": t.id} for m, t in enumerate(targets)]
                    specials.append(
                        Annotation(doc_id=doc.id, kind="event", start=s, end=e, label=ev.name, annotator=name, arguments=args)
                    )
                else:
                    attrs = {
                        x.name: (x.values[0] if rng.random() < 0.8 else rng.choice(x.values)) for x in schema.claim.attributes
                    }
                    specials.append(
                        Annotation(
                            doc_id=doc.id,
                            kind="claim",
                            start=s,
                            end=min(len(text), e + 40),
                            label="CLAIM",
                            annotator=name,
                            attributes=attrs,
                            claimant_ref=ents[0].id if ents else None,
                        )
                    )
            anns.extend(ents[: max(0, spans - len(specials))] + specials)
        items.append((doc, anns))
    project.insert_documents(items, actor="benchmark")


__all__ = [
    "GENERATOR_VERSION",
    "GOLD",
    "TextMaker",
    "SentencePool",
    "big_article",
    "make_annotations",
    "corpus_jsonl",
    "many_documents",
    "agreement_project",
    "word_bounds",
]
