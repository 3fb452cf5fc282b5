"""The project file: one SQLite database (WAL, foreign keys on) per project.

Everything a user does is written at once, one transaction per action (see
:mod:`annotator.core.commands`); bulk imports are one transaction per file.
Errors that a user can meet (not a project, a newer version, read-only, disk
full, busy) are :class:`ProjectError` subclasses whose ``str()`` is the message
to show (:mod:`annotator.core.errors`).

This module is the only one that speaks SQL: :class:`Project` has a typed
method for every read and write the rest of the program needs, and
:func:`read_project_file` reads another project file whole for merging.  The
migrations are in :mod:`annotator.core.migrations`, the stored row types and
their conversions in :mod:`annotator.core.rows`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.errors import (
    ConflictError,
    DiskFullError,
    NewerProjectError,
    NotAProjectError,
    ProjectBusyError,
    ProjectError,
    ReadOnlyProjectError,
    translate_sqlite_error,
)
from annotator.core.migrations import (
    FORMAT_VERSION,
    MIGRATION_SET,
    MIGRATION_STEPS,
    MIGRATIONS_TABLE,
    get_migrations,
    sqlite_utils_classes,
)
from annotator.core.kinds import GOLD, DocStatus, now
from annotator.core.rows import (
    ANNOTATION_COLUMNS,
    DOCUMENT_COLUMNS,
    AnnotationRow,
    DocumentRow,
    annotation_row,
    as_annotation_rows,
    as_document_rows,
    document_row,
    row_to_annotation,
    row_to_document,
)
from annotator.core.schema_entry import default_schema, parse_schema  # pydantic on first call

if TYPE_CHECKING:
    from sqlite_utils import Database

    from annotator.core.models import Annotation, Document
    from annotator.core.schema import LabelSchema

__all__ = [
    "Project",
    "ProjectFileRows",
    "read_project_file",
    "copy_project",
    "APPLICATION_ID",
    "SQLITE_MAGIC",
    "PROJECT_SUFFIX",
    # errors (defined in annotator.core.errors)
    "ProjectError",
    "NotAProjectError",
    "NewerProjectError",
    "ReadOnlyProjectError",
    "DiskFullError",
    "ProjectBusyError",
    "ConflictError",
    "translate_sqlite_error",
    # migrations (defined in annotator.core.migrations)
    "FORMAT_VERSION",
    "MIGRATION_STEPS",
    "get_migrations",
    # rows (defined in annotator.core.rows)
    "AnnotationRow",
    "DocumentRow",
    "annotation_row",
    "row_to_annotation",
    "document_row",
    "row_to_document",
]

#: SQLite ``application_id`` of annotator projects ("ANNT").
APPLICATION_ID = 0x414E4E54
SQLITE_MAGIC = b"SQLite format 3\x00"
PROJECT_SUFFIX = ".annotator"


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

_ANN_SELECT = ", ".join(f'"{c}"' for c in ANNOTATION_COLUMNS)
_ANN_INSERT = (
    f"INSERT INTO annotations ({_ANN_SELECT}) VALUES ({', '.join('?' * len(ANNOTATION_COLUMNS))})"
)
_DOC_SELECT = ", ".join(DOCUMENT_COLUMNS)
_DOC_INSERT = f"INSERT INTO documents ({_DOC_SELECT}) VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))})"
_DECISION_SELECT = "SELECT id, doc_id, reviewer, time, action, source_ids, gold_id, detail FROM review_decisions"
#: Bulk inserts write this many documents (or characters of text) per executemany.
_INSERT_BATCH = 500
_INSERT_BATCH_CHARS = 8_000_000


def _decision(r: tuple) -> dict[str, Any]:
    """A review decision of its stored row."""
    return {"id": r[0], "doc_id": r[1], "reviewer": r[2], "time": r[3], "action": r[4],
            "source_ids": json.loads(r[5]), "gold_id": r[6], "detail": json.loads(r[7])}


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
            database_class, _ = sqlite_utils_classes()
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

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """One read transaction: every read inside sees the project as it was at the
        first (WAL: writers go on meanwhile).  Inside a transaction of this
        connection, that transaction is the snapshot."""
        if self.conn.in_transaction:
            yield
            return
        try:
            self.conn.execute("BEGIN")
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self.path) from None
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.rollback()  # nothing was written: ending the read is all

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
        row = self._q(f"SELECT {_DOC_SELECT} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return row_to_document(row)

    def iter_documents(self, ids: Iterable[str] | None = None) -> Iterator[Document]:
        """Stream documents in import order (or the given ids), one at a time."""
        if ids is None:
            for row in self._q(f"SELECT {_DOC_SELECT} FROM documents ORDER BY seq"):
                yield row_to_document(row)
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
            docs, anns = self.add_documents(items)
            self.log_import(actor, docs, anns)
        return docs

    def add_documents(self, items: Iterable[tuple[Document, list[Annotation]]]) -> tuple[int, int]:
        """Write documents and their annotations as ``items`` yields them, in batches
        (a few hundred documents or a few megabytes of text each), and add their
        annotators; call inside :meth:`transaction`.  Returns (documents, annotations).
        The rows are those :meth:`insert_documents` writes, in the same order."""
        n_docs = n_anns = size = 0
        names: set[str] = set()
        docs: list[tuple] = []
        anns: list[AnnotationRow] = []

        def flush() -> None:
            self.conn.executemany(_DOC_INSERT, docs)
            self.conn.executemany(_ANN_INSERT, anns)
            names.update(r.annotator for r in anns)
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
        self.ensure_annotators(names)
        return n_docs, n_anns

    def add_document(self, doc: Document, annotations: Iterable[Annotation]) -> None:
        """Write one new document and its annotations, nothing else (annotators and
        history are the caller's); call inside :meth:`transaction`."""
        self.conn.execute(_DOC_INSERT, document_row(doc))
        self.conn.executemany(_ANN_INSERT, [annotation_row(a) for a in annotations])

    def log_import(self, actor: str, documents: int, annotations: int) -> None:
        """The history entry of an import (inside its transaction)."""
        self.log(actor, None, "import", {"documents": documents, "annotations": annotations})

    def set_status(self, doc_id: str, status: DocStatus | str) -> None:
        """Set a document's status (and its ``updated`` time); call inside :meth:`transaction`."""
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

    def document_shas(self) -> dict[str, str]:
        """``{document id: sha256 of its text}`` of every document."""
        return dict(self._q("SELECT id, sha256 FROM documents").fetchall())

    def lookup_document(self, *, doc_id: str | None = None, external_id: str | None = None) -> tuple[str, str] | None:
        """``(id, title)`` of the document with id ``doc_id`` or, given instead,
        external id ``external_id`` (the first stored); None when there is none."""
        if (doc_id is None) == (external_id is None):
            raise ValueError("give doc_id or external_id")
        if doc_id is not None:
            row = self._q("SELECT id, title FROM documents WHERE id = ?", (doc_id,)).fetchone()
        else:
            row = self._q("SELECT id, title FROM documents WHERE external_id = ?", (external_id,)).fetchone()
        return (row[0], row[1]) if row else None

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
        return set(self.annotation_document_ids(ids))

    def annotation_document_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """``{annotation id: its document's id}`` of those of ``ids`` that are stored
        (one query per 500 ids)."""
        ids = list(ids)
        found: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            found.update(self._q(f"SELECT id, doc_id FROM annotations WHERE id IN ({', '.join('?' * len(part))})", part).fetchall())
        return found

    def iter_all_annotations(self, annotator: str | None = None) -> Iterator[Annotation]:
        sql = f"SELECT {_ANN_SELECT} FROM annotations"
        params: tuple = ()
        if annotator is not None:
            sql += " WHERE annotator = ?"
            params = (annotator,)
        for row in self._q(sql + " ORDER BY rowid", params):
            yield row_to_annotation(row)

    def document_rows(self, ids: list[str]) -> dict[str, DocumentRow]:
        """Stored rows of the given documents by id, one query per 500 ids; ids not
        in the project are missing from the result.  For bulk readers (exports);
        :func:`~annotator.core.rows.row_to_document` makes a Document of one."""
        out: dict[str, DocumentRow] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            for row in as_document_rows(self._q(f"SELECT {_DOC_SELECT} FROM documents WHERE id IN ({', '.join('?' * len(part))})", part).fetchall()):
                out[row.id] = row
        return out

    def annotation_rows_by_document(self, doc_ids: list[str], annotator: str | None = None) -> dict[str, list[AnnotationRow]]:
        """Stored rows of the given documents' annotations (of ``annotator``, or all)
        by document id, each document's in the order :meth:`annotations` gives
        them; one query per 500 documents."""
        out: dict[str, list[AnnotationRow]] = {}
        for i in range(0, len(doc_ids), 500):
            part = doc_ids[i : i + 500]
            sql = f"SELECT {_ANN_SELECT} FROM annotations WHERE doc_id IN ({', '.join('?' * len(part))})"
            params: list[Any] = list(part)
            if annotator is not None:
                sql += " AND annotator = ?"
                params.append(annotator)
            for row in as_annotation_rows(self._q(sql + " ORDER BY rowid", params).fetchall()):
                bucket = out.get(row.doc_id)
                if bucket is None:
                    bucket = out[row.doc_id] = []
                bucket.append(row)
        return out

    def document_annotation_rows(self, doc_id: str) -> list[AnnotationRow]:
        """Stored rows of one document's annotations, by annotator, then in the
        order they were stored."""
        return as_annotation_rows(self._q(
            f"SELECT {_ANN_SELECT} FROM annotations WHERE doc_id = ? ORDER BY annotator, rowid", (doc_id,)
        ).fetchall())

    def annotation_rows(self, annotators: Iterable[str] | None = None, scan: bool = False) -> list[AnnotationRow]:
        """Stored rows of the annotations of ``annotators`` (None: everyone's), in
        the order they were stored, for bulk readers (statistics, the review queue).

        ``scan``: read the table from start to end instead of looking the rows up
        through the annotator index and sorting them (same rows, same order; faster
        when ``annotators`` own most of the annotations)."""
        if annotators is None:
            return as_annotation_rows(self._q(f"SELECT {_ANN_SELECT} FROM annotations ORDER BY rowid").fetchall())
        names = list(annotators)
        column = "+annotator" if scan else "annotator"  # "+": the index is not used
        return as_annotation_rows(self._q(
            f"SELECT {_ANN_SELECT} FROM annotations WHERE {column} IN ({', '.join('?' * len(names))}) ORDER BY rowid", names
        ).fetchall())

    def annotation_columns(self, columns: Iterable[str], annotators: Iterable[str], scan: bool = False) -> list[tuple]:
        """Plain rows of only ``columns`` (annotation column names, in the table's order)
        of the annotations of ``annotators``, in the order they were stored (as
        :meth:`annotation_rows`, for bulk readers that need a few columns, such as
        :data:`~annotator.core.rows.AGREEMENT_COLUMNS`)."""
        wanted = list(columns)
        if wanted != [c for c in ANNOTATION_COLUMNS if c in wanted]:
            raise ValueError(f"not annotation columns in the table's order: {', '.join(wanted)}")
        select = ", ".join(f'"{c}"' for c in ANNOTATION_COLUMNS if c in wanted)  # SQL from the known names only
        names = list(annotators)
        column = "+annotator" if scan else "annotator"  # "+": the index is not used
        return self._q(
            f"SELECT {select} FROM annotations "
            f"WHERE {column} IN ({', '.join('?' * len(names))}) ORDER BY rowid", names
        ).fetchall()

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

    @staticmethod
    def _kinds_filter(kinds: Iterable[str], annotator: str | None) -> tuple[str, list[Any]]:
        kinds = list(kinds)
        where = f"kind IN ({', '.join('?' * len(kinds))})"
        params: list[Any] = kinds
        if annotator is not None:
            where += " AND annotator = ?"
            params.append(annotator)
        return where, params

    def documents_with_annotations(self, kinds: Iterable[str], annotator: str | None = None) -> set[str]:
        """Ids of the documents with at least one annotation of ``kinds`` (of ``annotator``, when given)."""
        where, params = self._kinds_filter(kinds, annotator)
        return {r[0] for r in self._q(f"SELECT DISTINCT doc_id FROM annotations WHERE {where}", params).fetchall()}

    def documents_with_several_annotators(self, kinds: Iterable[str], annotator: str | None = None) -> dict[str, list[str]]:
        """``{document id: its annotators}`` of the documents whose annotations of
        ``kinds`` (of ``annotator``, when given) are by more than one annotator."""
        where, params = self._kinds_filter(kinds, annotator)
        rows = self._q(
            f"SELECT doc_id, json_group_array(DISTINCT annotator) FROM annotations WHERE {where} "
            "GROUP BY doc_id HAVING count(DISTINCT annotator) > 1",
            params,
        ).fetchall()
        return {d: json.loads(names) for d, names in rows}

    def annotators(self, include_gold: bool = False) -> list[str]:
        names = [r[0] for r in self._q("SELECT name FROM annotators ORDER BY name")]
        return names if include_gold else [n for n in names if n != GOLD]

    def add_annotator(self, name: str) -> None:
        with self.transaction():
            self.ensure_annotators({name})

    def ensure_annotators(self, names: Iterable[str]) -> None:
        """Add those of ``names`` not known yet to the annotators; call inside :meth:`transaction`."""
        stamp = now()
        self.conn.executemany("INSERT OR IGNORE INTO annotators VALUES (?, ?)", [(n, stamp) for n in names])

    def annotation_counts(self) -> list[tuple[str, str, str, int]]:
        """(kind, label, annotator, count) over the whole project."""
        return self._q(
            "SELECT kind, label, annotator, count(*) FROM annotations GROUP BY kind, label, annotator ORDER BY kind, label, annotator"
        ).fetchall()

    # Writes: call only inside :meth:`transaction` (commands, imports and merges do).
    def put_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Store annotations, replacing any stored under the same ids."""
        self.put_annotation_rows([annotation_row(a) for a in annotations])

    def put_annotation_rows(self, rows: list[AnnotationRow]) -> None:
        """Store annotation rows, replacing any stored under the same ids."""
        self.conn.executemany("DELETE FROM annotations WHERE id = ?", [(r.id,) for r in rows])
        self.conn.executemany(_ANN_INSERT, rows)

    def delete_annotations(self, ann_ids: Iterable[str]) -> None:
        """Delete the annotations with these ids (ids not stored are ignored)."""
        self.conn.executemany("DELETE FROM annotations WHERE id = ?", [(i,) for i in ann_ids])

    # -- review and agreement queries -------------------------------------------
    def annotator_counts(self) -> dict[str, int]:
        """``{annotator: number of annotations}`` of everyone with at least one
        (read from the annotator index alone)."""
        return dict(self._q("SELECT annotator, count(*) FROM annotations GROUP BY annotator").fetchall())

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
        sql = _DECISION_SELECT
        params: tuple = ()
        if doc_id is not None:
            sql += " WHERE doc_id = ?"
            params = (doc_id,)
        return [_decision(r) for r in self._q(sql + " ORDER BY time, rowid", params)]

    def review_decision_exists(self, decision_id: str) -> bool:
        return self._q("SELECT 1 FROM review_decisions WHERE id = ?", (decision_id,)).fetchone() is not None

    # Writes: call only inside :meth:`transaction` (review commands, imports and merges do).
    def put_review_decision(self, d: dict[str, Any]) -> None:
        """Store a review decision (``id``, ``doc_id``, ``reviewer``, ``time``,
        ``action``, optional ``source_ids``, ``gold_id``, ``detail``), replacing one
        with the same id."""
        self.conn.execute(
            "INSERT OR REPLACE INTO review_decisions (id, doc_id, reviewer, time, action, source_ids, gold_id, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (d["id"], d["doc_id"], d["reviewer"], d["time"], d["action"],
             json.dumps(d.get("source_ids") or [], ensure_ascii=False), d.get("gold_id"),
             json.dumps(d.get("detail") or {}, ensure_ascii=False, sort_keys=True)),
        )

    def delete_review_decision(self, decision_id: str) -> None:
        self.conn.execute("DELETE FROM review_decisions WHERE id = ?", (decision_id,))

    # -- merge provenance -----------------------------------------------------
    def merged_stamps(self, origin: str, ann_ids: Iterable[str]) -> dict[str, str]:
        """``{annotation id: when it was last merged}`` of those of ``ann_ids`` that a
        merge of ``origin`` brought (one query per 500 ids)."""
        ids = list(ann_ids)
        out: dict[str, str] = {}
        for k in range(0, len(ids), 500):
            part = ids[k : k + 500]
            out.update(self._q(
                f"SELECT ann_id, merged FROM merge_provenance WHERE origin = ? AND ann_id IN ({', '.join('?' * len(part))})",
                [origin, *part],
            ).fetchall())
        return out

    def remember_merged(self, ann_ids: Iterable[str], origin: str, stamp: str) -> None:
        """Record that a merge of ``origin`` at ``stamp`` brought (or confirmed) these
        annotations; call inside :meth:`transaction`."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO merge_provenance (ann_id, origin, merged) VALUES (?, ?, ?)",
            [(i, origin, stamp) for i in ann_ids],
        )

    def forget_merged(self, ann_ids: Iterable[str]) -> None:
        """Drop the merge provenance of these annotations; call inside :meth:`transaction`."""
        self.conn.executemany("DELETE FROM merge_provenance WHERE ann_id = ?", [(i,) for i in ann_ids])

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


def read_project_file(path: Path) -> ProjectFileRows:
    """Read a whole project file read-only, without opening it as a
    :class:`Project` (no migration, no write, the file may be another user's).

    Raises :class:`ProjectError` (a message naming the file) when it is not an
    annotator project, was made by a newer version or cannot be read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as err:
        raise ProjectError(f"{path}: cannot read: {err.strerror or err}") from None
    # The header on disk may lag behind (WAL): the application id is checked through SQLite too.
    if int.from_bytes(head[68:72], "big") not in (0, APPLICATION_ID):
        raise NotAProjectError(f"{path}: an SQLite file, but not an annotator project")
    try:
        conn = _connect_read_only(path)
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
        schema = None
        if "label_schema" in tables:
            row = conn.execute("SELECT body FROM label_schema WHERE id = 1").fetchone()
            schema = row[0] if row else None
        return ProjectFileRows(
            meta=dict(conn.execute("SELECT key, value FROM meta").fetchall()),
            schema=schema,
            documents=as_document_rows(conn.execute(f"SELECT {_DOC_SELECT} FROM documents ORDER BY seq").fetchall()),
            annotations=as_annotation_rows(conn.execute(f"SELECT {_ANN_SELECT} FROM annotations ORDER BY rowid").fetchall()),
            annotators=[r[0] for r in conn.execute("SELECT name FROM annotators")] if "annotators" in tables else [],
            review_decisions=[_decision(r) for r in conn.execute(_DECISION_SELECT + " ORDER BY rowid")]
            if "review_decisions" in tables else [],
        )
    except sqlite3.Error as err:
        raise ProjectError(f"{path}: cannot read the project: {err}") from None
    finally:
        conn.close()


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
