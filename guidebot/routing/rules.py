"""The decision rules: an ordered list of small rules over a typed question and its scored candidates.

`Router.route` reads the question once (`Question`), scores it, then runs `RULES` in order. Each rule takes
(router, question, scored candidates, the decision so far) and returns a new `Decision`, a final `Match`, or
None to pass. A rule can be switched off by name (`Question.off`): `guidebot eval --ablate` measures each
rule's worth that way. Rules marked `core` (reading the scores into a first decision, declining) cannot be.

The order is the priority: questions about guidebot itself; a caution the question names; a caution close
behind the best; then the checks (`Checks._decline_reason`); rescues of a question declined for a low score
(a named caution, a described patient, the learned model); the decline itself; redirects of an answered
question (a described patient to the guided flow, POEMS without a mandatory criterion, a treatment case to
the fact Figure 3 points to); and the learned model's tie-break or decline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from guidebot.routing.cases import LOW
from guidebot.routing.normalisation import ABOUT_THE_ASSISTANT, GENERIC, SECOND_PERSON
from guidebot.routing.question import Decision, Question, Scored, without_options
from guidebot.routing.reranker import knows, probabilities
from guidebot.routing.vignettes import _ask_match, avoid_ask, differential_ask, knowledge_ask, vignette_ask, vignette_rescue


# ---------------------------------------------------------------------------------------------------
# The rules, in order. Each returns a Decision, a final Match, or None (pass).


def about_assistant(r, q: Question, scored, d):
    """"where is your info from" is answered with the source; "what's your name" is declined."""
    if SECOND_PERSON.intersection(q.raw) and all(w in GENERIC or w in ABOUT_THE_ASSISTANT for w in q.content):
        source = r._cfg.targets["source"]
        if r._cfg.words["source_cues"].intersection(q.raw) and source in r._by_id:
            return r._final(source)
        return r._declined("contentless")
    return None


def abbreviation(r, q: Question, scored, d):
    """"what does CR_V mean" is the abbreviations fact."""
    spelt_out = r._spelt_out(q.raw)
    return r._final(spelt_out) if spelt_out is not None else None


def contentless(r, q: Question, scored, d):
    """Nothing but framing words or bare numbers ("who made you", "what's 2+2"): no topic to look up."""
    if not q.content or all(w in GENERIC or w.isdigit() for w in q.content):
        return r._declined("contentless")
    return None


def nothing_scored(r, q: Question, scored, d):
    """No target shares a word with the question."""
    return r._declined("low_coverage") if not scored else None


def named_caution(r, q: Question, scored, d):
    """A caution whose agent the question names is shown however far behind it scores ("velcade ok?"); a dose
    the review does not give, or another condition the caution does not speak of, still declines it."""
    anchored = r._anchored_caution(q.content, scored, d.best)
    if anchored is None or _failed_for_other_condition(r, q):
        return None
    anchored = _warning_for_avoid_ask(r, q, scored, anchored)
    # "acyclovir prophylaxis with proteasome inhibitors": about a drug the review never names, given with a class
    # of agents; a caution whose agent is named by name is still shown ("apixaban or LMWH after transplant?")
    by_class = not r._names_agent(q.content, anchored)
    # "how to reverse LMWH bleeding?", "antidote for LMWH?" ask how to undo the agent, which no caution says
    reversal_asks = r._cfg.words.get("reversal_asks", frozenset())
    asks_reversal = q.on("other_topic") and q.fire("other_topic", not reversal_asks.isdisjoint(q.raw))
    # "on enoxaparin, platelets fell 60%: which alternative anticoagulant?", "apixaban instead of LMWH?": a caution
    # recommending its agent names no replacement for it
    asks_replacement = (q.on("replacement_ask") and r._targets[anchored.target][3] in r._cfg.targets.get("recommending_cautions", ())
                        and q.fire("replacement_ask", not r._cfg.words.get("replacement_asks", frozenset()).isdisjoint(q.raw)))
    # a topic the review does not cover qualifying the agent ("is thalidomide safe in pregnancy?", "PLEX for a
    # pregnant woman?", "LMWH after hip surgery") is not covered, however it asks: the decline offers the
    # caution first (`decline`). A passing mention that is no topic ("she is bleeding") keeps the caution, and
    # so does a described patient's history (`_other_topic`). Switched off, only a question naming no POEMS and
    # asking nothing about safety was declined
    asks_safety = not r._cfg.words.get("caution_asks", frozenset()).isdisjoint(q.content)
    plainly_off = not asks_safety and r._cfg.words["poems"].isdisjoint(q.content)
    off_topic = (plainly_off or q.on("caution_uncovered")) and r._other_topic(q)
    if off_topic and not plainly_off:
        q.fire("caution_uncovered", True)
    reason = ("other_topic" if asks_reversal or off_topic or asks_replacement
              else "other_drug" if by_class and r._other_drug(q) else r._dose_reason(q, anchored))
    if not reason and r._caution_other_condition(q, anchored) and not r._poems_suspect(q):
        # "plasma exchange in TTP": about another condition; a condition the caution's answer speaks of
        # ("CIDP pt, should I do PLEX?") keeps it, and so does a described POEMS suspect
        reason = "other_condition"
    return Decision(anchored, reason, anchored=True)


def _warning_for_avoid_ask(r, q: Question, scored, anchored):
    """An exam vignette asking what to avoid, naming the agents of several cautions in its options ("Which of the
    following should be avoided: (A) lenalidomide (B) daratumumab (C) bortezomib (D) low-molecular-weight heparin?"):
    a caution that recommends its agent (`targets.recommending_cautions`) is no answer to it, so a named caution
    that warns against its agent is shown instead (switched with `avoid_ask`)."""
    recommending = r._cfg.targets.get("recommending_cautions", ())
    if not q.on("avoid_ask") or r._targets[anchored.target][3] not in recommending:
        return anchored
    ask = without_options(q.text)
    if r._cfg.words.get("caution_asks", frozenset()).isdisjoint(r.normalise(ask)):
        return anchored
    for s in scored:
        if s.target in r._cautions and r._targets[s.target][3] not in recommending and r._named_caution(q.content, [s]) is not None:
            return q.fire("avoid_ask", s)
    return anchored


def _failed_for_other_condition(r, q: Question) -> bool:
    """"CIDP not responding to PLEX and IVIG": the agent is what failed for another condition, so the question
    asks about that condition (the scores decide), not whether to give the agent."""
    words = r._cfg.words
    cues = words.get("failed_treatment_cues", frozenset())
    return ((not cues.isdisjoint(q.raw) or not cues.isdisjoint(q.content))
            and not words["other_conditions"].isdisjoint(q.content))


def close_caution(r, q: Question, scored, d):
    """A caution close behind the best wins when its title names what the question names, so that a drug
    question meets its warning first; not when the caution itself could not answer."""
    best = d.best
    if d.anchored or best.target in r._cautions:
        return None
    # "bortezomib effective in poems?": asked how well a drug worked, not whether it is safe, the fact that
    # reports its results answers (and says itself that the algorithm avoids it; the caution is suggested)
    words = r._cfg.words
    asks_caution = not words.get("caution_asks", frozenset()).isdisjoint(q.content)
    if not words.get("efficacy_asks", frozenset()).isdisjoint(q.content) and not asks_caution:
        return None
    for s in scored[1:]:
        if best.score - s.score > r._cfg.thresholds["caution_margin"]:
            break
        names_it = s.title > 0 and s.title >= best.title and s.coverage >= best.coverage
        # it names the caution's agent or asks what to avoid: "vegf 180 in plasma" shares a title word with
        # "Plasma exchange does not work", but asks about no plasma exchange
        if s.target in r._cautions and names_it and (asks_caution or r._named_caution(q.content, [s]) is not None):
            return None if r._decline_reason(q, s) or r._caution_other_condition(q, s) else d._replace(best=s)
    return None


def judge(r, q: Question, scored, d):
    """Core: why the chosen target cannot answer (the checks), or ""."""
    if d.anchored:
        return None
    return d._replace(reason=r._decline_reason(q, d.best))


def dose_rival(r, q: Question, scored, d):
    """"2 lesions, clean marrow, radiation dose?": a close rival that gives a dose answers it."""
    if d.anchored or d.reason != "dose_not_given":
        return None
    for s in scored[1:]:
        if d.best.score - s.score > r._cfg.thresholds["close_margin"]:
            break
        if s.target in r._dose_targets and not r._decline_reason(q, s):
            return d._replace(best=s, reason="")
    return None


def drug_rival(r, q: Question, scored, d):
    """"is the antibody drip daratumumab hard on the nerves?": the best fact never mentions the drug asked about
    (`absent_drug`, checked only once the best passed the score thresholds), but a close rival that does answers
    it, unless what it asks rules the rival out."""
    if d.anchored or d.reason != "low_coverage" or "absent_drug" not in q.fired:
        return None
    for s in scored[1:]:
        if d.best.score - s.score > r._cfg.thresholds["close_margin"]:
            break
        # a rival asked about the drug (its phrasings name it), not one whose answer merely lists it, and that
        # speaks of something else the question asks ("nerves"): "side effects of lenalidomide" stays declined
        drugs, postings, answers = r._cfg.drugs, r._ix["postings"], r._ix["answer_postings"]
        about_it = all(s.target in postings.get(w, ()) for w in q.content if w in drugs)
        more = any(s.target in postings.get(w, ()) or s.target in answers.get(w, ())
                   for w in q.content if w not in drugs and w not in GENERIC)
        if about_it and more and not r._decline_reason(q, s, thresholds=False):
            return d._replace(best=s, reason="")
    return None


def caution_rescue(r, q: Question, scored, d):
    """A question naming a caution's agent is never sent away for matching too little of the rest."""
    if d.anchored or d.reason not in LOW:
        return None
    named = r._named_caution(q.content, scored)
    if named is not None and (r._names_agent(q.content, named) or not r._other_drug(q)) and not r._dose_reason(q, named) and not r._other_condition(q, named):
        return d._replace(best=named, reason="")
    return None


def _another_disease(r, q: Question) -> bool:
    """Whether a question declined on score describes another disease: it has words guidebot does not know,
    names no POEMS and states no neuropathy with a monoclonal protein ("anemia, hypercalcemia ... lytic lesions,
    40% clonal plasma cells: which induction regimen?"). A rescue by its findings must not make it a POEMS case."""
    return "poem" not in q.content and bool(r._unknown_words(q.content)) and not r._poems_suspect(q)


def case_flow_rescue(r, q: Question, scored, d):
    """A poorly matched description of a patient asking whether it is POEMS goes to the guided diagnosis."""
    if d.anchored or d.reason not in LOW:
        return None
    case = r._case_flow(q, d.best, declined=True)
    return d._replace(best=case, reason="") if case is not None else None


def treatment_case_rescue(r, q: Question, scored, d):
    """A poorly matched treatment question describing lesions and marrow gets the fact Figure 3 points to."""
    if d.anchored or d.reason not in LOW:
        return None
    if _another_disease(r, q):
        return None
    case = r._treatment_case(q, d.best, declined=True)
    return d._replace(best=case, reason="") if case is not None else None


def workup_case(r, q: Question, scored, d):
    """A poorly matched description of a patient asking what to test gets the workup."""
    if d.anchored or d.reason not in LOW:
        return None
    case = r._workup_case(q, d.best)
    return d._replace(best=case, reason="") if case is not None else None


def model_rescue(r, q: Question, scored, d):
    """Declined on score alone: the learned model, sure of one front-runner and sure this is a review
    question, answers it; a word neither has seen keeps it declined unless the question names POEMS."""
    if d.anchored or d.reason not in LOW:
        return None
    return r._learned_rescue(q, scored, d, "rescue_min", "rescue_max_out", vetoed=lambda: "poem" not in q.content and any(
        not knows(r._reranker, w) for w in r._unknown_words(q.content)))


SEMANTIC_CANDIDATES = 12
"""The semantic rescue compares a question closely with this many targets (nearest centroids first)."""


def semantic_rescue(r, q: Question, scored, d):
    """Issue 19 item 6. Declined on score alone, but the question's meaning is close to one target and to no
    other ("filtering the blood plasma"): that target answers, unless a check rules it out, the learned
    model calls the question out of scope, or a word neither has seen names another topic. Settings in
    `knowledge/semantic.json`; shipped switched off (docs/semantic.md says why)."""
    if r._similarity is None or d.anchored or d.reason not in LOW:
        return None
    found = r._similarity.rescue_target(q.text, [t[3] for t in r._targets], SEMANTIC_CANDIDATES)
    if found is None:
        return None
    top = next((s for s in scored if s.target == found[0]), None) or Scored(found[0], found[1], 0.0, 0.0)
    if r._decline_reason(q, top, thresholds=False):
        return None
    if r._reranker is not None:
        _, p_out = probabilities(r._reranker, q.content, [top.target])
        if p_out > r._similarity.config["rescue_max_out"]:
            return None
        if "poem" not in q.content and any(not knows(r._reranker, w) for w in r._unknown_words(q.content)):
            return None
    return d._replace(best=top, reason="")


def poems_suspect(r, q: Question, scored, d):
    """A patient with a neuropathy and a monoclonal protein is a POEMS question whatever other label they
    came with ("50M 'CIDP' on IVIG, plts 550, lambda band - what labs?")."""
    if d.anchored or d.reason != "other_condition" or not r._poems_suspect(q):
        return None
    return d._replace(best=r._workup_case(q, d.best) or d.best, reason="")


def decline(r, q: Question, scored, d):
    """Core: a decision with a reason is a decline. One for a topic the review does not cover, about an agent
    a caution names, offers that caution first and says what is not covered ("thalidomide in pregnancy")."""
    if not d.reason:
        return None
    if d.reason == "other_topic":
        caution = d.best if d.best.target in r._cautions else r._named_caution(q.content, scored)
        if caution is not None:
            return r._declined_with_caution(d.reason, d.best.score, caution, r._not_covered_phrase(q, caution))
    return r._declined(d.reason, d.best.score)


def _redirect(helper: Callable) -> Callable:
    """A rule that sends an answered question elsewhere once (the first redirect that applies wins)."""
    def rule(r, q: Question, scored, d):
        if d.anchored or d.redirected:
            return None
        target = helper(r, q, d.best)
        return d._replace(best=target, redirected=True) if target is not None else None
    rule.__doc__ = helper.__doc__
    return rule


case_flow = _redirect(lambda r, q, best: r._case_flow(q, best, declined=False))
case_flow.__doc__ = "An answered description of a patient asking whether it is POEMS goes to the guided diagnosis."
without_mandatory = _redirect(lambda r, q, best: r._without_mandatory(q, best))
without_mandatory.__doc__ = "POEMS without one of its mandatory criteria gets the mandatory criteria."
def _ask_keeps(r, q: Question, best) -> bool:
    """Whether a vignette's asking sentence alone picks the answered fact ("... 2 sclerotic lesions ... is
    treated with radiation. What long-term outcomes are reported for patients treated this way?"): the case's
    findings then decide nothing the ask left open."""
    if q.ask is None:
        return False
    match = _ask_match(r, q)
    return match.in_scope and match.intent == r._targets[best.target][3]


treatment_case = _redirect(lambda r, q, best: None if _ask_keeps(r, q, best) else r._treatment_case(q, best, declined=False))
treatment_case.__doc__ = "A treatment question describing lesions and marrow gets the fact Figure 3 points to."


def model_choice(r, q: Question, scored, d):
    """Chosen on score alone: the learned model breaks a near tie among the front-runners, and declines what
    it is sure is not a review question ("best moisturiser for dry skin")."""
    if d.anchored or d.best is not scored[0] or d.best.target in r._cautions:
        return None
    chosen = r._learned_choice(q.content, scored)
    if chosen is None:
        return None
    top, _, p_out = chosen
    # a question to guidebot about its source reads like chit-chat to the model, but has its answer
    own_source = SECOND_PERSON.intersection(q.raw) and r._targets[d.best.target][3] == r._cfg.targets["source"]
    model = r._cfg.model
    if p_out >= model["decline_min_out"] and d.best.score < model["decline_max_score"] and not own_source:
        return r._declined("unlike_review_questions", d.best.score)
    if top is not d.best and not r._decline_reason(q, top):
        return d._replace(best=top)
    return None


class Rule(NamedTuple):
    """One step of the pipeline."""

    name: str
    """Its name (`--ablate` reports it; `Question.off` switches it off)."""
    apply: Callable
    core: bool = False
    """Core steps cannot be switched off: without them there is no decision at all."""


RULES: tuple[Rule, ...] = (
    Rule("about_assistant", about_assistant),
    Rule("abbreviation", abbreviation),
    Rule("contentless", contentless),
    Rule("nothing_scored", nothing_scored, core=True),
    Rule("named_caution", named_caution),
    Rule("close_caution", close_caution),
    Rule("judge", judge, core=True),
    Rule("dose_rival", dose_rival),
    Rule("drug_rival", drug_rival),
    Rule("caution_rescue", caution_rescue),
    Rule("differential_ask", differential_ask),
    Rule("case_flow", case_flow_rescue),
    Rule("treatment_case", treatment_case_rescue),
    Rule("workup_case", workup_case),
    Rule("model_rescue", model_rescue),
    Rule("vignette_rescue", vignette_rescue),
    Rule("semantic_rescue", semantic_rescue),
    Rule("poems_suspect", poems_suspect),
    Rule("vignette_ask", vignette_ask),
    Rule("knowledge_ask", knowledge_ask),
    Rule("decline", decline, core=True),
    Rule("avoid_ask", avoid_ask),
    Rule("case_flow", case_flow),
    Rule("vignette_ask", vignette_ask),
    Rule("knowledge_ask", knowledge_ask),
    Rule("without_mandatory", without_mandatory),
    Rule("treatment_case", treatment_case),
    Rule("model_choice", model_choice),
)
"""The pipeline, in order (a name may appear twice: a rescue before the decline and a redirect after it)."""

CHECKS = ("other_topic", "caution_uncovered", "other_drug", "absent_drug", "other_condition", "case_condition",
          "dose_not_given", "duration_not_given")
"""The checks (`Checks._decline_reason`) that can be switched off by name like a rule."""


READINGS = ("answer_frame", "replacement_ask")
"""Ways of reading a question that can be switched off by name: a vignette's ask without its answer frame
(`vignettes.ask_topic`), an ask for a replacement of a recommended agent (`named_caution`)."""


def switchable() -> list[str]:
    """Every rule and check name that `Question.off` may hold, in pipeline order."""
    names = [rule.name for rule in RULES if not rule.core] + list(CHECKS) + list(READINGS)
    return list(dict.fromkeys(names))
