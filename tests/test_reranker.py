"""The learned re-ranker: training, the model file, and the three places the router lets it decide."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from guidebot.cli import main
from guidebot.errors import KnowledgeError
from guidebot.knowledge import check_knowledge, knowledge_dir
from guidebot.routing import get_router
from guidebot.routing.reranker import (
    MODEL_FILE, OUT_OF_SCOPE, TRAINING_SETS, compile_model, features, model_text, probabilities, read_model, train,
)

EVAL = Path(__file__).parent / "eval"


def test_features_are_the_distinct_words_and_their_neighbouring_pairs():
    assert features(["vegf", "cutoff", "vegf"]) == ["vegf", "cutoff", "vegf cutoff"]


TOY = [
    (features(["bevacizumab", "give"]), ["treatment.bevacizumab"]),
    (features(["avoid", "bevacizumab"]), ["treatment.bevacizumab"]),
    (features(["vegf", "cutoff"]), ["diagnosis.vegf_threshold"]),
    (features(["vegf", "level", "high"]), ["diagnosis.vegf_threshold"]),
    (features(["tomato", "transplant"]), [OUT_OF_SCOPE]),
    (features(["coffee", "dose"]), [OUT_OF_SCOPE]),
]
TOY_CLASSES = ["diagnosis.vegf_threshold", "treatment.bevacizumab", OUT_OF_SCOPE]


def _toy_compiled(router):
    return compile_model(train(TOY, TOY_CLASSES), [t[0] for t in router.targets], [t[3] for t in router.targets])


def test_training_is_deterministic_and_learns_which_words_point_where():
    model = train(TOY, TOY_CLASSES)
    assert model == train(TOY, TOY_CLASSES)
    router = get_router()
    compiled = _toy_compiled(router)
    by_id = {t[0]: i for i, t in enumerate(router.targets)}
    bev = by_id["treatment.bevacizumab"]
    per_target, p_out = probabilities(compiled, ["bevacizumab"], [bev])
    assert per_target[bev] > 0.5 > p_out
    per_target, p_out = probabilities(compiled, ["tomato"], [bev])
    assert p_out > 0.5 > per_target[bev]


def test_compiling_maps_classes_to_targets_and_drops_ids_the_knowledge_base_lost():
    model = {"format": 1, "classes": ["gone.fact", "diagnosis.assess", OUT_OF_SCOPE], "bias": [0, 0, 0],
             "weights": {"x": {"0": 1.0, "1": 2.0}}}
    compiled = compile_model(model, ["diagnosis.assess", "criteria.rule"], ["criteria.rule", "criteria.rule"])
    assert compiled["target_class"] == (1, -1)  # the flow by its own id; a fact nobody learnt gets none
    assert compiled["out_class"] == 2
    assert compile_model(None, ["a"], ["a"]) is None


def test_the_shipped_model_is_what_training_on_the_tuning_sets_gives():
    """A curator who edits the knowledge base or the labelled sets retrains with `guidebot kb train`."""
    from guidebot.cli.kb import trained_model

    model, count = trained_model(knowledge_dir(), EVAL)
    assert count > 4000
    assert (knowledge_dir() / MODEL_FILE).read_text(encoding="utf-8") == model_text(model)


def test_the_held_out_sets_are_never_trained_on():
    held_out = {"blind_f", "blind_i", "blind_j", "blind_l", "blind_m"}
    assert held_out.isdisjoint(TRAINING_SETS)
    assert all((EVAL / name / "in_scope.yaml").exists() for name in held_out | set(TRAINING_SETS) - {""})


def test_the_model_file_round_trips_through_its_text():
    model = train(TOY, TOY_CLASSES)
    assert json.loads(model_text(model)) == model


@pytest.fixture
def knowledge_copy(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), target)
    return target


@pytest.mark.parametrize("text", ["{not json", '{"format": 99}', '{"format": 1, "classes": ["a"], "bias": [], "weights": {}}',
                                  '{"format": 1, "classes": ["a"], "bias": [0], "weights": {"x": {"7": 1}}}'])
def test_a_broken_model_file_is_one_problem_naming_it(knowledge_copy, text):
    (knowledge_copy / MODEL_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        read_model(knowledge_copy / MODEL_FILE)
    assert MODEL_FILE in str(raised.value) and "guidebot kb train" in str(raised.value)
    _, problems = check_knowledge(knowledge_copy)
    assert [p.path for p in problems] == [str(knowledge_copy / MODEL_FILE)]


def test_ask_with_a_broken_model_file_is_a_one_line_error(knowledge_copy, capsys):
    (knowledge_copy / MODEL_FILE).write_text("{not json", encoding="utf-8")
    assert main(["ask", "--knowledge", str(knowledge_copy), "vegf cutoff"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and MODEL_FILE in err


def test_kb_check_reports_a_model_that_learnt_a_removed_fact(knowledge_copy):
    model = json.loads((knowledge_copy / MODEL_FILE).read_text(encoding="utf-8"))
    model["classes"][0] = "treatment.no_such_fact"
    (knowledge_copy / MODEL_FILE).write_text(model_text(model), encoding="utf-8")
    _, problems = check_knowledge(knowledge_copy)
    assert len(problems) == 1 and "treatment.no_such_fact" in problems[0].message


def test_without_a_model_the_router_uses_its_scores_alone(knowledge_copy):
    (knowledge_copy / MODEL_FILE).unlink()
    router = get_router(knowledge_copy)
    assert router._reranker is None
    assert router.answer("vegf cutoff")["fact"] == "diagnosis.vegf_threshold"


# -- the three decisions, with a hand-made model (so the tests do not move when the shipped one is retrained) --


def _model(router, weights: dict[str, dict[str, float]]):
    classes = sorted({c for row in weights.values() for c in row} | {OUT_OF_SCOPE})
    raw = {"format": 1, "classes": classes, "bias": [0.0] * len(classes),
           "weights": {f: {str(classes.index(c)): w for c, w in row.items()} for f, row in weights.items()}}
    return compile_model(raw, [t[0] for t in router.targets], [t[3] for t in router.targets])


@pytest.fixture
def router():
    router = get_router()
    shipped = router._reranker
    yield router
    router._reranker = shipped


def _scored_ids(router, question):
    return [router.targets[s.target][0] for s in router.score(question)[1]]


def test_a_question_declined_for_a_low_score_is_answered_when_the_model_is_sure(router):
    question = "skn changes in poms"
    router._reranker = None
    declined = router.route(question)
    assert not declined.in_scope and declined.reason in ("low_score", "low_coverage")
    wanted = "clinical.skin_changes"
    assert wanted in _scored_ids(router, question)[:5]
    words = router.score(question)[0]
    router._reranker = _model(router, {w: {wanted: 6.0} for w in words})
    assert router.route(question).intent == wanted
    router._reranker = _model(router, {w: {wanted: 6.0, OUT_OF_SCOPE: 6.0} for w in words})
    assert not router.route(question).in_scope  # sure of the fact, but not that it is a review question


def test_a_weakly_matched_answer_is_declined_when_the_model_is_sure_it_is_not_a_review_question(router):
    question = "how to mobilize a team at work"
    router._reranker = None
    assert router.route(question).in_scope
    assert router.score(question)[1][0].score < 0.6
    router._reranker = _model(router, {w: {OUT_OF_SCOPE: 8.0} for w in router.score(question)[0]})
    assert router.route(question).reason == "unlike_review_questions"


def test_a_well_matched_answer_and_a_named_caution_are_never_declined_by_the_model(router):
    router._reranker = _model(router, {w: {OUT_OF_SCOPE: 8.0} for w in ("dose", "bevacizumab", "avoid", "poem", "criteria")})
    assert router.route("what is the dose").in_scope
    assert router.route("bevacizumab in poems").intent == "treatment.bevacizumab"
    assert router.route("can you name the criteria").in_scope


def test_the_model_breaks_a_near_tie_between_front_runners(router):
    question = "relapse after transplant"
    router._reranker = None
    first, second = _scored_ids(router, question)[:2]
    assert router.route(question).intent == first
    router._reranker = _model(router, {w: {second: 8.0} for w in router.score(question)[0]})
    assert router.route(question).intent == second
