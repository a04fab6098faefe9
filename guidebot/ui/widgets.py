"""The chat's widgets: they display what the screen hands them and post what the person picked; nothing else.

`ChatScreen` (chat_screen.py) composes them, sets their content and listens to their messages.
User text is always literal (`Content(text)`); only the manager's curated Markdown goes through `Markdown`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Markdown, ProgressBar, Static

from guidebot.dialogue.turns import Progress
from guidebot.text import clean_text

MAX_INPUT_CHARS = 2000
"""Longest message sent to the manager; a question never needs more, and a huge paste must not stall the UI."""

_CITATION = re.compile(r"\[(\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*)\](?!\()")
"""A citation as the manager writes it: [12], [1, 32] or [43-49], not followed by `(` (that is a Markdown link)."""


def link_citations(markdown: str) -> str:
    """Turn every `[n]` citation into a `cite:n` link, so that clicking one opens the reference."""

    def one(match: re.Match[str]) -> str:
        parts = re.split(r"(\s*[,\u2013-]\s*)", match.group(1))
        linked = "".join(part if not part.strip().isdigit() else f"[{part.strip()}](cite:{part.strip()})" for part in parts)
        return f"\\[{linked}\\]"

    return _CITATION.sub(one, markdown)


class UserTurn(Static):
    """One message the person typed, shown exactly as typed (no markup, no Markdown, no control characters)."""

    def __init__(self, text: str) -> None:
        # clean_text: a pasted escape sequence or control character can never reach the terminal
        super().__init__(Content(clean_text(text, keep_newlines=True)), markup=False)
        self.text = text
        """The literal text (tests read it back)."""


class BotTurn(Markdown):
    """One reply of the bot: the manager's Markdown, with its [n] citations as links."""

    @dataclass
    class CitationPicked(Message):
        """Posted when a citation link in a reply was clicked."""

        number: int
        """The review's reference number."""

    def __init__(self, text: str, citations: list[int] | None = None) -> None:
        super().__init__(link_citations(text), open_links=False)
        self.text = text
        """The manager's Markdown as given (tests read it back)."""
        self.citations = list(citations or [])
        """The reference numbers this reply cites."""

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """Called when a link is clicked: a citation opens its reference; nothing else leaves the app."""
        event.stop()
        event.prevent_default()
        if event.href.startswith("cite:") and event.href[5:].isdigit():
            self.post_message(self.CitationPicked(int(event.href[5:])))


class PromptInput(Input):
    """The message line: Enter sends, up/down walk the history, digits pick a quick reply when it is empty."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous", show=False),
        Binding("down", "history(1)", "Next", show=False),
        Binding("tab", "complete", "Complete", show=False),
    ]

    @dataclass
    class QuickPicked(Message):
        """Posted when a digit was typed into the empty line while quick replies are offered."""

        index: int
        """0-based index of the quick reply."""

    @dataclass
    class PasteCut(Message):
        """Posted when a paste was longer than `MAX_INPUT_CHARS` and was cut."""

        length: int
        """The pasted length, in characters."""

    quick_picks: int = 0
    """How many quick replies the digits 1..9 may pick (set by the screen; 0 = digits are plain text)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        """Messages sent, oldest first."""
        self._history_index: int | None = None

    def remember(self, text: str) -> None:
        """Add a sent message to the history (skipping an immediate repeat)."""
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._history_index = None

    def action_complete(self) -> None:
        """Tab: accept the shown completion (`/ex` → `/export`). Focus stays here either way, so the keys typed
        next still land in the message line (the buttons are picked by digit or mouse, never by Tab)."""
        if self._suggestion and len(self._suggestion) > len(self.value):
            self.value = self._suggestion
            self.cursor_position = len(self.value)

    def action_history(self, step: int) -> None:
        """Show the previous (-1) or next (+1) message of the history."""
        if not self.history:
            return
        index = len(self.history) if self._history_index is None else self._history_index
        index = max(0, min(len(self.history), index + step))
        self._history_index = index
        self.value = self.history[index] if index < len(self.history) else ""
        self.cursor_position = len(self.value)

    async def _on_key(self, event: events.Key) -> None:
        if (
            not self.value
            and event.character is not None
            and event.character.isdigit()
            and 1 <= int(event.character) <= min(self.quick_picks, 9)
        ):
            event.stop()
            event.prevent_default()
            self.post_message(self.QuickPicked(int(event.character) - 1))
        # otherwise Input's own _on_key runs next (Textual dispatches along the MRO until prevent_default)

    def _on_paste(self, event: events.Paste) -> None:
        # Input keeps only a paste's first line; cut it here too, so a 100 kB paste never sits in the line.
        # prevent_default: Textual would also run Input's own paste handler (it dispatches along the MRO)
        event.prevent_default()
        event.stop()
        text = event.text.splitlines()[0] if event.text else ""
        if len(text) > MAX_INPUT_CHARS:
            self.post_message(self.PasteCut(len(text)))
            text = text[:MAX_INPUT_CHARS]
        if not text:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)


class QuickReplies(Grid):
    """The answers to the pending follow-up as buttons (numbered, so digits pick them), plus a hint line."""

    @dataclass
    class Picked(Message):
        """Posted when a quick reply was chosen."""

        reply: str
        """What is sent to the manager."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.replies: list[tuple[str, str]] = []
        """(label, reply sent) of each button, in order."""

    def show(self, replies: list[tuple[str, str]]) -> None:
        """Replace the buttons with these (label, reply) pairs; an empty list hides the row."""
        self.replies = list(replies)
        self.remove_children()
        self.mount_all(
            _unfocusable(Button(Content(f"{i}  {label}"), compact=True, classes="quick-reply", name=str(i - 1)))
            for i, (label, _reply) in enumerate(self.replies, start=1)
        )
        self.display = bool(self.replies)
        self._fit_columns()

    def on_resize(self) -> None:
        """Called when the width changes: as many columns as the widest label allows."""
        self._fit_columns()

    def _fit_columns(self) -> None:
        # a grid cannot wrap by itself: choose the column count from the widest label and the width
        widest = max((len(label) for label, _reply in self.replies), default=1) + 6
        width = self.size.width or self.app.size.width
        self.styles.grid_size_columns = max(1, min(len(self.replies) or 1, width // widest))

    def pick(self, index: int) -> None:
        """Choose reply `index` (0-based), as if its button were pressed."""
        if 0 <= index < len(self.replies):
            self.post_message(self.Picked(self.replies[index][1]))

    @on(Button.Pressed, ".quick-reply")
    def _button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.pick(int(event.button.name or 0))


class Suggestions(Vertical):
    """Clickable questions: the welcome examples, "Did you mean...", or the offer to resume a session."""

    @dataclass
    class Picked(Message):
        """Posted when a suggestion was chosen."""

        reply: str
        """What is sent to the manager (a question, a number, or an app action like `:resume`)."""
        label: str
        """What the person saw and picked (shown as their message)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.items: list[tuple[str, str]] = []
        """(label, reply) of each button."""
        self.numbered = False
        """Whether the buttons are numbered (then digits pick them, as they pick quick replies)."""

    def show(self, title: str, items: list[tuple[str, str]], numbered: bool = False) -> None:
        """Show `items` as (label, reply) buttons under `title` (numbered: "1. label"); no items hides the box."""
        self.items = list(items)
        self.numbered = numbered
        self.remove_children()
        if self.items:
            self.mount(Static(Content(title), classes="suggestions-title"))
            self.mount_all(
                _unfocusable(Button(Content(f"{i + 1}. {label}" if numbered else label), compact=True, classes="suggestion", name=str(i)))
                for i, (label, _reply) in enumerate(self.items)
            )
        self.display = bool(self.items)

    def pick(self, index: int) -> None:
        """Choose suggestion `index` (0-based), as if its button were pressed."""
        if 0 <= index < len(self.items):
            label, reply = self.items[index]
            self.post_message(self.Picked(reply, label))

    @on(Button.Pressed, ".suggestion")
    def _button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.pick(int(event.button.name or 0))


def _unfocusable(button: Button) -> Button:
    """A button for the mouse: it never takes the focus, so typing always lands in the message line."""
    button.can_focus = False
    return button


class CasePanel(VerticalScroll, can_focus=False):
    """The case during a guided flow: verdict, progress, the criteria as a compact grid, the findings."""

    GRID_WIDTH = 38
    """The grid's width in cells (the panel is 42 wide with its border and padding)."""

    def compose(self) -> ComposeResult:
        yield Static(Content("Case"), classes="panel-title")
        yield Static(id="verdict")
        yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
        yield Static(id="progress-title")
        yield Static(id="criteria")
        yield Static(Content("Findings"), classes="panel-title")
        yield Static(id="findings")

    def show(
        self,
        verdict: str | None,
        criteria: dict[str, dict[str, Any]],
        findings: list[tuple[str, str]],
        progress: Progress | None,
    ) -> None:
        """Render the case: criteria as {group: {name: status}}, findings as (label, value), workup progress."""
        from guidebot.render import GRID_LEGEND, criteria_grid

        self.query_one("#verdict", Static).update(Content(f"Verdict: {verdict.replace('_', ' ')}" if verdict else ""))
        bar = self.query_one("#progress", ProgressBar)
        title = self.query_one("#progress-title", Static)
        if progress and progress.of:
            bar.display = title.display = True
            bar.update(total=progress.of, progress=progress.step)
            title.update(Content(f"Step {progress.step} of {progress.of}: {progress.title}"))
        else:
            bar.display = title.display = False
        # the grid as text (the same as `guidebot assess` prints on a terminal), each symbol in its state's colour
        lines = criteria_grid(criteria, self.GRID_WIDTH)
        parts: list[Any] = []
        for line in lines + ["", GRID_LEGEND]:
            for char in line:
                parts.append((char, STATE_STYLE[char]) if char in STATE_STYLE else char)
            parts.append("\n")
        self.query_one("#criteria", Static).update(Content.assemble(*parts[:-1]))
        lines = [f"{name}: {value}" for name, value in findings]
        self.query_one("#findings", Static).update(Content("\n".join(lines) if lines else "none yet"))


STATE_STYLE = {"✓": "bold $success", "✗": "bold $error", "?": "$text-muted"}
"""The colour of each state's symbol in the case panel (the symbol alone reads without colour too)."""
