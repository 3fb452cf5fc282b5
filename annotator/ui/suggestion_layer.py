"""Suggestions in the article view (issue 17): drawn as dashed outlines (never
filled like annotations, so never mistaken for them), their label, score and
suggester on hover, and decided from the keyboard.

Keys, while the text has the focus:

- Tab / Shift+Tab: the next / previous suggestion (after the cursor, or after
  the selected suggestion), its span selected (the current one is drawn with a
  thicker outline) and described in the status bar;
- Enter: accept it (the window's annotator's annotation, source ``suggested``);
- X or Backspace: reject it (never suggested to that annotator again);
- a label's key (the palette's): accept it with that label.

After a decision the next suggestion (the first at or after the decided span)
is selected at once and the status bar names it ("Accepted 'China' as GPE.
Next: 'Jaiswal' PERSON 0.90 — Enter accepts, X rejects, Tab skips"): Enter,
Enter, Enter accepts one after another, and Tab skips the one the status bar
named, as Tab always moves from a selected suggestion to the one after it
(Shift+Tab to the one before).  When none follows, nothing is selected, the
cursor stays after the decided span and the status bar says Tab wraps to the first.

Enter, X, Backspace and the label keys act on a suggestion only while its span
is the selection (after Tab or a decision); otherwise they do what they always
do.  Every decision is one step on the window's undo stack.

What is shown for the open document: the stored suggestions the annotator has
not decided yet (one indexed query, after the document is painted), and the
dictionary's suggestions.  The dictionary is learned from the annotator's own
layer in a worker thread (:class:`_Job`, with a connection of its own), never in
the window's: once per project and annotator, and again in the background a
moment after edits (:data:`RELEARN_AFTER_MS`) or when a document opens after
edits; the worker also matches the open document's text, and the result is
applied on the window's thread when it arrives (until then the document shows
its stored suggestions).  A decision (accept, reject) or an edit filters the
matches already found at once, so deciding one after another never waits.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPalette, QPen

from annotator.core.commands import CommandError
from annotator.core.kinds import SPAN_KINDS, new_id
from annotator.core.store import Project, ProjectError, StoredSuggestion
from annotator.core.suggest_commands import AcceptSuggestions, RejectSuggestions

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow

__all__ = ["SuggestionLayer", "install_suggestion_layer"]

log = logging.getLogger(__name__)

#: After an edit, learn the dictionary again once edits pause this long (ms), in the worker.
RELEARN_AFTER_MS = 1500


class _Sink(QObject):
    """Receives a job's result on the window's thread (a queued signal)."""

    done = Signal(object)


class _Job(QRunnable):
    """In a worker thread: learn the dictionary (with a connection of its own to
    the project file) unless one is given, then match the document's text."""

    def __init__(
        self, sink: _Sink, key: tuple[Any, str], path: Any, dictionary: Any, learn: bool, doc_id: str, text: str
    ) -> None:
        super().__init__()
        self.sink, self.key, self.path = sink, key, path
        self.dictionary, self.learn, self.doc_id, self.text = dictionary, learn, doc_id, text

    def run(self) -> None:
        from annotator.services.suggest.service import SuggestError, build_dictionary

        dictionary, error = self.dictionary, None
        rows: list[Any] = []
        try:
            if self.learn:
                with Project(self.path) as project:
                    dictionary = build_dictionary(project, annotator=self.key[1] or None)
            if dictionary is not None and self.text:
                rows = dictionary.found(self.text)
        except (SuggestError, ProjectError) as err:  # nothing to learn from yet; the project busy...
            dictionary, error = None, str(err)
        except Exception as err:  # a worker never dies unheard
            log.exception("learning the dictionary of %s failed", self.path)
            dictionary, error = None, f"suggestions: {err}"
        try:
            self.sink.done.emit((self.key, self.learn, dictionary, self.doc_id, rows, error))
        except RuntimeError:  # the window is gone
            pass


def _leaves_suggestions_alone(changes: Any) -> bool:
    """Whether a change is only about what suggestions never depend on: coreference
    clusters, registry entries, notes or document labels (no annotation added,
    removed or changed, no status, nothing wholesale).  A bare change of the
    document (a rejection) is not: the document's suggestions are read anew."""
    if changes.ids or changes.status is not None or changes.wholesale:
        return False
    return bool(changes.clusters or changes.registry or changes.notes or changes.doc_labels)


class SuggestionLayer(QObject):
    """The open document's pending suggestions, drawn over the text and decided by key."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.view = window.article_view
        self.items: list[StoredSuggestion] = []
        self.current: int | None = None
        #: the worker (one job at a time), then what receives its results: the pool first,
        #: so that on deletion it waits for a running job while the receiver still exists
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._sink = _Sink(self)
        self._sink.done.connect(self._job_done)
        #: the dictionary learned for (project, annotator) (None: nothing to learn from)
        self._dictionary: Any = None
        self._dictionary_key: tuple[Any, str] | None = None
        #: edits since it was learned
        self._dirty = True
        #: the dictionary's matches in the open document: (doc_id, rows of DictionarySuggester.found)
        self._live: tuple[str, list[Any]] | None = None
        self._running = False
        self._again = False
        #: jobs finished and dictionaries learned (for tests and the curious)
        self.jobs_done = 0
        self.learned = 0
        self._relearn = QTimer(self)
        self._relearn.setSingleShot(True)
        self._relearn.timeout.connect(self.request)
        #: the span of the suggestion just accepted or rejected here (the next one gets selected)
        self._decided: StoredSuggestion | None = None
        self.view.overlays.append(self.paint)
        self.view.tooltip_providers.append(self.tooltip)
        self.view.installEventFilter(self)
        window.workspace.documentOpened.connect(self._opened)
        window.controller.changed.connect(self._changed)
        if window.current_doc_id:
            QTimer.singleShot(0, self, self.compute)
            QTimer.singleShot(0, self, self.request)

    # -- what is shown ---------------------------------------------------------------
    def _key(self) -> tuple[Any, str] | None:
        project, annotator = self.window.project, self.window.annotator
        return (project, annotator) if project is not None and annotator else None

    def _opened(self, _doc_id: str) -> None:
        self.items, self.current = [], None
        self._live = None
        self.view.viewport().update()
        QTimer.singleShot(0, self, self.compute)  # after the document's first paint: its stored suggestions
        QTimer.singleShot(0, self, self.request)  # and the dictionary's, from the worker

    def _changed(self, changes: Any) -> None:
        if _leaves_suggestions_alone(changes):
            return  # clusters, registry, notes, document labels: nothing a suggestion depends on
        self._dirty = True
        self._relearn.start(RELEARN_AFTER_MS)
        if changes.concerns(self.window.current_doc_id):
            self.compute(keep=True)

    def request(self) -> None:
        """Have the worker learn the dictionary again if edits were made (or the
        project or annotator changed) and match the open document; the result
        arrives on the window's thread (:meth:`_job_done`)."""
        key, doc_id = self._key(), self.window.current_doc_id
        if key is None or key[0].path is None:
            return
        if self._running:
            self._again = True
            return
        learn = self._dirty or self._dictionary_key != key
        if not learn and (not doc_id or (self._live is not None and self._live[0] == doc_id)):
            return  # nothing new to learn nor to match
        if not learn and self._dictionary is None:
            return  # learned: nothing to learn from
        self._running, self._again = True, False
        if learn:
            self._dirty = False  # edits from now on call for another run
        dictionary = None if learn else self._dictionary
        self._pool.start(
            _Job(self._sink, key, key[0].path, dictionary, learn, doc_id or "", self.window.workspace.text if doc_id else "")
        )

    def _job_done(self, result: tuple[Any, ...]) -> None:
        key, learned, dictionary, doc_id, rows, error = result
        self._running = False
        self.jobs_done += 1
        if key == self._key():
            if learned:
                self.learned += 1
                self._dictionary, self._dictionary_key = dictionary, key
                if error:
                    log.info("dictionary suggestions: %s", error)
            if doc_id and doc_id == self.window.current_doc_id:
                self._live = (doc_id, rows)
                self.compute(keep=True)
        if self._again:
            self.request()

    def dictionary(self) -> Any:
        """The dictionary learned last for this project and annotator (None: none
        yet, or nothing to learn from); learned in the worker, never here."""
        return self._dictionary if self._dictionary_key == self._key() else None

    def fresh_dictionary(self) -> Any:
        """The dictionary learned last, if no edit came after it (else None)."""
        return None if self._dirty or self._running else self.dictionary()

    def compute(self, keep: bool = False) -> None:
        """Read the document's pending suggestions, and add the dictionary's
        matches found by the worker (those still undecided)."""
        project, annotator, doc_id = self.window.project, self.window.annotator, self.window.current_doc_id
        decided, self._decided = self._decided, None
        before = self._active() if keep else None
        if project is None or not annotator or not doc_id:
            self.items, self.current = [], None
            return
        try:
            stored = project.suggestions([doc_id], pending_for=annotator)
            live: list[StoredSuggestion] = []
            if self._live is not None and self._live[0] == doc_id and self._live[1]:
                have: set[tuple[Any, ...]] = {(s.kind, s.label, s.start, s.end) for s in stored}
                have |= {(a.kind, a.label, a.start, a.end) for a in self.window.workspace.anns.values()}
                rejected = {(s, e, lab) for _d, s, e, lab in project.suggestion_rejections(annotator, [doc_id])}
                prefix = f"live-{new_id()[:8]}-"
                make = tuple.__new__
                for kind, label, s, e, score, detail in self._live[1]:
                    key = (kind, label, s, e)
                    if key in have or (s, e, label) in rejected:
                        continue
                    have.add(key)
                    live.append(
                        make(
                            StoredSuggestion,
                            (
                                f"{prefix}{len(live)}",
                                doc_id,
                                kind,
                                label,
                                s,
                                e,
                                score,
                                "dictionary",
                                None,
                                None,
                                None,
                                detail,
                                "",
                            ),
                        )
                    )
        except ProjectError as err:
            log.warning("suggestions of %s: %s", doc_id, err)
            return
        self.items = sorted(stored + live, key=lambda s: (s.start, s.end, s.label))
        self.current = None
        if decided is not None:
            # after a decision: the first suggestion at or after the decided span, selected
            for i, s in enumerate(self.items):
                if s.start >= decided.start:
                    self.current = i
                    self.view.select_span(s.start, s.end)
                    break
            else:
                # none follows: the cursor after the decided span (Tab wraps to the first)
                end = min(decided.end, len(self.window.workspace.text))
                self.view.select_span(end, end, ensure_visible=False)
        elif before is not None:
            # any other change: the suggestion that was selected stays so while it is shown
            key = (before.kind, before.label, before.start, before.end)
            for i, s in enumerate(self.items):
                if (s.kind, s.label, s.start, s.end) == key:
                    self.current = i
                    break
        self.view.viewport().update()

    # -- drawing -------------------------------------------------------------------------
    def paint(self, painter: QPainter, offset: QPointF, visible: tuple[int, int]) -> None:
        if not self.items:
            return
        text_color = self.view.palette().color(QPalette.ColorRole.Text)
        ghost = QColor(text_color)
        ghost.setAlphaF(0.45)
        accent = self.view.palette().color(QPalette.ColorRole.Highlight)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for i, s in enumerate(self.items):
            if s.end <= visible[0] or s.start >= visible[1]:
                continue
            current = i == self.current
            pen = QPen(accent if current else ghost, 2.0 if current else 1.0, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            for rect in self.view.span_rects(max(s.start, visible[0]), min(s.end, visible[1])):
                painter.drawRoundedRect(rect.translated(-offset).adjusted(-3, -3, 3, 3), 4, 4)

    def tooltip(self, cp: int) -> str:
        rows = []
        for s in self.items:
            if s.start <= cp < s.end:
                who = f" · claimant: {html.escape(s.claimant_text)}" if s.claimant_text else ""
                rows.append(
                    f"<tr><td><i>Suggested</i> {html.escape(s.label)} · score {s.score:.2f} · {html.escape(s.suggester)}{who}"
                    "<br><small>Tab selects it; then Enter accepts, X rejects, a label key accepts as that label</small></td></tr>"
                )
        return "<table cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table>" if rows else ""

    # -- keys ----------------------------------------------------------------------------
    def _active(self) -> StoredSuggestion | None:
        """The current suggestion, while its span is the selection."""
        if self.current is None or self.current >= len(self.items):
            return None
        s = self.items[self.current]
        return s if self.view.selection_span() == (s.start, s.end) else None

    def _handles(self, event: QKeyEvent) -> str | None:
        key, mods = event.key(), event.modifiers()
        plain = not mods & ~(Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier)
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and self.items and not mods & Qt.KeyboardModifier.ControlModifier:
            return "prev" if key == Qt.Key.Key_Backtab or mods & Qt.KeyboardModifier.ShiftModifier else "next"
        if self._active() is None or not plain:
            return None
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods & Qt.KeyboardModifier.ShiftModifier:
            return "accept"
        if key in (Qt.Key.Key_X, Qt.Key.Key_Backspace) and not mods & Qt.KeyboardModifier.ShiftModifier:
            return "reject"
        text = event.text()
        project = self.window.project
        if text and project is not None:
            target = project.schema.shortcuts().get(text)
            if target is not None and target[0] in SPAN_KINDS:
                return "label:" + target[1]
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        etype = event.type()
        if (
            watched is self.view
            and etype in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
            and isinstance(event, QKeyEvent)
        ):
            action = self._handles(event)
            if action is not None:
                event.accept()
                if etype == QEvent.Type.KeyPress:
                    self._do(action)
                return True
        return super().eventFilter(watched, event)

    def _do(self, action: str) -> None:
        if action in ("next", "prev"):
            self.move(1 if action == "next" else -1)
        elif action == "accept":
            self.accept_current()
        elif action == "reject":
            self.reject_current()
        elif action.startswith("label:"):
            self.accept_current(action[6:])

    def move(self, step: int) -> None:
        """Select the next (previous) suggestion after (before) the current one or the cursor."""
        if not self.items:
            return
        if self.current is None or self._active() is None:
            at = self.view.selection_span()[0 if step > 0 else 1]
            after = [i for i, s in enumerate(self.items) if (s.start >= at if step > 0 else s.end <= at)]
            i = (after[0] if step > 0 else after[-1]) if after else (0 if step > 0 else len(self.items) - 1)
        else:
            i = (self.current + step) % len(self.items)
        self.current = i
        s = self.items[i]
        self.view.select_span(s.start, s.end)
        self.window.statusBar().showMessage(f"Suggested: {self.describe(s)}", 15000)
        self.view.viewport().update()

    def describe(self, s: StoredSuggestion) -> str:
        """A suggestion and the keys that decide it, for the status bar."""
        text = self.window.workspace.text[s.start : s.end]
        if len(text) > 60:
            text = text[:57] + "…"
        text = " ".join(text.split())
        n = len(self.items)
        where = f" ({self.items.index(s) + 1} of {n})" if s in self.items else ""
        return (
            f"'{text}' {s.label} {s.score:.2f}, {s.suggester}{where} — Enter accepts, X rejects, "
            "Tab skips, Shift+Tab goes back; a label key accepts as that label"  # most used first: a narrow bar cuts the end
        )

    def _announce(self, done: str) -> None:
        """After a decision: what was done, and the suggestion now selected (or that none follows)."""
        nxt = self._active()
        if nxt is not None:
            message = f"{done} Next: {self.describe(nxt)}"
        elif self.items:
            n = len(self.items)
            message = f"{done} No suggestion follows; {n} left before it: Tab goes to the first, Shift+Tab to the last."
        else:
            message = f"{done} No suggestions left in this document."
        self.window.statusBar().showMessage(message, 15000)

    def _push(self, command: Any) -> bool:
        return self.window.controller.push(command, self.window.workspace) is not None

    def _decide(self, s: StoredSuggestion, command: Any, done: str) -> None:
        """Push a decision about ``s``; the next suggestion gets selected and announced."""
        self._decided = s
        try:
            pushed = self._push(command)
        finally:
            self._decided = None
        if pushed:
            self._announce(done)

    def accept_current(self, label: str | None = None) -> None:
        s = self._active()
        if s is None or not self.window.annotator:
            return
        try:
            command = AcceptSuggestions(self.window.annotator, [s], label=label)
        except CommandError as err:
            self.window.statusBar().showMessage(str(err), 8000)
            return
        text = " ".join(self.window.workspace.text[s.start : s.end].split())
        self._decide(s, command, f"Accepted '{text}' as {label or s.label}.")

    def reject_current(self) -> None:
        s = self._active()
        if s is None or not self.window.annotator:
            return
        try:
            command = RejectSuggestions(self.window.annotator, [s])
        except CommandError as err:
            self.window.statusBar().showMessage(str(err), 8000)
            return
        text = " ".join(self.window.workspace.text[s.start : s.end].split())
        self._decide(s, command, f"Rejected '{text}' {s.label}.")

    def accept_above(self, threshold: float) -> int:
        """Accept every suggestion shown in this document scoring at least ``threshold``
        (one undo step); how many were accepted."""
        chosen = [s for s in self.items if s.score >= threshold]
        if not chosen or not self.window.annotator:
            self.window.statusBar().showMessage(f"No suggestion in this document scores {threshold:.2f} or more.", 8000)
            return 0
        try:
            command = AcceptSuggestions(self.window.annotator, chosen)
        except CommandError as err:
            self.window.statusBar().showMessage(str(err), 8000)
            return 0
        if not self._push(command):
            return 0
        n = len(command.annotations)
        self.window.statusBar().showMessage(
            f"Accepted {n} suggestion{'' if n == 1 else 's'} scoring {threshold:.2f} or more (one step: Ctrl+Z undoes it).", 8000
        )
        return n


def install_suggestion_layer(window: MainWindow) -> SuggestionLayer:
    """The article view's suggestions (once per window)."""
    layer = getattr(window, "suggestion_layer", None)
    if layer is None:
        layer = SuggestionLayer(window)
        setattr(window, "suggestion_layer", layer)  # noqa: B010 (not an attribute MainWindow declares)
    return layer
