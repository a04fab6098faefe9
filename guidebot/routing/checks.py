"""Checks of whether a candidate answers what the question asks (another drug, condition, dose, duration...).

`Checks` is one layer of `Router`. Each check has a name (its `Match.reason`) and can be switched off
(`Question.off`) for `guidebot eval --ablate`; a check that declines records itself in `Question.fired`.
"""

from __future__ import annotations

from functools import lru_cache

from guidebot.routing.normalisation import (
    COUNT_UNITS, DOMAIN_WORDS, DOSE_UNITS, DOSE_WORDS, DRIVEN_OBJECTS, DURATION_CUES, GENERIC, _fold, _stem, restated,
)
from guidebot.routing.question import Question, Scored, _words
from guidebot.routing.reranker import probabilities
from guidebot.routing.scoring import Scorer

_Scored = Scored

# Thresholds and word lists are data: knowledge/routing.yaml (see guidebot.knowledge.schema.RoutingFile).

INTERVAL_CUES = (("how", "often", "should"), ("how", "often", "to"), ("how", "often", "do", "i"), ("how", "often", "do", "we"),
                 ("how", "frequently", "should"), ("how", "frequently", "to"))
"""Words by which a question asks for an interval to keep ("how often should VEGF be rechecked", "how often to
repeat SPEP"), a span of time like a duration; not how often a finding is seen ("how often do you see ...")."""

VOLUME_UNITS = frozenset({("dl",), ("l",), ("ml",)})
DISEASE_DRIVERS = frozenset({"vegf", "what", "which", "that", "cytokine", "il", "clone", "inflammation"})
"""Before "drive(s)", a word that makes it what drives the disease ("VEGF drives everything"), not driving a car."""
HOW_MUCH_DEGREE = frozenset({
    "the", "frequent", "frequently", "frequency", "common", "commonly", "often", "rare", "rarely", "percent",
    "percentage", "sensitive", "sensitivity", "specific", "specificity", "likely", "important", "useful", "effective",
    "better", "worse", "faster", "longer",
})
"""Words after "how much" that ask how often or how well, not for an amount ("how much frequent is POEMS")."""
"""After an amount, a unit of volume makes it a concentration ("1g/dl"), not a dose."""

class Checks(Scorer):
    """Why a candidate cannot answer a question."""

    def _learned_choice(self, content: list[str], scored: list[_Scored]) -> tuple[_Scored, float, float] | None:
        """(the front-runner the learned model and the hand score together rank first, the model's probability
        for it, the model's probability that the question is out of scope); None without a model."""
        if self._reranker is None or not scored:
            return None
        model = self._cfg.model
        front = scored[:model["rerank_candidates"]]
        per_target, p_out = probabilities(self._reranker, content, [s.target for s in front])
        top = max(front, key=lambda s: s.score + model["rerank_weight"] * per_target[s.target])  # ties: the hand score's order
        # never away from a caution the hand scores rank higher ("pt relapsed, thinking pheresis" stays with the
        # plasma-exchange caution, or is declined as before, but never becomes the relapse fact)
        caution = next((s for s in front if s.target in self._cautions), None)
        if caution is not None and caution.score > top.score:
            top = caution
        return top, per_target[top.target], p_out

    def _unknown_words(self, content: list[str]) -> list[str]:
        """The question's words guidebot has never seen (and could not read as a misspelling): most likely
        another drug or disease ("hemochromatosis")."""
        ix = self._ix
        return [w for w in content if w not in ix["idf"] and w not in ix["known"] and w.isalpha() and w not in GENERIC]

    def _other_topic(self, q: Question) -> bool:
        """Whether the question raises a topic the review does not cover (routing.yaml `words.uncovered_topics`:
        pregnancy, vaccines, bleeding reversal...), whatever it names with it: in the words as typed ("pregnant") or
        in what the lexicon read into them ("allo SCT" is an allogeneic transplant); not when the question
        describes a patient (two or more findings) but for what a vignette's asking sentence raises."""
        if not q.on("other_topic") or not self._raises_uncovered(q.raw, q.content):
            return False
        # a described patient ("neuropathy, lambda M-protein, 2 sclerotic lesions, diabetes since childhood: does
        # she meet criteria?") names the topic as history, and is assessed; not when a vignette's asking sentence
        # raises it ("A 12-year-old boy has ... What pediatric treatment protocol is recommended?")
        # (findings are read only when a topic is raised: most questions never load the findings reader)
        history = q.mood == "patient" and (q.ask is None or not self._raises_uncovered(_words(q.ask), self.normalise(q.ask)))
        return q.fire("other_topic", not history)

    def _raises_uncovered(self, words: tuple[str, ...], content: list[str]) -> bool:
        """Whether these words (cleaned, and as the lexicon read them) raise a topic the review does not cover."""
        uncovered = self._cfg.words["uncovered_topics"]
        return (any(w in uncovered and not (w == "drive" and (nxt in DRIVEN_OBJECTS or prev in DISEASE_DRIVERS))
                    for prev, w, nxt in zip(("", *words), words, (*words[1:], "")))
                or self._read_as_uncovered(content, words, uncovered))

    def _read_as_uncovered(self, content: list[str], words: tuple[str, ...], uncovered: frozenset[str]) -> bool:
        """Whether the lexicon read an uncovered topic into the question's words ("allo SCT" -> allogeneic) that
        none of them is as typed (the typed words are checked as they are: "driving" stays "drive" the verb)."""
        named = uncovered.intersection(content)
        return bool(named) and bool(named - {_fold(_stem(w), self._ix["roots"]) for w in words})

    def _decline_reason(self, q: Question, best: _Scored, thresholds: bool = True) -> str:
        """Why the best target cannot answer the question (a `Match.reason`), or "" when it can; with
        `thresholds` False, only for what it asks (another drug, condition, dose...), not for how well it scored."""
        # a word guidebot has never seen (and cannot read as a misspelling) mostly names something else:
        # a drug, a disease ("MGUS progression risk", "siltuximab for castleman"); ask for more coverage
        ix, content, cfg = self._ix, q.content, self._cfg
        limits = cfg.thresholds
        if self._other_topic(q):
            return "other_topic"
        unknown = bool(self._unknown_words(content))
        is_case = len([w for w in content if w not in GENERIC and w not in DOMAIN_WORDS]) >= limits["case_length"]
        about_poems = not cfg.words["poems"].isdisjoint(content)
        if unknown:
            min_coverage, min_score = limits["unknown_min_coverage"], limits["min_score"]
        elif is_case:
            min_coverage, min_score = limits["case_min_coverage"], limits["case_min_score"]
        else:
            min_coverage, min_score = limits["min_coverage"], limits["min_score"]
        # a question naming POEMS: its odd words are mostly clinical detail, not another topic; general-medicine
        # questions that borrow the review's words rarely name POEMS
        min_score += limits["poems_score_shift"] if about_poems else limits["not_poems_score_shift"]
        # with an unknown word, the known part must outweigh it: "side effects of rituximab" covers exactly
        # half (one rare known word, one unknown drug) and is about the drug
        if thresholds and (best.coverage < min_coverage or (unknown and best.coverage <= min_coverage)):
            return "low_coverage"
        if self._other_drug(q):
            # "sildenafil for pulmonary hypertension in poems": the review names no such drug, so the fact
            # about pulmonary hypertension does not answer a question about it
            return "other_drug"
        if thresholds and best.score < min_score:
            return "low_score"
        if not is_case and q.on("absent_drug") and q.fire("absent_drug", self._absent_drug(content, best)):
            # "how many days of dexamethasone for engraftment syndrome": the best fact never mentions the
            # drug asked about, so whatever it says is not about that drug (in a case description a drug is
            # often context: "day +10 post mel200, spiking fevers, rash")
            return "low_coverage"
        if self._condition_in_case_only(q):
            # recorded only when it kept the question from being declined
            q.fire("case_condition", "poem" not in content and q.on("other_condition") and self._names_other_condition(content, best))
        elif self._other_condition(q, best):
            # "first line treatment for AL amyloidosis": the review names amyloidosis only to tell it from
            # POEMS, so a fact that does not name it cannot answer a question about it
            return "other_condition"
        reason = self._dose_reason(q, best)
        if (not reason and best.target not in self._duration_targets and best.target not in self._cautions
                and q.on("duration_not_given") and q.fire("duration_not_given", self._asks_duration(q.text))):
            # "how long should a provoked DVT be anticoagulated": a fact stating no span of time does not answer
            # it (a caution still answers "how long should bevacizumab be given": it should not be)
            return "duration_not_given"
        return reason

    def _condition_in_case_only(self, q: Question) -> bool:
        """Whether an exam vignette names another condition only in its case, not in its ask ("A woman with a CIDP
        diagnosis has not improved after months of IVIG. Which diagnosis should now be considered?"): the
        condition is the patient's history, not what is asked, so `other_condition` does not decline for it (as a
        drug in a case description is context to `absent_drug`). Switched off by the name `case_condition`."""
        if not q.on("case_condition") or q.ask is None:
            return False
        return not self._cfg.words["other_conditions"].intersection(self.normalise(q.ask))

    def _other_drug(self, q: Question) -> bool:
        """Whether the question names a drug the review never names (by its stem: "acyclovir", "sildenafil")."""
        known, stems, drugs = self._ix["known"], self._cfg.drug_stems, self._cfg.drugs
        # a dictated drug's tail ("bev a cizumab") is a piece of a drug the review names, not another drug
        return q.on("other_drug") and q.fire("other_drug", any(
            w.endswith(stems) and w not in known and w.isalpha() and not any(d.endswith(w) for d in drugs)
            for w in q.content))

    def _dose_reason(self, q: Question, best: _Scored) -> str:
        """"dose_not_given" when the question asks for a dose or a count the best target does not give."""
        if not q.on("dose_not_given"):
            return ""
        unit = self._asks_count_of(q.content) or self._asks_per_unit(q.raw)
        if unit and unit not in self._ix["answer_units"].get(best.target, ()):
            # "how many cycles of X": only an answer that counts in cycles answers it
            return q.fire("dose_not_given", "dose_not_given")
        if self._asks_dose(q.text) and best.target not in self._dose_targets:
            # "lenalidomide dose": the lenalidomide facts give no dose, and a near answer could be misread as one
            return q.fire("dose_not_given", "dose_not_given")
        return ""

    @staticmethod
    def _asks_duration(text: str) -> bool:
        """Whether the question asks for a span of time ("how long", "duration") or an interval ("how often should")."""
        words = _words(restated(text))
        return any(tuple(words[i:i + len(cue)]) == cue for cue in DURATION_CUES + INTERVAL_CUES for i in range(len(words)))

    def _absent_drug(self, content: list[str], best: _Scored) -> bool:
        """Whether the question names a drug that the best target mentions nowhere (phrasings or answer)."""
        ix, drugs = self._ix, self._cfg.drugs
        return any(
            w in drugs and best.target not in ix["postings"].get(w, ()) and best.target not in ix["answer_postings"].get(w, ())
            for w in content
        )

    def _answer_names(self, content: list[str], best: _Scored) -> bool:
        """Whether the best target's answer names every other condition the question names (the caution on
        plasma exchange speaks of CIDP)."""
        named = {w for w in content if w in self._cfg.words["other_conditions"]}
        return named <= self._answer_conditions(best.target)

    @lru_cache(maxsize=None)
    def _answer_conditions(self, target: int) -> frozenset[str]:
        """The other conditions a target's answer names (read line by line: a question's length cap must not cut it)."""
        fact = self._ix["facts"].get(self._targets[target][3])
        lines = fact["plain"].splitlines() if fact else []
        conditions = self._cfg.words["other_conditions"]
        return frozenset(w for line in lines for w in self.normalise(line) if w in conditions)

    def _other_condition(self, q: Question, best: _Scored) -> bool:
        """Whether the question names another condition (and not POEMS) that the best target's phrasings do not."""
        content = q.content
        if "poem" in content or not q.on("other_condition"):
            return False
        return q.fire("other_condition", self._names_other_condition(content, best))

    def _caution_other_condition(self, q: Question, caution: _Scored) -> bool:
        """Whether a question naming a caution's agent names another condition (and not POEMS) that the caution's
        answer does not speak of: "bortezomib in multiple myeloma", "PLEX in TTP" (its phrasings may name one, as
        "which myeloma drugs to avoid", and still not answer for it); "CIDP pt, should I do PLEX?" keeps it."""
        if "poem" in q.content or not q.on("other_condition"):
            return False
        words = self._cfg.words
        regimens, content = words.get("regimen_nouns", frozenset()), q.content
        # a condition right after the agent's own noun, said to be used in it, tells where the agent comes from
        # ("the proteasome-blocking shot they use in marrow cancer -- avoided here?"), not what is asked about
        used_in = words.get("used_in_cues", frozenset())
        said_used_in = any(w in used_in and nxt in ("in", "for") for w, nxt in zip(q.raw, q.raw[1:]))
        named = {w for i, w in enumerate(content) if w in words["other_conditions"]
                 and not (i + 1 < len(content) and content[i + 1] in regimens)
                 and not (said_used_in and i and content[i - 1] in regimens)}
        return q.fire("other_condition", bool(named - self._answer_conditions(caution.target)))

    def _names_other_condition(self, content: list[str], best: _Scored) -> bool:
        """`_other_condition` for a question that names no POEMS word."""
        words = self._cfg.words
        # "the myeloma combo" names a kind of regimen, not the condition asked about
        regimens = words.get("regimen_nouns", frozenset())
        named = [w for i, w in enumerate(content) if w in words["other_conditions"]
                 and not (i + 1 < len(content) and content[i + 1] in regimens)]
        if not named:
            return False
        postings = self._ix["postings"]
        if any(best.target not in postings.get(w, ()) for w in named):
            return True
        # "how is AL amyloidosis treated": the amyloidosis facts compare it with POEMS, they do not treat it
        roots = self._ix["roots"]
        asks = {_fold(_stem(w), roots) for w in words["management"]}
        if any(w in asks and best.target not in postings.get(w, ()) for w in content):
            return True
        # "what is the treatment of CIDP", "how do you treat multiple myeloma": nothing but the other
        # condition and how it is managed; the review manages POEMS only, whatever fact shares the words
        rest = [w for w in content if w not in named and w not in asks and w not in GENERIC and w not in words["other_condition_qualifiers"]]
        if any(w in asks for w in content) and not rest:
            return True
        # "subcutaneous immunoglobulin for CIDP": the fact names CIDP only to set it apart from POEMS, so it
        # must also hold most of what is asked about CIDP; the condition's name alone proves nothing
        idf, unknown = self._ix["idf"], self._cfg.weights["unknown"] * self._ix["max_idf"]
        answers = self._ix["answer_postings"]
        held = sum(idf.get(w, unknown) for w in rest if best.target in postings.get(w, ()) or best.target in answers.get(w, ()))
        return held < self._cfg.thresholds["other_condition_rest_share"] * sum(idf.get(w, unknown) for w in rest)

    def _asks_count_of(self, content: list[str]) -> str | None:
        """The unit of "how many days / cycles / weeks / months" when the question asks for such a count."""
        for prev, word in zip(content, content[1:]):
            if prev == "many" and word in COUNT_UNITS:
                return word
        return None

    @staticmethod
    def _asks_per_unit(raw: tuple[str, ...]) -> str | None:
        """The unit of "number of fractions" or "dose per fraction", when the question asks for one (the words as
        typed: the normalised ones drop "per" and "of", and repeat no word)."""
        for i, word in enumerate(raw[1:], 1):
            unit = _stem(word)
            if unit in COUNT_UNITS and (raw[i - 1] == "per" or (raw[i - 1] == "of" and i > 1 and raw[i - 2] == "number")):
                return unit
        return None

    def _asks_dose(self, text: str) -> bool:
        """Whether the question asks for a dose: a dose word on its own, not inside a name ("low-dose CT"), or
        an amount with its unit ("clexane 40mg or 1mg/kg?"); after a self-correction ("lmwh dose?? no i mean is
        ppx recommended"), only what it asks now."""
        groups = self.groups(restated(text))
        return any(
            len(g) == 1 and (g[0] in DOSE_WORDS or (g[0][:1].isdigit() and g[0].lstrip("0123456789") in DOSE_UNITS))
            and (i == 0 or groups[i - 1] not in (("low",), ("high",)))
            # "much" asks for an amount only as "how much" ("why so much edema" does not); "how much of the marrow"
            # asks for a share, and before a degree word or an article learners of English ask how often or how
            # well ("how much frequent is POEMS", "how much sensitive", "how much the patients make thrombosis")
            and (g[0] != "much" or (i > 0 and groups[i - 1] == ("how",) and groups[i + 1 : i + 2] != [("of",)]
                                    and (i + 1 == len(groups) or groups[i + 1][0] not in HOW_MUCH_DEGREE)))
            # an amount per volume is a concentration ("M-protein 1g/dl"), not a dose
            and (i + 1 == len(groups) or groups[i + 1] not in VOLUME_UNITS)
            for i, g in enumerate(groups)
        )

    # -- answers ------------------------------------------------------------------------------------
