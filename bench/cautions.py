"""Do caution questions land on their caution? `python bench/cautions.py [--quiet]`.

The four cautions (avoid bevacizumab, plasma exchange does not work, LMWH prophylaxis in active disease,
bortezomib/thalidomide neuropathy) are safety-critical: issue 19 asks that every question about one lands
on it, in every style. Over every *training* set (tests/eval/train/*) this prints, per set and per caution,
how many caution questions (an in-scope item whose `expect`/`expect_any` names a caution) are answered with
their caution, and lists the misses. It also counts two leaks the other way: an out-of-scope question
answered with a caution card (HIT on heparin, plasma exchange for GBS), and an in-scope question about
something else answered with a caution.

Held-out folders (tests/eval/holdout*/) are skipped by default. `--held-out` scores them instead, totals
only: their questions, misses and leaks are never printed, so they keep measuring questions nobody tuned on.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guidebot.cli.eval import load_eval_set  # noqa: E402
from guidebot.routing import get_router  # noqa: E402

TRAIN = ROOT / "tests" / "eval" / "train"
HELD_OUT = (ROOT / "tests" / "eval" / "holdout", ROOT / "tests" / "eval" / "holdout_styles")
CAUTIONS = (
    "treatment.bevacizumab",
    "treatment.plasma_exchange",
    "treatment.lmwh_prophylaxis",
    "treatment.neurotoxic_agents",
)


def expected(item: dict) -> list[str]:
    return [item["expect"]] if "expect" in item else list(item.get("expect_any", []))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="totals only, no list of misses and leaks")
    parser.add_argument("--held-out", action="store_true", help="the held-out folders instead, totals only")
    args = parser.parse_args()
    roots = HELD_OUT if args.held_out else (TRAIN,)
    router = get_router()
    per_caution: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses, out_leaks, in_leaks = [], [], []
    out_total = 0
    print(f"{'set':20} {'cautions':>9}   " + "  ".join(c.split(".")[1][:10].rjust(10) for c in CAUTIONS))
    for folder in sorted(p.parent for root in roots for p in root.glob("*/in_scope.yaml")):
        ins, outs = load_eval_set(folder)
        row: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for item in ins:
            want = expected(item)
            cautions = [c for c in want if c in CAUTIONS]
            got = router.answer(item["q"])
            fact = got.get("fact") if got["in_scope"] else None
            if not cautions:
                if fact in CAUTIONS and fact not in want:
                    in_leaks.append((folder.name, item["q"], fact, want))
                continue
            ok = fact in want
            for c in cautions[:1]:  # counted once, under the first caution it names
                for bucket in (row[c], per_caution[c]):
                    bucket[0] += ok
                    bucket[1] += 1
            if not ok:
                misses.append((folder.name, item["q"], got["intent"] or "(declined)", want))
        for item in outs:
            out_total += 1
            got = router.answer(item["q"])
            if got["in_scope"] and got.get("fact") in CAUTIONS:
                out_leaks.append((folder.name, item["q"], got["fact"]))
        landed = sum(v[0] for v in row.values())
        total = sum(v[1] for v in row.values())
        cells = "  ".join((f"{row[c][0]}/{row[c][1]}" if row[c][1] else "-").rjust(10) for c in CAUTIONS)
        print(f"{folder.name:20} {landed:4}/{total:<4}   {cells}")
    landed = sum(v[0] for v in per_caution.values())
    total = sum(v[1] for v in per_caution.values())
    cells = "  ".join(f"{per_caution[c][0]}/{per_caution[c][1]}".rjust(10) for c in CAUTIONS)
    print(f"{'all held-out sets' if args.held_out else 'all training sets':20} {landed:4}/{total:<4}   {cells}")
    print(f"out-of-scope questions answered with a caution: {len(out_leaks)}/{out_total}")
    print(f"in-scope questions about something else answered with a caution: {len(in_leaks)}")
    if args.held_out:
        print("(held-out: totals only, never the questions)")
        return 0
    print("(held-out folders tests/eval/holdout*/ skipped: never read here)")
    if not args.quiet:
        for name, q, got, want in misses:
            print(f"MISS [{name}] {q!r} -> {got} want {want}")
        for name, q, got in out_leaks:
            print(f"LEAK [{name}] out of scope {q!r} -> {got}")
        for name, q, got, want in in_leaks:
            print(f"STEAL [{name}] {q!r} -> {got} want {want}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
