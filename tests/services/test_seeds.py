"""The bundled demo article: its leading dateline is metadata, its title is the headline."""

from __future__ import annotations

from importlib import resources

import pytest

from annotator.core.store import Project
from annotator.core.text import canonicalize, decode_bytes
from annotator.services.importing import import_paths, import_seeds
from annotator.services.project import ensure_default_project

HEADLINE = "China has granted licences to an unspecified number of Indian firms to import rare earth magnets"


def seed_text() -> str:
    [entry] = [e for e in resources.files("annotator.seeds").iterdir() if e.name.endswith(".txt")]
    return canonicalize(decode_bytes(entry.read_bytes(), name=entry.name))[0]


def test_the_demo_article_title_is_its_headline_and_its_date_is_metadata(tmp_path):
    with Project(tmp_path / "p.annotator", create=True) as project:
        assert import_seeds(project).documents == 1
        [doc] = project.iter_documents()
    assert doc.title.startswith(HEADLINE), doc.title
    assert "date" not in doc.title and "NEW DELHI" not in doc.title
    assert len(doc.title) <= 120 and doc.title.endswith("…")
    assert doc.metadata["date"] == "2025-10-30" and doc.metadata["dateline"] == "NEW DELHI"
    assert doc.text == seed_text()  # the stored text is the file's, dateline included


def test_a_default_project_made_before_gets_the_demo_title_repaired_once(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    seed = tmp_path / "seed.txt"
    seed.write_text(seed_text(), encoding="utf-8")
    with Project(tmp_path / "home" / "default.annotator", create=True) as old:
        import_paths(old, [seed])  # as the demo article was imported before: its first line is the title
        [before] = old.iter_documents()
    assert before.title.startswith("date 2025-10-30 NEW DELHI: China")
    with ensure_default_project() as project:
        [after] = project.iter_documents()
        history = project.history(before.id)
    assert after.title.startswith(HEADLINE) and after.metadata["date"] == "2025-10-30"
    assert (after.id, after.text, after.sha256, after.status) == (before.id, before.text, before.sha256, before.status)
    assert [h["action"] for h in history].count("retitle") == 1
    with ensure_default_project() as project:  # nothing more to do
        assert [h["action"] for h in project.history(before.id)].count("retitle") == 1


@pytest.mark.parametrize(
    "text, title, metadata",
    [
        (
            " date 2025-10-30 NEW DELHI: China met India. More.",
            "China met India.",
            {"date": "2025-10-30", "dateline": "NEW DELHI"},
        ),
        ("date 2024-01-02 Talks resumed today. Then more.", "Talks resumed today.", {"date": "2024-01-02"}),
        ("WASHINGTON (Reuters) - Talks resumed. Later.", "Talks resumed.", {"dateline": "WASHINGTON"}),
        ("GENEVA — Talks resumed. Later.", "Talks resumed.", {"dateline": "GENEVA"}),
        ("Talks resumed in Geneva. Later.", "Talks resumed in Geneva.", {}),
        ("\n\nHeadline without a full stop\nBody.", "Headline without a full stop", {}),
        ("NOTE: all capitals then no text:", "NOTE: all capitals then no text:", {}),
    ],
)
def test_headline_fields(text, title, metadata):
    from annotator.services.seeds import headline_fields

    assert headline_fields(text) == (title, metadata)
