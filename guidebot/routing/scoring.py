"""Scoring a question against every fact and flow: the signals of the package docstring, combined.

`Scorer` is one layer of `Router`; its weights were tuned on the training sets (tests/eval/train/).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from functools import cached_property

from rapidfuzz import fuzz, process

from guidebot.routing.normalisation import DOMAIN_WORDS, _group_weights, topic_key
from guidebot.routing.question import Scored
from guidebot.routing.reading import Reader

_Scored = Scored

# The weights are data: knowledge/routing.yaml `weights` (described in guidebot.knowledge.schema.RoutingWeights).


MEMO_SIZE = 256
"""How many recent questions' scores (and routes) a router remembers."""
PRUNE_ABOVE = 400
"""With more targets than this sharing a word with the question, only those that could reach the fuzzy front
get the choice-level signals (`_pruned_front`); fewer are all scored (the real knowledge base, ~120 targets)."""
BOUND_SLACK = 1e-9
"""A bound is summed in another order than the score it bounds: this much rounding is allowed for."""
INFINITY = float("inf")


def bound_postings(ix: dict) -> dict[str, tuple[list[int], list[float], list[int], list[bool]]]:
    """word -> (the targets with a choice using it, in order; per target the weight of its lightest such
    choice, how many of its phrasings use it, and whether its title does): what bounds a target's
    choice-level signals without reading its choices (`Scorer._pruned_front`). Built with the index when the
    knowledge base is large."""
    owner, cweight, title_of = ix["choice_target"], ix["choice_weight"], ix["title_choice"]
    mention_postings = ix["mention_postings"]
    out = {}
    for tok, choices in ix["choice_postings"].items():
        targets: list[int] = []
        lightest: list[float] = []
        in_title: list[bool] = []
        for ci in choices:  # in choice order, so in target order
            t = owner[ci]
            if targets and targets[-1] == t:
                lightest[-1] = min(lightest[-1], cweight[ci])
            else:
                targets.append(t)
                lightest.append(cweight[ci])
                in_title.append(False)
            if title_of[t] == ci:
                in_title[-1] = True
        mentions: dict[int, int] = {}
        for t in mention_postings.get(tok, ()):
            mentions[t] = mentions.get(t, 0) + 1
        out[tok] = (targets, lightest, [mentions.get(t, 0) for t in targets], in_title)
    return out


class Scorer(Reader):
    """Scores of every plausible target for a question."""

    @cached_property
    def _bound_postings(self) -> dict:
        """`bound_postings` of the index: kept in it for a large knowledge base, else made when first needed."""
        return self._ix.get("bound_postings") or bound_postings(self._ix)

    def _fuzzy(self, query: str, targets: list[int]) -> dict[int, float]:
        """Best fuzzy similarity (0..100) per candidate target over the content words of its choices.

        token_sort_ratio ignores word order ("poems lmwh" = "lmwh poems") yet, unlike token_set_ratio, does not
        give 100 to every choice that merely contains the question's one word. It is `ratio` over each side's
        words sorted and joined; the index keeps every choice's words sorted already (`choice_sorted`), so
        only the question is sorted here and rapidfuzz runs plain `ratio`, the same numbers at a third of the
        cost. `process.extract(limit=None)` runs it inside rapidfuzz's C++ loop, like `process.cdist` would,
        but without numpy: importing numpy alone would cost more than the whole start-up budget of `guidebot
        ask`. Only the lexical front-runners' choices are scored, which keeps a 50x knowledge base fast.
        """
        ix = self._ix
        spans = ix["choice_span"]
        content = ix["choice_sorted"]
        owner: list[int] = []
        subset: list[str] = []
        for t in targets:
            lo, hi = spans[t]
            subset.extend(content[lo:hi])
            owner.extend([t] * (hi - lo))
        best: dict[int, float] = {}
        query = " ".join(sorted(query.split()))
        for _, score, i in process.extract(query, subset, scorer=fuzz.ratio, limit=None, score_cutoff=self._cfg.weights["fuzzy_floor"]):
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
        wt = self._cfg.weights
        all_weights = _group_weights(groups, ix["idf"], wt["unknown"] * ix["max_idf"])
        content = list(all_weights)
        informative = [t for t in content if t not in DOMAIN_WORDS] or content
        if not informative:
            return content, []
        weights = {t: all_weights[t] for t in informative}
        total = sum(weights.values())
        # target-level signals first, for every target sharing a word: cheap (one posting per target and word)
        covered: dict[int, float] = {}
        answer_weight = wt["answer"]
        postings, answer_postings = ix["postings"], ix["answer_postings"]
        covered_get = covered.get
        for tok, w in weights.items():
            for ti in postings.get(tok, ()):
                covered[ti] = covered_get(ti, 0.0) + w
            for ti in answer_postings.get(tok, ()):
                covered[ti] = covered_get(ti, 0.0) + answer_weight * w
        if not covered:
            return content, []
        bm25: dict[int, float] = {}
        bm25_get = bm25.get
        for tok, w in weights.items():
            for ti, sat in zip(ix["doc_targets"].get(tok, ()), ix["doc_saturation"].get(tok, ())):
                bm25[ti] = bm25_get(ti, 0.0) + w * sat
        same_topic = set(ix["same_topic"].get(topic_key(informative), ()))
        words = set(weights)
        anchored = [ti for ti, anchors in ix["caution_anchors"].items()
                    if ti in covered and any(set(a) <= words for a in anchors)]
        front_size = wt["fuzzy_candidates"]
        if len(covered) <= PRUNE_ABOVE:
            lexical, title_shared = self._lexical(weights, total, covered, bm25, same_topic)
            # ties keep the order in which targets were first covered (`sorted` is stable)
            front = sorted(lexical, key=lambda t: -lexical[t])[:front_size]
        else:
            lexical, title_shared, front = self._pruned_front(weights, total, covered, bm25, same_topic, anchored, front_size)
        # a caution whose agent the question names is always scored, however low it ranks (see `route`)
        for ti in anchored:
            if ti not in front:
                front.append(ti)
        fuzzy = self._fuzzy(" ".join(informative), front)
        total_weight = sum(wt[k] for k in ("same_topic", "coverage", "f1", "fuzzy", "focus", "title", "exact", "bm25"))
        scored = []
        for ti in front:
            fz = fuzzy.get(ti, 0.0) / 100.0
            combined = (lexical[ti] + wt["fuzzy"] * fz) / total_weight
            scored.append(_Scored(ti, combined, covered[ti] / total, fz, title_shared[ti] / total))
        scored.sort(key=lambda s: (-s.score, s.target))
        return content, scored

    def _pruned_front(self, weights, total, covered, bm25, same_topic, anchored, front_size):
        """(lexical, title shares, front) as `_lexical` over every covered target would give them, the front (the
        `front_size` best, ties in first-covered order) included, for a large knowledge base: the choice-level
        signals (F1, focus, title, emphasis) are computed only for targets that could reach the front.

        The targets best on what is already known (coverage, BM25, same topic) are scored exactly first; the
        last of them sets a floor. A target whose known part could not reach it even with the choice-level
        signals at their highest is dropped; when many remain, each gets a tighter upper bound (`_bounds`) and
        only those whose bound reaches the floor are scored. The rest cannot enter the front.
        """
        wt = self._cfg.weights
        w_coverage, w_f1, w_focus, w_title = wt["coverage"], wt["f1"], wt["focus"], wt["title"]
        w_exact, w_bm25, w_same_topic = wt["exact"], wt["bm25"], wt["same_topic"]
        # first what coverage, BM25 and topic alone say: the best of those scored exactly give a first floor,
        # and a target whose choices could not lift it that far even at their best is never looked at again
        known = {ti: (w_coverage * cov + w_bm25 * bm25.get(ti, 0.0)) / total + w_same_topic * (ti in same_topic)
                 for ti, cov in covered.items()}
        first = set(heapq.nlargest(front_size, known, key=known.__getitem__)) | set(anchored)
        lexical, title_shared = self._lexical_of(weights, total, covered, bm25, same_topic, first)
        floor = heapq.nlargest(front_size, lexical.values())[-1] - BOUND_SLACK - (w_f1 + w_focus + w_title + w_exact)
        rough = {ti for ti, k in known.items() if k >= floor and ti not in first}
        if len(rough) > front_size:
            floor += w_f1 + w_focus + w_title + w_exact
            bound = self._bounds(weights, total, known, rough)
            rough = [ti for ti, b in bound.items() if b >= floor]
        if rough:
            more, more_shared = self._lexical_of(weights, total, covered, bm25, same_topic, rough)
            lexical.update(more)
            title_shared.update(more_shared)
        # every target left out scores below the front's last: the front is the same as over all of them, and
        # ties keep the order in which targets were first covered, as there
        scored_targets = [ti for ti in covered if ti in lexical]
        front = sorted(scored_targets, key=lambda t: -lexical[t])[:front_size]
        return lexical, title_shared, front

    def _bounds(self, weights, total, known, targets) -> dict[int, float]:
        """{target: upper bound of its lexical score} for `targets` (a set), `known` holding what coverage, BM25
        and topic give each (see `_pruned_front`). From `bound_postings`: a choice shares at most the target's
        words the question has, so its F1 is at most 2 x their weight / (question + the lightest choice using
        one of them); the title's F1 and focus are known from which words the title and how many phrasings
        use; emphasis counts only where that F1 bound reaches `exact_f1`."""
        ix = self._ix
        wt = self._cfg.weights
        w_f1, w_focus, w_title, w_exact, exact_f1 = wt["f1"], wt["focus"], wt["title"], wt["exact"], wt["exact_f1"]
        cweight, title_of, sentences = ix["choice_weight"], ix["title_choice"], ix["sentences"]
        reach: dict[int, float] = {}  # weight of the question's words among the target's choices
        light: dict[int, float] = {}  # the lightest of its choices using one of them
        mention: dict[int, float] = {}  # weight of the question's words over its phrasings, per phrasing
        titled: dict[int, float] = {}  # weight of the question's words in its title, exactly
        reach_get, light_get, mention_get, titled_get = reach.get, light.get, mention.get, titled.get
        postings = self._bound_postings
        for tok, w in weights.items():
            entry = postings.get(tok)
            if entry is None:
                continue
            for t, lightest, count, in_title in zip(*entry):
                if t not in targets:
                    continue
                reach[t] = reach_get(t, 0.0) + w
                if lightest < light_get(t, INFINITY):
                    light[t] = lightest
                if count:
                    mention[t] = mention_get(t, 0.0) + count * w
                if in_title:
                    titled[t] = titled_get(t, 0.0) + w
        bound: dict[int, float] = {}
        for ti in targets:
            shared = reach_get(ti)
            if shared is None:  # covered by its answer or by domain words only: no choice shares a word
                bound[ti] = known[ti]
                continue
            f1 = min(1.0, 2.0 * shared / (total + light[ti]))
            title = min(1.0, 2.0 * titled_get(ti, 0.0) / (total + cweight[title_of[ti]]))
            focus = min(1.0, mention_get(ti, 0.0) / (total * sentences[ti]))
            bound[ti] = known[ti] + w_f1 * f1 + w_focus * focus + w_title * title + w_exact * (f1 >= exact_f1 - BOUND_SLACK)
        return bound

    def _lexical(self, weights, total, covered, bm25, same_topic):
        """({target: lexical score}, {target: weight its title shares with the question}) for every covered
        target, from the word-to-choice postings (the knowledge base is small, or most of it is covered)."""
        ix = self._ix
        owner = ix["choice_target"]
        shared: dict[int, float] = {}
        mentions: dict[int, float] = {}
        shared_get, mentions_get = shared.get, mentions.get
        choice_postings, mention_postings = ix["choice_postings"], ix["mention_postings"]
        for tok, w in weights.items():
            for ci in choice_postings.get(tok, ()):
                shared[ci] = shared_get(ci, 0.0) + w
            for t in mention_postings.get(tok, ()):
                mentions[t] = mentions_get(t, 0.0) + w
        # weighted F1 of the question against each choice: a short keyword query is fully matched by a
        # keyword, a long question by a similar example question; the best choice speaks for its target
        cweight = ix["choice_weight"]
        exact_f1 = self._cfg.weights["exact_f1"]
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
        combine = self._combine
        lexical = {ti: combine(total, cov, f1.get(ti, 0.0), mentions.get(ti, 0.0), title_f1.get(ti, 0.0),
                               exact.get(ti, 0), bm25.get(ti, 0.0), ti in same_topic, ti)
                   for ti, cov in covered.items()}
        return lexical, {ti: shared.get(title_of[ti], 0.0) for ti in covered}

    def _lexical_of(self, weights, total, covered, bm25, same_topic, targets):
        """`_lexical` for the given targets only: each target's own choices are found in the postings by
        bisection (postings are in choice order, so in target order) and summed apart from the others. Sums are
        made in the question's word order, as `_lexical` makes them, so a target scores the same to the last
        bit either way."""
        ix = self._ix
        spans, cweight, title_of = ix["choice_span"], ix["choice_weight"], ix["title_choice"]
        exact_f1 = self._cfg.weights["exact_f1"]
        terms = [(w, ix["choice_postings"].get(tok, ()), ix["mention_postings"].get(tok, ())) for tok, w in weights.items()]
        at_choice = [0] * len(terms)
        at_mention = [0] * len(terms)
        combine = self._combine
        lexical: dict[int, float] = {}
        title_shared: dict[int, float] = {}
        for t in sorted(targets):
            lo, hi = spans[t]
            inter: dict[int, float] = {}  # only the choices sharing a word: most of a target's share none
            inter_get = inter.get
            mention = 0.0
            for k, (w, cp, mp) in enumerate(terms):
                a = bisect_left(cp, lo, at_choice[k])
                b = bisect_left(cp, hi, a)
                at_choice[k] = b
                for ci in cp[a:b]:
                    inter[ci] = inter_get(ci, 0.0) + w
                a = bisect_left(mp, t, at_mention[k])
                b = bisect_right(mp, t, a)
                at_mention[k] = b
                for _ in range(b - a):  # one addition per phrasing, as `_lexical` adds them
                    mention += w
            best = title = 0.0
            exact = 0
            for ci, shared in inter.items():
                value = 2.0 * shared / (total + cweight[ci])
                if value > 1.0:
                    value = 1.0
                if value > best:
                    best = value
                if value >= exact_f1:
                    exact += 1
            title_shared[t] = inter_get(title_of[t], 0.0)
            if title_shared[t]:
                title = min(1.0, 2.0 * title_shared[t] / (total + cweight[title_of[t]]))
            lexical[t] = combine(total, covered[t], best, mention, title, exact, bm25.get(t, 0.0), t in same_topic, t)
        return lexical, title_shared

    def _combine(self, total, cov, f1, mentions, title_f1, exact, bm25, same_topic, ti) -> float:
        """A target's lexical score from its signals (weights: routing.yaml `weights`)."""
        wt = self._cfg.weights
        # focus: how much of the target's own questions and title are about the question's words; a fact that
        # lists "bortezomib" among many keywords is less about it than one whose every question names it
        focus = min(1.0, mentions / (total * self._ix["sentences"][ti]))
        return (
            wt["coverage"] * cov / total
            + wt["f1"] * f1
            + wt["focus"] * focus
            + wt["title"] * title_f1
            # emphasis: several of a fact's phrasings say exactly what was asked (its keywords ASCT, auto-SCT,
            # HCT all name the transplant), so the curator meant this fact for it
            + wt["exact"] * min(1.0, exact / wt["exact_saturation"])
            + wt["bm25"] * bm25 / total
            # one of its phrasings names exactly the question's topic words, no more and no fewer
            + wt["same_topic"] * same_topic
        )

    # -- decision ---------------------------------------------------------------------------------
