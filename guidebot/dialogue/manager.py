"""The dialogue manager: `respond(text) -> Turn` for every front end (chat --jsonl, chat --plain, the Textual app).

It recognises knowledge questions and three guided flows (diagnosis, treatment, workup) through the router,
asks follow-up questions one at a time (only those whose answer could still change the verdict), reads
replies by slot kind, picks volunteered findings out of free text, and keeps every change as an event in
an append-only log that is saved after each turn. Every clinical sentence it shows comes from the
knowledge base (facts, slot help, criteria, statements) with the review's reference numbers.
"""

from __future__ import annotations

import copy
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

from guidebot.dialogue.context import ECHO_MAX_WORDS, PREFIX_ACT_YIELD, STAY_MARGIN, ConversationReader, Focus, choose, stays
from guidebot.dialogue.context import normalise as context_normalise
from guidebot.dialogue.described import is_case_question
from guidebot.dialogue.findings import extract_findings
from guidebot.dialogue.replies import Reask, expected, is_unknown, normalise, parse_reply
from guidebot.dialogue.state import (
    FLOW_INTENTS,
    INTENT_OF_FLOW,
    Awaiting,
    ConversationState,
    Turn,
    replay,
)
from guidebot.dialogue.store import SessionStore
from guidebot.errors import GuidebotError
from guidebot.text import clean_text

MAX_INPUT_CHARS = 2000
"""Longer input is cut to this many characters (with a notice): no question or answer needs more."""

def field_label(name: str, kb: Any) -> str:
    """How a case field is named when the bot repeats back what it recorded: its `label` in knowledge/slots.yaml
    (the one source), else the field's name in words."""
    slot = getattr(kb, "slots", {}).get(name)
    return slot.label if slot is not None else name.replace("_", " ")

SMALLTALK_DURING_QUESTIONS = frozenset({"greeting", "thanks", "bye", "wrong", "not_what_i_asked"})
"""Small talk answered while a question is pending ("ok" and "no" are not among them: they may be answers)."""

MIN_UNKNOWN_NAME = 2
"""An unknown word this long or longer in a follow-up is read as naming another drug or disease."""

ACTS_THAT_YIELD = frozenset({"why", "more"})
"""Acts read from a message's start that yield to a confident answer about another fact ("why do the glands
fail?"); "which study...", "the reference for..." always ask about the last answer."""

TREATMENT_SLOTS = frozenset({"sclerotic_bone_lesions", "clonal_marrow_plasma_cells", "transplant_eligible"})
"""The fields Figure 3 reads to choose the treatment approach."""

STATUS_WORDS: dict[str, str] = {"met": "met", "not_met": "not met", "unknown": "unknown"}

COMMANDS: dict[str, str] = {
    "/help": "this list",
    "/assess": "check the diagnostic criteria for your patient (or show the current assessment)",
    "/treat": "the treatment approach for your patient",
    "/workup": "walk through the diagnostic workup step by step",
    "/criteria": "the diagnostic criteria",
    "/cautions": "the four cautions for every patient with active disease",
    "/case": "what has been recorded so far",
    "/refs [N]": "the source review, or its reference N in full",
    "/export [FILE]": "save this chat as Markdown and the assessment as HTML, in the export folder",
    "/reset": "forget every finding and stop the guided flow",
}
"""Slash commands (the same in every front end) -> what they do."""

REPLY_WORDS = (
    "While I ask a question you can answer yes / no / not done (or a number, a choice, a list), or type "
    "**why?** (why I ask), **skip**, **back** (change the last answer), **restart** or **cancel**. "
    "You can also ask any question about POEMS syndrome, or give several findings in one sentence."
)

EXAMPLE_QUESTIONS = ("diagnosis.vegf_threshold", "treatment.bevacizumab", "criteria.rule", "treatment.algorithm")
"""Facts whose first example question the greeting offers (those that exist)."""

CONTROL_WORDS: dict[str, str] = {
    "back": "back", "undo": "back", "go back": "back", "previous": "back",
    "skip": "skip", "pass": "skip", "skip it": "skip", "skip this": "skip", "next": "skip",
    "why": "why", "why?": "why", "why do you ask": "why", "why do you ask?": "why", "why ask": "why", "why?!": "why",
    "restart": "restart", "start over": "restart", "start again": "restart",
    "cancel": "cancel", "stop": "cancel", "quit flow": "cancel", "exit flow": "cancel", "abort": "cancel",
    "that's enough": "cancel", "thats enough": "cancel", "enough": "cancel", "stop here": "cancel", "stop asking": "cancel",
    "help": "help", "?help": "help",
}
"""Words that steer the conversation instead of answering."""

_QUESTION_START = re.compile(
    r"^(?:what|whats|what's|how|why|when|which|who|whom|where|is|are|does|do|did|can|could|should|would|will|"
    r"tell me|explain|define|describe|list|give me|show me)\b",
    re.I,
)
_ASKING = re.compile(r"^(?:what|whats|what's|how|why|when|which|who|where|can|could|should|would|does|do|did|tell|explain)\b", re.I)
"""How a question starts when it could not be an answer ("is present" can be; "what about 200?" cannot)."""
_PATIENT = re.compile(r"\b(?:my|this|our|the) (?:patient|case|pt)\b|\bmy (?:man|woman|guy|lady)\b", re.I)
"""A question about a particular patient: a close flow suggestion is then taken as the flow."""
FLOW_CUES: dict[str, re.Pattern[str]] = {
    "treatment": re.compile(r"\bhow (?:should|do|would|can) (?:i|we) treat\b|\bwhich treatment\b", re.I),
    "diagnosis": re.compile(
        r"\b(?:does|do|could|might|can|would)\b.*\b(?:have|has|got)\b.*\bpoems\b|\bis (?:it|this|that) poems\b"
        r"|\bmeets? (?:the )?(?:poems )?criteria\b",
        re.I,
    ),
}
"""Phrasings that, about a particular patient, ask for a guided flow even when the router prefers a fact."""
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b|\x9b|\\x1b|\\033|\\e|\\u001b|\^\[)"
    r"(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\\\|\\\\)?|[@-Z\\-_])"
)
"""Terminal escape sequences typed out ("\\x1b[31m", "^[[0m") as well as real: removed whole (before
`clean_text` removes the real ones and other controls), so their digits are never read as findings."""


def clean_input(text: str) -> tuple[str, str | None]:
    """(cleaned text, notice): control characters dropped, whitespace squeezed, cut to MAX_INPUT_CHARS."""
    # asking clean_text for one character more tells whether the text was cut
    text = _ESCAPE_SEQUENCES.sub("", unicodedata.normalize("NFC", (text or "")[: 4 * MAX_INPUT_CHARS]))
    text = clean_text(text, MAX_INPUT_CHARS + 1)
    if len(text) > MAX_INPUT_CHARS:
        return text[:MAX_INPUT_CHARS], f"(Your message was cut to its first {MAX_INPUT_CHARS} characters.)"
    return text, None


def looks_like_question(text: str) -> bool:
    """A question rather than an answer or a finding ("what is...", "...?"), but not a bare "?" or "why?"."""
    t = text.strip()
    if not t or is_unknown(t) or normalise(t) in CONTROL_WORDS:
        return False
    return t.endswith("?") or bool(_QUESTION_START.match(t))


def with_citations(text: str, citations: list[int] | tuple[int, ...]) -> str:
    """A cited sentence: `text [1, 32]` (unchanged when the review cites nothing)."""
    from guidebot.render import format_citations

    text = " ".join(str(text).split())
    return f"{text} {format_citations(citations)}" if citations else text


def sources_line(citations: list[int] | tuple[int, ...]) -> str:
    """The line under a fact's answer that lists its references."""
    from guidebot.render import format_citations

    return f"Sources: {format_citations(citations)}" if citations else ""


class DialogueManager:
    """One conversation: `greeting()`, then `respond(text)` per line; state lives in an append-only event log."""

    def __init__(self, kb: Any = None, router: Any = None, store: SessionStore | None = None, *, events: list[dict] | None = None):
        """`kb` and `router` default to the real ones; `store=None` keeps the session in memory only."""
        if kb is None:
            from guidebot.knowledge import load_knowledge

            kb = load_knowledge()
        self.kb = kb
        """The knowledge base (slots, criteria, workup, statements, facts, references)."""
        self._router = router
        self.store = store
        """Where the event log is saved after every turn; None for an unsaved session."""
        self.state = ConversationState()
        """Everything the conversation knows, folded from `events`."""
        self.events: list[dict[str, Any]] = []
        """The append-only event log."""
        self._pending: list[dict[str, Any]] = []
        self._cited: list[int] = []
        conversation = getattr(kb, "conversation", None)
        self.reader = ConversationReader.of(conversation) if conversation is not None else None
        """How turns are read in context (None when the knowledge base has no conversation.yaml)."""
        if events:
            for event in events:
                self.events.append(event)
                self.state.apply(event)
        else:
            started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            self._emit("session_started", session_id=store.session_id if store else None, started=started)

    # -- public API --------------------------------------------------------------------------------

    @classmethod
    def resume(cls, session_id: str | None = None, **kw: Any) -> DialogueManager:
        """Rebuild a saved session by replaying its events (the latest session when `session_id` is None).

        Keyword arguments: `kb`, `router`, and `directory` (the sessions directory, default the data dir's).
        Raises GuidebotError when the session is missing or corrupt.
        """
        directory = kw.pop("directory", None)
        store = SessionStore.open(session_id, directory)
        events = store.load()
        kb, router = kw.pop("kb", None), kw.pop("router", None)
        try:
            manager = cls(kb=kb, router=router, store=store, events=events)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a crafted log: corrupt, not a crash
            raise GuidebotError(f"{store.path}: corrupt chat session (cannot replay it: {type(exc).__name__})") from None
        try:
            manager.case  # noqa: B018 - validates the replayed findings
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            first = str(exc).splitlines()[0]
            raise GuidebotError(f"{store.path}: corrupt chat session (a recorded finding is invalid: {first})") from None
        return manager

    @property
    def router(self) -> Any:
        """The router (the process-wide one unless given)."""
        if self._router is None:
            from guidebot.routing import get_router

            self._router = get_router()
        return self._router

    @property
    def session_id(self) -> str | None:
        """The session's id (None for an unsaved session)."""
        return self.store.session_id if self.store else self.state.session_id

    @property
    def case(self) -> Any:
        """The findings recorded so far, as a `Case` (explicit unknowns are None, like untested ones)."""
        from guidebot.criteria import Case

        return Case(**self.state.known())

    @property
    def flow(self) -> str | None:
        """The guided flow in progress: diagnosis, treatment, workup or None."""
        return self.state.flow

    @property
    def awaiting(self) -> Awaiting | None:
        """The follow-up the bot is waiting for."""
        return self.state.awaiting

    @property
    def recorded(self) -> dict[str, Any]:
        """Every recorded finding, explicit unknowns included (value None)."""
        return copy.deepcopy(self.state.values)

    def assessment(self) -> Any:
        """The live `assess(self.case)`, for a case panel."""
        from guidebot.criteria import assess

        return assess(self.case, self.kb)

    def last_turn(self) -> Turn | None:
        """The last turn the bot showed (after `resume`, the one to show again)."""
        return Turn.from_json(self.state.last_turn) if self.state.last_turn else None

    def earlier_messages(self) -> list[tuple[str, str]]:
        """The saved conversation before the last turn, as ("user" | "bot", text): what a resumed plain chat replays.
        The welcome before the first question is not part of it."""
        said = [e for e in self.events if e.get("event") in ("user_said", "bot_said")]
        while said and said[0]["event"] == "bot_said":
            said.pop(0)
        if said and said[-1]["event"] == "bot_said":
            said.pop()  # the last turn is shown by `resumed_turn`
        return [("user", str(e.get("text", ""))) if e["event"] == "user_said" else ("bot", str((e.get("turn") or {}).get("text", "")))
                for e in said]

    def resumed_turn(self) -> Turn:
        """The last turn again, headed by a line saying the session was resumed (not logged)."""
        last = self.last_turn() or self.greeting_turn()
        head = f"(Resumed session {self.session_id}.)"
        return Turn(
            text=f"{head}\n\n{last.text}",
            intent=last.intent,
            awaiting=last.awaiting,
            assessment=last.assessment,
            citations=last.citations,
            suggestions=last.suggestions,
            flow=self.flow,
            progress=last.progress,
            in_scope=last.in_scope,
            act=last.act,
            focus=last.focus,
        )

    def greeting(self) -> Turn:
        """The opening turn: what guidebot is, its source, the disclaimer, example questions and commands."""
        turn = self.greeting_turn()
        self._emit("bot_said", turn=turn.to_json())
        self._commit()
        return turn

    def greeting_turn(self) -> Turn:
        """The greeting, without logging it."""
        examples = [self.kb.facts[f].questions[0] for f in EXAMPLE_QUESTIONS if f in self.kb.facts]
        flows = {i.id: i for i in getattr(self.kb, "intents", [])}
        starters = [flows[i].questions[0] for i in ("diagnosis.assess", "treatment.plan", "workup.guide") if i in flows]
        lines = [
            "**guidebot** answers questions about POEMS syndrome using one review only:",
            f"*{self.kb.review}*",
            "",
            "It is an educational aid, not a substitute for clinical judgement. Every answer cites the "
            "review's reference numbers; anything the review does not cover gets a plain \"not covered\".",
            "",
            "Try, for example:",
            *[f"- {q}" for q in examples + starters],
            "",
            "Commands: " + ", ".join(c.split()[0] for c in COMMANDS) + ". Type /help for more.",
        ]
        return Turn(text="\n".join(lines), intent=None, flow=self.flow)

    def respond(self, text: str) -> Turn:
        """The bot's reply to one line the person typed (logged and saved before it returns)."""
        cleaned, notice = clean_input(text)
        mark, pending_mark = len(self.events), len(self._pending)
        self._emit("user_said", text=cleaned)
        self._cited = []
        try:
            turn = self._respond(cleaned)
        except Exception:
            # a bug must not leave half a turn behind: forget it, as a crash mid-turn would
            del self.events[mark:]
            del self._pending[pending_mark:]
            self.state = replay(self.events)
            raise
        if notice:
            turn.text = f"{notice}\n\n{turn.text}"
        turn.citations = sorted(set(turn.citations) | set(self._cited))
        turn.flow = self.flow
        if turn.in_scope is None and turn.act is None and (turn.intent or turn.awaiting or turn.assessment):
            turn.in_scope = True
        turn.recorded = self._recorded_this_turn(mark)
        self._emit("bot_said", turn=turn.to_json())
        self._commit()
        return turn

    def export_markdown(self) -> str:
        """The transcript and the current assessment as a Markdown document."""
        out = [f"# guidebot chat{f' {self.session_id}' if self.session_id else ''}", "", f"Source: *{self.kb.review}*", ""]
        out += ["Educational aid, not a substitute for clinical judgement.", "", "## Transcript", ""]
        for event in self.events:
            if event["event"] == "user_said":
                out += [f"**You:** {_escape(event['text']) or '(nothing typed)'}", ""]
            elif event["event"] == "bot_said":
                out += ["**guidebot:**", "", event["turn"]["text"], ""]
        out += ["## Recorded findings", "", self._case_text(), "", "## Current assessment", ""]
        out += [self._assessment_text(self.assessment(), treatment=True), ""]
        return "\n".join(out).rstrip() + "\n"

    def export_html(self) -> str:
        """The current assessment as a standalone HTML page (the criteria as a grid)."""
        from guidebot.render import assessment_html

        title = f"guidebot assessment{f' {self.session_id}' if self.session_id else ''}"
        return assessment_html(self.assessment(), self.kb.criteria, title=title, source=str(self.kb.review))

    # -- events ------------------------------------------------------------------------------------

    def _emit(self, event: str, **payload: Any) -> None:
        record = {"event": event, **payload}
        self.events.append(record)
        self._pending.append(record)
        self.state.apply(record)

    def _commit(self) -> None:
        if self.store is not None and not any(e["event"] == "user_said" for e in self.events):
            # a greeting alone is not saved: an empty session would shadow the one worth resuming
            return
        pending, self._pending = self._pending, []
        if self.store is not None:
            self.store.append(pending)

    def _recorded_this_turn(self, mark: int) -> dict[str, Any]:
        """The findings set in this turn (not those restored by undo)."""
        out: dict[str, Any] = {}
        for event in self.events[mark:]:
            if event["event"] == "slot_set" and event.get("source") != "undo":
                out[event["field"]] = copy.deepcopy(event["value"])
        return out

    def _set(self, field: str, value: Any, source: str) -> None:
        self._emit("slot_set", field=field, value=copy.deepcopy(value), source=source)

    # -- the dispatcher ------------------------------------------------------------------------------

    def _respond(self, text: str) -> Turn:
        awaiting = self.state.awaiting
        if not text:
            if awaiting:
                return self._reask("Nothing was typed.")
            return Turn(text="Nothing was typed. Ask a question about POEMS syndrome, or type /help.", flow=self.flow)
        if text.startswith("/"):
            turn = self._command(text)
            turn.act = turn.act or "command"
            return turn
        reader = self.reader
        if reader is not None and reader.smalltalk(text) is None:
            # "thanks! n?", "ok, and TRM?": the opening courtesy carries nothing; the rest is the turn
            text = reader.after_smalltalk(text) or text
        if reader is not None and reader.is_undo(text) and (self.state.history or self.state.recordings or not awaiting):
            if self.state.history or self.state.recordings:
                return self._control_back()
        if awaiting and reader is not None and self._answered_in_flow():
            # "why?" right after the answer to a side question is about that answer, then the question is re-asked
            act = reader.act(text, self.focus.text, self.focus.entities)
            if act is not None and not act.by_prefix:
                done = self._act(act.act, act.term)
                turn = self._reask(None, before=done.text, intent=done.intent, citations=done.citations)
                turn.act = act.act
                return turn
        control = CONTROL_WORDS.get(normalise(text))
        if control == "help":
            return self._command("/help")
        if control and (awaiting or control in ("back", "restart", "cancel")):
            return getattr(self, f"_control_{control}")()
        if awaiting:
            talk = reader.smalltalk(text) if reader is not None else None
            if talk is not None and talk.id in SMALLTALK_DURING_QUESTIONS:
                turn = self._smalltalk(talk)
                return self._reask(None, before=turn.text)
            return self._answer(text, awaiting)
        if self.flow is not None:  # a flow without a question (only after an interrupted turn): carry on
            return self._advance([])
        if reader is not None:
            talk = reader.smalltalk(text) or (reader.smalltalk("wrong") if reader.is_undo(text) else None)
            if talk is not None:
                return self._smalltalk(talk)
            act = reader.act(text, self.focus.text, self.focus.entities)
            if act is not None and act.by_prefix and act.act in ACTS_THAT_YIELD and self.focus.fact:
                alone = self.router.route(text)
                if alone.in_scope and not alone.is_flow and alone.intent != self.focus.fact and alone.confidence >= PREFIX_ACT_YIELD:
                    act = None  # "why do the glands fail?": a question about another fact, not "why?"
            if act is not None and self.focus.fact:
                return self._act(act.act, act.term)
        if text.isascii() and text.isdigit():  # ASCII only: int() refuses "²", which isdigit() accepts
            if self.state.suggestions:
                return self._pick(int(text))
            return Turn(text="There is no numbered list to pick from just now. Ask a question, or type /help.")
        return self._free_text(text)

    # -- answering a follow-up ------------------------------------------------------------------------

    def _answer(self, text: str, awaiting: Awaiting) -> Turn:
        value = parse_reply(awaiting.kind, text.rstrip("?"), awaiting.choices)
        # "yes?" or "2 lesions?" is a hesitant answer; "is VEGF high in POEMS?" is a question
        hesitant = not isinstance(value, Reask) and len(text.split()) <= 3 and not _ASKING.match(text)
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
        self._emit("reply_rejected", slot=awaiting.slot, text=text, message=value.message)
        return self._reask(value.message)

    def _question_in_flow(self, text: str) -> Turn:
        """A question asked while a follow-up is pending: answer it (or start the flow it names), then re-ask."""
        match = self.router.route(text)
        flow = self._flow_of(text, match)
        if flow:  # another flow switches over; the same one simply carries on
            found = self._record_findings(text) if self._describes_patient(text, match, Focus()) else []
            return self._start_flow(flow, found)
        answer = self._answer_text(text)
        if answer["in_scope"] and answer["intent"]:
            # the side question's answer is what "why?" or "source?" right after it is about
            before = self.focus
            self._set_fact_focus(answer, text, {"reading": "alone"}, before, patient=before.patient)
        return self._reask(None, before=answer["text"], intent=answer["intent"], citations=answer["citations"])

    def _answered_in_flow(self) -> bool:
        """Whether the last turn answered a question asked during a guided flow (and re-asked the pending one)."""
        last = self.last_turn()
        return last is not None and bool(last.intent) and last.intent == self.focus.fact and last.intent in self.kb.facts

    def _reask(self, message: str | None, before: str = "", intent: str | None = None, citations: list[int] | None = None) -> Turn:
        """The pending question again, after `before` (an answer) and/or `message` (why the reply was not read)."""
        awaiting = self.state.awaiting
        if awaiting is None:
            return self._advance([p for p in (before, message) if p])
        self._emit("question_asked", slot=awaiting.slot, reask=True)
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
        self._emit("answer_undone", slot=frame.slot)
        for name, had, before in reversed(frame.changes):
            if had:
                self._emit("slot_set", field=name, value=before, source="undo")
            else:
                self._emit("slot_cleared", field=name, source="undo")
        slot = frame.slot
        if slot is None or slot not in self.kb.slots:
            return self._advance(["Undone."])
        if self.flow == "workup":
            index = next((i for i, step in enumerate(self.kb.workup) if slot in step.slots), self.state.workup_index)
            self._emit("workup_step", index=index, entered=True)
        return self._ask(slot, ["Going back."])

    def _undo_recording(self) -> Turn:
        """ "undo" outside a guided flow: the findings the last recording turn set are taken back."""
        frame = self.state.recordings[-1]
        self._emit("recording_undone")
        taken = {}
        for name, had, before in reversed(frame.changes):
            taken[name] = self.state.values.get(name)
            if had:
                self._emit("slot_set", field=name, value=before, source="undo")
            else:
                self._emit("slot_cleared", field=name, source="undo")
        text = "Took back: " + self._describe(dict(reversed(list(taken.items())))) + "."
        if self.flow is not None:
            return self._advance([text])
        return Turn(text=text + " /case shows what is still recorded.", act="undo")

    def _control_skip(self) -> Turn:
        awaiting = self.state.awaiting
        if awaiting is None:
            return self._advance([])
        self._emit("slot_skipped", field=awaiting.slot)
        return self._advance([f"Skipped: {field_label(awaiting.slot, self.kb)}."])

    def _control_why(self) -> Turn:
        awaiting = self.state.awaiting
        if awaiting is None:
            return self._advance([])
        slot = self.kb.slots.get(awaiting.slot)
        parts: list[str] = []
        citations: list[int] = []
        if slot is not None:
            criterion = self.kb.criteria.get(slot.criterion) if slot.criterion else None
            if criterion is not None:
                parts.append(
                    f"This answer feeds the {criterion.group} criterion **{criterion.label}**: "
                    + with_citations(criterion.meaning, criterion.citations)
                )
                citations += criterion.citations
            elif awaiting.slot == "transplant_eligible" or self.flow == "treatment":
                parts.append("This answer feeds the treatment algorithm, not the diagnostic criteria.")
            else:
                parts.append("This answer describes the case; it is not a diagnostic criterion itself.")
            parts.append(with_citations(slot.help, slot.citations))
            citations += slot.citations
        return self._reask(None, before="\n\n".join(parts), citations=citations)

    def _control_restart(self) -> Turn:
        flow = self.flow
        if flow is None:  # nothing to restart: never clear findings on a stray word (/reset does that)
            return Turn(text="There is no guided assessment to restart. /assess starts one; /reset clears the recorded findings.")
        self._emit("case_reset")
        self._emit("flow_ended", flow=flow, reason="restart")
        return self._start_flow(flow, ["Starting again: every finding was cleared."])

    def _control_cancel(self) -> Turn:
        flow = self.flow
        if flow is None:
            return Turn(text="There is no guided assessment to cancel. Ask a question, or type /help.")
        self._emit("flow_ended", flow=flow, reason="cancelled")
        kept = len(self.state.values)
        return Turn(
            text=f"Stopped the {flow} questions. The {kept} recorded finding(s) are kept: /case shows them, "
            "/assess picks up again.",
            intent=INTENT_OF_FLOW[flow],
        )

    # -- free text outside a follow-up ------------------------------------------------------------------

    def _flow_of(self, text: str, match: Any) -> str | None:
        """The guided flow `text` asks for: the router's, or one a patient-specific phrasing asks for (`FLOW_CUES`)."""
        if match.in_scope and match.is_flow:
            return FLOW_INTENTS[match.intent]
        if _PATIENT.search(text):
            for flow, cue in FLOW_CUES.items():
                if cue.search(text):
                    return flow
        return None

    def _free_text(self, text: str) -> Turn:
        focus = self.focus
        match, routed, read = self._read(text, focus)
        question = looks_like_question(text) or "?" in text
        flow = None if read.get("stayed") else self._flow_of(text, match)
        patient = self._describes_patient(text, match, focus) and not self._keyword_query(text, match)
        if not flow and patient and question and match.in_scope and is_case_question(text, match.intent, self.kb):
            flow = "diagnosis"  # a described patient asking for a verdict or a treatment: assess, then Figure 3
        if flow:
            found = self._record_findings(text) if patient else []
            return self._start_flow(flow, found)
        if focus.patient and read.get("patient_treatment"):
            return self._patient_treatment_turn(read)
        if read.get("not_given") and match.in_scope:
            return self._not_given_turn(read, match)
        if read.get("not_stated"):
            return self._not_stated_turn(read)
        if not question and patient and not self._keyword_query(text, match):
            found = self._record_findings(text)
            if found:
                suggestions = self._flow_suggestions()
                self._emit("suggestions_offered", suggestions=suggestions)
                # "do those count?" after "also hypothyroid and diabetic" is about the findings just recorded
                named = self.reader.entities_in(text) if self.reader is not None else []
                self._emit("focus_set", focus=Focus(patient=True, fact=focus.fact, entities=named or focus.entities,
                                                    approach=focus.approach, text=focus.text,
                                                    citations=focus.citations).to_json())
                return Turn(
                    text="\n\n".join(found + ["What next? Pick one of the suggestions (reply with its number), or ask a question."]),
                    suggestions=suggestions,
                    focus=read,
                    in_scope=True,  # the patient's findings, recorded for the guided assessment
                )
        # a question about a particular patient carries findings worth keeping ("my patient has a lambda M-protein, ...")
        found = self._record_findings(text) if patient else []
        answer = self._fact_answer(read["stayed"]) if read.get("stayed") else self._answer_text(routed)
        if answer["in_scope"] and read.get("reading") == "context" and read.get("facets") and self.reader is not None:
            self._narrow(answer, read["facets"])
        if found:
            answer["text"] = "\n\n".join(found + [answer["text"]])
        turn = Turn(
            text=answer["text"],
            intent=answer["intent"],
            citations=answer["citations"],
            suggestions=answer["suggestions"],
            in_scope=answer["in_scope"],
            focus=read,
        )
        if answer["in_scope"] and answer["intent"]:
            self._set_fact_focus(answer, text, read, focus, patient=bool(found) or (focus.patient and read["reading"] == "context"))
        return turn

    # -- reading a turn against the focus ---------------------------------------------------------------

    @property
    def focus(self) -> Focus:
        """What the conversation is about (the last answer's fact, entities and facets; the current patient)."""
        return Focus.from_json(self.state.focus)

    def _read(self, text: str, focus: Focus) -> tuple[Any, str, dict[str, Any]]:
        """(the router's match, the text answered, how it was read): the turn alone or rewritten with the focus;
        a follow-up asking a strict facet the answering fact does not state is marked `not_stated` (declined)."""
        match, routed, read = self._read_turn(text, focus)
        reader = self.reader
        if reader is None or not (focus.fact or focus.patient) or read.get("patient_treatment") or read.get("not_given"):
            return match, routed, read
        spelt = self._spelt(text)
        # as typed and as the router spells it: "inclusion criteria?" is not "conclusion criteria" to the facets
        asked = dict.fromkeys(reader.facets_in(spelt) + reader.facets_in(text))
        strict = [f for f in asked if reader.facets[f].strict]
        answering = self.kb.facts.get(read.get("stayed") or (match.intent if match.in_scope and not match.is_flow else None) or "")
        if strict and answering is not None:
            # "any trial with nivolumab?", "adverse event rates in it?": the answer would state none of it;
            # "g-csf dose?" answered by the melphalan dose: it states a dose, but of something the turn did not name
            elsewhere = reader.names_outside(spelt, answering)
            if elsewhere or not reader.states(answering, strict):
                read.update(not_stated=strict, not_stated_in=answering.id, not_stated_for=elsewhere)
        return match, routed, read

    def _read_turn(self, text: str, focus: Focus) -> tuple[Any, str, dict[str, Any]]:
        reader = self.reader
        rest = reader.topic_switch(text) if reader is not None else None
        if rest is not None:  # "on a different note, ...": the old focus is dropped, the rest read alone
            return self.router.route(rest), rest, {"fact": focus.fact, "entities": list(focus.entities), "reading": "alone",
                                                   "rewritten": rest, "switch": True}
        alone = self.router.route(text)
        read: dict[str, Any] = {"fact": focus.fact, "entities": list(focus.entities), "reading": "alone", "rewritten": None}
        if reader is None or not (focus.fact or focus.patient):
            return alone, text, read
        spelt = self._named_values(self._spelt(text))
        rewrite = reader.rewrite(spelt, focus)
        if focus.patient and not rewrite.names and "treatment" in rewrite.facets and focus.approach and rewrite.leans:
            read.update(reading="context", patient_treatment=True)
            return alone, text, read
        if focus.patient and not rewrite.names and "treatment" in rewrite.facets and rewrite.leans:
            # "what are her treatment options?" before an assessment: the fact for what her recorded findings decide
            chosen = self._patient_treatment_fact()
            if chosen is not None:
                read.update(reading="context", rewritten=rewrite.text, facets=rewrite.facets, stayed=chosen)
                return alone, text, read
        fact = self.kb.facts.get(focus.fact or "")
        if fact is not None and (rewrite.leans or rewrite.bare) and not rewrite.facets:
            near = [self.kb.facts[f] for f in reader.neighbourhood(fact, focus.entities) if f in self.kb.facts and f != fact.id]
            sibling = reader.titled_sibling(spelt, near)
            # then, for a turn that leans (not a bare new topic such as "daratumumab"), the focused fact's section
            # ("and the minor ones?" after the major criteria)
            if sibling is None and rewrite.leans:
                taken = {f.id for f in near} | {fact.id}
                section = [f for f in self.kb.facts.values() if f.section == fact.section and f.id not in taken]
                sibling = reader.titled_sibling(spelt, section)
            if sibling is None and rewrite.leans:  # a bare entity ("and echo?" in the work-up): its fact in the focus's section
                sibling = reader.entity_fact_in_section(rewrite, fact.section, {f.id: f.section for f in self.kb.facts.values()}, fact.id)
            if sibling is not None:
                read.update(reading="context", rewritten=rewrite.text, stayed=sibling, sibling=True)
                return alone, text, read
        if (fact is not None and not focus.patient and rewrite.leans and not rewrite.facets and not rewrite.names
                and not reader.entities_in(spelt) and not reader.content_words(spelt) and not alone.is_flow):
            # a turn with nothing of its own ("like what?", "how?", "which ones?"): only the last answer can answer it
            read.update(reading="context", rewritten=rewrite.text, stayed=fact.id, empty=True)
            return alone, text, read
        # nothing but a facet, naming no entity at all ("n?", "toxicity?"; not "what is the VEGF cutoff?")
        bare_facet = (fact is not None and rewrite.bare and bool(rewrite.facets) and not focus.patient
                      and not reader.entities_in(spelt) and not reader.opens(text))
        if bare_facet and not all(reader.facets[f].strict for f in rewrite.facets if f in reader.facets) \
                and reader.states(fact, rewrite.facets):
            # nothing but a facet the focused fact states ("n?" after the pooled lenalidomide analysis of 51 patients):
            # that fact answers it, not another fact about the same drug; "and in serum?" asks it of something else
            read.update(reading="context", rewritten=rewrite.text, names=[], facets=rewrite.facets, stayed=fact.id)
            return alone, text, read
        if (fact is not None and not focus.patient and not reader.opens(text) and len(normalise(text).split()) <= ECHO_MAX_WORDS
                and not reader.asks_about_disease(text) and reader.echoes(spelt, fact)
                and (reader.states(fact, rewrite.facets) if rewrite.facets else not rewrite.names)
                and not (alone.in_scope and alone.intent != fact.id and alone.intent in self.kb.facts
                         and reader.titled_sibling(spelt, [self.kb.facts[alone.intent]]) is not None)):
            # a terse turn that picks terms out of the last answer ("TRM?" after the Mayo series; "ES rate?" after a
            # cohort's row, which states that rate): that fact answers it. Not a question ("which genes?": the answer
            # may not list them), nor a turn naming the title of the fact it alone reaches ("mandatory ones?")
            read.update(reading="context", rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets,
                        stayed=fact.id, echo=True)
            return alone, text, read
        if rewrite.names and not rewrite.leans and alone.in_scope:
            read.update(rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets)
            anchor = self._anchored(text, rewrite.names, alone)
            if anchor is not None:
                read.update(stayed=anchor)
            return alone, text, read  # a topic switch answered alone: no need to route the rewrite
        if not rewrite.leans and not rewrite.names and alone.in_scope and reader.names_disease(spelt):
            # "what is poems" after the daratumumab card: a question of its own about the disease, not about the focus
            read.update(rewritten=rewrite.text, names=[], facets=rewrite.facets, disease=True)
            return alone, text, read
        context = self.router.route(rewrite.text) if rewrite.text != text else None
        # a word the knowledge base does not know names something else ("rituximab"); "n" or "tho" does not
        unknown = any(len(w) >= MIN_UNKNOWN_NAME for w in self.router.unknown_words(text))
        covers = reader.covers(fact, rewrite.facets) if fact is not None and rewrite.facets else None
        choice = choose(rewrite, alone, context, names_unknown=unknown, focus_covers=covers,
                        focus_general=not focus.entities and not focus.patient)
        read.update(reading=choice, rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets)
        if choice == "context" and context is not None and fact is not None:
            near = reader.neighbourhood(fact, focus.entities)
            if context.intent not in near:
                best, nearest, score = self.router.standing(rewrite.text, near)
                if nearest is not None and stays(rewrite, context, best, score, unknown, alone):
                    read.update(stayed=nearest)
                    return context, rewrite.text, read
                if context.in_scope and rewrite.bare and rewrite.facets and not focus.patient:
                    # nothing but a facet, of the focus ("progression-free survival results?" after the French
                    # trial), answered only by a fact about something else: the review does not give it for the focus
                    read.update(not_given=list(rewrite.facets))
        if (bare_facet and choice == "context" and context is not None and focus.entities
                and not reader.states(fact, rewrite.facets) and not read.get("not_given")):
            # a bare facet of the focus ("n?" after a trial that gives no patient count): the reply must state it,
            # not merely be another card about the same drug
            answering = self.kb.facts.get(read.get("stayed") or context.intent or "")
            if context.in_scope and (answering is None or not reader.states(answering, rewrite.facets)):
                read.update(not_stated=list(rewrite.facets))
        if choice == "context":
            return context, rewrite.text, read
        return alone, text, read

    def _patient_treatment_fact(self) -> str | None:
        """The fact stating who gets the treatment the recorded findings lead to by Figure 3 (as the router does for
        findings typed in a question); for a patient who cannot have a transplant whose approach is still open,
        the options for such patients; None when the findings decide nothing."""
        from guidebot.criteria.treatment import choose_approach

        case = self.case
        chosen = self.router.approach_fact(choose_approach(case)[0])
        if chosen is None and case.transplant_eligible is False:
            chosen = self.router.approach_fact("systemic_non_transplant")
        return chosen if chosen in self.kb.facts else None

    def _anchored(self, text: str, names: list[str], alone: Any) -> str | None:
        """For a turn naming one entity, that entity's own fact when the router's pick is not one of them but one of
        them scores within `STAY_MARGIN` of it ("how often is there a clone" is the marrow clone, not the light chain)."""
        entity = self.reader.entities.get(names[0]) if self.reader is not None and len(names) == 1 else None
        if entity is None or alone.is_flow or alone.intent in entity.facts:
            return None
        best, nearest, score = self.router.standing(text, list(entity.facts))
        return nearest if nearest is not None and score >= best - STAY_MARGIN else None

    def _spelt(self, text: str) -> str:
        """`text` with the words the router reads as misspellings corrected ("how comon" -> "how common"), so that
        facets and entities are found in it as the router finds its words."""
        fixes = self.router.misspellings(text) if hasattr(self.router, "misspellings") else {}
        if not fixes:
            return text
        return re.sub(r"[\w'-]+", lambda m: fixes.get(m.group(0).casefold(), m.group(0)), text)

    def _named_values(self, text: str) -> str:
        """`text` with the field named beside each number that is a recorded value of the patient ("is 310 elevated?"
        after "plasma vegf 310" reads "is 310 (VEGF level) elevated?"), so that the finding's entity is found in it."""
        numbers = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text))
        if not numbers:
            return text
        named = [field_label(name, self.kb) for name, value in self.state.values.items()
                 if isinstance(value, (int, float)) and not isinstance(value, bool) and f"{value:g}" in numbers]
        return f"{text} ({', '.join(named)})" if named else text

    def _describes_patient(self, text: str, match: Any, focus: Focus) -> bool:
        """Whether findings may be read from `text`: it describes a patient, or adds to the one being described."""
        if self.reader is None:
            return bool(_PATIENT.search(text))
        if self.reader.supposes(text, extract_findings):
            return False  # "what if VEGF is 300?": a supposed patient, not this one
        if self.reader.describes_patient(text):
            return True
        if match.in_scope and match.is_flow and len(extract_findings(text)) >= 2 and not self.reader.general_question(text):
            return True  # a described case asking for a verdict ("demyelinating neuropathy, lambda ... enough for POEMS?")
        # a bare list of findings ("no papilledema, 2 sclerotic lesions"), not a question naming them ("poems vs cidp")
        # nor a follow-up leaning on a fact ("and neuropathy" after the amyloidosis comparison)
        if focus.fact and not focus.patient and self.reader.leans(text):
            return False
        # nor a search for the disease's facts ("papilledema and poems", "lambda light chain poems")
        return (not looks_like_question(text) and not self.reader.asks_about_disease(text) and not self.reader.names_disease(text)
                and bool(extract_findings(text)))

    def _set_fact_focus(self, answer: dict[str, Any], text: str, read: dict[str, Any], before: Focus, *, patient: bool) -> None:
        reader = self.reader
        if reader is None:
            return
        intent = answer["intent"]
        fact = self.kb.facts.get(intent)
        named = reader.entities_in(text)
        about = reader.fact_entities(intent)
        if named:
            entities = [e for e in named if e in about] + [e for e in named if e not in about]
        elif read["reading"] == "context":
            entities = list(before.entities)
        else:
            entities = about[:2]
        facets = reader.facets_in(text) or (list(before.facets) if read["reading"] == "context" else [])
        focus = Focus(
            fact=intent, section=str(fact.section) if fact is not None else None, entities=entities[:3], facets=facets,
            patient=patient, approach=before.approach if patient else None, citations=list(answer["citations"]),
            alternatives=list(answer["suggestions"]), text=answer["text"],
        )
        self._emit("focus_set", focus=focus.to_json())

    def _set_patient_focus(self, result: Any, text: str) -> None:
        if self.reader is None:
            return
        approach = result.treatment.approach if result.treatment is not None else None
        entity = self.reader.approach_entity(approach)
        focus = Focus(
            fact=self.router.approach_fact(approach) or "criteria.rule", section="treatment" if approach else "criteria",
            entities=[entity] if entity else [], patient=True, approach=approach, text=text,
            citations=sorted(set(self._cited)),
        )
        self._emit("focus_set", focus=focus.to_json())

    def _not_given_turn(self, read: dict[str, Any], elsewhere: Any) -> Turn:
        """A facet follow-up the review answers only for something other than the focus: said so plainly, with no
        number, and the fact that does answer it offered as a numbered suggestion."""
        fact = self.kb.facts.get(self.focus.fact or "")
        asked = " or ".join((self.reader.facets[f].label or self.reader.facets[f].words[0]) for f in read["not_given"] if f in self.reader.facets) or "that"
        about = f"\u201c{fact.title}\u201d" if fact is not None and not re.search(r"\d", fact.title) else "the last answer"
        text = (f"The review does not give the {asked} asked about for {about}. It gives it for something else "
                "(the suggestion below), or rephrase the question.")
        other = self.kb.facts.get(elsewhere.intent)
        suggestions = [{"intent": other.id, "title": other.title}] if other is not None else []
        if suggestions:
            self._emit("suggestions_offered", suggestions=suggestions)
        return Turn(text=text, suggestions=suggestions, in_scope=False, focus=read)

    def _not_stated_turn(self, read: dict[str, Any]) -> Turn:
        """A bare facet of the focus that neither the focused fact nor the nearest answer states: declined plainly."""
        fact = self.kb.facts.get(read.get("not_stated_in") or self.focus.fact or "")
        asked = " or ".join((self.reader.facets[f].label or self.reader.facets[f].words[0]) for f in read["not_stated"] if f in self.reader.facets) or "that"
        about = f"\u201c{fact.title}\u201d" if fact is not None and not re.search(r"\d", fact.title) else "the last answer"
        named = [self.reader.entities[e].words[0] for e in read.get("not_stated_for") or [] if e in self.reader.entities]
        if named:  # the entity asked about, as the reader found it ("g-csf"), not the fact that names another
            about = " or ".join(w for w in named if not re.search(r"\d", w)) or about
        return Turn(text=f"The review does not give the {asked} for {about}.", in_scope=False, focus=read)

    def _patient_treatment_turn(self, read: dict[str, Any]) -> Turn:
        """ "So what treatment?" after an assessment: this patient's approach, its specifics and the cautions."""
        result = self.assessment()
        from guidebot.render import treatment_lines

        body = "\n".join(treatment_lines(result, self._cited))
        return Turn(text=body, intent=self.focus.fact, in_scope=True, focus=read)

    # -- small talk and acts on the last answer ------------------------------------------------------------

    def _smalltalk(self, talk: Any) -> Turn:
        text, suggestions = talk.reply, []
        if talk.id == "not_what_i_asked":
            suggestions = list(self.focus.alternatives) or self._flow_suggestions()
            text += "\n\n" + "\n".join(f"{i}. {s['title']}" for i, s in enumerate(suggestions, 1))
            self._emit("suggestions_offered", suggestions=suggestions)
        return Turn(text=text, act=f"smalltalk:{talk.id}", suggestions=suggestions)

    def _act(self, act: str, term: str | None) -> Turn:
        focus = self.focus
        fact = self.kb.facts.get(focus.fact or "")
        title = fact.title if fact is not None else "the last answer"
        cites: list[int] = []
        suggestions: list[dict[str, str]] = []
        if act == "why":
            body, cites = self._reasons(fact)
        elif act == "source":
            numbers = focus.citations or (list(fact.citations) if fact is not None else [])
            if numbers:
                from guidebot.render import format_reference

                refs = [format_reference(self.kb.references[n]) for n in numbers if n in self.kb.references]
                body = f"**Sources of \u201c{title}\u201d**\n\n" + "\n".join(f"- {r}" for r in refs)
                cites = list(numbers)
            else:
                body = f"The review states this itself without citing another study. Its source is the review:\n\n*{self.kb.review}*"
        elif act == "more":
            related = [r for r in (fact.related if fact is not None else []) if r in self.kb.facts]
            if related:
                first = self.router.fact(related[0])
                body = f"**More: {first['title']}**\n\n{first['answer']}"
                cites = list(first.get("citations", []))
                if cites:
                    body += f"\n\n{sources_line(cites)}"
                suggestions = [{"intent": r, "title": self.kb.facts[r].title} for r in related[1:4]]
                if suggestions:  # every front end lists them, numbered
                    self._emit("suggestions_offered", suggestions=suggestions)
            else:
                body = f"The review says nothing more about \u201c{title}\u201d than the answer above."
        else:
            pairs = self.reader.define(term, focus.text) if self.reader else []
            if pairs:
                body = "\n".join(f"- **{k}**: {v}" for k, v in pairs)
            elif term:
                body = f"The review does not spell out {term}."
            else:
                body = "The last answer uses no abbreviation that needs spelling out."
        return Turn(text=body, intent=focus.fact, citations=cites, suggestions=suggestions, act=act, in_scope=True,
                    focus={"fact": focus.fact, "entities": list(focus.entities), "reading": "context", "rewritten": None})

    def _reasons(self, fact: Any) -> tuple[str, list[int]]:
        """The reason the review gives for the last answer, or a plain statement that it gives none."""
        if fact is None:
            return "The review gives no reason for this.", []
        lines = _sentences(fact.answer)
        markers = self.reader.reason_pattern if self.reader else None
        if str(getattr(fact, "safety", "") or "") == "caution" or fact.title.lower().startswith("why"):
            reasons = lines
        else:
            reasons = [line for line in lines if markers is not None and markers.search(context_normalise(line))]
        if not reasons:
            why = next((r for r in fact.related if r in self.kb.facts and self.kb.facts[r].title.lower().startswith("why")), None)
            if why is not None:
                other = self.kb.facts[why]
                return (f"**{other.title}**\n\n" + other.answer.strip() + (f"\n\n{sources_line(other.citations)}" if other.citations else ""),
                        list(other.citations))
            return f"The review gives no reason for this beyond what it states (\u201c{fact.title}\u201d).", []
        body = "**Why (from the review)**\n\n" + "\n".join(f"- {r}" for r in reasons)
        if fact.citations:
            body += f"\n\n{sources_line(fact.citations)}"
        return body, list(fact.citations)

    @staticmethod
    def _keyword_query(text: str, match: Any) -> bool:
        """A bare topic word the knowledge base answers ("papilledema"), not a finding about a patient."""
        short = len(text.split()) == 1 and not re.search(r"\d|\b(?:no|not|non|negative|absent|without)\b", text, re.I)
        return short and match.in_scope and not match.is_flow

    def _answer_text(self, text: str) -> dict[str, Any]:
        """The router's answer as {"text", "intent", "citations", "suggestions"} (Markdown, sources line added)."""
        obj = self.router.answer(text)
        suggestions = [
            {"intent": i, "title": t} for i, t in zip(obj.get("suggestion_ids", []), obj.get("suggestions", []))
        ]
        if not obj.get("in_scope"):
            return {"text": obj["answer"], "intent": None, "citations": [], "suggestions": suggestions, "in_scope": False}
        body = obj["answer"]
        title = obj.get("title")
        if title:
            body = f"**{title}**\n\n{body}"
        cites = list(obj.get("citations", []))
        if cites:
            body = f"{body}\n\n{sources_line(cites)}"
        return {"text": body, "intent": obj.get("intent"), "citations": cites, "suggestions": suggestions, "in_scope": True}

    def _narrow(self, answer: dict[str, Any], facets: list[str]) -> None:
        """A follow-up's answer cut to the bullets that speak to what was asked (the card's title kept)."""
        fact = self.kb.facts.get(answer["intent"] or "")
        part = self.reader.narrow(fact.answer, facets) if fact is not None and self.reader is not None else None
        if part is None:
            return
        body = f"**{fact.title}** (the part you asked about; *tell me more* for related facts)\n\n{part.strip()}"
        if answer["citations"]:
            body += f"\n\n{sources_line(answer['citations'])}"
        answer["text"] = body

    def _fact_answer(self, fact_id: str) -> dict[str, Any]:
        """A fact as `_answer_text` gives it (a follow-up that stays on the focused fact)."""
        fact = self.router.fact(fact_id)
        body = f"**{fact['title']}**\n\n{fact['answer']}"
        cites = list(fact.get("citations", []))
        if cites:
            body += f"\n\n{sources_line(cites)}"
        return {"text": body, "intent": fact_id, "citations": cites, "suggestions": list(self.focus.alternatives), "in_scope": True}

    def _fact_turn(self, fact_id: str) -> Turn:
        fact = self.router.fact(fact_id)
        body = f"**{fact['title']}**\n\n{fact['answer']}"
        if fact.get("citations"):
            body += f"\n\n{sources_line(fact['citations'])}"
        return Turn(text=body, intent=fact_id, citations=list(fact.get("citations", [])))

    def _pick(self, number: int) -> Turn:
        suggestions = self.state.suggestions
        if not 1 <= number <= len(suggestions):
            return Turn(
                text=f"Please pick a number from 1 to {len(suggestions)}.",
                suggestions=suggestions,
            )
        intent = suggestions[number - 1]["intent"]
        if intent in FLOW_INTENTS:
            return self._start_flow(FLOW_INTENTS[intent], [])
        return self._fact_turn(intent)

    def _flow_suggestions(self) -> list[dict[str, str]]:
        titles = {i.id: i.title for i in getattr(self.kb, "intents", [])}
        return [{"intent": i, "title": titles.get(i, i)} for i in ("diagnosis.assess", "treatment.plan", "workup.guide")]

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
        found = self._merge(extract_findings(text))
        for name, value in found.items():
            self._set(name, value, "volunteered")
        return ["Recorded: " + self._describe(found) + "."] if found else []

    def _describe(self, values: dict[str, Any]) -> str:
        return "; ".join(f"{field_label(k, self.kb)}: {_show(k, v)}" for k, v in values.items())

    # -- flows -----------------------------------------------------------------------------------------

    def _start_flow(self, flow: str, parts: list[str]) -> Turn:
        intent = INTENT_OF_FLOW[flow]
        if self.flow == flow and self.state.awaiting:
            return self._reask(None, before="\n\n".join(parts))
        if self.flow is not None:
            self._emit("flow_ended", flow=self.flow, reason="replaced")
        self._emit("flow_started", flow=flow)
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
                self._emit("workup_step", index=index, entered=True)
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
            self._emit("workup_step", index=index)
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

    def _progress(self) -> dict[str, Any] | None:
        if self.flow != "workup" or not self.kb.workup:
            return None
        index = min(self.state.workup_index, len(self.kb.workup) - 1)
        return {"step": index + 1, "of": len(self.kb.workup), "title": self.kb.workup[index].title}

    def _ask(self, slot_name: str, parts: list[str]) -> Turn:
        slot = self.kb.slots[slot_name]
        awaiting = Awaiting(slot=slot_name, kind=slot.kind, choices=list(slot.choices), question=slot.question)
        self._emit("question_asked", slot=slot_name)
        return Turn(
            text="\n\n".join(parts + [f"**{slot.question}**"]) if parts else f"**{slot.question}**",
            intent=INTENT_OF_FLOW[self.flow] if self.flow else None,
            awaiting=awaiting,
            progress=self._progress(),
        )

    def _finish(self, parts: list[str], *, treatment: bool) -> Turn:
        flow = self.flow
        result = self.assessment()
        self._emit("flow_ended", flow=flow, reason="done")
        treatment = treatment or result.verdict == "meets_criteria"
        body = self._assessment_text(result, treatment=treatment)
        suggestions: list[dict[str, str]] = []
        if not treatment and result.verdict == "meets_criteria":
            suggestions = [s for s in self._flow_suggestions() if s["intent"] == "treatment.plan"]
        text = "\n\n".join(parts + [body])
        if suggestions:
            self._emit("suggestions_offered", suggestions=suggestions)
        self._set_patient_focus(result, text)
        return Turn(
            text=text,
            intent=INTENT_OF_FLOW.get(flow or "diagnosis"),
            assessment=result.to_dict(),
            suggestions=suggestions,
        )

    # -- rendering an assessment -------------------------------------------------------------------------

    def patient_assessment_text(self, found: dict[str, Any], result: Any) -> str:
        """A described patient's verdict: the findings read, what counts, what is missing, what to test next,
        and (criteria met) the treatment approach; the one renderer `ask` shares with the chat."""
        head = f"**For the findings stated** ({self._describe(found)}):" if found else ""
        body = self._assessment_text(result, treatment=result.verdict == "meets_criteria")
        return "\n\n".join(p for p in (head, body) if p)

    def cited(self) -> list[int]:
        """Every reference cited by what this manager rendered since its last turn began."""
        return sorted(set(self._cited))

    def _assessment_text(self, result: Any, *, treatment: bool) -> str:
        from guidebot.render import assessment_markdown  # the conclusion first, shared with every front end

        text, cited = assessment_markdown(result, self.kb.criteria, treatment=treatment)
        self._cited += cited
        return text

    def _case_text(self) -> str:
        if not self.state.values:
            return "Nothing recorded yet."
        return "\n".join(f"- {field_label(k, self.kb)}: {_show(k, v)}" for k, v in self.state.values.items())

    # -- slash commands ----------------------------------------------------------------------------------

    def _command(self, text: str) -> Turn:
        name, _, arg = text.partition(" ")
        name, arg = name.lower(), arg.strip()
        flow_commands = {"/assess": "diagnosis", "/treat": "treatment", "/workup": "workup"}
        if name in flow_commands:
            return self._start_flow(flow_commands[name], [])
        if name == "/reset":
            flow = self.flow
            self._emit("case_reset")
            if flow:
                self._emit("flow_ended", flow=flow, reason="reset")
            return Turn(text="Cleared every recorded finding" + (f" and stopped the {flow} questions." if flow else "."))
        handlers = {
            "/help": self._cmd_help,
            "/criteria": self._cmd_criteria,
            "/cautions": self._cmd_cautions,
            "/refs": self._cmd_refs,
            "/case": self._cmd_case,
            "/export": self._cmd_export,
        }
        handler = handlers.get(name)
        if handler is None:
            body, cites, intent = f"Unknown command {name}. Type /help for the list.", [], None
        else:
            body, cites, intent = handler(arg)
        if self.state.awaiting:
            return self._reask(None, before=body, intent=intent, citations=cites)
        return Turn(text=body, intent=intent, citations=cites)

    def _cmd_help(self, _arg: str) -> tuple[str, list[int], str | None]:
        lines = ["Commands:", *[f"- `{c}`: {d}" for c, d in COMMANDS.items()], "", REPLY_WORDS]
        return "\n".join(lines), [], None

    def _cmd_criteria(self, _arg: str) -> tuple[str, list[int], str | None]:
        fact_id = "criteria.rule" if "criteria.rule" in self.kb.facts else next(
            (f for f, fact in self.kb.facts.items() if str(fact.section) == "criteria"), None
        )
        if fact_id is None:
            return "The knowledge base has no criteria fact.", [], None
        turn = self._fact_turn(fact_id)
        return turn.text, turn.citations, fact_id

    def _cmd_cautions(self, _arg: str) -> tuple[str, list[int], str | None]:
        from guidebot.criteria.treatment import GENERAL_CAUTIONS

        lines, cites = ["**Cautions for every patient with active disease**", ""], []
        for sid in GENERAL_CAUTIONS:
            statement = self.kb.statements.get(sid)
            if statement is not None:
                lines.append(f"- {with_citations(statement.text, statement.citations)}")
                cites += statement.citations
        return "\n".join(lines), cites, None

    def _cmd_refs(self, arg: str) -> tuple[str, list[int], str | None]:
        from guidebot.render import format_reference

        if not arg:
            count = len(self.kb.references)
            return f"guidebot's only source:\n\n*{self.kb.review}*\n\nIts {count} references: /refs N shows one in full.", [], None
        if not (arg.isascii() and arg.isdigit() and len(arg) <= 6) or int(arg) not in self.kb.references:
            return f"There is no reference {arg!s}: the review's references are numbered 1 to {len(self.kb.references)}.", [], None
        return format_reference(self.kb.references[int(arg)]), [int(arg)], None

    def _cmd_case(self, _arg: str) -> tuple[str, list[int], str | None]:
        verdict = self.assessment().verdict.replace("_", " ")
        return f"**Recorded findings**\n\n{self._case_text()}\n\nVerdict so far: {verdict}.", [], None

    def _cmd_export(self, arg: str) -> tuple[str, list[int], str | None]:
        from guidebot.userdata import ready_export_dir, write_private

        # a bare name lands in the documented export folder, never the current directory; the full path is shown
        name = Path(arg).expanduser() if arg else Path(f"guidebot-chat-{self.session_id or 'session'}.md")
        target = name
        try:
            target = (name if name.is_absolute() else ready_export_dir() / name).resolve()
            # FILE.md beside FILE.html; a name already ending .html keeps the Markdown under that name
            page = target.with_suffix(".html") if target.suffix.lower() != ".html" else target.with_name(target.stem + ".assessment.html")
            write_private(target, self.export_markdown())  # 0600: it holds what was typed about a patient
            write_private(page, self.export_html())
        except OSError as exc:
            return f"Could not write {target}: {exc.strerror or exc}.", [], None
        return f"Saved this chat and the current assessment to {target} (the assessment as a page: {page}).", [], None


def _show(name: str, value: Any) -> str:
    """A recorded value in words."""
    if value is None:
        return "unknown / not done"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    if name == "vegf_pg_ml":
        return f"{value:g} pg/mL"
    return str(value)


def _sentences(markdown: str) -> list[str]:
    """An answer's bullets and sentences, one per item (Markdown emphasis kept)."""
    items: list[str] = []
    for block in re.split(r"\n\s*[-*] |\n\n", "\n" + markdown.strip()):
        block = " ".join(block.split())
        if block:
            items += [p.strip() for p in re.split(r"(?<=[.;])\s+(?=[A-Z*])", block) if p.strip()]
    return items


def _escape(text: str) -> str:
    """User text made literal in Markdown (it is shown, never interpreted)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>])", r"\\\1", text)


__all__ = ["DialogueManager", "Turn", "Awaiting", "clean_input", "looks_like_question", "expected"]
