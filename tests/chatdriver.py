"""Drive `guidebot chat` in-process: scripted or answer-as-you-go stdin, captured stdout, parsed turn objects.

Used by test_chat_cli.py, test_transcripts.py and test_chat_vignettes.py (and bench scripts), so every one
goes through the real `guidebot.cli.main` exactly as a pipe would.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from guidebot.cli import main

SESSION_ID = re.compile(r"\b\d{8}-\d{6}-[0-9a-f]{6}\b")
"""A generated session id (it changes every run; golden files hold a placeholder)."""


class _ReplyingStdin:
    """A stdin whose next line is computed from what the bot has written so far."""

    def __init__(self, out: io.StringIO, next_line: Callable[[str], str | bytes | None]):
        self._out = out
        self._next = next_line
        self.buffer = self

    def readline(self, limit: int = -1) -> bytes:
        line = self._next(self._out.getvalue())
        if line is None:
            return b""
        raw = line if isinstance(line, bytes) else line.encode("utf-8")
        return raw if raw.endswith(b"\n") else raw + b"\n"

    def isatty(self) -> bool:
        return False


def run_chat(
    args: list[str],
    lines: Iterable[str | bytes] | Callable[[str], str | bytes | None],
    monkeypatch: Any,
    capsys: Any = None,
) -> tuple[int, str]:
    """Run `guidebot chat ARGS` with the given input lines (or a callback given the output so far); (code, stdout)."""
    out = io.StringIO()
    if callable(lines):
        producer = lines
    else:
        queue = list(lines)

        def producer(_written: str) -> str | bytes | None:
            return queue.pop(0) if queue else None

    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdin", _ReplyingStdin(out, producer))
        patch.setattr(sys, "stdout", out)
        code = main(["chat", *args])
    return code, out.getvalue()


def turns(stdout: str) -> list[dict[str, Any]]:
    """The turn objects of a `chat --jsonl` output."""
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def answer_text(kind: str, value: Any) -> str:
    """How a person would type `value` for a slot of `kind` (None -> "not done")."""
    if value is None:
        return "not done"
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "list":
        return ", ".join(value) if value else "none"
    if kind == "number":
        return f"{value:g} pg/mL" if isinstance(value, (int, float)) else str(value)
    return str(value)


def drive_case(
    case: dict[str, Any], opening: str, monkeypatch: Any, max_turns: int = 60
) -> tuple[list[dict[str, Any]], list[str]]:
    """Open a chat with `opening`, answer every `awaiting` slot from `case`; (turn objects, slots asked in order)."""
    asked: list[str] = []
    state = {"opened": False, "count": 0}

    def next_line(written: str) -> str | None:
        if not state["opened"]:
            state["opened"] = True
            return opening
        state["count"] += 1
        if state["count"] > max_turns:
            return None
        last = json.loads(written.splitlines()[-1])
        awaiting = last.get("awaiting")
        if not awaiting:
            return None
        asked.append(awaiting["slot"])
        return answer_text(awaiting["kind"], case.get(awaiting["slot"]))

    code, out = run_chat(["--jsonl"], next_line, monkeypatch)
    assert code == 0
    return turns(out), asked


def say(bot, *lines: str):
    """Send `lines` to an in-process DialogueManager one by one; the last turn."""
    turn = None
    for line in lines:
        turn = bot.respond(line)
    return turn
