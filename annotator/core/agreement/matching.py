"""Agreement: matching two annotators' work, document by document (entities,
event triggers and arguments, claims), and the documents and tokens a pair shares."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.agreement.corpus import OUTSIDE, Claim, Corpus, View
from annotator.core.agreement.metrics import Counts
from annotator.core.models import CLAIM_LABEL


def _share(x: tuple, y: tuple) -> bool:
    """Whether two span keys share a character: ``(start, end)``, or for a
    discontinuous span ``(start, end, fragments)``, where only the fragments count
    (not the text between them)."""
    if x[0] >= y[1] or y[0] >= x[1]:  # the hulls do not even overlap
        return False
    if len(x) == 2 and len(y) == 2:
        return True
    px = x[2] if len(x) > 2 else ((x[0], x[1]),)
    py = y[2] if len(y) > 2 else ((y[0], y[1]),)
    return any(s1 < e2 and s2 < e1 for s1, e1 in px for s2, e2 in py)


def max_overlap_matching(a: Sequence[tuple], b: Sequence[tuple]) -> int:
    """Size of a maximum one-to-one matching between spans of ``a`` and ``b``
    where two spans may be matched when they share at least one character (of a
    discontinuous span, ``(start, end, fragments)``: a character of a fragment)."""
    if not a or not b:
        return 0
    if len(a) == 1 or len(b) == 1:  # one span on one side: it matches one overlapping span, if any
        one, other = (a[0], b) if len(a) == 1 else (b[0], a)
        return 1 if any(_share(one, x) for x in other) else 0
    adj = [[j for j, y in enumerate(b) if _share(x, y)] for x in a]
    edges = sum(len(x) for x in adj)
    if edges == len({j for x in adj for j in x}) and all(len(x) <= 1 for x in adj):
        return edges  # no span overlaps two others: every overlapping pair is a match
    match_b: list[int] = [-1] * len(b)

    def augment(i: int, seen: list[bool]) -> bool:
        for j in adj[i]:
            if not seen[j]:
                seen[j] = True
                if match_b[j] == -1 or augment(match_b[j], seen):
                    match_b[j] = i
                    return True
        return False

    # Kuhn's augmenting paths: exact maximum (matching equal spans first would not be).
    return sum(1 for i in range(len(a)) if adj[i] and augment(i, [False] * len(b)))


def multiset_matches(a: Sequence[Any], b: Sequence[Any]) -> int:
    if len(a) == 1:  # (the usual: one claim each)
        return 1 if a[0] in b else 0
    if len(b) == 1:
        return 1 if b[0] in a else 0
    ca, cb = Counter(a), Counter(b)
    return sum(min(v, cb[k]) for k, v in ca.items())


@dataclass
class PairState:
    documents: int = 0
    only_a: int = 0
    only_b: int = 0
    #: entity label -> [exact matches, overlap matches, size of a, size of b]
    ents: dict[str, list[int]] = field(default_factory=dict)
    tokens: Counter = field(default_factory=Counter)  # (category of a, category of b) -> n
    triggers: Counts = field(default_factory=Counts)
    args_by_type: Counts = field(default_factory=Counts)
    args_by_role: Counts = field(default_factory=Counts)
    claims: Counts = field(default_factory=Counts)
    claims_overlap: Counts = field(default_factory=Counts)
    claimant: list[tuple[Any, Any]] = field(default_factory=list)
    #: attribute -> Counter of (value of a, value of b) over matched claims where at
    #: least one of the two set it (an unset one is the category ``(unset)``)
    attributes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    #: attribute -> matched claims where neither set it (no judgement to compare)
    attributes_unset: Counter = field(default_factory=Counter)
    per_doc: dict[str, int] = field(default_factory=dict)
    #: knowledge-base links of exactly matched entities: [pairs with equal link sets,
    #: pairs where at least one of the two has a link]
    kb_links: list[int] = field(default_factory=lambda: [0, 0])


def pair_document(corpus: Corpus, st: PairState, doc_id: str, a: str, b: str, label: str | None) -> None:
    va, vb = corpus.view(doc_id, a, label), corpus.view(doc_id, b, label)
    disagreements = 0
    # -- entities -------------------------------------------------------------
    ents = st.ents
    ents_a, ents_b = va.ents, vb.ents
    if va.ent_set is not None and vb.ent_set is not None:  # no span twice: one set intersection
        exact: dict[str, int] = {}
        for item in va.ent_set & vb.ent_set:  # (start, end, label[, fragments])
            lab = item[2]
            exact[lab] = exact.get(lab, 0) + 1
    else:
        exact = {lab: multiset_matches(ents_a[lab], ents_b[lab]) for lab in ents_a.keys() & ents_b.keys()}
    for lab in ents_a.keys() | ents_b.keys():
        sa, sb = ents_a.get(lab, ()), ents_b.get(lab, ())
        na, nb = len(sa), len(sb)
        tp = exact.get(lab, 0)
        # an overlap matching is never smaller than the exact one, nor larger than min(na, nb)
        ov = tp if tp == min(na, nb) else max_overlap_matching(sa, sb)
        c = ents.get(lab)
        if c is None:
            ents[lab] = [tp, ov, na, nb]
        else:
            c[0] += tp
            c[1] += ov
            c[2] += na
            c[3] += nb
        disagreements += na + nb - 2 * tp
    if va.links or vb.links:
        disagreements += _pair_links(st, va, vb)
    # (tokens: counted for all pairs at once, see Corpus.token_vectors)
    # -- events ---------------------------------------------------------------
    st.args_by_type.add_sizes(va.args_by_type, 1)
    st.args_by_type.add_sizes(vb.args_by_type, 2)
    st.args_by_role.add_sizes(va.args_by_role, 1)
    st.args_by_role.add_sizes(vb.args_by_role, 2)
    for key in va.events.keys() | vb.events.keys():
        ga, gb = va.events.get(key, ()), vb.events.get(key, ())
        st.triggers.add(key[2], min(len(ga), len(gb)), len(ga), len(gb))
        disagreements += abs(len(ga) - len(gb))
        for args_a, args_b in zip(ga, gb):  # matched triggers, in the order they were made
            if args_a == args_b:  # every argument matches
                if args_a:
                    st.args_by_type.add(key[2], len(args_a), 0, 0)
                    for role, _f in args_a:
                        st.args_by_role.add(role, 1, 0, 0)
                continue
            common = Counter(args_a) & Counter(args_b)
            for (role, _f), n in common.items():
                st.args_by_type.add(key[2], n, 0, 0)
                st.args_by_role.add(role, n, 0, 0)
            disagreements += len(args_a) + len(args_b) - 2 * sum(common.values())
    # -- claims -------------------------------------------------------------
    if va.claims or vb.claims:
        cl_a, cl_b = va.claims, vb.claims
        spans_a = [c[0] for c in cl_a]
        spans_b = [c[0] for c in cl_b]
        tp = multiset_matches(spans_a, spans_b)
        ov = tp if tp == min(len(cl_a), len(cl_b)) else max_overlap_matching(spans_a, spans_b)
        st.claims.add(CLAIM_LABEL, tp, len(cl_a), len(cl_b))
        st.claims_overlap.add(CLAIM_LABEL, ov, len(cl_a), len(cl_b))
        disagreements += len(cl_a) + len(cl_b) - 2 * tp
        pool: dict[tuple, list[Claim]] = {}
        for claim in cl_b:
            pool.setdefault(claim[0], []).append(claim)
        for span, pa, attrs_a in cl_a:
            candidates = pool.get(span)
            if not candidates:
                continue
            _span, pb, attrs_b = candidates.pop(0)
            st.claimant.append((pa, pb))
            disagreements += pa != pb
            for name in _attribute_names(corpus, attrs_a, attrs_b):
                x, y = attrs_a.get(name), attrs_b.get(name)
                confusion = st.attributes[name]  # (made for every attribute, so each is reported)
                if x is None and y is None:  # nobody judged it: neither agreement nor disagreement
                    st.attributes_unset[name] += 1
                    continue
                confusion[(_value(x), _value(y))] += 1
                disagreements += x != y
    st.per_doc[doc_id] = disagreements


def _pair_links(st: PairState, va: View, vb: View) -> int:
    """Compare the link sets of the entities matched exactly (same span and label;
    two at one place are paired in the order they were made); pairs where neither
    has a link are not counted.  The number of pairs that differ."""
    empty: frozenset[tuple[str, str]] = frozenset()
    differ = 0
    for key in va.links.keys() | vb.links.keys():
        start, end, lab = key
        la = va.links.get(key) if va.links else [empty] * va.ents.get(lab, []).count((start, end))
        lb = vb.links.get(key) if vb.links else [empty] * vb.ents.get(lab, []).count((start, end))
        for x, y in zip(la or (), lb or ()):
            if x or y:
                st.kb_links[1] += 1
                if x == y:
                    st.kb_links[0] += 1
                else:
                    differ += 1
    return differ


def _attribute_names(corpus: Corpus, *dicts: dict[str, Any]) -> list[str]:
    names = list(corpus.claim_attributes)
    for d in dicts:
        names += [k for k in d if k not in names]
    return names


def _value(v: Any) -> str:
    if v is None:
        return "(unset)"
    return v if isinstance(v, str) else json.dumps(v, sort_keys=True)


def _worked(corpus: Corpus, doc_id: str, name: str) -> bool:
    return bool(corpus.docs.get(doc_id, {}).get(name))


def pair_documents(corpus: Corpus, a: str, b: str, documents: str) -> tuple[list[str], int, int]:
    shared, only_a, only_b = [], 0, 0
    for doc_id in corpus.docs:
        wa, wb = _worked(corpus, doc_id, a), _worked(corpus, doc_id, b)
        if wa and wb:
            shared.append(doc_id)
        elif wa:
            only_a += 1
            if documents == "any":
                shared.append(doc_id)
        elif wb:
            only_b += 1
            if documents == "any":
                shared.append(doc_id)
    return shared, only_a, only_b


def pair_tokens(vectors: Counter, i: int, j: int, documents: str) -> Counter:
    """``{(category of annotator i, of annotator j): number of tokens}`` over the
    documents that count for the pair."""
    tokens: Counter = Counter()
    for vec, n in vectors.items():
        x, y = vec[i], vec[j]
        if x is None or y is None:
            if documents != "any" or (x is None and y is None):
                continue
            x, y = (OUTSIDE if x is None else x), (OUTSIDE if y is None else y)
        tokens[(x, y)] += n
    return tokens


def token_alpha_units(corpus: Corpus, names: Sequence[str], label: str | None, documents: str) -> dict[tuple, int]:
    """``{sorted token categories of the annotators present: number of tokens}``."""
    units: Counter = Counter()
    for vec, n in corpus.token_vectors(tuple(names), label).items():
        if documents == "any":
            values = [OUTSIDE if v is None else v for v in vec]
        else:
            values = [v for v in vec if v is not None]
        if len(values) < 2:
            continue
        values.sort()
        units[tuple(values)] += n
    return units
