"""The annotation workspace: what the user's keys and clicks mean.

:class:`Workspace` holds the open project, the annotator, the current document
and its annotations (the annotator's own), and the selected annotation. It
turns gestures into core commands pushed through the change bus
(:class:`~annotator.ui.undo.UndoController`), and on every change the bus
announces refreshes only what changed (signals for the panels;
``ArticleView.apply_changes``).

Keys (see :data:`COMMAND_KEYS` and the schema's shortcuts) act only while the
article view or the annotation list has focus (:meth:`Workspace.install_keys`):
never while typing into a field.

Picking: adding an argument, a claimant or a relation's tail puts the
workspace in a *pick mode* (:class:`Pick`): the next span clicked in the text,
or the text selection plus an entity key (or Enter), completes it; Escape
cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QMenu, QWidget

from annotator.core.commands import (
    AddAnnotations,
    Changes,
    Command,
    DeleteAnnotations,
    Macro,
    SetArgument,
    SetStatus,
    UpdateAnnotation,
)
from annotator.core.constraints import claimant_problem, filler_problem, relation_warnings
from annotator.core.models import Annotation, DocStatus, Document, claim, entity, relation
from annotator.core.models import event as event_annotation
from annotator.core.schema import LabelSchema
from annotator.core.store import Project, ProjectError
from annotator.core.text import QtPositionMap
from annotator.ui.actions import escape_mnemonic
from annotator.ui.annotation_panel import one_line
from annotator.ui.article_view import ArticleView
from annotator.ui.undo import UndoController

#: Shift+letter commands of the text (label keys are lower case, so these never clash).
COMMAND_KEYS: dict[str, tuple[str, str]] = {
    "A": ("add_argument", "Add an argument to the selected event (choose the role, then click the filler)"),
    "K": ("pick_claimant", "Pick the claimant of the selected claim (then click an entity span)"),
    "R": ("add_relation", "Add a relation from the selected span (choose the type, then click the tail)"),
}

#: Keys handled in the text, for the shortcuts reference: (keys, what they do).
TEXT_KEYS: list[tuple[str, str]] = [
    ("Shift+Arrows, drag, double-click", "Select text (snapped to whole words when word snapping is on)"),
    ("Label key (see palette)", "With text selected: annotate it with that label. "
                                "With a span selected and no text selected: change its label"),
    ("Click a span", "Select it (Ctrl+click or clicking again cycles through overlapping spans)"),
    ("Delete / Backspace", "Delete the selected annotation (its links go with it; Ctrl+Z brings all back)"),
    ("Alt+Left / Alt+Right", "Move the start of the selected span"),
    ("Alt+Shift+Left / Alt+Shift+Right", "Move the end of the selected span"),
    *[(f"Shift+{k}", text) for k, (_name, text) in COMMAND_KEYS.items()],
    ("Enter (while picking)", "Use the selected text as the filler/claimant/tail (asks its entity label)"),
    ("Escape", "Cancel picking; else deselect the annotation"),
    ("Tab / Shift+Tab", "Move between the text and the panels"),
]


class ChooserMenu(QMenu):
    """A popup whose entries are also chosen by their label's one-key shortcut."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.keys: dict[str, QAction] = {}

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        action = self.keys.get(event.text().lower()) if event.text() else None
        if action is not None and action.isEnabled():
            self.close()
            action.trigger()
            return
        super().keyPressEvent(event)


@dataclass
class Pick:
    """Waiting for the user to pick a span: an argument filler, a claimant or a relation tail."""

    what: str  # "argument" | "claimant" | "relation"
    source: str  # event, claim or head annotation id
    role: str = ""  # argument role or relation type

    def instruction(self, ws: "Workspace") -> str:
        src = ws.anns.get(self.source)
        quoted = f"“{one_line(src.text_in(ws.text), 30)}”" if src else ""
        if self.what == "argument":
            return (f"Pick the {self.role} of {src.label if src else 'the event'} {quoted}: click a span, "
                    "or select text and press an entity key (or Enter). Esc cancels.")
        if self.what == "claimant":
            return ("Pick the claimant: click an entity span, or select text and press an entity key "
                    "(or Enter). Esc cancels.")
        return (f"Pick the tail of {self.role} from {quoted}: click a span, or select text and press "
                "an entity key (or Enter). Esc cancels.")


class Workspace(QObject):
    """State and gestures of the annotation window (see the module doc)."""

    #: A document was opened (or the project closed: "").
    documentOpened = Signal(str)
    #: Annotations of the current document changed: added, removed ids, updated.
    annotationsChanged = Signal(list, set, list)
    #: The selected annotation changed (id or None).
    selectionChanged = Signal(object)
    #: Pick mode started (its instruction) or ended ("").
    modeChanged = Signal(str)
    #: Information for the status bar.
    message = Signal(str)
    #: A schema warning or a refused action, for the status bar (plain text).
    warning = Signal(str)

    def __init__(self, view: ArticleView, controller: UndoController, parent: QObject | None = None):
        super().__init__(parent)
        self.view = view
        self.controller = controller
        self.stack = controller.stack
        self.project: Project | None = None
        self.annotator = ""
        self.doc_id: str | None = None
        self.document: Document | None = None
        self.text = ""
        self.posmap: QtPositionMap | None = None
        self.anns: dict[str, Annotation] = {}
        self.selected_id: str | None = None
        self.pick: Pick | None = None
        #: The open chooser popup (role, relation type, label), for tests and keyboard users.
        self.chooser: QMenu | None = None
        controller.changed.connect(self._apply_changes)
        view.annotationClicked.connect(self._span_clicked)
        view.viewport().installEventFilter(self)
        self._key_widgets: list[QWidget] = []
        self.install_keys(view)

    # ------------------------------------------------------------------ project
    @property
    def schema(self) -> LabelSchema | None:
        return self.project.schema if self.project is not None else None

    def set_project(self, project: Project | None, annotator: str) -> None:
        """Switch to another project (or none); the undo history starts afresh."""
        self._set_pick(None)
        self.stack.clear()
        self.project, self.annotator = project, annotator
        if project is not None and annotator:
            try:
                project.add_annotator(annotator)
            except ProjectError:
                pass  # read-only: the name is recorded with the first edit that can be saved
        self._close_document()

    def set_annotator(self, name: str) -> None:
        """Annotate as someone else: their annotations are shown; undo history restarts."""
        self.stack.clear()
        self.annotator = name
        if self.project is not None:
            try:
                self.project.add_annotator(name)
            except ProjectError:
                pass
        doc_id = self.doc_id
        self._close_document(emit=False)
        if doc_id:
            self.open_document(doc_id)

    def _close_document(self, emit: bool = True) -> None:
        self.doc_id, self.document, self.text, self.posmap = None, None, "", None
        self.anns, self.selected_id = {}, None
        self.view.set_article("", [], self.schema or LabelSchema())
        if emit:
            self.documentOpened.emit("")
            self.selectionChanged.emit(None)

    # ------------------------------------------------------------------ documents
    def open_document(self, doc_id: str) -> bool:
        """Show ``doc_id`` with the annotator's annotations; False if it does not exist."""
        if self.project is None:
            return False
        if doc_id == self.doc_id:
            return True
        try:
            doc = self.project.get_document(doc_id)
            anns = self.project.annotations(doc_id, annotator=self.annotator)
        except KeyError:
            self.warning.emit("That document no longer exists in the project.")
            return False
        self._set_pick(None)
        self.doc_id, self.document, self.text = doc.id, doc, doc.text
        self.posmap = QtPositionMap(doc.text)
        self.anns = {a.id: a for a in anns}
        self.selected_id = None
        self.view.set_article(doc.text, list(self.anns.values()), self.project.schema)
        self.view.set_selected_annotation(None)
        self.documentOpened.emit(doc.id)
        self.selectionChanged.emit(None)
        return True

    def show_document(self, doc_id: str) -> None:
        """Make ``doc_id`` current (the undo stack calls this before undoing its entries)."""
        if doc_id != self.doc_id:
            self.open_document(doc_id)

    def report_error(self, text: str) -> None:
        """A refused command or a failed undo/redo (for the status bar)."""
        self.warning.emit(text)

    @property
    def status(self) -> DocStatus | None:
        return self.document.status if self.document is not None else None

    def set_status(self, status: DocStatus | str) -> None:
        if self.doc_id is None:
            return
        status = DocStatus(status)
        if status == self.status:
            return
        self.run(SetStatus(self.doc_id, self.annotator, status))

    def mark_done(self) -> None:
        if self.doc_id is None:
            self.message.emit("Open a document first.")
            return
        self.set_status(DocStatus.DONE)
        if self.status == DocStatus.DONE:
            self.message.emit("Marked done. Ctrl+N opens the next unfinished document.")

    # ------------------------------------------------------------------ changes
    def run(self, command: Command, *, merge_key: str | None = None) -> bool:
        """Apply a command through the undo stack; False (with a message) if refused.

        The annotations it acts on must still be as this window shows them: if
        another window or process changed them meanwhile, the core refuses
        (ConflictError, shown as a warning) and the document is shown afresh,
        so an edit made elsewhere is never silently overwritten."""
        project = self.project
        if project is None:
            return False
        shown = [self.anns[i] for i in _acted_on(command) if i in self.anns]
        if shown and not command.seen:
            command.expecting(*shown)
        if self.controller.push(command, self, merge_key=merge_key) is not None:
            return True
        if shown and self.doc_id is not None and any(_changed(project.get_annotation(a.id), a) for a in shown):
            doc_id, self.doc_id = self.doc_id, None
            self.open_document(doc_id)
        return False

    def _apply_changes(self, changes: Changes) -> None:
        """Refresh the open document's annotations and status from what a command
        changed (documents changed wholesale, by an import or a merge, leave it as
        it is: an edit of an annotation changed there is refused and reloads it)."""
        project = self.project
        if project is None or changes.wholesale:
            return
        if changes.doc_id == self.doc_id and self.doc_id is not None:
            if changes.status is not None and self.document is not None:
                self.document.status = changes.status
            fetched = {i: project.get_annotation(i) for i in changes.added | changes.updated}
            mine = {i: a for i, a in fetched.items() if a is not None and a.annotator == self.annotator}
            added = [mine[i] for i in sorted(changes.added) if i in mine]
            updated = [mine[i] for i in sorted(changes.updated) if i in mine]
            removed = {i for i in changes.removed if i in self.anns}
            for ann_id in removed:
                del self.anns[ann_id]
            self.anns.update(mine)
            if added or updated or removed:
                self.view.apply_changes(added, removed, updated)
                if self.selected_id in removed:
                    self.selected_id = None
                self.annotationsChanged.emit(added, removed, updated)
                self.view.set_selected_annotation(self.selected_id)
                self.selectionChanged.emit(self.selected_id)

    # ------------------------------------------------------------------ selection
    def selected(self) -> Annotation | None:
        return self.anns.get(self.selected_id or "")

    def select_annotation(self, ann_id: str | None, *, reveal: bool = False) -> None:
        """Select an annotation (None: none) in the text, the list and the inspector."""
        if ann_id is not None and ann_id not in self.anns:
            ann_id = None
        self.selected_id = ann_id
        self.view.set_selected_annotation(ann_id)
        if reveal and ann_id is not None:
            self._reveal(self.anns[ann_id])
        self.selectionChanged.emit(ann_id)

    def _reveal(self, ann: Annotation) -> None:
        target = ann if ann.span is not None else self.anns.get(ann.head or "")
        if target is not None and target.start is not None:
            self.view.select_span(target.start, target.start, True)

    def has_text_selection(self) -> bool:
        if self.doc_id is None or not self.view.textCursor().hasSelection():
            return False
        start, end = self.view.selection_span()
        return start < end

    def _collapse_selection(self, at: int) -> None:
        self.view.select_span(at, at, False)

    def _span_clicked(self, ann_id: str) -> None:
        if self.pick is not None:
            self.complete_pick(ann_id)
        else:
            self.select_annotation(ann_id)

    # ------------------------------------------------------------------ keys
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
            if self.selected_id is not None:
                return lambda: self.select_annotation(None)
            return None
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and no_mods:
            return self.delete_selected
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
            return getattr(self, command[0]) if command else None
        if no_mods:
            text = text.lower()  # Caps Lock
        elif mods != Qt.KeyboardModifier.ShiftModifier:
            return None
        schema = self.schema
        hit = schema.shortcuts().get(text) if schema is not None else None
        if hit is None:
            return None
        return lambda: self.press_label(*hit)

    def handle_key(self, event: QKeyEvent) -> bool:
        command = self._key_command(event)
        if command is None:
            return False
        command()
        return True

    # ------------------------------------------------------------------ annotating
    def press_label(self, kind: str, label: str) -> None:
        """A label key or palette click: annotate, relabel, or complete a pick."""
        if self.doc_id is None:
            self.message.emit("Open a document first.")
            return
        if kind == "relation":
            self.add_relation(label)
            return
        selecting = self.has_text_selection()
        if self.pick is not None:
            if selecting and kind == "entity":
                self.complete_pick_with_new(label)
            else:
                self.warning.emit("While picking, select text and press an entity key, or click a span (Esc cancels).")
            return
        if selecting:
            self.annotate_selection(kind, label)
            return
        current = self.selected()
        if current is None:
            self.message.emit("Select some text first (drag, double-click, or Shift+arrows), then press the key.")
        elif current.kind == kind:
            self.change_label(current.id, label)
        else:
            self.warning.emit(
                f"The selected annotation is a{'n' if current.kind[0] in 'aeiou' else ''} {current.kind}; "
                f"to add a{'n' if kind[0] in 'aeiou' else ''} {kind}, select text first."
            )

    def _new_span(self, kind: str, label: str, start: int, end: int) -> Annotation:
        assert self.doc_id is not None and self.schema is not None
        if kind == "entity":
            return entity(self.doc_id, start, end, label, self.annotator)
        if kind == "event":
            return event_annotation(self.doc_id, start, end, label, self.annotator)
        defaults = {a.name: a.default for a in self.schema.claim.attributes if a.default is not None}
        return claim(self.doc_id, start, end, self.annotator, attributes=defaults)

    def _same_span(self, kind: str, label: str | None, start: int, end: int) -> Annotation | None:
        return next(
            (a for a in self.anns.values()
             if a.kind == kind and a.start == start and a.end == end and (label is None or a.label == label)),
            None,
        )

    def annotate_selection(self, kind: str, label: str) -> Annotation | None:
        """Annotate the selected text as ``kind``/``label``; the new annotation is selected."""
        if self.doc_id is None:
            return None
        start, end = self.view.selection_span()
        if start >= end:
            self.message.emit("Select some text first.")
            return None
        existing = self._same_span(kind, label, start, end)
        if existing is not None:
            self._collapse_selection(end)
            self.select_annotation(existing.id)
            self.message.emit(f"That text is already annotated as {label}.")
            return existing
        ann = self._new_span(kind, label, start, end)
        if not self.run(AddAnnotations(self.doc_id, self.annotator, [ann])):
            return None
        self._collapse_selection(end)
        self.select_annotation(ann.id)
        quoted = f"“{one_line(ann.text_in(self.text), 40)}”"
        hints = {
            "event": f"{label} {quoted} added. Shift+A adds an argument.",
            "claim": f"Claim {quoted} added. Shift+K picks its claimant; set its attributes in the inspector.",
        }
        self.message.emit(hints.get(kind, f"{label} {quoted} added."))
        return ann

    def change_label(self, ann_id: str, label: str) -> None:
        ann = self.anns.get(ann_id)
        if ann is None or ann.label == label or self.doc_id is None:
            return
        if self.run(UpdateAnnotation(self.doc_id, self.annotator, ann_id, text=f"change label to {label}", label=label)):
            self.message.emit(f"Label changed from {ann.label} to {label}.")

    def delete_selected(self) -> None:
        ann = self.selected()
        if ann is None or self.doc_id is None:
            self.message.emit("Select an annotation to delete (click its span or its row).")
            return
        if self.run(DeleteAnnotations(self.doc_id, self.annotator, [ann.id])):
            what = f"“{one_line(ann.text_in(self.text), 30)}”" if ann.span else ""
            self.message.emit(f"Deleted {ann.label} {what} (Ctrl+Z brings it back).")

    def adjust_boundary(self, which: str, delta: int) -> None:
        """Move the start or end of the selected span by one (word with snapping)."""
        ann = self.selected()
        if ann is None or ann.span is None or self.doc_id is None:
            self.message.emit("Select a span first; Alt+arrows move its start, Alt+Shift+arrows its end.")
            return
        new = self.view.adjust_selected_boundary(which, delta)
        if new is None or tuple(new) == ann.span:
            self.message.emit(f"The {which} cannot move further that way.")
            return
        start, end = new
        self.run(
            UpdateAnnotation(self.doc_id, self.annotator, ann.id, text="adjust boundaries", start=start, end=end),
            merge_key=f"bounds:{ann.id}",
        )

    # -- events ------------------------------------------------------------------
    def add_argument(self, role: str | None = None) -> None:
        """Start adding an argument to the selected event (asks the role when None)."""
        ev = self.selected()
        if ev is None or ev.kind != "event" or self.schema is None:
            self.message.emit("Select an event first (click its trigger), then add an argument.")
            return
        et = self.schema.event_type(ev.label)
        if et is None or not et.roles:
            self.warning.emit(f"The schema gives {ev.label} no roles.")
            return
        if not role:
            have = {a.role for a in ev.arguments}
            options = []
            for r in et.roles:
                note = ", ".join(r.labels) if r.labels else "any"
                star = " *" if r.required and r.name not in have else ""
                options.append((f"{r.name}{star}  ({note})", r.name))
            self.choose(f"Role for {ev.label}", options, self.add_argument)
            return
        if et.role(role) is None:
            self.warning.emit(f"{role} is not a role of {ev.label}.")
            return
        self._start_pick(Pick("argument", ev.id, role))

    def remove_argument(self, event_id: str, role: str, target: str) -> None:
        if self.doc_id is not None:
            self.run(SetArgument(self.doc_id, self.annotator, event_id, role, target, remove=True))

    # -- claims --------------------------------------------------------------------
    def pick_claimant(self) -> None:
        cl = self.selected()
        if cl is None or cl.kind != "claim":
            self.message.emit("Select a claim first, then pick its claimant.")
            return
        self._start_pick(Pick("claimant", cl.id))

    def set_claimant_text(self, claim_id: str, text: str) -> None:
        cl = self.anns.get(claim_id)
        if cl is None or self.doc_id is None:
            return
        text = text.strip()
        if text:
            self.run(UpdateAnnotation(self.doc_id, self.annotator, claim_id, text="set claimant",
                                      claimant_text=text, claimant_ref=None))
        elif cl.claimant_text or cl.claimant_ref:
            self.run(UpdateAnnotation(self.doc_id, self.annotator, claim_id, text="clear claimant",
                                      claimant_text=None, claimant_ref=None))

    def set_claim_attribute(self, claim_id: str, name: str, value: str | None) -> None:
        cl = self.anns.get(claim_id)
        if cl is None or self.doc_id is None:
            return
        attrs = dict(cl.attributes)
        if value:
            attrs[name] = value
        else:
            attrs.pop(name, None)
        if attrs != cl.attributes:
            self.run(UpdateAnnotation(self.doc_id, self.annotator, claim_id, text=f"set {name}", attributes=attrs))

    # -- relations -----------------------------------------------------------------
    def add_relation(self, rel_type: str | None = None) -> None:
        """Start a relation from the selected span (asks the type when None)."""
        head = self.selected()
        schema = self.schema
        if head is None or head.span is None or schema is None:
            self.message.emit("Select the head span first (click it), then add a relation.")
            return
        if not schema.relations:
            self.warning.emit("The schema has no relation types.")
            return
        if not rel_type:
            options = []
            for r in schema.relations:
                fits = not r.head_labels or head.label in r.head_labels
                options.append((r.name if fits else f"{r.name}  (head should be {', '.join(r.head_labels)})", r.name))
            self.choose(f"Relation from “{one_line(head.text_in(self.text), 24)}”", options, self.add_relation)
            return
        if schema.relation_type(rel_type) is None:
            self.warning.emit(f"{rel_type} is not a relation type of this schema.")
            return
        self._start_pick(Pick("relation", head.id, rel_type))

    # -- picking -------------------------------------------------------------------
    def _set_pick(self, pick: Pick | None) -> None:
        if pick is None and self.pick is None:
            return
        self.pick = pick
        cursor = Qt.CursorShape.CrossCursor if pick is not None else Qt.CursorShape.IBeamCursor
        self.view.viewport().setCursor(cursor)
        self.modeChanged.emit(pick.instruction(self) if pick is not None else "")

    def _start_pick(self, pick: Pick) -> None:
        """Enter pick mode, or complete it at once when text is already selected."""
        self._set_pick(pick)
        if self.has_text_selection():
            self.complete_pick_from_selection()

    def cancel_pick(self) -> None:
        if self.pick is not None:
            self._set_pick(None)
            self.message.emit("Cancelled.")

    def _pick_labels(self, pick: Pick) -> list[str]:
        """Entity labels that suit the pick (all entity labels when the schema does not say)."""
        schema = self.schema
        assert schema is not None
        allowed: list[str] = []
        if pick.what == "argument":
            src = self.anns.get(pick.source)
            et = schema.event_type(src.label) if src else None
            role = et.role(pick.role) if et else None
            allowed = list(role.labels) if role else []
        elif pick.what == "claimant":
            allowed = list(schema.claim.claimant_labels)
        else:
            rt = schema.relation_type(pick.role)
            allowed = [x for x in (rt.tail_labels if rt else []) if schema.entity(x)]
        return allowed or schema.labels("entity")

    def complete_pick_from_selection(self) -> None:
        """Use the selected text: an existing span there, else a new entity (label asked)."""
        pick = self.pick
        if pick is None or not self.has_text_selection():
            self.message.emit("Select the text first, or click a span.")
            return
        start, end = self.view.selection_span()
        labels = self._pick_labels(pick)
        existing = [a for a in self.anns.values() if a.start == start and a.end == end and a.id != pick.source]
        fitting = [a for a in existing if a.kind == "entity" and a.label in labels] or existing
        if fitting:
            self.complete_pick(fitting[0].id)
            return
        if len(labels) == 1:
            self.complete_pick_with_new(labels[0])
            return
        self.choose("Entity label", [(name, name) for name in labels], self.complete_pick_with_new, keys=True)

    def _link_command(self, pick: Pick, target_id: str) -> Command | None:
        assert self.doc_id is not None
        if target_id == pick.source:
            self.warning.emit("Pick another span: an annotation cannot be linked to itself.")
            return None
        if pick.what == "argument":
            src = self.anns.get(pick.source)
            if src is not None and any(a.role == pick.role and a.target == target_id for a in src.arguments):
                self.message.emit(f"That span is already the {pick.role}.")
                return None
            return SetArgument(self.doc_id, self.annotator, pick.source, pick.role, target_id)
        if pick.what == "claimant":
            return UpdateAnnotation(self.doc_id, self.annotator, pick.source, text="set claimant",
                                    claimant_ref=target_id, claimant_text=None)
        return AddAnnotations(self.doc_id, self.annotator,
                              [relation(self.doc_id, pick.source, target_id, pick.role, self.annotator)],
                              text=f"add relation {pick.role}")

    def complete_pick(self, target_id: str) -> None:
        """Complete the pick with an existing annotation."""
        pick = self.pick
        if pick is None or self.doc_id is None:
            return
        command = self._link_command(pick, target_id)
        if command is None:
            return
        self._set_pick(None)
        if self.run(command):
            self._after_link(pick, target_id, command)

    def complete_pick_with_new(self, label: str) -> None:
        """Complete the pick with a new entity over the selected text, in one undo step."""
        pick = self.pick
        if pick is None or self.doc_id is None or not self.has_text_selection():
            return
        start, end = self.view.selection_span()
        existing = self._same_span("entity", label, start, end)
        if existing is not None:
            self.complete_pick(existing.id)
            return
        ent = entity(self.doc_id, start, end, label, self.annotator)
        link = self._link_command(pick, ent.id)
        if link is None:
            return
        self._set_pick(None)
        add = AddAnnotations(self.doc_id, self.annotator, [ent])
        if self.run(Macro(self.doc_id, self.annotator, [add, link], text=f"{link.text} (new {label})")):
            self._collapse_selection(end)
            self._after_link(pick, ent.id, link)

    def _after_link(self, pick: Pick, target_id: str, command: Command) -> None:
        """Select what the user is working on and say whether the schema agrees."""
        schema = self.schema
        assert schema is not None
        target = self.anns.get(target_id)
        problem: str | None = None
        if pick.what == "argument":
            src = self.anns.get(pick.source)
            et = schema.event_type(src.label) if src else None
            problem = filler_problem(et.role(pick.role) if et else None, target, self.text, src.label if src else "")
            self.select_annotation(pick.source)
        elif pick.what == "claimant":
            src = self.anns.get(pick.source)
            problem = claimant_problem(src, self.anns, schema, self.text) if src else None
            self.select_annotation(pick.source)
        else:
            rel_id = next((a.id for a in _added(command) if a.kind == "relation"), None)
            rel = self.anns.get(rel_id or "")
            problems = relation_warnings(rel, self.anns, schema, self.text) if rel else []
            problem = problems[0] if problems else None
            self.select_annotation(pick.source)
        quoted = f"“{one_line(target.text_in(self.text), 30)}”" if target else "the span"
        if problem:
            self.warning.emit(f"Warning: {problem}")
        else:
            what = {"argument": f"{pick.role}", "claimant": "claimant", "relation": f"{pick.role} tail"}[pick.what]
            self.message.emit(f"{quoted} set as {what}.")

    # -- choosers --------------------------------------------------------------------
    def choose(
        self,
        title: str,
        options: list[tuple[str, str]],
        callback: Callable[[str], None],
        *,
        keys: bool = False,
    ) -> QMenu:
        """A keyboard-friendly popup (1-9 pick an entry; with ``keys``, the labels'
        own shortcut keys too); calls ``callback(value)`` when one is chosen."""
        if self.chooser is not None:
            self.chooser.close()
        menu = ChooserMenu(self.view)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        header = menu.addAction(escape_mnemonic(title))
        header.setEnabled(False)
        menu.addSeparator()
        label_keys = {}
        if keys and self.schema is not None:
            label_keys = {label: key for key, (kind, label) in self.schema.shortcuts().items() if kind == "entity"}
        for i, (text, value) in enumerate(options):
            shown = escape_mnemonic(text)
            key = label_keys.get(value)
            if key:
                shown = f"{shown}\t{key}"
            prefix = f"&{i + 1}  " if i < 9 else "    "
            action: QAction = menu.addAction(prefix + shown)
            action.setData(value)
            if key:
                menu.keys[key] = action
            action.triggered.connect(lambda _checked=False, v=value: callback(v))
        menu.aboutToHide.connect(lambda: self._chooser_closed(menu))
        self.chooser = menu
        rect = self.view.cursorRect()
        menu.popup(self.view.viewport().mapToGlobal(rect.bottomLeft() + QPoint(0, 4)))
        actions = [a for a in menu.actions() if a.isEnabled() and not a.isSeparator()]
        if actions:
            menu.setActiveAction(actions[0])
        return menu

    def _chooser_closed(self, menu: QMenu) -> None:
        if self.chooser is menu:
            self.chooser = None

    def choose_option(self, value: str) -> bool:
        """Pick ``value`` in the open chooser (what a click or its number key does)."""
        menu = self.chooser
        if menu is None:
            return False
        for action in menu.actions():
            if action.data() == value:
                menu.close()
                action.trigger()
                return True
        return False


def _acted_on(command: Command) -> list[str]:
    """Ids of the existing annotations a command changes or deletes."""
    if isinstance(command, Macro):
        return [i for c in command.commands for i in _acted_on(c)]
    if isinstance(command, DeleteAnnotations):
        return list(command.ids)
    if isinstance(command, UpdateAnnotation):  # SetArgument too
        return [command.ann_id]
    return []


def _added(command: Command) -> list[Annotation]:
    """The new annotations a command adds."""
    if isinstance(command, Macro):
        return [a for c in command.commands for a in _added(c)]
    if isinstance(command, AddAnnotations):
        return list(command.annotations)
    return []


def _changed(current: Annotation | None, shown: Annotation) -> bool:
    return current is None or current.model_dump(exclude={"updated"}) != shown.model_dump(exclude={"updated"})
