"""Document categories in the label schema (issue 14, document labels): groups of
single- or multi-choice labels with keys, validated with messages naming the
file, the field and the problem."""

from pathlib import Path

import pytest

from annotator.core.schema import SchemaError, default_schema, load_schema, loads_schema

BASE = """
name = "mini"

[[entities]]
name = "PERSON"
key = "p"

[[events]]
name = "Meeting"
key = "1"

[claim]
key = "c"
"""

GOOD = (
    BASE
    + """
[[categories]]
name = "topic"
multi = true
labels = [{ name = "politics", key = "i" }, { name = "economy", key = "e", color = "#43A047" }]

[[categories]]
name = "relevance"
description = "Does it matter for the project?"
labels = [{ name = "relevant", key = "r" }, { name = "irrelevant" }]
"""
)


def test_categories_load_with_keys_and_choice() -> None:
    s = loads_schema(GOOD, "toml", "mini.toml")
    topic, relevance = s.categories
    assert (topic.name, topic.multi, [lab.name for lab in topic.labels]) == ("topic", True, ["politics", "economy"])
    assert (relevance.multi, relevance.description) == (False, "Does it matter for the project?")
    assert topic.labels[1].color == "#43a047"
    assert s.doc_label_keys() == {"i": ("topic", "politics"), "e": ("topic", "economy"), "r": ("relevance", "relevant")}
    assert s.category("relevance") is relevance and s.category("nope") is None
    assert s.category_of("economy") is topic and s.category_of("PERSON") is None
    # the stored form (JSON in the project) reads back the same
    from annotator.core.schema import parse_schema

    assert parse_schema(s.to_dict()) == s


def test_a_schema_without_categories_has_none() -> None:
    s = loads_schema(BASE, "toml", "mini.toml")
    assert s.categories == [] and s.doc_label_keys() == {}


def test_default_news_schema_has_topic_and_genre_with_free_keys() -> None:
    s = default_schema()
    topic, genre = s.category("topic"), s.category("genre")
    assert topic is not None and topic.multi and len(topic.labels) >= 4
    assert genre is not None and not genre.multi and {"report", "opinion"} <= {lab.name for lab in genre.labels}
    doc_keys = s.doc_label_keys()
    assert len(doc_keys) == sum(len(c.labels) for c in s.categories)  # every label has a key
    assert not set(doc_keys) & set(s.shortcuts())


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[[categories]]\nname = "topic"\nlabels = [{ name = "politics", key = "p" }]\n',
            "categories[0].labels[0].key: shortcut 'p' of document label topic/politics is already the key of entity PERSON",
        ),
        (
            '[[categories]]\nname = "topic"\nlabels = [{ name = "politics", key = "1" }]\n',
            "is already the key of event Meeting",
        ),
        (
            '[[categories]]\nname = "a"\nlabels = [{ name = "x", key = "z" }]\n'
            '[[categories]]\nname = "b"\nlabels = [{ name = "y", key = "Z" }]\n',
            "categories[1].labels[0].key: shortcut 'z' is used by both document labels a/x and b/y",
        ),
        (
            '[[categories]]\nname = "a"\nlabels = [{ name = "high" }]\n[[categories]]\nname = "b"\nlabels = [{ name = "high" }]\n',
            "categories[1].labels[0]: document label 'high' is also in category 'a'",
        ),
        (
            '[[categories]]\nname = "a"\nlabels = [{ name = "x" }]\n[[categories]]\nname = "a"\nlabels = [{ name = "y" }]\n',
            "categories: 'a' appears twice",
        ),
        ('[[categories]]\nname = "a"\nlabels = [{ name = "x" }, { name = "x" }]\n', "categories[0]: labels: 'x' appears twice"),
        ('[[categories]]\nname = "a"\nlabels = []\n', "categories[0].labels: List should have at least 1 item"),
        ('[[categories]]\nname = "tokens"\nlabels = [{ name = "x" }]\n', "'tokens' cannot name a document category"),
        ('[[categories]]\nname = "a"\nmulti = "yes"\nlabels = [{ name = "x" }]\n', "categories[0].multi"),
        ('[[categories]]\nname = "a"\nlabels = [{ name = "x", key = "ab" }]\n', "must be exactly one printable character"),
        ('[[categories]]\nname = "a"\nchoice = "one"\nlabels = [{ name = "x" }]\n', "categories[0].choice: unknown key 'choice'"),
    ],
)
def test_bad_categories_name_file_field_and_problem(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load_schema(path)
    assert message in str(err.value)
    assert str(err.value).startswith("mini.toml:")  # the file, and the line where the schema parser can tell
    assert "Traceback" not in str(err.value)
