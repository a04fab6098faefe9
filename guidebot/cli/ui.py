"""`guidebot` with no subcommand (or `guidebot ui`): opens the Textual chat UI; Textual is imported only here, lazily."""

from __future__ import annotations

import argparse

from guidebot.errors import ExitCode


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


def run(args: argparse.Namespace) -> int:
    """Open the chat UI and return its exit code."""
    # the app pulls in Textual (~100 ms); every other subcommand must never pay for it
    from guidebot.cli.chat import apply_export_dir
    from guidebot.ui.app import run_app

    apply_export_dir(args)

    resume = getattr(args, "resume", None)
    if getattr(args, "new", False):
        resume = False
    return run_app(resume=resume) or ExitCode.OK
