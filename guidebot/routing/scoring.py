"""Scoring a question against every fact and flow: the signals of the package docstring, combined.

`Scorer` is one layer of `Router`; its weights were tuned on the training sets (tests/eval/train/).
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from guidebot.routing.normalisation import DOMAIN_WORDS, _group_weights, topic_key
from guidebot.routing.question import Scored
from guidebot.routing.reading import Reader

_Scored = Scored

# The weights are data: knowledge/routing.yaml `weights` (described in guidebot.knowledge.schema.RoutingWeights).


MEMO_SIZE = 256
"""How many recent questions' scores (and routes) a router remembers."""


class Scorer(Reader):
    """Scores of every plausible target for a question."""

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
        for _, score, i in process.extract(query, subset, scorer=fuzz.token_sort_ratio, limit=None, score_cutoff=self._cfg.weights["fuzzy_floor"]):
            t = owner[i]
            if score > best.get(t, 0.0):
                best[t] = score
        return best

    def score(self, text: str) -> tuple[list[str], list[_Scored]]:
        """The question's content tokens and every plausible target's scores, best first.

        Memoised per router (a small bounded cache): the dialogue scores a turn alone and in context, and the
        index never changes under a router."""
        cache = self.__dict__.setdefault("_score_memo", {})
        hit = cache.get(text)
        if hit is not None:
            return hit
        result = self._score(text)
        if len(cache) >= MEMO_SIZE:
            cache.pop(next(iter(cache)))
        cache[text] = result
        return result

    def _score(self, text: str) -> tuple[list[str], list[_Scored]]:
        ix = self._ix
        groups = self.groups(text)
        idf = ix["idf"]
        sentences = ix["sentences"]
        wt = self._cfg.weights
        all_weights = _group_weights(groups, idf, wt["unknown"] * ix["max_idf"])
        content = list(all_weights)
        informative = [t for t in content if t not in DOMAIN_WORDS] or content
        if not informative:
            return content, []
        weights = {t: all_weights[t] for t in informative}
        total = sum(weights.values())
        covered: dict[int, float] = {}
        answer_weight, exact_f1, saturation = wt["answer"], wt["exact_f1"], wt["exact_saturation"]
        shared: dict[int, float] = {}
        mentions: dict[int, float] = {}
        owner = ix["choice_target"]
        # the hottest loop at 50x: methods bound once
        shared_get, mentions_get = shared.get, mentions.get
        for tok, w in weights.items():
            for ti in ix["postings"].get(tok, ()):
                covered[ti] = covered.get(ti, 0.0) + w
            for ti in ix["answer_postings"].get(tok, ()):
                covered[ti] = covered.get(ti, 0.0) + answer_weight * w
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
            if value >= exact_f1:
                exact[t] = exact.get(t, 0) + 1
        lexical: dict[int, float] = {}
        same_topic = set(ix["same_topic"].get(topic_key(informative), ()))
        w_coverage, w_f1, w_focus, w_title = wt["coverage"], wt["f1"], wt["focus"], wt["title"]
        w_exact, w_bm25, w_same_topic = wt["exact"], wt["bm25"], wt["same_topic"]
        for ti, cov in covered.items():
            # focus: how much of the target's own questions and title are about the question's words; a
            # fact that lists "bortezomib" among many keywords is less about it than one whose every
            # question names it
            focus = min(1.0, mentions.get(ti, 0.0) / (total * sentences[ti]))
            lexical[ti] = (
                w_coverage * cov / total
                + w_f1 * f1.get(ti, 0.0)
                + w_focus * focus
                + w_title * title_f1.get(ti, 0.0)
                # emphasis: several of a fact's phrasings say exactly what was asked (its keywords ASCT,
                # auto-SCT, HCT all name the transplant), so the curator meant this fact for it
                + w_exact * min(1.0, exact.get(ti, 0) / saturation)
                + w_bm25 * bm25.get(ti, 0.0) / total
                # one of its phrasings names exactly the question's topic words, no more and no fewer
                + w_same_topic * (ti in same_topic)
            )
        front = sorted(lexical, key=lambda t: -lexical[t])[:wt["fuzzy_candidates"]]
        # a caution whose agent the question names is always scored, however low it ranks (see `route`)
        words = set(weights)
        for ti, anchors in ix["caution_anchors"].items():
            if ti in lexical and ti not in front and any(set(a) <= words for a in anchors):
                front.append(ti)
        fuzzy = self._fuzzy(" ".join(informative), front)
        total_weight = sum(wt[k] for k in ("same_topic", "coverage", "f1", "fuzzy", "focus", "title", "exact", "bm25"))
        scored = []
        for ti in front:
            fz = fuzzy.get(ti, 0.0) / 100.0
            combined = (lexical[ti] + wt["fuzzy"] * fz) / total_weight
            scored.append(_Scored(ti, combined, covered[ti] / total, fz, shared.get(title_of[ti], 0.0) / total))
        scored.sort(key=lambda s: (-s.score, s.target))
        return content, scored

    # -- decision ---------------------------------------------------------------------------------
