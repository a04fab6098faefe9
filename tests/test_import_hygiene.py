"""The fast paths stay fast: importing the CLI, `ask` and the router pulls in no UI, schema or Markdown library."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("textual", "pydantic", "markdown_it", "yaml", "platformdirs", "numpy")


def _modules_after(code: str, env: dict | None = None) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, env=env, check=True)
    return set(json.loads(proc.stdout.splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize("module", ["guidebot", "guidebot.cli", "guidebot.cli.ask", "guidebot.routing", "guidebot.render"])
def test_importing_core_modules_loads_nothing_heavy(module):
    assert _heavy(_modules_after(f"import {module}")) == []


def test_answering_from_a_warm_cache_loads_nothing_heavy(tmp_path):
    # a private copy of the knowledge base, so that nobody editing knowledge/ meanwhile makes the index stale
    shutil.copytree(REPO / "knowledge", tmp_path / "knowledge")
    env = {**os.environ, "GUIDEBOT_CACHE_DIR": str(tmp_path / "cache"), "GUIDEBOT_KNOWLEDGE": str(tmp_path / "knowledge")}
    # the first run builds the index (and may import the loader); the second must not
    subprocess.run([sys.executable, "-m", "guidebot", "ask", "avastin"], cwd=REPO, env=env, check=True, capture_output=True)
    code = (
        "import io, contextlib\n"
        "from guidebot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['ask', 'what is the VEGF cutoff', '--json']) == 0\n"
    )
    assert _heavy(_modules_after(code, env)) == []
