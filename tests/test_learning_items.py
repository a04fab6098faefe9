"""Every quiz item the knowledge base yields is checked: its expected answer is the knowledge base's value (and,
for numbers, a number the review contains), its distractors are not also right, its citations are its
fact's own; every practice case agrees with `assess`; grading tolerates units and spelling, not wrong values."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from guidebot.criteria import assess, parse_case
from guidebot.learning.cases import APPROACHES, TARGETS, VERDICTS
from guidebot.learning.grading import grade, grade_case, normalise, parse_approach, parse_verdict
from guidebot.learning.items import BLANK, DRUGS, NUMBER, QuizBank, plain


@pytest.fixture(scope="module")
def bank(kb):
    return QuizBank.build(kb)


def _items(bank, kind):
    return [item for item in bank.items if item.kind == kind]


def _review_has_number(seed_text: str, number: str) -> bool:
    return re.search(r"(?<![\d.])" + re.escape(number) + r"(?![\d])", seed_text) is not None


def test_bank_yields_every_kind_with_unique_ids(bank):
    kinds = Counter(item.kind for item in bank.items)
    assert set(kinds) == {"recall", "cloze", "choice", "case"}
    assert kinds["recall"] >= 80 and kinds["cloze"] >= 200 and kinds["choice"] >= 50
    assert len(bank.by_id) == len(bank.items)


def test_generation_is_deterministic(kb, bank):
    again = QuizBank.build(kb)
    assert [(i.id, i.prompt, i.choices, i.expected) for i in again.items] == [(i.id, i.prompt, i.choices, i.expected) for i in bank.items]


def test_every_item_cites_its_own_fact(kb, bank):
    for item in bank.items:
        if item.kind == "case":
            continue
        fact = kb.facts[item.source]
        assert item.citations == tuple(fact.citations), item.id
        assert item.explanation == fact.answer.strip(), item.id
        assert item.section == str(fact.section), item.id


def test_cloze_expected_is_the_fact_value_and_blanked_once(kb, bank, seed_text):
    for item in _items(bank, "cloze"):
        answer = plain(kb.facts[item.source].answer)
        assert item.expected in answer, item.id
        assert item.prompt.count(BLANK) == 1, item.id
        for number in NUMBER.findall(item.expected):
            assert _review_has_number(seed_text, number), (item.id, number)
        # the blanked value is not shown elsewhere in the prompt (nor in the title leading it)
        assert item.expected.lower() not in item.prompt.lower(), item.id


def test_cloze_grades_its_own_expected_answer_right(bank):
    for item in _items(bank, "cloze"):
        result = grade(item, item.expected)
        assert result is not None and result.correct, item.id
        assert not grade(item, "I don't know").correct


def test_recall_key_points_come_from_the_fact(kb, bank, seed_text):
    for item in _items(bank, "recall"):
        answer = plain(kb.facts[item.source].answer).lower()
        assert item.key_points, item.id
        for point in item.key_points:
            assert point.lower() in answer, (item.id, point)
            for number in NUMBER.findall(point):
                assert _review_has_number(seed_text, number), (item.id, number)
        assert grade(item, "; ".join(item.key_points)).correct, item.id
        assert not grade(item, "no idea what this is about").correct, item.id


def test_choice_answer_is_the_fact_value_and_distractors_are_not(kb, bank, seed_text):
    for item in _items(bank, "choice"):
        fact_answer = normalise(plain(kb.facts[item.source].answer))
        correct = item.choices[item.answer_index]
        assert correct == item.expected
        assert normalise(correct) in fact_answer, item.id
        assert len(set(map(normalise, item.choices))) == len(item.choices), item.id
        own_numbers = {float(n) for n in NUMBER.findall(fact_answer)}
        for index, (choice, source) in enumerate(zip(item.choices, item.choice_sources)):
            # every choice belongs to the fact named for it
            assert normalise(choice) in normalise(plain(kb.facts[source].answer)), (item.id, choice, source)
            for number in NUMBER.findall(choice):
                assert _review_has_number(seed_text, number), (item.id, number)
            if index == item.answer_index:
                assert grade(item, str(index + 1)).correct
                continue
            # a distractor is not also a true answer: its value is not one this fact states
            assert not re.search(r"(?<![\w.])" + re.escape(normalise(choice)) + r"(?![\w])", fact_answer), (item.id, choice)
            assert not ({float(n) for n in NUMBER.findall(choice)} & own_numbers), (item.id, choice)
            wrong = grade(item, str(index + 1), {source: kb.facts[source].title})
            assert not wrong.correct and f"`{source}`" in wrong.explanation, item.id


def test_criterion_choices_offer_other_groups_only(kb, bank):
    group_of = {c.label: c.group for c in kb.criteria.values()}
    items = [i for i in bank.items if i.id.startswith("choice:criterion:")]
    assert len(items) == len(kb.criteria)
    for item in items:
        asked = item.prompt.split(" is a ")[1].split(" ")[0]
        assert group_of[item.expected] == asked
        assert all(group_of[c] != asked for i, c in enumerate(item.choices) if i != item.answer_index), item.id


def test_caution_choices_never_offer_a_second_avoided_agent(bank):
    avoided = {"bevacizumab", "plasma exchange", "bortezomib", "thalidomide"}
    items = [i for i in bank.items if i.kind == "choice" and i.prompt.startswith("Which of these does the review")]
    assert len(items) == 5
    for item in items:
        distractors = {c for i, c in enumerate(item.choices) if i != item.answer_index}
        if item.expected in avoided:
            assert not distractors & avoided, item.id
        else:
            assert item.expected == "low-molecular-weight heparin" and distractors <= avoided


def test_every_case_agrees_with_assess(kb, bank):
    cases = _items(bank, "case")
    reached = Counter()
    for item in cases:
        assessment = assess(parse_case(json.dumps(item.case), item.id), kb)
        approach = assessment.treatment.approach if assessment.treatment is not None else None
        assert (assessment.verdict, approach) == (item.verdict, item.approach), item.id
        assert item.choices[item.answer_index] == VERDICTS[assessment.verdict]
        reached[(assessment.verdict, approach)] += 1
        assert grade_case(item, assessment.verdict, approach).correct
        assert not grade_case(item, None, None, gave_up=True).correct
        for other in VERDICTS:
            if other != assessment.verdict:
                assert not grade_case(item, other, approach).correct
        assert set(item.citations) <= set(kb.references)
    assert set(reached) == set(TARGETS)


def test_case_story_states_the_case_file(bank):
    for item in _items(bank, "case"):
        case = item.case
        if "vegf_pg_ml" in case:
            assert f"{case['vegf_specimen'].capitalize()} VEGF is {case['vegf_pg_ml']} pg/mL" in item.prompt
        if case.get("sclerotic_bone_lesions"):
            assert f"shows {case['sclerotic_bone_lesions']} sclerotic bone lesion" in item.prompt


@pytest.mark.parametrize("answer", ["200", ">200", "200 pg/mL", "200pg/ml", "above 200 pg/ml"])
def test_number_cloze_tolerates_units_and_comparators(bank, answer):
    item = next(i for i in _items(bank, "cloze") if i.source == "diagnosis.vegf_threshold" and i.expected == "200 pg/mL")
    assert grade(item, answer).correct


@pytest.mark.parametrize("answer", ["100", "200 300", "2000", "", "I don't know"])
def test_number_cloze_rejects_other_values(bank, answer):
    item = next(i for i in _items(bank, "cloze") if i.source == "diagnosis.vegf_threshold" and i.expected == "200 pg/mL")
    assert not grade(item, answer).correct


@pytest.mark.parametrize("answer, correct", [("bevacizumab", True), ("bevacizumb", True), ("Bevacizumab", True), ("rituximab", False), ("ab", False)])
def test_drug_cloze_tolerates_spelling_only(bank, answer, correct):
    item = next(i for i in _items(bank, "cloze") if i.source == "treatment.bevacizumab" and i.value_kind == "drug")
    assert grade(item, answer).correct is correct


def test_choice_by_words_or_unknown_choice(bank):
    item = next(i for i in bank.items if i.id == "choice:criterion:papilledema")
    assert grade(item, "papilledema").correct
    assert grade(item, "7") is None  # not a choice: the session asks again


@pytest.mark.parametrize(
    "text, verdict",
    [("meets the criteria", "meets_criteria"), ("1", "meets_criteria"), ("does not meet", "not_met"), ("no", "not_met"),
     ("indeterminate", "indeterminate"), ("need more tests", "indeterminate"), ("castleman variant", "castleman_variant"), ("banana", None)],
)
def test_parse_verdict(text, verdict):
    assert parse_verdict(text) == verdict


@pytest.mark.parametrize(
    "text, approach",
    [("radiation", "radiation"), ("transplant", "systemic_transplant"), ("non-transplant systemic", "systemic_non_transplant"),
     ("lenalidomide dexamethasone", "systemic_non_transplant"), ("systemic", "systemic"), ("5", "undetermined"), ("banana", None)],
)
def test_parse_approach(text, approach):
    assert parse_approach(text) == approach
    assert approach is None or approach in APPROACHES


def test_drug_vocabulary_is_the_review_s(seed_text):
    for drug in DRUGS:
        assert drug.lower() in seed_text.lower(), drug
