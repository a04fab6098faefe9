"""Reading a follow-up against the focus: whether it leans on the last answer, the turn rewritten with the focus's
entities and facets, and the facts near the focus that may answer it (a titled sibling, an echo of the last answer,
the fact a bare term picks).

`FocusReading` is one part of `ConversationReader` (guidebot.dialogue.context). A follow-up is routed alone and
rewritten here; `choose` (guidebot.dialogue.choice) picks one reading.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from guidebot.dialogue.focus import Focus, Rewrite, abbreviation_key, normalise, opens_with

LEANING_MAX_WORDS = 6
"""A message with a pronoun leans on the last answer only when it is at most this long."""

ECHO_MAX_WORDS = 5
"""A turn of at most this many words that only repeats terms of the last answer is answered by that answer's fact."""

SIBLING_MAX_WORDS = 2
"""A leaning turn of at most this many content words may be answered by a fact near the focus titled with them."""

ELLIPSIS_MAX_WORDS = 1
"""A turn of at most this many words, naming no entity, leans on the focus ("major?", "combos?")."""

COMPARED_ENTITIES = 2
"""A focus about more entities than this (a comparison) lends a follow-up its fact's name, not its first entity."""

SUBJECT_ENTITIES = 1
"""How many of the focus's entities a leaning turn is rewritten with (more pull it towards facts naming them all)."""

QUALIFIERS_KEEP_SUBJECT = True
"""Whether an entity named only as a setting ("and after transplant?") leaves the focus's subject the turn's subject
(switch for ablation)."""

PRONOUN_SIBLING_OF_SUBJECT = True
"""Whether a turn pointing by a pronoun ("risk factors for it") may be answered by a nearby fact titled with its
words only when that fact is about the focus's subject, the thing "it" means (switch for ablation)."""

PICKED_AMONG = 2
"""A bare term picks one of the things the last answer set side by side when that answer names at least this many
things of its kind (the Mayo, UCLH and EBMT cohorts)."""

CONTRASTS_KEEP_SUBJECT = True
"""Whether "vs X" after a card that is no comparison keeps the card's subject and compares it with X (switch for
ablation)."""

ECHO_INFLECTIONS = True
"""Whether a terse turn echoes the last answer also by a word made from one of its words by an ending ("painful?"
after "frequency, pain and imaging"; the endings are `followup.endings`), not only by the word itself (switch for
ablation)."""
ECHO_STEM = 4
"""The shortest word of the last answer another word may be made from."""

QUALIFIERS_LAST = True
"""Whether a focus lists the entities a turn names as subjects before those it names as qualifiers ("ES rate in the
mayo series": engraftment syndrome, then Mayo), so that a later "it" means the subject (switch for ablation)."""

DETERMINER_KEEPS_SUBJECT = True
"""Whether a turn that names something new and points back with a determiner ("% with a lambda clone in that study",
"its neuropathy") keeps the focus's subject as its own, rather than being read alone (switch for ablation)."""
OBJECT_PRONOUN_KEEPS_SUBJECT = True
"""Whether a thing pronoun right after a `followup.companions` word ("neuropathy worse *w it*?", "any responses *on
them*") points back at the focus's subject, as a demonstrative after a scope word does: the new entity is asked of
the subject, not read alone (switch for ablation)."""


PRONOUN_IS_THE_SUBJECT = True
"""Whether a leaning turn that names something new and has a thing pronoun standing for a noun of its own ("and how
is that usually managed, is it essentially just steroids?" after engraftment syndrome: "that" is the syndrome,
steroids what is asked of it) is rewritten with the focus's subject in the pronoun's place, as a turn naming nothing
is; not a "that" after a word of content ("other things that add to their risk"), which is no pronoun (switch for
ablation, round 12)."""


REFERENCES_LEAN = True
"""Whether a referring phrase (`followup.references`: "the former", "the latter"; `followup.answer_references`: "the
second study") makes a turn of any length lean on the focus, and is replaced in the rewrite by the focus's subject or
the last answered fact's name ("is the axonal component really more prominent in the former?" after POEMS versus
CIDP; "the second study included relapsed patients too, right?" after the pooled lenalidomide analysis) (switch for
ablation, round 12)."""


ORDINAL_REFERENCES = ({"former", "first"}, {"latter", "second"})
"""Words of a referring phrase that pick the first or the second of two things named (`REFERENCES_LEAN`)."""


class FocusReading:
    """Leaning, the rewrite, and the facts near the focus (a part of `ConversationReader`; all methods are pure)."""

    # compiled by ConversationReader.__init__
    data: Any
    _glossary: dict[str, tuple[str, str]]
    _pronouns: re.Pattern[str] | None
    _thing_pronouns: re.Pattern[str] | None
    _openers: list[str]
    _demonstratives: re.Pattern[str] | None
    _possessives: re.Pattern[str] | None
    _references: re.Pattern[str] | None
    _others: re.Pattern[str] | None
    _next_steps: re.Pattern[str] | None
    _answer_references: re.Pattern[str] | None
    _scope_leads: frozenset[str]
    _companions: frozenset[str]
    _people: frozenset[str]
    _thing_pronouns: re.Pattern[str] | None
    _entity_patterns: list[tuple[str, re.Pattern[str] | None]]
    entities: dict[str, Any]
    facets: dict[str, Any]

    if TYPE_CHECKING:  # from the other parts of ConversationReader
        def entities_in(self, text: str) -> list[str]: ...
        def facets_in(self, text: str) -> list[str]: ...
        def qualifiers(self, text: str) -> dict[str, str]: ...
        def compares(self, answer: str) -> bool: ...
        def content_words(self, text: str) -> list[str]: ...
        def _rest(self, norm: str) -> list[str]: ...

    def leans(self, text: str) -> bool:
        """Whether a message leans on the last answer: it starts with an opener ("and neuropathy"), or is short
        and has a pronoun ("% w lambda clone in that study"); a long description with an "it" does not."""
        norm = normalise(text)
        if opens_with(norm, self._openers) is not None:
            return True
        return len(norm.split()) <= LEANING_MAX_WORDS and bool(self._pronouns and self._pronouns.search(norm))

    def opens(self, text: str) -> bool:
        """Whether a message starts with an opener ("and ...", "what about ..."): it asks the same of something else."""
        norm = normalise(text)
        return opens_with(norm, self._openers) is not None

    def only_setting(self, norm: str, names: list[str], focus_text: str | None = None) -> bool:
        """Whether a normalised turn names `names` only as its setting and says nothing else of its own ("and after
        transplant?", "post hct?"); given the last answer, also only as what the subject is compared with ("vs
        myeloma?"), unless that answer is itself a comparison (then "vs myeloma?" names a new partner)."""
        kinds = {"setting"}
        if focus_text is not None and CONTRASTS_KEEP_SUBJECT and not self.compares(focus_text):
            kinds.add("contrast")
        if not names or not all(self.qualifiers(norm).get(e) in kinds for e in names):
            return False
        settings = {w for s in self.data.followup.settings for w in normalise(s).split()}
        return all(w in settings for w in self._rest(norm))

    def term_entity_facts(self, term: str, focus: Focus) -> list[str]:
        """The facts of the entity a bare term names, when that entity is not the focus's subject and the focused
        fact is not one of its facts ("uclh" after the cohorts compared: the UCLH cohort's row); else none. Nor when
        the last answer spells the term out: a key of abbreviations ("and ES?" after the table's key) is read for
        the meaning."""
        named = [e for e in self.entities_in(term) if e not in focus.entities[:1]]
        entry = self._glossary.get(abbreviation_key(term))
        if len(named) != 1 or (entry is not None and normalise(entry[1]) in normalise(focus.text)):
            return []
        kind = self.entities[named[0]].kind
        if len([e for e in self.entities_in(focus.text) if self.entities[e].kind == kind]) < PICKED_AMONG:
            return []  # only a pick among the things the last answer compared (cohorts side by side), not any term
        facts = list(self.entities[named[0]].facts)
        return [] if focus.fact in facts else facts

    def echoes(self, text: str, fact: Any) -> bool:
        """Whether every content word of a short turn is a word of the fact's answer or title: the turn picks a term
        out of the last answer ("TRM?", "CR_V?", "ES rate?" after a cohort's Table row)."""
        words = [p for w in self.content_words(text) for p in re.split(r"[-/+]", w) if p]
        if not words:
            return False
        document = set(re.split(r"[\s/+\-]+", normalise(f"{fact.title} {fact.answer}")))
        if not ECHO_INFLECTIONS:
            return all(w in document for w in words)
        # or a word made from one of the answer's by an ending ("painful?" after "pain and imaging")
        stems = {d for d in document if len(d) >= ECHO_STEM}
        endings = {normalise(e) for e in self.data.followup.endings}
        return all(w in document or any(w.startswith(d) and w[len(d):] in endings for d in stems) for w in words)

    def titled_sibling(self, text: str, facts: list[Any], *, headed: bool = False) -> str | None:
        """The one fact among `facts` whose title names every content word of a short leaning turn
        ("major?" -> "Major criteria", "and neuropathy" -> "Neuropathy: AL amyloidosis versus POEMS").
        The caller asks this only of a turn asking no facet: "bortezomib dose?" is not "Bortezomib-based regimens".
        `headed`: only a title that starts with one of the words ("pain?" after axonal loss is not "Sclerotic bone
        lesions: frequency, pain and imaging", a word deep in a title of a fact merely in the same section)."""
        words = self.content_words(text)
        if not words or len(words) > SIBLING_MAX_WORDS:
            return None
        def same(t: str, w: str) -> bool:
            return t == w or (len(w) >= 4 and t.startswith(w[:max(4, len(w) - 2)]))

        hits: list[tuple[tuple[int, int], str]] = []
        for fact in facts:
            title = normalise(fact.title).split()
            if all(any(same(t, w) for t in title) for w in words):
                first = min(i for i, t in enumerate(title) if any(same(t, w) for w in words))
                if headed and first > 0:
                    continue
                hits.append(((first, len(title)), fact.id))
        # the title headed by the words, then the one they fill best ("minor" -> "Minor criteria", not
        # "Polycythemia ... (one minor criterion)"; "neuropathy" -> "Neuropathy: AL amyloidosis versus POEMS")
        best = [fact_id for key, fact_id in hits if key == min(k for k, _ in hits)]
        return best[0] if len(best) == 1 else None

    def entity_fact_in_section(self, rewrite: Rewrite, section: Any, sections: dict[str, Any], focused: str) -> str | None:
        """For a turn that is nothing but one new entity ("and echo?"), the one fact of that entity in the focused
        fact's section (the work-up's echocardiogram, not the echo findings), or None."""
        if not (rewrite.bare and len(rewrite.names) == 1) or rewrite.facets:
            return None
        entity = self.entities.get(rewrite.names[0])
        facts = [f for f in (entity.facts if entity else []) if f != focused and sections.get(f) == section]
        return facts[0] if len(facts) == 1 else None

    def rewrite(self, text: str, focus: Focus) -> Rewrite:
        """The turn read against the focus (see the module docstring)."""
        norm = normalise(text)
        names = [e for e in self.entities_in(text) if e not in focus.entities]
        facets = self.facets_in(text)
        pronoun = bool(self._pronouns and self._pronouns.search(norm))
        opener = opens_with(norm, self._openers) is not None
        rest = self._rest(norm)
        # a one-word ellipsis ("major?", "catch?") leans as a pronoun does
        elliptical = not names and len(rest) <= ELLIPSIS_MAX_WORDS and len(norm.split()) <= ELLIPSIS_MAX_WORDS
        leans = pronoun or opener or (not rest and not names) or elliptical
        referring = self.refers_back(norm, focus)
        leans = leans or referring is not None
        only_elliptical = elliptical and not (pronoun or opener or (not rest and not names))
        bare = not rest
        # a bare entity ("and neuropathy" after amyloidosis) is read with the focus's main entity beside it
        subject = [self._name(e) for e in (focus.entities[:SUBJECT_ENTITIES] if not names else focus.entities[:1] if bare else [])]
        kept = QUALIFIERS_KEEP_SUBJECT and self.only_setting(norm, names, focus.text)
        if kept:
            bare = False  # "vs myeloma?" after the lesions is not a bare new entity: it qualifies the focus's subject
        if names and not subject and kept:
            # "and after transplant?" after daratumumab: the new entity is when, the subject is still the focus's
            # (not "should she have induction before the transplant?", which names a subject of its own)
            subject = [self._name(e) for e in focus.entities[:SUBJECT_ENTITIES]]
        if DETERMINER_KEEPS_SUBJECT and names and not bare and not subject and self.points_back(norm):
            # "is the neuropathy different in those?" after a cohort: the neuropathy in that cohort
            subject = [self._name(e) for e in focus.entities[:1]]
        if (PRONOUN_IS_THE_SUBJECT and names and not bare and not subject and (pronoun or opener)
                and self.pronoun_stands_alone(norm)):
            # "how is that managed, is it just steroids?": the pronoun is the subject, the new entity asked of it
            subject = [self._name(e) for e in focus.entities[:1]]
        if len(focus.entities) > COMPARED_ENTITIES and not names and focus.fact:
            subject = []  # a comparison of several things ("hct vs len dex vs mel dex"): the fact is the subject
        if not subject and not names and focus.fact:
            subject = [focus.fact.split(".", 1)[-1].replace("_", " ")]
        # the same facet for another entity ("and the EBMT cohort?"); a turn naming no entity keeps its own
        extra_facets = [self.facets[f].words[0] for f in focus.facets if f in self.facets] if names and not facets else []
        parts = [text.rstrip("?. ")]
        if pronoun and not (self._thing_pronouns and self._thing_pronouns.search(norm)) and focus.patient:
            subject = []  # "what can we give him?": him is the patient, not the focus's first entity
        if pronoun and subject and self._thing_pronouns is not None and self._thing_pronouns.search(norm):
            parts = [self._thing_pronouns.sub(subject[0], norm, count=1)]
            subject = subject[1:]
        if referring is not None:  # "in the former" -> "in neuropathy"; "the second study" -> "lenalidomide meta analysis"
            pattern, meant = referring
            parts, subject = [pattern.sub(meant, norm, count=1)], [s for s in subject if s != meant]
        rewritten = " ".join(parts + subject + extra_facets)
        return Rewrite(rewritten, names, facets, leans, bare, only_elliptical)

    def refers_back(self, norm: str, focus: Focus) -> tuple[re.Pattern[str], str] | None:
        """The referring phrase of a normalised turn and what it stands for (`REFERENCES_LEAN`), or None."""
        if not REFERENCES_LEAN:
            return None
        if self._answer_references is not None and focus.fact and self._answer_references.search(norm):
            return self._answer_references, focus.fact.split(".", 1)[-1].replace("_", " ")
        found = self._references.search(norm) if self._references is not None else None
        if found is not None and (focus.entities or focus.fact):
            meant = self._name(focus.entities[0]) if focus.entities else (focus.fact or "").split(".", 1)[-1].replace("_", " ")
            # "the former"/"the latter": the first/second of the two things the last question named ("daratumumab or
            # lenalidomide?"), else the focus's subject
            place = next((i for i, words in enumerate(ORDINAL_REFERENCES) if set(found.group(0).split()) & words), None)
            if place is not None and len(focus.named) >= 2:
                meant = self._name(focus.named[place])
            return self._references, meant
        return None

    def entities_in_order(self, text: str) -> list[str]:
        """Entity ids named in `text`, in the order the text names them."""
        norm = normalise(text)
        found = [(m.start(), eid) for eid, pattern in self._entity_patterns
                 if pattern is not None and (m := pattern.search(norm)) is not None]
        return [eid for _, eid in sorted(found)]

    def asks_next_step(self, text: str) -> bool:
        """Whether a turn asks the next step (`next_steps.words`: "what next", "what would you do next")."""
        return bool(self._next_steps is not None and self._next_steps.search(normalise(text)))

    def only_asks_next_step(self, text: str) -> bool:
        """Whether a turn asks the next step and states nothing of its own: besides the `next_steps.words` phrase only
        filler words ("ok so what would you do next"), not a new state ("CR_V achieved, what next?", "her platelets are
        900 now, what next?"), which is no generic next step of the patient recorded."""
        if self._next_steps is None or not self._next_steps.search(normalise(text)):
            return False
        # a clause beside the one asking is a state of its own ("CR_V achieved, what next?"); words in the asking
        # clause qualify the ask ("what would you do next before we decide on treatment?")
        others = [c for c in re.split(r"[,;:.!?]+|\s+-\s+", text) if not self._next_steps.search(normalise(c))]
        return all(w in self._fillers for c in others for w in normalise(c).split())

    def asks_other(self, text: str) -> bool:
        """Whether a turn asks for something besides the last answer (`followup.others`: "other things", "what else")."""
        return bool(self._others is not None and self._others.search(normalise(text)))

    def pronoun_stands_alone(self, norm: str) -> bool:
        """Whether the first thing pronoun of a normalised turn stands for the focus's subject: before any entity the
        turn names, at the start or after a filler word ("how is that managed", "is it"), not after a word of
        content ("other things that add")."""
        m = self._thing_pronouns.search(norm) if self._thing_pronouns is not None else None
        if m is None:
            return False
        before = norm[:m.start()].split()
        if any(p is not None and p.search(norm[:m.start()]) for _, p in self._entity_patterns):
            return False  # "what about ixazomib, would that be better?": the pronoun is the entity just named
        after = norm[m.end():].strip()
        if any(p is not None and p.match(after) for _, p in self._entity_patterns):
            return False  # "is that vegf level useful?": a determiner of the new entity, no pronoun
        if re.search(r"\bthat\b|\bwhich\b|\bwho\b", after):
            return False  # "is it thrombosis that kills them?": a cleft; the subject in its place asks something else
        if self._people_with(before):
            return False  # "how many patients with it have lesions?": those who have the disease, not the subject
        return not before or before[-1] in self._fillers

    def as_disease(self, text: str) -> str:
        """The turn with its pronouns for a thing read as the disease ("what causes this" -> "what causes poems")."""
        norm = normalise(text)
        if not self.data.followup.disease or self._thing_pronouns is None:
            return norm
        return self._thing_pronouns.sub(normalise(self.data.followup.disease[0]), norm)

    def points_back(self, norm: str) -> bool:
        """Whether a normalised turn points back at something by a possessive ("its neuropathy") or by a
        demonstrative right after a scope or setting word and not before an entity word ("in that study")."""
        if self._possessives is not None and self._possessives.search(norm):
            return True
        for m in (self._demonstratives.finditer(norm) if self._demonstratives is not None else ()):
            before, after = norm[:m.start()].split(), norm[m.end():].lstrip()
            # only where the subject stands as a scope ("in those", "after that"): "what does that mean" points
            # at the turn's own finding, and "all that VEGF" is the VEGF itself
            if before and before[-1] in self._scope_leads and not any(p is not None and p.match(after) for _, p in self._entity_patterns):
                return True
        if OBJECT_PRONOUN_KEEPS_SUBJECT and self._thing_pronouns is not None:
            # "worse w it?": the pronoun as what goes with the new entity is the subject
            for m in self._thing_pronouns.finditer(norm):
                before = norm[:m.start()].split()
                if before and before[-1] in self._companions and not self._people_with(before):
                    return True
        return False

    def _people_with(self, before: list[str]) -> bool:
        """Whether the words before a pronoun end with people and a companion ("patients with"): "patients with it"
        have the disease, so "it" means POEMS, not the focus's subject (`followup.people`)."""
        return len(before) > 1 and before[-1] in self._companions and before[-2] in self._people

    def _name(self, entity_id: str) -> str:
        entity = self.entities.get(entity_id)
        return entity.words[0] if entity else entity_id.replace("_", " ")


__all__ = [
    "CONTRASTS_KEEP_SUBJECT", "DETERMINER_KEEPS_SUBJECT", "ECHO_INFLECTIONS", "ECHO_MAX_WORDS", "OBJECT_PRONOUN_KEEPS_SUBJECT",
    "PRONOUN_IS_THE_SUBJECT", "PRONOUN_SIBLING_OF_SUBJECT", "QUALIFIERS_KEEP_SUBJECT", "QUALIFIERS_LAST",
    "REFERENCES_LEAN", "FocusReading",
]
