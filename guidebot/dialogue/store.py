"""Session persistence: each chat's event log as JSON lines in `<data dir>/sessions/<session_id>.jsonl`.

Called by the dialogue manager after every turn (`append`) and by `chat --resume` / `DialogueManager.resume`
(`open` + `load`). A turn's events are written with one `write` and flushed to disk, so a chat killed
mid-turn loses at most that turn; `load` drops an incomplete last turn and reports real corruption as a
one-line `GuidebotError`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

from guidebot.errors import GuidebotError

SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
"""What a session id may look like (it becomes a file name, so no slashes or dots at the start)."""


def data_dir() -> Path:
    """guidebot's data directory: `$GUIDEBOT_DATA_DIR`, else the platform's user data directory."""
    env = os.environ.get("GUIDEBOT_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs  # only when persisting: keeps `guidebot ask` start-up cheap

    return Path(platformdirs.user_data_dir("guidebot"))


def export_dir() -> Path:
    """Where `/export` writes: `$GUIDEBOT_EXPORT_DIR` (set by `--export-dir`), else `<data dir>/exports`."""
    env = os.environ.get("GUIDEBOT_EXPORT_DIR")
    return Path(env).expanduser() if env else data_dir() / "exports"


def write_private(path: Path, text: str) -> None:
    """Write a user file readable by its owner only (0600; a folder it creates 0700), whatever the umask."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def sessions_dir(directory: Path | str | None = None) -> Path:
    """Where session logs live."""
    return Path(directory) if directory is not None else data_dir() / "sessions"


def new_session_id() -> str:
    """A fresh id: UTC time (sortable) plus a random suffix (two chats started in the same second differ)."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


class SessionStore:
    """One session's log file: append a turn's events, load them back."""

    def __init__(self, session_id: str | None = None, directory: Path | str | None = None):
        self.session_id = session_id or new_session_id()
        """The session's id (its file name without `.jsonl`)."""
        if not SESSION_ID.match(self.session_id):
            raise GuidebotError(f"invalid session id {self.session_id!r}: use letters, digits, '-', '_' and '.'")
        self.directory = sessions_dir(directory)
        """The sessions directory."""

    @property
    def path(self) -> Path:
        """The log file."""
        return self.directory / f"{self.session_id}.jsonl"

    @classmethod
    def latest_id(cls, directory: Path | str | None = None) -> str | None:
        """The most recently written session's id, or None when there is none."""
        folder = sessions_dir(directory)
        if not folder.is_dir():
            return None
        logs = [p for p in folder.glob("*.jsonl") if p.is_file()]
        if not logs:
            return None
        return max(logs, key=lambda p: (p.stat().st_mtime_ns, p.name)).stem

    @classmethod
    def open(cls, session_id: str | None = None, directory: Path | str | None = None) -> SessionStore:
        """The store of an existing session (the latest when `session_id` is None); GuidebotError when missing."""
        if session_id is None:
            session_id = cls.latest_id(directory)
            if session_id is None:
                raise GuidebotError(f"no saved chat session to resume in {sessions_dir(directory)}")
        store = cls(session_id, directory)
        if not store.path.is_file():
            raise GuidebotError(f"no saved chat session {session_id!r} (looked for {store.path})")
        return store

    def append(self, events: list[dict[str, Any]]) -> None:
        """Append events as JSON lines with a single write, flushed to disk (a turn survives a crash whole or not at all)."""
        if not events:
            return
        payload = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise GuidebotError(f"cannot save the chat session to {self.path}: {exc.strerror or exc}") from exc

    def load(self) -> list[dict[str, Any]]:
        """The session's events up to its last complete turn; GuidebotError when the file is unreadable or corrupt.

        A torn last line (the process was killed while writing) and the events of an unfinished turn are
        dropped, and the file is rewritten without them so that new turns append cleanly.
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError as exc:
            raise GuidebotError(f"no saved chat session {self.session_id!r} (looked for {self.path})") from exc
        except OSError as exc:
            raise GuidebotError(f"cannot read chat session {self.path}: {exc.strerror or exc}") from exc
        lines = raw.decode("utf-8", errors="replace").split("\n")
        events: list[dict[str, Any]] = []
        torn = False
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                # only the very last line may be torn by a kill; anything earlier is corruption
                if all(not rest.strip() for rest in lines[number:]):
                    torn = True
                    break
                raise GuidebotError(f"{self.path}:{number}: corrupt chat session (not a JSON object)") from None
            if not isinstance(event, dict) or not isinstance(event.get("event"), str):
                raise GuidebotError(f"{self.path}:{number}: corrupt chat session (not an event)")
            if event["event"] == "bot_said" and not isinstance(event.get("turn"), dict):
                raise GuidebotError(f"{self.path}:{number}: corrupt chat session (bot_said without a turn)")
            events.append(event)
        last_turn_end = max((i for i, e in enumerate(events) if e["event"] == "bot_said"), default=-1)
        if last_turn_end < 0:
            raise GuidebotError(f"{self.path}: corrupt chat session (no complete turn)")
        complete = events[: last_turn_end + 1]
        if torn or len(complete) != len(events):
            self._rewrite(complete)
        return complete

    def _rewrite(self, events: list[dict[str, Any]]) -> None:
        """Replace the file with `events` atomically (write a temporary file, then rename it over)."""
        payload = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{self.session_id}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise GuidebotError(f"cannot repair chat session {self.path}: {exc.strerror or exc}") from exc


class SessionSummary(NamedTuple):
    """One saved session as a session list shows it."""

    session_id: str
    path: Path
    started: str
    """When it started (UTC, `YYYY-MM-DD HH:MM`), from its id or its first event."""
    first_question: str
    """The first thing the person typed ("" when nothing was)."""
    verdict: str | None
    """The verdict of its last assessment (`meets_criteria`, ...), or None when it never assessed a case."""
    messages: int
    """How many lines the person typed."""


MAX_LISTED_SESSIONS = 500
"""A session list shows at most this many of the newest sessions (each is read to summarise it)."""
MAX_SUMMARY_BYTES = 2_000_000
"""Only this much of a session file is read to summarise it (a session list stays quick with huge logs)."""


def list_sessions(directory: Path | str | None = None) -> list[SessionSummary]:
    """The saved sessions, newest first, each with its first question, date and last verdict; unreadable lines
    are skipped (a list is a view: `SessionStore.load` reports corruption when a session is opened)."""
    folder = sessions_dir(directory)
    if not folder.is_dir():
        return []
    logs = sorted((p for p in folder.glob("*.jsonl") if p.is_file()), key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    summaries = []
    for log in logs[:MAX_LISTED_SESSIONS]:
        started, first, verdict, messages = "", "", None, 0
        try:
            with open(log, "rb") as fh:
                raw = fh.read(MAX_SUMMARY_BYTES)
        except OSError:
            continue
        for line in raw.decode("utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(event, dict):
                continue
            if event.get("event") == "session_started" and isinstance(event.get("started"), str):
                started = event["started"].replace("T", " ")[:16]
            elif event.get("event") == "user_said" and isinstance(event.get("text"), str):
                messages += 1
                first = first or event["text"]
            elif event.get("event") == "bot_said" and isinstance(event.get("turn"), dict):
                assessment = event["turn"].get("assessment")
                if isinstance(assessment, dict) and isinstance(assessment.get("verdict"), str):
                    verdict = assessment["verdict"]
        if not started:
            stamp = log.stem[:15]
            started = f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}" if stamp[8:9] == "-" else ""
        summaries.append(SessionSummary(log.stem, log, started, first, verdict, messages))
    return summaries


def delete_session(session_id: str, directory: Path | str | None = None) -> Path:
    """Delete one saved session; returns the file removed. GuidebotError when there is no such session."""
    store = SessionStore(session_id, directory)
    try:
        store.path.unlink()
    except FileNotFoundError:
        raise GuidebotError(f"no saved chat session {session_id!r} (looked for {store.path})") from None
    except OSError as exc:
        raise GuidebotError(f"cannot delete {store.path}: {exc.strerror or exc}") from None
    return store.path
