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
    assert "every number found in the review's body (read from the review's text" in out


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


# --- the number check: the review's body only, titles too, and a digest when the text is not at hand ---

SENSITIVE_87 = INVALID / "number_only_in_reference_list.yaml"


def test_a_number_only_in_the_reference_list_fails_without_the_source_too(capsys, kb_copy):
    """87 appears in the review only in a reference ("1996;87(4)"); the shipped digest knows the body's numbers."""
    shutil.copy(SENSITIVE_87, kb_copy / "facts" / SENSITIVE_87.name)
    code, err, _ = run_check(capsys, str(kb_copy))
    assert code == 2
    assert any("number_only_in_reference_list.yaml:6: facts.0.answer: number 87 does not appear in the review's body" in line
               for line in err), err


def test_without_the_source_the_digest_is_used_and_named(capsys):
    code, err, out = run_check(capsys)
    assert code == 0 and err == []
    assert "every number found in the review's body (read from the digest" in out and "review_numbers.json" in out


def test_without_source_or_digest_it_says_numbers_were_not_checked(capsys, kb_copy):
    (kb_copy / "review_numbers.json").unlink()
    shutil.copy(SENSITIVE_87, kb_copy / "facts" / SENSITIVE_87.name)
    code, err, out = run_check(capsys, str(kb_copy))
    assert code == 0 and err == []
    assert "numbers NOT checked" in out


def test_the_shipped_digest_is_what_the_review_gives(capsys, seed_text, tmp_path):
    source = tmp_path / "review.txt"
    source.write_bytes(seed_text.encode("utf-8"))
    assert main(["kb", "numbers", "--check", "--source", str(source)]) == 0, capsys.readouterr().err


def test_the_body_leaves_out_front_matter_references_and_citation_markup(seed_text):
    from guidebot.knowledge.checks import body_numbers, review_body

    body = review_body(seed_text)
    assert "REFERENCES" not in body and "Corresponding Author" not in body and "1383-1391" not in body
    assert "Typically plasma levels >200 pg/mL" in body and "87.6% vs 64.9%" in body  # the Box and the text stay
    numbers = body_numbers(seed_text)
    assert {"200", "68", "95", "87.6", "140", "45", "0.3"} <= numbers
    assert not {"87", "1383", "1412", "44195", "2021"} & numbers  # reference volumes, front matter, dates


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: {**d, "numbers": d["numbers"] + ["87"]}, "not the numbers of"),
        (lambda d: {**d, "review_sha256": "xyz"}, "review_sha256 is not a hex sha256"),
        (lambda d: {k: v for k, v in d.items() if k != "numbers"}, "needs exactly the keys"),
    ],
)
def test_a_tampered_digest_is_reported(capsys, kb_copy, seed_text, tmp_path, edit, message):
    path = kb_copy / "review_numbers.json"
    path.write_text(json.dumps(edit(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
    source = tmp_path / "review.txt"
    source.write_bytes(seed_text.encode("utf-8"))
    code, err, _ = run_check(capsys, str(kb_copy), "--source", str(source))
    assert code == 2
    assert any("review_numbers.json:0:" in line and message in line for line in err), err


def test_a_digest_of_another_text_is_a_warning_and_the_source_wins(capsys, kb_copy, seed_text, tmp_path):
    source = tmp_path / "review.txt"
    source.write_text(seed_text + "\nAn added line.\n", encoding="utf-8")
    code, err, out = run_check(capsys, str(kb_copy), "--source", str(source))
    assert code == 0
    assert len(err) == 1 and err[0].startswith("guidebot: warning:") and "made from another text" in err[0]
    assert "read from the review's text" in out


def test_kb_numbers_writes_the_digest(capsys, kb_copy, seed_text, tmp_path):
    (kb_copy / "review_numbers.json").unlink()
    source = tmp_path / "review.txt"
    source.write_text(seed_text, encoding="utf-8")
    assert main(["kb", "numbers", str(kb_copy), "--source", str(source)]) == 0
    assert "wrote" in capsys.readouterr().out
    document = json.loads((kb_copy / "review_numbers.json").read_text(encoding="utf-8"))
    assert "87" not in document["numbers"] and "87.6" in document["numbers"] and len(document["review_sha256"]) == 64
    assert main(["kb", "numbers", str(kb_copy), "--source", str(source), "--check"]) == 0


def test_kb_numbers_with_an_unreadable_source_is_a_one_line_error(capsys, tmp_path):
    assert main(["kb", "numbers", "--source", str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing.txt" in err[0]


# --- the citation slips of references.yaml ---


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  facts: [treatment.table_japan]\n", "  facts: [treatment.table_nowhere]\n", "fact 'treatment.table_nowhere' does not exist"),
        ("  statements: [lmwh_prophylaxis]\n", "  statements: [no_such_statement]\n", "statement 'no_such_statement' does not exist"),
        ("  cited: [45]\n  not_cited: [44]\n", "  cited: [44]\n  not_cited: [45]\n", "does not cite [44]"),
        ("  cited: [33]\n  not_cited: [35]\n", "  cited: [33]\n  not_cited: [35, 99]\n", "reference 99 is not in the review's reference list"),
    ],
)
def test_a_citation_slip_is_checked_against_the_facts_it_names(capsys, kb_copy, old, new, message):
    path = kb_copy / "references.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    code, err, _ = run_check(capsys, str(kb_copy))
    assert code == 2
    assert any("references.yaml:" in line and "citation_slips." in line and message in line for line in err), err


def test_a_fact_that_still_cites_a_misprinted_number_is_reported(capsys, kb_copy):
    path = kb_copy / "facts" / "treatment_transplant.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("    citations: [45]\n") == 1
    path.write_text(text.replace("    citations: [45]\n", "    citations: [44, 45]\n"), encoding="utf-8")
    code, err, _ = run_check(capsys, str(kb_copy))
    assert code == 2
    assert any("fact 'treatment.table_japan' still cites [44], which this slip says are misprinted" in line for line in err), err
