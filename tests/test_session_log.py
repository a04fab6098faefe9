"""The session log's format: typed events read and written byte for byte as before, and an old log resumes.

tests/data/sessions/written_by_round9.jsonl was written by main at bed55d3, before events were typed
(tests/data/sessions/make_log.py); it holds every event kind the manager emits.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from guidebot.dialogue import DialogueManager, SessionStore
from guidebot.dialogue.events import (
    EVENT_CLASSES,
    FLOWS,
    BotSaid,
    FocusSet,
    MalformedEvent,
    OtherEvent,
    SlotSet,
    event_from_json,
    events_to_jsonl,
)
from guidebot.dialogue.state import INTENT_OF_FLOW
from guidebot.errors import GuidebotError

DATA = Path(__file__).parent / "data" / "sessions"
OLD_LOG = DATA / "written_by_round9.jsonl"


@pytest.fixture
def old_session(tmp_path: Path) -> Path:
    """The old log as a saved session `old` in a sessions directory of its own."""
    shutil.copy(OLD_LOG, tmp_path / "old.jsonl")
    return tmp_path


def test_the_old_log_reads_as_typed_events_and_writes_back_byte_for_byte():
    raw = OLD_LOG.read_text(encoding="utf-8")
    events = [event_from_json(json.loads(line)) for line in raw.splitlines()]
    assert {e.KIND for e in events} == set(EVENT_CLASSES)  # the fixture covers every kind
    assert not any(isinstance(e, OtherEvent) for e in events)
    assert events_to_jsonl(events) == raw


def test_the_old_log_resumes_to_the_state_it_was_written_in(kb, old_session):
    expected = json.loads(OLD_LOG.with_suffix(".expected.json").read_text(encoding="utf-8"))
    bot = DialogueManager.resume("old", kb=kb, directory=old_session)
    assert bot.recorded == expected["recorded"] and bot.flow == expected["flow"]
    assert (bot.awaiting.to_json() if bot.awaiting else None) == expected["awaiting"]
    assert bot.state.focus.to_json() == expected["focus"] and bot.state.turns == expected["turns"]
    assert bot.last_turn().to_json() == expected["last_turn"]
    assert str(bot.assessment().verdict) == expected["verdict"]
    bot.store.release()


def test_a_resumed_old_log_carries_on_and_keeps_its_lines(kb, old_session):
    before = (old_session / "old.jsonl").read_bytes()
    bot = DialogueManager.resume("old", kb=kb, directory=old_session)
    turn = bot.respond("/case")
    assert "Recorded findings" in turn.text and "2" in turn.text  # the two sclerotic lesions recorded before
    bot.store.release()
    after = (old_session / "old.jsonl").read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 2  # user_said, bot_said


def test_a_new_log_reads_back_to_the_same_events(kb, tmp_path):
    store = SessionStore("new", tmp_path)
    bot = DialogueManager(kb=kb, store=store)
    bot.greeting()
    for line in ("what is the VEGF cutoff?", "does my patient have POEMS?", "yes", "skip", "back", "no"):
        bot.respond(line)
    store.release()
    raw = store.path.read_text(encoding="utf-8")
    assert raw == events_to_jsonl(bot.events)
    assert [event_from_json(json.loads(line)) for line in raw.splitlines()] == bot.events


def test_a_logged_turn_is_what_was_shown_even_if_a_front_end_changes_it(kb):
    bot = DialogueManager(kb=kb)
    turn = bot.greeting()
    turn.text = "changed by the front end"
    assert bot.events[-1].turn.text != turn.text


@pytest.mark.parametrize(
    "line, reason",
    [
        ({"event": "slot_set", "field": 3, "value": 1}, "slot_set without a valid field"),
        ({"event": "slot_set", "field": "papilledema"}, "slot_set without a value"),
        ({"event": "question_asked", "slot": True}, "question_asked without a valid slot"),
        ({"event": "workup_step", "index": -1}, "workup_step index out of range"),
        ({"event": "focus_set", "focus": "vegf"}, "focus_set without a valid focus"),
        # Focus.from_json would take these (three entities "a", "b", "c"); ["x"] as citations reached the next
        # turn's citations and made the log unreadable once that turn was written
        ({"event": "focus_set", "focus": {"entities": "abc"}}, "focus_set with an invalid focus"),
        ({"event": "focus_set", "focus": {"citations": ["x"]}}, "focus_set with an invalid focus"),
        ({"event": "focus_set", "focus": {"alternatives": ["x"]}}, "focus_set with an invalid focus"),
        ({"event": "focus_set", "focus": {"fact": 7}}, "focus_set with an invalid focus"),
        ({"event": "focus_set", "focus": {"text": None}}, "focus_set with an invalid focus"),
        ({"event": "suggestions_offered", "suggestions": [1]}, "suggestions_offered with invalid suggestions"),
        # picking these by number was an internal error (KeyError) after a resume
        ({"event": "suggestions_offered", "suggestions": [{"title": "t"}]}, "suggestions_offered with invalid suggestions"),
        ({"event": "bot_said", "turn": {"text": "x", "suggestions": [{"title": "t"}]}}, "bot_said with invalid suggestions"),
        ({"event": "flow_started", "flow": "bogus"}, "flow_started with an unknown flow"),
        ({"event": "flow_ended", "flow": "bogus", "reason": "done"}, "flow_ended with an unknown flow"),
        ({"event": "bot_said", "turn": {"text": "x", "citations": ["1"]}}, "bot_said with invalid citations"),
        ({"event": "bot_said", "turn": {"text": "x", "focus": []}}, "bot_said with an invalid turn focus"),
        # a resumed chat's first --jsonl line repeats these as they were read
        ({"event": "bot_said", "turn": {"text": "x", "in_scope": "yes"}}, "bot_said with an invalid turn in_scope"),
        ({"event": "bot_said", "turn": {"text": "x", "progress": "step 2"}}, "bot_said with an invalid turn progress"),
        ({"event": "bot_said", "turn": {"text": "x", "flow": 5}}, "bot_said with an invalid turn flow"),
        ({"event": "bot_said", "turn": {"text": "x", "awaiting": {"slot": "papilledema", "kind": "bool", "question": 5}}},
         "bot_said with an invalid awaiting"),
        ({"event": "bot_said", "turn": {"text": "x", "awaiting": {"slot": "papilledema", "kind": ["bool"]}}},
         "bot_said with an invalid awaiting"),
        ([1, 2], "not an event"),
    ],
)
def test_a_malformed_event_is_named(line, reason):
    with pytest.raises(MalformedEvent, match=reason):
        event_from_json(line)


def test_a_malformed_event_in_a_log_is_one_line_naming_file_and_line(kb, tmp_path):
    good = json.dumps({"event": "bot_said", "turn": {"text": "hi"}})
    (tmp_path / "bad.jsonl").write_text(good + "\n" + json.dumps({"event": "focus_set", "focus": 1}) + "\n" + good + "\n")
    with pytest.raises(GuidebotError) as caught:
        DialogueManager.resume("bad", kb=kb, directory=tmp_path)
    message = str(caught.value)
    assert "\n" not in message and "bad.jsonl:2: corrupt chat session (focus_set without a valid focus)" in message


def test_an_event_of_an_unknown_kind_is_kept_and_ignored(kb, tmp_path):
    lines = [{"event": "user_said", "text": "hi"}, {"event": "from_the_future", "x": [1]}, {"event": "bot_said", "turn": {"text": "hello"}}]
    (tmp_path / "later.jsonl").write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in lines))
    bot = DialogueManager.resume("later", kb=kb, directory=tmp_path)
    assert bot.events[1] == OtherEvent("from_the_future", {"x": [1]}) and bot.last_turn().text == "hello"
    assert events_to_jsonl(bot.events[1:2]) == (tmp_path / "later.jsonl").read_text().splitlines(keepends=True)[1]
    bot.store.release()


def test_events_are_typed_values(kb):
    bot = DialogueManager(kb=kb)
    bot.greeting()
    bot.respond("my patient has papilledema, is bevacizumab safe?")
    kinds = {type(e) for e in bot.events}
    assert {BotSaid, SlotSet, FocusSet} <= kinds
    recorded = next(e for e in bot.events if isinstance(e, SlotSet))
    with pytest.raises(AttributeError):
        recorded.field = "other"  # frozen: the log is append-only


def test_repairing_a_torn_log_keeps_the_lines_it_keeps_as_they_were(kb, tmp_path):
    # a turn without "recorded" (an older guidebot) and keys of a newer one: the repair drops only the torn line
    lines = [
        {"event": "session_started", "session_id": "torn"},
        {"event": "user_said", "text": "hi", "typed_at": 1},
        {"event": "slot_set", "field": "papilledema", "value": True, "source": "volunteered", "note": "newer"},
        {"event": "bot_said", "turn": {"text": "hello", "intent": None, "from_a_newer_guidebot": [1]}},
    ]
    kept = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in lines)
    (tmp_path / "torn.jsonl").write_text(kept + '{"event":"user_sa', encoding="utf-8")
    bot = DialogueManager.resume("torn", kb=kb, directory=tmp_path)
    assert bot.recorded == {"papilledema": True}
    assert (tmp_path / "torn.jsonl").read_text(encoding="utf-8") == kept
    bot.store.release()


def test_a_follow_up_with_null_choices_reads_as_one_without_choices(kb, tmp_path):
    # main's log check let `"choices": null` through; reading it must not become an internal error
    awaiting = {"slot": "papilledema", "kind": "bool", "choices": None, "question": "Papilledema?"}
    lines = [{"event": "user_said", "text": "/assess"}, {"event": "bot_said", "turn": {"text": "Papilledema?", "awaiting": awaiting}}]
    (tmp_path / "nul.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines))
    bot = DialogueManager.resume("nul", kb=kb, directory=tmp_path)
    assert bot.awaiting.choices == [] and bot.awaiting.question == "Papilledema?"
    assert bot.respond("yes").recorded == {"papilledema": True}
    bot.store.release()


def test_the_log_knows_every_guided_flow():
    assert FLOWS == set(INTENT_OF_FLOW)


def _resumable(tmp_path: Path, name: str, turn: dict) -> None:
    lines = [{"event": "user_said", "text": "hi"}, {"event": "bot_said", "turn": turn}]
    (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines))


def test_a_log_awaiting_an_unknown_field_is_corrupt_not_an_internal_error(kb, tmp_path):
    _resumable(tmp_path, "odd", {"text": "?", "awaiting": {"slot": "shoe_size", "kind": "int"}})
    with pytest.raises(GuidebotError, match=r"odd.jsonl: corrupt chat session \(it awaits an answer for an unknown field\)"):
        DialogueManager.resume("odd", kb=kb, directory=tmp_path)


def test_picking_a_suggestion_the_knowledge_no_longer_has_says_so(kb, tmp_path):
    _resumable(tmp_path, "gone", {"text": "1. Gone", "suggestions": [{"intent": "treatment.renamed_since", "title": "Gone"}]})
    bot = DialogueManager.resume("gone", kb=kb, directory=tmp_path)
    assert "no longer available" in bot.respond("1").text
    bot.store.release()


def test_the_documented_log_format_names_every_kind_class_and_payload_key():
    from dataclasses import fields

    from guidebot.dialogue.focus import Focus

    rows = {
        line.split("|")[1].strip(" `"): line
        for line in (Path(__file__).parent.parent / "docs" / "sessions.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    for kind, cls in EVENT_CLASSES.items():
        assert f"`{cls.__name__}`" in rows[kind], kind
        for spec in fields(cls):
            assert re.search(rf"`{spec.name}[`:]", rows[kind]), (kind, spec.name)
    for key in Focus().to_json():
        assert f"`{key}`" in rows["focus_set"], key


def test_a_turns_parts_are_typed_values_and_the_old_log_holds_each(kb):
    from guidebot.dialogue.turns import AssessmentShown, Progress, Reading, Suggestion

    turns = [e.turn for e in (event_from_json(json.loads(line)) for line in OLD_LOG.read_text().splitlines())
             if isinstance(e, BotSaid)]
    assert any(t.suggestions for t in turns) and all(isinstance(s, Suggestion) for t in turns for s in t.suggestions)
    assert any(isinstance(t.focus, Reading) for t in turns)
    assert any(isinstance(t.assessment, AssessmentShown) and t.assessment.notes_cited is not None for t in turns)
    bot = DialogueManager(kb=kb)
    turn = bot.respond("/workup")
    assert isinstance(turn.progress, Progress) and turn.progress.step == 1


@pytest.mark.parametrize("turn", [
    # an assessment as a log before `notes_cited` and the treatment's cited extensions wrote it
    {"text": "done", "assessment": {"verdict": "meets_criteria", "criteria": {"mandatory": {"polyneuropathy": "met"}},
                                    "missing": [], "next_steps": [], "notes": [],
                                    "treatment": {"approach": "radiation", "rationale": "r [1]", "cautions": ["c"]}}},
    # a reading with every optional key, in the order the manager writes them
    {"text": "t", "focus": {"fact": "f", "entities": [], "reading": "context", "rewritten": "r", "switch": True,
                            "names": [], "facets": ["dose"], "stayed": "g", "echo": True, "not_stated": ["dose"],
                            "not_stated_in": "g", "not_stated_for": []}},
    {"text": "t", "progress": {"step": 2, "of": 11, "title": "Paraprotein testing"},
     "suggestions": [{"intent": "diagnosis.assess", "title": "Check"}]},
])
def test_a_turns_typed_parts_write_back_as_they_were_read(turn):
    line = json.dumps({"event": "bot_said", "turn": turn}, separators=(",", ":"))
    written = json.loads(events_to_jsonl([event_from_json(json.loads(line))]))["turn"]
    assert all(written[key] == value for key, value in turn.items())
    assert json.dumps({k: written[k] for k in turn}) == json.dumps(turn)  # key order too
