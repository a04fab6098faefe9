"""The diagnosis and treatment engine: read a case against the review's Box, then Figure 3's algorithm.

Public API (others code against it): `Status`, `all_of`, `any_of`, `negate`, `Case`, `load_case`,
`parse_case`, `assess`, `Assessment`, `Treatment`, `slots_to_ask`, `CRITERIA_GROUPS`, `CASE_FIELDS`.
"""

from guidebot.criteria.case import CASE_FIELDS, Case, load_case, parse_case
from guidebot.criteria.engine import Assessment, assess, slots_to_ask
from guidebot.criteria.logic import Status, all_of, any_of, negate
from guidebot.criteria.readings import CRITERIA_GROUPS
from guidebot.criteria.treatment import Cited, Treatment, cite

__all__ = [
    "CASE_FIELDS",
    "CRITERIA_GROUPS",
    "Assessment",
    "Case",
    "Cited",
    "Status",
    "Treatment",
    "all_of",
    "any_of",
    "assess",
    "cite",
    "load_case",
    "negate",
    "parse_case",
    "slots_to_ask",
]
