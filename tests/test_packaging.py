"""The knowledge base is found from a source checkout and from a plain `pip install .` (the built wheel)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

PROBE = (
    "from guidebot.knowledge import load_knowledge, knowledge_dir;"
    "kb = load_knowledge(); print(knowledge_dir().as_posix()); print(len(kb.facts))"
)


def _probe(cwd: Path, pythonpath: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "GUIDEBOT_KNOWLEDGE"}
    env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_source_checkout_uses_the_top_level_knowledge_dir(tmp_path, kb):
    where, count = _probe(tmp_path, REPO_ROOT)
    assert where == (REPO_ROOT / "knowledge").as_posix()
    assert int(count) == len(kb.facts)


def test_the_wheel_ships_the_knowledge_and_finds_it(tmp_path, kb):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(REPO_ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    if built.returncode != 0 and "No matching distribution" in built.stderr:
        pytest.skip("hatchling cannot be fetched here to build the wheel")
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("guidebot-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    assert "guidebot/_knowledge/references.yaml" in names
    assert any(n.startswith("guidebot/_knowledge/facts/") for n in names)
    # run from elsewhere with only the installed copy importable: no checkout beside it
    where, count = _probe(tmp_path, site)
    assert where.endswith("guidebot/_knowledge")
    assert int(count) == len(kb.facts)
    # a first ask on a new machine (empty cache) reads the index built at packaging time: no validation
    assert "guidebot/_knowledge/index.seed.pickle" in names
    env = {k: v for k, v in os.environ.items() if k != "GUIDEBOT_KNOWLEDGE"}
    env.update(PYTHONPATH=str(site), GUIDEBOT_CACHE_DIR=str(tmp_path / "new-machine"))
    first = (
        "import io, sys, contextlib\nfrom guidebot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n    main(['ask', 'vegf cutoff', '--json'])\n"
        "print('diagnosis.vegf_threshold' in out.getvalue(), 'pydantic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", first], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "False"], done.stderr
