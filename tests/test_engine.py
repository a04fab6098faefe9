"""The engine: verdicts, missing, next steps, notes, treatment and the follow-up order (guidebot.criteria.engine)."""

import random
from itertools import product

import pytest

from guidebot.criteria import CRITERIA_GROUPS, Case, Status, assess, slots_to_ask
from guidebot.criteria.engine import default_knowledge, missing_criteria, poems_status

M, N, U = Status.MET, Status.NOT_MET, Status.UNKNOWN

POEMS = dict(
    polyneuropathy=True,
    neuropathy_demyelinating=True,
    monoclonal_plasma_cell_disorder=True,
    sclerotic_bone_lesions=2,
    clonal_marrow_plasma_cells=False,
    organomegaly=True,
)
"""A case that meets the criteria (both mandatory, sclerotic lesions, organomegaly)."""

GENERAL = ["avoid_bevacizumab", "lmwh_prophylaxis", "plasma_exchange_ineffective", "avoid_neurotoxic_agents"]
NAMES = [n for names in CRITERIA_GROUPS.values() for n in names]


def case(**fields):
    return Case(**{**POEMS, **fields})


def note_ids(assessment):
    return [n.id for n in assessment.notes_cited]


# --- verdicts ---


@pytest.mark.parametrize(
    ("fields", "verdict"),
    [
        (POEMS, "meets_criteria"),
        ({}, "indeterminate"),
        ({**POEMS, "neuropathy_demyelinating": False}, "not_met"),
        ({**POEMS, "monoclonal_plasma_cell_disorder": False}, "not_met"),
        ({**POEMS, "organomegaly": None}, "indeterminate"),
        ({**POEMS, "sclerotic_bone_lesions": 0}, "indeterminate"),
        (
            {**POEMS, "sclerotic_bone_lesions": 0, "vegf_elevated": False, "castleman_disease": False},
            "not_met",
        ),
        (
            {**POEMS, "organomegaly": False, "extravascular_volume_overload": False, "endocrinopathy": ["thyroid"],
             "skin_changes": False, "papilledema": False, "polycythemia": False, "thrombocytosis": False},
            "not_met",
        ),
        ({"polyneuropathy": True, "monoclonal_plasma_cell_disorder": False, "castleman_disease": True}, "castleman_variant"),
        # the variant needs no demyelination (its neuropathy tends to be more sensory)
        ({"polyneuropathy": True, "neuropathy_demyelinating": False, "monoclonal_plasma_cell_disorder": False,
          "castleman_disease": True}, "castleman_variant"),
        ({"polyneuropathy": False, "monoclonal_plasma_cell_disorder": False, "castleman_disease": True}, "not_met"),
        # with a clone, Castleman disease is just a major criterion of classic POEMS
        ({**POEMS, "sclerotic_bone_lesions": 0, "castleman_disease": True}, "meets_criteria"),
        ({"polyneuropathy": True, "monoclonal_plasma_cell_disorder": None, "castleman_disease": True}, "indeterminate"),
    ],
)
def test_verdict(fields, verdict):
    assert assess(Case(**fields)).verdict == verdict


# --- missing ---


def test_mandatory_not_met_leaves_nothing_missing():
    a = assess(Case(polyneuropathy=False))
    assert a.verdict == "not_met" and a.missing == [] and a.next_steps == []


def test_a_met_major_makes_the_other_majors_not_missing():
    a = assess(Case(polyneuropathy=True, neuropathy_demyelinating=True, monoclonal_plasma_cell_disorder=True,
                    sclerotic_bone_lesions=1))
    assert a.missing == list(CRITERIA_GROUPS["minor"])


def test_empty_case_misses_everything():
    assert assess(Case()).missing == NAMES


def test_missing_only_for_indeterminate():
    assert assess(case()).missing == []


def _brute_missing(statuses):
    """Unknown criteria for which some completion of the others makes met and not_met give different POEMS."""
    unknown = [n for n in NAMES if statuses[n] is U]
    found = []
    for name in unknown:
        others = [n for n in unknown if n != name]
        for combo in product((M, N), repeat=len(others)):
            filled = {**statuses, **dict(zip(others, combo))}
            if poems_status({**filled, name: M}) is not poems_status({**filled, name: N}):
                found.append(name)
                break
    return found


def test_missing_matches_trying_every_completion():
    rng = random.Random(7)
    for _ in range(400):
        statuses = {n: rng.choice([M, N, U, U]) for n in NAMES}
        assert missing_criteria(statuses) == _brute_missing(statuses), statuses


def test_next_steps_come_from_criteria_yaml_in_order():
    kb = default_knowledge()
    a = assess(Case(polyneuropathy=True, neuropathy_demyelinating=True, sclerotic_bone_lesions=3, organomegaly=True))
    assert a.missing == ["monoclonal_plasma_cell_disorder"]
    assert a.next_steps == [kb.criteria["monoclonal_plasma_cell_disorder"].settled_by]
    assert len(assess(Case()).next_steps) == len(set(assess(Case()).next_steps))


# --- notes ---


@pytest.mark.parametrize(
    ("fields", "expected", "absent"),
    [
        ({"vegf_pg_ml": 900, "vegf_specimen": "serum"}, ["serum_runs_higher"], ["vegf_other_causes"]),
        ({"vegf_pg_ml": 900, "vegf_specimen": "serum", "vegf_elevated": True}, ["serum_runs_higher", "vegf_other_causes"], []),
        ({"vegf_pg_ml": 640, "vegf_specimen": "plasma", "vegf_elevated": False},
         ["vegf_lab_flag_disagrees", "vegf_other_causes"], ["serum_runs_higher"]),
        ({"vegf_pg_ml": 640, "vegf_specimen": "plasma"}, ["vegf_other_causes"], ["vegf_lab_flag_disagrees"]),
        ({"vegf_pg_ml": 150, "vegf_specimen": "plasma", "vegf_elevated": True},
         ["vegf_borderline"], ["vegf_lab_flag_disagrees", "vegf_other_causes"]),
        ({"vegf_pg_ml": 150, "vegf_specimen": "plasma", "vegf_elevated": False}, [], ["vegf_borderline", "vegf_lab_flag_disagrees"]),
        ({"vegf_pg_ml": 120, "vegf_specimen": "plasma"}, [], ["vegf_other_causes"]),
        ({"vegf_pg_ml": 640}, ["vegf_specimen_unknown"], ["vegf_other_causes"]),
        ({"endocrinopathy": ["thyroid"]}, ["thyroid_diabetes_alone"], []),
        ({"endocrinopathy": ["thyroid", "diabetes"]}, ["thyroid_diabetes_alone"], []),
        ({"endocrinopathy": ["thyroid", "hypogonadism"]}, [], ["thyroid_diabetes_alone"]),
        ({"endocrinopathy": []}, [], ["thyroid_diabetes_alone"]),
        ({"polyneuropathy": True}, ["cidp_nonresponse"], []),
        ({"polyneuropathy": True, "monoclonal_plasma_cell_disorder": True}, [], ["cidp_nonresponse"]),
        ({"polyneuropathy": True, "monoclonal_plasma_cell_disorder": False}, ["castleman_would_point_to_variant"], []),
        ({"monoclonal_plasma_cell_disorder": False, "castleman_disease": False}, [], ["castleman_would_point_to_variant"]),
        ({"polyneuropathy": True, "monoclonal_plasma_cell_disorder": False, "castleman_disease": True},
         ["castleman_variant_separate"], ["castleman_would_point_to_variant"]),
    ],
)
def test_notes(fields, expected, absent):
    ids = note_ids(assess(Case(**fields)))
    for note in expected:
        assert note in ids
    for note in absent:
        assert note not in ids


def test_notes_end_with_their_citations():
    a = assess(Case(vegf_pg_ml=900, vegf_specimen="serum", vegf_elevated=True, endocrinopathy=["thyroid"]))
    assert a.notes[0].endswith(" [31]")
    assert a.notes[1].endswith(" [32]")
    assert a.notes[2].endswith(" [1, 2]")


# --- treatment ---


@pytest.mark.parametrize(
    ("fields", "approach", "needs"),
    [
        ({"sclerotic_bone_lesions": 1}, "radiation", []),
        ({"sclerotic_bone_lesions": 3}, "radiation", []),
        ({"sclerotic_bone_lesions": 4, "transplant_eligible": True}, "systemic_transplant", []),
        ({"sclerotic_bone_lesions": 4, "transplant_eligible": False}, "systemic_non_transplant", []),
        ({"sclerotic_bone_lesions": 4}, "systemic", ["transplant_eligible"]),
        ({"sclerotic_bone_lesions": 4, "clonal_marrow_plasma_cells": None}, "systemic", ["transplant_eligible"]),
        ({"sclerotic_bone_lesions": 2, "clonal_marrow_plasma_cells": True, "transplant_eligible": False},
         "systemic_non_transplant", []),
        ({"sclerotic_bone_lesions": 2, "clonal_marrow_plasma_cells": None}, "undetermined", ["clonal_marrow_plasma_cells"]),
        # meets the criteria through VEGF; no lesion and no marrow clone: outside the algorithm
        ({"sclerotic_bone_lesions": 0, "vegf_elevated": True}, "undetermined", []),
        ({"sclerotic_bone_lesions": None, "vegf_elevated": True, "clonal_marrow_plasma_cells": None}, "undetermined",
         ["sclerotic_bone_lesions", "clonal_marrow_plasma_cells"]),
    ],
)
def test_treatment_approach(fields, approach, needs):
    a = assess(case(**fields))
    assert a.verdict == "meets_criteria"
    assert a.treatment.approach == approach
    assert list(a.treatment.needs) == needs
    expected_cautions = GENERAL + (["engraftment_syndrome"] if approach == "systemic_transplant" else [])
    assert list(a.treatment.cautions) == expected_cautions


def test_radiation_rationale_carries_the_dose_and_citations():
    t = assess(case(sclerotic_bone_lesions=3)).treatment
    assert "45 Gy" in str(t.rationale) and "35-54 Gy" in str(t.rationale)
    assert str(t.rationale).endswith("[2, 9, 38, 41, 42]")


def test_transplant_rationale_and_details():
    d = assess(case(sclerotic_bone_lesions=5, transplant_eligible=True)).to_dict()["treatment"]
    assert "140-200 mg/m²" in d["rationale"]
    assert d["rationale_citations"] == [39, 43, 44, 45, 46, 47, 48, 49]
    assert any(x.endswith("[9, 45, 50]") for x in d["details"])
    assert any("3 years" in x for x in d["details"])


def test_treatment_only_when_criteria_are_met():
    for fields in ({}, {"polyneuropathy": False}, {"polyneuropathy": True, "monoclonal_plasma_cell_disorder": False,
                                                   "castleman_disease": True}):
        a = assess(Case(**fields))
        assert a.treatment is None and "treatment" not in a.to_dict()


def test_to_dict_has_the_interface_shape():
    d = assess(case()).to_dict()
    assert {"verdict", "criteria", "missing", "next_steps", "notes", "treatment"} <= set(d)
    assert list(d["criteria"]) == ["mandatory", "major", "minor"]
    assert d["criteria"]["major"] == {"sclerotic_bone_lesions": "met", "vegf_elevated": "unknown", "castleman_disease": "unknown"}
    assert {"approach", "rationale", "cautions"} <= set(d["treatment"])


# --- slots_to_ask ---


def test_empty_case_asks_in_clinical_order():
    asks = slots_to_ask(Case(), "diagnosis")
    assert asks[:4] == ["polyneuropathy", "neuropathy_demyelinating", "monoclonal_plasma_cell_disorder",
                        "clonal_marrow_plasma_cells"]
    assert asks.index("sclerotic_bone_lesions") < asks.index("vegf_pg_ml") < asks.index("vegf_elevated")
    assert asks.index("castleman_disease") < asks.index("organomegaly")
    assert "vegf_specimen" not in asks  # only once there is a value
    assert "light_chain" not in asks and "transplant_eligible" not in asks


def test_settled_verdicts_ask_nothing():
    assert slots_to_ask(case(), "diagnosis") == []
    assert slots_to_ask(Case(polyneuropathy=False), "diagnosis") == []
    assert slots_to_ask(Case(polyneuropathy=True, monoclonal_plasma_cell_disorder=False, clonal_marrow_plasma_cells=False,
                             castleman_disease=False)) == []


NO_CLONE = dict(monoclonal_plasma_cell_disorder=False, clonal_marrow_plasma_cells=False)


def test_variant_question_is_asked_when_there_is_no_clone():
    asks = slots_to_ask(Case(polyneuropathy=True, neuropathy_demyelinating=True, **NO_CLONE), "diagnosis")
    assert asks == ["castleman_disease"]
    # demyelination unknown: Castleman disease is still the question that could change the verdict
    assert "castleman_disease" in slots_to_ask(Case(polyneuropathy=True, **NO_CLONE))


def test_polyneuropathy_still_asked_for_a_possible_variant():
    asks = slots_to_ask(Case(castleman_disease=True, **NO_CLONE))
    assert asks == ["polyneuropathy"]


def test_a_negative_paraprotein_work_up_still_asks_the_marrow():
    # the reading is not_met, yet a clonal marrow would make the criterion met (INTERFACE.md section 3)
    case = Case(polyneuropathy=True, neuropathy_demyelinating=True, monoclonal_plasma_cell_disorder=False,
                sclerotic_bone_lesions=2, organomegaly=True)
    assert assess(case).verdict == "not_met"
    assert slots_to_ask(case) == ["clonal_marrow_plasma_cells", "castleman_disease"]  # the variant, too


def test_vegf_follow_ups():
    assert slots_to_ask(case(sclerotic_bone_lesions=0, vegf_pg_ml=640))[:2] == ["vegf_specimen", "vegf_elevated"]
    serum = slots_to_ask(case(sclerotic_bone_lesions=0, vegf_pg_ml=640, vegf_specimen="serum"))
    assert "vegf_elevated" in serum and "vegf_pg_ml" not in serum


def test_the_lab_flag_of_a_low_plasma_value_is_asked_only_where_it_could_change_the_verdict():
    low = dict(vegf_pg_ml=150, vegf_specimen="plasma")
    # VEGF is the only major left: a flag of elevated would leave it open, so it is asked
    only_major = case(sclerotic_bone_lesions=0, castleman_disease=False, **low)
    assert assess(only_major).verdict == "not_met"
    assert slots_to_ask(only_major) == ["vegf_elevated"]
    flagged = only_major.with_value("vegf_elevated", True)
    assert assess(flagged).verdict == "indeterminate" and assess(flagged).missing == ["vegf_elevated"]
    assert slots_to_ask(flagged) == []  # nothing more the chat could ask settles a borderline value
    not_flagged = only_major.with_value("vegf_elevated", False)
    assert assess(not_flagged).verdict == "not_met" and slots_to_ask(not_flagged) == []
    # another major is met: the flag changes nothing, so it is not asked
    assert "vegf_elevated" not in slots_to_ask(case(sclerotic_bone_lesions=2, **low))
    # no minor criterion can be met: nothing could change the verdict
    assert slots_to_ask(case(sclerotic_bone_lesions=0, castleman_disease=False, organomegaly=False,
                             extravascular_volume_overload=False, endocrinopathy=[], skin_changes=False,
                             papilledema=False, polycythemia=False, thrombocytosis=False, **low)) == []
    # the flag comes before the minor criteria it could make worth asking
    assert slots_to_ask(case(sclerotic_bone_lesions=0, castleman_disease=False, organomegaly=None, **low))[0] == "vegf_elevated"
    # a value above 200 is met whatever the laboratory says: its flag is never asked
    assert "vegf_elevated" not in slots_to_ask(case(sclerotic_bone_lesions=0, castleman_disease=False, vegf_pg_ml=640,
                                                    vegf_specimen="plasma", organomegaly=None))


def test_a_met_major_stops_the_other_major_questions():
    asks = slots_to_ask(Case(polyneuropathy=True, neuropathy_demyelinating=True, monoclonal_plasma_cell_disorder=True,
                             sclerotic_bone_lesions=1))
    assert asks[0] == "extravascular_volume_overload"
    assert not {"vegf_pg_ml", "vegf_elevated", "castleman_disease"} & set(asks)


@pytest.mark.parametrize(
    ("fields", "asks"),
    [
        ({}, []),
        ({"sclerotic_bone_lesions": 2, "clonal_marrow_plasma_cells": None}, ["clonal_marrow_plasma_cells", "transplant_eligible"]),
        ({"sclerotic_bone_lesions": 2}, []),  # radiation: eligibility does not matter
        ({"sclerotic_bone_lesions": 5, "clonal_marrow_plasma_cells": None}, ["transplant_eligible"]),
        ({"sclerotic_bone_lesions": 5, "transplant_eligible": True}, []),
        ({"sclerotic_bone_lesions": None, "vegf_elevated": True, "clonal_marrow_plasma_cells": None},
         ["sclerotic_bone_lesions", "clonal_marrow_plasma_cells", "transplant_eligible"]),
    ],
)
def test_treatment_slots(fields, asks):
    assert slots_to_ask(case(**fields), "treatment") == asks


def test_treatment_goal_before_a_diagnosis_asks_the_diagnosis():
    assert slots_to_ask(Case(), "treatment") == slots_to_ask(Case(), "diagnosis")


VALUES = {
    "polyneuropathy": [True, False],
    "neuropathy_demyelinating": [True, False],
    "monoclonal_plasma_cell_disorder": [True, False],
    "clonal_marrow_plasma_cells": [True, False],
    "sclerotic_bone_lesions": [0, 1, 4],
    "vegf_pg_ml": [150, 640],
    "vegf_specimen": ["plasma", "serum"],
    "vegf_elevated": [True, False],
    "castleman_disease": [True, False],
    "extravascular_volume_overload": [True, False],
    "organomegaly": [True, False],
    "endocrinopathy": [[], ["thyroid"], ["adrenal"]],
    "skin_changes": [True, False],
    "papilledema": [True, False],
    "polycythemia": [True, False],
    "thrombocytosis": [True, False],
}


def test_fields_not_asked_never_change_the_verdict():
    """Whatever values the unasked fields take (the asked ones left unknown), the verdict stays; so `[]` means settled."""
    rng = random.Random(11)
    for _ in range(500):
        known = {f: rng.choice(vals) for f, vals in VALUES.items() if rng.random() < 0.6}
        partial = Case(**known)
        asks = slots_to_ask(partial)
        verdict = assess(partial).verdict
        for _ in range(20):
            extra = {f: rng.choice(vals) for f, vals in VALUES.items() if f not in known and f not in asks}
            assert assess(Case(**known, **extra)).verdict == verdict, (known, asks, extra)


# --- the engine's knowledge: every statement it may say exists, with the review's citations ---

EXPECTED_CITATIONS = {
    "serum_runs_higher": [31],
    "vegf_other_causes": [32],
    "thyroid_diabetes_alone": [1, 2],
    "castleman_variant_separate": [30],
    "castleman_would_point_to_variant": [],
    "cidp_nonresponse": [],
    "rationale_radiation": [2, 9, 38, 41, 42],
    "rationale_systemic_transplant": [39, 43, 44, 45, 46, 47, 48, 49],
    "rationale_systemic_non_transplant": [53, 54, 55, 56, 57, 62, 63],
    "induction_before_collection": [9, 45, 50],
    "stem_cell_mobilization": [51, 52],
    "avoid_bevacizumab": [65, 66],
    "lmwh_prophylaxis": [33],  # the registry that suggested it; the review's printed [35] is a slip (references.yaml)
    "plasma_exchange_ineffective": [67],
    "avoid_neurotoxic_agents": [],
    "engraftment_syndrome": [43, 48],
}


def test_every_statement_the_engine_uses_exists():
    from guidebot.criteria.engine import NOTE_ORDER
    from guidebot.criteria.treatment import DETAILS, GENERAL_CAUTIONS, TRANSPLANT_CAUTION

    kb = default_knowledge()
    used = set(NOTE_ORDER) | set(GENERAL_CAUTIONS) | {TRANSPLANT_CAUTION}
    used |= {d for ds in DETAILS.values() for d in ds}
    used |= {"rationale_radiation", "rationale_systemic_transplant", "rationale_systemic_non_transplant",
             "rationale_systemic", "rationale_undetermined", "rationale_undetermined_lesions",
             "rationale_undetermined_marrow", "rationale_not_covered"}
    assert used <= set(kb.statements)
    for sid, citations in EXPECTED_CITATIONS.items():
        assert list(kb.statements[sid].citations) == citations, sid


def test_engine_knowledge_covers_every_criterion_and_case_field():
    from guidebot.criteria import CASE_FIELDS

    kb = default_knowledge()
    assert list(kb.criteria) == NAMES
    assert set(kb.slots) == set(CASE_FIELDS) and len(CASE_FIELDS) == 18
    assert kb.slots["light_chain"].choices == ["lambda", "kappa"]
    assert kb.slots["vegf_specimen"].choices == ["plasma", "serum"]
    assert len(kb.slots["endocrinopathy"].choices) == 7
    workup_slots = [s for step in kb.workup for s in step.slots]
    assert sorted(workup_slots) == sorted(CASE_FIELDS)  # every field is filled by exactly one workup step
    assert [s.id for s in kb.workup][0] == "neurophysiology" and kb.workup[-1].id == "transplant_eligibility"


def test_the_step_by_step_workup_asks_the_lab_flag_by_the_same_rule():
    from guidebot.criteria.engine import lab_flag_worth_asking

    assert lab_flag_worth_asking(Case())  # no plasma value: the flag decides
    assert lab_flag_worth_asking(Case(vegf_pg_ml=900, vegf_specimen="serum"))
    assert not lab_flag_worth_asking(Case(vegf_pg_ml=640, vegf_specimen="plasma"))  # above 200: decided
    assert lab_flag_worth_asking(Case(vegf_pg_ml=150, vegf_specimen="plasma"))  # borderline possible, rest open
    assert not lab_flag_worth_asking(case(vegf_pg_ml=150, vegf_specimen="plasma"))  # lesions already a major
    assert not lab_flag_worth_asking(Case(vegf_pg_ml=150, vegf_specimen="plasma", vegf_elevated=False))
