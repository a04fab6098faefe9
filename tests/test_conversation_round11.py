"""Round 11 (issue 14): follow-up families fixed through the conversation and fact data alone (docs/conversation.md,
"Round 11"). The phrasings here are not the development conversations' own: each checks the data generalises."""

from __future__ import annotations

import pytest

from chatdriver import say

from guidebot.cli.eval_dialogue import turn_right


def _declined_without_number(turn) -> bool:
    # as `guidebot eval --dialogue` scores an uncovered follow-up: declined, no number outside the suggestions
    return turn_right({"kind": "uncovered"}, turn)


# -- answered from the right card ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # ward shorthand for thromboprophylaxis is the LMWH caution, not induction before a transplant
        (("are clots common in poems", "ppx?"), "treatment.lmwh_prophylaxis"),
        (("arterial or venous thrombosis in poems?", "is ppx needed on lenalidomide?"), "treatment.lmwh_prophylaxis"),
        # ... while preventing engraftment syndrome is still the induction card
        (("engraftment syndrome after hct?", "how can it be prevented?"), "treatment.induction_before_hct"),
        # the endocrinopathy entity reaches its mechanism card, which states the mechanism by "linked to"
        (("which endocrine problems occur in poems", "mechanism?"), "clinical.endocrine_mechanism"),
        # "smth" is "something"
        (("what vegf level is abnormal", "can it be raised from smth else?"), "diagnosis.vegf_other_causes"),
        # the bare clone is the marrow clone, not the light chain's sequencing clone
        (("what does the marrow show in poems", "how often is a clone there?"), "diagnosis.marrow_clone"),
        # ORR is a response rate
        (("phase 2 lenalidomide dexamethasone trial in poems?", "ORR?"), "treatment.len_dex_phase2"),
        # an axonal-only nerve study asks whether the mandatory criteria can still be met
        (("which nerve studies for poems?", "axonal only NCS, could it still be POEMS?"), "criteria.mandatory"),
        # the echo findings' cause is "put down to" microvascular and pulmonary factors
        (("heart findings on echocardiography in poems?", "cause?"), "cardiopulmonary.echo_findings"),
    ],
)
def test_follow_up_answered_by_its_card(bot, lines, expected):
    turn = say(bot, *lines)
    assert turn.in_scope and turn.intent == expected


def test_the_neuropathy_with_castleman_disease_is_no_other_condition(bot):
    # "diff" is no differential of Castleman disease, which the review does not cover
    turn = say(bot, "castleman variant of poems?", "neuropathy diff in castleman?")
    assert turn.in_scope and turn.intent == "clinical.castleman_neuropathy"


# -- declined with no number -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines",
    [
        # the review gives a plasma cutoff only
        ("what vegf level counts as high", "is serum different from plasma?", "and the cutoff for serum?"),
        # the review names no mutated gene
        ("gene mutations in poems plasma cells?", "which genes exactly?"),
        # PD-1 inhibitors are a hypothesis: no trial
        ("could checkpoint inhibitors treat poems", "any nivolumab trials?"),
        # another anticoagulant in place of LMWH
        ("lmwh in poems", "could we give rivaroxaban instead of lmwh?"),
        # serial VEGF in one specimen type, but no interval
        ("why do we measure vegf in poems", "how often should we recheck it?"),
        # a recruiting trial has no results
        ("is there a daratumumab trial in poems", "any results yet?"),
        # the light chain only, never the heavy chain
        ("is the m protein in poems usually lambda", "and the heavy chain, IgG or IgA?"),
    ],
)
def test_uncovered_follow_up_declined_without_a_number(bot, lines):
    assert _declined_without_number(say(bot, *lines))


def test_the_serum_cutoff_decline_names_what_is_missing(bot):
    turn = say(bot, "what vegf level counts as elevated", "serum vs plasma?", "so what's the serum threshold?")
    assert "serum cutoff" in turn.text and _declined_without_number(turn)


def test_a_named_gene_states_the_gene_facet(bot):
    # the IgVL card names its genes, so "which genes?" there is answered, not declined
    turn = say(bot, "igvl1-40 and igvl1-44 in poems?", "which genes?")
    assert turn.in_scope and turn.intent == "pathophysiology.igvl_genes"


def test_facets_of_round_11_are_read_and_strict(bot):
    reader = bot.reader
    for text, facet in [("whats the serum cutoff", "serum_cutoff"), ("which genes tho", "gene_names"),
                        ("apixaban instead of heparin?", "substitute"), ("how often to repeat the vegf", "interval"),
                        ("results yet?", "pending_results"), ("iga or igg?", "heavy_chain")]:
        assert facet in reader.facets_in(text), text
        assert reader.facets[facet].strict
    # "rather than" is no substitute: "the Castleman variant rather than classic POEMS" asks a diagnosis
    assert "substitute" not in reader.facets_in("could this be the castleman variant rather than classic poems")
