"""SVG snapshots of the chat at 80x24: welcome, an answer, a follow-up with its buttons, an assessment.

Update after an intended change with `pytest tests/ui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest

from guidebot.ui.app import GuidebotApp
from ui_helpers import SIZE, started, submit


@pytest.fixture(autouse=True)
def _stable_look(monkeypatch):
    """The default theme and colours, whatever the developer's environment says."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)


def _steps(*messages: str, keys: tuple[str, ...] = ()):
    async def run_before(pilot) -> None:
        # Textual reads TEXTUAL_THEME once, at import (before any fixture runs): pin the theme here as well
        pilot.app.theme = "textual-dark"
        await started(pilot)
        pilot.app.screen.query_one("#prompt").cursor_blink = False
        for message in messages:
            await submit(pilot, message)
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    return run_before


def test_welcome(snap_compare):
    assert snap_compare(GuidebotApp(resume=False), terminal_size=SIZE, run_before=_steps())


def test_an_answer(snap_compare):
    # a slash command, not a routed question: the picture should change with the UI, not with routing tweaks
    assert snap_compare(GuidebotApp(resume=False), terminal_size=SIZE, run_before=_steps("/cautions"))


def test_a_follow_up_with_buttons(snap_compare):
    assert snap_compare(GuidebotApp(resume=False), terminal_size=SIZE, run_before=_steps("/assess"))


def test_an_assessment_with_the_case_panel(snap_compare):
    keys = ("1", "1", "1", "2", "enter", "1")
    assert snap_compare(GuidebotApp(resume=False), terminal_size=(120, 40), run_before=_steps("/assess", keys=keys))
