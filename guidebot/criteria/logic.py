"""Three-valued (Kleene) logic for the criteria: `Status` and its AND, OR and NOT.

The engine reads each criterion of the review's Box as met, not met or unknown (not yet tested), and
combines them with Kleene's strong logic, so an unknown only matters where it could change the result.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The status of a criterion (or of any combination of criteria)."""

    MET = "met"
    """The finding is present (the criterion is satisfied)."""
    NOT_MET = "not_met"
    """The finding was looked for and is absent."""
    UNKNOWN = "unknown"
    """Not yet tested, or the data given cannot decide it."""


def all_of(*statuses: Status) -> Status:
    """Kleene AND: not_met if any is not_met, else unknown if any is unknown, else met.

    The truth table (symmetric; `all_of()` with no argument is met, the identity of AND)::

        AND       | met      not_met  unknown
        ----------+--------------------------
        met       | met      not_met  unknown
        not_met   | not_met  not_met  not_met
        unknown   | unknown  not_met  unknown
    """
    if Status.NOT_MET in statuses:
        return Status.NOT_MET
    if Status.UNKNOWN in statuses:
        return Status.UNKNOWN
    return Status.MET


def any_of(*statuses: Status) -> Status:
    """Kleene OR: met if any is met, else unknown if any is unknown, else not_met.

    The truth table (symmetric; `any_of()` with no argument is not_met, the identity of OR)::

        OR        | met      not_met  unknown
        ----------+--------------------------
        met       | met      met      met
        not_met   | met      not_met  unknown
        unknown   | met      unknown  unknown
    """
    if Status.MET in statuses:
        return Status.MET
    if Status.UNKNOWN in statuses:
        return Status.UNKNOWN
    return Status.NOT_MET


def negate(status: Status) -> Status:
    """Kleene NOT: met <-> not_met; unknown stays unknown."""
    if status is Status.MET:
        return Status.NOT_MET
    if status is Status.NOT_MET:
        return Status.MET
    return Status.UNKNOWN


def from_bool(value: bool | None) -> Status:
    """A case field read as a status: True -> met, False -> not_met, None (not given) -> unknown."""
    if value is None:
        return Status.UNKNOWN
    return Status.MET if value else Status.NOT_MET
