"""Core commands in Qt's undo stack, and the one change bus of the UI.

Every change the UI makes to a project goes through one
:class:`UndoController` (the main window's): annotation edits of the
workspace, review decisions, and changes that are not commands (an import, a
merge of a colleague's work: :meth:`UndoController.publish`). After each one
it emits :attr:`UndoController.changed` with the core's typed
:class:`~annotator.core.commands.Changes`, and every window refreshes what
changed: the workspace and its panels, the document list, the main window's
header and status bar, the review window. Changes that are not one command's
say which documents changed wholesale: ``Changes.documents`` (a merge,
:func:`documents_changed`) or ``Changes.all_documents`` ("any document may have
changed, documents may have been added": an import, :func:`any_document`).

One :class:`QUndoStack` serves the whole project: every entry knows its
document and its origin (the workspace or a review view, see :class:`Origin`),
and undoing or redoing an entry of another document first switches its origin
to that document, so the user sees what is undone.

A command is applied *before* it is pushed (:meth:`UndoController.push`): a
command the core refuses never enters the stack, and the push's first
``redo()`` does not run it a second time. When undo or redo fails (the data
was changed in another window or process, the disk is full, ...), the message
is shown and the entry is made obsolete, which makes QUndoStack drop it: the
stack then matches the database again.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.core.commands import Changes, Command, CommandError, Macro, UpdateAnnotation, apply, revert
from annotator.core.store import Project, ProjectError

log = logging.getLogger(__name__)

#: QUndoCommand.id() of boundary adjustments, which merge into one undo step.
BOUNDARY_MERGE_ID = 1001


def any_document() -> Changes:
    """Changes of unknown extent (an import): every view reloads what it shows."""
    return Changes(all_documents=True)


def documents_changed(doc_ids: list[str]) -> Changes:
    """These documents changed wholesale (a merge): views showing them reload them."""
    return Changes(documents=frozenset(doc_ids))


class Origin(Protocol):
    """Where a command comes from (the workspace, a review view)."""

    #: The project the origin's commands are applied to.
    project: Project | None

    def show_document(self, doc_id: str) -> None:
        """Show ``doc_id`` (before one of the origin's commands is undone or redone there)."""

    def report_error(self, text: str) -> None:
        """Tell the user that a command was refused or could not be undone (plain text)."""


class CoreUndoCommand(QUndoCommand):
    """A QUndoCommand running one or more core commands (merged boundary steps)."""

    def __init__(self, controller: UndoController, command: Command, origin: Origin, *, merge_key: str | None = None):
        super().__init__(command.text)
        self.controller = controller
        self.origin = origin
        self.commands: list[Command] = [command]
        self.merge_key = merge_key
        self._applied = True  # pushed after it ran: the push's redo() must not run it again

    @property
    def doc_id(self) -> str:
        return self.commands[0].doc_id

    def id(self) -> int:  # noqa: A003 - Qt's name
        return BOUNDARY_MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, CoreUndoCommand) or other.merge_key is None or other.merge_key != self.merge_key:
            return False
        self.commands.extend(other.commands)
        return True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.controller._run(self, "redo")

    def undo(self) -> None:
        self.controller._run(self, "undo")


class UndoController(QObject):
    """The change bus: applies core commands, keeps the QUndoStack in step with
    the database, and tells every window what changed."""

    #: A command was applied, undone or redone, or a change was published:
    #: refresh what it changed (doc_id None: any document).
    changed = Signal(Changes)

    def __init__(self, stack: QUndoStack, parent: QObject | None = None):
        super().__init__(parent)
        self.stack = stack

    def push(self, command: Command, origin: Origin, *, merge_key: str | None = None) -> Changes | None:
        """Apply ``command`` to the origin's project and put it on the stack; None
        (and a message to the origin) if refused.

        ``merge_key``: consecutive pushes with the same key become one undo step
        (used for repeated boundary nudges of the same annotation).
        """
        project = origin.project
        if project is None:
            return None
        try:
            changes = apply(project, command)
        except (CommandError, ProjectError) as err:
            origin.report_error(str(err))
            return None
        self.stack.push(CoreUndoCommand(self, command, origin, merge_key=merge_key))
        self.changed.emit(changes)
        return changes

    def publish(self, changes: Changes) -> None:
        """Announce a change made outside commands (not undoable: an import, a merge)."""
        self.changed.emit(changes)

    def _run(self, entry: CoreUndoCommand, direction: str) -> None:
        origin = entry.origin
        project = origin.project
        if project is None:
            entry.setObsolete(True)
            return
        origin.show_document(entry.doc_id)
        try:
            changes = self._step(project, entry.commands, direction)
        except (CommandError, ProjectError) as err:
            entry.setObsolete(True)
            log.warning("%s of %r failed: %s", direction, entry.text(), err)
            origin.report_error(
                f"Could not {direction} '{entry.text()}': {err}\n"
                "Nothing was changed, and that step was removed from the undo history."
            )
            return
        self.changed.emit(changes)

    @staticmethod
    def _step(project: Project, commands: list[Command], direction: str) -> Changes:
        # A merged entry runs as one Macro: all its parts in one transaction.
        first = commands[0]
        cmd = first if len(commands) == 1 else Macro(first.doc_id, first.actor, commands, first.text)
        return (apply if direction == "redo" else revert)(project, cmd)


def is_boundary_update(command: Command) -> bool:
    """Whether a command only moves the boundaries of one annotation."""
    return isinstance(command, UpdateAnnotation) and set(command.changes) <= {"start", "end"} and bool(command.changes)
