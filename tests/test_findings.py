"""`extract_findings(text)`: volunteered findings, negations and "not done" picked out of free text."""

from __future__ import annotations

import re

import pytest

from guidebot.criteria import Case
from guidebot.dialogue.findings import FINDINGS, clauses, extract_findings


def test_the_brief_example():
    assert extract_findings("52M, demyelinating neuropathy, lambda M-protein, plasma VEGF 640, two sclerotic lesions") == {
        "polyneuropathy": True,
        "neuropathy_demyelinating": True,
        "monoclonal_plasma_cell_disorder": True,
        "light_chain": "lambda",
        "vegf_pg_ml": 640,
        "vegf_specimen": "plasma",
        "sclerotic_bone_lesions": 2,
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("no papilledema", {"papilledema": False}),
        ("No M-protein", {"monoclonal_plasma_cell_disorder": False}),
        ("marrow negative", {"clonal_marrow_plasma_cells": False}),
        ("bone marrow normal", {"clonal_marrow_plasma_cells": False}),
        ("marrow not done", {"clonal_marrow_plasma_cells": None}),
        ("BM negative for clonal PCs", {"clonal_marrow_plasma_cells": False}),
        ("marrow clean", {"clonal_marrow_plasma_cells": False}),
        ("VEGF pending", {"vegf_pg_ml": None}),
        ("without organomegaly", {"organomegaly": False}),
        ("no sclerotic lesions", {"sclerotic_bone_lesions": 0}),
        ("no castleman", {"castleman_disease": False}),
        ("not eligible for transplant", {"transplant_eligible": False}),
        ("transplant ineligible", {"transplant_eligible": False}),
        ("no endocrinopathy", {"endocrinopathy": []}),
        ("VEGF normal", {"vegf_elevated": False}),
        ("no demyelination", {"neuropathy_demyelinating": False}),  # says nothing about the neuropathy itself
    ],
)
def test_negations_and_unknowns(text, expected):
    assert extract_findings(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("axonal neuropathy", {"polyneuropathy": True, "neuropathy_demyelinating": False}),
        ("CIDP not responding to IVIG", {"polyneuropathy": True, "neuropathy_demyelinating": True}),
        ("serum VEGF 1,200 pg/mL", {"vegf_pg_ml": 1200, "vegf_specimen": "serum"}),
        ("VEGF 250.5", {"vegf_pg_ml": 250.5}),
        ("high VEGF", {"vegf_elevated": True}),
        ("a sclerotic lesion in the pelvis", {"sclerotic_bone_lesions": 1}),
        ("3 osteosclerotic lesions", {"sclerotic_bone_lesions": 3}),
        ("only 1 lesion", {"sclerotic_bone_lesions": 1}),
        # a marrow clone is a monoclonal plasma cell disorder (that field asks for an M-protein "or clonal plasma cells")
        ("bmbx shows clonal PCs", {"clonal_marrow_plasma_cells": True, "monoclonal_plasma_cell_disorder": True}),
        ("IgA kappa", {"monoclonal_plasma_cell_disorder": True, "light_chain": "kappa"}),
        ("marrow with clonal plasma cells", {"clonal_marrow_plasma_cells": True, "monoclonal_plasma_cell_disorder": True}),
        ("hepatosplenomegaly and ascites", {"organomegaly": True, "extravascular_volume_overload": True}),
        ("hyperpigmentation", {"skin_changes": True}),
        ("bilateral papilloedema", {"papilledema": True}),
        ("thrombocytosis, no polycythemia", {"thrombocytosis": True, "polycythemia": False}),
        ("castleman disease on node biopsy", {"castleman_disease": True}),
        ("eligible for transplant", {"transplant_eligible": True}),
        ("hypogonadism and diabetes", {"endocrinopathy": ["hypogonadism", "diabetes"]}),
        ("low testosterone, hypothyroidism, no diabetes", {"endocrinopathy": ["hypogonadism", "thyroid"]}),
    ],
)
def test_findings(text, expected):
    assert extract_findings(text) == expected


@pytest.mark.parametrize(
    "text",
    ["what is the VEGF cutoff", "hello", "", "52M", "how do I treat", "tell me about bevacizumab"],
)
def test_no_findings_in_plain_questions(text):
    assert extract_findings(text) == {}


def test_edema_is_not_read_inside_papilledema():
    assert extract_findings("papilledema") == {"papilledema": True}


def test_thousands_separator_does_not_split_a_clause():
    assert clauses("VEGF 1,200, no edema") == ["VEGF 1200", "no edema"]


def test_every_value_fits_the_case_model():
    text = (
        "demyelinating neuropathy, IgG lambda, marrow clonal, 5 sclerotic lesions, plasma VEGF 300, castleman, "
        "edema, splenomegaly, hypogonadism, hemangiomata, papilledema, polycythemia, thrombocytosis, transplant eligible"
    )
    found = extract_findings(text)
    assert len(found) == 17
    Case(**found)  # raises if a value has the wrong type


def test_every_table_row_compiles_and_names_a_case_field():
    for row in FINDINGS:
        re.compile(row.pattern)
        assert row.field in Case.model_fields
