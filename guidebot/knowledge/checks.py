"""Pass 2 of loading the knowledge base: cross-checks across files, and the fidelity check against the review's text.

Runs only when every file passed pass 1 (schema), so the models can be trusted; positions recorded in
pass 1 let every problem still name its `file:line`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import get_args

from guidebot.errors import Problem
from guidebot.knowledge import schema
from guidebot.knowledge.loader import LoadedFile
from guidebot.knowledge.positions import Loc

NUMBER = re.compile(r"\d+(?:\.\d+)?")
"""A number as it is written in prose: digits with an optional decimal part (`87.6`, `0.3`)."""


def _normal_question(text: str) -> str:
    """How two example questions are compared for sameness: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _files(files: list[LoadedFile], model: type) -> Iterator[LoadedFile]:
    return (f for f in files if isinstance(f.model, model))


def _cited(file: LoadedFile, items_key: str) -> Iterator[tuple[Loc, int]]:
    """(location, reference number) of every citation in a file's list of items."""
    for i, item in enumerate(getattr(file.model, items_key)):
        for j, number in enumerate(getattr(item, "citations", [])):
            yield (items_key, i, "citations", j), number


CITING_FILES: dict[type, str] = {
    schema.FactsFile: "facts",
    schema.CriteriaFile: "criteria",
    schema.SlotsFile: "slots",
    schema.WorkupFile: "steps",
    schema.StatementsFile: "statements",
}
"""Files whose items carry `citations`, and the key of their item list."""


def cross_check(files: list[LoadedFile]) -> list[Problem]:
    """Every cross-file problem: duplicate ids, unknown citations, related ids or slots, repeated questions."""
    problems: list[Problem] = []

    references = {r.number for f in _files(files, schema.ReferencesFile) for r in f.model.references}
    for f in _files(files, schema.ReferencesFile):
        for i, ref in enumerate(f.model.references):
            if ref.number != i + 1:
                problems.append(f.problem(("references", i, "number"), f"expected reference {i + 1} here (numbered 1..N in order), found {ref.number}"))

    for model, key in CITING_FILES.items():
        for f in _files(files, model):
            for loc, number in _cited(f, key):
                if number not in references:
                    problems.append(f.problem(loc, f"reference {number} is not in the review's reference list (1-{len(references)})"))

    # fact ids: unique across all files
    fact_ids: dict[str, tuple[LoadedFile, int]] = {}
    for f in _files(files, schema.FactsFile):
        for i, fact in enumerate(f.model.facts):
            if fact.id in fact_ids:
                first, first_i = fact_ids[fact.id]
                problems.append(f.problem(("facts", i, "id"), f"duplicate fact id {fact.id!r} (first at {first.display}:{first.line_of(('facts', first_i, 'id'))})"))
            else:
                fact_ids[fact.id] = (f, i)

    for f in _files(files, schema.FactsFile):
        for i, fact in enumerate(f.model.facts):
            for j, rel in enumerate(fact.related):
                if rel not in fact_ids:
                    problems.append(f.problem(("facts", i, "related", j), f"related fact {rel!r} does not exist"))
                elif rel == fact.id:
                    problems.append(f.problem(("facts", i, "related", j), "a fact cannot be related to itself"))

    # example questions: the same question under two facts (or flows) makes routing ambiguous
    seen_questions: dict[str, tuple[str, LoadedFile, Loc]] = {}
    question_lists = [(f, ("facts", i), fact.id, fact.questions) for f in _files(files, schema.FactsFile) for i, fact in enumerate(f.model.facts)]
    question_lists += [(f, ("intents", i), it.id, it.questions) for f in _files(files, schema.IntentsFile) for i, it in enumerate(f.model.intents)]
    for f, base, owner, questions in question_lists:
        for j, question in enumerate(questions):
            key = _normal_question(question)
            loc = base + ("questions", j)
            if key in seen_questions and seen_questions[key][0] != owner:
                other, other_file, other_loc = seen_questions[key]
                problems.append(f.problem(loc, f"the same example question is also under {other!r} ({other_file.display}:{other_file.line_of(other_loc)})"))
            else:
                seen_questions.setdefault(key, (owner, f, loc))

    for f in _files(files, schema.IntentsFile):
        for i, intent in enumerate(f.model.intents):
            if intent.fact not in fact_ids:
                problems.append(f.problem(("intents", i, "fact"), f"fact {intent.fact!r} does not exist"))

    # the lexicon: one canonical term per variant
    variant_owner: dict[str, str] = {}
    for f in _files(files, schema.LexiconFile):
        for i, term in enumerate(f.model.terms):
            for j, variant in enumerate(term.variants):
                key = variant.casefold()
                if key in variant_owner and variant_owner[key] != term.canonical:
                    problems.append(f.problem(("terms", i, "variants", j), f"variant {variant!r} is already mapped to {variant_owner[key]!r}"))
                variant_owner.setdefault(key, term.canonical)

    flow_ids = {it.id for f in _files(files, schema.IntentsFile) for it in f.model.intents}
    problems += _check_routing(files, set(fact_ids) | flow_ids)
    problems += _check_structured(files)
    return problems


def _check_routing(files: list[LoadedFile], target_ids: set[str]) -> list[Problem]:
    """routing.yaml names only facts and flows that exist, and no word twice in one list."""
    problems: list[Problem] = []
    for f in _files(files, schema.RoutingFile):
        targets = f.model.targets
        for name in type(targets).model_fields:
            value = getattr(targets, name)
            named = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else [(None, value)]
            for key, target in named:
                loc = ("targets", name) if key is None else ("targets", name, key)
                if target not in target_ids:
                    problems.append(f.problem(loc, f"fact or flow {target!r} does not exist"))
        for name in type(f.model.words).model_fields:
            seen: set[str] = set()
            for i, word in enumerate(getattr(f.model.words, name)):
                if word in seen:
                    problems.append(f.problem(("words", name, i), f"{word!r} is listed twice"))
                seen.add(word)
    return problems


def _unique_names(f: LoadedFile, items_key: str, name_key: str, what: str, problems: list[Problem]) -> set[str]:
    """The names of a file's items; each name given twice is reported."""
    names: set[str] = set()
    for i, item in enumerate(getattr(f.model, items_key)):
        name = getattr(item, name_key)
        if name in names:
            problems.append(f.problem((items_key, i, name_key), f"{what} {name!r} is given twice"))
        names.add(name)
    return names


def _check_structured(files: list[LoadedFile]) -> list[Problem]:
    """Slots, criteria, workup steps and statements: complete, unique, and pointing at things that exist."""
    problems: list[Problem] = []
    case_fields = set(get_args(schema.CaseField))
    criterion_names = set(get_args(schema.CriterionName))
    for model, items_key, name_key, what, expected in (
        (schema.SlotsFile, "slots", "name", "slot", case_fields),
        (schema.CriteriaFile, "criteria", "name", "criterion", criterion_names),
        (schema.StatementsFile, "statements", "id", "statement", None),
        (schema.WorkupFile, "steps", "id", "workup step", None),
    ):
        for f in _files(files, model):
            names = _unique_names(f, items_key, name_key, what, problems)
            if expected is not None:
                for name in sorted(expected - names):
                    problems.append(f.problem((items_key,), f"no {what} for {name!r}"))
    for f in _files(files, schema.SlotsFile):
        for i, slot in enumerate(f.model.slots):
            if slot.kind in ("choice", "list") and not slot.choices:
                problems.append(f.problem(("slots", i, "choices"), f"a {slot.kind} slot needs choices"))
            if slot.kind not in ("choice", "list") and slot.choices:
                problems.append(f.problem(("slots", i, "choices"), f"a {slot.kind} slot takes no choices"))
    return problems


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def _curated_texts(files: list[LoadedFile]) -> Iterator[tuple[LoadedFile, Loc, str]]:
    """Every text a curator wrote that guidebot may show as a clinical statement."""
    for f in files:
        m = f.model
        if isinstance(m, schema.FactsFile):
            yield from ((f, ("facts", i, "answer"), x.answer) for i, x in enumerate(m.facts))
        elif isinstance(m, schema.StatementsFile):
            yield from ((f, ("statements", i, "text"), x.text) for i, x in enumerate(m.statements))
        elif isinstance(m, schema.WorkupFile):
            yield from ((f, ("steps", i, "explanation"), x.explanation) for i, x in enumerate(m.steps))
        elif isinstance(m, schema.SlotsFile):
            yield from ((f, ("slots", i, "help"), x.help) for i, x in enumerate(m.slots))
        elif isinstance(m, schema.CriteriaFile):
            for i, x in enumerate(m.criteria):
                yield f, ("criteria", i, "meaning"), x.meaning
                yield f, ("criteria", i, "settled_by"), x.settled_by


def fidelity_check(files: list[LoadedFile], source_text: str) -> list[Problem]:
    """Every number in a curated text must appear in the review's text; a changed number is a wrong fact."""
    source_numbers = _numbers(source_text)
    problems = []
    for f, loc, text in _curated_texts(files):
        for number in sorted(_numbers(text) - source_numbers, key=lambda n: (len(n), n)):
            problems.append(f.problem(loc, f"number {number} does not appear in the source text"))
    return problems
