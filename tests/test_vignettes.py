"""The vignette suite: each tests/data/vignettes/*.yaml run through `guidebot assess FILE --json` in-process.

A vignette is `{name, description, case, expect}`; `expect` holds `verdict` and optionally `missing`,
`approach`, `notes_contain` (substrings, each found in some note) and `cautions`. The dialogue tests drive
the same files through `chat --jsonl`, so this format is a contract: keep it stable.
"""

import json
from pathlib import Path

import pytest
import yaml

from guidebot.cli import main

VIGNETTES = sorted((Path(__file__).parent / "data" / "vignettes").glob("*.yaml"))
EXPECT_KEYS = {"verdict", "missing", "approach", "notes_contain", "cautions"}


def test_there_are_enough_vignettes():
    assert len(VIGNETTES) >= 60


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_vignette(path, tmp_path, capsys):
    vignette = yaml.safe_load(path.read_text())
    assert set(vignette) == {"name", "description", "case", "expect"}
    assert vignette["name"] == path.stem
    expect = vignette["expect"]
    assert set(expect) <= EXPECT_KEYS and "verdict" in expect

    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(vignette["case"]))
    assert main(["assess", str(case_file), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    result = json.loads(out)

    assert result["verdict"] == expect["verdict"]
    if "missing" in expect:
        assert result["missing"] == expect["missing"]
    if "approach" in expect:
        assert result["treatment"]["approach"] == expect["approach"]
    for text in expect.get("notes_contain", []):
        assert any(text in note for note in result["notes"]), (text, result["notes"])
    if "cautions" in expect:
        assert result["treatment"]["cautions"] == expect["cautions"]
    assert ("treatment" in result) == (result["verdict"] == "meets_criteria")


def _walk(case_data):
    """Answer follow-ups one at a time from the vignette's case (None: left unknown), as the chat would."""
    from guidebot.criteria import Case, slots_to_ask

    case, asked = Case(), set()
    while asks := [s for s in slots_to_ask(case, "diagnosis") if s not in asked]:
        asked.add(asks[0])
        if case_data.get(asks[0]) is not None:
            case = case.with_value(asks[0], case_data[asks[0]])
    return case


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_follow_ups_reach_the_same_verdict(path):
    from guidebot.criteria import Case, assess

    vignette = yaml.safe_load(path.read_text())
    partial = _walk(vignette["case"])
    assert assess(partial).verdict == assess(Case(**vignette["case"])).verdict == vignette["expect"]["verdict"]
