"""The knowledge base: `load_knowledge(path)` is the one public door; `check_knowledge` reports every problem.

Callers: the engine, the dialogue manager, the router's index builder and `guidebot kb check`. The names
are loaded lazily, so `guidebot.knowledge.locate` stays importable without pydantic: the fast
`guidebot ask` path uses it to find and stat the knowledge files, then reads the router's cached index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guidebot.knowledge.base import KnowledgeBase, check_knowledge, load_knowledge
    from guidebot.knowledge.locate import knowledge_dir

__all__ = ["KnowledgeBase", "load_knowledge", "check_knowledge", "knowledge_dir"]


def __getattr__(name: str) -> Any:
    if name == "knowledge_dir":
        from guidebot.knowledge.locate import knowledge_dir

        return knowledge_dir
    if name in ("KnowledgeBase", "load_knowledge", "check_knowledge"):
        from guidebot.knowledge import base

        return getattr(base, name)
    raise AttributeError(f"module 'guidebot.knowledge' has no attribute {name!r}")
