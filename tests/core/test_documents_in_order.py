"""Migration m017_documents_in_order: the document list's read of every id in
import order walks a small index, not the table with its texts (benchmark case 6)."""

from __future__ import annotations

import shutil
from pathlib import Path

from annotator.core.migrations import MIGRATION_STEPS, m017_documents_in_order
from annotator.core.models import Document
from annotator.core.store import Project

FIXTURE = Path(__file__).parent.parent / "reliability" / "fixtures" / "v1.annotator"
IDS_IN_ORDER = "SELECT id FROM documents ORDER BY seq"


def test_migration_from_v1_adds_the_index_keeps_the_documents_and_backs_up(tmp_path):
    path = tmp_path / "old.annotator"
    shutil.copy(FIXTURE, path)
    with Project(path) as p:
        assert m017_documents_in_order in MIGRATION_STEPS
        assert "documents_in_order" in {i.name for i in p.db["documents"].indexes}
        ids = p.document_ids()
        assert ids and ids == [r[0] for r in p.db.execute("SELECT id FROM documents NOT INDEXED ORDER BY seq")]
    assert path.with_name("old.annotator.v1.bak").exists()


def test_ids_in_import_order_are_read_from_the_index(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        docs = [Document(id=f"d{i}", text=f"Article {i}. " + "word " * 400) for i in (5, 1, 9, 3)]
        p.insert_documents([(d, []) for d in docs])
        plan = " ".join(str(row[-1]) for row in p.db.execute("EXPLAIN QUERY PLAN " + IDS_IN_ORDER))
        assert "COVERING INDEX documents_in_order" in plan, plan
        assert p.document_ids() == ["d5", "d1", "d9", "d3"]  # import order, not id order
        p.delete_documents(["d1"])
        p.insert_documents([(Document(id="d0", text="Another one."), [])])
        assert p.document_ids() == ["d5", "d9", "d3", "d0"]
