"""What the bot shows: the `Turn` object of `chat --jsonl` (one per reply) and the `Awaiting` follow-up in it.

Every front end renders a Turn; the session log stores each one in its `bot_said` event
(`guidebot.dialogue.events`), and `to_json` is the JSON both write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
        return cls(data["slot"], data["kind"], list(data.get("choices") or []), data.get("question") or "")


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

    def copy(self) -> Turn:
        """A copy to keep: its text and lists can change without changing this Turn (as `from_json(to_json())`)."""
        return Turn.from_json(self.to_json())

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
