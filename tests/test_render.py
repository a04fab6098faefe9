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


def test_unwrap_soft_breaks_keeps_paragraphs_lists_and_hard_breaks():
    from guidebot.render import unwrap_soft_breaks

    text = "A plasma VEGF\nabove 200 pg/mL.\n\n- one item\n  wrapped\n- two\n1. first\nline end  \nnext\n```\ncode\nkept\n```"
    assert unwrap_soft_breaks(text) == (
        "A plasma VEGF above 200 pg/mL.\n\n- one item wrapped\n- two\n1. first line end  \nnext\n```\ncode\nkept\n```"
    )


def test_every_json_answer_has_no_soft_line_break(kb):
    from guidebot.render import unwrap_soft_breaks

    for fact in kb.facts.values():
        for paragraph in unwrap_soft_breaks(fact.answer).split("\n\n"):
            for line in paragraph.split("\n")[1:]:
                assert line.lstrip().startswith(("- ", "* ", "|", "#")) or line.lstrip()[:1].isdigit(), (fact.id, line)


def _assessment(kb, **case):
    from guidebot.criteria import Case, assess

    return assess(Case(**case), kb)


FULL_CASE = dict(
    polyneuropathy=True, neuropathy_demyelinating=True, monoclonal_plasma_cell_disorder=True,
    sclerotic_bone_lesions=2, clonal_marrow_plasma_cells=False, organomegaly=True,
)


def test_assessment_leads_with_the_conclusion(kb):
    from guidebot.render import assessment_markdown

    result = _assessment(kb, **FULL_CASE)
    text, cited = assessment_markdown(result, kb.criteria, treatment=True)
    order = [text.index(s) for s in ("**Verdict: meets criteria**", "**Treatment approach: radiation**",
                                     "Cautions for every patient", "Mandatory criteria:", "Minor criteria:")]
    assert order == sorted(order)
    caution_citations = {n for note in result.treatment.caution_notes for n in note.citations}
    assert caution_citations and caution_citations <= set(cited)  # every caution shown is cited


def test_criteria_grid_fits_and_names_every_state(kb):
    from guidebot.render import criteria_grid

    result = _assessment(kb, **FULL_CASE, skin_changes=False)
    for width in (38, 80, 120):
        lines = criteria_grid(result.criteria, width)
        assert all(len(line) <= width for line in lines), (width, lines)
        cells = " ".join(lines)
        assert cells.count("✓") == 4 and cells.count("✗") == 1 and cells.count("?") == 6
    assert criteria_grid(result.criteria, 80)[0].startswith("Mandatory  ✓ Polyneuropathy")
    assert criteria_grid(result.criteria, 38)[0] == "Mandatory"


def test_assessment_html_is_escaped_and_has_the_grid(kb):
    from guidebot.render import assessment_html

    page = assessment_html(_assessment(kb, **FULL_CASE), kb.criteria, title="<b>x</b>", source="review")
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert page.count("<tr>") == 3 and 'class="met"' in page and "<strong>Verdict: meets criteria</strong>" in page
