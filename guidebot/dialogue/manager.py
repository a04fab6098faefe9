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
from typing import Any

from guidebot.dialogue import messages as message_rules
from guidebot.dialogue import render
from guidebot.dialogue import rewrite as rewrite_rules
from guidebot.dialogue.context import ConversationReader
from guidebot.dialogue.described import is_case_question
from guidebot.dialogue.findings import extract_findings
from guidebot.dialogue.events import BotSaid, CaseReset, Event, FlowEnded, FocusSet, SessionStarted, SlotSet, SuggestionsOffered, UserSaid
from guidebot.dialogue.flows import GuidedFlows
from guidebot.dialogue.focus import Focus
from guidebot.dialogue.focus import normalise as context_normalise
from guidebot.dialogue.inputs import CONTROL_WORDS, FLOW_CUES, MAX_INPUT_CHARS, clean_input, looks_like_question
from guidebot.dialogue.inputs import PATIENT as _PATIENT
from guidebot.dialogue.messages import PREFIX_ACT_YIELD
from guidebot.dialogue.reading import TurnReading
from guidebot.dialogue.render import COMMANDS, flow_suggestions, sources_line
from guidebot.dialogue.render import sentences as _sentences
from guidebot.dialogue.replies import Reask, expected, normalise, parse_reply
from guidebot.dialogue.state import FLOW_INTENTS, Awaiting, ConversationState, Turn, replay
from guidebot.dialogue.store import SessionStore
from guidebot.dialogue.turns import Answer, Reading, Suggestion
from guidebot.errors import GuidebotError

SMALLTALK_DURING_QUESTIONS = frozenset({"greeting", "thanks", "bye", "wrong", "not_what_i_asked"})
"""Small talk answered while a question is pending ("ok" and "no" are not among them: they may be answers)."""

ACTS_THAT_YIELD = frozenset({"why", "more", "source"})
"""Acts read from a message's start that yield to a confident answer about another fact ("why do the glands
fail?", "evidence for poems tx is mostly from what"); acts read elsewhere ("which study?") ask about the last answer."""

# Round 5 mechanisms, each a switch so that `guidebot eval --dialogue` can be run with it off (ablation)
ACT_BY_ITS_WORDS = True
"""Whether an act read from a message's start stays an act when it adds no word to the last answer ("why are they so
common?" after the card saying so), however sure the router is of another fact."""
OWN_QUESTION_YIELDS = True
"""Whether an act read from a message's start also yields, however unsure the router, when the message says at least
`OWN_WORDS` things the last answer does not (words it does not use, facets it does not state) and the fact its words
reach alone says more of them ("why does it take so many different tests to nail it down?" after a trial's table:
the many-tests card, not "why?" of the trial); "why does it develop?" says one thing of its own, and stays an act
(switch for ablation)."""
OWN_WORDS = 2
OFFERING_SMALLTALK = ("not_what_i_asked", "wrong")
"""Small talk that offers the last answer's other candidates as numbered suggestions ("you're wrong" as well as
"that's not what I asked": either says the answer did not fit the question)."""
WRONG_OFFERS_CANDIDATES = True
"""Whether "you're wrong" offers the other candidates too (switch for ablation; "not what I asked" always does)."""
ACT_BEFORE_ANY_ANSWER = True
"""Whether a bare "why?" or "tell me more" before any answer gets a short reply of its own (nothing has been answered
yet) rather than being routed and declined as "not covered"."""
ACK_DURING_QUESTIONS = True
"""Whether an acknowledgement that does not answer the pending question ("figured", "cool") gets the small-talk reply
and the question again, rather than being routed as a side question (switch for ablation)."""
SIBLING_KEEPS_TOPIC = True
"""Whether a turn answered by a sibling card of the focus's topic (`Reading.sibling`) keeps the topic's subject first
in the new focus, before the entities the turn named ("hepatomegaly in both?" after the AL amyloidosis heart and kidney
cards: still amyloidosis), unless what it named is what that card is about ("the Japanese one?" after the cohorts
compared: the Japanese cohort) (switch for ablation)."""
PREFIX_ACT_ON_SIDE_ANSWER = True
"""Whether, in a guided flow right after the answer to a side question, an act read from a message's start ("why is
serum higher" after serum versus plasma) is an act on that answer when its words are the answer's own or reach that
same fact alone; otherwise it is a side question of its own, as before (switch for ablation)."""
FOCUS_ON_WHAT_WAS_FOUND = True
"""Whether a recorded patient's focus drops the tests the findings were found by when the message names the findings."""

NOT_SPELT_OUT_NOTE = "(the usual expansion; the review does not spell out {term})"
"""Said after a glossary expansion marked `review_spells_out: false`, so that it never passes for the review's words."""


class DialogueManager(GuidedFlows, TurnReading):
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
        if self.reader is not None and not self.reader.caution_facts:
            # a pushback naming a cautioned agent ("thats wrong, bevacizumab works") gets the caution, not an apology
            self.reader.caution_facts = frozenset(
                fid for fid, fact in kb.facts.items() if str(getattr(fact, "safety", "") or "") == "caution")
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
            act = self._act_request(text)
            # "y" answering the pending question is "yes", not "why"
            if act is not None and (not act.by_prefix or self._prefix_act_on_answer(text)) \
                    and isinstance(parse_reply(awaiting.kind, text.rstrip("?"), awaiting.choices), Reask):
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
            if talk is not None and talk.id in SMALLTALK_DURING_QUESTIONS and not self._corrects(talk, text):
                turn = self._smalltalk(talk)
                return self._reask(None, before=turn.text)
            unread = parse_reply(awaiting.kind, text.rstrip("?"), awaiting.choices)
            if ACK_DURING_QUESTIONS and talk is not None and talk.id == "ack" and isinstance(unread, Reask) \
                    and not extract_findings(text):
                # "figured", "cool" while a question waits: a nod, neither an answer nor a question for the router
                # ("figured" is no question about the figures): the question again, with how to answer it
                turn = self._reask(unread.message)
                turn.act = f"smalltalk:{talk.id}"
                return turn
            return self._answer(text, awaiting)
        if self.flow is not None:  # a flow without a question (only after an interrupted turn): carry on
            return self._advance([])
        if reader is not None:
            if message_rules.DOUBT_RESTATES and self.focus.fact and (doubted := reader.doubt(text)) \
                    and self._doubts_the_last_answer(text, doubted):
                return self._doubt(doubted)
            talk = reader.smalltalk(text) or (reader.smalltalk("wrong") if reader.is_undo(text) else None)
            if talk is not None and not (self.focus.patient and self._corrects(talk, text)):
                return self._smalltalk(talk)
            act = self._act_request(text)
            of_its_own = False
            if act is not None and act.by_prefix and act.act in ACTS_THAT_YIELD and self.focus.fact:
                last = self.kb.facts.get(self.focus.fact)
                # "why are they so common?" uses only the last answer's words: an act on it, however sure the router
                # is of another fact; one that adds words ("why do the glands fail?") may be a question of its own
                if not (ACT_BY_ITS_WORDS and last is not None and not reader.words_beyond(text, last)):
                    alone = self.router.route(text)
                    if alone.in_scope and not alone.is_flow and alone.intent != self.focus.fact and (
                            alone.confidence >= PREFIX_ACT_YIELD or (of_its_own := self._asks_of_its_own(text, last, alone.intent))):
                        act = None  # "why do the glands fail?": a question about another fact, not "why?"
            if act is not None and act.bare_term and message_rules.BARE_TERM_ASKS_ITS_ENTITY:
                # "uclh?" after the cohorts compared: the UCLH cohort's own card, when alone the router reaches it
                own = reader.term_entity_facts(act.term or "", self.focus)
                alone = self.router.route(text) if own else None
                if alone is not None and alone.in_scope and not alone.is_flow and alone.intent in own:
                    act = None
            if act is not None and self.focus.fact:
                return self._act(act.act, act.term)
            if act is not None and ACT_BEFORE_ANY_ANSWER and not self.focus.fact and not self.focus.patient \
                    and act.act in ("why", "more") and not act.by_prefix:
                # "why?" as the first message: nothing to explain yet ("why is poems missed so often" is a question)
                return self._act_before_answer(act.act)
            if act is not None and act.act == "define" and act.term and reader.glossary_entry(act.term) is None:
                # "what does IFE stand for" before any answer: the glossary entries it is part of, or not spelt out
                return self._act(act.act, act.term)
            if of_its_own:  # judged a question of its own by its words alone: its "it" is not the last answer's subject
                return self._free_text(text, alone=True)
        if text.isascii() and text.isdigit():  # ASCII only: int() refuses "²", which isdigit() accepts
            if self.state.suggestions:
                return self._pick(int(text))
            return Turn(text="There is no numbered list to pick from just now. Ask a question, or type /help.")
        return self._free_text(text)

    def _prefix_act_on_answer(self, text: str) -> bool:
        """Whether a message opening with an act's words ("why is serum higher") asks it of the last answer: alone it
        reaches that same fact, or alone it reaches none and adds no word to it (`PREFIX_ACT_ON_SIDE_ANSWER`)."""
        last = self.kb.facts.get(self.focus.fact or "")
        if not PREFIX_ACT_ON_SIDE_ANSWER or last is None or self.reader is None:
            return False
        alone = self.router.route(text)
        if alone.in_scope and not alone.is_flow:
            # "why plasma not serum", "why not thalidomide" alone reach a card of their own: a question, not an act
            return alone.intent == last.id
        return ACT_BY_ITS_WORDS and not self.reader.words_beyond(text, last)

    def _asks_of_its_own(self, text: str, last: Any, other_id: str) -> bool:
        """Whether `text` says at least `OWN_WORDS` things the `last` fact does not, and fewer of them are missing
        from the fact `other_id` its words reach alone (see `OWN_QUESTION_YIELDS`)."""
        reader, other = self.reader, self.kb.facts.get(other_id)
        if not OWN_QUESTION_YIELDS or reader is None or last is None or other is None:
            return False

        def missing(fact: Any) -> int:
            return len(reader.words_beyond(text, fact)) + sum(not reader.states(fact, [f]) for f in reader.facets_in(text))

        own = missing(last)
        return own >= OWN_WORDS and missing(other) < own

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

    def _free_text(self, text: str, *, alone: bool = False) -> Turn:
        focus = self.focus
        match, routed, read = self._read(text, focus, alone=alone)
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

    # the reading itself (`_read` and its helpers) is TurnReading's (reading.py)

    def _set_fact_focus(self, answer: Answer, text: str, read: Reading, before: Focus, *, patient: bool) -> None:
        reader = self.reader
        if reader is None:
            return
        intent = answer.intent
        fact = self.kb.facts.get(intent)
        named = reader.entities_in(text)
        about = reader.fact_entities(intent)
        # "A vs B" names two subjects: only a setting or a scope follows the subject
        qualified = {e: k for e, k in reader.qualifiers(text).items() if k != "contrast"} if rewrite_rules.QUALIFIERS_LAST else {}
        subjects = [e for e in named if e not in qualified]
        if named and read.reading == "context" and rewrite_rules.QUALIFIERS_KEEP_SUBJECT and reader.only_setting(
                context_normalise(text), named, before.text):
            # "and after transplant?" answered by daratumumab, "vs myeloma?" after the lesions: the subject is still the
            # focus's, the setting or the thing compared with after it
            entities = list(dict.fromkeys(before.entities + named))
        elif named:
            entities = [e for e in subjects if e in about] + [e for e in subjects if e not in about]
            entities += [e for e in named if e in qualified]  # "in the mayo series": "it" later is the subject
            if SIBLING_KEEPS_TOPIC and read.sibling and before.entities and before.entities[0] not in entities \
                    and not set(named) & set(about):
                # "hepatomegaly in both?" answered by the liver card of the AL amyloidosis comparison: the topic is
                # still amyloidosis ("neuropathy differences" next is the comparison's neuropathy card)
                entities = [before.entities[0], *entities]
        elif read.reading == "context":
            entities = list(before.entities)
        else:
            entities = about[:2]
        facets = reader.facets_in(text) or (list(before.facets) if read.reading == "context" else [])
        focus = Focus(
            fact=intent, section=str(fact.section) if fact is not None else None, entities=entities[:3], facets=facets,
            patient=patient, approach=before.approach if patient else None, citations=list(answer.citations),
            alternatives=list(answer.suggestions), text=answer.text, named=reader.entities_in_order(text),
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
        elif talk.id in OFFERING_SMALLTALK and WRONG_OFFERS_CANDIDATES and self.focus.alternatives:
            # "you're wrong": the answer may be to another question than the one meant; its other candidates
            suggestions = list(self.focus.alternatives)
            text += "\n\nOr did you mean one of these? Reply with its number."
        if suggestions:
            text += "\n\n" + "\n".join(f"{i}. {s.title}" for i, s in enumerate(suggestions, 1))
            self._emit(SuggestionsOffered(suggestions))
        return Turn(text=text, act=f"smalltalk:{talk.id}", suggestions=suggestions)

    def _doubts_the_last_answer(self, text: str, doubted: str) -> bool:
        """Whether a doubt is about the last answer alone: that answer was the focused fact (not a decline), the
        message states no finding (a correction is recorded as one), and what it goes on to say names nothing outside
        that answer (`doubts_only`); otherwise it is read as any message is."""
        last, fact = self.state.last_turn, self.kb.facts.get(self.focus.fact or "")
        if last is None or fact is None or last.in_scope is False or last.intent != fact.id or extract_findings(text):
            return False
        return self.reader is not None and self.reader.doubts_only(doubted, fact, self.focus.entities)

    def _doubt(self, doubted: str) -> Turn:
        """"Are you sure? even in remission": the last answer's statement again with its sources (narrowed to the
        facets the doubt names), so the person can check it against the references (`DOUBT_RESTATES`)."""
        answer = self._fact_answer(self.focus.fact or "")
        facets = self.reader.facets_in(doubted) if self.reader is not None else []
        if facets:
            answer = self._narrow(answer, facets)
        text = "This is what the review says; *source?* gives its references in full.\n\n" + answer.text
        return Turn(text=text, intent=answer.intent, citations=answer.citations, in_scope=True, act="doubt")

    def _act(self, act: str, term: str | None) -> Turn:
        focus = self.focus
        fact = self.kb.facts.get(focus.fact or "")
        title = fact.title if fact is not None else "the last answer"
        cites: list[int] = []
        suggestions: list[Suggestion] = []
        in_scope = True
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
                # an expansion the review never gives is said to be the usual one: it never passes for the review's
                unspelt = self.reader.not_spelt_out if self.reader else frozenset()
                body = "\n".join(f"- **{k}**: {v}" + (f" {NOT_SPELT_OUT_NOTE.format(term=k)}" if k in unspelt else "")
                                  for k, v in pairs)
            elif term:
                body = f"The review does not spell out {term}."
                in_scope = False  # declined: nothing from the review to give
            else:
                body = "The last answer uses no abbreviation that needs spelling out."
        return Turn(text=body, intent=focus.fact, citations=cites, suggestions=suggestions, act=act, in_scope=in_scope,
                    focus=Reading(focus.fact, list(focus.entities), "context"))

    def _act_request(self, text: str) -> Any:
        """The act the message asks on the last answer (`ConversationReader.act`); the things the last answer is about
        are not new to it ("why len and not thal" after the card preferring lenalidomide to thalidomide)."""
        focus = self.focus
        known = list(focus.entities)
        if message_rules.ACT_NAMES_THE_ANSWERS and self.reader is not None:
            known += [e for e in self.reader.fact_entities(focus.fact) if e not in known]
        return self.reader.act(text, focus.text, known) if self.reader is not None else None

    @staticmethod
    def _corrects(talk: Any, text: str) -> bool:
        """Whether a "that's wrong, ..." message states findings: said to a pending question or about the patient being
        described ("wrong, it's lambda"), it corrects them, so it is read for the findings, not as small talk."""
        return talk.id in message_rules.CLAIM_SMALLTALK and bool(extract_findings(text))

    @staticmethod
    def _act_before_answer(act: str) -> Turn:
        """"why?" or "tell me more" before anything was answered: a plain statement that there is nothing yet to act on,
        not a "not covered" ("source?" is left to the router, which gives the review itself; "what does HCT mean" too)."""
        body = ("There is no answer yet to explain or expand on. Ask a question about POEMS syndrome, describe your "
                "patient, or type /help.")
        return Turn(text=body, act=act)

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
