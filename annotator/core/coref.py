"""Coreference (issue 15): entity clusters within a document, one entity registry
across the corpus, and references to an actor instead of one mention.

Pure data, no SQL and no pydantic (the store reads and writes these through
:class:`~annotator.core.store.Project`; commands change them in
:mod:`annotator.core.coref_commands`).

- A :class:`Cluster` groups mentions (annotation ids) of one document and one
  annotator: entity spans, and mention-only spans (pronouns, nominals) whose label
  the schema lists under ``mentions``.  A mention belongs to at most one cluster
  (the store enforces it: a mention's annotator is its cluster's annotator, and an
  annotation id is unique).  A cluster has an optional canonical ``name`` and
  ``type`` (an entity label, or free text) and may be linked to a registry entry.
- A :class:`RegistryEntry` is one actor across the project: ``name``, ``type``,
  ``aliases``, ``description`` and ``links`` (knowledge-base links, kept as given).
- An **actor reference**: a claim's ``claimant_ref`` and an event argument's
  ``target`` hold an annotation id (one mention), or ``cluster:<cluster id>`` (the
  cluster of this document and annotator), or ``entry:<registry entry id>`` (the
  registry entry).  Plain ids stay what they were, so old data is valid as it is;
  :meth:`Annotation.referenced_ids <annotator.core.models.Annotation.referenced_ids>`
  gives the annotation ids only, :meth:`~annotator.core.models.Annotation.actor_refs`
  the prefixed ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from annotator.core.kinds import new_id, now

__all__ = [
    "CLUSTER_PREFIX",
    "ENTRY_PREFIX",
    "Cluster",
    "RegistryEntry",
    "cluster_ref",
    "entry_ref",
    "parse_actor_ref",
    "is_actor_ref",
]

#: Prefix of a reference to a cluster in ``claimant_ref`` or an argument's ``target``.
CLUSTER_PREFIX = "cluster:"
#: Prefix of a reference to a registry entry in ``claimant_ref`` or an argument's ``target``.
ENTRY_PREFIX = "entry:"


def cluster_ref(cluster_id: str) -> str:
    """The reference to a cluster (``cluster:<id>``)."""
    return CLUSTER_PREFIX + cluster_id


def entry_ref(entry_id: str) -> str:
    """The reference to a registry entry (``entry:<id>``)."""
    return ENTRY_PREFIX + entry_id


def parse_actor_ref(ref: str | None) -> tuple[Literal["cluster", "entry"], str] | None:
    """``("cluster", id)`` or ``("entry", id)`` of an actor reference; None for a
    plain annotation id (or None)."""
    if not ref:
        return None
    if ref.startswith(CLUSTER_PREFIX) and len(ref) > len(CLUSTER_PREFIX):
        return ("cluster", ref[len(CLUSTER_PREFIX) :])
    if ref.startswith(ENTRY_PREFIX) and len(ref) > len(ENTRY_PREFIX):
        return ("entry", ref[len(ENTRY_PREFIX) :])
    return None


def is_actor_ref(ref: str | None) -> bool:
    """Whether ``ref`` points at a cluster or registry entry (not one annotation)."""
    return parse_actor_ref(ref) is not None


@dataclass(frozen=True)
class Cluster:
    """One coreference chain of a document, as one annotator made it.

    ``members`` are annotation ids in the order they were added (readers that
    need text order sort by span).  ``entry_id`` links the cluster to a registry
    entry (None: not linked)."""

    doc_id: str
    annotator: str
    members: tuple[str, ...] = ()
    name: str | None = None
    type: str | None = None
    entry_id: str | None = None
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)

    def with_(self, **changes: Any) -> Cluster:
        """A copy with ``changes`` and ``updated`` now."""
        if "members" in changes:
            changes["members"] = tuple(changes["members"])
        return replace(self, updated=now(), **changes)

    def same_as(self, other: Cluster | None) -> bool:
        """Equal but for the ``updated`` time (how commands detect a concurrent edit)."""
        return other is not None and replace(self, updated="") == replace(other, updated="")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc_id": self.doc_id,
            "annotator": self.annotator,
            "name": self.name,
            "type": self.type,
            "entry_id": self.entry_id,
            "members": list(self.members),
            "created": self.created,
            "updated": self.updated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cluster:
        """A cluster of its :meth:`to_dict` form (``ValueError`` naming what is wrong)."""
        if not isinstance(data, dict):
            raise ValueError("a cluster must be an object")
        for key in ("doc_id", "annotator"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise ValueError(f"a cluster needs {key!r} (a non-empty string)")
        members = data.get("members", [])
        if not isinstance(members, list) or not all(isinstance(m, str) and m for m in members):
            raise ValueError("a cluster's 'members' must be a list of annotation ids")
        if len(set(members)) != len(members):
            raise ValueError("a cluster lists the same mention twice")
        for key in ("name", "type", "entry_id"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise ValueError(f"a cluster's {key!r} must be a string or null")
        extra = set(data) - {"id", "doc_id", "annotator", "name", "type", "entry_id", "members", "created", "updated"}
        if extra:
            raise ValueError(f"unknown cluster field(s): {', '.join(sorted(extra))}")
        kw: dict[str, Any] = {k: data[k] for k in ("id", "created", "updated") if isinstance(data.get(k), str) and data[k]}
        return cls(
            doc_id=data["doc_id"],
            annotator=data["annotator"],
            members=tuple(members),
            name=data.get("name") or None,
            type=data.get("type") or None,
            entry_id=data.get("entry_id") or None,
            **kw,
        )


@dataclass(frozen=True)
class RegistryEntry:
    """One actor of the project-wide entity registry."""

    name: str
    type: str | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    #: knowledge-base links (``{"kb": ..., "id": ...}`` objects), kept as given
    links: tuple[dict[str, Any], ...] = ()
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now)
    updated: str = field(default_factory=now)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("a registry entry needs a name")

    def with_(self, **changes: Any) -> RegistryEntry:
        for key in ("aliases", "links"):
            if key in changes:
                changes[key] = tuple(changes[key])
        return replace(self, updated=now(), **changes)

    def same_as(self, other: RegistryEntry | None) -> bool:
        return other is not None and replace(self, updated="") == replace(other, updated="")

    @property
    def names(self) -> tuple[str, ...]:
        """The name and the aliases."""
        return (self.name, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "aliases": list(self.aliases),
            "description": self.description,
            "links": list(self.links),
            "created": self.created,
            "updated": self.updated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegistryEntry:
        """An entry of its :meth:`to_dict` form (``ValueError`` naming what is wrong)."""
        if not isinstance(data, dict):
            raise ValueError("a registry entry must be an object")
        if not isinstance(data.get("name"), str) or not data["name"].strip():
            raise ValueError("a registry entry needs a 'name' (a non-empty string)")
        aliases = data.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ValueError("a registry entry's 'aliases' must be a list of non-empty strings")
        links = data.get("links", [])
        if not isinstance(links, list) or not all(isinstance(x, dict) for x in links):
            raise ValueError("a registry entry's 'links' must be a list of objects")
        if data.get("type") is not None and not isinstance(data["type"], str):
            raise ValueError("a registry entry's 'type' must be a string or null")
        if not isinstance(data.get("description", ""), str):
            raise ValueError("a registry entry's 'description' must be a string")
        extra = set(data) - {"id", "name", "type", "aliases", "description", "links", "created", "updated"}
        if extra:
            raise ValueError(f"unknown registry entry field(s): {', '.join(sorted(extra))}")
        kw: dict[str, Any] = {k: data[k] for k in ("id", "created", "updated") if isinstance(data.get(k), str) and data[k]}
        return cls(
            name=data["name"].strip(),
            type=data.get("type") or None,
            aliases=tuple(a.strip() for a in aliases),
            description=data.get("description", ""),
            links=tuple(links),
            **kw,
        )
