"""A printable quiz and its answer key, as Markdown and HTML, for a teaching session (`quiz --export`).

Called by `guidebot quiz --export FILE --seed N --count N`: the same seed deals the same items as
`quiz --seed N`, so a teacher can hand out the printout and run the same quiz live.
"""

from __future__ import annotations

import html
from typing import Any

from guidebot.learning.cases import APPROACHES
from guidebot.learning.items import Item, literal


def export_markdown(items: list[Item], kb: Any, seed: int | None) -> str:
    """The quiz (questions, numbered choices, space to answer) and then the answer key with sources."""
    title = f"# POEMS syndrome quiz ({len(items)} items" + (f", seed {seed})" if seed is not None else ")")
    out = [title, "", f"From: {literal(kb.review)}", "", "## Questions", ""]
    for n, item in enumerate(items, 1):
        out.append(f"**{n}.** ({item.kind}, {item.section.replace('_', ' ')}) {literal(item.prompt)}")
        out.append("")
        for letter, choice in zip("ABCDEFGH", item.choices):
            out.append(f"- {letter}. {literal(choice)}")
        if item.kind == "case" and item.approach is not None:
            out.append("")
            out.append("If it meets the criteria, which treatment approach?")
            out.append("")
            out.extend(f"- {letter}. {literal(text)}" for letter, text in zip("ABCDEFGH", APPROACHES.values()))
        if not item.choices:
            out.append("Answer: ______________________________")
        out.append("")
    out += ["## Answer key", ""]
    for n, item in enumerate(items, 1):
        letter = f"{'ABCDEFGH'[item.answer_index]}. " if item.answer_index is not None else ""
        cites = ", ".join(str(c) for c in item.citations) or "none"
        out.append(f"**{n}.** {letter}{literal(item.expected)}  ")
        out.append(f"Source: {literal(item.source_title)} (`{item.source}`); references: {cites}.")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def export_html(markdown: str, title: str = "POEMS syndrome quiz") -> str:
    """The Markdown as a standalone printable HTML page (raw HTML in the Markdown is not passed through)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).render(markdown)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.4}"
        "h2{page-break-before:always}h2:first-of-type{page-break-before:auto}ul{list-style:none}</style>"
        f"</head><body>\n{body}</body></html>\n"
    )
