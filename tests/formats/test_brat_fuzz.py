"""Fuzzing the brat importer: random .ann files made of brat's line shapes (ids
defined anywhere, references to any id, offsets in and out of the text), mutated
bytes, and random annotation.conf files, imported with --add-labels beside a .txt.

Every input gives a clear error naming the file (and the project is exactly as it
was) or a valid import that brat export writes back and that imports again."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.store import Project
from annotator.formats.writing import ExportOptions
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from tests.formats.brat_meaning import meaning
from tests.formats.test_brat_standoff import CONF, EVERY_LINE, TEXT
from tests.reliability import fuzzlib as F

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)

IDS = ["T1", "T2", "T3", "T4", "E1", "E2", "E3", "R1", "R2", "A1", "A2", "M1", "N1", "#1", "X1", "T", "E1x"]
TYPES = ["Organization", "Person", "Merge", "Report", "CLAIM", "claimant", "Equiv", "notes", "Théme", "a:b", ""]
ROLES = ["Theme", "Theme2", "Theme1", "Org", "Org3", "Arg1", "Arg2", "1", ""]
WORDS = ["Acme Corp", "merger", "reported", "Jane Roe", "", " ", "\t", "x\u2028y", "😀"]


@st.composite
def ann_line(draw: st.DrawFn) -> str:
    ident = draw(st.sampled_from(IDS))
    typ = draw(st.sampled_from(TYPES))
    ref = st.sampled_from(IDS)
    kind = draw(st.sampled_from("TERAMN#*?"))
    if kind == "T":
        start = draw(st.integers(-1, len(TEXT) + 2))
        end = draw(st.integers(-1, len(TEXT) + 2))
        frags = f"{start} {end}" + (
            f";{draw(st.integers(0, len(TEXT)))} {draw(st.integers(0, len(TEXT)))}" if draw(st.booleans()) else ""
        )
        tail = TEXT[max(start, 0) : max(end, 0)] if draw(st.booleans()) else draw(st.sampled_from(WORDS))
        return f"{ident}\t{typ} {frags}\t{tail}"
    if kind == "E":
        args = " ".join(f"{draw(st.sampled_from(ROLES))}:{draw(ref)}" for _ in range(draw(st.integers(0, 4))))
        return f"{ident}\t{typ}:{draw(ref)} {args}".rstrip()
    if kind == "R":
        return f"{ident}\t{typ} {draw(st.sampled_from(ROLES))}:{draw(ref)} {draw(st.sampled_from(ROLES))}:{draw(ref)}"
    if kind in "AM":
        value = draw(st.sampled_from(["", " High", " Low", " two words"]))
        return f"{ident}\t{typ} {draw(ref)}{value}"
    if kind == "N":
        return f"{ident}\t{typ} {draw(ref)} {draw(st.sampled_from(['Wikipedia:1', 'db:', ':x', 'nocolon']))}\t{draw(st.sampled_from(WORDS))}"
    if kind == "#":
        return f"{ident}\t{typ} {draw(ref)}\t{draw(st.sampled_from(WORDS))}"
    if kind == "*":
        return "*\t" + " ".join([typ, *(draw(ref) for _ in range(draw(st.integers(0, 4))))])
    return draw(st.text(max_size=30))


@st.composite
def ann_file(draw: st.DrawFn) -> bytes:
    valid = EVERY_LINE.splitlines()
    shape = draw(st.sampled_from(["shuffled", "mixed", "random"]))
    if shape == "shuffled":  # a valid file in any order, untidy: every id may be used before its line
        lines = [line + draw(st.sampled_from(["", " ", "\t", " \t "])) for line in draw(st.permutations(valid))]
        lines = [line for line in lines if not line.startswith(("A", "M", "N", "#")) or draw(st.booleans())]
    elif shape == "mixed":
        lines = draw(st.permutations(valid))
        for _ in range(draw(st.integers(1, 3))):
            lines.insert(draw(st.integers(0, len(lines))), draw(ann_line()))
    else:
        lines = draw(st.lists(st.one_of(ann_line(), st.sampled_from(valid)), max_size=20))
    data = draw(st.sampled_from(["\n", "\r\n"])).join(lines).encode("utf-8")
    if shape != "shuffled" and draw(st.booleans()):
        data = draw(F.mutated_bytes(data)) if data else data
    return data


def check(ann: bytes, conf: bytes | None) -> str:
    folder = Path(tempfile.mkdtemp(dir=F.workdir()))
    try:
        project = folder / "p.annotator"
        shutil.copy(F.template_project(), project)
        (folder / "in").mkdir()
        (folder / "in" / "doc.ann").write_bytes(ann)
        (folder / "in" / "doc.txt").write_text(TEXT, encoding="utf-8")
        if conf is not None:
            (folder / "in" / "annotation.conf").write_bytes(conf)
        with Project(project) as p:
            before = F.state(p)
            report = import_paths(p, [folder / "in"], add_labels=True)  # must not raise
            for err in report.errors:
                message = str(err)
                assert "doc.ann" in message or "doc.txt" in message or "annotation.conf" in message, message
                assert "Traceback" not in message and 'File "' not in message, message
            if not report.ok:
                assert F.state(p) == before, f"a refused file changed the project: {[str(e) for e in report.errors]}"
                return "refused"
            F.check_project_sane(p)
            assert report.documents == 1
            export(p, ExportOptions("brat", out=folder / "out", include_empty=True))  # what came in goes out
            with Project(folder / "again.annotator", create=True) as again:
                back = import_paths(again, [folder / "out"], add_labels=True)
                assert back.ok and back.documents == 1, [str(e) for e in back.errors]
                export(again, ExportOptions("brat", out=folder / "out2", include_empty=True))
            first, second = ((folder / out / "doc.ann").read_text("utf-8") for out in ("out", "out2"))
            assert meaning(second) == meaning(first)
            return "imported"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@FUZZ
@given(ann=ann_file(), conf=st.one_of(st.none(), st.just(CONF.encode()), st.binary(max_size=200)))
def test_random_and_mutated_ann_files(ann: bytes, conf: bytes | None) -> None:
    check(ann, conf)


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_mutated_annotation_conf(data: st.DataObject) -> None:
    conf = data.draw(F.mutated_bytes(CONF.encode()))
    check(EVERY_LINE.encode(), conf)
