"""Text for people: curated Markdown to plain terminal text, citation lists and full references.

Callers: the router's index builder (pre-renders every answer so `guidebot ask` never imports
markdown_it), `guidebot ask`, `chat --plain` and any other front end. markdown_it is imported inside
`markdown_to_plain` only, so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def format_citations(numbers: Iterable[int]) -> str:
    """The review's reference numbers as one bracketed list: `[1, 32]` (`[]` when there are none)."""
    return "[" + ", ".join(str(int(n)) for n in numbers) + "]"


def _get(ref: Any, name: str, default: Any = None) -> Any:
    if isinstance(ref, dict):
        return ref.get(name, default)
    return getattr(ref, name, default)


def format_reference(ref: Any) -> str:
    """A full reference (a `Reference` model or a dict with its fields) in the review's style, with its DOI or URL.

    `1. D'Souza A, Hayman SR, Buadi F, et al. The utility of ... Blood. 2011;118(17):4663-4665. doi:10.1182/...`
    """
    number = _get(ref, "number")
    authors = str(_get(ref, "authors", "")).rstrip(".")
    title = str(_get(ref, "title", "")).rstrip(".")
    journal = str(_get(ref, "journal", "")).rstrip(".")
    year = _get(ref, "year", "")
    details = _get(ref, "details", "") or ""
    when = f"{year};{details}" if details else f"{year}"
    parts = [p for p in (authors, title, journal) if p]
    text = ". ".join(parts) + f". {when}."
    doi = _get(ref, "doi")
    url = _get(ref, "url")
    if doi:
        text += f" doi:{doi}"
    elif url:
        text += f" {url}"
    return f"{number}. {text}" if number is not None else text


def markdown_to_plain(markdown: str) -> str:
    """Curated Markdown as readable plain text: bullets as "- ", numbered items kept, emphasis and code marks dropped.

    Paragraphs and lists are separated by one blank line; nested list items are indented two spaces per
    level; links keep their text followed by the URL in parentheses. The result has no trailing newline.
    """
    from markdown_it import MarkdownIt  # only here: `guidebot ask` reads pre-rendered text instead

    tokens = MarkdownIt("commonmark").parse(markdown or "")
    blocks: list[str] = []
    lists: list[list] = []  # stack of [ordered, next number]
    prefix_pending = ""

    def emit(text: str) -> None:
        nonlocal prefix_pending
        depth = max(0, len(lists) - 1)
        indent = "  " * depth
        lines = text.split("\n")
        if prefix_pending:
            first = f"{indent}{prefix_pending}{lines[0]}"
            pad = indent + " " * len(prefix_pending)
            prefix_pending = ""
        else:
            pad = indent + ("  " if lists else "")
            first = f"{pad}{lines[0]}"
        blocks.append("\n".join([first, *(f"{pad}{line}" for line in lines[1:])]))

    for tok in tokens:
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrGet("start") or 1) if kind == "ordered_list_open" else 0
            lists.append([kind == "ordered_list_open", start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            prefix_pending = f"{number}. " if ordered else "- "
            if ordered:
                lists[-1][1] += 1
        elif kind == "inline":
            emit(_inline(tok.children or []))
        elif kind in ("fence", "code_block"):
            emit(tok.content.rstrip("\n"))
        elif kind == "hr":
            emit("---")
    return _join(blocks, tokens)


def _inline(children: list) -> str:
    """Inline tokens as text: emphasis dropped, code kept bare, links as `text (url)`, breaks as newlines."""
    out: list[str] = []
    href_stack: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif kind in ("softbreak",):
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "link_open":
            href_stack.append(child.attrGet("href") or "")
        elif kind == "link_close":
            href = href_stack.pop() if href_stack else ""
            if href:
                out.append(f" ({href})")
        elif kind == "image":
            out.append(child.content or "")
    return "".join(out)


def _join(blocks: list[str], tokens: list) -> str:
    """Join rendered blocks: list items stay on consecutive lines, other blocks get a blank line between."""
    # Re-walk the token stream to know which blocks are list items (consecutive items: no blank line).
    groups: list[int] = []  # per block: the top-level list it belongs to, or -1 outside lists
    depth = 0
    current = -1
    for n, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            if depth == 0:
                current = n
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif tok.type in ("inline", "fence", "code_block", "hr"):
            groups.append(current if depth > 0 else -1)
    out = ""
    for i, block in enumerate(blocks):
        if i == 0:
            out = block
        elif groups[i] != -1 and groups[i] == groups[i - 1]:
            out += "\n" + block
        else:
            out += "\n\n" + block
    return out
