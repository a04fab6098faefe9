"""Routing latency, in process: median and p99 per question over the evaluation set, for the real knowledge
base and for synthetic ones 10x and 50x larger (every fact replicated with perturbed ids and questions).

    .venv/bin/python bench/routing.py [--repeat 3]

Prints one line per knowledge-base size. Numbers only; no assertions (tests do not time things).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guidebot.cli.eval import DEFAULT_EVAL_DIR, load_eval_set  # noqa: E402
from guidebot.knowledge import load_knowledge  # noqa: E402
from guidebot.routing import Router, build_index  # noqa: E402

FILLER = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa".split()


def synthetic(kb, factor: int, seed: int = 7):
    """A knowledge base `factor` times larger: copy k of a fact gets id `<id>_c<k>`, shuffled question words and a
    copy-specific filler word, so the index grows in choices, vocabulary and postings like a real bigger KB."""
    rng = random.Random(seed)
    facts = {}
    for k in range(factor):
        for fact in kb.facts.values():
            if k == 0:
                facts[fact.id] = fact
                continue
            questions = []
            for q in fact.questions:
                words = q.split()
                rng.shuffle(words)
                questions.append(" ".join(words + [f"{rng.choice(FILLER)}{k}"]))
            copy = fact.model_copy(update={"id": f"{fact.id}_c{k}", "questions": questions})
            facts[copy.id] = copy
    # the root brings the shipped re-ranker along: its cost per question is measured at every size
    return SimpleNamespace(facts=facts, intents=kb.intents, lexicon=kb.lexicon, references=kb.references, review=kb.review, root=kb.root,
                           routing=kb.routing)


def measure(router: Router, questions: list[str], repeat: int) -> tuple[float, float, float]:
    """(median ms, p99 ms, max ms) of `router.route` per question."""
    times = []
    for _ in range(repeat):
        for q in questions:
            t = time.perf_counter()
            router.route(q)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    return statistics.median(times), p99, times[-1]


def main() -> None:
    """Print latency per knowledge-base size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the evaluation set per size")
    args = parser.parse_args()
    kb = load_knowledge()
    # the engineer's set, both halves (tests/eval/train/engineer and tests/eval/holdout/engineer): 610 questions
    questions = []
    for half in ("train", "holdout"):
        ins, outs = load_eval_set(DEFAULT_EVAL_DIR / half / "engineer")
        questions += [i["q"] for i in ins] + [o["q"] for o in outs]
    print(f"{len(questions)} questions x {args.repeat} passes")
    for factor in (1, 10, 50):
        index = build_index(kb if factor == 1 else synthetic(kb, factor))
        router = Router(index)
        router.route("warm up")
        med, p99, worst = measure(router, questions, args.repeat)
        print(f"{factor:>3}x KB: {len(index['targets']):6} targets {len(index['choices']):7} choices  "
              f"median {med:6.3f} ms  p99 {p99:6.3f} ms  max {worst:6.3f} ms")


if __name__ == "__main__":
    main()
