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
    "m006_search_index_by_store",
    "m007_team",
    "SEARCH_TABLE",
    "SEARCH_TRIGGERS",
    "SEARCH_THROUGH_KEY",
    "m008_doc_labels",
    "m009_notes",
    "m010_fragments",
    "m011_kb_links",
    "KB_INDEX_TABLE",
    "m012_suggestions",
    "m013_coref",
    "m014_suggestions_by_score",
    "m015_coref_span_lists",
    "m016_suggestions_compact",
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
    tokens and positions), kept current by triggers on ``documents`` (until m006, which
    drops them: the store updates the index itself).  Built here for the
    documents already there.

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


#: The ``meta`` key holding the number (``seq``) of the last document in the index (m006).
SEARCH_THROUGH_KEY = "search_indexed_through"
#: The triggers m004 made to keep the full-text index current (dropped by m006).
SEARCH_TRIGGERS = ("documents_fts_insert", "documents_fts_delete", "documents_fts_update")


def m006_search_index_by_store(db: Database) -> None:
    """The store keeps the full-text index current itself (issue 18).

    Project files are opened with SQLite's ``trusted_schema`` off, so that a file
    made or changed by someone else cannot run its own SQL through a trigger or a
    view.  With it off, SQLite refuses the FTS5 table inside the triggers m004
    made ("unsafe use of virtual table"), so they go: the store's own writes
    (:meth:`~annotator.core.store.Project.add_documents`,
    :meth:`~annotator.core.store.Project.delete_documents`; a document's text
    never changes) keep it current.  Storing a document does not index it (that
    costs more than storing it): the index holds the documents numbered up to
    ``meta.search_indexed_through``, the store indexes the rest when asked
    (:meth:`~annotator.core.store.Project.index_pending`) and a search reads the
    documents after it directly.  Here every document is already indexed.
    """
    db.executescript("".join(f"DROP TRIGGER IF EXISTS {name};" for name in SEARCH_TRIGGERS))
    db.execute(
        "INSERT OR REPLACE INTO meta (key, value) SELECT ?, CAST(coalesce(max(seq), 0) AS TEXT) FROM documents",
        (SEARCH_THROUGH_KEY,),
    )


def m007_team(db: Database) -> None:
    """Team work (issue 18): the packages a lead handed out, who has which document,
    what each collect of a package brought, the edit history of the packages (for
    active time) and the documents found edited in two packages.

    No foreign keys to ``documents`` on purpose except for assignments: the record
    of what was handed out and collected stays even when a document is deleted."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS team_packages (
            id TEXT PRIMARY KEY,
            annotator TEXT NOT NULL,
            created TEXT NOT NULL,
            file TEXT NOT NULL,
            record TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS team_assignments (
            package_id TEXT NOT NULL REFERENCES team_packages(id),
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            overlap INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,
            assigned TEXT NOT NULL,
            withdrawn TEXT,
            PRIMARY KEY (package_id, doc_id)
        );
        CREATE INDEX IF NOT EXISTS team_assignments_doc ON team_assignments(doc_id);
        CREATE INDEX IF NOT EXISTS team_assignments_annotator ON team_assignments(annotator, active);
        CREATE TABLE IF NOT EXISTS team_collected (
            package_id TEXT NOT NULL,
            doc_id TEXT NOT NULL,
            status TEXT NOT NULL,
            digest TEXT NOT NULL,
            annotations INTEGER NOT NULL,
            collected TEXT NOT NULL,
            PRIMARY KEY (package_id, doc_id)
        );
        CREATE TABLE IF NOT EXISTS team_history (
            package_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            time TEXT NOT NULL,
            actor TEXT NOT NULL,
            doc_id TEXT,
            action TEXT NOT NULL,
            status TEXT,
            PRIMARY KEY (package_id, seq)
        );
        CREATE TABLE IF NOT EXISTS team_conflicts (
            package_id TEXT NOT NULL,
            doc_id TEXT NOT NULL,
            other_package_id TEXT NOT NULL,
            layer TEXT NOT NULL,
            found TEXT NOT NULL,
            PRIMARY KEY (package_id, doc_id, other_package_id)
        );
        """
    )


def m008_doc_labels(db: Database) -> None:
    """Document labels (issue 14): per document and annotator, the labels of the
    schema's categories (topic, genre...) set for the whole document, when and
    from where (``source``: manual, import, merge, review).  One row per label; a
    single-choice category has at most one row per document and annotator (the
    commands keep it so)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS doc_labels (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            category TEXT NOT NULL,
            label TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'manual',
            time TEXT NOT NULL,
            PRIMARY KEY (doc_id, annotator, category, label)
        );
        CREATE INDEX IF NOT EXISTS doc_labels_annotator ON doc_labels(annotator);
        """
    )


def m009_notes(db: Database) -> None:
    """Notes (issue 14): free text with a type on an annotation (``target`` its id)
    or on a document (``target`` empty), in a layer (``annotator``).  No foreign key
    to ``annotations``: an edit replaces an annotation's row, and a deleted
    annotation's note must come back with it on undo (a note whose annotation is
    gone is ignored)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS notes (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            type TEXT NOT NULL DEFAULT 'AnnotatorNotes',
            text TEXT NOT NULL,
            updated TEXT NOT NULL,
            PRIMARY KEY (doc_id, annotator, target, type)
        );
        CREATE INDEX IF NOT EXISTS notes_target ON notes(target);
        """
    )


def m010_fragments(db: Database) -> None:
    """Discontinuous spans (issue 14): the fragments of an annotation whose span
    has several pieces, as JSON ``[[start, end], ...]`` (code points, in document
    order).  NULL for every one-piece span, so existing annotations are unchanged:
    ``start`` and ``end`` stay the span (the hull of the fragments)."""
    columns = {r[1] for r in db.execute("PRAGMA table_info(annotations)").fetchall()}
    if "fragments" not in columns:
        db.execute("ALTER TABLE annotations ADD COLUMN fragments TEXT")


#: The FTS5 candidate index of knowledge-base entries (m011).
KB_INDEX_TABLE = "kb_entries_fts"


def m011_kb_links(db: Database) -> None:
    """Knowledge-base links (issue 14): local knowledge bases loaded from files, their
    entries, and the links of entities to entries.

    - ``kb_resources``: one row per knowledge base (its name, the file it was
      loaded from, when, by whom, how many entries).
    - ``kb_entries``: the entries (``id`` unique within a resource, ``name``,
      ``aliases`` as a JSON list, ``description``); a few million rows.
    - ``kb_entries_fts``: the candidate index, an external-content FTS5 table over
      name and aliases (case and diacritics folded).  No triggers: the store
      indexes a knowledge base's entries in one statement after loading them and
      removes them from the index before deleting them (a trigger per row made
      loading a million entries several times slower).  Prefixes and typos go
      through its vocabulary (``kb_entries_vocab``, an fts5vocab table): the
      index terms that complete a query word or are close to it become
      alternatives of the word.  ``kb_terms`` is a copy of that vocabulary
      (term, entries holding it) made after every load or delete: fts5vocab
      reads about 5 microseconds a term, a B-tree range a tenth of that, and a
      typo search reads tens of thousands of terms.
    - ``annotations.links``: the links of an annotation, a JSON list of
      ``{"resource", "id", "name"}`` (``'[]'`` when none), so an edit, undo,
      merge or review carries them with the annotation's row.
    """
    db.executescript(
        f"""
        CREATE TABLE IF NOT EXISTS kb_resources (
            name TEXT PRIMARY KEY,
            file TEXT NOT NULL,
            loaded TEXT NOT NULL,
            actor TEXT NOT NULL,
            entries INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS kb_entries (
            rowid INTEGER PRIMARY KEY,
            resource TEXT NOT NULL REFERENCES kb_resources(name),
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',
            description TEXT NOT NULL DEFAULT '',
            UNIQUE (resource, id)
        );
        CREATE VIRTUAL TABLE IF NOT EXISTS {KB_INDEX_TABLE} USING fts5(
            name, aliases, content='kb_entries', content_rowid='rowid', columnsize=0,
            tokenize="unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
        );
        CREATE VIRTUAL TABLE IF NOT EXISTS kb_entries_vocab USING fts5vocab({KB_INDEX_TABLE}, 'row');
        CREATE TABLE IF NOT EXISTS kb_terms (term TEXT PRIMARY KEY, entries INTEGER NOT NULL) WITHOUT ROWID;
        """
    )
    columns = {r[1] for r in db.execute("PRAGMA table_info(annotations)").fetchall()}
    if "links" not in columns:
        db.execute("ALTER TABLE annotations ADD COLUMN links TEXT NOT NULL DEFAULT '[]'")


def m012_suggestions(db: Database) -> None:
    """Suggestions (issue 17), stored apart from annotations: they are never in an
    export, agreement, review or gold unless accepted (then they are ordinary
    annotations of the annotator who accepted them, source ``suggested``).

    - ``suggestions``: what a suggester proposed for a document (shared by every
      annotator: a suggestion is about the text); running a suggester again on a
      document replaces that suggester's rows of it.  One index only (by
      document): a run over a corpus writes millions of rows, and each index
      costs every one of them.
    - ``suggestion_rejections``: a span and label an annotator rejected, never
      suggested to them again (by any suggester).
    - ``suggestion_accepts``: where an accepted annotation came from (suggester,
      score, the suggestion's id and detail); no foreign key to ``annotations``,
      as an edit replaces an annotation's row.
    """
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS suggestions (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            label TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            score REAL NOT NULL,
            suggester TEXT NOT NULL,
            claimant_start INTEGER,
            claimant_end INTEGER,
            claimant_text TEXT,
            detail TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS suggestions_doc ON suggestions(doc_id, start);
        CREATE TABLE IF NOT EXISTS suggestion_rejections (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            annotator TEXT NOT NULL,
            suggester TEXT NOT NULL DEFAULT '',
            time TEXT NOT NULL,
            PRIMARY KEY (doc_id, start, "end", label, annotator)
        );
        CREATE TABLE IF NOT EXISTS suggestion_accepts (
            ann_id TEXT PRIMARY KEY,
            suggestion_id TEXT NOT NULL,
            suggester TEXT NOT NULL,
            score REAL NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            time TEXT NOT NULL
        );
        """
    )


def m013_coref(db: Database) -> None:
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


def m014_suggestions_by_score(db: Database) -> None:
    """The corpus-wide suggestions list (issue 17) shows the best-scoring pending
    suggestions first, a page at a time: an index by score lets SQLite walk the
    suggestions from the best down and stop at the page's end, instead of
    reading and sorting every suggestion of the corpus (millions after a
    dictionary run) before the limit.  Costs each stored suggestion one index
    entry (benchmarks/case_suggest.py measures the corpus run with it)."""
    db.executescript("CREATE INDEX IF NOT EXISTS suggestions_score ON suggestions(score DESC);")


def m015_coref_span_lists(db: Database) -> None:
    """Coreference agreement speed (issue 15): each cluster keeps its mentions'
    span keys in one row, ``coref_clusters.spans`` (``start << 32 | end`` in
    decimal, joined by ``","``; ``''`` for a cluster whose mentions all went), so
    agreement reads one row per cluster instead of one per mention.

    NULL means "not known": readers then compute it from ``coref_members``.  The
    store writes it with a cluster's members; a trigger sets it NULL whenever a
    member's span changes (the triggers of :func:`m013_coref` follow every
    write of an annotation), so it is never stale — one row update per changed
    mention, never a recount per row."""
    db.executescript(
        """
        ALTER TABLE coref_clusters ADD COLUMN spans TEXT;
        UPDATE coref_clusters SET spans = (
            SELECT COALESCE(group_concat((m.start << 32) | m."end", ','), '') FROM coref_members m
            WHERE m.cluster_id = coref_clusters.id AND m.start IS NOT NULL
        );
        CREATE TRIGGER IF NOT EXISTS coref_members_spans_stale AFTER UPDATE OF start, "end" ON coref_members BEGIN
            UPDATE coref_clusters SET spans = NULL WHERE id = new.cluster_id AND spans IS NOT NULL;
        END;
        """
    )


def m016_suggestions_compact(db: Database) -> None:
    """Suggestions stored compactly (issue 17, speed): a dictionary run over a
    corpus writes millions of rows, and storing them cost more than finding them.

    - ``suggestions.id`` is an integer (the rowid: no separate unique index on a
      text); the API gives it as a string (``"123"``).  ``key``: an id given as
      text by whoever stored the suggestion (and the ids of rows written before
      this migration), unique where set (a partial index: rows without one cost
      it nothing).
    - ``doc``: the document's ``seq`` (an integer) instead of its text id, in the
      row and in the index by document (``ON DELETE CASCADE`` as before).
    - ``run``: a row of ``suggestion_runs`` holding the suggester, the time and
      the detail its suggestions share (a dictionary's suggestions of one term
      origin share one), instead of the three texts on every row.

    The rows of the earlier layout are copied (their ids kept, as ``key``),
    grouped by document and span."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS suggestion_runs (
            id INTEGER PRIMARY KEY,
            suggester TEXT NOT NULL,
            created TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE UNIQUE INDEX IF NOT EXISTS suggestion_runs_key ON suggestion_runs(suggester, created, detail);
        ALTER TABLE suggestions RENAME TO suggestions_m012;
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            key TEXT,
            doc INTEGER NOT NULL REFERENCES documents(seq) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            label TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            score REAL NOT NULL,
            run INTEGER NOT NULL,
            claimant_start INTEGER,
            claimant_end INTEGER,
            claimant_text TEXT
        );
        INSERT OR IGNORE INTO suggestion_runs (suggester, created, detail)
            SELECT DISTINCT suggester, created, detail FROM suggestions_m012;
        INSERT INTO suggestions
            (key, doc, kind, label, start, "end", score, run, claimant_start, claimant_end, claimant_text)
            SELECT o.id, d.seq, o.kind, o.label, o.start, o."end", o.score, r.id,
                   o.claimant_start, o.claimant_end, o.claimant_text
            FROM suggestions_m012 o
            JOIN documents d ON d.id = o.doc_id
            JOIN suggestion_runs r ON r.suggester = o.suggester AND r.created = o.created AND r.detail = o.detail
            ORDER BY d.seq, o.start, o.rowid;
        DROP TABLE suggestions_m012;
        CREATE INDEX IF NOT EXISTS suggestions_doc ON suggestions(doc, start);
        CREATE INDEX IF NOT EXISTS suggestions_score ON suggestions(score DESC);
        CREATE UNIQUE INDEX IF NOT EXISTS suggestions_key ON suggestions(key) WHERE key IS NOT NULL;
        """
    )


def m017_documents_in_order(db: Database) -> None:
    """The document list reads every document's id in import order when a project
    opens (``SELECT id FROM documents ORDER BY seq``).  Without an index holding
    both, SQLite walks the whole table, texts included: 230-470 ms for 100,000
    articles (benchmark case 6).  This index holds ``(seq, id)`` only: the same
    read walks it instead, about a third of that.  It costs each stored document
    one small index entry, appended at its end (documents are numbered in the
    order they are stored)."""
    db.executescript("CREATE INDEX IF NOT EXISTS documents_in_order ON documents(seq, id);")


#: The migrations in order. Never edit a released one: add a new one.
MIGRATION_STEPS = (
    m001_initial,
    m002_review,
    m003_claims_start_unset,
    m004_search_index,
    m005_never_here,
    m006_search_index_by_store,
    m007_team,
    m008_doc_labels,
    m009_notes,
    m010_fragments,
    m011_kb_links,
    m012_suggestions,
    m013_coref,
    m014_suggestions_by_score,
    m015_coref_span_lists,
    m016_suggestions_compact,
    m017_documents_in_order,
)
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
