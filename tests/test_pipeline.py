"""The router's decision pipeline: a typed question, an ordered list of named rules, each switchable off."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidebot.cli import main
from guidebot.routing import get_router
from guidebot.routing.rules import CHECKS, RULES, switchable

ROUTING = Path(__file__).resolve().parent.parent / "guidebot" / "routing"

# (question, the rule that decides it, where it lands with the rule, and without it)
DECIDED_BY = [
    ("where is your info from", "about_assistant", "overview.citation", None),
    ("what does CR_V mean", "abbreviation", "treatment.table_abbreviations", None),
    ("plan tx: 1 lesion, marrow negative", "treatment_case", "treatment.plan", None),
    ("70F, demyelinating neuropathy, IgG lambda, no bone lesions - poems?", "case_flow", "diagnosis.assess", None),
    ("can you have poems without neuropathy", "without_mandatory", "criteria.mandatory", None),
    ("40M, neuropathy, hyperpigmentation, gynaecomastia - which tests?", "workup_case", "workup.overview", None),
    ("lenalidomide dose", "dose_not_given", None, None),
]


@pytest.mark.parametrize(("question", "rule", "with_it", "_"), DECIDED_BY, ids=[d[1] for d in DECIDED_BY])
def test_a_rule_that_decides_a_question_is_traced_and_switching_it_off_changes_the_answer(question, rule, with_it, _):
    router = get_router()
    match, fired = router.route_traced(question)
    assert match.intent == with_it and rule in fired
    without = router.route(question, off=frozenset({rule}))
    assert (without.intent, without.reason) != (match.intent, match.reason)


def test_a_question_no_rule_touches_has_an_empty_trace():
    match, fired = get_router().route_traced("what is the VEGF cutoff")
    assert match.intent == "diagnosis.vegf_threshold" and fired == []


def test_the_question_is_read_once_into_a_typed_value():
    q, scored = get_router().read("62M, demyelinating neuropathy, lambda M-protein, VEGF 900")
    assert "vegf" in q.content and q.raw[0] == "62m"
    assert q.mood == "patient" and q.findings["polyneuropathy"] is True
    assert get_router().read("what is the VEGF cutoff")[0].mood == "disease"
    assert scored and scored == sorted(scored, key=lambda s: -s.score)


def test_every_rule_has_a_name_and_only_the_core_ones_cannot_be_switched_off():
    names = switchable()
    assert len(names) == len(set(names))
    assert {r.name for r in RULES if r.core} == {"nothing_scored", "judge", "decline"}
    assert set(CHECKS) <= set(names) and "judge" not in names
    with pytest.raises(ValueError, match="no such rule"):
        get_router().route("vegf cutoff", off=frozenset({"judge"}))


def test_switching_a_check_off_lets_the_best_target_answer():
    router = get_router()
    assert router.route("lenalidomide dose").reason == "dose_not_given"
    assert router.route("lenalidomide dose", off=frozenset({"dose_not_given"})).in_scope


def test_ablate_prints_each_rule_with_and_without_on_a_set(capsys):
    folder = Path(__file__).parent / "eval" / "train" / "blind"
    assert main(["eval", "--ablate", "--set", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "named_caution:" in out and "->" in out and str(folder) in out


def test_every_routing_module_stays_under_400_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in ROUTING.glob("*.py")}
    assert max(sizes.values()) < 400, sizes


def _write_set(folder: Path, ins: list[tuple[str, str]], outs: list[str]) -> None:
    import yaml

    folder.mkdir(parents=True)
    (folder / "in_scope.yaml").write_text(yaml.safe_dump({"questions": [{"q": q, "expect": e} for q, e in ins]}), encoding="utf-8")
    (folder / "out_of_scope.yaml").write_text(yaml.safe_dump({"questions": [{"q": q} for q in outs]}), encoding="utf-8")


def test_eval_reports_every_set_the_pooled_groups_and_the_gap(tmp_path):
    from guidebot.cli.eval import evaluation_sets
    from guidebot.cli.eval_sets import per_set, per_set_text

    _write_set(tmp_path / "train" / "a", [("vegf cutoff", "diagnosis.vegf_threshold"), ("velcade ok?", "treatment.neurotoxic_agents")], ["best moisturiser for dry skin"])
    _write_set(tmp_path / "holdout" / "b", [("VEGF cutoff", "diagnosis.vegf_threshold"), ("vegf cutoff?", "criteria.rule")], ["who made you"])
    (tmp_path / "dialogue" / "c").mkdir(parents=True)  # another engineer's folder: not a router set
    sets = evaluation_sets(tmp_path)
    assert [(g, f.name) for g, f in sets] == [("train", "a"), ("holdout", "b")]
    rows = {r["set"]: r for r in per_set(get_router(), sets)}
    assert (rows["train/a"]["in_right"], rows["train/a"]["out_declined"]) == (2, 1)
    held = rows["holdout/b"]
    assert (held["in_right"], held["in_total"], held["out_declined"]) == (1, 2, 1)
    assert (held["unseen_in_right"], held["unseen_in_total"]) == (0, 1)  # "VEGF cutoff" is a training question
    text = per_set_text(list(rows.values()))
    assert "train (pooled)" in text and "gap, trained minus held out: +50.0 points in scope" in text


def test_eval_never_shows_a_held_out_sets_misses(capsys):
    folder = Path(__file__).parent / "eval" / "holdout" / "engineer"
    assert main(["eval", "--set", str(folder)]) == 0
    captured = capsys.readouterr()
    assert "in scope, right fact:" in captured.out and "totals only" in captured.err
    assert "worst misses" not in captured.out and "confusions" not in captured.out and "->" not in captured.out
