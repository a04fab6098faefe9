"""Round 11 (issue 14): what a turn points at (docs/conversation.md, "Round 11: pointing back, a why of its own, a
pronoun meaning POEMS"). Each mechanism is a switch; each test here fails with its switch off. The phrasings are not
the development conversations' own."""

from __future__ import annotations

import pytest

from chatdriver import say

from guidebot.dialogue import DialogueManager
from guidebot.dialogue import manager as manager_rules
from guidebot.dialogue import reading as reading_rules
from guidebot.dialogue import rewrite as rewrite_rules
from guidebot.dialogue.focus import normalise

# -- a determiner pointing back keeps the focus's subject -----------------------------------------------------------


@pytest.mark.parametrize(
    ("turn", "points"),
    [
        ("how many were lambda in those patients", True),  # a demonstrative after a scope word
        ("and the neuropathy after that", True),  # ... or a setting word
        ("how does its neuropathy differ", True),  # a possessive, wherever it stands
        ("what does that mean for the neuropathy", False),  # the turn's own statement, not the focus
        ("where is all that vegf made", False),  # no scope word before it
        ("what is the level in that vegf assay", False),  # an entity word after it: the determiner is of the entity
    ],
)
def test_points_back(bot, turn, points):
    assert bot.reader.points_back(normalise(turn)) is points


def test_a_possessive_keeps_the_subject(bot, kb, monkeypatch):
    # "its neuropathy" after the Castleman variant is that variant's neuropathy, not POEMS neuropathy in general
    lines = ("castleman variant of poems?", "how does its neuropathy differ?")
    assert say(bot, *lines).intent == "clinical.castleman_neuropathy"
    monkeypatch.setattr(rewrite_rules, "DETERMINER_KEEPS_SUBJECT", False)
    # round 12's pronoun-before-the-entity rule reads "its" as the subject as well: both off, the subject is lost
    monkeypatch.setattr(rewrite_rules, "PRONOUN_IS_THE_SUBJECT", False)
    assert say(DialogueManager(kb=kb), *lines).intent != "clinical.castleman_neuropathy"


# -- a why of its own is a question, not "why?" of the last answer -------------------------------------------------


def test_a_why_question_of_its_own_yields(bot, kb, monkeypatch):
    lines = ("phase 2 lenalidomide dexamethasone trial in poems?",
             "why does it need so many separate tests to make the diagnosis?")
    turn = say(bot, *lines)
    assert turn.act is None and turn.intent == "overview.many_tests"
    monkeypatch.setattr(manager_rules, "OWN_QUESTION_YIELDS", False)
    assert say(DialogueManager(kb=kb), *lines).act == "why"


@pytest.mark.parametrize("question", ["how come it happens?", "why does it develop?"])
def test_a_why_with_one_word_of_its_own_stays_an_act(bot, question):
    # one new word ("develop") is no question of its own: the reason for the last answer
    turn = say(bot, "pulmonary hypertension in poems?", question)
    assert turn.act == "why" and turn.intent == "cardiopulmonary.pulmonary_hypertension"


# -- a pronoun in a long question may mean POEMS ---------------------------------------------------------------------


def test_a_long_question_whose_it_is_poems(bot, kb, monkeypatch):
    lines = ("is bevacizumab used in poems?", "what can be offered when it relapses after treatment?")
    assert say(bot, *lines).intent == "treatment.relapse_options"
    monkeypatch.setattr(reading_rules, "PRONOUN_MAY_MEAN_DISEASE", False)
    assert say(DialogueManager(kb=kb), *lines).intent == "treatment.bevacizumab"


@pytest.mark.parametrize("question", ["is the review against using it at all, then?",
                                      "so should we steer clear of it in practice?"])
def test_a_long_question_whose_it_is_the_focus(bot, question):
    # "it" is the drug just discussed: read as POEMS the question is no surer
    assert say(bot, "is bevacizumab used in poems?", question).intent == "treatment.bevacizumab"
