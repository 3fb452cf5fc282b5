"""Knowledge bases and links (issue 14): loading a knowledge-base file into a
project, and fuzzy candidate search for linking an entity.

Loading (:func:`load_kb`) reads the file through the codec
(:class:`annotator.formats.kb.KbReader`) and writes it in one transaction: a
bad row (file and line in the message) or a cancel leaves the project as it was.

Candidate search (:func:`kb_candidates`) works in two steps.  The candidate
index (FTS5 over name and aliases, case and diacritics folded) finds up to a few
hundred entries each way: those with the query's words in this order (the last
one begun: a name being typed), then those holding every word as itself, as a
word it begins, or, for a word the index does not know, as a word close to it in
spelling (typos: terms sharing its first two letters and about its length,
picked with rapidfuzz from the index's vocabulary); when those are too few,
entries holding any of the words.  rapidfuzz then scores each candidate's name
and aliases against the whole query (``WRatio``, 0-100; a name or alias that
begins with the query scores at least 95), entries holding only some of the
words count 10 points less, and the best ``limit`` are returned (an entry whose
id is the query exactly first).  Term ranges read are remembered while the
knowledge bases stay as they are, so typing a name searches faster at each key.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path

from annotator.core.errors import ProjectError
from annotator.core.store import KbEntry, KbResource, Project
from annotator.formats import InputError
from annotator.formats.kb import KbReader, KbRow

__all__ = [
    "Candidate",
    "KbLoadReport",
    "KbError",
    "check_resource_name",
    "load_kb",
    "delete_kb",
    "kb_candidates",
    "normalize_words",
]

#: Rows written per batch while loading (and between progress calls).
_BATCH = 20_000
#: Candidates the index gives to rank, at most (the first found, in the order they were loaded).
_POOL = 400
#: A word of at least this many letters also stands for the index terms it begins (a word being typed).
_PREFIX_FROM = 2
#: Terms read to find a word's completions, and how many of the shortest are used
#: (more for the last word, the one being typed).
_COMPLETIONS_READ = 400
_COMPLETIONS = 8
_COMPLETIONS_TYPING = 30
#: Terms read (those sharing a word's first two letters) to find those close to it, and how many are used.
_NEAR_READ = 30_000
_NEAR = 8
#: The score of a name or alias that begins with the whole query (the query is being typed).
_BEGINS = 95.0
#: Points an entry holding only some of the query's words is ranked as lower.
_SOME_WORDS_PENALTY = 10.0
_RESOURCE_NAME = re.compile(r"^[^\s:|]+$")
_WORD = re.compile(r"\w+")


class KbError(ValueError):
    """A knowledge base that cannot be loaded or found; ``str()`` is the message."""


@dataclass(frozen=True)
class KbLoadReport:
    """What :func:`load_kb` did."""

    resource: str
    file: str
    format: str
    entries: int
    replaced: int | None  # entries of the knowledge base it replaced, None if it was new
    seconds: float


@dataclass(frozen=True)
class Candidate:
    """One entry proposed for a query, with its score (0-100) and what matched (its name or an alias)."""

    resource: str
    id: str
    name: str
    description: str
    aliases: tuple[str, ...]
    score: float
    matched: str

    def to_dict(self) -> dict[str, object]:
        return {
            "resource": self.resource,
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "aliases": list(self.aliases),
            "score": round(self.score, 1),
            "matched": self.matched,
        }


def check_resource_name(name: str) -> str:
    """The name of a knowledge base, trimmed; KbError if it cannot be one (empty,
    or with a space, ``:`` or ``|``: links are written ``resource:id``)."""
    name = (name or "").strip()
    if not name:
        raise KbError("a knowledge base needs a name (--name)")
    if not _RESOURCE_NAME.match(name):
        raise KbError(f"{name!r} cannot name a knowledge base: no spaces, ':' or '|' (links are written as NAME:ID)")
    return name


def load_kb(
    project: Project,
    path: str | Path,
    name: str,
    *,
    fmt: str | None = None,
    replace: bool = False,
    actor: str = "annotator",
    progress: Callable[[int, int, int], None] | None = None,
) -> KbLoadReport:
    """Load the knowledge base in ``path`` (CSV, TSV or JSON lines) into ``project``
    as ``name``, in one transaction.

    A knowledge base of that name is replaced when ``replace``, else KbError.
    ``progress(bytes read, file size, entries)`` is called after every batch; an
    exception it raises (a cancel) rolls everything back.  Bad input raises
    :class:`~annotator.formats.InputError` (file and line): nothing is changed."""
    started = time.perf_counter()
    name = check_resource_name(name)
    reader = KbReader(path)
    existing = project.kb_resource(name)
    if existing is not None and not replace:
        raise KbError(
            f"a knowledge base named {name!r} exists already ({existing.entries:,} entries from {existing.file}, "
            f"loaded {existing.loaded[:16].replace('T', ' ')}); replace it (--replace) or choose another name"
        )
    replaced: int | None = None
    with project.transaction():
        if existing is not None:
            replaced = project.kb_delete_resource(name)
        project.kb_add_resource(name, str(Path(path).resolve()) if Path(path).exists() else str(path), actor)
        count = 0
        rows = iter(reader)
        while True:
            batch = _take(rows, _BATCH)
            if not batch:
                break
            try:
                with project.transaction():  # a savepoint: a failed batch leaves only the earlier ones
                    project.kb_insert_entries(name, _stored(batch))
            except ProjectError:
                _explain_duplicate(project, reader, name, batch)
                raise
            count += len(batch)
            if progress is not None:
                progress(reader.position, reader.size, count)
        if count == 0:
            raise InputError(reader.name, None, "no entries (a header or blank lines only)")
        project.kb_index_resource(name)
        project.kb_refresh_terms()
        project.kb_set_entry_count(name)
        project.log(actor, None, "kb_load", {"resource": name, "file": str(path), "entries": count, "replaced": replaced})
    return KbLoadReport(name, str(path), reader.format, count, replaced, time.perf_counter() - started)


def _take(rows: Iterator[KbRow], n: int) -> list[KbRow]:
    out: list[KbRow] = []
    for row in rows:
        out.append(row)
        if len(out) >= n:
            break
    return out


def _stored(batch: list[KbRow]) -> Iterator[tuple[str, str, str, str]]:
    """The rows as stored: aliases as a JSON list (each string encoded by json's C encoder)."""
    for entry_id, name, aliases, description, _line in batch:
        yield (entry_id, name, "[" + ", ".join(map(encode_basestring, aliases)) + "]" if aliases else "[]", description)


def _explain_duplicate(project: Project, reader: KbReader, name: str, batch: list[KbRow]) -> None:
    """After an insert failed: raise an InputError naming the line of a repeated id
    (and the line it first appeared on), if that was the cause."""
    seen: dict[str, int] = {}
    for r in batch:
        if r.id in seen:
            raise InputError(reader.name, r.line, f"the id {r.id!r} is given twice (first on line {seen[r.id]})")
        seen[r.id] = r.line
    stored = project.kb_duplicate_ids(name, [r.id for r in batch])
    if not stored:
        return
    row = next(r for r in batch if r.id in stored)
    first = next((x.line for x in KbReader(reader.path, reader.format, name=reader.name) if x.id == row.id), None)
    raise InputError(reader.name, row.line, f"the id {row.id!r} is given twice" + (f" (first on line {first})" if first else ""))


def delete_kb(project: Project, name: str, *, actor: str = "annotator") -> int:
    """Delete a knowledge base and its entries (links of annotations to it stay);
    the number of entries deleted.  KbError if there is none of that name."""
    if project.kb_resource(name) is None:
        raise KbError(_no_such(project, name))
    with project.transaction():
        n = project.kb_delete_resource(name)
        project.kb_refresh_terms()
        project.log(actor, None, "kb_delete", {"resource": name, "entries": n})
    return n


def _no_such(project: Project, name: str) -> str:
    names = [r.name for r in project.kb_resources()]
    have = f"the project has {', '.join(names)}" if names else "the project has none (annotator kb load)"
    return f"no knowledge base named {name!r}: {have}"


def resources(project: Project) -> list[KbResource]:
    """The project's knowledge bases."""
    return project.kb_resources()


# -- candidate search ----------------------------------------------------------------
def normalize_words(text: str) -> list[str]:
    """The words of ``text`` as the candidate index folds them: lower case, without
    diacritics, letters and digits only."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return [w for w in _WORD.findall(folded) if w != "_"] if folded else []


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


#: Term ranges read lately: (project file, its knowledge bases as loaded, first letters, limit) -> terms.
#: Typing a name searches again at every keystroke, for the same first letters.
_TERM_CACHE: OrderedDict[tuple, list[tuple[str, int]]] = OrderedDict()
_TERM_CACHE_SIZE = 64
#: Terms of about a word's length sharing its first two letters, read lately (fuzzy search).
_NEAR_CACHE: OrderedDict[tuple, list[str]] = OrderedDict()


class _Vocabulary:
    """The candidate index's terms near the query's words (ranges remembered
    while the project's knowledge bases stay as they are)."""

    def __init__(self, project: Project, stamp: tuple):
        self.project = project
        self.stamp = (str(project.path), stamp)

    def terms(self, low: str, limit: int) -> list[tuple[str, int]]:
        key = (*self.stamp, low, limit)
        found = _TERM_CACHE.get(key)
        if found is None:
            found = _TERM_CACHE[key] = self.project.kb_terms(low, low + "\U0010ffff", limit)
            while len(_TERM_CACHE) > _TERM_CACHE_SIZE:
                _TERM_CACHE.popitem(last=False)
        else:
            _TERM_CACHE.move_to_end(key)
        return found

    def alternatives(self, word: str, typing: bool) -> list[str]:
        """Index terms standing for ``word``: itself, the shortest terms it begins
        (more for the word being typed, the last one) and, when the index has
        neither and the word has four letters or more, terms close to it in
        spelling (typos: terms sharing its first two letters, of about its length)."""
        completions = self.terms(word, _COMPLETIONS_READ) if len(word) >= _PREFIX_FROM else []
        out = [t for t, _n in completions if t == word] or ([word] if len(word) < _PREFIX_FROM else [])
        longer = sorted((t for t, _n in completions if t != word), key=len)
        out += longer[: _COMPLETIONS_TYPING if typing else _COMPLETIONS]
        if completions or len(word) < 4:
            return out
        from rapidfuzz import fuzz, process

        near = self.near(word[:2], len(word))
        cutoff = 80 if len(word) < 7 else 75
        found = process.extract(word, near, scorer=fuzz.ratio, score_cutoff=cutoff, limit=_NEAR)
        return out + [t for t, _score, _i in found]

    def near(self, low: str, length: int) -> list[str]:
        key = (*self.stamp, low, length)
        found = _NEAR_CACHE.get(key)
        if found is None:
            found = _NEAR_CACHE[key] = self.project.kb_terms_of_length(
                low, low + "\U0010ffff", length - 2, length + 2, _NEAR_READ
            )
            while len(_NEAR_CACHE) > _TERM_CACHE_SIZE:
                _NEAR_CACHE.popitem(last=False)
        return found


def kb_candidates(project: Project, resource: str | None, query: str, limit: int = 10) -> list[Candidate]:
    """The ``limit`` entries (of ``resource``, or of every knowledge base) that best
    match ``query``, best first, each with its score (0-100).

    An entry whose id is the query exactly comes first.  KbError if ``resource``
    is not a knowledge base of the project."""
    loaded = project.kb_resources()
    if resource is not None and resource not in {r.name for r in loaded}:
        raise KbError(_no_such(project, resource))
    query = query.strip()
    words = list(dict.fromkeys(normalize_words(query)))
    if not words or limit <= 0:
        return []
    vocabulary = _Vocabulary(project, tuple((r.name, r.loaded, r.entries) for r in loaded))
    if len(words) > 1 and len(words[-1]) < _PREFIX_FROM:  # a word just begun: for the ranking only
        words = words[:-1]
    options = [vocabulary.alternatives(w, typing=i == len(words) - 1) for i, w in enumerate(words)]
    groups = ["(" + " OR ".join(map(_quote, terms)) + ")" for terms in options if terms]
    last = words[-1]
    if len(words) > 1 and len(last) >= 3 and len(options[-1]) > _COMPLETIONS_TYPING:
        # the word being typed begins more terms than are listed: every one of them,
        # narrowed by the other words (FTS5 merges their entries)
        groups[-1] = "(" + " OR ".join([_quote(last) + "*", *map(_quote, options[-1][1:])]) + ")"
    pool: dict[tuple[str, str], KbEntry] = {}
    if len(words) > 1:  # the words in this order, the last one begun: the most likely first
        for e in project.kb_match(_quote(" ".join(words)) + "*", resource, _POOL):
            pool[(e.resource, e.id)] = e
    if len(groups) == len(words):  # every word is in the index in some form: entries with all of them
        for e in project.kb_match(" AND ".join(groups), resource, _POOL):
            pool.setdefault((e.resource, e.id), e)
    every = set(pool)
    if len(pool) < limit and groups and (len(groups) > 1 or len(groups) < len(words)):
        for e in project.kb_match(" OR ".join(groups), resource, _POOL):  # entries with any of them
            pool.setdefault((e.resource, e.id), e)
    exact_ids: list[KbEntry] = []
    for r in [resource] if resource is not None else [x.name for x in loaded]:
        hit = project.kb_entry(r, query)
        if hit is not None:
            exact_ids.append(hit)
            pool.pop((hit.resource, hit.id), None)
    ranked = [_score(query, e) for e in pool.values()]
    # entries holding every word first, unless one holding only some scores far better
    ranked.sort(
        key=lambda c: (
            -(c.score if (c.resource, c.id) in every else c.score - _SOME_WORDS_PENALTY),
            c.matched != c.name,
            len(c.name),
            c.resource,
            c.id,
        )
    )
    out = [Candidate(e.resource, e.id, e.name, e.description, tuple(e.aliases), 100.0, e.id) for e in exact_ids]
    return (out + ranked)[:limit]


def _score(query: str, e: KbEntry) -> Candidate:
    """rapidfuzz's WRatio of the query against the name and each alias (an alias
    scores a hair lower than the name on a tie); a name or alias that begins with
    the whole query (one being typed) scores at least :data:`_BEGINS`."""
    from rapidfuzz import fuzz, utils

    typed = utils.default_process(query)
    best, matched = -1.0, e.name
    for i, text in enumerate([e.name, *e.aliases]):
        s = fuzz.WRatio(typed, text, processor=utils.default_process)
        if s < _BEGINS and typed and utils.default_process(text).startswith(typed):
            s = _BEGINS
        if i:
            s *= 0.99  # the name wins a tie
        if s > best:
            best, matched = s, text
    return Candidate(e.resource, e.id, e.name, e.description, tuple(e.aliases), float(best), matched)
