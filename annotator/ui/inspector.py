"""The inspector: edits the selected annotation (label, event arguments, claim
claimant and attributes, relation type) and shows what the schema says about it.

A claim's attributes are combo boxes, each with the keys of its values beside it
(Shift + the letter sets the value while the claim is selected in the text or the
list); attributes nobody set yet read "(not set)" and are listed above them.

The widget never changes the project itself: it emits requests that the
workspace turns into undoable commands, and it is refreshed from the stored
annotations after every change. The schema checks it shows are in
:mod:`annotator.core.constraints`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.constraints import filler_problem, one_line, warnings_for
from annotator.ui.actions import escape_mnemonic, plain_tooltip
from annotator.ui.basic import plain_label
from annotator.ui.notes import NoteEditor
from annotator.ui.palette import markdown_html, swatch_icon
from annotator.ui.workspace_keys import claim_attribute_keys

if TYPE_CHECKING:
    from annotator.core.models import Annotation
    from annotator.core.schema import Guidelines, LabelSchema
    from annotator.core.store import Project
    from annotator.ui.kb_links import KbLinkBox

NOT_SET = "(not set)"
WARNING_SIGN = "⚠"


def _caption(name: str) -> str:
    """An attribute's name as the inspector shows it ("check worthiness")."""
    return name.replace("_", " ")


def guide_tooltip(guide: Guidelines, title: str) -> str:
    """Rich-text tooltip of a role's or an attribute value's guidelines (schema
    Markdown, formatted; raw HTML in it is not interpreted)."""
    from annotator.core.schema import guide_markdown

    return markdown_html(guide_markdown(guide, title))


# ---------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------
class Inspector(QScrollArea):
    """Editor for the selected annotation."""

    labelChangeRequested = Signal(str, str)  # annotation id, new label
    addArgumentRequested = Signal(str)  # role ("" = ask)
    removeArgumentRequested = Signal(str, str, str)  # event id, role, filler id
    pickClaimantRequested = Signal()
    claimantTextChanged = Signal(str, str)  # claim id, text ("" clears)
    attributeChanged = Signal(str, str, str)  # claim id, attribute, value ("" clears)
    annotationRequested = Signal(str)  # go to / select this annotation
    deleteRequested = Signal()
    noteEdited = Signal(str, str, str)  # target (annotation id, "" the document), type, text ("" deletes)
    removeFragmentRequested = Signal(int)  # index of the piece of the shown discontinuous span
    linkRequested = Signal(str, str, str, str)  # entity id, resource, entry id, name (ui/kb_links.py)
    unlinkRequested = Signal(str, str, str)  # entity id, resource, entry id
    kbMessage = Signal(str)

    def sizeHint(self) -> QSize:  # noqa: N802 - the dock's first size
        return QSize(400, 420)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.ann: Annotation | None = None
        self.schema: LabelSchema | None = None
        self.text = ""
        self.by_id: dict[str, Annotation] = {}
        self.current_warnings: list[str] = []

        body = QWidget()
        self.setWidget(body)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(8, 6, 8, 6)

        self.empty = plain_label(
            "Select an annotation (click a span or a row) to edit it.\n\n"
            "To annotate: select text, then press a label's key or click it in the palette.",
            wrap=True,
        )
        self.empty.setStyleSheet("color: palette(mid);")
        outer.addWidget(self.empty)

        # -- common part ------------------------------------------------------------
        self.common = QWidget()
        form = QFormLayout(self.common)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setContentsMargins(0, 0, 0, 0)
        self.kind_label = plain_label()
        self.kind_label.setStyleSheet("font-weight: 600;")
        form.addRow("Kind", self.kind_label)
        self.label_combo = QComboBox()
        self.label_combo.setToolTip(plain_tooltip("Change the label (or press another label's key in the text)"))
        self.label_caption = QLabel("&Label")
        self.label_caption.setBuddy(self.label_combo)
        form.addRow(self.label_caption, self.label_combo)
        self.span_text = plain_label(wrap=True)
        self.span_text.setStyleSheet("background: palette(base); padding: 3px; border-radius: 3px;")
        form.addRow("Text", self.span_text)
        self.offsets = plain_label()
        self.offsets.setStyleSheet("color: palette(mid);")
        self.offsets.setToolTip(
            plain_tooltip(
                "Code-point offsets, end exclusive.\nAlt+Left/Right moves the start, Alt+Shift+Left/Right moves the end."
            )
        )
        form.addRow("Span", self.offsets)
        # the pieces of a discontinuous span (issue 14): a row made when one is first shown
        self._form = form
        self.pieces_box: QWidget | None = None
        outer.addWidget(self.common)

        # -- event arguments ------------------------------------------------------
        self.event_box = QGroupBox("Arguments")
        ev = QVBoxLayout(self.event_box)
        self.args_table = QTableWidget(0, 3)
        self.args_table.setHorizontalHeaderLabels(["Role", "Filler", "Label"])
        self.args_table.verticalHeader().hide()
        self.args_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.args_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.args_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.args_table.setTabKeyNavigation(False)
        self.args_table.setWordWrap(False)
        hh = self.args_table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.args_table.setMinimumHeight(90)
        self.args_table.setToolTip(plain_tooltip("Enter: go to the filler. Delete: remove the argument."))
        self.args_table.installEventFilter(self)
        self.args_table.cellDoubleClicked.connect(lambda row, _col: self._go_to_filler(row))
        ev.addWidget(self.args_table)
        row = QHBoxLayout()
        self.role_combo = QComboBox()
        self.role_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.role_combo.setMinimumContentsLength(8)
        self.role_combo.setToolTip(plain_tooltip("The role of the next argument (only roles of this event type)"))
        self.add_arg_button = QPushButton("&Add…")
        self.add_arg_button.setToolTip(
            plain_tooltip(
                "Add an argument in the role chosen above: then click the filler span in the text, or select text and press an entity key (Shift+A)"
            )
        )
        self.add_arg_button.clicked.connect(lambda: self.addArgumentRequested.emit(self.role_combo.currentData() or ""))
        self.remove_arg_button = QPushButton("&Remove")
        self.remove_arg_button.setToolTip(plain_tooltip("Remove the selected argument (Delete in the list)"))
        self.remove_arg_button.clicked.connect(self._remove_selected_argument)
        # The role on its own line, the buttons under it: the pane may be narrow.
        ev.addWidget(self.role_combo)
        row.addWidget(self.add_arg_button, 1)
        row.addWidget(self.remove_arg_button)
        ev.addLayout(row)
        outer.addWidget(self.event_box)

        # -- claim ---------------------------------------------------------------------
        self.claim_box = QGroupBox("Claim")
        cl = QFormLayout(self.claim_box)
        # In a narrow pane a caption goes above its field rather than pushing it out of view.
        cl.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.claimant_label = plain_label(wrap=True)
        cl.addRow("Claimant", self.claimant_label)
        pick_row = QHBoxLayout()
        self.pick_claimant_button = QPushButton("&Pick span")
        self.pick_claimant_button.setToolTip(plain_tooltip("Pick the claimant: then click an entity span in the text (Shift+K)"))
        self.pick_claimant_button.clicked.connect(self.pickClaimantRequested.emit)
        self.clear_claimant_button = QPushButton("Clear")
        self.clear_claimant_button.clicked.connect(self._clear_claimant)
        pick_row.addWidget(self.pick_claimant_button, 1)
        pick_row.addWidget(self.clear_claimant_button)
        cl.addRow("", pick_row)
        self.claimant_edit = QLineEdit()
        self.claimant_edit.setPlaceholderText("or type who makes the claim, then Enter")
        self.claimant_edit.editingFinished.connect(self._claimant_edited)
        self.claimant_caption = QLabel("Claimant &text")
        self.claimant_caption.setBuddy(self.claimant_edit)
        cl.addRow(self.claimant_caption, self.claimant_edit)
        self.unset_label = plain_label(wrap=True)
        self.unset_label.setStyleSheet("color: #8a4b00;")
        self.unset_label.setToolTip(plain_tooltip("A claim's attributes start unset: set each one you judged"))
        cl.addRow(self.unset_label)
        self.attr_form = cl
        self.attr_combos: dict[str, QComboBox] = {}
        #: attribute -> the label listing its values' keys ("Shift+S supports · ...")
        self.attr_hints: dict[str, QLabel] = {}
        self._attr_rows: list[QWidget] = []
        self._attr_shape: tuple = ()
        outer.addWidget(self.claim_box)

        # -- relation ------------------------------------------------------------------
        self.relation_box = QGroupBox("Relation")
        rl = QFormLayout(self.relation_box)
        rl.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.head_label = plain_label(wrap=True)
        self.tail_label = plain_label(wrap=True)
        rl.addRow("Head", self.head_label)
        rl.addRow("Tail", self.tail_label)
        outer.addWidget(self.relation_box)

        # -- knowledge-base links: ui/kb_links.py, made when an entity is first shown ----
        self.kb_box: KbLinkBox | None = None
        self.kb_project: Project | None = None
        self._kb_slot = (outer, outer.count())

        # -- links to this span, warnings, delete ------------------------------------
        self.links_label = plain_label(wrap=True)
        self.links_label.setStyleSheet("color: palette(mid);")
        outer.addWidget(self.links_label)
        self.warnings_label = plain_label(wrap=True)
        self.warnings_label.setStyleSheet(
            "color: #8a4b00; background: #fff4e0; border: 1px solid #f0c36d; border-radius: 4px; padding: 4px;"
        )
        outer.addWidget(self.warnings_label)
        self.delete_button = QPushButton("&Delete annotation")
        self.delete_button.setToolTip(plain_tooltip("Delete this annotation (Delete in the text or the list)"))
        self.delete_button.clicked.connect(self.deleteRequested.emit)
        outer.addWidget(self.delete_button)

        # -- notes (issue 14): the selected annotation's, and the open document's -----------
        self.note_box = NoteEditor("&Note", "A note on this annotation (Ctrl+Enter saves)")
        self.note_box.noteEdited.connect(self.noteEdited.emit)
        outer.addWidget(self.note_box)
        self.doc_note_box = NoteEditor("D&ocument note", "A note on this document (Ctrl+Enter saves)")
        self.doc_note_box.noteEdited.connect(self.noteEdited.emit)
        outer.addWidget(self.doc_note_box)
        outer.addStretch(1)

        self.label_combo.activated.connect(self._label_chosen)
        self.show_annotation(None)

    def _make_pieces_row(self) -> QWidget:
        """The row listing a discontinuous span's pieces, each removable (made on first need:
        a window that never shows one keeps the inspector as it was)."""
        box = QWidget()
        pieces = QHBoxLayout(box)
        pieces.setContentsMargins(0, 0, 0, 0)
        self.pieces_list = QComboBox()
        self.pieces_list.setToolTip(
            plain_tooltip("The pieces of this span, in reading order (Ctrl+Shift+G or Ctrl+drag adds one)")
        )
        pieces.addWidget(self.pieces_list, 1)
        self.remove_piece_button = QPushButton("Remove &piece")
        self.remove_piece_button.setToolTip(
            plain_tooltip("Remove the chosen piece (Shift+Delete in the text: the current piece)")
        )
        self.remove_piece_button.clicked.connect(self._remove_piece)
        pieces.addWidget(self.remove_piece_button)
        self.pieces_caption = QLabel("Pieces")
        self._form.addRow(self.pieces_caption, box)
        self.pieces_box = box
        return box

    def _remove_piece(self) -> None:
        row = self.pieces_list.currentIndex()
        if self.ann is not None and self.ann.fragments is not None and row >= 0:
            self.removeFragmentRequested.emit(row)

    # -- refresh ---------------------------------------------------------------------
    def set_context(self, text: str, by_id: dict[str, Annotation], schema: LabelSchema | None) -> None:
        """The current document's text, annotations (id -> annotation) and schema."""
        self.text, self.by_id, self.schema = text, by_id, schema

    def show_annotation(self, ann: Annotation | None) -> None:
        """Show ``ann`` (None: nothing selected); emits nothing."""
        self.ann = ann
        has = ann is not None and self.schema is not None
        self.empty.setVisible(not has)
        for w in (self.common, self.links_label, self.delete_button, self.note_box):
            w.setVisible(has)
        self.event_box.setVisible(has and ann.kind == "event")
        self.claim_box.setVisible(has and ann.kind == "claim")
        self.relation_box.setVisible(has and ann.kind == "relation")
        self.current_warnings = []
        if not has:
            self.warnings_label.hide()
            self._show_kb_links(None)
            return
        assert ann is not None and self.schema is not None
        self._fill_common(ann, self.schema)
        if ann.kind == "event":
            self._fill_event(ann, self.schema)
        elif ann.kind == "claim":
            self._fill_claim(ann, self.schema)
        elif ann.kind == "relation":
            self.head_label.setText(self._describe(ann.head))
            self.tail_label.setText(self._describe(ann.tail))
        self._fill_links(ann)
        self._show_kb_links(ann)
        self.current_warnings = warnings_for(ann, self.by_id, self.schema, self.text)
        self.warnings_label.setVisible(bool(self.current_warnings))
        self.warnings_label.setText("\n".join(f"{WARNING_SIGN} {w}" for w in self.current_warnings))

    def set_notes(self, doc_open: bool, ann_notes: dict[str, str], doc_notes: dict[str, str]) -> None:
        """The notes of the selected annotation and of the open document ({type: text})."""
        self.note_box.set_target(self.ann.id if self.ann is not None else None, ann_notes)
        self.doc_note_box.set_target("" if doc_open else None, doc_notes)  # disabled without a document

    # -- knowledge-base links (ui/kb_links.py) -----------------------------------------
    def set_kb_project(self, project: Project | None) -> None:
        """The project whose knowledge bases the link field searches."""
        self.kb_project = project
        if self.kb_box is not None:
            self.kb_box.set_project(project)

    def _show_kb_links(self, ann: Annotation | None) -> None:
        if ann is not None and ann.kind == "entity" and self.kb_box is None:
            from annotator.ui.kb_links import KbLinkBox

            box = self.kb_box = KbLinkBox()
            layout, index = self._kb_slot
            layout.insertWidget(index, box)
            box.linkRequested.connect(self.linkRequested)
            box.unlinkRequested.connect(self.unlinkRequested)
            box.message.connect(self.kbMessage)
            box.set_project(self.kb_project)
        if self.kb_box is not None:
            self.kb_box.show_entity(ann if ann is not None and ann.kind == "entity" else None)

    def _describe(self, ann_id: str | None) -> str:
        target = self.by_id.get(ann_id or "")
        if target is None:
            return "(missing)"
        return f"“{one_line(target.text_in(self.text), 60)}” ({target.label})"

    def _fill_common(self, ann: Annotation, schema: LabelSchema) -> None:
        self.kind_label.setText({"entity": "Entity", "event": "Event", "claim": "Claim", "relation": "Relation"}[ann.kind])
        is_claim = ann.kind == "claim"
        self.label_combo.setVisible(not is_claim)
        self.label_caption.setVisible(not is_claim)
        self.label_combo.clear()
        if not is_claim:
            names = schema.labels(ann.kind)
            if ann.label not in names:
                names = [ann.label, *names]
            for name in names:
                self.label_combo.addItem(swatch_icon(schema.color(ann.kind, name)), escape_mnemonic(name), name)
            self.label_combo.setCurrentIndex(self.label_combo.findData(ann.label))
        has_span = ann.span is not None
        self.span_text.setVisible(has_span)
        self.offsets.setVisible(has_span)
        frags = ann.fragments if has_span else None
        if frags is not None and self.pieces_box is None:
            self._make_pieces_row()
        if self.pieces_box is not None:
            self.pieces_box.setVisible(frags is not None)
            self.pieces_caption.setVisible(frags is not None)
            self.pieces_list.clear()
        if has_span:
            self.span_text.setText(one_line(ann.text_in(self.text), 400))
            self.offsets.setText(f"[{ann.start}, {ann.end})  ·  {ann.end - ann.start} characters")  # type: ignore[operator]
        if frags is not None:
            size = sum(e - s for s, e in frags)
            self.offsets.setText(f"{' + '.join(f'[{s}, {e})' for s, e in frags)}  ·  {size} characters in {len(frags)} pieces")
            for s, e in frags:
                self.pieces_list.addItem(f"“{one_line(self.text[s:e], 50)}”  [{s}, {e})")
            self.pieces_list.setCurrentIndex(0)

    def _fill_event(self, ann: Annotation, schema: LabelSchema) -> None:
        et = schema.event_type(ann.label)
        self.args_table.setRowCount(len(ann.arguments))
        for r, arg in enumerate(ann.arguments):
            filler = self.by_id.get(arg.target)
            problem = filler_problem(et.role(arg.role) if et else None, filler, self.text, ann.label)
            role_item = QTableWidgetItem(f"{WARNING_SIGN} {arg.role}" if problem else arg.role)
            role_item.setData(Qt.ItemDataRole.UserRole, (arg.role, arg.target))
            filler_item = QTableWidgetItem(one_line(filler.text_in(self.text), 60) if filler else "(missing)")
            label_item = QTableWidgetItem(filler.label if filler else "")
            if filler is not None:
                label_item.setIcon(swatch_icon(schema.color(filler.kind, filler.label)))
            for item in (role_item, filler_item, label_item):
                item.setToolTip(plain_tooltip(problem or f"{arg.role}: {filler.text_in(self.text) if filler else ''}"))
            self.args_table.setItem(r, 0, role_item)
            self.args_table.setItem(r, 1, filler_item)
            self.args_table.setItem(r, 2, label_item)
        previous = self.role_combo.currentData()
        self.role_combo.clear()
        have = {a.role for a in ann.arguments}
        for role in et.roles if et else []:
            marks = []
            if role.required:
                marks.append("required" if role.name not in have else "required, filled")
            if role.labels:
                marks.append(", ".join(role.labels))
            self.role_combo.addItem(escape_mnemonic(f"{role.name}  ({'; '.join(marks)})" if marks else role.name), role.name)
            if role.has_guidelines():  # the role's guidelines on hover in the open list
                self.role_combo.setItemData(
                    self.role_combo.count() - 1, guide_tooltip(role, role.name), Qt.ItemDataRole.ToolTipRole
                )
        # Preselect the first required role still missing, else the first unused one.
        roles = et.roles if et else []
        missing = [r.name for r in roles if r.required and r.name not in have]
        unused = [r.name for r in roles if r.name not in have]
        choice = (missing or unused or [previous])[0]
        index = self.role_combo.findData(choice)
        self.role_combo.setCurrentIndex(max(index, 0))
        self.add_arg_button.setEnabled(self.role_combo.count() > 0)
        self.remove_arg_button.setEnabled(bool(ann.arguments))

    def _fill_claim(self, ann: Annotation, schema: LabelSchema) -> None:
        if ann.claimant_ref:
            self.claimant_label.setText(self._describe(ann.claimant_ref))
        elif ann.claimant_text:
            self.claimant_label.setText(f"{ann.claimant_text} (typed)")
        else:
            self.claimant_label.setText("(none)")
        self.clear_claimant_button.setEnabled(bool(ann.claimant_ref or ann.claimant_text))
        if not self.claimant_edit.hasFocus():
            self.claimant_edit.setText(ann.claimant_text or "")
        shape = tuple((a.name, tuple(a.values), a.default, a.description, repr(a.value_guides)) for a in schema.claim.attributes)
        if shape != self._attr_shape:
            self._build_attribute_rows(schema)
            self._attr_shape = shape
        unset = []
        for attr in schema.claim.attributes:
            combo = self.attr_combos[attr.name]
            value = ann.attributes.get(attr.name)
            if value is None:
                unset.append(_caption(attr.name))
            for i in range(combo.count() - 1, len(attr.values), -1):  # an earlier claim's value not in the schema
                combo.removeItem(i)
            index = combo.findData(value) if value is not None else 0
            if index < 0:  # a value the schema does not list: show it anyway
                combo.addItem(escape_mnemonic(f"{value} (not in schema)"), value)
                index = combo.count() - 1
            combo.setCurrentIndex(index)
        self.unset_label.setVisible(bool(unset))
        self.unset_label.setText(f"Not set yet: {', '.join(unset)}" if unset else "")

    def _build_attribute_rows(self, schema: LabelSchema) -> None:
        for w in self._attr_rows:
            self.attr_form.removeRow(w)
        self._attr_rows, self.attr_combos, self.attr_hints = [], {}, {}
        keys = {item: letter for letter, item in claim_attribute_keys(schema).items()}
        for attr in schema.claim.attributes:
            combo = QComboBox()
            # As narrow as the pane needs (the open list still shows whole items).
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            combo.addItem(NOT_SET, None)
            hints = []
            for value in attr.values:
                letter = keys.get((attr.name, value))
                shortcut = f"Shift+{letter.upper()}" if letter else ""
                combo.addItem(escape_mnemonic(f"{value}  ({shortcut})" if shortcut else value), value)
                guide = attr.value_guide(value)
                if guide.has_guidelines():  # the value's guidelines on hover in the open list
                    combo.setItemData(
                        combo.count() - 1, guide_tooltip(guide, f"{_caption(attr.name)} = {value}"), Qt.ItemDataRole.ToolTipRole
                    )
                if shortcut:
                    hints.append(f"{shortcut} {value}")
            tip = attr.description or f"{_caption(attr.name)} of the claim"
            tip += f"\nA new claim starts with {attr.default}." if attr.default else "\nA new claim starts with it unset."
            combo.setToolTip(plain_tooltip(tip))
            combo.activated.connect(lambda _i, name=attr.name, c=combo: self._attribute_chosen(name, c))
            hint = plain_label(" · ".join(hints), wrap=True)
            hint.setStyleSheet("color: palette(mid);")
            hint.setToolTip(plain_tooltip("With the claim selected (in the text or the list), Shift + the letter sets the value"))
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(combo)
            box.addWidget(hint)
            # Only now that it has a parent: setVisible on a parentless widget
            # would open it as a window of its own (and take the focus away).
            hint.setVisible(bool(hints))
            caption = plain_label(_caption(attr.name))
            caption.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            caption.setBuddy(combo)
            self.attr_form.addRow(caption, cell)
            self.attr_combos[attr.name] = combo
            self.attr_hints[attr.name] = hint
            self._attr_rows.append(cell)

    def _fill_links(self, ann: Annotation) -> None:
        links = []
        for other in self.by_id.values():
            if other.id == ann.id:
                continue
            for arg in other.arguments:
                if arg.target == ann.id:
                    links.append(f"{arg.role} of {other.label} {self._describe(other.id)}")
            if other.claimant_ref == ann.id:
                links.append(f"claimant of claim {self._describe(other.id)}")
            if other.kind == "relation" and ann.id in (other.head, other.tail):
                end = "head" if other.head == ann.id else "tail"
                links.append(f"{end} of {other.label}")
        self.links_label.setVisible(bool(links))
        self.links_label.setText("Linked as: " + "; ".join(links) if links else "")

    # -- user edits ------------------------------------------------------------------
    def _label_chosen(self, index: int) -> None:
        label = self.label_combo.itemData(index)
        if self.ann is not None and label and label != self.ann.label:
            self.labelChangeRequested.emit(self.ann.id, label)

    def _attribute_chosen(self, name: str, combo: QComboBox) -> None:
        if self.ann is None or self.ann.kind != "claim":
            return
        value = combo.currentData()
        if value != self.ann.attributes.get(name):
            self.attributeChanged.emit(self.ann.id, name, value or "")

    def _claimant_edited(self) -> None:
        if self.ann is None or self.ann.kind != "claim":
            return
        text = self.claimant_edit.text().strip()
        if text and text != (self.ann.claimant_text or ""):
            self.claimantTextChanged.emit(self.ann.id, text)

    def _clear_claimant(self) -> None:
        if self.ann is not None and self.ann.kind == "claim":
            self.claimant_edit.clear()
            self.claimantTextChanged.emit(self.ann.id, "")

    def selected_argument(self) -> tuple[str, str] | None:
        row = self.args_table.currentRow()
        item = self.args_table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _remove_selected_argument(self) -> None:
        arg = self.selected_argument()
        if arg is None and self.ann is not None and len(self.ann.arguments) == 1:
            arg = (self.ann.arguments[0].role, self.ann.arguments[0].target)
        if arg is not None and self.ann is not None:
            self.removeArgumentRequested.emit(self.ann.id, arg[0], arg[1])

    def _go_to_filler(self, row: int) -> None:
        item = self.args_table.item(row, 0)
        if item is not None:
            self.annotationRequested.emit(item.data(Qt.ItemDataRole.UserRole)[1])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        table = getattr(self, "args_table", None)  # QScrollArea filters its viewport before __init__ ends
        if watched is table and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self._remove_selected_argument()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._go_to_filler(self.args_table.currentRow())
                return True
        return super().eventFilter(watched, event)
