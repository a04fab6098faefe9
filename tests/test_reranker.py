"""The learned re-ranker: training, the model file, and the three places the router lets it decide."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from guidebot.cli import main
from guidebot.errors import KnowledgeError
from guidebot.knowledge import knowledge_dir
from guidebot.routing import get_router
from guidebot.routing.reranker import (
    MODEL_FILE, OUT_OF_SCOPE, compile_model, features, model_text, probabilities, read_model, train,
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


def test_the_shipped_model_was_trained_on_the_current_training_sets_and_knowledge():
    """A curator who edits the knowledge base or the training sets retrains with `guidebot kb train` (a full
    retrain, and `kb train --check`, is a bench job: it takes minutes)."""
    from guidebot.routing.training import inputs_digest

    model = read_model(knowledge_dir() / MODEL_FILE)
    assert model is not None and model.get("inputs") == inputs_digest(EVAL, knowledge_dir()), (
        "the training sets or the knowledge changed since knowledge/reranker.json was trained: run `guidebot kb train`"
    )


def test_the_digest_follows_every_training_input_and_nothing_held_out(tmp_path):
    from guidebot.routing.training import inputs_digest

    eval_dir, knowledge = tmp_path / "eval", tmp_path / "knowledge"
    shutil.copytree(EVAL / "train" / "blind", eval_dir / "train" / "blind")
    shutil.copytree(knowledge_dir(), knowledge)
    first = inputs_digest(eval_dir, knowledge)
    shutil.copytree(EVAL / "holdout" / "blind_f", eval_dir / "holdout" / "blind_f")
    (knowledge / MODEL_FILE).write_text("retrained", encoding="utf-8")
    assert inputs_digest(eval_dir, knowledge) == first  # held-out sets and the model itself are no input
    questions = eval_dir / "train" / "blind" / "in_scope.yaml"
    questions.write_text(questions.read_text(encoding="utf-8") + "- q: one more\n  expect: criteria.rule\n", encoding="utf-8")
    second = inputs_digest(eval_dir, knowledge)
    assert second != first
    lexicon = knowledge / "lexicon.yaml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert inputs_digest(eval_dir, knowledge) != second


def test_training_reads_only_the_train_folder():
    from guidebot.routing.training import training_sets

    sets = training_sets(EVAL)
    assert len(sets) >= 15 and all(folder.parent == EVAL / "train" for folder in sets)
    held_out = {"engineer", "blind_f", "blind_i", "blind_j", "blind_l", "blind_m", "blind_n", "blind_o"}
    assert {folder.name for folder in (EVAL / "holdout").iterdir()} == held_out


def test_the_model_file_round_trips_through_its_text():
    model = train(TOY, TOY_CLASSES)
    assert json.loads(model_text(model)) == model


@pytest.fixture
def knowledge_copy(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), target)
    return target


@pytest.mark.parametrize("text", [
    "{not json", '{"format": 99}', '{"format": 1, "classes": ["out_of_scope"], "bias": [], "weights": {}}',
    '{"format": 1, "classes": [], "bias": [], "weights": {}}',
    '{"format": 1, "classes": ["a"], "bias": [0], "weights": {}}',
    '{"format": 1, "classes": ["out_of_scope"], "bias": [NaN], "weights": {}}',
    '{"format": 1, "classes": ["out_of_scope"], "bias": [true], "weights": {}}',
    '{"format": 1, "classes": ["out_of_scope", "out_of_scope"], "bias": [0, 0], "weights": {}}',
    '{"format": 1, "classes": ["out_of_scope"], "bias": [0], "weights": {"x": {"7": 1}}}',
    '{"format": 1, "classes": ["out_of_scope"], "bias": [0], "weights": {"x": {"\u00b2": 1}}}',
    '{"format": 1, "classes": ["out_of_scope"], "bias": [0], "weights": {"x": {"0": 1e308}}}',
])
def test_a_broken_model_file_is_one_problem_naming_it(knowledge_copy, text, capsys):
    (knowledge_copy / MODEL_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        read_model(knowledge_copy / MODEL_FILE)
    assert MODEL_FILE in str(raised.value) and "guidebot kb train" in str(raised.value)
    assert main(["kb", "check", str(knowledge_copy)]) == 2
    problems = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("guidebot: error")]
    assert len(problems) == 1 and problems[0].startswith(str(knowledge_copy / MODEL_FILE))


def test_ask_with_a_broken_model_file_is_a_one_line_error(knowledge_copy, capsys):
    (knowledge_copy / MODEL_FILE).write_text("{not json", encoding="utf-8")
    assert main(["ask", "--knowledge", str(knowledge_copy), "vegf cutoff"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and MODEL_FILE in err


def test_training_replaces_a_broken_model(knowledge_copy):
    """`kb train` is the fix the error names, so it must not need the model it replaces."""
    from guidebot.cli.kb import trained_model

    (knowledge_copy / MODEL_FILE).write_text("{not json", encoding="utf-8")
    eval_dir = knowledge_copy.parent / "eval"
    shutil.copytree(EVAL / "train" / "blind", eval_dir / "train" / "blind")
    model, count = trained_model(knowledge_copy, eval_dir, trainer="plain")
    assert count > 300 and OUT_OF_SCOPE in model["classes"] and model["inputs"]


def test_a_model_that_learnt_a_removed_fact_is_reported_but_still_used(knowledge_copy, capsys):
    model = json.loads((knowledge_copy / MODEL_FILE).read_text(encoding="utf-8"))
    model["classes"][0] = "treatment.no_such_fact"
    (knowledge_copy / MODEL_FILE).write_text(model_text(model), encoding="utf-8")
    assert main(["kb", "check", str(knowledge_copy)]) == 2
    assert "treatment.no_such_fact" in capsys.readouterr().err
    assert get_router(knowledge_copy).answer("vegf cutoff")["fact"] == "diagnosis.vegf_threshold"


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


def test_a_word_nobody_has_seen_keeps_a_low_scoring_question_declined(router):
    # "in hemochromatosis": the model cannot see the disease, so its certainty about the rest does not count
    question = "should I get a PET scan in hemochromatosis"
    router._reranker = None
    assert router.route(question).reason in ("low_score", "low_coverage")
    words = router.score(question)[0]
    router._reranker = _model(router, {w: {"workup.pet_ct": 8.0} for w in words if w != "hemochromatosis"})
    assert not router.route(question).in_scope
    router._reranker = _model(router, {w: {"workup.pet_ct": 8.0} for w in words})  # a word it learnt is fine
    assert router.route(question).intent == "workup.pet_ct"


def test_a_rescue_still_declines_a_drug_the_review_does_not_name(router):
    # the model may know the word (out-of-scope questions taught it), but the review never names the drug
    question = "rituximab for poems neuropathy pain"
    router._reranker = None
    assert router.route(question).reason == "low_coverage"
    fact = _scored_ids(router, question)[0]
    router._reranker = _model(router, {w: {fact: 9.0} for w in router.score(question)[0]})
    assert router.route(question).reason == "low_coverage"
    q, scored = router.read(question)
    assert router._decline_reason(q, scored[0], thresholds=False) == "other_drug"


def test_the_model_never_moves_a_question_off_a_caution_ranked_above_its_choice(router):
    question = "pt relapsed, thinking pheresis"
    scored = router.score(question)[1]
    ids = [router.targets[s.target][0] for s in scored[:5]]
    assert ids[0] == "treatment.plasma_exchange" and "treatment.relapse_options" in ids
    router._reranker = _model(router, {w: {"treatment.relapse_options": 9.0} for w in router.score(question)[0]})
    assert router.route(question).intent in (None, "treatment.plasma_exchange")


def test_the_model_chooses_only_among_the_front_runners(router):
    question = "relapse after transplant"
    router._reranker = None
    ids = _scored_ids(router, question)
    far = ids[router._cfg.model["rerank_candidates"]]
    router._reranker = _model(router, {w: {far: 9.0} for w in router.score(question)[0]})
    assert router.route(question).intent != far


def test_eval_says_when_it_scores_questions_the_model_learnt_from():
    from guidebot.cli.eval import _learnt_from

    assert _learnt_from(EVAL / "train" / "blind_k") == "this set"
    assert _learnt_from(None) == _learnt_from(EVAL / "holdout" / "blind_l") == ""


def test_the_sklearn_trainer_chooses_c_by_writer_and_writes_a_model_plain_python_reads(tmp_path):
    pytest.importorskip("sklearn")
    from guidebot.routing.training import fit_sklearn

    examples = TOY * 4
    groups = [f"writer{i // len(TOY)}" for i in range(len(examples))]  # each writer wrote the toy set once
    lines = []
    model = fit_sklearn(examples, groups, TOY_CLASSES, grid=(0.1, 10.0), log=lines.append)
    assert len(lines) == 3 and lines[-1].startswith("chose C=")
    (tmp_path / MODEL_FILE).write_text(model_text(model), encoding="utf-8")
    assert read_model(tmp_path / MODEL_FILE) == model
    router = get_router()
    compiled = compile_model(model, [t[0] for t in router.targets], [t[3] for t in router.targets])
    bev = {t[0]: i for i, t in enumerate(router.targets)}["treatment.bevacizumab"]
    per_target, p_out = probabilities(compiled, ["bevacizumab", "give"], [bev])
    assert per_target[bev] > p_out
