"""Case fields have one source: the `Case` model (criteria/case.py) with knowledge/slots.yaml beside it.

Everything else derives from them: the diagnosis asking order (engine.DIAGNOSIS_ORDER), Figure 3's fields
(criteria.approach.TreatmentFindings), the labels findings are echoed in (dialogue.render.field_label, the
case panel, the quiz's stories). The knowledge stage cannot import the model (stages only look down), so
its `CaseField` copy is pinned here.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from guidebot.criteria import CASE_FIELDS
from guidebot.criteria.approach import TreatmentFindings
from guidebot.criteria.engine import DIAGNOSIS_ORDER
from guidebot.dialogue.flows import TREATMENT_SLOTS
from guidebot.dialogue.render import field_label, findings_rows
from guidebot.knowledge import schema

PACKAGE = Path(__file__).resolve().parent.parent / "guidebot"


def test_the_knowledge_schema_and_slots_yaml_name_the_models_fields_in_its_order(kb):
    assert get_args(schema.CaseField) == CASE_FIELDS
    assert tuple(kb.slots) == CASE_FIELDS


def test_the_diagnosis_asks_every_field_that_feeds_a_criterion_in_case_order(kb):
    feeding = tuple(name for name, slot in kb.slots.items() if slot.criterion)
    assert DIAGNOSIS_ORDER == feeding
    assert DIAGNOSIS_ORDER[:2] == ("polyneuropathy", "neuropathy_demyelinating")  # the mandatory ones first


def test_figure_3s_fields_are_case_fields():
    assert TREATMENT_SLOTS == set(TreatmentFindings._fields) and TREATMENT_SLOTS < set(CASE_FIELDS)


def test_findings_are_shown_in_the_words_of_slots_yaml(kb):
    assert field_label("vegf_pg_ml", kb) == kb.slots["vegf_pg_ml"].label
    rows = findings_rows({"vegf_pg_ml": 310.0, "endocrinopathy": [], "light_chain": None}, kb)
    assert rows == [(kb.slots["vegf_pg_ml"].label, "310 pg/mL"), (kb.slots["endocrinopathy"].label, "none"),
                    (kb.slots["light_chain"].label, "unknown / not done")]


# fields that are not also the names of criteria: a literal naming several of them is a list of case fields
_ONLY_FIELDS = {f for f in CASE_FIELDS if f not in get_args(schema.CriterionName)}
_ALLOWED = {
    ("knowledge/schema.py", "CaseField"),  # pinned above
    ("criteria/engine.py", "_FIELD_VARIABLE"),  # logic per field (which verdict variable it settles), not a list
    ("criteria/findings.py", "FINDINGS"),  # logic per field (the phrasings that state it), not a list
}


def test_no_module_hand_lists_the_case_fields_again():
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            value = getattr(node, "value", None) if targets else None
            if value is None:
                continue
            names = {c.value for c in ast.walk(value) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
            where = (str(path.relative_to(PACKAGE)), getattr(targets[0], "id", ""))
            if len(names & _ONLY_FIELDS) >= 3 and where not in _ALLOWED:
                found.append(where)
    assert found == []
