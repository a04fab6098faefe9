"""`guidebot assess CASE_FILE [--json]`: the diagnosis and treatment engine on one case file.

stdout carries only the report (plain text) or the `assess --json` object; a bad case file is one line on
stderr and exit code 2 (raised as `InputError`, printed by `guidebot.cli.main`).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from guidebot.errors import ExitCode

SYMBOLS = {"met": "✓ met", "not_met": "✗ not met", "unknown": "? unknown"}
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `guidebot assess`."""
    parser.add_argument("case_file", metavar="CASE_FILE", help="a case file, YAML or JSON (docs/case-file.md)")
    parser.add_argument("--json", action="store_true", help="print the assessment as one JSON object")


def render_report(assessment: Any, kb: Any, grid_width: int | None = None) -> str:
    """The assessment as a plain-text terminal report (no colour, no Markdown), the conclusion first: verdict,
    treatment and cautions, what is missing, next steps, notes, then the criteria.

    With `grid_width` (a terminal) the criteria come as the compact grid the chat's case panel shows;
    otherwise (a pipe, a file) one criterion per line, in words, for programs and screen readers."""
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
        from guidebot.render import GRID_LEGEND, criteria_grid

        lines += ["Criteria  (" + GRID_LEGEND + ")", *criteria_grid(assessment.criteria, grid_width)]
    else:
        width = max(len(v) for v in SYMBOLS.values())
        for group, criteria in assessment.criteria.items():
            lines.append(f"{group.capitalize()} criteria")
            for name, status in criteria.items():
                label = kb.criteria[name].label if name in kb.criteria else name
                lines.append(f"  {SYMBOLS[str(status)]:<{width}}  {label}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Load the case file, assess it, print the report or JSON; returns the exit code."""
    from guidebot.criteria import assess, load_case
    from guidebot.criteria.engine import default_knowledge

    case = load_case(args.case_file)
    kb = default_knowledge()
    assessment = assess(case, kb)
    if args.json:
        print(json.dumps(assessment.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_report(assessment, kb, grid_width=_terminal_width()))
    return ExitCode.OK


def _terminal_width() -> int | None:
    """The terminal's width when stdout is one, else None (the report then lists criteria line by line)."""
    import os
    import sys

    if not sys.stdout.isatty():
        return None
    try:
        return min(os.get_terminal_size(sys.stdout.fileno()).columns, 100)
    except OSError:
        return 80
