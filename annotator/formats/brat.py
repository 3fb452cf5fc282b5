"""brat standoff: a folder of ``NAME.txt`` + ``NAME.ann`` pairs (export and import).

Export (``annotator export PROJECT --format brat``) writes, per document::

    NAME.txt   the document text, exactly (UTF-8, ``\\n`` line ends)
    NAME.ann   T1<TAB>GPE 28 33<TAB>China
               T2<TAB>LicenceGrant 38 45<TAB>granted
               E1<TAB>LicenceGrant:T2 Grantor:T1 Grantee:T3 Item:T4
               E2<TAB>Meeting:T20 Participant:T18 Participant2:T21
               T15<TAB>CLAIM 1737 1790<TAB>China controls around 70% of global rare earth mining
               A1<TAB>claim_type T15 statistical
               R1<TAB>affiliated_with Arg1:T9 Arg2:T5
               R2<TAB>claimant Arg1:T11 Arg2:T9
               #1<TAB>AnnotatorNotes T15<TAB>claimant: the newspaper (unattributed)

and once per export ``annotation.conf`` (the types, roles and attributes of the
project's schema and of everything exported) and ``visual.conf`` (the schema's
colours), so brat opens the folder without configuration errors.

- Offsets are code points into the ``.txt``, end-exclusive, as brat counts them.
- Entities and claims are T lines; a claim is a T line of type ``CLAIM`` whose
  attributes are A lines (brat has no null: an unset attribute has no line); a claimant span is an R line ``claimant`` from the
  claim to it, a free-text claimant an ``AnnotatorNotes`` line
  ``claimant: TEXT``.  Events are a T line (the trigger, typed with the event
  type) and an E line; a role filled twice is numbered as brat does
  (``Participant``, ``Participant2``).  Relations are R lines; an end that is
  an event is its E id.  Entity and event attributes are A lines (``true``:
  a binary attribute).
- brat reads ``.ann`` files line by line and cuts lines at U+2028, U+2029,
  U+0085 and other line breaks too, so a span holding a line break is written
  as fragments around it (``T3<TAB>MISC 150 160;161 164<TAB>Valparaíso say``),
  as brat itself does; such spans are listed in the export report.
- brat type, role and attribute names must match ``[A-Za-z0-9_-]``; other
  characters become ``_`` (listed in the report), and attribute values have no
  whitespace.

Import (``annotator import FOLDER --format brat``, or a folder/``.ann`` file
detected as brat) reads the same shapes back, from brat or from this export:
T, E, R, A/M, N, ``#`` and ``*`` (Equiv) lines.  Fragments separated only by
whitespace become one span; other discontinuous spans are refused.  A ``.txt``
with Windows line ends is read either way brat may have counted (code points of
the file, or with ``\\r\\n`` read as one line break): the one where every T line's
text matches is used, and offsets are mapped onto the stored text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.models import CLAIM_LABEL, Annotation, Argument, new_id
from annotator.formats import InputError, Item, Record, TextBuilder, annotator_name, collect, read_text
from annotator.formats.writing import CLAIMANT, ExportContext, Unit, Writer, open_text, unit_links

__all__ = ["BratWriter", "iter_brat", "read_brat", "is_brat_text", "storage_form", "fragments", "LINE_BREAKS", "BRAT_EXT"]

#: Extensions of the files of a brat collection that are imported.
BRAT_EXT = frozenset({".ann", ".txt"})

#: Characters at which ``str.splitlines`` (and so brat's reader) ends a line.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")
_NOT_STORAGE = re.compile(r"[^A-Za-z0-9_-]")
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_NOT_WS = re.compile(r"\s+")
#: Prefix of the AnnotatorNotes line that holds a free-text claimant.
CLAIMANT_NOTE = "claimant: "
_SPAN_DEFAULTS = [
    "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
    "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
]


_WINDOWS_RESERVED = frozenset(["CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))])


def _file_part(name: str, limit: int) -> str:
    """``name`` as part of a portable file name: ``[A-Za-z0-9._-]`` only, no dot at
    either end, at most ``limit`` characters, never a device name of Windows."""
    part = _FILE_UNSAFE.sub("_", name)[:limit].strip(".") or "_"
    if part.split(".")[0].upper() in _WINDOWS_RESERVED:
        part = "_" + part
    return part


def storage_form(name: str) -> str:
    """A name as brat stores types, roles and attributes: ``[A-Za-z0-9_-]`` only."""
    return _NOT_STORAGE.sub("_", name) or "_"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at line breaks (which are left out), as brat writes such spans."""
    out, at = [], start
    for m in _BREAK.finditer(text, start, end):
        if m.start() > at:
            out.append((at, m.start()))
        at = m.end()
    if end > at:
        out.append((at, end))
    return out or [(start, end)]


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class _Types:
    """What annotation.conf must declare, gathered while writing."""

    entities: list[str] = field(default_factory=list)
    events: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    relations: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    #: attribute -> (types it is on, values; empty: binary)
    attributes: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    @staticmethod
    def add(items: list[str], *values: str) -> None:
        for v in values:
            if v not in items:
                items.append(v)


class BratWriter(Writer):
    """The ``brat`` format."""

    def __init__(self, ctx: ExportContext):
        super().__init__(ctx)
        self.names: set[tuple[Path, str]] = set()  # (folder, lower-cased base name)
        self.renamed: set[tuple[str, str]] = set()
        self.types = self._schema_types()

    # -- names -----------------------------------------------------------------
    def _name(self, unit: Unit, ann: Annotation | None, name: str, what: str) -> str:
        stored = storage_form(name)
        if stored != name and (what, name) not in self.renamed:
            self.renamed.add((what, name))
            problem = (
                unit.problem(ann, f"{what} {name!r} is written as {stored!r} (brat names are [A-Za-z0-9_-])") if ann else None
            )
            if problem is not None:
                self.report.problem("renamed", problem)
        return stored

    def _schema_types(self) -> _Types:
        schema = self.ctx.schema
        t = _Types()
        t.add(t.entities, *(storage_form(e.name) for e in schema.entities), storage_form(CLAIM_LABEL))
        for ev in schema.events:
            t.events[storage_form(ev.name)] = {
                storage_form(r.name): [storage_form(x) for x in r.labels] or ["<ANY>"] for r in ev.roles
            }
        for rel in schema.relations:
            t.relations[storage_form(rel.name)] = (
                [storage_form(x) for x in rel.head_labels] or ["<ANY>"],
                [storage_form(x) for x in rel.tail_labels] or ["<ANY>"],
            )
        t.relations[CLAIMANT] = ([storage_form(CLAIM_LABEL)], ["<ANY>"])
        for attr in schema.claim.attributes:
            t.attributes[storage_form(attr.name)] = ([storage_form(CLAIM_LABEL)], [_NOT_WS.sub("_", v) for v in attr.values])
        return t

    def file_name(self, unit: Unit, dest: Path) -> str:
        """A safe, unique base name: the external id (else the id), plus the annotator per annotator.

        Only ``[A-Za-z0-9._-]``, no leading or trailing dot, never a name Windows
        reserves, and unique ignoring case (macOS and Windows file systems)."""
        base = _file_part(unit.doc.external_id or unit.doc.id, 80)
        if unit.per_annotator and unit.annotator:
            base += "." + _file_part(unit.annotator, 40)
        taken = {(dest, n) for n in ("annotation", "visual", "tools", "kb_shortcuts")} | self.names
        if (dest, base.lower()) in taken:
            stem, n = f"{base}-{_file_part(unit.doc.id, 40)}", 1
            base = stem
            while (dest, base.lower()) in taken:
                n += 1
                base = f"{stem}-{n}"
        self.names.add((dest, base.lower()))
        return base

    # -- writing ---------------------------------------------------------------
    def destination(self, root: Path, split: str | None) -> Path:
        dest = root / split if split else root
        dest.mkdir(exist_ok=True)
        return dest

    def write(self, units: Iterable[Unit], dest: Path) -> None:
        for unit in units:
            base = self.file_name(unit, dest)
            with open_text(dest / f"{base}.txt") as fh:
                fh.write(unit.text)
            with open_text(dest / f"{base}.ann") as fh:
                for line in self.ann_lines(unit):
                    fh.write(line + "\n")
            self.report.records += 1

    def ann_lines(self, unit: Unit) -> list[str]:
        """The ``.ann`` lines of one document."""
        text = unit.text
        spans = unit.spans
        t = self.types
        tid = {a.id: f"T{i}" for i, a in enumerate(spans, start=1)}
        events = [a for a in spans if a.kind == "event"]
        eid = {a.id: f"E{i}" for i, a in enumerate(events, start=1)}
        typ = {a.id: self._name(unit, a, a.label, "label") for a in spans}

        def ref(a: Annotation) -> str:
            return eid.get(a.id) or tid[a.id]

        lines: list[str] = []
        for a in spans:
            frags = fragments(text, a.start, a.end)
            if len(frags) > 1:
                self.report.problem("fragments", unit.problem(a, f"written as {len(frags)} fragments around line breaks"))
            offsets = ";".join(f"{s} {e}" for s, e in frags)
            lines.append(f"{tid[a.id]}\t{typ[a.id]} {offsets}\t{' '.join(text[s:e] for s, e in frags)}")
            if a.kind == "entity":
                t.add(t.entities, typ[a.id])
        args: dict[str, list[tuple[str, Annotation]]] = {a.id: [] for a in events}
        rels: list[tuple[str, Annotation, Annotation, Annotation]] = []
        for link in unit_links(unit, self.report):
            if link.kind == "argument":
                args[link.source.id].append((link.label, link.tail))
            else:
                rels.append((link.label, link.head, link.tail, link.source))
        for ev in events:
            roles = t.events.setdefault(typ[ev.id], {})
            parts = [f"{typ[ev.id]}:{tid[ev.id]}"]
            seen: dict[str, int] = {}
            for role, target in args[ev.id]:
                name = self._name(unit, ev, role, "role")
                seen[name] = seen.get(name, 0) + 1
                parts.append(f"{name}{seen[name] if seen[name] > 1 else ''}:{ref(target)}")
                allowed = roles.setdefault(name, [])
                if "<ANY>" not in allowed:
                    t.add(allowed, typ[target.id])
            lines.append(f"{eid[ev.id]}\t{' '.join(parts)}")
        for i, (label, head, tail, source) in enumerate(rels, start=1):
            name = label if label == CLAIMANT else self._name(unit, source, label, "relation")
            lines.append(f"R{i}\t{name} Arg1:{ref(head)} Arg2:{ref(tail)}")
            heads, tails = t.relations.setdefault(name, ([], []))
            if "<ANY>" not in heads:
                t.add(heads, typ[head.id])
            if "<ANY>" not in tails:
                t.add(tails, typ[tail.id])
        n_attr = n_note = 0
        for a in spans:
            for key, value in sorted(a.attributes.items()):
                if value is None or value is False:
                    continue
                name = self._name(unit, a, key, "attribute")
                on, values = t.attributes.setdefault(name, ([], []))
                t.add(on, typ[a.id])
                n_attr += 1
                if value is True:
                    lines.append(f"A{n_attr}\t{name} {ref(a)}")
                    continue
                shown = _value_text(value)
                stored = _NOT_WS.sub("_", shown)
                if stored != shown:
                    self.report.problem(
                        "renamed",
                        unit.problem(a, f"attribute {key} value {shown!r} is written as {stored!r} (brat values have no spaces)"),
                    )
                t.add(values, stored)
                lines.append(f"A{n_attr}\t{name} {ref(a)} {stored}")
            if a.kind == "claim" and a.claimant_text and not a.claimant_ref:
                n_note += 1
                note = " ".join(a.claimant_text.split())
                if note != a.claimant_text:
                    self.report.problem("renamed", unit.problem(a, "the claimant's line breaks are written as spaces"))
                lines.append(f"#{n_note}\tAnnotatorNotes {tid[a.id]}\t{CLAIMANT_NOTE}{note}")
        return lines

    def finish(self, root: Path) -> None:
        with open_text(root / "annotation.conf") as fh:
            fh.write(self.annotation_conf())
        with open_text(root / "visual.conf") as fh:
            fh.write(self.visual_conf())
        self.report.files += ["annotation.conf", "visual.conf"]

    def annotation_conf(self) -> str:
        """brat's annotation.conf for the schema and everything written."""
        t = self.types
        out = ["# Written by annotator's brat export.", "[entities]", *t.entities, "", "[relations]"]
        for name, (heads, tails) in t.relations.items():
            out.append(f"{name}\tArg1:{'|'.join(heads) or '<ANY>'}, Arg2:{'|'.join(tails) or '<ANY>'}")
        out += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]"]
        for name, roles in t.events.items():
            args = ", ".join(f"{role}*:{'|'.join(types) or '<ANY>'}" for role, types in roles.items())
            out.append(f"{name}\t{args}" if args else name)
        out += ["", "[attributes]"]
        for name, (on, values) in t.attributes.items():
            line = f"{name}\tArg:{'|'.join(on) or '<ENTITY>|<EVENT>'}"
            if values:
                line += f", Value:{'|'.join(values)}"
            out.append(line)
        return "\n".join(out) + "\n"

    def visual_conf(self) -> str:
        schema = self.ctx.schema
        colours = [(e.name, e.color) for e in schema.entities] + [(e.name, e.color) for e in schema.events]
        colours += [(CLAIM_LABEL, schema.claim.color)] + [(r.name, r.color) for r in schema.relations]
        out = ["[labels]", "", "[drawing]", *_SPAN_DEFAULTS]
        for name, colour in colours:
            kind = "color" if any(r.name == name for r in schema.relations) else "bgColor"
            out.append(f"{storage_form(name)}\t{kind}:{colour}")
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------
@dataclass
class _Line:
    number: int
    id: str
    type: str
    args: list[str]
    tail: str | None


def _parse_ann(lines: list[str], file: str) -> list[_Line]:
    out: list[_Line] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        ident, sep, rest = line.partition("\t")
        if not sep or not ident:
            raise InputError(file, number, f"not a brat annotation line (no tab after the id): {line[:60]!r}")
        if not re.fullmatch(r"(?:[TERAMN#][0-9]+\S*|\*)", ident):
            raise InputError(file, number, f"unknown annotation id {ident!r} (brat ids start with T, E, R, A, M, N, # or are *)")
        if ident != "*" and ident in seen:
            raise InputError(file, number, f"the id {ident} is used twice")
        seen.add(ident)
        data, tab, tail = rest.partition("\t")
        parts = data.split()
        if not parts:
            raise InputError(file, number, f"{ident}: no annotation type")
        out.append(_Line(number, ident, parts[0], parts[1:], tail if tab else None))
    return out


def _t_spans(line: _Line, file: str) -> list[tuple[int, int]]:
    text = " ".join(line.args)
    spans = []
    for piece in text.split(";"):
        nums = piece.split()
        if len(nums) != 2 or not all(re.fullmatch(r"[0-9]+", n) for n in nums):
            raise InputError(
                file, line.number, f"{line.id}: offsets must be 'START END' (fragments separated by ';'), found {text!r}"
            )
        spans.append((int(nums[0]), int(nums[1])))
    return spans


def _choose_text(raw: str, had_bom: bool, tlines: list[_Line], file: str) -> str:
    """The reading of the .txt in which every T line's text matches its offsets."""
    candidates = [raw]
    if "\r" in raw:
        candidates.append(raw.replace("\r\n", "\n").replace("\r", "\n"))
    if had_bom:
        candidates = ["\ufeff" + c for c in candidates] + candidates
    first_problem = None
    for cand in candidates:
        problem = None
        for line in tlines:
            for s, e in _t_spans(line, file):
                if not 0 <= s < e <= len(cand):
                    problem = (line, f"{line.id}: span [{s}, {e}) is outside the text (length {len(cand)}) or empty")
                    break
            if problem:
                break
            if line.tail is None:
                continue
            expected = " ".join(cand[s:e] for s, e in _t_spans(line, file))
            given = line.tail
            if not (given == expected or (given.startswith(expected) and given[len(expected)].isspace())):
                problem = (
                    line,
                    f"{line.id}: the .ann says the text is {given[:40]!r} but the .txt has {expected[:40]!r} there (offsets must be code points)",
                )
                break
        if problem is None:
            return cand
        first_problem = first_problem or problem
    assert first_problem is not None
    raise InputError(file, first_problem[0].number, first_problem[1])


def is_brat_text(path: str | Path) -> bool:
    """Whether ``path`` is the ``.txt`` of a brat pair (a ``.ann`` of the same name is beside it)."""
    path = Path(path)
    return path.suffix == ".txt" and path.with_suffix(".ann").is_file()


def _base_role(role: str, roles: set[str]) -> str:
    """``Participant2`` -> ``Participant`` when the line has a ``Participant`` (brat's numbering)."""
    base = role.rstrip("0123456789")
    return base if base != role and base in roles else role


def iter_brat(
    path: str | Path, *, encoding: str | None = None, annotator: str | None = None, name: str | None = None, **_: Any
) -> Iterator[Item]:
    """The document of one brat pair; ``path`` is its ``.ann`` or its ``.txt``.

    A ``.txt`` without a ``.ann`` is a document without annotations (brat treats
    it so).  Raises :class:`InputError` naming the file and line for anything
    brat would not accept either.
    """
    path = Path(path)
    txt, ann = path.with_suffix(".txt"), path.with_suffix(".ann")
    shown = name or str(path)
    txt_name = str(Path(shown).with_suffix(".txt"))
    ann_name = str(Path(shown).with_suffix(".ann"))
    if not txt.is_file():
        raise InputError(ann_name, None, f"no {txt.name} beside it: brat annotations belong to a .txt of the same name")
    try:
        data = txt.read_bytes()
    except OSError as err:
        raise InputError(txt_name, None, f"cannot read: {err.strerror or err}") from None
    raw = read_text(data, encoding=encoding, name=txt_name)
    had_bom = data.startswith(b"\xef\xbb\xbf")
    lines = read_text(ann, encoding=encoding, name=ann_name).splitlines(keepends=False) if ann.is_file() else []
    # brat reads the .ann with splitlines too; a line broken by U+2028 would not parse there either.
    parsed = _parse_ann(lines, ann_name)
    tlines = [x for x in parsed if x.id.startswith("T")]
    chosen = _choose_text(raw, had_bom, tlines, ann_name)
    builder = TextBuilder(chosen, file=txt_name, line=None, doc_name="")
    doc = builder.document(external_id=path.stem, source=txt.name)
    who = annotator_name(annotator)
    yield Record(doc, _annotations(parsed, builder, chosen, doc.id, who, ann_name), None, name=f"document {path.stem!r}")


def _annotations(parsed: list[_Line], builder: TextBuilder, text: str, doc_id: str, who: str, file: str) -> list[Annotation]:
    def fail(line: _Line, message: str) -> InputError:
        return InputError(file, line.number, f"{line.id}: {message}")

    triggers = {}
    for line in parsed:
        if line.id.startswith("E"):
            if ":" not in line.type:
                raise fail(line, "an event line starts with TYPE:TRIGGER")
            etype, _, trig = line.type.partition(":")
            triggers[trig] = (etype, line)
    spans: dict[str, dict[str, Any]] = {}
    for line in parsed:
        if not line.id.startswith("T"):
            continue
        frags = sorted(_t_spans(line, file))
        for (_, e1), (s2, _) in zip(frags, frags[1:]):
            if s2 < e1 or text[e1:s2].strip():
                raise fail(
                    line,
                    f"a discontinuous span ({'; '.join(f'{s} {e}' for s, e in frags)}) cannot be imported; spans here are continuous",
                )
        start, end = frags[0][0], frags[-1][1]
        a, b = builder.span(start, end, f"{line.id} ({line.type})")
        if line.id in triggers:
            etype, eline = triggers[line.id]
            if etype != line.type:
                raise fail(eline, f"the trigger {line.id} is a {line.type}, not a {etype}")
            kind = "event"
        elif line.type == CLAIM_LABEL:
            kind = "claim"
        else:
            kind = "entity"
        spans[line.id] = {"kind": kind, "start": a, "end": b, "label": line.type, "attributes": {}, "arguments": [], "line": line}
    ids: dict[str, str] = {}  # brat id -> annotation id
    fields: dict[str, dict[str, Any]] = {}
    for tid, f in spans.items():
        ids[tid] = new_id()
        fields[ids[tid]] = f
    for trig, (_etype, eline) in triggers.items():
        if trig not in spans:
            raise fail(eline, f"the trigger {trig} is not a T annotation of this file")
        ids[eline.id] = ids[trig]

    def target(line: _Line, ref: str) -> str:
        if ref not in ids:
            raise fail(line, f"refers to {ref}, which is not an annotation of this file")
        return ids[ref]

    relations: list[dict[str, Any]] = []
    for line in parsed:
        head = line.id[0]
        if head == "E":
            roles = [x.partition(":")[0] for x in line.args]
            ev = fields[ids[line.id]]
            for arg in line.args:
                role, colon, ref = arg.partition(":")
                if not colon or not role:
                    raise fail(line, f"argument {arg!r} must be ROLE:ID")
                ev["arguments"].append(Argument(role=_base_role(role, set(roles)), target=target(line, ref)))
        elif head == "R":
            args = dict(x.partition(":")[::2] for x in line.args)
            if set(args) != {"Arg1", "Arg2"}:
                raise fail(line, "a relation needs Arg1:ID and Arg2:ID")
            h, t = target(line, args["Arg1"]), target(line, args["Arg2"])
            if line.type == CLAIMANT and fields[h]["kind"] == "claim" and "claimant_ref" not in fields[h]:
                fields[h]["claimant_ref"] = t
            else:
                relations.append({"label": line.type, "head": h, "tail": t, "line": line})
        elif head == "*":
            refs = [target(line, r) for r in line.args]
            relations += [{"label": line.type, "head": x, "tail": y, "line": line} for x, y in zip(refs, refs[1:])]
        elif head in "AM":
            if not line.args:
                raise fail(line, "an attribute needs a target id")
            f = fields[target(line, line.args[0])]
            value: Any = True if len(line.args) == 1 else " ".join(line.args[1:])
            f["attributes"][line.type] = value
        elif head == "N":
            if len(line.args) != 2 or ":" not in line.args[1]:
                raise fail(line, "a normalization is 'N1<TAB>TYPE ID DB:KEY<TAB>TEXT'")
            f = fields[target(line, line.args[0])]
            f["attributes"].setdefault("normalization", []).append(line.args[1])
        elif head == "#":
            if not line.args:
                raise fail(line, "a note needs a target id")
            f = fields[target(line, line.args[0])]
            note = line.tail or ""
            if f["kind"] == "claim" and note.startswith(CLAIMANT_NOTE) and "claimant_text" not in f:
                f["claimant_text"] = note[len(CLAIMANT_NOTE) :]
            else:
                f["attributes"]["note"] = f"{f['attributes']['note']}\n{note}" if "note" in f["attributes"] else note
    out: list[Annotation] = []
    for ann_id, f in fields.items():
        line = f.pop("line")
        if f.get("claimant_ref") and f.get("claimant_text"):
            f.pop("claimant_text")
        out.append(builder.annotation(doc_id, f"{line.id} ({line.type})", id=ann_id, annotator=who, **f))
    for r in relations:
        line = r.pop("line")
        out.append(builder.annotation(doc_id, f"{line.id} ({line.type})", kind="relation", annotator=who, **r))
    return out


def read_brat(path: str | Path, *, encoding: str | None = None, annotator: str | None = None) -> list:
    """``[(Document, [Annotation])]`` of one brat pair; raises InputError for bad input."""
    return collect(iter_brat(path, encoding=encoding, annotator=annotator))
