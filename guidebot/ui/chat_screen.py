"""The chat screen: routes the person's messages to the DialogueManager and its Turns to the widgets.

`GuidebotApp` pushes it and, once the knowledge worker is done, hands it the manager with `start()`.
Everything it shows comes from the manager or the knowledge base; the screen only decides where.
"""

from __future__ import annotations

import io
import os
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.suggester import SuggestFromList
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from guidebot.dialogue.turns import Progress
from guidebot.ui.widgets import (
    MAX_INPUT_CHARS,
    BotTurn,
    CasePanel,
    PromptInput,
    QuickReplies,
    Suggestions,
    UserTurn,
)
from guidebot.ui.web import SERVE_ENV

QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q"})
"""Slash commands that quit (every other one but /sessions goes to the manager)."""

SESSIONS_COMMAND = "/sessions"
"""The slash command that opens the session browser (F6)."""

RESUMED_TURNS_SHOWN = 200
"""A resumed session shows at most this many of its last messages (mounting thousands would stall the UI)."""

RESUME = ":resume"
"""The reply of the "resume the last session" button (never sent to the manager)."""

WIDE = 100
"""From this width the case panel opens by itself when a guided flow starts; below it F2 opens it."""

NOT_DONE = ("Not done", "not done")
"""The reply every slot kind accepts for "unknown / not tested yet" (INTERFACE section 5)."""


def quick_replies(awaiting: Any) -> list[tuple[str, str]]:
    """The (label, reply) buttons for a pending follow-up.

    bool → Yes / No / Not done; choice → the choices, Not done; list → the choices, None, Not done;
    int and number → none (typed, with the hint).
    """
    if awaiting is None:
        return []
    if awaiting.kind == "bool":
        return [("Yes", "yes"), ("No", "no"), NOT_DONE]
    if awaiting.kind == "choice":
        return [(choice, choice) for choice in awaiting.choices] + [NOT_DONE]
    if awaiting.kind == "list":
        return [(choice, choice) for choice in awaiting.choices] + [("None", "none"), NOT_DONE]
    return []


def reference_text(number: int, knowledge: Any) -> str:
    """The full reference `number` of the review, with its DOI (through the router, else the knowledge base)."""
    try:
        from guidebot.routing import get_router

        text = get_router().reference(number)
        if text:
            return str(text)
    except Exception:  # noqa: BLE001 - the router is optional here; the knowledge base below is enough
        pass
    ref = getattr(knowledge, "references", {}).get(number) if knowledge is not None else None
    if ref is None:
        return f"[{number}] is not in the review's reference list."
    try:
        from guidebot.render import format_reference

        return f"[{number}] {format_reference(ref)}"
    except Exception:  # noqa: BLE001 - render may not offer it; fall back to the fields themselves
        parts = [ref.authors, ref.title, f"{ref.journal}. {ref.year}", ref.details]
        text = ". ".join(part.rstrip(".") for part in parts if part) + "."
        if ref.doi:
            text += f" doi:{ref.doi}"
        return f"[{number}] {text}"


class CitationsScreen(ModalScreen[None]):
    """The references of one answer: pick a number to read the full reference with its DOI."""

    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("q", "dismiss", "Close", show=False)]

    def __init__(self, numbers: list[int], knowledge: Any, selected: int | None = None) -> None:
        super().__init__()
        self.numbers = list(numbers)
        """The reference numbers listed."""
        self.knowledge = knowledge
        self.selected = selected if selected in self.numbers else (self.numbers[0] if self.numbers else None)
        """The number whose full reference is shown."""

    def compose(self) -> ComposeResult:
        with Vertical(id="citations-box"):
            yield Static(Content("References (Enter or click to read, Esc to close)"), classes="panel-title")
            if self.numbers:
                yield OptionList(
                    *(Option(Content(self._short(n)), id=f"ref-{n}") for n in self.numbers),
                    id="citations-list",
                )
            yield Static(id="reference")

    def _short(self, number: int) -> str:
        ref = getattr(self.knowledge, "references", {}).get(number) if self.knowledge is not None else None
        return f"[{number}] {ref.title}" if ref is not None else f"[{number}]"

    def on_mount(self) -> None:
        """Called when shown: highlight the chosen reference and show it in full."""
        if self.selected is not None:
            self.query_one(OptionList).highlighted = self.numbers.index(self.selected)
            self.show_reference(self.selected)
        else:
            self.query_one("#reference", Static).update(Content("This answer cites no reference."))

    def show_reference(self, number: int) -> None:
        """Show reference `number` in full."""
        self.selected = number
        self.query_one("#reference", Static).update(Content(reference_text(number, self.knowledge)))

    @on(OptionList.OptionHighlighted)
    @on(OptionList.OptionSelected)
    def _option_chosen(self, event: OptionList.OptionHighlighted | OptionList.OptionSelected) -> None:
        if event.option.id:
            self.show_reference(int(event.option.id.removeprefix("ref-")))


class ChatScreen(Screen[None]):
    """Prompt → DialogueManager.respond → transcript, with follow-up buttons and the case panel."""

    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "toggle_case", "Case"),
        Binding("f3", "citations", "Refs"),
        Binding("f4", "send('/assess')", "Assess", show=False),
        Binding("f6", "sessions", "Sessions"),
        Binding("ctrl+y", "copy", "Copy"),
        Binding("ctrl+t", "app.toggle_theme", "Theme", show=False),
        Binding("escape", "focus_prompt", "Prompt", show=False),
        Binding("pageup", "scroll_transcript(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_transcript(1)", "Scroll down", show=False),
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]

    awaiting: reactive[Any] = reactive(None, init=False)
    """The follow-up the manager waits for (an Awaiting), or None; drives the quick replies."""
    flow: reactive[str | None] = reactive(None, init=False)
    """The guided flow in progress (diagnosis, treatment, workup) or None; drives the case panel."""
    case_open: reactive[bool] = reactive(False, init=False)
    """Whether the case panel is shown (F2 toggles; a flow opens it on wide screens)."""

    def __init__(self) -> None:
        super().__init__()
        self.manager: Any = None
        """The DialogueManager, set by `start()`."""
        self.knowledge: Any = None
        """The KnowledgeBase, set by `start()`."""
        self.resumable: Any = None
        """A saved unfinished session offered on the welcome screen, or None."""
        self.last_citations: list[int] = []
        """The citations of the last reply that had any (F3 lists them)."""
        self.progress: Progress | None = None
        """The workup progress of the last turn."""
        self.last_turn: Any = None
        """The last Turn shown (tests and the case panel read it)."""
        self.selected: UserTurn | BotTurn | None = None
        """The message clicked last (ctrl+y copies it instead of the last answer), or None."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="chat"):
                transcript = VerticalScroll(id="transcript")
                transcript.can_focus = False  # scrolled by PageUp/PageDown and the wheel; the focus stays in the input
                yield transcript
                yield Suggestions(id="suggestions")
                yield QuickReplies(id="quick-replies")
                yield Static(id="hint")
                yield PromptInput(id="prompt", placeholder="Loading the review…", disabled=True)
            yield CasePanel(id="case")
        yield Footer()

    def on_mount(self) -> None:
        """Called when the screen is shown: nothing to pick yet."""
        self.query_one(QuickReplies).show([])
        self.query_one(Suggestions).show("", [])
        self.query_one("#hint", Static).display = False
        self.query_one(CasePanel).display = False

    # -- start-up ---------------------------------------------------------------------------------------

    def start(self, manager: Any, knowledge: Any, resumable: Any = None, resumed: bool = False) -> None:
        """Called by the app when the manager is ready: show the greeting (or the resumed turn) and examples."""
        self.manager, self.knowledge, self.resumable = manager, knowledge, resumable
        prompt = self.query_one(PromptInput)
        prompt.disabled = False
        prompt.placeholder = "Ask about POEMS syndrome, or /help (F1: keys)"
        prompt.suggester = SuggestFromList(slash_commands(), case_sensitive=False)
        prompt.focus()
        if resumed:
            self._show_resumed()
        else:
            self.show_turn(_welcome(manager.greeting()), welcome=True)

    def _show_resumed(self) -> None:
        """Show the whole saved conversation again, refill the input history and reopen the case panel."""
        from guidebot.dialogue.events import BotSaid, UserSaid

        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.remove_children()
        prompt = self.query_one(PromptInput)
        prompt.history.clear()
        events = list(getattr(self.manager, "events", []))
        said = [e for e in events if isinstance(e, (UserSaid, BotSaid))]
        # the greeting before the first question is the welcome, not part of the conversation
        while said and isinstance(said[0], BotSaid):
            said.pop(0)
        for event in said:
            if isinstance(event, UserSaid):
                prompt.remember(event.text[:MAX_INPUT_CHARS])
        hidden = max(0, len(said) - RESUMED_TURNS_SHOWN)
        widgets: list[Any] = []
        if hidden:
            widgets.append(Static(Content(f"({hidden} earlier messages are in the saved session; /export writes them all)"), classes="resumed-note"))
        last = said[-1] if said and isinstance(said[-1], BotSaid) else None
        for event in said[hidden:]:
            if event is last:
                break
            if isinstance(event, UserSaid):
                widgets.append(UserTurn(event.text))
            else:
                widgets.append(BotTurn(event.turn.text, list(event.turn.citations)))
        transcript.mount_all(widgets)
        self.notify(f"Resumed session {self.manager.session_id}.", markup=False)
        asked = next((w for w in reversed(widgets) if isinstance(w, UserTurn)), None)
        if last is not None:
            # as after a fresh reply: a follow-up keeps its question in view, an answer shows its top
            self.show_turn(last.turn.copy(), asked=asked)
        else:
            self.show_turn(_welcome(self.manager.greeting_turn()), welcome=True)
        if (self.flow is not None or getattr(self.manager, "recorded", None)) and self.size.width >= WIDE:
            self.case_open = True

    def _examples(self) -> list[tuple[str, str]]:
        """The greeting's example questions (the manager's choice of facts and guided flows) as (label, reply)."""
        from guidebot.dialogue.render import EXAMPLE_QUESTIONS

        facts = getattr(self.knowledge, "facts", {})
        questions = [facts[f].questions[0] for f in EXAMPLE_QUESTIONS if f in facts]
        flows = {i.id: i for i in getattr(self.knowledge, "intents", [])}
        questions += [flows[i].questions[0] for i in ("diagnosis.assess", "treatment.plan", "workup.guide") if i in flows]
        return [(q, q) for q in questions]

    # -- sending -----------------------------------------------------------------------------------------

    def send(self, text: str, shown: str | None = None) -> None:
        """Send one message: echo it literally, ask the manager, show its turn. `shown` replaces the echo."""
        text = text.strip()
        if not text or self.manager is None:
            return
        if len(text) > MAX_INPUT_CHARS:
            self.notify(
                f"Your message was {len(text)} characters; only the first {MAX_INPUT_CHARS} were sent.",
                severity="warning",
                markup=False,
            )
            text = text[:MAX_INPUT_CHARS]
        if text.lower() in QUIT_COMMANDS:
            self.app.exit()
            return
        if text.lower() == SESSIONS_COMMAND:
            self.action_sessions()
            return
        if text == RESUME:
            self.resume_session()
            return
        if text.lower() == "/quiz":
            from guidebot.ui.quiz_screen import open_quiz  # learning mode stays unloaded until asked for

            open_quiz(self.app)
            return
        if _is_export(text) and self.in_browser:
            self.deliver_export()
            return
        self.resumable = None  # the offer stands only until the person starts talking
        asked = UserTurn(shown or text)
        self.query_one("#transcript", VerticalScroll).mount(asked)
        try:
            turn = self.manager.respond(text)
        except Exception as exc:  # noqa: BLE001 - a bug in the core must not close the chat
            self.notify(f"internal error: {type(exc).__name__}: {exc}", severity="error", markup=False)
            return
        self.show_turn(turn, asked=asked)
        if text.lower().startswith("/export"):
            self.notify(_first_line(turn.text), title="Export", markup=False)

    @property
    def in_browser(self) -> bool:
        """Whether the person is in a browser (`guidebot serve`): then no file is written where the app runs."""
        return self.app.is_web or os.environ.get(SERVE_ENV) == "1"

    def deliver_export(self) -> None:
        """`/export` in a browser: the chat as a Markdown download, whatever path was typed (a path would
        name a file on the server, not on the person's machine)."""
        self._download(self.manager, getattr(self.manager, "session_id", None))

    def _download(self, manager: Any, session_id: str | None) -> str:
        """Hand the browser the chat as Markdown and the assessment as an HTML page; returns what was said."""
        name = f"guidebot-chat-{session_id or 'session'}.md"
        self.app.deliver_text(io.StringIO(manager.export_markdown()), save_filename=name, mime_type="text/markdown")
        page = name.removesuffix(".md") + ".html"
        self.app.deliver_text(io.StringIO(manager.export_html()), save_filename=page, mime_type="text/html")
        message = f"Your browser downloads this chat as {name} and the assessment as {page}."
        self.notify(message, title="Export", markup=False)
        return message

    def show_turn(self, turn: Any, welcome: bool = False, asked: UserTurn | None = None) -> None:
        """Show one Turn (the reply to `asked`): its Markdown, its follow-up buttons or suggestions, the case panel."""
        transcript = self.query_one("#transcript", VerticalScroll)
        if self.case_open and self.has_class("-narrow"):
            self.case_open = False  # at narrow widths the panel lies over the chat: the new reply comes first
        mounted = transcript.mount(BotTurn(turn.text, turn.citations))
        if turn.awaiting is not None:
            # a follow-up ends with its question: keep the end in view, even as the Markdown grows
            transcript.anchor()
        elif asked is not None:
            # an answer is read from its top: put the question asked at the top once the reply is laid out
            transcript.anchor(False)
            self.call_later(self._reveal, mounted, asked)
        self.last_turn = turn
        if turn.citations:
            self.last_citations = list(turn.citations)
        self.progress = turn.progress
        self.flow = turn.flow if turn.flow is not None else getattr(self.manager, "flow", None)
        self.awaiting = turn.awaiting
        suggestions = self.query_one(Suggestions)
        if self.resumable is not None and welcome:
            offer = ("Resume the unfinished session saved earlier", RESUME)
            suggestions.show("Resume, or try an example:", [offer, *self._examples()], numbered=True)
        elif turn.suggestions:
            title = "Examples:" if welcome else ("Next:" if turn.assessment or turn.intent else "Did you mean:")
            # the manager reads a bare number as "that suggestion", so the buttons send the number
            suggestions.show(title, [(s.title, str(i)) for i, s in enumerate(turn.suggestions, start=1)], numbered=True)
        elif welcome:
            suggestions.show("Try, for example:", self._examples(), numbered=True)
        else:
            suggestions.show("", [])
        self._update_digit_picks()
        self.refresh_case()

    async def _reveal(self, mounted: Any, widget: UserTurn) -> None:
        await mounted
        transcript = self.query_one("#transcript", VerticalScroll)
        self.call_after_refresh(transcript.scroll_to_widget, widget, top=True, animate=False)

    def resume_session(self) -> None:
        """Swap in the saved session offered at start and show where it stopped."""
        if self.resumable is None:
            return
        self.open_manager(self.resumable)

    def open_manager(self, manager: Any) -> None:
        """Continue `manager`'s saved session in this chat: its whole conversation, history and case."""
        self.manager, self.resumable = manager, None
        self.app.manager = self.manager  # type: ignore[attr-defined]
        self.selected = None
        self._show_resumed()

    def _update_digit_picks(self) -> None:
        """The digit rule, one for every numbered list: 1-9 in the empty message line pick from the quick
        replies when there are any, else from the numbered suggestions; anywhere else a digit is text."""
        quick = self.query_one(QuickReplies).replies
        numbered = self.query_one(Suggestions)
        self.query_one(PromptInput).quick_picks = len(quick) if quick else (len(numbered.items) if numbered.numbered else 0)

    # -- state → widgets ---------------------------------------------------------------------------------

    def watch_awaiting(self, awaiting: Any) -> None:
        """Called when the pending follow-up changes: buttons, digit picks and the hint follow it."""
        replies = quick_replies(awaiting)
        self.query_one(QuickReplies).show(replies)
        self._update_digit_picks()
        hint = self.query_one("#hint", Static)
        if awaiting is None:
            hint.display = False
        else:
            if replies:
                text = f"Press 1-{len(replies)} or type an answer" + (" (several: comma-separated)" if awaiting.kind == "list" else "")
            else:
                text = "Type a number" + (" (a unit is fine)" if awaiting.kind == "number" else "") + ", or 'not done'"
            hint.update(Content(text))
            hint.display = True
        self.set_class(awaiting is not None, "-awaiting")
        for kind in ("bool", "int", "number", "choice", "list"):
            self.set_class(awaiting is not None and awaiting.kind == kind, f"-awaiting-{kind}")

    def watch_flow(self, old: str | None, new: str | None) -> None:
        """Called when a guided flow starts or ends: open the case panel on wide screens."""
        if new is not None and old is None and self.size.width >= WIDE:
            self.case_open = True
        self.set_class(new is not None, "-in-flow")

    def watch_case_open(self, case_open: bool) -> None:
        """Called when the case panel is toggled: beside the chat when wide, over it when narrow."""
        panel = self.query_one(CasePanel)
        panel.display = case_open
        self.refresh_case()
        if self.has_class("-narrow"):
            # over the chat, down to the message line (left in view, so what is typed can be read)
            panel.styles.height = max(5, self.query_one("#body").size.height - 3)
        else:
            panel.styles.height = None
            # the chat got narrower or wider: its lines rewrap, so bring the newest reply back into view
            self.call_after_refresh(self._show_newest)

    def _show_newest(self) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        replies = transcript.query(BotTurn)
        if replies:
            transcript.scroll_to_widget(replies.last(), top=True, animate=False)

    def refresh_case(self) -> None:
        """Recompute the case panel from the manager (only while it is shown)."""
        if not self.case_open or self.manager is None:
            return
        from guidebot.dialogue.render import findings_rows  # the words the chat echoes findings in

        try:
            assessment = self.manager.assessment()
            case = self.manager.case
        except Exception as exc:  # noqa: BLE001 - the panel is a view; a failure there must not stop the chat
            self.notify(f"case panel: {type(exc).__name__}: {exc}", severity="error", markup=False)
            return
        findings = findings_rows(_recorded(self.manager, case), getattr(self.manager, "kb", None))
        verdict = str(getattr(assessment.verdict, "value", assessment.verdict))
        self.query_one(CasePanel).show(verdict, assessment.criteria, findings, self.progress)

    # -- events from widgets ------------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    def _prompt_submitted(self, event: PromptInput.Submitted) -> None:
        prompt = self.query_one(PromptInput)
        prompt.remember(event.value.strip()[:MAX_INPUT_CHARS])
        prompt.value = ""
        self.send(event.value)

    @on(PromptInput.QuickPicked)
    def _digit_picked(self, event: PromptInput.QuickPicked) -> None:
        quick = self.query_one(QuickReplies)
        if quick.replies:
            quick.pick(event.index)
        else:
            self.query_one(Suggestions).pick(event.index)

    @on(PromptInput.PasteCut)
    def _paste_cut(self, event: PromptInput.PasteCut) -> None:
        self.notify(
            f"The paste was {event.length} characters; it was cut to {MAX_INPUT_CHARS}.", severity="warning", markup=False
        )

    @on(QuickReplies.Picked)
    def _quick_reply_picked(self, event: QuickReplies.Picked) -> None:
        self.send(event.reply)
        self.query_one(PromptInput).focus()

    @on(Suggestions.Picked)
    def _suggestion_picked(self, event: Suggestions.Picked) -> None:
        self.send(event.reply, shown=event.label)
        self.query_one(PromptInput).focus()

    @on(BotTurn.CitationPicked)
    def _citation_picked(self, event: BotTurn.CitationPicked) -> None:
        numbers = sorted(set(self.last_citations) | {event.number})
        for turn in self.query(BotTurn):
            if event.number in turn.citations:
                numbers = turn.citations
        self.app.push_screen(CitationsScreen(numbers, self.knowledge, selected=event.number))

    # -- actions ----------------------------------------------------------------------------------------

    def action_send(self, text: str) -> None:
        """Send a command as if typed (F4 → /assess)."""
        self.send(text)

    def action_help(self) -> None:
        """F1: the help screen (keys, commands, examples)."""
        from guidebot.ui.screens import HelpScreen, help_markdown

        self.app.push_screen(HelpScreen(help_markdown(manager_commands(), [q for q, _ in self._examples()])))

    def action_sessions(self) -> None:
        """F6: the session browser."""
        from guidebot.dialogue.store import list_sessions
        from guidebot.ui.screens import SessionsScreen

        try:
            summaries = list_sessions()
        except OSError as exc:
            self.notify(f"Cannot list the saved sessions: {exc.strerror or exc}", severity="error", markup=False)
            return
        current = getattr(self.manager, "session_id", None)
        self.app.push_screen(SessionsScreen(summaries, current, self._session_action))

    def _session_action(self, choice: Any) -> str:
        """Open, export or delete a saved session (the browser's choice); returns what happened, in a line."""
        from guidebot.dialogue.manager import DialogueManager
        from guidebot.dialogue.store import delete_session, read_events
        from guidebot.errors import GuidebotError
        from guidebot.ui.sessions import open_session
        from guidebot.userdata import ready_export_dir, write_private

        try:
            if choice.action == "delete":
                delete_session(choice.session_id)
                return f"Deleted session {choice.session_id}."
            if choice.action == "export":
                # read without taking the session's lock: a session open elsewhere can still be exported
                saved = DialogueManager(kb=self.knowledge, store=None, events=read_events(choice.session_id))
                if self.in_browser:
                    return self._download(saved, choice.session_id)  # never a file on the server
                target = ready_export_dir() / f"guidebot-chat-{choice.session_id}.md"
                write_private(target, saved.export_markdown())
                write_private(target.with_suffix(".html"), saved.export_html())
                self.notify(f"Exported to {target} (and .html)", title="Export", markup=False)
                return f"Exported to {target} and {target.with_suffix('.html').name}."
            opened = open_session(self.knowledge, choice.session_id, getattr(self.app, "_dialogue", None))
            if not opened.resumed:
                message = f"Cannot open session {choice.session_id}: {opened.notice}"
                self.notify(message, severity="error", markup=False)
                return message
            previous = getattr(self.manager, "store", None)
            self.open_manager(opened.manager)
            if previous is not None and hasattr(previous, "release"):
                previous.release()  # the chat left it: another guidebot may resume it now
            return ""
        except (GuidebotError, OSError, ValueError) as exc:
            message = f"{choice.action.capitalize()} failed: {exc}"
            self.notify(message, severity="error", markup=False)
            return message

    def action_copy(self) -> None:
        """Ctrl+Y: copy the clicked message, else the last answer, as Markdown (through the terminal)."""
        message = self.selected if self.selected is not None and self.selected.is_attached else None
        if message is None:
            replies = self.query(BotTurn)
            message = replies.last() if replies else None
        if message is None:
            self.notify("Nothing to copy yet.", markup=False)
            return
        self.app.copy_to_clipboard(message.text)
        what = "your message" if isinstance(message, UserTurn) else "the answer"
        self.notify(f"Copied {what} as Markdown ({len(message.text)} characters).", markup=False)

    def on_click(self, event: Any) -> None:
        """A click on a message selects it for ctrl+y (a click elsewhere selects nothing)."""
        widget = event.widget
        while widget is not None and not isinstance(widget, (UserTurn, BotTurn)):
            widget = widget.parent
        if self.selected is not None:
            self.selected.remove_class("-selected")
        self.selected = widget if isinstance(widget, (UserTurn, BotTurn)) else None
        if self.selected is not None:
            self.selected.add_class("-selected")
        self.query_one(PromptInput).focus()

    def action_toggle_case(self) -> None:
        """Show or hide the case panel."""
        self.case_open = not self.case_open

    def action_citations(self) -> None:
        """List the references of the last answer that cited any."""
        if not self.last_citations:
            self.notify("No answer with references yet.", markup=False)
            return
        self.app.push_screen(CitationsScreen(self.last_citations, self.knowledge))

    def action_scroll_transcript(self, direction: int) -> None:
        """Page the transcript up (-1) or down (+1) without leaving the message line."""
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.scroll_page_up() if direction < 0 else transcript.scroll_page_down()

    def action_focus_prompt(self) -> None:
        """Put the cursor back in the message line."""
        self.query_one(PromptInput).focus()


def slash_commands() -> list[str]:
    """Every slash command, as the message line completes them."""
    from guidebot.ui.screens import APP_COMMANDS

    return sorted({name.split()[0] for name in manager_commands()} | set(APP_COMMANDS))


def manager_commands() -> dict[str, str]:
    """The manager's slash commands (`/refs [N]` -> what it does)."""
    from guidebot.dialogue.render import COMMANDS

    return dict(COMMANDS)


def _welcome(turn: Any) -> Any:
    """The greeting without its list of examples and its list of commands: the chat shows the examples once,
    as numbered buttons below, and the commands in F1, the palette and the completion (the prompt says so),
    so that the welcome fits 80x24."""
    lines = [line for line in turn.text.split("\n") if not line.startswith("Commands: ")]
    if "Try, for example:" in lines:
        start = lines.index("Try, for example:")
        end = start + 1
        while end < len(lines) and lines[end].startswith("- "):
            end += 1
        del lines[start : end + (1 if end < len(lines) and not lines[end].strip() else 0)]
    turn.text = "\n".join(lines).strip()
    return turn
def _is_export(text: str) -> bool:
    """Whether the manager would read `text` as the /export command (it cleans the text the same way)."""
    from guidebot.dialogue.manager import clean_input

    cleaned, _notice = clean_input(text)
    return cleaned.partition(" ")[0].lower() == "/export"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _recorded(manager: Any, case: Any) -> dict[str, Any]:
    """Every recorded finding (explicit unknowns as None), else the Case's known fields."""
    recorded = getattr(manager, "recorded", None)
    if isinstance(recorded, dict):
        return recorded
    data = case.model_dump(mode="json") if hasattr(case, "model_dump") else dict(case or {})
    return {name: value for name, value in data.items() if value is not None}
