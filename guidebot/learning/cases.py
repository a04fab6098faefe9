"""Practice cases: consistent case files (INTERFACE section 3) told as a short story, graded by `assess`.

Called by `QuizBank.build`. Case `n` is drawn from a random generator seeded with its own id, aimed at one
verdict and approach in turn (so every path of the Box and of Figure 3 is practised), and kept only when
`assess` reaches that target; its expected verdict and approach are then `assess`'s own, and its
explanation is the engine's reasoning with the engine's citations.
"""

from __future__ import annotations

import random
from typing import Any

from guidebot.learning.items import Item

DEFAULT_CASES = 48
"""How many practice cases a bank holds (six of each target below)."""

TARGETS: tuple[tuple[str, str | None], ...] = (
    ("meets_criteria", "radiation"),
    ("not_met", None),
    ("meets_criteria", "systemic_transplant"),
    ("indeterminate", None),
    ("meets_criteria", "systemic_non_transplant"),
    ("castleman_variant", None),
    ("meets_criteria", "systemic"),
    ("meets_criteria", "undetermined"),
)
"""The verdict (and approach) case n aims at: TARGETS[n % len(TARGETS)]."""

MAX_DRAWS = 400
"""Draws tried per case before it settles for whatever verdict the last draw has (never reached in practice)."""

VERDICTS: dict[str, str] = {
    "meets_criteria": "meets the criteria",
    "not_met": "does not meet the criteria",
    "indeterminate": "indeterminate (more findings needed)",
    "castleman_variant": "Castleman disease variant",
}
"""Verdict -> how a choice shows it, in the order the choices are numbered."""

APPROACHES: dict[str, str] = {
    "radiation": "radiation therapy",
    "systemic_transplant": "high-dose melphalan and autologous transplant",
    "systemic_non_transplant": "systemic therapy without transplant",
    "systemic": "systemic therapy (eligibility still to be decided)",
    "undetermined": "undetermined (the algorithm needs more)",
}
"""Approach -> how a choice shows it."""

MINOR_FIELDS = ("extravascular_volume_overload", "organomegaly", "skin_changes", "papilledema")


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted)
    return rng.choices(values, weights=weights)[0]


def draw_case(rng: random.Random) -> dict[str, Any]:
    """One random, consistent case file: only the section 3 fields, with values the contract allows."""
    case: dict[str, Any] = {}
    case["polyneuropathy"] = _pick(rng, [(True, 9), (False, 1)])
    if case["polyneuropathy"]:
        case["neuropathy_demyelinating"] = _pick(rng, [(True, 8), (False, 1), (None, 1)])
    monoclonal = _pick(rng, [(True, 7), (False, 3), (None, 1)])
    case["monoclonal_plasma_cell_disorder"] = monoclonal
    if monoclonal:
        case["light_chain"] = _pick(rng, [("lambda", 9), ("kappa", 1)])
    case["clonal_marrow_plasma_cells"] = _pick(rng, [(True, 3), (False, 5), (None, 2)]) if monoclonal is not False else _pick(rng, [(False, 3), (None, 1)])
    case["sclerotic_bone_lesions"] = _pick(rng, [(0, 2), (1, 2), (2, 2), (3, 1), (5, 2), (8, 1), (None, 1)])
    vegf = _pick(rng, [("plasma_high", 3), ("plasma_low", 2), ("serum", 2), ("none", 2)])
    if vegf == "plasma_high":
        case.update(vegf_pg_ml=rng.choice([260, 350, 480, 900, 1200]), vegf_specimen="plasma")
    elif vegf == "plasma_low":
        case.update(vegf_pg_ml=rng.choice([90, 150, 180]), vegf_specimen="plasma")
    elif vegf == "serum":
        case.update(vegf_pg_ml=rng.choice([700, 1100, 1600]), vegf_specimen="serum", vegf_elevated=_pick(rng, [(True, 1), (None, 1)]))
    case["castleman_disease"] = _pick(rng, [(True, 2), (False, 5), (None, 3)])
    for name in MINOR_FIELDS:
        case[name] = _pick(rng, [(True, 3), (False, 4), (None, 2)])
    case["endocrinopathy"] = _pick(
        rng, [([], 2), (["hypogonadism"], 2), (["thyroid"], 1), (["diabetes", "thyroid"], 1), (["adrenal", "hypogonadism"], 1), (None, 2)]
    )
    case["polycythemia"] = _pick(rng, [(True, 1), (False, 3), (None, 1)])
    case["thrombocytosis"] = _pick(rng, [(True, 2), (False, 3), (None, 1)])
    case["transplant_eligible"] = _pick(rng, [(True, 2), (False, 2), (None, 1)])
    return {k: v for k, v in case.items() if v is not None}


def steer(case: dict[str, Any], target: tuple[str, str | None], rng: random.Random) -> dict[str, Any]:
    """Nudge a drawn case towards `target` (a case meeting the criteria gets both mandatory findings and a
    major one; an approach gets Figure 3's inputs), so few draws are needed; `assess` still decides."""
    verdict, approach = target
    steered = dict(case)
    if verdict == "castleman_variant":
        steered.update(polyneuropathy=True, castleman_disease=True, monoclonal_plasma_cell_disorder=False, clonal_marrow_plasma_cells=False)
        steered.pop("light_chain", None)
    if verdict == "indeterminate":
        # both mandatory findings, then one group of the Box left untested
        steered.update(polyneuropathy=True, neuropathy_demyelinating=True, monoclonal_plasma_cell_disorder=True)
        steered.setdefault("light_chain", "lambda")
        untested = ("sclerotic_bone_lesions", "vegf_pg_ml", "vegf_specimen", "vegf_elevated", "castleman_disease")
        if rng.random() < 0.5:
            untested = (*MINOR_FIELDS, "endocrinopathy", "polycythemia", "thrombocytosis")
        return {k: v for k, v in steered.items() if k not in untested}
    if verdict != "meets_criteria":
        return steered
    steered.update(polyneuropathy=True, neuropathy_demyelinating=True, monoclonal_plasma_cell_disorder=True)
    steered.setdefault("light_chain", "lambda")
    if not any(steered.get(name) is True for name in MINOR_FIELDS):
        steered[rng.choice(MINOR_FIELDS)] = True
    if approach == "radiation":
        steered.update(sclerotic_bone_lesions=rng.choice([1, 2, 3]), clonal_marrow_plasma_cells=False)
    elif approach in ("systemic_transplant", "systemic_non_transplant", "systemic"):
        if rng.random() < 0.5:
            steered["sclerotic_bone_lesions"] = rng.choice([4, 5, 8])
        else:
            steered["clonal_marrow_plasma_cells"] = True
        eligible = {"systemic_transplant": True, "systemic_non_transplant": False, "systemic": None}[approach]
        steered["transplant_eligible"] = eligible
    elif approach == "undetermined":
        steered[rng.choice(["sclerotic_bone_lesions", "clonal_marrow_plasma_cells"])] = None
    return {k: v for k, v in steered.items() if v is not None}


def _yes_no_unknown(case: dict[str, Any], names: tuple[str, ...], labels: dict[str, str]) -> list[str]:
    present = [labels[n] for n in names if case.get(n) is True]
    absent = [labels[n] for n in names if case.get(n) is False]
    unknown = [labels[n] for n in names if n not in case]
    lines = []
    if present:
        lines.append("Present: " + ", ".join(present) + ".")
    if absent:
        lines.append("Absent: " + ", ".join(absent) + ".")
    if unknown:
        lines.append("Not yet examined: " + ", ".join(unknown) + ".")
    return lines


def story(case: dict[str, Any], kb: Any) -> str:
    """The case file told as a short story, one finding per sentence (only what the case file says)."""
    out: list[str] = []
    if case.get("polyneuropathy") is False:
        out.append("There is no peripheral polyneuropathy.")
    else:
        demyelinating = case.get("neuropathy_demyelinating")
        out.append(
            {
                True: "Nerve conduction studies show a peripheral polyneuropathy with demyelinating features.",
                False: "Nerve conduction studies show a peripheral polyneuropathy without demyelinating features.",
                None: "There is a peripheral polyneuropathy; nerve conduction studies are not yet done.",
            }[demyelinating]
        )
    monoclonal = case.get("monoclonal_plasma_cell_disorder")
    if monoclonal is True:
        out.append(f"Immunofixation shows a {case.get('light_chain', '')} monoclonal protein.".replace("a  ", "a "))
    elif monoclonal is False:
        out.append("Serum and urine immunofixation show no monoclonal protein.")
    else:
        out.append("Immunofixation is not yet done.")
    marrow = case.get("clonal_marrow_plasma_cells")
    out.append({True: "The bone marrow biopsy shows clonal plasma cells.", False: "The bone marrow biopsy shows no clonal plasma cells.", None: "No bone marrow biopsy yet."}[marrow])
    lesions = case.get("sclerotic_bone_lesions")
    if lesions is None:
        out.append("Skeletal imaging is not yet done.")
    elif lesions == 0:
        out.append("Whole-body CT shows no sclerotic bone lesion.")
    else:
        out.append(f"Whole-body CT shows {lesions} sclerotic bone lesion{'s' if lesions != 1 else ''}.")
    if "vegf_pg_ml" in case:
        flag = " (the laboratory flags it as elevated)" if case.get("vegf_elevated") else ""
        out.append(f"{case['vegf_specimen'].capitalize()} VEGF is {case['vegf_pg_ml']} pg/mL{flag}.")
    else:
        out.append("VEGF has not been measured.")
    castleman = case.get("castleman_disease")
    out.append({True: "A lymph node biopsy shows Castleman disease.", False: "A lymph node biopsy shows no Castleman disease.", None: "No lymph node has been biopsied."}[castleman])
    named = (*MINOR_FIELDS, "polycythemia", "thrombocytosis")
    # each finding in the words the chat uses for it (its label in knowledge/slots.yaml)
    out += _yes_no_unknown(case, named, {name: kb.slots[name].label for name in named})
    endocrine = case.get("endocrinopathy")
    if endocrine is None:
        out.append("Endocrine screening is not yet done.")
    elif not endocrine:
        out.append("Endocrine screening finds nothing.")
    else:
        out.append("Endocrine screening finds: " + ", ".join(endocrine) + ".")
    eligible = case.get("transplant_eligible")
    out.append({True: "The patient is eligible for high-dose therapy and autologous transplant.", False: "The patient is not eligible for transplant.", None: "Transplant eligibility has not been assessed."}[eligible])
    return " ".join(out)


def explanation(assessment: Any, kb: Any) -> tuple[str, tuple[int, ...]]:
    """The engine's own reasoning for a case (statuses, verdict, notes, treatment) and its citations."""
    words = {"met": "met", "not_met": "not met", "unknown": "unknown"}
    lines = [f"**Verdict: {VERDICTS[assessment.verdict]}** (assess: `{assessment.verdict}`)."]
    for group, criteria in assessment.criteria.items():
        shown = ", ".join(f"{kb.criteria[name].label} {words[str(status)]}" for name, status in criteria.items())
        lines.append(f"- {group.capitalize()}: {shown}.")
    lines.append("- The Box: both mandatory criteria, at least 1 major and at least 1 minor.")
    citations: list[int] = []
    rule = kb.facts.get("criteria.rule")
    if rule is not None:
        citations += rule.citations
    if assessment.missing:
        lines.append("- Missing: " + ", ".join(kb.criteria[n].label for n in assessment.missing) + ".")
    for note in assessment.notes_cited:
        lines.append(f"- Note: {note}")
        citations += note.citations
    treatment = assessment.treatment
    if treatment is not None:
        lines.append(f"- Treatment: **{APPROACHES[treatment.approach]}** (`{treatment.approach}`). {treatment.rationale}")
        citations += treatment.rationale.citations
    return "\n".join(lines), tuple(sorted(set(citations)))


def case_item(kb: Any, n: int) -> Item:
    """Practice case `n`: drawn until `assess` reaches TARGETS[n % len(TARGETS)], then graded by that assessment."""
    from guidebot.criteria import assess, parse_case

    import json

    target = TARGETS[n % len(TARGETS)]
    case: dict[str, Any] = {}
    assessment: Any = None
    for draw in range(MAX_DRAWS):
        rng = random.Random(f"case:{n}:{draw}")
        case = steer(draw_case(rng), target, rng)
        assessment = assess(parse_case(json.dumps(case), f"case:{n}"), kb)
        approach = assessment.treatment.approach if assessment.treatment is not None else None
        if (assessment.verdict, approach) == target:
            break
    approach = assessment.treatment.approach if assessment.treatment is not None else None
    text, citations = explanation(assessment, kb)
    expected = VERDICTS[assessment.verdict] + (f"; approach: {APPROACHES[approach]}" if approach else "")
    return Item(
        id=f"case:{n}",
        kind="case",
        section="cases",
        prompt=story(case, kb) + " Does this patient meet the POEMS syndrome criteria?",
        expected=expected,
        explanation=text,
        citations=citations,
        source="assess",
        source_title="the diagnosis and treatment engine (the review's Box and Figure 3)",
        hint="Check both mandatory criteria first, then look for at least 1 major and 1 minor criterion.",
        choices=tuple(VERDICTS.values()),
        answer_index=list(VERDICTS).index(assessment.verdict),
        choice_sources=tuple("assess" for _ in VERDICTS),
        case=case,
        approach=approach,
        approach_choices=tuple(APPROACHES.values()),
        verdict=assessment.verdict,
    )


def case_items(kb: Any, count: int) -> list[Item]:
    """The first `count` practice cases."""
    return [case_item(kb, n) for n in range(count)]
