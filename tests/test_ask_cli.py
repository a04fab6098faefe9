"""`guidebot ask`: what lands on stdout, what lands on stderr, and the exit code (INTERFACE sections 1-2)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from guidebot.cli import main

INTERFACE_KEYS = ("question", "in_scope", "intent", "confidence", "answer", "citations", "suggestions")


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_plain_answer_has_title_body_and_sources(capsys):
    assert main(["ask", "VEGF is high, can I give avastin?"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "Avoid bevacizumab"
    assert "bevacizumab" in out and "**" not in out
    assert "Sources: [65, 66]" in out
    assert "doi:" not in out  # full references only with --refs


def test_refs_prints_the_full_references(capsys):
    assert main(["ask", "avastin", "--refs"]) == 0
    out = capsys.readouterr().out
    assert "References:" in out
    assert "65. Sekiguchi Y, Misawa S, Shibuya K, et al." in out
    assert "doi:10.1182/blood-2005-12-5045" in out


def test_json_prints_the_interface_object(capsys):
    assert main(["ask", "what is the VEGF cutoff", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    obj = json.loads(out)
    assert list(obj)[: len(INTERFACE_KEYS)] == list(INTERFACE_KEYS)
    assert obj["in_scope"] is True
    assert obj["intent"] == "diagnosis.vegf_threshold"
    assert 0 < obj["confidence"] <= 1
    assert "200 pg/mL" in obj["answer"]
    assert obj["citations"] and all(isinstance(n, int) for n in obj["citations"])
    assert isinstance(obj["suggestions"], list)
    assert "plain" not in obj


def test_out_of_scope_json(capsys):
    assert main(["ask", "how do I treat lupus nephritis", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["in_scope"] is False and obj["intent"] is None and obj["citations"] == []
    assert "does not cover" in obj["answer"]


def test_flow_question_points_to_the_chat(capsys):
    assert main(["ask", "does my patient have POEMS?"]) == 0
    out = capsys.readouterr().out
    assert "guidebot chat" in out


@pytest.mark.parametrize("argv", [["ask", ""], ["ask", "   "], ["ask", "\t\x01 "], ["ask"], ["ask", "x", "--jsonl"]])
def test_bad_usage_is_one_line_and_exit_2(capsys, argv):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("guidebot: error: ")
    assert err.count("\n") == 1


def test_jsonl_answers_every_line_in_order(capsys, monkeypatch):
    lines = ["avastin", "", "what is the VEGF cutoff", "hi", "should I do plasmapheresis"]
    _stdin(monkeypatch, ("\n".join(lines) + "\n").encode())
    assert main(["ask", "--jsonl"]) == 0
    out, err = capsys.readouterr()
    objs = [json.loads(line) for line in out.splitlines()]
    assert [o["question"] for o in objs] == lines
    assert [o["in_scope"] for o in objs] == [True, False, True, False, True]
    assert "empty" in objs[1]["answer"]
    assert objs[4]["intent"] == "treatment.plasma_exchange"
    assert err == ""


def test_jsonl_survives_hostile_lines(capsys, monkeypatch):
    data = b"\xff\xfe avastin \xc3\n" + b"bev\x00\x07 in poems\n" + b"a" * 1_000_000 + b"\n" + b"last\r\n"
    _stdin(monkeypatch, data)
    assert main(["ask", "--jsonl"]) == 0
    objs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(objs) == 4
    assert "invalid UTF-8" in objs[0]["note"]
    assert objs[1]["question"] == "bev in poems"  # control characters stripped
    assert objs[1]["intent"] == "treatment.bevacizumab"
    assert "only the first" in objs[2]["note"] and len(objs[2]["question"]) < 10_000
    assert objs[2]["in_scope"] is False
    assert objs[3]["question"] == "last"


def test_jsonl_flushes_each_line(monkeypatch):
    writes = []

    class Spy(io.StringIO):
        def flush(self):
            writes.append(self.getvalue().count("\n"))

    _stdin(monkeypatch, b"avastin\nplex\n")
    spy = Spy()
    monkeypatch.setattr(sys, "stdout", spy)
    assert main(["ask", "--jsonl"]) == 0
    assert writes[:2] == [1, 2]
