"""`guidebot` with no subcommand: opens the Textual chat UI (placeholder until the UI lands)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options yet."""


def run(args: argparse.Namespace) -> int:
    """Open the chat UI."""
    print("guidebot: the chat UI is not built yet; try `guidebot ask \"what is the VEGF cutoff?\"`.")
    return 0
