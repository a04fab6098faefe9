"""`guidebot quiz`: the --jsonl contract (INTERFACE section 8), --plain, --seed, --resume, --stats, --export,
and bad options as one line with exit code 2."""

from __future__ import annotations

import io
import json
import sys

import pytest

from guidebot.cli import main


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / "data"))


class _Stdin:
    """stdin whose next line is computed from the quiz's output so far (None ends input)."""

    def __init__(self, out: io.StringIO, next_line):
        self.out, self.next_line, self.buffer = out, next_line, self

    def readline(self, limit: int = -1) -> bytes:
        line = self.next_line(self.out.getvalue())
        return b"" if line is None else line.encode("utf-8") + b"\n"

    def isatty(self) -> bool:
        return False


def run_quiz(args, lines, monkeypatch):
    """Run `guidebot quiz ARGS` with input lines (a list, or a callback given the output so far); (code, stdout)."""
    out = io.StringIO()
    if callable(lines):
        producer = lines
    else:
        pending = list(lines)

        def producer(_out):
            return pending.pop(0) if pending else None

    monkeypatch.setattr(sys, "stdin", _Stdin(out, producer))
    monkeypatch.setattr(sys, "stdout", out)
    code = main(["quiz", *args])
    return code, out.getvalue()


def objects(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_jsonl_greeting_then_one_object_per_line(monkeypatch):
    lines = ["hint", "I don't know", "why?", "skip", "", "stop"]
    code, out = run_quiz(["--jsonl", "--seed", "4", "--count", "5"], lines, monkeypatch)
    assert code == 0
    turns = objects(out)
    assert len(turns) == 1 + len(lines)
    for turn in turns:
        assert list(turn)[:4] == ["text", "item", "graded", "progress"]
        assert set(turn["progress"]) >= {"answered", "correct", "due"}
    first = turns[0]
    assert first["graded"] is None and set(first["item"]) >= {"id", "kind", "prompt", "choices", "case"}
    assert turns[1]["graded"] is None and "Hint" in turns[1]["text"]
    dont_know = turns[2]["graded"]
    assert dont_know["correct"] is False and dont_know["expected"] and isinstance(dont_know["citations"], list)
    assert turns[2]["item"]["id"] != first["item"]["id"]
    assert turns[3]["graded"] is None and dont_know["expected"] in turns[3]["text"]  # why? repeats the explanation
    assert turns[4]["graded"] is None  # skip
    assert turns[6]["item"] is None and turns[6]["progress"]["answered"] == 1


def test_seed_deals_the_same_sequence(monkeypatch, tmp_path):
    def ids(data_dir):
        monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / data_dir))
        _, out = run_quiz(["--jsonl", "--seed", "11", "--count", "6"], ["skip"] * 6, monkeypatch)
        return [t["item"]["id"] for t in objects(out) if t["item"]]

    first = ids("a")
    assert len(first) == 6 and ids("b") == first
    assert {i.split(":")[0] for i in first} == {"recall", "cloze", "choice", "case"}


def test_answering_right_is_graded_right_and_counted(kb, monkeypatch):
    from guidebot.learning.items import bank_for

    bank = bank_for(kb)

    def answer(out: str):
        turns = objects(out)
        item = turns[-1]["item"]
        if item is None:
            return None
        known = bank.by_id[item["id"]]
        if item["kind"] == "case":
            return _case_answer(known, item["step"])
        if known.answer_index is not None:
            return str(known.answer_index + 1)
        return known.expected if known.kind == "cloze" else "; ".join(known.key_points)

    code, out = run_quiz(["--jsonl", "--seed", "2", "--count", "8"], answer, monkeypatch)
    turns = objects(out)
    graded = [t["graded"] for t in turns if t["graded"]]
    assert code == 0 and len(graded) == 8 and all(g["correct"] for g in graded)
    assert turns[-1]["progress"]["correct"] == 8


def _case_answer(item, step):
    from guidebot.learning.cases import APPROACHES, VERDICTS

    if step == "approach":
        return str(list(APPROACHES).index(item.approach) + 1)
    return VERDICTS[item.verdict]


def test_case_expected_is_assess_json_on_the_case(monkeypatch, tmp_path, capsys):
    code, out = run_quiz(["--jsonl", "--cases", "--seed", "1", "--count", "3"], ["I don't know"] * 3, monkeypatch)
    turns = objects(out)
    for asked, graded in zip(turns, turns[1:]):
        case_file = tmp_path / "case.json"
        case_file.write_text(json.dumps(asked["item"]["case"]))
        monkeypatch.setattr(sys, "stdout", io.StringIO())
        assert main(["assess", str(case_file), "--json"]) == 0
        result = json.loads(sys.stdout.getvalue())
        expected = graded["graded"]["expected"]
        from guidebot.learning.cases import APPROACHES, VERDICTS

        assert expected.startswith(VERDICTS[result["verdict"]])
        if "treatment" in result:
            assert expected.endswith(APPROACHES[result["treatment"]["approach"]])


def test_plain_quiz_and_resume(monkeypatch):
    code, out = run_quiz(["--plain", "--seed", "3", "--count", "3"], ["I don't know", "stop"], monkeypatch)
    assert code == 0 and out.startswith("quiz> Quiz: 3 item(s)") and "Not quite." in out and "--resume" in out
    code, out = run_quiz(["--resume"], ["skip", "skip"], monkeypatch)
    assert code == 0 and "Quiz resumed at item 2 of 3" in out
    assert "Quiz finished." in out


def test_stats_show_every_section_and_due(monkeypatch):
    run_quiz(["--jsonl", "--seed", "1", "--count", "2"], ["I don't know", "I don't know"], monkeypatch)
    code, out = run_quiz(["--stats"], [], monkeypatch)
    assert code == 0
    assert "cases" in out and "criteria" in out and "Due now:" in out


def test_export_writes_markdown_and_html_with_answer_key(tmp_path, monkeypatch, capsys):
    target = tmp_path / "quiz.md"
    assert main(["quiz", "--export", str(target), "--seed", "9", "--count", "7"]) == 0
    markdown = target.read_text()
    html = target.with_suffix(".html").read_text()
    assert "## Questions" in markdown and "## Answer key" in markdown and markdown.count("Source:") == 7
    assert "<h2>Answer key</h2>" in html and "<script" not in html
    # the same seed deals the same items live
    _, out = run_quiz(["--jsonl", "--seed", "9", "--count", "7"], ["skip"] * 7, monkeypatch)
    live = [t["item"]["prompt"] for t in objects(out) if t["item"]]
    assert all(p.split(":")[-1].strip()[:30].replace("_", "\\_") in markdown for p in live)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--topic", "nope"], "unknown topic 'nope'"),
        (["--count", "0"], "--count must be between"),
        (["--resume"], "no unfinished quiz"),
        (["--export", "x.md"], "--export needs --seed"),
        (["--plain", "--jsonl"], "not allowed with"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(args, message, monkeypatch, capsys):
    code, out = run_quiz(args, [], monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and out == ""
    assert err.startswith("guidebot: error:") and message in err and err.count("\n") == 1


def test_hostile_input_never_breaks_the_contract(monkeypatch):
    lines = ["\x1b[2J\x00", "z" * 50_000, "[bold]x[/bold]", "99"]
    code, out = run_quiz(["--jsonl", "--seed", "5", "--count", "10"], lines, monkeypatch)
    assert code == 0 and len(objects(out)) == 1 + len(lines)
    assert "\x1b" not in out
