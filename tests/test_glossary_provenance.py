"""The glossary's provenance: an expansion the review never spells out is marked (`review_spells_out: false`), the
mark is checked against the review by `kb check --source`, and the define reply says the expansion is the usual one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from chatdriver import say
from guidebot.cli import main
from guidebot.dialogue import DialogueManager
from guidebot.knowledge import knowledge_dir, load_knowledge
from guidebot.knowledge.checks import review_spells_out, review_words

NOTE = "(the usual expansion; the review does not spell out {})"


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), target)
    return target


@pytest.fixture
def source(tmp_path: Path, seed_text: str) -> Path:
    path = tmp_path / "review.txt"
    path.write_text(seed_text, encoding="utf-8")
    return path


def _rewrite_glossary_line(kb_dir: Path, term: str, line: str) -> None:
    path = kb_dir / "conversation.yaml"
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(rf"(?m)^  {re.escape(term)}: .*$", line, text)
    assert count == 1, term
    path.write_text(new, encoding="utf-8")


def _check(capsys, kb_dir: Path, source: Path) -> tuple[int, list[str]]:
    code = main(["kb", "check", str(kb_dir), "--source", str(source)])
    return code, [line for line in capsys.readouterr().err.splitlines() if not line.startswith("guidebot: error:")]


def test_an_expansion_claimed_as_the_reviews_but_not_in_it_is_reported(capsys, kb_copy, source):
    _rewrite_glossary_line(kb_copy, "CD38", "  CD38: cluster of differentiation 38")
    code, problems = _check(capsys, kb_copy, source)
    assert code == 2
    assert len(problems) == 1, problems
    assert re.search(r"conversation\.yaml:\d+: glossary\.CD38: the review does not spell out CD38 as "
                     r"'cluster of differentiation 38'", problems[0]), problems


def test_an_explicit_true_mark_is_checked_as_a_plain_entry(capsys, kb_copy, source):
    _rewrite_glossary_line(kb_copy, "ONLS", "  ONLS: {expansion: Overall Neuropathy Limitations Scale, review_spells_out: true}")
    code, problems = _check(capsys, kb_copy, source)
    assert code == 2 and len(problems) == 1 and "glossary.ONLS: the review does not spell out ONLS" in problems[0]


def test_an_entry_marked_not_in_the_review_that_is_in_it_is_reported(capsys, kb_copy, source):
    _rewrite_glossary_line(kb_copy, "HCT", "  HCT: {expansion: hematopoietic cell transplant, review_spells_out: false}")
    code, problems = _check(capsys, kb_copy, source)
    assert code == 2 and len(problems) == 1, problems
    assert re.search(r"conversation\.yaml:\d+: glossary\.HCT: marked `review_spells_out: false`, but the review spells "
                     r"out HCT", problems[0]), problems


def test_a_wrong_mark_loads_but_is_only_caught_with_the_reviews_text(kb_copy):
    # the digest holds numbers, not words: without --source the marks cannot be checked (docs/knowledge.md says so)
    _rewrite_glossary_line(kb_copy, "CD38", "  CD38: cluster of differentiation 38")
    assert main(["kb", "check", str(kb_copy)]) == 0


def test_the_reviews_wording_matches_whatever_its_case_hyphens_and_plurals(seed_text):
    body = review_words(seed_text)
    assert review_spells_out("Transplant-Related  Mortality", body)
    assert review_spells_out("matrix metalloproteinase", body)  # the review: "matrix metalloproteinases 2 and 9"
    assert review_spells_out("cyclophosphamide plus G-CSF (a mobilization regimen)", body)  # the note is not looked for
    assert not review_spells_out("autologous stem cell transplant", body)  # only in the reference list's titles
    assert not review_spells_out("Overall Neuropathy Limitations Scale", body)


def test_every_marked_entry_is_labelled_and_every_plain_one_is_not(kb, reader):
    unspelt = kb.conversation.glossary_not_spelt_out()
    assert {"ONLS", "CD38", "VTE", "DVT", "MGUS", "RVSP"} <= unspelt
    bot = DialogueManager(kb=kb)
    say(bot, "whats CR_V")  # an answer to act on
    labelled_terms, plain_terms = set(), set()
    for term, expansion in reader.glossary_expansions.items():
        turn = say(bot, f"what does {term} stand for")
        if turn.act != "define" or f"**{term}**" not in turn.text:
            continue  # read otherwise ("PET" may name a card): the define reply is what is pinned here
        line = next(x for x in turn.text.splitlines() if x.startswith(f"- **{term}**"))
        labelled = line == f"- **{term}**: {expansion} {NOTE.format(term)}"
        assert labelled == (term in unspelt), line
        assert turn.in_scope
        (labelled_terms if labelled else plain_terms).add(term)
    assert len(labelled_terms) >= 10 and len(plain_terms) >= 20, (labelled_terms, plain_terms)


def test_the_define_reply_labels_a_usual_expansion(bot):
    say(bot, "whats CR_V")
    turn = say(bot, "what does CD38 mean")
    assert turn.act == "define" and turn.in_scope
    assert turn.text == f"- **CD38**: cluster of differentiation 38 {NOTE.format('CD38')}"


def test_the_define_reply_for_the_reviews_own_expansion_is_unlabelled(bot):
    say(bot, "whats CR_V")
    turn = say(bot, "what does HCT mean")
    assert turn.act == "define"
    assert turn.text == "- **HCT**: hematopoietic cell transplant"


def test_plain_and_written_out_entries_load_alike(kb_copy):
    _rewrite_glossary_line(kb_copy, "HCT", "  HCT: {expansion: hematopoietic cell transplant}")
    conversation = load_knowledge(kb_copy).conversation
    assert conversation.glossary_expansions()["HCT"] == "hematopoietic cell transplant"
    assert "HCT" not in conversation.glossary_not_spelt_out()
    assert conversation.glossary_expansions()["ONLS"] == "Overall Neuropathy Limitations Scale"
