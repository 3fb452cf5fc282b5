"""Schema constraints on annotations: pure checks, no Qt.

Each function says, in plain words for the user, why an annotation does not
fit the project's label schema (an argument filler of the wrong label, a
claimant that is not an entity, a relation whose ends are of the wrong kind,
...). The inspector lists these warnings; the workspace shows the first one
after linking two spans.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotator.core.models import Annotation
    from annotator.core.schema import LabelSchema, RoleSpec


def one_line(text: str, limit: int = 120) -> str:
    """Text for one table cell: line breaks made visible, long text shortened."""
    shown = text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\u2028", "⏎").replace("\u2029", "¶").replace("\t", "→")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _quote(ann: Annotation | None, text: str) -> str:
    return f"“{one_line(ann.text_in(text), 40)}”" if ann is not None else "?"


def filler_problem(role: RoleSpec | None, filler: Annotation | None, text: str, event_type: str = "") -> str | None:
    """Why ``filler`` does not suit ``role`` (None: it does)."""
    if role is None:
        return f"not a role of {event_type}" if event_type else "not a role of this event type"
    if filler is None:
        return "the filler no longer exists"
    if role.labels and (filler.kind != "entity" or filler.label not in role.labels):
        what = filler.label if filler.kind == "entity" else f"a {filler.kind} ({filler.label})"
        return f"{_quote(filler, text)} is {what}; {role.name} takes {', '.join(role.labels)}"
    return None


def event_warnings(event: Annotation, by_id: dict[str, Annotation], schema: LabelSchema, text: str) -> list[str]:
    """Schema problems of an event: unknown type or roles, wrong fillers, missing required roles."""
    et = schema.event_type(event.label)
    if et is None:
        return [f"{event.label} is not an event type of this schema"]
    from annotator.core.coref import is_actor_ref  # not needed to show a document

    out = []
    for arg in event.arguments:
        if is_actor_ref(arg.target):  # a cluster or registry entry (the commands check it exists)
            problem = None if et.role(arg.role) is not None else f"not a role of {et.name}"
        else:
            problem = filler_problem(et.role(arg.role), by_id.get(arg.target), text, et.name)
        if problem:
            out.append(f"{arg.role}: {problem}")
    have = {a.role for a in event.arguments}
    out += [f"Required role {r.name} has no argument yet" for r in et.roles if r.required and r.name not in have]
    return out


def claimant_problem(claim: Annotation, by_id: dict[str, Annotation], schema: LabelSchema, text: str) -> str | None:
    from annotator.core.coref import is_actor_ref  # not needed to show a document

    if not claim.claimant_ref or is_actor_ref(claim.claimant_ref):  # an actor: the commands check it exists
        return None
    target = by_id.get(claim.claimant_ref)
    if target is None:
        return "the claimant span no longer exists"
    allowed = schema.claim.claimant_labels
    if target.kind != "entity":
        return f"the claimant {_quote(target, text)} is a {target.kind}, not an entity"
    if allowed and target.label not in allowed:
        return f"the claimant {_quote(target, text)} is {target.label}; claimants are {', '.join(allowed)}"
    return None


def claim_warnings(claim: Annotation, by_id: dict[str, Annotation], schema: LabelSchema, text: str) -> list[str]:
    out = []
    problem = claimant_problem(claim, by_id, schema, text)
    if problem:
        out.append(problem[0].upper() + problem[1:])
    if not claim.claimant_ref and not claim.claimant_text:
        out.append("No claimant yet")
    for attr in schema.claim.attributes:
        value = claim.attributes.get(attr.name)
        if value is not None and value not in attr.values:
            out.append(f"{attr.name}: {value!r} is not one of {', '.join(attr.values)}")
    return out


def relation_warnings(rel: Annotation, by_id: dict[str, Annotation], schema: LabelSchema, text: str) -> list[str]:
    rt = schema.relation_type(rel.label)
    if rt is None:
        return [f"{rel.label} is not a relation type of this schema"]
    out = []
    for end, ref, allowed in (("head", rel.head, rt.head_labels), ("tail", rel.tail, rt.tail_labels)):
        target = by_id.get(ref or "")
        if target is None:
            out.append(f"The {end} no longer exists")
        elif allowed and target.label not in allowed:
            out.append(f"The {end} {_quote(target, text)} is {target.label}; {rt.name} takes {', '.join(allowed)}")
    return out


def warnings_for(ann: Annotation, by_id: dict[str, Annotation], schema: LabelSchema, text: str) -> list[str]:
    """Every schema warning about ``ann``."""
    if ann.label not in schema.labels(ann.kind):
        first = [f"{ann.label} is not a {ann.kind} label of this schema"]
        if ann.kind in ("entity", "claim"):
            return first
    if ann.kind == "event":
        return event_warnings(ann, by_id, schema, text)
    if ann.kind == "claim":
        return claim_warnings(ann, by_id, schema, text)
    if ann.kind == "relation":
        return relation_warnings(ann, by_id, schema, text)
    return []
