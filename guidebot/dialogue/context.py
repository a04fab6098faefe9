"""Reading a turn against the conversation: `ConversationReader`, the compiled `knowledge/conversation.yaml`.

Every word list lives in `knowledge/conversation.yaml` (schema `ConversationFile`); the reader compiles it once
per knowledge base and applies a few rules, each of which a test pins. Its parts, one module each:

- `messages.py` (`MessageReading`): a whole message that is a small-talk phrase, an act phrase (why / source /
  more / define) or an undo phrase is that, and nothing else;
- `patients.py` (`PatientReading`): a message records findings only when it describes a patient (`patient_cues`),
  answers the slot the bot waits for, or adds to a patient being described (the focus is the current patient);
- `terms.py` (`TermReading`): the entities and facets a turn names, what a fact states;
- `rewrite.py` (`FocusReading`): a follow-up is read against the `Focus` (focus.py: the last answered fact, its
  section, the entities and facets it was about, whether it was about the current patient): the turn is routed
  alone and rewritten with the focus's entities and facets, and `choose` (choice.py) picks one reading by the
  rule in its docstring.
"""

from __future__ import annotations

import re
from typing import Any

from guidebot.dialogue.focus import abbreviation_key, normalise, phrase_pattern
from guidebot.dialogue.messages import MessageReading, _symbols, deictic
from guidebot.dialogue.patients import PatientReading
from guidebot.dialogue.rewrite import FocusReading
from guidebot.dialogue.terms import TermReading


class ConversationReader(MessageReading, PatientReading, TermReading, FocusReading):
    """The compiled `conversation.yaml`; all methods are pure."""

    _compiled: dict[int, tuple[Any, ConversationReader]] = {}

    @classmethod
    def of(cls, data: Any) -> ConversationReader:
        """The reader of `data`, compiled once per loaded knowledge base (a chat starts in microseconds)."""
        key = id(data)
        cached = cls._compiled.get(key)
        if cached is None or cached[0] is not data:
            if len(cls._compiled) > 8:
                cls._compiled.clear()
            cached = cls._compiled[key] = (data, cls(data))
        return cached[1]

    def __init__(self, data: Any):
        self.data = data
        # a phrase of symbols only ("👍", ":)") is keyed by its symbols
        self._smalltalk = {normalise(p) or _symbols(p): s for s in data.smalltalk for p in s.phrases}
        self._acts = {deictic(normalise(p)): a.id for a in data.acts for p in a.phrases}
        self._undo = {normalise(p) for p in data.undo}
        self._cues = [re.compile(c, re.I) for c in data.patient_cues]
        self._glossary: dict[str, tuple[str, str]] = {}
        self.glossary_expansions = data.glossary_expansions()
        for k, v in self.glossary_expansions.items():  # "CR_V", "CRV", "cr-v": one entry, the first spelling listed
            self._glossary.setdefault(abbreviation_key(k), (k, v))
        # expansions the review never spells out: the define reply says the expansion is the usual one, not the review's
        self.not_spelt_out = frozenset(data.glossary_not_spelt_out())
        self._pronouns = phrase_pattern(data.followup.pronouns)
        self._thing_pronouns = phrase_pattern([p for p in data.followup.pronouns
                                               if normalise(p) not in {normalise(q) for q in data.followup.patient_pronouns}])
        self._openers = sorted((normalise(o) for o in data.followup.openers), key=len, reverse=True)
        switches = sorted({normalise(w) for w in data.followup.switches if normalise(w)}, key=len, reverse=True)
        self._switch = re.compile(r"^\W*(?:" + "|".join(re.escape(w).replace(r"\ ", r"\W+") for w in switches) + r")\b[\s,.:;!-]*",
                                  re.I) if switches else None
        self._fillers = {normalise(f) for f in data.followup.fillers}
        self._vocatives = {normalise(v) for v in data.followup.vocatives if normalise(v)}
        self._doubts = sorted({normalise(d) for d in data.followup.doubts if normalise(d)}, key=len, reverse=True)
        self._own_claims = sorted({normalise(c) for c in data.followup.own_claims if normalise(c)}, key=len,
                                  reverse=True)
        self._politeness = phrase_pattern(data.followup.politeness)
        self._prefixes = sorted(((normalise(p), a.id) for a in data.acts for p in a.prefixes), key=lambda x: -len(x[0]))
        self._entity_patterns = [(e.id, phrase_pattern(e.words)) for e in data.entities]
        self._facet_patterns = [(f.id, phrase_pattern(f.words)) for f in data.facets]
        self._facet_statements = {f.id: [re.compile(r, re.I) for r in f.states] for f in data.facets if f.states}
        self.entities = {e.id: e for e in data.entities}
        self.facets = {f.id: f for f in data.facets}
        self._templates = [(self._template(t), False) for a in data.acts if a.id == "define" for t in a.templates]
        self._templates += [(self._template(t), True) for a in data.acts if a.id == "define" for t in a.weak_templates]
        self._define_cues = phrase_pattern([c for a in data.acts if a.id == "define" for c in a.cues])
        self._act_keywords = [(a.id, phrase_pattern(a.keywords)) for a in data.acts if a.keywords]
        self._act_words = {normalise(k): a.id for a in data.acts for k in a.keywords if " " not in normalise(k)}
        # as written and as its key: "crv" is CR_V
        self._glossary_terms = phrase_pattern([*data.glossary, *self._glossary])
        self._qualifier_leads = [(kind, self._lead(words)) for kind, words in
                                 (("setting", data.followup.settings), ("scope", data.followup.scopes),
                                  ("contrast", data.followup.contrasts))]
        self._contrast_words = phrase_pattern(data.followup.contrasts)
        self._demonstratives = phrase_pattern(data.followup.demonstratives)
        self._possessives = phrase_pattern(data.followup.possessives)
        self._references = phrase_pattern(data.followup.references)
        self._others = phrase_pattern(data.followup.others)
        self._next_steps = phrase_pattern(data.next_steps.words) if data.next_steps is not None else None
        self._answer_references = phrase_pattern(data.followup.answer_references)
        self._scope_leads = frozenset(normalise(w) for w in (*data.followup.scopes, *data.followup.settings))
        self._companions = frozenset(normalise(w) for w in data.followup.companions if normalise(w))
        self._people = frozenset(normalise(w) for w in data.followup.people if normalise(w))
        self._population = phrase_pattern([f"{w} with" for w in data.followup.people])
        self._doubt_hedges = frozenset(normalise(w) for w in data.followup.doubt_hedges if normalise(w))
        self._question_starts = [normalise(w) for w in data.followup.question_starts if normalise(w)]

    @staticmethod
    def _lead(words: list[str]) -> re.Pattern[str] | None:
        """Finds one of `words` (and perhaps an article) at the end of a normalised text, just before an entity."""
        items = sorted({normalise(w) for w in words if normalise(w)}, key=len, reverse=True)
        if not items:
            return None
        return re.compile(r"(?:^|\s)(?:" + "|".join(re.escape(w) for w in items) + r")\s+(?:(?:the|a|an)\s+)?$")

    @staticmethod
    def _template(template: str) -> re.Pattern[str]:
        head, _, tail = normalise(template.replace("{term}", " qqtermqq ")).partition("qqtermqq")
        # words may follow a template that goes on after the term ("what does CR_H mean in that figure"),
        # never one that ends with it ("what is the VEGF cutoff" does not ask what VEGF means)
        trailing = r"(?P<more>\s.*)?" if tail.strip() else ""
        return re.compile("^" + re.escape(head) + r"(?P<term>[\w/+\-]+)" + re.escape(tail) + trailing + "$")


__all__ = ["ConversationReader"]
