"""`guidebot kb check [PATH] [--source FILE]` and `guidebot kb schema`: the curator's tools."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from guidebot.errors import ExitCode, InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`kb check` and `kb schema`."""
    sub = parser.add_subparsers(dest="kb_command", required=True)
    check = sub.add_parser("check", help="validate the knowledge base; every problem as file:line: field: message")
    check.add_argument("path", nargs="?", help="knowledge directory (default: the built-in one)")
    check.add_argument("--source", metavar="FILE", help="the review's text: every number in a curated text must appear in it")
    schema_cmd = sub.add_parser("schema", help="print (or --write) the JSON Schema of the knowledge files")
    schema_cmd.add_argument("--write", action="store_true", help="write knowledge/schema.json instead of printing")


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
        "CriteriaFile; slots.yaml SlotsFile; workup.yaml WorkupFile; statements.yaml StatementsFile; intents.yaml IntentsFile."
    )
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


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
