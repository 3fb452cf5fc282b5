"""WebAnno TSV 3.2/3.3 (INCEpTION's and WebAnno's exchange format): import.

One file is one document::

    #FORMAT=WebAnno TSV 3.3
    #T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|value
    #T_CH=de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceLink|referenceType|referenceRelation
    #T_RL=webanno.custom.Rel|label|BT_de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity


    #Text=Ms. Haag plays .
    1-1<TAB>0-3<TAB>Ms.<TAB>PER[1]<TAB>_<TAB>_<TAB>_<TAB>
    1-2<TAB>4-8<TAB>Haag<TAB>PER[1]<TAB>nam[2]<TAB>coref->2-1<TAB>_<TAB>_<TAB>

What maps to what (the INCEpTION user guide's "WebAnno TSV 3.3 File format"
and its reader, ``Tsv3XDeserializer``, are the reference):

- The text is rebuilt as INCEpTION rebuilds it: each sentence's ``#Text=`` lines
  (unescaped, joined by ``\\n``) placed at its first token's offset, a gap before
  it filled with spaces, one ``\\n`` after it (dropped when the next sentence
  starts right there, and after the last sentence).  Token offsets count UTF-16
  units; they are converted to code points, and every token's text must be the
  rebuilt text's at its offsets, else the file is refused naming the line.
- Span layers (``#T_SP=``) become entities; a span layer with a slot feature
  (``ROLE_...``) becomes events.  The label is the value of the layer's first
  feature, or the layer's short name (``NamedEntity``) when it has no feature or
  the value is ``*``; the other features are attributes.  Multi-token
  annotations (``PER[1]`` on several lines), stacked ones (``A|B``) and
  sub-tokens (``1-3.1``) are read as the format defines them.
- Slot features: each link is an event argument, its role the link's role (the
  slot feature's name when the role is ``*``), its filler the annotation named in
  the target column (``2-1;2-3[4]``).
- Relation layers (``#T_RL=``) become relations labelled with their first
  feature's value (or the layer's short name); head is the governor named in the
  ``BT_`` column, tail the annotation on the line itself.
- Chain layers (``#T_CH=``, coreference): each chain element becomes an entity
  labelled with its ``referenceType`` (or the layer's short name), and each link
  from one element to the next a relation ``coref-next`` (its
  ``referenceRelation`` kept as the attribute ``relation``).  annotator has no
  chain kind yet.
- DKPro Core's linguistic layers (POS, lemma, stem, morphology, dependency and
  other syntax, tokens, sentences) are not annotations here: they are skipped and
  counted in the document's metadata (``webanno_skipped``).
- Feature values are unescaped (``\\\\ \\[ \\] \\| \\_ \\-> \\; \\t \\n \\*``), and the
  ``#Text=`` lines as INCEpTION escapes them (``\\\\ \\t \\n \\r \\f \\b`` and control
  characters).

Refused, with file, line and problem: other formats and versions (TSV 1, 2, 3.0
and 3.1), a header layer line that is not ``#T_SP``/``#T_CH``/``#T_RL``, a token
line with another number of columns than the header declares, offsets that
disagree with the text, references to tokens or ids that do not exist.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.models import Annotation, Argument, Document, new_id
from annotator.formats import InputError, Item, Record, TextBuilder, annotator_name, collect, read_text

__all__ = ["iter_webanno", "read_webanno", "is_webanno", "WEBANNO_MAGIC", "COREF_NEXT"]

#: How every WebAnno TSV 3 file starts.
WEBANNO_MAGIC = "#FORMAT=WebAnno TSV"
#: Relation label of the link from one coreference chain element to the next.
COREF_NEXT = "coref-next"
_VERSIONS = ("3.2", "3.3")
#: DKPro Core layers that are linguistic preprocessing, not annotations: skipped.
_SKIPPED_PREFIXES = (
    "de.tudarmstadt.ukp.dkpro.core.api.lexmorph.type.",
    "de.tudarmstadt.ukp.dkpro.core.api.syntax.type.",
    "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Lemma",
    "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Stem",
    "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token",
    "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence",
)
_ANY_TYPE = "uima.tcas.Annotation"
#: Most UTF-16 units between two sentences (filled with spaces, as INCEpTION does) that are believed.
_MAX_GAP = 1 << 20
_VALUE_ESCAPES = {"\\": "\\", "[": "[", "]": "]", "|": "|", "_": "_", "->": "->", ";": ";", "t": "\t", "n": "\n", "*": "*"}
_VALUE_ESCAPE = re.compile(r"\\(->|[\\\[\]|_;tn*])")
_TEXT_ESCAPES = {"t": "\t", "n": "\n", "f": "\f", "r": "\r", "b": "\b", "\\": "\\"}
_TEXT_ESCAPES.update({chr(i): chr(i) for i in range(32) if not 7 < i < 14})
_TEXT_ESCAPE = re.compile("\\\\([tnfrb\\\\\x00-\x07\x0e-\x1f])")
_UNIT_ID = re.compile(r"([0-9]{1,18})-([0-9]{1,18})(?:\.([0-9]{1,18}))?")
_OFFSETS = re.compile(r"([0-9]{1,18})-([0-9]{1,18})")
_SUFFIX = re.compile(r"\[([0-9]{1,18})\]$")
_REL_SUFFIX = re.compile(r"\[([0-9]{1,18})_([0-9]{1,18})\]$")
_CHAIN_SUFFIX = re.compile(r"->([0-9]{1,18})-([0-9]{1,18})$")


def is_webanno(head: str) -> bool:
    """Whether text (a file's first line or more) is WebAnno TSV."""
    return head.lstrip("\ufeff").startswith(WEBANNO_MAGIC)


def unescape_value(value: str) -> str:
    """A feature value as it was before INCEpTION escaped it."""
    return _VALUE_ESCAPE.sub(lambda m: _VALUE_ESCAPES[m.group(1)], value)


def unescape_text(value: str) -> str:
    """A ``#Text=`` line as it was before INCEpTION escaped it."""
    return _TEXT_ESCAPE.sub(lambda m: _TEXT_ESCAPES[m.group(1)], value)


def _escaped_at(text: str, i: int) -> bool:
    """Whether ``text[i]`` is escaped (an odd number of backslashes before it)."""
    n = 0
    while i - n - 1 >= 0 and text[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def split_unescaped(value: str, sep: str) -> list[str]:
    """``value`` split at each ``sep`` that is not escaped."""
    if "\\" not in value:
        return value.split(sep)
    out, start = [], 0
    for i, ch in enumerate(value):
        if ch == sep and not _escaped_at(value, i):
            out.append(value[start:i])
            start = i + 1
    out.append(value[start:])
    return out


def _suffix(value: str, pattern: re.Pattern[str]) -> tuple[str, re.Match[str] | None]:
    """``value`` without a trailing (unescaped) suffix matching ``pattern``, and the match."""
    if not value.endswith(("]", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")):
        return value, None
    m = pattern.search(value)
    if m is None or _escaped_at(value, m.start()):
        return value, None
    return value[: m.start()], m


def _short_name(layer: str) -> str:
    return layer.rsplit(".", 1)[-1] or layer


def _skipped(layer: str) -> bool:
    return layer.startswith(_SKIPPED_PREFIXES)


# ---------------------------------------------------------------------------
# The header
# ---------------------------------------------------------------------------
@dataclass
class _Column:
    index: int  # field index in a token line
    layer: str
    kind: str  # "span", "chain", "relation"
    role: str  # "feature", "placeholder", "slot_role", "slot_target", "base", "chain_type", "chain_link"
    feature: str = ""
    target: str = ""  # slot target type or relation base type


@dataclass
class _Layer:
    name: str
    kind: str
    line: int
    columns: list[_Column] = field(default_factory=list)
    events: bool = False

    @property
    def first_feature(self) -> str | None:
        for col in self.columns:
            if col.role == "feature":
                return col.feature
        return None

    @property
    def base(self) -> str:
        return next((c.target for c in self.columns if c.role == "base"), "")


def _read_header(lines: list[str], file: str) -> tuple[list[_Layer], int]:
    """The layers the header declares and the index of the first line after it."""
    first = lines[0].lstrip("\ufeff") if lines else ""
    if not first.startswith(WEBANNO_MAGIC):
        if first.lstrip().startswith("#") and ("webanno" in first or "dkpro" in first):
            raise InputError(
                file, 1, "WebAnno TSV 1 or 2 (no #FORMAT line) is not supported; export it from INCEpTION as WebAnno TSV 3.3"
            )
        raise InputError(file, 1, f"not a WebAnno TSV file: it must start with '{WEBANNO_MAGIC} 3.3'")
    version = first[len(WEBANNO_MAGIC) :].strip()
    if version not in _VERSIONS:
        raise InputError(
            file, 1, f"WebAnno TSV {version or '(no version)'} is not supported; export it from INCEpTION as WebAnno TSV 3.3"
        )
    layers: list[_Layer] = []
    index = 3
    at = 1
    while at < len(lines) and lines[at].strip():
        line, number = lines[at], at + 1
        prefix, sep, rest = line.partition("=")
        kind = {"#T_SP": "span", "#T_CH": "chain", "#T_RL": "relation"}.get(prefix)
        if kind is None or not sep:
            raise InputError(
                file, number, f"expected a layer line (#T_SP=, #T_CH= or #T_RL=) or a blank line, found {line[:60]!r}"
            )
        fields = [f for f in rest.split("|") if f]
        if not fields:
            raise InputError(file, number, "the layer line names no layer")
        if any(la.name == fields[0] for la in layers):
            raise InputError(file, number, f"layer {fields[0]} is declared twice")
        layer = _Layer(fields[0], kind, number)
        decls = fields[1:]
        i = 0
        while i < len(decls):
            decl = decls[i]
            if kind == "span" and decl.startswith("ROLE_"):
                feature = decl[len("ROLE_") :].partition(":")[2].partition("_")[0] or decl
                if i + 1 >= len(decls):
                    raise InputError(file, number, f"slot feature {decl} is not followed by its target type")
                layer.columns.append(_Column(index, layer.name, kind, "slot_role", feature))
                layer.columns.append(_Column(index + 1, layer.name, kind, "slot_target", feature, decls[i + 1]))
                layer.events = True
                index += 2
                i += 2
                continue
            if kind == "relation" and decl.startswith("BT_"):
                if i != len(decls) - 1:
                    raise InputError(file, number, f"the base type column {decl} must be the relation layer's last")
                layer.columns.append(_Column(index, layer.name, kind, "base", target=decl[len("BT_") :]))
            elif kind == "chain":
                if decl not in ("referenceType", "referenceRelation"):
                    raise InputError(
                        file, number, f"chain layer feature {decl!r}: chain layers have referenceType and referenceRelation"
                    )
                role = "chain_type" if decl == "referenceType" else "chain_link"
                layer.columns.append(_Column(index, layer.name, kind, role, decl))
            else:
                layer.columns.append(_Column(index, layer.name, kind, "feature", decl))
            index += 1
            i += 1
        if not decls:
            layer.columns.append(_Column(index, layer.name, kind, "placeholder"))
            index += 1
        if kind == "relation" and not layer.base:
            raise InputError(file, number, f"relation layer {layer.name} has no BT_ column naming what it connects")
        if kind == "chain" and {c.role for c in layer.columns} != {"chain_type", "chain_link"}:
            raise InputError(file, number, f"chain layer {layer.name} needs both referenceType and referenceRelation")
        layers.append(layer)
        at += 1
    names = {la.name for la in layers if la.kind == "span"}
    for layer in layers:
        for col in layer.columns:
            if col.role in ("base", "slot_target") and col.target != _ANY_TYPE and col.target not in names:
                if not _skipped(col.target):
                    raise InputError(
                        file,
                        layer.line,
                        f"layer {layer.name} refers to {col.target}, which the header does not declare as a span layer",
                    )
    return layers, at


# ---------------------------------------------------------------------------
# The body
# ---------------------------------------------------------------------------
@dataclass
class _Unit:
    id: str
    begin: int  # UTF-16 units
    end: int
    text: str
    line: int
    #: layer -> annotations on this unit in stacking order
    spans: dict[str, list[_Span]] = field(default_factory=dict)


@dataclass
class _Span:
    layer: str
    begin: int
    end: int
    line: int
    id: str = field(default_factory=new_id)
    features: dict[str, str | None] = field(default_factory=dict)
    #: slot feature -> roles (None: ``*``), and -> target references ``(unit id, disambiguation id, line)``
    roles: dict[str, list[str | None]] = field(default_factory=dict)
    targets: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    chain: tuple[int, int] | None = None
    used: bool = True


@dataclass
class _Relation:
    layer: str
    line: int
    features: dict[str, str | None] = field(default_factory=dict)
    source: tuple[str, int] | None = None
    target: tuple[str, int] | None = None
    unit: str = ""


class _Body:
    def __init__(self, layers: list[_Layer], file: str):
        self.file = file
        self.layers = {la.name: la for la in layers}
        self.columns = [c for la in layers for c in la.columns]
        self.units: dict[str, _Unit] = {}
        self.order: list[_Unit] = []
        self.spans: list[_Span] = []
        self.relations: list[_Relation] = []
        self.disambiguated: dict[int, _Span] = {}
        self.chains: dict[tuple[int, int], _Span] = {}
        #: (unit id, layer) -> chain element types in stacking order
        self.chain_types: dict[tuple[str, str], list[str | None]] = {}
        self.skipped: dict[str, int] = {}
        #: columns of layers that are not imported (and of relations between their annotations)
        self.skipped_columns = {
            c.index for c in self.columns if _skipped(c.layer) or (c.kind == "relation" and _skipped(self.layers[c.layer].base))
        }

    def error(self, line: int, message: str) -> InputError:
        return InputError(self.file, line, message)

    # -- one token or sub-token line ---------------------------------------------
    def unit(self, unit: _Unit, fields: list[str]) -> None:
        relations: dict[tuple[str, int], _Relation] = {}
        counted: set[str] = set()
        for col in self.columns:
            raw = fields[col.index]
            if raw == "_":
                continue
            if col.index in self.skipped_columns:
                if col.layer not in counted:  # annotations, not columns
                    counted.add(col.layer)
                    self.skipped[col.layer] = self.skipped.get(col.layer, 0) + len(split_unescaped(raw, "|"))
                continue
            for stack, value in enumerate(split_unescaped(raw, "|")):
                if col.kind == "span":
                    self._span_value(unit, col, stack, value)
                elif col.kind == "relation":
                    rel = relations.get((col.layer, stack))
                    if rel is None:
                        rel = relations[(col.layer, stack)] = _Relation(col.layer, unit.line, unit=unit.id)
                        self.relations.append(rel)
                    self._relation_value(unit, col, rel, value)
                else:
                    self._chain_value(unit, col, stack, value)

    def _span_at(self, unit: _Unit, col: _Column, stack: int, ident: int) -> _Span:
        on_unit = unit.spans.setdefault(col.layer, [])
        if stack < len(on_unit):
            return on_unit[stack]
        span = self.disambiguated.get(ident) if ident > 0 else None
        if span is not None:
            if span.layer != col.layer:
                raise self.error(unit.line, f"[{ident}] names a {span.layer} annotation (line {span.line}), not a {col.layer}")
            span.end = max(span.end, unit.end)
        else:
            span = _Span(col.layer, unit.begin, unit.end, unit.line)
            self.spans.append(span)
        while len(on_unit) < stack:  # a stacked value before an earlier one's column (not written by INCEpTION)
            filler = _Span(col.layer, unit.begin, unit.end, unit.line)
            self.spans.append(filler)
            on_unit.append(filler)
        on_unit.append(span)
        if ident > 0:
            self.disambiguated[ident] = span
        return span

    def _span_value(self, unit: _Unit, col: _Column, stack: int, value: str) -> None:
        ident = 0
        if col.role != "slot_target":
            value, m = _suffix(value, _SUFFIX)
            ident = int(m.group(1)) if m else 0
        span = self._span_at(unit, col, stack, ident)
        if col.role == "feature":
            if col.feature not in span.features:
                span.features[col.feature] = None if value in ("*", "") else unescape_value(value)
        elif col.role == "slot_role":
            if col.feature not in span.roles:
                roles = [] if value == "_" else split_unescaped(value, ";")
                span.roles[col.feature] = [None if r in ("*", "") else unescape_value(r) for r in roles]
        elif col.role == "slot_target":
            if col.feature not in span.targets:
                refs: list[tuple[str, int, int]] = []
                if value not in ("*", "_"):
                    for ref in split_unescaped(value, ";"):
                        bare, m = _suffix(ref, _SUFFIX)
                        refs.append((bare, int(m.group(1)) if m else 0, unit.line))
                span.targets[col.feature] = refs

    def _relation_value(self, unit: _Unit, col: _Column, rel: _Relation, value: str) -> None:
        if col.role == "base":
            bare, m = _suffix(value, _REL_SUFFIX)
            rel.source = (bare, int(m.group(1)) if m else 0)
            rel.target = (unit.id, int(m.group(2)) if m else 0)
        elif col.role == "feature":
            value, _ = _suffix(value, _SUFFIX)
            rel.features[col.feature] = None if value in ("*", "") else unescape_value(value)

    def _chain_value(self, unit: _Unit, col: _Column, stack: int, value: str) -> None:
        if col.role == "chain_type":
            value, _ = _suffix(value, _SUFFIX)  # the chain's id, given again by the link column
            self.chain_types.setdefault((unit.id, col.layer), []).append(None if value in ("*", "") else unescape_value(value))
            return
        value, m = _suffix(value, _CHAIN_SUFFIX)
        if m is None:
            raise self.error(unit.line, f"chain link {value!r} ({col.layer}) does not end with ->CHAIN-ELEMENT (e.g. coref->1-2)")
        key = (int(m.group(1)), int(m.group(2)))
        span = self.chains.get(key)
        if span is None or span.layer != col.layer:
            span = self.chains[key] = _Span(col.layer, unit.begin, unit.end, unit.line, chain=key)
            self.spans.append(span)
        else:
            span.end = max(span.end, unit.end)
        on_unit = unit.spans.setdefault(col.layer, [])
        if span not in on_unit:
            on_unit.append(span)
        if "referenceRelation" not in span.features:
            span.features["referenceRelation"] = None if value in ("*", "") else unescape_value(value)

    # -- references ---------------------------------------------------------------
    def resolve(self, layer: str, unit_id: str, ident: int, line: int, what: str) -> _Span:
        if ident > 0:
            span = self.disambiguated.get(ident)
            if span is None:
                raise self.error(line, f"{what}: no annotation has the id [{ident}]")
            return span
        unit = self.units.get(unit_id)
        if unit is None:
            raise self.error(line, f"{what}: there is no token {unit_id!r}")
        if layer == _ANY_TYPE:
            found = [s for spans in unit.spans.values() for s in spans]
            if len(found) != 1:
                has = "none" if not found else f"{len(found)}, and no [id] says which"
                raise self.error(line, f"{what}: token {unit_id} should hold one annotation; it has {has}")
            return found[0]
        on_unit = unit.spans.get(layer)
        if not on_unit:
            raise self.error(line, f"{what}: token {unit_id} has no {_short_name(layer)} annotation")
        return on_unit[0]


def _parse_body(lines: list[str], start: int, layers: list[_Layer], file: str) -> tuple[str, _Body]:
    """The rebuilt text (UTF-16 offsets are those of this text) and the parsed annotations."""
    body = _Body(layers, file)
    width = 3 + sum(len(la.columns) for la in layers)
    parts: list[str] = []
    length = 0  # UTF-16 units in parts
    sentence: list[str] = []
    state = "between"  # "between", "header", "tokens"
    token: _Unit | None = None
    for at in range(start, len(lines)):
        line, number = lines[at], at + 1
        if not line.strip():
            if state == "header":
                raise InputError(file, number, "a sentence's #Text= lines must be followed by its tokens")
            state = "between"
            continue
        if line.startswith("#"):
            if state == "tokens":
                raise InputError(file, number, "a blank line must come between the last token of a sentence and the next #Text=")
            if state == "between":
                sentence = []
            state = "header"
            if line.startswith("#Text="):
                sentence.append(unescape_text(line[len("#Text=") :]))
            continue
        if state == "between":
            raise InputError(file, number, "a token line before its sentence's #Text= line")
        fields = line.split("\t")
        if len(fields) == width + 1 and fields[-1] == "":
            fields.pop()  # INCEpTION ends every token line with a tab
        if len(fields) != width:
            raise InputError(
                file, number, f"expected {width} tab-separated columns (3 + {width - 3} from the header), found {len(fields)}"
            )
        m, o = _UNIT_ID.fullmatch(fields[0]), _OFFSETS.fullmatch(fields[1])
        if m is None:
            raise InputError(file, number, f"{fields[0]!r} is not a token id (sentence-token, e.g. 1-3, or 1-3.1)")
        if o is None:
            raise InputError(file, number, f"{fields[1]!r} is not an offset pair (begin-end, e.g. 0-5)")
        begin, end = int(o.group(1)), int(o.group(2))
        if begin > end:
            raise InputError(file, number, f"token {fields[0]}: its offsets {fields[1]} are reversed")
        if m.group(3) is None:
            if state == "header":  # the sentence's first token: place the sentence's text
                text = "\n".join(sentence) + "\n"
                if length > begin:
                    if length != begin + 1 or not parts or not parts[-1].endswith("\n"):
                        raise InputError(
                            file,
                            number,
                            f"token {fields[0]} starts at {begin}, inside the text of the sentences before it "
                            f"(which end at {length - 1}); offsets count UTF-16 units",
                        )
                    parts[-1] = parts[-1][:-1]
                    length -= 1
                if begin - length > _MAX_GAP:
                    raise InputError(
                        file,
                        number,
                        f"token {fields[0]} starts at {begin}, {begin - length} units after the sentences before it end: "
                        "that much text between sentences is not in any WebAnno TSV file",
                    )
                if length < begin:
                    parts.append(" " * (begin - length))
                    length = begin
                parts.append(text)
                length += _utf16_len(text)
            token = None
        elif token is None or not fields[0].startswith(token.id + "."):
            raise InputError(file, number, f"sub-token {fields[0]} does not follow its token")
        state = "tokens"
        if fields[0] in body.units:
            raise InputError(file, number, f"token {fields[0]} appears twice (first on line {body.units[fields[0]].line})")
        unit = _Unit(fields[0], begin, end, fields[2], number)
        body.units[unit.id] = unit
        body.order.append(unit)
        if m.group(3) is None:
            token = unit
        body.unit(unit, fields)
    if state == "header":
        raise InputError(file, len(lines), "the file ends with a #Text= line that has no tokens")
    text = "".join(parts)
    return text[:-1] if text.endswith("\n") else text, body


def _utf16_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


class _Utf16:
    """UTF-16 offsets of a text -> code points."""

    def __init__(self, text: str):
        self.astral: list[int] = []  # UTF-16 offsets where astral characters start
        self.length = _utf16_len(text)
        if self.length != len(text):
            u = 0
            for ch in text:
                if ord(ch) > 0xFFFF:
                    self.astral.append(u)
                    u += 2
                else:
                    u += 1

    def __call__(self, unit: int) -> int | None:
        """The code-point offset, or None inside a surrogate pair or outside the text."""
        if unit > self.length:
            return None
        before = bisect_left(self.astral, unit)
        if before and self.astral[before - 1] == unit - 1:
            return None
        return unit - before


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------
def iter_webanno(
    path: str | Path, *, encoding: str | None = None, annotator: str | None = None, name: str | None = None, **_: Any
) -> Iterator[Item]:
    """The one document of a WebAnno TSV 3.2/3.3 file.

    Raises :class:`InputError` naming the file and line for anything that cannot
    be imported as it means.
    """
    file = name or str(path)
    raw = read_text(path, encoding=encoding, name=file)
    lines = raw.lstrip("\ufeff").split("\n")
    if lines and all(x.endswith("\r") for x in lines[:-1]) and len(lines) > 1:
        lines = [x[:-1] if x.endswith("\r") else x for x in lines]  # the file was saved with Windows line ends
    layers, start = _read_header(lines, file)
    text, body = _parse_body(lines, start, layers, file)
    if not body.order:
        raise InputError(file, None, "no sentences: the file has a header but no #Text= lines and tokens")
    to_cp = _Utf16(text + "\n")
    for unit in body.order:
        a, b = to_cp(unit.begin), to_cp(unit.end)
        if a is None or b is None or b > len(text):
            where = (
                f"are outside the text ({_utf16_len(text)} UTF-16 units long)"
                if unit.end > _utf16_len(text)
                else "split a character (offsets count UTF-16 units: a character beyond U+FFFF counts 2)"
            )
            raise InputError(file, unit.line, f"token {unit.id}: offsets {unit.begin}-{unit.end} {where}")
        if text[a:b] != unit.text and text[a:b] != unescape_value(unit.text):
            raise InputError(
                file,
                unit.line,
                f"token {unit.id} is {unit.text[:40]!r} but the text rebuilt from the #Text= lines has "
                f"{text[a:b][:40]!r} at {unit.begin}-{unit.end} (offsets count UTF-16 units)",
            )
    builder = TextBuilder(text, file=file, line=None, doc_name="")
    metadata: dict[str, Any] = {"format": lines[0].lstrip("\ufeff")[1:].partition("=")[2].strip()}
    if body.skipped:
        metadata["webanno_skipped"] = dict(sorted(body.skipped.items()))
    doc = builder.document(external_id=Path(file).stem, source=Path(file).name, metadata=metadata)
    who = annotator_name(annotator)
    yield Record(doc, _annotations(body, builder, to_cp, doc, who), None, name=f"document {Path(file).stem!r}")


def _annotations(body: _Body, builder: TextBuilder, to_cp: _Utf16, doc: Document, who: str) -> list[Annotation]:
    file = body.file
    # chain element types, now that every element exists
    for (unit_id, layer_name), types in body.chain_types.items():
        on_unit = body.units[unit_id].spans.get(layer_name, [])
        for stack, value in enumerate(types):
            if stack >= len(on_unit):
                raise InputError(
                    file, body.units[unit_id].line, f"chain element type {value or '*'!r} has no ->CHAIN-ELEMENT link"
                )
            on_unit[stack].features.setdefault("referenceType", value)
    arguments_of: dict[str, list[Argument]] = {}
    for span in body.spans:
        layer = body.layers[span.layer]
        if not layer.events:
            continue
        arguments: list[Argument] = []
        for col in layer.columns:
            if col.role != "slot_target":
                continue
            roles, targets = span.roles.get(col.feature, []), span.targets.get(col.feature, [])
            if len(roles) != len(targets):
                raise InputError(file, span.line, f"slot feature {col.feature}: {len(roles)} roles but {len(targets)} targets")
            for role, (unit_id, ident, line) in zip(roles, targets):
                target = body.resolve(col.target, unit_id, ident, line, f"slot {role or col.feature} -> {unit_id}")
                arguments.append(Argument(role=role or col.feature, target=target.id))
        arguments_of[span.id] = arguments
    chains: dict[tuple[str, int], list[_Span]] = {}
    for span in body.spans:
        if span.chain is not None:
            chains.setdefault((span.layer, span.chain[0]), []).append(span)
    for elements in chains.values():
        elements.sort(key=lambda s: s.chain[1] if s.chain else 0)
    last = {elements[-1].id for elements in chains.values()}
    out: list[Annotation] = []
    for span in body.spans:
        layer = body.layers[span.layer]
        what = f"line {span.line}: {_short_name(span.layer)}"
        if layer.kind == "chain":
            label = span.features.get("referenceType") or _short_name(span.layer)
            relation = span.features.get("referenceRelation")
            # a link's relation is kept on the relation to the next element; the last one's here
            extra = {"relation": relation} if relation and span.id in last else {}
        else:
            first = layer.first_feature
            label = (span.features.get(first) if first else None) or _short_name(span.layer)
            extra = {k: v for k, v in span.features.items() if k != first and v is not None}
        a, b = to_cp(span.begin), to_cp(span.end)
        assert a is not None and b is not None  # unit offsets were checked
        if a == b:
            raise InputError(
                file,
                span.line,
                f"{_short_name(span.layer)} {label!r}: a zero-width annotation at {span.begin} (INCEpTION allows them); "
                "annotations here cover at least one character",
            )
        start, end = builder.span(a, b, what)
        kind = "event" if layer.events else "entity"
        if kind == "entity" and not extra and type(label) is str:
            out.append(builder.entity(doc.id, what, start, end, label, who))
            out[-1].id = span.id
            continue
        out.append(
            builder.annotation(
                doc.id,
                what,
                id=span.id,
                kind=kind,
                label=label,
                start=start,
                end=end,
                attributes=extra,
                arguments=arguments_of.get(span.id, []),
                annotator=who,
            )
        )
    for rel in body.relations:
        layer = body.layers[rel.layer]
        what = f"relation {_short_name(rel.layer)}"
        if rel.source is None or rel.target is None:
            raise InputError(file, rel.line, f"{what}: no governor in its BT_ column")
        head = body.resolve(layer.base, rel.source[0], rel.source[1], rel.line, f"{what} from {rel.source[0]}")
        tail = body.resolve(layer.base, rel.target[0], rel.target[1], rel.line, f"{what} to {rel.target[0]}")
        first = layer.first_feature
        label = (rel.features.get(first) if first else None) or _short_name(rel.layer)
        extra = {k: v for k, v in rel.features.items() if k != first and v is not None}
        out.append(
            builder.annotation(
                doc.id,
                f"line {rel.line}: {what}",
                kind="relation",
                label=label,
                head=head.id,
                tail=tail.id,
                attributes=extra,
                annotator=who,
            )
        )
    for elements in chains.values():
        for one, two in zip(elements, elements[1:]):
            relation = one.features.get("referenceRelation")
            out.append(
                builder.annotation(
                    doc.id,
                    f"line {one.line}: chain link",
                    kind="relation",
                    label=COREF_NEXT,
                    head=one.id,
                    tail=two.id,
                    attributes={"relation": relation} if relation else {},
                    annotator=who,
                )
            )
    return out


def read_webanno(
    path: str | Path, *, encoding: str | None = None, annotator: str | None = None
) -> list[tuple[Document, list[Annotation]]]:
    """``[(Document, [Annotation])]`` of a WebAnno TSV file; raises the first InputError."""
    return collect(iter_webanno(path, encoding=encoding, annotator=annotator))
