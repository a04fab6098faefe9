"""How a follow-up is read against the focus (issue 14, second round): the mechanisms, not particular answers.

Each test builds the situation a mechanism is for and checks the rule itself (`choose`, `stays`, the reader's
rewrite, titled siblings, define requests), or a conversation whose outcome only that rule decides."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from chatdriver import run_chat, say

from guidebot.dialogue import DialogueManager
from guidebot.dialogue.choice import ALONE_MARGIN, choose, stays
from guidebot.dialogue.focus import Focus, Rewrite
from guidebot.dialogue.turns import Reading, Suggestion


def match(intent: str | None, confidence: float, reason: str = "", flow: bool = False) -> SimpleNamespace:
    return SimpleNamespace(intent=intent, confidence=confidence, in_scope=intent is not None, reason=reason, is_flow=flow)


# -- a bare reply with nothing asked -------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["yes", "no", "not done", "Yes", "nope", "unknown"])
def test_a_bare_reply_outside_a_flow_answers_nothing(bot, line):
    say(bot, "what is the vegf cutoff?")
    turn = bot.respond(line)
    assert turn.act == "smalltalk:unasked" and turn.in_scope is None and turn.intent is None
    assert not turn.recorded and not turn.citations and "not asked" in turn.text


def test_inside_a_flow_the_same_reply_answers_the_question(bot):
    asked = say(bot, "/assess")
    turn = bot.respond("no")
    assert turn.act is None and bot.recorded[asked.awaiting.slot] is False


# -- misspellings, ellipsis, bare facets ---------------------------------------------------------------------


def test_facets_are_read_from_the_routers_spelling(bot, reader):
    fixes = bot.router.misspellings("how comon is it, and sensitivty?")
    assert fixes == {"comon": "common", "sensitivty": "sensitivity"}
    spelt = bot._spelt("How comon is it, and sensitivty?")
    assert reader.facets_in(spelt) == ["frequency", "sensitivity"]
    assert bot._spelt("how common") == "how common"  # nothing to correct: the text itself


def test_a_one_word_ellipsis_leans_and_a_bare_new_topic_does_not(reader):
    focus = Focus(fact="criteria.mandatory", entities=[])
    assert reader.rewrite("major?", focus).leans
    assert not reader.rewrite("what are the major criteria", focus).leans
    named = reader.rewrite("daratumumab", focus)
    assert named.names == ["daratumumab"] and not named.leans


def test_a_bare_facet_follows_whether_the_focused_fact_speaks_to_it():
    rewrite = Rewrite("how common is x", [], ["frequency"], leans=True, bare=True)
    alone, context = match("overview.prevalence", 0.9), match("focus.fact", 0.55)
    assert alone.confidence > context.confidence + ALONE_MARGIN
    # the focused fact states the facet: read in context whatever the margin
    assert choose(rewrite, alone, context, focus_covers=True) == "context"
    # it does not, and it is about no entity in particular: the facet of POEMS itself
    assert choose(rewrite, alone, match("focus.fact", 0.7), focus_covers=False, focus_general=True) == "alone"
    # it does not, but it is about an entity (a drug): still in context, where the review may decline it
    declined = match(None, 0.6, "dose_not_given")
    assert choose(Rewrite("dose x", [], ["dose"], True, True), match("treatment.melphalan_dose", 0.8), declined,
                  focus_covers=False, focus_general=False) == "context"


def test_a_decline_of_a_facet_asked_of_the_focus_entity_stands():
    declined = match(None, 0.9, "other_condition")
    alone = match("treatment.algorithm", 0.5)
    asks_facet = Rewrite("how is x treated", [], ["treatment"], leans=True, bare=False)
    asks_nothing = Rewrite("x and y", [], [], leans=True, bare=False)
    assert not stays(asks_facet, declined, best=0.6, focused=0.6, alone=alone)
    assert stays(asks_nothing, declined, best=0.6, focused=0.6, alone=alone)


# -- titled siblings and an entity's fact in the focus's section -----------------------------------------------


def fact(fact_id: str, title: str, section: str = "s") -> SimpleNamespace:
    return SimpleNamespace(id=fact_id, title=title, section=section)


def test_a_titled_sibling_is_the_title_headed_by_the_words(reader):
    facts = [fact("a", "Polycythemia and thrombocytosis (one minor criterion)"), fact("b", "Minor criteria"),
             fact("c", "POEMS neuropathy versus X"), fact("d", "Neuropathy: Y versus POEMS")]
    assert reader.titled_sibling("and the minor ones?", facts) == "b"
    assert reader.titled_sibling("and neuropathy", facts) == "d"
    assert reader.titled_sibling("and neuropathy", [facts[2], fact("e", "POEMS neuropathy versus Z")]) is None  # a tie


def test_a_bare_new_entity_gets_its_fact_in_the_focus_section(reader):
    sections = {"workup.cardiopulmonary": "workup", "cardiopulmonary.echo_findings": "cardiopulmonary"}
    echo = Rewrite("and echo", ["echo"], [], leans=True, bare=True)
    assert reader.entity_fact_in_section(echo, "workup", sections, "workup.pet_ct") == "workup.cardiopulmonary"
    assert reader.entity_fact_in_section(echo, "treatment", sections, "treatment.x") is None
    asking = Rewrite("echo findings how often", ["echo"], ["frequency"], leans=True, bare=True)
    assert reader.entity_fact_in_section(asking, "workup", sections, "workup.pet_ct") is None


# -- define requests -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("line, term", [
    ("wait whats CIDP again, chronic inflam..?", "CIDP"),
    ("G-CSF = granulocyte..?", "G-CSF"),
    ("HCT? spell it out", "HCT"),
])
def test_a_term_asked_spelt_out_or_guessed_is_a_define_request(reader, line, term):
    act = reader.act(line)
    assert act is not None and act.act == "define" and act.term == term


@pytest.mark.parametrize("line", ["is vegf a vascular marker?", "whats the vegf cutoff again", "hct for high risk patients"])
def test_a_question_naming_a_term_is_not_a_define_request(reader, line):
    assert reader.act(line) is None


# -- the patient's findings as the focus -----------------------------------------------------------------------


def test_recorded_findings_become_the_focus_entities(bot):
    say(bot, "my patient has papilledema and hyperpigmentation")
    turn = bot.respond("also hypothyroid and diabetic")
    assert turn.recorded and bot.focus.patient
    assert "endocrinopathy" in bot.focus.entities


# -- a resumed plain chat replays the conversation ---------------------------------------------------------------


def test_plain_resume_replays_the_conversation_so_far(monkeypatch, tmp_path):
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / "data"))
    run_chat(["--plain"], ["what is the vegf cutoff?", "and in serum?"], monkeypatch)
    code, out = run_chat(["--plain", "--resume"], [], monkeypatch)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "guidebot> (4 messages restored)"
    assert "you> what is the vegf cutoff?" in lines and "you> and in serum?" in lines
    assert lines.index("you> what is the vegf cutoff?") < lines.index("you> and in serum?")
    assert any("Resumed session" in line for line in lines[lines.index("you> and in serum?"):])
    assert out.count("200 pg/mL") >= 1 and "\x1b" not in out


# -- case fields named from one source ---------------------------------------------------------------------------


def test_recorded_findings_are_named_by_their_slot_labels(bot, kb):
    turn = bot.respond("my patient has a plasma vegf of 310 and papilledema")
    for field in ("vegf_pg_ml", "papilledema"):
        assert field in turn.recorded and kb.slots[field].label in turn.text


def test_a_number_the_patient_has_names_its_field(bot, kb):
    say(bot, "my patient has a plasma vegf of 310 and 2 sclerotic lesions")
    label = kb.slots["vegf_pg_ml"].label
    assert bot._named_values("and is 310 elevated?") == f"and is 310 elevated? ({label})"
    assert bot._named_values("is 311 elevated?") == "is 311 elevated?"
    assert bot._named_values("no numbers here") == "no numbers here"


# -- an explicit change of subject -------------------------------------------------------------------------------


def test_a_change_of_subject_drops_the_focus_and_is_read_without_its_marker(bot, reader):
    assert reader.topic_switch("On a different note, how is X?") == "how is X?"
    assert reader.topic_switch("by the way") is None and reader.topic_switch("what about the way") is None
    say(bot, "what is engraftment syndrome after HCT?")
    plain = DialogueManager(kb=bot.kb).respond("what is the vegf cutoff?")
    turn = bot.respond("btw, what is the vegf cutoff?")
    assert turn.focus.reading == "alone" and turn.focus.switch is True
    assert turn.intent == plain.intent and bot.focus.fact == plain.intent


# -- a turn naming one entity is anchored to that entity's facts ---------------------------------------------------


def test_a_turn_naming_one_entity_prefers_its_fact_on_a_near_tie(bot, monkeypatch, reader):
    facts = reader.entities["lymphoid_aggregates"].facts
    elsewhere = match("diagnosis.bone_marrow", 0.6)
    monkeypatch.setattr(bot.router, "standing", lambda text, ids: (0.60, ids[0], 0.58))
    assert bot._anchored("are the lymphoid aggregates specific?", ["lymphoid_aggregates"], elsewhere) == facts[0]
    monkeypatch.setattr(bot.router, "standing", lambda text, ids: (0.60, ids[0], 0.40))
    assert bot._anchored("are the lymphoid aggregates specific?", ["lymphoid_aggregates"], elsewhere) is None
    assert bot._anchored("x", ["lymphoid_aggregates"], match(facts[0], 0.6)) is None  # already one of its facts
    assert bot._anchored("x", ["lymphoid_aggregates", "megakaryocytes"], elsewhere) is None  # two entities: no anchor


def test_a_comparison_lends_its_fact_not_its_first_entity(reader):
    compared = Focus(fact="treatment.first_line_comparison", entities=["lenalidomide", "melphalan", "transplant"])
    single = Focus(fact="treatment.len_dex_phase2", entities=["lenalidomide"])
    assert "first line comparison" in reader.rewrite("pfs?", compared).text
    assert "lenalidomide" not in reader.rewrite("pfs?", compared).text
    assert "lenalidomide" in reader.rewrite("pfs?", single).text


def test_a_facet_the_focus_entity_lacks_stays_in_context_even_when_alone_is_surer():
    rewrite = Rewrite("survival x", [], ["survival"], leans=True, bare=True)
    alone, context = match("treatment.hct_survival_era", 0.95), match("treatment.ixazomib", 0.55)
    assert alone.confidence > context.confidence + ALONE_MARGIN
    assert choose(rewrite, alone, context, focus_covers=False, focus_general=False) == "context"


def test_a_facet_given_only_for_something_else_is_declined_without_a_number(bot, kb):
    say(bot, "what did the ixazomib study find?")
    elsewhere = match("treatment.radiation_outcomes", 0.5)
    turn = bot._not_given_turn(Reading(reading="context", not_given=["survival"]), elsewhere)
    assert turn.in_scope is False and turn.intent is None
    assert not any(ch.isdigit() for ch in turn.text) and "survival" in turn.text
    assert turn.suggestions == [Suggestion("treatment.radiation_outcomes", kb.facts["treatment.radiation_outcomes"].title)]


def test_a_bare_facet_answered_outside_the_focus_neighbourhood_is_not_given(bot):
    focus = say(bot, "tell me about the french trial")
    turn = bot.respond("progression free survival?")
    near = bot.reader.neighbourhood(bot.kb.facts[focus.intent], bot.reader.fact_entities(focus.intent))
    assert turn.focus.not_given == ["survival"] and turn.in_scope is False
    assert turn.suggestions and turn.suggestions[0].intent not in near
    assert bot.respond("1").intent == turn.suggestions[0].intent  # the fact that does give it can be picked


# -- the patient as the subject of a follow-up ---------------------------------------------------------------------


def test_a_patient_pronoun_is_never_rewritten_with_an_entity(reader):
    patient = Focus(patient=True, entities=["transplant", "vegf"])
    assert "transplant" not in reader.rewrite("what can we give him", patient).text
    assert reader.rewrite("what can we give him", patient).leans
    thing = Focus(fact="clinical.sclerotic_bone_lesions", entities=["sclerotic_lesions"])
    assert "sclerotic" in reader.rewrite("do they hurt?", thing).text


@pytest.mark.parametrize("description, fact", [
    ("my patient is not a transplant candidate and has a lambda M-protein", "treatment.non_transplant_options"),
    ("my patient has 1 sclerotic lesion and no clonal plasma cells in the marrow", "treatment.radiation_indication"),
])
def test_a_patients_treatment_question_gets_the_fact_the_findings_lead_to(bot, description, fact):
    say(bot, description)
    assert bot.focus.patient
    turn = bot.respond("what are her treatment options?")
    assert turn.intent == fact and turn.in_scope


def test_findings_that_decide_nothing_leave_the_question_to_the_router(bot):
    say(bot, "my patient has papilledema and a lambda M-protein")
    assert bot._patient_treatment_fact() is None


# -- an act right after a side question in a guided flow -------------------------------------------------------------


def test_why_after_a_side_question_in_a_flow_is_about_that_answer(bot):
    asked = say(bot, "/assess")
    side = bot.respond("what is the vegf cutoff?")
    assert side.intent == "diagnosis.vegf_threshold" and side.awaiting.slot == asked.awaiting.slot
    turn = bot.respond("source?")
    assert turn.act == "source" and turn.intent == side.intent
    assert turn.awaiting.slot == asked.awaiting.slot and asked.awaiting.question in turn.text  # re-asked


def test_why_on_a_pending_question_still_explains_the_question(bot):
    asked = say(bot, "/assess")
    turn = bot.respond("why?")
    assert turn.act != "why" and turn.awaiting.slot == asked.awaiting.slot
    assert "criterion" in turn.text


# -- the focus's subject against the entities a turn names only as a setting or a scope -------------------------------


def test_an_entity_after_a_setting_or_scope_word_is_a_qualifier_not_the_subject(reader):
    assert reader.qualifiers("and post transplant?") == {"transplant": "setting"}
    assert reader.qualifiers("what was the ES rate in the mayo series?") == {"mayo_cohort": "scope"}
    assert reader.qualifiers("transplant outcomes?") == {}
    # a turn with a subject of its own besides the setting is no bare setting
    assert reader.only_setting("and post transplant", ["transplant"])
    assert not reader.only_setting("should she have induction before the transplant", ["transplant"])


def test_a_setting_named_after_a_drug_keeps_the_drug_the_subject(bot):
    say(bot, "has daratumumab been used in POEMS?")
    turn = bot.respond("and post transplant?")
    assert turn.intent == "treatment.daratumumab"
    assert bot.focus.entities[:2] == ["daratumumab", "transplant"]
    assert bot.respond("any trials?").intent == "treatment.daratumumab_trial"  # still about daratumumab


def test_it_after_a_rate_in_a_cohort_means_the_rated_thing_not_the_cohort(bot):
    say(bot, "what was the ES rate in the mayo series?")
    assert bot.focus.entities[0] == "engraftment_syndrome"
    assert bot.respond("what are the risk factors for it?").intent == "treatment.engraftment_syndrome"


def test_a_bare_name_of_one_of_the_cohorts_compared_asks_for_its_card_not_its_expansion(bot):
    say(bot, "how long from diagnosis to transplant in each cohort?")
    turn = bot.respond("uclh?")
    assert turn.act != "define" and turn.intent == "treatment.table_uclh"


def test_a_bare_term_after_the_key_that_spells_it_out_still_asks_its_meaning(bot):
    say(bot, "in the hct table whats HDM")
    assert bot.respond("and ES?").act == "define"


def test_a_short_follow_up_finds_a_card_around_the_conversations_topic_not_only_the_last_card(bot):
    say(bot, "how do I tell POEMS from AL amyloidosis?", "liver tests?")
    assert bot.focus.fact == "differential.liver_tests" and bot.focus.entities[0] == "amyloidosis"
    # the neuropathy card is related to the amyloidosis comparison, not to the liver tests card
    assert bot.respond("neuropathy?").intent == "differential.amyloidosis_neuropathy"


def test_vs_after_a_card_that_is_no_comparison_compares_its_subject(bot, reader):
    say(bot, "how common are sclerotic bone lesions in POEMS?")
    turn = bot.respond("vs myeloma?")
    assert turn.intent == "differential.myeloma_bone_lesions"
    assert bot.focus.entities[0] == "sclerotic_lesions"  # "them" later is still the lesions
    assert reader.compares("**POEMS versus multiple myeloma**\n\n- ...")
    assert not reader.compares("**Sclerotic bone lesions: frequency, pain and imaging**\n\n- ...")


def test_a_terse_turn_echoes_the_last_answer_by_a_word_made_from_one_of_its_words(bot, kb):
    say(bot, "how common are sclerotic bone lesions in POEMS?")
    fact = kb.facts["clinical.sclerotic_bone_lesions"]
    assert bot.reader.echoes("painful", fact) and not bot.reader.echoes("paint", fact)
    assert bot.respond("painful?").intent == "clinical.sclerotic_bone_lesions"
