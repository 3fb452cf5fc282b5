"""PropagateAnnotations: many documents, one transaction, one undo (issue 16)."""

import sqlite3

import pytest

from annotator.core.commands import CommandError, PropagateAnnotations, apply, revert
from annotator.core.kinds import DocStatus, Source
from annotator.core.models import Document, entity, relation
from annotator.core.store import ConflictError, Project

TEXTS = ["China and India.", "India, then China.", "Only India."]


@pytest.fixture
def project(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        docs = [Document(text=t) for t in TEXTS]
        p.insert_documents([(d, []) for d in docs])
        p.ids = [d.id for d in docs]
        yield p


def chinas(p):
    return [
        entity(d, t.index("China"), t.index("China") + 5, "GPE", "alice", source=Source.PROPAGATED)
        for d, t in zip(p.ids, TEXTS)
        if "China" in t
    ]


def everything(p):
    anns = sorted(a.model_dump_json() for d in p.ids for a in p.annotations(d))
    return anns, [p.document_status(d) for d in p.ids], p.propagated_from([a.id for d in p.ids for a in p.annotations(d)])


def test_do_undo_redo_restore_exactly(project):
    a, b, c = project.ids
    before = everything(project)
    anns = chinas(project)
    command = PropagateAnnotations(a, "alice", anns, "text:China")
    changes = apply(project, command)
    assert changes.doc_id == a and changes.added == {anns[0].id} and changes.status == DocStatus.IN_PROGRESS
    assert command.other_documents == {b}
    assert [x for d in project.ids for x in project.annotations(d)] == anns
    assert project.propagated_from([x.id for x in anns]) == {x.id: "text:China" for x in anns}
    assert [project.document_status(d) for d in project.ids] == [DocStatus.IN_PROGRESS] * 2 + [DocStatus.NEW]
    done = everything(project)
    undone = revert(project, command)
    assert undone.removed == {anns[0].id} and undone.status == DocStatus.NEW
    assert everything(project) == before
    apply(project, command)
    assert everything(project) == done
    actions = [h["action"] for h in project.history()]
    assert actions.count("do:PropagateAnnotations") == 2 and actions.count("undo:PropagateAnnotations") == 1


def test_refusals_write_nothing(project):
    a = project.ids[0]
    before = everything(project)
    with pytest.raises(CommandError, match="nothing to add"):
        PropagateAnnotations(a, "alice", [], "text:x")
    other = [entity("no-such-doc", 0, 3, "GPE", "alice")]
    with pytest.raises(CommandError, match="not in this project"):
        apply(project, PropagateAnnotations(a, "alice", other, "text:x"))
    one = chinas(project)[0]
    with pytest.raises(CommandError, match="twice"):
        apply(project, PropagateAnnotations(a, "alice", [one, one], "text:x"))
    with pytest.raises(CommandError, match="not relations"):
        apply(project, PropagateAnnotations(a, "alice", [relation(a, "x", "y", "REL", "alice")], "text:x"))
    assert everything(project) == before


def test_redo_refuses_when_the_rows_came_back_another_way(project):
    a = project.ids[0]
    anns = chinas(project)
    command = PropagateAnnotations(a, "alice", anns, "text:China")
    apply(project, command)
    revert(project, command)
    apply(project, PropagateAnnotations(a, "alice", anns[:1], "text:China"))  # same ids, elsewhere
    with pytest.raises(ConflictError, match="exist already"):
        apply(project, command)


def test_migration_adds_its_tables_to_an_older_project(tmp_path):
    path = tmp_path / "p.annotator"
    with Project(path, create=True):
        pass
    conn = sqlite3.connect(path)  # as a project of the format before m005 was
    conn.execute("DROP TABLE never_here")
    conn.execute("DROP TABLE propagated_from")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_never_here'")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Project(path) as p:
        assert p.never_here() == set() and p.propagated_from(["x"]) == {}
    assert path.with_name(path.name + ".v3.bak").exists()
