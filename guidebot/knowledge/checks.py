"""Pass 2 of loading the knowledge base: cross-checks across files, and the fidelity check against the review's text.

Runs only when every file passed pass 1 (schema), so the models can be trusted; positions recorded in
pass 1 let every problem still name its `file:line`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from guidebot.errors import Problem
from guidebot.knowledge import schema
from guidebot.knowledge.loader import LoadedFile
from guidebot.knowledge.positions import Loc

NUMBER = re.compile(r"\d+(?:\.\d+)?")
"""A number as it is written in prose: digits with an optional decimal part (`87.6`, `0.3`)."""


def _normal_question(text: str) -> str:
    """How two example questions are compared for sameness: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _files(files: list[LoadedFile], model: type) -> Iterator[LoadedFile]:
    return (f for f in files if isinstance(f.model, model))


def _cited(file: LoadedFile, items_key: str) -> Iterator[tuple[Loc, int]]:
    """(location, reference number) of every citation in a file's list of items."""
    for i, item in enumerate(getattr(file.model, items_key)):
        for j, number in enumerate(getattr(item, "citations", [])):
            yield (items_key, i, "citations", j), number


CITING_FILES: dict[type, str] = {
    schema.FactsFile: "facts",
    schema.CriteriaFile: "criteria",
    schema.SlotsFile: "slots",
    schema.WorkupFile: "steps",
    schema.StatementsFile: "statements",
}
"""Files whose items carry `citations`, and the key of their item list."""


def cross_check(files: list[LoadedFile]) -> list[Problem]:
    """Every cross-file problem: duplicate ids, unknown citations, related ids or slots, repeated questions."""
    problems: list[Problem] = []

    references = {r.number for f in _files(files, schema.ReferencesFile) for r in f.model.references}
    for f in _files(files, schema.ReferencesFile):
        for i, ref in enumerate(f.model.references):
            if ref.number != i + 1:
                problems.append(f.problem(("references", i, "number"), f"expected reference {i + 1} here (numbered 1..N in order), found {ref.number}"))

    for model, key in CITING_FILES.items():
        for f in _files(files, model):
            for loc, number in _cited(f, key):
                if number not in references:
                    problems.append(f.problem(loc, f"reference {number} is not in the review's reference list (1-{len(references)})"))

    # fact ids: unique across all files
    fact_ids: dict[str, tuple[LoadedFile, int]] = {}
    for f in _files(files, schema.FactsFile):
        for i, fact in enumerate(f.model.facts):
            if fact.id in fact_ids:
                first, first_i = fact_ids[fact.id]
                problems.append(f.problem(("facts", i, "id"), f"duplicate fact id {fact.id!r} (first at {first.display}:{first.line_of(('facts', first_i, 'id'))})"))
            else:
                fact_ids[fact.id] = (f, i)

    for f in _files(files, schema.FactsFile):
        for i, fact in enumerate(f.model.facts):
            for j, rel in enumerate(fact.related):
                if rel not in fact_ids:
                    problems.append(f.problem(("facts", i, "related", j), f"related fact {rel!r} does not exist"))
                elif rel == fact.id:
                    problems.append(f.problem(("facts", i, "related", j), "a fact cannot be related to itself"))

    # example questions: the same question under two facts (or flows) makes routing ambiguous
    seen_questions: dict[str, tuple[str, LoadedFile, Loc]] = {}
    question_lists = [(f, ("facts", i), fact.id, fact.questions) for f in _files(files, schema.FactsFile) for i, fact in enumerate(f.model.facts)]
    question_lists += [(f, ("intents", i), it.id, it.questions) for f in _files(files, schema.IntentsFile) for i, it in enumerate(f.model.intents)]
    for f, base, owner, questions in question_lists:
        for j, question in enumerate(questions):
            key = _normal_question(question)
            loc = base + ("questions", j)
            if key in seen_questions and seen_questions[key][0] != owner:
                other, other_file, other_loc = seen_questions[key]
                problems.append(f.problem(loc, f"the same example question is also under {other!r} ({other_file.display}:{other_file.line_of(other_loc)})"))
            else:
                seen_questions.setdefault(key, (owner, f, loc))

    for f in _files(files, schema.IntentsFile):
        for i, intent in enumerate(f.model.intents):
            if intent.fact not in fact_ids:
                problems.append(f.problem(("intents", i, "fact"), f"fact {intent.fact!r} does not exist"))

    # the lexicon: one canonical term per variant
    variant_owner: dict[str, str] = {}
    for f in _files(files, schema.LexiconFile):
        for i, term in enumerate(f.model.terms):
            for j, variant in enumerate(term.variants):
                key = variant.casefold()
                if key in variant_owner and variant_owner[key] != term.canonical:
                    problems.append(f.problem(("terms", i, "variants", j), f"variant {variant!r} is already mapped to {variant_owner[key]!r}"))
                variant_owner.setdefault(key, term.canonical)

    for f in _files(files, schema.ConversationFile):
        entity_ids = {e.id for e in f.model.entities}
        for i, entity in enumerate(f.model.entities):
            for j, fact_id in enumerate(entity.facts):
                if fact_id not in fact_ids:
                    problems.append(f.problem(("entities", i, "facts", j), f"fact {fact_id!r} does not exist"))
        steps = f.model.next_steps
        for key in ("diagnosed", "undiagnosed") if steps is not None else ():
            if getattr(steps, key) not in fact_ids:
                problems.append(f.problem(("next_steps", key), f"fact {getattr(steps, key)!r} does not exist"))
        for approach, entity_id in f.model.approaches.items():
            if entity_id not in entity_ids:
                problems.append(f.problem(("approaches", approach), f"entity {entity_id!r} does not exist"))
        for i, cue in enumerate(f.model.patient_cues):
            try:
                re.compile(cue)
            except re.error as exc:
                problems.append(f.problem(("patient_cues", i), f"not a valid regular expression: {exc}"))

    flow_ids = {it.id for f in _files(files, schema.IntentsFile) for it in f.model.intents}
    problems += _check_routing(files, set(fact_ids) | flow_ids)
    problems += _check_structured(files)
    problems += _check_citation_slips(files, references)
    return problems


def _check_citation_slips(files: list[LoadedFile], references: set[int]) -> list[Problem]:
    """Each slip in references.yaml names facts and statements that exist, cite what it says they cite, and
    no longer cite the misprinted numbers."""
    problems: list[Problem] = []
    cites: dict[tuple[str, str], list[int]] = {}
    for f in _files(files, schema.FactsFile):
        cites.update({("fact", x.id): x.citations for x in f.model.facts})
    for f in _files(files, schema.StatementsFile):
        cites.update({("statement", x.id): x.citations for x in f.model.statements})
    for f in _files(files, schema.ReferencesFile):
        for i, slip in enumerate(f.model.citation_slips):
            for key in ("printed_refs", "cited", "not_cited"):
                for j, number in enumerate(getattr(slip, key)):
                    if number not in references:
                        problems.append(f.problem(("citation_slips", i, key, j), f"reference {number} is not in the review's reference list (1-{len(references)})"))
            for key, kind in (("facts", "fact"), ("statements", "statement")):
                for j, name in enumerate(getattr(slip, key)):
                    loc = ("citation_slips", i, key, j)
                    if (kind, name) not in cites:
                        problems.append(f.problem(loc, f"{kind} {name!r} does not exist"))
                        continue
                    given = cites[(kind, name)]
                    lacking = [n for n in slip.cited if n not in given]
                    wrong = [n for n in slip.not_cited if n in given]
                    if lacking:
                        problems.append(f.problem(loc, f"{kind} {name!r} does not cite {lacking} (this slip says it cites {slip.cited})"))
                    if wrong:
                        problems.append(f.problem(loc, f"{kind} {name!r} still cites {wrong}, which this slip says are misprinted"))
    return problems


def _check_routing(files: list[LoadedFile], target_ids: set[str]) -> list[Problem]:
    """routing.yaml names only facts and flows that exist, no word twice in one list, and phrases only for
    uncovered topics it lists."""
    problems: list[Problem] = []
    for f in _files(files, schema.RoutingFile):
        targets = f.model.targets
        for name in type(targets).model_fields:
            value = getattr(targets, name)
            named = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else [(None, value)]
            for key, target in named:
                loc = ("targets", name) if key is None else ("targets", name, key)
                if target not in target_ids:
                    problems.append(f.problem(loc, f"fact or flow {target!r} does not exist"))
        for name in type(f.model.words).model_fields:
            seen: set[str] = set()
            for i, word in enumerate(getattr(f.model.words, name)):
                if word in seen:
                    problems.append(f.problem(("words", name, i), f"{word!r} is listed twice"))
                seen.add(word)
        topics = set(f.model.words.uncovered_topics)
        for word in f.model.topic_phrases:
            if word not in topics:
                problems.append(f.problem(("topic_phrases", word), f"{word!r} is not one of words.uncovered_topics"))
    return problems


def _unique_names(f: LoadedFile, items_key: str, name_key: str, what: str, problems: list[Problem]) -> set[str]:
    """The names of a file's items; each name given twice is reported."""
    names: set[str] = set()
    for i, item in enumerate(getattr(f.model, items_key)):
        name = getattr(item, name_key)
        if name in names:
            problems.append(f.problem((items_key, i, name_key), f"{what} {name!r} is given twice"))
        names.add(name)
    return names


def _check_structured(files: list[LoadedFile]) -> list[Problem]:
    """Slots, criteria, workup steps and statements: complete, unique, and pointing at things that exist."""
    problems: list[Problem] = []
    case_fields = set(get_args(schema.CaseField))
    criterion_names = set(get_args(schema.CriterionName))
    for model, items_key, name_key, what, expected in (
        (schema.SlotsFile, "slots", "name", "slot", case_fields),
        (schema.CriteriaFile, "criteria", "name", "criterion", criterion_names),
        (schema.StatementsFile, "statements", "id", "statement", None),
        (schema.WorkupFile, "steps", "id", "workup step", None),
    ):
        for f in _files(files, model):
            names = _unique_names(f, items_key, name_key, what, problems)
            if expected is not None:
                for name in sorted(expected - names):
                    problems.append(f.problem((items_key,), f"no {what} for {name!r}"))
    for f in _files(files, schema.SlotsFile):
        for i, slot in enumerate(f.model.slots):
            if slot.kind in ("choice", "list") and not slot.choices:
                problems.append(f.problem(("slots", i, "choices"), f"a {slot.kind} slot needs choices"))
            if slot.kind not in ("choice", "list") and slot.choices:
                problems.append(f.problem(("slots", i, "choices"), f"a {slot.kind} slot takes no choices"))
    return problems


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


FRONT_MATTER_STARTS = ("JAMA Oncology |", "JAMA Oncol.", "Author Affiliations:", "Corresponding Author:")
"""Paragraphs of the review's front matter: the journal header, its own citation line (volume, pages, dates,
CME page), the authors' affiliations and the corresponding author's address. Their numbers are not findings."""

BACK_MATTER_HEADINGS = ("ARTICLE INFORMATION", "REFERENCES")
"""Headings that end the review's body: publication details, disclosures and the reference list, whose volume
and page numbers ("1996;87(4)") would otherwise vouch for any number."""

CITATION_MARKUP = re.compile(r"\$?\^\{[^}]*\}\$?")
"""A citation set as markup in the text (`^{39,43-49}`, `$^{\\rm 32}$`): reference numbers, not findings."""


OWN_CITATION_DETAILS = re.compile(r"\d{4};\S+\. doi:\S+")
"""The year, volume, pages and DOI of a citation (`2021;7(9):1383-1391. doi:10.1001/...`)."""


def review_body(source_text: str) -> str:
    """The review's body: its text before the first back-matter heading, without front-matter paragraphs and
    citation markup. Superscript citation digits (`⁴³`) are not digits to `NUMBER` and drop out by themselves."""
    lines = source_text.splitlines()
    end = next((i for i, line in enumerate(lines) if line.strip() in BACK_MATTER_HEADINGS), len(lines))
    paragraphs = "\n".join(lines[:end]).split("\n\n")
    body = [p for p in paragraphs if not p.strip().startswith(FRONT_MATTER_STARTS)]
    return CITATION_MARKUP.sub(" ", "\n\n".join(body))


def body_numbers(source_text: str) -> set[str]:
    """Every number written in the review's body (`review_body`)."""
    return _numbers(review_body(source_text))


def _curated_texts(files: list[LoadedFile]) -> Iterator[tuple[LoadedFile, Loc, str]]:
    """Every text a curator wrote that guidebot shows to a person: answers and titles, statements, slot questions
    and help, workup steps, criteria, flow titles."""
    for f in files:
        m = f.model
        if isinstance(m, schema.FactsFile):
            for i, x in enumerate(m.facts):
                yield f, ("facts", i, "title"), x.title
                yield f, ("facts", i, "answer"), x.answer
        elif isinstance(m, schema.StatementsFile):
            yield from ((f, ("statements", i, "text"), x.text) for i, x in enumerate(m.statements))
        elif isinstance(m, schema.WorkupFile):
            for i, x in enumerate(m.steps):
                yield f, ("steps", i, "title"), x.title
                yield f, ("steps", i, "explanation"), x.explanation
        elif isinstance(m, schema.SlotsFile):
            for i, x in enumerate(m.slots):
                yield f, ("slots", i, "question"), x.question
                yield f, ("slots", i, "help"), x.help
        elif isinstance(m, schema.CriteriaFile):
            for i, x in enumerate(m.criteria):
                yield f, ("criteria", i, "label"), x.label
                yield f, ("criteria", i, "meaning"), x.meaning
                yield f, ("criteria", i, "settled_by"), x.settled_by
        elif isinstance(m, schema.IntentsFile):
            yield from ((f, ("intents", i, "title"), x.title) for i, x in enumerate(m.intents))


def fidelity_check(files: list[LoadedFile], review_numbers: set[str] | frozenset[str]) -> list[Problem]:
    """Every number in a curated text must appear in the review's body (`body_numbers`, or the digest made
    from it); a changed number is a wrong fact."""
    # the review's own citation (references.yaml `review`), quoted whole, is bibliography rather than a finding
    own_citations = [m.group(0) for f in _files(files, schema.ReferencesFile) if (m := OWN_CITATION_DETAILS.search(f.model.review))]
    problems = []
    for f, loc, text in _curated_texts(files):
        flat = " ".join(text.split())
        for citation in own_citations:
            flat = flat.replace(citation, " ")
        for number in sorted(_numbers(flat) - review_numbers, key=lambda n: (len(n), n)):
            problems.append(f.problem(loc, f"number {number} does not appear in the review's body"))
    return problems


def _flat_words(text: str) -> str:
    """Text as a glossary expansion is looked for in the review: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def review_words(source_text: str) -> str:
    """The review's body (`review_body`) as glossary expansions are looked for in it (`_flat_words`)."""
    return _flat_words(review_body(source_text))


def review_spells_out(expansion: str, body: str) -> bool:
    """Whether the review's body (`review_words`) writes the expansion: case, hyphens and spacing do
    not count, a parenthesis of the glossary's own is a note, not part of it, and the review's word may go on ("matrix
    metalloproteinase" in its "matrix metalloproteinases 2 and 9")."""
    spelt = _flat_words(re.sub(r"\s*\(.*?\)", "", expansion))
    return bool(spelt) and f" {spelt}" in f" {body}"


def glossary_check(files: list[LoadedFile], source_text: str) -> list[Problem]:
    """Every glossary entry's mark against the review's body (the reference list does not count: its titles are not
    the review's words): a plain entry, or one marked `review_spells_out: true`, must have its expansion written there;
    one marked `review_spells_out: false` must not (else the mark wrongly disowns the review's own expansion)."""
    body = review_words(source_text)
    problems = []
    for f in _files(files, schema.ConversationFile):
        for term, entry in f.model.glossary.items():
            claimed = isinstance(entry, str) or entry.review_spells_out
            expansion = entry if isinstance(entry, str) else entry.expansion
            found = review_spells_out(expansion, body)
            if claimed and not found:
                problems.append(f.problem(("glossary", term), f"the review does not spell out {term} as {expansion!r}; "
                                          "use the review's wording, or mark it `review_spells_out: false`"))
            elif not claimed and found:
                problems.append(f.problem(("glossary", term), f"marked `review_spells_out: false`, but the review spells "
                                          f"out {term} as {expansion!r}; drop the mark"))
    return problems


DIGEST_FILE = "review_numbers.json"
"""The digest of the review's body numbers inside a knowledge directory, generated by `guidebot kb numbers`, so
that `kb check` checks numbers where the review's text is not at hand (CI, a user's machine)."""

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ReviewNumbers:
    """The numbers of the review's body, where they were read from, and the sha256 of the review's text."""

    numbers: frozenset[str]
    """Every number of the body, as `NUMBER` finds it."""
    sha256: str
    """Hex sha256 of the review's text file (its bytes)."""
    origin: str
    """Where they were read, for the report: the review's text or the digest."""


def numbers_from_review(raw: bytes, display: str) -> ReviewNumbers:
    """The body numbers of the review's text (`raw`: the file's bytes, UTF-8); ValueError when not UTF-8."""
    text = raw.decode("utf-8")
    return ReviewNumbers(frozenset(body_numbers(text)), hashlib.sha256(raw).hexdigest(), f"the review's text {display}")


def digest_text(numbers: ReviewNumbers) -> str:
    """The digest file's content: stable (sorted, one line per field) so that a regenerated digest diffs cleanly."""
    document = {
        "about": "Generated by `guidebot kb numbers --source REVIEW`; do not edit. Every number written in the review's "
        "body (outside its front matter, back matter and reference list), for `guidebot kb check` without --source.",
        "review_sha256": numbers.sha256,
        "numbers": sorted(numbers.numbers, key=lambda n: (float(n), n)),
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def read_digest(path: Path, display: str) -> tuple[ReviewNumbers | None, list[Problem]]:
    """The digest at `path`: (None, []) when there is none, (None, [problem]) when it is unreadable or malformed."""
    if not path.is_file():
        return None, []

    def bad(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(display, 0, "-", f"{message}; regenerate it with `guidebot kb numbers --source REVIEW`")]

    try:
        if path.stat().st_size > 1_000_000:
            return bad("the digest is larger than 1000000 bytes")
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return bad(f"cannot read the digest ({type(exc).__name__})")
    if not isinstance(document, dict) or set(document) != {"about", "review_sha256", "numbers"}:
        return bad("the digest needs exactly the keys about, review_sha256 and numbers")
    sha, numbers = document["review_sha256"], document["numbers"]
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        return bad("review_sha256 is not a hex sha256")
    if not isinstance(numbers, list) or not numbers or not all(isinstance(n, str) and NUMBER.fullmatch(n) for n in numbers):
        return bad("numbers must be a non-empty list of numbers written as strings")
    return ReviewNumbers(frozenset(numbers), sha, f"the digest {display}"), []
