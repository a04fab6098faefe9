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
        except (FileNotFoundError, NotADirectoryError):
            continue
        paths += [e.path for e in entries if e.is_file() and e.name.endswith((".yaml", ".yml"))]
    return paths


def knowledge_files(root: str | os.PathLike[str]) -> list[Path]:
    """Every knowledge YAML file under `root` (top level and facts/), sorted so the order is stable."""
    from pathlib import Path

    return [Path(p) for p in _file_paths(os.fspath(root))]


def fingerprint(root: str | os.PathLike[str]) -> tuple[tuple[str, int, int], ...]:
    """(relative path, mtime_ns, size) of every knowledge file: changes whenever a curator edits anything."""
    root = os.fspath(root)
    result = []
    for path in _file_paths(root):
        st = os.stat(path)
        result.append((os.path.relpath(path, root).replace(os.sep, "/"), st.st_mtime_ns, st.st_size))
    return tuple(result)
