"""Picking in the annotation workspace: adding an argument, a claimant or a
relation's tail, and the chooser popups that ask for a role, type or label.

Adding an argument, a claimant or a relation's tail puts the workspace in a
*pick mode* (:class:`Pick`): the next span clicked in the text, or the text
selection plus an entity key (or Enter), completes it; Escape cancels.

Event arguments also take two actions without a pick mode. The event last
selected stays the *current event* (:attr:`Picking.current_event`) while the
user selects other spans: a selected entity or claim (clicked, chosen in the
list, or just made with a label key) is then the *filler candidate*, and the
number keys 1-9 make it the current event's first to ninth role (the order of
the Shift+A chooser). The banner shows the role keys whenever they apply
(:meth:`Picking.argument_target`). Escape or another document ends it (a click on
text without spans does not: a double-click on a word for a new filler starts
with one); selecting another event makes that one current. With the event itself selected the number keys keep their
meaning (event type keys: change its type).

:class:`Picking` is a part of :class:`~annotator.ui.workspace.Workspace` (its
state and actions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QMenu, QWidget

from annotator.core.commands import AddAnnotations, Command, Macro, SetArgument, UpdateAnnotation
from annotator.core.constraints import claimant_problem, filler_problem, relation_warnings
from annotator.ui.actions import escape_mnemonic
from annotator.ui.annotation_panel import one_line

if TYPE_CHECKING:
    from annotator.core.models import Annotation
    from annotator.core.schema import RoleSpec
    from annotator.ui.workspace import Workspace


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

    def instruction(self, ws: Workspace) -> str:
        src = ws.anns.get(self.source)
        quoted = f"“{one_line(src.text_in(ws.text), 30)}”" if src else ""
        if self.what == "argument":
            return (
                f"Pick the {self.role} of {src.label if src else 'the event'} {quoted}: click a span, "
                "or select text and press an entity key (or Enter). Esc cancels."
            )
        if self.what == "claimant":
            return "Pick the claimant: click an entity span, or select text and press an entity key (or Enter). Esc cancels."
        return (
            f"Pick the tail of {self.role} from {quoted}: click a span, or select text and press "
            "an entity key (or Enter). Esc cancels."
        )


class Picking:
    """The workspace's pick modes and choosers: :attr:`pick`, :attr:`chooser`,
    and the current event (:attr:`current_event`)."""

    #: Id of the event that number keys give arguments to while another span is selected.
    current_event: str | None = None
    #: What the mode banner shows ("": hidden), and the role keys last said in the status bar.
    _mode_text: str = ""
    _hint_said: str = ""

    # -- events ------------------------------------------------------------------
    def add_argument(self, role: str | None = None) -> None:
        """Start adding an argument to the selected event (asks the role when None).

        With a filler candidate selected (see :meth:`argument_target`), the
        argument goes to the current event and the candidate fills it at once."""
        ev = self.selected()
        target = self.argument_target()
        if target is not None:
            ev = target[0]
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
        if target is not None:
            self._link_argument(ev, role, target[1])
            return
        self._start_pick(Pick("argument", ev.id, role))

    # -- arguments with number keys (the current event) ------------------------------------
    def _roles_of(self, ev: Annotation) -> list[RoleSpec]:
        et = self.schema.event_type(ev.label) if self.schema is not None else None
        return list(et.roles) if et is not None else []

    def role_keys(self, ev: Annotation) -> str:
        """The number keys of an event's roles: "1 Grantor* · 2 Grantee · 3 Item (* required)"
        (a star: required and not filled yet)."""
        have = {a.role for a in ev.arguments}
        keys = " · ".join(
            f"{i} {r.name}{'*' if r.required and r.name not in have else ''}"
            for i, r in enumerate(self._roles_of(ev)[:9], start=1)
        )
        return f"{keys} (* required)" if "*" in keys else keys

    def argument_help(self, ev: Annotation) -> str:
        """How to give ``ev`` arguments, with its role keys ("": it has no roles)."""
        keys = self.role_keys(ev)
        return f"Arguments: click a span, then press its role: {keys} (or Shift+A)." if keys else ""

    def argument_target(self) -> tuple[Annotation, Annotation] | None:
        """``(event, filler)`` when the number keys give the current event an
        argument: no pick mode, the event has roles, and

        - a filler candidate is selected: an entity or claim other than the
          event, with no text selected, or its own text (a double-click on an
          entity selects a word of it: that too); text selected elsewhere is
          for a new annotation, and the number keys make an event of it;
        - or the event itself is selected and the selected text is exactly an
          existing entity or claim.

        Else None."""
        ev = self.anns.get(self.current_event or "")
        if self.pick is not None or ev is None or ev.kind != "event" or not self._roles_of(ev):
            return None
        text = self.view.selection_span() if self.has_text_selection() else None
        sel = self.selected()
        if sel is not None and sel.id != ev.id:
            if sel.kind not in ("entity", "claim") or sel.start is None or sel.end is None:
                return None
            inside = text is not None and sel.start <= text[0] and text[1] <= sel.end
            if text is not None and text != sel.span and not (inside and sel.kind == "entity"):
                return None
            return ev, sel
        if sel is None or text is None:
            return None
        spans = [a for a in self.anns.values() if a.span == text and a.kind in ("entity", "claim")]
        spans.sort(key=lambda a: a.kind != "entity")
        return (ev, spans[0]) if spans else None

    def assign_role(self, number: int) -> None:
        """Number key ``number``: the filler candidate becomes the current event's role of that number."""
        target = self.argument_target()
        if target is None:
            return
        ev, filler = target
        roles = self._roles_of(ev)
        if not 1 <= number <= min(len(roles), 9):
            self.warning.emit(f"{ev.label} has {len(roles)} roles: press {self.role_keys(ev)}.")
            return
        self._link_argument(ev, roles[number - 1].name, filler)

    def _link_argument(self, ev: Annotation, role: str, filler: Annotation) -> None:
        pick = Pick("argument", ev.id, role)
        command = self._link_command(pick, filler.id)
        if command is not None and self.run(command):
            if self.has_text_selection():
                self._collapse_selection(filler.end if filler.end is not None else 0)
            self._after_link(pick, filler.id, command)

    def end_current_event(self) -> None:
        """Escape: no current event (the number keys are event keys again)."""
        self.current_event = None
        self._update_mode()

    def _follow_selection(self, ann_id: str | None) -> None:
        """The selection changed: an event becomes the current event; another
        span leaves it (a filler candidate). Nothing selected leaves it too: a
        double-click on a word for a new filler first clicks plain text (only
        Escape, another event or another document ends it)."""
        ann = self.anns.get(ann_id or "")
        if ann is not None and ann.kind == "event" and ann.id != self.current_event:
            self.current_event = ann.id
            help_text = self.argument_help(ann)
            if help_text and self.pick is None:
                self.message.emit(f"{ann.label} “{one_line(ann.text_in(self.text), 30)}” selected. {help_text}")
        self._update_mode()

    def _update_mode(self) -> None:
        """Show the pick's instruction, or the role keys when they apply, in the banner."""
        text = hint = ""
        if self.pick is not None:
            text = self.pick.instruction(self)
        else:
            target = self.argument_target()
            if target is not None:
                ev, filler = target
                hint = (
                    f"“{one_line(filler.text_in(self.text), 30)}” as an argument of {ev.label} "
                    f"“{one_line(ev.text_in(self.text), 30)}”: press {self.role_keys(ev)}. Esc ends."
                )
                if self.view.hasFocus() or hint == self._mode_text:
                    text = hint
                elif hint != self._hint_said:
                    # The banner takes the focus to the text: while the user is in
                    # the annotation list, the keys are said in the status bar.
                    self.message.emit(hint)
        self._hint_said = hint
        if text != self._mode_text:
            self._mode_text = text
            self.modeChanged.emit(text)

    # -- claims --------------------------------------------------------------------
    def pick_claimant(self) -> None:
        cl = self.selected()
        if cl is None or cl.kind != "claim":
            self.message.emit("Select a claim first, then pick its claimant.")
            return
        self._start_pick(Pick("claimant", cl.id))

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
        self._update_mode()

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
            return UpdateAnnotation(
                self.doc_id, self.annotator, pick.source, text="set claimant", claimant_ref=target_id, claimant_text=None
            )
        from annotator.core.models import relation

        return AddAnnotations(
            self.doc_id,
            self.annotator,
            [relation(self.doc_id, pick.source, target_id, pick.role, self.annotator)],
            text=f"add relation {pick.role}",
        )

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
        from annotator.core.models import entity

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


def _added(command: Command) -> list[Annotation]:
    """The new annotations a command adds."""
    if isinstance(command, Macro):
        return [a for c in command.commands for a in _added(c)]
    if isinstance(command, AddAnnotations):
        return list(command.annotations)
    return []
