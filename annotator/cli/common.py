"""What every command shares: opening a project, and errors as messages.

Light on purpose (no pydantic, no codecs): ``annotator open`` uses it before the
app's first paint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from annotator.core.commands import CommandError
from annotator.core.kinds import SchemaError
from annotator.core.store import Project, ProjectError
from annotator.core.text import TextError


def user_error_types() -> tuple[type[Exception], ...]:
    """Errors whose message is for people: shown without a traceback. (The codecs'
    InputError is imported here, when a command meets an error, not before.)"""
    from annotator.formats import InputError

    return (ProjectError, InputError, SchemaError, TextError, CommandError)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's user-facing errors into ClickExceptions."""
    try:
        yield
    except Exception as err:
        if isinstance(err, user_error_types()):
            raise click.ClickException(str(err)) from None
        raise


def open_project(path: Path, *, create: bool = False) -> Project:
    """Open a project for a command; a clear message when it cannot be opened."""
    if not create and not path.exists():
        raise click.ClickException(f"{path}: no such project file (add --create to make a new project)")
    if path.is_dir():
        raise click.ClickException(f"{path}: is a folder, not a project file")
    with user_errors():
        return Project(path, create=create)


project_argument = click.argument("project", type=click.Path(path_type=Path))
