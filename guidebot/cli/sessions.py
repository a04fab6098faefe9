"""`guidebot sessions`: list, show, export, delete and prune the saved chat sessions (docs/sessions.md).

A thin front end over the store's API (`guidebot.dialogue.store`); reading never takes a session's lock,
so a session open in a running chat can still be listed, shown and exported, but not deleted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from guidebot.errors import ExitCode, InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`list` (the default), `show ID`, `export ID [-o FILE]`, `delete ID|--all`, `prune [--keep N] [--days D]`, `dir`."""
    sub = parser.add_subparsers(dest="sessions_command")
    listing = sub.add_parser("list", help="every saved session: id, date, first question, verdict (the default)")
    listing.add_argument("--json", action="store_true", help="one JSON object per session, one per line")
    show = sub.add_parser("show", help="print a session's transcript as plain text")
    show.add_argument("session_id", metavar="ID")
    export = sub.add_parser("export", help="write a session and its assessment as Markdown (stdout, or -o FILE)")
    export.add_argument("session_id", metavar="ID")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (made 0600) instead of stdout")
    delete = sub.add_parser("delete", help="delete a session (or every session with --all)")
    delete.add_argument("session_id", metavar="ID", nargs="?")
    delete.add_argument("--all", action="store_true", help="delete every saved session not open in a running guidebot")
    prune = sub.add_parser("prune", help="delete the sessions the retention setting does not keep")
    prune.add_argument("--keep", type=int, metavar="N", help="keep the N most recent sessions (default $GUIDEBOT_KEEP_SESSIONS or 200; 0 = all)")
    prune.add_argument("--days", type=int, metavar="D", help="delete sessions unused for D days (default $GUIDEBOT_KEEP_DAYS or 90; 0 = never)")
    sub.add_parser("dir", help="print the directory the sessions are saved in")


def run(args: argparse.Namespace) -> int:
    """Run one `guidebot sessions` command."""
    command = args.sessions_command or "list"
    return {"list": _list, "show": _show, "export": _export, "delete": _delete, "prune": _prune, "dir": _dir}[command](args)


def _list(args: argparse.Namespace) -> int:
    from guidebot.dialogue.store import list_sessions, sessions_dir

    summaries = list_sessions()
    if getattr(args, "json", False):
        for s in summaries:
            print(json.dumps({"id": s.session_id, "started": s.started, "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s.updated)),
                              "first_question": s.first_question, "verdict": s.verdict, "turns": s.turns, "in_use": s.in_use},
                             ensure_ascii=False))
        return ExitCode.OK
    if not summaries:
        print(f"no saved sessions (in {sessions_dir()})")
        return ExitCode.OK
    for s in summaries:
        verdict = (s.verdict or "-").replace("_", " ")
        busy = " (open)" if s.in_use else ""
        print(f"{s.session_id}  {s.started}  {s.turns:>3} turn(s)  {verdict:<16}  {s.first_question or '(nothing typed)'}{busy}")
    return ExitCode.OK


def _show(args: argparse.Namespace) -> int:
    from guidebot.dialogue.events import BotSaid, UserSaid
    from guidebot.dialogue.store import read_events
    from guidebot.render import markdown_to_plain

    for event in read_events(args.session_id):
        if isinstance(event, UserSaid):
            print(f"you> {event.text}")
        elif isinstance(event, BotSaid):
            for line in markdown_to_plain(event.turn.text).splitlines() or [""]:
                print(f"guidebot> {line}".rstrip())
    return ExitCode.OK


def _export(args: argparse.Namespace) -> int:
    from guidebot.dialogue.store import export_session
    from guidebot.userdata import write_private

    text = export_session(args.session_id)
    if not args.output:
        sys.stdout.write(text)
        return ExitCode.OK
    try:
        write_private(args.output, text)
    except OSError as exc:
        raise InputError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {args.output}")
    return ExitCode.OK


def _delete(args: argparse.Namespace) -> int:
    from guidebot.dialogue.store import SessionInUse, delete_session, list_sessions

    if args.all == bool(args.session_id):
        raise InputError("give a session ID or --all (not both)")
    if args.session_id:
        delete_session(args.session_id)
        print(f"deleted {args.session_id}")
        return ExitCode.OK
    summaries = list_sessions()
    deleted = 0
    for summary in summaries:
        try:
            delete_session(summary.session_id)
            deleted += 1
        except SessionInUse:
            continue  # a running chat keeps its own session
    busy = len(summaries) - deleted
    print(f"deleted {deleted} session(s)" + (f"; {busy} open in a running guidebot kept" if busy else ""))
    return ExitCode.OK


def _prune(args: argparse.Namespace) -> int:
    from guidebot.dialogue.store import Retention, prune_sessions

    default = Retention.from_env()
    for name in ("keep", "days"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise InputError(f"--{name} must be >= 0 (0 = no limit), not {value}")
    retention = Retention(default.keep if args.keep is None else args.keep, default.days if args.days is None else args.days)
    deleted = prune_sessions(retention)
    print(f"pruned {len(deleted)} session(s) (keeping {retention.keep or 'every'} session(s), "
          f"{str(retention.days) + ' day(s)' if retention.days else 'for ever'})")
    return ExitCode.OK


def _dir(_args: argparse.Namespace) -> int:
    from guidebot.dialogue.store import sessions_dir

    print(sessions_dir())
    return ExitCode.OK
