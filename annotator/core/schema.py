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
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str = Field(min_length=1, max_length=100)
    color: str = "#9e9e9e"
    key: str | None = None
    description: str = ""

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


class RoleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str = Field(min_length=1, max_length=100)
    #: Entity labels allowed to fill the role; empty means any annotation.
    labels: list[str] = Field(default_factory=list)
    required: bool = False
    description: str = ""


class EventType(_Item):
    roles: list[RoleSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_roles(self) -> EventType:
        _no_duplicates([r.name for r in self.roles], "roles")
        return self

    def role(self, name: str) -> RoleSpec | None:
        return next((r for r in self.roles if r.name == name), None)


class ClaimAttribute(BaseModel):
    """One attribute of claims (stance, veracity, ...) and the values it may take.

    A new claim starts with the attribute unset (nobody judged it yet) unless the
    schema declares a ``default``, which must be one of the ``values``.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str = Field(min_length=1, max_length=100)
    values: list[str] = Field(min_length=1)
    #: The value a new claim starts with; None (the usual): unset until someone sets it.
    default: str | None = None
    description: str = ""

    @model_validator(mode="after")
    def _default_allowed(self) -> ClaimAttribute:
        _no_duplicates(self.values, "values")
        if self.default is not None and self.default not in self.values:
            raise ValueError(f"the default of {self.name}, {self.default!r}, is not one of its values: {', '.join(self.values)}")
        return self


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


class ClaimSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    color: str = "#ffb300"
    key: str | None = "c"
    description: str = ""
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
        return self

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

    def dump_yaml(self) -> str:
        import yaml  # only here and in loads_schema: ~20 ms of every start otherwise

        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)


def _no_duplicates(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise ValueError(f"{what}: {n!r} appears twice")
        seen.add(n)


def _format_validation_error(err: ValidationError, source: str) -> str:
    lines = []
    for e in err.errors():
        loc = ""
        for part in e["loc"]:
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"{source}: {loc}: {msg}" if loc else f"{source}: {msg}")
    return "\n".join(lines)


def parse_schema(data: Any, source: str = "<schema>") -> LabelSchema:
    """Validate already-parsed schema data; errors name ``source``, field and problem."""
    if not isinstance(data, dict):
        raise SchemaError(f"{source}: the schema must be a table/mapping at the top level")
    try:
        return LabelSchema.model_validate(data)
    except ValidationError as err:
        raise SchemaError(_format_validation_error(err, source)) from None


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
                raise SchemaError(f"{source}: not valid YAML: {str(err).splitlines()[0]}") from None
        elif fmt == "json":
            import json

            data = json.loads(text)
        else:
            raise SchemaError(f"{source}: unknown schema format {fmt!r} (use .toml or .yaml)")
    except tomllib.TOMLDecodeError as err:
        raise SchemaError(f"{source}: not valid TOML: {err}") from None
    except ValueError as err:
        if isinstance(err, SchemaError):
            raise
        raise SchemaError(f"{source}: not valid JSON: {err}") from None
    return parse_schema(data, source)


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
