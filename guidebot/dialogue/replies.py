"""Parse a person's reply to a follow-up question by the slot's kind: a value, an explicit unknown, or a re-ask.

One generic `parse_reply(kind, text, choices)` serves every slot (bool, int, number, choice, list), so the
questions themselves stay data in `knowledge/slots.yaml`. Called by the dialogue manager.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from guidebot.limits import MAX_LESIONS, MAX_VEGF_PG_ML, too_many_digits

UNKNOWN_PHRASES: frozenset[str] = frozenset(
    {
        "unknown", "not sure", "not done", "don't know", "dont know", "do not know", "?", "??", "idk", "unsure",
        "no idea", "not known", "not tested", "not yet", "not yet done", "not checked", "not measured",
        "not available", "n/a", "na", "pending", "awaiting", "maybe", "dunno", "not certain", "uncertain",
        "haven't checked", "havent checked", "not examined", "not assessed", "unk", "i don't know", "i dont know",
        "not sure yet", "no data", "not performed", "not done yet",
    }
)
"""Replies that mean "unknown / not tested": recorded as unknown (None) and not asked again."""

YES_WORDS: frozenset[str] = frozenset(
    {"yes", "y", "yeah", "yep", "yup", "true", "present", "positive", "pos", "+", "affirmative", "correct",
     "sure", "definitely", "confirmed", "seen", "found", "there is", "there are", "eligible", "1"}
)
"""Replies that mean yes (the first word, or the whole reply)."""

NO_WORDS: frozenset[str] = frozenset(
    {"no", "n", "nope", "nah", "false", "absent", "negative", "neg", "-", "none", "not present", "not seen",
     "not found", "normal", "ineligible", "not eligible", "0", "nil"}
)
"""Replies that mean no."""

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "none": 0, "no": 0, "one": 1, "a": 1, "an": 1, "single": 1, "solitary": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a couple": 2, "couple": 2,
}
"""Count words understood for int and number slots."""

COUNT_ONLY: frozenset[str] = frozenset({"none", "no", "a", "an", "single", "solitary", "a couple", "couple"})
"""Number words that only make sense as a count (int slots), never as a measured level."""

UNITS = r"(?:pg\s*/\s*ml|pg\s*per\s*ml|pg/l|ng\s*/\s*l|picograms?(?:\s+per\s+(?:ml|millilit(?:er|re)))?|lesions?|sites?|)"
_NUMBER = re.compile(r"(?<![\w.])(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)\s*" + UNITS + r"(?![\w])", re.I)
_ANY_DIGITS = re.compile(r"\d")

KIND_MAXIMUM: dict[str, int] = {"int": MAX_LESIONS, "number": MAX_VEGF_PG_ML}
"""The largest value a reply of each numeric kind may give. The only int slot counts lesions and the only
number slot measures VEGF, so these are those fields' bounds (the case model enforces the same)."""

KIND_HINTS: dict[str, str] = {
    "bool": "yes, no, or not done",
    "int": "a whole number (for example 2), or not done",
    "number": "a number, with or without its unit (for example 450 pg/mL), or not done",
}


@dataclass(frozen=True)
class Reask:
    """The reply could not be read; `message` says what is expected (shown before the question again)."""

    message: str
    """A one-sentence explanation naming what the answer should look like."""


def normalise(text: str) -> str:
    """Lower-case, straighten quotes, squeeze spaces, drop trailing full stops and exclamation marks."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = " ".join(text.split())
    return text.rstrip(".!").strip()


def is_unknown(text: str) -> bool:
    """True when the reply means "unknown / not tested / not sure"."""
    t = normalise(text)
    if t in UNKNOWN_PHRASES:
        return True
    t2 = re.sub(r"[^\w'?/ ]+", " ", t).strip()
    t2 = " ".join(t2.split())
    return t2 in UNKNOWN_PHRASES or t2.rstrip("?").strip() in UNKNOWN_PHRASES and t2.endswith("?")


def expected(kind: str, choices: list[str]) -> str:
    """What an answer of this kind looks like, in words (used in re-ask messages and the plain-text hint)."""
    if kind in KIND_HINTS:
        return KIND_HINTS[kind]
    numbered = ", ".join(f"{i} {c}" for i, c in enumerate(choices, 1))
    if kind == "choice":
        return f"one of: {numbered} (the name or its number), or not done"
    return f"any of: {numbered}, separated by commas; none; or not done"


def parse_reply(kind: str, text: str, choices: list[str] | None = None) -> Any:
    """Read `text` as an answer of `kind`; returns the value, None for an explicit unknown, or a `Reask`.

    bool: yes/no and their synonyms (`present`, `absent`, `y`, `n`, `true`, `false`).
    int: a whole number >= 0, in digits or words, with or without a unit (`2 lesions`, `four`, `none` -> 0).
    number: a number >= 0 with or without its unit (`450 pg/mL`, `450pg/ml`, `1,200`).
    choice: a choice by name, by unique prefix, or by its number in the list (`1`).
    list: comma-separated choices (names, prefixes or numbers); `none` / `no` -> [].
    """
    choices = list(choices or [])
    if is_unknown(text):
        return None
    t = normalise(text)
    if not t:
        return Reask(f"Nothing was typed. Please answer with {expected(kind, choices)}.")
    if kind == "bool":
        return _parse_bool(t)
    if kind in ("int", "number"):
        return _parse_number(t, integer=kind == "int")
    if kind == "choice":
        return _parse_choice(t, choices)
    if kind == "list":
        return _parse_list(t, choices)
    raise ValueError(f"unknown slot kind {kind!r}")


def _words(t: str) -> list[str]:
    return re.findall(r"[a-z0-9+\-/']+", t)


def _parse_bool(t: str) -> Any:
    bare = re.sub(r"[^\w+\- ']+", " ", t).strip()
    bare = " ".join(bare.split())
    # "it is present", "was negative": the verb adds nothing
    bare = re.sub(r"^(?:it |there |they |he |she )?(?:is|are|was|were) (?=\w)", "", bare)
    if bare in YES_WORDS or t in YES_WORDS:
        return True
    if bare in NO_WORDS or t in NO_WORDS:
        return False
    words = bare.split()
    if words:
        # "yes, on both sides" / "no, not seen": the first word decides
        if words[0] in {"yes", "y", "yeah", "yep", "yup", "true", "present", "positive"}:
            return True
        if words[0] in {"no", "n", "nope", "false", "absent", "negative", "none"}:
            return False
        # "not present", "not seen", "not eligible"
        if " ".join(words[:2]) in NO_WORDS:
            return False
    return Reask(f"I could not read that as yes or no. Please answer {expected('bool', [])}.")


def _to_number(raw: str) -> float:
    return float(raw.replace(",", ""))


def _parse_number(t: str, *, integer: bool) -> Any:
    kind = "int" if integer else "number"
    found = _NUMBER.findall(t)
    if not found:
        if _ANY_DIGITS.search(t):
            return Reask(f"I could not read a single number there. Please answer with {expected(kind, [])}.")
        words = _words(t)
        # "a", "no", "solitary" count lesions; they do not measure a level
        vocabulary = NUMBER_WORDS if integer else {w: n for w, n in NUMBER_WORDS.items() if w not in COUNT_ONLY}
        for phrase in (t, " ".join(words[:2]), words[0] if words else ""):
            if phrase in vocabulary:
                return vocabulary[phrase] if integer else float(vocabulary[phrase])
        counted = [w for w in words if w in vocabulary and w not in {"a", "an", "no"}]
        if len(counted) == 1:
            value = vocabulary[counted[0]]
            return value if integer else float(value)
        return Reask(f"I could not read a number there. Please answer with {expected(kind, [])}.")
    if len(found) > 1:
        return Reask(f"I found more than one number there. Please give one: {expected(kind, [])}.")
    if too_many_digits(found[0]):  # checked before float(): 400 digits would be infinity, and int() of it raises
        return Reask(f"That number is far too large. Please answer with {expected(kind, [])}.")
    value = _to_number(found[0])
    if value > KIND_MAXIMUM[kind]:
        return Reask(f"That is more than guidebot accepts here (at most {KIND_MAXIMUM[kind]:,}). Please answer with {expected(kind, [])}.")
    if value < 0:
        return Reask(f"The value cannot be negative. Please answer with {expected(kind, [])}.")
    if integer:
        if value != int(value):
            return Reask(f"That is not a whole number. Please answer with {expected(kind, [])}.")
        return int(value)
    return int(value) if value == int(value) and "." not in found[0] else value


def _match_choice(t: str, choices: list[str]) -> str | list[str] | None:
    """The choice named by `t` (name, unique prefix or number); a list of candidates when ambiguous."""
    t = t.strip().strip("\"'").strip()
    if not t:
        return None
    if t.isascii() and t.isdigit():  # ASCII only: "²".isdigit() is true, but int("²") raises
        index = int(t) if len(t) <= 6 else 0
        return choices[index - 1] if 1 <= index <= len(choices) else None
    lowered = {c.lower(): c for c in choices}
    if t in lowered:
        return lowered[t]
    hits = [c for c in choices if c.lower().startswith(t)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        return hits
    # "lambda light chain", "plasma sample": a choice named as a whole word inside the reply
    inside = [c for c in choices if re.search(rf"\b{re.escape(c.lower())}\b", t)]
    if len(inside) == 1:
        return inside[0]
    return inside or None


def _parse_choice(t: str, choices: list[str]) -> Any:
    hit = _match_choice(t, choices)
    if isinstance(hit, str):
        return hit
    if isinstance(hit, list):
        return Reask(f"That could be {' or '.join(hit)}. Please answer with {expected('choice', choices)}.")
    return Reask(f"I could not match that to a choice. Please answer with {expected('choice', choices)}.")


def _parse_list(t: str, choices: list[str]) -> Any:
    if t in {"none", "no", "nothing", "none found", "nil", "negative", "normal", "[]", "no endocrinopathy"}:
        return []
    parts = [p.strip() for p in re.split(r",|;|/|\band\b|\bplus\b|&|\s\+\s", t) if p.strip()]
    if len(parts) == 1 and " " in parts[0]:
        words = parts[0].split()
        if all(isinstance(_match_choice(w, choices), str) for w in words):
            parts = words  # "1 3" or "adrenal thyroid"
    values: list[str] = []
    bad: list[str] = []
    for part in parts:
        hit = _match_choice(part, choices)
        if isinstance(hit, str):
            if hit not in values:
                values.append(hit)
        else:
            bad.append(part)
    if bad:
        return Reask(f"I could not match {', '.join(repr(b) for b in bad)}. Please answer with {expected('list', choices)}.")
    return values
