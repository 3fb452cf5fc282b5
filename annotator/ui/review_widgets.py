"""Widgets of the review window: the read-only pane of one annotator (or of the
gold layer) and the adjudication controls of the selected unit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from annotator.core.models import Annotation
from annotator.core.review import CLAIMANT, Unit
from annotator.ui import dialogs
from annotator.ui.actions import escape_mnemonic, plain_tooltip
from annotator.ui.article_view import ArticleView
from annotator.ui.review_models import UNIT_STATUS, describe, snippet

if TYPE_CHECKING:
    from annotator.ui.review_view import ReviewView


class Pane(QFrame):
    """A titled, read-only article view for one annotator (or the gold layer)."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.title = dialogs.plain_label()
        self.title.setStyleSheet("font-weight: 600; padding: 4px 8px; background: palette(alternate-base);")
        self.view = ArticleView()
        self.view.setObjectName(f"pane:{name}")
        self.view.zoom_out()  # several panes side by side: a little smaller than the annotation view
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)

    def set_title(self, text: str) -> None:
        self.title.setText(text)


class UnitDetail(QScrollArea):
    """Adjudication controls for the selected unit (rebuilt when it changes)."""

    def __init__(self, review: ReviewView):
        super().__init__()
        self.review = review
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.buttons: dict[str, QPushButton] = {}
        self.gold_label: QComboBox | None = None
        self.show_unit(None)

    def _button(self, key: str, text: str, slot: Callable[[], None], tip: str = "") -> QPushButton:
        b = QPushButton(escape_mnemonic(text))
        b.setObjectName(key)
        b.setAutoDefault(False)
        if tip:
            b.setToolTip(plain_tooltip(tip))
        b.clicked.connect(lambda _c=False: slot())
        self.buttons[key] = b
        return b

    def show_unit(self, u: Unit | None) -> None:
        self.buttons = {}
        self.gold_label = None
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(8, 8, 8, 8)
        grid.setHorizontalSpacing(10)
        self.setWidget(body)
        r = self.review
        if u is None:
            grid.addWidget(dialogs.plain_label("Select a unit above to adjudicate it.", wrap=True), 0, 0)
            return
        text, anns = r.text, r.anns
        row = 0
        head = dialogs.plain_label(f"{UNIT_STATUS[u.status][1].capitalize()} — {u.kind}", wrap=True)
        head.setStyleSheet("font-weight: 600;")
        grid.addWidget(head, row, 0, 1, 4)
        row += 1
        for i, name in enumerate(r.annotators):
            versions = u.members.get(name, [])
            grid.addWidget(dialogs.plain_label(name), row, 0)
            if not versions:
                grid.addWidget(dialogs.plain_label("— (did not mark it)"), row, 1)
                row += 1
                continue
            for a in versions:
                grid.addWidget(dialogs.plain_label(describe(a, text, anns), wrap=True), row, 1)
                key = f"accept:{name}" if len(versions) == 1 else f"accept:{name}:{a.id}"
                grid.addWidget(
                    self._button(
                        key,
                        f"Accept {name}’s",
                        lambda a=a: r.accept(a.id),
                        f"Copy {name}’s version into the gold layer ({i + 1})" if i < 9 else "",
                    ),
                    row,
                    2,
                )
                row += 1
        # gold
        grid.addWidget(dialogs.plain_label("gold"), row, 0)
        if u.gold:
            g = u.gold[0]
            grid.addWidget(
                dialogs.plain_label(
                    describe(g, text, anns)
                    + (f"  (accepted from {', '.join(u.accepted_from)})" if u.accepted_from else "  (edited)"),
                    wrap=True,
                ),
                row,
                1,
            )
            if g.kind != "claim":
                combo = QComboBox()
                combo.setObjectName("gold-label")
                labels = r.schema_labels(g.kind)
                if g.label not in labels:
                    labels = [g.label, *labels]
                combo.addItems(labels)
                combo.setCurrentText(g.label)
                combo.setToolTip(plain_tooltip("Change the gold label"))
                combo.activated.connect(lambda _i, g=g, c=combo: r.set_gold_label(g.id, c.currentText()))
                self.gold_label = combo
                grid.addWidget(combo, row, 2)
            grid.addWidget(
                self._button(
                    "remove-gold",
                    "Remove from gold",
                    lambda: r.reject(u, remove_gold=True),
                    "Delete the gold annotation (its links go with it)",
                ),
                row,
                3,
            )
        else:
            state = "✗ rejected" if u.decision == "rejected" else "— (not decided)"
            grid.addWidget(dialogs.plain_label(state), row, 1)
        row += 1
        if u.annotations:
            grid.addWidget(
                self._button("reject", "Reject", lambda: r.reject(u), "None of these versions goes into gold (X)"), row, 2
            )
            row += 1
        if u.kind == "event":
            row = self._arguments(grid, row, u)
        if u.kind == "claim":
            row = self._attributes(grid, row, u)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(row, 1)

    def _arguments(self, grid: QGridLayout, row: int, u: Unit) -> int:
        r = self.review
        title = dialogs.plain_label("Arguments")
        title.setStyleSheet("font-weight: 600; margin-top: 8px;")
        grid.addWidget(title, row, 0, 1, 4)
        row += 1
        events = [(name, ev) for name in r.annotators for ev in u.members.get(name, [])]
        roles: list[str] = []
        for _name, ev in events:
            roles += [x.role for x in ev.arguments if x.role not in roles]
        if not roles:
            grid.addWidget(dialogs.plain_label("(no arguments)"), row, 1)
            row += 1
        for role in roles:
            fillers = {name: [r.anns.get(x.target) for x in ev.arguments if x.role == role] for name, ev in events}
            shown = {name: [describe(f, r.text, r.anns) if f else "(missing)" for f in fs] for name, fs in fillers.items()}
            same = len(r.annotators) > 1 and len(events) == len(r.annotators) and len({tuple(v) for v in shown.values()}) == 1
            head = dialogs.plain_label(f"{role}" + ("   (same for all)" if same else ""))
            head.setStyleSheet("font-style: italic;")
            grid.addWidget(head, row, 0, 1, 2)
            row += 1
            for name, ev in events:
                args = [x for x in ev.arguments if x.role == role]
                if not args:
                    grid.addWidget(dialogs.plain_label(f"   {name}: —"), row, 1)
                    row += 1
                for arg in args:
                    filler = r.anns.get(arg.target)
                    what = describe(filler, r.text, r.anns) if filler else "(missing)"
                    grid.addWidget(dialogs.plain_label(f"   {name}: {what}", wrap=True), row, 1)
                    grid.addWidget(
                        self._button(
                            f"accept-arg:{name}:{arg.role}:{arg.target}",
                            "Accept argument",
                            lambda ev=ev, arg=arg: r.accept_argument(ev.id, arg.role, arg.target),
                            f"Add {name}’s {arg.role} to the gold event (creating the gold event if needed)",
                        ),
                        row,
                        2,
                    )
                    row += 1
        for g in u.gold:
            args = (
                ", ".join(f"{x.role} → {describe(r.anns[x.target], r.text) if x.target in r.anns else '?'}" for x in g.arguments)
                or "(none)"
            )
            grid.addWidget(dialogs.plain_label("gold"), row, 0)
            grid.addWidget(dialogs.plain_label(args, wrap=True), row, 1, 1, 3)
            row += 1
        return row

    def _attributes(self, grid: QGridLayout, row: int, u: Unit) -> int:
        r = self.review
        title = dialogs.plain_label("Claimant and attributes")
        title.setStyleSheet("font-weight: 600; margin-top: 8px;")
        grid.addWidget(title, row, 0, 1, 4)
        row += 1
        names = [CLAIMANT, *r.schema_attributes()]
        for c in u.annotations + u.gold:
            names += [k for k in c.attributes if k not in names]
        gold = u.gold[0] if u.gold else None
        for attr in names:
            grid.addWidget(dialogs.plain_label(attr), row, 0)
            row += 1
            for name in r.annotators:
                for c in u.members.get(name, []):
                    value = self._value(c, attr)
                    same = gold is not None and self._value(gold, attr) == value
                    grid.addWidget(dialogs.plain_label(f"   {name}: {value}" + ("   ✓ gold" if same else "")), row, 1)
                    grid.addWidget(
                        self._button(
                            f"accept-attr:{name}:{attr}",
                            f"Accept {attr}",
                            lambda c=c, attr=attr: r.accept_attribute(c.id, attr),
                            f"Set the gold claim's {attr} to {name}’s value",
                        ),
                        row,
                        2,
                    )
                    row += 1
            if gold is not None:
                grid.addWidget(dialogs.plain_label(f"   gold: {self._value(gold, attr)}"), row, 1)
                row += 1
        return row

    def _value(self, c: Annotation, attr: str) -> str:
        if attr == CLAIMANT:
            if c.claimant_ref:
                t = self.review.anns.get(c.claimant_ref)
                return f"“{snippet(t.text_in(self.review.text), 40)}”" if t else "?"
            return f"“{c.claimant_text}” (text)" if c.claimant_text else "(none)"
        v = c.attributes.get(attr)
        return "(unset)" if v is None else str(v)
