"""Every training question's route, to check that a speed change leaves routing exactly as it was.

    .venv/bin/python bench/route_dump.py --write routes.json   # before a change
    .venv/bin/python bench/route_dump.py --check routes.json   # after it: lists every question whose route moved
    .venv/bin/python bench/route_dump.py --check routes.json --prune-all   # the large-KB scoring path, forced

A route is the whole `Match`: the fact or flow chosen (or the decline and its reason), the confidence, the
suggestions. Reads tests/eval/train/*/ only (in and out of scope), never the held-out folders. The index is
built afresh from the knowledge base (not read from the cache), so the code under test is what routes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from guidebot.cli.eval import load_eval_set  # noqa: E402
from guidebot.knowledge import load_knowledge  # noqa: E402
from guidebot.routing import Router, build_index  # noqa: E402

TRAIN = REPO / "tests" / "eval" / "train"


def questions() -> list[str]:
    """Every question of every training set, in and out of scope, in a fixed order."""
    out = []
    for folder in sorted(p for p in TRAIN.iterdir() if p.is_dir()):
        ins, outs = load_eval_set(folder)
        out += [str(item["q"]) for item in ins + outs]
    return out


def routes() -> dict[str, list]:
    """{question: [intent or None, in_scope, confidence, reason, is_flow, suggestion ids]}."""
    router = Router(build_index(load_knowledge()))
    result = {}
    for q in questions():
        m = router.route(q)
        result[q] = [m.intent, m.in_scope, m.confidence, m.reason, m.is_flow, [s.intent for s in m.suggestions]]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="FILE", help="write every route to FILE")
    mode.add_argument("--check", metavar="FILE", help="compare every route with FILE; exit 1 when any moved")
    parser.add_argument("--prune-all", action="store_true",
                        help="score through the pruned path of a large knowledge base (Scorer._pruned_front) at any size")
    args = parser.parse_args()
    if args.prune_all:
        from guidebot.routing import scoring

        scoring.PRUNE_ABOVE = 0
    now = routes()
    if args.write:
        Path(args.write).write_text(json.dumps(now, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"{len(now)} routes written to {args.write}")
        return 0
    before = json.loads(Path(args.check).read_text(encoding="utf-8"))
    moved = [q for q in before if before[q] != now.get(q)] + [q for q in now if q not in before]
    for q in moved[:50]:
        print(f"MOVED {q!r}: {before.get(q)} -> {now.get(q)}")
    print(f"{len(now)} routes, {len(moved)} moved")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
