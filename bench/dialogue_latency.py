"""Per-turn latency of the dialogue manager over the development conversations (target: p99 under 10 ms).

Sends every turn of tests/eval/dialogue/dev/dialogue_*.yaml through an in-memory `DialogueManager` (one per
conversation, the router warm), three rounds, and prints p50 / p90 / p99 / max per turn. The machine is
shared: run it when the load average is low. Run: `.venv/bin/python bench/dialogue_latency.py`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import yaml

from guidebot.dialogue.manager import DialogueManager
from guidebot.knowledge import load_knowledge
from guidebot.routing import get_router

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3


def main() -> None:
    kb, router = load_knowledge(), get_router()
    conversations = [
        c for path in sorted((ROOT / "tests" / "eval" / "dialogue" / "dev").glob("dialogue_*.yaml"))
        for c in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
    ]
    times: list[float] = []
    for _ in range(ROUNDS):
        for memo in ("_route_memo", "_score_memo"):  # every round starts cold: no turn is served from a memo
            router.__dict__.pop(memo, None)
        for conversation in conversations:
            bot = DialogueManager(kb=kb, router=router, store=None)
            for turn in conversation["turns"]:
                start = time.perf_counter()
                bot.respond(str(turn["say"]))
                times.append(time.perf_counter() - start)
    times.sort()
    pick = lambda q: 1000 * times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    print(f"{len(times)} turns, load average {os.getloadavg()[0]:.1f}: p50 {pick(0.5):.1f} ms, "
          f"p90 {pick(0.9):.1f} ms, p99 {pick(0.99):.1f} ms, max {1000 * times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
