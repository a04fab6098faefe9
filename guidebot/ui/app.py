"""The Textual app: styling, key bindings, the chat screen, and the knowledge/dialogue load in a worker.

`guidebot` (cli/ui.py) calls `run_app()`; `guidebot serve` runs the same command in a browser.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message

from guidebot.ui.chat_screen import ChatScreen
from guidebot.ui.commands import KnowledgeCommands
from guidebot.ui.web import SERVE_ENV


class GuidebotApp(App[None]):
    """The chat UI; all it owns is the wiring (the screen does the routing, the manager the talking)."""

    CSS_PATH = Path(__file__).with_name("guidebot.tcss")
    """Absolute, so subclasses defined elsewhere (tests, bench/first_paint.py) find it too."""
    TITLE = "guidebot"
    COMMANDS = App.COMMANDS | {KnowledgeCommands}
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    @dataclass
    class SessionLoaded(Message):
        """Posted by the load worker when the knowledge base and the manager are ready."""

        manager: Any
        """The DialogueManager to talk to."""
        knowledge: Any
        """The KnowledgeBase (topics for the palette, labels, references)."""
        resumable: Any
        """An unfinished saved session to offer, or None."""
        resumed: bool
        """Whether `manager` is a resumed session."""
        notice: str | None = None
        """Why an asked-for resume did not happen, or None."""

    @dataclass
    class LoadFailed(Message):
        """Posted by the load worker when the knowledge base or the manager could not be loaded."""

        error: str
        """One line saying why."""

    def __init__(self, resume: bool | str | None = None, dialogue: Any = None) -> None:
        """`resume`: True = the latest session, a str = that session id, None = offer one, False = never.

        `dialogue` replaces the DialogueManager class (tests and development only).
        """
        super().__init__()
        self.resume = resume
        self._dialogue = dialogue
        self.manager: Any = None
        """The DialogueManager, once loaded."""
        self.knowledge: Any = None
        """The KnowledgeBase, once loaded."""

    def on_mount(self) -> None:
        """Called at start: show the chat at once."""
        self.push_screen(ChatScreen())

    def on_ready(self) -> None:
        """Called once the first frame is on screen: load the review behind it (the load thread holds the
        GIL much of the time, so starting it earlier would delay that first frame)."""
        self.load_session()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_session(self) -> None:
        """Load the knowledge base and build (or resume) the manager; posts SessionLoaded or LoadFailed."""
        try:
            from guidebot.knowledge import load_knowledge
            from guidebot.ui.sessions import open_session

            knowledge = load_knowledge()
            opened = open_session(knowledge, self.resume, self._dialogue)
            self.post_message(self.SessionLoaded(opened.manager, knowledge, opened.resumable, opened.resumed, opened.notice))
        except Exception as exc:  # noqa: BLE001 - shown to the person as one line, never a traceback
            self.post_message(self.LoadFailed(f"{type(exc).__name__}: {exc}"))

    def on_guidebot_app_session_loaded(self, event: SessionLoaded) -> None:
        """Called when the manager is ready: hand it to the chat screen."""
        self.manager, self.knowledge = event.manager, event.knowledge
        if event.notice:
            self.notify(f"{event.notice}; starting a new session.", severity="warning", markup=False)
        # a palette or modal may be on top by now; the chat screen is still in the stack
        screen = next(s for s in reversed(self.screen_stack) if isinstance(s, ChatScreen))
        screen.start(event.manager, event.knowledge, event.resumable, event.resumed)

    def on_guidebot_app_load_failed(self, event: LoadFailed) -> None:
        """Called when loading failed: say why (literally) and stay open, so the message can be read."""
        self.notify(f"Could not start the chat: {event.error}", severity="error", timeout=60, markup=False)
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                screen.query_one("#prompt").placeholder = "guidebot could not start (see the message); ctrl+q quits"

    def action_toggle_theme(self) -> None:
        """Switch between the light and the dark theme."""
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"


def run_app(resume: bool | str | None = None) -> int:
    """Run the chat UI until the person quits, then say where the session was saved; returns the exit code."""
    app = GuidebotApp(resume=resume)
    app.run()
    notice = saved_notice(app.manager)
    # in a browser (`guidebot serve`) stdout is the server's pipe, and the session is the server's to keep
    if notice and os.environ.get(SERVE_ENV) != "1" and not os.environ.get("TEXTUAL_DRIVER"):
        print(notice)
    return 0


def saved_notice(manager: Any) -> str:
    """What quitting prints: where the session was saved and the command that resumes it ("" when unsaved)."""
    store = getattr(manager, "store", None)
    path = getattr(store, "path", None)
    if path is None or not Path(path).is_file():
        return ""  # nothing was asked, so nothing was saved
    return f"Session saved to {path}\nResume it with: guidebot --resume {manager.session_id}"
