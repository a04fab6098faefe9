"""The router's rules as data: knowledge/routing.yaml (and the lexicon's drugs) as the index keeps them.

`routing_data` runs when the index is built (it reads the validated knowledge base); the result is plain
Python (frozensets, tuples, numbers) pickled with the index, so `guidebot ask` reads it without yaml or
pydantic. Fields are documented in `guidebot.knowledge.schema.RoutingFile`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from guidebot.routing.normalisation import _clean, _stem


class RoutingData(NamedTuple):
    """Everything the rules read besides the index: target ids, word sets, thresholds, weights."""

    targets: dict[str, Any]
    """routing.yaml `targets` (ids, lists of ids, approach -> id)."""
    words: dict[str, frozenset[str]]
    """routing.yaml `words`, each a set (`other_conditions` and `uncovered_topics` stemmed as questions are)."""
    drug_stems: tuple[str, ...]
    """routing.yaml `words.drug_stems`, for `str.endswith`."""
    drugs: frozenset[str]
    """Drugs the review names: the last word of every lexicon term of kind `drug`, as the router reads it."""
    thresholds: dict[str, float]
    weights: dict[str, float]
    model: dict[str, float]
    spoken_letters: dict[str, str] = {}
    """routing.yaml `spoken.letters`: a letter's spoken name -> the letter."""
    spoken_letter_words: dict[str, str] = {}
    """routing.yaml `spoken.letter_words`: spoken names that are everyday words too -> the letter."""
    spoken_digits: dict[str, str] = {}
    """routing.yaml `spoken.digits`: a digit's word -> the digit."""
    topic_phrases: dict[str, str] = {}
    """routing.yaml `topic_phrases`, keyed by the stemmed topic word: how a decline names the topic after an agent."""


STEMMED = ("other_conditions", "uncovered_topics")
"""Word lists compared with a question's stemmed words (before the lexicon), so stemmed the same way."""
CLEANED = ("abbreviation_cues", "reversal_asks", "used_in_cues")
"""Word lists compared with a question's cleaned words (`Question.raw`), so cleaned the same way."""


def routing_data(routing, lexicon) -> RoutingData:
    """The plain-data rules from a validated `RoutingFile` and the lexicon's terms."""
    words = {}
    for name, values in routing.words.model_dump().items():
        if name == "drug_stems":
            continue
        if name in STEMMED:
            words[name] = frozenset(_stem(w) for w in values)
        elif name in CLEANED:
            words[name] = frozenset(_clean(" ".join(values)).split())
        else:
            words[name] = frozenset(values)
    # a drug's name is the canonical's last word, cleaned and singular as a question's words are
    drugs = frozenset(_stem(_clean(t.canonical).split()[-1]) for t in lexicon if t.kind == "drug")
    return RoutingData(
        targets=routing.targets.model_dump(),
        words=words,
        drug_stems=tuple(routing.words.drug_stems),
        drugs=drugs,
        thresholds=routing.thresholds.model_dump(),
        weights=routing.weights.model_dump(),
        model=routing.model.model_dump(),
        spoken_letters=dict(routing.spoken.letters),
        spoken_letter_words=dict(routing.spoken.letter_words),
        spoken_digits=dict(routing.spoken.digits),
        topic_phrases={_stem(w): phrase for w, phrase in routing.topic_phrases.items()},
    )
