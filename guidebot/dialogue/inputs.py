"""A typed line before it is read: cleaned of control codes and cut to size, and the shapes that tell a
question, a control word or a patient apart (used by the dialogue manager and its guided flows, and by the app
to recognise /export as the manager will).
"""

from __future__ import annotations

import re
import unicodedata

from guidebot.dialogue.replies import is_unknown, normalise
from guidebot.text import clean_text

MAX_INPUT_CHARS = 2000
"""Longer input is cut to this many characters (with a notice): no question or answer needs more."""

CONTROL_WORDS: dict[str, str] = {
    "back": "back", "undo": "back", "go back": "back", "previous": "back",
    "skip": "skip", "pass": "skip", "skip it": "skip", "skip this": "skip", "next": "skip",
    "why": "why", "why?": "why", "why do you ask": "why", "why do you ask?": "why", "why ask": "why", "why?!": "why",
    "restart": "restart", "start over": "restart", "start again": "restart",
    "cancel": "cancel", "stop": "cancel", "quit flow": "cancel", "exit flow": "cancel", "abort": "cancel",
    "that's enough": "cancel", "thats enough": "cancel", "enough": "cancel", "stop here": "cancel", "stop asking": "cancel",
    "help": "help", "?help": "help",
}
"""Words that steer the conversation instead of answering."""

QUESTION_START = re.compile(
    r"^(?:what|whats|what's|how|why|when|which|who|whom|where|is|are|does|do|did|can|could|should|would|will|"
    r"tell me|explain|define|describe|list|give me|show me)\b",
    re.I,
)
ASKING = re.compile(r"^(?:what|whats|what's|how|why|when|which|who|where|can|could|should|would|does|do|did|tell|explain)\b", re.I)
"""How a question starts when it could not be an answer ("is present" can be; "what about 200?" cannot)."""
PATIENT = re.compile(r"\b(?:my|this|our|the) (?:patient|case|pt)\b|\bmy (?:man|woman|guy|lady)\b", re.I)
"""A question about a particular patient: a close flow suggestion is then taken as the flow."""
FLOW_CUES: dict[str, re.Pattern[str]] = {
    "treatment": re.compile(r"\bhow (?:should|do|would|can) (?:i|we) treat\b|\bwhich treatment\b", re.I),
    "diagnosis": re.compile(
        r"\b(?:does|do|could|might|can|would)\b.*\b(?:have|has|got)\b.*\bpoems\b|\bis (?:it|this|that) poems\b"
        r"|\bmeets? (?:the )?(?:poems )?criteria\b",
        re.I,
    ),
}
"""Phrasings that, about a particular patient, ask for a guided flow even when the router prefers a fact."""
ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b|\x9b|\\x1b|\\033|\\e|\\u001b|\^\[)"
    r"(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\\\|\\\\)?|[@-Z\\-_])"
)
"""Terminal escape sequences typed out ("\\x1b[31m", "^[[0m") as well as real: removed whole (before
`clean_text` removes the real ones and other controls), so their digits are never read as findings."""


def clean_input(text: str) -> tuple[str, str | None]:
    """(cleaned text, notice): control characters dropped, whitespace squeezed, cut to MAX_INPUT_CHARS."""
    # asking clean_text for one character more tells whether the text was cut
    text = ESCAPE_SEQUENCES.sub("", unicodedata.normalize("NFC", (text or "")[: 4 * MAX_INPUT_CHARS]))
    text = clean_text(text, MAX_INPUT_CHARS + 1)
    if len(text) > MAX_INPUT_CHARS:
        return text[:MAX_INPUT_CHARS], f"(Your message was cut to its first {MAX_INPUT_CHARS} characters.)"
    return text, None


def looks_like_question(text: str) -> bool:
    """A question rather than an answer or a finding ("what is...", "...?"), but not a bare "?" or "why?"."""
    t = text.strip()
    if not t or is_unknown(t) or normalise(t) in CONTROL_WORDS:
        return False
    return t.endswith("?") or bool(QUESTION_START.match(t))
