"""A caution is reached in plain words too: the agent described by what it does, not named (issue 19).

The phrasings are the issue's own examples, which the router declined before the lexicon learnt them."""

from __future__ import annotations

import pytest

from guidebot.routing import get_router


@pytest.mark.parametrize(
    ("question", "caution"),
    [
        ("an antibody that blocks the vessel growth factor - ok in poems?", "treatment.bevacizumab"),
        ("a drug that directly neutralizes VEGF for POEMS?", "treatment.bevacizumab"),
        ("filtering the blood plasma for poems?", "treatment.plasma_exchange"),
        ("proteasome-blocking drugs in poems", "treatment.neurotoxic_agents"),
        ("should she get injections to prevent clots?", "treatment.lmwh_prophylaxis"),
    ],
)
def test_a_caution_described_in_plain_words_lands_on_it(question, caution):
    assert get_router().route(question).intent == caution


def test_stem_cell_collection_is_not_read_as_plasma_exchange():
    # "apheresis" alone is plasma exchange in the lexicon; collecting stem cells is mobilisation
    assert get_router().route("stem cell apheresis timing").intent == "treatment.mobilization"
