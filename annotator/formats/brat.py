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
  attributes are A lines (brat has no null: an unset attribute has no line); a
  claimant span is an R line ``claimant`` from the claim to it, a free-text
  claimant an ``AnnotatorNotes`` line ``claimant: TEXT``.  Events are a T line
  (the trigger, typed with the event type) and an E line; events of one type on
  one span share their trigger (one T line, an E line each); a role filled twice
  is numbered as brat does (``Participant``, ``Participant2``).  Relations are R
  lines (``Arg1``/``Arg2``, or the argument names they came with); an end that
  is an event is its E id.  Relations marked as an equivalence are ``*`` lines,
  one per set of annotations they link.  Coreference clusters (issue 15) of the
  document's annotator are ``*<TAB>Coreference T1 T4 T9`` lines, one per cluster,
  its mentions in text order (``Coreference`` is declared in annotation.conf as a
  symmetric-transitive relation).  Attributes of entities, claims, events
  and relations are A lines (``true``: a binary attribute); kept notes are ``#``
  lines and kept normalizations N lines, on T, E and R ids alike.  An entity's
  knowledge-base links are N lines ``N1<TAB>Reference T1 Wikidata:Q148<TAB>China``.
- brat reads ``.ann`` files line by line and cuts lines at U+2028, U+2029,
  U+0085 and other line breaks too, so a span holding a line break is written
  as fragments around it (``T3<TAB>MISC 150 160;161 164<TAB>Valparaíso say``),
  as brat itself does; such spans are listed in the export report.  A note
  holding a line break is written with a space instead (reported).
- brat type, role and attribute names must match ``[A-Za-z0-9_-]``; other
  characters become ``_`` (listed in the report), and attribute values have no
  whitespace.

Import (``annotator import FOLDER --format brat``, or a folder/``.ann`` file
detected as brat) reads every line type of brat's standoff format, from brat or
from this export, in two passes (a line may refer to any id of the file, before
or after it):

- ``T``: an entity (a claim when typed ``CLAIM``), or the trigger of the events
  whose E lines name it; identical spans with different types stay apart.
  Fragments separated only by whitespace with a line break become one span
  (brat cuts spans at line breaks); others are the fragments of a discontinuous span (issue 14),
  exported again as ``START END;START END``.  Overlapping fragments are refused.
- ``E``: one event per E line (two E lines on one trigger: two events on one
  span), with any number of arguments, which may be events (defined anywhere in
  the file); numbered roles (``Theme``, ``Theme2``, ``Theme1``) are their role,
  as brat reads them, in the order of their numbers, unless annotation.conf
  declares the numbered name itself as a role.
- ``R``: a relation between any two T or E annotations; ``*``: an equivalence
  set of any type and size, kept as relations of that type marked
  ``equivalence: true`` (a chain through its members); but ``*<TAB>Coreference``
  lines are coreference clusters of the entity spans they list (a span in two
  of them, or a mention that is not an entity span, is refused, naming the line),
  and so are ``*<TAB>Equiv`` lines (brat's example data) that list entity spans
  only: Equiv lines sharing a mention are one cluster, as brat merges them, and
  one sharing a mention with a Coreference line joins its cluster.
- ``A`` and legacy ``M``: attributes, binary (``true``) and valued, on T, E and R.
- ``N``: on an entity, ``Reference`` lines are its knowledge-base links
  (``resource``, ``id``, ``name``; a repeated one is read once); other
  normalizations are kept whole under the attribute ``normalizations``
  (``[{"type", "resource", "id", "name"}]``); ``#``: notes of any type, the text
  verbatim, under ``notes`` (``[{"type", "text"}]``).
- An empty ``.ann`` is a document without annotations; a ``.ann`` without its
  ``.txt`` is refused.  The ``annotation.conf`` of the folder (or the nearest
  folder above, as brat looks for it) gives the declared roles, and with
  ``--add-labels`` its types become the schema's labels (event roles with the
  entity labels that may fill them and whether they are required, relation ends,
  the values of attributes declared on ``CLAIM``).

A ``.txt`` with Windows line ends is read either way brat may have counted (code
points of the file, or with ``\\r\\n`` read as one line break): the one where
every T line's text matches is used, and offsets are mapped onto the stored text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.coref import Cluster
from annotator.core.models import CLAIM_LABEL, Annotation, Argument, new_id
from annotator.core.notes import Note, check_note_type
from annotator.formats import InputError, Item, Record, TextBuilder, annotator_name, collect, read_text
from annotator.formats.writing import CLAIMANT, ExportContext, Link, Unit, Writer, open_text, unit_links

__all__ = [
    "BratWriter",
    "BratConf",
    "iter_brat",
    "read_brat",
    "is_brat_text",
    "brat_conf",
    "parse_annotation_conf",
    "extend_schema_data",
    "split_role",
    "storage_form",
    "fragments",
    "LINE_BREAKS",
    "BRAT_EXT",
    "NOTES",
    "NORMALIZATIONS",
    "EQUIVALENCE",
    "ROLES",
]

#: Extensions of the files of a brat collection that are imported.
BRAT_EXT = frozenset({".ann", ".txt"})
#: brat's configuration files in a collection's folder (annotation.conf is read
#: with the documents; the others say how brat draws and what tools it offers).
BRAT_CONF_FILES = frozenset({"annotation.conf", "visual.conf", "tools.conf", "kb_shortcuts.conf"})

#: Characters at which ``str.splitlines`` (and so brat's reader) ends a line.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")
_NOT_STORAGE = re.compile(r"[^A-Za-z0-9_-]")
#: What a file name keeps: letters and digits of any script, ``_ . - % ( ) + ,`` and spaces.
_FILE_UNSAFE = re.compile(r"[^\w .%()+,-]")
#: Bytes of UTF-8 a name part may take (file systems allow 255 per name).
_FILE_BYTES = 160
_NOT_WS = re.compile(r"\s+")
#: The type of brat's normalization lines (``N1<TAB>Reference T1 Wikidata:Q148<TAB>China``).
REFERENCE = "Reference"
#: Prefix of the AnnotatorNotes line that holds a free-text claimant.
CLAIMANT_NOTE = "claimant: "
_SPAN_DEFAULTS = [
    "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
    "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
]


_WINDOWS_RESERVED = frozenset(["CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))])


def _file_part(name: str, limit: int) -> str:
    """``name`` as part of a portable file name: letters and digits (of any script),
    spaces and ``_ . - % ( ) + ,`` (so a brat collection's names come back as they
    were; ``/ \\ : * ? " < > |`` and control characters become ``_``), no dot or space
    at either end, at most ``limit`` characters, never a device name of Windows."""
    part = _FILE_UNSAFE.sub("_", unicodedata.normalize("NFC", name))[:limit]
    while len(part.encode("utf-8")) > _FILE_BYTES:
        part = part[:-1]
    part = part.strip(". ") or "_"
    if part.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
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


def _notes(value: Any) -> bool:
    """Whether an attribute value is brat notes as the importer keeps them."""
    return isinstance(value, list) and all(
        isinstance(x, dict) and isinstance(x.get("type"), str) and isinstance(x.get("text"), str) for x in value
    )


def _normalizations(value: Any) -> bool:
    """Whether an attribute value is brat normalizations as the importer keeps them."""
    return isinstance(value, list) and all(
        isinstance(x, dict) and all(isinstance(x.get(k), str) for k in ("type", "resource", "id", "name")) for x in value
    )


def _roles(value: Any) -> tuple[str, str] | None:
    """A relation's two argument names as the importer keeps them (other than Arg1, Arg2)."""
    if isinstance(value, list) and len(value) == 2 and all(isinstance(x, str) and x for x in value):
        a, b = (storage_form(x) for x in value)
        if a != b:
            return a, b
    return None


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class _Types:
    """What annotation.conf must declare, gathered while writing."""

    entities: list[str] = field(default_factory=list)
    events: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    relations: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    #: relation -> the names of its two arguments, when not Arg1 and Arg2
    relation_roles: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: relation types written as ``*`` (equivalence) lines
    equivalences: list[str] = field(default_factory=list)
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
        self._noted: bool | None = None  # whether the project has notes (asked once)
        self.document_notes = 0  # notes on documents, which brat cannot hold

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
        t.add(t.entities, *(storage_form(e.name) for e in [*schema.entities, *schema.mentions]), storage_form(CLAIM_LABEL))
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

        Letters, digits, spaces and ``_ . - % ( ) + ,`` only (see :func:`_file_part`), no
        leading or trailing dot, never a name Windows reserves, and unique ignoring
        case (macOS and Windows file systems)."""
        base = _file_part(unit.doc.external_id or unit.doc.id, 80)
        if unit.per_annotator and unit.annotator:
            base += "." + _file_part(unit.annotator, 40)
        taken = {(dest, n) for n in ("annotation", "visual", "tools", "kb_shortcuts")} | self.names
        if (dest, base.casefold()) in taken:
            stem, n = f"{base}-{_file_part(unit.doc.id, 40)}", 1
            base = stem
            while (dest, base.casefold()) in taken:
                n += 1
                base = f"{stem}-{n}"
        self.names.add((dest, base.casefold()))
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
        typ = {a.id: self._name(unit, a, a.label, "label") for a in spans}
        tid: dict[str, str] = {}
        triggers: dict[tuple, str] = {}  # events of one type on one span (the same fragments) share their trigger
        lines: list[str] = []
        n_t = 0
        for a in spans:
            pieces = a.pieces
            key = (typ[a.id], *pieces)
            if a.kind == "event" and key in triggers:
                tid[a.id] = triggers[key]
                continue
            n_t += 1
            tid[a.id] = f"T{n_t}"
            if a.kind == "event":
                triggers[key] = tid[a.id]
            # a discontinuous span's own fragments (issue 14), each cut at line breaks
            frags = [f for s, e in pieces for f in fragments(text, s, e)]
            if len(frags) > len(pieces):
                self.report.problem("fragments", unit.problem(a, f"written as {len(frags)} fragments around line breaks"))
            offsets = ";".join(f"{s} {e}" for s, e in frags)
            lines.append(f"{tid[a.id]}\t{typ[a.id]} {offsets}\t{' '.join(text[s:e] for s, e in frags)}")
            if a.kind == "entity":
                t.add(t.entities, typ[a.id])
        events = [a for a in spans if a.kind == "event"]
        eid = {a.id: f"E{i}" for i, a in enumerate(events, start=1)}
        rid: dict[str, str] = {}

        def ref(a: Annotation) -> str:
            return eid.get(a.id) or tid.get(a.id) or rid[a.id]

        args: dict[str, list[tuple[str, Annotation]]] = {a.id: [] for a in events}
        rels: list[Link] = []
        equivs: list[Link] = []
        for link in unit_links(unit, self.report):
            if link.kind == "argument":
                args[link.source.id].append((link.label, link.tail))
            elif link.kind == "relation" and link.source.attributes.get(EQUIVALENCE) is True:
                equivs.append(link)
            else:
                rels.append(link)
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
        owners: list[tuple[Annotation, str]] = [(a, ref(a)) for a in spans]
        for i, link in enumerate(rels, start=1):
            source = link.source
            name = link.label if link.kind == "claimant" else self._name(unit, source, link.label, "relation")
            names = _roles(source.attributes.get(ROLES)) if link.kind == "relation" else None
            arg1, arg2 = names or ("Arg1", "Arg2")
            lines.append(f"R{i}\t{name} {arg1}:{ref(link.head)} {arg2}:{ref(link.tail)}")
            if link.kind == "relation":
                rid[source.id] = f"R{i}"
                owners.append((source, f"R{i}"))
            heads, tails = t.relations.setdefault(name, ([], []))
            if names:
                t.relation_roles[name] = names
            if "<ANY>" not in heads:
                t.add(heads, typ[link.head.id])
            if "<ANY>" not in tails:
                t.add(tails, typ[link.tail.id])
        lines += self._equivalences(unit, equivs, ref)
        lines += self._coreference(unit, tid)
        lines += self._attached(
            unit, owners, {**typ, **{a.id: self._name(unit, a, a.label, "relation") for a, _ in owners if a.kind == "relation"}}
        )
        return lines

    def _equivalences(self, unit: Unit, links: list[Link], ref: Callable[[Annotation], str]) -> list[str]:
        """``*`` lines: each set of annotations linked by equivalence relations of one type."""
        members: dict[str, list[str]] = {}  # type -> its members in order of appearance
        parent: dict[tuple[str, str], tuple[str, str]] = {}

        def root(x: tuple[str, str]) -> tuple[str, str]:
            while parent[x] != x:
                x = parent[x]
            return x

        for link in links:
            name = self._name(unit, link.source, link.label, "relation")
            self.types.add(self.types.equivalences, name)
            ends = [(name, ref(link.head)), (name, ref(link.tail))]
            for end in ends:
                if end not in parent:
                    parent[end] = end
                    members.setdefault(name, []).append(end[1])
            a, b = root(ends[0]), root(ends[1])
            if a != b:
                parent[b] = a
        out = []
        for name, ids in members.items():
            sets: dict[tuple[str, str], list[str]] = {}
            for x in ids:
                sets.setdefault(root((name, x)), []).append(x)
            out += [f"*\t{name} {' '.join(group)}" for group in sets.values()]
        return out

    def _coreference(self, unit: Unit, tid: dict[str, str]) -> list[str]:
        """``*\tCoreference T1 T4 ...`` lines: one per coreference cluster of the
        unit's annotator (its mentions in text order)."""
        if unit.annotator is None or not self.ctx.source.has_clusters():
            return []
        clusters = self.ctx.source.clusters_by_document([unit.doc.id], [unit.annotator]).get(unit.doc.id, [])
        out = []
        by_id = unit.by_id
        for cluster in clusters:
            members = [by_id[m] for m in cluster.members if m in by_id and m in tid]
            if len(members) < len(cluster.members):
                anchor = members[0] if members else None
                if anchor is not None:
                    self.report.problem("links", unit.problem(anchor, "a mention of its coreference cluster is not exported"))
            if not members:
                continue
            members.sort(key=lambda a: (a.start, a.end))
            self.types.add(self.types.equivalences, COREFERENCE)
            out.append(f"*\t{COREFERENCE} {' '.join(tid[a.id] for a in members)}")
        return out

    def _attached(self, unit: Unit, owners: list[tuple[Annotation, str]], typ: dict[str, str]) -> list[str]:
        """The A, N and # lines of the annotations written (``owners``: annotation and brat id)."""
        t = self.types
        unit_notes = self._unit_notes(unit)
        attrs: list[str] = []
        norms: list[str] = []
        notes: list[str] = []

        def one_line(a: Annotation, value: str, what: str) -> str:
            flat = _BREAK.sub(" ", value)
            if flat != value:
                self.report.problem("renamed", unit.problem(a, f"the line breaks of {what} are written as spaces"))
            return flat

        for a, bid in owners:
            for link in a.links:  # knowledge-base links of entities (issue 14)
                resource = _NOT_WS.sub("_", link.resource.replace(":", "_")) or "_"
                key_ = _NOT_WS.sub("_", link.id) or "_"
                if (resource, key_) != (link.resource, link.id):
                    self.report.problem(
                        "renamed", unit.problem(a, f"the link {link.resource}:{link.id} is written as {resource}:{key_}")
                    )
                norms.append(f"N{len(norms) + 1}\t{REFERENCE} {bid} {resource}:{key_}\t{one_line(a, link.name, 'a link name')}")
            for key, value in sorted(a.attributes.items()):
                if value is None or value is False:
                    continue
                if key == NOTES and _notes(value):
                    for note in value:
                        kind = self._name(unit, a, note["type"], "note type")
                        notes.append(f"#{len(notes) + 1}\t{kind} {bid}\t{one_line(a, note['text'], 'a note')}")
                    continue
                if key == NORMALIZATIONS and _normalizations(value):
                    for norm in value:
                        kind = self._name(unit, a, norm["type"], "normalization type")
                        resource = _NOT_WS.sub("_", norm["resource"].replace(":", "_")) or "_"
                        key_ = _NOT_WS.sub("_", norm["id"]) or "_"
                        name = one_line(a, norm["name"], "a normalization's name")
                        norms.append(f"N{len(norms) + 1}\t{kind} {bid} {resource}:{key_}\t{name}")
                    continue
                if (key == EQUIVALENCE and value is True and a.kind == "relation") or (key == ROLES and _roles(value)):
                    continue
                name = self._name(unit, a, key, "attribute")
                on, values = t.attributes.setdefault(name, ([], []))
                t.add(on, typ[a.id])
                if value is True:
                    attrs.append(f"A{len(attrs) + 1}\t{name} {bid}")
                    continue
                shown = _value_text(value)
                stored = _NOT_WS.sub("_", shown)
                if stored != shown:
                    self.report.problem(
                        "renamed",
                        unit.problem(a, f"attribute {key} value {shown!r} is written as {stored!r} (brat values have no spaces)"),
                    )
                t.add(values, stored)
                attrs.append(f"A{len(attrs) + 1}\t{name} {bid} {stored}")
            if a.kind == "claim" and a.claimant_text and not a.claimant_ref:
                note = " ".join(a.claimant_text.split())
                if note != a.claimant_text:
                    self.report.problem("renamed", unit.problem(a, "the claimant's line breaks are written as spaces"))
                notes.append(f"#{len(notes) + 1}\tAnnotatorNotes {bid}\t{CLAIMANT_NOTE}{note}")
            for n in unit_notes.get(a.id, ()):
                kind = self._name(unit, a, n.type, "note type")
                for part in _BREAK.split(n.text) if n.text else [""]:  # a line each: the importer joins them
                    notes.append(f"#{len(notes) + 1}\t{kind} {bid}\t{part}")
        return attrs + norms + notes

    def _unit_notes(self, unit: Unit) -> dict[str, list[Note]]:
        """The notes of the unit's annotations (target -> notes); document notes,
        which brat cannot hold, are reported."""
        source = self.ctx.source
        if self._noted is None:
            self._noted = source.has_notes()
        if not self._noted:
            return {}
        ids = {a.id for a in unit.annotations}
        layer = self.ctx.options.layer
        out: dict[str, list[Note]] = {}
        for n in source.notes(unit.doc.id):
            if n.target in ids:
                out.setdefault(n.target, []).append(n)
            elif not n.target and (layer is None or n.annotator == layer):
                self.document_notes += 1
        return out

    def finish(self, root: Path) -> None:
        if self.document_notes:
            n = self.document_notes
            self.report.note(
                f"{n} note{'s' if n != 1 else ''} on documents not written: brat notes belong to annotations (the native format keeps them)"
            )
        with open_text(root / "annotation.conf") as fh:
            fh.write(self.annotation_conf())
        with open_text(root / "visual.conf") as fh:
            fh.write(self.visual_conf())
        self.report.files += ["annotation.conf", "visual.conf"]

    def annotation_conf(self) -> str:
        """brat's annotation.conf for the schema and everything written."""
        t = self.types
        out = ["# Written by annotator's brat export.", "[entities]", *t.entities, "", "[relations]"]
        equivalence = ", <REL-TYPE>:symmetric-transitive"
        for name, (heads, tails) in t.relations.items():
            arg1, arg2 = t.relation_roles.get(name, ("Arg1", "Arg2"))
            line = f"{name}\t{arg1}:{'|'.join(heads) or '<ANY>'}, {arg2}:{'|'.join(tails) or '<ANY>'}"
            out.append(line + equivalence if name in t.equivalences else line)
        out += [f"{name}\tArg1:<ANY>, Arg2:<ANY>{equivalence}" for name in t.equivalences if name not in t.relations]
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
#: Attribute keys under which brat lines without an attribute of their own are kept:
#: ``#`` notes (``[{"type", "text"}]``), ``N`` normalizations (``[{"type",
#: "resource", "id", "name"}]``), a ``*`` equivalence set's relations (``true``) and
#: an ``R`` line's argument names when they are not ``Arg1``/``Arg2``.
NOTES, NORMALIZATIONS, EQUIVALENCE, ROLES = "notes", "normalizations", "equivalence", "roles"
RESERVED = frozenset({NOTES, NORMALIZATIONS, EQUIVALENCE, ROLES})
#: brat's ids: letters (or ``#`` and letters), a number, any tail; the first character says the line's kind.
_BRAT_ID = re.compile(r"(?:[A-Za-z]+|#[A-Za-z]*)[0-9]+\S*")
_LINE_KINDS = "TERAMN#"
_OFFSET = re.compile(r"[0-9]+")
_ROLE_SUFFIX = re.compile(r"(.*?)([?*+]|\{[0-9]*(?:-[0-9]*)?\})?")
#: The type of brat's ``*`` lines that hold coreference clusters.
COREFERENCE = "Coreference"
#: The type of the ``*`` lines of brat's example data (BioNLP-ST 2011) and its
#: configurations: equivalent entity mentions, read as coreference clusters.
EQUIV = "Equiv"
_KIND_NAMES = {"T": "text-bound", "E": "event", "R": "relation", "A": "attribute", "N": "normalization", "#": "note"}


@dataclass
class _Line:
    number: int
    id: str
    kind: str  # T E R A N # or * (M lines are A lines)
    type: str
    args: list[str]
    tail: str | None


def _parse_ann(lines: list[str], file: str) -> list[_Line]:
    """The lines of a .ann file, each checked for its shape (first pass: no references followed)."""
    out: list[_Line] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        ident, sep, rest = line.partition("\t")
        if not sep or not ident:
            raise InputError(file, number, f"not a brat annotation line (no tab after the id): {line[:60]!r}")
        if ident != "*" and not (_BRAT_ID.fullmatch(ident) and ident[0] in _LINE_KINDS):
            raise InputError(file, number, f"unknown annotation id {ident!r} (brat ids start with T, E, R, A, M, N, # or are *)")
        if ident != "*" and ident in seen:
            raise InputError(file, number, f"the id {ident} is used twice (first on line {seen[ident]})")
        seen[ident] = number
        data, tab, tail = rest.partition("\t")
        parts = data.split()
        if not parts:
            raise InputError(file, number, f"{ident}: no annotation type")
        kind = "A" if ident[0] == "M" else ident[0]
        out.append(_Line(number, ident, kind, parts[0], parts[1:], tail if tab else None))
    return out


def _t_spans(line: _Line, file: str) -> list[tuple[int, int]]:
    text = " ".join(line.args)
    spans = []
    for piece in text.split(";"):
        nums = piece.split()
        if len(nums) != 2 or not all(_OFFSET.fullmatch(n) for n in nums):
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
    spans = {line.id: _t_spans(line, file) for line in tlines}
    first_problem = None
    for cand in candidates:
        problem = None
        for line in tlines:
            for s, e in spans[line.id]:
                if not 0 <= s < e <= len(cand):
                    problem = (line, f"{line.id}: span [{s}, {e}) is outside the text (length {len(cand)}) or empty")
                    break
            if problem:
                break
            if line.tail is None or not line.tail.strip():
                continue  # brat fills a missing text from the .txt
            expected = " ".join(cand[s:e] for s, e in spans[line.id])
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


def split_role(role: str) -> tuple[str, int]:
    """brat's numbered roles: ``Theme2`` -> ``("Theme", 2)``, ``Theme``/``Theme1`` -> ``("Theme", 1)``
    (as brat's ``split_role``: the digits at the end, the name keeping at least one character)."""
    i = len(role)
    while i > 1 and role[i - 1].isdigit():
        i -= 1
    return role[:i], int(role[i:]) if i < len(role) else 1


# -- annotation.conf -----------------------------------------------------------
@dataclass
class ConfRole:
    types: list[str]
    required: bool


@dataclass
class BratConf:
    """What an ``annotation.conf`` declares (macros expanded, hierarchy and ``!`` types flattened)."""

    path: str = ""
    entities: list[str] = field(default_factory=list)
    events: dict[str, dict[str, ConfRole]] = field(default_factory=dict)
    #: relation -> (argument names, types of each argument)
    relations: dict[str, tuple[list[str], list[list[str]]]] = field(default_factory=dict)
    equivalences: list[str] = field(default_factory=list)
    #: attribute -> (the types it is on, its values; none: binary)
    attributes: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)


def parse_annotation_conf(text: str, name: str = "annotation.conf") -> BratConf:
    """brat's ``annotation.conf``, leniently, as brat reads it (lines it cannot read are skipped)."""
    conf = BratConf(path=name)
    macros: dict[str, str] = {}
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        macro = re.fullmatch(r"(<[^>]+>)\s*=\s*(.*)", line)
        if macro:
            macros[macro.group(1)] = macro.group(2).strip()
            continue
        for key, value in macros.items():
            line = line.replace(key, value)
        head, _, rest = line.replace("\t", " ").partition(" ")
        if head.startswith(("!", "<")) or not head.strip("-"):
            continue  # abstract types (hierarchy only), brat's own definitions, menu separators
        pairs = [p.strip().partition(":") for p in rest.split(",") if p.strip()]
        if section in ("entities", "spans"):
            _Types.add(conf.entities, head)
        elif section == "events":
            roles = conf.events.setdefault(head, {})
            for key, colon, value in pairs:
                if not colon:
                    continue
                m = _ROLE_SUFFIX.fullmatch(key.strip())
                role, suffix = (m.group(1), m.group(2) or "") if m else (key.strip(), "")
                required = suffix in ("", "+") or (suffix.startswith("{") and not suffix[1:].startswith(("0", "-", "}")))
                roles[role] = ConfRole([t.strip() for t in value.split("|") if t.strip()], required)
        elif section == "relations":
            if any(key.strip() == "<REL-TYPE>" and "symmetric-transitive" in value for key, _, value in pairs):
                _Types.add(conf.equivalences, head)
            names, types = conf.relations.setdefault(head, ([], []))
            for key, colon, value in pairs:
                if not colon or key.strip().startswith("<"):
                    continue
                if key.strip() not in names:
                    names.append(key.strip())
                    types.append([])
                _Types.add(types[names.index(key.strip())], *(t.strip() for t in value.split("|") if t.strip()))
        elif section == "attributes":
            on, values = conf.attributes.setdefault(head, ([], []))
            for key, _colon, value in pairs:
                if key.strip() == "Arg":
                    _Types.add(on, *(t.strip() for t in value.split("|") if t.strip()))
                elif key.strip() == "Value":
                    _Types.add(values, *(v.strip() for v in value.split("|") if v.strip()))
    return conf


def find_annotation_conf(path: str | Path) -> Path | None:
    """The ``annotation.conf`` brat uses for a document: in its folder or the nearest folder above."""
    for folder in Path(path).resolve().parents:
        conf = folder / "annotation.conf"
        if conf.is_file():
            return conf
    return None


_CONF_CACHE: dict[tuple[str, int, int], BratConf] = {}


def brat_conf(path: str | Path, encoding: str | None = None) -> BratConf | None:
    """The parsed ``annotation.conf`` of the document at ``path`` (None without one);
    raises :class:`InputError` when it cannot be read as text."""
    conf_path = find_annotation_conf(path)
    if conf_path is None:
        return None
    try:
        stat = conf_path.stat()
    except OSError:
        return None
    key = (str(conf_path), stat.st_mtime_ns, stat.st_size)
    if key not in _CONF_CACHE:
        if len(_CONF_CACHE) > 32:
            _CONF_CACHE.clear()
        _CONF_CACHE[key] = parse_annotation_conf(read_text(conf_path, encoding=encoding, name=str(conf_path)), str(conf_path))
    return _CONF_CACHE[key]


def extend_schema_data(data: dict[str, Any], conf: BratConf) -> dict[str, Any]:
    """Schema data (:meth:`LabelSchema.to_dict`) with the types of ``conf`` it lacks added:
    entity labels, event types with their roles (the entity labels that may fill each,
    whether it is required), relation types with their ends, and the values of attributes
    declared on ``CLAIM``.  What the schema has already is left as it is."""
    entities = [e["name"] for e in data["entities"]]
    events = [e["name"] for e in data["events"]]
    relations = [r["name"] for r in data["relations"]]
    for name in conf.entities:
        if name not in entities and name != CLAIM_LABEL:
            data["entities"].append({"name": name})
            entities.append(name)

    def entity_labels(types: list[str]) -> list[str]:
        # a role of the schema lists entity labels or none (any annotation)
        return types if types and all(t in entities for t in types) else []

    for name, roles in conf.events.items():
        if name not in events:
            data["events"].append(
                {
                    "name": name,
                    "roles": [
                        {"name": role, "labels": entity_labels(spec.types), "required": spec.required}
                        for role, spec in roles.items()
                    ],
                }
            )
            events.append(name)
    ends = {*entities, *events, CLAIM_LABEL}
    for name, (_names, types) in conf.relations.items():
        if name not in relations and name != CLAIMANT:  # claimant: how this export writes a claim's claimant
            head, tail = (types + [[], []])[:2]
            data["relations"].append(
                {
                    "name": name,
                    "head_labels": head if head and all(t in ends for t in head) else [],
                    "tail_labels": tail if tail and all(t in ends for t in tail) else [],
                }
            )
            relations.append(name)
    claim_attrs = {a["name"] for a in data["claim"]["attributes"]}
    for name, (on, values) in conf.attributes.items():
        if CLAIM_LABEL in on and values and name not in claim_attrs and name not in RESERVED:
            data["claim"]["attributes"].append({"name": name, "values": values})
    return data


# -- reading -------------------------------------------------------------------
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
    chosen = _choose_text(raw, had_bom, [x for x in parsed if x.kind == "T"], ann_name)
    conf = brat_conf(path, encoding)
    builder = TextBuilder(chosen, file=txt_name, line=None, doc_name="")
    doc = builder.document(external_id=path.stem, source=txt.name)
    who = annotator_name(annotator)
    reader = _Reader(parsed, builder, chosen, doc.id, who, ann_name, conf)
    annotations = reader.annotations()
    clusters = [Cluster(doc_id=doc.id, annotator=who, members=members) for members in reader.clusters]
    yield Record(doc, annotations, None, name=f"document {path.stem!r}", user_notes=reader.user_notes(), clusters=clusters)


class _Reader:
    """The second pass over the lines of a .ann: references are followed, in any order."""

    def __init__(
        self, parsed: list[_Line], builder: TextBuilder, text: str, doc_id: str, who: str, file: str, conf: BratConf | None
    ):
        self.parsed = parsed
        self.builder = builder
        self.text = text
        self.doc_id = doc_id
        self.who = who
        self.file = file
        self.conf = conf
        self.lines = {x.id: x for x in parsed if x.kind != "*"}
        self.ids: dict[str, str] = {}  # brat id -> annotation id
        self.fields: dict[str, dict[str, Any]] = {}  # annotation id -> its fields
        #: (annotation id, note type) -> the texts of its # lines, in file order
        self.notes: dict[tuple[str, str], list[str]] = {}
        #: coreference clusters (``*\tCoreference`` lines) as lists of annotation ids
        self.clusters: list[tuple[str, ...]] = []
        self._in_cluster: dict[str, int] = {}

    def cluster(self, line: _Line) -> None:
        """A ``*\tCoreference T1 T2 ...`` line: one coreference cluster of entity spans."""
        if not line.args:
            raise self.fail(line, "a Coreference line lists the mentions of its cluster")
        members: list[str] = []
        for r in line.args:
            target = self.lines.get(r)
            if target is None or target.kind != "T":
                raise self.fail(line, f"{r} is not a text-bound (T) annotation of this file; coreference mentions are T lines")
            ann_id = self.ref(line, r, "T")
            if self.fields.get(ann_id, {}).get("kind") != "entity":
                raise self.fail(line, f"{r} is not an entity span; coreference mentions are entity spans")
            if ann_id in self._in_cluster:
                raise self.fail(line, f"{r} is in another Coreference line already (a mention is in one cluster)")
            if ann_id not in members:
                members.append(ann_id)
        for m in members:
            self._in_cluster[m] = len(self.clusters)
        self.clusters.append(tuple(members))

    def all_entities(self, line: _Line) -> bool:
        """Whether every annotation a ``*`` line lists is an entity span (T line)."""
        if not line.args:
            return False
        for r in line.args:
            target = self.lines.get(r)
            if target is None or target.kind != "T" or r not in self.ids:
                return False
            if self.fields.get(self.ids[r], {}).get("kind") != "entity":
                return False
        return True

    def equivalent_mentions(self, lines: list[_Line]) -> None:
        """``*\tEquiv T1 T2 ...`` lines of entity spans: coreference clusters.  As brat
        merges equivalences that share an annotation, Equiv lines sharing a mention
        are one cluster, and one sharing a mention with a ``Coreference`` line
        joins its cluster; mentions in the order they first appear."""
        groups: list[list[str]] = [list(c) for c in self.clusters]
        where: dict[str, int] = {m: i for i, c in enumerate(groups) for m in c}
        for line in lines:
            members = list(dict.fromkeys(self.ids[r] for r in line.args))
            hit = sorted({where[m] for m in members if m in where})
            if not hit:
                into = len(groups)
                groups.append([])
            else:
                into = hit[0]
                for other in hit[1:]:  # this line joins groups made before: merge them
                    for m in groups[other]:
                        groups[into].append(m)
                        where[m] = into
                    groups[other] = []
            for m in members:
                if where.get(m) != into:
                    groups[into].append(m)
                    where[m] = into
        self.clusters = [tuple(g) for g in groups if g]
        self._in_cluster = {m: i for i, c in enumerate(self.clusters) for m in c}

    def fail(self, line: _Line, message: str) -> InputError:
        return InputError(self.file, line.number, f"{line.id}: {message}")

    def ref(self, line: _Line, ref: str, kinds: str = "TE") -> str:
        """The annotation id of brat id ``ref``, which must be a line of one of ``kinds``."""
        target = self.lines.get(ref)
        if target is None:
            raise self.fail(line, f"refers to {ref or '(nothing)'}, which is not an annotation of this file")
        if target.kind not in kinds or ref not in self.ids:
            allowed = ", ".join(_KIND_NAMES[k] for k in kinds[:-1]) + f" or {_KIND_NAMES[kinds[-1]]}"
            what = _KIND_NAMES[target.kind]
            article = "an" if what[0] in "aeiou" else "a"
            raise self.fail(line, f"refers to {ref}, {article} {what} line; it must be a {allowed} annotation")
        return self.ids[ref]

    def annotations(self) -> list[Annotation]:
        p = self.parsed
        triggers: dict[str, list[_Line]] = {}
        for line in p:
            if line.kind == "E":
                etype, colon, trig = line.type.partition(":")
                if not colon or not etype or not trig:
                    raise self.fail(line, "an event line starts with TYPE:TRIGGER")
                t = self.lines.get(trig)
                if t is None or t.kind != "T":
                    raise self.fail(line, f"the trigger {trig} is not a T annotation of this file")
                if t.type != etype:
                    raise self.fail(line, f"the trigger {trig} is a {t.type}, not a {etype}")
                triggers.setdefault(trig, []).append(line)
        referenced = {x.args[0] for x in p if x.kind in "AN#" and x.args}
        # spans: entities, claims, and one event per E line (events may share a trigger)
        for line in p:
            if line.kind == "T":
                pieces = self.span(line)
                start, end = pieces[0][0], pieces[-1][1]
                frags = pieces if len(pieces) > 1 else None
                events = triggers.get(line.id, [])
                if not events:
                    kind = "claim" if line.type == CLAIM_LABEL else "entity"
                    self.ids[line.id] = self.new(line, kind=kind, start=start, end=end, fragments=frags, label=line.type)
                for ev in events:
                    self.ids[ev.id] = self.new(
                        ev, kind="event", start=start, end=end, fragments=frags, label=line.type, arguments=[]
                    )
                    self.ids.setdefault(line.id, self.ids[ev.id])  # the trigger stands for its (first) event
            elif line.kind == "R":
                self.ids[line.id] = new_id()
        relations: list[dict[str, Any] | None] = []
        equivs: list[_Line] = []
        for line in p:
            if line.kind == "E":
                self.fields[self.ids[line.id]]["arguments"] = self.arguments(line)
            elif line.kind == "R":
                relations.append(self.relation(line, referenced))
            elif line.kind == "*" and line.type == COREFERENCE:
                self.cluster(line)
            elif line.kind == "*" and line.type == EQUIV and self.all_entities(line):
                equivs.append(line)
            elif line.kind == "*":
                refs = [self.ref(line, r) for r in line.args]
                if not refs:
                    raise self.fail(line, "an equivalence lists the annotations it makes equivalent")
                pairs = list(zip(refs, refs[1:])) or [(refs[0], refs[0])]
                relations += [self.relation_fields(line, x, y, {EQUIVALENCE: True}) for x, y in pairs]
        if equivs:
            self.equivalent_mentions(equivs)
        for rel in relations:
            if rel is not None:
                self.fields[rel.pop("id")] = rel
        for line in p:
            if line.kind == "A":
                self.attribute(line)
            elif line.kind == "N":
                self.normalization(line)
            elif line.kind == "#":
                self.note(line)
        out: list[Annotation] = []
        for ann_id, f in self.fields.items():
            line = f.pop("line")
            if f.get("claimant_ref") and f.get("claimant_text"):
                f.pop("claimant_text")
            out.append(self.builder.annotation(self.doc_id, f"{line.id} ({line.type})", id=ann_id, annotator=self.who, **f))
        return out

    def new(self, line: _Line, **fields: Any) -> str:
        ann_id = new_id()
        self.fields[ann_id] = {"line": line, "attributes": {}, **fields}
        return ann_id

    def span(self, line: _Line) -> list[tuple[int, int]]:
        """The pieces of a T line's span, in document order: fragments separated only
        by whitespace holding a line break (brat's own cut around a line break) are
        joined; others stay fragments of a discontinuous span (issue 14), also those
        apart by spaces only ("vitamins" + "A").  Overlapping fragments are refused."""
        frags = sorted(_t_spans(line, self.file))
        pieces = [list(frags[0])]
        for s2, e2 in frags[1:]:
            e1 = pieces[-1][1]
            if s2 < e1:
                shown = ";".join(f"{s} {e}" for s, e in _t_spans(line, self.file))
                raise self.fail(line, f"the fragments of {shown} overlap; each piece of a span must be apart from the others")
            gap = self.text[e1:s2]
            if gap.strip() or not _BREAK.search(gap):
                pieces.append([s2, e2])
            else:
                pieces[-1][1] = e2
        what = f"{line.id} ({line.type})"
        out = [
            self.builder.span(s, e, what if len(pieces) == 1 else f"{what}, fragment {i}") for i, (s, e) in enumerate(pieces, 1)
        ]
        for (_, e1), (s2, _) in zip(out, out[1:]):
            if s2 <= e1:  # only when a mapping joined them (a \r between them that is not kept)
                raise self.fail(line, "two fragments touch once line breaks are read; write them as one span")
        return out

    def arguments(self, line: _Line) -> list[Argument]:
        etype = line.type.partition(":")[0]
        declared = set(self.conf.events.get(etype, {})) if self.conf else set()
        found: list[tuple[str, int, str]] = []
        for arg in line.args:
            role, colon, ref = arg.partition(":")
            if not colon or not role or not ref or ":" in ref:
                raise self.fail(line, f"argument {arg!r} must be ROLE:ID")
            base, number = (role, 1) if role in declared else split_role(role)
            found.append((base, number, self.ref(line, ref)))
        # numbered roles (Theme, Theme2, Theme3 or Theme1, Theme2) keep their numbers' order
        order = {base: sorted((n, i) for i, (b, n, _) in enumerate(found) if b == base) for base, _, _ in found}
        taken: dict[str, int] = {}
        out = []
        for base, _, _ in found:
            k = taken.get(base, 0)
            taken[base] = k + 1
            out.append(Argument(role=base, target=found[order[base][k][1]][2]))
        return out

    def relation_fields(
        self, line: _Line, head: str, tail: str, attributes: dict[str, Any], ann_id: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": ann_id or new_id(),
            "line": line,
            "kind": "relation",
            "label": line.type,
            "head": head,
            "tail": tail,
            "attributes": attributes,
        }

    def relation(self, line: _Line, referenced: set[str]) -> dict[str, Any] | None:
        args = [a.partition(":") for a in line.args]
        if len(args) != 2 or any(not c or not n or not r for n, c, r in args) or args[0][0] == args[1][0]:
            raise self.fail(line, "a relation is 'TYPE Arg1:ID Arg2:ID' (two arguments with different names)")
        head, tail = self.ref(line, args[0][2]), self.ref(line, args[1][2])
        names = [args[0][0], args[1][0]]
        hf = self.fields[head]
        if (
            line.type == CLAIMANT
            and hf["kind"] == "claim"
            and "claimant_ref" not in hf
            and line.id not in referenced
            and names == ["Arg1", "Arg2"]
        ):
            hf["claimant_ref"] = tail
            del self.ids[line.id]  # not a relation of its own
            return None
        return self.relation_fields(line, head, tail, {ROLES: names} if names != ["Arg1", "Arg2"] else {}, self.ids[line.id])

    def target(self, line: _Line) -> dict[str, Any]:
        if not line.args:
            raise self.fail(line, "needs the id of the annotation it is on")
        return self.fields[self.ref(line, line.args[0], "TER")]

    def attribute(self, line: _Line) -> None:
        if not line.args:
            raise self.fail(line, "an attribute is 'TYPE ID' (binary) or 'TYPE ID VALUE'")
        if line.type in RESERVED:
            raise self.fail(
                line, f"the attribute name {line.type!r} is where annotator keeps brat's {line.type}; rename the attribute"
            )
        f = self.target(line)
        value: Any = True if len(line.args) == 1 else " ".join(line.args[1:])  # brat: the rest of the line
        if line.type in f["attributes"] and f["attributes"][line.type] != value:
            raise self.fail(line, f"{line.args[0]} has the attribute {line.type} twice, with different values")
        f["attributes"][line.type] = value

    def normalization(self, line: _Line) -> None:
        resource, colon, key = line.args[1].partition(":") if len(line.args) == 2 else ("", "", "")
        if not resource or not colon or not key:
            raise self.fail(line, "a normalization is 'N1<TAB>TYPE ID RESOURCE:KEY<TAB>NAME'")
        f = self.target(line)
        if f["kind"] == "entity" and line.type == REFERENCE:  # a knowledge-base link (issue 14)
            links = f.setdefault("links", [])
            if all((x["resource"], x["id"]) != (resource, key) for x in links):
                links.append({"resource": resource, "id": key, "name": line.tail or ""})
            return
        entry = {"type": line.type, "resource": resource, "id": key, "name": line.tail or ""}
        f["attributes"].setdefault(NORMALIZATIONS, []).append(entry)

    def note(self, line: _Line) -> None:
        if len(line.args) != 1:
            raise self.fail(line, "a note is '#1<TAB>TYPE ID<TAB>TEXT'")
        f = self.target(line)
        text = line.tail or ""
        if f["kind"] == "claim" and line.type == "AnnotatorNotes" and text.startswith(CLAIMANT_NOTE) and "claimant_text" not in f:
            f["claimant_text"] = text[len(CLAIMANT_NOTE) :]
            return
        try:
            check_note_type(line.type)
        except ValueError as err:
            raise self.fail(line, str(err)) from None
        self.notes.setdefault((self.ref(line, line.args[0], "TER"), line.type), []).append(text)

    def user_notes(self) -> list[Note]:
        """The notes read: one per annotation and type (several # lines of one type
        on one annotation are one note, a line each, as the export writes a note
        that holds line breaks)."""
        return [Note(self.doc_id, self.who, ann_id, typ, "\n".join(texts)) for (ann_id, typ), texts in self.notes.items()]


def read_brat(path: str | Path, *, encoding: str | None = None, annotator: str | None = None) -> list:
    """``[(Document, [Annotation])]`` of one brat pair; raises InputError for bad input."""
    return collect(iter_brat(path, encoding=encoding, annotator=annotator))
