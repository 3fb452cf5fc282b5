"""Claims for fact-checking: one JSON object per claim.

::

    {"id": "c1", "doc_id": "57094be73bc1fc03", "external_id": "seed-0", "title": "...",
     "claim": {"start": 1737, "end": 1790, "text": "China controls around 70% of global rare earth mining"},
     "context": {"start": 1737, "end": 1852, "text": "China controls around 70% ... supply chains."},
     "claimant": {"id": "a9", "start": 870, "end": 885, "text": "Randhir Jaiswal", "label": "PERSON"},
     "attributes": {"claim_type": "statistical", "check_worthiness": "high", "stance": "supports", "veracity": "unverified"},
     "annotator": "alice", "source": "manual"}

- Offsets are code points into the document text (UTF-16 units with
  ``--offsets utf16``), end-exclusive.
- ``context`` is the sentence around the claim (the sentences it overlaps,
  from :func:`annotator.core.tokenize.sentences`).
- ``claimant`` is the linked span (``id``, span, ``text``, ``label``), or
  ``{"text": "..."}`` for a claimant typed as free text, or null.
- ``attributes`` has every claim attribute of the project's schema (null when
  the annotator did not set it), then any other attribute the claim carries.
- Claims of every annotator are exported, each naming its annotator (choose one
  with ``--annotator`` or ``--gold``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from annotator.core.models import all_spans, has_span
from annotator.core.tokenize import sentences
from annotator.formats.writing import JsonlWriter, Unit, claim_attributes

__all__ = ["ClaimsWriter"]


class ClaimsWriter(JsonlWriter):
    """The ``claims`` format."""

    def records(self, unit: Unit) -> Iterable[dict[str, Any]]:
        claims = [a for a in unit.annotations if a.kind == "claim"]
        if not claims:
            return
        assert all_spans(claims)  # every claim has a span
        text = unit.text
        sents = sentences(text)
        starts = [s for s, _ in sents]
        names = [attr.name for attr in self.ctx.schema.claim.attributes]
        for c in claims:
            first = max(bisect_right(starts, c.start) - 1, 0)
            last = max(bisect_right(starts, c.end - 1) - 1, 0)
            cs = min(sents[first][0], c.start) if sents else c.start
            ce = max(sents[last][1], c.end) if sents else c.end
            claimant: dict[str, Any] | None = None
            if c.claimant_ref:
                target = self.ctx.resolve(unit, c.claimant_ref)
                if target is None:
                    self.report.problem("links", unit.problem(c, f"claimant {c.claimant_ref} does not exist"))
                elif not has_span(target):
                    self.report.problem("links", unit.problem(c, f"claimant {c.claimant_ref} is a {target.kind}, not a span"))
                else:
                    claimant = {
                        "id": target.id,
                        "start": unit.pos(target.start),
                        "end": unit.pos(target.end),
                        "text": target.text_in(text),
                        "label": target.label,
                    }
                    if c.claimant_ref in unit.actors:
                        claimant["actor"] = unit.actors[c.claimant_ref].to_dict()
            elif c.claimant_text:
                claimant = {"text": c.claimant_text}
            attributes = claim_attributes(names, c.attributes)
            rec: dict[str, Any] = {"id": c.id, "doc_id": unit.doc.id}
            if unit.doc.external_id is not None:
                rec["external_id"] = unit.doc.external_id
            rec["title"] = unit.doc.title
            rec["claim"] = {"start": unit.pos(c.start), "end": unit.pos(c.end)}
            if c.fragments is not None:  # a discontinuous claim: its pieces; text is theirs joined by a space
                rec["claim"]["fragments"] = [[unit.pos(s), unit.pos(e)] for s, e in c.fragments]
            rec["claim"]["text"] = c.text_in(text)
            rec["context"] = {"start": unit.pos(cs), "end": unit.pos(ce), "text": text[cs:ce]}
            rec["claimant"] = claimant
            rec["attributes"] = attributes
            rec["annotator"] = c.annotator
            rec["source"] = str(c.source)
            yield rec
