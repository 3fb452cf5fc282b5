"""Document labels in review mode (issue 14): under the document's title, one
row per category that someone set labels in (:func:`~annotator.core.review_doclabels.doc_label_units`):
its status, a button per annotator showing their labels (click: accept that
choice into gold), a reject button, and what gold holds (and from whom).
Decisions go through the view's undo controller (Ctrl+Z undoes them)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from annotator.core.review_doclabels import DocLabelUnit
from annotator.ui.actions import escape_mnemonic, plain_tooltip
from annotator.ui.basic import plain_label

__all__ = ["DocLabelReview"]

_STATUS = {
    "agreed": "agreed",
    "differ": "annotators differ",
    "partial": "only some set it",
    "single": "one annotator",
    "gold-only": "gold only",
}


class DocLabelReview(QWidget):
    """Rows of document label units; :attr:`acceptRequested` (category, annotator or None)."""

    acceptRequested = Signal(str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reviewDocLabels")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 2, 0, 2)
        self._grid.setHorizontalSpacing(6)
        #: (category, annotator or None for reject) -> its button, for tests and keyboard users
        self.buttons: dict[tuple[str, str | None], QPushButton] = {}
        #: category -> the label saying what gold holds
        self.gold_labels: dict[str, QWidget] = {}
        self.units: list[DocLabelUnit] = []
        self.setVisible(False)

    def show_units(self, units: list[DocLabelUnit], annotators: list[str]) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons, self.gold_labels, self.units = {}, {}, units
        names = list(annotators) + sorted({w for u in units for w in u.members} - set(annotators))
        for row, u in enumerate(units):
            how = "any of" if u.multi else "one of"
            caption = plain_label(f"{u.category} ({how}): {_STATUS.get(u.status, u.status)}")
            caption.setStyleSheet("font-weight: 600;" if u.open and u.status != "agreed" else "")
            self._grid.addWidget(caption, row, 0)
            for col, who in enumerate(names, start=1):
                labels = u.members.get(who)
                if labels is None:
                    self._grid.addWidget(plain_label(f"{who}: –"), row, col)
                    continue
                text = f"{who}: {', '.join(labels)}"
                button = QPushButton(escape_mnemonic(text + (" ✓" if who in u.accepted_from else "")))
                button.setObjectName(f"doclabel-accept-{u.category}-{who}")
                button.setToolTip(plain_tooltip(f"Put {who}'s {u.category} into the gold layer: {', '.join(labels)}"))
                button.setEnabled(who not in u.accepted_from)
                button.clicked.connect(lambda _c=False, c=u.category, w=who: self.acceptRequested.emit(c, w))
                self._grid.addWidget(button, row, col)
                self.buttons[(u.category, who)] = button
            reject = QPushButton("No label in gold")
            reject.setObjectName(f"doclabel-reject-{u.category}")
            reject.setToolTip(plain_tooltip(f"Remove the gold layer's {u.category} (none of the annotators' choices)"))
            reject.setEnabled(bool(u.gold))
            reject.clicked.connect(lambda _c=False, c=u.category: self.acceptRequested.emit(c, None))
            self._grid.addWidget(reject, row, len(names) + 1)
            self.buttons[(u.category, None)] = reject
            source = f" (from {', '.join(u.accepted_from)})" if u.accepted_from else ""
            gold = plain_label(f"gold: {', '.join(u.gold)}{source}" if u.gold else "gold: –")
            self._grid.addWidget(gold, row, len(names) + 2)
            self.gold_labels[u.category] = gold
        self._grid.setColumnStretch(len(names) + 3, 1)
        self.setVisible(bool(units))
