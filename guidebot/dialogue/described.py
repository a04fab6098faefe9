"""A patient described in one question ("demyelinating neuropathy, lambda M-protein, one sclerotic lesion and
papilledema: enough for POEMS?") answered with the engine's verdict for that patient (INTERFACE section 2).

Used by `guidebot ask` (the answer object gains `assessment`) and by the chat (which records the findings and
runs the guided flow on from them). Only questions that get this far import the criteria engine.
"""

from __future__ import annotations

from typing import Any

from guidebot.dialogue.findings import extract_findings
from guidebot.routing.question import without_options

MIN_FINDINGS = 2
"""A question states at least this many findings before it is read as a described patient."""

FLOW_INTENTS = frozenset({"diagnosis.assess", "treatment.plan"})
"""The guided flows whose one-shot answer is replaced by the described patient's verdict."""


def count_findings(question: str) -> int:
    """How many case findings a question states (an exam question's answer options are none of them)."""
    return sum(1 for v in extract_findings(without_options(question)).values() if v is not None)


def is_case_question(question: str, intent: str | None, kb: Any) -> bool:
    """Whether a question routed to `intent` describes a patient and asks for a verdict or a treatment."""
    routing = getattr(kb, "routing", None)
    case_facts = set(routing.targets.case_questions) if routing is not None else set()
    if intent not in FLOW_INTENTS and intent not in case_facts:
        return False
    return count_findings(question) >= MIN_FINDINGS


def with_assessment(obj: dict, question: str, knowledge: str | None = None) -> dict:
    """The answer object of `question`, with `assessment` and that patient's verdict as `answer` when it
    describes a patient and asks a diagnostic or treatment question; otherwise unchanged."""
    if not obj.get("in_scope"):
        return obj
    from guidebot.knowledge import load_knowledge

    kb = load_knowledge(knowledge)
    if not is_case_question(question, obj.get("intent"), kb):
        return obj
    from guidebot.dialogue.render import patient_assessment

    found, result = _assessed(question, kb)
    body, citations = patient_assessment(found, result, kb)
    out = dict(obj)
    out.update(answer=body, plain=body, assessment=result.to_dict(), citations=sorted(set(citations)),
               title="This patient's assessment")
    return out


def with_assessment_beside(obj: dict, question: str, knowledge: str | None = None) -> dict:
    """The answer object of `question`, a described patient's diagnostic or treatment question answered by
    another fact ("... two sclerotic lesions and papilledema. Which of the following should be avoided?"), with
    that patient's `assessment` beside the answer it has: the fact that answers stays (a caution comes first)."""
    if not obj.get("in_scope") or count_findings(question) < MIN_FINDINGS:
        return obj
    from guidebot.knowledge import load_knowledge

    _, result = _assessed(question, load_knowledge(knowledge))
    return {**obj, "assessment": result.to_dict()}


def _assessed(question: str, kb: Any) -> tuple[dict, Any]:
    """The findings `question` states and the criteria engine's verdict on them."""
    from guidebot.criteria import Case, assess

    found = {k: v for k, v in extract_findings(without_options(question)).items() if v is not None}
    return found, assess(Case(**found), kb)
