"""Which dialogue session the app opens: a new one, the one asked for, or a new one with an old one on offer.

Plain Python (no Textual), called by `GuidebotApp.load_session` in its worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guidebot.errors import GuidebotError

RECENT_SESSIONS = 5
"""How many of the newest saved sessions are looked at for one worth resuming (each is replayed)."""


@dataclass
class OpenedSession:
    """The outcome of `open_session`."""

    manager: Any
    """The DialogueManager to talk to (saved after every turn)."""
    resumable: Any = None
    """An unfinished saved session to offer on the welcome screen, or None."""
    resumed: bool = False
    """Whether `manager` continues a saved session."""
    notice: str | None = None
    """Why an asked-for resume did not happen, or None."""


def open_session(knowledge: Any, resume: bool | str | None, dialogue: Any = None) -> OpenedSession:
    """Open the session for `resume`: True = the latest unfinished (else latest) one, a str = that id,
    None = a new one plus the latest unfinished one on offer, False = a new one only.

    `dialogue` replaces the DialogueManager class (tests only).
    """
    from guidebot.dialogue.store import SessionStore

    if dialogue is None:
        from guidebot.dialogue.manager import DialogueManager

        dialogue = DialogueManager
    manager, resumable, notice = None, None, None
    if resume is True:
        manager = latest_unfinished(dialogue, knowledge)
        if manager is None:
            manager, notice = _resume(dialogue, None, knowledge)
    elif resume:
        manager, notice = _resume(dialogue, str(resume), knowledge)
    elif resume is None:
        resumable = latest_unfinished(dialogue, knowledge)
    resumed = manager is not None
    if manager is None:
        manager = dialogue(kb=knowledge, store=SessionStore())
    return OpenedSession(manager, resumable, resumed, notice)


def latest_unfinished(dialogue: Any, knowledge: Any) -> Any:
    """The newest saved session with a guided flow in progress or findings recorded, or None.

    A session of questions and answers alone has nothing to resume, so it is passed over.
    """
    from guidebot.dialogue.store import session_ids

    # session_ids lists regular files only: a planted link or pipe named *.jsonl is passed over
    for session_id in session_ids()[:RECENT_SESSIONS]:
        manager, _ = _resume(dialogue, session_id, knowledge)
        if manager is not None and (manager.flow is not None or getattr(manager, "recorded", None)):
            return manager
        if manager is not None and getattr(manager, "store", None) is not None:
            manager.store.release()  # only looked at: another guidebot may resume it
    return None


def _resume(dialogue: Any, session_id: str | None, knowledge: Any) -> tuple[Any, str | None]:
    """(the saved session, None), or (None, why not) when there is none or it cannot be read."""
    try:
        return dialogue.resume(session_id, kb=knowledge), None
    except (GuidebotError, OSError) as exc:
        return None, str(exc)
