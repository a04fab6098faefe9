"""The review's treatment algorithm (Figure 3) for a case that meets the criteria: approach, rationale, cautions.

Called by `engine.assess` only when the verdict is `meets_criteria` (INTERFACE.md section 4). The words
come from `knowledge/statements.yaml`, so every rationale and caution carries the review's citations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guidebot.criteria.approach import MAX_LESIONS_FOR_RADIATION, choose_approach
from guidebot.criteria.case import Case

GENERAL_CAUTIONS: tuple[str, ...] = (
    "avoid_bevacizumab",
    "lmwh_prophylaxis",
    "plasma_exchange_ineffective",
    "avoid_neurotoxic_agents",
)
"""Cautions for every patient with active disease (statement ids), in INTERFACE.md order."""

TRANSPLANT_CAUTION = "engraftment_syndrome"
"""The extra caution when the approach is high-dose therapy with autologous transplant."""

def cite(text: str, citations: list[int] | tuple[int, ...]) -> str:
    """A statement as one string ending with its citations, `text [1, 32]`; no brackets when the review cites nothing."""
    text = " ".join(text.split())
    return f"{text} [{', '.join(str(n) for n in citations)}]" if citations else text


@dataclass(frozen=True)
class Cited:
    """One statement the engine makes, with where it comes from."""

    id: str
    """The statement's id in `knowledge/statements.yaml`."""
    text: str
    """The statement's text (own words, the review's numbers)."""
    citations: tuple[int, ...]
    """The review's reference numbers; empty where the review cites nothing."""

    def __str__(self) -> str:
        return cite(self.text, self.citations)

    def to_dict(self) -> dict[str, Any]:
        """`{"id", "text", "citations"}`, for JSON."""
        return {"id": self.id, "text": self.text, "citations": list(self.citations)}


def statement(kb: Any, statement_id: str) -> Cited:
    """The statement `statement_id` of the knowledge base as a `Cited`."""
    found = kb.statements[statement_id]
    return Cited(found.id, " ".join(found.text.split()), tuple(found.citations))


@dataclass(frozen=True)
class Treatment:
    """What the review's algorithm says for a case that meets the criteria."""

    approach: str
    """`radiation`, `systemic_transplant`, `systemic_non_transplant`, `systemic` or `undetermined`."""
    rationale: Cited
    """Why (or, for `undetermined`, what is still needed)."""
    cautions: tuple[str, ...]
    """Statement ids of the cautions: the four general ones, plus `engraftment_syndrome` for transplant."""
    caution_notes: tuple[Cited, ...] = ()
    """The cautions' texts with their citations, in the order of `cautions`."""
    details: tuple[Cited, ...] = ()
    """Further cited points (transplant induction and mobilization, goals of response)."""
    needs: tuple[str, ...] = field(default=())
    """Case fields the algorithm still needs to choose an approach (for `undetermined` and `systemic`)."""

    def to_dict(self) -> dict[str, Any]:
        """INTERFACE.md section 4 `treatment` (approach, rationale, cautions) plus cited extensions."""
        return {
            "approach": self.approach,
            "rationale": str(self.rationale),
            "cautions": list(self.cautions),
            "rationale_citations": list(self.rationale.citations),
            "details": [str(d) for d in self.details],
            "caution_notes": [str(c) for c in self.caution_notes],
            "needs": list(self.needs),
        }


DETAILS: dict[str, tuple[str, ...]] = {
    "radiation": ("radiation_response_slow", "response_goals"),
    "systemic_transplant": ("induction_before_collection", "stem_cell_mobilization", "response_goals"),
    "systemic_non_transplant": ("response_goals",),
    "systemic": ("response_goals",),
    "undetermined": (),
}
"""Approach -> the statements shown after the rationale."""


def plan_treatment(case: Case, kb: Any) -> Treatment:
    """The treatment for a case that meets the criteria (the caller checks the verdict)."""
    approach, rationale_id, needs = choose_approach(case)
    cautions = GENERAL_CAUTIONS + ((TRANSPLANT_CAUTION,) if approach == "systemic_transplant" else ())
    return Treatment(
        approach=approach,
        rationale=statement(kb, rationale_id),
        cautions=cautions,
        caution_notes=tuple(statement(kb, c) for c in cautions),
        details=tuple(statement(kb, d) for d in DETAILS[approach]),
        needs=needs,
    )


def treatment_slots(case: Case) -> list[str]:
    """The fields Figure 3 still needs to choose an approach, in asking order (lesions, marrow, eligibility)."""
    lesions, marrow = case.sclerotic_bone_lesions, case.clonal_marrow_plasma_cells
    asks: list[str] = []
    systemic_decided = (lesions is not None and lesions > MAX_LESIONS_FOR_RADIATION) or marrow is True
    if lesions is None and marrow is not True:
        asks.append("sclerotic_bone_lesions")
    if marrow is None and not systemic_decided:
        asks.append("clonal_marrow_plasma_cells")
    radiation_decided = lesions is not None and 1 <= lesions <= MAX_LESIONS_FOR_RADIATION and marrow is False
    not_covered = lesions == 0 and marrow is False
    if case.transplant_eligible is None and not radiation_decided and not not_covered:
        asks.append("transplant_eligible")
    return asks
