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


TREAT_IN_ONE_LINE = (
    "demyelinating polyneuropathy, lambda M-protein, 2 sclerotic lesions, no clonal plasma cells in the marrow, "
    "ascites: how should I treat my patient"
)


def test_a_treatment_plan_leads_with_the_verdict_and_approach(snap_compare):
    # answer first at 80x24: verdict, approach and the start of the cautions above the fold, criteria below
    assert snap_compare(GuidebotApp(resume=False), terminal_size=SIZE, run_before=_steps(TREAT_IN_ONE_LINE))


def test_the_help_screen(snap_compare):
    assert snap_compare(GuidebotApp(resume=False), terminal_size=SIZE, run_before=_steps(keys=("f1",)))


def test_the_session_browser(snap_compare, tmp_path, monkeypatch):
    import json

    # one saved session with a fixed id and date, so the picture does not change with the clock
    sessions = tmp_path / "browser-data" / "sessions"
    sessions.mkdir(parents=True)
    events = [
        {"event": "session_started", "session_id": "20260101-090000-abcdef", "started": "2026-01-01T09:00:00Z"},
        {"event": "bot_said", "turn": {"text": "hello"}},
        {"event": "user_said", "text": "what is the VEGF cutoff?"},
        {"event": "bot_said", "turn": {"text": "200 pg/mL", "assessment": None}},
    ]
    (sessions / "20260101-090000-abcdef.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / "browser-data"))
    assert snap_compare(GuidebotApp(resume=False), terminal_size=SIZE, run_before=_steps(keys=("f6",)))
