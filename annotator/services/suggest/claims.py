"""Claims from reported speech (issue 17): rules over the project tokenizer's tokens.

The rules (documented for users in ``docs/suggestions.md``):

1. **Quoted statements.**  Text between curly double quotes (“…”) or between a
   pair of straight double quotes on one line, of at least
   :data:`MIN_QUOTE_TOKENS` tokens (shorter quotes are scare quotes or titles),
   is a claim; its span is the quoted text without the quote marks and without a
   trailing comma, semicolon or colon.  Its speaker is looked for, in this order:

   - after the closing quote, in the same sentence: ``“…,” SPEAKER [also] VERB``
     (“…,” Jaiswal said; “…,” spokesperson Randhir Jaiswal told …) or
     ``“…,” VERB SPEAKER`` (“…,” said the minister);
   - before the opening quote, in the same sentence: ``SPEAKER VERB [that|:|,] “…”``.

2. **Reported speech without quotes**, one sentence at a time (sentences holding
   a quoted claim are skipped):

   - ``CLAIM, SPEAKER VERB …`` (China has granted licences …, the ministry said on Thursday);
   - ``SPEAKER VERB [that] CLAIM.`` (The ministry said that exports would resume.);
   - ``According to SPEAKER, CLAIM.`` and ``CLAIM, according to SPEAKER.``

   A dateline before a colon at the start of a sentence (``NEW DELHI:``) is not
   part of the claim.

VERB is one of :data:`SPEECH_VERBS` (said, told, added, stated, claimed, noted,
…) or ``according to``; words like "also" or "has" may stand between the speaker
and the verb.  The SPEAKER is a run of capitalised words next to the verb (a
name: "Randhir Jaiswal"), else a pronoun, else a short noun phrase from its
determiner ("the external affairs ministry").  A pronoun (he, she) is resolved to
the last named speaker before it in the document.

The claimant suggested is the speaker's existing entity mention (the smallest
entity annotation containing the speaker's span, or the largest inside it, when
the suggester is given the document's mentions), else the speaker's span.

Scores: a quote with a named speaker or a mention 0.9; with a resolved pronoun
0.8; with another speaker 0.75; reported speech without quotes 0.6; a quote
without a speaker found 0.4.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from annotator.core.kinds import CLAIM_LABEL
from annotator.core.tokenize import Token, sentences, tokenize
from annotator.services.suggest.base import Suggestion

if TYPE_CHECKING:
    from annotator.core.models import Document

__all__ = ["ClaimsSuggester", "SPEECH_VERBS", "NAME", "MIN_QUOTE_TOKENS"]

NAME = "claims"
#: Quotes shorter than this (in tokens, punctuation included) are not claims.
MIN_QUOTE_TOKENS = 4
SPEECH_VERBS = frozenset(
    """said says say told tells added adds stated states claimed claims noted notes explained explains
    insisted insists argued argues warned warns announced announces declared declares confirmed confirms
    asserted asserts maintained maintains remarked remarks replied replies responded responds acknowledged
    acknowledges observed observes emphasised emphasized emphasises emphasizes stressed stresses alleged
    alleges contended contends admitted admits reiterated reiterates wrote writes predicted predicts
    estimated estimates reported reports suggested suggests denied denies""".split()
)
#: Words that may stand between a speaker and the verb ("Jaiswal also said", "she has said").
_BETWEEN = frozenset("also further later then earlier previously once again has had have was is were had".split())
_PRONOUNS = frozenset("he she they we i it".split())
_PERSONAL = frozenset("he she".split())
_DETERMINERS = frozenset("the a an this that these those its his her their our my".split())
_OPEN_QUOTES = re.compile(r"“([^”\n]+)”|\"([^\"\n]+)\"")
_DATELINE = re.compile(r"(?:[^:\n]{0,40}?\b[A-Z]{3,}[^:\n]{0,40}?):\s+")
_TRIM = ",;: \t\n"

MentionSource = Callable[[str], Iterable[tuple[int, int]]]


def _is_cap(tok: Token) -> bool:
    c = tok.text[0]
    return c.isalpha() and c.isupper() and tok.text.lower() not in _PRONOUNS


def _is_word(tok: Token) -> bool:
    return tok.text[0].isalnum()


class _Speaker:
    __slots__ = ("start", "end", "named", "pronoun")

    def __init__(self, start: int, end: int, named: bool, pronoun: bool):
        self.start, self.end, self.named, self.pronoun = start, end, named, pronoun


def _before(tokens: Sequence[Token], v: int, lo: int) -> _Speaker | None:
    """The speaker ending just before token ``v`` (the verb), not before token ``lo``."""
    j = v - 1
    while j >= lo and tokens[j].text.lower() in _BETWEEN:
        j -= 1
    if j < lo or not _is_word(tokens[j]):
        return None
    if tokens[j].text.lower() in _PRONOUNS:
        return _Speaker(tokens[j].start, tokens[j].end, False, True)
    if _is_cap(tokens[j]):
        k = j
        while k - 1 >= lo and (_is_cap(tokens[k - 1]) or (tokens[k - 1].text == "." and k - 2 >= lo and _is_cap(tokens[k - 2]))):
            k -= 1
        if tokens[k].text == ".":
            k += 1
        return _Speaker(tokens[k].start, tokens[j].end, True, False)
    k = j
    while k - 1 >= lo and j - k < 6 and _is_word(tokens[k - 1]) and tokens[k].text.lower() not in _DETERMINERS:
        k -= 1
    if tokens[k].text.lower() not in _DETERMINERS:
        return None  # a lowercase word with no determiner: not clearly a speaker
    return _Speaker(tokens[k].start, tokens[j].end, False, False)


def _after(tokens: Sequence[Token], v: int, hi: int) -> _Speaker | None:
    """The speaker starting just after token ``v`` (the verb, or "to" of "according to"), before ``hi``."""
    j = v + 1
    if j >= hi or not _is_word(tokens[j]):
        return None
    if tokens[j].text.lower() in _PRONOUNS:
        return _Speaker(tokens[j].start, tokens[j].end, False, True)
    if _is_cap(tokens[j]):
        k = j
        while k + 1 < hi and (_is_cap(tokens[k + 1]) or (tokens[k + 1].text == "." and k + 2 < hi and _is_cap(tokens[k + 2]))):
            k += 1
        return _Speaker(tokens[j].start, tokens[k].end, True, False)
    if tokens[j].text.lower() in _DETERMINERS:
        k = j
        while k + 1 < hi and k - j < 6 and _is_word(tokens[k + 1]) and tokens[k + 1].text.lower() not in SPEECH_VERBS:
            if tokens[k + 1].text.lower() in ("on", "in", "at", "of", "that", "who", "which", "during", "when", "after"):
                break
            k += 1
        return _Speaker(tokens[j].start, tokens[k].end, False, False)
    return None


def _verb_at(tokens: Sequence[Token], i: int) -> int:
    """How many tokens the speech verb at ``i`` takes (0: none; 2: "according to")."""
    t = tokens[i].text.lower()
    if t in SPEECH_VERBS:
        return 1
    if t == "according" and i + 1 < len(tokens) and tokens[i + 1].text.lower() == "to":
        return 2
    return 0


class ClaimsSuggester:
    """Claims with their claimants from quotes and reported speech.

    ``mentions``: given a document id, the spans ``(start, end)`` of its entity
    mentions (a claimant is then the speaker's mention); None: spans only."""

    name = NAME

    def __init__(self, mentions: MentionSource | None = None):
        self.mentions = mentions

    def suggest(self, doc: Document) -> list[Suggestion]:
        return self.suggest_text(doc.id, doc.text)

    def suggest_many(self, docs: Iterable[Document]) -> Iterator[list[Suggestion]]:
        for doc in docs:
            yield self.suggest(doc)

    def suggest_text(self, doc_id: str, text: str) -> list[Suggestion]:
        tokens = tokenize(text)
        starts = [t.start for t in tokens]
        mentions = sorted(self.mentions(doc_id)) if self.mentions else []
        sents = sentences(text)
        found: list[tuple[int, int, _Speaker | None, float, str]] = []

        def index_at(pos: int) -> int:
            from bisect import bisect_left

            return bisect_left(starts, pos)

        def sentence_of(pos: int) -> tuple[int, int]:
            from bisect import bisect_right

            i = bisect_right([s for s, _ in sents], pos) - 1
            return sents[i] if i >= 0 else (0, len(text))

        quoted: list[tuple[int, int]] = []
        for m in _OPEN_QUOTES.finditer(text):
            g = 1 if m.group(1) is not None else 2
            cs, ce = m.span(g)
            while ce > cs and text[ce - 1] in _TRIM:
                ce -= 1
            while cs < ce and text[cs].isspace():
                cs += 1
            first, last = index_at(cs), index_at(ce)
            if last - first < MIN_QUOTE_TOKENS:
                continue
            quoted.append(m.span())
            close_i = index_at(m.end())
            open_i = index_at(m.start())
            s_start, s_end = sentence_of(m.start())
            _, s_end = sentence_of(max(m.end() - 1, m.start()))
            speaker, rule = None, ""
            # after the closing quote
            hi = index_at(s_end)
            lo = close_i
            while lo < hi and tokens[lo].text in ',”"':
                lo += 1
            for v in range(lo, min(hi, lo + 12)):
                if tokens[v].text in '“"':
                    break
                n = _verb_at(tokens, v)
                if n:
                    speaker = _after(tokens, v + n - 1, hi) if v == lo or n == 2 else _before(tokens, v, lo)
                    if speaker is None and v > lo:
                        speaker = _after(tokens, v + n - 1, hi)
                    rule = "quote, then speaker and verb"
                    break
            if speaker is None:  # before the opening quote
                lo = index_at(s_start)
                for v in range(open_i - 1, max(lo, open_i - 12) - 1, -1):
                    if tokens[v].text in '”"':
                        break
                    n = _verb_at(tokens, v)
                    if n:
                        speaker = _before(tokens, v, lo) if n == 1 else _after(tokens, v + 1, open_i)
                        rule = "speaker and verb, then quote"
                        break
            if speaker is None:
                found.append((cs, ce, None, 0.4, "quote (no speaker found)"))
            else:
                score = 0.9 if speaker.named else 0.8 if speaker.pronoun else 0.75
                found.append((cs, ce, speaker, score, rule))

        for s_start, s_end in sents:
            if any(qs < s_end and s_start < qe for qs, qe in quoted):
                continue
            claim = self._indirect(text, tokens, index_at(s_start), index_at(s_end), s_start, s_end)
            if claim is not None:
                found.append(claim)

        found.sort(key=lambda f: f[0])
        out: list[Suggestion] = []
        last_named: tuple[int, int] | None = None
        for cs, ce, speaker, score, rule in found:
            detail: dict[str, object] = {"rule": rule}
            claimant: tuple[int, int] | None = None
            if speaker is not None:
                claimant = (speaker.start, speaker.end)
                if speaker.pronoun and text[speaker.start : speaker.end].lower() in _PERSONAL:
                    if last_named is not None:
                        detail["pronoun"] = text[speaker.start : speaker.end]
                        claimant = last_named
                    else:
                        score = min(score, 0.6)
                mention = _mention(mentions, *claimant)
                if mention is not None:
                    claimant = mention
                    detail["claimant_mention"] = True
                    score = max(score, 0.9) if speaker.named or "pronoun" in detail else score
                if speaker.named:
                    last_named = claimant
            out.append(
                Suggestion(
                    doc_id=doc_id,
                    kind="claim",
                    label=CLAIM_LABEL,
                    start=cs,
                    end=ce,
                    score=score,
                    suggester=NAME,
                    claimant_start=claimant[0] if claimant else None,
                    claimant_end=claimant[1] if claimant else None,
                    claimant_text=text[claimant[0] : claimant[1]] if claimant else None,
                    detail=detail,
                )
            )
        return out

    @staticmethod
    def _indirect(
        text: str, tokens: Sequence[Token], first: int, last: int, s_start: int, s_end: int
    ) -> tuple[int, int, _Speaker | None, float, str] | None:
        """A claim of reported speech without quotes in the sentence of tokens ``first:last``."""
        if last - first < MIN_QUOTE_TOKENS + 2:
            return None
        body_start = s_start
        m = _DATELINE.match(text, s_start, s_end)
        if m and m.end() - s_start < 60:
            body_start = m.end()
        end = s_end
        while end > body_start and text[end - 1] in ".!?" + _TRIM:
            end -= 1
        head = tokens[first].text.lower()
        # According to SPEAKER, CLAIM.
        if head == "according" and first + 1 < last and tokens[first + 1].text.lower() == "to":
            speaker = _after(tokens, first + 1, last)
            comma = next((i for i in range(first + 2, last) if tokens[i].text == ","), None)
            if speaker and comma is not None and last - comma > MIN_QUOTE_TOKENS:
                return tokens[comma + 1].start, end, speaker, 0.6, "according to SPEAKER, CLAIM"
            return None
        for i in range(first, last):
            if tokens[i].start < body_start:
                continue
            n = _verb_at(tokens, i)
            if not n:
                continue
            # CLAIM, SPEAKER VERB ... / CLAIM, according to SPEAKER
            comma = next((c for c in range(i - 1, max(first, i - 9) - 1, -1) if tokens[c].text == ","), None)
            if comma is not None and tokens[comma].start > body_start:
                speaker = _after(tokens, i + 1, last) if n == 2 else _before(tokens, i, comma + 1)
                start_i = next(k for k in range(first, last) if tokens[k].start >= body_start)
                if speaker is not None and comma - start_i >= MIN_QUOTE_TOKENS:
                    cs, ce = tokens[start_i].start, tokens[comma - 1].end
                    return cs, ce, speaker, 0.6, "CLAIM, SPEAKER VERB" if n == 1 else "CLAIM, according to SPEAKER"
            # SPEAKER VERB [that] CLAIM.
            if n == 1:
                lo = next(k for k in range(first, last) if tokens[k].start >= body_start)
                speaker = _before(tokens, i, lo)
                if speaker is None or any(tokens[k].text in ",;:" for k in range(lo, i)):
                    continue
                j = i + 1
                if j < last and tokens[j].text.lower() == "that":
                    j += 1
                elif tokens[i].text.lower() in ("told", "tells"):
                    continue  # "told X that ..." wants "that" after X: not taken without it
                if last - j >= MIN_QUOTE_TOKENS and tokens[j].start < end:
                    return tokens[j].start, end, speaker, 0.6, "SPEAKER VERB [that] CLAIM"
            return None
        return None


def _mention(mentions: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The entity mention at a speaker's span: the smallest containing it, else the largest inside it."""
    around = [(s, e) for s, e in mentions if s <= start and end <= e]
    if around:
        return min(around, key=lambda m: m[1] - m[0])
    inside = [(s, e) for s, e in mentions if start <= s and e <= end]
    if inside:
        return max(inside, key=lambda m: m[1] - m[0])
    return None
