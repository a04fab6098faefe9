"""Throughput of `guidebot ask --jsonl`: questions per second through the real command, with its peak memory,
for ordinary questions and for hostile lines (escape codes, bad bytes, huge numbers, overlong lines).

    .venv/bin/python bench/ask_jsonl.py [--count 2000]

Runs the command as a subprocess (as a script would) and reads its peak resident memory from the kernel's
child accounting (`ru_maxrss`). Prints one line per input mix. Numbers only; no assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

ORDINARY = [
    "what is the vegf cutoff",
    "can I give bevacizumab to a patient with POEMS?",
    "how is POEMS treated",
    "demyelinating neuropathy, lambda M-protein, one sclerotic lesion and papilledema: enough for POEMS?",
    "what are the minor criteria",
    "what is the capital of France",
]

HOSTILE = [
    "vegf \x1b[2J\x1b]0;title\x07 cutoff \u009b31m",
    "1" + "0" * 400 + " sclerotic lesions and vegf 1e400 pg/ml, poems?",
    "x" * 50_000,
    "\u202eevil\u202c what is poems",
    "9" * 5000 + " lesions",
]
HOSTILE_BYTES = [b"bad \xff\xfe utf-8 \xc3\x28 vegf cutoff"]


def run(lines: list[bytes]) -> tuple[float, int, int]:
    """(seconds, answers read, peak RSS of the child in MB) for one `ask --jsonl` run over `lines`."""
    payload = b"".join(line.rstrip(b"\n") + b"\n" for line in lines)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "guidebot", "ask", "--jsonl"], input=payload, capture_output=True,
                          cwd=REPO, check=True)
    elapsed = time.perf_counter() - started
    answers = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: meaningful when this run is the largest
    return elapsed, len(answers), max(peak_kb, before) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="questions per run (default 2000)")
    args = parser.parse_args()
    os.environ.setdefault("GUIDEBOT_DATA_DIR", str(REPO / ".bench-data"))
    run([b"warm the index cache"])
    mixes = {
        "ordinary": [q.encode() for q in ORDINARY],
        "hostile": [q.encode("utf-8", "surrogatepass") for q in HOSTILE] + HOSTILE_BYTES,
    }
    for name, pool in mixes.items():
        lines = [pool[i % len(pool)] for i in range(args.count)]
        elapsed, answered, peak_mb = run(lines)
        assert answered == len(lines), f"{name}: {answered} answers for {len(lines)} lines"
        print(f"ask --jsonl {name:>8}: {answered} lines in {elapsed:.2f} s = {answered / elapsed:,.0f} questions/s "
              f"(start-up included); peak RSS {peak_mb} MB")


if __name__ == "__main__":
    main()
