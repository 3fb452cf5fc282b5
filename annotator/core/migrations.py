"""The migrations of the project file, kept on their own as sqlite-utils keeps them.

A project's ``user_version`` is the number of migrations applied
(:data:`FORMAT_VERSION` is what this code writes); the sqlite-utils migration set
(:func:`get_migrations`) records each by name.  Never edit a released migration:
add a new one.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from annotator.core.kinds import now

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

__all__ = [
    "MIGRATION_SET",
    "MIGRATIONS_TABLE",
    "MIGRATION_STEPS",
    "FORMAT_VERSION",
    "m001_initial",
    "m002_review",
    "m003_claims_start_unset",
    "m004_search_index",
    "m005_never_here",
    "m006_coref",
    "SEARCH_TABLE",
    "get_migrations",
    "sqlite_utils_classes",
]


def sqlite_utils_classes() -> tuple[type[Database], type[Migrations]]:
    """sqlite-utils' ``Database`` and ``Migrations``, imported on first need.

    Opening an up-to-date project does not need them (about 80 ms of every start
    of the app and the CLI, benchmarks/RESULTS.md case 8): they serve creating
    and upgrading a project and nested savepoints.  sqlite-utils imports pandas
    and numpy when they are installed, only to guess column types of their
    values, which this project never inserts; with them installed (they come
    with ``datasets``) that import alone takes over a second.  Hide them while
    it loads; a later ``import pandas`` works as usual.
    """
    hidden = [m for m in ("pandas", "numpy") if m not in sys.modules]
    # A None entry makes ``import name`` raise ImportError (the import system's documented
    # way to block a module); typeshed types sys.modules as holding modules only.
    sys.modules.update(dict.fromkeys(hidden))  # type: ignore[arg-type]
    try:
        from sqlite_utils import Database
        from sqlite_utils.migrations import Migrations
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return Database, Migrations


# --------------------------------------------------------------------------
# Migrations. Never edit a released migration: add a new one.
# --------------------------------------------------------------------------
MIGRATION_SET = "annotator"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' table of applied migrations


def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE documents (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            external_id TEXT,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL DEFAULT '',
            metadata TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'new',
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        );
        CREATE INDEX documents_status ON documents(status);
        CREATE TABLE annotations (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            label TEXT NOT NULL,
            start INTEGER,
            "end" INTEGER,
            attributes TEXT NOT NULL DEFAULT '{}',
            arguments TEXT NOT NULL DEFAULT '[]',
            head TEXT,
            tail TEXT,
            claimant_ref TEXT,
            claimant_text TEXT,
            annotator TEXT NOT NULL,
            source TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        );
        CREATE INDEX annotations_doc ON annotations(doc_id, annotator);
        CREATE INDEX annotations_label ON annotations(label);
        CREATE INDEX annotations_annotator ON annotations(annotator);
        CREATE TABLE annotators (name TEXT PRIMARY KEY, created TEXT NOT NULL);
        CREATE TABLE label_schema (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            body TEXT NOT NULL,
            updated TEXT NOT NULL
        );
        CREATE TABLE history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            actor TEXT NOT NULL,
            doc_id TEXT,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX history_doc ON history(doc_id);
        """
    )


def m002_review(db: Database) -> None:
    """Review decisions (who accepted/rejected what into the gold layer, when) and
    where merged annotations came from (so a later merge can see deletions)."""
    db.executescript(
        """
        CREATE TABLE review_decisions (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            reviewer TEXT NOT NULL,
            time TEXT NOT NULL,
            action TEXT NOT NULL,
            source_ids TEXT NOT NULL DEFAULT '[]',
            gold_id TEXT,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX review_decisions_doc ON review_decisions(doc_id, time);
        CREATE TABLE merge_provenance (
            ann_id TEXT PRIMARY KEY,
            origin TEXT NOT NULL,
            merged TEXT NOT NULL
        );
        CREATE INDEX merge_provenance_origin ON merge_provenance(origin);
        """
    )


#: The claim attributes of the bundled news schema up to format 2: name, values and
#: the default it gave every new claim.
_BUNDLED_CLAIM_ATTRIBUTES_V2 = (
    ("claim_type", ["statistical", "factual", "causal", "quote", "prediction", "opinion"], "factual"),
    ("check_worthiness", ["high", "medium", "low", "none"], "medium"),
    ("stance", ["supports", "refutes", "neutral"], "supports"),
    ("veracity", ["unverified", "true", "mostly_true", "mixed", "mostly_false", "false", "unverifiable"], "unverified"),
)


def m003_claims_start_unset(db: Database) -> None:
    """New claims start with their attributes unset (issue 12).

    Up to format 2 the bundled schema gave every new claim real-looking values
    (factual / medium / supports / unverified), which could not be told from
    judged ones.  A project whose stored schema still has exactly those claim
    attributes with exactly those defaults (the bundled schema as it was, which
    nobody chose) loses the defaults, and a history entry says so.  A schema the
    project chose itself (other attributes, values or defaults) is kept as it is,
    and no claim is touched: a stored value may have been set by hand.
    """
    row = db.execute("SELECT body FROM label_schema WHERE id = 1").fetchone()
    if row is None:  # a new project: its schema is written after the migrations
        return
    body = json.loads(row[0])
    claim = body.get("claim") if isinstance(body, dict) else None
    attributes = claim.get("attributes") if isinstance(claim, dict) else None
    if not isinstance(attributes, list) or len(attributes) != len(_BUNDLED_CLAIM_ATTRIBUTES_V2):
        return
    for attr, (name, values, default) in zip(attributes, _BUNDLED_CLAIM_ATTRIBUTES_V2):
        if not isinstance(attr, dict) or (attr.get("name"), attr.get("values"), attr.get("default")) != (name, values, default):
            return
    for attr in attributes:
        attr["default"] = None
    stamp = now()
    db.execute("UPDATE label_schema SET body = ?, updated = ? WHERE id = 1", (json.dumps(body, ensure_ascii=False), stamp))
    detail = {
        "removed_defaults": {name: default for name, _values, default in _BUNDLED_CLAIM_ATTRIBUTES_V2},
        "note": "new claims start with their attributes unset; existing claims are unchanged",
    }
    db.execute(
        "INSERT INTO history (time, actor, doc_id, action, detail) VALUES (?, ?, NULL, ?, ?)",
        (stamp, "annotator", "claims_start_unset", json.dumps(detail)),
    )


#: The full-text index of the documents' text (an FTS5 table over ``documents``).
SEARCH_TABLE = "documents_fts"


def m004_search_index(db: Database) -> None:
    """The full-text index of every document's text (issue 16): an external-content
    FTS5 table over ``documents`` (the text is stored once; the index holds only
    tokens and positions), kept current by triggers on ``documents``, so every
    write path (import, merge, a deletion, any tool writing the file) updates it
    in the same transaction.  Built here for the documents already there.

    The tokenizer folds case and removes diacritics (``remove_diacritics 2``), and
    counts combining marks as part of a word (``M*``): the index only finds
    candidate documents, which :mod:`annotator.services.search` checks against
    the real text, so it must find at least every true match.
    """
    db.executescript(
        f"""
        CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(
            text, content='documents', content_rowid='seq', columnsize=0,
            tokenize="unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
        );
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO {SEARCH_TABLE}(rowid, text) VALUES (new.seq, new.text);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, text) VALUES ('delete', old.seq, old.text);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF seq, text ON documents BEGIN
            INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, text) VALUES ('delete', old.seq, old.text);
            INSERT INTO {SEARCH_TABLE}(rowid, text) VALUES (new.seq, new.text);
        END;
        INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild');
        """
    )


def m005_never_here(db: Database) -> None:
    """Annotate all (issue 16): the occurrences a user rejected ("never here": not
    proposed again for that label), and where each propagated annotation came from.

    ``propagated_from`` has no foreign key to ``annotations`` on purpose: an edit
    of an annotation replaces its row (delete, insert), which would cascade; a
    row whose annotation is gone is ignored."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS never_here (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            actor TEXT NOT NULL,
            time TEXT NOT NULL,
            PRIMARY KEY (doc_id, start, "end", label)
        );
        CREATE TABLE IF NOT EXISTS propagated_from (
            ann_id TEXT PRIMARY KEY,
            origin TEXT NOT NULL
        );
        """
    )


def m006_coref(db: Database) -> None:
    """Coreference (issue 15): entity clusters per document and annotator, their
    members (annotation ids), and the project-wide entity registry.

    ``coref_members`` has no foreign key to ``annotations`` on purpose (as
    ``propagated_from``): an edit of an annotation replaces its row (delete,
    insert), which would cascade; the commands remove a deleted annotation from
    its cluster themselves (and put it back on undo).  ``ann_id`` is unique: a
    mention is in at most one cluster (a mention's cluster is its annotator's).
    ``entry_id`` has no foreign key either: unlinking is the registry commands'
    work, undoable.  A member row keeps its mention's ``start`` and ``end`` (set
    when it is written, and by triggers whenever the annotation's row is written
    again; NULL while the annotation is gone, e.g. deleted by a path other than
    the commands, which agreement and exports then leave out), so coreference agreement reads millions of mentions' spans without a
    join on ``annotations``; the table is kept in cluster order (``WITHOUT
    ROWID``), so a cluster's members are read in one pass."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS coref_clusters (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            name TEXT,
            type TEXT,
            entry_id TEXT,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS coref_clusters_doc ON coref_clusters(doc_id, annotator);
        CREATE INDEX IF NOT EXISTS coref_clusters_entry ON coref_clusters(entry_id);
        CREATE TABLE IF NOT EXISTS coref_members (
            cluster_id TEXT NOT NULL REFERENCES coref_clusters(id) ON DELETE CASCADE,
            ann_id TEXT NOT NULL UNIQUE,
            position INTEGER NOT NULL,
            start INTEGER,
            "end" INTEGER,
            PRIMARY KEY (cluster_id, ann_id)
        ) WITHOUT ROWID;
        CREATE TRIGGER IF NOT EXISTS coref_members_span_insert AFTER INSERT ON annotations BEGIN
            UPDATE coref_members SET start = new.start, "end" = new."end" WHERE ann_id = new.id;
        END;
        CREATE TRIGGER IF NOT EXISTS coref_members_span_update AFTER UPDATE OF start, "end" ON annotations BEGIN
            UPDATE coref_members SET start = new.start, "end" = new."end" WHERE ann_id = new.id;
        END;
        CREATE TRIGGER IF NOT EXISTS coref_members_span_delete AFTER DELETE ON annotations BEGIN
            UPDATE coref_members SET start = NULL, "end" = NULL WHERE ann_id = old.id;
        END;
        CREATE TABLE IF NOT EXISTS coref_registry (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            type TEXT,
            aliases TEXT NOT NULL DEFAULT '[]',
            description TEXT NOT NULL DEFAULT '',
            links TEXT NOT NULL DEFAULT '[]',
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        );
        """
    )


#: The migrations in order. Never edit a released one: add a new one.
MIGRATION_STEPS = (m001_initial, m002_review, m003_claims_start_unset, m004_search_index, m005_never_here, m006_coref)
#: The version of the project file format this code writes (one per migration).
FORMAT_VERSION = len(MIGRATION_STEPS)
_MIGRATIONS: Migrations | None = None


def get_migrations() -> Migrations:
    """The sqlite-utils migration set of project files (built on first use)."""
    global _MIGRATIONS
    if _MIGRATIONS is None:
        _, migrations_class = sqlite_utils_classes()
        m = migrations_class(MIGRATION_SET)
        for step in MIGRATION_STEPS:
            m()(step)
        _MIGRATIONS = m
    return _MIGRATIONS


def __getattr__(name: str) -> Any:
    if name == "migrations":  # the migration set, as ``from annotator.core.migrations import migrations``
        return get_migrations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
