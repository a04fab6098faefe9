"""`guidebot serve`: the chat UI in a web browser through textual-serve, with no request leaving the machine.

textual-serve's stock page loads its web font from a CDN; `page_dir()` renders our own page instead,
which declares the Roboto Mono files that textual-serve ships and links every asset relatively.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from guidebot.errors import GuidebotError

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "ui" / "web"
"""Holds `app_index.html`, our replacement of textual-serve's page template."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--host` (127.0.0.1: local only unless asked) and `--port`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")


def app_command() -> str:
    """The shell command textual-serve runs per browser session: this Python, this guidebot."""
    return f"{shlex.quote(sys.executable)} -m guidebot"


def make_server(host: str = "127.0.0.1", port: int = 8000):  # noqa: ANN201 - textual_serve is imported lazily
    """A textual-serve Server for the chat that serves only local assets."""
    try:
        from textual_serve.server import Server
    except ImportError as exc:
        raise GuidebotError("`guidebot serve` needs textual-serve: pip install 'guidebot[serve]'") from exc
    # the app subprocess must find this guidebot even when it is not installed (running from a checkout)
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    paths = [package_root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return Server(app_command(), host=host, port=port, title="guidebot", templates_path=TEMPLATE_DIR)


def run(args: argparse.Namespace) -> int:
    """Serve the chat until Ctrl+C."""
    from guidebot.cli.listen import check_listen_address

    check_listen_address(args.host, args.port)  # a taken port or a bad --host: one line, exit 2
    make_server(args.host, args.port).serve()
    return 0
