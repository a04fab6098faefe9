"""`guidebot kb check [PATH] [--source FILE]`, `guidebot kb numbers`, `guidebot kb schema` and `guidebot kb train`: the curator's tools."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from guidebot.errors import ExitCode, InputError, Problem

if TYPE_CHECKING:
    from guidebot.knowledge.checks import ReviewNumbers


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`kb check`, `kb numbers`, `kb schema` and `kb train`."""
    sub = parser.add_subparsers(dest="kb_command", required=True)
    check = sub.add_parser(
        "check", help="validate the knowledge base; every problem as file:line: field: message", epilog="Rules: docs/knowledge.md."
    )
    check.add_argument("path", nargs="?", help="knowledge directory (default: the built-in one)")
    check.add_argument("--source", metavar="FILE", help="the review's text (get it by its DOI, see the README): every number in a curated text must appear in its "
                       "body (without it, the digest knowledge/review_numbers.json is used)")
    numbers = sub.add_parser("numbers", help="write the digest of the review's body numbers (knowledge/review_numbers.json) "
                             "that `kb check` uses without --source")
    numbers.add_argument("path", nargs="?", help="knowledge directory (default: the built-in one)")
    numbers.add_argument("--source", metavar="FILE", required=True, help="the review's text")
    numbers.add_argument("--check", action="store_true", help="do not write; exit 1 when the digest is not what the text gives")
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
    from guidebot.routing.training import fit_sklearn, inputs_digest, training_sets, writer_of

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
            groups.append(writer_of(folder))
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
    return _write_or_check(
        root / MODEL_FILE, model_text(model), check,
        stale="is not what training gives; run `guidebot kb train`",
        current=f"is up to date ({count} questions)",
        wrote=f"{len(model['weights'])} features, {len(model['classes'])} classes, from {count} questions",
    )


def _write_or_check(target: Path, text: str, check: bool, *, stale: str, current: str, wrote: str) -> int:
    """Write a generated knowledge file, or with `check` only compare it: exit 1 when it is stale."""
    if check:
        if (target.read_text(encoding="utf-8") if target.exists() else "") != text:
            print(f"guidebot: {target} {stale}", file=sys.stderr)
            return ExitCode.INTERNAL
        print(f"{target} {current}")
        return ExitCode.OK
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}: {wrote}")
    return ExitCode.OK


MAX_SOURCE_BYTES = 20_000_000
"""The review's text is about 50 kB; a source larger than this is the wrong file."""


def _read_source(path: str) -> tuple[str, ReviewNumbers]:
    """The review's text and its body numbers; an InputError names a file that cannot be read."""
    from guidebot.knowledge.checks import numbers_from_review
    from guidebot.limits import UnreadableFile, read_capped

    try:
        raw = read_capped(path, MAX_SOURCE_BYTES)
        return raw.decode("utf-8"), numbers_from_review(raw, path)
    except UnicodeDecodeError:
        raise InputError(f"--source {path}: not UTF-8 text") from None
    except UnreadableFile as exc:
        raise InputError(f"--source {path}: {exc.reason}") from None


def _numbers(args: argparse.Namespace) -> int:
    """`kb numbers`: write (or --check) the digest of the review's body numbers."""
    from guidebot.knowledge import knowledge_dir
    from guidebot.knowledge.checks import DIGEST_FILE, digest_text

    root = knowledge_dir(args.path)
    if not root.is_dir():
        raise InputError(f"{root}: knowledge directory not found")
    _, numbers = _read_source(args.source)
    return _write_or_check(
        root / DIGEST_FILE, digest_text(numbers), args.check,
        stale=f"is not what {args.source} gives; run `guidebot kb numbers --source {args.source}`",
        current=f"is up to date ({len(numbers.numbers)} numbers, review sha256 {numbers.sha256[:12]})",
        wrote=f"{len(numbers.numbers)} numbers of the review's body (sha256 {numbers.sha256[:12]})",
    )


def _numbers_to_check(args: argparse.Namespace) -> tuple[str | None, ReviewNumbers | None, list[Problem], list[str]]:
    """For `kb check`: (the review's text or None, the numbers to check against or None, problems with the
    digest, warnings). --source wins; the digest must then agree with it when made from the same text."""
    from guidebot.knowledge import knowledge_dir
    from guidebot.knowledge.checks import DIGEST_FILE, read_digest
    from guidebot.knowledge.loader import display_path

    root = knowledge_dir(args.path)
    digest_path = root / DIGEST_FILE
    digest, problems = read_digest(digest_path, display_path(digest_path))
    if args.source is None:
        return None, digest, problems, []
    text, numbers = _read_source(args.source)
    warnings: list[str] = []
    if digest is not None and digest.sha256 != numbers.sha256:
        warnings.append(f"{display_path(digest_path)} was made from another text (sha256 {digest.sha256[:12]}, not "
                        f"{numbers.sha256[:12]}); run `guidebot kb numbers --source {args.source}` if this is the review")
    elif digest is not None and digest.numbers != numbers.numbers:
        problems.append(Problem(display_path(digest_path), 0, "numbers", f"not the numbers of {args.source}'s body, although "
                                "made from the same text; regenerate it with `guidebot kb numbers --source REVIEW`"))
    return text, numbers, problems, warnings


def run(args: argparse.Namespace) -> int:
    """Run `kb check`, `kb numbers`, `kb schema` or `kb train`."""
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
    if args.kb_command == "numbers":
        return _numbers(args)
    source, numbers, digest_problems, warnings = _numbers_to_check(args)
    kb, problems = check_knowledge(args.path, source, numbers.numbers if numbers is not None else None)
    problems = sorted(problems + digest_problems)
    if kb is not None:
        from guidebot.routing.reranker import model_problems

        problems = sorted(problems + model_problems(kb))
    from guidebot.text import clean_text

    for warning in warnings:
        print(f"guidebot: warning: {clean_text(warning, 2000)}", file=sys.stderr)
    for problem in problems:
        print(clean_text(str(problem), 2000), file=sys.stderr)  # it quotes the files' keys: never as terminal codes
    if problems:
        print(f"guidebot: error: {len(problems)} problem(s) in the knowledge base", file=sys.stderr)
        return ExitCode.USAGE
    assert kb is not None
    if numbers is None:
        checked = "; numbers NOT checked (no --source, and no knowledge/review_numbers.json digest)"
    else:
        checked = f"; every number found in the review's body (read from {numbers.origin}, review sha256 {numbers.sha256[:12]})"
    print(f"knowledge base OK: {len(kb.facts)} facts, {len(kb.references)} references, {len(kb.lexicon)} lexicon terms, "
          f"{len(kb.criteria)} criteria, {len(kb.slots)} slots, {len(kb.workup)} workup steps, {len(kb.statements)} statements"
          + checked)
    return ExitCode.OK
