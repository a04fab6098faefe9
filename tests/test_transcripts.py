"""Golden chat transcripts: each tests/transcripts/*.jsonl replayed through `guidebot chat --jsonl` in-process.

A transcript is JSON lines: `{"description"}` first, then `{"expect": turn}` (the greeting), then pairs of
`{"say": line}` and `{"expect": turn}`; `{"resume": true}` ends the chat (end of input) and continues it
with `chat --jsonl --resume`, whose first turn is the last one shown again. Session ids are replaced by
`<session>`. To accept new output after an intended change: `GUIDEBOT_UPDATE_GOLDEN=1 pytest tests/test_transcripts.py`
(a transcript holding only `say` lines is filled in the same way), then read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from chatdriver import SESSION_ID, run_chat, turns

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.jsonl"))
UPDATE = os.environ.get("GUIDEBOT_UPDATE_GOLDEN") == "1"


def _normalise(value: Any) -> Any:
    """The turn with generated session ids replaced (they differ every run)."""
    return json.loads(SESSION_ID.sub("<session>", json.dumps(value, ensure_ascii=False)))


def _segments(records: list[dict[str, Any]]) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """(input lines, expected turns) per chat run; a `resume` record starts the next run."""
    segments: list[tuple[list[str], list[dict[str, Any]]]] = [([], [])]
    for record in records[1:]:
        if record.get("resume"):
            segments.append(([], []))
        elif "say" in record:
            segments[-1][0].append(record["say"])
        elif "expect" in record:
            segments[-1][1].append(record["expect"])
        else:
            raise AssertionError(f"unknown transcript record {record}")
    return segments


def _write(path: Path, description: dict[str, Any], runs: list[tuple[list[str], list[dict[str, Any]]]]) -> None:
    lines = [description]
    for index, (says, outputs) in enumerate(runs):
        if index:
            lines.append({"resume": True})
        lines.append({"expect": outputs[0]})
        for said, output in zip(says, outputs[1:]):
            lines += [{"say": said}, {"expect": output}]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))


def test_there_are_transcripts_for_every_flow():
    names = {p.stem for p in TRANSCRIPTS}
    assert {"diagnosis_flow", "treatment_flow", "workup_flow", "resume", "knowledge_and_commands"} <= names


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript(path, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / "data"))
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    assert "description" in records[0]
    runs = []
    for index, (says, expected) in enumerate(_segments(records)):
        args = ["--jsonl"] + (["--resume"] if index else [])
        code, out = run_chat(args, says, monkeypatch)
        assert code == 0
        actual = [_normalise(t) for t in turns(out)]
        assert len(actual) == 1 + len(says)  # the first turn, then exactly one per input line
        runs.append((says, actual))
        if not UPDATE:
            for step, (want, got) in enumerate(zip(expected, actual)):
                said = says[step - 1] if step else "(first turn)"
                assert got == want, f"{path.name}, run {index + 1}, turn {step} after {said!r}"
            assert len(expected) == len(actual), "transcript and chat differ in length"
    if UPDATE:
        _write(path, records[0], runs)
