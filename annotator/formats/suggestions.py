"""The suggestions layer (issue 17): stored suggestions written apart from the
annotations, for those who want model output.  A pure codec: records in, JSON
out; the suggestions service selects and writes them.

One JSON object per document that has suggestions::

    {"id": "...", "external_id": "...", "title": "...", "text": "...",
     "suggestions": [{"id", "kind", "label", "start", "end", "score", "suggester",
                      "claimant_start", "claimant_end", "claimant_text", "detail", "created"}]}

Offsets are code points into ``text``, end-exclusive (``text[start:end]``);
claimant fields appear for claims whose speaker was found.  These are never
annotations: the other formats never contain them unless accepted.
"""

from __future__ import annotations

from typing import Any

__all__ = ["suggestion_record", "SUGGESTION_FIELDS"]

#: The fields of one suggestion, in the order written.
SUGGESTION_FIELDS = (
    "id",
    "kind",
    "label",
    "start",
    "end",
    "score",
    "suggester",
    "claimant_start",
    "claimant_end",
    "claimant_text",
    "detail",
    "created",
)


def suggestion_record(
    doc_id: str, external_id: str | None, title: str, text: str, suggestions: list[dict[str, Any]]
) -> dict[str, Any]:
    """One document's line of the suggestions layer (``suggestions``: dicts with
    :data:`SUGGESTION_FIELDS`, claimant fields optional), sorted by span."""
    items = [{k: s[k] for k in SUGGESTION_FIELDS if k in s} for s in suggestions]
    items.sort(key=lambda s: (s["start"], s["end"], s["kind"], s["label"], s["suggester"]))
    return {"id": doc_id, "external_id": external_id, "title": title, "text": text, "suggestions": items}
