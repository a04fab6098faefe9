"""Reading free text against the focus: the dialogue manager's half that decides how a turn outside a follow-up
question is read (alone, rewritten with the focus, or answered by a fact near it) before anything is answered.

`TurnReading` is a mixin of `DialogueManager` (guidebot.dialogue.manager), which owns the state, the router and the
event log; nothing here emits an event. It asks the router and `ConversationReader` (guidebot.dialogue.context):
the turn alone, the sibling, echo and new-topic mechanisms in the order `_read_turn` tries them, then `choose`
(guidebot.dialogue.choice) between the two readings and `stays` for the focus's neighbourhood.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from guidebot.dialogue import rewrite as rewrite_rules
from guidebot.dialogue.choice import DECLINES_NAMING_SOMETHING_ELSE, STAY_MARGIN, choose, stays
from guidebot.dialogue.findings import extract_findings
from guidebot.dialogue.focus import Focus
from guidebot.dialogue.focus import normalise as plain_words
from guidebot.dialogue.inputs import PATIENT as _PATIENT
from guidebot.dialogue.inputs import looks_like_question
from guidebot.dialogue.render import field_label
from guidebot.dialogue.replies import normalise
from guidebot.dialogue.rewrite import ECHO_MAX_WORDS
from guidebot.dialogue.turns import Reading

if TYPE_CHECKING:
    from guidebot.dialogue.context import ConversationReader
    from guidebot.dialogue.state import ConversationState

MIN_UNKNOWN_NAME = 2
"""An unknown word this long or longer in a follow-up is read as naming another drug or disease."""

# Round 5 and later mechanisms, each a switch so that `guidebot eval --dialogue` can be run with it off (ablation)
SECTION_SIBLING_HEADED = True
"""Whether a leaning turn is answered by a fact of the focused fact's section only when that fact's title starts with
the turn's words (a word deep in such a title, "pain" in "Sclerotic bone lesions: frequency, pain and imaging", is not
enough to leave the focus)."""
TOPIC_SIBLINGS = True
"""Whether a short follow-up may be answered by a fact titled with its words among the facts around the focus's
subject (its own facts and their related facts), after those around the last card (switch for ablation)."""
STRICT_FACETS_NEAR_FOCUS_ONLY = True
"""The strict-facet decline (`not_stated`) judges only readings of the focus (switch probe, round 11)."""
NEW_TOPIC_STARTS_FOCUS = True
"""Whether a turn naming only entities outside the focus, which alone reaches a fact of one of them with confidence
`NEW_TOPIC_CONFIDENCE`, starts a new focus before any focus mechanism (siblings, echoes, qualifiers) reads it
("daratumumab?" after the lenalidomide card is the daratumumab card, not the sibling daratumumab trial)."""
NEW_TOPIC_CONFIDENCE = 0.6
PATIENT_NAMES_TREATMENT = True
"""Whether a short turn naming one treatment for a recorded patient ("so rt?" after a single lesion and a clean
marrow) is answered by the fact her findings lead to by Figure 3 when that fact is about the treatment named."""
TREATMENTS_AS_ALTERNATIVES = True
"""Whether a turn setting treatments side by side for a recorded patient ("so rt or systemic?") is answered, as a turn
naming one is (`PATIENT_NAMES_TREATMENT`), by the fact her findings lead to when it is about one of them (switch for
ablation)."""
POINTED_ENTITY_IS_OF_SUBJECT = True
"""Whether a short turn naming an entity and pointing at the focus's subject with a pronoun ("neuropathy with it?")
is read as asking that entity of the subject (in context when answered so), not as a bare entity."""
PRONOUN_MAY_MEAN_DISEASE = True
"""Whether a question longer than `rewrite.LEANING_MAX_WORDS` words leaning only by a pronoun for a thing is read alone
when, with the pronoun read as the disease, the router answers it more surely (by `DISEASE_MARGIN`) than with the
focus's subject ("what can we offer if it comes back?" after the bevacizumab card: POEMS comes back, not
bevacizumab) (switch for ablation)."""
DISEASE_MARGIN = 0.1
LEANING_ENTITY_ANCHORED = True
"""Whether a leaning turn naming one new entity, read in context, is answered by that entity's own fact when the
router's pick is another fact and the entity's scores within `STAY_MARGIN` of it ("and bortezomib, anti-vegf too?"
after the IMiDs card: the bortezomib card, not the anti-VEGF antibody's), as a turn that does not lean is (`_anchored`)
(switch for ablation)."""
FOCUS_STATES_WHAT_ALONE_DECLINES = True
"""Whether a turn naming something the last answer names, asking facets that answer states, is answered by it when the
turn alone is declined for what it asks ("how long for the neuropathy to improve" after the goals of treatment and
their timeline), not for naming something else (switch for ablation)."""
PATIENT_VALUE_REPORTS = True
"""Whether, in a conversation that already has a patient, a statement opening with a measured finding and then saying
something of it ("Plasma VEGF 850 pg/mL, consistent with POEMS", "M-protein IgG lambda 0.4 g/dL, associated with a
demyelinating neuropathy") reports her findings, though its comment names the disease or a question word; a question
mark, a clause opening with an interrogative, a supposition, a lone clause, a threshold or a question word or the
disease in the opening clause ("vegf 200 cutoff sensitivity", "vegf 200 vs 1000") still ask (switch for ablation)."""
NEW_TOPIC_KINDS = frozenset({"drug", "cohort", "complication", "mechanism"})
"""Entity kinds that are a topic of their own when named outside the focus (see `NEW_TOPIC_STARTS_FOCUS`)."""
CLAUSE_BY_CLAUSE = True
"""Whether a long follow-up that leans (or is about the patient) and is declined both alone and in context for a low
score is answered by its best answered clause (switch for ablation, round 12)."""
LOW_SCORE_DECLINES = frozenset({"low_score", "low_coverage", "unlike_review_questions"})
"""Router decline reasons that say only that the wording was not recognised (not that it names something else)."""
CLAUSE_MIN_WORDS = 3
"""The fewest words a clause answering for the whole turn may have."""
OTHER_THAN_THE_LAST = False
"""Whether a follow-up asking for something besides the last answer (`followup.others`) that would be answered by the
last answer's fact again is answered instead by the best fact of a new entity it names ("are there other things that
add to their thrombotic risk?" after the LMWH card is the thrombosis risk card) (switch for ablation, round 12). Off since
round 12's final retrain: worth 0 on every dev writer, the model answers its turns alone."""
PATIENT_NEXT_STEP = True
"""Whether a recorded patient's "what next?" (`next_steps` in conversation.yaml), when alone it is no question of its
own (not answered by a fact with `NEW_TOPIC_CONFIDENCE`), gets the next step of the review's path for the findings recorded: the work-up while
the criteria are not met, the treatment algorithm once they are (switch for ablation, round 12)."""
"""People having something ("patients with polycythemia"): a new entity there qualifies whom the focus is asked of."""
_EXAMPLE_TAIL = re.compile(r"\b(?:like|such as|eg|e g|for example|for instance|including)\s+[\w-]+\W*$")
"""An example given at the end of a question ("..., like lenalidomide")."""
NAMED_FACT_ALONE = True
"""Whether a leaning turn that names a new entity (not only a bare one) is read alone when alone it reaches a fact of an
entity it names at least as surely as the rewrite reaches its fact ("how about polycythemia, is that its own minor
criterion?" after the organomegaly footnote is the polycythemia card, not the minor criteria; "what does the echo
show in those patients?" after pulmonary hypertension is the echocardiography card): the rewrite only pulled it back to
the focus (switch for ablation, round 12)."""


class TurnReading:
    """How a turn is read against the focus (a mixin of DialogueManager; it only reads, never emits)."""

    # provided by DialogueManager
    kb: Any
    state: ConversationState
    reader: ConversationReader | None

    if TYPE_CHECKING:
        router: Any
        case: Any

    def _read(self, text: str, focus: Focus, *, alone: bool = False) -> tuple[Any, str, Reading]:
        """(the router's match, the text answered, how it was read): the turn alone or rewritten with the focus;
        a follow-up asking a strict facet the answering fact does not state is marked `not_stated` (declined).
        `alone`: the turn is already known to be a question of its own (a "why ..." yielding by its own words)."""
        if alone:
            return self.router.route(text), text, Reading(focus.fact, list(focus.entities), "alone")
        match, routed, read = self._read_turn(text, focus)
        reader = self.reader
        other = self._other_than_last(text, match, read, focus)
        if other is not None:
            read = replace(read, stayed=other, other=True)
        if reader is None or not (focus.fact or focus.patient) or read.patient_treatment or read.not_given:
            return match, routed, read
        if read.switch:
            text = routed  # "different topic - ...": the marker asks nothing ("topic" is no misspelt "toxic")
        spelt = self._spelt(text)
        # as typed and as the router spells it: "inclusion criteria?" is not "conclusion criteria" to the facets
        asked = dict.fromkeys(reader.facets_in(spelt) + reader.facets_in(text))
        strict = [f for f in asked if reader.facets[f].strict]
        answering = self.kb.facts.get(read.stayed or (match.intent if match.in_scope and not match.is_flow else None) or "")
        if strict and answering is not None and self._reads_the_focus(read, answering, focus):
            # "any trial with nivolumab?", "adverse event rates in it?": the answer would state none of it;
            # "g-csf dose?" answered by the melphalan dose: it states a dose, but of something the turn did not name
            elsewhere = reader.names_outside(spelt, answering)
            if elsewhere or not reader.states(answering, strict):
                read = replace(read, not_stated=strict, not_stated_in=answering.id, not_stated_for=list(elsewhere))
        return match, routed, read

    def _other_than_last(self, text: str, match: Any, read: Reading, focus: Focus) -> str | None:
        """For a turn asking for something besides the last answer (`OTHER_THAN_THE_LAST`) that would get the same fact
        again, the best fact of an entity the turn names that is not the last answer's; else None."""
        reader = self.reader
        if not OTHER_THAN_THE_LAST or reader is None or not focus.fact or not reader.asks_other(text):
            return None
        answering = read.stayed or (match.intent if match.in_scope and not match.is_flow else None)
        if answering != focus.fact:
            return None
        spelt = self._spelt(text)
        if _EXAMPLE_TAIL.search(normalise(spelt)):
            # "other drugs besides that carry neuropathy risk, like lenalidomide?" after the bortezomib caution: an
            # example says what kind of others are asked for, and the last card's list of them answers it
            return None
        own = [f for e in reader.entities_in(spelt) if e not in focus.entities and e in reader.entities
               for f in reader.entities[e].facts if f != focus.fact and f in self.kb.facts]
        if not own:
            return None
        _, nearest, score = self.router.standing(spelt, list(dict.fromkeys(own)))
        return nearest if nearest is not None and score > 0.0 else None

    def _reads_the_focus(self, read: Reading, answering: Any, focus: Focus) -> bool:
        """Whether the turn's answer is a reading of the focus (in context, kept, or a neighbour of the focused fact),
        so a strict facet it does not state declines it; a question read alone far from the focus is a new topic
        and is answered as it would be in a fresh conversation."""
        if not STRICT_FACETS_NEAR_FOCUS_ONLY or read.reading == "context" or read.stayed:
            return True
        focused = self.kb.facts.get(focus.fact or "")
        return focused is not None and answering.id in self.reader.neighbourhood(focused, focus.entities)

    def _starts_new_topic(self, rewrite: Any, alone: Any, focus: Focus) -> bool:
        """A turn naming only entities outside the focus that alone is confidently about one of them: a new topic."""
        reader = self.reader
        if not NEW_TOPIC_STARTS_FOCUS or reader is None or not rewrite.names:
            return False
        if set(rewrite.names) & set(focus.entities):
            return False
        if not (alone.in_scope and not alone.is_flow and alone.intent in self.kb.facts
                and alone.intent != focus.fact and alone.confidence >= NEW_TOPIC_CONFIDENCE):
            return False
        # a drug, cohort, complication or mechanism is a subject of its own; a criterion, finding or test named after a
        # related card is more often asked of that card ("bone lesions?" after the myeloma comparison)
        return any(e in reader.entities and reader.entities[e].kind in NEW_TOPIC_KINDS
                   and alone.intent in reader.entities[e].facts for e in rewrite.names)

    def _read_turn(self, text: str, focus: Focus) -> tuple[Any, str, Reading]:
        reader = self.reader
        rest = reader.topic_switch(text) if reader is not None else None
        if rest is not None:  # "on a different note, ...": the old focus is dropped, the rest read alone
            return self.router.route(rest), rest, Reading(focus.fact, list(focus.entities), "alone", rest, switch=True)
        alone = self.router.route(text)
        read = Reading(focus.fact, list(focus.entities), "alone")
        if reader is None or not (focus.fact or focus.patient):
            return alone, text, read
        spelt = self._named_values(self._spelt(text))
        rewrite = reader.rewrite(spelt, focus)
        if focus.patient and not rewrite.names and "treatment" in rewrite.facets and focus.approach and rewrite.leans:
            read = replace(read, reading="context", patient_treatment=True)
            return alone, text, read
        if focus.patient and not rewrite.names and "treatment" in rewrite.facets and rewrite.leans:
            # "what are her treatment options?" before an assessment: the fact for what her recorded findings decide;
            # "what would you do next?" asks its whole card, not the part about treatment (`PATIENT_NEXT_STEP`)
            chosen = self._patient_treatment_fact()
            if chosen is not None:
                facets = [] if PATIENT_NEXT_STEP and reader.only_asks_next_step(spelt) else rewrite.facets
                read = replace(read, reading="context", rewritten=rewrite.text, facets=facets, stayed=chosen)
                return alone, text, read
        # "what would you do next?" for a recorded patient; not "poems relapsed after auto-sct, what next", a question
        # of its own that alone is surely answered, nor one stating a new state ("CR_V achieved, what next?"); with no
        # facet: the whole next-step card, not "the part you asked about"
        if (PATIENT_NEXT_STEP and focus.patient and not rewrite.names and reader.only_asks_next_step(spelt)
                and not (alone.in_scope and not alone.is_flow and alone.confidence >= NEW_TOPIC_CONFIDENCE)):
            chosen = self._patient_next_step()
            if chosen is not None:  # "what would you do next?": the work-up, or Figure 3 once the criteria are met
                read = replace(read, reading="context", rewritten=rewrite.text, facets=[], stayed=chosen)
                return alone, text, read
        if PATIENT_NAMES_TREATMENT and focus.patient and not rewrite.facets and self._names_treatments(spelt, rewrite) \
                and all(n in reader.entities and reader.entities[n].kind == "drug" for n in rewrite.names):
            # "so radiation?" for a patient with one lesion and a clean marrow: whether she gets it, not its outcomes;
            # "so rt or systemic?": which of them she gets
            chosen = self._patient_treatment_fact()
            # "xrt vs systemic?": the approach word stands for every systemic option, so her approach is one of those named
            if chosen is not None and (any(chosen in reader.entities[n].facts for n in rewrite.names)
                                       or (TREATMENTS_AS_ALTERNATIVES and self._approaches_named(spelt))):
                read = replace(read, reading="context", rewritten=rewrite.text, names=rewrite.names,
                               facets=rewrite.facets, stayed=chosen)
                return alone, text, read
        fact = self.kb.facts.get(focus.fact or "")
        if fact is not None and not focus.patient and self._starts_new_topic(rewrite, alone, focus):
            read = replace(read, rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets, new_topic=True)
            return alone, text, read
        if fact is not None and (rewrite.leans or rewrite.bare) and not rewrite.facets:
            near = [self.kb.facts[f] for f in reader.neighbourhood(fact, focus.entities) if f in self.kb.facts and f != fact.id]
            pointing = bool(rewrite_rules.PRONOUN_SIBLING_OF_SUBJECT and focus.entities and reader.points_at_thing(spelt))
            if pointing:  # "risk factors for it": "it" is the subject, so only a fact about the subject answers it
                near = [f for f in near if focus.entities[0] in reader.fact_entities(f.id)]
            sibling = reader.titled_sibling(spelt, near)
            if sibling is None and TOPIC_SIBLINGS and focus.entities and not pointing:
                # then the facts around the conversation's topic, not only around the last card ("neuropathy diff?"
                # after the liver tests of the AL amyloidosis comparison: the comparison's neuropathy card)
                topic = [g for f in reader.entities[focus.entities[0]].facts if f in self.kb.facts
                         for g in (f, *self.kb.facts[f].related)] if focus.entities[0] in reader.entities else []
                seen = {f.id for f in near} | {fact.id}
                sibling = reader.titled_sibling(spelt, [self.kb.facts[g] for g in dict.fromkeys(topic)
                                                        if g in self.kb.facts and g not in seen])
            # then, for a turn that leans (not a bare new topic such as "daratumumab"), the focused fact's section
            # ("and the minor ones?" after the major criteria)
            if sibling is None and rewrite.leans and not pointing:
                taken = {f.id for f in near} | {fact.id}
                section = [f for f in self.kb.facts.values() if f.section == fact.section and f.id not in taken]
                sibling = reader.titled_sibling(spelt, section, headed=SECTION_SIBLING_HEADED)
            if sibling is None and rewrite.leans:  # a bare entity ("and echo?" in the work-up): its fact in the focus's section
                sibling = reader.entity_fact_in_section(rewrite, fact.section, {f.id: f.section for f in self.kb.facts.values()}, fact.id)
            if sibling is not None:
                read = replace(read, reading="context", rewritten=rewrite.text, stayed=sibling, sibling=True)
                return alone, text, read
        if (fact is not None and not focus.patient and rewrite.leans and not rewrite.facets and not rewrite.names
                and not reader.entities_in(spelt) and not reader.content_words(spelt) and not alone.is_flow):
            # a turn with nothing of its own ("like what?", "how?", "which ones?"): only the last answer can answer it
            read = replace(read, reading="context", rewritten=rewrite.text, stayed=fact.id, empty=True)
            return alone, text, read
        # nothing but a facet, naming no entity at all ("n?", "toxicity?"; not "what is the VEGF cutoff?")
        bare_facet = (fact is not None and rewrite.bare and bool(rewrite.facets) and not focus.patient
                      and not reader.entities_in(spelt) and not reader.opens(text))
        if bare_facet and not all(reader.facets[f].strict for f in rewrite.facets if f in reader.facets) \
                and reader.states(fact, rewrite.facets):
            # nothing but a facet the focused fact states ("n?" after the pooled lenalidomide analysis of 51 patients):
            # that fact answers it, not another fact about the same drug; "and in serum?" asks it of something else
            read = replace(read, reading="context", rewritten=rewrite.text, names=[], facets=rewrite.facets, stayed=fact.id)
            return alone, text, read
        if (fact is not None and not focus.patient and not reader.opens(text) and len(normalise(text).split()) <= ECHO_MAX_WORDS
                and not reader.asks_about_disease(text) and reader.echoes(spelt, fact)
                and (reader.states(fact, rewrite.facets) if rewrite.facets else not rewrite.names)
                and not (alone.in_scope and alone.intent != fact.id and alone.intent in self.kb.facts
                         and reader.titled_sibling(spelt, [self.kb.facts[alone.intent]]) is not None)):
            # a terse turn that picks terms out of the last answer ("TRM?" after the Mayo series; "ES rate?" after a
            # cohort's row, which states that rate): that fact answers it. Not a question ("which genes?": the answer
            # may not list them), nor a turn naming the title of the fact it alone reaches ("mandatory ones?")
            read = replace(read, reading="context", rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets,
                        stayed=fact.id, echo=True)
            return alone, text, read
        if rewrite.names and not rewrite.leans and alone.in_scope:
            read = replace(read, rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets)
            anchor = self._anchored(text, rewrite.names, alone)
            if anchor is not None:
                read = replace(read, stayed=anchor)
            return alone, text, read  # a topic switch answered alone: no need to route the rewrite
        if not rewrite.leans and not rewrite.names and alone.in_scope and reader.names_disease(spelt):
            # "what is poems" after the daratumumab card: a question of its own about the disease, not about the focus
            read = replace(read, rewritten=rewrite.text, names=[], facets=rewrite.facets, disease=True)
            return alone, text, read
        if (FOCUS_STATES_WHAT_ALONE_DECLINES and fact is not None and not focus.patient and rewrite.names
                and not rewrite.leans and rewrite.facets and not alone.in_scope and not alone.is_flow
                and alone.reason not in DECLINES_NAMING_SOMETHING_ELSE
                and set(rewrite.names) <= set(reader.entities_in(fact.answer)) and reader.states(fact, rewrite.facets)):
            # "how long for the neuropathy to improve" after the goals and response timeline: declined alone, but
            # the last answer names the neuropathy and states how long it takes
            read = replace(read, reading="context", rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets,
                           stayed=fact.id)
            return alone, text, read
        context = self.router.route(rewrite.text) if rewrite.text != text else None
        # a word the knowledge base does not know names something else ("rituximab"); "n" or "tho" does not
        referring = self._reference_words()  # "the former" names nothing the review lacks
        unknown = any(len(w) >= MIN_UNKNOWN_NAME and w not in referring for w in self.router.unknown_words(text))
        covers = reader.covers(fact, rewrite.facets) if fact is not None and rewrite.facets else None
        if POINTED_ENTITY_IS_OF_SUBJECT and rewrite.names and rewrite.bare and focus.entities and reader.points_at_thing(spelt):
            # "neuropathy with it?" after ixazomib: "it" is the subject, so the entity is asked of it, as any leaning
            # turn naming an entity is, not read as a bare new topic
            rewrite = rewrite._replace(bare=False)
        choice = choose(rewrite, alone, context, names_unknown=unknown, focus_covers=covers,
                        focus_general=not focus.entities and not focus.patient)
        if choice == "context" and context is not None and self._pronoun_means_disease(text, spelt, rewrite, context, focus):
            choice = "alone"
        if choice == "context" and context is not None and self._named_fact_alone(spelt, rewrite, alone, context, focus):
            choice = "alone"
        read = replace(read, reading=choice, rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets)
        if (LEANING_ENTITY_ANCHORED and choice == "context" and context is not None and context.in_scope
                and rewrite.leans and len(rewrite.names) == 1 and not focus.patient):
            anchor = self._anchored(rewrite.text, rewrite.names, context)
            # after a study's card, a facet asked of something that is no study ("and radiation, relapse too?" after
            # the Mayo series) asks that study for it: not anchored to the thing's own card
            def kind(entity: str) -> str:
                return getattr(reader.entities.get(entity), "kind", "")

            of_study = rewrite.facets and kind(rewrite.names[0]) != "cohort" and any(kind(e) == "cohort" for e in focus.entities)
            if anchor is not None and not of_study:
                return context, rewrite.text, replace(read, stayed=anchor)
        if choice == "context" and context is not None and fact is not None:
            near = reader.neighbourhood(fact, focus.entities)
            if context.intent not in near:
                best, nearest, score = self.router.standing(rewrite.text, near)
                if nearest is not None and stays(rewrite, context, best, score, unknown, alone):
                    read = replace(read, stayed=nearest)
                    return context, rewrite.text, read
                if context.in_scope and rewrite.bare and rewrite.facets and not focus.patient:
                    # nothing but a facet, of the focus ("progression-free survival results?" after the French
                    # trial), answered only by a fact about something else: the review does not give it for the focus
                    read = replace(read, not_given=list(rewrite.facets))
        if (bare_facet and choice == "context" and context is not None and focus.entities
                and not reader.states(fact, rewrite.facets) and not read.not_given):
            # a bare facet of the focus ("n?" after a trial that gives no patient count): the reply must state it,
            # not merely be another card about the same drug
            answering = self.kb.facts.get(read.stayed or context.intent or "")
            if context.in_scope and (answering is None or not reader.states(answering, rewrite.facets)):
                read = replace(read, not_stated=list(rewrite.facets))
        chosen_match = context if choice == "context" and context is not None else alone
        if CLAUSE_BY_CLAUSE and not chosen_match.in_scope and not read.stayed and not alone.in_scope \
                and (context is None or not context.in_scope) and (rewrite.leans or focus.patient):
            found = self._best_clause(text, focus, alone, context)
            if found is not None:
                match, clause_text, clause_read, kept = found
                read = replace(read, reading=clause_read, rewritten=clause_text, clause=True, stayed=kept)
                return match, clause_text, read
        if choice == "context":
            return context, rewrite.text, read
        return alone, text, read

    def _best_clause(self, text: str, focus: Focus, alone: Any, context: Any) -> tuple[Any, str, str, str | None] | None:
        """For a long follow-up declined both alone and in context for a low score (`CLAUSE_BY_CLAUSE`): its best
        answered clause, alone or rewritten with the focus ("where does that leave us diagnostically, does he meet
        criteria?" -> "does he meet criteria"), as (match, text, reading, the focused fact when it answers the clause
        on a near tie); None when no clause is answered."""
        if any(m.reason not in LOW_SCORE_DECLINES for m in (alone, context) if m is not None):
            return None
        clauses = [c.strip() for c in re.split(r"[,;?]+", text) if len(c.split()) >= CLAUSE_MIN_WORDS]
        if len(clauses) < 2:
            return None
        best: tuple[Any, str, str] | None = None
        asks: set[str] = set()
        for clause in clauses:
            if self.reader.asks_next_step(clause):
                continue  # "where do we go from here" is the patient's next step (`PATIENT_NEXT_STEP`) or nothing
            own: tuple[Any, str, str] | None = None
            for reading, routed in (("alone", clause), ("context", self.reader.rewrite(self._spelt(clause), focus).text)):
                m = self.router.route(routed)
                if m.in_scope and not m.is_flow and (own is None or m.confidence > own[0].confidence):
                    own = (m, routed, reading)
            if own is not None:
                asks.add(own[0].intent)
                if best is None or own[0].confidence > best[0].confidence:
                    best = own
        if len(asks) > 1 and not (focus.fact and focus.fact in asks):
            # two clauses asking two things ("is G-CSF alone fine for her, what about her clot risk"): answering the
            # surer one would silently drop the other, so the turn stays declined
            return None
        if best is not None and focus.fact and best[0].intent != focus.fact:
            # on a near tie the last answer itself answers the clause ("how big was the PFS difference")
            top, _, mine = self.router.standing(best[1], [focus.fact])
            if mine > 0.0 and mine >= top - STAY_MARGIN:
                return best[0], best[1], "context", focus.fact
        return (*best, None) if best is not None else None

    def _named_fact_alone(self, spelt: str, rewrite: Any, alone: Any, context: Any, focus: Focus) -> bool:
        """Whether a leaning turn naming a new entity is read alone because alone it reaches a fact of an entity it
        names at least as surely as in context (`NAMED_FACT_ALONE`)."""
        reader = self.reader
        if (not NAMED_FACT_ALONE or reader is None or focus.patient or not rewrite.names or rewrite.bare
                or not alone.in_scope or alone.is_flow or alone.intent == focus.fact or alone.intent == context.intent):
            return False
        if reader.only_setting(plain_words(spelt), rewrite.names, focus.text):
            return False  # "vs myeloma?": the new entity qualifies the focus's subject
        if reader._population is not None and reader._population.search(normalise(spelt)):
            return False  # "patients with polycythemia, do they need it as well?": a population the focus is asked of
        fact = self.kb.facts.get(focus.fact or "")
        # an entity the last answer names is asked of that answer ("% with a lambda clone in that study" after the
        # IgVL genes; "so even 2 lesions with clonal cells in the marrow?" after who gets systemic therapy)
        answered = set(reader.entities_in(f"{fact.title} {fact.answer}")) if fact is not None else set()
        own = {f for e in reader.entities_in(spelt) if e in reader.entities and e not in answered
               for f in reader.entities[e].facts}
        return alone.intent in own and (not context.in_scope or alone.confidence >= context.confidence)

    def _pronoun_means_disease(self, text: str, spelt: str, rewrite: Any, context: Any, focus: Focus) -> bool:
        """Whether a long question leaning only by a thing pronoun means the disease by it (`PRONOUN_MAY_MEAN_DISEASE`)."""
        reader = self.reader
        if (not PRONOUN_MAY_MEAN_DISEASE or reader is None or focus.patient or rewrite.names or reader.opens(text)
                or len(normalise(text).split()) <= rewrite_rules.LEANING_MAX_WORDS or not reader.points_at_thing(spelt)):
            return False
        meant = self.router.route(reader.as_disease(spelt))
        return meant.in_scope and not meant.is_flow and (not context.in_scope or meant.confidence > context.confidence + DISEASE_MARGIN)

    def _patient_next_step(self) -> str | None:
        """The fact for the recorded patient's next step (`PATIENT_NEXT_STEP`): Figure 3 once the criteria are met,
        the work-up before; None without `next_steps` in conversation.yaml."""
        from guidebot.criteria.engine import assess

        steps = self.reader.data.next_steps if self.reader is not None else None
        if steps is None:
            return None
        chosen = steps.diagnosed if assess(self.case).verdict == "meets_criteria" else steps.undiagnosed
        return chosen if chosen in self.kb.facts else None

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

    def _names_treatments(self, spelt: str, rewrite: Any) -> bool:
        """Whether a turn is nothing but one treatment ("so radiation?") or, with `TREATMENTS_AS_ALTERNATIVES`, a choice
        between treatments ("so rt or systemic?", "xrt vs transplant?"): the entities named and words setting them
        side by side (`followup.contrasts`, "or")."""
        if rewrite.bare and len(rewrite.names) == 1:
            return True
        if not TREATMENTS_AS_ALTERNATIVES or not rewrite.names or self.reader is None:
            return False
        followup = self.reader.data.followup
        norm = normalise(spelt)
        named = self._approaches_named(spelt)
        for approach in named:
            norm = re.sub(rf"\b{re.escape(approach)}\b", " ", norm)
        alternatives = {"or"} | {normalise(w) for w in followup.contrasts}
        side_by_side = len(rewrite.names) + len(named[:1]) >= 2
        said = [w.strip("?.!") for w in self.reader._rest(norm)]
        if any(set(rewrite.names) & set(self.reader.fact_entities(fid)) for fid in self.reader.caution_facts):
            return False  # "rt or bevacizumab?": an option the review warns against gets its caution, as read alone
        return side_by_side and not [w for w in said if w and w not in alternatives]

    def _approaches_named(self, spelt: str) -> list[str]:
        """The treatment approaches a turn names by a word that is no entity of its own ("systemic"), longest first."""
        if self.reader is None:
            return []
        norm = normalise(spelt)
        approaches = sorted((normalise(w) for w in self.reader.data.followup.approach_words if normalise(w)),
                            key=len, reverse=True)
        return [a for a in approaches if re.search(rf"\b{re.escape(a)}\b", norm)]

    def _anchored(self, text: str, names: list[str], alone: Any) -> str | None:
        """For a turn naming one entity, that entity's own fact when the router's pick is not one of them but one of
        them scores within `STAY_MARGIN` of it ("how often is there a clone" is the marrow clone, not the light chain)."""
        entity = self.reader.entities.get(names[0]) if self.reader is not None and len(names) == 1 else None
        if entity is None or alone.is_flow or alone.intent in entity.facts:
            return None
        best, nearest, score = self.router.standing(text, list(entity.facts))
        return nearest if nearest is not None and score >= best - STAY_MARGIN else None

    def _reference_words(self) -> set[str]:
        """The words of the referring phrases (`followup.references`: "the former", "the latter"): neither misspellings
        nor names of something the review does not know."""
        if self.reader is None:
            return set()
        return {w for phrase in self.reader.data.followup.references for w in normalise(phrase).split()}

    def _spelt(self, text: str) -> str:
        """`text` with the words the router reads as misspellings corrected ("how comon" -> "how common"), so that
        facets and entities are found in it as the router finds its words."""
        fixes = self.router.misspellings(text) if hasattr(self.router, "misspellings") else {}
        if fixes:  # "the latter" is a referring phrase, not a misspelt "later"
            fixes = {typed: fixed for typed, fixed in fixes.items() if typed not in self._reference_words()}
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
        if PATIENT_VALUE_REPORTS and self.state.values and self.reader.opens_with_measured_finding(text):
            return True  # "VEGF 600 in serum, typical for POEMS" about the patient being described
        if match.in_scope and match.is_flow and len(extract_findings(text)) >= 2 and not self.reader.general_question(text):
            return True  # a described case asking for a verdict ("demyelinating neuropathy, lambda ... enough for POEMS?")
        # a bare list of findings ("no papilledema, 2 sclerotic lesions"), not a question naming them ("poems vs cidp")
        # nor a follow-up leaning on a fact ("and neuropathy" after the amyloidosis comparison)
        if focus.fact and not focus.patient and self.reader.leans(text) and not (
                self.state.values and self.reader.adds_to_patient(text) and "?" not in text):
            return False  # unless it adds to the patient recorded earlier ("also splenomegaly and LAD on CT")
        # nor a search for the disease's facts ("papilledema and poems", "lambda light chain poems")
        return (not looks_like_question(text) and not self.reader.starts_asking(text)
                and not self.reader.asks_about_disease(text) and not self.reader.names_disease(text)
                and bool(extract_findings(text)))


__all__ = [
    "CLAUSE_BY_CLAUSE", "NAMED_FACT_ALONE", "NEW_TOPIC_STARTS_FOCUS", "OTHER_THAN_THE_LAST", "PATIENT_NAMES_TREATMENT",
    "PATIENT_NEXT_STEP", "PATIENT_VALUE_REPORTS", "POINTED_ENTITY_IS_OF_SUBJECT", "SECTION_SIBLING_HEADED", "TOPIC_SIBLINGS",
    "TurnReading",
]
