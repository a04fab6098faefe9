"""Regressions a reviewer found in `guidebot ask --json` (round 10): a passing mention of bleeding must not hide a
caution, nor a child or pregnancy in a described patient's history their assessment, while questions that are
really about an uncovered topic (reversing an anticoagulant, allogeneic transplant) stay declined. Since round 12
a cautioned agent asked about in a child or in pregnancy is declined as not covered, with its caution as the first
suggestion (tests/test_caution_uncovered.py)."""

from __future__ import annotations

import json

import pytest

from guidebot.cli import main


def _ask(capsys, question: str) -> dict:
    assert main(["ask", "--json", question]) == 0
    return json.loads(capsys.readouterr().out)


CAUTION_SHOWN = {
    "bevacizumab for my POEMS patient who had a GI bleed?": "treatment.bevacizumab",
    "should I do plasma exchange for her POEMS neuropathy? she is bleeding": "treatment.plasma_exchange",
    "LMWH prophylaxis on lenalidomide for POEMS with bleeding risk?": "treatment.lmwh_prophylaxis",
    "bortezomib neuropathy in POEMS, patient had a bleed last year": "treatment.neurotoxic_agents",
}
"""A question naming a caution's agent, with a passing mention that is no uncovered topic -> the caution."""


CAUTION_FIRST = {
    "is bevacizumab ok in a child with POEMS?": "treatment.bevacizumab",
    "is bevacizumab safe in pregnancy?": "treatment.bevacizumab",
    "plasma exchange for POEMS in children?": "treatment.plasma_exchange",
    "thalidomide neuropathy risk in a child with POEMS?": "treatment.neurotoxic_agents",
}
"""Shown as answers until round 11; the review says nothing about children or pregnancy -> declined, caution first."""


@pytest.mark.parametrize("question", CAUTION_FIRST)
def test_a_cautioned_agent_in_a_child_or_pregnancy_is_declined_with_the_caution_first(capsys, question):
    obj = _ask(capsys, question)
    assert not obj["in_scope"] and obj["suggestion_ids"][0] == CAUTION_FIRST[question], obj


@pytest.mark.parametrize("question", CAUTION_SHOWN)
def test_a_passing_mention_does_not_hide_the_caution(capsys, question):
    obj = _ask(capsys, question)
    assert obj["in_scope"] and obj["intent"] == CAUTION_SHOWN[question], obj


DESCRIBED_PATIENTS = [
    "demyelinating neuropathy, lambda M-protein, one sclerotic lesion and papilledema with retinal hemorrhages: "
    "enough for POEMS?",
    "polyneuropathy, IgA lambda, sclerotic lesions, type 1 diabetes since childhood: does she meet criteria for POEMS?",
    "neuropathy, lambda M-protein, 2 sclerotic lesions, recent GI bleeding: how should I treat?",
]


@pytest.mark.parametrize("question", DESCRIBED_PATIENTS)
def test_a_described_patient_mentioning_an_uncovered_topic_is_assessed(capsys, question):
    obj = _ask(capsys, question)
    assert obj["in_scope"], obj
    assert obj.get("assessment", {}).get("verdict"), obj


def test_a_vignette_answered_by_a_caution_also_carries_the_assessment(capsys):
    question = ("A 55-year-old man has demyelinating neuropathy, a lambda M-protein, two sclerotic lesions and "
                "papilledema. Which of the following should be avoided?")
    obj = _ask(capsys, question)
    assert obj["intent"] == "treatment.neurotoxic_agents"  # the caution still answers (a caution comes first)
    assert "neuropathy" in obj["answer"].lower()
    assert obj["assessment"]["verdict"] == "meets_criteria", obj["assessment"]


def test_a_caution_asked_about_alone_carries_no_assessment(capsys):
    assert "assessment" not in _ask(capsys, "velcade ok?")


@pytest.mark.parametrize("question", [
    "how to reverse LMWH bleeding?",
    "protamine dose for enoxaparin?",
    "allogeneic transplant outcomes in POEMS?",
    "antidote for LMWH?",
    # the narrower forms that keep these declined: an uncovered topic naming neither the agent nor POEMS, and a
    # vignette whose asking sentence (not its case) raises one
    "DVT prophylaxis for a long-haul flight?",
    "A 10-year-old girl has demyelinating neuropathy and an IgA lambda M-protein. How should children with POEMS be treated?",
])
def test_questions_about_an_uncovered_topic_stay_declined(capsys, question):
    obj = _ask(capsys, question)
    assert not obj["in_scope"] and "assessment" not in obj, obj
