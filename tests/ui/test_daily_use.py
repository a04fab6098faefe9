"""Pilot tests of daily use: the session browser, copy, the digit rule on every numbered list, the quit notice,
and the answer-first layout at 80x24."""

from __future__ import annotations

from guidebot.ui.app import GuidebotApp, saved_notice
from guidebot.ui.chat_screen import ChatScreen
from guidebot.ui.screens import SessionsScreen
from guidebot.ui.widgets import BotTurn, PromptInput, Suggestions, UserTurn
from ui_helpers import SIZE, started, submit, transcript


def _saved_session(*lines: str) -> str:
    from guidebot.dialogue.manager import DialogueManager
    from guidebot.dialogue.store import SessionStore

    manager = DialogueManager(store=SessionStore())
    manager.greeting()
    for line in lines:
        manager.respond(line)
    return manager.session_id


async def test_the_session_browser_lists_opens_exports_and_deletes(tmp_path):
    older = _saved_session("what is the VEGF cutoff?")
    other = _saved_session("/assess", "no")
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("f6")
        await pilot.pause()
        browser = app.screen
        assert isinstance(browser, SessionsScreen)
        assert {s.session_id for s in browser.summaries} == {older, other}
        row = {s.session_id: s for s in browser.summaries}[other]
        assert row.first_question == "/assess" and row.verdict == "not_met" and row.started[:2] == "20"
        browser.query_one("#sessions-list").highlighted = [s.session_id for s in browser.summaries].index(other)
        await pilot.press("e")  # export: Markdown and HTML in the export folder, full path shown
        await pilot.pause()
        exported = tmp_path / "data" / "exports" / f"guidebot-chat-{other}.md"
        assert exported.is_file() and exported.with_suffix(".html").is_file()
        assert str(exported) in str(browser.query_one("#sessions-status").render())
        await pilot.press("d")  # once arms, twice deletes
        await pilot.pause()
        assert len(browser.summaries) == 2
        await pilot.press("d")
        await pilot.pause()
        assert [s.session_id for s in browser.summaries] == [older]
        assert not (tmp_path / "data" / "sessions" / f"{other}.jsonl").exists()
        browser.query_one("#sessions-list").highlighted = 0
        await pilot.press("enter")  # open: the chat continues that session, its conversation on screen
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen) and app.screen.manager.session_id == older
        assert transcript(app)[0] == ("user", "what is the VEGF cutoff?")
        assert isinstance(app.focused, PromptInput)


async def test_sessions_command_opens_the_browser_and_the_current_chat_cannot_be_deleted():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "what is the VEGF cutoff?")
        await submit(pilot, "/sessions")
        browser = app.screen
        assert isinstance(browser, SessionsScreen) and browser.current == app.manager.session_id
        await pilot.press("d", "d")
        await pilot.pause()
        assert "cannot be deleted" in str(browser.query_one("#sessions-status").render())
        assert len(browser.summaries) == 1


async def test_copy_takes_the_last_answer_or_the_clicked_message():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "what is the VEGF cutoff?")
        await pilot.press("ctrl+y")
        last_answer = app.screen.query(BotTurn).last()
        assert app.clipboard == last_answer.text and "**" in app.clipboard  # Markdown, not the rendered text
        asked = app.screen.query(UserTurn).last()
        await pilot.click(asked)
        await pilot.press("ctrl+y")
        assert app.clipboard == "what is the VEGF cutoff?"
        assert isinstance(app.focused, PromptInput)


async def test_a_digit_picks_from_every_numbered_list_and_is_text_anywhere_else():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = app.screen
        prompt = screen.query_one(PromptInput)
        # the welcome examples are numbered: 1 picks the first
        first_example = screen.query_one(Suggestions).items[0][0]
        await pilot.press("1")
        await pilot.pause()
        assert transcript(app)[-2] == ("user", first_example) and prompt.value == ""
        # "that's not what I asked" offers the other candidates as a numbered list: 1 picks the first of those too
        prompt.value = "that's not what I asked"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one(Suggestions).numbered and screen.query_one(Suggestions).items
        label = screen.query_one(Suggestions).items[0][0]
        # typed after other text, a digit is text: "x1" stays in the line
        await pilot.press(*"x1")
        assert prompt.value == "x1"
        prompt.value = ""
        await pilot.press("1")
        await pilot.pause()
        assert transcript(app)[-2] == ("user", label)
        assert screen.last_turn.intent is not None and screen.last_turn.in_scope


async def test_the_treatment_answer_shows_its_conclusion_first_at_80x24():
    from textual.widgets._markdown import MarkdownBlock

    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(
            pilot,
            "demyelinating polyneuropathy, lambda M-protein, 2 sclerotic lesions, no clonal plasma cells in the marrow, "
            "ascites: how should I treat my patient",
        )
        await pilot.pause(0.3)
        transcript_region = app.screen.query_one("#transcript").region
        reply = app.screen.query(BotTurn).last()
        blocks = {str(block._content) if hasattr(block, "_content") else "": block for block in reply.query(MarkdownBlock)}
        shown = [text for text, block in blocks.items() if block.region and transcript_region.contains_region(block.region)]
        assert any("Treatment approach: radiation" in text for text in shown), shown
        assert not any(text.startswith("Minor criteria") for text in shown)


def test_quitting_says_where_the_session_is_and_how_to_resume_it(tmp_path):
    from guidebot.dialogue.manager import DialogueManager
    from guidebot.dialogue.store import SessionStore

    manager = DialogueManager(store=SessionStore())
    manager.greeting()
    assert saved_notice(manager) == ""  # nothing asked, nothing saved
    manager.respond("what is the VEGF cutoff?")
    notice = saved_notice(manager)
    assert str(manager.store.path) in notice and f"guidebot --resume {manager.session_id}" in notice
    assert saved_notice(None) == ""


async def test_palette_entries_say_what_each_command_does():
    from guidebot.dialogue.render import COMMANDS
    from guidebot.ui.commands import KnowledgeCommands

    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        entries = {shown: (help_text, sent) for shown, help_text, sent in KnowledgeCommands(app.screen)._entries()}
        for name, what in COMMANDS.items():
            assert entries[name] == (what, name.split()[0])
        assert "saved sessions" in entries["/sessions"][0]
        assert not any(help_text == "chat command" for help_text, _ in entries.values())


async def test_slash_commands_complete_as_you_type():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        prompt = app.screen.query_one(PromptInput)
        await pilot.press(*"/ses")
        await pilot.pause()
        assert prompt._suggestion == "/sessions"
        await pilot.press("tab")
        assert prompt.value == "/sessions"
