"""Errors of project files that a user can meet, and the translation of SQLite's.

Every one is a :class:`ProjectError` whose ``str()`` is the message to show
(not a project, a newer version, read-only, disk full, busy, changed meanwhile).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = [
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
]


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


class UntrustedProjectError(ProjectError):
    """A project file holding SQL objects (triggers, views, tables) the app never
    makes: it may have been crafted to harm whoever opens it; refused unread."""


class NetworkFilesystemError(ProjectError):
    """A project file on a network filesystem, where SQLite's locking and WAL are not safe."""


def translate_sqlite_error(err: sqlite3.Error, path: Path | str) -> ProjectError:
    """Turn an sqlite3 error into a ProjectError with a message for people."""
    msg = str(err)
    low = msg.lower()
    if "readonly" in low or "read-only" in low:
        return ReadOnlyProjectError(f"{path}: the project file is read-only; nothing was changed")
    if "disk is full" in low or "database or disk is full" in low or "full" in low and "disk" in low:
        return DiskFullError(f"{path}: the disk is full; the last action was not saved (nothing else was changed)")
    if "locked" in low or "busy" in low:
        return ProjectBusyError(f"{path}: the project is busy (another window or command is writing); try again")
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
        return NotAProjectError(f"{path}: not an annotator project (or the file is damaged): {msg}")
    return ProjectError(f"{path}: database error: {msg}")
