"""Accepting and rejecting suggestions (issue 17): undoable commands in the style
of :mod:`annotator.core.commands`, one transaction and one undo step each, over
any number of suggestions in any number of documents.

- :class:`AcceptSuggestions`: the suggestions become the annotator's own
  annotations (source ``suggested``; optionally with another label), their
  suggester, score and detail recorded as provenance
  (:meth:`Project.suggestion_accepts <annotator.core.store.Project.suggestion_accepts>`).
  A claim's claimant is the annotator's entity mention at the speaker's span
  when there is one, else the speaker's text.
- :class:`RejectSuggestions`: the span and label are remembered as rejected by
  the annotator and never suggested to them again.

Like :class:`~annotator.core.commands.PropagateAnnotations`, a command's
``doc_id`` is the document it was started from; ``other_documents`` are the
others it touched (a front end announces them as changed wholesale).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotator.core.commands import Changes, Command, CommandError, put_added_rows, take_back_added_rows
from annotator.core.kinds import CLAIM_LABEL, GOLD, SPAN_KINDS, DocStatus, Source, new_id
from annotator.core.store import Project, RejectionKey, StoredSuggestion

if TYPE_CHECKING:
    from annotator.core.models import Annotation

__all__ = ["AcceptSuggestions", "RejectSuggestions", "kind_of_label"]


def kind_of_label(project: Project, label: str) -> str:
    """The span kind whose labels include ``label`` (entity first, then event, then claim)."""
    for kind in SPAN_KINDS:
        if label in project.schema.labels(kind):
            return kind
    known = [lab for kind in SPAN_KINDS for lab in project.schema.labels(kind)]
    raise CommandError(f"{label!r} is not a label of this project's schema (labels: {', '.join(known)})")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _SuggestionCommand(Command):
    """What accepting and rejecting share: the suggestions, the documents, the changes."""

    verb = ""

    def __init__(self, actor: str, suggestions: list[StoredSuggestion], doc_id: str | None = None):
        if not suggestions:
            raise CommandError(f"no suggestions to {self.verb}")
        if not actor.strip():
            raise CommandError("no annotator name")
        if actor == GOLD:
            raise CommandError(f"the gold layer ({GOLD}) is written by review, not by accepting or rejecting suggestions")
        super().__init__(doc_id or suggestions[0].doc_id, actor)
        self.suggestions = list(suggestions)
        self.doc_ids = sorted({s.doc_id for s in self.suggestions})
        self._planned = False

    def plan(self, project: Project) -> dict[str, Annotation | None]:
        return {}

    @property
    def other_documents(self) -> frozenset[str]:
        """The documents this changed besides :attr:`doc_id`."""
        return frozenset(self.doc_ids) - {self.doc_id}

    def _where(self) -> str:
        docs = len(self.doc_ids)
        return "" if docs == 1 else f" in {docs} documents"


class AcceptSuggestions(_SuggestionCommand):
    """Accept suggestions as ``actor``'s annotations (``label``: all of them with
    this label instead), one undo step.  Suggestions that already are the
    annotator's annotation (same kind, label and span) are skipped, as are
    duplicates (the same span and label from two suggesters: one annotation).
    A suggestion accepted with another label has its own label remembered as
    rejected for that span (the annotator judged it wrong); undo forgets that too."""

    verb = "accept"

    def __init__(self, actor: str, suggestions: list[StoredSuggestion], *, label: str | None = None, doc_id: str | None = None):
        super().__init__(actor, suggestions, doc_id)
        self.label = label
        self.rows: list[Any] = []  # AnnotationRow
        self.annotations: list[Annotation] = []
        self.sources: list[tuple[str, StoredSuggestion]] = []
        #: (doc_id, start, end, label, suggester) of the labels replaced by ``label``, rejected by this
        self.relabelled: list[tuple[str, int, int, str, str]] = []
        #: doc id -> (status before, status after) of the documents this starts
        self.statuses: dict[str, tuple[DocStatus, DocStatus]] = {}
        n = len(self.suggestions)
        what = f" as {label}" if label else ""
        self.text = f"accept {_plural(n, 'suggestion')}{what}{self._where()}"

    def _first_check(self, project: Project) -> None:
        from annotator.core.models import Annotation
        from annotator.core.rows import annotation_row

        new_kind = kind_of_label(project, self.label) if self.label else None
        summaries: dict[str, dict[str, Any]] = {}
        for i in range(0, len(self.doc_ids), 500):
            summaries.update(project.document_summaries(self.doc_ids[i : i + 500]))
        mine: dict[str, list[Annotation]] = {}
        seen: set[tuple[str, str, str, int, int]] = set()
        attributes = project.schema.claim.new_attributes()
        rejected = project.suggestion_rejections(self.actor, self.doc_ids) if self.label else set()
        for s in self.suggestions:
            info = summaries.get(s.doc_id)
            if info is None:
                raise CommandError(f"document {s.doc_id} is not in this project (deleted since it was suggested?)")
            kind, label = (new_kind, self.label) if new_kind and self.label else (s.kind, s.label)
            if kind not in SPAN_KINDS:
                raise CommandError(f"a suggestion of kind {kind!r} cannot be accepted")
            if kind == "claim":
                label = CLAIM_LABEL
            elif label not in project.schema.labels(kind):
                raise CommandError(f"{label!r} is not a {kind} label of this project's schema (suggested by {s.suggester})")
            if not 0 <= s.start < s.end <= info["length"]:
                raise CommandError(f"suggestion [{s.start}, {s.end}) is outside document {s.doc_id} (length {info['length']})")
            old = (s.doc_id, s.start, s.end, s.label)
            if label != s.label and old not in rejected:
                rejected.add(old)
                self.relabelled.append((*old, s.suggester))
            key = (s.doc_id, kind, label, s.start, s.end)
            if key in seen:
                continue
            if s.doc_id not in mine:
                mine[s.doc_id] = project.annotations(s.doc_id, self.actor)
            layer = mine[s.doc_id]
            if any(a.kind == kind and a.label == label and a.start == s.start and a.end == s.end for a in layer):
                continue  # already theirs
            seen.add(key)
            fields: dict[str, Any] = {}
            if kind == "claim":
                fields["attributes"] = dict(attributes)
                if s.claimant_start is not None and s.claimant_end is not None:
                    ref = _claimant_mention(layer, s.claimant_start, s.claimant_end)
                    if ref is not None:
                        fields["claimant_ref"] = ref
                    else:
                        fields["claimant_text"] = s.claimant_text
                elif s.claimant_text:
                    fields["claimant_text"] = s.claimant_text
            ann = Annotation(
                id=new_id(),
                doc_id=s.doc_id,
                kind=kind,  # type: ignore[arg-type]
                label=label,
                start=s.start,
                end=s.end,
                annotator=self.actor,
                source=Source.SUGGESTED,
                **fields,
            )
            self.annotations.append(ann)
            self.sources.append((ann.id, s))
        if not self.annotations:
            raise CommandError("nothing to accept: every one of these suggestions is already an annotation of yours")
        self.rows = [annotation_row(a) for a in self.annotations]
        for doc_id in sorted({a.doc_id for a in self.annotations}):
            if summaries[doc_id]["status"] == DocStatus.NEW:
                self.statuses[doc_id] = (DocStatus.NEW, DocStatus.IN_PROGRESS)
        self.before = dict.fromkeys(a.id for a in self.annotations)
        self.after = {a.id: a for a in self.annotations}

    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.annotations]

    def _changes(self, *, added: bool) -> Changes:
        changes = Changes(doc_id=self.doc_id)
        ids = {a.id for a in self.annotations if a.doc_id == self.doc_id}
        if added:
            changes.added = ids
        else:
            changes.removed = ids
        if self.doc_id in self.statuses:
            changes.status = self.statuses[self.doc_id][1 if added else 0]
        return changes

    def do(self, project: Project) -> Changes:
        if not self._planned:
            self._first_check(project)
            self._planned = True
        put_added_rows(project, self.rows, self.statuses, self.text)
        project.put_suggestion_accepts(self.sources)
        project.add_suggestion_rejections(self.relabelled, self.actor)
        project.ensure_annotators({self.actor})
        project.log(self.actor, self.doc_id, "do:AcceptSuggestions", self._log_detail())
        return self._changes(added=True)

    def undo(self, project: Project) -> Changes:
        assert self._planned, "undo before do"
        take_back_added_rows(project, self.rows, self.statuses, self.text, "accepted suggestions")
        project.delete_suggestion_accepts(self.ids)
        project.remove_suggestion_rejections([(d, s, e, lab) for d, s, e, lab, _ in self.relabelled], self.actor)
        project.log(self.actor, self.doc_id, "undo:AcceptSuggestions", self._log_detail())
        return self._changes(added=False)

    def _log_detail(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "accepted": {a: {"suggestion": s.id, "suggester": s.suggester, "score": s.score} for a, s in self.sources},
            "documents": self.doc_ids,
        }


def _claimant_mention(layer: list[Annotation], start: int, end: int) -> str | None:
    """The id of the entity of ``layer`` at the speaker's span: the same span, else
    the smallest one containing it, else the largest one inside it."""
    entities = [a for a in layer if a.kind == "entity" and a.start is not None and a.end is not None]
    for a in entities:
        if a.start == start and a.end == end:
            return a.id
    around = [a for a in entities if a.start <= start and end <= a.end]  # type: ignore[operator]
    if around:
        return min(around, key=lambda a: a.end - a.start).id  # type: ignore[operator]
    inside = [a for a in entities if start <= a.start and a.end <= end]  # type: ignore[operator]
    if inside:
        return max(inside, key=lambda a: a.end - a.start).id  # type: ignore[operator]
    return None


class RejectSuggestions(_SuggestionCommand):
    """Reject suggestions: their spans and labels are remembered as rejected by
    ``actor`` (never suggested to them again), one undo step.  Undo forgets only
    the rejections this command made."""

    verb = "reject"

    def __init__(self, actor: str, suggestions: list[StoredSuggestion], *, doc_id: str | None = None):
        super().__init__(actor, suggestions, doc_id)
        self.keys: list[tuple[str, int, int, str, str]] = []
        self.text = f"reject {_plural(len(self.suggestions), 'suggestion')}{self._where()}"

    def _first_check(self, project: Project) -> None:
        before = project.suggestion_rejections(self.actor, self.doc_ids)
        known = set(project.document_titles(self.doc_ids))
        missing = [d for d in self.doc_ids if d not in known]
        if missing:
            raise CommandError(f"document {missing[0]} is not in this project (deleted since it was suggested?)")
        seen: set[RejectionKey] = set()
        for s in self.suggestions:
            key = (s.doc_id, s.start, s.end, s.label)
            if key in before or key in seen:
                continue
            seen.add(key)
            self.keys.append((*key, s.suggester))

    def _rejection_keys(self) -> list[RejectionKey]:
        return [(d, s, e, lab) for d, s, e, lab, _sug in self.keys]

    def do(self, project: Project) -> Changes:
        if not self._planned:
            self._first_check(project)
            self._planned = True
        project.add_suggestion_rejections(self.keys, self.actor)
        project.ensure_annotators({self.actor})
        project.log(self.actor, self.doc_id, "do:RejectSuggestions", self._log_detail())
        return Changes(doc_id=self.doc_id)

    def undo(self, project: Project) -> Changes:
        assert self._planned, "undo before do"
        project.remove_suggestion_rejections(self._rejection_keys(), self.actor)
        project.log(self.actor, self.doc_id, "undo:RejectSuggestions", self._log_detail())
        return Changes(doc_id=self.doc_id)

    def _log_detail(self) -> dict[str, Any]:
        return {"text": self.text, "rejected": [list(k) for k in self.keys], "documents": self.doc_ids}
