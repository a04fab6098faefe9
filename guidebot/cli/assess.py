"""`guidebot assess CASE_FILE [--json]`: the diagnosis and treatment engine on one case file.

stdout carries only the report (plain text) or the `assess --json` object; a bad case file is one line on
stderr and exit code 2 (raised as `InputError`, printed by `guidebot.cli.main`).
"""

from __future__ import annotations

import argparse
import json

from guidebot.errors import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `guidebot assess`."""
    parser.add_argument("case_file", metavar="CASE_FILE", help="a case file, YAML or JSON (docs/case-file.md)")
    parser.add_argument("--json", action="store_true", help="print the assessment as one JSON object")


def run(args: argparse.Namespace) -> int:
    """Load the case file, assess it, print the report or JSON; returns the exit code."""
    from guidebot.criteria import assess, load_case
    from guidebot.criteria.engine import default_knowledge
    from guidebot.render import assessment_report  # shared with the chat's renderer (guidebot.render)

    case = load_case(args.case_file)
    kb = default_knowledge()
    assessment = assess(case, kb)
    if args.json:
        print(json.dumps(assessment.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(assessment_report(assessment, kb, grid_width=_terminal_width()))
    return ExitCode.OK


def _terminal_width() -> int | None:
    """The terminal's width when stdout is one, else None (the report then lists criteria line by line)."""
    import os
    import sys

    if not sys.stdout.isatty():
        return None
    try:
        return min(os.get_terminal_size(sys.stdout.fileno()).columns, 100)
    except OSError:
        return 80
