"""Round 5 of issue 14 (unseen writers): findings said as lab results, denial lists, a patient statement recorded
before any facet it names, a supposition after a described patient, and acts with a pointing tail or behind "ok but".

Each test pins one mechanism, in phrasings of our own (not the evaluation set's)."""

from __future__ import annotations

import pytest

from chatdriver import say

from guidebot.criteria.findings import extract_findings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # hormone results as the lab reports them name the endocrinopathy
        ("TSH elevated", {"endocrinopathy": ["thyroid"]}),
        ("testosterone very low", {"endocrinopathy": ["hypogonadism"]}),
        ("prolactin came back high", {"endocrinopathy": ["hyperprolactinemia"]}),
        # an axonal study is a neuropathy, not a demyelinating one
        ("EMG: axonal sensorimotor pattern", {"polyneuropathy": True, "neuropathy_demyelinating": False}),
        # "neg" is a negation, for the marrow as for any finding
        ("BM neg", {"clonal_marrow_plasma_cells": False}),
        ("bone marrow neg for clonal plasma cells", {"clonal_marrow_plasma_cells": False}),
        # a negative immunofixation denies the M-protein; a positive one still affirms it
        ("urine immunofixation negative", {"monoclonal_plasma_cell_disorder": False}),
        ("IFE positive, kappa", {"monoclonal_plasma_cell_disorder": True, "light_chain": "kappa"}),
        # a marrow clone is a monoclonal plasma cell disorder, whatever the immunofixation said
        ("IFE negative but the marrow has clonal plasma cells",
         {"monoclonal_plasma_cell_disorder": True, "clonal_marrow_plasma_cells": True}),
        # a VEGF level inside the laboratory's range is not elevated; the phrase without a VEGF value says nothing
        ("serum VEGF 420, within normal limits", {"vegf_pg_ml": 420, "vegf_specimen": "serum", "vegf_elevated": False}),
        ("TSH within normal limits", {}),
    ],
)
def test_findings_said_as_lab_results(text, expected):
    assert extract_findings(text) == expected


def test_a_denial_list_goes_on_past_a_comma_and_may_open_after_and(bot):
    turn = say(bot, "exam without hepatosplenomegaly, and no ascites, pleural effusions or leg edema")
    assert turn.recorded == {"organomegaly": False, "extravascular_volume_overload": False}


def test_a_list_after_a_denial_without_or_still_asks(bot):
    # only an "or" list continues a denial; "poems vs cidp" after it is still a question
    turn = say(bot, "no papilledema, poems vs cidp")
    assert turn.recorded == {}


def test_a_patient_statement_is_recorded_before_any_facet_it_names(bot):
    # "unfit for transplant" names transplant and a group of patients; stated of the patient it is a finding,
    # not a question about transplant in frail patients to decline
    turn = say(bot, "my patient has papilledema and a lambda M-protein", "what are the major criteria?",
               "fundi normal, no papilledema. she is too sick for a transplant")
    assert turn.recorded == {"papilledema": False, "transplant_eligible": False}
    assert turn.in_scope


def test_a_supposition_after_a_described_patient_is_not_recorded(bot):
    turn = say(bot, "71M, IgG lambda paraprotein and demyelinating neuropathy. What if his VEGF were 900, would that settle it?")
    assert "vegf_pg_ml" not in turn.recorded
    assert turn.recorded.get("light_chain") == "lambda"
    assert turn.recorded.get("neuropathy_demyelinating") is True


def test_an_act_said_in_the_last_answers_words_stays_an_act(bot):
    # alone the router is sure of POEMS's prevalence; every word but the act's is the card's own, so it is "why?"
    turn = say(bot, "are polycythemia and thrombocytosis separate minor criteria?", "why are they so common in POEMS?")
    assert turn.act == "why"
    assert turn.intent == "criteria.polycythemia_thrombocytosis"


def test_an_act_that_adds_words_may_still_be_a_question_of_its_own(bot, kb):
    from guidebot.dialogue.context import ConversationReader

    reader = ConversationReader.of(kb.conversation)
    last = kb.facts["criteria.polycythemia_thrombocytosis"]
    assert reader.words_beyond("why are they so common in POEMS?", last) == []
    assert reader.words_beyond("why do the glands fail?", last) == ["glands", "fail"]


@pytest.mark.parametrize("line", ["ok but why", "alright, but why", "cool. refs"])
def test_a_nod_before_an_act_is_the_act(bot, line):
    turn = say(bot, "does plasmapheresis help in POEMS?", line)
    assert turn.act in ("why", "source")
    assert turn.intent == "treatment.plasma_exchange"


def test_a_nod_with_an_act_keyword_in_a_statement_is_still_small_talk(bot):
    turn = say(bot, "does plasmapheresis help in POEMS?", "thanks, that explains it")
    assert turn.act == "smalltalk:thanks"


def test_a_define_request_with_a_pointing_tail(bot):
    turn = say(bot, "what does the treatment algorithm look like?", "what's CR_V here?")
    assert turn.act == "define"
    assert "complete VEGF response" in turn.text


def test_a_guideline_or_trial_number_asks_for_the_source(bot):
    assert say(bot, "does plasmapheresis help in POEMS?", "what guideline is that from").act == "source"
    assert say(bot, "is there a daratumumab trial?", "nct?").act == "source"


def test_a_topic_switch_marker_is_not_read_for_facets(bot):
    # the router reads "topic" as a misspelt "toxic"; the marker is dropped before facets are read
    turn = say(bot, "should POEMS pts get induction before auto transplant?",
                "change of topic - how are stem cells mobilized in POEMS?")
    assert turn.in_scope and turn.intent == "treatment.mobilization"


def test_risk_factors_are_not_side_effects(kb):
    from guidebot.dialogue.context import ConversationReader

    reader = ConversationReader.of(kb.conversation)
    assert "side_effects" not in reader.facets_in("any other risk factors?")
    assert "side_effects" in reader.facets_in("what are the risks of it?")


def test_a_word_deep_in_a_section_neighbours_title_does_not_leave_the_focus(bot):
    # "Sclerotic bone lesions: frequency, pain and imaging" is in the clinical section with axonal degeneration,
    # but "pain" only sits inside its title
    turn = say(bot, "poems vs cidp, how do I tell them apart?", "axonal loss?", "and what about the pain?")
    assert turn.intent != "clinical.sclerotic_bone_lesions"


def test_the_patients_focus_is_what_was_found_not_the_test_it_was_found_by(bot):
    say(bot, "my patient: demyelinating neuropathy on EMG, lambda paraprotein on immunofixation")
    assert "emg_ncs" not in bot.focus.entities
    assert "neuropathy" in bot.focus.entities


def test_a_test_alone_stays_the_patients_focus(bot):
    # "vegf 640 in plasma" names only the test: it is what the follow-up ("is that high?") is about
    say(bot, "my patient's plasma VEGF came back at 640")
    assert "vegf" in bot.focus.entities


def test_a_why_with_a_subject_of_its_own_yields_to_a_fairly_sure_other_fact(bot):
    # "finding it early" is not in the tests card; alone the router is fairly (not very) sure of the early-diagnosis fact
    turn = say(bot, "why are so many tests needed to diagnose POEMS?", "and why does finding it early matter so much?")
    assert turn.act is None
    assert turn.intent == "overview.early_diagnosis"
