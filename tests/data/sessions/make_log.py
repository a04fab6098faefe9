"""Write a session log with every event kind, as this checkout writes it: `python tests/data/sessions/make_log.py OUT.jsonl TMPDIR`.

written_by_round9.jsonl (and its .expected.json, the state it resumes to) was made with it at main bed55d3,
before events were typed; tests/test_session_log.py checks that such a log still resumes, byte for byte.
"""
import json, sys
from pathlib import Path
from guidebot.dialogue import DialogueManager, SessionStore
from guidebot.knowledge import load_knowledge

out = Path(sys.argv[1])
tmp = Path(sys.argv[2])
kb = load_knowledge()
store = SessionStore("fixture-main", tmp)
bot = DialogueManager(kb=kb, store=store)
bot.greeting()
lines = [
    "what is the VEGF cutoff?",           # focus_set
    "source?",                            # act
    "that's not what I asked",            # suggestions_offered
    "my pt has papilledema, is bevacizumab safe?",  # volunteered slot_set, recording
    "undo",                               # recording_undone, slot_cleared(undo)
    "62M, demyelinating neuropathy, no organomegaly",  # recorded outside a flow
    "my patient has papilledema and 2 sclerotic lesions",  # starts the diagnosis
    "undo",                               # answer_undone with no slot
    "does my patient have POEMS?",        # flow_started, question_asked
    "maybe purple",                       # reply_rejected, reask
    "yes",                                # slot_set answer
    "skip",                               # slot_skipped
    "back",                               # answer_undone + undo events
    "yes",
    "why?",
    "/workup",                            # flow_ended replaced, workup_step
    "yes",
    "not done",
    "/reset",                             # case_reset, flow_ended reset
    "/assess",
    "restart",                            # case_reset + flow_ended restart
    "cancel",                             # flow_ended cancelled
    "demyelinating neuropathy, IgA lambda M-protein, 2 sclerotic lesions, papilledema, VEGF 400 pg/mL. does my patient have POEMS?",
]
turns = []
for line in lines:
    turns.append(bot.respond(line).to_json())
# finish the assessment by answering what it asks with "no"/"not done"
for _ in range(30):
    if bot.awaiting is None:
        break
    turns.append(bot.respond("not done" if bot.awaiting.kind != "bool" else "no").to_json())
turns.append(bot.respond("so what treatment?").to_json())
turns.append(bot.respond("thanks").to_json())
bot.store.release()
out.write_bytes(store.path.read_bytes())
kinds = [json.loads(l)["event"] for l in store.path.read_text().splitlines()]
print(sorted(set(kinds)), len(kinds))
expected = {"recorded": bot.recorded, "flow": bot.flow,
            "awaiting": bot.awaiting.to_json() if bot.awaiting else None,
            "focus": bot.state.focus, "last_turn": turns[-1], "turns": bot.state.turns,
            "verdict": str(bot.assessment().verdict)}
out.with_suffix(".expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
