"""Round 3 of issue 14: the mechanisms that carry follow-ups to conversations no one tuned them on.

Each test pins one rule: a bare facet read by what the focused fact states, a terse turn echoing the last
answer, acts and small talk read through pointing words and words that address the bot, and a statement's
denied findings."""

from __future__ import annotations

import pytest

from chatdriver import say



# -- what a fact states, not what it names ---------------------------------------------------------------------

def test_a_patient_count_is_stated_by_a_number_of_patients_not_by_the_word(reader, kb):
    pooled = kb.facts["treatment.lenalidomide_meta_analysis"]  # "51 patients"
    trial = kb.facts["treatment.len_dex_phase2"]  # "... of patients", no count
    assert reader.states(pooled, ["cohort_size"])
    assert not reader.states(trial, ["cohort_size"])
    assert reader.covers(trial, ["cohort_size"])  # its questions ask "how many cycles": named, not stated


def test_a_bare_facet_the_focused_fact_states_is_answered_by_it(bot):
    turn = say(bot, "is there a pooled analysis of lenalidomide in poems", "n?")
    assert turn.in_scope and turn.intent == "treatment.lenalidomide_meta_analysis"
    assert turn.focus.stayed == "treatment.lenalidomide_meta_analysis"


def test_a_bare_facet_nothing_near_states_is_declined_without_a_number(bot):
    turn = say(bot, "len-dex phase 2 in poems, results?", "n?")
    assert turn.in_scope is False and turn.focus.not_stated == ["cohort_size"]
    assert not any(ch.isdigit() for ch in turn.text.split("(")[0])


def test_and_asks_the_facet_of_something_else(bot):
    # "and in serum?" after the cutoff is not the cutoff again, though the cutoff card names serum
    turn = say(bot, "what is the vegf cutoff", "and in serum?")
    assert turn.focus.stayed != "diagnosis.vegf_threshold"


# -- a terse turn echoing the last answer ----------------------------------------------------------------------

def test_a_terse_turn_picking_terms_out_of_the_last_answer_stays_on_it(bot):
    turn = say(bot, "mayo clinic transplant outcomes in poems?", "G-CSF alone?")
    assert turn.intent == "treatment.mayo_hct_series" and turn.focus.echo


def test_an_echoing_question_is_not_an_echo(bot, reader, kb):
    # "which genes specifically?" repeats a word of the mutations card, but asks for what it may not list
    assert reader.echoes("genes", kb.facts["pathophysiology.mutations"])
    turn = say(bot, "are there known gene mutations in POEMS plasma cells?", "Which genes specifically?")
    assert not turn.focus.echo


# -- acts and small talk as people ask ---------------------------------------------------------------------------

@pytest.mark.parametrize("line, act", [
    ("why tho", "why"), ("how so?", "why"), ("on what basis", "why"), ("why's this?", "why"),
    ("src pls", "source"), ("says who", "source"), ("which registry?", "source"), ("where does this come from", "source"),
    ("cite it", "source"), ("dig deeper", "more"), ("unpack that", "more"), ("elaborate pls", "more"),
    ("meaning of HCT", "define"), ("expand HCT", "define"), ("full form of HCT", "define"),
])
def test_acts_in_many_phrasings(reader, line, act):
    request = reader.act(line, "HCT with melphalan", [])
    assert request is not None and request.act == act


@pytest.mark.parametrize("line, kind", [
    ("thanks man", "thanks"), ("hi bot", "greeting"), ("hello hello", "greeting"), ("cya later", "bye"),
    ("all set", "done"), ("that doesn't sound right", "wrong"), ("you misunderstood me", "not_what_i_asked"),
])
def test_small_talk_through_words_addressing_the_bot(reader, line, kind):
    talk = reader.smalltalk(line)
    assert talk is not None and talk.id == kind


def test_an_act_after_small_talk_is_about_the_last_answered_fact(bot):
    first = say(bot, "anticoagulation in active poems?")
    turn = say(bot, "thanks man", "src pls")
    assert turn.act == "source" and turn.intent == first.intent


# -- findings ----------------------------------------------------------------------------------------------------

def test_a_denied_finding_with_or_is_a_finding_a_choice_with_or_is_a_question(reader):
    assert not reader.asks_about_disease("no M-protein on serum or urine immunofixation")
    assert not reader.asks_about_disease("fundoscopy: no papilledema. no edema or effusions")
    assert reader.asks_about_disease("lambda or kappa")
    assert reader.asks_about_disease("no papilledema or edema in poems?")


def test_denied_findings_after_a_described_patient_are_recorded(bot):
    turn = say(bot, "rheum clinic pt, 45M, node biopsy showed Castleman disease, he has splenomegaly and ascites",
               "no M-protein on serum or urine immunofixation")
    assert turn.recorded == {"monoclonal_plasma_cell_disorder": False}


def test_a_strict_facet_is_declined_by_a_fact_that_only_supposes(bot, reader, kb):
    # the PD-1 fact is a hypothesis: asked for trials, the follow-up is declined, not answered by it
    assert reader.facets["trial"].strict
    assert not reader.states(kb.facts["pathophysiology.pd1_inhibitors"], ["trial"])
    turn = say(bot, "What did the mass cytometry study find about T cells in POEMS?", "any trials with nivolumab?")
    assert turn.in_scope is False and turn.focus.not_stated == ["trial"]
    turn = say(bot, "daratumumab in poems?", "is there a trial of it?")
    assert turn.in_scope and turn.intent == "treatment.daratumumab_trial"


def test_an_opening_courtesy_is_dropped_before_the_turn_is_read(bot, reader):
    assert reader.after_smalltalk("thanks! n?") == "n?"
    assert reader.after_smalltalk("got it. how is it treated?") == "how is it treated?"
    assert reader.after_smalltalk("no, she has no papilledema") is None  # may answer a question
    turn = say(bot, "is there a pooled analysis of lenalidomide in poems", "thanks! n?")
    assert turn.intent == "treatment.lenalidomide_meta_analysis" and turn.act is None


@pytest.mark.parametrize("line", ["no m-protein in poems", "no sclerotic lesions vs myeloma",
                                  "without m protein can it be poems"])
def test_a_denied_finding_in_a_question_about_the_disease_records_nothing(bot, line):
    say(bot, "what is the vegf cutoff")
    assert bot.respond(line).recorded == {}


def test_a_percent_sign_asks_a_share_without_lengthening_the_turn(reader):
    assert "frequency" in reader.facets_in("% w lambda clone in that study")
    assert reader.leans("% w lambda clone in that study")  # six words and a pronoun: a follow-up, not a description


def test_one_question_naming_findings_asks_the_rule_statements_then_a_question_describe_a_case(bot, reader):
    assert reader.general_question("is demyelinating neuropathy plus lambda M-protein enough to diagnose poems?")
    assert not reader.general_question("Demyelinating neuropathy, IgA lambda M-protein, one sclerotic lesion on CT and "
                                       "papilledema. Enough for diagnosis?")
    assert bot.respond("is demyelinating neuropathy plus lambda M-protein enough to diagnose poems?").recorded == {}


def test_a_facet_whose_states_expression_is_broken_is_a_knowledge_error():
    from pydantic import ValidationError

    from guidebot.knowledge.schema import Facet

    with pytest.raises(ValidationError, match="not a regular expression"):
        Facet(id="dose", words=["dose"], states=["(unclosed"])
