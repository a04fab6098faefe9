"""Exam vignettes (issue 19, round 11): the ask weighed against the case, and vignettes about what the review does
not cover declined. Each rule is checked both ways: on, it changes the route; off (`Router.route(off=...)`), the
old route comes back, so a test cannot pass without its rule."""

from __future__ import annotations

import pytest

from guidebot.routing import get_router

MAJOR = ("A 55-year-old man with demyelinating neuropathy and a lambda M-protein has the following findings. Which one "
         "is a MAJOR criterion for POEMS syndrome? (A) gynecomastia (B) ascites (C) sclerotic bone lesion (D) papilledema")


@pytest.fixture(scope="module")
def router():
    return get_router()


def test_a_knowledge_ask_about_a_described_patient_gets_the_fact_and_keeps_the_assessment(router):
    match = router.route(MAJOR)
    assert match.intent == "criteria.major"
    # INTERFACE section 2: a described patient asking a diagnostic question still gets the assessment
    assert router.asks_for_verdict(match.intent)
    assert router.route(MAJOR, frozenset({"knowledge_ask"})).intent == "diagnosis.assess"


def test_a_verdict_ask_about_a_described_patient_stays_with_the_guided_diagnosis(router):
    case = "A 55-year-old man has a demyelinating neuropathy, a lambda M-protein, a sclerotic lesion and papilledema. {}"
    for ask in ("Does he have POEMS syndrome?", "What is the most likely diagnosis?", "Does he meet the criteria?"):
        assert router.route(case.format(ask)).intent == "diagnosis.assess", ask


def test_a_knowledge_ask_of_the_case_flow_reaches_a_fact_outside_the_criteria(router):
    vignette = ("A 50-year-old man has a demyelinating neuropathy and an IgG lambda M-protein. Which of the following "
                "categories of disorders make up the differential diagnosis of POEMS syndrome?")
    assert router.route(vignette).intent == "differential.overview"
    assert router.route(vignette, frozenset({"knowledge_ask"})).intent == "diagnosis.assess"


def test_exam_framing_the_following_is_not_the_word_follow(router):
    assert "follow" not in router.normalise("Which of the following best describes the M-protein in POEMS syndrome?")
    assert "follow" in router.normalise("vegf following treatment")
    assert router.route("Which of the following best describes the M-protein in POEMS syndrome?").intent == "diagnosis.m_protein"


def test_a_declined_vignette_is_answered_by_a_fairly_sure_model(router):
    # its case's words ("COPD", "apnea") are unknown to guidebot, which keeps model_rescue from answering
    vignette = ("A 68-year-old man with severe COPD and obstructive sleep apnea has an elevated VEGF level on a research "
                "panel. Which of the following is the best interpretation?")
    assert router.route(vignette).intent == "diagnosis.vegf_other_causes"
    assert not router.route(vignette, frozenset({"vignette_rescue"})).in_scope


def test_a_vignette_asking_a_detail_the_review_does_not_give_is_declined(router):
    fractions = ("A 47-year-old man with POEMS syndrome and a solitary sclerotic lesion is planned for radiotherapy. "
                 "What dose per fraction and number of fractions should be prescribed?")
    assert router.route(fractions).reason == "dose_not_given"
    assert router.route("radiation dose in poems?").intent == "treatment.radiation_dose"
    recheck = ("A 58-year-old man is in complete remission 1 year after HCT for POEMS syndrome. How often should VEGF be "
               "rechecked during follow-up, in months?")
    assert not router.route(recheck).in_scope
    assert router.route(recheck, frozenset({"duration_not_given"})).in_scope
    # how often a finding is seen is no interval to keep
    assert router.route("how often do you see castleman changes in the nodes").in_scope


def test_uncovered_topics_are_read_through_the_lexicon(router):
    # "donor transplant" is the lexicon's allogeneic transplant, which the review never discusses
    assert router.route("is a donor transplant an option for poems").reason == "other_topic"
    assert router.route("What is the recommended treatment approach for POEMS syndrome in children?").reason == "other_topic"
    # a typed word is read as typed: "driving" is the verb, not the uncovered "drive"
    assert router.route("is veg f actually the main cytokine driving poe ems or just a marker of activity").intent == "pathophysiology.vegf_role"


def test_an_ask_read_alone_must_reach_a_fact_that_speaks_of_the_management_asked(router):
    skin = ("A 47-year-old woman with POEMS syndrome is bothered by hyperpigmentation and hemangiomata on her face. Which "
            "dermatologic treatment is most effective?")
    assert not router.route(skin).in_scope


def test_a_declined_case_of_another_disease_is_not_rescued_by_its_findings(router):
    myeloma = ("A 67-year-old man has anemia, hypercalcemia, acute kidney injury, and multiple painful lytic lesions. Marrow "
               "shows 40% clonal plasma cells. He is transplant eligible. Which induction regimen is the standard of care?")
    assert not router.route(myeloma).in_scope
    # a POEMS case with lesions and marrow still gets the fact Figure 3 points to
    assert router.route("2 sclerotic lesions, marrow clean - radiate or transplant?").intent == "treatment.radiation_indication"


def test_a_condition_named_only_in_a_vignette_s_case_is_its_history_not_its_ask(router):
    cidp = ("A 50-year-old woman with a CIDP diagnosis has not improved after months of intravenous immunoglobulin. "
            "Which diagnosis should now be considered?")
    assert router.route(cidp).intent == "differential.cidp"
    assert router.route(cidp, frozenset({"case_condition"})).reason == "other_condition"
    # asked of the other condition itself, it is still declined
    assert not router.route("A 60-year-old man has CIDP. What is the first-line treatment of CIDP?").in_scope


def test_answer_options_are_not_the_described_patient_s_findings(router):
    from guidebot.dialogue.described import count_findings

    findings = router.read(MAJOR)[0].findings
    assert findings.get("polyneuropathy") is True
    # "(B) ascites (D) papilledema" are what the ask picks among, not this patient's findings
    assert "extravascular_volume_overload" not in findings and "papilledema" not in findings
    assert count_findings(MAJOR) == count_findings(MAJOR.split(" (A)")[0])


# Round 12 (style_vignette_p): the ask kind against the case's state. Each rule is checked on and off.

def test_a_vignette_asking_which_drugs_to_avoid_gets_the_caution_behind_the_algorithm(router):
    vignette = ("A 60-year-old man with POEMS syndrome walks with a cane because of foot drop. He cannot have a transplant "
                "and a myeloma-style regimen is planned. According to the treatment algorithm (Figure 3), which drugs "
                "are avoided and why?")
    assert router.route(vignette).intent == "treatment.neurotoxic_agents"
    assert router.route(vignette, frozenset({"avoid_ask"})).intent == "treatment.algorithm"
    # a lay "is it dangerous?" after a story asks about the story, not about whichever caution scores near it
    lay = ("what's this engraftment reaction they warned us about -- fever and rash after the transplant? is it "
           "dangerous and how do they treat it?")
    assert router.route(lay).intent == "treatment.engraftment_syndrome"


def test_a_vignette_asking_the_most_likely_diagnosis_gets_the_differential_its_finding_points_to(router):
    vignette = ("A 66-year-old man with a lambda M-protein and a neuropathy has nephrotic-range proteinuria of 8 g/day "
                "and leg edema. What is the most likely diagnosis?")
    assert router.route(vignette).intent == "differential.amyloidosis_kidney"
    assert router.route(vignette, frozenset({"differential_ask"})).intent == "diagnosis.assess"
    # a POEMS case asking for the verdict still gets the guided diagnosis
    case = "A 55-year-old man has a demyelinating neuropathy, a lambda M-protein, a sclerotic lesion and papilledema. {}"
    assert router.route(case.format("What is the most likely diagnosis?")).intent == "diagnosis.assess"


def test_an_ask_that_picks_a_statement_is_read_as_a_question_about_its_topic(router):
    vignette = ("A 61-year-old woman with neuropathy has a small lambda band on immunofixation. Which of the following "
                "statements about the monoclonal protein in POEMS syndrome is accurate?")
    assert router.route(vignette).intent == "diagnosis.m_protein"
    assert router.route(vignette, frozenset({"answer_frame"})).intent == "diagnosis.assess"


def test_a_next_best_step_in_management_is_a_treatment_case(router):
    vignette = ("A 50-year-old man with POEMS syndrome has 4 sclerotic lesions and a 10% lambda-restricted marrow clone. "
                "What is the next best step in management?")
    assert router.route(vignette).intent == "treatment.systemic_indication"
    assert router.route(vignette, frozenset({"treatment_case"})).intent == "diagnosis.marrow_clone"


def test_asking_for_a_replacement_of_a_recommended_agent_is_declined(router):
    hit = ("A 62-year-old man with POEMS syndrome on dalteparin prophylaxis has a platelet count that halves on day 8. "
           "Which alternative anticoagulant should replace it?")
    assert router.route(hit).reason == "other_topic"
    assert router.route(hit, frozenset({"replacement_ask"})).intent == "treatment.lmwh_prophylaxis"
    # the caution is still shown when the agent itself is asked about, and a caution warning against its agent
    # still answers what to give instead ("thalidomide ... which is the most appropriate alternative?")
    assert router.route("is LMWH needed in active POEMS?").intent == "treatment.lmwh_prophylaxis"
    assert router.route("alternative to thalidomide in poems because of neuropathy?").intent in (
        "treatment.neurotoxic_agents", "treatment.lenalidomide_preferred")


def test_an_avoid_ask_is_not_answered_by_a_caution_recommending_its_agent(router):
    vignette = ("A 58-year-old woman with POEMS syndrome, 4 sclerotic lesions and a lambda clone cannot have a transplant. "
                "She can no longer walk without help because of her neuropathy. Which of the following should be avoided: "
                "(A) daratumumab-based therapy (B) thalidomide (C) lenalidomide-dexamethasone (D) low-molecular-weight heparin?")
    assert router.route(vignette).intent == "treatment.neurotoxic_agents"
    assert router.route(vignette, frozenset({"avoid_ask"})).intent == "treatment.lmwh_prophylaxis"
    assert router.route("is LMWH safe in active poems?").intent == "treatment.lmwh_prophylaxis"
