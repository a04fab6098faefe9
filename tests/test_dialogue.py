"""The dialogue manager: flows, follow-ups, control words, commands, findings, the event log and resuming."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chatdriver import say

from guidebot.criteria import Case, assess, slots_to_ask
from guidebot.dialogue import DialogueManager, SessionStore, Turn
from guidebot.dialogue.manager import MAX_INPUT_CHARS, clean_input, looks_like_question
from guidebot.dialogue.events import QuestionAsked, ReplyRejected
from guidebot.dialogue.state import replay
from guidebot.dialogue.turns import Progress
from guidebot.errors import GuidebotError

DIAGNOSE = "does my patient have POEMS?"


# -- greeting and turn objects ------------------------------------------------------------------------


def test_greeting_says_what_it_is_and_what_it_is_not(kb):
    turn = DialogueManager(kb=kb).greeting()
    assert kb.review in turn.text
    assert "educational aid, not a substitute for clinical judgement" in turn.text
    assert "/help" in turn.text and "/assess" in turn.text
    assert turn.awaiting is None and turn.assessment is None


def test_turn_json_puts_the_interface_keys_first(bot):
    obj = say(bot, DIAGNOSE).to_json()
    assert list(obj)[:4] == ["text", "intent", "awaiting", "assessment"]
    assert obj["awaiting"] == {
        "slot": "polyneuropathy",
        "kind": "bool",
        "choices": [],
        "question": obj["awaiting"]["question"],
    }
    assert obj["flow"] == "diagnosis" and obj["intent"] == "diagnosis.assess"
    json.dumps(obj)


# -- the diagnosis flow -------------------------------------------------------------------------------


def test_diagnosis_asks_only_what_could_change_the_verdict_then_goes_on_to_figure_3(bot, kb):
    answers = {
        "polyneuropathy": "yes", "neuropathy_demyelinating": "yes", "monoclonal_plasma_cell_disorder": "yes",
        "sclerotic_bone_lesions": "2", "extravascular_volume_overload": "yes",
    }
    turn = say(bot, DIAGNOSE)
    asked = []
    while turn.awaiting and turn.awaiting.slot in answers:
        slot = turn.awaiting.slot
        assert slot == slots_to_ask(bot.case, "diagnosis")[0]  # one at a time, in the engine's order
        asked.append(slot)
        turn = bot.respond(answers[slot])
    assert asked == list(answers)
    assert assess(bot.case, kb).verdict == "meets_criteria"
    # the criteria are met: the same flow asks what Figure 3 needs (2 lesions known: only the marrow clone)
    assert turn.awaiting.slot == "clonal_marrow_plasma_cells" and "Figure 3" in turn.text
    turn = bot.respond("no")
    assert turn.assessment.to_json() == assess(bot.case, kb).to_dict()
    assert turn.assessment.verdict == "meets_criteria"
    assert turn.assessment.treatment.approach == "radiation"
    assert "Verdict: meets criteria" in turn.text and "Treatment approach: radiation" in turn.text
    assert bot.flow is None


def test_stops_as_soon_as_the_verdict_is_settled(bot):
    # no neuropathy: neither POEMS nor the Castleman variant is possible, so one answer settles it
    turn = say(bot, DIAGNOSE, "no")
    assert turn.awaiting is None and turn.assessment.verdict == "not_met"
    assert [e.slot for e in bot.events if isinstance(e, QuestionAsked)] == ["polyneuropathy"]


def test_castleman_variant_is_asked_when_the_clone_is_absent(bot):
    turn = say(bot, DIAGNOSE, "yes", "no", "no")
    assert turn.awaiting.slot == "clonal_marrow_plasma_cells"
    turn = say(bot, "no")
    assert turn.awaiting.slot == "castleman_disease"
    turn = say(bot, "yes")
    assert turn.assessment.verdict == "castleman_variant"


def test_garbage_is_reasked_and_nothing_is_lost(bot):
    say(bot, DIAGNOSE, "yes")
    turn = bot.respond("purple monkey")
    assert turn.awaiting.slot == "neuropathy_demyelinating"
    assert "yes or no" in turn.text and turn.awaiting.question in turn.text
    assert bot.case.polyneuropathy is True
    assert any(isinstance(e, ReplyRejected) for e in bot.events)


def test_unknown_answer_is_recorded_and_never_asked_again(bot):
    turn = say(bot, DIAGNOSE, "yes", "not done")
    assert "unknown / not done" in turn.text
    assert bot.recorded["neuropathy_demyelinating"] is None
    asked = [turn.awaiting.slot]
    while turn.awaiting:
        turn = bot.respond("no")
        if turn.awaiting:
            asked.append(turn.awaiting.slot)
    assert "neuropathy_demyelinating" not in asked


def test_back_undoes_the_last_answer_and_asks_again(bot):
    say(bot, DIAGNOSE, "yes", "yes")
    assert bot.case.neuropathy_demyelinating is True
    turn = bot.respond("back")
    assert turn.awaiting.slot == "neuropathy_demyelinating"
    assert bot.case.neuropathy_demyelinating is None and bot.case.polyneuropathy is True
    turn = bot.respond("back")
    assert turn.awaiting.slot == "polyneuropathy" and bot.case.polyneuropathy is None
    turn = bot.respond("back")
    assert "no earlier answer" in turn.text and turn.awaiting.slot == "polyneuropathy"


def test_back_restores_a_changed_answer(bot):
    say(bot, "polyneuropathy, no papilledema", DIAGNOSE)
    say(bot, "yes")  # demyelinating
    bot.respond("back")
    assert bot.case.polyneuropathy is True and bot.case.papilledema is False


def test_skip_leaves_it_unknown_and_does_not_ask_again(bot):
    turn = say(bot, DIAGNOSE, "skip")
    assert "Skipped" in turn.text and turn.awaiting.slot == "neuropathy_demyelinating"
    assert "polyneuropathy" not in bot.recorded
    while turn.awaiting:
        assert turn.awaiting.slot != "polyneuropathy"
        turn = bot.respond("no")


def test_why_explains_the_criterion_and_asks_again(bot, kb):
    turn = say(bot, DIAGNOSE, "yes", "why?")
    slot = kb.slots["neuropathy_demyelinating"]
    assert kb.criteria[slot.criterion].label in turn.text
    assert " ".join(slot.help.split()) in turn.text
    assert set(slot.citations) <= set(turn.citations)
    assert turn.awaiting.slot == "neuropathy_demyelinating"


def test_restart_clears_the_case_and_restarts_the_flow(bot):
    turn = say(bot, DIAGNOSE, "yes", "yes", "restart")
    assert bot.recorded == {} and bot.flow == "diagnosis"
    assert turn.awaiting.slot == "polyneuropathy"


def test_cancel_leaves_the_flow_and_keeps_findings(bot):
    turn = say(bot, DIAGNOSE, "yes", "cancel")
    assert bot.flow is None and turn.awaiting is None
    assert bot.case.polyneuropathy is True
    turn = bot.respond("/assess")  # picks up where it stopped
    assert turn.awaiting.slot == "neuropathy_demyelinating"


def test_knowledge_question_mid_flow_is_answered_and_the_slot_asked_again(bot):
    say(bot, DIAGNOSE, "yes")
    turn = bot.respond("what is the VEGF cutoff?")
    assert turn.awaiting.slot == "neuropathy_demyelinating"
    assert "200 pg/mL" in turn.text and turn.awaiting.question in turn.text
    assert 1 in turn.citations
    assert bot.flow == "diagnosis"


def test_out_of_scope_question_mid_flow_says_not_covered_and_asks_again(bot):
    say(bot, DIAGNOSE)
    turn = bot.respond("what is the capital of France?")
    assert "does not cover" in turn.text and turn.awaiting.slot == "polyneuropathy"


def test_volunteered_findings_are_recorded_and_never_asked(bot):
    turn = say(bot, "52M, demyelinating neuropathy, lambda M-protein, plasma VEGF 640, two sclerotic lesions")
    assert "Recorded:" in turn.text and "VEGF level: 640 pg/mL" in turn.text
    if bot.flow is None:  # the router may read a case description as "assess this" or leave it to the person
        assert [s.intent for s in turn.suggestions][:2] == ["diagnosis.assess", "treatment.plan"]
        turn = bot.respond("1")  # pick the first suggestion
    assert bot.flow == "diagnosis"
    asked = []
    while turn.awaiting:
        asked.append(turn.awaiting.slot)
        turn = bot.respond("no")
    recorded = {"polyneuropathy", "neuropathy_demyelinating", "monoclonal_plasma_cell_disorder", "vegf_pg_ml",
                "vegf_specimen", "sclerotic_bone_lesions", "light_chain"}
    assert not recorded & set(asked)


def test_findings_with_a_flow_request_start_the_flow(bot):
    turn = bot.respond("my patient has demyelinating neuropathy and no M-protein, does my patient have POEMS?")
    assert bot.flow == "diagnosis"
    assert "Recorded:" in turn.text
    assert bot.case.monoclonal_plasma_cell_disorder is False


def test_findings_alone_are_recorded_and_the_flows_offered(bot):
    turn = bot.respond("no papilledema, no organomegaly")
    assert bot.case.papilledema is False and bot.case.organomegaly is False
    if bot.flow is None:
        assert "Recorded:" in turn.text and turn.suggestions[0].intent == "diagnosis.assess"
        turn = bot.respond("1")
    assert turn.awaiting.slot == "polyneuropathy"


def test_findings_volunteered_instead_of_an_answer(bot):
    say(bot, DIAGNOSE)
    turn = bot.respond("demyelinating neuropathy with papilledema")
    assert "Recorded:" in turn.text
    assert bot.case.polyneuropathy is True and bot.case.papilledema is True
    assert turn.awaiting.slot == "monoclonal_plasma_cell_disorder"


def test_answer_with_extra_findings(bot):
    turn = say(bot, DIAGNOSE, "yes, demyelinating")
    assert bot.case.neuropathy_demyelinating is True
    assert "Also recorded" in turn.text
    assert turn.awaiting.slot == "monoclonal_plasma_cell_disorder"


@pytest.mark.parametrize("reply", ["yes?", "Yes ?"])
def test_a_hesitant_answer_is_an_answer(bot, reply):
    turn = say(bot, DIAGNOSE, reply)
    assert bot.case.polyneuropathy is True and turn.awaiting.slot == "neuropathy_demyelinating"


def test_a_stray_number_for_a_yes_no_question_is_reasked(bot):
    turn = say(bot, DIAGNOSE, "2")
    assert "yes or no" in turn.text and turn.awaiting.slot == "polyneuropathy"


def test_a_question_without_a_question_mark_mid_flow(bot):
    turn = say(bot, DIAGNOSE, "vegf cutoff")
    assert "200 pg/mL" in turn.text and turn.awaiting.slot == "polyneuropathy"


def test_a_flow_request_mid_flow_switches_flow_and_keeps_findings(bot):
    say(bot, DIAGNOSE, "yes")
    turn = bot.respond("how should I treat my patient?")
    assert bot.flow == "treatment" and bot.case.polyneuropathy is True
    assert turn.awaiting.slot == "neuropathy_demyelinating"


def test_empty_input(bot):
    assert "Nothing was typed" in bot.respond("").text
    turn = say(bot, DIAGNOSE, "")
    assert "Nothing was typed" in turn.text and turn.awaiting.slot == "polyneuropathy"


# -- treatment and workup -----------------------------------------------------------------------------


def test_treatment_flow_settles_the_verdict_then_the_approach(bot, kb):
    say(bot, "demyelinating neuropathy, lambda M-protein, two sclerotic lesions, edema")
    turn = bot.respond("how should I treat my patient?")
    assert bot.flow == "treatment"
    assert turn.awaiting.slot == "clonal_marrow_plasma_cells"
    turn = bot.respond("no")
    assert turn.assessment.treatment.approach == "radiation"
    assert turn.assessment.to_json() == assess(bot.case, kb).to_dict()
    assert "Treatment approach: radiation" in turn.text
    for caution in ("avoid_bevacizumab", "lmwh_prophylaxis", "plasma_exchange_ineffective", "avoid_neurotoxic_agents"):
        statement = kb.statements[caution]
        assert " ".join(statement.text.split()) in turn.text
        assert set(statement.citations) <= set(turn.citations)


def test_treatment_when_the_criteria_are_not_met(bot):
    turn = say(bot, "how should I treat my patient?", "no")
    assert turn.assessment.verdict == "not_met" and turn.assessment.treatment is None
    assert "only once the criteria are met" in turn.text


def test_workup_walks_the_steps_in_order(bot, kb):
    turn = bot.respond("/workup")
    assert turn.progress == Progress(1, len(kb.workup), kb.workup[0].title)
    assert f"Step 1 of {len(kb.workup)}: {kb.workup[0].title}" in turn.text
    steps = [1]
    for _ in range(60):
        if not turn.awaiting:
            break
        step = kb.workup[turn.progress.step - 1]
        assert turn.awaiting.slot in step.slots  # every question belongs to the step shown
        turn = bot.respond("no" if turn.awaiting.kind == "bool" else "not done")
        if turn.progress and turn.progress.step != steps[-1]:
            steps.append(turn.progress.step)
    assert steps == sorted(steps)  # in the review's order, never back
    assert turn.assessment.to_json() == assess(bot.case, kb).to_dict() and bot.flow is None
    asked_steps = {i + 1 for i, step in enumerate(kb.workup) if step.slots}
    assert set(steps) <= asked_steps | {1}


def test_workup_skips_what_is_already_known(bot, kb):
    say(bot, "demyelinating neuropathy")
    turn = bot.respond("walk me through the workup")
    assert bot.flow == "workup"
    assert "Already recorded" in turn.text
    assert turn.awaiting.slot not in ("polyneuropathy", "neuropathy_demyelinating")


def _workup_to_vegf(bot: DialogueManager, value: str, specimen: str) -> Turn:
    """Walk the workup to the VEGF step (neuropathy, demyelination, M-protein and lambda all yes) and give a level."""
    turn = say(bot, "/workup", "yes", "yes", "yes", "lambda")
    assert turn.awaiting.slot == "vegf_pg_ml", turn.awaiting
    return say(bot, value, specimen)


def test_workup_asks_the_lab_flag_of_a_low_plasma_vegf_where_it_could_change_the_verdict(bot):
    turn = _workup_to_vegf(bot, "150", "plasma")
    assert turn.awaiting.slot == "vegf_elevated"  # a flag of elevated would leave VEGF open: worth asking


def test_workup_does_not_ask_the_lab_flag_of_a_plasma_vegf_above_200(bot):
    turn = _workup_to_vegf(bot, "640", "plasma")
    assert turn.awaiting.slot != "vegf_elevated"


def test_workup_does_not_ask_the_lab_flag_once_another_major_is_met(bot):
    say(bot, "4 sclerotic bone lesions")
    turn = _workup_to_vegf(bot, "150", "plasma")
    assert turn.awaiting is None or turn.awaiting.slot != "vegf_elevated"


# -- commands -----------------------------------------------------------------------------------------


def test_help(bot):
    text = bot.respond("/help").text
    for command in ("/assess", "/treat", "/workup", "/criteria", "/cautions", "/refs", "/export", "/reset", "/case"):
        assert command in text


def test_criteria_command_shows_the_criteria_fact(bot, kb):
    turn = bot.respond("/criteria")
    assert kb.facts["criteria.rule"].title in turn.text and turn.intent == "criteria.rule"
    assert turn.citations == sorted(set(kb.facts["criteria.rule"].citations))


def test_cautions_command_lists_four_cited_cautions(bot, kb):
    turn = bot.respond("/cautions")
    assert turn.text.count("\n- ") == 4
    assert set(kb.statements["avoid_bevacizumab"].citations) <= set(turn.citations)


def test_refs(bot, kb):
    assert kb.review in bot.respond("/refs").text
    turn = bot.respond("/refs 31")
    assert turn.text.startswith("31. ") and turn.citations == [31]
    assert "no reference 999" in bot.respond("/refs 999").text


def test_case_and_reset(bot):
    say(bot, "no papilledema")
    assert "papilledema: no" in bot.respond("/case").text
    say(bot, DIAGNOSE)
    turn = bot.respond("/reset")
    assert bot.recorded == {} and bot.flow is None and turn.awaiting is None


def test_export(bot, tmp_path):
    say(bot, DIAGNOSE, "yes")
    target = tmp_path / "chat.md"
    turn = bot.respond(f"/export {target}")
    assert str(target) in turn.text and turn.awaiting.slot == "neuropathy_demyelinating"  # still asking
    text = target.read_text()
    assert "## Transcript" in text and "**You:** does my patient have POEMS?" in text
    assert "## Current assessment" in text and "Verdict:" in text
    page = (tmp_path / "chat.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page and "Demyelinating polyneuropathy" in page


def test_export_without_a_path_goes_to_the_export_folder(bot, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEBOT_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.chdir(tmp_path)
    turn = bot.respond("/export")
    written = sorted((tmp_path / "exports").iterdir())
    assert [p.suffix for p in written] == [".html", ".md"]
    assert all(str(p) in turn.text for p in written)  # the full path, not a bare name
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in written)
    assert not list(tmp_path.glob("*.md"))  # never the current directory
    turn = bot.respond("/export named.md")
    assert str(tmp_path / "exports" / "named.md") in turn.text


def test_unknown_command_mid_flow_keeps_asking(bot):
    turn = say(bot, DIAGNOSE, "/frobnicate")
    assert "Unknown command /frobnicate" in turn.text and turn.awaiting.slot == "polyneuropathy"


def test_number_without_suggestions(bot):
    assert "no numbered list" in bot.respond("3").text


# -- input cleaning -----------------------------------------------------------------------------------


def test_clean_input():
    # a whole escape sequence goes, not just its ESC (which would leave "[31m" behind), typed out or real
    assert clean_input("a\x00b\x1b[31mc\td") == ("a bc d", None)
    assert clean_input("VEGF \\x1b[31m high") == ("VEGF high", None)
    long, notice = clean_input("x" * (MAX_INPUT_CHARS + 10))
    assert len(long) == MAX_INPUT_CHARS and "cut" in notice


def test_long_input_gets_a_notice(bot):
    assert "cut to its first" in bot.respond("y" * 100_000).text


@pytest.mark.parametrize(
    "text, question",
    [("what is the VEGF cutoff?", True), ("vegf cutoff?", True), ("how do I treat", True), ("?", False),
     ("why?", False), ("yes", False), ("not sure?", False), ("2 lesions", False)],
)
def test_looks_like_question(text, question):
    assert looks_like_question(text) is question


# -- the event log, persistence and resuming --------------------------------------------------------------


def test_replaying_the_events_rebuilds_the_state(bot):
    say(bot, DIAGNOSE, "yes", "skip", "back", "yes", "lambda M-protein")
    rebuilt = replay(bot.events)
    assert rebuilt.values == bot.state.values
    assert rebuilt.flow == bot.flow and rebuilt.awaiting == bot.state.awaiting
    assert rebuilt.skipped == bot.state.skipped and len(rebuilt.history) == len(bot.state.history)


def test_every_turn_is_saved_and_resumes(kb, tmp_path):
    store = SessionStore(directory=tmp_path)
    bot = DialogueManager(kb=kb, store=store)
    bot.greeting()
    say(bot, DIAGNOSE, "yes")
    lines = store.path.read_text().splitlines()
    assert [json.loads(line)["event"] for line in lines][-1] == "bot_said"
    again = DialogueManager.resume(None, kb=kb, directory=tmp_path)
    assert again.session_id == store.session_id
    assert again.case == bot.case and again.awaiting == bot.awaiting
    assert again.last_turn() == bot.last_turn() == bot.state.last_turn
    assert "Resumed session" in again.resumed_turn().text
    turn = again.respond("yes")  # carries on where it stopped
    assert turn.awaiting.slot == "monoclonal_plasma_cell_disorder"
    assert len(SessionStore.open(store.session_id, tmp_path).load()) == len(again.events)


def test_a_torn_last_turn_is_dropped(kb, tmp_path):
    store = SessionStore(directory=tmp_path)
    bot = DialogueManager(kb=kb, store=store)
    bot.greeting()
    say(bot, DIAGNOSE, "yes")
    with open(store.path, "a") as fh:
        fh.write('{"event":"user_said","text":"no"}\n{"event":"slot_se')  # killed mid-turn
    again = DialogueManager.resume(store.session_id, kb=kb, directory=tmp_path)
    assert again.case.neuropathy_demyelinating is None and again.awaiting.slot == "neuropathy_demyelinating"
    assert store.path.read_text().endswith('"}}\n') or store.path.read_text().endswith("}\n")


def test_missing_and_corrupt_sessions_are_errors(kb, tmp_path):
    with pytest.raises(GuidebotError, match="no saved chat session"):
        DialogueManager.resume(None, kb=kb, directory=tmp_path)
    with pytest.raises(GuidebotError, match="no saved chat session 'nope'"):
        DialogueManager.resume("nope", kb=kb, directory=tmp_path)
    (tmp_path / "bad.jsonl").write_text('not json\n{"event":"bot_said","turn":{}}\n')
    with pytest.raises(GuidebotError, match=r"bad.jsonl:1: corrupt"):
        DialogueManager.resume("bad", kb=kb, directory=tmp_path)
    with pytest.raises(GuidebotError, match="invalid session id"):
        DialogueManager.resume("../etc/passwd", kb=kb, directory=tmp_path)


def test_unsaved_session_writes_nothing(kb, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path))
    bot = DialogueManager(kb=kb)
    bot.greeting()
    bot.respond(DIAGNOSE)
    assert not any(tmp_path.iterdir())


def test_assessment_is_live(bot):
    say(bot, "demyelinating neuropathy, lambda M-protein")
    assert bot.assessment().criteria["mandatory"]["polyneuropathy"] == "met"
    assert isinstance(bot.case, Case)


def test_dialogue_and_chat_cli_never_import_textual():
    code = "import sys, guidebot.dialogue, guidebot.cli.chat; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_findings_in_a_question_about_a_patient_are_kept(bot):
    turn = bot.respond("my patient has papilledema, is bevacizumab safe?")
    assert "Recorded:" in turn.text and bot.case.papilledema is True
    assert turn.intent == "treatment.bevacizumab"


def test_findings_in_a_general_question_are_not_recorded(bot):
    bot.respond("what does papilledema look like in POEMS?")
    assert bot.recorded == {}


def test_a_session_with_an_invalid_finding_is_corrupt(kb, tmp_path):
    events = [
        {"event": "session_started", "session_id": "odd"},
        {"event": "user_said", "text": "x"},
        {"event": "slot_set", "field": "sclerotic_bone_lesions", "value": "many", "source": "answer"},
        {"event": "bot_said", "turn": {"text": "hi"}},
    ]
    (tmp_path / "odd.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    with pytest.raises(GuidebotError, match="a recorded finding is invalid"):
        DialogueManager.resume("odd", kb=kb, directory=tmp_path)


def test_a_failing_turn_leaves_no_trace(bot, monkeypatch):
    before = list(bot.events)
    say(bot, DIAGNOSE)
    before = list(bot.events)
    monkeypatch.setattr(bot, "_advance", lambda parts: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        bot.respond("yes")
    assert bot.events == before and bot.case.polyneuropathy is None
    assert bot.awaiting.slot == "polyneuropathy"


def test_a_resumed_workup_carries_on_at_the_same_step(kb, tmp_path):
    bot = DialogueManager(kb=kb, store=SessionStore(directory=tmp_path))
    bot.greeting()
    turn = say(bot, "/workup", "yes", "yes", "yes")
    again = DialogueManager.resume(None, kb=kb, directory=tmp_path)
    assert again.state.workup_index == bot.state.workup_index
    assert again.state.workup_entered == bot.state.workup_entered
    assert again.last_turn().progress == turn.progress
    assert again.respond("lambda").to_json() == bot.respond("lambda").to_json()


def test_restart_outside_a_flow_clears_nothing(bot):
    say(bot, "no papilledema")
    turn = bot.respond("restart")
    assert "no guided assessment to restart" in turn.text and bot.case.papilledema is False


def test_asking_for_the_same_flow_mid_flow_carries_on(bot):
    say(bot, DIAGNOSE, "yes")
    turn = bot.respond("does my patient meet the criteria?")
    assert bot.flow == "diagnosis" and turn.awaiting.slot == "neuropathy_demyelinating"
    assert bot.case.polyneuropathy is True


def test_a_bare_topic_word_is_a_question_not_a_finding(bot):
    turn = bot.respond("papilledema")
    assert bot.recorded == {} and turn.citations


def test_a_bare_topic_word_while_asking_is_a_finding(bot):
    say(bot, DIAGNOSE)
    bot.respond("papilledema")
    assert bot.case.papilledema is True


def test_a_short_answer_that_starts_like_a_question_is_an_answer(bot):
    say(bot, DIAGNOSE, "is present")
    assert bot.case.polyneuropathy is True


def test_a_question_holding_a_number_is_not_taken_as_the_answer(bot):
    turn = say(bot, DIAGNOSE, "yes", "yes", "yes", "0")
    while turn.awaiting and turn.awaiting.slot != "vegf_pg_ml":
        turn = bot.respond("no")
    assert turn.awaiting.slot == "vegf_pg_ml"
    turn = bot.respond("what about 200?")
    assert "vegf_pg_ml" not in bot.recorded and turn.awaiting.slot == "vegf_pg_ml"
