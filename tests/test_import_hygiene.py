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


def _warm_env(tmp_path: Path) -> dict:
    """The environment of a run with a warm index cache over a private copy of the knowledge base (so that nobody
    editing knowledge/ meanwhile makes the index stale): the first run builds the index and may import the
    loader; the runs measured after it must not."""
    shutil.copytree(REPO / "knowledge", tmp_path / "knowledge")
    env = {**os.environ, "GUIDEBOT_CACHE_DIR": str(tmp_path / "cache"), "GUIDEBOT_KNOWLEDGE": str(tmp_path / "knowledge")}
    subprocess.run([sys.executable, "-m", "guidebot", "ask", "avastin"], cwd=REPO, env=env, check=True, capture_output=True)
    return env


def test_answering_from_a_warm_cache_loads_nothing_heavy(tmp_path):
    env = _warm_env(tmp_path)
    code = (
        "import io, contextlib\n"
        "from guidebot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['ask', 'what is the VEGF cutoff', '--json']) == 0\n"
    )
    assert _heavy(_modules_after(code, env)) == []


ASK_KINDS = {
    "a fact": ("what is the VEGF cutoff", "diagnosis.vegf_threshold"),
    "a caution named by a brand": ("velcade ok?", "treatment.neurotoxic_agents"),
    "a patient and a workup": ("40M, neuropathy, hyperpigmentation, gynaecomastia - which tests?", "workup.overview"),
    "POEMS without a mandatory criterion": ("can you have poems without neuropathy", "criteria.mandatory"),
    "an abbreviation": ("what does CR_V mean", "treatment.table_abbreviations"),
    "its own source": ("where is your info from", "overview.citation"),
    "out of scope": ("best moisturiser for dry skin", None),
    "a dose the review does not give": ("lenalidomide dose", None),
    "chit-chat": ("who made you", None),
}
"""Every kind of question `ask` answers without an assessment -> (a question of that kind, where it must land)."""

ASSESSED_KINDS = {
    "a treatment case": ("2 sclerotic lesions, marrow clean - radiate or transplant?", "treatment.radiation_indication"),
    "a treatment plan": ("plan tx: 1 lesion, marrow negative", "treatment.plan"),
    "a described patient": ("70F, demyelinating neuropathy, IgG lambda, no bone lesions - poems?", "diagnosis.assess"),
}
"""A described patient asking for a verdict or a treatment: the answer object carries that patient's
`assessment` (INTERFACE section 2), so these, and only these, load the knowledge base and the criteria engine."""
ASSESSED_MAY_LOAD = ("pydantic", "yaml", "platformdirs", "markdown_it")


def test_every_kind_of_question_is_answered_without_a_heavy_import(tmp_path):
    """Each rule of the router that reads more than words (findings, Figure 3's choice) runs here, so an
    import it makes up the stages (dialogue, pydantic through `Case`) shows as a heavy module."""
    env = _warm_env(tmp_path)
    code = (
        "import io, contextlib, json, sys\n"
        "from guidebot.cli import main\n"
        f"HEAVY = {HEAVY!r}\n"
        "seen = {}\n"
        f"for kind, (question, _) in {(ASK_KINDS | ASSESSED_KINDS)!r}.items():\n"  # the assessed ones last
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        main(['ask', question, '--json'])\n"
        "    heavy = sorted(m for m in sys.modules if m.split('.')[0] in HEAVY)\n"
        "    obj = json.loads(out.getvalue())\n"
        "    seen[kind] = [obj['intent'], heavy, obj.get('assessment') is not None]\n"
        "print(json.dumps(seen))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=env, check=True)
    seen = json.loads(proc.stdout.splitlines()[-1])
    for kind, (question, intent) in ASK_KINDS.items():
        got, heavy, assessed = seen[kind]
        assert got == intent, (kind, question, got)  # the kind of question really took its own path
        assert heavy == [] and not assessed, (kind, question, heavy)
    for kind, (question, intent) in ASSESSED_KINDS.items():
        got, heavy, assessed = seen[kind]
        assert got == intent and assessed, (kind, question, got)
        assert [m for m in heavy if m.split(".")[0] not in ASSESSED_MAY_LOAD] == [], (kind, question, heavy)


def test_a_question_no_rule_read_as_a_case_never_loads_the_findings_reader(tmp_path):
    """A care-section answer (a caution) gets a patient's assessment only when the router's rules read the question
    as a described patient (`Match.described`); other questions never import the findings reader (round 11:
    reading every caution question's findings cost the cold `ask` about 15 ms, 2.55x `import rapidfuzz`)."""
    code = (
        "import io, contextlib, json\n"
        "from guidebot.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    main(['ask', 'VEGF is high, can I give avastin?', '--json'])\n"
        "assert json.loads(out.getvalue())['intent'] == 'treatment.bevacizumab'\n"
    )
    assert "guidebot.criteria.findings" not in _modules_after(code, _warm_env(tmp_path))
