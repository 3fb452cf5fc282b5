"""The project file: one SQLite database (WAL, foreign keys on) per project.

Everything a user does is written at once, one transaction per action (see
:mod:`annotator.core.commands`); bulk imports are one transaction per file.
Errors that a user can meet (not a project, a newer version, read-only, disk
full, busy) are :class:`ProjectError` subclasses whose ``str()`` is the message
to show.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.models import Annotation, DocStatus, Document, GOLD, now
from annotator.core.schema import LabelSchema, default_schema, parse_schema

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations


def _sqlite_utils() -> tuple[type["Database"], type["Migrations"]]:
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
    sys.modules.update(dict.fromkeys(hidden))
    try:
        from sqlite_utils import Database
        from sqlite_utils.migrations import Migrations
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return Database, Migrations

#: SQLite ``application_id`` of annotator projects ("ANNT").
APPLICATION_ID = 0x414E4E54
SQLITE_MAGIC = b"SQLite format 3\x00"
PROJECT_SUFFIX = ".annotator"


class ProjectError(Exception):
    """A problem with a project file; ``str()`` is a message for the user."""


class NotAProjectError(ProjectError):
    pass


class NewerProjectError(ProjectError):
    pass


class ReadOnlyProjectError(ProjectError):
    pass


class DiskFullError(ProjectError):
    pass


class ProjectBusyError(ProjectError):
    pass


class ConflictError(ProjectError):
    """The data changed underneath an action (another window or process)."""


# --------------------------------------------------------------------------
# Migrations. Never edit a released migration: add a new one.
# --------------------------------------------------------------------------
MIGRATION_SET = "annotator"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' table of applied migrations


def m001_initial(db: "Database") -> None:
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


def m002_review(db: "Database") -> None:
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


#: The migrations in order. Never edit a released one: add a new one.
MIGRATION_STEPS = (m001_initial, m002_review)
#: The version of the project file format this code writes (one per migration).
FORMAT_VERSION = len(MIGRATION_STEPS)
_MIGRATIONS: "Migrations | None" = None


def get_migrations() -> "Migrations":
    """The sqlite-utils migration set of project files (built on first use)."""
    global _MIGRATIONS
    if _MIGRATIONS is None:
        _, migrations_class = _sqlite_utils()
        m = migrations_class(MIGRATION_SET)
        for step in MIGRATION_STEPS:
            m()(step)
        _MIGRATIONS = m
    return _MIGRATIONS


def __getattr__(name: str) -> Any:
    if name == "migrations":  # the migration set, as ``from annotator.core.store import migrations``
        return get_migrations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@contextmanager
def _autocommit(conn: sqlite3.Connection) -> Iterator[None]:
    """Driver-level autocommit for statements that cannot run in a transaction
    (``PRAGMA journal_mode``), restoring the isolation level after."""
    previous = conn.isolation_level
    conn.isolation_level = None
    try:
        yield
    finally:
        conn.isolation_level = previous

_ANN_COLUMNS = (
    "id", "doc_id", "kind", "label", "start", "end", "attributes", "arguments", "head",
    "tail", "claimant_ref", "claimant_text", "annotator", "source", "created", "updated",
)
_ANN_SELECT = ", ".join(f'"{c}"' for c in _ANN_COLUMNS)
_ANN_INSERT = (
    f"INSERT INTO annotations ({_ANN_SELECT}) VALUES ({', '.join('?' * len(_ANN_COLUMNS))})"
)
_DOC_COLUMNS = (
    "id", "external_id", "title", "text", "sha256", "source", "metadata", "status", "created", "updated",
)
#: Bulk inserts write this many documents (or characters of text) per executemany.
_INSERT_BATCH = 500
_INSERT_BATCH_CHARS = 8_000_000
_DOC_INSERT = f"INSERT INTO documents ({', '.join(_DOC_COLUMNS)}) VALUES ({', '.join('?' * len(_DOC_COLUMNS))})"


#: ``json.dumps(value, ensure_ascii=False, sort_keys=True)``, without making an encoder per call.
_sorted_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def annotation_row(a: Annotation) -> tuple:
    return (
        a.id, a.doc_id, a.kind, a.label, a.start, a.end,
        # Most annotations have neither: skip the encoder for the empty values.
        _sorted_json(a.attributes) if a.attributes else "{}",
        json.dumps([x.model_dump() for x in a.arguments], ensure_ascii=False) if a.arguments else "[]",
        a.head, a.tail, a.claimant_ref, a.claimant_text, a.annotator, str(a.source),
        a.created, a.updated,
    )


def row_to_annotation(row: tuple | sqlite3.Row) -> Annotation:
    d = dict(zip(_ANN_COLUMNS, row))
    d["attributes"] = json.loads(d["attributes"]) if d["attributes"] != "{}" else {}
    d["arguments"] = json.loads(d["arguments"]) if d["arguments"] != "[]" else []
    return Annotation.model_validate(d)


def document_row(d: Document) -> tuple:
    return (
        d.id, d.external_id, d.title, d.text, d.sha256, d.source,
        _sorted_json(d.metadata), str(d.status), d.created, d.updated,
    )


def _row_to_document(row: tuple) -> Document:
    d = dict(zip(_DOC_COLUMNS, row))
    d["metadata"] = json.loads(d["metadata"])
    return Document.model_validate(d)


def translate_sqlite_error(err: sqlite3.Error, path: Path | str) -> ProjectError:
    """Turn an sqlite3 error into a ProjectError with a message for people."""
    msg = str(err)
    low = msg.lower()
    if "readonly" in low or "read-only" in low:
        return ReadOnlyProjectError(f"{path}: the project file is read-only; nothing was changed")
    if "disk is full" in low or "database or disk is full" in low or "full" in low and "disk" in low:
        return DiskFullError(f"{path}: the disk is full; the last action was not saved (nothing else was changed)")
    if "locked" in low or "busy" in low:
        return ProjectBusyError(
            f"{path}: the project is busy (another window or command is writing); try again"
        )
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
        return NotAProjectError(f"{path}: not an annotator project (or the file is damaged): {msg}")
    return ProjectError(f"{path}: database error: {msg}")


class _Rows:
    """A cursor whose reads raise ProjectErrors: a damaged page is found while
    rows are fetched, not when the statement starts."""

    __slots__ = ("_cur", "_path")

    def __init__(self, cur: sqlite3.Cursor, path: Path):
        self._cur, self._path = cur, path

    def fetchone(self) -> Any:
        try:
            return self._cur.fetchone()
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self._path) from None

    def fetchall(self) -> list[Any]:
        try:
            return self._cur.fetchall()
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self._path) from None

    def __iter__(self) -> Iterator[Any]:
        # In batches: a fetchone() call per row costs as much as SQLite reading it.
        while True:
            try:
                rows = self._cur.fetchmany(256)
            except sqlite3.Error as err:
                raise translate_sqlite_error(err, self._path) from None
            if not rows:
                return
            yield from rows


class Project:
    """An open project file. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path, *, create: bool = False, schema: LabelSchema | None = None):
        self.path = Path(path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists and not create:
            raise ProjectError(f"{self.path}: no such project file")
        if exists:
            self._check_header()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.readonly = exists and _read_only_file(self.path)
        try:
            conn = _connect_read_only(self.path) if self.readonly else sqlite3.connect(str(self.path), timeout=10.0)
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self.path) from None
        self.conn = conn
        self._db: Database | None = None
        self._schema: LabelSchema | None = None
        #: doc id -> length of its text (texts never change after import).
        self._lengths: dict[str, int] = {}
        try:
            self._setup(exists, schema)
        except sqlite3.Error as err:
            conn.close()
            raise translate_sqlite_error(err, self.path) from None
        except ProjectError:
            conn.close()
            raise

    @property
    def db(self) -> "Database":
        """The connection as a sqlite-utils ``Database`` (made on first use)."""
        if self._db is None:
            database_class, _ = _sqlite_utils()
            self._db = database_class(self.conn, execute_plugins=False)
        return self._db

    def _up_to_date(self, version: int) -> bool:
        """Whether every migration is recorded as applied (without sqlite-utils)."""
        if version != FORMAT_VERSION:
            return False
        try:
            rows = self.conn.execute(
                f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", (MIGRATION_SET,)).fetchall()
        except sqlite3.OperationalError:  # no such table
            return False
        return {r[0] for r in rows} >= {step.__name__ for step in MIGRATION_STEPS}

    # -- opening ------------------------------------------------------------
    def _check_header(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                head = fh.read(100)
        except OSError as err:
            raise ProjectError(f"{self.path}: cannot read: {err.strerror or err}") from None
        if not head.startswith(SQLITE_MAGIC):
            raise NotAProjectError(f"{self.path}: not an annotator project (not an SQLite file)")
        app_id = int.from_bytes(head[68:72], "big")
        if app_id not in (0, APPLICATION_ID):
            raise NotAProjectError(f"{self.path}: an SQLite file of another application, not an annotator project")

    def _setup(self, existed: bool, schema: LabelSchema | None) -> None:
        c = self.conn
        c.execute("PRAGMA busy_timeout = 10000")
        c.execute("PRAGMA foreign_keys = ON")
        version = c.execute("PRAGMA user_version").fetchone()[0]
        app_id = c.execute("PRAGMA application_id").fetchone()[0]
        if existed:
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if app_id != APPLICATION_ID and tables:
                raise NotAProjectError(f"{self.path}: an SQLite database, but not an annotator project")
            if version > FORMAT_VERSION:
                raise NewerProjectError(
                    f"{self.path}: made by a newer version of annotator (project format "
                    f"{version}, this version reads up to {FORMAT_VERSION}); please upgrade annotator"
                )
        up_to_date = existed and app_id == APPLICATION_ID and self._up_to_date(version)
        if self.readonly:
            c.execute("PRAGMA query_only = ON")
            if not up_to_date and get_migrations().pending(self.db):
                raise ReadOnlyProjectError(f"{self.path}: read-only and made by an older version; cannot upgrade it")
            return
        with _autocommit(c):
            c.execute("PRAGMA journal_mode = WAL")
            c.execute("PRAGMA synchronous = NORMAL")
            if not existed:  # first, so that a creation cut short is still known as ours
                c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        pending = [] if up_to_date else get_migrations().pending(self.db)
        if pending:
            if existed and version > 0:
                self._backup_before_migration(version)
            get_migrations().apply(self.db)
        if pending or version != FORMAT_VERSION:  # also after a crash between the two
            with _autocommit(c):
                c.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
                c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if not existed or c.execute("SELECT count(*) FROM label_schema").fetchone()[0] == 0:
            with self.transaction():
                self._write_schema(schema or default_schema())
                c.execute("INSERT OR REPLACE INTO meta VALUES ('created', ?)", (now(),))

    def _backup_before_migration(self, version: int) -> Path:
        """Copy the file before migrating it; written under a temporary name and
        renamed, so a backup that exists is complete (a crash mid-copy leaves a
        stray ``.tmp``, never a half backup under the real name)."""
        backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
        tmp = backup.with_name(backup.name + ".tmp")
        tmp.unlink(missing_ok=True)
        copy_project(self.path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, backup)
        return backup

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work; sqlite errors become ProjectErrors."""
        if self.readonly:
            raise ReadOnlyProjectError(f"{self.path}: the project file is read-only; nothing was changed")
        try:
            if self.conn.in_transaction:  # nested: a savepoint
                with self.db.atomic():
                    yield
                return
            # IMMEDIATE takes the write lock up front, waiting up to busy_timeout
            # for other writers. A deferred BEGIN that reads, then writes after
            # another process committed, fails at once with "database is locked"
            # (SQLITE_BUSY_SNAPSHOT), which busy_timeout cannot help.
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.rollback()
                raise
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.rollback()
                raise
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self.path) from None

    def _q(self, sql: str, params: Iterable[Any] = ()) -> "_Rows":
        try:
            return _Rows(self.conn.execute(sql, tuple(params)), self.path)
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self.path) from None

    # -- schema -------------------------------------------------------------
    @property
    def schema(self) -> LabelSchema:
        if self._schema is None:
            row = self._q("SELECT body FROM label_schema WHERE id = 1").fetchone()
            self._schema = parse_schema(json.loads(row[0]), f"{self.path.name} (stored schema)") if row else default_schema()
        return self._schema

    def _write_schema(self, schema: LabelSchema) -> None:
        body = json.dumps(schema.to_dict(), ensure_ascii=False)
        self.conn.execute("INSERT OR REPLACE INTO label_schema VALUES (1, ?, ?)", (body, now()))
        self._schema = schema

    def orphaned_by(self, schema: LabelSchema) -> dict[tuple[str, str], int]:
        """(kind, label) -> count of annotations whose label ``schema`` lacks."""
        out: dict[tuple[str, str], int] = {}
        for kind, label, n in self._q("SELECT kind, label, count(*) FROM annotations GROUP BY kind, label"):
            if label not in schema.labels(kind):
                out[(kind, label)] = n
        return out

    def set_schema(self, schema: LabelSchema, *, force: bool = False, actor: str = "cli") -> None:
        """Replace the schema; refuses one that would orphan annotations unless ``force``."""
        orphans = self.orphaned_by(schema)
        if orphans and not force:
            listed = ", ".join(f"{k} {label} ({n})" for (k, label), n in sorted(orphans.items()))
            raise ProjectError(
                f"the new schema lacks labels that existing annotations use: {listed}; "
                "nothing was changed (use --force to replace it anyway)"
            )
        with self.transaction():
            self._write_schema(schema)
            self.log(actor, None, "set_schema", {"orphans": len(orphans)})

    # -- documents ----------------------------------------------------------
    def document_count(self, status: str | None = None) -> int:
        if status:
            return self._q("SELECT count(*) FROM documents WHERE status = ?", (status,)).fetchone()[0]
        return self._q("SELECT count(*) FROM documents").fetchone()[0]

    def document_ids(
        self,
        *,
        status: str | Iterable[str] | None = None,
        search: str | None = None,
        label: str | None = None,
        annotator: str | None = None,
    ) -> list[str]:
        """Document ids in import order, filtered by status, a text/title search
        (case-insensitive substring) and documents having ``label``."""
        where, params = [], []
        if status:
            statuses = [status] if isinstance(status, str) else list(status)
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            params += statuses
        if search:
            where.append("(instr(lower(title), lower(?)) > 0 OR instr(lower(text), lower(?)) > 0)")
            params += [search, search]
        if label:
            sub = "SELECT 1 FROM annotations a WHERE a.doc_id = documents.id AND a.label = ?"
            params.append(label)
            if annotator:
                sub += " AND a.annotator = ?"
                params.append(annotator)
            where.append(f"EXISTS ({sub})")
        sql = "SELECT id FROM documents"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq"
        return [r[0] for r in self._q(sql, params).fetchall()]

    def document_summaries(self, ids: list[str], annotator: str | None = None) -> dict[str, dict[str, Any]]:
        """Light rows for lists: id -> {title, status, external_id, length, annotations}."""
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        out = {
            r[0]: {"id": r[0], "title": r[1], "status": r[2], "external_id": r[3], "length": r[4], "annotations": 0}
            for r in self._q(
                f"SELECT id, title, status, external_id, length(text) FROM documents WHERE id IN ({marks})", ids
            )
        }
        sql = f"SELECT doc_id, count(*) FROM annotations WHERE doc_id IN ({marks})"
        params: list[Any] = list(ids)
        if annotator:
            sql += " AND annotator = ?"
            params.append(annotator)
        for doc_id, n in self._q(sql + " GROUP BY doc_id", params):
            if doc_id in out:
                out[doc_id]["annotations"] = n
        return out

    def get_document(self, doc_id: str) -> Document:
        row = self._q(f"SELECT {', '.join(_DOC_COLUMNS)} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return _row_to_document(row)

    def iter_documents(self, ids: Iterable[str] | None = None) -> Iterator[Document]:
        """Stream documents in import order (or the given ids), one at a time."""
        if ids is None:
            for row in self._q(f"SELECT {', '.join(_DOC_COLUMNS)} FROM documents ORDER BY seq"):
                yield _row_to_document(row)
        else:
            for doc_id in ids:
                yield self.get_document(doc_id)

    def document_by_sha(self, sha256: str) -> str | None:
        row = self._q("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def known_shas(self) -> set[str]:
        return {r[0] for r in self._q("SELECT sha256 FROM documents")}

    def insert_documents(self, items: Iterable[tuple[Document, list[Annotation]]], *, actor: str = "import") -> int:
        """Insert documents with their annotations in ONE transaction; all or nothing.

        ``items`` may be a generator: its rows are written in batches as it
        yields them, so a big import is never all in memory at once."""
        with self.transaction():
            docs, anns = self._insert_stream(items)
            self.log_import(actor, docs, anns)
        return docs

    def _insert_stream(self, items: Iterable[tuple[Document, list[Annotation]]]) -> tuple[int, int]:
        """Write documents and their annotations as ``items`` yields them, in batches
        (a few hundred documents or a few megabytes of text each), and add their
        annotators; call inside :meth:`transaction`.  Returns (documents, annotations).
        The rows are those :meth:`insert_documents` writes, in the same order."""
        n_docs = n_anns = size = 0
        names: set[str] = set()
        docs: list[tuple] = []
        anns: list[tuple] = []

        def flush() -> None:
            self.conn.executemany(_DOC_INSERT, docs)
            self.conn.executemany(_ANN_INSERT, anns)
            names.update(r[12] for r in anns)
            docs.clear()
            anns.clear()

        for d, a in items:
            docs.append(document_row(d))
            anns.extend(map(annotation_row, a))
            n_docs += 1
            n_anns += len(a)
            size += len(d.text)
            if len(docs) >= _INSERT_BATCH or size >= _INSERT_BATCH_CHARS:
                flush()
                size = 0
        flush()
        self._ensure_annotators(names)
        return n_docs, n_anns

    def log_import(self, actor: str, documents: int, annotations: int) -> None:
        """The history entry of an import (inside its transaction)."""
        self.log(actor, None, "import", {"documents": documents, "annotations": annotations})

    def _write_status(self, doc_id: str, status: DocStatus | str) -> None:
        self.conn.execute("UPDATE documents SET status = ?, updated = ? WHERE id = ?", (str(status), now(), doc_id))

    def document_status(self, doc_id: str) -> DocStatus:
        row = self._q("SELECT status FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return DocStatus(row[0])

    def document_text(self, doc_id: str) -> str:
        row = self._q("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return row[0]

    def document_length(self, doc_id: str) -> int:
        """The length of the document's text in code points, remembered after the
        first call (texts never change): every action checks its spans against it,
        and reading a 1 MB text each time took most of an action's time."""
        n = self._lengths.get(doc_id)
        if n is None:
            n = self._lengths[doc_id] = len(self.document_text(doc_id))
        return n

    def status_counts(self) -> dict[str, int]:
        return dict(self._q("SELECT status, count(*) FROM documents GROUP BY status").fetchall())

    # -- annotations --------------------------------------------------------
    def annotations(
        self, doc_id: str, annotator: str | None = None, kinds: Iterable[str] | None = None
    ) -> list[Annotation]:
        sql = f"SELECT {_ANN_SELECT} FROM annotations WHERE doc_id = ?"
        params: list[Any] = [doc_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        if kinds is not None:
            kinds = list(kinds)
            sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
            params += kinds
        return [row_to_annotation(r) for r in self._q(sql + " ORDER BY rowid", params)]

    def get_annotation(self, ann_id: str) -> Annotation | None:
        row = self._q(f"SELECT {_ANN_SELECT} FROM annotations WHERE id = ?", (ann_id,)).fetchone()
        return row_to_annotation(row) if row else None

    def existing_annotation_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that are stored (one query per 500 ids, not one per id)."""
        ids = list(ids)
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            found.update(r[0] for r in self._q(f"SELECT id FROM annotations WHERE id IN ({', '.join('?' * len(part))})", part))
        return found

    def iter_all_annotations(self, annotator: str | None = None) -> Iterator[Annotation]:
        sql = f"SELECT {_ANN_SELECT} FROM annotations"
        params: tuple = ()
        if annotator is not None:
            sql += " WHERE annotator = ?"
            params = (annotator,)
        for row in self._q(sql + " ORDER BY rowid", params):
            yield row_to_annotation(row)

    def document_rows(self, ids: list[str]) -> dict[str, tuple]:
        """Raw rows (columns as ``_DOC_COLUMNS``) of the given documents by id, one
        query per 500 ids; ids not in the project are missing from the result.
        For bulk readers (exports); ``_row_to_document`` makes a Document of one."""
        out: dict[str, tuple] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            for row in self._q(f"SELECT {', '.join(_DOC_COLUMNS)} FROM documents WHERE id IN ({', '.join('?' * len(part))})", part).fetchall():
                out[row[0]] = row
        return out

    def annotation_rows_by_document(self, doc_ids: list[str], annotator: str | None = None) -> dict[str, list[tuple]]:
        """Raw rows (columns as ``_ANN_COLUMNS``) of the given documents' annotations
        (of ``annotator``, or all) by document id, each document's in the order
        :meth:`annotations` gives them; one query per 500 documents."""
        out: dict[str, list[tuple]] = {}
        for i in range(0, len(doc_ids), 500):
            part = doc_ids[i : i + 500]
            sql = f"SELECT {_ANN_SELECT} FROM annotations WHERE doc_id IN ({', '.join('?' * len(part))})"
            params: list[Any] = list(part)
            if annotator is not None:
                sql += " AND annotator = ?"
                params.append(annotator)
            for row in self._q(sql + " ORDER BY rowid", params).fetchall():
                bucket = out.get(row[1])
                if bucket is None:
                    bucket = out[row[1]] = []
                bucket.append(row)
        return out

    def linked_document_ids(self, kinds: Iterable[str], annotator: str | None = None) -> set[str]:
        """Ids of the documents holding a link: a relation, or (for the ``kinds``
        given) an event with arguments or a claim with a claimant entity; only
        ``annotator``'s when given."""
        kinds = set(kinds)
        cond = ["kind = 'relation'"]
        if "event" in kinds:
            cond.append("(kind = 'event' AND arguments != '[]')")
        if "claim" in kinds:
            cond.append("(kind = 'claim' AND claimant_ref IS NOT NULL)")
        sql = f"SELECT DISTINCT doc_id FROM annotations WHERE ({' OR '.join(cond)})"
        params: list[Any] = []
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        return {r[0] for r in self._q(sql, params)}

    def annotators(self, include_gold: bool = False) -> list[str]:
        names = [r[0] for r in self._q("SELECT name FROM annotators ORDER BY name")]
        return names if include_gold else [n for n in names if n != GOLD]

    def add_annotator(self, name: str) -> None:
        with self.transaction():
            self._ensure_annotators({name})

    def _ensure_annotators(self, names: Iterable[str]) -> None:
        stamp = now()
        self.conn.executemany("INSERT OR IGNORE INTO annotators VALUES (?, ?)", [(n, stamp) for n in names])

    def annotation_counts(self) -> list[tuple[str, str, str, int]]:
        """(kind, label, annotator, count) over the whole project."""
        return self._q(
            "SELECT kind, label, annotator, count(*) FROM annotations GROUP BY kind, label, annotator ORDER BY kind, label, annotator"
        ).fetchall()

    # Low-level writes: call only inside :meth:`transaction` (commands do).
    def _put_annotation(self, ann: Annotation) -> None:
        self.conn.execute("DELETE FROM annotations WHERE id = ?", (ann.id,))
        self.conn.execute(_ANN_INSERT, annotation_row(ann))

    def _delete_annotation(self, ann_id: str) -> None:
        self.conn.execute("DELETE FROM annotations WHERE id = ?", (ann_id,))

    # -- review and agreement queries -------------------------------------------
    def annotator_counts(self) -> dict[str, int]:
        """``{annotator: number of annotations}`` of everyone with at least one
        (read from the annotator index alone)."""
        return dict(self._q("SELECT annotator, count(*) FROM annotations GROUP BY annotator").fetchall())

    def annotation_rows(self, annotators: Iterable[str], scan: bool = False) -> list[tuple]:
        """Raw rows ``(id, doc_id, annotator, kind, label, start, end, attributes
        JSON, arguments JSON, claimant_ref, claimant_text)`` of ``annotators``,
        unvalidated, for bulk statistics, in the order they were stored.

        ``scan``: read the table from start to end instead of looking the rows up
        through the annotator index and sorting them (same rows, same order; faster
        when ``annotators`` own most of the annotations)."""
        names = list(annotators)
        column = "+annotator" if scan else "annotator"  # "+": the index is not used
        return self._q(
            'SELECT id, doc_id, annotator, kind, label, start, "end", attributes, arguments, claimant_ref, '
            f"claimant_text FROM annotations WHERE {column} IN ({', '.join('?' * len(names))}) ORDER BY rowid",
            names,
        ).fetchall()

    def document_texts(self, ids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """``({id: text}, {id: title})`` of the given documents."""
        texts: dict[str, str] = {}
        titles: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for doc_id, text, title in self._q(
                f"SELECT id, text, title FROM documents WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            ):
                texts[doc_id], titles[doc_id] = text, title
        return texts, titles

    def has_review_decisions(self) -> bool:
        return bool(self._q("SELECT EXISTS (SELECT 1 FROM review_decisions)").fetchone()[0])

    def review_decisions(self, doc_id: str | None = None) -> list[dict[str, Any]]:
        """Review decisions (of one document, or all), oldest first."""
        sql = "SELECT id, doc_id, reviewer, time, action, source_ids, gold_id, detail FROM review_decisions"
        params: tuple = ()
        if doc_id is not None:
            sql += " WHERE doc_id = ?"
            params = (doc_id,)
        return [
            {"id": r[0], "doc_id": r[1], "reviewer": r[2], "time": r[3], "action": r[4],
             "source_ids": json.loads(r[5]), "gold_id": r[6], "detail": json.loads(r[7])}
            for r in self._q(sql + " ORDER BY time, rowid", params)
        ]

    # Low-level writes: call only inside :meth:`transaction` (review commands, merge do).
    def _put_review_decision(self, d: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO review_decisions (id, doc_id, reviewer, time, action, source_ids, gold_id, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (d["id"], d["doc_id"], d["reviewer"], d["time"], d["action"],
             json.dumps(d.get("source_ids") or [], ensure_ascii=False), d.get("gold_id"),
             json.dumps(d.get("detail") or {}, ensure_ascii=False, sort_keys=True)),
        )

    def _delete_review_decision(self, decision_id: str) -> None:
        self.conn.execute("DELETE FROM review_decisions WHERE id = ?", (decision_id,))

    # -- history --------------------------------------------------------------
    def log(self, actor: str, doc_id: str | None, action: str, detail: dict[str, Any] | None = None) -> None:
        self.conn.execute(
            "INSERT INTO history (time, actor, doc_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            (now(), actor, doc_id, action, json.dumps(detail or {}, ensure_ascii=False)),
        )

    def history(self, doc_id: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        sql = "SELECT seq, time, actor, doc_id, action, detail FROM history"
        params: tuple = ()
        if doc_id:
            sql += " WHERE doc_id = ?"
            params = (doc_id,)
        rows = self._q(sql + " ORDER BY seq DESC LIMIT ?", params + (limit,)).fetchall()
        return [
            {"seq": r[0], "time": r[1], "actor": r[2], "doc_id": r[3], "action": r[4], "detail": json.loads(r[5])}
            for r in rows
        ]

    # -- maintenance ----------------------------------------------------------
    def integrity_check(self) -> str:
        return self._q("PRAGMA integrity_check").fetchone()[0]


def _read_only_file(path: Path) -> bool:
    """Whether a project file is read-only for us: no write access, no write
    permission bits at all (a file marked read-only is respected even by root),
    or a folder we cannot write in (SQLite keeps its journal beside the file)."""
    return (
        not os.access(path, os.W_OK)
        or not path.stat().st_mode & 0o222
        or not os.access(path.parent, os.W_OK)
    )


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a read-only project file for reading.

    A WAL database opened read-only needs its ``-shm`` file, which a read-only
    file cannot get, so SQLite refuses even reads; then the file is opened as
    immutable, which is exact unless a ``-wal`` file holds changes not yet
    written back (a session that ended abruptly): that case gets a message.
    """
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=10.0)
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
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=10.0)


def copy_project(src: Path, dst: Path) -> None:
    """A consistent copy of a project file (uses SQLite's online backup)."""
    a = sqlite3.connect(str(src))
    try:
        b = sqlite3.connect(str(dst))
        with b:
            a.backup(b)
        b.close()
    finally:
        a.close()
