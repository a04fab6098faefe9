"""The dialogue stage: `DialogueManager.respond(text) -> Turn`, shared by chat --jsonl, chat --plain and the app.

Public API: `DialogueManager`, `Turn`, `Awaiting`, `SessionStore`, `parse_reply`, `Reask`, `extract_findings`.
"""

from guidebot.dialogue.findings import extract_findings
from guidebot.dialogue.manager import DialogueManager
from guidebot.dialogue.replies import Reask, parse_reply
from guidebot.dialogue.state import Awaiting, Turn
from guidebot.dialogue.store import SessionStore

__all__ = ["Awaiting", "DialogueManager", "Reask", "SessionStore", "Turn", "extract_findings", "parse_reply"]
