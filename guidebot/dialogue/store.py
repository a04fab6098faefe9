"""Session persistence: each chat's event log as JSON lines in `<data dir>/sessions/<session_id>.jsonl`.

Called by the dialogue manager after every turn (`append`) and by `chat --resume` / `DialogueManager.resume`
(`open` + `load`). A turn's events are written with one `write` and flushed to disk, so a chat killed
mid-turn loses at most that turn; `load` drops an incomplete last turn and reports real corruption as a
one-line `GuidebotError`.

The data is private and bounded: the directory is 0700 and every log 0600 whatever the umask
(`guidebot.userdata`); a session being written is locked, so a second process resuming it is told so
instead of interleaving its turns; old sessions are pruned (`Retention`: 200 sessions, 90 days by
default). `list_sessions`, `read_events`, `export_session`, `delete_session` and `prune_sessions` are the
API of `guidebot sessions` and of any session browser.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from guidebot.dialogue.events import BotSaid, Event, MalformedEvent, SessionStarted, UserSaid, event_from_json, events_to_jsonl
from guidebot.errors import GuidebotError, InputError
from guidebot.limits import MAX_DEPTH, MAX_SESSION_BYTES, UnreadableFile, read_capped, too_many_digits
from guidebot.text import clean_text
from guidebot.userdata import data_dir, open_private, private_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: an O_EXCL lock file with the owner's pid instead
    fcntl = None  # type: ignore[assignment]

SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
"""What a session id may look like (it becomes a file name, so no slashes or dots at the start)."""


def sessions_dir(directory: Path | str | None = None) -> Path:
    """Where session logs live."""
    return Path(directory) if directory is not None else data_dir() / "sessions"


def new_session_id() -> str:
    """A fresh id: UTC time (sortable) plus a random suffix (two chats started in the same second differ)."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


KEEP_SESSIONS_ENV = "GUIDEBOT_KEEP_SESSIONS"
"""Environment variable: how many sessions to keep (the newest); 0 keeps every one."""
KEEP_DAYS_ENV = "GUIDEBOT_KEEP_DAYS"
"""Environment variable: how many days a session is kept after its last turn; 0 keeps them for ever."""
DEFAULT_KEEP_SESSIONS = 200
DEFAULT_KEEP_DAYS = 90


class SessionInUse(GuidebotError):
    """The session is open in another running guidebot (it holds the session's lock)."""


@dataclass(frozen=True)
class Retention:
    """How many sessions are kept, and for how long; 0 lifts that bound."""

    keep: int = DEFAULT_KEEP_SESSIONS
    """Keep at most this many sessions (the most recently used)."""
    days: int = DEFAULT_KEEP_DAYS
    """Delete sessions whose last turn is older than this many days."""

    @classmethod
    def from_env(cls) -> Retention:
        """The retention set by GUIDEBOT_KEEP_SESSIONS / GUIDEBOT_KEEP_DAYS (the defaults where unset)."""
        return cls(_env_count(KEEP_SESSIONS_ENV, DEFAULT_KEEP_SESSIONS), _env_count(KEEP_DAYS_ENV, DEFAULT_KEEP_DAYS))


def _env_count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise InputError(f"{name} must be a whole number >= 0 (0 = no limit), not {clean_text(raw, 40)!r}")
    return int(raw)


@dataclass(frozen=True)
class SessionSummary:
    """One saved session as a list shows it; read without locking (the session may be in use)."""

    session_id: str
    """The id (`guidebot --resume ID`, `guidebot sessions show ID`)."""
    started: str
    """When it started, UTC, `YYYY-MM-DD HH:MM`."""
    updated: float
    """When its last turn was saved (seconds since the epoch)."""
    first_question: str
    """The first thing the person typed (cleaned, at most 80 characters); "" when nothing yet."""
    verdict: str | None
    """The verdict of the last finished assessment in it (`meets_criteria`, ...), or None."""
    turns: int
    """How many times the person typed something."""
    in_use: bool
    """Whether a running guidebot holds it open."""
    path: Path
    """The log file."""


# -- locking -------------------------------------------------------------------------------------------

_held: dict[str, list[int]] = {}
"""Lock file -> [descriptor, holders]: the stores of one process share their session's lock (a resumed
manager and the one that wrote the session may live side by side); other processes are refused."""


def _lock_path(directory: Path, session_id: str) -> Path:
    return directory / f"{session_id}.lock"


def _acquire(path: Path, session_id: str) -> None:
    key = str(path)
    if key in _held:
        _held[key][1] += 1
        return
    for _ in range(3):
        fd = open_private(path, os.O_RDWR)
        if fcntl is None:  # pragma: no cover - no flock on this platform: first come, first served
            break
        if not _lock_soon(fd):
            owner = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            pid = f" (process {owner})" if owner.isdigit() else ""
            raise SessionInUse(
                f"chat session {session_id!r} is open in another guidebot{pid}; close it there first, or start a new session"
            ) from None
        # the holder before us may have deleted the file between our open and our lock: lock the live one
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    else:  # the file was replaced under us every time: never write into a closed descriptor
        raise SessionInUse(f"chat session {session_id!r} is being opened by another guidebot; try again")
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _held[key] = [fd, 1]


LOCK_TRIES = 5
"""How often a busy session lock is tried, 10 ms apart, before it counts as held: `is_in_use` (the session
list) takes the lock for an instant to probe it, and must not make a resume at that moment fail."""


def _lock_soon(fd: int) -> bool:
    """Take the exclusive lock on `fd`, retrying briefly; False when another process keeps holding it."""
    import time

    for attempt in range(LOCK_TRIES):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if attempt + 1 < LOCK_TRIES:
                time.sleep(0.01)
    return False


def _release(path: Path) -> None:
    held = _held.get(str(path))
    if held is None:
        return
    held[1] -= 1
    if held[1] > 0:
        return
    del _held[str(path)]
    try:
        path.unlink(missing_ok=True)  # removed while still locked, so nobody locks a file about to go
    except OSError:
        pass
    os.close(held[0])


def is_in_use(session_id: str, directory: Path | str | None = None) -> bool:
    """Whether another process holds the session open (a lock file left by a killed process is not a lock)."""
    path = _lock_path(sessions_dir(directory), session_id)
    if str(path) in _held or fcntl is None:
        return str(path) in _held
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's lock, if it got one
    return False


# -- one session -------------------------------------------------------------------------------------


class SessionStore:
    """One session's log file: append a turn's events, load them back; holds the session's lock while in use."""

    def __init__(self, session_id: str | None = None, directory: Path | str | None = None):
        self.session_id = session_id or new_session_id()
        """The session's id (its file name without `.jsonl`)."""
        if not SESSION_ID.fullmatch(self.session_id):
            raise GuidebotError(f"invalid session id {self.session_id!r}: use letters, digits, '-', '_' and '.'")
        self.directory = sessions_dir(directory)
        """The sessions directory."""
        self._retention = Retention.from_env()  # a bad setting is named before anything is written, not after
        self._in_data_dir = directory is None
        self._locked = False

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:  # noqa: BLE001 - at interpreter exit the process's end releases the lock anyway
            pass

    @property
    def path(self) -> Path:
        """The log file."""
        return self.directory / f"{self.session_id}.jsonl"

    @classmethod
    def latest_id(cls, directory: Path | str | None = None) -> str | None:
        """The most recently written session's id, or None when there is none."""
        summaries = _logs(sessions_dir(directory))
        return summaries[0][1].stem if summaries else None

    @classmethod
    def open(cls, session_id: str | None = None, directory: Path | str | None = None) -> SessionStore:
        """The store of an existing session (the latest when `session_id` is None), locked for this process.

        GuidebotError when it is missing; `SessionInUse` when another running guidebot has it open.
        """
        if session_id is None:
            session_id = cls.latest_id(directory)
            if session_id is None:
                raise GuidebotError(f"no saved chat session to resume in {sessions_dir(directory)}")
        store = cls(session_id, directory)
        if not store.path.is_file():
            raise GuidebotError(f"no saved chat session {session_id!r} (looked for {store.path})")
        store.lock()
        return store

    def lock(self) -> None:
        """Take the session's lock (again a no-op); `SessionInUse` when another process holds it."""
        if not self._locked:
            if self._in_data_dir:
                private_dir(data_dir())
            try:
                private_dir(self.directory)
                _acquire(_lock_path(self.directory, self.session_id), self.session_id)
            except OSError as exc:
                raise GuidebotError(f"cannot use the sessions directory {self.directory}: {exc.strerror or exc}") from None
            self._locked = True

    def release(self) -> None:
        """Give the lock back (the process's exit does too, even a kill)."""
        if getattr(self, "_locked", False):
            self._locked = False
            _release(_lock_path(self.directory, self.session_id))

    def append(self, events: list[Event]) -> None:
        """Append events as JSON lines with a single write, flushed to disk (a turn survives a crash whole or not at all).

        The first write of a new session also prunes old sessions (`Retention.from_env`).
        """
        if not events:
            return
        payload = events_to_jsonl(events)
        try:
            new = not self._locked and not self.path.exists()
            self.lock()
            fd = open_private(self.path, os.O_WRONLY | os.O_APPEND)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise GuidebotError(f"cannot save the chat session to {self.path}: {exc.strerror or exc}") from exc
        if new:
            prune_sessions(self._retention, self.directory)

    def load(self) -> list[Event]:
        """The session's events up to its last complete turn; GuidebotError when the file is unreadable or corrupt.

        A torn last line (the process was killed while writing) and the events of an unfinished turn are
        dropped, and the file is rewritten without them so that new turns append cleanly (only under the lock).
        """
        log = _parse_log(self.path, self.session_id)
        if (log.torn or len(log.complete) != len(log.events)) and self._locked:
            self._rewrite(log.complete_text)
        return log.complete

    def _rewrite(self, payload: str) -> None:
        """Replace the file with `payload` atomically (write a temporary file, then rename it over)."""
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


# -- reading a log -------------------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _bounded_number(text: str) -> float:
    if too_many_digits(text):
        raise _Refused("a number with too many digits")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number")


def _clean_value(value: Any, depth: int = 0) -> Any:
    """A loaded value with every string cleaned (a log is input: a planted escape code must not reach a terminal)."""
    if depth > MAX_DEPTH:
        raise _Refused("nested too deeply")
    if isinstance(value, str):
        return clean_text(value, keep_newlines=True)
    if isinstance(value, list):
        return [_clean_value(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {clean_text(str(k), 200): _clean_value(v, depth + 1) for k, v in value.items()}
    return value


class _Log(NamedTuple):
    events: list[Event]
    """Every event read."""
    torn: bool
    """Whether the last line was torn."""
    complete: list[Event]
    """The events up to the last complete turn."""
    complete_text: str
    """Their lines as they are in the file: a repair drops what follows and rewrites nothing it keeps (a newer
    guidebot's extra keys, keys an older one did not write)."""


def _parse_log(path: Path, session_id: str) -> _Log:
    """The log read: its events, whether it was torn, and its events and lines up to the last complete turn."""
    try:
        raw = read_capped(path, MAX_SESSION_BYTES)
    except UnreadableFile as exc:
        if exc.reason == "no such file":
            raise GuidebotError(f"no saved chat session {session_id!r} (looked for {path})") from None
        raise GuidebotError(f"cannot read chat session {path}: {exc.reason}") from None
    lines = raw.decode("utf-8", errors="replace").split("\n")
    events: list[Event] = []
    line_of: list[int] = []  # each event's line number
    torn = False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line, parse_int=_bounded_number, parse_float=_bounded_number, parse_constant=_refuse_constant)
            event = _clean_value(event)
        except json.JSONDecodeError:
            # only the very last line may be torn by a kill; anything earlier is corruption
            if all(not rest.strip() for rest in lines[number:]):
                torn = True
                break
            raise GuidebotError(f"{path}:{number}: corrupt chat session (not a JSON object)") from None
        except (_Refused, RecursionError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, _Refused) else "nested too deeply or malformed"
            raise GuidebotError(f"{path}:{number}: corrupt chat session ({reason})") from None
        try:
            events.append(event_from_json(event))
        except MalformedEvent as exc:
            raise GuidebotError(f"{path}:{number}: corrupt chat session ({exc})") from None
        line_of.append(number)
    last_turn_end = max((i for i, e in enumerate(events) if isinstance(e, BotSaid)), default=-1)
    if last_turn_end < 0:
        raise GuidebotError(f"{path}: corrupt chat session (no complete turn)")
    kept = "".join(line + "\n" for line in lines[: line_of[last_turn_end]] if line.strip())
    return _Log(events, torn, events[: last_turn_end + 1], kept)


# -- every session -------------------------------------------------------------------------------------


def _logs(folder: Path) -> list[tuple[float, Path]]:
    """(mtime, path) of every session log in `folder`, the most recent first; regular files only."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.endswith(".jsonl") or not SESSION_ID.fullmatch(entry.name[: -len(".jsonl")]):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                found.append((entry.stat(follow_symlinks=False).st_mtime, Path(entry.path)))
        except OSError:
            continue
    return sorted(found, key=lambda item: (item[0], item[1].name), reverse=True)


def session_ids(directory: Path | str | None = None) -> list[str]:
    """The ids of every saved session, the most recently used first (cheap: nothing is read)."""
    return [path.name[: -len(".jsonl")] for _, path in _logs(sessions_dir(directory))]


def read_events(session_id: str, directory: Path | str | None = None) -> list[Event]:
    """A saved session's events up to its last complete turn, read without taking its lock or repairing it."""
    store = SessionStore(session_id, directory)
    return _parse_log(store.path, session_id).complete


def _summary(path: Path, mtime: float) -> SessionSummary:
    session_id = path.name[: -len(".jsonl")]
    try:
        events = _parse_log(path, session_id).complete
    except GuidebotError:
        events = []
    started = next((e.started for e in events if isinstance(e, SessionStarted) and e.started), None)
    when = started.replace("T", " ")[:16] if started else time.strftime("%Y-%m-%d %H:%M", time.gmtime(mtime))
    said = [e.text for e in events if isinstance(e, UserSaid)]
    verdicts = [e.turn.assessment.verdict for e in events if isinstance(e, BotSaid) and e.turn.assessment is not None]
    verdict = next((v for v in reversed(verdicts) if isinstance(v, str)), None)
    return SessionSummary(
        session_id=session_id,
        started=when,
        updated=mtime,
        first_question=clean_text(next((t for t in said if t), ""), 80),
        verdict=verdict,
        turns=len(said),
        in_use=is_in_use(session_id, path.parent),
        path=path,
    )


def list_sessions(directory: Path | str | None = None) -> list[SessionSummary]:
    """Every saved session, the most recently used first (an unreadable log is listed with no turns)."""
    return [_summary(path, mtime) for mtime, path in _logs(sessions_dir(directory))]


def delete_session(session_id: str, directory: Path | str | None = None) -> None:
    """Delete a saved session; GuidebotError when there is none, `SessionInUse` when a running guidebot has it."""
    store = SessionStore(session_id, directory)
    if not store.path.is_file():
        raise GuidebotError(f"no saved chat session {session_id!r} (looked for {store.path})")
    if str(_lock_path(store.directory, session_id)) in _held:
        raise SessionInUse(f"chat session {session_id!r} is open in this guidebot; it cannot be deleted while in use")
    store.lock()  # refuses a session in use, and keeps anyone from opening it while it goes
    try:
        store.path.unlink()
    except OSError as exc:
        raise GuidebotError(f"cannot delete {store.path}: {exc.strerror or exc}") from exc
    finally:
        store.release()


def prune_sessions(retention: Retention | None = None, directory: Path | str | None = None, now: float | None = None) -> list[str]:
    """Delete the sessions `retention` does not keep (never one in use); returns the ids deleted."""
    retention = retention or Retention.from_env()
    now = time.time() if now is None else now
    logs = _logs(sessions_dir(directory))
    doomed = []
    for rank, (mtime, path) in enumerate(logs):
        too_many = retention.keep and rank >= retention.keep
        too_old = retention.days and now - mtime > retention.days * 86400
        if too_many or too_old:
            doomed.append(path.name[: -len(".jsonl")])
    deleted = []
    for session_id in doomed:
        try:
            delete_session(session_id, directory)
        except GuidebotError:
            continue  # in use, or gone meanwhile: the next prune tries again
        deleted.append(session_id)
    return deleted


def export_session(session_id: str, directory: Path | str | None = None, kb: Any = None) -> str:
    """A saved session as the Markdown document `/export` writes (read-only: a session in use can be exported)."""
    from guidebot.dialogue.manager import DialogueManager

    events = read_events(session_id, directory)
    try:
        return DialogueManager(kb=kb, store=None, events=events).export_markdown()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GuidebotError(f"{sessions_dir(directory)}/{session_id}.jsonl: corrupt chat session ({type(exc).__name__})") from None
