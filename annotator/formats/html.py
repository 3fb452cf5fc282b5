"""HTML: the readable text of a page (title, headings, paragraphs, list items).

Parsed with the standard library's :class:`html.parser.HTMLParser`; nothing is
ever fetched (images, frames, style sheets and scripts are only tags to skip).
The document text is the title followed by every block of the body (headings,
paragraphs, list items, table cells, ...) as paragraphs separated by a blank
line.  Entities are decoded; whitespace inside a block is collapsed as a browser
does (``<pre>`` keeps it; ``<br>`` is a line break); inline tags such as ``<b>``
or ``<a>`` just contribute their text.  The content of ``script``, ``style``,
``iframe``, ``noscript``, ``template``, ``svg``, ``math``, ``object`` and
``canvas`` is dropped.  Markup written as text (``&lt;b&gt;``) stays literal.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from annotator.core.models import Annotation, Document
from annotator.formats import InputError, Item, Record, TextBuilder, collect, read_bytes, read_text

__all__ = ["html_to_text", "iter_html", "read_html"]

_SKIP = frozenset({"script", "style", "iframe", "noscript", "template", "svg", "math", "object", "canvas", "head"})
_BLOCKS = frozenset(
    """p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre section article header footer
    main nav aside figure figcaption table thead tbody tfoot tr td th caption address hr form
    fieldset legend details summary body html""".split()
)
_HEAD_CONTENT = frozenset("title meta link style script base noscript template".split())
#: HTML's own whitespace (NBSP and other Unicode spaces are text, not layout).
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(" {2,}")
_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title_parts: list[str] | None = None
        self.title = ""
        self.first_h1 = ""
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip: list[str] = []
        self._pre = 0
        self._h1: list[str] | None = None

    # -- blocks -----------------------------------------------------------------
    def _flush(self) -> None:
        text = "".join(self._current)
        self._current = []
        if self._pre:  # preformatted: keep every space, drop only blank lines around it
            block = text.strip("\n")
            if not block.strip():
                block = ""
        else:
            block = "\n".join(_SPACES.sub(" ", line).strip(" ") for line in text.split("\n")).strip("\n")
        if block:
            self.blocks.append(block)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self._skip_body():
            self.title_parts = []
            return
        if self._skip == ["head"] and tag not in _HEAD_CONTENT:
            self._skip.pop()  # an element of the body closes an unclosed <head>, as in browsers
        if tag in _SKIP:
            self._skip.append(tag)  # of the head, only the <title> is text
            return
        if self._skip:
            return
        if tag == "br":
            self._current.append("\n")
            return
        if tag in _BLOCKS:
            self._flush()
            if tag == "pre":
                self._pre += 1
            if tag == "h1" and not self.first_h1:
                self._h1 = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            return
        if tag == "br":
            self._current.append("\n")
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title_parts is not None:
            self.title = " ".join("".join(self.title_parts).split())
            self.title_parts = None
            return
        if self._skip:
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if tag in _BLOCKS:
            self._flush()
            if tag == "pre" and self._pre:
                self._pre -= 1
            if tag == "h1" and self._h1 is not None:
                self.first_h1 = " ".join("".join(self._h1).split())
                self._h1 = None

    def _skip_body(self) -> bool:
        return any(t != "head" for t in self._skip)

    def handle_data(self, data: str) -> None:
        if self.title_parts is not None:
            self.title_parts.append(data)
            return
        if self._skip:
            return
        if self._h1 is not None:
            self._h1.append(data)
        if self._pre:
            self._current.append(data.replace("\r\n", "\n").replace("\r", "\n"))
        else:
            self._current.append(_HTML_SPACE.sub(" ", data))

    def close(self) -> None:
        super().close()
        if self.title_parts is not None:  # an unclosed <title>
            self.title = " ".join("".join(self.title_parts).split())
            self.title_parts = None
        self._flush()


def html_to_text(markup: str) -> tuple[str, str]:
    """``(title, text)`` of an HTML page; the text starts with the title."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    title = parser.title or parser.first_h1
    blocks = list(parser.blocks)
    if title and blocks and " ".join(blocks[0].split()) == title:
        blocks.pop(0)  # the page's own <h1> repeating its <title>
    parts = ([title] if title else []) + blocks
    return title, "\n\n".join(parts)


def declared_charset(data: bytes) -> str | None:
    """The encoding a page declares in a ``<meta charset>`` near its start, if Python knows it."""
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def iter_html(path: str | Path, *, encoding: str | None = None, name: str | None = None) -> Iterator[Item]:
    """The one document of an HTML file.

    Without ``encoding`` the page's ``<meta charset>`` is used when it declares
    one, else UTF-8.  Raises :class:`InputError` for unreadable, undecodable or
    empty pages.
    """
    name = name or str(path)
    data = read_bytes(path, name)
    if encoding is None:
        declared = declared_charset(data)
        if declared and declared != "utf-8":
            encoding = declared
    markup = read_text(data, encoding=encoding, name=name)
    title, text = html_to_text(markup)
    if not text.strip():
        raise InputError(name, None, "empty document (the page has no title and no text)")
    builder = TextBuilder(text, file=name, line=None, doc_name="")
    yield Record(builder.document(title=title, source=Path(name).name), [])


def read_html(path: str | Path, *, encoding: str | None = None) -> list[tuple[Document, list[Annotation]]]:
    """``[(Document, [])]`` for an HTML file; raises InputError for bad input."""
    return collect(iter_html(path, encoding=encoding))
