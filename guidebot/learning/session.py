"""One quiz, line by line: `QuizSession.respond(text) -> QuizTurn`, the core every quiz front end drives.

`guidebot quiz --plain / --jsonl` and the UI's quiz screen call `start` (or `resume`), `greeting`, then
`respond` once per line. A line is an answer, or one of the commands `skip`, `hint`, `why?` and `stop`.
Each answer is graded, reviewed in the learner's store (fsrs: right = Good, right after a hint = Hard,
wrong or "I don't know" = Again) and the quiz's place saved, so `--resume` continues where it stopped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

from guidebot.errors import InputError
from guidebot.learning.cases import APPROACHES, VERDICTS
from guidebot.learning.grading import DONT_KNOW, Grade, approach_in, grade, grade_case, parse_approach, parse_verdict
from guidebot.learning.items import KINDS, Item, QuizBank, bank_for, literal

MAX_ANSWER_CHARS = 1000
"""Longer answers are cut: no key point or value needs more."""
DEFAULT_COUNT = 10
MAX_COUNT = 500

RATING_AGAIN, RATING_HARD, RATING_GOOD = 1, 2, 3
"""fsrs ratings (fsrs.Rating values) given for a wrong answer, a right one after a hint, a right one."""

COMMANDS = {"skip": "skip", "next": "skip", "hint": "hint", "why": "why", "why?": "why", "stop": "stop", "quit": "stop", "exit": "stop"}
"""Words that are commands rather than answers (compared after lowercasing and trimming)."""

HELP_LINE = "_Answer, or type: hint · skip · why? · stop_"


@dataclass(frozen=True)
class QuizOptions:
    """What a quiz draws from and how many items it deals."""

    topic: str | None = None
    """Only this section of the review (a fact `section`, or `cases`)."""
    cases: bool = False
    """Only practice cases."""
    seed: int | None = None
    """Deal a fixed sequence (the same for everyone, whatever their schedule); None deals due items first."""
    count: int = DEFAULT_COUNT
    """How many items."""

    def to_json(self) -> dict[str, Any]:
        """The options as saved with a quiz."""
        return {"topic": self.topic, "cases": self.cases, "seed": self.seed, "count": self.count}


@dataclass(frozen=True)
class Progress:
    """Where the quiz stands: the `progress` object of `quiz --jsonl`."""

    answered: int
    correct: int
    due: int
    """Items due for review now in the learner's store (0 without a store)."""
    position: int
    """Items dealt so far, the current one included."""
    total: int

    def to_json(self) -> dict[str, Any]:
        """The `progress` object."""
        return {"answered": self.answered, "correct": self.correct, "due": self.due, "position": self.position, "total": self.total}


@dataclass(frozen=True)
class QuizTurn:
    """What the quiz says after one line: the `quiz --jsonl` object (INTERFACE section 8)."""

    text: str
    """Markdown the person sees: the grading of the last answer, then the next item."""
    item: Item | None
    """The item now asked, None when the quiz is over."""
    graded: Grade | None
    """The grading of the previous item; None on the greeting, after a command, and at a case's first step."""
    progress: Progress
    step: Literal["answer", "approach", "done"] = "answer"
    """`approach` when a case waits for its treatment approach after a right verdict."""

    @property
    def choices(self) -> tuple[str, ...]:
        """The numbered choices on offer now (a case's approaches at its second step)."""
        if self.item is None:
            return ()
        return self.item.approach_choices if self.step == "approach" else self.item.choices

    def to_json(self) -> dict[str, Any]:
        """The `quiz --jsonl` object; `item` adds `section` and `step`, `progress` adds `position` and `total`."""
        item = None
        if self.item is not None:
            item = self.item.to_json()
            item["choices"] = list(self.choices)
            item["step"] = self.step
        return {
            "text": self.text,
            "item": item,
            "graded": self.graded.to_json() if self.graded is not None else None,
            "progress": self.progress.to_json(),
        }


def select_items(bank: QuizBank, options: QuizOptions, due_ids: list[str] | None = None, rng: random.Random | None = None) -> list[str]:
    """The ids a quiz deals, kinds taking turns (recall, cloze, choice, case) so no kind crowds out the rest.

    With a seed the order is that seed's shuffle alone; otherwise the learner's due items come first.
    """
    if options.topic is not None and options.topic not in bank.sections():
        raise InputError(f"unknown topic {options.topic!r}; choose one of: {', '.join(bank.sections())}")
    if not 1 <= options.count <= MAX_COUNT:
        raise InputError(f"--count must be between 1 and {MAX_COUNT}, not {options.count}")
    pool = [i for i in bank.items if (not options.cases or i.kind == "case") and (options.topic is None or i.section == options.topic)]
    rng = random.Random(options.seed) if options.seed is not None else (rng or random.Random())
    by_kind = {kind: [i.id for i in pool if i.kind == kind] for kind in KINDS}
    for ids in by_kind.values():
        rng.shuffle(ids)
    dealt: list[str] = []
    if options.seed is None and due_ids:
        in_pool = {i.id for i in pool}
        dealt = [i for i in due_ids if i in in_pool][: options.count]
    taken = set(dealt)
    queues = [[i for i in ids if i not in taken] for ids in by_kind.values()]
    while len(dealt) < options.count and any(queues):
        for queue in queues:
            if queue and len(dealt) < options.count:
                dealt.append(queue.pop(0))
    return dealt


class QuizSession:
    """A quiz in progress over a list of item ids; saves every answer and its place in the store, if any."""

    def __init__(self, kb: Any, item_ids: list[str], store: Any = None, quiz_id: int | None = None, position: int = 0, answered: int = 0, correct: int = 0):
        self.kb = kb
        self.bank = bank_for(kb)
        self.items: list[Item] = [self.bank.by_id[i] for i in item_ids if i in self.bank.by_id]
        """The items dealt, in order (ids the knowledge base no longer yields are dropped on resume)."""
        self.store = store
        """The LearningStore, or None (nothing is remembered)."""
        self.quiz_id = quiz_id
        self.position = min(position, len(self.items))
        """Index of the item now asked."""
        self.answered = answered
        self.correct = correct
        self.step: Literal["answer", "approach", "done"] = "answer" if self.position < len(self.items) else "done"
        self.hinted = False
        """A hint was shown for the current item (a right answer then rates Hard)."""
        self.pending_verdict: str | None = None
        """A case's verdict, held while its approach is asked."""
        self.last_grade: Grade | None = None
        self.titles = {fid: fact.title for fid, fact in kb.facts.items()}

    # -- starting --------------------------------------------------------------------------------------

    @classmethod
    def start(cls, kb: Any, options: QuizOptions, store: Any = None) -> QuizSession:
        """A new quiz dealt by `options` (and the store's due items when there is no seed)."""
        bank = bank_for(kb)
        due = store.due_ids() if store is not None and options.seed is None else None
        ids = select_items(bank, options, due)
        if not ids:
            raise InputError("no quiz items match these options")
        quiz_id = store.start_quiz(options.to_json(), ids) if store is not None else None
        return cls(kb, ids, store, quiz_id)

    @classmethod
    def resume(cls, kb: Any, store: Any) -> QuizSession:
        """The learner's latest unfinished quiz, at the item it stopped on; InputError when there is none."""
        saved = store.unfinished_quiz()
        if saved is None:
            raise InputError(f"no unfinished quiz to resume in {store.path}")
        return cls(kb, saved.item_ids, store, saved.id, saved.position, saved.answered, saved.correct)

    # -- talking ---------------------------------------------------------------------------------------

    @property
    def current(self) -> Item | None:
        """The item now asked, None when the quiz is over."""
        return self.items[self.position] if self.position < len(self.items) else None

    def progress(self) -> Progress:
        """Where the quiz stands now."""
        due = len(self.store.due_ids()) if self.store is not None else 0
        return Progress(self.answered, self.correct, due, min(self.position + 1, len(self.items)), len(self.items))

    def greeting(self) -> QuizTurn:
        """The first turn: what the quiz is, and its first (or, resumed, its current) item."""
        intro = f"**Quiz: {len(self.items)} item(s)** from the review, each with its answer and source."
        if self.answered:
            intro = f"**Quiz resumed** at item {self.position + 1} of {len(self.items)} ({self.correct} of {self.answered} right so far)."
        return self._turn(intro, None)

    def respond(self, text: str) -> QuizTurn:
        """One line from the trainee: an answer or a command; returns what the quiz says next."""
        text = " ".join(text.split())[:MAX_ANSWER_CHARS]
        item = self.current
        if item is None:
            return self._turn("The quiz is over. Start another with `guidebot quiz` (or /quiz).", None)
        command = COMMANDS.get(text.lower().rstrip(".!"))
        if command == "skip":
            self._advance()
            return self._turn("Skipped; it stays in the pool.", None)
        if command == "hint":
            self.hinted = True
            return self._turn(f"Hint: {item.hint}", None, show_item=True)
        if command == "why":
            why = self.last_grade.explanation if self.last_grade is not None else "Nothing graded yet: answer this one first."
            return self._turn(why, None, show_item=True)
        if command == "stop":
            self._save(finished=False)
            self.step = "done"
            return QuizTurn(self._summary("Stopped.") + " Continue later with `guidebot quiz --resume`.", None, None, self.progress(), "done")
        if not text:
            return self._turn("Type an answer, or hint, skip, why? or stop.", None, show_item=True)
        if item.kind == "case":
            return self._answer_case(item, text)
        result = grade(item, text, self.titles)
        if result is None:
            return self._turn(f"Pick one of the choices by its number (1-{len(item.choices)}) or its words.", None, show_item=True)
        return self._graded(item, result)

    def _answer_case(self, item: Item, text: str) -> QuizTurn:
        if DONT_KNOW.match(text):
            return self._graded(item, grade_case(item, None, None, gave_up=True))
        if self.step == "approach":
            approach = parse_approach(text)
            if approach is None:
                return self._turn(f"Name the approach, or pick it by number (1-{len(APPROACHES)}).", None, show_item=True)
            return self._graded(item, grade_case(item, self.pending_verdict, approach))
        verdict = parse_verdict(text)
        if verdict is None:
            return self._turn(f"Give the verdict, or pick it by number (1-{len(VERDICTS)}).", None, show_item=True)
        approach = approach_in(text)
        if verdict == item.verdict and item.approach is not None and approach is None:
            self.pending_verdict, self.step = verdict, "approach"
            return self._turn("Right verdict. Now the treatment approach (Figure 3)?", None, show_item=True)
        return self._graded(item, grade_case(item, verdict, approach))

    def _graded(self, item: Item, result: Grade) -> QuizTurn:
        self.answered += 1
        self.correct += int(result.correct)
        self.last_grade = result
        if self.store is not None:
            rating = RATING_AGAIN if not result.correct else (RATING_HARD if self.hinted else RATING_GOOD)
            self.store.review(item.id, item.section, item.kind, rating, result.correct)
        self._advance()
        return self._turn(result.explanation, result)

    def _advance(self) -> None:
        self.position += 1
        self.hinted = False
        self.pending_verdict = None
        self.step = "answer" if self.position < len(self.items) else "done"
        self._save(finished=self.step == "done")

    def _save(self, finished: bool) -> None:
        if self.store is not None and self.quiz_id is not None:
            self.store.save_progress(self.quiz_id, self.position, self.answered, self.correct, finished)

    def _summary(self, lead: str) -> str:
        return f"{lead} You answered {self.answered}, {self.correct} right."

    def _turn(self, text: str, graded: Grade | None, show_item: bool = False) -> QuizTurn:
        """A turn: `text`, then the current item (after a grading or a skip, the next one)."""
        item = self.current
        if item is None:
            return QuizTurn(text + "\n\n---\n\n" + self._summary("**Quiz finished.**"), None, graded, self.progress(), "done")
        return QuizTurn(text + "\n\n---\n\n" + self.render_item(item), item, graded, self.progress(), self.step)

    def render_item(self, item: Item) -> str:
        """An item as Markdown: its number, kind and section, the prompt, numbered choices, the commands."""
        lines = [f"**Item {self.position + 1} of {len(self.items)}** · {item.kind} · {item.section.replace('_', ' ')}", "", literal(item.prompt)]
        if self.step == "approach":
            lines += ["", "**Treatment approach?**"]
        choices = item.approach_choices if self.step == "approach" else item.choices
        if choices:
            lines.append("")
            lines += [f"{n}. {literal(choice)}" for n, choice in enumerate(choices, 1)]
        lines += ["", HELP_LINE]
        return "\n".join(lines)

