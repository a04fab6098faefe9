"""Does the semantic signal earn its place as learned features of the re-ranker? (issue 19 item 6)

Writer-grouped cross-validation on tests/eval/train/ only (the held-out folders are never read): the same folds,
the same C, once with the model's words alone and once with the semantic features (`semantic.json`
`reranker_features`, see docs/semantic.md) added; the router decides every left-out question with the fold's model.
Prints in-scope and out-of-scope accuracy per style group and per set.

    .venv/bin/python bench/semantic_cv.py [--c 10] [--keep 0.2]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def group_of(name: str) -> str:
    for style in ("paraphrase", "vignette", "cautionlay", "dictation", "pager", "nonnative"):
        if name.startswith(f"style_{style}_"):
            return style
    return "blind" if name.startswith("blind") else name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=10.0)
    parser.add_argument("--keep", type=float, default=0.2)
    parser.add_argument("--tied", action="store_true", help="one shared weight per grid point instead of learned features: "
                        "a fact's logit gains W times its similarity, out of scope's V times the best similarity")
    parser.add_argument("--grid", nargs="*", default=[], help="only these W,V pairs of TIED_GRID (e.g. 2.0,2.0)")
    args = parser.parse_args()
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from guidebot.cli.eval import DEFAULT_EVAL_DIR, answered_right, load_eval_set
    from guidebot.knowledge import knowledge_dir, load_knowledge
    from guidebot.routing import Router, build_index
    from guidebot.routing.reranker import OUT_OF_SCOPE, compile_model, features
    from guidebot.routing.training import CV_FOLDS, MAX_ITER, to_model, training_sets, writer_of

    router = Router(build_index(load_knowledge(knowledge_dir()), with_model=False))
    if router._similarity is None or not router._similarity.config.get("reranker_features"):
        print("switch the features on first: knowledge/semantic.json reranker_features true", file=sys.stderr)
        return 2
    router.EXTRAS_MEMO = 1 << 20
    started = time.perf_counter()
    read, words, extras, accepted_of, groups, set_of = [], [], [], [], [], []
    for folder in training_sets(DEFAULT_EVAL_DIR):
        ins, outs = load_eval_set(folder)
        for item, in_scope in [*((i, True) for i in ins), *((o, False) for o in outs)]:
            q, scored = router.read(item["q"])
            read.append((q, scored, item, in_scope))
            words.append(dict.fromkeys(features(q.content), 1.0))
            extras.append(router._model_extras(q))
            accepted_of.append(([item["expect"]] if "expect" in item else list(item.get("expect_any", []))) if in_scope else [OUT_OF_SCOPE])
            groups.append(writer_of(folder))
            set_of.append(folder.name)
    print(f"read {len(read)} questions and their semantic features in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    classes = [*sorted({c for a in accepted_of for c in a} - {OUT_OF_SCOPE}), OUT_OF_SCOPE]
    index = {c: i for i, c in enumerate(classes)}
    folds = list(GroupKFold(n_splits=min(CV_FOLDS, len(set(groups)))).split(read, groups=groups))
    ids, facts = [t[0] for t in router.targets], [t[3] for t in router.targets]
    results = {}
    if args.tied:
        return tied(args, router, read, words, accepted_of, set_of, folds, classes, index, ids, facts)
    for variant in ("words", "words+semantic"):
        router._similarity.config["reranker_features"] = variant != "words"
        rows, labels, weights, owner = [], [], [], []
        for k in range(len(read)):
            feats = {**words[k], **extras[k]} if variant != "words" else words[k]
            wanted = sorted({index[c] for c in accepted_of[k]})
            for c in wanted:
                rows.append(feats)
                labels.append(c)
                weights.append(1.0 / len(wanted))
                owner.append(k)
        vectoriser = DictVectorizer()
        x = vectoriser.fit_transform(rows)
        names = vectoriser.get_feature_names_out()
        row_of = defaultdict(list)
        for i, k in enumerate(owner):
            row_of[k].append(i)
        tally = defaultdict(lambda: [0, 0, 0, 0])  # set -> in right, in total, out right, out total
        for train_q, test_q in folds:
            train_rows = [i for k in train_q for i in row_of[k]]
            model = LogisticRegression(C=args.c, max_iter=MAX_ITER, tol=1e-4).fit(
                x[train_rows], [labels[i] for i in train_rows], sample_weight=[weights[i] for i in train_rows])
            router._reranker = compile_model(to_model(model, names, classes, args.c, args.keep), ids, facts)
            for k in test_q:
                q, scored, item, in_scope = read[k]
                match = router.decide(q.fresh(), scored)[0]
                t = tally[set_of[k]]
                if in_scope:
                    t[0] += answered_right(router.answer_for(item["q"], match), item)
                    t[1] += 1
                else:
                    t[2] += not match.in_scope
                    t[3] += 1
            print(f"{variant}: fold done at {time.perf_counter() - started:.0f} s", file=sys.stderr)
        results[variant] = tally
    print(f"writer-grouped CV ({len(folds)} folds, C={args.c}, keep={args.keep}) on tests/eval/train: in scope / out of scope")
    by_group = {v: defaultdict(lambda: [0, 0, 0, 0]) for v in results}
    for v, tally in results.items():
        for name, t in tally.items():
            for i in range(4):
                by_group[v][group_of(name)][i] += t[i]
                by_group[v]["ALL"][i] += t[i]

    def cell(t):
        return f"{t[0]}/{t[1]} {100 * t[0] / max(t[1], 1):5.1f}% | {t[2]}/{t[3]} {100 * t[2] / max(t[3], 1):5.1f}%"

    for label, table in (("group", by_group), ("set", results)):
        print(f"{label:22} {'words':>32}   {'words+semantic':>32}")
        for name in sorted(table["words"]):
            print(f"{name:22} {cell(table['words'][name]):>32}   {cell(table['words+semantic'][name]):>32}")
    return 0


TIED_GRID = ((0.0, 0.0), (2.0, 0.0), (5.0, 0.0), (10.0, 0.0), (5.0, -5.0), (10.0, -10.0), (2.0, 2.0), (5.0, 2.5), (5.0, 5.0))
"""(W, V) pairs tried; V = W keeps out of scope level with the nearest fact, so the term only orders the facts."""


def tied(args, router, read, words, accepted_of, set_of, folds, classes, index, ids, facts) -> int:
    """The words-only model of each fold, with a tied semantic term written into it as rows of the model file:
    `~sem:<target>` -> that target's class at weight W, `~best` -> out of scope at weight V."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from guidebot.cli.eval import answered_right
    from guidebot.routing.reranker import OUT_OF_SCOPE, compile_model
    from guidebot.routing.training import MAX_ITER, to_model

    class_of = {tid: index.get(tid, index.get(fact)) for tid, fact in zip(ids, facts)}
    rows, labels, weights, owner = [], [], [], []
    for k in range(len(read)):
        wanted = sorted({index[c] for c in accepted_of[k]})
        for c in wanted:
            rows.append(words[k]); labels.append(c); weights.append(1.0 / len(wanted)); owner.append(k)
    vectoriser = DictVectorizer()
    x = vectoriser.fit_transform(rows)
    names = vectoriser.get_feature_names_out()
    row_of = defaultdict(list)
    for i, k in enumerate(owner):
        row_of[k].append(i)
    grid = [g for g in TIED_GRID if not args.grid or f"{g[0]},{g[1]}" in args.grid]
    tallies = {g: defaultdict(lambda: [0, 0, 0, 0]) for g in grid}
    for train_q, test_q in folds:
        train_rows = [i for k in train_q for i in row_of[k]]
        fitted = LogisticRegression(C=args.c, max_iter=MAX_ITER, tol=1e-4).fit(
            x[train_rows], [labels[i] for i in train_rows], sample_weight=[weights[i] for i in train_rows])
        base = to_model(fitted, names, classes, args.c, args.keep)
        for w, v in grid:
            model = dict(base, weights=dict(base["weights"]))
            if w:
                for tid, c in class_of.items():
                    if c is not None:
                        model["weights"][f"~sem:{tid}"] = {str(c): w}
            if v:
                model["weights"]["~best"] = {str(index[OUT_OF_SCOPE]): v}
            router._reranker = compile_model(model, ids, facts)
            for k in test_q:
                q, scored, item, in_scope = read[k]
                match = router.decide(q.fresh(), scored)[0]
                t = tallies[w, v][set_of[k]]
                if in_scope:
                    t[0] += answered_right(router.answer_for(item["q"], match), item); t[1] += 1
                else:
                    t[2] += not match.in_scope; t[3] += 1
        print("tied: fold done", file=sys.stderr)
    print(f"writer-grouped CV, tied semantic term (C={args.c}): in scope | out of scope, per group")
    for g, tally in tallies.items():
        groups = defaultdict(lambda: [0, 0, 0, 0])
        for name, t in tally.items():
            for i in range(4):
                groups[group_of(name)][i] += t[i]; groups["ALL"][i] += t[i]
        print(f"W={g[0]} V={g[1]}: " + "; ".join(f"{n} {t[0]}/{t[1]} | {t[2]}/{t[3]}" for n, t in sorted(groups.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
