"""What every command shares: opening a project, and errors as messages.

Light on purpose (no pydantic, no codecs): ``annotator open`` uses it before the
app's first paint.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


class UnknownChoice(click.ClickException):
    """A value that is none of the names an option takes: one line, usage's exit status."""

    exit_code = 2


class FormatChoice(click.Choice):
    """The names of formats (any letter case); a mistyped one is told the closest
    names: ``unknown format 'conl'. Did you mean 'conll'? Formats: ...``."""

    def __init__(self, names: Iterable[str]):
        super().__init__(list(names), case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            raise UnknownChoice(unknown_name_message("format", str(value), [str(c) for c in self.choices])) from None


def unknown_name_message(what: str, value: str, names: list[str]) -> str:
    """``unknown WHAT 'value'. Did you mean 'x'? WHATs: a, b, c`` (the question only when a name is close)."""
    import difflib

    close = difflib.get_close_matches(value.lower(), names, n=3, cutoff=0.6)
    guess = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown {what} {value!r}.{guess} {what.capitalize()}s: {', '.join(names)}"
