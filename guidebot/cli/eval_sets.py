"""`guidebot eval` over every set at once: the per-set table, and `--ablate` (what each rule is worth).

Held-out sets (tests/eval/holdout/) are reported by their totals only, never by their misses, so that they
keep measuring questions nobody tuned the router on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from guidebot.cli.eval import DEFAULT_EVAL_DIR, answered_right, load_eval_set


def _name(group: str, folder: Path) -> str:
    return f"{group}/{folder.name}" if group else str(folder)


def per_set(router, sets: list[tuple[str, Path]]) -> list[dict]:
    """One row per set: {set, group, in_right, in_total, out_declined, out_total}, plus the same counts over
    its `unseen` questions (text not in any training set; held-out sets only), then the pooled groups."""
    trained = {item["q"].casefold() for group, folder in sets if group == "train" for part in load_eval_set(folder) for item in part}
    rows = []
    for group, folder in sets:
        ins, outs = load_eval_set(folder)
        row = {"set": _name(group, folder), "group": group, "in_right": 0, "in_total": len(ins), "out_declined": 0,
               "out_total": len(outs), "unseen_in_right": 0, "unseen_in_total": 0, "unseen_out_declined": 0, "unseen_out_total": 0}
        for item in ins:
            right = answered_right(router.answer(item["q"]), item)
            row["in_right"] += right
            if group == "holdout" and item["q"].casefold() not in trained:
                row["unseen_in_right"] += right
                row["unseen_in_total"] += 1
        for item in outs:
            declined = not router.route(item["q"]).in_scope
            row["out_declined"] += declined
            if group == "holdout" and item["q"].casefold() not in trained:
                row["unseen_out_declined"] += declined
                row["unseen_out_total"] += 1
        rows.append(row)
    for group in dict.fromkeys(r["group"] for r in rows if r["group"]):
        members = [r for r in rows if r["group"] == group]
        pooled = {k: sum(r[k] for r in members) for k in members[0] if k not in ("set", "group")}
        rows.append({"set": f"{group} (pooled)", "group": f"{group} (pooled)", **pooled})
    return rows


def _pct(part: int, total: int) -> float:
    return 100.0 * part / total if total else 0.0


def per_set_text(rows: list[dict]) -> str:
    """The per-set table, and the gap between the pooled training and held-out sets. For held-out sets, the
    last columns count only questions whose text no training set has (the writers often asked the same short
    question, which the re-ranker then learnt)."""
    lines = [f"{'set':26} {'in scope':>18} {'out of scope':>18}   {'held out, unseen text only':>30}"]
    for r in rows:
        line = (f"{r['set']:26} {r['in_right']:>5}/{r['in_total']:<5} {_pct(r['in_right'], r['in_total']):5.1f}%"
                f" {r['out_declined']:>5}/{r['out_total']:<5} {_pct(r['out_declined'], r['out_total']):5.1f}%")
        if r["unseen_in_total"]:
            line += (f"   {r['unseen_in_right']:>5}/{r['unseen_in_total']:<5} {_pct(r['unseen_in_right'], r['unseen_in_total']):5.1f}%"
                     f" {r['unseen_out_declined']:>4}/{r['unseen_out_total']:<4} {_pct(r['unseen_out_declined'], r['unseen_out_total']):5.1f}%")
        lines.append(line)
    pooled = {r["group"]: r for r in rows if r["group"].endswith("(pooled)")}
    train, held = pooled.get("train (pooled)"), pooled.get("holdout (pooled)")
    if train and held:
        gap_in = _pct(train["in_right"], train["in_total"]) - _pct(held["in_right"], held["in_total"])
        gap_out = _pct(train["out_declined"], train["out_total"]) - _pct(held["out_declined"], held["out_total"])
        lines.append(f"gap, trained minus held out: {gap_in:+.1f} points in scope, {gap_out:+.1f} points out of scope")
        if held["unseen_in_total"]:
            gap_unseen = _pct(train["in_right"], train["in_total"]) - _pct(held["unseen_in_right"], held["unseen_in_total"])
            lines.append(f"gap, trained minus held out with unseen text only: {gap_unseen:+.1f} points in scope")
    return "\n".join(lines)


def ablate(router, sets: list[tuple[str, Path]]) -> dict:
    """{rule: {set: [in right with, in right without, in total, out declined with, out declined without, out total]}}.

    A rule that did not fire on a question (`Router.route_traced`) cannot change its answer when switched off
    (rules are pure and deterministic), so only the questions it fired on are routed again without it.
    """
    changes: dict[str, dict[str, list[int]]] = defaultdict(dict)
    bases: dict[str, tuple[int, int, int, int]] = {}
    for group, folder in sets:
        set_name = _name(group, folder)
        ins, outs = load_eval_set(folder)
        base_in = base_out = 0
        for item in ins:
            match, fired = router.route_traced(item["q"])
            right = answered_right(router.answer_for(item["q"], match), item)
            base_in += right
            for rule in dict.fromkeys(fired):
                without = answered_right(router.answer(item["q"], off=frozenset({rule})), item)
                changes[rule].setdefault(set_name, [0, 0])[0] += int(without) - int(right)
        for item in outs:
            match, fired = router.route_traced(item["q"])
            declined = not match.in_scope
            base_out += declined
            for rule in dict.fromkeys(fired):
                without = not router.route(item["q"], off=frozenset({rule})).in_scope
                changes[rule].setdefault(set_name, [0, 0])[1] += int(without) - int(declined)
        bases[set_name] = (base_in, len(ins), base_out, len(outs))
    table: dict[str, dict[str, list[int]]] = {}
    for rule, per_set_change in changes.items():
        table[rule] = {}
        for set_name, (base_in, in_total, base_out, out_total) in bases.items():
            d_in, d_out = per_set_change.get(set_name, [0, 0])
            table[rule][set_name] = [base_in, base_in + d_in, in_total, base_out, base_out + d_out, out_total]
    return table


def ablation_text(router, sets: list[tuple[str, Path]], as_json: bool = False) -> str:
    """`guidebot eval --ablate`: per rule, in-scope and out-of-scope accuracy with and without it on every set."""
    from guidebot.routing.rules import switchable

    table = ablate(router, sets)
    baseline = {_name(g, f): None for g, f in sets}
    order = [n for n in switchable() if n in table] + sorted(set(table) - set(switchable()))
    if as_json:
        return json.dumps({rule: table[rule] for rule in order}, ensure_ascii=False)
    lines = ["what each rule and check is worth: accuracy with it -> without it (points lost without it)"]
    never = [n for n in switchable() if n not in table]
    for rule in order:
        lines.append(f"{rule}:")
        pooled: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
        for set_name in baseline:
            row = table[rule][set_name]
            group = set_name.split("/")[0] if "/" in set_name else ""
            for k in range(6):
                pooled[group][k] += row[k]
            lines.append(_ablation_row(set_name, row))
        for group, row in pooled.items():
            if group:
                lines.append(_ablation_row(f"{group} (pooled)", row))
    if never:
        lines.append(f"never fired: {', '.join(never)}")
    return "\n".join(lines)


def _ablation_row(name: str, row: list[int]) -> str:
    iw, io, it, ow, oo, ot = row
    return (f"  {name:24} in {_pct(iw, it):5.1f}% -> {_pct(io, it):5.1f}% ({_pct(iw - io, it):+.1f})"
            f"   out {_pct(ow, ot):5.1f}% -> {_pct(oo, ot):5.1f}% ({_pct(ow - oo, ot):+.1f})")


__all__ = ["DEFAULT_EVAL_DIR", "ablate", "ablation_text", "per_set", "per_set_text"]
