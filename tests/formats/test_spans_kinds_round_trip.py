"""A ``spans`` export of triggers and claims imports back as triggers (with their
arguments) and claims (with claimant and attributes)."""

from __future__ import annotations

from annotator.core.store import Project
from annotator.services.exporting import ExportOptions, export
from annotator.services.importing import import_paths
from tests.formats.export_fixtures import seed_article_project


def _spans(project: Project) -> set[tuple]:
    """Every span with its kind, label, attributes, arguments and claimant, by position."""
    out = set()
    for doc_id in project.document_ids():
        anns = project.annotations(doc_id)
        where = {a.id: (a.start, a.end, a.label) for a in anns}
        for a in anns:
            if a.kind != "relation":
                args = tuple(sorted((x.role, where[x.target]) for x in a.arguments))
                claimant = where.get(a.claimant_ref) if a.claimant_ref else None
                out.add((a.kind, a.label, a.start, a.end, repr(sorted(a.attributes.items())), args, claimant))
    return out


def test_event_and_claim_spans_keep_their_kind_and_attributes(tmp_path):
    source, _doc = seed_article_project(tmp_path / "source.annotator")
    out = tmp_path / "spans.jsonl"
    export(source, ExportOptions(format="spans", out=out, kinds=("entity", "event", "claim")))
    target = Project(tmp_path / "target.annotator", create=True)
    report = import_paths(target, [out], fmt="spans")
    assert report.ok, report.summary()
    expected = _spans(source)
    assert {k for k, *_ in expected} == {"entity", "event", "claim"}
    assert any(args for *_, args, _claimant in expected)
    assert any(claimant for *_, claimant in expected)
    assert _spans(target) == expected
