"""`guidebot quiz`: learning mode, line by line (--plain) or as JSON lines (--jsonl); --stats; --export.

Both front ends drive the same `QuizSession.respond(text) -> QuizTurn` and differ only in rendering
(INTERFACE section 8). stdout carries only the quiz; bad options are one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

from guidebot.cli.chat import _is_terminal, _stdin, read_line
from guidebot.errors import ExitCode, GuidebotError, InputError

QUIZ = "quiz> "
YOU = "you> "
BAR_WIDTH = 20
"""Characters of a full mastery bar in `--stats`."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `guidebot quiz`."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--plain", action="store_true", help="plain text, line by line (the default)")
    mode.add_argument("--jsonl", action="store_true", help="one JSON object per input line (docs/interface.md, section 8)")
    parser.add_argument("--topic", metavar="SECTION", help="only items from this section of the review (see --stats for the names)")
    parser.add_argument("--cases", action="store_true", help="only practice cases (verdict, then treatment approach)")
    parser.add_argument("--seed", type=int, metavar="N", help="deal a fixed sequence of items (the same for everyone)")
    parser.add_argument("--count", type=int, default=10, metavar="N", help="how many items (default 10)")
    parser.add_argument("--resume", action="store_true", help="continue the last unfinished quiz")
    parser.add_argument("--stats", action="store_true", help="show mastery per section and what is due, then exit")
    parser.add_argument("--export", metavar="FILE", help="write a printable quiz and answer key (FILE as Markdown, and FILE.html)")


def run(args: argparse.Namespace) -> int:
    """Run the chosen mode; returns the exit code."""
    from guidebot.knowledge import load_knowledge
    from guidebot.learning.session import QuizOptions

    kb = load_knowledge()
    options = QuizOptions(topic=args.topic, cases=args.cases, seed=args.seed, count=args.count)
    if args.export:
        return _export(kb, options, Path(args.export))
    from guidebot.learning.store import LearningStore

    store = LearningStore()
    try:
        if args.stats:
            return _stats(kb, store)
        return _quiz(kb, options, store, args)
    finally:
        store.close()


def _quiz(kb: Any, options: Any, store: Any, args: argparse.Namespace) -> int:
    from guidebot.learning.session import QuizSession

    session = QuizSession.resume(kb, store) if args.resume else QuizSession.start(kb, options, store)
    out: IO[str] = sys.stdout
    stdin = _stdin()
    interactive = _is_terminal(sys.stdin)
    write = _write_jsonl if args.jsonl else _write_plain
    write(out, session.greeting())
    while True:
        if not args.jsonl and interactive:
            out.write(YOU)
            out.flush()
        line, _cut = read_line(stdin)
        if line is None:
            break
        turn = session.respond(line)
        write(out, turn)
        if turn.item is None and not args.jsonl:
            break
    return ExitCode.OK


def _write_jsonl(out: IO[str], turn: Any) -> None:
    out.write(json.dumps(turn.to_json(), ensure_ascii=False) + "\n")
    out.flush()


def _write_plain(out: IO[str], turn: Any) -> None:
    from guidebot.render import markdown_to_plain

    body = markdown_to_plain(turn.text).splitlines() or [""]
    out.write("\n".join(QUIZ + line if line else QUIZ.rstrip() for line in body) + "\n")
    out.flush()


def _bar(fraction: float) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * BAR_WIDTH)
    return "#" * filled + "." * (BAR_WIDTH - filled)


def stats_lines(rows: list[Any]) -> list[str]:
    """`--stats` as text: one row per section with a mastery bar (also used by the UI's chart)."""
    width = max((len(r.section) for r in rows), default=7)
    lines = [f"{'section':<{width}}  {'mastery':<{BAR_WIDTH}}    %  seen/items  due"]
    for r in rows:
        lines.append(f"{r.section:<{width}}  {_bar(r.mastery)}  {round(r.mastery * 100):3d}  {r.seen:>4}/{r.items:<5}  {r.due:>3}")
    total_due = sum(r.due for r in rows)
    lines.append("")
    lines.append(f"Due now: {total_due} item(s)." + (" Run `guidebot quiz` to review them." if total_due else ""))
    return lines


def _stats(kb: Any, store: Any) -> int:
    from guidebot.learning.items import bank_for

    print("\n".join(stats_lines(store.stats(bank_for(kb).items))))
    return ExitCode.OK


def _export(kb: Any, options: Any, path: Path) -> int:
    from guidebot.learning.export import export_html, export_markdown
    from guidebot.learning.items import bank_for
    from guidebot.learning.session import select_items

    if options.seed is None:
        raise InputError("--export needs --seed N, so that the printout and a live quiz deal the same items")
    bank = bank_for(kb)
    items = [bank.by_id[i] for i in select_items(bank, options)]
    markdown = export_markdown(items, kb, options.seed)
    html_path = path.with_suffix(".html") if path.suffix.lower() != ".html" else path
    md_path = path if path.suffix.lower() != ".html" else path.with_suffix(".md")
    try:
        md_path.write_text(markdown, encoding="utf-8")
        html_path.write_text(export_html(markdown), encoding="utf-8")
    except OSError as exc:
        raise GuidebotError(f"cannot write {path}: {exc.strerror or exc}") from exc
    print(f"Wrote {md_path} and {html_path} ({len(items)} items, seed {options.seed}).", file=sys.stderr)
    return ExitCode.OK
