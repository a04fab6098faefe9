"""A learner's cards, review log and quizzes in SQLite, scheduled by the `fsrs` library.

Called by `QuizSession` (review, due counts, quiz progress for `--resume`) and `guidebot quiz --stats`.
The database lives in the user data directory (`GUIDEBOT_DATA_DIR` overrides it) as `learning.sqlite3`:
the directory is 0700 and the database 0600 whatever the umask (SQLite gives its -wal and -shm files the
database's own mode). WAL mode and a busy timeout let two windows quiz at once; the schema version is
SQLite's `user_version`, and `MIGRATIONS` bring an older file up to date.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from guidebot.errors import GuidebotError
# the one data directory and the one way to make private files (the chat's sessions use the same)
from guidebot.userdata import data_dir, open_private, private_dir

DB_NAME = "learning.sqlite3"

MIGRATIONS: tuple[str, ...] = (
    # 1: cards (one per item, the fsrs Card as JSON) and the review log
    """
    CREATE TABLE cards (
        item_id TEXT PRIMARY KEY,
        section TEXT NOT NULL,
        kind TEXT NOT NULL,
        card TEXT NOT NULL,
        due TEXT NOT NULL,
        reviews INTEGER NOT NULL DEFAULT 0,
        lapses INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX cards_due ON cards(due);
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        item_id TEXT NOT NULL,
        rating INTEGER NOT NULL,
        correct INTEGER NOT NULL,
        reviewed_at TEXT NOT NULL,
        log TEXT NOT NULL
    );
    """,
    # 2: quizzes, so that a stopped or interrupted quiz can be resumed
    """
    CREATE TABLE quizzes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        options TEXT NOT NULL,
        item_ids TEXT NOT NULL,
        position INTEGER NOT NULL DEFAULT 0,
        answered INTEGER NOT NULL DEFAULT 0,
        correct INTEGER NOT NULL DEFAULT 0,
        finished INTEGER NOT NULL DEFAULT 0
    );
    """,
)
"""Migration n+1 takes a database at `user_version` n to n+1; never edit one that has shipped, add another."""

SCHEMA_VERSION = len(MIGRATIONS)
MAX_REVIEWS = 20_000
"""The review log keeps at most this many rows (the oldest go first): user data stays bounded."""
MAX_QUIZZES = 200
"""Finished quizzes beyond this many are forgotten."""
BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another window's write to finish."""


def make_scheduler() -> Any:
    """The fsrs scheduler with the library's default parameters; fuzzing off, so the same answers on the same
    days give the same intervals (a teacher's seeded quiz, and tests that compare with fsrs itself)."""
    from fsrs import Scheduler

    return Scheduler(enable_fuzzing=False)


def stamp(moment: datetime) -> str:
    """A time as sortable text, always in the same UTC format (so SQL can compare due dates as strings)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (what fsrs expects)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class SectionStats:
    """Mastery of one section of the review (`quiz --stats`, the UI's chart)."""

    section: str
    items: int
    """Items the bank holds in this section."""
    seen: int
    """Items the learner has answered at least once."""
    due: int
    """Seen items due for review now."""
    mastery: float
    """Mean probability of recall (fsrs retrievability) over all the section's items; unseen items and items
    still in (re)learning count 0."""


@dataclass(frozen=True)
class SavedQuiz:
    """A quiz in progress, as saved for `--resume`."""

    id: int
    options: dict[str, Any]
    item_ids: list[str]
    position: int
    answered: int
    correct: int


def _saved_or_error(method):
    """A write to the learning database that fails (another window holding it past the busy timeout, a full
    disk) becomes one clear GuidebotError, never an internal error with a traceback."""
    import functools

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise GuidebotError(f"{self.path}: the learning progress could not be saved ({exc}); "
                                "close other guidebot quiz windows and try again") from None

    return wrapper


class LearningStore:
    """One learner's database; `now` is injectable so a test can simulate days passing."""

    def __init__(self, directory: Path | str | None = None, now: Callable[[], datetime] = utcnow):
        self.directory = Path(directory) if directory is not None else data_dir()
        """The data directory holding the database."""
        self.now = now
        """The clock."""
        self.path = self.directory / DB_NAME
        """The database file."""
        self.scheduler = make_scheduler()
        """The fsrs scheduler."""
        try:
            private_dir(self.directory)
            for suffix in ("", "-wal", "-shm"):
                if suffix == "" or (self.directory / (DB_NAME + suffix)).exists():
                    os.close(open_private(self.directory / (DB_NAME + suffix), os.O_RDWR))
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            # WAL's recommended durability: a power cut may lose the last answer, never corrupt the file
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise GuidebotError(f"cannot open the learning database {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        """Bring the schema up to SCHEMA_VERSION, one migration per transaction (a second window waits)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise GuidebotError(f"{self.path} was written by a newer guidebot (schema {version}, this one knows {SCHEMA_VERSION})")
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # -- cards -------------------------------------------------------------------------------------------

    def card(self, item_id: str) -> Any | None:
        """The fsrs Card of an item, or None when it was never reviewed."""
        from fsrs import Card

        row = self.db.execute("SELECT card FROM cards WHERE item_id = ?", (item_id,)).fetchone()
        return Card.from_json(row[0]) if row else None

    @_saved_or_error
    def review(self, item_id: str, section: str, kind: str, rating: int, correct: bool) -> Any:
        """Record one answer: fsrs schedules the card, the card and the log entry are saved; returns the card."""
        from fsrs import Card, Rating

        now = self.now()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            card = self.card(item_id)
            if card is None:
                # a stable id from the item, so no clock-based id (and fsrs's 1 ms sleep) is needed
                card = Card(card_id=abs(hash_id(item_id)), due=now)
            card, log = self.scheduler.review_card(card, Rating(rating), review_datetime=now)
            self.db.execute(
                "INSERT INTO cards(item_id, section, kind, card, due, reviews, lapses) VALUES (?, ?, ?, ?, ?, 1, ?)"
                " ON CONFLICT(item_id) DO UPDATE SET card = excluded.card, due = excluded.due,"
                " reviews = reviews + 1, lapses = lapses + excluded.lapses",
                (item_id, section, kind, card.to_json(), stamp(card.due), 0 if correct else 1),
            )
            self.db.execute(
                "INSERT INTO reviews(item_id, rating, correct, reviewed_at, log) VALUES (?, ?, ?, ?, ?)",
                (item_id, rating, int(correct), now.isoformat(), log.to_json()),
            )
            self.db.execute("DELETE FROM reviews WHERE id <= (SELECT MAX(id) FROM reviews) - ?", (MAX_REVIEWS,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return card

    def due_ids(self, item_ids: set[str] | None = None) -> list[str]:
        """Ids of reviewed items due now, most overdue first (only those in `item_ids` when given)."""
        rows = self.db.execute("SELECT item_id FROM cards WHERE due <= ? ORDER BY due, item_id", (stamp(self.now()),)).fetchall()
        return [r[0] for r in rows if item_ids is None or r[0] in item_ids]

    def review_log(self, item_id: str) -> list[Any]:
        """The fsrs ReviewLogs of an item, oldest first."""
        from fsrs import ReviewLog

        rows = self.db.execute("SELECT log FROM reviews WHERE item_id = ? ORDER BY id", (item_id,)).fetchall()
        return [ReviewLog.from_json(r[0]) for r in rows]

    def stats(self, bank_items: list[Any]) -> list[SectionStats]:
        """Mastery and due counts per section of `bank_items` (an Item list), in the bank's section order."""
        from fsrs import Card, State

        now = self.now()
        cards = {row[0]: (Card.from_json(row[1]), row[2]) for row in self.db.execute("SELECT item_id, card, due FROM cards")}
        totals: dict[str, list[float]] = {}
        for item in bank_items:
            entry = totals.setdefault(item.section, [0, 0, 0, 0.0])
            entry[0] += 1
            found = cards.get(item.id)
            if found is None:
                continue
            card, due = found
            entry[1] += 1
            if due <= stamp(now):
                entry[2] += 1
            # a card still in (re)learning is not mastered yet, however recently it was seen
            if card.state == State.Review:
                entry[3] += self.scheduler.get_card_retrievability(card, current_datetime=now)
        return [SectionStats(s, int(t[0]), int(t[1]), int(t[2]), t[3] / t[0] if t[0] else 0.0) for s, t in totals.items()]

    # -- quizzes -----------------------------------------------------------------------------------------

    @_saved_or_error
    def start_quiz(self, options: dict[str, Any], item_ids: list[str]) -> int:
        """Save a new quiz; returns its id. Old finished quizzes beyond MAX_QUIZZES are dropped."""
        cursor = self.db.execute(
            "INSERT INTO quizzes(started_at, options, item_ids) VALUES (?, ?, ?)",
            (self.now().isoformat(), json.dumps(options), json.dumps(item_ids)),
        )
        self.db.execute("DELETE FROM quizzes WHERE finished = 1 AND id <= (SELECT MAX(id) FROM quizzes) - ?", (MAX_QUIZZES,))
        return int(cursor.lastrowid or 0)

    @_saved_or_error
    def save_progress(self, quiz_id: int, position: int, answered: int, correct: int, finished: bool) -> None:
        """Save where a quiz stands."""
        self.db.execute(
            "UPDATE quizzes SET position = ?, answered = ?, correct = ?, finished = ? WHERE id = ?",
            (position, answered, correct, int(finished), quiz_id),
        )

    def unfinished_quiz(self) -> SavedQuiz | None:
        """The latest quiz that was not finished, or None."""
        row = self.db.execute(
            "SELECT id, options, item_ids, position, answered, correct FROM quizzes WHERE finished = 0 ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        try:
            return SavedQuiz(row[0], json.loads(row[1]), list(json.loads(row[2])), row[3], row[4], row[5])
        except (ValueError, TypeError) as exc:
            raise GuidebotError(f"{self.path}: quiz {row[0]} is corrupt ({exc})") from exc


def hash_id(text: str) -> int:
    """A stable 63-bit number for an item id (Python's hash() changes between runs)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") >> 1
