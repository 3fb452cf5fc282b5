"""The one place QActions are made: text, shortcut(s), tooltip, slot.

Actions whose keys are handled by the workspace's key filter (one-key label
shortcuts, Shift+letter commands, Delete, Alt+arrows: they must act only while
the article view or the annotation list has focus, never while typing in a
field) get ``hint`` instead of ``shortcut``: the key is shown in the menu but
not registered as a window-wide shortcut.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

#: Property name holding the key text of hint-only actions (for the shortcuts list).
HINT_PROPERTY = "annotatorKeyHint"

Shortcut = str | QKeySequence | QKeySequence.StandardKey


def _sequence(key: Shortcut) -> QKeySequence:
    return key if isinstance(key, QKeySequence) else QKeySequence(key)


def make_action(
    parent: QObject,
    text: str,
    slot: Callable[..., object] | None = None,
    *,
    shortcut: Shortcut | Iterable[Shortcut] | None = None,
    hint: str | None = None,
    tooltip: str | None = None,
    checkable: bool = False,
    checked: bool = False,
    enabled: bool = True,
    context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
    data: object = None,
) -> QAction:
    """A QAction with everything set in one call.

    ``shortcut``: one key sequence or several (the first is shown in menus).
    ``hint``: key text shown in menus for keys handled elsewhere (see module doc).
    ``tooltip``: plain text; it is escaped, and the shortcut is appended.
    ``slot`` is connected to ``triggered`` (or ``toggled`` when ``checkable``) and
    called without the signal's argument unless it is a toggle.
    """
    action = QAction(text, parent)
    keys: list[QKeySequence] = []
    if shortcut is not None:
        if isinstance(shortcut, (str, QKeySequence, QKeySequence.StandardKey)):
            keys = [_sequence(shortcut)]
        else:
            keys = [_sequence(k) for k in shortcut]
        action.setShortcuts(keys)
        action.setShortcutContext(context)
    if hint:
        action.setText(f"{text}\t{hint}")
        action.setProperty(HINT_PROPERTY, hint)
    key_text = hint or (keys[0].toString(QKeySequence.SequenceFormat.NativeText) if keys else "")
    tip = tooltip or text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")
    action.setToolTip(plain_tooltip(f"{tip} ({key_text})" if key_text else tip))
    action.setStatusTip(tip)
    action.setCheckable(checkable)
    if checkable:
        action.setChecked(checked)
    action.setEnabled(enabled)
    if data is not None:
        action.setData(data)
    if slot is not None:
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False: slot())
    return action


def action_keys(action: QAction) -> str:
    """The keys of an action as text ("Ctrl+Z, Ctrl+Y"), hint keys included."""
    hint = action.property(HINT_PROPERTY)
    if hint:
        return str(hint)
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())


def plain_action_text(action: QAction) -> str:
    """The action's menu text without mnemonics and without the key hint."""
    text = action.text().split("\t", 1)[0]
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…")


def escape(text: str) -> str:
    """``html.escape(text)`` (quotes too), without importing :mod:`html`, whose
    entity tables cost 3 ms of the first paint (benchmarks case 8)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")


def plain_tooltip(text: str) -> str:
    """Tooltip markup that shows ``text`` literally.

    Qt guesses whether a tooltip is rich text; escaping alone would show "&amp;"
    when the guess is "plain". So the text is escaped *and* marked as rich text,
    with line breaks and spaces kept.
    """
    body = escape(text).replace("\n", "<br>")
    return f"<qt><span style='white-space:pre-wrap'>{body}</span></qt>"


def escape_mnemonic(text: str) -> str:
    """Text for a button/menu entry shown literally ('&' would start a mnemonic)."""
    return text.replace("&", "&&")
