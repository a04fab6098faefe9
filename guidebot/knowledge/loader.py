"""Pass 1 of loading the knowledge base: read, parse and schema-validate each file, mapping every error to `file:line`.

Pass 2 (cross-references across files) lives in `checks.py` and runs only when every file passed this one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from guidebot.errors import Problem
from guidebot.knowledge import schema
from guidebot.knowledge.locate import knowledge_files
from guidebot.knowledge.positions import Loc, PositionedDocument, YamlSyntaxError, dotted, load_positioned
from guidebot.limits import MAX_KNOWLEDGE_FILE_BYTES, UnreadableFile, read_capped

TOP_LEVEL_FILES: dict[str, type[BaseModel]] = {
    "references.yaml": schema.ReferencesFile,
    "lexicon.yaml": schema.LexiconFile,
    "criteria.yaml": schema.CriteriaFile,
    "slots.yaml": schema.SlotsFile,
    "workup.yaml": schema.WorkupFile,
    "statements.yaml": schema.StatementsFile,
    "intents.yaml": schema.IntentsFile,
    "routing.yaml": schema.RoutingFile,
}
"""Every knowledge file outside `facts/`, with its model; all are required."""

OPTIONAL_FILES: dict[str, type[BaseModel]] = {
    "conversation.yaml": schema.ConversationFile,
}
"""Knowledge files that may be absent (the chat then reads every turn alone)."""

MAX_FILE_BYTES = MAX_KNOWLEDGE_FILE_BYTES
"""A knowledge file larger than this is certainly a mistake (the whole real base is far smaller)."""


@dataclass
class LoadedFile:
    """One knowledge file after pass 1."""

    path: Path
    """Where it is on disk."""
    display: str
    """How problems name it (relative to the current directory when possible)."""
    doc: PositionedDocument
    """The parsed document with its line map."""
    model: BaseModel
    """The validated content."""

    def line_of(self, loc: Loc) -> int:
        """Line of a location inside this file."""
        return self.doc.line_of(loc)

    def problem(self, loc: Loc, message: str) -> Problem:
        """A problem at `loc` in this file."""
        return Problem(self.display, self.line_of(loc), dotted(loc), message)


@dataclass
class Pass1:
    """The outcome of pass 1: the files that validated and every problem found."""

    files: list[LoadedFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def display_path(path: Path) -> str:
    """`path` relative to the current directory when it lies below it, else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _model_for(root: Path, path: Path) -> type[BaseModel] | None:
    if path.parent == root / "facts":
        return schema.FactsFile
    if path.parent == root:
        return TOP_LEVEL_FILES.get(path.name) or OPTIONAL_FILES.get(path.name)
    return None


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field (misspelt? see knowledge/schema.json)"
    if error["type"] == "missing":
        return "required field is missing"
    return " ".join(str(error["msg"]).split())


def _validation_problems(display: str, doc: PositionedDocument, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        problems.append(Problem(display, doc.line_of(loc), dotted(loc), _message(error)))
    return problems


def read_file(root: Path, path: Path, model: type[BaseModel]) -> tuple[LoadedFile | None, list[Problem]]:
    """Parse and validate one knowledge file; returns it (or None) and its problems."""
    display = display_path(path)
    try:
        text = read_capped(path, MAX_FILE_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        return None, [Problem(display, 0, "-", "not UTF-8 text")]
    except UnreadableFile as exc:
        return None, [Problem(display, 0, "-", exc.reason)]
    if "\x00" in text:
        return None, [Problem(display, 0, "-", "binary file (contains NUL bytes)")]
    try:
        doc = load_positioned(text)
    except YamlSyntaxError as exc:
        return None, [Problem(display, exc.line, "-", f"invalid YAML: {exc.message}")]
    problems = [Problem(display, line, dotted(loc), "key given twice") for loc, line in doc.duplicates]
    if not isinstance(doc.data, dict):
        found = "an empty file" if doc.data is None else type(doc.data).__name__
        return None, problems + [Problem(display, 1, "-", f"expected a mapping at the top level, found {found}")]
    try:
        model_obj = model.model_validate(doc.data)
    except ValidationError as exc:
        return None, problems + _validation_problems(display, doc, exc)
    return LoadedFile(path, display, doc, model_obj), problems


def read_all(root: Path) -> Pass1:
    """Pass 1 over the whole directory: every file read and validated, every problem collected."""
    result = Pass1()
    if not root.is_dir():
        result.problems.append(Problem(display_path(root), 0, "-", "knowledge directory not found"))
        return result
    files = knowledge_files(root)
    present = {f.name for f in files if f.parent == root}
    for name in TOP_LEVEL_FILES:
        if name not in present:
            result.problems.append(Problem(display_path(root / name), 0, "-", "required knowledge file is missing"))
    if not any(f.parent == root / "facts" for f in files):
        result.problems.append(Problem(display_path(root / "facts"), 0, "-", "no fact files found"))
    for path in files:
        model = _model_for(root, path)
        if model is None:
            result.problems.append(Problem(display_path(path), 0, "-", "unknown knowledge file (not one of the schema's files)"))
            continue
        loaded, problems = read_file(root, path, model)
        result.problems += problems
        if loaded is not None:
            result.files.append(loaded)
    return result
