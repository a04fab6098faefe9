"""The command palette (ctrl+p): every knowledge fact by title, and the chat's slash commands; picking one asks it."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


class KnowledgeCommands(Provider):
    """Lists the knowledge base's facts (title, section) and the slash commands; choosing one sends it to the chat."""

    def _entries(self) -> list[tuple[str, str, str]]:
        """(shown text, help, message sent) for every entry."""
        from guidebot.dialogue.render import COMMANDS
        from guidebot.ui.screens import APP_COMMANDS

        # each command with what it does (the same words /help and F1 use); picking one sends its bare name
        entries = [(name, what, name.split()[0]) for name, what in {**COMMANDS, **APP_COMMANDS}.items()]
        knowledge: Any = getattr(self.app, "knowledge", None)
        for fact in getattr(knowledge, "facts", {}).values():
            if fact.questions:
                entries.append((fact.title, str(getattr(fact.section, "value", fact.section)), fact.questions[0]))
        return entries

    def _ask(self, text: str) -> None:
        send = getattr(self.screen, "send", None)
        if send is not None:
            send(text)

    async def discover(self) -> Hits:
        """Every entry, when nothing is typed yet."""
        for shown, help_text, message in self._entries():
            yield DiscoveryHit(shown, partial(self._ask, message), help=help_text)

    async def search(self, query: str) -> Hits:
        """Entries whose title (or section) matches the query."""
        matcher = self.matcher(query)
        for shown, help_text, message in self._entries():
            score = max(matcher.match(shown), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(shown), partial(self._ask, message), help=help_text)
