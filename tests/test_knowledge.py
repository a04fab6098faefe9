"""The real knowledge base: complete, and its safety-critical facts pinned to the review's exact numbers and citations.

A failure here means a threshold, a dose, a criterion or a caution changed. Change it only on purpose,
against the review (Khouri et al., JAMA Oncol 2021).
"""

from __future__ import annotations

import re
from collections import Counter

import pytest


def text_of(kb, fact_id: str) -> str:
    """A fact's answer with Markdown emphasis and spacing flattened, for phrase checks."""
    return " ".join(re.sub(r"[*_`]", "", kb.facts[fact_id].answer).split())


# (fact id, safety marker, phrases that must appear in the answer, citations that must be given)
PINNED = [
    ("diagnosis.vegf_threshold", "threshold", [r">\s?200 pg/mL", r"\b68%", r"\b95%", r"plasma"], {1}),
    ("diagnosis.vegf_use", "threshold", [r"one specimen type", r"plasma\s+or serum"], {33}),
    ("diagnosis.vegf_serum_vs_plasma", "threshold", [r"serum VEGF is thought to be higher than plasma", r">200 pg/mL", r"studied in \W*plasma"], {1, 31}),
    ("criteria.rule", "criterion", [r"mandatory", r"\b(1|one) major", r"\b(1|one) minor", r"both"], {1, 2}),
    ("criteria.endocrine_exception", "criterion", [r"thyroid", r"diabetes", r"alone|by themselves|on their own"], set()),
    ("treatment.radiation_dose", "threshold", [r"\b45 Gy", r"35-54 Gy"], {41, 42}),
    ("treatment.melphalan_dose", "threshold", [r"140-200 mg/m²", r"autologous"], {43}),
    ("treatment.bevacizumab", "caution", [r"bevacizumab", r"\b(not|against|avoid)", r"death"], {65, 66}),
    ("treatment.plasma_exchange", "caution", [r"plasma exchange", r"ineffective|not effective|does not work"], {67}),
    ("treatment.lmwh_prophylaxis", "caution", [r"low-molecular-weight heparin|LMWH", r"active disease", r"prophyla", r"antiplatelet"], {33}),
    ("treatment.neurotoxic_agents", "caution", [r"bortezomib", r"thalidomide", r"neuropathy"], set()),
    ("workup.fundoscopy", "caution", [r"papilledema", r"asymptomatic", r"ophthalmologist", r"initial examination and follow-up"], {26}),
    ("treatment.algorithm", "criterion", [r"1 to 3|1-3", r"radiation", r"more than 3|>\s?3", r"clonal"], {2, 9, 38}),
]


@pytest.mark.parametrize(("fact_id", "safety", "phrases", "citations"), PINNED, ids=[p[0] for p in PINNED])
def test_safety_critical_fact_is_pinned(kb, fact_id, safety, phrases, citations):
    fact = kb.facts[fact_id]
    assert fact.safety == safety
    answer = text_of(kb, fact_id)
    for phrase in phrases:
        assert re.search(phrase, answer, re.I), f"{fact_id}: {phrase!r} not in {answer!r}"
    assert citations <= set(fact.citations), f"{fact_id} must cite {sorted(citations)}"


def test_vegf_threshold_states_no_other_cutoff(kb):
    text = re.sub(r"\b(in )?1 study", "", text_of(kb, "diagnosis.vegf_threshold"))
    numbers = set(re.findall(r"\d+(?:\.\d+)?", text))
    assert numbers <= {"200", "68", "95"}, numbers


def test_radiation_and_melphalan_doses_are_nowhere_contradicted(kb):
    """Wherever the knowledge base gives a radiation or melphalan dose, it is the review's."""
    for fact in kb.facts.values():
        for gy in re.findall(r"(\d+(?:-\d+)?)\s?Gy", fact.answer):
            assert gy in {"45", "35-54"}, (fact.id, gy)
        for dose in re.findall(r"(\d+(?:-\d+)?)\s?mg/m", fact.answer):
            assert dose in {"140-200", "200"}, (fact.id, dose)


def test_the_box_has_its_groups(kb):
    groups = Counter(c.group for c in kb.criteria.values())
    assert groups == {"mandatory": 2, "major": 3, "minor": 6}
    assert {n for n, c in kb.criteria.items() if c.group == "mandatory"} == {"polyneuropathy", "monoclonal_plasma_cell_disorder"}
    assert {n for n, c in kb.criteria.items() if c.group == "major"} == {"sclerotic_bone_lesions", "vegf_elevated", "castleman_disease"}


def test_the_four_cautions_are_statements_with_citations(kb):
    for caution, cited in [("avoid_bevacizumab", {65, 66}), ("plasma_exchange_ineffective", {67})]:
        assert cited <= set(kb.statements[caution].citations)
    for caution in ("lmwh_prophylaxis", "avoid_neurotoxic_agents", "engraftment_syndrome"):
        assert kb.statements[caution].text.strip()


def test_all_67_references_with_their_dois(kb):
    assert sorted(kb.references) == list(range(1, 68))
    assert kb.references[1].doi == "10.1182/blood-2011-06-362392"
    assert kb.references[67].doi == "10.1002/jca.21276"
    assert kb.references[64].doi is None and "clinicaltrials.gov" in (kb.references[64].url or "").lower()
    # every other reference has a DOI, written without spaces (OCR line breaks repaired)
    for number, ref in kb.references.items():
        if number != 64:
            assert ref.doi and " " not in ref.doi and ref.doi.startswith("10."), (number, ref.doi)
    assert "2021;7(9):1383-1391" in kb.review


def test_every_section_of_the_review_is_covered(kb):
    sections = Counter(f.section for f in kb.facts.values())
    assert len(kb.facts) > 100
    for section in ("overview", "pathophysiology", "clinical_presentation", "criteria", "diagnosis", "vegf",
                    "thrombosis_cardiopulmonary", "differential", "workup", "treatment", "cautions"):
        assert sections[section] >= 3, (section, sections[section])


def test_the_lexicon_maps_what_trainees_type(kb):
    variants = {v.casefold(): t.canonical for t in kb.lexicon for v in t.variants}
    for typed in ("avastin", "bev", "plex", "len-dex", "hdm", "ivig", "lmwh", "cidp" if "cidp" in variants else "ncs"):
        assert typed in variants, typed


# The review's Table heads its cohort columns with shifted reference numbers (Japan 44, UCLH 45, EBMT 46); its own
# reference list has 44 = Cook (EBMT), 45 = Kawajiri-Manako (Japan), 46 = Tomkins (UCLH). Each column cites its paper.
TABLE_COLUMNS = [
    ("treatment.table_japan", 45, "Kawajiri-Manako C", "nationwide survey in Japan"),
    ("treatment.table_uclh", 46, "Tomkins O", "High-dose therapy and autologous transplantation for POEMS"),
    ("treatment.table_ebmt", 44, "Cook G", "European Society for Blood & Marrow Transplantation"),
]


@pytest.mark.parametrize(("fact_id", "number", "author", "title_words"), TABLE_COLUMNS, ids=[c[0] for c in TABLE_COLUMNS])
def test_each_table_column_cites_its_own_paper(kb, fact_id, number, author, title_words):
    fact = kb.facts[fact_id]
    assert fact.citations == [number]
    reference = kb.references[number]
    assert reference.authors.startswith(author) and title_words in reference.title
    answer = text_of(kb, fact_id)
    assert answer.count("shifted") == 1, "say once that the Table's column references are shifted"
    assert '"Patients who received first-line treatment, %"' in answer  # the row quoted by its label


def test_each_citation_slip_is_listed_for_the_curator(kb):
    from guidebot.knowledge.loader import read_file
    from guidebot.knowledge.schema import ReferencesFile

    loaded, problems = read_file(kb.root, kb.root / "references.yaml", ReferencesFile)
    assert loaded is not None and not problems
    slips = {fact: slip for slip in loaded.model.citation_slips for fact in slip.facts}
    for fact_id, number, _, _ in TABLE_COLUMNS:
        assert slips[fact_id].cited == [number] and slips[fact_id].printed_refs != [number]
    assert slips["treatment.lmwh_prophylaxis"].printed_refs == [35] and slips["treatment.lmwh_prophylaxis"].cited == [33]
    assert set(slips["treatment.neurotoxic_agents"].not_cited) == {58, 59, 60}
    assert slips["treatment.mobilization"].printed_refs == [51, 52]


def test_misprinted_references_are_not_cited(kb):
    """The registry (33) made the LMWH-plus-antiplatelet suggestion, not the pulmonary hypertension paper (35); the
    Figure 3 footnote that avoids bortezomib cites nothing, and 58-60 report bortezomib and ixazomib results."""
    assert 35 not in kb.facts["treatment.lmwh_prophylaxis"].citations
    assert 35 not in kb.statements["lmwh_prophylaxis"].citations
    assert not {58, 59, 60} & set(kb.facts["treatment.neurotoxic_agents"].citations)


# Hedges the review keeps: (fact or statement id, the hedged phrase)
HEDGES = [
    ("diagnosis.bone_marrow", r"seems to be\s+distinctive"),
    ("diagnosis.vegf_serum_vs_plasma", r"is thought to be higher"),
    ("serum_runs_higher", r"are thought to be higher"),
    ("treatment.ixazomib", r"benefit in terms of VEGF normalization"),
    ("treatment.mayo_hct_series", r"mostly mobilized with G-CSF alone"),
    ("differential.amyloidosis", r"in hepatic AL"),
    ("differential.amyloidosis", r"congestive hepatopathy in advanced heart failure"),
]


@pytest.mark.parametrize(("item", "phrase"), HEDGES, ids=[f"{h[0]}:{h[1][:20]}" for h in HEDGES])
def test_the_reviews_hedges_are_kept(kb, item, phrase):
    text = text_of(kb, item) if item in kb.facts else " ".join(kb.statements[item].text.split())
    assert re.search(phrase, text), f"{item}: {phrase!r} not in {text!r}"


def test_every_facts_shown_question_is_answered_by_that_fact(kb):
    """A fact's first question is what people are shown (greeting examples, the command palette): sent as it
    is, it must reach the fact it illustrates."""
    from guidebot.routing import get_router

    router = get_router()
    reached = {fact_id: router.route(fact.questions[0]).intent for fact_id, fact in kb.facts.items()}
    assert {fact_id: got for fact_id, got in reached.items() if got != fact_id} == {}
