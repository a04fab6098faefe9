"""`guidebot serve`: the chat UI in a web browser, for one person or a teaching room (INTERFACE section 6).

A local server on the model of Jupyter's: 127.0.0.1 unless asked, a token in the printed URL, bounded
sessions. The server itself is `guidebot.ui.web.server`, imported only here (it pulls in aiohttp and
textual-serve); our page (`guidebot/ui/web/app_index.html`) loads nothing from outside this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from pathlib import Path

from guidebot.errors import GuidebotError, InputError

MAX_SESSIONS_CEILING = 256
"""The most sessions --max-sessions accepts (each one is a Python process of about 100 MB)."""
IDLE_TIMEOUT_CEILING = 7 * 24 * 3600.0
"""The longest --idle-timeout accepted, in seconds."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--host, --port, --token, --max-sessions, --idle-timeout."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; any other warns)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--token",
        default=None,
        help="the secret the URL carries (default: random each start; or set GUIDEBOT_SERVE_TOKEN)",
    )
    parser.add_argument("--max-sessions", type=int, default=8, help="browser sessions at once (default 8)")
    parser.add_argument(
        "--idle-timeout", type=float, default=1800.0, help="seconds without input before a session closes (default 1800)"
    )


def run(args: argparse.Namespace) -> int:
    """Serve the chat until Ctrl+C (or SIGTERM)."""
    if not 1 <= args.max_sessions <= MAX_SESSIONS_CEILING:
        raise InputError(f"--max-sessions must be between 1 and {MAX_SESSIONS_CEILING}, not {args.max_sessions}")
    if not 1 <= args.idle_timeout <= IDLE_TIMEOUT_CEILING:  # also refuses nan
        raise InputError(f"--idle-timeout must be between 1 and {IDLE_TIMEOUT_CEILING:.0f} seconds")
    from guidebot.cli import listen

    # a bad --port, a taken port or a --host that is not here: one line and exit 2 before anything is
    # served or any exposure warning is printed for a server that will never listen
    loopback = listen.check_listen_address(args.host, args.port)
    try:
        from guidebot.ui.web import server
    except ImportError as exc:
        raise GuidebotError("`guidebot serve` needs textual-serve: pip install 'guidebot[serve]'") from exc
    from guidebot.dialogue.store import data_dir

    given = args.token if args.token is not None else os.environ.get(server.TOKEN_ENV)
    token = server.check_token(given) if given is not None else server.new_token()
    config = server.ServeConfig(
        host=args.host,
        port=args.port,
        token=token,
        data_dir=data_dir(),
        loopback=loopback,
        limits=server.Limits(max_sessions=args.max_sessions, idle_timeout=args.idle_timeout),
    )
    if not loopback:
        print(_exposure_warning(args.host, args.port), file=sys.stderr, flush=True)
    server.setup_logging()
    _child_finds_this_guidebot()

    def ready() -> None:
        for url in _urls(args.host, args.port):
            print(f"guidebot serve: open {url}?token={token}", flush=True)
        print("guidebot serve: press Ctrl+C to stop", flush=True)

    asyncio.run(server.GuidebotServer(config).serve(ready))
    return 0


def _exposure_warning(host: str, port: int) -> str:
    bar = "!" * 78
    return (
        f"{bar}\n"
        f"guidebot serve: WARNING: --host {host} is not loopback: the chat is open beyond this machine. Anyone\n"
        f"who can reach port {port} here AND has the token can use it. Traffic is plain HTTP (not encrypted): use it\n"
        f"on a network you trust, share the URL only with your class, and stop the server when done.\n"
        f"{bar}"
    )


def _urls(host: str, port: int) -> list[str]:
    """The addresses to print: the one listened on, or for a wildcard this machine's name and 127.0.0.1."""
    if host in ("0.0.0.0", "::", ""):
        return [f"http://{socket.gethostname()}:{port}/", f"http://127.0.0.1:{port}/"]
    shown = f"[{host}]" if ":" in host else host
    return [f"http://{shown}:{port}/"]


def _child_finds_this_guidebot() -> None:
    """Each session runs `python -m guidebot`: it must find this guidebot even from a checkout."""
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    paths = [package_root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
