"""What every command shares: opening a project, and errors as messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from annotator.core.commands import CommandError
from annotator.core.schema import SchemaError
from annotator.core.store import Project, ProjectError
from annotator.core.text import TextError
from annotator.formats import InputError

#: Errors whose message is for people: shown without a traceback.
USER_ERRORS = (ProjectError, InputError, SchemaError, TextError, CommandError)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's user-facing errors into ClickExceptions."""
    try:
        yield
    except USER_ERRORS as err:
        raise click.ClickException(str(err)) from None


def open_project(path: Path, *, create: bool = False) -> Project:
    """Open a project for a command; a clear message when it cannot be opened."""
    if not create and not path.exists():
        raise click.ClickException(f"{path}: no such project file (add --create to make a new project)")
    if path.is_dir():
        raise click.ClickException(f"{path}: is a folder, not a project file")
    with user_errors():
        return Project(path, create=create)


project_argument = click.argument("project", type=click.Path(path_type=Path))
