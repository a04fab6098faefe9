"""The typed question every rule reads, and the decision the rules pass along.

A question is read once (`Router.read`): its cleaned words, its normalised informative words, and, only when
a rule asks, the patient findings it states. Rules never re-read the text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from guidebot.routing.normalisation import MAX_QUESTION_CHARS, _clean

_SENTENCE_END = re.compile("(?<=[.?!;])\\s+|(?<=[.?!;]['\"\u2019\u201d)])\\s+")
"""Where one sentence of a question ends and the next begins (after a closing quote too: "...treatment.' Which")."""
_OPTIONS = re.compile(r"\s\(?[A-E]\)\s.*$", re.DOTALL)
"""A multiple-choice question's options, from the first "(A) " or "A) " to the end."""
# "A student asks how POEMS differs from myeloma. Which statement is most accurate?": when the ask only picks
# among answers, the question reported in the sentence before it is what is asked
_REPORTED = re.compile(r"\b(?:asks|asked|wonders|wondering|wants to know|questions whether|debates?|debating|discuss(?:es)?|discussing)\s+(?=(?:what|which|how|why|whether|if|when|where|who)\b)(.*)$",
                       re.IGNORECASE | re.DOTALL)
_ANSWER_PICKER = re.compile(r"^(?:which|what)\b(?:\s+[\w-]+){0,4}?\s+(?:statement|answer|description|response|explanation|reply)\b",
                            re.IGNORECASE)
PATIENT_FINDINGS = 2
"""A question stating at least this many findings (case-file fields) describes a patient."""


@lru_cache(maxsize=32)
def _words(text: str) -> tuple[str, ...]:
    """The question's cleaned words before any correction (read by several steps of one `route`)."""
    return tuple(_clean(text[:MAX_QUESTION_CHARS]).split())


def _without_exam_framing(words: tuple[str, ...]) -> list[str]:
    """The words without an exam question's "the following" ("Which of the following best describes the
    M-protein?"): read as a word, "following" is "follow" and draws follow-up facts. "Following treatment" (after
    treatment) keeps it."""
    return [w for i, w in enumerate(words) if not (w == "following" and i and words[i - 1] == "the")]


@lru_cache(maxsize=32)
def _findings(text: str) -> dict:
    """The case findings stated in a question (read, never changed, by several rules of one `route`)."""
    from guidebot.criteria.findings import extract_findings  # only for questions that get this far

    return extract_findings(without_options(text[:MAX_QUESTION_CHARS]))


def without_options(text: str) -> str:
    """A question without the answer options after it ("... a MAJOR criterion? (A) ascites (B) papilledema"): the
    options are what the ask picks among, not findings of the patient described."""
    return _OPTIONS.sub("", text).strip()


class Question:
    """One question as the rules read it.

    A plain class, not a dataclass: `dataclasses` (and `inspect` behind it) would cost `guidebot ask` more start-up
    time than the whole routing of a question."""

    __slots__ = ("text", "raw", "content", "off", "fired", "_findings")

    def __init__(self, text: str, raw: tuple[str, ...], content: list[str], off: frozenset[str] = frozenset()):
        self.text = text
        """As typed."""
        self.raw = raw
        """Its cleaned words, before corrections and the lexicon."""
        self.content = content
        """Its normalised words (misspellings corrected, lexicon applied, folded onto their roots)."""
        self.off = off
        """Rules and checks switched off by name (`guidebot eval --ablate`)."""
        self.fired: list[str] = []
        """The rules and checks that changed something while this question was routed, in order."""
        self._findings: dict | None = None

    def fresh(self) -> Question:
        """The same question with nothing fired yet (training decides one question under many models)."""
        return Question(self.text, self.raw, self.content, self.off)

    @property
    def findings(self) -> dict:
        """The patient findings the question states (field -> value), read on first use only."""
        if self._findings is None:
            self._findings = _findings(self.text)
        return self._findings

    @property
    def ask(self) -> str | None:
        """The sentence an exam vignette asks ("A 54-year-old man ... Which drug should be avoided?"): the last
        sentence when it is a question and other sentences (the case) come before it; None otherwise."""
        # answer options after the ask ("... a MAJOR criterion? (A) ascites (B) papilledema") are not the ask
        text = without_options(self.text[:MAX_QUESTION_CHARS])
        sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
        if len(sentences) < 2 or not sentences[-1].rstrip().endswith("?"):
            return None
        last = sentences[-1].strip()
        reported = _REPORTED.search(sentences[-2]) if _ANSWER_PICKER.match(last) else None
        return reported.group(1).strip() if reported else last

    @property
    def findings_read(self) -> bool:
        """Whether a rule has read the question's findings (they are read on first use only)."""
        return self._findings is not None

    @property
    def mood(self) -> str:
        """"patient" when the question describes a patient (enough findings), else "disease"."""
        return "patient" if len(self.findings) >= PATIENT_FINDINGS else "disease"

    def on(self, name: str) -> bool:
        """Whether the rule or check `name` is switched on."""
        return name not in self.off

    def fire(self, name: str, result):
        """Record that `name` changed the outcome (when `result` is truthy), and return `result`."""
        if result:
            self.fired.append(name)
        return result


class Scored(NamedTuple):
    """One target's scores for a question."""

    target: int
    score: float
    coverage: float
    fuzzy: float
    title: float = 0.0
    """Share of the question's information found in the target's title."""


class Decision(NamedTuple):
    """What the rules have decided so far: the target to answer with, or why the question is declined."""

    best: Scored
    reason: str = ""
    """Why it would be declined (a `Match.reason`), or "" when `best` answers it."""
    anchored: bool = False
    """True when a caution the question names was chosen: no later rule moves it."""
    redirected: bool = False
    """True when a rule already sent an answered question elsewhere (a flow, the mandatory criteria...)."""
