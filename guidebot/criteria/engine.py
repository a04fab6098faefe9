"""The diagnosis engine: `assess(case) -> Assessment` (verdict, criteria, missing, next steps, notes, treatment).

One core for every front end (`guidebot assess`, the chat, the UI). The verdict and `missing` are computed
from the criteria's statuses (Kleene logic over `readings`), never from raw fields; the words come from
`knowledge/` (criteria.yaml for next steps, statements.yaml for notes and treatment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Any, Literal

from guidebot.criteria.case import CASE_FIELDS, Case
from guidebot.criteria.logic import Status, all_of, any_of, from_bool, negate
from guidebot.criteria.readings import (
    CRITERIA_GROUPS,
    above_plasma_threshold,
    has_plasma_value,
    only_thyroid_or_diabetes,
    read_all,
    vegf_borderline,
    vegf_flag_disagrees,
)
from guidebot.criteria.treatment import Cited, Treatment, plan_treatment, statement, treatment_slots

Verdict = Literal["meets_criteria", "not_met", "indeterminate", "castleman_variant"]

_KB: Any = None


def default_knowledge() -> Any:
    """The real knowledge base, loaded once per process (`guidebot.knowledge.load_knowledge()`)."""
    global _KB
    if _KB is None:
        from guidebot.knowledge import load_knowledge

        _KB = load_knowledge()
    return _KB


@dataclass(frozen=True)
class Assessment:
    """The result of `assess`: what `assess --json` prints (`to_dict`) and what the chat and UI render."""

    verdict: Verdict
    """`meets_criteria`, `not_met`, `indeterminate` or `castleman_variant`."""
    criteria: dict[str, dict[str, Status]]
    """Group (`mandatory`, `major`, `minor`) -> criterion name -> status, in the Box's order."""
    missing: list[str]
    """Unknown criteria whose answer could still change whether the POEMS criteria are met."""
    next_steps: list[str]
    """The tests that would settle `missing` (criteria.yaml `settled_by`), deduplicated, in order."""
    notes_cited: list[Cited] = field(default_factory=list)
    """The caveats that apply, as statements with their citations."""
    treatment: Treatment | None = None
    """Figure 3's approach; present only when the verdict is `meets_criteria`."""

    @property
    def notes(self) -> list[str]:
        """The caveats as strings, each ending with its citations in the form ` [31]` or ` [1, 32]`.

        A note the review gives no reference for has no brackets.
        """
        return [str(n) for n in self.notes_cited]

    @property
    def statuses(self) -> dict[str, Status]:
        """Criterion name -> status, flat."""
        return {name: s for group in self.criteria.values() for name, s in group.items()}

    def to_dict(self) -> dict[str, Any]:
        """The `assess --json` object of INTERFACE.md section 4 (plus `notes_cited`)."""
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "criteria": {g: {n: str(s) for n, s in group.items()} for g, group in self.criteria.items()},
            "missing": list(self.missing),
            "next_steps": list(self.next_steps),
            "notes": self.notes,
            "notes_cited": [n.to_dict() for n in self.notes_cited],
        }
        if self.treatment is not None:
            out["treatment"] = self.treatment.to_dict()
        return out


def poems_status(statuses: dict[str, Status]) -> Status:
    """Both mandatory criteria AND at least one major AND at least one minor (Kleene)."""
    return all_of(
        *(statuses[name] for name in CRITERIA_GROUPS["mandatory"]),
        any_of(*(statuses[name] for name in CRITERIA_GROUPS["major"])),
        any_of(*(statuses[name] for name in CRITERIA_GROUPS["minor"])),
    )


def variant_status(statuses: dict[str, Status], polyneuropathy_field: Status) -> Status:
    """Castleman variant: Castleman disease met, monoclonal disorder not_met, the polyneuropathy field true."""
    return all_of(
        statuses["castleman_disease"], negate(statuses["monoclonal_plasma_cell_disorder"]), polyneuropathy_field
    )


def verdict_of(statuses: dict[str, Status], polyneuropathy_field: Status) -> Verdict:
    """The verdict from the statuses (and, for the variant, the raw polyneuropathy finding)."""
    if variant_status(statuses, polyneuropathy_field) is Status.MET:
        return "castleman_variant"
    poems = poems_status(statuses)
    if poems is Status.MET:
        return "meets_criteria"
    return "not_met" if poems is Status.NOT_MET else "indeterminate"


def missing_criteria(statuses: dict[str, Status]) -> list[str]:
    """Unknown criteria whose answer could change POEMS, in the Box's order.

    POEMS is an AND of four parts (two mandatory, any major, any minor), each criterion appearing once, so
    an unknown criterion matters exactly when no other part is already not_met and no other member of its
    own OR group is already met. (`tests/test_engine.py` checks this against trying every completion.)
    """
    parts = [(name,) for name in CRITERIA_GROUPS["mandatory"]] + [CRITERIA_GROUPS["major"], CRITERIA_GROUPS["minor"]]
    part_status = [any_of(*(statuses[n] for n in part)) for part in parts]
    missing = []
    for i, part in enumerate(parts):
        if any(s is Status.NOT_MET for j, s in enumerate(part_status) if j != i):
            continue
        for name in part:
            if statuses[name] is Status.UNKNOWN and not any(
                statuses[other] is Status.MET for other in part if other != name
            ):
                missing.append(name)
    return missing


# The verdict as a function of independent yes/no variables: the polyneuropathy finding and demyelination
# (the mandatory polyneuropathy criterion is their AND), then the other ten criteria. Used by slots_to_ask.
_VARIABLES: tuple[str, ...] = (
    "polyneuropathy_field",
    "demyelinating",
    "monoclonal_plasma_cell_disorder",
    *CRITERIA_GROUPS["major"],
    *CRITERIA_GROUPS["minor"],
)


def _variables(case: Case, statuses: dict[str, Status]) -> dict[str, Status]:
    values = {name: statuses[name] for name in _VARIABLES[3:]}
    values["polyneuropathy_field"] = from_bool(case.polyneuropathy)
    values["demyelinating"] = from_bool(case.neuropathy_demyelinating)
    # The criterion reads a negative paraprotein work-up with the marrow not yet examined as not_met, yet
    # a clonal marrow would still make it met; for what is worth asking, only the OR of both fields counts.
    values["monoclonal_plasma_cell_disorder"] = any_of(
        from_bool(case.monoclonal_plasma_cell_disorder), from_bool(case.clonal_marrow_plasma_cells)
    )
    # Likewise the laboratory's flag decides VEGF only until a plasma value arrives, which would override it.
    if not has_plasma_value(case) and case.vegf_specimen != "serum":
        values["vegf_elevated"] = Status.UNKNOWN
    return values


def _verdict_of_variables(v: dict[str, bool]) -> str:
    if v["castleman_disease"] and not v["monoclonal_plasma_cell_disorder"] and v["polyneuropathy_field"]:
        return "castleman_variant"
    poems = (
        v["polyneuropathy_field"]
        and v["demyelinating"]
        and v["monoclonal_plasma_cell_disorder"]
        and any(v[n] for n in CRITERIA_GROUPS["major"])
        and any(v[n] for n in CRITERIA_GROUPS["minor"])
    )
    return "meets_criteria" if poems else "not_met"


def relevant_variables(case: Case, statuses: dict[str, Status] | None = None) -> set[str]:
    """The unknown variables whose answer could still change the verdict, found by trying every completion.

    Two variables count as open although their criterion already has a status: the monoclonal disorder
    after a negative paraprotein work-up while the marrow is unexamined, and VEGF decided by the
    laboratory's flag while a plasma value could still arrive and override it.
    """
    values = _variables(case, statuses or read_all(case))
    unknown = [n for n in _VARIABLES if values[n] is Status.UNKNOWN]
    fixed = {n: values[n] is Status.MET for n in _VARIABLES if n not in unknown}
    relevant: set[str] = set()
    outcomes: dict[tuple[bool, ...], str] = {}
    for combo in product((False, True), repeat=len(unknown)):
        outcomes[combo] = _verdict_of_variables({**fixed, **dict(zip(unknown, combo))})
    for i, name in enumerate(unknown):
        for combo, outcome in outcomes.items():
            if not combo[i] and outcomes[combo[:i] + (True,) + combo[i + 1 :]] != outcome:
                relevant.add(name)
                break
    return relevant


_FIELD_VARIABLE: dict[str, str] = {
    "polyneuropathy": "polyneuropathy_field",
    "neuropathy_demyelinating": "demyelinating",
    "monoclonal_plasma_cell_disorder": "monoclonal_plasma_cell_disorder",
    "clonal_marrow_plasma_cells": "monoclonal_plasma_cell_disorder",
    "vegf_pg_ml": "vegf_elevated",
    "vegf_specimen": "vegf_elevated",
    "vegf_elevated": "vegf_elevated",
    "polycythemia": "polycythemia_thrombocytosis",
    "thrombocytosis": "polycythemia_thrombocytosis",
}
"""A case field -> the verdict variable its answer settles, where the two are named differently."""

DIAGNOSIS_ORDER: tuple[str, ...] = tuple(f for f in CASE_FIELDS if _FIELD_VARIABLE.get(f, f) in _VARIABLES)
"""The order of follow-up questions for a diagnosis: the case fields that feed a criterion, in the case file's
order (INTERFACE.md section 3: mandatory, then major, then minor criteria); light chain and transplant
eligibility feed none."""


def _could_settle(case: Case, field_name: str) -> bool:
    """Whether answering this (unset) field could settle its variable, given what is already known."""
    if field_name == "vegf_pg_ml":
        return case.vegf_specimen != "serum"  # a serum value never decides by the plasma threshold
    if field_name == "vegf_specimen":
        return case.vegf_pg_ml is not None  # the specimen only matters for a value already given
    return True


def _flag_could_open_vegf(case: Case, statuses: dict[str, Status]) -> bool:
    """For a plasma value at or below 200 pg/mL with no laboratory flag yet (VEGF not_met): whether a flag of
    elevated, which would leave VEGF open (borderline), could change the verdict. Only then is the flag asked;
    the other questions follow the value as it stands, so a flag left unknown asks nothing more."""
    if not has_plasma_value(case) or above_plasma_threshold(case) or case.vegf_elevated is not None:
        return False
    return "vegf_elevated" in relevant_variables(case, {**statuses, "vegf_elevated": Status.UNKNOWN})


def lab_flag_worth_asking(case: Case) -> bool:
    """Whether the laboratory's VEGF flag is worth asking (for flows that ask step by step, like the workup):
    without a plasma value it decides; a plasma value above 200 pg/mL decides alone; at or below 200 a flag of
    elevated would leave VEGF open, which is worth asking only where that could change the verdict."""
    if case.vegf_elevated is not None:
        return False
    if not has_plasma_value(case):
        return True
    return _flag_could_open_vegf(case, read_all(case))


def slots_to_ask(case: Case, goal: Literal["diagnosis", "treatment"] = "diagnosis") -> list[str]:
    """The case fields still worth asking, in asking order; `[]` once the answer is settled.

    goal `diagnosis`: the unset fields whose answer could still change the verdict (including the Castleman
    variant). goal `treatment`: when the verdict is `meets_criteria`, the fields Figure 3 still needs
    (`sclerotic_bone_lesions`, `clonal_marrow_plasma_cells`, `transplant_eligible`, as relevant); before
    that, the diagnosis fields, since treatment follows only from a diagnosis.
    """
    statuses = read_all(case)
    if goal == "treatment":
        if verdict_of(statuses, from_bool(case.polyneuropathy)) == "meets_criteria":
            return treatment_slots(case)
        goal = "diagnosis"
    if goal != "diagnosis":
        raise ValueError(f"unknown goal {goal!r}")
    relevant = relevant_variables(case, statuses)
    if _flag_could_open_vegf(case, statuses):
        relevant.add("vegf_elevated")
    asks = []
    for name in DIAGNOSIS_ORDER:
        if getattr(case, name) is not None:
            continue
        if _FIELD_VARIABLE.get(name, name) in relevant and _could_settle(case, name):
            asks.append(name)
    return asks


NOTE_ORDER: tuple[str, ...] = (
    "cidp_nonresponse",
    "vegf_specimen_unknown",
    "serum_runs_higher",
    "vegf_borderline",
    "vegf_lab_flag_disagrees",
    "vegf_other_causes",
    "thyroid_diabetes_alone",
    "castleman_variant_separate",
    "castleman_would_point_to_variant",
)
"""The order notes are given in."""


def applicable_notes(case: Case, statuses: dict[str, Status], verdict: str) -> list[str]:
    """Ids of the statements that apply to this case, in `NOTE_ORDER`."""
    applies = {
        # a neuropathy with the paraprotein question open: the review's hint about CIDP that does not respond
        "cidp_nonresponse": case.polyneuropathy is True
        and statuses["monoclonal_plasma_cell_disorder"] is Status.UNKNOWN,
        "vegf_specimen_unknown": case.vegf_pg_ml is not None and case.vegf_specimen is None,
        "serum_runs_higher": case.vegf_pg_ml is not None and case.vegf_specimen == "serum",
        "vegf_borderline": vegf_borderline(case),
        "vegf_lab_flag_disagrees": vegf_flag_disagrees(case),
        "vegf_other_causes": statuses["vegf_elevated"] is Status.MET,
        "thyroid_diabetes_alone": only_thyroid_or_diabetes(case),
        "castleman_variant_separate": verdict == "castleman_variant",
        "castleman_would_point_to_variant": statuses["monoclonal_plasma_cell_disorder"] is Status.NOT_MET
        and statuses["castleman_disease"] is Status.UNKNOWN,
    }
    return [note for note in NOTE_ORDER if applies[note]]


def assess(case: Case, kb: Any = None) -> Assessment:
    """Assess a case against the review's criteria; `kb` defaults to the real knowledge base (cached)."""
    kb = kb if kb is not None else default_knowledge()
    statuses = read_all(case)
    verdict = verdict_of(statuses, from_bool(case.polyneuropathy))
    missing = missing_criteria(statuses) if verdict == "indeterminate" else []
    next_steps: list[str] = []
    for name in missing:
        step = " ".join(kb.criteria[name].settled_by.split())
        if step not in next_steps:
            next_steps.append(step)
    return Assessment(
        verdict=verdict,
        criteria={group: {name: statuses[name] for name in names} for group, names in CRITERIA_GROUPS.items()},
        missing=missing,
        next_steps=next_steps,
        notes_cited=[statement(kb, note) for note in applicable_notes(case, statuses, verdict)],
        treatment=plan_treatment(case, kb) if verdict == "meets_criteria" else None,
    )
