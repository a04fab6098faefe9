"""Round 12 of issue 14 (item 4): a declarative report with no patient marker is a patient's findings, a question
never is.

Each test pins one reading: a workup heading before a colon, a relative "which" saying more of a stated value,
"ruled out" denying its finding, a measured "count", and in the phrase table "excluded", a mixed neuropathy and a
lesion's size."""

from __future__ import annotations

import pytest

from guidebot.criteria.findings import extract_findings


@pytest.mark.parametrize("line, want", [
    # a heading naming the workup labels the results after it: its "workup" asks nothing
    ("Endocrine workup: hypogonadism and hyperprolactinemia.", {"endocrinopathy": ["hypogonadism", "hyperprolactinemia"]}),
    ("Extensive workup: no sclerotic lesions, no Castleman disease, no papilledema.",
     {"sclerotic_bone_lesions": 0, "castleman_disease": False, "papilledema": False}),
    # "which" opening a clause about the value before it is relative, not "which one"
    ("VEGF 180 pg/mL in plasma, which the lab calls normal.",
     {"vegf_pg_ml": 180, "vegf_specimen": "plasma", "vegf_elevated": False}),
    ("No sclerotic lesions on whole-body CT, and serum VEGF came back at 600 pg/mL, which the lab reports as within "
     "their normal range.", {"sclerotic_bone_lesions": 0, "vegf_pg_ml": 600, "vegf_specimen": "serum", "vegf_elevated": False}),
    ("Two sclerotic lesions, one in the pelvis and one in the spine, which were biopsied.", {"sclerotic_bone_lesions": 2}),
    # "ruled out" denying the finding of its clause reports; a count that is measured is no "does X count"
    ("Castleman histology was ruled out.", {"castleman_disease": False}),
    ("Lesion count on PET-CT: three sclerotic lesions.", {"sclerotic_bone_lesions": 3}),
])
def test_a_declarative_report_without_a_patient_marker_is_recorded_and_echoed(bot, line, want):
    turn = bot.respond(line)
    assert turn.recorded == want
    assert turn.text.startswith("Recorded:")  # echoed, so a wrong reading is seen
    bot.respond("undo")
    assert bot.recorded == {}  # and taken back


@pytest.mark.parametrize("line", [
    "is VEGF 180 normal?",
    "does a normal plasma VEGF exclude POEMS?",
    "VEGF 180 pg/mL in plasma, which is normal?",   # a question mark: the relative reading is not tried
    "serum vs plasma vegf, which one runs higher",  # "which one" asks
    "demyelinating neuropathy and lambda, which tests next",
    "Workup: poems vs cidp",                        # after the heading, "vs" still asks
    "Typical findings: neuropathy and lambda M-protein",  # a heading's other markers still ask
    "can castleman be ruled out by a node biopsy",
    "does one lesion count",
    "lesion count in poems",
])
def test_a_question_naming_findings_still_records_nothing(bot, line):
    assert bot.respond(line).recorded == {}


@pytest.mark.parametrize("line", ["is VEGF 180 normal?", "does a normal plasma VEGF exclude POEMS?", "lambda or kappa",
                                  "poems vs cidp"])
def test_a_question_records_nothing_beside_a_described_patient(bot, line):
    bot.respond("62M with papilledema and skin changes.")
    before = dict(bot.recorded)
    assert bot.respond(line).recorded == {}
    assert bot.recorded == before


def test_excluded_denies_the_finding():
    assert extract_findings("Castleman disease excluded on lymph node biopsy.") == {"castleman_disease": False}
    assert extract_findings("excluded Castleman on biopsy") == {"castleman_disease": False}


@pytest.mark.parametrize("line", ["Neuropathy: demyelinating, sensorimotor, with axonal loss.",
                                  "ncs shows demyelination plus a lot of axonal loss in the legs",
                                  "axonal loss, demyelinating features"])
def test_axonal_loss_keeps_a_stated_demyelination(line):
    assert extract_findings(line)["neuropathy_demyelinating"] is True


def test_axonal_alone_is_not_demyelinating():
    assert extract_findings("NCS: purely axonal")["neuropathy_demyelinating"] is False
    assert extract_findings("not demyelinating, axonal")["neuropathy_demyelinating"] is False


@pytest.mark.parametrize("line, count", [
    ("She has a single 1.5 cm sclerotic lesion in L3.", 1),
    ("two 3 mm sclerotic lesions", 2),
    ("a 2 cm sclerotic lesion", 1),
    ("3 sclerotic lesions", 3),
])
def test_a_lesion_size_is_never_its_count(line, count):
    assert extract_findings(line)["sclerotic_bone_lesions"] == count


@pytest.mark.parametrize("line", ["1,5 cm sclerotic lesion", "5cm sclerotic lesion", "2.5 sclerotic lesions"])
def test_a_size_alone_gives_no_count(line):
    assert "sclerotic_bone_lesions" not in extract_findings(line)


@pytest.mark.parametrize("line", ["Castleman disease not excluded", "castleman not ruled out", "cannot exclude castleman",
                                  "can't rule out castleman"])
def test_a_finding_not_excluded_is_left_unknown(line):
    # "not excluded" is still possible: neither denied by "excluded" nor affirmed by the name
    assert extract_findings(line) == {"castleman_disease": None}


# -- beside a described patient (PATIENT_VALUE_REPORTS) ------------------------------------------------------------

PATIENT = "62M with demyelinating neuropathy and papilledema."


@pytest.mark.parametrize("line, want", [
    ("Plasma VEGF 850 pg/mL, consistent with POEMS.", {"vegf_pg_ml": 850, "vegf_specimen": "plasma"}),
    ("3 sclerotic lesions on PET, commonly seen in POEMS.", {"sclerotic_bone_lesions": 3}),
    ("VEGF 400 pg/mL plasma, above the threshold for POEMS.", {"vegf_pg_ml": 400, "vegf_specimen": "plasma"}),
])
def test_a_measured_finding_with_a_comment_is_the_patients_beside_her(bot, line, want):
    bot.respond(PATIENT)
    assert bot.respond(line).recorded == want


def test_without_a_patient_the_same_comment_still_asks(bot):
    assert bot.respond("Plasma VEGF 850 pg/mL, consistent with POEMS.").recorded == {}


@pytest.mark.parametrize("line", [
    "plasma vegf >200, how specific is that",  # a threshold, and a clause that asks
    "vegf cutof plasma poems 200",             # one clause: a search, not a report
    "IVIG 2 g/kg schedule for poems neuropathy",
    "mmp9 demyelination poems",                # a digit inside a name is no value
    "vegf 200 vs 1000 in poems",
    "vegf 200 cutoff sensitivity",
    "typical vegf level in poems 1000",
])
def test_a_terse_question_with_a_number_records_nothing_beside_a_patient(bot, line):
    bot.respond(PATIENT)
    assert bot.respond(line).recorded == {}


def test_the_patient_value_switch_off_reads_as_before(bot, monkeypatch):
    from guidebot.dialogue import reading

    monkeypatch.setattr(reading, "PATIENT_VALUE_REPORTS", False)
    bot.respond(PATIENT)
    assert bot.respond("Plasma VEGF 850 pg/mL, consistent with POEMS.").recorded == {}
