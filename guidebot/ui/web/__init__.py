"""The chat in a browser: `server.py` (the guarded textual-serve server) and `app_index.html` (its page).

Nothing heavy is imported here: the chat screen reads `SERVE_ENV` from this module.
"""

SERVE_ENV = "GUIDEBOT_SERVE"
"""Set to 1 in every served session's environment: the app then delivers `/export` as a browser download
and never writes a path on the server."""
