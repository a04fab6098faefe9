"""The guided flows' half of the dialogue manager: asking follow-ups one at a time, reading the answers, the
control words (why?, skip, back, undo, restart, cancel), recording findings, and finishing with the assessment.

`GuidedFlows` is a mixin of `DialogueManager` (guidebot.dialogue.manager), which owns the state, the event log
and the reading of free text; every change here goes through `_emit` as a typed event. A diagnosis that meets
the criteria goes on to what Figure 3 needs to choose the treatment.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from guidebot.criteria.approach import TreatmentFindings
from guidebot.dialogue import render
from guidebot.dialogue.focus import Focus, normalise
from guidebot.dialogue.events import (
    AnswerUndone,
    CaseReset,
    FlowEnded,
    FlowStarted,
    QuestionAsked,
    RecordingUndone,
    ReplyRejected,
    SlotCleared,
    SlotSet,
    SlotSkipped,
    SuggestionsOffered,
    WorkupStep,
)
from guidebot.dialogue.findings import extract_findings
from guidebot.dialogue.inputs import ASKING, looks_like_question
from guidebot.dialogue.messages import BEYOND_STEM
from guidebot.dialogue.render import field_label, with_citations
from guidebot.dialogue.replies import Reask, parse_reply
from guidebot.dialogue.state import INTENT_OF_FLOW, Awaiting, Turn
from guidebot.dialogue.turns import Answer, AssessmentShown, Progress, Reading, Suggestion

if TYPE_CHECKING:
    from guidebot.dialogue.events import Event
    from guidebot.dialogue.state import ConversationState

TREATMENT_SLOTS = frozenset(TreatmentFindings._fields)
"""The fields Figure 3 reads to choose the treatment approach (criteria.approach.TreatmentFindings)."""
SIDE_FOLLOWUPS_IN_CONTEXT = True
"""Whether a question asked during a flow right after the answer to a side question is read against that answer's
focus ("can i trend it over time?" after serum versus plasma VEGF), as outside a flow (switch for ablation)."""


def _number_of_another_finding(value: Any, slot: str, text: str) -> bool:
    """Whether a number read as the answer to `slot` is the value the reply states of another finding."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or " " not in text:
        return False
    found = extract_findings(text)
    return slot not in found and any(
        not isinstance(v, bool) and isinstance(v, (int, float)) and v == value for k, v in found.items() if k != slot)


class GuidedFlows:
    """Asking, answering and finishing the guided diagnosis, treatment and workup flows (a mixin of DialogueManager)."""

    # provided by DialogueManager
    kb: Any
    state: ConversationState
    _cited: list[int]

    if TYPE_CHECKING:
        router: Any
        reader: Any
        flow: str | None
        case: Any
        focus: Focus

        def _emit(self, event: Event) -> None: ...
        def _set(self, field: str, value: Any, source: str) -> None: ...
        def assessment(self) -> Any: ...
        def last_turn(self) -> Turn | None: ...
        def _flow_of(self, text: str, match: Any) -> str | None: ...
        def _describes_patient(self, text: str, match: Any, focus: Focus) -> bool: ...
        def _answer_text(self, text: str) -> Answer: ...
        def _fact_answer(self, fact_id: str) -> Answer: ...
        def _read(self, text: str, focus: Focus, *, alone: bool = False) -> tuple[Any, str, Reading]: ...
        def _set_fact_focus(self, answer: Answer, text: str, read: Reading, before: Focus, *, patient: bool) -> None: ...
        def _set_patient_focus(self, result: Any, text: str) -> None: ...
        def _flow_suggestions(self) -> list[Suggestion]: ...

    # -- answering a follow-up ------------------------------------------------------------------------

    def _answer(self, text: str, awaiting: Awaiting) -> Turn:
        value = parse_reply(awaiting.kind, text.rstrip("?"), awaiting.choices)
        if _number_of_another_finding(value, awaiting.slot, text):
            # "VEGF 180 pg/mL in serum, ..." asked for the lesion count: 180 is the VEGF level, not the count
            value = Reask("That number is another finding's.")
        # "yes?" or "2 lesions?" is a hesitant answer; "is VEGF high in POEMS?" is a question
        hesitant = not isinstance(value, Reask) and len(text.split()) <= 3 and not ASKING.match(text)
        if looks_like_question(text) and not hesitant:
            return self._question_in_flow(text)
        if not isinstance(value, Reask):
            self._set(awaiting.slot, value, "answer")
            parts = []
            extras = {k: v for k, v in extract_findings(text).items() if k != awaiting.slot} if " " in text else {}
            extras = self._merge(extras)
            if extras:
                for name, extra in extras.items():
                    self._set(name, extra, "volunteered")
                parts.append("Also recorded: " + self._describe(extras) + ".")
            if value is None:
                parts.insert(0, f"Noted: {field_label(awaiting.slot, self.kb)} unknown / not done.")
            return self._advance(parts)
        found = self._merge(extract_findings(text))
        if found:
            for name, found_value in found.items():
                self._set(name, found_value, "volunteered")
            return self._advance(["Recorded: " + self._describe(found) + "."])
        # a question typed without "?" ("vegf cutoff"): only real words, never a stray number or letter
        if re.search(r"[a-z]{3,}", text, re.I):
            match = self.router.route(text)
            if match.in_scope and not match.is_flow and match.confidence >= 0.5:
                return self._question_in_flow(text)
        self._emit(ReplyRejected(awaiting.slot, text, value.message))
        return self._reask(value.message)

    def _question_in_flow(self, text: str) -> Turn:
        """A question asked while a follow-up is pending: answer it (or start the flow it names), then re-ask."""
        match = self.router.route(text)
        flow = self._flow_of(text, match)
        if flow:  # another flow switches over; the same one simply carries on
            found = self._record_findings(text) if self._describes_patient(text, match, Focus()) else []
            return self._start_flow(flow, found)
        answer = self._answer_text(text)
        if SIDE_FOLLOWUPS_IN_CONTEXT and self._answered_in_flow():
            # "can i trend it over time?" right after the side answer on serum versus plasma: "it" is that answer's
            # subject, so the turn is read against the focus as it would be outside the flow (declines aside)
            _, routed, read = self._read(text, self.focus)
            if not (read.not_given or read.not_stated or read.patient_treatment) and (read.stayed or routed != text):
                in_context = self._fact_answer(read.stayed) if read.stayed else self._answer_text(routed)
                bound = self.kb.facts.get(in_context.intent or "")
                # a word the contextual answer neither uses nor is asked with ("how is it diagnosed?", "ok with low
                # platelets?") asks something of its own: the turn's own answer stands
                if in_context.in_scope and bound is not None and not self._asks_beyond(text, bound):
                    answer = in_context
        if answer.in_scope and answer.intent:
            # the side question's answer is what "why?" or "source?" right after it is about
            before = self.focus
            self._set_fact_focus(answer, text, Reading(), before, patient=before.patient)
        return self._reask(None, before=answer.text, intent=answer.intent, citations=answer.citations)

    def _asks_beyond(self, text: str, fact: Any) -> list[str]:
        """The words of `text` that `fact` neither uses (`words_beyond`) nor is asked with (its questions and keywords,
        a word counting as used when one starts alike: "repeating" for "repeat")."""
        if self.reader is None:
            return []
        asked = {w for q in (*fact.questions, *fact.keywords) for w in normalise(q).split()}
        stems = {w[:BEYOND_STEM] for w in asked}
        return [w for w in self.reader.words_beyond(text, fact)
                if w not in asked and not (len(w) >= BEYOND_STEM and w[:BEYOND_STEM] in stems)]

    def _answered_in_flow(self) -> bool:
        """Whether the last turn answered a question asked during a guided flow (and re-asked the pending one)."""
        last = self.last_turn()
        return last is not None and bool(last.intent) and last.intent == self.focus.fact and last.intent in self.kb.facts

    def _reask(self, message: str | None, before: str = "", intent: str | None = None, citations: list[int] | None = None) -> Turn:
        """The pending question again, after `before` (an answer) and/or `message` (why the reply was not read)."""
        awaiting = self.state.awaiting
        if awaiting is None:
            return self._advance([p for p in (before, message) if p])
        self._emit(QuestionAsked(awaiting.slot, reask=True))
        parts = [p for p in (before, message) if p] + [f"**{awaiting.question}**"]
        return Turn(
            text="\n\n".join(parts),
            intent=intent or INTENT_OF_FLOW.get(self.flow or "", None),
            awaiting=awaiting,
            citations=list(citations or []),
            progress=self._progress(),
        )

    # -- control words ---------------------------------------------------------------------------------

    def _control_back(self) -> Turn:
        if not self.state.history and self.state.recordings:
            return self._undo_recording()
        if not self.state.history:
            if self.state.awaiting:
                return self._reask("There is no earlier answer in this assessment to go back to.")
            return Turn(text="There is no answer to go back to.", flow=self.flow)
        frame = self.state.history[-1]
        self._emit(AnswerUndone(frame.slot))
        for name, had, before in reversed(frame.changes):
            if had:
                self._emit(SlotSet(name, before, "undo"))
            else:
                self._emit(SlotCleared(name, "undo"))
        slot = frame.slot
        if slot is None or slot not in self.kb.slots:
            return self._advance(["Undone."])
        if self.flow == "workup":
            index = next((i for i, step in enumerate(self.kb.workup) if slot in step.slots), self.state.workup_index)
            self._emit(WorkupStep(index, entered=True))
        return self._ask(slot, ["Going back."])

    def _undo_recording(self) -> Turn:
        """ "undo" outside a guided flow: the findings the last recording turn set are taken back."""
        frame = self.state.recordings[-1]
        self._emit(RecordingUndone())
        taken = {}
        for name, had, before in reversed(frame.changes):
            taken[name] = self.state.values.get(name)
            if had:
                self._emit(SlotSet(name, before, "undo"))
            else:
                self._emit(SlotCleared(name, "undo"))
        text = "Took back: " + self._describe(dict(reversed(list(taken.items())))) + "."
        if self.flow is not None:
            return self._advance([text])
        return Turn(text=text + " /case shows what is still recorded.", act="undo")

    def _control_skip(self) -> Turn:
        awaiting = self.state.awaiting
        if awaiting is None:
            return self._advance([])
        self._emit(SlotSkipped(awaiting.slot))
        return self._advance([f"Skipped: {field_label(awaiting.slot, self.kb)}."])

    def _control_why(self) -> Turn:
        awaiting = self.state.awaiting
        if awaiting is None:
            return self._advance([])
        why = render.why_asked(awaiting.slot, self.flow, self.kb)
        return self._reask(None, before=why.text, citations=why.citations)

    def _control_restart(self) -> Turn:
        flow = self.flow
        if flow is None:  # nothing to restart: never clear findings on a stray word (/reset does that)
            return Turn(text="There is no guided assessment to restart. /assess starts one; /reset clears the recorded findings.")
        self._emit(CaseReset())
        self._emit(FlowEnded(flow, "restart"))
        return self._start_flow(flow, ["Starting again: every finding was cleared."])

    def _control_cancel(self) -> Turn:
        flow = self.flow
        if flow is None:
            return Turn(text="There is no guided assessment to cancel. Ask a question, or type /help.")
        self._emit(FlowEnded(flow, "cancelled"))
        kept = len(self.state.values)
        return Turn(
            text=f"Stopped the {flow} questions. The {kept} recorded finding(s) are kept: /case shows them, "
            "/assess picks up again.",
            intent=INTENT_OF_FLOW[flow],
        )

    # -- findings ---------------------------------------------------------------------------------------

    def _merge(self, found: dict[str, Any]) -> dict[str, Any]:
        """Findings as they will be stored: endocrine items added to those already recorded; unchanged ones dropped."""
        out: dict[str, Any] = {}
        for name, value in found.items():
            if name not in self.kb.slots:
                continue
            if name == "endocrinopathy" and value and isinstance(self.state.values.get(name), list):
                value = list(dict.fromkeys(self.state.values[name] + value))
            if name in self.state.values and self.state.values[name] == value:
                continue
            if value is None and name in self.state.values:
                continue  # "not done" never erases a recorded value
            out[name] = value
        return out

    def _record_findings(self, text: str) -> list[str]:
        """Record the findings stated in `text`; returns the turn's "Recorded: ..." line (or nothing)."""
        # a supposition after the described patient ("... if her VEGF is 400") is not recorded
        stated = self.reader.stated_part(text) if self.reader is not None else text
        found = self._merge(extract_findings(stated))
        for name, value in found.items():
            self._set(name, value, "volunteered")
        return ["Recorded: " + self._describe(found) + "."] if found else []

    def _describe(self, values: dict[str, Any]) -> str:
        return render.describe(values, self.kb)

    # -- flows -----------------------------------------------------------------------------------------

    def _start_flow(self, flow: str, parts: list[str]) -> Turn:
        intent = INTENT_OF_FLOW[flow]
        if self.flow == flow and self.state.awaiting:
            return self._reask(None, before="\n\n".join(parts))
        if self.flow is not None:
            self._emit(FlowEnded(self.flow, "replaced"))
        self._emit(FlowStarted(flow))
        titles = {i.id: i.title for i in getattr(self.kb, "intents", [])}
        intro = f"**{titles.get(intent, flow.capitalize())}**"
        if flow == "workup":
            intro += f"\n\n{len(self.kb.workup)} steps; answer what each step found, or *not done*. Type *why?*, *skip*, *back* or *cancel* at any time."
        else:
            intro += "\n\nI will ask only what could still change the answer; type *why?*, *skip*, *back* or *cancel* at any time."
        return self._advance(parts + [intro])

    def _open_slots(self, goal: str) -> list[str]:
        from guidebot.criteria import slots_to_ask

        return [
            s for s in slots_to_ask(self.case, goal)
            if s not in self.state.values and s not in self.state.skipped and s in self.kb.slots
        ]

    def _advance(self, parts: list[str]) -> Turn:
        """Ask the flow's next question, or finish it (assessment / treatment) when nothing is left to ask."""
        flow = self.flow
        if flow == "diagnosis":
            asks = self._open_slots("diagnosis")
            if asks:
                return self._ask(asks[0], parts)
            if self.assessment().verdict != "meets_criteria":
                return self._finish(parts, treatment=False)
            # the criteria are met: the same flow goes on to what Figure 3 needs to choose the treatment
            asks = self._open_slots("treatment")
            if asks:
                awaited = self.state.awaiting.slot if self.state.awaiting else None
                if awaited not in TREATMENT_SLOTS:
                    parts = parts + ["The criteria are met. To choose the treatment (Figure 3) I need a little more; "
                                     "type *stop* to end here and keep what was found."]
                return self._ask(asks[0], parts)
            return self._finish(parts, treatment=True)
        if flow == "treatment":
            asks = self._open_slots("treatment")
            return self._ask(asks[0], parts) if asks else self._finish(parts, treatment=True)
        if flow == "workup":
            return self._advance_workup(parts)
        return Turn(text="\n\n".join(parts) or "Ask a question about POEMS syndrome, or type /help.")

    def _advance_workup(self, parts: list[str]) -> Turn:
        steps = self.kb.workup
        index = self.state.workup_index
        while index < len(steps):
            step = steps[index]
            if self.state.workup_entered != index:
                self._emit(WorkupStep(index, entered=True))
                intro = f"**Step {index + 1} of {len(steps)}: {step.title}**\n\n" + with_citations(step.explanation, step.citations)
                self._cited += step.citations
                known = {s: self.state.values[s] for s in step.slots if s in self.state.values}
                if known:
                    intro += "\n\nAlready recorded: " + self._describe(known) + "."
                parts = parts + [intro]
            pending = [
                s for s in step.slots
                if s not in self.state.values and s not in self.state.skipped and s in self.kb.slots and self._worth_asking(s)
            ]
            if pending:
                return self._ask(pending[0], parts)
            index += 1
            self._emit(WorkupStep(index))
        return self._finish(parts, treatment=False)

    def _worth_asking(self, slot: str) -> bool:
        """In the workup, a follow-up that only qualifies another answer waits for that answer (no light chain without an M-protein)."""
        known = self.state.known()
        if slot == "light_chain":
            return known.get("monoclonal_plasma_cell_disorder") is True or known.get("clonal_marrow_plasma_cells") is True
        if slot == "vegf_specimen":
            return "vegf_pg_ml" in known
        if slot == "vegf_elevated":  # decisive without a plasma value; with one, only where it could change the verdict
            from guidebot.criteria.engine import lab_flag_worth_asking

            return lab_flag_worth_asking(self.case)
        return True

    def _progress(self) -> Progress | None:
        if self.flow != "workup" or not self.kb.workup:
            return None
        index = min(self.state.workup_index, len(self.kb.workup) - 1)
        return Progress(index + 1, len(self.kb.workup), self.kb.workup[index].title)

    def _ask(self, slot_name: str, parts: list[str]) -> Turn:
        slot = self.kb.slots[slot_name]
        awaiting = Awaiting(slot=slot_name, kind=slot.kind, choices=list(slot.choices), question=slot.question)
        self._emit(QuestionAsked(slot_name))
        return Turn(
            text="\n\n".join(parts + [f"**{slot.question}**"]) if parts else f"**{slot.question}**",
            intent=INTENT_OF_FLOW[self.flow] if self.flow else None,
            awaiting=awaiting,
            progress=self._progress(),
        )

    def _finish(self, parts: list[str], *, treatment: bool) -> Turn:
        flow = self.flow
        result = self.assessment()
        self._emit(FlowEnded(flow, "done"))
        treatment = treatment or result.verdict == "meets_criteria"
        body = self._assessment_text(result, treatment=treatment)
        suggestions: list[Suggestion] = []
        if not treatment and result.verdict == "meets_criteria":
            suggestions = [s for s in self._flow_suggestions() if s.intent == "treatment.plan"]
        text = "\n\n".join(parts + [body])
        if suggestions:
            self._emit(SuggestionsOffered(suggestions))
        self._set_patient_focus(result, text)
        return Turn(
            text=text,
            intent=INTENT_OF_FLOW.get(flow or "diagnosis"),
            assessment=AssessmentShown.of(result),
            suggestions=suggestions,
        )

    # -- rendering an assessment -------------------------------------------------------------------------

    def _assessment_text(self, result: Any, *, treatment: bool) -> str:
        rendered = render.assessment_text(result, self.kb, treatment=treatment)
        self._cited += rendered.citations
        return rendered.text
