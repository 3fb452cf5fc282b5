"""The label schema: which entity labels, event types (with roles), claim
attributes and relation types a project uses, with colours and shortcuts.

Schemas are TOML or YAML files (YAML through ``yaml.safe_load`` only), validated
by pydantic. :class:`SchemaError` messages name the file, the field and the
problem, e.g. ``news.toml: events[2].roles[0].labels: unknown entity label 'PEPRSON'``.
"""

from __future__ import annotations

import re
import string
import tomllib
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator, model_validator

from annotator.core.kinds import CLAIM_LABEL, SchemaError

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAME = re.compile(r"^[^\s\x00-\x1f]([^\x00-\x1f]*[^\s\x00-\x1f])?$")


def _check_color(v: str) -> str:
    if not _COLOR.match(v):
        raise ValueError(f"colour {v!r} is not of the form #rrggbb")
    return v.lower()


def _check_key(v: str | None) -> str | None:
    if v is None or v == "":
        return None
    if len(v) != 1 or not v.isprintable() or v.isspace():
        raise ValueError(f"shortcut {v!r} must be exactly one printable character")
    return v.lower()


class Guidelines(BaseModel):
    """What annotators read about a label, role or attribute value: a description
    and optional examples and counter-examples, each a Markdown string."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    description: str = ""
    examples: list[str] = Field(default_factory=list)
    counter_examples: list[str] = Field(default_factory=list)

    def has_guidelines(self) -> bool:
        return bool(self.description.strip() or self.examples or self.counter_examples)

    def guidelines(self) -> Guidelines:
        """Only the guideline fields (a plain :class:`Guidelines`)."""
        return Guidelines(
            description=self.description, examples=list(self.examples), counter_examples=list(self.counter_examples)
        )


class _Item(Guidelines):
    name: str = Field(min_length=1, max_length=100)
    color: str = "#9e9e9e"
    key: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("a name may not start or end with spaces or hold control characters")
        return v

    @field_validator("color")
    @classmethod
    def _color(cls, v: str) -> str:
        return _check_color(v)

    @field_validator("key")
    @classmethod
    def _key(cls, v: str | None) -> str | None:
        return _check_key(v)


class EntityLabel(_Item):
    pass


class MentionLabel(_Item):
    """A label of mention-only spans (pronouns, nominals: "he", "the ministry"):
    stored as entity spans, they can join coreference clusters but are not named
    entities (coreference exports carry them; :meth:`LabelSchema.named_entity_labels`
    leaves them out)."""


class RoleSpec(Guidelines):
    name: str = Field(min_length=1, max_length=100)
    #: Entity labels allowed to fill the role; empty means any annotation.
    labels: list[str] = Field(default_factory=list)
    required: bool = False


class EventType(_Item):
    roles: list[RoleSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_roles(self) -> EventType:
        _no_duplicates([r.name for r in self.roles], "roles")
        return self

    def role(self, name: str) -> RoleSpec | None:
        return next((r for r in self.roles if r.name == name), None)


class ClaimAttribute(Guidelines):
    """One attribute of claims (stance, veracity, ...) and the values it may take.

    A new claim starts with the attribute unset (nobody judged it yet) unless the
    schema declares a ``default``, which must be one of the ``values``.

    In the file a value is a string or a table ``{ name = "...", description =
    "...", examples = [...], counter_examples = [...] }``; the tables' guidelines
    are kept in :attr:`value_guides` (value -> :class:`Guidelines`) and
    :attr:`values` holds the names only.
    """

    name: str = Field(min_length=1, max_length=100)
    values: list[str] = Field(min_length=1)
    #: The value a new claim starts with; None (the usual): unset until someone sets it.
    default: str | None = None
    #: Guidelines of the values that have some (value -> guidelines).
    value_guides: dict[str, Guidelines] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _value_tables(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("values"), list):
            return data
        if not any(isinstance(v, dict) for v in data["values"]):
            return data
        data = dict(data)
        guides = dict(data.get("value_guides") or {}) if isinstance(data.get("value_guides") or {}, dict) else {}
        names: list[Any] = []
        for v in data["values"]:
            if isinstance(v, dict) and isinstance(v.get("name"), str):
                rest = {k: x for k, x in v.items() if k != "name"}
                if rest:
                    guides[v["name"]] = rest
                names.append(v["name"])
            else:
                names.append(v)  # a table without a name: pydantic says what is wrong
        data["values"] = names
        data["value_guides"] = guides
        return data

    @model_validator(mode="after")
    def _default_allowed(self) -> ClaimAttribute:
        _no_duplicates(self.values, "values")
        if self.default is not None and self.default not in self.values:
            raise ValueError(f"the default of {self.name}, {self.default!r}, is not one of its values: {', '.join(self.values)}")
        for v in self.value_guides:
            if v not in self.values:
                raise ValueError(f"guidelines for {v!r}, which is not one of the values of {self.name}: {', '.join(self.values)}")
        return self

    def value_guide(self, value: str) -> Guidelines:
        return self.value_guides.get(value) or Guidelines()


#: Letters that are never claim attribute keys: Shift+A, Shift+K and Shift+R are
#: commands of the text (``annotator.ui.workspace_keys.COMMAND_KEYS``; a UI test
#: checks the two agree).
RESERVED_ATTRIBUTE_KEYS = frozenset("akr")


def _key_candidates(value: str) -> list[str]:
    """The letters a value would like as its key, best first: the initials of its
    words, then its other letters (accents dropped), then the alphabet."""
    plain = unicodedata.normalize("NFKD", value.casefold()).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^a-z]+", plain) if w]
    out: list[str] = []
    for c in [w[0] for w in words] + list("".join(words)) + list(string.ascii_lowercase):
        if c not in out:
            out.append(c)
    return out


class ClaimSpec(Guidelines):
    color: str = "#ffb300"
    key: str | None = "c"
    #: Entity labels that may be picked as claimant; empty means any entity.
    claimant_labels: list[str] = Field(default_factory=list)
    attributes: list[ClaimAttribute] = Field(default_factory=list)

    @field_validator("color")
    @classmethod
    def _color(cls, v: str) -> str:
        return _check_color(v)

    @field_validator("key")
    @classmethod
    def _key(cls, v: str | None) -> str | None:
        return _check_key(v)

    @model_validator(mode="after")
    def _unique(self) -> ClaimSpec:
        _no_duplicates([a.name for a in self.attributes], "attributes")
        return self

    def attribute(self, name: str) -> ClaimAttribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def new_attributes(self) -> dict[str, str]:
        """The attributes a new claim starts with: only the declared defaults
        (an attribute without one starts unset)."""
        return {a.name: a.default for a in self.attributes if a.default is not None}

    def attribute_keys(self, reserved: Iterable[str] = ()) -> dict[str, tuple[str, str]]:
        """The one-key shortcuts of attribute values: letter -> (attribute, value).

        Every value gets its own lower-case letter (the app takes it with Shift),
        never one of :data:`RESERVED_ATTRIBUTE_KEYS` or ``reserved``.  Letters are
        handed out in rounds: first each value's initial, then each value's next
        wish (the initials of its other words, then its other letters, then the
        alphabet); within a round attributes with fewer values go first, then
        schema order.  So the same schema always gets the same keys.  When the
        letters run out the remaining values have none (set them with the mouse).
        """
        taken = set(RESERVED_ATTRIBUTE_KEYS) | {k.lower() for k in reserved}
        order = sorted(range(len(self.attributes)), key=lambda i: (len(self.attributes[i].values), i))
        todo = [(self.attributes[i].name, v) for i in order for v in self.attributes[i].values]
        wishes = {item: _key_candidates(item[1]) for item in todo}
        keys: dict[str, tuple[str, str]] = {}
        for rank in range(len(string.ascii_lowercase)):
            if not todo or len(taken) >= len(string.ascii_lowercase):
                break
            for item in list(todo):
                wish = wishes[item]
                if rank < len(wish) and wish[rank] not in taken:
                    taken.add(wish[rank])
                    keys[wish[rank]] = item
                    todo.remove(item)
        return keys


class RelationType(_Item):
    head_labels: list[str] = Field(default_factory=list)
    tail_labels: list[str] = Field(default_factory=list)


class DocLabel(_Item):
    """One label of a document category (its name, colour and one-key shortcut)."""


#: Names a document category may not take: the fixed columns of the exports that
#: give each category a column (Hugging Face: ``id``, ``tokens``, ``ner_tags``,
#: ``annotator``; the ``doclabels`` JSONL: ``id``, ``text``).
RESERVED_CATEGORY_NAMES = frozenset({"id", "text", "tokens", "ner_tags", "annotator"})


class DocCategory(BaseModel):
    """A group of document labels (topic, genre, relevance...): single-choice (a
    document has at most one of its labels) or ``multi`` (any number)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str = Field(min_length=1, max_length=100)
    #: Several labels of the group may apply to one document (topic); False: at most one (genre).
    multi: StrictBool = False
    description: str = ""
    labels: list[DocLabel] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("a name may not start or end with spaces or hold control characters")
        if v in RESERVED_CATEGORY_NAMES:
            raise ValueError(
                f"{v!r} cannot name a document category: exports give each category a column of its name, "
                f"and {', '.join(sorted(RESERVED_CATEGORY_NAMES))} are taken"
            )
        return v

    @model_validator(mode="after")
    def _unique_labels(self) -> DocCategory:
        _no_duplicates([lab.name for lab in self.labels], "labels")
        return self

    def label(self, name: str) -> DocLabel | None:
        return next((lab for lab in self.labels if lab.name == name), None)


class LabelSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str = "untitled"
    version: int = 1
    description: str = ""
    entities: list[EntityLabel] = Field(default_factory=list)
    #: Labels of mention-only spans for coreference (issue 15), e.g. PRON, NOM.
    mentions: list[MentionLabel] = Field(default_factory=list)
    events: list[EventType] = Field(default_factory=list)
    claim: ClaimSpec = Field(default_factory=ClaimSpec)
    relations: list[RelationType] = Field(default_factory=list)
    #: Document labels: groups of labels a whole document gets (topic, genre...).
    categories: list[DocCategory] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> LabelSchema:
        _no_duplicates([e.name for e in self.entities], "entities")
        _no_duplicates([m.name for m in self.mentions], "mentions")
        for i, m in enumerate(self.mentions):
            if any(e.name == m.name for e in self.entities):
                raise ValueError(f"mentions[{i}]: {m.name!r} is an entity label already (a label is one or the other)")
        _no_duplicates([e.name for e in self.events], "events")
        _no_duplicates([r.name for r in self.relations], "relations")
        known = {e.name for e in self.entities}
        for i, ev in enumerate(self.events):
            for j, role in enumerate(ev.roles):
                for lab in role.labels:
                    if lab not in known:
                        raise ValueError(f"events[{i}].roles[{j}].labels: unknown entity label {lab!r}")
        for lab in self.claim.claimant_labels:
            if lab not in known:
                raise ValueError(f"claim.claimant_labels: unknown entity label {lab!r}")
        for i, rel in enumerate(self.relations):
            for field in ("head_labels", "tail_labels"):
                for lab in getattr(rel, field):
                    if lab not in known and lab not in {e.name for e in self.events} and lab != CLAIM_LABEL:
                        raise ValueError(f"relations[{i}].{field}: unknown label {lab!r}")
        keys: dict[str, str] = {}
        items: list[tuple[str, str | None]] = [(f"entity {e.name}", e.key) for e in self.entities]
        items += [(f"mention {m.name}", m.key) for m in self.mentions]
        items += [(f"event {e.name}", e.key) for e in self.events]
        items += [("claim", self.claim.key)]
        items += [(f"relation {r.name}", r.key) for r in self.relations]
        for what, key in items:
            if key is None:
                continue
            if key in keys:
                raise ValueError(f"shortcut {key!r} is used by both {keys[key]} and {what}")
            keys[key] = what
        self._check_categories(keys)
        return self

    def _check_categories(self, span_keys: dict[str, str]) -> None:
        """Document categories: unique names, a label name in one category only
        (flat formats, doccano ``cats`` and spaCy ``doc.cats``, key by label), and
        keys that clash neither with each other nor with the span label keys (a
        document label key works in the text, beside them)."""
        _no_duplicates([c.name for c in self.categories], "categories")
        owner: dict[str, str] = {}
        keys: dict[str, str] = {}
        for i, cat in enumerate(self.categories):
            for j, lab in enumerate(cat.labels):
                where = f"categories[{i}].labels[{j}]"
                if lab.name in owner:
                    raise ValueError(
                        f"{where}: document label {lab.name!r} is also in category {owner[lab.name]!r}; "
                        "a document label name may be in one category only (doccano cats and spaCy doc.cats key by label)"
                    )
                owner[lab.name] = cat.name
                if lab.key is None:
                    continue
                if lab.key in span_keys:
                    raise ValueError(
                        f"{where}.key: shortcut {lab.key!r} of document label {cat.name}/{lab.name} "
                        f"is already the key of {span_keys[lab.key]}"
                    )
                if lab.key in keys:
                    raise ValueError(
                        f"{where}.key: shortcut {lab.key!r} is used by both document labels {keys[lab.key]} "
                        f"and {cat.name}/{lab.name}"
                    )
                keys[lab.key] = f"{cat.name}/{lab.name}"

    # -- look-ups -------------------------------------------------------------
    def entity(self, name: str) -> EntityLabel | MentionLabel | None:
        """The entity label, or mention label, of that name."""
        return next((e for e in self.entities if e.name == name), None) or self.mention(name)

    def mention(self, name: str) -> MentionLabel | None:
        """The mention-only label of that name (None: not a mention label)."""
        return next((m for m in self.mentions if m.name == name), None)

    def is_mention_label(self, name: str) -> bool:
        """Whether ``name`` labels mention-only spans (not named entities)."""
        return any(m.name == name for m in self.mentions)

    def named_entity_labels(self) -> list[str]:
        """The entity labels without the mention-only ones."""
        return [e.name for e in self.entities]

    def event_type(self, name: str) -> EventType | None:
        return next((e for e in self.events if e.name == name), None)

    def relation_type(self, name: str) -> RelationType | None:
        return next((r for r in self.relations if r.name == name), None)

    def category(self, name: str) -> DocCategory | None:
        return next((c for c in self.categories if c.name == name), None)

    def doc_label_keys(self) -> dict[str, tuple[str, str]]:
        """Map of one-key shortcut -> (category, document label)."""
        return {lab.key: (c.name, lab.name) for c in self.categories for lab in c.labels if lab.key}

    def category_of(self, label: str) -> DocCategory | None:
        """The category holding document label ``label`` (names are unique across categories)."""
        return next((c for c in self.categories if c.label(label) is not None), None)

    def labels(self, kind: str) -> list[str]:
        """The label names allowed for annotations of ``kind``."""
        if kind == "entity":  # mention-only spans are entity spans too
            return [e.name for e in self.entities] + [m.name for m in self.mentions]
        if kind == "event":
            return [e.name for e in self.events]
        if kind == "claim":
            return [CLAIM_LABEL]
        if kind == "relation":
            return [r.name for r in self.relations]
        raise KeyError(kind)

    def color(self, kind: str, label: str) -> str:
        """The display colour of a label (grey for labels the schema lacks)."""
        if kind == "claim":
            return self.claim.color
        item = {"entity": self.entity, "event": self.event_type, "relation": self.relation_type}[kind](label)
        return item.color if item else "#9e9e9e"

    def shortcuts(self) -> dict[str, tuple[str, str]]:
        """Map of one-key shortcut -> (kind, label)."""
        out: dict[str, tuple[str, str]] = {}
        for e in [*self.entities, *self.mentions]:
            if e.key:
                out[e.key] = ("entity", e.name)
        for ev in self.events:
            if ev.key:
                out[ev.key] = ("event", ev.name)
        if self.claim.key:
            out[self.claim.key] = ("claim", CLAIM_LABEL)
        for r in self.relations:
            if r.key:
                out[r.key] = ("relation", r.name)
        return out

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=False)

    def to_file_dict(self) -> dict[str, Any]:
        """The schema as one would write it in a file: attribute values with
        guidelines as tables, no empty example lists."""

        def clean(node: Any) -> Any:
            if isinstance(node, list):
                return [clean(x) for x in node]
            if not isinstance(node, dict):
                return node
            out = {k: clean(v) for k, v in node.items() if not (k in ("examples", "counter_examples") and v == [])}
            if "value_guides" in out:
                guides = out.pop("value_guides")
                out["values"] = [{"name": v, **guides[v]} if v in guides else v for v in out["values"]]
            return out

        return clean(self.to_dict())

    def dump_yaml(self) -> str:
        import yaml  # only here and in loads_schema: ~20 ms of every start otherwise

        return yaml.safe_dump(self.to_file_dict(), sort_keys=False, allow_unicode=True)

    # -- guidelines -----------------------------------------------------------
    def guide_entries(self) -> list[GuideEntry]:
        """Every label, role, attribute and attribute value with its guidelines, in
        schema order (a label, then its roles or attributes and values)."""
        out: list[GuideEntry] = []
        for e in self.entities:
            out.append(GuideEntry("entity", e.name, "", e.name, e.guidelines(), e.key, e.color))
        for ev in self.events:
            out.append(GuideEntry("event", ev.name, "", ev.name, ev.guidelines(), ev.key, ev.color))
            for r in ev.roles:
                out.append(GuideEntry("event", ev.name, "role", r.name, r.guidelines(), None, ev.color))
        c = self.claim
        out.append(GuideEntry("claim", CLAIM_LABEL, "", CLAIM_LABEL, c.guidelines(), c.key, c.color))
        for a in c.attributes:
            out.append(GuideEntry("claim", CLAIM_LABEL, "attribute", a.name, a.guidelines(), None, c.color))
            for v in a.values:
                out.append(GuideEntry("claim", CLAIM_LABEL, "value", f"{a.name}={v}", a.value_guide(v), None, c.color))
        for rel in self.relations:
            out.append(GuideEntry("relation", rel.name, "", rel.name, rel.guidelines(), rel.key, rel.color))
        return out

    def with_guidelines_from(self, other: LabelSchema) -> tuple[LabelSchema, int]:
        """This schema with the guidelines of ``other`` wherever ``other`` has some
        for a label, role, attribute or value of the same name (and kind); labels,
        colours, keys and constraints stay as they are.  Returns the new schema
        and how many entries got guidelines."""
        theirs = {(e.kind, e.label, e.part, e.name): e.guide for e in other.guide_entries() if e.guide.has_guidelines()}
        data = self.to_dict()
        changed = 0

        def take(node: dict[str, Any], key: tuple[str, str, str, str]) -> None:
            nonlocal changed
            guide = theirs.get(key)
            if (
                guide is not None
                and guide.model_dump()
                != Guidelines.model_validate(
                    {k: node.get(k) for k in ("description", "examples", "counter_examples") if node.get(k) is not None}
                ).model_dump()
            ):
                node.update(guide.model_dump())
                changed += 1

        for e in data["entities"]:
            take(e, ("entity", e["name"], "", e["name"]))
        for ev in data["events"]:
            take(ev, ("event", ev["name"], "", ev["name"]))
            for r in ev["roles"]:
                take(r, ("event", ev["name"], "role", r["name"]))
        take(data["claim"], ("claim", CLAIM_LABEL, "", CLAIM_LABEL))
        for a in data["claim"]["attributes"]:
            take(a, ("claim", CLAIM_LABEL, "attribute", a["name"]))
            for v in a["values"]:
                guides = a.setdefault("value_guides", {})
                node = dict(guides.get(v) or {})
                before = changed
                take(node, ("claim", CLAIM_LABEL, "value", f"{a['name']}={v}"))
                if changed != before:
                    guides[v] = node
        for rel in data["relations"]:
            take(rel, ("relation", rel["name"], "", rel["name"]))
        return LabelSchema.model_validate(data), changed

    def guide(self, kind: str, label: str) -> Guidelines:
        """The guidelines of a label (empty for labels the schema lacks)."""
        if kind == "claim":
            return self.claim.guidelines()
        item = {"entity": self.entity, "event": self.event_type, "relation": self.relation_type}[kind](label)
        return item.guidelines() if item is not None else Guidelines()


class GuideEntry(NamedTuple):
    """One entry of the guidelines: a label (``part`` empty), an event role, a claim
    attribute or a claim attribute value (``name`` is ``attribute=value``)."""

    kind: str
    label: str
    part: str
    name: str
    guide: Guidelines
    key: str | None
    color: str

    @property
    def title(self) -> str:
        if self.part == "role":
            return f"{self.label} \u00b7 role {self.name}"
        if self.part == "attribute":
            return f"claim \u00b7 {self.name}"
        if self.part == "value":
            attr, _, value = self.name.partition("=")
            return f"claim \u00b7 {attr} = {value}"
        return self.label


def _indent_item(text: str) -> str:
    lines = text.strip().splitlines() or [""]
    return "- " + "\n  ".join(lines)


def guide_markdown(guide: Guidelines, title: str = "", *, key: str | None = None) -> str:
    """The guidelines as one Markdown text (for a tooltip or the guidelines pane):
    the title in bold, the description, then the examples and counter-examples as
    lists.  Titles are schema names, so Markdown specials in them are escaped."""
    parts: list[str] = []
    if title:
        head = "**" + re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", title) + "**"
        if key:
            head += f" (key `{key}`)" if key != "`" else " (key \u0060)"
        parts.append(head)
    if guide.description.strip():
        parts.append(guide.description.strip())
    if guide.examples:
        parts.append("Examples:\n\n" + "\n".join(_indent_item(x) for x in guide.examples))
    if guide.counter_examples:
        parts.append("Not this:\n\n" + "\n".join(_indent_item(x) for x in guide.counter_examples))
    return "\n\n".join(parts)


def _no_duplicates(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise ValueError(f"{what}: {n!r} appears twice")
        seen.add(n)


_PATH_PREFIX = re.compile(r"^([A-Za-z_][\w]*(?:\[\d+\]|\.[A-Za-z_]\w*)*): (.*)$", re.S)


def _loc_text(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _parse_loc(text: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[A-Za-z_]\w*|\d+", text))


def _readable_loc(loc: tuple[str | int, ...], data: Any) -> tuple[str | int, ...]:
    """Guidelines of attribute values live in ``value_guides`` once read; a message
    points at the value's table in ``values`` where the user wrote them."""
    out: list[str | int] = []
    node = data
    i = 0
    while i < len(loc):
        part = loc[i]
        if part == "value_guides" and i + 1 < len(loc) and isinstance(node, dict) and isinstance(node.get("values"), list):
            name = loc[i + 1]
            idx = next((j for j, v in enumerate(node["values"]) if isinstance(v, dict) and v.get("name") == name), None)
            if idx is not None:
                out += ["values", idx]
                node = node["values"][idx]
                i += 2
                continue
        out.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        i += 1
    return tuple(out)


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The schema model a location's last part belongs to (for 'did you mean')."""
    import typing

    model: type[BaseModel] = LabelSchema
    for part in loc:
        if not isinstance(part, str):
            continue
        field = model.model_fields.get(part)
        if field is None:
            if model is ClaimAttribute:  # inside a value's table
                model = Guidelines
                continue
            return None
        found = None
        todo = [field.annotation]
        while todo:
            t = todo.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                found = t
                break
            todo += list(typing.get_args(t))
        if found is None:
            return model
        model = found
    return model


def _explain(e: Any, loc: tuple[str | int, ...]) -> str:
    kind = e.get("type", "")
    if kind == "extra_forbidden" and loc and isinstance(loc[-1], str):
        import difflib

        model = _model_at(loc[:-1])
        allowed = sorted(model.model_fields) if model is not None else []
        if model is ClaimAttribute:
            allowed = [k for k in allowed if k != "value_guides"]
        close = difflib.get_close_matches(loc[-1], allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else (f" (allowed: {', '.join(allowed)})" if allowed else "")
        return f"unknown key {loc[-1]!r}{hint}"
    if kind == "missing":
        return "required key missing"
    msg = str(e["msg"]).removeprefix("Value error, ")
    if kind.endswith("_type") or kind in ("string_type", "list_type", "bool_parsing", "int_parsing"):
        got = type(e.get("input")).__name__
        names = {
            "dict": "a table",
            "list": "a list",
            "str": "a string",
            "int": "an integer",
            "float": "a number",
            "bool": "a boolean",
        }
        msg = f"{msg} (got {names.get(got, got)})"
    return msg


def _format_validation_error(err: ValidationError, source: str, data: Any = None, text: str | None = None, fmt: str = "") -> str:
    lines = []
    for e in err.errors():
        loc = _readable_loc(tuple(e["loc"]), data) if data is not None else tuple(e["loc"])
        msg = _explain(e, loc)
        if not loc:
            m = _PATH_PREFIX.match(msg)
            if m:  # a check of the whole schema names its own field
                loc, msg = _parse_loc(m.group(1)), m.group(2)
        line = _locate(text, fmt, loc) if text is not None else None
        where = f"{source}:{line}" if line else source
        lines.append(f"{where}: {_loc_text(loc)}: {msg}" if loc else f"{where}: {msg}")
    return "\n".join(lines)


def _locate(text: str, fmt: str, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of ``loc`` in the schema file's text, if it can be found."""
    try:
        if fmt == "toml":
            return _toml_line(text, loc)
        if fmt in ("yaml", "yml"):
            return _yaml_line(text, loc)
    except Exception:  # a best effort: the message stands without a line
        return None
    return None


def _yaml_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    import yaml

    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return None
    line = node.start_mark.line
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for k, v in node.value:
                if k.value == part:
                    line, node = k.start_mark.line, v
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line
        else:
            break
    return line + 1


_TOML_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([A-Za-z0-9_.\"' -]+?)[ \t]*\]\]?[ \t]*(#.*)?$", re.M)


def _toml_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """Where a field is in a TOML file: the n-th ``[[table]]`` header, then the key
    (``key =`` or, inside inline tables, ``, key =``), then the n-th element of an
    array, and so on.  A best effort that handles the shapes schemas are written in."""
    headers = [(m.start(), m.group(1), m.group(2).strip()) for m in _TOML_HEADER.finditer(text)]
    parts = list(loc)
    cur, end = 0, headers[0][0] if headers else len(text)
    if parts and isinstance(parts[0], str):
        name = parts[0]
        arrays = [h for h in headers if h[1] == "[[" and h[2] == name]
        table = next((h for h in headers if h[1] == "[" and h[2] == name), None)
        found = True
        if arrays and len(parts) > 1 and isinstance(parts[1], int) and parts[1] < len(arrays):
            cur = arrays[parts[1]][0]
            parts = parts[2:]
        elif table is not None:
            cur = table[0]
            parts = parts[1:]
        else:
            found = False
        if found:
            end = next((h[0] for h in headers if h[0] > cur), len(text))
    for part in parts:
        if isinstance(part, str):
            m = re.compile(rf"(?m)(?:^|[{{,])[ \t]*[\"']?{re.escape(part)}[\"']?[ \t]*=").search(text, cur, end)
            if m is None:
                break
            cur = m.start() + (1 if text[m.start()] in "{," else 0)
        else:
            at = _toml_element(text, cur, end, part)
            if at is None:
                break
            cur = at
    return text.count("\n", 0, cur) + 1


def _toml_element(text: str, cur: int, end: int, index: int) -> int | None:
    """The offset of element ``index`` of the array that starts after ``cur``."""
    i = text.find("[", cur, end)
    if i < 0:
        return None
    depth, n, quote, start = 0, 0, "", i + 1
    while i < end:
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            i = text.find("\n", i, end)
            if i < 0:
                return None
            continue
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return None
        elif c == "," and depth == 1:
            n += 1
            start = i + 1
        if n == index and depth >= 1 and not c.isspace() and c not in ",[" and i >= start:
            return i
        i += 1
    return None


def parse_schema(data: Any, source: str = "<schema>", *, text: str | None = None, fmt: str = "") -> LabelSchema:
    """Validate already-parsed schema data; errors name ``source``, field and problem
    (and the line, when ``text`` is the file's text in format ``fmt``)."""
    if not isinstance(data, dict):
        raise SchemaError(f"{source}: the schema must be a table/mapping at the top level")
    try:
        return LabelSchema.model_validate(data)
    except ValidationError as err:
        raise SchemaError(_format_validation_error(err, source, data, text, fmt)) from None


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def loads_schema(text: str, fmt: str, source: str = "<schema>") -> LabelSchema:
    """Parse schema text; ``fmt`` is ``"toml"`` or ``"yaml"``."""
    try:
        if fmt == "toml":
            data = tomllib.loads(text)
        elif fmt in ("yaml", "yml"):
            import yaml

            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as err:
                mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
                problem = getattr(err, "problem", None) or str(err).splitlines()[0]
                where = f"{source}:{mark.line + 1}" if mark is not None else source
                column = f" (column {mark.column + 1})" if mark is not None else ""
                raise SchemaError(f"{where}: not valid YAML: {problem}{column}") from None
        elif fmt == "json":
            import json

            data = json.loads(text)
        else:
            raise SchemaError(f"{source}: unknown schema format {fmt!r} (use .toml or .yaml)")
    except tomllib.TOMLDecodeError as err:
        m = _TOML_AT.search(str(err))
        if m:
            what = _TOML_AT.sub("", str(err)).strip()
            raise SchemaError(f"{source}:{m.group(1)}: not valid TOML: {what} (column {m.group(2)})") from None
        if "(at end of document)" in str(err):
            what = str(err).replace("(at end of document)", "").strip()
            raise SchemaError(f"{source}:{text.count(chr(10)) + 1}: not valid TOML: {what} at the end of the file") from None
        raise SchemaError(f"{source}: not valid TOML: {err}") from None
    except ValueError as err:
        if isinstance(err, SchemaError):
            raise
        if hasattr(err, "lineno"):
            raise SchemaError(f"{source}:{err.lineno}: not valid JSON: {err}") from None
        raise SchemaError(f"{source}: not valid JSON: {err}") from None
    return parse_schema(data, source, text=text, fmt=fmt)


def load_schema(path: str | Path) -> LabelSchema:
    """Load and validate a schema file (``.toml``, ``.yaml``/``.yml`` or ``.json``)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise SchemaError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SchemaError(f"{path}: not UTF-8 text (byte {err.start})") from None
    fmt = path.suffix.lower().lstrip(".")
    return loads_schema(text, fmt, path.name)


def default_schema() -> LabelSchema:
    """The bundled news schema (``resources/news.toml``)."""
    text = resources.files("annotator.resources").joinpath("news.toml").read_text("utf-8")
    return loads_schema(text, "toml", "news.toml")
