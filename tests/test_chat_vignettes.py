"""Every vignette driven through `chat --jsonl`: open the flow, answer each follow-up from the case, compare with `assess`.

The chat asks only what could still change the verdict, so the case it establishes is a subset of the
vignette's case. Its final `assessment` must equal `guidebot assess --json` on that established case, and
its verdict (and treatment approach, when the vignette expects one) must equal the full case's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from chatdriver import drive_case

from guidebot.cli import main

VIGNETTES = sorted((Path(__file__).parent / "data" / "vignettes").glob("*.yaml"))
DIAGNOSIS_OPENING = "does my patient have POEMS?"
TREATMENT_OPENING = "how should I treat my patient?"


def _assess_json(case: dict, tmp_path: Path, capsys) -> dict:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    capsys.readouterr()
    assert main(["assess", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_vignette_is_driven():
    assert len(VIGNETTES) >= 60


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_vignette_through_chat(path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / "data"))
    vignette = yaml.safe_load(path.read_text())
    case, expect = vignette["case"], vignette["expect"]
    wants_treatment = "approach" in expect
    opening = TREATMENT_OPENING if wants_treatment else DIAGNOSIS_OPENING

    objects, asked = drive_case(case, opening, monkeypatch)

    assert objects[0]["awaiting"] is None  # the greeting
    assert objects[1]["intent"] == ("treatment.plan" if wants_treatment else "diagnosis.assess")
    finals = [o for o in objects if o["assessment"] is not None]
    assert len(finals) == 1, f"expected one finishing turn, got {len(finals)}; asked {asked}"
    final = finals[0]
    assert final is objects[-1] and final["awaiting"] is None
    assert len(asked) == len(set(asked)), f"a slot was asked twice: {asked}"

    # the case the chat established: exactly the answers it was given (unknowns stay unknown)
    established = {slot: case[slot] for slot in asked if case.get(slot) is not None}
    assert final["assessment"] == _assess_json(established, tmp_path, capsys)
    full = _assess_json(case, tmp_path, capsys)
    assert final["assessment"]["verdict"] == expect["verdict"] == full["verdict"]
    if wants_treatment:
        assert final["assessment"]["treatment"]["approach"] == expect["approach"]
        assert "Treatment approach" in final["text"]


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_vignette_diagnosis_runs_on_to_the_treatment(path, tmp_path, monkeypatch, capsys):
    """Opened as a diagnosis, the chat still ends where assess --json does, treatment included (INTERFACE 5)."""
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / "data"))
    vignette = yaml.safe_load(path.read_text())
    case = vignette["case"]
    objects, asked = drive_case(case, DIAGNOSIS_OPENING, monkeypatch)
    final = objects[-1]
    assert final["assessment"] is not None and final["awaiting"] is None
    established = {slot: case[slot] for slot in asked if case.get(slot) is not None}
    assert final["assessment"] == _assess_json(established, tmp_path, capsys)
    full = _assess_json(case, tmp_path, capsys)
    assert final["assessment"]["verdict"] == full["verdict"]
    if full["verdict"] == "meets_criteria":
        assert final["assessment"]["treatment"]["approach"] == full["treatment"]["approach"]
        assert "Treatment approach" in final["text"]
