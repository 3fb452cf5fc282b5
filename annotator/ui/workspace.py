"""The annotation workspace: what the user's keys and clicks mean.

:class:`Workspace` holds the open project, the annotator, the current document
and its annotations (the annotator's own), and the selected annotation. It
turns gestures into core commands pushed through the change bus
(:class:`~annotator.ui.undo.UndoController`), and on every change the bus
announces refreshes only what changed (signals for the panels;
``ArticleView.apply_changes``).

Its parts: key handling in :mod:`annotator.ui.workspace_keys` (keys act only
while the article view or the annotation list has focus, never while typing
into a field), picking (argument fillers, claimants, relation tails) and the
chooser popups in :mod:`annotator.ui.workspace_picking`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QWidget

from annotator.core.commands import (
    AddAnnotations,
    AddFragment,
    Changes,
    Command,
    DeleteAnnotations,
    LinkEntity,
    Macro,
    RemoveFragment,
    SetArgument,
    SetDocLabel,
    SetFragment,
    SetNote,
    SetStatus,
    UnlinkEntity,
    UpdateAnnotation,
)
from annotator.core.kinds import DocStatus
from annotator.core.store import Project, ProjectError
from annotator.core.text import QtPositionMap
from annotator.ui.annotation_panel import one_line
from annotator.ui.article_view import ArticleView
from annotator.ui.undo import UndoController
from annotator.ui.workspace_coref import CorefGestures
from annotator.ui.workspace_keys import COMMAND_KEYS, TEXT_KEYS, KeyHandling
from annotator.ui.workspace_picking import Pick, Picking

if TYPE_CHECKING:  # pydantic: not imported to show the window (see MainWindow's deferred load)
    from annotator.core.models import Annotation, Document
    from annotator.core.rows import DocumentRow
    from annotator.core.schema import LabelSchema

__all__ = ["COMMAND_KEYS", "TEXT_KEYS", "Workspace"]


class Workspace(KeyHandling, Picking, CorefGestures, QObject):
    """State and gestures of the annotation window (see the module doc)."""

    #: A document was opened (or the project closed: "").
    documentOpened = Signal(str)
    #: Annotations of the current document changed: added, removed ids, updated.
    annotationsChanged = Signal(list, set, list)
    #: The open document's notes changed (or another document was opened): ``self.notes``.
    notesChanged = Signal()
    #: The selected annotation changed (id or None).
    selectionChanged = Signal(object)
    #: Pick mode started (its instruction) or ended ("").
    modeChanged = Signal(str)
    #: Information for the status bar.
    message = Signal(str)
    #: A schema warning or a refused action, for the status bar (plain text).
    warning = Signal(str)
    #: The current document's document labels (:attr:`doc_labels`) changed or were read anew.
    docLabelsChanged = Signal()
    #: Coreference clusters of the open document changed (their ids; re-read ``clusters``).
    clustersChanged = Signal(set)
    #: The current cluster changed (its id or None).
    currentClusterChanged = Signal(object)
    #: The user started a new cluster (its id): the registry proposes entries for it.
    clusterCreated = Signal(str)

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
        #: The annotator's document labels of the current document: {category: [labels]}.
        self.doc_labels: dict[str, list[str]] = {}
        #: The open document's notes of this annotator: target ("" the document) -> {type: text}.
        self.notes: dict[str, dict[str, str]] = {}
        self.selected_id: str | None = None
        #: False while the window shows a document's text only (its first paint):
        #: :meth:`finish_loading` reads the schema and the annotations.
        self.loaded = True
        #: The document whose text is shown while not loaded (its stored row).
        self.preview: DocumentRow | None = None
        self.pick: Pick | None = None
        #: annotation id -> the fragment of it touched last (clicked, added, moved): boundary
        #: moves and "remove fragment" act on it (issue 14).
        self.current_piece: dict[str, int] = {}
        #: The open chooser popup (role, relation type, label), for tests and keyboard users.
        self.chooser: QMenu | None = None
        self._init_coref()
        controller.changed.connect(self._apply_changes)
        view.annotationClicked.connect(self._span_clicked)
        view.fragmentDragged.connect(lambda start, end: self.add_fragment((start, end)))
        # The current event and the role keys' banner follow both selections (workspace_picking).
        self.selectionChanged.connect(self._follow_selection)
        view.spanSelectionChanged.connect(lambda _start, _end: self._update_mode())
        view.viewport().installEventFilter(self)
        self._key_widgets: list[QWidget] = []
        self.install_keys(view)

    # ------------------------------------------------------------------ project
    @property
    def schema(self) -> LabelSchema | None:
        return self.project.schema if self.project is not None and self.loaded else None

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
        # The view shows nothing already when no document (nor a document's text) was
        # open: no new empty document for it (the window's first set_project).
        shown = self.doc_id is not None or self.preview is not None or bool(self.view.text())
        self.doc_id, self.document, self.text, self.posmap = None, None, "", None
        self.anns, self.selected_id, self.preview = {}, None, None
        self.doc_labels = {}
        self.notes = {}
        if shown:
            self.view.set_article("", [], self.schema)
        self.view.set_notes({})
        self._load_clusters()
        if emit:
            self.notesChanged.emit()
            self.documentOpened.emit("")
            self.selectionChanged.emit(None)

    # ------------------------------------------------------------------ documents
    def open_document(self, doc_id: str) -> bool:
        """Show ``doc_id`` with the annotator's annotations; False if it does not exist."""
        if self.project is None:
            return False
        if not self.loaded:
            return self._preview_document(doc_id)
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
        self.doc_labels = self.project.doc_labels(doc.id, self.annotator, self.project.schema)
        self.notes = self._read_notes(doc.id)
        self.selected_id = None
        if self.preview is not None and self.preview.id == doc.id and self.view.text() == doc.text:
            # Its text is shown already (laid out for the first paint): add the rest.
            self.view.set_schema(self.project.schema)
            self.view.set_annotations(list(self.anns.values()))
        else:
            self.view.set_article(doc.text, list(self.anns.values()), self.project.schema)
        self.preview = None
        self.view.set_selected_annotation(None)
        self.view.set_notes(self.notes)
        self._load_clusters()
        self.documentOpened.emit(doc.id)
        self.notesChanged.emit()
        self.selectionChanged.emit(None)
        return True

    # ------------------------------------------------------------------ notes
    def _read_notes(self, doc_id: str) -> dict[str, dict[str, str]]:
        """The annotator's notes of a document: target ("" the document) -> {type: text}."""
        out: dict[str, dict[str, str]] = {}
        if self.project is None:
            return out
        for n in self.project.notes(doc_id, self.annotator):
            out.setdefault(n.target, {})[n.type] = n.text
        return out

    def notes_of(self, target: str) -> dict[str, str]:
        """The notes of an annotation ("" the open document): {type: text}."""
        return dict(self.notes.get(target, {}))

    def set_note(self, target: str, note_type: str, text: str) -> None:
        """Add, change or delete (empty ``text``) the note of ``note_type`` on
        an annotation (``target`` its id) or on the open document (``target`` "")."""
        if self.doc_id is None or (target and target not in self.anns):
            return
        if (self.notes.get(target, {}).get(note_type, "") or "").strip() == text.strip():
            return
        self.run(SetNote(self.doc_id, self.annotator, target, text, note_type=note_type))

    def _preview_document(self, doc_id: str) -> bool:
        """Show the text of ``doc_id`` only (no schema, no annotations, no pydantic:
        the window's first paint); :meth:`finish_loading` opens it fully."""
        assert self.project is not None
        rows = self.project.document_rows([doc_id])
        row = rows.get(doc_id)
        if row is None:
            return False
        self.preview = row
        self.view.set_article(row.text, [], None)
        return True

    def finish_loading(self) -> None:
        """Read the schema and open the previewed document with its annotations."""
        if self.loaded:
            return
        self.loaded = True
        if self.preview is not None and not self.open_document(self.preview.id):
            self._close_document()  # deleted meanwhile

    def show_document(self, doc_id: str) -> None:
        """Make ``doc_id`` current (the undo stack calls this before undoing its entries)."""
        if doc_id and doc_id != self.doc_id:  # a registry change made with no document open: ""
            self.open_document(doc_id)

    def report_error(self, text: str) -> None:
        """A refused command or a failed undo/redo (for the status bar)."""
        self.warning.emit(text)

    @property
    def status(self) -> DocStatus | None:
        if self.document is not None:
            return self.document.status
        return DocStatus(self.preview.status) if self.preview is not None else None

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
        if project is None:
            return
        if changes.doc_labels and changes.doc_id == self.doc_id or changes.reloads(self.doc_id):
            self._read_doc_labels()
        if changes.wholesale:
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
            if changes.notes or changes.added or changes.removed:  # an undone delete brings its notes back
                self.notes = self._read_notes(self.doc_id)
                self.view.set_notes(self.notes)
                self.notesChanged.emit()
            if added or updated or removed:
                self.view.apply_changes(added, removed, updated)
                if self.selected_id in removed:
                    self.selected_id = None
                self.annotationsChanged.emit(added, removed, updated)
                self.view.set_selected_annotation(self.selected_id)
                self.selectionChanged.emit(self.selected_id)
            if changes.clusters:
                self._refresh_clusters(changes.clusters)
            elif self.current_cluster_id is not None and (added or updated or removed):
                self._show_current_chain()  # a mention moved or went

    # ------------------------------------------------------------------ document labels
    def _read_doc_labels(self) -> None:
        if self.project is None or self.doc_id is None or not self.loaded:
            return
        self.doc_labels = self.project.doc_labels(self.doc_id, self.annotator, self.project.schema)
        self.docLabelsChanged.emit()

    def press_doc_label(self, category: str, label: str) -> None:
        """A document label key or a click in the document labels bar: toggle that
        label of the current document (in a single-choice category, choosing
        another replaces the one set), one undo step."""
        if self.doc_id is None or self.project is None:
            self.message.emit("Open a document first.")
            return
        was = label in self.doc_labels.get(category, [])
        if self.run(SetDocLabel(self.doc_id, self.annotator, category, label, "toggle")):
            now_set = ", ".join(self.doc_labels.get(category, [])) or "none"
            what = f"removed {label}" if was else f"set {label}"
            self.message.emit(f"Document {category}: {what} (now {now_set}; Ctrl+Z undoes).")

    # ------------------------------------------------------------------ selection
    def selected(self) -> Annotation | None:
        return self.anns.get(self.selected_id or "")

    def select_annotation(self, ann_id: str | None, *, reveal: bool = False) -> None:
        """Select an annotation (None: none) in the text, the list and the inspector."""
        if ann_id is not None and ann_id not in self.anns:
            ann_id = None
        self.selected_id = ann_id
        self.view.set_selected_annotation(ann_id)
        self._follow_mention(ann_id)
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
            ann, cp = self.anns.get(ann_id), self.view.last_click_cp
            if ann is not None and ann.fragments is not None and cp is not None:
                hit = next((i for i, (s, e) in enumerate(ann.fragments) if s <= cp < e), None)
                if hit is not None:
                    self.current_piece[ann_id] = hit
            self.select_annotation(ann_id)

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
        from annotator.core.models import claim, entity
        from annotator.core.models import event as event_annotation

        assert self.doc_id is not None and self.schema is not None
        if kind == "entity":
            return entity(self.doc_id, start, end, label, self.annotator)
        if kind == "event":
            return event_annotation(self.doc_id, start, end, label, self.annotator)
        # unset unless the schema declares a default: a claim nobody judged looks like one
        return claim(self.doc_id, start, end, self.annotator, attributes=self.schema.claim.new_attributes())

    def _same_span(self, kind: str, label: str | None, start: int, end: int) -> Annotation | None:
        return next(
            (
                a
                for a in self.anns.values()
                if a.kind == kind and a.start == start and a.end == end and (label is None or a.label == label)
            ),
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
        more = self._annotate_all_automatically(ann)
        self.select_annotation(ann.id)
        quoted = f"“{one_line(ann.text_in(self.text), 40)}”"
        hints = {
            "event": f"{label} {quoted} added. {self.argument_help(ann)}".rstrip(),
            "claim": f"Claim {quoted} added. Shift+K picks its claimant; Shift+letter sets an attribute (keys in the inspector).",
        }
        hint = hints.get(kind, f"{label} {quoted} added.")
        if more:
            hint += f" And {more} more in this document, annotated automatically (one Ctrl+Z undoes those)."
        self.message.emit(hint)
        return ann

    def _annotate_all_automatically(self, ann: Annotation) -> int:
        """When ``ann``'s label is annotated all automatically (its palette chip's
        menu): label the other occurrences of its text in the document too, as
        one more undo step; how many."""
        if self.project is None or ann.label not in self.project.auto_propagate_labels():
            return 0
        from annotator.services.propagate import PropagationError, propagate_in_document

        try:
            command = propagate_in_document(self.project, ann)
        except PropagationError as err:
            self.warning.emit(str(err))
            return 0
        if command is None or not self.run(command):
            return 0
        return len(command.annotations)

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
        """Move the start or end of the selected span by one (word with snapping);
        of a discontinuous span, of its current fragment (:meth:`piece_of`)."""
        ann = self.selected()
        if ann is None or ann.span is None or self.doc_id is None:
            self.message.emit("Select a span first; Alt+arrows move its start, Alt+Shift+arrows its end.")
            return
        if ann.fragments is not None:
            self._adjust_fragment(ann, which, delta)
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

    # -- fragments of discontinuous spans (issue 14) -----------------------------------
    def piece_of(self, ann: Annotation) -> int:
        """The fragment of ``ann`` that boundary moves and "remove fragment" act on:
        the one clicked, added or moved last, else the one nearest the text cursor."""
        pieces = ann.pieces
        index = self.current_piece.get(ann.id)
        if index is not None and 0 <= index < len(pieces):
            return index
        cursor = self.view.selection_span()[0]
        return min(
            range(len(pieces)),
            key=lambda i: (
                0 if pieces[i][0] <= cursor < pieces[i][1] else 1,
                min(abs(cursor - pieces[i][0]), abs(cursor - pieces[i][1])),
            ),
        )

    def add_fragment(self, span: tuple[int, int] | None = None) -> bool:
        """Add the selected text (or ``span``) as a fragment of the selected span
        annotation (Ctrl+Shift+G, or Ctrl+drag): one undoable step."""
        ann = self.selected()
        if self.doc_id is None or ann is None or ann.span is None:
            self.message.emit(
                "Select the annotation first (click it), then select more text and press Ctrl+Shift+G (or Ctrl+drag it)."
            )
            return False
        start, end = span if span is not None else self.view.selection_span()
        if start >= end:
            self.message.emit("Select the text to add to the selected annotation first, then press Ctrl+Shift+G.")
            return False
        if not self.run(AddFragment(self.doc_id, self.annotator, ann.id, start, end)):
            return False
        now = self.anns.get(ann.id)
        if now is not None:
            pieces = now.pieces
            self.current_piece[ann.id] = next((i for i, (s, e) in enumerate(pieces) if s <= start < e), len(pieces) - 1)
            self.message.emit(
                f"{now.label} is now “{one_line(now.text_in(self.text), 50)}” in {len(pieces)} "
                f"piece{'s' * (len(pieces) != 1)} (Ctrl+Z undoes; Shift+Del removes the current piece)."
            )
        self._collapse_selection(end)
        return True

    def remove_fragment(self, index: int | None = None) -> bool:
        """Remove fragment ``index`` (default: the current one, :meth:`piece_of`) of the
        selected discontinuous span (Shift+Delete, or the inspector's "Remove piece")."""
        ann = self.selected()
        if self.doc_id is None or ann is None or ann.fragments is None:
            self.message.emit("Select an annotation of several pieces first; Shift+Del removes its current piece.")
            return False
        if index is None or not 0 <= index < len(ann.fragments):
            index = self.piece_of(ann)
        s, e = ann.fragments[index]
        if not self.run(RemoveFragment(self.doc_id, self.annotator, ann.id, index)):
            return False
        self.current_piece.pop(ann.id, None)
        self.message.emit(f"Removed the piece “{one_line(self.text[s:e], 30)}” (Ctrl+Z brings it back).")
        return True

    def _adjust_fragment(self, ann: Annotation, which: str, delta: int) -> None:
        assert self.doc_id is not None and ann.fragments is not None
        index = self.piece_of(ann)
        new = self.view.adjust_selected_boundary(which, delta, piece=index)
        if new is None:
            self.message.emit(f"The {which} of this piece cannot move further that way.")
            return
        self.current_piece[ann.id] = index
        self.run(
            SetFragment(self.doc_id, self.annotator, ann.id, index, *new, text="adjust boundaries"),
            merge_key=f"bounds:{ann.id}",
        )

    # -- links ---------------------------------------------------------------------
    def remove_argument(self, event_id: str, role: str, target: str) -> None:
        if self.doc_id is not None:
            self.run(SetArgument(self.doc_id, self.annotator, event_id, role, target, remove=True))

    def set_claimant_text(self, claim_id: str, text: str) -> None:
        cl = self.anns.get(claim_id)
        if cl is None or self.doc_id is None:
            return
        text = text.strip()
        if text:
            self.run(
                UpdateAnnotation(
                    self.doc_id, self.annotator, claim_id, text="set claimant", claimant_text=text, claimant_ref=None
                )
            )
        elif cl.claimant_text or cl.claimant_ref:
            self.run(
                UpdateAnnotation(
                    self.doc_id, self.annotator, claim_id, text="clear claimant", claimant_text=None, claimant_ref=None
                )
            )

    def link_entity(self, ann_id: str, resource: str, entry_id: str, name: str) -> bool:
        """Link an entity to a knowledge-base entry: one undo step (issue 14)."""
        if ann_id not in self.anns or self.doc_id is None:
            return False
        return self.run(LinkEntity(self.doc_id, self.annotator, ann_id, resource, entry_id, name))

    def unlink_entity(self, ann_id: str, resource: str, entry_id: str) -> bool:
        """Remove an entity's link to ``(resource, entry_id)``: one undo step."""
        if ann_id not in self.anns or self.doc_id is None:
            return False
        return self.run(UnlinkEntity(self.doc_id, self.annotator, ann_id, resource, entry_id))

    def set_claim_attribute(self, claim_id: str, name: str, value: str | None) -> bool:
        """Set (``value``) or unset (None or "") one attribute of a claim: one undo step.
        False when nothing changed."""
        cl = self.anns.get(claim_id)
        if cl is None or self.doc_id is None:
            return False
        attrs = dict(cl.attributes)
        if value:
            attrs[name] = value
        else:
            attrs.pop(name, None)
        if attrs == cl.attributes:
            return False
        what = f"set {name} to {value}" if value else f"unset {name}"
        return self.run(UpdateAnnotation(self.doc_id, self.annotator, claim_id, text=what, attributes=attrs))


def _acted_on(command: Command) -> list[str]:
    """Ids of the existing annotations a command changes or deletes."""
    if isinstance(command, Macro):
        return [i for c in command.commands for i in _acted_on(c)]
    if isinstance(command, DeleteAnnotations):
        return list(command.ids)
    if isinstance(command, UpdateAnnotation):  # SetArgument too
        return [command.ann_id]
    return []


def _changed(current: Annotation | None, shown: Annotation) -> bool:
    return current is None or current.model_dump(exclude={"updated"}) != shown.model_dump(exclude={"updated"})
