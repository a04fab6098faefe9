"""Markdown to plain text, citation lists and full references."""

from __future__ import annotations

import pytest

from guidebot.render import format_citations, format_reference, markdown_to_plain


def test_bullets_bold_and_paragraphs():
    md = "**Do not use bevacizumab** in POEMS.\n- Its effect has been\n  inconsistent.\n- It may be *toxic*.\n\nLast paragraph."
    assert markdown_to_plain(md) == (
        "Do not use bevacizumab in POEMS.\n\n"
        "- Its effect has been inconsistent.\n"
        "- It may be toxic.\n\n"
        "Last paragraph."
    )


def test_nested_and_ordered_lists():
    md = "1. first\n2. second\n   - inner a\n   - inner b\n"
    assert markdown_to_plain(md) == "1. first\n2. second\n  - inner a\n  - inner b"


def test_two_lists_are_kept_apart():
    assert markdown_to_plain("- a\n\n1. one\n") == "- a\n\n1. one"


def test_code_links_and_headings_become_text():
    md = "# Heading\n\nRun `guidebot chat` or see [the review](https://doi.org/10.1001/jamaoncol.2021.0586)."
    assert markdown_to_plain(md) == "Heading\n\nRun guidebot chat or see the review (https://doi.org/10.1001/jamaoncol.2021.0586)."


def test_plain_text_passes_through():
    assert markdown_to_plain("VEGF >200 pg/mL, 68% sensitive") == "VEGF >200 pg/mL, 68% sensitive"
    assert markdown_to_plain("") == ""


@pytest.mark.parametrize(("numbers", "text"), [([1, 32], "[1, 32]"), ([65], "[65]"), ([], "[]"), ((4, 5, 6), "[4, 5, 6]")])
def test_format_citations(numbers, text):
    assert format_citations(numbers) == text


def test_format_reference_from_model(kb):
    text = format_reference(kb.references[1])
    assert text == (
        "1. D'Souza A, Hayman SR, Buadi F, et al. The utility of plasma vascular endothelial growth factor levels in "
        "the diagnosis and follow-up of patients with POEMS syndrome. Blood. 2011;118(17):4663-4665. "
        "doi:10.1182/blood-2011-06-362392"
    )


def test_format_reference_from_dict_with_url():
    ref = {"number": 64, "authors": "Anon", "title": "A trial", "journal": "ClinicalTrials.gov", "year": 2021, "url": "https://clinicaltrials.gov/x"}
    assert format_reference(ref) == "64. Anon. A trial. ClinicalTrials.gov. 2021. https://clinicaltrials.gov/x"


def test_every_fact_renders_without_markdown_marks(kb):
    for fact in kb.facts.values():
        plain = markdown_to_plain(fact.answer)
        assert plain.strip()
        assert "**" not in plain, fact.id
