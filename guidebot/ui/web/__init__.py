"""The chat in a browser: `server.py` (the guarded textual-serve server) and `app_index.html` (its page).

Nothing heavy is imported here: the chat screen and `guidebot ui` read `SERVE_ENV` and call `end_with_server`.
"""

from __future__ import annotations

import os
import threading
import time

SERVE_ENV = "GUIDEBOT_SERVE"
"""Set to 1 in every served session's environment: the app then delivers `/export` as a browser download
and never writes a path on the server."""


def end_with_server(poll_seconds: float = 1.0) -> None:
    """End this process as soon as the server that started it is gone.

    The server reaps its sessions when it stops cleanly; this covers a server killed outright (SIGKILL, OOM),
    whose apps would otherwise run on with no one to talk to.
    """
    server = os.getppid()

    def watch() -> None:
        while os.getppid() == server:
            time.sleep(poll_seconds)
        os._exit(1)  # no clean-up left to do: the session's log is flushed after every turn

    threading.Thread(target=watch, name="end-with-server", daemon=True).start()
