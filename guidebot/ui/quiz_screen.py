"""The quiz screen (`/quiz` in the chat, or the palette): the item, numbered choices picked by a digit, the
explanation after each answer, and a small mastery chart per section of the review.

It drives the same `QuizSession` as `guidebot quiz --plain / --jsonl`; the session is built in a worker
(the item bank takes a moment the first time) that posts `QuizReady` or `QuizFailed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown, Static

BAR_CELLS = 10
"""Cells of a full bar in the mastery chart."""


def mastery_chart(rows: list[Any]) -> str:
    """The per-section mastery as text bars (`vegf        ███░░░░░░░  30%`), one section a line."""
    lines = []
    for row in rows:
        filled = round(max(0.0, min(1.0, row.mastery)) * BAR_CELLS)
        name = row.section.replace("_", " ")[:12]
        lines.append(f"{name:<12} {'█' * filled}{'░' * (BAR_CELLS - filled)} {round(row.mastery * 100):3d}%")
    due = sum(row.due for row in rows)
    lines.append("")
    lines.append(f"due now: {due}")
    return "\n".join(lines)


class QuizScreen(Screen[None]):
    """One quiz: the session's turns as Markdown, an answer line, and the mastery chart beside them."""

    DEFAULT_CSS = """
    QuizScreen #quiz-body { height: 1fr; }
    QuizScreen #quiz-main { width: 1fr; }
    QuizScreen #quiz-mastery { width: 33; padding: 0 1; border-left: solid $panel; color: $text-muted; }
    QuizScreen.-finished #quiz-answer { border: tall $success; }
    """

    BINDINGS = [Binding("escape", "close", "Back to chat")]

    finished: reactive[bool] = reactive(False)
    """Whether the quiz is over (the answer line then closes the screen on Enter)."""

    @dataclass
    class BankReady(Message):
        """Posted by the worker when the knowledge base's item bank is built."""

    @dataclass
    class QuizFailed(Message):
        """Posted when the quiz could not start."""

        error: str
        """One line saying why."""

    def __init__(self, knowledge: Any, options: Any = None, store_factory: Any = None) -> None:
        """`options`: a QuizOptions (10 mixed items by default); `store_factory() -> LearningStore` (tests pass their own)."""
        super().__init__()
        self.knowledge = knowledge
        self.options = options
        self.store_factory = store_factory
        self.session: Any = None
        """The QuizSession, once ready."""
        self.store: Any = None
        """The learner's LearningStore (None when it could not be opened: the quiz then forgets)."""
        self.turn: Any = None
        """The last QuizTurn shown."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="quiz-body"):
            with VerticalScroll(id="quiz-main"):
                yield Markdown("Preparing the quiz…", id="quiz-turn")
            yield Static("", id="quiz-mastery", markup=False)
        yield Input(placeholder="Your answer (a digit picks a choice) · hint · skip · why? · stop", id="quiz-answer")
        yield Footer()

    def on_mount(self) -> None:
        """Called when the screen opens: build the item bank behind the first frame."""
        self.query_one("#quiz-answer", Input).focus()
        self.build_bank()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def build_bank(self) -> None:
        """Generate the knowledge base's items (cached after the first time); posts BankReady or QuizFailed."""
        try:
            from guidebot.learning.items import bank_for

            bank_for(self.knowledge)
            self.post_message(self.BankReady())
        except Exception as exc:  # noqa: BLE001 - shown as one line, never a traceback
            self.post_message(self.QuizFailed(f"{type(exc).__name__}: {exc}"))

    def on_quiz_screen_bank_ready(self, event: BankReady) -> None:
        """Called when the bank is built: open the store here (sqlite connections belong to one thread) and deal."""
        from guidebot.learning.session import QuizOptions, QuizSession
        from guidebot.learning.store import LearningStore

        try:
            self.store = (self.store_factory or LearningStore)()
        except Exception as exc:  # noqa: BLE001 - without its store the quiz still runs, it just forgets
            self.notify(f"Progress will not be saved: {exc}", severity="warning", markup=False)
        try:
            self.session = QuizSession.start(self.knowledge, self.options or QuizOptions(), self.store)
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.QuizFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.show(self.session.greeting())

    def on_quiz_screen_quiz_failed(self, event: QuizFailed) -> None:
        """Called when the quiz could not start: say why, literally."""
        self.notify(f"Could not start the quiz: {event.error}", severity="error", markup=False)
        self.query_one("#quiz-turn", Markdown).update("The quiz could not start. Press Escape to go back.")

    def show(self, turn: Any) -> None:
        """Show one QuizTurn and refresh the mastery chart."""
        self.turn = turn
        self.query_one("#quiz-turn", Markdown).update(turn.text)
        self.query_one("#quiz-main", VerticalScroll).scroll_home(animate=False)
        self.finished = turn.item is None
        if self.store is not None:
            from guidebot.learning.items import bank_for

            self.query_one("#quiz-mastery", Static).update(mastery_chart(self.store.stats(bank_for(self.knowledge).items)))

    def watch_finished(self, finished: bool) -> None:
        """Called when the quiz ends: the answer line says how to leave."""
        self.set_class(finished, "-finished")
        if finished:
            self.query_one("#quiz-answer", Input).placeholder = "Quiz over: Enter or Escape goes back to the chat"

    @on(Input.Changed, "#quiz-answer")
    def pick_by_digit(self, event: Input.Changed) -> None:
        """A digit that numbers one of the choices answers at once, as pressing it on a keypad would."""
        choices = self.turn.choices if self.turn is not None else ()
        value = event.value.strip()
        if choices and len(choices) < 10 and value.isdigit() and 1 <= int(value) <= len(choices):
            self.answer(value)

    @on(Input.Submitted, "#quiz-answer")
    def submit_answer(self, event: Input.Submitted) -> None:
        """Enter sends the line to the session."""
        self.answer(event.value)

    def answer(self, text: str) -> None:
        """Send one line to the session and show its reply."""
        self.query_one("#quiz-answer", Input).value = ""
        if self.session is None:
            return
        if self.finished:
            self.action_close()
            return
        self.show(self.session.respond(text))

    def action_close(self) -> None:
        """Leave the quiz (its place is saved: `guidebot quiz --resume` continues it)."""
        if self.store is not None:
            self.store.close()
            self.store = None
        self.dismiss()


def open_quiz(app: Any, options: Any = None) -> None:
    """Open the quiz screen over the chat (`/quiz`); a notice while the knowledge base is still loading."""
    knowledge = getattr(app, "knowledge", None)
    if knowledge is None:
        app.notify("The review is still loading; try /quiz again in a moment.", markup=False)
        return
    app.push_screen(QuizScreen(knowledge, options))
