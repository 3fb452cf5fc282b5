"""The ``annotator`` command.

Without arguments it starts the desktop app on the default project, and nothing
but what the app needs is imported for that (not click, not the commands: the
first paint comes sooner, benchmarks/RESULTS.md case 8). With arguments it is
the click group of :mod:`annotator.cli.group`, whose commands live in the
submodules and are loaded when used. ``from annotator.cli import main`` gives
that group.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

# annotator's models use no pydantic plugins; looking for them scans the entry
# points of every installed distribution (~35 ms of each start of the command
# and the app, benchmarks/RESULTS.md case 8). Set it (to an empty value) to use them.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


class AppStartError(Exception):
    """The desktop app cannot start; ``str()`` is the message for people."""


class DesktopUnavailable(AppStartError):
    """Qt cannot open a window here (no display, system libraries missing);
    ``str()`` is the one line printed, as it is."""


def start_app(path: Path | None) -> int:
    """Start the desktop app on ``path`` (None: the default project, made with the
    demo article on first use); its exit status. Raises :class:`AppStartError`.

    Whether Qt can open a window is checked first, without Qt
    (:mod:`annotator.cli.desktop`): Qt aborts the process when it cannot."""
    from annotator.cli.desktop import desktop_problem

    problem = desktop_problem()
    if problem is not None:
        raise DesktopUnavailable(f"annotator: {problem}")
    from annotator.core.errors import ProjectError
    from annotator.core.kinds import SchemaError

    project = None
    if path is None:
        from annotator.services.project import ensure_default_project

        try:
            project = ensure_default_project()  # handed to the app open: one open, not two
        except (ProjectError, SchemaError) as err:
            raise AppStartError(str(err)) from None
    try:
        from annotator.ui.app import run
    except ImportError as err:
        if project is not None:
            project.close()
        from annotator.cli.desktop import library_of_error, missing_libraries_message

        library = library_of_error(str(err))
        if library is not None:  # a system library Qt needs (libEGL, libGL, fontconfig...)
            raise DesktopUnavailable(missing_libraries_message("annotator: Qt cannot start", [library])) from None
        raise AppStartError(f"the desktop app cannot start: {err}") from None
    return run(path) if project is None else run(project.path, project=project)


def start(argv: list[str] | None = None) -> Any:
    """The ``annotator`` console script: the app with no arguments, else the commands."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        try:
            return start_app(None)
        except DesktopUnavailable as err:
            print(err, file=sys.stderr)
            return 1
        except AppStartError as err:
            print(f"Error: {err}", file=sys.stderr)
            return 1
    from annotator.cli.group import main

    return main(args=args, prog_name="annotator")


def __getattr__(name: str) -> Any:
    if name == "main":  # the click group, built only when asked for
        from annotator.cli.group import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
