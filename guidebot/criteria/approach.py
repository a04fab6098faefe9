"""Figure 3's choice of approach from bone lesions, marrow clone and transplant eligibility.

Plain Python on purpose: the router applies it to a question that describes a patient ("2 lesions, marrow
clean - radiate?") on the fast `guidebot ask` path, where the pydantic `Case` must not load. `Case` has the
same three fields, so `treatment` passes a case straight in.
"""

from __future__ import annotations

from typing import NamedTuple

MAX_LESIONS_FOR_RADIATION = 3
"""Figure 3: 1 to 3 bone lesions without clonal marrow plasma cells -> radiation; more than 3 -> systemic."""


class TreatmentFindings(NamedTuple):
    """What Figure 3 decides on (any of them may be unknown)."""

    sclerotic_bone_lesions: int | None = None
    clonal_marrow_plasma_cells: bool | None = None
    transplant_eligible: bool | None = None


def choose_approach(case) -> tuple[str, str, tuple[str, ...]]:
    """`(approach, rationale statement id, fields still needed)` by Figure 3 for a `Case` or `TreatmentFindings`."""
    lesions, marrow, eligible = case.sclerotic_bone_lesions, case.clonal_marrow_plasma_cells, case.transplant_eligible
    if (lesions is not None and lesions > MAX_LESIONS_FOR_RADIATION) or marrow is True:
        if eligible is None:
            return "systemic", "rationale_systemic", ("transplant_eligible",)
        if eligible:
            return "systemic_transplant", "rationale_systemic_transplant", ()
        return "systemic_non_transplant", "rationale_systemic_non_transplant", ()
    if lesions is not None and lesions >= 1 and marrow is False:
        return "radiation", "rationale_radiation", ()
    if lesions is None and marrow is None:
        return "undetermined", "rationale_undetermined", ("sclerotic_bone_lesions", "clonal_marrow_plasma_cells")
    if lesions is None:
        return "undetermined", "rationale_undetermined_lesions", ("sclerotic_bone_lesions",)
    if marrow is None:
        return "undetermined", "rationale_undetermined_marrow", ("clonal_marrow_plasma_cells",)
    # no sclerotic lesion and no marrow clone, yet the criteria are met (VEGF or Castleman as the major)
    return "undetermined", "rationale_not_covered", ()
