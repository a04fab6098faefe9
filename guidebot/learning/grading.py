"""Grading: a trainee's answer to an item -> `Grade` (correct or not, the expected answer, why, the source).

Called by `QuizSession`. Answers are compared with the knowledge base's value, tolerant of what does not
change the meaning: units and comparators ("200", ">200", "200 pg/mL"), case, spelling (rapidfuzz), and
a choice given by its number or its words. "I don't know" is an answer, graded wrong.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

from rapidfuzz import fuzz

from guidebot.learning.cases import APPROACHES, VERDICTS
from guidebot.learning.items import Item, literal

DONT_KNOW = re.compile(r"^\s*(i\s*(do\s*n[o']?t|dont|don’t)\s*know|idk|no idea|dunno|not sure|pass|\?+)\s*[.!]*\s*$", re.I)
"""Answers that say the trainee does not know: graded wrong, with the expected answer shown."""

STOPWORDS = frozenset("a an and the of in on or to for with by is are as at from its their than that this be".split())

TERM_SIMILARITY = 82
"""rapidfuzz ratio (0-100) at which two words of 5+ letters count as the same word misspelt."""
WHOLE_SIMILARITY = 88
"""rapidfuzz ratio at which a whole answer counts as the expected term (word order, hyphens)."""


@dataclass(frozen=True)
class Grade:
    """The grading of one answer: the `graded` object of `quiz --jsonl`."""

    item_id: str
    """The item graded."""
    correct: bool
    """Whether the answer matches the knowledge base's value."""
    expected: str
    """The knowledge base's own value (shown whatever the answer)."""
    explanation: str
    """Markdown: the verdict on the answer, why (the source's text), and for a wrong choice whose fact it is."""
    citations: tuple[int, ...]
    """The review's reference numbers behind the expected answer."""
    matched: tuple[str, ...] = ()
    """Recall: the key points the answer touched."""

    def to_json(self) -> dict[str, Any]:
        """`{"correct", "expected", "explanation", "citations"}` (INTERFACE section 8)."""
        return {"correct": self.correct, "expected": self.expected, "explanation": self.explanation, "citations": list(self.citations)}


def normalise(text: str) -> str:
    """Lowercase words with units spelt plainly (µ -> u, ² -> 2) and punctuation other than in numbers removed."""
    text = text.lower().replace("µ", "u").replace("²", "2").replace("⁺", "+").replace("–", "-")
    text = re.sub(r"[^\w\s.%/+-]", " ", text)
    return " ".join(text.split())


ANSWER_NUMBER = re.compile(r"(?<![a-z/])\d+(?:\.\d+)?")
"""A number in an answer, not a digit of a unit (`mg/m2`) or a name (`cd34`)."""


def numbers_in(text: str) -> list[float]:
    """The numbers written in `text`, as floats."""
    return [float(n) for n in ANSWER_NUMBER.findall(text.lower().replace("²", "2"))]


def words_of(text: str) -> list[str]:
    """The meaningful words of `text` (no stopwords, no bare punctuation)."""
    return [w.strip(".-/") for w in normalise(text).split() if w.strip(".-/") and w.strip(".-/") not in STOPWORDS]


def _word_present(word: str, answer_words: list[str]) -> bool:
    if len(word) < 5:
        return word in answer_words
    return any(fuzz.ratio(word, other) >= TERM_SIMILARITY for other in answer_words)


def term_matches(expected: str, answer: str) -> bool:
    """Whether `answer` says `expected`: every meaningful word present (misspellings tolerated), or the whole
    answer close to it; an answer that lists far more words than asked for does not count."""
    want = words_of(expected)
    have = words_of(answer)
    if not want or not have or len(have) > 2 * len(want) + 3:
        return False
    if fuzz.ratio(normalise(expected), normalise(answer)) >= WHOLE_SIMILARITY:
        return True
    return all(_word_present(word, have) for word in want)


def number_matches(expected: str, answer: str) -> bool:
    """Whether the answer gives exactly the expected number(s); units and comparators may be added or left out."""
    want = sorted(numbers_in(expected))
    have = sorted(numbers_in(normalise(answer)))
    return len(want) == len(have) and all(math.isclose(a, b) for a, b in zip(want, have))


def key_point_hit(point: str, answer: str) -> bool:
    """Whether a recall answer touches one key point (a number anywhere in it, or the term's words)."""
    if numbers_in(point):
        want = numbers_in(point)
        have = numbers_in(normalise(answer))
        return all(any(math.isclose(w, h) for h in have) for w in want)
    want = words_of(point)
    have = words_of(answer)
    return bool(want) and all(_word_present(word, have) for word in want)


def pick_choice(choices: tuple[str, ...], answer: str) -> int | None:
    """The index of the choice `answer` names (by its number or its words), None when it names none or several."""
    text = answer.strip().rstrip(".)")
    if text.isdigit():
        index = int(text) - 1
        return index if 0 <= index < len(choices) else None
    normal = normalise(text)
    exact = [i for i, choice in enumerate(choices) if normalise(choice) == normal]
    if len(exact) == 1:
        return exact[0]
    close = [i for i, choice in enumerate(choices) if term_matches(choice, text)]
    return close[0] if len(close) == 1 else None


VERDICT_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("castleman_variant", re.compile(r"castleman|variant", re.I)),
    ("indeterminate", re.compile(r"indeterminate|unknown|unclear|can'?t tell|cannot tell|need(s)? more|more (findings|tests)|not sure yet|undecided", re.I)),
    ("not_met", re.compile(r"\b(not|doesn'?t|does not|no|fails?|unmet)\b", re.I)),
    ("meets_criteria", re.compile(r"\b(meets?|met|yes|poems|fulfils?|fulfills?|diagnostic)\b", re.I)),
)
"""Verdict -> words that name it, tried in this order (a "not" decides before a "meets")."""

APPROACH_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("undetermined", re.compile(r"undetermined|need(s)? more|not (yet )?(determined|decided)|cannot (choose|decide)", re.I)),
    ("radiation", re.compile(r"radiation|radiotherapy|\brt\b|\bxrt\b", re.I)),
    ("systemic_non_transplant", re.compile(r"non[- ]?transplant|without transplant|no transplant|ineligible|not eligible|lenalidomide|len[- ]?dex|daratumumab", re.I)),
    ("systemic_transplant", re.compile(r"transplant|\bhct\b|\basct\b|melphalan|stem cell", re.I)),
    ("systemic", re.compile(r"systemic", re.I)),
)
"""Approach -> words that name it, tried in this order ("non-transplant" before "transplant")."""


def parse_verdict(answer: str) -> str | None:
    """The verdict an answer gives (a number picks from VERDICTS' order), or None."""
    head = re.split(r"[,;]", answer, maxsplit=1)[0]
    index = pick_choice(tuple(VERDICTS.values()), head)
    if index is not None:
        return list(VERDICTS)[index]
    for verdict, pattern in VERDICT_WORDS:
        if pattern.search(head):
            return verdict
    return None


def parse_approach(answer: str) -> str | None:
    """The treatment approach an answer gives (a number picks from APPROACHES' order), or None."""
    index = pick_choice(tuple(APPROACHES.values()), answer)
    if index is not None:
        return list(APPROACHES)[index]
    for approach, pattern in APPROACH_WORDS:
        if pattern.search(answer):
            return approach
    return None


def approach_in(answer: str) -> str | None:
    """The approach named after the verdict in a one-line case answer ("meets, radiation"), or None."""
    parts = re.split(r"[,;]", answer, maxsplit=1)
    return parse_approach(parts[1]) if len(parts) == 2 else None


def _source_line(item: Item) -> str:
    cites = f" [{', '.join(str(n) for n in item.citations)}]" if item.citations else " (the review cites no reference here)"
    return f"Source: {literal(item.source_title)} (`{item.source}`){cites}."


def explain(item: Item, correct: bool, lead: str = "") -> str:
    """The explanation shown after an item: right or wrong, the expected answer, why, the source."""
    head = "**Correct.**" if correct else "**Not quite.**"
    parts = [f"{head} Expected: **{literal(item.expected)}**."]
    if lead:
        parts.append(lead)
    parts.append("Why:\n\n" + item.explanation)
    parts.append(_source_line(item))
    return "\n\n".join(parts)


def grade(item: Item, answer: str, titles: Mapping[str, str] | None = None) -> Grade | None:
    """Grade `answer` to a recall, cloze or choice item; None when a choice answer names no choice (re-ask).

    Case items go through `grade_case`, since their answer may come in two steps.
    """
    titles = titles or {}
    if DONT_KNOW.match(answer):
        return Grade(item.id, False, item.expected, explain(item, False, "No answer given: review it and it will come back soon."), item.citations)
    lead = ""
    matched: tuple[str, ...] = ()
    if item.kind == "choice":
        index = pick_choice(item.choices, answer)
        if index is None:
            return None
        correct = index == item.answer_index
        if not correct:
            source = item.choice_sources[index]
            title = titles.get(source, source)
            lead = f"You chose **{literal(item.choices[index])}**: that belongs to another fact, *{literal(title)}* (`{source}`)."
    elif item.kind == "cloze":
        if item.value_kind == "number":
            correct = number_matches(item.expected, answer)
        else:
            correct = term_matches(item.expected, answer)
    elif item.kind == "recall":
        matched = tuple(point for point in item.key_points if key_point_hit(point, answer))
        needed = max(1, math.ceil(len(item.key_points) / 2))
        correct = len(matched) >= needed
        missed = [p for p in item.key_points if p not in matched]
        lead = f"Key points touched: {len(matched)} of {len(item.key_points)} (needed {needed})."
        if missed:
            lead += " Missed: " + literal("; ".join(missed)) + "."
    else:
        raise ValueError(f"grade() does not take {item.kind} items; use grade_case")
    return Grade(item.id, correct, item.expected, explain(item, correct, lead), item.citations, matched)


def grade_case(item: Item, verdict: str | None, approach: str | None, gave_up: bool = False) -> Grade:
    """Grade a case: the verdict must be `assess`'s, and for a case that meets the criteria, the approach too."""
    expected_verdict = item.verdict
    correct = not gave_up and verdict == expected_verdict and (item.approach is None or approach == item.approach)
    lead = ""
    if gave_up:
        lead = "No answer given."
    elif verdict != expected_verdict:
        lead = f"You said **{VERDICTS.get(verdict or '', 'nothing')}**; the engine's verdict follows."
    elif item.approach is not None and approach != item.approach:
        lead = f"Right verdict, but you chose **{APPROACHES.get(approach or '', 'no approach')}**; Figure 3's approach follows."
    return Grade(item.id, correct, item.expected, explain(item, correct, lead), item.citations)
