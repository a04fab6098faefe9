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


# -- soft line breaks -----------------------------------------------------------------------------------

_BLOCK_START = ("- ", "* ", "+ ", "#", ">", "|", "```", "~~~")


def _starts_block(line: str) -> bool:
    stripped = line.lstrip()
    if stripped.startswith(_BLOCK_START):
        return True
    number, dot, _rest = stripped.partition(". ")
    return bool(dot) and number.isdigit()


def unwrap_soft_breaks(markdown: str) -> str:
    """The Markdown with each paragraph (and list item) on one line: soft line breaks become spaces.

    Blank lines, list items, headings, quotes, tables, code fences and hard breaks (two trailing spaces or a
    backslash) are kept, so the result renders the same; a program reading JSON gets whole sentences.
    Plain string work, so `guidebot ask --json` stays free of the Markdown library.
    """
    out: list[str] = []
    in_fence = False
    for line in (markdown or "").split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            out.append(line)
            continue
        previous = out[-1] if out else ""
        joinable = (
            not in_fence
            and stripped
            and previous.strip()
            and not _starts_block(line)
            and not previous.lstrip().startswith(("#", "|", "```", "~~~"))
            and not previous.endswith(("  ", "\\"))
        )
        if joinable:
            out[-1] = previous.rstrip() + " " + line.lstrip()  # its own trailing spaces may be a hard break
        else:
            out.append(line)
    return "\n".join(out)


# -- an assessment, conclusion first --------------------------------------------------------------------

STATUS_WORDS = {"met": "met", "not_met": "not met", "unknown": "unknown"}
"""A criterion status in words."""

STATUS_SYMBOLS = {"met": "✓", "not_met": "✗", "unknown": "?"}
"""A criterion status as one symbol (the grid's cells; the legend names them)."""

SHORT_LABELS = {
    "polyneuropathy": "Polyneuropathy",
    "monoclonal_plasma_cell_disorder": "Monoclonal",
    "sclerotic_bone_lesions": "Sclerotic bone",
    "vegf_elevated": "VEGF",
    "castleman_disease": "Castleman",
    "extravascular_volume_overload": "Volume overload",
    "organomegaly": "Organomegaly",
    "endocrinopathy": "Endocrinopathy",
    "skin_changes": "Skin changes",
    "papilledema": "Papilledema",
    "polycythemia_thrombocytosis": "Polycyth/thromb",
}
"""The criteria's names in a grid cell (at most 15 characters; the full labels are in the text around it)."""

GRID_LEGEND = "✓ met  ✗ not met  ? unknown"


def _status(value: Any) -> str:
    return str(getattr(value, "value", value))


def criteria_grid(criteria: dict[str, dict[str, Any]], width: int = 80) -> list[str]:
    """The criteria as a compact grid of plain-text lines: one row per group (mandatory, major, minor), each
    criterion a cell `✓ name`, wrapped into `width` columns. Shared by the chat's case panel and `assess`."""
    cell = max(len(label) for label in SHORT_LABELS.values()) + 4  # symbol, space, label, two-space gap
    group_width = max(len(group) for group in criteria) + 2 if criteria else 0
    inline = width >= group_width + 2 * cell  # the group's name beside its cells, else on a line of its own
    columns = max(1, (width - (group_width if inline else 0)) // cell)
    lines: list[str] = []
    for group, statuses in criteria.items():
        cells = [f"{STATUS_SYMBOLS.get(_status(s), '?')} {SHORT_LABELS.get(name, name.replace('_', ' '))}" for name, s in statuses.items()]
        rows = [cells[i : i + columns] for i in range(0, len(cells), columns)] or [[]]
        if not inline:
            lines.append(group.capitalize())
        for n, row in enumerate(rows):
            head = (group.capitalize() if n == 0 else "").ljust(group_width) if inline else ""
            lines.append((head + "".join(c.ljust(cell) for c in row)).rstrip())
    return lines


def _cited(text: str, citations: Iterable[int]) -> str:
    citations = list(citations)
    text = " ".join(str(text).split())
    return f"{text} {format_citations(citations)}" if citations else text


def assessment_markdown(result: Any, kb_criteria: dict[str, Any], *, treatment: bool) -> tuple[str, list[int]]:
    """(an assessment as Markdown, the reference numbers it cites), the conclusion first: the verdict, the
    treatment approach and the cautions, then what is missing and what to test next, the notes, and last the
    criteria one by one. `kb_criteria` is the knowledge base's criteria (label, settled_by, citations).
    Used by the chat, its export and anything else that shows an assessment."""
    cited: list[int] = []
    labels = {name: c.label for name, c in kb_criteria.items()}
    lines = [f"**Verdict: {_status(result.verdict).replace('_', ' ')}**", ""]
    if treatment:
        lines += treatment_lines(result, cited)
        lines.append("")
    if result.missing:
        lines += ["Still unknown and able to change the verdict: " + ", ".join(labels.get(m, m) for m in result.missing) + ".", ""]
    if result.next_steps:
        # each step carries the citations of the criteria it settles
        step_cites: dict[str, list[int]] = {step: [] for step in result.next_steps}
        for name in result.missing:
            criterion = kb_criteria.get(name)
            if criterion is not None:
                step = " ".join(criterion.settled_by.split())
                if step in step_cites:
                    step_cites[step] = sorted(set(step_cites[step]) | set(criterion.citations))
                cited += criterion.citations
        lines += ["Next steps:", *[f"- {_cited(step, step_cites[step])}" for step in result.next_steps], ""]
    notes = getattr(result, "notes_cited", [])
    if notes:
        lines += ["Notes:", *[f"- {_cited(n.text, n.citations)}" for n in notes], ""]
        for n in notes:
            cited += list(n.citations)
    for group, statuses in result.criteria.items():
        lines.append(f"{group.capitalize()} criteria:")
        for name, status in statuses.items():
            lines.append(f"- {labels.get(name, name)}: {STATUS_WORDS.get(_status(status), _status(status))}")
        lines.append("")
    return "\n".join(lines).rstrip(), cited


def treatment_lines(result: Any, cited: list[int]) -> list[str]:
    """The treatment part of an assessment as Markdown lines (approach, rationale, cautions, what to expect);
    the reference numbers it cites are appended to `cited`."""
    plan = result.treatment
    if plan is None:
        return ["Treatment guidance follows the review's algorithm only once the criteria are met (see the verdict above)."]
    lines = [f"**Treatment approach: {plan.approach.replace('_', ' ')}**", "", _cited(plan.rationale.text, plan.rationale.citations), ""]
    cited += list(plan.rationale.citations)
    lines.append("Cautions for every patient with active disease:")
    for note in plan.caution_notes:
        lines.append(f"- {_cited(note.text, note.citations)}")
        cited += list(note.citations)
    if plan.details:
        lines += ["", "What to expect:"]  # a paragraph between, so the two lists stay two lists
    for detail in plan.details:
        lines.append(f"- {_cited(detail.text, detail.citations)}")
        cited += list(detail.citations)
    return lines


# -- the plain-text report of `guidebot assess` ---------------------------------------------------------------

REPORT_SYMBOLS = {status: f"{STATUS_SYMBOLS[status]} {words}" for status, words in STATUS_WORDS.items()}
"""How a status is shown: a symbol and a word, so the report reads without colour or glyph support."""

VERDICT_WORDS = {
    "meets_criteria": "meets the POEMS syndrome criteria",
    "not_met": "does not meet the POEMS syndrome criteria",
    "indeterminate": "indeterminate: more findings are needed",
    "castleman_variant": "Castleman disease variant of POEMS syndrome (a separate entity, not classic POEMS)",
}

APPROACH_WORDS = {
    "radiation": "radiation therapy",
    "systemic_transplant": "systemic therapy: high-dose melphalan and autologous transplant",
    "systemic_non_transplant": "systemic therapy without transplant",
    "systemic": "systemic therapy (transplant eligibility still to be decided)",
    "undetermined": "not yet determined",
}


def assessment_report(assessment: Any, kb: Any, grid_width: int | None = None) -> str:
    """The assessment as a plain-text terminal report (no colour, no Markdown), the conclusion first: verdict,
    treatment and cautions, what is missing, next steps, notes, then the criteria.

    With `grid_width` (a terminal) the criteria come as the compact grid the chat's case panel shows;
    otherwise (a pipe, a file) one criterion per line, in words, for programs and screen readers. `guidebot assess`
    prints it; the chat shows the same assessment as Markdown (`assessment_markdown`)."""
    lines: list[str] = [f"Verdict: {VERDICT_WORDS[assessment.verdict]}"]
    treatment = assessment.treatment
    if treatment is not None:
        lines.append("")
        lines.append(f"Treatment: {APPROACH_WORDS[treatment.approach]}")
        lines.append(f"  {treatment.rationale}")
        lines.extend(f"  - {detail}" for detail in treatment.details)
        lines.append("Cautions:")
        lines.extend(f"  - {note}" for note in treatment.caution_notes)
    if assessment.missing:
        labels = [kb.criteria[n].label if n in kb.criteria else n for n in assessment.missing]
        lines.append("")
        lines.append(f"Missing: {', '.join(labels)}")
    if assessment.next_steps:
        lines.append("")
        lines.append("Next steps:")
        lines.extend(f"  - {step}" for step in assessment.next_steps)
    if assessment.notes:
        lines.append("")
        lines.append("Notes:")
        lines.extend(f"  - {note}" for note in assessment.notes)
    lines.append("")
    if grid_width is not None:
        lines += ["Criteria  (" + GRID_LEGEND + ")", *criteria_grid(assessment.criteria, grid_width)]
    else:
        width = max(len(v) for v in REPORT_SYMBOLS.values())
        for group, criteria in assessment.criteria.items():
            lines.append(f"{group.capitalize()} criteria")
            for name, status in criteria.items():
                label = kb.criteria[name].label if name in kb.criteria else name
                lines.append(f"  {REPORT_SYMBOLS[str(status)]:<{width}}  {label}")
    return "\n".join(lines)


def assessment_html(result: Any, kb_criteria: dict[str, Any], *, title: str, source: str) -> str:
    """A standalone HTML page of an assessment: the conclusion first (as `assessment_markdown`), then the criteria
    as a grid table with each state in words and as a symbol. Every text is escaped; no script, no remote asset."""
    import html

    text, _cited = assessment_markdown(result, kb_criteria, treatment=True)
    # the Markdown above ends with the criteria as lists; the page shows them as the grid instead
    conclusion = text.split("\nMandatory criteria:")[0].rstrip()
    body: list[str] = []
    in_list = False
    for line in conclusion.split("\n"):
        if line.startswith("- "):
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{_inline_html(line[2:])}</li>")
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        if line.strip():
            body.append(f"<p>{_inline_html(line)}</p>")
    if in_list:
        body.append("</ul>")
    rows = []
    for group, statuses in result.criteria.items():
        cells = "".join(
            f'<td class="{_status(s).replace("_", "-")}">{STATUS_SYMBOLS.get(_status(s), "?")} '
            f"{html.escape(kb_criteria[n].label if n in kb_criteria else n)}"
            f" <small>({STATUS_WORDS.get(_status(s), _status(s))})</small></td>"
            for n, s in statuses.items()
        )
        rows.append(f"<tr><th>{html.escape(group.capitalize())}</th>{cells}</tr>")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}"
        ".met{background:#dfd}.not-met{background:#fdd}.unknown{background:#eee;color:#555}"
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title><style>{style}</style></head><body>",
            f"<h1>{html.escape(title)}</h1>",
            f"<p>Source: <em>{html.escape(source)}</em></p>",
            "<p>Educational aid, not a substitute for clinical judgement.</p>",
            *body,
            "<h2>Criteria</h2>",
            "<table>",
            *rows,
            "</table>",
            "</body></html>",
            "",
        ]
    )


def _inline_html(markdown_line: str) -> str:
    """One line of the assessment's Markdown as HTML: escaped, with its **bold** kept."""
    import html
    import re

    escaped = html.escape(markdown_line)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
