"""The router's rules as data: knowledge/routing.yaml and the lexicon's drugs, verified by `kb check`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from guidebot.cli import main
from guidebot.knowledge import knowledge_dir, load_knowledge
from guidebot.routing import build_index, get_router

ROUTING = Path(__file__).resolve().parent.parent / "guidebot" / "routing"


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), target)
    return target


def _check(capsys, root: Path) -> tuple[int, list[str]]:
    code = main(["kb", "check", str(root)])
    return code, [line for line in capsys.readouterr().err.splitlines() if not line.startswith("guidebot: error")]


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_a_renamed_fact_named_by_a_rule_is_reported_at_its_line(capsys, kb_copy):
    routing = kb_copy / "routing.yaml"
    routing.write_text(routing.read_text(encoding="utf-8").replace("mandatory: criteria.mandatory", "mandatory: criteria.gone"), encoding="utf-8")
    code, problems = _check(capsys, kb_copy)
    line = _line_of(routing, "criteria.gone")
    assert code == 2 and problems == [f"{routing}:{line}: targets.mandatory: fact or flow 'criteria.gone' does not exist"]


def test_a_fact_in_a_list_or_map_of_targets_is_checked_too(capsys, kb_copy):
    routing = kb_copy / "routing.yaml"
    text = routing.read_text(encoding="utf-8")
    text = text.replace("  - diagnosis.marrow_clone", "  - diagnosis.no_marrow").replace("radiation: treatment.radiation_indication", "radiation: treatment.no_radiation")
    routing.write_text(text, encoding="utf-8")
    code, problems = _check(capsys, kb_copy)
    assert code == 2 and len(problems) == 2
    assert any(f":{_line_of(routing, 'diagnosis.no_marrow')}: targets.treatment_choice.4:" in p for p in problems)
    assert any(f":{_line_of(routing, 'treatment.no_radiation')}: targets.approach.radiation:" in p for p in problems)


@pytest.mark.parametrize(("old", "new", "field"), [
    ("poems: [poem, crow,", "poems: [poem, Crow Fukase,", "words.poems.1"),
    ("case_flow_cues: [poem, criteria,", "case_flow_cues: [poem, poem,", "words.case_flow_cues.1"),
    ("  min_coverage: 0.4", "  min_coverage: 4", "thresholds.min_coverage"),
])
def test_a_word_or_threshold_the_router_cannot_use_is_reported(capsys, kb_copy, old, new, field):
    routing = kb_copy / "routing.yaml"
    text = routing.read_text(encoding="utf-8")
    assert old in text
    routing.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, problems = _check(capsys, kb_copy)
    assert code == 2 and len(problems) == 1 and f": {field}: " in problems[0] and problems[0].startswith(str(routing))


def test_drug_names_come_from_the_lexicon(kb_copy):
    lexicon = kb_copy / "lexicon.yaml"
    text = lexicon.read_text(encoding="utf-8")
    assert "- canonical: low-molecular-weight heparin\n  kind: drug\n" in text
    assert "heparin" in build_index(load_knowledge(kb_copy), with_model=False)["routing"].drugs
    lexicon.write_text(text.replace("- canonical: low-molecular-weight heparin\n  kind: drug\n", "- canonical: low-molecular-weight heparin\n"), encoding="utf-8")
    assert "heparin" not in build_index(load_knowledge(kb_copy), with_model=False)["routing"].drugs


def test_the_rules_read_their_targets_from_the_data():
    router = get_router()
    targets = router._cfg.targets
    assert router.route("can you have poems without neuropathy").intent == targets["mandatory"]
    assert router.route("where is your info from").intent == targets["source"]


def test_no_fact_id_is_written_in_routing_code():
    """Fact ids live in knowledge/routing.yaml, where `kb check` sees them; code that names one is invisible to it."""
    ids = {t[0] for t in get_router().targets} | {t[3] for t in get_router().targets}
    literal = re.compile(r"""["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")
    named = {(p.name, m) for p in ROUTING.glob("*.py") for m in literal.findall(p.read_text(encoding="utf-8")) if m in ids}
    assert named == set()
