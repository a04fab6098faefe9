"""`guidebot assess` through `guidebot.cli.main`: stdout, stderr and exit code, asserted separately."""

import json
from pathlib import Path

import pytest

from guidebot.cli import main

BAD = Path(__file__).parent / "data" / "bad_cases"

GOOD = """\
polyneuropathy: true
neuropathy_demyelinating: true
monoclonal_plasma_cell_disorder: true
light_chain: lambda
sclerotic_bone_lesions: 2
clonal_marrow_plasma_cells: false
vegf_pg_ml: 640
vegf_specimen: plasma
organomegaly: true
"""


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(GOOD)
    return path


def test_report(good, capsys):
    assert main(["assess", str(good)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "✓ met      Demyelinating polyneuropathy" in out
    assert "? unknown  Castleman disease" in out
    assert "Verdict: meets the POEMS syndrome criteria" in out
    assert "Treatment: radiation therapy" in out
    assert "45 Gy" in out and "[65, 66]" in out
    assert "\x1b[" not in out  # no colour codes


def test_json(good, capsys):
    assert main(["assess", str(good), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert data["verdict"] == "meets_criteria"
    assert data["criteria"]["major"]["vegf_elevated"] == "met"
    assert data["treatment"]["approach"] == "radiation"
    assert data["treatment"]["cautions"] == [
        "avoid_bevacizumab", "lmwh_prophylaxis", "plasma_exchange_ineffective", "avoid_neurotoxic_agents"]
    assert data["missing"] == [] and data["notes"][0].endswith("[32]")


@pytest.mark.parametrize(("value", "flag", "expected"), [(150, True, "unknown"), (150, False, "not_met"), (640, False, "met")])
def test_a_plasma_vegf_and_the_laboratory_flag(tmp_path, capsys, value, flag, expected):
    """INTERFACE.md section 3: a plasma value at or below 200 pg/mL flagged elevated is borderline (unknown, with
    a cited note); above 200 it is met whatever the flag says (with a note)."""
    path = tmp_path / "case.yaml"
    path.write_text(f"vegf_pg_ml: {value}\nvegf_specimen: plasma\nvegf_elevated: {str(flag).lower()}\n")
    assert main(["assess", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert data["criteria"]["major"]["vegf_elevated"] == expected
    notes = " ".join(data["notes"])
    if expected == "unknown":
        assert "typically" in notes and "68% sensitive" in notes and "[1]" in notes
        assert "vegf_elevated" in data["missing"]
    elif expected == "met":
        assert "flag disagrees" in notes and "[1]" in notes
    else:
        assert "typically" not in notes and "flag disagrees" not in notes


def test_json_case_file(tmp_path, capsys):
    path = tmp_path / "case.json"
    path.write_text('{"polyneuropathy": true, "neuropathy_demyelinating": false}')
    assert main(["assess", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "not_met"


def test_indeterminate_report_lists_missing_and_next_steps(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    path.write_text("polyneuropathy: true\nneuropathy_demyelinating: true\nmonoclonal_plasma_cell_disorder: true\n")
    assert main(["assess", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Verdict: indeterminate" in out
    assert "Missing: Sclerotic bone lesions, Elevated VEGF, Castleman disease" in out
    assert "Next steps:" in out and "Treatment" not in out


def _one_error_line(capsys, *needles):
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("guidebot: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


BAD_CASES = [
    ("unknown_field.yaml", ["'polyneuropaty_demyelinating'", "unknown field"]),
    ("wrong_type_bool.yaml", ["'polyneuropathy'", "true or false", "'maybe'"]),
    ("negative_lesions.yaml", ["'sclerotic_bone_lesions'", ">= 0"]),
    ("fractional_lesions.yaml", ["'sclerotic_bone_lesions'", "whole number"]),
    ("unknown_light_chain.yaml", ["'light_chain'", "lambda, kappa", "'mu'"]),
    ("bad_endocrinopathy_item.yaml", ["'endocrinopathy'", "item 2", "'gout'"]),
    ("malformed.yaml", ["line 2", "invalid YAML"]),
    ("malformed.json", ["line 2", "invalid JSON"]),
    ("number_for_bool.json", ["'polyneuropathy'", "true or false"]),
    ("empty.yaml", ["empty"]),
    ("top_level_list.yaml", ["one object", "list"]),
    ("negative_vegf.yaml", ["'vegf_pg_ml'", ">= 0"]),
    ("unknown_specimen.yaml", ["'vegf_specimen'", "plasma, serum"]),
    ("duplicate_field.yaml", ["line 3", "'polyneuropathy'", "given twice"]),
]
"""Each committed bad case file and what its one error line must name."""


@pytest.mark.parametrize(("name", "needles"), BAD_CASES)
def test_bad_case_files(name, needles, capsys):
    assert main(["assess", str(BAD / name)]) == 2
    line = _one_error_line(capsys, *needles)
    assert name in line


def test_every_bad_case_file_is_tested():
    tested = {p.name for p in BAD.iterdir()}
    assert tested == {name for name, _ in BAD_CASES}
    assert len(tested) == 14


def test_huge_file(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * 120_000 + "polyneuropathy: true\n")
    assert main(["assess", str(path)]) == 2
    _one_error_line(capsys, "huge.yaml", "too large")


def test_binary_file(tmp_path, capsys):
    path = tmp_path / "scan.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    assert main(["assess", str(path)]) == 2
    _one_error_line(capsys, "scan.yaml", "not a text file")


def test_missing_file(tmp_path, capsys):
    assert main(["assess", str(tmp_path / "nowhere.yaml")]) == 2
    _one_error_line(capsys, "nowhere.yaml", "no such file")


def test_directory(tmp_path, capsys):
    assert main(["assess", str(tmp_path)]) == 2
    _one_error_line(capsys, "directory")


def test_duplicate_json_key(tmp_path, capsys):
    path = tmp_path / "case.json"
    path.write_text('{"organomegaly": true, "organomegaly": false}')
    assert main(["assess", str(path)]) == 2
    _one_error_line(capsys, "'organomegaly'", "given twice")


def test_no_case_file_is_a_usage_error(capsys):
    assert main(["assess"]) == 2
    _one_error_line(capsys)


def test_every_problem_of_a_bad_case_file_on_its_own_line(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("polyneuropathy: maybe\nlight_chain: mu\nfoo: 1\n")
    assert main(["assess", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 3, err
    assert all(line.startswith("guidebot: error: ") and "bad.yaml" in line for line in lines)
    for line, (number, field) in zip(lines, [(1, "polyneuropathy"), (2, "light_chain"), (3, "foo")]):
        assert f"line {number}: field '{field}'" in line


def test_on_a_terminal_the_report_leads_with_the_conclusion_and_shows_the_grid(tmp_path, capsys, monkeypatch):
    path = tmp_path / "case.yaml"
    path.write_text(
        "polyneuropathy: true\nneuropathy_demyelinating: true\nmonoclonal_plasma_cell_disorder: true\n"
        "sclerotic_bone_lesions: 2\nclonal_marrow_plasma_cells: false\norganomegaly: true\nskin_changes: false\n"
    )
    monkeypatch.setattr("guidebot.cli.assess._terminal_width", lambda: 80)
    assert main(["assess", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Verdict: meets the POEMS syndrome criteria"
    assert out.index("Treatment: radiation therapy") < out.index("Cautions:") < out.index("Criteria  (✓ met")
    assert "Mandatory  ✓ Polyneuropathy   ✓ Monoclonal" in lines
    assert any(line.startswith("Minor      ") and "✓ Organomegaly" in line for line in lines)
    assert "✗ Skin changes" in out and all(len(line) <= 80 for line in lines if "✓" in line or "?" in line[:12])


def test_piped_the_report_lists_each_criterion_in_words(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    path.write_text("polyneuropathy: true\n")
    assert main(["assess", str(path)]) == 0  # capsys is not a terminal
    out = capsys.readouterr().out
    assert "Mandatory criteria" in out and "? unknown" in out and "Criteria  (" not in out
