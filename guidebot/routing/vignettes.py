"""The rules that read an exam vignette ("A 54-year-old man with ... Which of the following is the next best
step?") as a case and an ask (issue 19 item 6): the ask decides what is asked, the case what it is asked of.

`vignette_ask` and `knowledge_ask` answer a vignette sent to the guided diagnosis, or declined, by its ask alone;
`vignette_rescue` lets the learned model answer a vignette declined on score. Each is one step of `rules.RULES`.
"""

from __future__ import annotations

import re

from guidebot.routing.cases import LOW
from guidebot.routing.normalisation import GENERIC, STOPWORDS, _fold, _stem
from guidebot.routing.question import Question


def vignette_rescue(r, q: Question, scored, d):
    """An exam vignette declined on score alone: its case dilutes every target's coverage and brings words
    guidebot has never seen (other findings, "COPD", "trephine"), which `model_rescue` reads as another topic. The
    learned model, fairly sure of one front-runner (`model.vignette_rescue_min`) and that this is a review
    question (`model.vignette_rescue_max_out`), answers it; the checks still decline another drug or a dose."""
    if d.anchored or d.reason not in LOW or q.ask is None:
        return None
    return r._learned_rescue(q, scored, d, "vignette_rescue_min", "vignette_rescue_max_out")


def vignette_ask(r, q: Question, scored, d):
    """An exam vignette sent to the guided diagnosis, or declined on score, whose asking sentence alone is
    confidently about one fact that is no verdict on the patient ("A 52-year-old woman ... is diagnosed with
    POEMS syndrome. Which specialists most commonly make this diagnosis?"): the ask decides, not the case. An
    answered vignette whose ask alone reaches a caution gets the caution ("... hospitalized for workup. Which
    prophylactic measures are recommended while the disease is active?")."""
    # a caution already chosen stays; one only scored best and then declined is no answer, so the ask is read
    if d.anchored or (d.best.target in r._cautions and not d.reason):
        return None
    flow = r._by_id.get(r._cfg.targets["case_flow"])
    # an answered vignette is re-read only for a caution its ask reaches (a caution always comes first)
    caution_only = not d.reason and d.best.target != flow
    if d.reason and d.reason not in LOW:
        return None
    if q.ask is None or not _ask_of_its_own(r, q, d):
        return None
    match = _ask_match(r, q)
    # a fact answered with the patient's verdict ("Enough for diagnosis?" -> the criteria) is the flow's to give
    if not match.in_scope or match.is_flow or r.asks_for_verdict(match.intent) or not _answers_management(r, q.ask, match):
        return None
    is_caution = r._by_id[match.intent] in r._cautions
    if caution_only and not is_caution:
        return None
    # an ask that reaches a caution rescues a declined or flow-bound case from a lower confidence (a caution comes
    # first); an answered case gives way to one only at the usual confidence
    least = r._cfg.thresholds["vignette_caution_min" if is_caution and not caution_only else "vignette_ask_min"]
    return match if match.confidence >= least else None


def knowledge_ask(r, q: Question, scored, d):
    """An exam vignette sent to the guided diagnosis (or declined on score) whose asking sentence asks *which* or
    *what* of the review, not whether the patient has POEMS ("... Which of the following findings is a MINOR
    criterion? (A) ...", "Which categories of disease belong in the differential diagnosis?"): a knowledge ask,
    answered by the fact it reaches with `thresholds.knowledge_ask_min`. A criteria fact may answer it (the
    described patient still gets the assessment: `Router.asks_for_verdict`); a fact outside the criteria only
    when the vignette was sent to the flow or, by `workup_case`, to the whole workup ("Which of the following
    paraprotein tests are required?" is one step of it), since a declined case needs `vignette_ask`'s surer ask."""
    if d.anchored or d.best.target in r._cautions:
        return None
    flow = r._by_id.get(r._cfg.targets["case_flow"])
    workup = r._by_id.get(r._cfg.targets["workup"])
    to_flow = not d.reason and (d.best.target == flow or (d.best.target == workup and "workup_case" in q.fired))
    if not to_flow and d.reason not in LOW:
        return None
    if q.ask is None or not _KNOWLEDGE_ASK.match(q.ask) or not _ask_of_its_own(r, q, d):
        return None
    match = _ask_match(r, q)
    if not match.in_scope or match.is_flow or match.confidence < r._cfg.thresholds["knowledge_ask_min"]:
        return None
    if not _answers_management(r, q.ask, match):
        return None
    if r.asks_for_verdict(match.intent) or to_flow:
        return match
    return None


def _answers_management(r, ask: str, match) -> bool:
    """Whether a fact reached by an ask alone speaks of the management the ask asks for: "Which dermatologic
    treatment is most effective?" reaches the skin changes on their words, but they treat nothing (a fact speaks
    of a management word when its phrasings or its answer use it). A caution always speaks of management: what
    not to give ("Which agents does the footnote to the management figure say to avoid?")."""
    ix = r._ix
    target = r._by_id[match.intent]
    if target in r._cautions:
        return True
    roots = ix["roots"]
    asks = {_fold(_stem(w), roots) for w in r._cfg.words["management"]}
    return all(target in ix["postings"].get(w, ()) or target in ix["answer_postings"].get(w, ())
               for w in r.normalise(ask) if w in asks)


_KNOWLEDGE_ASK = re.compile(r"\s*(?:which|what)\b", re.IGNORECASE)
"""An ask that wants something named ("Which finding...", "What mechanism..."), not a yes or no on the patient."""
_NAMING_ASK = re.compile(r"\b(?:which|what)\b", re.IGNORECASE)
"""The same anywhere in the ask ("Per the management algorithm (Figure 3), which two drugs are avoided?")."""


def _ask_of_its_own(r, q: Question, d) -> bool:
    """Whether a vignette's asking sentence may be answered apart from its case: not when a declined case has
    words guidebot does not know and no POEMS ("JAK2 ... the first step in management?": about something else, so
    a generic ask must not rescue it), nor when the ask is only a verdict on the case ("Does he have POEMS?", "the
    most likely diagnosis?"), which the flow gives."""
    if d.reason and "poem" not in q.content and r._unknown_words(q.content):
        return False
    verdict = r._cfg.words["verdict_asks"]
    return any(w not in GENERIC and w not in STOPWORDS and w not in verdict and not w.isdigit() for w in r.normalise(q.ask))


_ANSWER_FRAME = re.compile(
    r"^(?:which|what)\s+(?:of\s+the\s+following\s+)?(?:(?:statements?|answers?|options?|descriptions?)\s+)?"
    r"(?:(?:about|regarding|concerning|on)\s+(?P<about>.+?)\s+(?:is|are)\s+(?:most\s+|the\s+most\s+)?"
    r"(?:correct|accurate|true|appropriate)"
    r"|(?:best|most\s+accurately)\s+(?:describes?|explains?|characteri[sz]es?|summari[sz]es?)\s+(?P<described>.+?))"
    r"\s*\??$",
    re.IGNORECASE | re.DOTALL)
"""An exam ask that only picks a statement about its topic ("Which statement about the M-protein in POEMS syndrome
is correct?", "Which of the following best describes the role of VEGF?"): its words "statement", "correct", "best
describes" are framing, and read as words they dilute the topic."""


def ask_topic(r, q: Question) -> str:
    """A vignette's ask without its answer-picking frame (`answer_frame`, switchable): "Which statement about the
    M-protein is correct?" asks "What about the M-protein?"."""
    ask = q.ask
    framed = _ANSWER_FRAME.match(ask) if q.on("answer_frame") else None
    if framed is None:
        return ask
    q.fire("answer_frame", True)
    return f"What about {(framed.group('about') or framed.group('described')).strip()}?"


def _ask_match(r, q: Question):
    """The match of a vignette's asking sentence alone, asked of the case's disease (a case naming POEMS makes
    "which agents should be avoided?" a POEMS question)."""
    ask = ask_topic(r, q)
    if "poem" in q.content and "poem" not in r.normalise(ask):
        ask = f"{ask} (POEMS)"
    return r.route(ask, q.off)


def avoid_ask(r, q: Question, scored, d):
    """An exam vignette answered with a fact that is no caution although its asking sentence asks what to avoid
    or whether it is safe ("... Per the management algorithm (Figure 3), which two drugs are avoided and why?"):
    the case's words (the algorithm, the transplant plan) pull the score to the fact they share, but the ask
    wants the warning. A caution close behind (`thresholds.caution_margin`) that the checks let answer it wins, and
    no later redirect moves it (a caution comes first)."""
    if d.anchored or d.reason or d.redirected or q.ask is None or d.best.target in r._cautions:
        return None
    # an exam's ask names what it wants ("which drug should be avoided?"); a lay "is it dangerous?" after a
    # story asks about what the story is about, whichever caution scores near it
    if not _NAMING_ASK.search(q.ask) or r._cfg.words.get("caution_asks", frozenset()).isdisjoint(r.normalise(q.ask)):
        return None
    margin = r._cfg.thresholds["caution_margin"]
    for s in scored:
        if d.best.score - s.score > margin:
            break
        if s.target in r._cautions and not r._decline_reason(q, s, thresholds=False) and not r._caution_other_condition(q, s):
            return d._replace(best=s, redirected=True)
    return None


def differential_ask(r, q: Question, scored, d):
    """An exam vignette declined on score whose ask wants a diagnosis ("What is the most likely diagnosis?", "Which
    diagnosis does this finding favor?") while its best-scored fact is one that sets another disease apart from
    POEMS (routing.yaml `words.differential_sections`): the case's telling finding (heavy proteinuria, a cholestatic
    liver pattern) picked that fact, and it names the diagnosis asked for. Left to `case_flow`, the guided
    diagnosis would assess POEMS and never speak of the finding. The checks still decline another drug or topic."""
    if d.anchored or d.reason not in LOW or q.ask is None:
        return None
    words = r._cfg.words
    if words.get("diagnosis_asks", frozenset()).isdisjoint(r.normalise(q.ask)):
        return None
    best = d.best
    section = r._ix["facts"].get(r._targets[best.target][3], {}).get("section")
    if section not in words.get("differential_sections", frozenset()):
        return None
    if best.score < r._cfg.thresholds["knowledge_ask_min"] or r._decline_reason(q, best, thresholds=False):
        return None
    return d._replace(reason="", redirected=True)
