"""Regressions a reviewer found in reading findings (round 11): each pinned by the message that showed it.

A lab cue of another analyte is no VEGF flag; the LAD artery is no lymphadenopathy; a denied organ or effusion does
not undo an affirmed one; "R" (right) opens descriptions; a cutoff or criteria word inside a list of stated findings
asks nothing; a pushback naming a cautioned agent gets the caution; and the eval does not count a finding turn
answered as a fact as read."""

from __future__ import annotations

import pytest

from chatdriver import say

from guidebot.cli.eval_dialogue import finding_turn_right
from guidebot.criteria import Case, assess
from guidebot.criteria.findings import extract_findings

# -- 1. range and flag words of another analyte are not VEGF's --------------------------------------------------------


@pytest.mark.parametrize("text", [
    "demyelinating neuropathy, lambda M-protein, VEGF 90 pg/mL, CRP above ULN, papilledema, splenomegaly",
    "VEGF 900 pg/mL, TSH within normal range",
    "VEGF 150 pg/mL, labs report CRP high",
])
def test_a_range_or_flag_word_of_another_analyte_is_no_vegf_judgement(text):
    assert "vegf_elevated" not in extract_findings(text)


@pytest.mark.parametrize(("text", "elevated"), [
    ("VEGF 450 pg/mL, above ULN", True),
    ("VEGF 150 pg/mL, within normal range", False),
    ("vegf flagged high by our lab, serum sample, 1500 pg/mL", True),
])
def test_a_range_or_flag_word_about_vegf_still_counts(text, elevated):
    assert extract_findings(text)["vegf_elevated"] is elevated


@pytest.mark.parametrize("text", [
    "demyelinating neuropathy, lambda M-protein, VEGF 90 pg/mL, CRP above ULN, papilledema, splenomegaly",
    "demyelinating neuropathy, lambda M-protein, one sclerotic lesion, prior LAD stent",
])
def test_these_descriptions_do_not_meet_the_criteria(text):
    case = Case(**extract_findings(text))
    assert assess(case).verdict != "meets_criteria"


# -- 2. LAD the coronary artery is not lymphadenopathy ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["prior LAD stent", "PCI to the LAD", "LAD occlusion in 2019", "LAD territory infarct",
                                  "LAD disease", "stenosis of the LAD"])
def test_the_lad_artery_is_no_organomegaly(text):
    assert "organomegaly" not in extract_findings(text)


@pytest.mark.parametrize("text", ["LAD on PET", "splenomegaly and LAD on CT", "bulky LAD"])
def test_lad_without_cardiac_words_is_lymphadenopathy(text):
    assert extract_findings(text)["organomegaly"] is True


def test_no_lad_is_denied():
    assert extract_findings("no LAD")["organomegaly"] is False


# -- 3. an OR field: one denied item does not undo another affirmed ------------------------------------------------------


@pytest.mark.parametrize(("text", "field"), [
    ("hepatomegaly, spleen not enlarged", "organomegaly"),
    ("splenomegaly, no lymphadenopathy", "organomegaly"),
    ("leg edema, no ascites", "extravascular_volume_overload"),
    ("ascites, no pleural effusion", "extravascular_volume_overload"),
    ("no ascites, leg edema", "extravascular_volume_overload"),
    ("hyperpigmentation, no hemangiomas", "skin_changes"),
])
def test_a_denied_item_does_not_undo_an_affirmed_one(text, field):
    assert extract_findings(text)[field] is True


@pytest.mark.parametrize(("text", "field"), [("no hepatomegaly, spleen not enlarged", "organomegaly"),
                                             ("no edema, no ascites", "extravascular_volume_overload")])
def test_every_item_denied_is_still_no(text, field):
    assert extract_findings(text)[field] is False


# -- 4. R/L shorthand opens descriptions; cutoff and criteria words in a list of findings ask nothing -------------------


@pytest.mark.parametrize(("text", "want"), [
    ("R pleural effusion, IgA lambda, polyneuropathy",
     {"extravascular_volume_overload": True, "monoclonal_plasma_cell_disorder": True, "light_chain": "lambda",
      "polyneuropathy": True}),
    ("r foot drop, lambda M protein, VEGF 900 pg/mL",
     {"monoclonal_plasma_cell_disorder": True, "light_chain": "lambda", "vegf_pg_ml": 900}),
    ("r leg edema", {"extravascular_volume_overload": True}),
    ("r sided pleural effusion and ascites", {"extravascular_volume_overload": True}),
    ("IgA lambda, demyelinating neuropathy, VEGF 1200 pg/mL (cutoff 200)",
     {"monoclonal_plasma_cell_disorder": True, "light_chain": "lambda", "polyneuropathy": True,
      "neuropathy_demyelinating": True, "vegf_pg_ml": 1200}),
    ("VEGF 450 pg/mL, higher than the lab cutoff", {"vegf_pg_ml": 450}),
    ("endocrine: T2DM, criteria met for hypogonadism", {"endocrinopathy": ["diabetes", "hypogonadism"]}),
])
def test_a_description_is_recorded(bot, text, want):
    assert bot.respond(text).recorded == want


@pytest.mark.parametrize("text", ["r polycythemia and thrombocytosis separate minors", "vegf 200 cutoff plasma",
                                  "splenomegaly as a minor", "T2DM endocrine minor"])
def test_a_telegraphic_question_still_records_nothing(bot, text):
    assert bot.respond(text).recorded == {}


# -- 5. pushback naming a cautioned agent gets the caution ---------------------------------------------------------------


def test_pushback_naming_plasma_exchange_gets_its_caution(bot):
    turn = bot.respond("thats outdated, plasma exchange works for POEMS neuropathy")
    assert turn.intent == "treatment.plasma_exchange"


def test_pushback_naming_bevacizumab_after_its_answer_gets_the_caution(bot):
    say(bot, "can I give bevacizumab in POEMS?")
    turn = bot.respond("thats wrong, bevacizumab works fine in POEMS")
    assert turn.intent == "treatment.bevacizumab"


def test_pushback_naming_no_cautioned_agent_is_still_small_talk(bot):
    say(bot, "what is the vegf cutoff?")
    turn = bot.respond("youre wrong, our poems pts have CKD all the time")
    assert turn.intent is None and (turn.act or "").startswith("smalltalk")


# -- 6. the eval: a finding turn answered as a fact is not read ------------------------------------------------------


def test_a_finding_turn_answered_as_a_fact_with_nothing_recorded_is_wrong():
    held = {"papilledema": True}
    assert finding_turn_right({"papilledema": True}, {}, held, held)
    assert not finding_turn_right({"papilledema": True}, {}, held, held, answered_fact=True)
