"""The article view over random Unicode (astral, ZWJ, combining marks, CRLF and
CR made canonical, U+2028, U+2029, NBSP, tabs, NUL): whatever the user selects
in the widget becomes a span whose text is exactly what was selected, and a
stored span selects exactly its text. (tests/core/test_text.py checks the
position map against a bare QTextDocument; this is the real widget.)"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("annotator.ui.article_view")

from PySide6.QtGui import QTextCursor  # noqa: E402

from annotator.core.models import entity  # noqa: E402
from annotator.core.schema import default_schema  # noqa: E402
from annotator.core.text import canonicalize  # noqa: E402
from annotator.ui.article_view import ArticleView  # noqa: E402

PIECES = [
    "a",
    "Z",
    " ",
    "é",
    "e\u0301",
    "\u0301",
    "😀",
    "👍🏽",
    "❤\ufe0f",
    "👨\u200d👩\u200d👧",
    "\U0001f1e8\U0001f1f1",
    "\r\n",
    "\r",
    "\n",
    "\u2028",
    "\u2029",
    "\xa0",
    "\t",
    "\x00",
    "北",
    "김",
    "ب",
    "\u200d",
    "\U0001d400",
    "<b>",
    "&amp;",
]
texts = (
    st.lists(st.one_of(st.sampled_from(PIECES), st.characters(exclude_categories=["Cs"])), min_size=1, max_size=60)
    .map(lambda parts: canonicalize("".join(parts))[0].lstrip("\ufeff"))
    .filter(lambda t: t.strip() != "")
)
#: What Qt's selectedText() shows for characters it rewrites.
QT_VIEW = str.maketrans({"\n": "\u2029"})


def touched(text: str, lo: int, hi: int) -> tuple[int, int]:
    """The characters (code-point span) that Qt positions lo..hi cover, counted
    here from UTF-16 lengths; an empty selection stays empty where it is."""
    starts, pos = [], 0
    for ch in text:
        starts.append(pos)
        pos += 2 if ord(ch) > 0xFFFF else 1
    first = max(i for i, s in enumerate(starts + [pos]) if s <= lo)
    if lo == hi:
        return first, first
    last = max(i for i, s in enumerate(starts) if s < hi)
    return first, last + 1


@pytest.fixture(scope="module")
def view(qapp) -> ArticleView:
    v = ArticleView()
    v.resize(500, 400)
    v.show()
    yield v
    v.close()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(text=texts, data=st.data())
def test_selection_in_the_view_is_the_span(view: ArticleView, text: str, data: st.DataObject) -> None:
    view.set_word_snapping(False)
    view.set_article(text, [], default_schema())
    assert view.document().toRawText() == text.replace("\n", "\u2029")  # exactly the text: nothing dropped or rendered
    qt_len = view.document().characterCount() - 1
    a = data.draw(st.integers(0, qt_len))
    b = data.draw(st.integers(0, qt_len))
    cursor = QTextCursor(view.document())  # the user drags from a to b (any Qt positions, even inside a pair)
    cursor.setPosition(a)
    cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    start, end = view.selection_span()
    assert (start, end) == touched(text, min(a, b), max(a, b)), "the span is not the characters the selection touched"
    shown = view.textCursor().selectedText()
    span_text = text[start:end].translate(QT_VIEW)
    assert shown in span_text
    # selecting the span back in the view selects exactly its text
    if start < end:
        view.select_span(start, end, ensure_visible=False)
        assert view.textCursor().selectedText() == span_text
        ann = entity("d", start, end, "PERSON", "me")
        view.set_annotations([ann])
        assert [x.id for x in view.annotations_at(start)] == [ann.id]
        assert view.annotations_at(end) == [] or end == len(text) or view.annotations_at(end)[0].start <= end
