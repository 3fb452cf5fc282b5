"""``annotator schema-check``: schema files validated without a project (issue 14)."""

from __future__ import annotations

from click.testing import CliRunner

from annotator.cli import main


def test_schema_check_good_and_bad_files(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(
        "name: mini\nentities:\n  - name: ORG\n    description: Organisations.\n    examples: ['**Acme** said']\n  - name: GPE\n"
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('[[entities]]\nname = "ORG"\n\n[[entities]]\nname = "GPE"\nexemples = ["x"]\n')
    runner = CliRunner()
    result = runner.invoke(main, ["schema-check", str(good), "--guidelines"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{good}: valid: mini (version 1): 2 entity labels, 0 event types (0 roles), the claim with 0 attributes "
        "(0 values), 0 relation types; guidelines: 1 of 3 described, 1 with examples",
        f"{good}: no description: GPE",
        f"{good}: no description: CLAIM",
    ]
    result = runner.invoke(main, ["schema-check", str(bad), str(good)])
    assert result.exit_code == 1
    assert "bad.toml:6: entities[1].exemples: unknown key 'exemples' (did you mean 'examples'?)" in result.stderr
    assert f"{good}: valid" in result.stdout and "Traceback" not in result.output
    result = runner.invoke(main, ["schema-check", str(tmp_path / "missing.toml")])
    assert result.exit_code == 1 and "missing.toml: cannot read" in result.stderr


def test_the_bundled_schema_checks():
    from importlib import resources

    path = resources.files("annotator.resources").joinpath("news.toml")
    result = CliRunner().invoke(main, ["schema-check", str(path), "--guidelines"])
    assert result.exit_code == 0 and "no description" not in result.stdout
    assert "75 of 75 described" in result.stdout


def test_schema_guidelines_from_news_fills_an_old_projects_schema(tmp_path):
    from annotator.core.schema import default_schema, parse_schema
    from annotator.core.store import Project

    old = default_schema().to_dict()  # as projects made before guidelines stored it
    for e in old["entities"] + old["events"] + old["relations"]:
        e["examples"], e["counter_examples"] = [], []
        for r in e.get("roles", []):
            r["description"], r["examples"] = "", []
    old["claim"]["examples"] = []
    for a in old["claim"]["attributes"]:
        a["value_guides"] = {}
    path = tmp_path / "old.annotator"
    with Project(path, create=True, schema=parse_schema(old)) as p:
        assert not p.schema.entity("PERSON").examples
    runner = CliRunner()
    result = runner.invoke(main, ["schema", str(path), "--guidelines-from", "news"])
    assert result.exit_code == 0, result.output
    with Project(path) as p:
        assert p.schema == default_schema()
    result = runner.invoke(main, ["schema", str(path), "--guidelines-from", "news"])
    assert "guidelines of 0 labels" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities: 3\n")
    result = runner.invoke(main, ["schema", str(path), "--guidelines-from", str(bad)])
    assert result.exit_code == 1 and "bad.yaml:1: entities" in result.output
