"""The dialogue's one renderer (guidebot/dialogue/render.py): the chat's command replies, findings and
assessments come from it, and `ask` on a described patient shows what the chat shows."""

from __future__ import annotations


from guidebot.criteria import Case, assess
from guidebot.dialogue import render


def test_the_chats_command_replies_are_the_renderers(bot, kb):
    assert bot.respond("/help").text == render.help_reply().text
    assert bot.respond("/cautions").text == render.cautions_reply(kb).text
    refs = bot.respond("/refs 1")
    assert (refs.text, refs.citations) == tuple(render.refs_reply("1", kb))[:2]
    assert bot.respond("/refs 99999").text.startswith("There is no reference 99999")


def test_the_case_reply_echoes_findings_as_they_were_recorded(bot, kb):
    turn = bot.respond("my patient has papilledema and 2 sclerotic lesions, VEGF 310 pg/mL")
    case = bot.respond("/case").text
    assert render.describe(turn.recorded, kb) in turn.text
    for label, value in render.findings_rows(bot.recorded, kb):
        assert f"- {label}: {value}" in case
    assert "VEGF level: 310 pg/mL" in case


def test_a_described_patient_is_rendered_with_its_citations(kb):
    found = {"polyneuropathy": True, "neuropathy_demyelinating": True, "monoclonal_plasma_cell_disorder": True,
             "sclerotic_bone_lesions": 2, "papilledema": True}
    result = assess(Case(**found), kb)
    text, citations = render.patient_assessment(found, result, kb)
    assert text.startswith("**For the findings stated** (polyneuropathy: yes;") and "Verdict: meets criteria" in text
    assert citations and all(f"{n}" in text for n in set(citations))


def test_why_a_treatment_field_is_asked_names_the_algorithm(kb):
    why = render.why_asked("transplant_eligible", "diagnosis", kb)
    assert why.text.startswith("This answer feeds the treatment algorithm") and why.citations == list(kb.slots["transplant_eligible"].citations)
    assert "criterion **" in render.why_asked("papilledema", "diagnosis", kb).text
