"""Round 10 (issue 14): a short turn naming a new topic starts a new focus before any focus mechanism reads it."""

from __future__ import annotations

import pytest

from chatdriver import say

from guidebot.dialogue import DialogueManager
from guidebot.dialogue import reading as reading_module


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (("is lenalidomide preferred in poems", "daratumumab?"), "treatment.daratumumab"),
        (("when is radiation used in poems", "daratumumab?"), "treatment.daratumumab"),
        (("vegf cutoff?", "and bevacizumab?"), "treatment.bevacizumab"),
    ],
)
def test_a_bare_new_drug_starts_a_new_focus(bot, lines, expected):
    turn = say(bot, *lines)
    assert turn.intent == expected
    assert turn.focus is not None and turn.focus.new_topic
    assert bot.focus.fact == expected


def test_without_the_rule_the_sibling_mechanism_keeps_the_old_topic(kb, monkeypatch):
    # the ablation: the titled sibling of the lenalidomide card wins, so the rule is what makes the switch
    monkeypatch.setattr(reading_module, "NEW_TOPIC_STARTS_FOCUS", False)
    bot = DialogueManager(kb=kb)
    assert say(bot, "is lenalidomide preferred in poems", "daratumumab?").intent == "treatment.daratumumab_trial"


def test_a_criterion_named_after_a_comparison_is_asked_of_the_comparison(bot):
    # a criterion, finding or test is no topic of its own: "bone lesions?" after the myeloma comparison
    turn = say(bot, "how is poems diff from myeloma", "bone lesions?")
    assert turn.intent == "differential.myeloma_bone_lesions"
    assert not turn.focus.new_topic


def test_a_drug_already_in_the_focus_is_no_new_topic(bot):
    turn = say(bot, "is lenalidomide preferred in poems", "lenalidomide?")
    assert turn.focus is None or not turn.focus.new_topic


def test_a_treatment_named_for_a_recorded_patient_is_whether_she_gets_it(bot):
    # one sclerotic lesion and a clean marrow lead to radiation by Figure 3: "so rt?" asks whether, not its outcomes
    turn = say(bot, "pt 52F: NCS demyelinating polyneuropathy, IgA lambda on serum IFE, 1 sclerotic lesion at L2",
               "marrow bx negative for clonal plasma cells", "so radiation?")
    assert turn.intent == "treatment.radiation_indication"


def test_without_the_patient_rule_the_router_picks_the_outcomes(kb, monkeypatch):
    monkeypatch.setattr(reading_module, "PATIENT_NAMES_TREATMENT", False)
    bot = DialogueManager(kb=kb)
    turn = say(bot, "pt 52F: NCS demyelinating polyneuropathy, IgA lambda on serum IFE, 1 sclerotic lesion at L2",
               "marrow bx negative for clonal plasma cells", "so radiation?")
    assert turn.intent == "treatment.radiation_outcomes"


def test_a_decline_the_rewrite_caused_yields_to_the_turn_alone(bot):
    # "it" is POEMS, not CIDP: the rewrite "why does catching cidp early matter" is declined as another condition
    turn = say(bot, "should every cidp patient get worked up for poems", "why does catching it early matter")
    assert turn.intent == "overview.early_diagnosis"


def test_without_the_yield_the_rewrites_decline_stands(kb, monkeypatch):
    from guidebot.dialogue import choice as choice_module

    monkeypatch.setattr(choice_module, "REWRITE_CAUSED_DECLINE_YIELDS", False)
    bot = DialogueManager(kb=kb)
    assert not say(bot, "should every cidp patient get worked up for poems", "why does catching it early matter").in_scope


def test_plural_levels_describe_measurements_not_a_cutoff(bot):
    # "vegf levels over time" asks about serial measurement; "what level?" still asks for the cutoff
    reader = bot.reader
    assert "sensitivity" not in reader.facets_in("can we follow him with vegf levels over time")
    assert "sensitivity" in reader.facets_in("what level is abnormal")


def test_an_entity_pointed_at_the_subject_is_asked_of_the_subject(bot):
    turn = say(bot, "ixazomib in poems?", "neuropathy with it?")
    assert turn.intent == "treatment.ixazomib"


def test_without_the_pointer_rule_the_bare_entity_is_read_alone(kb, monkeypatch):
    monkeypatch.setattr(reading_module, "POINTED_ENTITY_IS_OF_SUBJECT", False)
    bot = DialogueManager(kb=kb)
    assert say(bot, "ixazomib in poems?", "neuropathy with it?").intent == "clinical.neuropathy_pattern"


def test_the_catch_asks_the_drawback_of_the_last_answer(bot):
    # alone, "catch?" is read as catching the diagnosis early
    assert say(bot, "first line options compared?").intent == "treatment.first_line_comparison"
    assert say(bot, "catch?").intent == "treatment.first_line_comparison"
    assert say(bot, "catch you later").act == "smalltalk:bye"


@pytest.mark.parametrize("line", ["what's TRM btw", "what is TRM again?"])
def test_a_define_request_with_an_aside_tail(bot, line):
    say(bot, "EBMT cohort?", "TRM and OS?")
    assert say(bot, line).act == "define"


def test_without_the_aside_rule_the_define_is_missed(kb, monkeypatch):
    from guidebot.dialogue import messages as messages_module

    monkeypatch.setattr(messages_module, "DEFINE_ASIDES", False)
    bot = DialogueManager(kb=kb)
    assert say(bot, "EBMT cohort?", "TRM and OS?", "what's TRM btw").act != "define"
