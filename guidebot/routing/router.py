"""Scoring a question against every fact and flow, and deciding: answer, suggest, or decline.

See the package docstring (`guidebot.routing`) for the signals and the decision rules.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cached_property, lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from guidebot.routing.index import topic_key
from guidebot.routing.reranker import (
    DECLINE_MAX_SCORE, DECLINE_MIN_OUT, RERANK_CANDIDATES, RERANK_WEIGHT, RESCUE_MAX_OUT, RESCUE_MIN, knows, probabilities,
)
from guidebot.routing.normalisation import (
    ABOUT_THE_ASSISTANT, CHITCHAT, COUNT_UNITS, DOMAIN_WORDS, DURATION_CUES, DOSE_UNITS, DOSE_WORDS, DRIVEN_OBJECTS, DRUG_STEMS, DRUGS, GENERIC, MANAGEMENT_WORDS,
    MAX_QUESTION_CHARS, MIN_TYPO_LENGTH, NEVER_CORRECTED, OTHER_CONDITION_QUALIFIERS, OTHER_CONDITIONS, SAME_INITIAL_BELOW, SECOND_PERSON, STOPWORDS,
    UNCOVERED_TOPICS, TYPO_CUTOFF, FRAMING_VOCAB, _clean, _fold, _group_weights, _join_spelt, _lexicon_groups, _read_by_context, _root, _skeleton, _sound, SKELETON_MIN_LENGTH, restated,
    _stem,
)

# ---------------------------------------------------------------------------------------------------
# Decision thresholds, tuned on the tuning slices of the evaluation sets (see `guidebot eval --slice tune`).

MAX_SPLIT_PARTS = 3
"""A word split apart by dictation is joined again from at most this many pieces ("guy neco mastia")."""
MIN_REJOINED_LENGTH = 6
"""...and only when the pieces have at least this many letters together: short joins ("a" + "rm") would
make words out of chat."""
MIN_COVERAGE = 0.4
"""Below this share of the question's information found in the best target, the question is out of scope."""
UNKNOWN_MIN_COVERAGE = 0.5
"""The coverage needed instead when the question has a word guidebot does not know (likely another topic);
it must be exceeded, not just reached: the known words must outweigh the unknown one."""
MIN_SCORE = 0.39
"""Below this combined score the question is out of scope even with enough coverage."""
CASE_LENGTH = 7
"""A question with at least this many informative words (not framing words) reads as a case description:
its patient details ("62M, day +10, weight up 4kg") are context that no fact repeats, so less of it is
expected to be covered."""
CASE_MIN_COVERAGE = 0.3
"""`MIN_COVERAGE` for a case description with no unknown word."""
CASE_MIN_SCORE = 0.3
"""`MIN_SCORE` for a case description with no unknown word."""
CASE_FLOW = "diagnosis.assess"
"""The guided flow a described patient ("62M, neuropathy, lambda M-protein, VEGF 900 - POEMS?") is sent to."""
CASE_FLOW_FINDINGS = 2
"""Findings (case-file fields the chat would read from the question) that make a question naming the
criteria a request to assess a patient; one more when nothing matched the question well."""
CASE_FLOW_CUES = frozenset({"poem", "criteria", "diagnosis", "qualify", "meet"})
"""Words by which a poorly matched case description asks whether the patient has POEMS."""
TREATMENT_FLOW = "treatment.plan"
"""The guided flow a described patient who asks to plan treatment ("plan tx: 1 lesion, marrow negative") is sent to."""
TREATMENT_CUES = frozenset({"treatment", "therapy", "radiation", "systemic", "transplant", "first", "manage", "option"})
"""Words by which a question describing lesions and marrow asks which treatment Figure 3 points to."""
TREATMENT_CHOICE_FACTS = frozenset({
    "treatment.radiation_indication", "treatment.systemic_indication", "treatment.algorithm",
    "treatment.radiation_outcomes", "diagnosis.marrow_clone",
})
"""Facts a treatment question that describes lesions and marrow tends to match on its findings alone."""
APPROACH_FACTS = {
    "radiation": "treatment.radiation_indication",
    "systemic": "treatment.systemic_indication",
    "systemic_transplant": "treatment.systemic_indication",
    "systemic_non_transplant": "treatment.non_transplant_options",
}
"""Figure 3's approach for the described findings -> the fact that states who gets it."""
MANDATORY_FACT = "criteria.mandatory"
"""The fact a question about POEMS without one of its mandatory criteria ("poems without neuropathy?") asks for."""
MANDATORY_FIELDS = ("polyneuropathy", "monoclonal_plasma_cell_disorder")
"""The case fields of the two mandatory criteria."""
MANDATORY_WORDS = frozenset({
    "poem", "patient", "neuropathy", "polyneuropathy", "m", "protein", "monoclonal", "mgus", "gammopathy", "spike",
    "plasma", "cell", "disorder", "clone", "clonal",
})
"""Words of such a question; one more ("possible", "still") is its framing, more make it about something else
("poems pt without neuropathy improvement after RT")."""
OTHER_CONDITION_REST_SHARE = 0.6
"""A question about another condition (not POEMS) is answered only by a fact holding at least this share
(by information) of its words besides the condition's name."""
WORKUP_FACT = "workup.overview"
"""The fact a described patient whose question asks which tests to order is answered with."""
WORKUP_CUES = frozenset({"test", "lab", "workup", "order", "send", "check", "investigation", "investigate"})
"""Words by which a poorly matched case description asks what to test."""
SOURCE_FACT = "overview.citation"
"""Where a question about guidebot's own knowledge goes ("where is your info from")."""
SOURCE_CUES = frozenset({"from", "source", "sources", "based", "reference", "references", "cite", "citation"})
"""Words that make a question about guidebot ask for its source rather than chit-chat."""

VOLUME_UNITS = frozenset({("dl",), ("l",), ("ml",)})
"""After an amount, a unit of volume makes it a concentration ("1g/dl"), not a dose."""

ABBREVIATIONS_FACT = "treatment.table_abbreviations"
"""The fact that spells out abbreviations (its answer's bold terms): "what does CR_V mean" goes there."""
ABBREVIATION_CUES = frozenset(_clean("mean means meaning stand stands abbreviation abbreviations acronym short").split())
"""Words by which a short question asks what an abbreviation stands for."""
ABBREVIATION_QUESTION_WORDS = 6
"""At most this many words: "what does CR_V mean", not "what does a CR_V mean for survival after HCT"."""

POEMS_WORDS = frozenset({"poem", "crow", "fukase", "takatsuki", "osteosclerotic"})
"""Words that name POEMS syndrome (after normalisation)."""
POEMS_SCORE_SHIFT = -0.02
"""Added to the minimum score when the question names POEMS: its odd words are then mostly clinical detail
("poems pt w rising rvsp on echo - part of the disease?"), not another topic."""
NOT_POEMS_SCORE_SHIFT = 0.03
"""Added to the minimum score when it does not: general-medicine questions that borrow the review's words
("how long is a provoked DVT anticoagulated", "which orthosis for foot drop") rarely name POEMS."""

CLOSE_MARGIN = 0.1
"""Targets scoring within this much of the best are offered as suggestions (distinct facts only)."""
RELATED_DISCOUNT = 0.05
"""How much further behind a rival that the best fact lists as related counts for confidence."""
MAX_SUGGESTIONS = 3
"""How many suggestions at most accompany an answer."""
CAUTION_MARGIN = 0.25
"""A safety caution within this much of the best wins: a drug question must reach its caution first."""
W_COVERAGE = 0.35
"""Weight of IDF coverage (recall of the question's information over the target's whole vocabulary)."""
W_F1 = 0.4
"""Weight of the IDF-weighted F1 between the question and the target's best choice."""
W_FUZZY = 0.25
"""Weight of the fuzzy (token_sort_ratio) similarity to the target's closest choice."""
W_FOCUS = 0.15
"""Weight of focus: the share of the target's title and example questions that use the question's words."""
W_TITLE = 0.1
"""Weight of the F1 against the target's title alone: "list the major criteria" is the fact titled so."""
UNKNOWN_FACTOR = 1.0
"""An unknown word weighs this share of the rarest known word's IDF (it most likely names an uncovered topic)."""
ANSWER_WEIGHT = 0.5
"""A question word found only in a target's answer text (not its phrasings) counts this much toward coverage."""
W_EXACT = 0.1
"""Weight of emphasis: how many of the target's choices match the question exactly (saturating)."""
EXACT_F1 = 0.85
"""A choice whose F1 with the question reaches this counts as saying exactly what was asked."""
EXACT_SATURATION = 4
"""Exact-matching choices beyond this many add nothing more."""
W_BM25 = 0.3
"""Weight of BM25 of the question against the target's whole document (title, phrasings and answer text)."""
W_SAME_TOPIC = 0.1
"""Weight of a phrasing with exactly the question's topic words ("ASCT in POEMS" = "autologous stem cell
transplant for POEMS"): the curator wrote that very question for this target."""
_W_TOTAL = W_SAME_TOPIC + W_COVERAGE + W_F1 + W_FUZZY + W_FOCUS + W_TITLE + W_EXACT + W_BM25
FUZZY_CANDIDATES = 40
"""How many lexical front-runners get the (costlier) fuzzy comparison; the rest cannot catch up."""
ROUTE_MEMO_SIZE = 256
"""How many recent questions' routes a router remembers."""

FUZZY_FLOOR = 30.0
"""Fuzzy scores below this are noise and count as 0 (also lets rapidfuzz skip work)."""


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


OUT_OF_SCOPE_STARTERS = (
    "diagnosis.assess",
    "criteria.rule",
    "diagnosis.vegf_threshold",
    "treatment.algorithm",
    "workup.overview",
    "treatment.bevacizumab",
)
"""What an out-of-scope answer offers instead (those that exist in the knowledge base)."""

FLOW_NOTE = "This is a guided flow: `guidebot chat` (or the app) walks you through it step by step."
"""Added to a flow's one-shot answer; written so that its Markdown reads the same as plain text."""
FLOW_NOTE_PLAIN = "This is a guided flow: guidebot chat (or the app) walks you through it step by step."


# ---------------------------------------------------------------------------------------------------
# The router


@lru_cache(maxsize=32)
def _words(text: str) -> tuple[str, ...]:
    """The question's cleaned words before any correction (read by several steps of one `route`)."""
    return tuple(_clean(text[:MAX_QUESTION_CHARS]).split())


@lru_cache(maxsize=32)
def _findings(text: str) -> dict:
    """The case findings stated in a question (read, never changed, by several rules of one `route`)."""
    from guidebot.dialogue.findings import extract_findings  # only for questions that get this far

    return extract_findings(text[:MAX_QUESTION_CHARS])


class _Scored(NamedTuple):
    """Internal: one target's scores for a question."""

    target: int
    score: float
    coverage: float
    fuzzy: float
    title: float = 0.0
    """Share of the question's information found in the target's title."""


class Router:
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

    # -- normalisation of the query side ------------------------------------------------------

    def normalise(self, text: str) -> list[str]:
        """The question's words: cleaned, misspellings of known words corrected, lexicon applied."""
        return [w for g in self.groups(text) for w in g]

    def groups(self, text: str) -> list[tuple[str, ...]]:
        """The question's words grouped by concept (see `_lexicon_groups`): a word split apart joined again
        (`_rejoined`); unknown words matched by sound, else by one edit, to a known one; lexicon applied; each
        word folded onto its root class (`_fold`)."""
        ix = self._ix
        tokens = self._rejoined(_join_spelt(list(_words(text))))
        fixes = ix["fixes"]
        roots = ix["roots"]
        fixed = []
        for tok in tokens:
            tok = fixes.get(tok, tok)  # a curator's deliberate misspelling ("syndrom") is the word it misspells
            if self._is_known(tok) or tok.isdigit() or tok in NEVER_CORRECTED or tok in OTHER_CONDITIONS:
                fixed.append(tok)
                continue
            best = self._correction(tok)
            if best is None:
                # a misspelt function or framing word ("shoudl", "evry", "descibe") is that word, not an
                # unknown topic that would send the question away
                framing = process.extractOne(tok, FRAMING_VOCAB, scorer=OSA.distance, score_cutoff=1)
                best = framing[0] if framing and framing[0][0] == tok[0] else None
            fixed.append(best or tok)
        return [tuple(_fold(w, roots) for w in g) for g in _lexicon_groups(_read_by_context(fixed), ix["lexicon"])]

    def _is_known(self, tok: str) -> bool:
        """A word read as it is: known to the index, a function word, too short to correct, or an inflection
        of a known word."""
        return (tok in self._ix["known"] or tok in STOPWORDS or tok in CHITCHAT or len(tok) < MIN_TYPO_LENGTH
                or _root(tok) in self._ix["roots"])

    def _correction(self, tok: str) -> str | None:
        """The known word an unknown `tok` misspells, or None: by sound, else by one edit, else (long drug
        names) by consonants."""
        ix = self._ix
        sounds = ix["sounds"].get(_sound(tok))
        if sounds is not None:  # spelt as it sounds: "melfalan", "plasmaferesis", "papiledema"
            return sounds
        # OSA counts a swapped pair of letters ("stnad") as one edit, where ratio would count two
        best = process.extractOne(tok, ix["vocab"], scorer=OSA.normalized_similarity, score_cutoff=TYPO_CUTOFF)
        # a short word one edit from a known word of another initial is more likely a word of its own
        # ("taper" is not "paper")
        if best and len(tok) < SAME_INITIAL_BELOW and best[0][0] != tok[0]:
            best = None
        if best is None and len(tok) >= SKELETON_MIN_LENGTH:
            # vowels wrong more than once in a long word ("ixozamib")
            return ix["skeletons"].get(_skeleton(tok))
        return best[0] if best else None

    @cached_property
    def _vocab_by_length(self) -> tuple[list[int], list[str]]:
        """(lengths, words): the vocabulary sorted by length, for `_vocab_near`."""
        words = sorted(self._ix["vocab"], key=len)
        return [len(w) for w in words], words

    def _vocab_near(self, length: int) -> list[str]:
        """The vocabulary words within one letter of `length` long: the only ones a word of that length can be
        one edit from (joining tries several spans per question; the whole vocabulary for each would double
        the routing time)."""
        lengths, words = self._vocab_by_length
        return words[bisect_left(lengths, length - 1) : bisect_right(lengths, length + 1)]

    def _rejoined_word(self, joined: str) -> str | None:
        """The known word that joined pieces spell as it sounds or with one edit, keeping the first letter; a
        join may not stretch as far as a single misspelling does ("thecurrent" is not "recurrent")."""
        near = self._ix["sounds"].get(_sound(joined))
        if near is not None:
            return near
        best = process.extractOne(joined, self._vocab_near(len(joined)), scorer=OSA.distance, score_cutoff=1)
        return best[0] if best and best[0][0] == joined[0] else None

    def _rejoined(self, tokens: list[str]) -> list[str]:
        """`tokens` with a word that dictation or a phone keyboard split apart ("scler otic", "guy neco mastia",
        "poe ems") joined again: up to `MAX_SPLIT_PARTS` neighbouring words, at least one of them unknown,
        whose letters together spell a known word; or, when every one of them is unknown, a word one edit from
        a known one. A function word or a name is never swallowed, and a known word only into an exact
        spelling: "anti vegf ab" keeps its bevacizumab phrase, "a trophy" and "has colitis" stay what they say."""
        known, roots, fixes = self._ix["known"], self._ix["roots"], self._ix["fixes"]
        # a short piece counts too ("poe ems"): too short to correct alone, not too short to join
        unknown = [
            len(t) > 1 and not (t in known or t in STOPWORDS or t in CHITCHAT or _root(t) in roots or t.isdigit()
                                or t in fixes or t in NEVER_CORRECTED or t in OTHER_CONDITIONS)
            for t in tokens
        ]
        if not any(unknown):
            return tokens
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for k in range(min(MAX_SPLIT_PARTS, len(tokens) - i), 1, -1):
                parts = tokens[i : i + k]
                if not any(unknown[i : i + k]) or not all(p.isalpha() for p in parts):
                    continue
                joined = "".join(parts)
                if len(joined) < MIN_REJOINED_LENGTH:
                    continue
                joined = _stem(joined)
                if joined in known or _root(joined) in roots:
                    # spelt exactly ("patho physiology", "end ocrine"): a known piece may be part of it, but
                    # never a function word or a name ("a trophy", "myeloma relative")
                    swallows = any(p in STOPWORDS or p in CHITCHAT or p in OTHER_CONDITIONS or p in DRUGS for p in parts)
                    word = None if swallows else joined
                elif all(unknown[i : i + k]):
                    word = self._rejoined_word(joined)
                else:
                    word = None  # a known word is never stretched into a misspelling ("anti vegf ab")
                if word is not None and word not in STOPWORDS and word not in GENERIC:
                    out.append(word)
                    i += k
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    # -- scoring --------------------------------------------------------------------------------

    def _fuzzy(self, query: str, targets: list[int]) -> dict[int, float]:
        """Best fuzzy similarity (0..100) per candidate target over the content words of its choices.

        `process.extract(limit=None)` runs the scorer over the choices inside rapidfuzz's C++ loop, like
        `process.cdist` would, but without numpy: cdist needs it, and importing numpy alone would cost more
        than the whole start-up budget of `guidebot ask`. token_sort_ratio ignores word order ("poems
        lmwh" = "lmwh poems") yet, unlike token_set_ratio, does not give 100 to every choice that merely
        contains the question's one word. Only the lexical front-runners' choices are scored, which keeps a
        50x knowledge base fast.
        """
        ix = self._ix
        spans = ix["choice_span"]
        content = ix["choice_content"]
        owner: list[int] = []
        subset: list[str] = []
        for t in targets:
            lo, hi = spans[t]
            subset.extend(content[lo:hi])
            owner.extend([t] * (hi - lo))
        best: dict[int, float] = {}
        for _, score, i in process.extract(query, subset, scorer=fuzz.token_sort_ratio, limit=None, score_cutoff=FUZZY_FLOOR):
            t = owner[i]
            if score > best.get(t, 0.0):
                best[t] = score
        return best

    def score(self, text: str) -> tuple[list[str], list[_Scored]]:
        """The question's content tokens and every plausible target's scores, best first (memoised like `route`)."""
        cache = self.__dict__.setdefault("_score_memo", {})
        hit = cache.get(text)
        if hit is not None:
            return hit
        result = self._score(text)
        if len(cache) >= ROUTE_MEMO_SIZE:
            cache.pop(next(iter(cache)))
        cache[text] = result
        return result

    def _score(self, text: str) -> tuple[list[str], list[_Scored]]:
        ix = self._ix
        groups = self.groups(text)
        idf = ix["idf"]
        sentences = ix["sentences"]
        all_weights = _group_weights(groups, idf, UNKNOWN_FACTOR * ix["max_idf"])
        content = list(all_weights)
        informative = [t for t in content if t not in DOMAIN_WORDS] or content
        if not informative:
            return content, []
        weights = {t: all_weights[t] for t in informative}
        total = sum(weights.values())
        covered: dict[int, float] = {}
        shared: dict[int, float] = {}
        mentions: dict[int, float] = {}
        owner = ix["choice_target"]
        # the hottest loop at 50x: methods bound once
        shared_get, mentions_get = shared.get, mentions.get
        for tok, w in weights.items():
            for ti in ix["postings"].get(tok, ()):
                covered[ti] = covered.get(ti, 0.0) + w
            for ti in ix["answer_postings"].get(tok, ()):
                covered[ti] = covered.get(ti, 0.0) + ANSWER_WEIGHT * w
            for ci in ix["choice_postings"].get(tok, ()):
                shared[ci] = shared_get(ci, 0.0) + w
            for t in ix["mention_postings"].get(tok, ()):
                mentions[t] = mentions_get(t, 0.0) + w
        if not covered:
            return content, []
        bm25: dict[int, float] = {}
        for tok, w in weights.items():
            for ti, sat in ix["doc_postings"].get(tok, ()):
                bm25[ti] = bm25.get(ti, 0.0) + w * sat
        # weighted F1 of the question against each choice: a short keyword query is fully matched by a
        # keyword, a long question by a similar example question; the best choice speaks for its target
        cweight = ix["choice_weight"]
        f1: dict[int, float] = {}
        title_f1: dict[int, float] = {}
        exact: dict[int, int] = {}
        title_of = ix["title_choice"]
        f1_get = f1.get
        for ci, inter in shared.items():
            value = 2.0 * inter / (total + cweight[ci])
            if value > 1.0:
                value = 1.0
            t = owner[ci]
            if value > f1_get(t, 0.0):
                f1[t] = value
            if title_of[t] == ci:
                title_f1[t] = value
            if value >= EXACT_F1:
                exact[t] = exact.get(t, 0) + 1
        lexical: dict[int, float] = {}
        same_topic = set(ix["same_topic"].get(topic_key(informative), ()))
        for ti, cov in covered.items():
            # focus: how much of the target's own questions and title are about the question's words; a
            # fact that lists "bortezomib" among many keywords is less about it than one whose every
            # question names it
            focus = min(1.0, mentions.get(ti, 0.0) / (total * sentences[ti]))
            lexical[ti] = (
                W_COVERAGE * cov / total
                + W_F1 * f1.get(ti, 0.0)
                + W_FOCUS * focus
                + W_TITLE * title_f1.get(ti, 0.0)
                # emphasis: several of a fact's phrasings say exactly what was asked (its keywords ASCT,
                # auto-SCT, HCT all name the transplant), so the curator meant this fact for it
                + W_EXACT * min(1.0, exact.get(ti, 0) / EXACT_SATURATION)
                + W_BM25 * bm25.get(ti, 0.0) / total
                # one of its phrasings names exactly the question's topic words, no more and no fewer
                + W_SAME_TOPIC * (ti in same_topic)
            )
        front = sorted(lexical, key=lambda t: -lexical[t])[:FUZZY_CANDIDATES]
        # a caution whose agent the question names is always scored, however low it ranks (see `route`)
        words = set(weights)
        for ti, anchors in ix["caution_anchors"].items():
            if ti in lexical and ti not in front and any(set(a) <= words for a in anchors):
                front.append(ti)
        fuzzy = self._fuzzy(" ".join(informative), front)
        scored = []
        for ti in front:
            fz = fuzzy.get(ti, 0.0) / 100.0
            combined = (lexical[ti] + W_FUZZY * fz) / _W_TOTAL
            scored.append(_Scored(ti, combined, covered[ti] / total, fz, shared.get(title_of[ti], 0.0) / total))
        scored.sort(key=lambda s: (-s.score, s.target))
        return content, scored

    # -- decision ---------------------------------------------------------------------------------

    def _suggestion(self, ti: int) -> Suggestion:
        tid, title, _, _ = self._targets[ti]
        return Suggestion(tid, title)

    def _starters(self) -> list[Suggestion]:
        return [self._suggestion(self._by_id[i]) for i in OUT_OF_SCOPE_STARTERS if i in self._by_id][:MAX_SUGGESTIONS + 1]

    def route(self, text: str) -> Match:
        """Decide what a question asks for: a fact, a guided flow, or nothing the review covers.

        Memoised per router (a small bounded cache): the dialogue routes a turn alone, in context, and
        again when it answers, and the index never changes under a router."""
        cache = self.__dict__.setdefault("_route_memo", {})
        hit = cache.get(text)
        if hit is not None:
            return hit
        match = self._route(text)
        if len(cache) >= ROUTE_MEMO_SIZE:
            cache.pop(next(iter(cache)))
        cache[text] = match
        return match

    def _route(self, text: str) -> Match:
        if not text or not text.strip():
            return Match(None, 0.0, False, self._starters(), False, "empty")
        content, scored = self.score(text)
        raw = _words(text)
        about_us = SECOND_PERSON.intersection(raw)
        if about_us and all(w in GENERIC or w in ABOUT_THE_ASSISTANT for w in content):
            if SOURCE_CUES.intersection(raw) and SOURCE_FACT in self._by_id:
                # "where is your info from": the one thing about itself guidebot answers is its source
                return Match(SOURCE_FACT, 1.0, True, [], False)
            # "what's your name", "are you a real person": a question about guidebot, not the review
            return Match(None, 0.0, False, self._starters(), False, "contentless")
        spelt_out = self._spelt_out(raw)
        if spelt_out is not None:
            return Match(spelt_out, 1.0, True, [], False)
        if not content or all(w in GENERIC or w.isdigit() for w in content):
            # nothing but framing words or bare numbers ("who made you", "is it effective?", "what's 2+2"): no
            # topic to look up
            return Match(None, 0.0, False, self._starters(), False, "contentless")
        if not scored:
            return Match(None, 0.0, False, self._starters(), False, "low_coverage")
        best = scored[0]
        # a safety caution wins when the question names its agent ("velcade ok?" -> "Avoid neurotoxic agents
        # (bortezomib, thalidomide)"), or when it is close behind the best and its title names what the question
        # names, so that a drug question meets its warning first and the drug's efficacy fact comes as a suggestion
        anchored = self._anchored_caution(content, scored, best)
        if anchored is not None:
            # a question naming the agent of a caution is shown that caution, whatever its coverage; a dose
            # the review does not give is still declined ("enoxaparin dose")
            best = anchored
            reason = self._dose_reason(text, content, best)
            if not reason and self._other_condition(content, best) and not self._answer_names(content, best) and not self._poems_suspect(text):
                # "plasma exchange in TTP", "dara-CyBorD for AL amyloid": about another condition, so the POEMS
                # caution does not answer it; a condition the caution's answer speaks of ("CIDP pt, should I do
                # PLEX?", "can we try plex again, it was done for his CIDP") keeps it, whatever else is asked,
                # and so does a described POEMS suspect
                reason = "other_condition"
            if reason:
                return Match(None, round(best.score, 3), False, self._starters(), False, reason)
        else:
            if best.target not in self._cautions:
                # a caution close behind the best wins when its title names what the question names, so that a
                # drug question meets its warning first; covering more of the question is not enough ("what
                # vegf level suggests poems" shares VEGF with the bevacizumab caution, and asks no drug); nor
                # does it win when the caution itself could not answer ("takatsuki syndrome" shares one word
                # with a caution's phrasing: that must not turn an answerable question into a decline)
                for s in scored[1:]:
                    if best.score - s.score > CAUTION_MARGIN:
                        break
                    names_it = s.title > 0 and s.title >= best.title and s.coverage >= best.coverage
                    if s.target in self._cautions and names_it:
                        if not self._decline_reason(text, content, s):
                            best = s
                        break
            reason = self._decline_reason(text, content, best)
            if reason == "dose_not_given":
                # "2 lesions, clean marrow, radiation dose?": a close rival that gives a dose answers it (a
                # duration has no such rescue: "up to 3 years" would answer "how long does an EMG take")
                for s in scored[1:]:
                    if best.score - s.score > CLOSE_MARGIN:
                        break
                    if s.target in self._dose_targets and not self._decline_reason(text, content, s):
                        best, reason = s, ""
                        break
            if reason in ("low_coverage", "low_score"):
                # a question naming a caution's agent is never sent away for matching too little of the
                # rest ("pt wants Velcade bc it worked for his friend's myeloma"): the warning is shown
                named = self._named_caution(content, scored)
                if named is not None and not self._dose_reason(text, content, named) and not self._other_condition(content, named):
                    best, reason = named, ""
            if reason in ("low_coverage", "low_score"):
                case = (
                    self._case_flow(text, content, best, declined=True)
                    or self._treatment_case(text, content, best, declined=True)
                    or self._workup_case(text, content, best)
                )
                if case is not None:
                    best, reason = case, ""
            if reason in ("low_coverage", "low_score"):
                # declined on score alone: the learned model, sure of one front-runner and sure this is a
                # review question, answers it ("wat r the odds of relapse post bmt" reads like hundreds of
                # labelled questions the hand scores miss)
                chosen = self._learned_choice(content, scored)
                # a word neither the knowledge base nor the model has seen ("PET in hemochromatosis") is
                # invisible to the model: its certainty then speaks for the rest of the question only, which is
                # enough only when the question names POEMS ("poems work-up lsit": the odd word is then a typo or
                # a detail of the patient, not another disease)
                unseen = chosen is not None and "poem" not in content and any(
                    not knows(self._reranker, w) for w in self._unknown_words(content)
                )
                if chosen is not None and not unseen:
                    top, p_top, p_out = chosen
                    if p_top >= RESCUE_MIN and p_out <= RESCUE_MAX_OUT and not self._decline_reason(text, content, top, thresholds=False):
                        best, reason = top, ""
            elif reason == "other_condition" and self._poems_suspect(text):
                # "50M 'CIDP' on IVIG, plts 550, lambda band - what labs?": a patient with a neuropathy and a
                # monoclonal protein is a POEMS question whatever label they came with ("neuropathy and a
                # lambda MGUS, does the diabetes count?" is answered by the fact it matched)
                best, reason = self._workup_case(text, content, best) or best, ""
            if reason:
                return Match(None, round(best.score, 3), False, self._starters(), False, reason)
            best = self._with_comparator(text, content, scored, best)
            best = (
                self._case_flow(text, content, best, declined=False)
                or self._without_mandatory(text, content, best)
                or self._treatment_case(text, content, best, declined=False)
                or best
            )
            if best is scored[0] and best.target not in self._cautions:
                # chosen on score alone: the learned model breaks a near tie among the front-runners, and
                # declines what it is sure is not a review question ("best moisturiser for dry skin")
                chosen = self._learned_choice(content, scored)
                if chosen is not None:
                    top, _, p_out = chosen
                    # a question to guidebot about its source ("where do you get your answers from") reads like
                    # chit-chat to the model, but has its answer
                    own_source = about_us and self._targets[best.target][3] == SOURCE_FACT
                    if p_out >= DECLINE_MIN_OUT and best.score < DECLINE_MAX_SCORE and not own_source:
                        return Match(None, round(best.score, 3), False, self._starters(), False, "unlike_review_questions")
                    if top is not best and not self._decline_reason(text, content, top):
                        best = top
        best_fact = self._targets[best.target][3]
        rivals = []
        seen = {best_fact}
        # a caution whose agent the question names is always offered ("does bortezomib work" -> the regimen
        # fact, and "Avoid neurotoxic agents" first among the suggestions)
        words = set(content)
        for ti, anchors in self._ix["caution_anchors"].items():
            fact_id = self._targets[ti][3]
            if fact_id not in seen and any(set(a) <= words for a in anchors):
                seen.add(fact_id)
                rivals.append(self._suggestion(ti))
        for s in scored:
            if s is best:
                continue
            if best.score - s.score > CLOSE_MARGIN or len(rivals) >= MAX_SUGGESTIONS:
                break
            fact_id = self._targets[s.target][3]
            if fact_id in seen:
                continue  # a flow and its own answering fact are one answer, not two
            seen.add(fact_id)
            rivals.append(self._suggestion(s.target))
        # a rival the best fact lists as related is a neighbouring answer, not a competing reading: it lowers
        # confidence as if it were RELATED_DISCOUNT further behind
        related = set(self._ix["facts"][best_fact]["related"])
        runner_up = max(
            (s.score - (RELATED_DISCOUNT if self._targets[s.target][3] in related else 0.0)
             for s in scored if self._targets[s.target][3] != best_fact),
            default=0.0,
        )
        # confidence falls as a rival closes in: two equally good answers are each 50/50
        margin = max(0.0, min(1.0, (best.score - runner_up) / CLOSE_MARGIN))
        # a caution the question names was chosen by rule, not by score: rivals do not make it less certain
        confidence = best.score if anchored is not None else best.score * (0.5 + 0.5 * margin)
        tid, _, is_flow, _ = self._targets[best.target]
        return Match(tid, round(min(1.0, confidence), 3), True, rivals, is_flow)

    def _learned_choice(self, content: list[str], scored: list[_Scored]) -> tuple[_Scored, float, float] | None:
        """(the front-runner the learned model and the hand score together rank first, the model's probability
        for it, the model's probability that the question is out of scope); None without a model."""
        if self._reranker is None or not scored:
            return None
        front = scored[:RERANK_CANDIDATES]
        per_target, p_out = probabilities(self._reranker, content, [s.target for s in front])
        top = max(front, key=lambda s: s.score + RERANK_WEIGHT * per_target[s.target])  # ties: the hand score's order
        # never away from a caution the hand scores rank higher ("pt relapsed, thinking pheresis" stays with the
        # plasma-exchange caution, or is declined as before, but never becomes the relapse fact)
        caution = next((s for s in front if s.target in self._cautions), None)
        if caution is not None and caution.score > top.score:
            top = caution
        return top, per_target[top.target], p_out

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

    def misspellings(self, text: str) -> dict[str, str]:
        """{word as typed: the known word it misspells} for the words of `text` the router reads as misspellings
        ("how comon" -> {"comon": "common"}): the dialogue reads its facets and entities from the corrected words.
        Memoised per word (a small bounded cache)."""
        memo = self.__dict__.setdefault("_misspelling_memo", {})
        out: dict[str, str] = {}
        for tok in _words(text):
            if tok not in memo:
                if len(memo) > 4096:
                    memo.clear()
                fixed = self._ix["fixes"].get(tok, tok)
                if not (self._is_known(fixed) or fixed.isdigit() or fixed in NEVER_CORRECTED or fixed in OTHER_CONDITIONS):
                    fixed = self._correction(fixed) or fixed
                memo[tok] = fixed
            if memo[tok] != tok:
                out[tok] = memo[tok]
        return out

    def unknown_words(self, text: str) -> list[str]:
        """The words of `text` guidebot has never seen (the dialogue reads a follow-up naming one alone)."""
        return self._unknown_words(self.normalise(text))

    def _unknown_words(self, content: list[str]) -> list[str]:
        """The question's words guidebot has never seen (and could not read as a misspelling): most likely
        another drug or disease ("hemochromatosis")."""
        ix = self._ix
        return [w for w in content if w not in ix["idf"] and w not in ix["known"] and w.isalpha() and w not in GENERIC]

    def _decline_reason(self, text: str, content: list[str], best: _Scored, thresholds: bool = True) -> str:
        """Why the best target cannot answer the question (a `Match.reason`), or "" when it can; with
        `thresholds` False, only for what it asks (another drug, condition, dose...), not for how well it scored."""
        # a word guidebot has never seen (and cannot read as a misspelling) mostly names something else:
        # a drug, a disease ("MGUS progression risk", "siltuximab for castleman"); ask for more coverage
        ix = self._ix
        words = _words(text)
        if any(w in UNCOVERED_TOPICS and not (w == "drive" and nxt in DRIVEN_OBJECTS)
               for w, nxt in zip(words, [*words[1:], ""])):
            return "other_topic"
        unknown = bool(self._unknown_words(content))
        is_case = len([w for w in content if w not in GENERIC and w not in DOMAIN_WORDS]) >= CASE_LENGTH
        about_poems = not POEMS_WORDS.isdisjoint(content)
        if unknown:
            min_coverage, min_score = UNKNOWN_MIN_COVERAGE, MIN_SCORE
        elif is_case:
            min_coverage, min_score = CASE_MIN_COVERAGE, CASE_MIN_SCORE
        else:
            min_coverage, min_score = MIN_COVERAGE, MIN_SCORE
        min_score += POEMS_SCORE_SHIFT if about_poems else NOT_POEMS_SCORE_SHIFT
        # with an unknown word, the known part must outweigh it: "side effects of rituximab" covers exactly
        # half (one rare known word, one unknown drug) and is about the drug
        if thresholds and (best.coverage < min_coverage or (unknown and best.coverage <= min_coverage)):
            return "low_coverage"
        if any(w.endswith(DRUG_STEMS) and w not in ix["known"] and w.isalpha() for w in content):
            # "sildenafil for pulmonary hypertension in poems": the review names no such drug, so the fact
            # about pulmonary hypertension does not answer a question about it
            return "other_drug"
        if thresholds and best.score < min_score:
            return "low_score"
        if not is_case and self._absent_drug(content, best):
            # "how many days of dexamethasone for engraftment syndrome": the best fact never mentions the
            # drug asked about, so whatever it says is not about that drug (in a case description a drug is
            # often context: "day +10 post mel200, spiking fevers, rash")
            return "low_coverage"
        if self._other_condition(content, best):
            # "first line treatment for AL amyloidosis": the review names amyloidosis only to tell it from
            # POEMS, so a fact that does not name it cannot answer a question about it
            return "other_condition"
        reason = self._dose_reason(text, content, best)
        if not reason and best.target not in self._duration_targets and best.target not in self._cautions and self._asks_duration(text):
            # "how long should a provoked DVT be anticoagulated": a fact stating no span of time does not answer
            # it (a caution still answers "how long should bevacizumab be given": it should not be)
            return "duration_not_given"
        return reason

    def _case_flow(self, text: str, content: list[str], best: _Scored, declined: bool) -> _Scored | None:
        """The guided diagnosis, when the question describes a patient's findings and asks whether it is
        POEMS ("70F, demyelinating neuropathy, IgG lambda, no bone lesions - poems?"); None otherwise.

        Answered with the criteria fact, such a question would leave the findings unused; the flow reads
        them.
        """
        flow = self._by_id.get(CASE_FLOW)
        if flow is None or best.target == flow:
            return None
        # the flow's own fact needs only the findings; a decline or another criteria fact ("Mandatory
        # criteria") also needs the question to ask about POEMS or its criteria, and one finding more
        best_fact = self._targets[best.target][3]
        if best_fact == self._targets[flow][3]:
            needed = CASE_FLOW_FINDINGS
        elif declined or self._ix["facts"][best_fact]["section"] == "criteria":
            if not CASE_FLOW_CUES.intersection(content):
                return None
            needed = CASE_FLOW_FINDINGS + 1
        else:
            return None
        if len(_findings(text)) < needed:
            return None
        return best._replace(target=flow)

    def _with_comparator(self, text: str, content: list[str], scored: list[_Scored], best: _Scored) -> _Scored:
        """A close rival instead of a fact that compares POEMS with a condition the question never names: "are
        POEMS bone lesions ever lytic?" asks about POEMS, not "Bone lesions: myeloma versus POEMS"."""
        words = set(content)
        if best.target in self._cautions or not self._title_conditions.get(best.target, frozenset()) - words:
            return best
        for s in scored[1:]:
            if best.score - s.score > CLOSE_MARGIN:
                break
            if not self._title_conditions.get(s.target, frozenset()) - words and not self._decline_reason(text, content, s):
                return s
        return best

    def _spelt_out(self, raw: tuple[str, ...]) -> str | None:
        """The abbreviations fact, when a short question asks what one of its abbreviations stands for."""
        if len(raw) > ABBREVIATION_QUESTION_WORDS or not ABBREVIATION_CUES.intersection(raw) or not self._abbreviations:
            return None
        text = f" {' '.join(raw)} "
        return ABBREVIATIONS_FACT if any(f" {a} " in text for a in self._abbreviations) else None

    @cached_property
    def _abbreviations(self) -> frozenset[str]:
        """The abbreviations the abbreviations fact spells out (its bold terms), cleaned like a question."""
        fact = self._ix["facts"].get(ABBREVIATIONS_FACT)
        if fact is None:
            return frozenset()
        return frozenset(c for term in re.findall(r"\*\*(.+?)\*\*", fact["answer"]) if (c := _clean(term)))

    @cached_property
    def _title_conditions(self) -> dict[int, frozenset[str]]:
        """Target -> the other conditions its title names (only for titles that name one)."""
        named = {ti: frozenset(w for w in self.normalise(t[1]) if w in OTHER_CONDITIONS) for ti, t in enumerate(self._targets)}
        return {ti: ws for ti, ws in named.items() if ws}

    @staticmethod
    def _poems_suspect(text: str) -> bool:
        """Whether the question describes a patient with both mandatory criteria (neuropathy, M-protein)."""
        findings = _findings(text)
        return all(findings.get(f) is True for f in MANDATORY_FIELDS)

    def _workup_case(self, text: str, content: list[str], best: _Scored) -> _Scored | None:
        """The workup, when a poorly matched question describes a patient and asks what to test ("40M,
        neuropathy, hyperpigmentation, gynaecomastia - which tests?"); None otherwise."""
        if not WORKUP_CUES.intersection(content) or WORKUP_FACT not in self._by_id:
            return None
        if len(_findings(text)) < CASE_FLOW_FINDINGS:
            return None
        return best._replace(target=self._by_id[WORKUP_FACT])

    def _without_mandatory(self, text: str, content: list[str], best: _Scored) -> _Scored | None:
        """The mandatory criteria, when the question asks about POEMS without one of them ("can you have
        poems without neuropathy", "no M-protein at all - still poems?"); None otherwise.

        "without" carries no weight in matching, so such a question reads like one about the neuropathy or the
        M-protein itself.
        """
        if "poem" not in content or MANDATORY_FACT not in self._by_id:
            return None
        if self._ix["facts"][self._targets[best.target][3]]["section"] == "criteria":
            return None
        if len([w for w in content if w not in MANDATORY_WORDS and w not in GENERIC]) > 1:
            return None
        findings = _findings(text)
        # a described patient ("neuropathy, no M-protein, VEGF 300 - poems?") is the case flow's, not this
        if len(findings) > len(MANDATORY_FIELDS) or not any(findings.get(f) is False for f in MANDATORY_FIELDS):
            return None
        return best._replace(target=self._by_id[MANDATORY_FACT])

    def _treatment_case(self, text: str, content: list[str], best: _Scored, declined: bool) -> _Scored | None:
        """The fact Figure 3 points to when a treatment question describes the bone lesions and the marrow
        ("2 sclerotic lesions, marrow clean - radiate or transplant?" -> who gets radiation), or the guided
        treatment flow when it asks to plan; None otherwise.

        Matched on words alone, such a question lands on whichever of the two indications shares more of its
        findings' words; the findings themselves decide.
        """
        if not TREATMENT_CUES.intersection(content):
            return None
        best_fact = self._targets[best.target][3]
        if not declined and best_fact not in TREATMENT_CHOICE_FACTS:
            return None
        findings = _findings(text)
        lesions, marrow = findings.get("sclerotic_bone_lesions"), findings.get("clonal_marrow_plasma_cells")
        if lesions is None and marrow is None:
            return None
        if "plan" in content and TREATMENT_FLOW in self._by_id:
            return best._replace(target=self._by_id[TREATMENT_FLOW])
        from guidebot.criteria.case import Case
        from guidebot.criteria.treatment import choose_approach

        known = {k: v for k, v in findings.items() if k in ("sclerotic_bone_lesions", "clonal_marrow_plasma_cells", "transplant_eligible")}
        fact = APPROACH_FACTS.get(choose_approach(Case(**known))[0])
        if fact is None or fact not in self._by_id:
            return None
        return best._replace(target=self._by_id[fact])

    def _dose_reason(self, text: str, content: list[str], best: _Scored) -> str:
        """"dose_not_given" when the question asks for a dose or a count the best target does not give."""
        unit = self._asks_count_of(content)
        if unit and unit not in self._ix["answer_units"].get(best.target, ()):
            # "how many cycles of X": only an answer that counts in cycles answers it
            return "dose_not_given"
        if self._asks_dose(text) and best.target not in self._dose_targets:
            # "lenalidomide dose": the lenalidomide facts give no dose, and a near answer could be misread as one
            return "dose_not_given"
        return ""

    @staticmethod
    def _asks_duration(text: str) -> bool:
        """Whether the question asks for a span of time ("how long", "duration")."""
        words = _words(restated(text))
        return any(tuple(words[i:i + len(cue)]) == cue for cue in DURATION_CUES for i in range(len(words)))

    def _anchored_caution(self, content: list[str], scored: list[_Scored], best: _Scored) -> _Scored | None:
        """The best-scoring caution whose anchor (trigger) the question names, however far behind it scores
        ("can I give bevacizumab to my patient with a lambda M-protein?" is about bevacizumab first); None
        when no caution is named, or when the best target is itself about that agent (its title names it:
        "Bortezomib-based regimens"), where the usual close-call rule decides."""
        words = set(content)
        anchors = self._ix["caution_anchors"]
        ix = self._ix
        best_title = set(ix["choices"][ix["title_choice"][best.target]].split())
        # "Lenalidomide rather than thalidomide" names thalidomide as the drug it is preferred to: a question
        # naming thalidomide alone is about thalidomide, and meets its caution; so does one naming an agent
        # besides the best fact's own ("bortezomib regimens helped, so why avoid bortezomib and thalidomide?")
        about_its_drugs = {w for w in best_title if w in DRUGS} <= words
        for s in scored:
            named = [a for a in anchors.get(s.target, ()) if set(a) <= words]
            if named and (s is best or not about_its_drugs or not all(set(a) <= best_title for a in named)):
                return s
        return None

    def _named_caution(self, content: list[str], scored: list[_Scored]) -> _Scored | None:
        """The best-scoring caution whose anchor (trigger) the question names, or None."""
        words = set(content)
        anchors = self._ix["caution_anchors"]
        for s in scored:
            if any(set(a) <= words for a in anchors.get(s.target, ())):
                return s
        return None

    def _absent_drug(self, content: list[str], best: _Scored) -> bool:
        """Whether the question names a drug that the best target mentions nowhere (phrasings or answer)."""
        ix = self._ix
        return any(
            w in DRUGS and best.target not in ix["postings"].get(w, ()) and best.target not in ix["answer_postings"].get(w, ())
            for w in content
        )

    def _answer_names(self, content: list[str], best: _Scored) -> bool:
        """Whether the best target's answer names every other condition the question names (the caution on
        plasma exchange speaks of CIDP)."""
        named = {w for w in content if w in OTHER_CONDITIONS}
        return named <= self._answer_conditions(best.target)

    @lru_cache(maxsize=None)
    def _answer_conditions(self, target: int) -> frozenset[str]:
        """The other conditions a target's answer names (read line by line: a question's length cap must not cut it)."""
        fact = self._ix["facts"].get(self._targets[target][3])
        lines = fact["plain"].splitlines() if fact else []
        return frozenset(w for line in lines for w in self.normalise(line) if w in OTHER_CONDITIONS)

    def _other_condition(self, content: list[str], best: _Scored) -> bool:
        """Whether the question names another condition (and not POEMS) that the best target's phrasings do not."""
        if "poem" in content:
            return False
        named = [w for w in content if w in OTHER_CONDITIONS]
        if not named:
            return False
        postings = self._ix["postings"]
        if any(best.target not in postings.get(w, ()) for w in named):
            return True
        # "how is AL amyloidosis treated": the amyloidosis facts compare it with POEMS, they do not treat it
        roots = self._ix["roots"]
        asks = {_fold(_stem(w), roots) for w in MANAGEMENT_WORDS}
        if any(w in asks and best.target not in postings.get(w, ()) for w in content):
            return True
        # "what is the treatment of CIDP", "how do you treat multiple myeloma": nothing but the other
        # condition and how it is managed; the review manages POEMS only, whatever fact shares the words
        rest = [w for w in content if w not in named and w not in asks and w not in GENERIC and w not in OTHER_CONDITION_QUALIFIERS]
        if any(w in asks for w in content) and not rest:
            return True
        # "subcutaneous immunoglobulin for CIDP": the fact names CIDP only to set it apart from POEMS, so it
        # must also hold most of what is asked about CIDP; the condition's name alone proves nothing
        idf, unknown = self._ix["idf"], UNKNOWN_FACTOR * self._ix["max_idf"]
        answers = self._ix["answer_postings"]
        held = sum(idf.get(w, unknown) for w in rest if best.target in postings.get(w, ()) or best.target in answers.get(w, ()))
        return held < OTHER_CONDITION_REST_SHARE * sum(idf.get(w, unknown) for w in rest)

    def _asks_count_of(self, content: list[str]) -> str | None:
        """The unit of "how many days / cycles / weeks / months" when the question asks for such a count."""
        for prev, word in zip(content, content[1:]):
            if prev == "many" and word in COUNT_UNITS:
                return word
        return None

    def _asks_dose(self, text: str) -> bool:
        """Whether the question asks for a dose: a dose word on its own, not inside a name ("low-dose CT"), or
        an amount with its unit ("clexane 40mg or 1mg/kg?"); after a self-correction ("lmwh dose?? no i mean is
        ppx recommended"), only what it asks now."""
        groups = self.groups(restated(text))
        return any(
            len(g) == 1 and (g[0] in DOSE_WORDS or (g[0][:1].isdigit() and g[0].lstrip("0123456789") in DOSE_UNITS))
            and (i == 0 or groups[i - 1] not in (("low",), ("high",)))
            # "much" asks for an amount only as "how much" ("why so much edema" does not)
            and (g[0] != "much" or (i > 0 and groups[i - 1] == ("how",)))
            # an amount per volume is a concentration ("M-protein 1g/dl"), not a dose
            and (i + 1 == len(groups) or groups[i + 1] not in VOLUME_UNITS)
            for i, g in enumerate(groups)
        )

    # -- answers ------------------------------------------------------------------------------------

    def answer(self, text: str) -> dict:
        """The INTERFACE section 2 object for a question (plus `title`, `suggestion_ids`, `plain`, `is_flow`)."""
        match = self.route(text)
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
