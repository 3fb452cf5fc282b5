"""Notes (issue 14): free text with a type, on an annotation or on a document.

A note belongs to one layer (``annotator``: the annotation's annotator, or for a
document note the annotator who wrote it), has a ``type`` (brat's
``AnnotatorNotes`` by default; any word without spaces) and is keyed by
``(doc_id, annotator, target, type)``: ``target`` is the annotation's id, or
``""`` for the document itself.  So an annotation has at most one note of each
type.  Notes live in their own table (migration ``m009_notes``); a note whose
annotation is deleted stays stored (an undo brings the annotation back with it)
and is ignored everywhere while the annotation is gone.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["DEFAULT_NOTE_TYPE", "Note", "check_note_type"]

#: The type of a note unless told otherwise (brat's convention).
DEFAULT_NOTE_TYPE = "AnnotatorNotes"

_TYPE = re.compile(r"^[^\s\x00-\x1f]{1,100}$")


class Note(NamedTuple):
    doc_id: str
    annotator: str
    #: The annotation's id; "" for a note on the document.
    target: str
    type: str
    text: str
    updated: str = ""

    @property
    def on_document(self) -> bool:
        return self.target == ""

    def key(self) -> tuple[str, str, str, str]:
        return (self.doc_id, self.annotator, self.target, self.type)

    def as_json(self) -> dict[str, str]:
        """A note in the native format's ``notes`` lists (``updated`` when known: merges compare it)."""
        out = {"type": self.type, "text": self.text}
        if self.updated:
            out["updated"] = self.updated
        return out


def check_note_type(note_type: str) -> str:
    """The type, or ValueError saying what is wrong (1-100 characters, no spaces)."""
    if not _TYPE.match(note_type):
        raise ValueError(f"note type {note_type!r} must be one word (no spaces or control characters, at most 100 characters)")
    return note_type
