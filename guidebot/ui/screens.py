"""The chat's secondary screens: the help screen (F1) and the session browser (F6).

Both are modal views over the chat; what they act on (open, export, delete a session) goes back to the
chat screen or the dialogue store. Session text typed by a person is always shown literally (`Content`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "send the message"),
    ("1-9", "in an empty message line: pick that numbered answer or suggestion (anywhere else a digit is text)"),
    ("Tab", "complete a slash command (/ex → /export); never leaves the message line"),
    ("Up / Down", "walk through the messages sent (also those of a resumed session)"),
    ("PageUp / PageDown", "scroll the conversation"),
    ("F1", "this help"),
    ("F2", "the case panel: the criteria grid, the verdict, the findings recorded"),
    ("F3", "the references of the last answer, each in full with its DOI"),
    ("F6", "the session browser: open, export or delete a saved session"),
    ("Ctrl+Y", "copy the last answer (or the message you clicked) as Markdown"),
    ("Ctrl+P", "the command palette: every command and every fact by title"),
    ("Ctrl+T", "light or dark theme"),
    ("Ctrl+Q", "quit (the session is saved; the line printed says how to resume it)"),
)
"""Every key of the chat and what it does (the help screen and docs/interface.md list them)."""

APP_COMMANDS: dict[str, str] = {
    "/sessions": "browse the saved sessions: open, export or delete one",
    "/quiz": "learning mode: quiz items and practice cases from the review",
    "/quit": "quit (the session is saved)",
}
"""Slash commands the app handles itself, beside the manager's."""


def help_markdown(commands: dict[str, str], examples: list[str]) -> str:
    """The help screen's text: keys, commands (the manager's and the app's), example questions."""
    lines = ["**Keys**", ""]
    lines += [f"- **{key}**: {what}" for key, what in KEYS]
    lines += ["", "**Commands**", ""]
    lines += [f"- `{name}`: {what}" for name, what in {**commands, **APP_COMMANDS}.items()]
    lines += ["", "**Examples** (type one, or pick it by its number in the chat)", "", *[f"- {example}" for example in examples]]
    lines += ["", "While guidebot asks about your patient, answer yes / no / not done, a number or a choice, or type "
              "**why?**, **skip**, **back**, **restart** or **cancel**."]
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    """F1: the keys, the commands and example questions. Esc, F1 or q closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("f1", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        """The help as Markdown (curated by the app, never user text)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Content("Help (Esc to close)"), classes="panel-title")
            yield Markdown(self.text, id="help-text")


FIRST_QUESTION_CHARS = 40
"""How much of a session's first question its row shows (a row fits 80 columns)."""


@dataclass
class SessionAction:
    """What the person chose in the session browser."""

    action: str
    """"open", "export" or "delete"."""
    session_id: str


class SessionsScreen(ModalScreen[None]):
    """F6: the saved sessions, newest first, with their date, verdict and first question.

    Enter opens one in the chat, e exports it (Markdown and HTML) and d deletes it (d twice, to be sure).
    """

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("e", "choose('export')", "Export"),
        Binding("d", "choose('delete')", "Delete"),
    ]

    def __init__(self, summaries: list[Any], current: str | None, on_action: Any) -> None:
        super().__init__()
        self.summaries = list(summaries)
        """SessionSummary rows, newest first."""
        self.current = current
        """The session open in the chat (it cannot be deleted from here)."""
        self.on_action = on_action
        """Called with a SessionAction; returns a line to show (what happened)."""
        self._armed_delete: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="sessions-box"):
            yield Static(Content("Saved sessions: Enter opens, e exports, d deletes, Esc closes"), classes="panel-title")
            yield OptionList(*self._options(), id="sessions-list")
            yield Static(id="sessions-status")

    def _options(self) -> list[Option]:
        if not self.summaries:
            return [Option(Content("No saved session yet: a session is saved once you have asked something."), disabled=True)]
        return [Option(self._row(s), id=s.session_id) for s in self.summaries]

    def _row(self, summary: Any) -> Content:
        verdict = (summary.verdict or "not assessed").replace("_", " ")
        first = " ".join(summary.first_question.split()) or "(nothing asked)"
        if len(first) > FIRST_QUESTION_CHARS:  # one row per session: the full text is in the session itself
            first = first[: FIRST_QUESTION_CHARS - 1] + "…"
        mark = " (this chat)" if summary.session_id == self.current else (" (open elsewhere)" if getattr(summary, "in_use", False) else "")
        return Content(f"{summary.started:<16}  {verdict:<17}  {first}{mark}")

    def on_mount(self) -> None:
        """Called when shown: the keys act on the highlighted row."""
        self.query_one(OptionList).focus()

    def _highlighted(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.summaries:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_choose(self, action: str) -> None:
        """Open, export or delete the highlighted session."""
        session_id = self._highlighted()
        status = self.query_one("#sessions-status", Static)
        if session_id is None:
            return
        if action == "delete":
            if session_id == self.current:
                status.update(Content("This is the session open in the chat; it cannot be deleted here."))
                return
            if self._armed_delete != session_id:
                self._armed_delete = session_id
                status.update(Content("Press d again to delete this session for good."))
                return
        self._armed_delete = None
        message = self.on_action(SessionAction(action, session_id))
        if action == "open":
            self.dismiss()
            return
        if action == "delete":
            self.summaries = [s for s in self.summaries if s.session_id != session_id]
            options = self.query_one(OptionList)
            options.clear_options()
            options.add_options(self._options())
        status.update(Content(message or ""))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose("open")

    @on(OptionList.OptionHighlighted)
    def _moved(self, _event: OptionList.OptionHighlighted) -> None:
        self._armed_delete = None
