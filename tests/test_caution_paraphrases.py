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


@pytest.mark.parametrize(
    ("question", "caution"),
    [
        ("an antibody against the blood vessel growth factor for poems?", "treatment.bevacizumab"),
        ("cleaning the plasma through a machine - worth it?", "treatment.plasma_exchange"),
        ("should she have injections to stop clots", "treatment.lmwh_prophylaxis"),
        ("which drugs damage the nerves in poems", "treatment.neurotoxic_agents"),
    ],
)
def test_an_agent_described_by_what_it_is_reads_as_named(question, caution):
    """A lexicon term's `described_by` groups: one cue of each group in the question names the agent."""
    assert get_router().route(question).intent == caution


@pytest.mark.parametrize(
    ("question", "not_caution"),
    [
        ("does lenalidomide lower vegf", "treatment.bevacizumab"),  # a drug's effect on VEGF, not the antibody
        ("can we remove the plasma cell clone with radiation", "treatment.plasma_exchange"),
        ("how do plasma cells make vegf", "treatment.plasma_exchange"),
    ],
)
def test_a_description_needs_every_group(question, not_caution):
    assert get_router().route(question).intent != not_caution


def test_described_terms_reads_multi_word_cues_in_order():
    from guidebot.routing.normalisation import described_terms

    descriptions = [(("bevacizumab",), (frozenset({"antibody"}), frozenset({"growth factor"})))]
    assert described_terms("an antibody to the growth factor".split(), descriptions) == [("bevacizumab",)]
    assert described_terms("an antibody to the factor of growth".split(), descriptions) == []


@pytest.mark.parametrize(
    "question",
    ["which medicine should be given at a minimum to prevent clots in active poems",
     "what drug lowers the risk of thrombosis in poems"],
)
def test_a_second_description_names_the_caution_agent(question):
    # lexicon `also_described_by`: "a drug to prevent thrombosis" describes LMWH as "a shot against clots" does
    match = get_router().route(question)
    assert match.in_scope and match.intent == "treatment.lmwh_prophylaxis"


def test_a_drug_that_raises_thrombosis_risk_is_not_described_as_the_prophylaxis():
    match = get_router().route("which drugs raise the risk of thrombosis in poems")
    assert match.intent != "treatment.lmwh_prophylaxis"


def test_what_to_add_against_clots_besides_the_therapy_is_the_prophylaxis():
    match = get_router().route("besides the disease-directed therapy, what should be added against thrombosis in poems?")
    assert match.in_scope and match.intent == "treatment.lmwh_prophylaxis"
    assert get_router().route("besides VEGF, what causes thrombosis in poems?").intent != "treatment.lmwh_prophylaxis"
