"""The learner's store: fsrs's own schedule over 30 simulated days, privacy whatever the umask, migrations,
two windows at once, and a quiz resumed where it stopped."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler

from guidebot.errors import GuidebotError
from guidebot.learning.session import QuizOptions, QuizSession
from guidebot.learning.store import DB_NAME, MIGRATIONS, SCHEMA_VERSION, LearningStore, hash_id

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


class Clock:
    """A settable clock for the store."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def right_answer(item) -> str:
    """What a learner who knows the item types."""
    if item.answer_index is not None and item.kind != "case":
        return str(item.answer_index + 1)
    return item.expected if item.kind != "recall" else "; ".join(item.key_points)


def policy_knows(item_id: str, day: int, seen: int) -> bool:
    """The simulated learner's fixed policy: forgets every third answer of some items, knows the rest."""
    return (hash_id(item_id) + seen) % 3 != 0 or day > 20


def test_simulated_learner_gets_fsrs_own_schedule(kb, tmp_path):
    """30 days of quizzes through QuizSession; every card must be what fsrs itself computes for the same answers."""
    clock = Clock(START)
    store = LearningStore(tmp_path, now=clock)
    reference = Scheduler(enable_fuzzing=False)  # the library's defaults, built here, not by guidebot
    expected_cards: dict[str, Card] = {}
    seen: dict[str, int] = {}
    due_dealt_first = 0
    for day in range(30):
        clock.moment = START + timedelta(days=day)
        due_now = sorted((c.due, i) for i, c in expected_cards.items() if c.due <= clock.moment)
        session = QuizSession.start(kb, QuizOptions(topic="vegf", count=4), store)
        # the learner's due items come first, most overdue first
        assert [i.id for i in session.items[: len(due_now)]] == [i for _, i in due_now][:4]
        due_dealt_first += min(len(due_now), 4)
        for _ in range(len(session.items)):
            item = session.current
            knows = policy_knows(item.id, day, seen.get(item.id, 0))
            seen[item.id] = seen.get(item.id, 0) + 1
            turn = session.respond(right_answer(item) if knows else "I don't know")
            assert turn.graded is not None and turn.graded.correct is knows
            card = expected_cards.get(item.id) or Card(card_id=hash_id(item.id), due=clock.moment)
            expected_cards[item.id], _ = reference.review_card(card, Rating.Good if knows else Rating.Again, review_datetime=clock.moment)
            clock.moment += timedelta(minutes=1)
    assert due_dealt_first > 10  # the schedule really brought items back
    for item_id, card in expected_cards.items():
        stored = store.card(item_id)
        assert (stored.due, stored.stability, stored.difficulty, stored.state) == (card.due, card.stability, card.difficulty, card.state)
        assert len(store.review_log(item_id)) == seen[item_id]
    intervals = {(c.due - c.last_review).days for c in expected_cards.values()}
    assert len(intervals) > 2  # fsrs's growing intervals, not one fixed step


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_store_is_private_whatever_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        clock = Clock(START)
        directory = tmp_path / "data"
        store = LearningStore(directory, now=clock)
        store.review("recall:x.y", "vegf", "recall", 3, True)
        files = [p for p in directory.iterdir()]
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files), [(p.name, oct(p.stat().st_mode)) for p in files]
        store.close()
    finally:
        os.umask(old)


def test_old_schema_is_migrated_keeping_cards(tmp_path):
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO cards(item_id, section, kind, card, due) VALUES ('recall:a.b', 'vegf', 'recall', ?, '2026-01-01T00:00:00.000000Z')",
               (Card(card_id=1, due=START).to_json(),))
    db.commit()
    db.close()
    store = LearningStore(tmp_path, now=Clock(START))
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.card("recall:a.b") is not None
    assert store.unfinished_quiz() is None  # the quizzes table of migration 2 exists
    store.close()


def test_newer_schema_is_refused(tmp_path):
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(GuidebotError, match="newer guidebot"):
        LearningStore(tmp_path)


def test_two_windows_share_one_store(tmp_path):
    clock = Clock(START)
    first, second = LearningStore(tmp_path, now=clock), LearningStore(tmp_path, now=clock)
    assert first.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for n in range(5):
        first.review(f"cloze:a.b:{n}", "vegf", "cloze", 3, True)
        second.review(f"cloze:a.b:{n}", "vegf", "cloze", 1, False)
    # every answer of both windows is kept, and each card holds the later window's answer (Again)
    assert all(len(first.review_log(f"cloze:a.b:{n}")) == 2 for n in range(5))
    assert all(second.review_log(f"cloze:a.b:{n}")[-1].rating == Rating.Again for n in range(5))
    first.close()
    second.close()


def test_a_stopped_quiz_resumes_where_it_stopped(kb, tmp_path):
    store = LearningStore(tmp_path, now=Clock(START))
    session = QuizSession.start(kb, QuizOptions(seed=7, count=5), store)
    ids = [i.id for i in session.items]
    session.respond("I don't know")
    session.respond("skip")
    assert session.respond("stop").item is None
    resumed = QuizSession.resume(kb, LearningStore(tmp_path, now=Clock(START)))
    assert [i.id for i in resumed.items] == ids
    assert resumed.current.id == ids[2] and resumed.answered == 1
    assert "resumed" in resumed.greeting().text


def test_stats_count_mastered_items_per_section(kb, tmp_path):
    clock = Clock(START)
    store = LearningStore(tmp_path, now=clock)
    from guidebot.learning.items import bank_for

    items = [i for i in bank_for(kb).items if i.section == "vegf"][:3]
    for _ in range(3):
        for item in items:
            store.review(item.id, item.section, item.kind, 3, True)
        clock.moment += timedelta(days=3)
    rows = {r.section: r for r in store.stats(bank_for(kb).items)}
    assert rows["vegf"].seen == 3 and 0 < rows["vegf"].mastery < 1
    assert rows["treatment"].seen == 0 and rows["treatment"].mastery == 0


def test_learning_data_sits_beside_the_chat_sessions(monkeypatch, tmp_path):
    from guidebot.dialogue.store import data_dir as chat_data_dir
    from guidebot.learning.store import data_dir

    monkeypatch.delenv("GUIDEBOT_DATA_DIR", raising=False)
    assert data_dir() == chat_data_dir()
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path))
    assert data_dir() == chat_data_dir() == tmp_path
