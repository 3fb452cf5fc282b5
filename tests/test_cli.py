"""The command line, through click's CliRunner (and once as ``python -m annotator``)."""

import json
import subprocess
import sys
import types
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from annotator.cli import main
from annotator.cli import project as cli
from annotator.core.schema import loads_schema
from annotator.core.store import Project

DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def project(tmp_path, runner):
    path = tmp_path / "p.annotator"
    result = runner.invoke(main, ["import", "--create", str(path), str(DATA / "batch.jsonl"), str(DATA / "prodigy.jsonl")])
    assert result.exit_code == 0, result.output
    return path


def files_of(path: Path) -> dict[str, bytes]:
    """The project file and any SQLite side files, byte for byte."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


# -- help ------------------------------------------------------------------------
def all_commands(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # commands are loaded lazily: ask the group
        cmd = group.get_command(ctx, name)
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, (*prefix, name))


def test_every_command_has_help(runner):
    commands = list(all_commands(main))
    assert {"import", "open", "stats", "schema"} <= {path[0] for path, _ in commands}
    assert main.help and main.help.strip()
    for path, cmd in commands:
        assert cmd.help and cmd.help.strip(), f"{' '.join(path)} has no help text"
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help and param.help.strip(), f"{' '.join(path)} {param.opts[0]} has no help text"
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_top_level_help_and_version(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("import", "open", "stats", "schema"):
        assert name in result.output
    assert runner.invoke(main, ["--version"]).output.startswith("annotator, version ")


def test_python_dash_m(tmp_path):
    result = subprocess.run([sys.executable, "-m", "annotator", "stats", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--json" in result.stdout


# -- import ----------------------------------------------------------------------
def test_import_summary(runner, tmp_path):
    path = tmp_path / "new.annotator"
    result = runner.invoke(main, ["import", "--create", str(path), str(DATA)])
    assert result.exit_code == 1  # tests/data/bad is inside
    *per_file, summary = result.stdout.strip().splitlines()
    assert summary == (
        "imported 9 documents (13 annotations) from 6 files; skipped 0 duplicates; refused 10 files; "
        "ignored 1 file of unknown type"
    )
    # One line per file read: its format and what came of it.
    assert all(line.startswith(str(DATA)) for line in per_file)
    assert sum(": refused (" in line for line in per_file) == 10
    assert sum(": imported " in line for line in per_file) == len(per_file) - 10
    assert any(line.endswith("imported 3 documents (3 annotations)") or "(jsonl): imported" in line for line in per_file)
    assert result.stderr.count("refused: ") == 10
    assert "Traceback" not in result.output
    result = runner.invoke(main, ["import", str(path), str(DATA / "batch.jsonl")])
    assert result.exit_code == 0
    assert "skipped 3 duplicates" in result.stdout
    assert result.stderr.count("duplicate: ") == 3


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.iterdir()))
def test_bad_file_exit_status_message_and_untouched_project(runner, project, name):
    before = files_of(project)
    result = runner.invoke(main, ["import", str(project), str(BAD / name)])
    assert result.exit_code == 1
    assert f"refused: {BAD / name}" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "refused 1 file" in result.stdout
    assert files_of(project) == before  # byte for byte


def test_import_options(runner, project, tmp_path):
    result = runner.invoke(main, ["import", str(project), str(BAD / "latin1.txt"), "--encoding", "latin-1"])
    assert result.exit_code == 0 and "imported 1 document" in result.stdout
    result = runner.invoke(main, ["import", str(project), str(BAD / "broken-line.jsonl"), "--partial"])
    assert result.exit_code == 1
    assert f"left out: {BAD / 'broken-line.jsonl'}:2: not valid JSON" in result.stderr
    assert "imported 2 documents" in result.stdout
    result = runner.invoke(main, ["import", str(project), str(BAD / "unknown-label.jsonl"), "--add-labels", "--annotator", "zoe"])
    assert result.exit_code == 0
    assert "added to the schema: entity NOT_IN_SCHEMA" in result.stderr
    with Project(project) as p:
        assert "zoe" in p.annotators()
    f = tmp_path / "doc.data"
    f.write_text("Read as plain text.")
    result = runner.invoke(main, ["import", str(project), str(f), "--format", "txt"])
    assert result.exit_code == 0 and "imported 1 document" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--encoding", "klingon"], "unknown text encoding 'klingon'"),
        (["--format", "csv"], "unknown format 'csv'. Formats: txt, html"),
        (["--annotator", " "], "may not be empty"),
        (["--offsets", "bytes"], "'bytes' is not one of 'auto', 'codepoint', 'utf16'"),
        (["--label-map", "/nonexistent/map.json"], "cannot read"),
    ],
)
def test_import_bad_options(runner, project, args, message):
    result = runner.invoke(main, ["import", str(project), str(DATA / "batch.jsonl"), *args])
    assert result.exit_code == 2 and message in result.output


def test_import_offsets_and_label_map_options(runner, project, tmp_path):
    text = "Ship 😀 Apple hired Tim Cook."
    start = len(text[: text.index("Apple")].encode("utf-16-le")) // 2
    f = tmp_path / "admin.jsonl"
    f.write_text(json.dumps({"text": text, "label": [[start, start + 5, 1]]}) + "\n", "utf-8")
    result = runner.invoke(main, ["import", str(project), str(f), "--add-labels"])
    assert result.exit_code == 1 and "--label-map" in result.stderr
    bad_map = tmp_path / "bad.json"
    bad_map.write_text("[1, 2]")
    result = runner.invoke(main, ["import", str(project), str(f), "--label-map", str(bad_map)])
    assert result.exit_code == 2 and "expected a JSON object of label ids and names" in result.output
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"1": "ORG"}))
    result = runner.invoke(
        main, ["import", str(project), str(f), "--add-labels", "--label-map", str(labels), "--offsets", "utf16"]
    )
    assert result.exit_code == 0, result.output
    assert "offsets read as UTF-16 units" in result.stdout
    result = runner.invoke(main, ["import", str(project), str(f), "--add-labels", "--label-map", str(labels)])
    assert result.exit_code == 0 and "skipped 1 duplicate" in result.stdout
    with Project(project) as p:
        doc_id = p.document_by_sha(__import__("hashlib").sha256(text.encode()).hexdigest())
        [ann] = p.annotations(doc_id)
        assert (ann.label, p.document_text(doc_id)[ann.start : ann.end], ann.annotator) == ("ORG", "Apple", "admin")


def test_import_crlf_as_one_option(runner, project, tmp_path):
    text = "Acme rose.\r\nThen a.b fell."
    at = text.index("b fell") - 1  # "b" counting CRLF as one; "." counting it as two: both fit
    f = tmp_path / "g.jsonl"
    f.write_text(json.dumps({"text": text, "label": [[at, at + 1, "X"]]}) + "\n", "utf-8")
    result = runner.invoke(main, ["import", str(project), str(f), "--add-labels"])
    assert result.exit_code == 1 and "--crlf-as-one" in result.stderr and "fit more than one unit" in result.stderr
    result = runner.invoke(main, ["import", str(project), str(f), "--add-labels", "--crlf-as-one"])
    assert result.exit_code == 0, result.output
    assert "offsets read as code points, CRLF as one" in result.stdout
    with Project(project) as p:
        [ann] = [a for a in p.iter_all_annotations() if a.label == "X"]
        assert p.document_text(ann.doc_id)[ann.start : ann.end] == "b"


def test_import_project_problems(runner, tmp_path):
    missing = tmp_path / "missing.annotator"
    result = runner.invoke(main, ["import", str(missing), str(DATA / "batch.jsonl")])
    assert result.exit_code == 1 and "no such project file (add --create" in result.output
    assert not missing.exists()
    not_project = tmp_path / "notes.annotator"
    not_project.write_text("just text")
    result = runner.invoke(main, ["import", str(not_project), str(DATA / "batch.jsonl")])
    assert result.exit_code == 1 and "not an annotator project" in result.output
    assert not_project.read_text() == "just text"
    result = runner.invoke(main, ["import", str(tmp_path), str(DATA / "batch.jsonl")])
    assert result.exit_code == 1 and "is a folder" in result.output
    assert "Traceback" not in result.output


def test_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    bar = cli._ProgressBar()
    assert not bar.enabled  # pytest's stderr is not a terminal
    bar(0, 10 << 20, "a.jsonl")
    assert bar.bar is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    bar = cli._ProgressBar()
    bar(0, 100, "small.txt")
    assert bar.bar is None  # one small file: no bar
    bar(0, 10 << 20, "big.jsonl")
    bar(5 << 20, 10 << 20, "big.jsonl")
    assert bar.bar is not None and bar.done == 5 << 20
    bar.close()


# -- stats ------------------------------------------------------------------------
def test_stats(runner, project):
    result = runner.invoke(main, ["stats", str(project), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["documents"]["total"] == 4 and data["documents"]["by_status"]["new"] == 4
    ann = data["annotations"]
    assert ann["total"] == 9 and ann["by_kind"] == {"entity": 9, "event": 0, "claim": 0, "relation": 0}
    assert ann["by_label"] == {"entity": {"DATE": 3, "ORG": 3, "PERCENT": 1, "PERSON": 2}}
    assert ann["by_annotator"] == {"imported": 9}
    text = runner.invoke(main, ["stats", str(project)])
    assert text.exit_code == 0
    assert "documents: 4" in text.stdout and "annotations: 9" in text.stdout
    assert "entity ORG" in text.stdout and "imported" in text.stdout


# -- schema -----------------------------------------------------------------------
def test_schema_show_is_yaml_of_the_schema(runner, project):
    result = runner.invoke(main, ["schema", str(project)])
    assert result.exit_code == 0
    with Project(project) as p:
        assert yaml.safe_load(result.stdout) == p.schema.to_file_dict()
        assert loads_schema(result.stdout, "yaml") == p.schema


def small_schema(tmp_path: Path, entities: list[str]) -> Path:
    f = tmp_path / "small.yaml"
    f.write_text(yaml.safe_dump({"name": "small", "version": 2, "entities": [{"name": e} for e in entities]}))
    return f


def test_schema_set_refuses_orphans_unless_forced(runner, project, tmp_path):
    f = small_schema(tmp_path, ["ORG", "PERSON"])
    before = files_of(project)
    result = runner.invoke(main, ["schema", str(project), "--set", str(f)])
    assert result.exit_code == 1
    assert "entity DATE (3)" in result.output and "entity PERCENT (1)" in result.output and "--force" in result.output
    assert files_of(project) == before
    result = runner.invoke(main, ["schema", str(project), "--set", str(f), "--force"])
    assert result.exit_code == 0 and "schema replaced" in result.stdout
    assert "entity DATE (3)" in result.stderr
    with Project(project) as p:
        assert p.schema.name == "small" and p.schema.version == 2


def test_schema_set_accepts_a_fitting_schema(runner, project, tmp_path):
    f = small_schema(tmp_path, ["ORG", "PERSON", "DATE", "PERCENT"])
    result = runner.invoke(main, ["schema", str(project), "--set", str(f)])
    assert result.exit_code == 0, result.output
    assert "small" in runner.invoke(main, ["schema", str(project)]).stdout


def test_schema_set_bad_file_names_file_field_problem(runner, project, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: x\nentities:\n  - name: ORG\n    color: red\n")
    result = runner.invoke(main, ["schema", str(project), "--set", str(f)])
    assert result.exit_code == 1
    assert "bad.yaml:4: entities[0].color" in result.output and "#rrggbb" in result.output
    result = runner.invoke(main, ["schema", str(project), "--force"])
    assert result.exit_code == 2 and "--force only goes with --set" in result.output


# -- the GUI commands (Qt replaced by a stand-in) -----------------------------------------
@pytest.fixture
def fake_gui(monkeypatch):
    calls = []
    module = types.ModuleType("annotator.ui.app")

    def run(path, project=None):
        """As the app: starts on ``path``, or on ``project`` opened by the command (and closes it)."""
        if project is not None:
            assert project.path == path
            project.close()
        calls.append(path)
        return 0

    module.run = run
    monkeypatch.setitem(sys.modules, "annotator.ui.app", module)
    return calls


def test_no_command_opens_the_default_project(runner, fake_gui, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    result = runner.invoke(main, [])
    assert result.exit_code == 0, result.output
    [path] = fake_gui
    assert path.parent == tmp_path / "home"
    with Project(path) as p:
        assert p.document_count() >= 1  # the seed article


def test_open(runner, fake_gui, tmp_path, project):
    assert runner.invoke(main, ["open", str(project)]).exit_code == 0
    new = tmp_path / "new.annotator"
    result = runner.invoke(main, ["open", str(new)])
    assert result.exit_code == 1 and "--create" in result.output and not new.exists()
    assert runner.invoke(main, ["open", str(new), "--create"]).exit_code == 0
    assert fake_gui == [project, new] and new.exists()


def test_long_lists_of_problems_are_cut(runner, project, tmp_path):
    f = tmp_path / "many.jsonl"
    f.write_text("not json\n" * 80 + '{"text": "One good line."}\n')
    result = runner.invoke(main, ["import", str(project), str(f), "--partial"])
    assert result.exit_code == 1
    assert result.stderr.count("left out: ") == 51
    assert f"left out: {f}: ... and 30 more problems" in result.stderr
    assert "imported 1 document" in result.stdout and "left out 80 bad records" in result.stdout


# -- export: where it writes, which format -------------------------------------------
def test_export_says_it_created_the_missing_folder(runner, project, tmp_path):
    out = tmp_path / "new" / "deeper" / "p.jsonl"
    result = runner.invoke(main, ["export", str(project), "--format", "native", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert f"Created folder {tmp_path / 'new' / 'deeper'}" in result.output  # the folder it writes into
    # Into a folder that exists: nothing to say about folders.
    again = runner.invoke(main, ["export", str(project), "--format", "native", "--out", str(tmp_path / "new" / "q.jsonl")])
    assert again.exit_code == 0, again.output
    assert "Created folder" not in again.output


def test_export_of_a_folder_format_says_it_created_the_missing_parent(runner, project, tmp_path):
    out = tmp_path / "made" / "brat"
    result = runner.invoke(main, ["export", str(project), "--format", "brat", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_dir() and f"Created folder {tmp_path / 'made'}" in result.output


def test_a_failed_export_removes_the_folders_it_created(runner, project, tmp_path, monkeypatch):
    from annotator.formats import native

    def boom(self, rows, dest):
        dest.write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(native.NativeWriter, "write_rows", boom)
    (tmp_path / "there").mkdir()
    out = tmp_path / "there" / "new" / "deeper" / "x.jsonl"
    result = runner.invoke(main, ["export", str(project), "--format", "native", "--out", str(out)])
    assert result.exit_code == 1 and "No space left on device; nothing was written" in result.output
    assert list((tmp_path / "there").iterdir()) == []


@pytest.mark.parametrize(
    "command, typo, suggestion",
    [
        ("export", "conl", "conll' or 'conll2012"),
        ("export", "doccanno", "doccano"),
        ("export", "Conl", "conll' or 'conll2012"),
        ("export", "span", "spans' or 'spacy"),
        ("import", "jsnl", "jsonl"),
    ],
)
def test_a_mistyped_format_gets_a_did_you_mean(runner, project, command, typo, suggestion):
    args = [command, str(project), *([str(DATA / "batch.jsonl")] if command == "import" else []), "--format", typo]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: unknown format '{typo}'. Did you mean '{suggestion}'? Formats: ")
    assert "Traceback" not in result.output


def test_an_unknown_format_lists_the_formats(runner, project):
    from annotator.services.exporting import FORMATS

    result = runner.invoke(main, ["export", str(project), "--format", "xlsx"])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: unknown format 'xlsx'. Formats: {', '.join(FORMATS)}"


def test_format_names_are_not_case_sensitive(runner, project, tmp_path):
    out = tmp_path / "p.jsonl"
    result = runner.invoke(main, ["export", str(project), "--format", "NATIVE", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "native record" in result.output and out.is_file()


def test_export_into_a_new_folder_named_with_a_trailing_slash(runner, project, tmp_path):
    """ "--out exports/new/" names a folder: a single-file format writes its
    default file name inside it (not a file called "new")."""
    result = runner.invoke(main, ["export", str(project), "--format", "native", "--out", f"{tmp_path / 'new'}/"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new").is_dir()
    [written] = list((tmp_path / "new").iterdir())
    assert written.name == f"{project.stem}-native.jsonl"
    assert f"Created folder {tmp_path / 'new'}" in result.output
