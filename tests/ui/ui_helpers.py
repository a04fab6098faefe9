"""Helpers shared by the Pilot tests (imported as `ui_helpers`; pytest puts tests/ui on sys.path)."""

from __future__ import annotations

SIZE = (80, 24)
"""The smallest terminal the chat must work in; most Pilot tests run at it."""


async def started(pilot) -> None:
    """Wait until the knowledge worker is done and the greeting is on screen (at most ~10 s)."""
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if getattr(pilot.app.screen, "manager", None) is not None:
            return
        await pilot.pause(0.05)
    notes = [n.message for n in pilot.app._notifications]
    raise AssertionError(f"the manager did not load; notifications: {notes}")


async def submit(pilot, text: str) -> None:
    """Type `text` into the message line (set at once: pilot.press costs ~70 ms a key) and press Enter."""
    from guidebot.ui.widgets import PromptInput

    prompt = pilot.app.screen.query_one(PromptInput)
    prompt.focus()
    prompt.value = text
    await pilot.press("enter")
    await pilot.pause()


def transcript(app) -> list[tuple[str, str]]:
    """The transcript as (kind, text) pairs: kind is "user" or "bot"."""
    from guidebot.ui.widgets import BotTurn, UserTurn

    return [
        ("user" if isinstance(w, UserTurn) else "bot", w.text) for w in app.screen.query("UserTurn, BotTurn")
    ]
