"""The router: normalises a question, scores it against every fact and flow, and decides what to answer.

Callers: `guidebot ask`, the dialogue manager and the UI (through `get_router()`), `guidebot eval` and
`bench/routing.py`.

The `ask` path must start fast (within 2.2x of a bare `import rapidfuzz`), so this module imports nothing heavy
at the top: no pydantic, yaml, markdown_it or platformdirs. The index is built once from the validated
knowledge base (`build_index`, which does import those) and cached as a pickle of plain Python data keyed
by the guidebot version, `INDEX_FORMAT`, the router modules' own stamps and every knowledge file's
(path, mtime_ns, size).

Normalisation (`_clean` + lexicon), the same for the index and the question: NFKC, Greek letters spelt out,
dashes and apostrophes folded, case folded, accents dropped, punctuation to spaces, plurals to singular
(and, on the question side, a name spelt out letter by letter, "P O E M S", joined into one word, and so
is a word dictation or a phone keyboard split apart, "scler otic", when an unknown piece joins into a known
word or a misspelling of one);
then lexicon variants become their canonical words (longest phrase first); then every word is replaced by
the most frequent word of the knowledge base sharing its crude root (`_root`: "treated", "treating" ->
"treatment"; "mobilised" -> "mobilization"). On the question side only, an unknown word is first matched
by how it sounds (`_sound`: "plasmaferesis", "papiledema", "melfalan") and then, if still unknown, read as a
misspelling of a known word one edit away (OSA).

Scoring, per target (a fact or a guided flow), from signals weighted by IDF over the index's words (so
"dose" or "treatment" decide less than "bevacizumab"; words of one lexicon concept share one weight):

- coverage: the share of the question's information found among the target's words (example questions,
  title, keywords; words only in its answer count half). An unknown word counts as informative and lowers
  coverage: that is what sends "lupus nephritis treatment" out of scope;
- F1 against the target's best single phrasing, and against its title;
- focus: how many of its title and questions use the question's words; emphasis: how many of its
  phrasings say exactly what was asked;
- BM25 against the target's whole document (title, phrasings, keywords and the answer text, field-weighted),
  so an answer's own vocabulary counts even where no example question uses it;
- fuzzy: rapidfuzz's token_sort_ratio against its closest phrasing (see `_fuzzy` for why not `cdist`).
A few question words ("when", "why", "many", "who") are kept at a low weight: they say what kind of answer is
wanted ("when to use radiotherapy" is about indication).

Decision rules on top (`route`, an ordered list of named rules in `rules.RULES`; thresholds, weights,
word lists and the facts they name are data in knowledge/routing.yaml): contentless input (nothing but function and framing words: "who made
you") is out of scope. A caution whose agent (its `triggers`, else the keywords its title names) the
question names is shown however far behind it scores, unless the best fact is titled after that same agent, and it is always offered among the suggestions; otherwise a
caution close to the best wins when its title names what was asked. Then the best is declined when it
covers too little of the question (more is needed when the question has an unknown word, likely another
drug or disease), when the question names a drug the best target never mentions, when it asks about
another condition (amyloidosis, myeloma, CIDP...) that the best target's phrasings do not name (or asks only
how that condition is treated), or when it asks for a dose (a dose word, or an amount with its unit:
"40mg") or a count ("how many cycles") the best target does not give. A question naming a caution's agent
is never declined for low coverage: it gets the caution.

Learned re-ranker (`reranker`, optional: `knowledge/reranker.json`): a multinomial logistic model over the
question's normalised words and word pairs, trained by `guidebot kb train` on the labelled tuning sets. It
breaks near ties among the five front-runners, answers a question declined only for a low score when it is
sure of the answer and that the question is about the review, and declines a weakly matched answer it is
sure is not a review question. Every rule above (cautions first, doses, other conditions) still applies.

The package: `normalisation` (text and lexicon), `index` (the plain-data index built from the knowledge
base), `config` (knowledge/routing.yaml, the rules' data, as the index keeps it), `cache` (the pickled index),
`question` (the typed question and decision), `reading`, `scoring`, `checks` and `cases` (the layers of
`Router`), `rules` (the ordered, switchable decision rules: docs/routing.md), `reranker` (the learned model),
`training` (`kb train` only), `router` (the loop and the answers); this module keeps one router per knowledge
directory.
"""

from __future__ import annotations

import os

from guidebot.knowledge.locate import knowledge_path as _knowledge_path
from guidebot.routing.cache import cache_dir, load_index
from guidebot.routing.normalisation import compile_lexicon, normalise
from guidebot.routing.router import Match, Router, Suggestion

__all__ = ["Match", "Router", "Suggestion", "build_index", "cache_dir", "clear_routers", "compile_lexicon",
           "get_router", "knowledge_root", "normalise"]

_routers: dict[str, Router] = {}


def __getattr__(name: str):
    # `build_index` (and the semantic vectors, the re-ranker's reader behind it) only when asked for: `ask` reads
    # the cached index and never builds one
    if name == "build_index":
        from guidebot.routing.index import build_index

        return build_index
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def knowledge_root(knowledge_path=None) -> str:
    """The knowledge directory as an absolute path (the cache key of its router)."""
    return os.path.abspath(_knowledge_path(knowledge_path))


def get_router(knowledge_path=None) -> Router:
    """The process-wide router for a knowledge directory, from the cached index (rebuilt when stale)."""
    root = knowledge_root(knowledge_path)
    router = _routers.get(root)
    if router is None:
        router = _routers[root] = Router(load_index(root))
    return router


def clear_routers() -> None:
    """Forget the process-wide routers (tests that edit a knowledge base in place use it)."""
    _routers.clear()
