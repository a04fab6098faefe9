"""`guidebot serve`'s web server: textual-serve's page, websocket and downloads behind a token, with limits.

Modelled on Jupyter's server: a random token, printed in the URL, is needed for the page, the websocket and
downloads (the browser keeps it in an HttpOnly cookie after the first page load); while the server listens on
loopback every request's `Host` must name loopback (DNS rebinding), and a websocket's `Origin`, when a browser
sends one, must be the page's own. Each browser session runs `python -m guidebot` in its own process group,
with its own private data directory, and is reaped (quit, then SIGTERM, then SIGKILL) within seconds of its
socket closing.

textual-serve's `Server` is not subclassed (almost every handler changes); its `AppService` (one app process)
is, for the process start and stop, and its `DownloadManager` is used as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager
from yarl import URL

from guidebot.errors import GuidebotError
from guidebot.ui.web import SERVE_ENV

log = logging.getLogger("guidebot.serve")

TEMPLATE_DIR = Path(__file__).resolve().parent
"""Holds `app_index.html`, our copy of textual-serve's page (local fonts, relative asset URLs)."""
STATIC_DIR = Path(textual_serve.__file__).resolve().parent / "static"
"""textual-serve's own assets (xterm.js, its CSS, the Roboto Mono fonts)."""

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{16,256}$")
"""A token given with --token: long enough to resist guessing, and URL-safe so it is printed as typed."""
TOKEN_ENV = "GUIDEBOT_SERVE_TOKEN"
"""The environment variable that may carry the token (keeps it out of `ps`); never passed to a session."""
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
"""Host names a browser may use for a server that listens on loopback."""

QUIT_GRACE = 1.0
"""Seconds a session's app has to quit by itself before it gets SIGTERM."""
TERM_GRACE = 1.5
"""Seconds after SIGTERM before SIGKILL (a busy Textual app only queues its exit on SIGTERM)."""
SEND_TIMEOUT = 10.0
"""Seconds a write to an app's stdin may wait before the app counts as hung and its session ends."""
HEARTBEAT = 10.0
"""Websocket ping interval: a browser that vanished without closing is noticed within about this long."""
MAX_BAD_MESSAGES = 20
"""Malformed messages tolerated from one socket before it is closed (each one is logged)."""
STDERR_TAIL = 4096
"""Bytes of an app's stderr kept, for the one line logged if it fails."""


@dataclass(frozen=True)
class Limits:
    """What one server and each of its sessions may use."""

    max_sessions: int = 8
    """Browser sessions (app processes) at once; the next websocket is refused with 503."""
    idle_timeout: float = 1800.0
    """Seconds without a keystroke, click or resize before a session is closed."""
    max_message_bytes: int = 64 * 1024
    """Largest websocket message; a bigger one closes the socket (1009, message too big)."""
    max_stdin_bytes: int = 16 * 1024
    """Largest `stdin` frame passed to the app (a paste); a bigger one is dropped and logged."""
    stdin_bytes_per_second: int = 16 * 1024
    """Sustained typing and pasting allowed, far above any person's; frames beyond it are dropped and logged
    (a flood of keys had kept an app at full CPU, growing, until it stopped reading)."""
    stdin_burst_bytes: int = 64 * 1024
    """Input allowed at once above that rate (a few large pastes in a row)."""
    max_width: int = 500
    """Widest terminal an app is told it has, in cells (a `resize` beyond is clamped)."""
    max_height: int = 200
    """Tallest terminal an app is told it has, in cells."""


@dataclass(frozen=True)
class ServeConfig:
    """Everything one `guidebot serve` needs."""

    host: str
    """Address to listen on."""
    port: int
    """Port to listen on."""
    token: str
    """The secret every page, websocket and download request must carry."""
    data_dir: Path
    """guidebot's data directory; sessions get `<data_dir>/serve/<session id>`."""
    loopback: bool = True
    """Whether `host` is loopback only (then `Host` headers are checked too)."""
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class Envelope:
    """One message from the browser, checked: `kind` is stdin, resize, ping, focus or blur."""

    kind: str
    text: str = ""
    """The keys typed (stdin) or the ping payload."""
    width: int = 0
    height: int = 0


def new_token() -> str:
    """A random token, as Jupyter's: 48 hex digits (192 bits)."""
    return secrets.token_hex(24)


def check_token(token: str) -> str:
    """The token given by the user, or a GuidebotError saying what a token must look like."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise GuidebotError("--token must be 16 to 256 characters, letters, digits, '.', '_', '~' or '-'")
    return token


def printable(text: str, limit: int = 300) -> str:
    """`text` as one line for the log and error lines: guidebot's one text hygiene (`clean_text`), bounded."""
    from guidebot.text import clean_text

    return clean_text(str(text), limit)


def read_envelope(data: str, limits: Limits) -> Envelope:
    """The browser's JSON message `data` checked and bounded; ValueError saying what is wrong with it."""
    try:
        envelope = json.loads(data)
    except (ValueError, RecursionError):
        raise ValueError("not JSON") from None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        raise ValueError("not a [type, data] list")
    kind, payload = envelope[0], envelope[1] if len(envelope) > 1 else None
    if kind == "stdin":
        if not isinstance(payload, str):
            raise ValueError("stdin data is not text")
        if len(payload.encode("utf-8", "replace")) > limits.max_stdin_bytes:
            raise ValueError(f"stdin frame over {limits.max_stdin_bytes} bytes")
        return Envelope("stdin", text=payload)
    if kind == "resize":
        width = payload.get("width") if isinstance(payload, dict) else None
        height = payload.get("height") if isinstance(payload, dict) else None
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (width, height)):
            raise ValueError("resize without whole-number width and height")
        return Envelope("resize", width=clamp(width, limits.max_width), height=clamp(height, limits.max_height))
    if kind == "ping":
        return Envelope("ping", text=payload[:64] if isinstance(payload, str) else "")
    if kind in ("focus", "blur"):
        return Envelope(kind)
    raise ValueError(f"unknown message type {printable(kind, 40)!r}")


class InputBudget:
    """A token bucket for one session's stdin: `burst` bytes at once, refilled at `rate` bytes a second."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.allowance, self.checked = burst, now

    def spend(self, size: int, now: float) -> bool:
        """Take `size` bytes from the budget at time `now`; False (and nothing taken) when they do not fit."""
        self.allowance = min(self.burst, self.allowance + (now - self.checked) * self.rate)
        self.checked = now
        if size > self.allowance:
            return False
        self.allowance -= size
        return True


def clamp(value: int, largest: int) -> int:
    """`value` within 1..largest."""
    return max(1, min(int(value), largest))


def _query_int(request: web.Request, name: str, default: int) -> int:
    try:
        return int(request.query.get(name, default))
    except ValueError:
        return default


class AppSession(AppService):
    """One browser session's app process: its own process group, environment and data directory, and a stop
    that always ends it (quit, SIGTERM, SIGKILL)."""

    def __init__(self, session_id: str, argv: list[str], directory: Path, **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.session_id = session_id
        """Short random id, used in the log and as the data directory's name."""
        self.argv = argv
        """The app's command line."""
        self.directory = directory
        """This session's private data directory (its GUIDEBOT_DATA_DIR and working directory)."""
        self.stderr_tail = bytearray()
        """The last STDERR_TAIL bytes the app wrote on stderr."""

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.pop(TOKEN_ENV, None)
        environment["GUIDEBOT_DATA_DIR"] = str(self.directory)
        environment[SERVE_ENV] = "1"
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        # exec, not a shell: the pid is the app's own; a new session: its whole group can be signalled
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            cwd=self.directory,
            start_new_session=True,
        )
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        """The app's process id, once started."""
        return self._process.pid if self._process is not None else None

    async def run(self) -> None:
        """Relay the app's output to the browser until it ends; then close the socket (textual-serve's own
        loop keeps all of stderr and prints it raw, and leaves the socket open when the app dies)."""
        process = self._process
        assert process is not None and process.stdout is not None and process.stderr is not None
        stdout, stderr = process.stdout, process.stderr

        async def keep_stderr_tail() -> None:
            while chunk := await stderr.read(4096):
                self.stderr_tail += chunk
                del self.stderr_tail[:-STDERR_TAIL]

        stderr_task = asyncio.create_task(keep_stderr_tail())
        try:
            for _ in range(10):  # textual-serve's handshake: the app says it is a Textual app first
                line = await stdout.readline()
                if not line or line == b"__GANGLION__\n":
                    break
            while True:
                packet_type = await stdout.readexactly(1)
                size = int.from_bytes(await stdout.readexactly(4), "big")
                payload = await stdout.readexactly(size)
                if packet_type == b"D":
                    await self.on_data(payload)
                elif packet_type == b"M":
                    await self.on_meta(payload)
                elif packet_type == b"P":
                    await self.on_packed(payload)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        except Exception as exc:  # noqa: BLE001 - one line in the log, and the session ends
            log.warning("session %s: output relay stopped: %s: %s", self.session_id, type(exc).__name__, printable(str(exc)))
        finally:
            stderr_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await stderr_task
            with contextlib.suppress(Exception):
                await self.remote_close()

    async def stop(self) -> None:
        """End the app: ask it to quit, then SIGTERM its process group, then SIGKILL; wait for it."""
        process = self._process
        if process is None:
            return
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        if process.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), QUIT_GRACE)
            if not await _exited(process, QUIT_GRACE):
                _signal_group(process, signal.SIGTERM)
                if not await _exited(process, TERM_GRACE):
                    _signal_group(process, signal.SIGKILL)
                    await process.wait()
        if self._stdin is not None:
            self._stdin.close()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, QUIT_GRACE)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None


def _signal_group(process: asyncio.subprocess.Process, sig: int) -> None:
    # the app leads its own process group (start_new_session), so this reaches anything it started too
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


async def _exited(process: asyncio.subprocess.Process, seconds: float) -> bool:
    try:
        await asyncio.wait_for(process.wait(), seconds)
    except asyncio.TimeoutError:
        return False
    return True


class GuidebotServer:
    """The aiohttp application: `/` (the page), `/ws` (one app per socket), `/download/{key}`, `/static/`."""

    def __init__(self, config: ServeConfig, argv: list[str] | None = None) -> None:
        self.config = config
        self.argv = argv or [sys.executable, "-m", "guidebot"]
        """What each session runs."""
        self.sessions: dict[str, tuple[AppSession | None, web.WebSocketResponse]] = {}
        """Open sessions by id (counted from the moment a socket is accepted until its app is reaped)."""
        self.downloads = DownloadManager()
        self.cookie_name = f"guidebot-token-{config.port}"
        """Cookies ignore ports: two servers on one host must not read each other's."""
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True)

    # -- the application -----------------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        """The routes, behind the Host check and the one-line error log."""
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get("/ws", self.handle_websocket),
                web.get("/download/{key}", self.handle_download),
                web.static("/static", STATIC_DIR, show_index=False, follow_symlinks=False),
            ]
        )
        app.on_shutdown.append(self._close_all)
        return app

    async def serve(self, ready: Callable[[], None]) -> None:
        """Listen until SIGINT or SIGTERM; `ready` is called once the port is bound. GuidebotError when the
        address cannot be used (a taken port, an address not of this machine)."""
        runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.config.host, self.config.port, shutdown_timeout=5)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            where = f"{self.config.host}:{self.config.port}"
            reason = os.strerror(exc.errno) if exc.errno else printable(str(exc))
            raise GuidebotError(f"cannot listen on {where}: {reason.lower()}") from None
        self.prune_stale_sessions()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        ready()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    def prune_stale_sessions(self) -> None:
        """Delete the session directories of servers that are gone (killed before they could clean up)."""
        folder = self.config.data_dir / "serve"
        if not folder.is_dir():
            return
        for directory in folder.iterdir():
            owner = directory.name.partition("-")[0]
            if not owner.isdigit() or int(owner) == os.getpid() or not _running(int(owner)):
                shutil.rmtree(directory, ignore_errors=True)

    @web.middleware
    async def _guard(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        if not self._host_allowed(request):
            log.warning("refused a request with Host %r", printable(request.headers.get("Host", ""), 80))
            return _refuse(403, "this server answers only to the address it printed")
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback with locals
            log.error("%s %s failed: %s: %s", request.method, request.path, type(exc).__name__, printable(str(exc)))
            return _refuse(500, "internal error")

    # -- checks --------------------------------------------------------------------------------------------

    def _host_allowed(self, request: web.Request) -> bool:
        """While listening on loopback, the Host must be a loopback name with our port (DNS rebinding)."""
        if not self.config.loopback:
            return True  # the token guards a server others can reach; their address for it is theirs to pick
        name, port = _host_and_port(request.headers.get("Host", ""), "http")
        return port == self.config.port and name in LOOPBACK_NAMES | {self.config.host.lower()}

    def _origin_allowed(self, request: web.Request) -> bool:
        """A websocket's Origin, when sent (every browser sends one), must be the Host it is addressed to."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser, so no other site's page: the token alone decides
        try:
            parsed = URL(origin)
        except ValueError:
            return False
        if parsed.scheme not in ("http", "https") or not parsed.host:
            return False
        host = _host_and_port(request.headers.get("Host", ""), parsed.scheme)
        return (parsed.host.lower().strip("[]"), parsed.port) == host

    def _authorized(self, request: web.Request) -> bool:
        """The token, from `?token=`, an `Authorization: token ...` header or our cookie (compared in
        constant time)."""
        expected = self.config.token.encode()
        header = request.headers.get("Authorization", "")
        candidates = [
            request.query.get("token", ""),
            header[6:].strip() if header.lower().startswith("token ") else "",
            request.cookies.get(self.cookie_name, ""),
        ]
        return any(hmac.compare_digest(candidate.encode(), expected) for candidate in candidates if candidate)

    # -- handlers ------------------------------------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page; with a good token it also sets the cookie the websocket and downloads then use."""
        if not self._authorized(request):
            return _refuse(403, "this guidebot server needs its token: open the URL `guidebot serve` printed (it ends in ?token=...)")
        page = self.templates.get_template("app_index.html").render(
            font_size=max(8, min(_query_int(request, "fontsize", 16), 48)),
            app_websocket_url=f"ws://{request.host}/ws",
            application={"name": "guidebot"},
            ping_url="",
        )
        response = web.Response(text=page, content_type="text/html")
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        response.headers["X-Frame-Options"] = "DENY"
        response.set_cookie(self.cookie_name, self.config.token, httponly=True, samesite="Strict", path="/")
        return response

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """A file the app delivered (`/export`), streamed from the app; the server never stores it."""
        if not self._authorized(request):
            return _refuse(403, "token needed")
        key = request.match_info["key"]
        try:
            meta = await self.downloads.get_download_metadata(key)
        except KeyError:
            return _refuse(404, "no such download")
        response = web.StreamResponse()
        response.content_type = meta.mime_type
        if meta.encoding:
            response.charset = meta.encoding
        filename = re.sub(r"[^A-Za-z0-9._-]", "_", meta.file_name)[:120] or "guidebot-chat.md"
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        await response.prepare(request)
        async for chunk in self.downloads.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """One browser session: checks, then an app process relayed both ways until either side goes."""
        if not self._authorized(request):
            log.warning("refused a websocket without the token")
            return _refuse(403, "token needed")
        if not self._origin_allowed(request):
            log.warning("refused a websocket from Origin %r", printable(request.headers.get("Origin", ""), 80))
            return _refuse(403, "cross-origin websocket refused")
        limits = self.config.limits
        if len(self.sessions) >= limits.max_sessions:
            log.warning("refused a session: all %d are in use", limits.max_sessions)
            return _refuse(503, f"all {limits.max_sessions} sessions are in use; try again later")
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=limits.max_message_bytes, compress=False)
        if not websocket.can_prepare(request).ok:
            return _refuse(400, "a websocket upgrade was expected")
        session_id = f"{os.getpid()}-{secrets.token_hex(6)}"  # the pid: a later server can tell it is stale
        self.sessions[session_id] = (None, websocket)  # counted before the first await: the cap cannot race
        started = time.monotonic()
        session: AppSession | None = None
        directory = self.config.data_dir / "serve" / session_id
        try:
            await websocket.prepare(request)
            _private_dir(directory)
            session = AppSession(
                session_id,
                self.argv,
                directory,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.downloads,
            )
            self.sessions[session_id] = (session, websocket)
            width = clamp(_query_int(request, "width", 80), limits.max_width)
            height = clamp(_query_int(request, "height", 24), limits.max_height)
            await session.start(width, height)
            log.info("session %s: started (%d of %d)", session_id, len(self.sessions), limits.max_sessions)
            await self._relay(websocket, session)
        except (asyncio.CancelledError, ConnectionError):
            pass
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback with locals
            log.error("session %s: %s: %s", session_id, type(exc).__name__, printable(str(exc)))
        finally:
            await self._end(session_id, session, websocket, started)
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, session: AppSession) -> None:
        """Pass the browser's messages to the app until the socket closes, the idle time runs out or the app
        stops reading."""
        limits = self.config.limits
        loop = asyncio.get_running_loop()
        last_active, bad_messages = loop.time(), 0
        budget = InputBudget(limits.stdin_bytes_per_second, limits.stdin_burst_bytes, loop.time())
        while not websocket.closed:
            remaining = last_active + limits.idle_timeout - loop.time()
            if remaining <= 0:
                log.info("session %s: closed after %.0f s idle", session.session_id, limits.idle_timeout)
                await websocket.close(code=1000, message=b"idle")
                return
            try:
                message = await websocket.receive(timeout=remaining)
            except asyncio.TimeoutError:
                continue
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return
            if message.type == WSMsgType.ERROR:
                log.warning("session %s: socket closed: %s", session.session_id, printable(str(message.data)))
                return
            try:
                if message.type != WSMsgType.TEXT:
                    raise ValueError("not a text message")
                envelope = read_envelope(message.data, limits)
                if envelope.kind == "stdin" and not budget.spend(len(envelope.text.encode("utf-8", "replace")), loop.time()):
                    raise ValueError(f"input faster than {limits.stdin_bytes_per_second} bytes/s")
            except ValueError as exc:
                bad_messages += 1
                log.warning("session %s: ignored a message: %s", session.session_id, exc)
                if bad_messages >= MAX_BAD_MESSAGES:
                    await websocket.close(code=1008, message=b"too many malformed messages")
                    return
                continue
            if envelope.kind == "ping":
                await websocket.send_json(["pong", envelope.text])
                continue
            last_active = loop.time()
            try:
                await asyncio.wait_for(self._forward(session, envelope), SEND_TIMEOUT)
            except asyncio.TimeoutError:
                log.warning("session %s: the app stopped reading its input; ending it", session.session_id)
                return

    @staticmethod
    async def _forward(session: AppSession, envelope: Envelope) -> None:
        if envelope.kind == "stdin":
            await session.send_bytes(envelope.text.encode("utf-8", "replace"))
        elif envelope.kind == "resize":
            await session.set_terminal_size(envelope.width, envelope.height)
        elif envelope.kind == "focus":
            await session.focus()
        elif envelope.kind == "blur":
            await session.blur()

    async def _end(self, session_id: str, session: AppSession | None, websocket: web.WebSocketResponse, started: float) -> None:
        """Reap the app, delete the session's data, free its slot; logs one line."""
        closing = time.monotonic()
        try:
            with contextlib.suppress(Exception):
                await websocket.close()
            if session is not None:
                await asyncio.shield(session.stop())
                code = session._process.returncode if session._process is not None else None
                if code not in (0, None) and session.stderr_tail:
                    lines = session.stderr_tail.decode("utf-8", "replace").strip().splitlines()
                    log.warning("session %s: the app exited with %s: %s", session_id, code, printable(lines[-1] if lines else "", 200))
        finally:
            shutil.rmtree(self.config.data_dir / "serve" / session_id, ignore_errors=True)
            self.sessions.pop(session_id, None)
            log.info(
                "session %s: ended after %.0f s; app reaped in %.2f s", session_id, closing - started, time.monotonic() - closing
            )

    async def _close_all(self, _app: web.Application) -> None:
        """On shutdown: close every socket (each handler then reaps its app)."""
        for _session, websocket in list(self.sessions.values()):
            with contextlib.suppress(Exception):
                await websocket.close(code=1001, message=b"server shutting down")
        deadline = time.monotonic() + QUIT_GRACE + 2 * TERM_GRACE + 1
        while self.sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.05)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def _host_and_port(value: str, scheme: str) -> tuple[str, int | None]:
    """("host", port) of a Host header value (port defaulted from the scheme), lower-cased, IPv6 unbracketed."""
    try:
        url = URL(f"{scheme}://{value}")
    except ValueError:
        return "", None
    return (url.host or "").lower().strip("[]"), url.port


def _refuse(status: int, reason: str) -> web.Response:
    return web.Response(status=status, text=f"guidebot serve: {reason}\n", content_type="text/plain")


def _private_dir(path: Path) -> None:
    """Create `path` and its missing parents as 0700, whatever the umask."""
    from guidebot.userdata import private_dir

    private_dir(path)


_TOKEN_IN_TEXT = re.compile(r"token=[^&\s'\"]+")


class OneLineFormatter(logging.Formatter):
    """Every log record as one printable line: an exception becomes `Type: message`, never a traceback
    (textual-serve's Rich handler printed tracebacks with locals and request headers)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message = f"{message}: {type(error).__name__}: {error}"
        # aiohttp quotes a malformed request line whole: never let the token reach the log
        return "guidebot serve: " + _TOKEN_IN_TEXT.sub("token=...", printable(message, 500))


def setup_logging() -> None:
    """Send every logger (ours, aiohttp's, textual-serve's) to stderr as single lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("textual-serve").setLevel(logging.WARNING)
