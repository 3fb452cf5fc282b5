"""Review mode: compare annotators side by side and adjudicate a gold layer.

:class:`ReviewView` shows one document: one read-only :class:`ArticleView` per
annotator, side by side and scroll-synchronised (or one pane overlaying them all,
one colour per annotator: Ctrl+Shift+O), and a gold pane; below them the
*units* (matched groups of spans, see :mod:`annotator.core.review`) with a status
each, and the adjudication panel of the selected unit: accept one annotator's
version, one event argument, one claim attribute or the claimant; reject; change
or remove the gold annotation; add a gold span from a selection in the gold
pane. "Accept all agreed" and "Mark reviewed" act on the whole document.

Agreement needs at least two annotators. When only one has annotated a document,
no unit is "agreed" (each is *single*): the view says so in plain words, hides
"Accept all agreed" and offers "Accept all of <name>’s" instead, an explicit
decision to promote that annotator's work into gold (one step, undoable).

Every decision (:mod:`annotator.ui.review_decisions`) is a core review command
pushed on the undo stack it is given (the main window's), so Ctrl+Z undoes it,
and it is in the project file at once. The review queue on the left lists
documents by open disagreements. The window around this view is in
:mod:`annotator.ui.review_window`, the main window's review menu in
:mod:`annotator.ui.review_actions`.

Keys (while the review window has focus): 1-9 accept the n-th annotator's
version of the selected unit, X rejects it, J/K go to the next/previous open
unit, Ctrl+Shift+A accepts everything all annotators agree on, Ctrl+D marks the
document reviewed, Ctrl+PgDown/PgUp move through the queue, Alt+Left/Right
move the start and Alt+Shift+Left/Right the end of the selected unit's gold span.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.core.commands import Changes
from annotator.core.models import GOLD, Annotation, DocStatus
from annotator.core.review import QueueRow, Unit, align, review_queue
from annotator.core.review_doclabels import AcceptDocLabels, DocLabelUnit, doc_label_units
from annotator.core.store import Project, ProjectError
from annotator.ui import dialogs
from annotator.ui.actions import make_action, plain_tooltip
from annotator.ui.article_view import ArticleView
from annotator.ui.doc_list import STATUS_TEXT, document_title
from annotator.ui.review_decisions import ReviewDecisions
from annotator.ui.review_doclabels import DocLabelReview
from annotator.ui.review_models import OVERLAY_COLORS, UNIT_STATUS, QueueModel, UnitModel, overlay_color
from annotator.ui.review_widgets import Pane, UnitDetail
from annotator.ui.undo import UndoController

log = logging.getLogger(__name__)


class ReviewView(ReviewDecisions, QWidget):
    """Review of one document at a time (see the module doc)."""

    #: The document shown changed.
    documentOpened = Signal(str)
    #: A message for the status bar (plain text).
    message = Signal(str)

    def __init__(
        self,
        project: Project,
        reviewer: str,
        undo_stack: QUndoStack | None = None,
        parent: QWidget | None = None,
        annotators: list[str] | None = None,
        controller: UndoController | None = None,
    ):
        """``controller``: the change bus to push decisions through and to follow
        (the main window's); without one, a bus of its own over ``undo_stack``."""
        super().__init__(parent)
        self.project = project
        self.reviewer = reviewer
        if controller is None:
            controller = UndoController(undo_stack if undo_stack is not None else QUndoStack(self), self)
        self.controller = controller
        self.undo_stack = controller.stack
        controller.changed.connect(self._after_change)
        self.fixed_annotators = annotators
        self.doc_id: str | None = None
        self.text = ""
        self.anns: dict[str, Annotation] = {}
        self.annotators: list[str] = []
        self.units: list[Unit] = []
        #: The document labels' units of the document shown (issue 14).
        self.doc_label_units: list[DocLabelUnit] = []
        self.panes: dict[str, Pane] = {}
        self._syncing = False
        self._synced: set[ArticleView] = set()
        self.last_error = ""
        self._build()
        self._build_actions()
        self.refresh_queue()

    # -- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.main_split)

        queue_box = QWidget()
        qlay = QVBoxLayout(queue_box)
        qlay.setContentsMargins(4, 4, 4, 4)
        qtitle = dialogs.plain_label("Review queue (most open disagreement first)")
        qtitle.setStyleSheet("font-weight: 600;")
        self.hide_reviewed = QCheckBox("Hide reviewed documents")
        self.hide_reviewed.toggled.connect(lambda _on: self.refresh_queue())
        self.queue_model = QueueModel(self)
        self.queue = dialogs.list_table(self.queue_model)
        self.queue.setObjectName("reviewQueue")
        hh = self.queue.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.queue.selectionModel().currentRowChanged.connect(self._queue_row_changed)
        qlay.addWidget(qtitle)
        qlay.addWidget(self.hide_reviewed)
        qlay.addWidget(self.queue, 1)
        self.main_split.addWidget(queue_box)

        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(4, 4, 4, 4)
        header = QHBoxLayout()
        self.title_label = dialogs.ElidedLabel()
        self.title_label.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.status_label = dialogs.plain_label()
        self.accept_agreed_button = QPushButton("Accept all agreed")
        self.accept_agreed_button.setObjectName("accept-agreed")
        self.accept_agreed_button.setToolTip(
            plain_tooltip("Copy every unit all annotators made identically into the gold layer, as one step (Ctrl+Shift+A)")
        )
        self.accept_agreed_button.clicked.connect(lambda _c=False: self.accept_all_agreed())
        self.accept_single_button = QPushButton("Accept all of their annotations")
        self.accept_single_button.setObjectName("accept-annotator")
        self.accept_single_button.setVisible(False)  # only when one annotator worked on the document
        self.accept_single_button.clicked.connect(lambda _c=False: self.accept_all_from())
        self.reviewed_button = QPushButton("Mark reviewed")
        self.reviewed_button.setObjectName("mark-reviewed")
        self.reviewed_button.setToolTip(plain_tooltip("Mark this document reviewed (Ctrl+D)"))
        self.reviewed_button.clicked.connect(lambda _c=False: self.mark_reviewed())
        self.overlay_check = QCheckBox("Overlay annotators")
        self.overlay_check.setObjectName("overlay")
        self.overlay_check.setToolTip(
            plain_tooltip(
                "Show every annotator's spans in one pane, one colour per annotator, instead of side by side (Ctrl+Shift+O)"
            )
        )
        self.overlay_check.toggled.connect(self.set_overlay)
        header.addWidget(self.title_label, 1)
        header.addWidget(self.overlay_check)
        header.addWidget(self.status_label)
        header.addWidget(self.accept_agreed_button)
        header.addWidget(self.accept_single_button)
        header.addWidget(self.reviewed_button)
        rlay.addLayout(header)
        self.summary_label = dialogs.plain_label(wrap=True)
        rlay.addWidget(self.summary_label)
        self.doc_labels_box = DocLabelReview()
        self.doc_labels_box.acceptRequested.connect(self.accept_doc_labels)
        rlay.addWidget(self.doc_labels_box)

        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.pane_split = QSplitter(Qt.Orientation.Horizontal)
        self.gold_pane = Pane(GOLD)
        self.overlay_pane = Pane("overlay")
        self.overlay_pane.view.annotationClicked.connect(self._span_clicked)
        self.overlay_pane.setVisible(False)
        gold_box = QWidget()
        glay = QVBoxLayout(gold_box)
        glay.setContentsMargins(0, 0, 0, 0)
        glay.setSpacing(2)
        glay.addWidget(self.gold_pane, 1)
        add_row = QHBoxLayout()
        self.add_label = QComboBox()
        self.add_label.setObjectName("gold-add-label")
        self.add_button = QPushButton("Add selection to gold")
        self.add_button.setObjectName("gold-add")
        self.add_button.setToolTip(plain_tooltip("Select text in the gold pane, choose a label, add it to the gold layer"))
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(lambda _c=False: self.add_gold_span())
        self.gold_pane.view.spanSelectionChanged.connect(lambda s, e: self.add_button.setEnabled(e > s))
        self.gold_pane.view.annotationClicked.connect(self._gold_clicked)
        add_row.addWidget(self.add_label, 1)
        add_row.addWidget(self.add_button)
        glay.addLayout(add_row)
        self.gold_box = gold_box
        self.pane_split.addWidget(self.overlay_pane)
        self.vsplit.addWidget(self.pane_split)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        units_box = QWidget()
        ulay = QVBoxLayout(units_box)
        ulay.setContentsMargins(0, 0, 0, 0)
        self.only_open = QCheckBox("Only disagreements")
        self.only_open.toggled.connect(lambda _on: self._show_units(keep=self.selected_unit()))
        self.unit_model = UnitModel(self)
        self.unit_table = dialogs.list_table(self.unit_model)
        self.unit_table.setObjectName("units")
        self.unit_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.unit_table.selectionModel().currentRowChanged.connect(self._unit_row_changed)
        ulay.addWidget(self.only_open)
        ulay.addWidget(self.unit_table, 1)
        self.detail = UnitDetail(self)
        bottom.addWidget(units_box)
        bottom.addWidget(self.detail)
        bottom.setSizes([640, 460])
        self.vsplit.addWidget(bottom)
        self.vsplit.setSizes([540, 320])
        rlay.addWidget(self.vsplit, 1)
        self.main_split.addWidget(right)
        self.main_split.setSizes([270, 1130])

    def _build_actions(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        a = make_action
        self.actions_by_name: dict[str, QAction] = {
            "accept_agreed": a(self, "Accept all agreed", self.accept_all_agreed, shortcut="Ctrl+Shift+A", context=ctx),
            "reviewed": a(self, "Mark reviewed", self.mark_reviewed, shortcut="Ctrl+D", context=ctx),
            "reject": a(self, "Reject the selected unit", lambda: self.reject(self.selected_unit()), shortcut="X", context=ctx),
            "next_open": a(self, "Next open unit", lambda: self.select_open(1), shortcut="J", context=ctx),
            "prev_open": a(self, "Previous open unit", lambda: self.select_open(-1), shortcut="K", context=ctx),
            "next_doc": a(self, "Next document in the queue", lambda: self.move_queue(1), shortcut="Ctrl+PgDown", context=ctx),
            "prev_doc": a(self, "Previous document in the queue", lambda: self.move_queue(-1), shortcut="Ctrl+PgUp", context=ctx),
            "overlay": a(self, "Overlay annotators", lambda: self.overlay_check.toggle(), shortcut="Ctrl+Shift+O", context=ctx),
        }
        for name, text, which, delta, key in (
            ("gold_start_left", "Move the gold start left", "start", -1, "Alt+Left"),
            ("gold_start_right", "Move the gold start right", "start", 1, "Alt+Right"),
            ("gold_end_left", "Move the gold end left", "end", -1, "Alt+Shift+Left"),
            ("gold_end_right", "Move the gold end right", "end", 1, "Alt+Shift+Right"),
        ):
            self.actions_by_name[name] = a(
                self, text, lambda w=which, d=delta: self.adjust_gold_boundary(w, d), shortcut=key, context=ctx
            )
        for i in range(9):
            self.actions_by_name[f"accept_{i + 1}"] = a(
                self, f"Accept annotator {i + 1}’s version", lambda i=i: self.accept_nth(i), shortcut=str(i + 1), context=ctx
            )
        self.addActions(list(self.actions_by_name.values()))

    # -- data -------------------------------------------------------------------------
    def schema_labels(self, kind: str) -> list[str]:
        return self.project.schema.labels(kind)

    def schema_attributes(self) -> list[str]:
        return [x.name for x in self.project.schema.claim.attributes]

    def refresh_queue(self) -> None:
        """Recompute the queue (all documents with annotator work)."""
        try:
            rows = review_queue(self.project, self.fixed_annotators, include_done=not self.hide_reviewed.isChecked())
        except ProjectError as err:
            self.report_error(str(err))
            rows = []
        current = self.doc_id
        self.queue.selectionModel().blockSignals(True)
        self.queue_model.set_rows(rows)
        dialogs.select_row(self.queue, self.queue_model.row_of(current))
        self.queue.selectionModel().blockSignals(False)

    def open_document(self, doc_id: str) -> bool:
        """Show ``doc_id`` for review."""
        try:
            text = self.project.document_text(doc_id)
        except KeyError:
            return False
        first = doc_id != self.doc_id
        self.doc_id = doc_id
        self.text = text
        self._load(first=first)
        self.queue.selectionModel().blockSignals(True)
        dialogs.select_row(self.queue, self.queue_model.row_of(doc_id))
        self.queue.selectionModel().blockSignals(False)
        self.documentOpened.emit(doc_id)
        return True

    def _load(self, first: bool) -> None:
        assert self.doc_id is not None
        p = self.project
        doc = p.get_document(self.doc_id)
        all_anns = p.annotations(self.doc_id)
        self.anns = {a.id: a for a in all_anns}
        present = sorted({a.annotator for a in all_anns if a.annotator != GOLD})
        annotators = list(self.fixed_annotators) if self.fixed_annotators is not None else present
        decisions = p.review_decisions(self.doc_id)
        self.units = align(all_anns, self.text, annotators, decisions)
        schema = p.schema
        rebuild = first or annotators != self.annotators
        if rebuild:
            self.annotators = annotators
            self._build_panes()
            for name, pane in self.panes.items():
                pane.view.set_article(self.text, [a for a in all_anns if a.annotator == name], schema)
            self._fill_add_labels()
        else:
            for name, pane in self.panes.items():
                pane.view.set_annotations([a for a in all_anns if a.annotator == name])
        for name, pane in self.panes.items():
            n = sum(1 for a in all_anns if a.annotator == name)
            pane.set_title(f"Gold layer ({n})" if name == GOLD else f"{name} ({n})")
        self._fill_overlay(all_anns, schema, rebuild=rebuild)
        self.title_label.set_full_text(document_title(doc.model_dump(include={"id", "title", "external_id"})))
        self.status_label.setText(STATUS_TEXT.get(doc.status.value, doc.status.value))
        self.reviewed_button.setEnabled(doc.status != DocStatus.REVIEWED)
        self._show_summary(present)
        self._show_units(keep=None)
        self.doc_label_units = doc_label_units(p, self.doc_id, self.fixed_annotators)
        self.doc_labels_box.show_units(self.doc_label_units, annotators)

    def _show_summary(self, present: list[str]) -> None:
        """The summary line and the whole-document buttons: "Accept all agreed" with
        two annotators or more, "Accept all of <name>’s" with one (nothing is agreed
        then), and a plain statement of what agreement needs."""
        counts: dict[str, int] = {}
        for u in self.units:
            counts[u.status] = counts.get(u.status, 0) + 1
        open_n = sum(1 for u in self.units if u.open)
        single = self.single_annotator()
        self.accept_agreed_button.setVisible(single is None)
        self.accept_single_button.setVisible(single is not None)
        self.only_open.setEnabled(single is None)
        self.only_open.setToolTip(
            plain_tooltip("With one annotator there are no disagreements to show") if single is not None else ""
        )
        if single is not None:
            todo = self.acceptable_from(single)
            self.accept_single_button.setText(f"Accept all of {single}’s ({todo})")
            self.accept_single_button.setEnabled(todo > 0)
            self.accept_single_button.setToolTip(
                plain_tooltip(
                    f"Only {single} has annotated this document, so nothing can be called agreed. "
                    f"Copy every one of {single}’s annotations you have not decided yet into the gold layer, as one step"
                )
            )
            self.summary_label.setText(
                self._single_message(single, present) + f"   {len(self.units)} units, {open_n} not decided yet."
            )
            return
        agreed_open = sum(1 for u in self.units if u.agreed and not u.gold)
        self.accept_agreed_button.setEnabled(agreed_open > 0)
        self.accept_agreed_button.setText(f"Accept all agreed ({agreed_open})")
        parts = [f"{n} {UNIT_STATUS[s][1]}" for s, n in sorted(counts.items(), key=lambda kv: list(UNIT_STATUS).index(kv[0]))]
        self.summary_label.setText(
            f"{len(self.units)} units: " + ", ".join(parts) + f" — {open_n} open, {agreed_open} agreed not yet in gold"
            if self.units
            else "No annotations to review in this document."
        )

    def _single_message(self, name: str, present: list[str]) -> str:
        """What the reviewer of a document with one annotator compared is told."""
        others = [n for n in present if n != name]
        if others:  # the view was asked to compare one annotator only
            why = (
                f"Only one annotator ({name}) is compared here (this document also has work by {', '.join(others)}); "
                "agreement needs at least two."
            )
            get_there = ""
        else:
            why = f"Only one annotator ({name}) has annotated this document; agreement needs at least two."
            get_there = (
                " To compare annotators, bring another annotator's work of this document into the project: "
                "File > Import colleague's work… in the main window, or annotator merge on the command line."
            )
        return (
            f"{why} You can still accept {name}’s annotations into gold one by one (select a unit, then "
            f"“Accept {name}’s” or key 1) or all at once (“Accept all of {name}’s”).{get_there}"
        )

    def _build_panes(self) -> None:
        for pane in self.panes.values():
            if pane is not self.gold_pane:
                pane.setParent(None)
                pane.deleteLater()
        self.panes = {}
        for name in self.annotators:
            pane = Pane(name)
            pane.view.annotationClicked.connect(self._span_clicked)
            self.pane_split.addWidget(pane)
            self.panes[name] = pane
        self.pane_split.addWidget(self.gold_box)
        self.panes[GOLD] = self.gold_pane
        self.pane_split.insertWidget(0, self.overlay_pane)
        if self.overlay_pane.view not in self._synced:
            self._synced.add(self.overlay_pane.view)
            self.overlay_pane.view.verticalScrollBar().valueChanged.connect(self._sync_scroll)
        self._show_overlay(self.overlay_check.isChecked())
        self.pane_split.setSizes([1000] * self.pane_split.count())
        for pane in self.panes.values():
            if pane.view not in self._synced:
                self._synced.add(pane.view)
                pane.view.verticalScrollBar().valueChanged.connect(self._sync_scroll)

    def _fill_overlay(self, all_anns: list[Annotation], schema: Any, rebuild: bool) -> None:
        """Every annotator's annotations in the overlay pane, coloured per annotator."""
        names = list(self.annotators)
        view = self.overlay_pane.view
        mine = [a for a in all_anns if a.annotator in names]
        if rebuild:  # the colours follow the annotators, who change only with a rebuild
            view.set_color_function(lambda a: overlay_color(names, a.annotator))
            view.set_article(self.text, mine, schema)
        else:
            view.set_annotations(mine)
        legend = ", ".join(f"{n} ({OVERLAY_COLORS[i % len(OVERLAY_COLORS)][1]})" for i, n in enumerate(names))
        self.overlay_pane.set_title(f"All annotators: {legend}" if names else "No annotators")

    def set_overlay(self, on: bool) -> None:
        """Overlay every annotator in one pane (True) or show them side by side."""
        if self.overlay_check.isChecked() != on:
            self.overlay_check.setChecked(on)  # comes back here through toggled
            return
        self._show_overlay(on)
        self._unit_selected(self.selected_unit())

    def overlay(self) -> bool:
        return self.overlay_check.isChecked()

    def _show_overlay(self, on: bool) -> None:
        for name, pane in self.panes.items():
            if name != GOLD:
                pane.setVisible(not on)
        self.overlay_pane.setVisible(on)

    def _fill_add_labels(self) -> None:
        self.add_label.clear()
        schema = self.project.schema
        for kind in ("entity", "event", "claim"):
            for label in schema.labels(kind):
                self.add_label.addItem(f"{label} ({kind})" if kind != "claim" else "claim", (kind, label))

    def _sync_scroll(self, value: int) -> None:
        """Keep every pane at the same place in the text (same proportion scrolled)."""
        if self._syncing:
            return
        source = self.sender()
        if source is None or source.maximum() <= 0:
            return
        ratio = value / source.maximum()
        self._syncing = True
        try:
            for pane in [*self.panes.values(), self.overlay_pane]:
                bar = pane.view.verticalScrollBar()
                if bar is not source:
                    bar.setValue(round(ratio * bar.maximum()))
        finally:
            self._syncing = False

    def _show_units(self, keep: Unit | None) -> None:
        shown = [u for u in self.units if not self.only_open.isChecked() or u.status not in ("agreed",)]
        self.unit_table.selectionModel().blockSignals(True)
        self.unit_model.set_units(shown, self.annotators, self.text, self.anns)
        header = self.unit_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        row = -1
        if keep is not None:
            ids = set(keep.ids) | {g.id for g in keep.gold}
            row = next((i for i, u in enumerate(shown) if ids & (set(u.ids) | {g.id for g in u.gold})), -1)
        dialogs.select_row(self.unit_table, row)
        self.unit_table.selectionModel().blockSignals(False)
        self._unit_selected(self.unit_model.unit(row))

    def selected_unit(self) -> Unit | None:
        index = self.unit_table.selectionModel().currentIndex()
        return self.unit_model.unit(index.row()) if index.isValid() else None

    def select_unit(self, u: Unit | None) -> None:
        row = self.unit_model.units.index(u) if u in self.unit_model.units else -1
        dialogs.select_row(self.unit_table, row)

    def unit_containing(self, ann_id: str) -> Unit | None:
        return next((u for u in self.units if ann_id in u.ids or ann_id in {g.id for g in u.gold}), None)

    def _unit_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._unit_selected(self.unit_model.unit(current.row()))

    def _unit_selected(self, u: Unit | None) -> None:
        self.detail.show_unit(u)
        for name, pane in self.panes.items():
            anns = (u.gold if name == GOLD else u.members.get(name, [])) if u else []
            pane.view.set_selected_annotation(anns[0].id if anns else None)
        self.overlay_pane.view.set_selected_annotation(u.annotations[0].id if u and u.annotations else None)
        if u is not None:  # scroll it into view once laid out; the other panes follow
            first = (u.annotations or u.gold)[0]
            QTimer.singleShot(0, lambda: self._reveal(first))

    def _reveal(self, ann: Annotation) -> None:
        pane = self.overlay_pane if self.overlay_check.isChecked() and ann.annotator != GOLD else self.panes.get(ann.annotator)
        if pane is not None and pane.view.annotation(ann.id) is not None:
            pane.view.set_selected_annotation(ann.id, ensure_visible=True)

    def _span_clicked(self, ann_id: str) -> None:
        u = self.unit_containing(ann_id)
        if u is not None:
            if u not in self.unit_model.units:
                self.only_open.setChecked(False)
            self.select_unit(u)

    def _gold_clicked(self, ann_id: str) -> None:
        self._span_clicked(ann_id)

    def _queue_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            row = self.queue_model.rows[current.row()]
            if row.doc_id != self.doc_id:
                self.open_document(row.doc_id)

    def move_queue(self, step: int) -> None:
        row = self.queue_model.row_of(self.doc_id) + step
        if 0 <= row < self.queue_model.rowCount():
            self.open_document(self.queue_model.rows[row].doc_id)

    def select_open(self, step: int) -> None:
        units = self.unit_model.units
        if not units:
            return
        cur = self.selected_unit()
        start = units.index(cur) if cur in units else (-1 if step > 0 else len(units))
        i = start + step
        while 0 <= i < len(units):
            if units[i].open:
                self.select_unit(units[i])
                return
            i += step
        if self.single_annotator() is not None:
            self.message.emit("No more undecided units in this document.")
        else:
            self.message.emit("No more open disagreements in this document.")

    # -- reactions ----------------------------------------------------------------------
    def show_document(self, doc_id: str) -> None:
        """Show ``doc_id`` (before a decision made there is undone or redone)."""
        if doc_id != self.doc_id:
            self.open_document(doc_id)

    def detach(self) -> None:
        """Stop following the change bus (this view is replaced or its project closed)."""
        self.controller.changed.disconnect(self._after_change)

    def _after_change(self, changes: Changes) -> None:
        """Refresh after any change on the bus: the document shown, its queue row;
        documents changed wholesale (an import, a merge) recompute the queue too."""
        if changes.wholesale:
            self.refresh_queue()
            if self.doc_id:  # also when not changed itself: reselects its row in the new queue
                self.open_document(self.doc_id)
            return
        if changes.doc_id != self.doc_id:
            return
        keep = self.selected_unit()
        self._load(first=False)
        if keep is not None:
            self._show_units(keep=keep)
        self._update_queue_row()

    def _update_queue_row(self) -> None:
        """Bring the open document's queue row up to date (the list is not re-sorted
        under the reviewer's hands; reopening the review re-sorts it)."""
        row = self.queue_model.row_of(self.doc_id)
        if row < 0 or self.doc_id is None:
            return
        old = self.queue_model.rows[row]
        status = self.project.document_status(self.doc_id).value
        self.queue_model.rows[row] = QueueRow.of(old.doc_id, old.title, status, old.annotators, self.units)
        self.queue_model.dataChanged.emit(self.queue_model.index(row, 0), self.queue_model.index(row, 4))

    def accept_doc_labels(self, category: str, annotator: str | None) -> bool:
        """Put ``annotator``'s labels of ``category`` into gold (None: none), one undoable step."""
        if self.doc_id is None:
            return False
        if self.run(AcceptDocLabels(self.doc_id, self.reviewer, category, annotator)):
            what = f"{annotator}'s {category}" if annotator else f"no {category}"
            self.message.emit(f"Gold now has {what} (Ctrl+Z undoes).")
            return True
        return False

    def report_error(self, text: str) -> None:
        """A refused decision or a failed undo/redo: status bar, and a dialog when shown."""
        self.last_error = text
        log.info("review: %s", text)
        self.message.emit(text)
        if self.isVisible():
            dialogs.show_warning(self, "Review", text)
