"""Qt helpers for the GUI cases: the application, and waiting until what a user
would see is on screen.

"Shown" is decided by pixels, not by trusting a widget's internals: a case
first renders the settled end state of a view (untimed), then in the timed run
renders the widget (``grab()``, what a paint at that moment would show) and,
until it shows exactly that image, processes events and renders again.  Every
poll renders a frame, so the time includes the paint the user waits for, and
any deferred (timer-driven) highlighting is waited for too.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

#: Size of the article views in the GUI cases (a typical editor pane).
VIEW_SIZE = (1000, 760)


def app() -> QApplication:
    if "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    inst = QApplication.instance() or QApplication([])
    # A blinking cursor would make two renders of the same state differ.
    QApplication.setCursorFlashTime(0)
    return inst  # type: ignore[return-value]


def show_focused(widget: QWidget) -> None:
    """Show ``widget`` at :data:`VIEW_SIZE` as the active window with the focus, so that
    every instance renders the same (a focused text view draws its cursor)."""
    widget.resize(*VIEW_SIZE)
    widget.show()
    widget.activateWindow()
    widget.setFocus()
    pump(30)


def dispose(widget: QWidget) -> None:
    """Close and delete ``widget`` now, so the next one shown gets the focus."""
    widget.close()
    widget.deleteLater()
    pump(5)


def pump(ms: float = 0.0) -> None:
    """Process events, for at least ``ms`` milliseconds (timers included)."""
    end = time.perf_counter() + ms / 1000.0
    while True:
        QCoreApplication.processEvents(QEventLoop.AllEvents)
        if time.perf_counter() >= end:
            break
        time.sleep(0.001)


def render(widget: QWidget) -> QImage:
    return widget.grab().toImage()


def settled(widget: QWidget, quiet_ms: float = 250.0) -> QImage:
    """The image ``widget`` shows once every pending timer has fired (untimed use)."""
    pump(quiet_ms)
    img = render(widget)
    while True:  # keep waiting while something still changes
        pump(quiet_ms)
        again = render(widget)
        if again == img:
            return img
        img = again


def until_shows(widget: QWidget, expected: QImage, t0: float, timeout_s: float = 5.0) -> tuple[float, bool]:
    """Poll events and renders until ``widget`` renders ``expected``.

    Returns (milliseconds since ``t0``, whether it was reached before the timeout)."""
    while True:
        if render(widget) == expected:
            return (time.perf_counter() - t0) * 1000.0, True
        if time.perf_counter() - t0 > timeout_s:
            return (time.perf_counter() - t0) * 1000.0, False
        QCoreApplication.processEvents(QEventLoop.AllEvents)


def until_changes(widget: QWidget, before: QImage, t0: float, timeout_s: float = 2.0) -> tuple[float, bool]:
    """Poll events and renders until ``widget`` renders something other than ``before``."""
    while True:
        if render(widget) != before:
            return (time.perf_counter() - t0) * 1000.0, True
        if time.perf_counter() - t0 > timeout_s:
            return (time.perf_counter() - t0) * 1000.0, False
        QCoreApplication.processEvents(QEventLoop.AllEvents)
