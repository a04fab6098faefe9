"""How each criterion of the review's Box is read from a case: one small function per criterion, `Case -> Status`.

The readings follow INTERFACE.md section 3 ("How the criteria are read") word for word; the engine
combines their statuses and never looks at raw fields itself.
"""

from __future__ import annotations

from collections.abc import Callable

from guidebot.criteria.case import Case
from guidebot.criteria.logic import Status, all_of, any_of, from_bool
from guidebot.knowledge.schema import CRITERIA_GROUPS  # noqa: F401 - re-exported: the engine reads the Box from here

VEGF_PLASMA_THRESHOLD = 200.0
"""The review's plasma VEGF threshold, pg/mL: above it is elevated, at or below it is not (Box footnote b)."""

NON_DIAGNOSTIC_ENDOCRINE = frozenset({"thyroid", "diabetes"})
"""Endocrine findings too common to count on their own (Box footnote e)."""


def polyneuropathy(case: Case) -> Status:
    """Mandatory: met when polyneuropathy and demyelinating features are both present; not_met when either is absent."""
    return all_of(from_bool(case.polyneuropathy), from_bool(case.neuropathy_demyelinating))


def monoclonal_plasma_cell_disorder(case: Case) -> Status:
    """Mandatory: met with a monoclonal protein or clonal marrow plasma cells; not_met when the first is false and the second not true."""
    if case.monoclonal_plasma_cell_disorder is True or case.clonal_marrow_plasma_cells is True:
        return Status.MET
    if case.monoclonal_plasma_cell_disorder is False:
        return Status.NOT_MET
    return Status.UNKNOWN


def sclerotic_bone_lesions(case: Case) -> Status:
    """Major: met with at least one sclerotic lesion, not_met at zero."""
    if case.sclerotic_bone_lesions is None:
        return Status.UNKNOWN
    return Status.MET if case.sclerotic_bone_lesions >= 1 else Status.NOT_MET


def has_plasma_value(case: Case) -> bool:
    """True when the case holds a VEGF value measured in plasma (the only kind the threshold applies to)."""
    return case.vegf_pg_ml is not None and case.vegf_specimen == "plasma"


def above_plasma_threshold(case: Case) -> bool:
    """True when the case holds a plasma VEGF value above 200 pg/mL."""
    return has_plasma_value(case) and case.vegf_pg_ml > VEGF_PLASMA_THRESHOLD  # type: ignore[operator]


def vegf_borderline(case: Case) -> bool:
    """True for a plasma value at or below 200 pg/mL that the laboratory flags as elevated: the Box says
    "typically" >200 pg/mL, a level only 68% sensitive, so such a value is neither met nor ruled out."""
    return has_plasma_value(case) and not above_plasma_threshold(case) and case.vegf_elevated is True


def vegf_elevated(case: Case) -> Status:
    """Major: a plasma value above 200 pg/mL is met; at or below it, not_met unless the laboratory flags it as
    elevated (borderline: unknown); without a plasma value, the laboratory's flag; otherwise unknown."""
    if has_plasma_value(case):
        if above_plasma_threshold(case):
            return Status.MET
        return Status.UNKNOWN if vegf_borderline(case) else Status.NOT_MET
    # a serum value (thought to run higher) or a value of unknown specimen cannot be held to a plasma threshold
    return from_bool(case.vegf_elevated)


def vegf_flag_disagrees(case: Case) -> bool:
    """True when the laboratory does not flag a plasma value above 200 pg/mL as elevated (the value wins; a
    note says so). The opposite disagreement, a flagged value at or below 200, is `vegf_borderline`."""
    return above_plasma_threshold(case) and case.vegf_elevated is False


def castleman_disease(case: Case) -> Status:
    """Major: the field itself."""
    return from_bool(case.castleman_disease)


def extravascular_volume_overload(case: Case) -> Status:
    """Minor: the field itself (peripheral edema, pleural effusion or ascites)."""
    return from_bool(case.extravascular_volume_overload)


def organomegaly(case: Case) -> Status:
    """Minor: the field itself (hepatomegaly, splenomegaly or lymphadenopathy)."""
    return from_bool(case.organomegaly)


def endocrinopathy(case: Case) -> Status:
    """Minor: met with any finding other than thyroid and diabetes; not_met for [] or thyroid/diabetes alone."""
    if case.endocrinopathy is None:
        return Status.UNKNOWN
    return Status.MET if set(case.endocrinopathy) - NON_DIAGNOSTIC_ENDOCRINE else Status.NOT_MET


def only_thyroid_or_diabetes(case: Case) -> bool:
    """True when the endocrine findings are thyroid dysfunction and/or diabetes and nothing else."""
    return bool(case.endocrinopathy) and set(case.endocrinopathy) <= NON_DIAGNOSTIC_ENDOCRINE  # type: ignore[arg-type]


def skin_changes(case: Case) -> Status:
    """Minor: the field itself."""
    return from_bool(case.skin_changes)


def papilledema(case: Case) -> Status:
    """Minor: the field itself."""
    return from_bool(case.papilledema)


def polycythemia_thrombocytosis(case: Case) -> Status:
    """Minor: met when either polycythemia or thrombocytosis is present, not_met when both are absent."""
    return any_of(from_bool(case.polycythemia), from_bool(case.thrombocytosis))


READINGS: dict[str, Callable[[Case], Status]] = {
    "polyneuropathy": polyneuropathy,
    "monoclonal_plasma_cell_disorder": monoclonal_plasma_cell_disorder,
    "sclerotic_bone_lesions": sclerotic_bone_lesions,
    "vegf_elevated": vegf_elevated,
    "castleman_disease": castleman_disease,
    "extravascular_volume_overload": extravascular_volume_overload,
    "organomegaly": organomegaly,
    "endocrinopathy": endocrinopathy,
    "skin_changes": skin_changes,
    "papilledema": papilledema,
    "polycythemia_thrombocytosis": polycythemia_thrombocytosis,
}
"""Criterion name -> its reading, in the Box's order."""


def read_all(case: Case) -> dict[str, Status]:
    """Every criterion's status, flat, in the Box's order."""
    return {name: reading(case) for name, reading in READINGS.items()}
