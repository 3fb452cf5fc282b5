"""Keys and clicks in the annotation workspace: what a key press in the text means.

Keys (see :data:`COMMAND_KEYS` and the schema's shortcuts) act only while the
article view or the annotation list has focus (:meth:`KeyHandling.install_keys`):
never while typing into a field. With a claim selected, Shift + a letter sets a
claim attribute value (:func:`claim_attribute_keys`: one letter per value, shown
in the inspector). A document label key (the schema's categories; never a span
label key) sets or removes that label of the whole document. The number keys 1-9 are the roles of the current event while
another span is selected after it
(:meth:`~annotator.ui.workspace_picking.Picking.argument_target`), and label
keys otherwise. :class:`KeyHandling` is a part of
:class:`~annotator.ui.workspace.Workspace` (its state and actions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from annotator.core.schema import LabelSchema

#: Shift+letter commands of the text (label keys are lower case, so these never clash).
COMMAND_KEYS: dict[str, tuple[str, str]] = {
    "A": (
        "add_argument",
        "Add an argument to the selected event (choose the role, then click the filler; "
        "with a span selected after the event: that span)",
    ),
    "K": ("pick_claimant", "Pick the claimant of the selected claim (then click an entity span)"),
    "R": ("add_relation", "Add a relation from the selected span (choose the type, then click the tail)"),
}

#: Keys handled in the text, for the shortcuts reference: (keys, what they do).
TEXT_KEYS: list[tuple[str, str]] = [
    ("Shift+Arrows, drag, double-click", "Select text (snapped to whole words when word snapping is on)"),
    (
        "Label key (see palette)",
        "With text selected: annotate it with that label. With a span selected and no text selected: change its label",
    ),
    ("Click a span", "Select it (Ctrl+click or clicking again cycles through overlapping spans)"),
    (
        "1-9 (a span selected after an event)",
        "After selecting an event, click another span (or make one with a label key), then press its role's "
        "number: it becomes the event's argument in that role (the banner lists the numbers). Esc ends",
    ),
    (
        "Document label key (see the bar above the text)",
        "Set that label of the whole document, or remove it when set; in a one-of group it replaces the one chosen",
    ),
    ("Delete / Backspace", "Delete the selected annotation (its links go with it; Ctrl+Z brings all back)"),
    ("Alt+Left / Alt+Right", "Move the start of the selected span"),
    ("Alt+Shift+Left / Alt+Shift+Right", "Move the end of the selected span"),
    (
        "Ctrl+drag",
        "Add the dragged text as a fragment of the selected span (a discontinuous span: "
        "“The economy … is collapsing”); Ctrl+Shift+G does the same with the selected text",
    ),
    (
        "Shift+Delete",
        "Remove the current fragment of a discontinuous span (the one clicked or moved last); "
        "Alt(+Shift)+arrows move that fragment's start (end)",
    ),
    *[(f"Shift+{k}", text) for k, (_name, text) in COMMAND_KEYS.items()],
    ("Shift+letter (a claim selected)", "Set a claim attribute: the letter the inspector shows next to the value"),
    ("Enter (while picking)", "Use the selected text as the filler/claimant/tail (asks its entity label)"),
    ("Escape", "Cancel picking; else deselect the annotation"),
    ("Tab / Shift+Tab", "Move between the text and the panels"),
]


def claim_attribute_keys(schema: LabelSchema) -> dict[str, tuple[str, str]]:
    """Lower-case letter -> (attribute, value): Shift + the letter sets that claim
    attribute value (never one of the Shift+letter commands)."""
    return schema.claim.attribute_keys(reserved=[k.lower() for k in COMMAND_KEYS])


class KeyHandling:
    """The workspace's key handling: an event filter on the text and the annotation list."""

    def install_keys(self, widget: QWidget) -> None:
        """Let ``widget`` (the text, the annotation list) take the annotation keys."""
        widget.installEventFilter(self)
        self._key_widgets.append(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        etype = event.type()
        if etype == QEvent.Type.KeyPress and watched in self._key_widgets and isinstance(event, QKeyEvent):
            if self.handle_key(event):
                event.accept()
                return True
        elif etype == QEvent.Type.ShortcutOverride and watched in self._key_widgets and isinstance(event, QKeyEvent):
            # Our keys win over window shortcuts while the text has focus.
            if self._key_command(event) is not None:
                event.accept()
                return True
        elif (
            etype == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and watched is self.view.viewport()
        ):
            self._click_released(event.position().toPoint())
        return super().eventFilter(watched, event)

    def _click_released(self, pos: QPoint) -> None:
        """A click on text without spans deselects the annotation."""
        if self.pick is not None or self.posmap is None or self.selected_id is None:
            return
        if self.view.textCursor().hasSelection():
            return
        qt_pos = self.view.cursorForPosition(pos).position()
        cp = self.posmap.to_cp(min(qt_pos, self.posmap.qt_length))
        if not self.view.annotations_at(cp) and not (cp > 0 and self.view.annotations_at(cp - 1)):
            self.select_annotation(None)

    def _key_command(self, event: QKeyEvent) -> Callable[[], None] | None:
        """What a key press in the text means (None: not ours)."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = event.key()
        no_mods = mods == Qt.KeyboardModifier.NoModifier
        if key == Qt.Key.Key_Escape and no_mods:
            if self.chooser is not None and self.chooser.isVisible():
                return None
            if self.pick is not None:
                return self.cancel_pick
            if self.selected_id is not None or self.current_event is not None:

                def deselect() -> None:
                    self.end_current_event()
                    self.select_annotation(None)

                return deselect
            return None
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and no_mods:
            return self.delete_selected
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and mods == Qt.KeyboardModifier.ShiftModifier:
            return self.remove_fragment
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and mods & Qt.KeyboardModifier.AltModifier:
            extra = mods & ~(Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
            if extra == Qt.KeyboardModifier.NoModifier:
                which = "end" if mods & Qt.KeyboardModifier.ShiftModifier else "start"
                delta = -1 if key == Qt.Key.Key_Left else 1
                return lambda: self.adjust_boundary(which, delta)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and no_mods and self.pick is not None:
            return self.complete_pick_from_selection
        text = event.text()
        if not text or len(text) != 1 or not text.isprintable() or text.isspace():
            return None
        if mods == Qt.KeyboardModifier.ShiftModifier and text.isalpha():
            command = COMMAND_KEYS.get(text.upper())
            return getattr(self, command[0]) if command else self._claim_attribute_key(text)
        if no_mods and text in "123456789" and self.argument_target() is not None:
            number = int(text)  # a role of the current event, for the selected span
            return lambda: self.assign_role(number)
        if no_mods:
            text = text.lower()  # Caps Lock
        elif mods != Qt.KeyboardModifier.ShiftModifier:
            return None
        schema = self.schema
        if schema is None:
            return None
        hit = schema.shortcuts().get(text)
        if hit is None:
            doc_hit = schema.doc_label_keys().get(text)  # never a span label key (the schema checks)
            if doc_hit is None:
                return None
            return lambda: self.press_doc_label(*doc_hit)
        return lambda: self.press_label(*hit)

    def _claim_attribute_key(self, letter: str) -> Callable[[], None] | None:
        """Shift + ``letter`` with a claim selected (and not picking): set the
        attribute value of that letter, one undoable step."""
        current = self.selected()
        schema = self.schema
        if current is None or current.kind != "claim" or schema is None or self.pick is not None:
            return None
        hit = claim_attribute_keys(schema).get(letter.lower())
        if hit is None:
            return None
        name, value = hit

        def set_value() -> None:
            if current.attributes.get(name) == value:
                self.message.emit(f"{name.replace('_', ' ')} is already {value}.")
            elif self.set_claim_attribute(current.id, name, value):
                self.message.emit(f"{name.replace('_', ' ')}: {value} (Ctrl+Z undoes).")

        return set_value

    def handle_key(self, event: QKeyEvent) -> bool:
        command = self._key_command(event)
        if command is None:
            return False
        command()
        return True
