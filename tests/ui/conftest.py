"""Fixtures for the Textual UI tests: a private data directory and working directory per test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_sessions(tmp_path, monkeypatch):
    """Each UI test saves its sessions in its own directory, so no test sees another's (or resumes it)."""
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
