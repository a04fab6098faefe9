"""Finds the knowledge directory and lists its files using only os/pathlib, so the fast `ask` path can stat them cheaply."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "GUIDEBOT_KNOWLEDGE"
"""Environment variable naming a knowledge directory to use instead of the built-in one."""

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def knowledge_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The knowledge directory: `path`, else $GUIDEBOT_KNOWLEDGE, else the source checkout's `knowledge/`, else the installed copy."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    checkout = _PACKAGE_DIR.parent / "knowledge"
    if (checkout / "facts").is_dir():
        return checkout
    # a wheel install: pyproject force-includes knowledge/ as guidebot/_knowledge
    return _PACKAGE_DIR / "_knowledge"


def knowledge_files(root: Path) -> list[Path]:
    """Every knowledge YAML file under `root` (top level and facts/), sorted so the order is stable."""
    files: list[Path] = []
    for folder in (root, root / "facts"):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        files += [Path(e.path) for e in entries if e.is_file() and e.name.endswith((".yaml", ".yml"))]
    return files


def fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """(relative path, mtime_ns, size) of every knowledge file: changes whenever a curator edits anything."""
    result = []
    for file in knowledge_files(root):
        st = file.stat()
        result.append((file.relative_to(root).as_posix(), st.st_mtime_ns, st.st_size))
    return tuple(result)
