"""`guidebot serve`: the page and every asset it names load from this machine (no CDN, no external URL)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

pytest.importorskip("textual_serve")

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a localhost URL built here
        return response.status, response.read()


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "GUIDEBOT_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen(
        [sys.executable, "-m", "guidebot", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while True:
        try:
            _get(base)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"the server did not start: {process.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_page_and_assets_load_with_no_external_url(server):
    status, body = _get(server)
    assert status == 200
    page = body.decode()
    assert "fonts.googleapis" not in page and "guidebot" in page
    parser = _Assets()
    parser.feed(page)
    assert any(url.endswith(".ttf") for url in parser.urls), "the shipped font files are declared"
    assert any(url.endswith("textual.js") for url in parser.urls)
    for url in parser.urls:
        absolute = urljoin(server, url)
        assert urlparse(absolute).hostname in LOCAL_HOSTS, f"{url} leaves the machine"
        status, content = _get(absolute)
        assert status == 200 and content, url
    # the websocket the page is built with is this server's too
    socket_url = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
    assert urlparse(socket_url).hostname in LOCAL_HOSTS


def test_css_it_loads_names_no_external_url(server):
    _status, body = _get(urljoin(server, "static/css/xterm.css"))
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", body.decode()):
        assert url.startswith("data:") or urlparse(urljoin(server, url)).hostname in LOCAL_HOSTS


def test_bad_port_is_a_one_line_error():
    result = subprocess.run(
        [sys.executable, "-m", "guidebot", "serve", "--port", "0"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("guidebot: error:") and len(result.stderr.strip().splitlines()) == 1


async def test_a_browser_session_runs_the_chat(server):
    aiohttp = pytest.importorskip("aiohttp")
    received = b""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(urljoin(server, "ws?width=80&height=24")) as ws:
            await ws.send_json(["resize", {"width": 80, "height": 24}])
            deadline = time.monotonic() + 20
            while b"POEMS" not in received and time.monotonic() < deadline:
                message = await ws.receive(timeout=20)
                if message.type not in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                    break
                received += message.data if isinstance(message.data, bytes) else message.data.encode()
    assert b"POEMS" in received, received[-500:]
