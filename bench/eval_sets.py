"""Accuracy of the router on every evaluation set, totals only: `python bench/eval_sets.py [--json FILE]`.

Held-out sets (tests/eval/holdout/ and the style sets under tests/eval/holdout_styles/) are only ever
scored here as totals: their questions and misses are never printed, so they keep measuring questions the
router has never been tuned on. `--misses NAME` lists the misses of one *tuning* set and refuses a held-out one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guidebot.cli.eval import evaluate, load_eval_set  # noqa: E402
from guidebot.routing import get_router  # noqa: E402

EVAL = ROOT / "tests" / "eval"


def sets() -> list[tuple[str, Path, bool]]:
    """(name, folder, held out) of every evaluation set: tests/eval/train/* (tuning), tests/eval/holdout/*
    and tests/eval/holdout_styles/* (held out)."""
    found = [(p.name, p, False) for p in sorted((EVAL / "train").glob("*")) if (p / "in_scope.yaml").exists()]
    found += [(f"held_{p.name}", p, True) for p in sorted((EVAL / "holdout").glob("*")) if (p / "in_scope.yaml").exists()]
    found += [(f"style_{p.name}", p, True) for p in sorted((EVAL / "holdout_styles").glob("*")) if (p / "in_scope.yaml").exists()]
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", help="also write the totals to this file")
    parser.add_argument("--misses", help="print the misses and leaks of this tuning set")
    args = parser.parse_args()
    router = get_router()
    if args.misses:
        named = {n: (p, h) for n, p, h in sets()}
        folder, held = named[args.misses]
        if held:
            print(f"{args.misses} is held out: totals only", file=sys.stderr)
            return 2
        report = evaluate(router, *load_eval_set(folder))
        ins, outs = load_eval_set(folder)
        for item in ins:
            obj = router.answer(item["q"])
            exp = [item["expect"]] if "expect" in item else list(item.get("expect_any", []))
            got = obj.get("fact") if obj["in_scope"] else None
            if not obj["in_scope"] or (exp and got not in exp and obj["intent"] not in exp):
                print(f"MISS {item['q']!r} -> {obj['intent'] or '(declined)'} want {exp}")
        for leak in report["leaks"]:
            print(f"LEAK {leak['question']!r} -> {leak['got']}")
        return 0
    totals = {}
    for name, folder, held in sets():
        report = evaluate(router, *load_eval_set(folder))
        i, o = report["in_scope"], report["out_of_scope"]
        totals[name] = {"in": [i["correct"], i["total"]], "out": [o["declined"], o["total"]], "held_out": held}
        print(f"{name:18} {'held' if held else 'tune'}  in {i['correct']:4}/{i['total']:<4} {100 * i['accuracy']:5.1f}%"
              f"   out {o['declined']:3}/{o['total']:<3} {100 * o['rate']:5.1f}%")
    for label, held in (("tuning sets", False), ("held-out sets", True)):
        rows = [t for t in totals.values() if t["held_out"] == held]
        ci, ti = sum(r["in"][0] for r in rows), sum(r["in"][1] for r in rows)
        co, to = sum(r["out"][0] for r in rows), sum(r["out"][1] for r in rows)
        print(f"{label:18} pooled in {100 * ci / ti:5.1f}%   out {100 * co / to:5.1f}%")
    if args.json:
        Path(args.json).write_text(json.dumps(totals, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
