"""`guidebot chat --jsonl / --plain / --resume / --export`: stdout, stderr and exit codes, and robust input."""

from __future__ import annotations

import builtins
import json

import pytest
from chatdriver import run_chat, turns

from guidebot.cli import main

DIAGNOSE = "does my patient have POEMS?"


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / "data"))


def test_jsonl_greeting_then_one_object_per_line(monkeypatch):
    code, out = run_chat(["--jsonl"], [DIAGNOSE, "yes", "", "what is the vegf cutoff?"], monkeypatch)
    assert code == 0
    objects = turns(out)
    assert len(objects) == 5
    for obj in objects:
        assert list(obj)[:4] == ["text", "intent", "awaiting", "assessment"]
    assert "educational aid" in objects[0]["text"]
    assert objects[1]["awaiting"]["slot"] == "polyneuropathy"
    assert "Nothing was typed" in objects[3]["text"] and objects[3]["awaiting"]["slot"] == "neuropathy_demyelinating"
    assert objects[4]["awaiting"]["slot"] == "neuropathy_demyelinating"


def test_jsonl_survives_hostile_input(monkeypatch):
    lines = [b"\xff\xfe bad utf-8 \xc3\x28", "ctrl\x00\x07chars\x1b[2J", "z" * 250_000, "yes"]
    code, out = run_chat(["--jsonl"], lines, monkeypatch)
    assert code == 0
    objects = turns(out)
    assert len(objects) == 1 + len(lines)
    assert "cut to its first" in objects[3]["text"]


def test_eof_at_once_is_a_clean_exit(monkeypatch):
    code, out = run_chat(["--jsonl"], [], monkeypatch)
    assert code == 0 and len(turns(out)) == 1


def test_plain_prefixes_and_answer_hints(monkeypatch):
    code, out = run_chat(["--plain"], [DIAGNOSE, "yes", "yes", "yes", "yes"], monkeypatch)
    assert code == 0
    lines = out.splitlines()
    assert all(line.startswith("guidebot>") for line in lines)
    assert "(answer: yes / no / not done)" in out
    assert "you>" not in out  # no prompt when stdin is not a terminal
    assert "**" not in out and "*Khouri" not in out  # Markdown rendered to plain text
    assert "(answer: a whole number" in out  # the lesion count


def test_plain_numbers_choices(monkeypatch):
    code, out = run_chat(["--plain"], ["/workup", "yes", "yes", "yes"], monkeypatch)
    assert "guidebot>   1. lambda" in out and "guidebot>   2. kappa" in out


def test_resume_continues_the_latest_session(monkeypatch):
    run_chat(["--jsonl"], [DIAGNOSE, "yes"], monkeypatch)
    code, out = run_chat(["--jsonl", "--resume"], ["yes"], monkeypatch)
    assert code == 0
    first, second = turns(out)
    assert first["text"].startswith("(Resumed session ")
    assert first["awaiting"]["slot"] == "neuropathy_demyelinating"
    assert second["awaiting"]["slot"] == "monoclonal_plasma_cell_disorder"


def test_resume_by_id(monkeypatch, tmp_path):
    run_chat(["--jsonl"], [DIAGNOSE], monkeypatch)
    session_id = next((tmp_path / "data" / "sessions").glob("*.jsonl")).stem
    run_chat(["--jsonl"], ["hello"], monkeypatch)  # a newer session
    code, out = run_chat(["--jsonl", "--resume", session_id], [], monkeypatch)
    assert code == 0 and session_id in turns(out)[0]["text"]
    assert turns(out)[0]["awaiting"]["slot"] == "polyneuropathy"


def test_resume_errors_are_one_line_and_exit_2(monkeypatch, capsys, tmp_path):
    code, out = run_chat(["--jsonl", "--resume"], [], monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and out == ""
    assert err.startswith("guidebot: error: no saved chat session") and err.count("\n") == 1
    sessions = tmp_path / "data" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "broken.jsonl").write_text("garbage\n{}\n")
    code, out = run_chat(["--jsonl", "--resume", "broken"], [], monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and "broken.jsonl:1: corrupt chat session" in err and "Traceback" not in err


def test_export_at_the_end(monkeypatch, tmp_path):
    target = tmp_path / "out.md"
    code, _ = run_chat(["--jsonl", "--export", str(target)], [DIAGNOSE, "no"], monkeypatch)
    assert code == 0
    text = target.read_text()
    assert "**You:** does my patient have POEMS?" in text and "Verdict: not met" in text
    page = (tmp_path / "out.html").read_text()
    assert "<strong>Verdict: not met</strong>" in page and page.count("<tr>") == 3


def test_export_to_a_bad_path_is_exit_2(monkeypatch, capsys, tmp_path):
    code, _ = run_chat(["--jsonl", "--export", str(tmp_path / "no" / "such" / "dir" / "x.md")], [], monkeypatch)
    assert code == 2 and "cannot write" in capsys.readouterr().err


def test_plain_and_jsonl_are_exclusive(capsys):
    assert main(["chat", "--plain", "--jsonl"]) == 2
    assert "not allowed with" in capsys.readouterr().err


def test_without_a_mode_falls_back_to_plain_when_the_ui_is_missing(monkeypatch):
    real_import = builtins.__import__

    def no_ui(name, *args, **kwargs):
        if name.startswith("guidebot.ui"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ui)
    monkeypatch.setattr("guidebot.cli.chat._is_terminal", lambda stream: True)
    code, out = run_chat([], ["/help"], monkeypatch)
    assert code == 0 and out.startswith("guidebot> ")


def test_without_a_mode_piped_input_gets_the_plain_chat(monkeypatch):
    code, out = run_chat([], ["/help"], monkeypatch)  # the driver's stdin is not a terminal
    assert code == 0 and out.startswith("guidebot> ") and "/cautions" in out


def test_without_a_mode_opens_the_ui(monkeypatch):
    import sys
    import types

    calls = []
    fake = types.ModuleType("guidebot.ui.app")
    fake.run_app = lambda resume=None: calls.append(resume) or 0
    monkeypatch.setitem(sys.modules, "guidebot.ui.app", fake)
    monkeypatch.setattr("guidebot.cli.chat._is_terminal", lambda stream: True)
    code, out = run_chat(["--resume", "abc"], [], monkeypatch)
    assert code == 0 and calls == ["abc"] and out == ""
    run_chat(["--resume"], [], monkeypatch)
    run_chat([], [], monkeypatch)
    assert calls == ["abc", True, None]


def test_every_session_is_saved_as_json_lines(monkeypatch, tmp_path):
    run_chat(["--jsonl"], [DIAGNOSE, "yes"], monkeypatch)
    (log,) = (tmp_path / "data" / "sessions").glob("*.jsonl")
    events = [json.loads(line) for line in log.read_text().splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "session_started" and kinds.count("bot_said") == 3 and kinds.count("user_said") == 2
    assert {"event": "slot_set", "field": "polyneuropathy", "value": True, "source": "answer"} in events


def test_plain_lists_suggestions_by_number(monkeypatch):
    code, out = run_chat(["--plain"], ["what is the capital of France?", "1"], monkeypatch)
    assert "guidebot> Suggestions (reply with a number):" in out
    assert "guidebot>   1. " in out


def test_a_described_patient_starts_the_diagnosis_with_the_findings_recorded(monkeypatch):
    case = "70F demyelinating neuropathy, igg lambda, no bone lesions, vegf normal - poems?"
    code, out = run_chat(["--jsonl"], [case], monkeypatch)
    assert code == 0
    reply = turns(out)[1]
    assert reply["intent"] == "diagnosis.assess"
    assert "Recorded" in reply["text"] and "light chain: lambda" in reply["text"]
    # what was typed is not asked again: the next question is one the sentence did not answer
    assert reply["awaiting"]["slot"] not in {"polyneuropathy", "neuropathy_demyelinating", "monoclonal_plasma_cell_disorder"}


def test_plain_new_starts_a_new_chat(monkeypatch):
    code, out = run_chat(["--plain", "--new"], ["/help"], monkeypatch)
    assert code == 0 and out.startswith("guidebot> ") and "/cautions" in out


def test_new_opens_the_ui_without_offering_a_session(monkeypatch):
    import sys
    import types

    calls = []
    fake = types.ModuleType("guidebot.ui.app")
    fake.run_app = lambda resume=None: calls.append(resume) or 0
    monkeypatch.setitem(sys.modules, "guidebot.ui.app", fake)
    monkeypatch.setattr("guidebot.cli.chat._is_terminal", lambda stream: True)
    assert run_chat(["--new"], [], monkeypatch)[0] == 0
    assert calls == [False]


def test_a_usage_error_names_guidebot_once(capsys):
    assert main(["chat", "--plain", "--no-such-flag"]) == 2
    err = capsys.readouterr().err
    assert err.count("guidebot") == 1 and "unrecognized arguments: --no-such-flag" in err
    assert main(["chat", "--new", "--resume"]) == 2
    assert "not allowed with" in capsys.readouterr().err
