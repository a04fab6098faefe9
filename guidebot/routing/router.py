"""The router: reads a question once, scores it against every fact and flow, runs the rules, and answers.

See the package docstring (`guidebot.routing`) for the signals, and `rules` for the decision pipeline. The
layers of `Router`, each in its own module: `Reader` (reading.py), `Scorer` (scoring.py), `Checks`
(checks.py), `RuleHelpers` (cases.py); this module keeps the result types, the loop and the answers.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from guidebot.routing.cases import RuleHelpers
from guidebot.routing.normalisation import STOPWORDS
from guidebot.routing.question import Decision, Question, Scored, _words
from guidebot.routing.rules import RULES, switchable
from guidebot.routing.scoring import MEMO_SIZE

_Scored = Scored

# ---------------------------------------------------------------------------------------------------
# The result types

class Suggestion(NamedTuple):
    """Another fact or flow the person may have meant."""

    intent: str
    """Its id (a fact id or a flow id such as `diagnosis.assess`)."""
    title: str
    """Its title, as shown to the person."""


class Match(NamedTuple):
    """What the router made of one question."""

    intent: str | None
    """The fact id or flow id chosen; None when the question is out of scope."""
    confidence: float
    """0..1: the best target's combined score, lowered when a rival is close."""
    in_scope: bool
    """False when nothing in the knowledge base fits (or the input has no content)."""
    suggestions: list[Suggestion] | tuple[()] = ()
    """Close rivals of the chosen target (or a few starting points when out of scope)."""
    is_flow: bool = False
    """True when `intent` is a guided flow (diagnosis.assess, treatment.plan, workup.guide)."""
    reason: str = ""
    """Why it was declined, when it was: `empty`, `contentless`, `low_coverage`, `low_score`, `dose_not_given`,
    `duration_not_given`, `other_condition`, `other_drug`, `other_topic`, `unlike_review_questions`."""
    not_covered: str = ""
    """For a decline whose first suggestion is a caution: what the review does not cover about its agent
    ("thalidomide in pregnancy"), named in the reply; "" otherwise."""
    described: bool | None = None
    """Whether the question describes a patient (states enough findings), when a rule read its findings; None when
    no rule needed them (most questions), so a caller never reads the findings of a question the rules did not."""


MISSPELLING_MEMO_SIZE = 4096
"""How many words' corrections a router remembers (a word costs a fuzzy search the first time)."""

FLOW_NOTE = "This is a guided flow: `guidebot chat` (or the app) walks you through it step by step."
"""Added to a flow's one-shot answer; written so that its Markdown reads the same as plain text."""
FLOW_NOTE_PLAIN = "This is a guided flow: guidebot chat (or the app) walks you through it step by step."



# ---------------------------------------------------------------------------------------------------
# The router


class Router(RuleHelpers):
    """Routes questions to facts and flows over a plain-data index; cheap to call, deterministic."""

    def __init__(self, index: dict):
        """Wrap an index made by `build_index` (usually through `get_router`)."""
        self._ix = index
        self._targets = index["targets"]
        self._by_id = {t[0]: i for i, t in enumerate(self._targets)}
        self._cautions = set(index["cautions"])
        self._dose_targets = set(index["dose_targets"])
        self._duration_targets = set(index["duration_targets"])
        self._reranker = index.get("reranker")
        self._cfg = index["routing"]
        # issue 19 item 6: the semantic signal, when `knowledge/semantic.json` switches a use of it on
        semantic = index.get("semantic")
        self._similarity = None
        if semantic:
            from guidebot.routing.semantic import Similarity  # pathlib and struct: only when switched on

            self._similarity = Similarity(semantic, frozenset(STOPWORDS))

    # -- normalisation of the query side ------------------------------------------------------

    def _suggestion(self, ti: int) -> Suggestion:
        tid, title, _, _ = self._targets[ti]
        return Suggestion(tid, title)

    def _starters(self) -> list[Suggestion]:
        starters = self._cfg.targets["out_of_scope_starters"]
        return [self._suggestion(self._by_id[i]) for i in starters if i in self._by_id][:self._cfg.thresholds["max_suggestions"] + 1]

    def _final(self, intent: str) -> Match:
        """A final answer chosen by a rule outright (its own source, an abbreviation)."""
        return Match(intent, 1.0, True, [], False)

    def _declined(self, reason: str, score: float = 0.0) -> Match:
        """A final decline for `reason` (a `Match.reason`)."""
        return Match(None, round(score, 3), False, self._starters(), False, reason)

    def _declined_with_caution(self, reason: str, score: float, caution: Scored, not_covered: str) -> Match:
        """A decline of a question about a cautioned agent on a topic the review does not cover ("is thalidomide
        safe in pregnancy?"): the caution is the first suggestion, so the safety fact stays one step away."""
        first = self._suggestion(caution.target)
        rest = [s for s in self._starters() if s.intent != first.intent]
        suggestions = [first, *rest][:self._cfg.thresholds["max_suggestions"] + 1]
        return Match(None, round(score, 3), False, suggestions, False, reason, not_covered)

    def read(self, text: str, off: frozenset[str] = frozenset()) -> tuple[Question, list[Scored]]:
        """The question read once (`Question`) and its scored candidates, best first."""
        content, scored = self.score(text)
        return Question(text, _words(text), content, frozenset(off)), scored

    @property
    def _reranker(self) -> Any:
        """The learned re-ranker's model (None: routing without it)."""
        return self.__dict__.get("_model")

    @_reranker.setter
    def _reranker(self, model: Any) -> None:
        # a new model changes decisions: the memoised routes were made with the old one
        self.__dict__["_model"] = model
        self.__dict__.pop("_route_memo", None)

    def route(self, text: str, off: frozenset[str] = frozenset()) -> Match:
        """Decide what a question asks for: a fact, a guided flow, or nothing the review covers. `off` switches
        rules and checks off by name (see `rules.switchable`), for measuring what each is worth.

        Memoised per router when every rule is on (a small bounded cache): the dialogue routes a turn alone,
        in context, and again when it answers."""
        if off:
            return self.route_traced(text, off)[0]
        cache = self.__dict__.setdefault("_route_memo", {})
        hit = cache.get(text)
        if hit is not None:
            return hit
        match = self.route_traced(text)[0]
        if len(cache) >= MEMO_SIZE:
            cache.pop(next(iter(cache)))
        cache[text] = match
        return match

    def standing(self, text: str, target_ids: list[str]) -> tuple[float, str | None, float]:
        """(the best target's score, the best of `target_ids`, its score) for `text`: how far a neighbourhood of
        facts is from winning (the dialogue prefers the facts near the conversation's focus on a near tie)."""
        _, scored = self.score(text)
        if not scored:
            return 0.0, None, 0.0
        wanted = {self._by_id[t] for t in target_ids if t in self._by_id}
        mine = next((s for s in scored if s.target in wanted), None)
        if mine is None:
            return scored[0].score, None, 0.0
        return scored[0].score, self._targets[mine.target][0], mine.score

    def asks_for_verdict(self, intent: str | None) -> bool:
        """Whether a question routed to `intent`, when it describes a patient, is answered with that patient's
        verdict (the guided flows and routing.yaml `targets.case_questions`)."""
        targets = self._cfg.targets
        return intent in (targets["case_flow"], targets["treatment_flow"]) or intent in targets["case_questions"]

    def approach_fact(self, approach: str | None) -> str | None:
        """The fact that says who gets Figure 3's `approach` (routing.yaml `targets.approach`), if any."""
        return self._cfg.targets["approach"].get(approach or "")

    def misspellings(self, text: str) -> dict[str, str]:
        """{word as typed: the known word it misspells} for the words of `text` the router reads as misspellings
        ("how comon" -> {"comon": "common"}): the dialogue reads its facets and entities from the corrected words.
        Memoised per word (a small bounded cache)."""
        from guidebot.routing.normalisation import NEVER_CORRECTED

        memo = self.__dict__.setdefault("_misspelling_memo", {})
        other_conditions = self._cfg.words["other_conditions"]
        out: dict[str, str] = {}
        for tok in _words(text):
            if tok not in memo:
                if len(memo) > MISSPELLING_MEMO_SIZE:
                    memo.clear()
                fixed = self._ix["fixes"].get(tok, tok)
                if not (self._is_known(fixed) or fixed.isdigit() or fixed in NEVER_CORRECTED or fixed in other_conditions):
                    fixed = self._correction(fixed) or fixed
                memo[tok] = fixed
            if memo[tok] != tok:
                out[tok] = memo[tok]
        return out

    def unknown_words(self, text: str) -> list[str]:
        """The words of `text` guidebot has never seen (the dialogue reads a follow-up naming one alone)."""
        return self._unknown_words(self.normalise(text))

    def route_traced(self, text: str, off: frozenset[str] = frozenset()) -> tuple[Match, list[str]]:
        """`route`, and the names of the rules and checks that changed something, in order."""
        if not text or not text.strip():
            return Match(None, 0.0, False, self._starters(), False, "empty"), []
        unknown = set(off) - set(switchable())
        if unknown:
            raise ValueError(f"no such rule or check: {', '.join(sorted(unknown))}")
        return self.decide(*self.read(text, off))

    def decide(self, q: Question, scored: list[Scored]) -> tuple[Match, list[str]]:
        """Run the rules over a question already read and scored (`read`): the match, and the rules that fired.
        Training reads each question once and decides it again under every candidate model."""
        decision = Decision(scored[0]) if scored else None
        for rule in RULES:
            if rule.name in q.off:
                continue
            result = rule.apply(self, q, scored, decision)
            if result is None:
                continue
            if not rule.core:
                q.fired.append(rule.name)
            if isinstance(result, Match):
                return _with_described(result, q), q.fired
            decision = result
        return _with_described(self._match(q, scored, decision), q), q.fired

    def _match(self, q: Question, scored: list[Scored], decision: Decision) -> Match:
        """The answer for the rules' decision: the chosen target, close rivals as suggestions, a confidence."""
        best = decision.best
        limits = self._cfg.thresholds
        close, most = limits["close_margin"], limits["max_suggestions"]
        best_fact = self._targets[best.target][3]
        rivals = []
        seen = {best_fact}
        # a caution whose agent the question names is always offered ("does bortezomib work" -> the regimen
        # fact, and "Avoid neurotoxic agents" first among the suggestions)
        words = set(q.content)
        for ti, anchors in self._ix["caution_anchors"].items():
            fact_id = self._targets[ti][3]
            if fact_id not in seen and any(set(a) <= words for a in anchors):
                seen.add(fact_id)
                rivals.append(self._suggestion(ti))
        for s in scored:
            if s is best:
                continue
            if best.score - s.score > close or len(rivals) >= most:
                break
            fact_id = self._targets[s.target][3]
            if fact_id in seen:
                continue  # a flow and its own answering fact are one answer, not two
            seen.add(fact_id)
            rivals.append(self._suggestion(s.target))
        # a rival the best fact lists as related is a neighbouring answer, not a competing reading: it lowers
        # confidence as if it were `related_discount` (routing.yaml) further behind
        related = set(self._ix["facts"][best_fact]["related"])
        runner_up = max(
            (s.score - (limits["related_discount"] if self._targets[s.target][3] in related else 0.0)
             for s in scored if self._targets[s.target][3] != best_fact),
            default=0.0,
        )
        # confidence falls as a rival closes in: two equally good answers are each 50/50
        margin = max(0.0, min(1.0, (best.score - runner_up) / close))
        # a caution the question names was chosen by rule, not by score: rivals do not make it less certain
        confidence = best.score if decision.anchored else best.score * (0.5 + 0.5 * margin)
        tid, _, is_flow, _ = self._targets[best.target]
        return Match(tid, round(min(1.0, confidence), 3), True, rivals, is_flow)

    # -- answers ------------------------------------------------------------------------------------

    def answer(self, text: str, off: frozenset[str] = frozenset()) -> dict:
        """The INTERFACE section 2 object for a question (plus `title`, `suggestion_ids`, `plain`, `is_flow`)."""
        return self.answer_for(text, self.route(text, off))

    def answer_for(self, text: str, match: Match) -> dict:
        """`answer` for a question already routed to `match`."""
        obj: dict = {"question": text, "in_scope": match.in_scope, "intent": match.intent, "confidence": match.confidence}
        if not match.in_scope:
            if match.reason == "empty":
                md = "The question was empty. Ask about POEMS syndrome, for example:"
            elif match.reason in ("dose_not_given", "duration_not_given"):
                what = "dose" if match.reason == "dose_not_given" else "duration"
                md = (
                    f"The review guidebot is built on (Khouri et al., JAMA Oncol 2021) does not give this {what}, "
                    "so guidebot cannot answer it. It can help with, for example:"
                )
            elif match.not_covered:
                md = (
                    f"The review guidebot is built on (Khouri et al., JAMA Oncol 2021) does not cover "
                    f"{match.not_covered}, so guidebot cannot answer it. What the review does say about this agent "
                    "is its caution, the first suggestion below. It can also help with, for example:"
                )
            else:
                md = (
                    "The review guidebot is built on (Khouri et al., JAMA Oncol 2021) does not cover this, "
                    "so guidebot cannot answer it. It can help with, for example:"
                )
            items = "\n".join(f"- {s.title}" for s in match.suggestions)
            body = f"{md}\n{items}" if items else md
            obj.update(answer=body, citations=[], suggestions=[s.title for s in match.suggestions])
            obj.update(title="Not covered" if match.reason != "empty" else "Empty question", plain=body)
            obj.update(suggestion_ids=[s.intent for s in match.suggestions], is_flow=False)
            return obj
        ti = self._by_id[match.intent]
        fact = self._ix["facts"][self._targets[ti][3]]
        md, plain = fact["answer"], fact["plain"]
        if match.is_flow:
            md = f"{md}\n\n{FLOW_NOTE}"
            plain = f"{plain}\n\n{FLOW_NOTE_PLAIN}"
        obj.update(
            answer=md,
            citations=list(fact["citations"]),
            suggestions=[s.title for s in match.suggestions],
            title=fact["title"],
            suggestion_ids=[s.intent for s in match.suggestions],
            plain=plain,
            is_flow=match.is_flow,
            fact=fact["id"],
        )
        return obj

    def fact(self, fact_id: str) -> dict:
        """One fact as {id, title, answer (Markdown), plain, citations, section, related}; KeyError if unknown."""
        return dict(self._ix["facts"][fact_id])

    def reference(self, n: int) -> str:
        """The review's reference `n`, fully formatted with its DOI; KeyError if the review has no such number."""
        return self._ix["references"][int(n)]

    @property
    def review(self) -> str:
        """The citation of the review itself."""
        return self._ix["review"]

    @property
    def targets(self) -> list[tuple[str, str, bool, str]]:
        """(id, title, is_flow, answering fact id) of every routable target, in index order."""
        return list(self._targets)


def _with_described(match: Match, q: Question) -> Match:
    """The match, marked with whether the question describes a patient when the rules read its findings, or when it
    is an exam vignette (a case, then its ask) answered by a fact: a rule that decided early leaves them unread."""
    if q.findings_read or (match.intent is not None and q.ask is not None):
        return match._replace(described=q.mood == "patient")
    return match
