"""The conversation's events: one frozen dataclass per kind the manager emits and the session log stores.

The manager never changes its state directly: it emits an event and `ConversationState.apply` folds it in,
so replaying a saved log rebuilds the same state (`DialogueManager.resume`). Each event is one JSON line
in the log, `{"event": KIND, ...payload}`; `to_json` writes the payload keys in the order and with the
omissions the log has always had (a log written before events were typed reads and writes back byte for
byte), and `event_from_json` reads a line back, raising `MalformedEvent` with a short reason for anything
that is not a well-formed event (the store reports it as one line naming the file and line).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Union

from guidebot.dialogue.focus import Focus
from guidebot.dialogue.turns import Suggestion, Turn, suggestions_from_json, suggestions_to_json

MAX_WORKUP_INDEX = 1000
"""A workup step index beyond this is a crafted log, not a real one."""

FLOWS = frozenset({"diagnosis", "treatment", "workup"})
"""The guided flows a log may name (`guidebot.dialogue.state.INTENT_OF_FLOW` has their intents)."""

AWAITING_KINDS = frozenset({"bool", "int", "number", "choice", "list"})
"""How a follow-up's answer may be parsed (`Awaiting.kind`)."""


class MalformedEvent(ValueError):
    """A log line that is not a well-formed event; the message says what is wrong in a few words."""


@dataclass(frozen=True)
class _Event:
    KIND: ClassVar[str] = ""
    OMITTED_WHEN_EMPTY: ClassVar[frozenset[str]] = frozenset()
    """Payload keys left out of the JSON when their value is None or False (as the log has always written them)."""

    def to_json(self) -> dict[str, Any]:
        """The log line's object: `{"event": KIND}` followed by the payload, in field order."""
        out: dict[str, Any] = {"event": self.KIND}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.name in self.OMITTED_WHEN_EMPTY and (value is None or value is False):
                continue
            if isinstance(value, (Turn, Focus)):
                out[spec.name] = value.to_json()
            elif spec.name == "suggestions":
                out[spec.name] = suggestions_to_json(value)
            else:
                out[spec.name] = copy.deepcopy(value)
        return out


@dataclass(frozen=True)
class SessionStarted(_Event):
    """The first event of every session."""

    KIND: ClassVar[str] = "session_started"
    OMITTED_WHEN_EMPTY: ClassVar[frozenset[str]] = frozenset({"started"})
    session_id: str | None = None
    """The session's id (None for a session kept in memory only)."""
    started: str | None = None
    """When it started, UTC, `YYYY-MM-DDTHH:MM:SSZ`."""


@dataclass(frozen=True)
class UserSaid(_Event):
    """What the person typed (cleaned); opens a turn."""

    KIND: ClassVar[str] = "user_said"
    text: str


@dataclass(frozen=True)
class BotSaid(_Event):
    """The Turn shown; closes a turn."""

    KIND: ClassVar[str] = "bot_said"
    turn: Turn

    @classmethod
    def of(cls, turn: Turn) -> BotSaid:
        """The event for `turn` as it is now (a copy: a front end may change the Turn it was given, the log keeps what was said)."""
        return cls(turn.copy())


@dataclass(frozen=True)
class FlowStarted(_Event):
    """A guided flow began."""

    KIND: ClassVar[str] = "flow_started"
    flow: str
    """diagnosis, treatment or workup."""


@dataclass(frozen=True)
class FlowEnded(_Event):
    """The guided flow ended."""

    KIND: ClassVar[str] = "flow_ended"
    flow: str | None
    reason: str | None
    """done, cancelled, replaced, reset or restart."""


@dataclass(frozen=True)
class QuestionAsked(_Event):
    """A follow-up was asked (it becomes the awaited one with the `bot_said` that shows it)."""

    KIND: ClassVar[str] = "question_asked"
    OMITTED_WHEN_EMPTY: ClassVar[frozenset[str]] = frozenset({"reask"})
    slot: str
    reask: bool = False
    """True when the pending question was asked again."""


@dataclass(frozen=True)
class ReplyRejected(_Event):
    """A reply that could not be read as an answer to the awaited slot (kept for the record)."""

    KIND: ClassVar[str] = "reply_rejected"
    slot: str | None
    text: str | None
    message: str | None


@dataclass(frozen=True)
class SlotSet(_Event):
    """A finding recorded; value None means explicitly unknown / not done."""

    KIND: ClassVar[str] = "slot_set"
    OMITTED_WHEN_EMPTY: ClassVar[frozenset[str]] = frozenset({"source"})
    field: str
    value: Any
    """The JSON value (bool, number, text, list of text or None)."""
    source: str | None = None
    """answer, volunteered or undo (undo: restored by "back" / "undo", not a finding of this turn)."""


@dataclass(frozen=True)
class SlotCleared(_Event):
    """A finding forgotten (by "back" / "undo")."""

    KIND: ClassVar[str] = "slot_cleared"
    OMITTED_WHEN_EMPTY: ClassVar[frozenset[str]] = frozenset({"source"})
    field: str
    source: str | None = None


@dataclass(frozen=True)
class SlotSkipped(_Event):
    """A follow-up skipped: not asked again in this flow."""

    KIND: ClassVar[str] = "slot_skipped"
    field: str


@dataclass(frozen=True)
class AnswerUndone(_Event):
    """ "back" popped the last answered turn of the flow (its restorations follow as events)."""

    KIND: ClassVar[str] = "answer_undone"
    slot: str | None = None
    """The slot that turn answered (None when it only volunteered findings)."""


@dataclass(frozen=True)
class WorkupStep(_Event):
    """The workup moved to step `index` (0-based)."""

    KIND: ClassVar[str] = "workup_step"
    OMITTED_WHEN_EMPTY: ClassVar[frozenset[str]] = frozenset({"entered"})
    index: int
    entered: bool = False
    """True when the step's introduction was shown."""


@dataclass(frozen=True)
class CaseReset(_Event):
    """Every finding forgotten (/reset, restart)."""

    KIND: ClassVar[str] = "case_reset"


@dataclass(frozen=True)
class SuggestionsOffered(_Event):
    """Numbered suggestions offered (kept for the record; the turn carries them too)."""

    KIND: ClassVar[str] = "suggestions_offered"
    suggestions: list[Suggestion]


@dataclass(frozen=True)
class FocusSet(_Event):
    """What the conversation is about after this turn."""

    KIND: ClassVar[str] = "focus_set"
    focus: Focus


@dataclass(frozen=True)
class RecordingUndone(_Event):
    """ "undo" took back the last recording made outside a guided flow (its restorations follow as events)."""

    KIND: ClassVar[str] = "recording_undone"


@dataclass(frozen=True)
class OtherEvent:
    """An event of a kind this version does not know (a newer guidebot's): kept as read, written back unchanged,
    and ignored by the state."""

    kind: str
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The event as it was read."""
        return {"event": self.kind, **copy.deepcopy(self.payload)}


Event = Union[
    SessionStarted, UserSaid, BotSaid, FlowStarted, FlowEnded, QuestionAsked, ReplyRejected, SlotSet, SlotCleared,
    SlotSkipped, AnswerUndone, WorkupStep, CaseReset, SuggestionsOffered, FocusSet, RecordingUndone, OtherEvent,
]
"""Every value the event log holds."""

EVENT_CLASSES: dict[str, type[_Event]] = {
    cls.KIND: cls
    for cls in (SessionStarted, UserSaid, BotSaid, FlowStarted, FlowEnded, QuestionAsked, ReplyRejected, SlotSet,
                SlotCleared, SlotSkipped, AnswerUndone, WorkupStep, CaseReset, SuggestionsOffered, FocusSet, RecordingUndone)
}
"""Every event kind the manager emits -> its class."""


# -- reading a log line -----------------------------------------------------------------------------------

_TEXT = (str,)
_TEXT_OR_NONE = (str, type(None))


def _take(data: dict[str, Any], kind: str, key: str, types: tuple[type, ...], *, required: bool = True) -> Any:
    if key not in data:
        if required:
            raise MalformedEvent(f"{kind} without a valid {key}")
        return None
    value = data[key]
    if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
        raise MalformedEvent(f"{kind} without a valid {key}")
    return value


_TURN_SHAPE: dict[str, tuple[type, ...]] = {
    "text": (str,),
    "intent": (str, type(None)),
    "awaiting": (dict, type(None)),
    "assessment": (dict, type(None)),
    "citations": (list,),
    "suggestions": (list,),
    "focus": (dict, type(None)),
    "recorded": (dict, type(None)),
    "flow": (str, type(None)),
    "progress": (dict, type(None)),
    "in_scope": (bool, type(None)),
    "act": (str, type(None)),
}


def _turn(turn: dict[str, Any]) -> Turn:
    """A `bot_said` turn read back; MalformedEvent for one that could not have been written."""
    for key, types in _TURN_SHAPE.items():
        if key in turn and not isinstance(turn[key], types):
            raise MalformedEvent(f"bot_said with an invalid turn {key}")
    if "text" not in turn and turn:
        raise MalformedEvent("bot_said without a turn text")
    awaiting = turn.get("awaiting")
    if awaiting and not (
        isinstance(awaiting.get("slot"), str)
        and isinstance(awaiting.get("kind"), str)  # before the set lookup: a list or object there is unhashable
        and awaiting.get("kind") in AWAITING_KINDS
        and isinstance(awaiting.get("choices") or [], list)  # null reads as no choices
        and all(isinstance(c, str) for c in awaiting.get("choices") or [])
        and isinstance(awaiting.get("question") or "", str)
    ):
        raise MalformedEvent("bot_said with an invalid awaiting")
    if not _offered(turn.get("suggestions", [])):
        raise MalformedEvent("bot_said with invalid suggestions")
    if not all(isinstance(c, int) and not isinstance(c, bool) for c in turn.get("citations", [])):
        raise MalformedEvent("bot_said with invalid citations")
    try:
        return Turn.from_json(turn)
    except (TypeError, ValueError, KeyError, AttributeError):  # a shape the checks above missed: corrupt, not a crash
        raise MalformedEvent("bot_said with an invalid turn") from None


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


_FOCUS_SHAPE: dict[str, Callable[[Any], bool]] = {
    "fact": lambda v: isinstance(v, (str, type(None))),
    "section": lambda v: isinstance(v, (str, type(None))),
    "entities": _texts,
    "facets": _texts,
    "patient": lambda v: isinstance(v, bool),
    "approach": lambda v: isinstance(v, (str, type(None))),
    "citations": lambda v: isinstance(v, list) and all(isinstance(c, int) and not isinstance(c, bool) for c in v),
    "alternatives": lambda v: _offered(v),  # offered again, by number, on "that's not what I asked"
    "text": lambda v: isinstance(v, str),
}
"""What each key of a `focus_set` focus must hold: `Focus.from_json` takes whatever it is given ("abc" as three
entities), and a mistyped focus would flow into the next turn and make the log unreadable once written."""


def _focus(focus: dict[str, Any]) -> Focus:
    if not all(check(focus[key]) for key, check in _FOCUS_SHAPE.items() if key in focus):
        raise MalformedEvent("focus_set with an invalid focus")
    try:
        return Focus.from_json(focus)
    except (TypeError, ValueError, AttributeError):
        raise MalformedEvent("focus_set with an invalid focus") from None


def _offered(value: Any) -> bool:
    """Whether `value` is a list of suggestions: each `{"intent", "title"}` text (picking one by number reads its intent)."""
    return isinstance(value, list) and all(
        isinstance(s, dict) and isinstance(s.get("intent"), str) and all(isinstance(v, str) for v in s.values()) for s in value
    )


def _suggestions(value: Any, kind: str) -> list[Suggestion]:
    if not _offered(value):
        raise MalformedEvent(f"{kind} with invalid suggestions")
    return suggestions_from_json(value)


def _flow(data: dict[str, Any], kind: str, *, required: bool) -> str | None:
    flow = _take(data, kind, "flow", _TEXT if required else _TEXT_OR_NONE, required=required)
    if flow is not None and flow not in FLOWS:
        raise MalformedEvent(f"{kind} with an unknown flow")
    return flow


def event_from_json(data: Any) -> Event:
    """The event a log line's object holds; MalformedEvent (a short reason) when it is not a well-formed one."""
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise MalformedEvent("not an event")
    kind = data["event"]
    if kind not in EVENT_CLASSES:
        return OtherEvent(kind, {k: v for k, v in data.items() if k != "event"})

    def take(key: str, types: tuple[type, ...], required: bool = True) -> Any:
        return _take(data, kind, key, types, required=required)

    if kind == "session_started":
        return SessionStarted(take("session_id", _TEXT_OR_NONE, False), take("started", _TEXT_OR_NONE, False))
    if kind == "user_said":
        return UserSaid(take("text", _TEXT))
    if kind == "bot_said":
        return BotSaid(_turn(take("turn", (dict,))))
    if kind == "flow_started":
        return FlowStarted(_flow(data, kind, required=True))
    if kind == "flow_ended":
        return FlowEnded(_flow(data, kind, required=False), take("reason", _TEXT_OR_NONE, False))
    if kind == "question_asked":
        return QuestionAsked(take("slot", _TEXT), bool(take("reask", (bool,), False)))
    if kind == "reply_rejected":
        return ReplyRejected(take("slot", _TEXT_OR_NONE, False), take("text", _TEXT_OR_NONE, False),
                             take("message", _TEXT_OR_NONE, False))
    if kind == "slot_set":
        if "value" not in data:
            raise MalformedEvent("slot_set without a value")
        return SlotSet(take("field", _TEXT), data["value"], take("source", _TEXT_OR_NONE, False))
    if kind == "slot_cleared":
        return SlotCleared(take("field", _TEXT), take("source", _TEXT_OR_NONE, False))
    if kind == "slot_skipped":
        return SlotSkipped(take("field", _TEXT))
    if kind == "answer_undone":
        return AnswerUndone(take("slot", _TEXT_OR_NONE, False))
    if kind == "workup_step":
        index = take("index", (int,))
        if not 0 <= index <= MAX_WORKUP_INDEX:
            raise MalformedEvent("workup_step index out of range")
        return WorkupStep(index, bool(take("entered", (bool,), False)))
    if kind == "suggestions_offered":
        return SuggestionsOffered(_suggestions(data.get("suggestions"), kind))
    if kind == "focus_set":
        return FocusSet(_focus(take("focus", (dict,))))
    return EVENT_CLASSES[kind]()  # case_reset, recording_undone: no payload


def events_to_jsonl(events: list[Event]) -> str:
    """Events as the log's JSON lines (compact, UTF-8 kept), one per event."""
    import json

    return "".join(json.dumps(e.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n" for e in events)
