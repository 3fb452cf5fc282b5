"""The document labels bar (issue 14): under the document's title, one row per
category of the schema (topic, genre...) with a toggle button per label showing
its key; the labels the annotator set for the current document are pressed.

Clicking a button asks for the same toggle as the label's key in the text
(:meth:`~annotator.ui.workspace.Workspace.press_doc_label`); the bar never
changes anything itself: it shows what the workspace read after the change bus
announced it.  Buttons take no focus, so the keys keep going to the text.  A
label stored but no longer in the schema is shown pressed and disabled (it can
still be cleared elsewhere; it is kept and exported).  Loaded after the first
paint (the main window imports it when a document with a schema is shown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSizePolicy, QToolButton, QVBoxLayout, QWidget

from annotator.ui.actions import escape_mnemonic, plain_tooltip
from annotator.ui.basic import plain_label
from annotator.ui.flow_layout import FlowLayout

if TYPE_CHECKING:
    from annotator.core.schema import LabelSchema

__all__ = ["DocLabelsBar"]


class DocLabelsBar(QWidget):
    """Buttons of the document labels; :attr:`labelClicked` (category, label) on a click."""

    labelClicked = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("docLabelsBar")
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(10, 0, 10, 6)
        self._rows.setSpacing(2)
        #: (category, label) -> its button (for tests and keyboard users' screen readers).
        self.buttons: dict[tuple[str, str], QToolButton] = {}
        self._shape: tuple | None = None

    def set_state(self, schema: LabelSchema | None, labels: dict[str, list[str]], enabled: bool) -> None:
        """Show ``schema``'s categories with ``labels`` ({category: [labels]}) pressed."""
        extra = {
            (cat, lab)
            for cat, labs in labels.items()
            for lab in labs
            if schema is None or schema.category(cat) is None or schema.category(cat).label(lab) is None  # type: ignore[union-attr]
        }
        shape = (id(schema), tuple(sorted(extra)))
        if shape != self._shape:
            self._build(schema, extra)
            self._shape = shape
        for (cat, lab), button in self.buttons.items():
            button.setChecked(lab in labels.get(cat, []))
            button.setEnabled(enabled and (cat, lab) not in extra)
        self.setVisible(bool(self.buttons))

    def _build(self, schema: LabelSchema | None, extra: set[tuple[str, str]]) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons = {}
        groups: list[tuple[str, str, list[tuple[str, str | None, str, str]]]] = []
        for cat in schema.categories if schema is not None else []:
            how = "any of" if cat.multi else "one of"
            groups.append((cat.name, how, [(lab.name, lab.key, lab.color, lab.description) for lab in cat.labels]))
        for cat_name in sorted({c for c, _ in extra}):
            found = next((g for g in groups if g[0] == cat_name), None)
            if found is None:
                found = (cat_name, "not in the schema", [])
                groups.append(found)
            found[2].extend((lab, None, "#9e9e9e", "not in the schema") for c, lab in sorted(extra) if c == cat_name)
        for cat_name, how, items in groups:
            row_widget = QWidget()
            policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            policy.setHeightForWidth(True)
            row_widget.setSizePolicy(policy)
            row = FlowLayout(row_widget, spacing=4, margin=0)
            caption = plain_label(f"{cat_name} ({how}):")
            caption.setStyleSheet("color: palette(mid);")
            row.addWidget(caption)
            for name, key, color, description in items:
                button = QToolButton()
                button.setCheckable(True)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.setText(escape_mnemonic(f"{name}  {key.upper()}" if key else name))
                tip = f"{description}\n" if description else ""
                press = f"Press {key.upper()} in the text or click" if key else "Click"
                button.setToolTip(plain_tooltip(f"{tip}{press}: set or remove {name} ({cat_name}, {how})"))
                button.setStyleSheet(
                    f"QToolButton {{ border: 1px solid {color}; border-radius: 3px; padding: 1px 6px; }}"
                    f"QToolButton:checked {{ background: {color}; color: black; font-weight: 600; }}"
                )
                button.clicked.connect(lambda _checked=False, c=cat_name, n=name: self._clicked(c, n))
                row.addWidget(button)
                self.buttons[(cat_name, name)] = button
            self._rows.addWidget(row_widget)

    def _clicked(self, category: str, label: str) -> None:
        button = self.buttons.get((category, label))
        if button is not None:
            button.setChecked(not button.isChecked())  # shown as stored until the change comes back
        self.labelClicked.emit(category, label)
