"""``annotator train``: trains, prints the per-label table, clear messages (issue 17)."""

from __future__ import annotations

import builtins

import pytest
from click.testing import CliRunner

pytest.importorskip("spacy")

from annotator.cli import main  # noqa: E402
from annotator.core.kinds import DocStatus  # noqa: E402
from annotator.services.suggest.train import read_model_info  # noqa: E402
from tests.suggest_fixtures import make_training_project  # noqa: E402


def run(*args: str):
    return CliRunner().invoke(main, ["train", *args])


def test_train_prints_the_table_and_saves_the_model(tmp_path):
    path = tmp_path / "news.annotator"
    make_training_project(path, n_docs=12).close()
    before = path.read_bytes()
    result = run(str(path), "--iterations", "3", "--held-out", "0.25", "--seed", "2")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Trained on 9 documents (alice's layer), held out 3; saved to {tmp_path / 'news.model'}" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split() == ["label", "precision", "recall", "F1", "spans"])
    assert [line.split()[0] for line in lines[header + 1 : header + 5]] == ["GPE", "ORG", "PERSON", "(all)"]
    info = read_model_info(tmp_path / "news.model")
    assert info is not None and info["options"]["seed"] == 2 and info["options"]["iterations"] == 3
    person = info["metrics"]["per_label"]["PERSON"]
    row = next(line.split() for line in lines if line.startswith("PERSON"))
    assert row[1:] == [f"{person['p']:.3f}", f"{person['r']:.3f}", f"{person['f']:.3f}", str(person["support"])]
    assert f"annotator suggest {path} --using {tmp_path / 'news.model'}" in out
    assert path.read_bytes() == before  # only read


def test_out_gold_and_epochs(tmp_path):
    path = tmp_path / "p.annotator"
    make_training_project(path, n_docs=3, annotator="@gold", status=DocStatus.REVIEWED).close()
    result = run(str(path), "--gold", "--epochs", "1", "--out", str(tmp_path / "m"), "--held-out", "0")
    assert result.exit_code == 0, result.output
    assert "gold layer" in result.output and "No held-out documents" in result.output
    assert read_model_info(tmp_path / "m")["layer"] == "@gold"


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("new", [], "no finished (done, in review or reviewed) documents to train on in alice's layer"),
        ("done", ["--annotator", "zed"], "no annotator named 'zed'"),
        ("done", ["--gold"], "no gold layer yet"),
        ("done", ["--annotator", "alice", "--gold"], "choose one layer"),
        ("done", ["--held-out", "1"], "--held-out"),
        ("done", ["--lang", "zz"], "spaCy has no language 'zz'"),
        ("none", [], "no annotations to train on"),
    ],
)
def test_clear_messages(tmp_path, setup, args, message):
    path = tmp_path / "p.annotator"
    if setup == "none":
        make_training_project(path, n_docs=0).close()
    else:
        make_training_project(path, n_docs=2, status=DocStatus.NEW if setup == "new" else DocStatus.DONE).close()
    result = run(str(path), "--iterations", "1", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "p.model").exists()


def test_missing_project(tmp_path):
    result = run(str(tmp_path / "nope.annotator"))
    assert result.exit_code == 1 and "no such project file" in result.output


def test_without_spacy(tmp_path, monkeypatch):
    path = tmp_path / "p.annotator"
    make_training_project(path, n_docs=2).close()
    real_import = builtins.__import__

    def no_spacy(name, *a, **kw):
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError("No module named 'spacy'")
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_spacy)
    result = run(str(path))
    assert result.exit_code == 1
    assert "pip install 'annotator[suggest]'" in result.output and "Traceback" not in result.output


def test_refuses_to_replace_a_folder_that_is_not_a_model(tmp_path):
    path = tmp_path / "p.annotator"
    make_training_project(path, n_docs=2).close()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("mine")
    result = run(str(path), "--out", str(tmp_path / "docs"), "--iterations", "1")
    assert result.exit_code == 1 and "not a model made by annotator train" in result.output
    assert (tmp_path / "docs" / "a.txt").read_text() == "mine"
