"""Every caution is reached however it is asked, and never by another disease's question (issue 19, round 11).

The four cautions are safety-critical: these phrasings, taken from the training sets' paraphrase, vignette,
pager, dictation and learner-English questions, name no agent by name, so only the lexicon's descriptions and
the caution-first rules can bring them to their caution. They are routed with the learned re-ranker's rules
switched off, so that what is pinned is the mechanism, not the model's memory of its training questions.
bench/cautions.py measures the same over every training set.
"""

from __future__ import annotations

import pytest

from guidebot.routing import get_router

WITHOUT_MODEL = frozenset({"model_rescue", "model_choice", "semantic_rescue"})

BEVACIZUMAB, PLASMA_EXCHANGE = "treatment.bevacizumab", "treatment.plasma_exchange"
LMWH, NEUROTOXIC = "treatment.lmwh_prophylaxis", "treatment.neurotoxic_agents"


@pytest.mark.parametrize(
    ("question", "caution"),
    [
        ("study group q: which targeted antibody does the article tell you to steer clear of in this disease?", BEVACIZUMAB),
        ("is the antibody that mops up the blood-vessel growth signal a good idea for this syndrome?", BEVACIZUMAB),
        ("I read some patients died early after getting a vessel-growth-blocking antibody drip. is that why it's discouraged?", BEVACIZUMAB),
        ("A 58-year-old man with POEMS syndrome, sclerotic lesions in the pelvis, and 8% lambda-restricted marrow plasma "
         "cells is being planned for therapy. Which of the following agents has been associated with an increase in "
         "early deaths in this disease and should be avoided?", BEVACIZUMAB),
        ("is running the blood through a separator to pull off the plasma an effective treatment for this syndrome?", PLASMA_EXCHANGE),
        ("Since the M-spike is just a protein floating in the blood, can't they wash it out with plasma swaps?", PLASMA_EXCHANGE),
        ("is taking off and replacing plasma considered effective or useless here?", PLASMA_EXCHANGE),
        ("Is useful to change the plasma in POEMS syndrome or it is not effective?", PLASMA_EXCHANGE),
        ("A 45-year-old woman with newly confirmed POEMS syndrome is admitted with worsening weakness. Which of the "
         "following therapies has consistently been considered ineffective for POEMS syndrome?", PLASMA_EXCHANGE),
        ("should everyone with active disease get blood-thinner shots under the skin to prevent clots?", LMWH),
        ("which clot-preventing medicine is advised for all patients while the disease is active?", LMWH),
        ("min VTE ppx rec for active dz?", LMWH),
        ("family asking why he need daily injection in the belly, he is walking fine", LMWH),
        ("A 66-year-old woman with active POEMS syndrome is largely bedbound from her neuropathy. Which is the most "
         "appropriate next step to reduce her risk of thrombosis?", LMWH),
        ("the cancer drug that causes neuropathy -- the proteasome-blocking one -- is it off the table here?", NEUROTOXIC),
        ("is the 1960s birth-defect sedative ok to use in these patients, given their nerves?", NEUROTOXIC),
        ("On the management flow chart, which myeloma drugs are left out because of the nerve risk?", NEUROTOXIC),
        ("which myeloma drugs should we skip because they make numb feet worse?", NEUROTOXIC),
        ("Which medicines we must avoid in POEMS because they are making the neuropathy more bad?", NEUROTOXIC),
        ("bore tez oh mib and tally doe mide should they be avoided in poe ems because of the neuropathy", NEUROTOXIC),
        # "drives" here is what drives the disease, not driving a car (an uncovered topic)
        ("since VEGF drives everything, why not just neutralise it?", BEVACIZUMAB),
        # the same descriptions, in words no training question uses
        ("would an angiogenesis blocker be reasonable for the capillary leak?", BEVACIZUMAB),
        ("Is removing and replacing the liquid part of the blood useful in POEMS?", PLASMA_EXCHANGE),
        ("A 54-year-old woman with active POEMS syndrome has no history of thrombosis. Which of the following is "
         "recommended at a minimum?", LMWH),
        ("is the myeloma shot that blocks the proteasome safe for his nerves?", NEUROTOXIC),
    ],
)
def test_a_caution_asked_in_lay_words_lands_on_it(question, caution):
    match = get_router().route(question, off=WITHOUT_MODEL)
    assert match.in_scope and match.intent == caution


@pytest.mark.parametrize(
    ("question", "caution"),
    [
        # a plasma sample or the plasma cell clone is no plasma exchange
        ("serial VEGF - ok to swap serum/plasma?", PLASMA_EXCHANGE),
        ("can we remove the plasma cell clone with radiation", PLASMA_EXCHANGE),
        # another antibody or another VEGF-lowering drug named is what the description speaks of
        ("should daratumumab be avoided in poems, it is an antibody", BEVACIZUMAB),
        ("does lenalidomide work against VEGF", BEVACIZUMAB),
        ("How do you manage hypertension caused by VEGF tyrosine kinase inhibitors like sunitinib?", BEVACIZUMAB),
        # general medicine: another condition, or a topic the review does not cover
        ("How long should a provoked DVT be anticoagulated?", LMWH),
        ("how to prevent DVT on a long flight", LMWH),
        ("anti-VEGF injections for wet AMD - how often", BEVACIZUMAB),
        ("WM hyperviscosity - PLEX how many sessions?", PLASMA_EXCHANGE),
        ("essential thrombocythaemia - aspirin or hydroxycarbamide?", LMWH),
        ("LMWH after hip surgery", LMWH),
        # apheresis beside CD34 or G-CSF collects stem cells (issue 19's example)
        ("Peripheral CD34 is 12/uL on G-CSF before apheresis. What are the options?", PLASMA_EXCHANGE),
        # the agent named for the condition it treats elsewhere, which the caution's answer never speaks of
        ("bortezomib in multiple myeloma", NEUROTOXIC),
        ("velcade for myeloma relapse", NEUROTOXIC),
        ("avastin for ovarian cancer", BEVACIZUMAB),
        ("thalidomide for erythema nodosum leprosum", NEUROTOXIC),
    ],
)
def test_a_question_about_something_else_does_not_get_the_caution(question, caution):
    assert get_router().route(question).intent != caution


@pytest.mark.parametrize(
    "question",
    ["CIDP not resp IVIG/PLEX think POEMS?", "cidp not responding to ivig or plex - could it be poems?"],
)
def test_plasma_exchange_that_failed_for_cidp_asks_about_cidp(question):
    # the caution's answer speaks of CIDP, so asked as a plan it still answers: "CIDP pt, should I do PLEX?"
    assert get_router().route("CIDP pt, should I do PLEX?").intent == PLASMA_EXCHANGE
    assert get_router().route(question).intent == "differential.cidp"


def test_asked_how_well_a_drug_worked_its_results_answer_and_the_caution_is_suggested():
    match = get_router().route("bortezomib effective in poems?")
    assert match.intent == "treatment.bortezomib"
    assert NEUROTOXIC in [s.intent for s in match.suggestions]
    # asked whether it is safe, the caution answers
    assert get_router().route("is the proteasome blocker safe for his nerves in poems?").intent == NEUROTOXIC


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("How much frequent is the POEMS in the population?", "overview.prevalence"),
        ("Which level of VEGF is the cutoff for POEMS and how much sensitive and specific?", "diagnosis.vegf_threshold"),
        ("How much the POEMS patients make thrombosis and for which reasons?", "thrombosis.risk"),
    ],
)
def test_how_much_before_a_degree_word_asks_how_often_not_for_a_dose(question, fact):
    assert get_router().route(question).intent == fact


def test_how_much_of_a_drug_still_asks_for_a_dose():
    assert get_router().route("how much lenalidomide for poems").reason == "dose_not_given"
