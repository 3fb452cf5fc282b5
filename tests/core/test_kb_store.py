"""Knowledge-base links in the store (issue 14): the migration, links on entities
(commands with undo), the knowledge-base tables and their candidate index."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core.commands import AddAnnotations, CommandError, LinkEntity, UnlinkEntity, UpdateAnnotation, apply, revert
from annotator.core.migrations import MIGRATION_STEPS, m011_kb_links
from annotator.core.models import Annotation, Document, Link, entity, event
from annotator.core.rows import annotation_row, row_to_annotation
from annotator.core.store import Project, read_project_file

FIXTURE = Path(__file__).resolve().parent.parent / "reliability" / "fixtures" / "v1.annotator"
TEXT = "China granted licences to Indian firms, Randhir Jaiswal said on Thursday."


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        doc = Document(text=TEXT)
        p.insert_documents([(doc, [])])
        p.doc = doc.id  # type: ignore[attr-defined]
        yield p


def test_migration_from_version_1_keeps_everything_and_a_backup(tmp_path):
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    before = sqlite3.connect(path)
    old_rows = before.execute('SELECT id, doc_id, label, start, "end" FROM annotations ORDER BY id').fetchall()
    before.close()
    assert m011_kb_links in MIGRATION_STEPS
    with Project(path) as p:
        tables = {r[0] for r in p.conn.execute("SELECT name FROM sqlite_master")}
        assert {"kb_resources", "kb_entries", "kb_entries_fts", "kb_entries_vocab"} <= tables
        columns = {r[1] for r in p.conn.execute("PRAGMA table_info(annotations)")}
        assert "links" in columns
        anns = list(p.iter_all_annotations())
        assert sorted((a.id, a.doc_id, a.label, a.start, a.end) for a in anns) == old_rows
        assert all(a.links == [] for a in anns)
        assert p.kb_resources() == []
        applied = {r[0] for r in p.conn.execute("SELECT name FROM _sqlite_migrations")}
        assert m011_kb_links.__name__ in applied
    assert path.with_name("old.annotator.v1.bak").exists()


def test_an_old_project_file_reads_for_merging_without_the_links_column(tmp_path):
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    rows = read_project_file(path)  # not migrated: no links column
    assert rows.annotations and all(r.links == "[]" for r in rows.annotations)


def test_link_unlink_undo_redo(project):
    china = entity(project.doc, 0, 5, "GPE", "alice")
    apply(project, AddAnnotations(project.doc, "alice", [china]))
    link = LinkEntity(project.doc, "alice", china.id, "Wikidata", "Q148", "China")
    changes = apply(project, link)
    assert changes.updated == {china.id}
    stored = project.get_annotation(china.id)
    assert stored is not None and stored.links == [Link(resource="Wikidata", id="Q148", name="China")]
    second = LinkEntity(project.doc, "alice", china.id, "geonames", "1814991", "China")
    apply(project, second)
    assert [x.key for x in project.get_annotation(china.id).links] == [("Wikidata", "Q148"), ("geonames", "1814991")]
    with pytest.raises(CommandError, match="already"):
        apply(project, LinkEntity(project.doc, "alice", china.id, "Wikidata", "Q148", "China"))
    unlink = UnlinkEntity(project.doc, "alice", china.id, "Wikidata", "Q148")
    apply(project, unlink)
    assert [x.key for x in project.get_annotation(china.id).links] == [("geonames", "1814991")]
    revert(project, unlink)
    assert [x.key for x in project.get_annotation(china.id).links] == [("Wikidata", "Q148"), ("geonames", "1814991")]
    revert(project, second)
    revert(project, link)
    assert project.get_annotation(china.id).links == []
    apply(project, link)  # redo
    assert project.get_annotation(china.id).links[0].name == "China"
    with pytest.raises(CommandError, match="not linked"):
        apply(project, UnlinkEntity(project.doc, "alice", china.id, "Wikidata", "Q1"))


def test_links_survive_other_edits_and_only_entities_have_them(project):

    china = entity(project.doc, 0, 5, "GPE", "alice", links=[Link(resource="Wikidata", id="Q148", name="China")])
    trigger = event(project.doc, 6, 13, "LicenceGrant", "alice")
    apply(project, AddAnnotations(project.doc, "alice", [china, trigger]))
    apply(project, UpdateAnnotation(project.doc, "alice", china.id, label="ORG"))
    assert project.get_annotation(china.id).links[0].id == "Q148"
    with pytest.raises(CommandError, match="only entities"):
        apply(project, LinkEntity(project.doc, "alice", trigger.id, "Wikidata", "Q1", "x"))
    with pytest.raises(ValueError, match="only entities"):
        Annotation(doc_id="d", kind="event", start=0, end=1, label="Grant", annotator="a", links=[Link(resource="W", id="1")])
    with pytest.raises(ValueError, match="twice"):
        entity("d", 0, 1, "GPE", "a", links=[Link(resource="W", id="1"), Link(resource="W", id="1", name="x")])


def test_row_round_trip_keeps_links():
    ann = entity("d", 0, 5, "GPE", "a", links=[Link(resource="Wikidata", id="Q148", name="China")])
    row = annotation_row(ann)
    assert json.loads(row.links) == [{"resource": "Wikidata", "id": "Q148", "name": "China"}]
    assert row.link_list() == [{"resource": "Wikidata", "id": "Q148", "name": "China"}]
    assert row_to_annotation(row) == ann
    assert annotation_row(entity("d", 0, 5, "GPE", "a")).links == "[]"


def test_kb_tables_and_index(project):
    with project.transaction():
        project.kb_add_resource("geo", "/tmp/geo.csv", "alice")
        project.kb_insert_entries(
            "geo",
            [
                ("Q148", "China", json.dumps(["PRC", "People's Republic of China"]), "country in East Asia"),
                ("Q668", "India", "[]", "country in South Asia"),
                ("Q1", "Zürich", "[]", ""),
                ("Q865", "Taiwan", json.dumps(["Republic of China"]), ""),
            ],
        )
        project.kb_index_resource("geo")
        project.kb_refresh_terms()
        assert project.kb_set_entry_count("geo") == 4
    [res] = project.kb_resources()
    assert (res.name, res.file, res.actor, res.entries) == ("geo", "/tmp/geo.csv", "alice", 4)
    assert project.kb_entry("geo", "Q148").aliases == ["PRC", "People's Republic of China"]
    assert [e.id for e in project.kb_match('"republic"')] == ["Q148", "Q865"]
    assert [e.id for e in project.kb_match('"zurich"')] == ["Q1"]  # diacritics folded
    assert [e.id for e in project.kb_match('"ind"*', "geo")] == ["Q668"]
    assert project.kb_match('"ind"*', "other") == []
    assert ("china", 2) in project.kb_terms("ch", "ci")  # in the name of one entry, an alias of another
    assert ("china", 2) not in project.kb_terms("ci", "cj")
    assert project.kb_duplicate_ids("geo", ["Q1", "Q2"]) == {"Q1"}
    assert project.kb_index_ok()
    with project.transaction():
        assert project.kb_delete_resource("geo") == 4
        project.kb_refresh_terms()
    assert project.kb_resources() == [] and project.kb_match('"china"') == [] and project.kb_index_ok()
    assert project.kb_terms("", "\U0010ffff") == []
