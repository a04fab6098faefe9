"""Pilot tests of resuming: an unfinished saved session is offered at start, and `--resume` opens it directly."""

from __future__ import annotations

from guidebot.ui.app import GuidebotApp
from guidebot.ui.widgets import CasePanel, PromptInput
from ui_helpers import SIZE, started, submit, transcript


def _unfinished_session() -> str:
    """Save a session that stopped in the middle of the guided diagnosis; returns its id."""
    from guidebot.dialogue.manager import DialogueManager
    from guidebot.dialogue.store import SessionStore

    manager = DialogueManager(store=SessionStore())
    manager.greeting()
    manager.respond("/assess")
    manager.respond("yes")
    assert manager.flow == "diagnosis" and manager.awaiting is not None
    return manager.session_id


async def test_no_saved_session_means_no_offer():
    app = GuidebotApp()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        labels = [str(b.label) for b in app.screen.query("#suggestions Button")]
        assert not any("Resume" in label for label in labels)


async def test_an_unfinished_session_is_offered_and_resumed_with_the_keyboard():
    session_id = _unfinished_session()
    app = GuidebotApp()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert app.screen.resumable is not None
        first = app.screen.query("#suggestions Button").first()
        assert str(first.label).startswith("1. Resume")
        await pilot.press("1")  # the digit rule: 1 in the empty line picks the first numbered suggestion
        await pilot.pause()
        screen = app.screen
        assert screen.manager.session_id == session_id
        # the whole conversation is back on screen, and its messages in the input history
        assert [kind for kind, _ in transcript(app)] == ["user", "bot", "user", "bot"]
        assert transcript(app)[0] == ("user", "/assess") and transcript(app)[2] == ("user", "yes")
        assert screen.query_one(PromptInput).history == ["/assess", "yes"]
        assert screen.awaiting is not None and screen.flow == "diagnosis"
        assert screen.manager.recorded == {"polyneuropathy": True}
        await pilot.press("1")  # the next follow-up continues the saved case
        await pilot.pause()
        assert len(screen.manager.recorded) == 2


async def test_typing_instead_of_resuming_starts_fresh():
    _unfinished_session()
    app = GuidebotApp()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "what is the VEGF cutoff?")
        assert app.screen.manager.recorded == {}
        assert transcript(app)[-2] == ("user", "what is the VEGF cutoff?")


async def test_resume_flag_opens_the_session_directly():
    session_id = _unfinished_session()
    app = GuidebotApp(resume=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert app.screen.manager.session_id == session_id
        assert app.screen.awaiting is not None
        assert len(app.screen.query(".quick-reply")) == 3


async def test_resume_of_a_missing_session_says_so_and_starts_fresh():
    app = GuidebotApp(resume="no-such-session")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert any("no-such-session" in n.message for n in app._notifications)
        assert transcript(app)[0][0] == "bot"


async def test_every_turn_is_saved():
    from guidebot.dialogue.manager import DialogueManager

    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "/assess")
        await pilot.press("2")
        await pilot.pause()
        session_id = app.screen.manager.session_id
    saved = DialogueManager.resume(session_id)
    assert saved.recorded == {"polyneuropathy": False}


async def test_resume_restores_the_conversation_the_history_and_the_case_panel():
    from guidebot.dialogue.manager import DialogueManager
    from guidebot.dialogue.store import SessionStore

    manager = DialogueManager(store=SessionStore())
    manager.greeting()
    for line in ("what is the VEGF cutoff?", "/assess", "yes", "yes"):
        manager.respond(line)
    app = GuidebotApp(resume=manager.session_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.pause()
        shown = transcript(app)
        assert shown[0] == ("user", "what is the VEGF cutoff?") and "200 pg/mL" in shown[1][1]
        assert [text for kind, text in shown if kind == "user"] == ["what is the VEGF cutoff?", "/assess", "yes", "yes"]
        assert len(shown) == 8 and not any("Resumed session" in text for _, text in shown)
        panel = app.screen.query_one(CasePanel)
        assert panel.display and "polyneuropathy: yes" in str(panel.query_one("#findings").render())
        prompt = app.screen.query_one(PromptInput)
        await pilot.press("up")
        assert prompt.value == "yes"
        await pilot.press("up")  # the repeated "yes" is remembered once, as when typed
        assert prompt.value == "/assess"
        assert any(manager.session_id in n.message for n in app._notifications)
