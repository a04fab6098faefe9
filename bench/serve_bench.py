"""`guidebot serve` under load: sessions held at once, memory per served session, time to reap a closed one.

    .venv/bin/python bench/serve_bench.py [--sessions 8]

Starts a real server on 127.0.0.1 (a free port, a private data directory) with `--max-sessions N`, opens N
websocket sessions that each ask one question, checks that session N+1 is refused, then closes them one by
one. Prints, per session app, RSS and PSS (PSS shares the interpreter's pages fairly between the apps), the
server's own RSS, and the time from closing a socket to its app being gone. Linux only (reads /proc).
Numbers only, no pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB."""
    rss = pss = 0.0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("Pss:"):
            pss = int(line.split()[1]) / 1024
    return rss, pss


async def read_for(ws: aiohttp.ClientWebSocketResponse, needle: bytes, seconds: float) -> bytes:
    received = b""
    deadline = time.monotonic() + seconds
    while needle not in received and time.monotonic() < deadline:
        try:
            message = await ws.receive(timeout=max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        if message.type not in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
            break
        received += message.data if isinstance(message.data, bytes) else message.data.encode()
    return received


async def bench(sessions: int, port: int, server_pid: int) -> None:
    url = f"ws://127.0.0.1:{port}/ws?width=100&height=30&token={TOKEN}"
    origin = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as client:
        sockets, apps, drains = [], [], []
        started = time.monotonic()
        for _ in range(sessions):
            before = children(server_pid)
            ws = await client.ws_connect(url, origin=origin)
            await read_for(ws, b"POEMS", 30)
            await ws.send_json(["stdin", "what is the vegf cutoff?\r"])
            await read_for(ws, b"\x00never", 1.5)
            sockets.append(ws)
            drains.append(asyncio.create_task(read_for(ws, b"\x00never", 3600)))  # answers pings, as a browser does
            apps += sorted(children(server_pid) - before)
        held_for = time.monotonic() - started
        try:
            await client.ws_connect(url, origin=origin)
            refused = "no (accepted)"
        except aiohttp.WSServerHandshakeError as error:
            refused = f"yes (HTTP {error.status})"
        await asyncio.sleep(1)
        memory = [memory_mb(pid) for pid in apps]
        server_rss, _ = memory_mb(server_pid)
        reap_times = []
        for ws, pid in zip(sockets, apps):
            closed = time.monotonic()
            await ws.close()
            while alive(pid) and time.monotonic() - closed < 10:
                await asyncio.sleep(0.01)
            reap_times.append(time.monotonic() - closed)
        for task in drains:
            task.cancel()

    print(f"sessions held at once:      {len(apps)} of --max-sessions {sessions} (opened in {held_for:.1f} s)")
    print(f"session {sessions + 1} refused:          {refused}")
    print(f"app RSS per session:        mean {statistics.mean(r for r, _ in memory):.0f} MB, max {max(r for r, _ in memory):.0f} MB")
    print(f"app PSS per session:        mean {statistics.mean(p for _, p in memory):.0f} MB (shared pages split fairly)")
    print(f"server RSS:                 {server_rss:.0f} MB")
    print(f"time to reap a closed one:  median {statistics.median(reap_times):.2f} s, max {max(reap_times):.2f} s")


STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('__GANGLION__', flush=True); time.sleep(60)"
"""An app that ignores both the quit message and SIGTERM (as one stuck laying out a huge screen did)."""


async def stubborn_reap_time(runs: int = 3) -> float:
    """Median seconds for `AppSession.stop` to end an app that ignores quit and SIGTERM (the SIGKILL path)."""
    from textual_serve.download_manager import DownloadManager

    sys.path.insert(0, str(REPO))
    from guidebot.ui.web.server import AppSession

    async def nothing(*_args):
        return None

    times = []
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(runs):
            app = AppSession("bench", [sys.executable, "-c", STUBBORN], Path(directory),
                             write_bytes=nothing, write_str=nothing, close=nothing, download_manager=DownloadManager())
            await app.start(80, 24)
            await asyncio.sleep(0.5)
            started = time.monotonic()
            await app.stop()
            times.append(time.monotonic() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8, help="sessions to hold (the server's --max-sessions)")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "GUIDEBOT_DATA_DIR": data, "PYTHONPATH": str(REPO)}
        server = subprocess.Popen(
            [sys.executable, "-m", "guidebot", "serve", "--port", str(port), "--token", TOKEN,
             "--max-sessions", str(args.sessions)],
            cwd=data, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/textual.js", timeout=5).close()  # noqa: S310
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.1)
            asyncio.run(bench(args.sessions, port, server.pid))
            print(f"reap, app ignoring quit+TERM: median {asyncio.run(stubborn_reap_time()):.2f} s (quit 1 s, SIGTERM 1.5 s, SIGKILL)")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
