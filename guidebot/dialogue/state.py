"""The conversation's state, folded from its append-only event log (`guidebot.dialogue.events`).

The dialogue manager never mutates its state directly: it appends an event (`SlotSet`, `QuestionAsked`,
`FlowStarted`, ...) and `ConversationState.apply` folds it in. Replaying the saved events therefore rebuilds
exactly the same state, which is how an interrupted chat resumes (`DialogueManager.resume`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from guidebot.dialogue.focus import Focus
from guidebot.dialogue.events import (
    AnswerUndone,
    BotSaid,
    CaseReset,
    Event,
    FlowEnded,
    FlowStarted,
    FocusSet,
    RecordingUndone,
    SessionStarted,
    SlotCleared,
    SlotSet,
    SlotSkipped,
    UserSaid,
    WorkupStep,
)
from guidebot.dialogue.turns import Awaiting, Suggestion, Turn

__all__ = ["FLOW_INTENTS", "INTENT_OF_FLOW", "Awaiting", "Turn", "Frame", "ConversationState", "replay"]

FLOW_INTENTS: dict[str, str] = {
    "diagnosis.assess": "diagnosis",
    "treatment.plan": "treatment",
    "workup.guide": "workup",
}
"""Router intent of each guided flow -> the flow's short name (`Turn.flow`)."""

INTENT_OF_FLOW: dict[str, str] = {flow: intent for intent, flow in FLOW_INTENTS.items()}
"""Flow short name -> its router intent."""


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
    suggestions: list[Suggestion] = field(default_factory=list)
    """Suggestions offered by the last turn (answerable by number)."""
    last_turn: Turn | None = None
    """The last Turn shown (as logged: not to be changed)."""
    turns: int = 0
    """How many user turns were completed."""
    focus: Focus = field(default_factory=Focus)
    """What the conversation is about (empty before any answer)."""
    recordings: list[Frame] = field(default_factory=list)
    """Turns outside a guided flow that recorded findings, for "undo"."""
    _frame: Frame | None = None

    def apply(self, event: Event) -> None:
        """Fold one event into the state (the only way the state changes)."""
        if isinstance(event, SessionStarted):
            self.session_id = event.session_id
        elif isinstance(event, UserSaid):
            self._frame = Frame(slot=self.awaiting.slot if self.awaiting else None)
        elif isinstance(event, BotSaid):
            frame, self._frame = self._frame, None
            if frame is not None and (frame.changes or frame.skipped) and self.flow is not None:
                self.history.append(frame)
            elif frame is not None and frame.changes:
                self.recordings.append(frame)
            self.last_turn = event.turn
            self.awaiting = Awaiting.from_json(event.turn.awaiting.to_json()) if event.turn.awaiting else None
            self.suggestions = list(event.turn.suggestions)
            self.turns += 1 if frame is not None else 0
        elif isinstance(event, FlowStarted):
            self.flow = event.flow
            self.skipped = set()
            self.history = []
            self.workup_index = 0
            self.workup_entered = -1
        elif isinstance(event, FlowEnded):
            self.flow = None
            self.skipped = set()
            self.history = []
            self.awaiting = None
        elif isinstance(event, (SlotSet, SlotCleared)):
            # a QuestionAsked changes nothing here: the awaited slot becomes official with the turn that shows it
            name = event.field
            if self._frame is not None and event.source != "undo":
                self._frame.changes.append((name, name in self.values, copy.deepcopy(self.values.get(name))))
            if isinstance(event, SlotSet):
                self.values[name] = copy.deepcopy(event.value)
            else:
                self.values.pop(name, None)
        elif isinstance(event, SlotSkipped):
            self.skipped.add(event.field)
            if self._frame is not None:
                self._frame.skipped.append(event.field)
        elif isinstance(event, AnswerUndone):
            if self.history:
                frame = self.history.pop()
                self.skipped.difference_update(frame.skipped)
        elif isinstance(event, FocusSet):
            self.focus = event.focus.copy()
        elif isinstance(event, RecordingUndone):
            if self.recordings:
                self.recordings.pop()
        elif isinstance(event, WorkupStep):
            self.workup_index = event.index
            if event.entered:
                self.workup_entered = self.workup_index
        elif isinstance(event, CaseReset):
            self.values = {}
            self.skipped = set()
            self.history = []
            self.recordings = []
        # QuestionAsked, ReplyRejected, SuggestionsOffered and events of unknown kinds change nothing here

    def known(self) -> dict[str, Any]:
        """The findings with a value (explicit unknowns left out): the Case's fields."""
        return {k: v for k, v in self.values.items() if v is not None}


def replay(events: list[Event]) -> ConversationState:
    """The state after folding every event in order."""
    state = ConversationState()
    for event in events:
        state.apply(event)
    return state
