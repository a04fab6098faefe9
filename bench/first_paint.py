"""Start-up of the chat UI: time from process start to the first painted screen, and to the greeting.

    .venv/bin/python bench/first_paint.py [--runs 9] [--tmux]

Default: each run starts a fresh `python` whose app (headless) reports, against a wall-clock timestamp
taken by this script just before the spawn, when its first frame was painted and when the greeting (knowledge
loaded, manager ready) was in the transcript. `--tmux` also measures the real thing: `python -m guidebot` in an
80x24 tmux pane, polling `capture-pane` every 5 ms for the footer (first paint) and the prompt (ready).
Prints the median over the runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HOOK = r"""
import os, sys, time
t0 = float(os.environ["GUIDEBOT_BENCH_T0"])
from guidebot.ui.app import GuidebotApp

class BenchApp(GuidebotApp):
    first_paint = ready = None

    def on_ready(self):
        # Textual sends Ready once the first frame has been rendered
        self.first_paint = time.time() - t0
        self.set_interval(0.002, self._poll)

    def _poll(self):
        if self.ready is None and getattr(self.screen, "last_turn", None) is not None:
            self.ready = time.time() - t0
            self.exit()

app = BenchApp(resume=False)
app.run(headless=True, size=(80, 24))
print(f"{app.first_paint:.4f} {app.ready:.4f}")
"""


def run_headless(data_dir: str) -> tuple[float, float]:
    """One cold start; (seconds to first paint, seconds to greeting)."""
    env = {**os.environ, "GUIDEBOT_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT)}
    env["GUIDEBOT_BENCH_T0"] = repr(time.time())
    result = subprocess.run([sys.executable, "-c", HOOK], env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"the app failed: {result.stderr[-2000:]}")
    out = result.stdout
    first, ready = out.split()[-2:]
    return float(first), float(ready)


def run_tmux(data_dir: str) -> tuple[float, float]:
    """One cold start in a real 80x24 terminal; (seconds to first paint, seconds to greeting)."""
    socket = f"guidebot-bench-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", socket]
    command = f"cd {ROOT} && GUIDEBOT_DATA_DIR={data_dir} {sys.executable} -m guidebot"
    start = time.time()
    subprocess.run([*tmux, "new-session", "-d", "-s", "b", "-x", "80", "-y", "24", command], check=True)
    first = ready = None
    try:
        while time.time() - start < 30 and ready is None:
            screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True).stdout
            now = time.time() - start
            if first is None and "Quit" in screen:
                first = now
            if "Ask about POEMS" in screen:
                ready = now
            time.sleep(0.005)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    if first is None or ready is None:
        raise RuntimeError("the app never painted in tmux")
    return first, ready


def main() -> None:
    """Run the benchmark and print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--tmux", action="store_true", help="also measure in a real terminal (needs tmux)")
    args = parser.parse_args()
    modes = [("headless", run_headless)]
    if args.tmux:
        if shutil.which("tmux") is None:
            sys.exit("bench: tmux is not installed")
        modes.append(("tmux 80x24", run_tmux))
    with tempfile.TemporaryDirectory() as data_dir:
        for name, runner in modes:
            runner(data_dir)  # warm the OS file cache and the router cache, as a second start would be
            results = [runner(data_dir) for _ in range(args.runs)]
            firsts = [f * 1000 for f, _ in results]
            readies = [r * 1000 for _, r in results]
            print(
                f"{name:>10}: first paint median {statistics.median(firsts):6.0f} ms "
                f"(min {min(firsts):.0f}, max {max(firsts):.0f}); greeting median {statistics.median(readies):6.0f} ms "
                f"(min {min(readies):.0f}, max {max(readies):.0f}); {args.runs} runs"
            )


if __name__ == "__main__":
    main()
