"""The ``doclabels`` export (issue 14): document labels, one JSON line per document::

    {"id": "57094be73bc1fc03", "text": "China has granted ...",
     "labels": {"topic": ["economy", "trade"], "genre": ["report"]},
     "meta": {"id": "57094be73bc1fc03", "title": "...", "annotator": "alice"}}

``labels`` maps each category the layer set a label in to its labels, always a
list (a single-choice category's has one), in schema order; categories not set
are left out.  ``text`` is the document's stored text (train a classifier from
this file alone).  Documents without document labels are left out unless
``--include-empty`` (then ``labels`` is ``{}``).  One layer per file, as the
span formats: ``--annotator``, ``--gold`` or ``--per-annotator`` (the ``id``
then ends in ``@annotator``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from annotator.formats.writing import JsonlWriter, Unit

__all__ = ["DocLabelsWriter"]


class DocLabelsWriter(JsonlWriter):
    """One record per document (or per document and annotator): id, text, labels, meta."""

    def records(self, unit: Unit) -> Iterable[dict[str, Any]]:
        yield {"id": unit.record_id, "text": unit.text, "labels": self.ctx.doc_labels(unit), "meta": unit.meta()}
