"""Knowledge-base files (issue 14): the entries of a local knowledge base, read
from CSV, TSV or JSON lines.

Every entry has an ``id`` (unique in the file), a ``name``, optional
``aliases`` and an optional ``description``:

- CSV and TSV: a header row naming the columns (any order, case ignored; other
  columns are ignored); ``aliases`` separated by ``|``.  CSV follows RFC 4180
  (quotes around fields with commas, quotes or line breaks); TSV has no quoting
  (a field cannot hold a tab or a line break).
- JSON lines: one object per line, ``{"id": "Q148", "name": "China", "aliases":
  ["PRC", "People's Republic of China"], "description": "country in East Asia"}``
  (``aliases`` a list of strings, or one ``|``-separated string; a numeric id
  is read as its decimal text; other keys are ignored; blank lines are skipped).

Files are UTF-8 (a byte-order mark is skipped).  Anything wrong raises
:class:`~annotator.formats.InputError` naming the file and line.  A pure codec:
it reads a file into :class:`KbRow` s, one at a time (millions of rows do not
sit in memory); loading them into a project is
:func:`annotator.services.kb.load_kb`'s.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any, NamedTuple

from annotator.formats import InputError

__all__ = ["KB_FORMATS", "KbRow", "KbReader", "detect_kb_format", "split_aliases", "read_kb"]

#: The formats a knowledge base is read from.
KB_FORMATS = ("csv", "tsv", "jsonl")
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_COLUMNS = ("id", "name", "aliases", "description")


class KbRow(NamedTuple):
    """One entry as read: ``line`` is where it starts in the file (1-based)."""

    id: str
    name: str
    aliases: list[str]
    description: str
    line: int


#: ``KbRow`` of a plain tuple, without the named tuple's Python-level constructor (a million rows).
_make_row = partial(tuple.__new__, KbRow)


def split_aliases(text: str) -> list[str]:
    """``|``-separated aliases: trimmed, empty ones and repeats dropped, in order."""
    if "|" not in text:
        text = text.strip()
        return [text] if text else []
    out: list[str] = []
    for part in text.split("|"):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def detect_kb_format(path: str | Path, head: bytes) -> str:
    """The format of a knowledge-base file: from its suffix, else from its first
    bytes (``{``: JSON lines; a tab in the first line: TSV; otherwise CSV)."""
    suffix = Path(path).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"{"):
        return "jsonl"
    first = text.split(b"\n", 1)[0]
    return "tsv" if b"\t" in first else "csv"


class KbReader:
    """The entries of one knowledge-base file, read as they are iterated.

    ``fmt`` is one of :data:`KB_FORMATS` (None: :func:`detect_kb_format`).
    :attr:`size` is the file's size and :attr:`position` how far reading got, in
    bytes (for progress).  Iterating raises :class:`InputError` at the first
    problem (file and line).
    """

    def __init__(self, path: str | Path, fmt: str | None = None, *, name: str | None = None):
        self.path = Path(path)
        self.name = name or str(path)
        if fmt is not None and fmt not in KB_FORMATS:
            raise InputError(self.name, None, f"unknown knowledge-base format {fmt!r} (one of {', '.join(KB_FORMATS)})")
        try:
            self.size = self.path.stat().st_size
            if self.path.is_dir():
                raise InputError(self.name, None, "a folder, not a knowledge-base file")
            with open(self.path, "rb") as fh:
                head = fh.read(4096)
        except OSError as err:
            raise InputError(self.name, None, f"cannot read: {err.strerror or err}") from None
        self.format = fmt or detect_kb_format(self.path, head)
        self._raw: IO[bytes] | None = None
        self._done = 0

    def error(self, line: int | None, message: str) -> InputError:
        return InputError(self.name, line, message)

    def _undecodable(self) -> InputError:
        """The error naming the first line that is not UTF-8 (read again, in bytes:
        the text reader says only that some byte was not)."""
        with open(self.path, "rb") as fh:
            for number, raw in enumerate(fh, 1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    return self.error(number, f"not UTF-8 (byte {err.start + 1} of the line); save the file as UTF-8")
        return self.error(None, "not UTF-8; save the file as UTF-8")

    @property
    def position(self) -> int:
        """How far reading got, in bytes (read ahead by a buffer: for progress)."""
        raw = self._raw
        if raw is None or raw.closed:
            return self._done
        return raw.tell()

    def __iter__(self) -> Iterator[KbRow]:
        self._done = 0
        try:
            with open(self.path, "rb") as raw:
                self._raw = raw
                # newline="": the csv module sees line breaks inside quoted fields as they are
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="" if self.format != "jsonl" else None)
                try:
                    yield from self._jsonl(text) if self.format == "jsonl" else self._table(text)
                except UnicodeDecodeError:
                    raise self._undecodable() from None
                finally:
                    text.detach()
            self._done = self.size
        except OSError as err:
            raise self.error(None, f"cannot read: {err.strerror or err}") from None
        finally:
            self._raw = None

    # -- CSV / TSV -----------------------------------------------------------------
    def _table(self, fh: IO[str]) -> Iterator[KbRow]:
        tsv = self.format == "tsv"
        reader = csv.reader(fh, delimiter="\t" if tsv else ",", quoting=csv.QUOTE_NONE if tsv else csv.QUOTE_MINIMAL)
        what = "TSV" if tsv else "CSV"
        make = _make_row
        try:
            header = next(reader, None)
            while header is not None and not any(h.strip() for h in header):
                header = next(reader, None)
            if header is None:
                raise self.error(None, f"empty: a {what} knowledge base needs a header row (id, name, aliases, description)")
            header_line = reader.line_num
            columns = [h.strip().lower() for h in header]
            for needed in ("id", "name"):
                if needed not in columns:
                    found = ", ".join(repr(h) for h in header[:6])
                    raise self.error(
                        header_line,
                        f"the header has no {needed!r} column (found {found}); needed: id, name; optional: aliases, description",
                    )
            for col in _COLUMNS:
                if columns.count(col) > 1:
                    raise self.error(header_line, f"the header names the column {col!r} twice")
            i_id, i_name = columns.index("id"), columns.index("name")
            i_alias = columns.index("aliases") if "aliases" in columns else None
            i_desc = columns.index("description") if "description" in columns else None
            width = len(columns)
            last = reader.line_num
            for row in reader:
                line = last + 1
                last = reader.line_num
                if len(row) != width:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue  # a blank line
                    raise self.error(
                        line, f"{len(row)} fields where the header has {width}" + (" (a tab inside a field?)" if tsv else "")
                    )
                entry_id, name = row[i_id].strip(), row[i_name].strip()
                if not entry_id:
                    raise self.error(line, "the id is empty")
                if not name:
                    raise self.error(line, f"entry {entry_id!r} has an empty name")
                aliases = split_aliases(row[i_alias]) if i_alias is not None else []
                description = row[i_desc].strip() if i_desc is not None else ""
                yield make((entry_id, name, aliases, description, line))
        except csv.Error as err:
            raise self.error(reader.line_num or None, f"not valid {what}: {err}") from None

    # -- JSON lines -----------------------------------------------------------------
    def _jsonl(self, fh: IO[str]) -> Iterator[KbRow]:
        for number, text in enumerate(fh, 1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except ValueError as err:
                raise self.error(number, f"not JSON: {err}") from None
            if not isinstance(obj, dict):
                raise self.error(number, f"a JSON object is needed, not {type(obj).__name__}")
            yield self._json_entry(obj, number)

    def _json_entry(self, obj: dict[str, Any], line: int) -> KbRow:
        raw_id = obj.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
            raise self.error(
                line,
                "no 'id' (a string or a number)"
                if raw_id is None
                else f"'id' must be a string or a number, not {type(raw_id).__name__}",
            )
        entry_id = str(raw_id).strip()
        if not entry_id:
            raise self.error(line, "the id is empty")
        name = obj.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.error(line, f"entry {entry_id!r} has no name (a non-empty string)")
        raw_aliases = obj.get("aliases", [])
        if raw_aliases is None:
            aliases: list[str] = []
        elif isinstance(raw_aliases, str):
            aliases = split_aliases(raw_aliases)
        elif isinstance(raw_aliases, list) and all(isinstance(a, str) for a in raw_aliases):
            aliases = list(dict.fromkeys(a.strip() for a in raw_aliases if a.strip()))
        else:
            raise self.error(line, f"entry {entry_id!r}: 'aliases' must be a list of strings")
        description = obj.get("description", "")
        if description is None:
            description = ""
        if not isinstance(description, str):
            raise self.error(line, f"entry {entry_id!r}: 'description' must be a string")
        return KbRow(entry_id, name.strip(), aliases, description.strip(), line)


def read_kb(path: str | Path, fmt: str | None = None) -> list[KbRow]:
    """Every entry of a (small) knowledge-base file; :class:`KbReader` streams big ones."""
    return list(KbReader(path, fmt))
