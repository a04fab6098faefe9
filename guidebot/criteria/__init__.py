"""The diagnosis and treatment engine: read a case against the review's Box, then Figure 3's algorithm.

Public API (others code against it): `Status`, `all_of`, `any_of`, `negate`, `Case`, `load_case`,
`parse_case`, `assess`, `Assessment`, `Treatment`, `slots_to_ask`, `CRITERIA_GROUPS`, `CASE_FIELDS`.

The names load lazily: the router reads findings (`criteria.findings`) and Figure 3's choice
(`criteria.approach`) on the fast `guidebot ask` path, and those must not pull in pydantic with `Case`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guidebot.criteria.case import CASE_FIELDS, Case, load_case, parse_case
    from guidebot.criteria.engine import Assessment, assess, slots_to_ask
    from guidebot.criteria.logic import Status, all_of, any_of, negate
    from guidebot.criteria.readings import CRITERIA_GROUPS
    from guidebot.criteria.treatment import Cited, Treatment, cite

_HOMES = {
    "CASE_FIELDS": "case", "Case": "case", "load_case": "case", "parse_case": "case",
    "Assessment": "engine", "assess": "engine", "slots_to_ask": "engine",
    "Status": "logic", "all_of": "logic", "any_of": "logic", "negate": "logic",
    "CRITERIA_GROUPS": "readings",
    "Cited": "treatment", "Treatment": "treatment", "cite": "treatment",
}
"""Public name -> the module of this package that defines it."""

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'guidebot.criteria' has no attribute {name!r}")
    return getattr(import_module(f"guidebot.criteria.{home}"), name)
