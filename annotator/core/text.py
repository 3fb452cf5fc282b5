"""The text layer: decoding, the canonical form, offsets, Qt positions.

Every offset in the project is a Python code-point offset into the *canonical*
document text, end-exclusive.  This module is the one place that decides what
the canonical text is (:func:`canonicalize`) and how code-point offsets relate
to the positions of a ``QTextDocument`` holding that text
(:class:`QtPositionMap`).  It never imports Qt.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left

__all__ = [
    "TextError",
    "decode_bytes",
    "check_text",
    "canonicalize",
    "OffsetMapper",
    "sha256_text",
    "QtPositionMap",
]

_ENCODING_HINT = "if it is another encoding, pass --encoding (e.g. --encoding latin-1)"
#: C0 control characters that do not occur in ordinary text (all but \t \n \f \r).
_CONTROLS = bytes(c for c in range(32) if c not in b"\t\n\r\f")
_CONTROLS_STR = _CONTROLS.decode("ascii")
#: Share of such control characters above which a file is taken to be binary.
_BINARY_SHARE = 0.05
_SURROGATE = re.compile("[\ud800-\udfff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CRLF = re.compile("\r\n")
#: Byte-order marks of encodings with NUL bytes in ordinary text (UTF-32 first: it starts like UTF-16).
_WIDE_BOMS = [
    ("UTF-32", codecs.BOM_UTF32_LE),
    ("UTF-32", codecs.BOM_UTF32_BE),
    ("UTF-16", codecs.BOM_UTF16_LE),
    ("UTF-16", codecs.BOM_UTF16_BE),
]


class TextError(ValueError):
    """Text that cannot be used as a document; ``str(e)`` is the message for people.

    ``message`` is what is wrong and ``hint`` what to do about it in the command
    line's terms (``str(e)`` is both); a front end with controls of its own
    (the app) says ``message`` and its own hint.  ``undecodable``: the bytes are
    not text in the encoding they were read with (another encoding may read them).
    """

    def __init__(self, message: str, *, hint: str = "", undecodable: bool = False):
        super().__init__(f"{message}; {hint}" if hint else message)
        self.message = message
        self.hint = hint
        self.undecodable = undecodable


def _looks_binary(data: bytes | str) -> bool:
    """NUL anywhere, or more than a few percent of unusual C0 control characters."""
    if not data:
        return False
    if isinstance(data, bytes):
        if b"\0" in data:
            return True
        controls = len(data) - len(data.translate(None, _CONTROLS))
    else:
        if "\0" in data:
            return True
        controls = sum(data.count(c) for c in _CONTROLS_STR)
    return controls > _BINARY_SHARE * len(data)


def _bad_byte(name: str, data: bytes, err: UnicodeDecodeError, encoding: str, shift: int = 0) -> str:
    """Where the first undecodable byte is, for people: offset, line and column."""
    offset = err.start + shift
    line = data.count(b"\n", 0, offset) + 1
    column = offset - data.rfind(b"\n", 0, offset)
    return f"{name}: not valid {encoding} (byte 0x{data[offset]:02x} at offset {offset}, line {line}, column {column})"


def decode_bytes(data: bytes, encoding: str | None = None, name: str = "<input>") -> str:
    """Decode a file's bytes to text, strictly; never guess, never produce mojibake.

    Without ``encoding`` the data must be UTF-8 (a UTF-8 byte-order mark is
    dropped).  With ``encoding`` it is decoded strictly with that codec.  Binary
    data (NUL bytes, many control characters) is refused.  Empty data gives ""
    (:func:`check_text` refuses it with a clear message).

    Raises :class:`TextError` naming ``name`` and saying what to do.
    """
    if encoding is None:
        for wide, wide_bom in _WIDE_BOMS:
            if data.startswith(wide_bom):
                raise TextError(
                    f"{name}: the file is {wide}, not UTF-8", hint=f"pass --encoding {wide.lower()}", undecodable=True
                )
    bom = len(codecs.BOM_UTF8) if encoding is None and data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode(encoding or "utf-8")
    except LookupError:  # unknown, or not a text encoding (e.g. "base64")
        raise TextError(f"{name}: unknown text encoding {encoding!r}") from None
    except UnicodeDecodeError as err:
        if _looks_binary(data):
            raise TextError(f"{name}: looks like a binary file, not text") from None
        if encoding is None:
            raise TextError(_bad_byte(name, data, err, "UTF-8", bom), hint=_ENCODING_HINT, undecodable=True) from None
        raise TextError(_bad_byte(name, data, err, codecs.lookup(encoding).name), undecodable=True) from None
    if _looks_binary(text):
        raise TextError(f"{name}: looks like a binary file, not text")
    return text


def check_text(text: str, where: str) -> None:
    """Refuse text that cannot be a document: lone surrogates, empty or blank text.

    Lone surrogates cannot be stored as UTF-8 (SQLite) and Qt silently drops
    them, which would shift every offset after them.
    """
    # Encoding finds a lone surrogate as surely as the pattern, several times faster.
    bad = None
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            bad = _SURROGATE.search(text)
    if bad:
        raise TextError(
            f"{where}: lone surrogate U+{ord(bad.group()):04X} at character {bad.start()}; "
            "it is not a character and cannot be stored"
        )
    if not text.strip():
        raise TextError(f"{where}: empty document")


class OffsetMapper:
    """Maps code-point offsets in the raw input to offsets in the canonical text.

    Only removals happen in :func:`canonicalize` (a lone ``\\r`` is replaced in
    place), so the canonical offset is the raw offset minus the number of removed
    code points before it: one bisection over the sorted removed positions.
    """

    __slots__ = ("_removed", "_raw_length")

    def __init__(self, removed: list[int], raw_length: int):
        self._removed = removed
        self._raw_length = raw_length

    @property
    def identity(self) -> bool:
        """True when canonicalisation changed nothing: every offset maps to itself."""
        return not self._removed

    def map(self, offset: int) -> int:
        """The canonical offset for a raw offset (between ``\\r`` and ``\\n``: the ``\\n``)."""
        if not 0 <= offset <= self._raw_length:
            raise TextError(f"offset {offset} is outside the text (0..{self._raw_length})")
        return offset - bisect_left(self._removed, offset) if self._removed else offset

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """:meth:`map` applied to both ends of a span."""
        return self.map(start), self.map(end)


def canonicalize(raw: str) -> tuple[str, OffsetMapper]:
    """The one canonicalisation rule for stored document text.

    Leading byte-order marks (U+FEFF) are removed, ``\\r\\n`` becomes ``\\n`` and a
    lone ``\\r`` becomes ``\\n``.  Nothing else changes: NBSP, U+2028, U+2029, tabs,
    NUL and every other character stay as they are.  Returns the canonical text
    and the :class:`OffsetMapper` from raw offsets to canonical ones.
    """
    bom = len(raw) - len(raw.lstrip("\ufeff"))
    if not bom and "\r" not in raw:
        return raw, OffsetMapper([], len(raw))
    removed = list(range(bom))
    removed.extend(m.start() for m in _CRLF.finditer(raw, bom))
    text = raw[bom:].replace("\r\n", "\n").replace("\r", "\n")
    return text, OffsetMapper(removed, len(raw))


def sha256_text(text: str) -> str:
    """Hex SHA-256 of the text's UTF-8 bytes."""
    import hashlib  # here: the window's start does without OpenSSL (case 8)

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class QtPositionMap:
    """Code-point offsets in ``text`` <-> ``QTextDocument`` positions after ``setPlainText(text)``.

    Qt counts UTF-16 code units: a character outside the Basic Multilingual
    Plane takes two positions, every other character (``\\n``, U+2028, U+2029
    included) one.  ``text`` must be canonical (see :func:`canonicalize`): no
    ``\\r`` (Qt collapses ``\\r\\n``), no leading U+FEFF (Qt drops it), no lone
    surrogates (Qt drops them).

    The table is the sorted list of astral characters' code-point offsets, so a
    lookup is one bisection; text without astral characters maps identically.
    """

    __slots__ = ("_astral_cp", "_astral_qt", "_length", "qt_length")

    def __init__(self, text: str):
        if "\r" in text or text.startswith("\ufeff") or _SURROGATE.search(text):
            raise ValueError("QtPositionMap needs canonical text; call canonicalize() and check_text() first")
        self._length = len(text)
        if text.isascii():
            self._astral_cp: list[int] = []
        else:
            self._astral_cp = [m.start() for m in _ASTRAL.finditer(text)]
        #: Qt position of the first code unit of each astral character.
        self._astral_qt = [cp + i for i, cp in enumerate(self._astral_cp)]
        self.qt_length = self._length + len(self._astral_cp)

    def to_qt(self, cp: int) -> int:
        """The Qt position of code-point offset ``cp`` (0..len(text))."""
        if not 0 <= cp <= self._length:
            raise ValueError(f"code-point offset {cp} is outside the text (0..{self._length})")
        return cp + bisect_left(self._astral_cp, cp) if self._astral_cp else cp

    def to_cp(self, qt: int) -> int:
        """The code-point offset of Qt position ``qt``; inside a surrogate pair: that character's start."""
        if not 0 <= qt <= self.qt_length:
            raise ValueError(f"Qt position {qt} is outside the document (0..{self.qt_length})")
        # Astral characters starting before ``qt`` each took one extra position;
        # for a position inside a pair this lands on the pair's character.
        return qt - bisect_left(self._astral_qt, qt) if self._astral_qt else qt

    def span_to_qt(self, start: int, end: int) -> tuple[int, int]:
        """A code-point span as Qt positions."""
        return self.to_qt(start), self.to_qt(end)

    def span_to_cp(self, a: int, b: int) -> tuple[int, int]:
        """Qt positions (in either order, e.g. anchor and position) as a code-point span.

        Ends inside a surrogate pair snap outwards, so the character is kept whole;
        an empty selection stays empty.
        """
        a, b = min(a, b), max(a, b)
        start, end = self.to_cp(a), self.to_cp(b)
        if a < b and self.to_qt(end) < b:
            end += 1
        return start, end
