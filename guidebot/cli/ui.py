"""`guidebot` with no subcommand (or `guidebot ui`): opens the Textual chat UI; Textual is imported only here, lazily."""

from __future__ import annotations

import argparse

import os
import sys

from guidebot.errors import ExitCode, InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--resume [SESSION]`: continue the latest saved session (or the one named); `--new`: never offer one."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=None,
        metavar="SESSION",
        help="continue the latest saved session, or the session with this id",
    )
    group.add_argument("--new", action="store_true", help="start a new session without offering to resume one")
    from guidebot.cli.chat import add_export_dir

    add_export_dir(parser)


def needs_terminal() -> str | None:
    """Why the full-screen UI cannot run here (stdin or stdout is not a terminal), or None when it can.

    A Textual driver chosen through TEXTUAL_DRIVER (textual-serve's web driver, for `guidebot serve`)
    needs no terminal, so it is let through.
    """
    if os.environ.get("TEXTUAL_DRIVER"):
        return None
    missing = [name for name, stream in (("stdin", sys.stdin), ("stdout", sys.stdout)) if not _is_terminal(stream)]
    if not missing:
        return None
    return (f"the chat UI needs a terminal, and {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not one; "
            "use `guidebot chat --plain` (or `--jsonl`) for pipes and scripts")


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream is not None and stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):  # a closed or replaced stream
        return False


def run(args: argparse.Namespace) -> int:
    """Open the chat UI and return its exit code; exit 2 at once when there is no terminal to draw on."""
    reason = needs_terminal()
    if reason:
        raise InputError(reason)

    from guidebot.ui.web import SERVE_ENV, end_with_server

    if os.environ.get(SERVE_ENV) == "1":
        end_with_server()
    # the app pulls in Textual (~100 ms); every other subcommand must never pay for it
    from guidebot.cli.chat import apply_export_dir
    from guidebot.ui.app import run_app

    apply_export_dir(args)

    resume = getattr(args, "resume", None)
    if getattr(args, "new", False):
        resume = False
    return run_app(resume=resume) or ExitCode.OK
