"""End to end in a real terminal: `python -m guidebot` under tmux at 80x24, ask, read the answer, quit."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """One tmux server on a private socket (never the developer's own sessions)."""

    def __init__(self) -> None:
        self.socket = f"guidebot-test-{uuid.uuid4().hex[:8]}"

    def __call__(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        return result.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "chat")

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")


def _first_words_of_answer(question: str) -> str:
    """The start of the manager's answer (its first line, Markdown marks dropped), short enough not to wrap."""
    from guidebot.dialogue.manager import DialogueManager

    first_line = DialogueManager().respond(question).text.strip().splitlines()[0]
    return first_line.strip("*#_ ")[:40]


@pytest.fixture
def tmux(tmp_path):
    server = Tmux()
    yield server
    server("kill-server")


def test_ask_a_question_in_a_real_terminal(tmux, tmp_path):
    env = {
        "GUIDEBOT_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(REPO_ROOT),
        "TERM": "xterm-256color",
        "HOME": os.environ.get("HOME", str(tmp_path)),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"cd {shlex.quote(str(tmp_path))} && env {exports} {shlex.quote(sys.executable)} -m guidebot; echo EXITED-$?; sleep 5"
    tmux("new-session", "-d", "-s", "chat", "-x", "80", "-y", "24", command)
    tmux.wait_for("Ask about POEMS syndrome")
    question = "what is the VEGF cutoff?"
    tmux("send-keys", "-t", "chat", "-l", question)
    tmux("send-keys", "-t", "chat", "Enter")
    screen = tmux.wait_for(_first_words_of_answer(question))
    assert question in screen and "pg/mL" in screen
    assert all(len(line) <= 80 for line in screen.splitlines())
    tmux("send-keys", "-t", "chat", "C-q")
    tmux.wait_for("EXITED-0")


def test_quit_then_resume_shows_the_earlier_question(tmux, tmp_path):
    env = {
        "GUIDEBOT_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(REPO_ROOT),
        "TERM": "xterm-256color",
        "HOME": os.environ.get("HOME", str(tmp_path)),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    guidebot = f"cd {shlex.quote(str(tmp_path))} && env {exports} {shlex.quote(sys.executable)} -m guidebot"
    command = f"{guidebot} --new; echo EXITED-$?; {guidebot} --resume; echo AGAIN-$?; sleep 5"
    tmux("new-session", "-d", "-s", "chat", "-x", "80", "-y", "24", command)
    tmux.wait_for("Ask about POEMS syndrome")
    question = "what is the VEGF cutoff?"
    tmux("send-keys", "-t", "chat", "-l", question)
    tmux("send-keys", "-t", "chat", "Enter")
    tmux.wait_for("pg/mL")
    tmux("send-keys", "-t", "chat", "C-q")
    screen = tmux.wait_for("EXITED-0")
    assert "Session saved to" in screen and "guidebot --resume " in screen
    # the relaunched chat shows the earlier question and its answer again, and the up arrow recalls the question
    screen = tmux.wait_for(question)
    assert "pg/mL" in screen
    tmux("send-keys", "-t", "chat", "Up")
    tmux.wait_for(f"▊  {question}")
    tmux("send-keys", "-t", "chat", "C-u", "C-q")
    tmux.wait_for("AGAIN-0")
