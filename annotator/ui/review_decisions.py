"""The reviewer's decisions: each one a core review command (accept a version, an
argument or an attribute; accept all agreed, or all of the only annotator's work;
reject; edit, add or remove gold) pushed through the undo controller, so Ctrl+Z
undoes it and it is in the project file at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotator.core.commands import AddAnnotations, Command, DeleteAnnotations, Macro, UpdateAnnotation
from annotator.core.models import CLAIM_LABEL, GOLD, Annotation, DocStatus, new_id
from annotator.core.review import (
    AcceptAllAgreed,
    AcceptAllFrom,
    AcceptAnnotation,
    AcceptArgument,
    AcceptAttribute,
    EditGold,
    Reject,
    SetReviewStatus,
    Unit,
)
from annotator.core.review_doclabels import AcceptDocLabels, doc_label_units

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QComboBox

    from annotator.core.store import Project
    from annotator.ui.review_widgets import Pane
    from annotator.ui.undo import UndoController


class ReviewDecisions:
    """Decisions of :class:`~annotator.ui.review_view.ReviewView` (mixed into it;
    it reads the view's state below and selects units through it)."""

    project: Project
    doc_id: str | None
    reviewer: str
    anns: dict[str, Annotation]
    annotators: list[str]
    units: list[Unit]
    fixed_annotators: list[str] | None
    controller: UndoController
    gold_pane: Pane
    add_label: QComboBox
    message: SignalInstance
    # ... and the view's methods it calls:
    show_document: Callable[[str], None]
    report_error: Callable[[str], None]
    selected_unit: Callable[[], Unit | None]
    unit_containing: Callable[[str], Unit | None]

    def run(self, command: Command) -> bool:
        """Apply a review command through the undo stack (saved at once)."""
        if self.doc_id is None:
            return False
        return self.controller.push(command, self) is not None

    def _shown(self, u: Unit | None) -> list[Annotation]:
        """What the reviewer saw of a unit: decisions refuse if it changed meanwhile."""
        return [*u.annotations, *u.gold] if u is not None else []

    def accept(self, ann_id: str) -> bool:
        u = self.unit_containing(ann_id)
        replace = [g.id for g in u.gold] if u is not None else None
        cmd = AcceptAnnotation(self.doc_id or "", self.reviewer, ann_id, replace=replace)
        return self.run(cmd.expecting(*self._shown(u)))

    def accept_nth(self, i: int) -> bool:
        u = self.selected_unit()
        if u is None or i >= len(self.annotators):
            return False
        versions = u.members.get(self.annotators[i], [])
        if len(versions) != 1:
            self.message.emit(
                f"{self.annotators[i]} has {'no' if not versions else 'several'} version(s) here; use the buttons to choose"
            )
            return False
        return self.accept(versions[0].id)

    def accept_argument(self, event_id: str, role: str, target: str) -> bool:
        u = self.unit_containing(event_id)
        cmd = AcceptArgument(self.doc_id or "", self.reviewer, event_id, role, target)
        return self.run(cmd.expecting(*self._shown(u)))

    def accept_attribute(self, ann_id: str, name: str) -> bool:
        u = self.unit_containing(ann_id)
        cmd = AcceptAttribute(self.doc_id or "", self.reviewer, ann_id, name)
        return self.run(cmd.expecting(*self._shown(u)))

    def reject(self, u: Unit | None, remove_gold: bool = False) -> bool:
        if u is None:
            return False
        gold_ids = [g.id for g in u.gold]
        if remove_gold and not gold_ids:
            return False
        cmd = Reject(self.doc_id or "", self.reviewer, u.ids, gold_ids)
        return self.run(cmd.expecting(*self._shown(u)))

    def single_annotator(self) -> str | None:
        """The annotator when only one is compared on this document (nothing can be
        agreed then: agreement needs at least two), else None."""
        return self.annotators[0] if len(self.annotators) == 1 else None

    def acceptable_from(self, annotator: str) -> int:
        """How many units :meth:`accept_all_from` would accept: ``annotator`` made one
        version and nobody has decided them yet."""
        return sum(1 for u in self.units if len(u.members.get(annotator, [])) == 1 and not u.gold and u.decision is None)

    def accept_all_agreed(self) -> bool:
        if self.doc_id is None:
            return False
        name = self.single_annotator()
        if name is not None:
            self.message.emit(
                f"Nothing is agreed with only one annotator ({name}); agreement needs at least two. "
                f"To accept {name}’s annotations into gold, use “Accept all of {name}’s” or accept them one by one."
            )
            return False
        cmd = AcceptAllAgreed(self.doc_id, self.reviewer, self.fixed_annotators)
        # and the document labels all annotators chose alike (issue 14), in the same step
        labels = [
            AcceptDocLabels(self.doc_id, self.reviewer, u.category, next(iter(u.members)))
            for u in doc_label_units(self.project, self.doc_id, self.fixed_annotators)
            if u.status == "agreed" and not u.gold
        ]
        ok = self.run(Macro(self.doc_id, self.reviewer, [cmd, *labels], "accept all agreed") if labels else cmd)
        if ok:
            text = f"Accepted {cmd.accepted} agreed annotation{'' if cmd.accepted == 1 else 's'}"
            if labels:
                text += f" and {len(labels)} agreed document label categor{'y' if len(labels) == 1 else 'ies'}"
            self.message.emit(f"{text} into gold.")
        return ok

    def accept_all_from(self, annotator: str | None = None) -> bool:
        """Accept every undecided annotation of ``annotator`` (default: the only
        annotator of this document) into gold, as one undoable step."""
        name = annotator or self.single_annotator()
        if self.doc_id is None or name is None:
            return False
        if not self.acceptable_from(name):
            self.message.emit(f"Nothing left to accept: every one of {name}’s annotations here is decided.")
            return False
        cmd = AcceptAllFrom(self.doc_id, self.reviewer, name, self.fixed_annotators)
        ok = self.run(cmd)
        if ok:
            text = f"Accepted {cmd.accepted} of {name}’s annotation{'' if cmd.accepted == 1 else 's'} into gold."
            if cmd.skipped:
                text += (
                    f" {cmd.skipped} unit{' where' if cmd.skipped == 1 else 's where'} {name} made several versions"
                    f" {'is' if cmd.skipped == 1 else 'are'} left for you to choose."
                )
            self.message.emit(text)
        return ok

    def mark_reviewed(self) -> bool:
        if self.doc_id is None:
            return False
        return self.run(SetReviewStatus(self.doc_id, self.reviewer, DocStatus.REVIEWED))

    def set_gold_label(self, gold_id: str, label: str) -> bool:
        g = self.anns.get(gold_id)
        if g is None or g.label == label:
            return False
        cmd = EditGold(
            UpdateAnnotation(self.doc_id or "", self.reviewer, gold_id, label=label, text=f"change gold label to {label}")
        )
        return self.run(cmd.expecting(g))

    def adjust_gold_boundary(self, which: str, delta: int) -> bool:
        """Move the start or end of the gold span selected in the gold pane (the
        selected unit's gold annotation) by one character, or one word when the
        gold pane snaps to words."""
        view = self.gold_pane.view
        gold_id = view.selected_annotation()
        g = self.anns.get(gold_id) if gold_id else None
        if g is None or g.annotator != GOLD or g.start is None or self.doc_id is None:
            self.message.emit("Select a unit with a gold span first; Alt+arrows move its start, Alt+Shift+arrows its end.")
            return False
        new = view.adjust_selected_boundary(which, delta)
        if new is None:
            self.message.emit(f"The gold {which} cannot move further that way.")
            return False
        start, end = new
        cmd = EditGold(UpdateAnnotation(self.doc_id, self.reviewer, g.id, text="adjust gold boundaries", start=start, end=end))
        return self.run(cmd.expecting(g))

    def remove_gold(self, gold_ids: list[str]) -> bool:
        return self.run(EditGold(DeleteAnnotations(self.doc_id or "", self.reviewer, gold_ids)))

    def add_gold_span(self, kind: str | None = None, label: str | None = None) -> bool:
        """Add the gold pane's text selection to the gold layer."""
        if self.doc_id is None:
            return False
        start, end = self.gold_pane.view.selection_span()
        if end <= start:
            self.message.emit("Select text in the gold pane first.")
            return False
        if kind is None or label is None:
            kind, label = self.add_label.currentData()
        ann = Annotation(
            id=new_id(),
            doc_id=self.doc_id,
            kind=kind,
            label=label if kind != "claim" else CLAIM_LABEL,
            start=start,
            end=end,
            annotator=GOLD,
        )
        return self.run(EditGold(AddAnnotations(self.doc_id, self.reviewer, [ann], text=f"add gold {ann.label}")))
