"""Project files as files: what makes a file an annotator project, opening one
read-only, reading another project file whole for merging, and copying one.

Part of the store (with :mod:`annotator.core.store` and
:mod:`annotator.core.store_review`, the only modules that speak SQL).
:class:`~annotator.core.store.Project` opens a read-only file through
:func:`connect_read_only` and backs a file up with :func:`copy_project`;
:func:`read_project_file` reads another user's project without opening it as a
:class:`~annotator.core.store.Project` (no migration, no write).  Import these
from :mod:`annotator.core.store`, which re-exports them.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.errors import NewerProjectError, NotAProjectError, ProjectError, ReadOnlyProjectError, UntrustedProjectError
from annotator.core.migrations import FORMAT_VERSION, MIGRATION_STEPS, MIGRATIONS_TABLE
from annotator.core.rows import ANNOTATION_COLUMNS, AnnotationRow, DocumentRow, as_annotation_rows, as_document_rows
from annotator.core.store_sql import DECISION_SELECT, DOC_SELECT, decision

if TYPE_CHECKING:  # read_project_file imports them (merging, team): not needed to open a project
    from annotator.core.coref import Cluster, RegistryEntry
    from annotator.core.doclabels import DocLabelRow

__all__ = [
    "APPLICATION_ID",
    "SQLITE_MAGIC",
    "PROJECT_SUFFIX",
    "check_header",
    "harden",
    "app_schema_objects",
    "made_schema_objects",
    "check_schema",
    "read_only_file",
    "connect_read_only",
    "ProjectFileRows",
    "read_project_file",
    "copy_project",
]

#: SQLite ``application_id`` of annotator projects ("ANNT").
APPLICATION_ID = 0x414E4E54
SQLITE_MAGIC = b"SQLite format 3\x00"
PROJECT_SUFFIX = ".annotator"


def check_header(path: Path) -> None:
    """Check the header of an existing project file before SQLite opens it:
    an SQLite file whose application id is ours (or not set yet).  Raises
    :class:`ProjectError` (:class:`NotAProjectError` for another kind of file)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as err:
        raise ProjectError(f"{path}: cannot read: {err.strerror or err}") from None
    if not head.startswith(SQLITE_MAGIC):
        raise NotAProjectError(f"{path}: not an annotator project (not an SQLite file)")
    app_id = int.from_bytes(head[68:72], "big")
    if app_id not in (0, APPLICATION_ID):
        raise NotAProjectError(f"{path}: an SQLite file of another application, not an annotator project")


def harden(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Settings for every connection to a project file, which may come from
    anyone (a package, a colleague's project, a file mailed around):
    ``trusted_schema`` off, so that SQL stored in the file (a view, a trigger, a
    default or a check) cannot call functions or virtual tables that are not
    harmless, and ``cell_size_check`` on, so that a damaged or crafted page is
    reported as corruption instead of being read."""
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    return conn


#: One entry of ``sqlite_master``: (type, name, table, SQL).
SchemaObject = tuple[str, str, str, str | None]
#: Objects made by SQLite itself or by sqlite-utils' migration bookkeeping: allowed
#: by type and name (tables and indexes, which run no SQL of their own).
_ALLOWED_BY_NAME = frozenset(
    {
        ("table", MIGRATIONS_TABLE),
        ("index", f"idx_{MIGRATIONS_TABLE}_migration_set_name"),
        ("table", "sqlite_sequence"),
        ("table", "sqlite_stat1"),
        ("table", "sqlite_stat4"),
    }
)
_APP_SCHEMA: frozenset[SchemaObject] | None = None


def _schema_objects(conn: sqlite3.Connection) -> list[SchemaObject]:
    return [(r[0], r[1], r[2], r[3]) for r in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")]


def app_schema_objects() -> frozenset[SchemaObject]:
    """Every table, index, trigger and view the app's migrations make, at any
    project format version (each migration's result in turn, in memory; built once)."""
    global _APP_SCHEMA
    if _APP_SCHEMA is None:
        seen: set[SchemaObject] = set()
        conn = sqlite3.connect(":memory:")
        try:
            db: Any = conn
            for step in MIGRATION_STEPS:
                try:
                    step(db)
                except AttributeError:  # a migration that uses sqlite-utils' API
                    from sqlite_utils import Database

                    db = Database(conn)
                    step(db)
                seen.update(_schema_objects(conn))
        finally:
            conn.close()
        _APP_SCHEMA = frozenset(seen)
    return _APP_SCHEMA


def made_schema_objects() -> frozenset[SchemaObject]:
    """:func:`app_schema_objects` as :mod:`annotator.core.schema_objects_made`
    holds it (written by ``python -m annotator.core.schema_objects --write``), when
    it was written for this code's migrations; empty when it is stale (a migration
    added or renamed since), so that every check replays them."""
    from annotator.core.schema_objects_made import OBJECTS, STEPS

    return OBJECTS if STEPS == tuple(step.__name__ for step in MIGRATION_STEPS) else frozenset()


def check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a project file whose schema holds anything the app does not make
    (an extra trigger, view, table or index, or one of ours with other SQL): such
    a file may have been crafted to run SQL on whoever writes to it or merges
    from it.  Raises :class:`UntrustedProjectError`; reads nothing else.

    The objects the app makes are :func:`app_schema_objects`; they are looked up
    first in :func:`made_schema_objects` (the same set, written down: no replay of
    the migrations at each start), and only an object not found there is looked up
    in the replay (built once per process), so the answer is the replay's."""
    made = made_schema_objects()
    strange = [
        (kind, name, table, sql)
        for kind, name, table, sql in _schema_objects(conn)
        if (kind, name, table, sql) not in made and (kind, name) not in _ALLOWED_BY_NAME
    ]
    if strange:  # not written down (a stale module, another SQLite's text...): the replay decides
        allowed = app_schema_objects()
        strange = [obj for obj in strange if obj not in allowed]
    if strange:
        order = {"trigger": 0, "view": 1, "table": 2, "index": 3}
        strange.sort(key=lambda o: (order.get(o[0], 4), o[1]))
        listed = ", ".join(f"{kind} {name!r}" for kind, name, _table, _sql in strange[:5]) + (
            f" and {len(strange) - 5} more" if len(strange) > 5 else ""
        )
        raise UntrustedProjectError(
            f"{path}: refused: the file holds SQL that annotator never makes ({listed}). "
            "It may have been made or changed by someone else to harm the data of whoever opens it, "
            "so nothing was read from it or written to it. Ask its sender for a clean copy "
            "(annotator makes packages and exports that hold only its own tables)."
        )


def read_only_file(path: Path) -> bool:
    """Whether a project file is read-only for us: no write access, no write
    permission bits at all (a file marked read-only is respected even by root),
    or a folder we cannot write in (SQLite keeps its journal beside the file)."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222 or not os.access(path.parent, os.W_OK)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a read-only project file for reading.

    A WAL database opened read-only needs its ``-shm`` file, which a read-only
    file cannot get, so SQLite refuses even reads; then the file is opened as
    immutable, which is exact unless a ``-wal`` file holds changes not yet
    written back (a session that ended abruptly): that case gets a message.
    """
    uri = path.resolve().as_uri()
    conn = harden(sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=10.0))
    try:
        conn.execute("PRAGMA user_version").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise ReadOnlyProjectError(
            f"{path}: the project file is read-only and its last changes are still in {wal.name} "
            "(the last session ended abruptly); make the file writable and open it once to recover them"
        )
    return harden(sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=10.0))


@dataclass
class ProjectFileRows:
    """Everything a project file holds that a merge takes, as stored rows."""

    #: The ``meta`` table (``created``: the project's creation stamp, which names it).
    meta: dict[str, str]
    #: The stored label schema (JSON text), None when the file has none.
    schema: str | None
    #: Documents in import order.
    documents: list[DocumentRow]
    #: Annotations in the order they were stored.
    annotations: list[AnnotationRow]
    #: Names in the ``annotators`` table.
    annotators: list[str]
    #: Review decisions in the order they were stored (as :meth:`Project.review_decisions` gives them).
    review_decisions: list[dict[str, Any]]
    #: The edit history: (seq, time, actor, doc id, action, the document status the entry set
    #: or None) in order (team collect reads it).
    history: list[tuple[int, str, str, str | None, str, str | None]] = field(default_factory=list)
    #: Document labels (empty for a file from before they existed).
    doc_labels: list[DocLabelRow] = field(default_factory=list)
    #: Notes (issue 14): ``(doc_id, annotator, target, type, text, updated)`` rows; none before format m009_notes.
    notes: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)

    #: Coreference clusters (issue 15; empty for a file made before them).
    clusters: list[Cluster] = field(default_factory=list)
    #: The entity registry.
    registry: list[RegistryEntry] = field(default_factory=list)


#: The history entries of another project file; the status a command set is in its JSON detail
#: (read only from valid JSON: a damaged detail gives None, not an error).
_HISTORY_SELECT = (
    "SELECT seq, time, actor, doc_id, action, "
    "CASE WHEN json_valid(detail) THEN json_extract(detail, '$.status') END FROM history ORDER BY seq"
)


def _annotation_select(conn: sqlite3.Connection) -> str:
    """The annotation columns to read from a project file that may be of an older
    format: a column added since reads as its default (``fragments`` NULL: a
    one-piece span, m010_fragments; ``links`` ``'[]'``: none, m011_kb_links)."""
    have = {r[1] for r in conn.execute("PRAGMA table_info(annotations)").fetchall()}
    defaults = {"links": "'[]'"}
    return ", ".join(f'"{c}"' if c in have else defaults.get(c, "NULL") for c in ANNOTATION_COLUMNS)


def read_project_file(path: Path) -> ProjectFileRows:
    """Read a whole project file read-only, without opening it as a
    :class:`Project` (no migration, no write, the file may be another user's).

    Raises :class:`ProjectError` (a message naming the file) when it is not an
    annotator project, was made by a newer version or cannot be read."""
    from annotator.core.doclabels import DocLabelRow

    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as err:
        raise ProjectError(f"{path}: cannot read: {err.strerror or err}") from None
    # The header on disk may lag behind (WAL): the application id is checked through SQLite too.
    if int.from_bytes(head[68:72], "big") not in (0, APPLICATION_ID):
        raise NotAProjectError(f"{path}: an SQLite file, but not an annotator project")
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as err:
        raise ProjectError(f"{path}: cannot open: {err}") from None
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise NotAProjectError(f"{path}: an SQLite file, but not an annotator project")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > FORMAT_VERSION:
            raise NewerProjectError(
                f"{path}: made by a newer version of annotator (project format {version}, this version "
                f"reads up to {FORMAT_VERSION}); please upgrade annotator"
            )
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"documents", "annotations", "meta"} <= tables:
            raise NotAProjectError(f"{path}: not an annotator project (tables missing)")
        check_schema(conn, path)
        schema = None
        if "label_schema" in tables:
            row = conn.execute("SELECT body FROM label_schema WHERE id = 1").fetchone()
            schema = row[0] if row else None
        columns = _annotation_select(conn)  # our column names (constants) or NULL, never the file's
        return ProjectFileRows(
            meta=dict(conn.execute("SELECT key, value FROM meta").fetchall()),
            schema=schema,
            documents=as_document_rows(conn.execute(f"SELECT {DOC_SELECT} FROM documents ORDER BY seq").fetchall()),
            annotations=as_annotation_rows(conn.execute(f"SELECT {columns} FROM annotations ORDER BY rowid").fetchall()),
            annotators=[r[0] for r in conn.execute("SELECT name FROM annotators")] if "annotators" in tables else [],
            review_decisions=[decision(r) for r in conn.execute(DECISION_SELECT + " ORDER BY rowid")]
            if "review_decisions" in tables
            else [],
            history=[tuple(r) for r in conn.execute(_HISTORY_SELECT)] if "history" in tables else [],
            doc_labels=[
                DocLabelRow(*r)
                for r in conn.execute("SELECT doc_id, annotator, category, label, source, time FROM doc_labels ORDER BY rowid")
            ]
            if "doc_labels" in tables
            else [],
            notes=[
                tuple(r)
                for r in conn.execute(
                    "SELECT doc_id, annotator, target, type, text, updated FROM notes ORDER BY doc_id, target, type"
                )
            ]
            if "notes" in tables
            else [],
            clusters=_clusters(conn) if "coref_clusters" in tables else [],
            registry=_registry(conn) if "coref_registry" in tables else [],
        )
    except sqlite3.Error as err:
        raise ProjectError(f"{path}: cannot read the project: {err}") from None
    finally:
        conn.close()


def _clusters(conn: sqlite3.Connection) -> list[Cluster]:
    from annotator.core.store_coref import CLUSTER_SELECT, cluster_from_row

    members: dict[str, list[str]] = {}
    for cid, ann_id in conn.execute("SELECT cluster_id, ann_id FROM coref_members ORDER BY cluster_id, position"):
        members.setdefault(cid, []).append(ann_id)
    return [cluster_from_row(r, members.get(r[0], ())) for r in conn.execute(f"{CLUSTER_SELECT} ORDER BY rowid")]


def _registry(conn: sqlite3.Connection) -> list[RegistryEntry]:
    from annotator.core.store_coref import ENTRY_SELECT, entry_from_row

    return [entry_from_row(r) for r in conn.execute(ENTRY_SELECT)]


def copy_project(src: Path, dst: Path) -> None:
    """A consistent copy of a project file (uses SQLite's online backup)."""
    a = harden(sqlite3.connect(str(src)))
    try:
        b = harden(sqlite3.connect(str(dst)))
        with b:
            a.backup(b)
        b.close()
    finally:
        a.close()
