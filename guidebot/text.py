"""Text hygiene in one place: `clean_text` makes any input text safe to show, store and print as UTF-8.

Every path that takes text from outside (a question, a chat reply, a case or knowledge file's field
names, a session log, the UI's echo) runs it through `clean_text`, so terminal control codes typed,
pasted or planted in a file never reach a terminal, and undecodable bytes never reach a JSON line.
Imports only `re`: `guidebot ask` pays nothing for it.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
"""What an undecodable byte (or a lone surrogate from `surrogateescape`) becomes."""

# A terminal reads these as commands, not text. 7-bit forms start with ESC (U+001B); 8-bit forms are the C1
# characters U+0080-U+009F themselves (U+009B CSI, U+009D OSC, U+0090 DCS, U+0098 SOS, U+009E PM, U+009F APC).
_STRING_END = r"(?:\x07|\x1b\\|\x9c)?"  # optional: a required end made every unterminated OSC rescan the text
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"  # CSI: colours, cursor moves, screen clears
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*" + _STRING_END  # OSC/DCS/SOS/PM/APC ... ST
    + r"|\x1b[\x20-\x2f]*[\x30-\x7e]?",  # any other ESC sequence (charset switches, keypad modes, a bare ESC)
    re.S,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""C0 and C1 controls (tab and newline are kept), DEL, bidirectional overrides (they reorder what is shown)
and lone surrogates (undecodable bytes under `surrogateescape`)."""
_SPACES = re.compile(r"\s+")


def clean_text(text: str | bytes | None, max_len: int | None = None, *, keep_newlines: bool = False) -> str:
    """`text` made safe: escape sequences and controls removed, bad bytes replaced, at most `max_len` characters.

    Bytes are decoded as UTF-8 with undecodable bytes replaced by U+FFFD; so are lone surrogates in a str
    (what `surrogateescape` makes of bad bytes in argv). Escape sequences (CSI, OSC, DCS, ... in 7-bit and
    8-bit form) go whole, other controls go, and whitespace runs become one space with the ends stripped;
    with `keep_newlines`, the layout is kept as it is (newlines, tabs, indentation: Markdown, a transcript).
    A caller that needs to know whether text was cut asks for `max_len + 1` and compares.
    """
    if text is None:
        return ""
    if isinstance(text, (bytes, bytearray)):
        if max_len is not None:
            text = bytes(text[: 4 * max_len + 64])  # a character is at most 4 bytes; the slack is for escapes
        text = text.decode("utf-8", errors="replace")
    elif max_len is not None and len(text) > 4 * max_len + 64:
        text = text[: 4 * max_len + 64]  # cleaning never needs more than this to fill max_len
    text = _ESCAPES.sub("", text)
    if keep_newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _CONTROLS.sub(lambda m: REPLACEMENT if "\ud800" <= m.group() <= "\udfff" else "", text)
    else:
        text = _CONTROLS.sub(lambda m: REPLACEMENT if "\ud800" <= m.group() <= "\udfff" else " ", text)
        text = _SPACES.sub(" ", text).strip()
    if max_len is not None and len(text) > max_len:
        text = text[:max_len]
    return text
