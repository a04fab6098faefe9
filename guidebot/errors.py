"""Errors, problems and exit codes shared by every stage; imports nothing heavy."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class ExitCode(IntEnum):
    """Process exit codes of the `guidebot` command (INTERFACE.md section 1)."""

    OK = 0
    """Success."""
    INTERNAL = 1
    """An unexpected internal error (a bug)."""
    USAGE = 2
    """Bad usage or bad input, with a one-line reason on stderr."""


class GuidebotError(Exception):
    """Base of every error guidebot reports to a person instead of a traceback."""


class InputError(GuidebotError):
    """Bad input from the user (a question, a case file, a reply): exit code 2, one line."""


class Problem(NamedTuple):
    """One problem found in a knowledge or case file, printed as `file:line: field: message`."""

    path: str
    """The file, as given or relative to the knowledge directory."""
    line: int
    """1-based line of the offending key or value; 0 when the whole file is at fault."""
    field: str
    """Dotted location inside the file (`facts.3.answer`), or `-` for the file itself."""
    message: str
    """What is wrong, in a phrase."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class KnowledgeError(GuidebotError):
    """The knowledge base is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        first = self.problems[0] if self.problems else "no details"
        super().__init__(f"invalid knowledge base ({len(self.problems)} problem(s)); first: {first}")
