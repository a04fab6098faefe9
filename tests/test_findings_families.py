"""Round 11 of issue 14 item 4 (findings read from free text): one test per family of misses found on the dev sets.

A question never records a finding, a negation never records a positive, and a patient description records what
it states: the marrow clone as a monoclonal plasma cell disorder, the abbreviations of organomegaly and diabetes, the
laboratory's own flag, a VEGF specimen or value in a clause of its own, a lesion named with its site, an endocrine
screen reported normal, and a statement adding to the patient already recorded. The eval scores a finding turn
against the case before and after it (`finding_turn_right`)."""

from __future__ import annotations

import pytest

from chatdriver import say

from guidebot.cli.eval_dialogue import finding_turn_right
from guidebot.dialogue.findings import extract_findings

# -- the marrow clone is a monoclonal plasma cell disorder, only when found ---------------------------------------------


@pytest.mark.parametrize("text", ["marrow bx: clonal plasma cells present, 3%", "bm bx 4% clonal lambda PCs",
                                  "marrow has clonal lambda plasma cells"])
def test_a_marrow_clone_found_is_a_monoclonal_plasma_cell_disorder(text):
    found = extract_findings(text)
    assert found["clonal_marrow_plasma_cells"] is True and found["monoclonal_plasma_cell_disorder"] is True


@pytest.mark.parametrize("text", ["marrow w/o clonal PCs", "marrow negative", "no clonal plasma cells in the marrow"])
def test_a_marrow_without_a_clone_says_nothing_of_the_m_protein(text):
    found = extract_findings(text)
    assert found["clonal_marrow_plasma_cells"] is False
    assert "monoclonal_plasma_cell_disorder" not in found  # an M-protein may still be there


# -- abbreviations and plain words of the criteria ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["LAD on PET", "lymphadenopathy", "splenomegaly", "HSM on CT", "swollen lymph nodes",
                                  "liver enlargement", "enlarged nodes on CT", "spleen enlarged", "palpable spleen"])
def test_organomegaly_as_typed(text):
    assert extract_findings(text) == {"organomegaly": True}


@pytest.mark.parametrize("text", ["no LAD", "no HSM or LAD", "without lymphadenopathy", "spleen not enlarged",
                                  "no palpable nodes"])
def test_denied_organomegaly_is_never_positive(text):
    assert extract_findings(text) == {"organomegaly": False}


@pytest.mark.parametrize("text", ["DM2", "T2DM", "type 2 DM", "DM II", "diabetic"])
def test_diabetes_as_typed(text):
    assert extract_findings(text) == {"endocrinopathy": ["diabetes"]}


@pytest.mark.parametrize("text", ["no DM", "not diabetic", "without T2DM"])
def test_denied_diabetes_adds_no_endocrine_item(text):
    assert extract_findings(text).get("endocrinopathy") in (None, [])


# -- VEGF: the laboratory's flag, and the specimen or value in a clause of its own -----------------------------------


@pytest.mark.parametrize("text", ["serum VEGF 3100, lab marks it high", "vegf flagged high by our lab",
                                  "VEGF 180, the lab labels it elevated"])
def test_the_laboratorys_own_flag(text):
    assert extract_findings(text)["vegf_elevated"] is True


@pytest.mark.parametrize("text", ["VEGF 300, not flagged high by the lab", "VEGF 300, lab does not mark it high",
                                  "vegf 150, lab didn't call it elevated", "VEGF 180, not above ULN"])
def test_a_denied_laboratory_flag_is_no_flag(text):
    assert "vegf_elevated" not in extract_findings(text)


@pytest.mark.parametrize("text", ["vegf 150, lab says not elevated", "vegf 150, lab says it is not high"])
def test_the_laboratory_saying_not_high_is_its_normal_flag(text):
    assert extract_findings(text)["vegf_elevated"] is False


def test_a_value_above_the_laboratorys_range_is_its_flag():
    assert extract_findings("VEGF 180, above the lab's upper limit")["vegf_elevated"] is True
    assert "vegf_elevated" not in extract_findings("VEGF 180 pending, above ULN")  # no value read: nothing it is above


def test_the_laboratorys_normal_flag_and_no_flag_without_vegf():
    assert extract_findings("VEGF 150, lab marks it normal")["vegf_elevated"] is False
    assert "vegf_elevated" not in extract_findings("ferritin 900, lab marks it high")


def test_a_specimen_or_a_value_in_a_clause_of_its_own():
    assert extract_findings("labs: vegf 85 pg/mL, plasma") == {"vegf_pg_ml": 85, "vegf_specimen": "plasma"}
    assert extract_findings("vegf flagged high by our lab, serum sample, 1500 pg/mL") == {
        "vegf_elevated": True, "vegf_specimen": "serum", "vegf_pg_ml": 1500}


def test_another_analyte_in_pg_ml_and_plasma_cells_are_not_vegf():
    assert extract_findings("vegf 300, BNP 400 pg/mL") == {"vegf_pg_ml": 300}
    assert "vegf_pg_ml" not in extract_findings("BNP 400 pg/mL, plasma")  # no VEGF named: nothing read as its value
    assert "vegf_specimen" not in extract_findings("vegf pending, marrow 5% plasma cells")
    # a lone value after a clause about another analyte is that analyte's
    assert extract_findings("VEGF high, IL-6 elevated, 45 pg/mL") == {"vegf_elevated": True}


# -- a negation written as a contraction is a negation ----------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("she doesn't have papilledema", {"papilledema": False}),
    ("he didnt have edema", {"extravascular_volume_overload": False}),
    ("marrow didn't show clonal plasma cells", {"clonal_marrow_plasma_cells": False}),
    ("isn't a transplant candidate", {"transplant_eligible": False}),
    ("isn't diabetic", {}),
])
def test_a_contracted_negation_never_records_a_positive(text, expected):
    assert extract_findings(text) == expected


def test_a_contraction_about_something_else_leaves_the_finding():
    # "can't" says what she cannot do, not that the neuropathy is absent
    assert extract_findings("she can't walk, neuropathy") == {"polyneuropathy": True}


@pytest.mark.parametrize("text", ["lambda-restricted plasma cells in the marrow", "marrow: monotypic plasma cells"])
def test_restricted_or_monotypic_plasma_cells_are_a_clone(text):
    assert extract_findings(text)["clonal_marrow_plasma_cells"] is True


# -- a lesion named with its site; an endocrine screen reported normal -----------------------------------------------


@pytest.mark.parametrize("text, count", [("single sclerotic rib lesion", 1), ("two sclerotic pelvic lesions", 2),
                                         ("no sclerotic rib lesions", 0)])
def test_a_sclerotic_lesion_named_with_its_site(text, count):
    assert extract_findings(text)["sclerotic_bone_lesions"] == count


def test_an_endocrine_screen_reported_normal_is_screened_none_found():
    assert extract_findings("Her endocrine screen was done and came back completely normal.") == {"endocrinopathy": []}
    # a normal finding later in the sentence is about something else: the screen stays unknown, never "none found"
    found = extract_findings("endocrine pending, marrow normal")
    assert found["endocrinopathy"] is None and found["clonal_marrow_plasma_cells"] is False


# -- a question records nothing; a statement adding to the recorded patient records ---------------------------------


@pytest.mark.parametrize("text", [
    "r polycythemia and thrombocytosis separate minors",  # "minors" asks (`question_markers`)
    # "r" is no interrogative any more (R/L = right/left: "r leg edema" describes); spelt out, the question still asks
    "are LAD and HSM both organomegaly",
    "and is DM2 an endocrinopathy",
    "should every pt with a monoclonal protein and neuropathy get worked up for poems",  # a patient in general
    # telegraphic questions naming the rule's own words (`question_markers`: minor, major, criteria, cutoff, ...)
    "T2DM endocrine minor",
    "splenomegaly as a minor",
    "neuropathy mandatory",
    "vegf 200 cutoff plasma",
    "serum vegf higher than plasma vegf",
    "hypogonadism most common endocrinopathy",
    "elevated vegf in other diseases",
])
def test_a_question_without_a_question_mark_records_nothing(bot, text):
    assert bot.respond(text).recorded == {}


def test_a_question_after_a_recorded_patient_records_nothing(bot):
    say(bot, "62M, demyelinating neuropathy, lambda M-protein", "what dose of radiation?")
    assert bot.respond("also is LAD part of it").recorded == {}
    assert bot.respond("also splenomegaly?").recorded == {}


def test_a_statement_adding_to_the_recorded_patient_is_recorded(bot):
    say(bot, "our pt 48M w poems: 5 sclerotic lesions, bm bx 4% clonal lambda PCs, fit for ASCT", "XRT or systemic?",
        "mel dose?")
    assert bot.respond("also splenomegaly and LAD on CT").recorded == {"organomegaly": True}


def test_a_follow_up_naming_a_finding_without_a_patient_records_nothing(bot):
    say(bot, "how is poems different from al amyloidosis?")
    assert bot.respond("also splenomegaly").recorded == {}  # asks the comparison of it: no patient to add to


# -- the eval's finding turn: judged against the case before and after it -------------------------------------------


def test_the_endocrine_list_turn_records_the_whole_list_and_is_scored_by_what_it_added(bot):
    say(bot, "she has hypothyroidism and type 2 diabetes")
    before = bot.recorded
    turn = bot.respond("prolactin is elevated too")
    # the turn records the field's value, the whole list (as its SlotSet and the echo do)
    assert turn.recorded == {"endocrinopathy": ["thyroid", "diabetes", "hyperprolactinemia"]}
    want = {"endocrinopathy": ["hyperprolactinemia"]}
    assert finding_turn_right(want, turn.recorded, before, bot.recorded)
    # a turn adding an item the message does not state is wrong
    assert not finding_turn_right(want, {"endocrinopathy": ["thyroid", "diabetes", "hyperprolactinemia", "adrenal"]},
                                  before, {"endocrinopathy": ["thyroid", "diabetes", "hyperprolactinemia", "adrenal"]})


def test_a_restated_finding_counts_as_read_and_an_unstated_one_is_wrong():
    before = {"monoclonal_plasma_cell_disorder": True}
    after = {"monoclonal_plasma_cell_disorder": True, "clonal_marrow_plasma_cells": True}
    want = {"clonal_marrow_plasma_cells": True, "monoclonal_plasma_cell_disorder": True}
    assert finding_turn_right(want, {"clonal_marrow_plasma_cells": True}, before, after)
    assert not finding_turn_right(want, {"clonal_marrow_plasma_cells": True}, {}, {"clonal_marrow_plasma_cells": True})
    assert not finding_turn_right({"papilledema": True}, {"papilledema": True, "organomegaly": True}, {},
                                  {"papilledema": True, "organomegaly": True})
