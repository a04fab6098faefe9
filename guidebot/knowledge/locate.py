"""Finds the knowledge directory and lists its files with os alone (no pathlib: its import, with urllib's,
costs `guidebot ask` milliseconds on every start), so the fast path can stat them cheaply."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

ENV_VAR = "GUIDEBOT_KNOWLEDGE"
"""Environment variable naming a knowledge directory to use instead of the built-in one."""

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def knowledge_path(path: str | os.PathLike[str] | None = None) -> str:
    """The knowledge directory: `path`, else $GUIDEBOT_KNOWLEDGE, else the source checkout's `knowledge/`, else the installed copy."""
    if path is not None:
        return os.fspath(path)
    env = os.environ.get(ENV_VAR)
    if env:
        return env
    checkout = os.path.join(os.path.dirname(_PACKAGE_DIR), "knowledge")
    if os.path.isdir(os.path.join(checkout, "facts")):
        return checkout
    # a wheel install: pyproject force-includes knowledge/ as guidebot/_knowledge
    return os.path.join(_PACKAGE_DIR, "_knowledge")


def knowledge_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """`knowledge_path` as a Path."""
    from pathlib import Path

    return Path(knowledge_path(path))


def _file_paths(root: str) -> list[str]:
    paths: list[str] = []
    for folder in (root, os.path.join(root, "facts")):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:  # missing, not a directory, a loop of symbolic links: the loader says which
            continue
        # every *.yaml that is not a directory, even a broken link or a device: the loader then names it
        # ("not a regular file", "a loop of symbolic links") instead of it being skipped in silence
        paths += [e.path for e in entries if e.name.endswith((".yaml", ".yml")) and not _is_dir(e)]
    return paths


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def knowledge_files(root: str | os.PathLike[str]) -> list[Path]:
    """Every knowledge YAML file under `root` (top level and facts/), sorted so the order is stable."""
    from pathlib import Path

    return [Path(p) for p in _file_paths(os.fspath(root))]


def fingerprint(root: str | os.PathLike[str]) -> tuple[tuple[str, int, int], ...]:
    """(relative path, mtime_ns, size) of every knowledge file: changes whenever a curator edits anything."""
    root = os.fspath(root)
    result = []
    for path in _file_paths(root):
        try:
            st = os.stat(path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:  # a broken link or a loop: never a valid index, and the loader will say why
            stamp = (-1, -1)
        result.append((os.path.relpath(path, root).replace(os.sep, "/"), *stamp))
    return tuple(result)
