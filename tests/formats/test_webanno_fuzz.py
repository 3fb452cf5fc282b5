"""WebAnno TSV import, fuzzed: random and mutated files give a clear error naming
the file, or a valid import; never a traceback, never a changed project on error."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.store import Project
from annotator.services.importing import import_paths

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
NE = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"

#: A valid file with every feature of the format: the mutations start from it.
SEED = (
    "#FORMAT=WebAnno TSV 3.3\n"
    f"#T_SP={NE}|value|identifier\n"
    "#T_SP=webanno.custom.Frame|FE|ROLE_webanno.custom.Frame:Roles_webanno.custom.FrameRolesLink|webanno.custom.Lu\n"
    "#T_SP=webanno.custom.Lu|luvalue\n"
    "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.lexmorph.type.pos.POS|PosValue\n"
    "#T_CH=de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceLink|referenceType|referenceRelation\n"
    f"#T_RL=webanno.custom.Relation|value|BT_{NE}\n"
    "\n\n"
    "#Sentence.id=s1\n"
    "#Text=Ms. Haag \\\\o/ 😊 .\n"
    "1-1\t0-3\tMs.\tPER[1]|PERpart[2]\t*[1]|x\\_y[2]\t_\t_\t_\t_\tNNP\tpr[3]\tcoref->3-1\t_\t_\t\n"
    "1-2\t4-8\tHaag\tPER[1]\t*[1]\t_\t_\t_\t_\tNNP\tpr[3]\tcoref->3-1\t_\t_\t\n"
    "1-2.1\t4-6\tHa\tSUB\t*\t_\t_\t_\t_\t_\t_\t_\t_\t_\t\n"
    "1-3\t9-12\t\\o/\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\t\n"
    "1-4\t13-15\t😊\tLOC\\|X\t*\t_\t_\t_\t_\t_\t_\t_\tat|of\t1-1[1_0]|1-2[1_0]\t\n"
    "1-5\t16-17\t.\t_\t_\t_\t_\t_\t_\t.\t_\t_\t_\t_\t\n"
    "\n"
    "#Text=Bob auctioned the clock to John.\n"
    "2-1\t19-22\tBob\t_\t_\t_\t_\t_\tbob\t_\tnam[3]\t*->3-2\t_\t_\t\n"
    "2-2\t23-32\tauctioned\t_\t_\ttransaction\tseller;goods;*\t2-1;2-3[4];2-6\t_\t_\t_\t_\t_\t_\t\n"
    "2-3\t33-36\tthe\t_\t_\t_\t_\t_\tclock[4]\t_\t_\t_\t_\t_\t\n"
    "2-4\t37-42\tclock\t_\t_\t_\t_\t_\tclock[4]\t_\t_\t_\t_\t_\t\n"
    "2-5\t43-45\tto\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\t\n"
    "2-6\t46-50\tJohn\t_\t_\t_\t_\t_\tjohn\t_\t_\t_\t_\t_\t\n"
    "2-7\t50-51\t.\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\t_\t\n"
)
PIECES = [
    "\t",
    "\n",
    "\r",
    "|",
    "[",
    "]",
    "_",
    "*",
    "\\",
    "->",
    ";",
    "-",
    ".",
    "0",
    "1",
    "9",
    "[1]",
    "[0_1]",
    "😊",
    "#Text=",
    "#T_SP=",
    " ",
    "\ud800",
]

_template: Path | None = None


def template() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="webanno-fuzz-"))
        with Project(folder / "t.annotator", create=True):
            pass
        _template = folder / "t.annotator"
    return _template


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def check(data: bytes, *, fmt: str | None = None, add_labels: bool = True) -> str:
    folder = Path(tempfile.mkdtemp(prefix="webanno-fuzz-"))
    try:
        shutil.copy(template(), folder / "p.annotator")
        path = folder / "in.tsv"
        path.write_bytes(data)
        with Project(folder / "p.annotator") as p:
            before = dump(p.path)
            report = import_paths(p, [path], fmt=fmt, add_labels=add_labels)  # never raises
            for err in report.errors:
                assert str(path) in str(err) and "Traceback" not in str(err), str(err)
            if not report.ok:
                assert dump(p.path) == before and report.documents == 0
                return "refused"
            for doc_id in p.document_ids():
                text = p.get_document(doc_id).text
                anns = {a.id: a for a in p.annotations(doc_id)}
                for a in anns.values():
                    a.check_span(len(text))
                    assert a.referenced_ids() <= set(anns)
            return "imported"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_seed_imports():
    assert check(SEED.encode()) == "imported"


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    lines = SEED.split("\n")
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "drop-line", "dup-line", "swap-lines", "truncate"]))
        text = "\n".join(lines)
        at = draw(st.integers(0, max(0, len(text) - 1)) | st.integers(24, max(24, len(text))))
        if op == "insert":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
        elif op == "replace":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at + 1 :]
        elif op == "truncate":
            text = text[:at]
        lines = text.split("\n")
        i = draw(st.integers(1, max(1, len(lines) - 1)))
        j = draw(st.integers(1, max(1, len(lines) - 1)))
        if len(lines) <= max(i, j):
            continue
        if op == "drop-line":
            del lines[i]
        elif op == "dup-line":
            lines.insert(i, lines[i])
        elif op == "swap-lines":
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@FUZZ
@given(data=mutated(), fmt=st.sampled_from([None, "webanno"]), add_labels=st.booleans())
def test_mutated_files(data: bytes, fmt: str | None, add_labels: bool) -> None:
    check(data, fmt=fmt, add_labels=add_labels)


_cell = st.sampled_from(
    ["_", "*", "PER", "PER[1]", "A|B", "x\\_y", "1-1", "1-2[0_1]", "a;b", "1-1;1-2", "coref->1-1", "*->2-1", "[", "\\"]
)


@st.composite
def random_files(draw: st.DrawFn) -> bytes:
    header = draw(
        st.lists(
            st.sampled_from(
                [
                    f"#T_SP={NE}|value",
                    "#T_SP=webanno.custom.E|ROLE_webanno.custom.E:r_webanno.custom.ELink|uima.tcas.Annotation",
                    "#T_CH=x.CoreferenceLink|referenceType|referenceRelation",
                    f"#T_RL=x.R|value|BT_{NE}",
                    "#T_SP=x.Bare",
                ]
            ),
            max_size=4,
            unique=True,
        )
    )
    if f"#T_RL=x.R|value|BT_{NE}" in header and f"#T_SP={NE}|value" not in header:
        header.insert(0, f"#T_SP={NE}|value")
    lines = ["#FORMAT=WebAnno TSV 3.3", *header, "", ""]
    width = sum(1 if h.endswith(("|value", "Bare")) else 2 for h in header)
    at = 0
    for s in range(1, draw(st.integers(0, 3)) + 1):
        words = draw(st.lists(st.sampled_from(["a", "bb", "😊", "c\\\\d", "é"]), min_size=1, max_size=4))
        lines.append("#Text=" + " ".join(words))
        for t, word in enumerate(words, start=1):
            word = word.replace("\\\\", "\\")  # the token column is not escaped
            length = len(word.encode("utf-16-le")) // 2
            begin = max(0, at + draw(st.sampled_from([0, 0, 0, 0, 0, 1, -1])))
            n = draw(st.sampled_from([width] * 12 + [width + 1, max(0, width - 1)]))
            cells = draw(st.lists(st.sampled_from(["_", "_", "_"]) | _cell, min_size=n, max_size=n))
            lines.append("\t".join([f"{s}-{t}", f"{begin}-{begin + length}", word, *cells]))
            at += length + 1
        lines.append("")
    return "\n".join(lines).encode("utf-8")


@FUZZ
@given(data=random_files())
def test_random_files(data: bytes) -> None:
    check(data, fmt="webanno")


@settings(FUZZ, max_examples=40)
@given(data=st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    check(b"#FORMAT=WebAnno TSV 3.3\n" + data, fmt="webanno")


@st.composite
def mutated_cells(draw: st.DrawFn) -> bytes:
    """The seed with some annotation cells replaced: the structure stays valid, so the
    annotations' meaning (ids, stacking, references) is what is exercised."""
    lines = SEED.split("\n")
    rows = [i for i, line in enumerate(lines) if line[:1].isdigit()]
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.sampled_from(rows))
        cells = lines[i].split("\t")
        at = draw(st.integers(3, len(cells) - 2))
        cells[at] = draw(_cell | st.sampled_from(["PER[2]", "*[4]", "2-3[4]", "1-4[0_9]", "3-1;2-6", "x->1-1", "seller", "_"]))
        lines[i] = "\t".join(cells)
    return "\n".join(lines).encode("utf-8")


@FUZZ
@given(data=mutated_cells(), add_labels=st.booleans())
def test_mutated_cells(data: bytes, add_labels: bool) -> None:
    check(data, add_labels=add_labels)
