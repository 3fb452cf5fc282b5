"""``annotator registry``: list, show, add, edit, delete, propose (issue 15)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotator.cli.group import main
from annotator.core.commands import apply
from annotator.core.coref_commands import NewCluster, UpdateCluster
from annotator.core.models import Document, entity
from annotator.core.store import Project

TEXT = "Randhir Jaiswal said on Thursday that Jaiswal's ministry agrees."


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "p.annotator"
    with Project(p, create=True) as project:
        doc = Document(text=TEXT, title="MEA briefing")
        a = entity(doc.id, 0, 15, "PERSON", "alice")
        b = entity(doc.id, TEXT.index("Jaiswal's"), TEXT.index("Jaiswal's") + 7, "PERSON", "alice")
        project.insert_documents([(doc, [a, b])])
        c = NewCluster(doc.id, "alice", [a.id, b.id], cluster_id="c1")
        apply(project, c)
    return p


def run(*args):
    return CliRunner().invoke(main, ["registry", *map(str, args)])


def test_add_list_show_edit_delete(path):
    r = run("add", path, "Randhir Jaiswal", "--type", "PERSON", "--alias", "MEA spokesperson", "--description", "spokesperson")
    assert r.exit_code == 0, r.output
    entry_id = r.output.strip()
    assert run("add", path, "randhir jaiswal", "--type", "PERSON").exit_code == 1  # there already
    with Project(path) as p:
        apply(p, UpdateCluster(p.document_ids()[0], "alice", "c1", entry_id=entry_id))
    listed = run("list", path)
    assert "Randhir Jaiswal" in listed.output and "MEA spokesperson" in listed.output
    row = json.loads(run("list", path, "--json").output)
    assert (row["documents"], row["clusters"], row["mentions"]) == (1, 1, 2)
    shown = run("show", path, "mea spokesperson")
    assert shown.exit_code == 0 and "MEA briefing" in shown.output and "(2 mentions)" in shown.output
    assert json.loads(run("show", path, entry_id, "--json").output)["in_documents"][0]["mentions"] == 2
    edited = run("edit", path, entry_id, "--alias", "Jaiswal", "--remove-alias", "MEA spokesperson")
    assert edited.exit_code == 0, edited.output
    with Project(path) as p:
        assert p.get_registry_entry(entry_id).aliases == ("Jaiswal",)
    proposed = run("propose", path, "c1")
    assert entry_id in proposed.output
    deleted = run("delete", path, "Jaiswal")
    assert deleted.exit_code == 0 and "1 cluster unlinked" in deleted.output
    with Project(path) as p:
        assert p.registry_entries() == [] and p.get_cluster("c1").entry_id is None
    assert "the registry is empty" in run("list", path).output


def test_clear_errors(path, tmp_path):
    assert "no registry entry" in run("show", path, "nobody").output
    r = run("edit", path, "nobody", "--name", "x")
    assert r.exit_code == 1 and "Traceback" not in r.output
    run("add", path, "China")
    r = run("edit", path, "China")
    assert r.exit_code == 1 and "nothing to change" in r.output
    r = run("edit", path, "China", "--remove-alias", "PRC")
    assert r.exit_code == 1 and "has no alias 'PRC'" in r.output
    assert "no cluster 'zz'" in run("propose", path, "zz").output
    assert "no such project file" in run("list", tmp_path / "none.annotator").output
    assert not (tmp_path / "none.annotator").exists()
