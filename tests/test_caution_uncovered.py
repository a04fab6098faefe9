"""One rule for every cautioned agent (issue 19): a question about the agent qualified by a topic the review does
not cover (pregnancy, breastfeeding, alcohol, vaccines, driving, children...) is declined as not covered, its
reply names what is not covered, and its first suggestion is the agent's caution, so the safety fact stays one
step away. The same question without the qualifier still lands on the caution."""

from __future__ import annotations

import json

import pytest

from guidebot.cli import main
from guidebot.routing import get_router

AGENTS = {
    "bevacizumab": ("treatment.bevacizumab", "bevacizumab"),
    "avastin": ("treatment.bevacizumab", "bevacizumab"),
    "plasma exchange": ("treatment.plasma_exchange", "plasma exchange"),
    "PLEX": ("treatment.plasma_exchange", "plasma exchange"),
    "LMWH": ("treatment.lmwh_prophylaxis", "low-molecular-weight heparin"),
    "enoxaparin": ("treatment.lmwh_prophylaxis", "low-molecular-weight heparin"),
    "thalidomide": ("treatment.neurotoxic_agents", "thalidomide"),
    "bortezomib": ("treatment.neurotoxic_agents", "bortezomib"),
    "velcade": ("treatment.neurotoxic_agents", "bortezomib"),
}
"""How a question names the agent -> (its caution, how the decline names it: the caution's trigger)."""

QUALIFIED = {
    "is {agent} safe in pregnancy?": "in pregnancy",
    "is {agent} ok for a pregnant woman?": "in pregnancy",
    "can I have {agent} while breastfeeding?": "during breastfeeding",
    "can I drink alcohol on {agent}?": "with alcohol",
    "is the flu vaccine safe with {agent}?": "and vaccines",
    "can he drive after {agent}?": "and driving",
    "is {agent} safe for children with POEMS?": "in children",
}
"""A question template -> how the decline names its uncovered topic (routing.yaml `topic_phrases`)."""


@pytest.mark.parametrize("template", QUALIFIED)
@pytest.mark.parametrize("agent", AGENTS)
def test_a_cautioned_agent_on_an_uncovered_topic_is_declined_with_its_caution_first(agent, template):
    caution, name = AGENTS[agent]
    question = template.format(agent=agent)
    obj = get_router().answer(question)
    assert obj["in_scope"] is False and obj["intent"] is None, (question, obj["intent"])
    assert obj["suggestion_ids"][0] == caution, (question, obj["suggestion_ids"])
    assert f"does not cover {name} {QUALIFIED[template]}" in obj["answer"], (question, obj["answer"])
    assert obj["citations"] == []  # nothing clinical is stated in a decline


@pytest.mark.parametrize("agent", AGENTS)
def test_the_plain_caution_question_still_lands_on_its_caution(agent):
    caution, _ = AGENTS[agent]
    for question in (f"is {agent} safe?", f"is {agent} safe in POEMS?"):
        obj = get_router().answer(question)
        assert obj["in_scope"] and obj["intent"] == caution, (question, obj["intent"])


def test_the_decline_keeps_the_interface_shape(capsys):
    assert main(["ask", "--json", "is thalidomide safe in pregnancy?"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert {"question", "in_scope", "intent", "confidence", "answer", "citations", "suggestions"} <= set(obj)
    assert obj["in_scope"] is False and obj["intent"] is None and obj["citations"] == []
    assert obj["suggestions"][0] == get_router().fact("treatment.neurotoxic_agents")["title"]
    assert "The review guidebot is built on (Khouri et al., JAMA Oncol 2021) does not cover thalidomide in pregnancy" in obj["answer"]


@pytest.mark.parametrize("question, caution", [
    ("is PLEX ok for a pregnant woman?", "treatment.plasma_exchange"),
    ("is bevacizumab ok for a pregnant woman?", "treatment.bevacizumab"),
    ("is thalidomide safe in pregnancy?", "treatment.neurotoxic_agents"),
])
def test_the_three_questions_compared_in_review_now_agree(question, caution):
    # two were declined with no caution in sight, the third showed the caution as if it answered pregnancy
    obj = get_router().answer(question)
    assert not obj["in_scope"] and obj["suggestion_ids"][0] == caution and "in pregnancy" in obj["answer"], obj


def test_a_passing_mention_that_is_no_topic_keeps_the_caution():
    # bleeding is not a topic the review leaves out: the caution still answers
    for question in ("bevacizumab for my POEMS patient who had a GI bleed?",
                     "should I do plasma exchange for her POEMS neuropathy? she is bleeding"):
        assert get_router().answer(question)["in_scope"], question


def test_switched_off_only_a_question_naming_no_poems_and_no_safety_ask_was_declined():
    router = get_router()
    off = frozenset({"caution_uncovered"})
    assert router.route("is thalidomide safe in pregnancy?", off).intent == "treatment.neurotoxic_agents"
    assert router.route("is thalidomide safe in pregnancy?").in_scope is False
