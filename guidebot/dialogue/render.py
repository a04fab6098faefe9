"""The dialogue's text for people: findings echoed back, the case, assessments, the greeting, slash-command
replies and the chat's export (Markdown and HTML).

One renderer for every front end: the dialogue manager (chat --jsonl, chat --plain, the app), the app's case
panel, `guidebot ask` on a described patient (`dialogue.described`) and `guidebot sessions export`. The
assessment itself is drawn by `guidebot.render` (shared with `guidebot assess`); this module adds what the
conversation knows (its findings, its labels, its commands). Every clinical sentence comes from the knowledge
base with the review's reference numbers; each function that cites returns them (`Rendered.citations`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from guidebot.criteria.approach import TreatmentFindings
from guidebot.dialogue.events import BotSaid, Event, UserSaid
from guidebot.dialogue.turns import Suggestion


class Rendered(NamedTuple):
    """Markdown and the review's reference numbers it cites."""

    text: str
    citations: list[int]


class CommandReply(NamedTuple):
    """A slash command's reply: Markdown, the references it cites, and the intent it answers (None for most)."""

    text: str
    citations: list[int]
    intent: str | None = None


COMMANDS: dict[str, str] = {
    "/help": "this list",
    "/assess": "check the diagnostic criteria for your patient (or show the current assessment)",
    "/treat": "the treatment approach for your patient",
    "/workup": "walk through the diagnostic workup step by step",
    "/criteria": "the diagnostic criteria",
    "/cautions": "the four cautions for every patient with active disease",
    "/case": "what has been recorded so far",
    "/refs [N]": "the source review, or its reference N in full",
    "/export [FILE]": "save this chat as Markdown and the assessment as HTML, in the export folder",
    "/reset": "forget every finding and stop the guided flow",
}
"""Slash commands (the same in every front end) -> what they do."""

REPLY_WORDS = (
    "While I ask a question you can answer yes / no / not done (or a number, a choice, a list), or type "
    "**why?** (why I ask), **skip**, **back** (change the last answer), **restart** or **cancel**. "
    "You can also ask any question about POEMS syndrome, or give several findings in one sentence."
)

EXAMPLE_QUESTIONS = ("diagnosis.vegf_threshold", "treatment.bevacizumab", "criteria.rule", "treatment.algorithm")
"""Facts whose first example question the greeting offers (those that exist)."""

FLOW_STARTERS = ("diagnosis.assess", "treatment.plan", "workup.guide")
"""The guided flows' intents, in the order they are offered."""


# -- citations and facts ------------------------------------------------------------------------------------


def with_citations(text: str, citations: list[int] | tuple[int, ...]) -> str:
    """A cited sentence: `text [1, 32]` (unchanged when the review cites nothing)."""
    from guidebot.render import format_citations

    text = " ".join(str(text).split())
    return f"{text} {format_citations(citations)}" if citations else text


def sources_line(citations: list[int] | tuple[int, ...]) -> str:
    """The line under a fact's answer that lists its references."""
    from guidebot.render import format_citations

    return f"Sources: {format_citations(citations)}" if citations else ""


def fact_text(fact: dict[str, Any]) -> Rendered:
    """A fact as the router gives it (`{"title", "answer", "citations"}`): its title, its answer, its sources."""
    body = f"**{fact['title']}**\n\n{fact['answer']}"
    if fact.get("citations"):
        body += f"\n\n{sources_line(fact['citations'])}"
    return Rendered(body, list(fact.get("citations", [])))


# -- findings -------------------------------------------------------------------------------------------------


def field_label(name: str, kb: Any) -> str:
    """How a case field is named when the bot repeats back what it recorded: its `label` in knowledge/slots.yaml
    (the one source), else the field's name in words."""
    slot = getattr(kb, "slots", {}).get(name)
    return slot.label if slot is not None else name.replace("_", " ")


def show_value(name: str, value: Any) -> str:
    """A recorded value in words."""
    if value is None:
        return "unknown / not done"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    if name == "vegf_pg_ml":
        return f"{value:g} pg/mL"
    return str(value)


def describe(values: dict[str, Any], kb: Any) -> str:
    """Findings on one line, as echoed when they are recorded: `papilledema: yes; sclerotic bone lesions: 2`."""
    return "; ".join(f"{field_label(k, kb)}: {show_value(k, v)}" for k, v in values.items())


def findings_rows(values: dict[str, Any], kb: Any) -> list[tuple[str, str]]:
    """Findings as (label, value in words), one per field: the case panel's list, the case text's bullets."""
    return [(field_label(k, kb), show_value(k, v)) for k, v in values.items()]


def case_text(values: dict[str, Any], kb: Any) -> str:
    """The recorded findings as a Markdown list."""
    if not values:
        return "Nothing recorded yet."
    return "\n".join(f"- {label}: {value}" for label, value in findings_rows(values, kb))


# -- assessments ------------------------------------------------------------------------------------------------


def assessment_text(result: Any, kb: Any, *, treatment: bool) -> Rendered:
    """An assessment, the conclusion first (`guidebot.render.assessment_markdown`, shared with every front end)."""
    from guidebot.render import assessment_markdown

    text, cited = assessment_markdown(result, kb.criteria, treatment=treatment)
    return Rendered(text, cited)


def patient_assessment(found: dict[str, Any], result: Any, kb: Any) -> Rendered:
    """A described patient's verdict: the findings read, what counts, what is missing, what to test next, and
    (criteria met) the treatment approach; what `ask` and the chat show for a described case."""
    head = f"**For the findings stated** ({describe(found, kb)}):" if found else ""
    body = assessment_text(result, kb, treatment=result.verdict == "meets_criteria")
    return Rendered("\n\n".join(p for p in (head, body.text) if p), body.citations)


def why_asked(slot_name: str, flow: str | None, kb: Any) -> Rendered:
    """Why a follow-up is asked: the criterion (or the treatment algorithm) its answer feeds, and the slot's help."""
    slot = kb.slots.get(slot_name)
    parts: list[str] = []
    citations: list[int] = []
    if slot is not None:
        criterion = kb.criteria.get(slot.criterion) if slot.criterion else None
        if criterion is not None:
            parts.append(
                f"This answer feeds the {criterion.group} criterion **{criterion.label}**: "
                + with_citations(criterion.meaning, criterion.citations)
            )
            citations += criterion.citations
        elif slot_name in TreatmentFindings._fields or flow == "treatment":
            parts.append("This answer feeds the treatment algorithm, not the diagnostic criteria.")
        else:
            parts.append("This answer describes the case; it is not a diagnostic criterion itself.")
        parts.append(with_citations(slot.help, slot.citations))
        citations += slot.citations
    return Rendered("\n\n".join(parts), citations)


def flow_suggestions(kb: Any) -> list[Suggestion]:
    """The guided flows as numbered suggestions."""
    titles = {i.id: i.title for i in getattr(kb, "intents", [])}
    return [Suggestion(i, titles.get(i, i)) for i in FLOW_STARTERS]


# -- the greeting and the slash commands -------------------------------------------------------------------------


def greeting_text(kb: Any) -> str:
    """The opening turn: what guidebot is, its source, the disclaimer, example questions and commands."""
    examples = [kb.facts[f].questions[0] for f in EXAMPLE_QUESTIONS if f in kb.facts]
    flows = {i.id: i for i in getattr(kb, "intents", [])}
    starters = [flows[i].questions[0] for i in FLOW_STARTERS if i in flows]
    lines = [
        "**guidebot** answers questions about POEMS syndrome using one review only:",
        f"*{kb.review}*",
        "",
        "It is an educational aid, not a substitute for clinical judgement. Every answer cites the "
        "review's reference numbers; anything the review does not cover gets a plain \"not covered\".",
        "",
        "Try, for example:",
        *[f"- {q}" for q in examples + starters],
        "",
        "Commands: " + ", ".join(c.split()[0] for c in COMMANDS) + ". Type /help for more.",
    ]
    return "\n".join(lines)


def help_reply() -> CommandReply:
    """/help: every command and the words a follow-up accepts."""
    lines = ["Commands:", *[f"- `{c}`: {d}" for c, d in COMMANDS.items()], "", REPLY_WORDS]
    return CommandReply("\n".join(lines), [])


def criteria_fact(kb: Any) -> str | None:
    """The fact /criteria shows: the criteria rule, else the first fact of the criteria section."""
    if "criteria.rule" in kb.facts:
        return "criteria.rule"
    return next((f for f, fact in kb.facts.items() if str(fact.section) == "criteria"), None)


def cautions_reply(kb: Any) -> CommandReply:
    """/cautions: the four cautions for every patient with active disease."""
    from guidebot.criteria.treatment import GENERAL_CAUTIONS

    lines, cites = ["**Cautions for every patient with active disease**", ""], []
    for sid in GENERAL_CAUTIONS:
        statement = kb.statements.get(sid)
        if statement is not None:
            lines.append(f"- {with_citations(statement.text, statement.citations)}")
            cites += statement.citations
    return CommandReply("\n".join(lines), cites)


def refs_reply(arg: str, kb: Any) -> CommandReply:
    """/refs: the source review; /refs N: its reference N in full."""
    from guidebot.render import format_reference

    if not arg:
        count = len(kb.references)
        return CommandReply(f"guidebot's only source:\n\n*{kb.review}*\n\nIts {count} references: /refs N shows one in full.", [])
    if not (arg.isascii() and arg.isdigit() and len(arg) <= 6) or int(arg) not in kb.references:
        return CommandReply(f"There is no reference {arg!s}: the review's references are numbered 1 to {len(kb.references)}.", [])
    return CommandReply(format_reference(kb.references[int(arg)]), [int(arg)])


def case_reply(values: dict[str, Any], verdict: Any, kb: Any) -> CommandReply:
    """/case: what has been recorded and the verdict so far."""
    return CommandReply(f"**Recorded findings**\n\n{case_text(values, kb)}\n\nVerdict so far: {str(verdict).replace('_', ' ')}.", [])


# -- the export ---------------------------------------------------------------------------------------------------


def export_markdown(events: list[Event], values: dict[str, Any], result: Any, kb: Any, session_id: str | None) -> Rendered:
    """A chat as a Markdown document: its transcript, the recorded findings and the current assessment (the
    citations are the assessment's: the transcript's turns carry their own)."""
    out = [f"# guidebot chat{f' {session_id}' if session_id else ''}", "", f"Source: *{kb.review}*", ""]
    out += ["Educational aid, not a substitute for clinical judgement.", "", "## Transcript", ""]
    for event in events:
        if isinstance(event, UserSaid):
            out += [f"**You:** {escape_markdown(event.text) or '(nothing typed)'}", ""]
        elif isinstance(event, BotSaid):
            out += ["**guidebot:**", "", event.turn.text, ""]
    out += ["## Recorded findings", "", case_text(values, kb), "", "## Current assessment", ""]
    assessment = assessment_text(result, kb, treatment=True)
    out += [assessment.text, ""]
    return Rendered("\n".join(out).rstrip() + "\n", assessment.citations)


def export_html(result: Any, kb: Any, session_id: str | None) -> str:
    """The current assessment as a standalone HTML page (the criteria as a grid)."""
    from guidebot.render import assessment_html

    title = f"guidebot assessment{f' {session_id}' if session_id else ''}"
    return assessment_html(result, kb.criteria, title=title, source=str(kb.review))


def export_reply(arg: str, session_id: str | None, markdown: Callable[[], str], html: Callable[[], str]) -> CommandReply:
    """/export [FILE]: write the chat (`markdown()`) and the assessment (`html()`, beside it); the reply says where."""
    from guidebot.userdata import ready_export_dir, write_private

    # a bare name lands in the documented export folder, never the current directory; the full path is shown
    name = Path(arg).expanduser() if arg else Path(f"guidebot-chat-{session_id or 'session'}.md")
    target = name
    try:
        target = (name if name.is_absolute() else ready_export_dir() / name).resolve()
        # FILE.md beside FILE.html; a name already ending .html keeps the Markdown under that name
        page = target.with_suffix(".html") if target.suffix.lower() != ".html" else target.with_name(target.stem + ".assessment.html")
        write_private(target, markdown())  # 0600: it holds what was typed about a patient
        write_private(page, html())
    except OSError as exc:
        return CommandReply(f"Could not write {target}: {exc.strerror or exc}.", [])
    return CommandReply(f"Saved this chat and the current assessment to {target} (the assessment as a page: {page}).", [])


def escape_markdown(text: str) -> str:
    """User text made literal in Markdown (it is shown, never interpreted)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>])", r"\\\1", text)


def sentences(markdown: str) -> list[str]:
    """An answer's bullets and sentences, one per item (Markdown emphasis kept)."""
    items: list[str] = []
    for block in re.split(r"\n\s*[-*] |\n\n", "\n" + markdown.strip()):
        block = " ".join(block.split())
        if block:
            items += [p.strip() for p in re.split(r"(?<=[.;])\s+(?=[A-Z*])", block) if p.strip()]
    return items
