"""The dialogue manager: `respond(text) -> Turn` for every front end (chat --jsonl, chat --plain, the Textual app).

It recognises knowledge questions and three guided flows (diagnosis, treatment, workup) through the router,
asks follow-up questions one at a time (only those whose answer could still change the verdict), reads
replies by slot kind, picks volunteered findings out of free text, and keeps every change as an event in
an append-only log that is saved after each turn. Every clinical sentence it shows comes from the
knowledge base (facts, slot help, criteria, statements) with the review's reference numbers.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import replace
from typing import Any

from guidebot.dialogue import context as context_rules
from guidebot.dialogue import render
from guidebot.dialogue.context import ECHO_MAX_WORDS, PREFIX_ACT_YIELD, STAY_MARGIN, ConversationReader, Focus, choose, stays
from guidebot.dialogue.context import normalise as context_normalise
from guidebot.dialogue.described import is_case_question
from guidebot.dialogue.events import BotSaid, CaseReset, Event, FlowEnded, FocusSet, SessionStarted, SlotSet, SuggestionsOffered, UserSaid
from guidebot.dialogue.findings import extract_findings
from guidebot.dialogue.flows import GuidedFlows
from guidebot.dialogue.inputs import CONTROL_WORDS, FLOW_CUES, MAX_INPUT_CHARS, clean_input, looks_like_question
from guidebot.dialogue.inputs import PATIENT as _PATIENT
from guidebot.dialogue.render import COMMANDS, field_label, flow_suggestions, sources_line
from guidebot.dialogue.render import sentences as _sentences
from guidebot.dialogue.replies import expected, normalise
from guidebot.dialogue.state import FLOW_INTENTS, Awaiting, ConversationState, Turn, replay
from guidebot.dialogue.store import SessionStore
from guidebot.dialogue.turns import Answer, Reading, Suggestion
from guidebot.errors import GuidebotError

SMALLTALK_DURING_QUESTIONS = frozenset({"greeting", "thanks", "bye", "wrong", "not_what_i_asked"})
"""Small talk answered while a question is pending ("ok" and "no" are not among them: they may be answers)."""

MIN_UNKNOWN_NAME = 2
"""An unknown word this long or longer in a follow-up is read as naming another drug or disease."""

ACTS_THAT_YIELD = frozenset({"why", "more"})
"""Acts read from a message's start that yield to a confident answer about another fact ("why do the glands
fail?"); "which study...", "the reference for..." always ask about the last answer."""

# Round 5 mechanisms, each a switch so that `guidebot eval --dialogue` can be run with it off (ablation)
ACT_BY_ITS_WORDS = True
"""Whether an act read from a message's start stays an act when it adds no word to the last answer ("why are they so
common?" after the card saying so), however sure the router is of another fact."""
SECTION_SIBLING_HEADED = True
"""Whether a leaning turn is answered by a fact of the focused fact's section only when that fact's title starts with
the turn's words (a word deep in such a title, "pain" in "Sclerotic bone lesions: frequency, pain and imaging", is not
enough to leave the focus)."""
TOPIC_SIBLINGS = True
"""Whether a short follow-up may be answered by a fact titled with its words among the facts around the focus's
subject (its own facts and their related facts), after those around the last card (switch for ablation)."""
FOCUS_ON_WHAT_WAS_FOUND = True
"""Whether a recorded patient's focus drops the tests the findings were found by when the message names the findings."""
NEW_TOPIC_STARTS_FOCUS = True
"""Whether a turn naming only entities outside the focus, which alone reaches a fact of one of them with confidence
`NEW_TOPIC_CONFIDENCE`, starts a new focus before any focus mechanism (siblings, echoes, qualifiers) reads it
("daratumumab?" after the lenalidomide card is the daratumumab card, not the sibling daratumumab trial)."""
NEW_TOPIC_CONFIDENCE = 0.6
PATIENT_NAMES_TREATMENT = True
"""Whether a short turn naming one treatment for a recorded patient ("so rt?" after a single lesion and a clean
marrow) is answered by the fact her findings lead to by Figure 3 when that fact is about the treatment named."""
POINTED_ENTITY_IS_OF_SUBJECT = True
"""Whether a short turn naming an entity and pointing at the focus's subject with a pronoun ("neuropathy with it?")
is read as asking that entity of the subject (in context when answered so), not as a bare entity."""
NEW_TOPIC_KINDS = frozenset({"drug", "cohort", "complication", "mechanism"})
"""Entity kinds that are a topic of their own when named outside the focus (see `NEW_TOPIC_STARTS_FOCUS`)."""


class DialogueManager(GuidedFlows):
    """One conversation: `greeting()`, then `respond(text)` per line; state lives in an append-only event log."""

    def __init__(self, kb: Any = None, router: Any = None, store: SessionStore | None = None, *, events: list[Event] | None = None):
        """`kb` and `router` default to the real ones; `store=None` keeps the session in memory only."""
        if kb is None:
            from guidebot.knowledge import load_knowledge

            kb = load_knowledge()
        self.kb = kb
        """The knowledge base (slots, criteria, workup, statements, facts, references)."""
        self._router = router
        self.store = store
        """Where the event log is saved after every turn; None for an unsaved session."""
        self.state = ConversationState()
        """Everything the conversation knows, folded from `events`."""
        self.events: list[Event] = []
        """The append-only event log."""
        self._pending: list[Event] = []
        self._cited: list[int] = []
        conversation = getattr(kb, "conversation", None)
        self.reader = ConversationReader.of(conversation) if conversation is not None else None
        """How turns are read in context (None when the knowledge base has no conversation.yaml)."""
        if events:
            for event in events:
                self.events.append(event)
                self.state.apply(event)
        else:
            started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            self._emit(SessionStarted(store.session_id if store else None, started))

    # -- public API --------------------------------------------------------------------------------

    @classmethod
    def resume(cls, session_id: str | None = None, **kw: Any) -> DialogueManager:
        """Rebuild a saved session by replaying its events (the latest session when `session_id` is None).

        Keyword arguments: `kb`, `router`, and `directory` (the sessions directory, default the data dir's).
        Raises GuidebotError when the session is missing or corrupt.
        """
        directory = kw.pop("directory", None)
        store = SessionStore.open(session_id, directory)
        events = store.load()
        kb, router = kw.pop("kb", None), kw.pop("router", None)
        try:
            manager = cls(kb=kb, router=router, store=store, events=events)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a crafted log: corrupt, not a crash
            raise GuidebotError(f"{store.path}: corrupt chat session (cannot replay it: {type(exc).__name__})") from None
        try:
            manager.case  # noqa: B018 - validates the replayed findings
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            first = str(exc).splitlines()[0]
            raise GuidebotError(f"{store.path}: corrupt chat session (a recorded finding is invalid: {first})") from None
        if manager.state.awaiting is not None and manager.state.awaiting.slot not in manager.kb.slots:
            # its answer would be recorded under a field no Case has: an internal error on the next reply
            raise GuidebotError(f"{store.path}: corrupt chat session (it awaits an answer for an unknown field)")
        return manager

    @property
    def router(self) -> Any:
        """The router (the process-wide one unless given)."""
        if self._router is None:
            from guidebot.routing import get_router

            self._router = get_router()
        return self._router

    @property
    def session_id(self) -> str | None:
        """The session's id (None for an unsaved session)."""
        return self.store.session_id if self.store else self.state.session_id

    @property
    def case(self) -> Any:
        """The findings recorded so far, as a `Case` (explicit unknowns are None, like untested ones)."""
        from guidebot.criteria import Case

        return Case(**self.state.known())

    @property
    def flow(self) -> str | None:
        """The guided flow in progress: diagnosis, treatment, workup or None."""
        return self.state.flow

    @property
    def awaiting(self) -> Awaiting | None:
        """The follow-up the bot is waiting for."""
        return self.state.awaiting

    @property
    def recorded(self) -> dict[str, Any]:
        """Every recorded finding, explicit unknowns included (value None)."""
        return copy.deepcopy(self.state.values)

    def assessment(self) -> Any:
        """The live `assess(self.case)`, for a case panel."""
        from guidebot.criteria import assess

        return assess(self.case, self.kb)

    def last_turn(self) -> Turn | None:
        """The last turn the bot showed (after `resume`, the one to show again)."""
        return self.state.last_turn.copy() if self.state.last_turn else None

    def earlier_messages(self) -> list[tuple[str, str]]:
        """The saved conversation before the last turn, as ("user" | "bot", text): what a resumed plain chat replays.
        The welcome before the first question is not part of it."""
        said = [e for e in self.events if isinstance(e, (UserSaid, BotSaid))]
        while said and isinstance(said[0], BotSaid):
            said.pop(0)
        if said and isinstance(said[-1], BotSaid):
            said.pop()  # the last turn is shown by `resumed_turn`
        return [("user", e.text) if isinstance(e, UserSaid) else ("bot", e.turn.text) for e in said]

    def resumed_turn(self) -> Turn:
        """The last turn again, headed by a line saying the session was resumed (not logged)."""
        last = self.last_turn() or self.greeting_turn()
        head = f"(Resumed session {self.session_id}.)"
        return Turn(
            text=f"{head}\n\n{last.text}",
            intent=last.intent,
            awaiting=last.awaiting,
            assessment=last.assessment,
            citations=last.citations,
            suggestions=last.suggestions,
            flow=self.flow,
            progress=last.progress,
            in_scope=last.in_scope,
            act=last.act,
            focus=last.focus,
        )

    def greeting(self) -> Turn:
        """The opening turn: what guidebot is, its source, the disclaimer, example questions and commands."""
        turn = self.greeting_turn()
        self._emit(BotSaid.of(turn))
        self._commit()
        return turn

    def greeting_turn(self) -> Turn:
        """The greeting, without logging it."""
        return Turn(text=render.greeting_text(self.kb), intent=None, flow=self.flow)

    def respond(self, text: str) -> Turn:
        """The bot's reply to one line the person typed (logged and saved before it returns)."""
        cleaned, notice = clean_input(text)
        mark, pending_mark = len(self.events), len(self._pending)
        self._emit(UserSaid(cleaned))
        self._cited = []
        try:
            turn = self._respond(cleaned)
        except Exception:
            # a bug must not leave half a turn behind: forget it, as a crash mid-turn would
            del self.events[mark:]
            del self._pending[pending_mark:]
            self.state = replay(self.events)
            raise
        if notice:
            turn.text = f"{notice}\n\n{turn.text}"
        turn.citations = sorted(set(turn.citations) | set(self._cited))
        turn.flow = self.flow
        if turn.in_scope is None and turn.act is None and (turn.intent or turn.awaiting or turn.assessment):
            turn.in_scope = True
        turn.recorded = self._recorded_this_turn(mark)
        self._emit(BotSaid.of(turn))
        self._commit()
        return turn

    def export_markdown(self) -> str:
        """The transcript and the current assessment as a Markdown document."""
        doc = render.export_markdown(self.events, self.state.values, self.assessment(), self.kb, self.session_id)
        self._cited += doc.citations
        return doc.text

    def export_html(self) -> str:
        """The current assessment as a standalone HTML page (the criteria as a grid)."""
        return render.export_html(self.assessment(), self.kb, self.session_id)

    # -- events ------------------------------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        self.events.append(event)
        self._pending.append(event)
        self.state.apply(event)

    def _commit(self) -> None:
        if self.store is not None and not any(isinstance(e, UserSaid) for e in self.events):
            # a greeting alone is not saved: an empty session would shadow the one worth resuming
            return
        pending, self._pending = self._pending, []
        if self.store is not None:
            self.store.append(pending)

    def _recorded_this_turn(self, mark: int) -> dict[str, Any]:
        """The findings set in this turn (not those restored by undo)."""
        out: dict[str, Any] = {}
        for event in self.events[mark:]:
            if isinstance(event, SlotSet) and event.source != "undo":
                out[event.field] = copy.deepcopy(event.value)
        return out

    def _set(self, field: str, value: Any, source: str) -> None:
        self._emit(SlotSet(field, copy.deepcopy(value), source))

    # -- the dispatcher ------------------------------------------------------------------------------

    def _respond(self, text: str) -> Turn:
        awaiting = self.state.awaiting
        if not text:
            if awaiting:
                return self._reask("Nothing was typed.")
            return Turn(text="Nothing was typed. Ask a question about POEMS syndrome, or type /help.", flow=self.flow)
        if text.startswith("/"):
            turn = self._command(text)
            turn.act = turn.act or "command"
            return turn
        reader = self.reader
        if reader is not None and reader.smalltalk(text) is None:
            # "thanks! n?", "ok, and TRM?": the opening courtesy carries nothing; the rest is the turn
            text = reader.after_smalltalk(text) or text
        if reader is not None and reader.is_undo(text) and (self.state.history or self.state.recordings or not awaiting):
            if self.state.history or self.state.recordings:
                return self._control_back()
        if awaiting and reader is not None and self._answered_in_flow():
            # "why?" right after the answer to a side question is about that answer, then the question is re-asked
            act = reader.act(text, self.focus.text, self.focus.entities)
            if act is not None and not act.by_prefix:
                done = self._act(act.act, act.term)
                turn = self._reask(None, before=done.text, intent=done.intent, citations=done.citations)
                turn.act = act.act
                return turn
        control = CONTROL_WORDS.get(normalise(text))
        if control == "help":
            return self._command("/help")
        if control and (awaiting or control in ("back", "restart", "cancel")):
            return getattr(self, f"_control_{control}")()
        if awaiting:
            talk = reader.smalltalk(text) if reader is not None else None
            if talk is not None and talk.id in SMALLTALK_DURING_QUESTIONS:
                turn = self._smalltalk(talk)
                return self._reask(None, before=turn.text)
            return self._answer(text, awaiting)
        if self.flow is not None:  # a flow without a question (only after an interrupted turn): carry on
            return self._advance([])
        if reader is not None:
            talk = reader.smalltalk(text) or (reader.smalltalk("wrong") if reader.is_undo(text) else None)
            if talk is not None:
                return self._smalltalk(talk)
            act = reader.act(text, self.focus.text, self.focus.entities)
            if act is not None and act.by_prefix and act.act in ACTS_THAT_YIELD and self.focus.fact:
                last = self.kb.facts.get(self.focus.fact)
                # "why are they so common?" uses only the last answer's words: an act on it, however sure the router
                # is of another fact; one that adds words ("why do the glands fail?") may be a question of its own
                if not (ACT_BY_ITS_WORDS and last is not None and not reader.words_beyond(text, last)):
                    alone = self.router.route(text)
                    if alone.in_scope and not alone.is_flow and alone.intent != self.focus.fact and alone.confidence >= PREFIX_ACT_YIELD:
                        act = None  # "why do the glands fail?": a question about another fact, not "why?"
            if act is not None and act.bare_term and context_rules.BARE_TERM_ASKS_ITS_ENTITY:
                # "uclh?" after the cohorts compared: the UCLH cohort's own card, when alone the router reaches it
                own = reader.term_entity_facts(act.term or "", self.focus)
                alone = self.router.route(text) if own else None
                if alone is not None and alone.in_scope and not alone.is_flow and alone.intent in own:
                    act = None
            if act is not None and self.focus.fact:
                return self._act(act.act, act.term)
        if text.isascii() and text.isdigit():  # ASCII only: int() refuses "²", which isdigit() accepts
            if self.state.suggestions:
                return self._pick(int(text))
            return Turn(text="There is no numbered list to pick from just now. Ask a question, or type /help.")
        return self._free_text(text)

    # -- free text outside a follow-up ------------------------------------------------------------------

    def _flow_of(self, text: str, match: Any) -> str | None:
        """The guided flow `text` asks for: the router's, or one a patient-specific phrasing asks for (`FLOW_CUES`)."""
        if match.in_scope and match.is_flow:
            return FLOW_INTENTS[match.intent]
        if _PATIENT.search(text):
            for flow, cue in FLOW_CUES.items():
                if cue.search(text):
                    return flow
        return None

    def _free_text(self, text: str) -> Turn:
        focus = self.focus
        match, routed, read = self._read(text, focus)
        question = looks_like_question(text) or "?" in text
        flow = None if read.stayed else self._flow_of(text, match)
        patient = self._describes_patient(text, match, focus) and not self._keyword_query(text, match)
        if not flow and patient and question and match.in_scope and is_case_question(text, match.intent, self.kb):
            flow = "diagnosis"  # a described patient asking for a verdict or a treatment: assess, then Figure 3
        if flow:
            found = self._record_findings(text) if patient else []
            return self._start_flow(flow, found)
        # a statement about the patient is recorded before any facet it names is read ("too frail for transplant"
        # is no question about transplant in frail patients)
        if not question and patient and not self._keyword_query(text, match):
            found = self._record_findings(text)
            if found:
                suggestions = self._flow_suggestions()
                self._emit(SuggestionsOffered(suggestions))
                # "do those count?" after "also hypothyroid and diabetic" is about the findings just recorded
                named = self.reader.entities_in(text) if self.reader is not None else []
                found_things = [e for e in named if self.reader.entities[e].kind != "test"]
                if FOCUS_ON_WHAT_WAS_FOUND and found_things:
                    # "demyelinating on NCS, IgA lambda on IFE": the patient's focus is what was found, not the test it
                    # was found by ("what else do I send?" is about the neuropathy and the M-protein, not the NCS)
                    named = found_things
                self._emit(FocusSet(Focus(patient=True, fact=focus.fact, entities=named or focus.entities,
                                          approach=focus.approach, text=focus.text, citations=focus.citations)))
                return Turn(
                    text="\n\n".join(found + ["What next? Pick one of the suggestions (reply with its number), or ask a question."]),
                    suggestions=suggestions,
                    focus=read,
                    in_scope=True,  # the patient's findings, recorded for the guided assessment
                )
        if focus.patient and read.patient_treatment:
            return self._patient_treatment_turn(read)
        if read.not_given and match.in_scope:
            return self._not_given_turn(read, match)
        if read.not_stated:
            return self._not_stated_turn(read)
        # a question about a particular patient carries findings worth keeping ("my patient has a lambda M-protein, ...")
        found = self._record_findings(text) if patient else []
        answer = self._fact_answer(read.stayed) if read.stayed else self._answer_text(routed)
        if answer.in_scope and read.reading == "context" and read.facets and self.reader is not None:
            answer = self._narrow(answer, read.facets)
        if found:
            answer = answer._replace(text="\n\n".join(found + [answer.text]))
        turn = Turn(
            text=answer.text,
            intent=answer.intent,
            citations=answer.citations,
            suggestions=answer.suggestions,
            in_scope=answer.in_scope,
            focus=read,
        )
        if answer.in_scope and answer.intent:
            self._set_fact_focus(answer, text, read, focus, patient=bool(found) or (focus.patient and read.reading == "context"))
        return turn

    # -- reading a turn against the focus ---------------------------------------------------------------

    @property
    def focus(self) -> Focus:
        """What the conversation is about (the last answer's fact, entities and facets; the current patient)."""
        return self.state.focus.copy()  # a copy: the state changes only by events

    def _read(self, text: str, focus: Focus) -> tuple[Any, str, Reading]:
        """(the router's match, the text answered, how it was read): the turn alone or rewritten with the focus;
        a follow-up asking a strict facet the answering fact does not state is marked `not_stated` (declined)."""
        match, routed, read = self._read_turn(text, focus)
        reader = self.reader
        if reader is None or not (focus.fact or focus.patient) or read.patient_treatment or read.not_given:
            return match, routed, read
        if read.switch:
            text = routed  # "different topic - ...": the marker asks nothing ("topic" is no misspelt "toxic")
        spelt = self._spelt(text)
        # as typed and as the router spells it: "inclusion criteria?" is not "conclusion criteria" to the facets
        asked = dict.fromkeys(reader.facets_in(spelt) + reader.facets_in(text))
        strict = [f for f in asked if reader.facets[f].strict]
        answering = self.kb.facts.get(read.stayed or (match.intent if match.in_scope and not match.is_flow else None) or "")
        if strict and answering is not None:
            # "any trial with nivolumab?", "adverse event rates in it?": the answer would state none of it;
            # "g-csf dose?" answered by the melphalan dose: it states a dose, but of something the turn did not name
            elsewhere = reader.names_outside(spelt, answering)
            if elsewhere or not reader.states(answering, strict):
                read = replace(read, not_stated=strict, not_stated_in=answering.id, not_stated_for=list(elsewhere))
        return match, routed, read

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
            # "what are her treatment options?" before an assessment: the fact for what her recorded findings decide
            chosen = self._patient_treatment_fact()
            if chosen is not None:
                read = replace(read, reading="context", rewritten=rewrite.text, facets=rewrite.facets, stayed=chosen)
                return alone, text, read
        if PATIENT_NAMES_TREATMENT and focus.patient and rewrite.bare and not rewrite.facets and len(rewrite.names) == 1 \
                and rewrite.names[0] in reader.entities and reader.entities[rewrite.names[0]].kind == "drug":
            # "so radiation?" for a patient with one lesion and a clean marrow: whether she gets it, not its outcomes
            chosen = self._patient_treatment_fact()
            if chosen is not None and chosen in reader.entities[rewrite.names[0]].facts:
                read = replace(read, reading="context", rewritten=rewrite.text, names=rewrite.names,
                               facets=rewrite.facets, stayed=chosen)
                return alone, text, read
        fact = self.kb.facts.get(focus.fact or "")
        if fact is not None and not focus.patient and self._starts_new_topic(rewrite, alone, focus):
            read = replace(read, rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets, new_topic=True)
            return alone, text, read
        if fact is not None and (rewrite.leans or rewrite.bare) and not rewrite.facets:
            near = [self.kb.facts[f] for f in reader.neighbourhood(fact, focus.entities) if f in self.kb.facts and f != fact.id]
            pointing = bool(context_rules.PRONOUN_SIBLING_OF_SUBJECT and focus.entities and reader.points_at_thing(spelt))
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
        context = self.router.route(rewrite.text) if rewrite.text != text else None
        # a word the knowledge base does not know names something else ("rituximab"); "n" or "tho" does not
        unknown = any(len(w) >= MIN_UNKNOWN_NAME for w in self.router.unknown_words(text))
        covers = reader.covers(fact, rewrite.facets) if fact is not None and rewrite.facets else None
        if POINTED_ENTITY_IS_OF_SUBJECT and rewrite.names and rewrite.bare and focus.entities and reader.points_at_thing(spelt):
            # "neuropathy with it?" after ixazomib: "it" is the subject, so the entity is asked of it, as any leaning
            # turn naming an entity is, not read as a bare new topic
            rewrite = rewrite._replace(bare=False)
        choice = choose(rewrite, alone, context, names_unknown=unknown, focus_covers=covers,
                        focus_general=not focus.entities and not focus.patient)
        read = replace(read, reading=choice, rewritten=rewrite.text, names=rewrite.names, facets=rewrite.facets)
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
        if choice == "context":
            return context, rewrite.text, read
        return alone, text, read

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

    def _anchored(self, text: str, names: list[str], alone: Any) -> str | None:
        """For a turn naming one entity, that entity's own fact when the router's pick is not one of them but one of
        them scores within `STAY_MARGIN` of it ("how often is there a clone" is the marrow clone, not the light chain)."""
        entity = self.reader.entities.get(names[0]) if self.reader is not None and len(names) == 1 else None
        if entity is None or alone.is_flow or alone.intent in entity.facts:
            return None
        best, nearest, score = self.router.standing(text, list(entity.facts))
        return nearest if nearest is not None and score >= best - STAY_MARGIN else None

    def _spelt(self, text: str) -> str:
        """`text` with the words the router reads as misspellings corrected ("how comon" -> "how common"), so that
        facets and entities are found in it as the router finds its words."""
        fixes = self.router.misspellings(text) if hasattr(self.router, "misspellings") else {}
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
        if match.in_scope and match.is_flow and len(extract_findings(text)) >= 2 and not self.reader.general_question(text):
            return True  # a described case asking for a verdict ("demyelinating neuropathy, lambda ... enough for POEMS?")
        # a bare list of findings ("no papilledema, 2 sclerotic lesions"), not a question naming them ("poems vs cidp")
        # nor a follow-up leaning on a fact ("and neuropathy" after the amyloidosis comparison)
        if focus.fact and not focus.patient and self.reader.leans(text):
            return False
        # nor a search for the disease's facts ("papilledema and poems", "lambda light chain poems")
        return (not looks_like_question(text) and not self.reader.asks_about_disease(text) and not self.reader.names_disease(text)
                and bool(extract_findings(text)))

    def _set_fact_focus(self, answer: Answer, text: str, read: Reading, before: Focus, *, patient: bool) -> None:
        reader = self.reader
        if reader is None:
            return
        intent = answer.intent
        fact = self.kb.facts.get(intent)
        named = reader.entities_in(text)
        about = reader.fact_entities(intent)
        # "A vs B" names two subjects: only a setting or a scope follows the subject
        qualified = {e: k for e, k in reader.qualifiers(text).items() if k != "contrast"} if context_rules.QUALIFIERS_LAST else {}
        subjects = [e for e in named if e not in qualified]
        if named and read.reading == "context" and context_rules.QUALIFIERS_KEEP_SUBJECT and reader.only_setting(
                context_normalise(text), named, before.text):
            # "and after transplant?" answered by daratumumab, "vs myeloma?" after the lesions: the subject is still the
            # focus's, the setting or the thing compared with after it
            entities = list(dict.fromkeys(before.entities + named))
        elif named:
            entities = [e for e in subjects if e in about] + [e for e in subjects if e not in about]
            entities += [e for e in named if e in qualified]  # "in the mayo series": "it" later is the subject
        elif read.reading == "context":
            entities = list(before.entities)
        else:
            entities = about[:2]
        facets = reader.facets_in(text) or (list(before.facets) if read.reading == "context" else [])
        focus = Focus(
            fact=intent, section=str(fact.section) if fact is not None else None, entities=entities[:3], facets=facets,
            patient=patient, approach=before.approach if patient else None, citations=list(answer.citations),
            alternatives=list(answer.suggestions), text=answer.text,
        )
        self._emit(FocusSet(focus))

    def _set_patient_focus(self, result: Any, text: str) -> None:
        if self.reader is None:
            return
        approach = result.treatment.approach if result.treatment is not None else None
        entity = self.reader.approach_entity(approach)
        focus = Focus(
            fact=self.router.approach_fact(approach) or "criteria.rule", section="treatment" if approach else "criteria",
            entities=[entity] if entity else [], patient=True, approach=approach, text=text,
            citations=sorted(set(self._cited)),
        )
        self._emit(FocusSet(focus))

    def _not_given_turn(self, read: Reading, elsewhere: Any) -> Turn:
        """A facet follow-up the review answers only for something other than the focus: said so plainly, with no
        number, and the fact that does answer it offered as a numbered suggestion."""
        fact = self.kb.facts.get(self.focus.fact or "")
        asked = " or ".join((self.reader.facets[f].label or self.reader.facets[f].words[0]) for f in read.not_given or [] if f in self.reader.facets) or "that"
        about = f"\u201c{fact.title}\u201d" if fact is not None and not re.search(r"\d", fact.title) else "the last answer"
        text = (f"The review does not give the {asked} asked about for {about}. It gives it for something else "
                "(the suggestion below), or rephrase the question.")
        other = self.kb.facts.get(elsewhere.intent)
        suggestions = [Suggestion(other.id, other.title)] if other is not None else []
        if suggestions:
            self._emit(SuggestionsOffered(suggestions))
        return Turn(text=text, suggestions=suggestions, in_scope=False, focus=read)

    def _not_stated_turn(self, read: Reading) -> Turn:
        """A bare facet of the focus that neither the focused fact nor the nearest answer states: declined plainly."""
        fact = self.kb.facts.get(read.not_stated_in or self.focus.fact or "")
        asked = " or ".join((self.reader.facets[f].label or self.reader.facets[f].words[0]) for f in read.not_stated or [] if f in self.reader.facets) or "that"
        about = f"\u201c{fact.title}\u201d" if fact is not None and not re.search(r"\d", fact.title) else "the last answer"
        named = [self.reader.entities[e].words[0] for e in read.not_stated_for or [] if e in self.reader.entities]
        if named:  # the entity asked about, as the reader found it ("g-csf"), not the fact that names another
            about = " or ".join(w for w in named if not re.search(r"\d", w)) or about
        return Turn(text=f"The review does not give the {asked} for {about}.", in_scope=False, focus=read)

    def _patient_treatment_turn(self, read: Reading) -> Turn:
        """ "So what treatment?" after an assessment: this patient's approach, its specifics and the cautions."""
        result = self.assessment()
        from guidebot.render import treatment_lines

        body = "\n".join(treatment_lines(result, self._cited))
        return Turn(text=body, intent=self.focus.fact, in_scope=True, focus=read)

    # -- small talk and acts on the last answer ------------------------------------------------------------

    def _smalltalk(self, talk: Any) -> Turn:
        text, suggestions = talk.reply, []
        if talk.id == "not_what_i_asked":
            suggestions = list(self.focus.alternatives) or self._flow_suggestions()
            text += "\n\n" + "\n".join(f"{i}. {s.title}" for i, s in enumerate(suggestions, 1))
            self._emit(SuggestionsOffered(suggestions))
        return Turn(text=text, act=f"smalltalk:{talk.id}", suggestions=suggestions)

    def _act(self, act: str, term: str | None) -> Turn:
        focus = self.focus
        fact = self.kb.facts.get(focus.fact or "")
        title = fact.title if fact is not None else "the last answer"
        cites: list[int] = []
        suggestions: list[Suggestion] = []
        if act == "why":
            body, cites = self._reasons(fact)
        elif act == "source":
            numbers = focus.citations or (list(fact.citations) if fact is not None else [])
            if numbers:
                from guidebot.render import format_reference

                refs = [format_reference(self.kb.references[n]) for n in numbers if n in self.kb.references]
                body = f"**Sources of \u201c{title}\u201d**\n\n" + "\n".join(f"- {r}" for r in refs)
                cites = list(numbers)
            else:
                body = f"The review states this itself without citing another study. Its source is the review:\n\n*{self.kb.review}*"
        elif act == "more":
            related = [r for r in (fact.related if fact is not None else []) if r in self.kb.facts]
            if related:
                first = self.router.fact(related[0])
                body = f"**More: {first['title']}**\n\n{first['answer']}"
                cites = list(first.get("citations", []))
                if cites:
                    body += f"\n\n{sources_line(cites)}"
                suggestions = [Suggestion(r, self.kb.facts[r].title) for r in related[1:4]]
                if suggestions:  # every front end lists them, numbered
                    self._emit(SuggestionsOffered(suggestions))
            else:
                body = f"The review says nothing more about \u201c{title}\u201d than the answer above."
        else:
            pairs = self.reader.define(term, focus.text) if self.reader else []
            if pairs:
                body = "\n".join(f"- **{k}**: {v}" for k, v in pairs)
            elif term:
                body = f"The review does not spell out {term}."
            else:
                body = "The last answer uses no abbreviation that needs spelling out."
        return Turn(text=body, intent=focus.fact, citations=cites, suggestions=suggestions, act=act, in_scope=True,
                    focus=Reading(focus.fact, list(focus.entities), "context"))

    def _reasons(self, fact: Any) -> tuple[str, list[int]]:
        """The reason the review gives for the last answer, or a plain statement that it gives none."""
        if fact is None:
            return "The review gives no reason for this.", []
        lines = _sentences(fact.answer)
        markers = self.reader.reason_pattern if self.reader else None
        if str(getattr(fact, "safety", "") or "") == "caution" or fact.title.lower().startswith("why"):
            reasons = lines
        else:
            reasons = [line for line in lines if markers is not None and markers.search(context_normalise(line))]
        if not reasons:
            why = next((r for r in fact.related if r in self.kb.facts and self.kb.facts[r].title.lower().startswith("why")), None)
            if why is not None:
                other = self.kb.facts[why]
                return (f"**{other.title}**\n\n" + other.answer.strip() + (f"\n\n{sources_line(other.citations)}" if other.citations else ""),
                        list(other.citations))
            return f"The review gives no reason for this beyond what it states (\u201c{fact.title}\u201d).", []
        body = "**Why (from the review)**\n\n" + "\n".join(f"- {r}" for r in reasons)
        if fact.citations:
            body += f"\n\n{sources_line(fact.citations)}"
        return body, list(fact.citations)

    @staticmethod
    def _keyword_query(text: str, match: Any) -> bool:
        """A bare topic word the knowledge base answers ("papilledema"), not a finding about a patient."""
        short = len(text.split()) == 1 and not re.search(r"\d|\b(?:no|not|non|negative|absent|without)\b", text, re.I)
        return short and match.in_scope and not match.is_flow

    def _answer_text(self, text: str) -> Answer:
        """The router's answer in Markdown, sources line added."""
        obj = self.router.answer(text)
        suggestions = [
            Suggestion(i, t) for i, t in zip(obj.get("suggestion_ids", []), obj.get("suggestions", []))
        ]
        if not obj.get("in_scope"):
            return Answer(obj["answer"], None, [], suggestions, in_scope=False)
        body = obj["answer"]
        title = obj.get("title")
        if title:
            body = f"**{title}**\n\n{body}"
        cites = list(obj.get("citations", []))
        if cites:
            body = f"{body}\n\n{sources_line(cites)}"
        return Answer(body, obj.get("intent"), cites, suggestions, in_scope=True)

    def _narrow(self, answer: Answer, facets: list[str]) -> Answer:
        """A follow-up's answer cut to the bullets that speak to what was asked (the card's title kept)."""
        fact = self.kb.facts.get(answer.intent or "")
        part = self.reader.narrow(fact.answer, facets) if fact is not None and self.reader is not None else None
        if part is None:
            return answer
        body = f"**{fact.title}** (the part you asked about; *tell me more* for related facts)\n\n{part.strip()}"
        if answer.citations:
            body += f"\n\n{sources_line(answer.citations)}"
        return answer._replace(text=body)

    def _fact_answer(self, fact_id: str) -> Answer:
        """A fact as `_answer_text` gives it (a follow-up that stays on the focused fact)."""
        fact = self.router.fact(fact_id)
        body = f"**{fact['title']}**\n\n{fact['answer']}"
        cites = list(fact.get("citations", []))
        if cites:
            body += f"\n\n{sources_line(cites)}"
        return Answer(body, fact_id, cites, list(self.focus.alternatives), in_scope=True)

    def _fact_turn(self, fact_id: str) -> Turn:
        body, citations = render.fact_text(self.router.fact(fact_id))
        return Turn(text=body, intent=fact_id, citations=citations)

    def _pick(self, number: int) -> Turn:
        suggestions = self.state.suggestions
        if not 1 <= number <= len(suggestions):
            return Turn(
                text=f"Please pick a number from 1 to {len(suggestions)}.",
                suggestions=suggestions,
            )
        intent = suggestions[number - 1].intent
        if intent in FLOW_INTENTS:
            return self._start_flow(FLOW_INTENTS[intent], [])
        if intent not in self.kb.facts:  # offered by a resumed session whose knowledge has since changed
            return Turn(text="That suggestion is no longer available. Ask a question, or type /help.")
        return self._fact_turn(intent)

    def _flow_suggestions(self) -> list[Suggestion]:
        return flow_suggestions(self.kb)

    # -- slash commands ----------------------------------------------------------------------------------

    def _command(self, text: str) -> Turn:
        name, _, arg = text.partition(" ")
        name, arg = name.lower(), arg.strip()
        flow_commands = {"/assess": "diagnosis", "/treat": "treatment", "/workup": "workup"}
        if name in flow_commands:
            return self._start_flow(flow_commands[name], [])
        if name == "/reset":
            flow = self.flow
            self._emit(CaseReset())
            if flow:
                self._emit(FlowEnded(flow, "reset"))
            return Turn(text="Cleared every recorded finding" + (f" and stopped the {flow} questions." if flow else "."))
        body, cites, intent = self._command_reply(name, arg)
        if self.state.awaiting:
            return self._reask(None, before=body, intent=intent, citations=cites)
        return Turn(text=body, intent=intent, citations=cites)

    def _command_reply(self, name: str, arg: str) -> render.CommandReply:
        """The reply of a command that changes nothing in the conversation (/help, /criteria, /refs, ...)."""
        if name == "/help":
            return render.help_reply()
        if name == "/criteria":
            fact_id = render.criteria_fact(self.kb)
            if fact_id is None:
                return render.CommandReply("The knowledge base has no criteria fact.", [])
            turn = self._fact_turn(fact_id)
            return render.CommandReply(turn.text, turn.citations, fact_id)
        if name == "/cautions":
            return render.cautions_reply(self.kb)
        if name == "/refs":
            return render.refs_reply(arg, self.kb)
        if name == "/case":
            return render.case_reply(self.state.values, self.assessment().verdict, self.kb)
        if name == "/export":
            return render.export_reply(arg, self.session_id, self.export_markdown, self.export_html)
        return render.CommandReply(f"Unknown command {name}. Type /help for the list.", [])


__all__ = [
    "DialogueManager", "Turn", "Awaiting", "clean_input", "looks_like_question", "expected", "COMMANDS", "MAX_INPUT_CHARS",
]
