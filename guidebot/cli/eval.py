"""`guidebot eval`: scores the router on the evaluation set (tests/eval) and shows where it goes wrong.

Reports accuracy per review section and overall, for the tuning slice and the held-out slice apart
(the held-out number is the honest "never seen" one), the out-of-scope decline rate, the confusions
(which fact took which question) and the worst misses. `--json` prints the same report as one object.
Also used by tests/test_eval_floor.py through `load_eval_set` and `evaluate`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import zlib
from collections import Counter, defaultdict
from pathlib import Path

from guidebot.errors import InputError

HELD_OUT_SHARE = 3
"""Questions whose crc32 % 10 is below this are held out (about 30%): never tuned on."""

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "tests" / "eval"
"""The evaluation sets of a source checkout: `train/` (the re-ranker learns from every set there) and
`holdout/` (never learnt from, never tuned on: their misses are not read, only their totals)."""
GROUPS = ("train", "holdout")
"""The folders of `DEFAULT_EVAL_DIR` that hold scored sets (others, such as dialogue sets, are not router sets)."""
DEFAULT_SET = DEFAULT_EVAL_DIR / "holdout" / "engineer"
"""The set `load_eval_set()` reads without a folder: the engineer's held-out questions."""


def evaluation_sets(root: str | os.PathLike[str] | None = None, group: str | None = None) -> list[tuple[str, Path]]:
    """(group, folder) of every evaluation set under `root`'s `train/` and `holdout/` (or only `group`), sorted."""
    base = Path(root) if root else DEFAULT_EVAL_DIR
    return [
        (g, folder) for g in GROUPS if group in (None, g)
        for folder in sorted(p.parent for p in (base / g).glob("*/in_scope.yaml"))
    ]


def is_held_out(question: str) -> bool:
    """Whether a question belongs to the held-out slice (stable: a hash of its text, not its position)."""
    return zlib.crc32(question.encode("utf-8")) % 10 < HELD_OUT_SHARE


def load_eval_set(folder: str | os.PathLike[str] | None = None) -> tuple[list[dict], list[dict]]:
    """(in-scope items, out-of-scope items) from `in_scope.yaml` and `out_of_scope.yaml`."""
    import yaml

    root = Path(folder) if folder else DEFAULT_SET
    try:
        ins = yaml.safe_load((root / "in_scope.yaml").read_text(encoding="utf-8"))["questions"]
        outs = yaml.safe_load((root / "out_of_scope.yaml").read_text(encoding="utf-8"))["questions"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the evaluation set in {root}: {exc}") from exc
    return ins, outs


def answered_right(obj: dict, item: dict) -> bool:
    """Whether an answer object (`Router.answer`) is right for an in-scope item: an expected fact or flow, with
    the text the item says the answer must contain."""
    expected = [item["expect"]] if "expect" in item else list(item.get("expect_any", []))
    got_fact = obj.get("fact") if obj["in_scope"] else None
    ok = obj["in_scope"] and (not expected or got_fact in expected or obj["intent"] in expected)
    if ok and item.get("contains"):
        answer = obj["answer"].casefold()
        ok = all(str(p).casefold() in answer for p in item["contains"])
    return bool(ok)


def _slice_ok(question: str, which: str) -> bool:
    return which == "all" or (which == "held_out") == is_held_out(question)


def evaluate(router, in_items: list[dict], out_items: list[dict], which: str = "all") -> dict:
    """Run every question through `router`; the report as a plain dict (see the module docstring)."""
    facts_section = {}
    per_section: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_slice: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusions: Counter = Counter()
    misses = []
    targets = {t[0]: t for t in router.targets}
    for item in in_items:
        q = item["q"]
        if not _slice_ok(q, which):
            continue
        expected = [item["expect"]] if "expect" in item else list(item.get("expect_any", []))
        if expected and expected[0] not in facts_section:
            for e in expected:
                try:
                    facts_section[e] = router.fact(e)["section"]
                except KeyError:
                    facts_section[e] = "flows" if e in targets and targets[e][2] else "unknown"
        section = facts_section.get(expected[0], "unknown") if expected else "unknown"
        obj = router.answer(q)
        ok = answered_right(obj, item)
        slice_name = "held_out" if is_held_out(q) else "tune"
        for bucket in (per_section[section], per_slice[slice_name]):
            bucket[0] += ok
            bucket[1] += 1
        if not ok:
            got = obj["intent"] or "(declined)"
            confusions[(got, expected[0] if expected else "?")] += 1
            misses.append({"question": q, "expected": expected, "got": got, "confidence": obj["confidence"],
                           "slice": slice_name, "in_scope": obj["in_scope"]})
    out_total = out_ok = 0
    out_slices: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    leaks = []
    for item in out_items:
        q = item["q"]
        if not _slice_ok(q, which):
            continue
        obj = router.answer(q)
        declined = not obj["in_scope"]
        out_total += 1
        out_ok += declined
        s = out_slices["held_out" if is_held_out(q) else "tune"]
        s[0] += declined
        s[1] += 1
        if not declined:
            leaks.append({"question": q, "got": obj["intent"], "confidence": obj["confidence"],
                          "slice": "held_out" if is_held_out(q) else "tune"})
    in_total = sum(v[1] for v in per_slice.values())
    in_ok = sum(v[0] for v in per_slice.values())
    # worst misses: confidently wrong first (a confident wrong answer misleads more than a hesitant one)
    misses.sort(key=lambda m: -m["confidence"])
    return {
        "slice": which,
        "in_scope": {"correct": in_ok, "total": in_total, "accuracy": _rate(in_ok, in_total)},
        "in_scope_by_slice": {k: {"correct": v[0], "total": v[1], "accuracy": _rate(*v)} for k, v in sorted(per_slice.items())},
        "by_section": {k: {"correct": v[0], "total": v[1], "accuracy": _rate(*v)} for k, v in sorted(per_section.items())},
        "out_of_scope": {"declined": out_ok, "total": out_total, "rate": _rate(out_ok, out_total)},
        "out_of_scope_by_slice": {k: {"declined": v[0], "total": v[1], "rate": _rate(*v)} for k, v in sorted(out_slices.items())},
        "confusions": [{"got": g, "expected": e, "count": c} for (g, e), c in confusions.most_common()],
        "worst_misses": misses[:10],
        "leaks": leaks,
    }


def _rate(ok: int, total: int) -> float:
    return round(ok / total, 4) if total else 0.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`guidebot eval [--set DIR] [--slice all|tune|held_out] [--json] [--knowledge DIR]`."""
    parser.add_argument("--set", dest="eval_dir", metavar="DIR",
                        help="one folder with in_scope.yaml and out_of_scope.yaml, reported in full (default: every set of tests/eval/train and tests/eval/holdout, totals only)")
    parser.add_argument("--ablate", action="store_true", help="switch each rule and check off in turn and print what it is worth on every set")
    parser.add_argument("--slice", choices=("all", "tune", "held_out"), default="all", help="which part of the set to score")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: the built-in one)")
    parser.add_argument("--dialogue", action="store_true",
                        help="score multi-turn conversations and finding statements instead (--set FILE_OR_DIR, default tests/eval/dialogue/dev)")
    parser.add_argument("--misses", action="store_true", help="with --dialogue: list every turn scored wrong")
    parser.add_argument("--totals", action="store_true",
                        help="with --dialogue: print the totals only, no confusions or misses (for a held-out set)")


def run(args: argparse.Namespace) -> int:
    """Score the router and print the report."""
    from guidebot.routing import get_router

    if args.dialogue:
        from guidebot.cli.eval_dialogue import run_dialogue

        return run_dialogue(args)
    router = get_router(args.knowledge)
    if args.ablate or args.eval_dir is None:
        from guidebot.cli.eval_sets import ablation_text, per_set, per_set_text

        sets = [(group, folder) for group, folder in evaluation_sets()] if args.eval_dir is None else [("", Path(args.eval_dir))]
        if args.ablate:
            print(ablation_text(router, sets, as_json=args.json))
        else:
            rows = per_set(router, sets)
            print(json.dumps(rows, ensure_ascii=False) if args.json else per_set_text(rows))
        return 0
    ins, outs = load_eval_set(args.eval_dir)
    report = evaluate(router, ins, outs, args.slice)
    if _is_held_out_set(args.eval_dir):
        # a held-out set whose misses are read is no longer held out: totals only
        report.update(confusions=[], worst_misses=[], leaks=[])
        print("note: a held-out set: totals only, its misses are never shown", file=sys.stderr)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    learnt = _learnt_from(args.eval_dir)
    if learnt:
        print(f"note: the re-ranker learnt from {learnt}: its accuracy there is a fit, not a never-seen measure")
    print(_text(report))
    return 0


HELD_OUT_FOLDERS = ("holdout", "holdout_styles")
"""Folders of tests/eval/ whose sets are held out (the style sets of issue 19 too): totals only, never misses."""


def _is_held_out_set(folder) -> bool:
    """Whether `folder` is one of the held-out sets (tests/eval/holdout/..., tests/eval/holdout_styles/...)."""
    parent = Path(folder).resolve().parent
    return any(parent == (DEFAULT_EVAL_DIR / name).resolve() for name in HELD_OUT_FOLDERS)


def _learnt_from(folder) -> str:
    """What part of this evaluation set the shipped re-ranker was trained on ("" when none of the scored part)."""
    root = Path(folder).resolve() if folder else DEFAULT_SET.resolve()
    trained = {path.resolve() for _, path in evaluation_sets(group="train")}
    return "this set" if root in trained else ""


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _text(report: dict) -> str:
    lines = [f"slice: {report['slice']}"]
    ins = report["in_scope"]
    lines.append(f"in scope, right fact: {ins['correct']}/{ins['total']} = {_pct(ins['accuracy'])}")
    for name, v in report["in_scope_by_slice"].items():
        lines.append(f"  {name:9} {v['correct']}/{v['total']} = {_pct(v['accuracy'])}")
    lines.append("by section:")
    for name, v in report["by_section"].items():
        lines.append(f"  {name:28} {v['correct']:3}/{v['total']:<3} {_pct(v['accuracy'])}")
    oos = report["out_of_scope"]
    lines.append(f"out of scope, declined: {oos['declined']}/{oos['total']} = {_pct(oos['rate'])}")
    for name, v in report["out_of_scope_by_slice"].items():
        lines.append(f"  {name:9} {v['declined']}/{v['total']} = {_pct(v['rate'])}")
    if report["confusions"]:
        lines.append("confusions (answered <- expected):")
        for c in report["confusions"][:15]:
            lines.append(f"  {c['count']} x {c['got']} <- {c['expected']}")
    if report["worst_misses"]:
        lines.append("worst misses:")
        for m in report["worst_misses"]:
            lines.append(f"  [{m['slice']}] {m['question']!r}: got {m['got']} ({m['confidence']}), expected {' | '.join(m['expected'])}")
    if report["leaks"]:
        lines.append("out-of-scope questions answered:")
        for m in report["leaks"]:
            lines.append(f"  [{m['slice']}] {m['question']!r} -> {m['got']} ({m['confidence']})")
    return "\n".join(lines)
