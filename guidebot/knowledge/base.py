"""The validated knowledge base: `load_knowledge` (cached until a file changes) and `check_knowledge` (every problem)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from guidebot.errors import KnowledgeError, Problem
from guidebot.knowledge import schema
from guidebot.knowledge.checks import body_numbers, cross_check, fidelity_check, glossary_check
from guidebot.knowledge.loader import LoadedFile, read_all
from guidebot.knowledge.locate import fingerprint, knowledge_dir


@dataclass
class KnowledgeBase:
    """Everything guidebot knows, validated and cross-checked."""

    root: Path
    """The knowledge directory it was loaded from."""
    review: str
    """The citation of the review itself."""
    facts: dict[str, schema.Fact] = field(default_factory=dict)
    """Fact id -> fact, in file order."""
    fact_files: dict[str, str] = field(default_factory=dict)
    """Fact id -> the file (relative to root) that holds it."""
    references: dict[int, schema.Reference] = field(default_factory=dict)
    """Reference number -> reference."""
    lexicon: list[schema.Term] = field(default_factory=list)
    """Abbreviations, synonyms and brand names."""
    criteria: dict[str, schema.Criterion] = field(default_factory=dict)
    """Criterion name -> criterion, in the Box's order."""
    slots: dict[str, schema.Slot] = field(default_factory=dict)
    """Case field -> its follow-up question."""
    workup: list[schema.WorkupStep] = field(default_factory=list)
    """The workup steps in the review's order."""
    statements: dict[str, schema.Statement] = field(default_factory=dict)
    """Statement id -> cited statement (engine notes, rationales, cautions)."""
    intents: list[schema.FlowIntent] = field(default_factory=list)
    """The guided flows."""
    conversation: schema.ConversationFile | None = None
    """How the chat reads turns in context (conversation.yaml), when present."""
    routing: schema.RoutingFile | None = None
    """The router's rules as data (routing.yaml)."""

    def files(self) -> list[Path]:
        """Every file of this knowledge base."""
        from guidebot.knowledge.locate import knowledge_files

        return knowledge_files(self.root)


def _assemble(root: Path, files: list[LoadedFile]) -> KnowledgeBase:
    kb = KnowledgeBase(root=root, review="")
    for f in files:
        m = f.model
        if isinstance(m, schema.FactsFile):
            for fact in m.facts:
                kb.facts[fact.id] = fact
                kb.fact_files[fact.id] = f.path.relative_to(root).as_posix()
        elif isinstance(m, schema.ReferencesFile):
            kb.review = m.review
            kb.references = {r.number: r for r in m.references}
        elif isinstance(m, schema.LexiconFile):
            kb.lexicon = list(m.terms)
        elif isinstance(m, schema.CriteriaFile):
            kb.criteria = {c.name: c for c in m.criteria}
        elif isinstance(m, schema.SlotsFile):
            kb.slots = {s.name: s for s in m.slots}
        elif isinstance(m, schema.WorkupFile):
            kb.workup = list(m.steps)
        elif isinstance(m, schema.StatementsFile):
            kb.statements = {s.id: s for s in m.statements}
        elif isinstance(m, schema.IntentsFile):
            kb.intents = list(m.intents)
        elif isinstance(m, schema.ConversationFile):
            kb.conversation = m
        elif isinstance(m, schema.RoutingFile):
            kb.routing = m
    return kb


def check_knowledge(
    path: str | os.PathLike[str] | None = None,
    source_text: str | None = None,
    review_numbers: frozenset[str] | set[str] | None = None,
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load and check the knowledge base; returns it (None when pass 1 failed) and every problem found.

    Numbers in curated texts are checked against the body of the review's text `source_text`, else against
    `review_numbers` (the digest of that body, `checks.read_digest`), else not at all. The glossary's marks of which
    expansions the review spells out are checked only against `source_text` (`checks.glossary_check`).
    """
    root = knowledge_dir(path)
    pass1 = read_all(root)
    if pass1.problems:
        return None, sorted(pass1.problems)
    problems = cross_check(pass1.files)
    if source_text is not None:
        review_numbers = body_numbers(source_text)
        problems += glossary_check(pass1.files, source_text)  # needs the review's words: not checked from the digest
    if review_numbers is not None:
        problems += fidelity_check(pass1.files, review_numbers)
    return _assemble(root, pass1.files), sorted(problems)


_cache: dict[Path, tuple[tuple, KnowledgeBase]] = {}


def load_knowledge(path: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """The validated knowledge base; raises KnowledgeError with every problem. Cached until a file changes."""
    try:
        root = knowledge_dir(path).resolve()
    except (OSError, RuntimeError):  # RuntimeError: pathlib's word for a loop of symbolic links
        raise KnowledgeError([Problem(str(path or knowledge_dir()), 0, "-", "knowledge directory not found (a loop of symbolic links)")]) from None
    stamp = fingerprint(root) if root.is_dir() else ()
    cached = _cache.get(root)
    if cached and cached[0] == stamp:
        return cached[1]
    kb, problems = check_knowledge(root)
    if problems or kb is None:
        raise KnowledgeError(problems)
    _cache[root] = (stamp, kb)
    return kb
