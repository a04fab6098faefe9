"""The learned re-ranker: a linear model over a question's words, trained on labelled questions.

The hand-made scores (`router.Router.score`) know the knowledge base; they do not know how people ask. About
9,100 questions from fifteen writers' sets (tests/eval/train/), each labelled with the fact that answers it (or as out of scope), do.
From them a multinomial logistic regression learns which words point to which fact, and which point away
from the review altogether. It is a table of numbers (`knowledge/reranker.json`), applied by adding up
weights: deterministic, offline, no language model, and it only ever chooses among the curated facts, so
it cannot make an answer up.

The router uses it in three places only (see `Router.route`), each checked on questions by writers the
model never saw (leave one writer's set out, train on the rest):
- among the hand-scored front-runners, it breaks near ties (`rerank_weight`, `rerank_candidates`);
- a question declined only for scoring too low is answered when the model is sure of that answer and sure it
  is a review question (`rescue_min`, `rescue_max_out`);
- a question answered by score alone, and only weakly (`decline_max_score`), is declined when the model is
  sure it is not a review question (`decline_min_out`).
(The names in brackets are knowledge/routing.yaml `model` settings.)
Safety rules (a caution the question names, doses, other conditions and drugs) come first and are never
overruled, and the model never moves a question off a caution the hand scores rank above its choice.

Features are the words the router reads after its normalisation (misspellings corrected, lexicon applied),
plus each pair of neighbouring words. `guidebot kb train` fits the model (guidebot/routing/training.py:
scikit-learn's L2 logistic regression, its strength chosen by writer-grouped cross-validation; or `train`
below, plain Python with a fixed shuffle seed) on the sets in tests/eval/train/ only, and records a digest of
its inputs in the file; a test checks that digest, so a data change without a retrain fails fast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from os import PathLike

    from guidebot.errors import Problem
    from guidebot.knowledge.base import KnowledgeBase

MODEL_FILE = "reranker.json"
"""The model's file name inside a knowledge directory (optional: without it the router uses scores alone)."""
MODEL_FORMAT = 1
"""Bumped when the file's layout changes."""
OUT_OF_SCOPE = "out_of_scope"
"""The class of questions the review does not answer."""

# Where the router lets the model decide (its weight, the front-runners it may choose among, the rescue and
# decline thresholds) is data: knowledge/routing.yaml `model`.

EPOCHS = 15
"""Passes over the training questions."""
LEARNING_RATE = 0.5
"""The first pass's step; each later pass takes `DECAY` of the one before."""
DECAY = 0.85
BIAS_RATE = 0.1
"""The class biases learn at this share of the step: a class is chosen by words, not by how often it was asked."""
SKIP_GRADIENT = 1e-3
"""Gradients smaller than this are not applied (they would only add near-zero weights to the file)."""
KEEP_WEIGHT = 0.2
"""Weights smaller than this are dropped from the file; rounding to `DIGITS` keeps it small and stable."""
DIGITS = 4
SEED = 0

def features(words: Sequence[str]) -> list[str]:
    """A question's features: its distinct normalised words, in order, and each neighbouring pair."""
    distinct = list(dict.fromkeys(words))
    return distinct + [f"{a} {b}" for a, b in zip(distinct, distinct[1:])]


def train(examples: Iterable[tuple[Sequence[str], Sequence[str]]], classes: Sequence[str]) -> dict:
    """The model for (features, accepted classes) examples; an example accepting several classes spreads its
    target evenly over them. Deterministic: a fixed seed shuffles the examples before each pass."""
    import random  # training only: not on the start-up path of `guidebot ask`

    index = {c: i for i, c in enumerate(classes)}
    data = [(sorted(set(f)), sorted({index[c] for c in cs})) for f, cs in examples if cs]
    n = len(classes)
    weights: dict[str, dict[int, float]] = {}
    bias = [0.0] * n
    rng = random.Random(SEED)
    rate = LEARNING_RATE
    for _ in range(EPOCHS):
        rng.shuffle(data)
        for feats, wanted in data:
            probs = _softmax(_logits(weights, bias, feats))
            share = 1.0 / len(wanted)
            for c in range(n):
                gradient = probs[c] - (share if c in wanted else 0.0)
                if abs(gradient) < SKIP_GRADIENT:
                    continue
                bias[c] -= rate * BIAS_RATE * gradient
                for f in feats:
                    row = weights.setdefault(f, {})
                    row[c] = row.get(c, 0.0) - rate * gradient
        rate *= DECAY
    kept = {}
    for f in sorted(weights):
        row = {str(c): round(w, DIGITS) for c, w in sorted(weights[f].items()) if abs(w) >= KEEP_WEIGHT}
        if row:
            kept[f] = row
    return {
        "format": MODEL_FORMAT,
        "classes": list(classes),
        "bias": [round(b, DIGITS) for b in bias],
        "weights": kept,
    }


def model_text(model: dict) -> str:
    """The model file's text: one feature per line, so that a retrained model's diff is readable."""
    import json

    head = {k: v for k, v in model.items() if k != "weights"}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "weights": {']
    rows = [f"{json.dumps(f, ensure_ascii=False)}: {json.dumps(row)}" for f, row in model["weights"].items()]
    lines.append(",\n".join(rows))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def _logits(weights: dict, bias: Sequence[float], feats: Iterable[str]) -> list[float]:
    logits = list(bias)
    for f in feats:
        for c, w in weights.get(f, {}).items():
            logits[c] += w
    return logits


def _softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def read_model(path: str | PathLike[str]) -> dict | None:
    """The model file as written by `train`, or None when the knowledge directory has none; a file that is
    not such a model raises KnowledgeError naming it (one line, never a traceback)."""
    import json

    from guidebot.errors import KnowledgeError, Problem

    import os

    from guidebot.limits import MAX_KNOWLEDGE_FILE_BYTES, UnreadableFile, read_capped

    if not os.path.lexists(path):
        return None
    try:
        text = read_capped(path, MAX_KNOWLEDGE_FILE_BYTES).decode("utf-8")
    except (UnreadableFile, UnicodeDecodeError) as exc:
        reason = exc.reason if isinstance(exc, UnreadableFile) else "not UTF-8 text"
        raise KnowledgeError([Problem(str(path), 0, "-", f"cannot read the re-ranker model: {reason}")]) from None
    try:
        model = json.loads(text)
    except ValueError as exc:
        problem = f"not JSON ({exc})"
    else:
        problem = _shape_problem(model)
    if problem:
        raise KnowledgeError([Problem(str(path), 0, "-", f"{problem}; retrain it with `guidebot kb train`")])
    return model


def _shape_problem(model) -> str:
    """What keeps `model` from being a re-ranker model of `MODEL_FORMAT`, or ""."""
    if not isinstance(model, dict) or model.get("format") != MODEL_FORMAT:
        return f"not a re-ranker model of format {MODEL_FORMAT}"
    classes, bias, weights = model.get("classes"), model.get("bias"), model.get("weights")
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes) or len(set(classes)) != len(classes):
        return "`classes` must be a list of distinct fact or flow ids"
    if OUT_OF_SCOPE not in classes:
        return f"`classes` must include {OUT_OF_SCOPE!r}"
    if not isinstance(bias, list) or len(bias) != len(classes) or not all(_is_weight(b) for b in bias):
        return "`bias` must hold one finite number per class"
    if not isinstance(weights, dict):
        return "`weights` must map features to {class: weight}"
    for feature, row in weights.items():
        if not isinstance(row, dict) or not all(
            c.isascii() and c.isdecimal() and int(c) < len(classes) and _is_weight(w) for c, w in row.items()
        ):
            return f"weights of {feature!r} must map class numbers below {len(classes)} to finite numbers"
    return ""


WEIGHT_LIMIT = 1e6
"""Larger weights than this are not a trained model's (and could overflow the softmax)."""


def _is_weight(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and abs(value) <= WEIGHT_LIMIT


def compile_model(model: dict | None, target_ids: Sequence[str], target_facts: Sequence[str]) -> dict | None:
    """The model as the router's index keeps it: weights keyed by target index, so scoring needs no lookups.

    A class may name a flow or a fact; a target takes the class of its own id, else of the fact answering it.
    Classes the knowledge base no longer has are dropped (their weight simply no longer counts)."""
    if not model:
        return None
    classes = model["classes"]
    by_class = {c: i for i, c in enumerate(classes)}
    class_of_target = []
    for tid, fact in zip(target_ids, target_facts):
        class_of_target.append(by_class.get(tid, by_class.get(fact, -1)))
    # flat arrays rather than a tuple per weight: the index is unpickled on every start of `guidebot ask`, and
    # thousands of small tuples would cost milliseconds where three arrays cost microseconds
    from array import array

    rows: dict[str, int] = {}
    offsets, owners, values = array("I", [0]), array("H"), array("d")
    for f, row in model["weights"].items():
        rows[f] = len(offsets) - 1
        owners.extend(int(c) for c in row)
        values.extend(row.values())
        offsets.append(len(values))
    return {
        "bias": tuple(model["bias"]),
        "rows": rows,
        "offsets": offsets,
        "owners": owners,
        "values": values,
        "target_class": tuple(class_of_target),
        "out_class": by_class.get(OUT_OF_SCOPE, -1),
    }


def knows(compiled: dict, word: str) -> bool:
    """Whether the model learnt anything about `word` (a word it never saw cannot sway it)."""
    return word in compiled["rows"]


def probabilities(compiled: dict, words: Sequence[str], targets: Iterable[int]) -> tuple[dict[int, float], float]:
    """({target: probability} for the given targets, probability that the question is out of scope) for a
    question's words; only the asked targets are looked up, so a bigger knowledge base costs nothing more."""
    logits = list(compiled["bias"])
    rows, offsets, owners, values = compiled["rows"], compiled["offsets"], compiled["owners"], compiled["values"]
    for f in features(words):
        row = rows.get(f)
        if row is not None:
            for k in range(offsets[row], offsets[row + 1]):
                logits[owners[k]] += values[k]
    probs = _softmax(logits)
    class_of = compiled["target_class"]
    out = compiled["out_class"]
    return {t: probs[class_of[t]] if class_of[t] >= 0 else 0.0 for t in targets}, (probs[out] if out >= 0 else 0.0)


def model_problems(kb: KnowledgeBase) -> list[Problem]:
    """A re-ranker model that cannot be read, or that learnt ids the knowledge base no longer has (`kb check`
    reports them; loading does not fail on a stale model, whose unknown ids simply no longer count, so that
    `kb train` can always replace it). Here, not in knowledge/, because knowledge may not import routing."""
    from guidebot.errors import KnowledgeError, Problem

    try:
        model = read_model(kb.root / MODEL_FILE)
    except KnowledgeError as exc:
        return list(exc.problems)
    if model is None:
        return []
    ids = set(kb.facts) | {i.id for i in kb.intents}
    gone = [c for c in model["classes"] if c != OUT_OF_SCOPE and c not in ids]
    if not gone:
        return []
    return [Problem(str(kb.root / MODEL_FILE), 0, "classes", f"learnt ids the knowledge base does not have ({', '.join(gone)}); retrain it with `guidebot kb train`")]
