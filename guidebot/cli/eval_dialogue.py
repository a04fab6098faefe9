"""`guidebot eval --dialogue`: scores multi-turn conversations and finding statements (format: docs/conversation.md).

Conversations (`dialogue_*.yaml`): every turn is sent in its conversation (one manager per conversation)
and, again, alone (a fresh manager per turn); accuracy is reported per kind in both settings, so the
difference is what the conversation state is worth. Finding statements (`findings_*.yaml`): knowledge
questions must record nothing; patient descriptions must record the stated fields (precision and recall
over (field, value) pairs). Per-turn latency (in context) is reported as p50 / p99.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guidebot.errors import InputError

DEFAULT_DIALOGUE_DIR = Path(__file__).resolve().parents[2] / "tests" / "eval" / "dialogue" / "dev"
"""The development conversations of a source checkout."""

KINDS = ("opener", "context", "switch", "act", "smalltalk", "uncovered", "finding")
"""Turn kinds, in report order."""

_DECLINE_FRAMING = re.compile(r"\(Khouri et al\., JAMA Oncol 2021\)")
"""The review named in a decline (its year is not a clinical number)."""


@dataclass
class DialogueReport:
    """Counts behind the printed report."""

    context: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    """kind -> [right, total], turns sent in their conversation."""
    alone: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    """kind -> [right, total], each turn sent to a fresh conversation."""
    latencies: list[float] = field(default_factory=list)
    """Seconds per turn, in context."""
    confusions: Counter = field(default_factory=Counter)
    """(kind, expected, got) of turns wrong in context."""
    misses: list[str] = field(default_factory=list)
    """One line per turn wrong in context."""
    stray_recordings: int = 0
    """Turns of the conversations that are not findings but recorded one."""
    questions: list[int] = field(default_factory=lambda: [0, 0])
    """[knowledge questions that recorded nothing, total]."""
    finding_pairs: list[int] = field(default_factory=lambda: [0, 0, 0])
    """[right recorded pairs, recorded pairs, stated pairs] over the patient descriptions."""
    question_misses: list[str] = field(default_factory=list)
    description_misses: list[str] = field(default_factory=list)


def _load(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping with conversations: or knowledge_questions:")
    return data


def dialogue_files(target: str | Path | None) -> list[Path]:
    """The YAML files to score: `target` itself, or the dialogue_*/findings_* files in it."""
    root = Path(target) if target else DEFAULT_DIALOGUE_DIR
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(f"no such file or folder: {root}")
    files = sorted(root.glob("dialogue_*.yaml")) + sorted(root.glob("findings_*.yaml"))
    if not files:
        raise InputError(f"{root}: no dialogue_*.yaml or findings_*.yaml files")
    return files


def _expected(item: dict[str, Any]) -> list[str]:
    if "expect" in item:
        return [str(item["expect"])]
    return [str(e) for e in item.get("expect_any", [])]


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def _declined_without_number(turn: Any) -> bool:
    text = _DECLINE_FRAMING.sub("", turn.text)
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("-", "1", "2", "3")))
    return turn.in_scope is False and not re.search(r"\d", body)


def _holds(after: Any, want: Any, before: Any) -> bool:
    """Whether a field's value after a finding turn is what the turn stated: for the endocrine list, every item
    stated is in it and the turn added none that was not stated (items recorded earlier stay); else the value."""
    if isinstance(want, list) and want and isinstance(after, list):
        added = set(map(str, after)) - set(map(str, before if isinstance(before, list) else []))
        return set(map(str, want)) <= set(map(str, after)) and added <= set(map(str, want))
    return _same_value(after, want)


def finding_turn_right(want: dict[str, Any], recorded: dict[str, Any], before: dict[str, Any], after: dict[str, Any],
                       answered_fact: bool = False) -> bool:
    """Whether a finding turn recorded what its message states, judged in its conversation: the turn recorded no
    field the message does not state, and after it every stated field holds the stated value. So a finding stated
    again with the value already recorded ("marrow bx: clonal plasma cells" after a lambda M-protein) counts as
    read, and "prolactin is elevated too" after thyroid and diabetes is right when the list gains
    hyperprolactinemia (the turn records the field's value, the whole list, as every SlotSet does). A turn that
    recorded nothing and `answered_fact` (read as a question) is wrong even when the values were held before."""
    if not set(recorded) <= set(want):
        return False
    if answered_fact and not recorded:
        return False
    return all(k in after and _holds(after[k], want[k], before.get(k)) for k in want)


def turn_right(item: dict[str, Any], turn: Any, before: dict[str, Any] | None = None,
               after: dict[str, Any] | None = None) -> bool:
    """Whether the bot's `turn` is what the item's kind asks for (see the module docstring); a finding turn is
    judged against the findings recorded `before` and `after` it when given (its conversation), else alone."""
    kind = item.get("kind")
    expected = _expected(item)
    if kind in ("opener", "context", "switch"):
        return bool(turn.in_scope) and turn.intent in expected
    if kind == "act":
        return turn.act == item.get("act") and (not expected or turn.intent in expected)
    if kind == "smalltalk":
        return turn.in_scope is None and (turn.act or "").startswith("smalltalk") and "does not cover" not in turn.text
    if kind == "uncovered":
        return _declined_without_number(turn)
    if kind == "finding":
        want = item.get("findings") or {}
        return finding_turn_right(want, turn.recorded, before or {}, turn.recorded if after is None else after,
                                  answered_fact=bool(turn.intent))
    raise InputError(f"unknown turn kind {kind!r}")


def _got(turn: Any) -> str:
    if turn.act and turn.act != "command":
        return f"{turn.act}:{turn.intent}"
    if turn.in_scope is False:
        return "(declined)"
    return str(turn.intent)


def evaluate_dialogues(files: list[Path], kb: Any = None, router: Any = None) -> DialogueReport:
    """Run every conversation and finding statement of `files`; the counts."""
    from guidebot.dialogue.manager import DialogueManager
    from guidebot.knowledge import load_knowledge
    from guidebot.routing import get_router

    kb = kb or load_knowledge()
    router = router or get_router()
    report = DialogueReport()

    def fresh() -> DialogueManager:
        return DialogueManager(kb=kb, router=router, store=None)

    for path in files:
        data = _load(path)
        for conversation in data.get("conversations") or []:
            bot = fresh()
            for item in conversation.get("turns") or []:
                kind = item.get("kind")
                say = str(item.get("say", ""))
                before = bot.recorded
                start = time.perf_counter()
                turn = bot.respond(say)
                report.latencies.append(time.perf_counter() - start)
                ok = turn_right(item, turn, before, bot.recorded)
                if kind != "finding" and turn.recorded:
                    report.stray_recordings += 1
                report.context[kind][0] += ok
                report.context[kind][1] += 1
                if not ok:
                    want = "|".join(_expected(item)) or (str(item.get("findings")) if kind == "finding" else kind)
                    got = str(turn.recorded) if kind == "finding" else _got(turn)
                    report.confusions[(kind, want, got)] += 1
                    report.misses.append(f"{conversation.get('id')}: [{kind}] {say!r}: expected {want}, got {got}")
                alone = fresh().respond(say)
                report.alone[kind][0] += turn_right(item, alone)
                report.alone[kind][1] += 1
        for question in data.get("knowledge_questions") or []:
            turn = fresh().respond(str(question))
            report.questions[1] += 1
            if turn.recorded:
                report.question_misses.append(f"{question!r} recorded {turn.recorded}")
            else:
                report.questions[0] += 1
        for item in data.get("patient_descriptions") or []:
            turn = fresh().respond(str(item.get("say", "")))
            want = item.get("findings") or {}
            got = turn.recorded
            right = sum(1 for k, v in got.items() if k in want and _same_value(v, want[k]))
            report.finding_pairs[0] += right
            report.finding_pairs[1] += len(got)
            report.finding_pairs[2] += len(want)
            if right != len(got) or right != len(want):
                report.description_misses.append(f"{item.get('say')!r}: expected {want}, got {got}")
    return report


def _pct(right: int, total: int) -> str:
    return f"{100.0 * right / total:5.1f}%" if total else "   - "


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report_text(report: DialogueReport, *, misses: bool = False, top: int = 10, totals: bool = False) -> str:
    """The printed report."""
    lines = ["kind         in context          alone"]
    totals_ctx, totals_alone = [0, 0], [0, 0]
    for kind in KINDS:
        c, a = report.context.get(kind, [0, 0]), report.alone.get(kind, [0, 0])
        if not c[1]:
            continue
        lines.append(f"{kind:<12} {_pct(*c)} ({c[0]:>3}/{c[1]:<3})  {_pct(*a)} ({a[0]:>3}/{a[1]:<3})")
        totals_ctx = [totals_ctx[0] + c[0], totals_ctx[1] + c[1]]
        totals_alone = [totals_alone[0] + a[0], totals_alone[1] + a[1]]
    follow = [sum(report.context.get(k, [0, 0])[i] for k in ("context", "act", "uncovered")) for i in (0, 1)]
    follow_alone = [sum(report.alone.get(k, [0, 0])[i] for k in ("context", "act", "uncovered")) for i in (0, 1)]
    lines.append(f"{'all turns':<12} {_pct(*totals_ctx)} ({totals_ctx[0]:>3}/{totals_ctx[1]:<3})  {_pct(*totals_alone)} ({totals_alone[0]:>3}/{totals_alone[1]:<3})")
    lines.append(f"{'follow-ups':<12} {_pct(*follow)} ({follow[0]:>3}/{follow[1]:<3})  {_pct(*follow_alone)} ({follow_alone[0]:>3}/{follow_alone[1]:<3})"
                 "   (context + act + uncovered)")
    if report.latencies:
        lines.append(f"latency per turn: p50 {1000 * _percentile(report.latencies, 0.5):.1f} ms, "
                     f"p99 {1000 * _percentile(report.latencies, 0.99):.1f} ms over {len(report.latencies)} turns")
    lines.append(f"non-finding turns that recorded a finding: {report.stray_recordings}")
    if report.questions[1]:
        q = report.questions
        lines.append(f"knowledge questions recording nothing: {_pct(*q)} ({q[0]}/{q[1]})")
    if report.finding_pairs[2]:
        right, got, want = report.finding_pairs
        lines.append(f"patient descriptions: precision {_pct(right, got)} ({right}/{got}), recall {_pct(right, want)} ({right}/{want})")
    if report.confusions and not totals:
        lines.append("worst confusions (kind, expected -> got):")
        for (kind, want, got), n in report.confusions.most_common(top):
            lines.append(f"  {n} x [{kind}] {want} -> {got}")
    if misses and not totals:
        lines += ["misses:", *[f"  {m}" for m in report.misses]]
        lines += ["knowledge questions that recorded findings:", *[f"  {m}" for m in report.question_misses]]
        lines += ["patient descriptions read wrong:", *[f"  {m}" for m in report.description_misses]]
    return "\n".join(lines)


def run_dialogue(args: Any) -> int:
    """`guidebot eval --dialogue [--set FILE_OR_DIR] [--misses]`."""
    from guidebot.knowledge import load_knowledge
    from guidebot.routing import get_router

    files = dialogue_files(args.eval_dir)
    report = evaluate_dialogues(files, load_knowledge(args.knowledge), get_router(args.knowledge))
    print(f"scored: {', '.join(f.name for f in files)}")
    print(report_text(report, misses=getattr(args, "misses", False), totals=getattr(args, "totals", False)))
    return 0
