"""Cold start of `guidebot ask "..."` (a fresh process each run, warm index cache) against a bare
`python -c "import rapidfuzz"`, through the console script and through `python -m guidebot`.

    .venv/bin/python bench/cold_start.py [-n 20]

Prints the median wall time of each and the ratio to the bare import (the budget is 2.2x), then a first
`ask` with an empty cache (a new machine: the index is built or seeded; the budget is 1 s). Numbers only.
The commands take turns, in a shuffled order each round, so that load from elsewhere on a shared machine
falls on all of them alike rather than on whichever ran during a busy spell.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUESTION = "VEGF is high, can I give avastin?"


def walls(cmds: dict[str, list[str]], n: int, env: dict) -> dict[str, float]:
    """Median wall time in ms of `n` runs of each command (after one unmeasured run of each that warms the disk,
    the byte-code and the index cache), the commands taking turns in a shuffled order."""
    for cmd in cmds.values():
        subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, check=True)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    order = random.Random(0)
    for _ in range(n):
        for name in order.sample(list(cmds), len(cmds)):
            t = time.perf_counter()
            subprocess.run(cmds[name], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[name].append((time.perf_counter() - t) * 1000)
    return {name: statistics.median(ms) for name, ms in times.items()}


def main() -> None:
    """Print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="runs per command")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="guidebot-bench-")
    env = {**os.environ, "GUIDEBOT_CACHE_DIR": cache, "PYTHONPATH": str(REPO)}
    # Byte-code as an installed package has it (pip compiles on install): without this, a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 recompiles guidebot's sources on every start while rapidfuzz's are compiled.
    # The prefix keeps the .pyc files out of the source tree; the warm-up run of each command fills it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(cache, "pycache")
    py = sys.executable
    rows = [("python -m guidebot ask", [py, "-m", "guidebot", "ask", QUESTION])]
    script = shutil.which("guidebot", path=str(Path(py).parent))
    if script:
        rows.insert(0, ("guidebot ask (console script)", [script, "ask", QUESTION]))
    else:
        print("(console script not installed: `pip install -e .` to measure it)")
    medians = walls({"bare": [py, "-c", "import rapidfuzz"], **dict(rows)}, args.n, env)
    bare = medians["bare"]
    print(f"bare `import rapidfuzz`        {bare:7.1f} ms   ({args.n} runs each, medians)")
    for name, _ in rows:
        ms = medians[name]
        print(f"{name:30} {ms:7.1f} ms  ratio {ms / bare:.2f}x")
    # a new machine: no cache. A source checkout builds the index; an installed wheel reads the one built at
    # packaging time (hatch_build.py), reproduced here in a copy of the knowledge directory
    sys.path.insert(0, str(REPO))
    from guidebot.routing.cache import SEED_FILE, write_seed

    seeded = os.path.join(cache, "knowledge")
    shutil.copytree(REPO / "knowledge", seeded)
    write_seed(seeded, os.path.join(seeded, SEED_FILE))
    for name, extra in (("first ask, empty cache (checkout)", {}), ("first ask, empty cache (wheel)", {"GUIDEBOT_KNOWLEDGE": seeded})):
        firsts = []
        for _ in range(max(1, args.n // 4)):
            empty = tempfile.mkdtemp(prefix="guidebot-bench-empty-")
            t = time.perf_counter()
            subprocess.run(rows[0][1], env={**env, **extra, "GUIDEBOT_CACHE_DIR": empty}, cwd=REPO, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            firsts.append((time.perf_counter() - t) * 1000)
            shutil.rmtree(empty, ignore_errors=True)
        print(f"{name:34} {statistics.median(firsts):7.1f} ms")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
