"""What a turn names and asks, and what a fact states: the entities and facets of a text, the qualifiers of its
subject, a fact's neighbourhood, and the bullets of an answer that speak to the facets asked.

`TermReading` is one part of `ConversationReader` (guidebot.dialogue.context); the entity and facet words are
`entities` and `facets` in `knowledge/conversation.yaml`.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from guidebot.dialogue.focus import normalise

SUBJECT_KINDS = frozenset({"drug", "cohort"})
"""Entity kinds a facet is asked of ("dose of X", "n in the Y cohort"): a fact must name them to answer for them."""


class TermReading:
    """Entities, facets and qualifiers in a text; what a fact covers and states (a part of `ConversationReader`)."""

    # compiled by ConversationReader.__init__
    data: Any
    _pronouns: re.Pattern[str] | None
    _thing_pronouns: re.Pattern[str] | None
    _contrast_words: re.Pattern[str] | None
    _fillers: set[str]
    _politeness: re.Pattern[str] | None
    _entity_patterns: list[tuple[str, re.Pattern[str] | None]]
    _facet_patterns: list[tuple[str, re.Pattern[str] | None]]
    _facet_statements: dict[str, list[re.Pattern[str]]]
    _qualifier_leads: list[tuple[str, re.Pattern[str] | None]]
    entities: dict[str, Any]
    facets: dict[str, Any]

    @cached_property
    def _fact_entities(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for entity in self.data.entities:
            for fact_id in entity.facts:
                out.setdefault(fact_id, []).append(entity.id)
        return out

    def entities_in(self, text: str) -> list[str]:
        """Entity ids named in `text`, in data order."""
        norm = normalise(text)
        return [eid for eid, pattern in self._entity_patterns if pattern is not None and pattern.search(norm)]

    def compares(self, answer: str) -> bool:
        """Whether an answer is a comparison: its first line (the card's title) sets things against each other."""
        first = normalise(answer.strip().split("\n", 1)[0]) if answer.strip() else ""
        return bool(self._contrast_words and self._contrast_words.search(first))

    def points_at_thing(self, text: str) -> bool:
        """Whether the turn has a pronoun for a thing ("it", "them"), not for the patient ("him")."""
        return bool(self._thing_pronouns and self._thing_pronouns.search(normalise(text)))

    def qualifiers(self, text: str) -> dict[str, str]:
        """The entities `text` names only as a qualifier of its subject, each as "setting" ("after transplant") or
        "scope" ("in the mayo series"): named right after one of `followup.settings` or `followup.scopes`
        (an article between them allowed), and nowhere else in the turn."""
        norm = normalise(text)
        out: dict[str, str] = {}
        for eid, pattern in self._entity_patterns:
            if pattern is None:
                continue
            kinds = set()
            for m in pattern.finditer(norm):
                before = norm[:m.start()]
                kind = next((k for k, lead in self._qualifier_leads if lead is not None and lead.search(before)), None)
                kinds.add(kind)
            if kinds and None not in kinds and len(kinds) == 1:
                out[eid] = kinds.pop()
        return out

    def facets_in(self, text: str) -> list[str]:
        """Facet ids asked in `text`, in data order ("%" asks a share: "% with a lambda clone?")."""
        norm = normalise(text) + (" percent" if "%" in text else "")
        # also read without the words that only soften ("has anyone actually treated ..." asks "anyone treated")
        plain = " ".join(self._politeness.sub(" ", norm).split()) if self._politeness is not None else norm
        return [fid for fid, pattern in self._facet_patterns if pattern is not None and (pattern.search(norm) or pattern.search(plain))]

    def covers(self, fact: Any, facets: list[str]) -> bool:
        """Whether a fact's own words (title, answer, questions, keywords) ask or answer every facet given."""
        document = normalise(" ".join([fact.title, fact.answer, *fact.questions, *fact.keywords]))
        return all(
            (pattern := dict(self._facet_patterns).get(f)) is not None and pattern.search(document) is not None
            for f in facets
        )

    def states(self, fact: Any, facets: list[str]) -> bool:
        """Whether a fact's answer (with its title) states every facet given: by the facet's `states` expressions on
        the answer as written ("51 patients" states a patient count; a trial's "how many cycles" question does not),
        else by the facet's words in it. Its questions and keywords do not count: they say what is asked, not answered."""
        if not facets:
            return False
        written = f"{fact.title}\n{fact.answer}"
        document = normalise(written)
        patterns = dict(self._facet_patterns)
        for facet in facets:
            statements = self._facet_statements.get(facet)
            if statements is not None:
                if not any(r.search(written) for r in statements):
                    return False
            elif (pattern := patterns.get(facet)) is None or pattern.search(document) is None:
                return False
        return True

    def names_outside(self, text: str, fact: Any) -> list[str]:
        """The treatments and cohorts a turn names that a fact is neither about nor names in its title or answer
        ("steroid dose?" answered by the melphalan dose: the dose it states is another drug's). Findings do not count:
        "my pt has papilledema, is bevacizumab safe?" asks about bevacizumab."""
        about = set(self.fact_entities(fact.id))
        written = normalise(f"{fact.title} {fact.answer}")
        return [e for e in self.entities_in(text) if e not in about and self.entities[e].kind in SUBJECT_KINDS
                and not any(p is not None and p.search(written) for eid, p in self._entity_patterns if eid == e)]

    def neighbourhood(self, fact: Any, entities: list[str]) -> list[str]:
        """The facts near a focus: the fact, its related facts, and the facts of its entities."""
        ids = [fact.id, *fact.related]
        for e in entities:
            if e in self.entities:
                ids += self.entities[e].facts
        return list(dict.fromkeys(ids))

    def narrow(self, answer: str, facets: list[str]) -> str | None:
        """The bullets of a Markdown answer that speak to the facets asked ("how is it treated?" -> the
        corticosteroid bullet), under the answer's lead-in line; None when none or all of them do."""
        patterns = [p for f, p in self._facet_patterns if f in facets and p is not None]
        if not patterns:
            return None
        lines = answer.strip().split("\n")
        items: list[list[str]] = []
        lead: list[str] = []
        for line in lines:
            if line.lstrip().startswith(("- ", "* ")):
                items.append([line])
            elif items and line.startswith("  "):
                items[-1].append(line)  # a bullet's continuation line
            elif not items:
                lead.append(line)
            else:
                return None  # prose after the list: keep the card whole
        kept = [i for i in items if any(p.search(normalise(" ".join(i))) for p in patterns)]
        if not kept or len(kept) == len(items):
            return None
        return "\n".join(lead + [line for item in kept for line in item])

    def content_words(self, text: str) -> list[str]:
        """The words of a turn that say what it asks about: not pronouns, openers, fillers or facet-only words."""
        norm = normalise(text)
        for _, pattern in self._facet_patterns:
            if pattern is not None:
                norm = pattern.sub(" ", norm)
        if self._pronouns is not None:
            norm = self._pronouns.sub(" ", norm)
        return [w for w in norm.split() if w not in self._fillers and (len(w) > 1 or w.isdigit())]

    def fact_entities(self, fact_id: str | None) -> list[str]:
        """The entities a fact is about (from the entities' `facts`)."""
        return list(self._fact_entities.get(fact_id or "", []))

    def _rest(self, norm: str) -> list[str]:
        """The words of a normalised turn that are not pronouns, openers, fillers, facets or entities."""
        for _, pattern in self._facet_patterns + self._entity_patterns:
            if pattern is not None:
                norm = pattern.sub(" ", norm)
        if self._pronouns is not None:
            norm = self._pronouns.sub(" ", norm)
        return [w for w in norm.split() if w not in self._fillers and not w.isdigit()]


__all__ = ["SUBJECT_KINDS", "TermReading"]
