"""The `guidebot` command: parses arguments and hands each subcommand to its own module, imported lazily.

Only the chosen subcommand's module is imported, so `guidebot ask` never pays for Textual or pydantic.
Each module exposes `add_arguments(parser)` and `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from guidebot.errors import ExitCode, GuidebotError, InputError

SUBCOMMANDS: dict[str, str] = {
    "ui": "the Textual chat UI (the default when no subcommand is given)",
    "ask": "answer one question (or one per stdin line with --jsonl) and exit",
    "assess": "run the diagnosis and treatment engine on a case file (YAML or JSON)",
    "chat": "the chat, line by line (--plain) or as JSON lines (--jsonl)",
    "kb": "knowledge base tools: `kb check [PATH] [--source FILE]`, `kb numbers --source FILE`, `kb schema`, `kb train`",
    "eval": "score the router on the evaluation set (accuracy per section, confusions)",
    "serve": "the chat UI in a browser, behind a token printed in its URL (127.0.0.1 by default)",
    "quiz": "learning mode: quiz items and practice cases from the review, with spaced repetition",
    "sessions": "saved chat sessions: `sessions [list]`, `show ID`, `export ID`, `delete ID|--all`, `prune`, `dir`",
}
"""Subcommand name -> one-line help; the module is `guidebot.cli.<name>`."""

DOCS_POINTER = "Every command, flag and exit code: docs/interface.md in the guidebot repository."
"""The last line of every --help: the documentation ships with the code."""


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, sized without `shutil`: argparse builds a formatter for every argument added,
    and its `import shutil` (with bz2 and lzma) would cost `guidebot ask` milliseconds on every start."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        if width is None:
            try:
                width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.__stdout__.fileno()).columns
            except (AttributeError, ValueError, OSError):
                width = 80
            width -= 2  # as argparse does
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2 (not argparse's usage dump)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        # `_error` already says "guidebot: error:"; only a subcommand's name adds anything
        prefix = self.prog.removeprefix("guidebot").strip()
        raise GuidebotError(f"{prefix}: {message}" if prefix else message)


def _add_subcommand_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    module = importlib.import_module(f"guidebot.cli.{name}")
    module.add_arguments(parser)


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    """The parser; only the subcommand named in argv gets its arguments loaded (keeps start-up cheap)."""
    parser = _Parser(
        prog="guidebot",
        description="POEMS syndrome guideline assistant (Khouri et al., JAMA Oncol 2021).",
        epilog=DOCS_POINTER,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, help_text in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text, epilog=DOCS_POINTER)
        if name == chosen:
            _add_subcommand_arguments(name, sp)
    if chosen not in SUBCOMMANDS:
        # plain `guidebot [--resume[=ID] | --new]` opens the UI, so its options belong at the top level too
        _add_subcommand_arguments("ui", parser)
    return parser


def _error(message: str, per_line: bool = False) -> None:
    from guidebot.text import clean_text

    # one line (with `per_line`, one line per problem: a bad case file lists each of its fields); whatever
    # of the input it quotes is shown as text, never as terminal codes
    lines = str(message).splitlines() if per_line else [str(message)]
    for line in [clean_text(line, 2000) for line in lines[:MAX_ERROR_LINES]]:
        if line:
            print(f"guidebot: error: {line}", file=sys.stderr)
    if not any(clean_text(line, 2000) for line in lines):
        print("guidebot: error: error", file=sys.stderr)


MAX_ERROR_LINES = 100
"""At most this many error lines for one failure (a case file lists at most 50 problems)."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 internal error, 2 bad usage or input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser(argv).parse_args(argv)
        if args.version:
            from guidebot import __version__

            print(__version__)
            return ExitCode.OK
        command = args.command or "ui"
        module = importlib.import_module(f"guidebot.cli.{command}")
        return int(module.run(args))
    except GuidebotError as exc:
        _error(str(exc), per_line=isinstance(exc, InputError))
        return ExitCode.USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`guidebot ask --jsonl | head`): not an error of ours
        sys.stderr.close()
        return ExitCode.OK
    except Exception as exc:  # noqa: BLE001 - the contract: never a traceback, exit 1
        _error(f"internal error: {type(exc).__name__}: {exc}")
        return ExitCode.INTERNAL
