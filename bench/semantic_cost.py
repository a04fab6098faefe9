"""What the semantic and sound-alike signals cost: file size, cold `ask` with them on and off, memory, and
the per-question routing time.

    .venv/bin/python bench/semantic_cost.py [-n 15]

Three copies of the knowledge base: "on" with the semantic rescue and score term switched on, "shipped" as
it is, and "off" without `semantic.json` (the router then works on words alone, sound-alike joins apart);
the differences are the signals' own cost. Numbers only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = ["blood clots in poems", "VEGF is high, can I give avastin?", "lenny lid oh mide response rate",
             "A 54-year-old man has a demyelinating neuropathy and a lambda M-protein. Which drug should be avoided?"]
PROBE = (
    "import resource, sys, time\n"
    "t = time.perf_counter()\n"
    "from guidebot.routing import get_router\n"
    "r = get_router()\n"
    "for q in sys.argv[1:]: r.route(q)\n"
    "print((time.perf_counter() - t) * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def run(env: dict, n: int) -> tuple[float, float, float]:
    """(median wall ms of a cold `ask`, median in-process ms to import + route all QUESTIONS, max RSS MiB)."""
    cmd = [sys.executable, "-m", "guidebot", "ask", QUESTIONS[0]]
    subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, check=True)  # builds the cache
    walls, inside, rss = [], [], []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        walls.append((time.perf_counter() - t) * 1000)
        out = subprocess.run([sys.executable, "-c", PROBE, *QUESTIONS], env=env, cwd=REPO, capture_output=True, text=True, check=True)
        ms, kb = out.stdout.split()
        inside.append(float(ms))
        rss.append(int(kb) / 1024)
    return statistics.median(walls), statistics.median(inside), statistics.median(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15)
    args = parser.parse_args()
    print(f"knowledge/semantic.bin: {(REPO / 'knowledge' / 'semantic.bin').stat().st_size / 1e6:.2f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        off = Path(tmp) / "knowledge"
        shutil.copytree(REPO / "knowledge", off)
        (off / "semantic.json").unlink()
        rescue = Path(tmp) / "knowledge-rescue"
        shutil.copytree(REPO / "knowledge", rescue)
        settings = json.loads((rescue / "semantic.json").read_text())
        settings.update(rescue_min=0.6, score_weight=0.05)
        (rescue / "semantic.json").write_text(json.dumps(settings))
        results = {}
        for label, root in (("on", rescue), ("shipped", REPO / "knowledge"), ("off", off)):
            env = {**os.environ, "GUIDEBOT_CACHE_DIR": str(Path(tmp) / f"cache-{label}"), "GUIDEBOT_KNOWLEDGE": str(root)}
            results[label] = run(env, args.n)
            wall, inside, rss = results[label]
            print(f"signals {label:7}: cold ask {wall:6.1f} ms   import+route {len(QUESTIONS)} questions {inside:6.1f} ms   max RSS {rss:6.1f} MiB")
            size = os.path.getsize(next((Path(tmp) / f"cache-{label}").glob("router-*.pickle")))
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from guidebot.routing.cache import load_index; import os; load_index(os.environ['GUIDEBOT_KNOWLEDGE'])"],
                           env={**env, "GUIDEBOT_CACHE_DIR": str(Path(tmp) / f"empty-{label}")}, cwd=REPO, check=True)
            first = (time.perf_counter() - t) * 1000
            print(f"                 index cache {size / 1e6:.2f} MB, index build with an empty cache {first:.0f} ms")
        for label in ("on", "shipped"):
            d = [a - b for a, b in zip(results[label], results["off"])]
            print(f"cost ({label}): cold ask {d[0]:+.1f} ms, import+route {d[1]:+.1f} ms, memory {d[2]:+.1f} MiB")
    # per-question routing time, warm, in this process
    sys.path.insert(0, str(REPO))
    from guidebot.routing import get_router

    router = get_router()
    times = []
    for _ in range(20):
        for q in QUESTIONS:
            t = time.perf_counter()
            router._question_vector = ("", None)
            router.route(q + " ")  # a new text each round: no per-question cache
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"route, warm: median {statistics.median(times):.2f} ms, p99 {times[int(0.99 * len(times)) - 1]:.2f} ms")


if __name__ == "__main__":
    main()
