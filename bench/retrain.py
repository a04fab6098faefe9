"""A full retrain of the re-ranker, compared with the shipped model (`guidebot kb train --check`), timed.

    .venv/bin/python bench/retrain.py [--plain]

The test suite only checks the digest of the training inputs (tests/test_reranker.py); this is the slow,
complete check that the shipped knowledge/reranker.json is what training gives. Needs the [train] extra
unless --plain. Prints the verdict and the wall time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain", action="store_true", help="the dependency-free trainer")
    args = parser.parse_args()
    cmd = [sys.executable, "-m", "guidebot", "kb", "train", "--check", *(["--plain"] if args.plain else [])]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    verdict = "up to date" if proc.returncode == 0 else "STALE (run `guidebot kb train`)"
    print(f"kb train --check: {verdict} in {seconds:.1f} s")
    for line in (proc.stdout + proc.stderr).strip().splitlines()[-8:]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
