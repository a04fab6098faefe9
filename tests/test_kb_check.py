"""`guidebot kb check`: the real knowledge base passes; each broken fixture fails with its exact file:line message."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from guidebot.cli import main
from guidebot.cli.kb import schema_json
from guidebot.knowledge import knowledge_dir

INVALID = Path(__file__).parent / "data" / "kb_invalid"
EXPECT = re.compile(r"^# expect: (\d+): (\S+): (.+)$", re.M)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A private copy of the real knowledge base that a test may break."""
    target = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), target)
    return target


def run_check(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["kb", "check", *args])
    out, err = capsys.readouterr()
    return code, err.splitlines(), out


def test_real_knowledge_base_passes_with_the_source(capsys, seed_text, tmp_path):
    source = tmp_path / "review.txt"
    source.write_text(seed_text, encoding="utf-8")
    code, err, out = run_check(capsys, "--source", str(source))
    assert err == [] and code == 0
    assert "every number found in the source" in out


@pytest.mark.parametrize("fixture", sorted(p.name for p in INVALID.glob("*.yaml")))
def test_each_failure_mode_is_reported_at_its_line(capsys, kb_copy, fixture, seed_text, tmp_path):
    text = (INVALID / fixture).read_text(encoding="utf-8")
    expected = EXPECT.findall(text)
    assert expected, f"{fixture} declares no '# expect:' line"
    (kb_copy / "facts" / fixture).write_text(text, encoding="utf-8")
    source = tmp_path / "review.txt"
    source.write_text(seed_text, encoding="utf-8")
    code, err, _ = run_check(capsys, str(kb_copy), "--source", str(source))
    assert code == 2
    problems = [line for line in err if not line.startswith("guidebot: error:")]
    for line, field, message in expected:
        wanted = f"facts/{fixture}:{line}: {field}: {message}"
        assert any(wanted in p for p in problems), f"missing {wanted!r} in:\n" + "\n".join(problems)
    # only this fixture is at fault: the real knowledge base contributes nothing
    assert all(f"facts/{fixture}:" in p for p in problems), problems
    assert err[-1].startswith("guidebot: error:")


def test_every_problem_is_reported_not_just_the_first(capsys, kb_copy):
    for name in ("misspelt_field.yaml", "bad_id.yaml", "empty_answer.yaml"):
        shutil.copy(INVALID / name, kb_copy / "facts" / name)
    code, err, _ = run_check(capsys, str(kb_copy))
    assert code == 2
    for name in ("misspelt_field.yaml", "bad_id.yaml", "empty_answer.yaml"):
        assert any(f"facts/{name}:" in line for line in err), name


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "expected a mapping at the top level, found an empty file"),
        (b"- just\n- a list\n", "expected a mapping at the top level, found list"),
        (b"\x00\x01\x02binary", "binary file"),
        (b"\xff\xfe not utf-8", "not UTF-8 text"),
    ],
)
def test_unreadable_fact_files_are_named(capsys, kb_copy, content, message):
    (kb_copy / "facts" / "broken.yaml").write_bytes(content)
    code, err, _ = run_check(capsys, str(kb_copy))
    assert code == 2
    assert any("facts/broken.yaml:" in line and message in line for line in err), err


def test_a_missing_required_file_is_reported(capsys, kb_copy):
    (kb_copy / "references.yaml").unlink()
    code, err, _ = run_check(capsys, str(kb_copy))
    assert code == 2
    assert any(line.endswith("references.yaml:0: -: required knowledge file is missing") for line in err)


def test_a_citation_in_structured_files_is_checked_too(capsys, kb_copy):
    path = kb_copy / "statements.yaml"
    text = path.read_text(encoding="utf-8")
    broken = re.sub(r"citations: \[(\d+)", "citations: [99", text, count=1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    code, err, _ = run_check(capsys, str(kb_copy))
    assert code == 2
    assert any("statements.yaml:" in line and "reference 99 is not in the review's reference list" in line for line in err)


def test_a_missing_directory_is_an_error(capsys, tmp_path):
    code, err, _ = run_check(capsys, str(tmp_path / "nowhere"))
    assert code == 2
    assert "knowledge directory not found" in err[0]


def test_the_shipped_json_schema_matches_the_models():
    shipped = (knowledge_dir() / "schema.json").read_text(encoding="utf-8")
    assert json.loads(shipped) == json.loads(schema_json()), "knowledge/schema.json drifted: run `guidebot kb schema --write`"
