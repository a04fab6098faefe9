"""Round 11 (issue 14 items 2-3): acts on the last answer and small talk as people type them.

Each test pins one mechanism of guidebot/dialogue/messages.py or the manager's small-talk and act replies; the
ablation tests show the switch is what makes the difference."""

from __future__ import annotations

import pytest

from chatdriver import say

from guidebot.dialogue import DialogueManager
from guidebot.dialogue import manager as manager_module
from guidebot.dialogue import messages as messages_module
from guidebot.dialogue.focus import abbreviation_key

# -- abbreviations however written ------------------------------------------------------------------------------


def test_an_abbreviation_key_ignores_case_separators_and_subscripts():
    assert {abbreviation_key(t) for t in ("CR_V", "CRV", "CR-V", "crv", "CR\u1d65")} == {"crv"}
    assert abbreviation_key("c + g") == abbreviation_key("C+G") != abbreviation_key("CG")
    assert abbreviation_key("CR_H") != abbreviation_key("CR_V")


@pytest.mark.parametrize("message", ["whats crv", "crv?", "CR-V?", "what is crv", "what's CR_V", "what is the meaning of CR_V",
                                     "CR_V def", "wat is crv"])
def test_a_define_request_finds_the_answers_abbreviation_however_written(reader, kb, message):
    row = kb.facts["treatment.table_uclh"].answer  # writes "CR_V"
    act = reader.act(message, row)
    assert act is not None and act.act == "define" and act.term == "CR_V"
    assert reader.define(act.term, row) == [("CR_V", "complete VEGF response")]


def test_without_the_spellings_crv_is_not_found_in_an_answer_writing_cr_v(reader, kb, monkeypatch):
    monkeypatch.setattr(messages_module, "ABBREVIATION_SPELLINGS", False)
    assert reader.act("whats crv", kb.facts["treatment.table_uclh"].answer) is None


def test_whats_crv_after_a_table_row_is_the_define_act_on_that_row(bot):
    turn = say(bot, "tell me about the japanese transplant cohort", "the uclh one?", "whats crv")
    assert turn.act == "define" and turn.intent == "treatment.table_uclh"
    assert "complete VEGF response" in turn.text


def test_a_define_request_counts_an_answer_that_spells_the_term_out(reader):
    spelt = "CD34 yields did not differ between G-CSF alone and cyclophosphamide plus G-CSF."
    act = reader.act("whats C+G", spelt)
    assert act is not None and act.act == "define" and act.term == "C+G"
    bare = reader.act("C+G?", spelt)
    assert bare is not None and bare.act == "define" and bare.term == "C+G"
    # a bare term naming a thing may ask about it ("ES?" after a card naming engraftment syndrome): never by the expansion
    assert reader.act("ES?", "Engraftment syndrome occurred in 37% of patients.") is None


def test_without_the_expansion_rule_whats_cg_after_the_spelt_out_regimen_is_no_act(reader, monkeypatch):
    monkeypatch.setattr(messages_module, "DEFINE_BY_EXPANSION", False)
    assert reader.act("whats C+G", "cyclophosphamide plus G-CSF") is None


def test_a_term_run_on_into_a_name_is_no_guess_at_its_expansion(reader, kb):
    # "AL amyloid" names the disease; "CIDP again, chronic inflam..?" guesses what CIDP stands for
    last = kb.facts["workup.emg_ncs"].answer
    assert reader.act("what are the neuropathy features of AL amyloid?", last) is None
    guess = reader.act("wait whats CIDP again, chronic inflam..?", last)
    assert guess is not None and guess.act == "define" and guess.term == "CIDP"


def test_without_the_set_off_rule_al_amyloid_is_read_as_a_guess(reader, monkeypatch):
    monkeypatch.setattr(messages_module, "GUESS_SET_OFF", False)
    act = reader.act("what are the neuropathy features of AL amyloid?", "")
    assert act is not None and act.act == "define"


def test_a_new_question_naming_al_amyloid_is_answered_not_defined(bot):
    turn = say(bot, "axonal only on ncs, can it still be poems?", "what are the neuropathy features of AL amyloid?")
    assert turn.act is None and turn.intent == "differential.amyloidosis_neuropathy"


def test_what_do_those_stand_for_spells_out_every_abbreviation_of_the_answer(bot):
    turn = say(bot, "tell me about the uclh transplant cohort", "what do those stand for")
    assert turn.act == "define" and turn.intent == "treatment.table_uclh"
    for term in ("CR_H", "CR_V", "HDM", "TRM"):
        assert f"**{term}**" in turn.text


# -- acts on the last answer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("message", "act"), [
    ("expand on that", "more"), ("paper?", "source"), ("which cohort?", "source"), ("which study was that", "source"),
    ("src?", "source"), ("how come", "why"), ("on what basis", "why"), ("cite?", "source"), ("elaborate", "more"),
    ("where does that number come from", "source"), ("what year was that published", "source"),
])
def test_acts_reach_the_last_answer(bot, message, act):
    first = say(bot, "mayo transplant series results")
    turn = say(bot, message)
    assert turn.act == act and turn.intent == first.intent
    assert "does not cover" not in turn.text


def test_a_why_naming_what_the_answer_is_about_stays_an_act(bot):
    # the card sets lenalidomide against thalidomide: naming either adds nothing of its own
    turn = say(bot, "lenalidomide in poems?", "why len and not thal")
    assert turn.act == "why" and turn.intent == "treatment.lenalidomide_preferred"
    assert "neuropathy" in turn.text


def test_without_the_rule_a_why_naming_thalidomide_is_no_act(kb, monkeypatch):
    monkeypatch.setattr(messages_module, "ACT_NAMES_THE_ANSWERS", False)
    turn = say(DialogueManager(kb=kb), "lenalidomide in poems?", "why len and not thal")
    assert turn.act is None


def test_a_why_naming_a_drug_the_answer_only_mentions_is_a_question_of_its_own(bot):
    # the algorithm mentions bortezomib; the neurotoxic-agents card says why to avoid it
    turn = say(bot, "when do you need systemic therapy rather than RT?", "is there a figure for the algorithm?",
               "why does it say avoid bortezomib?")
    assert turn.act is None and turn.intent == "treatment.neurotoxic_agents"


def test_why_before_any_answer_says_there_is_nothing_to_explain(bot):
    for message in ("why?", "tell me more"):
        turn = say(bot, message)
        assert turn.act in ("why", "more") and turn.in_scope is None
        assert "does not cover" not in turn.text and "no answer yet" in turn.text


def test_without_the_rule_why_before_any_answer_is_not_covered(kb, monkeypatch):
    monkeypatch.setattr(manager_module, "ACT_BEFORE_ANY_ANSWER", False)
    turn = say(DialogueManager(kb=kb), "why?")
    assert turn.act is None and turn.in_scope is False


def test_why_where_the_review_gives_no_reason_says_so(bot):
    turn = say(bot, "radiation dose for poems", "why?")
    assert turn.act == "why" and turn.intent == "treatment.radiation_dose"
    assert "gives no reason" in turn.text and "does not cover" not in turn.text


# -- small talk -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("message", "kind"), [
    ("you're wrong, our poems pts have CKD all the time", "wrong"),
    ("hm you're wrong i think, pretty sure it's primary", "wrong"),
    ("pretty sure that's wrong", "wrong"),
    ("you're wrong, we see neuropathy with len all the time", "wrong"),  # patients in general: a claim, no finding
    ("are you sure? i thought it was kappa", "wrong"),
    ("not what i asked, that was useless", "not_what_i_asked"),
    ("not what i asked, i wanted the dose", "not_what_i_asked"),
])
def test_a_wrong_phrase_followed_by_a_claim_is_that_small_talk(reader, message, kind):
    talk = reader.smalltalk(message)
    assert talk is not None and talk.id == kind


@pytest.mark.parametrize("message", [
    "that's wrong, she has lambda",  # describes the patient: her findings are read
    "you're wrong, what is the dose then?",  # asks a question
    "really high vegf in my patient, 2000",  # "really" opens a statement, not a doubt
])
def test_a_claim_is_not_small_talk_when_it_asks_or_describes_the_patient(reader, message):
    talk = reader.smalltalk(message)
    assert talk is None or talk.id not in ("wrong", "not_what_i_asked")


def test_without_the_claim_rule_youre_wrong_with_a_claim_is_no_small_talk(reader, monkeypatch):
    monkeypatch.setattr(messages_module, "CLAIMS_AFTER_SMALLTALK", False)
    assert reader.smalltalk("you're wrong, our poems pts have CKD all the time") is None


def test_youre_wrong_offers_the_other_candidates(bot):
    first = say(bot, "lenalidomide in poems?")
    turn = say(bot, "you're wrong, our poems pts have CKD all the time")
    assert turn.act == "smalltalk:wrong" and turn.in_scope is None
    assert turn.suggestions and "1. " in turn.text
    assert first.intent not in {s.intent for s in turn.suggestions}
    picked = say(bot, "1")
    assert picked.intent == turn.suggestions[0].intent


def test_without_the_rule_youre_wrong_offers_nothing(kb, monkeypatch):
    monkeypatch.setattr(manager_module, "WRONG_OFFERS_CANDIDATES", False)
    turn = say(DialogueManager(kb=kb), "lenalidomide in poems?", "you're wrong")
    assert turn.act == "smalltalk:wrong" and not turn.suggestions


@pytest.mark.parametrize(("message", "kind"), [
    ("figured", "ack"), ("thought so", "ack"), ("yeah makes sense", "ack"), ("haha", "ack"), ("lmao", "ack"),
    ("\U0001f44d", "ack"), ("\U0001f44d\U0001f44d", "ack"), (":)", "ack"), ("lol ok", "ack"), ("fair enough", "ack"),
    ("k thx", "thanks"), ("you rock", "thanks"), ("gn", "bye"), ("wrong card", "not_what_i_asked"),
])
def test_small_talk_as_residents_type_it(bot, message, kind):
    say(bot, "lenalidomide in poems?")
    turn = say(bot, message)
    assert turn.act == f"smalltalk:{kind}" and turn.in_scope is None
    assert "does not cover" not in turn.text


def test_a_bare_yes_before_thanks_still_answers_a_pending_question(bot):
    say(bot, "does my patient have poems?")
    assert bot.awaiting is not None and bot.awaiting.slot == "polyneuropathy"
    say(bot, "yes thanks")
    assert bot.case.polyneuropathy is True


def test_an_acknowledgement_during_a_question_reasks_it(bot):
    say(bot, "does my patient have poems?")
    slot = bot.awaiting.slot
    turn = say(bot, "figured")
    assert turn.act == "smalltalk:ack" and turn.awaiting is not None and turn.awaiting.slot == slot
    assert "Figure" not in turn.text


def test_without_the_rule_figured_during_a_question_is_a_question_about_the_figures(kb, monkeypatch):
    monkeypatch.setattr(manager_module, "ACK_DURING_QUESTIONS", False)
    turn = say(DialogueManager(kb=kb), "does my patient have poems?", "figured")
    assert turn.act is None and "Figure" in turn.text


def test_a_correction_to_a_pending_question_is_an_answer(bot):
    # "wrong, ..." stating a finding answers the question asked; it is not the you're-wrong small talk
    say(bot, "does my patient have poems?", "yes", "yes")
    assert bot.awaiting.slot == "monoclonal_plasma_cell_disorder"
    turn = say(bot, "wrong, it's lambda")
    assert turn.act is None and turn.recorded == {"light_chain": "lambda", "monoclonal_plasma_cell_disorder": True}


@pytest.mark.parametrize(("message", "act"), [
    ("whyyy", "why"), ("y tho", "why"), ("tell me mroe", "more"), ("expalin", "more"), ("moar", "more"),
])
def test_acts_typed_in_a_hurry(bot, message, act):
    first = say(bot, "bevacizumab in poems")
    turn = say(bot, message)
    assert turn.act == act and turn.intent == first.intent


def test_a_four_letter_keyword_allows_a_swap_not_a_wrong_letter(reader):
    assert reader.act("mroe", "") is not None
    assert reader.act("test?", "") is None  # "rest" is a keyword of more; "test" is another word


def test_without_the_rule_a_stretched_word_is_not_read(reader, monkeypatch):
    assert reader.smalltalk("thxxx").id == "thanks" and reader.smalltalk("cooool").id == "ack"
    monkeypatch.setattr(messages_module, "STRETCHED_WORDS", False)
    assert reader.smalltalk("thxxx") is None and reader.act("whyyy", "") is None


def test_y_answering_a_pending_question_is_yes_not_why(bot):
    # after a side question answered during the flow an act is about that answer, but "y" answers the question
    say(bot, "does my patient have poems?", "what is the vegf cutoff?")
    slot = bot.awaiting.slot
    turn = say(bot, "y")
    assert turn.act is None and turn.recorded == {slot: True}


def test_a_question_after_youre_wrong_is_answered(bot):
    turn = say(bot, "radiation for poems", "you're wrong, what is the dose then?")
    assert turn.act is None and turn.intent == "treatment.radiation_dose"


def test_without_the_rule_the_question_after_youre_wrong_is_declined(kb, monkeypatch):
    monkeypatch.setattr(messages_module, "QUESTION_AFTER_CLAIM", False)
    turn = say(DialogueManager(kb=kb), "radiation for poems", "you're wrong, what is the dose then?")
    assert turn.intent != "treatment.radiation_dose"


def test_what_was_meant_after_not_what_i_asked_is_read_as_the_turn(bot):
    turn = say(bot, "tell me about the uclh transplant cohort", "not that, the japanese one")
    assert turn.act is None and turn.intent == "treatment.table_japan"


@pytest.mark.parametrize("first", [(), ("what tests for the m protein",)])
def test_an_abbreviation_the_review_does_not_spell_out_is_declined_as_such(kb, first):
    turn = say(DialogueManager(kb=kb), *first, "what does IFE stand for")
    assert turn.act == "define" and turn.in_scope is False
    assert turn.text == "The review does not spell out IFE."


def test_an_abbreviation_that_is_part_of_glossary_terms_gets_them(bot):
    turn = say(bot, "what does CR stand for")
    assert turn.act == "define" and turn.in_scope
    assert "CR_H**: complete hematologic response" in turn.text and "CR_V**: complete VEGF response" in turn.text
    assert "ECOG-PS" in say(bot, "ECOG meaning").text


def test_a_define_template_asking_more_is_no_unknown_abbreviation(reader):
    assert reader.act("EVO def per crit footnote?", "") is None
    assert reader.act("what does demyelinating mean", "") is None  # a word, not an abbreviation


def test_without_the_rule_an_unknown_abbreviation_gets_a_card(kb, monkeypatch):
    monkeypatch.setattr(messages_module, "UNKNOWN_ABBREVIATIONS", False)
    turn = say(DialogueManager(kb=kb), "what does IFE stand for")
    assert turn.act is None and turn.in_scope
