"""`guidebot` (no subcommand) and `guidebot serve` at the command-line level: arguments, and Textual stays lazy."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from guidebot.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_app_calls(monkeypatch):
    calls = []
    import guidebot.cli.ui
    import guidebot.ui.app

    monkeypatch.setattr(guidebot.ui.app, "run_app", lambda resume=None: calls.append(resume) or 0)
    # pytest's stdin is not a terminal (nor is CI's); these tests are about arguments, not the terminal check
    monkeypatch.setattr(guidebot.cli.ui, "needs_terminal", lambda: None)
    return calls


def test_no_subcommand_opens_the_app(run_app_calls):
    assert main([]) == 0
    assert run_app_calls == [None]


@pytest.mark.parametrize(
    ("argv", "resume"),
    [([], None), (["--resume"], True), (["--resume", "20260101-000000-abcdef"], "20260101-000000-abcdef"), (["--new"], False)],
)
def test_resume_options(argv, resume, run_app_calls):
    from guidebot.cli import ui

    parser = argparse.ArgumentParser()
    ui.add_arguments(parser)
    assert ui.run(parser.parse_args(argv)) == 0
    assert run_app_calls == [resume]


def test_cli_modules_do_not_import_textual():
    code = (
        "import sys, guidebot.cli, guidebot.cli.ui, guidebot.cli.serve;"
        "bad = [m for m in ('textual', 'textual_serve', 'guidebot.ui.app') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
