"""The router's accuracy on the evaluation set (tests/eval) may not fall below what it has reached.

The floors are the measured numbers at the time of writing, rounded down; raise them when the router
improves. The held-out slice is never tuned on, so its floor is the honest "never seen" number (measured on
531 in-scope and 79 out-of-scope questions: in scope 98.4% tune / 90.4% held out / 95.9% all; out of scope
declined 100% in every slice; blind set 92.7% in scope, 95.8% out of scope declined, after router pass 3).
Router pass 4 (more example questions, merged overlapping facts, case descriptions) moved the engineer's
set to 95.1% all; the blind sets' floors below are from that pass.
Pass 6 merged 23 overlapping facts (145 -> 122): the engineer's held-out slice fell to 97.0% (floor 0.96), and
two CIDP-IVIG regimen questions of blind set E now leak to the merged CIDP fact (floor 0.94).
Pass 7 merged 4 more (122 -> 118) and set a POEMS-anchored minimum score; a lone new leak on held-out set I
(a kappa/lambda ratio question now reaching the merged light-chain fact) puts its out-of-scope floor at 0.92.
Pass 8 added the learned re-ranker (guidebot/routing/reranker.py). It learns from the engineer's tuning slice
and blind sets blind, c, d, e, g, h and k, so their floors now pin what it fits (about 1 point below, so that
a retrain after a knowledge edit does not trip them); the engineer's held-out slice and blind sets f, i, j, l
and m (and n, written after the code was frozen and measured once) are never learnt from and stay the
never-seen measure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guidebot.cli.eval import evaluate, is_held_out, load_eval_set
from guidebot.routing import get_router

IN_SCOPE_FLOOR = {"all": 0.96, "tune": 0.96, "held_out": 0.96}
"""Share of in-scope questions that reach an expected fact, per slice."""
OUT_OF_SCOPE_FLOOR = {"all": 1.0, "tune": 1.0, "held_out": 1.0}
"""Share of out-of-scope questions declined, per slice."""


@pytest.fixture(scope="module")
def eval_set():
    """(in-scope items, out-of-scope items)."""
    return load_eval_set()


def test_eval_set_is_big_and_varied_enough(eval_set):
    ins, outs = eval_set
    assert len(ins) >= 260
    assert len(outs) >= 60
    held = sum(is_held_out(i["q"]) for i in ins)
    assert 0.2 <= held / len(ins) <= 0.4
    assert len({i["q"] for i in ins}) == len(ins)


def test_every_expected_fact_exists(eval_set):
    router = get_router()
    ids = {t[0] for t in router.targets}
    for item in eval_set[0]:
        for fact_id in [item["expect"]] if "expect" in item else item["expect_any"]:
            assert fact_id in ids, (item["q"], fact_id)


def test_every_section_is_covered(eval_set):
    router = get_router()
    sections = {router.fact(t[0])["section"] for t in router.targets if not t[2]}
    report = evaluate(router, *eval_set)
    assert set(report["by_section"]) == sections


@pytest.mark.parametrize("which", ["all", "tune", "held_out"])
def test_accuracy_floor(eval_set, which):
    report = evaluate(get_router(), *eval_set, which=which)
    assert report["in_scope"]["accuracy"] >= IN_SCOPE_FLOOR[which], report["worst_misses"]
    assert report["out_of_scope"]["rate"] >= OUT_OF_SCOPE_FLOOR[which], report["leaks"]


EVAL = Path(__file__).parent / "eval"
BLIND_FLOORS = {
    "blind": (0.97, 0.98), "blind_c": (0.97, 0.98), "blind_d": (0.96, 0.98), "blind_e": (0.97, 0.97),
    "blind_f": (0.94, 0.95), "blind_g": (0.97, 0.96), "blind_h": (0.97, 0.99), "blind_i": (0.94, 0.94),
    "blind_j": (0.95, 0.97), "blind_k": (0.95, 0.98), "blind_l": (0.96, 0.98), "blind_m": (0.95, 0.93),
    "blind_n": (0.94, 0.98), "blind_o": (0.93, 0.97), "blind_p": (0.97, 0.96), "blind_q": (0.96, 0.96),
    "blind_r": (0.97, 0.98), "blind_s": (0.95, 0.95), "blind_t": (0.97, 0.98), "blind_u": (0.97, 0.97),
    "blind_v": (0.96, 0.97),
}
"""Blind sets (see each file's header) -> (in-scope floor, out-of-scope floor), from their measurements."""
HELD_OUT = frozenset({"blind_f", "blind_i", "blind_j", "blind_l", "blind_m", "blind_n", "blind_o"})
"""Sets whose misses are never read, so that they keep measuring questions the router has never seen: a
failing floor reports their counts only (I's one caution question and two leaks shown by an older version of
this test excepted, and M's one caution question the router missed when M was first measured: "PE" as a
procedure one does, now read as plasma exchange)."""
CAUTIONS = ("treatment.bevacizumab", "treatment.plasma_exchange", "treatment.lmwh_prophylaxis", "treatment.neurotoxic_agents")


@pytest.mark.parametrize("name", sorted(BLIND_FLOORS))
def test_blind_set_floor(name):
    in_floor, out_floor = BLIND_FLOORS[name]
    report = evaluate(get_router(), *load_eval_set(EVAL / name))
    held_out = name in HELD_OUT
    assert report["in_scope"]["accuracy"] >= in_floor, "held out: misses not shown" if held_out else report["worst_misses"]
    assert report["out_of_scope"]["rate"] >= out_floor, "held out: leaks not shown" if held_out else report["leaks"]


@pytest.mark.parametrize("folder", [None, *(EVAL / name for name in sorted(BLIND_FLOORS))], ids=["eval", *sorted(BLIND_FLOORS)])
def test_every_caution_question_lands_on_its_caution(folder):
    """Safety: however it is phrased, a question whose answer is a caution gets that caution, never a decline."""
    router = get_router()
    for item in load_eval_set(folder)[0]:
        expected = [item["expect"]] if "expect" in item else item["expect_any"]
        if any(e in CAUTIONS for e in expected):
            assert router.route(item["q"]).intent in expected, "a held-out caution question" if folder and folder.name in HELD_OUT else item["q"]
