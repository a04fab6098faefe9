"""Findings read beside a described patient (issue 14, item 4): the dev `findings_*.yaml` sent as the next turn of a
conversation that already has a patient, not of a fresh one.

`guidebot eval --dialogue` sends each knowledge question and patient description to a fresh conversation. A
clinician mostly types them in the middle of one about a patient, where a report without a patient marker is hers
and a question is still no finding. For every dev findings file: knowledge questions recording nothing, and
descriptions read right (`finding_turn_right`: nothing recorded that the message does not state, every stated field
holding its value after the turn), after the context `CONTEXT` (a patient whose one field the files rarely state).
`--off NAME` switches a `guidebot.dialogue.reading` switch off (ablation). Only dev data is read; never held-out sets.
Run: `.venv/bin/python bench/findings_in_context.py [--off PATIENT_VALUE_REPORTS]`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from guidebot.cli.eval_dialogue import finding_turn_right  # noqa: E402
from guidebot.dialogue import reading  # noqa: E402
from guidebot.dialogue.manager import DialogueManager  # noqa: E402
from guidebot.knowledge import load_knowledge  # noqa: E402
from guidebot.routing import get_router  # noqa: E402

DEV = ROOT / "tests" / "eval" / "dialogue" / "dev"
CONTEXT = "My patient is 58, fit for transplant."


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--off", action="append", default=[], help="a reading switch to turn off (ablation)")
    args = parser.parse_args()
    for name in args.off:
        setattr(reading, name, False)
    kb, router = load_knowledge(), get_router()

    def patient_bot() -> DialogueManager:
        bot = DialogueManager(kb=kb, router=router, store=None)
        bot.respond(CONTEXT)
        return bot

    if not patient_bot().recorded:
        print(f"the context {CONTEXT!r} recorded nothing", file=sys.stderr)
        return 1
    totals = [0, 0, 0, 0]
    for path in sorted(DEV.glob("findings_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        quiet = [0, 0]
        for question in data.get("knowledge_questions") or []:
            bot = patient_bot()
            quiet[0] += not bot.respond(str(question)).recorded
            quiet[1] += 1
        right = [0, 0]
        for item in data.get("patient_descriptions") or []:
            bot = patient_bot()
            before = dict(bot.recorded)
            turn = bot.respond(str(item.get("say", "")))
            right[0] += finding_turn_right(item.get("findings") or {}, turn.recorded, before, bot.recorded)
            right[1] += 1
        totals = [totals[0] + quiet[0], totals[1] + quiet[1], totals[2] + right[0], totals[3] + right[1]]
        print(f"{path.name:18} knowledge questions recording nothing {quiet[0]:3}/{quiet[1]:<3}  "
              f"descriptions read right {right[0]:3}/{right[1]:<3}")
    print(f"{'all':18} knowledge questions recording nothing {totals[0]:3}/{totals[1]:<3}  "
          f"descriptions read right {totals[2]:3}/{totals[3]:<3}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
