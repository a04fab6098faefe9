"""`check_listen_address`: a taken port or a bad `--host` for `guidebot serve` as one line (exit 2), found
before the server starts, instead of an OSError from deep inside it."""

from __future__ import annotations

import errno
import ipaddress
import socket

from guidebot.errors import InputError
from guidebot.text import clean_text


def check_listen_address(host: str, port: int) -> bool:
    """Raise InputError naming what is wrong when `host:port` cannot be listened on; when it can, return
    whether every address `host` names is loopback (anything else gets the exposure warning).

    Binds a throw-away socket the way the server will (SO_REUSEADDR, as aiohttp does), then closes it.
    """
    shown = clean_text(host, 100) or "''"
    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) and exc.strerror else "not a host name or address"
        raise InputError(f"--host {shown}: cannot be resolved ({reason})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"{shown}:{port} is already in use (port {port}); choose another with --port") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise InputError(f"--host {shown} is not an address of this machine") from None
            if exc.errno == errno.EACCES:
                raise InputError(f"no permission to listen on port {port} (ports below 1024 need privileges)") from None
            raise InputError(f"cannot listen on {shown}:{port} ({exc.strerror or exc})") from None
    return all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)
