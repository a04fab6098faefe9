"""`guidebot chat`: the chat line by line (--plain, for pipes and screen readers) or as JSON lines (--jsonl).

Both front ends drive the same `DialogueManager.respond(text) -> Turn` and differ only in rendering.
Without --plain or --jsonl the Textual app opens (imported only then); plain text when it is not installed
or when stdin or stdout is not a terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from guidebot.errors import ExitCode, GuidebotError

MAX_LINE_BYTES = 100_000
"""Input lines are read at most this many bytes at a time; the rest of a longer line is discarded (with a notice)."""

BOT = "guidebot> "
YOU = "you> "


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--plain / --jsonl (front end), --resume [SESSION_ID], --export FILE."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--plain", action="store_true", help="plain text, line by line (pipes, screen readers)")
    mode.add_argument("--jsonl", action="store_true", help="one JSON turn object per input line (docs/interface.md, section 5)")
    session = parser.add_mutually_exclusive_group()
    session.add_argument(
        "--resume",
        nargs="?",
        const="",
        default=None,
        metavar="SESSION_ID",
        help="continue a saved session (the latest when no id is given); the conversation is shown again",
    )
    session.add_argument("--new", action="store_true", help="start a new session (the UI does not offer to resume one)")
    parser.add_argument(
        "--export",
        metavar="FILE",
        help="when the chat ends, write it and the assessment to FILE as Markdown (and the assessment as HTML beside it)",
    )
    add_export_dir(parser)


def add_export_dir(parser: argparse.ArgumentParser) -> None:
    """`--export-dir DIR`, shared by `chat` and the UI: where `/export` writes (docs/data.md)."""
    parser.add_argument(
        "--export-dir",
        metavar="DIR",
        help="where /export writes its files (default: the exports folder in guidebot's data directory)",
    )


def apply_export_dir(args: argparse.Namespace) -> None:
    """Make `--export-dir` the folder `/export` writes to, for this process (the manager reads the variable)."""
    if getattr(args, "export_dir", None):
        import os

        os.environ["GUIDEBOT_EXPORT_DIR"] = os.path.abspath(os.path.expanduser(args.export_dir))


def read_line(stream: Any) -> tuple[str | None, bool]:
    """(the next line decoded as UTF-8 with bad bytes replaced, whether it was cut); (None, False) at EOF."""
    raw = stream.readline(MAX_LINE_BYTES)
    if not raw:
        return None, False
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="replace")
    cut = False
    if not raw.endswith(b"\n") and len(raw) >= MAX_LINE_BYTES:
        cut = True
        while True:  # throw away the rest of an overlong line, a chunk at a time
            rest = stream.readline(MAX_LINE_BYTES)
            if not rest or (rest.endswith(b"\n") if isinstance(rest, bytes) else rest.endswith("\n")):
                break
    return raw.decode("utf-8", errors="replace").rstrip("\r\n"), cut


def plain_lines(turn: Any) -> str:
    """A turn as plain text: every line prefixed `guidebot> `, then the answer hint or numbered choices."""
    from guidebot.dialogue.replies import expected
    from guidebot.render import markdown_to_plain

    body = markdown_to_plain(turn.text).splitlines() or [""]
    awaiting = turn.awaiting
    if awaiting is not None:
        if awaiting.kind in ("choice", "list"):
            body.append("(answer with a number or a name" + (", several separated by commas" if awaiting.kind == "list" else "") + "; or not done)")
            body += [f"  {i}. {c}" for i, c in enumerate(awaiting.choices, 1)]
            if awaiting.kind == "list":
                body.append("  none")
        elif awaiting.kind == "bool":
            body.append("(answer: yes / no / not done)")
        else:
            body.append(f"(answer: {expected(awaiting.kind, awaiting.choices)})")
    return "\n".join(BOT + line if line else BOT.rstrip() for line in body)


def _is_terminal(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def _stdin() -> Any:
    return getattr(sys.stdin, "buffer", sys.stdin)


def _launch_ui(args: argparse.Namespace) -> int | None:
    """Open the Textual app when it is available; None when it is not (the caller falls back to plain text)."""
    try:
        from guidebot.ui.app import run_app  # the only textual import on this path, and only on purpose
    except ImportError:
        return None
    # run_app's resume: True = the latest session, a str = that session, None = let the app offer one
    resume = True if args.resume == "" else args.resume
    if args.new:
        resume = False
    result = run_app(resume=resume)
    return int(result) if isinstance(result, int) else ExitCode.OK


def _manager(args: argparse.Namespace) -> tuple[Any, Any]:
    """(the dialogue manager, the first turn to show): a resumed session's last turn, or the greeting."""
    from guidebot.dialogue import DialogueManager, SessionStore

    if args.resume is not None:
        manager = DialogueManager.resume(args.resume or None)
        return manager, manager.resumed_turn()
    manager = DialogueManager(store=SessionStore())
    return manager, manager.greeting()


def run(args: argparse.Namespace) -> int:
    """Run the chat until end of input; exit 0 at EOF, 2 for a missing or corrupt session."""
    apply_export_dir(args)
    if not args.plain and not args.jsonl:
        # a full-screen app needs a terminal on both ends; piped input or output gets the plain chat
        code = _launch_ui(args) if _is_terminal(sys.stdin) and _is_terminal(sys.stdout) else None
        if code is not None:
            return code
        args.plain = True
    manager, first = _manager(args)
    out: IO[str] = sys.stdout
    stdin = _stdin()
    interactive = _is_terminal(sys.stdin)
    write = _write_jsonl if args.jsonl else _write_plain
    if args.resume is not None and not args.jsonl:
        _replay_plain(out, manager.earlier_messages())
    write(out, first)
    while True:
        if args.plain and interactive:
            out.write(YOU)
            out.flush()
        line, _cut = read_line(stdin)
        if line is None:
            break
        # an overlong line was cut here; the manager shortens it further and says so in its reply
        write(out, manager.respond(line))
    if args.export:
        from pathlib import Path

        from guidebot.userdata import write_private

        target = Path(args.export)
        # the Markdown at FILE and, beside it, the assessment as an HTML page (FILE with .html); 0600 whatever
        # the umask: patient details
        pages = [(target, manager.export_markdown())]
        if target.suffix.lower() != ".html":
            pages.append((target.with_suffix(".html"), manager.export_html()))
        for path, text in pages:
            try:
                write_private(path, text)
            except OSError as exc:
                raise GuidebotError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return ExitCode.OK


RESUMED_MESSAGES_SHOWN = 200
"""A resumed plain chat replays at most this many earlier messages (a long session stays readable and bounded)."""


def _replay_plain(out: IO[str], messages: list[tuple[str, str]]) -> None:
    """The conversation so far, as it was shown, before a resumed session's last turn."""
    from guidebot.render import markdown_to_plain

    hidden = max(0, len(messages) - RESUMED_MESSAGES_SHOWN)
    if messages:
        out.write(f"{BOT}({len(messages) + 1} messages restored"
                  + (f"; the first {hidden} are in the saved session, /export writes them all" if hidden else "") + ")\n")
    for who, text in messages[hidden:]:
        if who == "user":
            out.write(YOU + " ".join(text.split()) + "\n")
        else:
            out.write("\n".join(BOT + line if line else BOT.rstrip() for line in (markdown_to_plain(text).splitlines() or [""])) + "\n")


def _write_jsonl(out: IO[str], turn: Any) -> None:
    out.write(json.dumps(turn.to_json(), ensure_ascii=False) + "\n")
    out.flush()


def _write_plain(out: IO[str], turn: Any) -> None:
    out.write(plain_lines(turn) + "\n")
    if turn.suggestions and not turn.awaiting:
        # the suggestions are the turn's data, not its text: list them so a number can pick one
        out.write(BOT + "Suggestions (reply with a number):\n")
        out.write("".join(f"{BOT}  {i}. {s.title}\n" for i, s in enumerate(turn.suggestions, 1)))
    out.flush()
