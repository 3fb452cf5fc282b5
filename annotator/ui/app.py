"""Starting the desktop app: QApplication, the annotator's name, the project, errors.

Unexpected exceptions (bugs) are logged to ``annotator.log`` in the data folder
and shown in a dialog instead of killing the app: every action is committed
to the project file as it happens, so nothing the user did before is lost.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from annotator import __version__
from annotator.core.store import Project, ProjectError
from annotator.services.project import default_data_dir, open_project
from annotator.ui.basic import check_annotator_name
from annotator.ui.lazy import after_first_paint
from annotator.ui.settings import APPLICATION, NAME_KEY, ORGANIZATION, open_settings

log = logging.getLogger("annotator")

#: The same unexpected error is shown at most once in this many seconds (it is always logged).
REPEAT_SECONDS = 60.0


def setup_logging() -> Path | None:
    """Log warnings and errors to ``<data dir>/annotator.log`` (rotated); its path, or None."""
    # Imported here: logging.handlers (with socket, pickle, queue) is not needed
    # for the first paint (run() opens the log right after it).
    from logging.handlers import RotatingFileHandler

    try:
        folder = default_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "annotator.log"
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


class EarlyLog(logging.Handler):
    """Holds what is logged before the log file is opened (right after the first
    paint); :meth:`open` opens it (:func:`setup_logging`) and writes them there."""

    def __init__(self, reporter: ErrorReporter):
        super().__init__()
        self.reporter = reporter
        self.records: list[logging.LogRecord] = []
        self.opened = False
        log.addHandler(self)
        log.setLevel(logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def open(self) -> None:
        if self.opened:
            return
        self.opened = True
        log.removeHandler(self)
        self.reporter.log_path = setup_logging()
        if self.reporter.log_path is None:
            log.setLevel(logging.NOTSET)
        for handler in log.handlers:  # the file only: other handlers had them already
            for record in self.records:
                if record.levelno >= handler.level:
                    handler.handle(record)
        self.records.clear()


class ErrorReporter:
    """``sys.excepthook`` for the GUI: log the traceback, show a plain-text dialog."""

    def __init__(self, log_path: Path | None, parent: QWidget | None = None):
        self.log_path = log_path
        self.parent = parent
        self._showing = False
        self.shown = 0
        self._recent: dict[str, float] = {}

    def __call__(self, etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(etype, value, tb))
        log.error("unexpected error\n%s", details)
        if issubclass(etype, KeyboardInterrupt):
            QApplication.quit()
            return
        if isinstance(value, ProjectError):  # a problem with the file, not a bug: just say it
            text = str(value)
        else:
            where = f"\n\nThe details were written to {self.log_path}." if self.log_path else ""
            text = (
                f"Something went wrong: {etype.__name__}: {value}\n\n"
                "Your annotations up to your last action are saved in the project "
                "(every action is written at once). You can keep working; if the problem "
                f"comes back, please report it.{where}"
            )
        sys.stderr.write(details)
        if self._showing or QApplication.instance() is None:
            return  # an error while the dialog is open: logged, not stacked
        key = f"{etype.__name__}: {value}"
        now = time.monotonic()
        if now - self._recent.get(key, -REPEAT_SECONDS) < REPEAT_SECONDS:
            return  # the same error again (e.g. on every repaint): logged, not shown again
        self._recent[key] = now
        self._showing = True
        try:
            self.shown += 1
            parent = self.parent if self.parent is not None and self.parent.isVisible() else None
            from PySide6.QtWidgets import QMessageBox

            from annotator.ui import dialogs

            box = dialogs.message_box(parent, QMessageBox.Icon.Warning, "annotator: unexpected error", text, details)
            box.exec()
        finally:
            self._showing = False


def ask_name(settings: QSettings, project: Project | None) -> str | None:
    """The remembered annotator name, or ask for it (None: the user cancelled).
    A work package (``annotator assign``) names its annotator: that name, unasked
    (and not remembered: the user's own name stays for their other projects)."""
    if project is not None:
        try:
            handed_to = project.package_annotator()
        except ProjectError:
            handed_to = None
        if handed_to:
            return handed_to
    name = str(settings.value(NAME_KEY, "", type=str) or "").strip()
    if name and check_annotator_name(name) is None:
        return name
    from annotator.ui import dialogs  # only for the prompt: not loaded at each start

    known = project.annotators() if project is not None else []
    name = dialogs.ask_annotator_name(None, "", known)
    if name:
        settings.setValue(NAME_KEY, name)
        settings.sync()
    return name


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName("annotator")
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)
    return app  # type: ignore[return-value]


def run(project_path: Path | None = None, *, create: bool = False, project: Project | None = None) -> int:
    """Start the app on ``project_path`` (None: the default project), or on
    ``project`` when the caller has opened it already (the command opens the
    default project before Qt, to make it on first use); the exit status."""
    app = create_application()
    # The log file is opened right after the first paint (or on the way out):
    # until then the reporter names where it will be, and records wait.
    reporter = ErrorReporter(default_data_dir() / "annotator.log")
    early_log = EarlyLog(reporter)
    previous_hook = sys.excepthook
    sys.excepthook = reporter
    try:
        try:
            if project is None:
                project = open_project(project_path, create=create)
        except ProjectError as err:
            from annotator.ui import dialogs

            dialogs.show_error(None, "Cannot open the project", str(err))
            return 1
        settings = open_settings()  # in the annotator home: each home keeps its own name
        name = ask_name(settings, project)
        if not name:
            project.close()
            return 1
        from annotator.ui.main_window import MainWindow

        # The first paint shows the document's text; its schema and annotations
        # (and pydantic) come right after it (or at the first key or click).
        window = MainWindow(project, name, settings, defer_load=True)
        reporter.parent = window
        window.show()
        after_first_paint(window, window, early_log.open)
        # Keyboard users start in the text.
        QTimer.singleShot(0, window.article_view.setFocus)
        status = app.exec()
        if window.project is not None:
            window.project.close()
        return status
    finally:
        early_log.open()
        sys.excepthook = previous_hook
