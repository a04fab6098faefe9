"""Shared fixtures: the real knowledge base, the review's text, and an isolated data/cache directory per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_NAME = "000_aaca17e5f2cc1f76.txt"


def seed_path() -> Path | None:
    """The review's full text: $GUIDEBOT_SOURCE, else ../shared/seed/ beside the checkout (as CI lays it out)."""
    candidates = [os.environ.get("GUIDEBOT_SOURCE"), REPO_ROOT.parent / "shared" / "seed" / SEED_NAME]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def kb():
    """The real knowledge base, loaded once."""
    from guidebot.knowledge import load_knowledge

    return load_knowledge()


@pytest.fixture
def bot(kb):
    """A fresh, unsaved conversation past its greeting."""
    from guidebot.dialogue import DialogueManager

    manager = DialogueManager(kb=kb)
    manager.greeting()
    return manager


@pytest.fixture
def reader(kb):
    """The conversation knowledge's reader (follow-ups, facets, acts)."""
    from guidebot.dialogue.context import ConversationReader

    return ConversationReader.of(kb.conversation)


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The review's text; tests that need it are skipped where shared/ is not beside the checkout."""
    path = seed_path()
    if path is None:
        pytest.skip("the review's text (../shared/seed) is not beside this checkout")
    return path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Sessions and caches go to temporary directories, never the developer's real ones."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("GUIDEBOT_CACHE_DIR", str(base / "cache"))
