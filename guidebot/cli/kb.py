"""`guidebot kb check [PATH] [--source FILE]`, `guidebot kb schema` and `guidebot kb train`: the curator's tools."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from guidebot.errors import ExitCode, InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`kb check`, `kb schema` and `kb train`."""
    sub = parser.add_subparsers(dest="kb_command", required=True)
    check = sub.add_parser("check", help="validate the knowledge base; every problem as file:line: field: message")
    check.add_argument("path", nargs="?", help="knowledge directory (default: the built-in one)")
    check.add_argument("--source", metavar="FILE", help="the review's text: every number in a curated text must appear in it")
    schema_cmd = sub.add_parser("schema", help="print (or --write) the JSON Schema of the knowledge files")
    schema_cmd.add_argument("--write", action="store_true", help="write knowledge/schema.json instead of printing")
    train = sub.add_parser("train", help="retrain the router's learned re-ranker (knowledge/reranker.json) from the sets in tests/eval/train")
    train.add_argument("--check", action="store_true", help="do not write; exit 1 when the shipped model is not what training gives")
    train.add_argument("--plain", action="store_true", help="the dependency-free trainer instead of scikit-learn's (no regularisation)")


def schema_json() -> str:
    """The JSON Schema of every knowledge file, generated from the pydantic models (knowledge/schema.json)."""
    from pydantic.json_schema import models_json_schema

    from guidebot.knowledge import schema
    from guidebot.knowledge.loader import TOP_LEVEL_FILES

    models = [schema.FactsFile, *TOP_LEVEL_FILES.values()]
    _, document = models_json_schema([(m, "validation") for m in models], title="guidebot knowledge files")
    document["description"] = (
        "Generated from guidebot/knowledge/schema.py by `guidebot kb schema --write`; do not edit by hand. "
        "facts/*.yaml use FactsFile; references.yaml ReferencesFile; lexicon.yaml LexiconFile; criteria.yaml "
        "CriteriaFile; slots.yaml SlotsFile; workup.yaml WorkupFile; statements.yaml StatementsFile; intents.yaml IntentsFile; "
        "routing.yaml RoutingFile."
    )
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def trained_model(root: Path, eval_dir: Path, trainer: str = "sklearn", log=print) -> tuple[dict, int]:
    """(the re-ranker model trained on every set of `eval_dir`/train, how many questions it learnt from); the
    model records the digest of its inputs (`training.inputs_digest`). `trainer` is "sklearn" (L2, C chosen by
    writer-grouped cross-validation; the [train] extra) or "plain" (the dependency-free trainer). An
    InputError names a label that is no fact or flow of the knowledge base, or a missing scikit-learn."""
    from guidebot.cli.eval import answered_right, load_eval_set
    from guidebot.knowledge import load_knowledge
    from guidebot.routing import Router, build_index
    from guidebot.routing.reranker import OUT_OF_SCOPE, compile_model, features, train
    from guidebot.routing.training import fit_sklearn, inputs_digest, training_sets

    if trainer == "sklearn":
        try:
            import sklearn  # noqa: F401
        except ImportError:
            raise InputError("training needs scikit-learn: pip install -e '.[train]' (or `kb train --plain`)") from None
    sets = training_sets(eval_dir)
    if not sets:
        raise InputError(f"no training sets in {eval_dir / 'train'}")
    router = Router(build_index(load_knowledge(root), with_model=False))
    # every question read and scored once: its words are the model's features, and cross-validation decides it
    # again under each candidate model (`Router.decide`)
    read, examples, groups = [], [], []
    for folder in sets:
        ins, outs = load_eval_set(folder)
        for item, in_scope in [*((i, True) for i in ins), *((o, False) for o in outs)]:
            q, scored = router.read(item["q"])
            accepted = ([item["expect"]] if "expect" in item else list(item.get("expect_any", []))) if in_scope else [OUT_OF_SCOPE]
            read.append((q, scored, item, in_scope))
            examples.append((features(q.content), accepted))
            groups.append(folder.name)
    known = {t[0] for t in router.targets} | {t[3] for t in router.targets}
    labels = sorted({c for _, accepted in examples for c in accepted} - {OUT_OF_SCOPE})
    unknown = [c for c in labels if c not in known]
    if unknown:
        raise InputError(f"the evaluation sets label questions with ids the knowledge base does not have: {', '.join(unknown)}")
    classes = [*labels, OUT_OF_SCOPE]

    def judge(model: dict, test: list[int]) -> tuple[int, int]:
        """The router's accuracy with `model` on the left-out writers' questions (in scope right + declined)."""
        router._reranker = compile_model(model, [t[0] for t in router.targets], [t[3] for t in router.targets])
        right = 0
        for k in test:
            q, scored, item, in_scope = read[k]
            match = router.decide(q.fresh(), scored)[0]
            right += answered_right(router.answer_for(item["q"], match), item) if in_scope else not match.in_scope
        return right, len(test)

    if trainer == "sklearn":
        model = fit_sklearn(examples, groups, classes, log=log, judge=judge)
    else:
        model = train(examples, classes)
    model["inputs"] = inputs_digest(eval_dir, Path(root))
    return model, len(examples)


def _train(check: bool, plain: bool) -> int:
    from guidebot.cli.eval import DEFAULT_EVAL_DIR
    from guidebot.knowledge import knowledge_dir
    from guidebot.routing.reranker import MODEL_FILE, model_text

    root = knowledge_dir()
    if not DEFAULT_EVAL_DIR.is_dir():
        raise InputError(f"no evaluation sets at {DEFAULT_EVAL_DIR}: `kb train` runs in a source checkout")
    model, count = trained_model(root, DEFAULT_EVAL_DIR, "plain" if plain else "sklearn", log=lambda line: print(line, file=sys.stderr))
    text = model_text(model)
    target = root / MODEL_FILE
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"guidebot: {target} is not what training gives; run `guidebot kb train`", file=sys.stderr)
            return ExitCode.INTERNAL
        print(f"{target} is up to date ({count} questions)")
        return ExitCode.OK
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}: {len(model['weights'])} features, {len(model['classes'])} classes, from {count} questions")
    return ExitCode.OK


def _read_source(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"--source {path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"--source {path}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    """Run `kb check` or `kb schema`."""
    from guidebot.knowledge import check_knowledge, knowledge_dir

    if args.kb_command == "train":
        return _train(args.check, args.plain)
    if args.kb_command == "schema":
        text = schema_json()
        if args.write:
            target = knowledge_dir() / "schema.json"
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
        else:
            sys.stdout.write(text)
        return ExitCode.OK
    source = _read_source(args.source) if args.source else None
    kb, problems = check_knowledge(args.path, source)
    if kb is not None:
        from guidebot.routing.reranker import model_problems

        problems = sorted(problems + model_problems(kb))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"guidebot: error: {len(problems)} problem(s) in the knowledge base", file=sys.stderr)
        return ExitCode.USAGE
    assert kb is not None
    print(f"knowledge base OK: {len(kb.facts)} facts, {len(kb.references)} references, {len(kb.lexicon)} lexicon terms, "
          f"{len(kb.criteria)} criteria, {len(kb.slots)} slots, {len(kb.workup)} workup steps, {len(kb.statements)} statements"
          + (", every number found in the source" if source else ""))
    return ExitCode.OK
