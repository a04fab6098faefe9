"""How many follow-up questions the guided diagnosis asks before it reaches a verdict, over the vignette suite.

Drives every tests/data/vignettes/*.yaml through `guidebot chat --jsonl` in-process (the same driver the
tests use), answering each `awaiting` slot from the vignette's case ("not done" where the case is silent).
Prints the median, mean, range and the longest walks. Run: `.venv/bin/python bench/chat_questions.py`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from _pytest.monkeypatch import MonkeyPatch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("GUIDEBOT_DATA_DIR", tempfile.mkdtemp(prefix="guidebot-bench-"))

from chatdriver import drive_case  # noqa: E402  (needs the tests folder on the path)


def main() -> None:
    counts: dict[str, int] = {}
    for path in sorted((ROOT / "tests" / "data" / "vignettes").glob("*.yaml")):
        vignette = yaml.safe_load(path.read_text(encoding="utf-8"))
        patch = MonkeyPatch()
        try:
            _, asked = drive_case(vignette["case"], "does my patient have POEMS?", patch)
        finally:
            patch.undo()
        counts[path.stem] = len(asked)
    values = list(counts.values())
    print(f"vignettes: {len(values)}")
    print(f"questions to a verdict: median {statistics.median(values)}, mean {statistics.mean(values):.2f}, "
          f"min {min(values)}, max {max(values)}")
    print("longest:", ", ".join(f"{name} ({n})" for name, n in sorted(counts.items(), key=lambda kv: -kv[1])[:5]))


if __name__ == "__main__":
    main()
