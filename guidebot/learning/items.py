"""Quiz items generated from the knowledge base only: recall, cloze and multiple choice (cases: `cases.py`).

Called by `QuizBank.build` (the session, the exporter, the bench). Every item carries its expected answer
as the knowledge base states it, the fact it comes from and that fact's citations; nothing is written
here that the knowledge base does not say. Items are generated in knowledge-base order, so an item's id
(`cloze:diagnosis.vegf_threshold:0`) names the same item on every run and can be resumed and scheduled.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["recall", "cloze", "choice", "case"]
KINDS: tuple[Kind, ...] = ("recall", "cloze", "choice", "case")
"""The four kinds of item, in the order a mixed quiz deals them."""

BLANK = "___"
"""What a cloze shows in place of the blanked value."""

UNITS = r"%|pg/mL|Gy|mg/m²|g/dL|cells/µL|patients|bone lesions|months|mo|days|d|years|y|cycles"
"""Units after which a number is a value worth blanking (a count of `patients`, a dose in `Gy`); a bare
number (a figure, a reference, an interleukin) is not."""

VALUE = re.compile(
    r"(?<![\w.\-/+])(?P<num>\d+(?:\.\d+)?(?:\s?(?:-|to)\s?\d+(?:\.\d+)?)?)\s?(?P<unit>" + UNITS + r")(?![\w/])"
)
"""A number (or a range, `35-54`, `1 to 3`) followed by one of UNITS; numbers glued to letters (IgVL1-40,
CD34, PD-1) are not matched."""

NUMBER = re.compile(r"\d+(?:\.\d+)?")
"""A plain number inside an answer or a value."""

DRUGS: tuple[str, ...] = (
    "bevacizumab",
    "lenalidomide",
    "thalidomide",
    "bortezomib",
    "ixazomib",
    "daratumumab",
    "dexamethasone",
    "melphalan",
    "cyclophosphamide",
    "plerixafor",
    "etoposide",
    "corticosteroids",
    "low-molecular-weight heparin",
)
"""Agent names the cloze may blank where a fact's answer names them (a vocabulary for finding blanks,
not a statement: the test suite checks each is a word of the review)."""

BOLD = re.compile(r"\*\*(.+?)\*\*")
MAX_TERM_WORDS = 4
"""A bolded phrase longer than this is a sentence, not a term to recall or blank."""
MAX_KEY_POINTS = 6
"""A recall item grades against at most this many key points (the first ones in the answer)."""
SHORT_LINE_CHARS = 60
"""A line shorter than this (a list entry) is shown after the line that introduces it."""
MAX_CONTEXT_CHARS = 260
"""A cloze shows one line of the answer; a longer line is cut to the sentence holding the blank."""


@dataclass(frozen=True)
class Item:
    """One quiz item: what is asked, what the knowledge base expects, and where that comes from."""

    id: str
    """Stable id, `kind:source:n` (`cloze:diagnosis.vegf_threshold:0`); the spaced-repetition card's key."""
    kind: Kind
    """`recall`, `cloze`, `choice` or `case`."""
    section: str
    """The review's section (a fact's `section`), or `cases` for practice cases."""
    prompt: str
    """The question as shown (Markdown-free text)."""
    expected: str
    """The expected answer as the knowledge base states it (`200 pg/mL`, `bevacizumab`, a verdict)."""
    explanation: str
    """Why: the source fact's answer (Markdown), or the engine's reasoning for a case."""
    citations: tuple[int, ...]
    """The review's reference numbers of the source."""
    source: str
    """The fact id (or `criteria.yaml`, `statements.yaml`, `assess`) the expected answer comes from."""
    source_title: str
    """The source's title, for "Source: ..." lines."""
    hint: str
    """A nudge shown on `hint` that does not give the answer away."""
    choices: tuple[str, ...] = ()
    """Multiple-choice options (choice items; the verdicts for a case)."""
    answer_index: int | None = None
    """Index of the correct choice in `choices`."""
    choice_sources: tuple[str, ...] = ()
    """For each choice, the fact it belongs to (the correct one's is `source`)."""
    key_points: tuple[str, ...] = ()
    """Recall: the points an answer must touch (numbers with units, drug names, bolded terms)."""
    value_kind: Literal["", "number", "drug", "term"] = ""
    """Cloze: what was blanked, which decides how an answer is compared."""
    case: dict[str, Any] | None = None
    """Case items: the case file (INTERFACE section 3)."""
    approach: str | None = None
    """Case items whose verdict is `meets_criteria`: the expected treatment approach."""
    approach_choices: tuple[str, ...] = ()
    """Case items: the approaches offered at the second step."""
    verdict: str | None = None
    """Case items: `assess`'s verdict on `case` (`meets_criteria`, `not_met`, `indeterminate`, `castleman_variant`)."""

    def to_json(self) -> dict[str, Any]:
        """The `item` object of `quiz --jsonl` (INTERFACE section 8), plus `section`."""
        return {
            "id": self.id,
            "kind": self.kind,
            "prompt": self.prompt,
            "choices": list(self.choices),
            "case": self.case,
            "section": self.section,
        }


@dataclass(frozen=True)
class Value:
    """A value found in a fact's answer: a number with its unit, a drug name or a bolded term."""

    text: str
    """As it reads in the answer (`200 pg/mL`, `lenalidomide`)."""
    kind: Literal["number", "drug", "term"]
    start: int
    """Offset in the line it was found in."""
    end: int
    blank_start: int
    """Offset of the part a cloze blanks (a number keeps its unit visible)."""
    blank_end: int
    unit: str = ""
    """The unit of a number (`%`, `pg/mL`), empty otherwise."""

    @property
    def numbers(self) -> tuple[str, ...]:
        """The numbers in a number value (two for a range)."""
        return tuple(NUMBER.findall(self.text)) if self.kind == "number" else ()


MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|~])")


def literal(text: str) -> str:
    """Plain text made literal inside Markdown: a blank `___` or `CR_H` is shown as typed, never as emphasis."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def plain(markdown: str) -> str:
    """Markdown of an answer reduced to readable text on one line (bold and bullets dropped)."""
    text = BOLD.sub(r"\1", markdown)
    text = re.sub(r"^\s*[-*]\s+", "", text, flags=re.M)
    return " ".join(text.split())


def answer_lines(markdown: str) -> list[str]:
    """The answer's lines (bullets and paragraphs, wrapped lines joined), each still with its bold marks."""
    lines: list[str] = []
    for raw in markdown.splitlines():
        stripped = raw.strip()
        if not stripped:
            lines.append("")
            continue
        bullet = re.match(r"^[-*]\s+", stripped)
        if bullet or not lines or not lines[-1] or raw.startswith(("  -", "  *")):
            lines.append(stripped[bullet.end():] if bullet else stripped)
        else:
            lines[-1] += " " + stripped
    # one sentence per line: a value a paragraph states twice ("typically plasma levels >200 pg/mL")
    # can then still be blanked in each sentence, the other sentence not shown
    return [sentence for line in lines if line for sentence in SENTENCE_END.split(line) if sentence]


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\**[A-Z])")


def values_in(line: str) -> list[Value]:
    """The blankable values of one answer line (bold marks already removed), in reading order, no overlaps."""
    found: list[Value] = []
    for m in VALUE.finditer(line):
        found.append(Value(m.group(0), "number", m.start(), m.end(), m.start("num"), m.end("num"), m.group("unit")))
    for drug in DRUGS:
        for m in re.finditer(r"(?<![\w-])" + re.escape(drug) + r"(?![\w-])", line, flags=re.I):
            found.append(Value(m.group(0), "drug", m.start(), m.end(), m.start(), m.end()))
    found.sort(key=lambda v: (v.start, -v.end))
    kept: list[Value] = []
    for value in found:
        if kept and value.start < kept[-1].end:
            continue
        kept.append(value)
    return kept


def bold_terms(markdown: str) -> list[str]:
    """The short bolded phrases of an answer (no digits; at most MAX_TERM_WORDS words), in order, once each."""
    terms: list[str] = []
    for m in BOLD.finditer(markdown):
        term = " ".join(m.group(1).split()).strip(" .,:;")
        if not term or any(ch.isdigit() for ch in term) or len(term.split()) > MAX_TERM_WORDS or len(term) < 4:
            continue
        if term.lower() not in (t.lower() for t in terms):
            terms.append(term)
    return terms


def key_points(markdown: str) -> tuple[str, ...]:
    """What a recall answer should contain: numbers with units, drug names and bolded terms, in that order."""
    text = plain(markdown)
    points: list[str] = []
    for value in values_in(text):
        if value.text.lower() not in (p.lower() for p in points):
            points.append(value.text)
    for term in bold_terms(markdown):
        if not any(term.lower() in p.lower() or p.lower() in term.lower() for p in points):
            points.append(term)
    return tuple(points[:MAX_KEY_POINTS])


def _sentence_around(line: str, start: int, end: int) -> tuple[str, int]:
    """The sentence of `line` holding [start, end) and its offset, when the line is too long to show whole."""
    if len(line) <= MAX_CONTEXT_CHARS:
        return line, 0
    begin = max(line.rfind(". ", 0, start), line.rfind("; ", 0, start))
    begin = 0 if begin < 0 else begin + 2
    stop_candidates = [i for i in (line.find(". ", end), line.find("; ", end)) if i >= 0]
    stop = min(stop_candidates) + 1 if stop_candidates else len(line)
    return line[begin:stop], begin


def _fact_source(fact: Any) -> dict[str, Any]:
    return {
        "section": str(fact.section),
        "explanation": fact.answer.strip(),
        "citations": tuple(fact.citations),
        "source": fact.id,
        "source_title": fact.title,
    }


def recall_item(fact: Any) -> Item | None:
    """The recall item of a fact: its first question, graded against the answer's key points; None without any."""
    asked = fact.questions[0].lower()
    # a point the question already states is no test of memory
    points = tuple(p for p in key_points(fact.answer) if p.lower() not in asked)
    if not points:
        return None
    return Item(
        id=f"recall:{fact.id}",
        kind="recall",
        prompt=fact.questions[0],
        expected="; ".join(points),
        hint=f"Topic: {fact.title}. The answer has {len(points)} key point(s).",
        key_points=points,
        **_fact_source(fact),
    )


@dataclass(frozen=True)
class Blank:
    """One cloze candidate of a fact: the line shown with its blank, and the value blanked."""

    fact_id: str
    index: int
    """Its position among the fact's blanks (the `n` of `cloze:fact:n`)."""
    shown: str
    """The line with the blank in place."""
    value: Value
    bounded: bool = False
    """The value follows a comparator (`>`, `more than`, `up to`): other values could also make the line true,
    so it gets no multiple-choice twin."""


COMPARATOR = re.compile(r"(?:[<>≥≤]|more than|less than|at least|up to|below|above|over|almost|under|nearly)\s*$", re.I)


def _after_comparator(line: str, value: Value) -> bool:
    return bool(COMPARATOR.search(line[: value.blank_start]))


def blanks_of(fact: Any) -> list[Blank]:
    """Every cloze candidate of a fact: each number, drug and bolded term that its line shows only once."""
    out: list[Blank] = []
    terms = bold_terms(fact.answer)
    lead = ""
    for raw_line in answer_lines(fact.answer):
        line = BOLD.sub(r"\1", raw_line)
        # a short list entry ("gynecomastia;") means nothing alone: show the line that introduces the list
        prefix = lead + " " if len(line) < SHORT_LINE_CHARS and lead else ""
        if len(line) >= SHORT_LINE_CHARS or not lead:
            lead = line if len(line) <= MAX_CONTEXT_CHARS else ""
        values = values_in(line)
        for term in terms:
            for m in re.finditer(re.escape(term), line):
                if not any(v.start < m.end() and m.start() < v.end for v in values):
                    values.append(Value(term, "term", m.start(), m.end(), m.start(), m.end()))
        values.sort(key=lambda v: v.start)
        for value in values:
            blanked = line[value.blank_start:value.blank_end]
            rest = prefix + line[: value.blank_start] + line[value.blank_end:]
            # a value the line shows a second time would give itself away
            if blanked.lower() in rest.lower() or value.text.lower() in _lead(fact, value).lower():
                continue
            context, offset = _sentence_around(line, value.start, value.end)
            shown = context[: value.blank_start - offset] + BLANK + context[value.blank_end - offset:]
            out.append(Blank(fact.id, len(out), (prefix + shown).strip(), value, _after_comparator(line, value)))
    return out


def _lead(fact: Any, value: Value) -> str:
    """What a cloze prompt starts with: the fact's title, or its section when the title would give the value away."""
    if value.text.lower() in fact.title.lower():
        return str(fact.section).replace("_", " ").capitalize()
    return fact.title


def cloze_item(fact: Any, blank: Blank) -> Item:
    """A cloze item: the line with its value blanked; expected is the value as the fact states it."""
    value = blank.value
    if value.kind == "number":
        hint = f"A number, in {value.unit}." if value.unit else "A number."
    else:
        word = value.text
        hint = f"{'An agent' if value.kind == 'drug' else 'A term'} starting with '{word[0]}', {len(word)} characters."
    return Item(
        id=f"cloze:{fact.id}:{blank.index}",
        kind="cloze",
        prompt=f"{_lead(fact, value)}: {blank.shown}",
        expected=value.text,
        hint=hint,
        value_kind=value.kind,
        **_fact_source(fact),
    )


def _unit_key(value: Value) -> str:
    return value.unit.lower()


def number_choice_item(fact: Any, blank: Blank, siblings: list[tuple[Any, Value]]) -> Item | None:
    """A multiple-choice twin of a numeric cloze: distractors are other facts' values in the same unit.

    A distractor is never a value this fact states (so it cannot also fill the blank truthfully), never
    equal to the answer, and never repeated. Same-section siblings come first (another cohort's PFS),
    then the nearest in size. None when fewer than 2 distractors exist.
    """
    value = blank.value
    # compared as numbers, so that 37.0% is recognised as the 37% it equals
    own_numbers = {float(n) for n in NUMBER.findall(plain(fact.answer))}
    target = float(value.numbers[0])
    candidates: list[tuple[tuple, str, str]] = []
    seen = {tuple(float(n) for n in value.numbers)}
    for other_fact, other in siblings:
        if other_fact.id == fact.id or _unit_key(other) != _unit_key(value):
            continue
        numbers = tuple(float(n) for n in other.numbers)
        if set(numbers) & own_numbers or numbers in seen:
            continue
        seen.add(numbers)
        shown = other.text
        distance = abs(float(other.numbers[0]) - target)
        candidates.append(((other_fact.section != fact.section, distance, other_fact.id), shown, other_fact.id))
    candidates.sort()
    picked = candidates[:3]
    if len(picked) < 2:
        return None
    return _choice(
        item_id=f"choice:{fact.id}:{blank.index}",
        fact=fact,
        prompt=f"{_lead(fact, value)}: {blank.shown.replace(BLANK + ' ' + value.unit, BLANK).replace(BLANK + value.unit, BLANK)}",
        correct=value.text,
        distractors=[(shown, source) for _, shown, source in picked],
        hint=f"A value in {value.unit}.",
    )


def _choice(item_id: str, fact: Any, prompt: str, correct: str, distractors: list[tuple[str, str]], hint: str, **source: Any) -> Item:
    """A choice item with its options in an order fixed by its id (the same on every run)."""
    options = [(correct, fact.id if fact is not None else source.get("source", ""))] + distractors
    random.Random(item_id).shuffle(options)
    answer_index = next(i for i, (text, _) in enumerate(options) if text == correct)
    fields = _fact_source(fact) if fact is not None else {}
    fields.update(source)
    return Item(
        id=item_id,
        kind="choice",
        prompt=prompt,
        expected=correct,
        hint=hint,
        choices=tuple(text for text, _ in options),
        answer_index=answer_index,
        choice_sources=tuple(src for _, src in options),
        **fields,
    )


_blank_cache: dict[tuple[str, str, str], list[Blank]] = {}


def blanks_of_cached(fact: Any) -> list[Blank]:
    """`blanks_of`, computed once per fact (keyed by what the blanks depend on, so an edited fact is redone)."""
    key = (fact.id, fact.title, fact.answer)
    if key not in _blank_cache:
        _blank_cache[key] = blanks_of(fact)
    return _blank_cache[key]


GROUP_FACTS = {"mandatory": "criteria.mandatory", "major": "criteria.major", "minor": "criteria.minor"}
"""The fact that lists each group of the Box: a criterion choice's source and explanation."""


def criterion_choice_items(kb: Any) -> list[Item]:
    """"Which of these is a major criterion?": one item per criterion; distractors are criteria of the other
    groups (a minor criterion offered as a major one), so none of them is also correct."""
    items: list[Item] = []
    by_group: dict[str, list[Any]] = {}
    for criterion in kb.criteria.values():
        by_group.setdefault(criterion.group, []).append(criterion)
    for criterion in kb.criteria.values():
        fact = kb.facts.get(GROUP_FACTS[criterion.group])
        if fact is None:
            continue
        others = [c for c in kb.criteria.values() if c.group != criterion.group]
        random.Random(f"criterion:{criterion.name}").shuffle(others)
        distractors = [(c.label, GROUP_FACTS[c.group]) for c in others[:3]]
        items.append(
            _choice(
                item_id=f"choice:criterion:{criterion.name}",
                fact=fact,
                prompt=f"Which of these is a {criterion.group} criterion of POEMS syndrome (the review's Box)?",
                correct=criterion.label,
                distractors=distractors,
                hint="The Box has 2 mandatory, 3 major and 6 minor criteria.",
            )
        )
    return items


AVOIDED_TRIGGERS = ("bevacizumab", "plasma exchange", "bortezomib", "thalidomide")
"""Caution-fact triggers that name what the review advises against or its algorithm avoids."""

RECOMMENDED: dict[str, str] = {
    "lenalidomide": "treatment.lenalidomide_preferred",
    "daratumumab": "treatment.daratumumab",
    "high-dose melphalan": "treatment.melphalan_dose",
    "radiation therapy": "treatment.radiation_indication",
}
"""Agents the review uses (name -> the fact that says so): distractors for "which is avoided?"."""


def caution_choice_items(kb: Any) -> list[Item]:
    """Caution items: "which does the review advise against?" (another drug's caution as a distractor)."""
    items: list[Item] = []
    cautions = [f for f in kb.facts.values() if str(f.safety) == "caution"]
    avoided: dict[str, Any] = {}
    for fact in cautions:
        for trigger in fact.triggers:
            if trigger in AVOIDED_TRIGGERS:
                avoided[trigger] = fact
    usable = {name: fid for name, fid in RECOMMENDED.items() if fid in kb.facts}
    for trigger, fact in avoided.items():
        # an agent this caution itself names (lenalidomide beside thalidomide) is left out, as for numbers
        distractors = sorted((name, fid) for name, fid in usable.items() if name.lower() not in fact.answer.lower())
        random.Random(f"caution:{trigger}").shuffle(distractors)
        items.append(
            _choice(
                item_id=f"choice:{fact.id}:{trigger.replace(' ', '_')}",
                fact=fact,
                prompt="Which of these does the review advise against, or its treatment algorithm avoid, in POEMS syndrome?",
                correct=trigger,
                distractors=distractors[:3],
                hint="One of them carries a caution in the review.",
            )
        )
    for fact in cautions:
        # a caution against something (its other triggers, like ixazomib, are not recommendations) is no
        # protective measure; only a caution that avoids nothing (LMWH) recommends its trigger
        if any(t in AVOIDED_TRIGGERS for t in fact.triggers):
            continue
        protective = [t for t in fact.triggers if t.lower() in fact.answer.lower()]
        if not protective:
            continue
        distractors = [(name, avoided[name].id) for name in sorted(avoided)][:3]
        items.append(
            _choice(
                item_id=f"choice:{fact.id}",
                fact=fact,
                prompt="Which of these does the review recommend, at a minimum, for every patient with active POEMS syndrome?",
                correct=protective[0],
                distractors=distractors,
                hint="POEMS syndrome is a prothrombotic state.",
            )
        )
    return items


@dataclass
class QuizBank:
    """Every item the knowledge base yields, by id, in a fixed order."""

    items: list[Item]
    """All items: recall, cloze and choice in fact order, then criterion and caution choices, then cases."""
    by_id: dict[str, Item] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {item.id: item for item in self.items}

    @classmethod
    def build(cls, kb: Any, cases: int | None = None) -> QuizBank:
        """Generate every item of `kb` (and `cases` practice cases; the default number when None)."""
        from guidebot.learning.cases import DEFAULT_CASES, case_items

        facts = list(kb.facts.values())
        numeric: list[tuple[Any, Value]] = [
            (fact, blank.value) for fact in facts for blank in blanks_of_cached(fact) if blank.value.kind == "number"
        ]
        items: list[Item] = []
        for fact in facts:
            recall = recall_item(fact)
            if recall is not None:
                items.append(recall)
            for blank in blanks_of_cached(fact):
                items.append(cloze_item(fact, blank))
                if blank.value.kind == "number" and not blank.bounded:
                    choice = number_choice_item(fact, blank, numeric)
                    if choice is not None:
                        items.append(choice)
        items += criterion_choice_items(kb)
        items += caution_choice_items(kb)
        items += case_items(kb, DEFAULT_CASES if cases is None else cases)
        return cls(items)

    def sections(self) -> list[str]:
        """The sections that have items, in first-seen order."""
        seen: dict[str, None] = {}
        for item in self.items:
            seen.setdefault(item.section, None)
        return list(seen)


_bank_cache: list[tuple[Any, QuizBank]] = []


def bank_for(kb: Any) -> QuizBank:
    """The bank of `kb`, built once per knowledge base object (`load_knowledge` returns a new one when a file
    changes, and the bank is then rebuilt)."""
    if not _bank_cache or _bank_cache[0][0] is not kb:
        _bank_cache[:] = [(kb, QuizBank.build(kb))]
    return _bank_cache[0][1]
