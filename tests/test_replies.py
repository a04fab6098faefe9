"""`parse_reply(kind, text, choices)`: every kind's accepted forms, explicit unknowns, and clear re-asks."""

from __future__ import annotations

import pytest

from guidebot.dialogue.replies import Reask, expected, is_unknown, parse_reply

ENDOCRINE = ["hypogonadism", "adrenal", "parathyroid", "pituitary", "hyperprolactinemia", "thyroid", "diabetes"]


@pytest.mark.parametrize(
    "text, value",
    [
        ("yes", True), ("Yes.", True), ("y", True), ("Y", True), ("true", True), ("present", True),
        ("positive", True), ("yes, on both sides", True), ("YES!", True),
        ("no", False), ("n", False), ("No.", False), ("false", False), ("absent", False), ("negative", False),
        ("no, not seen", False), ("not present", False), ("none", False),
        ("is present", True), ("it was negative", False), ("there are", True),
    ],
)
def test_bool(text, value):
    assert parse_reply("bool", text, []) is value


@pytest.mark.parametrize(
    "text",
    ["unknown", "not sure", "Not done", "don't know", "dont know", "I don’t know", "?", "not tested", "pending", "n/a", "not done yet"],
)
@pytest.mark.parametrize("kind", ["bool", "int", "number", "choice", "list"])
def test_unknown_is_recorded_as_none(kind, text):
    assert is_unknown(text)
    assert parse_reply(kind, text, ["lambda", "kappa"]) is None


@pytest.mark.parametrize(
    "text, value",
    [
        ("2", 2), ("0", 0), (" 3 ", 3), ("2 lesions", 2), ("four", 4), ("Four", 4), ("two lesions", 2),
        ("none", 0), ("no lesions", 0), ("a single lesion", 1), ("solitary", 1), ("10", 10), ("1 lesion", 1),
    ],
)
def test_int(text, value):
    result = parse_reply("int", text, [])
    assert result == value and isinstance(result, int)


@pytest.mark.parametrize(
    "text, value",
    [
        ("450", 450), ("450 pg/mL", 450), ("450pg/ml", 450), ("450 PG/ML", 450), ("1,200 pg/mL", 1200),
        ("200.5", 200.5), ("0", 0), ("about 640", 640), ("640 pg per ml", 640),
    ],
)
def test_number(text, value):
    assert parse_reply("number", text, []) == value


@pytest.mark.parametrize(
    "kind, text, fragment",
    [
        ("bool", "perhaps tomorrow", "yes or no"),
        ("bool", "purple", "yes, no, or not done"),
        ("int", "lots", "whole number"),
        ("int", "2.5", "not a whole number"),
        ("int", "-1", "negative"),
        ("int", "2 or 3", "more than one number"),
        ("number", "high", "a number"),
        ("number", "-5 pg/mL", "negative"),
        ("number", "none", "a number"),  # a level is never "none": re-ask rather than guess 0
    ],
)
def test_garbage_is_reasked_with_what_is_expected(kind, text, fragment):
    result = parse_reply(kind, text, [])
    assert isinstance(result, Reask)
    assert fragment in result.message
    assert "not done" in result.message


@pytest.mark.parametrize(
    "text, value",
    [("lambda", "lambda"), ("Lambda", "lambda"), ("l", "lambda"), ("ka", "kappa"), ("1", "lambda"), ("2", "kappa"),
     ("lambda light chain", "lambda"), ("'kappa'", "kappa")],
)
def test_choice(text, value):
    assert parse_reply("choice", text, ["lambda", "kappa"]) == value


@pytest.mark.parametrize("text", ["3", "0", "gamma", "mu"])
def test_choice_garbage_names_the_choices(text):
    result = parse_reply("choice", text, ["lambda", "kappa"])
    assert isinstance(result, Reask)
    assert "1 lambda, 2 kappa" in result.message


def test_ambiguous_prefix_is_reasked():
    result = parse_reply("choice", "hyp", ["hypogonadism", "hyperprolactinemia"])
    assert isinstance(result, Reask) and "hypogonadism or hyperprolactinemia" in result.message


@pytest.mark.parametrize(
    "text, value",
    [
        ("none", []), ("no", []), ("None.", []), ("hypogonadism", ["hypogonadism"]),
        ("hypogonadism, thyroid", ["hypogonadism", "thyroid"]), ("adrenal and diabetes", ["adrenal", "diabetes"]),
        ("1, 6", ["hypogonadism", "thyroid"]), ("1 3", ["hypogonadism", "parathyroid"]),
        ("thyroid; diabetes", ["thyroid", "diabetes"]), ("hypogon, pit", ["hypogonadism", "pituitary"]),
        ("thyroid, thyroid", ["thyroid"]), ("adrenal thyroid", ["adrenal", "thyroid"]),
    ],
)
def test_list(text, value):
    assert parse_reply("list", text, ENDOCRINE) == value


def test_list_garbage_names_the_bad_item():
    result = parse_reply("list", "thyroid, gout", ENDOCRINE)
    assert isinstance(result, Reask)
    assert "'gout'" in result.message and "none" in result.message


def test_empty_reply_is_reasked():
    assert isinstance(parse_reply("bool", "   ", []), Reask)


def test_expected_lists_numbered_choices():
    assert expected("choice", ["plasma", "serum"]) == "one of: 1 plasma, 2 serum (the name or its number), or not done"


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_reply("date", "today", [])
