"""The documentation in docs/ and the command line agree, both ways.

Every command and every flag the argparse parser knows appears in docs/ (in a line naming the command, or
under a heading naming it), and every `guidebot COMMAND --flag` written in docs/ or the README exists in the
parser. The parser is walked generically (subcommands, their subcommands, their options), so a command or
flag added on any branch is checked without touching this file.
"""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from guidebot.cli import SUBCOMMANDS, build_parser

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...]):
    """(command path, parser) for `parser` and every subcommand below it."""
    yield path, parser
    for name, sub in _subparsers(parser).items():
        yield from _walk(sub, (*path, name))


def _commands() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command path (`("kb", "check")`) with its parser, arguments loaded (the CLI loads them lazily)."""
    commands: dict[tuple[str, ...], argparse.ArgumentParser] = {}
    names = list(_subparsers(build_parser([])))
    assert set(names) == set(SUBCOMMANDS)
    commands[()] = build_parser([])  # plain `guidebot` carries the UI's options
    for name in names:
        loaded = _subparsers(build_parser([name]))[name]
        for path, parser in _walk(loaded, (name,)):
            commands[path] = parser
    return commands


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    return {opt for action in parser._actions for opt in action.option_strings if opt.startswith("--") and opt != "--help"}


COMMANDS = _commands()


def _doc_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))}


def _documented(command: tuple[str, ...], flag: str | None) -> bool:
    """Whether docs/ names `flag` (or the command itself) on a line naming the command or under its heading."""
    name = " ".join(("guidebot", *command))
    for text in _doc_texts().values():
        heading_names_it = False
        for line in text.splitlines():
            if line.startswith("#") or line.startswith("**`guidebot"):
                heading_names_it = f"`{name}`" in line or (f"`{name} " in line) or (f"`{name}`" in line.replace("**", ""))
            names_it = re.search(rf"`{re.escape(name)}(?=[\s`\[])", line) is not None
            if flag is None and names_it:
                return True
            if flag is not None and re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", line) and (names_it or heading_names_it):
                return True
    return False


@pytest.mark.parametrize("command", sorted(c for c in COMMANDS if c), ids=" ".join)
def test_every_command_is_documented(command):
    assert _documented(command, None), f"`guidebot {' '.join(command)}` is not in docs/"


@pytest.mark.parametrize(
    ("command", "flag"),
    sorted((c, f) for c, parser in COMMANDS.items() for f in _flags(parser)),
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else value,
)
def test_every_flag_is_documented_with_its_command(command, flag):
    assert _documented(command, flag), f"`{flag}` of `guidebot {' '.join(command)}` is not in docs/"


PROSE_WORDS = {"is", "and", "or", "answers", "says", "runs", "treats", "keeps", "can"}
"""Words that follow "guidebot" in a sentence rather than in a command."""

_INVOCATION = re.compile(r"(?:^|`|\$ )(guidebot(?: [^`\n|]*)?)")


def _invocations() -> list[tuple[str, str]]:
    """(where, `guidebot ...` text) for every command written in docs/ and the README."""
    found = []
    sources = {**_doc_texts(), "README.md": (REPO / "README.md").read_text(encoding="utf-8")}
    for name, text in sources.items():
        for number, line in enumerate(text.splitlines(), 1):
            for match in _INVOCATION.finditer(line.strip()):
                found.append((f"{name}:{number}", match.group(1)))
    return found


def _resolve(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """(the longest known command path at the start of `words`, the words after it)."""
    path: tuple[str, ...] = ()
    rest = list(words)
    while rest and (*path, rest[0]) in COMMANDS:
        path = (*path, rest.pop(0))
    return path, rest


def test_every_documented_flag_exists():
    problems = []
    for where, invocation in _invocations():
        try:
            words = shlex.split(invocation.split("#")[0])[1:]
        except ValueError:
            words = invocation.split()[1:]
        path, rest = _resolve(words)
        # a lower-case word right after `guidebot` is a command, unless the line is prose about guidebot
        if rest and re.fullmatch(r"[a-z]{2,}", rest[0]) and not path and rest[0] not in PROSE_WORDS:
            problems.append(f"{where}: `guidebot {rest[0]}` is not a command")
            continue
        known = _flags(COMMANDS[path]) | {"--help", "--version"}
        for word in rest:
            for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", word):
                if flag not in known:
                    problems.append(f"{where}: `{flag}` is not a flag of `guidebot {' '.join(path)}`")
    assert not problems, "\n".join(problems)


def test_the_docs_this_repository_promises_exist():
    for page in ("interface.md", "case-file.md", "knowledge.md"):
        assert (DOCS / page).is_file(), page
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "INTERFACE.md" not in readme and "shared folder" not in readme
    assert "docs/interface.md" in readme and "10.1001/jamaoncol.2021.0586" in readme


def test_every_help_text_points_inside_the_repository(capsys):
    from guidebot.cli import main

    for command in COMMANDS:
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        out = capsys.readouterr().out
        assert "INTERFACE" not in out and "shared" not in out, command

