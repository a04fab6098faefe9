"""Pilot tests of the quiz screen at 80x24: a whole quiz by digits and typed answers, /quiz from the chat."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, Markdown, Static

from guidebot.learning.session import QuizOptions
from guidebot.ui.app import GuidebotApp
from guidebot.ui.quiz_screen import QuizScreen
from ui_helpers import SIZE, started, submit


class QuizApp(App[None]):
    """Just the quiz screen over the real knowledge base."""

    def __init__(self, kb, options):
        super().__init__()
        self.kb, self.options = kb, options

    def on_mount(self) -> None:
        self.push_screen(QuizScreen(self.kb, self.options))


async def _ready(pilot) -> QuizScreen:
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, QuizScreen) and screen.session is not None:
            return screen
        await pilot.pause(0.05)
    raise AssertionError("the quiz did not start")


def _shown(screen) -> str:
    return screen.query_one("#quiz-turn", Markdown).source


def _right_answer(item, step) -> str:
    from guidebot.learning.cases import APPROACHES, VERDICTS

    if item.kind == "case":
        return str(list(APPROACHES).index(item.approach) + 1) if step == "approach" else str(list(VERDICTS).index(item.verdict) + 1)
    if item.answer_index is not None:
        return str(item.answer_index + 1)
    return item.expected if item.kind == "cloze" else "; ".join(item.key_points)


async def test_a_whole_quiz_at_80x24(kb):
    app = QuizApp(kb, QuizOptions(seed=2, count=6))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        answer = screen.query_one("#quiz-answer", Input)
        assert "Quiz: 6 item(s)" in _shown(screen)
        steps = 0
        while screen.turn.item is not None and steps < 20:
            steps += 1
            text = _right_answer(screen.turn.item, screen.turn.step)
            if text.isdigit():
                await pilot.press(text)  # a digit picks its choice at once, no Enter
            else:
                answer.value = text
                await pilot.press("enter")
            await pilot.pause()
            assert "Correct." in _shown(screen) or "Right verdict" in _shown(screen)
        assert "Quiz finished." in _shown(screen) and "6 right" in _shown(screen)
        assert screen.has_class("-finished")
        chart = str(screen.query_one("#quiz-mastery", Static).render())
        assert "cases" in chart and "due now:" in chart
        await pilot.press("enter")  # the quiz is over: Enter goes back
        await pilot.pause()
        assert not isinstance(app.screen, QuizScreen)


async def test_hint_skip_and_wrong_choice_name_the_fact(kb):
    app = QuizApp(kb, QuizOptions(topic="criteria", seed=1, count=40))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        answer = screen.query_one("#quiz-answer", Input)
        answer.value = "hint"
        await pilot.press("enter")
        assert "Hint:" in _shown(screen)
        while screen.turn.item.kind != "choice":
            answer.value = "skip"
            await pilot.press("enter")
        item = screen.turn.item
        wrong = next(i for i in range(len(item.choices)) if i != item.answer_index)
        await pilot.press(str(wrong + 1))
        await pilot.pause()
        assert "Not quite." in _shown(screen) and f"`{item.choice_sources[wrong]}`" in _shown(screen)


async def test_slash_quiz_opens_the_quiz_from_the_chat():
    app = GuidebotApp(resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await submit(pilot, "/quiz")
        screen = await _ready(pilot)
        assert screen.turn.item is not None
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, QuizScreen)


def test_snapshot_after_a_wrong_choice(snap_compare, kb, monkeypatch):
    """The quiz screen at 80x24 after a wrong choice: the explanation naming the choice's fact, the mastery chart.

    Update after an intended change with `pytest tests/ui/test_quiz_screen.py --snapshot-update`.
    """
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)

    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-dark"
        screen = await _ready(pilot)
        answer = screen.query_one("#quiz-answer", Input)
        answer.cursor_blink = False
        while screen.turn.item.kind != "choice":
            answer.value = "skip"
            await pilot.press("enter")
        item = screen.turn.item
        await pilot.press(str((item.answer_index + 1) % len(item.choices) + 1))
        await pilot.pause()

    app = QuizApp(kb, QuizOptions(topic="criteria", seed=3, count=3))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
