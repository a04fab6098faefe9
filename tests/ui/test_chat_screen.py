"""Pilot tests of the chat: questions, a keyboard-only guided diagnosis, citations, slash commands, robustness."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Markdown

from guidebot.ui.app import GuidebotApp
from guidebot.ui.chat_screen import ChatScreen, CitationsScreen, reference_text
from guidebot.ui.widgets import MAX_INPUT_CHARS, BotTurn, CasePanel, PromptInput, QuickReplies, UserTurn, link_citations
from ui_helpers import SIZE, started, submit, transcript


def _fresh_reply(text: str):
    """What a brand-new, unsaved manager replies to `text` (the UI must show exactly that)."""
    from guidebot.dialogue.manager import DialogueManager

    return DialogueManager().respond(text)


async def test_welcome_shows_the_greeting_and_clickable_examples():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        turns = transcript(app)
        assert len(turns) == 1 and turns[0][0] == "bot"
        assert "POEMS" in turns[0][1]
        buttons = app.screen.query("#suggestions Button")
        assert len(buttons) >= 3
        first = str(buttons.first().label)
        assert first.startswith("1. ")  # numbered, so a digit picks it
        await pilot.click(buttons.first())
        await pilot.pause()
        assert transcript(app)[1] == ("user", first.removeprefix("1. "))
        assert transcript(app)[2][0] == "bot"


async def test_asking_a_question_shows_the_managers_answer():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "what is the VEGF cutoff?")
        expected = _fresh_reply("what is the VEGF cutoff?")
        assert transcript(app)[-2:] == [("user", "what is the VEGF cutoff?"), ("bot", expected.text)]
        assert "200 pg/mL" in expected.text
        assert app.screen.last_citations == expected.citations and expected.citations


async def test_input_history_walks_back_with_up_and_down():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "what is the VEGF cutoff?")
        await submit(pilot, "/criteria")
        prompt = app.screen.query_one(PromptInput)
        await pilot.press("up")
        assert prompt.value == "/criteria"
        await pilot.press("up")
        assert prompt.value == "what is the VEGF cutoff?"
        await pilot.press("down", "down")
        assert prompt.value == ""


async def test_a_whole_guided_diagnosis_with_the_keyboard_only():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = app.screen
        await pilot.press(*"/assess", "enter")
        await pilot.pause()
        assert screen.awaiting is not None and screen.flow == "diagnosis"
        seen_buttons = False
        for _ in range(40):
            awaiting = screen.awaiting
            if awaiting is None:
                break
            buttons = screen.query(".quick-reply")
            if awaiting.kind in ("bool", "choice", "list"):
                seen_buttons = True
                assert len(buttons) == len(screen.query_one(QuickReplies).replies) >= 2
                await pilot.press("1")  # the first quick reply: Yes, or the first choice
            else:
                assert len(buttons) == 0 and screen.query_one("#hint").display
                await pilot.press("2", "enter")
            await pilot.pause()
        assert seen_buttons
        assessment = screen.last_turn.assessment
        assert assessment is not None and assessment.verdict == "meets_criteria"
        assert "Verdict" in transcript(app)[-1][1]
        assert ("user", "yes") in transcript(app)


async def test_tab_completes_a_command_and_keeps_the_typing():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "/assess")
        assert app.screen.awaiting.kind == "bool" and app.screen.query(".quick-reply")
        prompt = app.screen.query_one(PromptInput)
        await pilot.press(*"/ex")
        await pilot.pause()
        await pilot.press("tab")
        assert app.focused is prompt and prompt.value == "/export"
        await pilot.press("tab", "space", "x")  # nothing more to complete: Tab stays, the keys land in the line
        assert app.focused is prompt and prompt.value == "/export x"
        prompt.value = ""
        await pilot.press("tab", *"no")  # Tab over the Yes/No buttons never moves the focus to them
        assert app.focused is prompt and prompt.value == "no"


async def test_clicking_a_button_leaves_the_focus_in_the_input():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "/assess")
        await pilot.click(app.screen.query(".quick-reply")[1])  # No
        await pilot.pause()
        assert ("user", "no") in transcript(app)
        await pilot.press(*"why")
        assert app.screen.query_one(PromptInput).value == "why"


async def test_case_panel_shows_every_criterion_with_a_symbol_and_the_verdict():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await started(pilot)
        await submit(pilot, "/assess")
        panel = app.screen.query_one(CasePanel)
        assert panel.display, "a guided flow opens the panel on a wide screen"
        await pilot.press("1")  # polyneuropathy: yes
        await pilot.pause()
        grid = str(panel.query_one("#criteria").render())
        statuses = app.screen.manager.assessment().criteria
        cells = sum(grid.count(symbol) for symbol in "✓✗?") - 3  # the legend names each symbol once
        assert cells == sum(len(group) for group in statuses.values())
        assert [line.split()[0] for line in grid.splitlines() if line[:1].isalpha()][:3] == ["Mandatory", "Major", "Minor"]
        assert "✓ Polyneuropathy" not in grid and "? Polyneuropathy" in grid  # demyelination still unknown
        assert "Verdict: indeterminate" in str(panel.query_one("#verdict").render())
        assert "polyneuropathy: yes" in str(panel.query_one("#findings").render())
        await pilot.press("f2")
        assert not panel.display


async def test_case_panel_toggles_at_80_columns():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "/assess")
        panel = app.screen.query_one(CasePanel)
        assert not panel.display, "at 80 columns the panel waits for F2"
        await pilot.press("f2")
        await pilot.pause()
        # over the chat, not beside it: the chat keeps its full width underneath
        assert panel.display and panel.region.right == 80 and panel.size.width >= 36
        assert app.screen.query_one(PromptInput).size.width >= 70
        await submit(pilot, "yes")
        assert not panel.display, "a new reply closes the panel lying over it"


async def test_workup_shows_progress_step_k_of_n():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await started(pilot)
        await submit(pilot, "/workup")
        progress = app.screen.last_turn.progress
        assert progress and progress.step == 1
        bar = app.screen.query_one("#progress")
        assert bar.display and bar.total == progress.of and bar.progress == 1
        assert f"Step 1 of {progress.of}" in str(app.screen.query_one("#progress-title").render())


async def test_citation_opens_the_full_reference_with_its_doi():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "what is the VEGF cutoff?")
        cited = app.screen.last_citations
        await pilot.press("f3")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, CitationsScreen) and modal.numbers == cited
        reference = str(modal.query_one("#reference").render())
        assert reference == reference_text(cited[0], app.knowledge)
        assert "doi:10." in reference and app.knowledge.references[cited[0]].title in reference
        if len(cited) > 1:
            await pilot.press("down")
            await pilot.pause()
            assert str(modal.query_one("#reference").render()) == reference_text(cited[1], app.knowledge)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)


async def test_clicking_a_citation_link_opens_that_reference():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "what is the VEGF cutoff?")
        turn = app.screen.query(BotTurn).last()
        number = turn.citations[-1]
        turn.post_message(Markdown.LinkClicked(turn, f"cite:{number}"))
        await pilot.pause()
        assert isinstance(app.screen, CitationsScreen) and app.screen.selected == number
        assert str(app.screen.query_one("#reference").render()) == reference_text(number, app.knowledge)
        assert app.knowledge.references[number].doi in reference_text(number, app.knowledge)


def test_citations_become_links_and_markdown_links_stay():
    assert link_citations("VEGF [1, 32].") == "VEGF \\[[1](cite:1), [32](cite:32)\\]."
    assert link_citations("see [the review](cite:1)") == "see [the review](cite:1)"


@pytest.mark.parametrize("command", ["/help", "/criteria", "/workup", "/assess", "/treat", "/cautions", "/refs", "/case", "/reset"])
async def test_each_slash_command_gets_the_managers_reply(command):
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, command)
        assert transcript(app)[-2:] == [("user", command), ("bot", _fresh_reply(command).text)]
        assert app.is_running


async def test_f1_opens_the_help_screen():
    from guidebot.dialogue.render import COMMANDS
    from guidebot.ui.screens import KEYS, HelpScreen

    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        before = transcript(app)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        assert all(key in text for key, _ in KEYS) and all(f"`{name}`" in text for name in COMMANDS)
        assert "What's the VEGF cutoff" in text  # an example
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen) and transcript(app) == before  # nothing was sent
        assert isinstance(app.focused, PromptInput)


async def test_export_writes_the_file_and_notifies(tmp_path):
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "what is the VEGF cutoff?")
        await submit(pilot, "/export chat.md")
        target = tmp_path / "data" / "exports" / "chat.md"  # the export folder, never the current directory
        assert target.is_file() and not (tmp_path / "chat.md").exists()
        assert "what is the VEGF cutoff" in target.read_text()
        assert any(str(target) in n.message for n in app._notifications)


async def test_quit_command_exits():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "/quit")
        await pilot.pause()
        assert not app.is_running or app._exit_renderables is not None
    assert app.return_code == 0


@pytest.mark.parametrize("text", ["[@click=app.quit]", "[/]", "[b]x", "[bold red]boo[/bold red] **not bold** `x`"])
async def test_markup_in_user_text_is_shown_literally_and_does_nothing(text):
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, text)
        user = app.screen.query(UserTurn).last()
        assert user.text == text and str(user.render()) == text
        await pilot.click(UserTurn)
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ChatScreen)
        assert transcript(app)[-1][0] == "bot"


async def test_markup_typed_key_by_key_stays_literal():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press(*"[@click=app.quit]", "enter")
        await pilot.pause()
        assert app.is_running
        assert ("user", "[@click=app.quit]") in transcript(app)


async def test_a_100_kb_paste_is_cut_and_the_app_keeps_answering():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        prompt = app.screen.query_one(PromptInput)
        prompt.post_message(events.Paste("vegf " * 20_000))
        await pilot.pause()
        assert len(prompt.value) == MAX_INPUT_CHARS
        assert any("cut" in n.message for n in app._notifications)
        await pilot.press("enter")
        await pilot.pause()
        assert transcript(app)[-1][0] == "bot"
        await submit(pilot, "what is the VEGF cutoff?")
        assert transcript(app)[-1] == ("bot", _fresh_reply("what is the VEGF cutoff?").text)


async def test_a_100_kb_message_set_directly_is_cut_with_a_notice():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "x" * 100_000)
        assert len(transcript(app)[-2][1]) == MAX_INPUT_CHARS
        assert any("only the first" in n.message for n in app._notifications)
        assert app.is_running


async def test_no_color_is_respected(monkeypatch):
    from textual.filter import Monochrome

    monkeypatch.setenv("NO_COLOR", "1")
    app = GuidebotApp(resume=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await started(pilot)
        assert app.no_color
        assert any(isinstance(f, Monochrome) for f in app._filters)
        await submit(pilot, "/assess")
        # statuses still read without colour: every cell of the criteria grid starts with its symbol
        grid = str(app.screen.query_one(CasePanel).query_one("#criteria").render())
        assert sum(grid.count(symbol) for symbol in "✓✗?") == 11 + 3


async def test_theme_toggles_between_light_and_dark():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is dark


async def test_command_palette_lists_knowledge_facts_and_asks_the_chosen_one():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        fact = next(iter(app.knowledge.facts.values()))
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*fact.title)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert ("user", fact.questions[0]) in transcript(app)


@pytest.mark.parametrize(
    ("kind", "choices", "labels"),
    [
        ("bool", [], ["Yes", "No", "Not done"]),
        ("choice", ["lambda", "kappa"], ["lambda", "kappa", "Not done"]),
        ("list", ["adrenal", "thyroid"], ["adrenal", "thyroid", "None", "Not done"]),
        ("int", [], []),
        ("number", [], []),
    ],
)
def test_quick_replies_by_slot_kind(kind, choices, labels):
    from guidebot.dialogue.state import Awaiting
    from guidebot.ui.chat_screen import quick_replies

    replies = quick_replies(Awaiting("x", kind, choices, "?"))
    assert [label for label, _ in replies] == labels
    # every reply is one the manager's parser accepts for that kind
    from guidebot.dialogue.replies import Reask, parse_reply

    assert not any(isinstance(parse_reply(kind, reply, choices), Reask) for _, reply in replies)


async def test_list_and_choice_slots_get_numbered_buttons():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = app.screen
        await submit(pilot, "/workup")
        kinds = set()
        for _ in range(40):
            awaiting = screen.awaiting
            if awaiting is None:
                break
            kinds.add(awaiting.kind)
            if awaiting.kind in ("choice", "list"):
                labels = [str(b.label) for b in screen.query(".quick-reply")]
                assert labels[: len(awaiting.choices)] == [f"{i}  {c}" for i, c in enumerate(awaiting.choices, 1)]
            if awaiting.kind in ("int", "number"):
                await pilot.press("2", "5", "0", "enter")
            else:
                await pilot.press("1")
            await pilot.pause()
        assert app.is_running and kinds == {"bool", "int", "number", "choice", "list"}


async def test_a_knowledge_load_failure_is_shown_and_the_app_stays_open():
    class Broken:
        def __init__(self, **kwargs):
            raise RuntimeError("[b]broken[/b] on purpose")

        @classmethod
        def resume(cls, session_id=None, **kwargs):
            raise RuntimeError("no")

    app = GuidebotApp(resume=False, dialogue=Broken)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("[b]broken[/b] on purpose" in n.message for n in app._notifications)
        assert app.is_running and app.screen.query_one(PromptInput).disabled


async def test_clicking_a_citation_with_the_mouse_opens_its_reference():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "/cautions")
        number = app.screen.last_turn.citations[-1]
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        y, line = next((y, line) for y, line in enumerate(lines) if f"{number}]" in line)
        await pilot.click(offset=(line.index(f"{number}]"), y))
        await pilot.pause()
        assert isinstance(app.screen, CitationsScreen) and app.screen.selected == number
        assert "doi:" in str(app.screen.query_one("#reference").render())


async def test_control_characters_never_reach_the_terminal():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "\x1b[2J\x1b]0;pwned\x07hello")
        shown = str(app.screen.query(UserTurn).last().render())
        assert "\x1b" not in shown and "\x07" not in shown and shown.endswith("hello")
        assert app.is_running and transcript(app)[-1][0] == "bot"
