"""The note editor of the inspector (issue 14): the note of one type on the
selected annotation, or on the open document.

The type is an editable combo box (``AnnotatorNotes`` first, then the types the
target has notes of); the text a plain-text field (never rich text). The note
is saved when the field loses the focus or on Ctrl+Enter, as one undoable step;
an emptied note is deleted; Esc puts back the stored text. The widget never
changes the project: it emits :attr:`NoteEditor.noteEdited`, which the workspace
turns into a :class:`~annotator.core.commands.SetNote` command.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from annotator.ui.actions import plain_tooltip

#: brat's note type, the default (annotator.core.notes.DEFAULT_NOTE_TYPE; not imported: no core import for the first paint).
DEFAULT_TYPE = "AnnotatorNotes"


class NoteEditor(QGroupBox):
    """One note: its type and its text, saved on focus-out or Ctrl+Enter."""

    #: (target: annotation id or "" for the document, type, text; "" deletes)
    noteEdited = Signal(str, str, str)

    def __init__(self, title: str, placeholder: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        row = QHBoxLayout()
        caption = QLabel("T&ype")
        self.type_box = QComboBox()
        self.type_box.setEditable(True)
        self.type_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.type_box.setToolTip(plain_tooltip("The note's type (one word): AnnotatorNotes unless you need others"))
        caption.setBuddy(self.type_box)
        row.addWidget(caption)
        row.addWidget(self.type_box, 1)
        layout.addLayout(row)
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        self.edit.setMaximumHeight(90)
        self.edit.setToolTip(plain_tooltip("Saved when you leave the field or press Ctrl+Enter; Esc puts back the saved note"))
        self.edit.installEventFilter(self)
        layout.addWidget(self.edit)
        self.target: str | None = None
        #: type -> text of the target's stored notes
        self.notes: dict[str, str] = {}
        self._shown_type = DEFAULT_TYPE
        self.type_box.currentTextChanged.connect(self._type_changed)

    # -- showing ---------------------------------------------------------------------
    def set_target(self, target: str | None, notes: dict[str, str]) -> None:
        """Show the notes of ``target`` (None: nothing to note; the editor is disabled).
        The type shown stays if the target has a note of it, else AnnotatorNotes, else its first."""
        if self.target is not None and target != self.target:
            self.commit()  # the note being typed belongs to the previous target
        same = target == self.target
        self.target = target
        self.notes = dict(notes)
        keep = self._shown_type if (same or self._shown_type in notes) else ""
        chosen = keep or (DEFAULT_TYPE if DEFAULT_TYPE in notes or not notes else sorted(notes)[0])
        self.type_box.blockSignals(True)
        self.type_box.clear()
        for t in [DEFAULT_TYPE, *sorted(t for t in notes if t != DEFAULT_TYPE)]:
            self.type_box.addItem(t)
        self.type_box.setCurrentText(chosen)
        self.type_box.blockSignals(False)
        self._show(chosen, force=not same)
        self.setEnabled(target is not None)

    def _show(self, note_type: str, *, force: bool = True) -> None:
        self._shown_type = note_type
        stored = self.notes.get(note_type, "")
        if force or not self.edit.hasFocus():
            if self.edit.toPlainText() != stored:
                self.edit.setPlainText(stored)

    def _type_changed(self, note_type: str) -> None:
        self.commit()
        self._show(note_type.strip() or DEFAULT_TYPE)

    # -- saving ----------------------------------------------------------------------
    def pending(self) -> bool:
        """Whether the field holds text that is not saved."""
        return self.target is not None and self.edit.toPlainText().strip() != self.notes.get(self._shown_type, "").strip()

    def commit(self) -> None:
        """Save the note being edited, if it changed."""
        if not self.pending():
            return
        assert self.target is not None
        text = self.edit.toPlainText().strip()
        self.notes[self._shown_type] = text
        self.noteEdited.emit(self.target, self._shown_type, text)

    def revert(self) -> None:
        self.edit.setPlainText(self.notes.get(self._shown_type, ""))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.edit:
            if event.type() == QEvent.Type.FocusOut:
                self.commit()
            elif event.type() == QEvent.Type.KeyPress:
                assert isinstance(event, QKeyEvent)
                if (
                    event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                    and event.modifiers() & Qt.KeyboardModifier.ControlModifier
                ):
                    self.commit()
                    return True
                if event.key() == Qt.Key.Key_Escape and self.pending():
                    self.revert()
                    return True
        return super().eventFilter(watched, event)
