"""`guidebot serve`: a real server on 127.0.0.1 and a websocket client, as a browser and as a hostile page would
be. The token, the Host and Origin checks, the limits, the reaping of a closed session's app, downloads instead
of server paths, one-line errors; and the page loads nothing from outside the machine."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")

from guidebot.ui.web.server import AppSession, InputBudget, Limits, read_envelope  # noqa: E402 - after the importorskip

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
TOKEN = "test-token-0123456789abcdef"
START_TIMEOUT = 20.0
"""Seconds for a server or a session's app to come up (generous: the machine is shared)."""
REAP_WITHIN = 5.0
"""Seconds within which a closed session's app must be gone (INTERFACE section 6: "within seconds")."""
HAS_PROC = Path("/proc/self/stat").exists()


class _Assets(HTMLParser):
    """Every URL the page makes the browser fetch: <link href>, <script src>, <img src>, and CSS url(...)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag in ("script", "img", "iframe", "source") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if attrs.get("style"):
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)
            self.urls += re.findall(r"@import\s+['\"]([^'\"]+)", data)


@dataclass
class Served:
    """A running `guidebot serve` subprocess."""

    process: subprocess.Popen
    port: int
    data_dir: Path
    cwd: Path
    stderr_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, token: str | None = TOKEN) -> str:
        return f"ws://127.0.0.1:{self.port}/ws?width=80&height=24" + (f"&token={token}" if token else "")

    def log(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def apps(self) -> list[int]:
        """Process ids of the session apps (the server's children)."""
        return _children(self.process.pid)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a localhost URL built here
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start(tmp: Path, *args: str) -> Served:
    port = _free_port()
    data_dir, cwd = tmp / "data", tmp / "cwd"
    cwd.mkdir(parents=True, exist_ok=True)
    stderr_path = tmp / "serve.err"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "GUIDEBOT_DATA_DIR": str(data_dir)}
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "guidebot", "serve", "--port", str(port), "--token", TOKEN, *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    served = Served(process, port, data_dir, cwd, stderr_path)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            _get(served.base)
            return served
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"the server did not start: {served.log()[-2000:]}") from None
            time.sleep(0.1)


def _stop(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        served.process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = _start(tmp_path_factory.mktemp("serve"))
    yield served
    _stop(served)


async def _read_until(ws, needle: bytes, seconds: float = START_TIMEOUT) -> bytes:
    """Terminal output until `needle` shows (or the time is up); text messages are collected too."""
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


async def _open_chat(session, served: Served):
    ws = await session.ws_connect(served.ws_url(), origin=served.origin)
    await ws.send_json(["resize", {"width": 80, "height": 24}])
    received = await _read_until(ws, b"POEMS")
    assert b"POEMS" in received, received[-500:]
    return ws


async def _wait_gone(pids: list[int], seconds: float) -> float:
    started = time.monotonic()
    while any(_alive(pid) for pid in pids) and time.monotonic() - started < seconds:
        await asyncio.sleep(0.05)
    return time.monotonic() - started


# -- the page and its assets ------------------------------------------------------------------------------


def test_the_page_needs_the_token(server):
    assert _get(server.base)[0] == 403
    assert _get(server.base + "?token=wrong-token-0123456789")[0] == 403
    assert _get(server.base + "?token=" + TOKEN[:-1])[0] == 403
    status, body, headers = _get(server.base + "?token=" + TOKEN)
    assert status == 200 and b"textual.js" in body
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    assert _get(server.base, {"Authorization": f"token {TOKEN}"})[0] == 200
    assert _get(server.base, {"Cookie": f"guidebot-token-{server.port}={TOKEN}"})[0] == 200


def test_a_foreign_host_header_is_refused(server):
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 still says Host: evil.example."""
    url = server.base + "?token=" + TOKEN
    assert _get(url, {"Host": f"evil.example:{server.port}"})[0] == 403
    assert _get(url, {"Host": f"127.0.0.1:{server.port + 1}"})[0] == 403
    assert _get(url, {"Host": f"localhost:{server.port}"})[0] == 200


def test_page_and_assets_load_with_no_external_url(server):
    status, body, _headers = _get(server.base + "?token=" + TOKEN)
    assert status == 200
    page = body.decode()
    assert "fonts.googleapis" not in page and "guidebot" in page
    parser = _Assets()
    parser.feed(page)
    assert any(url.endswith(".ttf") for url in parser.urls), "the shipped font files are declared"
    assert any(url.endswith("textual.js") for url in parser.urls)
    for url in parser.urls:
        absolute = urljoin(server.base, url)
        assert urlparse(absolute).hostname in LOCAL_HOSTS, f"{url} leaves the machine"
        status, content, _headers = _get(absolute)
        assert status == 200 and content, url
    # the websocket the page is built with is this server's too
    socket_url = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
    assert urlparse(socket_url).hostname in LOCAL_HOSTS


def test_css_it_loads_names_no_external_url(server):
    _status, body, _headers = _get(urljoin(server.base, "static/css/xterm.css"))
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", body.decode()):
        assert url.startswith("data:") or urlparse(urljoin(server.base, url)).hostname in LOCAL_HOSTS


@pytest.mark.parametrize("path", ["static/", "static/js/", "static/fonts", "static/../", "static/%2e%2e/"])
def test_static_lists_no_directory(server, path):
    status, body, _headers = _get(server.base + path)
    assert status != 200
    assert b"textual.js" not in body and b"Index of" not in body and b"<a href" not in body


# -- the websocket: who may open one ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "token", "headers", "status"),
    [
        ("no token", None, {}, 403),
        ("wrong token", "x" * len(TOKEN), {}, 403),
        ("a page on another site", TOKEN, {"Origin": "http://evil.example"}, 403),
        ("the same host, another port", TOKEN, {"Origin": "http://127.0.0.1:1"}, 403),
        ("an opaque origin", TOKEN, {"Origin": "null"}, 403),
        ("DNS rebinding", TOKEN, {"Host": "evil.example:{port}", "Origin": "http://evil.example:{port}"}, 403),
    ],
)
async def test_websocket_refusals(server, case, token, headers, status):
    headers = {k: v.format(port=server.port) for k, v in headers.items()}
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(server.ws_url(token), headers=headers)
    assert refused.value.status == status, case


def test_a_plain_get_on_the_socket_is_a_clean_400(server):
    status, body, _headers = _get(server.ws_url().replace("ws://", "http://"))
    assert status == 400 and body.count(b"\n") == 1
    assert "Traceback" not in server.log()


# -- a session: the chat, limits, reaping ----------------------------------------------------------------


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
async def test_a_session_runs_the_chat_privately_and_is_reaped_when_closed(server):
    before = set(server.apps())
    async with aiohttp.ClientSession() as session:
        ws = await _open_chat(session, server)
        apps = [pid for pid in server.apps() if pid not in before]
        assert len(apps) == 1
        environ = dict(
            item.split("=", 1) for item in Path(f"/proc/{apps[0]}/environ").read_text().split("\0") if "=" in item
        )
        # its own data directory, 0700, under the user's: it cannot see the terminal's sessions or another's
        own = Path(environ["GUIDEBOT_DATA_DIR"])
        assert own.parent == server.data_dir / "serve" and own.is_dir()
        assert own.stat().st_mode & 0o777 == 0o700 and own.parent.stat().st_mode & 0o777 == 0o700
        assert environ["GUIDEBOT_SERVE"] == "1"
        assert TOKEN not in "".join(environ.values())
        await ws.close()
    took = await _wait_gone(apps, REAP_WITHIN)
    assert not _alive(apps[0]), f"the app still runs {took:.1f} s after its socket closed"
    # the server deletes the folder once it has reaped the app: a moment after, on a busy machine
    started = time.monotonic()
    while own.exists() and time.monotonic() - started < REAP_WITHIN:
        await asyncio.sleep(0.05)
    assert not own.exists(), "a closed session's data is deleted"


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
async def test_a_huge_resize_is_clamped_and_an_oversized_message_closes_only_that_socket(server):
    async with aiohttp.ClientSession() as session:
        ws = await _open_chat(session, server)
        app = max(server.apps())
        await ws.send_json(["resize", {"width": 20000, "height": 20000}])
        await ws.send_json(["stdin", "x"])  # makes the app lay out and paint at the new size
        peak = 0.0
        for _ in range(12):
            await _read_until(ws, b"\x00never", seconds=0.25)
            peak = max(peak, _rss_mb(app))
        # clamped to 500x200 the app stays near 60-100 MB; unclamped it passed 200 MB within 2-3 s and grew on
        assert peak < 200, f"{peak:.0f} MB after a 20000x20000 resize"
        await ws.send_json(["ping", "still-there"])
        assert b"still-there" in await _read_until(ws, b"still-there", seconds=5.0)
        await ws.send_json(["stdin", "y" * (2 * 1024 * 1024)])
        await _read_until(ws, b"\x00never", seconds=10.0)  # output already on its way, then the close
        assert ws.closed and ws.close_code == 1009  # message too big
    await _wait_gone([app], REAP_WITHIN)
    assert not _alive(app)
    assert _get(server.base + "?token=" + TOKEN)[0] == 200, "the server serves on"


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
async def test_a_flood_of_keys_is_cut_off_and_the_session_closed(server):
    """Unbounded, 1 MB of keys in 16 KB frames kept an app at full CPU and growing by ~15 MB a second."""
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.ws_url(), origin=server.origin)
        await _read_until(ws, b"\x1b", seconds=START_TIMEOUT)
        app = max(server.apps())
        for _ in range(64):
            await ws.send_json(["stdin", "a" * 16000])
        await _read_until(ws, b"\x00never", seconds=10.0)
        assert ws.closed and ws.close_code == 1008
    await _wait_gone([app], REAP_WITHIN)
    assert not _alive(app)
    assert "input faster than" in server.log()


async def test_malformed_messages_are_ignored_with_one_line_each(server):
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(server.ws_url(), origin=server.origin)
        for bad in ("not json", "{}", "[]", "[1, 2]", '["resize", "big"]', '["resize", {"width": true, "height": 1}]',
                    '["stdin", 5]', '["no-such-type"]', "[" * 5000 + "]" * 5000):
            await ws.send_str(bad)
        await ws.send_bytes(b"\x00\xff binary")
        await ws.send_json(["ping", "after-the-bad-ones"])
        assert b"after-the-bad-ones" in await _read_until(ws, b"after-the-bad-ones", seconds=10.0)
        await ws.close()
    for garbage in (b"\x16\x03\x01 not http\r\n\r\n", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
            raw.sendall(garbage)
            raw.recv(1024)
    log = server.log()
    assert "Traceback" not in log and "locals" not in log
    assert log.count("ignored a message") >= 10
    assert all(line.startswith("guidebot serve: ") for line in log.splitlines() if line)


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
async def test_export_in_a_browser_is_a_download_and_writes_no_server_path(server):
    async with aiohttp.ClientSession() as session:
        ws = await _open_chat(session, server)
        escaped = server.data_dir.parent / "escaped.md"
        await ws.send_json(["stdin", f"/export {escaped}\r"])
        received = await _read_until(ws, b"deliver_file_start", seconds=10.0)
        key = re.search(rb'\["deliver_file_start", "([^"]+)"\]', received).group(1).decode()
        assert _get(f"{server.base}download/{key}")[0] == 403, "a download needs the token too"
        async with session.get(f"{server.base}download/{key}?token={TOKEN}") as response:
            body = await response.text()
            assert response.status == 200
            assert "attachment" in response.headers["Content-Disposition"]
        assert body.startswith("# guidebot chat")
        await ws.close()
    assert not escaped.exists()
    assert not list(server.cwd.iterdir())


STUBBORN_APP = """
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])
open("grandchild.pid", "w").write(str(child.pid))
while True:
    time.sleep(0.05)  # reads no stdin (no quit), ignores SIGTERM: as an app stuck laying out a huge screen
"""


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
async def test_an_app_that_ignores_quit_and_sigterm_is_killed_with_what_it_started(tmp_path):
    from textual_serve.download_manager import DownloadManager

    async def nothing(*_args):
        return None

    app = AppSession(
        "stubborn", [sys.executable, "-c", STUBBORN_APP], tmp_path,
        write_bytes=nothing, write_str=nothing, close=nothing, download_manager=DownloadManager(),
    )
    await app.start(80, 24)
    pid_file = tmp_path / "grandchild.pid"  # the app runs in its session directory
    deadline = time.monotonic() + START_TIMEOUT
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    grandchild = int(pid_file.read_text())
    started = time.monotonic()
    await app.stop()
    took = time.monotonic() - started
    assert took < REAP_WITHIN and not _alive(app.pid)
    assert await _wait_gone([grandchild], 1.0) < 1.0 and not _alive(grandchild), "its process group goes too"


# -- the server as a whole ----------------------------------------------------------------------------------


async def test_the_session_cap_refuses_the_next_and_idle_sessions_close(tmp_path):
    served = _start(tmp_path, "--max-sessions", "1", "--idle-timeout", "1")
    try:
        async with aiohttp.ClientSession() as session:
            first = await session.ws_connect(served.ws_url(), origin=served.origin)
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(served.ws_url(), origin=served.origin)
            assert refused.value.status == 503
            # nothing typed: the idle timeout closes the first, and its slot is free again
            await _read_until(first, b"\x00never", seconds=8.0)
            assert first.closed
            deadline = time.monotonic() + REAP_WITHIN
            while "ended after" not in served.log() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            again = await session.ws_connect(served.ws_url(), origin=served.origin)
            await again.close()
        assert "closed after 1 s idle" in served.log()
    finally:
        _stop(served)


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
async def test_a_killed_server_leaves_no_app_running_and_the_next_one_clears_its_data(tmp_path):
    served = _start(tmp_path)
    try:
        async with aiohttp.ClientSession() as session:
            await _open_chat(session, served)
            apps = served.apps()
            left = list((served.data_dir / "serve").iterdir())
            served.process.kill()  # no clean-up by the server: the apps notice it is gone
            served.process.wait(timeout=5)
            await _wait_gone(apps, REAP_WITHIN)
            assert apps and not any(_alive(pid) for pid in apps)
        assert left and all(directory.exists() for directory in left)
        served = _start(tmp_path)
        assert not any(directory.exists() for directory in left), "a stale session's data is deleted at start"
    finally:
        _stop(served)


def _serve_once(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "guidebot", "serve", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("guidebot: error:")]
    assert result.returncode == 2 and len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return errors[0]


@pytest.mark.parametrize(
    "args",
    [["--port", "0"], ["--port", "70000"], ["--max-sessions", "0"], ["--idle-timeout", "nan"], ["--token", "short"]],
)
def test_bad_options_are_one_line_errors(args):
    result = _serve_once(*args)
    assert result.returncode == 2 and result.stderr.strip().startswith("guidebot: error:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_taken_port_is_a_one_line_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_error_line(_serve_once("--port", str(port)))
    assert f"127.0.0.1:{port}" in line


def test_an_address_not_here_is_a_one_line_error():
    """192.0.2.1 (TEST-NET-1) is no address of this machine: one line, and no server, so the test never
    listens beyond loopback."""
    result = _serve_once("--host", "192.0.2.1", "--port", str(_free_port()))
    assert "192.0.2.1" in _one_error_line(result)
    assert "WARNING" not in result.stderr  # no exposure warning for a server that never listens


def test_another_host_warns_loudly_before_serving(monkeypatch, capsys):
    """A --host beyond loopback is served only after a loud warning that names the token (the server itself
    is replaced here, so nothing listens)."""
    import argparse

    from guidebot.cli import listen, serve
    from guidebot.ui.web import server

    served = []
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))  # run() extends it for its children

    class NoServer:
        def __init__(self, config):
            served.append(config)

        async def serve(self, ready):
            ready()

    monkeypatch.setattr(listen, "check_listen_address", lambda host, port: False)  # bindable, not loopback
    monkeypatch.setattr(server, "setup_logging", lambda: None)
    monkeypatch.setattr(server, "GuidebotServer", NoServer)
    args = argparse.Namespace(host="0.0.0.0", port=8123, token=None, max_sessions=8, idle_timeout=60.0)
    assert serve.run(args) == 0
    out, err = capsys.readouterr()
    assert "WARNING" in err and "token" in err and "0.0.0.0" in err
    assert served and served[0].loopback is False and "token=" in out


def test_the_token_is_random_and_printed_in_the_url(tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "GUIDEBOT_DATA_DIR": str(tmp_path)}
    env.pop("GUIDEBOT_SERVE_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "guidebot", "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/\?token=([0-9a-f]+))", line)
        assert match and len(match.group(2)) >= 32, line
        assert _get(match.group(1))[0] == 200
        assert _get(f"http://127.0.0.1:{port}/")[0] == 403
    finally:
        process.terminate()
        process.wait(timeout=15)


# -- the app under serve, without a server --------------------------------------------------------------


async def test_export_under_serve_delivers_and_writes_nothing(tmp_path, monkeypatch):
    from guidebot.ui.app import GuidebotApp
    from ui_helpers import SIZE, started, submit

    monkeypatch.setenv("GUIDEBOT_SERVE", "1")
    app = GuidebotApp(resume=False)
    delivered = []
    monkeypatch.setattr(app, "deliver_text", lambda file, **kw: delivered.append((file.read(), kw)))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "what is the VEGF cutoff?")
        outside = tmp_path / "elsewhere" / "chat.md"
        outside.parent.mkdir()
        for typed in (f"/export {outside}", "  /EXPORT chat.md", "/export"):
            await submit(pilot, typed)
        assert len(delivered) == 6  # each /export: the chat as Markdown, then the assessment as an HTML page
        for (text, options), (page, page_options) in zip(delivered[::2], delivered[1::2]):
            assert "what is the VEGF cutoff" in text
            assert options["save_filename"].endswith(".md") and "/" not in options["save_filename"]
            assert page.startswith("<!DOCTYPE html>") and page_options["save_filename"].endswith(".html")
        assert any("downloads" in n.message for n in app._notifications)
    assert list(tmp_path.rglob("*.md")) == []


# -- the message checks, without a server ---------------------------------------------------------------


def test_the_input_budget_allows_a_burst_then_the_rate():
    budget = InputBudget(rate=1000, burst=4000, now=0.0)
    assert budget.spend(4000, 0.0) and not budget.spend(1, 0.0)
    assert not budget.spend(1500, 1.0) and budget.spend(1000, 1.0)
    assert budget.spend(4000, 100.0) and not budget.spend(4001, 200.0), "the burst is a ceiling, not a savings account"


def test_read_envelope_bounds_and_checks():
    limits = Limits()
    resize = read_envelope('["resize", {"width": 20000, "height": -5}]', limits)
    assert (resize.width, resize.height) == (limits.max_width, 1)
    assert read_envelope('["stdin", "abc"]', limits).text == "abc"
    for bad in ('["stdin", "' + "x" * (limits.max_stdin_bytes + 1) + '"]', '["resize", {"width": 1.5, "height": 2}]',
                '"stdin"', "[[]]", "nope"):
        with pytest.raises(ValueError):
            read_envelope(bad, limits)
