"""The untrusted-file check without replaying the migrations at each start
(benchmarks case 8): :mod:`annotator.core.schema_objects_made` writes down what the
replay finds, is regenerated after each new migration, and the check stays the
replay's: an object not written down is looked up in the replay before a file is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

import annotator.core.projectfile as projectfile
from annotator.core import schema_objects, schema_objects_made
from annotator.core.migrations import MIGRATION_STEPS
from annotator.core.store import Project, UntrustedProjectError
from tests.security.test_untrusted_files import EVIL_TRIGGER, craft, make_project


def test_the_written_objects_are_the_replays_for_these_migrations() -> None:
    """Fails after a migration is added or changed: run
    ``python -m annotator.core.schema_objects --write`` (the lead, after merging migrations)."""
    assert schema_objects_made.STEPS == tuple(step.__name__ for step in MIGRATION_STEPS)
    assert schema_objects_made.OBJECTS == projectfile.app_schema_objects()
    assert schema_objects.main(["--check"]) == 0
    assert Path(schema_objects_made.__file__).read_text(encoding="utf-8") == schema_objects.current()


def test_opening_a_project_does_not_replay_the_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_project(tmp_path / "p.annotator")
    monkeypatch.setattr(projectfile, "_APP_SCHEMA", None)
    with Project(path) as p:
        assert len(p.document_ids()) == 2
    assert projectfile._APP_SCHEMA is None  # noqa: SLF001 (nothing replayed)
    with pytest.raises(UntrustedProjectError, match="trigger 'evil'"):
        Project(craft(path, EVIL_TRIGGER))
    assert projectfile._APP_SCHEMA is not None  # noqa: SLF001 (the replay had the last word)


@pytest.mark.parametrize("stale", ["steps", "objects"])
def test_with_a_stale_module_the_replay_decides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stale: str) -> None:
    """A migration added without regenerating (or another SQLite's SQL text): files the
    app made still open, crafted ones are still refused."""
    if stale == "steps":
        monkeypatch.setattr(schema_objects_made, "STEPS", schema_objects_made.STEPS[:-1])
    else:  # the tables written down, not the indexes or triggers
        monkeypatch.setattr(schema_objects_made, "OBJECTS", frozenset(o for o in schema_objects_made.OBJECTS if o[0] == "table"))
    assert len(projectfile.made_schema_objects()) < len(projectfile.app_schema_objects())
    path = make_project(tmp_path / "p.annotator")
    with Project(path) as p:
        assert len(p.document_ids()) == 2
    with pytest.raises(UntrustedProjectError, match="trigger 'evil'"):
        Project(craft(path, EVIL_TRIGGER))


def test_the_writer_writes_strings_as_they_are() -> None:
    tricky = "CREATE TABLE \"a\" (b TEXT DEFAULT '', c TEXT DEFAULT 'it''s')\n\t\\ \x01 é ☃"
    objects = frozenset({("table", "a", "a", tricky), ("index", "sqlite_autoindex_a_1", "a", None), ("table", "q", "q", 'x "y"')})
    space: dict = {}
    exec(schema_objects.render(("m001", "m002"), objects), space)  # noqa: S102 (our own output)
    assert space["STEPS"] == ("m001", "m002") and space["OBJECTS"] == objects
