"""Training the re-ranker (`guidebot kb train`): the labelled sets of tests/eval/train/, a digest of them, a fit.

Only `kb train` and the tests import this module; `guidebot ask` reads the trained model through
`reranker.read_model`, plain Python, and never imports scikit-learn.

The training set is every set folder under tests/eval/train/ (one writer per folder); sets under
tests/eval/holdout/ are never read here. `inputs_digest` hashes what training reads (those questions and the
knowledge files the router's normalisation comes from), and is stored in the model file, so a test can say
"retrain" after a data change without retraining itself.

Two trainers give the same model format:
- `fit_sklearn` (the `[train]` extra): multinomial logistic regression with an L2 penalty; the penalty's
  strength is chosen by cross-validation grouped by writer (a whole writer's set is left out at a time), so
  it is chosen for questions written by someone the model never read;
- `reranker.train`: the original plain-Python trainer (no regularisation), used when scikit-learn is absent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from guidebot.routing.reranker import DIGITS, KEEP_WEIGHT, MODEL_FORMAT

TRAIN_FOLDER = "train"
"""The folder of tests/eval/ the re-ranker learns from, one set (writer) per subfolder."""
DIGEST_SKIP = frozenset({
    "reranker.json", "schema.json",  # training's output, or generated
    # files the router's index never reads: the chat's, the engine's and the workup's (editing them must not
    # force a retrain on a curator)
    "conversation.yaml", "slots.yaml", "statements.yaml", "workup.yaml", "criteria.yaml",
})
"""Knowledge files that are not training's input."""
C_GRID = (1.0, 3.0, 10.0, 30.0)
"""Inverse L2 strengths tried by the writer-grouped cross-validation."""
KEEP_GRID = (0.2, 0.05)
"""The smallest weight written to the model file, tried with each C when the router's accuracy judges."""
CV_TOLERANCE = 0.25
"""Points of writer-grouped CV accuracy a stronger penalty may give up (a one-standard-error rule: 0.25 points
is about the standard error of an accuracy near 95% over 10,000 questions left out by writer)."""
CV_FOLDS = 5
"""Folds of the writer-grouped cross-validation (each leaves out whole writers)."""
MAX_ITER = 300
"""L-BFGS iterations per fit."""


def training_sets(eval_dir: Path) -> list[Path]:
    """The set folders training reads: every subfolder of `eval_dir/train` with an in_scope.yaml, sorted."""
    return sorted(p.parent for p in (eval_dir / TRAIN_FOLDER).glob("*/in_scope.yaml"))


def writer_of(folder: Path) -> str:
    """The writer of a training set, for grouping the cross-validation: one writer's style sets
    (`style_<style>_<writer>`) and blind set (`blind_<writer>`) are left out together, so C is chosen for a
    writer the model never read, not for another style of one it did."""
    parts = folder.name.split("_")
    if parts[0] == "style" and len(parts) >= 3:
        return parts[-1]
    if parts[0] == "blind" and len(parts) == 2:
        return parts[1]
    return folder.name


def inputs_digest(eval_dir: Path, knowledge_root: Path) -> str:
    """sha256 over the training sets' files and the knowledge files (paths and bytes), order-independent of
    the file system; what the shipped model records as `inputs`."""
    digest = hashlib.sha256(f"format {MODEL_FORMAT}\n".encode())
    train_root = eval_dir / TRAIN_FOLDER
    files = [(f"train/{p.relative_to(train_root).as_posix()}", p) for p in train_root.rglob("*.yaml")]
    files += [
        (f"knowledge/{p.relative_to(knowledge_root).as_posix()}", p)
        for p in knowledge_root.rglob("*") if p.is_file() and p.name not in DIGEST_SKIP and p.suffix in (".yaml", ".yml")
    ]
    for name, path in sorted(files):
        digest.update(f"{name}\n{len(path.read_bytes())}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fit_sklearn(examples: Sequence[tuple[Sequence[str], Sequence[str]]], groups: Sequence[str], classes: Sequence[str],
                grid: Sequence[float] = C_GRID, log=print, fitted: dict | None = None, judge=None,
                keeps: Sequence[float] = KEEP_GRID) -> dict:
    """The model (reranker format) for (features, accepted classes) examples grouped by writer: L2 logistic
    regression, C chosen by writer-grouped cross-validation; an example accepting several classes is split
    into one row per class, each weighted 1/n.

    `judge(model, test_examples) -> (right, total)` scores a fold's model (as `to_model` writes it) on the
    left-out writers' examples: `kb train` passes the router's own accuracy with that model, so C (and the
    smallest weight kept, from `keeps`) is chosen for what the router does with it. Without a judge, the
    classifier's accuracy chooses C and `KEEP_WEIGHT` is kept."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    index = {c: i for i, c in enumerate(classes)}
    rows, labels, weights, row_groups, owner = [], [], [], [], []
    for k, ((feats, accepted), group) in enumerate(zip(examples, groups)):
        wanted = sorted({index[c] for c in accepted})
        for c in wanted:
            rows.append(dict.fromkeys(feats, 1.0))
            labels.append(c)
            weights.append(1.0 / len(wanted))
            row_groups.append(group)
            owner.append(k)
    vectoriser = DictVectorizer()
    x = vectoriser.fit_transform(rows)
    names = vectoriser.get_feature_names_out()
    accepted_of = [{index[c] for c in accepted} for _, accepted in examples]
    keeps = tuple(keeps) if judge is not None else (KEEP_WEIGHT,)

    def make(c: float):
        return LogisticRegression(C=c, max_iter=MAX_ITER, tol=1e-4)

    scores: dict[tuple[float, float], list[int]] = {(c, keep): [0, 0] for c in grid for keep in keeps}
    folds = list(GroupKFold(n_splits=min(CV_FOLDS, len(set(groups)))).split(x, labels, row_groups))
    for c in grid:
        for train_rows, test_rows in folds:
            model = make(c).fit(x[train_rows], [labels[i] for i in train_rows], sample_weight=[weights[i] for i in train_rows])
            test_examples = sorted({owner[i] for i in test_rows})
            for keep in keeps:
                if judge is not None:
                    right, total = judge(to_model(model, names, classes, c, keep), test_examples)
                else:
                    predicted = dict(zip((owner[i] for i in test_rows), model.classes_[model.predict_proba(x[test_rows]).argmax(axis=1)]))
                    right, total = sum(int(predicted[k]) in accepted_of[k] for k in test_examples), len(test_examples)
                scores[c, keep][0] += right
                scores[c, keep][1] += total
        for keep in keeps:
            right, total = scores[c, keep]
            log(f"C={c} keep={keep}: writer-grouped CV accuracy {100 * right / total:.2f}% ({right}/{total})")
    # the strongest penalty (smallest C) whose CV accuracy is within `CV_TOLERANCE` of the best: a weaker one
    # gains less on unseen writers than it learns of the training writers' own wording (the trained/held-out
    # gap); then the smaller file (larger keep)
    top = max(right / total for right, total in scores.values())
    near = [ck for ck in scores if scores[ck][0] / scores[ck][1] >= top - CV_TOLERANCE / 100]
    best_c, best_keep = min(near, key=lambda ck: (ck[0], -ck[1]))
    model = make(best_c).fit(x, labels, sample_weight=weights)
    log(f"chose C={best_c} keep={best_keep}")
    if fitted is not None:
        fitted.update(model=model, names=names, c=best_c, keep=best_keep)
    return to_model(model, names, classes, best_c, best_keep)


def to_model(model, names: Sequence[str], classes: Sequence[str], c: float, keep: float = KEEP_WEIGHT) -> dict:
    """A fitted scikit-learn model as the plain-data model `reranker.read_model` reads (small weights dropped)."""
    present = [int(k) for k in model.classes_]
    bias = [0.0] * len(classes)
    coef = model.coef_
    # a class absent from the training rows never wins: a very low bias
    for c_index in range(len(classes)):
        bias[c_index] = -50.0
    for row, c_index in enumerate(present):
        bias[c_index] = round(float(model.intercept_[row]), DIGITS)
    weights: dict[str, dict[str, float]] = {}
    for j, name in enumerate(names):
        column = coef[:, j]
        kept = {str(present[row]): round(float(w), DIGITS) for row, w in enumerate(column) if abs(w) >= keep}
        if kept:
            weights[name] = dict(sorted(kept.items(), key=lambda kv: int(kv[0])))
    return {"format": MODEL_FORMAT, "classes": list(classes), "bias": bias, "trainer": f"sklearn L2 C={c} keep={keep}",
            "weights": dict(sorted(weights.items()))}


__all__ = ["fit_sklearn", "inputs_digest", "to_model", "training_sets", "writer_of"]
