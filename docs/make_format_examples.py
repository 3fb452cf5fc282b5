"""Write the examples of docs/formats.md with the real exporter.

    python docs/make_format_examples.py           # rewrite the examples in docs/formats.md
    python docs/make_format_examples.py --check   # exit 1 when they are out of date

The examples come from the seed article annotated by ``alice`` as in
tests/formats/export_fixtures.py (plus three entities by ``bob``), with ids
and timestamps made deterministic so the output is stable.  In formats.md each
example sits between ``<!-- example:NAME -->`` and ``<!-- /example -->``; only
lists said to be shortened are cut (marked with "…").
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import secrets
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "formats.md"
sys.path.insert(0, str(ROOT / "tests" / "formats"))

MEETING = "The two sides reached"
SEVENTY = "China controls around 70%"


@contextlib.contextmanager
def deterministic() -> Iterator[None]:
    """Ids 0000000000000001, 0000000000000002, ... and a fixed clock while annotations are made."""
    import annotator.core.kinds as models  # now() and new_id() live there

    counter = itertools.count(1)
    real_hex, real_datetime = secrets.token_hex, models.datetime

    class Fixed(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return real_datetime(2025, 10, 30, 9, 0, 0, tzinfo=UTC)

    secrets.token_hex = lambda nbytes=8: f"{next(counter):0{2 * nbytes}x}"  # type: ignore[assignment]
    models.datetime = Fixed  # type: ignore[misc]
    try:
        yield
    finally:
        secrets.token_hex = real_hex  # type: ignore[assignment]
        models.datetime = real_datetime  # type: ignore[misc]


def build(path: Path):
    from export_fixtures import _Spans, seed_annotations, seed_text

    from annotator.core.models import DocStatus, Document
    from annotator.core.store import Project

    project = Project(path, create=True)
    with deterministic():
        doc = Document(
            text=seed_text(),
            title="China grants rare earth magnet licences to Indian firms",
            external_id="seed-0",
            source="seed",
            status=DocStatus.DONE,
        )
        anns = seed_annotations(doc, "alice")
        bob = _Spans(doc, "bob")
        bob.entity("China", "GPE")
        bob.entity("Randhir Jaiswal", "PERSON")
        bob.entity("Narendra Modi", "PERSON")
    project.insert_documents([(doc, anns + bob.anns)])
    return project


def pretty(obj: Any, shorten: dict[str, int] | None = None) -> str:
    """JSON with one top-level key per line and one list item per line (lists in ``shorten`` cut)."""
    shorten = shorten or {}
    parts = []
    for key, value in obj.items():
        if isinstance(value, list) and value and isinstance(value[0], (dict, list)):
            items = [json.dumps(v, ensure_ascii=False) for v in value]
            if key in shorten and len(items) > shorten[key]:
                items = items[: shorten[key]] + ["…"]
            inner = ",\n".join(f"   {x}" for x in items)
            parts.append(f"{json.dumps(key)}: [\n{inner}\n ]")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{" + ",\n ".join(parts) + "}"


def _record(path: Path, start: str) -> dict[str, Any]:
    for line in path.read_text("utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("text", "").startswith(start):
            return rec
    raise LookupError(start)


def examples() -> dict[str, str]:
    """Example name -> the text between its markers."""
    from annotator.services.exporting import ExportError, ExportOptions, export

    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        project = build(d / "seed.annotator")
        try:

            def run(name: str, fmt: str, **kw: Any):
                return export(project, ExportOptions(fmt, out=d / name, **kw))

            try:
                run("refused.jsonl", "spans")
            except ExportError as err:
                out["several"] = f"```\nError: {err}\n```"

            run("native.jsonl", "native", annotator="alice")
            rec = json.loads((d / "native.jsonl").read_text("utf-8").splitlines()[0])
            rec["text"] = rec["text"][:60] + "…"
            out["native"] = "```json\n" + pretty(rec, {"annotations": 2}) + "\n```"

            run("spans.jsonl", "spans", annotator="alice", sentences=True, kinds=("entity", "event"))
            rec = _record(d / "spans.jsonl", MEETING)
            out["spans"] = "```json\n" + pretty(rec, {"tokens": 6}) + "\n```"

            run("doccano-bob.jsonl", "doccano", annotator="bob", sentences=True)
            out["doccano-sequence"] = (
                "```json\n"
                + json.dumps(json.loads((d / "doccano-bob.jsonl").read_text("utf-8").splitlines()[0]), ensure_ascii=False)
                + "\n```"
            )
            run("doccano.jsonl", "doccano", annotator="alice", sentences=True, kinds=("entity", "event"))
            out["doccano-relations"] = "```json\n" + pretty(_record(d / "doccano.jsonl", MEETING)) + "\n```"

            report = run("hf", "hf", annotator="alice", sentences=True)
            rec = next(
                json.loads(x)
                for x in (d / "hf" / "train.jsonl").read_text("utf-8").splitlines()
                if json.loads(x)["tokens"][:3] == ["The", "two", "sides"]
            )
            out["hf"] = "```json\n" + json.dumps(rec, ensure_ascii=False) + "\n```"
            labels = json.loads((d / "hf" / "labels.json").read_text("utf-8"))
            out["hf-labels"] = "```json\n" + json.dumps(labels[:7] + ["…"], ensure_ascii=False) + "\n```"
            report.out = Path("hf")  # as the command line prints it for --out hf
            out["report"] = (
                "```\n$ annotator export seed.annotator --format hf --annotator alice --sentences --out hf\n"
                + "\n".join(report.lines())
                + "\n```"
            )

            run("seed.conll", "conll", annotator="alice")
            block = (d / "seed.conll").read_text("utf-8").rstrip("\n").split("\n\n")
            out["conll"] = "```\n" + "-DOCSTART- -X- O O\n\n" + block[1] + "\n…\n\n" + block[-1] + "\n```"

            run("brat", "brat", annotator="alice")
            out["brat-ann"] = "```\n" + (d / "brat" / "seed-0.ann").read_text("utf-8") + "```"
            conf = (d / "brat" / "annotation.conf").read_text("utf-8").splitlines()
            keep = [
                x
                for x in conf
                if x.startswith(
                    (
                        "[",
                        "PERSON",
                        "CLAIM",
                        "affiliated_with",
                        "claimant",
                        "<OVERLAP>",
                        "LicenceGrant",
                        "Meeting\t",
                        "claim_type",
                    )
                )
            ]
            out["brat-conf"] = "```\n" + "\n".join(keep) + "\n```"

            run("events.jsonl", "events", annotator="alice", sentences=True)
            out["events"] = "```json\n" + pretty(_record(d / "events.jsonl", MEETING)) + "\n```"

            run("claims.jsonl", "claims", annotator="alice")
            claim = next(
                json.loads(x)
                for x in (d / "claims.jsonl").read_text("utf-8").splitlines()
                if json.loads(x)["claim"]["text"].startswith(SEVENTY)
            )
            out["claims"] = "```json\n" + pretty(claim) + "\n```"

            run("seed.spacy", "spacy", annotator="alice", sentences=True)
            out["spacy-code"] = "```python\n" + SPACY_CODE + "```"
            out["spacy"] = "```\n" + spacy_example(d / "seed.spacy") + "```"
        finally:
            project.close()
    return out


SPACY_CODE = """import spacy
from spacy.tokens import DocBin

nlp = spacy.blank("en")
for doc in DocBin().from_disk("seed.spacy").get_docs(nlp.vocab):
    if doc.text.startswith("The two sides"):
        print(doc.user_data["meta"])
        print([(e.text, e.label_) for e in doc.ents])
        print([(s.text, s.label_) for s in doc.spans["sc"]])
"""


def spacy_example(path: Path) -> str:
    """What :data:`SPACY_CODE` prints for the DocBin at ``path``."""
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        exec(SPACY_CODE.replace('"seed.spacy"', repr(str(path))), {})
    return buf.getvalue()


_MARKER = re.compile(r"(<!-- example:([\w-]+) -->\n)(.*?)(\n<!-- /example -->)", re.S)


def render(doc: str, made: dict[str, str]) -> str:
    missing = set(made) - set(m.group(2) for m in _MARKER.finditer(doc))
    if missing:
        raise SystemExit(f"formats.md has no place for the examples {sorted(missing)}")
    return _MARKER.sub(lambda m: m.group(1) + made.get(m.group(2), m.group(3)) + m.group(4), doc)


def main(argv: list[str]) -> int:
    current = DOC.read_text("utf-8")
    updated = render(current, examples())
    if "--check" in argv:
        if updated != current:
            print("docs/formats.md: the examples are out of date; run python docs/make_format_examples.py")
            return 1
        return 0
    DOC.write_text(updated, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
