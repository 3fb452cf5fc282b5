"""The stored rows: the fast shape of documents and annotations, and conversions.

:class:`~annotator.core.models.Annotation` and
:class:`~annotator.core.models.Document` are the rich, validated models.  The
store's bulk reads (exports, merging, the review queue, agreement) return
:class:`AnnotationRow` and :class:`DocumentRow` instead: named tuples with the
store's columns in the store's order, made without validation (they were
validated when written) and with JSON columns left as text until asked.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pydantic: imported by the conversions that need it (not the bulk reads)
    from annotator.core.models import Annotation, Document

__all__ = [
    "AnnotationRow",
    "AgreementRow",
    "DocumentRow",
    "ANNOTATION_COLUMNS",
    "AGREEMENT_COLUMNS",
    "DOCUMENT_COLUMNS",
    "annotation_row",
    "fragments_json",
    "row_to_annotation",
    "document_row",
    "row_to_document",
    "as_annotation_rows",
    "as_agreement_rows",
    "as_document_rows",
    "link_dicts",
]


class AnnotationRow(NamedTuple):
    """One stored annotation, columns by name (``attributes`` and ``arguments`` are
    the stored JSON text: ``"{}"`` and ``"[]"`` when empty)."""

    id: str
    doc_id: str
    kind: str
    label: str
    start: int | None
    end: int | None
    attributes: str
    arguments: str
    head: str | None
    tail: str | None
    claimant_ref: str | None
    claimant_text: str | None
    annotator: str
    source: str
    created: str
    updated: str
    #: The fragments of a discontinuous span as stored JSON (``[[s, e], ...]``);
    #: None for every one-piece span (issue 14).  Last, so rows made without it stay valid.
    fragments: str | None = None
    #: Knowledge-base links, the stored JSON text (``"[]"`` when none; m011_kb_links).
    links: str = "[]"

    def attribute_values(self) -> dict[str, Any]:
        """The attributes, parsed (a new dict)."""
        return _attribute_values(self.attributes)

    def argument_pairs(self) -> list[tuple[str, str]]:
        """The event's arguments as ``(role, target)``, in stored order."""
        return _argument_pairs(self.arguments)

    def fragment_ranges(self) -> list[tuple[int, int]] | None:
        """The fragments as ``(start, end)`` ranges, or None for a one-piece span."""
        return _fragment_ranges(self.fragments)

    def pieces(self) -> list[tuple[int, int]]:
        """The span's pieces: its fragments, or ``[(start, end)]`` (empty for a relation)."""
        return _pieces(self.start, self.end, self.fragments)

    def link_list(self) -> list[dict[str, str]]:
        """The knowledge-base links, parsed: ``{"resource", "id", "name"}`` each, in stored order."""
        return link_dicts(self.links)

    def referenced_ids(self) -> set[str]:
        """Ids of other annotations this one points at (as :meth:`Annotation.referenced_ids`)."""
        from annotator.core.coref import is_actor_ref  # not needed to show a document

        refs = {t for _r, t in self.argument_pairs() if not is_actor_ref(t)}
        refs.update(r for r in (self.head, self.tail, self.claimant_ref) if r and not is_actor_ref(r))
        return refs

    def actor_refs(self) -> set[str]:
        """The actor references of the claimant and arguments (as :meth:`Annotation.actor_refs`)."""
        from annotator.core.coref import is_actor_ref  # not needed to show a document

        refs = {t for _r, t in self.argument_pairs() if is_actor_ref(t)}
        if is_actor_ref(self.claimant_ref):
            refs.add(self.claimant_ref or "")
        return refs


class AgreementRow(NamedTuple):
    """The columns of a stored annotation that the agreement metrics read: those of
    :class:`AnnotationRow` but ``head``, ``tail``, ``source``, ``created`` and
    ``updated`` (agreement reads every annotation of the annotators compared; the
    columns it does not need cost about a tenth of its time)."""

    id: str
    doc_id: str
    kind: str
    label: str
    start: int | None
    end: int | None
    attributes: str
    arguments: str
    claimant_ref: str | None
    claimant_text: str | None
    annotator: str
    fragments: str | None = None
    #: Knowledge-base links, the stored JSON text (agreement on links of matched entities).
    links: str = "[]"

    def link_list(self) -> list[dict[str, str]]:
        """The knowledge-base links, parsed (as :meth:`AnnotationRow.link_list`)."""
        return link_dicts(self.links)

    def attribute_values(self) -> dict[str, Any]:
        """The attributes, parsed (a new dict)."""
        return _attribute_values(self.attributes)

    def argument_pairs(self) -> list[tuple[str, str]]:
        """The event's arguments as ``(role, target)``, in stored order."""
        return _argument_pairs(self.arguments)

    def pieces(self) -> list[tuple[int, int]]:
        """The span's pieces: its fragments, or ``[(start, end)]`` (empty for a relation)."""
        return _pieces(self.start, self.end, self.fragments)


def _attribute_values(attributes: str) -> dict[str, Any]:
    return json.loads(attributes) if attributes not in ("", "{}") else {}


def link_dicts(links: str) -> list[dict[str, str]]:
    """Stored links (JSON text) as ``{"resource", "id", "name"}`` dicts."""
    if links in ("", "[]", None):
        return []
    return [{"resource": x["resource"], "id": x["id"], "name": x.get("name", "")} for x in json.loads(links)]


def _argument_pairs(arguments: str) -> list[tuple[str, str]]:
    if arguments in ("", "[]"):
        return []
    return [(x["role"], x["target"]) for x in json.loads(arguments)]


def _fragment_ranges(fragments: str | None) -> list[tuple[int, int]] | None:
    if fragments is None:
        return None
    return [(int(s), int(e)) for s, e in json.loads(fragments)]


def _pieces(start: int | None, end: int | None, fragments: str | None) -> list[tuple[int, int]]:
    if fragments is not None:
        return [(int(s), int(e)) for s, e in json.loads(fragments)]
    if start is None or end is None:
        return []
    return [(start, end)]


def fragments_json(fragments: list[tuple[int, int]] | None) -> str | None:
    """The stored JSON of a span's fragments (None for a one-piece span)."""
    if fragments is None:
        return None
    return json.dumps([[s, e] for s, e in fragments])


class DocumentRow(NamedTuple):
    """One stored document, columns by name (``metadata`` is the stored JSON text)."""

    id: str
    external_id: str | None
    title: str
    text: str
    sha256: str
    source: str
    metadata: str
    status: str
    created: str
    updated: str


#: The annotations table's columns, in the order rows hold them.
ANNOTATION_COLUMNS: tuple[str, ...] = AnnotationRow._fields
#: The annotations table's columns read into :class:`AgreementRow`, in its order.
AGREEMENT_COLUMNS: tuple[str, ...] = AgreementRow._fields
#: The documents table's columns read into :class:`DocumentRow`.
DOCUMENT_COLUMNS: tuple[str, ...] = DocumentRow._fields

# ``tuple.__new__(AnnotationRow, row)`` makes the named tuple of a plain row without
# the named tuple's Python-level constructor (bulk reads make 10^5 of them).
_as_annotation_row = partial(tuple.__new__, AnnotationRow)
_as_agreement_row = partial(tuple.__new__, AgreementRow)
_as_document_row = partial(tuple.__new__, DocumentRow)


def as_annotation_rows(rows: list[tuple]) -> list[AnnotationRow]:
    """:class:`AnnotationRow` s of plain rows in the store's column order."""
    return list(map(_as_annotation_row, rows))


def as_agreement_rows(rows: list[tuple]) -> list[AgreementRow]:
    """:class:`AgreementRow` s of plain rows holding :data:`AGREEMENT_COLUMNS`."""
    return list(map(_as_agreement_row, rows))


def as_document_rows(rows: list[tuple]) -> list[DocumentRow]:
    """:class:`DocumentRow` s of plain rows in the store's column order."""
    return list(map(_as_document_row, rows))


#: ``json.dumps(value, ensure_ascii=False, sort_keys=True)``, without making an encoder per call.
_sorted_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def annotation_row(a: Annotation) -> AnnotationRow:
    """The stored row of an annotation."""
    return AnnotationRow(
        a.id,
        a.doc_id,
        a.kind,
        a.label,
        a.start,
        a.end,
        # Most annotations have neither: skip the encoder for the empty values.
        _sorted_json(a.attributes) if a.attributes else "{}",
        json.dumps([x.model_dump() for x in a.arguments], ensure_ascii=False) if a.arguments else "[]",
        a.head,
        a.tail,
        a.claimant_ref,
        a.claimant_text,
        a.annotator,
        str(a.source),
        a.created,
        a.updated,
        fragments_json(a.fragments) if a.fragments is not None else None,
        json.dumps([x.model_dump() for x in a.links], ensure_ascii=False) if a.links else "[]",
    )


def row_to_annotation(row: tuple) -> Annotation:
    """The validated :class:`Annotation` of a stored row."""
    from annotator.core.models import Annotation

    d = dict(zip(ANNOTATION_COLUMNS, row))
    d["attributes"] = json.loads(d["attributes"]) if d["attributes"] != "{}" else {}
    d["arguments"] = json.loads(d["arguments"]) if d["arguments"] != "[]" else []
    if d.get("fragments") is not None:
        d["fragments"] = json.loads(d["fragments"])
    d["links"] = json.loads(d["links"]) if d["links"] != "[]" else []
    return Annotation.model_validate(d)


def document_row(d: Document) -> DocumentRow:
    """The stored row of a document."""
    return DocumentRow(
        d.id,
        d.external_id,
        d.title,
        d.text,
        d.sha256,
        d.source,
        _sorted_json(d.metadata),
        str(d.status),
        d.created,
        d.updated,
    )


def row_to_document(row: tuple) -> Document:
    """The validated :class:`Document` of a stored row."""
    from annotator.core.models import Document

    d = dict(zip(DOCUMENT_COLUMNS, row))
    d["metadata"] = json.loads(d["metadata"])
    return Document.model_validate(d)
