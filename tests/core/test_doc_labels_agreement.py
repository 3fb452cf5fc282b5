"""Agreement on document labels (issue 14), values computed by hand below:
Cohen's kappa and Krippendorff's alpha for a single-choice category, per-label
binary kappa and alpha (and the pooled alpha) for a multi-choice one; the
`annotator agreement` output and its --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.core.agreement import agreement
from annotator.core.commands import AddAnnotations, SetDocLabel, apply
from annotator.core.models import Document, entity
from annotator.core.store import Project


@pytest.fixture
def project(tmp_path: Path):
    with Project(tmp_path / "p.annotator", create=True) as p:
        docs = [Document(text=f"Document number {i}.") for i in range(4)]
        p.insert_documents([(d, []) for d in docs])
        ids = [d.id for d in docs]

        def genre(i: int, who: str, value: str) -> None:
            apply(p, SetDocLabel(ids[i], who, "genre", value, "set"))

        def topic(i: int, who: str, *values: str) -> None:
            for v in values:
                apply(p, SetDocLabel(ids[i], who, "topic", v, "set"))

        # genre (one of): D1 r r r; D2 r o -; D3 o o o; D4 an - an
        for who in "abc":
            genre(0, who, "report")
            genre(2, who, "opinion")
        genre(1, "a", "report")
        genre(1, "b", "opinion")
        genre(3, "a", "analysis")
        genre(3, "c", "analysis")
        # topic (any of), a and b only: D1 {trade, economy} / {trade}; D2 {security} / {security}; D3 {trade} / -
        topic(0, "a", "trade", "economy")
        topic(0, "b", "trade")
        topic(1, "a", "security")
        topic(1, "b", "security")
        topic(2, "a", "trade")
        # spans too (the rest of the report), so every annotator has annotated something
        for who in "abc":
            apply(p, AddAnnotations(ids[0], who, [entity(ids[0], 0, 8, "MISC", who)]))
        yield p


def pair(rows: list[dict], a: str, b: str) -> dict:
    return next(r for r in rows if (r["a"], r["b"]) == (a, b))


def test_single_choice_kappa_and_alpha_by_hand(project: Project) -> None:
    genre = agreement(project, ["a", "b", "c"])["doc_labels"]["genre"]
    assert genre["multi"] is False and genre["documents"] == 4 and genre["judged"] == {"a": 4, "b": 3, "c": 3}
    ab = pair(genre["pairs"], "a", "b")
    # a/b on D1-D3: (r,r) (r,o) (o,o): p_o = 2/3, p_e = (2*1 + 1*2)/9 = 4/9, kappa = (2/9)/(5/9)
    assert ab["documents"] == 3 and ab["percent"] == pytest.approx(2 / 3) and ab["kappa"] == pytest.approx(0.4)
    ac = pair(genre["pairs"], "a", "c")  # D1, D3, D4 all equal: p_o = 1, p_e = 1/3
    assert (ac["documents"], ac["percent"], ac["kappa"]) == (3, 1.0, pytest.approx(1.0))
    bc = pair(genre["pairs"], "b", "c")
    assert (bc["documents"], bc["kappa"]) == (2, pytest.approx(1.0))
    # alpha: o(r,r)=3, o(r,o)=o(o,r)=1, o(o,o)=3, o(an,an)=2; n_r=4 n_o=4 n_an=2, n=10
    # alpha = 1 - (n-1) * 2 / (100 - 16 - 16 - 4) = 1 - 18/64
    assert genre["alpha"] == pytest.approx(1 - 18 / 64)


def test_multi_choice_per_label_binary_by_hand(project: Project) -> None:
    topic = agreement(project, ["a", "b"])["doc_labels"]["topic"]
    assert topic["multi"] is True and topic["documents"] == 3 and topic["judged"] == {"a": 3, "b": 2}
    (ab,) = topic["pairs"]
    assert ab["documents"] == 2 and ab["exact_set_agreement"] == 0.5  # D1 differs, D2 the same
    per = topic["per_label"]
    assert per["trade"]["pairs"][0]["kappa"] == pytest.approx(1.0)  # (T,T) (F,F): p_o 1, p_e 1/2
    assert per["economy"]["pairs"][0]["kappa"] == pytest.approx(0.0)  # (T,F) (F,F): p_o 1/2, p_e 1/2
    assert per["politics"]["pairs"][0]["kappa"] is None  # never chosen: undefined
    # economy: units {T,F} {F,F} ({F} of D3 unpairable): n_T=1 n_F=3, n=4: 1 - 3*2/(16-1-9) = 0
    assert per["economy"]["alpha"] == pytest.approx(0.0)
    assert per["trade"]["alpha"] == pytest.approx(1.0)
    # pooled over the 12 pairable (document, label) units: o(T,T)=4, o(T,F)=o(F,T)=1, o(F,F)=18
    # n_T=5 n_F=19 n=24: 1 - 23*2/(576 - 25 - 361)
    assert topic["alpha"] == pytest.approx(1 - 46 / 190)


def test_cli_text_and_json(project: Project) -> None:
    path = str(project.path)
    result = CliRunner().invoke(main, ["agreement", path, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["doc_labels"]["genre"]["alpha"] == pytest.approx(1 - 18 / 64)
    text = CliRunner().invoke(main, ["agreement", path, "--annotators", "a,b"])
    assert text.exit_code == 0, text.output
    assert "Document labels" in text.output
    assert "genre (one of): 4 documents, Krippendorff's alpha" in text.output
    assert "a vs b: 3 documents, agreement 0.667, kappa 0.400" in text.output
    assert "economy: alpha 0.000  a/b κ 0.000" in text.output


def test_annotators_with_document_labels_only_count(tmp_path: Path) -> None:
    with Project(tmp_path / "q.annotator", create=True) as p:
        d = Document(text="One document.")
        p.insert_documents([(d, [])])
        apply(p, SetDocLabel(d.id, "x", "genre", "report", "set"))
        apply(p, SetDocLabel(d.id, "y", "genre", "opinion", "set"))
        genre = agreement(p)["doc_labels"]["genre"]
        # one pair (report, opinion): p_o = 0, p_e = 0: kappa 0
        assert genre["pairs"][0]["percent"] == 0.0 and genre["pairs"][0]["kappa"] == 0.0
        assert genre["pairs"][0]["documents"] == 1
