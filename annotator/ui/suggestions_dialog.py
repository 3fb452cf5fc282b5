"""Document > Suggestions… (Ctrl+Shift+U): the suggestions the window's annotator
has not decided yet (issue 17), for the open document (in text order) or the
whole corpus (the best-scoring first: a page of :data:`LIMIT`, sorted and cut
by SQLite along the score index), filtered by label, minimum score and
suggester; accepted or rejected one at a
time from the keyboard or in bulk, each action one step on the window's undo
stack (Ctrl+Z in the main window undoes it).

Keys in the list: Tab / Shift+Tab (or Down / Up) move to the next / previous
suggestion and show it selected in the article; Enter accepts the selected
ones, X, Backspace or Delete rejects them; a label's key (the palette's) accepts
them with that label.  "Suggest for this document" runs the dictionary (learned
from the annotator's own layer) and the claims rules on the open document and
stores what they find.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from annotator.core.commands import CommandError
from annotator.core.kinds import SPAN_KINDS
from annotator.core.store import Project, ProjectError, StoredSuggestion
from annotator.core.suggest_commands import AcceptSuggestions, RejectSuggestions
from annotator.services.suggest.service import SuggestError, build_claims, build_dictionary, store_suggestions
from annotator.ui.actions import make_action

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow

__all__ = ["SuggestionsDialog", "install_suggestions_action"]

ROLE = Qt.ItemDataRole.UserRole + 7
#: "Accept suggestions above the threshold" uses this when the list's minimum score is 0.
ACCEPT_THRESHOLD = 0.8
#: At most this many suggestions are listed at once (filters narrow the rest).
LIMIT = 2000
ALL = "All"


class SuggestionsDialog(QDialog):
    """The pending suggestions of ``window.annotator``, filtered, with accept and reject."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Suggestions")
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.scope = QComboBox()
        self.scope.addItem("This document", "document")
        self.scope.addItem("Whole corpus", "corpus")
        self.label_combo = QComboBox()
        self.suggester_combo = QComboBox()
        self.min_score = QDoubleSpinBox()
        self.min_score.setRange(0.0, 1.0)
        self.min_score.setSingleStep(0.05)
        self.min_score.setDecimals(2)
        self.min_score.setValue(0.0)
        for text, widget in (
            ("Show", self.scope),
            ("Label", self.label_combo),
            ("Suggester", self.suggester_combo),
            ("Score ≥", self.min_score),
        ):
            filters.addWidget(QLabel(text))
            filters.addWidget(widget)
        filters.addStretch(1)
        self.suggest_button = QPushButton("Suggest for this document")
        self.suggest_button.setToolTip("The dictionary (your annotations' terms) and the claims rules, on the open document")
        filters.addWidget(self.suggest_button)
        layout.addLayout(filters)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)  # a long message wraps: it never widens the dialog past the screen
        layout.addWidget(self.heading)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Text", "Label", "Score", "Suggester", "Claimant", "Document"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.setColumnWidth(0, 360)
        self.tree.installEventFilter(self)
        layout.addWidget(self.tree, 1)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("&Accept (Enter)")
        self.reject_button = QPushButton("&Reject (X)")
        self.as_label = QComboBox()
        self.accept_as_button = QPushButton("Accept a&s")
        self.accept_all_button = QPushButton("Accept a&ll shown")
        self.reject_all_button = QPushButton("Reject all s&hown")
        for b in (self.accept_button, self.reject_button, self.as_label, self.accept_as_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.accept_all_button)
        buttons.addWidget(self.reject_all_button)
        layout.addLayout(buttons)
        for b in (
            self.accept_button,
            self.reject_button,
            self.accept_as_button,
            self.accept_all_button,
            self.reject_all_button,
            self.suggest_button,
        ):
            b.setAutoDefault(False)
        self.accept_button.clicked.connect(lambda: self.accept_selected())
        self.reject_button.clicked.connect(self.reject_selected)
        self.accept_as_button.clicked.connect(lambda: self.accept_selected(self.as_label.currentText() or None))
        self.accept_all_button.clicked.connect(self.accept_all_shown)
        self.reject_all_button.clicked.connect(self.reject_all_shown)
        self.suggest_button.clicked.connect(self.suggest_here)
        self.tree.currentItemChanged.connect(self._show_current)
        self.tree.itemDoubleClicked.connect(lambda item, _col: self._show(item, focus_text=True))
        for combo in (self.scope, self.label_combo, self.suggester_combo):
            combo.currentIndexChanged.connect(self.refresh)
        self.min_score.valueChanged.connect(self.refresh)
        self.window.controller.changed.connect(self._changed)
        self._filling = False
        self._fill_filters()
        self.refresh()

    # -- reading -----------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.window.project

    def _fill_filters(self) -> None:
        project = self.project
        if project is None:
            return
        self._filling = True
        labels = [lab for kind in SPAN_KINDS for lab in project.schema.labels(kind)]
        keep_label, keep_suggester = self.label_combo.currentText(), self.suggester_combo.currentText()
        self.label_combo.clear()
        self.label_combo.addItems([ALL, *labels])
        self.as_label.clear()
        self.as_label.addItems([lab for lab in labels])
        self.suggester_combo.clear()
        names = sorted({s for _k, _l, s, _n in project.suggestion_counts()})
        self.suggester_combo.addItems([ALL, *names])
        for combo, keep in ((self.label_combo, keep_label), (self.suggester_combo, keep_suggester)):
            i = combo.findText(keep)
            if i >= 0:
                combo.setCurrentIndex(i)
        self._filling = False

    def shown(self) -> list[StoredSuggestion]:
        """The suggestions listed, in order."""
        return [self.tree.topLevelItem(i).data(0, ROLE) for i in range(self.tree.topLevelItemCount())]

    def refresh(self) -> None:
        """List the pending suggestions that pass the filters (keeps the current row's place)."""
        if self._filling:
            return
        project = self.project
        annotator = self.window.annotator
        row = max(0, self.tree.indexOfTopLevelItem(self.tree.currentItem())) if self.tree.currentItem() else 0
        self.tree.clear()
        if project is None or not annotator:
            self.heading.setText("No project or annotator.")
            return
        doc_id = self.window.current_doc_id
        if self.scope.currentData() == "document" and doc_id is None:
            self.heading.setText("No document is open.")
            return
        label = self.label_combo.currentText()
        suggester = self.suggester_combo.currentText()
        corpus = self.scope.currentData() != "document"
        try:
            found = project.suggestions(
                None if corpus else [doc_id],
                pending_for=annotator,
                label=None if label in ("", ALL) else label,
                suggester=None if suggester in ("", ALL) else suggester,
                min_score=self.min_score.value() or None,
                limit=LIMIT,
                # the corpus: the best first, the page sorted and cut in SQL along the score index
                by_score=corpus,
            )
        except ProjectError as err:
            self.heading.setText(str(err))
            return
        texts: dict[str, str] = {}
        titles = project.document_titles(sorted({s.doc_id for s in found}))
        items = []
        for s in found:
            text = texts.get(s.doc_id)
            if text is None:
                text = texts[s.doc_id] = project.document_text(s.doc_id)
            span = text[s.start : s.end].replace("\n", " ")
            item = QTreeWidgetItem(
                [span[:200], s.label, f"{s.score:.2f}", s.suggester, s.claimant_text or "", titles.get(s.doc_id, s.doc_id)]
            )
            item.setData(0, ROLE, s)
            before = text[max(0, s.start - 60) : s.start].replace("\n", " ")
            after = text[s.end : s.end + 60].replace("\n", " ")
            detail = ", ".join(f"{k}: {v}" for k, v in s.detail.items())
            tip = f"<qt>…{html.escape(before)}<b>{html.escape(span)}</b>{html.escape(after)}…<br>{html.escape(s.label)} · score {s.score:.2f} · {html.escape(s.suggester)}"
            if detail:
                tip += f"<br>{html.escape(detail)}"
            item.setToolTip(0, tip + "</qt>")
            items.append(item)
        self.tree.addTopLevelItems(items)
        if len(found) >= LIMIT:
            more = f" (the {LIMIT} best-scoring shown; narrow the filters for the rest)" if corpus else " (the first shown)"
        else:
            more = ", the best-scoring first" if corpus and found else ""
        where = "in the corpus" if corpus else "in this document"
        self.heading.setText(
            f"{len(found)} suggestion{'' if len(found) == 1 else 's'} {where} for {annotator}{more}. "
            "Enter accepts, X rejects, Tab moves on; a label's key accepts with that label."
        )
        if items:
            self.tree.setCurrentItem(items[min(row, len(items) - 1)])

    def selected(self) -> list[StoredSuggestion]:
        items = self.tree.selectedItems() or ([self.tree.currentItem()] if self.tree.currentItem() else [])
        return [i.data(0, ROLE) for i in items if i is not None]

    # -- deciding ------------------------------------------------------------------
    def _push(self, command: Any) -> bool:
        ws = self.window.workspace
        if self.window.controller.push(command, ws) is None:
            return False
        return True

    def accept_selected(self, label: str | None = None) -> None:
        self._accept(self.selected(), label)

    def reject_selected(self) -> None:
        self._reject(self.selected())

    def accept_all_shown(self) -> None:
        self._accept(self.shown(), None)

    def reject_all_shown(self) -> None:
        self._reject(self.shown())

    def _start_doc(self, chosen: list[StoredSuggestion]) -> str:
        current = self.window.current_doc_id
        return current if current in {s.doc_id for s in chosen} else chosen[0].doc_id

    def _accept(self, chosen: list[StoredSuggestion], label: str | None) -> None:
        if not chosen or not self.window.annotator:
            return
        try:
            command = AcceptSuggestions(self.window.annotator, chosen, label=label, doc_id=self._start_doc(chosen))
        except CommandError as err:
            self.heading.setText(str(err))
            return
        if self._push(command):
            self.window.statusBar().showMessage(f"{command.text.capitalize()} (one step: Ctrl+Z undoes it).", 8000)
        if not self.isVisible():
            self.refresh()

    def _reject(self, chosen: list[StoredSuggestion]) -> None:
        if not chosen or not self.window.annotator:
            return
        try:
            command = RejectSuggestions(self.window.annotator, chosen, doc_id=self._start_doc(chosen))
        except CommandError as err:
            self.heading.setText(str(err))
            return
        if self._push(command):
            self.window.statusBar().showMessage(
                f"{command.text.capitalize()}: not suggested to you again (Ctrl+Z undoes it).", 8000
            )
        if not self.isVisible():
            self.refresh()

    def suggest_here(self) -> None:
        """Run the dictionary and the claims rules on the open document; store what they find."""
        project, doc_id = self.project, self.window.current_doc_id
        if project is None or doc_id is None:
            return
        doc = project.get_document(doc_id)
        found = 0
        notes = []
        try:
            try:
                # the article view's, learned in its worker, when no edit came since; else learned now
                layer = getattr(self.window, "suggestion_layer", None)
                dictionary = layer.fresh_dictionary() if layer is not None else None
                if dictionary is None:
                    dictionary = build_dictionary(project, annotator=self.window.annotator or None)
                found += len(store_suggestions(project, dictionary.name, doc_id, dictionary.suggest(doc)))
            except SuggestError as err:
                notes.append(str(err))
            claims = build_claims(project, annotator=self.window.annotator or None)
            found += len(store_suggestions(project, claims.name, doc_id, claims.suggest(doc)))
        except (ProjectError, SuggestError) as err:
            self.heading.setText(str(err))
            return
        self.scope.setCurrentIndex(self.scope.findData("document"))
        self._fill_filters()
        self.refresh()
        if notes:
            self.heading.setText(self.heading.text() + " " + " ".join(notes))
        self.window.statusBar().showMessage(f"{found} suggestion{'' if found == 1 else 's'} found in this document.", 8000)

    # -- keys and the article --------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.tree and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept_selected()
            return True
        if key in (Qt.Key.Key_X, Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and not mods & ~Qt.KeyboardModifier.KeypadModifier:
            self.reject_selected()
            return True
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self._move(-1 if key == Qt.Key.Key_Backtab or mods & Qt.KeyboardModifier.ShiftModifier else 1)
            return True
        text = event.text()
        if (
            text
            and not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
            and self.project is not None
        ):
            target = self.project.schema.shortcuts().get(text)
            if target is not None and target[0] in SPAN_KINDS:
                self.accept_selected(target[1])
                return True
        return False

    def _move(self, step: int) -> None:
        n = self.tree.topLevelItemCount()
        if not n:
            return
        current = self.tree.currentItem()
        row = self.tree.indexOfTopLevelItem(current) if current is not None else -1
        self.tree.setCurrentItem(self.tree.topLevelItem((row + step) % n))

    def _show_current(self, item: QTreeWidgetItem | None, _previous: Any = None) -> None:
        if item is not None:
            self._show(item, focus_text=False)

    def _show(self, item: QTreeWidgetItem, *, focus_text: bool) -> None:
        """The suggestion's span selected in the article (its document opened)."""
        s: StoredSuggestion = item.data(0, ROLE)
        window = self.window
        if window.current_doc_id != s.doc_id and not window.open_document(s.doc_id):
            return
        view = window.article_view
        try:
            view.select_span(s.start, s.end)
        except ValueError:
            return
        if focus_text:
            window.raise_()
            window.activateWindow()
            view.setFocus()

    def _changed(self, _changes: Any) -> None:
        """Any edit, undo or redo may decide suggestions (an annotation made by hand too): list anew."""
        if self.isVisible():
            self.refresh()


def install_suggestions_action(window: MainWindow) -> None:
    """Document > Suggestions… (Ctrl+Shift+U), and the suggestions in the article view."""
    from annotator.ui.suggestion_layer import install_suggestion_layer

    install_suggestion_layer(window)
    menu = window.menus["Document"]

    def open_suggestions() -> None:
        if window.project is None:
            return
        dialog = getattr(window, "suggestions_dialog", None)
        if dialog is None:
            dialog = SuggestionsDialog(window)
            setattr(window, "suggestions_dialog", dialog)  # noqa: B010 (not an attribute MainWindow declares)
        dialog._fill_filters()
        dialog.refresh()
        dialog.show()
        dialog.raise_()
        dialog.tree.setFocus()

    menu.addAction(make_action(window, "Su&ggestions…", open_suggestions, shortcut="Ctrl+Shift+U"))

    def accept_above() -> None:
        dialog = getattr(window, "suggestions_dialog", None)
        threshold = dialog.min_score.value() if dialog is not None and dialog.min_score.value() > 0 else ACCEPT_THRESHOLD
        install_suggestion_layer(window).accept_above(threshold)

    menu.addAction(
        make_action(
            window,
            "Accept suggestions &above the threshold",
            accept_above,
            tooltip="Accept every suggestion in this document scoring at least the Suggestions list's minimum score (else 0.8)",
        )
    )
