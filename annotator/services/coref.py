"""Coreference use cases (issue 15): registry proposals for a cluster, the registry
listing with where each entry is used, and a cluster's mentions as text.

The commands that change clusters and the registry are in
:mod:`annotator.core.coref_commands`; this module only reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotator.core.coref import Cluster, RegistryEntry
from annotator.core.store import Project

__all__ = [
    "Proposal",
    "RegistryRow",
    "propose_entries",
    "propose_for_cluster",
    "registry_listing",
    "cluster_mention_texts",
    "find_entries",
    "MIN_SCORE",
]

#: The lowest fuzzy score (0-100) a proposal may have.
MIN_SCORE = 80.0


@dataclass(frozen=True)
class Proposal:
    """A registry entry proposed for a cluster: its ``score`` (0-100), the entry's
    name or alias that matched and the mention text it matched."""

    entry: RegistryEntry
    score: float
    matched_name: str
    mention: str


@dataclass(frozen=True)
class RegistryRow:
    """A registry entry with how much it is used: documents, clusters, mentions."""

    entry: RegistryEntry
    documents: int
    clusters: int
    mentions: int


def _usable(text: str) -> bool:
    """Whether a mention's text can propose anything: pronouns and other words
    of under three letters ("he", "it") match every name a little."""
    return sum(ch.isalnum() for ch in text) >= 3


def propose_entries(
    mention_texts: Iterable[str], entries: Iterable[RegistryEntry], *, limit: int = 5, min_score: float = MIN_SCORE
) -> list[Proposal]:
    """The entries whose name or an alias matches one of ``mention_texts``
    fuzzily, best first (at most ``limit``; each entry once, with its best match).

    The score of a mention against a name is rapidfuzz's ``WRatio`` on the
    case-folded texts with punctuation removed (``default_process``): 100 for
    the same words, high for a name within the other ("Jaiswal" in "Randhir
    Jaiswal") or a small misspelling; mentions of fewer than three letters
    ("he") propose nothing.  Ties go to the entry whose name came first."""
    from rapidfuzz import fuzz, process, utils

    texts = list(dict.fromkeys(t.strip() for t in mention_texts if _usable(t)))
    if not texts:
        return []
    names: list[str] = []
    owners: list[RegistryEntry] = []
    for entry in entries:
        for name in entry.names:
            names.append(name)
            owners.append(entry)
    if not names:
        return []
    best: dict[str, Proposal] = {}
    for text in texts:
        for name, score, i in process.extract(
            text, names, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=min_score, limit=None
        ):
            entry = owners[i]
            old = best.get(entry.id)
            if old is None or score > old.score:
                best[entry.id] = Proposal(entry, float(score), name, text)
    ranked = sorted(best.values(), key=lambda p: (-p.score, p.entry.name.casefold(), p.entry.id))
    return ranked[:limit]


def cluster_mention_texts(project: Project, cluster: Cluster) -> list[str]:
    """The texts of a cluster's mentions, in text order."""
    text = project.document_text(cluster.doc_id)
    rows = project.annotation_rows_by_id(cluster.members)
    spans = sorted((r.start, r.end) for r in rows.values() if r.start is not None and r.end is not None)
    return [text[s:e] for s, e in spans]


def propose_for_cluster(project: Project, cluster_id: str, *, limit: int = 5, min_score: float = MIN_SCORE) -> list[Proposal]:
    """Registry entries for a cluster (:func:`propose_entries` over its mentions
    and its canonical name); empty for a cluster that is not stored."""
    cluster = project.get_cluster(cluster_id)
    if cluster is None:
        return []
    texts = cluster_mention_texts(project, cluster)
    if cluster.name:
        texts.insert(0, cluster.name)
    return propose_entries(texts, project.registry_entries(), limit=limit, min_score=min_score)


def registry_listing(project: Project) -> list[RegistryRow]:
    """Every registry entry with the documents, clusters and mentions linked to it,
    by name."""
    usage = project.registry_usage()
    return [RegistryRow(e, *usage.get(e.id, (0, 0, 0))) for e in project.registry_entries()]


def find_entries(project: Project, query: str) -> list[RegistryEntry]:
    """Entries whose id is ``query``, or whose name or an alias equals it
    (case-folded); the CLI resolves what a user types with it."""
    q = query.strip().casefold()
    entries = project.registry_entries()
    exact = [e for e in entries if e.id == query.strip()]
    if exact:
        return exact
    return [e for e in entries if any(n.casefold() == q for n in e.names)]
