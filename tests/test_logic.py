"""Exhaustive truth tables of the Kleene algebra in guidebot.criteria.logic."""

from itertools import product

import pytest

from guidebot.criteria.logic import Status, all_of, any_of, from_bool, negate

M, N, U = Status.MET, Status.NOT_MET, Status.UNKNOWN

AND_TABLE = {
    (M, M): M, (M, N): N, (M, U): U,
    (N, M): N, (N, N): N, (N, U): N,
    (U, M): U, (U, N): N, (U, U): U,
}
OR_TABLE = {
    (M, M): M, (M, N): M, (M, U): M,
    (N, M): M, (N, N): N, (N, U): U,
    (U, M): M, (U, N): U, (U, U): U,
}


def test_status_has_exactly_three_values():
    assert [s.value for s in Status] == ["met", "not_met", "unknown"]


@pytest.mark.parametrize(("a", "b"), list(product(Status, repeat=2)))
def test_all_of_truth_table(a, b):
    assert all_of(a, b) is AND_TABLE[a, b]


@pytest.mark.parametrize(("a", "b"), list(product(Status, repeat=2)))
def test_any_of_truth_table(a, b):
    assert any_of(a, b) is OR_TABLE[a, b]


@pytest.mark.parametrize(("a", "b", "c"), list(product(Status, repeat=3)))
def test_three_way_and_or_fold_the_two_way_tables(a, b, c):
    assert all_of(a, b, c) is AND_TABLE[AND_TABLE[a, b], c]
    assert any_of(a, b, c) is OR_TABLE[OR_TABLE[a, b], c]


@pytest.mark.parametrize(("a", "expected"), [(M, N), (N, M), (U, U)])
def test_negate(a, expected):
    assert negate(a) is expected


@pytest.mark.parametrize(("a", "b"), list(product(Status, repeat=2)))
def test_de_morgan(a, b):
    assert negate(all_of(a, b)) is any_of(negate(a), negate(b))


def test_empty_and_or_are_identities():
    assert all_of() is M
    assert any_of() is N


@pytest.mark.parametrize(("value", "expected"), [(True, M), (False, N), (None, U)])
def test_from_bool(value, expected):
    assert from_bool(value) is expected


def test_status_is_a_string_for_json():
    assert f"{N}" == "not_met" and N == "not_met"
