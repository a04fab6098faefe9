"""The stages only look down: cli over ui over dialogue over routing over criteria over knowledge.

The contract lives in pyproject.toml ([tool.importlinter]); import-linter reads every import, including
the lazy ones inside functions, so a rule that reaches up a stage "only when needed" still breaks it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_the_import_contract_is_kept():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (it is in the [test] extra)")
    proc = subprocess.run([lint, "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "0 broken" in proc.stdout
