"""Learning mode: item generation + grading latency (p50 / p99 per item, target p99 < 20 ms), the cost of a
quiz turn with its SQLite review, and how many distinct items the knowledge base yields, by kind and section.

    .venv/bin/python bench/quiz_bench.py [--repeat 3]

Each item is generated on its own, as a session would when it needs it (a cloze re-reads its fact, a case
draws until `assess` reaches its target), then graded three ways (its expected answer, "I don't know", a
wrong value). Numbers only; no assertions (tests do not time things).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guidebot.knowledge import load_knowledge  # noqa: E402
from guidebot.learning import cases, items  # noqa: E402
from guidebot.learning.grading import grade, grade_case  # noqa: E402


def generators(kb):
    """(item id, a function generating that item afresh) for every item of the bank."""
    facts = list(kb.facts.values())
    numeric = [(f, b.value) for f in facts for b in items.blanks_of(f) if b.value.kind == "number"]
    out = []
    for fact in facts:
        out.append((f"recall:{fact.id}", lambda fact=fact: items.recall_item(fact)))
        for blank in items.blanks_of(fact):
            out.append((f"cloze:{fact.id}:{blank.index}", lambda fact=fact, i=blank.index: items.cloze_item(fact, items.blanks_of(fact)[i])))
            if blank.value.kind == "number" and not blank.bounded:
                out.append((f"choice:{fact.id}:{blank.index}", lambda fact=fact, i=blank.index: items.number_choice_item(fact, items.blanks_of(fact)[i], numeric)))
    for n in range(cases.DEFAULT_CASES):
        out.append((f"case:{n}", lambda n=n: cases.case_item(kb, n)))
    return out


def grade_three_ways(item) -> None:
    if item.kind == "case":
        grade_case(item, item.verdict, item.approach)
        grade_case(item, None, None, gave_up=True)
        grade_case(item, "not_met", None)
        return
    grade(item, str(item.answer_index + 1) if item.answer_index is not None else item.expected)
    grade(item, "I don't know")
    grade(item, "42 lenalidomide")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over every item (default 3)")
    args = parser.parse_args()
    kb = load_knowledge()

    started = time.perf_counter()
    bank = items.QuizBank.build(kb)
    build_ms = (time.perf_counter() - started) * 1000

    per_kind: dict[str, list[float]] = {}
    cpu: list[float] = []
    for _ in range(args.repeat):
        for item_id, make in generators(kb):
            t0, c0 = time.perf_counter(), time.thread_time()
            item = make()
            if item is not None:
                grade_three_ways(item)
            elapsed = (time.perf_counter() - t0) * 1000
            cpu.append((time.thread_time() - c0) * 1000)
            per_kind.setdefault(item_id.split(":")[0], []).append(elapsed)
    everything = [t for times in per_kind.values() for t in times]

    print(f"knowledge base: {len(kb.facts)} facts; whole bank built in {build_ms:.0f} ms")
    print("\nitem generation + grading (3 answers), ms per item:")
    for kind, times in per_kind.items():
        print(f"  {kind:<7} n={len(times):5d}  p50 {statistics.median(times):6.2f}  p99 {percentile(times, 0.99):6.2f}  max {max(times):6.2f}")
    print(f"  {'all':<7} n={len(everything):5d}  p50 {statistics.median(everything):6.2f}  p99 {percentile(everything, 0.99):6.2f}  (target p99 < 20 ms)")
    # CPU time of this thread only: on a shared machine, wall-clock tails include time other processes ran
    print(f"  {'all cpu':<7} n={len(cpu):5d}  p50 {statistics.median(cpu):6.2f}  p99 {percentile(cpu, 0.99):6.2f}  (this thread's CPU time)")
    if hasattr(__import__("os"), "getloadavg"):
        print(f"  load average while measuring: {__import__('os').getloadavg()[0]:.1f}")

    from guidebot.learning.session import QuizOptions, QuizSession
    from guidebot.learning.store import LearningStore

    with tempfile.TemporaryDirectory() as tmp:
        store = LearningStore(tmp)
        turn_ms: list[float] = []
        for seed in range(20):
            session = QuizSession.start(kb, QuizOptions(seed=seed, count=10), store)
            while session.current is not None:
                t0 = time.perf_counter()
                session.respond("I don't know")
                turn_ms.append((time.perf_counter() - t0) * 1000)
        store.close()
    print(f"\nquiz turn (grade + fsrs review + SQLite write + due count), ms: p50 {statistics.median(turn_ms):.2f}  p99 {percentile(turn_ms, 0.99):.2f}  n={len(turn_ms)}")

    print("\ndistinct items by kind:")
    kinds = Counter(i.kind for i in bank.items)
    for kind in items.KINDS:
        print(f"  {kind:<7} {kinds[kind]:5d}")
    print(f"  {'total':<7} {len(bank.items):5d}")
    print("\ndistinct items by section (recall / cloze / choice / case):")
    for section in bank.sections():
        counts = Counter(i.kind for i in bank.items if i.section == section)
        print(f"  {section:<27} {counts['recall']:4d} {counts['cloze']:4d} {counts['choice']:4d} {counts['case']:4d}")


if __name__ == "__main__":
    main()
