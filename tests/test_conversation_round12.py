"""Round 12 (issue 14, writer P's terse follow-ups): docs/conversation.md, "Round 12: pushback, pointing by an object
pronoun, side answers in a flow, choices for a patient". Each mechanism is a switch; each test here fails with its
switch off. The phrasings are not the development conversations' own."""

from __future__ import annotations

import pytest

from chatdriver import say

from guidebot.dialogue import DialogueManager
from guidebot.dialogue import flows as flow_rules
from guidebot.dialogue import manager as manager_rules
from guidebot.dialogue import messages as message_rules
from guidebot.dialogue import reading as reading_rules
from guidebot.dialogue import rewrite as rewrite_rules

# -- a doubt with content gets the review's statement again ---------------------------------------------------------


@pytest.mark.parametrize(("message", "rest"), [
    ("you sure? even for a lesion in the spine", "even for a lesion in the spine"),
    ("hmm r u sure about the response rates?", "about the response rates"),
    ("are you sure the dose is that high", "the dose is that high"),
    ("you sure?", None),  # a bare doubt: small talk
    ("are you sure about that", None),  # only a pointing tail
    ("are you sure? i read it was given first line", None),  # a claim of the person's own
    ("are you sure? we never see that", None),
])
def test_a_doubt_and_what_it_goes_on_to_say(reader, message, rest):
    assert reader.doubt(message) == rest


def test_a_doubt_with_content_restates_the_last_answer(kb, monkeypatch):
    # ("you sure? even for a lesion in the spine" states a finding, a lesion: since the round-12 review it is read
    # as one, not as a doubt)
    lines = ("what dose of radiation is used?", "u sure? a median of 45 gy")
    turn = say(DialogueManager(kb=kb), *lines)
    first = say(DialogueManager(kb=kb), lines[0])
    assert turn.act == "doubt" and turn.in_scope is True and turn.intent == first.intent
    assert turn.citations and set(first.citations) <= set(turn.citations)
    monkeypatch.setattr(message_rules, "DOUBT_RESTATES", False)
    assert say(DialogueManager(kb=kb), *lines).act != "doubt"


def test_a_bare_doubt_and_a_claim_stay_small_talk(kb):
    assert say(DialogueManager(kb=kb), "lenalidomide in poems?", "you sure?").act == "smalltalk:wrong"
    turn = say(DialogueManager(kb=kb), "lenalidomide in poems?", "are you sure? i read otherwise")
    assert turn.act == "smalltalk:wrong" and turn.in_scope is None


def test_a_doubt_before_any_answer_is_small_talk(kb):
    assert say(DialogueManager(kb=kb), "are you sure? even in remission").act == "smalltalk:wrong"


# -- a pronoun after with/w/on is the focus's subject ---------------------------------------------------------------


def test_an_object_pronoun_keeps_the_subject(kb, monkeypatch):
    for lines, fact in ((("daratumumab in poems?", "neuropathy better w it?"), "treatment.daratumumab"),
                        (("ixazomib in poems?", "does neuropathy get worse w it?"), "treatment.ixazomib")):
        assert say(DialogueManager(kb=kb), *lines).intent == fact
        monkeypatch.setattr(rewrite_rules, "OBJECT_PRONOUN_KEEPS_SUBJECT", False)
        assert say(DialogueManager(kb=kb), *lines).intent != fact
        monkeypatch.setattr(rewrite_rules, "OBJECT_PRONOUN_KEEPS_SUBJECT", True)


# -- a "why ..." right after a side answer in a flow is an act on it ------------------------------------------------


def test_why_on_a_side_answer_in_a_flow(kb, monkeypatch):
    lines = ("does my patient have poems?", "what is the vegf cutoff?", "why that cutoff")
    turn = say(DialogueManager(kb=kb), *lines)
    assert turn.act == "why" and turn.intent == "diagnosis.vegf_threshold" and turn.awaiting is not None
    monkeypatch.setattr(manager_rules, "PREFIX_ACT_ON_SIDE_ANSWER", False)
    assert say(DialogueManager(kb=kb), *lines).act is None


def test_a_side_follow_up_in_a_flow_is_read_against_the_side_answer(kb, monkeypatch):
    lines = ("does my patient have poems?", "serum or plasma vegf?", "worth repeating it after treatment?")
    turn = say(DialogueManager(kb=kb), *lines)
    assert turn.intent == "diagnosis.vegf_use" and turn.awaiting is not None  # the pending question again
    monkeypatch.setattr(flow_rules, "SIDE_FOLLOWUPS_IN_CONTEXT", False)
    assert say(DialogueManager(kb=kb), *lines).intent != "diagnosis.vegf_use"


# -- a leaning turn naming one entity is anchored to its fact -------------------------------------------------------


def test_a_leaning_turn_naming_one_entity_is_anchored(kb, monkeypatch):
    lines = ("why are imids good in poems", "and ixazomib, anti-vegf too?")
    assert say(DialogueManager(kb=kb), *lines).intent == "treatment.ixazomib"
    monkeypatch.setattr(reading_rules, "LEANING_ENTITY_ANCHORED", False)
    assert say(DialogueManager(kb=kb), *lines).intent != "treatment.ixazomib"


# -- a sibling card keeps the topic's subject -----------------------------------------------------------------------


def test_a_sibling_card_keeps_the_topic(kb, monkeypatch):
    lines = ("poems vs al amyloidosis?", "kidney?", "hepatomegaly in both?", "neuropathy differences?")
    bot = DialogueManager(kb=kb)
    assert say(bot, *lines).intent == "differential.amyloidosis_neuropathy"
    assert bot.focus.entities[0] == "amyloidosis"
    monkeypatch.setattr(manager_rules, "SIBLING_KEEPS_TOPIC", False)
    assert say(DialogueManager(kb=kb), *lines).intent != "differential.amyloidosis_neuropathy"


def test_a_sibling_naming_its_own_subject_takes_it(kb):
    # "the japanese one?" after the cohorts compared: the Japanese cohort is the subject now, not transplant
    bot = DialogueManager(kb=kb)
    say(bot, "compare the transplant cohorts for me", "and the japanese one?")
    assert bot.focus.entities[0] == "japanese_cohort"


# -- treatments set side by side for a recorded patient -------------------------------------------------------------

ONE_LESION = "my pt has demyelinating neuropathy, lambda m-protein, one sclerotic lesion and no clonal plasma cells on marrow"
MANY_LESIONS = "my pt has demyelinating neuropathy, lambda m-protein, 6 sclerotic lesions, clonal plasma cells on marrow"


def test_a_choice_between_treatments_gets_the_patients_approach(kb, monkeypatch):
    assert say(DialogueManager(kb=kb), ONE_LESION, "radiation or systemic?").intent == "treatment.radiation_indication"
    assert say(DialogueManager(kb=kb), MANY_LESIONS, "xrt vs systemic?").intent == "treatment.systemic_indication"
    monkeypatch.setattr(reading_rules, "TREATMENTS_AS_ALTERNATIVES", False)
    assert say(DialogueManager(kb=kb), ONE_LESION, "radiation or systemic?").intent != "treatment.radiation_indication"


# -- knowledge: a second transplant, an exact figure ----------------------------------------------------------------


@pytest.mark.parametrize("message", ["second auto?", "what about a repeat transplant", "tandem transplant in poems?"])
def test_a_second_transplant_is_not_covered(kb, message):
    turn = say(DialogueManager(kb=kb), "relapse after transplant, options?", message)
    assert turn.in_scope is False


def test_an_exact_figure_the_card_does_not_give_is_declined(kb):
    turn = say(DialogueManager(kb=kb), "bortezomib in poems?", "exact hematologic response rate w it?")
    assert turn.in_scope is False and "exact figure" in turn.text


# -- the last answer states what the turn alone is declined for -----------------------------------------------------


def test_the_last_answer_states_what_alone_is_declined(kb, monkeypatch):
    lines = ("what are the treatment goals in poems", "how long till neuropathy gets better")
    assert say(DialogueManager(kb=kb), *lines).intent == "treatment.response_goals"
    # after a card that does not state it, the decline stands
    assert say(DialogueManager(kb=kb), "daratumumab for poems?", "how long for the neuropathy to improve").in_scope is False
    monkeypatch.setattr(reading_rules, "FOCUS_STATES_WHAT_ALONE_DECLINES", False)
    assert say(DialogueManager(kb=kb), *lines).in_scope is False
