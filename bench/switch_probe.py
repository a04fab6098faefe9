"""Topic-switch probe: is a self-contained question answered mid-conversation as it is answered alone? (issue 14)

Questions: the in-scope questions of tests/eval/train/*/in_scope.yaml and the `opener` / `switch` turns of
tests/eval/dialogue/dev/dialogue_*.yaml, kept only when a fresh conversation answers them right. Contexts: the
first 1-3 turns of the dev conversations (openers, context turns, acts, findings...), sampled deterministically
across the kinds of focus they leave (drug, cohort, test, complication, patient...). Each (context, question) pair
is sent as the next turn after its context in a fresh `DialogueManager`, and its answer (fact or decline) is
compared with the answer alone. Printed: pairs, % unchanged, the changes to a wrong answer by the mechanism that
read the turn (from the turn's `Reading`, plus which branch of `choose` / `stays` decided, recorded by wrapping
them), the most frequent (question section, context kind) confusions, and the reverse sanity check: the dev
`context` turns, sent alone, mostly should NOT be right (they need their conversation).

Only train/dev data is read; never the held-out sets. Deterministic (hash-ordered samples). Not a timed test.
Run: `.venv/bin/python bench/switch_probe.py [--pairs N] [--contexts N] [--examples N]`.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT / "tests" / "eval" / "train"
DEV = ROOT / "tests" / "eval" / "dialogue" / "dev"
QUESTION_POOL = 900
"""Hash-ordered questions checked alone (the kept ones form the question set)."""
CONTEXTS = 36
PAIRS = 3000


def _key(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


class Question(NamedTuple):
    text: str
    expect: tuple[str, ...]
    origin: str


class Context(NamedTuple):
    name: str
    """conversation id and prefix length, e.g. a02[:2]."""
    turns: tuple[str, ...]
    kind: str
    """What the focus left by the prefix is about: patient, an entity kind (drug, cohort...), or general."""


class Outcome(NamedTuple):
    """What a turn answered: the fact, or the act, flow or decline it became."""

    label: str

    @staticmethod
    def of(turn: Any) -> Outcome:
        if turn.act and turn.act != "command":
            return Outcome(f"act:{turn.act}")
        if turn.recorded:
            return Outcome("recorded")
        if turn.awaiting is not None:
            return Outcome("flow")
        if turn.in_scope is False:
            return Outcome("declined")
        return Outcome(str(turn.intent))


@dataclass
class Spy:
    """What `choose` and `stays` decided during the last turn (the manager's module names are wrapped)."""

    choice: str | None = None
    why: str | None = None
    stayed: bool = False
    calls: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.choice, self.why, self.stayed = None, None, False


def _choose_branch(rewrite: Any, alone: Any, context: Any, names_unknown: bool, focus_covers: Any, focus_general: bool) -> str:
    """Which rule of `choice.choose` decided (its branches in order; kept in step with that function)."""
    from guidebot.dialogue import choice as c

    if context is None or (alone.in_scope and alone.is_flow and not rewrite.leans):
        return "no contextual reading"
    if rewrite.names and not rewrite.leans:
        return "names new, no lean"
    if rewrite.names and not rewrite.bare:
        return "names + leans (context when answered)"
    if rewrite.names:
        return "bare entity (context at least as sure)"
    if not alone.in_scope and (alone.reason in c.DECLINES_NAMING_SOMETHING_ELSE or names_unknown):
        return "alone declined naming else"
    if (c.UNLEANING_TURN_KEEPS_ITS_ANSWER and not rewrite.leans and not rewrite.bare and not context.in_scope
            and alone.in_scope and not alone.is_flow):
        return "unleaning turn keeps its answer"
    if (not rewrite.leans or rewrite.elliptical) and alone.in_scope and not alone.is_flow and alone.confidence >= context.confidence:
        return "names nothing, alone as sure"
    if rewrite.bare and rewrite.facets and focus_covers is not None:
        if focus_covers:
            return "bare facet, focus covers it"
        if focus_general and alone.in_scope and not alone.is_flow and alone.confidence >= context.confidence:
            return "bare facet of POEMS"
        if not focus_general:
            return "bare facet of focus entity"
    if (c.REWRITE_CAUSED_DECLINE_YIELDS and not context.in_scope and context.reason in c.DECLINES_NAMING_SOMETHING_ELSE
            and not rewrite.names and not rewrite.facets and alone.in_scope and not alone.is_flow):
        return "rewrite-caused decline yields"
    if alone.in_scope and context.in_scope and alone.confidence > context.confidence + c.ALONE_MARGIN:
        return "alone clearly surer (ALONE_MARGIN)"
    lean = "leans" if rewrite.leans else "no lean"
    return f"default context ({lean}, names nothing{', facets' if rewrite.facets else ''})"


def install_spy() -> Spy:
    from guidebot.dialogue import reading

    spy = Spy()
    real_choose, real_stays = reading.choose, reading.stays

    def choose(rewrite, alone, context, names_unknown=False, focus_covers=None, focus_general=False):  # type: ignore[no-untyped-def]
        spy.choice = real_choose(rewrite, alone, context, names_unknown=names_unknown, focus_covers=focus_covers,
                                 focus_general=focus_general)
        spy.why = _choose_branch(rewrite, alone, context, names_unknown, focus_covers, focus_general)
        return spy.choice

    def stays(*args, **kwargs):  # type: ignore[no-untyped-def]
        spy.stayed = real_stays(*args, **kwargs)
        return spy.stayed

    reading.choose, reading.stays = choose, stays
    return spy


def mechanism(turn: Any, spy: Spy) -> str:
    """The rule that decided how the turn was read (from its `Reading`, then `choose` / `stays`)."""
    if turn.act and turn.act != "command":
        return f"taken as act ({turn.act})"
    if turn.recorded:
        return "recorded as finding"
    if turn.awaiting is not None:
        return "started a flow"
    read = turn.focus
    if read is None:
        return "no reading"
    for flag, name in (("switch", "switch marker"), ("patient_treatment", "patient treatment"),
                       ("not_given", "not_given decline"), ("not_stated", "not_stated decline (strict facet)"),
                       ("sibling", "sibling card (near/topic/section)"), ("empty", "empty turn -> last answer"),
                       ("echo", "echo of last answer"), ("new_topic", "new topic"), ("disease", "disease question")):
        if getattr(read, flag):
            return name
    if read.reading == "alone":
        return "anchored entity" if read.stayed else ("alone: " + spy.why if spy.why else "alone")
    if spy.stayed:
        return f"stays in neighbourhood [{spy.why}]"
    if read.stayed:
        return "bare facet stated by focus" if spy.why is None else f"stayed [{spy.why}]"
    return f"context: {spy.why}" if spy.why else "context (choose)"


def load_questions() -> list[Question]:
    out: dict[str, Question] = {}
    for path in sorted(TRAIN.glob("*/in_scope.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("questions") or []:
            expect = item.get("expect_any") or ([item["expect"]] if item.get("expect") else [])
            if expect and isinstance(item.get("q"), str):
                out.setdefault(item["q"], Question(item["q"], tuple(map(str, expect)), path.parent.name))
    for path in sorted(DEV.glob("dialogue_*.yaml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            for turn in conversation["turns"]:
                expect = turn.get("expect_any") or ([turn["expect"]] if turn.get("expect") else [])
                if turn.get("kind") in ("opener", "switch") and expect:
                    out.setdefault(str(turn["say"]), Question(str(turn["say"]), tuple(map(str, expect)), f"dev-{turn['kind']}"))
    return sorted(out.values(), key=lambda q: _key(q.text))


def dev_conversations() -> list[dict[str, Any]]:
    return [c for path in sorted(DEV.glob("dialogue_*.yaml"))
            for c in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]]


def focus_kind(bot: Any) -> str:
    focus = bot.focus
    if focus.patient:
        return "patient"
    if focus.entities and bot.reader is not None and focus.entities[0] in bot.reader.entities:
        return bot.reader.entities[focus.entities[0]].kind
    return "general" if focus.fact else "none"


def build_contexts(kb: Any, router: Any, count: int, scan: int | None = None) -> list[Context]:
    """Prefixes of 1-3 turns leaving a focus and no open question, round-robin over focus kinds, hash-ordered;
    from the first `scan` hash-ordered conversations (all when None)."""
    from guidebot.dialogue.manager import DialogueManager

    by_kind: dict[str, list[Context]] = {}
    for conversation in sorted(dev_conversations(), key=lambda c: _key(str(c["id"])))[:scan]:
        says = [str(t["say"]) for t in conversation["turns"]]
        bot = DialogueManager(kb=kb, router=router, store=None)
        for n, say in enumerate(says[:3], 1):
            bot.respond(say)
            if bot.awaiting is not None or bot.flow is not None:
                break  # mid-flow a message is an answer to the open question, not a question: another probe
            kind = focus_kind(bot)
            if kind != "none":
                ctx = Context(f"{conversation['id']}[:{n}]", tuple(says[:n]), kind)
                by_kind.setdefault(kind, []).append(ctx)
    for kind in by_kind:
        by_kind[kind].sort(key=lambda c: _key(c.name))
    chosen: list[Context] = []
    while len(chosen) < count and any(by_kind.values()):
        for kind in sorted(by_kind):
            if by_kind[kind] and len(chosen) < count:
                chosen.append(by_kind[kind].pop(0))
    return chosen


def fact_section(kb: Any, fact_id: str) -> str:
    fact = kb.facts.get(fact_id)
    return fact.section if fact is not None else fact_id.split(".")[0]


@dataclass
class ProbeResult:
    pairs: int = 0
    unchanged: int = 0
    changed_right: int = 0
    wrong: Counter = field(default_factory=Counter)
    """mechanism -> changed-to-wrong count."""
    confusions: Counter = field(default_factory=Counter)
    """(question section, context kind) -> changed-to-wrong count."""
    define_acts: int = 0
    """Changed pairs answered by the define act from the glossary (the same meaning as alone): not counted wrong."""
    wrong_leaning: int = 0
    """Changed-to-wrong pairs whose question itself leans (a short turn with a pronoun, or an opener such as "and ..."):
    self-contained alone, ambiguous after a focus ("do we actually know what causes this?")."""
    examples: dict[str, list[str]] = field(default_factory=dict)
    by_context_kind: Counter = field(default_factory=Counter)
    pairs_by_context_kind: Counter = field(default_factory=Counter)

    @property
    def unchanged_rate(self) -> float:
        return self.unchanged / self.pairs if self.pairs else 0.0


def kept_questions(kb: Any, router: Any, pool: int) -> tuple[list[Question], dict[str, Outcome], int]:
    """The first `pool` hash-ordered questions that a fresh conversation answers right; their alone answers."""
    from guidebot.dialogue.manager import DialogueManager

    questions = load_questions()
    kept, alone = [], {}
    for q in questions[:pool]:
        turn = DialogueManager(kb=kb, router=router, store=None).respond(q.text)
        if turn.in_scope and not turn.act and turn.intent in q.expect and turn.awaiting is None:
            kept.append(q)
            alone[q.text] = Outcome.of(turn)
    return kept, alone, len(questions)


def pair_sample(contexts: list[Context], questions: list[Question], pairs: int) -> list[tuple[Context, Question]]:
    """`pairs` (context, question) pairs, hash-ordered, every context getting an equal share."""
    per = max(1, pairs // max(1, len(contexts)))
    out = []
    for ctx in contexts:
        ranked = sorted(questions, key=lambda q: _key(ctx.name, q.text))
        out += [(ctx, q) for q in ranked[:per]]
    return out


def run_probe(kb: Any, router: Any, contexts: list[Context], questions: list[Question], alone: dict[str, Outcome],
              pairs: int, spy: Spy, keep_examples: int = 3) -> ProbeResult:
    from guidebot.dialogue.manager import DialogueManager

    result = ProbeResult()
    logs: dict[str, list[Any]] = {}
    for ctx in contexts:  # replaying a context's events is much cheaper than re-answering its turns
        bot = DialogueManager(kb=kb, router=router, store=None)
        for say in ctx.turns:
            bot.respond(say)
        logs[ctx.name] = list(bot.events)
    for ctx, q in pair_sample(contexts, questions, pairs):
        bot = DialogueManager(kb=kb, router=router, store=None, events=list(logs[ctx.name]))
        spy.reset()
        turn = bot.respond(q.text)
        got = Outcome.of(turn)
        result.pairs += 1
        result.pairs_by_context_kind[ctx.kind] += 1
        if got == alone[q.text]:
            result.unchanged += 1
            continue
        if turn.in_scope and turn.intent in q.expect:  # as `guidebot eval --dialogue` scores an opener
            result.changed_right += 1
            continue
        if turn.act == "define" and turn.in_scope:
            # "CR_H abbreviation" after any card: the glossary's meaning, as alone (under the last card's intent)
            result.define_acts += 1
            continue
        why = mechanism(turn, spy)
        result.wrong[why] += 1
        if bot.reader is not None and bot.reader.leans(q.text):
            result.wrong_leaning += 1
        result.by_context_kind[ctx.kind] += 1
        result.confusions[(fact_section(kb, q.expect[0]), ctx.kind)] += 1
        shown = result.examples.setdefault(why, [])
        if len(shown) < keep_examples:
            shown.append(f"{ctx.name} {ctx.turns[-1]!r} -> {q.text!r}: {alone[q.text].label} -> {got.label}")
    return result


def probe(kb: Any, router: Any, *, pool: int = QUESTION_POOL, contexts: int = CONTEXTS, pairs: int = PAIRS,
          scan: int | None = None, spy: Spy | None = None) -> tuple[ProbeResult, int, list[Context]]:
    """(the result, the questions kept, the contexts) of one probe run; `spy` from `install_spy` names the branches."""
    questions, alone, _ = kept_questions(kb, router, pool)
    chosen = build_contexts(kb, router, contexts, scan)
    return run_probe(kb, router, chosen, questions, alone, pairs, spy or Spy(), 0), len(questions), chosen


def dev_context_turns(kb: Any, router: Any) -> tuple[int, int, int]:
    """The reverse direction: (dev context turns, right in their conversation, right alone)."""
    from guidebot.cli.eval_dialogue import turn_right
    from guidebot.dialogue.manager import DialogueManager

    total = in_context = by_itself = 0
    for conversation in dev_conversations():
        bot = DialogueManager(kb=kb, router=router, store=None)
        for item in conversation["turns"]:
            turn = bot.respond(str(item["say"]))
            if item.get("kind") == "context":
                total += 1
                in_context += turn_right(item, turn)
                by_itself += turn_right(item, DialogueManager(kb=kb, router=router, store=None).respond(str(item["say"])))
    return total, in_context, by_itself


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=PAIRS)
    parser.add_argument("--contexts", type=int, default=CONTEXTS)
    parser.add_argument("--pool", type=int, default=QUESTION_POOL, help="hash-ordered questions checked alone")
    parser.add_argument("--examples", type=int, default=3, help="examples shown per mechanism")
    args = parser.parse_args(argv)

    from guidebot.knowledge import load_knowledge
    from guidebot.routing import get_router

    start = time.perf_counter()
    kb, router = load_knowledge(), get_router()
    spy = install_spy()
    questions, alone, total = kept_questions(kb, router, args.pool)
    contexts = build_contexts(kb, router, args.contexts)
    print(f"questions: {len(questions)} kept of {min(args.pool, total)} checked alone ({total} available)")
    print(f"contexts: {len(contexts)} ({', '.join(f'{k} {n}' for k, n in sorted(Counter(c.kind for c in contexts).items()))})")
    result = run_probe(kb, router, contexts, questions, alone, args.pairs, spy, args.examples)
    wrong = sum(result.wrong.values())
    print(f"pairs: {result.pairs}; unchanged {100 * result.unchanged_rate:.1f}% ({result.unchanged}); "
          f"changed but still right {result.changed_right}; "
          f"define act (same meaning) {result.define_acts}; changed to wrong {wrong} "
          f"({100 * wrong / max(1, result.pairs):.1f}%), of which the question itself leans: {result.wrong_leaning}")
    print("changed to wrong, by context kind (wrong / pairs):")
    for kind, n in sorted(result.pairs_by_context_kind.items()):
        print(f"  {kind:<12} {result.by_context_kind[kind]:>4} / {n}")
    print("changed to wrong, by mechanism:")
    for why, n in result.wrong.most_common():
        print(f"  {n:>4}  {why}")
        for example in result.examples.get(why, []):
            print(f"          e.g. {example}")
    print("top 15 (question section, context kind) confusions:")
    for (section, kind), n in result.confusions.most_common(15):
        print(f"  {n:>4}  {section} <- {kind}")
    total_ctx, right_ctx, right_alone = dev_context_turns(kb, router)
    print(f"reverse sanity: dev context turns {total_ctx}: right in conversation {right_ctx} "
          f"({100 * right_ctx / max(1, total_ctx):.1f}%), right alone {right_alone} ({100 * right_alone / max(1, total_ctx):.1f}%)")
    print(f"elapsed {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
