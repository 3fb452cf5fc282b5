"""Discontinuous spans (issue 14) in the use cases that read span text: search
finds them by their joined text, annotate all refuses them clearly, the
consistency check reads them."""

from __future__ import annotations

import pytest

from annotator.core.models import Document, claim, entity
from annotator.core.store import Project
from annotator.services.check import check_project
from annotator.services.propagate import PropagationError, search_for
from annotator.services.search import AnnotationQuery, search_annotations

TEXT = "The economy, he said, is collapsing. The economy is growing, she said."


def at(piece: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(piece, i + 1)
    return i, i + len(piece)


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "s.annotator", create=True)
    doc = Document(text=TEXT)
    c = claim(doc.id, None, None, "ann", fragments=[at("The economy"), at("is collapsing")], id="c1")
    # "The" of the first sentence with "economy" of the second: "The economy", far apart
    e = entity(doc.id, None, None, "MISC", "ann", fragments=[at("The"), at("economy", 1)], id="e1")
    p.insert_documents([(doc, [c, e, entity(doc.id, *at("economy"), "MISC", "ann", id="e2")])])
    yield p
    p.close()


def test_search_finds_the_joined_text(project):
    hits = list(search_annotations(project, AnnotationQuery(contains="economy is collapsing")))
    assert [(h.ann_id, h.text) for h in hits] == [("c1", "The economy is collapsing")]


def test_annotate_all_refuses_a_discontinuous_span(project):
    with pytest.raises(PropagationError, match="in 2 pieces"):
        search_for(project, project.get_annotation("c1"))


def test_consistency_check_reads_discontinuous_spans(project):
    report = check_project(project, "ann")
    # the discontinuous MISC reads "The economy" (its pieces joined), not the forty characters of its hull
    [issue] = [i for i in report.issues if i.kind == "boundaries"]
    assert issue.counts == {"The economy": 1, "economy": 1}
    assert {p.annotation_id: p.text for p in issue.places} == {"e1": "The economy", "e2": "economy"}
