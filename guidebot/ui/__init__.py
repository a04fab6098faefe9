"""The Textual chat UI; nothing is imported here, so the TUI is only ever loaded on purpose."""
