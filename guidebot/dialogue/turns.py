"""What the bot shows: the `Turn` object of `chat --jsonl` (one per reply) and its typed parts (the `Awaiting`
follow-up, `Suggestion`s, workup `Progress`, the `Reading` of the turn, the `AssessmentShown`).

Every front end renders a Turn; the session log stores each one in its `bot_said` event
(`guidebot.dialogue.events`), and `to_json` is the JSON both write, byte for byte as when the parts were dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple


class Suggestion(NamedTuple):
    """An offered next question or flow; the person may reply with its number."""

    intent: str
    """The fact or flow id picking it answers."""
    title: str
    """Its title, as listed."""

    def to_json(self) -> dict[str, str]:
        """`{"intent", "title"}`, as turns, `suggestions_offered` events and focus alternatives have always held it."""
        return {"intent": self.intent, "title": self.title}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Suggestion:
        """The inverse of `to_json`."""
        return cls(data["intent"], data.get("title", ""))


class Answer(NamedTuple):
    """A fact's answer as the manager puts it in a Turn: the router's (or the focused fact's) card in Markdown."""

    text: str
    """The card: bold title, body, sources line."""
    intent: str | None
    """The fact answered; None when declined."""
    citations: list[int]
    """The card's citations."""
    suggestions: list[Suggestion]
    """The router's other candidates (or the focus's, for a follow-up that stays on it)."""
    in_scope: bool
    """False when the router declined."""


def suggestions_to_json(suggestions: list[Suggestion]) -> list[dict[str, str]]:
    """A list of suggestions as JSON."""
    return [s.to_json() for s in suggestions]


def suggestions_from_json(data: list[dict[str, Any]] | None) -> list[Suggestion]:
    """The inverse of `suggestions_to_json` (None reads as none)."""
    return [Suggestion.from_json(s) for s in data or []]


class Progress(NamedTuple):
    """Where the workup walk-through stands."""

    step: int
    """The step in progress, 1-based."""
    of: int
    """How many steps the workup has."""
    title: str
    """The step's title."""

    def to_json(self) -> dict[str, Any]:
        """`{"step", "of", "title"}`."""
        return {"step": self.step, "of": self.of, "title": self.title}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Progress | None:
        """The inverse of `to_json`; None stays None."""
        if not data:
            return None
        return cls(data.get("step", 0), data.get("of", 0), data.get("title", ""))


@dataclass(frozen=True)
class Reading:
    """How a turn was read against the focus (a Turn's `focus`): alone or in context, rewritten or not, and why.

    The optional fields are written only when set (None and False are left out), in field order: the keys and
    their order the session logs and `chat --jsonl` have always had."""

    fact: str | None = None
    """The focused fact the turn was read against."""
    entities: list[str] = field(default_factory=list)
    """The focus's entities."""
    reading: str = "alone"
    """alone or context: which reading was answered."""
    rewritten: str | None = None
    """The turn rewritten with the focus (or the rest after a topic switch); None when not rewritten."""
    switch: bool = False
    """The turn opened with a topic switch ("on a different note, ..."): the focus was dropped."""
    patient_treatment: bool = False
    """The turn asks for the current patient's treatment after an assessment."""
    names: list[str] | None = None
    """Entity ids the turn names itself."""
    facets: list[str] | None = None
    """Facet ids the turn asks."""
    stayed: str | None = None
    """The fact that answers the turn in place of the router's pick."""
    not_given: list[str] | None = None
    """Facets the review gives only for something other than the focus (declined, that fact offered)."""
    sibling: bool = False
    """`stayed` is a sibling of the focused fact named by its title."""
    empty: bool = False
    """The turn has nothing of its own ("like what?"): the last answer answers it."""
    echo: bool = False
    """The turn picks terms out of the last answer ("TRM?")."""
    disease: bool = False
    """The turn asks about the disease itself, not the focus."""
    new_topic: bool = False
    """The turn names only things outside the focus and alone is confidently about one of them: a new focus."""
    not_stated: list[str] | None = None
    """Strict facets the answering fact does not state (declined)."""
    not_stated_in: str | None = None
    """The fact that does not state them."""
    not_stated_for: list[str] | None = None
    """Entities the turn names outside that fact."""
    clause: bool = False
    """The turn was declined whole and is answered by one of its clauses (`rewritten`)."""
    other: bool = False
    """The turn asks for something besides the last answer: `stayed` is a fact of an entity it names."""

    _ALWAYS = ("fact", "entities", "reading", "rewritten")

    def to_json(self) -> dict[str, Any]:
        """`{"fact", "entities", "reading", "rewritten"}` and whichever of the rest are set."""
        out: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.name in self._ALWAYS:
                out[spec.name] = list(value) if isinstance(value, list) else value
            elif value is not None and value is not False:
                out[spec.name] = list(value) if isinstance(value, list) else value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Reading | None:
        """The inverse of `to_json`; None stays None."""
        if data is None:
            return None
        known = {spec.name for spec in fields(cls)}
        return cls(**{k: list(v) if isinstance(v, list) else v for k, v in data.items() if k in known})


class CitedNote(NamedTuple):
    """A cited statement of an assessment (`notes_cited`)."""

    id: str
    text: str
    citations: list[int]

    def to_json(self) -> dict[str, Any]:
        """`{"id", "text", "citations"}`."""
        return {"id": self.id, "text": self.text, "citations": list(self.citations)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CitedNote:
        """The inverse of `to_json`."""
        return cls(data["id"], data["text"], list(data["citations"]))


def _some(value: list[Any] | None) -> list[Any] | None:
    return list(value) if value is not None else None


@dataclass(frozen=True)
class TreatmentShown:
    """The treatment part of an assessment shown in a turn (`assess --json`'s `treatment`, INTERFACE section 4)."""

    approach: str
    rationale: str
    """With its citations written as [n]."""
    cautions: list[str]
    """Statement ids."""
    rationale_citations: list[int] | None = None
    details: list[str] | None = None
    caution_notes: list[str] | None = None
    needs: list[str] | None = None
    """The cited extensions: None when a log written before they existed lacks them (left out again)."""

    def to_json(self) -> dict[str, Any]:
        """The `treatment` object, extensions left out when absent."""
        out: dict[str, Any] = {"approach": self.approach, "rationale": self.rationale, "cautions": list(self.cautions)}
        for name in ("rationale_citations", "details", "caution_notes", "needs"):
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreatmentShown:
        """The inverse of `to_json`."""
        return cls(data["approach"], data["rationale"], list(data["cautions"]), _some(data.get("rationale_citations")),
                   _some(data.get("details")), _some(data.get("caution_notes")), _some(data.get("needs")))


@dataclass(frozen=True)
class AssessmentShown:
    """The assessment a guided flow finished with, as its turn shows it: `assess(case).to_dict()` (the object of
    `assess --json`, INTERFACE section 4), typed. Built from that JSON so the two never differ, and read back from
    a log as written: a key the log lacks (`notes_cited` before it existed) is None and left out again."""

    verdict: str
    """meets_criteria, not_met, castleman_variant or indeterminate."""
    criteria: dict[str, dict[str, str]] | None = None
    """Group -> criterion -> status (met, not_met, unknown): a table keyed by the review's criterion names."""
    missing: list[str] | None = None
    next_steps: list[str] | None = None
    notes: list[str] | None = None
    notes_cited: list[CitedNote] | None = None
    treatment: TreatmentShown | None = None
    """Only for a case that meets the criteria."""

    @classmethod
    def of(cls, result: Any) -> AssessmentShown:
        """The assessment of `guidebot.criteria.assess`, as shown."""
        return cls._read(result.to_dict())

    def to_json(self) -> dict[str, Any]:
        """The `assess --json` object."""
        out: dict[str, Any] = {"verdict": self.verdict}
        if self.criteria is not None:
            out["criteria"] = {group: dict(statuses) for group, statuses in self.criteria.items()}
        for name in ("missing", "next_steps", "notes"):
            if getattr(self, name) is not None:
                out[name] = list(getattr(self, name))
        if self.notes_cited is not None:
            out["notes_cited"] = [n.to_json() for n in self.notes_cited]
        if self.treatment is not None:
            out["treatment"] = self.treatment.to_json()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> AssessmentShown | None:
        """The inverse of `to_json`; None stays None; ValueError for one without a verdict."""
        return None if data is None else cls._read(data)

    @classmethod
    def _read(cls, data: dict[str, Any]) -> AssessmentShown:
        if not isinstance(data.get("verdict"), str):
            raise ValueError("an assessment without a verdict")
        criteria, cited, treatment = data.get("criteria"), data.get("notes_cited"), data.get("treatment")
        return cls(
            verdict=data["verdict"],
            criteria={group: dict(statuses) for group, statuses in criteria.items()} if criteria is not None else None,
            missing=_some(data.get("missing")),
            next_steps=_some(data.get("next_steps")),
            notes=_some(data.get("notes")),
            notes_cited=[CitedNote.from_json(n) for n in cited] if cited is not None else None,
            treatment=TreatmentShown.from_json(treatment) if treatment is not None else None,
        )


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
    assessment: AssessmentShown | None = None
    """The assessment when a guided assessment finishes this turn (its JSON is `assess --json`'s object)."""
    citations: list[int] = field(default_factory=list)
    """Every review reference cited in `text`, sorted."""
    suggestions: list[Suggestion] = field(default_factory=list)
    """Offered next questions; the person may reply with the number."""
    flow: str | None = None
    """The guided flow in progress after this turn: diagnosis, treatment, workup or None."""
    progress: Progress | None = None
    """During the workup: where it stands."""
    in_scope: bool | None = None
    """True when the turn answers from the review or carries a guided flow on, False when it declines, None for
    small talk and commands (INTERFACE section 5)."""
    act: str | None = None
    """How the turn was read: why | source | more | define (acts on the last answer), smalltalk:KIND, undo,
    command, or None for a question, an answer or a finding."""
    focus: Reading | None = None
    """What the turn was read against and how."""
    recorded: dict[str, Any] = field(default_factory=dict)
    """The patient findings this turn recorded (echoed in `text`); empty when it recorded none."""

    def to_json(self) -> dict[str, Any]:
        """INTERFACE section 5 keys first (text, intent, awaiting, assessment), then the extensions."""
        return {
            "text": self.text,
            "intent": self.intent,
            "awaiting": self.awaiting.to_json() if self.awaiting else None,
            "assessment": self.assessment.to_json() if self.assessment else None,
            "citations": list(self.citations),
            "suggestions": suggestions_to_json(self.suggestions),
            "flow": self.flow,
            "progress": self.progress.to_json() if self.progress else None,
            "in_scope": self.in_scope,
            "act": self.act,
            "focus": self.focus.to_json() if self.focus else None,
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
            assessment=AssessmentShown.from_json(data.get("assessment")),
            citations=list(data.get("citations", [])),
            suggestions=suggestions_from_json(data.get("suggestions")),
            flow=data.get("flow"),
            progress=Progress.from_json(data.get("progress")),
            in_scope=data.get("in_scope"),
            act=data.get("act"),
            focus=Reading.from_json(data.get("focus")),
            recorded=dict(data.get("recorded") or {}),
        )
