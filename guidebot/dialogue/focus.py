"""What a turn is read against and read as: the `Focus` of the conversation, an `ActRequest` on the last answer,
a turn's `Rewrite` against the focus, and the normalised text every reading is done on.

Plain typed values and two pure text helpers; the reading itself is `ConversationReader` (guidebot.dialogue.context).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from guidebot.dialogue.turns import Suggestion, suggestions_from_json, suggestions_to_json


@dataclass
class Focus:
    """What the conversation is about after the last answer."""

    fact: str | None = None
    """The last answered fact (None before any)."""
    section: str | None = None
    """Its review section."""
    entities: list[str] = field(default_factory=list)
    """Entity ids the last answer was about (drug, cohort, complication, test, criterion)."""
    facets: list[str] = field(default_factory=list)
    """Facet ids the last question asked (dose, response, ...)."""
    patient: bool = False
    """True when the last answer was about the current patient (findings or an assessment)."""
    approach: str | None = None
    """The treatment approach of the current patient's last assessment, when one was reached."""
    citations: list[int] = field(default_factory=list)
    """The last answer's citations (for "source?")."""
    alternatives: list[Suggestion] = field(default_factory=list)
    """The other candidates of the last answer (offered on "that's not what I asked")."""
    text: str = ""
    """The last answer's text (for "what does X mean")."""
    named: list[str] = field(default_factory=list)
    """The entities the last question named, in the order it named them ("the former", "the latter")."""

    def to_json(self) -> dict[str, Any]:
        """As stored in a `focus_set` event and shown in a turn's `focus`."""
        return {
            "fact": self.fact, "section": self.section, "entities": list(self.entities), "facets": list(self.facets),
            "patient": self.patient, "approach": self.approach, "citations": list(self.citations),
            "alternatives": suggestions_to_json(self.alternatives), "text": self.text,
            # only when set, so that a log written before it was added reads back byte for byte
            **({"named": list(self.named)} if self.named else {}),
        }

    def copy(self) -> Focus:
        """A copy whose lists can change without changing this Focus."""
        return Focus.from_json(self.to_json())

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Focus:
        """The inverse of `to_json` (an empty focus for None)."""
        if not data:
            return cls()
        return cls(
            fact=data.get("fact"), section=data.get("section"), entities=list(data.get("entities", [])),
            facets=list(data.get("facets", [])), patient=bool(data.get("patient")), approach=data.get("approach"),
            citations=list(data.get("citations", [])), alternatives=suggestions_from_json(data.get("alternatives")),
            text=data.get("text", ""), named=list(data.get("named", [])),
        )


class ActRequest(NamedTuple):
    """A turn that acts on the last answer."""

    act: str
    """why, source, more or define."""
    term: str | None = None
    """For define: the abbreviation asked about (None: every abbreviation of the last answer)."""
    by_prefix: bool = False
    """Read from how a longer message starts ("why is it missed so often?"), not from the whole message."""
    bare_term: bool = False
    """For define: the message is nothing but the term ("uclh?"), which may instead ask about the thing it names."""


class Rewrite(NamedTuple):
    """How a turn relates to the focus."""

    text: str
    """The turn rewritten with the focus's entities and facets (the turn itself when there is no focus)."""
    names: list[str]
    """Entity ids the turn names itself."""
    facets: list[str]
    """Facet ids the turn asks."""
    leans: bool
    """The turn leans on the focus: a pronoun, an opener ("and ...", "what about ..."), or nothing but facets."""
    bare: bool = False
    """The turn is nothing but entities, facets, pronouns and fillers ("dose?", "bone lesions?", "and minor")."""
    elliptical: bool = False
    """The turn leans only by being one word naming no entity ("major?", "workup?"), not by a pronoun, an opener or
    a facet: alone, a confident reading of its own stands."""


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation (but - / _ +) made spaces, spaces squeezed."""
    text = text.casefold().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"[^\w\s/+\-]", " ", text)
    return " ".join(text.split())


def opens_with(norm: str, phrases) -> str | None:
    """The first of `phrases` (normalised) that a normalised text is, or opens with as whole words; None otherwise."""
    return next((p for p in phrases if norm == p or norm.startswith(p + " ")), None)


SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ",
                           "0123456789aehijklmnoprstuvx")


def abbreviation_key(term: str) -> str:
    """An abbreviation as a key, however it is written: case, spaces, underscores, hyphens and subscript letters do
    not count ("CR_V", "CRV", "CR-V", "crv", "CRᵥ" are one key; "C+G" and "c + g" another)."""
    return re.sub(r"[\s_\-]+", "", term.translate(SUBSCRIPTS).casefold())


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One pattern finding any of `phrases` as whole words (longest first)."""
    items = sorted({normalise(p) for p in phrases if normalise(p)}, key=len, reverse=True)
    if not items:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in items) + r")(?![\w-])")


__all__ = ["ActRequest", "Focus", "Rewrite", "abbreviation_key", "normalise", "opens_with", "phrase_pattern"]
