"""The project file: one SQLite database (WAL, foreign keys on) per project.

Everything a user does is written at once, one transaction per action (see
:mod:`annotator.core.commands`); bulk imports are one transaction per file.
Errors that a user can meet (not a project, a newer version, read-only, disk
full, busy) are :class:`ProjectError` subclasses whose ``str()`` is the message
to show (:mod:`annotator.core.errors`).

The store is the only part of the program that speaks SQL: :class:`Project` has
a typed method for every read and write the rest of the program needs, and
:func:`read_project_file` reads another project file whole for merging.  It is
split by responsibility, and everything is imported from here:

- this module: :class:`Project`, opening (and migrating) a project file,
  transactions, the schema, documents and annotations;
- :mod:`annotator.core.store_review`: the mixin
  :class:`~annotator.core.store_review.ReviewQueries` that gives
  :class:`Project` its bulk row reads (for exports, merges, review and
  agreement), review decisions, merge provenance and history;
- :mod:`annotator.core.store_kb`: the mixin
  :class:`~annotator.core.store_kb.KnowledgeBaseQueries`: knowledge bases, their
  entries and the candidate index (issue 14);
- :mod:`annotator.core.projectfile`: what makes a file a project, the read-only
  connection, reading another project file (:func:`read_project_file`) and
  copying one (:func:`copy_project`);
- :mod:`annotator.core.store_sql`: the SQL text and cursor wrapper they share.

The migrations are in :mod:`annotator.core.migrations`, the stored row types and
their conversions in :mod:`annotator.core.rows`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
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
    UntrustedProjectError,
    translate_sqlite_error,
)
from annotator.core.filesystems import NetworkFilesystemError, refuse_network_filesystem
from annotator.core.kinds import GOLD, DocStatus, now
from annotator.core.migrations import (
    FORMAT_VERSION,
    MIGRATION_SET,
    MIGRATION_STEPS,
    MIGRATIONS_TABLE,
    SEARCH_TABLE,
    SEARCH_THROUGH_KEY,
    get_migrations,
    sqlite_utils_classes,
)
from annotator.core.projectfile import (
    APPLICATION_ID,
    PROJECT_SUFFIX,
    SQLITE_MAGIC,
    ProjectFileRows,
    check_header,
    check_schema,
    connect_read_only,
    copy_project,
    harden,
    read_only_file,
    read_project_file,
)
from annotator.core.rows import (
    AnnotationRow,
    DocumentRow,
    annotation_row,
    document_row,
    row_to_annotation,
    row_to_document,
)
from annotator.core.store_coref import CorefQueries
from annotator.core.store_doclabels import DocLabelQueries
from annotator.core.store_kb import KbEntry, KbResource, KnowledgeBaseQueries
from annotator.core.store_review import ReviewQueries
from annotator.core.store_sql import ANN_INSERT, ANN_SELECT, DOC_INSERT, DOC_SELECT, Rows, autocommit
from annotator.core.store_suggest import RejectionKey, StoredSuggestion, SuggestionQueries
from annotator.core.store_team import TeamQueries

if TYPE_CHECKING:
    from sqlite_utils import Database

    from annotator.core.models import Annotation, Document
    from annotator.core.notes import Note
    from annotator.core.schema import LabelSchema

__all__ = [
    "Project",
    # knowledge bases (defined in annotator.core.store_kb)
    "KbEntry",
    "KbResource",
    # project files (defined in annotator.core.projectfile)
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
    "UntrustedProjectError",
    "NetworkFilesystemError",
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
    # suggestions (defined in annotator.core.store_suggest)
    "StoredSuggestion",
    "RejectionKey",
]


def __getattr__(name: str) -> Any:
    if name == "migrations":  # the migration set, as ``from annotator.core.store import migrations``
        return get_migrations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Bulk inserts write this many documents (or characters of text) per executemany.
_INSERT_BATCH = 500
_INSERT_BATCH_CHARS = 8_000_000


def _is_project_of_version(path: Path, version: int) -> bool:
    """Whether ``path`` is a complete project file of that format version (read
    from its SQLite header: magic, user_version, application_id)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return False
    return (
        len(head) == 100
        and head.startswith(b"SQLite format 3\x00")
        and int.from_bytes(head[60:64], "big") == version
        and int.from_bytes(head[68:72], "big") == APPLICATION_ID
    )


class Project(CorefQueries, ReviewQueries, TeamQueries, DocLabelQueries, KnowledgeBaseQueries, SuggestionQueries):
    """An open project file. Use as a context manager or call :meth:`close`.

    Its bulk row reads (for exports, merges, review and agreement), review
    decisions, merge provenance and history come from :class:`~annotator.core.store_review.ReviewQueries`, a
    stateless mixin that runs its statements through :meth:`_q` and
    :meth:`_q_many` (defined here); its suggestions, rejections and their
    provenance from :class:`~annotator.core.store_suggest.SuggestionQueries`, another.
    Its coreference records (clusters, members,
    the entity registry) come from :class:`~annotator.core.store_coref.CorefQueries`
    in the same way."""

    def __init__(self, path: str | Path, *, create: bool = False, schema: LabelSchema | None = None):
        self.path = Path(path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists and not create:
            raise ProjectError(f"{self.path}: no such project file")
        if exists:
            check_header(self.path)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.readonly = exists and read_only_file(self.path)
        if not self.readonly:
            refuse_network_filesystem(self.path)
        try:
            conn = connect_read_only(self.path) if self.readonly else harden(sqlite3.connect(str(self.path), timeout=10.0))
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
    def db(self) -> Database:
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
            rows = self.conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", (MIGRATION_SET,)).fetchall()
        except sqlite3.OperationalError:  # no such table
            return False
        return {r[0] for r in rows} >= {step.__name__ for step in MIGRATION_STEPS}

    # -- opening ------------------------------------------------------------
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
            if tables:  # before anything is written to it (a migration, a backup)
                check_schema(c, self.path)
        up_to_date = existed and app_id == APPLICATION_ID and self._up_to_date(version)
        if self.readonly:
            c.execute("PRAGMA query_only = ON")
            if not up_to_date and get_migrations().pending(self.db):
                raise ReadOnlyProjectError(f"{self.path}: read-only and made by an older version; cannot upgrade it")
            return
        with autocommit(c):
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
            with autocommit(c):
                c.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
                c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if not existed or c.execute("SELECT count(*) FROM label_schema").fetchone()[0] == 0:
            from annotator.core.schema import default_schema  # pydantic: only to make a project

            with self.transaction():
                self._write_schema(schema or default_schema())
                c.execute("INSERT OR REPLACE INTO meta VALUES ('created', ?)", (now(),))

    def _backup_before_migration(self, version: int) -> Path:
        """Copy the file before migrating it; written under a temporary name and
        renamed, so a backup that exists is complete (a crash mid-copy leaves a
        stray ``.tmp``, never a half backup under the real name)."""
        backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
        if _is_project_of_version(backup, version):
            # An upgrade cut short after its backup was made, and after some of its
            # migrations were committed: that backup is the file as it was, the file
            # itself no longer is (with several migrations to run, each commits alone).
            return backup
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

    def __enter__(self) -> Project:
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

    def _q(self, sql: str, params: Iterable[Any] = ()) -> Rows:
        """Run one statement; its rows.  sqlite errors (also while the rows are
        read) become ProjectErrors.  The store's own helper, also for
        :class:`~annotator.core.store_review.ReviewQueries`."""
        try:
            return Rows(self.conn.execute(sql, tuple(params)), self.path)
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self.path) from None

    def _q_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each parameter row (``executemany``); sqlite errors
        become ProjectErrors.  For writes, inside :meth:`transaction`."""
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.Error as err:
            raise translate_sqlite_error(err, self.path) from None

    # -- schema -------------------------------------------------------------
    @property
    def schema(self) -> LabelSchema:
        if self._schema is None:
            # The schema module (and pydantic) is imported here, when the schema is
            # first read: opening a project and showing its text need neither.
            from annotator.core.schema import default_schema, parse_schema

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
            for r in self._q(f"SELECT id, title, status, external_id, length(text) FROM documents WHERE id IN ({marks})", ids)
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

    def document_titles(self, ids: list[str]) -> dict[str, str]:
        """``{id: title}`` of the given documents, without reading their text (ids
        not in the project are missing)."""
        out: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ", ".join("?" * len(part))
            out.update(self._q(f"SELECT id, title FROM documents WHERE id IN ({marks})", part).fetchall())
        return out

    def get_document(self, doc_id: str) -> Document:
        row = self._q(f"SELECT {DOC_SELECT} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return row_to_document(row)

    def iter_documents(self, ids: Iterable[str] | None = None) -> Iterator[Document]:
        """Stream documents in import order (or the given ids), one at a time."""
        if ids is None:
            for row in self._q(f"SELECT {DOC_SELECT} FROM documents ORDER BY seq"):
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
            self.conn.executemany(DOC_INSERT, docs)
            self.conn.executemany(ANN_INSERT, anns)
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
        self.conn.execute(DOC_INSERT, document_row(doc))
        self.conn.executemany(ANN_INSERT, [annotation_row(a) for a in annotations])

    def log_import(self, actor: str, documents: int, annotations: int) -> None:
        """The history entry of an import (inside its transaction)."""
        self.log(actor, None, "import", {"documents": documents, "annotations": annotations})

    def set_status(self, doc_id: str, status: DocStatus | str) -> None:
        """Set a document's status (and its ``updated`` time); call inside :meth:`transaction`."""
        self.conn.execute("UPDATE documents SET status = ?, updated = ? WHERE id = ?", (str(status), now(), doc_id))

    def set_document_title(self, doc_id: str, title: str, metadata: dict[str, Any], *, actor: str) -> None:
        """Set a document's title and metadata (never its text), with a history
        entry; call inside :meth:`transaction`."""
        self.conn.execute(
            "UPDATE documents SET title = ?, metadata = ?, updated = ? WHERE id = ?",
            (title, json.dumps(metadata, ensure_ascii=False, sort_keys=True), now(), doc_id),
        )
        self.log(actor, doc_id, "retitle", {"title": title})

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

    # -- full-text search (the FTS5 index of m004; issue 16) --------------------
    # The index holds exactly the documents numbered up to ``search_indexed_through``
    # (meta); documents are numbered in import order, so those after it are the ones
    # still to index.  Imports and merges only store documents (indexing costs more
    # than storing them); :meth:`index_pending` indexes the rest (the app in idle
    # time, a search command first), and until then :meth:`search_candidates`
    # gives every unindexed document as a candidate, so a search is always complete.
    def search_indexed_through(self) -> int:
        """The number (``seq``) of the last document in the full-text index."""
        row = self._q(f"SELECT value FROM meta WHERE key = '{SEARCH_THROUGH_KEY}'").fetchone()
        return int(row[0]) if row else 0

    def search_pending(self) -> tuple[int, int]:
        """(documents, characters) not in the full-text index yet (reads their text
        to count its characters: :meth:`search_pending_documents` counts documents only)."""
        n, chars = self._q(
            "SELECT count(*), coalesce(sum(length(text)), 0) FROM documents WHERE seq > ?", (self.search_indexed_through(),)
        ).fetchone()
        return int(n), int(chars)

    def search_pending_documents(self) -> int:
        """How many documents are not in the full-text index yet (no text read)."""
        return self._count_documents_after(self.search_indexed_through())

    def index_next(self, max_docs: int) -> int | None:
        """Add the documents numbered in the next ``max_docs`` numbers after the
        index's mark to the full-text index, in one transaction, planned without
        reading any text (fewer documents where some were deleted): how many were
        indexed, or None when none is pending (or the project is read-only).
        Counts nothing: :meth:`search_pending_documents` walks an index."""
        if self.readonly:
            return None
        with self.transaction():
            through = self.search_indexed_through()
            last = int(self.conn.execute("SELECT coalesce(max(seq), 0) FROM documents").fetchone()[0])
            if last <= through:
                return None
            upto = min(last, through + max(1, max_docs))
            indexed = self.conn.execute(
                f"INSERT INTO {SEARCH_TABLE}(rowid, text) SELECT seq, text FROM documents WHERE seq > ? AND seq <= ?",
                (through, upto),
            ).rowcount
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (SEARCH_THROUGH_KEY, str(upto)))
            return int(indexed)

    def index_pending(self, max_chars: int | None = None) -> int:
        """Add documents not in the full-text index to it, in import order, about
        ``max_chars`` characters of text at a time (None: all; at least one
        document; reads the texts' lengths to plan), in one transaction; the
        number of documents still pending."""
        if self.readonly:
            return self._count_documents_after(self.search_indexed_through())
        with self.transaction():
            through = self.search_indexed_through()
            upto = through
            if max_chars is None:
                upto = int(self.conn.execute("SELECT coalesce(max(seq), 0) FROM documents").fetchone()[0])
            else:
                size = 0
                for seq, length in self.conn.execute(
                    "SELECT seq, length(text) FROM documents WHERE seq > ? ORDER BY seq", (through,)
                ):
                    if size and size + length > max_chars:
                        break
                    upto, size = seq, size + length
            if upto > through:
                self.conn.execute(
                    f"INSERT INTO {SEARCH_TABLE}(rowid, text) SELECT seq, text FROM documents WHERE seq > ? AND seq <= ?",
                    (through, upto),
                )
                self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (SEARCH_THROUGH_KEY, str(upto)))
            return self._count_documents_after(upto)

    def _count_documents_after(self, seq: int) -> int:
        # Counted in the status index (it holds every document's seq): the table's
        # own pages hold the texts, megabytes to walk for a count.
        return int(
            self.conn.execute("SELECT count(*) FROM documents INDEXED BY documents_status WHERE seq > ?", (seq,)).fetchone()[0]
        )

    def search_candidates(
        self,
        match: str | None,
        *,
        after: int = 0,
        limit: int = 200,
        status: str | Iterable[str] | None = None,
        label: str | None = None,
        annotator: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> list[tuple[int, str, str]]:
        """(seq, id, text) of up to ``limit`` documents after the one numbered
        ``after``, in import order: those the full-text index finds for the FTS5
        query ``match`` (None: every document), of ``status``, having an
        annotation labelled ``label`` (by ``annotator`` when given; ``annotator``
        alone: any annotation of theirs) and whose metadata has each key's value
        (compared as text).  Page on by passing the last seq as ``after``."""
        where: list[str] = []
        params: list[Any] = []
        if status:
            statuses = [status] if isinstance(status, str) else list(status)
            where.append(f"d.status IN ({', '.join('?' * len(statuses))})")
            params += statuses
        if label or annotator:
            sub, sub_params = [], []
            if label:
                sub.append("+a.label = ?")  # the per-document index, not the label one
                sub_params.append(label)
            if annotator:
                sub.append("a.annotator = ?")
                sub_params.append(annotator)
            where.append(f"EXISTS (SELECT 1 FROM annotations a WHERE a.doc_id = d.id AND {' AND '.join(sub)})")
            params += sub_params
        for name, value in (metadata or {}).items():
            where.append("CAST(json_extract(d.metadata, ?) AS TEXT) IS ?")
            params += ['$."' + name.replace('"', '\\"') + '"', value]
        filters = "".join(f" AND {w}" for w in where)
        plain = f"SELECT d.seq, d.id, d.text FROM documents d WHERE d.seq > ?{filters} ORDER BY d.seq LIMIT ?"
        if match is None:
            return self._q(plain, [after, *params, limit]).fetchall()
        # The index's matches (all numbered up to ``through``), then every document
        # not in the index yet (numbered after it): import order without a sort.
        through = self.search_indexed_through()
        rows: list[tuple[int, str, str]] = []
        if after < through:
            rows = self._q(
                f"SELECT d.seq, d.id, d.text FROM {SEARCH_TABLE} CROSS JOIN documents d ON d.seq = {SEARCH_TABLE}.rowid "
                f"WHERE {SEARCH_TABLE} MATCH ? AND {SEARCH_TABLE}.rowid > ?{filters} ORDER BY {SEARCH_TABLE}.rowid LIMIT ?",
                [match, after, *params, limit],
            ).fetchall()
        if len(rows) < limit:
            rows += self._q(plain, [max(after, through), *params, limit - len(rows)]).fetchall()
        return rows

    def search_index_ok(self) -> bool:
        """Whether the full-text index holds exactly the documents' text (FTS5's
        integrity check against its content table); indexes pending documents first."""
        self.index_pending()
        try:
            self.conn.execute(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError:
            return False
        return True

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        """Delete documents with their annotations and review decisions, and take
        them out of the full-text index; call inside :meth:`transaction`."""
        ids = [(i,) for i in doc_ids]
        through = self.search_indexed_through()
        self.conn.executemany(
            f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, text) "
            "SELECT 'delete', seq, text FROM documents WHERE id = ? AND seq <= ?",
            [(i, through) for (i,) in ids],
        )
        self.conn.executemany("DELETE FROM documents WHERE id = ?", ids)
        # The next document stored is numbered after the last one left: when the
        # last ones were deleted, the index's mark must come down to it, or that
        # document would count as indexed and never be.
        last = int(self.conn.execute("SELECT coalesce(max(seq), 0) FROM documents").fetchone()[0])
        if last < through:
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (SEARCH_THROUGH_KEY, str(last)))
        for (doc_id,) in ids:
            self._lengths.pop(doc_id, None)

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
    def annotations(self, doc_id: str, annotator: str | None = None, kinds: Iterable[str] | None = None) -> list[Annotation]:
        sql = f"SELECT {ANN_SELECT} FROM annotations WHERE doc_id = ?"
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
        row = self._q(f"SELECT {ANN_SELECT} FROM annotations WHERE id = ?", (ann_id,)).fetchone()
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
            found.update(
                self._q(f"SELECT id, doc_id FROM annotations WHERE id IN ({', '.join('?' * len(part))})", part).fetchall()
            )
        return found

    def iter_all_annotations(self, annotator: str | None = None) -> Iterator[Annotation]:
        sql = f"SELECT {ANN_SELECT} FROM annotations"
        params: tuple = ()
        if annotator is not None:
            sql += " WHERE annotator = ?"
            params = (annotator,)
        for row in self._q(sql + " ORDER BY rowid", params):
            yield row_to_annotation(row)

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
        self.conn.executemany(ANN_INSERT, rows)

    def delete_annotations(self, ann_ids: Iterable[str]) -> None:
        """Delete the annotations with these ids (ids not stored are ignored)."""
        self.conn.executemany("DELETE FROM annotations WHERE id = ?", [(i,) for i in ann_ids])

    def annotation_rows_by_id(self, ids: Iterable[str]) -> dict[str, AnnotationRow]:
        """Stored rows of those of ``ids`` that are stored, by id (one query per 500 ids)."""
        ids = list(ids)
        out: dict[str, AnnotationRow] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            for row in self._q(f"SELECT {ANN_SELECT} FROM annotations WHERE id IN ({', '.join('?' * len(part))})", part):
                out[row[0]] = AnnotationRow(*row)
        return out

    # -- annotate all: provenance, "never here", auto-propagation (issue 16) ----
    def put_propagated_from(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Record ``(annotation id, origin)`` of propagated annotations; call inside :meth:`transaction`."""
        self._q_many("INSERT OR REPLACE INTO propagated_from (ann_id, origin) VALUES (?, ?)", list(pairs))

    def delete_propagated_from(self, ann_ids: Iterable[str]) -> None:
        """Forget the origin of these annotations; call inside :meth:`transaction`."""
        self._q_many("DELETE FROM propagated_from WHERE ann_id = ?", [(i,) for i in ann_ids])

    def propagated_from(self, ann_ids: Iterable[str]) -> dict[str, str]:
        """``{annotation id: origin}`` of those of ``ann_ids`` that were propagated."""
        ids = list(ann_ids)
        out: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            out.update(
                self._q(
                    f"SELECT ann_id, origin FROM propagated_from WHERE ann_id IN ({', '.join('?' * len(part))})", part
                ).fetchall()
            )
        return out

    def never_here(self, label: str | None = None, doc_ids: Iterable[str] | None = None) -> set[tuple[str, int, int, str]]:
        """The rejected occurrences ``(doc_id, start, end, label)`` (of ``label``
        and of ``doc_ids`` when given)."""
        sql = 'SELECT doc_id, start, "end", label FROM never_here'
        where: list[str] = []
        params: list[Any] = []
        if label is not None:
            where.append("label = ?")
            params.append(label)
        if doc_ids is not None:
            ids = list(doc_ids)
            if not ids:
                return set()
            where.append(f"doc_id IN ({', '.join('?' * len(ids))})")
            params += ids
        if where:
            sql += " WHERE " + " AND ".join(where)
        return {(d, s, e, lab) for d, s, e, lab in self._q(sql, params)}

    def add_never_here(self, keys: Iterable[tuple[str, int, int, str]], actor: str) -> None:
        """Remember rejected occurrences ``(doc_id, start, end, label)``; call inside :meth:`transaction`."""
        stamp = now()
        self._q_many(
            'INSERT OR REPLACE INTO never_here (doc_id, start, "end", label, actor, time) VALUES (?, ?, ?, ?, ?, ?)',
            [(d, s, e, lab, actor, stamp) for d, s, e, lab in keys],
        )

    def remove_never_here(self, keys: Iterable[tuple[str, int, int, str]]) -> None:
        """Forget rejected occurrences; call inside :meth:`transaction`."""
        self._q_many('DELETE FROM never_here WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ?', list(keys))

    def auto_propagate_labels(self) -> set[str]:
        """The labels whose new spans are propagated within their document at once."""
        row = self._q("SELECT value FROM meta WHERE key = 'auto_propagate'").fetchone()
        return set(json.loads(row[0])) if row else set()

    def set_auto_propagate_labels(self, labels: Iterable[str]) -> None:
        """Set the labels whose new spans are propagated within their document (one transaction)."""
        with self.transaction():
            self._q(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('auto_propagate', ?)",
                (json.dumps(sorted(set(labels)), ensure_ascii=False),),
            )

    # -- notes (issue 14) -----------------------------------------------------
    _NOTE_COLUMNS = "n.doc_id, n.annotator, n.target, n.type, n.text, n.updated"
    #: Notes whose target is the document or an annotation that exists.
    _NOTE_LIVE = "(n.target = '' OR EXISTS (SELECT 1 FROM annotations a WHERE a.id = n.target))"

    def has_notes(self) -> bool:
        """Whether the project holds any note (exports skip looking for them otherwise)."""
        return self._q("SELECT 1 FROM notes LIMIT 1").fetchone() is not None

    def notes(self, doc_id: str, annotator: str | None = None) -> list[Note]:
        """The notes of a document (on it and on its annotations that exist), of
        one layer when ``annotator`` is given; by target, then type."""
        from annotator.core.notes import Note  # not needed to show a document

        sql = f"SELECT {self._NOTE_COLUMNS} FROM notes n WHERE n.doc_id = ? AND {self._NOTE_LIVE}"
        params: list[Any] = [doc_id]
        if annotator is not None:
            sql += " AND n.annotator = ?"
            params.append(annotator)
        return [Note(*r) for r in self._q(sql + " ORDER BY n.target, n.type, n.annotator", params)]

    def notes_by_document(self, doc_ids: Iterable[str], annotator: str | None = None) -> dict[str, list[Note]]:
        """``{doc_id: notes}`` for many documents (exports, merges)."""
        from annotator.core.notes import Note  # not needed to show a document

        ids = list(doc_ids)
        out: dict[str, list[Note]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            sql = (
                f"SELECT {self._NOTE_COLUMNS} FROM notes n WHERE n.doc_id IN ({', '.join('?' * len(part))}) AND {self._NOTE_LIVE}"
            )
            params: list[Any] = list(part)
            if annotator is not None:
                sql += " AND n.annotator = ?"
                params.append(annotator)
            for r in self._q(sql + " ORDER BY n.doc_id, n.target, n.type, n.annotator", params):
                out.setdefault(r[0], []).append(Note(*r))
        return out

    def get_note(self, doc_id: str, annotator: str, target: str, note_type: str) -> Note | None:
        """One note as stored (also one whose annotation is gone), or None."""
        from annotator.core.notes import Note  # not needed to show a document

        row = self._q(
            f"SELECT {self._NOTE_COLUMNS} FROM notes n WHERE n.doc_id = ? AND n.annotator = ? AND n.target = ? AND n.type = ?",
            (doc_id, annotator, target, note_type),
        ).fetchone()
        return Note(*row) if row else None

    def put_notes(self, notes: Iterable[Note]) -> None:
        """Write notes (replacing those with the same key); call inside :meth:`transaction`."""
        self._q_many(
            "INSERT OR REPLACE INTO notes (doc_id, annotator, target, type, text, updated) VALUES (?, ?, ?, ?, ?, ?)",
            [(n.doc_id, n.annotator, n.target, n.type, n.text, n.updated or now()) for n in notes],
        )

    def delete_note(self, doc_id: str, annotator: str, target: str, note_type: str) -> None:
        """Delete one note; call inside :meth:`transaction`."""
        self._q(
            "DELETE FROM notes WHERE doc_id = ? AND annotator = ? AND target = ? AND type = ?",
            (doc_id, annotator, target, note_type),
        )

    def iter_notes(self, annotator: str | None = None, doc_ids: Iterable[str] | None = None) -> Iterator[Note]:
        """Every live note (of one layer, of some documents), in import order of documents."""
        from annotator.core.notes import Note  # not needed to show a document

        sql = f"SELECT {self._NOTE_COLUMNS} FROM notes n JOIN documents d ON d.id = n.doc_id WHERE {self._NOTE_LIVE}"
        params: list[Any] = []
        if annotator is not None:
            sql += " AND n.annotator = ?"
            params.append(annotator)
        if doc_ids is not None:
            ids = list(doc_ids)
            if not ids:
                return
            sql += f" AND n.doc_id IN ({', '.join('?' * len(ids))})"
            params += ids
        for r in self._q(sql + " ORDER BY d.seq, n.target, n.type", params).fetchall():
            yield Note(*r)

    # -- maintenance ----------------------------------------------------------
    def integrity_check(self) -> str:
        return self._q("PRAGMA integrity_check").fetchone()[0]
