"""What a brat ``.ann`` means, independent of its ids and line order: for tests that
check that brat -> annotator -> brat keeps the meaning of every line."""

from __future__ import annotations

from collections import Counter
from typing import Any

from annotator.formats.brat import split_role


def meaning(ann: str, declared_roles: frozenset[str] = frozenset()) -> dict[str, Counter]:
    """Counters of entities, events, relations, equivalence sets, attributes,
    normalizations and notes, each described by content (ids resolved)."""
    lines: dict[str, tuple[str, str, str | None]] = {}
    stars: list[str] = []
    for line in ann.splitlines():
        if not line.strip():
            continue
        ident, _, rest = line.partition("\t")
        data, tab, tail = rest.partition("\t")
        if ident == "*":
            stars.append(data)
        else:
            lines[ident] = (ident[0], data.strip(), tail if tab else None)
    triggers = {lines[i][1].split()[0].split(":")[1] for i in lines if i[0] == "E"}
    memo: dict[str, Any] = {}

    def canon(ident: str, seen: tuple[str, ...] = ()) -> Any:
        if ident in seen:
            return ("cycle", ident)
        if ident in memo:
            return memo[ident]
        kind, data, _ = lines[ident]
        parts = data.split()
        if kind == "T":
            frags = tuple(sorted(tuple(map(int, f.split())) for f in " ".join(parts[1:]).split(";")))
            out: Any = ("T", parts[0], frags)
        elif kind == "E":
            etype, trig = parts[0].split(":")
            roles: dict[str, list[tuple[int, Any]]] = {}
            for arg in parts[1:]:
                role, ref = arg.split(":")
                base, number = (role, 1) if role in declared_roles else split_role(role)
                roles.setdefault(base, []).append((number, canon(ref, (*seen, ident))))
            args = tuple(sorted((r, tuple(x for _, x in sorted(v, key=lambda t: t[0]))) for r, v in roles.items()))
            out = ("E", etype, canon(trig, (*seen, ident)), args)
        elif kind == "R":
            (n1, r1), (n2, r2) = (a.split(":") for a in parts[1:])
            out = ("R", parts[0], (n1, canon(r1, (*seen, ident))), (n2, canon(r2, (*seen, ident))))
        else:
            raise AssertionError(ident)
        memo[ident] = out
        return out

    result: dict[str, Counter] = {k: Counter() for k in ("T", "E", "R", "*", "A", "N", "#")}
    for ident, (kind, data, tail) in lines.items():
        parts = data.split()
        if kind == "T" and ident not in triggers:
            result["T"][canon(ident)] += 1
        elif kind == "E":
            result["E"][canon(ident)] += 1
        elif kind == "R":
            result["R"][canon(ident)] += 1
        elif kind in "AM":
            result["A"][(parts[0], canon(parts[1]), parts[2] if len(parts) > 2 else True)] += 1
        elif kind == "N":
            resource, _, key = parts[2].partition(":")
            result["N"][(parts[0], canon(parts[1]), resource, key, tail or "")] += 1
        elif kind == "#":
            result["#"][(parts[0], canon(parts[1]), tail or "")] += 1
    sets: dict[str, list[set]] = {}
    for data in stars:
        etype, *members = data.split()
        group = {canon(m) for m in members}
        merged = [g for g in sets.get(etype, []) if g & group]
        rest = [g for g in sets.get(etype, []) if not g & group]
        sets[etype] = [*rest, set().union(group, *merged)]
    for etype, groups in sets.items():
        for g in groups:
            result["*"][(etype, frozenset(g))] += 1
    return result
