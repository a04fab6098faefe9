"""Round 4 of issue 14 (generalisation): follow-ups the review does not answer, acts by their keywords, small talk
said loosely, and suppositions that record nothing.

Each test pins one mechanism: a facet is stated by what an answer says (an amount for a dose, a length for a
duration, a named therapy for a treatment), a strict facet asked of a drug the answering fact does not name is
declined for that drug, a short message of one act's keywords is that act, a misspelt or trailing small-talk phrase
is small talk, and a supposed patient is never recorded."""

from __future__ import annotations

import pytest

from chatdriver import say

from guidebot.cli.eval_dialogue import turn_right
from guidebot.dialogue import Turn


def declined_without_number(turn: Turn) -> bool:
    """As `guidebot eval --dialogue` scores an uncovered follow-up (numbered suggestions may follow the decline)."""
    return turn_right({"kind": "uncovered"}, turn)


# -- what an answer states ---------------------------------------------------------------------------------------

def test_a_dose_is_stated_by_an_amount_not_by_the_word(reader, kb):
    assert reader.states(kb.facts["treatment.radiation_dose"], ["dose"])  # 45 Gy
    assert reader.states(kb.facts["treatment.melphalan_dose"], ["dose"])  # 140-200 mg/m2
    assert not reader.states(kb.facts["treatment.daratumumab"], ["dose"])
    assert not reader.states(kb.facts["treatment.lmwh_prophylaxis"], ["dose"])  # "prophylactic LMWH", no amount


def test_a_duration_is_stated_by_a_length_not_by_after_or_before(reader, kb):
    assert reader.states(kb.facts["treatment.len_dex_phase2"], ["duration"])  # 12 cycles
    # "1 for relapse after HCT" places an event in time; it says nothing of how long the drug is given
    assert not reader.states(kb.facts["treatment.daratumumab"], ["duration"])


def test_a_treatment_is_stated_by_naming_one(reader, kb):
    assert reader.states(kb.facts["treatment.engraftment_syndrome"], ["treatment"])  # corticosteroids
    # "different treatment considerations" names no therapy
    assert not reader.states(kb.facts["diagnosis.castleman_variant"], ["treatment"])
    assert not reader.states(kb.facts["cardiopulmonary.pulmonary_hypertension"], ["treatment"])


def test_a_cutoff_is_stated_by_a_comparison_with_a_number(reader, kb):
    assert reader.states(kb.facts["treatment.hct_progression_risk"], ["sensitivity"])  # younger than 50 years
    assert not reader.states(kb.facts["criteria.rule"], ["sensitivity"])  # "elevated VEGF" is no cutoff


def test_what_the_review_never_states_is_a_facet_no_fact_states(reader, kb):
    for facet in ("cost", "population", "administration", "heredity"):
        assert reader.facets[facet].strict
    stating = [f.id for f in kb.facts.values() if reader.states(f, ["cost"])]
    assert stating == []


@pytest.mark.parametrize("opener, follow_up", [
    ("daratumumab for poems?", "how long do they stay on it"),
    ("daratumumab for poems?", "iv or subq?"),
    ("what radiation dose do you use for a solitary sclerotic lesion", "fractionation?"),
    ("is lenalidomide preferred over thalidomide in poems", "in pregnancy?"),
    ("whats the vegf cutoff", "which lab does it"),
    ("ebmt transplant cohort", "median age?"),
    ("what is the castleman variant of poems", "treatment?"),
    ("how common is pulmonary hypertension in poems", "does it reverse with treatment of poems?"),
    ("endocrine screening at diagnosis, what do we check", "testosterone replacement?"),
    ("should we give bevacizumab if vegf is sky high?", "how many died"),
    ("daratumumab in poems?", "any long term data?"),
    ("radiation dose for poems", "what's the mechanism of action"),
    ("bevacizumab in poems?", "how often do you check labs"),
    ("radiation dose for poems", "contraindications?"),
    ("daratumumab in poems?", "was it randomized?"),
    ("ixazomib pilot study", "what was the control arm?"),
])
def test_a_follow_up_the_review_does_not_answer_is_declined_without_a_number(bot, opener, follow_up):
    turn = say(bot, opener, follow_up)
    assert declined_without_number(turn), turn.text


def test_a_facet_the_answer_states_is_still_answered(bot):
    assert say(bot, "what did the phase 2 len dex trial show", "pfs?").intent == "treatment.len_dex_phase2"
    assert say(bot, "ebmt transplant cohort", "conditioning regimen?").intent == "treatment.table_ebmt"
    assert say(bot, "risk factors for progression after asct in poems?", "age cutoff?").intent == "treatment.hct_progression_risk"


def test_a_strict_facet_of_a_drug_the_answer_does_not_name_is_declined_for_that_drug(bot, reader, kb):
    assert reader.names_outside("steroid dose?", kb.facts["treatment.melphalan_dose"]) == ["steroids"]
    # a finding is not what a facet is asked of: "my pt has papilledema, is bevacizumab safe?" asks about bevacizumab
    assert reader.names_outside("my pt has papilledema, is bevacizumab safe?", kb.facts["treatment.bevacizumab"]) == []
    turn = say(bot, "what is engraftment syndrome after hct", "steroid dose?")
    assert declined_without_number(turn)
    assert reader.names_outside("radiation dose for daratumumab?", kb.facts["treatment.radiation_dose"]) == ["daratumumab"]


def test_an_act_after_a_decline_is_about_the_last_answer(bot):
    say(bot, "daratumumab for poems?", "side effects?")
    turn = bot.respond("source?")
    assert turn.act == "source" and turn.intent == "treatment.daratumumab"


# -- acts by their keywords ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, act", [
    ("which journal was that", "source"), ("Which references support this?", "source"), ("refs pls", "source"),
    ("soruce", "source"), ("what data", "source"), ("any more info", "more"), ("more deatils", "more"),
    ("why tho", "why"), ("resons?", "why"), ("who says?", "source"), ("how do we know that?", "source"),
    ("where did you read that", "source"), ("what explains that", "why"), ("what else should i know", "more"),
])
def test_a_short_message_of_one_acts_keywords_is_that_act(reader, text, act):
    found = reader.act(text)
    assert found is not None and found.act == act


@pytest.mark.parametrize("text", ["more common?", "what else should i send", "which study showed lenalidomide works",
                                  "trial?", "cost?", "what is the evidence for radiation"])
def test_a_message_naming_something_else_is_no_keyword_act(reader, text):
    assert reader.act(text) is None


# -- small talk said loosely -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, kind", [
    ("hmm are you sure about that", "wrong"), ("thnaks", "thanks"), ("youre worng", "wrong"),
    ("thats not waht i asked", "not_what_i_asked"), ("you got it wrong", "wrong"), ("oh ok", "ack"),
    ("thank you very much", "thanks"), ("hello, how are you?", "greeting"), ("ok thanks bye", "bye"),
    ("see you tomorrow", "bye"),
])
def test_small_talk_with_a_pointing_tail_or_misspelt_is_small_talk(reader, text, kind):
    talk = reader.smalltalk(text)
    assert talk is not None and talk.id == kind


@pytest.mark.parametrize("text", ["thats right", "dose?", "thats not clear", "different question: what is poems",
                                  "anything else?", "hi, what is poems?"])
def test_a_near_phrase_of_another_meaning_is_not_read_as_small_talk(reader, text):
    talk = reader.smalltalk(text)
    assert talk is None or talk.id not in ("wrong", "not_what_i_asked")


# -- suppositions record nothing --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "if a patient had a kappa m protein could it still be poems?",
    "what if the patient has diabetes, does that count?",
    "say my patient has hepatomegaly, does that count as organomegaly?",
    "in a pt with cidp-like neuropathy, when to suspect poems?",
    "what if there are 4 sclerotic lesions?",
    "can my patient have poems if the m protein is kappa?",
    "would my patient qualify if his vegf were 250?",
    "papilledema and poems",
    "lambda light chain poems",
    "poems without m protein",
])
def test_a_supposed_or_general_patient_records_nothing(bot, text):
    assert bot.respond(text).recorded == {}


def test_a_described_patient_is_still_recorded(bot):
    assert bot.respond("my patient has papilledema and hepatomegaly").recorded == {"papilledema": True, "organomegaly": True}
    assert bot.respond("62F, lambda mprotein, neuropathy. if her vegf comes back at 400 is that enough?").recorded.get("light_chain") == "lambda"


# -- a question about the disease itself is its own topic ----------------------------------------------------------

@pytest.mark.parametrize("opener", ["daratumumab in poems?", "engraftment syndrome after transplant", "major criteria?"])
def test_a_question_naming_the_disease_that_does_not_lean_drops_the_focus(bot, opener):
    turn = say(bot, opener, "what is poems")
    assert turn.intent == "overview.definition" and turn.focus.reading == "alone"


def test_a_short_new_topic_drops_the_focus(bot):
    assert say(bot, "whats the vegf cutoff", "radiation dose?").intent == "treatment.radiation_dose"
    assert say(bot, "daratumumab in poems?", "pulmonary hypertension?").intent == "cardiopulmonary.pulmonary_hypertension"


def test_a_turn_with_nothing_of_its_own_is_answered_by_the_last_answer(bot):
    turn = say(bot, "can vegf be high in other conditions?", "like what?")
    assert turn.intent == "diagnosis.vegf_other_causes" and turn.focus.empty


def test_a_one_word_turn_that_alone_is_a_question_of_its_own_is_read_alone(bot, reader):
    from guidebot.dialogue.focus import Focus

    assert reader.rewrite("algorithm?", Focus(fact="differential.cidp", entities=["cidp"])).elliptical
    assert not reader.rewrite("dose?", Focus(fact="treatment.daratumumab", entities=["daratumumab"])).elliptical
    turn = say(bot, "poems vs cidp", "algorithm?")
    assert turn.intent == "treatment.algorithm" and turn.focus.reading == "alone"


def test_softening_words_do_not_hide_a_facet(reader):
    assert "trial" in reader.facets_in("has anyone actually treated a patient with nivolumab?")
    assert "dose" in reader.facets_in("what dose exactly?")
