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

Every undo or redo says what it did (:attr:`UndoController.stepped`: "Undid:
add entity ORG “Beijing”", "Nothing to undo."), for the status bar: the entries
are named after the command and the text of the span it concerns
(:func:`describe`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.core.commands import (
    AddAnnotations,
    Changes,
    Command,
    CommandError,
    DeleteAnnotations,
    Macro,
    UpdateAnnotation,
    apply,
    revert,
)
from annotator.core.constraints import one_line
from annotator.core.store import Project, ProjectError

if TYPE_CHECKING:
    from annotator.core.models import Annotation

log = logging.getLogger(__name__)

#: QUndoCommand.id() of boundary adjustments, which merge into one undo step.
BOUNDARY_MERGE_ID = 1001
#: Characters of a span's text quoted in an undo entry's name.
QUOTED_CHARACTERS = 30


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

    def __init__(
        self, controller: UndoController, command: Command, origin: Origin, *, merge_key: str | None = None, text: str = ""
    ):
        super().__init__(text or command.text)
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
    #: What an undo or redo did, for the status bar ("Undid: add entity ORG “Beijing”",
    #: "Nothing to undo."); emitted after :attr:`changed`.
    stepped = Signal(str)

    def __init__(self, stack: QUndoStack, parent: QObject | None = None):
        super().__init__(parent)
        self.stack = stack
        #: (project, doc_id, text) of the last document an entry was named from.
        self._text: tuple[Project, str, str] | None = None

    def undo(self) -> None:
        """Undo the last entry (Edit > Undo), or say there is nothing to undo."""
        if not self.stack.canUndo():
            self.stepped.emit("Nothing to undo.")
            return
        self.stack.undo()

    def redo(self) -> None:
        """Redo the next entry (Edit > Redo), or say there is nothing to redo."""
        if not self.stack.canRedo():
            self.stepped.emit("Nothing to redo.")
            return
        self.stack.redo()

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
        self.stack.push(CoreUndoCommand(self, command, origin, merge_key=merge_key, text=self._describe(project, command)))
        self.changed.emit(changes)
        self._announce_others([command])
        return changes

    def _announce_others(self, commands: list[Command]) -> None:
        """A command that also changed other documents than its own (annotate all
        across the corpus: ``other_documents``): views showing those reload them."""
        others = sorted({d for c in commands for d in getattr(c, "other_documents", ())})
        if others:
            self.changed.emit(documents_changed(others))

    def _describe(self, project: Project, command: Command) -> str:
        """The entry's name (:func:`describe`); the document's text is read once per document."""
        if describe_subject(command) is None:
            return command.text
        cached = self._text
        if cached is None or cached[0] is not project or cached[1] != command.doc_id:
            try:
                cached = (project, command.doc_id, project.document_text(command.doc_id))
            except (KeyError, ProjectError):
                return command.text
            self._text = cached
        return describe(command, cached[2])

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
        self._announce_others(entry.commands)
        self.stepped.emit(f"{'Undid' if direction == 'undo' else 'Redid'}: {entry.text()}")

    @staticmethod
    def _step(project: Project, commands: list[Command], direction: str) -> Changes:
        # A merged entry runs as one Macro: all its parts in one transaction.
        first = commands[0]
        cmd = first if len(commands) == 1 else Macro(first.doc_id, first.actor, commands, first.text)
        return (apply if direction == "redo" else revert)(project, cmd)


def describe_subject(command: Command) -> Annotation | None:
    """The span annotation an applied command is about (the one it adds, deletes or
    changes), or None (a status change, a relation, several deletions)."""
    subject: Annotation | None = None
    if isinstance(command, AddAnnotations):
        subject = command.annotations[0]
    elif isinstance(command, DeleteAnnotations):
        subject = (command.before or {}).get(command.ids[0]) if len(command.ids) == 1 else None
    elif isinstance(command, UpdateAnnotation):
        subject = command.after.get(command.ann_id)
    return subject if subject is not None and subject.span is not None else None


def describe(command: Command, text: str) -> str:
    """An applied command in words, for the undo history and the status bar:
    its own text and the text of the span it concerns (``add entity ORG
    “Beijing”``, ``delete ORG “Beijing”``); ``text`` is the document's."""
    subject = describe_subject(command)
    if subject is None:
        return command.text
    quoted = f"“{one_line(subject.text_in(text), QUOTED_CHARACTERS)}”"
    if isinstance(command, DeleteAnnotations):
        return f"delete {subject.label} {quoted}"
    return f"{command.text} {quoted}"


def is_boundary_update(command: Command) -> bool:
    """Whether a command only moves the boundaries of one annotation."""
    return isinstance(command, UpdateAnnotation) and set(command.changes) <= {"start", "end"} and bool(command.changes)
