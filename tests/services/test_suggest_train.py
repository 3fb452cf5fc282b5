"""Training a spaCy NER model on the project (issue 17): data, split, metrics, saving, processes."""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import pytest

pytest.importorskip("spacy")

from annotator.core.kinds import GOLD, DocStatus  # noqa: E402
from annotator.core.models import Document, entity  # noqa: E402
from annotator.services.suggest.spacy_model import MODEL_INFO_FILE, load_spacy_suggester  # noqa: E402
from annotator.services.suggest.train import (  # noqa: E402
    LabelScore,
    TrainingCancelled,
    TrainingError,
    TrainingJob,
    TrainOptions,
    choose_layer,
    documents_since_training,
    needs_retraining,
    read_model_info,
    score_spans,
    split_documents,
    train_model,
)
from tests.suggest_fixtures import make_training_project, synthetic_text  # noqa: E402


def test_score_spans_by_hand():
    gold = [[(0, 3, "PER"), (10, 15, "ORG")], [(0, 4, "PER")]]
    pred = [[(0, 3, "PER"), (10, 14, "ORG"), (20, 25, "PER")], [(0, 4, "PER")]]
    per, overall = score_spans(gold, pred)
    # PER: tp 2 (doc 1 and 2), fp 1 (20-25); ORG: tp 0, fp 1 (10-14), fn 1 (10-15)
    assert (per["PER"].tp, per["PER"].fp, per["PER"].fn) == (2, 1, 0)
    assert per["PER"].precision == pytest.approx(2 / 3)
    assert per["PER"].recall == 1.0
    assert per["PER"].f1 == pytest.approx(0.8)  # 2 * (2/3) * 1 / (2/3 + 1)
    assert (per["ORG"].tp, per["ORG"].fp, per["ORG"].fn) == (0, 1, 1)
    assert per["ORG"].f1 == 0.0
    assert (overall.tp, overall.fp, overall.fn) == (2, 2, 1)
    assert overall.precision == 0.5 and overall.recall == pytest.approx(2 / 3)
    assert LabelScore("X").precision == 0.0  # nothing predicted: 0, never a division by zero


def test_split_is_deterministic_and_stable():
    ids = [f"d{i}" for i in range(20)]
    train, held = split_documents(ids, 0.2, seed=3)
    assert len(held) == 4 and sorted(train + held) == sorted(ids)
    assert split_documents(list(reversed(ids)), 0.2, seed=3)[1] == sorted(held, key=lambda d: ids[::-1].index(d))
    assert split_documents(ids, 0.2, seed=4)[1] != held
    # more documents later: the old ones never move from held-out to training at this share
    _, held_more = split_documents(ids + [f"d{i}" for i in range(20, 40)], 0.2, seed=3)
    assert set(held) <= set(held_more)
    assert split_documents(["a"], 0.5, 0) == (["a"], [])
    assert split_documents(["a", "b"], 0.9, 0)[1] != ["a", "b"]
    assert split_documents(ids, 0.0, 0) == (ids, [])


def test_trained_model_suggests_in_a_new_document(tmp_path):
    project = make_training_project(tmp_path / "p.annotator", n_docs=24)
    steps = []
    result = train_model(
        project,
        tmp_path / "model",
        TrainOptions(layer="alice", iterations=10, held_out=0.25),
        progress=lambda done, total, msg: steps.append((done, total, msg)),
    )
    assert steps[-1][0] == steps[-1][1] and len(steps) > 8
    assert all(a[0] <= b[0] for a, b in zip(steps, steps[1:]))
    info = read_model_info(tmp_path / "model")
    assert info is not None and info == json.loads((tmp_path / "model" / MODEL_INFO_FILE).read_text("utf-8"))
    assert info["layer"] == "alice" and info["lang"] == "en" and info["labels"] == ["GPE", "ORG", "PERSON"]
    assert len(info["documents"]["held_out"]) == 6 and len(info["documents"]["train"]) == 18
    assert set(result.per_label) == {"GPE", "ORG", "PERSON"}
    assert result.overall is not None and result.overall["f"] > 0.7  # templated text: learnt well
    assert result.table()[0] == ["label", "precision", "recall", "F1", "spans"]
    # the table's support is the held-out documents' spans of the label
    project_spans = sum(1 for d in info["documents"]["held_out"] for a in project.annotations(d, "alice") if a.label == "PERSON")
    assert result.per_label["PERSON"]["support"] == project_spans

    new_text, spans = synthetic_text(random.Random(99), sentences=3)
    new_text = "😀 " + new_text  # offsets stay code points after an astral character
    spans = [(s + 2, e + 2, label) for s, e, label in spans]
    sugg = load_spacy_suggester(str(tmp_path / "model"), None, project.schema)
    got = {(s.start, s.end, s.label) for s in sugg.suggest(Document(id="new", text=new_text))}
    assert len(got & set(spans)) >= len(spans) - 1
    assert sugg.name == "model:model"
    # scores: the held-out precision of each label
    for s in sugg.suggest(Document(id="new", text=new_text)):
        assert s.score == pytest.approx(result.per_label[s.label]["p"], abs=1e-3)
    project.close()


def test_training_reads_only_finished_documents_of_the_layer(tmp_path):
    project = make_training_project(tmp_path / "p.annotator", n_docs=6, status=DocStatus.IN_PROGRESS)
    with pytest.raises(
        TrainingError, match=r"no finished \(done, in review or reviewed\) documents to train on in alice's layer"
    ):
        train_model(project, tmp_path / "m", TrainOptions(layer="alice", iterations=1))
    # "annotated": every document with an entity of the layer
    result = train_model(project, tmp_path / "m", TrainOptions(layer="alice", iterations=1, documents="annotated", held_out=0))
    assert len(result.info["documents"]["train"]) == 6 and result.per_label == {}
    assert any("No held-out documents" in line for line in result.lines())
    with pytest.raises(TrainingError, match="no finished"):
        train_model(project, tmp_path / "m2", TrainOptions(layer="bob", iterations=1))
    project.close()


def test_misaligned_and_overlapping_spans_are_counted_not_taught(tmp_path):
    project = make_training_project(tmp_path / "p.annotator", n_docs=0)
    text = "AcmeCorp Anna Berg met Bob."
    doc = Document(id="x", text=text, status=DocStatus.DONE)
    anns = [
        entity("x", 0, 4, "ORG", "alice"),  # "Acme" inside the token "AcmeCorp"
        entity("x", 9, 18, "PERSON", "alice"),
        entity("x", 9, 13, "PERSON", "alice"),  # inside the longer one
    ]
    project.insert_documents([(doc, anns)])
    result = train_model(project, tmp_path / "m", TrainOptions(layer="alice", iterations=1, held_out=0))
    assert result.info["spans"] == {"total": 3, "misaligned": 1, "overlapping": 1}
    assert any("1 span(s) not on spaCy token boundaries, 1 overlapping" in line for line in result.lines())
    project.close()


def test_cancel_leaves_the_previous_model(tmp_path):
    project = make_training_project(tmp_path / "p.annotator", n_docs=10)
    first = train_model(project, tmp_path / "m", TrainOptions(layer="alice", iterations=1))
    stamp = first.info["finished"]
    cancel = threading.Event()

    def progress(done, total, msg):
        if done >= 2:
            cancel.set()

    with pytest.raises(TrainingCancelled):
        train_model(project, tmp_path / "m", TrainOptions(layer="alice", iterations=5), progress=progress, cancel=cancel)
    assert read_model_info(tmp_path / "m")["finished"] == stamp
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("p.annotator")) == ["m"]
    project.close()


def test_out_that_is_not_a_model_is_never_replaced(tmp_path):
    project = make_training_project(tmp_path / "p.annotator", n_docs=4)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(TrainingError, match="not a model made by annotator train"):
        train_model(project, tmp_path / "mine", TrainOptions(layer="alice", iterations=1))
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    with pytest.raises(TrainingError, match="held-out share"):
        train_model(project, tmp_path / "m", TrainOptions(layer="alice", held_out=1.0))
    project.close()


def test_choose_layer(tmp_path):
    project = make_training_project(tmp_path / "p.annotator", n_docs=2)
    assert choose_layer(project, None, False) == "alice"
    with pytest.raises(TrainingError, match="no gold layer"):
        choose_layer(project, None, True)
    with pytest.raises(TrainingError, match="no annotator named 'zed'.*alice"):
        choose_layer(project, "zed", False)
    doc = Document(id="g", text="Anna Berg", status=DocStatus.REVIEWED)
    project.insert_documents([(doc, [entity("g", 0, 9, "PERSON", GOLD), entity("g", 0, 9, "PERSON", "bob")])])
    assert choose_layer(project, None, True) == GOLD
    with pytest.raises(TrainingError, match=r"several annotators.*alice, bob"):
        choose_layer(project, None, False)
    project.close()


def test_needs_retraining_after_n_more_done_documents(tmp_path):
    project = make_training_project(tmp_path / "p.annotator", n_docs=6)
    assert needs_retraining(project, tmp_path / "m", 3)  # no model yet
    assert documents_since_training(project, tmp_path / "m") is None
    train_model(project, tmp_path / "m", TrainOptions(layer="alice", iterations=1))
    assert documents_since_training(project, tmp_path / "m") == 0
    assert not needs_retraining(project, tmp_path / "m", 2)
    rng = random.Random(5)
    for i in range(2):
        text, spans = synthetic_text(rng)
        status = DocStatus.DONE if i == 0 else DocStatus.IN_PROGRESS
        doc = Document(id=f"more{i}", text=text, status=status)
        project.insert_documents([(doc, [entity(doc.id, s, e, lab, "alice") for s, e, lab in spans])])
    assert documents_since_training(project, tmp_path / "m") == 1
    assert not needs_retraining(project, tmp_path / "m", 2)
    with project.transaction():
        project.set_status("more1", DocStatus.DONE)
    assert needs_retraining(project, tmp_path / "m", 2)
    project.close()


def test_training_job_in_a_separate_process(tmp_path):
    project = make_training_project(tmp_path / "p.annotator", n_docs=8)
    project.close()
    job = TrainingJob(tmp_path / "p.annotator", tmp_path / "m", TrainOptions(layer="alice", iterations=3))
    messages = job.wait(timeout=120)
    assert job.finished
    assert messages[-1][0] == "done", messages[-1]
    assert any(m[0] == "progress" for m in messages)
    assert messages[-1][1] == str(tmp_path / "m") and messages[-1][2]["layer"] == "alice"
    assert read_model_info(tmp_path / "m") is not None


def test_training_job_cancel_and_errors(tmp_path):
    project = make_training_project(tmp_path / "p.annotator", n_docs=30)
    project.close()
    job = TrainingJob(tmp_path / "p.annotator", tmp_path / "m", TrainOptions(layer="alice", iterations=200))
    seen = []
    while not job.finished:
        seen += job.poll()
        if any(m[0] == "progress" and m[1] > 0 for m in seen):
            job.cancel()
    assert seen[-1] == ("cancelled",)
    assert not (tmp_path / "m").exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("p.annotator")] == []
    bad = TrainingJob(tmp_path / "p.annotator", tmp_path / "m", TrainOptions(layer="nobody", iterations=1))
    assert bad.wait(timeout=120)[-1][0] == "error"
    assert not Path(tmp_path / "m").exists()
