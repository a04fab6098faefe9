"""The conversation as data: the `Turn` and `Awaiting` objects of `chat --jsonl`, and the append-only event log.

The dialogue manager never mutates its state directly: it appends an event (`slot_set`, `question_asked`,
`flow_started`, ...) and `ConversationState.apply` folds it in. Replaying the saved events therefore rebuilds
exactly the same state, which is how an interrupted chat resumes (`DialogueManager.resume`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

FLOW_INTENTS: dict[str, str] = {
    "diagnosis.assess": "diagnosis",
    "treatment.plan": "treatment",
    "workup.guide": "workup",
}
"""Router intent of each guided flow -> the flow's short name (`Turn.flow`)."""

INTENT_OF_FLOW: dict[str, str] = {flow: intent for intent, flow in FLOW_INTENTS.items()}
"""Flow short name -> its router intent."""

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "session_started",  # {session_id}
        "user_said",  # {text}: what the person typed (cleaned)
        "bot_said",  # {turn}: the Turn object shown; closes a turn
        "flow_started",  # {flow}
        "flow_ended",  # {flow, reason}: done | cancelled | replaced
        "question_asked",  # {slot}
        "reply_rejected",  # {slot, text, message}
        "slot_set",  # {field, value, source}: value None = explicitly unknown; source answer | volunteered
        "slot_cleared",  # {field, source}
        "slot_skipped",  # {field}: not asked again in this flow
        "answer_undone",  # {}: "back" popped the last answered turn (its restorations follow as events)
        "workup_step",  # {index, entered?}: the workup moved to step `index` (entered: its introduction was shown)
        "case_reset",  # {}: every finding forgotten (/reset, restart)
        "suggestions_offered",  # {suggestions}
        "focus_set",  # {focus}: what the conversation is about after this turn (dialogue.context.Focus JSON)
        "recording_undone",  # {}: "undo" took back the last recording made outside a guided flow
    }
)
"""Every event type the log may hold, with its payload keys."""


@dataclass
class Awaiting:
    """The slot the bot is waiting for an answer to."""

    slot: str
    """The case-file field the answer fills (INTERFACE section 3)."""
    kind: str
    """How the answer is parsed: bool, int, number, choice or list."""
    choices: list[str]
    """The allowed values, for choice and list slots."""
    question: str = ""
    """The question as asked."""

    def to_json(self) -> dict[str, Any]:
        """The `awaiting` object of INTERFACE section 5 (plus the question)."""
        return {"slot": self.slot, "kind": self.kind, "choices": list(self.choices), "question": self.question}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Awaiting | None:
        """The inverse of `to_json`; None stays None."""
        if not data:
            return None
        return cls(data["slot"], data["kind"], list(data.get("choices", [])), data.get("question", ""))


@dataclass
class Turn:
    """One reply of the bot: the object `chat --jsonl` writes per line and every front end renders."""

    text: str
    """Markdown the person sees (citations written as [n])."""
    intent: str | None = None
    """The router intent this turn answers or the flow it belongs to; None for commands and chit-chat."""
    awaiting: Awaiting | None = None
    """The follow-up the bot waits for, or None."""
    assessment: dict[str, Any] | None = None
    """`assess(case).to_dict()` when a guided assessment finishes this turn (same object as `assess --json`)."""
    citations: list[int] = field(default_factory=list)
    """Every review reference cited in `text`, sorted."""
    suggestions: list[dict[str, str]] = field(default_factory=list)
    """Offered next questions, [{"intent", "title"}]; the person may reply with the number."""
    flow: str | None = None
    """The guided flow in progress after this turn: diagnosis, treatment, workup or None."""
    progress: dict[str, Any] | None = None
    """During the workup: {"step": k, "of": n, "title": ...}."""
    in_scope: bool | None = None
    """True when the turn answers from the review or carries a guided flow on, False when it declines, None for
    small talk and commands (INTERFACE section 5)."""
    act: str | None = None
    """How the turn was read: why | source | more | define (acts on the last answer), smalltalk:KIND, undo,
    command, or None for a question, an answer or a finding."""
    focus: dict[str, Any] | None = None
    """What the turn was read against and how: {"fact", "entities", "reading": alone | context, "rewritten"}."""
    recorded: dict[str, Any] = field(default_factory=dict)
    """The patient findings this turn recorded (echoed in `text`); empty when it recorded none."""

    def to_json(self) -> dict[str, Any]:
        """INTERFACE section 5 keys first (text, intent, awaiting, assessment), then the extensions."""
        return {
            "text": self.text,
            "intent": self.intent,
            "awaiting": self.awaiting.to_json() if self.awaiting else None,
            "assessment": self.assessment,
            "citations": list(self.citations),
            "suggestions": [dict(s) for s in self.suggestions],
            "flow": self.flow,
            "progress": self.progress,
            "in_scope": self.in_scope,
            "act": self.act,
            "focus": self.focus,
            "recorded": dict(self.recorded),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Turn:
        """Rebuild a Turn from `to_json` output (used when a resumed chat shows its last turn again)."""
        return cls(
            text=data.get("text", ""),
            intent=data.get("intent"),
            awaiting=Awaiting.from_json(data.get("awaiting")),
            assessment=data.get("assessment"),
            citations=list(data.get("citations", [])),
            suggestions=list(data.get("suggestions", [])),
            flow=data.get("flow"),
            progress=data.get("progress"),
            in_scope=data.get("in_scope"),
            act=data.get("act"),
            focus=data.get("focus"),
            recorded=dict(data.get("recorded") or {}),
        )


@dataclass
class Frame:
    """What one user turn changed, so that "back" can undo it."""

    slot: str | None
    """The slot that was awaited when the person answered (re-asked on "back")."""
    changes: list[tuple[str, bool, Any]] = field(default_factory=list)
    """(field, was_recorded_before, value_before) for every slot_set / slot_cleared of the turn."""
    skipped: list[str] = field(default_factory=list)
    """Slots skipped in the turn."""


@dataclass
class ConversationState:
    """Everything the dialogue knows, folded from the event log; never changed except through `apply`."""

    session_id: str | None = None
    """The session's id (the file name of its log)."""
    values: dict[str, Any] = field(default_factory=dict)
    """Recorded findings, field -> value; a None value means "explicitly unknown" (recorded, never re-asked)."""
    flow: str | None = None
    """The guided flow in progress."""
    awaiting: Awaiting | None = None
    """The pending follow-up."""
    skipped: set[str] = field(default_factory=set)
    """Slots skipped in the current flow."""
    history: list[Frame] = field(default_factory=list)
    """Answered turns of the current flow, for "back"."""
    workup_index: int = 0
    """The workup step in progress (0-based)."""
    workup_entered: int = -1
    """The last workup step whose introduction was shown (so it is shown once)."""
    suggestions: list[dict[str, str]] = field(default_factory=list)
    """Suggestions offered by the last turn (answerable by number)."""
    last_turn: dict[str, Any] | None = None
    """The last Turn shown, as JSON."""
    turns: int = 0
    """How many user turns were completed."""
    focus: dict[str, Any] = field(default_factory=dict)
    """What the conversation is about (dialogue.context.Focus as JSON; empty before any answer)."""
    recordings: list[Frame] = field(default_factory=list)
    """Turns outside a guided flow that recorded findings, for "undo"."""
    _frame: Frame | None = None

    def apply(self, event: dict[str, Any]) -> None:
        """Fold one event into the state (the only way the state changes)."""
        kind = event["event"]
        if kind == "session_started":
            self.session_id = event.get("session_id")
        elif kind == "user_said":
            self._frame = Frame(slot=self.awaiting.slot if self.awaiting else None)
        elif kind == "bot_said":
            frame, self._frame = self._frame, None
            if frame is not None and (frame.changes or frame.skipped) and self.flow is not None:
                self.history.append(frame)
            elif frame is not None and frame.changes:
                self.recordings.append(frame)
            self.last_turn = event["turn"]
            self.awaiting = Awaiting.from_json(event["turn"].get("awaiting"))
            self.suggestions = list(event["turn"].get("suggestions", []))
            self.turns += 1 if frame is not None else 0
        elif kind == "flow_started":
            self.flow = event["flow"]
            self.skipped = set()
            self.history = []
            self.workup_index = 0
            self.workup_entered = -1
        elif kind == "flow_ended":
            self.flow = None
            self.skipped = set()
            self.history = []
            self.awaiting = None
        elif kind == "question_asked":
            pass  # the awaited slot becomes official with the turn that shows it (bot_said)
        elif kind in ("slot_set", "slot_cleared"):
            name = event["field"]
            if self._frame is not None and event.get("source") != "undo":
                self._frame.changes.append((name, name in self.values, copy.deepcopy(self.values.get(name))))
            if kind == "slot_set":
                self.values[name] = copy.deepcopy(event["value"])
            else:
                self.values.pop(name, None)
        elif kind == "slot_skipped":
            self.skipped.add(event["field"])
            if self._frame is not None:
                self._frame.skipped.append(event["field"])
        elif kind == "answer_undone":
            if self.history:
                frame = self.history.pop()
                self.skipped.difference_update(frame.skipped)
        elif kind == "focus_set":
            self.focus = copy.deepcopy(event["focus"])
        elif kind == "recording_undone":
            if self.recordings:
                self.recordings.pop()
        elif kind == "workup_step":
            self.workup_index = int(event["index"])
            if event.get("entered"):
                self.workup_entered = self.workup_index
        elif kind == "case_reset":
            self.values = {}
            self.skipped = set()
            self.history = []
            self.recordings = []
        # reply_rejected and suggestions_offered are kept for the record; they change nothing here

    def known(self) -> dict[str, Any]:
        """The findings with a value (explicit unknowns left out): the Case's fields."""
        return {k: v for k, v in self.values.items() if v is not None}


def replay(events: list[dict[str, Any]]) -> ConversationState:
    """The state after folding every event in order."""
    state = ConversationState()
    for event in events:
        state.apply(event)
    return state
