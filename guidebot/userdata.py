"""Where guidebot keeps what a person typed, and how: a private directory (0700), private files (0600).

Session logs hold whatever a trainee types, patient details included, so every directory and file made
here is private whatever the umask: the mode is set explicitly after creating (a umask can only take
bits away, and one of 000 would leave a file world-readable). Used by the session store, the exports
of the chat and anything else that keeps user data (learning progress).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DATA_DIR_ENV = "GUIDEBOT_DATA_DIR"
"""Environment variable naming the data directory instead of the platform's user data directory."""

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def data_dir() -> Path:
    """guidebot's data directory: `$GUIDEBOT_DATA_DIR`, else the platform's user data directory."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    import platformdirs  # only when persisting: keeps `guidebot ask` start-up cheap

    return Path(platformdirs.user_data_dir("guidebot"))


def private_dir(path: Path) -> Path:
    """`path` created if missing and made 0700 (its missing parents are created 0700 too)."""
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            pass
        os.chmod(folder, PRIVATE_DIR_MODE)
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def open_private(path: Path | str, flags: int) -> int:
    """A descriptor of `path` opened with `flags` (plus O_CREAT), the file made 0600 when it is a regular file.

    A device or pipe (`--export /dev/stdout`) is left as it is: its mode is not ours to change.
    """
    fd = os.open(path, flags | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE_MODE)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, PRIVATE_FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private(path: Path | str, text: str) -> None:
    """Write `text` (UTF-8) to `path`, replacing its contents; the file is 0600 whatever the umask."""
    fd = open_private(path, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


EXPORT_DIR_ENV = "GUIDEBOT_EXPORT_DIR"
"""Environment variable naming the folder `/export` writes to (`--export-dir` sets it for one run)."""


def export_dir() -> Path:
    """Where `/export` writes: `$GUIDEBOT_EXPORT_DIR`, else `<data dir>/exports` (never the current directory)."""
    env = os.environ.get(EXPORT_DIR_ENV)
    return Path(env).expanduser() if env else data_dir() / "exports"


def ready_export_dir() -> Path:
    """The export folder, created 0700 when missing; a folder that exists (`--export-dir ~/Documents`) is left
    as it is, its mode the person's own."""
    folder = export_dir()
    if not folder.exists():
        private_dir(folder)
    return folder
