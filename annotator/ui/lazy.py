"""Menu entries whose module is imported after the window's first paint.

The export dialog (with the export service and every codec) and the review
tools are not needed to show the window, but importing them at start delays its
first paint (benchmarks/RESULTS.md, case 8).  Their entries are in the menus from
the start, with the same text, keys and tooltip, as stand-ins: a moment after the
first paint, once the window has loaded its document and gone idle
(:data:`INSTALL_AFTER_MS`; or at once when a stand-in is triggered first, e.g. by its shortcut)
the module is imported, the stand-ins are removed and the module's own
``install_*`` function adds the real actions, in the same places; a triggered
stand-in then triggers its real action.  ``tests/ui/test_lazy.py`` checks that
the stand-ins match what the modules install.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from annotator.ui.actions import make_action, plain_action_text

log = logging.getLogger(__name__)

#: How long after the first paint the modules are imported (ms): the window first
#: finishes loading its document and answers input (the event loop goes idle),
#: then the menus' modules load; a stand-in used before loads its module at once.
INSTALL_AFTER_MS = 250


class LazyModule:
    """A module imported on first use of one of its names (``dialogs.show_error``):
    for modules a window calls only from its menus and messages, kept out of the
    start.  Type checkers see the real module (import it under ``TYPE_CHECKING``)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


class LazyInstall(QObject):
    """Stand-in actions for ``module:function(window)``, which is called on first
    use of a stand-in or right after the window's first paint, whichever is first."""

    def __init__(self, window: QWidget, target: str):
        super().__init__(window)
        self.window = window
        self.target = target
        self.installed = False
        self.stand_ins: list[tuple[QMenu, QAction]] = []
        after_first_paint(window, self, lambda: QTimer.singleShot(INSTALL_AFTER_MS, self, self.install))

    def stand_in(self, menu: QMenu, text: str, **kw: Any) -> QAction:
        """An action like ``make_action(window, text, **kw)`` that loads the real one."""
        action = make_action(self.window, text, **kw)
        action.triggered.connect(lambda _checked=False, a=action: self._trigger(a))
        self.stand_ins.append((menu, action))
        return action

    def install(self) -> None:
        """Import the module, swap the stand-ins for its actions (once)."""
        if self.installed:
            return
        self.installed = True
        module, function = self.target.split(":")
        install: Callable[[Any], None] = getattr(importlib.import_module(module), function)
        for menu, action in self.stand_ins:
            menu.removeAction(action)
            action.deleteLater()
        install(self.window)

    def _trigger(self, stand_in: QAction) -> None:
        menu = next(m for m, a in self.stand_ins if a is stand_in)
        text = plain_action_text(stand_in)
        self.install()
        real = next((a for a in menu.actions() if plain_action_text(a) == text), None)
        if real is None:  # the module renamed it: tests/ui/test_lazy.py says so
            log.warning("%s added no action %r to %s", self.target, text, menu.title())
            return
        real.trigger()


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, context: QObject, then: Callable[[], None]):
        super().__init__(context)
        self.window, self.context, self.then = window, context, then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        # UpdateRequest: the window paints its widgets now; the timer fires after that.
        if watched is self.window and event.type() in (QEvent.Type.UpdateRequest, QEvent.Type.Paint):
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self.context, self.then)
        return False


def after_first_paint(window: QWidget, context: QObject, then: Callable[[], None]) -> None:
    """Call ``then`` once the window has painted for the first time (not if
    ``context`` is deleted before)."""
    _FirstPaint(window, context, then)


def install_export_action(window: Any) -> None:
    """File > Export… (Ctrl+E), after Import files…: ``annotator.ui.export_dialog``."""
    lazy = LazyInstall(window, "annotator.ui.export_dialog:install_export_action")
    menu = window.menus["File"]
    action = lazy.stand_in(menu, "&Export…", shortcut="Ctrl+E")
    window.export_action = action  # the real one replaces it
    actions = menu.actions()
    after = next((i for i, a in enumerate(actions) if plain_action_text(a).startswith("Import")), None)
    if after is not None and after + 1 < len(actions):
        menu.insertAction(actions[after + 1], action)
    else:
        menu.addAction(action)


def install_review_actions(window: Any) -> None:
    """Review > Review mode…, Agreement…; File > Import colleague's work…:
    ``annotator.ui.review_view``."""
    lazy = LazyInstall(window, "annotator.ui.review_actions:install_review_actions")
    review_menu = window.menus["Review"]
    review_menu.addAction(lazy.stand_in(review_menu, "&Review mode…", shortcut="Ctrl+Shift+V"))
    review_menu.addAction(lazy.stand_in(review_menu, "&Agreement…"))
    file_menu = window.menus["File"]
    anchor = next((a for a in file_menu.actions() if a.isSeparator()), None)
    action = lazy.stand_in(
        file_menu, "Import &colleague's work…", tooltip="Merge another annotator's project or native export into this project"
    )
    file_menu.insertAction(anchor, action) if anchor is not None else file_menu.addAction(action)


def install_check_action(window: Any) -> None:
    """Review > Consistency check…: ``annotator.ui.check_dialog``."""
    lazy = LazyInstall(window, "annotator.ui.check_dialog:install_check_action")
    menu = window.menus["Review"]
    menu.addAction(lazy.stand_in(menu, "&Consistency check…"))


def install_team_actions(window: Any) -> None:
    """Team > Hand out work…, Collect work…, Progress: ``annotator.ui.team_dialogs``."""
    lazy = LazyInstall(window, "annotator.ui.team_dialogs:install_team_actions")
    menu = window.menus["Team"]
    menu.addAction(lazy.stand_in(menu, "&Hand out work…", tooltip="Split documents among annotators into packages"))
    menu.addAction(lazy.stand_in(menu, "&Collect work…", tooltip="Bring annotators' packages back, then review"))
    menu.addAction(lazy.stand_in(menu, "&Progress", tooltip="Who has what, how far, agreement"))


def install_suggestions_action(window: Any) -> None:
    """Document > Suggestions… (Ctrl+Shift+U): ``annotator.ui.suggestions_dialog`` (issue 17)."""
    lazy = LazyInstall(window, "annotator.ui.suggestions_dialog:install_suggestions_action")
    menu = window.menus["Document"]
    menu.addAction(lazy.stand_in(menu, "Su&ggestions…", shortcut="Ctrl+Shift+U"))
    menu.addAction(
        lazy.stand_in(
            menu,
            "Accept suggestions &above the threshold",
            tooltip="Accept every suggestion in this document scoring at least the Suggestions list's minimum score (else 0.8)",
        )
    )


def suggestions_menu(window: Any) -> QMenu:
    """The window's Suggestions menu, made before Help by whoever needs it first."""
    menu: QMenu | None = window.menus.get("Suggestions")
    if menu is None:
        menu = QMenu("&Suggestions", window)
        help_menu = window.menus.get("Help")
        if help_menu is not None:
            window.menuBar().insertMenu(help_menu.menuAction(), menu)
        else:
            window.menuBar().addMenu(menu)
        # the same order in ``window.menus`` as in the menu bar (before Help)
        items = list(window.menus.items())
        at = next((i for i, (name, _) in enumerate(items) if name == "Help"), len(items))
        items.insert(at, ("Suggestions", menu))
        window.menus.clear()
        window.menus.update(items)
    return menu


def install_train_action(window: Any) -> None:
    """Suggestions > Train model…: ``annotator.ui.train_dialog``."""
    lazy = LazyInstall(window, "annotator.ui.train_dialog:install_train_action")
    menu = suggestions_menu(window)
    menu.addAction(lazy.stand_in(menu, "&Train model…", tooltip="Train a spaCy NER model on this project's annotations"))


def install_coref_actions(window: Any) -> None:
    """View > Entities pane (after Coreference chains); Edit > Coreference > Entity
    registry…; Review > Coreference clusters…: ``annotator.ui.entities_pane``."""
    lazy = LazyInstall(window, "annotator.ui.entities_pane:install_coref_actions")
    view_menu = window.menus["View"]
    action = lazy.stand_in(view_menu, "&Entities pane", shortcut="Ctrl+Shift+E")
    actions = view_menu.actions()
    at = next((i for i, a in enumerate(actions) if plain_action_text(a) == "Coreference chains"), None)
    if at is not None and at + 1 < len(actions):
        view_menu.insertAction(actions[at + 1], action)
    else:
        view_menu.addAction(action)
    if window.coref_menu is not None:
        window.coref_menu.addAction(lazy.stand_in(window.coref_menu, "Entity &registry…"))
    review_menu = window.menus["Review"]
    review_menu.addAction(lazy.stand_in(review_menu, "Coreference c&lusters…"))
